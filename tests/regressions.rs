//! Regressions: each test pins a bug found while building `ad`.

use ad::check::{check_gradient, check_jvp};
use ad::differentiate;

/// A slot assigned by a call inside a loop, read again after the loop: the
/// reverse sweep of each iteration needs the value that iteration wrote
/// (found by the snapshot of `piecewise`: the output of `y.sqrt()` was read
/// from the slot without saving it across iterations).
#[differentiate]
fn last_root(x: f64) -> f64 {
    let mut r = 0.0;
    let mut y = x;
    for _ in 0..3 {
        r = y.sqrt();
        y = y * 2.0 + r;
    }
    r * y
}

/// The same with a quotient, whose rule reads its output too.
#[differentiate]
fn last_ratio(x: f64, z: f64) -> f64 {
    let mut q = 1.0;
    let mut y = x;
    for _ in 0..3 {
        q = y / z;
        y += q * q;
    }
    q + y
}

#[test]
fn outputs_read_by_rules_are_saved_across_iterations() {
    let x = 1.7;
    let (v, g) = last_root_grad(x);
    assert_eq!(v, last_root(x));
    check_gradient(|p: &[f64]| last_root(p[0]), &[x], &[g]).assert_close(1e-8, 1e-8);
    let (x, z) = (0.8, 1.9);
    let (v, gx, gz) = last_ratio_grad(x, z);
    assert_eq!(v, last_ratio(x, z));
    check_gradient(|p: &[f64]| last_ratio(p[0], p[1]), &[x, z], &[gx, gz]).assert_close(1e-8, 1e-8);
    let (_, _, _, hx, _) = last_ratio_hvp(x, 1.0, z, 0.0);
    let h = 1e-5;
    let fd = (last_ratio_grad(x + h, z).1 - last_ratio_grad(x - h, z).1) / (2.0 * h);
    assert!((hx - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{hx} vs {fd}");
}

/// An element written at a computed index inside nested loops: the reverse
/// sweep must recompute the index before taking the element's adjoint
/// (found by the ADBench GMM objective: `qdiags[ik * d + id] = q.exp()`).
#[differentiate]
fn exp_table(theta: &[f64], k: usize, d: usize) -> f64 {
    let mut table = vec![0.0; d * k];
    for ik in 0..k {
        for id in 0..d {
            let q = theta[ik * d + id];
            table[ik * d + id] = q.exp();
        }
    }
    let mut s = 0.0;
    for i in 0..d * k {
        s += table[i] * table[i];
    }
    s
}

#[test]
fn computed_indices_of_element_writes_in_loops() {
    let theta = [0.1, 0.2, 0.3, 0.4, -0.5, 0.6];
    let (v, g) = exp_table_grad(&theta, 3, 2);
    assert_eq!(v, exp_table(&theta, 3, 2));
    for i in 0..6 {
        let expected = 2.0 * (2.0 * theta[i]).exp();
        assert!((g[i] - expected).abs() < 1e-14 * expected, "entry {i}");
    }
}

/// A function whose Hessian is zero, over a slice: the zero Hessian-vector
/// product is made before the result tuple moves the gradient (found by the
/// ADBench GMM work: `(value, x_bar, zero_like(&x_bar))` did not compile).
#[differentiate]
fn plain_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// An element written at an index expression with a compound right-hand
/// side, inside a loop.
#[differentiate]
fn shifted_square(x: &[f64]) -> f64 {
    let mut y = [0.0; 2];
    for i in 0..1 {
        y[i + 1] = x[0] * x[0];
    }
    y[1]
}

#[test]
fn zero_hessians_and_shifted_writes() {
    let (v, g, h) = plain_sum_hvp(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]);
    assert_eq!((v, g, h), (6.0, vec![1.0; 3], vec![0.0; 3]));
    let (v, g, h) = shifted_square_hvp(&[3.0], &[1.0]);
    assert_eq!((v, g, h), (9.0, vec![6.0], vec![2.0]));
}

/// `u /= a` in a loop: the last statement of a loop body counts as inside
/// the loop when deciding what to save (found by the random tests).
#[differentiate]
fn repeated_division(a: f64) -> f64 {
    let mut u: f64 = 1.0;
    for _ in 0..2 {
        u /= a;
    }
    u
}

/// A call assigned to an existing variable keeps its tangent (found by the
/// random tests: forward mode gave 0).
#[differentiate]
fn product(a: f64, b: f64) -> f64 {
    a * b
}

#[differentiate]
fn call_into_slot(b: f64, a: f64) -> f64 {
    let mut u = b;
    if b < 3.0 {
        u = product(b, a);
    }
    u
}

/// An active array element overwritten by a constant: second order zeroes
/// the tangent of its adjoint too (found by the random tests).
#[differentiate]
fn overwritten_element(a: f64) -> f64 {
    let mut w = [a, a];
    w[0] = 0.89;
    a * w[0] * w[1]
}

#[test]
fn random_test_findings() {
    let a = 1.5f64;
    let (_, g) = repeated_division_grad(a);
    assert!((g + 2.0 / (a * a * a)).abs() < 1e-14, "{g}");
    let (_, d) = call_into_slot_jvp(0.577, 1.0, -0.2634, 0.0);
    assert!((d + 0.2634).abs() < 1e-15, "{d}");
    let (_, _, h) = overwritten_element_hvp(-0.5475, 1.0);
    assert!((h - 1.78).abs() < 1e-12, "{h}");
}

/// A call inside a loop whose value the reverse sweep reads (`ln::d1` reads
/// `t`): reverse mode declares `t` before the loop and assigns it, `t =
/// square(u)`, and second order lost the tangent of that assignment (found
/// by the random tests: 72 second-order mismatches, all in functions calling
/// others inside loops).
#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn log_of_square_twice(a: f64) -> f64 {
    let mut u = a;
    for _ in 0..2 {
        u = square(u).ln();
    }
    u
}

/// The shape the random tests found it in (`r010`): the call's result
/// multiplied by the slot it overwrites, an inactive argument, a branch.
#[differentiate]
fn scaled_power(x: f64, n: i32) -> f64 {
    x.powi(n) * 0.5
}

#[differentiate]
fn call_in_loop(a: f64, b: f64, k: usize) -> f64 {
    let mut u = b.sinh();
    for i in 0..3 {
        u = (u * scaled_power(a.max(u), 3)).tanh() + a;
        if i == k {
            continue;
        }
        u = u * 0.75 + (b * u).atan();
    }
    u * b
}

#[test]
fn calls_assigned_in_the_forward_sweep_keep_their_tangents() {
    // f(a) = 2 ln(2 ln a): f''(a) = -2 (ln a + 1) / (a ln a)^2.
    for a in [1.5, 2.5, 7.0f64] {
        let (v, g, h) = log_of_square_twice_hvp(a, 1.0);
        assert!((v - 2.0 * (2.0 * a.ln()).ln()).abs() < 1e-14, "{v}");
        assert!((g - 2.0 / (a * a.ln())).abs() < 1e-14, "{g}");
        let exact = -2.0 * (a.ln() + 1.0) / (a * a.ln()).powi(2);
        assert!(
            (h - exact).abs() < 1e-13 * (1.0 + exact.abs()),
            "{h} vs {exact}"
        );
    }
    for (x, v, k) in [
        ([0.7, -0.4], [0.3, 0.9], 1),
        ([-0.2, 0.5], [-0.8, 0.4], 0),
        ([1.1, 0.3], [0.6, -0.5], 5),
    ] {
        let grad = |p: &[f64]| {
            let (_, ga, gb) = call_in_loop_grad(p[0], p[1], k);
            vec![ga, gb]
        };
        let (val, ga, gb, ha, hb) = call_in_loop_hvp(x[0], v[0], x[1], v[1], k);
        assert_eq!(val, call_in_loop(x[0], x[1], k));
        check_gradient(|p: &[f64]| call_in_loop(p[0], p[1], k), &x, &[ga, gb])
            .assert_close(1e-8, 1e-7);
        check_jvp(grad, &x, &v, &[ha, hb]).assert_close(1e-7, 1e-6);
        // Symmetry of the Hessian: <w, H v> = <v, H w>.
        let w = [0.4, -1.3];
        let (_, _, _, wa, wb) = call_in_loop_hvp(x[0], w[0], x[1], w[1], k);
        let (whv, vhw) = (w[0] * ha + w[1] * hb, v[0] * wa + v[1] * wb);
        assert!(
            (whv - vhw).abs() < 1e-12 * (1.0 + whv.abs()),
            "{whv} vs {vhw}"
        );
    }
}

// The function's `#[cfg]` applies to its derivatives too: here it is false,
// so neither `gone` nor its derivatives exist, and this `gone_grad` does not
// clash with a generated one.
#[differentiate]
#[cfg(any())]
fn gone(x: f64) -> f64 {
    x
}

fn gone_grad(_x: f64) -> f64 {
    42.0
}

// `#[inline]` and lint levels are carried too (an unused assignment in the
// generated tangent code would warn without the function's `allow`).
#[differentiate]
#[inline]
#[allow(unused_assignments)]
fn kept(x: f64) -> f64 {
    let mut y = 0.0;
    if x > 0.0 {
        y = x * x;
    } else {
        y = -x;
    }
    y
}

#[test]
fn attributes_of_the_function_carry_to_its_derivatives() {
    assert_eq!(gone_grad(1.0), 42.0);
    assert_eq!(kept_grad(3.0), (9.0, 6.0));
    assert_eq!(kept_grad(-3.0), (3.0, -1.0));
}

/// An outer variable assigned inside a nested block: a new version of `s`
/// inside the block ended with it, so the value and the derivative lost the
/// update (found while testing helpers over slices: `f` returned `x`).
#[differentiate]
fn nested_block_update(x: f64) -> f64 {
    let mut s = x;
    {
        s += x * x;
    }
    let y = {
        s *= x;
        s + 1.0
    };
    s * y
}

#[test]
fn assignments_in_nested_blocks_are_kept() {
    let x = 0.7;
    // s = (x + x^2) x, y = s + 1: f = s (s + 1).
    let s = (x + x * x) * x;
    let ds = 1.0 * x + (x + x * x) + 2.0 * x * x;
    let (v, g) = nested_block_update_grad(x);
    assert_eq!(v, nested_block_update(x));
    assert!((v - s * (s + 1.0)).abs() < 1e-14);
    assert!((g - (2.0 * s + 1.0) * ds).abs() < 1e-13, "{g}");
    assert!((nested_block_update_jvp(x, 1.0).1 - g).abs() < 1e-13);
    check_gradient(|p: &[f64]| nested_block_update(p[0]), &[x], &[g]).assert_close(1e-8, 1e-8);
}

/// `acosh` of a large argument (found by the randomized calls family: a
/// helper received `acosh(cosh(b) + 0.31)` with b = 628): the derivative
/// `1 / sqrt(x^2 - 1)` overflowed to 0 for x > 1e154 and lost the chain
/// `sinh(b) / sqrt(..) = 1`.
#[differentiate]
fn acosh_of_cosh(b: f64) -> f64 {
    (b.cosh() + 0.31).acosh()
}

#[differentiate]
fn asinh_large(x: f64) -> f64 {
    x.asinh()
}

#[test]
fn inverse_hyperbolic_derivatives_of_large_arguments() {
    // d/db acosh(cosh b + c) = sinh b / sqrt((cosh b + c)^2 - 1), which is
    // 1 to rounding for large b.
    let b: f64 = 3.0;
    let reference = b.sinh() / ((b.cosh() + 0.31).powi(2) - 1.0).sqrt();
    assert!((acosh_of_cosh_grad(b).1 - reference).abs() < 1e-14);
    for b in [200.0, 628.0] {
        let (v, g) = acosh_of_cosh_grad(b);
        assert!((v - b).abs() < 1e-12 * b, "{v}");
        assert!((g - 1.0).abs() < 1e-12, "acosh_of_cosh_grad({b}) = {g}");
        let (_, _, h) = acosh_of_cosh_hvp(b, 1.0);
        assert!(h.is_finite(), "acosh_of_cosh_hvp({b}) = {h}");
    }
    // d/dx asinh(x) = 1 / sqrt(x^2 + 1) = 1e-200 at 1e200 (was 0).
    let (_, g) = asinh_large_grad(1e200);
    assert!((g - 1e-200).abs() < 1e-214, "{g}");
}

/// A function with a buffer whose result is a variable the body also reads
/// (found by the randomized calls family): the output cotangent `dout` was
/// the variable's adjoint and was added to, but not declared `mut`.
#[differentiate]
fn result_also_written(a: f64, b: f64, d: &mut [f64]) -> f64 {
    d[0] = a * b;
    b
}

#[test]
fn a_result_variable_that_also_reaches_a_buffer() {
    let (mut d, mut d_bar) = ([0.0], [2.0]);
    let (v, a_bar, b_bar) = result_also_written_vjp(1.5, 0.5, &mut d, &mut d_bar, 3.0);
    // d0 = a b: d(d0)/da = b, d(d0)/db = a; the result is b.
    assert_eq!((v, d[0]), (0.5, 0.75));
    assert_eq!((a_bar, b_bar, d_bar[0]), (2.0 * 0.5, 3.0 + 2.0 * 1.5, 0.0));
}

/// Inactive state changed by verbatim code (`v.push(i)`, `shift(&mut k)`)
/// and read in an index: the reverse sweep used to compute the index again
/// from the final state (`x[v.len() - 1]` read `x[2]` three times, a
/// silently wrong gradient `[0, 0, 18]`). Such indices are saved now.
#[differentiate]
fn index_from_a_growing_list(x: &[f64]) -> f64 {
    let mut v: Vec<usize> = Vec::new();
    let mut s = 0.0;
    for i in 0..x.len() {
        v.push(i);
        s += x[v.len() - 1] * x[v.len() - 1];
    }
    s
}

fn shift(k: &mut usize, n: usize) {
    *k = (*k + 2) % n;
}

#[differentiate]
fn index_moved_by_a_helper(x: &[f64], w: f64) -> f64 {
    let mut k = 0;
    let mut order = [2usize, 0, 1, 3];
    let mut s = 0.0;
    for i in 0..x.len() {
        shift(&mut k, x.len());
        order.swap(0, 3);
        s += w * x[k] * x[order[i % 4]] + x[i];
    }
    s
}

#[test]
fn indices_from_state_that_verbatim_code_changes() {
    let x = [1.0, 2.0, 3.0];
    let (v, g) = index_from_a_growing_list_grad(&x);
    assert_eq!((v, g), (14.0, vec![2.0, 4.0, 6.0]));
    let (_, dv) = index_from_a_growing_list_jvp(&x, &[1.0, 0.0, 0.0]);
    assert_eq!(dv, 2.0);
    let x = [0.5, -1.0, 2.0, 1.5];
    let (v, g, gw) = index_moved_by_a_helper_grad(&x, 0.7);
    assert_eq!(v, index_moved_by_a_helper(&x, 0.7));
    let f = |p: &[f64]| index_moved_by_a_helper(&p[1..], p[0]);
    let mut p = vec![0.7];
    p.extend_from_slice(&x);
    let mut all = vec![gw];
    all.extend(g);
    ad::check::check_gradient(f, &p, &all).assert_close(1e-9, 1e-9);
    let (_, _, _, hx, hw) = index_moved_by_a_helper_hvp(&x, &[0.0; 4], 0.7, 1.0);
    // d/dw of the gradient in x: the gradient in x divided by w, without
    // the `+ x[i]` terms; check one coordinate by finite differences.
    let h = 1e-6;
    let gx = |w: f64| index_moved_by_a_helper_grad(&x, w).1;
    let fd: Vec<f64> = (0..4)
        .map(|i| (gx(0.7 + h)[i] - gx(0.7 - h)[i]) / (2.0 * h))
        .collect();
    ad::check::compare(&hx, &fd).assert_close(1e-7, 1e-7);
    assert_eq!(hw, 0.0);
}

#[differentiate]
fn pick2(x: &[f64], o: &[usize]) -> f64 {
    x[o[0]] * x[o[1]]
}

/// The same state lent to a differentiated helper (`&order`): a borrow
/// cannot be saved, so the state is saved before each change and restored.
#[differentiate]
fn order_lent_to_a_helper(x: &[f64]) -> f64 {
    let mut order: Vec<usize> = vec![0, 1];
    let mut s = 0.0;
    for i in 0..3 {
        order.rotate_left(1);
        order.push(i % x.len());
        s += pick2(x, &order) * x[i];
    }
    s
}

#[test]
fn state_that_verbatim_code_changes_lent_to_a_helper() {
    // order: [1, 0, 0] -> x1 x0 x0; [0, 0, 1] -> x0 x0 x1; [0, 1, 2] -> x0 x1 x2.
    // s = x0^2 x1 + x0^2 x1 + x0 x1 x2: d/dx = [4 x0 x1 + x1 x2, 2 x0^2 + x0 x2, x0 x1].
    let (v, g) = order_lent_to_a_helper_grad(&[1.0, 2.0, 3.0]);
    assert_eq!((v, g), (10.0, vec![14.0, 5.0, 2.0]));
}

/// A nalgebra local that becomes active by an element write in a loop, and
/// is read before that write in the next iteration (found by the randomized
/// nalgebra programs): `h.sum()` was emitted as verbatim code, without a
/// tangent, a silently wrong derivative (2.25 for 4.0).
#[differentiate(wrt(a))]
fn element_written_matrix_in_a_loop(a: f64, y: &ad::nalgebra::DVector<f64>) -> f64 {
    let mut h = y * 1.0;
    for _ in 0..2 {
        let s = h.sum();
        h[1] = a * s;
    }
    h[1]
}

#[test]
fn a_nalgebra_value_activated_by_an_element_write_in_a_loop() {
    // h1 = a (y0 + a (y0 + y1)) = 0.5 a + 2.5 a^2 at y = [0.5, 2]:
    // d/da = 0.5 + 5 a = 4 at a = 0.7, d2/da2 = 5.
    let y = ad::nalgebra::DVector::from_vec(vec![0.5, 2.0]);
    let (v, g) = element_written_matrix_in_a_loop_grad(0.7, &y);
    assert!(
        (v - 1.575).abs() < 1e-14 && (g - 4.0).abs() < 1e-14,
        "{v} {g}"
    );
    let (_, d) = element_written_matrix_in_a_loop_jvp(0.7, 1.0, &y);
    assert!((d - 4.0).abs() < 1e-14, "{d}");
    let (_, _, h) = element_written_matrix_in_a_loop_hvp(0.7, 1.0, &y);
    assert!((h - 5.0).abs() < 1e-13, "{h}");
}

#[differentiate(wrt(v), joint)]
fn pair_of(mut v: Vec<f64>, x: &[f64]) -> [f64; 2] {
    v[0] *= x[1];
    [v[0] * x[0], v[1].sin() + x[1]]
}

#[differentiate(wrt(a))]
fn squares_of(a: f64, x: &[f64]) -> Vec<f64> {
    vec![a * a, a.cos() * x[0]]
}

/// A helper's result that reads no active input (`a` is left out of
/// `wrt`), bound from a nested call, read by element, then appended to an
/// active `Vec` with `extend_from_slice(&d[0..1])` (found by the randomized
/// `compose` family: rejected with "`extend_from_slice` on an active array
/// takes a borrowed array or range of one").
#[differentiate(wrt(p))]
fn extended_by_a_result(a: f64, p: &[f64]) -> f64 {
    let d = pair_of(squares_of(a * 0.9, &[0.28, 0.51]), &[0.38, 0.63]);
    let u = d[0] + d[1] * p[0];
    let mut v = p.to_vec();
    v.extend_from_slice(&d[0..1]);
    let mut s = u;
    for i in 0..v.len() {
        s += v[i] * v[i] * u.atan();
    }
    s
}

#[test]
fn a_result_appended_with_extend_from_slice() {
    let (a, x) = (0.7, [-0.4, 1.1, 0.3]);
    let f = |q: &[f64]| extended_by_a_result(a, q);
    let (v, g) = extended_by_a_result_grad(a, &x);
    assert_eq!(v, f(&x));
    check_gradient(f, &x, &g).assert_close(1e-8, 1e-8);
    let t = [0.3, -0.2, 0.5];
    let (_, d) = extended_by_a_result_jvp(a, &x, &t);
    let gt: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!((d - gt).abs() <= 1e-12 * (1.0 + gt.abs()), "{d} vs {gt}");
    let (_, _, hv) = extended_by_a_result_hvp(a, &x, &t);
    let h = 1e-5;
    let grad_at = |s: f64| {
        let q: Vec<f64> = x.iter().zip(&t).map(|(a, b)| a + s * b).collect();
        extended_by_a_result_grad(a, &q).1
    };
    let (gp, gm) = (grad_at(h), grad_at(-h));
    for i in 0..3 {
        let fd = (gp[i] - gm[i]) / (2.0 * h);
        assert!(
            (hv[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{i}: {} vs {fd}",
            hv[i]
        );
    }
}
