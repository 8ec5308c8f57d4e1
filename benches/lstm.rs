//! ADBench LSTM (l = 2 layers, c = 1024 steps, b = 14): the objective, its
//! gradient from `#[differentiate]` (`_grad`), and a hand-written
//! backpropagation through time (ADBench's "Manual"). The ratio gradient /
//! objective is ADBench's measure.
//!
//! Run: `cargo bench --bench lstm`

#[path = "../adbench/lstm.rs"]
mod lstm;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lstm");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    let name = "lstm_l2_c1024";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench/lstm")
        .join(format!("{name}.txt"));
    let input = lstm::read_lstm(&path).expect("the ADBench input");
    let theta = input.theta();
    let (l, len, b) = (input.l, input.c, input.b);
    let (state, seq) = (&input.state, &input.sequence);
    group.bench_function(format!("{name}/objective"), |bench| {
        bench.iter(|| lstm::lstm_objective(black_box(&theta), state, seq, l, len, b))
    });
    group.bench_function(format!("{name}/ad_grad"), |bench| {
        bench.iter(|| lstm::lstm_objective_grad(black_box(&theta), state, seq, l, len, b))
    });
    let mut tape = lstm::LstmTape::default();
    let mut grad = vec![0.0; theta.len()];
    group.bench_function(format!("{name}/manual_grad"), |bench| {
        bench.iter(|| lstm::lstm_grad_manual(&input, black_box(&theta), &mut tape, &mut grad))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
