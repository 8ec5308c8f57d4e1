//! In/out buffers (`&mut [f64]`): helpers that write a buffer and return a
//! value, called from differentiated functions, in every mode against
//! central finite differences (buffers passed to ODE right-hand sides:
//! `tests/helpers.rs`).
// The reborrows `&*u` and `&u` of a buffer are the forms tested.
#![allow(clippy::needless_borrow, clippy::explicit_auto_deref)]

use ad::{differentiate, Real};

#[path = "common/arrays.rs"]
mod arrays;
mod common;
#[path = "common/flat.rs"]
mod flat;
use arrays::agree_vector;
use flat::check_all;

// ----- helpers with a buffer and a result ----------------------------------------

/// A buffer scaled in place, with a result returned early in a branch.
#[differentiate]
fn scale_or_stop(a: f64, buf: &mut [f64]) -> f64 {
    for i in 0..buf.len() {
        buf[i] *= a;
    }
    if a > 1.0 {
        return buf[1] * 2.0;
    }
    buf[0]
}

/// A helper that writes a buffer and returns a value.
#[differentiate]
fn relax_step(y: &[f64], out: &mut [f64], w: f64) -> f64 {
    let n = y.len();
    let mut change = 0.0;
    for i in 0..n {
        let left = if i > 0 { y[i - 1] } else { 0.0 };
        out[i] = (1.0 - w) * y[i] + w * left + 0.1 * y[i].cos();
        change += (out[i] - y[i]) * (out[i] - y[i]);
    }
    change.sqrt()
}

/// Its result used inside an expression, straight-line and in a loop; its
/// result dropped (`g(..);`, `let _ = g(..);`), also for a helper that
/// returns early.
#[differentiate]
fn relax_calls(y0: &[f64], w: f64) -> f64 {
    let mut out = vec![0.0; y0.len()];
    let first = relax_step(y0, &mut out, w) * out[0];
    let mut y = out.clone();
    let mut total = first;
    for _ in 0..3 {
        total += relax_step(&y, &mut out, w) * w;
        y.copy_from_slice(&out);
    }
    relax_step(&y, &mut out, w);
    let _ = scale_or_stop(w, &mut out);
    scale_or_stop(1.5, &mut out);
    total + out[1] * y[0]
}

/// A caller of that caller, and of the helper in a loop: split forms.
#[differentiate]
fn relax_outer(y0: &[f64], w: f64) -> f64 {
    let mut s = relax_calls(y0, w);
    let mut out = vec![0.0; y0.len()];
    for k in 0..2 {
        s = s * 0.5 + relax_step(&y0[k..], &mut out[k..], w).sin();
    }
    s + out[2]
}

#[test]
fn helpers_with_a_buffer_and_a_result() {
    let p = [1.0, 0.5, -0.8, 0.3];
    let t = [0.3, -0.6, 0.9, 0.2];
    check_all(
        "relax_calls",
        &p,
        &t,
        |p| relax_calls(&p[..3], p[3]),
        |p| {
            let (v, gy, gw) = relax_calls_grad(&p[..3], p[3]);
            (v, [gy, vec![gw]].concat())
        },
        |p, t| relax_calls_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gy, gw, hy, hw) = relax_calls_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gy, vec![gw]].concat(), [hy, vec![hw]].concat())
        },
    );
    check_all(
        "relax_outer",
        &p,
        &t,
        |p| relax_outer(&p[..3], p[3]),
        |p| {
            let (v, gy, gw) = relax_outer_grad(&p[..3], p[3]);
            (v, [gy, vec![gw]].concat())
        },
        |p, t| relax_outer_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gy, gw, hy, hw) = relax_outer_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gy, vec![gw]].concat(), [hy, vec![hw]].concat())
        },
    );
    // The vjp with another seed: the gradient scaled.
    let (_, g, gw) = relax_outer_grad(&p[..3], p[3]);
    let (_, g2, gw2) = relax_outer_vjp(&p[..3], p[3], -2.0);
    for (a, b) in g2.iter().chain([&gw2]).zip(g.iter().chain([&gw])) {
        assert!((a + 2.0 * b).abs() <= 1e-12 * (1.0 + b.abs()));
    }
}

// ----- functions whose only active data is a buffer --------------------------------

/// A buffer's initial contents are an input: its only active data.
#[differentiate]
fn relu_inplace(x: &mut [f64]) {
    for v in x.iter_mut() {
        *v = v.max(0.0);
    }
}

/// In-place normalisation: every element reads every other.
#[differentiate]
fn normalise(x: &mut [f64]) {
    let s: f64 = x.iter().sum();
    for v in x.iter_mut() {
        *v /= s;
    }
}

/// The same with the buffer named in `wrt(...)`, and a `&mut Vec`.
#[allow(clippy::ptr_arg)]
#[differentiate(wrt(x))]
fn softplus_inplace(x: &mut Vec<f64>) {
    for i in 0..x.len() {
        x[i] = (1.0 + x[i].exp()).ln();
    }
}

/// Generic over the float type.
#[differentiate]
fn cube_inplace<T: Real>(x: &mut [T]) {
    for i in 0..x.len() {
        x[i] = x[i] * x[i] * x[i];
    }
}

/// Called from differentiated functions, on a copy of the input and on a
/// range of a local.
#[differentiate]
fn through_in_place(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    relu_inplace(&mut h);
    normalise(&mut h[1..]);
    let mut e = h.clone();
    softplus_inplace(&mut e);
    cube_inplace(&mut e[..2]);
    h[0] * x[1] + h[2] * e[0] + e[1] * e[3]
}

/// `f(x)` as a map of the buffer's initial contents to its final ones,
/// checked in forward and reverse mode against finite differences.
macro_rules! check_in_place {
    ($f:ident, $jvp:ident, $vjp:ident, $x:expr) => {{
        let x: Vec<f64> = $x;
        agree_vector(
            stringify!($f),
            &x,
            |x| {
                let mut y = x.to_vec();
                $f(&mut y);
                y
            },
            |x, t| {
                let (mut y, mut dy) = (x.to_vec(), t.to_vec());
                $jvp(&mut y, &mut dy);
                (y, dy)
            },
            |x, c| {
                let (mut y, mut c) = (x.to_vec(), c.to_vec());
                $vjp(&mut y, &mut c);
                (y, c)
            },
            1e-7,
        );
    }};
}

#[test]
fn a_buffer_as_the_only_active_data() {
    let x = vec![0.7, -1.2, 0.4, 1.9];
    check_in_place!(relu_inplace, relu_inplace_jvp, relu_inplace_vjp, x.clone());
    check_in_place!(
        normalise,
        normalise_jvp,
        normalise_vjp,
        vec![0.7, 1.2, 0.4, 1.9]
    );
    let jvp = |y: &mut [f64], dy: &mut [f64]| {
        let (mut v, mut dv) = (y.to_vec(), dy.to_vec());
        softplus_inplace_jvp(&mut v, &mut dv);
        y.copy_from_slice(&v);
        dy.copy_from_slice(&dv);
    };
    let vjp = |y: &mut [f64], c: &mut [f64]| {
        let (mut v, mut cv) = (y.to_vec(), c.to_vec());
        softplus_inplace_vjp(&mut v, &mut cv);
        y.copy_from_slice(&v);
        c.copy_from_slice(&cv);
    };
    let f = |y: &mut [f64]| {
        let mut v = y.to_vec();
        softplus_inplace(&mut v);
        y.copy_from_slice(&v);
    };
    check_in_place!(f, jvp, vjp, x.clone());
    check_in_place!(cube_inplace, cube_inplace_jvp, cube_inplace_vjp, x.clone());
    // f32: the same numbers, rounded.
    let (mut y, mut dy) = ([0.5f32, -2.0], [1.0f32, 0.5]);
    cube_inplace_jvp(&mut y, &mut dy);
    assert_eq!((y, dy), ([0.125, -8.0], [0.75, 6.0]));
    let (mut y, mut c) = ([0.5f32, -2.0], [1.0f32, 0.5]);
    cube_inplace_vjp(&mut y, &mut c);
    assert_eq!((y, c), ([0.125, -8.0], [0.75, 6.0]));
}

#[test]
fn buffer_only_helpers_called_from_differentiated_functions() {
    let p = [0.7, -1.2, 0.4, 1.9];
    let t = [0.3, -0.6, 0.9, 0.2];
    check_all(
        "through_in_place",
        &p,
        &t,
        through_in_place,
        through_in_place_grad,
        through_in_place_jvp,
        through_in_place_hvp,
    );
}

// ----- a buffer lent to a helper's slice parameter ---------------------------------

/// A helper reading a slice.
#[differentiate]
fn energy(u: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..u.len() {
        e += u[i] * u[i] * (1.0 + 0.1 * i as f64);
    }
    e
}

/// A helper writing an out-buffer from a slice.
#[differentiate]
fn heat_step(u: &[f64], out: &mut [f64], k: f64) {
    let n = u.len();
    for i in 0..n {
        let left = if i > 0 { u[i - 1] } else { 0.0 };
        let right = if i + 1 < n { u[i + 1] } else { 0.0 };
        out[i] = u[i] + k * (left - 2.0 * u[i] + right) + 0.05 * u[i].sin();
    }
}

/// The buffer reborrowed as a slice for a helper (`&*u`, `&u`, `&u[..]`).
#[differentiate]
fn scale_by_energy(u: &mut [f64]) {
    let s = energy(&*u) + energy(&u) * energy(&u[..]);
    for i in 0..u.len() {
        u[i] *= 0.1 * s.sqrt();
    }
}

/// Time stepping on a buffer parameter: each step reads the buffer as the
/// input of an out-buffer helper, then copies the result back.
#[differentiate]
fn heat_run(u: &mut [f64], k: f64) {
    let mut next = vec![0.0; u.len()];
    for step in 0..3 {
        heat_step(&*u, &mut next, k);
        u.copy_from_slice(&next);
        if step == 1 {
            let e = energy(&u);
            u[0] += 0.01 * e;
        }
    }
    heat_step(&u, &mut next, k);
    u.copy_from_slice(&next);
}

/// The same on a local `Vec` buffer, and the buffer-parameter version
/// called on it (its value form, whose `&*u` reborrows a `Vec`).
#[differentiate]
fn heat_total(u0: &[f64], k: f64) -> f64 {
    let mut u = u0.to_vec();
    let mut next = vec![0.0; u.len()];
    for _ in 0..2 {
        heat_step(&u, &mut next, k);
        u.copy_from_slice(&next);
    }
    heat_run(&mut u, k);
    scale_by_energy(&mut *u);
    energy(&u) + u[1] * k
}

/// A caller of that caller, in a loop: split forms.
#[differentiate]
fn heat_outer(u0: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for j in 0..2 {
        s = s * 0.5 + heat_total(&u0[j..], k).sin();
    }
    s
}

#[test]
fn a_buffer_lent_to_a_slice_parameter() {
    let x = vec![0.7, -1.2, 0.4, 1.9];
    check_in_place!(
        scale_by_energy,
        scale_by_energy_jvp,
        scale_by_energy_vjp,
        x.clone()
    );
    let k = 0.3;
    let f = |u: &mut [f64]| heat_run(u, k);
    let jvp = |u: &mut [f64], du: &mut [f64]| heat_run_jvp(u, du, k, 0.0);
    let vjp = |u: &mut [f64], c: &mut [f64]| {
        heat_run_vjp(u, c, k);
    };
    check_in_place!(f, jvp, vjp, x.clone());
    let p = [0.7, -1.2, 0.4, 1.9, 0.3];
    let t = [0.3, -0.6, 0.9, 0.2, -0.4];
    check_all(
        "heat_total",
        &p,
        &t,
        |p| heat_total(&p[..4], p[4]),
        |p| {
            let (v, gu, gk) = heat_total_grad(&p[..4], p[4]);
            (v, [gu, vec![gk]].concat())
        },
        |p, t| heat_total_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gu, gk, hu, hk) = heat_total_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gu, vec![gk]].concat(), [hu, vec![hk]].concat())
        },
    );
    check_all(
        "heat_outer",
        &p,
        &t,
        |p| heat_outer(&p[..4], p[4]),
        |p| {
            let (v, gu, gk) = heat_outer_grad(&p[..4], p[4]);
            (v, [gu, vec![gk]].concat())
        },
        |p, t| heat_outer_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gu, gk, hu, hk) = heat_outer_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gu, vec![gk]].concat(), [hu, vec![hk]].concat())
        },
    );
}
