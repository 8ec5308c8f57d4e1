//! The rules of the functions of one argument (`sin`, `exp`, ..).

use super::{max_weight, min_weight, two, OfX, OfY, UnaryRule};
use crate::real::Real;

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
            $(, $form:ident $(= $extra:expr)?)?
            $(, d2_x_dot = |$t:ident| $dot:expr)?;
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
                $(
                    /// The second derivative applied to a tangent, `d2_x(x) *
                    /// t`, computed so that it stays finite where `d2_x(x)`
                    /// alone over- or underflows (`1 / x^2` for `|x| > 1e154`)
                    /// and the product does not: second order through
                    /// reverse mode applies it.
                    #[inline]
                    pub fn d2_x_dot<T: Real>($x: T, $t: T) -> T {
                        $dot
                    }
                )?
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
        /// assert_eq!(rules.len(), 29);
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
        /// assert_eq!(of_y, ["tan", "tanh", "exp", "exp2", "exp_m1", "sqrt", "cbrt", "recip", "signum", "to_degrees", "to_radians", "fract", "next_up", "next_down"]);
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
        d2 = -(x + x) / ((T::ONE + x * x) * (T::ONE + x * x)), of_x,
        d2_x_dot = |t| {
            let r = (T::ONE + x * x).recip();
            -((x + x) * r) * (t * r)
        };
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
    ///
    /// Second order through reverse mode applies `d2_x(x) * t` as
    /// `d2_x_dot(x, t)`: the same number, and finite where `1 / x^2` is not
    /// (here and for `ln_1p`, `log2`, `log10` and `atan`):
    ///
    /// ```
    /// use ad_runtime::scalar::{atan, ln, ln_1p, log10, log2};
    /// # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * b.abs() }
    /// type Rule = (fn(f64) -> f64, fn(f64, f64) -> f64);
    /// let rules: [Rule; 5] = [
    ///     (ln::d2_x, ln::d2_x_dot),
    ///     (ln_1p::d2_x, ln_1p::d2_x_dot),
    ///     (log2::d2_x, log2::d2_x_dot),
    ///     (log10::d2_x, log10::d2_x_dot),
    ///     (atan::d2_x, atan::d2_x_dot),
    /// ];
    /// for (d2_x, d2_x_dot) in rules {
    ///     assert!(close(d2_x_dot(0.6, 3.0), d2_x(0.6) * 3.0));
    ///     // x^2 overflows: d2_x(x) is 0 and the product lost.
    ///     assert_eq!(d2_x(1e200) * 1e200, 0.0);
    /// }
    /// // -t / x^2, -2 x t / (1 + x^2)^2:
    /// assert!(close(ln::d2_x_dot(1e200, 1e200), -1e-200));
    /// assert!(close(atan::d2_x_dot(1e100, 1e100), -2e-200));
    /// ```
    ln: |x, y| d1 = x.recip(), d2 = -(x * x).recip(), of_x, d2_x_dot = |t| {
            let r = x.recip();
            -(t * r) * r
        };
    /// `ln_1p`: `ln(1 + x)`
    ///
    /// ```
    /// use ad_runtime::scalar::ln_1p;
    /// // At 1: 1/(1 + x) = 1/2, -1/(1 + x)^2 = -1/4.
    /// assert_eq!(ln_1p::d1(1.0, ln_1p::f(1.0)), 0.5);
    /// assert_eq!(ln_1p::d2(1.0, ln_1p::f(1.0)), -0.25);
    /// ```
    ln_1p: |x, y| d1 = (T::ONE + x).recip(), d2 = -((T::ONE + x) * (T::ONE + x)).recip(),
        of_x, d2_x_dot = |t| {
            let r = (T::ONE + x).recip();
            -(t * r) * r
        };
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
    log2: |x, y| d1 = (x * T::LN_2).recip(), d2 = -(x * x * T::LN_2).recip(), of_x,
        d2_x_dot = |t| {
            let r = (x * T::LN_2).recip();
            -(t * r) * (r * T::LN_2)
        };
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
    log10: |x, y| d1 = (x * T::LN_10).recip(), d2 = -(x * x * T::LN_10).recip(), of_x,
        d2_x_dot = |t| {
            let r = (x * T::LN_10).recip();
            -(t * r) * (r * T::LN_10)
        };
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
    // `1/2 * (1/y)`, not `1/2 / y`: the same number (halving is exact, and
    // `1/y` neither overflows nor underflows for a square root `y`), and
    // the reciprocal is shared with any `1.0 / y` of the function.
    sqrt: |x, y| d1 = T::HALF * (T::ONE / y), d2 = -(T::HALF * T::HALF) / (y * y * y),
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
    /// `next_up`: the next number above, `x` plus one unit in the last
    /// place; derivative 1 (the step changes only where the exponent does)
    ///
    /// ```
    /// use ad_runtime::scalar::next_up;
    /// assert_eq!(next_up::f(1.0), 1.0 + f64::EPSILON);
    /// assert_eq!((next_up::d1(1.0, next_up::f(1.0)), next_up::d2(1.0, 1.0)), (1.0, 0.0));
    /// ```
    next_up: |x, y| d1 = T::ONE, d2 = T::ZERO, d1_y_dy = T::ZERO;
    /// `next_down`: the next number below; derivative 1
    ///
    /// ```
    /// use ad_runtime::scalar::next_down;
    /// assert_eq!(next_down::f(1.0), 1.0 - f64::EPSILON / 2.0);
    /// ```
    next_down: |x, y| d1 = T::ONE, d2 = T::ZERO, d1_y_dy = T::ZERO;
}
