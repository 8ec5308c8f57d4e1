// A trait's method called on an active value, through a generic parameter
// and an `impl Trait` one: the error names `energy` and says what to write.
use ad::differentiate;

trait Energy {
    fn energy(&self, x: f64) -> f64;
}

#[differentiate(wrt(x))]
fn total<E: Energy>(x: f64, e: &E) -> f64 {
    e.energy(x) * x
}

#[differentiate(wrt(x))]
fn total_impl(x: f64, e: &impl Energy) -> f64 {
    e.energy(x) * x
}

fn main() {}
