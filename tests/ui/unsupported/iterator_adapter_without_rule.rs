use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    x.iter().peekable().map(|v| v * v).sum::<f64>()
}

fn main() {}
