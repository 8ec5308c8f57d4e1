//! Issue 18, buffers whose function returns a value besides: `f_vjp` of a
//! function whose only active inputs are `&mut` buffers returns `(value,)`
//! (its body returned the bare value); with another active input
//! `(value, x_bar)`. Buffers of fixed-size arrays, slices and `Vec`s,
//! array results, and differentiated callers lending a local to them.
//! `_jvp` and `_vjp` against central finite differences and the
//! dot-product identity; the callers in every mode. A tuple result beside
//! the buffer, and callers binding it (`let (a, b) = g(&mut y);`; bound
//! whole in `tests/tuples.rs`).
//! Besides: an array literal bound in a loop body and indexed (its
//! cotangent a zero of its shape, not `0.0`), and half-open range patterns
//! (`..=X`) in a `match`.

use ad::differentiate;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
use arrays::agree_vector;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

// ----- buffers only, and a value ---------------------------------------------

/// The function: a `&mut [f64; 2]` buffer and a value read of it.
#[differentiate]
fn hr(y: &mut [f64; 2]) -> f64 {
    y[0] *= y[1];
    y[1]
}

/// A slice buffer.
#[differentiate]
fn hr_slice(y: &mut [f64]) -> f64 {
    y[0] *= y[1];
    y[1] * y[0]
}

/// A `Vec` buffer.
#[differentiate]
#[allow(clippy::ptr_arg)]
fn hr_vec(y: &mut Vec<f64>) -> f64 {
    y[1] *= y[0].sin();
    y[1] + y[0] * y[0]
}

/// A `&mut [f64; 3]` buffer, the value an expression of its elements.
#[differentiate]
fn hr3(y: &mut [f64; 3]) -> f64 {
    y[2] = y[0] * y[1];
    y[0] *= y[2];
    y[0] * y[1] + y[2].exp()
}

/// An array result.
#[differentiate]
fn hr_array(y: &mut [f64; 2]) -> [f64; 2] {
    y[0] *= y[1];
    [y[1] * y[0], y[0].cos()]
}

/// Data beside the buffer, left out of `wrt`.
#[differentiate(wrt(y))]
fn hr_data(w: &[f64], y: &mut [f64; 2]) -> f64 {
    y[0] *= y[1] * w[0];
    y[1] * w[1]
}

// ----- another active input ---------------------------------------------------

/// A slice `x` in `wrt` beside the buffer.
#[differentiate(wrt(x))]
fn hr_x(x: &[f64], y: &mut [f64; 2]) -> f64 {
    y[0] *= y[1] * x[0];
    y[1] * x[1]
}

/// A `&mut [f64; 3]` buffer, the value an expression of both.
#[differentiate(wrt(x))]
fn hr3_x(x: &[f64], y: &mut [f64; 3]) -> f64 {
    y[2] = x[0] * y[1];
    y[0] *= x[1];
    y[0] * x[0] + y[2] * y[1]
}

// ----- checks of the buffer functions ----------------------------------------

/// `f(y) -> value` of a buffer `y` of `N` elements, through the flat
/// inputs `y` (initial contents) and outputs `[value.., y..]` (value
/// flattened, then the final contents); `$mk` makes a buffer of a slice.
macro_rules! check_buffer {
    ($f:ident, $jvp:ident, $vjp:ident, $mk:expr, $flat:expr, $y:expr) => {{
        let mk = $mk;
        let flat = $flat;
        let y0: &[f64] = &$y;
        let n = y0.len();
        agree_vector(
            stringify!($f),
            y0,
            |y| {
                let mut b = mk(y);
                let v = $f(&mut b);
                [flat(v), b.to_vec()].concat()
            },
            |y, t| {
                let (mut b, mut db) = (mk(y), mk(t));
                let (v, dv) = $jvp(&mut b, &mut db);
                (
                    [flat(v), b.to_vec()].concat(),
                    [flat(dv), db.to_vec()].concat(),
                )
            },
            |y, c| {
                let m = c.len() - n;
                let (mut b, mut b_bar) = (mk(y), mk(&c[m..]));
                let (v,) = $vjp(&mut b, &mut b_bar, unflat(&c[..m]));
                ([flat(v), b.to_vec()].concat(), b_bar.to_vec())
            },
            1e-7,
        );
    }};
}

/// The output cotangent of a value seen through its flat entries.
trait Unflat {
    fn unflat(c: &[f64]) -> Self;
}

impl Unflat for f64 {
    fn unflat(c: &[f64]) -> f64 {
        c[0]
    }
}

impl Unflat for [f64; 2] {
    fn unflat(c: &[f64]) -> [f64; 2] {
        [c[0], c[1]]
    }
}

fn unflat<T: Unflat>(c: &[f64]) -> T {
    T::unflat(c)
}

fn two(y: &[f64]) -> [f64; 2] {
    [y[0], y[1]]
}

fn three(y: &[f64]) -> [f64; 3] {
    [y[0], y[1], y[2]]
}

fn scalar(v: f64) -> Vec<f64> {
    vec![v]
}

#[test]
fn buffers_only_and_a_value() {
    check_buffer!(hr, hr_jvp, hr_vjp, two, scalar, [0.7, 1.3]);
    check_buffer!(
        hr_slice,
        hr_slice_jvp,
        hr_slice_vjp,
        <[f64]>::to_vec,
        scalar,
        [0.7, -1.3]
    );
    check_buffer!(
        hr_vec,
        hr_vec_jvp,
        hr_vec_vjp,
        <[f64]>::to_vec,
        scalar,
        [0.7, 1.3]
    );
    check_buffer!(hr3, hr3_jvp, hr3_vjp, three, scalar, [0.7, 1.3, -0.4]);
    check_buffer!(
        hr_array,
        hr_array_jvp,
        hr_array_vjp,
        two,
        |v: [f64; 2]| v.to_vec(),
        [0.7, 1.3]
    );
}

#[test]
fn data_beside_the_buffer() {
    let w = [0.8, -1.1];
    agree_vector(
        "hr_data",
        &[0.7, 1.3],
        |y| {
            let mut b = two(y);
            let v = hr_data(&w, &mut b);
            [&[v][..], &b].concat()
        },
        |y, t| {
            let (mut b, mut db) = (two(y), two(t));
            let (v, dv) = hr_data_jvp(&w, &mut b, &mut db);
            ([&[v][..], &b].concat(), [&[dv][..], &db].concat())
        },
        |y, c| {
            let (mut b, mut b_bar) = (two(y), two(&c[1..]));
            let (v,) = hr_data_vjp(&w, &mut b, &mut b_bar, c[0]);
            ([&[v][..], &b].concat(), b_bar.to_vec())
        },
        1e-7,
    );
}

/// `f(x, y) -> f64` of a slice `x` of two and a buffer `y` of `N`, through
/// the flat inputs `[x.., y..]` and outputs `[value, y..]`.
macro_rules! check_with_x {
    ($f:ident, $jvp:ident, $vjp:ident, $mk:expr, $p:expr) => {{
        let mk = $mk;
        agree_vector(
            stringify!($f),
            &$p,
            |p| {
                let mut b = mk(&p[2..]);
                let v = $f(&p[..2], &mut b);
                [&[v][..], &b].concat()
            },
            |p, t| {
                let (mut b, mut db) = (mk(&p[2..]), mk(&t[2..]));
                let (v, dv) = $jvp(&p[..2], &t[..2], &mut b, &mut db);
                ([&[v][..], &b].concat(), [&[dv][..], &db].concat())
            },
            |p, c| {
                let (mut b, mut b_bar) = (mk(&p[2..]), mk(&c[1..]));
                let (v, x_bar) = $vjp(&p[..2], &mut b, &mut b_bar, c[0]);
                ([&[v][..], &b].concat(), [&x_bar[..], &b_bar].concat())
            },
            1e-7,
        );
    }};
}

#[test]
fn another_active_input_beside_the_buffer() {
    check_with_x!(hr_x, hr_x_jvp, hr_x_vjp, two, [0.9, -0.6, 0.7, 1.3]);
    check_with_x!(
        hr3_x,
        hr3_x_jvp,
        hr3_x_vjp,
        three,
        [0.9, -0.6, 0.7, 1.3, -0.4]
    );
}

// ----- differentiated callers -------------------------------------------------

/// The caller: a local array lent to `hr`, its value and the
/// local's final contents both read.
#[differentiate]
fn calls_hr(x: &[f64]) -> f64 {
    let mut y = [x[0], x[1]];
    let s = hr(&mut y);
    s * y[0]
}

/// A `Vec` lent to the slice buffer, twice.
#[differentiate]
fn calls_hr_slice(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let s = hr_slice(&mut y);
    let t = hr_slice(&mut y);
    s * y[0] + t * x[1]
}

/// A `Vec` lent to the `Vec` buffer, in a loop.
#[differentiate]
fn calls_hr_vec(x: &[f64]) -> f64 {
    let mut y = vec![x[0], x[1]];
    let mut s = 0.0;
    for _ in 0..2 {
        s += hr_vec(&mut y) * x[0];
    }
    s + y[1]
}

/// A local `[f64; 3]` lent to both `&mut [f64; 3]` functions.
#[differentiate]
fn calls_hr3(x: &[f64]) -> f64 {
    let mut y = [x[0], x[1], x[2]];
    let a = hr3(&mut y);
    let b = hr3_x(x, &mut y);
    a * y[0] + b * y[2]
}

/// The array result.
#[differentiate]
fn calls_hr_array(x: &[f64]) -> f64 {
    let mut y = [x[1], x[0]];
    let r = hr_array(&mut y);
    r[0] * y[0] + r[1] * y[1] * x[2]
}

/// Data beside the buffer, and `x` beside it.
#[differentiate(wrt(x))]
fn calls_hr_data(x: &[f64], w: &[f64]) -> f64 {
    let mut y = [x[0], x[2]];
    let s = hr_data(w, &mut y);
    let t = hr_x(x, &mut y);
    s * t + y[0] * y[1]
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
fn differentiated_callers_lending_locals() {
    let x = [0.7, 1.3, -0.4];
    check_slice!(
        calls_hr,
        calls_hr_grad,
        calls_hr_vjp,
        calls_hr_jvp,
        calls_hr_hvp,
        x
    );
    check_slice!(
        calls_hr_slice,
        calls_hr_slice_grad,
        calls_hr_slice_vjp,
        calls_hr_slice_jvp,
        calls_hr_slice_hvp,
        x
    );
    check_slice!(
        calls_hr_vec,
        calls_hr_vec_grad,
        calls_hr_vec_vjp,
        calls_hr_vec_jvp,
        calls_hr_vec_hvp,
        x
    );
    check_slice!(
        calls_hr3,
        calls_hr3_grad,
        calls_hr3_vjp,
        calls_hr3_jvp,
        calls_hr3_hvp,
        x
    );
    check_slice!(
        calls_hr_array,
        calls_hr_array_grad,
        calls_hr_array_vjp,
        calls_hr_array_jvp,
        calls_hr_array_hvp,
        x
    );
    check_slice!(
        calls_hr_data,
        calls_hr_data_grad,
        calls_hr_data_vjp,
        calls_hr_data_jvp,
        calls_hr_data_hvp,
        x,
        &[0.8, -1.1]
    );
}

// ----- a tuple result beside the buffer ---------------------------------------

/// The function: a tuple of scalars beside a `&mut [f64; 2]`.
#[differentiate]
fn tr(y: &mut [f64; 2]) -> (f64, f64) {
    y[0] *= y[1];
    (y[0], y[1].sin())
}

/// A `Vec` member, an early `return`, and a slice buffer.
#[differentiate]
fn tr_vec(y: &mut [f64]) -> (f64, Vec<f64>) {
    y[1] *= y[0];
    if y[0] > 10.0 {
        return (y[0], vec![y[1]; 2]);
    }
    (y[0] * y[1], vec![y[0].cos(), y[1] * y[1]])
}

/// A slice `x` in `wrt` beside the buffer.
#[differentiate(wrt(x))]
fn tr_x(x: &[f64], y: &mut [f64; 2]) -> (f64, f64) {
    y[0] *= y[1] * x[0];
    (y[0] * x[1], y[1].exp())
}

#[test]
fn a_tuple_result_beside_the_buffer() {
    agree_vector(
        "tr",
        &[0.7, 1.3],
        |y| {
            let mut b = two(y);
            let (u, v) = tr(&mut b);
            [&[u, v][..], &b].concat()
        },
        |y, t| {
            let (mut b, mut db) = (two(y), two(t));
            let ((u, v), (du, dv)) = tr_jvp(&mut b, &mut db);
            ([&[u, v][..], &b].concat(), [&[du, dv][..], &db].concat())
        },
        |y, c| {
            let (mut b, mut b_bar) = (two(y), two(&c[2..]));
            let ((u, v),) = tr_vjp(&mut b, &mut b_bar, (c[0], c[1]));
            ([&[u, v][..], &b].concat(), b_bar.to_vec())
        },
        1e-7,
    );
    agree_vector(
        "tr_vec",
        &[0.7, -1.3],
        |y| {
            let mut b = y.to_vec();
            let (u, v) = tr_vec(&mut b);
            [&[u][..], &v, &b].concat()
        },
        |y, t| {
            let (mut b, mut db) = (y.to_vec(), t.to_vec());
            let ((u, v), (du, dv)) = tr_vec_jvp(&mut b, &mut db);
            ([&[u][..], &v, &b].concat(), [&[du][..], &dv, &db].concat())
        },
        |y, c| {
            let (mut b, mut b_bar) = (y.to_vec(), c[3..].to_vec());
            let ((u, v),) = tr_vec_vjp(&mut b, &mut b_bar, (c[0], c[1..3].to_vec()));
            ([&[u][..], &v, &b].concat(), b_bar)
        },
        1e-7,
    );
    agree_vector(
        "tr_x",
        &[0.9, -0.6, 0.7, 1.3],
        |p| {
            let mut b = two(&p[2..]);
            let (u, v) = tr_x(&p[..2], &mut b);
            [&[u, v][..], &b].concat()
        },
        |p, t| {
            let (mut b, mut db) = (two(&p[2..]), two(&t[2..]));
            let ((u, v), (du, dv)) = tr_x_jvp(&p[..2], &t[..2], &mut b, &mut db);
            ([&[u, v][..], &b].concat(), [&[du, dv][..], &db].concat())
        },
        |p, c| {
            let (mut b, mut b_bar) = (two(&p[2..]), two(&c[2..]));
            let ((u, v), x_bar) = tr_x_vjp(&p[..2], &mut b, &mut b_bar, (c[0], c[1]));
            ([&[u, v][..], &b].concat(), [&x_bar[..], &b_bar].concat())
        },
        1e-7,
    );
}

/// The caller: `let (a, b) = tr(&mut y);`, and the buffers-only
/// call `tr(&mut y);`.
#[differentiate]
fn calls_tr(x: &[f64]) -> f64 {
    let mut y = [x[0], x[1]];
    let (a, b) = tr(&mut y);
    tr(&mut y);
    a * y[0] + b * y[1]
}

/// The `Vec` member, one member left out, and `x` beside the buffer.
#[differentiate]
fn calls_tr_vec(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let (a, v) = tr_vec(&mut y);
    let mut w = [y[0], y[2]];
    let (_, b) = tr_x(x, &mut w);
    let mut z = [y[1], b * w[0]];
    let (c, _) = tr_x(x, &mut z);
    a * v[0] + v[1] * y[2] + c * z[1]
}

#[test]
fn differentiated_callers_of_a_tuple_result() {
    let x = [0.7, 1.3, -0.4];
    check_slice!(
        calls_tr,
        calls_tr_grad,
        calls_tr_vjp,
        calls_tr_jvp,
        calls_tr_hvp,
        x
    );
    check_slice!(
        calls_tr_vec,
        calls_tr_vec_grad,
        calls_tr_vec_vjp,
        calls_tr_vec_jvp,
        calls_tr_vec_hvp,
        x
    );
    // (`tr_vec`'s early `return`.)
    check_slice!(
        calls_tr_vec,
        calls_tr_vec_grad,
        calls_tr_vec_vjp,
        calls_tr_vec_jvp,
        calls_tr_vec_hvp,
        [10.5, 0.4, -0.3]
    );
}

// ----- an array literal bound inside a loop -----------------------------------

/// The sweep's function: `let d = [..];` in a loop body, then indexed.
#[differentiate]
fn loop_array(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..2 {
        let d = [x[i], x[i + 1]];
        e += d[0] * d[1];
    }
    e
}

/// Difference vectors with a constant member, every element read twice.
#[differentiate]
fn loop_array_diff(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..2 {
        let j = i + 2;
        let d = [x[i] - x[j], x[i + 1] - x[j + 1], 0.5];
        e += d[0] * d[0] + d[1] * d[1] + d[2] * d[0];
    }
    e
}

/// With a type annotation.
#[differentiate]
fn loop_array_typed(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..2 {
        let d: [f64; 3] = [x[i] - x[i + 2], x[i + 1] * x[i], 0.5];
        e += d[0] * d[1] + d[2] * d[1].sin();
    }
    e
}

/// Inside a nested loop (pairs `i < j`, as in a pair potential).
#[differentiate]
fn loop_array_nested(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..2 {
        for j in (i + 1)..3 {
            let d = [x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]];
            let r2 = d[0] * d[0] + d[1] * d[1];
            e += 1.0 / r2;
        }
    }
    e
}

#[test]
fn an_array_literal_bound_in_a_loop() {
    check_slice!(
        loop_array,
        loop_array_grad,
        loop_array_vjp,
        loop_array_jvp,
        loop_array_hvp,
        [0.7, 1.3, -0.4]
    );
    check_slice!(
        loop_array_diff,
        loop_array_diff_grad,
        loop_array_diff_vjp,
        loop_array_diff_jvp,
        loop_array_diff_hvp,
        [0.7, 1.3, -0.4, 0.9, -1.1]
    );
    check_slice!(
        loop_array_typed,
        loop_array_typed_grad,
        loop_array_typed_vjp,
        loop_array_typed_jvp,
        loop_array_typed_hvp,
        [0.7, 1.3, -0.4, 0.9]
    );
    check_slice!(
        loop_array_nested,
        loop_array_nested_grad,
        loop_array_nested_vjp,
        loop_array_nested_jvp,
        loop_array_nested_hvp,
        [0.7, 1.3, -0.4, 0.9, 1.6, -1.2]
    );
}

// ----- half-open range patterns -----------------------------------------------

/// The sweep's tariff: `..=X` on a float.
#[differentiate]
fn tariff(kwh: f64) -> f64 {
    match kwh {
        ..=100.0 => 0.001 * kwh * kwh,
        _ => 10.0 + 0.15 * (kwh - 100.0) + 0.002 * (kwh - 100.0).powi(2),
    }
}

/// `..=X` on an inactive integer, among the other range forms, an
/// or-pattern that starts with one and a guard (falling through to an
/// overlapping arm).
#[differentiate]
#[allow(clippy::match_overlapping_arm)]
fn by_range(x: f64, k: i32) -> f64 {
    match k {
        ..=-5 => x.sin(),
        ..-2 | 9 if x > 0.0 => x * x * x,
        ..-2 => x.exp(),
        -2..=0 => x * x,
        1..4 => x.cos() * x,
        12.. => x.sqrt() * x,
        _ => x * x.ln(),
    }
}

/// Checks a function of one scalar (and data) in every mode at `x`.
macro_rules! check_scalar {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident, $x:expr $(, $arg:expr)*) => {{
        check_all(
            stringify!($f),
            &[$x],
            &[0.7],
            |p| $f(p[0] $(, $arg)*),
            |p| {
                let (v, g) = $grad(p[0] $(, $arg)*);
                (v, vec![g])
            },
            |p, t| $jvp(p[0], t[0] $(, $arg)*),
            |p, t| {
                let (v, g, h) = $hvp(p[0], t[0] $(, $arg)*);
                (v, vec![g], vec![h])
            },
        );
        let (_, g) = $grad($x $(, $arg)*);
        let (_, v) = $vjp($x $(, $arg)*, -2.0);
        assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
    }};
}

#[test]
fn half_open_range_patterns() {
    for x in [50.0, 150.0] {
        check_scalar!(tariff, tariff_grad, tariff_vjp, tariff_jvp, tariff_hvp, x);
    }
    for (x, k) in [
        (0.8, -7),
        (0.8, -3),
        (0.8, 9),
        (-0.8, -3),
        (0.8, -1),
        (0.8, 2),
        (0.8, 15),
        (1.3, 5),
    ] {
        check_scalar!(
            by_range,
            by_range_grad,
            by_range_vjp,
            by_range_jvp,
            by_range_hvp,
            x,
            k
        );
    }
}
