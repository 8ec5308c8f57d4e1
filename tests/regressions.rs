//! Regressions: each test pins a bug found while building `ad`.

use ad::check::check_gradient;
use ad::differentiate;

/// A slot assigned by a call inside a loop, read again after the loop: the
/// reverse sweep of each iteration needs the value that iteration wrote
/// (found by the snapshot of `piecewise`: the output of `y.sqrt()` was read
/// from the slot without saving it across iterations).
#[differentiate]
fn last_root(x: f64) -> f64 {
    let mut r = 0.0;
    let mut y = x;
    for _ in 0..3 {
        r = y.sqrt();
        y = y * 2.0 + r;
    }
    r * y
}

/// The same with a quotient, whose rule reads its output too.
#[differentiate]
fn last_ratio(x: f64, z: f64) -> f64 {
    let mut q = 1.0;
    let mut y = x;
    for _ in 0..3 {
        q = y / z;
        y += q * q;
    }
    q + y
}

#[test]
fn outputs_read_by_rules_are_saved_across_iterations() {
    let x = 1.7;
    let (v, g) = last_root_grad(x);
    assert_eq!(v, last_root(x));
    check_gradient(|p: &[f64]| last_root(p[0]), &[x], &[g]).assert_close(1e-8, 1e-8);
    let (x, z) = (0.8, 1.9);
    let (v, gx, gz) = last_ratio_grad(x, z);
    assert_eq!(v, last_ratio(x, z));
    check_gradient(|p: &[f64]| last_ratio(p[0], p[1]), &[x, z], &[gx, gz]).assert_close(1e-8, 1e-8);
    let (_, _, _, hx, _) = last_ratio_hvp(x, 1.0, z, 0.0);
    let h = 1e-5;
    let fd = (last_ratio_grad(x + h, z).1 - last_ratio_grad(x - h, z).1) / (2.0 * h);
    assert!((hx - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{hx} vs {fd}");
}
