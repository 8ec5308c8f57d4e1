//! The rule table of the elementary scalar functions.
//!
//! Each function states its local derivatives once, as num-dual does, and one
//! chain rule in the generated code applies them in every mode:
//!
//! * a unary function `y = f(x)` has a module with `d1(x, y) = f'(x)` and
//!   `d2(x, y) = f''(x)`; the value `y` is passed so that rules such as
//!   `exp' = exp` reuse it instead of recomputing it;
//! * a function of several arguments `z = f(a, b, ..)` has a module with the
//!   first partials `da, db, ..` and the second partials `daa, dab, dbb, ..`,
//!   each taking the arguments and then `z`.
//!
//! Forward mode uses `dy = d1 * dx`, reverse mode `x_bar += y_bar * d1`, and
//! second order (forward over reverse) the second derivatives.
//!
//! Conventions at points where a function is not differentiable (stated once
//! here, and followed by every mode because every mode calls these rules):
//!
//! * `abs` has derivative 0 at 0, and `signum` has derivative 0 everywhere;
//! * `max` and `min` split the derivative evenly between equal arguments
//!   (each gets 1/2); when one argument is NaN, the derivative goes to the
//!   other one, whose value the function returns;
//! * `clamp(x, lo, hi)` is differentiated as `x.max(lo).min(hi)`;
//! * `powf(a, b)`: the partial in `b` is 0 where `a == 0`, and the partial in
//!   `a` is 0 where `b == 0` (the limits along the axes, as JAX does);
//! * everywhere else, values at singular points follow IEEE arithmetic
//!   (`sqrt'(0) = inf`, `ln'(0) = inf`).

use crate::real::Real;

/// The rules of a unary function, as function pointers (for tests and tools).
///
/// ```
/// use ad_runtime::scalar::{unary_rules, UnaryRule};
///
/// let exp: UnaryRule<f64> = unary_rules().into_iter().find(|r| r.name == "exp").unwrap();
/// let y = (exp.f)(1.0);
/// assert_eq!(y, core::f64::consts::E);
/// assert_eq!((exp.d1)(1.0, y), y);
/// ```
#[derive(Clone, Copy)]
pub struct UnaryRule<T> {
    /// The method's name, as written in user code (`"sin"`).
    pub name: &'static str,
    /// The function itself.
    pub f: fn(T) -> T,
    /// `f'(x)`, given `x` and `y = f(x)`.
    pub d1: fn(T, T) -> T,
    /// `f''(x)`, given `x` and `y = f(x)`.
    pub d2: fn(T, T) -> T,
    /// For the functions whose derivative is a function of the value
    /// (`exp`, `sqrt`, `tanh`, ..): the derivative in terms of `y` alone.
    pub of_y: Option<OfY<T>>,
    /// For the functions whose derivatives are functions of the argument
    /// (`sin`, `ln`, ..): the derivatives in terms of `x` alone.
    pub of_x: Option<OfX<T>>,
}

/// The derivatives of a unary function in terms of its argument `x` alone.
#[derive(Clone, Copy)]
pub struct OfX<T> {
    /// `f'(x)`.
    pub d1_x: fn(T) -> T,
    /// `f''(x)`.
    pub d2_x: fn(T) -> T,
}

/// The first derivative of a unary function in terms of its value `y`
/// alone, and that derivative's own derivative in `y`.
#[derive(Clone, Copy)]
pub struct OfY<T> {
    /// `f'(x)`, given only `y = f(x)`.
    pub d1_y: fn(T) -> T,
    /// `d/dy d1_y(y)`.
    pub d1_y_dy: fn(T) -> T,
}

/// The rules of a function of two arguments, as function pointers.
///
/// ```
/// use ad_runtime::scalar::{binary_rules, BinaryRule};
///
/// let hypot: BinaryRule<f64> = binary_rules().into_iter().find(|r| r.name == "hypot").unwrap();
/// let z = (hypot.f)(3.0, 4.0);
/// assert_eq!(z, 5.0);
/// assert_eq!([(hypot.d[0])(3.0, 4.0, z), (hypot.d[1])(3.0, 4.0, z)], [0.6, 0.8]);
/// ```
#[derive(Clone, Copy)]
pub struct BinaryRule<T> {
    /// The method's name, as written in user code (`"atan2"`).
    pub name: &'static str,
    /// The function itself: `f(a, b)` is `a.name(b)`.
    pub f: fn(T, T) -> T,
    /// `[da, db]`: the first partials, given `a`, `b` and `z = f(a, b)`.
    pub d: [fn(T, T, T) -> T; 2],
    /// `[daa, dab, dbb]`: the second partials, given `a`, `b` and `z`.
    pub dd: [fn(T, T, T) -> T; 3],
}

mod binary;
mod special;
mod unary;

pub use binary::*;
pub use special::*;
pub use unary::*;

#[inline]
fn two<T: Real>() -> T {
    T::ONE + T::ONE
}

/// Weight of `a` in `max(a, b)`: 1 if `a` is returned, 1/2 at a tie.
#[inline]
fn max_weight<T: Real>(a: T, b: T) -> T {
    if a > b || b.is_nan() {
        T::ONE
    } else if a == b {
        T::HALF
    } else {
        T::ZERO
    }
}

/// Weight of `a` in `min(a, b)`: 1 if `a` is returned, 1/2 at a tie.
#[inline]
fn min_weight<T: Real>(a: T, b: T) -> T {
    if a < b || b.is_nan() {
        T::ONE
    } else if a == b {
        T::HALF
    } else {
        T::ZERO
    }
}

#[inline]
fn div_euclid<T: Real>(a: T, b: T) -> T {
    let q = (a / b).trunc();
    if a % b < T::ZERO {
        if b > T::ZERO {
            q - T::ONE
        } else {
            q + T::ONE
        }
    } else {
        q
    }
}
