//! What the reverse sweep saves: element writes whose old values nothing
//! reads, scalars overwritten in loops, and `match` on active values (arms
//! binding values the reverse sweep restores). Forward mode, reverse mode
//! and finite differences agree.
#![allow(clippy::assign_op_pattern, clippy::useless_vec)]

#[macro_use]
mod common;
#[path = "common/arrays.rs"]
mod arrays;

use ad::differentiate;
use arrays::agree_scalar;
use common::{close, Lcg};

/// A deterministic random point in [-1.5, 1.5]^n.
fn random_point(n: usize, seed: u64) -> Vec<f64> {
    Lcg(seed).vec(n).into_iter().map(|v| 1.5 * v).collect()
}

// ----- element writes whose old values nothing reads -------------------------
//
// `w[i] = ..` filling an array in a loop over `i`, with `w` untouched before:
// the forward sweep saves nothing (the old values are never read). The
// variants after it read `w` before the loop, read a neighbour inside it, or
// write an element twice: there the old values are saved and restored.

/// Filled once, read after the loop (also a neighbour).
#[differentiate]
fn fill_then_read(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.0; n];
    for i in 0..n {
        w[i] = (0.7 * x[i]).sin();
    }
    let mut s = 0.0;
    for i in 0..n {
        s += w[i] * w[(i + 1) % n] + w[i].exp();
    }
    s
}

/// Read before the loop: the first element's old value is read again.
#[differentiate]
fn read_before_fill(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![1.5; n];
    w[0] = x[0] * x[1];
    let y = w[0].sin();
    for i in 0..n {
        w[i] = (w[i] * x[i]).exp() - 1.0;
    }
    y * w[0] + w[n - 1]
}

/// A neighbour read inside the loop (an old value at `i + 1`).
#[differentiate]
fn fill_reading_ahead(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.5; n];
    let mut s = 0.0;
    for i in 0..n {
        w[i] = x[i].tanh() * 2.0;
        s += w[i] * w[(i + 1) % n];
    }
    s
}

/// Written twice per iteration, the second time in a branch, in reverse order.
#[differentiate]
fn fill_twice(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.0; n];
    for i in (0..n).rev() {
        w[i] = x[i].exp();
        if w[i] > 1.0 {
            w[i] = w[i].sqrt() * x[i];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += w[i] * w[i];
    }
    s
}

#[test]
fn element_writes_with_and_without_saved_old_values() {
    for seed in [3, 4] {
        let x = random_point(5, seed);
        agree_scalar(
            "fill_then_read",
            &x,
            fill_then_read,
            fill_then_read_jvp,
            fill_then_read_vjp,
            1e-7,
        );
        agree_scalar(
            "read_before_fill",
            &x,
            read_before_fill,
            read_before_fill_jvp,
            read_before_fill_vjp,
            1e-7,
        );
        agree_scalar(
            "fill_reading_ahead",
            &x,
            fill_reading_ahead,
            fill_reading_ahead_jvp,
            fill_reading_ahead_vjp,
            1e-7,
        );
        agree_scalar(
            "fill_twice",
            &x,
            fill_twice,
            fill_twice_jvp,
            fill_twice_vjp,
            1e-7,
        );
        // Second order through the unsaved writes.
        let v = random_point(5, seed + 10);
        assert_hvp_is_gradient_derivative(
            "fill_then_read",
            &x,
            &v,
            fill_then_read_hvp,
            fill_then_read_grad,
        );
    }
}

/// `H v` from `hvp` against central differences of `grad` along `v`.
fn assert_hvp_is_gradient_derivative(
    name: &str,
    x: &[f64],
    v: &[f64],
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
) {
    let (_, _, hv) = hvp(x, v);
    let h = 1e-5;
    let at = |t: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + t * b).collect();
        grad(&p).1
    };
    let (up, down) = (at(h), at(-h));
    for k in 0..x.len() {
        let fd = (up[k] - down[k]) / (2.0 * h);
        assert!(
            (hv[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{name} {k}: {} vs {fd}",
            hv[k]
        );
    }
}

// ----- scalars overwritten in loops without saving what nothing reads --------

/// Online log-sum-exp of squares: `semx += term` saves nothing.
#[differentiate]
fn online_lse(x: &[f64]) -> f64 {
    let mut mx = f64::NEG_INFINITY;
    let mut semx = 0.0;
    for i in 0..x.len() {
        let m = x[i] * x[i];
        if m > mx {
            let rescale = (mx - m).exp();
            semx = semx * rescale + 1.0;
            mx = m;
        } else {
            let term = (m - mx).exp();
            semx += term;
        }
    }
    semx.ln() + mx
}

/// A sum restarted in each round and read after its inner loop: only the
/// restart saves; a product in the same loop still saves each factor.
#[differentiate]
fn restarted_sums(x: &[f64]) -> f64 {
    let mut total = 0.0;
    let mut sum = x[0] * 0.5;
    let mut prod = 1.0;
    for r in 0..3 {
        total += sum.sin();
        sum = 0.0;
        for i in 0..x.len() {
            sum += (x[i] * (r as f64 + 0.5)).exp();
            prod *= 1.0 + x[i] * 0.1;
        }
        sum += 2.0;
        total += sum.ln() * prod;
    }
    total
}

#[test]
fn scalars_overwritten_in_loops_agree_with_finite_differences() {
    for seed in [5, 6] {
        let x = random_point(4, seed);
        // Against the two-pass log-sum-exp, computed directly.
        let squares: Vec<f64> = x.iter().map(|v| v * v).collect();
        let max = squares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let direct = squares.iter().map(|s| (s - max).exp()).sum::<f64>().ln() + max;
        assert!((online_lse(&x) - direct).abs() < 1e-14);
        // Its gradient: softmax weights times 2 x.
        let (_, g) = online_lse_grad(&x);
        for i in 0..4 {
            let w = (squares[i] - direct).exp();
            assert!((g[i] - 2.0 * x[i] * w).abs() < 1e-12, "{i}");
        }
        agree_scalar(
            "online_lse",
            &x,
            online_lse,
            online_lse_jvp,
            online_lse_vjp,
            1e-7,
        );
        agree_scalar(
            "restarted_sums",
            &x,
            restarted_sums,
            restarted_sums_jvp,
            restarted_sums_vjp,
            1e-7,
        );
        let v = random_point(4, seed + 20);
        assert_hvp_is_gradient_derivative("online_lse", &x, &v, online_lse_hvp, online_lse_grad);
        assert_hvp_is_gradient_derivative(
            "restarted_sums",
            &x,
            &v,
            restarted_sums_hvp,
            restarted_sums_grad,
        );
    }
}

// ----- `match` on active values ---------------------------------------------

/// A `match` on active values: guards, ranges and bindings of the whole
/// value, as a value and as statements in a loop swept twice (its arms bind
/// `t`, which the reverse sweep restores).
#[differentiate]
fn match_piecewise(x: f64, a: f64) -> f64 {
    let y = match x * a {
        v if v < -1.0 => -v * a,
        0.0..=0.5 => x * x,
        v => v.sin() + a,
    };
    let mut s = 0.0;
    for i in 0..3 {
        match y + i as f64 * x {
            t if t > 1.0 => s += t * a,
            mut t => {
                t *= 2.0;
                s += t;
            }
        }
    }
    let w = match s {
        u @ 0.0..=3.0 => u * u,
        u => u * 0.5,
    };
    s + y + w
}

#[test]
fn match_on_active_values() {
    for (x, a) in [
        (0.3f64, 1.2f64),
        (-2.1, 0.9),
        (0.8, 0.5),
        (1.7, -0.8),
        (0.4, 0.6),
    ] {
        // The same function with `if`s: the reference.
        let y = if x * a < -1.0 {
            -(x * a) * a
        } else if (0.0..=0.5).contains(&(x * a)) {
            x * x
        } else {
            (x * a).sin() + a
        };
        let mut s = 0.0;
        for i in 0..3 {
            let t = y + i as f64 * x;
            s += if t > 1.0 { t * a } else { 2.0 * t };
        }
        let w = if (0.0..=3.0).contains(&s) {
            s * s
        } else {
            s * 0.5
        };
        assert_eq!(match_piecewise(x, a), s + y + w);
        common::agree(
            "match_piecewise",
            &[x, a],
            |p| match_piecewise(p[0], p[1]),
            |p, t| match_piecewise_jvp(p[0], t[0], p[1], t[1]),
            |p, c| {
                let (v, gx, ga) = match_piecewise_vjp(p[0], p[1], c);
                (v, vec![gx, ga])
            },
            1e-7,
        );
        // Second order against central differences of the gradient.
        let h = 1e-6;
        let (_, _, _, hxx, hax) = match_piecewise_hvp(x, 1.0, a, 0.0);
        let g = |x: f64, a: f64| match_piecewise_grad(x, a);
        let (gp, gm) = (g(x + h, a), g(x - h, a));
        close("d2/dx2", hxx, (gp.1 - gm.1) / (2.0 * h), 1e-5);
        close("d2/dadx", hax, (gp.2 - gm.2) / (2.0 * h), 1e-5);
    }
}
