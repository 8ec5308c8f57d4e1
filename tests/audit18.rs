//! Helper calls that the audit of issue 18 found not compiling or rejected:
//! a tuple result with a `Vec` member used linearly, nalgebra values passed
//! by value, a buffer copied from a range of inactive data; in every mode
//! against central finite differences (the rejections: `tests/ui`).

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::{check_all, dot_f};

/// `_vjp` with the output cotangent `w`: `w` times the gradient, and the
/// dot-product identity `w <jvp, t> = <vjp(w), t>`.
fn check_vjp(what: &str, g: &[f64], d: f64, w: f64, vjp: &[f64], t: &[f64]) {
    for (a, b) in vjp.iter().zip(g) {
        assert!(
            (a - w * b).abs() <= 1e-12 * (1.0 + a.abs()),
            "{what}: vjp {a} against w * grad {}",
            w * b
        );
    }
    let (l, r) = (w * d, dot_f(vjp, t));
    assert!(
        (l - r).abs() <= 1e-12 * (1.0 + l.abs()),
        "{what}: w <jvp, t> {l} against <vjp, t> {r}"
    );
}

// ----- a tuple result with a `Vec` member used only linearly -----------------

#[differentiate]
fn pair(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    (vec![x[0] * x[0], x[1]], vec![x[1].sin()])
}

/// `o` enters linearly: the second-order code once moved its cotangent into
/// the tuple before taking a zero of it (E0382 in `_hvp`).
#[differentiate]
fn linear_member(x: &[f64], k: f64) -> f64 {
    let (e, o) = pair(x);
    let mut t = k;
    for i in 0..e.len() {
        t += e[i] * k;
    }
    t + o[0]
}

#[differentiate]
fn stats(x: &[f64]) -> (f64, Vec<f64>) {
    let mut s = 0.0;
    let mut e = vec![0.0; x.len()];
    for i in 0..x.len() {
        s += x[i] * x[i];
        e[i] = x[i].exp();
    }
    (s, e)
}

/// The `Vec` member summed by a `for` over it, the scalar squared.
#[differentiate]
fn linear_member_loop(x: &[f64]) -> f64 {
    let (s, e) = stats(x);
    let mut t = s * s;
    for ei in e {
        t += ei;
    }
    t
}

#[test]
fn tuple_member_used_linearly() {
    let p = [0.7, -0.4, 0.3];
    let t = [0.2, 0.9, -0.5];
    let x = |p: &[f64]| p[..2].to_vec();
    check_all(
        "linear_member",
        &p,
        &t,
        |p| linear_member(&x(p), p[2]),
        |p| {
            let (v, gx, gk) = linear_member_grad(&x(p), p[2]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| linear_member_jvp(&x(p), &x(t), p[2], t[2]),
        |p, t| {
            let (v, gx, gk, hx, hk) = linear_member_hvp(&x(p), &x(t), p[2], t[2]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    let (_, gx, gk) = linear_member_grad(&x(&p), p[2]);
    let (_, d) = linear_member_jvp(&x(&p), &x(&t), p[2], t[2]);
    let (_, vx, vk) = linear_member_vjp(&x(&p), p[2], 1.7);
    check_vjp(
        "linear_member",
        &[gx, vec![gk]].concat(),
        d,
        1.7,
        &[vx, vec![vk]].concat(),
        &t,
    );

    check_all(
        "linear_member_loop",
        &p,
        &t,
        linear_member_loop,
        linear_member_loop_grad,
        linear_member_loop_jvp,
        linear_member_loop_hvp,
    );
    let (_, g) = linear_member_loop_grad(&p);
    let (_, d) = linear_member_loop_jvp(&p, &t);
    let (_, v) = linear_member_loop_vjp(&p, -0.6);
    check_vjp("linear_member_loop", &g, d, -0.6, &v, &t);
}
