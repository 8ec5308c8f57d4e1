// Views are differentiated (the generated items copy them); these are not:
// a mutable view (an in/out buffer is `&mut DVector<f64>`), a view of a
// function with hand-written rules, and an active view beside a `&mut`
// buffer.
use ad::differentiate;
use ad::nalgebra::{DVector, DVectorView, DVectorViewMut};

#[differentiate]
fn scale(k: f64, v: DVectorViewMut<f64>) -> f64 {
    k * v[0]
}

#[differentiate(custom)]
fn sumsq(v: DVectorView<f64>) -> f64 {
    v.dot(&v)
}

#[differentiate]
fn into_buffer(v: DVectorView<f64>, out: &mut DVector<f64>) {
    out[0] = v.dot(&v);
}

fn main() {}
