//! Issue 18, what a new user hit (third sweep): `impl Trait` parameters,
//! struct-like enum variant patterns, tuple patterns over local arrays,
//! whole-row writes of 2-D buffers.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`,
//! `_jvp` and `_hvp` against finite differences (`flat::check_all`).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 3] = [0.7, -1.3, 0.4];
const T: [f64; 3] = [0.3, 0.9, -0.5];

/// `f(x: &[f64]) -> f64` in every mode at `X`.
fn every_mode(
    what: &str,
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, &X, &f, &jvp, &vjp, 1e-7);
    check_all(what, &X, &T, &f, &grad, &jvp, &hvp);
}

// --- C: `impl Trait` parameters -------------------------------------------

/// The function: an `impl Fn` called on a constant.
#[differentiate(wrt(a))]
fn with_impl_fn(f: impl Fn(f64) -> f64, a: f64) -> f64 {
    a * a.sin() + f(1.0) * a
}

/// `&impl AsRef<[f64]>` data and an `impl FnMut` called on an index.
#[differentiate(wrt(x))]
fn with_impl_data(w: &impl AsRef<[f64]>, mut f: impl FnMut(usize) -> f64, x: &[f64]) -> f64 {
    let w = w.as_ref();
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i] * x[i].cos() + f(i) * x[i];
    }
    s
}

/// A differentiated caller passing a function item.
#[differentiate]
fn passes_a_fn(a: f64) -> f64 {
    with_impl_fn(halve, a) * a
}

fn halve(t: f64) -> f64 {
    t / 2.0
}

#[test]
fn impl_trait_parameters() {
    let f = |t: f64| t.exp();
    every_mode(
        "with_impl_fn",
        |x| with_impl_fn(f, x[0]) + x[1] * x[2],
        |x, t| {
            let (v, d) = with_impl_fn_jvp(f, x[0], t[0]);
            (v + x[1] * x[2], d + t[1] * x[2] + x[1] * t[2])
        },
        |x, c| {
            let (v, g) = with_impl_fn_vjp(f, x[0], c);
            (v + x[1] * x[2], vec![g, c * x[2], c * x[1]])
        },
        |x| {
            let (v, g) = with_impl_fn_grad(f, x[0]);
            (v + x[1] * x[2], vec![g, x[2], x[1]])
        },
        |x, t| {
            let (v, g, h) = with_impl_fn_hvp(f, x[0], t[0]);
            (v + x[1] * x[2], vec![g, x[2], x[1]], vec![h, t[2], t[1]])
        },
    );
    let w = vec![1.5, -0.5, 2.0];
    let k = |i: usize| i as f64 + 0.5;
    every_mode(
        "with_impl_data",
        |x| with_impl_data(&w, k, x),
        |x, t| with_impl_data_jvp(&w, k, x, t),
        |x, c| with_impl_data_vjp(&w, k, x, c),
        |x| with_impl_data_grad(&w, k, x),
        |x, t| with_impl_data_hvp(&w, k, x, t),
    );
    every_mode(
        "passes_a_fn",
        |x| passes_a_fn(x[0]) + x[1] * x[2],
        |x, t| {
            let (v, d) = passes_a_fn_jvp(x[0], t[0]);
            (v + x[1] * x[2], d + t[1] * x[2] + x[1] * t[2])
        },
        |x, c| {
            let (v, g) = passes_a_fn_vjp(x[0], c);
            (v + x[1] * x[2], vec![g, c * x[2], c * x[1]])
        },
        |x| {
            let (v, g) = passes_a_fn_grad(x[0]);
            (v + x[1] * x[2], vec![g, x[2], x[1]])
        },
        |x, t| {
            let (v, g, h) = passes_a_fn_hvp(x[0], t[0]);
            (v + x[1] * x[2], vec![g, x[2], x[1]], vec![h, t[2], t[1]])
        },
    );
}

// --- D: struct-like enum variant patterns ---------------------------------

#[derive(Clone, Copy)]
enum Loss {
    Quantile { tau: f64 },
    Pinball { tau: f64, scale: f64 },
    Huber(f64),
    Square,
}

/// The match (`Loss::Quantile { tau }`), with `{ tau, .. }`, a
/// renamed field, a tuple variant and a unit variant beside it.
#[differentiate(wrt(x))]
fn loss(kind: Loss, x: &[f64]) -> f64 {
    let r = x[0] * x[1] - x[2];
    let a = match kind {
        Loss::Quantile { tau } => tau * r * r,
        Loss::Pinball { tau, .. } => tau * r.sin(),
        Loss::Huber(d) => d * r * r.cos(),
        Loss::Square => r * r,
    };
    let b = match kind {
        Loss::Pinball { scale: s, tau } if s > tau => s * x[0].exp(),
        Loss::Quantile { tau } | Loss::Pinball { tau, .. } => tau * x[1] * x[2],
        _ => x[2] * x[2],
    };
    a + b
}

#[test]
fn struct_like_variant_patterns() {
    for kind in [
        Loss::Quantile { tau: 0.3 },
        Loss::Pinball {
            tau: 0.25,
            scale: 1.5,
        },
        Loss::Pinball {
            tau: 0.75,
            scale: 0.5,
        },
        Loss::Huber(1.2),
        Loss::Square,
    ] {
        every_mode(
            "loss",
            |x| loss(kind, x),
            |x, t| loss_jvp(kind, x, t),
            |x, c| loss_vjp(kind, x, c),
            |x| loss_grad(kind, x),
            |x, t| loss_hvp(kind, x, t),
        );
    }
}

// --- A: tuple patterns over array literals --------------------------------

/// The loops (`&(p, q)` over `&[..]`, `(p, q)` over `[..]` by
/// value), a tuple with an inactive `f64` weight through `.iter()`, a name
/// over references read in active arithmetic, and an array pattern.
#[differentiate]
fn pairs(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for &(p, q) in &[(0, 1), (1, 2)] {
        e += x[p] * x[q];
    }
    for (p, q) in [(0usize, 1usize), (1, 2)] {
        e += x[p].sin() * x[q];
    }
    for (p, w) in [(0usize, 0.5), (2, -2.0)].iter() {
        e += w * x[*p] * x[*p];
    }
    for t in &[(2usize, 1.5), (0, -0.5)] {
        e += t.1 * x[t.0].exp();
    }
    for &[i, j] in [[0usize, 2], [1, 1]].iter() {
        e += x[i] * x[j];
    }
    e
}

#[test]
fn tuple_patterns_over_array_literals() {
    every_mode("pairs", pairs, pairs_jvp, pairs_vjp, pairs_grad, pairs_hvp);
}

// --- B: whole rows of a 2-D buffer written from array literals ------------

/// The loop (`*r = [0.0; 2]` through `iter_mut`), rows assigned
/// by index from a list that reads the row itself, and through `iter_mut`.
#[differentiate]
fn rows(x: &[f64], out: &mut [[f64; 2]]) {
    for r in out.iter_mut() {
        *r = [0.0; 2];
    }
    for i in 0..out.len() {
        out[i][0] += x[i] * x[i];
    }
    for i in 0..out.len() {
        out[i] = [x[i] * out[i][0] + out[i][1], 2.0 * x[i].sin() - out[i][0]];
    }
    for r in out.iter_mut() {
        *r = [r[1] * x[0], r[0] * r[1]];
    }
}

/// The same rows in a local 2-D array, and a row filled with `[c; N]`.
#[differentiate]
fn through_rows(x: &[f64]) -> f64 {
    let mut m = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    rows(x, &mut m);
    m[1] = [x[2].cos() * m[0][1]; 2];
    m[2] = [m[1][0] * x[1], m[2][0]];
    m[0][0] * m[1][1] + m[2][0] * m[2][1] + m[1][0]
}

/// `[[a, b], ..]` as one flat vector.
fn flat_rows(m: &[[f64; 2]]) -> Vec<f64> {
    m.iter().flatten().copied().collect()
}

#[test]
fn whole_rows_from_array_literals() {
    let out0 = [[1.0, 2.0], [3.0, -4.0], [0.5, 1.5]];
    let dout0 = [[0.2, -0.1], [0.5, 0.3], [-0.7, 0.4]];
    // `rows` in forward mode against finite differences of `(x, out)`.
    let (mut out, mut dout) = (out0, dout0);
    rows_jvp(&X, &T, &mut out, &mut dout);
    let f = |p: &[f64]| {
        let mut m = [[p[3], p[4]], [p[5], p[6]], [p[7], p[8]]];
        rows(&p[..3], &mut m);
        flat_rows(&m)
    };
    let p = [X.as_slice(), &flat_rows(&out0)].concat();
    let t = [T.as_slice(), &flat_rows(&dout0)].concat();
    assert_eq!(flat_rows(&out), f(&p));
    let fd = ad::check::fd_jvp(f, &p, &t);
    ad::check::compare(&flat_rows(&dout), &fd).assert_close(1e-7, 1e-7);
    // And in reverse mode by the dot-product identity.
    let c = [[1.0, -0.5], [2.0, 0.25], [-1.5, 0.75]];
    let (mut out2, mut out_bar) = (out0, c);
    let x_bar = rows_vjp(&X, &mut out2, &mut out_bar);
    assert_eq!(out2, out);
    let lhs = flat::dot_f(&flat_rows(&dout), &flat_rows(&c));
    let rhs = flat::dot_f(&x_bar, &T) + flat::dot_f(&flat_rows(&out_bar), &flat_rows(&dout0));
    assert!(
        (lhs - rhs).abs() < 1e-12 * (1.0 + lhs.abs()),
        "{lhs} against {rhs}"
    );
    every_mode(
        "through_rows",
        through_rows,
        through_rows_jvp,
        through_rows_vjp,
        through_rows_grad,
        through_rows_hvp,
    );
}

// --- E: a trait's method on an active struct, as the error advises --------

trait Model {
    fn predict(&self, x: f64) -> f64;
}

#[derive(Clone, Debug, ad::Differentiable)]
struct Lin {
    a: f64,
    b: f64,
}

impl Lin {
    /// The body of the trait's `predict`, differentiated.
    #[differentiate(wrt(self))]
    fn predict_body(&self, x: f64) -> f64 {
        self.a * x + self.b * x.sin()
    }
}

impl Model for Lin {
    fn predict(&self, x: f64) -> f64 {
        self.predict_body(x)
    }
}

/// The issue's `loss`, calling the inherent method the trait's delegates to.
#[differentiate(wrt(m))]
fn fit(m: &Lin, x: f64) -> f64 {
    let r = m.predict_body(x) - 1.5;
    r * r
}

#[test]
fn trait_method_through_an_inherent_one() {
    let lin = |p: &[f64]| Lin { a: p[0], b: p[1] };
    let flat = |l: Lin| vec![l.a, l.b, 0.0];
    // (`every_mode` takes three coordinates: the third, `p[2]`, enters
    // squared beside the struct's two.)
    let x = 0.8;
    assert_eq!(lin(&X).predict(x), lin(&X).predict_body(x));
    every_mode(
        "fit",
        |p| fit(&lin(p), x) + p[2] * p[2],
        |p, t| {
            let (v, d) = fit_jvp(&lin(p), &lin(t), x);
            (v + p[2] * p[2], d + 2.0 * p[2] * t[2])
        },
        |p, c| {
            let (v, g) = fit_vjp(&lin(p), x, c);
            let mut g = flat(g);
            g[2] = 2.0 * p[2] * c;
            (v + p[2] * p[2], g)
        },
        |p| {
            let (v, g) = fit_grad(&lin(p), x);
            let mut g = flat(g);
            g[2] = 2.0 * p[2];
            (v + p[2] * p[2], g)
        },
        |p, t| {
            let (v, g, h) = fit_hvp(&lin(p), &lin(t), x);
            let (mut g, mut h) = (flat(g), flat(h));
            g[2] = 2.0 * p[2];
            h[2] = 2.0 * t[2];
            (v + p[2] * p[2], g, h)
        },
    );
}
