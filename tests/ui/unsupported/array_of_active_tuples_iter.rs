// An array of tuples with active members read through `for p in pairs.iter()`:
// the errors point at `.0` and `.1`, not at the attribute.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut pairs = [(0.0, 0.0); 5];
    for i in 0..x.len() {
        pairs[i] = (x[i], x[i] * x[i]);
    }
    let mut s = 0.0;
    for p in pairs.iter() {
        s += p.0 * p.1;
    }
    s
}

fn main() {}
