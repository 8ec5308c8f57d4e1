// A `sort_by` comparator of an active array with a statement other than a
// `let` of one name (here a `let mut` and an assignment).
use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| {
        let mut ka = a * a;
        ka -= b * b;
        ka.total_cmp(&0.0)
    });
    v[0]
}

fn main() {}
