// A nested array is not differentiated yet: it must never be taken for
// inactive data without a word.
use ad::differentiate;

#[differentiate]
fn trace(m: [[f64; 3]; 3], rows: Vec<Vec<f64>>) -> f64 {
    m[0][0] + m[1][1] + m[2][2] + rows[0][0]
}

fn main() {}
