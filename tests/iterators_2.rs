//! Iterator adapters whose items are not at a position of one container:
//! `chain` (with `std::iter::once`), `flat_map` and `flatten` over rows,
//! `filter_map`, `take_while`, `skip_while`, `scan`, `cycle` with `take`
//! or beside a finite chain in `zip`, and the consumers `last().unwrap()`
//! and `nth(k).unwrap()`, inside loops and branches, with parameters left
//! out of `wrt` and mutated.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`,
//! `_jvp` and `_hvp` against finite differences (`flat::check_all`).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 6] = [0.7, -1.3, 0.4, 2.1, -0.2, 1.1];
const T: [f64; 6] = [0.3, 0.9, -0.5, 0.2, -1.1, 0.4];
const W: [f64; 6] = [0.5, -0.8, 1.2, 0.3, -0.6, 0.9];

/// `f(x: &[f64]) -> f64` in every mode at `X` (`extra`: the inactive
/// arguments after `x`).
macro_rules! every_mode {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident $(, $extra:expr)*) => {{
        common::agree(
            stringify!($f),
            &X,
            |x: &[f64]| $f(x $(, $extra)*),
            |x: &[f64], t: &[f64]| $jvp(x, t $(, $extra)*),
            |x: &[f64], c: f64| {
                let (v, b) = $vjp(x $(, $extra)*, c);
                (v, b.to_vec())
            },
            1e-7,
        );
        check_all(
            stringify!($f),
            &X,
            &T,
            |x: &[f64]| $f(x $(, $extra)*),
            |x: &[f64]| {
                let (v, b) = $grad(x $(, $extra)*);
                (v, b.to_vec())
            },
            |x: &[f64], t: &[f64]| $jvp(x, t $(, $extra)*),
            |x: &[f64], t: &[f64]| {
                let (v, g, h) = $hvp(x, t $(, $extra)*);
                (v, g.to_vec(), h.to_vec())
            },
        );
    }};
}

// ----- chain ---------------------------------------------------------------------

/// `a.iter().chain(b.iter())` over two sub-slices, then `map` and `sum`.
#[differentiate]
fn chain_squares(x: &[f64]) -> f64 {
    x[..2]
        .iter()
        .chain(x[3..].iter())
        .map(|v| v * v)
        .sum::<f64>()
}

/// `chain(std::iter::once(&c))` with `c` computed from `x`.
#[differentiate]
fn chain_once(x: &[f64]) -> f64 {
    let c = x[0] * x[1];
    x[2..]
        .iter()
        .chain(std::iter::once(&c))
        .map(|v| v.sin())
        .sum::<f64>()
}

/// A chain of a reversed part, then `zip` with an inactive slice and
/// `enumerate`, in a loop and a branch; `c` left out of `wrt`, mutated.
#[differentiate(wrt(x))]
fn chain_in_loop(x: &[f64], w: &[f64], mut c: f64) -> f64 {
    let mut s = 0.0;
    for k in 1..4 {
        c *= 0.9;
        if k % 2 == 1 {
            s += x[..k]
                .iter()
                .chain(x[k..].iter().rev())
                .zip(w)
                .enumerate()
                .map(|(i, (a, b))| (i as f64 + c) * a * b)
                .sum::<f64>();
        } else {
            let q = x[k..]
                .iter()
                .copied()
                .chain(x[..k].iter().map(|v| v * c))
                .fold(0.0, |m, v| m + v * v);
            s *= 1.0 + 0.1 * q;
        }
    }
    s
}

/// A `for` loop over a chain with a `filter`ed part; `max_by` and `count`.
#[differentiate]
fn chain_for(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x[3..].iter().filter(|v| **v > 0.0).chain(x[..2].iter()) {
        s += v * s + v;
    }
    let n = x.iter().chain(x.iter().filter(|v| **v < 0.0)).count();
    let m = *x[..3]
        .iter()
        .chain(&x[4..])
        .max_by(|a, b| a.total_cmp(b))
        .unwrap();
    s + m * n as f64
}

#[test]
fn chain() {
    every_mode!(
        chain_squares,
        chain_squares_jvp,
        chain_squares_vjp,
        chain_squares_grad,
        chain_squares_hvp
    );
    every_mode!(
        chain_once,
        chain_once_jvp,
        chain_once_vjp,
        chain_once_grad,
        chain_once_hvp
    );
    every_mode!(
        chain_in_loop,
        chain_in_loop_jvp,
        chain_in_loop_vjp,
        chain_in_loop_grad,
        chain_in_loop_hvp,
        &W,
        0.8
    );
    every_mode!(
        chain_for,
        chain_for_jvp,
        chain_for_vjp,
        chain_for_grad,
        chain_for_hvp
    );
}

// ----- flat_map, flatten -----------------------------------------------------------

/// `flat_map` over rows of a slice (`chunks`), the closure a chain that
/// reads its row.
#[differentiate]
fn flat_chunks(x: &[f64]) -> f64 {
    x.chunks(4)
        .flat_map(|r| r.iter().map(|v| v * r[0]))
        .sum::<f64>()
}

/// `flat_map` and `flatten` over the rows of a 2-D parameter, a `for`
/// loop over `flatten`, and an inactive 2-D parameter.
#[differentiate(wrt(m))]
fn flat_rows(m: &[Vec<f64>], w: &[Vec<f64>]) -> f64 {
    let a = m.iter().flat_map(|r| r.iter()).map(|v| v * v).sum::<f64>();
    let b: f64 = m
        .iter()
        .flatten()
        .filter(|v| **v > 0.0)
        .map(|v| v.exp())
        .sum();
    let mut s = 0.0;
    for (k, v) in m.iter().enumerate() {
        if k > 0 {
            for u in w.iter().flatten() {
                s += u * v[0] * a;
            }
        }
    }
    for v in m.iter().flatten() {
        s += v * b;
    }
    a * b + s
}

/// The rows of a flat vector, `n` to a row.
fn rows_of(p: &[f64], n: usize) -> Vec<Vec<f64>> {
    p.chunks(n).map(<[f64]>::to_vec).collect()
}

#[test]
fn flat_map_and_flatten() {
    every_mode!(
        flat_chunks,
        flat_chunks_jvp,
        flat_chunks_vjp,
        flat_chunks_grad,
        flat_chunks_hvp
    );
    let w = rows_of(&W, 3);
    check_all(
        "flat_rows",
        &X,
        &T,
        |p| flat_rows(&rows_of(p, 3), &w),
        |p| {
            let (v, g) = flat_rows_grad(&rows_of(p, 3), &w);
            (v, g.concat())
        },
        |p, t| flat_rows_jvp(&rows_of(p, 3), &rows_of(t, 3), &w),
        |p, t| {
            let (v, g, h) = flat_rows_hvp(&rows_of(p, 3), &rows_of(t, 3), &w);
            (v, g.concat(), h.concat())
        },
    );
}

// ----- filter_map, take_while, skip_while ------------------------------------------

/// `filter_map` with `if .. { Some(..) } else { None }` and `then_some`.
#[differentiate]
fn filter_map_logs(x: &[f64]) -> f64 {
    let a = x
        .iter()
        .filter_map(|&v| if v > 0.0 { Some(v.ln()) } else { None })
        .sum::<f64>();
    let b: f64 = x.iter().filter_map(|v| (*v < 0.0).then_some(v * v)).sum();
    a * b
}

/// `take_while`, `skip_while` and a count of `take_while`, in a loop.
#[differentiate(wrt(x))]
fn while_prefix(x: &[f64], lim: &[f64]) -> f64 {
    let mut s = 0.0;
    for &l in lim {
        let a: f64 = x.iter().take_while(|&&v| v < l).map(|v| v * v).sum();
        let b: f64 = x.iter().skip_while(|v| **v < l).map(|v| v.sin()).sum();
        let n = x.iter().take_while(|v| v.abs() < l).count();
        s += a * b + n as f64 * x[0];
    }
    s
}

#[test]
fn filter_map_and_while() {
    every_mode!(
        filter_map_logs,
        filter_map_logs_jvp,
        filter_map_logs_vjp,
        filter_map_logs_grad,
        filter_map_logs_hvp
    );
    every_mode!(
        while_prefix,
        while_prefix_jvp,
        while_prefix_vjp,
        while_prefix_grad,
        while_prefix_hvp,
        &[1.0, 0.5, 3.0]
    );
}

// ----- scan, cycle -------------------------------------------------------------------

/// Running sums collected, a running product summed.
#[differentiate]
fn running(x: &[f64]) -> f64 {
    let c = x
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        })
        .collect::<Vec<f64>>();
    let p: f64 = x
        .iter()
        .scan(1.0, |s, v| {
            *s *= 1.0 + 0.1 * v;
            Some(*s)
        })
        .sum();
    c[c.len() - 1] * c[1] + p
}

/// `cycle()` beside a finite chain in `zip`, and `cycle().take(n)`; the
/// weights left out of `wrt`.
#[differentiate(wrt(x))]
fn cycled(x: &[f64], w: &[f64]) -> f64 {
    let n = x.len();
    let a = x
        .iter()
        .zip(w.iter().cycle())
        .map(|(a, b)| a * b)
        .sum::<f64>();
    let b = x[..2]
        .iter()
        .cycle()
        .take(n + 1)
        .map(|v| v * v)
        .sum::<f64>();
    a * b
}

#[test]
fn scan_and_cycle() {
    every_mode!(running, running_jvp, running_vjp, running_grad, running_hvp);
    every_mode!(
        cycled,
        cycled_jvp,
        cycled_vjp,
        cycled_grad,
        cycled_hvp,
        &W[..4]
    );
}

// ----- last, nth, and forms that were already supported -------------------------------

/// `last().unwrap()`, `nth(k).unwrap()`, `max_by` with `total_cmp`,
/// `rev().enumerate()`, three slices zipped.
#[differentiate]
fn ends(x: &[f64]) -> f64 {
    let l = *x.iter().last().unwrap();
    let k = x.iter().map(|v| v * v).nth(2).unwrap();
    let m = *x.iter().max_by(|a, b| a.total_cmp(b)).unwrap();
    let r = x
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| i as f64 * v)
        .sum::<f64>();
    let z = x
        .iter()
        .zip(&x[1..])
        .zip(&x[2..])
        .map(|((a, b), c)| a * b * c)
        .sum::<f64>();
    l * k + m + r + z
}

#[test]
fn last_and_nth() {
    every_mode!(ends, ends_jvp, ends_vjp, ends_grad, ends_hvp);
}
