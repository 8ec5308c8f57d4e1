use ad::differentiate;
use ad::nalgebra::{DVector, Vector3};

#[differentiate]
fn f(x: &DVector<f64>) -> f64 {
    let h: Vector3<f64> = x.fixed_rows(0).into_owned();
    h.sum()
}

fn main() {}
