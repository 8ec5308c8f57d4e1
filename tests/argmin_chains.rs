//! argmin's test functions of a slice (`argmin_testfunctions` 0.3, MIT OR
//! Apache-2.0), copied as argmin writes them, iterator chains, local
//! closures, `assert!` and all, with only `#[differentiate]` added (and
//! argmin's doc comments left out). `tests/num_traits.rs` has hand rewrites
//! of some of them as index loops, from before chains were differentiated.
//!
//! The references are argmin's own hand-derived `*_derivative` and
//! `*_hessian` functions, from the crate (a dev-dependency): `_grad` against
//! the derivative, `_hvp` against the Hessian times a direction, `_jvp`
//! against the derivative dotted with the direction, `_vjp` by the
//! dot-product identity; in `f64` and in `f32`.

use ad::differentiate;
use num_traits::{Float, FromPrimitive};
use std::f64::consts::PI;
use std::iter::Sum;

#[differentiate]
pub fn sphere<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    param.iter().map(|x| x.powi(2)).sum()
}

#[differentiate]
pub fn rosenbrock<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    rosenbrock_ab(
        param,
        T::from_f64(1.0).unwrap(),
        T::from_f64(100.0).unwrap(),
    )
}

#[differentiate]
pub fn rosenbrock_ab<T>(param: &[T], a: T, b: T) -> T
where
    T: Float + FromPrimitive + Sum,
{
    param
        .iter()
        .zip(param.iter().skip(1))
        .map(|(&xi, &xi1)| (a - xi).powi(2) + b * (xi1 - xi.powi(2)).powi(2))
        .sum()
}

#[differentiate]
pub fn rastrigin<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    rastrigin_a(param, T::from_f64(10.0).unwrap())
}

#[differentiate]
pub fn rastrigin_a<T>(param: &[T], a: T) -> T
where
    T: Float + FromPrimitive + Sum,
{
    a * T::from_usize(param.len()).unwrap()
        + param
            .iter()
            .map(|&x| x.powi(2) - a * (T::from_f64(2.0 * PI).unwrap() * x).cos())
            .sum()
}

#[differentiate]
pub fn styblinski_tang<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    T::from_f64(0.5).unwrap()
        * param
            .iter()
            .map(|x| {
                x.powi(4) - T::from_f64(16.0).unwrap() * x.powi(2) + T::from_f64(5.0).unwrap() * *x
            })
            .sum()
}

#[differentiate]
pub fn ackley<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    ackley_abc(
        param,
        T::from_f64(20.0).unwrap(),
        T::from_f64(0.2).unwrap(),
        T::from_f64(2.0 * PI).unwrap(),
    )
}

#[differentiate]
pub fn ackley_abc<T>(param: &[T], a: T, b: T, c: T) -> T
where
    T: Float + FromPrimitive + Sum,
{
    let num1 = T::from_f64(1.0).unwrap();
    let n = T::from_usize(param.len()).unwrap();
    -a * (-b * ((num1 / n) * param.iter().map(|x| x.powi(2)).sum()).sqrt()).exp()
        - ((num1 / n) * param.iter().map(|x| (c * *x).cos()).sum()).exp()
        + a
        + num1.exp()
}

#[differentiate]
pub fn levy<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    let plen = param.len();
    assert!(plen >= 2);

    let n1 = T::from_f64(1.0).unwrap();
    let n2 = T::from_f64(2.0).unwrap();
    let n4 = T::from_f64(4.0).unwrap();
    let n10 = T::from_f64(10.0).unwrap();
    let pi = T::from_f64(PI).unwrap();

    let w = |x: T| n1 + (x - n1) / n4;

    (pi * w(param[0])).sin().powi(2)
        + param[1..(plen - 1)]
            .iter()
            .map(|x| w(*x))
            .map(|wi: T| (wi - n1).powi(2) * (n1 + n10 * (pi * wi + n1).sin().powi(2)))
            .sum()
        + (w(param[plen - 1]) - n1).powi(2) * (n1 + (n2 * pi * w(param[plen - 1])).sin().powi(2))
}

// ----- the checks -------------------------------------------------------------

type Grad = fn(&[f64]) -> (f64, Vec<f64>);
type Hvp = fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>);
type Jvp = fn(&[f64], &[f64]) -> (f64, f64);
type Vjp = fn(&[f64], f64) -> (f64, Vec<f64>);

struct Case {
    name: &'static str,
    f: fn(&[f64]) -> f64,
    grad: Grad,
    hvp: Hvp,
    jvp: Jvp,
    vjp: Vjp,
    derivative: fn(&[f64]) -> Vec<f64>,
    hessian: fn(&[f64]) -> Vec<Vec<f64>>,
}

fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: got {a}, expected {b}"
    );
}

fn check(c: &Case, x: &[f64]) {
    let n = x.len();
    let (value, g) = (c.grad)(x);
    close(&format!("{}: value", c.name), value, (c.f)(x), 1e-14);
    let d = (c.derivative)(x);
    for i in 0..n {
        close(
            &format!("{}: grad[{i}] vs argmin", c.name),
            g[i],
            d[i],
            1e-11,
        );
    }
    let h = (c.hessian)(x);
    let v: Vec<f64> = (0..n).map(|i| 0.3 + 0.7 * (i as f64 * 1.3).sin()).collect();
    let (hv_value, hg, hv) = (c.hvp)(x, &v);
    close(&format!("{}: hvp value", c.name), hv_value, value, 1e-14);
    for i in 0..n {
        close(
            &format!("{}: hvp gradient[{i}]", c.name),
            hg[i],
            d[i],
            1e-11,
        );
        let mut r = 0.0;
        for j in 0..n {
            r += h[i][j] * v[j];
        }
        close(
            &format!("{}: hvp[{i}] vs argmin's Hessian", c.name),
            hv[i],
            r,
            1e-10,
        );
    }
    let (jv, dv) = (c.jvp)(x, &v);
    close(&format!("{}: jvp value", c.name), jv, value, 1e-14);
    let mut r = 0.0;
    for i in 0..n {
        r += d[i] * v[i];
    }
    close(&format!("{}: jvp vs argmin", c.name), dv, r, 1e-11);
    let w = 1.7;
    let (_, xb) = (c.vjp)(x, w);
    let mut r = 0.0;
    for i in 0..n {
        r += v[i] * xb[i];
    }
    close(
        &format!("{}: dot-product identity", c.name),
        dv * w,
        r,
        1e-12,
    );
}

macro_rules! case {
    ($name:ident, $grad:ident, $hvp:ident, $jvp:ident, $vjp:ident, $d:ident, $h:ident) => {
        Case {
            name: stringify!($name),
            f: |x| $name(x),
            grad: |x| $grad(x),
            hvp: |x, v| $hvp(x, v),
            jvp: |x, v| $jvp(x, v),
            vjp: |x, w| $vjp(x, w),
            derivative: |x| argmin_testfunctions::$d(x),
            hessian: |x| argmin_testfunctions::$h(x),
        }
    };
}

#[test]
fn argmin_slice_functions_as_written_upstream() {
    let cases = [
        case!(
            sphere,
            sphere_grad,
            sphere_hvp,
            sphere_jvp,
            sphere_vjp,
            sphere_derivative,
            sphere_hessian
        ),
        case!(
            rosenbrock,
            rosenbrock_grad,
            rosenbrock_hvp,
            rosenbrock_jvp,
            rosenbrock_vjp,
            rosenbrock_derivative,
            rosenbrock_hessian
        ),
        case!(
            rastrigin,
            rastrigin_grad,
            rastrigin_hvp,
            rastrigin_jvp,
            rastrigin_vjp,
            rastrigin_derivative,
            rastrigin_hessian
        ),
        case!(
            styblinski_tang,
            styblinski_tang_grad,
            styblinski_tang_hvp,
            styblinski_tang_jvp,
            styblinski_tang_vjp,
            styblinski_tang_derivative,
            styblinski_tang_hessian
        ),
        case!(
            ackley,
            ackley_grad,
            ackley_hvp,
            ackley_jvp,
            ackley_vjp,
            ackley_derivative,
            ackley_hessian
        ),
        case!(
            levy,
            levy_grad,
            levy_hvp,
            levy_jvp,
            levy_vjp,
            levy_derivative,
            levy_hessian
        ),
    ];
    for x in [
        vec![0.3, -1.2],
        vec![0.7, -0.4, 1.1],
        vec![-0.9, 0.25, 1.6, -2.1, 0.8],
    ] {
        for c in &cases {
            check(c, &x);
        }
    }
}

#[test]
fn argmin_slice_functions_in_f32() {
    let x = [0.5f32, -1.25, 0.75];
    type Check = (&'static str, (f32, Vec<f32>), Vec<f32>);
    let checks: [Check; 4] = [
        (
            "sphere",
            sphere_grad(&x[..]),
            argmin_testfunctions::sphere_derivative(&x[..]),
        ),
        (
            "rosenbrock",
            rosenbrock_grad(&x[..]),
            argmin_testfunctions::rosenbrock_derivative(&x[..]),
        ),
        (
            "styblinski_tang",
            styblinski_tang_grad(&x[..]),
            argmin_testfunctions::styblinski_tang_derivative(&x[..]),
        ),
        (
            "levy",
            levy_grad(&x[..]),
            argmin_testfunctions::levy_derivative(&x[..]),
        ),
    ];
    for (name, (_, g), d) in checks {
        for i in 0..x.len() {
            assert!(
                (g[i] - d[i]).abs() <= 1e-4 * (1.0 + d[i].abs()),
                "{name}[{i}]: {} vs {}",
                g[i],
                d[i]
            );
        }
    }
}
