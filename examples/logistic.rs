//! The lecture's sigmoid neuron as a logistic-regression classifier, trained
//! by gradient descent with the gradient `#[differentiate]` generates.
//!
//! Run: `cargo run --release --example logistic`

use ad::differentiate;

/// Cross-entropy loss of the neuron p = sigmoid(w0 x0 + w1 x1 + b) on one
/// labelled point, in its numerically stable form
/// `ln(1 + e^z) - label z = max(z, 0) + ln(1 + e^-|z|) - label z`.
///
/// The data (`x0`, `x1`, `label`) are `f64` too; `wrt` makes only the
/// weights active.
#[differentiate(wrt(w0, w1, b))]
fn point_loss(w0: f64, w1: f64, b: f64, x0: f64, x1: f64, label: f64) -> f64 {
    let z = w0 * x0 + w1 * x1 + b;
    z.max(0.0) + (-z.abs()).exp().ln_1p() - label * z
}

/// The neuron's prediction.
fn predict(w: [f64; 3], x0: f64, x1: f64) -> f64 {
    1.0 / (1.0 + (-(w[0] * x0 + w[1] * x1 + w[2])).exp())
}

/// Two Gaussian blobs, labelled 0 and 1, from a fixed seed.
fn data(n: usize) -> Vec<(f64, f64, f64)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            // Box-Muller
            let (u, v) = (uniform().max(1e-300), uniform());
            let r = (-2.0 * u.ln()).sqrt();
            let (g0, g1) = (
                r * (std::f64::consts::TAU * v).cos(),
                r * (std::f64::consts::TAU * v).sin(),
            );
            let label = (i % 2) as f64;
            let centre = if label == 1.0 {
                (1.0, 1.5)
            } else {
                (-1.0, -0.5)
            };
            (centre.0 + 0.8 * g0, centre.1 + 0.8 * g1, label)
        })
        .collect()
}

fn main() {
    let points = data(200);
    let n = points.len() as f64;
    let mut w = [0.0, 0.0, 0.0];
    let rate = 0.5;
    println!("epoch      loss   accuracy");
    for epoch in 0..=40 {
        let (mut loss, mut grad) = (0.0, [0.0; 3]);
        for &(x0, x1, label) in &points {
            let (l, g0, g1, gb) = point_loss_grad(w[0], w[1], w[2], x0, x1, label);
            loss += l / n;
            grad[0] += g0 / n;
            grad[1] += g1 / n;
            grad[2] += gb / n;
        }
        let correct = points
            .iter()
            .filter(|&&(x0, x1, label)| (predict(w, x0, x1) > 0.5) == (label == 1.0))
            .count();
        if epoch % 5 == 0 {
            println!("{epoch:5} {loss:9.5} {:9.1}%", 100.0 * correct as f64 / n);
        }
        for (wi, gi) in w.iter_mut().zip(grad) {
            *wi -= rate * gi;
        }
    }
    println!(
        "weights: w0 = {:.4}, w1 = {:.4}, b = {:.4}",
        w[0], w[1], w[2]
    );

    // The generated gradient agrees with finite differences of the loss.
    let (x0, x1, label) = points[0];
    let (_, g0, g1, gb) = point_loss_grad(w[0], w[1], w[2], x0, x1, label);
    let report = ad::check::check_gradient(
        |p: &[f64]| point_loss(p[0], p[1], p[2], x0, x1, label),
        &w,
        &[g0, g1, gb],
    );
    println!("gradient check against finite differences: {report}");
    report.assert_close(1e-8, 1e-8);
}
