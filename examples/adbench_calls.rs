//! Calls one ADBench function a given number of times and nothing else, for
//! counting instructions per call under valgrind (`benches/instructions.sh`):
//! on a machine whose speed moves between runs, instruction counts do not.
//!
//! Run: `cargo run --release --example adbench_calls -- <problem> <function> <calls>`
//! with `<problem>` one of `gmm1k`, `gmm10k`, `ba`, `lstm`, `lstm_modular` and
//! `<function>` one of `objective`, `ad`, `hand` (for BA: the residuals, the
//! Jacobian from `_vjp_many` blocks, the hand-written Jacobian; for
//! `lstm_modular`: ADBench's decomposition in four helpers, its gradient
//! generated and written by hand in the same decomposition). Zero calls
//! measures the set-up (reading the file), which the script subtracts.

#[path = "../adbench/ba.rs"]
mod ba;
#[path = "../adbench/gmm.rs"]
mod gmm;
#[path = "../adbench/gmm_manual.rs"]
mod gmm_manual;
#[path = "../adbench/lstm.rs"]
mod lstm;
#[path = "../adbench/lstm_modular.rs"]
mod lstm_modular;
#[path = "../adbench/lstm_modular_manual.rs"]
mod lstm_modular_manual;

use std::hint::black_box;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage =
        "usage: adbench_calls <gmm1k|gmm10k|ba|lstm|lstm_modular> <objective|ad|hand> <calls>";
    let [_, problem, function, calls] = args.as_slice() else {
        eprintln!("{usage}");
        std::process::exit(2)
    };
    let calls: usize = calls.parse().expect("a number of calls");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/adbench");
    match problem.as_str() {
        "gmm1k" | "gmm10k" => {
            let file = if problem == "gmm1k" {
                "gmm_1k_d2_K5.txt"
            } else {
                "gmm_10k_d2_K5.txt"
            };
            let g = gmm::read_gmm(&data.join("gmm").join(file), false).expect("GMM file");
            let theta = g.theta();
            let (x, d, k, n, gamma, m) = (&g.x, g.d, g.k, g.n, g.wishart_gamma, g.wishart_m);
            let mut grad = vec![0.0; theta.len()];
            for _ in 0..calls {
                match function.as_str() {
                    "objective" => {
                        black_box(gmm::gmm_objective(black_box(&theta), x, d, k, n, gamma, m));
                    }
                    "ad" => {
                        black_box(gmm::gmm_objective_grad(
                            black_box(&theta),
                            x,
                            d,
                            k,
                            n,
                            gamma,
                            m,
                        ));
                    }
                    _ => {
                        let t = black_box(&theta);
                        gmm_manual::gmm_objective_grad_manual(t, x, d, k, n, gamma, m, &mut grad);
                    }
                }
            }
            black_box(&grad);
        }
        "ba" => {
            let input = ba::read_ba(&data.join("ba/ba1_n49_m7776_p31843.txt")).expect("BA file");
            let mut jac = ba::BaSparseMat::new(&input);
            let mut residuals = vec![0.0; 3 * input.p];
            for _ in 0..calls {
                match function.as_str() {
                    "objective" => ba::residuals_into(black_box(&input), &mut residuals),
                    "ad" => ba::jacobian_into(black_box(&input), &mut jac, ba::block_ad_reverse),
                    _ => ba::jacobian_into(black_box(&input), &mut jac, ba::block_manual),
                }
            }
            black_box((&residuals, &jac));
        }
        "lstm" => {
            let input = lstm::read_lstm(&data.join("lstm/lstm_l2_c1024.txt")).expect("LSTM file");
            let (l, c, b) = (input.l, input.c, input.b);
            let (state, seq) = (&input.state, &input.sequence);
            let theta = input.theta();
            let mut tape = lstm::LstmTape::default();
            let mut grad = vec![0.0; theta.len()];
            for _ in 0..calls {
                match function.as_str() {
                    "objective" => {
                        black_box(lstm::lstm_objective(black_box(&theta), state, seq, l, c, b));
                    }
                    "ad" => {
                        black_box(lstm::lstm_objective_grad(
                            black_box(&theta),
                            state,
                            seq,
                            l,
                            c,
                            b,
                        ));
                    }
                    _ => {
                        lstm::lstm_grad_manual(&input, black_box(&theta), &mut tape, &mut grad);
                    }
                }
            }
            black_box(&grad);
        }
        "lstm_modular" => {
            let input = lstm::read_lstm(&data.join("lstm/lstm_l2_c1024.txt")).expect("LSTM file");
            let (l, c, b) = (input.l, input.c, input.b);
            let (state, seq) = (&input.state, &input.sequence);
            let theta = input.theta();
            for _ in 0..calls {
                let t = black_box(&theta);
                match function.as_str() {
                    "objective" => {
                        black_box(lstm_modular::lstm_objective_modular(t, state, seq, l, c, b));
                    }
                    "ad" => {
                        black_box(lstm_modular::lstm_objective_modular_grad(
                            t, state, seq, l, c, b,
                        ));
                    }
                    _ => {
                        black_box(lstm_modular_manual::lstm_objective_modular_grad_manual(
                            t, state, seq, l, c, b,
                        ));
                    }
                }
            }
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2)
        }
    }
}
