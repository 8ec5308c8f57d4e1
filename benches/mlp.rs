//! Gradient of a 2-layer MLP loss (batch 256, 784-256-10, tanh, softmax
//! cross-entropy): the primal, `ad`'s `_grad` and `_hvp`, and hand-written
//! backpropagation with the same nalgebra calls, side by side.
//!
//! Run: `cargo bench --bench mlp`

#[path = "../models/mlp.rs"]
#[allow(dead_code)]
mod mlp;

use ad::nalgebra::{DMatrix, DVector, RowDVector};
use criterion::{criterion_group, criterion_main, Criterion};
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

fn bench(c: &mut Criterion) {
    let (d, hidden, classes, batch) = (784, 256, 10, 256);
    let x = pseudo(d, batch, 1, 1.0);
    let ones = RowDVector::from_element(batch, 1.0);
    let labels: Vec<usize> = (0..batch).map(|j| (j * 7 + 3) % classes).collect();
    let w1 = pseudo(hidden, d, 2, 1.0 / (d as f64).sqrt());
    let b1 = DVector::from_column_slice(pseudo(hidden, 1, 3, 0.1).as_slice());
    let w2 = pseudo(classes, hidden, 4, 1.0 / (hidden as f64).sqrt());
    let b2 = DVector::from_column_slice(pseudo(classes, 1, 5, 0.1).as_slice());
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
    assert!((g1 - h1).amax() < 1e-12 && (g2 - h2).amax() < 1e-12);
    assert!((gb1 - hb1).amax() < 1e-12 && (gb2 - hb2).amax() < 1e-12);

    // Interleaved rounds (this machine's speed drifts between criterion's
    // blocks): the best per-call time of each over 7 alternating rounds.
    let mut best = [f64::INFINITY; 4];
    for _ in 0..7 {
        let runs: [&dyn Fn(); 4] = [
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
         hand_grad {:.2} ms, ad_hvp {:.2} ms; ad_grad / primal = {:.2}, ad_grad / hand_grad = {:.2}, \
         ad_hvp / ad_grad = {:.2}",
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3,
        best[3] * 1e3,
        best[1] / best[0],
        best[1] / best[2],
        best[3] / best[1]
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

criterion_group!(benches, bench);
criterion_main!(benches);
