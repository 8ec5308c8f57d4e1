//! ADBench GMM (D2 K5, 1k and 10k points): the objective and its gradient
//! from `#[differentiate]`, in one run; the ratio gradient / objective is
//! ADBench's measure (its hand-written C++ reads 1.88 at 10k D2 K5,
//! Tapenade 3.74).
//!
//! Run: `cargo bench --bench gmm`

#[path = "../adbench/gmm.rs"]
mod gmm;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("gmm");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    for name in ["gmm_1k_d2_K5", "gmm_10k_d2_K5"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data/adbench/gmm")
            .join(format!("{name}.txt"));
        let input = gmm::read_gmm(&path, false).expect("the ADBench input");
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
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
