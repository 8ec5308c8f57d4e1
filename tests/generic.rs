//! Functions generic over the float type: one definition, instantiated for
//! `f32` and `f64`, in every mode and through calls.

use ad::{differentiate, Real};

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
