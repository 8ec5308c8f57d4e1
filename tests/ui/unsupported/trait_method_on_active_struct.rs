// A trait's method called on an active struct: it cannot have derivatives
// (they are not items of the trait); the error says to call an inherent
// `#[differentiate(wrt(self, ..))]` method that the trait's method calls.
use ad::differentiate;

trait Model {
    fn predict(&self, x: f64) -> f64;
}

#[derive(Clone, ad::Differentiable)]
struct Lin {
    a: f64,
}

impl Model for Lin {
    fn predict(&self, x: f64) -> f64 {
        self.a * x
    }
}

#[differentiate(wrt(m))]
fn loss(m: &Lin, x: f64) -> f64 {
    m.predict(x)
}

fn main() {}
