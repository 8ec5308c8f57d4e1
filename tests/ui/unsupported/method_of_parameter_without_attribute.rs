// A method of an inactive parameter, without derivatives, called on an
// active value: the first error names `twice` and says what to write.
use ad::differentiate;

struct P {
    a: f64,
}

impl P {
    fn twice(&self, x: f64) -> f64 {
        2.0 * x * self.a
    }
}

#[differentiate(wrt(x))]
fn f(x: f64, p: &P) -> f64 {
    p.twice(x)
}

fn main() {}
