//! The last leftovers of issue 18: rows of a 2-D array left out of `wrt`
//! moved out by a `for` loop (`for row in a { let r = row; .. }`, into a
//! helper by `into_iter`, after a loop over a local's rows); nalgebra
//! values copied from sub-slices of every range form; a sub-slice whose
//! start is an expression; `fill` of `&mut` nalgebra buffers, in place;
//! helpers' results (`[f64; N]` or `DVector`, types not written) lent
//! whole to buffers beside nalgebra values, in loops too.
//! Every mode against central finite differences and the dot-product
//! identity.

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

#[path = "common/arrays.rs"]
mod arrays;
mod common;
use arrays::agree_vector;

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

// ----- nalgebra values copied from sub-slices -----------------------------

/// `from_column_slice` of `&x[..b]`, `&x[a..]`, `&x[..]`, `&x[a..=b]`
/// (`&x[..]` as a user may write it).
#[differentiate]
#[allow(clippy::redundant_slicing)]
fn from_sub_slices(x: &[f64]) -> f64 {
    let a = DVector::from_column_slice(&x[..2]);
    let b = DVector::from_column_slice(&x[1..]);
    let c = DVector::from_column_slice(&x[..]);
    let d = DVector::from_column_slice(&x[1..=2]);
    a.dot(&a) * b[0] + c.sum() * d[1] + b.dot(&c.rows(1, 3))
}

/// A chain over a sub-slice whose start is an expression (`x[i - 1..3]`:
/// its length was `3 - i - 1`).
#[differentiate]
fn chain_from_expression(x: &[f64], i: usize) -> f64 {
    x[i - 1..3].iter().map(|v| v * v).sum::<f64>() * x[3]
}

/// `f(x, args..)` of a slice in every mode, and the `vjp` with another
/// seed.
macro_rules! check_slice {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident, $x:expr $(, $arg:expr)*) => {{
        let x: &[f64] = &$x;
        let t: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
        check_all(
            stringify!($f),
            x,
            &t,
            |p| $f(p $(, $arg)*),
            |p| $grad(p $(, $arg)*),
            |p, t| $jvp(p, t $(, $arg)*),
            |p, t| $hvp(p, t $(, $arg)*),
        );
        let (_, g) = $grad(x $(, $arg)*);
        let (_, v) = $vjp(x $(, $arg)*, -2.0);
        for (g, v) in g.iter().zip(&v) {
            assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
        }
    }};
}

#[test]
fn nalgebra_values_from_every_range() {
    check_slice!(
        from_sub_slices,
        from_sub_slices_grad,
        from_sub_slices_vjp,
        from_sub_slices_jvp,
        from_sub_slices_hvp,
        [0.7, 1.3, -0.4, 0.9]
    );
}

#[test]
fn sub_slice_starting_at_an_expression() {
    for i in [1, 2] {
        check_slice!(
            chain_from_expression,
            chain_from_expression_grad,
            chain_from_expression_vjp,
            chain_from_expression_jvp,
            chain_from_expression_hvp,
            [0.7, 1.3, -0.4, 0.9],
            i
        );
    }
}

// ----- fill of nalgebra buffers ---------------------------------------------

/// `fill` of a vector buffer, between reads and writes of its elements.
#[differentiate]
fn filled(a: f64, y: &mut DVector<f64>) {
    y[1] *= a;
    y.fill(a * y[1]);
    y[0] *= a;
}

/// `fill` of a matrix buffer.
#[differentiate]
fn filled_matrix(a: f64, y: &mut DMatrix<f64>) {
    let s = y[(0, 1)] * a;
    y.fill(s * a);
    y[(0, 0)] += a;
}

/// A scalar function lending its local to the first (for `hvp`).
#[differentiate]
fn lends_to_filled(x: &[f64]) -> f64 {
    let mut y = DVector::from_column_slice(&x[..2]);
    filled(x[2], &mut y);
    y[0] * y[1] * x[1]
}

#[test]
fn fill_of_nalgebra_buffers() {
    let x = [1.3, 0.4, -0.9];
    agree_vector(
        "filled",
        &x,
        |x| {
            let mut y = DVector::from_column_slice(&x[1..]);
            filled(x[0], &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let mut y = DVector::from_column_slice(&x[1..]);
            let mut dy = DVector::from_column_slice(&t[1..]);
            filled_jvp(x[0], t[0], &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let mut y = DVector::from_column_slice(&x[1..]);
            let mut c = DVector::from_column_slice(c);
            let a_bar = filled_vjp(x[0], &mut y, &mut c);
            ([y.as_slice()].concat(), [&[a_bar], c.as_slice()].concat())
        },
        1e-7,
    );
    agree_vector(
        "filled_matrix",
        &x,
        |x| {
            let mut y = DMatrix::from_column_slice(1, 2, &x[1..]);
            filled_matrix(x[0], &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let mut y = DMatrix::from_column_slice(1, 2, &x[1..]);
            let mut dy = DMatrix::from_column_slice(1, 2, &t[1..]);
            filled_matrix_jvp(x[0], t[0], &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let mut y = DMatrix::from_column_slice(1, 2, &x[1..]);
            let mut c = DMatrix::from_column_slice(1, 2, c);
            let a_bar = filled_matrix_vjp(x[0], &mut y, &mut c);
            ([y.as_slice()].concat(), [&[a_bar], c.as_slice()].concat())
        },
        1e-7,
    );
    check_slice!(
        lends_to_filled,
        lends_to_filled_grad,
        lends_to_filled_vjp,
        lends_to_filled_jvp,
        lends_to_filled_hvp,
        [0.7, 1.3, -0.4]
    );
}

// ----- helper results lent whole, in a function using nalgebra -------------

/// An `[f64; 2]` result.
#[differentiate]
fn ga(x: &[f64]) -> [f64; 2] {
    [x[0] * x[1], x[1].sin()]
}

/// A `DVector` result.
#[differentiate]
fn gv(x: &[f64]) -> DVector<f64> {
    DVector::from_vec(vec![x[0] * x[1], x[1].sin()])
}

#[differentiate]
fn hb(y: &mut [f64; 2]) {
    y[0] *= y[1];
}

#[differentiate]
fn hv(y: &mut DVector<f64>) {
    y[0] *= y[1];
}

/// The array result, its type not written, lent whole after an element
/// write.
#[differentiate(wrt(x))]
fn lends_array_result(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut y = ga(x);
    y[0] = x[1];
    hb(&mut y);
    y[0] * w[0] + y[1] * w[1]
}

/// The same without the element write.
#[differentiate(wrt(x))]
fn lends_array_result_whole(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut y = ga(x);
    hb(&mut y);
    y[0] * w[0] + y[1] * w[1] * x[0]
}

/// The `DVector` result.
#[differentiate(wrt(x))]
fn lends_vector_result(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut y = gv(x);
    y[0] *= x[1];
    hv(&mut y);
    y[0] * w[0] + y[1] * w[1]
}

/// The array result lent in a loop, written by element there too.
#[differentiate(wrt(x))]
fn lends_array_result_in_loop(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut y = ga(x);
    for k in 0..3 {
        if k == 1 {
            y[1] += x[0];
        }
        hb(&mut y);
    }
    y[0] * w[0] + y[1] * w[1]
}

/// The array result made and lent inside a loop's body.
#[differentiate(wrt(x))]
fn lends_array_result_made_in_loop(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        let mut y = ga(x);
        y[1] *= s + 1.0;
        hb(&mut y);
        s += y[0] * w[0] + y[1] * w[1];
    }
    s
}

/// The `DVector` result lent in a loop.
#[differentiate(wrt(x))]
fn lends_vector_result_in_loop(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut y = gv(x);
    for k in 0..3 {
        if k == 1 {
            y[1] += x[0];
        }
        hv(&mut y);
    }
    y[0] * w[0] + y[1] * w[1]
}

/// The `DVector` result made and lent inside a loop's body, whole.
#[differentiate(wrt(x))]
fn lends_vector_result_made_in_loop(x: &[f64], w: &DVector<f64>) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        let mut y = gv(x);
        hv(&mut y);
        s += y[0] * w[0] + y[1] * w[1] * s;
    }
    s
}

/// The array result lent, then returned.
#[differentiate(wrt(x))]
fn lends_array_result_returned(x: &[f64], w: &DVector<f64>) -> [f64; 2] {
    let mut y = ga(x);
    y[1] *= w[0];
    hb(&mut y);
    y
}

/// A copy of the array result lent, in a branch.
#[differentiate(wrt(x))]
fn lends_copy_of_array_result(x: &[f64], w: &DVector<f64>) -> f64 {
    let y = ga(x);
    let mut z = y;
    if x[0] > 0.0 {
        hb(&mut z);
    }
    z[0] * w[0] + z[1] * w[1] * y[0]
}

#[test]
fn helper_results_lent_whole_beside_nalgebra() {
    let w = DVector::from_vec(vec![0.8, -1.1]);
    check_slice!(
        lends_array_result,
        lends_array_result_grad,
        lends_array_result_vjp,
        lends_array_result_jvp,
        lends_array_result_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_array_result_whole,
        lends_array_result_whole_grad,
        lends_array_result_whole_vjp,
        lends_array_result_whole_jvp,
        lends_array_result_whole_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_vector_result,
        lends_vector_result_grad,
        lends_vector_result_vjp,
        lends_vector_result_jvp,
        lends_vector_result_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_array_result_in_loop,
        lends_array_result_in_loop_grad,
        lends_array_result_in_loop_vjp,
        lends_array_result_in_loop_jvp,
        lends_array_result_in_loop_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_array_result_made_in_loop,
        lends_array_result_made_in_loop_grad,
        lends_array_result_made_in_loop_vjp,
        lends_array_result_made_in_loop_jvp,
        lends_array_result_made_in_loop_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_vector_result_in_loop,
        lends_vector_result_in_loop_grad,
        lends_vector_result_in_loop_vjp,
        lends_vector_result_in_loop_jvp,
        lends_vector_result_in_loop_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_vector_result_made_in_loop,
        lends_vector_result_made_in_loop_grad,
        lends_vector_result_made_in_loop_vjp,
        lends_vector_result_made_in_loop_jvp,
        lends_vector_result_made_in_loop_hvp,
        [0.7, 1.3],
        &w
    );
    check_slice!(
        lends_copy_of_array_result,
        lends_copy_of_array_result_grad,
        lends_copy_of_array_result_vjp,
        lends_copy_of_array_result_jvp,
        lends_copy_of_array_result_hvp,
        [0.7, 1.3],
        &w
    );
    agree_vector(
        "lends_array_result_returned",
        &[0.7, 1.3],
        |x| lends_array_result_returned(x, &w).to_vec(),
        |x, t| {
            let (y, dy) = lends_array_result_returned_jvp(x, t, &w);
            (y.to_vec(), dy.to_vec())
        },
        |x, c| {
            let (y, x_bar) = lends_array_result_returned_vjp(x, &w, [c[0], c[1]]);
            (y.to_vec(), x_bar)
        },
        1e-7,
    );
}
