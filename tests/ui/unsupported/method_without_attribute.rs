use ad::differentiate;

struct S {
    k: f64,
}

impl S {
    /// Not differentiated.
    fn plain(&self, x: f64) -> f64 {
        self.k * x
    }
}

/// A method of a local struct without `#[differentiate]`: a clear error
/// at the call besides rustc's.
#[differentiate]
fn f(x: f64) -> f64 {
    let s = S { k: 2.0 };
    s.plain(x)
}

fn main() {}
