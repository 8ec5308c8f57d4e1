//! ADBench's "Manual" GMM gradient: the derivative of `gmm_objective`
//! (`adbench/gmm.rs`) written by hand, after the structure of ADBench's C++
//! `gmm_objective_d` (`src/cpp/modules/manual/gmm_d.cpp` of microsoft/ADBench):
//! per point, the centred point, `Q_k (x_i - mu_k)` and the main term of every
//! component, their log-sum-exp, and that point's contribution to the gradient
//! at once; then the alphas' log-sum-exp and the Wishart prior.
//!
//! The baseline `#[differentiate]`'s generated `gmm_objective_grad` is
//! measured against (`benches/gmm.rs`, `examples/gmm.rs`).
//!
//! A plain module file, included through
//! `#[path = "../adbench/gmm_manual.rs"] mod gmm_manual;` next to
//! `adbench/gmm.rs` (declared as `mod gmm;`).
// Each includer uses a part of it.
// The loops index several buffers with the same index, as the objective does.
#![allow(dead_code, clippy::needless_range_loop)]

use super::gmm;

/// The objective of `gmm::gmm_objective` and its gradient with respect to
/// `theta = [alphas (k), means (k d), icf (k d(d+1)/2)]`, written into `grad`
/// (same layout, overwritten). Returns the objective.
///
/// With `Q_k = diag(exp(q_k)) + L_k`, `c = x_i - mu_k`, `z = Q_k c` and
/// `w_ik` the softmax over `k` of the main terms
/// `alpha_k + sum(q_k) - 0.5 |z|^2`, point `i` adds `w_ik` times
///
/// ```text
/// d/d alpha_k = 1
/// d/d mu_k    = Q_k^T z
/// d/d q_kj    = 1 - z_j exp(q_kj) c_j
/// d/d L_k[r][s] (r > s) = -z_r c_s
/// ```
///
/// then `-n softmax(alphas)` for the alphas, and the prior's
/// `gamma^2 exp(2 q_kj) - m` and `gamma^2 l`.
///
/// Scratch buffers are allocated once per call (`O(k d)`); the loops do not
/// allocate. The value is computed with the objective's operations in its
/// order.
#[allow(clippy::too_many_arguments)]
pub fn gmm_objective_grad_manual(
    theta: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    wishart_gamma: f64,
    wishart_m: f64,
    grad: &mut [f64],
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    assert!(k >= 1, "gmm_objective_grad_manual: k = 0");
    assert_eq!(theta.len(), k + k * d + k * icf_sz, "theta's length");
    assert_eq!(grad.len(), theta.len(), "grad's length");
    assert!(x.len() >= n * d, "x holds fewer than n points");

    let (alphas, rest) = theta.split_at(k);
    let (means, icf) = rest.split_at(k * d);
    let (alphas_d, rest_d) = grad.split_at_mut(k);
    let (means_d, icf_d) = rest_d.split_at_mut(k * d);
    alphas_d.fill(0.0);
    means_d.fill(0.0);
    icf_d.fill(0.0);

    let constant = -((n * d) as f64) * 0.5 * (2.0 * gmm::ADBENCH_PI).ln();

    // preprocess_qs: the diagonals exp(q_k) and the sums of q_k.
    let mut qdiags = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        let q = &icf[ik * icf_sz..ik * icf_sz + d];
        let qdiag = &mut qdiags[ik * d..(ik + 1) * d];
        for id in 0..d {
            sum_qs[ik] += q[id];
            qdiag[id] = q[id].exp();
        }
    }

    // Per point, for every component: x_i - mu_k, Q_k (x_i - mu_k), and the
    // main term (later its softmax weight).
    let mut xcentered = vec![0.0; k * d];
    let mut qxcentered = vec![0.0; k * d];
    let mut main_term = vec![0.0; k];

    let mut slse = 0.0;
    for ix in 0..n {
        let xi = &x[ix * d..(ix + 1) * d];
        // Forward: the main terms.
        for ik in 0..k {
            let mean = &means[ik * d..(ik + 1) * d];
            let qdiag = &qdiags[ik * d..(ik + 1) * d];
            let lower = &icf[ik * icf_sz + d..(ik + 1) * icf_sz];
            let xc = &mut xcentered[ik * d..(ik + 1) * d];
            let qxc = &mut qxcentered[ik * d..(ik + 1) * d];
            for id in 0..d {
                xc[id] = xi[id] - mean[id];
            }
            for id in 0..d {
                qxc[id] = qdiag[id] * xc[id];
            }
            let mut li = 0;
            for i in 0..d {
                for j in i + 1..d {
                    qxc[j] += lower[li] * xc[i];
                    li += 1;
                }
            }
            let mut sqnorm = 0.0;
            for id in 0..d {
                sqnorm += qxc[id] * qxc[id];
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sqnorm;
        }

        // log-sum-exp, and the softmax weights in place of the main terms.
        let mut mx = main_term[0];
        for ik in 1..k {
            mx = mx.max(main_term[ik]);
        }
        let mut semx = 0.0;
        for ik in 0..k {
            let e = (main_term[ik] - mx).exp();
            main_term[ik] = e;
            semx += e;
        }
        slse += semx.ln() + mx;
        let inv_semx = 1.0 / semx;

        // Backward: this point's contribution, weighted by the softmax.
        for ik in 0..k {
            let w = main_term[ik] * inv_semx;
            let qdiag = &qdiags[ik * d..(ik + 1) * d];
            let lower = &icf[ik * icf_sz + d..(ik + 1) * icf_sz];
            let xc = &xcentered[ik * d..(ik + 1) * d];
            let qxc = &mut qxcentered[ik * d..(ik + 1) * d];
            let mean_d = &mut means_d[ik * d..(ik + 1) * d];
            let (q_d, lower_d) = icf_d[ik * icf_sz..(ik + 1) * icf_sz].split_at_mut(d);
            alphas_d[ik] += w;
            // z scaled by the weight, in place.
            for id in 0..d {
                qxc[id] *= w;
            }
            // Diagonal: the mean gets diag(Q)^T (w z); q gets w (1 - z exp(q) c).
            for id in 0..d {
                let wz_qdiag = qxc[id] * qdiag[id];
                mean_d[id] += wz_qdiag;
                q_d[id] += w - wz_qdiag * xc[id];
            }
            // Strictly lower part, in the objective's order: L_k[j][i] (j > i).
            let mut li = 0;
            for i in 0..d {
                let xc_i = xc[i];
                let mut mean_i = 0.0;
                for j in i + 1..d {
                    mean_i += lower[li] * qxc[j];
                    lower_d[li] -= qxc[j] * xc_i;
                    li += 1;
                }
                mean_d[i] += mean_i;
            }
        }
    }

    // - n logsumexp(alphas): value and -n softmax(alphas).
    let mut amx = alphas[0];
    for ik in 1..k {
        amx = amx.max(alphas[ik]);
    }
    let mut asemx = 0.0;
    for ik in 0..k {
        asemx += (alphas[ik] - amx).exp();
    }
    let lse_alphas = asemx.ln() + amx;
    let scale = n as f64 / asemx;
    for ik in 0..k {
        alphas_d[ik] -= scale * (alphas[ik] - amx).exp();
    }

    // The Wishart prior: value (the objective's sums in its order) and gradient.
    let gamma2 = wishart_gamma * wishart_gamma;
    let c = gmm::wishart_constant(d, wishart_gamma, wishart_m);
    let mut prior = 0.0;
    for ik in 0..k {
        let qdiag = &qdiags[ik * d..(ik + 1) * d];
        let lower = &icf[ik * icf_sz + d..(ik + 1) * icf_sz];
        let (q_d, lower_d) = icf_d[ik * icf_sz..(ik + 1) * icf_sz].split_at_mut(d);
        let mut sq_diag = 0.0;
        for id in 0..d {
            sq_diag += qdiag[id] * qdiag[id];
            q_d[id] += gamma2 * qdiag[id] * qdiag[id] - wishart_m;
        }
        let mut sq_lower = 0.0;
        for il in 0..lower.len() {
            sq_lower += lower[il] * lower[il];
            lower_d[il] += gamma2 * lower[il];
        }
        let frobenius = sq_diag + sq_lower;
        prior = prior + 0.5 * wishart_gamma * wishart_gamma * frobenius - wishart_m * sum_qs[ik];
    }
    let prior = prior - k as f64 * c;

    let err = constant + slse - n as f64 * lse_alphas;
    err + prior
}
