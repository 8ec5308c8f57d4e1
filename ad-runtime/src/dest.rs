//! Destinations: a helper's pullback adds a slice parameter's cotangent
//! straight into its caller's cotangent buffer.
//!
//! A differentiated caller's reverse sweep calls a helper's pullback (its
//! split form, see `ad-macros`' `split.rs`) with, for each argument, a
//! destination: the caller's cotangent of the array it passed
//! (`&mut x_bar[a..b]`), a [`scratch`] buffer for an array it does not
//! differentiate, or nothing. A helper's `&[f64]` parameter takes it as an
//! `Option<&mut [f64]>`: given one, the pullback adds the parameter's
//! cotangent there and returns `None`; given none (an array passed by
//! value or computed in place, or one passed twice and already lent), it
//! makes its own zero cotangent and returns it (so does a caller on
//! nalgebra values for an array it does not differentiate). Parameters of
//! other types ignore the destination and return their cotangent, which
//! the caller adds.
//!
//! So a helper called on sub-slices of its caller's arrays costs no
//! cotangent allocation per call:
//!
//! ```
//! use ad_runtime::dest::{dest, deliver, Slot};
//!
//! // The pullback of `fn g(x: &[f64]) -> f64 { 2.0 * x[0] + x[1] }`.
//! fn pullback(x: &[f64], dout: f64, x_dest: Option<&mut [f64]>) -> Option<Vec<f64>> {
//!     let mut x_slot = Slot::new(x_dest, x);
//!     let x_bar = x_slot.get();
//!     x_bar[0] += 2.0 * dout;
//!     x_bar[1] += dout;
//!     x_slot.finish()
//! }
//!
//! let theta = [1.0, 2.0, 3.0, 4.0];
//! let mut theta_bar = vec![0.0; 4];
//! // A destination: added in place, nothing returned.
//! assert_eq!(pullback(&theta[2..], 1.0, dest(&mut theta_bar[2..])), None);
//! assert_eq!(theta_bar, [0.0, 0.0, 2.0, 1.0]);
//! // None: the pullback returns its own cotangent.
//! assert_eq!(pullback(&theta[..2], 1.0, dest(())), Some(vec![2.0, 1.0]));
//! // A cotangent computed whole is delivered the same way.
//! assert_eq!(deliver(Some(&mut theta_bar[..2]), vec![0.5, 0.5]), None);
//! assert_eq!(theta_bar, [0.5, 0.5, 2.0, 1.0]);
//! ```

use crate::Real;
use core::ops::{Bound, RangeBounds};

/// What a pullback's parameter takes from the destination its caller
/// offers (`S`: `&mut [T]` or `()`).
pub trait FromDest<S> {
    /// The parameter's view of the destination.
    fn from_dest(s: S) -> Self;
}

/// A parameter that takes no destination (not a slice).
impl FromDest<()> for () {
    #[inline]
    fn from_dest(_: ()) -> Self {}
}

/// A destination offered to a parameter that takes none: the pullback
/// returns the cotangent, which the caller adds.
impl<T> FromDest<&mut [T]> for () {
    #[inline]
    fn from_dest(_: &mut [T]) -> Self {}
}

impl<T> FromDest<()> for Option<&mut [T]> {
    #[inline]
    fn from_dest(_: ()) -> Self {
        None
    }
}

impl<'a, T> FromDest<&'a mut [T]> for Option<&'a mut [T]> {
    #[inline]
    fn from_dest(s: &'a mut [T]) -> Self {
        Some(s)
    }
}

/// A part of an array lent with [`lend2`] or [`lend3`]: maybe none, where
/// it overlaps another part of the same call.
impl<'a, T> FromDest<Option<&'a mut [T]>> for Option<&'a mut [T]> {
    #[inline]
    fn from_dest(s: Option<&'a mut [T]>) -> Self {
        s
    }
}

impl<T> FromDest<Option<&mut [T]>> for () {
    #[inline]
    fn from_dest(_: Option<&mut [T]>) -> Self {}
}

/// A caller's destination for one argument (see the module's documentation).
#[inline]
pub fn dest<S, D: FromDest<S>>(s: S) -> D {
    D::from_dest(s)
}

/// The destination of an inactive argument's cotangent, which nothing
/// reads: a buffer of the caller's, reused by every call it makes there,
/// zeroed to the argument's length when a slice parameter takes it (and
/// left alone by a parameter that takes no destination). So a call on an
/// inactive slice (`g(&theta[..k], &data[t..t + n])`) allocates no
/// cotangent for it.
///
/// ```
/// use ad_runtime::dest::{dest, scratch, Slot};
///
/// // The pullback of `fn g(x: &[f64], d: &[f64]) -> f64 { x[0] * d[0] }`.
/// fn pullback(
///     x: &[f64],
///     d: &[f64],
///     dout: f64,
///     (x_dest, d_dest): (Option<&mut [f64]>, Option<&mut [f64]>),
/// ) -> (Option<Vec<f64>>, Option<Vec<f64>>) {
///     let (mut x_slot, mut d_slot) = (Slot::new(x_dest, x), Slot::new(d_dest, d));
///     x_slot.get()[0] += d[0] * dout;
///     d_slot.get()[0] += x[0] * dout;
///     (x_slot.finish(), d_slot.finish())
/// }
///
/// let (x, data) = ([3.0], [2.0, 5.0]);
/// let mut x_bar = vec![0.0];
/// let mut buf = Vec::new();
/// for step in 0..2 {
///     let d = &data[step..step + 1];
///     let given = (dest(&mut x_bar[..]), dest(scratch(&mut buf, d)));
///     assert_eq!(pullback(&x, d, 1.0, given), (None, None));
/// }
/// assert_eq!(x_bar, [7.0]);
/// assert_eq!(buf, [3.0]); // the last call's, zeroed before it
/// ```
#[inline]
pub fn scratch<'a, T>(buf: &'a mut Vec<T>, x: &[T]) -> Scratch<'a, T> {
    Scratch { buf, len: x.len() }
}

/// See [`scratch`].
pub struct Scratch<'a, T> {
    buf: &'a mut Vec<T>,
    len: usize,
}

impl<'a, T: Real> FromDest<Scratch<'a, T>> for Option<&'a mut [T]> {
    #[inline]
    fn from_dest(s: Scratch<'a, T>) -> Self {
        s.buf.clear();
        s.buf.resize(s.len, T::ZERO);
        Some(&mut s.buf[..])
    }
}

impl<T> FromDest<Scratch<'_, T>> for () {
    #[inline]
    fn from_dest(_: Scratch<'_, T>) -> Self {}
}

/// A slice parameter's cotangent inside a pullback: the caller's
/// destination, or a zero of the parameter's length owned here.
pub enum Slot<'a, T> {
    /// The caller's destination.
    Given(&'a mut [T]),
    /// A zero cotangent of the pullback's own, returned at the end.
    Own(Vec<T>),
}

impl<'a, T: Real> Slot<'a, T> {
    /// The destination if there is one, else a zero cotangent of `x`'s
    /// length.
    ///
    /// # Panics
    ///
    /// If the destination's length is not `x`'s (a bug of the generated
    /// code).
    #[inline]
    pub fn new(dest: Option<&'a mut [T]>, x: &[T]) -> Self {
        match dest {
            Some(d) => {
                assert_eq!(
                    d.len(),
                    x.len(),
                    "a cotangent destination of length {} for an argument of length {}",
                    d.len(),
                    x.len()
                );
                Slot::Given(d)
            }
            None => Slot::Own(vec![T::ZERO; x.len()]),
        }
    }

    /// The cotangent to add into.
    #[inline]
    pub fn get(&mut self) -> &mut [T] {
        match self {
            Slot::Given(d) => d,
            Slot::Own(v) => v,
        }
    }

    /// What the pullback returns: nothing if the cotangent went into the
    /// destination, else the cotangent.
    #[inline]
    pub fn finish(self) -> Option<Vec<T>> {
        match self {
            Slot::Given(_) => None,
            Slot::Own(v) => Some(v),
        }
    }
}

/// A cotangent computed whole, delivered: added into the destination
/// (returning `None`), or returned.
#[inline]
pub fn deliver<T: Real>(dest: Option<&mut [T]>, c: Vec<T>) -> Option<Vec<T>> {
    match dest {
        Some(d) => {
            crate::call::accumulate(d, c);
            None
        }
        None => Some(c),
    }
}

/// No destination for any argument: the pullback's destinations when the
/// caller lends none.
pub trait NoDests {
    /// Every parameter's "no destination".
    fn no_dests() -> Self;
}

macro_rules! no_dests_tuple {
    ($(($($t:ident),*)),*) => {$(
        impl<$($t: FromDest<()>),*> NoDests for ($($t,)*) {
            #[inline]
            #[allow(clippy::unused_unit)]
            fn no_dests() -> Self {
                ($($t::from_dest(()),)*)
            }
        }
    )*};
}
no_dests_tuple!(
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H),
    (A, B, C, D, E, F, G, H, I),
    (A, B, C, D, E, F, G, H, I, J),
    (A, B, C, D, E, F, G, H, I, J, K),
    (A, B, C, D, E, F, G, H, I, J, K, L)
);

/// A pullback's destinations when the caller lends none (up to 12
/// parameters).
///
/// ```
/// let none: ((), Option<&mut [f64]>) = ad_runtime::dest::no_dests();
/// assert!(none.1.is_none());
/// ```
#[inline]
pub fn no_dests<D: NoDests>() -> D {
    D::no_dests()
}

fn span(r: &impl RangeBounds<usize>, len: usize) -> (usize, usize) {
    let start = match r.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s + 1,
        Bound::Unbounded => 0,
    };
    let end = match r.end_bound() {
        Bound::Included(&e) => e + 1,
        Bound::Excluded(&e) => e,
        Bound::Unbounded => len,
    };
    (start, end)
}

/// Disjoint parts of `x`, in the order asked; a part that overlaps one
/// taken before it (by start) or lies outside `x` is `None`.
fn carve<T, const N: usize>(x: &mut [T], spans: [(usize, usize); N]) -> [Option<&mut [T]>; N] {
    // (An insertion sort: N is 2 or 3.)
    let mut order: [usize; N] = core::array::from_fn(|i| i);
    for i in 1..N {
        let mut j = i;
        while j > 0 && spans[order[j - 1]] > spans[order[j]] {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out: [Option<&mut [T]>; N] = core::array::from_fn(|_| None);
    let mut rest = x;
    let mut offset = 0;
    for i in order {
        let (s, e) = spans[i];
        if s < offset || e < s || e > offset + rest.len() {
            continue;
        }
        let (_, from_s) = core::mem::take(&mut rest).split_at_mut(s - offset);
        let (part, after) = from_s.split_at_mut(e - s);
        out[i] = Some(part);
        rest = after;
        offset = e;
    }
    out
}

/// A part of a cotangent array, lent or not ([`lend2`], [`lend3`]).
pub type Part<'a, T> = Option<&'a mut [T]>;

/// Two parts of one cotangent array lent to one call (`g(&x[..n], &x[n..])`):
/// both when they are disjoint; where they overlap, the one that starts
/// first (the other argument's cotangent is returned and added as usual).
///
/// ```
/// let mut x_bar = vec![0.0; 4];
/// let (a, b) = ad_runtime::dest::lend2(&mut x_bar, ..2, 2..);
/// a.unwrap()[0] = 1.0;
/// b.unwrap()[1] = 2.0;
/// assert_eq!(x_bar, [1.0, 0.0, 0.0, 2.0]);
/// let (a, b) = ad_runtime::dest::lend2(&mut x_bar, 1.., ..2);
/// assert_eq!((a.is_some(), b.is_some()), (false, true)); // they overlap
/// ```
#[inline]
pub fn lend2<T>(
    x: &mut [T],
    a: impl RangeBounds<usize>,
    b: impl RangeBounds<usize>,
) -> (Option<&mut [T]>, Option<&mut [T]>) {
    let len = x.len();
    let [a, b] = carve(x, [span(&a, len), span(&b, len)]);
    (a, b)
}

/// Three parts of one cotangent array lent to one call, as [`lend2`].
#[inline]
pub fn lend3<T>(
    x: &mut [T],
    a: impl RangeBounds<usize>,
    b: impl RangeBounds<usize>,
    c: impl RangeBounds<usize>,
) -> (Part<'_, T>, Part<'_, T>, Part<'_, T>) {
    let len = x.len();
    let [a, b, c] = carve(x, [span(&a, len), span(&b, len), span(&c, len)]);
    (a, b, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part lent is the part asked for; parts overlapping one that
    /// starts before them are not lent; the others are.
    #[test]
    fn lend3_lends_the_disjoint_parts() {
        type Bounds = (usize, usize);
        let cases: [(Bounds, Bounds, Bounds, [bool; 3]); 5] = [
            ((0, 2), (2, 4), (4, 6), [true, true, true]),
            ((4, 6), (0, 2), (2, 4), [true, true, true]),
            ((1, 3), (0, 2), (3, 6), [false, true, true]),
            ((0, 6), (1, 2), (5, 6), [true, false, false]),
            ((2, 2), (0, 3), (3, 5), [false, true, true]),
        ];
        for (a, b, c, lent) in cases {
            let mut x: Vec<f64> = (0..6).map(f64::from).collect();
            let (pa, pb, pc) = lend3(&mut x, a.0..a.1, b.0..b.1, c.0..c.1);
            let got = [pa, pb, pc];
            for (k, (part, span)) in got.iter().zip([a, b, c]).enumerate() {
                assert_eq!(part.is_some(), lent[k], "{a:?} {b:?} {c:?}: part {k}");
                if let Some(p) = part {
                    let want: Vec<f64> = (span.0..span.1).map(|i| i as f64).collect();
                    assert_eq!(&p[..], &want[..]);
                }
            }
        }
    }
}
