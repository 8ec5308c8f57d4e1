//! The rules of the functions of two arguments (`atan2`, `hypot`, ..).

use super::{div_euclid, max_weight, min_weight, two, BinaryRule};
use crate::real::Real;

macro_rules! binary_rules {
    ($(
        $(#[$doc:meta])*
        $name:ident: |$a:ident, $b:ident, $z:ident|
            $(f = $f:expr,)?
            da = $da:expr, db = $db:expr,
            daa = $daa:expr, dab = $dab:expr, dbb = $dbb:expr
            $(, daa_dot = |$t:ident| $daa_dot:expr)?;
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
                $(
                    /// [`daa`] applied to a tangent, `daa(a, b, z) * t`,
                    /// computed so that it stays finite where `daa` alone
                    /// over- or underflows and the product does not.
                    #[inline]
                    #[allow(unused_variables)]
                    pub fn daa_dot<T: Real>($a: T, $b: T, $z: T, $t: T) -> T {
                        $daa_dot
                    }
                )?
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
    /// // `daa * t`, finite where `a^2` overflows:
    /// assert!(close(log::daa_dot(8.0, 2.0, z, 3.0), log::daa(8.0, 2.0, z) * 3.0));
    /// let z = log::f(1e200, 2.0);
    /// assert_eq!(log::daa(1e200, 2.0, z) * 1e200, 0.0);
    /// let v = log::daa_dot(1e200, 2.0, z, 1e200);
    /// assert!((v * LN_2 + 1e-200).abs() <= 1e-214, "{v}");
    /// ```
    log: |a, b, z|
        da = (a * b.ln()).recip(),
        db = -z / (b * b.ln()),
        daa = -(a * a * b.ln()).recip(),
        dab = -(a * b * b.ln() * b.ln()).recip(),
        dbb = z * (b.ln() + two::<T>()) / (b * b * b.ln() * b.ln()),
        daa_dot = |t| {
            let r = (a * b.ln()).recip();
            -(t * r) * (r * b.ln())
        };
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
