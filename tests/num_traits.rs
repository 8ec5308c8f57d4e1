//! Generic functions written against num-traits, as most generic Rust
//! numerics is: `T: Float + FromPrimitive`, constants `T::from_f64(1.5).unwrap()`,
//! `T::one()`, `T::zero()`. The bounds stay as written; the generated items
//! add `T: ad::RealRules`.
//!
//! The two-dimensional functions are argmin's test functions
//! (`argmin_testfunctions` 0.3, MIT OR Apache-2.0) copied as argmin writes
//! them, with only `#[differentiate]` added; the references are argmin's own
//! hand-derived `_derivative` and `_hessian` functions, copied likewise
//! (`mod argmin_reference`). argmin's functions of a slice (`rosenbrock_ab`,
//! `sphere`, `ackley`, ..) sum iterator chains over the parameters:
//! `tests/argmin_chains.rs` has them as argmin writes them; here they are the
//! loops they stand for, and argmin's `rosenbrock`, which calls
//! `rosenbrock_ab`, as written.
//!
//! Every function in `f32` and `f64`, every mode (`_jvp`, `_vjp`, `_grad`,
//! `_hvp`) against the hand-derived gradient and Hessian, and in `f64`
//! against central finite differences (`ad::check`).

use ad::check::{check_gradient, check_jvp};
use ad::{differentiate, Real};
use num_traits::{Float, FromPrimitive};
use std::f64::consts::PI;
use std::iter::Sum;

// ----- argmin's two-dimensional test functions, as argmin writes them -------

#[differentiate]
pub fn beale<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;
    (T::from_f64(1.5).unwrap() - x1 + x1 * x2).powi(2)
        + (T::from_f64(2.25).unwrap() - x1 + x1 * (x2.powi(2))).powi(2)
        + (T::from_f64(2.625).unwrap() - x1 + x1 * (x2.powi(3))).powi(2)
}

#[differentiate]
pub fn booth<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let n2 = T::from_f64(2.0).unwrap();
    let n5 = T::from_f64(5.0).unwrap();
    let n7 = T::from_f64(7.0).unwrap();

    let [x1, x2] = *param;
    (x1 + n2 * x2 - n7).powi(2) + (n2 * x1 + x2 - n5).powi(2)
}

#[differentiate]
pub fn matyas<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;

    let n026 = T::from_f64(0.26).unwrap();
    let n048 = T::from_f64(0.48).unwrap();

    n026 * (x1.powi(2) + x2.powi(2)) - n048 * x1 * x2
}

#[differentiate]
pub fn himmelblau<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;
    let n7 = T::from_f64(7.0).unwrap();
    let n11 = T::from_f64(11.0).unwrap();
    (x1.powi(2) + x2 - n11).powi(2) + (x1 + x2.powi(2) - n7).powi(2)
}

#[differentiate]
pub fn threehumpcamel<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;

    T::from_f64(2.0).unwrap() * x1.powi(2) - T::from_f64(1.05).unwrap() * x1.powi(4)
        + x1.powi(6) / T::from_f64(6.0).unwrap()
        + x1 * x2
        + x2.powi(2)
}

#[differentiate]
pub fn mccormick<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;
    (x1 + x2).sin() + (x1 - x2).powi(2) - T::from_f64(1.5).unwrap() * x1
        + T::from_f64(2.5).unwrap() * x2
        + T::from_f64(1.0).unwrap()
}

#[differentiate]
pub fn goldsteinprice<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;
    let n1 = T::from_f64(1.0).unwrap();
    let n2 = T::from_f64(2.0).unwrap();
    let n3 = T::from_f64(3.0).unwrap();
    let n6 = T::from_f64(6.0).unwrap();
    let n12 = T::from_f64(12.0).unwrap();
    let n14 = T::from_f64(14.0).unwrap();
    let n18 = T::from_f64(18.0).unwrap();
    let n19 = T::from_f64(19.0).unwrap();
    let n27 = T::from_f64(27.0).unwrap();
    let n30 = T::from_f64(30.0).unwrap();
    let n32 = T::from_f64(32.0).unwrap();
    let n36 = T::from_f64(36.0).unwrap();
    let n48 = T::from_f64(48.0).unwrap();
    (n1 + (x1 + x2 + n1).powi(2)
        * (n19 - n14 * (x1 + x2) + n3 * (x1.powi(2) + x2.powi(2)) + n6 * x1 * x2))
        * (n30
            + (n2 * x1 - n3 * x2).powi(2)
                * (n18 - n32 * x1 + n12 * x1.powi(2) + n48 * x2 - n36 * x1 * x2 + n27 * x2.powi(2)))
}

#[differentiate]
pub fn easom<T>(param: &[T; 2]) -> T
where
    T: Float + FromPrimitive,
{
    let [x1, x2] = *param;
    let pi = T::from_f64(PI).unwrap();
    -x1.cos() * x2.cos() * (-(x1 - pi).powi(2) - (x2 - pi).powi(2)).exp()
}

// ----- functions of a slice ----------------------------------------------------

/// argmin's `rosenbrock_ab`, its iterator chain
/// (`param.iter().zip(param.iter().skip(1)).map(..).sum()`) as a loop.
#[differentiate]
pub fn rosenbrock_ab<T>(param: &[T], a: T, b: T) -> T
where
    T: Float + FromPrimitive + Sum,
{
    let mut s = T::zero();
    for i in 0..param.len() - 1 {
        let (xi, xi1) = (param[i], param[i + 1]);
        s = s + (a - xi).powi(2) + b * (xi1 - xi.powi(2)).powi(2);
    }
    s
}

/// argmin's `rosenbrock`, as written: a call of `rosenbrock_ab`.
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

/// argmin's `sphere` (`param.iter().map(|x| x.powi(2)).sum()`) as a loop.
#[differentiate]
pub fn sphere<T>(param: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    let mut s = T::zero();
    for i in 0..param.len() {
        s = s + param[i].powi(2);
    }
    s
}

/// The rest of num-traits' vocabulary, bound by a path in `where`:
/// `T::one()`, `T::zero()`, `T::from(..).unwrap()`, `T::epsilon()`,
/// `T::from_usize(..)`, `x.abs()`, `x.max(y)`, `T::sqrt(x)`, `x.mul_add(..)`.
#[differentiate]
pub fn vocabulary<T>(x: &[T], k: T) -> T
where
    T: num_traits::Float + num_traits::FromPrimitive,
{
    let n = T::from_usize(x.len()).unwrap();
    let half = T::from(0.5).unwrap();
    let mut s = T::zero();
    for i in 0..x.len() {
        let t = (x[i] * k).abs().max(T::one()) + half * x[i].powi(2);
        s = s + t + T::epsilon();
    }
    T::sqrt(s / n) + k.mul_add(k, T::one())
}

/// `T: Real` is num-traits' `Float`: its vocabulary, and a call of a
/// function written against num-traits (which needs `FromPrimitive` too).
#[differentiate]
pub fn real_caller<T: Real + FromPrimitive>(x: &[T; 2]) -> T {
    let c = T::from(0.25).unwrap() + T::one() + T::HALF;
    c * beale(x) + x[0].max(x[1]) * T::ONE
}

/// A vector output: `_vjp_many` and the split form over `T: Float`.
#[differentiate]
pub fn residuals<T: Float + FromPrimitive>(p: &[T; 2]) -> [T; 2] {
    let [x1, x2] = *p;
    [
        T::one() - x1,
        T::from_f64(10.0).unwrap() * (x2 - x1.powi(2)),
    ]
}

/// A caller of `residuals`: through its hidden wrappers.
#[differentiate]
pub fn residual_norm<T: Float + FromPrimitive>(p: &[T; 2]) -> T {
    let r = residuals(p);
    r[0] * r[0] + r[1] * r[1]
}

// ----- argmin's hand-derived derivatives and Hessians: the references ---------

mod argmin_reference;

// ----- the checks -------------------------------------------------------------

/// `x` as `T`: `Real`'s conversion (under `T: Real + FromPrimitive`,
/// `T::from_f64` would be ambiguous, so the helper has `Real` alone).
fn t<T: Real>(x: f64) -> T {
    T::from_f64(x)
}

fn to64<T: Real>(x: &[T]) -> Vec<f64> {
    // `(*v).to_f64()`: on a `&T`, `v.to_f64()` is num-traits'
    // `ToPrimitive::to_f64(&self) -> Option<f64>`.
    x.iter().map(|&v| v.to_f64()).collect()
}

/// `|a - b|_inf <= tol (1 + |b|_inf)`.
fn close<T: Real>(what: &str, a: &[T], b: &[T], tol: f64) {
    let (a, b) = (to64(a), to64(b));
    assert_eq!(a.len(), b.len(), "{what}");
    let err = a
        .iter()
        .zip(&b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let scale = b.iter().map(|b| b.abs()).fold(0.0, f64::max);
    assert!(err <= tol * (1.0 + scale), "{what}: {a:?} vs {b:?}");
}

fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::ZERO, |s, (a, b)| s + *a * *b)
}

fn mat_vec<T: Real>(h: &[Vec<T>], v: &[T]) -> Vec<T> {
    h.iter().map(|row| dot(row, v)).collect()
}

/// Directions: the unit vectors and two more.
fn directions<T: Real>(n: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..n)
        .map(|k| {
            (0..n)
                .map(|i| if i == k { T::ONE } else { T::ZERO })
                .collect()
        })
        .collect();
    out.push((0..n).map(|i| t(0.3 - 0.7 * i as f64)).collect());
    out.push((0..n).map(|i| t((1.0 + i as f64).sin())).collect());
    out
}

/// `(value, gradient)`; forward mode `(x, v) -> (value, derivative)`;
/// `(x, v) -> (value, gradient, Hessian-vector product)`.
type Grad<T> = (T, Vec<T>);
type JvpFn<'a, T> = &'a dyn Fn(&[T], &[T]) -> (T, T);
type HvpFn<'a, T> = &'a dyn Fn(&[T], &[T]) -> (T, Vec<T>, Vec<T>);

/// Every mode of a function of one array of `n` numbers, at `x`, through
/// flat adapters.
struct Modes<'a, T> {
    f: &'a dyn Fn(&[T]) -> T,
    jvp: JvpFn<'a, T>,
    vjp: &'a dyn Fn(&[T], T) -> Grad<T>,
    grad: &'a dyn Fn(&[T]) -> Grad<T>,
    hvp: HvpFn<'a, T>,
    /// The hand-derived gradient and Hessian.
    d: &'a dyn Fn(&[T]) -> Vec<T>,
    h: &'a dyn Fn(&[T]) -> Vec<Vec<T>>,
}

/// Every mode against the references (relative tolerance `tol`), and, in
/// `f64`, against central differences of the function and of the gradient.
fn check<T: Real>(name: &str, x64: &[f64], m: &Modes<T>, tol: f64) {
    let x: Vec<T> = x64.iter().map(|v| t(*v)).collect();
    let n = x.len();
    let y = (m.f)(&x);
    let (d, h) = ((m.d)(&x), (m.h)(&x));
    let (gy, g) = (m.grad)(&x);
    close(&format!("{name} grad value"), &[gy], &[y], tol);
    close(&format!("{name} grad"), &g, &d, tol);
    for w in [T::ONE, t(-0.75)] {
        let (vy, xb) = (m.vjp)(&x, w);
        let wd: Vec<T> = d.iter().map(|d| w * *d).collect();
        close(&format!("{name} vjp value"), &[vy], &[y], tol);
        close(&format!("{name} vjp"), &xb, &wd, tol);
    }
    for v in directions::<T>(n) {
        let (jy, dy) = (m.jvp)(&x, &v);
        close(&format!("{name} jvp value"), &[jy], &[y], tol);
        close(&format!("{name} jvp"), &[dy], &[dot(&d, &v)], tol);
        let (hy, hg, hv) = (m.hvp)(&x, &v);
        close(&format!("{name} hvp value"), &[hy], &[y], tol);
        close(&format!("{name} hvp gradient"), &hg, &d, tol);
        close(&format!("{name} hvp"), &hv, &mat_vec(&h, &v), tol);
        if core::mem::size_of::<T>() == 8 {
            let at = |p: &[f64]| p.iter().map(|v| t::<T>(*v)).collect::<Vec<T>>();
            let grad = |p: &[f64]| to64(&(m.grad)(&at(p)).1);
            check_jvp(grad, x64, &to64(&v), &to64(&hv)).assert_close(1e-5, 1e-6);
        }
    }
    if core::mem::size_of::<T>() == 8 {
        let f = |p: &[f64]| (m.f)(&p.iter().map(|v| t::<T>(*v)).collect::<Vec<T>>()).to_f64();
        check_gradient(f, x64, &to64(&g)).assert_close(1e-6, 1e-6);
    }
}

/// The adapters of argmin's functions of `&[T; 2]`: `two!(T, beale)` for
/// `beale`, `beale_jvp`, .., `argmin_reference::beale_derivative`, ..
macro_rules! two {
    ($T:ty, $f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $d:ident, $h:ident) => {{
        fn a<T: Copy>(x: &[T]) -> [T; 2] {
            [x[0], x[1]]
        }
        Modes::<$T> {
            f: &|x| $f(&a(x)),
            jvp: &|x, v| $jvp(&a(x), &a(v)),
            vjp: &|x, w| {
                let (y, b) = $vjp(&a(x), w);
                (y, b.to_vec())
            },
            grad: &|x| {
                let (y, b) = $grad(&a(x));
                (y, b.to_vec())
            },
            hvp: &|x, v| {
                let (y, b, h) = $hvp(&a(x), &a(v));
                (y, b.to_vec(), h.to_vec())
            },
            d: &|x| argmin_reference::$d(&a(x)).to_vec(),
            h: &|x| {
                argmin_reference::$h(&a(x))
                    .iter()
                    .map(|r| r.to_vec())
                    .collect()
            },
        }
    }};
}

/// Every two-dimensional function at `points`, in `T` with tolerance `tol`.
fn argmin_two_dimensional<T: Real + FromPrimitive>(tol: f64) {
    let points: &[[f64; 2]] = &[[0.7, -1.3], [1.2, 0.4], [-0.5, 1.1], [2.9, 3.4]];
    let cases: Vec<(&str, Modes<T>)> = vec![
        (
            "beale",
            two!(
                T,
                beale,
                beale_jvp,
                beale_vjp,
                beale_grad,
                beale_hvp,
                beale_derivative,
                beale_hessian
            ),
        ),
        (
            "booth",
            two!(
                T,
                booth,
                booth_jvp,
                booth_vjp,
                booth_grad,
                booth_hvp,
                booth_derivative,
                booth_hessian
            ),
        ),
        (
            "matyas",
            two!(
                T,
                matyas,
                matyas_jvp,
                matyas_vjp,
                matyas_grad,
                matyas_hvp,
                matyas_derivative,
                matyas_hessian
            ),
        ),
        (
            "himmelblau",
            two!(
                T,
                himmelblau,
                himmelblau_jvp,
                himmelblau_vjp,
                himmelblau_grad,
                himmelblau_hvp,
                himmelblau_derivative,
                himmelblau_hessian
            ),
        ),
        (
            "threehumpcamel",
            two!(
                T,
                threehumpcamel,
                threehumpcamel_jvp,
                threehumpcamel_vjp,
                threehumpcamel_grad,
                threehumpcamel_hvp,
                threehumpcamel_derivative,
                threehumpcamel_hessian
            ),
        ),
        (
            "mccormick",
            two!(
                T,
                mccormick,
                mccormick_jvp,
                mccormick_vjp,
                mccormick_grad,
                mccormick_hvp,
                mccormick_derivative,
                mccormick_hessian
            ),
        ),
        (
            "goldsteinprice",
            two!(
                T,
                goldsteinprice,
                goldsteinprice_jvp,
                goldsteinprice_vjp,
                goldsteinprice_grad,
                goldsteinprice_hvp,
                goldsteinprice_derivative,
                goldsteinprice_hessian
            ),
        ),
        (
            "easom",
            two!(
                T,
                easom,
                easom_jvp,
                easom_vjp,
                easom_grad,
                easom_hvp,
                easom_derivative,
                easom_hessian
            ),
        ),
    ];
    for (name, m) in &cases {
        for x in points {
            check(&format!("{name} at {x:?}"), x, m, tol);
        }
    }
}

#[test]
fn argmin_two_dimensional_functions_in_f64() {
    argmin_two_dimensional::<f64>(1e-11);
}

#[test]
fn argmin_two_dimensional_functions_in_f32() {
    argmin_two_dimensional::<f32>(2e-4);
}

/// The adapters of a function of one slice.
macro_rules! slice {
    ($T:ty, $f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $d:expr, $h:expr) => {
        Modes::<$T> {
            f: &|x| $f(x),
            jvp: &|x, v| $jvp(x, v),
            vjp: &|x, w| $vjp(x, w),
            grad: &|x| $grad(x),
            hvp: &|x, v| $hvp(x, v),
            d: &$d,
            h: &$h,
        }
    };
}

fn argmin_slices<T: Real + FromPrimitive + core::ops::AddAssign + Sum>(tol: f64) {
    let (a, b) = (t::<T>(1.0), t::<T>(100.0));
    let rosenbrock_modes = slice!(
        T,
        rosenbrock,
        rosenbrock_jvp,
        rosenbrock_vjp,
        rosenbrock_grad,
        rosenbrock_hvp,
        |x: &[T]| argmin_reference::rosenbrock_ab_derivative(x, a, b),
        |x: &[T]| argmin_reference::rosenbrock_ab_hessian(x, a, b)
    );
    let sphere_modes = slice!(
        T,
        sphere,
        sphere_jvp,
        sphere_vjp,
        sphere_grad,
        sphere_hvp,
        |x: &[T]| argmin_reference::sphere_derivative(x),
        |x: &[T]| argmin_reference::sphere_hessian(x)
    );
    for x in [
        &[0.3, 0.7][..],
        &[-1.2, 1.0, 0.8, 0.5],
        &[0.9, 0.81, 0.6561, 0.43, -0.2],
    ] {
        check(&format!("rosenbrock at {x:?}"), x, &rosenbrock_modes, tol);
        check(&format!("sphere at {x:?}"), x, &sphere_modes, tol);
    }
}

#[test]
fn argmin_slice_functions_in_f64() {
    argmin_slices::<f64>(1e-12);
}

#[test]
fn argmin_slice_functions_in_f32() {
    argmin_slices::<f32>(1e-5);
}

/// `rosenbrock_ab` with `a` and `b` active too: d/da = sum 2 (a - x_i),
/// d/db = sum (x_{i+1} - x_i^2)^2, and second order in every argument.
fn rosenbrock_ab_in<T: Real + FromPrimitive + core::ops::AddAssign + Sum>(tol: f64) {
    let x: Vec<T> = [-1.2, 1.0, 0.8].iter().map(|v| t(*v)).collect();
    let (a, b) = (t::<T>(1.5), t::<T>(80.0));
    let d = argmin_reference::rosenbrock_ab_derivative(&x, a, b);
    let (mut da, mut db) = (T::ZERO, T::ZERO);
    for i in 0..x.len() - 1 {
        da += t::<T>(2.0) * (a - x[i]);
        db += (x[i + 1] - x[i] * x[i]).powi(2);
    }
    let (y, gx, ga, gb) = rosenbrock_ab_grad(&x, a, b);
    close("rosenbrock_ab value", &[y], &[rosenbrock_ab(&x, a, b)], tol);
    close("rosenbrock_ab grad x", &gx, &d, tol);
    close("rosenbrock_ab grad a, b", &[ga, gb], &[da, db], tol);
    let (_, dy) = rosenbrock_ab_jvp(&x, &[T::ZERO; 3], a, T::ONE, b, T::ONE);
    close("rosenbrock_ab jvp in a and b", &[dy], &[da + db], tol);
    // Along a alone: d/da of (grad x, d/da, d/db) = (-2 e_i.., 2 (n - 1), 0).
    let (_, _, _, _, hx, ha, hb) = rosenbrock_ab_hvp(&x, &[T::ZERO; 3], a, T::ONE, b, T::ZERO);
    let mut want = vec![T::ZERO; 3];
    for w in want.iter_mut().take(x.len() - 1) {
        *w = t(-2.0);
    }
    close("rosenbrock_ab hvp along a", &hx, &want, tol);
    close(
        "rosenbrock_ab hvp along a: a, b",
        &[ha, hb],
        &[t(4.0), T::ZERO],
        tol,
    );
}

#[test]
fn rosenbrock_ab_with_active_constants_in_both_precisions() {
    rosenbrock_ab_in::<f64>(1e-12);
    rosenbrock_ab_in::<f32>(1e-5);
}

fn vocabulary_ref(x: &[f64], k: f64) -> (f64, Vec<f64>, f64) {
    let n = x.len() as f64;
    let mut s = 0.0;
    let (mut ds, mut dk) = (vec![0.0; x.len()], 0.0);
    for i in 0..x.len() {
        let p = x[i] * k;
        s += p.abs().max(1.0) + 0.5 * x[i] * x[i] + f64::EPSILON;
        let active = if p.abs() > 1.0 { p.signum() } else { 0.0 };
        ds[i] = active * k + x[i];
        dk += active * x[i];
    }
    let r = (s / n).sqrt();
    let c = 0.5 / (r * n);
    let gx = ds.iter().map(|d| c * d).collect();
    (r + k * k + 1.0, gx, c * dk + 2.0 * k)
}

#[test]
fn num_traits_vocabulary_in_both_precisions() {
    let (x, k) = ([0.5, -2.0, 0.1, 1.5], 1.3);
    let (v, gx, gk) = vocabulary_ref(&x, k);
    let (y, g, g_k) = vocabulary_grad(&x, k);
    close("vocabulary f64", &[y, g_k], &[v, gk], 1e-12);
    close("vocabulary f64 grad", &g, &gx, 1e-12);
    let x32 = x.map(|v| v as f32);
    let (y, g, g_k) = vocabulary_grad(&x32, k as f32);
    close("vocabulary f32", &[y as f64, g_k as f64], &[v, gk], 1e-5);
    close("vocabulary f32 grad", &to64(&g), &gx, 1e-5);
    let (_, _, _, hx, hk) = vocabulary_hvp(&x, &[0.0; 4], k, 1.0);
    let h = 1e-6;
    let fd =
        |i: usize| (vocabulary_ref(&x, k + h).1[i] - vocabulary_ref(&x, k - h).1[i]) / (2.0 * h);
    for (i, hx) in hx.iter().enumerate() {
        assert!((hx - fd(i)).abs() < 1e-6, "{i}: {hx} vs {}", fd(i));
    }
    let fdk = (vocabulary_ref(&x, k + h).2 - vocabulary_ref(&x, k - h).2) / (2.0 * h);
    assert!((hk - fdk).abs() < 1e-6, "{hk} vs {fdk}");
}

#[test]
fn a_real_function_calls_a_num_traits_function() {
    fn run<T: Real + FromPrimitive>(tol: f64) {
        let x = [t::<T>(0.7), t(-1.3)];
        let d = argmin_reference::beale_derivative(&x);
        let h = argmin_reference::beale_hessian(&x);
        let c = t::<T>(1.75);
        // x[0] > x[1]: the max is x[0].
        let want = [c * d[0] + T::ONE, c * d[1]];
        let (y, g) = real_caller_grad(&x);
        close("real_caller value", &[y], &[c * beale(&x) + x[0]], tol);
        close("real_caller grad", &g, &want, tol);
        let (_, _, hv) = real_caller_hvp(&x, &[T::ONE, T::ZERO]);
        close("real_caller hvp", &hv, &[c * h[0][0], c * h[1][0]], tol);
    }
    run::<f64>(1e-12);
    run::<f32>(1e-5);
}

#[test]
fn vector_outputs_and_calls_over_float() {
    fn run<T: Real + FromPrimitive>(tol: f64) {
        let p = [t::<T>(0.6), t(0.2)];
        let [x1, x2] = p;
        let ten = t::<T>(10.0);
        // J = [[-1, 0], [-20 x1, 10]]
        let jac = [[-T::ONE, T::ZERO], [-t::<T>(20.0) * x1, ten]];
        let (r, dr) = residuals_jvp(&p, &[T::ONE, T::ONE]);
        close("residuals", &r, &[T::ONE - x1, ten * (x2 - x1 * x1)], tol);
        close(
            "residuals jvp",
            &dr,
            &[jac[0][0] + jac[0][1], jac[1][0] + jac[1][1]],
            tol,
        );
        let w = [t::<T>(0.5), t(-2.0)];
        let (_, pb) = residuals_vjp(&p, w);
        let want = [
            w[0] * jac[0][0] + w[1] * jac[1][0],
            w[0] * jac[0][1] + w[1] * jac[1][1],
        ];
        close("residuals vjp", &pb, &want, tol);
        // |r|^2: gradient 2 J^T r.
        let (y, g) = residual_norm_grad(&p);
        close("residual_norm", &[y], &[r[0] * r[0] + r[1] * r[1]], tol);
        let two = t::<T>(2.0);
        let want = [
            two * (jac[0][0] * r[0] + jac[1][0] * r[1]),
            two * (jac[0][1] * r[0] + jac[1][1] * r[1]),
        ];
        close("residual_norm grad", &g, &want, tol);
        let (_, g2, hv) = residual_norm_hvp(&p, &[T::ZERO, T::ONE]);
        close("residual_norm hvp gradient", &g2, &want, tol);
        // d/dx2 of the gradient: 2 J^T J e2 (r is linear in x2): (-400 x1, 200).
        close(
            "residual_norm hvp",
            &hv,
            &[-t::<T>(400.0) * x1, t(200.0)],
            tol,
        );
    }
    run::<f64>(1e-12);
    run::<f32>(1e-5);
    // Two cotangents through one forward sweep, at each concrete type.
    let (_, many) = residuals_vjp_many(&[0.6, 0.2], [[0.5, -2.0], [1.0, 0.0]]);
    close("residuals vjp_many", &many[0], &[-0.5 + 24.0, -20.0], 1e-12);
    close("residuals vjp_many", &many[1], &[-1.0, 0.0], 1e-12);
    let (_, many) = residuals_vjp_many(&[0.6f32, 0.2], [[0.5, -2.0], [1.0, 0.0]]);
    close(
        "residuals vjp_many f32",
        &many[0],
        &[-0.5 + 24.0, -20.0],
        1e-6,
    );
}
