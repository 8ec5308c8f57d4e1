use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    if let Some(v) = x.iter().map(|a| a * 2.0).last() {
        v * v
    } else {
        0.0
    }
}

#[differentiate]
fn g(x: &[f64], k: usize) -> f64 {
    let r = match x.iter().map(|a| a.sin()).nth(k) {
        Some(v) => v * x[0],
        None => 0.0,
    };
    r * x[1]
}

fn main() {}
