//! ADBench's LSTM objective (`adbench/lstm.rs`) and its gradient from
//! `#[differentiate]`, on an ADBench input file: the values, and the time of
//! the gradient over the time of the objective, ADBench's measure, next to
//! a hand-written backpropagation through time.
//!
//! Run: `cargo run --release --example lstm [path/to/lstm_file.txt]`
//! (default `data/adbench/lstm/lstm_l2_c1024.txt`). A few repetitions timed
//! with `Instant`, best batch of each over three interleaved rounds: an
//! example, not a benchmark
//! (`cargo bench --bench lstm` is).

#[path = "../adbench/lstm.rs"]
mod lstm;
#[path = "../adbench/timing.rs"]
mod timing;

use std::hint::black_box;
use std::path::PathBuf;
use timing::seconds_per_call;

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/adbench/lstm/lstm_l2_c1024.txt"),
        PathBuf::from,
    );
    let input = lstm::read_lstm(&path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let (l, c, b) = (input.l, input.c, input.b);
    let (state, seq) = (&input.state, &input.sequence);
    let theta = input.theta();
    println!(
        "{}: l = {l} layers, c = {c} steps, b = {b}, {} parameters",
        path.display(),
        theta.len()
    );

    let value = lstm::lstm_objective(&theta, state, seq, l, c, b);
    let (value_grad, gradient) = lstm::lstm_objective_grad(&theta, state, seq, l, c, b);
    assert_eq!(value, value_grad);
    let mut tape = lstm::LstmTape::default();
    let mut manual = vec![0.0; theta.len()];
    lstm::lstm_grad_manual(&input, &theta, &mut tape, &mut manual);
    let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    let worst = gradient
        .iter()
        .zip(&manual)
        .map(|(a, b)| (a - b).abs() / 1f64.max(a.abs() + b.abs()))
        .fold(0.0, f64::max);
    println!("objective      {value:.15e}");
    println!("gradient norm  {norm:.15e}");
    let shown = gradient.len().min(4);
    let first: Vec<String> = gradient[..shown]
        .iter()
        .map(|g| format!("{g:.9e}"))
        .collect();
    println!("gradient[..{shown}] [{}]", first.join(", "));
    println!("ad vs hand-written gradient: worst ADBench error {worst:.1e}");

    // Three interleaved rounds, the best of each: on a shared machine the
    // load changes between the measurements of one round.
    let (mut t_objective, mut t_ad, mut t_manual) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        t_objective = t_objective.min(seconds_per_call(|| {
            lstm::lstm_objective(black_box(&theta), state, seq, l, c, b)
        }));
        t_ad = t_ad.min(seconds_per_call(|| {
            lstm::lstm_objective_grad(black_box(&theta), state, seq, l, c, b)
        }));
        t_manual = t_manual.min(seconds_per_call(|| {
            lstm::lstm_grad_manual(&input, black_box(&theta), &mut tape, &mut manual)
        }));
    }
    println!("time objective              {:10.3} us", t_objective * 1e6);
    println!(
        "time gradient, ad           {:10.3} us   gradient / objective = {:.2}",
        t_ad * 1e6,
        t_ad / t_objective
    );
    println!(
        "time gradient, hand-written {:10.3} us   gradient / objective = {:.2}",
        t_manual * 1e6,
        t_manual / t_objective
    );
    println!("ad / hand-written = {:.2}", t_ad / t_manual);
}
