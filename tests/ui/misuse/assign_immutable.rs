use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let s = 1.0;
    s += x;
    s
}

fn main() {}
