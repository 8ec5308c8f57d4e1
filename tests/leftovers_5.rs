//! Issue 18, forms that new users write: the advice of errors, checked to
//! work. A nalgebra view is passed to a helper as an owned copy
//! (`&x.rows(0, n).into_owned()`, what the error at a view parameter says).
//! A row of a local 2-D array lent as a buffer (`g(a, &mut m[i])`),
//! copied out and back. The forms the errors at an index computed by a
//! helper from active values and at `sort_by` of an active array advise: a
//! search written in the function, a sorted permutation gathered; and
//! `v.sort_by(cmp)` of an active array itself, which the macro rewrites
//! to that permutation and gather.
//! `_jvp` and `_vjp` against central finite differences and the dot-product
//! identity, `_grad` and `_hvp` against finite differences of the gradient.

use ad::differentiate;
use ad::nalgebra::DVector;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
use arrays::{agree_scalar, agree_vector};

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

/// Checks every mode of a scalar function of one `DVector`, through its
/// flat entries.
macro_rules! check_dvector {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $x:expr) => {{
        let x: &[f64] = $x;
        let v = |p: &[f64]| DVector::from_column_slice(p);
        let t: Vec<f64> = (0..x.len()).map(|k| 0.3 + 0.2 * k as f64).collect();
        agree_scalar(
            stringify!($f),
            x,
            |p| $f(&v(p)),
            |p, t| $jvp(&v(p), &v(t)),
            |p, c| {
                let (o, g) = $vjp(&v(p), c);
                (o, g.as_slice().to_vec())
            },
            1e-6,
        );
        check_all(
            stringify!($f),
            x,
            &t,
            |p| $f(&v(p)),
            |p| {
                let (o, g) = $grad(&v(p));
                (o, g.as_slice().to_vec())
            },
            |p, t| $jvp(&v(p), &v(t)),
            |p, t| {
                let (o, g, h) = $hvp(&v(p), &v(t));
                (o, g.as_slice().to_vec(), h.as_slice().to_vec())
            },
        );
    }};
}

// ----- a view passed as an owned copy ------------------------------------------

/// What the error at a view parameter says to take instead.
#[differentiate]
fn sumsq(v: &DVector<f64>) -> f64 {
    v.dot(v)
}

/// The sweep's caller, passing owned copies of its halves.
#[differentiate]
fn split_energy(x: &DVector<f64>) -> f64 {
    let n = x.len() / 2;
    sumsq(&x.rows(0, n).into_owned()) * 2.0 + sumsq(&x.rows(n, n).into_owned()).sqrt()
}

#[test]
fn view_advice_owned_copy() {
    check_dvector!(
        split_energy,
        split_energy_jvp,
        split_energy_vjp,
        split_energy_grad,
        split_energy_hvp,
        &[0.4, -1.1, 0.7, 1.3, 0.2, -0.5]
    );
}

// ----- a row of a 2-D array lent as a buffer -----------------------------------

/// A buffer helper reading and writing its row.
#[differentiate]
fn fill_row(a: f64, row: &mut [f64]) {
    row[0] = a * a;
    row[1] *= a;
}

/// The sweep's function: a row of a `Vec<Vec<f64>>` lent.
#[differentiate]
fn row_lent(a: f64) -> f64 {
    let mut m = vec![vec![1.5; 2]; 3];
    fill_row(a, &mut m[1]);
    let k = 2;
    fill_row(m[1][0], &mut m[k]);
    m[1][0] + m[2][1] * m[1][1]
}

/// Rows of an `[[f64; 2]; 2]` holding active values before they are lent.
#[differentiate]
fn rows_lent_array(x: &[f64]) -> f64 {
    let mut m = [[0.5; 2]; 2];
    m[0][1] = x[1].sin();
    m[1][1] = x[0] * x[1];
    fill_row(x[0], &mut m[0]);
    let k = 0;
    fill_row(x[1] * m[0][1], &mut m[k + 1]);
    m[0][0] * m[1][1] + m[1][0] + m[0][1]
}

#[test]
fn row_of_2d_array_lent() {
    let a = 0.8;
    check_all(
        "row_lent",
        &[a],
        &[0.7],
        |p| row_lent(p[0]),
        |p| {
            let (v, g) = row_lent_grad(p[0]);
            (v, vec![g])
        },
        |p, t| row_lent_jvp(p[0], t[0]),
        |p, t| {
            let (v, g, h) = row_lent_hvp(p[0], t[0]);
            (v, vec![g], vec![h])
        },
    );
    agree_scalar(
        "row_lent",
        &[a],
        |p| row_lent(p[0]),
        |p, t| row_lent_jvp(p[0], t[0]),
        |p, c| {
            let (v, g) = row_lent_vjp(p[0], c);
            (v, vec![g])
        },
        1e-6,
    );
    let x = [0.6, -1.2];
    check_all(
        "rows_lent_array",
        &x,
        &[0.3, 0.9],
        rows_lent_array,
        rows_lent_array_grad,
        rows_lent_array_jvp,
        rows_lent_array_hvp,
    );
    agree_scalar(
        "rows_lent_array",
        &x,
        rows_lent_array,
        rows_lent_array_jvp,
        rows_lent_array_vjp,
        1e-6,
    );
}

// ----- an index chosen by comparisons, a sorted permutation ---------------------

/// The square of the largest entry, its index found in the function (what
/// the error at `let i = argmax(x); x[i]` says to write).
#[differentiate]
fn largest_squared(x: &[f64]) -> f64 {
    let mut i = 0;
    for k in 1..x.len() {
        if x[k] > x[i] {
            i = k;
        }
    }
    x[i] * x[i] + x[0]
}

/// The median of an odd number of entries: a permutation sorted by the
/// values and gathered (what the error at `v.sort_by(..)` says to write).
#[differentiate]
fn median(x: &[f64]) -> f64 {
    let v = x.to_vec();
    let mut p: Vec<usize> = (0..v.len()).collect();
    p.sort_by(|&i, &j| v[i].partial_cmp(&v[j]).unwrap());
    let s: Vec<f64> = p.iter().map(|&i| v[i]).collect();
    s[s.len() / 2] * s[0].exp()
}

/// The same with `sort_unstable_by` and `total_cmp`, gathered in a loop.
#[differentiate]
fn median_unstable(x: &[f64]) -> f64 {
    let mut p: Vec<usize> = (0..x.len()).collect();
    p.sort_unstable_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut s = vec![0.0; x.len()];
    for k in 0..x.len() {
        s[k] = x[p[k]];
    }
    s[s.len() / 2] * s[s.len() - 1].sin()
}

#[test]
fn index_and_sort_advice() {
    // Distinct entries, away from ties (the derivative is a permutation).
    let x = [0.4, -1.3, 1.1, 0.2, 0.9];
    let t = [0.3, -0.2, 0.5, 0.7, -0.4];
    check_all(
        "largest_squared",
        &x,
        &t,
        largest_squared,
        largest_squared_grad,
        largest_squared_jvp,
        largest_squared_hvp,
    );
    agree_scalar(
        "largest_squared",
        &x,
        largest_squared,
        largest_squared_jvp,
        largest_squared_vjp,
        1e-6,
    );
    check_all(
        "median",
        &x,
        &t,
        median,
        median_grad,
        median_jvp,
        median_hvp,
    );
    agree_scalar("median", &x, median, median_jvp, median_vjp, 1e-6);
    check_all(
        "median_unstable",
        &x,
        &t,
        median_unstable,
        median_unstable_grad,
        median_unstable_jvp,
        median_unstable_hvp,
    );
    agree_scalar(
        "median_unstable",
        &x,
        median_unstable,
        median_unstable_jvp,
        median_unstable_vjp,
        1e-6,
    );
}

// ----- sorting an active array in place --------------------------------------

/// The median by `sort_by` of an active copy (issue 18): the macro sorts a
/// permutation and gathers.
#[differentiate]
fn median_sorted(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2] * v[0].exp()
}

/// `sort_unstable_by` with a path comparator.
#[differentiate]
fn median_by_path(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v[v.len() / 2] * v[v.len() - 1].sin()
}

/// A local closure of dereferenced parameters as the comparator.
#[differentiate]
fn median_local_cmp(x: &[f64]) -> f64 {
    let cmp = |a: &f64, b: &f64| (*a).partial_cmp(b).unwrap();
    let mut v = x.to_vec();
    v.sort_by(cmp);
    v[v.len() / 2] * v[1]
}

/// Descending, the sorted values returned; `|&a, &b|` and a return type.
#[differentiate]
fn sorted_descending(x: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = x.iter().map(|a| a * a.sin() + a).collect();
    v.sort_by(|&a, &b| -> std::cmp::Ordering { b.partial_cmp(&a).unwrap() });
    v
}

/// A local array sorted.
#[differentiate]
fn sorted_array(x: [f64; 4]) -> f64 {
    let mut v = x;
    v.sort_unstable_by(|a: &f64, b: &f64| a.total_cmp(b));
    v[1] * v[3] + v[0]
}

/// Sorted again in each trip of a loop that changes the values.
#[differentiate]
fn sorted_in_loop(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let mut acc = 0.0;
    for r in 0..2 {
        v.sort_by(|a, b| b.total_cmp(a));
        acc += v[r] * v[v.len() - 1].sin();
        for k in 0..v.len() {
            v[k] = v[k] * (0.6 - 0.35 * k as f64) + 0.1 * v[k] * v[k];
        }
    }
    acc
}

/// A `mut` `Vec` parameter sorted in place (the random generator's
/// `compose_sweep2.py`; it was rejected as not a local), beside an inactive
/// one sorted too.
#[differentiate(wrt(v))]
fn sorted_vec_param(mut v: Vec<f64>, mut w: Vec<f64>) -> f64 {
    v[0] += v[1] * 0.5;
    v.sort_unstable_by(|a, b| b.partial_cmp(a).unwrap());
    w.sort_by(f64::total_cmp);
    let mut s = 0.0;
    for (j, e) in v.iter().enumerate() {
        s += e * (j as f64 + 0.25) * w[j % 2];
    }
    s + v[0] * v[v.len() - 1]
}

#[test]
fn sort_by_of_an_active_array() {
    // Distinct entries, away from ties (the derivative is a permutation).
    let x = [0.4, -1.3, 1.1, 0.2, 0.9];
    let t = [0.3, -0.2, 0.5, 0.7, -0.4];
    macro_rules! scalar {
        ($f:ident, $grad:ident, $jvp:ident, $vjp:ident, $hvp:ident) => {
            check_all(stringify!($f), &x, &t, $f, $grad, $jvp, $hvp);
            agree_scalar(stringify!($f), &x, $f, $jvp, $vjp, 1e-6);
        };
    }
    scalar!(
        median_sorted,
        median_sorted_grad,
        median_sorted_jvp,
        median_sorted_vjp,
        median_sorted_hvp
    );
    scalar!(
        median_by_path,
        median_by_path_grad,
        median_by_path_jvp,
        median_by_path_vjp,
        median_by_path_hvp
    );
    scalar!(
        median_local_cmp,
        median_local_cmp_grad,
        median_local_cmp_jvp,
        median_local_cmp_vjp,
        median_local_cmp_hvp
    );
    scalar!(
        sorted_in_loop,
        sorted_in_loop_grad,
        sorted_in_loop_jvp,
        sorted_in_loop_vjp,
        sorted_in_loop_hvp
    );
    agree_vector(
        "sorted_descending",
        &x,
        sorted_descending,
        sorted_descending_jvp,
        |p, c| sorted_descending_vjp(p, c.to_vec()),
        1e-6,
    );
    let w = || vec![0.7, -0.3];
    check_all(
        "sorted_vec_param",
        &x,
        &t,
        |p| sorted_vec_param(p.to_vec(), w()),
        |p| sorted_vec_param_grad(p.to_vec(), w()),
        |p, t| sorted_vec_param_jvp(p.to_vec(), t.to_vec(), w()),
        |p, t| sorted_vec_param_hvp(p.to_vec(), t.to_vec(), w()),
    );
    agree_scalar(
        "sorted_vec_param",
        &x,
        |p| sorted_vec_param(p.to_vec(), w()),
        |p, t| sorted_vec_param_jvp(p.to_vec(), t.to_vec(), w()),
        |p, c| sorted_vec_param_vjp(p.to_vec(), w(), c),
        1e-6,
    );
    let a = |p: &[f64]| [p[0], p[1], p[2], p[3]];
    let (y, s) = (&x[..4], &t[..4]);
    check_all(
        "sorted_array",
        y,
        s,
        |p| sorted_array(a(p)),
        |p| {
            let (o, g) = sorted_array_grad(a(p));
            (o, g.to_vec())
        },
        |p, t| sorted_array_jvp(a(p), a(t)),
        |p, t| {
            let (o, g, h) = sorted_array_hvp(a(p), a(t));
            (o, g.to_vec(), h.to_vec())
        },
    );
    agree_scalar(
        "sorted_array",
        y,
        |p| sorted_array(a(p)),
        |p, t| sorted_array_jvp(a(p), a(t)),
        |p, c| {
            let (o, g) = sorted_array_vjp(a(p), c);
            (o, g.to_vec())
        },
        1e-6,
    );
}
