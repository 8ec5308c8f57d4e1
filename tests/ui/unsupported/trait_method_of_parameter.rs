// A trait's method called on an active value, on a parameter of a concrete
// type: the first error names `energy` and says what to write.
use ad::differentiate;

trait Energy {
    fn energy(&self, x: f64) -> f64;
}

struct Spring {
    k: f64,
}

impl Energy for Spring {
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

#[differentiate(wrt(x))]
fn total(x: f64, s: &Spring) -> f64 {
    s.energy(x) + x
}

fn main() {}
