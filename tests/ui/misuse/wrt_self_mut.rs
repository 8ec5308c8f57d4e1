use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct P {
    k: f64,
}

impl P {
    #[differentiate(wrt(self))]
    fn f(&mut self, x: f64) -> f64 {
        self.k * x
    }
}

fn main() {}
