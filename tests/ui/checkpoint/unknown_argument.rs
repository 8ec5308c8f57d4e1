// An argument of `#[checkpoint]` other than `snapshots = S`.
use ad::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    #[checkpoint(snaps = 4)]
    for _ in 0..n {
        y = y.sin();
    }
    y
}

fn main() {
    let _ = f_grad(2.0, 3);
}
