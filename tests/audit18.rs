//! Helper calls that the audit of issue 18 found not compiling or rejected:
//! a tuple result with a `Vec` member used linearly, nalgebra values passed
//! by value, a buffer copied from a range of inactive data; in every mode
//! against central finite differences (the rejections: `tests/ui`).

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

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

// ----- nalgebra values passed by value ---------------------------------------

#[differentiate]
fn sq_norm_owned(v: DVector<f64>) -> f64 {
    v.dot(&v) * v[0]
}

/// A parameter passed on by value.
#[differentiate]
fn owned_param(v: DVector<f64>) -> f64 {
    sq_norm_owned(v)
}

/// A column copied out (`into_owned`) and passed by value: reverse mode
/// passes it again, and reads it after.
#[differentiate]
fn owned_column(m: &DMatrix<f64>) -> f64 {
    let c = m.column(1).into_owned();
    sq_norm_owned(c)
}

/// The same with the user's own copy, and the column read again.
#[differentiate]
fn owned_column_copy(m: &DMatrix<f64>) -> f64 {
    let c = m.column(1).into_owned();
    sq_norm_owned(c.clone()) + c.sum()
}

#[test]
fn nalgebra_values_passed_by_value() {
    let p = [0.7, -0.4, 0.3, 1.1, -0.8, 0.5];
    let t = [0.2, 0.9, -0.5, 0.4, 0.1, -0.7];
    let v = |p: &[f64]| DVector::from_column_slice(p);
    check_all(
        "owned_param",
        &p,
        &t,
        |p| owned_param(v(p)),
        |p| {
            let (y, g) = owned_param_grad(v(p));
            (y, g.as_slice().to_vec())
        },
        |p, t| owned_param_jvp(v(p), v(t)),
        |p, t| {
            let (y, g, h) = owned_param_hvp(v(p), v(t));
            (y, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
    let (_, g) = owned_param_grad(v(&p));
    let (_, d) = owned_param_jvp(v(&p), v(&t));
    let (_, b) = owned_param_vjp(v(&p), 0.9);
    check_vjp("owned_param", g.as_slice(), d, 0.9, b.as_slice(), &t);

    let m = |p: &[f64]| DMatrix::from_column_slice(2, 3, p);
    type F = fn(&DMatrix<f64>) -> f64;
    type G = fn(&DMatrix<f64>) -> (f64, DMatrix<f64>);
    type J = fn(&DMatrix<f64>, &DMatrix<f64>) -> (f64, f64);
    type H = fn(&DMatrix<f64>, &DMatrix<f64>) -> (f64, DMatrix<f64>, DMatrix<f64>);
    type V = fn(&DMatrix<f64>, f64) -> (f64, DMatrix<f64>);
    let cases: [(&str, F, G, J, H, V); 2] = [
        (
            "owned_column",
            owned_column,
            owned_column_grad,
            owned_column_jvp,
            owned_column_hvp,
            owned_column_vjp,
        ),
        (
            "owned_column_copy",
            owned_column_copy,
            owned_column_copy_grad,
            owned_column_copy_jvp,
            owned_column_copy_hvp,
            owned_column_copy_vjp,
        ),
    ];
    for (what, f, grad, jvp, hvp, vjp) in cases {
        check_all(
            what,
            &p,
            &t,
            |p| f(&m(p)),
            |p| {
                let (y, g) = grad(&m(p));
                (y, g.as_slice().to_vec())
            },
            |p, t| jvp(&m(p), &m(t)),
            |p, t| {
                let (y, g, h) = hvp(&m(p), &m(t));
                (y, g.as_slice().to_vec(), h.as_slice().to_vec())
            },
        );
        let (_, g) = grad(&m(&p));
        let (_, d) = jvp(&m(&p), &m(&t));
        let (_, b) = vjp(&m(&p), -1.3);
        check_vjp(what, g.as_slice(), d, -1.3, b.as_slice(), &t);
    }
}

// ----- a buffer copied from a range of inactive data -------------------------

#[differentiate]
fn tanh_step(w: &[f64], h: &mut [f64]) {
    for i in 0..h.len() {
        h[i] = (w[i] * h[i]).tanh();
    }
}

/// `h0` is left out: its range copied into a `Vec` is a buffer all the
/// same (it was rejected, "pass an array .. as a buffer").
#[differentiate(wrt(w))]
fn inactive_range_buffer(w: &[f64], h0: &[f64]) -> f64 {
    let mut h = h0[..2].to_vec();
    tanh_step(w, &mut h);
    tanh_step(w, &mut h);
    let mut c = h0[1..].to_owned();
    tanh_step(&h, &mut c);
    h[0] * h[1] + c[0]
}

#[test]
fn buffer_from_an_inactive_range() {
    let h0 = [1.0, 2.0, -0.5];
    let p = [0.5, 0.7];
    let t = [-0.3, 0.8];
    check_all(
        "inactive_range_buffer",
        &p,
        &t,
        |p| inactive_range_buffer(p, &h0),
        |p| inactive_range_buffer_grad(p, &h0),
        |p, t| inactive_range_buffer_jvp(p, t, &h0),
        |p, t| inactive_range_buffer_hvp(p, t, &h0),
    );
    let (_, g) = inactive_range_buffer_grad(&p, &h0);
    let (_, d) = inactive_range_buffer_jvp(&p, &t, &h0);
    let (_, v) = inactive_range_buffer_vjp(&p, &h0, 0.4);
    check_vjp("inactive_range_buffer", &g, d, 0.4, &v, &t);
}

// ----- nalgebra values that read no active input, passed by value ---------------

#[differentiate]
fn sq_norm_scaled(v: DVector<f64>, a: f64) -> f64 {
    v.dot(&v) * a.sin() + v[1] * a
}

/// A column of a matrix left out of `wrt`, passed by value: it was passed
/// as it is in the forward sweep and again in the pullback (E0382).
#[differentiate(wrt(a))]
fn inactive_column(m: &DMatrix<f64>, a: f64) -> f64 {
    let c = m.column(1).into_owned();
    sq_norm_scaled(c, a)
}

/// The same twice (`u.clone()`, then `u`) and in a branch.
#[differentiate(wrt(a))]
fn inactive_local_twice(m: &DMatrix<f64>, a: f64) -> f64 {
    let mut s = a * 0.5;
    if s > 0.1 {
        let u = m.column(0).into_owned();
        s += sq_norm_scaled(u.clone(), s) * 0.3 + sq_norm_scaled(u, a);
    }
    let w = DVector::from_element(2, 0.7);
    s + sq_norm_scaled(w.clone(), a) + sq_norm_scaled(w, s)
}

/// A `mut v: DVector<f64>` parameter written by element (rejected as if it
/// were a borrowed one), then passed by value.
#[differentiate]
fn written_owned_param(mut v: DVector<f64>, a: f64) -> f64 {
    v[0] *= a;
    v.dot(&v) * v[1] + sq_norm_scaled(v, a)
}

#[test]
fn inactive_nalgebra_values_passed_by_value() {
    let m = DMatrix::from_column_slice(2, 2, &[0.4, -0.9, 1.2, 0.3]);
    for (what, f, grad, jvp, hvp, vjp) in [
        (
            "inactive_column",
            inactive_column as fn(&DMatrix<f64>, f64) -> f64,
            inactive_column_grad as fn(&DMatrix<f64>, f64) -> (f64, f64),
            inactive_column_jvp as fn(&DMatrix<f64>, f64, f64) -> (f64, f64),
            inactive_column_hvp as fn(&DMatrix<f64>, f64, f64) -> (f64, f64, f64),
            inactive_column_vjp as fn(&DMatrix<f64>, f64, f64) -> (f64, f64),
        ),
        (
            "inactive_local_twice",
            inactive_local_twice,
            inactive_local_twice_grad,
            inactive_local_twice_jvp,
            inactive_local_twice_hvp,
            inactive_local_twice_vjp,
        ),
    ] {
        // (both sides of the branch)
        for a in [0.9, -0.4] {
            check_all(
                what,
                &[a],
                &[0.6],
                |p| f(&m, p[0]),
                |p| {
                    let (y, g) = grad(&m, p[0]);
                    (y, vec![g])
                },
                |p, t| jvp(&m, p[0], t[0]),
                |p, t| {
                    let (y, g, h) = hvp(&m, p[0], t[0]);
                    (y, vec![g], vec![h])
                },
            );
            let (_, g) = grad(&m, a);
            let (_, d) = jvp(&m, a, 0.6);
            let (_, b) = vjp(&m, a, 1.7);
            check_vjp(what, &[g], d, 1.7, &[b], &[0.6]);
        }
    }
}

#[test]
fn owned_nalgebra_param_written_by_element() {
    let p = [0.7, -0.4, 1.3];
    let t = [0.2, 0.9, -0.5];
    let v = |p: &[f64]| DVector::from_column_slice(&p[..2]);
    check_all(
        "written_owned_param",
        &p,
        &t,
        |p| written_owned_param(v(p), p[2]),
        |p| {
            let (y, gv, ga) = written_owned_param_grad(v(p), p[2]);
            (y, vec![gv[0], gv[1], ga])
        },
        |p, t| written_owned_param_jvp(v(p), v(t), p[2], t[2]),
        |p, t| {
            let (y, gv, ga, hv, ha) = written_owned_param_hvp(v(p), v(t), p[2], t[2]);
            (y, vec![gv[0], gv[1], ga], vec![hv[0], hv[1], ha])
        },
    );
    let (_, gv, ga) = written_owned_param_grad(v(&p), p[2]);
    let (_, d) = written_owned_param_jvp(v(&p), v(&t), p[2], t[2]);
    let (_, bv, ba) = written_owned_param_vjp(v(&p), p[2], -0.8);
    check_vjp(
        "written_owned_param",
        &[gv[0], gv[1], ga],
        d,
        -0.8,
        &[bv[0], bv[1], ba],
        &t,
    );
}
