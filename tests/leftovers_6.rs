//! Issue 18, what a new user hit (second sweep): a local closure whose
//! body is a bare compound assignment (`|v| acc += v * v`, valid Rust: the
//! closure returns `()`), called in a loop.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`,
//! `_jvp` and `_hvp` against finite differences (`flat::check_all`).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 4] = [0.7, -1.3, 0.4, 2.1];
const T: [f64; 4] = [0.3, 0.9, -0.5, 0.2];

/// `f_hvp` of a function of a slice.
type Hvp = fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>);

/// `f(x: &[f64]) -> f64` in every mode at `X`.
fn every_mode(
    what: &str,
    f: fn(&[f64]) -> f64,
    jvp: fn(&[f64], &[f64]) -> (f64, f64),
    vjp: fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: fn(&[f64]) -> (f64, Vec<f64>),
    hvp: Hvp,
) {
    common::agree(what, &X, f, jvp, vjp, 1e-7);
    check_all(what, &X, &T, f, grad, jvp, hvp);
}

/// The function: `|v: f64| acc += v * v`, without braces.
#[differentiate]
fn total(x: &[f64]) -> f64 {
    let mut acc = 0.0;
    let mut add = |v: f64| acc += v * v;
    for i in 0..x.len() {
        add(x[i]);
    }
    acc
}

/// `*=` and a plain assignment as bare closure bodies.
#[differentiate]
fn scaled(x: &[f64]) -> f64 {
    let mut p = 1.0;
    let mut last = 0.0;
    let mut mul = |v: f64| p *= v.cos() + 2.0;
    for i in 0..x.len() {
        mul(x[i]);
    }
    let mut set = |v: f64| last = v * p;
    set(x[0]);
    p + last
}

#[test]
fn closures_with_a_bare_compound_assignment() {
    every_mode("total", total, total_jvp, total_vjp, total_grad, total_hvp);
    every_mode(
        "scaled",
        scaled,
        scaled_jvp,
        scaled_vjp,
        scaled_grad,
        scaled_hvp,
    );
}
