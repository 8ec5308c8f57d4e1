use ad::differentiate;
use ad::nalgebra::Vector3;
#[differentiate]
fn dir_x(v: &Vector3<f64>) -> f64 {
    v.normalize()[0]
}

fn main() {}
