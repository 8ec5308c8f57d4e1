// Checkpointed loops nested in each other (or in any loop or branch).
use ad::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    #[checkpoint]
    for _ in 0..n {
        #[checkpoint]
        for _ in 0..n {
            y = y.sin();
        }
    }
    y
}

fn main() {
    let _ = f_grad(2.0, 3);
}
