//! ADBench's GMM objective over the peers' scalar types ([`Scalar`] of
//! `adbench/peers.rs`: `num_dual::Dual64`, forward mode, one direction per
//! pass, and `reverse::Var`, a tape recorded by operator overloading), for
//! the peer benchmarks (`benches/gmm.rs`). ADBench's order of operations
//! (`gmm.h`: per point, arrays of the centred point, `Q x` and the main
//! terms, then maximum and sum; not the single-pass form `gmm_objective` of
//! `adbench/gmm.rs` is written in), with the operators both types have
//! (`a * -1.0 + b` for `b - a` with `b` a number, and the last sums in
//! another order: equal to rounding).
// Each includer uses a part of it.
// The loops follow ADBench's C++ index for index.
#![allow(dead_code, clippy::needless_range_loop)]

use super::gmm;
use super::peers::Scalar;

/// The larger of the two by value (as `f64::max` for numbers).
fn larger<T: Scalar>(a: T, b: T) -> T {
    if b.value() > a.value() {
        b
    } else {
        a
    }
}

/// ADBench's `gmm_objective` over any [`Scalar`].
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
            mx = larger(mx, main_term[ik]);
        }
        let mut semx = zero;
        for ik in 0..k {
            semx = semx + (main_term[ik] - mx).exp();
        }
        slse = slse + semx.ln() + mx;
    }

    let mut amx = theta[0];
    for ik in 1..k {
        amx = larger(amx, theta[ik]);
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
