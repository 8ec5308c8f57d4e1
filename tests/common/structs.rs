//! Every mode of a scalar function of a parameter struct (a type deriving
//! `ad::Differentiable`), seen through its flat view: the checks of
//! `tests/leftovers_8.rs`, `leftovers_10.rs` and `leftovers_11.rs`.
#![allow(dead_code)]

use ad::check::{check_gradient, compare, fd_jvp};
use ad::Differentiable;
use std::fmt::Debug;

/// A scalar function of a parameter struct in every mode at `p` along `t`
/// (whose skipped fields, `config`, hold garbage: they must not be read).
#[allow(clippy::too_many_arguments)]
pub fn check<P: Differentiable<Scalar = f64>, C: PartialEq + Debug>(
    what: &str,
    p: &P,
    t: &P,
    config: impl Fn(&P) -> C,
    f: impl Fn(&P) -> f64,
    grad: impl Fn(&P) -> (f64, P),
    vjp: impl Fn(&P, f64) -> (f64, P),
    jvp: impl Fn(&P, &P) -> (f64, f64),
    hvp: impl Fn(&P, &P) -> (f64, P, P),
) {
    let at = |xs: &[f64]| {
        let mut q = p.clone();
        q.copy_from_flat(xs);
        q
    };
    let x = p.to_flat();
    let tf = t.to_flat();
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    assert_eq!(config(&g), config(p), "{what}: gradient's skipped fields");
    let g = g.to_flat();
    assert!(g.iter().any(|g| g.abs() > 1e-3), "{what}: zero gradient");
    check_gradient(|xs| f(&at(xs)), &x, &g).assert_close(1e-7, 1e-7);
    let (v2, d) = jvp(p, t);
    assert_eq!(v2, v, "{what}: jvp value");
    let fd = fd_jvp(|xs| vec![f(&at(xs))], &x, &tf)[0];
    assert!(
        (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{what}: jvp {d} against finite differences {fd}"
    );
    // The dot-product identity: <J t, c> = <t, J^T c>.
    let c = -2.5;
    let (v1, ct) = vjp(p, c);
    assert_eq!(v1, v, "{what}: vjp value");
    assert_eq!(config(&ct), config(p), "{what}: cotangent's skipped fields");
    let rhs = tf.iter().zip(ct.to_flat()).map(|(a, b)| a * b).sum::<f64>();
    assert!(
        (d * c - rhs).abs() <= 1e-12 * (1.0 + rhs.abs()),
        "{what}: <J t, c> = {} but <t, J^T c> = {rhs}",
        d * c
    );
    let (v3, g3, hv) = hvp(p, t);
    assert_eq!(v3, v, "{what}: hvp value");
    assert_eq!(config(&hv), config(p), "{what}: hvp's skipped fields");
    compare(&g3.to_flat(), &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|xs| grad(&at(xs)).1.to_flat(), &x, &tf);
    compare(&hv.to_flat(), &fd).assert_close(1e-6, 1e-6);
    assert!(
        hv.to_flat().iter().any(|h| h.abs() > 1e-3),
        "{what}: zero HVP"
    );
}

/// A direction with every active component nonzero (skipped fields as
/// `p`'s: set them to garbage after).
pub fn direction<P: Differentiable<Scalar = f64>>(p: &P) -> P {
    let mut t = p.clone();
    let mut k = 0.0_f64;
    t.apply_scalars(|_| {
        k += 1.0;
        0.3 * (1.7 * k).sin() + 0.1
    });
    t
}
