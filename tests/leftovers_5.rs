//! Issue 18, forms that new users write: the advice of errors, checked to
//! work. A nalgebra view is passed to a helper as an owned copy
//! (`&x.rows(0, n).into_owned()`, what the error at a view parameter says).
//! `_jvp` and `_vjp` against central finite differences and the dot-product
//! identity, `_grad` and `_hvp` against finite differences of the gradient.

use ad::differentiate;
use ad::nalgebra::DVector;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
use arrays::agree_scalar;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

/// Checks every mode of a scalar function of one `DVector`, through its
/// flat entries.
macro_rules! check_dvector {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $x:expr) => {{
        let x: &[f64] = $x;
        let v = |p: &[f64]| DVector::from_column_slice(p);
        let t: Vec<f64> = (0..x.len()).map(|k| 0.3 + 0.2 * k as f64).collect();
        agree_scalar(
            stringify!($f),
            x,
            |p| $f(&v(p)),
            |p, t| $jvp(&v(p), &v(t)),
            |p, c| {
                let (o, g) = $vjp(&v(p), c);
                (o, g.as_slice().to_vec())
            },
            1e-6,
        );
        check_all(
            stringify!($f),
            x,
            &t,
            |p| $f(&v(p)),
            |p| {
                let (o, g) = $grad(&v(p));
                (o, g.as_slice().to_vec())
            },
            |p, t| $jvp(&v(p), &v(t)),
            |p, t| {
                let (o, g, h) = $hvp(&v(p), &v(t));
                (o, g.as_slice().to_vec(), h.as_slice().to_vec())
            },
        );
    }};
}

// ----- a view passed as an owned copy ------------------------------------------

/// What the error at a view parameter says to take instead.
#[differentiate]
fn sumsq(v: &DVector<f64>) -> f64 {
    v.dot(v)
}

/// The sweep's caller, passing owned copies of its halves.
#[differentiate]
fn split_energy(x: &DVector<f64>) -> f64 {
    let n = x.len() / 2;
    sumsq(&x.rows(0, n).into_owned()) * 2.0 + sumsq(&x.rows(n, n).into_owned()).sqrt()
}

#[test]
fn view_advice_owned_copy() {
    check_dvector!(
        split_energy,
        split_energy_jvp,
        split_energy_vjp,
        split_energy_grad,
        split_energy_hvp,
        &[0.4, -1.1, 0.7, 1.3, 0.2, -0.5]
    );
}
