//! A parameter struct left out of `wrt` lends a buffer to a method with
//! `wrt(self)`: the method takes the receiver's tangent, which the caller
//! does not have.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    a: f64,
}

impl P {
    #[differentiate(wrt(self, x))]
    fn m(&self, x: &[f64], d: &mut [f64]) {
        d[0] = self.a * x[0];
    }
}

#[differentiate(wrt(x))]
fn g(p: &P, x: &[f64]) -> f64 {
    let mut d = vec![0.0; 1];
    p.m(x, &mut d);
    d[0] * d[0]
}

fn main() {}
