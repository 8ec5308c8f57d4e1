//! The stacks on which the forward sweep of generated reverse-mode code
//! records what it overwrites, and the reverse sweep reads it back.
//!
//! A [`Stack`] is a `Vec` whose buffer comes from, and goes back to, a
//! per-thread pool: a derivative called again on the same thread reuses the
//! memory of the previous call instead of asking the allocator for it (and,
//! for stacks of hundreds of kilobytes, instead of having fresh pages mapped
//! and faulted in on every call, which is what glibc's malloc does above its
//! mmap threshold). The pool is per thread, so calls on several threads never
//! share or wait for it; nested and recursive calls take other buffers.
//!
//! A helper called in a loop in split mode owns its stacks from its forward
//! sweep to its pullback, so a gradient holds one set per call at once
//! (ADBench's LSTM in four helpers: about 3 000 stacks); the pool keeps
//! that many, and the next gradient takes them all back instead of
//! allocating each again.
//!
//! Bounds: at most [`MAX_BUFFERS`] buffers and [`MAX_BYTES`] bytes are kept
//! per thread; a buffer that would exceed them is freed as usual.
//! [`release_stack_buffers`] frees the calling thread's pool; a thread's
//! pool is freed when the thread ends.

use std::alloc::{dealloc, Layout};
use std::cell::RefCell;
use std::mem::{align_of, size_of, ManuallyDrop};
use std::ptr::NonNull;

/// Most buffers kept per thread.
pub const MAX_BUFFERS: usize = 1 << 14;
/// Most bytes kept per thread (all buffers together).
pub const MAX_BYTES: usize = 256 << 20;
/// How many of the most recently returned buffers a new stack looks at (a
/// call's stacks come back in the reverse of the order they are taken, so
/// the one wanted is almost always the last).
const SEARCHED: usize = 16;

/// A stack of saved values; see the [module documentation](self).
///
/// ```
/// let mut stack = ad_runtime::Stack::new();
/// stack.push(1.0);
/// stack.push(2.0);
/// assert_eq!(ad_runtime::pop(&mut stack), 2.0);
/// assert_eq!(ad_runtime::pop(&mut stack), 1.0);
/// ```
pub struct Stack<T> {
    items: Vec<T>,
}

impl<T> Stack<T> {
    /// An empty stack, with a buffer from this thread's pool if one fits.
    #[inline]
    pub fn new() -> Self {
        Stack { items: take() }
    }

    /// Saves a value.
    #[inline]
    pub fn push(&mut self, value: T) {
        // (A stack of values without size, such as pullbacks that capture
        // nothing, only counts: its capacity is unbounded.)
        if size_of::<T>() != 0 && self.items.len() == self.items.capacity() {
            // The `Vec` goes out and back by value, so that the stack's
            // address is never taken: its length can stay in a register
            // across the calls (`exp`, `tanh`) of the loop that pushes.
            self.items = grown(core::mem::take(&mut self.items));
        }
        let len = self.items.len();
        // SAFETY: `len < capacity`: the slot is allocated and free (for a
        // type without size, writing it writes nothing).
        unsafe {
            self.items.as_mut_ptr().add(len).write(value);
            self.items.set_len(len + 1);
        }
    }

    /// The number of values saved and not yet read back.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether every saved value has been read back.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The last value saved, removed.
    ///
    /// # Panics
    ///
    /// If the stack is empty: the reverse sweep reads values in the reverse
    /// order of the forward sweep's saves, so this is a bug of the generated
    /// code.
    #[inline]
    pub fn pop(&mut self) -> T {
        match self.items.pop() {
            Some(v) => v,
            None => {
                unreachable!("ad: the reverse sweep read more values than the forward sweep saved")
            }
        }
    }
}

impl<T> Default for Stack<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Stack<T> {
    #[inline]
    fn drop(&mut self) {
        // By value, as in `push`.
        give(std::mem::take(&mut self.items));
    }
}

/// `items` with room for one more value.
#[cold]
#[inline(never)]
fn grown<T>(items: Vec<T>) -> Vec<T> {
    grown_by(items, 1)
}

/// `items` with room for `n` more values.
#[cold]
#[inline(never)]
fn grown_by<T>(mut items: Vec<T>, n: usize) -> Vec<T> {
    items.reserve(n);
    items
}

/// Values that fit in 64 bits, saved on a [`Words`] stack by their bits.
///
/// ```
/// use ad_runtime::stack::Word;
/// assert_eq!(f64::from_word((-0.5f64).to_word()), -0.5);
/// assert_eq!(f32::from_word(1.25f32.to_word()), 1.25);
/// assert!(f64::from_word(f64::NAN.to_word()).is_nan());
/// assert!(bool::from_word(true.to_word()) && !bool::from_word(false.to_word()));
/// ```
pub trait Word: Copy {
    /// The value's bits.
    fn to_word(self) -> u64;
    /// The value back from its bits.
    fn from_word(word: u64) -> Self;
}

impl Word for f64 {
    #[inline]
    fn to_word(self) -> u64 {
        self.to_bits()
    }
    #[inline]
    fn from_word(word: u64) -> Self {
        f64::from_bits(word)
    }
}

/// A branch decision, recorded in the same stream as the values.
impl Word for bool {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self)
    }
    #[inline]
    fn from_word(word: u64) -> Self {
        word != 0
    }
}

impl Word for f32 {
    #[inline]
    fn to_word(self) -> u64 {
        u64::from(self.to_bits())
    }
    #[inline]
    fn from_word(word: u64) -> Self {
        // Only words made by `to_word` come back: the low 32 bits.
        f32::from_bits(word as u32)
    }
}

/// One stack for the scalar values a reverse sweep restores, of any
/// [`Word`] type: the forward sweep saves them in one stream, in the order
/// the reverse sweep reads them back (last saved, first read), instead of
/// one stack per variable. Its buffer is kept per thread like a [`Stack`]'s.
///
/// ```
/// let mut words = ad_runtime::Words::new();
/// words.push(2.5f64);
/// words.push(1.5f32);
/// let b: f32 = ad_runtime::pop(&mut words);
/// let a: f64 = ad_runtime::pop(&mut words);
/// assert_eq!((a, b), (2.5, 1.5));
/// ```
#[derive(Default)]
pub struct Words {
    words: Stack<u64>,
}

impl Words {
    /// An empty stack, with a buffer from this thread's pool if one fits.
    #[inline]
    pub fn new() -> Self {
        Words {
            words: Stack::new(),
        }
    }

    /// Saves a value.
    #[inline]
    pub fn push<T: Word>(&mut self, value: T) {
        self.words.push(value.to_word());
    }

    /// The number of values saved and not yet read back.
    #[inline]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether every saved value has been read back.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// A window for saving values, with room for `n` of them reserved at
    /// once: a loop body that saves values saves them through a [`Saving`]
    /// window, whose position stays in a register, instead of storing the
    /// stream's length after every value; the helpers it calls save on the
    /// same window. What was saved joins the stream when the window is
    /// dropped.
    ///
    /// ```
    /// let mut words = ad_runtime::Words::new();
    /// for i in 0..3 {
    ///     let mut w = words.saving(2);
    ///     w.push(i as f64);
    ///     w.push(i as f32);
    /// }
    /// assert_eq!(words.len(), 6);
    /// let mut r = words.restoring(2);
    /// let (b, a): (f32, f64) = (r.pop(), r.pop());
    /// assert_eq!((a, b), (2.0, 2.0));
    /// ```
    #[inline]
    pub fn saving(&mut self, n: usize) -> Saving<'_> {
        Saving::open(&mut self.words.items, n)
    }

    /// The last `n` values, read back last first through a [`Restoring`]
    /// window (a loop body's reverse sweep reading the `n` values its
    /// forward sweep saved); the values read leave the stream when it is
    /// dropped.
    ///
    /// # Panics
    ///
    /// If the stream holds fewer than `n` values (a bug of the generated
    /// code).
    #[inline]
    pub fn restoring(&mut self, n: usize) -> Restoring<'_> {
        let items = &mut self.words.items;
        let Some(first) = items.len().checked_sub(n) else {
            unreachable!("ad: the reverse sweep read more values than the forward sweep saved")
        };
        // SAFETY: `first + n` is the length: the `n` values are initialized.
        let first = unsafe { items.as_ptr().add(first) };
        Restoring {
            items,
            first,
            left: n,
            room: n,
        }
    }
}

/// See [`Words::saving`]. A helper's split form saves its values on the
/// window its caller lends it (`&mut Saving`), and a loop of its own opens
/// a window on that one ([`Saving::saving`]).
pub struct Saving<'a> {
    items: &'a mut Vec<u64>,
    /// The first free slot when the window was opened or last refilled
    /// (`items`' end then).
    next: *mut u64,
    /// Values written since `next`.
    written: usize,
    /// Free slots after `next`: `n` when opened, the spare capacity when
    /// refilled.
    room: usize,
}

impl<'a> Saving<'a> {
    #[inline]
    fn open(items: &'a mut Vec<u64>, n: usize) -> Self {
        // (A power of two: the first buffer of an empty stream then has the
        // size `push` would have given it, and its doublings stay powers of
        // two.)
        let want = n.next_power_of_two();
        if items.capacity() - items.len() < want {
            // By value, as in `Stack::push`.
            *items = grown_by(core::mem::take(items), want);
        }
        // `n`, not all the spare capacity: with a constant `n` and as many
        // pushes, every check of `push` is known to pass.
        let room = n;
        // SAFETY: `len` is within the allocation (`len <= capacity`).
        let next = unsafe { items.as_mut_ptr().add(items.len()) };
        Saving {
            items,
            next,
            written: 0,
            room,
        }
    }
}

impl Saving<'_> {
    /// Saves a value.
    #[inline]
    pub fn push<T: Word>(&mut self, value: T) {
        if self.written == self.room {
            // (Neither the window nor the stream is passed by reference:
            // their fields stay in registers.)
            let items;
            (items, self.next, self.room) = refill(core::mem::take(self.items), self.written);
            *self.items = items;
            self.written = 0;
        }
        // SAFETY: `written < room`: the slot is within the spare capacity
        // `next` starts, and the window borrows the stream, so nothing
        // reallocates it in between.
        unsafe { self.next.add(self.written).write(value.to_word()) };
        self.written += 1;
    }

    #[inline]
    fn commit(&mut self) {
        let len = self.items.len() + self.written;
        // SAFETY: the `written` slots after the old length were written,
        // within the capacity.
        unsafe { self.items.set_len(len) };
        self.written = 0;
        self.room = 0;
    }

    /// A window within this one, for a loop of a helper saving on this
    /// window: the values saved so far join the stream first, and this
    /// window goes on after the inner one's values.
    #[inline]
    pub fn saving(&mut self, n: usize) -> Saving<'_> {
        // `room = 0`: the next `push` refills, from the stream as the inner
        // window leaves it.
        self.commit();
        Saving::open(&mut *self.items, n)
    }

    /// The number of values on the stream, those of the window included.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len() + self.written
    }

    /// Whether the stream and the window hold no value.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Saving<'_> {
    #[inline]
    fn drop(&mut self) {
        self.commit();
    }
}

/// The `written` values of a full window join `items`, which grows; the
/// window goes on at its new end, with its spare capacity.
#[cold]
#[inline(never)]
fn refill(mut items: Vec<u64>, written: usize) -> (Vec<u64>, *mut u64, usize) {
    // SAFETY: the `written` slots after the length were written, within
    // the capacity.
    unsafe { items.set_len(items.len() + written) };
    items.reserve(1);
    // SAFETY: `len` is within the allocation.
    let next = unsafe { items.as_mut_ptr().add(items.len()) };
    let room = items.capacity() - items.len();
    (items, next, room)
}

/// See [`Words::restoring`].
pub struct Restoring<'a> {
    items: &'a mut Vec<u64>,
    /// The first of the window's values.
    first: *const u64,
    left: usize,
    room: usize,
}

impl Restoring<'_> {
    /// The last value saved and not yet read, as a `T`.
    ///
    /// # Panics
    ///
    /// If every value of the window has been read (a bug of the generated
    /// code).
    #[inline]
    pub fn pop<T: Word>(&mut self) -> T {
        assert!(
            self.left > 0,
            "ad: a loop body's reverse sweep read more values than it saved"
        );
        self.left -= 1;
        // SAFETY: `left < room`, and the window's `room` values are
        // initialized and not modified while it borrows the stream.
        T::from_word(unsafe { self.first.add(self.left).read() })
    }
}

impl Drop for Restoring<'_> {
    #[inline]
    fn drop(&mut self) {
        // The values read leave the stream; unread ones (if the body left
        // early) stay.
        let len = self.items.len() - (self.room - self.left);
        self.items.truncate(len);
    }
}

/// Stacks the reverse sweep reads saved values back from: [`Stack`] (one
/// type) and [`Words`] (any [`Word`], the type given by the reader); and a
/// `Vec` the function grows with `push`, whose adjoint gives back the
/// cotangents of the pushed elements from its end.
pub trait Saved<T> {
    /// The last value saved, removed.
    fn pop_saved(&mut self) -> T;
}

impl<T> Saved<T> for Stack<T> {
    #[inline]
    fn pop_saved(&mut self) -> T {
        self.pop()
    }
}

impl<T: Word> Saved<T> for Words {
    #[inline]
    fn pop_saved(&mut self) -> T {
        T::from_word(self.words.pop())
    }
}

/// The stream a caller lends to a callee's split form (see [`tape`]).
impl<T, S: Saved<T>> Saved<T> for &mut S {
    #[inline]
    fn pop_saved(&mut self) -> T {
        (**self).pop_saved()
    }
}

/// A [`Words`] stream, owned or borrowed.
pub trait AsTape {
    /// The stream itself.
    fn as_tape(&mut self) -> &mut Words;
}

impl AsTape for Words {
    #[inline]
    fn as_tape(&mut self) -> &mut Words {
        self
    }
}

impl AsTape for &mut Words {
    #[inline]
    fn as_tape(&mut self) -> &mut Words {
        self
    }
}

/// The type of a value, without the value: a split form's pullback reads
/// back a float its forward sweep saved on the stream with
/// `witness(&x).pop(&mut stream)` (a closure that holds only witnesses
/// has no size, so a stack of such pullbacks allocates nothing).
///
/// ```
/// use ad_runtime::stack::witness;
/// let mut s = ad_runtime::Words::new();
/// let x = 1.5f32;
/// s.push(x);
/// let kind = witness(&x);
/// assert_eq!(kind.pop(&mut s), 1.5f32);
/// ```
pub struct Witness<T>(std::marker::PhantomData<fn() -> T>);

impl<T> Clone for Witness<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Witness<T> {}

/// The [`Witness`] of `x`'s type.
#[inline]
pub fn witness<T>(_: &T) -> Witness<T> {
    Witness(std::marker::PhantomData)
}

impl<T: Word> Witness<T> {
    /// The last value saved on `stream`, as a `T`.
    #[inline]
    pub fn pop<S: Saved<T>>(self, stream: &mut S) -> T {
        stream.pop_saved()
    }
}

/// The stream of saved values that a differentiated function lends to the
/// split form of a function it calls: the callee's forward sweep saves on
/// it, after the caller's values, and its pullback reads them back when the
/// caller's reverse sweep reaches the call. One stream serves every nested
/// call, so a callee allocates nothing to save its values.
///
/// ```
/// use ad_runtime::stack::tape;
/// let mut own = ad_runtime::Words::new();
/// tape(&mut own).push(1.0f64);
/// let mut lent: &mut ad_runtime::Words = &mut own;
/// tape(&mut lent).push(2.0f64);
/// let two: f64 = ad_runtime::pop(&mut lent);
/// let one: f64 = ad_runtime::pop(&mut own);
/// assert_eq!((one, two), (1.0, 2.0));
/// ```
#[inline]
pub fn tape<S: AsTape>(stream: &mut S) -> &mut Words {
    stream.as_tape()
}

/// The adjoint of a `Vec` grown by `push`: the reverse sweep reads each
/// pushed element's cotangent off its end.
///
/// ```
/// // v.push(a); v.push(b); in the forward sweep: the reverse sweep reads
/// // b_bar, then a_bar, off the end of v_bar.
/// let mut v_bar = vec![0.5, 2.0];
/// assert_eq!(ad_runtime::pop(&mut v_bar), 2.0);
/// assert_eq!(ad_runtime::pop(&mut v_bar), 0.5);
/// ```
impl<T> Saved<T> for Vec<T> {
    #[inline]
    fn pop_saved(&mut self) -> T {
        match self.pop() {
            Some(v) => v,
            None => unreachable!(
                "ad: the reverse sweep popped more elements than the forward sweep pushed"
            ),
        }
    }
}

/// A buffer in the pool: the allocation of a `Vec` whose values are gone.
struct Buffer {
    ptr: NonNull<u8>,
    layout: Layout,
    /// The size of the values of the stack that returned it.
    item: usize,
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: `ptr` was allocated by a `Vec` with exactly this layout
        // (see `give`), and nothing else owns it.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

#[derive(Default)]
struct Pool {
    buffers: Vec<Buffer>,
    bytes: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// An empty `Vec<T>` on the most recently returned buffer (of the last
/// [`SEARCHED`]) whose alignment is `T`'s and whose size is a whole number
/// of `T`s, one from a stack of values of `T`'s size first (stacks are
/// created and dropped in the same order by each call, so each gets its
/// own back), or a new empty `Vec`.
fn take<T>() -> Vec<T> {
    if size_of::<T>() == 0 {
        return Vec::new();
    }
    let buffer = POOL
        .try_with(|pool| {
            let mut pool = pool.try_borrow_mut().ok()?;
            let first = pool.buffers.len().saturating_sub(SEARCHED);
            let recent = &pool.buffers[first..];
            let fits = |b: &Buffer| {
                b.layout.align() == align_of::<T>()
                    && b.layout.size().is_multiple_of(size_of::<T>())
            };
            // A stack of values of `T`'s size first (most likely the buffer
            // this stack had in the previous call), else any that fits.
            let i = first
                + recent
                    .iter()
                    .rposition(|b| b.item == size_of::<T>() && fits(b))
                    .or_else(|| recent.iter().rposition(fits))?;
            let b = pool.buffers.swap_remove(i);
            pool.bytes -= b.layout.size();
            Some(b)
        })
        .ok()
        .flatten();
    match buffer {
        Some(b) => {
            let b = ManuallyDrop::new(b);
            let capacity = b.layout.size() / size_of::<T>();
            // SAFETY: the buffer was allocated with alignment `align_of::<T>()`
            // and size `capacity * size_of::<T>()` (checked above), which is
            // the layout `Vec<T>` frees with; length 0 reads nothing.
            unsafe { Vec::from_raw_parts(b.ptr.as_ptr().cast::<T>(), 0, capacity) }
        }
        None => Vec::new(),
    }
}

/// Returns `items`' buffer to the pool (its values are dropped first), or
/// frees it if the pool is full.
#[inline(never)]
fn give<T>(mut items: Vec<T>) {
    items.clear();
    let bytes = items.capacity() * size_of::<T>();
    if bytes == 0 {
        return;
    }
    let mut items = ManuallyDrop::new(items);
    let buffer = Buffer {
        // A `Vec` with a non-zero allocation has a non-null pointer.
        ptr: NonNull::new(items.as_mut_ptr().cast::<u8>()).expect("allocated"),
        // SAFETY: this is the layout `Vec<T>` allocated with (`Layout::array`),
        // which exists since the allocation does.
        layout: unsafe { Layout::from_size_align_unchecked(bytes, align_of::<T>()) },
        item: size_of::<T>(),
    };
    // If the pool is full, borrowed or gone, the buffer is freed here.
    let _ = POOL.try_with(move |pool| {
        if let Ok(mut pool) = pool.try_borrow_mut() {
            if pool.buffers.len() < MAX_BUFFERS && pool.bytes + bytes <= MAX_BYTES {
                pool.bytes += bytes;
                pool.buffers.push(buffer);
            }
        }
    });
}

/// Frees the buffers kept by the calling thread's pool (see the [module
/// documentation](self)); returns how many bytes were kept.
///
/// ```
/// {
///     let mut stack = ad_runtime::Stack::new();
///     stack.push(1.0f64);
/// } // its buffer goes to the pool
/// assert!(ad_runtime::release_stack_buffers() >= 8);
/// assert_eq!(ad_runtime::release_stack_buffers(), 0);
/// ```
pub fn release_stack_buffers() -> usize {
    POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        let bytes = pool.bytes;
        pool.buffers.clear();
        pool.bytes = 0;
        bytes
    })
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_is_reused_by_the_next_stack_of_its_layout() {
        release_stack_buffers();
        let ptr = {
            let mut s = Stack::new();
            for i in 0..1000 {
                s.push(i as f64);
            }
            while !s.is_empty() {
                s.pop();
            }
            s.items.as_ptr() as usize
        };
        // Another type of the same size and alignment gets it back.
        let s = Stack::<u64>::new();
        assert_eq!(s.items.as_ptr() as usize, ptr);
        assert!(s.items.capacity() >= 1000);
        // A type of another alignment does not.
        let b = Stack::<bool>::new();
        assert_eq!(b.items.capacity(), 0);
        drop((s, b));
        assert!(release_stack_buffers() >= 8000);
    }

    /// A helper's split form called n times holds n sets of stacks until
    /// the reverse sweep: all of them come back, and the next gradient's
    /// stacks are all served from the pool.
    #[test]
    fn the_stacks_of_thousands_of_calls_are_kept_for_the_next_gradient() {
        release_stack_buffers();
        let calls = 3000;
        let gradient = || {
            let stacks: Vec<(Stack<f64>, Stack<Vec<f64>>)> =
                (0..calls).map(|_| (Stack::new(), Stack::new())).collect();
            let served = stacks
                .iter()
                .filter(|(a, b)| a.items.capacity() > 0 && b.items.capacity() > 0)
                .count();
            let mut stacks = stacks;
            for (a, b) in &mut stacks {
                a.push(1.0);
                b.push(Vec::new());
            }
            // The reverse sweep drops them, the last call's first.
            while stacks.pop().is_some() {}
            served
        };
        assert_eq!(gradient(), 0, "a first gradient finds an empty pool");
        assert_eq!(gradient(), calls, "the second is served whole");
        assert!(release_stack_buffers() >= calls * (8 + 24));
    }

    #[test]
    fn windows_save_and_restore_what_push_and_pop_would() {
        let mut a = Words::new();
        let mut b = Words::new();
        for i in 0..100 {
            let x = i as f64 * 0.25;
            a.push(x);
            a.push(i % 3 == 0);
            if i % 2 == 0 {
                a.push(-x);
            }
            // A body that leaves early saves fewer values than it reserved.
            let mut w = b.saving(3);
            w.push(x);
            w.push(i % 3 == 0);
            if i % 2 == 0 {
                w.push(-x);
            }
        }
        assert_eq!(a.words.items, b.words.items);
        for i in (0..100).rev() {
            let x = i as f64 * 0.25;
            let n = if i % 2 == 0 { 3 } else { 2 };
            let mut r = b.restoring(n);
            if i % 2 == 0 {
                assert_eq!(r.pop::<f64>(), -x);
            }
            assert_eq!(r.pop::<bool>(), i % 3 == 0);
            if i == 50 {
                // Left early: the unread value stays on the stream.
                drop(r);
                assert_eq!(pop::<f64, _>(&mut b), x);
                continue;
            }
            assert_eq!(r.pop::<f64>(), x);
        }
        assert!(b.is_empty());
    }

    #[test]
    fn a_window_grows_past_its_room_and_holds_inner_windows() {
        let (mut a, mut b) = (Words::new(), Words::new());
        for i in 0..50 {
            let x = i as f64;
            // More values than the room asked for, a helper's inner loop
            // on a window within, and values after it.
            let mut w = b.saving(1);
            for k in 0..5 {
                a.push(x + k as f64);
                w.push(x + k as f64);
            }
            {
                let mut inner = w.saving(2);
                for k in 0..i % 4 {
                    a.push(-x * k as f64);
                    inner.push(-x * k as f64);
                }
            }
            a.push(i % 2 == 0);
            w.push(i % 2 == 0);
            assert_eq!(w.len(), a.len());
        }
        assert_eq!(a.words.items, b.words.items);
    }

    #[test]
    #[should_panic(expected = "read more values than it saved")]
    fn reading_past_a_window_is_a_bug() {
        let mut w = Words::new();
        w.push(1.0);
        let mut r = w.restoring(1);
        let _: f64 = r.pop();
        let _: f64 = r.pop();
    }

    #[test]
    #[should_panic(expected = "read more values than the forward sweep saved")]
    fn a_window_larger_than_the_stream_is_a_bug() {
        let mut w = Words::new();
        w.push(1.0);
        let _ = w.restoring(2);
    }

    #[test]
    fn values_left_on_a_stack_are_dropped() {
        use std::rc::Rc;
        let counted = Rc::new(());
        {
            let mut s = Stack::new();
            s.push(Rc::clone(&counted));
            s.push(Rc::clone(&counted));
        }
        assert_eq!(Rc::strong_count(&counted), 1);
        // The buffer came back, empty, and is reused for the same type.
        let s = Stack::<Rc<()>>::new();
        assert!(s.items.capacity() >= 2 && s.is_empty());
    }

    #[test]
    fn the_pool_is_bounded() {
        release_stack_buffers();
        let stacks: Vec<Stack<f64>> = (0..MAX_BUFFERS + 10)
            .map(|_| {
                let mut s = Stack::new();
                s.push(0.0);
                s
            })
            .collect();
        drop(stacks);
        let kept = POOL.with(|p| p.borrow().buffers.len());
        assert_eq!(kept, MAX_BUFFERS);
        release_stack_buffers();
        // One buffer over the byte bound is freed, not kept.
        let mut big = Stack::<u8>::new();
        big.items.reserve_exact(MAX_BYTES + 1);
        drop(big);
        assert_eq!(release_stack_buffers(), 0);
    }

    #[test]
    fn words_give_back_values_of_every_type_in_reverse_order() {
        let mut words = Words::new();
        let values = [0.1f64, -0.0, f64::INFINITY, f64::MIN_POSITIVE, 1e300];
        for (i, v) in values.iter().enumerate() {
            words.push(*v);
            words.push(i as f32 * 0.5);
        }
        assert_eq!(words.len(), 10);
        for (i, v) in values.iter().enumerate().rev() {
            let half: f32 = pop(&mut words);
            let back: f64 = pop(&mut words);
            assert_eq!(half, i as f32 * 0.5);
            assert_eq!(back.to_bits(), v.to_bits());
        }
        assert!(words.is_empty());
    }

    fn pop<T, S: Saved<T>>(s: &mut S) -> T {
        s.pop_saved()
    }

    #[test]
    #[should_panic(expected = "read more values")]
    fn popping_an_empty_stack_is_a_bug() {
        Stack::<f64>::new().pop();
    }
}
