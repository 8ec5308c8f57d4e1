//! Loops whose value is returned, and functions that end in a `loop` left
//! only by `return`: every mode's value is the function's, and its
//! derivatives agree with analytic ones, central finite differences and
//! the dot-product identity. (A function ending in such a `loop` had value
//! and derivatives 0 in every mode: the value the loop would have had was
//! returned over the one its `return` gave.)

#[macro_use]
mod common;

use ad::differentiate;
use common::close;

/// Adds `x` until the sum passes 2, then returns it: `k x` for the first
/// `k` with `k x > 2`.
#[differentiate]
fn sum_until(x: f64) -> f64 {
    let mut s = 0.0;
    loop {
        s += x;
        if s > 2.0 {
            return s;
        }
    }
}

/// The Taylor series of `sin`, summed until a term is negligible (a new
/// user's sweep found the bug here).
#[differentiate]
fn sin_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    let mut k = 1.0;
    loop {
        term *= -x * x / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
        k += 1.0;
        if term.abs() < f64::EPSILON {
            return sum;
        }
    }
}

/// A loop with a value (`break v`) and a `return` inside, bound.
#[differentiate]
fn bound_loop(x: f64) -> f64 {
    let mut s = 0.0;
    let y = loop {
        s += x * s + 0.5;
        if s > 2.0 {
            return s * x;
        }
        if s < -1.0 {
            break s * s;
        }
    };
    y * x
}

/// The same loop inside the function's tail expression.
#[differentiate]
fn tail_loop_in_expression(x: f64) -> f64 {
    let mut s = 0.0;
    2.0 * loop {
        s += x * s + 0.5;
        if s > 2.0 {
            return s * x;
        }
        if s < -1.0 {
            break s * s;
        }
    }
}

/// A tail `loop` over a slice, left by `return` from inside a `for`.
#[differentiate(wrt(x))]
fn first_large(x: &[f64], bound: f64) -> f64 {
    let mut scale = 1.0;
    loop {
        for i in 0..x.len() {
            if x[i] * scale > bound {
                return x[i] * scale * x[0];
            }
        }
        scale *= 1.5;
    }
}

/// `_hvp` of a function of one number against finite differences of its
/// `_grad`.
fn hvp_agrees(name: &str, x: f64, grad: impl Fn(f64) -> f64, hvp: impl Fn(f64, f64) -> f64) {
    let h = 1e-6;
    let fd = (grad(x + h) - grad(x - h)) / (2.0 * h);
    close(&format!("{name}: hvp at {x}"), hvp(x, 1.0), fd, 1e-5);
}

#[test]
fn a_function_ending_in_a_loop_left_by_return() {
    // k x with k the first count past 2: at x = 1, k = 3; at x = 0.7, k = 3.
    assert_eq!(sum_until(1.0), 3.0);
    assert_eq!(sum_until_jvp(1.0, 1.0), (3.0, 3.0));
    assert_eq!(sum_until_grad(1.0), (3.0, 3.0));
    assert_eq!(sum_until_vjp(0.7, 2.0).1, 6.0);
    assert_eq!(sum_until_hvp(0.7, 1.0), (sum_until(0.7), 3.0, 0.0));
    agree!(sum_until, sum_until_jvp, sum_until_vjp; x 0; at [0.45]);
    for x in [0.3, 1.2, 2.5] {
        let (v, d) = sin_series_jvp(x, 1.0);
        close(&format!("sin_series({x})"), v, x.sin(), 1e-14);
        close(&format!("sin_series'({x})"), d, x.cos(), 1e-13);
        close(
            &format!("sin_series grad({x})"),
            sin_series_grad(x).1,
            x.cos(),
            1e-13,
        );
        let (_, _, h) = sin_series_hvp(x, 1.0);
        close(&format!("sin_series''({x})"), h, -x.sin(), 1e-12);
        agree!(sin_series, sin_series_jvp, sin_series_vjp; x 0; at [x]);
    }
}

#[test]
fn loops_with_a_value_and_a_return() {
    // x = 1: s = 0.5, 1.5, 3.5 > 2, so the result is 3.5 x; x = -3: s =
    // 0.5, -1.0, 3.5 ... leaves by `break` where s < -1.
    for x in [1.0, -3.0, 0.6, -2.2] {
        agree!(bound_loop, bound_loop_jvp, bound_loop_vjp; x 0; at [x]; tol 1e-6);
        agree!(
            tail_loop_in_expression,
            tail_loop_in_expression_jvp,
            tail_loop_in_expression_vjp;
            x 0;
            at [x];
            tol 1e-6
        );
        hvp_agrees(
            "bound_loop",
            x,
            |x| bound_loop_grad(x).1,
            |x, v| bound_loop_hvp(x, v).2,
        );
        hvp_agrees(
            "tail_loop_in_expression",
            x,
            |x| tail_loop_in_expression_grad(x).1,
            |x, v| tail_loop_in_expression_hvp(x, v).2,
        );
    }
    assert_eq!(bound_loop(1.0), 3.5);
    assert_eq!(bound_loop_grad(1.0), (3.5, 6.0));
    assert_eq!(tail_loop_in_expression_jvp(1.0, 1.0), (3.5, 6.0));
}

#[test]
fn a_tail_loop_over_a_slice_left_by_return() {
    let x = [0.4, 0.9, 0.3];
    // scale 1.5^2 = 2.25: 0.9 * 2.25 = 2.025 > 2, the result 0.9 * 2.25 * 0.4.
    close("first_large", first_large(&x, 2.0), 0.9 * 2.25 * 0.4, 1e-15);
    let (v, g) = first_large_grad(&x, 2.0);
    assert_eq!(v.to_bits(), first_large(&x, 2.0).to_bits());
    close("d/dx0", g[0], 0.9 * 2.25, 1e-15);
    close("d/dx1", g[1], 2.25 * 0.4, 1e-15);
    assert_eq!(g[2], 0.0);
    let (v, d) = first_large_jvp(&x, &[1.0, -2.0, 5.0], 2.0);
    assert_eq!(v.to_bits(), first_large(&x, 2.0).to_bits());
    close("first_large jvp", d, 0.9 * 2.25 - 2.0 * 2.25 * 0.4, 1e-14);
    let (_, _, h) = first_large_hvp(&x, &[1.0, 0.0, 0.0], 2.0);
    // d2/dx0 dx1 = 2.25, d2/dx0^2 = 0.
    assert_eq!(h, [0.0, 2.25, 0.0]);
}
