use ad::differentiate;

#[differentiate]
fn f(x: f64, n: i32) -> f64 {
    let y = x * 2.0;
    return y;
    x
}

fn main() {}
