//! What still expanded to code rustc rejects, or cost more than it should
//! (issue 18's leftovers): a `match` guard reading a payload named like an
//! active local (`Loss::Pinball { scale: s, tau } if s > tau` beside an
//! active `s`), `x.clone()` of a borrowed fixed-size array, elements of
//! fields of elements of a local struct (`q.layers[k].b[r]`, added in
//! place), and an element of an array as an `Option` taken from its
//! iterator (`x.iter().last()`, `x.iter().nth(k)`, `x.iter().next()`).
//!
//! Every function in every mode: functions of a slice through
//! `common::agree` (`_jvp` against central finite differences, `_vjp` by
//! the dot-product identity) and `flat::check_all` (`_grad`, `_jvp`,
//! `_hvp` against finite differences, values against the plain function);
//! functions of a parameter struct through `check` below.

// The forms users write are the point: `x.clone()` of a borrowed array,
// `x.iter().nth(k)`.
#![allow(clippy::clone_on_copy, clippy::iter_nth)]

use ad::check::{check_gradient, compare, fd_jvp};
use ad::differentiate;
use ad::Differentiable;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 3] = [0.7, -1.3, 0.4];
const T: [f64; 3] = [0.3, 0.9, -0.5];

/// `f(x: &[f64]) -> f64` in every mode at `x`.
fn every_mode_at(
    what: &str,
    x: &[f64],
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, x, &f, &jvp, &vjp, 1e-7);
    let t: Vec<f64> = (0..x.len()).map(|i| T[i % 3] + 0.1 * i as f64).collect();
    check_all(what, x, &t, &f, &grad, &jvp, &hvp);
}

/// `f(x: &[f64]) -> f64` in every mode at `X`.
fn every_mode(
    what: &str,
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    every_mode_at(what, &X, f, jvp, vjp, grad, hvp);
}

// --- 1: a guard reading a payload named like an active local --------------

#[derive(Clone, Copy)]
enum Loss {
    Pinball { scale: f64, tau: f64 },
    Quantile { tau: f64 },
    Square,
}

/// `{ scale: s, tau } if s > tau` beside an active `s` (the arm's `s` the
/// payload), then an arm binding `tau` read in arithmetic (which the
/// reverse sweep reads); in a loop mutating `s`, a guard reading the
/// payload by `*s`, and a guard reading the active `s` itself (not bound
/// by its pattern); `k` left out of `wrt`.
#[differentiate(wrt(x))]
fn guard_payload(x: &[f64], loss: &Loss, k: usize) -> f64 {
    let r = x[0] * x[1] - x[2];
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    let e = match loss {
        Loss::Pinball { scale: s, tau } if s > tau => s * r * r,
        Loss::Pinball { tau, .. } | Loss::Quantile { tau } => (tau * r).sin(),
        Loss::Square => r * x[2],
    };
    for i in 0..k {
        let m = match loss {
            Loss::Pinball { scale: s, tau } if *s > 2.0 * tau => 1.0 + s * x[i % 3],
            Loss::Quantile { tau } if s > 2.0 * tau => 1.0 - tau * x[i % 3] * x[0],
            Loss::Quantile { tau: s } => 1.0 + x[i % 3].sin() * s,
            _ => x[i % 3].cos(),
        };
        s *= m;
        if x[i % 3] > 0.0 {
            s += match loss {
                Loss::Pinball { tau: s, .. } if *s < 1.0 => s * x[1],
                _ => 0.5 * x[2],
            };
        }
    }
    e + s
}

/// The outer `s` bound twice (renamed in the generated code): the guard
/// still tests the payload, not the local.
#[differentiate(wrt(x))]
fn guard_renamed(x: &[f64], loss: &Loss) -> f64 {
    let s = x[0] * x[1];
    let s = s * s + 5.0;
    let e = match loss {
        Loss::Pinball { scale: s, tau } if s > tau => s * x[2] * x[2],
        _ => x[2].sin(),
    };
    e * s
}

/// `guard_renamed` on an enum passed by value (its payloads `f64`s): the
/// guard comparing the local instead would compile and pick the wrong arm.
#[differentiate(wrt(x))]
fn guard_renamed_owned(x: &[f64], loss: Loss) -> f64 {
    let s = x[0] * x[1];
    let s = s * s + 5.0;
    let e = match loss {
        Loss::Pinball { scale: s, tau } if s > tau => s * x[2] * x[2],
        _ => x[2].sin(),
    };
    e * s
}

#[test]
fn a_guard_reads_a_payload_named_like_an_active_local() {
    let losses = [
        Loss::Pinball {
            scale: 0.9,
            tau: 0.3,
        },
        Loss::Pinball {
            scale: 0.2,
            tau: 0.6,
        },
        Loss::Quantile { tau: 0.2 },
        Loss::Quantile { tau: 0.9 },
        Loss::Square,
    ];
    for loss in &losses {
        for k in [0, 2, 5] {
            every_mode(
                "guard payload",
                |x| guard_payload(x, loss, k),
                |x, t| guard_payload_jvp(x, t, loss, k),
                |x, c| guard_payload_vjp(x, loss, k, c),
                |x| guard_payload_grad(x, loss, k),
                |x, t| guard_payload_hvp(x, t, loss, k),
            );
        }
        every_mode(
            "guard renamed",
            |x| guard_renamed(x, loss),
            |x, t| guard_renamed_jvp(x, t, loss),
            |x, c| guard_renamed_vjp(x, loss, c),
            |x| guard_renamed_grad(x, loss),
            |x, t| guard_renamed_hvp(x, t, loss),
        );
        every_mode(
            "guard renamed, owned",
            |x| guard_renamed_owned(x, *loss),
            |x, t| guard_renamed_owned_jvp(x, t, *loss),
            |x, c| guard_renamed_owned_vjp(x, *loss, c),
            |x| guard_renamed_owned_grad(x, *loss),
            |x, t| guard_renamed_owned_hvp(x, t, *loss),
        );
    }
}

// --- 2: `x.clone()` of a borrowed fixed-size array -------------------------

/// `let y: [f64; 3] = x.clone();` read, `let mut z = x.clone();` written
/// (`z[0] *= 2.0`) in a loop and a branch; `c: &[f64; 3]` left out of
/// `wrt`, copied too.
#[differentiate(wrt(x))]
fn clone_fixed(x: &[f64; 3], c: &[f64; 3], k: usize) -> f64 {
    let y: [f64; 3] = x.clone();
    let mut z = x.clone();
    let w = c.clone();
    z[0] *= 2.0;
    for i in 0..k {
        z[i % 3] += y[(i + 1) % 3] * z[(i + 2) % 3] * w[i % 3];
        if z[1] > 0.0 {
            z[2] -= y[0].sin();
        }
    }
    z[0] * z[1] + z[2] * y[2]
}

/// A borrowed 2-D fixed-size array copied and written.
#[differentiate]
fn clone_fixed_2d(a: &[[f64; 2]; 2]) -> f64 {
    let mut b = a.clone();
    b[0][1] *= b[1][0];
    for r in 0..2 {
        b[r][r] += a[r][1 - r].cos();
    }
    b[0][0] * b[1][1] - b[0][1] * b[1][0]
}

fn arr3(x: &[f64]) -> [f64; 3] {
    [x[0], x[1], x[2]]
}

fn arr2x2(x: &[f64]) -> [[f64; 2]; 2] {
    [[x[0], x[1]], [x[2], x[3]]]
}

#[test]
fn a_borrowed_fixed_size_array_cloned() {
    let c = [0.5, -0.7, 1.1];
    for k in [0, 1, 4] {
        every_mode(
            "clone fixed",
            |x| clone_fixed(&arr3(x), &c, k),
            |x, t| clone_fixed_jvp(&arr3(x), &arr3(t), &c, k),
            |x, d| {
                let (v, g) = clone_fixed_vjp(&arr3(x), &c, k, d);
                (v, g.to_vec())
            },
            |x| {
                let (v, g) = clone_fixed_grad(&arr3(x), &c, k);
                (v, g.to_vec())
            },
            |x, t| {
                let (v, g, h) = clone_fixed_hvp(&arr3(x), &arr3(t), &c, k);
                (v, g.to_vec(), h.to_vec())
            },
        );
    }
    let flat2 = |a: [[f64; 2]; 2]| vec![a[0][0], a[0][1], a[1][0], a[1][1]];
    every_mode_at(
        "clone fixed 2-D",
        &[0.7, -1.3, 0.4, 0.9],
        |x| clone_fixed_2d(&arr2x2(x)),
        |x, t| clone_fixed_2d_jvp(&arr2x2(x), &arr2x2(t)),
        |x, d| {
            let (v, g) = clone_fixed_2d_vjp(&arr2x2(x), d);
            (v, flat2(g))
        },
        |x| {
            let (v, g) = clone_fixed_2d_grad(&arr2x2(x));
            (v, flat2(g))
        },
        |x, t| {
            let (v, g, h) = clone_fixed_2d_hvp(&arr2x2(x), &arr2x2(t));
            (v, flat2(g), flat2(h))
        },
    );
}

// --- 3: elements of fields of elements of a local struct ------------------

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Net {
    layers: Vec<Layer>,
    #[ad(skip)]
    width: usize,
}

/// `q`, a local copy of the parameter struct: `q.layers[k].w[r]` and
/// `q.layers[k].b[c]` read by element (a name, a constant, a computed
/// index) in nested loops and a branch, `s` mutated; `x` left out of `wrt`.
#[differentiate(wrt(p))]
fn local_layers(p: &Net, x: &[f64]) -> f64 {
    let q = p.clone();
    let mut s = 0.0;
    for k in 0..q.layers.len() {
        for r in 0..q.width {
            let c = (r + 1) % q.width;
            s += q.layers[k].w[r] * x[r] - q.layers[k].b[c] * q.layers[k].b[0];
            if q.layers[k].w[c] > 0.0 {
                s *= 1.0 + 0.1 * (q.layers[k].w[r] * q.layers[k].b[r]).sin();
            }
        }
    }
    s + q.layers[1].w[2] * p.layers[0].b[1]
}

/// A parameter struct in every mode at `p` along `t`: gradient, JVP and
/// HVP against finite differences of its flat view, VJP by the
/// dot-product identity with the JVP, values against the plain function.
#[allow(clippy::too_many_arguments)]
fn check(
    what: &str,
    p: &Net,
    t: &Net,
    f: impl Fn(&Net) -> f64,
    grad: impl Fn(&Net) -> (f64, Net),
    vjp: impl Fn(&Net, f64) -> (f64, Net),
    jvp: impl Fn(&Net, &Net) -> (f64, f64),
    hvp: impl Fn(&Net, &Net) -> (f64, Net, Net),
) {
    let at = |xs: &[f64]| {
        let mut q = p.clone();
        q.copy_from_flat(xs);
        q
    };
    let x = p.to_flat();
    let tf = t.to_flat();
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    assert_eq!(g.width, p.width, "{what}: gradient's skipped field");
    let g = g.to_flat();
    assert!(g.iter().any(|g| g.abs() > 1e-3), "{what}: zero gradient");
    check_gradient(|xs| f(&at(xs)), &x, &g).assert_close(1e-7, 1e-7);
    let (v2, d) = jvp(p, t);
    assert_eq!(v2, v, "{what}: jvp value");
    let fd = fd_jvp(|xs| vec![f(&at(xs))], &x, &tf)[0];
    assert!(
        (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{what}: jvp {d} against finite differences {fd}"
    );
    let c = -2.5;
    let (v1, ct) = vjp(p, c);
    assert_eq!(v1, v, "{what}: vjp value");
    let rhs = flat::dot_f(&tf, &ct.to_flat());
    assert!(
        (d * c - rhs).abs() <= 1e-12 * (1.0 + rhs.abs()),
        "{what}: <J t, c> = {} but <t, J^T c> = {rhs}",
        d * c
    );
    let (v3, g3, hv) = hvp(p, t);
    assert_eq!(v3, v, "{what}: hvp value");
    compare(&g3.to_flat(), &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|xs| grad(&at(xs)).1.to_flat(), &x, &tf);
    compare(&hv.to_flat(), &fd).assert_close(1e-6, 1e-6);
    assert!(
        hv.to_flat().iter().any(|h| h.abs() > 1e-3),
        "{what}: zero HVP"
    );
}

fn net_at() -> Net {
    let layer = |k: f64| Layer {
        w: vec![0.7 * k, -1.3, 0.4],
        b: vec![0.1 * k, -0.2, 0.3],
    };
    Net {
        layers: vec![layer(1.0), layer(-0.8)],
        width: 3,
    }
}

#[test]
fn elements_of_fields_of_elements_of_a_local_struct() {
    let p = net_at();
    let mut t = p.clone();
    let mut k = 0.0_f64;
    t.apply_scalars(|_| {
        k += 1.0;
        0.3 * (1.7 * k).sin() + 0.1
    });
    t.width = 1000; // garbage: must not be read
    let x = [0.5, -0.4, 0.9];
    check(
        "local layers",
        &p,
        &t,
        |p| local_layers(p, &x),
        |p| local_layers_grad(p, &x),
        |p, c| local_layers_vjp(p, &x, c),
        |p, t| local_layers_jvp(p, t, &x),
        |p, t| local_layers_hvp(p, t, &x),
    );
}

// --- 4: an element as an `Option` from an iterator -------------------------

/// `if let Some(v) = x.iter().last()`, `match x.iter().nth(2) { .. }`,
/// `x.iter().next().unwrap()`, `x.iter().copied().nth(k)` with `k` left
/// out of `wrt` (`None` when `k` is past the end), in a loop and a branch,
/// `s` mutated; `x.get(3)` past the end.
#[differentiate]
fn element_options(x: &[f64], k: usize) -> f64 {
    let first = x.iter().next().unwrap();
    let mut s = first * x[1];
    if let Some(v) = x.iter().last() {
        s += v * v;
    } else {
        s -= 1.0;
    }
    let third = match x.iter().nth(2) {
        Some(v) => v.sin() * x[0],
        None => 0.0,
    };
    for i in 0..x.len() {
        match x.iter().copied().nth(k + i) {
            Some(u) => s *= 1.0 + 0.1 * u * x[i],
            None => s -= x[i].cos(),
        }
        if let Some(&w) = x.iter().nth(i) {
            s += 0.5 * w * first;
        }
    }
    // (Past the end of `X`: the `else`, not a read out of bounds.)
    if let Some(v) = x.get(3) {
        s += v * 100.0;
    } else {
        s += x[1] * 0.5;
    }
    let y = x.iter().copied().next().unwrap();
    s + third + y * x.iter().copied().last().unwrap()
}

#[test]
fn elements_as_options_from_an_iterator() {
    for k in [0, 1, 5] {
        every_mode(
            "element options",
            |x| element_options(x, k),
            |x, t| element_options_jvp(x, t, k),
            |x, c| element_options_vjp(x, k, c),
            |x| element_options_grad(x, k),
            |x, t| element_options_hvp(x, t, k),
        );
    }
}
