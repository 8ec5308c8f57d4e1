// A slice parameter chosen by a branch where the choice is a value (a
// call's argument, an indexed value, a loop's container), or a slice
// variable assigned another slice in a branch: says to use each slice in
// its own branch or to copy it. Its length is fine.
use ad::differentiate;

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn argument(x: &[f64], y: &[f64], c: bool) -> f64 {
    dot(if c { x } else { y }, x)
}

#[differentiate]
fn indexed(x: &[f64], y: &[f64], k: usize) -> f64 {
    let n = (if k > 0 { x } else { y }).len() as f64;
    n * (match k { 0 => x, 1 => &y[1..], _ => y })[0]
}

#[differentiate]
fn container(x: &[f64], y: &[f64], c: bool) -> f64 {
    let mut s = 0.0;
    for v in if c { x } else { y } {
        s += v * x[0];
    }
    s
}

#[differentiate]
fn reassigned(x: &[f64], y: &[f64], c: bool) -> f64 {
    let mut b = x;
    if c {
        b = y;
    }
    b[0] * x[1]
}

fn main() {}
