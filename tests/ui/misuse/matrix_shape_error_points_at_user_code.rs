use ad::differentiate;
use ad::nalgebra::{Matrix2x3, Vector2};

#[differentiate]
fn bilinear(a: &Matrix2x3<f64>, x: &Vector2<f64>) -> f64 {
    let y = a * x;
    y.sum()
}

fn main() {}
