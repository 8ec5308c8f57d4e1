// A generated derivative called inside a differentiated function: no
// derivatives of its own; the first error says so and what to write.
use ad::differentiate;

#[differentiate]
fn inner(x: f64) -> f64 {
    x * x.sin()
}

#[differentiate]
fn outer(x: f64) -> f64 {
    let (_, g) = inner_grad(x);
    g * x
}

fn main() {}
