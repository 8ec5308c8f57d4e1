//! Inactive options and enums: a caller passing its reference parameter on
//! wrapped (`Some(v)`, `(v, 1.0)`, `[v, v]`, `Some(&v[1..])`) to a
//! differentiated helper, `if let` and `match` binding the payload of an
//! `Option<&Vec<f64>>`, `Option<&[f64]>` or `&Enum`, and `matches!`; in
//! every mode.
#![allow(clippy::ptr_arg)]

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Fast,
    Rough,
    Exact,
}

enum Shape {
    Scale(f64),
    Shift(f64),
    Id,
}

// ----- helpers called with a reference parameter wrapped ------------------

#[differentiate(wrt(x))]
fn opt_vec_weight(x: f64, w: Option<&Vec<f64>>) -> f64 {
    x * w.map_or(1.0, |w| w[0])
}

#[differentiate(wrt(x))]
fn pair_weight(x: f64, p: (&Vec<f64>, f64)) -> f64 {
    x.sin() * p.0[0] + p.1 * x
}

#[differentiate(wrt(x))]
fn two_weights(x: f64, a: [&Vec<f64>; 2]) -> f64 {
    x * x * a[0][0] + a[1][1] * x
}

#[differentiate(wrt(x))]
fn opt_slice_weight(x: f64, w: Option<&[f64]>) -> f64 {
    match w {
        Some(w) => x.exp() * w[0],
        None => x,
    }
}

/// The caller's split form keeps no borrow of `v` (they go back to the
/// joint form).
#[differentiate(wrt(x, y))]
fn wrapped_callers(x: f64, y: f64, v: &Vec<f64>) -> f64 {
    let a = opt_vec_weight(x, Some(v)) * x;
    let b = pair_weight(y, (v, 1.0));
    let c = two_weights(x, [v, v]);
    let d = opt_slice_weight(y, Some(&v[1..]));
    a * y + b + c * d
}

// ----- payloads bound by `if let` and `match` ----------------------------

#[differentiate(wrt(x, y))]
fn if_let_vec(x: f64, y: f64, w: Option<&Vec<f64>>) -> f64 {
    let mut s = x * y;
    if let Some(w) = w {
        s += x * w[0] + y.sin() * w[1];
    }
    s
}

#[differentiate(wrt(x, y))]
fn if_let_slice_value(x: f64, y: f64, w: Option<&[f64]>) -> f64 {
    if let Some(w) = w {
        x * w[0] * y + w[1]
    } else {
        x / y
    }
}

#[differentiate(wrt(x, y))]
fn match_slice(x: f64, y: f64, w: Option<&[f64]>) -> f64 {
    let s = match w {
        Some(w) => x * x * w[0] + y * w[1],
        None => x * y,
    };
    s * y
}

/// `None` first: a constant, not a binding that matches everything.
#[differentiate(wrt(x, y))]
fn match_none_first(x: f64, y: f64, w: Option<&[f64]>) -> f64 {
    match w {
        None => x * y,
        Some(w) => x.cos() * w[0] + y,
    }
}

#[differentiate(wrt(x, y))]
fn match_enum_ref(x: f64, y: f64, s: &Shape) -> f64 {
    match s {
        Shape::Scale(k) => x * *k * y,
        Shape::Shift(d) if *d > 0.0 => (x + *d) * y,
        Shape::Shift(d) => x * y - *d,
        Shape::Id => x * y,
    }
}

#[derive(Clone, Copy)]
enum Step {
    Times(f64),
    Repeat(usize),
}

/// A `Copy` enum by value, and an `Option<usize>`.
#[differentiate(wrt(x, y))]
fn match_owned(x: f64, y: f64, s: Step, k: Option<usize>) -> f64 {
    let mut r = match s {
        Step::Times(c) => c * x * y,
        Step::Repeat(n) => {
            let mut p = x;
            for _ in 0..n {
                p *= y;
            }
            p
        }
    };
    match k {
        Some(n) if n > 1 => r += x * n as f64,
        Some(n) => r -= y * n as f64,
        None => {}
    }
    r
}

// ----- `matches!` on an inactive value ----------------------------------

#[differentiate(wrt(x, y))]
fn matches_mode(x: f64, y: f64, m: Mode, s: &Shape) -> f64 {
    let mut r = if matches!(m, Mode::Fast) {
        0.5 * x * y
    } else {
        x * y
    };
    let quick = matches!(m, Mode::Fast | Mode::Rough);
    if quick {
        r += y;
    }
    if matches!(s, Shape::Scale(k) if *k > 1.0) {
        r *= x;
    }
    r
}

/// `f(x, y, args..)` in every mode against central finite differences and
/// the dot-product identity (`check_all`).
macro_rules! check_xy {
    ($f:ident, $grad:ident, $jvp:ident, $hvp:ident $(, $arg:expr)*) => {
        check_all(
            stringify!($f),
            &[0.7, 1.3],
            &[0.6, -0.4],
            |p| $f(p[0], p[1] $(, $arg)*),
            |p| {
                let (v, gx, gy) = $grad(p[0], p[1] $(, $arg)*);
                (v, vec![gx, gy])
            },
            |p, t| $jvp(p[0], t[0], p[1], t[1] $(, $arg)*),
            |p, t| {
                let (v, gx, gy, hx, hy) = $hvp(p[0], t[0], p[1], t[1] $(, $arg)*);
                (v, vec![gx, gy], vec![hx, hy])
            },
        )
    };
}

/// The vjp with another seed: the gradient scaled.
macro_rules! check_seed {
    ($grad:ident, $vjp:ident $(, $arg:expr)*) => {{
        let (_, gx, gy) = $grad(0.7, 1.3 $(, $arg)*);
        let (_, vx, vy) = $vjp(0.7, 1.3 $(, $arg)*, -2.0);
        assert!((vx + 2.0 * gx).abs() <= 1e-12 * (1.0 + gx.abs()));
        assert!((vy + 2.0 * gy).abs() <= 1e-12 * (1.0 + gy.abs()));
    }};
}

#[test]
fn reference_parameters_passed_on_wrapped() {
    let v = vec![0.75, -1.5, 2.0];
    check_xy!(
        wrapped_callers,
        wrapped_callers_grad,
        wrapped_callers_jvp,
        wrapped_callers_hvp,
        &v
    );
    check_seed!(wrapped_callers_grad, wrapped_callers_vjp, &v);
}

#[test]
fn payloads_of_inactive_options() {
    let v = vec![0.75, -1.5];
    for w in [Some(&v), None] {
        check_xy!(
            if_let_vec,
            if_let_vec_grad,
            if_let_vec_jvp,
            if_let_vec_hvp,
            w
        );
        check_seed!(if_let_vec_grad, if_let_vec_vjp, w);
    }
    for w in [Some(&v[..]), None] {
        check_xy!(
            if_let_slice_value,
            if_let_slice_value_grad,
            if_let_slice_value_jvp,
            if_let_slice_value_hvp,
            w
        );
        check_xy!(
            match_slice,
            match_slice_grad,
            match_slice_jvp,
            match_slice_hvp,
            w
        );
        check_seed!(match_slice_grad, match_slice_vjp, w);
        check_xy!(
            match_none_first,
            match_none_first_grad,
            match_none_first_jvp,
            match_none_first_hvp,
            w
        );
    }
    // `None =>` is not a catch-all.
    assert_eq!(
        match_none_first(0.5, 2.0, Some(&v[..])),
        0.5f64.cos() * 0.75 + 2.0
    );
}

#[test]
fn payloads_of_enum_references() {
    for s in [
        Shape::Scale(1.5),
        Shape::Shift(0.5),
        Shape::Shift(-0.5),
        Shape::Id,
    ] {
        check_xy!(
            match_enum_ref,
            match_enum_ref_grad,
            match_enum_ref_jvp,
            match_enum_ref_hvp,
            &s
        );
        check_seed!(match_enum_ref_grad, match_enum_ref_vjp, &s);
    }
}

#[test]
fn payloads_of_owned_parameters() {
    for s in [Step::Times(1.5), Step::Repeat(3)] {
        for k in [Some(2), Some(1), None] {
            check_xy!(
                match_owned,
                match_owned_grad,
                match_owned_jvp,
                match_owned_hvp,
                s,
                k
            );
            check_seed!(match_owned_grad, match_owned_vjp, s, k);
        }
    }
}

#[test]
fn matches_on_inactive_values() {
    for m in [Mode::Fast, Mode::Rough, Mode::Exact] {
        for s in [Shape::Scale(1.5), Shape::Id] {
            check_xy!(
                matches_mode,
                matches_mode_grad,
                matches_mode_jvp,
                matches_mode_hvp,
                m,
                &s
            );
            check_seed!(matches_mode_grad, matches_mode_vjp, m, &s);
        }
    }
}
