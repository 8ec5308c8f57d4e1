// A reference to an element held in a local reads its parent where it is
// read: a later `let` that takes the parent's name first is an error.
use ad::differentiate;

#[differentiate(wrt(mu))]
fn f(mu: f64, data: &[f64]) -> f64 {
    let d = &data[0];
    let data = 2.0 * mu;
    d * data
}

fn main() {}
