use ad::differentiate;

// An element taken out of an `Option`: index it instead.
#[differentiate]
fn ends(x: &[f64]) -> f64 {
    let a = *x.first().unwrap();
    let b = x.last().copied().unwrap();
    a * b
}

fn main() {}
