use ad::differentiate;
use ad::nalgebra::DVector;

// The element of `x.map(..)` is a float: the closure's parameter says `u8`.
#[differentiate]
fn mapped(x: &DVector<f64>) -> f64 {
    x.map(|v: u8| v as f64).sum()
}

fn main() {}
