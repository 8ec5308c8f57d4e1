// A member of a helper's tuple result read as `g(x).1`: says how to bind it.
use ad::differentiate;

#[differentiate]
fn stats(x: &[f64]) -> (Vec<f64>, f64) {
    (x.iter().map(|v| v * v).collect(), x[0].sin())
}

#[differentiate]
fn second(x: &[f64]) -> f64 {
    stats(x).1 * 2.0
}

#[differentiate]
fn first(x: &[f64]) -> f64 {
    stats(x).0[0] * 2.0
}

fn main() {}
