//! Rules of the arithmetic operators whose reverse mode depends on the types.
//!
//! The macro sees syntax, not types: in `a * b` it cannot tell a product of
//! scalars from a matrix product. Generated code therefore calls these rules
//! through traits implemented per pair of operand types, and rustc picks the
//! rule from the real types. Forward mode needs no trait: the tangent of a
//! bilinear operation is the operation itself applied to the tangents.
//!
//! The first argument of each rule is the operand whose cotangent is wanted,
//! or a value of its type: it fixes the result type for inference.

use crate::real::Real;

/// Reverse-mode rules of the product `c = a * b` (bilinear: one rule per side).
///
/// ```
/// use ad_runtime::MulRule;
///
/// // c = a b at (a, b) = (3, 5) with upstream gradient 2: a_bar = 2 b, b_bar = 2 a.
/// assert_eq!(<f64 as MulRule<f64>>::vjp_lhs(&3.0, &5.0, &2.0), 10.0);
/// assert_eq!(<f64 as MulRule<f64>>::vjp_rhs(&3.0, &5.0, &2.0), 6.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`ad` has no rule for the product `{Self} * {Rhs}`",
    label = "no product rule for these operand types",
    note = "products with rules: `f32` or `f64` scalars of one type; nalgebra `DMatrix`, `DVector` and `RowDVector` whose shapes multiply; static `SMatrix` (`Matrix2x3`, `Vector3`, ...) whose shapes multiply; a scalar times any of these"
)]
pub trait MulRule<Rhs>: Sized {
    /// The type of `a * b`.
    type Output;
    /// The product `a * b`.
    fn value(a: &Self, b: &Rhs) -> Self::Output;
    /// Cotangent of `a`: `c_bar * b^T` (for scalars `c_bar * b`).
    fn vjp_lhs(a: &Self, b: &Rhs, c_bar: &Self::Output) -> Self;
    /// Cotangent of `b`: `a^T * c_bar` (for scalars `a * c_bar`).
    fn vjp_rhs(a: &Self, b: &Rhs, c_bar: &Self::Output) -> Rhs;
    /// `*acc += vjp_lhs(a, b, c_bar)`, in place (a matrix product
    /// accumulates with gemm, beta = 1).
    fn acc_lhs(acc: &mut Self, a: &Self, b: &Rhs, c_bar: &Self::Output);
    /// `*acc += vjp_rhs(a, b, c_bar)`, in place.
    fn acc_rhs(acc: &mut Rhs, a: &Self, b: &Rhs, c_bar: &Self::Output);
}

/// Reverse-mode rules of the quotient `z = a / b`, and their tangents (what
/// second order needs: `z_bar / b` is not bilinear).
///
/// ```
/// use ad_runtime::DivRule;
///
/// // z = a / b at (6, 2), z = 3, upstream gradient 1: a_bar = 1/b, b_bar = -z/b.
/// let (a, b, z) = (6.0f64, 2.0f64, 3.0f64);
/// assert_eq!(<f64 as DivRule<f64>>::vjp_lhs(&a, &b, &1.0), 0.5);
/// assert_eq!(<f64 as DivRule<f64>>::vjp_rhs(&b, &z, &1.0), -1.5);
/// // Their tangents along db = 1 (dz = -a/b^2 = -1.5), dz_bar = 0:
/// // d(1/b) = -1/b^2 = -0.25 and d(-z/b) = -dz/b + z/b^2 = 1.5.
/// assert_eq!(<f64 as DivRule<f64>>::vjp_lhs_jvp(&b, &1.0, &1.0, &0.0), -0.25);
/// assert_eq!(<f64 as DivRule<f64>>::vjp_rhs_jvp(&b, &1.0, &z, &-1.5, &1.0, &0.0), 1.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`ad` has no rule for the quotient `{Self} / {Rhs}`",
    label = "no quotient rule for these operand types",
    note = "quotients with rules: `f32` or `f64` scalars of one type, and a nalgebra vector or matrix divided by a scalar of its element type"
)]
pub trait DivRule<Rhs>: Sized {
    /// The type of `a / b`.
    type Output;
    /// The quotient `a / b`.
    fn value(a: &Self, b: &Rhs) -> Self::Output;
    /// Cotangent of `a`: `z_bar / b`.
    fn vjp_lhs(a: &Self, b: &Rhs, z_bar: &Self::Output) -> Self;
    /// Cotangent of `b`: `-<z_bar, z> / b`, given `z = a / b`.
    fn vjp_rhs(b: &Rhs, z: &Self::Output, z_bar: &Self::Output) -> Rhs;
    /// Tangent of `z_bar / b` along `(db, dz_bar)`.
    fn vjp_lhs_jvp(b: &Rhs, db: &Rhs, z_bar: &Self::Output, dz_bar: &Self::Output) -> Self;
    /// Tangent of `-<z_bar, z> / b` along `(db, dz, dz_bar)`.
    fn vjp_rhs_jvp(
        b: &Rhs,
        db: &Rhs,
        z: &Self::Output,
        dz: &Self::Output,
        z_bar: &Self::Output,
        dz_bar: &Self::Output,
    ) -> Rhs;
}

macro_rules! scalar_ops {
    ($($t:ty),*) => {$(
        impl MulRule<$t> for $t {
            type Output = $t;
            #[inline]
            fn value(a: &$t, b: &$t) -> $t {
                a * b
            }
            #[inline]
            fn vjp_lhs(_a: &$t, b: &$t, c_bar: &$t) -> $t {
                c_bar * b
            }
            #[inline]
            fn vjp_rhs(a: &$t, _b: &$t, c_bar: &$t) -> $t {
                a * c_bar
            }
            #[inline]
            fn acc_lhs(acc: &mut $t, _a: &$t, b: &$t, c_bar: &$t) {
                *acc += c_bar * b;
            }
            #[inline]
            fn acc_rhs(acc: &mut $t, a: &$t, _b: &$t, c_bar: &$t) {
                *acc += a * c_bar;
            }
        }
        impl DivRule<$t> for $t {
            type Output = $t;
            #[inline]
            fn value(a: &$t, b: &$t) -> $t {
                a / b
            }
            #[inline]
            fn vjp_lhs(_a: &$t, b: &$t, z_bar: &$t) -> $t {
                z_bar / b
            }
            #[inline]
            fn vjp_rhs(b: &$t, z: &$t, z_bar: &$t) -> $t {
                -(z_bar * z) / b
            }
            #[inline]
            fn vjp_lhs_jvp(b: &$t, db: &$t, z_bar: &$t, dz_bar: &$t) -> $t {
                (dz_bar - z_bar * db / b) / b
            }
            #[inline]
            fn vjp_rhs_jvp(b: &$t, db: &$t, z: &$t, dz: &$t, z_bar: &$t, dz_bar: &$t) -> $t {
                (z_bar * z * db / b - (dz_bar * z + z_bar * dz)) / b
            }
        }
    )*};
}
scalar_ops!(f32, f64);

/// `a * b` on references: a product of scalars, a matrix product, or a
/// scaling, chosen by the operand types (what code generated for matrices
/// calls, so that no operand is moved).
///
/// ```
/// use nalgebra::{DMatrix, DVector};
///
/// assert_eq!(ad_runtime::mul(&3.0, &5.0), 15.0);
/// // A matrix times a vector, and a scalar times a vector.
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let x = DVector::from_vec(vec![1.0, -1.0]);
/// assert_eq!(ad_runtime::mul(&a, &x), DVector::from_vec(vec![-1.0, -1.0]));
/// assert_eq!(ad_runtime::mul(&2.0, &x), DVector::from_vec(vec![2.0, -2.0]));
/// ```
#[inline]
pub fn mul<A: MulRule<B>, B>(a: &A, b: &B) -> A::Output {
    A::value(a, b)
}

/// `a / b` on references (see [`mul()`]).
///
/// ```
/// use nalgebra::DVector;
///
/// assert_eq!(ad_runtime::div(&6.0, &2.0), 3.0);
/// // A vector divided by a scalar.
/// let x = DVector::from_vec(vec![1.0, -3.0]);
/// assert_eq!(ad_runtime::div(&x, &2.0), DVector::from_vec(vec![0.5, -1.5]));
/// ```
#[inline]
pub fn div<A: DivRule<B>, B>(a: &A, b: &B) -> A::Output {
    A::value(a, b)
}

/// `a + b` on references (see [`mul()`]).
///
/// ```
/// use nalgebra::DVector;
///
/// assert_eq!(ad_runtime::add(&1.0, &2.5), 3.5);
/// let a = DVector::from_vec(vec![1.0, 2.0]);
/// let b = DVector::from_vec(vec![0.5, -0.5]);
/// assert_eq!(ad_runtime::add(&a, &b), DVector::from_vec(vec![1.5, 1.5]));
/// ```
#[inline]
pub fn add<'x, A, B>(a: &'x A, b: &'x B) -> <&'x A as core::ops::Add<&'x B>>::Output
where
    &'x A: core::ops::Add<&'x B>,
{
    a + b
}

/// `a - b` on references (see [`mul()`]).
///
/// ```
/// use nalgebra::DVector;
///
/// assert_eq!(ad_runtime::sub(&1.0, &2.5), -1.5);
/// let a = DVector::from_vec(vec![1.0, 2.0]);
/// let b = DVector::from_vec(vec![0.5, -0.5]);
/// assert_eq!(ad_runtime::sub(&a, &b), DVector::from_vec(vec![0.5, 2.5]));
/// ```
#[inline]
pub fn sub<'x, A, B>(a: &'x A, b: &'x B) -> <&'x A as core::ops::Sub<&'x B>>::Output
where
    &'x A: core::ops::Sub<&'x B>,
{
    a - b
}

/// `-a` on a reference (see [`mul()`]).
///
/// ```
/// use nalgebra::DVector;
///
/// assert_eq!(ad_runtime::neg(&2.5), -2.5);
/// let a = DVector::from_vec(vec![1.0, -2.0]);
/// assert_eq!(ad_runtime::neg(&a), DVector::from_vec(vec![-1.0, 2.0]));
/// ```
#[inline]
pub fn neg<'x, A>(a: &'x A) -> <&'x A as core::ops::Neg>::Output
where
    &'x A: core::ops::Neg,
{
    -a
}

/// `c = a * b`.
///
/// ```
/// use ad_runtime::mul;
///
/// // The product's two reverse rules, as generated code calls them.
/// assert_eq!(mul::vjp_a(&3.0, &5.0, &2.0), 10.0); // c_bar b
/// assert_eq!(mul::vjp_b(&3.0, &5.0, &2.0), 6.0); // a c_bar
/// ```
pub mod mul {
    use super::MulRule;
    /// Cotangent of `a` in `c = a * b`.
    #[inline]
    pub fn vjp_a<A: MulRule<B>, B>(a: &A, b: &B, c_bar: &A::Output) -> A {
        A::vjp_lhs(a, b, c_bar)
    }
    /// Cotangent of `b` in `c = a * b`.
    #[inline]
    pub fn vjp_b<A: MulRule<B>, B>(a: &A, b: &B, c_bar: &A::Output) -> B {
        A::vjp_rhs(a, b, c_bar)
    }
    /// `*acc +=` the cotangent of `a`, in place.
    ///
    /// ```
    /// use ad_runtime::mul;
    /// use nalgebra::{DMatrix, DVector};
    ///
    /// // c = a b at (3, 5) with c_bar = 2 adds c_bar b = 10.
    /// let mut a_bar = 1.0;
    /// mul::acc_a(&mut a_bar, &3.0, &5.0, &2.0);
    /// assert_eq!(a_bar, 11.0);
    /// // y = A x with x = (1, 2), y_bar = (1, -1) adds y_bar x^T.
    /// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    /// let (x, y_bar) = (DVector::from_vec(vec![1.0, 2.0]), DVector::from_vec(vec![1.0, -1.0]));
    /// let mut a_bar = DMatrix::from_element(2, 2, 1.0);
    /// mul::acc_a(&mut a_bar, &a, &x, &y_bar);
    /// assert_eq!(a_bar, DMatrix::from_row_slice(2, 2, &[2.0, 3.0, 0.0, -1.0]));
    /// ```
    #[inline]
    pub fn acc_a<A: MulRule<B>, B>(acc: &mut A, a: &A, b: &B, c_bar: &A::Output) {
        A::acc_lhs(acc, a, b, c_bar)
    }
    /// `*acc +=` the cotangent of `b`, in place.
    ///
    /// ```
    /// use ad_runtime::mul;
    /// use nalgebra::{DMatrix, DVector};
    ///
    /// // c = a b at (3, 5) with c_bar = 2 adds a c_bar = 6.
    /// let mut b_bar = 1.0;
    /// mul::acc_b(&mut b_bar, &3.0, &5.0, &2.0);
    /// assert_eq!(b_bar, 7.0);
    /// // y = A x with A = [[1, 2], [3, 4]], y_bar = (1, -1) adds A^T y_bar = (-2, -2).
    /// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    /// let (x, y_bar) = (DVector::from_vec(vec![1.0, 2.0]), DVector::from_vec(vec![1.0, -1.0]));
    /// let mut x_bar = DVector::from_vec(vec![1.0, 1.0]);
    /// mul::acc_b(&mut x_bar, &a, &x, &y_bar);
    /// assert_eq!(x_bar, DVector::from_vec(vec![-1.0, -1.0]));
    /// ```
    #[inline]
    pub fn acc_b<A: MulRule<B>, B>(acc: &mut B, a: &A, b: &B, c_bar: &A::Output) {
        A::acc_rhs(acc, a, b, c_bar)
    }
}

/// `z = a / b`.
///
/// ```
/// use ad_runtime::div;
///
/// // z = 6 / 2 = 3 with upstream gradient 2: a_bar = 2 / b, b_bar = -2 z / b.
/// assert_eq!(div::vjp_a(&6.0, &2.0, &2.0), 1.0);
/// assert_eq!(div::vjp_b(&6.0, &2.0, &3.0, &2.0), -3.0);
/// // Tangents of those along db = 1, dz = -a/b^2 = -1.5, dz_bar = 0.
/// assert_eq!(div::vjp_a_jvp(&6.0, &2.0, &1.0, &2.0, &0.0), -0.5);
/// assert_eq!(div::vjp_b_jvp(&6.0, &2.0, &1.0, &3.0, &-1.5, &2.0, &0.0), 3.0);
/// ```
pub mod div {
    use super::DivRule;
    use crate::real::Real;
    /// Cotangent of `a` in `z = a / b`.
    #[inline]
    pub fn vjp_a<A: DivRule<B>, B>(a: &A, b: &B, z_bar: &A::Output) -> A {
        A::vjp_lhs(a, b, z_bar)
    }
    /// Cotangent of `b` in `z = a / b`, given `z`.
    #[inline]
    pub fn vjp_b<A: DivRule<B>, B>(_a: &A, b: &B, z: &A::Output, z_bar: &A::Output) -> B {
        A::vjp_rhs(b, z, z_bar)
    }
    /// Tangent of [`vjp_a`] along `(db, dz_bar)`.
    #[inline]
    pub fn vjp_a_jvp<A: DivRule<B>, B>(
        _a: &A,
        b: &B,
        db: &B,
        z_bar: &A::Output,
        dz_bar: &A::Output,
    ) -> A {
        A::vjp_lhs_jvp(b, db, z_bar, dz_bar)
    }
    /// Tangent of [`vjp_b`] along `(db, dz, dz_bar)`.
    #[inline]
    pub fn vjp_b_jvp<A: DivRule<B>, B>(
        _a: &A,
        b: &B,
        db: &B,
        z: &A::Output,
        dz: &A::Output,
        z_bar: &A::Output,
        dz_bar: &A::Output,
    ) -> B {
        A::vjp_rhs_jvp(b, db, z, dz, z_bar, dz_bar)
    }

    // The partials of a quotient of scalars, in the rule table's form
    // (`da(a, b, z)`, ...): what reverse mode uses on scalar code, where a
    // partial that does not depend on the cotangent is computed once per
    // forward sweep (`f_vjp_many` hoists it out of its sweeps) and one
    // reciprocal serves both sides (`z_bar / b` and `-z_bar z / b` are two
    // divisions; `1 / b` shared by both is one). No partial reads `a`.

    /// `dz/da = 1 / b`.
    ///
    /// ```
    /// use ad_runtime::div;
    /// // z = 6 / 2 = 3: dz/da = 1/2, dz/db = -z/b = -3/2.
    /// assert_eq!(div::da(6.0, 2.0, 3.0), 0.5);
    /// assert_eq!(div::db(6.0, 2.0, 3.0), -1.5);
    /// // Second partials: 0, -1/b^2 = -1/4, 2 z / b^2 = 3/2.
    /// assert_eq!(div::daa(6.0, 2.0, 3.0), 0.0);
    /// assert_eq!(div::dab(6.0, 2.0, 3.0), -0.25);
    /// assert_eq!(div::dbb(6.0, 2.0, 3.0), 1.5);
    /// ```
    #[inline]
    pub fn da<T: Real>(_a: T, b: T, _z: T) -> T {
        T::ONE / b
    }
    /// `dz/db = -z / b`, given `z = a / b`.
    #[inline]
    pub fn db<T: Real>(_a: T, b: T, z: T) -> T {
        -(z * (T::ONE / b))
    }
    /// `d2z/da2 = 0`.
    #[inline]
    pub fn daa<T: Real>(_a: T, _b: T, _z: T) -> T {
        T::ZERO
    }
    /// `d2z/da db = -1 / b^2`.
    #[inline]
    pub fn dab<T: Real>(_a: T, b: T, _z: T) -> T {
        let r = T::ONE / b;
        -(r * r)
    }
    /// `d2z/db2 = 2 z / b^2`.
    #[inline]
    pub fn dbb<T: Real>(_a: T, b: T, z: T) -> T {
        let r = T::ONE / b;
        (z + z) * (r * r)
    }
    /// [`dab`] applied to a tangent, `dab(a, b, z) * t`, and finite where
    /// `1 / b^2` alone is not (second order through reverse mode applies
    /// it):
    ///
    /// ```
    /// use ad_runtime::div;
    /// assert_eq!(div::dab_dot(6.0, 2.0, 3.0, 4.0), div::dab(6.0, 2.0, 3.0) * 4.0);
    /// // b = 1e200: 1 / b^2 underflows, -t / b^2 is -1e-200.
    /// assert_eq!(div::dab(1.0, 1e200, 1e-200) * 1e200, 0.0);
    /// assert!((div::dab_dot(1.0, 1e200, 1e-200, 1e200) + 1e-200f64).abs() < 1e-214);
    /// ```
    #[inline]
    pub fn dab_dot<T: Real>(_a: T, b: T, _z: T, t: T) -> T {
        let r = T::ONE / b;
        -(r * (t * r))
    }
    /// [`dbb`] applied to a tangent, `dbb(a, b, z) * t`:
    ///
    /// ```
    /// use ad_runtime::div;
    /// assert_eq!(div::dbb_dot(6.0, 2.0, 3.0, 4.0), div::dbb(6.0, 2.0, 3.0) * 4.0);
    /// // a = b = 1e200: 2 z t / b^2 = 2e-200.
    /// assert_eq!(div::dbb(1e200, 1e200, 1.0) * 1e200, 0.0);
    /// assert!((div::dbb_dot(1e200, 1e200, 1.0, 1e200) - 2e-200f64).abs() < 1e-214);
    /// ```
    #[inline]
    pub fn dbb_dot<T: Real>(_a: T, b: T, z: T, t: T) -> T {
        let r = T::ONE / b;
        (z + z) * (r * (t * r))
    }
}

/// Values with a cotangent type and a zero of their shape: the cotangent of
/// a `&[f64]` is an owned `Vec<f64>` of the same length, of an `[f64; N]` an
/// `[f64; N]`, of a scalar a scalar.
///
/// ```
/// use ad_runtime::Cotangent;
///
/// let x: &[f64] = &[1.0, 2.0, 3.0];
/// assert_eq!(x.zero_cotangent(), vec![0.0; 3]);
/// assert_eq!([1.0f32, 2.0].zero_cotangent(), [0.0f32; 2]);
/// assert_eq!(5.0f64.zero_cotangent(), 0.0);
/// ```
pub trait Cotangent {
    /// The owned cotangent type.
    type Owned;
    /// A zero cotangent of the shape of `self`.
    fn zero_cotangent(&self) -> Self::Owned;
    /// Zero cotangents of the shapes of the elements of a slice: one per
    /// element (the rows of a nested array may differ in length); for
    /// scalars one allocation of zeroed memory.
    fn zero_cotangents(xs: &[Self]) -> Vec<Self::Owned>
    where
        Self: Sized,
    {
        xs.iter().map(Self::zero_cotangent).collect()
    }
}

macro_rules! scalar_cotangent {
    ($($t:ty),*) => {$(
        impl Cotangent for $t {
            type Owned = $t;
            #[inline]
            fn zero_cotangent(&self) -> $t {
                0.0
            }
            #[inline]
            fn zero_cotangents(xs: &[$t]) -> Vec<$t> {
                // Zeroed memory in one call.
                vec![0.0; xs.len()]
            }
        }
    )*};
}
scalar_cotangent!(f32, f64);

impl<T: Cotangent> Cotangent for [T] {
    type Owned = Vec<T::Owned>;
    fn zero_cotangent(&self) -> Vec<T::Owned> {
        T::zero_cotangents(self)
    }
}

impl<T: Cotangent> Cotangent for Vec<T> {
    type Owned = Vec<T::Owned>;
    fn zero_cotangent(&self) -> Vec<T::Owned> {
        self.as_slice().zero_cotangent()
    }
}

impl<T: Cotangent, const N: usize> Cotangent for [T; N] {
    type Owned = [T::Owned; N];
    #[inline]
    fn zero_cotangent(&self) -> [T::Owned; N] {
        core::array::from_fn(|i| self[i].zero_cotangent())
    }
}

/// A tuple's cotangent: member by member (a function's tuple result).
///
/// ```
/// use ad_runtime::Cotangent;
///
/// assert_eq!((2.0f64, vec![1.0f64, 2.0]).zero_cotangent(), (0.0, vec![0.0, 0.0]));
/// ```
macro_rules! tuple_cotangent {
    ($(($($t:ident $i:tt),*)),*) => {$(
        impl<$($t: Cotangent),*> Cotangent for ($($t,)*) {
            type Owned = ($($t::Owned,)*);
            #[inline]
            fn zero_cotangent(&self) -> Self::Owned {
                ($(self.$i.zero_cotangent(),)*)
            }
        }
    )*};
}
tuple_cotangent!((A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3));

impl<T: Cotangent + ?Sized> Cotangent for &T {
    type Owned = T::Owned;
    #[inline]
    fn zero_cotangent(&self) -> T::Owned {
        (**self).zero_cotangent()
    }
}

impl<T: Cotangent + ?Sized> Cotangent for &mut T {
    type Owned = T::Owned;
    #[inline]
    fn zero_cotangent(&self) -> T::Owned {
        (**self).zero_cotangent()
    }
}

/// A zero cotangent of the shape of `x`.
///
/// ```
/// let x = vec![1.0, 2.0];
/// assert_eq!(ad_runtime::zero_like(&x), vec![0.0, 0.0]);
/// assert_eq!(ad_runtime::zero_like(&x[..1]), vec![0.0]);
/// assert_eq!(ad_runtime::zero_like(&3.0f64), 0.0);
/// ```
#[inline]
pub fn zero_like<T: Cotangent + ?Sized>(x: &T) -> T::Owned {
    x.zero_cotangent()
}

/// `Default::default()` of the type of `x`: a variable's new value
/// (`u = Default::default();`) bound to a name of its own, which does not
/// tell its type.
///
/// ```
/// let u = vec![1.0, 2.0];
/// let u_1 = ad_runtime::default_like(&u);
/// assert!(u_1.is_empty());
/// assert_eq!(ad_runtime::default_like(&[1.0; 2]), [0.0; 2]);
/// ```
#[inline]
pub fn default_like<T: Default>(_: &T) -> T {
    T::default()
}

/// The sum of the elements: the cotangent of `x` in `vec![x; n]`.
///
/// ```
/// // v = vec![x; 3]: every copy of x receives its element's cotangent.
/// assert_eq!(ad_runtime::sum(&vec![0.5, 1.0, 2.0]), 3.5);
/// assert_eq!(ad_runtime::sum(&[0.0f32; 0]), 0.0);
/// ```
#[inline]
pub fn sum<T: Real, V: AsRef<[T]> + ?Sized>(v: &V) -> T {
    v.as_ref().iter().fold(T::ZERO, |a, &b| a + b)
}

/// A `&mut [T; N]` buffer parameter's contents, held in a `Vec` by the
/// value form of its function (`__ad_value_g`), lent to a function that
/// takes `&mut [T; N]`.
///
/// ```
/// let mut v = vec![1.0, 2.0];
/// let a: &mut [f64; 2] = ad_runtime::fixed_mut(&mut v);
/// a[1] = 3.0;
/// assert_eq!(v, [1.0, 3.0]);
/// ```
#[inline]
pub fn fixed_mut<T, const N: usize>(v: &mut [T]) -> &mut [T; N] {
    v.try_into().expect("a buffer of the array's length")
}

/// An owned copy of an output buffer's cotangent seed, or of an array
/// (`x.to_vec()`, `x` a slice, a `Vec`, an array or a borrowed one).
///
/// ```
/// assert_eq!(ad_runtime::to_vec(&[1.0, 2.0][..]), vec![1.0, 2.0]);
/// assert_eq!(ad_runtime::to_vec(&&[1.0, 2.0]), vec![1.0, 2.0]);
/// ```
#[inline]
pub fn to_vec<T: Clone, S: AsRef<[T]> + ?Sized>(seed: &S) -> Vec<T> {
    seed.as_ref().to_vec()
}

/// A local lent whole to a buffer parameter of a differentiated function,
/// whose type the macro does not see (a helper's result): moved into what
/// the callee's value form takes, a `Vec` for an array, the value itself
/// for a nalgebra one, and the value form's result moved back into the
/// local's type. Both are linear: tangents and cotangents go the same way.
pub trait LendWhole: Sized {
    /// What the value form takes.
    type Value;
    /// The value as the value form takes it.
    fn lend_whole(self) -> Self::Value;
    /// The value form's result as a `Self`.
    fn unlend_whole(value: Self::Value) -> Self;
}

impl<T: Clone, const N: usize> LendWhole for [T; N] {
    type Value = Vec<T>;
    #[inline]
    fn lend_whole(self) -> Vec<T> {
        Vec::from(self)
    }
    #[inline]
    fn unlend_whole(value: Vec<T>) -> Self {
        // (The value form keeps the buffer's length.)
        ::core::array::from_fn(|i| value[i].clone())
    }
}

impl<T> LendWhole for Vec<T> {
    type Value = Vec<T>;
    #[inline]
    fn lend_whole(self) -> Vec<T> {
        self
    }
    #[inline]
    fn unlend_whole(value: Vec<T>) -> Self {
        value
    }
}

/// The type of a local lent whole, taken before it is moved: what
/// [`unlend_whole`] gives back.
pub struct Like<L>(::core::marker::PhantomData<fn() -> L>);

/// [`Like`] of `x`.
#[inline]
pub fn like<L>(_: &L) -> Like<L> {
    Like(::core::marker::PhantomData)
}

/// [`LendWhole`]: `[f64; N]` goes as a `Vec` and comes back as an array.
///
/// ```
/// let y = [1.0, 2.0];
/// let like = ad_runtime::like(&y);
/// let v = ad_runtime::lend_whole(y);
/// assert_eq!(v, vec![1.0, 2.0]);
/// assert_eq!(ad_runtime::unlend_whole(v, &like), [1.0, 2.0]);
/// let m = nalgebra::DVector::from_vec(vec![1.0, 2.0]);
/// assert_eq!(ad_runtime::lend_whole(m.clone()), m);
/// ```
#[inline]
pub fn lend_whole<L: LendWhole>(x: L) -> L::Value {
    x.lend_whole()
}

/// [`LendWhole`]: the value form's result as the lent local's type.
#[inline]
pub fn unlend_whole<L: LendWhole>(value: L::Value, _: &Like<L>) -> L {
    L::unlend_whole(value)
}

/// A copy of a value the reverse sweep still needs.
///
/// ```
/// let saved = vec![1.0, 2.0];
/// assert_eq!(ad_runtime::clone(&saved), saved);
/// ```
#[inline]
pub fn clone<T: Clone>(x: &T) -> T {
    x.clone()
}

/// A copy of the array a borrowed parameter points to (`x.clone()` of `x:
/// &[f64; N]`, an array like `x` itself).
///
/// ```
/// let x: &[f64; 2] = &[1.0, 2.0];
/// let y: [f64; 2] = ad_runtime::deref_clone(&x);
/// assert_eq!(y, [1.0, 2.0]);
/// ```
#[inline]
pub fn deref_clone<T: Clone>(x: &&T) -> T {
    T::clone(x)
}

/// The value of an adjoint, leaving a zero of its shape in its place (for
/// matrices, whose `Default` is empty).
///
/// ```
/// use nalgebra::DVector;
///
/// let mut x_bar = DVector::from_vec(vec![1.0, 2.0]);
/// assert_eq!(ad_runtime::take(&mut x_bar), DVector::from_vec(vec![1.0, 2.0]));
/// assert_eq!(x_bar, DVector::<f64>::zeros(2)); // zeros of its shape
/// let mut s_bar = 2.5f64;
/// assert_eq!(ad_runtime::take(&mut s_bar), 2.5);
/// assert_eq!(s_bar, 0.0);
/// ```
#[inline]
pub fn take<T: Cotangent<Owned = T>>(x: &mut T) -> T {
    let zero = x.zero_cotangent();
    core::mem::replace(x, zero)
}

/// The last value the forward sweep saved on a stack ([`Stack`](crate::Stack) or
/// [`Words`](crate::Words)).
///
/// ```
/// let mut stack = ad_runtime::Stack::new();
/// stack.push(1.0);
/// stack.push(2.0);
/// assert_eq!(ad_runtime::pop(&mut stack), 2.0);
/// assert_eq!(ad_runtime::pop(&mut stack), 1.0);
/// ```
///
/// # Panics
///
/// If the stack is empty: the reverse sweep reads values in the reverse order
/// of the forward sweep's saves, so this is a bug of the generated code.
#[inline]
pub fn pop<T, S: crate::stack::Saved<T>>(stack: &mut S) -> T {
    stack.pop_saved()
}

/// Types with a zero: the derivative of a constant output.
///
/// ```
/// use ad_runtime::Zero;
///
/// assert_eq!(f64::zero(), 0.0);
/// assert_eq!(<f32 as Zero>::zero(), 0.0f32);
/// ```
pub trait Zero {
    /// The zero of this type.
    fn zero() -> Self;
}

macro_rules! scalar_zero {
    ($($t:ty),*) => {$(
        impl Zero for $t {
            #[inline]
            fn zero() -> $t {
                0.0
            }
        }
    )*};
}
scalar_zero!(f32, f64);

/// One: the seed of a gradient.
///
/// ```
/// let seed: f32 = ad_runtime::one();
/// assert_eq!(seed, 1.0);
/// ```
#[inline]
pub fn one<T: Real>() -> T {
    T::ONE
}

/// The cotangent of `x` in `y = x as U`: `y_bar` converted back to the type of `x`.
///
/// ```
/// // y = x as f64 for x: f32. dy/dx = 1, so x_bar is y_bar as f32.
/// let x = 1.5f32;
/// let x_bar: f32 = ad_runtime::cast_like(&x, &0.25f64);
/// assert_eq!(x_bar, 0.25f32);
/// ```
#[inline]
pub fn cast_like<T: Real, U: Real>(_x: &T, y_bar: &U) -> T {
    T::from_f64((*y_bar).to_f64())
}

#[cfg(test)]
mod tests {
    use super::div;
    use crate::check::fd_gradient;

    /// The quotient's partials against central differences: the first of
    /// `a / b`, the second of the first (through `z = a / b`), at points of
    /// both signs; and a quotient's reverse mode by the dot-product identity
    /// `<J t, c> = <t, J^T c>` with the forward rule `(da - z db) / b`.
    #[test]
    fn quotient_partials_match_finite_differences() {
        let close = |rule: f64, fd: f64| (rule - fd).abs() <= 1e-8 * fd.abs().max(1.0);
        for (a, b) in [(0.7, 1.3), (-2.5, 0.4), (3.0, -1.7)] {
            let z = a / b;
            let grad = fd_gradient(|p| p[0] / p[1], &[a, b]);
            assert!(close(div::da(a, b, z), grad[0]) && close(div::db(a, b, z), grad[1]));
            let da = fd_gradient(|p| div::da(p[0], p[1], p[0] / p[1]), &[a, b]);
            let db = fd_gradient(|p| div::db(p[0], p[1], p[0] / p[1]), &[a, b]);
            assert!(close(div::daa(a, b, z), da[0]));
            assert!(close(div::dab(a, b, z), da[1]) && close(div::dab(a, b, z), db[0]));
            assert!(close(div::dbb(a, b, z), db[1]));
            let (ta, tb, c) = (0.3, -1.1, 0.8);
            let jt = (ta - z * tb) / b;
            let jtc = ta * (c * div::da(a, b, z)) + tb * (c * div::db(a, b, z));
            assert!((jt * c - jtc).abs() <= 1e-14 * jtc.abs().max(1.0));
        }
    }
}
