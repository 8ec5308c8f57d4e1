use ad::differentiate;

// An integer member, assigned.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut c = (x[0], 0);
    c.1 += 1;
    c.0 * c.1 as f64
}

fn main() {}
