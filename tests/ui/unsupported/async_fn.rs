use ad::differentiate;

#[differentiate]
async fn slow(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn later(x: f64) -> f64 {
    let f = async { 1.0 };
    x * 2.0
}

fn main() {}
