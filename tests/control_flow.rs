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
use arrays::{agree_scalar, agree_vector, assert_jacobians_close, close_all, flat};
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

// ----- vector outputs ---------------------------------------------------------

/// Residuals r_i = x_i^2 - y i (+ x_(i-1) x_i for i > 0), a `Vec<f64>` output.
#[differentiate]
fn residuals(x: &[f64], y: f64) -> Vec<f64> {
    let mut r = vec![0.0; x.len()];
    for i in 0..x.len() {
        r[i] = x[i] * x[i] - y * i as f64;
        if i > 0 {
            r[i] += x[i - 1] * x[i];
        }
    }
    r
}

/// Checks `residuals` as a function of p = [x..., y] (n = p.len() - 1) and
/// returns its Jacobian.
fn check_residuals(p: &[f64]) -> arrays::Matrix {
    let n = p.len() - 1;
    agree_vector(
        "residuals",
        p,
        |p| residuals(&p[..n], p[n]),
        |p, t| residuals_jvp(&p[..n], &t[..n], p[n], t[n]),
        |p, c| {
            let (v, xb, yb): (Vec<f64>, Vec<f64>, f64) = residuals_vjp(&p[..n], p[n], c.to_vec());
            (v, [xb, vec![yb]].concat())
        },
        1e-8,
    )
}

#[test]
fn vec_output_jacobian_by_columns_equals_by_rows_and_finite_differences() {
    for (n, seed) in [(1, 7), (4, 8), (9, 9)] {
        let p = random_point(n + 1, seed);
        let j = check_residuals(&p);
        let reference = hand::residuals_jacobian(&p[..n], p[n]);
        let what = format!("residuals Jacobian vs hand-derived, n = {n}");
        assert_jacobians_close(&what, &j, &reference, 1e-14, 1e-14);
    }
}

/// Polar to Cartesian coordinates, a `[f64; 2]` output.
#[differentiate]
fn polar_to_cartesian(r: f64, theta: f64) -> [f64; 2] {
    let mut out = [0.0; 2];
    out[0] = r * theta.cos();
    out[1] = r * theta.sin();
    out
}

#[test]
fn array_output_jacobian_by_columns_equals_by_rows_and_finite_differences() {
    for (r, theta) in [(2.0f64, 0.3f64), (0.5, -2.0)] {
        let j = agree_vector(
            "polar_to_cartesian",
            &[r, theta],
            |p| polar_to_cartesian(p[0], p[1]).to_vec(),
            |p, t| {
                let (v, d) = polar_to_cartesian_jvp(p[0], t[0], p[1], t[1]);
                (flat(v), flat(d))
            },
            |p, c| {
                let seed: [f64; 2] = c.try_into().expect("two entries");
                let (v, rb, tb) = polar_to_cartesian_vjp(p[0], p[1], seed);
                (flat(v), vec![rb, tb])
            },
            1e-8,
        );
        let (c, s) = (theta.cos(), theta.sin());
        let reference = vec![vec![c, -r * s], vec![s, r * c]];
        let what = format!("polar_to_cartesian Jacobian at ({r}, {theta})");
        assert_jacobians_close(&what, &j, &reference, 1e-14, 1e-14);
    }
}

// ----- &mut outputs: ODE right-hand sides ---------------------------------------

/// Lotka-Volterra with seasonal forcing of the prey's growth rate.
#[differentiate]
fn lotka_volterra(t: f64, y: &[f64], dydt: &mut [f64]) {
    let (alpha, beta, gamma, delta) = (1.1, 0.4, 0.4, 0.1);
    let growth = alpha * (1.0 + 0.2 * t.sin());
    dydt[0] = growth * y[0] - beta * y[0] * y[1];
    dydt[1] = delta * y[0] * y[1] - gamma * y[1];
}

/// A decay chain written with a loop and `+=` on the output buffer:
/// y_i' = -(i + 1) y_i + i y_(i-1), plus a source e^-t into y_0.
#[differentiate]
fn decay_chain(t: f64, y: &[f64], dydt: &mut [f64]) {
    let n = y.len();
    for i in 0..n {
        let k = 1.0 + i as f64;
        dydt[i] = -k * y[i];
        if i > 0 {
            dydt[i] += i as f64 * y[i - 1];
        }
    }
    dydt[0] += (-t).exp();
}

/// Checks an ODE right-hand side through the `&mut` convention, with inputs
/// p = [t, y...]. The buffers start as NaN: the right-hand sides write every
/// element before reading it, so the initial contents (an input, as Enzyme's
/// `Duplicated`) do not matter.
/// Returns the Jacobian (rows: outputs; columns: t, then y).
macro_rules! check_rhs {
    ($rhs:ident, $jvp:ident, $vjp:ident, $p:expr) => {{
        let p: &[f64] = &$p;
        let n = p.len() - 1;
        agree_vector(
            stringify!($rhs),
            p,
            |p| {
                let mut out = vec![f64::NAN; n];
                $rhs(p[0], &p[1..], &mut out);
                out
            },
            |p, t| {
                let (mut out, mut dout) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                let () = $jvp(p[0], t[0], &p[1..], &t[1..], &mut out, &mut dout);
                (out, dout)
            },
            |p, c| {
                let mut out = vec![f64::NAN; n];
                let mut cb = c.to_vec();
                let (tb, yb): (f64, Vec<f64>) = $vjp(p[0], &p[1..], &mut out, &mut cb);
                // Every element is written before it is read: the initial
                // contents have a zero cotangent.
                assert_eq!(cb, vec![0.0; n], "cotangent of the initial contents");
                (out, [vec![tb], yb].concat())
            },
            1e-8,
        )
    }};
}

#[test]
fn ode_rhs_with_mut_output_lotka_volterra() {
    for p in [[0.3, 10.0, 5.0], [2.0, 0.5, 3.0]] {
        let j = check_rhs!(lotka_volterra, lotka_volterra_jvp, lotka_volterra_vjp, p);
        let what = format!("lotka_volterra Jacobian at {p:?}");
        assert_jacobians_close(&what, &j, &hand::lotka_volterra_jacobian(&p), 1e-14, 1e-14);
    }
}

#[test]
fn ode_rhs_with_mut_output_in_a_loop() {
    let p = [0.7, 1.0, -0.5, 2.0, 0.25];
    let j = check_rhs!(decay_chain, decay_chain_jvp, decay_chain_vjp, p);
    assert_jacobians_close(
        &format!("decay_chain Jacobian at {p:?}"),
        &j,
        &hand::decay_chain_jacobian(&p),
        1e-14,
        1e-14,
    );
}

#[test]
fn ode_rhs_vjp_writes_the_primal_and_jvp_the_tangent() {
    let (t, y) = (0.3, [10.0, 5.0]);
    let mut expected = [0.0; 2];
    lotka_volterra(t, &y, &mut expected);
    let mut out = [f64::NAN; 2];
    let (tb, yb) = lotka_volterra_vjp(t, &y, &mut out, &mut [0.0, 0.0]);
    assert_eq!(
        out, expected,
        "lotka_volterra_vjp primal at t = {t}, y = {y:?}"
    );
    assert_eq!(
        (tb, yb),
        (0.0, vec![0.0, 0.0]),
        "lotka_volterra_vjp with a zero seed"
    );
    let (mut out, mut dout) = ([f64::NAN; 2], [f64::NAN; 2]);
    lotka_volterra_jvp(t, 0.0, &y, &[0.0, 1.0], &mut out, &mut dout);
    assert_eq!(
        out, expected,
        "lotka_volterra_jvp primal at t = {t}, y = {y:?}"
    );
    // d/dy1 = (-beta y0, delta y0 - gamma) = (-4, 0.6)
    close_all("lotka_volterra_jvp along y1", &dout, &[-4.0, 0.6], 1e-14);
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

    /// Rows r_i; columns x_0..x_(n-1), y.
    pub fn residuals_jacobian(x: &[f64], _y: f64) -> Vec<Vec<f64>> {
        let n = x.len();
        let mut j = vec![vec![0.0; n + 1]; n];
        for i in 0..n {
            j[i][i] = 2.0 * x[i];
            if i > 0 {
                j[i][i] += x[i - 1];
                j[i][i - 1] = x[i];
            }
            j[i][n] = -(i as f64);
        }
        j
    }

    /// Columns t, y0, y1.
    pub fn lotka_volterra_jacobian(p: &[f64]) -> Vec<Vec<f64>> {
        let (alpha, beta, gamma, delta) = (1.1, 0.4, 0.4, 0.1);
        let (t, y0, y1) = (p[0], p[1], p[2]);
        let growth = alpha * (1.0 + 0.2 * t.sin());
        vec![
            vec![alpha * 0.2 * t.cos() * y0, growth - beta * y1, -beta * y0],
            vec![0.0, delta * y1, delta * y0 - gamma],
        ]
    }

    /// Columns t, y_0..y_(n-1).
    pub fn decay_chain_jacobian(p: &[f64]) -> Vec<Vec<f64>> {
        let n = p.len() - 1;
        let mut j = vec![vec![0.0; n + 1]; n];
        j[0][0] = -(-p[0]).exp();
        for i in 0..n {
            j[i][i + 1] = -(1.0 + i as f64);
            if i > 0 {
                j[i][i] = i as f64;
            }
        }
        j
    }
}

// ----- element writes whose old values nothing reads -------------------------
//
// `w[i] = ..` filling an array in a loop over `i`, with `w` untouched before:
// the forward sweep saves nothing (the old values are never read). The
// variants after it read `w` before the loop, read a neighbour inside it, or
// write an element twice: there the old values are saved and restored.

/// Filled once, read after the loop (also a neighbour).
#[differentiate]
fn fill_then_read(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.0; n];
    for i in 0..n {
        w[i] = (0.7 * x[i]).sin();
    }
    let mut s = 0.0;
    for i in 0..n {
        s += w[i] * w[(i + 1) % n] + w[i].exp();
    }
    s
}

/// Read before the loop: the first element's old value is read again.
#[differentiate]
fn read_before_fill(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![1.5; n];
    w[0] = x[0] * x[1];
    let y = w[0].sin();
    for i in 0..n {
        w[i] = (w[i] * x[i]).exp() - 1.0;
    }
    y * w[0] + w[n - 1]
}

/// A neighbour read inside the loop (an old value at `i + 1`).
#[differentiate]
fn fill_reading_ahead(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.5; n];
    let mut s = 0.0;
    for i in 0..n {
        w[i] = x[i].tanh() * 2.0;
        s += w[i] * w[(i + 1) % n];
    }
    s
}

/// Written twice per iteration, the second time in a branch, in reverse order.
#[differentiate]
fn fill_twice(x: &[f64]) -> f64 {
    let n = x.len();
    let mut w = vec![0.0; n];
    for i in (0..n).rev() {
        w[i] = x[i].exp();
        if w[i] > 1.0 {
            w[i] = w[i].sqrt() * x[i];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += w[i] * w[i];
    }
    s
}

#[test]
fn element_writes_with_and_without_saved_old_values() {
    for seed in [3, 4] {
        let x = random_point(5, seed);
        agree_scalar(
            "fill_then_read",
            &x,
            fill_then_read,
            fill_then_read_jvp,
            fill_then_read_vjp,
            1e-7,
        );
        agree_scalar(
            "read_before_fill",
            &x,
            read_before_fill,
            read_before_fill_jvp,
            read_before_fill_vjp,
            1e-7,
        );
        agree_scalar(
            "fill_reading_ahead",
            &x,
            fill_reading_ahead,
            fill_reading_ahead_jvp,
            fill_reading_ahead_vjp,
            1e-7,
        );
        agree_scalar(
            "fill_twice",
            &x,
            fill_twice,
            fill_twice_jvp,
            fill_twice_vjp,
            1e-7,
        );
        // Second order through the unsaved writes.
        let v = random_point(5, seed + 10);
        assert_hvp_is_gradient_derivative(
            "fill_then_read",
            &x,
            &v,
            fill_then_read_hvp,
            fill_then_read_grad,
        );
    }
}

/// `H v` from `hvp` against central differences of `grad` along `v`.
fn assert_hvp_is_gradient_derivative(
    name: &str,
    x: &[f64],
    v: &[f64],
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
) {
    let (_, _, hv) = hvp(x, v);
    let h = 1e-5;
    let at = |t: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + t * b).collect();
        grad(&p).1
    };
    let (up, down) = (at(h), at(-h));
    for k in 0..x.len() {
        let fd = (up[k] - down[k]) / (2.0 * h);
        assert!(
            (hv[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{name} {k}: {} vs {fd}",
            hv[k]
        );
    }
}

// ----- scalars overwritten in loops without saving what nothing reads --------

/// Online log-sum-exp of squares: `semx += term` saves nothing.
#[differentiate]
fn online_lse(x: &[f64]) -> f64 {
    let mut mx = f64::NEG_INFINITY;
    let mut semx = 0.0;
    for i in 0..x.len() {
        let m = x[i] * x[i];
        if m > mx {
            let rescale = (mx - m).exp();
            semx = semx * rescale + 1.0;
            mx = m;
        } else {
            let term = (m - mx).exp();
            semx += term;
        }
    }
    semx.ln() + mx
}

/// A sum restarted in each round and read after its inner loop: only the
/// restart saves; a product in the same loop still saves each factor.
#[differentiate]
fn restarted_sums(x: &[f64]) -> f64 {
    let mut total = 0.0;
    let mut sum = x[0] * 0.5;
    let mut prod = 1.0;
    for r in 0..3 {
        total += sum.sin();
        sum = 0.0;
        for i in 0..x.len() {
            sum += (x[i] * (r as f64 + 0.5)).exp();
            prod *= 1.0 + x[i] * 0.1;
        }
        sum += 2.0;
        total += sum.ln() * prod;
    }
    total
}

#[test]
fn scalars_overwritten_in_loops_agree_with_finite_differences() {
    for seed in [5, 6] {
        let x = random_point(4, seed);
        // Against the two-pass log-sum-exp, computed directly.
        let squares: Vec<f64> = x.iter().map(|v| v * v).collect();
        let max = squares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let direct = squares.iter().map(|s| (s - max).exp()).sum::<f64>().ln() + max;
        assert!((online_lse(&x) - direct).abs() < 1e-14);
        // Its gradient: softmax weights times 2 x.
        let (_, g) = online_lse_grad(&x);
        for i in 0..4 {
            let w = (squares[i] - direct).exp();
            assert!((g[i] - 2.0 * x[i] * w).abs() < 1e-12, "{i}");
        }
        agree_scalar(
            "online_lse",
            &x,
            online_lse,
            online_lse_jvp,
            online_lse_vjp,
            1e-7,
        );
        agree_scalar(
            "restarted_sums",
            &x,
            restarted_sums,
            restarted_sums_jvp,
            restarted_sums_vjp,
            1e-7,
        );
        let v = random_point(4, seed + 20);
        assert_hvp_is_gradient_derivative("online_lse", &x, &v, online_lse_hvp, online_lse_grad);
        assert_hvp_is_gradient_derivative(
            "restarted_sums",
            &x,
            &v,
            restarted_sums_hvp,
            restarted_sums_grad,
        );
    }
}

// ----- `match` on active values ---------------------------------------------

/// A `match` on active values: guards, ranges and bindings of the whole
/// value, as a value and as statements in a loop swept twice (its arms bind
/// `t`, which the reverse sweep restores).
#[differentiate]
fn match_piecewise(x: f64, a: f64) -> f64 {
    let y = match x * a {
        v if v < -1.0 => -v * a,
        0.0..=0.5 => x * x,
        v => v.sin() + a,
    };
    let mut s = 0.0;
    for i in 0..3 {
        match y + i as f64 * x {
            t if t > 1.0 => s += t * a,
            mut t => {
                t *= 2.0;
                s += t;
            }
        }
    }
    let w = match s {
        u @ 0.0..=3.0 => u * u,
        u => u * 0.5,
    };
    s + y + w
}

#[test]
fn match_on_active_values() {
    for (x, a) in [
        (0.3f64, 1.2f64),
        (-2.1, 0.9),
        (0.8, 0.5),
        (1.7, -0.8),
        (0.4, 0.6),
    ] {
        // The same function with `if`s: the reference.
        let y = if x * a < -1.0 {
            -(x * a) * a
        } else if (0.0..=0.5).contains(&(x * a)) {
            x * x
        } else {
            (x * a).sin() + a
        };
        let mut s = 0.0;
        for i in 0..3 {
            let t = y + i as f64 * x;
            s += if t > 1.0 { t * a } else { 2.0 * t };
        }
        let w = if (0.0..=3.0).contains(&s) {
            s * s
        } else {
            s * 0.5
        };
        assert_eq!(match_piecewise(x, a), s + y + w);
        common::agree(
            "match_piecewise",
            &[x, a],
            |p| match_piecewise(p[0], p[1]),
            |p, t| match_piecewise_jvp(p[0], t[0], p[1], t[1]),
            |p, c| {
                let (v, gx, ga) = match_piecewise_vjp(p[0], p[1], c);
                (v, vec![gx, ga])
            },
            1e-7,
        );
        // Second order against central differences of the gradient.
        let h = 1e-6;
        let (_, _, _, hxx, hax) = match_piecewise_hvp(x, 1.0, a, 0.0);
        let g = |x: f64, a: f64| match_piecewise_grad(x, a);
        let (gp, gm) = (g(x + h, a), g(x - h, a));
        close("d2/dx2", hxx, (gp.1 - gm.1) / (2.0 * h), 1e-5);
        close("d2/dadx", hax, (gp.2 - gm.2) / (2.0 * h), 1e-5);
    }
}
