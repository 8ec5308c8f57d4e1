//! The lecture's "complex primitive": the sigmoid neuron written once through
//! its four nodes (`*`, `exp`, `+`, `1/x`), differentiated node by node, and
//! once with a fused `sigmoid` primitive whose hand-written rule uses the
//! local gradient s (1 - s). Both give the same gradient; the fused rule is
//! called (counted) instead of differentiating through the four nodes.
//!
//! Run: `cargo run --release --example sigmoid_primitive`

use ad::differentiate;
use std::sync::atomic::{AtomicUsize, Ordering};

static RULE_CALLS: AtomicUsize = AtomicUsize::new(0);

/// The primitive; its derivatives are the hand-written rules below.
#[differentiate(custom(second_order))]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Forward rule: d sigmoid = s (1 - s) dx.
fn sigmoid_jvp(x: f64, dx: f64) -> (f64, f64) {
    RULE_CALLS.fetch_add(1, Ordering::Relaxed);
    let s = sigmoid(x);
    (s, s * (1.0 - s) * dx)
}

/// Reverse rule: the upstream gradient times the local gradient s (1 - s).
fn sigmoid_vjp(x: f64, dout: f64) -> (f64, f64) {
    RULE_CALLS.fetch_add(1, Ordering::Relaxed);
    let s = sigmoid(x);
    (s, s * (1.0 - s) * dout)
}

/// The reverse rule's own derivative, for second order:
/// ((s, s (1 - s) dout), (s (1 - s) dx, s (1 - s) (1 - 2 s) dx dout + s (1 - s) ddout)).
fn sigmoid_vjp_jvp(x: f64, dx: f64, dout: f64, ddout: f64) -> ((f64, f64), (f64, f64)) {
    RULE_CALLS.fetch_add(1, Ordering::Relaxed);
    let s = sigmoid(x);
    let local = s * (1.0 - s);
    (
        (s, local * dout),
        (
            local * dx,
            local * (1.0 - 2.0 * s) * dx * dout + local * ddout,
        ),
    )
}

/// The neuron through its four nodes.
#[differentiate]
fn neuron_nodes(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

/// The neuron with the fused primitive.
#[differentiate]
fn neuron_fused(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + w2)
}

fn main() {
    // The lecture's values: w = (2, -3, -3), x = (-1, -2).
    let (w0, x0, w1, x1, w2) = (2.0, -1.0, -3.0, -2.0, -3.0);
    let names = ["dw0", "dx0", "dw1", "dx1", "dw2"];

    let n = neuron_nodes_grad(w0, x0, w1, x1, w2);
    let before = RULE_CALLS.load(Ordering::Relaxed);
    let f = neuron_fused_grad(w0, x0, w1, x1, w2);
    let calls = RULE_CALLS.load(Ordering::Relaxed) - before;

    let nodes = [n.1, n.2, n.3, n.4, n.5];
    let fused = [f.1, f.2, f.3, f.4, f.5];
    println!("value: four nodes {:.6}, fused {:.6}", n.0, f.0);
    println!("{:>5} {:>12} {:>12}", "", "four nodes", "fused");
    for i in 0..5 {
        println!("{:>5} {:>12.6} {:>12.6}", names[i], nodes[i], fused[i]);
        assert!((nodes[i] - fused[i]).abs() < 1e-15);
    }
    println!("the fused reverse rule was called {calls} time(s) for one gradient");
    assert_eq!(calls, 1);

    // Second order goes through the primitive's own second-order rule.
    let (_, _, _, _, _, _, h0, ..) = neuron_fused_hvp(w0, 1.0, x0, 0.0, w1, 0.0, x1, 0.0, w2, 0.0);
    let (_, _, _, _, _, _, g0, ..) = neuron_nodes_hvp(w0, 1.0, x0, 0.0, w1, 0.0, x1, 0.0, w2, 0.0);
    println!("d2/dw0^2: four nodes {g0:.6}, fused {h0:.6}");
    assert!((g0 - h0).abs() < 1e-14);
}
