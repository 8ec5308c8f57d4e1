//! Checks for functions of slices, arrays and `Vec`s, with a scalar or a
//! vector output: forward mode, reverse mode and finite differences agree.
//!
//! Every function is seen through a flat vector of all its active inputs
//! (`p = [x..., y]` for `f(x: &[f64], y: f64)`); the caller writes the
//! closures that unpack `p` into the real arguments.
//!
//! Declared from a test file with `#[path = "common/arrays.rs"] mod arrays;`
//! next to `mod common;` (it uses `common::Lcg`).
// Jacobians are built entry by entry, by index.
#![allow(clippy::needless_range_loop)]
#![allow(dead_code)]

use crate::common::Lcg;
use ad::check;

/// A dense Jacobian, row-major: `j[i][k]` = d out_i / d p_k.
pub type Matrix = Vec<Vec<f64>>;

/// The entries of a `Vec<f64>`, a `[f64; N]` or a slice, as a `Vec`.
pub fn flat<V: AsRef<[f64]>>(v: V) -> Vec<f64> {
    v.as_ref().to_vec()
}

/// The `k`-th unit vector of length `n`.
pub fn unit(n: usize, k: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[k] = 1.0;
    e
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot of vectors of different lengths");
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// A point for messages: at most its first six entries.
pub fn show(x: &[f64]) -> String {
    if x.len() <= 6 {
        format!("{x:?}")
    } else {
        format!("{:?}... ({} entries)", &x[..6], x.len())
    }
}

/// The Jacobian column by column from forward mode: `jvp(t) = J t`.
pub fn jacobian_by_columns(n: usize, m: usize, jvp: impl Fn(&[f64]) -> Vec<f64>) -> Matrix {
    let mut j = vec![vec![0.0; n]; m];
    for k in 0..n {
        let column = jvp(&unit(n, k));
        assert_eq!(
            column.len(),
            m,
            "J e_{k} has {} entries, not {m}",
            column.len()
        );
        for (i, c) in column.into_iter().enumerate() {
            j[i][k] = c;
        }
    }
    j
}

/// The Jacobian row by row from reverse mode with unit seeds: `vjp(c) = J^T c`.
pub fn jacobian_by_rows(n: usize, m: usize, vjp: impl Fn(&[f64]) -> Vec<f64>) -> Matrix {
    (0..m)
        .map(|i| {
            let row = vjp(&unit(m, i));
            assert_eq!(row.len(), n, "J^T e_{i} has {} entries, not {n}", row.len());
            row
        })
        .collect()
}

/// The Jacobian by finite differences ([`check::fd_jvp`] along each unit vector).
pub fn jacobian_fd(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Matrix {
    let n = x.len();
    let m = f(x).len();
    jacobian_by_columns(n, m, |t| check::fd_jvp(&f, x, t))
}

/// Asserts that two Jacobians have the same shape and entries within
/// `atol + rtol |b|`; the message names the worst entry by (row, column).
#[track_caller]
pub fn assert_jacobians_close(what: &str, a: &Matrix, b: &Matrix, atol: f64, rtol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: {} rows vs {}", a.len(), b.len());
    for (i, (ra, rb)) in a.iter().zip(b).enumerate() {
        assert_eq!(
            ra.len(),
            rb.len(),
            "{what}: row {i} has {} vs {} columns",
            ra.len(),
            rb.len()
        );
    }
    let (fa, fb): (Vec<f64>, Vec<f64>) = (a.concat(), b.concat());
    let report = check::compare(&fa, &fb);
    if !report.is_close(atol, rtol) {
        let cols = a.first().map_or(1, |r| r.len().max(1));
        panic!(
            "{what}: entry (row {}, column {}) is the worst: {report} (atol {atol:e}, rtol {rtol:e})",
            report.index / cols,
            report.index % cols
        );
    }
}

/// Checks a vector function of the flat inputs `x` and returns its Jacobian
/// (from reverse mode):
/// * the values returned by `jvp` and `vjp` are exactly `f(x)`;
/// * the Jacobian built column by column from `jvp` equals the one built row
///   by row from `vjp` with unit seeds (to rounding), and both equal finite
///   differences (within `tol`);
/// * along random directions `t` and seeds `c`, `jvp` matches
///   [`check::fd_jvp`] and the dot-product identity `<J t, c> = <t, J^T c>`
///   holds.
///
/// `jvp(x, t) -> (value, J t)`, `vjp(x, c) -> (value, J^T c)`.
#[track_caller]
pub fn agree_vector(
    name: &str,
    x: &[f64],
    f: impl Fn(&[f64]) -> Vec<f64>,
    jvp: impl Fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>),
    vjp: impl Fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>),
    tol: f64,
) -> Matrix {
    let at = show(x);
    let value = f(x);
    let (n, m) = (x.len(), value.len());
    let same = |v: &[f64], mode: &str| {
        let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(v),
            bits(&value),
            "{name} at {at}: the {mode} value {v:?} differs from f = {value:?}"
        );
    };
    let forward = jacobian_by_columns(n, m, |t| {
        let (v, jt) = jvp(x, t);
        same(&v, "jvp");
        jt
    });
    let reverse = jacobian_by_rows(n, m, |c| {
        let (v, jtc) = vjp(x, c);
        same(&v, "vjp");
        jtc
    });
    assert_jacobians_close(
        &format!("{name} at {at}: jvp columns vs vjp rows"),
        &forward,
        &reverse,
        1e-12,
        1e-12,
    );
    let numeric = jacobian_fd(&f, x);
    assert_jacobians_close(
        &format!("{name} at {at}: vjp vs finite differences"),
        &reverse,
        &numeric,
        tol,
        tol,
    );

    let mut rng = Lcg(n as u64 * 31 + m as u64 + 7);
    for _ in 0..3 {
        let (t, c) = (rng.vec(n), rng.vec(m));
        let (_, jt) = jvp(x, &t);
        check::check_jvp(&f, x, &t, &jt).assert_close(tol, tol);
        let (_, jtc) = vjp(x, &c);
        let (lhs, rhs) = (dot(&jt, &c), dot(&t, &jtc));
        let scale: f64 = 1.0 + jt.iter().zip(&c).map(|(a, b)| (a * b).abs()).sum::<f64>();
        assert!(
            (lhs - rhs).abs() <= 1e-12 * scale,
            "{name} at {at}: <J t, c> = {lhs} but <t, J^T c> = {rhs}"
        );
    }
    reverse
}

/// [`agree_vector`] for a scalar function of the flat inputs `x`; returns the
/// gradient (from `vjp` seeded with 1).
///
/// `jvp(x, t) -> (value, <grad, t>)`, `vjp(x, c) -> (value, c grad)`.
#[track_caller]
pub fn agree_scalar(
    name: &str,
    x: &[f64],
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    tol: f64,
) -> Vec<f64> {
    let j = agree_vector(
        name,
        x,
        |x| vec![f(x)],
        |x, t| {
            let (v, d) = jvp(x, t);
            (vec![v], vec![d])
        },
        |x, c| {
            assert_eq!(c.len(), 1);
            let (v, g) = vjp(x, c[0]);
            (vec![v], g)
        },
        tol,
    );
    j.into_iter().next().expect("one row")
}

/// Asserts `|a_k - b_k| <= tol (1 + |b_k|)` for every entry.
#[track_caller]
pub fn close_all(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: {} entries vs {}",
        a.len(),
        b.len()
    );
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}: entry {k}: got {x}, expected {y}"
        );
    }
}
