use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn double(x: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(&x[0..2]) * 2.0
}

// A helper's nalgebra result, its type not written, written by element:
// the message says which values can be, and to write the type.
#[differentiate]
fn first_replaced(x: &[f64]) -> f64 {
    let mut y = double(x);
    y[0] = x[1];
    y[0] * y[1]
}

fn main() {}
