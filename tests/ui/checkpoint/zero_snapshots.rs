// Zero snapshots: the loop's initial state needs one.
use ad::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    #[checkpoint(snapshots = 0)]
    for _ in 0..n {
        y = y.sin();
    }
    y
}

fn main() {
    let _ = f_grad(2.0, 3);
}
