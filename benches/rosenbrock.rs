//! Extended Rosenbrock over a slice: `_grad` from `#[differentiate]` against
//! the primal and two hand-written gradients, measured side by side.
//!
//! Run: `cargo bench --bench rosenbrock`
//!
//! * `primal`: the function alone;
//! * `ad_grad`: the generated reverse mode (value and gradient);
//! * `hand`: the straightforward hand-written gradient (ADBench's "Manual"):
//!   the same loop with `g[i] += ...; g[i + 1] += ...`;
//! * `hand_fused`: a hand-written gradient that computes each `g[i]` once
//!   from its two terms.
//!
//! Peers (group `rosenbrock_peers`, n = 100 and 1e4):
//!
//! * `num_dual_pass`: one forward pass with `num_dual::Dual64` (one
//!   directional derivative); `num_dual_grad` (n = 100 only): the gradient
//!   from n such passes;
//! * `reverse_tape`: the gradient from the `reverse` crate's tape (a
//!   Wengert list recorded by operator overloading, then swept backwards),
//!   the tape reused between calls.

use ad::differentiate;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use num_dual::{Dual64, DualNum};
use reverse::{Gradient, Tape, Var};
use std::hint::black_box;
use std::time::Duration;

#[differentiate]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// The straightforward hand-written gradient: value and gradient in one loop,
/// each term's two partial derivatives added to `g[i]` and `g[i + 1]`.
pub fn rosenbrock_hand(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    (s, g)
}

/// The fused hand-written gradient: `g[i]` gets the term of pair `i` (as
/// first element) and of pair `i - 1` (as second element) in one write.
pub fn rosenbrock_fused(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut g = Vec::with_capacity(n);
    let mut s = 0.0;
    let mut prev = 0.0; // 200 a_{i-1}: pair i-1's contribution to g[i]
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g.push(prev - 400.0 * a * x[i] - 2.0 * b);
        prev = 200.0 * a;
    }
    g.push(prev);
    (s, g)
}

/// The same function over `num_dual::Dual64` (forward mode, one direction).
pub fn rosenbrock_dual(x: &[Dual64]) -> Dual64 {
    let mut s = Dual64::from_re(0.0);
    for i in 0..x.len() - 1 {
        s += (x[i + 1] - x[i] * x[i]).powi(2) * 100.0 + (-x[i] + 1.0).powi(2);
    }
    s
}

/// The gradient from `n` forward passes with `Dual64`, each seeding one input.
pub fn rosenbrock_num_dual_grad(x: &[f64], xd: &mut [Dual64]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; x.len()];
    let mut value = 0.0;
    for k in 0..x.len() {
        for (d, &v) in xd.iter_mut().zip(x) {
            *d = Dual64::from_re(v);
        }
        xd[k] = Dual64::new(x[k], 1.0);
        let f = rosenbrock_dual(xd);
        value = f.re;
        g[k] = f.eps;
    }
    (value, g)
}

/// The same function over `reverse::Var` (recorded on a tape).
pub fn rosenbrock_var<'a>(x: &[Var<'a>]) -> Var<'a> {
    let mut s = x[0] * 0.0;
    for i in 0..x.len() - 1 {
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// Value and gradient from the `reverse` crate: record on `tape` (cleared
/// first, its storage kept), then sweep it backwards.
pub fn rosenbrock_reverse_grad(x: &[f64], tape: &Tape) -> (f64, Vec<f64>) {
    tape.clear();
    let xs = tape.add_vars(x);
    let f = rosenbrock_var(&xs);
    (f.val(), f.grad().wrt(&xs))
}

fn point(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.0 + 0.5 * ((i as f64) * 0.37).sin())
        .collect()
}

fn bench(c: &mut Criterion) {
    // The three gradients agree before anything is timed.
    let x = point(1000);
    let (v, g) = rosenbrock_grad(&x);
    let (vh, gh) = rosenbrock_hand(&x);
    let (vf, gf) = rosenbrock_fused(&x);
    assert!((v - vh).abs() <= 1e-12 * vh.abs() && (v - vf).abs() <= 1e-12 * vf.abs());
    for i in 0..x.len() {
        assert!(
            (g[i] - gh[i]).abs() <= 1e-12 * (1.0 + gh[i].abs()),
            "entry {i}"
        );
        assert!(
            (g[i] - gf[i]).abs() <= 1e-12 * (1.0 + gf[i].abs()),
            "entry {i}"
        );
    }

    let mut group = c.benchmark_group("rosenbrock");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for n in [1_000usize, 1_000_000] {
        let x = point(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("primal", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("ad_grad", n), &x, |b, x| {
            b.iter(|| rosenbrock_grad(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("hand", n), &x, |b, x| {
            b.iter(|| rosenbrock_hand(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("hand_fused", n), &x, |b, x| {
            b.iter(|| rosenbrock_fused(black_box(x)))
        });
    }
    group.finish();

    // Peers, checked against the generated gradient first.
    let mut group = c.benchmark_group("rosenbrock_peers");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    let tape = Tape::new();
    for n in [100usize, 1_000, 10_000, 100_000] {
        let x = point(n);
        let (v, g) = rosenbrock_grad(&x);
        let mut xd = vec![Dual64::from_re(0.0); n];
        let (vr, gr) = rosenbrock_reverse_grad(&x, &tape);
        assert!((v - vr).abs() <= 1e-12 * v.abs());
        for i in 0..n {
            assert!((g[i] - gr[i]).abs() <= 1e-12 * (1.0 + g[i].abs()));
        }
        if n <= 1_000 {
            let (vd, gd) = rosenbrock_num_dual_grad(&x, &mut xd);
            assert!((v - vd).abs() <= 1e-12 * v.abs());
            for i in 0..n {
                assert!((g[i] - gd[i]).abs() <= 1e-12 * (1.0 + g[i].abs()));
            }
        }
        group.bench_with_input(BenchmarkId::new("primal", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("ad_grad", n), &x, |b, x| {
            b.iter(|| rosenbrock_grad(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("hand", n), &x, |b, x| {
            b.iter(|| rosenbrock_hand(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("reverse_tape", n), &x, |b, x| {
            b.iter(|| rosenbrock_reverse_grad(black_box(x), &tape))
        });
        // One forward pass along e_0 (the inputs already dual numbers).
        for (d, &v) in xd.iter_mut().zip(&x) {
            *d = Dual64::from_re(v);
        }
        xd[0] = Dual64::new(x[0], 1.0);
        group.bench_with_input(BenchmarkId::new("num_dual_pass", n), &xd, |b, xd| {
            b.iter(|| rosenbrock_dual(black_box(xd)))
        });
        if n <= 1_000 {
            group.bench_with_input(BenchmarkId::new("num_dual_grad", n), &x, |b, x| {
                b.iter(|| rosenbrock_num_dual_grad(black_box(x), &mut xd))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
