//! The operator rules of [`crate::ops`] and the calling-convention traits of
//! [`crate::call`] for nalgebra vectors and matrices.
//!
//! Products are implemented for the owned dynamic family (`DMatrix`,
//! `DVector`, `RowDVector`) in every combination nalgebra multiplies, for
//! statically sized `SMatrix` (including `Vector3`, `Matrix4`, ...), and for a
//! scalar on either side of any matrix. Reverse-mode rules never form a
//! Jacobian: the cotangents of `C = A B` are `C_bar B^T` and `A^T C_bar`.
//!
//! ```
//! use ad_runtime::{mul, MulRule};
//! use nalgebra::{DMatrix, DVector};
//!
//! // y = A x with A = [[1, 2], [3, 4]], x = (1, 1), y_bar = (1, 0):
//! // A_bar = y_bar x^T = [[1, 1], [0, 0]], x_bar = A^T y_bar = (1, 2).
//! let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
//! let x = DVector::from_vec(vec![1.0, 1.0]);
//! let y_bar = DVector::from_vec(vec![1.0, 0.0]);
//! assert_eq!(mul(&a, &x), DVector::from_vec(vec![3.0, 7.0]));
//! assert_eq!(mul::vjp_a(&a, &x, &y_bar), DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.0, 0.0]));
//! assert_eq!(mul::vjp_b(&a, &x, &y_bar), DVector::from_vec(vec![1.0, 2.0]));
//! // Accumulating in place adds the same cotangent.
//! let mut acc = DVector::from_vec(vec![10.0, 10.0]);
//! mul::acc_b(&mut acc, &a, &x, &y_bar);
//! assert_eq!(acc, DVector::from_vec(vec![11.0, 12.0]));
//! let _ = <DMatrix<f64> as MulRule<DVector<f64>>>::value(&a, &x);
//! ```

use crate::call::{AddTo, NoTangent, TangentFor, TangentRef};
use crate::ops::{Cotangent, DivRule, MulRule};
use crate::real::RealRules;
use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Dyn, OMatrix, SMatrix, U1};

/// `b^T` as a strided view of `b`'s storage: no copy (nalgebra's products
/// take any strides).
#[inline]
fn transposed<T: RealRules, R: Dim, C: Dim>(
    b: &OMatrix<T, R, C>,
) -> nalgebra::MatrixView<'_, T, C, R, Dyn, Dyn>
where
    DefaultAllocator: Allocator<R, C>,
{
    let (r, c) = b.shape_generic();
    nalgebra::MatrixView::from_slice_with_strides_generic(
        b.as_slice(),
        c,
        r,
        Dyn(r.value()),
        Dyn(1),
    )
}

/// `C = A B` between owned matrices of the dynamic family (`R1 x C1` times
/// `C1 x C2`; `U1` marks a vector side).
macro_rules! dyn_products {
    ($(($r1:ty, $c1:ty, $c2:ty)),* $(,)?) => {$(
        impl<T: RealRules> MulRule<OMatrix<T, $c1, $c2>> for OMatrix<T, $r1, $c1> {
            type Output = OMatrix<T, $r1, $c2>;
            #[inline]
            fn value(a: &Self, b: &OMatrix<T, $c1, $c2>) -> Self::Output {
                a * b
            }
            #[inline]
            fn vjp_lhs(_a: &Self, b: &OMatrix<T, $c1, $c2>, c_bar: &Self::Output) -> Self {
                c_bar * transposed(b)
            }
            #[inline]
            fn vjp_rhs(a: &Self, _b: &OMatrix<T, $c1, $c2>, c_bar: &Self::Output) -> OMatrix<T, $c1, $c2> {
                a.tr_mul(c_bar)
            }
            #[inline]
            fn acc_lhs(acc: &mut Self, _a: &Self, b: &OMatrix<T, $c1, $c2>, c_bar: &Self::Output) {
                acc.gemm(T::one(), c_bar, &transposed(b), T::one());
            }
            #[inline]
            fn acc_rhs(acc: &mut OMatrix<T, $c1, $c2>, a: &Self, _b: &OMatrix<T, $c1, $c2>, c_bar: &Self::Output) {
                acc.gemm_tr(T::one(), a, c_bar, T::one());
            }
        }
    )*};
}
dyn_products!(
    (Dyn, Dyn, Dyn), // matrix * matrix
    (Dyn, Dyn, U1),  // matrix * vector
    (Dyn, U1, Dyn),  // column * row (outer product)
    (U1, Dyn, Dyn),  // row * matrix
    (U1, Dyn, U1),   // row * column (a 1x1 matrix)
);

impl<T: RealRules, const R: usize, const C: usize, const K: usize> MulRule<SMatrix<T, C, K>>
    for SMatrix<T, R, C>
{
    type Output = SMatrix<T, R, K>;
    #[inline]
    fn value(a: &Self, b: &SMatrix<T, C, K>) -> SMatrix<T, R, K> {
        a * b
    }
    #[inline]
    fn vjp_lhs(_a: &Self, b: &SMatrix<T, C, K>, c_bar: &SMatrix<T, R, K>) -> Self {
        c_bar * b.transpose()
    }
    #[inline]
    fn vjp_rhs(a: &Self, _b: &SMatrix<T, C, K>, c_bar: &SMatrix<T, R, K>) -> SMatrix<T, C, K> {
        a.tr_mul(c_bar)
    }
    #[inline]
    fn acc_lhs(acc: &mut Self, _a: &Self, b: &SMatrix<T, C, K>, c_bar: &SMatrix<T, R, K>) {
        acc.gemm(T::one(), c_bar, &b.transpose(), T::one());
    }
    #[inline]
    fn acc_rhs(
        acc: &mut SMatrix<T, C, K>,
        a: &Self,
        _b: &SMatrix<T, C, K>,
        c_bar: &SMatrix<T, R, K>,
    ) {
        acc.gemm_tr(T::one(), a, c_bar, T::one());
    }
}

/// A scalar times a matrix, a matrix times a scalar, a matrix divided by a
/// scalar. The scalar's cotangent is the inner product `<c_bar, b>`. One
/// impl for every float (`T: RealRules`, so also for code generic over
/// `T`): rustc sees that no matrix is a `RealRules`.
impl<T: RealRules, R: Dim, C: Dim> MulRule<OMatrix<T, R, C>> for T
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    #[inline]
    fn value(a: &T, b: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        b * *a
    }
    #[inline]
    fn vjp_lhs(_a: &T, b: &OMatrix<T, R, C>, c_bar: &OMatrix<T, R, C>) -> T {
        c_bar.dot(b)
    }
    #[inline]
    fn vjp_rhs(a: &T, _b: &OMatrix<T, R, C>, c_bar: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        c_bar * *a
    }
    #[inline]
    fn acc_lhs(acc: &mut T, _a: &T, b: &OMatrix<T, R, C>, c_bar: &OMatrix<T, R, C>) {
        *acc += c_bar.dot(b);
    }
    #[inline]
    fn acc_rhs(acc: &mut OMatrix<T, R, C>, a: &T, _b: &OMatrix<T, R, C>, c_bar: &OMatrix<T, R, C>) {
        let a = *a;
        acc.zip_apply(c_bar, |x, c| *x += a * c);
    }
}

impl<T: RealRules, R: Dim, C: Dim> MulRule<T> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    #[inline]
    fn value(a: &Self, b: &T) -> Self {
        a * *b
    }
    #[inline]
    fn vjp_lhs(_a: &Self, b: &T, c_bar: &Self) -> Self {
        c_bar * *b
    }
    #[inline]
    fn vjp_rhs(a: &Self, _b: &T, c_bar: &Self) -> T {
        c_bar.dot(a)
    }
    #[inline]
    fn acc_lhs(acc: &mut Self, _a: &Self, b: &T, c_bar: &Self) {
        let b = *b;
        acc.zip_apply(c_bar, |x, c| *x += b * c);
    }
    #[inline]
    fn acc_rhs(acc: &mut T, a: &Self, _b: &T, c_bar: &Self) {
        *acc += c_bar.dot(a);
    }
}

impl<T: RealRules, R: Dim, C: Dim> DivRule<T> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    #[inline]
    fn value(a: &Self, b: &T) -> Self {
        a / *b
    }
    #[inline]
    fn vjp_lhs(_a: &Self, b: &T, z_bar: &Self) -> Self {
        z_bar / *b
    }
    #[inline]
    fn vjp_rhs(b: &T, z: &Self, z_bar: &Self) -> T {
        -z_bar.dot(z) / *b
    }
    #[inline]
    fn vjp_lhs_jvp(b: &T, db: &T, z_bar: &Self, dz_bar: &Self) -> Self {
        (dz_bar - z_bar * (*db / *b)) / *b
    }
    #[inline]
    fn vjp_rhs_jvp(b: &T, db: &T, z: &Self, dz: &Self, z_bar: &Self, dz_bar: &Self) -> T {
        (z_bar.dot(z) * *db / *b - (dz_bar.dot(z) + z_bar.dot(dz))) / *b
    }
}

/// The tangent of a matrix argument left out: a zero of its shape.
impl<T: RealRules, R: Dim, C: Dim> TangentFor<OMatrix<T, R, C>> for NoTangent
where
    DefaultAllocator: Allocator<R, C>,
{
    #[inline]
    fn tangent_for(self, primal: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        primal.zero_cotangent()
    }
}

impl<T: RealRules, R: Dim, C: Dim> TangentRef<OMatrix<T, R, C>> for NoTangent
where
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn tangent_ref(self, primal: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        primal.zero_cotangent()
    }
}

impl<T: RealRules, R: Dim, C: Dim> Cotangent for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Owned = OMatrix<T, R, C>;
    #[inline]
    fn zero_cotangent(&self) -> Self {
        let (r, c) = self.shape_generic();
        OMatrix::zeros_generic(r, c)
    }
}

/// A nalgebra value lent whole goes as itself.
impl<T: RealRules, R: Dim, C: Dim> crate::ops::LendWhole for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Value = Self;
    #[inline]
    fn lend_whole(self) -> Self {
        self
    }
    #[inline]
    fn unlend_whole(value: Self) -> Self {
        value
    }
}

impl<T: RealRules, R: Dim, C: Dim> AddTo<OMatrix<T, R, C>> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    #[inline]
    fn add_to(self, x: &mut OMatrix<T, R, C>) {
        *x += self;
    }
    /// The cotangent itself, of the zero's shape (no pass of additions).
    ///
    /// ```
    /// use nalgebra::DVector;
    ///
    /// let x_bar = ad_runtime::start(DVector::zeros(2), DVector::from_vec(vec![-0.0f64, 2.0]));
    /// assert_eq!(x_bar[0].to_bits(), (-0.0f64).to_bits());
    /// assert_eq!(x_bar[1], 2.0);
    /// ```
    #[inline]
    fn start(self, zero: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        assert_eq!(
            self.shape(),
            zero.shape(),
            "a cotangent of shape {:?} added into a matrix of shape {:?}",
            self.shape(),
            zero.shape()
        );
        self
    }
}

/// A borrowed cotangent, added without being consumed.
impl<T: RealRules, R: Dim, C: Dim> AddTo<OMatrix<T, R, C>> for &OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    #[inline]
    fn add_to(self, x: &mut OMatrix<T, R, C>) {
        *x += self;
    }
}

impl<T: RealRules, R: Dim, C: Dim> TangentFor<OMatrix<T, R, C>> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    #[inline]
    fn tangent_for(self, _: &OMatrix<T, R, C>) -> Self {
        self
    }
}

/// A borrowed matrix argument's tangent, borrowed as it is.
impl<'a, T: RealRules, R: Dim, C: Dim> TangentRef<OMatrix<T, R, C>> for &'a OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Out = &'a OMatrix<T, R, C>;
    #[inline]
    fn tangent_ref(self, _: &OMatrix<T, R, C>) -> &'a OMatrix<T, R, C> {
        self
    }
}
