// A caller passes a value that depends on its active input `x` to `c`, which
// `scale` leaves out of `wrt(...)`: the derivative through `c` would be lost.
use ad::differentiate;

#[differentiate(wrt(x))]
fn scale(x: f64, c: f64) -> f64 {
    x * c
}

#[differentiate]
fn square(x: f64) -> f64 {
    scale(x, x)
}

fn main() {
    let _ = square_grad(2.0);
}
