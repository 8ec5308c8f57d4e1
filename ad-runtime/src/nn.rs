//! Functions for learning code on nalgebra vectors and matrices, with their
//! rules: elementwise `sigmoid`, `tanh`, `relu`, and columnwise `softmax`,
//! `log_softmax`, `logsumexp` (a matrix is a batch of column vectors).
//!
//! Call them as `nn::softmax(&z)` (with `use ad::nn;`) inside a
//! differentiated function; they work in plain code too. The rules follow
//! the convention of [`crate::la`].
//!
//! ```
//! use ad_runtime::nn;
//! use nalgebra::DMatrix;
//!
//! // Two columns: logsumexp of (0, ln 2, ln 3) is ln 6, of (ln 5, ln 5, ln 5) ln 15.
//! let (l2, l3, l5) = (2f64.ln(), 3f64.ln(), 5f64.ln());
//! let z = DMatrix::from_column_slice(3, 2, &[0.0, l2, l3, l5, l5, l5]);
//! let lse = nn::logsumexp(&z);
//! assert!((lse[0] - 6f64.ln()).abs() < 1e-15 && (lse[1] - 15f64.ln()).abs() < 1e-14);
//! // softmax of the first column is (1, 2, 3) / 6; its VJP is p .* (y_bar - <p, y_bar>).
//! let p = nn::softmax(&z);
//! assert!((p[(1, 0)] - 2.0 / 6.0).abs() < 1e-15);
//! let y_bar = DMatrix::from_column_slice(3, 2, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
//! let z_bar = nn::softmax::vjp_0(&z, &p, &y_bar);
//! assert!((z_bar[(0, 0)] - (1.0 / 6.0) * (1.0 - 1.0 / 6.0)).abs() < 1e-15);
//! assert!((z_bar[(1, 0)] + (2.0 / 6.0) * (1.0 / 6.0)).abs() < 1e-15);
//! ```

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, RealField, U1};

type M<T, R, C> = OMatrix<T, R, C>;

macro_rules! rule {
    ($(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        #[allow(unused_variables)]
        pub fn $name<T: RealField + Copy, R: Dim, C: Dim>($($arg: $ty),*) -> $ret
        where
            DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
        $body
    };
}

/// The rules of an elementwise function given its derivative `d(x, y)` and
/// second derivative `dd(x, y)` in terms of the input and the output. The
/// attributes before `fn` document the function, those before `mod` its
/// rules (after a first line naming the function).
macro_rules! elementwise {
    (
        $(#[$fm:meta])*
        fn $name:ident = |$x:ident| $f:expr;
        $(#[$mm:meta])*
        mod d = |$x1:ident, $y1:ident| $d:expr, dd = |$x2:ident, $y2:ident| $dd:expr;
    ) => {
        rule!(
            $(#[$fm])*
            fn $name(a: &M<T, R, C>) -> M<T, R, C> {
                a.map(|$x| $f)
            }
        );
        #[doc = concat!("Rules of [`", stringify!($name), "()`].")]
        $(#[$mm])*
        pub mod $name {
            use super::*;
            #[inline]
            fn d<T: RealField + Copy>($x1: T, $y1: T) -> T {
                $d
            }
            #[inline]
            fn dd<T: RealField + Copy>($x2: T, $y2: T) -> T {
                $dd
            }
            rule!(
                /// `f'(a) .* da`
                fn jvp_0(a: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
                    a.zip_zip_map(y, da, |x, y, dx| d(x, y) * dx)
                }
            );
            rule!(
                /// `f'(a) .* y_bar`
                fn vjp_0(a: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
                    a.zip_zip_map(y, y_bar, |x, y, yb| d(x, y) * yb)
                }
            );
            rule!(
                /// `f'(a) .* dy_bar + f''(a) .* da .* y_bar`
                fn vjp_0_jvp(
                    a: &M<T, R, C>,
                    da: &M<T, R, C>,
                    y: &M<T, R, C>,
                    dy: &M<T, R, C>,
                    y_bar: &M<T, R, C>,
                    dy_bar: &M<T, R, C>,
                ) -> M<T, R, C> {
                    let mut out = a.zip_zip_map(y, dy_bar, |x, y, dyb| d(x, y) * dyb);
                    for i in 0..out.len() {
                        out[i] += dd(a[i], y[i]) * da[i] * y_bar[i];
                    }
                    out
                }
            );
        }
    };
}

elementwise!(
    /// `1 / (1 + exp(-a))` elementwise.
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // sigmoid(0) = 1/2, sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4.
    /// let y = nn::sigmoid(&DVector::from_vec(vec![0.0, 3f64.ln()]));
    /// assert!((y - DVector::from_vec(vec![0.5, 0.75])).amax() < 1e-15);
    /// ```
    fn sigmoid = |v| T::one() / (T::one() + (-v).exp());
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // At a = (0, ln 3), y = (1/2, 3/4): s' = s (1 - s) = (1/4, 3/16) and
    /// // s'' = s' (1 - 2 s) = (0, -3/32).
    /// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
    /// let (a, y) = (v(0.0, 3f64.ln()), v(0.5, 0.75));
    /// let ones = v(1.0, 1.0);
    /// let dy = nn::sigmoid::jvp_0(&a, &y, &ones);
    /// assert_eq!(dy, v(0.25, 0.1875));
    /// assert_eq!(nn::sigmoid::vjp_0(&a, &y, &v(2.0, 4.0)), v(0.5, 0.75));
    /// // s' .* dy_bar + s'' .* da .* y_bar with da = y_bar = (1, 1), dy_bar = (1, 0).
    /// let h = nn::sigmoid::vjp_0_jvp(&a, &ones, &y, &dy, &ones, &v(1.0, 0.0));
    /// assert_eq!(h, v(0.25, -0.09375));
    /// ```
    mod d = |_x, y| y * (T::one() - y), dd = |_x, y| y * (T::one() - y) * (T::one() - y - y);
);
elementwise!(
    /// `tanh(a)` elementwise.
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // tanh(ln 3 / 2) = (3 - 1) / (3 + 1) = 1/2.
    /// let y = nn::tanh(&DVector::from_vec(vec![0.0, 3f64.ln() / 2.0]));
    /// assert!((y - DVector::from_vec(vec![0.0, 0.5])).amax() < 1e-15);
    /// ```
    fn tanh = |v| v.tanh();
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // At a = (0, ln 3 / 2), y = (0, 1/2): tanh' = 1 - y^2 = (1, 3/4) and
    /// // tanh'' = -2 y (1 - y^2) = (0, -3/4).
    /// let v = |x: f64, y: f64| DVector::from_vec(vec![x, y]);
    /// let (a, y) = (v(0.0, 3f64.ln() / 2.0), v(0.0, 0.5));
    /// let ones = v(1.0, 1.0);
    /// let dy = nn::tanh::jvp_0(&a, &y, &ones);
    /// assert_eq!(dy, v(1.0, 0.75));
    /// assert_eq!(nn::tanh::vjp_0(&a, &y, &v(2.0, 4.0)), v(2.0, 3.0));
    /// // tanh' .* dy_bar + tanh'' .* da .* y_bar with da = y_bar = (1, 1), dy_bar = (1, 0).
    /// let h = nn::tanh::vjp_0_jvp(&a, &ones, &y, &dy, &ones, &v(1.0, 0.0));
    /// assert_eq!(h, v(1.0, -0.75));
    /// ```
    mod d = |_x, y| T::one() - y * y, dd = |_x, y| -(y + y) * (T::one() - y * y);
);
elementwise!(
    /// `max(a, 0)` elementwise; its derivative at 0 is taken as 0.
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// let y = nn::relu(&DVector::from_vec(vec![-1.0, 0.0, 2.0]));
    /// assert_eq!(y, DVector::from_vec(vec![0.0, 0.0, 2.0]));
    /// ```
    fn relu = |v| if v > T::zero() { v } else { T::zero() };
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // At a = (-1, 0, 2): relu' = (0, 0, 1) (0 at the kink), relu'' = 0.
    /// let v = |x: f64, y: f64, z: f64| DVector::from_vec(vec![x, y, z]);
    /// let (a, y) = (v(-1.0, 0.0, 2.0), v(0.0, 0.0, 2.0));
    /// let ones = v(1.0, 1.0, 1.0);
    /// let dy = nn::relu::jvp_0(&a, &y, &ones);
    /// assert_eq!(dy, v(0.0, 0.0, 1.0));
    /// assert_eq!(nn::relu::vjp_0(&a, &y, &v(5.0, 5.0, 5.0)), v(0.0, 0.0, 5.0));
    /// // relu' .* dy_bar, the relu'' term being zero.
    /// let h = nn::relu::vjp_0_jvp(&a, &ones, &y, &dy, &ones, &v(3.0, 3.0, 3.0));
    /// assert_eq!(h, v(0.0, 0.0, 3.0));
    /// ```
    mod d = |x, _y| if x > T::zero() { T::one() } else { T::zero() }, dd = |_x, _y| T::zero();
);

/// Per column: the maximum (for stability) and the log of the sum of
/// `exp(a - max)`.
fn column_lse<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>) -> M<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    let (_, c) = a.shape_generic();
    M::<T, U1, C>::from_fn_generic(U1, c, |_, j| {
        let col = a.column(j);
        let m = col.max();
        let s = col.iter().fold(T::zero(), |s, &v| s + (v - m).exp());
        m + s.ln()
    })
}

/// `softmax(a)` from `y = logsumexp(a)`: `exp(a - y)` per column, without
/// computing the log-sum-exp again.
fn softmax_from<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, y: &M<T, U1, C>) -> M<T, R, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    sub_columns(a, y).map(|v| v.exp())
}

/// Per column, `<a, b>`.
fn column_dots<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    let (_, c) = a.shape_generic();
    M::<T, U1, C>::from_fn_generic(U1, c, |_, j| a.column(j).dot(&b.column(j)))
}

/// Per column, the sum.
fn column_sums<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>) -> M<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    let (_, c) = a.shape_generic();
    M::<T, U1, C>::from_fn_generic(U1, c, |_, j| a.column(j).sum())
}

/// `out[(i, j)] = a[(i, j)] * row[j]`
fn scale_columns<T: RealField + Copy, R: Dim, C: Dim>(
    a: &M<T, R, C>,
    row: &M<T, U1, C>,
) -> M<T, R, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    let mut out = a.clone();
    for (j, mut col) in out.column_iter_mut().enumerate() {
        col *= row[j];
    }
    out
}

/// `out[(i, j)] = a[(i, j)] - row[j]`
fn sub_columns<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, row: &M<T, U1, C>) -> M<T, R, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    let mut out = a.clone();
    for (j, mut col) in out.column_iter_mut().enumerate() {
        col.add_scalar_mut(-row[j]);
    }
    out
}

rule!(
    /// `log(sum(exp(a)))` of each column, computed stably: a row with one
    /// entry per column (a `1 x 1` matrix for a vector).
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // log(1 + 2 + 3) = ln 6; large entries do not overflow: 1000 + ln 6.
    /// let (l2, l3) = (2f64.ln(), 3f64.ln());
    /// let y = nn::logsumexp(&DVector::from_vec(vec![0.0, l2, l3]));
    /// assert!((y[0] - 6f64.ln()).abs() < 1e-15);
    /// let y = nn::logsumexp(&DVector::from_vec(vec![1000.0, 1000.0 + l2, 1000.0 + l3]));
    /// assert!((y[0] - (1000.0 + 6f64.ln())).abs() < 1e-12);
    /// ```
    fn logsumexp(a: &M<T, R, C>) -> M<T, U1, C> {
        column_lse(a)
    }
);

/// Rules of [`logsumexp()`]: with `p = softmax(a)` per column, `dy = <p, da>`
/// and `a_bar = p y_bar`.
///
/// ```
/// use ad_runtime::nn;
/// use nalgebra::{DVector, Matrix1};
///
/// // At a = (0, ln 2, ln 3): y = ln 6, p = (1, 2, 3) / 6.
/// let a = DVector::from_vec(vec![0.0, 2f64.ln(), 3f64.ln()]);
/// let y = Matrix1::new(6f64.ln());
/// let close = |u: &DVector<f64>, v: [f64; 3]| (u - DVector::from_vec(v.to_vec())).amax() < 1e-15;
/// let da = DVector::from_vec(vec![0.0, 0.0, 6.0]);
/// assert!((nn::logsumexp::jvp_0(&a, &y, &da)[0] - 3.0).abs() < 1e-15); // <p, da>
/// let a_bar = nn::logsumexp::vjp_0(&a, &y, &Matrix1::new(2.0)); // p y_bar
/// assert!(close(&a_bar, [1.0 / 3.0, 2.0 / 3.0, 1.0]));
/// // The Hessian diag(p) - p p^T along da = e_0 (dy = 1/6), y_bar = 1, dy_bar = 0:
/// // p_0 e_0 - p_0 p = (5, -2, -3) / 36.
/// let e0 = DVector::from_vec(vec![1.0, 0.0, 0.0]);
/// let (dy, y_bar, dy_bar) = (Matrix1::new(1.0 / 6.0), Matrix1::new(1.0), Matrix1::new(0.0));
/// let h = nn::logsumexp::vjp_0_jvp(&a, &e0, &y, &dy, &y_bar, &dy_bar);
/// assert!(close(&h, [5.0 / 36.0, -2.0 / 36.0, -3.0 / 36.0]));
/// ```
pub mod logsumexp {
    use super::*;
    rule!(
        /// `<p, da>` per column
        fn jvp_0(a: &M<T, R, C>, y: &M<T, U1, C>, da: &M<T, R, C>) -> M<T, U1, C> {
            column_dots(&softmax_from(a, y), da)
        }
    );
    rule!(
        /// `p .* y_bar` per column
        fn vjp_0(a: &M<T, R, C>, y: &M<T, U1, C>, y_bar: &M<T, U1, C>) -> M<T, R, C> {
            scale_columns(&softmax_from(a, y), y_bar)
        }
    );
    rule!(
        /// `dp y_bar + p dy_bar` with `dp = p .* (da - dy)`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &M<T, U1, C>,
            dy: &M<T, U1, C>,
            y_bar: &M<T, U1, C>,
            dy_bar: &M<T, U1, C>,
        ) -> M<T, R, C> {
            let p = softmax_from(a, y);
            let dp = p.component_mul(&sub_columns(da, dy));
            scale_columns(&dp, y_bar) + scale_columns(&p, dy_bar)
        }
    );
}

rule!(
    /// `a - logsumexp(a)` per column: log-probabilities.
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // At (0, ln 2, ln 3): (ln 1/6, ln 2/6, ln 3/6).
    /// let y = nn::log_softmax(&DVector::from_vec(vec![0.0, 2f64.ln(), 3f64.ln()]));
    /// assert!((y[0] + 6f64.ln()).abs() < 1e-15 && (y[2] + 2f64.ln()).abs() < 1e-15);
    /// ```
    fn log_softmax(a: &M<T, R, C>) -> M<T, R, C> {
        sub_columns(a, &column_lse(a))
    }
);

/// Rules of [`log_softmax()`]: with `p = exp(y)`, `dy = da - <p, da>` and
/// `a_bar = y_bar - p sum(y_bar)` per column.
///
/// ```
/// use ad_runtime::nn;
/// use nalgebra::DVector;
///
/// // At a = (0, ln 2, ln 3): p = exp(y) = (1, 2, 3) / 6.
/// let a = DVector::from_vec(vec![0.0, 2f64.ln(), 3f64.ln()]);
/// let y = DVector::from_vec(vec![-6f64.ln(), -3f64.ln(), -2f64.ln()]);
/// let close = |u: &DVector<f64>, v: [f64; 3]| (u - DVector::from_vec(v.to_vec())).amax() < 1e-15;
/// let e0 = DVector::from_vec(vec![1.0, 0.0, 0.0]);
/// // Along da = e_0: dy = e_0 - <p, e_0> = (5, -1, -1) / 6.
/// let dy = nn::log_softmax::jvp_0(&a, &y, &e0);
/// assert!(close(&dy, [5.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0]));
/// // With y_bar = e_0: a_bar = e_0 - p sum(e_0) = (5, -2, -3) / 6.
/// let a_bar = nn::log_softmax::vjp_0(&a, &y, &e0);
/// assert!(close(&a_bar, [5.0 / 6.0, -2.0 / 6.0, -3.0 / 6.0]));
/// // Its tangent along da = e_0, dy_bar = 0: -sum(y_bar) (diag(p) - p p^T) e_0.
/// let zero = DVector::zeros(3);
/// let h = nn::log_softmax::vjp_0_jvp(&a, &e0, &y, &dy, &e0, &zero);
/// assert!(close(&h, [-5.0 / 36.0, 2.0 / 36.0, 3.0 / 36.0]));
/// ```
pub mod log_softmax {
    use super::*;
    rule!(
        /// `da - <p, da>` per column
        fn jvp_0(a: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            let p = y.map(|v| v.exp());
            sub_columns(da, &column_dots(&p, da))
        }
    );
    rule!(
        /// `y_bar - p sum(y_bar)` per column
        fn vjp_0(a: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            let p = y.map(|v| v.exp());
            y_bar - scale_columns(&p, &column_sums(y_bar))
        }
    );
    rule!(
        /// `dy_bar - (p .* dy) sum(y_bar) - p sum(dy_bar)`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> M<T, R, C> {
            let p = y.map(|v| v.exp());
            let dp = p.component_mul(dy);
            dy_bar
                - scale_columns(&dp, &column_sums(y_bar))
                - scale_columns(&p, &column_sums(dy_bar))
        }
    );
}

rule!(
    /// `exp(a) / sum(exp(a))` per column, computed stably.
    ///
    /// ```
    /// use ad_runtime::nn;
    /// use nalgebra::DVector;
    ///
    /// // exp(0, ln 2, ln 3) / 6. Shifted by 1000 (where exp overflows), the same up
    /// // to the rounding of 1000 + ln 2 and 1000 + ln 3.
    /// let close =
    ///     |u: &DVector<f64>, v: [f64; 3]| (u - DVector::from_vec(v.to_vec())).amax() < 1e-15;
    /// let (l2, l3) = (2f64.ln(), 3f64.ln());
    /// let y = nn::softmax(&DVector::from_vec(vec![0.0, l2, l3]));
    /// assert!(close(&y, [1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]));
    /// let y = nn::softmax(&DVector::from_vec(vec![1000.0, 1000.0 + l2, 1000.0 + l3]));
    /// assert!((y.sum() - 1.0).abs() < 1e-12 && (y[2] - 0.5).abs() < 1e-12);
    /// ```
    fn softmax(a: &M<T, R, C>) -> M<T, R, C> {
        let lse = column_lse(a);
        sub_columns(a, &lse).map(|v| v.exp())
    }
);

/// Rules of [`softmax()`]: `dy = y .* (da - <y, da>)`, `a_bar = y .* (y_bar -
/// <y, y_bar>)` per column.
///
/// ```
/// use ad_runtime::nn;
/// use nalgebra::DVector;
///
/// // At a = (0, ln 2, ln 3): y = p = (1, 2, 3) / 6, whose Jacobian diag(p) - p p^T
/// // is symmetric: along e_0 both give p_0 (e_0 - p) = (5, -2, -3) / 36.
/// let a = DVector::from_vec(vec![0.0, 2f64.ln(), 3f64.ln()]);
/// let y = DVector::from_vec(vec![1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]);
/// let close = |u: &DVector<f64>, v: [f64; 3]| (u - DVector::from_vec(v.to_vec())).amax() < 1e-15;
/// let e0 = DVector::from_vec(vec![1.0, 0.0, 0.0]);
/// let dy = nn::softmax::jvp_0(&a, &y, &e0);
/// assert!(close(&dy, [5.0 / 36.0, -2.0 / 36.0, -3.0 / 36.0]));
/// assert!(close(&nn::softmax::vjp_0(&a, &y, &e0), [5.0 / 36.0, -2.0 / 36.0, -3.0 / 36.0]));
/// // With y_bar = e_0, dy_bar = 0, da = e_0: the Hessian of p_0 along e_0,
/// // d/da_0 of p_0 (delta_0j - p_j), i.e. (p_0 (1 - p_0) (1 - 2 p_0), -(1 - 2 p_0) p_0 p_j).
/// let h = nn::softmax::vjp_0_jvp(&a, &e0, &y, &dy, &e0, &DVector::zeros(3));
/// assert!(close(&h, [20.0 / 216.0, -8.0 / 216.0, -12.0 / 216.0]));
/// ```
pub mod softmax {
    use super::*;
    rule!(
        /// `y .* (da - <y, da>)`
        fn jvp_0(a: &M<T, R, C>, y: &M<T, R, C>, da: &M<T, R, C>) -> M<T, R, C> {
            y.component_mul(&sub_columns(da, &column_dots(y, da)))
        }
    );
    rule!(
        /// `y .* (y_bar - <y, y_bar>)`
        fn vjp_0(a: &M<T, R, C>, y: &M<T, R, C>, y_bar: &M<T, R, C>) -> M<T, R, C> {
            y.component_mul(&sub_columns(y_bar, &column_dots(y, y_bar)))
        }
    );
    rule!(
        /// `dy .* (y_bar - <y, y_bar>) + y .* (dy_bar - <dy, y_bar> - <y, dy_bar>)`
        fn vjp_0_jvp(
            a: &M<T, R, C>,
            da: &M<T, R, C>,
            y: &M<T, R, C>,
            dy: &M<T, R, C>,
            y_bar: &M<T, R, C>,
            dy_bar: &M<T, R, C>,
        ) -> M<T, R, C> {
            let first = dy.component_mul(&sub_columns(y_bar, &column_dots(y, y_bar)));
            let inner = column_dots(dy, y_bar) + column_dots(y, dy_bar);
            first + y.component_mul(&sub_columns(dy_bar, &inner))
        }
    );
}
