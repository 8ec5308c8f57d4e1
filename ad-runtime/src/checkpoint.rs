//! Binomial checkpointing (Griewank and Walther's `revolve`): the schedule
//! that reverse mode follows over a loop marked `#[checkpoint]`.
//!
//! Reversing `n` steps `x_{k+1} = F_k(x_k)` needs, for step `k`, the state
//! `x_k` and the records of `F_k`'s forward sweep. Storing every step's
//! records costs memory in proportion to `n`. With `s` snapshots of the
//! state instead, the schedule stores the state at chosen steps, computes
//! the steps in between again from the nearest snapshot, and reverses one
//! step at a time (its forward sweep recorded, then its reverse sweep): the
//! memory is `s` states and one step's records, and the number of steps
//! computed again is the binomial optimum
//!
//! ```text
//! t(n, s) = r n - β(s + 1, r - 1),   β(s, r) = C(s + r, s),
//! ```
//!
//! where the repetition number `r` is the least with `β(s, r) >= n`: each
//! step runs at most `r` times besides its recorded run (Griewank 1992;
//! Griewank and Walther, ACM TOMS 26, 2000, Algorithm 799). `t(n, s)`
//! counts the first forward pass too; with `s >= n` it is `n - 1`, with
//! `s = 1` it is `n (n - 1) / 2`.
//!
//! [`Schedule`] produces the actions one at a time, with memory in
//! proportion to `s`, not `n`. The snapshots count the one of the initial
//! state. The snapshots are used last-taken first, so generated code keeps
//! them on stacks: [`Action::Takeshot`] pushes the state, [`Action::Restore`]
//! reads the top one back (it stays), [`Action::Free`] pops it into the
//! state (the state it restores is never read again but by the next
//! restore; after the last one, the state is the loop's initial state).

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run steps `from..to` without recording (the state goes from `x_from`
    /// to `x_to`).
    Advance {
        /// The first step.
        from: usize,
        /// One past the last step.
        to: usize,
    },
    /// Store the current state, `x_at`, as a new snapshot (on top).
    Takeshot {
        /// The step whose initial state is stored.
        at: usize,
    },
    /// Set the state to the top snapshot, `x_at` (which stays).
    Restore {
        /// The step of the top snapshot.
        at: usize,
    },
    /// Reverse step `step` from its initial state, the current one: its
    /// forward sweep recorded, then its reverse sweep.
    Turn {
        /// The step reversed.
        step: usize,
    },
    /// Drop the top snapshot, `x_at`, setting the state to it.
    Free {
        /// The step of the snapshot dropped.
        at: usize,
    },
    /// Every step is reversed.
    Done,
}

impl Action {
    /// An [`Action::Advance`].
    pub fn is_advance(self) -> bool {
        matches!(self, Action::Advance { .. })
    }

    /// An [`Action::Takeshot`].
    pub fn is_takeshot(self) -> bool {
        matches!(self, Action::Takeshot { .. })
    }

    /// An [`Action::Restore`].
    pub fn is_restore(self) -> bool {
        matches!(self, Action::Restore { .. })
    }

    /// An [`Action::Turn`].
    pub fn is_turn(self) -> bool {
        matches!(self, Action::Turn { .. })
    }

    /// An [`Action::Free`].
    pub fn is_free(self) -> bool {
        matches!(self, Action::Free { .. })
    }

    /// The indices of the steps an [`Action::Advance`] runs, offset by the
    /// loop's first index (`start + from .. start + to`); none for the
    /// other actions.
    pub fn indices<I: LoopIndex>(self, start: I) -> impl Iterator<Item = I> {
        let (from, to) = match self {
            Action::Advance { from, to } => (from, to),
            _ => (0, 0),
        };
        (from..to).map(move |k| start.offset(k))
    }

    /// The index of the step an [`Action::Turn`] reverses, offset by the
    /// loop's first index.
    pub fn step<I: LoopIndex>(self, start: I) -> I {
        match self {
            Action::Turn { step } => start.offset(step),
            _ => start,
        }
    }
}

/// An integer type of a loop index: `start.offset(k)` is the `k`-th index
/// of a loop from `start`, `steps(start, end)` the number of indices of
/// `start..end`.
pub trait LoopIndex: Copy {
    /// `self + k`.
    fn offset(self, k: usize) -> Self;
    /// The length of `start..end` (zero if `end <= start`).
    fn steps(start: Self, end: Self) -> usize;
}

macro_rules! loop_index {
    ($($t:ty),*) => {$(
        impl LoopIndex for $t {
            #[inline]
            fn offset(self, k: usize) -> Self {
                (self as i128 + k as i128) as $t
            }
            #[inline]
            fn steps(start: Self, end: Self) -> usize {
                (end as i128 - start as i128).max(0) as usize
            }
        }
    )*};
}
loop_index!(usize, u8, u16, u32, u64, isize, i8, i16, i32, i64);

/// The number of steps of `start..end`.
pub fn checkpoint_steps<I: LoopIndex>(start: I, end: I) -> usize {
    I::steps(start, end)
}

/// The number of steps of `start..=end`.
pub fn checkpoint_steps_inclusive<I: LoopIndex>(start: I, end: I) -> usize {
    I::steps(start, end.offset(1))
}

/// `β(s, r) = C(s + r, s)`, the number of steps `s` snapshots reverse with
/// at most `r` extra runs of each step; saturating at `u128::MAX`. Zero for
/// `r < 0`.
pub fn beta(s: u64, r: i64) -> u128 {
    if r < 0 {
        return 0;
    }
    let (s, r) = (s as u128, r as u128);
    let k = s.min(r);
    let mut b: u128 = 1;
    for i in 1..=k {
        // C(s + r, i) = C(s + r, i - 1) * (s + r - i + 1) / i, exact.
        let f = s + r - i + 1;
        b = match b.checked_mul(f) {
            Some(p) => p / i,
            None => return u128::MAX,
        };
    }
    b
}

/// The least repetition number `r` with `β(s, r) >= n` (`s >= 1`).
pub fn repetitions(n: usize, s: usize) -> i64 {
    let n = n as u128;
    if s == 1 {
        return n.saturating_sub(1) as i64;
    }
    let s = s as u128;
    let (mut r, mut b): (u128, u128) = (0, 1);
    while b < n {
        r += 1;
        // β(s, r) = β(s, r - 1) (s + r) / r, exact; b < n keeps it small.
        b = b * (s + r) / r;
    }
    r as i64
}

/// `t(n, s)`, the least number of steps run without recording (the first
/// forward pass included) to reverse `n` steps with `s` snapshots (the
/// initial state's included).
pub fn optimal_advances(n: usize, s: usize) -> u128 {
    if n == 0 {
        return 0;
    }
    let r = repetitions(n, s);
    (r as u128) * (n as u128) - beta(s as u64 + 1, r - 1)
}

/// Reverse steps `a..b`, the state `x_a` being the top snapshot, with `s`
/// snapshots (that one included); or drop the top snapshot.
#[derive(Clone, Copy, Debug)]
enum Task {
    Reverse { a: usize, b: usize, s: usize },
    Free { at: usize },
}

/// The binomial checkpointing schedule over `n` steps with `s` snapshots:
/// call [`Schedule::next`] until [`Action::Done`].
///
/// The actions up to the first [`Action::Turn`] (of the last step) are
/// advances and takeshots: the first forward pass.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The work left, last first: at most `3 s + 2` tasks.
    tasks: Vec<Task>,
    /// Actions decided and not yet given, last first (at most three).
    ready: Vec<Action>,
    /// The step whose initial state the state is, if known.
    current: Option<usize>,
    snapshots: usize,
}

/// The schedule of no steps (a placeholder for generated code).
impl Default for Schedule {
    fn default() -> Schedule {
        Schedule::new(0, 1)
    }
}

impl Schedule {
    /// The schedule for `steps` steps and `snapshots` snapshots (at least
    /// one: the initial state).
    pub fn new(steps: usize, snapshots: usize) -> Schedule {
        let snapshots = snapshots.max(1);
        let mut tasks = Vec::with_capacity(2 * snapshots.min(steps) + 2);
        let mut ready = Vec::with_capacity(4);
        if steps > 0 {
            tasks.push(Task::Free { at: 0 });
            tasks.push(Task::Reverse {
                a: 0,
                b: steps,
                s: snapshots,
            });
            ready.push(Action::Takeshot { at: 0 });
        }
        Schedule {
            tasks,
            ready,
            current: Some(0),
            snapshots,
        }
    }

    /// The number of snapshots.
    pub fn snapshots(&self) -> usize {
        self.snapshots
    }

    /// The next action.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Action {
        loop {
            if let Some(a) = self.ready.pop() {
                return a;
            }
            let Some(task) = self.tasks.pop() else {
                return Action::Done;
            };
            self.plan(task);
        }
    }

    /// Turns a task into actions (in `ready`, last first) and further tasks.
    fn plan(&mut self, task: Task) {
        let (a, b, s) = match task {
            Task::Free { at } => {
                self.current = Some(at);
                self.ready.push(Action::Free { at });
                return;
            }
            Task::Reverse { a, b, s } => (a, b, s),
        };
        let l = b - a;
        let restore = self.current != Some(a);
        // Steps advanced before the turn or the next snapshot.
        let (m, shot) = if l == 1 {
            (0, false)
        } else if s == 1 {
            // One snapshot: run to the last step from it, each time.
            self.tasks.push(Task::Reverse { a, b: b - 1, s });
            (l - 1, false)
        } else {
            let m = split(l, s);
            self.tasks.push(Task::Reverse { a, b: a + m, s });
            self.tasks.push(Task::Free { at: a + m });
            self.tasks.push(Task::Reverse {
                a: a + m,
                b,
                s: s - 1,
            });
            (m, true)
        };
        let mut actions = Vec::with_capacity(3);
        if restore {
            actions.push(Action::Restore { at: a });
        }
        if m > 0 {
            actions.push(Action::Advance { from: a, to: a + m });
        }
        if shot {
            actions.push(Action::Takeshot { at: a + m });
            self.current = Some(a + m);
        } else {
            actions.push(Action::Turn { step: b - 1 });
            self.current = None;
        }
        self.ready.extend(actions.into_iter().rev());
    }
}

/// Where to take the next snapshot, in steps from the current one, to
/// reverse `l >= 2` steps with `s >= 2` snapshots optimally: with
/// `β(s, r-1) < l <= β(s, r)`, any `m` with `β(s, r-2) <= m <= β(s, r-1)`
/// and `β(s-1, r-1) <= l - m <= β(s-1, r)` gives `t(m, s) + m +
/// t(l - m, s - 1) = t(l, s)` (Pascal's rule on the closed form). The
/// largest such `m`.
fn split(l: usize, s: usize) -> usize {
    let r = repetitions(l, s);
    let (l128, s64) = (l as u128, s as u64);
    let hi = beta(s64, r - 1).min(l128.saturating_sub(beta(s64 - 1, r - 1)));
    let lo = beta(s64, r - 2)
        .max(l128.saturating_sub(beta(s64 - 1, r)))
        .max(1);
    debug_assert!(lo <= hi, "no optimal split for l = {l}, s = {s}");
    hi.clamp(1, l128 - 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a schedule on a model of the state: checks every action's
    /// precondition, counts the advances, the peak number of snapshots and
    /// the order of the turns.
    fn simulate(n: usize, s: usize) -> (u128, usize, Vec<usize>, usize) {
        let mut sched = Schedule::new(n, s);
        let mut stack: Vec<usize> = Vec::new();
        let mut state: Option<usize> = Some(0);
        let (mut advances, mut peak, mut turns, mut restores) = (0u128, 0, Vec::new(), 0);
        let mut forward = true;
        loop {
            match sched.next() {
                Action::Advance { from, to } => {
                    assert_eq!(state, Some(from), "advance from the wrong state");
                    assert!(to > from);
                    advances += (to - from) as u128;
                    state = Some(to);
                }
                Action::Takeshot { at } => {
                    assert_eq!(state, Some(at));
                    stack.push(at);
                    peak = peak.max(stack.len());
                }
                Action::Restore { at } => {
                    assert!(!forward, "a restore before the first turn");
                    assert_eq!(stack.last(), Some(&at));
                    state = Some(at);
                    restores += 1;
                }
                Action::Turn { step } => {
                    assert_eq!(state, Some(step), "turn from the wrong state");
                    if forward {
                        assert_eq!(step, n - 1, "the first turn is the last step's");
                    }
                    forward = false;
                    turns.push(step);
                    state = None;
                }
                Action::Free { at } => {
                    assert_eq!(stack.pop(), Some(at));
                    state = Some(at);
                }
                Action::Done => break,
            }
        }
        assert!(stack.is_empty());
        if n > 0 {
            assert_eq!(state, Some(0), "the state ends as the initial state");
        }
        (advances, peak, turns, restores)
    }

    #[test]
    fn closed_form_small_values() {
        // s >= n: every step once, but the last.
        assert_eq!(optimal_advances(5, 5), 4);
        assert_eq!(optimal_advances(5, 10), 4);
        // s = 1: n (n - 1) / 2.
        assert_eq!(optimal_advances(10, 1), 45);
        assert_eq!(optimal_advances(1, 1), 0);
        // β(2, 2) = 6: 6 steps with 2 snapshots need r = 2,
        // t = 2 * 6 - β(3, 1) = 12 - 4 = 8.
        assert_eq!(optimal_advances(6, 2), 8);
        assert_eq!(beta(3, 2), 10);
        assert_eq!(repetitions(10, 3), 2);
    }

    /// The closed form against the recursion it solves, `t(l, s) = min over
    /// m of m + t(l - m, s - 1) + t(m, s)`, computed by dynamic programming.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn closed_form_is_the_recursion_optimum() {
        let (nmax, smax) = (60, 6);
        let mut t = vec![vec![0u128; smax + 1]; nmax + 1];
        for l in 1..=nmax {
            t[l][1] = (l * (l - 1) / 2) as u128;
            for s in 2..=smax {
                t[l][s] = if l == 1 {
                    0
                } else {
                    (1..l)
                        .map(|m| m as u128 + t[l - m][s - 1] + t[m][s])
                        .min()
                        .unwrap()
                };
            }
        }
        for l in 1..=nmax {
            for s in 1..=smax {
                assert_eq!(optimal_advances(l, s), t[l][s], "t({l}, {s})");
            }
        }
    }

    #[test]
    fn schedules_are_optimal_bounded_and_reverse_every_step_once() {
        let mut cases: Vec<(usize, usize)> = Vec::new();
        for n in 0..=80 {
            for s in 1..=9 {
                cases.push((n, s));
            }
        }
        for &(n, s) in &[
            (1000, 2),
            (1000, 3),
            (1000, 10),
            (4321, 7),
            (10_000, 4),
            (100_000, 10),
            (100_000, 30),
        ] {
            cases.push((n, s));
        }
        for (n, s) in cases {
            let (advances, peak, turns, _) = simulate(n, s);
            assert_eq!(
                advances,
                optimal_advances(n, s),
                "advances for n = {n}, s = {s}"
            );
            assert!(peak <= s, "n = {n}, s = {s}: {peak} snapshots live");
            let expected: Vec<usize> = (0..n).rev().collect();
            assert_eq!(turns, expected, "n = {n}, s = {s}: turns out of order");
        }
    }

    #[test]
    fn one_step_per_snapshot_when_there_are_enough() {
        let (advances, peak, _, restores) = simulate(50, 50);
        assert_eq!(advances, 49);
        assert_eq!(peak, 50);
        // Each turn but the first starts from the snapshot below the one
        // just freed.
        assert_eq!(restores, 49);
    }

    #[test]
    fn a_million_steps_with_few_snapshots_is_quick_and_optimal() {
        let (advances, peak, turns, _) = simulate(1_000_000, 20);
        assert_eq!(advances, optimal_advances(1_000_000, 20));
        assert_eq!(turns.len(), 1_000_000);
        assert!(peak <= 20);
        // β(20, 7) < 10^6 <= β(20, 8): r = 8, fewer than 8 n steps.
        assert_eq!(repetitions(1_000_000, 20), 8);
        assert!(advances < 8 * 1_000_000);
    }

    #[test]
    fn indices_are_offset_by_the_start() {
        let a = Action::Advance { from: 2, to: 5 };
        assert_eq!(a.indices(10usize).collect::<Vec<_>>(), vec![12, 13, 14]);
        assert_eq!(Action::Turn { step: 3 }.step(-2i32), 1);
        assert_eq!(checkpoint_steps(3usize, 1), 0);
        assert_eq!(checkpoint_steps_inclusive(1u32, 3), 3);
        assert_eq!(Action::Done.indices(0usize).count(), 0);
    }
}
