use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn squash(v: &DVector<f64>) -> f64 {
    let s = v.map(|x| x.tanh());
    s.sum()
}

fn main() {}
