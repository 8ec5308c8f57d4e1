//! A linear classifier trained with the multiclass SVM (hinge) loss: the
//! lecture's motivating case for automatic differentiation. The hinge loss's
//! gradient by hand needs case analysis (which margins are positive, and the
//! correct class's row gets minus their count: `svm_grad_by_hand` in
//! `models/svm.rs`); here it is one attribute on the loss as one would write
//! it.
//!
//! Run: `cargo run --release --example svm`

#[path = "../models/svm.rs"]
mod svm;

use ad::nalgebra::DMatrix;
use svm::{svm_grad_by_hand, svm_loss, svm_loss_grad};

/// A tiny deterministic generator (Knuth's MMIX LCG), uniform in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Three Gaussian blobs in the plane, `per_class` points each, as a
/// 3 x n matrix (x0, x1, 1) and the labels.
fn blobs(per_class: usize, rng: &mut Lcg) -> (DMatrix<f64>, Vec<usize>) {
    let centres = [(0.0, 2.0), (-2.0, -1.0), (2.0, -1.0)];
    let n = centres.len() * per_class;
    let mut x = DMatrix::from_element(3, n, 1.0);
    let mut labels = Vec::with_capacity(n);
    for j in 0..n {
        let class = j % centres.len();
        let (cx, cy) = centres[class];
        x[(0, j)] = cx + 0.7 * rng.normal();
        x[(1, j)] = cy + 0.7 * rng.normal();
        labels.push(class);
    }
    (x, labels)
}

/// Fraction of the columns of `x` whose highest score is the label's.
fn accuracy(w: &DMatrix<f64>, x: &DMatrix<f64>, labels: &[usize]) -> f64 {
    let scores = w * x;
    let correct = labels
        .iter()
        .enumerate()
        .filter(|&(j, &y)| scores.column(j).argmax().0 == y)
        .count();
    correct as f64 / labels.len() as f64
}

fn main() {
    let mut rng = Lcg(1);
    let (x, labels) = blobs(100, &mut rng);
    let reg = 1e-3;
    let mut w = DMatrix::from_fn(3, 3, |_, _| 0.01 * rng.normal());

    // The generated gradient against central differences at the start.
    let (_, grad) = svm_loss_grad(&w, &x, &labels, reg);
    let report = ad::check::check_gradient(
        |p: &[f64]| svm_loss(&DMatrix::from_column_slice(3, 3, p), &x, &labels, reg),
        w.as_slice(),
        grad.as_slice(),
    );
    println!("gradient check against finite differences: {report}");
    report.assert_close(1e-7, 1e-7);
    let by_hand = svm_grad_by_hand(&w, &x, &labels, reg);
    let diff = (&grad - &by_hand).amax();
    println!("largest difference from the gradient by hand: {diff:.2e}");
    assert!(diff < 1e-12);

    let rate = 0.1;
    println!("epoch      loss   accuracy");
    for epoch in 0..=100 {
        let (loss, grad) = svm_loss_grad(&w, &x, &labels, reg);
        if epoch % 10 == 0 {
            println!(
                "{epoch:5} {loss:9.5} {:9.1}%",
                100.0 * accuracy(&w, &x, &labels)
            );
        }
        w -= grad * rate;
    }
    let acc = accuracy(&w, &x, &labels);
    println!("final training accuracy: {:.1}%", 100.0 * acc);
    println!("weights (rows: classes; columns: x0, x1, bias):{w:.4}");
    assert!(acc > 0.9, "accuracy {acc} too low");
}
