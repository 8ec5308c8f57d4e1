use ad::differentiate;

// A type error inside generated code lands on the user's expression.
#[differentiate]
fn f(x: f64, y: f32) -> f64 {
    x * y
}

fn main() {}
