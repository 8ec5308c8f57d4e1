//! Idiomatic Rust inside differentiated functions (issue 20, first part):
//! array patterns (argmin's test functions as argmin writes them, with
//! `T: ad::Real`), `assert!`/`println!`/`format!` and their kin, deferred
//! initialisation (`let y; if c { y = .. } else { y = .. }`), `loop` used
//! as a value (`break v`), labelled `break`/`continue`, and early exits out
//! of an `if` or `match` whose value is bound, assigned or returned
//! (`let y = if c { a } else { return b; };`).
//!
//! Every function is checked in every mode against independent references:
//! `_grad` and `_jvp` against central finite differences of the plain
//! function (and hand-derived gradients where given), `_vjp` by the
//! dot-product identity <jvp(x, v), w> = <v, vjp(x, w)>, `_hvp` against
//! finite differences of the gradient.
// The idioms are tested as written: `format!(..);` as a statement (rustc
// warns on it, once: the derivatives do not repeat it), `assert_eq!(n, n)`,
// `format!` inside `eprintln!`, a labelled `loop` that is left in its first
// round, `return` from a branch of a function's tail.
#![allow(
    clippy::needless_return,
    clippy::needless_late_init,
    clippy::assign_op_pattern,
    clippy::type_complexity,
    clippy::needless_range_loop,
    clippy::eq_op,
    clippy::format_in_format_args,
    clippy::never_loop,
    unused_must_use
)]

use ad::{differentiate, Real};
use std::sync::atomic::{AtomicUsize, Ordering};

// ----- the checks -------------------------------------------------------------

/// A differentiated function of `n` numbers, through flat adapters.
struct Modes<'a> {
    f: &'a dyn Fn(&[f64]) -> f64,
    jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: &'a dyn Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
}

fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: got {a}, expected {b}"
    );
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn shifted(x: &[f64], v: &[f64], h: f64) -> Vec<f64> {
    x.iter().zip(v).map(|(x, v)| x + h * v).collect()
}

/// Every mode of `m` at `x`, against finite differences and each other;
/// with `grad_ref`, against a hand-derived gradient too.
fn check(name: &str, x: &[f64], m: &Modes, grad_ref: Option<&[f64]>) {
    let n = x.len();
    let value = (m.f)(x);
    let (gv, g) = (m.grad)(x);
    close(&format!("{name}: grad value"), gv, value, 1e-14);
    assert_eq!(g.len(), n);
    let h = 1e-6;
    for k in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == k))).collect();
        let fd = ((m.f)(&shifted(x, &e, h)) - (m.f)(&shifted(x, &e, -h))) / (2.0 * h);
        close(
            &format!("{name}: grad[{k}] vs finite differences"),
            g[k],
            fd,
            1e-6,
        );
    }
    if let Some(r) = grad_ref {
        for k in 0..n {
            close(
                &format!("{name}: grad[{k}] vs hand-derived"),
                g[k],
                r[k],
                1e-12,
            );
        }
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ n as u64;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    for _ in 0..3 {
        let v: Vec<f64> = (0..n).map(|_| rand()).collect();
        let w = rand() * 2.0;
        // Forward mode: finite differences along v.
        let (jv, dv) = (m.jvp)(x, &v);
        close(&format!("{name}: jvp value"), jv, value, 1e-14);
        let fd = ((m.f)(&shifted(x, &v, h)) - (m.f)(&shifted(x, &v, -h))) / (2.0 * h);
        close(&format!("{name}: jvp vs finite differences"), dv, fd, 1e-6);
        // Reverse mode: <jvp(x, v), w> = <v, vjp(x, w)>.
        let (vv, xb) = (m.vjp)(x, w);
        close(&format!("{name}: vjp value"), vv, value, 1e-14);
        close(
            &format!("{name}: dot-product identity"),
            dv * w,
            dot(&v, &xb),
            1e-12,
        );
        // Second order: finite differences of the gradient along v.
        let (hv_value, hg, hv) = (m.hvp)(x, &v);
        close(&format!("{name}: hvp value"), hv_value, value, 1e-14);
        for k in 0..n {
            close(&format!("{name}: hvp gradient[{k}]"), hg[k], g[k], 1e-12);
            let gp = (m.grad)(&shifted(x, &v, h)).1[k];
            let gm = (m.grad)(&shifted(x, &v, -h)).1[k];
            close(
                &format!("{name}: hvp[{k}] vs finite differences"),
                hv[k],
                (gp - gm) / (2.0 * h),
                1e-5,
            );
        }
    }
}

/// The adapters of a function of one array parameter, `[f64; N]` (or
/// borrowed, `&[f64; N]`, with `&`): `modes!(f, f_jvp, .., N)`.
macro_rules! modes {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $n:literal $(, $amp:tt)?) => {{
        let conv = |x: &[f64]| -> [f64; $n] { x.try_into().unwrap() };
        (
            move |x: &[f64]| $f($($amp)? conv(x)),
            move |x: &[f64], v: &[f64]| $jvp($($amp)? conv(x), $($amp)? conv(v)),
            move |x: &[f64], w: f64| {
                let (y, b) = $vjp($($amp)? conv(x), w);
                (y, b.to_vec())
            },
            move |x: &[f64]| {
                let (y, b) = $grad($($amp)? conv(x));
                (y, b.to_vec())
            },
            move |x: &[f64], v: &[f64]| {
                let (y, b, h) = $hvp($($amp)? conv(x), $($amp)? conv(v));
                (y, b.to_vec(), h.to_vec())
            },
        )
    }};
}

macro_rules! check_all {
    ($name:expr, $x:expr, $modes:expr, $grad_ref:expr) => {{
        let (f, jvp, vjp, grad, hvp) = $modes;
        check(
            $name,
            $x,
            &Modes {
                f: &f,
                jvp: &jvp,
                vjp: &vjp,
                grad: &grad,
                hvp: &hvp,
            },
            $grad_ref,
        );
    }};
}

// ----- 1. array patterns: argmin's test functions as argmin writes them --------

#[differentiate]
pub fn rosenbrock<T: Real>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let a = T::ONE;
    let b = T::from_f64(100.0);
    (a - x1).powi(2) + b * (x2 - x1.powi(2)).powi(2)
}

#[differentiate]
pub fn beale<T: Real>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    (T::from_f64(1.5) - x1 + x1 * x2).powi(2)
        + (T::from_f64(2.25) - x1 + x1 * (x2.powi(2))).powi(2)
        + (T::from_f64(2.625) - x1 + x1 * (x2.powi(3))).powi(2)
}

#[differentiate]
pub fn booth<T: Real>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let n2 = T::from_f64(2.0);
    let n5 = T::from_f64(5.0);
    let n7 = T::from_f64(7.0);
    (x1 + n2 * x2 - n7).powi(2) + (n2 * x1 + x2 - n5).powi(2)
}

#[differentiate]
pub fn matyas<T: Real>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    T::from_f64(0.26) * (x1.powi(2) + x2.powi(2)) - T::from_f64(0.48) * x1 * x2
}

#[differentiate]
pub fn himmelblau<T: Real>(param: &[T; 2]) -> T {
    let [x1, x2] = *param;
    let n7 = T::from_f64(7.0);
    let n11 = T::from_f64(11.0);
    (x1.powi(2) + x2 - n11).powi(2) + (x1 + x2.powi(2) - n7).powi(2)
}

/// `let [a, b, c] = x;` of an array by value.
#[differentiate]
pub fn three(x: [f64; 3]) -> f64 {
    let [a, b, c] = x;
    a * b + c.sin() * a
}

/// Patterns with `_` and `..`, of a local array, in a loop and a branch.
#[differentiate]
pub fn patterns_in_control_flow(p: &[f64; 4], n: usize) -> f64 {
    let mut s = 0.0;
    for k in 0..n {
        let [a, .., d] = *p;
        if k % 2 == 0 {
            let v = [a * s + d, a];
            let [e, _] = v;
            s += e;
        } else {
            let [_, b, mut c, _] = *p;
            c *= b;
            s = s * 0.5 + c;
        }
    }
    s
}

/// A pattern on a parameter left out of `wrt`.
#[differentiate(wrt(x))]
pub fn pattern_outside_wrt(x: f64, p: &[f64; 2]) -> f64 {
    let [a, b] = *p;
    a * x * x + b * x
}

fn rosenbrock_hand(x: &[f64]) -> Vec<f64> {
    vec![
        -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
        200.0 * (x[1] - x[0] * x[0]),
    ]
}

fn himmelblau_hand(x: &[f64]) -> Vec<f64> {
    let (a, b) = (x[0] * x[0] + x[1] - 11.0, x[0] + x[1] * x[1] - 7.0);
    vec![4.0 * x[0] * a + 2.0 * b, 2.0 * a + 4.0 * x[1] * b]
}

#[test]
fn argmin_functions_with_array_patterns() {
    for x in [[0.3, 0.7], [-1.2, 1.0], [2.5, -0.5]] {
        check_all!(
            "rosenbrock",
            &x,
            modes!(rosenbrock, rosenbrock_jvp, rosenbrock_vjp, rosenbrock_grad, rosenbrock_hvp, 2, &),
            Some(&rosenbrock_hand(&x))
        );
        check_all!(
            "beale",
            &x,
            modes!(beale, beale_jvp, beale_vjp, beale_grad, beale_hvp, 2, &),
            None
        );
        let booth_ref = [
            2.0 * (x[0] + 2.0 * x[1] - 7.0) + 4.0 * (2.0 * x[0] + x[1] - 5.0),
            4.0 * (x[0] + 2.0 * x[1] - 7.0) + 2.0 * (2.0 * x[0] + x[1] - 5.0),
        ];
        check_all!(
            "booth",
            &x,
            modes!(booth, booth_jvp, booth_vjp, booth_grad, booth_hvp, 2, &),
            Some(&booth_ref)
        );
        let matyas_ref = [0.52 * x[0] - 0.48 * x[1], 0.52 * x[1] - 0.48 * x[0]];
        check_all!(
            "matyas",
            &x,
            modes!(matyas, matyas_jvp, matyas_vjp, matyas_grad, matyas_hvp, 2, &),
            Some(&matyas_ref)
        );
        check_all!(
            "himmelblau",
            &x,
            modes!(himmelblau, himmelblau_jvp, himmelblau_vjp, himmelblau_grad, himmelblau_hvp, 2, &),
            Some(&himmelblau_hand(&x))
        );
    }
}

#[test]
fn argmin_functions_in_f32() {
    let (v, g) = rosenbrock_grad(&[0.3f32, 0.7]);
    let r = rosenbrock_hand(&[0.3, 0.7]);
    assert!((v as f64 - rosenbrock(&[0.3, 0.7])).abs() < 1e-4);
    assert!((g[0] as f64 - r[0]).abs() < 1e-3 && (g[1] as f64 - r[1]).abs() < 1e-3);
    let (_, g, h) = himmelblau_hvp(&[1.0f32, 2.0], &[1.0, 0.0]);
    assert_eq!(g, [-36.0, -32.0]);
    // d/dx1 of the gradient: (12 x1^2 + 4 x2 - 42, 4 x1 + 4 x2)
    assert_eq!(h, [-22.0, 12.0]);
}

#[test]
fn array_patterns_by_value_in_loops_and_outside_wrt() {
    let x = [0.4f64, -0.7, 1.1];
    let r = [x[1] + x[2].sin(), x[0], x[2].cos() * x[0]];
    check_all!(
        "three",
        &x,
        modes!(three, three_jvp, three_vjp, three_grad, three_hvp, 3),
        Some(&r)
    );
    let p = [0.4, -0.7, 1.1, 0.3];
    for n in [0, 1, 4, 5] {
        let f = |x: &[f64]| patterns_in_control_flow(x.try_into().unwrap(), n);
        let jvp = |x: &[f64], v: &[f64]| {
            patterns_in_control_flow_jvp(x.try_into().unwrap(), v.try_into().unwrap(), n)
        };
        let vjp = |x: &[f64], w: f64| {
            let (y, b) = patterns_in_control_flow_vjp(x.try_into().unwrap(), n, w);
            (y, b.to_vec())
        };
        let grad = |x: &[f64]| {
            let (y, b) = patterns_in_control_flow_grad(x.try_into().unwrap(), n);
            (y, b.to_vec())
        };
        let hvp = |x: &[f64], v: &[f64]| {
            let (y, b, h) =
                patterns_in_control_flow_hvp(x.try_into().unwrap(), v.try_into().unwrap(), n);
            (y, b.to_vec(), h.to_vec())
        };
        check_all!(
            "patterns_in_control_flow",
            &p,
            (f, jvp, vjp, grad, hvp),
            None
        );
    }
    let p = [0.5, -1.5];
    let x = 0.8;
    let (v, g) = pattern_outside_wrt_grad(x, &p);
    assert_eq!(v, pattern_outside_wrt(x, &p));
    close("outside wrt", g, 2.0 * p[0] * x + p[1], 1e-15);
    let (_, d) = pattern_outside_wrt_jvp(x, 1.0, &p);
    close("outside wrt jvp", d, g, 1e-15);
    let (_, _, h) = pattern_outside_wrt_hvp(x, 1.0, &p);
    close("outside wrt hvp", h, 2.0 * p[0], 1e-15);
}

// ----- 2. macros that observe values -------------------------------------------

static OBSERVED: AtomicUsize = AtomicUsize::new(0);

/// Counts its calls: an `assert!` on it counts how often the statement runs.
fn observe(counter: &AtomicUsize) -> bool {
    counter.fetch_add(1, Ordering::SeqCst);
    true
}

#[differentiate]
pub fn observing(x: f64, y: f64, n: usize) -> f64 {
    let z = x * y;
    assert!(observe(&OBSERVED));
    assert!(z.is_finite(), "z = {z}");
    debug_assert!(x > -1e9, "x = {}", x);
    assert_eq!(n, n, "n = {n}");
    assert_ne!(z, f64::INFINITY, "{z:.3} {w}", w = y);
    debug_assert_eq!(z, x * y);
    debug_assert_ne!(n + 1, n);
    println!("z = {z}");
    eprintln!("x = {}, y = {y:>width$.prec$}", x, width = 12, prec = 4);
    print!("");
    eprint!("");
    let s = format!("{z}");
    format!("{x}{y}");
    let mut acc = 0.0;
    for i in 0..n {
        acc += z * (i as f64) + x.sin();
        println!("acc = {acc}");
        if acc > 1.0 {
            assert!(acc > 0.0 && observe(&OBSERVED));
            acc = acc * y;
        } else {
            eprintln!("small: {}", format!("{acc:.2}"));
        }
    }
    acc + z.sin() + s.len() as f64 * 0.0
}

/// Over a generic float: `{x}` needs only `Display`, which `Real` has.
#[differentiate]
pub fn observing_generic<T: Real>(x: T) -> T {
    let y = x * x;
    println!("x = {x}, y = {}", y);
    assert!(y >= T::ZERO, "y = {y:?}");
    y.sin()
}

#[test]
fn observing_macros_run_in_forward_sweeps_only() {
    let (x, y) = (0.7, 1.3);
    let f = |p: &[f64]| observing(p[0], p[1], 4);
    let jvp = |p: &[f64], v: &[f64]| observing_jvp(p[0], v[0], p[1], v[1], 4);
    let vjp = |p: &[f64], w: f64| {
        let (o, a, b) = observing_vjp(p[0], p[1], 4, w);
        (o, vec![a, b])
    };
    let grad = |p: &[f64]| {
        let (o, a, b) = observing_grad(p[0], p[1], 4);
        (o, vec![a, b])
    };
    let hvp = |p: &[f64], v: &[f64]| {
        let (o, a, b, ha, hb) = observing_hvp(p[0], v[0], p[1], v[1], 4);
        (o, vec![a, b], vec![ha, hb])
    };
    check_all!("observing", &[x, y], (f, jvp, vjp, grad, hvp), None);
    // The statements run as often as in the function itself, in every mode:
    // in the forward sweep, never again in the reverse sweep.
    let count = |g: &dyn Fn()| {
        let before = OBSERVED.load(Ordering::SeqCst);
        g();
        OBSERVED.load(Ordering::SeqCst) - before
    };
    let primal = count(&|| {
        observing(x, y, 4);
    });
    assert!(primal > 1, "{primal}");
    assert_eq!(
        count(&|| {
            let _ = observing_jvp(x, 1.0, y, 0.0, 4);
        }),
        primal
    );
    assert_eq!(
        count(&|| {
            let _ = observing_vjp(x, y, 4, 1.0);
        }),
        primal
    );
    assert_eq!(
        count(&|| {
            let _ = observing_grad(x, y, 4);
        }),
        primal
    );
    assert_eq!(
        count(&|| {
            let _ = observing_hvp(x, 1.0, y, 0.0, 4);
        }),
        primal
    );
    let (v, g, h) = observing_generic_hvp(0.6f32, 1.0);
    assert!((v - 0.36f32.sin()).abs() < 1e-6);
    assert!((g - 1.2 * 0.36f32.cos()).abs() < 1e-6);
    assert!((h - (2.0 * 0.36f32.cos() - 1.44 * 0.36f32.sin())).abs() < 1e-5);
}

// ----- 3. deferred initialisation ----------------------------------------------

#[differentiate]
pub fn deferred(x: f64, a: f64, c: bool) -> f64 {
    let y;
    if c {
        y = a * x;
    } else {
        y = x.sin();
    }
    let z: f64;
    z = y * y + a;
    let w: f64;
    let n: usize;
    if z > 0.5 {
        w = z * a;
        n = 2;
    } else if z > 0.01 {
        w = x;
        n = 1;
    } else {
        w = 1.0;
        n = 0;
    }
    w + z * n as f64
}

/// Deferred in a loop, over a generic float, and of a typed array.
#[differentiate]
pub fn deferred_in_loop<T: Real>(x: &[T], k: usize) -> T {
    let mut s = T::ZERO;
    for i in 0..x.len() {
        let t: T;
        if i % k == 0 {
            t = x[i] * x[i];
        } else {
            t = x[i].sin() * s;
        }
        s += t;
    }
    let v: [T; 2];
    if s > T::ONE {
        v = [s * x[0], x[1]];
    } else {
        v = [x[1], s];
    }
    v[0] * v[1] + s
}

fn deferred_hand(x: f64, a: f64, c: bool) -> [f64; 2] {
    let (y, dy_dx, dy_da) = if c {
        (a * x, a, x)
    } else {
        (x.sin(), x.cos(), 0.0)
    };
    let z = y * y + a;
    let (dz_dx, dz_da) = (2.0 * y * dy_dx, 2.0 * y * dy_da + 1.0);
    if z > 0.5 {
        // w + 2 z = z a + 2 z
        [(a + 2.0) * dz_dx, (a + 2.0) * dz_da + z]
    } else if z > 0.01 {
        [1.0 + dz_dx, dz_da]
    } else {
        [0.0, 0.0]
    }
}

#[test]
fn deferred_initialisation() {
    for (x, a) in [(0.3, 0.5), (0.9, 1.7), (-0.4, 0.05), (0.2, -0.3)] {
        for c in [true, false] {
            let f = |p: &[f64]| deferred(p[0], p[1], c);
            let jvp = |p: &[f64], v: &[f64]| deferred_jvp(p[0], v[0], p[1], v[1], c);
            let vjp = |p: &[f64], w: f64| {
                let (o, gx, ga) = deferred_vjp(p[0], p[1], c, w);
                (o, vec![gx, ga])
            };
            let grad = |p: &[f64]| {
                let (o, gx, ga) = deferred_grad(p[0], p[1], c);
                (o, vec![gx, ga])
            };
            let hvp = |p: &[f64], v: &[f64]| {
                let (o, gx, ga, hx, ha) = deferred_hvp(p[0], v[0], p[1], v[1], c);
                (o, vec![gx, ga], vec![hx, ha])
            };
            let r = deferred_hand(x, a, c);
            check_all!("deferred", &[x, a], (f, jvp, vjp, grad, hvp), Some(&r));
        }
    }
    for k in [1, 2, 3] {
        for x in [vec![0.3, 0.5, 0.7, 0.2], vec![0.9, 1.1, -0.6, 0.4]] {
            let f = |p: &[f64]| deferred_in_loop(p, k);
            let jvp = |p: &[f64], v: &[f64]| deferred_in_loop_jvp(p, v, k);
            let vjp = |p: &[f64], w: f64| deferred_in_loop_vjp(p, k, w);
            let grad = |p: &[f64]| deferred_in_loop_grad(p, k);
            let hvp = |p: &[f64], v: &[f64]| deferred_in_loop_hvp(p, v, k);
            check_all!("deferred_in_loop", &x, (f, jvp, vjp, grad, hvp), None);
        }
    }
    let (v, g) = deferred_in_loop_grad(&[0.5f32, 0.25], 1);
    assert!((v - deferred_in_loop(&[0.5f32, 0.25], 1)).abs() < 1e-6);
    assert_eq!(g.len(), 2);
}

// ----- 4. `loop` as a value, labelled `break` and `continue` --------------------

/// A fixed-point iteration: `loop` with `break value`.
#[differentiate]
pub fn loop_value(x: f64, a: f64) -> f64 {
    let mut s = x;
    let mut i = 0;
    let r = loop {
        s = s * a + x.sin();
        i += 1;
        if i > 5 {
            break s * x;
        }
        if s > 10.0 {
            break s;
        }
    };
    r * a
}

/// `break 'outer` and `continue 'outer` from an inner loop.
#[differentiate]
pub fn labelled(x: &[f64]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..x.len() {
        for j in 0..x.len() {
            if j > i {
                continue 'outer;
            }
            if i + j > 4 {
                break 'outer;
            }
            s += x[i] * x[j];
        }
        s *= 1.1;
    }
    s
}

fn labelled_plain(x: &[f64]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..x.len() {
        for j in 0..x.len() {
            if j > i {
                continue 'outer;
            }
            if i + j > 4 {
                break 'outer;
            }
            s += x[i] * x[j];
        }
        s *= 1.1;
    }
    s
}

/// Three levels: a labelled `while`, a labelled `loop` used as a value left
/// with `break 'b value` from a `for` inside it, and `continue 'a` through
/// both.
#[differentiate(wrt(x, y))]
pub fn labelled_value(x: &[f64], y: f64, rounds: usize) -> f64 {
    let mut s = y;
    let mut k = 0;
    'a: while k < rounds {
        k += 1;
        let t = 'b: loop {
            for j in 0..x.len() {
                if x[j] > 0.9 {
                    break 'b s * x[j];
                }
                if j == 2 && k % 2 == 0 {
                    continue 'a;
                }
                s += x[j] * y;
            }
            break s;
        };
        s = s + t.sin();
    }
    s
}

/// `return` from inside a `loop` used as a value.
#[differentiate]
pub fn loop_value_with_return(x: f64, n: usize) -> f64 {
    let mut s = x;
    let mut i = 0;
    let r = loop {
        i += 1;
        s = s * x + 0.5;
        if i == n {
            return s * 2.0;
        }
        if i > 3 {
            break s.exp();
        }
    };
    r + x
}

#[test]
fn loop_values_and_labels() {
    for (x, a) in [(0.3, 0.5), (0.8, 1.2), (2.0, 1.9)] {
        let f = |p: &[f64]| loop_value(p[0], p[1]);
        let jvp = |p: &[f64], v: &[f64]| loop_value_jvp(p[0], v[0], p[1], v[1]);
        let vjp = |p: &[f64], w: f64| {
            let (o, gx, ga) = loop_value_vjp(p[0], p[1], w);
            (o, vec![gx, ga])
        };
        let grad = |p: &[f64]| {
            let (o, gx, ga) = loop_value_grad(p[0], p[1]);
            (o, vec![gx, ga])
        };
        let hvp = |p: &[f64], v: &[f64]| {
            let (o, gx, ga, hx, ha) = loop_value_hvp(p[0], v[0], p[1], v[1]);
            (o, vec![gx, ga], vec![hx, ha])
        };
        check_all!("loop_value", &[x, a], (f, jvp, vjp, grad, hvp), None);
    }
    for x in [
        vec![0.3, 0.5, 0.7, 0.2],
        vec![0.3, 0.5],
        vec![1.5, -0.5, 0.25, 0.75, 2.0],
    ] {
        assert_eq!(labelled(&x), labelled_plain(&x));
        let jvp = |p: &[f64], v: &[f64]| labelled_jvp(p, v);
        let vjp = |p: &[f64], w: f64| labelled_vjp(p, w);
        check_all!(
            "labelled",
            &x,
            (labelled, jvp, vjp, labelled_grad, labelled_hvp),
            None
        );
    }
    for rounds in [1, 2, 3, 4] {
        for x in [vec![0.3, 0.95, 0.7, 0.2], vec![0.3, 0.5, 0.7, 0.2, -0.4]] {
            let n = x.len();
            let f = |p: &[f64]| labelled_value(&p[..n], p[n], rounds);
            let jvp =
                |p: &[f64], v: &[f64]| labelled_value_jvp(&p[..n], &v[..n], p[n], v[n], rounds);
            let vjp = |p: &[f64], w: f64| {
                let (o, mut gx, gy) = labelled_value_vjp(&p[..n], p[n], rounds, w);
                gx.push(gy);
                (o, gx)
            };
            let grad = |p: &[f64]| {
                let (o, mut gx, gy) = labelled_value_grad(&p[..n], p[n], rounds);
                gx.push(gy);
                (o, gx)
            };
            let hvp = |p: &[f64], v: &[f64]| {
                let (o, mut gx, gy, mut hx, hy) =
                    labelled_value_hvp(&p[..n], &v[..n], p[n], v[n], rounds);
                gx.push(gy);
                hx.push(hy);
                (o, gx, hx)
            };
            let mut p = x.clone();
            p.push(0.4);
            check_all!("labelled_value", &p, (f, jvp, vjp, grad, hvp), None);
        }
    }
    for n in [1, 2, 3, 4, 7] {
        for x in [0.3, 0.9, -0.6] {
            let f = |p: &[f64]| loop_value_with_return(p[0], n);
            let jvp = |p: &[f64], v: &[f64]| loop_value_with_return_jvp(p[0], v[0], n);
            let vjp = |p: &[f64], w: f64| {
                let (o, g) = loop_value_with_return_vjp(p[0], n, w);
                (o, vec![g])
            };
            let grad = |p: &[f64]| {
                let (o, g) = loop_value_with_return_grad(p[0], n);
                (o, vec![g])
            };
            let hvp = |p: &[f64], v: &[f64]| {
                let (o, g, h) = loop_value_with_return_hvp(p[0], v[0], n);
                (o, vec![g], vec![h])
            };
            check_all!(
                "loop_value_with_return",
                &[x],
                (f, jvp, vjp, grad, hvp),
                None
            );
        }
    }
}

// ----- 5. early exits out of a value ---------------------------------------------

/// A guard: `let y = if .. { .. } else { return ..; };`.
#[differentiate]
pub fn guard(x: f64, a: f64) -> f64 {
    let y = if x > 0.0 {
        x * a
    } else {
        return a * a;
    };
    y.sin() + x
}

/// `match` as a value with an arm that returns and an arm that is a block.
#[differentiate(wrt(x))]
pub fn exit_arm(x: f64, k: usize) -> f64 {
    let w: f64 = match k % 3 {
        0 => x * x,
        1 => {
            let q = x.exp();
            q + 1.0
        }
        _ => return x.cos(),
    };
    w * x
}

/// A function's tail that returns from one branch.
#[differentiate(wrt(x))]
pub fn exit_tail(x: f64, c: bool) -> f64 {
    let z = x * 3.0;
    if c {
        return z.sin();
    } else {
        z * z
    }
}

/// `break` and `continue` out of a value inside a loop, `else if`.
#[differentiate]
pub fn exit_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let v = if x[i] > 0.5 {
            x[i] * s + 1.0
        } else if x[i] < -2.0 {
            break;
        } else {
            continue;
        };
        s += v.tanh();
    }
    s
}

fn exit_in_loop_plain(x: &[f64]) -> f64 {
    let mut s: f64 = 0.0;
    for &xi in x {
        if xi > 0.5 {
            s += (xi * s + 1.0).tanh();
        } else if xi < -2.0 {
            break;
        }
    }
    s
}

/// A typed tuple bound from an `if` that returns, and an assignment of an
/// `if` that returns.
#[differentiate]
pub fn exit_pair(x: f64, y: f64) -> f64 {
    let (a, b): (f64, f64) = if x < y {
        (x * y, y)
    } else {
        return y - x;
    };
    let mut t = 0.5;
    t = if a > 10.0 {
        return a;
    } else {
        a + b + t
    };
    t * b
}

/// `break 'outer` from a `loop` inside an `if` whose value is bound.
#[differentiate]
pub fn exit_labelled(x: &[f64]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..x.len() {
        let r = if x[i] > 0.0 {
            loop {
                if s > 1.0 {
                    break 'outer;
                }
                break x[i] * x[i];
            }
        } else {
            1.0
        };
        s += r;
    }
    s
}

fn exit_labelled_plain(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &xi in x {
        if xi > 0.0 {
            if s > 1.0 {
                break;
            }
            s += xi * xi;
        } else {
            s += 1.0;
        }
    }
    s
}

#[test]
fn early_exits_out_of_values() {
    for (x, a) in [(-0.7f64, 0.8f64), (0.4, 0.8), (1.3, -0.6)] {
        // d/dx (sin(x a) + x) = a cos(x a) + 1, d/da = x cos(x a); for x <= 0,
        // a^2: (0, 2 a).
        let want = if x > 0.0 {
            [a * (x * a).cos() + 1.0, x * (x * a).cos()]
        } else {
            [0.0, 2.0 * a]
        };
        let f = |p: &[f64]| guard(p[0], p[1]);
        let jvp = |p: &[f64], v: &[f64]| guard_jvp(p[0], v[0], p[1], v[1]);
        let vjp = |p: &[f64], w: f64| {
            let (o, gx, ga) = guard_vjp(p[0], p[1], w);
            (o, vec![gx, ga])
        };
        let grad = |p: &[f64]| {
            let (o, gx, ga) = guard_grad(p[0], p[1]);
            (o, vec![gx, ga])
        };
        let hvp = |p: &[f64], v: &[f64]| {
            let (o, gx, ga, hx, ha) = guard_hvp(p[0], v[0], p[1], v[1]);
            (o, vec![gx, ga], vec![hx, ha])
        };
        check_all!("guard", &[x, a], (f, jvp, vjp, grad, hvp), Some(&want[..]));
        let f = |p: &[f64]| exit_pair(p[0], p[1]);
        let jvp = |p: &[f64], v: &[f64]| exit_pair_jvp(p[0], v[0], p[1], v[1]);
        let vjp = |p: &[f64], w: f64| {
            let (o, gx, gy) = exit_pair_vjp(p[0], p[1], w);
            (o, vec![gx, gy])
        };
        let grad = |p: &[f64]| {
            let (o, gx, gy) = exit_pair_grad(p[0], p[1]);
            (o, vec![gx, gy])
        };
        let hvp = |p: &[f64], v: &[f64]| {
            let (o, gx, gy, hx, hy) = exit_pair_hvp(p[0], v[0], p[1], v[1]);
            (o, vec![gx, gy], vec![hx, hy])
        };
        // (x, 0.9), (x, 5) and (4, x): every way out (a > 10 at (4, 5)).
        for p in [[x, 0.9], [x, 5.0], [4.0, x + 4.0]] {
            check_all!("exit_pair", &p, (f, jvp, vjp, grad, hvp), None);
        }
        for k in 0..4 {
            let f = |p: &[f64]| exit_arm(p[0], k);
            let jvp = |p: &[f64], v: &[f64]| exit_arm_jvp(p[0], v[0], k);
            let vjp = |p: &[f64], w: f64| {
                let (o, g) = exit_arm_vjp(p[0], k, w);
                (o, vec![g])
            };
            let grad = |p: &[f64]| {
                let (o, g) = exit_arm_grad(p[0], k);
                (o, vec![g])
            };
            let hvp = |p: &[f64], v: &[f64]| {
                let (o, g, h) = exit_arm_hvp(p[0], v[0], k);
                (o, vec![g], vec![h])
            };
            check_all!("exit_arm", &[x], (f, jvp, vjp, grad, hvp), None);
        }
        for c in [true, false] {
            let f = |p: &[f64]| exit_tail(p[0], c);
            let jvp = |p: &[f64], v: &[f64]| exit_tail_jvp(p[0], v[0], c);
            let vjp = |p: &[f64], w: f64| {
                let (o, g) = exit_tail_vjp(p[0], c, w);
                (o, vec![g])
            };
            let grad = |p: &[f64]| {
                let (o, g) = exit_tail_grad(p[0], c);
                (o, vec![g])
            };
            let hvp = |p: &[f64], v: &[f64]| {
                let (o, g, h) = exit_tail_hvp(p[0], v[0], c);
                (o, vec![g], vec![h])
            };
            // 3 cos(3 x), or 18 x.
            let want = [if c { 3.0 * (3.0 * x).cos() } else { 18.0 * x }];
            check_all!("exit_tail", &[x], (f, jvp, vjp, grad, hvp), Some(&want[..]));
        }
    }
    for x in [
        vec![0.7, 0.9, -0.3, 0.6, -2.5, 0.8],
        vec![0.6, 1.2, 0.8],
        vec![-3.0, 0.9],
    ] {
        assert_eq!(exit_in_loop(&x), exit_in_loop_plain(&x));
        assert_eq!(exit_labelled(&x), exit_labelled_plain(&x));
        let jvp = |p: &[f64], v: &[f64]| exit_labelled_jvp(p, v);
        let vjp = |p: &[f64], w: f64| exit_labelled_vjp(p, w);
        check_all!(
            "exit_labelled",
            &x,
            (
                exit_labelled,
                jvp,
                vjp,
                exit_labelled_grad,
                exit_labelled_hvp
            ),
            None
        );
        let jvp = |p: &[f64], v: &[f64]| exit_in_loop_jvp(p, v);
        let vjp = |p: &[f64], w: f64| exit_in_loop_vjp(p, w);
        check_all!(
            "exit_in_loop",
            &x,
            (exit_in_loop, jvp, vjp, exit_in_loop_grad, exit_in_loop_hvp),
            None
        );
    }
}

/// A struct of constants.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Weights {
    a: f64,
    v: Vec<f64>,
}

/// `vec!` in code kept verbatim (constants, a local length) beside `vec!`
/// of active values.
#[differentiate(wrt(x))]
fn vec_in_constant_code(x: f64, n: usize) -> f64 {
    let m = n + 1;
    let s = Weights {
        a: 0.5,
        v: vec![0.5, 0.0, 1.0],
    };
    let w = vec![2.0; m];
    let t = Weights {
        a: x * 2.0,
        v: vec![x, x * x],
    };
    s.a * x + s.v[2] * x.sin() + w[1] * t.v[1] + t.a
}

#[test]
fn vec_macros_in_constant_code() {
    // d/dx (0.5 x + sin x + 2 x^2 + 2 x) = 0.5 + cos x + 4 x + 2.
    let (v, g) = vec_in_constant_code_grad(0.7, 2);
    assert_eq!(v, vec_in_constant_code(0.7, 2));
    assert!((g - (0.5 + 0.7f64.cos() + 4.0 * 0.7 + 2.0)).abs() < 1e-14);
    let (_, d) = vec_in_constant_code_jvp(0.7, 1.0, 2);
    assert!((d - g).abs() < 1e-15);
}
