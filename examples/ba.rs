//! ADBench's bundle adjustment residuals (`adbench/ba.rs`) and their sparse
//! Jacobian from `#[differentiate]`, on an ADBench input file: the values,
//! and the time of the Jacobian over the time of the residuals, ADBench's
//! measure, for the Jacobian blocks from reverse mode (`reproj_error_vjp_many`: one forward sweep, two reverse sweeps),
//! forward mode (fifteen `_jvp` passes) and by hand.
//!
//! Run: `cargo run --release --example ba [path/to/ba_file.txt]`
//! (default `data/adbench/ba/ba1_n49_m7776_p31843.txt`). A few repetitions
//! timed with `Instant`, best batch of each over three interleaved rounds:
//! an example, not a benchmark
//! (`cargo bench --bench ba` is).

#[path = "../adbench/ba.rs"]
mod ba;
#[path = "../adbench/timing.rs"]
mod timing;

use std::hint::black_box;
use std::path::PathBuf;
use timing::seconds_per_call;

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("data/adbench/ba/ba1_n49_m7776_p31843.txt")
        },
        PathBuf::from,
    );
    let input = ba::read_ba(&path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!(
        "{}: n = {} cameras, m = {} points, p = {} observations; {} residuals, {} parameters",
        path.display(),
        input.n,
        input.m,
        input.p,
        input.n_residuals(),
        input.n_params()
    );

    let r = ba::residuals(&input);
    let sum_sq: f64 = r.iter().map(|x| x * x).sum();
    println!("sum of squared residuals {sum_sq:.15e}");
    let jac = ba::jacobian(&input, ba::block_ad_reverse);
    let manual = ba::jacobian(&input, ba::block_manual);
    let frobenius = jac.vals.iter().map(|x| x * x).sum::<f64>().sqrt();
    let worst = jac
        .vals
        .iter()
        .zip(&manual.vals)
        .map(|(a, b)| (a - b).abs() / 1f64.max(a.abs() + b.abs()))
        .fold(0.0, f64::max);
    println!(
        "Jacobian: {} x {}, {} non-zeros, Frobenius norm {frobenius:.15e}",
        jac.n_rows,
        jac.n_cols,
        jac.vals.len()
    );
    println!("first row  {:?}", &jac.vals[..ba::BLOCK]);
    println!("ad vs hand-written: worst ADBench error {worst:.1e}");

    // Three interleaved rounds, the best of each: on a shared machine the
    // load changes between the measurements of one round.
    let mut out = vec![0.0; input.n_residuals()];
    let mut j = ba::BaSparseMat::new(&input);
    let (mut t_objective, mut t_reverse, mut t_forward, mut t_manual) =
        (f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        t_objective = t_objective.min(seconds_per_call(|| {
            ba::residuals_into(black_box(&input), &mut out)
        }));
        let mut time = |block: fn([f64; ba::CAM], [f64; 3], f64, [f64; 2]) -> ba::Block| {
            seconds_per_call(|| ba::jacobian_into(black_box(&input), &mut j, block))
        };
        t_reverse = t_reverse.min(time(ba::block_ad_reverse));
        t_forward = t_forward.min(time(ba::block_ad_forward));
        t_manual = t_manual.min(time(ba::block_manual));
    }
    println!(
        "time residuals                     {:10.3} ms",
        t_objective * 1e3
    );
    for (name, t) in [
        ("Jacobian, reverse (_vjp_many)  ", t_reverse),
        ("Jacobian, forward (15 x _jvp) ", t_forward),
        ("Jacobian, hand-written        ", t_manual),
    ] {
        println!(
            "time {name}    {:10.3} ms   Jacobian / residuals = {:.2}",
            t * 1e3,
            t / t_objective
        );
    }
    println!(
        "reverse / hand-written = {:.2} (ADBench: Manual 6.72, Tapenade 8.78 Jacobian / residuals)",
        t_reverse / t_manual
    );
}
