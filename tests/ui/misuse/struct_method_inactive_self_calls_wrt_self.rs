//! A method whose receiver is a constant calls a method with `wrt(self)`:
//! the callee takes the receiver's tangent, which the caller does not have.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    k: f64,
}

impl P {
    #[differentiate(wrt(self, x))]
    fn inner(&self, x: f64) -> f64 {
        self.k * x
    }

    #[differentiate]
    fn outer(&self, x: f64) -> f64 {
        self.inner(x) * self.k
    }
}

fn main() {}
