// A `Vec` of tuples whose float members are active, read by a tuple
// pattern in a `for` loop: the errors point at the pattern's names.
use ad::differentiate;

#[differentiate]
fn weighted(x: &[f64], a: f64) -> f64 {
    let terms = vec![(0, x[1] * a), (2, a)];
    let mut s = 0.0;
    for &(i, w) in terms.iter() {
        s += x[i] * w;
    }
    s
}

fn main() {}
