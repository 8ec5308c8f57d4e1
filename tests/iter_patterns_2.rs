//! Patterns over iterated items and `fold` accumulators: a tuple pattern
//! over an inactive slice of tuples (`for &(i, j) in pairs`), a tuple
//! pattern for a `fold` accumulator (`|(s, q), &v|`), and an accumulator
//! tuple with an integer counter kept apart (`.enumerate()`), and array
//! patterns (`|&[u, v]|`, `for &[u, v] in pts`) over an inactive slice of
//! arrays and over a local array of active rows.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`,
//! `_jvp` and `_hvp` against finite differences (`flat::check_all`).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 5] = [0.7, -1.3, 0.4, 2.1, -0.2];
const T: [f64; 5] = [0.3, 0.9, -0.5, 0.2, -1.1];

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

// ----- a tuple pattern over an inactive slice ----------------------------------

/// `for &(i, j) in pairs`: indices from an inactive slice of tuples.
#[differentiate]
fn pair_products(x: &[f64], pairs: &[(usize, usize)]) -> f64 {
    let mut s = 0.0;
    for &(i, j) in pairs {
        s += x[i] * x[j];
    }
    s
}

#[test]
fn tuple_pattern_over_inactive_pairs() {
    let pairs = [(0, 1), (2, 2), (3, 4), (1, 3)];
    every_mode!(
        pair_products,
        pair_products_jvp,
        pair_products_vjp,
        pair_products_grad,
        pair_products_hvp,
        &pairs
    );
}

/// `for (i, j) in pairs.iter()`: the indices by reference.
#[differentiate]
fn pair_refs(x: &[f64], pairs: &[(usize, usize)]) -> f64 {
    let mut s = 0.0;
    for (i, j) in pairs.iter() {
        s += x[*i].sin() * x[*j];
    }
    s
}

/// `for &(i, j, rest) in springs`: an inactive float beside the indices,
/// the stiffness `k` active.
#[differentiate(wrt(pos, k))]
fn springs(pos: &[f64], k: f64, springs: &[(usize, usize, f64)]) -> f64 {
    let mut e = 0.0;
    for &(i, j, rest) in springs {
        let d = pos[j] - pos[i] - rest;
        e += 0.5 * k * d * d;
    }
    e
}

#[test]
fn tuple_pattern_by_reference() {
    let pairs = [(0, 1), (2, 2), (3, 4), (4, 0)];
    every_mode!(
        pair_refs,
        pair_refs_jvp,
        pair_refs_vjp,
        pair_refs_grad,
        pair_refs_hvp,
        &pairs
    );
}

#[test]
fn tuple_pattern_with_an_inactive_float() {
    let s = [(0, 1, 0.5), (1, 2, -0.3), (2, 3, 1.2), (3, 0, 0.1)];
    // `pos ++ [k]`.
    let split = |z: &[f64]| (z[..4].to_vec(), z[4]);
    let f = |z: &[f64]| {
        let (p, k) = split(z);
        springs(&p, k, &s)
    };
    let jvp = |z: &[f64], t: &[f64]| {
        let ((p, k), (pd, kd)) = (split(z), split(t));
        springs_jvp(&p, &pd, k, kd, &s)
    };
    let vjp = |z: &[f64], c: f64| {
        let (p, k) = split(z);
        let (v, pb, kb) = springs_vjp(&p, k, &s, c);
        (v, [pb.to_vec(), vec![kb]].concat())
    };
    let grad = |z: &[f64]| {
        let (p, k) = split(z);
        let (v, pb, kb) = springs_grad(&p, k, &s);
        (v, [pb.to_vec(), vec![kb]].concat())
    };
    let hvp = |z: &[f64], t: &[f64]| {
        let ((p, k), (pd, kd)) = (split(z), split(t));
        let (v, pb, kb, ph, kh) = springs_hvp(&p, &pd, k, kd, &s);
        (
            v,
            [pb.to_vec(), vec![kb]].concat(),
            [ph.to_vec(), vec![kh]].concat(),
        )
    };
    common::agree("springs", &X, f, jvp, vjp, 1e-7);
    check_all("springs", &X, &T, f, grad, jvp, hvp);
}

// ----- a tuple pattern for a fold accumulator -----------------------------------

/// `|(s, q), &v|`: the accumulator's members by name.
#[differentiate]
fn fold_moments(x: &[f64]) -> f64 {
    let (s, q) = x.iter().fold((0.0, 0.0), |(s, q), &v| (s + v, q + v * v));
    q - s * s
}

/// `|(mut s, q), v|` with statements in the closure's body.
#[differentiate]
fn fold_moments_mut(x: &[f64]) -> f64 {
    let acc = x.iter().fold((1.0, 0.0), |(mut p, q), v| {
        p *= v.cos();
        (p, q + p * v)
    });
    acc.0 + acc.1
}

#[test]
fn fold_tuple_pattern() {
    every_mode!(
        fold_moments,
        fold_moments_jvp,
        fold_moments_vjp,
        fold_moments_grad,
        fold_moments_hvp
    );
    every_mode!(
        fold_moments_mut,
        fold_moments_mut_jvp,
        fold_moments_mut_vjp,
        fold_moments_mut_grad,
        fold_moments_mut_hvp
    );
}

// ----- an integer counter beside a fold accumulator ------------------------------

/// Welford's running variance, the count apart from the accumulator (an
/// integer member of it is rejected: `tests/ui/fold_integer_member.rs`).
#[differentiate]
fn welford_var(x: &[f64]) -> f64 {
    let acc = x.iter().enumerate().fold((0.0, 0.0), |acc, (i, &v)| {
        let k = i + 1;
        let delta = v - acc.0;
        let mean = acc.0 + delta / k as f64;
        (mean, acc.1 + delta * (v - mean))
    });
    acc.1 / (x.len() - 1) as f64 + acc.0
}

#[test]
fn fold_with_a_counter_apart() {
    every_mode!(
        welford_var,
        welford_var_jvp,
        welford_var_vjp,
        welford_var_grad,
        welford_var_hvp
    );
}

// ----- array patterns ---------------------------------------------------------------

/// `|&[u, v]|` over an inactive `&[[f64; 2]]` left out of `wrt` (issue 18).
#[differentiate(wrt(x))]
fn line_fit(x: &[f64], pts: &[[f64; 2]]) -> f64 {
    pts.iter()
        .map(|&[u, v]| (x[0] * u + x[1] - v).powi(2) * x[2].exp() + x[3] * x[4] * u)
        .sum()
}

/// `for &[u, v] in pts` and `for [u, v] in pts` (by reference).
#[differentiate(wrt(x))]
fn line_fit_for(x: &[f64], pts: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for &[u, v] in pts {
        s += (x[0] * u - v).sin() * x[1];
    }
    for [u, v] in pts {
        s += x[2] * x[3] * u + x[4] * x[4] * v;
    }
    s
}

/// An array pattern over active rows: a local `[[f64; 2]; 2]` built from
/// `x`.
#[differentiate]
fn active_rows(x: &[f64]) -> f64 {
    let rows = [[x[0], x[1]], [x[2], x[3] * x[4]]];
    let mut s = 0.0;
    for &[a, b] in &rows {
        s += a * b.sin();
    }
    s
}

#[test]
fn array_patterns_over_inactive_and_active_rows() {
    let pts = [[0.5, 1.0], [-1.0, 0.3], [2.0, -0.7]];
    every_mode!(
        line_fit,
        line_fit_jvp,
        line_fit_vjp,
        line_fit_grad,
        line_fit_hvp,
        &pts
    );
    every_mode!(
        line_fit_for,
        line_fit_for_jvp,
        line_fit_for_vjp,
        line_fit_for_grad,
        line_fit_for_hvp,
        &pts
    );
    every_mode!(
        active_rows,
        active_rows_jvp,
        active_rows_vjp,
        active_rows_grad,
        active_rows_hvp
    );
}
