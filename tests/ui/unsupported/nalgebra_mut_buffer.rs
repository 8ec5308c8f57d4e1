use ad::differentiate;
use ad::nalgebra::DVector;

// A `&mut` nalgebra parameter as an in/out buffer: one error at the
// parameter (none for the body or the missing result), and one at each
// caller's `&mut y`.
#[differentiate]
fn axpy(a: f64, x: &DVector<f64>, y: &mut DVector<f64>) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

#[differentiate]
fn user(a: f64, x: &DVector<f64>) -> f64 {
    let mut y = x.clone();
    axpy(a, x, &mut y);
    y.norm_squared()
}

fn main() {}
