//! Ratios of times measured in paired rounds: ADBench GMM (1k and 10k
//! points), BA (ba1) and LSTM (l2 c1024), each tool against the objective
//! and `ad` against each tool; and the Hessian-vector product of the
//! extended Rosenbrock function (n = 1e3, 1e4, 1e5), where `ad` is `_hvp`,
//! so that `ad / tool` for `_grad` is `_hvp / _grad`.
//!
//! Run: `cargo bench --bench paired` (about a minute), or with a filter:
//! `cargo bench --bench paired -- rosenbrock_hvp`.
//!
//! Why not criterion alone: criterion measures one function for seconds,
//! then the next. On a shared virtual machine whose speed drifts by tens of
//! percent from one minute to the next, a ratio of two such measurements
//! carries the drift (this repository's GMM ratio read 1.45 to 3.25 across
//! runs of `cargo bench --bench gmm` on one day). Here every round times
//! one call of each tool (after an untimed one), back to back, in an order
//! that rotates from round to round, and each round gives its own ratios:
//! the machine's state is nearly the same for all the calls of a round. The
//! median of a ratio over the rounds moves by 1-3% between runs in the
//! same phase of the machine, and by up to 16% (LSTM; GMM 7%) between its
//! fast and slow phases (BENCHMARKS.md), against 50% and more across
//! criterion runs. Criterion (`benches/gmm.rs`,
//! `ba.rs`, `lstm.rs`) still gives the times themselves and the plots.
//!
//! Printed per problem and tool: the median time of a call, the median of
//! tool / objective over the rounds with its quartiles, and the median of
//! ad / tool.

#[path = "../adbench/ba.rs"]
mod ba;
#[path = "../adbench/ba_peers.rs"]
mod ba_peers;
#[path = "../adbench/gmm.rs"]
mod gmm;
#[path = "../adbench/gmm_manual.rs"]
mod gmm_manual;
#[path = "../adbench/gmm_peers.rs"]
mod gmm_peers;
#[path = "../adbench/lstm.rs"]
mod lstm;
#[path = "../adbench/lstm_modular.rs"]
mod lstm_modular;
#[path = "../adbench/lstm_modular_manual.rs"]
mod lstm_modular_manual;
#[path = "../adbench/lstm_peers.rs"]
mod lstm_peers;
#[path = "../adbench/peers.rs"]
mod peers;
#[path = "../models/rosenbrock.rs"]
mod rosenbrock;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A tool under measurement: its name and one call.
type Tool<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Rounds of one timed call per tool until `budget` has passed (at least
/// `MIN_ROUNDS`); the tools are `objective`, `ad`, then the others.
fn paired(problem: &str, budget: Duration, tools: &mut [Tool]) {
    const MIN_ROUNDS: usize = 15;
    let n = tools.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); n];
    let start = Instant::now();
    let mut round = 0;
    while round < MIN_ROUNDS || start.elapsed() < budget {
        for j in 0..n {
            let t = (round + j) % n;
            // A first call brings the tool's data back into the caches the
            // other tools used (as in criterion's repeated calls); the
            // second is timed.
            (tools[t].1)();
            let t0 = Instant::now();
            (tools[t].1)();
            times[t].push(t0.elapsed().as_secs_f64());
        }
        round += 1;
    }
    println!("{problem}: {round} rounds");
    println!(
        "  {:<20} {:>13}  {:>24}  {:>9}",
        "tool", "median time", "/ objective [q1, q3]", "ad / tool"
    );
    for t in 0..n {
        let over_objective: Vec<f64> = (0..round).map(|r| times[t][r] / times[0][r]).collect();
        let ad_over: Vec<f64> = (0..round).map(|r| times[1][r] / times[t][r]).collect();
        let (q1, median, q3) = quartiles(over_objective);
        let ratio = format!("{median:.3} [{q1:.3}, {q3:.3}]");
        println!(
            "  {:<20} {:>10.1} us  {:>24}  {:>9.3}",
            tools[t].0,
            quartiles(times[t].clone()).1 * 1e6,
            ratio,
            quartiles(ad_over).1,
        );
    }
}

/// The first quartile, the median and the third quartile.
fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn data(problem: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench")
        .join(problem)
        .join(file)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter selects problems by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let budget = Duration::from_secs(8);

    for n in [1_000usize, 10_000, 100_000] {
        let name = format!("rosenbrock_hvp_{n}");
        if !wanted(&name) {
            continue;
        }
        let (x, v) = (rosenbrock::point(n), rosenbrock::direction(n));
        // The generated HVP equals the hand-written one before it is timed.
        let (_, g, hv) = rosenbrock::rosenbrock_hvp(&x, &v);
        let (_, hand_g, hand_hv) = rosenbrock::hand_hvp(&x, &v);
        peers::assert_close("gradient", &g, &hand_g, 1e-12);
        peers::assert_close("H v", &hv, &hand_hv, 1e-12);
        let (x, v) = (&x, &v);
        paired(
            &name,
            budget / 2,
            &mut [
                (
                    "objective",
                    Box::new(|| {
                        black_box(rosenbrock::rosenbrock(black_box(x)));
                    }),
                ),
                (
                    "_hvp",
                    Box::new(|| {
                        black_box(rosenbrock::rosenbrock_hvp(black_box(x), black_box(v)));
                    }),
                ),
                (
                    "_grad",
                    Box::new(|| {
                        black_box(rosenbrock::rosenbrock_grad(black_box(x)));
                    }),
                ),
                // `_vjp` with the seed one is `_grad` (it was 2.6x slower
                // when its body was inlined as an ordinary function).
                (
                    "_vjp",
                    Box::new(|| {
                        black_box(rosenbrock::rosenbrock_vjp(black_box(x), black_box(1.0)));
                    }),
                ),
                (
                    "hand HVP",
                    Box::new(|| {
                        black_box(rosenbrock::hand_hvp(black_box(x), black_box(v)));
                    }),
                ),
                (
                    "hand gradient",
                    Box::new(|| {
                        black_box(rosenbrock::hand_grad(black_box(x)));
                    }),
                ),
            ],
        );
    }

    for name in ["gmm_1k_d2_K5", "gmm_10k_d2_K5"] {
        if !wanted(name) {
            continue;
        }
        let input = gmm::read_gmm(&data("gmm", &format!("{name}.txt")), false).expect("GMM");
        let (d, k, n, g, m) = (
            input.d,
            input.k,
            input.n,
            input.wishart_gamma,
            input.wishart_m,
        );
        let (theta, x) = (input.theta(), &input.x);
        let mut grad = vec![0.0; theta.len()];
        let tape = reverse::Tape::new();
        // Every gradient equals `ad`'s before it is timed.
        let (v, want) = gmm::gmm_objective_grad(&theta, x, d, k, n, g, m);
        let vh = gmm_manual::gmm_objective_grad_manual(&theta, x, d, k, n, g, m, &mut grad);
        peers::assert_close("hand-written", &grad, &want, 1e-10);
        let (vt, gt) = peers::grad_reverse(&tape, &theta, |t| {
            gmm_peers::gmm_objective_generic(t, x, d, k, n, g, m)
        });
        peers::assert_close("tape", &gt, &want, 1e-9);
        peers::assert_close("values", &[vh, vt], &[v, v], 1e-10);
        paired(
            name,
            budget,
            &mut [
                (
                    "objective",
                    Box::new(|| {
                        black_box(gmm::gmm_objective(black_box(&theta), x, d, k, n, g, m));
                    }),
                ),
                (
                    "ad",
                    Box::new(|| {
                        black_box(gmm::gmm_objective_grad(black_box(&theta), x, d, k, n, g, m));
                    }),
                ),
                (
                    "hand-written",
                    Box::new(|| {
                        let t = black_box(&theta);
                        gmm_manual::gmm_objective_grad_manual(t, x, d, k, n, g, m, &mut grad);
                        black_box(&grad);
                    }),
                ),
                (
                    "tape",
                    Box::new(|| {
                        black_box(peers::grad_reverse(&tape, black_box(&theta), |t| {
                            gmm_peers::gmm_objective_generic(t, x, d, k, n, g, m)
                        }));
                    }),
                ),
            ],
        );
    }

    if wanted("ba1") {
        let input = ba::read_ba(&data("ba", "ba1_n49_m7776_p31843.txt")).expect("BA");
        let tape = reverse::Tape::new();
        let by_tape = |cam, x, w, feat| ba_peers::block_reverse(&tape, cam, x, w, feat);
        let want = ba::jacobian(&input, ba::block_ad_reverse);
        let hand = ba::jacobian(&input, ba::block_manual);
        peers::assert_close("hand-written", &hand.vals, &want.vals, 1e-12);
        peers::assert_close(
            "tape",
            &ba::jacobian(&input, by_tape).vals,
            &want.vals,
            1e-12,
        );
        let mut r = vec![0.0; input.n_residuals()];
        let mut jac = [(); 3].map(|_| ba::BaSparseMat::new(&input));
        let [j_ad, j_hand, j_tape] = &mut jac;
        paired(
            "ba1_n49_m7776_p31843 (Jacobian)",
            budget,
            &mut [
                (
                    "residuals",
                    Box::new(|| ba::residuals_into(black_box(&input), &mut r)),
                ),
                (
                    "ad",
                    Box::new(|| ba::jacobian_into(black_box(&input), j_ad, ba::block_ad_reverse)),
                ),
                (
                    "hand-written",
                    Box::new(|| ba::jacobian_into(black_box(&input), j_hand, ba::block_manual)),
                ),
                (
                    "tape",
                    Box::new(|| ba::jacobian_into(black_box(&input), j_tape, by_tape)),
                ),
            ],
        );
    }

    if wanted("lstm_l2_c1024") {
        let input = lstm::read_lstm(&data("lstm", "lstm_l2_c1024.txt")).expect("LSTM");
        let (l, c, b) = (input.l, input.c, input.b);
        let (state, seq) = (&input.state, &input.sequence);
        let theta = input.theta();
        let tape = reverse::Tape::new();
        let mut manual = lstm::LstmTape::default();
        let mut grad = vec![0.0; theta.len()];
        let (v, want) = lstm::lstm_objective_grad(&theta, state, seq, l, c, b);
        lstm::lstm_grad_manual(&input, &theta, &mut manual, &mut grad);
        peers::assert_close("hand-written", &grad, &want, 1e-9);
        let (vt, gt) = peers::grad_reverse(&tape, &theta, |t| {
            lstm_peers::lstm_objective_generic(t, state, seq, l, c, b)
        });
        peers::assert_close("tape", &gt, &want, 1e-9);
        peers::assert_close("tape value", &[vt], &[v], 1e-9);
        let (_, gm) = lstm_modular::lstm_objective_modular_grad(&theta, state, seq, l, c, b);
        peers::assert_close("modular", &gm, &want, 1e-9);
        let (vmh, gmh) =
            lstm_modular_manual::lstm_objective_modular_grad_manual(&theta, state, seq, l, c, b);
        peers::assert_close("modular hand-written", &gmh, &want, 1e-9);
        peers::assert_close("modular hand-written value", &[vmh], &[v], 1e-9);
        paired(
            "lstm_l2_c1024",
            budget,
            &mut [
                (
                    "objective",
                    Box::new(|| {
                        black_box(lstm::lstm_objective(black_box(&theta), state, seq, l, c, b));
                    }),
                ),
                (
                    "ad",
                    Box::new(|| {
                        black_box(lstm::lstm_objective_grad(
                            black_box(&theta),
                            state,
                            seq,
                            l,
                            c,
                            b,
                        ));
                    }),
                ),
                (
                    "hand-written",
                    Box::new(|| {
                        let t = black_box(&theta);
                        lstm::lstm_grad_manual(&input, t, &mut manual, &mut grad);
                        black_box(&grad);
                    }),
                ),
                (
                    "tape",
                    Box::new(|| {
                        black_box(peers::grad_reverse(&tape, black_box(&theta), |t| {
                            lstm_peers::lstm_objective_generic(t, state, seq, l, c, b)
                        }));
                    }),
                ),
                // ADBench's decomposition into differentiated helpers
                // (`adbench/lstm_modular.rs`): ad / modular is the
                // monolithic gradient against the modular one; the modular
                // objective's `/ objective` is what the decomposition costs
                // the function itself.
                (
                    "modular objective",
                    Box::new(|| {
                        black_box(lstm_modular::lstm_objective_modular(
                            black_box(&theta),
                            state,
                            seq,
                            l,
                            c,
                            b,
                        ));
                    }),
                ),
                (
                    "modular",
                    Box::new(|| {
                        black_box(lstm_modular::lstm_objective_modular_grad(
                            black_box(&theta),
                            state,
                            seq,
                            l,
                            c,
                            b,
                        ));
                    }),
                ),
                // The modular gradient written by hand
                // (`adbench/lstm_modular_manual.rs`): what the decomposition
                // costs a gradient that is not generated.
                (
                    "modular hand-written",
                    Box::new(|| {
                        black_box(lstm_modular_manual::lstm_objective_modular_grad_manual(
                            black_box(&theta),
                            state,
                            seq,
                            l,
                            c,
                            b,
                        ));
                    }),
                ),
            ],
        );
    }
}
