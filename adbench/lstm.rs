//! ADBench's LSTM objective (a diagonal-weight LSTM language-model loss) as
//! ordinary Rust differentiated by `#[differentiate]`, a hand-written
//! backpropagation through time (ADBench's "Manual"), and a reader for
//! ADBench's LSTM input files.
//!
//! The objective follows ADBench's C++ reference (`src/cpp/shared/lstm.h` of
//! microsoft/ADBench), quirks included: the input and change gates read the
//! layer's old hidden state and the forget and output gates read its input,
//! all weights are diagonal (elementwise), and the log-normalisation adds 2
//! inside the logarithm, `y - log(sum(exp(y)) + 2)`.
//!
//! A plain module file, shared by `examples/lstm.rs`, `tests/adbench_lstm.rs`
//! and `benches/lstm.rs` through `#[path = "../adbench/lstm.rs"] mod lstm;`.
// Each includer uses a part of it.
#![allow(dead_code)]

use ad::differentiate;

/// An LSTM instance as ADBench's `read_lstm_instance` reads it.
#[derive(Clone, Debug)]
pub struct LstmInput {
    /// Number of layers.
    pub l: usize,
    /// Sequence length (characters).
    pub c: usize,
    /// Width of a layer (characters of the alphabet).
    pub b: usize,
    /// `8 l b` main parameters: per layer, `weight[4 b]` then `bias[4 b]`,
    /// each as forget, input, output, change gates.
    pub main_params: Vec<f64>,
    /// `3 b` extra parameters: `in_weight[b]`, `out_weight[b]`, `out_bias[b]`.
    pub extra_params: Vec<f64>,
    /// `2 l b` initial state: per layer, `hidden[b]` then `cell[b]`.
    pub state: Vec<f64>,
    /// `c b` sequence values.
    pub sequence: Vec<f64>,
}

impl LstmInput {
    /// The parameters in ADBench's gradient order: `[main (8 l b), extra (3 b)]`.
    pub fn theta(&self) -> Vec<f64> {
        let mut theta = self.main_params.clone();
        theta.extend_from_slice(&self.extra_params);
        theta
    }

    /// The objective at the file's parameters.
    pub fn objective(&self) -> f64 {
        lstm_objective(
            &self.theta(),
            &self.state,
            &self.sequence,
            self.l,
            self.c,
            self.b,
        )
    }
}

/// Parses ADBench's LSTM format: `l c b`, then `8 l b` main parameters,
/// `3 b` extra parameters, `2 l b` state values and `c b` sequence values,
/// separated by any whitespace.
pub fn parse_lstm(text: &str) -> Result<LstmInput, String> {
    let mut tokens = text.split_whitespace();
    let mut next = |what: &str| -> Result<&str, String> {
        tokens
            .next()
            .ok_or_else(|| format!("LSTM file ends before {what}"))
    };
    let int = |s: &str, what: &str| -> Result<usize, String> {
        s.parse::<usize>()
            .map_err(|e| format!("LSTM file: {what}: {s:?}: {e}"))
    };
    let l = int(next("l")?, "l")?;
    let c = int(next("c")?, "c")?;
    let b = int(next("b")?, "b")?;
    let mut read = |count: usize, what: &str| -> Result<Vec<f64>, String> {
        let mut v = Vec::with_capacity(count);
        for _ in 0..count {
            let s = next(what)?;
            v.push(
                s.parse::<f64>()
                    .map_err(|e| format!("LSTM file: {what}: {s:?}: {e}"))?,
            );
        }
        Ok(v)
    };
    let main_params = read(8 * l * b, "the main parameters")?;
    let extra_params = read(3 * b, "the extra parameters")?;
    let state = read(2 * l * b, "the state")?;
    let sequence = read(c * b, "the sequence")?;
    Ok(LstmInput {
        l,
        c,
        b,
        main_params,
        extra_params,
        state,
        sequence,
    })
}

/// Reads an ADBench LSTM file (see [`parse_lstm`]).
pub fn read_lstm(path: &std::path::Path) -> Result<LstmInput, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_lstm(&text)
}

/// ADBench's `lstm_objective` over `theta = [main (8 l b), extra (3 b)]`
/// (active), the initial `state` (`2 l b`, per layer hidden then cell) and
/// the `sequence` (`c b`):
///
/// ```text
/// for t in 0..c-1:
///     x = s_t * in_weight
///     for each layer: f = sigmoid(x Wf + bf); i = sigmoid(h Wi + bi)
///                     o = sigmoid(x Wo + bo); g = tanh(h Wc + bc)
///                     cell = cell f + i g; h = o tanh(cell); x = h
///     y = x * out_weight + out_bias;  yn = y - log(sum(exp(y)) + 2)
///     total += dot(s_{t+1}, yn)
/// loss = -total / ((c - 1) b)
/// ```
///
/// `lstm_predict`, `lstm_model` (with ADBench's `sigmoid(x) = 1 / (1 +
/// exp(-x))`) and `lognormalize` are inlined: a call passes its arguments
/// to the callee's reverse mode, which runs the callee's forward sweep again
/// (joint mode), so helpers cost a second forward pass. ADBench computes a layer's four gates for every
/// entry, then the cells, then the hidden values; each entry depends on its
/// own gates only, so one loop over the entries computes the same values.
// The state is copied element by element: `copy_from_slice` is not
// differentiated.
#[allow(clippy::manual_memcpy)]
#[differentiate(wrt(theta))]
pub fn lstm_objective(
    theta: &[f64],
    state: &[f64],
    sequence: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> f64 {
    // Offset of the extra parameters in theta.
    let eo = 8 * l * b;
    // The state, as ADBench's (per layer hidden[b] then cell[b]) after a
    // first block holding the first layer's input x[b] (and b unused
    // entries): the input of layer k is then always at 2 b k, x for the
    // first layer and the hidden values of the layer below for the others
    // (ADBench's `xp`), and no branch picks it.
    let mut s = vec![0.0; 2 * (l + 1) * b];
    for i in 0..2 * l * b {
        s[2 * b + i] = state[i];
    }
    let mut y = vec![0.0; b];
    let mut total = 0.0;
    for t in 0..c - 1 {
        // lstm_predict: the input times in_weight.
        for i in 0..b {
            s[i] = sequence[t * b + i] * theta[eo + i];
        }
        for layer in 0..l {
            // Offsets of the layer's weight and bias in theta, and of its
            // input, hidden and cell values in s.
            let wo = 8 * b * layer;
            let bo = wo + 4 * b;
            let xo = 2 * b * layer;
            let ho = xo + 2 * b;
            let co = ho + b;
            for i in 0..b {
                // Each exp and tanh value is kept for the reverse sweep
                // (saved per entry) instead of computed again there. The
                // state is read in place (no `let` copies to keep).
                let e_f = (-(s[xo + i] * theta[wo + i] + theta[bo + i])).exp();
                let forget = 1.0 / (1.0 + e_f);
                let e_i = (-(s[ho + i] * theta[wo + b + i] + theta[bo + b + i])).exp();
                let ingate = 1.0 / (1.0 + e_i);
                let e_o = (-(s[xo + i] * theta[wo + 2 * b + i] + theta[bo + 2 * b + i])).exp();
                let outgate = 1.0 / (1.0 + e_o);
                let change = (s[ho + i] * theta[wo + 3 * b + i] + theta[bo + 3 * b + i]).tanh();
                s[co + i] = s[co + i] * forget + ingate * change;
                let tc = s[co + i].tanh();
                s[ho + i] = outgate * tc;
            }
        }
        // The prediction from the last layer's hidden values.
        let top = 2 * b * l;
        for i in 0..b {
            y[i] = s[top + i] * theta[eo + b + i] + theta[eo + 2 * b + i];
        }
        // lognormalize: y - logsumexp(y), ADBench's logsumexp adding 2.
        let mut sumexp = 0.0;
        for i in 0..b {
            sumexp += y[i].exp();
        }
        sumexp += 2.0;
        let lse = sumexp.ln();
        for i in 0..b {
            total += sequence[(t + 1) * b + i] * (y[i] - lse);
        }
    }
    let count = ((c - 1) * b) as f64;
    -total / count
}

/// `1 / (1 + exp(-x))`, ADBench's `sigmoid`.
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Working storage of [`lstm_grad_manual`], kept between calls.
#[derive(Clone, Debug, Default)]
pub struct LstmTape {
    /// Hidden and cell values before each step: `(c) x 2 l b`.
    states: Vec<f64>,
    /// Per step, layer and entry: forget, in, out, change gates and
    /// `tanh(cell)`, `(c - 1) x l x 5 b`.
    gates: Vec<f64>,
    /// Per step: `exp(y) / (sum(exp(y)) + 2)`, `(c - 1) x b`.
    softmax: Vec<f64>,
}

/// The objective and its gradient by hand (ADBench's "Manual"):
/// backpropagation through time. The forward pass stores the states before
/// each step and the gates; the backward pass walks the steps and layers in
/// reverse, carrying the hidden and cell cotangents. The gradient is written
/// into `grad` (length `8 l b + 3 b`).
pub fn lstm_grad_manual(
    input: &LstmInput,
    theta: &[f64],
    tape: &mut LstmTape,
    grad: &mut [f64],
) -> f64 {
    let (l, c, b) = (input.l, input.c, input.b);
    let seq = &input.sequence;
    let eo = 8 * l * b;
    let sz = 2 * l * b;
    let steps = c - 1;
    tape.states.clear();
    tape.states.resize(c * sz, 0.0);
    tape.gates.clear();
    tape.gates.resize(steps * l * 5 * b, 0.0);
    tape.softmax.clear();
    tape.softmax.resize(steps * b, 0.0);
    tape.states[..sz].copy_from_slice(&input.state);

    // Forward.
    let mut total = 0.0;
    let mut y = vec![0.0; b];
    for t in 0..steps {
        let (before, after) = tape.states.split_at_mut((t + 1) * sz);
        let old = &before[t * sz..];
        let new = &mut after[..sz];
        for layer in 0..l {
            let wo = 8 * b * layer;
            let bo = wo + 4 * b;
            let ho = 2 * b * layer;
            let co = ho + b;
            let gates = &mut tape.gates[(t * l + layer) * 5 * b..(t * l + layer + 1) * 5 * b];
            for i in 0..b {
                let xin = if layer == 0 {
                    seq[t * b + i] * theta[eo + i]
                } else {
                    new[ho - 2 * b + i]
                };
                let h = old[ho + i];
                let f = sigmoid(xin * theta[wo + i] + theta[bo + i]);
                let ig = sigmoid(h * theta[wo + b + i] + theta[bo + b + i]);
                let o = sigmoid(xin * theta[wo + 2 * b + i] + theta[bo + 2 * b + i]);
                let g = (h * theta[wo + 3 * b + i] + theta[bo + 3 * b + i]).tanh();
                let cell = old[co + i] * f + ig * g;
                let tc = cell.tanh();
                new[co + i] = cell;
                new[ho + i] = o * tc;
                gates[i] = f;
                gates[b + i] = ig;
                gates[2 * b + i] = o;
                gates[3 * b + i] = g;
                gates[4 * b + i] = tc;
            }
        }
        let top = 2 * b * (l - 1);
        let mut sumexp = 0.0;
        for i in 0..b {
            y[i] = new[top + i] * theta[eo + b + i] + theta[eo + 2 * b + i];
            sumexp += y[i].exp();
        }
        sumexp += 2.0;
        let lse = sumexp.ln();
        let softmax = &mut tape.softmax[t * b..(t + 1) * b];
        for i in 0..b {
            total += seq[(t + 1) * b + i] * (y[i] - lse);
            softmax[i] = y[i].exp() / sumexp;
        }
    }
    let count = (steps * b) as f64;
    let loss = -total / count;

    // Backward.
    grad.iter_mut().for_each(|g| *g = 0.0);
    let total_bar = -1.0 / count;
    // Cotangents of the hidden and cell values carried to the step before.
    let mut dh = vec![0.0; sz];
    let mut dc = vec![0.0; sz];
    for t in (0..steps).rev() {
        let old = &tape.states[t * sz..(t + 1) * sz];
        let new = &tape.states[(t + 1) * sz..(t + 2) * sz];
        // y - lse: dy_i = dyn_i - softmax_i sum(dyn).
        let target = &seq[(t + 1) * b..(t + 2) * b];
        let softmax = &tape.softmax[t * b..(t + 1) * b];
        let sum_dyn: f64 = target.iter().map(|s| total_bar * s).sum();
        let top = 2 * b * (l - 1);
        for i in 0..b {
            let dy = total_bar * target[i] - softmax[i] * sum_dyn;
            grad[eo + b + i] += dy * new[top + i];
            grad[eo + 2 * b + i] += dy;
            dh[top + i] += dy * theta[eo + b + i];
        }
        for layer in (0..l).rev() {
            let wo = 8 * b * layer;
            let bo = wo + 4 * b;
            let ho = 2 * b * layer;
            let co = ho + b;
            let gates = &tape.gates[(t * l + layer) * 5 * b..(t * l + layer + 1) * 5 * b];
            for i in 0..b {
                let (f, ig, o, g, tc) = (
                    gates[i],
                    gates[b + i],
                    gates[2 * b + i],
                    gates[3 * b + i],
                    gates[4 * b + i],
                );
                let xin = if layer == 0 {
                    seq[t * b + i] * theta[eo + i]
                } else {
                    new[ho - 2 * b + i]
                };
                let h = old[ho + i];
                let dhi = dh[ho + i];
                let dcell = dc[co + i] + dhi * o * (1.0 - tc * tc);
                let dzf = dcell * old[co + i] * f * (1.0 - f);
                let dzi = dcell * g * ig * (1.0 - ig);
                let dzo = dhi * tc * o * (1.0 - o);
                let dzg = dcell * ig * (1.0 - g * g);
                grad[wo + i] += dzf * xin;
                grad[bo + i] += dzf;
                grad[wo + b + i] += dzi * h;
                grad[bo + b + i] += dzi;
                grad[wo + 2 * b + i] += dzo * xin;
                grad[bo + 2 * b + i] += dzo;
                grad[wo + 3 * b + i] += dzg * h;
                grad[bo + 3 * b + i] += dzg;
                let dxin = dzf * theta[wo + i] + dzo * theta[wo + 2 * b + i];
                // Carried to the step before: the old hidden and cell values.
                dh[ho + i] = dzi * theta[wo + b + i] + dzg * theta[wo + 3 * b + i];
                dc[co + i] = dcell * f;
                if layer == 0 {
                    grad[eo + i] += dxin * seq[t * b + i];
                } else {
                    dh[ho - 2 * b + i] += dxin;
                }
            }
        }
    }
    loss
}
