//! Extended Rosenbrock over a slice with its hand-written gradient and
//! Hessian-vector product: the second-order benchmarks' problem
//! (`benches/hvp.rs`, `benches/paired.rs`). A plain module file, included
//! with `#[path = "../models/rosenbrock.rs"] mod rosenbrock;`.
#![allow(dead_code)]

use ad::differentiate;

#[differentiate]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// The straightforward hand-written gradient: value and gradient in one loop.
pub fn hand_grad(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    (s, g)
}

/// Value, gradient and Hessian-vector product by hand, in one loop. Term `i`
/// has the 2 x 2 Hessian `[[1200 x_i^2 - 400 x_{i+1} + 2, -400 x_i],
/// [-400 x_i, 200]]` in `(x_i, x_{i+1})`, so `H v` is tridiagonal.
pub fn hand_hvp(x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut hv = vec![0.0; n];
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
        let off = -400.0 * x[i];
        hv[i] += (1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0) * v[i] + off * v[i + 1];
        hv[i + 1] += off * v[i] + 200.0 * v[i + 1];
    }
    (s, g, hv)
}

pub fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.0 + 0.5 * ((i as f64) * 0.37).sin())
        .collect()
}

pub fn direction(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i as f64) * 1.3 + 0.2).cos()).collect()
}
