//! [`Rows`]: the results of `f_vjp_many`'s reverse sweeps, filled by a loop
//! in the generated function (so the sweeps are inlined next to the shared
//! forward sweep, not called through a closure).

use std::mem::{ManuallyDrop, MaybeUninit};

/// An array of `N` values filled in order, then taken whole.
///
/// ```
/// let mut rows = ad_runtime::Rows::<Vec<f64>, 2>::new();
/// rows.push(vec![1.0]);
/// rows.push(vec![2.0, 3.0]);
/// assert_eq!(rows.finish(), [vec![1.0], vec![2.0, 3.0]]);
/// ```
pub struct Rows<T, const N: usize> {
    items: [MaybeUninit<T>; N],
    len: usize,
}

impl<T, const N: usize> Rows<T, N> {
    /// No values yet.
    #[inline]
    pub fn new() -> Self {
        Rows {
            items: [const { MaybeUninit::uninit() }; N],
            len: 0,
        }
    }

    /// Adds the next value.
    ///
    /// # Panics
    ///
    /// If there are `N` already.
    #[inline]
    pub fn push(&mut self, value: T) {
        assert!(self.len < N, "ad: more than {N} rows");
        self.items[self.len].write(value);
        self.len += 1;
    }

    /// The `N` values.
    ///
    /// # Panics
    ///
    /// If fewer than `N` were pushed.
    #[inline]
    pub fn finish(self) -> [T; N] {
        assert_eq!(self.len, N, "ad: fewer than {N} rows");
        let rows = ManuallyDrop::new(self);
        // SAFETY: all `N` items are initialised (checked above), and
        // `[MaybeUninit<T>; N]` has the layout of `[T; N]`; `rows` is not
        // dropped, so each value is moved out exactly once.
        unsafe { std::ptr::read(rows.items.as_ptr().cast::<[T; N]>()) }
    }
}

impl<T, const N: usize> Default for Rows<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> Drop for Rows<T, N> {
    fn drop(&mut self) {
        for item in &mut self.items[..self.len] {
            // SAFETY: the first `len` items are initialised, and dropped
            // only here (a finished `Rows` is not dropped).
            unsafe { item.assume_init_drop() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rows;
    use std::rc::Rc;

    #[test]
    fn unfinished_rows_drop_what_they_hold() {
        let counted = Rc::new(());
        {
            let mut rows = Rows::<Rc<()>, 3>::new();
            rows.push(Rc::clone(&counted));
            rows.push(Rc::clone(&counted));
            assert_eq!(Rc::strong_count(&counted), 3);
        }
        assert_eq!(Rc::strong_count(&counted), 1);
    }

    #[test]
    #[should_panic(expected = "fewer than 2 rows")]
    fn finishing_early_is_a_bug() {
        let mut rows = Rows::<f64, 2>::new();
        rows.push(1.0);
        rows.finish();
    }

    #[test]
    #[should_panic(expected = "more than 1 rows")]
    fn pushing_too_many_is_a_bug() {
        let mut rows = Rows::<f64, 1>::new();
        rows.push(1.0);
        rows.push(2.0);
    }
}
