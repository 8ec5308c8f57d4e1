use ad::differentiate;

// A maximum and its index.
#[differentiate]
fn max_at(x: &[f64]) -> (f64, usize) {
    let mut m = x[0];
    let mut k = 0;
    for i in 1..x.len() {
        if x[i] > m {
            m = x[i];
            k = i;
        }
    }
    (m, k)
}

fn main() {}
