//! ADBench's LSTM objective (`adbench/lstm.rs`) against the JAX reference in
//! `data/adbench/refs` (l = 2 layers, c = 1024 steps, b = 14, ADBench's
//! golden instance): the objective, the gradient from `_grad`, the
//! Hessian-vector product from `_hvp` along `v_i = sin(i + 1)`, each entry
//! within ADBench's tolerance `|x - y| / max(1, |x| + |y|) < 1e-8`; forward
//! mode (`_jvp`) equal to `<gradient, v>`; the hand-written
//! backpropagation against the same reference; and ADBench's modular
//! decomposition (`adbench/lstm_modular.rs`, generated, and
//! `adbench/lstm_modular_manual.rs`, by hand) against the one-function
//! objective.

mod adbench_common;
#[path = "../adbench/lstm.rs"]
mod lstm;

use adbench_common::*;
use lstm::LstmInput;

fn load() -> (LstmInput, String) {
    let input = lstm::read_lstm(&data_path("lstm/lstm_l2_c1024.txt")).unwrap();
    let reference = reference("lstm_l2_c1024.json");
    assert_eq!(json_number(&reference, "l") as usize, input.l);
    assert_eq!(json_number(&reference, "c") as usize, input.c);
    assert_eq!(json_number(&reference, "b") as usize, input.b);
    assert_eq!(
        json_number(&reference, "n_params") as usize,
        input.theta().len()
    );
    (input, reference)
}

/// Objective, gradient, forward mode and HVP in one test: the instance is
/// the benchmark's size, and the debug build runs each pass once.
#[test]
fn lstm_l2_c1024_matches_jax() {
    let (g, reference) = load();
    let theta = g.theta();
    let (l, c, b) = (g.l, g.c, g.b);
    let value = lstm::lstm_objective(&theta, &g.state, &g.sequence, l, c, b);
    assert_value_matches("objective", value, json_number(&reference, "objective"));

    let (value_grad, gradient) = lstm::lstm_objective_grad(&theta, &g.state, &g.sequence, l, c, b);
    assert_eq!(value_grad, value, "the value from _grad is the objective");
    let reference_gradient = json_numbers(&reference, "gradient");
    assert_entries_match("gradient", &gradient, &reference_gradient);

    let v = sin_vector(theta.len());
    let (value_jvp, derivative) =
        lstm::lstm_objective_jvp(&theta, &v, &g.state, &g.sequence, l, c, b);
    assert_eq!(value_jvp, value, "the value from _jvp is the objective");
    let expected: f64 = reference_gradient.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert_value_matches("jvp along v vs <JAX gradient, v>", derivative, expected);

    let (value_hvp, gradient_hvp, hv) =
        lstm::lstm_objective_hvp(&theta, &v, &g.state, &g.sequence, l, c, b);
    assert_eq!(value_hvp, value, "the value from _hvp is the objective");
    assert_entries_match("gradient from _hvp", &gradient_hvp, &reference_gradient);
    assert_entries_match("hvp", &hv, &json_numbers(&reference, "hvp"));
}

#[test]
fn hand_written_gradient_matches_jax() {
    let (g, reference) = load();
    let theta = g.theta();
    let mut tape = lstm::LstmTape::default();
    let mut gradient = vec![0.0; theta.len()];
    let value = lstm::lstm_grad_manual(&g, &theta, &mut tape, &mut gradient);
    assert_value_matches(
        "hand-written objective",
        value,
        json_number(&reference, "objective"),
    );
    assert_entries_match(
        "hand-written gradient",
        &gradient,
        &json_numbers(&reference, "gradient"),
    );
    // Reusing the tape gives the same result.
    let mut again = vec![1.0; theta.len()];
    assert_eq!(
        lstm::lstm_grad_manual(&g, &theta, &mut tape, &mut again),
        value
    );
    assert_eq!(again, gradient);
}

/// The reader keeps ADBench's layout: sizes, first and last values.
#[test]
fn reader_reads_adbench_layout() {
    let (g, _) = load();
    assert_eq!((g.l, g.c, g.b), (2, 1024, 14));
    assert_eq!(g.main_params.len(), 8 * 2 * 14);
    assert_eq!(g.main_params[0], 0.7477620204927391);
    assert_eq!(g.extra_params.len(), 3 * 14);
    assert_eq!(g.state.len(), 2 * 2 * 14);
    assert_eq!(g.sequence.len(), 1024 * 14);
    assert!(lstm::parse_lstm("1 3 2\n0.5 0.5\n").is_err());
}

#[path = "../adbench/lstm_modular.rs"]
mod lstm_modular;

/// ADBench's decomposition into helpers over sub-slices gives the value,
/// gradient and Hessian-vector product of the one-function objective.
#[test]
fn modular_objective_matches_the_monolithic_one() {
    let (g, _) = load();
    let theta = g.theta();
    let (l, c, b) = (g.l, g.c.min(20), g.b);
    let seq = &g.sequence[..c * b];
    let value = lstm::lstm_objective(&theta, &g.state, seq, l, c, b);
    let modular = lstm_modular::lstm_objective_modular(&theta, &g.state, seq, l, c, b);
    assert!(
        (value - modular).abs() <= 1e-13 * value.abs(),
        "{value} {modular}"
    );
    let (_, grad) = lstm::lstm_objective_grad(&theta, &g.state, seq, l, c, b);
    let (v2, grad2) = lstm_modular::lstm_objective_modular_grad(&theta, &g.state, seq, l, c, b);
    assert_eq!(v2, modular);
    ad::check::compare(&grad2, &grad).assert_close(1e-12, 1e-10);
    let v: Vec<f64> = (0..theta.len())
        .map(|i| ((i % 7) as f64 - 3.0) * 0.1)
        .collect();
    let (_, _, hv) = lstm::lstm_objective_hvp(&theta, &v, &g.state, seq, l, c, b);
    let (_, _, hv2) = lstm_modular::lstm_objective_modular_hvp(&theta, &v, &g.state, seq, l, c, b);
    ad::check::compare(&hv2, &hv).assert_close(1e-12, 1e-9);
}

#[path = "../adbench/lstm_modular_manual.rs"]
mod lstm_modular_manual;

/// The modular decomposition's gradient written by hand gives the
/// one-function objective's value and generated gradient on the whole
/// instance.
#[test]
fn hand_written_modular_gradient_matches_the_monolithic_one() {
    let (g, _) = load();
    let theta = g.theta();
    let (l, c, b) = (g.l, g.c, g.b);
    let value = lstm::lstm_objective(&theta, &g.state, &g.sequence, l, c, b);
    let (_, grad) = lstm::lstm_objective_grad(&theta, &g.state, &g.sequence, l, c, b);
    let (v2, grad2) = lstm_modular_manual::lstm_objective_modular_grad_manual(
        &theta,
        &g.state,
        &g.sequence,
        l,
        c,
        b,
    );
    assert_eq!(v2, value);
    ad::check::compare(&grad2, &grad).assert_close(1e-9, 1e-9);
}
