use ad::differentiate;
use std::cmp::Ordering;

fn by_value(a: &f64, b: &f64) -> Ordering {
    a.total_cmp(b)
}

// Sorting an active array by a comparator that is not a closure of two
// parameters (or `f64::total_cmp`): the error names the forms that work.
#[differentiate]
fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(by_value);
    v[v.len() / 2]
}

// A row of a 2-D array is not rewritten either.
#[differentiate]
fn smallest(x: &[f64]) -> f64 {
    let mut m = vec![x.to_vec()];
    m[0].sort_unstable_by(|a, b| a.total_cmp(b));
    m[0][0]
}

fn main() {}
