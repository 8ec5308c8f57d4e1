use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let a = x;
    let g = |t: f64| a * t;
    let a = 2.0 * x;
    g(a)
}

fn main() {}
