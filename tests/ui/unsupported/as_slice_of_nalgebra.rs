// `as_slice` of an active nalgebra vector: says what to pass instead.
use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn slice_sum(x: &[f64]) -> f64 {
    x.iter().map(|v| v.sin()).sum()
}

#[differentiate]
fn caller(v: &DVector<f64>) -> f64 {
    slice_sum(v.as_slice())
}

fn main() {}
