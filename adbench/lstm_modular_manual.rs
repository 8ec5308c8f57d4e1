//! The gradient of ADBench's modular LSTM objective (`adbench/lstm_modular.rs`)
//! written by hand, in the same decomposition: `sigmoid`, `lstm_model`,
//! `lstm_predict`, `lognormalize` and the objective. It is the floor of what
//! the decomposition costs when its reverse mode is written by hand, against
//! which the generated `lstm_objective_modular_grad` is judged
//! (`benches/paired.rs`); `adbench/lstm.rs`'s `lstm_grad_manual` is the
//! one-function algorithm written by hand.
//!
//! Each helper has a forward function, which computes the helper's outputs
//! as the modular primal does (the same fresh `Vec`s) and returns a record of
//! what its backward needs, and a backward function, which takes the output
//! cotangents and adds the input cotangents into slices its caller provides.
//! The backward functions call each other as the primal functions do:
//! objective -> `lstm_predict_backward` -> `lstm_model_backward` ->
//! `sigmoid_backward`, and objective -> `lognormalize_backward`. The inputs a
//! backward reads (weights, states, layer inputs) are not copied into the
//! records: the parameters are the caller's, the state before each step is
//! moved into the objective's per-step record (the primal drops it), and a
//! layer's input is moved into `lstm_predict`'s record when the next layer's
//! hidden values replace it (the primal drops it there too).
//!
//! A plain module file, included with
//! `#[path = "../adbench/lstm_modular_manual.rs"] mod lstm_modular_manual;`.
// Each includer uses a part of it.
// The loops index several slices with the same index, as the primal does.
#![allow(dead_code, clippy::needless_range_loop)]

/// ADBench's `sigmoid`: `1 / (1 + exp(-x))`. Its output is all its backward
/// needs.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The cotangent of `x` from the output `s = sigmoid(x)` and its cotangent.
pub fn sigmoid_backward(s: f64, s_bar: f64) -> f64 {
    s_bar * s * (1.0 - s)
}

/// What [`lstm_model_backward`] needs of one entry: the four gates and the
/// new cell's `tanh`.
#[derive(Clone, Copy, Debug)]
pub struct Gates {
    forget: f64,
    ingate: f64,
    outgate: f64,
    change: f64,
    tanh_cell: f64,
}

/// ADBench's `lstm_model` (one layer, one step): the new hidden and cell
/// values, and each entry's [`Gates`].
pub fn lstm_model_forward(
    weight: &[f64],
    bias: &[f64],
    hidden: &[f64],
    cell: &[f64],
    input: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<Gates>) {
    let b = hidden.len();
    let mut new_hidden = vec![0.0; b];
    let mut new_cell = vec![0.0; b];
    let mut gates = Vec::with_capacity(b);
    for i in 0..b {
        let forget = sigmoid(input[i] * weight[i] + bias[i]);
        let ingate = sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
        let outgate = sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
        let change = (hidden[i] * weight[3 * b + i] + bias[3 * b + i]).tanh();
        new_cell[i] = cell[i] * forget + ingate * change;
        let tanh_cell = new_cell[i].tanh();
        new_hidden[i] = outgate * tanh_cell;
        gates.push(Gates {
            forget,
            ingate,
            outgate,
            change,
            tanh_cell,
        });
    }
    (new_hidden, new_cell, gates)
}

/// The backward of [`lstm_model_forward`]: from the cotangents of the new
/// hidden and cell values, adds those of the weight, bias, hidden, cell and
/// input slices.
#[allow(clippy::too_many_arguments)]
pub fn lstm_model_backward(
    weight: &[f64],
    hidden: &[f64],
    cell: &[f64],
    input: &[f64],
    gates: &[Gates],
    new_hidden_bar: &[f64],
    new_cell_bar: &[f64],
    weight_bar: &mut [f64],
    bias_bar: &mut [f64],
    hidden_bar: &mut [f64],
    cell_bar: &mut [f64],
    input_bar: &mut [f64],
) {
    let b = hidden.len();
    for i in 0..b {
        let g = gates[i];
        let cell_i_bar =
            new_cell_bar[i] + new_hidden_bar[i] * g.outgate * (1.0 - g.tanh_cell * g.tanh_cell);
        let forget_z = sigmoid_backward(g.forget, cell_i_bar * cell[i]);
        let ingate_z = sigmoid_backward(g.ingate, cell_i_bar * g.change);
        let outgate_z = sigmoid_backward(g.outgate, new_hidden_bar[i] * g.tanh_cell);
        let change_z = cell_i_bar * g.ingate * (1.0 - g.change * g.change);
        weight_bar[i] += forget_z * input[i];
        bias_bar[i] += forget_z;
        weight_bar[b + i] += ingate_z * hidden[i];
        bias_bar[b + i] += ingate_z;
        weight_bar[2 * b + i] += outgate_z * input[i];
        bias_bar[2 * b + i] += outgate_z;
        weight_bar[3 * b + i] += change_z * hidden[i];
        bias_bar[3 * b + i] += change_z;
        input_bar[i] += forget_z * weight[i] + outgate_z * weight[2 * b + i];
        hidden_bar[i] += ingate_z * weight[b + i] + change_z * weight[3 * b + i];
        cell_bar[i] += cell_i_bar * g.forget;
    }
}

/// What [`lstm_predict_backward`] needs of one step.
#[derive(Clone, Debug)]
pub struct PredictRecord {
    /// Each layer's input, then the last layer's hidden values (the output
    /// layer's input): `l + 1` vectors of `b`.
    inputs: Vec<Vec<f64>>,
    /// Each layer's [`lstm_model_forward`] record.
    layers: Vec<Vec<Gates>>,
}

/// ADBench's `lstm_predict`: every layer's step on the input `x`, then the
/// output layer. Returns the new state (`2 l b`, per layer hidden then cell),
/// the prediction and the record.
pub fn lstm_predict_forward(
    main: &[f64],
    extra: &[f64],
    state: &[f64],
    x: &[f64],
    l: usize,
) -> (Vec<f64>, Vec<f64>, PredictRecord) {
    let b = x.len();
    let mut new_state = state.to_vec();
    let mut xp = vec![0.0; b];
    for i in 0..b {
        xp[i] = x[i] * extra[i];
    }
    let mut inputs = Vec::with_capacity(l + 1);
    let mut layers = Vec::with_capacity(l);
    for layer in 0..l {
        let (wo, so) = (8 * b * layer, 2 * b * layer);
        let (hidden, cell, gates) = lstm_model_forward(
            &main[wo..wo + 4 * b],
            &main[wo + 4 * b..wo + 8 * b],
            &state[so..so + b],
            &state[so + b..so + 2 * b],
            &xp,
        );
        new_state[so..so + b].copy_from_slice(&hidden);
        new_state[so + b..so + 2 * b].copy_from_slice(&cell);
        inputs.push(std::mem::replace(&mut xp, hidden));
        layers.push(gates);
    }
    let mut y = vec![0.0; b];
    for i in 0..b {
        y[i] = xp[i] * extra[b + i] + extra[2 * b + i];
    }
    inputs.push(xp);
    (new_state, y, PredictRecord { inputs, layers })
}

/// The backward of [`lstm_predict_forward`]: from the cotangents of the new
/// state and the prediction, adds those of `main`, `extra` and `state`.
/// Every entry of the new state is a layer's output, so the state reaches
/// `state_bar` through [`lstm_model_backward`] only.
#[allow(clippy::too_many_arguments)]
pub fn lstm_predict_backward(
    main: &[f64],
    extra: &[f64],
    state: &[f64],
    x: &[f64],
    record: &PredictRecord,
    new_state_bar: &[f64],
    y_bar: &[f64],
    main_bar: &mut [f64],
    extra_bar: &mut [f64],
    state_bar: &mut [f64],
) {
    let b = x.len();
    let l = record.layers.len();
    // The cotangent of the current layer's output (`xp`), then of its input.
    let mut xp_bar = vec![0.0; b];
    let mut input_bar = vec![0.0; b];
    let top = &record.inputs[l];
    for i in 0..b {
        extra_bar[b + i] += y_bar[i] * top[i];
        extra_bar[2 * b + i] += y_bar[i];
        xp_bar[i] = y_bar[i] * extra[b + i];
    }
    for layer in (0..l).rev() {
        let (wo, so) = (8 * b * layer, 2 * b * layer);
        // The hidden values are both the layer's part of the new state and
        // the next layer's input.
        for i in 0..b {
            xp_bar[i] += new_state_bar[so + i];
        }
        input_bar.fill(0.0);
        let (weight_bar, bias_bar) = main_bar[wo..wo + 8 * b].split_at_mut(4 * b);
        let (hidden_bar, cell_bar) = state_bar[so..so + 2 * b].split_at_mut(b);
        lstm_model_backward(
            &main[wo..wo + 4 * b],
            &state[so..so + b],
            &state[so + b..so + 2 * b],
            &record.inputs[layer],
            &record.layers[layer],
            &xp_bar,
            &new_state_bar[so + b..so + 2 * b],
            weight_bar,
            bias_bar,
            hidden_bar,
            cell_bar,
            &mut input_bar,
        );
        std::mem::swap(&mut xp_bar, &mut input_bar);
    }
    for i in 0..b {
        extra_bar[i] += xp_bar[i] * x[i];
    }
}

/// ADBench's `lognormalize`, `y - log(sum(exp(y)) + 2)`, and what its
/// backward needs: `exp(y) / (sum(exp(y)) + 2)`.
pub fn lognormalize_forward(y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut softmax = vec![0.0; y.len()];
    let mut sumexp = 0.0;
    for i in 0..y.len() {
        softmax[i] = y[i].exp();
        sumexp += softmax[i];
    }
    let lse = (sumexp + 2.0).ln();
    let mut out = vec![0.0; y.len()];
    for i in 0..y.len() {
        out[i] = y[i] - lse;
        softmax[i] /= sumexp + 2.0;
    }
    (out, softmax)
}

/// The backward of [`lognormalize_forward`]: adds the cotangent of `y` from
/// that of the output.
pub fn lognormalize_backward(softmax: &[f64], out_bar: &[f64], y_bar: &mut [f64]) {
    let sum: f64 = out_bar.iter().sum();
    for i in 0..y_bar.len() {
        y_bar[i] += out_bar[i] - softmax[i] * sum;
    }
}

/// What the objective's backward needs of one step.
#[derive(Clone, Debug)]
struct StepRecord {
    /// The state before the step.
    state: Vec<f64>,
    predict: PredictRecord,
    /// [`lognormalize_forward`]'s record.
    softmax: Vec<f64>,
}

/// `lstm_modular::lstm_objective_modular` and its gradient with respect to
/// `theta = [main (8 l b), extra (3 b)]`, by hand in the modular
/// decomposition: the forward calls the helpers' forwards step by step and
/// keeps a [`StepRecord`] per step; the backward walks the steps in reverse,
/// calling `lognormalize_backward` and `lstm_predict_backward` and carrying
/// the state's cotangent to the step before.
pub fn lstm_objective_modular_grad_manual(
    theta: &[f64],
    state: &[f64],
    sequence: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> (f64, Vec<f64>) {
    let eo = 8 * l * b;
    let (main, extra) = theta.split_at(eo);

    // Forward.
    let mut s = state.to_vec();
    let mut total = 0.0;
    let mut steps = Vec::with_capacity(c - 1);
    for t in 0..c - 1 {
        let (next, y, predict) =
            lstm_predict_forward(main, extra, &s, &sequence[t * b..(t + 1) * b], l);
        let (yn, softmax) = lognormalize_forward(&y);
        for i in 0..b {
            total += sequence[(t + 1) * b + i] * yn[i];
        }
        steps.push(StepRecord {
            state: std::mem::replace(&mut s, next),
            predict,
            softmax,
        });
    }
    let count = ((c - 1) * b) as f64;
    let value = -total / count;

    // Backward.
    let mut grad = vec![0.0; theta.len()];
    let (main_bar, extra_bar) = grad.split_at_mut(eo);
    let total_bar = -1.0 / count;
    // The cotangents of the state after and before the step.
    let mut new_state_bar = vec![0.0; 2 * l * b];
    let mut state_bar = vec![0.0; 2 * l * b];
    let mut yn_bar = vec![0.0; b];
    let mut y_bar = vec![0.0; b];
    for (t, step) in steps.iter().enumerate().rev() {
        for i in 0..b {
            yn_bar[i] = total_bar * sequence[(t + 1) * b + i];
        }
        y_bar.fill(0.0);
        lognormalize_backward(&step.softmax, &yn_bar, &mut y_bar);
        state_bar.fill(0.0);
        lstm_predict_backward(
            main,
            extra,
            &step.state,
            &sequence[t * b..(t + 1) * b],
            &step.predict,
            &new_state_bar,
            &y_bar,
            main_bar,
            extra_bar,
            &mut state_bar,
        );
        std::mem::swap(&mut new_state_bar, &mut state_bar);
    }
    (value, grad)
}
