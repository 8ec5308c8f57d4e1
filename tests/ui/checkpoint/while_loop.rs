// `#[checkpoint]` on a `while` loop.
use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut y = x;
    #[checkpoint]
    while y > 0.1 {
        y = 0.5 * y;
    }
    y
}

fn main() {
    let _ = f_grad(2.0);
}
