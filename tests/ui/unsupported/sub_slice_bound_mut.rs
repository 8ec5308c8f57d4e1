// A borrowed range of an active array bound to a `mut` name (assigned
// another range later) is not a view: an error that says what is supported.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut part = &x[1..];
    let a = part[0];
    part = &x[2..];
    a * part[0]
}

fn main() {}
