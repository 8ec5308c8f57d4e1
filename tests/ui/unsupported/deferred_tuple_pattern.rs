use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let (a, b);
    (a, b) = (x * x, x + 1.0);
    a * b
}

fn main() {}
