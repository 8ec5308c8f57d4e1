// Calling a generated derivative (`inner_grad`) in a differentiated
// function: derivatives of generated derivatives are not supported; the
// error says so and what to write (not "put `#[differentiate]` on it").
use ad::differentiate;

#[differentiate]
fn inner(w: f64, x: f64) -> f64 {
    (w * x).sin()
}

#[differentiate]
fn meta(w: f64, x: f64, lr: f64) -> f64 {
    let (_, g, _) = inner_grad(w, x);
    inner(w - lr * g, x)
}

fn main() {}
