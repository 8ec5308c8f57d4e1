//! Gradient of a 2-layer MLP loss (batch 256, 784-256-10, tanh, softmax
//! cross-entropy): the primal, `ad`'s `_grad` and `_hvp`, and hand-written
//! backpropagation with the same nalgebra calls, side by side.
//!
//! Run: `cargo bench --bench mlp`
//!
//! Peers (group `mlp_peers`, `cargo bench --bench mlp -- mlp_peers`): the
//! same loss as scalar loops (`models/mlp_peers.rs`) over the `reverse`
//! crate's tape (`reverse_tape`, the gradient) and `num_dual::Dual64`
//! (`num_dual_pass`: ONE forward pass, one directional derivative; the
//! gradient needs one per parameter, 203 530), next to the primal, the same
//! loops over `f64` (`primal_loops`), `ad`'s `_grad` and the hand-written
//! gradient, at batch sizes 1, 4, 16 and 64 (at 256 the tape would hold
//! about 100 million nodes, 4 GB).

#[path = "../models/mlp.rs"]
#[allow(dead_code)]
mod mlp;
#[path = "../models/mlp_peers.rs"]
mod mlp_peers;
#[path = "../adbench/peers.rs"]
mod peers;

use ad::nalgebra::{DMatrix, DVector, RowDVector};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use mlp::*;
use std::hint::black_box;
use std::time::Duration;

fn pseudo(r: usize, c: usize, seed: u64, scale: f64) -> DMatrix<f64> {
    let mut s = seed;
    DMatrix::from_fn(r, c, |_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0) * scale
    })
}

const DIMS: mlp_peers::Dims = mlp_peers::Dims {
    d: 784,
    hidden: 256,
    classes: 10,
};

/// The parameters `(W1, b1, W2, b2)`.
fn parameters() -> (DMatrix<f64>, DVector<f64>, DMatrix<f64>, DVector<f64>) {
    let mlp_peers::Dims { d, hidden, classes } = DIMS;
    (
        pseudo(hidden, d, 2, 1.0 / (d as f64).sqrt()),
        DVector::from_column_slice(pseudo(hidden, 1, 3, 0.1).as_slice()),
        pseudo(classes, hidden, 4, 1.0 / (hidden as f64).sqrt()),
        DVector::from_column_slice(pseudo(classes, 1, 5, 0.1).as_slice()),
    )
}

/// A batch: the inputs (one column per example), the row of ones, the labels.
fn batch_of(batch: usize) -> (DMatrix<f64>, RowDVector<f64>, Vec<usize>) {
    let x = pseudo(DIMS.d, batch, 1, 1.0);
    let ones = RowDVector::from_element(batch, 1.0);
    let labels = (0..batch).map(|j| (j * 7 + 3) % DIMS.classes).collect();
    (x, ones, labels)
}

fn bench(c: &mut Criterion) {
    let mlp_peers::Dims { d, hidden, classes } = DIMS;
    let (x, ones, labels) = batch_of(256);
    let (w1, b1, w2, b2) = parameters();
    let (dw1, db1, dw2, db2) = (
        pseudo(hidden, d, 6, 1.0),
        DVector::from_column_slice(pseudo(hidden, 1, 7, 1.0).as_slice()),
        pseudo(classes, hidden, 8, 1.0),
        DVector::from_column_slice(pseudo(classes, 1, 9, 1.0).as_slice()),
    );

    // The two gradients agree before anything is timed.
    let (v, g1, gb1, g2, gb2) = mlp_loss_grad(&w1, &b1, &w2, &b2, &x, &ones, &labels);
    let (vh, h1, hb1, h2, hb2) = mlp_grad_by_hand(&w1, &b1, &w2, &b2, &x, &ones, &labels);
    assert!((v - vh).abs() < 1e-12);
    assert!((&g1 - h1).amax() < 1e-12 && (&g2 - h2).amax() < 1e-12);
    assert!((&gb1 - hb1).amax() < 1e-12 && (&gb2 - hb2).amax() < 1e-12);

    // The same network as a parameter struct (`wrt(self)`, layers a helper):
    // the same gradient.
    let m = Mlp {
        w1: w1.clone(),
        b1: b1.clone(),
        w2: w2.clone(),
        b2: b2.clone(),
    };
    let (vs, gs) = m.loss_grad(&x, &ones, &labels);
    assert!((vs - v).abs() < 1e-12);
    assert!((&gs.w1 - &g1).amax() < 1e-12 && (&gs.w2 - &g2).amax() < 1e-12);
    assert!((&gs.b1 - &gb1).amax() < 1e-12 && (&gs.b2 - &gb2).amax() < 1e-12);

    // Interleaved rounds (this machine's speed drifts between criterion's
    // blocks): the best per-call time of each over 7 alternating rounds.
    let (vl, gl) = m.loss_layered_grad(&x, &ones, &labels);
    assert!((vl - v).abs() < 1e-12 && (&gl.w1 - &g1).amax() < 1e-12);
    let mut best = [f64::INFINITY; 6];
    for _ in 0..7 {
        let runs: [&dyn Fn(); 6] = [
            &|| {
                black_box(mlp_loss(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels));
            },
            &|| {
                black_box(mlp_loss_grad(
                    black_box(&w1),
                    &b1,
                    &w2,
                    &b2,
                    &x,
                    &ones,
                    &labels,
                ));
            },
            &|| {
                black_box(mlp_grad_by_hand(
                    black_box(&w1),
                    &b1,
                    &w2,
                    &b2,
                    &x,
                    &ones,
                    &labels,
                ));
            },
            &|| {
                black_box(mlp_loss_hvp(
                    black_box(&w1),
                    &dw1,
                    &b1,
                    &db1,
                    &w2,
                    &dw2,
                    &b2,
                    &db2,
                    &x,
                    &ones,
                    &labels,
                ));
            },
            &|| {
                black_box(black_box(&m).loss_grad(&x, &ones, &labels));
            },
            &|| {
                black_box(black_box(&m).loss_layered_grad(&x, &ones, &labels));
            },
        ];
        for (k, run) in runs.iter().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..10 {
                run();
            }
            best[k] = best[k].min(start.elapsed().as_secs_f64() / 10.0);
        }
    }
    println!(
        "interleaved, best of 7 rounds of 10 calls: primal {:.2} ms, ad_grad {:.2} ms, \
         hand_grad {:.2} ms, ad_hvp {:.2} ms, struct ad_grad {:.2} ms, struct with layer helper \
         ad_grad {:.2} ms; ad_grad / primal = {:.2}, ad_grad / hand_grad = {:.2}, \
         ad_hvp / ad_grad = {:.2}, struct ad_grad / hand_grad = {:.2}, layered / hand_grad = {:.2}",
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3,
        best[3] * 1e3,
        best[4] * 1e3,
        best[5] * 1e3,
        best[1] / best[0],
        best[1] / best[2],
        best[3] / best[1],
        best[4] / best[2],
        best[5] / best[2]
    );

    let mut group = c.benchmark_group("mlp");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(30);
    group.bench_function("primal", |b| {
        b.iter(|| mlp_loss(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
    });
    group.bench_function("hand_grad", |b| {
        b.iter(|| mlp_grad_by_hand(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
    });
    group.bench_function("ad_grad", |b| {
        b.iter(|| mlp_loss_grad(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
    });
    group.bench_function("ad_grad_struct", |b| {
        b.iter(|| black_box(&m).loss_grad(&x, &ones, &labels))
    });
    group.bench_function("ad_hvp", |b| {
        b.iter(|| {
            mlp_loss_hvp(
                black_box(&w1),
                &dw1,
                &b1,
                &db1,
                &w2,
                &dw2,
                &b2,
                &db2,
                &x,
                &ones,
                &labels,
            )
        })
    });
    group.finish();
}

/// The peers at several batch sizes, every tool at every size.
fn bench_peers(c: &mut Criterion) {
    let (w1, b1, w2, b2) = parameters();
    let theta = [w1.as_slice(), b1.as_slice(), w2.as_slice(), b2.as_slice()].concat();
    assert_eq!(theta.len(), DIMS.params());
    let tape = reverse::Tape::new();
    let mut group = c.benchmark_group("mlp_peers");
    // One call of the tape takes up to half a second: ten samples of one
    // call each rather than criterion's growing iteration counts.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for batch in [1usize, 4, 16, 64] {
        let (x, ones, labels) = batch_of(batch);
        let xs = x.as_slice();

        // The peers agree with the generated gradient first.
        let (v, g1, gb1, g2, gb2) = mlp_loss_grad(&w1, &b1, &w2, &b2, &x, &ones, &labels);
        let grad = [g1.as_slice(), gb1.as_slice(), g2.as_slice(), gb2.as_slice()].concat();
        let (vr, gr) = peers::grad_reverse(&tape, &theta, |t| {
            mlp_peers::mlp_loss_generic(t, xs, &labels, DIMS)
        });
        peers::assert_close("tape: value", &[vr], &[v], 1e-9);
        peers::assert_close("tape: gradient", &gr, &grad, 1e-9);
        let vl = mlp_peers::mlp_loss_generic(&theta, xs, &labels, DIMS);
        peers::assert_close("f64 loops: value", &[vl], &[v], 1e-9);
        // A num-dual pass along a parameter gives that gradient entry.
        for i in [0, DIMS.hidden * DIMS.d + 3, theta.len() - 1] {
            let y = mlp_peers::mlp_loss_generic(&peers::seeded(&theta, i), xs, &labels, DIMS);
            peers::assert_close("num-dual: value", &[y.re], &[v], 1e-9);
            assert!(
                (y.eps - grad[i]).abs() <= 1e-9 * grad[i].abs().max(1e-3),
                "num-dual: entry {i}"
            );
        }

        group.bench_function(BenchmarkId::new("primal", batch), |b| {
            b.iter(|| mlp_loss(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
        });
        group.bench_function(BenchmarkId::new("primal_loops", batch), |b| {
            b.iter(|| mlp_peers::mlp_loss_generic(black_box(&theta), xs, &labels, DIMS))
        });
        group.bench_function(BenchmarkId::new("ad_grad", batch), |b| {
            b.iter(|| mlp_loss_grad(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
        });
        group.bench_function(BenchmarkId::new("hand_grad", batch), |b| {
            b.iter(|| mlp_grad_by_hand(black_box(&w1), &b1, &w2, &b2, &x, &ones, &labels))
        });
        group.bench_function(BenchmarkId::new("reverse_tape", batch), |b| {
            b.iter(|| {
                peers::grad_reverse(&tape, black_box(&theta), |t| {
                    mlp_peers::mlp_loss_generic(t, xs, &labels, DIMS)
                })
            })
        });
        // One forward pass along W1[0, 0] (the inputs already dual numbers).
        let duals = peers::seeded(&theta, 0);
        group.bench_function(BenchmarkId::new("num_dual_pass", batch), |b| {
            b.iter(|| mlp_peers::mlp_loss_generic(black_box(&duals), xs, &labels, DIMS))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_peers);
criterion_main!(benches);
