use ad::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    x.powi(y as i32) + x.powi((y * 2.0) as i32) + x.powi(y)
}

fn main() {}
