use ad::differentiate;

// A closure reading `i`, called in a `for i` loop: the call would read the
// loop's `i`.
#[differentiate]
fn in_for(x: &[f64]) -> f64 {
    let i = 0;
    let g = |t: f64| t * x[i];
    let mut s = 0.0;
    for i in 1..x.len() {
        s += g(x[i]);
    }
    s
}

// The same in a `match` arm binding `k`.
#[differentiate]
fn in_arm(x: &[f64], n: usize) -> f64 {
    let k = 0;
    let g = |t: f64| t * x[k];
    match n {
        0 => x[0],
        k => g(x[k]),
    }
}

fn main() {}
