//! Issue 18, tuples. A helper with a tuple result beside a `&mut` buffer,
//! its result bound whole (`let r = tr(&mut y);`, then `r.0`, `r.1[i]`,
//! `r.1` passed on, in a loop) or destructured (`let (a, b) = ..;`): its
//! value form returns `(result, buffers..)` nested. Tuple locals
//! destructured (`let (s, q) = acc;`, `let (s, _) = acc;`, `let (mut s, q)
//! = acc;`) and swapped (`acc = (q, s);`) in loops. Every caller in every
//! mode (`_jvp` and `_hvp` against finite differences, `_jvp` against
//! `<_grad, t>`, `_vjp` against `_grad`).

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

/// `f(x)` of a slice in every mode, and the `vjp` with another seed.
macro_rules! check_slice {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident, $x:expr) => {{
        let x: &[f64] = &$x;
        let t: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
        check_all(
            stringify!($f),
            x,
            &t,
            |p| $f(p),
            |p| $grad(p),
            |p, t| $jvp(p, t),
            |p, t| $hvp(p, t),
        );
        let (_, g) = $grad(x);
        let (_, v) = $vjp(x, -2.0);
        for (g, v) in g.iter().zip(&v) {
            assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
        }
    }};
}

// ----- a tuple result beside a buffer, bound whole ----------------------------

/// The helper: a tuple result with a `Vec` member beside a slice
/// buffer, and an early `return`.
#[differentiate]
fn tr(y: &mut [f64]) -> (f64, Vec<f64>) {
    y[1] *= y[0];
    if y[0] > 10.0 {
        return (y[0], vec![y[1]; 2]);
    }
    (y[0] * y[1], vec![y[0].cos(), y[1] * y[1]])
}

/// Data beside the buffer and a scalar pair.
#[differentiate(wrt(x))]
fn tr_x(x: &[f64], y: &mut [f64; 2]) -> (f64, f64) {
    y[0] *= y[1] * x[0];
    (y[0] * x[1], y[1].exp())
}

/// Reads a slice: `r.1` passed on.
#[differentiate]
fn sumsq(v: &[f64]) -> f64 {
    v[0] * v[0] + v[1] * v[1].sin()
}

/// The caller: `let r = tr(&mut y);`, then `r.0` and `r.1[i]`.
#[differentiate]
fn whole(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let r = tr(&mut y);
    r.0 * r.1[0] + r.1[1] * y[1]
}

/// `r.1` passed on to another helper, and the pair of `tr_x`.
#[differentiate]
fn whole_passed(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let r = tr(&mut y);
    let mut w = [y[0], r.0];
    let p = tr_x(x, &mut w);
    sumsq(&r.1) * p.0 + p.1 * w[0]
}

/// In a loop, the buffer carried from one call to the next.
#[differentiate]
fn whole_loop(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let mut s = 0.0;
    for i in 0..3 {
        let r = tr(&mut y);
        s += r.0 * x[i] + r.1[i % 2];
        y[0] = 0.5 * y[0] + 0.1 * r.1[1];
    }
    s + y[1]
}

/// Both bindings of the same helper, and a typed pattern.
#[differentiate]
fn both(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let (a, b) = tr(&mut y);
    let r = tr(&mut y);
    let (c, _): (f64, Vec<f64>) = tr(&mut y);
    a * r.1[1] + b[0] * r.0 + c * y[0]
}

/// A nalgebra buffer (whose `_jvp` and `_vjp` call the value form's).
#[differentiate]
fn tr_m(y: &mut nalgebra::DVector<f64>) -> (f64, f64) {
    y[0] *= y[1];
    (y[0] * y[1], y[1].sin())
}

/// Bound whole.
#[differentiate]
fn whole_m(x: &[f64]) -> f64 {
    let mut y = nalgebra::DVector::from_column_slice(x);
    let r = tr_m(&mut y);
    r.0 * y[2] + r.1 * y[0]
}

/// Destructured.
#[differentiate]
fn pair_m(x: &[f64]) -> f64 {
    let mut y = nalgebra::DVector::from_column_slice(x);
    let (a, b) = tr_m(&mut y);
    a * y[2] + b * y[0]
}

#[test]
fn a_tuple_result_beside_a_buffer_bound_whole() {
    // (`tr`'s early `return` at `y[0] > 10`.)
    let far = [10.5, 0.4, -0.3];
    check_slice!(whole, whole_grad, whole_vjp, whole_jvp, whole_hvp, far);
    check_slice!(both, both_grad, both_vjp, both_jvp, both_hvp, far);
    for x in [[0.7, 1.3, -0.4], [-0.6, 0.8, 1.1]] {
        check_slice!(whole, whole_grad, whole_vjp, whole_jvp, whole_hvp, x);
        check_slice!(
            whole_passed,
            whole_passed_grad,
            whole_passed_vjp,
            whole_passed_jvp,
            whole_passed_hvp,
            x
        );
        check_slice!(
            whole_loop,
            whole_loop_grad,
            whole_loop_vjp,
            whole_loop_jvp,
            whole_loop_hvp,
            x
        );
        check_slice!(both, both_grad, both_vjp, both_jvp, both_hvp, x);
        check_slice!(
            whole_m,
            whole_m_grad,
            whole_m_vjp,
            whole_m_jvp,
            whole_m_hvp,
            x
        );
        check_slice!(pair_m, pair_m_grad, pair_m_vjp, pair_m_jvp, pair_m_hvp, x);
    }
}

// ----- tuple locals destructured and swapped ----------------------------------

/// `let (s, q) = acc;` and `acc = (q, ..);` in a loop.
#[differentiate]
fn destructure(x: &[f64]) -> f64 {
    let mut acc = (x[0], x[1]);
    for i in 0..3 {
        let (s, q) = acc;
        acc = (q, s * x[i] + q.sin());
    }
    acc.0 * acc.1
}

/// `let (s, _) = acc;`, `let (mut s, q) = acc;` and the swap `acc = (q, s);`.
#[differentiate]
fn swap(x: &[f64]) -> f64 {
    let mut acc = (x[0], x[1] * x[2]);
    let mut e = 0.0;
    for i in 0..4 {
        let (s, _) = acc;
        e += s * x[i % 3];
        let (mut s, q) = acc;
        s *= q;
        acc = (q, s);
    }
    let (a, b) = acc;
    e + a * b
}

#[test]
fn tuple_locals_destructured_and_swapped() {
    let x = [0.7, 1.3, -0.4];
    check_slice!(
        destructure,
        destructure_grad,
        destructure_vjp,
        destructure_jvp,
        destructure_hvp,
        x
    );
    check_slice!(swap, swap_grad, swap_vjp, swap_jvp, swap_hvp, x);
}

// ----- a nalgebra buffer lent twice -------------------------------------------

/// A `DVector` buffer with no result.
#[differentiate]
fn bump_m(y: &mut nalgebra::DVector<f64>) {
    y[0] *= y[1];
    y[1] = y[2].sin() + y[0];
}

/// Lent twice in a row, with a result bound whole and then destructured
/// (the second loan passed the buffer as a `Vec`: rustc's errors).
#[differentiate]
fn twice_m(x: &[f64]) -> f64 {
    let mut y = nalgebra::DVector::from_column_slice(x);
    let r = tr_m(&mut y);
    let (a, b) = tr_m(&mut y);
    r.0 * a + r.1 * b * y[2]
}

/// Lent twice with no result, then in a loop.
#[differentiate]
fn bumps_m(x: &[f64]) -> f64 {
    let mut y = nalgebra::DVector::from_column_slice(x);
    bump_m(&mut y);
    bump_m(&mut y);
    for _ in 0..2 {
        bump_m(&mut y);
    }
    y[0] * y[2] + y[1]
}

#[test]
fn a_nalgebra_buffer_lent_twice() {
    for x in [[0.7, 1.3, -0.4], [-0.6, 0.8, 1.1]] {
        check_slice!(
            twice_m,
            twice_m_grad,
            twice_m_vjp,
            twice_m_jvp,
            twice_m_hvp,
            x
        );
        check_slice!(
            bumps_m,
            bumps_m_grad,
            bumps_m_vjp,
            bumps_m_jvp,
            bumps_m_hvp,
            x
        );
    }
}

// ----- tuple locals split into their members --------------------------------

/// An argmax keeping value and index in a tuple (`best = (x[i], i);`): the
/// index member is an integer local of its own, inactive.
#[differentiate]
fn argmax_pair(x: &[f64]) -> f64 {
    let mut best = (x[0], 0);
    for i in 1..x.len() {
        if x[i] > best.0 {
            best = (x[i], i);
        }
    }
    best.0 * best.0 * (best.1 as f64 + 1.0) + x[best.1].sin()
}

/// A tuple with a `Vec` member, written by member and destructured.
#[differentiate]
fn acc_vec(x: &[f64]) -> f64 {
    let mut acc = (0.0, vec![0.0; x.len()]);
    for i in 0..x.len() {
        acc.0 += x[i];
        acc.1[i] = x[i] * x[i];
    }
    let (s, v) = acc;
    s * v[1] + v[2]
}

/// A whole assignment reading the members it writes (`acc = (acc.1, ..)`),
/// and a typed tuple with an integer member counting rounds.
#[differentiate]
fn rotate(x: &[f64]) -> f64 {
    let mut acc = (x[0], x[1]);
    let mut n: (f64, usize) = (1.0, 0);
    for i in 0..3 {
        acc = (acc.1, acc.0 * x[i] + acc.1.sin());
        n = (n.0 * x[i], n.1 + 1);
    }
    let (a, b) = acc;
    a * b + n.0 * n.1 as f64
}

/// An argmax index chosen by comparisons of active values (issue 18, 4).
#[differentiate]
fn argmax_index(x: &[f64]) -> f64 {
    let mut k = 0;
    for i in 1..x.len() {
        if x[i] > x[k] {
            k = i;
        }
    }
    x[k] * 2.0 + x[k] * x[0]
}

/// A count beside a sum (`t = (t.0 + v, t.1 + 1);`), a member assigned
/// (`c.1 += 1;`, `acc.0 = ..;`): before, errors (tests/ui).
#[differentiate]
fn mean_positive(x: &[f64]) -> f64 {
    let mut t = (0.0, 0usize);
    for &v in x {
        if v > 0.0 {
            t = (t.0 + v * v, t.1 + 1);
        }
    }
    let mut c = (x[0], 0);
    c.1 += 1;
    let mut acc = (x[0], x[1]);
    acc.0 = acc.1 * x[2];
    t.0 / t.1 as f64 + c.0 * c.1 as f64 + acc.0 * acc.1
}

#[test]
fn tuple_locals_with_integer_and_vec_members() {
    let x = [0.4, -1.3, 1.9, 0.7];
    check_slice!(
        argmax_pair,
        argmax_pair_grad,
        argmax_pair_vjp,
        argmax_pair_jvp,
        argmax_pair_hvp,
        x
    );
    check_slice!(
        acc_vec,
        acc_vec_grad,
        acc_vec_vjp,
        acc_vec_jvp,
        acc_vec_hvp,
        x
    );
    check_slice!(rotate, rotate_grad, rotate_vjp, rotate_jvp, rotate_hvp, x);
    check_slice!(
        mean_positive,
        mean_positive_grad,
        mean_positive_vjp,
        mean_positive_jvp,
        mean_positive_hvp,
        x
    );
    check_slice!(
        argmax_index,
        argmax_index_grad,
        argmax_index_vjp,
        argmax_index_jvp,
        argmax_index_hvp,
        x
    );
    // The argmax is the first element too.
    let y = [2.5, -1.3, 1.9, 0.7];
    check_slice!(
        argmax_pair,
        argmax_pair_grad,
        argmax_pair_vjp,
        argmax_pair_jvp,
        argmax_pair_hvp,
        y
    );
    check_slice!(
        argmax_index,
        argmax_index_grad,
        argmax_index_vjp,
        argmax_index_jvp,
        argmax_index_hvp,
        y
    );
}
