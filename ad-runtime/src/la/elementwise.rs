//! Rules of the elementwise nalgebra methods: `component_mul`,
//! `component_div`, `add_scalar` and `map`.

use super::*;

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
    T: RealRules,
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
        T: RealRules,
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
        T: RealRules,
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
        T: RealRules,
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
