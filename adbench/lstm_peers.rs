//! ADBench's LSTM objective over any [`Scalar`], for the peer benchmarks
//! (`benches/lstm.rs`, group `lstm_peers`): the gradient from the `reverse`
//! crate's tape and from `num_dual::Dual64` (one forward pass per parameter,
//! 266 on l2 c1024), through `super::peers`.
#![allow(dead_code)]

use super::peers::Scalar;

/// `lstm_objective` of `adbench/lstm.rs`, operation by operation, over `T`
/// (`1 / (1 + e)` as `(e + 1).recip()`).
pub fn lstm_objective_generic<T: Scalar>(
    theta: &[T],
    state: &[f64],
    sequence: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> T {
    let zero = theta[0].constant(0.0);
    let eo = 8 * l * b;
    let mut s = vec![zero; 2 * (l + 1) * b];
    for i in 0..2 * l * b {
        s[2 * b + i] = zero.constant(state[i]);
    }
    let mut y = vec![zero; b];
    let mut total = zero;
    for t in 0..c - 1 {
        for i in 0..b {
            s[i] = theta[eo + i] * sequence[t * b + i];
        }
        for layer in 0..l {
            let wo = 8 * b * layer;
            let bo = wo + 4 * b;
            let xo = 2 * b * layer;
            let ho = xo + 2 * b;
            let co = ho + b;
            for i in 0..b {
                let e_f = (-(s[xo + i] * theta[wo + i] + theta[bo + i])).exp();
                let forget = (e_f + 1.0).recip();
                let e_i = (-(s[ho + i] * theta[wo + b + i] + theta[bo + b + i])).exp();
                let ingate = (e_i + 1.0).recip();
                let e_o = (-(s[xo + i] * theta[wo + 2 * b + i] + theta[bo + 2 * b + i])).exp();
                let outgate = (e_o + 1.0).recip();
                let change = (s[ho + i] * theta[wo + 3 * b + i] + theta[bo + 3 * b + i]).tanh();
                s[co + i] = s[co + i] * forget + ingate * change;
                s[ho + i] = outgate * s[co + i].tanh();
            }
        }
        let top = 2 * b * l;
        for i in 0..b {
            y[i] = s[top + i] * theta[eo + b + i] + theta[eo + 2 * b + i];
        }
        let mut sumexp = zero;
        for &yi in &y {
            sumexp = sumexp + yi.exp();
        }
        let lse = (sumexp + 2.0).ln();
        for i in 0..b {
            total = total + (y[i] - lse) * sequence[(t + 1) * b + i];
        }
    }
    let count = ((c - 1) * b) as f64;
    -total / count
}
