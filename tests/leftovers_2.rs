//! More leftovers of issue 18: rows moved out of an owned 2-D array by a
//! `for` loop (`for row in a { let r = row; .. }`); slices left out of
//! `wrt` chosen by a branch, and slices copied or reassigned in straight
//! code; `match w.first() { .. }` and `while let Some(a) = w.get(k)`; the
//! rows of a 2-D local swapped in place (`m[r].swap(i, j)`); an inactive
//! nalgebra local passed by value to a helper more than once. Every mode
//! against central finite differences and the dot-product identity.

use ad::differentiate;
use ad::nalgebra::DVector;

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

// ----- rows moved out of an owned 2-D array -------------------------------

/// Of a parameter taken by value.
#[differentiate]
fn rows_moved(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in a {
        let r = row;
        s += dot(&r, x) * r[0];
    }
    s
}

/// Through `into_iter`, each row moved into a helper taking it by value.
#[differentiate]
fn rows_into_helper(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in a.into_iter() {
        s += sum_sq(row) * x[0];
    }
    s
}

/// Of a local, each row bound `mut` and changed.
#[differentiate]
fn rows_of_local(x: &[f64]) -> f64 {
    let sq: Vec<f64> = x.iter().map(|v| v * v).collect();
    let a: Vec<Vec<f64>> = vec![x.to_vec(), sq];
    let mut s = 0.0;
    for mut row in a {
        row[0] *= x[1];
        let r = row;
        s += sum_sq(r) * x[2];
    }
    s
}

/// The rows (2 of 3) and `x` (3) of `p`.
fn rows_x(p: &[f64]) -> (Vec<Vec<f64>>, &[f64]) {
    (vec![p[..3].to_vec(), p[3..6].to_vec()], &p[6..])
}

fn cat(a: Vec<Vec<f64>>, x: Vec<f64>) -> Vec<f64> {
    a.into_iter().flatten().chain(x).collect()
}

/// `f(a, x)` of rows and a slice in every mode, seen through one vector,
/// and the `vjp` with another seed.
macro_rules! check_rows {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident) => {{
        let p = [0.7, 1.3, -0.4, 0.9, -1.1, 0.5, 0.8, -0.6, 1.2];
        let t: Vec<f64> = (0..p.len()).map(|i| 0.3 - 0.1 * i as f64).collect();
        check_all(
            stringify!($f),
            &p,
            &t,
            |p| {
                let (a, x) = rows_x(p);
                $f(a, x)
            },
            |p| {
                let (a, x) = rows_x(p);
                let (v, ab, xb) = $grad(a, x);
                (v, cat(ab, xb))
            },
            |p, t| {
                let ((a, x), (da, dx)) = (rows_x(p), rows_x(t));
                $jvp(a, da, x, dx)
            },
            |p, t| {
                let ((a, x), (da, dx)) = (rows_x(p), rows_x(t));
                let (v, ab, xb, ha, hx) = $hvp(a, da, x, dx);
                (v, cat(ab, xb), cat(ha, hx))
            },
        );
        let (a, x) = rows_x(&p);
        let (_, ab, xb) = $grad(a.clone(), x);
        let (_, vb, wb) = $vjp(a, x, -2.0);
        for (g, v) in cat(ab, xb).iter().zip(&cat(vb, wb)) {
            assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
        }
    }};
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
fn rows_moved_out_of_an_owned_2d_array() {
    check_rows!(
        rows_moved,
        rows_moved_grad,
        rows_moved_vjp,
        rows_moved_jvp,
        rows_moved_hvp
    );
    check_rows!(
        rows_into_helper,
        rows_into_helper_grad,
        rows_into_helper_vjp,
        rows_into_helper_jvp,
        rows_into_helper_hvp
    );
    check_slice!(
        rows_of_local,
        rows_of_local_grad,
        rows_of_local_vjp,
        rows_of_local_jvp,
        rows_of_local_hvp,
        [0.7, 1.3, -0.4, 0.9]
    );
}

// ----- slices chosen, copied, reassigned ----------------------------------

/// Slices left out of `wrt` (data) chosen by a branch: references only.
#[differentiate(wrt(x))]
fn chosen_among_data(x: &[f64], d1: &[f64], d2: &[f64], c: bool) -> f64 {
    let mut d = d1;
    if c {
        d = d2;
    }
    d[0] * x[1] + dot(d, x) * dot(if c { d2 } else { d1 }, x)
}

/// What the rejection of an active choice says to write: a copy.
#[differentiate(wrt(x))]
fn chosen_copy(x: &[f64], c: bool) -> f64 {
    let b: Vec<f64> = if c { x[1..].to_vec() } else { x[..3].to_vec() };
    dot(&b, x) * b[0]
}

/// A slice variable assigned another slice in straight code: another name.
#[differentiate]
#[allow(unused_assignments)]
fn reassigned_straight(x: &[f64], y: &[f64]) -> f64 {
    let mut b = x;
    let s = b[1] * y[0];
    b = y;
    s + b[0] * x[2] + dot(b, x)
}

#[test]
fn slices_chosen_copied_reassigned() {
    let x = [0.7, 1.3, -0.4, 0.9];
    let (d1, d2) = ([0.5, -1.5, 2.0, 0.25], [1.25, 0.75, -0.5, 1.0]);
    for c in [true, false] {
        check_slice!(
            chosen_among_data,
            chosen_among_data_grad,
            chosen_among_data_vjp,
            chosen_among_data_jvp,
            chosen_among_data_hvp,
            x,
            &d1,
            &d2,
            c
        );
        check_slice!(
            chosen_copy,
            chosen_copy_grad,
            chosen_copy_vjp,
            chosen_copy_jvp,
            chosen_copy_hvp,
            x,
            c
        );
    }
    // (`x` and `y` seen through one vector.)
    let p = [0.7, 1.3, -0.4, 0.9, 0.5, -1.5, 2.0, 0.25];
    let t: Vec<f64> = (0..p.len()).map(|i| 0.3 - 0.1 * i as f64).collect();
    let cat = |(v, a, b): (f64, Vec<f64>, Vec<f64>)| (v, [a, b].concat());
    check_all(
        "reassigned_straight",
        &p,
        &t,
        |p| reassigned_straight(&p[..4], &p[4..]),
        |p| cat(reassigned_straight_grad(&p[..4], &p[4..])),
        |p, t| reassigned_straight_jvp(&p[..4], &t[..4], &p[4..], &t[4..]),
        |p, t| {
            let (v, a, b, ha, hb) = reassigned_straight_hvp(&p[..4], &t[..4], &p[4..], &t[4..]);
            (v, [a, b].concat(), [ha, hb].concat())
        },
    );
    let (_, g) = cat(reassigned_straight_grad(&p[..4], &p[4..]));
    let (_, v) = cat(reassigned_straight_vjp(&p[..4], &p[4..], -2.0));
    for (g, v) in g.iter().zip(&v) {
        assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
    }
}

// ----- `match w.first()`, `while let Some(a) = w.get(k)` -------------------

#[differentiate]
fn matched_elements(w: &[f64], i: usize) -> f64 {
    let mut s = w[1];
    match w.first() {
        Some(a) => s += a * s * *a,
        None => s -= 1.0,
    }
    match w.get(i) {
        None => s *= 2.0,
        Some(&b) => {
            s *= b.sin();
        }
    }
    let v: Vec<f64> = w.iter().map(|a| a * w[0]).collect();
    let t = match v.last() {
        Some(c) => c * s,
        _ => s,
    };
    t + s
}

/// Of a slice left out of `wrt` (was rejected: tests/ui's
/// `match_parts_of_expression`).
#[differentiate(wrt(x))]
fn first_weight(x: f64, w: &[f64]) -> f64 {
    match w.first() {
        Some(a) => x * x * *a,
        None => x.sin(),
    }
}

#[differentiate]
fn elements_while_let(w: &[f64], n: usize) -> f64 {
    let mut s = w[0];
    let mut k = 1;
    while let Some(a) = w.get(k) {
        s += a * s.sin();
        k += 1;
    }
    let v: Vec<f64> = w.iter().map(|a| a * a).collect();
    let mut j = 0;
    'rounds: while let Some(&b) = v.get(j) {
        s *= 1.0 + 0.1 * b;
        j += 1;
        if j == n {
            break 'rounds;
        }
    }
    s
}

#[test]
fn elements_bound_by_match_and_while_let() {
    let w = [0.7, 1.3, -0.4, 0.9];
    for w in [&w[..], &[]] {
        check_all(
            "first_weight",
            &[0.8],
            &[0.6],
            |p| first_weight(p[0], w),
            |p| {
                let (v, g) = first_weight_grad(p[0], w);
                (v, vec![g])
            },
            |p, t| first_weight_jvp(p[0], t[0], w),
            |p, t| {
                let (v, g, h) = first_weight_hvp(p[0], t[0], w);
                (v, vec![g], vec![h])
            },
        );
    }
    for i in [0, 2, 7] {
        check_slice!(
            matched_elements,
            matched_elements_grad,
            matched_elements_vjp,
            matched_elements_jvp,
            matched_elements_hvp,
            w,
            i
        );
        check_slice!(
            elements_while_let,
            elements_while_let_grad,
            elements_while_let_vjp,
            elements_while_let_jvp,
            elements_while_let_hvp,
            w,
            i
        );
    }
}

// ----- rows swapped in place; nalgebra data passed by value ---------------

#[differentiate]
fn swapped_vec_rows(x: &[f64]) -> f64 {
    let sq: Vec<f64> = x.iter().map(|v| v * v).collect();
    let mut m: Vec<Vec<f64>> = vec![x.to_vec(), sq];
    m[1].swap(0, 2);
    m[0].swap(1, x.len() - 1);
    m[0][0] * m[1][0] + m[0][1] * m[1][2].sin() + m[0][3] * m[1][1]
}

#[differentiate]
fn swapped_array_rows(x: &[f64]) -> f64 {
    let mut m = [[0.0; 3]; 3];
    for r in 0..3 {
        for c in 0..3 {
            m[r][c] = x[(r + c) % x.len()] * (r as f64 + 1.0);
        }
    }
    m[2].swap(0, 1);
    let k = 1;
    m[k].swap(k + 1, 0);
    m[2][0] * m[1][0] + m[1][2] * m[2][1] + m[0][0] * m[1][1]
}

#[differentiate]
fn weighted(v: DVector<f64>, w: &DVector<f64>) -> f64 {
    v.dot(w) * w[0]
}

#[differentiate]
fn weighted2(v: DVector<f64>, u: DVector<f64>, w: &DVector<f64>) -> f64 {
    v.dot(w) * u.dot(w)
}

#[differentiate(wrt(w))]
fn data_by_value(w: &DVector<f64>, data: &[f64]) -> f64 {
    let d = DVector::from_column_slice(data);
    let mut s = weighted(d.clone(), w) * weighted(d.clone(), w);
    for _ in 0..2 {
        s += weighted(d.clone(), w) * s.sin();
    }
    s + weighted2(d.clone(), d, w)
}

#[test]
fn rows_swapped_and_data_passed_by_value() {
    let x = [0.7, 1.3, -0.4, 0.9];
    check_slice!(
        swapped_vec_rows,
        swapped_vec_rows_grad,
        swapped_vec_rows_vjp,
        swapped_vec_rows_jvp,
        swapped_vec_rows_hvp,
        x
    );
    check_slice!(
        swapped_array_rows,
        swapped_array_rows_grad,
        swapped_array_rows_vjp,
        swapped_array_rows_jvp,
        swapped_array_rows_hvp,
        x
    );
    let data = [0.5, -1.5, 0.25];
    let w = [0.7, -0.3, 0.4];
    let t = [0.3, 0.1, -0.2];
    let v = |p: &[f64]| DVector::from_column_slice(p);
    check_all(
        "data_by_value",
        &w,
        &t,
        |p| data_by_value(&v(p), &data),
        |p| {
            let (s, g) = data_by_value_grad(&v(p), &data);
            (s, g.as_slice().to_vec())
        },
        |p, t| data_by_value_jvp(&v(p), &v(t), &data),
        |p, t| {
            let (s, g, h) = data_by_value_hvp(&v(p), &v(t), &data);
            (s, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
    let (_, g) = data_by_value_grad(&v(&w), &data);
    let (_, b) = data_by_value_vjp(&v(&w), &data, -2.0);
    assert!((b + 2.0 * &g).norm() <= 1e-12 * (1.0 + g.norm()));
}

// ----- a generic alias of data is not taken for floats --------------------

type Ids<I> = Vec<I>;

#[differentiate]
fn gathered<T: ad::Real>(x: &[T], ids: &Ids<usize>) -> T {
    let mut s = x[0];
    for k in 0..ids.len() {
        s *= x[ids[k]];
    }
    s
}

#[test]
fn generic_alias_of_data() {
    let x: [f64; 3] = [0.7, 1.3, -0.4];
    let ids: Ids<usize> = vec![1, 2, 1];
    let (v, g) = gathered_grad(&x[..], &ids);
    assert_eq!(v, 0.7 * 1.3 * -0.4 * 1.3);
    let (_, d) = gathered_jvp(&x[..], &[0.0, 1.0, 0.0][..], &ids);
    let g1: f64 = 2.0 * 0.7 * 1.3 * -0.4;
    assert!((d - g[1]).abs() < 1e-12 && (g[1] - g1).abs() < 1e-12);
}
