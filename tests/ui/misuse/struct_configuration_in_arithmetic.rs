//! A configuration field copied into a local and used in arithmetic: its
//! tangent is not the tangent struct's copy of it (which would be a wrong
//! derivative), so this does not compile; `p.steps as f64` does.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    k: f64,
    #[ad(skip)]
    steps: usize,
}

#[differentiate(wrt(p))]
fn f(p: &P, x: f64) -> f64 {
    let n = p.steps;
    p.k * x * n as f64
}

fn main() {}
