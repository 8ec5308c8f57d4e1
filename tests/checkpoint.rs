//! `#[checkpoint]`: binomial checkpointing of a loop in reverse mode.
//!
//! Each function comes twice, with and without the attribute: the
//! checkpointed gradient (and Hessian-vector product) must equal the plain
//! one to the bit, since it runs the same operations on the same numbers;
//! finite differences check the plain one. A counting allocator (per
//! thread) shows that the checkpointed gradient's peak heap does not grow
//! with the number of steps.

// Element loops are what the macro differentiates here.
#![allow(clippy::manual_memcpy)]

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

// ----- a counting allocator: live bytes and their peak, per thread --------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + delta;
        l.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The peak of this thread's live heap above its level at the start, while
/// running `f` (the stack buffers kept between calls released first).
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ad::release_stack_buffers();
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    ad::release_stack_buffers();
    (out, peak.max(0) as usize)
}

// ----- scalars ---------------------------------------------------------------

#[differentiate]
fn decay(x: f64, k: f64, n: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    #[checkpoint(snapshots = 3)]
    for i in 0..n {
        let t = (i as f64) * 0.01;
        y = y - 0.01 * k * y.sin() + t * 0.001;
        s += y * y;
    }
    s + y
}

#[differentiate]
fn decay_plain(x: f64, k: f64, n: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    for i in 0..n {
        let t = (i as f64) * 0.01;
        y = y - 0.01 * k * y.sin() + t * 0.001;
        s += y * y;
    }
    s + y
}

/// A value the loop reads (`b`), overwritten after it by a loop whose own
/// reverse sweep does not need its old values: the checkpointed loop's
/// steps run again in the reverse sweep, and must read `b` as it was (found
/// by the random `checkpoint_wrt` family: the overwrite was not saved).
#[differentiate]
fn reread(a: f64, mut b: f64, n: usize) -> f64 {
    let mut u = 1.2f64;
    #[checkpoint(snapshots = 2)]
    for _ in 0..n {
        u = (u * 0.7).sin() + b.tanh().exp();
    }
    for _ in 0..4 {
        b = b * 0.43 + (b + a);
    }
    u + 0.33 * b
}

#[differentiate]
fn reread_plain(a: f64, mut b: f64, n: usize) -> f64 {
    let mut u = 1.2f64;
    for _ in 0..n {
        u = (u * 0.7).sin() + b.tanh().exp();
    }
    for _ in 0..4 {
        b = b * 0.43 + (b + a);
    }
    u + 0.33 * b
}

#[test]
fn values_overwritten_after_a_checkpointed_loop_are_restored_for_its_steps() {
    for n in [0, 1, 3, 9] {
        let (a, b) = (0.4511, 0.3672);
        assert_eq!(reread_grad(a, b, n), reread_plain_grad(a, b, n), "n = {n}");
        assert_eq!(
            reread_hvp(a, 0.3, b, -1.0, n),
            reread_plain_hvp(a, 0.3, b, -1.0, n),
            "n = {n}"
        );
        let (_, ga, gb) = reread_grad(a, b, n);
        let fd = ad::check::fd_gradient(|p| reread_plain(p[0], p[1], n), &[a, b]);
        ad::check::compare(&[ga, gb], &fd).assert_close(1e-8, 1e-8);
    }
}

/// The default number of snapshots, an inclusive range from a variable
/// start, and a snapshot count computed at run time.
#[differentiate]
fn decay_ranges(x: f64, k: f64, a: usize, b: usize, snaps: usize) -> f64 {
    let mut y = x;
    #[checkpoint]
    for i in a..=b {
        y = y * (1.0 - 0.01 * k) + 0.001 * (i as f64);
    }
    #[checkpoint(snapshots = snaps + 1)]
    for i in a..b {
        y = y + 0.01 * (y * k).cos() / ((i + 1) as f64);
    }
    y
}

#[differentiate]
fn decay_ranges_plain(x: f64, k: f64, a: usize, b: usize, snaps: usize) -> f64 {
    let mut y = x;
    for i in a..=b {
        y = y * (1.0 - 0.01 * k) + 0.001 * (i as f64);
    }
    let _ = snaps;
    for i in a..b {
        y = y + 0.01 * (y * k).cos() / ((i + 1) as f64);
    }
    y
}

#[test]
fn scalar_loop_equals_plain_reverse_mode_to_the_bit() {
    for n in [0, 1, 2, 3, 4, 7, 50, 333] {
        assert_eq!(
            decay_grad(0.7, 1.3, n),
            decay_plain_grad(0.7, 1.3, n),
            "n = {n}"
        );
        assert_eq!(
            decay_vjp(0.7, 1.3, n, -2.5),
            decay_plain_vjp(0.7, 1.3, n, -2.5),
            "n = {n}"
        );
        assert_eq!(decay(0.7, 1.3, n), decay_plain(0.7, 1.3, n));
        assert_eq!(
            decay_jvp(0.7, 0.3, 1.3, -1.0, n),
            decay_plain_jvp(0.7, 0.3, 1.3, -1.0, n)
        );
    }
    for (a, b) in [(0, 0), (0, 1), (3, 9), (5, 200), (7, 3)] {
        for snaps in [0, 1, 4, 1000] {
            assert_eq!(
                decay_ranges_grad(0.4, 0.9, a, b, snaps),
                decay_ranges_plain_grad(0.4, 0.9, a, b, snaps),
                "{a}..{b}, {snaps} snapshots"
            );
        }
    }
}

#[test]
fn scalar_loop_gradient_matches_finite_differences() {
    let (_, gx, gk) = decay_grad(0.7, 1.3, 120);
    let fd = ad::check::fd_gradient(|p| decay_plain(p[0], p[1], 120), &[0.7, 1.3]);
    ad::check::compare(&[gx, gk], &fd).assert_close(1e-8, 1e-8);
}

#[test]
fn second_order_over_a_checkpointed_loop() {
    for n in [0, 1, 5, 64] {
        let a = decay_hvp(0.7, 0.3, 1.3, -1.0, n);
        let b = decay_plain_hvp(0.7, 0.3, 1.3, -1.0, n);
        assert_eq!(a, b, "n = {n}");
    }
    // H v against finite differences of the gradient along v.
    let (x, k, v) = (0.7, 1.3, [0.3, -1.0]);
    let (_, _, _, hx, hk) = decay_hvp(x, v[0], k, v[1], 40);
    let grad = |p: &[f64]| {
        let (_, gx, gk) = decay_grad(p[0], p[1], 40);
        vec![gx, gk]
    };
    let fd = ad::check::fd_jvp(grad, &[x, k], &v);
    ad::check::compare(&[hx, hk], &fd).assert_close(1e-7, 1e-7);
}

// ----- loops whose number of steps is counted on the way ---------------------

#[differentiate]
fn halving(x: f64, k: f64) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    #[checkpoint(snapshots = 3)]
    while y > 0.01 {
        y = y * (0.9 - 0.01 * k * y.sin());
        s += y;
    }
    s
}

#[differentiate]
fn halving_plain(x: f64, k: f64) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    while y > 0.01 {
        y = y * (0.9 - 0.01 * k * y.sin());
        s += y;
    }
    s
}

/// `loop` with `break`, an early `return` and an inactive counter.
#[differentiate]
fn orbit(x: f64, k: f64, limit: usize) -> f64 {
    let mut y = x;
    let mut i = 0;
    let mut acc = 0.0;
    #[checkpoint(snapshots = 2)]
    loop {
        y = y + 0.01 * (k * y).cos();
        acc += y * y;
        i += 1;
        if i >= limit {
            break;
        }
        if y > 3.0 {
            return acc + y;
        }
    }
    acc
}

#[differentiate]
fn orbit_plain(x: f64, k: f64, limit: usize) -> f64 {
    let mut y = x;
    let mut i = 0;
    let mut acc = 0.0;
    loop {
        y = y + 0.01 * (k * y).cos();
        acc += y * y;
        i += 1;
        if i >= limit {
            break;
        }
        if y > 3.0 {
            return acc + y;
        }
    }
    acc
}

/// A `for` loop with `continue` and `break`.
#[differentiate]
fn until(x: f64, n: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    #[checkpoint(snapshots = 4)]
    for i in 1..n {
        y = y * 1.01 + 0.001 * (i as f64);
        if i % 3 == 0 {
            continue;
        }
        s += y.exp();
        if y > 2.0 {
            break;
        }
    }
    s
}

#[differentiate]
fn until_plain(x: f64, n: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    for i in 1..n {
        y = y * 1.01 + 0.001 * (i as f64);
        if i % 3 == 0 {
            continue;
        }
        s += y.exp();
        if y > 2.0 {
            break;
        }
    }
    s
}

#[test]
fn while_loop_and_early_exits_equal_plain_reverse_mode() {
    for x in [0.005, 0.02, 0.5, 1.0, 7.0] {
        assert_eq!(halving_grad(x, 0.8), halving_plain_grad(x, 0.8), "x = {x}");
        assert_eq!(
            halving_hvp(x, 1.0, 0.8, 0.5),
            halving_plain_hvp(x, 1.0, 0.8, 0.5),
            "x = {x}"
        );
    }
    for (x, limit) in [(0.5, 1), (0.5, 10), (0.5, 400), (2.9, 400)] {
        assert_eq!(
            orbit_grad(x, 1.3, limit),
            orbit_plain_grad(x, 1.3, limit),
            "x = {x}, limit {limit}"
        );
        assert_eq!(orbit(x, 1.3, limit), orbit_plain(x, 1.3, limit));
    }
    for (x, n) in [(0.5, 0), (0.5, 1), (0.5, 30), (1.5, 300), (0.1, 300)] {
        assert_eq!(until_grad(x, n), until_plain_grad(x, n), "x = {x}, n = {n}");
    }
    // Finite differences where the number of steps does not change nearby.
    let (_, gx, gk) = halving_grad(0.7, 0.8);
    let fd = ad::check::fd_gradient(|p| halving_plain(p[0], p[1]), &[0.7, 0.8]);
    ad::check::compare(&[gx, gk], &fd).assert_close(1e-7, 1e-7);
    let (_, gx, gk) = orbit_grad(0.5, 1.3, 100);
    let fd = ad::check::fd_gradient(|p| orbit_plain(p[0], p[1], 100), &[0.5, 1.3]);
    ad::check::compare(&[gx, gk], &fd).assert_close(1e-7, 1e-7);
}

// ----- checkpointed loops inside loops and branches -----------------------------

/// A checkpointed loop inside a plain one, inside a checkpointed one, and
/// inside a branch.
#[differentiate]
fn nested(x: f64, k: f64, outer: usize, inner: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    for j in 0..outer {
        #[checkpoint(snapshots = 2)]
        for i in 0..inner {
            y = y + 0.01 * (k * y + (i + j) as f64).sin();
        }
        s += y * y;
    }
    #[checkpoint(snapshots = 3)]
    for _ in 0..outer {
        #[checkpoint(snapshots = 2)]
        for _ in 0..inner {
            y = y * (1.0 - 0.01 * k * y.cos());
            s += 0.1 * y;
        }
    }
    if s > 1.0 {
        #[checkpoint(snapshots = 2)]
        while y > 0.2 {
            y = 0.9 * y - 0.01 * k;
            s += y * y;
        }
    }
    s + y
}

#[differentiate]
fn nested_plain(x: f64, k: f64, outer: usize, inner: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    for j in 0..outer {
        for i in 0..inner {
            y = y + 0.01 * (k * y + (i + j) as f64).sin();
        }
        s += y * y;
    }
    for _ in 0..outer {
        for _ in 0..inner {
            y = y * (1.0 - 0.01 * k * y.cos());
            s += 0.1 * y;
        }
    }
    if s > 1.0 {
        while y > 0.2 {
            y = 0.9 * y - 0.01 * k;
            s += y * y;
        }
    }
    s + y
}

#[test]
fn checkpointed_loops_inside_loops_and_branches_equal_plain_reverse_mode() {
    for (outer, inner) in [(0, 0), (1, 1), (2, 5), (7, 3), (4, 40)] {
        for x in [0.3, 1.5] {
            assert_eq!(
                nested_grad(x, 0.7, outer, inner),
                nested_plain_grad(x, 0.7, outer, inner),
                "x = {x}, {outer} x {inner}"
            );
            assert_eq!(
                nested_hvp(x, 0.5, 0.7, -1.0, outer, inner),
                nested_plain_hvp(x, 0.5, 0.7, -1.0, outer, inner),
                "x = {x}, {outer} x {inner}"
            );
        }
    }
    let (_, gx, gk) = nested_grad(1.5, 0.7, 4, 40);
    let fd = ad::check::fd_gradient(|p| nested_plain(p[0], p[1], 4, 40), &[1.5, 0.7]);
    ad::check::compare(&[gx, gk], &fd).assert_close(1e-7, 1e-7);
}

// ----- arrays, calls and branches: RK4 for Lotka-Volterra --------------------

#[differentiate]
fn lv(u: [f64; 2], p: &[f64]) -> [f64; 2] {
    [
        p[0] * u[0] - p[1] * u[0] * u[1],
        p[3] * u[0] * u[1] - p[2] * u[1],
    ]
}

#[differentiate]
fn rk4(u: [f64; 2], p: &[f64], h: f64) -> [f64; 2] {
    let k1 = lv(u, p);
    let k2 = lv([u[0] + 0.5 * h * k1[0], u[1] + 0.5 * h * k1[1]], p);
    let k3 = lv([u[0] + 0.5 * h * k2[0], u[1] + 0.5 * h * k2[1]], p);
    let k4 = lv([u[0] + h * k3[0], u[1] + h * k3[1]], p);
    [
        u[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        u[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    ]
}

/// Misfit of an RK4 trajectory to observations (one per step), with a
/// penalty on the prey above 1.5 (a branch; the function stays smooth).
#[differentiate(wrt(p))]
fn lv_misfit(p: &[f64], obs: &[f64], n: usize, h: f64, snaps: usize) -> f64 {
    let mut u = [1.0, 0.5];
    let mut loss = 0.0;
    #[checkpoint(snapshots = snaps)]
    for i in 0..n {
        u = rk4(u, p, h);
        let d = u[0] - obs[i];
        if u[0] > 1.5 {
            let e = u[0] - 1.5;
            loss += d * d + e * e * e;
        } else {
            loss += d * d;
        }
    }
    loss
}

#[differentiate(wrt(p))]
fn lv_misfit_plain(p: &[f64], obs: &[f64], n: usize, h: f64, snaps: usize) -> f64 {
    let mut u = [1.0, 0.5];
    let mut loss = 0.0;
    let _ = snaps;
    for i in 0..n {
        u = rk4(u, p, h);
        let d = u[0] - obs[i];
        if u[0] > 1.5 {
            let e = u[0] - 1.5;
            loss += d * d + e * e * e;
        } else {
            loss += d * d;
        }
    }
    loss
}

fn observations(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.0 + 0.3 * (0.05 * i as f64).sin())
        .collect()
}

#[test]
fn rk4_with_calls_and_branches_equals_plain_reverse_mode() {
    let p = [1.1, 0.4, 0.4, 0.1];
    let obs = observations(300);
    for n in [1, 2, 10, 100, 300] {
        for snaps in [1, 2, 5, 300] {
            let a = lv_misfit_grad(&p, &obs, n, 0.05, snaps);
            let b = lv_misfit_plain_grad(&p, &obs, n, 0.05, snaps);
            assert_eq!(a, b, "n = {n}, {snaps} snapshots");
        }
    }
    let (_, g) = lv_misfit_grad(&p, &obs, 100, 0.05, 4);
    let fd = ad::check::fd_gradient(|q| lv_misfit_plain(q, &obs, 100, 0.05, 4), &p);
    ad::check::compare(&g, &fd).assert_close(1e-6, 1e-6);
    let v = [0.3, -0.2, 0.5, 1.0];
    let a = lv_misfit_hvp(&p, &v, &obs, 50, 0.05, 3);
    let b = lv_misfit_plain_hvp(&p, &v, &obs, 50, 0.05, 3);
    assert_eq!(a, b);
}

// ----- a Vec state and inner loops: the 1-D heat equation --------------------

#[differentiate(wrt(u0, kappa))]
fn heat(u0: &[f64], kappa: f64, n: usize) -> f64 {
    let m = u0.len();
    let mut u = u0.to_vec();
    let mut next = vec![0.0; m];
    #[checkpoint(snapshots = 4)]
    for _ in 0..n {
        for j in 1..m - 1 {
            next[j] = u[j] + kappa * (u[j - 1] - 2.0 * u[j] + u[j + 1]);
        }
        for j in 1..m - 1 {
            u[j] = next[j];
        }
    }
    let mut s = 0.0;
    for j in 0..m {
        s += u[j] * u[j] * (j as f64);
    }
    s
}

#[differentiate(wrt(u0, kappa))]
fn heat_plain(u0: &[f64], kappa: f64, n: usize) -> f64 {
    let m = u0.len();
    let mut u = u0.to_vec();
    let mut next = vec![0.0; m];
    for _ in 0..n {
        for j in 1..m - 1 {
            next[j] = u[j] + kappa * (u[j - 1] - 2.0 * u[j] + u[j + 1]);
        }
        for j in 1..m - 1 {
            u[j] = next[j];
        }
    }
    let mut s = 0.0;
    for j in 0..m {
        s += u[j] * u[j] * (j as f64);
    }
    s
}

fn bump(m: usize) -> Vec<f64> {
    (0..m)
        .map(|j| (std::f64::consts::PI * j as f64 / (m - 1) as f64).sin())
        .collect()
}

#[test]
fn heat_equation_with_a_vec_state_equals_plain_reverse_mode() {
    let u0 = bump(12);
    for n in [0, 1, 3, 40] {
        assert_eq!(
            heat_grad(&u0, 0.2, n),
            heat_plain_grad(&u0, 0.2, n),
            "n = {n}"
        );
    }
    let (_, gu, gk) = heat_grad(&u0, 0.2, 40);
    let mut x = u0.clone();
    x.push(0.2);
    let fd = ad::check::fd_gradient(|q| heat_plain(&q[..12], q[12], 40), &x);
    let mut g = gu.clone();
    g.push(gk);
    ad::check::compare(&g, &fd).assert_close(1e-7, 1e-7);
}

// ----- nalgebra: a recurrent state ------------------------------------------

#[differentiate(wrt(w, h0))]
fn recurrent(w: &DMatrix<f64>, h0: &DVector<f64>, steps: usize) -> f64 {
    let mut h = h0.clone();
    let mut acc = DVector::zeros(h0.len());
    #[checkpoint(snapshots = 2)]
    for _ in 0..steps {
        h = (w * &h).map(|v| v.tanh());
        acc += &h;
    }
    acc.norm_squared()
}

#[differentiate(wrt(w, h0))]
fn recurrent_plain(w: &DMatrix<f64>, h0: &DVector<f64>, steps: usize) -> f64 {
    let mut h = h0.clone();
    let mut acc = DVector::zeros(h0.len());
    for _ in 0..steps {
        h = (w * &h).map(|v| v.tanh());
        acc += &h;
    }
    acc.norm_squared()
}

#[test]
fn nalgebra_recurrence_equals_plain_reverse_mode() {
    let w = DMatrix::from_fn(3, 3, |i, j| 0.3 * ((i * 3 + j) as f64 * 0.7).sin());
    let h0 = DVector::from_vec(vec![0.5, -0.2, 0.9]);
    for steps in [0, 1, 2, 9, 30] {
        assert_eq!(
            recurrent_grad(&w, &h0, steps),
            recurrent_plain_grad(&w, &h0, steps),
            "{steps} steps"
        );
    }
    let vw = DMatrix::from_fn(3, 3, |i, j| (i as f64) - (j as f64) * 0.5);
    let vh = DVector::from_vec(vec![1.0, 0.0, -1.0]);
    assert_eq!(
        recurrent_hvp(&w, &vw, &h0, &vh, 12),
        recurrent_plain_hvp(&w, &vw, &h0, &vh, 12)
    );
}

// ----- structs: a parameter struct and a loop-carried local struct ---------

/// The state of a damped pendulum, with a configuration field.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct State {
    x: f64,
    v: f64,
    #[ad(skip)]
    steps: usize,
}

/// Its parameters.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Pendulum {
    k: f64,
    c: f64,
}

/// One explicit Euler step.
#[differentiate(wrt(s, p))]
fn euler(s: &State, p: &Pendulum, dt: f64) -> State {
    let a = -p.k * s.x.sin() - p.c * s.v;
    State {
        x: s.x + dt * s.v,
        v: s.v + dt * a,
        steps: s.steps + 1,
    }
}

#[differentiate(wrt(p))]
fn trajectory(p: &Pendulum, x0: f64, n: usize) -> f64 {
    let mut s = State {
        x: x0,
        v: 0.0,
        steps: 0,
    };
    let mut e = 0.0;
    #[checkpoint(snapshots = 3)]
    for _ in 0..n {
        s = euler(&s, p, 0.1);
        if s.x > 0.0 {
            e += s.x * s.x * p.k;
        } else {
            e -= 0.5 * s.v;
        }
    }
    e + s.v * (s.steps as f64)
}

#[differentiate(wrt(p))]
fn trajectory_plain(p: &Pendulum, x0: f64, n: usize) -> f64 {
    let mut s = State {
        x: x0,
        v: 0.0,
        steps: 0,
    };
    let mut e = 0.0;
    for _ in 0..n {
        s = euler(&s, p, 0.1);
        if s.x > 0.0 {
            e += s.x * s.x * p.k;
        } else {
            e -= 0.5 * s.v;
        }
    }
    e + s.v * (s.steps as f64)
}

#[test]
fn struct_state_and_parameters_equal_plain_reverse_mode() {
    let p = Pendulum { k: 2.0, c: 0.3 };
    let t = Pendulum { k: 0.5, c: -1.0 };
    for n in [0, 1, 2, 20, 77] {
        assert_eq!(
            trajectory_grad(&p, 0.7, n),
            trajectory_plain_grad(&p, 0.7, n)
        );
        assert_eq!(
            trajectory_hvp(&p, &t, 0.7, n),
            trajectory_plain_hvp(&p, &t, 0.7, n)
        );
    }
}

// ----- inactive state changed by verbatim code -------------------------------

/// A small linear congruential generator: state the loop changes through
/// a method, which the snapshots must restore for the steps run again.
#[derive(Clone)]
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[differentiate]
fn noisy(x: f64, k: f64, n: usize) -> f64 {
    let mut rng = Lcg(7);
    let mut y = x;
    #[checkpoint(snapshots = 3)]
    for _ in 0..n {
        let r = rng.uniform();
        y = y + 0.01 * k * (y + r).sin();
    }
    y
}

#[differentiate]
fn noisy_plain(x: f64, k: f64, n: usize) -> f64 {
    let mut rng = Lcg(7);
    let mut y = x;
    for _ in 0..n {
        let r = rng.uniform();
        y = y + 0.01 * k * (y + r).sin();
    }
    y
}

#[test]
fn inactive_state_changed_by_a_method_is_restored() {
    for n in [1, 2, 10, 100] {
        assert_eq!(
            noisy_grad(0.3, 2.0, n),
            noisy_plain_grad(0.3, 2.0, n),
            "n = {n}"
        );
    }
}

// ----- an `i32` index, and a `Vec` that grows --------------------------------

#[differentiate]
fn history(x: f64, n: i32) -> f64 {
    let mut y = x;
    let mut seen = Vec::new();
    #[checkpoint(snapshots = 2)]
    for i in -3..n {
        y = y * 0.9 + 0.05 * (i as f64) * y.cos();
        seen.push(y * y);
    }
    let mut s = 0.0;
    for j in 0..seen.len() {
        s += seen[j] * (j as f64 + 1.0);
    }
    s
}

#[differentiate]
fn history_plain(x: f64, n: i32) -> f64 {
    let mut y = x;
    let mut seen = Vec::new();
    for i in -3..n {
        y = y * 0.9 + 0.05 * (i as f64) * y.cos();
        seen.push(y * y);
    }
    let mut s = 0.0;
    for j in 0..seen.len() {
        s += seen[j] * (j as f64 + 1.0);
    }
    s
}

#[test]
fn integer_indices_of_other_types_and_growing_vecs() {
    for n in [-5, -3, -2, 0, 4, 30] {
        assert_eq!(history_grad(0.8, n), history_plain_grad(0.8, n), "n = {n}");
        assert_eq!(
            history_hvp(0.8, 1.0, n),
            history_plain_hvp(0.8, 1.0, n),
            "n = {n}"
        );
    }
    let (_, g) = history_grad(0.8, 30);
    let fd = ad::check::fd_gradient(|p| history_plain(p[0], 30), &[0.8]);
    ad::check::compare(&[g], &fd).assert_close(1e-7, 1e-7);
}

// ----- an in/out buffer as the loop's state -----------------------------------

#[differentiate]
fn smooth(x: f64, buf: &mut [f64], n: usize) {
    #[checkpoint(snapshots = 2)]
    for _ in 0..n {
        for j in 1..buf.len() {
            buf[j] = buf[j] + x * (buf[j - 1] - buf[j]).sin();
        }
    }
}

#[differentiate]
fn smooth_plain(x: f64, buf: &mut [f64], n: usize) {
    for _ in 0..n {
        for j in 1..buf.len() {
            buf[j] = buf[j] + x * (buf[j - 1] - buf[j]).sin();
        }
    }
}

#[test]
fn a_mut_buffer_written_by_a_checkpointed_loop() {
    let init = [1.0, 0.2, -0.4, 0.9, 0.3];
    let seed = [0.5, -1.0, 2.0, 0.25, 1.0];
    for n in [0, 1, 2, 9] {
        let (mut a, mut b) = (init, init);
        let (mut da, mut db) = (seed, seed);
        let ga = smooth_vjp(0.3, &mut a, &mut da, n);
        let gb = smooth_plain_vjp(0.3, &mut b, &mut db, n);
        assert_eq!((ga, a, da), (gb, b, db), "n = {n}");
    }
}

// ----- a checkpointed function called by another ----------------------------

#[differentiate]
fn caller(x: f64, k: f64) -> f64 {
    let a = decay(x, k, 40);
    let b = decay(a * 0.5, k * a, 25);
    a * b
}

#[differentiate]
fn caller_plain(x: f64, k: f64) -> f64 {
    let a = decay_plain(x, k, 40);
    let b = decay_plain(a * 0.5, k * a, 25);
    a * b
}

#[test]
fn calls_of_a_checkpointed_function_equal_plain_ones() {
    assert_eq!(caller_grad(0.7, 1.3), caller_plain_grad(0.7, 1.3));
    assert_eq!(
        caller_hvp(0.7, 0.2, 1.3, 1.0),
        caller_plain_hvp(0.7, 0.2, 1.3, 1.0)
    );
}

// ----- memory ----------------------------------------------------------------

#[test]
fn peak_heap_does_not_grow_with_the_number_of_steps() {
    let p = [1.1, 0.4, 0.4, 0.1];
    let obs = observations(100_000);
    let mut peaks = Vec::new();
    let mut plain = Vec::new();
    for n in [1_000, 10_000, 100_000] {
        let (a, peak) = peak_heap(|| lv_misfit_grad(&p, &obs, n, 1e-3, 10));
        let (b, peak_plain) = peak_heap(|| lv_misfit_plain_grad(&p, &obs, n, 1e-3, 10));
        assert_eq!(a, b);
        peaks.push(peak);
        plain.push(peak_plain);
    }
    // Plain reverse mode saves the state of every step: 100 times the
    // steps, (at least) 100 times the memory.
    assert!(plain[2] > 50 * plain[0], "plain peaks {plain:?}");
    // Checkpointed: 10 snapshots of two floats and one step's records,
    // the same for every n (a few kB of stack buffers).
    assert_eq!(peaks[0], peaks[2], "checkpointed peaks {peaks:?}");
    assert!(peaks[2] < 8 * 1024, "checkpointed peaks {peaks:?}");
    assert!(peaks[2] * 100 < plain[2], "{peaks:?} against {plain:?}");
}

#[test]
fn peak_heap_of_a_loop_with_early_exits_does_not_grow_either() {
    // `orbit` settles below 3: it runs `limit` steps, counted on the way.
    let ((_, g1x, _), p1) = peak_heap(|| orbit_grad(0.5, 1.3, 1_000));
    let ((_, g2x, _), p2) = peak_heap(|| orbit_grad(0.5, 1.3, 100_000));
    let ((_, g3x, _), plain) = peak_heap(|| orbit_plain_grad(0.5, 1.3, 100_000));
    assert_eq!(g2x, g3x);
    assert!(g1x.is_finite());
    assert_eq!(p1, p2, "peaks {p1} and {p2} bytes");
    assert!(
        p2 < 8 * 1024 && 100 * p2 < plain,
        "{p2} bytes against {plain}"
    );
}

/// Two levels of checkpointing: `outer x inner` steps in 4 + 4 snapshots.
#[differentiate]
fn two_level(x: f64, k: f64, outer: usize, inner: usize) -> f64 {
    let mut y = x;
    let mut s = 0.0;
    #[checkpoint(snapshots = 4)]
    for _ in 0..outer {
        #[checkpoint(snapshots = 4)]
        for _ in 0..inner {
            y = y * (1.0 - 0.001 * k * y.cos());
            s += 0.001 * y;
        }
    }
    s + y
}

#[test]
fn peak_heap_of_nested_checkpointed_loops_does_not_grow() {
    let ((v1, g1x, _), p1) = peak_heap(|| two_level_grad(0.8, 0.6, 30, 30));
    let ((v2, g2x, _), p2) = peak_heap(|| two_level_grad(0.8, 0.6, 300, 300));
    assert!(v1.is_finite() && v2.is_finite() && g1x.is_finite() && g2x.is_finite());
    assert_eq!(p1, p2, "peaks {p1} and {p2} bytes");
    assert!(p2 < 8 * 1024, "{p2} bytes");
}

#[test]
fn peak_heap_grows_with_the_snapshots_and_the_state() {
    // The heat equation's state is two Vecs of m floats; with S snapshots
    // the peak is about S m 16 bytes (plus one step's records), whatever n.
    let m = 200;
    let u0 = bump(m);
    let state = 2 * m * std::mem::size_of::<f64>();
    let ((_, g1, _), p1) = peak_heap(|| heat_grad(&u0, 0.2, 50));
    let ((_, g2, _), p2) = peak_heap(|| heat_grad(&u0, 0.2, 500));
    let ((_, g3, _), plain) = peak_heap(|| heat_plain_grad(&u0, 0.2, 500));
    assert_eq!(g2, g3);
    assert!(g1.iter().all(|g| g.is_finite()));
    // 4 snapshots of the state, one step's saved elements (m floats), the
    // gradient and the copies: within 12 states, for 50 as for 500 steps.
    assert!(p1 <= 12 * state && p2 <= 12 * state, "{p1} and {p2} bytes");
    assert!(p2 <= p1 + state, "{p1} then {p2} bytes");
    // Plain reverse mode saves each step's overwritten elements.
    assert!(plain > 100 * state, "plain: {plain} bytes");
}
