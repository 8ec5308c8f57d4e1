//! ADBench LSTM (l = 2 layers, c = 1024 steps, b = 14): the objective, its
//! gradient from `#[differentiate]` (`_grad`), and a hand-written
//! backpropagation through time (ADBench's "Manual"). The ratio gradient /
//! objective is ADBench's measure.
//!
//! Run: `cargo bench --bench lstm`
//!
//! Peers (group `lstm_peers`, `cargo bench --bench lstm -- lstm_peers`), on
//! the sequence truncated to its first c = 64, 256 and 1024 (all) steps: the
//! gradient from the `reverse` crate's tape (`reverse_tape`) and from
//! `num_dual::Dual64` (`num_dual_pass`: one forward pass; `num_dual_grad`:
//! the 266 passes of a gradient, about 2 s at c = 1024),
//! `adbench/lstm_peers.rs`, next to the objective, `ad`'s `_grad` and the
//! hand-written gradient at the same c.

#[path = "../adbench/lstm.rs"]
mod lstm;
#[path = "../adbench/lstm_peers.rs"]
mod lstm_peers;
#[path = "../adbench/peers.rs"]
mod peers;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const NAME: &str = "lstm_l2_c1024";

fn l2_c1024() -> lstm::LstmInput {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench/lstm")
        .join(format!("{NAME}.txt"));
    lstm::read_lstm(&path).expect("the ADBench input")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lstm");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    let name = NAME;
    let input = l2_c1024();
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

/// The peers on the first c steps of the sequence, every tool at every c.
fn bench_peers(c: &mut Criterion) {
    let all = l2_c1024();
    let tape = reverse::Tape::new();
    let mut work = Vec::new();
    let mut group = c.benchmark_group("lstm_peers");
    // A num-dual gradient takes about 2 s at c = 1024: ten samples of one
    // call rather than criterion's growing iteration counts.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for len in [64usize, 256, all.c] {
        // The objective over the first `len` steps: the instance with
        // c = len (the loss is the mean over its (c - 1) b predictions).
        let input = lstm::LstmInput {
            c: len,
            sequence: all.sequence[..len * all.b].to_vec(),
            ..all.clone()
        };
        let theta = input.theta();
        let (l, b) = (input.l, input.b);
        let (state, seq) = (&input.state, &input.sequence);

        // The peers' gradients equal `ad`'s first.
        let (v, grad) = lstm::lstm_objective_grad(&theta, state, seq, l, len, b);
        let (vr, gr) = peers::grad_reverse(&tape, &theta, |t| {
            lstm_peers::lstm_objective_generic(t, state, seq, l, len, b)
        });
        peers::assert_close("tape: value", &[vr], &[v], 1e-9);
        peers::assert_close("tape: gradient", &gr, &grad, 1e-9);
        let (vd, gd) = peers::grad_num_dual(&mut work, &theta, |t| {
            lstm_peers::lstm_objective_generic(t, state, seq, l, len, b)
        });
        peers::assert_close("num-dual: value", &[vd], &[v], 1e-9);
        peers::assert_close("num-dual: gradient", &gd, &grad, 1e-9);

        group.bench_function(BenchmarkId::new("objective", len), |bench| {
            bench.iter(|| lstm::lstm_objective(black_box(&theta), state, seq, l, len, b))
        });
        group.bench_function(BenchmarkId::new("ad_grad", len), |bench| {
            bench.iter(|| lstm::lstm_objective_grad(black_box(&theta), state, seq, l, len, b))
        });
        let mut manual_tape = lstm::LstmTape::default();
        let mut g = vec![0.0; theta.len()];
        group.bench_function(BenchmarkId::new("manual_grad", len), |bench| {
            bench.iter(|| {
                lstm::lstm_grad_manual(&input, black_box(&theta), &mut manual_tape, &mut g)
            })
        });
        group.bench_function(BenchmarkId::new("reverse_tape", len), |bench| {
            bench.iter(|| {
                peers::grad_reverse(&tape, black_box(&theta), |t| {
                    lstm_peers::lstm_objective_generic(t, state, seq, l, len, b)
                })
            })
        });
        let duals = peers::seeded(&theta, 0);
        group.bench_function(BenchmarkId::new("num_dual_pass", len), |bench| {
            bench.iter(|| {
                lstm_peers::lstm_objective_generic(black_box(&duals), state, seq, l, len, b)
            })
        });
        group.bench_function(BenchmarkId::new("num_dual_grad", len), |bench| {
            bench.iter(|| {
                peers::grad_num_dual(&mut work, black_box(&theta), |t| {
                    lstm_peers::lstm_objective_generic(t, state, seq, l, len, b)
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_peers);
criterion_main!(benches);
