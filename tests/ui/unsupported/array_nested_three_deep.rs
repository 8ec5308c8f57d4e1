// 2-D arrays are differentiated; deeper ones are an error, never taken for
// inactive data without a word.
use ad::differentiate;

#[differentiate]
fn total(cube: &[Vec<Vec<f64>>], w: f64) -> f64 {
    cube[0][0][0] * w
}

fn main() {}
