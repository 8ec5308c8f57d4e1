// `#[checkpoint]` on a statement that is not a loop.
use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    #[checkpoint]
    let y = x * x;
    y
}

fn main() {
    let _ = f_grad(2.0);
}
