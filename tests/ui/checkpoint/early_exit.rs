// A checkpointed loop whose steps can end it early.
use ad::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    #[checkpoint]
    for _ in 0..n {
        y = y.sin();
        if y < 0.1 {
            break;
        }
    }
    y
}

fn main() {
    let _ = f_grad(2.0, 3);
}
