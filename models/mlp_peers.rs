//! The MLP loss of `models/mlp.rs` written as scalar loops over any
//! [`Scalar`] (`f64`, `num_dual::Dual64`, `reverse::Var`), for the peer
//! benchmarks (`benches/mlp.rs`, group `mlp_peers`): a tape or dual numbers
//! need the loss as operations on scalars, not on nalgebra matrices.
//!
//! The parameters are one slice, `theta = [W1 (hidden x d), b1 (hidden),
//! W2 (classes x hidden), b2 (classes)]`, matrices column by column (as
//! nalgebra stores them), so `ad`'s four gradients concatenated compare
//! entry by entry.
#![allow(dead_code)]

use super::peers::Scalar;

/// Layer widths: inputs, hidden units, classes.
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    pub d: usize,
    pub hidden: usize,
    pub classes: usize,
}

impl Dims {
    /// Number of parameters.
    pub fn params(&self) -> usize {
        self.hidden * self.d + self.hidden + self.classes * self.hidden + self.classes
    }
}

/// The mean over the batch of `logsumexp(z) - z[label]`, `z = W2 tanh(W1 x
/// + b1) + b2`: `mlp_loss`'s softmax cross-entropy. `x` holds one example
/// per column (`d x batch`, column by column), one label per example.
pub fn mlp_loss_generic<T: Scalar>(theta: &[T], x: &[f64], labels: &[usize], dims: Dims) -> T {
    let Dims { d, hidden, classes } = dims;
    let (w1, rest) = theta.split_at(hidden * d);
    let (b1, rest) = rest.split_at(hidden);
    let (w2, b2) = rest.split_at(classes * hidden);
    let mut h: Vec<T> = Vec::with_capacity(hidden);
    let mut z: Vec<T> = Vec::with_capacity(classes);
    let mut loss = theta[0].constant(0.0);
    for (j, &label) in labels.iter().enumerate() {
        let xj = &x[j * d..(j + 1) * d];
        // h = tanh(W1 x + b1), W1 walked column by column.
        h.clear();
        h.extend_from_slice(b1);
        for (i, &xi) in xj.iter().enumerate() {
            let column = &w1[i * hidden..(i + 1) * hidden];
            for (hk, &w) in h.iter_mut().zip(column) {
                *hk = *hk + w * xi;
            }
        }
        for hk in h.iter_mut() {
            *hk = hk.tanh();
        }
        // z = W2 h + b2.
        z.clear();
        z.extend_from_slice(b2);
        for (k, &hk) in h.iter().enumerate() {
            let column = &w2[k * classes..(k + 1) * classes];
            for (zc, &w) in z.iter_mut().zip(column) {
                *zc = *zc + w * hk;
            }
        }
        // logsumexp, shifted by the largest score's value (a constant: the
        // shift cancels in the derivative).
        let shift = z.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.value()));
        let mut sum = (z[0] - shift).exp();
        for &zc in &z[1..] {
            sum = sum + (zc - shift).exp();
        }
        loss = loss + (sum.ln() + shift - z[label]);
    }
    loss / labels.len() as f64
}
