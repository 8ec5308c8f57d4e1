use ad::differentiate;
use ad::nalgebra::{DVector, DVectorView};

// Helpers rejected at their signatures: their differentiated callers report
// nothing more (they once added type errors inside the runtime, or that the
// helper needs `#[differentiate]`). A view passed to one is passed as a view.
#[differentiate]
fn sumsq_view(v: DVectorView<f64>, o: Option<f64>) -> f64 {
    v.dot(&v) * o.unwrap_or(1.0)
}

#[differentiate]
fn split_energy(x: &DVector<f64>) -> f64 {
    let n = x.len() / 2;
    let tail = x.rows(n, n);
    sumsq_view(x.rows(0, n), None) * 2.0 + sumsq_view(tail, Some(2.0)).sqrt()
}

#[differentiate]
fn scaled(x: f64, o: Option<f64>) -> f64 {
    x * o.unwrap_or(1.0)
}

#[differentiate]
fn twice_scaled(x: f64) -> f64 {
    scaled(x, Some(2.0)) + x
}

#[differentiate]
fn count(x: &[f64]) -> usize {
    x.len()
}

#[differentiate]
fn per_element(x: &[f64]) -> f64 {
    let k = count(x);
    x[0] * k as f64
}

fn main() {
    let x = DVector::from_vec(vec![1.0, 2.0]);
    println!("{}", sumsq_view(x.rows(0, 1), None));
}
