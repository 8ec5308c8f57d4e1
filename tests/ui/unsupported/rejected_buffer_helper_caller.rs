use ad::differentiate;

// A helper with only a buffer as its output, rejected: its caller reports
// nothing more (it once added that `predict` has no derivatives).
#[differentiate]
fn predict(state: &mut [f64], x: &[f64]) {
    let [a, b]: [f64; 2] = x.try_into().unwrap();
    state[0] *= a * b;
}

#[differentiate]
fn objective(state0: &[f64], x: &[f64]) -> f64 {
    let mut s = state0.to_vec();
    predict(&mut s, x);
    s[0]
}

fn main() {}
