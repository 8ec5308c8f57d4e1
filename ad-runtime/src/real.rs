//! The float types: [`RealRules`] (what `ad` needs of one: f32 and f64,
//! num-traits' [`Float`](num_traits::Float), every rule the generated code
//! uses) and [`Real`] (the bound users write: `RealRules` with constants and
//! conversions).
//!
//! `Real` is a subtrait of num-traits' `Float`, and has no method of its own
//! that `Float` also has: for `T: Real`, `x.sin()`, `T::sqrt(x)`,
//! `x.powi(2)`, `x.max(y)`, `T::one()`, `T::epsilon()` and
//! `T::from(0.5).unwrap()` are `Float`'s (which for `f32` and `f64` forward
//! to the inherent methods of the same name), and generic code written
//! against num-traits can be called from generic code over `T: Real`.
//!
//! Two traits rather than one because of one name: `Real::from_f64(0.5)`
//! returns `T`, num-traits' `FromPrimitive::from_f64(0.5)` returns
//! `Option<T>`. A function written against num-traits
//! (`T: Float + FromPrimitive`, with `T::from_f64(1.5).unwrap()`) gets
//! `T: RealRules` in the where-clauses of its generated items, which brings
//! the rules and no second `from_f64`; a function written over `T: Real`
//! keeps writing `T::from_f64(0.5)`.

use core::fmt::{Debug, Display};
use core::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// A float type that `ad` has derivative rules for: `f32` or `f64`.
///
/// Every rule trait the generated code uses is a supertrait, and so is
/// num-traits' [`Float`](num_traits::Float). The derivatives of a function
/// generic over num-traits' `Float` (`fn f<T: Float + FromPrimitive>`) have
/// `T: RealRules` in their where-clauses; that is the only place it is
/// written. Its items are hidden, so that it adds no name to those the
/// function's own bounds bring (`T::from_f64`, `T::ZERO`, `x.to_f64()` keep
/// the meaning they have in the function). Every `RealRules` is a
/// [`Real`], and every `Real` a `RealRules`.
///
/// ```
/// use ad_runtime::{Real, RealRules};
/// use num_traits::{Float, FromPrimitive};
///
/// // `T::from_f64` is num-traits' here, even with `T: RealRules` added.
/// fn half<T: Float + FromPrimitive>(x: T) -> T
/// where
///     T: RealRules,
/// {
///     x * T::from_f64(0.5).unwrap() + <T as Real>::ZERO
/// }
/// assert_eq!(half(3.0f32), 1.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type that `ad` differentiates",
    label = "`f32` or `f64` is expected here",
    note = "a function generic over the float type (`T: ad::Real` or num-traits' `T: Float`) is differentiated at `f32` and `f64`"
)]
pub trait RealRules:
    num_traits::Float
    + crate::stack::Word
    + Default
    + Debug
    + Display
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + 'static
    + crate::ops::MulRule<Self, Output = Self>
    + crate::ops::DivRule<Self, Output = Self>
    + crate::ops::Cotangent<Owned = Self>
    + crate::call::TangentFor<Self>
    + crate::call::AddTo<Self>
    + crate::differentiable::Differentiable<Scalar = Self>
{
    #[doc(hidden)]
    const __AD_ZERO: Self;
    #[doc(hidden)]
    const __AD_ONE: Self;
    #[doc(hidden)]
    const __AD_HALF: Self;
    #[doc(hidden)]
    const __AD_LN_2: Self;
    #[doc(hidden)]
    const __AD_LN_10: Self;
    #[doc(hidden)]
    fn __ad_from_f64(x: f64) -> Self;
    #[doc(hidden)]
    fn __ad_to_f64(self) -> f64;
    #[doc(hidden)]
    fn __ad_next_up(self) -> Self;
    #[doc(hidden)]
    fn __ad_next_down(self) -> Self;
}

/// A floating-point scalar: `f32` or `f64`.
///
/// The bound of a function generic over the float type. It is num-traits'
/// [`Float`](num_traits::Float) (the elementary functions, `T::one()`,
/// `T::epsilon()`, `T::from(0.5).unwrap()`: for `f32` and `f64` the
/// inherent methods of the same name) with every rule the generated code
/// uses, and adds constants and infallible conversions. A function generic
/// over `T: Real` can be differentiated: the bound brings everything the
/// generated code needs.
///
/// `Real` is implemented for every [`RealRules`], that is `f32` and `f64`.
///
/// ```
/// use ad_runtime::Real;
///
/// fn softplus<T: Real>(x: T) -> T {
///     (T::ONE + x.exp()).ln()
/// }
/// assert_eq!(softplus(0.0f64), core::f64::consts::LN_2);
/// assert_eq!(softplus(0.0f32), core::f32::consts::LN_2);
/// assert_eq!(f32::from_f64(0.1).to_f64(), 0.1f32 as f64);
///
/// // num-traits' `Float` comes with it.
/// fn bump<T: Real>(x: T) -> T {
///     x.powi(2) + T::one() + T::from(0.5).unwrap() + T::from_f64(0.25) + T::epsilon()
/// }
/// assert_eq!(bump(1.0f64), 2.75 + f64::EPSILON);
/// ```
///
/// Two forms are ambiguous, because num-traits has the same names:
/// `T::to_f64` written as a path (write `x.to_f64()`, which is `Real`'s,
/// or `<T as Real>::to_f64`), and `T::from_f64` under `T: Real +
/// FromPrimitive` (bound `T: Real` alone, or write `<T as Real>::from_f64`).
pub trait Real: RealRules {
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// 0.5
    const HALF: Self;
    /// ln 2
    const LN_2: Self;
    /// ln 10
    const LN_10: Self;
    /// Conversion from `f64` (rounding for `f32`).
    fn from_f64(x: f64) -> Self;
    /// Conversion to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Conversion from `i32` (exact for `f64`, rounding for `f32`).
    fn from_i32(n: i32) -> Self;
    /// The least number greater than `self` (`f64::next_up`, which
    /// num-traits' `Float` does not have).
    ///
    /// ```
    /// use ad_runtime::Real;
    /// fn above<T: Real>(x: T) -> T {
    ///     x.next_up()
    /// }
    /// assert_eq!(above(1.0f64), 1.0 + f64::EPSILON);
    /// ```
    fn next_up(self) -> Self;
    /// The greatest number less than `self` (`f64::next_down`).
    fn next_down(self) -> Self;
}

impl<T: RealRules> Real for T {
    const ZERO: Self = T::__AD_ZERO;
    const ONE: Self = T::__AD_ONE;
    const HALF: Self = T::__AD_HALF;
    const LN_2: Self = T::__AD_LN_2;
    const LN_10: Self = T::__AD_LN_10;
    #[inline]
    fn from_f64(x: f64) -> Self {
        T::__ad_from_f64(x)
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self.__ad_to_f64()
    }
    #[inline]
    fn from_i32(n: i32) -> Self {
        // exact in f64, then rounded once for f32
        T::__ad_from_f64(f64::from(n))
    }
    #[inline]
    fn next_up(self) -> Self {
        self.__ad_next_up()
    }
    #[inline]
    fn next_down(self) -> Self {
        self.__ad_next_down()
    }
}

macro_rules! real_rules {
    ($t:ident, $consts:path) => {
        impl RealRules for $t {
            const __AD_ZERO: Self = 0.0;
            const __AD_ONE: Self = 1.0;
            const __AD_HALF: Self = 0.5;
            const __AD_LN_2: Self = {
                use $consts as c;
                c::LN_2
            };
            const __AD_LN_10: Self = {
                use $consts as c;
                c::LN_10
            };
            #[inline]
            fn __ad_from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn __ad_to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn __ad_next_up(self) -> Self {
                <$t>::next_up(self)
            }
            #[inline]
            fn __ad_next_down(self) -> Self {
                <$t>::next_down(self)
            }
        }
    };
}

real_rules!(f32, core::f32::consts);
real_rules!(f64, core::f64::consts);
