use ad::differentiate;

// A member of a tuple of floats, assigned.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut acc = (x[0], x[1]);
    acc.0 = acc.1 * x[2];
    acc.0 + acc.1
}

fn main() {}
