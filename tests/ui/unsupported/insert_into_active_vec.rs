// `push` grows an active `Vec`; inserting in the middle is not differentiated:
// the error says what to write instead.
use ad::differentiate;

#[differentiate]
fn squares(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    for i in 0..x.len() {
        v.insert(0, x[i] * x[i]);
    }
    v[0]
}

fn main() {}
