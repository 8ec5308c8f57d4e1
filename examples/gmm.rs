//! ADBench's GMM objective (a Gaussian mixture log-likelihood with a Wishart
//! prior, `adbench/gmm.rs`) and its gradient from `#[differentiate]`, on an
//! ADBench input file: the values, and the time of the gradient over the time
//! of the objective, ADBench's measure; the same for the hand-written
//! gradient (`adbench/gmm_manual.rs`, ADBench's "Manual"), and the time of
//! the generated gradient over the hand-written one.
//!
//! Run: `cargo run --release --example gmm [path/to/gmm_file.txt]`
//! (default `data/adbench/gmm/gmm_1k_d2_K5.txt`). A few repetitions timed
//! with `Instant`, best batch of each: an example, not a benchmark.

#[path = "../adbench/gmm.rs"]
mod gmm;
#[path = "../adbench/gmm_manual.rs"]
mod gmm_manual;
#[path = "../adbench/timing.rs"]
mod timing;

use std::hint::black_box;
use std::path::PathBuf;
use timing::seconds_per_call;

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/adbench/gmm/gmm_1k_d2_K5.txt"),
        PathBuf::from,
    );
    let input = gmm::read_gmm(&path, false).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let (d, k, n) = (input.d, input.k, input.n);
    let (gamma, m) = (input.wishart_gamma, input.wishart_m);
    let theta = input.theta();
    let x = &input.x;
    println!(
        "{}: d = {d}, k = {k}, n = {n}, {} parameters",
        path.display(),
        theta.len()
    );

    let value = gmm::gmm_objective(&theta, x, d, k, n, gamma, m);
    let (value_grad, gradient) = gmm::gmm_objective_grad(&theta, x, d, k, n, gamma, m);
    assert_eq!(value, value_grad);
    let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    println!("objective      {value:.15e}");
    println!("gradient norm  {norm:.15e}");
    let shown = gradient.len().min(5);
    let first: Vec<String> = gradient[..shown]
        .iter()
        .map(|g| format!("{g:.9e}"))
        .collect();
    println!("gradient[..{shown}] [{}]", first.join(", "));
    let mut manual = vec![0.0; theta.len()];
    let value_manual =
        gmm_manual::gmm_objective_grad_manual(&theta, x, d, k, n, gamma, m, &mut manual);
    let worst = gradient
        .iter()
        .zip(&manual)
        .map(|(a, b)| (a - b).abs() / a.abs().max(b.abs()).max(f64::MIN_POSITIVE))
        .fold((value - value_manual).abs() / value.abs(), f64::max);
    println!("hand-written gradient vs generated: worst relative difference {worst:.1e}");

    // Three interleaved rounds, the best of each (as the BA and LSTM
    // examples): a slow moment of the machine hits one round, not one tool.
    let (mut t_objective, mut t_gradient, mut t_manual) =
        (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        t_objective = t_objective.min(seconds_per_call(|| {
            gmm::gmm_objective(black_box(&theta), black_box(x), d, k, n, gamma, m)
        }));
        t_gradient = t_gradient.min(seconds_per_call(|| {
            gmm::gmm_objective_grad(black_box(&theta), black_box(x), d, k, n, gamma, m)
        }));
        t_manual = t_manual.min(seconds_per_call(|| {
            gmm_manual::gmm_objective_grad_manual(
                black_box(&theta),
                black_box(x),
                d,
                k,
                n,
                gamma,
                m,
                black_box(&mut manual),
            )
        }));
    }
    println!("time objective {:10.3} us", t_objective * 1e6);
    println!("time gradient  {:10.3} us", t_gradient * 1e6);
    println!(
        "time manual    {:10.3} us (hand-written gradient)",
        t_manual * 1e6
    );
    println!(
        "gradient / objective = {:.2} (ADBench's measure)",
        t_gradient / t_objective
    );
    println!(
        "manual / objective   = {:.2} (ADBench's measure, hand-written)",
        t_manual / t_objective
    );
    println!("ad / hand-written    = {:.2}", t_gradient / t_manual);
}
