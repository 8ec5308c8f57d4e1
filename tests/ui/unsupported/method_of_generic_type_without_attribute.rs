use ad::differentiate;
use ad::Real;

struct S<T> {
    k: T,
}

impl<T: Real> S<T> {
    /// Not differentiated.
    fn plain(&self, x: T) -> T {
        self.k * x
    }
}

/// A method of a generic struct without `#[differentiate]`, on a
/// parameter of a concrete type and on a literal: a clear error at the
/// call besides rustc's.
#[differentiate(wrt(x))]
fn f(s: &S<f64>, x: f64) -> f64 {
    let l = S { k: 2.0 };
    s.plain(x) + l.plain(x)
}

/// The same in a function generic over the float type.
#[differentiate(wrt(x))]
fn g<T: Real>(s: &S<T>, x: T) -> T {
    s.plain(x)
}

fn main() {}
