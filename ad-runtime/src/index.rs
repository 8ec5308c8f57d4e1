//! Loop indices rebuilt by the reverse sweep.
//!
//! A `for` loop over `a..b` (or `a..=b`, or their `.rev()`) runs over
//! consecutive integers: the reverse sweep replays the same indices
//! backwards from one recorded end and the trip count, instead of saving
//! every index.

/// The integer types a range loop can count with.
///
/// ```
/// use ad_runtime::RangeIndex;
///
/// assert_eq!(5usize.up(2), 7);
/// assert_eq!(5i32.down(7), -2);
/// ```
pub trait RangeIndex: Copy {
    /// `self + k`.
    fn up(self, k: usize) -> Self;
    /// `self - k`.
    fn down(self, k: usize) -> Self;
}

macro_rules! range_index {
    ($($t:ty),*) => {$(
        impl RangeIndex for $t {
            #[inline]
            fn up(self, k: usize) -> $t {
                self + k as $t
            }
            #[inline]
            fn down(self, k: usize) -> $t {
                self - k as $t
            }
        }
    )*};
}
range_index!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// The indices of `start..` that a loop visited in `count` iterations, last
/// first.
///
/// ```
/// // `for i in 2..5` ran 3 times; the reverse sweep visits 4, 3, 2.
/// let back: Vec<usize> = ad_runtime::indices_back(2, 3).collect();
/// assert_eq!(back, [4, 3, 2]);
/// ```
#[inline]
pub fn indices_back<I: RangeIndex>(start: I, count: usize) -> impl Iterator<Item = I> {
    (0..count).rev().map(move |k| start.up(k))
}

/// The indices of `(..end).rev()` that a loop visited in `count`
/// iterations, last first.
///
/// ```
/// // `for i in (2..5).rev()` visited 4, 3, 2; the reverse sweep visits 2, 3, 4.
/// let back: Vec<i64> = ad_runtime::indices_back_from_end(5, 3).collect();
/// assert_eq!(back, [2, 3, 4]);
/// ```
#[inline]
pub fn indices_back_from_end<I: RangeIndex>(end: I, count: usize) -> impl Iterator<Item = I> {
    (1..=count).rev().map(move |k| end.down(k))
}

/// The indices of `(..=last).rev()` that a loop visited in `count`
/// iterations, last first.
///
/// ```
/// // `for i in (2..=4).rev()` visited 4, 3, 2; the reverse sweep visits 2, 3, 4.
/// let back: Vec<u32> = ad_runtime::indices_back_from_last(4, 3).collect();
/// assert_eq!(back, [2, 3, 4]);
/// ```
#[inline]
pub fn indices_back_from_last<I: RangeIndex>(last: I, count: usize) -> impl Iterator<Item = I> {
    (0..count).rev().map(move |k| last.down(k))
}
