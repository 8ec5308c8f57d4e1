//! Rules of the nalgebra methods a differentiated function may call on
//! active vectors and matrices.
//!
//! Each method `m` has a function `la::m` computing it on references (what
//! generated code calls, so no operand is moved) and a module `la::m` of
//! rules, all taking references:
//!
//! * `jvp_k(args.., y, dk)`: the tangent of the output `y` along the tangent
//!   `dk` of argument `k` (the receiver is argument 0);
//! * `vjp_k(args.., y, y_bar)`: the cotangent of argument `k`;
//! * `vjp_k_jvp(args.., dargs.., y, dy, y_bar, dy_bar)`: the tangent of
//!   `vjp_k`, what second order (forward over reverse) needs.
//!
//! Rules are applied implicitly: none forms a Jacobian.
//!
//! ```
//! use ad_runtime::la;
//! use nalgebra::DVector;
//!
//! // y = |a|^2 at a = (3, 4): y = 25, dy = 2 <a, da>, a_bar = 2 a y_bar.
//! let a = DVector::from_vec(vec![3.0, 4.0]);
//! let y = la::norm_squared(&a);
//! assert_eq!(y, 25.0);
//! let da = DVector::from_vec(vec![1.0, 0.0]);
//! assert_eq!(la::norm_squared::jvp_0(&a, &y, &da), 6.0);
//! assert_eq!(la::norm_squared::vjp_0(&a, &y, &0.5), DVector::from_vec(vec![3.0, 4.0]));
//! // Its second order along da, with dy = 6 and dy_bar = 0: 2 da y_bar.
//! let h = la::norm_squared::vjp_0_jvp(&a, &da, &y, &6.0, &0.5, &0.0);
//! assert_eq!(h, DVector::from_vec(vec![1.0, 0.0]));
//! ```

use crate::real::RealRules;
use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, RealField, U1};

/// A matrix filled with `v`, of the shape of `like`.
#[inline]
fn filled<T: nalgebra::Scalar, R: Dim, C: Dim>(like: &OMatrix<T, R, C>, v: T) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let (r, c) = like.shape_generic();
    OMatrix::from_element_generic(r, c, v)
}

/// The number of elements as a scalar.
#[inline]
fn count<T: RealField + Copy, R: Dim, C: Dim>(a: &OMatrix<T, R, C>) -> T
where
    DefaultAllocator: Allocator<R, C>,
{
    nalgebra::convert::<f64, T>(a.len() as f64)
}

/// `a.transpose()`
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DMatrix;
///
/// let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let y = DMatrix::from_row_slice(3, 2, &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// assert_eq!(la::transpose(&a), y);
/// ```
#[inline]
pub fn transpose<T: RealRules, R: Dim, C: Dim>(a: &OMatrix<T, R, C>) -> OMatrix<T, C, R>
where
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    a.transpose()
}

/// Rules of `a.transpose()` (linear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DMatrix;
///
/// // y = a^T for a 1 x 2 matrix a: each rule transposes its last argument.
/// let a = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
/// let y = DMatrix::from_column_slice(2, 1, &[1.0, 2.0]);
/// let da = DMatrix::from_row_slice(1, 2, &[3.0, 4.0]);
/// let dy = DMatrix::from_column_slice(2, 1, &[3.0, 4.0]);
/// assert_eq!(la::transpose::jvp_0(&a, &y, &da), dy);
/// let y_bar = DMatrix::from_column_slice(2, 1, &[5.0, 6.0]);
/// let a_bar = DMatrix::from_row_slice(1, 2, &[5.0, 6.0]);
/// assert_eq!(la::transpose::vjp_0(&a, &y, &y_bar), a_bar);
/// // Linear: the tangent of a_bar is dy_bar^T, whatever da and y_bar.
/// let dy_bar = DMatrix::from_column_slice(2, 1, &[7.0, 8.0]);
/// let h = la::transpose::vjp_0_jvp(&a, &da, &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h, DMatrix::from_row_slice(1, 2, &[7.0, 8.0]));
/// ```
pub mod transpose {
    use super::*;
    /// `da^T`
    #[inline]
    pub fn jvp_0<T: RealRules, R: Dim, C: Dim>(
        _a: &OMatrix<T, R, C>,
        _y: &OMatrix<T, C, R>,
        da: &OMatrix<T, R, C>,
    ) -> OMatrix<T, C, R>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
    {
        da.transpose()
    }
    /// `y_bar^T`
    #[inline]
    pub fn vjp_0<T: RealRules, R: Dim, C: Dim>(
        _a: &OMatrix<T, R, C>,
        _y: &OMatrix<T, C, R>,
        y_bar: &OMatrix<T, C, R>,
    ) -> OMatrix<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
    {
        y_bar.transpose()
    }
    /// `dy_bar^T`
    #[inline]
    pub fn vjp_0_jvp<T: RealRules, R: Dim, C: Dim>(
        _a: &OMatrix<T, R, C>,
        _da: &OMatrix<T, R, C>,
        _y: &OMatrix<T, C, R>,
        _dy: &OMatrix<T, C, R>,
        _y_bar: &OMatrix<T, C, R>,
        dy_bar: &OMatrix<T, C, R>,
    ) -> OMatrix<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
    {
        dy_bar.transpose()
    }
}

/// Declares the signature of a rule over one shape `OMatrix<T, R, C>`.
/// Bound by `RealRules`, so that functions generic over `T: Real` have them;
/// `field` bounds by nalgebra's `RealField` the rules of the methods that
/// need it (`norm`, `mean`), which such functions cannot call.
macro_rules! rule {
    (field $(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub fn $name<T: RealField + Copy, R: Dim, C: Dim>($($arg: $ty),*) -> $ret
        where
            DefaultAllocator: Allocator<R, C>,
        $body
    };
    ($(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        // `vjp_k_jvp` of a binary method takes 8: (args, dargs, y, dy, y_bar, dy_bar).
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub fn $name<T: RealRules, R: Dim, C: Dim>($($arg: $ty),*) -> $ret
        where
            DefaultAllocator: Allocator<R, C>,
        $body
    };
}

type M<T, R, C> = OMatrix<T, R, C>;

rule!(
    /// `a.sum()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DMatrix;
    ///
    /// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.5]);
    /// assert_eq!(la::sum(&a), 10.5);
    /// ```
    fn sum(a: &M<T, R, C>) -> T {
        a.sum()
    }
);

/// Rules of `a.sum()` (linear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = a_0 + a_1 + a_2: dy = sum(da), a_bar = y_bar in every element.
/// let a = DVector::from_vec(vec![1.0, 2.0, 3.0]);
/// let y = 6.0;
/// let da = DVector::from_vec(vec![0.5, 0.25, 1.0]);
/// assert_eq!(la::sum::jvp_0(&a, &y, &da), 1.75);
/// assert_eq!(la::sum::vjp_0(&a, &y, &2.0), DVector::from_element(3, 2.0));
/// // Linear: the tangent of a_bar is dy_bar in every element.
/// let h = la::sum::vjp_0_jvp(&a, &da, &y, &1.75, &2.0, &3.0);
/// assert_eq!(h, DVector::from_element(3, 3.0));
/// ```
pub mod sum {
    use super::*;
    rule!(
        /// `sum(da)`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            da.sum()
        }
    );
    rule!(
        /// `y_bar` in every element
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            filled(a, *y_bar)
        }
    );
    rule!(
        /// `dy_bar` in every element
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            filled(a, *dy_bar)
        }
    );
}

rule!(field
    /// `a.mean()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DVector;
    ///
    /// assert_eq!(la::mean(&DVector::from_vec(vec![1.0, 2.0, 3.0, 6.0])), 3.0);
    /// ```
    fn mean(a: &M<T, R, C>) -> T {
        a.mean()
    }
);

/// Rules of `a.mean()` (linear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = (a_0 + a_1 + a_2 + a_3) / 4: dy = mean(da), a_bar = y_bar / 4 everywhere.
/// let a = DVector::from_vec(vec![1.0, 2.0, 3.0, 6.0]);
/// let y = 3.0;
/// let da = DVector::from_vec(vec![4.0, 0.0, 0.0, 2.0]);
/// assert_eq!(la::mean::jvp_0(&a, &y, &da), 1.5);
/// assert_eq!(la::mean::vjp_0(&a, &y, &2.0), DVector::from_element(4, 0.5));
/// // Linear: the tangent of a_bar is dy_bar / 4 everywhere.
/// let h = la::mean::vjp_0_jvp(&a, &da, &y, &1.5, &2.0, &4.0);
/// assert_eq!(h, DVector::from_element(4, 1.0));
/// ```
pub mod mean {
    use super::*;
    rule!(field
        /// `mean(da)`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            da.mean()
        }
    );
    rule!(field
        /// `y_bar / n` in every element
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            filled(a, *y_bar / count(a))
        }
    );
    rule!(field
        /// `dy_bar / n` in every element
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            filled(a, *dy_bar / count(a))
        }
    );
}

rule!(field
    /// `a.norm_squared()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{DMatrix, DVector};
    ///
    /// assert_eq!(la::norm_squared(&DVector::from_vec(vec![3.0, 4.0])), 25.0);
    /// // Of a matrix: the squared Frobenius norm, 1 + 4 + 9 + 16.
    /// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(la::norm_squared(&a), 30.0);
    /// ```
    fn norm_squared(a: &M<T, R, C>) -> T {
        a.norm_squared()
    }
);

/// Rules of `a.norm_squared()`.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = |a|^2 at a = (3, 4) along da = (1, 2): dy = 2 <a, da> = 22, a_bar =
/// // 2 a y_bar, and the tangent of a_bar is 2 (da y_bar + a dy_bar).
/// let a = DVector::from_vec(vec![3.0, 4.0]);
/// let y = 25.0;
/// let da = DVector::from_vec(vec![1.0, 2.0]);
/// assert_eq!(la::norm_squared::jvp_0(&a, &y, &da), 22.0);
/// assert_eq!(la::norm_squared::vjp_0(&a, &y, &0.5), DVector::from_vec(vec![3.0, 4.0]));
/// // y_bar = 0.5, dy_bar = 1: 2 ((0.5, 1) + (3, 4)).
/// let h = la::norm_squared::vjp_0_jvp(&a, &da, &y, &22.0, &0.5, &1.0);
/// assert_eq!(h, DVector::from_vec(vec![7.0, 10.0]));
/// ```
pub mod norm_squared {
    use super::*;
    rule!(field
        /// `2 <a, da>`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            a.dot(da) * nalgebra::convert::<f64, T>(2.0)
        }
    );
    rule!(field
        /// `2 a y_bar`
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            a * (*y_bar * nalgebra::convert::<f64, T>(2.0))
        }
    );
    rule!(field
        /// `2 (da y_bar + a dy_bar)`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            (da * *y_bar + a * *dy_bar) * nalgebra::convert::<f64, T>(2.0)
        }
    );
}

rule!(field
    /// `a.norm()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{DMatrix, DVector};
    ///
    /// assert_eq!(la::norm(&DVector::from_vec(vec![3.0, 4.0])), 5.0);
    /// // Of a matrix: the Frobenius norm, sqrt(4 * 1).
    /// assert_eq!(la::norm(&DMatrix::from_element(2, 2, 1.0)), 2.0);
    /// ```
    fn norm(a: &M<T, R, C>) -> T {
        a.norm()
    }
);

/// Rules of `a.norm()`. At `a = 0` the derivative is taken as zero (the
/// subgradient of smallest norm), like `abs` at 0.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = |a| at a = (3, 4), y = 5: dy = <a, da> / 5, a_bar = a y_bar / 5.
/// let a = DVector::from_vec(vec![3.0, 4.0]);
/// let y = 5.0;
/// assert_eq!(la::norm::jvp_0(&a, &y, &DVector::from_vec(vec![1.0, 0.0])), 0.6);
/// assert_eq!(la::norm::vjp_0(&a, &y, &10.0), DVector::from_vec(vec![6.0, 8.0]));
/// // The Hessian is (I - a a^T / 25) / 5: along da = (4, -3), orthogonal to a
/// // (so dy = 0), it gives da / 5 per unit of y_bar; dy_bar adds a dy_bar / 5.
/// let da = DVector::from_vec(vec![4.0, -3.0]);
/// assert_eq!(la::norm::jvp_0(&a, &y, &da), 0.0);
/// let h = la::norm::vjp_0_jvp(&a, &da, &y, &0.0, &1.0, &5.0);
/// assert_eq!(h, DVector::from_vec(vec![(4.0 + 15.0) / 5.0, (-3.0 + 20.0) / 5.0]));
/// // Along a itself (dy = 5) the Hessian gives zero.
/// assert_eq!(la::norm::vjp_0_jvp(&a, &a, &y, &5.0, &1.0, &0.0), DVector::zeros(2));
/// // At a = 0 every rule gives zero.
/// let z = DVector::<f64>::zeros(2);
/// assert_eq!(la::norm::jvp_0(&z, &0.0, &da), 0.0);
/// assert_eq!(la::norm::vjp_0(&z, &0.0, &1.0), z);
/// assert_eq!(la::norm::vjp_0_jvp(&z, &da, &0.0, &0.0, &1.0, &1.0), z);
/// ```
pub mod norm {
    use super::*;
    rule!(field
        /// `<a, da> / y`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            if *y == T::zero() {
                T::zero()
            } else {
                a.dot(da) / *y
            }
        }
    );
    rule!(field
        /// `a y_bar / y`
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            if *y == T::zero() {
                filled(a, T::zero())
            } else {
                a * (*y_bar / *y)
            }
        }
    );
    rule!(field
        /// `(da y_bar + a dy_bar - a y_bar dy / y) / y`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            if *y == T::zero() {
                return filled(a, T::zero());
            }
            (da * *y_bar + a * (*dy_bar - *y_bar * *dy / *y)) / *y
        }
    );
}

rule!(
    /// `a.dot(&b)`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DVector;
    ///
    /// let a = DVector::from_vec(vec![1.0, 2.0]);
    /// let b = DVector::from_vec(vec![3.0, 4.0]);
    /// assert_eq!(la::dot(&a, &b), 11.0);
    /// ```
    fn dot(a: &M<T, R, C>, b: &M<T, R, C>) -> T {
        a.dot(b)
    }
);

/// Rules of `a.dot(&b)` (bilinear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = <a, b> at a = (1, 2), b = (3, 4), y = 11.
/// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
/// let (a, b, y) = (v(1.0, 2.0), v(3.0, 4.0), 11.0);
/// let (da, db) = (v(1.0, 0.0), v(0.0, 1.0));
/// assert_eq!(la::dot::jvp_0(&a, &b, &y, &da), 3.0); // <da, b>
/// assert_eq!(la::dot::jvp_1(&a, &b, &y, &db), 2.0); // <a, db>
/// assert_eq!(la::dot::vjp_0(&a, &b, &y, &2.0), v(6.0, 8.0)); // b y_bar
/// assert_eq!(la::dot::vjp_1(&a, &b, &y, &2.0), v(2.0, 4.0)); // a y_bar
/// // Tangents with dy = 3 + 2, y_bar = 2, dy_bar = 1: db y_bar + b dy_bar and
/// // da y_bar + a dy_bar.
/// let h0 = la::dot::vjp_0_jvp(&a, &b, &da, &db, &y, &5.0, &2.0, &1.0);
/// assert_eq!(h0, v(3.0, 6.0));
/// let h1 = la::dot::vjp_1_jvp(&a, &b, &da, &db, &y, &5.0, &2.0, &1.0);
/// assert_eq!(h1, v(3.0, 2.0));
/// ```
pub mod dot {
    use super::*;
    rule!(
        /// `<da, b>`
        fn jvp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            da.dot(b)
        }
    );
    rule!(
        /// `<a, db>`
        fn jvp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &T, db: &M<T, R, C>) -> T {
            a.dot(db)
        }
    );
    rule!(
        /// `b y_bar`
        fn vjp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            b * *y_bar
        }
    );
    rule!(
        /// `a y_bar`
        fn vjp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            a * *y_bar
        }
    );
    rule!(
        /// `db y_bar + b dy_bar`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            b: &M<T, R, C>,
            da: &M<T, R, C>,
            db: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            db * *y_bar + b * *dy_bar
        }
    );
    rule!(
        /// `da y_bar + a dy_bar`
        fn vjp_1_jvp(
            a: &M<T, R, C>,
            b: &M<T, R, C>,
            da: &M<T, R, C>,
            db: &M<T, R, C>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> M<T, R, C> {
            da * *y_bar + a * *dy_bar
        }
    );
}

/// `a x b` of two 3-vectors (of the shape of `a`), element by element.
#[inline]
fn cross3<T: RealRules, R: Dim, C: Dim>(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    assert_eq!(a.len(), 3, "`cross` takes vectors of 3 elements");
    let mut y = filled(a, T::zero());
    y[0] = a[1] * b[2] - a[2] * b[1];
    y[1] = a[2] * b[0] - a[0] * b[2];
    y[2] = a[0] * b[1] - a[1] * b[0];
    y
}

rule!(
    /// `a.cross(&b)`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::Vector3;
    ///
    /// let (x, y) = (Vector3::new(1.0, 0.0, 0.0), Vector3::new(0.0, 1.0, 0.0));
    /// assert_eq!(la::cross(&x, &y), Vector3::new(0.0, 0.0, 1.0));
    /// ```
    fn cross(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C> {
        cross3(a, b)
    }
);

/// Rules of `a.cross(&b)` (bilinear): `a_bar = b x y_bar`,
/// `b_bar = y_bar x a`.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::Vector3;
///
/// let (a, b) = (Vector3::new(1.0f64, 2.0, 3.0), Vector3::new(-1.0, 0.5, 2.0));
/// let (y, y_bar) = (la::cross(&a, &b), Vector3::new(0.25, -1.0, 2.0));
/// // <y_bar, a x b> = <a, b x y_bar> = <b, y_bar x a>.
/// let g = y_bar.dot(&y);
/// assert!((a.dot(&la::cross::vjp_0(&a, &b, &y, &y_bar)) - g).abs() < 1e-12);
/// assert!((b.dot(&la::cross::vjp_1(&a, &b, &y, &y_bar)) - g).abs() < 1e-12);
/// ```
pub mod cross {
    use super::*;
    rule!(
        /// `da x b`
        fn jvp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            cross3(da, b)
        }
    );
    rule!(
        /// `a x db`
        fn jvp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, db: &M<T, R, C>) -> M<T, R, C> {
            cross3(a, db)
        }
    );
    rule!(
        /// `b x y_bar`
        fn vjp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            cross3(b, y_bar)
        }
    );
    rule!(
        /// `y_bar x a`
        fn vjp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            cross3(y_bar, a)
        }
    );
    rule!(
        /// `db x y_bar + b x dy_bar`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            b: &M<T, R, C>,
            da: &M<T, R, C>,
            db: &M<T, R, C>,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> M<T, R, C> {
            cross3(db, y_bar) + cross3(b, dy_bar)
        }
    );
    rule!(
        /// `dy_bar x a + y_bar x da`
        fn vjp_1_jvp(
            a: &M<T, R, C>,
            b: &M<T, R, C>,
            da: &M<T, R, C>,
            db: &M<T, R, C>,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> M<T, R, C> {
            cross3(dy_bar, a) + cross3(y_bar, da)
        }
    );
}

// Rule families beyond the reductions and products above, each in its own
// file (the `rule!` macro above is in scope there).
mod elementwise;
mod extrema;
mod linear;
mod views;

pub use elementwise::{add_scalar, component_div, component_mul, map};
pub use extrema::{amax, amin, max, min};
pub use linear::{
    determinant, inverse, solve, solve_cholesky, solve_lower_triangular, solve_upper_triangular,
    trace,
};
pub use views::{column, columns, fixed_columns, fixed_rows, fixed_view, row, rows};
