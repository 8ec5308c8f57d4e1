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
/// second derivative `dd(x, y)` in terms of the input and the output.
macro_rules! elementwise {
    ($name:ident, $doc:literal, |$x:ident| $f:expr, |$x1:ident, $y1:ident| $d:expr, |$x2:ident, $y2:ident| $dd:expr) => {
        rule!(
            #[doc = $doc]
            fn $name(a: &M<T, R, C>) -> M<T, R, C> {
                a.map(|$x| $f)
            }
        );
        #[doc = concat!("Rules of [`", stringify!($name), "()`].")]
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
    sigmoid,
    "`1 / (1 + exp(-a))` elementwise.",
    |v| T::one() / (T::one() + (-v).exp()),
    |_x, y| y * (T::one() - y),
    |_x, y| y * (T::one() - y) * (T::one() - y - y)
);
elementwise!(
    tanh,
    "`tanh(a)` elementwise.",
    |v| v.tanh(),
    |_x, y| T::one() - y * y,
    |_x, y| -(y + y) * (T::one() - y * y)
);
elementwise!(
    relu,
    "`max(a, 0)` elementwise; its derivative at 0 is taken as 0.",
    |v| if v > T::zero() { v } else { T::zero() },
    |x, _y| if x > T::zero() { T::one() } else { T::zero() },
    |_x, _y| T::zero()
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
    fn logsumexp(a: &M<T, R, C>) -> M<T, U1, C> {
        column_lse(a)
    }
);

/// Rules of [`logsumexp()`]: with `p = softmax(a)` per column, `dy = <p, da>`
/// and `a_bar = p y_bar`.
pub mod logsumexp {
    use super::*;
    rule!(
        /// `<p, da>` per column
        fn jvp_0(a: &M<T, R, C>, y: &M<T, U1, C>, da: &M<T, R, C>) -> M<T, U1, C> {
            column_dots(&super::softmax(a), da)
        }
    );
    rule!(
        /// `p .* y_bar` per column
        fn vjp_0(a: &M<T, R, C>, y: &M<T, U1, C>, y_bar: &M<T, U1, C>) -> M<T, R, C> {
            scale_columns(&super::softmax(a), y_bar)
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
            let p = super::softmax(a);
            let dp = p.component_mul(&sub_columns(da, dy));
            scale_columns(&dp, y_bar) + scale_columns(&p, dy_bar)
        }
    );
}

rule!(
    /// `a - logsumexp(a)` per column: log-probabilities.
    fn log_softmax(a: &M<T, R, C>) -> M<T, R, C> {
        sub_columns(a, &column_lse(a))
    }
);

/// Rules of [`log_softmax()`]: with `p = exp(y)`, `dy = da - <p, da>` and
/// `a_bar = y_bar - p sum(y_bar)` per column.
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
    fn softmax(a: &M<T, R, C>) -> M<T, R, C> {
        let lse = column_lse(a);
        sub_columns(a, &lse).map(|v| v.exp())
    }
);

/// Rules of [`softmax()`]: `dy = y .* (da - <y, da>)`, `a_bar = y .* (y_bar -
/// <y, y_bar>)` per column.
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
