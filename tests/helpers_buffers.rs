//! Helper functions with buffers: in/out `&mut` buffers passed to calls,
//! `Vec`s grown with `push`, ranges of arrays passed as buffers, nalgebra
//! copies and where cotangents are added; in every mode against central
//! finite differences (slices, arrays, tuples and nalgebra values passed
//! and returned: `tests/helpers.rs`).

use ad::check::{compare, fd_jvp};
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

#[path = "common/flat.rs"]
mod flat;
use flat::{check_all, dot_f};

// The helpers of `tests/helpers.rs` that the callers below use.

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn scaled(x: &[f64], k: f64) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] = k * x[i].sin();
    }
    out
}

// ----- buffers passed to calls -------------------------------------------------

/// An ODE right-hand side in the usual Rust form, with an in/out buffer.
#[differentiate]
fn forced_lv(t: f64, y: &[f64], k: f64, dydt: &mut [f64]) {
    dydt[0] = k * y[0] - 0.4 * y[0] * y[1] + 0.1 * t.sin();
    dydt[1] = 0.1 * y[0] * y[1] - 0.4 * y[1];
}

/// A buffer updated in place that also returns a value, early in a branch.
#[differentiate]
fn scale_in_place(a: f64, buf: &mut [f64]) -> f64 {
    for i in 0..buf.len() {
        buf[i] *= a;
    }
    if a > 10.0 {
        return 0.0;
    }
    buf[0]
}

/// Explicit Euler through `forced_lv(t, &y, k, &mut d)`, then a call that
/// returns a value and updates its buffer.
#[differentiate]
fn euler_lv(y0: &[f64], k: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut d = vec![0.0; 2];
    let h = 0.1;
    for s in 0..5 {
        forced_lv(s as f64 * h, &y, k, &mut d);
        for i in 0..2 {
            y[i] += h * d[i];
        }
    }
    let r = scale_in_place(k, &mut y);
    r + y[0] * y[1]
}

#[test]
fn buffers_passed_to_calls() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "euler_lv",
        &p,
        &t,
        |p| euler_lv(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = euler_lv_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| euler_lv_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = euler_lv_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
}

/// An array copied from inactive data (`y0.to_vec()`) that a helper's
/// result then overwrites and that is read by element (found writing
/// `examples/ode_rk4.rs`: the copy was not known to be an array).
#[differentiate(wrt(k))]
fn decay_steps(k: f64, y0: &[f64]) -> f64 {
    let mut y = y0.to_vec();
    for _ in 0..3 {
        y = scaled(&y, k);
    }
    y[0] + y[1]
}

#[test]
fn an_inactive_copy_overwritten_by_a_helper() {
    let y0 = [0.5, 1.0];
    check_all(
        "decay_steps",
        &[0.8],
        &[1.0],
        |p| decay_steps(p[0], &y0),
        |p| {
            let (v, g) = decay_steps_grad(p[0], &y0);
            (v, vec![g])
        },
        |p, t| decay_steps_jvp(p[0], t[0], &y0),
        |p, t| {
            let (v, g, h) = decay_steps_hvp(p[0], t[0], &y0);
            (v, vec![g], vec![h])
        },
    );
}

/// `copy_from_slice` and `fill` on active values, whole and on ranges.
#[differentiate]
fn copies_in_place(x: &[f64], k: f64) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    y.copy_from_slice(x);
    let mut z = vec![0.0; n + 2];
    z[1..n + 1].copy_from_slice(&y);
    z[..2].fill(k * k);
    let mut w = [0.0; 2];
    w.copy_from_slice(&x[1..3]);
    let mut s = 0.0;
    for i in 0..n + 2 {
        s += z[i] * z[i] * (i as f64 + 1.0);
    }
    s + w[0] * w[1] * k
}

#[test]
fn copy_from_slice_and_fill() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "copies_in_place",
        &p,
        &t,
        |p| copies_in_place(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = copies_in_place_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| copies_in_place_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = copies_in_place_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
}

/// A function's own buffer passed on to a helper, then updated.
#[differentiate]
fn shifted_lv(y: &[f64], k: f64, dydt: &mut [f64]) {
    forced_lv(0.0, y, k, dydt);
    dydt[0] += k * y[1];
}

/// An array buffer, and a buffer passed through two levels of helpers.
#[differentiate]
fn through_buffers(y: &[f64], k: f64) -> f64 {
    let mut d = [0.0; 2];
    forced_lv(0.1, y, k, &mut d);
    let mut e = vec![0.0; 2];
    shifted_lv(&d, k, &mut e);
    d[0] * e[1] + e[0]
}

#[test]
fn buffers_of_every_kind_passed_to_calls() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "through_buffers",
        &p,
        &t,
        |p| through_buffers(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = through_buffers_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| through_buffers_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = through_buffers_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
}

// ----- Vecs grown with push ----------------------------------------------------

/// Pushes in a loop and in both branches of an `if` (so the `Vec`'s length
/// depends on the data), onto an empty `Vec` and onto a copy of a slice;
/// `extend_from_slice` of a range; reads by element between and after the
/// pushes, and the grown `Vec` passed to a helper.
#[differentiate]
fn pushes(x: &[f64], w: f64) -> f64 {
    let mut v = Vec::new();
    for i in 0..x.len() {
        if x[i] > 0.0 {
            v.push(x[i] * w);
        } else {
            v.push(x[i].sin());
            v.push(w * v[v.len() - 1]);
        }
    }
    let mut u = x.to_vec();
    u.push(w * w);
    u.push(1.5);
    u.extend_from_slice(&v[1..3]);
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * u[i % u.len()];
    }
    s + u[u.len() - 1] * u[x.len()] + dot(&v, &v)
}

/// A `Vec` built inside a loop body (each iteration's its own, of a length
/// that changes from one iteration to the next), and a `Vec` set again in
/// a loop and grown each time.
#[differentiate]
fn windows(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        let mut w = Vec::with_capacity(i);
        for j in 0..i {
            w.push(x[j] * x[i]);
        }
        s += w[0] * k + dot(&w, &x[..i]);
    }
    let mut v = vec![k];
    for r in 0..3 {
        if r > 0 {
            v = Vec::new();
        }
        for i in 0..x.len() - r {
            v.push(x[i] * k);
            s += dot(&v[v.len() - 1..], &x[i..i + 1]);
        }
        s += v[v.len() - 1] * v[0];
    }
    s
}

/// A `Vec` built by `push` and returned.
#[differentiate]
fn features(x: &[f64], k: f64) -> Vec<f64> {
    let mut f = vec![];
    f.push(k);
    for i in 0..x.len() {
        f.push(k * x[i].exp());
        if i > 0 {
            f.push(x[i] * x[i - 1]);
        }
    }
    f
}

/// Its caller, reading the result by element and by range; and a `Vec`
/// parameter taken by value and grown.
#[differentiate]
fn use_features(x: &[f64], k: f64) -> f64 {
    let f = features(x, k);
    let mut s = 0.0;
    for i in 0..f.len() {
        s += f[i] * f[i];
    }
    s + dot(&f[..2], &x[..2]) + grown(f, k)
}

#[differentiate]
fn grown(mut v: Vec<f64>, k: f64) -> f64 {
    v.push(k * v[0]);
    v.push(k.sin());
    dot(&v, &v)
}

#[test]
fn vecs_grown_with_push() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "pushes",
        &p,
        &t,
        |p| pushes(&p[..4], p[4]),
        |p| {
            let (v, gx, gw) = pushes_grad(&p[..4], p[4]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| pushes_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gw, hx, hw) = pushes_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    check_all(
        "windows",
        &p,
        &t,
        |p| windows(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = windows_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| windows_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = windows_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    check_all(
        "use_features",
        &p,
        &t,
        |p| use_features(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = use_features_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| use_features_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = use_features_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    // The returned `Vec` itself: forward mode against its derivative by
    // hand, reverse mode by the dot-product identity <J t, c> = <t, J^T c>.
    let (x, k, dx, dk) = (&p[..4], p[4], &t[..4], t[4]);
    let (f, df) = features_jvp(x, dx, k, dk);
    assert_eq!(f, features(x, k));
    let mut by_hand = vec![dk];
    for i in 0..4 {
        by_hand.push(dk * x[i].exp() + k * x[i].exp() * dx[i]);
        if i > 0 {
            by_hand.push(dx[i] * x[i - 1] + x[i] * dx[i - 1]);
        }
    }
    compare(&df, &by_hand).assert_close(1e-14, 1e-14);
    let c: Vec<f64> = (0..f.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
    let (f2, cx, ck) = features_vjp(x, k, c.clone());
    assert_eq!(f2, f);
    let (lhs, rhs) = (dot_f(&df, &c), dot_f(&cx, dx) + ck * dk);
    assert!(
        (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
        "{lhs} {rhs}"
    );
}

// ----- ranges of arrays passed as buffers ---------------------------------------

/// Ranges of a local `Vec` as buffers (`&mut d[1..3]`, `&mut d[3..]`,
/// `&mut d[..2]`, `..=`), in a loop over ranges that move and change
/// length, and a copy of a range (`d[1..4].to_vec()`).
#[differentiate]
fn range_buffers(y: &[f64], k: f64) -> f64 {
    let mut d = Vec::with_capacity(6);
    for i in 0..6 {
        d.push(0.1 * i as f64);
    }
    forced_lv(0.1, y, k, &mut d[1..3]);
    let e = d[1..3].to_vec();
    forced_lv(0.2, &e, k, &mut d[3..]);
    let r = scale_in_place(k, &mut d[..2]);
    let mut s = r;
    for j in 0..2 {
        let p = [y[j], k * y[1 - j]];
        forced_lv(j as f64, &p, k, &mut d[2 * j..=2 * j + 1]);
        let r2 = scale_in_place(0.5 + k, &mut d[j..]);
        s += r2;
    }
    let c = d[1..4].to_vec();
    s + d[0] * d[3] + d[4] * d[5] + c[0] * c[2]
}

/// Ranges of the function's own buffer passed on.
#[differentiate]
fn own_ranges(y: &[f64], k: f64, out: &mut [f64]) {
    forced_lv(0.3, y, k, &mut out[2..]);
    let r = scale_in_place(k, &mut out[..3]);
    out[0] += r * y[0];
}

#[differentiate]
fn through_own_ranges(y: &[f64], k: f64) -> f64 {
    let mut o = [0.5, k, 0.0, 0.0];
    own_ranges(y, k, &mut o);
    o[0] * o[1] + o[2] * o[3]
}

#[test]
fn ranges_passed_as_buffers() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "range_buffers",
        &p,
        &t,
        |p| range_buffers(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = range_buffers_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| range_buffers_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = range_buffers_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
    check_all(
        "through_own_ranges",
        &p,
        &t,
        |p| through_own_ranges(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = through_own_ranges_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| through_own_ranges_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = through_own_ranges_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
    // The buffer function itself: its final contents against finite
    // differences along (y, k, out0), reverse mode by the dot-product
    // identity <J t, c> = <t, J^T c> against forward mode.
    let (y, k) = (&p[..2], p[2]);
    let out0 = [0.2, -0.4, 0.6, 0.1, 0.3];
    let (dy, dk, dout0) = (&t[..2], t[2], [0.5, 0.1, -0.2, 0.3, 0.4]);
    let run = |q: &[f64]| {
        let mut o = q[3..].to_vec();
        own_ranges(&q[..2], q[2], &mut o);
        o
    };
    let q = [y, &[k], &out0[..]].concat();
    let dq = [dy, &[dk], &dout0[..]].concat();
    let (mut o, mut d_o) = (out0.to_vec(), dout0.to_vec());
    own_ranges_jvp(y, dy, k, dk, &mut o, &mut d_o);
    assert_eq!(o, run(&q));
    compare(&d_o, &fd_jvp(run, &q, &dq)).assert_close(1e-7, 1e-7);
    let c = [0.7, -0.3, 0.2, 0.5, -0.6];
    let (mut o2, mut c_o) = (out0.to_vec(), c.to_vec());
    let (cy, ck) = own_ranges_vjp(y, k, &mut o2, &mut c_o);
    assert_eq!(o2, o);
    let lhs = dot_f(&d_o, &c);
    let rhs = dot_f(&cy, dy) + ck * dk + dot_f(&c_o, &dout0);
    assert!(
        (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
        "{lhs} {rhs}"
    );
}

// ----- nalgebra copies ----------------------------------------------------------

#[differentiate]
fn nsum(v: &DVector<f64>) -> f64 {
    v.sum() * v.norm()
}

/// `clone_owned()` and `into_owned()` of views and values, `clone()`, and
/// an owned column passed to a helper.
#[differentiate]
fn owned_copies(m: &DMatrix<f64>) -> f64 {
    let c = m.column(0).clone_owned();
    let r = m.row(1).into_owned();
    let t = m.clone();
    let u = (m * &c).into_owned();
    nsum(&m.column(1).clone_owned()) + c.dot(&c) + r.sum() * t.norm() + u.norm_squared()
}

#[test]
fn nalgebra_owned_copies() {
    let p = [1.0, 2.0, 3.0, 4.5];
    let t = [0.3, -0.2, 0.5, 0.1];
    let m = |p: &[f64]| DMatrix::from_column_slice(2, 2, p);
    check_all(
        "owned_copies",
        &p,
        &t,
        |p| owned_copies(&m(p)),
        |p| {
            let (v, g) = owned_copies_grad(&m(p));
            (v, g.as_slice().to_vec())
        },
        |p, t| owned_copies_jvp(&m(p), &m(t)),
        |p, t| {
            let (v, g, h) = owned_copies_hvp(&m(p), &m(t));
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
}

// ----- cotangent destinations ---------------------------------------------------
//
// Reverse mode lends a helper's pullback the caller's cotangent of each
// array passed borrowed; parts of one array passed together are lent
// together when disjoint (`lend2`, `lend3`) and the others' cotangents come
// back as values (overlapping parts, a fourth part, a `&Vec` parameter).

#[differentiate]
fn three(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    a[0] * b[0] + (b[1] * c[0]).sin() + c[1] * a[1] * a[0]
}

#[differentiate]
fn four(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> f64 {
    three(a, b, c) * d[1] + d[0]
}

#[allow(clippy::ptr_arg)] // (a `&Vec` parameter takes no destination)
#[differentiate]
fn weigh(v: &Vec<f64>, k: f64) -> f64 {
    v[0] * k + v[1] * v[1]
}

#[differentiate]
fn generic_dot<T: ad::Real>(a: &[T], b: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn lends(x: &[f64], w: f64) -> f64 {
    let v = vec![w * x[0], x[1] + w];
    let mut s = three(&x[..2], &x[2..4], &x[4..6]);
    s += three(&x[1..3], &x[..2], &x[3..]);
    s += 0.5 * three(&x[4..], &x[2..4], &x[4..]);
    s += four(&x[..2], &x[2..4], &x[4..6], &x[..2]);
    s += weigh(&v, w) + generic_dot(&x[..3], &x[3..]);
    s += generic_dot(&v, &x[..2]) * three(&v, &v, &x[1..]);
    s
}

#[test]
fn destinations_lent_together_or_returned() {
    let p = [0.3, -0.7, 0.5, 1.1, -0.4, 0.8, 0.6];
    let t = [0.2, 0.5, -0.3, 0.1, 0.7, -0.6, 0.4];
    check_all(
        "lends",
        &p,
        &t,
        |p| lends(&p[..6], p[6]),
        |p| {
            let (v, gx, gw) = lends_grad(&p[..6], p[6]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| lends_jvp(&p[..6], &t[..6], p[6], t[6]),
        |p, t| {
            let (v, gx, gw, hx, hw) = lends_hvp(&p[..6], &t[..6], p[6], t[6]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    // The reverse mode with another output cotangent: scaled.
    let (v, gx, gw) = lends_vjp(&p[..6], p[6], -2.5);
    let (_, gx1, gw1) = lends_grad(&p[..6], p[6]);
    assert_eq!(v, lends(&p[..6], p[6]));
    compare(&gx, &gx1.iter().map(|g| -2.5 * g).collect::<Vec<_>>()).assert_close(1e-14, 1e-14);
    assert!((gw + 2.5 * gw1).abs() < 1e-13 * (1.0 + gw1.abs()));
}

// Inactive arrays passed to parameters the helpers differentiate: the
// pullbacks add their cotangents into a scratch buffer of the caller's,
// reused by each call (of another length on each round of the loop), and
// nothing reaches the gradient from them.

#[differentiate]
fn pick(x: &[f64], k: &[usize]) -> f64 {
    x[k[0]] * x[k[1]] + x[k[0] + 1]
}

#[differentiate(wrt(x))]
fn with_data(x: &[f64], data: &[f64], idx: &[usize]) -> f64 {
    let w = [0.5, 1.5];
    let mut s = three(&w, &x[1..3], &w);
    for t in 0..3 {
        s += three(&x[..2], &data[t..], &x[2..4]) * data[t];
        s += generic_dot(&data[2 * t..2 * t + 2], &x[t..t + 2]);
        s += pick(x, &idx[t..]);
    }
    s + generic_dot(data, &x[..data.len()])
}

#[test]
fn inactive_arrays_passed_to_active_parameters() {
    let data = [0.4, -0.9, 1.3, 0.2, -0.5, 0.7];
    let idx = [3, 0, 4, 1, 2];
    let p = [0.3, -0.7, 0.5, 1.1, -0.4, 0.8, 0.6];
    let t = [0.2, 0.5, -0.3, 0.1, 0.7, -0.6, 0.4];
    check_all(
        "with_data",
        &p,
        &t,
        |p| with_data(p, &data, &idx),
        |p| with_data_grad(p, &data, &idx),
        |p, t| with_data_jvp(p, t, &data, &idx),
        |p, t| with_data_hvp(p, t, &data, &idx),
    );
    let (v, g) = with_data_vjp(&p, &data, &idx, 3.0);
    let (_, g1) = with_data_grad(&p, &data, &idx);
    assert_eq!(v, with_data(&p, &data, &idx));
    compare(&g, &g1.iter().map(|g| 3.0 * g).collect::<Vec<_>>()).assert_close(1e-14, 1e-14);
}
