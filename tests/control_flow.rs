//! Control flow, loops, slices, arrays, `Vec` and `&mut` outputs: forward
//! mode, reverse mode, finite differences and hand-derived derivatives agree.
//!
//! The hand-derived references live in `mod hand`, written independently of
//! the macro; they were validated against finite differences of the plain
//! functions before the macro supported them.
// The differentiated functions say `x = x / 2.0` to test plain reassignment
// next to compound assignment (indexed loops need no allow: the macro adds it).
#![allow(clippy::assign_op_pattern, clippy::useless_vec)]

#[macro_use]
mod common;
#[path = "common/arrays.rs"]
mod arrays;

use ad::differentiate;
use arrays::{agree_scalar, close_all};
use common::{close, Lcg};

// ----- loops over scalars ---------------------------------------------------

/// `t *= x` three times: x^3.
#[differentiate]
fn cube(x: f64) -> f64 {
    let mut t = 1.0;
    for _ in 0..3 {
        t *= x;
    }
    t
}

#[test]
fn loop_of_three_products_differentiates_to_three_x_squared() {
    assert_eq!(cube_grad(3.0), (27.0, 27.0), "cube_grad at 3");
    assert_eq!(cube_jvp(3.0, 1.0), (27.0, 27.0), "cube_jvp at 3");
    assert_eq!(cube_vjp(3.0, 2.0), (27.0, 54.0), "cube_vjp at 3, seed 2");
    for x in [-1.3, 0.4, 2.2] {
        close(&format!("cube' at {x}"), cube_grad(x).1, 3.0 * x * x, 1e-14);
        agree!(cube, cube_jvp, cube_vjp; x 0; at [x]);
    }
}

/// A 3 x 3 nested loop of `t *= x`: x^9.
#[differentiate]
fn ninth_power(x: f64) -> f64 {
    let mut t = 1.0;
    for _ in 0..3 {
        for _ in 0..3 {
            t *= x;
        }
    }
    t
}

#[test]
fn nested_loops_differentiate_to_nine_x_to_the_eighth() {
    assert_eq!(
        ninth_power_grad(3.0),
        (19683.0, 59049.0),
        "ninth_power_grad at 3"
    );
    assert_eq!(
        ninth_power_jvp(3.0, 1.0),
        (19683.0, 59049.0),
        "ninth_power_jvp at 3"
    );
    for x in [-0.9, 0.5, 1.7] {
        let what = format!("ninth_power' at {x}");
        close(&what, ninth_power_grad(x).1, 9.0 * x.powi(8), 1e-14);
        agree!(ninth_power, ninth_power_jvp, ninth_power_vjp; x 0; at [x]);
    }
}

/// Returns from inside the loop in its second iteration: x^2.
#[differentiate]
fn returns_in_second_iteration(x: f64) -> f64 {
    let mut t = 1.0;
    for i in 0..10 {
        t *= x;
        if i == 1 {
            return t;
        }
    }
    t
}

#[test]
fn return_inside_loop_stops_the_derivative_too() {
    assert_eq!(
        returns_in_second_iteration_grad(3.0),
        (9.0, 6.0),
        "returns_in_second_iteration_grad at 3"
    );
    assert_eq!(
        returns_in_second_iteration_jvp(3.0, 1.0),
        (9.0, 6.0),
        "returns_in_second_iteration_jvp at 3"
    );
    assert_eq!(
        returns_in_second_iteration_vjp(-2.0, 0.5),
        (4.0, -2.0),
        "returns_in_second_iteration_vjp at -2, seed 0.5"
    );
    agree!(returns_in_second_iteration, returns_in_second_iteration_jvp, returns_in_second_iteration_vjp; x 0; at [1.4]);
}

/// A `mut` parameter reassigned in a loop whose bound is an inactive argument:
/// k steps of x <- sin(x) + x / 2.
#[differentiate]
fn iterate_map(mut x: f64, k: usize) -> f64 {
    for _ in 0..k {
        x = x.sin() + 0.5 * x;
    }
    x
}

/// The same in `f32`.
#[differentiate]
fn iterate_map32(mut x: f32, k: usize) -> f32 {
    for _ in 0..k {
        x = x.sin() + 0.5 * x;
    }
    x
}

#[test]
fn mut_parameter_reassigned_in_loop() {
    for (x, k) in [(0.7, 0), (0.7, 1), (-1.2, 5), (2.5, 12)] {
        let (v, g) = iterate_map_grad(x, k);
        assert_eq!(v, iterate_map(x, k), "iterate_map_grad value at ({x}, {k})");
        close(
            &format!("iterate_map' at ({x}, {k})"),
            g,
            hand::iterate_map_derivative(x, k),
            1e-14,
        );
        let (_, d) = iterate_map_jvp(x, 1.0, k);
        close(&format!("iterate_map_jvp at ({x}, {k})"), d, g, 1e-14);
        let (_, c) = iterate_map_vjp(x, k, -3.0);
        close(
            &format!("iterate_map_vjp at ({x}, {k}), seed -3"),
            c,
            -3.0 * g,
            1e-14,
        );
    }
}

#[test]
fn f32_loop_matches_the_f64_derivative() {
    for (x, k) in [(0.7f32, 1), (-1.2, 5), (2.5, 12)] {
        let reference = hand::iterate_map_derivative(x as f64, k);
        let (v, g) = iterate_map32_grad(x, k);
        assert_eq!(
            v,
            iterate_map32(x, k),
            "iterate_map32_grad value at ({x}, {k})"
        );
        assert!(
            ((g as f64) - reference).abs() <= 1e-4 * reference.abs(),
            "iterate_map32' at ({x}, {k}): {g} vs {reference}"
        );
        let (_, d) = iterate_map32_jvp(x, 1.0, k);
        assert!(
            (d - g).abs() <= 1e-5 * g.abs(),
            "iterate_map32 at ({x}, {k}): jvp {d} vs grad {g}"
        );
    }
}

/// Recursion: x^n as x * x^(n - 1).
#[differentiate]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * power(x, n - 1)
    }
}

#[test]
fn recursion_differentiates_to_n_x_to_the_n_minus_one() {
    assert_eq!(power_grad(3.0, 4), (81.0, 108.0), "power_grad at (3, 4)");
    assert_eq!(power_grad(3.0, 0), (1.0, 0.0), "power_grad at (3, 0)");
    for (x, n) in [(1.3f64, 1), (1.3, 5), (-0.8, 7)] {
        let reference = n as f64 * x.powi(n as i32 - 1);
        let (v, g) = power_grad(x, n);
        assert_eq!(v, power(x, n), "power_grad value at ({x}, {n})");
        close(&format!("power' at ({x}, {n})"), g, reference, 1e-14);
        close(
            &format!("power_jvp at ({x}, {n})"),
            power_jvp(x, 1.0, n).1,
            reference,
            1e-14,
        );
        close(
            &format!("power_vjp at ({x}, {n}), seed 2"),
            power_vjp(x, n, 2.0).1,
            2.0 * reference,
            1e-14,
        );
    }
}

// ----- loops whose exit depends on an active value ----------------------------

/// Halves `x` until it is at most 1, scaling by 1.5 at each step: after k
/// halvings the result is 1.5^k x / 2^k, with derivative 0.75^k. The number
/// of halvings jumps at every power of 2.
#[differentiate]
fn halve_until_small(mut x: f64) -> f64 {
    let mut s = 1.0;
    while x > 1.0 {
        x = x / 2.0;
        s *= 1.5;
    }
    s * x
}

#[test]
fn while_loop_on_active_value_on_both_sides_of_a_boundary() {
    // k = 0, 2, 2 (below 4), 3 (above 4), 3 halvings.
    for (x, k) in [(0.5, 0), (3.0, 2), (3.9, 2), (4.1, 3), (7.0, 3)] {
        let (_, g) = halve_until_small_grad(x);
        assert_eq!(g, 0.75f64.powi(k), "halve_until_small' at {x}");
        assert_eq!(
            halve_until_small_jvp(x, 1.0).1,
            g,
            "halve_until_small_jvp at {x}"
        );
        agree!(halve_until_small, halve_until_small_jvp, halve_until_small_vjp; x 0; at [x]);
    }
}

#[test]
fn while_loop_at_the_boundary_differentiates_the_path_taken() {
    // At x = 4 exactly: 4 -> 2 -> 1 stops (1 > 1 is false), two halvings.
    assert_eq!(
        halve_until_small_grad(4.0),
        (2.25, 0.5625),
        "halve_until_small_grad at 4"
    );
    assert_eq!(
        halve_until_small_jvp(4.0, 1.0),
        (2.25, 0.5625),
        "halve_until_small_jvp at 4"
    );
}

/// Multiplies by `x` until the product exceeds `limit`: x^k for the first k
/// with x^k > limit, derivative k x^(k-1) in x and 0 in `limit`.
#[differentiate]
fn grow_past(x: f64, limit: f64) -> f64 {
    let mut v = 1.0;
    loop {
        v *= x;
        if v > limit {
            break;
        }
    }
    v
}

#[test]
fn loop_with_active_break_on_both_sides_of_a_boundary() {
    // 2.1^3 = 9.261 < 10 < 2.1^4, but 10 < 2.2^3: the boundary is 10^(1/3) = 2.154.
    for (x, k) in [(2.1f64, 4), (2.2, 3)] {
        let (v, gx, glimit) = grow_past_grad(x, 10.0);
        close(&format!("grow_past at {x}"), v, x.powi(k), 1e-14);
        close(
            &format!("grow_past d/dx at {x}"),
            gx,
            k as f64 * x.powi(k - 1),
            1e-14,
        );
        assert_eq!(glimit, 0.0, "grow_past d/dlimit at {x}");
        agree!(grow_past, grow_past_jvp, grow_past_vjp; x 0, limit 1; at [x, 10.0]);
    }
    close(
        "grow_past d/dx at 2.1",
        grow_past_grad(2.1, 10.0).1,
        37.044,
        1e-14,
    );
    close(
        "grow_past d/dx at 2.2",
        grow_past_grad(2.2, 10.0).1,
        14.52,
        1e-14,
    );
}

// ----- branches ----------------------------------------------------------

/// `if` / `else if` / `else` as an expression and as a statement, on active
/// conditions.
#[differentiate]
fn piecewise(x: f64, y: f64) -> f64 {
    let a = if x < 0.0 {
        -x * y
    } else if x < 1.0 {
        x * x * y
    } else {
        x.sqrt() + y
    };
    let mut b = y;
    if y > 2.0 {
        b *= x;
    } else if y > 0.0 {
        b += x * x;
    } else {
        b = -b;
    }
    a + b
}

#[test]
fn if_else_chains_on_active_conditions_in_every_region() {
    for x in [-0.5, 0.5, 2.0] {
        for y in [-1.0, 1.0, 3.0] {
            let (v, gx, gy) = piecewise_grad(x, y);
            assert_eq!(v, piecewise(x, y), "piecewise_grad value at ({x}, {y})");
            let [rx, ry] = hand::piecewise_gradient(x, y);
            close(&format!("piecewise d/dx at ({x}, {y})"), gx, rx, 1e-14);
            close(&format!("piecewise d/dy at ({x}, {y})"), gy, ry, 1e-14);
            agree!(piecewise, piecewise_jvp, piecewise_vjp; x 0, y 1; at [x, y]);
        }
    }
}

/// `if` on an inactive `bool`, `match` on an inactive integer with literal,
/// or-pattern, range and `_` arms (as an expression and as a statement).
#[differentiate]
fn by_mode(x: f64, mode: i32, flag: bool) -> f64 {
    let s = if flag { x.sin() } else { x.cos() };
    let t = match mode {
        0 => x,
        1 | 2 => x * x,
        3..=5 => x.exp(),
        _ => 2.0,
    };
    let mut u = s * t;
    match mode {
        0 => {
            u *= 2.0;
        }
        6 | 7 => {
            u -= x * x;
        }
        _ => {}
    }
    if mode > 4 && !flag {
        u += x;
    }
    u
}

#[test]
fn inactive_if_and_match_select_the_derivative() {
    let x = 0.8;
    for mode in -1..=8 {
        for flag in [true, false] {
            let at = format!("by_mode at ({x}, {mode}, {flag})");
            let (v, g) = by_mode_grad(x, mode, flag);
            assert_eq!(v, by_mode(x, mode, flag), "{at}: value");
            close(&at, g, hand::by_mode_derivative(x, mode, flag), 1e-14);
            close(
                &format!("{at}: jvp"),
                by_mode_jvp(x, 1.0, mode, flag).1,
                g,
                1e-14,
            );
            close(
                &format!("{at}: vjp seed 3"),
                by_mode_vjp(x, mode, flag, 3.0).1,
                3.0 * g,
                1e-14,
            );
            let fd = ad::check::fd_gradient(|p| by_mode(p[0], mode, flag), &[x])[0];
            close(&format!("{at}: vs finite differences"), g, fd, 1e-9);
        }
    }
}

// ----- Rosenbrock over a slice ------------------------------------------------

/// The extended Rosenbrock function:
/// sum over i of 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2.
#[differentiate]
fn rosenbrock_n(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// A deterministic random point in [-1.5, 1.5]^n.
fn random_point(n: usize, seed: u64) -> Vec<f64> {
    Lcg(seed).vec(n).into_iter().map(|v| 1.5 * v).collect()
}

#[test]
fn rosenbrock_slice_gradient_matches_hand_derived_gradient() {
    for n in [2, 5, 100] {
        for seed in [1, 2] {
            let x = random_point(n, seed);
            let (v, g) = rosenbrock_n_grad(&x);
            assert_eq!(
                v,
                rosenbrock_n(&x),
                "rosenbrock_n_grad value, n = {n}, seed {seed}"
            );
            let what = format!("rosenbrock_n gradient, n = {n}, seed {seed}");
            close_all(&what, &g, &hand::rosenbrock_gradient(&x), 1e-14);
        }
    }
}

#[test]
fn rosenbrock_slice_forward_reverse_and_finite_differences_agree() {
    for n in [2, 5, 100] {
        let x = random_point(n, 10 + n as u64);
        agree_scalar(
            "rosenbrock_n",
            &x,
            rosenbrock_n,
            rosenbrock_n_jvp,
            rosenbrock_n_vjp,
            1e-8,
        );
    }
}

#[test]
fn rosenbrock_slice_gradient_vanishes_at_the_minimum() {
    assert_eq!(
        rosenbrock_n_grad(&[1.0; 5]),
        (0.0, vec![0.0; 5]),
        "rosenbrock_n_grad at ones"
    );
    // One entry: the loop does not run, but the cotangent still has one entry.
    assert_eq!(
        rosenbrock_n_grad(&[0.7]),
        (0.0, vec![0.0]),
        "rosenbrock_n_grad at [0.7]"
    );
    assert_eq!(
        rosenbrock_n_jvp(&[0.7], &[1.0]),
        (0.0, 0.0),
        "rosenbrock_n_jvp at [0.7]"
    );
}

#[test]
fn rosenbrock_grad_is_reentrant_across_threads() {
    let points: Vec<Vec<f64>> = [2, 5, 50, 100]
        .iter()
        .map(|&n| random_point(n, 40 + n as u64))
        .collect();
    let expected: Vec<(f64, Vec<f64>)> = points.iter().map(|x| rosenbrock_n_grad(x)).collect();
    for (x, (_, g)) in points.iter().zip(&expected) {
        close_all(
            "rosenbrock_n gradient before threads",
            g,
            &hand::rosenbrock_gradient(x),
            1e-14,
        );
    }
    std::thread::scope(|scope| {
        for (x, want) in points.iter().zip(&expected) {
            scope.spawn(move || {
                for round in 0..2000 {
                    let got = rosenbrock_n_grad(x);
                    assert!(
                        got.0.to_bits() == want.0.to_bits() && got.1 == want.1,
                        "rosenbrock_n_grad on a thread, n = {}, round {round}: differs from the single-threaded result",
                        x.len()
                    );
                }
            });
        }
    });
}

// ----- more loop forms over slices ---------------------------------------------

/// `while` with `continue` on an inactive test (odd indices) and on an active
/// one (negative entries): the sum of squares of the non-negative entries at
/// even indices.
#[differentiate]
fn positive_even_squares(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut i = 0;
    while i < x.len() {
        i += 1;
        if i % 2 == 0 {
            continue;
        }
        if x[i - 1] < 0.0 {
            continue;
        }
        s += x[i - 1] * x[i - 1];
    }
    s
}

#[test]
fn while_loop_with_continue() {
    let x = [0.5, 2.0, -1.5, 3.0, 1.25, -0.5, -2.0];
    let (v, g) = positive_even_squares_grad(&x);
    assert_eq!(v, 0.25 + 1.5625, "positive_even_squares at {x:?}");
    assert_eq!(
        g,
        vec![1.0, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0],
        "positive_even_squares gradient at {x:?}"
    );
    let x = random_point(9, 3);
    let g = agree_scalar(
        "positive_even_squares",
        &x,
        positive_even_squares,
        positive_even_squares_jvp,
        positive_even_squares_vjp,
        1e-8,
    );
    close_all(
        &format!("positive_even_squares gradient at {x:?}"),
        &g,
        &hand::positive_even_squares_gradient(&x),
        1e-14,
    );
}

/// Nested loops whose inner loop `break`s: the sum over j <= i of x_i x_j,
/// which is ((sum x)^2 + sum x^2) / 2, with gradient (sum x) + x_k.
#[differentiate]
fn lower_triangle(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            if j > i {
                break;
            }
            s += x[i] * x[j];
        }
    }
    s
}

#[test]
fn nested_loops_with_inner_break() {
    let x = random_point(6, 4);
    let sum: f64 = x.iter().sum();
    let reference: Vec<f64> = x.iter().map(|xk| sum + xk).collect();
    let g = agree_scalar(
        "lower_triangle",
        &x,
        lower_triangle,
        lower_triangle_jvp,
        lower_triangle_vjp,
        1e-8,
    );
    let what = format!("lower_triangle gradient at {x:?}");
    close_all(&what, &g, &reference, 1e-14);
}

/// Returns from nested branches inside a loop, on an active condition: adds
/// squares until the sum passes `cap`.
#[differentiate]
fn sum_squares_until(x: &[f64], cap: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
        if s > cap {
            if i == 0 {
                return cap;
            } else {
                return s * cap;
            }
        }
    }
    s
}

#[test]
fn early_returns_from_nested_branches_in_a_loop() {
    // Partial sums 0.25, 1.25, 3.5, 7.5: stop at 0, stop at 2, never stop.
    let x = [0.5, 1.0, 1.5, 2.0];
    for cap in [0.1, 2.5, 100.0] {
        let mut p = x.to_vec();
        p.push(cap);
        let g = agree_scalar(
            "sum_squares_until",
            &p,
            |p| sum_squares_until(&p[..4], p[4]),
            |p, t| sum_squares_until_jvp(&p[..4], &t[..4], p[4], t[4]),
            |p, c| {
                let (v, xb, capb) = sum_squares_until_vjp(&p[..4], p[4], c);
                (v, [xb, vec![capb]].concat())
            },
            1e-8,
        );
        let what = format!("sum_squares_until gradient at cap {cap}");
        close_all(&what, &g, &hand::sum_squares_until_gradient(&x, cap), 1e-14);
    }
}

/// Horner's rule over `(0..n).rev()`: sum of c_i x^i.
#[differentiate]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[test]
fn reversed_range_horner_polynomial() {
    let (c, x) = ([0.5, -1.0, 2.0, 0.25], 1.5);
    let (v, cb, xb) = horner_grad(&c, x);
    close("horner at 1.5", v, 0.5 - 1.5 + 4.5 + 0.84375, 1e-14);
    close_all("horner d/dc at 1.5", &cb, &[1.0, 1.5, 2.25, 3.375], 1e-14);
    close(
        "horner d/dx at 1.5",
        xb,
        -1.0 + 2.0 * 2.0 * 1.5 + 3.0 * 0.25 * 2.25,
        1e-14,
    );
    let p = [c.to_vec(), vec![x]].concat();
    agree_scalar(
        "horner",
        &p,
        |p| horner(&p[..4], p[4]),
        |p, t| horner_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, s| {
            let (v, cb, xb) = horner_vjp(&p[..4], p[4], s);
            (v, [cb, vec![xb]].concat())
        },
        1e-8,
    );
}

/// `(a..b).step_by(k)` with `k` an inactive argument.
#[differentiate]
fn strided_sines(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len()).step_by(k) {
        s += x[i].sin();
    }
    s
}

#[test]
fn step_by_range_touches_every_kth_entry() {
    let x = random_point(10, 5);
    for k in [1, 3, 4] {
        let reference: Vec<f64> = (0..10)
            .map(|i| if i % k == 0 { x[i].cos() } else { 0.0 })
            .collect();
        let (_, g) = strided_sines_grad(&x, k);
        close_all(
            &format!("strided_sines gradient at {x:?}, k = {k}"),
            &g,
            &reference,
            1e-14,
        );
        agree_scalar(
            "strided_sines",
            &x,
            |x| strided_sines(x, k),
            |x, t| strided_sines_jvp(x, t, k),
            |x, c| strided_sines_vjp(x, k, c),
            1e-8,
        );
    }
}

/// `a..=b` with `b` an inactive argument: x + x^2 + ... + x^n.
#[differentiate]
fn power_sum(x: f64, n: i32) -> f64 {
    let mut s = 0.0;
    for k in 1..=n {
        s += x.powi(k);
    }
    s
}

#[test]
fn inclusive_range_power_sum() {
    let x = 1.5f64;
    for n in [0, 1, 4] {
        let reference: f64 = (1..=n).map(|k| k as f64 * x.powi(k - 1)).sum();
        let (v, g) = power_sum_grad(x, n);
        assert_eq!(v, power_sum(x, n), "power_sum_grad value at ({x}, {n})");
        close(&format!("power_sum' at ({x}, {n})"), g, reference, 1e-14);
        close(
            &format!("power_sum_jvp at ({x}, {n})"),
            power_sum_jvp(x, 1.0, n).1,
            reference,
            1e-14,
        );
    }
    // 1 + 2x + 3x^2 + 4x^3 at 1.5
    assert_eq!(power_sum_grad(1.5, 4).1, 24.25, "power_sum' at (1.5, 4)");
}

// ----- arrays and Vec ---------------------------------------------------------

/// A `[f64; 3]` parameter, a `[0.0; 3]` local, element writes and `+=`:
/// q = (p0 p1 + p2, p1 p2 + 2 q0, p2 p0), result q0 q1 + q2.
#[differentiate]
fn array_mix(p: [f64; 3]) -> f64 {
    let mut q = [0.0; 3];
    for i in 0..3 {
        q[i] = p[i] * p[(i + 1) % 3];
    }
    q[0] += p[2];
    q[1] += 2.0 * q[0];
    q[0] * q[1] + q[2]
}

#[test]
fn array_parameter_and_local_array() {
    let p = [0.5, -1.5, 2.0];
    let reference = hand::array_mix_gradient(p);
    let (v, g): (f64, [f64; 3]) = array_mix_grad(p);
    assert_eq!(v, array_mix(p), "array_mix_grad value at {p:?}");
    close_all(
        &format!("array_mix gradient at {p:?}"),
        &g,
        &reference,
        1e-14,
    );
    let (_, c): (f64, [f64; 3]) = array_mix_vjp(p, -2.0);
    close_all(
        &format!("array_mix_vjp at {p:?}, seed -2"),
        &c,
        &reference.map(|r| -2.0 * r),
        1e-14,
    );
    let to_array = |p: &[f64]| -> [f64; 3] { p.try_into().expect("three entries") };
    agree_scalar(
        "array_mix",
        &p,
        |p| array_mix(to_array(p)),
        |p, t| array_mix_jvp(to_array(p), to_array(t)),
        |p, c| {
            let (v, g) = array_mix_vjp(to_array(p), c);
            (v, g.to_vec())
        },
        1e-8,
    );
}

/// `Vec` locals from `vec![0.0; n]` and `vec![a, b, c]`: the sum of
/// w[i % 3] x_i^2 with w = (a, b, c).
#[differentiate]
fn weighted_squares(x: &[f64], a: f64, b: f64, c: f64) -> f64 {
    let n = x.len();
    let mut sq = vec![0.0; n];
    for i in 0..n {
        sq[i] = x[i] * x[i];
    }
    let w = vec![a, b, c];
    let mut s = 0.0;
    for i in 0..n {
        s += w[i % 3] * sq[i];
    }
    s
}

#[test]
fn vec_locals_from_vec_macros() {
    let x = random_point(7, 6);
    let (a, b, c) = (0.5, -2.0, 1.25);
    let p = [x.clone(), vec![a, b, c]].concat();
    let (v, xb, ab, bb, cb) = weighted_squares_grad(&x, a, b, c);
    assert_eq!(
        v,
        weighted_squares(&x, a, b, c),
        "weighted_squares_grad value at {p:?}"
    );
    close_all(
        &format!("weighted_squares gradient at {p:?}"),
        &[xb, vec![ab, bb, cb]].concat(),
        &hand::weighted_squares_gradient(&p),
        1e-14,
    );
    agree_scalar(
        "weighted_squares",
        &p,
        |p| weighted_squares(&p[..7], p[7], p[8], p[9]),
        |p, t| weighted_squares_jvp(&p[..7], &t[..7], p[7], t[7], p[8], t[8], p[9], t[9]),
        |p, s| {
            let (v, xb, ab, bb, cb) = weighted_squares_vjp(&p[..7], p[7], p[8], p[9], s);
            (v, [xb, vec![ab, bb, cb]].concat())
        },
        1e-8,
    );
}

/// A `Vec<f64>` parameter: its tangent and cotangent are `Vec<f64>` too.
#[differentiate]
fn shifted_norm_sq(v: Vec<f64>, shift: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        let d = v[i] - shift;
        s += d * d;
    }
    s
}

#[test]
fn vec_parameter() {
    let (v, shift) = (vec![1.0, -0.5, 2.5], 0.5);
    let (value, vb, sb): (f64, Vec<f64>, f64) = shifted_norm_sq_grad(v.clone(), shift);
    assert_eq!(
        value,
        0.25 + 1.0 + 4.0,
        "shifted_norm_sq at ({v:?}, {shift})"
    );
    assert_eq!(
        vb,
        vec![1.0, -2.0, 4.0],
        "shifted_norm_sq d/dv at ({v:?}, {shift})"
    );
    assert_eq!(sb, -3.0, "shifted_norm_sq d/dshift at ({v:?}, {shift})");
    let (_, d) = shifted_norm_sq_jvp(v.clone(), vec![1.0, 1.0, 1.0], shift, 1.0);
    assert_eq!(d, 0.0, "shifted_norm_sq_jvp along (1, 1, 1, 1)");
    let p = [v, vec![shift]].concat();
    agree_scalar(
        "shifted_norm_sq",
        &p,
        |p| shifted_norm_sq(p[..3].to_vec(), p[3]),
        |p, t| shifted_norm_sq_jvp(p[..3].to_vec(), t[..3].to_vec(), p[3], t[3]),
        |p, c| {
            let (value, vb, sb) = shifted_norm_sq_vjp(p[..3].to_vec(), p[3], c);
            (value, [vb, vec![sb]].concat())
        },
        1e-8,
    );
}

// ----- hand-derived references ------------------------------------------------

/// Derivatives derived by hand, independent of the macro.
mod hand {
    /// k steps of x <- sin(x) + x / 2: the product of the local derivatives
    /// cos(x_j) + 1/2 along the iterates.
    pub fn iterate_map_derivative(x: f64, k: usize) -> f64 {
        let (mut x, mut d) = (x, 1.0);
        for _ in 0..k {
            d *= x.cos() + 0.5;
            x = x.sin() + 0.5 * x;
        }
        d
    }

    /// d(a + b) for the regions of `piecewise`.
    pub fn piecewise_gradient(x: f64, y: f64) -> [f64; 2] {
        let (ax, ay) = if x < 0.0 {
            (-y, -x)
        } else if x < 1.0 {
            (2.0 * x * y, x * x)
        } else {
            (0.5 / x.sqrt(), 1.0)
        };
        let (bx, by) = if y > 2.0 {
            (y, x)
        } else if y > 0.0 {
            (2.0 * x, 1.0)
        } else {
            (0.0, -1.0)
        };
        [ax + bx, ay + by]
    }

    /// d/dx of `by_mode`.
    pub fn by_mode_derivative(x: f64, mode: i32, flag: bool) -> f64 {
        let (s, ds) = if flag {
            (x.sin(), x.cos())
        } else {
            (x.cos(), -x.sin())
        };
        let (t, dt) = match mode {
            0 => (x, 1.0),
            1 | 2 => (x * x, 2.0 * x),
            3..=5 => (x.exp(), x.exp()),
            _ => (2.0, 0.0),
        };
        let mut d = ds * t + s * dt;
        if mode == 0 {
            d *= 2.0;
        }
        if mode == 6 || mode == 7 {
            d -= 2.0 * x;
        }
        if mode > 4 && !flag {
            d += 1.0;
        }
        d
    }

    /// g_i = -400 x_i (x_(i+1) - x_i^2) - 2 (1 - x_i) [i < n-1]
    ///     + 200 (x_i - x_(i-1)^2) [i > 0].
    pub fn rosenbrock_gradient(x: &[f64]) -> Vec<f64> {
        let n = x.len();
        (0..n)
            .map(|i| {
                let mut g = 0.0;
                if i + 1 < n {
                    g += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
                }
                if i > 0 {
                    g += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
                }
                g
            })
            .collect()
    }

    /// 2 x_i at even i with x_i >= 0, else 0.
    pub fn positive_even_squares_gradient(x: &[f64]) -> Vec<f64> {
        x.iter()
            .enumerate()
            .map(|(i, &v)| if i % 2 == 0 && v >= 0.0 { 2.0 * v } else { 0.0 })
            .collect()
    }

    /// Stopping at i = 0 returns cap (gradient (0..., 1)); stopping at
    /// m > 0 returns S_m cap (2 x_j cap for j <= m, then S_m); never
    /// stopping returns S (2 x_j, then 0).
    pub fn sum_squares_until_gradient(x: &[f64], cap: f64) -> Vec<f64> {
        let mut g = vec![0.0; x.len() + 1];
        let mut s = 0.0;
        for m in 0..x.len() {
            s += x[m] * x[m];
            if s > cap {
                if m == 0 {
                    g[x.len()] = 1.0;
                } else {
                    for j in 0..=m {
                        g[j] = 2.0 * x[j] * cap;
                    }
                    g[x.len()] = s;
                }
                return g;
            }
        }
        for j in 0..x.len() {
            g[j] = 2.0 * x[j];
        }
        g
    }

    /// q0 = p0 p1 + p2, q1 = p1 p2 + 2 q0, f = q0 q1 + p2 p0:
    /// df = q1 dq0 + q0 dq1 + d(p2 p0).
    pub fn array_mix_gradient(p: [f64; 3]) -> [f64; 3] {
        let q0 = p[0] * p[1] + p[2];
        let q1 = p[1] * p[2] + 2.0 * q0;
        [
            p[1] * q1 + 2.0 * p[1] * q0 + p[2],
            p[0] * q1 + (p[2] + 2.0 * p[0]) * q0,
            q1 + (p[1] + 2.0) * q0 + p[0],
        ]
    }

    /// p = [x..., a, b, c]: d/dx_i = 2 w_(i%3) x_i, d/dw_k = sum of x_i^2
    /// over i % 3 == k.
    pub fn weighted_squares_gradient(p: &[f64]) -> Vec<f64> {
        let n = p.len() - 3;
        let w = &p[n..];
        let mut g = vec![0.0; n + 3];
        for i in 0..n {
            g[i] = 2.0 * w[i % 3] * p[i];
            g[n + i % 3] += p[i] * p[i];
        }
        g
    }
}
