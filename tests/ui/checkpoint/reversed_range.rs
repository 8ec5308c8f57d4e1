// A checkpointed loop over something else than an ascending range.
use ad::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    #[checkpoint]
    for i in (0..n).rev() {
        y = y.sin() + i as f64;
    }
    y
}

fn main() {
    let _ = f_grad(2.0, 3);
}
