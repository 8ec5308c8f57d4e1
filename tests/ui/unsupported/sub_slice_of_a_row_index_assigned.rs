// A borrowed sub-slice of a row, whose row index is assigned before the
// sub-slice is read.
use ad::differentiate;

#[differentiate]
fn f(a: &[Vec<f64>]) -> f64 {
    let mut r = 0;
    let tail = &a[r][1..];
    r += 1;
    tail[0] * a[r][0]
}

fn main() {}
