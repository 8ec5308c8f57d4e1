//! Helpers over arrays, the leftovers of issue 18: a local `Vec` assigned
//! whole with another length (in loops, branches, from helpers); `if let
//! Some(a) = w.first()` (`last`, `get(i)`, `iter().next()`); a loop over
//! references into a local that shadows a parameter; in every mode against
//! central finite differences and the dot-product identity.

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

// ----- a `Vec` assigned whole with another length -------------------------

#[differentiate]
fn sines(x: &[f64]) -> Vec<f64> {
    x.iter().map(|a| a.sin()).collect()
}

/// Drops the first entry, scaling the others by it.
#[differentiate]
fn shrink(x: &[f64]) -> Vec<f64> {
    x[1..].iter().map(|a| a * x[0]).collect()
}

/// Straight code: the versions of `v` are separate variables.
#[differentiate]
fn reassigned_shorter(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().map(|a| a * a).collect();
    let mut s = v.iter().sum::<f64>();
    v = x[..2].to_vec();
    s += v[0] * v[1];
    v = vec![x[2] * x[0]; 3];
    s += v[2] * v[1];
    s
}

/// Longer each round, then changed in place.
#[differentiate]
fn growing_in_loop(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = vec![x[2]];
    let mut s = v[0] * x[0];
    for k in 1..x.len() {
        v = x[..k].to_vec();
        v[0] *= x[1];
        s += v.iter().sum::<f64>() * v[k - 1];
    }
    s
}

/// Shorter each round, read only through a sum and an entry (nothing else
/// would save the old value).
#[differentiate]
fn shrinking_in_loop(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.to_vec();
    let mut s = v[3];
    for k in (1..x.len()).rev() {
        v = x[..k].to_vec();
        s += v.iter().sum::<f64>() * x[0];
    }
    s
}

#[differentiate]
fn repeated_in_loop(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = vec![x[1]; 2];
    let mut s = v[1] * v[0];
    for k in (1..x.len()).rev() {
        v = vec![x[0] * x[k]; k];
        s += v[k - 1] * x[1];
    }
    s
}

#[differentiate]
fn helper_result_in_loop(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.to_vec();
    let mut s = 0.0;
    for k in 1..x.len() {
        v = sines(&x[..k]);
        s += v.iter().sum::<f64>() * v[0];
    }
    s + v[0]
}

/// Shorter each round, from its own old value.
#[differentiate]
fn shrunk_by_helper(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.to_vec();
    let mut s = 0.0;
    while v.len() > 1 {
        v = shrink(&v);
        s += v[0] * v[v.len() - 1];
    }
    s
}

#[differentiate]
fn shrunk_by_chain(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.to_vec();
    let mut s = 0.0;
    while v.len() > 1 {
        v = v[1..].iter().map(|a| a * v[0]).collect();
        s += v[0] * v[v.len() - 1];
    }
    s
}

#[differentiate]
fn reassigned_in_branch(x: &[f64], c: bool) -> f64 {
    let mut v: Vec<f64> = x.to_vec();
    let mut s = v[0] * v[2];
    if c {
        v = x[..2].to_vec();
    }
    s += v[0] * v[1] * v[v.len() - 1];
    s
}

// ----- `if let Some(a) = w.first()`: an element of `w` --------------------

fn table(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.25 + 0.5 * i as f64).collect()
}

/// Of an active slice parameter.
#[differentiate]
fn first_of_param(w: &[f64], i: usize) -> f64 {
    let mut s = w[1];
    if let Some(a) = w.first() {
        s += a * s * *a;
    }
    if let Some(&b) = w.last() {
        s += b * w[0].sin();
    } else {
        s -= 1.0;
    }
    if let Some(c) = w.get(i + 1) {
        s *= c.cos();
    }
    if let Some(d) = w.iter().next() {
        s += d * w[2];
    }
    s
}

/// Of local `Vec`s: active, inactive, of a type the macro does not see.
#[allow(clippy::useless_vec)] // (the `Vec` is the form tested)
#[differentiate]
fn first_of_locals(x: &[f64], i: usize) -> f64 {
    let v: Vec<f64> = x.iter().map(|b| b * x[0]).collect();
    let u = table(i + 3);
    let k = vec![1.0, 2.0];
    let mut s = x[1];
    if let Some(a) = v.first() {
        s += a * x[2] * *a;
    }
    if let Some(&b) = u.last() {
        s += b * x[1].sin();
    }
    if let Some(c) = k.get(i) {
        s *= c * x[0];
    }
    if let Some(d) = v.get(i + 1) {
        s += d * d;
    }
    s
}

// ----- a loop over references into a local shadowing a parameter ---------

#[differentiate]
fn shadowing_local(x: &[f64], s: usize) -> f64 {
    let s = table(s);
    let mut acc = 0.0;
    for v in s.iter() {
        acc += v * x[0] * x[1];
    }
    for (w, y) in s.iter().zip(x) {
        acc += w * y.sin();
    }
    acc
}

/// `f(x)` of a slice in every mode (`check_all`), and the `vjp` with
/// another seed.
macro_rules! check_slice {
    ($f:ident, $grad:ident, $vjp:ident, $jvp:ident, $hvp:ident, $x:expr $(, $arg:expr)*) => {{
        let x: &[f64] = &$x;
        let t: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
        check_all(
            stringify!($f),
            x,
            &t,
            |p| $f(p $(, $arg)*),
            |p| $grad(p $(, $arg)*),
            |p, t| $jvp(p, t $(, $arg)*),
            |p, t| $hvp(p, t $(, $arg)*),
        );
        let (_, g) = $grad(x $(, $arg)*);
        let (_, v) = $vjp(x $(, $arg)*, -2.0);
        for (g, v) in g.iter().zip(&v) {
            assert!((v + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
        }
    }};
}

#[test]
fn vecs_assigned_with_another_length() {
    let x = [0.7, 1.3, -0.4, 0.9, 1.1];
    check_slice!(
        reassigned_shorter,
        reassigned_shorter_grad,
        reassigned_shorter_vjp,
        reassigned_shorter_jvp,
        reassigned_shorter_hvp,
        x
    );
    check_slice!(
        growing_in_loop,
        growing_in_loop_grad,
        growing_in_loop_vjp,
        growing_in_loop_jvp,
        growing_in_loop_hvp,
        x
    );
    check_slice!(
        shrinking_in_loop,
        shrinking_in_loop_grad,
        shrinking_in_loop_vjp,
        shrinking_in_loop_jvp,
        shrinking_in_loop_hvp,
        x
    );
    check_slice!(
        repeated_in_loop,
        repeated_in_loop_grad,
        repeated_in_loop_vjp,
        repeated_in_loop_jvp,
        repeated_in_loop_hvp,
        x
    );
    check_slice!(
        helper_result_in_loop,
        helper_result_in_loop_grad,
        helper_result_in_loop_vjp,
        helper_result_in_loop_jvp,
        helper_result_in_loop_hvp,
        x
    );
    check_slice!(
        shrunk_by_helper,
        shrunk_by_helper_grad,
        shrunk_by_helper_vjp,
        shrunk_by_helper_jvp,
        shrunk_by_helper_hvp,
        x
    );
    check_slice!(
        shrunk_by_chain,
        shrunk_by_chain_grad,
        shrunk_by_chain_vjp,
        shrunk_by_chain_jvp,
        shrunk_by_chain_hvp,
        x
    );
    for c in [true, false] {
        check_slice!(
            reassigned_in_branch,
            reassigned_in_branch_grad,
            reassigned_in_branch_vjp,
            reassigned_in_branch_jvp,
            reassigned_in_branch_hvp,
            x,
            c
        );
    }
}

#[test]
fn elements_bound_by_if_let() {
    let x = [0.7, 1.3, -0.4, 0.9];
    for i in [0, 1, 5] {
        check_slice!(
            first_of_param,
            first_of_param_grad,
            first_of_param_vjp,
            first_of_param_jvp,
            first_of_param_hvp,
            x,
            i
        );
        check_slice!(
            first_of_locals,
            first_of_locals_grad,
            first_of_locals_vjp,
            first_of_locals_jvp,
            first_of_locals_hvp,
            x,
            i
        );
    }
}

#[test]
fn loop_over_a_local_shadowing_a_parameter() {
    check_slice!(
        shadowing_local,
        shadowing_local_grad,
        shadowing_local_vjp,
        shadowing_local_jvp,
        shadowing_local_hvp,
        [0.7, 1.3, -0.4, 0.9],
        3
    );
}
