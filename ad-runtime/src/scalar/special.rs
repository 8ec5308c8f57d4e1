//! The rules with an inactive argument (`powi`) or three arguments
//! (`mul_add`, `clamp`).

use super::{max_weight, min_weight};

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
