//! A `wrt(self)` method calls a method that treats its receiver as a
//! constant: the receiver's derivative would be lost, so it does not compile.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    k: f64,
}

impl P {
    #[differentiate]
    fn inner(&self, x: f64) -> f64 {
        self.k * x
    }

    #[differentiate(wrt(self))]
    fn outer(&self, x: f64) -> f64 {
        self.inner(x) * self.k
    }
}

fn main() {}
