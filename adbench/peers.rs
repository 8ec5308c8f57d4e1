//! What the peer benchmarks of the MLP loss, BA and LSTM share
//! (`benches/{mlp,ba,lstm}.rs`): a [`Scalar`] trait over which each
//! objective is written once, implemented for `f64` (the same loops as a
//! primal), `num_dual::Dual64` (forward mode, one directional derivative per
//! pass) and `reverse::Var` (a tape recorded by operator overloading), and
//! the two ways of getting a gradient from them.
//!
//! Only operators with the scalar on the left are used (`a * 2.0`, never
//! `2.0 * a`), the ones both crates implement.
//!
//! A plain module file, included with `#[path = "../adbench/peers.rs"] mod
//! peers;` by the benchmarks; the objectives (`models/mlp_peers.rs`,
//! `adbench/ba_peers.rs`, `adbench/lstm_peers.rs`) use it as `super::peers`.
// Each includer uses a part of it.
#![allow(dead_code)]

use num_dual::{Dual64, DualNum};
use reverse::{Gradient, Tape, Var};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// What the objectives need of their scalar type.
pub trait Scalar:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// The value (for branches, and for constants such as a softmax's shift).
    fn value(self) -> f64;
    /// A constant of the same kind (on the same tape).
    fn constant(self, value: f64) -> Self;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn tanh(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn recip(self) -> Self;
}

impl Scalar for f64 {
    fn value(self) -> f64 {
        self
    }
    fn constant(self, value: f64) -> Self {
        value
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn tanh(self) -> Self {
        f64::tanh(self)
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    fn sin(self) -> Self {
        f64::sin(self)
    }
    fn cos(self) -> Self {
        f64::cos(self)
    }
    fn recip(self) -> Self {
        f64::recip(self)
    }
}

impl Scalar for Dual64 {
    fn value(self) -> f64 {
        self.re
    }
    fn constant(self, value: f64) -> Self {
        Dual64::from_re(value)
    }
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    fn ln(self) -> Self {
        DualNum::ln(&self)
    }
    fn tanh(self) -> Self {
        DualNum::tanh(&self)
    }
    fn sqrt(self) -> Self {
        DualNum::sqrt(&self)
    }
    fn sin(self) -> Self {
        DualNum::sin(&self)
    }
    fn cos(self) -> Self {
        DualNum::cos(&self)
    }
    fn recip(self) -> Self {
        DualNum::recip(&self)
    }
}

impl<'a> Scalar for Var<'a> {
    fn value(self) -> f64 {
        self.val
    }
    /// A new variable on the tape, not among the ones differentiated for.
    fn constant(self, value: f64) -> Self {
        self.tape.add_var(value)
    }
    fn exp(self) -> Self {
        Var::exp(&self)
    }
    fn ln(self) -> Self {
        Var::ln(&self)
    }
    fn tanh(self) -> Self {
        Var::tanh(&self)
    }
    fn sqrt(self) -> Self {
        Var::sqrt(&self)
    }
    fn sin(self) -> Self {
        Var::sin(&self)
    }
    fn cos(self) -> Self {
        Var::cos(&self)
    }
    fn recip(self) -> Self {
        Var::recip(&self)
    }
}

/// Value and gradient of `f` at `theta` from the `reverse` crate: record on
/// `tape` (cleared first, its storage kept), then one backward sweep.
pub fn grad_reverse(
    tape: &Tape,
    theta: &[f64],
    f: impl for<'a> Fn(&[Var<'a>]) -> Var<'a>,
) -> (f64, Vec<f64>) {
    tape.clear();
    let vars = tape.add_vars(theta);
    let y = f(&vars);
    (y.val, y.grad().wrt(&vars))
}

/// `theta` as dual numbers with the tangent `e_i`: the input of one forward
/// pass giving the derivative along parameter `i`.
pub fn seeded(theta: &[f64], i: usize) -> Vec<Dual64> {
    let mut duals: Vec<Dual64> = theta.iter().map(|&v| Dual64::from_re(v)).collect();
    duals[i] = Dual64::new(theta[i], 1.0);
    duals
}

/// Value and gradient of `f` at `theta` from `theta.len()` forward passes
/// with `Dual64`, each seeding one parameter; `work` holds the duals.
pub fn grad_num_dual(
    work: &mut Vec<Dual64>,
    theta: &[f64],
    f: impl Fn(&[Dual64]) -> Dual64,
) -> (f64, Vec<f64>) {
    work.clear();
    work.extend(theta.iter().map(|&v| Dual64::from_re(v)));
    let mut g = vec![0.0; theta.len()];
    let mut value = 0.0;
    for i in 0..theta.len() {
        work[i] = Dual64::new(theta[i], 1.0);
        let y = f(work);
        work[i] = Dual64::from_re(theta[i]);
        value = y.re;
        g[i] = y.eps;
    }
    (value, g)
}

/// Panics unless `got` equals `want` to `rel` relative to `want`'s largest
/// entry (in absolute value).
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= rel * scale,
            "{what}: entry {i}: {a} against {b} (tolerance {rel} x {scale})"
        );
    }
}
