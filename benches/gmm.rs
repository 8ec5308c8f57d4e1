//! ADBench GMM (D2 K5, 1k and 10k points): the objective, its gradient
//! from `#[differentiate]` and the hand-written gradient
//! (`adbench/gmm_manual.rs`, ADBench's "Manual", into a buffer allocated
//! once outside the timed loop), in one run; the ratio gradient / objective
//! is ADBench's measure (its hand-written C++ reads 1.88 at 10k D2 K5,
//! Tapenade 3.74).
//!
//! Peers (group `gmm_peers`): the gradient from `num_dual::Dual64` (one
//! forward pass per parameter, 30 passes) and from the `reverse` crate's
//! tape, both over ADBench's objective written once over their scalar types
//! (`adbench/gmm_peers.rs`, with `adbench/peers.rs`).
//!
//! Run: `cargo bench --bench gmm`

#[path = "../adbench/gmm.rs"]
mod gmm;
#[path = "../adbench/gmm_manual.rs"]
mod gmm_manual;
#[path = "../adbench/gmm_peers.rs"]
mod gmm_peers;
#[path = "../adbench/peers.rs"]
mod peers;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let instances: Vec<(&str, gmm::GmmInput)> = ["gmm_1k_d2_K5", "gmm_10k_d2_K5"]
        .into_iter()
        .map(|name| {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("data/adbench/gmm")
                .join(format!("{name}.txt"));
            (
                name,
                gmm::read_gmm(&path, false).expect("the ADBench input"),
            )
        })
        .collect();

    let mut group = c.benchmark_group("gmm");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for (name, input) in &instances {
        let (d, k, n) = (input.d, input.k, input.n);
        let (g, m) = (input.wishart_gamma, input.wishart_m);
        let theta = input.theta();
        let x = &input.x;
        group.bench_function(format!("{name}/objective"), |b| {
            b.iter(|| gmm::gmm_objective(black_box(&theta), black_box(x), d, k, n, g, m))
        });
        group.bench_function(format!("{name}/ad_grad"), |b| {
            b.iter(|| gmm::gmm_objective_grad(black_box(&theta), black_box(x), d, k, n, g, m))
        });
        // The hand-written gradient agrees with the generated one first.
        let mut grad = vec![0.0; theta.len()];
        let v = gmm_manual::gmm_objective_grad_manual(&theta, x, d, k, n, g, m, &mut grad);
        let (v_ad, grad_ad) = gmm::gmm_objective_grad(&theta, x, d, k, n, g, m);
        peers::assert_close("manual value", &[v], &[v_ad], 1e-10);
        peers::assert_close("manual gradient", &grad, &grad_ad, 1e-10);
        group.bench_function(format!("{name}/manual_grad"), |b| {
            b.iter(|| {
                gmm_manual::gmm_objective_grad_manual(
                    black_box(&theta),
                    black_box(x),
                    d,
                    k,
                    n,
                    g,
                    m,
                    black_box(&mut grad),
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("gmm_peers");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    let tape = reverse::Tape::new();
    let mut work = Vec::new();
    for (name, input) in &instances {
        let (d, k, n) = (input.d, input.k, input.n);
        let (g, m) = (input.wishart_gamma, input.wishart_m);
        let theta = input.theta();
        let x = &input.x;
        // The peers' gradients agree with the generated one first.
        let (v, grad) = gmm::gmm_objective_grad(&theta, x, d, k, n, g, m);
        let objective = |t: &[_]| gmm_peers::gmm_objective_generic(t, x, d, k, n, g, m);
        let (vd, gd) = peers::grad_num_dual(&mut work, &theta, objective);
        let (vr, gr) = peers::grad_reverse(&tape, &theta, |t| {
            gmm_peers::gmm_objective_generic(t, x, d, k, n, g, m)
        });
        for (what, value, gradient) in [("num-dual", vd, &gd), ("reverse", vr, &gr)] {
            peers::assert_close(what, &[value], &[v], 1e-10);
            peers::assert_close(what, gradient, &grad, 1e-9);
        }
        group.bench_function(format!("{name}/num_dual_grad"), |b| {
            b.iter(|| peers::grad_num_dual(&mut work, black_box(&theta), objective))
        });
        group.bench_function(format!("{name}/reverse_tape"), |b| {
            b.iter(|| {
                peers::grad_reverse(&tape, black_box(&theta), |t| {
                    gmm_peers::gmm_objective_generic(t, x, d, k, n, g, m)
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
