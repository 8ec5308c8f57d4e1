//! Nested arrays: `[[T; N]; M]`, `Vec<Vec<T>>`, `Vec<[T; N]>`, `[Vec<T>; M]`
//! and slices of rows (`&[Vec<T>]`, `&[[T; N]]`), as parameters of
//! differentiated functions called by other differentiated functions.
//!
//! The same calling convention as flat arrays ([`crate::call`]): a caller's
//! tangent of a nested argument is passed as it is, or [`NoTangent`] becomes
//! zeros of the primal's shape; a callee's cotangent (owned: `Vec<Vec<T>>`
//! for `&[Vec<T>]`, `[[T; N]; M]` for an array) is added row by row into the
//! caller's adjoint of what it passed, a whole nested array or a range of its
//! rows (`&mut a_bar[1..]`). A single row (`&a[r]`, `&a[r][1..]`) is a flat
//! array: the rules of [`crate::call`] apply to it.

use crate::call::{AddTo, NoTangent, TangentFor, TangentRef};
use crate::ops::Cotangent;
use crate::Real;

/// Nested arrays by value: a caller's tangent as it is, or zeros.
macro_rules! tangent_for {
    ($([$($g:tt)*] $p:ty;)*) => {$(
        impl<T: Real, $($g)*> TangentFor<$p> for $p {
            #[inline]
            fn tangent_for(self, _: &$p) -> $p {
                self
            }
        }

        impl<T: Real, $($g)*> TangentFor<$p> for NoTangent {
            #[inline]
            fn tangent_for(self, primal: &$p) -> $p {
                primal.zero_cotangent()
            }
        }
    )*};
}
tangent_for! {
    [] Vec<Vec<T>>;
    [const N: usize] Vec<[T; N]>;
    [const N: usize, const M: usize] [[T; N]; M];
    [const M: usize] [Vec<T>; M];
}

/// A borrowed nested parameter `&P`: the caller's borrowed tangent as it is
/// (`&da` for `&a`, `&da[1..]` for `&a[1..]`), or zeros the wrapper owns.
///
/// ```
/// use ad_runtime::{tangent_ref, NoTangent};
/// use std::borrow::Borrow;
///
/// let a = vec![vec![1.0f64, 2.0], vec![3.0, 4.0]];
/// let da = vec![vec![0.5, 0.0], vec![1.0, -1.0]];
/// let t = tangent_ref::<[Vec<f64>], _>(&da[1..], &a[1..]);
/// assert_eq!(Borrow::<[Vec<f64>]>::borrow(&t), &[vec![1.0, -1.0]]);
/// let z = tangent_ref::<[Vec<f64>], _>(NoTangent, &a[..]);
/// assert_eq!(Borrow::<[Vec<f64>]>::borrow(&z), &[vec![0.0; 2], vec![0.0; 2]]);
/// ```
macro_rules! tangent_ref {
    ($([$($g:tt)*] $p:ty;)*) => {$(
        impl<'a, T: Real, $($g)*> TangentRef<$p> for &'a $p {
            type Out = &'a $p;
            #[inline]
            fn tangent_ref(self, _: &$p) -> &'a $p {
                self
            }
        }

        impl<T: Real, $($g)*> TangentRef<$p> for NoTangent {
            type Out = <$p as Cotangent>::Owned;
            #[inline]
            fn tangent_ref(self, primal: &$p) -> Self::Out {
                primal.zero_cotangent()
            }
        }
    )*};
}
tangent_ref! {
    [] [Vec<T>];
    [const N: usize] [[T; N]];
    [] Vec<Vec<T>>;
    [const N: usize] Vec<[T; N]>;
    [const N: usize, const M: usize] [[T; N]; M];
    [const M: usize] [Vec<T>; M];
}

/// A `&[R]` parameter borrowing a caller's `Vec` or array of rows.
macro_rules! rows_ref {
    ($([$($g:tt)*] $row:ty: $t:ty;)*) => {$(
        impl<'a, T: Real, $($g)*> TangentRef<[$row]> for &'a $t {
            type Out = &'a [$row];
            #[inline]
            fn tangent_ref(self, _: &[$row]) -> &'a [$row] {
                self
            }
        }
    )*};
}
rows_ref! {
    [] Vec<T>: Vec<Vec<T>>;
    [const M: usize] Vec<T>: [Vec<T>; M];
    [const N: usize] [T; N]: Vec<[T; N]>;
    [const N: usize, const M: usize] [T; N]: [[T; N]; M];
}

/// The cotangent of a nested parameter, added row by row into the caller's
/// adjoint of what it passed: a whole nested array, or a range of its rows.
///
/// ```
/// use ad_runtime::accumulate;
///
/// let mut a_bar = vec![vec![1.0f64, 1.0], vec![0.0, 0.0], vec![2.0, 2.0]];
/// accumulate(&mut a_bar[1..], vec![vec![0.5, 1.5], vec![1.0, -1.0]]);
/// assert_eq!(a_bar, [vec![1.0, 1.0], vec![0.5, 1.5], vec![3.0, 1.0]]);
/// let mut m_bar = [[0.0f32; 2]; 2];
/// accumulate(&mut m_bar, &[[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(m_bar, [[1.0, 2.0], [3.0, 4.0]]);
/// ```
macro_rules! add_rows {
    ($([$($g:tt)*] $c:ty, $row:ty;)*) => {$(
        impl<T: Real, X: AsMut<[$row]> + ?Sized, $($g)*> AddTo<X> for $c {
            #[inline]
            fn add_to(self, x: &mut X) {
                add_rows(&self[..], x.as_mut());
            }
        }

        /// Borrowed (`accumulate(&mut v_bar, &w_bar)` for a copy), added
        /// without being consumed.
        impl<T: Real, X: AsMut<[$row]> + ?Sized, $($g)*> AddTo<X> for &$c {
            #[inline]
            fn add_to(self, x: &mut X) {
                add_rows(&self[..], x.as_mut());
            }
        }
    )*};
}
add_rows! {
    [] Vec<Vec<T>>, Vec<T>;
    [const N: usize] Vec<[T; N]>, [T; N];
    [const N: usize, const M: usize] [[T; N]; M], [T; N];
    [const M: usize] [Vec<T>; M], Vec<T>;
}

impl<T: Real, X: AsMut<[Vec<T>]> + ?Sized> AddTo<X> for &[Vec<T>] {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_rows(self, x.as_mut());
    }
}

impl<T: Real, X: AsMut<[[T; N]]> + ?Sized, const N: usize> AddTo<X> for &[[T; N]] {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_rows(self, x.as_mut());
    }
}

fn add_rows<T: Real, R: AsRef<[T]>, S: AsMut<[T]>>(c: &[R], x: &mut [S]) {
    assert_eq!(
        c.len(),
        x.len(),
        "a cotangent of {} rows added into a nested array of {} rows",
        c.len(),
        x.len()
    );
    for (x, c) in x.iter_mut().zip(c) {
        let (x, c) = (x.as_mut(), c.as_ref());
        assert_eq!(
            c.len(),
            x.len(),
            "a cotangent row of length {} added into a row of length {}",
            c.len(),
            x.len()
        );
        for (x, c) in x.iter_mut().zip(c) {
            *x += *c;
        }
    }
}

/// The sum of the rows: the cotangent of the row `r` in `vec![r; m]` (or
/// `[r; M]`), whose every copy receives its row's cotangent.
///
/// ```
/// let m_bar = vec![vec![1.0, 2.0], vec![0.5, -1.0], vec![0.0, 3.0]];
/// assert_eq!(ad_runtime::sum_rows(&m_bar), vec![1.5, 4.0]);
/// assert_eq!(ad_runtime::sum_rows(&[[1.0f32, 2.0], [3.0, 4.0]]), vec![4.0, 6.0]);
/// ```
pub fn sum_rows<T: Real, R: AsRef<[T]>, V: AsRef<[R]> + ?Sized>(v: &V) -> Vec<T> {
    let rows = v.as_ref();
    let mut out = vec![T::ZERO; rows.first().map_or(0, |r| r.as_ref().len())];
    for r in rows {
        for (o, x) in out.iter_mut().zip(r.as_ref()) {
            *o += *x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{accumulate, tangent_for, tangent_ref};
    use core::borrow::Borrow;

    #[test]
    fn tangents_are_passed_through_or_zero() {
        let m = [[1.0f64, 2.0], [3.0, 4.0]];
        assert_eq!(
            tangent_for([[0.5, 0.0], [1.0, 2.0]], &m),
            [[0.5, 0.0], [1.0, 2.0]]
        );
        assert_eq!(tangent_for(NoTangent, &m), [[0.0; 2]; 2]);
        let v = vec![vec![1.0f32], vec![2.0, 3.0]];
        assert_eq!(tangent_for(NoTangent, &v), vec![vec![0.0], vec![0.0, 0.0]]);
        let w = vec![[1.0f64, 2.0]; 3];
        let t = tangent_ref::<[[f64; 2]], _>(&w, &w[..]);
        assert_eq!(Borrow::<[[f64; 2]]>::borrow(&t).len(), 3);
        let z = tangent_ref::<Vec<Vec<f32>>, _>(NoTangent, &v);
        assert_eq!(
            Borrow::<Vec<Vec<f32>>>::borrow(&z),
            &vec![vec![0.0], vec![0.0, 0.0]]
        );
    }

    #[test]
    fn cotangents_add_row_by_row() {
        let mut a_bar = vec![[1.0f64, 2.0]; 2];
        accumulate(&mut a_bar, vec![[0.5, 0.5], [1.0, -2.0]]);
        assert_eq!(a_bar, [[1.5, 2.5], [2.0, 0.0]]);
        let mut b_bar = [vec![0.0f64; 3], vec![1.0; 3]];
        accumulate(&mut b_bar, &[vec![1.0, 2.0, 3.0], vec![0.0; 3]][..]);
        assert_eq!(b_bar, [vec![1.0, 2.0, 3.0], vec![1.0; 3]]);
        // A row: a flat cotangent into a row of the adjoint.
        accumulate(&mut b_bar[1][1..], vec![1.0, 1.0]);
        assert_eq!(b_bar[1], [1.0, 2.0, 2.0]);
    }

    #[test]
    #[should_panic(expected = "a cotangent row of length 1 added into a row of length 2")]
    fn rows_of_different_lengths_do_not_add() {
        accumulate(&mut vec![vec![0.0f64; 2]], vec![vec![1.0]]);
    }
}
