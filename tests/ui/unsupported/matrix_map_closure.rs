use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn squash(v: &DVector<f64>, a: f64) -> f64 {
    let s = v.map(|x| (x * a).tanh());
    s.sum()
}

fn main() {}
