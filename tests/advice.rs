//! What the errors tell a user to write compiles and is differentiated:
//! the advice for an element taken out of an `Option` (`x.first()
//! .unwrap()`: index it, or `if let Some(&v) = x.first()`) and for
//! `split_at` (sub-slices); and `let (a, b) = x.split_at(m);` itself, read
//! as those sub-slices. Every mode against central finite differences
//! (`common/flat.rs`).

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

/// `*x.first().unwrap() * x.last().copied().unwrap()`, indexed.
#[differentiate]
fn ends(x: &[f64]) -> f64 {
    let a = x[0];
    let b = x[x.len() - 1];
    a * b.sin()
}

/// The same, tested with `if let`.
#[differentiate]
fn ends_tested(x: &[f64]) -> f64 {
    let mut s = 0.0;
    if let Some(&a) = x.first() {
        s += a * a;
    }
    if let Some(&b) = x.last() {
        s += b.sin();
    }
    s
}

/// `let (a, b) = x.split_at(2);`, as sub-slices.
#[differentiate]
fn halves(x: &[f64]) -> f64 {
    let a = &x[..2];
    let b = &x[2..];
    a[0] * b[0] + a[1] * b[b.len() - 1]
}

#[differentiate]
fn sumsq(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// `split_at`, by a literal and by an expression, the halves read and
/// passed to a helper (a recursive pairwise sum's first level).
#[differentiate]
fn split_halves(x: &[f64]) -> f64 {
    let (a, b) = x.split_at(2);
    let (_, tail) = x.split_at(x.len() / 2 + 1);
    a[0] * b[0] + sumsq(a) * sumsq(b).sqrt() + tail[tail.len() - 1]
}

#[test]
fn the_advice_compiles_and_is_right() {
    let x = [0.7, 1.3, -0.4, 0.9];
    let t = [0.3, 0.1, -0.1, 0.2];
    check_all("ends", &x, &t, ends, ends_grad, ends_jvp, ends_hvp);
    check_all(
        "ends_tested",
        &x,
        &t,
        ends_tested,
        ends_tested_grad,
        ends_tested_jvp,
        ends_tested_hvp,
    );
    check_all(
        "halves",
        &x,
        &t,
        halves,
        halves_grad,
        halves_jvp,
        halves_hvp,
    );
    check_all(
        "split_halves",
        &x,
        &t,
        split_halves,
        split_halves_grad,
        split_halves_jvp,
        split_halves_hvp,
    );
}
