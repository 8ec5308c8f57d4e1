//! ADBench's LSTM objective in ADBench's own decomposition: `sigmoid`,
//! `lstm_model` (one layer, one step), `lstm_predict` (all layers, one step),
//! `lognormalize` and the objective, each a separate differentiated function
//! over sub-slices, as in ADBench's C++ reference (`src/cpp/shared/lstm.h`).
//! `adbench/lstm.rs` has the same objective written as one function;
//! `benches/paired.rs` compares the two gradients.
//!
//! Reverse mode calls the helpers in split mode: each forward sweep runs
//! once, saving on the objective's stream, and the reverse sweep calls each
//! helper's pullback, which adds the cotangents of the sub-slices straight
//! into its caller's cotangent arrays. The results' `Vec`s are moved, not
//! copied, into and out of the tuples. What it costs beyond the
//! one-function gradient is the decomposition's own: each call returns
//! fresh `Vec`s (the primal's allocations, which the one-function objective
//! does not make either), and the reverse sweep allocates a few cotangent
//! `Vec`s per step (BENCHMARKS.md, "ADBench LSTM").
//!
//! A plain module file, included with
//! `#[path = "../adbench/lstm_modular.rs"] mod lstm_modular;`.
#![allow(dead_code)]

use ad::differentiate;

/// ADBench's `sigmoid`: `1 / (1 + exp(-x))`.
#[differentiate]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// ADBench's `lstm_model`: one layer's step. `weight` and `bias` hold the
/// forget, input, output and change gates' diagonal weights (`4 b` each);
/// returns the new hidden and cell values.
#[differentiate]
pub fn lstm_model(
    weight: &[f64],
    bias: &[f64],
    hidden: &[f64],
    cell: &[f64],
    input: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let b = hidden.len();
    let mut new_hidden = vec![0.0; b];
    let mut new_cell = vec![0.0; b];
    for i in 0..b {
        let forget = sigmoid(input[i] * weight[i] + bias[i]);
        let ingate = sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
        let outgate = sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
        let change = (hidden[i] * weight[3 * b + i] + bias[3 * b + i]).tanh();
        new_cell[i] = cell[i] * forget + ingate * change;
        new_hidden[i] = outgate * new_cell[i].tanh();
    }
    (new_hidden, new_cell)
}

/// ADBench's `lstm_predict`: every layer's step on the input `x`, then the
/// output layer. `state` is `2 l b` (per layer hidden then cell); returns
/// the new state and the prediction.
#[differentiate]
pub fn lstm_predict(
    main: &[f64],
    extra: &[f64],
    state: &[f64],
    x: &[f64],
    l: usize,
) -> (Vec<f64>, Vec<f64>) {
    let b = x.len();
    let mut new_state = state.to_vec();
    let mut xp = vec![0.0; b];
    for i in 0..b {
        xp[i] = x[i] * extra[i];
    }
    for layer in 0..l {
        let (wo, so) = (8 * b * layer, 2 * b * layer);
        let (hidden, cell) = lstm_model(
            &main[wo..wo + 4 * b],
            &main[wo + 4 * b..wo + 8 * b],
            &state[so..so + b],
            &state[so + b..so + 2 * b],
            &xp,
        );
        for i in 0..b {
            new_state[so + i] = hidden[i];
            new_state[so + b + i] = cell[i];
        }
        xp = hidden;
    }
    let mut y = vec![0.0; b];
    for i in 0..b {
        y[i] = xp[i] * extra[b + i] + extra[2 * b + i];
    }
    (new_state, y)
}

/// ADBench's `lognormalize`: `y - log(sum(exp(y)) + 2)`.
#[differentiate]
pub fn lognormalize(y: &[f64]) -> Vec<f64> {
    let mut sumexp = 0.0;
    for i in 0..y.len() {
        sumexp += y[i].exp();
    }
    let lse = (sumexp + 2.0).ln();
    let mut out = vec![0.0; y.len()];
    for i in 0..y.len() {
        out[i] = y[i] - lse;
    }
    out
}

/// ADBench's `lstm_objective` over `theta = [main (8 l b), extra (3 b)]`,
/// as `adbench/lstm.rs`'s `lstm_objective`.
#[differentiate(wrt(theta))]
pub fn lstm_objective_modular(
    theta: &[f64],
    state: &[f64],
    sequence: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> f64 {
    let eo = 8 * l * b;
    let mut s = state.to_vec();
    let mut total = 0.0;
    for t in 0..c - 1 {
        let (next, y) = lstm_predict(
            &theta[..eo],
            &theta[eo..],
            &s,
            &sequence[t * b..(t + 1) * b],
            l,
        );
        s = next;
        let yn = lognormalize(&y);
        for i in 0..b {
            total += sequence[(t + 1) * b + i] * yn[i];
        }
    }
    -total / ((c - 1) * b) as f64
}
