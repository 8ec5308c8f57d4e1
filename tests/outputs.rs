//! Vector outputs (`Vec<f64>`) and `&mut` outputs (ODE right-hand sides):
//! Jacobians from forward mode, reverse mode, finite differences and
//! hand-derived references agree.
#![allow(clippy::assign_op_pattern, clippy::useless_vec)]

#[macro_use]
mod common;
#[path = "common/arrays.rs"]
mod arrays;

use ad::differentiate;
use arrays::{agree_vector, assert_jacobians_close, close_all, flat};
use common::Lcg;

/// A deterministic random point in [-1.5, 1.5]^n.
fn random_point(n: usize, seed: u64) -> Vec<f64> {
    Lcg(seed).vec(n).into_iter().map(|v| 1.5 * v).collect()
}

// ----- vector outputs ---------------------------------------------------------

/// Residuals r_i = x_i^2 - y i (+ x_(i-1) x_i for i > 0), a `Vec<f64>` output.
#[differentiate]
fn residuals(x: &[f64], y: f64) -> Vec<f64> {
    let mut r = vec![0.0; x.len()];
    for i in 0..x.len() {
        r[i] = x[i] * x[i] - y * i as f64;
        if i > 0 {
            r[i] += x[i - 1] * x[i];
        }
    }
    r
}

/// Checks `residuals` as a function of p = [x..., y] (n = p.len() - 1) and
/// returns its Jacobian.
fn check_residuals(p: &[f64]) -> arrays::Matrix {
    let n = p.len() - 1;
    agree_vector(
        "residuals",
        p,
        |p| residuals(&p[..n], p[n]),
        |p, t| residuals_jvp(&p[..n], &t[..n], p[n], t[n]),
        |p, c| {
            let (v, xb, yb): (Vec<f64>, Vec<f64>, f64) = residuals_vjp(&p[..n], p[n], c.to_vec());
            (v, [xb, vec![yb]].concat())
        },
        1e-8,
    )
}

#[test]
fn vec_output_jacobian_by_columns_equals_by_rows_and_finite_differences() {
    for (n, seed) in [(1, 7), (4, 8), (9, 9)] {
        let p = random_point(n + 1, seed);
        let j = check_residuals(&p);
        let reference = hand::residuals_jacobian(&p[..n], p[n]);
        let what = format!("residuals Jacobian vs hand-derived, n = {n}");
        assert_jacobians_close(&what, &j, &reference, 1e-14, 1e-14);
    }
}

/// Polar to Cartesian coordinates, a `[f64; 2]` output.
#[differentiate]
fn polar_to_cartesian(r: f64, theta: f64) -> [f64; 2] {
    let mut out = [0.0; 2];
    out[0] = r * theta.cos();
    out[1] = r * theta.sin();
    out
}

#[test]
fn array_output_jacobian_by_columns_equals_by_rows_and_finite_differences() {
    for (r, theta) in [(2.0f64, 0.3f64), (0.5, -2.0)] {
        let j = agree_vector(
            "polar_to_cartesian",
            &[r, theta],
            |p| polar_to_cartesian(p[0], p[1]).to_vec(),
            |p, t| {
                let (v, d) = polar_to_cartesian_jvp(p[0], t[0], p[1], t[1]);
                (flat(v), flat(d))
            },
            |p, c| {
                let seed: [f64; 2] = c.try_into().expect("two entries");
                let (v, rb, tb) = polar_to_cartesian_vjp(p[0], p[1], seed);
                (flat(v), vec![rb, tb])
            },
            1e-8,
        );
        let (c, s) = (theta.cos(), theta.sin());
        let reference = vec![vec![c, -r * s], vec![s, r * c]];
        let what = format!("polar_to_cartesian Jacobian at ({r}, {theta})");
        assert_jacobians_close(&what, &j, &reference, 1e-14, 1e-14);
    }
}

// ----- &mut outputs: ODE right-hand sides ---------------------------------------

/// Lotka-Volterra with seasonal forcing of the prey's growth rate.
#[differentiate]
fn lotka_volterra(t: f64, y: &[f64], dydt: &mut [f64]) {
    let (alpha, beta, gamma, delta) = (1.1, 0.4, 0.4, 0.1);
    let growth = alpha * (1.0 + 0.2 * t.sin());
    dydt[0] = growth * y[0] - beta * y[0] * y[1];
    dydt[1] = delta * y[0] * y[1] - gamma * y[1];
}

/// A decay chain written with a loop and `+=` on the output buffer:
/// y_i' = -(i + 1) y_i + i y_(i-1), plus a source e^-t into y_0.
#[differentiate]
fn decay_chain(t: f64, y: &[f64], dydt: &mut [f64]) {
    let n = y.len();
    for i in 0..n {
        let k = 1.0 + i as f64;
        dydt[i] = -k * y[i];
        if i > 0 {
            dydt[i] += i as f64 * y[i - 1];
        }
    }
    dydt[0] += (-t).exp();
}

/// Checks an ODE right-hand side through the `&mut` convention, with inputs
/// p = [t, y...]. The buffers start as NaN: the right-hand sides write every
/// element before reading it, so the initial contents (an input, as Enzyme's
/// `Duplicated`) do not matter.
/// Returns the Jacobian (rows: outputs; columns: t, then y).
macro_rules! check_rhs {
    ($rhs:ident, $jvp:ident, $vjp:ident, $p:expr) => {{
        let p: &[f64] = &$p;
        let n = p.len() - 1;
        agree_vector(
            stringify!($rhs),
            p,
            |p| {
                let mut out = vec![f64::NAN; n];
                $rhs(p[0], &p[1..], &mut out);
                out
            },
            |p, t| {
                let (mut out, mut dout) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                let () = $jvp(p[0], t[0], &p[1..], &t[1..], &mut out, &mut dout);
                (out, dout)
            },
            |p, c| {
                let mut out = vec![f64::NAN; n];
                let mut cb = c.to_vec();
                let (tb, yb): (f64, Vec<f64>) = $vjp(p[0], &p[1..], &mut out, &mut cb);
                // Every element is written before it is read: the initial
                // contents have a zero cotangent.
                assert_eq!(cb, vec![0.0; n], "cotangent of the initial contents");
                (out, [vec![tb], yb].concat())
            },
            1e-8,
        )
    }};
}

#[test]
fn ode_rhs_with_mut_output_lotka_volterra() {
    for p in [[0.3, 10.0, 5.0], [2.0, 0.5, 3.0]] {
        let j = check_rhs!(lotka_volterra, lotka_volterra_jvp, lotka_volterra_vjp, p);
        let what = format!("lotka_volterra Jacobian at {p:?}");
        assert_jacobians_close(&what, &j, &hand::lotka_volterra_jacobian(&p), 1e-14, 1e-14);
    }
}

#[test]
fn ode_rhs_with_mut_output_in_a_loop() {
    let p = [0.7, 1.0, -0.5, 2.0, 0.25];
    let j = check_rhs!(decay_chain, decay_chain_jvp, decay_chain_vjp, p);
    assert_jacobians_close(
        &format!("decay_chain Jacobian at {p:?}"),
        &j,
        &hand::decay_chain_jacobian(&p),
        1e-14,
        1e-14,
    );
}

#[test]
fn ode_rhs_vjp_writes_the_primal_and_jvp_the_tangent() {
    let (t, y) = (0.3, [10.0, 5.0]);
    let mut expected = [0.0; 2];
    lotka_volterra(t, &y, &mut expected);
    let mut out = [f64::NAN; 2];
    let (tb, yb) = lotka_volterra_vjp(t, &y, &mut out, &mut [0.0, 0.0]);
    assert_eq!(
        out, expected,
        "lotka_volterra_vjp primal at t = {t}, y = {y:?}"
    );
    assert_eq!(
        (tb, yb),
        (0.0, vec![0.0, 0.0]),
        "lotka_volterra_vjp with a zero seed"
    );
    let (mut out, mut dout) = ([f64::NAN; 2], [f64::NAN; 2]);
    lotka_volterra_jvp(t, 0.0, &y, &[0.0, 1.0], &mut out, &mut dout);
    assert_eq!(
        out, expected,
        "lotka_volterra_jvp primal at t = {t}, y = {y:?}"
    );
    // d/dy1 = (-beta y0, delta y0 - gamma) = (-4, 0.6)
    close_all("lotka_volterra_jvp along y1", &dout, &[-4.0, 0.6], 1e-14);
}

// ----- hand-derived references ------------------------------------------------

/// Jacobians derived by hand, independent of the macro.
mod hand {
    /// Rows r_i; columns x_0..x_(n-1), y.
    pub fn residuals_jacobian(x: &[f64], _y: f64) -> Vec<Vec<f64>> {
        let n = x.len();
        let mut j = vec![vec![0.0; n + 1]; n];
        for i in 0..n {
            j[i][i] = 2.0 * x[i];
            if i > 0 {
                j[i][i] += x[i - 1];
                j[i][i - 1] = x[i];
            }
            j[i][n] = -(i as f64);
        }
        j
    }

    /// Columns t, y0, y1.
    pub fn lotka_volterra_jacobian(p: &[f64]) -> Vec<Vec<f64>> {
        let (alpha, beta, gamma, delta) = (1.1, 0.4, 0.4, 0.1);
        let (t, y0, y1) = (p[0], p[1], p[2]);
        let growth = alpha * (1.0 + 0.2 * t.sin());
        vec![
            vec![alpha * 0.2 * t.cos() * y0, growth - beta * y1, -beta * y0],
            vec![0.0, delta * y1, delta * y0 - gamma],
        ]
    }

    /// Columns t, y_0..y_(n-1).
    pub fn decay_chain_jacobian(p: &[f64]) -> Vec<Vec<f64>> {
        let n = p.len() - 1;
        let mut j = vec![vec![0.0; n + 1]; n];
        j[0][0] = -(-p[0]).exp();
        for i in 0..n {
            j[i][i + 1] = -(1.0 + i as f64);
            if i > 0 {
                j[i][i] = i as f64;
            }
        }
        j
    }
}
