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

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, RealField, U1};

/// A matrix filled with `v`, of the shape of `like`.
#[inline]
fn filled<T: RealField + Copy, R: Dim, C: Dim>(like: &OMatrix<T, R, C>, v: T) -> OMatrix<T, R, C>
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
pub fn transpose<T: RealField + Copy, R: Dim, C: Dim>(a: &OMatrix<T, R, C>) -> OMatrix<T, C, R>
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
    pub fn jvp_0<T: RealField + Copy, R: Dim, C: Dim>(
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
    pub fn vjp_0<T: RealField + Copy, R: Dim, C: Dim>(
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
    pub fn vjp_0_jvp<T: RealField + Copy, R: Dim, C: Dim>(
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
macro_rules! rule {
    ($(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        // `vjp_k_jvp` of a binary method takes 8: (args, dargs, y, dy, y_bar, dy_bar).
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub fn $name<T: RealField + Copy, R: Dim, C: Dim>($($arg: $ty),*) -> $ret
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

rule!(
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
    rule!(
        /// `mean(da)`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            da.mean()
        }
    );
    rule!(
        /// `y_bar / n` in every element
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            filled(a, *y_bar / count(a))
        }
    );
    rule!(
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

rule!(
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
    rule!(
        /// `2 <a, da>`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            a.dot(da) * nalgebra::convert::<f64, T>(2.0)
        }
    );
    rule!(
        /// `2 a y_bar`
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            a * (*y_bar * nalgebra::convert::<f64, T>(2.0))
        }
    );
    rule!(
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

rule!(
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
    rule!(
        /// `<a, da> / y`
        fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
            if *y == T::zero() {
                T::zero()
            } else {
                a.dot(da) / *y
            }
        }
    );
    rule!(
        /// `a y_bar / y`
        fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
            if *y == T::zero() {
                filled(a, T::zero())
            } else {
                a * (*y_bar / *y)
            }
        }
    );
    rule!(
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

rule!(
    /// `a.component_mul(&b)`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DVector;
    ///
    /// let a = DVector::from_vec(vec![1.0, 2.0]);
    /// let b = DVector::from_vec(vec![3.0, 4.0]);
    /// assert_eq!(la::component_mul(&a, &b), DVector::from_vec(vec![3.0, 8.0]));
    /// ```
    fn component_mul(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C> {
        a.component_mul(b)
    }
);

/// Rules of `a.component_mul(&b)` (bilinear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = a .* b at a = (1, 2), b = (3, 4), y = (3, 8), along da = db = (1, 1).
/// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
/// let (a, b, y) = (v(1.0, 2.0), v(3.0, 4.0), v(3.0, 8.0));
/// let ones = v(1.0, 1.0);
/// assert_eq!(la::component_mul::jvp_0(&a, &b, &y, &ones), v(3.0, 4.0)); // da .* b
/// assert_eq!(la::component_mul::jvp_1(&a, &b, &y, &ones), v(1.0, 2.0)); // a .* db
/// let y_bar = v(1.0, 2.0);
/// assert_eq!(la::component_mul::vjp_0(&a, &b, &y, &y_bar), v(3.0, 8.0)); // y_bar .* b
/// assert_eq!(la::component_mul::vjp_1(&a, &b, &y, &y_bar), v(1.0, 4.0)); // y_bar .* a
/// // dy = (3 + 1, 4 + 2); with dy_bar = (1, 0): dy_bar .* b + y_bar .* db = (3 + 1, 0 + 2)
/// // and dy_bar .* a + y_bar .* da = (1 + 1, 0 + 2).
/// let (dy, dy_bar) = (v(4.0, 6.0), v(1.0, 0.0));
/// let h0 = la::component_mul::vjp_0_jvp(&a, &b, &ones, &ones, &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h0, v(4.0, 2.0));
/// let h1 = la::component_mul::vjp_1_jvp(&a, &b, &ones, &ones, &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h1, v(2.0, 2.0));
/// ```
pub mod component_mul {
    use super::*;
    rule!(
        /// `da .* b`
        fn jvp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            da.component_mul(b)
        }
    );
    rule!(
        /// `a .* db`
        fn jvp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, db: &M<T, R, C>) -> M<T, R, C> {
            a.component_mul(db)
        }
    );
    rule!(
        /// `y_bar .* b`
        fn vjp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            y_bar.component_mul(b)
        }
    );
    rule!(
        /// `y_bar .* a`
        fn vjp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            y_bar.component_mul(a)
        }
    );
    rule!(
        /// `dy_bar .* b + y_bar .* db`
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
            dy_bar.component_mul(b) + y_bar.component_mul(db)
        }
    );
    rule!(
        /// `dy_bar .* a + y_bar .* da`
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
            dy_bar.component_mul(a) + y_bar.component_mul(da)
        }
    );
}

rule!(
    /// `a.component_div(&b)`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DVector;
    ///
    /// let a = DVector::from_vec(vec![1.0, 6.0]);
    /// let b = DVector::from_vec(vec![2.0, 4.0]);
    /// assert_eq!(la::component_div(&a, &b), DVector::from_vec(vec![0.5, 1.5]));
    /// ```
    fn component_div(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C> {
        a.component_div(b)
    }
);

/// Rules of `y = a.component_div(&b)`.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = a ./ b at a = (1, 6), b = (2, 4), y = (0.5, 1.5): dy/da = 1 / b and
/// // dy/db = -a / b^2 = (-1/4, -3/8), along da = db = (1, 1), y_bar = (1, 1).
/// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
/// let (a, b, y) = (v(1.0, 6.0), v(2.0, 4.0), v(0.5, 1.5));
/// let ones = v(1.0, 1.0);
/// assert_eq!(la::component_div::jvp_0(&a, &b, &y, &ones), v(0.5, 0.25));
/// assert_eq!(la::component_div::jvp_1(&a, &b, &y, &ones), v(-0.25, -0.375));
/// assert_eq!(la::component_div::vjp_0(&a, &b, &y, &ones), v(0.5, 0.25));
/// assert_eq!(la::component_div::vjp_1(&a, &b, &y, &ones), v(-0.25, -0.375));
/// // dy = (0.5 - 0.25, 0.25 - 0.375), dy_bar = 0. The tangent of a_bar = y_bar / b
/// // is -y_bar db / b^2; of b_bar = -y_bar a / b^2, -y_bar da / b^2 + 2 y_bar a db / b^3.
/// let (dy, zero) = (v(0.25, -0.125), v(0.0, 0.0));
/// let h0 = la::component_div::vjp_0_jvp(&a, &b, &ones, &ones, &y, &dy, &ones, &zero);
/// assert_eq!(h0, v(-0.25, -0.0625));
/// let h1 = la::component_div::vjp_1_jvp(&a, &b, &ones, &ones, &y, &dy, &ones, &zero);
/// assert_eq!(h1, v(-0.25 + 0.25, -0.0625 + 0.1875));
/// ```
pub mod component_div {
    use super::*;
    rule!(
        /// `da ./ b`
        fn jvp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            da.component_div(b)
        }
    );
    rule!(
        /// `-y .* db ./ b`
        fn jvp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, db: &M<T, R, C>) -> M<T, R, C> {
            -(y.component_mul(db).component_div(b))
        }
    );
    rule!(
        /// `y_bar ./ b`
        fn vjp_0(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            y_bar.component_div(b)
        }
    );
    rule!(
        /// `-y_bar .* y ./ b`
        fn vjp_1(a: &M<T, R, C>, b: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            -(y_bar.component_mul(y).component_div(b))
        }
    );
    rule!(
        /// `(dy_bar - y_bar .* db ./ b) ./ b`
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
            (dy_bar - y_bar.component_mul(db).component_div(b)).component_div(b)
        }
    );
    rule!(
        /// `(y_bar .* y .* db ./ b - dy_bar .* y - y_bar .* dy) ./ b`
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
            let yy = y_bar.component_mul(y);
            (yy.component_mul(db).component_div(b)
                - dy_bar.component_mul(y)
                - y_bar.component_mul(dy))
            .component_div(b)
        }
    );
}

rule!(
    /// `a.add_scalar(s)`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::DVector;
    ///
    /// let a = DVector::from_vec(vec![1.0, 2.0]);
    /// assert_eq!(la::add_scalar(&a, &0.5), DVector::from_vec(vec![1.5, 2.5]));
    /// ```
    fn add_scalar(a: &M<T, R, C>, s: &T) -> M<T, R, C> {
        a.add_scalar(*s)
    }
);

/// Rules of `a.add_scalar(s)` (linear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // y = a + s (1, 1) at a = (1, 2), s = 0.5.
/// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
/// let (a, s, y) = (v(1.0, 2.0), 0.5, v(1.5, 2.5));
/// let da = v(1.0, -1.0);
/// assert_eq!(la::add_scalar::jvp_0(&a, &s, &y, &da), da);
/// assert_eq!(la::add_scalar::jvp_1(&a, &s, &y, &3.0), v(3.0, 3.0));
/// let y_bar = v(1.0, 2.0);
/// assert_eq!(la::add_scalar::vjp_0(&a, &s, &y, &y_bar), y_bar);
/// assert_eq!(la::add_scalar::vjp_1(&a, &s, &y, &y_bar), 3.0); // sum(y_bar)
/// // Linear: the tangents are those of dy_bar, whatever da, ds and y_bar.
/// let (dy, dy_bar) = (v(4.0, 2.0), v(4.0, 5.0));
/// let h0 = la::add_scalar::vjp_0_jvp(&a, &s, &da, &3.0, &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h0, dy_bar);
/// let h1 = la::add_scalar::vjp_1_jvp(&a, &s, &da, &3.0, &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h1, 9.0);
/// ```
pub mod add_scalar {
    use super::*;
    rule!(
        /// `da`
        fn jvp_0(a: &M<T, R, C>, s: &T, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            da.clone()
        }
    );
    rule!(
        /// `ds` in every element
        fn jvp_1(a: &M<T, R, C>, s: &T, y: &M<T, R, C>, ds: &T) -> M<T, R, C> {
            filled(a, *ds)
        }
    );
    rule!(
        /// `y_bar`
        fn vjp_0(a: &M<T, R, C>, s: &T, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            y_bar.clone()
        }
    );
    rule!(
        /// `sum(y_bar)`
        fn vjp_1(a: &M<T, R, C>, s: &T, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> T {
            y_bar.sum()
        }
    );
    rule!(
        /// `dy_bar`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            s: &T,
            da: &M<T, R, C>,
            ds: &T,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> M<T, R, C> {
            dy_bar.clone()
        }
    );
    rule!(
        /// `sum(dy_bar)`
        fn vjp_1_jvp(
            a: &M<T, R, C>,
            s: &T,
            da: &M<T, R, C>,
            ds: &T,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> T {
            dy_bar.sum()
        }
    );
}

/// `a.map(f)`: the generated code passes (by value, so that the closures'
/// types are inferred), besides `f`, its derivative
/// `fd(v, dv) = (f(v), f'(v) dv)` and second derivative `fdd(v, dv, v_t,
/// dv_t)` (the tangent of `fd`, whose last entry is `f''(v) dv v_t + f'(v)
/// dv_t`), both generated from the closure's body.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // f(v) = v^2, with its derivative closures written by hand.
/// let f = |v: f64| v * v;
/// let fd = |v: f64, dv: f64| (v * v, 2.0 * v * dv);
/// let fdd = |v: f64, dv: f64, vt: f64, dvt: f64| {
///     (v * v, 2.0 * v * dv, 2.0 * v * vt, 2.0 * (dv * vt + v * dvt))
/// };
/// let a = DVector::from_vec(vec![1.0, 3.0]);
/// assert_eq!(la::map(&a, f, fd, fdd), DVector::from_vec(vec![1.0, 9.0]));
/// ```
#[inline]
pub fn map<T, R, C, F, Fd, Fdd>(a: &M<T, R, C>, f: F, _fd: Fd, _fdd: Fdd) -> M<T, R, C>
where
    T: RealField + Copy,
    R: Dim,
    C: Dim,
    F: Fn(T) -> T,
    Fd: Fn(T, T) -> (T, T),
    Fdd: Fn(T, T, T, T) -> (T, T, T, T),
    DefaultAllocator: Allocator<R, C>,
{
    a.map(f)
}

/// Rules of `a.map(f)` (see [`map()`]).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::DVector;
///
/// // f(v) = v^2: fd(v, dv) = (f(v), f'(v) dv), fdd is the tangent of fd along
/// // (vt, dvt), whose last entry is f''(v) dv vt + f'(v) dvt.
/// let f = |v: f64| v * v;
/// let fd = |v: f64, dv: f64| (v * v, 2.0 * v * dv);
/// let fdd = |v: f64, dv: f64, vt: f64, dvt: f64| {
///     (v * v, 2.0 * v * dv, 2.0 * v * vt, 2.0 * (dv * vt + v * dvt))
/// };
/// // At a = (1, 3): y = (1, 9), f'(a) = 2 a = (2, 6), f'' = 2.
/// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
/// let (a, y) = (v(1.0, 3.0), v(1.0, 9.0));
/// let da = v(1.0, 1.0);
/// assert_eq!(la::map::jvp_0(&a, f, fd, fdd, &y, &da), v(2.0, 6.0));
/// let y_bar = v(1.0, 2.0);
/// assert_eq!(la::map::vjp_0(&a, f, fd, fdd, &y, &y_bar), v(2.0, 12.0));
/// // f'(a) .* dy_bar + f''(a) .* da .* y_bar with dy_bar = (0, 1): (0 + 2, 6 + 4).
/// // The closures have no tangents: `()` for each.
/// let (dy, dy_bar) = (v(2.0, 6.0), v(0.0, 1.0));
/// let h = la::map::vjp_0_jvp(&a, f, fd, fdd, &da, &(), &(), &(), &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h, v(2.0, 10.0));
/// ```
pub mod map {
    use super::*;
    /// `f'(a) .* da`
    #[inline]
    pub fn jvp_0<T, R, C, F, Fd, Fdd>(
        a: &M<T, R, C>,
        _f: F,
        fd: Fd,
        _fdd: Fdd,
        _y: &M<T, R, C>,
        da: &M<T, R, C>,
    ) -> M<T, R, C>
    where
        T: RealField + Copy,
        R: Dim,
        C: Dim,
        F: Fn(T) -> T,
        Fd: Fn(T, T) -> (T, T),
        Fdd: Fn(T, T, T, T) -> (T, T, T, T),
        DefaultAllocator: Allocator<R, C>,
    {
        a.zip_map(da, |v, dv| fd(v, dv).1)
    }
    /// `f'(a) .* y_bar`
    #[inline]
    pub fn vjp_0<T, R, C, F, Fd, Fdd>(
        a: &M<T, R, C>,
        _f: F,
        fd: Fd,
        _fdd: Fdd,
        _y: &M<T, R, C>,
        y_bar: &M<T, R, C>,
    ) -> M<T, R, C>
    where
        T: RealField + Copy,
        R: Dim,
        C: Dim,
        F: Fn(T) -> T,
        Fd: Fn(T, T) -> (T, T),
        Fdd: Fn(T, T, T, T) -> (T, T, T, T),
        DefaultAllocator: Allocator<R, C>,
    {
        a.zip_map(y_bar, |v, yb| fd(v, T::one()).1 * yb)
    }
    /// `f'(a) .* dy_bar + f''(a) .* da .* y_bar`
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn vjp_0_jvp<T, R, C, F, Fd, Fdd>(
        a: &M<T, R, C>,
        _f: F,
        _fd: Fd,
        fdd: Fdd,
        da: &M<T, R, C>,
        _df: &(),
        _dfd: &(),
        _dfdd: &(),
        _y: &M<T, R, C>,
        _dy: &M<T, R, C>,
        y_bar: &M<T, R, C>,
        dy_bar: &M<T, R, C>,
    ) -> M<T, R, C>
    where
        T: RealField + Copy,
        R: Dim,
        C: Dim,
        F: Fn(T) -> T,
        Fd: Fn(T, T) -> (T, T),
        Fdd: Fn(T, T, T, T) -> (T, T, T, T),
        DefaultAllocator: Allocator<R, C>,
    {
        let (one, zero) = (T::one(), T::zero());
        // One evaluation of fdd per element gives f' (its second entry, the
        // tangent along dv = 1) and f'' (its last, along v_t = 1).
        let mut out = a.clone();
        for i in 0..out.len() {
            let (_, d1, _, d2) = fdd(a[i], one, one, zero);
            out[i] = d1 * dy_bar[i] + d2 * da[i] * y_bar[i];
        }
        out
    }
}

/// `a.column(j)`, owned.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::{DMatrix, DVector};
///
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(la::column(&a, &1), DVector::from_vec(vec![2.0, 4.0]));
/// ```
#[inline]
pub fn column<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, j: &usize) -> M<T, R, U1>
where
    DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
{
    a.column(*j).into_owned()
}

/// Rules of `a.column(j)` (linear in `a`; `j` is an index).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::{DMatrix, DVector};
///
/// // y = column 1 of a 2 x 2 matrix: dy is that column of da, and a_bar is y_bar
/// // in column 1 of a zero matrix.
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = DVector::from_vec(vec![2.0, 4.0]);
/// let da = DMatrix::from_row_slice(2, 2, &[5.0, 6.0, 7.0, 8.0]);
/// let dy = DVector::from_vec(vec![6.0, 8.0]);
/// assert_eq!(la::column::jvp_0(&a, &1, &y, &da), dy);
/// let y_bar = DVector::from_vec(vec![1.0, -1.0]);
/// let a_bar = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.0, -1.0]);
/// assert_eq!(la::column::vjp_0(&a, &1, &y, &y_bar), a_bar);
/// // Linear: the tangent of a_bar is dy_bar in column 1. The index has no
/// // tangent: `()`.
/// let dy_bar = DVector::from_vec(vec![9.0, 10.0]);
/// let h = la::column::vjp_0_jvp(&a, &1, &da, &(), &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h, DMatrix::from_row_slice(2, 2, &[0.0, 9.0, 0.0, 10.0]));
/// ```
pub mod column {
    use super::*;
    /// `da.column(j)`
    #[inline]
    pub fn jvp_0<T: RealField + Copy, R: Dim, C: Dim>(
        _a: &M<T, R, C>,
        j: &usize,
        _y: &M<T, R, U1>,
        da: &M<T, R, C>,
    ) -> M<T, R, U1>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
    {
        da.column(*j).into_owned()
    }
    /// A zero matrix with `y_bar` in column `j`.
    #[inline]
    pub fn vjp_0<T: RealField + Copy, R: Dim, C: Dim>(
        a: &M<T, R, C>,
        j: &usize,
        _y: &M<T, R, U1>,
        y_bar: &M<T, R, U1>,
    ) -> M<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
    {
        let mut out = filled(a, T::zero());
        out.set_column(*j, y_bar);
        out
    }
    /// A zero matrix with `dy_bar` in column `j`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn vjp_0_jvp<T: RealField + Copy, R: Dim, C: Dim>(
        a: &M<T, R, C>,
        j: &usize,
        _da: &M<T, R, C>,
        _dj: &(),
        y: &M<T, R, U1>,
        _dy: &M<T, R, U1>,
        _y_bar: &M<T, R, U1>,
        dy_bar: &M<T, R, U1>,
    ) -> M<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
    {
        vjp_0(a, j, y, dy_bar)
    }
}

/// `a.row(i)`, owned.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::{DMatrix, RowDVector};
///
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(la::row(&a, &1), RowDVector::from_vec(vec![3.0, 4.0]));
/// ```
#[inline]
pub fn row<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, i: &usize) -> M<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    a.row(*i).into_owned()
}

/// Rules of `a.row(i)` (linear in `a`; `i` is an index).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::{DMatrix, RowDVector};
///
/// // y = row 0 of a 2 x 2 matrix: dy is that row of da, and a_bar is y_bar in
/// // row 0 of a zero matrix.
/// let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
/// let y = RowDVector::from_vec(vec![1.0, 2.0]);
/// let da = DMatrix::from_row_slice(2, 2, &[5.0, 6.0, 7.0, 8.0]);
/// let dy = RowDVector::from_vec(vec![5.0, 6.0]);
/// assert_eq!(la::row::jvp_0(&a, &0, &y, &da), dy);
/// let y_bar = RowDVector::from_vec(vec![1.0, -1.0]);
/// let a_bar = DMatrix::from_row_slice(2, 2, &[1.0, -1.0, 0.0, 0.0]);
/// assert_eq!(la::row::vjp_0(&a, &0, &y, &y_bar), a_bar);
/// // Linear: the tangent of a_bar is dy_bar in row 0. The index has no
/// // tangent: `()`.
/// let dy_bar = RowDVector::from_vec(vec![9.0, 10.0]);
/// let h = la::row::vjp_0_jvp(&a, &0, &da, &(), &y, &dy, &y_bar, &dy_bar);
/// assert_eq!(h, DMatrix::from_row_slice(2, 2, &[9.0, 10.0, 0.0, 0.0]));
/// ```
pub mod row {
    use super::*;
    /// `da.row(i)`
    #[inline]
    pub fn jvp_0<T: RealField + Copy, R: Dim, C: Dim>(
        _a: &M<T, R, C>,
        i: &usize,
        _y: &M<T, U1, C>,
        da: &M<T, R, C>,
    ) -> M<T, U1, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
    {
        da.row(*i).into_owned()
    }
    /// A zero matrix with `y_bar` in row `i`.
    #[inline]
    pub fn vjp_0<T: RealField + Copy, R: Dim, C: Dim>(
        a: &M<T, R, C>,
        i: &usize,
        _y: &M<T, U1, C>,
        y_bar: &M<T, U1, C>,
    ) -> M<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
    {
        let mut out = filled(a, T::zero());
        out.set_row(*i, y_bar);
        out
    }
    /// A zero matrix with `dy_bar` in row `i`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn vjp_0_jvp<T: RealField + Copy, R: Dim, C: Dim>(
        a: &M<T, R, C>,
        i: &usize,
        _da: &M<T, R, C>,
        _di: &(),
        y: &M<T, U1, C>,
        _dy: &M<T, U1, C>,
        _y_bar: &M<T, U1, C>,
        dy_bar: &M<T, U1, C>,
    ) -> M<T, R, C>
    where
        DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
    {
        vjp_0(a, i, y, dy_bar)
    }
}
