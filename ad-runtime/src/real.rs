//! The [`Real`] trait: what `ad` needs of a floating-point scalar.
//!
//! It is implemented for `f32` and `f64`. The elementary functions forward to
//! the inherent methods of the same name, so generic code over `T: Real` reads
//! like code over `f64`, and the derivative rules in [`crate::scalar`] are
//! written once for both precisions.

use core::fmt::{Debug, Display};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

macro_rules! real_trait {
    (
        unary { $($u:ident),* $(,)? }
        binary { $($b:ident),* $(,)? }
    ) => {
        /// A floating-point scalar: `f32` or `f64`.
        ///
        /// Elementary functions have the meaning of the inherent methods of the
        /// same name on `f64` (`x.sin()`, `x.powf(y)`, ...). A function generic
        /// over `T: Real` can be differentiated: the bound brings every rule
        /// the generated code uses.
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
        /// assert_eq!(<f64 as Real>::powi(2.0, -2), 0.25);
        /// assert_eq!(Real::clamp(3.0f64, 0.0, 1.0), 1.0);
        /// ```
        pub trait Real:
            Copy
            + crate::stack::Word
            + Default
            + PartialEq
            + PartialOrd
            + Debug
            + Display
            + Add<Output = Self>
            + Sub<Output = Self>
            + Mul<Output = Self>
            + Div<Output = Self>
            + Neg<Output = Self>
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
            + crate::ops::Zero
            + crate::call::TangentFor<Self>
            + crate::call::AddTo<Self>
            + crate::differentiable::Differentiable<Scalar = Self>
        {
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
            /// `true` if this value is NaN.
            fn is_nan(self) -> bool;
            $(
                #[doc = concat!("`", stringify!($u), "` of this value, as the inherent method.")]
                fn $u(self) -> Self;
            )*
            $(
                #[doc = concat!("`", stringify!($b), "` of this value and `other`, as the inherent method.")]
                fn $b(self, other: Self) -> Self;
            )*
            /// `self` raised to the integer power `n`.
            fn powi(self, n: i32) -> Self;
            /// `self * a + b` with one rounding.
            fn mul_add(self, a: Self, b: Self) -> Self;
            /// `self` restricted to `[min, max]`.
            fn clamp(self, min: Self, max: Self) -> Self;
        }

        real_trait!(@impl f32, core::f32::consts; $($u),*; $($b),*);
        real_trait!(@impl f64, core::f64::consts; $($u),*; $($b),*);
    };
    (@impl $t:ident, $consts:path; $($u:ident),*; $($b:ident),*) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const HALF: Self = 0.5;
            const LN_2: Self = { use $consts as c; c::LN_2 };
            const LN_10: Self = { use $consts as c; c::LN_10 };
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_i32(n: i32) -> Self {
                n as $t
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            $(
                #[inline]
                fn $u(self) -> Self {
                    <$t>::$u(self)
                }
            )*
            $(
                #[inline]
                fn $b(self, other: Self) -> Self {
                    <$t>::$b(self, other)
                }
            )*
            #[inline]
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline]
            fn clamp(self, min: Self, max: Self) -> Self {
                <$t>::clamp(self, min, max)
            }
        }
    };
}

real_trait! {
    unary {
        sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh,
        exp, exp2, exp_m1, ln, ln_1p, log2, log10, sqrt, cbrt, recip, abs, signum,
    }
    binary { atan2, powf, hypot, max, min, log }
}
