//! What a new user hit (fourth sweep): a loop-carried local started from a
//! bare literal on the right of a subtraction, a `fold` whose closure types
//! its accumulator, `.clone()` of a borrowed array parameter, `f64::from`,
//! `pop` of an active `Vec`.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`,
//! `_jvp` and `_hvp` against finite differences (`flat::check_all`), values
//! against the plain function.

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 3] = [0.7, -1.3, 0.4];
const T: [f64; 3] = [0.3, 0.9, -0.5];

/// `f(x: &[f64]) -> f64` in every mode at `X`.
fn every_mode(
    what: &str,
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, &X, &f, &jvp, &vjp, 1e-7);
    check_all(what, &X, &T, &f, &grad, &jvp, &hvp);
}

// --- 1: a loop-carried local from a bare literal, subtracted ----------------

/// A scalar filter: `m` starts as `0.0` (its type from the subtractions)
/// and is carried by the loop; `k as f64 - m`, `1.0 - m`, `x[k] - m`.
#[differentiate]
fn filter(x: &[f64]) -> f64 {
    let mut m = 0.0;
    let mut s = 0.0;
    for k in 0..x.len() {
        let d = k as f64 - m;
        let e = 1.0 - m;
        let r = x[k] - m;
        s += d * e + r * r;
        m = x[k] * d + 0.5 * m;
    }
    s
}

/// The same with data left out of `wrt`, the literal local changed in a
/// branch, and `f32`.
#[differentiate(wrt(q))]
fn filter_f32(q: f32, obs: &[f32]) -> f32 {
    let mut m = 0.0;
    let mut s = 0.0;
    for i in 0..obs.len() {
        let d = obs[i] - m;
        if d > 0.0 {
            m = q * d;
        } else {
            m = 1.0 - q * m;
        }
        s += d * d;
    }
    s
}

/// `filter_f32` in `f64`: the reference.
fn filter_f64(q: f64, obs: &[f64]) -> f64 {
    let mut m = 0.0;
    let mut s = 0.0;
    for &o in obs {
        let d = o - m;
        if d > 0.0 {
            m = q * d;
        } else {
            m = 1.0 - q * m;
        }
        s += d * d;
    }
    s
}

#[test]
fn literal_local_subtracted() {
    every_mode(
        "filter",
        filter,
        filter_jvp,
        filter_vjp,
        filter_grad,
        filter_hvp,
    );
    // `f32` against finite differences of the same function in `f64`.
    let obs = [1.5f32, -0.5, 2.0, 0.25];
    let obs64: Vec<f64> = obs.iter().map(|&o| o as f64).collect();
    let q = 0.6f32;
    let h = 1e-5;
    let f = |q: f64| filter_f64(q, &obs64);
    let g = (f(q as f64 + h) - f(q as f64 - h)) / (2.0 * h);
    let gg = (f(q as f64 + h) - 2.0 * f(q as f64) + f(q as f64 - h)) / (h * h);
    let (v, dq) = filter_f32_grad(q, &obs);
    assert_eq!(v, filter_f32(q, &obs));
    common::close("filter_f32 grad", dq as f64, g, 1e-4);
    let (v, d) = filter_f32_jvp(q, 2.0, &obs);
    assert_eq!(v, filter_f32(q, &obs));
    common::close("filter_f32 jvp", d as f64, 2.0 * g, 1e-4);
    let (_, dq) = filter_f32_vjp(q, &obs, 3.0);
    common::close("filter_f32 vjp", dq as f64, 3.0 * g, 1e-4);
    let (_, _, hq) = filter_f32_hvp(q, 1.0, &obs);
    common::close("filter_f32 hvp", hq as f64, gg, 1e-2);
    assert!(
        g.abs() > 1e-2 && gg.abs() > 1e-2,
        "a zero derivative tests nothing"
    );
}

// --- 2: `fold` whose closure types the accumulator --------------------------

/// `|a: f64, b|` fixes the type of the bare `0.0` start (`max` needs it).
#[differentiate]
fn inf_norm(x: &[f64]) -> f64 {
    let m = x.iter().fold(0.0, |a: f64, b| a.max(b.abs()));
    m * m + x.iter().fold(1.0, |p: f64, &b| p * b.sin()) * m
}

/// Data left out of `wrt`, in a loop, the fold's result changed after.
#[differentiate(wrt(x))]
fn folds_in_loop(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..w.len() {
        let mut m = x.iter().fold(0.0, |a: f64, &b| a + w[k] * b * b);
        m *= w[k];
        s += m.sqrt();
    }
    s
}

#[test]
fn fold_with_typed_accumulator() {
    every_mode(
        "inf_norm",
        inf_norm,
        inf_norm_jvp,
        inf_norm_vjp,
        inf_norm_grad,
        inf_norm_hvp,
    );
    let w = [0.5, 2.0];
    every_mode(
        "folds_in_loop",
        |x| folds_in_loop(&w, x),
        |x, t| folds_in_loop_jvp(&w, x, t),
        |x, c| folds_in_loop_vjp(&w, x, c),
        |x| folds_in_loop_grad(&w, x),
        |x, t| folds_in_loop_hvp(&w, x, t),
    );
}

// --- 3: `.clone()` of a borrowed array parameter ---------------------------

/// A copy of a `&Vec<f64>` parameter, changed in a loop.
#[allow(clippy::ptr_arg)]
#[differentiate]
fn copies_vec(x: &Vec<f64>) -> f64 {
    let mut y = x.clone();
    for i in 1..y.len() {
        y[i] = y[i] * y[i - 1] + x[i].sin();
    }
    y.iter().sum::<f64>() * y[0]
}

/// `x.clone()` of `x: &[f64]` is `x` again; data out of `wrt`.
#[allow(noop_method_call, clippy::ptr_arg)]
#[differentiate(wrt(x))]
fn copies_slice(w: &Vec<f64>, x: &[f64]) -> f64 {
    let y = x.clone();
    let v = w.clone();
    let mut s = 0.0;
    for i in 0..y.len() {
        if v[i] > 0.0 {
            s += v[i] * y[i] * y[i];
        } else {
            s += y[i].exp();
        }
    }
    s
}

/// A copy of a `&[f64; 3]` parameter.
#[allow(clippy::clone_on_copy)]
#[differentiate]
fn copies_array(x: &[f64; 3]) -> f64 {
    let y = x.clone();
    y[0] * y[1].cos() + y[2] * y[2]
}

#[test]
fn clone_of_borrowed_array_parameter() {
    every_mode(
        "copies_vec",
        |x| copies_vec(&x.to_vec()),
        |x, t| copies_vec_jvp(&x.to_vec(), &t.to_vec()),
        |x, c| copies_vec_vjp(&x.to_vec(), c),
        |x| copies_vec_grad(&x.to_vec()),
        |x, t| copies_vec_hvp(&x.to_vec(), &t.to_vec()),
    );
    let w = vec![0.5, -1.0, 2.0];
    every_mode(
        "copies_slice",
        |x| copies_slice(&w, x),
        |x, t| copies_slice_jvp(&w, x, t),
        |x, c| copies_slice_vjp(&w, x, c),
        |x| copies_slice_grad(&w, x),
        |x, t| copies_slice_hvp(&w, x, t),
    );
    let a = |x: &[f64]| [x[0], x[1], x[2]];
    every_mode(
        "copies_array",
        |x| copies_array(&a(x)),
        |x, t| copies_array_jvp(&a(x), &a(t)),
        |x, c| {
            let (v, g) = copies_array_vjp(&a(x), c);
            (v, g.to_vec())
        },
        |x| {
            let (v, g) = copies_array_grad(&a(x));
            (v, g.to_vec())
        },
        |x, t| {
            let (v, g, h) = copies_array_hvp(&a(x), &a(t));
            (v, g.to_vec(), h.to_vec())
        },
    );
}

// --- 6: `f64::from` --------------------------------------------------------

/// `f64::from(z)` of an active `f32`, of an `f64`, of an integer; in a loop.
#[allow(clippy::useless_conversion)]
#[differentiate]
fn widens(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let z = (x[i] as f32).sin();
        let k = i as u32;
        s += f64::from(z) * x[i] + f64::from(x[i] * x[0]) * f64::from(k + 1);
    }
    s
}

/// The reference: `as f64` throughout.
fn widens_ref(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let z = (x[i] as f32).sin();
        s += z as f64 * x[i] + x[i] * x[0] * (i + 1) as f64;
    }
    s
}

/// The same on `f32` data, with `f32::from` of an `f32` left out of `wrt`.
#[allow(clippy::useless_conversion)]
#[differentiate(wrt(a))]
fn widens_f32(a: f64, w: &[f32]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let b = f32::from(w[i]) * (a as f32);
        s += f64::from(b) * a;
    }
    s
}

#[test]
fn f64_from() {
    // An `f32` inside: finite differences of `widens_ref` (in which the
    // `f32` rounding is the same) with a step the rounding does not hide.
    let x = [0.7, -1.3, 0.4];
    assert_eq!(widens(&x), widens_ref(&x));
    let h = 1e-3;
    let fd = |t: &[f64]| {
        let p: Vec<f64> = x.iter().zip(t).map(|(a, b)| a + h * b).collect();
        let m: Vec<f64> = x.iter().zip(t).map(|(a, b)| a - h * b).collect();
        (widens_ref(&p) - widens_ref(&m)) / (2.0 * h)
    };
    let t = [0.3, 0.9, -0.5];
    let (v, d) = widens_jvp(&x, &t);
    assert_eq!(v, widens(&x));
    common::close("widens jvp", d, fd(&t), 1e-4);
    let (v, g) = widens_grad(&x);
    assert_eq!(v, widens(&x));
    for (k, &gk) in g.iter().enumerate() {
        let e: Vec<f64> = (0..3).map(|j| if j == k { 1.0 } else { 0.0 }).collect();
        common::close("widens grad", gk, fd(&e), 1e-4);
    }
    let (_, gc) = widens_vjp(&x, 2.5);
    let dot: f64 = gc.iter().zip(&t).map(|(a, b)| a * b).sum();
    // (The derivative of the `f32` sine is rounded to `f32`, at other
    // places in each mode.)
    common::close("widens vjp", dot, 2.5 * d, 1e-6);
    let (_, g2, hv) = widens_hvp(&x, &t);
    assert_eq!(g2, g);
    let p: Vec<f64> = x.iter().zip(&t).map(|(a, b)| a + h * b).collect();
    let m: Vec<f64> = x.iter().zip(&t).map(|(a, b)| a - h * b).collect();
    let (gp, gm) = (widens_grad(&p).1, widens_grad(&m).1);
    for k in 0..3 {
        let fdh = (gp[k] - gm[k]) / (2.0 * h);
        common::close("widens hvp", hv[k], fdh, 1e-4);
    }
    assert!(
        hv.iter().any(|h| h.abs() > 1e-2),
        "a zero HVP tests nothing"
    );
    // `f32` data: s = a * sum_i f64(w_i * f32(a)), about a^2 sum w_i.
    let w = [1.5f32, -0.25, 2.0];
    let a = 0.8;
    let sw: f64 = w.iter().map(|&v| v as f64).sum();
    let (v, g) = widens_f32_grad(a, &w);
    assert_eq!(v, widens_f32(a, &w));
    common::close("widens_f32 grad", g, 2.0 * a * sw, 1e-6);
    let (_, d) = widens_f32_jvp(a, 0.5, &w);
    common::close("widens_f32 jvp", d, 0.5 * 2.0 * a * sw, 1e-6);
    let (_, c) = widens_f32_vjp(a, &w, 3.0);
    common::close("widens_f32 vjp", c, 3.0 * 2.0 * a * sw, 1e-6);
    let (_, _, hv) = widens_f32_hvp(a, 0.5, &w);
    common::close("widens_f32 hvp", hv, 0.5 * 2.0 * sw, 1e-6);
}
