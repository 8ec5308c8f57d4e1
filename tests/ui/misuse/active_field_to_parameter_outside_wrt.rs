// An active field (not `#[ad(skip)]`) passed to `c`, which `scale` leaves
// out of `wrt(...)`: its derivative would be lost (a skipped field may go
// there).
use ad::differentiate;

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct P {
    a: f64,
    b: f64,
    #[ad(skip)]
    k: f64,
}

#[differentiate(wrt(x))]
fn scale(c: &f64, x: f64) -> f64 {
    c * x
}

#[differentiate(wrt(p))]
fn f(p: &P) -> f64 {
    scale(&p.k, p.a) + scale(&p.b, p.a)
}

fn main() {
    let _ = f_grad(&P { a: 1.0, b: 2.0, k: 3.0 });
}
