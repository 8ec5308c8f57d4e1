//! Reduction loops whose accumulators are only returned run once, in the
//! reverse sweep (values and adjoints together); every other loop keeps the
//! forward sweep. Both give the same derivatives as finite differences.

use ad::check::{check_gradient, fd_gradient};
use ad::differentiate;

/// Single pass: `s` is only returned.
#[differentiate]
fn sum_of_terms(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = (x[i] * w).sin();
        s += t * t;
        s -= 0.5 * x[i];
    }
    s
}

/// Not single pass: the accumulator is read after the loop.
#[differentiate]
fn used_after(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] * w).sin();
    }
    let y = s.exp();
    y * w
}

/// Two loops: the first accumulator feeds the second loop (not single
/// pass), the second is only returned (single pass).
#[differentiate]
fn two_loops(x: &[f64]) -> f64 {
    let mut m = 0.0;
    for i in 0..x.len() {
        m += x[i];
    }
    let mean = m / x.len() as f64;
    let mut v = 0.0;
    for i in 0..x.len() {
        v += (x[i] - mean) * (x[i] - mean);
    }
    v
}

/// Not single pass: the loop reads a variable that changes after it.
#[differentiate]
fn reads_changing(x: &[f64], w: f64) -> f64 {
    let mut k = w;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += k * x[i];
    }
    k *= 2.0;
    s + k
}

/// Not single pass: a branch inside.
#[differentiate]
fn branchy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s += x[i] * x[i];
        } else {
            s -= x[i];
        }
    }
    s
}

fn point() -> Vec<f64> {
    vec![0.3, -1.2, 2.5, 0.7, -0.4]
}

fn check(name: &str, f: impl Fn(&[f64]) -> f64, grad: &[f64], value: f64, p: &[f64]) {
    assert_eq!(value.to_bits(), f(p).to_bits(), "{name}: value");
    let report = check_gradient(&f, p, grad);
    assert!(report.is_close(1e-8, 1e-8), "{name}: {report}");
}

#[test]
fn reductions_returned_directly() {
    let x = point();
    let w = 0.8;
    let (v, gx, gw) = sum_of_terms_grad(&x, w);
    let mut all = gx.clone();
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "sum_of_terms",
        |p: &[f64]| sum_of_terms(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
    // Hand-derived: d/dx_i = 2 sin cos w - 0.5
    for i in 0..5 {
        let a = x[i] * w;
        let expected = 2.0 * a.sin() * a.cos() * w - 0.5;
        assert!((gx[i] - expected).abs() < 1e-14, "entry {i}");
    }
}

#[test]
fn accumulator_used_after_the_loop() {
    let (x, w) = (point(), -0.6);
    let (v, gx, gw) = used_after_grad(&x, w);
    let mut all = gx;
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "used_after",
        |p: &[f64]| used_after(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
}

#[test]
fn chained_loops() {
    let x = point();
    let (v, g) = two_loops_grad(&x);
    check("two_loops", two_loops, &g, v, &x);
    // The gradient of the sum of squared deviations is 2 (x_i - mean).
    let mean = x.iter().sum::<f64>() / 5.0;
    for i in 0..5 {
        assert!((g[i] - 2.0 * (x[i] - mean)).abs() < 1e-13, "entry {i}");
    }
}

#[test]
fn variable_changed_after_the_loop() {
    let (x, w) = (point(), 1.7);
    let (v, gx, gw) = reads_changing_grad(&x, w);
    let mut all = gx;
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "reads_changing",
        |p: &[f64]| reads_changing(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
    let fd = fd_gradient(|p: &[f64]| reads_changing(&p[..5], p[5]), &p);
    assert!((all[5] - fd[5]).abs() < 1e-8);
}

#[test]
fn branches_in_a_reduction() {
    let x = point();
    let (v, g) = branchy_grad(&x);
    check("branchy", branchy, &g, v, &x);
}
