use ad::differentiate;

struct S {
    k: f64,
}

impl S {
    #[differentiate]
    fn energy(&self, x: f64) -> f64 {
        self.k * x * x
    }
}

/// A local struct built from an active value: a method call on it would
/// lose the derivatives through `k`.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let s = S { k: x };
    s.energy(y)
}

fn main() {}
