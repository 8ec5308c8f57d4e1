//! Rules of the linear algebra of square matrices: `trace`, `determinant`,
//! the inverse (`try_inverse().unwrap()`) and linear solves (`lu().solve`,
//! `cholesky().solve`, `solve_lower_triangular`, `solve_upper_triangular`).
//!
//! Solves are differentiated by their implicit rules: for `x = A^-1 b`,
//! `dx = A^-1 (db - dA x)`, and the cotangents are one more solve with
//! `A^T`, `b_bar = A^-T x_bar`, and `A_bar = -b_bar x^T`. No rule forms an
//! inverse, except the inverse's own and the determinant's (whose gradient
//! is `det(A) A^-T`).
//!
//! A factorisation the primal needed (`unwrap` of `None`: a singular matrix,
//! or one that is not positive definite for Cholesky) fails in the rules in
//! the same way, with a panic.
//!
//! The Cholesky and triangular solves read one triangle of `A`; their rules
//! give the other triangle a zero cotangent, as finite differences would.

use super::*;
use nalgebra::DimMin;

/// Declares a rule over a square shape `OMatrix<T, D, D>`.
macro_rules! square {
    ($(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        #[allow(unused_variables)]
        pub fn $name<T: RealField + Copy, D: DimMin<D, Output = D>>($($arg: $ty),*) -> $ret
        where
            DefaultAllocator: Allocator<D, D> + Allocator<D>,
        $body
    };
}

/// Declares a rule of a solve `A x = b`: `A` is `OMatrix<T, D, D>`, `b` and
/// `x` are `OMatrix<T, D, C>` (a vector or a matrix of right-hand sides).
macro_rules! solve {
    ($(#[$m:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        #[inline]
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub fn $name<T: RealField + Copy, D: DimMin<D, Output = D>, C: Dim>($($arg: $ty),*) -> $ret
        where
            DefaultAllocator:
                Allocator<D, D> + Allocator<D> + Allocator<D, C> + Allocator<C, D>,
        $body
    };
}

type Sq<T, D> = OMatrix<T, D, D>;
type Rhs<T, D, C> = OMatrix<T, D, C>;

/// The identity of the shape of `a`.
fn identity<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let (r, c) = a.shape_generic();
    OMatrix::identity_generic(r, c)
}

/// `A^-1 b` by LU with partial pivoting.
fn lu_solve<T: RealField + Copy, D: DimMin<D, Output = D>, C: Dim>(
    a: &Sq<T, D>,
    b: &Rhs<T, D, C>,
) -> Rhs<T, D, C>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D> + Allocator<D, C>,
{
    a.clone()
        .lu()
        .solve(b)
        .expect("ad: a solve with a singular matrix")
}

/// `A^-T b` by LU of `A^T`.
fn lu_solve_t<T: RealField + Copy, D: DimMin<D, Output = D>, C: Dim>(
    a: &Sq<T, D>,
    b: &Rhs<T, D, C>,
) -> Rhs<T, D, C>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D> + Allocator<D, C>,
{
    a.transpose()
        .lu()
        .solve(b)
        .expect("ad: a solve with a singular matrix")
}

/// `A^-T`, for the determinant's gradient (`None` if `A` is singular).
fn inverse_t<T: RealField + Copy, D: DimMin<D, Output = D>>(a: &Sq<T, D>) -> Option<Sq<T, D>>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    a.transpose().lu().try_inverse()
}

/// The cofactor matrix, `det(A) A^-T` where `A` is invertible, from the
/// minors where it is not.
fn cofactors<T: RealField + Copy, D: DimMin<D, Output = D>>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    let n = a.nrows();
    let mut out = filled(a, T::zero());
    if n == 1 {
        out[(0, 0)] = T::one();
        return out;
    }
    for i in 0..n {
        for j in 0..n {
            let minor = nalgebra::DMatrix::from_fn(n - 1, n - 1, |r, c| {
                a[(r + usize::from(r >= i), c + usize::from(c >= j))]
            });
            let sign = if (i + j) % 2 == 0 {
                T::one()
            } else {
                -T::one()
            };
            out[(i, j)] = sign * minor.determinant();
        }
    }
    out
}

square!(
    /// `a.trace()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::Matrix2;
    ///
    /// assert_eq!(la::trace(&Matrix2::new(1.0, 2.0, 3.0, 4.0)), 5.0);
    /// ```
    fn trace(a: &Sq<T, D>) -> T {
        a.trace()
    }
);

/// Rules of `a.trace()` (linear).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::Matrix2;
///
/// let (a, da) = (Matrix2::new(1.0, 2.0, 3.0, 4.0), Matrix2::new(0.5, 9.0, 9.0, 0.25));
/// assert_eq!(la::trace::jvp_0(&a, &5.0, &da), 0.75);
/// assert_eq!(la::trace::vjp_0(&a, &5.0, &2.0), Matrix2::new(2.0, 0.0, 0.0, 2.0));
/// assert_eq!(la::trace::vjp_0_jvp(&a, &da, &5.0, &0.75, &2.0, &3.0), Matrix2::new(3.0, 0.0, 0.0, 3.0));
/// ```
pub mod trace {
    use super::*;
    square!(
        /// `tr(da)`
        fn jvp_0(a: &Sq<T, D>, y: &T, da: &Sq<T, D>) -> T {
            da.trace()
        }
    );
    square!(
        /// `y_bar I`
        fn vjp_0(a: &Sq<T, D>, y: &T, y_bar: &T) -> Sq<T, D> {
            identity(a) * *y_bar
        }
    );
    square!(
        /// `dy_bar I`
        fn vjp_0_jvp(
            a: &Sq<T, D>,
            da: &Sq<T, D>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> Sq<T, D> {
            identity(a) * *dy_bar
        }
    );
}

square!(
    /// `a.determinant()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::Matrix2;
    ///
    /// assert_eq!(la::determinant(&Matrix2::new(1.0, 2.0, 3.0, 4.0)), -2.0);
    /// ```
    fn determinant(a: &Sq<T, D>) -> T {
        a.determinant()
    }
);

/// Rules of `y = a.determinant()` (Jacobi's formula): `dy = <cof(A), dA>`,
/// `A_bar = y_bar cof(A)`, where the cofactor matrix `cof(A)` is
/// `y A^-T` for an invertible `A` (and is computed from the minors for a
/// singular one, where the first derivative exists too).
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::Matrix2;
///
/// // det [[a, b], [c, d]] = ad - bc: the gradient is [[d, -c], [-b, a]].
/// let a = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(la::determinant::vjp_0(&a, &-2.0, &1.0), Matrix2::new(4.0, -3.0, -2.0, 1.0));
/// let singular = Matrix2::new(1.0, 2.0, 2.0, 4.0);
/// assert_eq!(la::determinant::vjp_0(&singular, &0.0, &1.0), Matrix2::new(4.0, -2.0, -2.0, 1.0));
/// let da = Matrix2::new(1.0, 0.0, 0.0, 0.0);
/// assert_eq!(la::determinant::jvp_0(&a, &-2.0, &da), 4.0);
/// ```
pub mod determinant {
    use super::*;
    square!(
        /// `<cof(A), dA>`
        fn jvp_0(a: &Sq<T, D>, y: &T, da: &Sq<T, D>) -> T {
            cofactors_at(a, y).dot(da)
        }
    );
    square!(
        /// `y_bar cof(A)`
        fn vjp_0(a: &Sq<T, D>, y: &T, y_bar: &T) -> Sq<T, D> {
            cofactors_at(a, y) * *y_bar
        }
    );
    square!(
        /// With `G = A^-T`: `(dy_bar y + y_bar dy) G - y_bar y G dA^T G`.
        /// Second order needs `A` invertible.
        fn vjp_0_jvp(
            a: &Sq<T, D>,
            da: &Sq<T, D>,
            y: &T,
            dy: &T,
            y_bar: &T,
            dy_bar: &T,
        ) -> Sq<T, D> {
            let g = inverse_t(a).expect(
                "ad: the second derivative of `determinant` at a singular matrix is not implemented",
            );
            let dg = -(&g * da.transpose() * &g);
            g * (*dy_bar * *y + *y_bar * *dy) + dg * (*y_bar * *y)
        }
    );

    /// The cofactors, from `y = det(A)` and `A^-T` when `A` is invertible.
    fn cofactors_at<T: RealField + Copy, D: DimMin<D, Output = D>>(a: &Sq<T, D>, y: &T) -> Sq<T, D>
    where
        DefaultAllocator: Allocator<D, D> + Allocator<D>,
    {
        match inverse_t(a) {
            Some(g) if *y != T::zero() => g * *y,
            _ => cofactors(a),
        }
    }
}

square!(
    /// `a.try_inverse().unwrap()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::Matrix2;
    ///
    /// assert_eq!(la::inverse(&Matrix2::new(2.0, 0.0, 0.0, 4.0)), Matrix2::new(0.5, 0.0, 0.0, 0.25));
    /// ```
    fn inverse(a: &Sq<T, D>) -> Sq<T, D> {
        a.clone()
            .try_inverse()
            .expect("ad: the inverse of a singular matrix")
    }
);

/// Rules of `Y = A^-1`: `dY = -Y dA Y`, `A_bar = -Y^T Y_bar Y^T`.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::Matrix1;
///
/// // 1 / a at a = 2: dy = -da / 4, a_bar = -y_bar / 4.
/// let (a, y) = (Matrix1::new(2.0), Matrix1::new(0.5));
/// assert_eq!(la::inverse::jvp_0(&a, &y, &Matrix1::new(1.0)), Matrix1::new(-0.25));
/// assert_eq!(la::inverse::vjp_0(&a, &y, &Matrix1::new(1.0)), Matrix1::new(-0.25));
/// // Second order: d(-y_bar / a^2) = 2 y_bar da / a^3 - dy_bar / a^2.
/// let h = la::inverse::vjp_0_jvp(&a, &Matrix1::new(1.0), &y, &Matrix1::new(-0.25), &Matrix1::new(1.0), &Matrix1::new(0.0));
/// assert_eq!(h, Matrix1::new(0.25));
/// ```
pub mod inverse {
    use super::*;
    square!(
        /// `-Y dA Y`
        fn jvp_0(a: &Sq<T, D>, y: &Sq<T, D>, da: &Sq<T, D>) -> Sq<T, D> {
            -(y * da * y)
        }
    );
    square!(
        /// `-Y^T Y_bar Y^T`
        fn vjp_0(a: &Sq<T, D>, y: &Sq<T, D>, y_bar: &Sq<T, D>) -> Sq<T, D> {
            let yt = y.transpose();
            -(&yt * y_bar * &yt)
        }
    );
    square!(
        /// `-(dY^T Y_bar Y^T + Y^T dY_bar Y^T + Y^T Y_bar dY^T)`
        fn vjp_0_jvp(
            a: &Sq<T, D>,
            da: &Sq<T, D>,
            y: &Sq<T, D>,
            dy: &Sq<T, D>,
            y_bar: &Sq<T, D>,
            dy_bar: &Sq<T, D>,
        ) -> Sq<T, D> {
            let (yt, dyt) = (y.transpose(), dy.transpose());
            -(&dyt * y_bar * &yt + &yt * dy_bar * &yt + &yt * y_bar * &dyt)
        }
    );
}

/// The rules of a solve `x = S(A)^-1 b`, where `S(A)` is the matrix the
/// factorisation reads (`A` itself for LU, a triangle of it, or the
/// symmetric matrix of its lower triangle for Cholesky), given:
/// `$part` (`dA -> dS`, linear), `$fold` (the adjoint of `$part`, taking a
/// cotangent of `S` back to `A`), `$solve` (`S^-1 r`) and `$solve_t`
/// (`S^-T r`).
macro_rules! solve_rules {
    ($part:path, $fold:path, $solve:path, $solve_t:path) => {
        solve!(
            /// `-S^-1 (dS x)`
            fn jvp_0(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                da: &Sq<T, D>,
            ) -> Rhs<T, D, C> {
                $solve(a, &-($part(da) * y))
            }
        );
        solve!(
            /// `S^-1 db`
            fn jvp_1(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                db: &Rhs<T, D, C>,
            ) -> Rhs<T, D, C> {
                $solve(a, db)
            }
        );
        solve!(
            /// `fold(-b_bar x^T)` with `b_bar = S^-T x_bar`
            fn vjp_0(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                y_bar: &Rhs<T, D, C>,
            ) -> Sq<T, D> {
                let g = $solve_t(a, y_bar);
                $fold(&-(g * y.transpose()))
            }
        );
        solve!(
            /// `S^-T x_bar`
            fn vjp_1(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                y_bar: &Rhs<T, D, C>,
            ) -> Rhs<T, D, C> {
                $solve_t(a, y_bar)
            }
        );
        solve!(
            /// With `g = S^-T x_bar`, `dg = S^-T (dx_bar - dS^T g)`:
            /// `fold(-(dg x^T + g dx^T))`
            fn vjp_0_jvp(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                da: &Sq<T, D>,
                db: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                dy: &Rhs<T, D, C>,
                y_bar: &Rhs<T, D, C>,
                dy_bar: &Rhs<T, D, C>,
            ) -> Sq<T, D> {
                let g = $solve_t(a, y_bar);
                let dg = $solve_t(a, &(dy_bar - $part(da).transpose() * &g));
                $fold(&-(dg * y.transpose() + g * dy.transpose()))
            }
        );
        solve!(
            /// `dg = S^-T (dx_bar - dS^T g)`
            fn vjp_1_jvp(
                a: &Sq<T, D>,
                b: &Rhs<T, D, C>,
                da: &Sq<T, D>,
                db: &Rhs<T, D, C>,
                y: &Rhs<T, D, C>,
                dy: &Rhs<T, D, C>,
                y_bar: &Rhs<T, D, C>,
                dy_bar: &Rhs<T, D, C>,
            ) -> Rhs<T, D, C> {
                let g = $solve_t(a, y_bar);
                $solve_t(a, &(dy_bar - $part(da).transpose() * g))
            }
        );
    };
}

/// `dA` itself (LU reads all of `A`).
fn whole<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    a.clone()
}

/// The lower triangle, diagonal included.
fn lower<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    a.lower_triangle()
}

/// The upper triangle, diagonal included.
fn upper<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    a.upper_triangle()
}

/// The symmetric matrix whose lower triangle is `a`'s: what Cholesky reads.
fn sym_lower<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let mut s = a.lower_triangle();
    s.fill_upper_triangle_with_lower_triangle();
    s
}

/// The adjoint of `sym_lower`: `G_ij + G_ji` below the diagonal, `G_ii` on
/// it, zero above.
fn fold_sym_lower<T: RealField + Copy, D: Dim>(g: &Sq<T, D>) -> Sq<T, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let mut out = (g + g.transpose()).lower_triangle();
    for i in 0..g.nrows() {
        out[(i, i)] = g[(i, i)];
    }
    out
}

/// `$name(a, b)`: nalgebra's triangular solve `$method` (`tr_` ones solve
/// with the transpose), which reads one triangle of `a`.
macro_rules! triangular {
    ($($name:ident: $method:ident),* $(,)?) => {$(
        fn $name<T: RealField + Copy, D: DimMin<D, Output = D>, C: Dim>(
            a: &Sq<T, D>,
            b: &Rhs<T, D, C>,
        ) -> Rhs<T, D, C>
        where
            DefaultAllocator: Allocator<D, D> + Allocator<D, C>,
        {
            a.$method(b)
                .expect("ad: a triangular solve with a zero on the diagonal")
        }
    )*};
}

triangular!(
    lower_solve: solve_lower_triangular,
    lower_solve_t: tr_solve_lower_triangular,
    upper_solve: solve_upper_triangular,
    upper_solve_t: tr_solve_upper_triangular,
);

/// `S^-1 b` for `S = sym_lower(A)`, by Cholesky.
fn chol_solve<T: RealField + Copy, D: DimMin<D, Output = D>, C: Dim>(
    a: &Sq<T, D>,
    b: &Rhs<T, D, C>,
) -> Rhs<T, D, C>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D, C>,
{
    a.clone()
        .cholesky()
        .expect("ad: a Cholesky solve with a matrix that is not positive definite")
        .solve(b)
}

solve!(
    /// `a.lu().solve(&b).unwrap()`
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{Matrix2, Vector2};
    ///
    /// let x = la::solve(&Matrix2::new(2.0, 0.0, 0.0, 4.0), &Vector2::new(1.0, 1.0));
    /// assert_eq!(x, Vector2::new(0.5, 0.25));
    /// ```
    fn solve(a: &Sq<T, D>, b: &Rhs<T, D, C>) -> Rhs<T, D, C> {
        lu_solve(a, b)
    }
);

/// Rules of `x = a.lu().solve(&b).unwrap()`: `dx = A^-1 (db - dA x)`,
/// `b_bar = A^-T x_bar`, `A_bar = -b_bar x^T`.
///
/// ```
/// use ad_runtime::la;
/// use nalgebra::{Matrix1, Vector1};
///
/// // x = b / a at a = 2, b = 1: dx/da = -b / a^2, dx/db = 1 / a.
/// let (a, b, x) = (Matrix1::new(2.0), Vector1::new(1.0), Vector1::new(0.5));
/// assert_eq!(la::solve::jvp_0(&a, &b, &x, &Matrix1::new(1.0)), Vector1::new(-0.25));
/// assert_eq!(la::solve::vjp_1(&a, &b, &x, &Vector1::new(1.0)), Vector1::new(0.5));
/// assert_eq!(la::solve::vjp_0(&a, &b, &x, &Vector1::new(1.0)), Matrix1::new(-0.25));
/// ```
pub mod solve {
    use super::*;
    solve_rules!(whole, whole, lu_solve, lu_solve_t);
}

solve!(
    /// `a.cholesky().unwrap().solve(&b)`: reads the lower triangle of `a`.
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{Matrix2, Vector2};
    ///
    /// let x = la::solve_cholesky(&Matrix2::new(4.0, 99.0, 0.0, 1.0), &Vector2::new(4.0, 1.0));
    /// assert_eq!(x, Vector2::new(1.0, 1.0));
    /// ```
    fn solve_cholesky(a: &Sq<T, D>, b: &Rhs<T, D, C>) -> Rhs<T, D, C> {
        chol_solve(a, b)
    }
);

/// Rules of `x = a.cholesky().unwrap().solve(&b)`, the solve's rules with
/// `S` the symmetric matrix of `a`'s lower triangle.
pub mod solve_cholesky {
    use super::*;
    fn part<T: RealField + Copy, D: Dim>(a: &Sq<T, D>) -> Sq<T, D>
    where
        DefaultAllocator: Allocator<D, D>,
    {
        sym_lower(a)
    }
    solve_rules!(part, fold_sym_lower, chol_solve, chol_solve);
}

solve!(
    /// `a.solve_lower_triangular(&b).unwrap()`: reads the lower triangle.
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{Matrix2, Vector2};
    ///
    /// let x = la::solve_lower_triangular(&Matrix2::new(2.0, 99.0, 1.0, 1.0), &Vector2::new(2.0, 2.0));
    /// assert_eq!(x, Vector2::new(1.0, 1.0));
    /// ```
    fn solve_lower_triangular(a: &Sq<T, D>, b: &Rhs<T, D, C>) -> Rhs<T, D, C> {
        lower_solve(a, b)
    }
);

/// Rules of `x = a.solve_lower_triangular(&b).unwrap()`.
pub mod solve_lower_triangular {
    use super::*;
    solve_rules!(lower, lower, lower_solve, lower_solve_t);
}

solve!(
    /// `a.solve_upper_triangular(&b).unwrap()`: reads the upper triangle.
    ///
    /// ```
    /// use ad_runtime::la;
    /// use nalgebra::{Matrix2, Vector2};
    ///
    /// let x = la::solve_upper_triangular(&Matrix2::new(1.0, 1.0, 99.0, 2.0), &Vector2::new(2.0, 2.0));
    /// assert_eq!(x, Vector2::new(1.0, 1.0));
    /// ```
    fn solve_upper_triangular(a: &Sq<T, D>, b: &Rhs<T, D, C>) -> Rhs<T, D, C> {
        upper_solve(a, b)
    }
);

/// Rules of `x = a.solve_upper_triangular(&b).unwrap()`.
pub mod solve_upper_triangular {
    use super::*;
    solve_rules!(upper, upper, upper_solve, upper_solve_t);
}

#[cfg(test)]
mod tests {
    //! Each rule against central finite differences of the primal (tangent
    //! rules), of the cotangent rule (second order), and the cotangent rules
    //! against the tangent rules by the dot-product identity.
    use super::*;
    use nalgebra::{DMatrix, DVector, Matrix3, Vector3};

    type X = DMatrix<f64>;
    /// A rule of `y = f(a)`: `(a, y, da or y_bar)`.
    type Rule1 = dyn Fn(&X, &X, &X) -> X;
    /// A second-order rule: `(a, da, y, dy, y_bar, dy_bar)`.
    type Rule2 = dyn Fn(&X, &X, &X, &X, &X, &X) -> X;
    /// A rule of a solve, by argument `k`, on its arguments.
    type RuleK = dyn Fn(usize, &[&X]) -> X;

    const H: f64 = 1e-6;

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs())),
            "{what}: {a} vs {b}"
        );
    }

    fn close_m(a: &DMatrix<f64>, b: &DMatrix<f64>, what: &str) {
        assert_eq!(a.shape(), b.shape(), "{what}");
        for (x, y) in a.iter().zip(b.iter()) {
            close(*x, *y, what);
        }
    }

    /// A well-conditioned, unsymmetric 4x4 matrix, and a symmetric positive
    /// definite one, and directions.
    fn a() -> DMatrix<f64> {
        DMatrix::from_fn(4, 4, |i, j| {
            if i == j {
                4.0 + i as f64
            } else {
                ((3 * i + 5 * j) % 7) as f64 / 7.0 - 0.4
            }
        })
    }
    fn spd() -> DMatrix<f64> {
        let m = a();
        &m * m.transpose() + DMatrix::identity(4, 4)
    }
    fn dir(seed: usize, r: usize, c: usize) -> DMatrix<f64> {
        DMatrix::from_fn(r, c, |i, j| {
            (((seed + 7 * i + 3 * j) * 2654435761) % 1000) as f64 / 500.0 - 1.0
        })
    }

    /// Checks a rule family of `y = f(a)` (matrix to matrix, or scalar
    /// through a 1x1 matrix).
    fn check_unary(
        name: &str,
        a: &X,
        f: &dyn Fn(&X) -> X,
        jvp: &Rule1,
        vjp: &Rule1,
        vjp_jvp: &Rule2,
    ) {
        let y = f(a);
        let da = dir(1, a.nrows(), a.ncols());
        let ybar = dir(2, y.nrows(), y.ncols());
        let dybar = dir(3, y.nrows(), y.ncols());
        let fd = (f(&(a + &da * H)) - f(&(a - &da * H))) / (2.0 * H);
        let dy = jvp(a, &y, &da);
        close_m(&dy, &fd, &format!("{name}: jvp vs finite differences"));
        let abar = vjp(a, &y, &ybar);
        close(
            abar.dot(&da),
            ybar.dot(&dy),
            &format!("{name}: dot-product identity"),
        );
        // Second order: the tangent of a_bar(a, y(a), y_bar + t dy_bar).
        let at = |t: f64| {
            let a2 = a + &da * t;
            vjp(&a2, &f(&a2), &(&ybar + &dybar * t))
        };
        let fd2 = (at(H) - at(-H)) / (2.0 * H);
        let h = vjp_jvp(a, &da, &y, &dy, &ybar, &dybar);
        close_m(&h, &fd2, &format!("{name}: vjp_jvp vs finite differences"));
    }

    fn s(x: f64) -> DMatrix<f64> {
        DMatrix::from_element(1, 1, x)
    }

    #[test]
    fn trace_determinant_inverse() {
        check_unary(
            "trace",
            &a(),
            &|a| s(super::trace(a)),
            &|a, y, da| s(super::trace::jvp_0(a, &y[0], da)),
            &|a, y, yb| super::trace::vjp_0(a, &y[0], &yb[0]),
            &|a, da, y, dy, yb, dyb| super::trace::vjp_0_jvp(a, da, &y[0], &dy[0], &yb[0], &dyb[0]),
        );
        check_unary(
            "determinant",
            &a(),
            &|a| s(super::determinant(a)),
            &|a, y, da| s(super::determinant::jvp_0(a, &y[0], da)),
            &|a, y, yb| super::determinant::vjp_0(a, &y[0], &yb[0]),
            &|a, da, y, dy, yb, dyb| {
                super::determinant::vjp_0_jvp(a, da, &y[0], &dy[0], &yb[0], &dyb[0])
            },
        );
        check_unary(
            "inverse",
            &a(),
            &|a| super::inverse(a),
            &|a, y, da| super::inverse::jvp_0(a, y, da),
            &|a, y, yb| super::inverse::vjp_0(a, y, yb),
            &|a, da, y, dy, yb, dyb| super::inverse::vjp_0_jvp(a, da, y, dy, yb, dyb),
        );
    }

    #[test]
    fn determinant_gradient_at_a_singular_matrix() {
        // Rank 2 of 3: the gradient is the cofactor matrix, not zero.
        let m = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        let y = super::determinant(&m);
        let g = super::determinant::vjp_0(&m, &y, &1.0);
        for i in 0..3 {
            for j in 0..3 {
                let mut e = DMatrix::zeros(3, 3);
                e[(i, j)] = H;
                let fd = ((&m + &e).determinant() - (&m - &e).determinant()) / (2.0 * H);
                close(g[(i, j)], fd, "determinant at a singular matrix");
            }
        }
    }

    type Solve = fn(&DMatrix<f64>, &DMatrix<f64>) -> DMatrix<f64>;

    /// Checks the rules of a solve `x = f(a, b)` in both arguments.
    fn check_solve(name: &str, a: &DMatrix<f64>, cols: usize, f: Solve, rules: [&RuleK; 3]) {
        let [jvp, vjp, vjp_jvp] = rules;
        let n = a.nrows();
        let b = dir(4, n, cols);
        let x = f(a, &b);
        let (da, db) = (dir(5, n, n), dir(6, n, cols));
        let (xbar, dxbar) = (dir(7, n, cols), dir(8, n, cols));
        let fd =
            (f(&(a + &da * H), &(&b + &db * H)) - f(&(a - &da * H), &(&b - &db * H))) / (2.0 * H);
        let dx = jvp(0, &[a, &b, &x, &da]) + jvp(1, &[a, &b, &x, &db]);
        close_m(&dx, &fd, &format!("{name}: jvp vs finite differences"));
        let (abar, bbar) = (vjp(0, &[a, &b, &x, &xbar]), vjp(1, &[a, &b, &x, &xbar]));
        close(
            abar.dot(&da) + bbar.dot(&db),
            xbar.dot(&dx),
            &format!("{name}: dot-product identity"),
        );
        for k in 0..2 {
            let at = |t: f64| {
                let (a2, b2) = (a + &da * t, &b + &db * t);
                vjp(k, &[&a2, &b2, &f(&a2, &b2), &(&xbar + &dxbar * t)])
            };
            let fd2 = (at(H) - at(-H)) / (2.0 * H);
            let h = vjp_jvp(k, &[a, &b, &da, &db, &x, &dx, &xbar, &dxbar]);
            close_m(
                &h,
                &fd2,
                &format!("{name}: vjp_{k}_jvp vs finite differences"),
            );
        }
    }

    macro_rules! solve_family {
        ($name:expr, $a:expr, $f:path, $m:ident) => {
            for cols in [1, 2] {
                check_solve(
                    $name,
                    &$a,
                    cols,
                    |a, b| $f(a, b),
                    [
                        &|k, x| {
                            if k == 0 {
                                $m::jvp_0(x[0], x[1], x[2], x[3])
                            } else {
                                $m::jvp_1(x[0], x[1], x[2], x[3])
                            }
                        },
                        &|k, x| {
                            if k == 0 {
                                $m::vjp_0(x[0], x[1], x[2], x[3])
                            } else {
                                $m::vjp_1(x[0], x[1], x[2], x[3])
                            }
                        },
                        &|k, x| {
                            if k == 0 {
                                $m::vjp_0_jvp(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
                            } else {
                                $m::vjp_1_jvp(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
                            }
                        },
                    ],
                );
            }
        };
    }

    #[test]
    fn solves() {
        solve_family!("lu solve", a(), super::solve, solve);
        // Cholesky reads the lower triangle: the upper one may hold anything.
        let mut chol = spd();
        chol[(0, 3)] = 17.0;
        solve_family!(
            "cholesky solve",
            chol,
            super::solve_cholesky,
            solve_cholesky
        );
        solve_family!(
            "lower solve",
            a(),
            super::solve_lower_triangular,
            solve_lower_triangular
        );
        solve_family!(
            "upper solve",
            a(),
            super::solve_upper_triangular,
            solve_upper_triangular
        );
    }

    #[test]
    fn fixed_size_shapes_compile_and_agree() {
        let m = Matrix3::new(4.0, 1.0, 0.5, 0.0, 3.0, 1.0, 1.0, 0.0, 5.0);
        let b = Vector3::new(1.0, 2.0, 3.0);
        let x = super::solve(&m, &b);
        assert!((m * x - b).norm() < 1e-12);
        let d = DMatrix::from_iterator(3, 3, m.iter().copied());
        close(
            super::determinant(&m),
            d.determinant(),
            "fixed-size determinant",
        );
        let v = DVector::from_vec(vec![1.0, 2.0, 3.0]);
        close(super::trace(&m), 12.0, "fixed-size trace");
        assert_eq!(v.len(), 3);
    }
}
