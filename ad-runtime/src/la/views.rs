//! Rules of the nalgebra methods that read a part of a matrix: `column`,
//! `row`, `rows`, `columns`, `fixed_rows`, `fixed_columns` and `fixed_view`.

use super::*;
use nalgebra::{Const, Dyn};

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
pub fn column<T: RealRules, R: Dim, C: Dim>(a: &M<T, R, C>, j: &usize) -> M<T, R, U1>
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
    pub fn jvp_0<T: RealRules, R: Dim, C: Dim>(
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
    pub fn vjp_0<T: RealRules, R: Dim, C: Dim>(
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
    pub fn vjp_0_jvp<T: RealRules, R: Dim, C: Dim>(
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
pub fn row<T: RealRules, R: Dim, C: Dim>(a: &M<T, R, C>, i: &usize) -> M<T, U1, C>
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
    pub fn jvp_0<T: RealRules, R: Dim, C: Dim>(
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
    pub fn vjp_0<T: RealRules, R: Dim, C: Dim>(
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
    pub fn vjp_0_jvp<T: RealRules, R: Dim, C: Dim>(
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

/// Declares `a.rows(i, n)` or `a.columns(j, n)`, owned, and its rules
/// (linear in `a`; the start and the count are indices).
macro_rules! block_rules {
    ($name:ident, $out:ty, $doc:literal, $set:ident) => {
        #[doc = concat!("`a.", stringify!($name), "(", $doc, ", n)`, owned.")]
        #[inline]
        pub fn $name<T: RealRules, R: Dim, C: Dim>(a: &M<T, R, C>, start: &usize, n: &usize) -> $out
        where
            DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn> + Allocator<Dyn, C>,
        {
            a.$name(*start, *n).into_owned()
        }

        #[doc = concat!("Rules of `a.", stringify!($name), "(", $doc, ", n)`.")]
        pub mod $name {
            use super::*;
            #[doc = concat!("`da.", stringify!($name), "(", $doc, ", n)`")]
            #[inline]
            pub fn jvp_0<T: RealRules, R: Dim, C: Dim>(
                _a: &M<T, R, C>,
                start: &usize,
                n: &usize,
                _y: &$out,
                da: &M<T, R, C>,
            ) -> $out
            where
                DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn> + Allocator<Dyn, C>,
            {
                da.$name(*start, *n).into_owned()
            }
            /// A zero matrix with `y_bar` in the block.
            #[inline]
            pub fn vjp_0<T: RealRules, R: Dim, C: Dim>(
                a: &M<T, R, C>,
                start: &usize,
                n: &usize,
                _y: &$out,
                y_bar: &$out,
            ) -> M<T, R, C>
            where
                DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn> + Allocator<Dyn, C>,
            {
                let mut out = filled(a, T::zero());
                out.$set(*start, *n).copy_from(y_bar);
                out
            }
            /// A zero matrix with `dy_bar` in the block.
            #[inline]
            #[allow(clippy::too_many_arguments)]
            pub fn vjp_0_jvp<T: RealRules, R: Dim, C: Dim>(
                a: &M<T, R, C>,
                start: &usize,
                n: &usize,
                _da: &M<T, R, C>,
                _dstart: &(),
                _dn: &(),
                y: &$out,
                _dy: &$out,
                _y_bar: &$out,
                dy_bar: &$out,
            ) -> M<T, R, C>
            where
                DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn> + Allocator<Dyn, C>,
            {
                vjp_0(a, start, n, y, dy_bar)
            }
        }
    };
}

block_rules!(rows, M<T, Dyn, C>, "i", rows_mut);
block_rules!(columns, M<T, R, Dyn>, "j", columns_mut);

/// The block of `a` at `start` of the shape `shape`, owned.
#[inline]
fn block<T: RealRules, R: Dim, C: Dim, R2: Dim, C2: Dim>(
    a: &M<T, R, C>,
    start: (usize, usize),
    shape: (R2, C2),
) -> M<T, R2, C2>
where
    DefaultAllocator: Allocator<R, C> + Allocator<R2, C2>,
{
    a.generic_view(start, shape).into_owned()
}

/// A zero matrix of the shape of `like` with `y` at `start`.
#[inline]
fn placed<T: RealRules, R: Dim, C: Dim, R2: Dim, C2: Dim>(
    like: &M<T, R, C>,
    start: (usize, usize),
    y: &M<T, R2, C2>,
) -> M<T, R, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<R2, C2>,
{
    let mut out = filled(like, T::zero());
    out.generic_view_mut(start, y.shape_generic()).copy_from(y);
    out
}

/// Declares a fixed-size block (`a.fixed_rows::<N>(i)`, ...), owned, and its
/// rules (linear in `a`; the start is an index, the sizes are given as
/// `Const::<N>` values).
macro_rules! fixed_block_rules {
    (
        $name:ident, $doc:literal, ($($start:ident),*), ($($n:ident),*), $out:ty,
        [$($bound:tt)*], |$a:ident| ($s:expr, $shape:expr), $example:literal
    ) => {
        #[doc = concat!("`a.", $doc, "`, owned; the sizes are passed as `Const::<N>` values.")]
        #[doc = ""]
        #[doc = "```"]
        #[doc = "use ad_runtime::la;"]
        #[doc = "use nalgebra::{Const, DMatrix};"]
        #[doc = ""]
        #[doc = "let a = DMatrix::from_fn(3, 3, |i, j| (3 * i + j) as f64);"]
        #[doc = $example]
        #[doc = "```"]
        #[inline]
        pub fn $name<T: RealRules, R: Dim, C: Dim, $(const $n: usize),*>(
            $a: &M<T, R, C>,
            $($start: &usize,)*
            $(_: &Const<$n>,)*
        ) -> $out
        where
            DefaultAllocator: Allocator<R, C> + $($bound)*,
        {
            block($a, $s, $shape)
        }

        #[doc = concat!("Rules of `a.", $doc, "`.")]
        pub mod $name {
            use super::*;
            #[doc = concat!("`da.", $doc, "`")]
            #[inline]
            pub fn jvp_0<T: RealRules, R: Dim, C: Dim, $(const $n: usize),*>(
                $a: &M<T, R, C>,
                $($start: &usize,)*
                $(_: &Const<$n>,)*
                _y: &$out,
                da: &M<T, R, C>,
            ) -> $out
            where
                DefaultAllocator: Allocator<R, C> + $($bound)*,
            {
                let _ = $a;
                let $a = da;
                block($a, $s, $shape)
            }
            /// A zero matrix with `y_bar` in the block.
            #[inline]
            pub fn vjp_0<T: RealRules, R: Dim, C: Dim, $(const $n: usize),*>(
                $a: &M<T, R, C>,
                $($start: &usize,)*
                $(_: &Const<$n>,)*
                _y: &$out,
                y_bar: &$out,
            ) -> M<T, R, C>
            where
                DefaultAllocator: Allocator<R, C> + $($bound)*,
            {

                placed($a, $s, y_bar)
            }
            /// A zero matrix with `dy_bar` in the block.
            #[inline]
            #[allow(clippy::too_many_arguments)]
            pub fn vjp_0_jvp<T: RealRules, R: Dim, C: Dim, $(const $n: usize),*>(
                $a: &M<T, R, C>,
                $($start: &usize,)*
                $(_: &Const<$n>,)*
                _da: &M<T, R, C>,
                $(_: fixed_block_rules!(@unit $start),)*
                $(_: fixed_block_rules!(@unit $n),)*
                _y: &$out,
                _dy: &$out,
                _y_bar: &$out,
                dy_bar: &$out,
            ) -> M<T, R, C>
            where
                DefaultAllocator: Allocator<R, C> + $($bound)*,
            {

                placed($a, $s, dy_bar)
            }
        }
    };
    (@unit $x:ident) => { &() };
}

fixed_block_rules!(
    fixed_rows, "fixed_rows::<N>(i)", (i), (N), M<T, Const<N>, C>,
    [Allocator<Const<N>, C>], |a| ((*i, 0), (Const::<N>, a.shape_generic().1)),
    "assert_eq!(la::fixed_rows(&a, &1, &Const::<2>), a.fixed_rows::<2>(1));"
);
fixed_block_rules!(
    fixed_columns, "fixed_columns::<N>(j)", (j), (N), M<T, R, Const<N>>,
    [Allocator<R, Const<N>>], |a| ((0, *j), (a.shape_generic().0, Const::<N>)),
    "assert_eq!(la::fixed_columns(&a, &0, &Const::<2>), a.fixed_columns::<2>(0));"
);
fixed_block_rules!(
    fixed_view, "fixed_view::<P, Q>(i, j)", (i, j), (P, Q), M<T, Const<P>, Const<Q>>,
    [Allocator<Const<P>, Const<Q>>], |a| ((*i, *j), (Const::<P>, Const::<Q>)),
    "assert_eq!(la::fixed_view(&a, &1, &0, &Const::<2>, &Const::<2>), a.fixed_view::<2, 2>(1, 0));"
);

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn blocks_put_their_cotangent_back_in_place() {
        let a = DMatrix::from_fn(4, 3, |i, j| (3 * i + j) as f64);
        let y = rows(&a, &1, &2);
        assert_eq!(y, a.rows(1, 2));
        let y_bar = DMatrix::from_element(2, 3, 1.0);
        let a_bar = rows::vjp_0(&a, &1, &2, &y, &y_bar);
        // <a_bar, da> = <y_bar, dy> for every da: the adjoint of the copy.
        let da = DMatrix::from_fn(4, 3, |i, j| (i * i + 2 * j) as f64 - 1.5);
        let dy = rows::jvp_0(&a, &1, &2, &y, &da);
        assert_eq!(a_bar.dot(&da), y_bar.dot(&dy));
        let z = columns(&a, &0, &2);
        let z_bar = DMatrix::from_fn(4, 2, |i, j| (i + j) as f64);
        let a_bar = columns::vjp_0(&a, &0, &2, &z, &z_bar);
        let dz = columns::jvp_0(&a, &0, &2, &z, &da);
        assert_eq!(a_bar.dot(&da), z_bar.dot(&dz));
        assert_eq!(a_bar.columns(0, 2), z_bar);
        assert_eq!(a_bar.column(2).sum(), 0.0);
    }

    #[test]
    fn fixed_blocks_put_their_cotangent_back_in_place() {
        use nalgebra::{Matrix2, Matrix3, RowVector3, Vector3};
        let a = Matrix3::from_fn(|i, j| (3 * i + j) as f64);
        let da = Matrix3::from_fn(|i, j| (i * i + 2 * j) as f64 - 1.5);
        let dda = Matrix3::from_fn(|i, j| (i + j) as f64 * 0.5);
        // Values: nalgebra's blocks, owned.
        let y = fixed_rows(&a, &1, &Const::<1>);
        assert_eq!(y, a.fixed_rows::<1>(1));
        let z = fixed_columns(&a, &2, &Const::<1>);
        assert_eq!(z, a.fixed_columns::<1>(2));
        let v = fixed_view(&a, &1, &0, &Const::<2>, &Const::<2>);
        assert_eq!(v, a.fixed_view::<2, 2>(1, 0));
        // Tangents: the block of the tangent; cotangents: the adjoint of
        // the copy (<a_bar, da> = <y_bar, dy>), zero outside the block; the
        // second-order rules put dy_bar where vjp_0 puts y_bar.
        let y_bar = RowVector3::new(1.0, -2.0, 0.5);
        let dy = fixed_rows::jvp_0(&a, &1, &Const::<1>, &y, &da);
        assert_eq!(dy, da.fixed_rows::<1>(1));
        let a_bar = fixed_rows::vjp_0(&a, &1, &Const::<1>, &y, &y_bar);
        assert_eq!(a_bar.dot(&da), y_bar.dot(&dy));
        assert_eq!(a_bar.row(0).sum() + a_bar.row(2).sum(), 0.0);
        let h = fixed_rows::vjp_0_jvp(
            &a,
            &1,
            &Const::<1>,
            &dda,
            &(),
            &(),
            &y,
            &dy,
            &y_bar,
            &(y_bar * 3.0),
        );
        assert_eq!(h, a_bar * 3.0);
        let z_bar = Vector3::new(0.25, 1.0, -1.0);
        let dz = fixed_columns::jvp_0(&a, &2, &Const::<1>, &z, &da);
        let a_bar = fixed_columns::vjp_0(&a, &2, &Const::<1>, &z, &z_bar);
        assert_eq!(a_bar.dot(&da), z_bar.dot(&dz));
        let v_bar = Matrix2::new(1.0, 2.0, -3.0, 0.5);
        let dv = fixed_view::jvp_0(&a, &1, &0, &Const::<2>, &Const::<2>, &v, &da);
        assert_eq!(dv, da.fixed_view::<2, 2>(1, 0));
        let a_bar = fixed_view::vjp_0(&a, &1, &0, &Const::<2>, &Const::<2>, &v, &v_bar);
        assert_eq!(a_bar.dot(&da), v_bar.dot(&dv));
        assert_eq!(a_bar.fixed_view::<2, 2>(1, 0), v_bar);
        assert_eq!(a_bar.row(0).sum() + a_bar.column(2).sum(), 0.0);
        let h = fixed_view::vjp_0_jvp(
            &a,
            &1,
            &0,
            &Const::<2>,
            &Const::<2>,
            &dda,
            &(),
            &(),
            &(),
            &(),
            &v,
            &dv,
            &v_bar,
            &v_bar,
        );
        assert_eq!(h, a_bar);
    }
}
