use ad::differentiate;

// Sorting an active copy: the error says to sort a permutation and gather
// (tests/leftovers_5.rs checks that form).
#[differentiate]
fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[differentiate]
fn smallest(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    v[0]
}

fn main() {}
