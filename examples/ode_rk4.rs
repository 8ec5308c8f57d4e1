//! Fitting an ODE's parameters: Lotka-Volterra predator-prey dynamics
//! integrated by classical Runge-Kutta (RK4), written as numeric Rust is
//! usually written, with the rates in a struct (`#[derive(ad::Differentiable)]`),
//! a right-hand side `rhs(t, y, p, dydt)` that fills a buffer and an
//! `rk4_step` helper over slices. `#[differentiate]` gives the gradient of
//! the misfit with respect to the rates (a `Rates`) through both helpers,
//! checked here against finite differences, and a damped Newton
//! (Levenberg) on Hessians built from `_hvp` recovers the rates from noisy
//! observations.
//!
//! Run: `cargo run --release --example ode_rk4`

use ad::check::check_gradient;
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};
use ad::Differentiable;

/// The rates of Lotka-Volterra: prey growth `a`, predation `b`, predator
/// death `c`, predator growth `d`.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Rates {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
}

/// dy/dt of Lotka-Volterra: prey y0, predators y1.
#[differentiate(wrt(y, p))]
fn rhs(t: f64, y: &[f64], p: &Rates, dydt: &mut [f64]) {
    let _ = t;
    dydt[0] = p.a * y[0] - p.b * y[0] * y[1];
    dydt[1] = p.d * y[0] * y[1] - p.c * y[1];
}

/// One RK4 step of size `h` from `y` at time `t`.
#[differentiate(wrt(y, p))]
fn rk4_step(t: f64, y: &[f64], p: &Rates, h: f64) -> Vec<f64> {
    let n = y.len();
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut tmp = vec![0.0; n];
    rhs(t, y, p, &mut k1);
    for i in 0..n {
        tmp[i] = y[i] + 0.5 * h * k1[i];
    }
    rhs(t + 0.5 * h, &tmp, p, &mut k2);
    for i in 0..n {
        tmp[i] = y[i] + 0.5 * h * k2[i];
    }
    rhs(t + 0.5 * h, &tmp, p, &mut k3);
    for i in 0..n {
        tmp[i] = y[i] + h * k3[i];
    }
    rhs(t + h, &tmp, p, &mut k4);
    let mut next = vec![0.0; n];
    for i in 0..n {
        next[i] = y[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    next
}

/// Half the squared misfit between the trajectory from `y0` with rates `p`
/// and observations of both species every `every` steps of size `h`.
#[differentiate(wrt(p))]
fn misfit(p: &Rates, y0: &[f64], observed: &[f64], every: usize, h: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut loss = 0.0;
    let mut t = 0.0;
    for k in 0..observed.len() / 2 {
        for _ in 0..every {
            y = rk4_step(t, &y, p, h);
            t += h;
        }
        let e0 = y[0] - observed[2 * k];
        let e1 = y[1] - observed[2 * k + 1];
        loss += 0.5 * (e0 * e0 + e1 * e1);
    }
    loss
}

/// Observations of the true system, with a little deterministic noise.
fn observations(p: &Rates, y0: &[f64], count: usize, every: usize, h: f64) -> Vec<f64> {
    let mut y = y0.to_vec();
    let mut t = 0.0;
    let mut out = Vec::with_capacity(2 * count);
    for k in 0..count {
        for _ in 0..every {
            y = rk4_step(t, &y, p, h);
            t += h;
        }
        let noise = 0.01 * ((k as f64) * 1.7).sin();
        out.extend([y[0] * (1.0 + noise), y[1] * (1.0 - noise)]);
    }
    out
}

fn main() {
    let truth = Rates {
        a: 1.1,
        b: 0.4,
        c: 0.4,
        d: 0.1,
    };
    let y0 = [10.0, 5.0];
    let (every, h) = (10, 0.02);
    let observed = observations(&truth, &y0, 60, every, h);

    // The gradient through both helpers, a `Rates`, against finite
    // differences (through the struct's flat view).
    let start = Rates {
        a: 0.9,
        b: 0.5,
        c: 0.5,
        d: 0.12,
    };
    let at = |xs: &[f64]| {
        let mut p = start.clone();
        p.copy_from_flat(xs);
        p
    };
    let (value, grad) = misfit_grad(&start, &y0, &observed, every, h);
    check_gradient(
        |xs| misfit(&at(xs), &y0, &observed, every, h),
        &start.to_flat(),
        &grad.to_flat(),
    )
    .assert_close(1e-6, 1e-6);
    println!(
        "misfit at the start: {value:.4}, gradient {grad:.4?} (checked against finite differences)"
    );

    // Damped Newton (Levenberg): the Hessian from four Hessian-vector
    // products (second order through both helpers), the damping halved
    // after a step that lowers the misfit and doubled after one that does not.
    let mut p = start.clone();
    let mut damping = 1.0;
    let (mut value, mut grad) = misfit_grad(&p, &y0, &observed, every, h);
    for _ in 0..50 {
        let hessian = ad::dense::hessian(4, |v| {
            misfit_hvp(&p, &at(v), &y0, &observed, every, h).2.to_flat()
        });
        let h_damped = DMatrix::from_fn(4, 4, |i, j| {
            hessian[i][j]
                + if i == j {
                    damping * hessian[i][i].abs().max(1e-12)
                } else {
                    0.0
                }
        });
        let Some(step) = h_damped.lu().solve(&DVector::from_vec(grad.to_flat())) else {
            damping *= 2.0;
            continue;
        };
        // p - step, through the `Differentiable` trait.
        let mut trial = p.clone();
        trial.axpy(-1.0, &at(step.as_slice()));
        let (v, g) = misfit_grad(&trial, &y0, &observed, every, h);
        if v < value {
            (p, value, grad) = (trial, v, g);
            damping *= 0.5;
        } else {
            damping *= 2.0;
        }
    }
    let at_truth = misfit(&truth, &y0, &observed, every, h);
    println!("fitted rates {p:.4?} (true {truth:?}), misfit {value:.5} ({at_truth:.5} at the true rates)");
    for (fit, t) in p.to_flat().iter().zip(truth.to_flat()) {
        assert!((fit - t).abs() < 0.05 * t, "rate {fit} far from {t}");
    }
}
