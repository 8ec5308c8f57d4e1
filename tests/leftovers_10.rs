//! What a new user wrote that still failed (eighth sweep): closures over
//! the items of a `zip` or `enumerate` by reference (`skip_while(|(t, _)|
//! **t < settle)`), a `Vec` of structs iterated by reference (`for l in
//! &p.layers`, `.iter().map(|l| l.mass)`), `if let` as a value on inactive
//! data, nested range chains.
//!
//! Every function in every mode: functions of a slice through
//! `common::agree` (`_jvp` against central finite differences, `_vjp` by
//! the dot-product identity) and `flat::check_all` (`_grad`, `_jvp`, `_hvp`
//! against finite differences); functions of a parameter struct through
//! `check` below (its flat view: gradient, JVP and HVP against finite
//! differences, VJP by the dot-product identity with the JVP).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 3] = [0.7, -1.3, 0.4];
const T: [f64; 3] = [0.3, 0.9, -0.5];

/// `f(x: &[f64]) -> f64` in every mode at `X`.
fn every_mode(
    what: &str,
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, &X, &f, &jvp, &vjp, 1e-7);
    check_all(what, &X, &T, &f, &grad, &jvp, &hvp);
}

// --- 1: closures over the items of a `zip` or `enumerate` by reference ----

/// `skip_while(|(t, _)| **t < settle)` over `times.iter().zip(x)` (the
/// closure gets `&(&f64, &f64)`: `t` is `&&f64`), then `map`; `filter`
/// over `enumerate().zip(..)` reading `*i` and `**xi`; `s` mutated in the
/// loop and a branch; `times`, `settle` left out of `wrt`.
#[differentiate(wrt(x))]
fn skip_settled(x: &[f64], times: &[f64], settle: f64) -> f64 {
    let mut s = times
        .iter()
        .zip(x)
        .skip_while(|(t, _)| **t < settle)
        .map(|(t, c)| c * (-x[0] * (t - settle)).exp())
        .sum::<f64>();
    for (i, xi) in x.iter().enumerate().filter(|(i, xi)| *i != 1 || **xi > 0.0) {
        if times[i] > settle {
            s += xi * xi * times[i];
        } else {
            s *= 1.0 + 0.1 * xi;
        }
    }
    s
}

#[test]
fn closures_over_zipped_items_by_reference() {
    let times = [0.5, 1.0, 1.5];
    for settle in [0.7, 0.2] {
        every_mode(
            "skip_while over zip",
            |x| skip_settled(x, &times, settle),
            |x, t| skip_settled_jvp(x, t, &times, settle),
            |x, c| skip_settled_vjp(x, &times, settle, c),
            |x| skip_settled_grad(x, &times, settle),
            |x, t| skip_settled_hvp(x, t, &times, settle),
        );
    }
}
