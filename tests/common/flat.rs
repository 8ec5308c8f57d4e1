//! The checks of `tests/helpers.rs` and `tests/helpers_2d.rs`: every mode
//! of a function seen through a flat vector, against finite differences.
#![allow(dead_code)]

use ad::check::{check_gradient, compare, fd_jvp};

pub fn dot_f(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Checks, for a function of a flat vector `p`: the gradient against finite
/// differences, the JVP along `t` against the gradient's dot product with
/// `t` (and finite differences), and the HVP along `t` against finite
/// differences of the gradient. `f`: the primal; `grad`, `jvp`, `hvp`: the
/// generated items seen through `p`.
pub fn check_all(
    what: &str,
    p: &[f64],
    t: &[f64],
    f: impl Fn(&[f64]) -> f64,
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    check_gradient(&f, p, &g).assert_close(1e-8, 1e-8);
    assert!(
        g.iter().any(|g| g.abs() > 1e-3),
        "{what}: a zero gradient tests nothing"
    );
    let (v2, d) = jvp(p, t);
    assert_eq!(v2, v, "{what}: jvp value");
    // Along `t` the finite-difference step is that of the largest
    // coordinate: looser than the gradient's; <grad, t> below is exact.
    let fd = fd_jvp(|p| vec![f(p)], p, t)[0];
    assert!(
        (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{what}: jvp {d} against finite differences {fd}"
    );
    assert!(
        (d - dot_f(&g, t)).abs() <= 1e-12 * (1.0 + d.abs()),
        "{what}: jvp {d} against <grad, t> {}",
        dot_f(&g, t)
    );
    let (v3, g3, hv) = hvp(p, t);
    assert_eq!(v3, v, "{what}: hvp value");
    compare(&g3, &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|p| grad(p).1, p, t);
    compare(&hv, &fd).assert_close(1e-7, 1e-7);
    assert!(
        hv.iter().any(|h| h.abs() > 1e-3),
        "{what}: a zero HVP tests nothing"
    );
}
