use ad::differentiate;

// A sub-slice view read under an `if let` that binds the name of its parent:
// the view would read the new `x`.
#[differentiate]
fn f(x: &[f64], w: &[f64]) -> f64 {
    let r = &x[1..];
    let mut s = 0.0;
    if let Some(&x) = w.first() {
        s += r[0] * x + r[1];
    }
    s * x[0]
}

fn main() {}
