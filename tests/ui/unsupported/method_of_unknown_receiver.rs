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

fn make() -> S {
    S { k: 2.0 }
}

/// A receiver whose type the macro cannot tell (a helper's result): not
/// known to be a user type with a differentiated method.
#[differentiate]
fn f(x: f64) -> f64 {
    let s = make();
    s.energy(x)
}

fn main() {}
