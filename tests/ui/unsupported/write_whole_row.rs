// A row of a 2-D array is written element by element or copied into.
use ad::differentiate;

#[differentiate]
fn rows(x: &[f64]) -> f64 {
    let mut m = vec![vec![0.0; 2]; 2];
    m[0][1] = x[0];
    m[1] = vec![x[1], x[0]];
    m[0][1] * m[1][0]
}

fn main() {}
