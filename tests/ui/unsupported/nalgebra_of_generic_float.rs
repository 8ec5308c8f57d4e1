use ad::differentiate;
use ad::nalgebra::DVector;
use ad::Real;

// The rules on nalgebra values are written for `f64` and `f32`.
#[differentiate]
fn scale<T: Real>(a: T, y: &mut DVector<T>) {
    y[1] = a * y[0];
}

fn main() {}
