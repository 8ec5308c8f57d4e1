//! Second order through calls with one second-order body per function: a
//! callee's `__ad_vjpjvp_g(.., s, ds)` is its `_hvp` body (seed one) with
//! each cotangent `g` and its tangent `hv` scaled to `s g` and
//! `s hv + ds g`. The callers here give the callee an output cotangent `s`
//! whose tangent `ds` is not zero (a caller nonlinear in the callee's
//! value), zero (a linear caller: `NoTangent`), and `s = 0` with `ds != 0`;
//! callees over slices, scalars left out of `wrt`, `f32` beside `f64`, a
//! float type parameter, methods, and a parameter struct with a skipped
//! field.
//!
//! Every caller in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`, `_jvp`
//! and `_hvp` against finite differences (`flat::check_all`), values
//! against the plain function.

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 3] = [0.7, -1.3, 0.4];
const T: [f64; 3] = [0.3, 0.9, -0.5];

/// `f(x: &[f64]) -> f64` in every mode at `x`.
fn every_mode(
    what: &str,
    x: &[f64],
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, x, &f, &jvp, &vjp, 1e-7);
    check_all(what, x, &T, &f, &grad, &jvp, &hvp);
}

/// The callee: a loop over a slice, a scalar parameter and an integer left
/// out of `wrt`.
#[differentiate(wrt(x, a))]
fn energy(x: &[f64], a: f64, k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..k {
        s += (a * x[i]).sin() * x[i];
    }
    s
}

/// Nonlinear in the callee's value (its output cotangent has a tangent),
/// then linear in a second call (`NoTangent`).
#[differentiate]
fn squashed(x: &[f64]) -> f64 {
    let e = energy(x, x[0], x.len());
    e * e.tanh() + energy(x, 0.5, 2)
}

/// The output cotangent `w` is zero at `x[0] = 0.7`, its tangent is not.
#[differentiate]
fn gated(x: &[f64]) -> f64 {
    let w = x[0] - 0.7;
    w * energy(x, 1.3, x.len()) + x[1] * x[2]
}

/// Called in a loop, its result overwriting the accumulator.
#[differentiate]
fn repeated(x: &[f64]) -> f64 {
    let mut acc = 0.5;
    for i in 0..2 {
        acc = acc * energy(x, acc, i + 2);
    }
    acc
}

#[test]
fn slice_callee() {
    let x: &[f64] = &X;
    assert!(gated(x).is_finite());
    every_mode(
        "squashed",
        x,
        squashed,
        squashed_jvp,
        squashed_vjp,
        squashed_grad,
        squashed_hvp,
    );
    every_mode(
        "gated", x, gated, gated_jvp, gated_vjp, gated_grad, gated_hvp,
    );
    every_mode(
        "repeated",
        x,
        repeated,
        repeated_jvp,
        repeated_vjp,
        repeated_grad,
        repeated_hvp,
    );
    // At `s = 1` with no tangent, the wrapper is the callee's `_hvp`, to
    // the last bit (the scaling by one is exact).
    let (v, g, _, hv, _) = energy_hvp(x, &T, 0.9, 0.0, 3);
    let ((v2, g2, _, ()), (_, hv2, _, ())) = __ad_vjpjvp_energy(
        x,
        ad::__rt::Given(&T[..]),
        0.9,
        0.0,
        3,
        ad::__rt::NoTangent,
        1.0,
        ad::__rt::NoTangent,
    );
    assert_eq!((v, &g, &hv), (v2, &g2, &hv2));
}

/// `f32` beside `f64` in the callee, an `f32` result.
#[differentiate]
fn mixed(x: f32, y: f64) -> f32 {
    let y32 = y as f32;
    x.sin() * y32 + (x as f64 * y).ln() as f32
}

#[differentiate]
fn calls_mixed(x: f32, y: f64) -> f32 {
    let m = mixed(x, y);
    m * m * x
}

#[test]
fn single_precision_callee() {
    let (x, y) = (0.5f32, 2.0f64);
    let f = |x: f32, y: f64| {
        let m = x.sin() * y as f32 + (x as f64 * y).ln() as f32;
        m * m * x
    };
    assert_eq!(calls_mixed(x, y), f(x, y));
    // H v against central differences of the gradient, in f64 arithmetic
    // of the f32 gradient (step 1e-2: truncation about 1e-4 relative).
    let (vx, vy) = (0.6f32, -0.8f64);
    let (v, gx, gy, hx, hy) = calls_mixed_hvp(x, vx, y, vy);
    let (v0, gx0, gy0) = calls_mixed_grad(x, y);
    // (The same gradient to `f32` rounding: second order scales the
    // callee's cotangents for the output cotangent one, in `f64` for `y`.)
    assert_eq!(v, v0);
    common::close("calls_mixed hvp's gradient x", gx as f64, gx0 as f64, 1e-6);
    common::close("calls_mixed hvp's gradient y", gy, gy0, 1e-6);
    let h = 1e-2;
    let (_, gxp, gyp) = calls_mixed_grad(x + h as f32 * vx, y + h * vy);
    let (_, gxm, gym) = calls_mixed_grad(x - h as f32 * vx, y - h * vy);
    let fdx = (gxp as f64 - gxm as f64) / (2.0 * h);
    let fdy = (gyp - gym) / (2.0 * h);
    common::close("calls_mixed hvp x", hx as f64, fdx, 2e-3);
    common::close("calls_mixed hvp y", hy, fdy, 2e-3);
    // The gradient against finite differences of the value.
    let fdgx = (f(x + 1e-2, y) as f64 - f(x - 1e-2, y) as f64) / 2e-2;
    common::close("calls_mixed grad x", gx as f64, fdgx, 2e-3);
}

/// A float type parameter.
#[differentiate]
fn gen_inner<T: ad::Real>(x: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..x.len() {
        s += x[i] * x[i].exp();
    }
    s
}

#[differentiate]
fn gen_outer<T: ad::Real>(x: &[T]) -> T {
    let h = gen_inner(x);
    h.sin() * h
}

#[test]
fn generic_callee() {
    every_mode(
        "gen_outer",
        &X,
        gen_outer::<f64>,
        gen_outer_jvp::<f64>,
        gen_outer_vjp::<f64>,
        gen_outer_grad::<f64>,
        gen_outer_hvp::<f64>,
    );
}

/// Methods: the callee reached as `Self::__ad_vjpjvp_..`.
struct Model {
    k: f64,
}

impl Model {
    #[differentiate(wrt(x))]
    fn potential(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += self.k * x[i].cos() * x[i];
        }
        s
    }

    #[differentiate(wrt(x))]
    fn outer(&self, x: &[f64]) -> f64 {
        let p = self.potential(x);
        (p * 0.5).exp() + self.potential(x)
    }
}

#[test]
fn method_callee() {
    let m = Model { k: 1.7 };
    every_mode(
        "outer",
        &X,
        |x| m.outer(x),
        |x, t| m.outer_jvp(x, t),
        |x, s| m.outer_vjp(x, s),
        |x| m.outer_grad(x),
        |x, t| m.outer_hvp(x, t),
    );
}

/// A parameter struct with a skipped field: scaling its cotangent leaves
/// the skipped field alone.
#[derive(Clone, Debug, ad::Differentiable)]
struct Weights {
    w: Vec<f64>,
    #[ad(skip)]
    offset: f64,
}

#[differentiate(wrt(p, x))]
fn weighted(p: &Weights, x: &[f64]) -> f64 {
    let mut s = p.offset;
    for i in 0..x.len() {
        s += (p.w[i] * x[i]).tanh();
    }
    s
}

#[differentiate(wrt(p, x))]
fn weighted_sq(p: &Weights, x: &[f64]) -> f64 {
    let s = weighted(p, x);
    s * s
}

#[test]
fn struct_callee() {
    // Seen through a flat vector: the weights, then x.
    let split = |q: &[f64]| {
        (
            Weights {
                w: q[..3].to_vec(),
                offset: 0.25,
            },
            q[3..].to_vec(),
        )
    };
    let q: Vec<f64> = [0.4, -0.9, 1.1].iter().chain(&X).copied().collect();
    let tq: Vec<f64> = [0.2, 0.5, -0.7].iter().chain(&T).copied().collect();
    let f = |q: &[f64]| {
        let (p, x) = split(q);
        weighted_sq(&p, &x)
    };
    let grad = |q: &[f64]| {
        let (p, x) = split(q);
        let (v, gp, gx) = weighted_sq_grad(&p, &x);
        assert_eq!(gp.offset, 0.25, "the skipped field is the primal's");
        (v, gp.w.iter().chain(&gx).copied().collect::<Vec<f64>>())
    };
    let jvp = |q: &[f64], t: &[f64]| {
        let (p, x) = split(q);
        let (dp, dx) = split(t);
        weighted_sq_jvp(&p, &dp, &x, &dx)
    };
    let hvp = |q: &[f64], t: &[f64]| {
        let (p, x) = split(q);
        let (dp, dx) = split(t);
        let (v, gp, gx, hp, hx) = weighted_sq_hvp(&p, &dp, &x, &dx);
        assert_eq!(hp.offset, 0.25, "the skipped field is the primal's");
        (
            v,
            gp.w.iter().chain(&gx).copied().collect::<Vec<f64>>(),
            hp.w.iter().chain(&hx).copied().collect::<Vec<f64>>(),
        )
    };
    assert_eq!(grad(&q).0, f(&q));
    check_all("weighted_sq", &q, &tq, f, grad, jvp, hvp);
}
