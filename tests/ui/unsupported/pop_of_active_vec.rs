// `pop` of an active `Vec`: an error at `pop` (under `unwrap` too) saying
// to read the last element by index.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut w = x.to_vec();
    w.push(x[0] * x[1]);
    let last = w.pop().unwrap();
    w.iter().sum::<f64>() + last
}

#[differentiate]
fn g(x: &[f64]) -> f64 {
    let mut w = x.to_vec();
    w.pop();
    w[0]
}

fn main() {}
