use ad::differentiate;

// `let y = if .. { return x } else { .. };` is accepted (the statement form);
// an `if` that returns from inside an expression is not.
#[differentiate]
fn f(x: f64) -> f64 {
    let y = 2.0 * if x > 0.0 { return x } else { x * x };
    y + 1.0
}

fn main() {}
