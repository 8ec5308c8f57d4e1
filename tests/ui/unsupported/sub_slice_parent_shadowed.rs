// A borrowed sub-slice local reads its parent where it is read: a later
// `let` that takes the parent's name first is an error.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let rest = &x[1..];
    let x = 2.0 * rest[0];
    rest[1] * x
}

fn main() {}
