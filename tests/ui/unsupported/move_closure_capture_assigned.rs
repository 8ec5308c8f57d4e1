use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut a = x;
    let g = move |t: f64| a * t;
    a = 3.0 * x;
    g(x) + a
}

fn main() {}
