//! Functions generic over the float type: one definition, instantiated for
//! `f32` and `f64`, in every mode and through calls.

use ad::{differentiate, Real};

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[differentiate]
fn wave<T: Real>(x: T, k: T) -> T {
    (k * x).sin() * x.exp() + T::sqrt(x * x + k)
}

#[differentiate]
fn sum_of_squares<T>(x: &[T]) -> T
where
    T: Real,
{
    let mut s = T::ZERO;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

/// A generic function calling a generic function.
#[differentiate]
fn outer<T: Real>(x: T, k: T) -> T {
    wave(x, k) * k
}

fn wave_grad_ref(x: f64, k: f64) -> (f64, f64) {
    let dx = k * (k * x).cos() * x.exp() + (k * x).sin() * x.exp() + x / (x * x + k).sqrt();
    let dk = x * (k * x).cos() * x.exp() + 0.5 / (x * x + k).sqrt();
    (dx, dk)
}

#[test]
fn generic_scalar_function_in_both_precisions() {
    let (x, k) = (0.7, 1.3);
    let (rx, rk) = wave_grad_ref(x, k);
    let (v, gx, gk) = wave_grad(x, k);
    assert_eq!(v, wave(x, k));
    assert!((gx - rx).abs() < 1e-12 && (gk - rk).abs() < 1e-12);
    let (v32, gx32, gk32) = wave_grad(x as f32, k as f32);
    assert!((v32 as f64 - v).abs() < 1e-5);
    assert!((gx32 as f64 - rx).abs() < 1e-4 && (gk32 as f64 - rk).abs() < 1e-4);
    let (_, d) = wave_jvp(x, 1.0, k, 0.0);
    assert!((d - rx).abs() < 1e-12);
}

#[test]
fn generic_loop_over_a_slice() {
    let x = [1.0f32, -2.0, 0.5];
    let (v, g) = sum_of_squares_grad(&x);
    assert_eq!(v, 5.25);
    assert_eq!(g, vec![2.0, -4.0, 1.0]);
    let (_, g64, h) = sum_of_squares_hvp(&[1.0f64, 2.0], &[1.0, -1.0]);
    assert_eq!((g64, h), (vec![2.0, 4.0], vec![2.0, -2.0]));
}

#[test]
fn generic_calls() {
    let (x, k) = (0.4f64, 0.9);
    let (rx, rk) = wave_grad_ref(x, k);
    let (v, gx, gk) = outer_grad(x, k);
    assert_eq!(v, wave(x, k) * k);
    assert!((gx - k * rx).abs() < 1e-12);
    assert!((gk - (k * rk + wave(x, k))).abs() < 1e-12);
    let (_, _, _, hx, _) = outer_hvp(x, 1.0, k, 0.0);
    // finite difference of the gradient in x
    let h = 1e-6;
    let fd = (outer_grad(x + h, k).1 - outer_grad(x - h, k).1) / (2.0 * h);
    assert!((hx - fd).abs() < 1e-6, "{hx} vs {fd}");
}

// ----- generic helpers called on elements in loops ------------------------------

#[differentiate]
fn square<T: Real>(x: T) -> T {
    x * x
}

/// A helper called on an element in a loop: the element's cotangent is a
/// zero of `T`, not `0.0` (written as found, `s = s + ..`).
#[allow(clippy::assign_op_pattern)]
#[differentiate]
fn sum_of_square_calls<T: Real>(xs: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..xs.len() {
        s = s + square(xs[i]) * xs[i].sin();
    }
    s
}

/// The same under a branch, and a loop nested in the loop.
#[differentiate]
fn branchy_square_calls<T: Real>(xs: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..xs.len() {
        let u = xs[i].sin();
        let mut b = u;
        if u > T::zero() {
            b = square(u) * xs[i];
        } else {
            s -= u * square(xs[i]);
        }
        for j in 0..i {
            s += b * square(xs[j]);
        }
    }
    s
}

/// A generic caller of those: their split forms in a loop.
#[differentiate]
fn calls_in_loop_caller<T: Real>(xs: &[T]) -> T {
    let mut s = T::zero();
    for k in 0..2 {
        s += sum_of_square_calls(xs) * branchy_square_calls(&xs[k..]);
    }
    s
}

macro_rules! check_generic {
    ($f:ident, $grad:ident, $jvp:ident, $vjp:ident, $hvp:ident) => {{
        let p = [0.7, -1.2, 0.4, 1.9];
        let t = [0.3, -0.1, 0.5, 0.2];
        check_all(
            stringify!($f),
            &p,
            &t,
            |p| $f(p),
            |p| $grad(p),
            |p, t| $jvp(p, t),
            |p, t| $hvp(p, t),
        );
        // The vjp with a seed other than one.
        let (v, g) = $grad(&p[..]);
        let (v2, g2) = $vjp(&p[..], 2.5);
        assert_eq!(v2, v);
        for (a, b) in g2.iter().zip(&g) {
            assert!((a - 2.5 * b).abs() <= 1e-12 * (1.0 + b.abs()));
        }
        // f32: the same numbers, rounded.
        let p32: Vec<f32> = p.iter().map(|&a| a as f32).collect();
        let t32: Vec<f32> = t.iter().map(|&a| a as f32).collect();
        let (v32, g32) = $grad(&p32[..]);
        let (_, d32) = $jvp(&p32[..], &t32[..]);
        let (_, _, h32) = $hvp(&p32[..], &t32[..]);
        let (_, d) = $jvp(&p[..], &t[..]);
        let (_, _, h) = $hvp(&p[..], &t[..]);
        let near = |a: f32, b: f64| (a as f64 - b).abs() <= 1e-4 * (1.0 + b.abs());
        assert!(near(v32, v) && near(d32, d), "{}: f32", stringify!($f));
        assert!(g32.iter().zip(&g).all(|(a, b)| near(*a, *b)));
        assert!(h32.iter().zip(&h).all(|(a, b)| near(*a, *b)));
    }};
}

#[test]
fn generic_helper_on_elements_in_a_loop() {
    check_generic!(
        sum_of_square_calls,
        sum_of_square_calls_grad,
        sum_of_square_calls_jvp,
        sum_of_square_calls_vjp,
        sum_of_square_calls_hvp
    );
    check_generic!(
        branchy_square_calls,
        branchy_square_calls_grad,
        branchy_square_calls_jvp,
        branchy_square_calls_vjp,
        branchy_square_calls_hvp
    );
    check_generic!(
        calls_in_loop_caller,
        calls_in_loop_caller_grad,
        calls_in_loop_caller_jvp,
        calls_in_loop_caller_vjp,
        calls_in_loop_caller_hvp
    );
}

/// A sum over a local whose element type the macro does not see: its zero
/// is a `T`.
#[differentiate]
fn sum_of_a_local<T: Real + std::iter::Sum<T>>(xs: &[T]) -> T {
    let w = xs.to_vec();
    let s = w.iter().map(|v| v.sin() * *v).sum();
    s
}

#[test]
fn generic_sum_over_a_local() {
    check_generic!(
        sum_of_a_local,
        sum_of_a_local_grad,
        sum_of_a_local_jvp,
        sum_of_a_local_vjp,
        sum_of_a_local_hvp
    );
}

// ----- const generic sizes ------------------------------------------------------

/// An `SVector<T, N>` of a generic float and size.
#[differentiate]
fn quartic<T: Real, const N: usize>(x: &ad::nalgebra::SVector<T, N>) -> T {
    let d = x.dot(x);
    d * d + x[0].sin()
}

/// An array of a generic size, and callers fixing it.
#[differentiate]
fn weighted<const N: usize>(x: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += x[i] * x[i].sin();
    }
    s
}

#[differentiate]
fn weighted_caller(x: &[f64; 4]) -> f64 {
    weighted(x) * x[1]
}

#[differentiate]
fn quartic_caller<T: Real, const N: usize>(x: &ad::nalgebra::SVector<T, N>) -> T {
    quartic(x) * x[1]
}

/// The modes of a function of `&[f64; 4]` seen through a slice.
macro_rules! check_sized {
    ($f:ident, $grad:ident, $jvp:ident, $vjp:ident, $hvp:ident, $from:expr, $to:expr) => {{
        let p = [0.7, -1.2, 0.4, 1.9];
        let t = [0.3, -0.1, 0.5, 0.2];
        let from = $from;
        let to = $to;
        check_all(
            stringify!($f),
            &p,
            &t,
            |p| $f(&from(p)),
            |p| {
                let (v, g) = $grad(&from(p));
                (v, to(&g))
            },
            |p, t| $jvp(&from(p), &from(t)),
            |p, t| {
                let (v, g, h) = $hvp(&from(p), &from(t));
                (v, to(&g), to(&h))
            },
        );
        // The vjp with a seed other than one: the dot-product identity
        // <c, jvp(t)> = <vjp(c), t> along each unit vector.
        for k in 0..4 {
            let mut e = [0.0; 4];
            e[k] = 1.0;
            let (_, d) = $jvp(&from(&p), &from(&e));
            let (_, g) = $vjp(&from(&p), 2.5);
            let g = to(&g);
            assert!((2.5 * d - g[k]).abs() <= 1e-12 * (1.0 + d.abs()));
        }
    }};
}

#[test]
fn const_generic_sizes() {
    let arr = |p: &[f64]| -> [f64; 4] { p.try_into().unwrap() };
    let flat = |g: &[f64; 4]| g.to_vec();
    check_sized!(
        weighted_caller,
        weighted_caller_grad,
        weighted_caller_jvp,
        weighted_caller_vjp,
        weighted_caller_hvp,
        arr,
        flat
    );
    check_sized!(
        weighted,
        weighted_grad,
        weighted_jvp,
        weighted_vjp,
        weighted_hvp,
        arr,
        flat
    );
    let sv = |p: &[f64]| ad::nalgebra::SVector::<f64, 4>::from_column_slice(p);
    let flat = |g: &ad::nalgebra::SVector<f64, 4>| g.as_slice().to_vec();
    check_sized!(
        quartic,
        quartic_grad,
        quartic_jvp,
        quartic_vjp,
        quartic_hvp,
        sv,
        flat
    );
    check_sized!(
        quartic_caller,
        quartic_caller_grad,
        quartic_caller_jvp,
        quartic_caller_vjp,
        quartic_caller_hvp,
        sv,
        flat
    );
}
