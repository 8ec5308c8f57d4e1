// A slice parameter chosen by a branch (`let b = if c { x } else { y };`):
// says to copy it or to use each slice in its own branch. Chosen among
// slices left out of `wrt` (data), it is fine.
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
fn pick(x: &[f64], y: &[f64], c: bool) -> f64 {
    let b = if c { x } else { y };
    dot(b, x)
}

#[differentiate(wrt(x))]
fn pick_data(x: &[f64], d1: &[f64], d2: &[f64], c: bool) -> f64 {
    let d = if c { d1 } else { d2 };
    d[0] * x[1] + dot(d, x)
}

fn main() {}
