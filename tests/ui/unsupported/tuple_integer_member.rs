use ad::differentiate;

// A count beside a sum in a tuple of active values.
#[differentiate]
fn mean_positive(x: &[f64]) -> f64 {
    let mut t = (0.0, 0usize);
    for &v in x {
        if v > 0.0 {
            t = (t.0 + v, t.1 + 1);
        }
    }
    t.0 / t.1 as f64
}

fn main() {}
