// A local array nested three deep is an error at its construction.
use ad::differentiate;

#[differentiate]
fn total(x: &[f64]) -> f64 {
    let cube = vec![vec![vec![x[0]; 2]; 2]; 2];
    x[1] * cube.len() as f64
}

fn main() {}
