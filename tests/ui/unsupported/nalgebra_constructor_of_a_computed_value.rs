use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let v = DVector::from_vec(x.to_vec());
    v.sum()
}

fn main() {}
