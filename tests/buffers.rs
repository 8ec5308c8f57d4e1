//! In/out buffers (`&mut [f64]`): helpers that write a buffer and return a
//! value, called from differentiated functions, in every mode against
//! central finite differences (buffers passed to ODE right-hand sides:
//! `tests/helpers.rs`).

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
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
