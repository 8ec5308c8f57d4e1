//! The [`Differentiable`] trait: values that tangents, cotangents and
//! optimisers can work on as a whole.
//!
//! A model's parameters are usually a struct of vectors and matrices, not one
//! flat vector. `#[derive(ad::Differentiable)]` on such a struct implements
//! this trait field by field, so an optimiser (SGD, Adam, a line search) is
//! written once, generically over `P: Differentiable`, and works for every
//! model; a finite-difference check flattens any of them to a `Vec`.
//!
//! The trait is implemented here for the scalars (`f32`, `f64`, any
//! [`Real`]), for arrays `[S; N]` and `Vec<S>` of any `S: Differentiable`
//! (so `Vec<f64>`, `Vec<Vec<f64>>` and a `Vec` of parameter structs alike),
//! and for owned nalgebra vectors and matrices of a [`Real`] (`DVector`,
//! `DMatrix`, `SVector`, `SMatrix`, `RowDVector`, ...). The derive implements
//! it for structs whose fields are such types; fields marked `#[ad(skip)]` are
//! configuration, copied by [`zero_like`](Differentiable::zero_like) and left
//! alone by every other operation.
//!
//! The "active scalars" of a value are its floats in a fixed order: a
//! struct's fields in declaration order (skipped fields have none), the
//! elements of an array or `Vec` in order, a matrix's entries in column-major
//! order (nalgebra's storage order). [`to_flat`](Differentiable::to_flat) and
//! [`copy_from_flat`](Differentiable::copy_from_flat) use that order.
//!
//! Binary operations ([`accumulate`](Differentiable::accumulate),
//! [`axpy`](Differentiable::axpy), [`dot`](Differentiable::dot),
//! [`zip_apply_scalars`](Differentiable::zip_apply_scalars)) take two values
//! of one shape: a `Vec` or a dynamic matrix of another length or shape is a
//! panic, as in nalgebra.

use crate::real::Real;
use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

/// A value with a vector-space structure over its active scalars: what a
/// tangent, a cotangent and an optimiser need.
///
/// Derive it for parameter structs with `#[derive(Clone, ad::Differentiable)]`
/// (see the `ad` crate's documentation, "Parameter structs"). Every item is
/// shown below on a `Vec<f64>`; the derive gives a struct the same
/// operations, field by field.
///
/// A few names are also inherent methods of nalgebra's matrices with another
/// signature (`dot`, `norm`, `axpy`): on a concrete `DVector` the method call
/// `v.axpy(..)` is nalgebra's, and this trait's is
/// `Differentiable::axpy(&mut v, ..)`. In code generic over
/// `P: Differentiable`, and on structs, the method call is this trait's.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Differentiable`",
    label = "not a differentiable value: `f32`, `f64`, a nalgebra vector or matrix of them, an array or `Vec` of differentiable values, or a struct that derives `ad::Differentiable`",
    note = "for a field of a struct that derives `ad::Differentiable`: derive `ad::Differentiable` on `{Self}` too if it holds parameters, or mark the field `#[ad(skip)]` if it is configuration, carried along unchanged"
)]
pub trait Differentiable: Clone {
    /// The float type of the active scalars: `f32` or `f64`.
    type Scalar: Real;

    /// A value of the same shape whose active scalars are zero (skipped
    /// fields of a struct are copied from `self`): the zero tangent, the
    /// initial cotangent, an optimiser's initial moments.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// assert_eq!(vec![1.5, -2.0].zero_like(), vec![0.0, 0.0]);
    /// assert_eq!(vec![vec![1.0f32], vec![2.0, 3.0]].zero_like(), [vec![0.0], vec![0.0, 0.0]]);
    /// ```
    fn zero_like(&self) -> Self;

    /// `self += x`, scalar by scalar: adds a cotangent into an adjoint, or a
    /// minibatch's gradient into a sum.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut g = vec![1.0, 2.0];
    /// g.accumulate(&vec![0.5, -1.0]);
    /// assert_eq!(g, [1.5, 1.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `x` has another shape (a `Vec` or dynamic matrix of another size).
    fn accumulate(&mut self, x: &Self);

    /// `self += a * x` (BLAS's axpy): a gradient step is
    /// `p.axpy(-learning_rate, &grad)`.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut p = vec![1.0, 2.0];
    /// p.axpy(-0.5, &vec![2.0, 4.0]);
    /// assert_eq!(p, [0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `x` has another shape.
    fn axpy(&mut self, a: Self::Scalar, x: &Self);

    /// `self *= a`, in place (nalgebra's `scale_mut`).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut g = vec![1.0, -2.0];
    /// g.scale_mut(0.5);
    /// assert_eq!(g, [0.5, -1.0]);
    /// ```
    fn scale_mut(&mut self, a: Self::Scalar);

    /// The Euclidean inner product over the active scalars: the sum of the
    /// products of corresponding scalars.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// // 1 * 3 + 2 * (-1) = 1
    /// assert_eq!(vec![1.0, 2.0].dot(&vec![3.0, -1.0]), 1.0);
    /// ```
    ///
    /// # Panics
    ///
    /// If `x` has another shape.
    fn dot(&self, x: &Self) -> Self::Scalar;

    /// `self.dot(self)`: the squared Euclidean norm.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// assert_eq!(vec![3.0, 4.0].norm_squared(), 25.0);
    /// ```
    #[inline]
    fn norm_squared(&self) -> Self::Scalar {
        self.dot(self)
    }

    /// The Euclidean norm over the active scalars (a gradient's size, for
    /// stopping tests and clipping).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// assert_eq!(vec![3.0, 4.0].norm(), 5.0);
    /// ```
    #[inline]
    fn norm(&self) -> Self::Scalar {
        num_traits::Float::sqrt(self.norm_squared())
    }

    /// Replaces every active scalar `s` by `f(s)`, in place, in the flat
    /// order (nalgebra's in-place `apply`).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut g = vec![3.0f64, -0.5];
    /// g.apply_scalars(|s| s.clamp(-1.0, 1.0)); // gradient clipping by value
    /// assert_eq!(g, [1.0, -0.5]);
    /// ```
    fn apply_scalars<F: FnMut(Self::Scalar) -> Self::Scalar>(&mut self, f: F);

    /// Replaces every active scalar `s` by `f(s, t)`, where `t` is the
    /// corresponding scalar of `x`, in place (nalgebra's `zip_apply`): Adam's
    /// moment update is `m.zip_apply_scalars(&g, |m, g| b1 * m + (1.0 - b1) * g)`.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut m = vec![1.0, 2.0];
    /// m.zip_apply_scalars(&vec![3.0, 4.0], |m, g| 0.5 * m + 0.5 * g);
    /// assert_eq!(m, [2.0, 3.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `x` has another shape.
    fn zip_apply_scalars<F: FnMut(Self::Scalar, Self::Scalar) -> Self::Scalar>(
        &mut self,
        x: &Self,
        f: F,
    );

    /// The number of active scalars (for a `Vec<Vec<f64>>`, the total of
    /// the rows' lengths, not the number of rows that `Vec::len` counts).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// assert_eq!(vec![vec![1.0], vec![2.0, 3.0]].num_scalars(), 3);
    /// assert_eq!(2.5f64.num_scalars(), 1);
    /// ```
    fn num_scalars(&self) -> usize;

    /// Appends the active scalars to `out`, in the flat order.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut out = vec![9.0];
    /// vec![vec![1.0], vec![2.0, 3.0]].extend_flat(&mut out);
    /// assert_eq!(out, [9.0, 1.0, 2.0, 3.0]);
    /// ```
    fn extend_flat(&self, out: &mut Vec<Self::Scalar>);

    /// Overwrites the active scalars with the first
    /// [`num_scalars`](Self::num_scalars) elements of `xs`, in the flat
    /// order, and returns the rest of `xs` (what a struct hands to its next
    /// field). [`copy_from_flat`](Self::copy_from_flat) is the checked whole.
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut v = vec![0.0, 0.0];
    /// let rest = v.read_flat(&[1.0, 2.0, 3.0]);
    /// assert_eq!((v, rest), (vec![1.0, 2.0], &[3.0][..]));
    /// ```
    ///
    /// # Panics
    ///
    /// If `xs` has fewer than `self.num_scalars()` elements.
    fn read_flat<'a>(&mut self, xs: &'a [Self::Scalar]) -> &'a [Self::Scalar];

    /// The active scalars as one vector, in the flat order (for
    /// finite-difference checks and for optimisers over flat vectors).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// assert_eq!(vec![[1.0, 2.0], [3.0, 4.0]].to_flat(), [1.0, 2.0, 3.0, 4.0]);
    /// ```
    fn to_flat(&self) -> Vec<Self::Scalar> {
        let mut out = Vec::with_capacity(self.num_scalars());
        self.extend_flat(&mut out);
        out
    }

    /// Overwrites the active scalars with `xs`, in the flat order: the
    /// inverse of [`to_flat`](Self::to_flat) (skipped fields keep their
    /// values).
    ///
    /// ```
    /// use ad_runtime::Differentiable;
    ///
    /// let mut v = vec![[0.0; 2]; 2];
    /// v.copy_from_flat(&[1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(v, [[1.0, 2.0], [3.0, 4.0]]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `xs.len()` is not `self.num_scalars()` (as `slice::copy_from_slice`).
    fn copy_from_flat(&mut self, xs: &[Self::Scalar]) {
        let n = self.num_scalars();
        assert_eq!(
            xs.len(),
            n,
            "copy_from_flat: {} scalars given for a value of {n} active scalars",
            xs.len()
        );
        let rest = self.read_flat(xs);
        debug_assert!(rest.is_empty());
    }

    /// Whether a value of this type holds skipped float fields (see
    /// `ad_runtime::config`): `false` but for derived structs.
    #[doc(hidden)]
    #[inline]
    fn __ad_has_config() -> bool {
        false
    }

    /// Zeroes the skipped float fields (of a tangent).
    #[doc(hidden)]
    #[inline]
    fn __ad_zero_config(&mut self) {}

    /// Copies the skipped float fields from `primal` (into a cotangent).
    #[doc(hidden)]
    #[inline]
    fn __ad_keep_config(&mut self, primal: &Self) {
        let _ = primal;
    }
}

/// A scalar is a one-dimensional vector space. (Implemented for `f32` and
/// `f64` rather than for every `T: Real`: [`Real`] has this trait as a
/// supertrait, so generic code over `T: Real` has it too, and an error for a
/// type that is neither says so, not that the type is not `Real`.)
macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            type Scalar = $t;
            #[inline]
            fn zero_like(&self) -> $t {
                0.0
            }
            #[inline]
            fn accumulate(&mut self, x: &$t) {
                *self += *x;
            }
            #[inline]
            fn axpy(&mut self, a: $t, x: &$t) {
                *self += a * *x;
            }
            #[inline]
            fn scale_mut(&mut self, a: $t) {
                *self *= a;
            }
            #[inline]
            fn dot(&self, x: &$t) -> $t {
                *self * *x
            }
            #[inline]
            fn apply_scalars<F: FnMut($t) -> $t>(&mut self, mut f: F) {
                *self = f(*self);
            }
            #[inline]
            fn zip_apply_scalars<F: FnMut($t, $t) -> $t>(&mut self, x: &$t, mut f: F) {
                *self = f(*self, *x);
            }
            #[inline]
            fn num_scalars(&self) -> usize {
                1
            }
            #[inline]
            fn extend_flat(&self, out: &mut Vec<$t>) {
                out.push(*self);
            }
            #[inline]
            fn read_flat<'a>(&mut self, xs: &'a [$t]) -> &'a [$t] {
                match xs.split_first() {
                    Some((x, rest)) => {
                        *self = *x;
                        rest
                    }
                    None => panic!("read_flat: too few scalars for the value"),
                }
            }
        }
    )*};
}
scalar!(f32, f64);

/// The operations of a sequence of values, element by element (for arrays
/// and `Vec`s); `check` compares the lengths of the two operands.
macro_rules! sequence {
    ($([$($g:tt)*] $t:ty, $zero:expr;)*) => {$(
        impl<S: Differentiable, $($g)*> Differentiable for $t {
            type Scalar = S::Scalar;
            #[inline]
            fn zero_like(&self) -> Self {
                #[allow(clippy::redundant_closure_call)]
                ($zero)(self)
            }
            #[inline]
            fn accumulate(&mut self, x: &Self) {
                same_len(self.len(), x.len());
                for (s, x) in self.iter_mut().zip(x.iter()) {
                    s.accumulate(x);
                }
            }
            #[inline]
            fn axpy(&mut self, a: S::Scalar, x: &Self) {
                same_len(self.len(), x.len());
                for (s, x) in self.iter_mut().zip(x.iter()) {
                    s.axpy(a, x);
                }
            }
            #[inline]
            fn scale_mut(&mut self, a: S::Scalar) {
                for s in self.iter_mut() {
                    s.scale_mut(a);
                }
            }
            #[inline]
            fn dot(&self, x: &Self) -> S::Scalar {
                same_len(self.len(), x.len());
                let mut acc = <S::Scalar as Real>::ZERO;
                for (s, x) in self.iter().zip(x.iter()) {
                    acc += s.dot(x);
                }
                acc
            }
            #[inline]
            fn apply_scalars<F: FnMut(S::Scalar) -> S::Scalar>(&mut self, mut f: F) {
                for s in self.iter_mut() {
                    s.apply_scalars(&mut f);
                }
            }
            #[inline]
            fn zip_apply_scalars<F: FnMut(S::Scalar, S::Scalar) -> S::Scalar>(
                &mut self,
                x: &Self,
                mut f: F,
            ) {
                same_len(self.len(), x.len());
                for (s, x) in self.iter_mut().zip(x.iter()) {
                    s.zip_apply_scalars(x, &mut f);
                }
            }
            #[inline]
            fn num_scalars(&self) -> usize {
                self.iter().map(S::num_scalars).sum()
            }
            #[inline]
            fn extend_flat(&self, out: &mut Vec<S::Scalar>) {
                for s in self.iter() {
                    s.extend_flat(out);
                }
            }
            #[inline]
            fn read_flat<'a>(&mut self, mut xs: &'a [S::Scalar]) -> &'a [S::Scalar] {
                for s in self.iter_mut() {
                    xs = s.read_flat(xs);
                }
                xs
            }
            #[inline]
            fn __ad_has_config() -> bool {
                S::__ad_has_config()
            }
            #[inline]
            fn __ad_zero_config(&mut self) {
                if S::__ad_has_config() {
                    self.iter_mut().for_each(S::__ad_zero_config);
                }
            }
            #[inline]
            fn __ad_keep_config(&mut self, primal: &Self) {
                if S::__ad_has_config() {
                    for (s, p) in self.iter_mut().zip(primal.iter()) {
                        s.__ad_keep_config(p);
                    }
                }
            }
        }
    )*};
}
sequence! {
    [] Vec<S>, |v: &Vec<S>| v.iter().map(S::zero_like).collect::<Vec<S>>();
    [const N: usize] [S; N], |a: &[S; N]| core::array::from_fn::<S, N, _>(|i| a[i].zero_like());
}

/// An owned nalgebra vector or matrix, entry by entry in column-major order.
impl<T: Real, R: Dim, C: Dim> Differentiable for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Scalar = T;
    #[inline]
    fn zero_like(&self) -> Self {
        let (r, c) = self.shape_generic();
        OMatrix::from_element_generic(r, c, T::ZERO)
    }
    #[inline]
    fn accumulate(&mut self, x: &Self) {
        same_shape(self.shape(), x.shape());
        for (s, x) in self.iter_mut().zip(x.iter()) {
            *s += *x;
        }
    }
    #[inline]
    fn axpy(&mut self, a: T, x: &Self) {
        same_shape(self.shape(), x.shape());
        for (s, x) in self.iter_mut().zip(x.iter()) {
            *s += a * *x;
        }
    }
    #[inline]
    fn scale_mut(&mut self, a: T) {
        for s in self.iter_mut() {
            *s *= a;
        }
    }
    #[inline]
    fn dot(&self, x: &Self) -> T {
        same_shape(self.shape(), x.shape());
        let mut acc = T::ZERO;
        for (s, x) in self.iter().zip(x.iter()) {
            acc += *s * *x;
        }
        acc
    }
    #[inline]
    fn apply_scalars<F: FnMut(T) -> T>(&mut self, mut f: F) {
        for s in self.iter_mut() {
            *s = f(*s);
        }
    }
    #[inline]
    fn zip_apply_scalars<F: FnMut(T, T) -> T>(&mut self, x: &Self, mut f: F) {
        same_shape(self.shape(), x.shape());
        for (s, x) in self.iter_mut().zip(x.iter()) {
            *s = f(*s, *x);
        }
    }
    #[inline]
    fn num_scalars(&self) -> usize {
        self.len()
    }
    #[inline]
    fn extend_flat(&self, out: &mut Vec<T>) {
        out.extend(self.iter().copied());
    }
    #[inline]
    fn read_flat<'a>(&mut self, xs: &'a [T]) -> &'a [T] {
        let n = self.len();
        assert!(
            xs.len() >= n,
            "read_flat: {} scalars left for a matrix of {n} entries",
            xs.len()
        );
        let (head, rest) = xs.split_at(n);
        for (s, x) in self.iter_mut().zip(head) {
            *s = *x;
        }
        rest
    }
}

#[inline]
#[track_caller]
fn same_len(a: usize, b: usize) {
    assert_eq!(
        a, b,
        "two values of different lengths ({a} and {b}) combined"
    );
}

#[inline]
#[track_caller]
fn same_shape(a: (usize, usize), b: (usize, usize)) {
    assert_eq!(
        a, b,
        "two matrices of different shapes ({a:?} and {b:?}) combined"
    );
}

/// What the derive checks of each active field `F`, at the field's type:
/// `scalars_agree::<<F as Differentiable>::Scalar, <First as
/// Differentiable>::Scalar>()`, where `First` is the first active field's
/// type. The projections fail if a field is not [`Differentiable`] (with
/// the trait's message, once per field), the bound if its scalar type is not
/// the first field's.
#[doc(hidden)]
#[inline]
pub fn scalars_agree<A: SameScalar<B>, B>() {}

/// `A: SameScalar<B>` if `A` and `B` are one scalar type (see
/// [`scalars_agree`]).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the active fields of a `Differentiable` struct have one scalar type: `{Self}` here, `{B}` in the first active field",
    label = "a field over `{Self}` in a struct over `{B}`",
    note = "write every active field over one float type (`f32` or `f64`, or one type parameter `T: ad::Real`), or mark this field `#[ad(skip)]` if it is configuration"
)]
pub trait SameScalar<B> {}

#[diagnostic::do_not_recommend]
impl<T: Real> SameScalar<T> for T {}

#[cfg(test)]
mod tests {
    use super::Differentiable;
    use nalgebra::{DMatrix, DVector, Matrix2x3, RowDVector, SVector};

    /// Every operation on a matrix, a static vector and a nested `Vec`,
    /// against numbers written out by hand.
    #[test]
    fn operations_against_hand_computed_values() {
        // Column-major: [[1, 2, 3], [4, 5, 6]] is stored 1, 4, 2, 5, 3, 6.
        let mut a = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        let b = Matrix2x3::new(1.0, 0.0, -1.0, 2.0, 0.0, 1.0);
        assert_eq!(a.to_flat(), [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(Differentiable::dot(&a, &b), 1.0 - 3.0 + 8.0 + 6.0);
        assert_eq!(Differentiable::norm_squared(&a), 91.0);
        Differentiable::axpy(&mut a, 2.0, &b);
        assert_eq!(a, Matrix2x3::new(3.0, 2.0, 1.0, 8.0, 5.0, 8.0));
        a.zip_apply_scalars(&b, |s, t| s * t);
        assert_eq!(a, Matrix2x3::new(3.0, 0.0, -1.0, 16.0, 0.0, 8.0));
        assert_eq!(a.zero_like(), Matrix2x3::zeros());

        let mut v = SVector::<f32, 3>::new(1.0, -2.0, 2.0);
        assert_eq!(Differentiable::norm(&v), 3.0);
        Differentiable::scale_mut(&mut v, -0.5);
        assert_eq!(v, SVector::<f32, 3>::new(-0.5, 1.0, -1.0));

        let mut m = DMatrix::<f64>::zeros(2, 2);
        m.copy_from_flat(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, DMatrix::from_row_slice(2, 2, &[1.0, 3.0, 2.0, 4.0]));
        let mut r = RowDVector::from_vec(vec![1.0, 2.0]);
        r.apply_scalars(|s| s * s);
        assert_eq!(r.to_flat(), [1.0, 4.0]);

        let mut nested = vec![vec![1.0, 2.0], vec![], vec![3.0]];
        assert_eq!(nested.num_scalars(), 3);
        nested.accumulate(&vec![vec![1.0, 1.0], vec![], vec![-3.0]]);
        assert_eq!(nested, [vec![2.0, 3.0], vec![], vec![0.0]]);
        let d = vec![
            DVector::from_vec(vec![1.0, 2.0]),
            DVector::from_vec(vec![3.0]),
        ];
        assert_eq!(d.dot(&d), 14.0);
        assert_eq!(d.zero_like(), [DVector::zeros(2), DVector::zeros(1)]);
    }

    #[test]
    #[should_panic(expected = "different lengths")]
    fn vectors_of_different_lengths_are_a_panic() {
        let mut a = vec![1.0, 2.0];
        a.accumulate(&vec![1.0]);
    }

    #[test]
    #[should_panic(expected = "different shapes")]
    fn matrices_of_different_shapes_are_a_panic() {
        let a = DMatrix::<f64>::zeros(2, 3);
        Differentiable::dot(&a, &DMatrix::zeros(3, 2));
    }

    #[test]
    #[should_panic(expected = "3 scalars given for a value of 2")]
    fn a_flat_vector_of_another_length_is_a_panic() {
        let mut a = [0.0f64; 2];
        a.copy_from_flat(&[1.0, 2.0, 3.0]);
    }
}
