//! The operators of code generic over the float type (`fn f<T: Real>`) on
//! nalgebra values, where the macro cannot tell a scalar from a matrix.
//!
//! For `f64` generated code writes `add(&a, &b)` and `x += &y`, which hold
//! for numbers (`&f64 + &f64`) and matrices alike. A type parameter `T:
//! Real` has `T + T` but not `&T + &T` nor `T += &T`, so code generic over
//! `T` calls these instead: a number by value, a matrix by reference (no
//! copy), an integer by value.
//!
//! ```
//! use ad_runtime::generic;
//! use nalgebra::DVector;
//!
//! fn both<T: ad_runtime::Real>(a: T, x: &DVector<T>) -> (T, DVector<T>) {
//!     let mut s = generic::add(&a, &a);
//!     generic::sub_assign(&mut s, &a);
//!     let mut y = generic::neg(x);
//!     generic::add_assign(&mut y, x);
//!     (s, generic::sub(&y, x))
//! }
//! let (s, y) = both(1.5f32, &DVector::from_vec(vec![1.0, 2.0]));
//! assert_eq!((s, y), (1.5, DVector::from_vec(vec![-1.0, -2.0])));
//! ```

use crate::real::RealRules;
use core::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use nalgebra::Matrix;

/// `a + b` of two numbers, two integers or two matrices of one shape.
pub trait AddOp<Rhs> {
    /// The type of `a + b`.
    type Output;
    /// `a + b`
    fn value(a: &Self, b: &Rhs) -> Self::Output;
}

/// `a - b` (see [`AddOp`]).
pub trait SubOp<Rhs> {
    /// The type of `a - b`.
    type Output;
    /// `a - b`
    fn value(a: &Self, b: &Rhs) -> Self::Output;
}

/// `-a` (see [`AddOp`]).
pub trait NegOp {
    /// The type of `-a`.
    type Output;
    /// `-a`
    fn value(a: &Self) -> Self::Output;
}

/// `*x += b` and `*x -= b` (see [`AddOp`]).
pub trait AssignOp<Rhs> {
    /// `*x += b`
    fn add_assign(x: &mut Self, b: &Rhs);
    /// `*x -= b`
    fn sub_assign(x: &mut Self, b: &Rhs);
}

/// `a + b`
#[inline]
pub fn add<A: AddOp<B>, B>(a: &A, b: &B) -> A::Output {
    A::value(a, b)
}

/// `a - b`
#[inline]
pub fn sub<A: SubOp<B>, B>(a: &A, b: &B) -> A::Output {
    A::value(a, b)
}

/// `-a`
#[inline]
pub fn neg<A: NegOp>(a: &A) -> A::Output {
    A::value(a)
}

/// `*x += b`
#[inline]
pub fn add_assign<X: AssignOp<B> + ?Sized, B>(x: &mut X, b: &B) {
    X::add_assign(x, b)
}

/// `*x -= b`
#[inline]
pub fn sub_assign<X: AssignOp<B> + ?Sized, B>(x: &mut X, b: &B) {
    X::sub_assign(x, b)
}

/// Numbers and integers (`$t`), by value.
macro_rules! by_value {
    ([$($g:tt)*] $t:ty) => {
        impl<$($g)*> AddOp<$t> for $t {
            type Output = $t;
            #[inline]
            fn value(a: &$t, b: &$t) -> $t {
                *a + *b
            }
        }
        impl<$($g)*> SubOp<$t> for $t {
            type Output = $t;
            #[inline]
            fn value(a: &$t, b: &$t) -> $t {
                *a - *b
            }
        }
        impl<$($g)*> AssignOp<$t> for $t {
            #[inline]
            fn add_assign(x: &mut $t, b: &$t) {
                *x += *b;
            }
            #[inline]
            fn sub_assign(x: &mut $t, b: &$t) {
                *x -= *b;
            }
        }
    };
}
by_value!([T: RealRules] T);
by_value!([] usize);
by_value!([] isize);
by_value!([] u32);
by_value!([] i32);
by_value!([] u64);
by_value!([] i64);

macro_rules! neg_by_value {
    ([$($g:tt)*] $t:ty) => {
        impl<$($g)*> NegOp for $t {
            type Output = $t;
            #[inline]
            fn value(a: &$t) -> $t {
                -*a
            }
        }
    };
}
neg_by_value!([T: RealRules] T);
neg_by_value!([] isize);
neg_by_value!([] i32);
neg_by_value!([] i64);

/// Matrices, by reference: what nalgebra adds (any storage, shapes that
/// agree), as [`crate::add`] for `f64`.
impl<T, R1, C1, S1, R2, C2, S2, O> AddOp<Matrix<T, R2, C2, S2>> for Matrix<T, R1, C1, S1>
where
    for<'x> &'x Matrix<T, R1, C1, S1>: Add<&'x Matrix<T, R2, C2, S2>, Output = O>,
{
    type Output = O;
    #[inline]
    fn value(a: &Self, b: &Matrix<T, R2, C2, S2>) -> O {
        a + b
    }
}

impl<T, R1, C1, S1, R2, C2, S2, O> SubOp<Matrix<T, R2, C2, S2>> for Matrix<T, R1, C1, S1>
where
    for<'x> &'x Matrix<T, R1, C1, S1>: Sub<&'x Matrix<T, R2, C2, S2>, Output = O>,
{
    type Output = O;
    #[inline]
    fn value(a: &Self, b: &Matrix<T, R2, C2, S2>) -> O {
        a - b
    }
}

impl<T, R, C, S, O> NegOp for Matrix<T, R, C, S>
where
    for<'x> &'x Matrix<T, R, C, S>: Neg<Output = O>,
{
    type Output = O;
    #[inline]
    fn value(a: &Self) -> O {
        -a
    }
}

impl<T, R1, C1, S1, R2, C2, S2> AssignOp<Matrix<T, R2, C2, S2>> for Matrix<T, R1, C1, S1>
where
    for<'x> Matrix<T, R1, C1, S1>:
        AddAssign<&'x Matrix<T, R2, C2, S2>> + SubAssign<&'x Matrix<T, R2, C2, S2>>,
{
    #[inline]
    fn add_assign(x: &mut Self, b: &Matrix<T, R2, C2, S2>) {
        *x += b;
    }
    #[inline]
    fn sub_assign(x: &mut Self, b: &Matrix<T, R2, C2, S2>) {
        *x -= b;
    }
}
