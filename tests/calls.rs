//! Composition: calls between differentiated functions, custom rules for
//! primitives, calls through module paths, in forward and reverse mode.

use ad::check::check_gradient;
use ad::differentiate;
use std::sync::atomic::{AtomicUsize, Ordering};

#[differentiate]
fn f1(x: f64) -> f64 {
    x.exp() + x
}

#[differentiate]
fn f2(x: f64) -> f64 {
    f1(x) * x.sin()
}

/// Three calls deep.
#[differentiate]
fn f3(x: f64) -> f64 {
    let g = f2(x);
    g * g
}

#[test]
fn chain_of_calls_three_deep() {
    for x in [0.3f64, -1.1, 2.0] {
        let f1v = x.exp() + x;
        let f2v = f1v * x.sin();
        let df2 = (x.exp() + 1.0) * x.sin() + f1v * x.cos();
        let (v, g) = f3_grad(x);
        assert!((v - f2v * f2v).abs() < 1e-12 * (1.0 + v.abs()));
        assert!((g - 2.0 * f2v * df2).abs() < 1e-12 * (1.0 + g.abs()), "{g}");
        let (_, d) = f3_jvp(x, 1.0);
        assert!((d - g).abs() < 1e-12 * (1.0 + g.abs()));
    }
}

/// Mixed arguments: an integer and a constant in the call.
#[differentiate]
fn scaled_power(x: f64, n: i32, w: f64) -> f64 {
    w * x.powi(n)
}

#[differentiate]
fn uses_mixed(x: f64, y: f64) -> f64 {
    scaled_power(x, 3, 2.0) + scaled_power(y, 2, x)
}

#[test]
fn calls_with_inactive_and_constant_arguments() {
    let (x, y) = (1.3, -0.7);
    let (v, gx, gy) = uses_mixed_grad(x, y);
    assert_eq!(v, uses_mixed(x, y));
    // d/dx [2 x^3 + x y^2] = 6 x^2 + y^2, d/dy = 2 x y
    assert!((gx - (6.0 * x * x + y * y)).abs() < 1e-12);
    assert!((gy - 2.0 * x * y).abs() < 1e-12);
    let (_, dx) = uses_mixed_jvp(x, 1.0, y, 0.0);
    let (_, dy) = uses_mixed_jvp(x, 0.0, y, 1.0);
    assert!((dx - gx).abs() < 1e-12 && (dy - gy).abs() < 1e-12);
}

mod physics {
    use ad::differentiate;

    /// Kinetic energy.
    #[differentiate]
    pub fn kinetic(m: f64, v: f64) -> f64 {
        0.5 * m * v * v
    }
}

#[differentiate]
fn energy(m: f64, v: f64, h: f64) -> f64 {
    physics::kinetic(m, v) + m * 9.81 * h
}

#[test]
fn calls_through_module_paths() {
    let (e, gm, gv, gh) = energy_grad(2.0, 3.0, 5.0);
    assert_eq!(e, 9.0 + 2.0 * 9.81 * 5.0);
    assert!((gm - (4.5 + 9.81 * 5.0)).abs() < 1e-12);
    assert_eq!((gv, gh), (6.0, 2.0 * 9.81));
}

/// A call inside a loop: reverse mode re-runs the callee per iteration.
#[differentiate]
fn sum_of_energies(m: &[f64], v: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..m.len() {
        let vi = v * (i as f64 + 1.0);
        s += physics::kinetic(m[i], vi).sqrt();
    }
    s
}

#[test]
fn calls_in_a_loop() {
    let m = [1.0, 2.0, 0.5];
    let v = 1.5;
    let (val, gm, gv) = sum_of_energies_grad(&m, v);
    let mut p = m.to_vec();
    p.push(v);
    let mut g = gm.clone();
    g.push(gv);
    assert_eq!(val, sum_of_energies(&m, v));
    let report = check_gradient(|p: &[f64]| sum_of_energies(&p[..3], p[3]), &p, &g);
    report.assert_close(1e-8, 1e-8);
}

// ----- custom rules --------------------------------------------------------

static SIGMOID_JVP_CALLS: AtomicUsize = AtomicUsize::new(0);
static SIGMOID_VJP_CALLS: AtomicUsize = AtomicUsize::new(0);

/// The lecture's "complex primitive": one sigmoid node with local gradient
/// s (1 - s), instead of four nodes.
#[differentiate(custom)]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn sigmoid_jvp(x: f64, dx: f64) -> (f64, f64) {
    SIGMOID_JVP_CALLS.fetch_add(1, Ordering::SeqCst);
    let s = sigmoid(x);
    (s, s * (1.0 - s) * dx)
}

fn sigmoid_vjp(x: f64, dout: f64) -> (f64, f64) {
    SIGMOID_VJP_CALLS.fetch_add(1, Ordering::SeqCst);
    let s = sigmoid(x);
    (s, s * (1.0 - s) * dout)
}

/// The neuron with the fused primitive...
#[differentiate]
fn neuron_fused(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + w2)
}

/// ...and through its four nodes.
#[differentiate]
fn neuron_nodes(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

#[test]
fn custom_rule_is_used_in_both_modes() {
    let before_vjp = SIGMOID_VJP_CALLS.load(Ordering::SeqCst);
    let fused = neuron_fused_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    assert!(
        SIGMOID_VJP_CALLS.load(Ordering::SeqCst) > before_vjp,
        "the rule was not called"
    );
    let nodes = neuron_nodes_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    let (a, b) = (
        [fused.0, fused.1, fused.2, fused.3, fused.4, fused.5],
        [nodes.0, nodes.1, nodes.2, nodes.3, nodes.4, nodes.5],
    );
    for i in 0..6 {
        assert!(
            (a[i] - b[i]).abs() < 1e-15,
            "entry {i}: {} vs {}",
            a[i],
            b[i]
        );
    }
    let before_jvp = SIGMOID_JVP_CALLS.load(Ordering::SeqCst);
    let (_, d) = neuron_fused_jvp(2.0, 1.0, -1.0, 0.0, -3.0, 0.0, -2.0, 0.0, -3.0, 0.0);
    assert!(
        SIGMOID_JVP_CALLS.load(Ordering::SeqCst) > before_jvp,
        "the rule was not called"
    );
    assert!((d - b[1]).abs() < 1e-15);
}

#[differentiate]
fn small32(x: f32) -> f32 {
    x * x
}

#[differentiate]
fn calls32(x: f32, y: f32) -> f32 {
    small32(x) * y
}

#[test]
fn single_precision_calls() {
    let (v, gx, gy) = calls32_grad(1.5, 2.0);
    assert_eq!((v, gx, gy), (4.5, 6.0, 2.25));
}

/// A caller in a child module that sees its callee through `use super::*`,
/// and callers and callees declared inside a function body: the check that
/// reports calls to functions without derivatives must accept them all.
mod child {
    use super::*;

    #[differentiate]
    pub fn f1_squared(x: f64) -> f64 {
        let y = f1(x);
        y * y
    }
}

#[test]
fn calls_through_glob_imports_and_in_function_bodies() {
    #[differentiate]
    fn cube(x: f64) -> f64 {
        x * x * x
    }

    #[differentiate]
    fn cube_plus(x: f64, y: f64) -> f64 {
        cube(x) * y + x
    }

    for x in [0.4f64, -1.3] {
        let f1v = x.exp() + x;
        let (v, g) = child::f1_squared_grad(x);
        assert_eq!(v, child::f1_squared(x));
        assert!(
            (g - 2.0 * f1v * (x.exp() + 1.0)).abs() < 1e-12 * (1.0 + g.abs()),
            "{g}"
        );
        let y = 0.7;
        let (v, gx, gy) = cube_plus_grad(x, y);
        assert_eq!(v, x * x * x * y + x);
        assert!((gx - (3.0 * x * x * y + 1.0)).abs() < 1e-12, "{gx}");
        assert!((gy - x * x * x).abs() < 1e-12, "{gy}");
        let (_, _, _, hx, hy) = cube_plus_hvp(x, 1.0, y, 0.0);
        assert!((hx - 6.0 * x * y).abs() < 1e-12, "{hx}");
        assert!((hy - 3.0 * x * x).abs() < 1e-12, "{hy}");
    }
}

// ----- owned values passed from one call to the next ------------------------

// A helper's result passed on by value (`h(g(x))`, `let d = g(x); h(d)`):
// the macro does not see its type, so it may be an array or a `Vec`, which
// reverse mode passes twice (forward sweep, then pullback) and saves whole
// when a loop overwrites it.

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[differentiate]
fn doubled(x: &[f64]) -> Vec<f64> {
    x.iter().map(|a| 2.0 * a.sin()).collect()
}

#[differentiate]
fn consume(v: Vec<f64>) -> f64 {
    v.iter().map(|a| a * a * a).sum()
}

#[differentiate]
fn halves(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    (x[..2].to_vec(), x[2..].to_vec())
}

#[differentiate]
fn relu(mut v: Vec<f64>) -> Vec<f64> {
    for x in v.iter_mut() {
        *x = x.max(0.0);
    }
    v
}

#[differentiate]
fn affine(w: &[f64], b: &[f64], x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut out = b.to_vec();
    for i in 0..b.len() {
        for j in 0..n {
            out[i] += w[i * n + j] * x[j];
        }
    }
    out
}

/// Straight-line: a bound result, a nested call, tuple members, a layer.
#[differentiate]
fn owned_chain(x: &[f64], k: f64) -> f64 {
    let d = doubled(x);
    let (a, b) = halves(x);
    let w = [k, 0.5, -0.25, 1.0, 0.75, -1.0, 0.25, k];
    let h = relu(affine(&w, &[0.1, -0.2], x));
    consume(d) + consume(doubled(&x[1..])) * k + consume(a) * consume(b) + consume(h)
}

/// In a loop and in a branch, with the scale left out of `wrt`.
#[differentiate(wrt(x))]
fn owned_in_loop(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    let mut u = x.to_vec();
    for i in 0..3 {
        let d = doubled(&u);
        s += consume(d) * k;
        if i % 2 == 0 {
            s += consume(relu(doubled(&u)));
        } else {
            let (a, b) = halves(&u);
            s -= consume(a) * consume(b);
        }
        for j in 0..u.len() {
            u[j] = 0.5 * u[j] + 0.1 * k;
        }
    }
    s
}

#[test]
fn owned_results_passed_on_by_value() {
    let p = [0.7, -0.4, 1.1, 0.3, 0.9];
    let t = [0.2, 0.5, -0.3, 0.4, -0.1];
    check_all(
        "owned_chain",
        &p,
        &t,
        |p| owned_chain(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = owned_chain_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| owned_chain_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = owned_chain_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    let k = 0.8;
    check_all(
        "owned_in_loop",
        &p[..4],
        &t[..4],
        |x| owned_in_loop(x, k),
        |x| owned_in_loop_grad(x, k),
        |x, t| owned_in_loop_jvp(x, t, k),
        |x, t| owned_in_loop_hvp(x, t, k),
    );
}

#[differentiate]
fn step2(y: [f64; 2]) -> [f64; 2] {
    [y[1], -y[0] * y[1].cos()]
}

#[differentiate]
fn vdp(y: [f64; 2], mu: f64) -> [f64; 2] {
    [y[1], mu * (1.0 - y[0] * y[0]) * y[1] - y[0]]
}

#[differentiate]
fn add_scaled(a: [f64; 2], b: [f64; 2], h: f64) -> [f64; 2] {
    [a[0] + h * b[0], a[1] + h * b[1]]
}

/// Array results passed on in a loop: bound, nested, and in a branch.
#[differentiate]
fn arrays_in_loop(y0: [f64; 2]) -> f64 {
    let mut y = y0;
    for i in 0..4 {
        let z = step2(y);
        y = step2(z);
        if i % 2 == 1 {
            y = step2(step2(y));
        } else {
            let w = step2(y);
            y = add_scaled(y, w, 0.5);
        }
    }
    y[0] + y[1] * y[1]
}

/// RK4 with array helpers, `mu` left out of `wrt`.
#[differentiate(wrt(y0))]
fn rk4_arrays(y0: [f64; 2], mu: f64) -> f64 {
    let h = 0.1;
    let mut y = y0;
    for _ in 0..5 {
        let k1 = vdp(y, mu);
        let k2 = vdp(add_scaled(y, k1, 0.5 * h), mu);
        let k3 = vdp(add_scaled(y, k2, 0.5 * h), mu);
        let k4 = vdp(add_scaled(y, k3, h), mu);
        for i in 0..2 {
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    y[0] * y[1]
}

#[test]
fn array_results_passed_on_in_loops() {
    let a = |p: &[f64]| [p[0], p[1]];
    let (p, t) = ([0.6, 0.4], [0.3, -0.7]);
    check_all(
        "arrays_in_loop",
        &p,
        &t,
        |p| arrays_in_loop(a(p)),
        |p| {
            let (v, g) = arrays_in_loop_grad(a(p));
            (v, g.to_vec())
        },
        |p, t| arrays_in_loop_jvp(a(p), a(t)),
        |p, t| {
            let (v, g, hv) = arrays_in_loop_hvp(a(p), a(t));
            (v, g.to_vec(), hv.to_vec())
        },
    );
    let mu = 1.2;
    let (p, t) = ([1.0, 0.5], [0.2, 0.6]);
    check_all(
        "rk4_arrays",
        &p,
        &t,
        |p| rk4_arrays(a(p), mu),
        |p| {
            let (v, g) = rk4_arrays_grad(a(p), mu);
            (v, g.to_vec())
        },
        |p, t| rk4_arrays_jvp(a(p), a(t), mu),
        |p, t| {
            let (v, g, hv) = rk4_arrays_hvp(a(p), a(t), mu);
            (v, g.to_vec(), hv.to_vec())
        },
    );
}

// ----- a callee's cotangent as the first contribution to an adjoint ------------

#[differentiate]
fn soft(x: f64) -> f64 {
    (x * x + 1.0).ln() + x
}

#[differentiate]
fn mixed_pair(a: [f64; 2], v: Vec<f64>) -> f64 {
    a[0] * a[1] + v[0] * v[1].sin()
}

/// Each call's cotangent is the first contribution to its argument's
/// adjoint, which starts from it (`start(zero, c)`, not `zero + c`): a
/// temporary in a loop (its zero `0.0`: the reverse sweep cannot read it),
/// one at the top level (`zero_like`), an array and a `Vec`; in `_hvp`,
/// their tangents as well.
#[differentiate]
fn started(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += soft(x[i] * w) * w;
    }
    let a = [x[0] * w, x[1]];
    let v = vec![w * w, x[2]];
    s + soft(w * x[1]) + mixed_pair(a, v)
}

#[test]
fn callee_cotangents_start_adjoints() {
    let (p, t) = ([0.6, -0.4, 1.1, 0.8], [0.3, -0.7, 0.2, 0.5]);
    check_all(
        "started",
        &p,
        &t,
        |p| started(&p[..3], p[3]),
        |p| {
            let (v, gx, gw) = started_grad(&p[..3], p[3]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| started_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gx, gw, hx, hw) = started_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    // `_vjp` is linear in its seed.
    let (_, gx, gw) = started_grad(&p[..3], p[3]);
    let (_, vx, vw) = started_vjp(&p[..3], p[3], -2.5);
    for (v, g) in vx.iter().chain([&vw]).zip(gx.iter().chain([&gw])) {
        assert!((v + 2.5 * g).abs() <= 1e-12 * (1.0 + g.abs()), "{v} {g}");
    }
}
