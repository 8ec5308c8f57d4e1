//! ADBench's GMM objective over other scalar types, for the peer benchmarks
//! (`benches/gmm.rs`): `num_dual::Dual64` (forward mode, one direction per
//! pass) and `reverse::Var` (a tape recorded by operator overloading). The
//! operations of `gmm_objective` in `adbench/gmm.rs`, written with the
//! operators both types have (`a * -1.0 + b` for `b - a` with `b` a number,
//! and the last sums in another order: equal to rounding).
// Each includer uses a part of it.
// The loops mirror `gmm_objective` index for index.
#![allow(dead_code, clippy::needless_range_loop)]

use super::gmm;
use num_dual::{Dual64, DualNum};
use reverse::{Gradient, Tape, Var};
use std::ops::{Add, Mul, Sub};

/// What the objective needs of its scalar type.
pub trait Scalar:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Add<f64, Output = Self>
    + Mul<f64, Output = Self>
{
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    /// The larger of the two (as `f64::max` for numbers).
    fn max(self, other: Self) -> Self;
    /// A constant of the same kind (on the same tape).
    fn constant(self, value: f64) -> Self;
}

impl Scalar for Dual64 {
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    fn ln(self) -> Self {
        DualNum::ln(&self)
    }
    fn max(self, other: Self) -> Self {
        if other.re > self.re {
            other
        } else {
            self
        }
    }
    fn constant(self, value: f64) -> Self {
        Dual64::from_re(value)
    }
}

impl<'a> Scalar for Var<'a> {
    fn exp(self) -> Self {
        Var::exp(&self)
    }
    fn ln(self) -> Self {
        Var::ln(&self)
    }
    fn max(self, other: Self) -> Self {
        if other.val > self.val {
            other
        } else {
            self
        }
    }
    fn constant(self, value: f64) -> Self {
        self * 0.0 + value
    }
}

/// `gmm_objective` over any [`Scalar`].
#[allow(clippy::too_many_arguments)]
pub fn gmm_objective_generic<T: Scalar>(
    theta: &[T],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    wishart_gamma: f64,
    wishart_m: f64,
) -> T {
    let zero = theta[0].constant(0.0);
    let icf_sz = d * (d + 1) / 2;
    let mo = k;
    let io = k + k * d;
    let constant = -((n * d) as f64) * 0.5 * (2.0 * gmm::ADBENCH_PI).ln();

    let mut qdiags = vec![zero; d * k];
    let mut sum_qs = vec![zero; k];
    for ik in 0..k {
        for id in 0..d {
            let q = theta[io + ik * icf_sz + id];
            sum_qs[ik] = sum_qs[ik] + q;
            qdiags[ik * d + id] = q.exp();
        }
    }

    let mut xcentered = vec![zero; d];
    let mut qxcentered = vec![zero; d];
    let mut main_term = vec![zero; k];
    let mut slse = zero;
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xcentered[id] = theta[mo + ik * d + id] * -1.0 + x[ix * d + id];
            }
            for id in 0..d {
                qxcentered[id] = qdiags[ik * d + id] * xcentered[id];
            }
            let mut lparamsidx = io + ik * icf_sz + d;
            for i in 0..d {
                for j in i + 1..d {
                    qxcentered[j] = qxcentered[j] + theta[lparamsidx] * xcentered[i];
                    lparamsidx += 1;
                }
            }
            let mut sqnorm = zero;
            for id in 0..d {
                sqnorm = sqnorm + qxcentered[id] * qxcentered[id];
            }
            main_term[ik] = theta[ik] + sum_qs[ik] - sqnorm * 0.5;
        }
        let mut mx = main_term[0];
        for ik in 1..k {
            mx = mx.max(main_term[ik]);
        }
        let mut semx = zero;
        for ik in 0..k {
            semx = semx + (main_term[ik] - mx).exp();
        }
        slse = slse + semx.ln() + mx;
    }

    let mut amx = theta[0];
    for ik in 1..k {
        amx = amx.max(theta[ik]);
    }
    let mut asemx = zero;
    for ik in 0..k {
        asemx = asemx + (theta[ik] - amx).exp();
    }
    let lse_alphas = asemx.ln() + amx;

    let c = gmm::wishart_constant(d, wishart_gamma, wishart_m);
    let mut prior = zero;
    for ik in 0..k {
        let mut sq_diag = zero;
        for id in 0..d {
            sq_diag = sq_diag + qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        let mut sq_lower = zero;
        for il in d..icf_sz {
            let l = theta[io + ik * icf_sz + il];
            sq_lower = sq_lower + l * l;
        }
        let frobenius = sq_diag + sq_lower;
        prior = prior + frobenius * (0.5 * wishart_gamma * wishart_gamma) + sum_qs[ik] * -wishart_m;
    }
    let prior = prior + -(k as f64) * c;

    let err = slse + lse_alphas * -(n as f64) + constant;
    err + prior
}

/// Value and gradient from `theta.len()` forward passes with `Dual64`, each
/// seeding one parameter; `work` holds the dual parameters.
#[allow(clippy::too_many_arguments)]
pub fn grad_num_dual(
    theta: &[f64],
    work: &mut Vec<Dual64>,
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: f64,
) -> (f64, Vec<f64>) {
    let p = theta.len();
    work.clear();
    work.extend(theta.iter().map(|&v| Dual64::from_re(v)));
    let mut g = vec![0.0; p];
    let mut value = 0.0;
    for i in 0..p {
        work[i] = Dual64::new(theta[i], 1.0);
        let f = gmm_objective_generic(work, x, d, k, n, gamma, m);
        work[i] = Dual64::from_re(theta[i]);
        value = f.re;
        g[i] = f.eps;
    }
    (value, g)
}

/// One forward pass with `Dual64` along the parameter `i`.
#[allow(clippy::too_many_arguments)]
pub fn pass_num_dual(
    theta: &[Dual64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: f64,
) -> Dual64 {
    gmm_objective_generic(theta, x, d, k, n, gamma, m)
}

/// Value and gradient from the `reverse` crate: record on `tape` (cleared
/// first, its storage kept), then sweep it backwards.
#[allow(clippy::too_many_arguments)]
pub fn grad_reverse(
    theta: &[f64],
    tape: &Tape,
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: f64,
) -> (f64, Vec<f64>) {
    tape.clear();
    let vars = tape.add_vars(theta);
    let f = gmm_objective_generic(&vars, x, d, k, n, gamma, m);
    (f.val(), f.grad().wrt(&vars))
}
