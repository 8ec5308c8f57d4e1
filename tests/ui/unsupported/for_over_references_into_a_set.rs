// A `for` loop over references into a container that is not indexed by
// position (a set), with active values in its body: iterate over copies.
use ad::differentiate;
use std::collections::BTreeSet;

#[differentiate(wrt(mu))]
fn f(mu: f64, ks: &BTreeSet<u32>) -> f64 {
    let mut s = 0.0;
    for k in ks.iter() {
        s += mu * f64::from(*k);
    }
    s
}

fn main() {}
