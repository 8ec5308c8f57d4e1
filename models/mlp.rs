//! A 2-layer tanh MLP with a softmax cross-entropy loss, differentiated by
//! `ad`, and the same gradient written by hand with the same nalgebra calls
//! (for the benchmark). Shared by `benches/mlp.rs` and `examples/mlp.rs`.

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector, RowDVector};
use ad::nn;

/// Mean cross-entropy of the softmax of `W2 tanh(W1 X + b1) + b2` against
/// the labels; `x` holds one example per column, `ones` is a row of ones of
/// the batch size (to broadcast the biases).
#[differentiate(wrt(w1, b1, w2, b2))]
pub fn mlp_loss(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DMatrix<f64>,
    ones: &RowDVector<f64>,
    labels: &[usize],
) -> f64 {
    let h = nn::tanh(&(w1 * x + b1 * ones));
    let z = w2 * &h + b2 * ones;
    let logp = nn::log_softmax(&z);
    let mut loss = 0.0;
    for j in 0..labels.len() {
        loss -= logp[(labels[j], j)];
    }
    loss / labels.len() as f64
}

/// The network's parameters as a struct: what `wrt(self)` differentiates.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
pub struct Mlp {
    pub w1: DMatrix<f64>,
    pub b1: DVector<f64>,
    pub w2: DMatrix<f64>,
    pub b2: DVector<f64>,
}

/// One affine layer on a batch: `W X + b` (the bias broadcast by `ones`).
#[differentiate]
pub fn layer(
    w: &DMatrix<f64>,
    b: &DVector<f64>,
    x: &DMatrix<f64>,
    ones: &RowDVector<f64>,
) -> DMatrix<f64> {
    w * x + b * ones
}

impl Mlp {
    /// [`mlp_loss`] as a method of the parameters: `m.loss_grad(&x, &ones,
    /// &labels)` returns the gradient as an `Mlp`.
    #[differentiate(wrt(self))]
    pub fn loss(&self, x: &DMatrix<f64>, ones: &RowDVector<f64>, labels: &[usize]) -> f64 {
        let h = nn::tanh(&(&self.w1 * x + &self.b1 * ones));
        let z = &self.w2 * &h + &self.b2 * ones;
        let logp = nn::log_softmax(&z);
        let mut loss = 0.0;
        for j in 0..labels.len() {
            loss -= logp[(labels[j], j)];
        }
        loss / labels.len() as f64
    }

    /// The same with its layers a differentiated helper: what calls of
    /// matrix helpers cost (they run in joint mode, and `layer`'s reverse
    /// mode computes the cotangent of its data argument `x` too).
    #[differentiate(wrt(self))]
    pub fn loss_layered(&self, x: &DMatrix<f64>, ones: &RowDVector<f64>, labels: &[usize]) -> f64 {
        let h = nn::tanh(&layer(&self.w1, &self.b1, x, ones));
        let z = layer(&self.w2, &self.b2, &h, ones);
        let logp = nn::log_softmax(&z);
        let mut loss = 0.0;
        for j in 0..labels.len() {
            loss -= logp[(labels[j], j)];
        }
        loss / labels.len() as f64
    }

    /// The class scores (one column per example).
    pub fn scores(&self, x: &DMatrix<f64>, ones: &RowDVector<f64>) -> DMatrix<f64> {
        mlp_scores(&self.w1, &self.b1, &self.w2, &self.b2, x, ones)
    }
}

/// The class scores `W2 tanh(W1 X + b1) + b2` (one column per example).
pub fn mlp_scores(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DMatrix<f64>,
    ones: &RowDVector<f64>,
) -> DMatrix<f64> {
    let h = nn::tanh(&(w1 * x + b1 * ones));
    w2 * &h + b2 * ones
}

/// The loss and its gradient by hand-written backpropagation: what a careful
/// programmer writes, with the same nalgebra calls.
#[allow(clippy::type_complexity)]
pub fn mlp_grad_by_hand(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DMatrix<f64>,
    ones: &RowDVector<f64>,
    labels: &[usize],
) -> (f64, DMatrix<f64>, DVector<f64>, DMatrix<f64>, DVector<f64>) {
    let n = labels.len() as f64;
    // forward
    let h = nn::tanh(&(w1 * x + b1 * ones));
    let z = w2 * &h + b2 * ones;
    let logp = nn::log_softmax(&z);
    let mut loss = 0.0;
    for (j, &l) in labels.iter().enumerate() {
        loss -= logp[(l, j)];
    }
    // backward: dz = (softmax(z) - onehot) / n
    let mut dz = logp.map(|v| v.exp() / n);
    for (j, &l) in labels.iter().enumerate() {
        dz[(l, j)] -= 1.0 / n;
    }
    let dw2 = &dz * h.transpose();
    let db2 = &dz * ones.transpose();
    let mut da = w2.tr_mul(&dz);
    da.zip_apply(&h, |d, hv| *d *= 1.0 - hv * hv);
    let dw1 = &da * x.transpose();
    let db1 = &da * ones.transpose();
    (loss / n, dw1, db1, dw2, db2)
}
