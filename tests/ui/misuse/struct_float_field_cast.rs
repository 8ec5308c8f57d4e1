//! A cast of a float field reads it as a configuration count: not allowed.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    k: f64,
}

#[differentiate(wrt(p))]
fn f(p: &P, x: f64) -> f64 {
    x * p.k as f64
}

fn main() {}
