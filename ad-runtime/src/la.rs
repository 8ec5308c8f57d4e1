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
#[inline]
pub fn transpose<T: RealField + Copy, R: Dim, C: Dim>(a: &OMatrix<T, R, C>) -> OMatrix<T, C, R>
where
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    a.transpose()
}

/// Rules of `a.transpose()` (linear).
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
    fn sum(a: &M<T, R, C>) -> T {
        a.sum()
    }
);

/// Rules of `a.sum()` (linear).
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
    fn mean(a: &M<T, R, C>) -> T {
        a.mean()
    }
);

/// Rules of `a.mean()` (linear).
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
    fn norm_squared(a: &M<T, R, C>) -> T {
        a.norm_squared()
    }
);

/// Rules of `a.norm_squared()`.
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
    fn norm(a: &M<T, R, C>) -> T {
        a.norm()
    }
);

/// Rules of `a.norm()`. At `a = 0` the derivative is taken as zero (the
/// subgradient of smallest norm), like `abs` at 0.
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
    fn dot(a: &M<T, R, C>, b: &M<T, R, C>) -> T {
        a.dot(b)
    }
);

/// Rules of `a.dot(&b)` (bilinear).
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
    fn component_mul(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C> {
        a.component_mul(b)
    }
);

/// Rules of `a.component_mul(&b)` (bilinear).
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
    fn component_div(a: &M<T, R, C>, b: &M<T, R, C>) -> M<T, R, C> {
        a.component_div(b)
    }
);

/// Rules of `y = a.component_div(&b)`.
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
    fn add_scalar(a: &M<T, R, C>, s: &T) -> M<T, R, C> {
        a.add_scalar(*s)
    }
);

/// Rules of `a.add_scalar(s)` (linear).
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
        fd: Fd,
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
        let mut out = a.zip_map(dy_bar, |v, dyb| fd(v, one).1 * dyb);
        for i in 0..out.len() {
            out[i] += fdd(a[i], one, one, zero).3 * da[i] * y_bar[i];
        }
        out
    }
}

/// `a.column(j)`, owned.
#[inline]
pub fn column<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, j: &usize) -> M<T, R, U1>
where
    DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
{
    a.column(*j).into_owned()
}

/// Rules of `a.column(j)` (linear in `a`; `j` is an index).
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
#[inline]
pub fn row<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, i: &usize) -> M<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    a.row(*i).into_owned()
}

/// Rules of `a.row(i)` (linear in `a`; `i` is an index).
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
