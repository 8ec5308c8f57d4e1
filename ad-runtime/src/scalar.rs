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

macro_rules! unary_rules {
    // The derivative in terms of the value `y` alone (`exp`, `sqrt`, ..).
    (@form $x:ident, $y:ident, $d1:expr, $d2:expr; d1_y_dy = $dyy:expr) => {
        /// First derivative given only `y = f(x)`: reverse mode needs no `x`
        /// (nor anything `x` was computed from).
        #[inline]
        #[allow(unused_variables)]
        pub fn d1_y<T: Real>($y: T) -> T {
            // `x` is not a number here: `d1` cannot read it.
            let $x = ();
            $d1
        }
        /// The derivative of [`d1_y`] in `y` (second order through reverse
        /// mode: `d(d1_y(y)) = d1_y_dy(y) dy`).
        #[inline]
        #[allow(unused_variables)]
        pub fn d1_y_dy<T: Real>($y: T) -> T {
            $dyy
        }
    };
    // The derivatives in terms of `x` alone (`sin`, `ln`, ..): `d2_x` given,
    // or `d2` itself when it reads no `y` (`of_x`).
    (@form $x:ident, $y:ident, $d1:expr, $d2:expr; d2_x = $d2x:expr) => {
        /// First derivative at `x`, without `y = f(x)`: reverse mode needs no
        /// value of the function.
        #[inline]
        #[allow(unused_variables)]
        pub fn d1_x<T: Real>($x: T) -> T {
            // `y` is not a number here: `d1` cannot read it.
            let $y = ();
            $d1
        }
        /// Second derivative at `x`, without `y` (second order through
        /// reverse mode: `d(d1_x(x)) = d2_x(x) dx`).
        #[inline]
        #[allow(unused_variables)]
        pub fn d2_x<T: Real>($x: T) -> T {
            let $y = ();
            $d2x
        }
    };
    (@form $x:ident, $y:ident, $d1:expr, $d2:expr; of_x) => {
        unary_rules!(@form $x, $y, $d1, $d2; d2_x = $d2);
    };
    (@form $x:ident, $y:ident, $d1:expr, $d2:expr;) => {};
    (@of_y $name:ident; d1_y_dy $($rest:tt)*) => {
        Some(OfY { d1_y: $name::d1_y::<T>, d1_y_dy: $name::d1_y_dy::<T> })
    };
    (@of_y $name:ident; $($rest:tt)*) => {
        None
    };
    (@of_x $name:ident; d2_x $($rest:tt)*) => {
        Some(OfX { d1_x: $name::d1_x::<T>, d2_x: $name::d2_x::<T> })
    };
    (@of_x $name:ident; of_x) => {
        Some(OfX { d1_x: $name::d1_x::<T>, d2_x: $name::d2_x::<T> })
    };
    (@of_x $name:ident; $($rest:tt)*) => {
        None
    };
    ($(
        $(#[$doc:meta])*
        $name:ident: |$x:ident, $y:ident| d1 = $d1:expr, d2 = $d2:expr
            $(, $form:ident $(= $extra:expr)?)?;
    )*) => {
        $(
            $(#[$doc])*
            pub mod $name {
                #[allow(unused_imports)]
                use super::{max_weight, min_weight, two};
                use crate::real::Real;
                /// The function itself.
                #[inline]
                pub fn f<T: Real>(x: T) -> T {
                    x.$name()
                }
                /// First derivative at `x`, given `y = f(x)`.
                #[inline]
                #[allow(unused_variables)]
                pub fn d1<T: Real>($x: T, $y: T) -> T {
                    $d1
                }
                /// Second derivative at `x`, given `y = f(x)`.
                #[inline]
                #[allow(unused_variables)]
                pub fn d2<T: Real>($x: T, $y: T) -> T {
                    $d2
                }
                unary_rules!(@form $x, $y, $d1, $d2; $($form $(= $extra)?)?);
            }
        )*

        /// Every unary rule, by name.
        ///
        /// Every rule against central differences of the function (`d1`) and
        /// of its first derivative (`d2`):
        ///
        /// ```
        /// use ad_runtime::check::fd_gradient;
        /// use ad_runtime::scalar::unary_rules;
        ///
        /// let rules = unary_rules::<f64>();
        /// assert_eq!(rules.len(), 27);
        /// for r in rules {
        ///     // A point inside every domain (acosh needs x > 1).
        ///     let x = if r.name == "acosh" { 1.5 } else { 0.6 };
        ///     let d1 = fd_gradient(|p| (r.f)(p[0]), &[x])[0];
        ///     let d2 = fd_gradient(|p| (r.d1)(p[0], (r.f)(p[0])), &[x])[0];
        ///     let y = (r.f)(x);
        ///     let close = |rule: f64, fd: f64| (rule - fd).abs() <= 1e-8 * fd.abs().max(1.0);
        ///     assert!(close((r.d1)(x, y), d1), "{}", r.name);
        ///     assert!(close((r.d2)(x, y), d2), "{}", r.name);
        ///     // In terms of y: the same first derivative, and a derivative
        ///     // in y that central differences in y and the chain rule
        ///     // `f'' = (d/dy f') f'` confirm.
        ///     if let Some(of_y) = r.of_y {
        ///         assert_eq!((of_y.d1_y)(y), (r.d1)(x, y), "{}", r.name);
        ///         let dy = fd_gradient(|p| (of_y.d1_y)(p[0]), &[y])[0];
        ///         assert!(close((of_y.d1_y_dy)(y), dy), "{}", r.name);
        ///         assert!(close((of_y.d1_y_dy)(y) * (r.d1)(x, y), (r.d2)(x, y)), "{}", r.name);
        ///     }
        ///     // In terms of x: the same derivatives.
        ///     if let Some(of_x) = r.of_x {
        ///         assert_eq!((of_x.d1_x)(x), (r.d1)(x, y), "{}", r.name);
        ///         assert!(close((of_x.d2_x)(x), d2), "{}", r.name);
        ///     }
        /// }
        /// // The rules reverse mode applies to the value alone.
        /// let of_y: Vec<_> = unary_rules::<f64>().into_iter().filter(|r| r.of_y.is_some()).map(|r| r.name).collect();
        /// assert_eq!(of_y, ["tan", "tanh", "exp", "exp2", "exp_m1", "sqrt", "cbrt", "recip", "signum", "to_degrees", "to_radians", "fract"]);
        /// // And to the argument alone.
        /// let of_x: Vec<_> = unary_rules::<f64>().into_iter().filter(|r| r.of_x.is_some()).map(|r| r.name).collect();
        /// assert_eq!(of_x, ["sin", "cos", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "ln", "ln_1p", "log2", "log10", "abs"]);
        /// ```
        pub fn unary_rules<T: Real>() -> Vec<UnaryRule<T>> {
            vec![$(UnaryRule {
                name: stringify!($name),
                f: $name::f::<T>,
                d1: $name::d1::<T>,
                d2: $name::d2::<T>,
                of_y: unary_rules!(@of_y $name; $($form)?),
                of_x: unary_rules!(@of_x $name; $($form)?),
            }),*]
        }
    };
}

macro_rules! binary_rules {
    ($(
        $(#[$doc:meta])*
        $name:ident: |$a:ident, $b:ident, $z:ident|
            $(f = $f:expr,)?
            da = $da:expr, db = $db:expr,
            daa = $daa:expr, dab = $dab:expr, dbb = $dbb:expr;
    )*) => {
        $(
            $(#[$doc])*
            pub mod $name {
                #[allow(unused_imports)]
                use super::{div_euclid, max_weight, min_weight, two};
                use crate::real::Real;
                /// The function itself.
                #[inline]
                pub fn f<T: Real>($a: T, $b: T) -> T {
                    binary_rules!(@f $name, $a, $b, $($f)?)
                }
                binary_rules!(@partial
                    "Partial derivative in `a` (the receiver)", da, $a, $b, $z, $da;
                    "Partial derivative in `b` (the argument)", db, $a, $b, $z, $db;
                    "Second partial in `a`, `a`", daa, $a, $b, $z, $daa;
                    "Second partial in `a`, `b`", dab, $a, $b, $z, $dab;
                    "Second partial in `b`, `b`", dbb, $a, $b, $z, $dbb;
                );
            }
        )*

        /// Every rule of two active arguments, by name.
        ///
        /// Every first partial against central differences of the function,
        /// and every second partial against those of a first partial:
        ///
        /// ```
        /// use ad_runtime::check::fd_gradient;
        /// use ad_runtime::scalar::binary_rules;
        ///
        /// let rules = binary_rules::<f64>();
        /// assert_eq!(rules.len(), 10);
        /// for r in rules {
        ///     let (a, b) = (0.7, 1.3);
        ///     let z = (r.f)(a, b);
        ///     let grad = fd_gradient(|p| (r.f)(p[0], p[1]), &[a, b]);
        ///     let da = fd_gradient(|p| (r.d[0])(p[0], p[1], (r.f)(p[0], p[1])), &[a, b]);
        ///     let db = fd_gradient(|p| (r.d[1])(p[0], p[1], (r.f)(p[0], p[1])), &[a, b]);
        ///     let close = |rule: f64, fd: f64| (rule - fd).abs() <= 1e-8 * fd.abs().max(1.0);
        ///     assert!(close((r.d[0])(a, b, z), grad[0]) && close((r.d[1])(a, b, z), grad[1]), "{}", r.name);
        ///     assert!(close((r.dd[0])(a, b, z), da[0]), "{} daa", r.name);
        ///     assert!(close((r.dd[1])(a, b, z), da[1]) && close((r.dd[1])(a, b, z), db[0]), "{} dab", r.name);
        ///     assert!(close((r.dd[2])(a, b, z), db[1]), "{} dbb", r.name);
        /// }
        /// ```
        pub fn binary_rules<T: Real>() -> Vec<BinaryRule<T>> {
            vec![$(BinaryRule {
                name: stringify!($name),
                f: $name::f::<T>,
                d: [$name::da::<T>, $name::db::<T>],
                dd: [$name::daa::<T>, $name::dab::<T>, $name::dbb::<T>],
            }),*]
        }
    };
    // The function: the method of the same name, unless given.
    (@f $name:ident, $a:ident, $b:ident, ) => { $a.$name($b) };
    (@f $name:ident, $a:ident, $b:ident, $f:expr) => { $f };
    (@partial $($doc:literal, $fn:ident, $a:ident, $b:ident, $z:ident, $e:expr;)*) => {
        $(
            #[doc = $doc]
            #[doc = ", given `a`, `b` and `z = f(a, b)`."]
            #[inline]
            #[allow(unused_variables)]
            pub fn $fn<T: Real>($a: T, $b: T, $z: T) -> T {
                $e
            }
        )*
    };
}

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

unary_rules! {
    /// `sin`
    ///
    /// ```
    /// use ad_runtime::scalar::sin;
    /// // At 0: sin = 0, cos = 1, -sin = 0.
    /// assert_eq!(sin::f(0.0), 0.0);
    /// assert_eq!(sin::d1(0.0, 0.0), 1.0);
    /// assert_eq!(sin::d2(0.0, 0.0), 0.0);
    /// ```
    sin: |x, y| d1 = x.cos(), d2 = -y, d2_x = -x.sin();
    /// `cos`
    ///
    /// ```
    /// use ad_runtime::scalar::cos;
    /// // At 0: cos = 1, -sin = 0, -cos = -1.
    /// assert_eq!(cos::f(0.0), 1.0);
    /// assert_eq!(cos::d1(0.0, 1.0), 0.0);
    /// assert_eq!(cos::d2(0.0, 1.0), -1.0);
    /// ```
    cos: |x, y| d1 = -x.sin(), d2 = -y, d2_x = -x.cos();
    /// `tan`: `1 + tan^2`
    ///
    /// ```
    /// use ad_runtime::scalar::tan;
    /// // At pi/4, where tan = 1: 1 + tan^2 = 2, 2 tan (1 + tan^2) = 4 (from y).
    /// let x = core::f64::consts::FRAC_PI_4;
    /// assert_eq!(tan::d1(x, 1.0), 2.0);
    /// assert_eq!(tan::d2(x, 1.0), 4.0);
    /// ```
    tan: |x, y| d1 = T::ONE + y * y, d2 = (y + y) * (T::ONE + y * y), d1_y_dy = y + y;
    /// `asin`
    ///
    /// ```
    /// use ad_runtime::scalar::asin;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 0.6: 1 / sqrt(1 - x^2) = 1.25, x / (1 - x^2)^(3/2) = 0.6 / 0.512.
    /// let y = asin::f(0.6);
    /// assert!(close(asin::d1(0.6, y), 1.25));
    /// assert!(close(asin::d2(0.6, y), 0.6 / 0.512));
    /// ```
    asin: |x, y| d1 = (T::ONE - x * x).sqrt().recip(),
        d2 = x / ((T::ONE - x * x) * (T::ONE - x * x).sqrt()), of_x;
    /// `acos`
    ///
    /// ```
    /// use ad_runtime::scalar::acos;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 0.6: -1 / sqrt(1 - x^2) = -1.25, -x / (1 - x^2)^(3/2).
    /// let y = acos::f(0.6);
    /// assert!(close(acos::d1(0.6, y), -1.25));
    /// assert!(close(acos::d2(0.6, y), -0.6 / 0.512));
    /// ```
    acos: |x, y| d1 = -(T::ONE - x * x).sqrt().recip(),
        d2 = -x / ((T::ONE - x * x) * (T::ONE - x * x).sqrt()), of_x;
    /// `atan`
    ///
    /// ```
    /// use ad_runtime::scalar::atan;
    /// // At 1: 1 / (1 + x^2) = 1/2, -2 x / (1 + x^2)^2 = -1/2.
    /// let y = atan::f(1.0);
    /// assert_eq!(atan::d1(1.0, y), 0.5);
    /// assert_eq!(atan::d2(1.0, y), -0.5);
    /// ```
    atan: |x, y| d1 = (T::ONE + x * x).recip(),
        d2 = -(x + x) / ((T::ONE + x * x) * (T::ONE + x * x)), of_x;
    /// `sinh`
    ///
    /// ```
    /// use ad_runtime::scalar::sinh;
    /// // At 0: cosh = 1, sinh = 0.
    /// assert_eq!(sinh::d1(0.0, sinh::f(0.0)), 1.0);
    /// assert_eq!(sinh::d2(0.0, sinh::f(0.0)), 0.0);
    /// ```
    sinh: |x, y| d1 = x.cosh(), d2 = y, d2_x = x.sinh();
    /// `cosh`
    ///
    /// ```
    /// use ad_runtime::scalar::cosh;
    /// // At 0: sinh = 0, cosh = 1.
    /// assert_eq!(cosh::d1(0.0, cosh::f(0.0)), 0.0);
    /// assert_eq!(cosh::d2(0.0, cosh::f(0.0)), 1.0);
    /// ```
    cosh: |x, y| d1 = x.sinh(), d2 = y, d2_x = x.cosh();
    /// `tanh`: `1 - tanh^2`
    ///
    /// ```
    /// use ad_runtime::scalar::tanh;
    /// // Where tanh = 1/2: 1 - y^2 = 3/4, -2 y (1 - y^2) = -3/4 (from y alone).
    /// let x = 0.5f64.atanh();
    /// assert_eq!(tanh::d1(x, 0.5), 0.75);
    /// assert_eq!(tanh::d2(x, 0.5), -0.75);
    /// ```
    tanh: |x, y| d1 = T::ONE - y * y, d2 = -(y + y) * (T::ONE - y * y), d1_y_dy = -(y + y);
    /// `asinh`
    ///
    /// ```
    /// use ad_runtime::scalar::asinh;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 3/4, where sqrt(x^2 + 1) = 5/4: 1 / sqrt(x^2 + 1) = 4/5, -x / (x^2 + 1)^(3/2).
    /// let y = asinh::f(0.75);
    /// assert!(close(asinh::d1(0.75, y), 0.8));
    /// assert!(close(asinh::d2(0.75, y), -0.75 / (1.5625 * 1.25)));
    /// ```
    /// The derivatives divide by `hypot(x, 1)` rather than `sqrt(x^2 + 1)`,
    /// whose square overflows for |x| > 1e154.
    asinh: |x, y| d1 = x.hypot(T::ONE).recip(),
        d2 = -(x / x.hypot(T::ONE)) / x.hypot(T::ONE) / x.hypot(T::ONE), of_x;
    /// `acosh`
    ///
    /// ```
    /// use ad_runtime::scalar::acosh;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 5/4, where sqrt(x^2 - 1) = 3/4: 4/3, -x / (x^2 - 1)^(3/2) = -80/27.
    /// let y = acosh::f(1.25);
    /// assert!(close(acosh::d1(1.25, y), 4.0 / 3.0));
    /// assert!(close(acosh::d2(1.25, y), -80.0 / 27.0));
    /// ```
    /// The derivatives divide by `sqrt(x - 1) sqrt(x + 1)` rather than
    /// `sqrt(x^2 - 1)`, whose square overflows for x > 1e154
    /// (`acosh(cosh(b) + c)` has the derivative 1 in `b` for large `b`).
    acosh: |x, y| d1 = ((x - T::ONE).sqrt() * (x + T::ONE).sqrt()).recip(),
        d2 = -(x / ((x - T::ONE).sqrt() * (x + T::ONE).sqrt()))
            / ((x - T::ONE).sqrt() * (x + T::ONE).sqrt())
            / ((x - T::ONE).sqrt() * (x + T::ONE).sqrt()), of_x;
    /// `atanh`
    ///
    /// ```
    /// use ad_runtime::scalar::atanh;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 1/2: 1 / (1 - x^2) = 4/3, 2 x / (1 - x^2)^2 = 16/9.
    /// let y = atanh::f(0.5);
    /// assert!(close(atanh::d1(0.5, y), 4.0 / 3.0));
    /// assert!(close(atanh::d2(0.5, y), 16.0 / 9.0));
    /// ```
    atanh: |x, y| d1 = (T::ONE - x * x).recip(),
        d2 = (x + x) / ((T::ONE - x * x) * (T::ONE - x * x)), of_x;
    /// `exp`
    ///
    /// ```
    /// use ad_runtime::scalar::exp;
    /// // Both derivatives are the value, which the rule reuses: at ln 2, 2.
    /// let x = core::f64::consts::LN_2;
    /// assert_eq!(exp::d1(x, 2.0), 2.0);
    /// assert_eq!(exp::d2(x, 2.0), 2.0);
    /// ```
    exp: |x, y| d1 = y, d2 = y, d1_y_dy = T::ONE;
    /// `exp2`: `2^x ln 2`
    ///
    /// ```
    /// use ad_runtime::scalar::exp2;
    /// // At 3: 8 ln 2 and 8 ln^2 2.
    /// use core::f64::consts::LN_2;
    /// assert_eq!(exp2::f(3.0), 8.0);
    /// assert_eq!(exp2::d1(3.0, 8.0), 8.0 * LN_2);
    /// assert_eq!(exp2::d2(3.0, 8.0), 8.0 * LN_2 * LN_2);
    /// ```
    exp2: |x, y| d1 = y * T::LN_2, d2 = y * T::LN_2 * T::LN_2, d1_y_dy = T::LN_2;
    /// `exp_m1`: `e^x - 1`
    ///
    /// ```
    /// use ad_runtime::scalar::exp_m1;
    /// // At 0: e^0 = 1 for both.
    /// assert_eq!(exp_m1::d1(0.0, exp_m1::f(0.0)), 1.0);
    /// assert_eq!(exp_m1::d2(0.0, exp_m1::f(0.0)), 1.0);
    /// ```
    exp_m1: |x, y| d1 = y + T::ONE, d2 = y + T::ONE, d1_y_dy = T::ONE;
    /// `ln`
    ///
    /// ```
    /// use ad_runtime::scalar::ln;
    /// // At 2: 1/x = 1/2, -1/x^2 = -1/4.
    /// assert_eq!(ln::d1(2.0, ln::f(2.0)), 0.5);
    /// assert_eq!(ln::d2(2.0, ln::f(2.0)), -0.25);
    /// ```
    ln: |x, y| d1 = x.recip(), d2 = -(x * x).recip(), of_x;
    /// `ln_1p`: `ln(1 + x)`
    ///
    /// ```
    /// use ad_runtime::scalar::ln_1p;
    /// // At 1: 1/(1 + x) = 1/2, -1/(1 + x)^2 = -1/4.
    /// assert_eq!(ln_1p::d1(1.0, ln_1p::f(1.0)), 0.5);
    /// assert_eq!(ln_1p::d2(1.0, ln_1p::f(1.0)), -0.25);
    /// ```
    ln_1p: |x, y| d1 = (T::ONE + x).recip(), d2 = -((T::ONE + x) * (T::ONE + x)).recip(),
        of_x;
    /// `log2`
    ///
    /// ```
    /// use ad_runtime::scalar::log2;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 2: 1 / (x ln 2), -1 / (x^2 ln 2).
    /// use core::f64::consts::LN_2;
    /// assert_eq!(log2::f(2.0), 1.0);
    /// assert!(close(log2::d1(2.0, 1.0), 0.5 / LN_2));
    /// assert!(close(log2::d2(2.0, 1.0), -0.25 / LN_2));
    /// ```
    log2: |x, y| d1 = (x * T::LN_2).recip(), d2 = -(x * x * T::LN_2).recip(), of_x;
    /// `log10`
    ///
    /// ```
    /// use ad_runtime::scalar::log10;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 10: 1 / (x ln 10), -1 / (x^2 ln 10).
    /// use core::f64::consts::LN_10;
    /// assert_eq!(log10::f(10.0), 1.0);
    /// assert!(close(log10::d1(10.0, 1.0), 0.1 / LN_10));
    /// assert!(close(log10::d2(10.0, 1.0), -0.01 / LN_10));
    /// ```
    log10: |x, y| d1 = (x * T::LN_10).recip(), d2 = -(x * x * T::LN_10).recip(), of_x;
    /// `sqrt`
    ///
    /// ```
    /// use ad_runtime::scalar::sqrt;
    /// // At 4 (y = 2): 1 / (2 sqrt x) = 1/4, -x^(-3/2) / 4 = -1/32;
    /// // at 0 the IEEE value: infinite.
    /// assert_eq!(sqrt::d1(4.0, 2.0), 0.25);
    /// assert_eq!(sqrt::d2(4.0, 2.0), -1.0 / 32.0);
    /// assert_eq!(sqrt::d1(0.0, 0.0), f64::INFINITY);
    /// ```
    sqrt: |x, y| d1 = T::HALF / y, d2 = -(T::HALF * T::HALF) / (y * y * y),
        d1_y_dy = -T::HALF / (y * y);
    /// `cbrt`
    ///
    /// ```
    /// use ad_runtime::scalar::cbrt;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At 8 (y = 2): x^(-2/3) / 3 = 1/12, -2 x^(-5/3) / 9 = -1/144.
    /// assert_eq!(cbrt::f(8.0), 2.0);
    /// assert!(close(cbrt::d1(8.0, 2.0), 1.0 / 12.0));
    /// assert!(close(cbrt::d2(8.0, 2.0), -1.0 / 144.0));
    /// ```
    cbrt: |x, y| d1 = (T::from_i32(3) * y * y).recip(),
        d2 = -two::<T>() / (T::from_i32(9) * y * y * y * y * y),
        d1_y_dy = -two::<T>() / (T::from_i32(3) * y * y * y);
    /// `recip`: `1 / x`
    ///
    /// ```
    /// use ad_runtime::scalar::recip;
    /// // At 2 (y = 1/2): -1/x^2 = -1/4, 2/x^3 = 1/4.
    /// assert_eq!(recip::d1(2.0, 0.5), -0.25);
    /// assert_eq!(recip::d2(2.0, 0.5), 0.25);
    /// ```
    recip: |x, y| d1 = -(y * y), d2 = two::<T>() * y * y * y, d1_y_dy = -(y + y);
    /// `abs`: derivative 0 at 0
    ///
    /// ```
    /// use ad_runtime::scalar::abs;
    /// assert_eq!(abs::d1(-3.0, 3.0), -1.0);
    /// assert_eq!(abs::d1(2.0, 2.0), 1.0);
    /// assert_eq!(abs::d1(0.0, 0.0), 0.0); // the convention at the kink
    /// assert_eq!(abs::d2(2.0, 2.0), 0.0);
    /// ```
    abs: |x, y| d1 = if x > T::ZERO { T::ONE } else if x < T::ZERO { -T::ONE } else { T::ZERO },
        d2 = T::ZERO, of_x;
    /// `signum`: derivative 0 everywhere
    ///
    /// ```
    /// use ad_runtime::scalar::signum;
    /// assert_eq!(signum::d1(-3.0, -1.0), 0.0);
    /// assert_eq!(signum::d1(0.0, 0.0), 0.0);
    /// assert_eq!(signum::d2(5.0, 1.0), 0.0);
    /// ```
    signum: |x, y| d1 = T::ZERO, d2 = T::ZERO, d1_y_dy = T::ZERO;
    /// `to_degrees`: derivative `180 / pi`
    ///
    /// ```
    /// use ad_runtime::scalar::to_degrees;
    /// assert_eq!(to_degrees::f(core::f64::consts::PI), 180.0);
    /// assert_eq!(to_degrees::d1(2.0, to_degrees::f(2.0)), 180.0 / core::f64::consts::PI);
    /// assert_eq!(to_degrees::d2(2.0, to_degrees::f(2.0)), 0.0);
    /// ```
    to_degrees: |x, y| d1 = T::ONE.to_degrees(), d2 = T::ZERO, d1_y_dy = T::ZERO;
    /// `to_radians`: derivative `pi / 180`
    ///
    /// ```
    /// use ad_runtime::scalar::to_radians;
    /// assert_eq!(to_radians::f(180.0), core::f64::consts::PI);
    /// assert_eq!(to_radians::d1(2.0, to_radians::f(2.0)), core::f64::consts::PI / 180.0);
    /// ```
    to_radians: |x, y| d1 = T::ONE.to_radians(), d2 = T::ZERO, d1_y_dy = T::ZERO;
    /// `fract`: `x - x.trunc()`, derivative 1 (the value jumps at integers;
    /// there, the derivative of the side the value is on)
    ///
    /// ```
    /// use ad_runtime::scalar::fract;
    /// assert_eq!(fract::f(-2.25), -0.25);
    /// assert_eq!((fract::d1(-2.25, -0.25), fract::d2(-2.25, -0.25)), (1.0, 0.0));
    /// ```
    fract: |x, y| d1 = T::ONE, d2 = T::ZERO, d1_y_dy = T::ZERO;
}

binary_rules! {
    /// `a.atan2(b)`: the angle of the point `(b, a)`
    ///
    /// ```
    /// use ad_runtime::scalar::atan2;
    /// // At (a, b) = (1, 1): b / r^2 = 1/2, -a / r^2 = -1/2, and
    /// // -2 a b / r^4 = -1/2, (a^2 - b^2) / r^4 = 0, 2 a b / r^4 = 1/2.
    /// let z = atan2::f(1.0, 1.0);
    /// assert_eq!([atan2::da(1.0, 1.0, z), atan2::db(1.0, 1.0, z)], [0.5, -0.5]);
    /// assert_eq!(atan2::daa(1.0, 1.0, z), -0.5);
    /// assert_eq!(atan2::dab(1.0, 1.0, z), 0.0);
    /// assert_eq!(atan2::dbb(1.0, 1.0, z), 0.5);
    /// ```
    atan2: |a, b, z|
        da = b / (a * a + b * b),
        db = -a / (a * a + b * b),
        daa = -two::<T>() * a * b / ((a * a + b * b) * (a * a + b * b)),
        dab = (a * a - b * b) / ((a * a + b * b) * (a * a + b * b)),
        dbb = two::<T>() * a * b / ((a * a + b * b) * (a * a + b * b));
    /// `a.powf(b)`: `a^b`
    ///
    /// ```
    /// use ad_runtime::scalar::powf;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At (2, 3), z = 8: b a^(b-1) = 12, z ln a = 8 ln 2, b (b-1) a^(b-2) = 12,
    /// // a^(b-1) (1 + b ln a) = 4 (1 + 3 ln 2), z ln^2 a = 8 ln^2 2.
    /// use core::f64::consts::LN_2;
    /// let z = powf::f(2.0, 3.0);
    /// assert_eq!(z, 8.0);
    /// assert!(close(powf::da(2.0, 3.0, z), 12.0));
    /// assert!(close(powf::db(2.0, 3.0, z), 8.0 * LN_2));
    /// assert!(close(powf::daa(2.0, 3.0, z), 12.0));
    /// assert!(close(powf::dab(2.0, 3.0, z), 4.0 * (1.0 + 3.0 * LN_2)));
    /// assert!(close(powf::dbb(2.0, 3.0, z), 8.0 * LN_2 * LN_2));
    /// // The conventions on the axes: no NaN from 0 * ln 0 or 0 * a^-1.
    /// assert_eq!(powf::db(0.0, 2.0, 0.0), 0.0);
    /// assert_eq!(powf::da(0.0, 0.0, 1.0), 0.0);
    /// ```
    powf: |a, b, z|
        da = if b == T::ZERO { T::ZERO } else { b * a.powf(b - T::ONE) },
        db = if a == T::ZERO { T::ZERO } else { z * a.ln() },
        daa = if b == T::ZERO || b == T::ONE {
            T::ZERO
        } else {
            b * (b - T::ONE) * a.powf(b - two::<T>())
        },
        dab = if a == T::ZERO { T::ZERO } else { a.powf(b - T::ONE) * (T::ONE + b * a.ln()) },
        dbb = if a == T::ZERO { T::ZERO } else { z * a.ln() * a.ln() };
    /// `a.hypot(b)`: `sqrt(a^2 + b^2)`
    ///
    /// ```
    /// use ad_runtime::scalar::hypot;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // At (3, 4), z = 5: a/z, b/z, b^2/z^3, -a b/z^3, a^2/z^3.
    /// let z = hypot::f(3.0, 4.0);
    /// assert_eq!(z, 5.0);
    /// assert!(close(hypot::da(3.0, 4.0, z), 0.6) && close(hypot::db(3.0, 4.0, z), 0.8));
    /// assert!(close(hypot::daa(3.0, 4.0, z), 16.0 / 125.0));
    /// assert!(close(hypot::dab(3.0, 4.0, z), -12.0 / 125.0));
    /// assert!(close(hypot::dbb(3.0, 4.0, z), 9.0 / 125.0));
    /// ```
    hypot: |a, b, z|
        da = a / z,
        db = b / z,
        daa = b * b / (z * z * z),
        dab = -a * b / (z * z * z),
        dbb = a * a / (z * z * z);
    /// `a.max(b)`: ties split evenly
    ///
    /// ```
    /// use ad_runtime::scalar::max;
    /// // The derivative goes to the argument returned; a tie splits it.
    /// assert_eq!([max::da(1.0, 2.0, 2.0), max::db(1.0, 2.0, 2.0)], [0.0, 1.0]);
    /// assert_eq!([max::da(2.0, 2.0, 2.0), max::db(2.0, 2.0, 2.0)], [0.5, 0.5]);
    /// // NaN: `1.0f64.max(NaN)` returns 1, which gets the derivative.
    /// assert_eq!([max::da(1.0, f64::NAN, 1.0), max::db(1.0, f64::NAN, 1.0)], [1.0, 0.0]);
    /// assert_eq!(max::daa(1.0, 2.0, 2.0), 0.0);
    /// ```
    max: |a, b, z|
        da = max_weight(a, b),
        db = max_weight(b, a),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.min(b)`: ties split evenly
    ///
    /// ```
    /// use ad_runtime::scalar::min;
    /// // The derivative goes to the argument returned; a tie splits it.
    /// assert_eq!([min::da(1.0, 2.0, 1.0), min::db(1.0, 2.0, 1.0)], [1.0, 0.0]);
    /// assert_eq!([min::da(2.0, 2.0, 2.0), min::db(2.0, 2.0, 2.0)], [0.5, 0.5]);
    /// assert_eq!([min::da(f64::NAN, 3.0, 3.0), min::db(f64::NAN, 3.0, 3.0)], [0.0, 1.0]);
    /// assert_eq!(min::dbb(1.0, 2.0, 1.0), 0.0);
    /// ```
    min: |a, b, z|
        da = min_weight(a, b),
        db = min_weight(b, a),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.log(b)`: the logarithm of `a` in base `b`
    ///
    /// ```
    /// use ad_runtime::scalar::log;
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs().max(1.0) }
    /// // log_2 8 = 3 = ln a / ln b: 1 / (a ln b), -z / (b ln b), -1 / (a^2 ln b),
    /// // -1 / (a b ln^2 b), z (ln b + 2) / (b^2 ln^2 b).
    /// use core::f64::consts::LN_2;
    /// let z = log::f(8.0, 2.0);
    /// assert!(close(z, 3.0));
    /// assert!(close(log::da(8.0, 2.0, z), 1.0 / (8.0 * LN_2)));
    /// assert!(close(log::db(8.0, 2.0, z), -3.0 / (2.0 * LN_2)));
    /// assert!(close(log::daa(8.0, 2.0, z), -1.0 / (64.0 * LN_2)));
    /// assert!(close(log::dab(8.0, 2.0, z), -1.0 / (16.0 * LN_2 * LN_2)));
    /// assert!(close(log::dbb(8.0, 2.0, z), 3.0 * (LN_2 + 2.0) / (4.0 * LN_2 * LN_2)));
    /// ```
    log: |a, b, z|
        da = (a * b.ln()).recip(),
        db = -z / (b * b.ln()),
        daa = -(a * a * b.ln()).recip(),
        dab = -(a * b * b.ln() * b.ln()).recip(),
        dbb = z * (b.ln() + two::<T>()) / (b * b * b.ln() * b.ln());
    /// `a % b`: the remainder of `a / b` truncated toward zero, `a - (a /
    /// b).trunc() * b` (C's `fmod`)
    ///
    /// Its partials are those of that formula with the integer quotient
    /// held: 1 in `a` and `-(a / b).trunc()` in `b`, the second partials 0.
    /// At a multiple of `b` the value jumps by `b`; there, as at the kinks
    /// of `abs` or `max`, the derivative is that of the side the value is
    /// on.
    ///
    /// ```
    /// use ad_runtime::scalar::rem;
    /// // 7.5 % 2 = 1.5 (quotient 3): partials 1 and -3.
    /// let z = rem::f(7.5, 2.0);
    /// assert_eq!(z, 1.5);
    /// assert_eq!([rem::da(7.5, 2.0, z), rem::db(7.5, 2.0, z)], [1.0, -3.0]);
    /// // The sign is the dividend's: -7.5 % 2 = -1.5 (quotient -3).
    /// let z = rem::f(-7.5, 2.0);
    /// assert_eq!((z, rem::db(-7.5, 2.0, z)), (-1.5, 3.0));
    /// assert_eq!([rem::daa(7.5, 2.0, 1.5), rem::dab(7.5, 2.0, 1.5), rem::dbb(7.5, 2.0, 1.5)], [0.0; 3]);
    /// ```
    rem: |a, b, z|
        f = a % b,
        da = T::ONE,
        db = -(a / b).trunc(),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.copysign(b)`: the magnitude of `a` with the sign of `b`
    ///
    /// Partials: `+-1` in `a` (1 where the signs of `a` and `b` agree, 0 at
    /// `a = 0` as for `abs`), 0 in `b` (only its sign is read), the second
    /// partials 0.
    ///
    /// ```
    /// use ad_runtime::scalar::copysign;
    /// let z = copysign::f(2.5, -1.0);
    /// assert_eq!(z, -2.5);
    /// assert_eq!([copysign::da(2.5, -1.0, z), copysign::db(2.5, -1.0, z)], [-1.0, 0.0]);
    /// assert_eq!(copysign::da(-2.5, -1.0, -2.5), 1.0);
    /// assert_eq!(copysign::da(0.0, -1.0, -0.0), 0.0);
    /// ```
    copysign: |a, b, z|
        da = if a == T::ZERO {
            T::ZERO
        } else if a.is_sign_negative() == b.is_sign_negative() {
            T::ONE
        } else {
            -T::ONE
        },
        db = T::ZERO,
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.midpoint(b)`: `(a + b) / 2`
    ///
    /// ```
    /// use ad_runtime::scalar::midpoint;
    /// let z = midpoint::f(1.0, 4.0);
    /// assert_eq!(z, 2.5);
    /// assert_eq!([midpoint::da(1.0, 4.0, z), midpoint::db(1.0, 4.0, z)], [0.5, 0.5]);
    /// ```
    midpoint: |a, b, z|
        f = (a + b) * T::HALF,
        da = T::HALF,
        db = T::HALF,
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.rem_euclid(b)`: the least non-negative remainder of `a / b`
    ///
    /// Its partials are those of `a - b * a.div_euclid(b)` with the integer
    /// quotient held: 1 in `a` and `-a.div_euclid(b)` in `b`, the second
    /// partials 0; at a multiple of `b`, the side the value is on.
    ///
    /// ```
    /// use ad_runtime::scalar::rem_euclid;
    /// // -7.5 = -4 * 2 + 0.5: partials 1 and 4.
    /// let z = rem_euclid::f(-7.5, 2.0);
    /// assert_eq!(z, (-7.5f64).rem_euclid(2.0));
    /// assert_eq!([rem_euclid::da(-7.5, 2.0, z), rem_euclid::db(-7.5, 2.0, z)], [1.0, 4.0]);
    /// // A negative divisor: -7.5 = 4 * -2 + 0.5.
    /// let z = rem_euclid::f(-7.5, -2.0);
    /// assert_eq!((z, rem_euclid::db(-7.5, -2.0, z)), (0.5, -4.0));
    /// assert_eq!(rem_euclid::dbb(-7.5, 2.0, 0.5), 0.0);
    /// ```
    rem_euclid: |a, b, z|
        f = {
            // std's `f64::rem_euclid`, for any `T: Real`.
            let r = a % b;
            if r < T::ZERO { r + b.abs() } else { r }
        },
        da = T::ONE,
        db = -div_euclid(a, b),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
}

/// std's `f64::div_euclid`, for any `T: Real`.
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

/// `x.powi(n)`: the exponent `n` is an integer, so only `x` is active.
///
/// ```
/// use ad_runtime::scalar::powi;
///
/// // At x = 2, n = 3: n x^(n-1) = 12, n (n-1) x^(n-2) = 12.
/// let y = powi::f(2.0, 3);
/// assert_eq!(y, 8.0);
/// assert_eq!(powi::da(2.0, 3, y), 12.0);
/// assert_eq!(powi::daa(2.0, 3, y), 12.0);
/// // x^0 = 1 and x^1 = x have no NaN derivatives at 0.
/// assert_eq!(powi::da(0.0, 0, 1.0), 0.0);
/// assert_eq!(powi::daa(0.0, 1, 0.0), 0.0);
/// // x^-1 at 2: -1/4 and 2/8.
/// assert_eq!((powi::da(2.0, -1, 0.5), powi::daa(2.0, -1, 0.5)), (-0.25, 0.25));
/// ```
pub mod powi {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(x: T, n: i32) -> T {
        x.powi(n)
    }
    /// `x^(n - k)` without overflowing the exponent at `i32::MIN`.
    #[inline]
    fn pow_minus<T: Real>(x: T, n: i32, k: i32) -> T {
        match n.checked_sub(k) {
            Some(m) => x.powi(m),
            None => x.powf(T::from_f64(f64::from(n) - f64::from(k))),
        }
    }
    /// `n x^(n-1)`
    #[inline]
    pub fn da<T: Real>(x: T, n: i32, _y: T) -> T {
        if n == 0 {
            T::ZERO
        } else {
            T::from_i32(n) * pow_minus(x, n, 1)
        }
    }
    /// `n (n-1) x^(n-2)`
    #[inline]
    pub fn daa<T: Real>(x: T, n: i32, _y: T) -> T {
        if n == 0 || n == 1 {
            T::ZERO
        } else {
            T::from_f64(f64::from(n) * (f64::from(n) - 1.0)) * pow_minus(x, n, 2)
        }
    }
}

/// `a.mul_add(b, c)`: `a * b + c`.
///
/// ```
/// use ad_runtime::scalar::mul_add;
///
/// let (a, b, c) = (2.0, 3.0, 4.0);
/// let z = mul_add::f(a, b, c);
/// assert_eq!(z, 10.0);
/// // First partials (b, a, 1); the only nonzero second partial is d/da d/db.
/// assert_eq!([mul_add::da(a, b, c, z), mul_add::db(a, b, c, z), mul_add::dc(a, b, c, z)], [3.0, 2.0, 1.0]);
/// assert_eq!(mul_add::dab(a, b, c, z), 1.0);
/// for d2 in [mul_add::daa, mul_add::dac, mul_add::dbb, mul_add::dbc, mul_add::dcc] {
///     assert_eq!(d2(a, b, c, z), 0.0);
/// }
/// ```
pub mod mul_add {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(a: T, b: T, c: T) -> T {
        a.mul_add(b, c)
    }
    /// Partial in `a`: `b`.
    #[inline]
    pub fn da<T: Real>(_a: T, b: T, _c: T, _z: T) -> T {
        b
    }
    /// Partial in `b`: `a`.
    #[inline]
    pub fn db<T: Real>(a: T, _b: T, _c: T, _z: T) -> T {
        a
    }
    /// Partial in `c`: 1.
    #[inline]
    pub fn dc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ONE
    }
    /// Second partial in `a`, `b`: 1.
    #[inline]
    pub fn dab<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ONE
    }
    /// Every other second partial is 0.
    #[inline]
    pub fn daa<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dac<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbb<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dcc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
}

/// `x.clamp(lo, hi)`, differentiated as `x.max(lo).min(hi)`.
///
/// ```
/// use ad_runtime::scalar::clamp;
///
/// // The derivative goes to whichever of x, lo, hi is returned.
/// let partials = |x: f64| {
///     let z = clamp::f(x, 0.0, 1.0);
///     [clamp::da(x, 0.0, 1.0, z), clamp::db(x, 0.0, 1.0, z), clamp::dc(x, 0.0, 1.0, z)]
/// };
/// assert_eq!(partials(0.5), [1.0, 0.0, 0.0]);
/// assert_eq!(partials(-2.0), [0.0, 1.0, 0.0]);
/// assert_eq!(partials(3.0), [0.0, 0.0, 1.0]);
/// // At a bound, x and the bound split it, as max and min do.
/// assert_eq!(partials(1.0), [0.5, 0.0, 0.5]);
/// // Piecewise linear: every second partial is 0.
/// for d2 in [clamp::daa, clamp::dab, clamp::dac, clamp::dbb, clamp::dbc, clamp::dcc] {
///     assert_eq!(d2(0.5, 0.0, 1.0, 0.5), 0.0);
/// }
/// ```
pub mod clamp {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(x: T, lo: T, hi: T) -> T {
        x.clamp(lo, hi)
    }
    /// Partial in `x`.
    #[inline]
    pub fn da<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        let m = x.max(lo);
        super::max_weight(x, lo) * super::min_weight(m, hi)
    }
    /// Partial in `lo`.
    #[inline]
    pub fn db<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        let m = x.max(lo);
        super::max_weight(lo, x) * super::min_weight(m, hi)
    }
    /// Partial in `hi`.
    #[inline]
    pub fn dc<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        super::min_weight(hi, x.max(lo))
    }
    /// Second partials: `clamp` is piecewise linear, they are all 0.
    #[inline]
    pub fn daa<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dab<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dac<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbb<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbc<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dcc<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
}
