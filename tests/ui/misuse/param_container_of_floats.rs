// Parameters of containers of floats that are not differentiated are an
// error at their types, never silently inactive; `wrt(..)` leaves them out.
use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn boxed(v: Box<[f64]>, k: f64) -> f64 {
    v[0] * k
}

#[differentiate]
fn optional(v: Option<f64>, k: f64) -> f64 {
    v.unwrap_or(1.0) * k
}

#[differentiate]
fn samples(v: &[DVector<f64>], w: Vec<DVector<f64>>, k: f64) -> f64 {
    v[0][0] * w[0][0] * k
}

// Left out explicitly: fine.
#[differentiate(wrt(k))]
fn left_out(v: Option<f64>, k: f64) -> f64 {
    v.unwrap_or(1.0) * k
}

fn main() {}
