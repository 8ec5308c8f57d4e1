//! The last leftovers of issue 18: rows of a 2-D array left out of `wrt`
//! moved out by a `for` loop (`for row in a { let r = row; .. }`, into a
//! helper by `into_iter`, after a loop over a local's rows). Every mode
//! against central finite differences and the dot-product identity.

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

#[differentiate]
fn sum_sq(v: Vec<f64>) -> f64 {
    v.iter().map(|a| a * a).sum()
}

// ----- rows of data moved out of an owned 2-D array -----------------------

/// Rows moved into a local (`a` also read by element: `a[0][1] * x[0]`
/// once made the loop an index loop moving out of `a[i]`).
#[differentiate(wrt(x))]
fn data_rows_moved(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = a[0][1] * x[0];
    if s > -10.0 {
        for row in a {
            let r = row;
            s += dot(&r, x) * r[0] * x[1];
        }
    }
    s
}

/// Rows moved into a helper taking them by value: what the reverse sweep
/// reads of `sum_sq(row)` is saved, not `row` (moved).
#[differentiate(wrt(x))]
fn data_rows_into_helper(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = a[0][1] * x[0];
    for row in a.into_iter() {
        s += sum_sq(row) * x[0] * x[1];
    }
    s
}

/// After a loop over the rows of an active local, each bound `mut`.
#[differentiate(wrt(x))]
fn data_rows_after_local_rows(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = 0.0;
    let m1: Vec<Vec<f64>> = vec![x.to_vec(), x.to_vec()];
    for mut row in m1 {
        row[0] *= x[1];
        s += sum_sq(row) * x[0];
    }
    for row in a {
        let r = row;
        s += dot(&r, x) * r[0];
    }
    s
}

/// A differentiated caller of the last: its split form's value.
#[differentiate(wrt(x))]
fn calls_data_rows(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    data_rows_after_local_rows(a, x) * x[2]
}

fn rows() -> Vec<Vec<f64>> {
    vec![vec![0.5, -1.5, 2.0], vec![1.25, 0.75, -0.5]]
}

/// `f(a, x)` of data rows `a` and a slice `x` in every mode, and the `vjp`
/// with another seed.
macro_rules! check_data_rows {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident) => {{
        let x = [0.7, 1.3, -0.4];
        let t = [0.3, -0.2, 0.5];
        check_all(
            stringify!($f),
            &x,
            &t,
            |p| $f(rows(), p),
            |p| $grad(rows(), p),
            |p, t| $jvp(rows(), p, t),
            |p, t| $hvp(rows(), p, t),
        );
        let (_, g) = $grad(rows(), &x);
        let (_, v) = $vjp(rows(), &x, -2.0);
        for (g, v) in g.iter().zip(&v) {
            assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
        }
    }};
}

#[test]
fn data_rows_moved_out_of_an_owned_2d_array() {
    check_data_rows!(
        data_rows_moved,
        data_rows_moved_grad,
        data_rows_moved_vjp,
        data_rows_moved_jvp,
        data_rows_moved_hvp
    );
    check_data_rows!(
        data_rows_into_helper,
        data_rows_into_helper_grad,
        data_rows_into_helper_vjp,
        data_rows_into_helper_jvp,
        data_rows_into_helper_hvp
    );
    check_data_rows!(
        data_rows_after_local_rows,
        data_rows_after_local_rows_grad,
        data_rows_after_local_rows_vjp,
        data_rows_after_local_rows_jvp,
        data_rows_after_local_rows_hvp
    );
    check_data_rows!(
        calls_data_rows,
        calls_data_rows_grad,
        calls_data_rows_vjp,
        calls_data_rows_jvp,
        calls_data_rows_hvp
    );
}
