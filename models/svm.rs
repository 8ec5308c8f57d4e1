//! The multiclass SVM (hinge) loss of a linear classifier, differentiated by
//! `ad`, and its gradient by hand: the lecture's motivating case, whose
//! gradient by hand needs case analysis. Shared by `examples/svm.rs` and
//! `tests/matrix.rs`.

use ad::differentiate;
use ad::nalgebra::DMatrix;

/// Multiclass SVM loss of the linear scores `W X`: for each example `j` and
/// each wrong class `k`, the margin violation
/// `max(0, s_kj - s_{y_j j} + 1)`, averaged over the examples, plus the L2
/// penalty `reg / 2 |W|^2`.
///
/// `w` is classes x features, `x` features x examples (with a row of ones
/// for a bias). Only `w` is active: `reg` is an `f64` left out of `wrt`, so
/// it is data.
#[differentiate(wrt(w))]
pub fn svm_loss(w: &DMatrix<f64>, x: &DMatrix<f64>, labels: &[usize], reg: f64) -> f64 {
    let scores = w * x;
    let mut loss = 0.0;
    for j in 0..labels.len() {
        let y = labels[j];
        for k in 0..scores.nrows() {
            if k != y {
                let margin = scores[(k, j)] - scores[(y, j)] + 1.0;
                if margin > 0.0 {
                    loss += margin;
                }
            }
        }
    }
    loss / labels.len() as f64 + 0.5 * reg * w.norm_squared()
}

/// The same gradient by hand: each positive margin adds `x_j` to its
/// class's row and subtracts it from the correct class's row.
pub fn svm_grad_by_hand(
    w: &DMatrix<f64>,
    x: &DMatrix<f64>,
    labels: &[usize],
    reg: f64,
) -> DMatrix<f64> {
    let scores = w * x;
    let n = labels.len() as f64;
    // coefficient of x_j^T in each row of the gradient
    let mut coef = DMatrix::<f64>::zeros(scores.nrows(), scores.ncols());
    for (j, &y) in labels.iter().enumerate() {
        for k in 0..scores.nrows() {
            if k != y && scores[(k, j)] - scores[(y, j)] + 1.0 > 0.0 {
                coef[(k, j)] += 1.0 / n;
                coef[(y, j)] -= 1.0 / n;
            }
        }
    }
    coef * x.transpose() + w * reg
}
