//! What still expanded to code rustc rejects: a skipped (`#[ad(skip)]`)
//! field of a parameter struct passed to a parameter the callee leaves out
//! of `wrt(...)` (`h(&p.scale, p.a)`: the macro does not see `#[ad(skip)]`,
//! so it took the field for an active argument), an inactive nalgebra view
//! parameter in matrix arithmetic (`a * v` with `a: MatrixView<..>` left out
//! of `wrt`), and borrowed elements of a local struct's `Vec` field read by
//! field (`let layer = &n.layers[k]; layer.w[i]`, `n` a helper's result or
//! a local copy).
//!
//! Every function in every mode: functions of a slice through
//! `common::agree` (`_jvp` against central finite differences, `_vjp` by
//! the dot-product identity) and `flat::check_all` (`_grad`, `_jvp`,
//! `_hvp` against finite differences, values against the plain function);
//! functions of a parameter struct through `structs::check` (`tests/common/structs.rs`).

use ad::differentiate;
use ad::nalgebra::{
    Const, DMatrix, DMatrixView, DVector, MatrixView, SMatrix, SVector, VectorView, U1,
};

mod common;
#[path = "common/flat.rs"]
mod flat;
#[path = "common/structs.rs"]
mod structs;
use flat::check_all;
use structs::check;

/// `f(x: &[f64]) -> f64` in every mode at `x` along `t`.
fn every_mode(
    what: &str,
    (x, t): (&[f64], &[f64]),
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, x, &f, &jvp, &vjp, 1e-7);
    check_all(what, x, t, &f, &grad, &jvp, &hvp);
}

/// A tangent's skipped fields: whatever the caller puts there is ignored.
const GARBAGE: f64 = 1.0e6;

// --- 1: skipped fields passed to parameters left out of `wrt` --------------

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Cfg {
    eps: f64,
    #[ad(skip)]
    tau: f64,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Model {
    a: f64,
    w: Vec<f64>,
    #[ad(skip)]
    scale: f64,
    #[ad(skip)]
    weights: Vec<f64>,
    cfg: Cfg,
    #[ad(skip)]
    width: usize,
}

fn model_config(p: &Model) -> String {
    format!("{:?} {:?} {:?} {}", p.scale, p.weights, p.cfg.tau, p.width)
}

/// A constant `c` by reference (left out of `wrt`).
#[differentiate(wrt(x))]
fn by_ref(c: &f64, x: f64) -> f64 {
    c * x + x.sin() * c
}

/// A constant `c` by value (left out of `wrt`).
#[differentiate(wrt(x))]
fn by_value(c: f64, x: f64) -> f64 {
    (c * x).tanh()
}

/// Constant weights (left out of `wrt`).
#[differentiate(wrt(x))]
fn weighted(ws: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += ws[i] * x[i] * x[i];
    }
    s
}

/// Every parameter active: a skipped field passed here is a constant too.
#[differentiate]
fn both(c: f64, x: f64) -> f64 {
    c * x * x + c.cos()
}

/// Skipped fields (a float by reference and by value, through a local, of
/// a nested struct, a `Vec`) passed to parameters the callees leave out of
/// `wrt`, in a loop with a branch mutating `s`; `k` and `m` left out of
/// `wrt`, `m` mutated; a skipped field to an active parameter.
#[differentiate(wrt(p))]
fn skipped_args(p: &Model, k: usize, mut m: f64) -> f64 {
    let mut s = by_ref(&p.scale, p.a);
    let c = p.scale;
    for i in 0..k {
        if p.w[i % p.w.len()] > 0.0 {
            s += by_value(p.scale, p.w[i % p.width]) + 0.1 * by_ref(&c, s);
        } else {
            s *= 1.0 + 0.1 * by_ref(&p.cfg.tau, p.cfg.eps);
        }
        m *= 0.5;
    }
    s + weighted(&p.weights, &p.w) * m + both(p.scale, p.a)
}

#[test]
fn skipped_fields_to_inactive_parameters() {
    let p = Model {
        a: 0.7,
        w: vec![0.4, -1.1, 0.9],
        scale: 1.3,
        weights: vec![0.5, -0.25, 2.0],
        cfg: Cfg {
            eps: 0.3,
            tau: -0.8,
        },
        width: 3,
    };
    let t = Model {
        a: 0.2,
        w: vec![-0.3, 0.6, 0.5],
        scale: GARBAGE,
        weights: vec![GARBAGE; 3],
        cfg: Cfg {
            eps: 0.9,
            tau: GARBAGE,
        },
        width: 7,
    };
    for k in [0, 1, 4] {
        let m = 1.5;
        check(
            &format!("skipped_args k={k}"),
            &p,
            &t,
            model_config,
            |p| skipped_args(p, k, m),
            |p| skipped_args_grad(p, k, m),
            |p, c| skipped_args_vjp(p, k, m, c),
            |p, t| skipped_args_jvp(p, t, k, m),
            |p, t| skipped_args_hvp(p, t, k, m),
        );
    }
}

// --- 2: inactive view parameters in matrix arithmetic -----------------------

/// The brief's form: a fixed-size view of data left out of `wrt` times the
/// active view, then the product read in a loop with a branch.
#[differentiate(wrt(v))]
fn view_product(
    v: VectorView<f64, Const<3>, U1, Const<4>>,
    a: MatrixView<f64, Const<3>, Const<3>, U1, Const<4>>,
    k: usize,
) -> f64 {
    let mut s = (a * v).dot(&v);
    for i in 0..k {
        let w = a * v;
        if w[i % 3] > 0.0 {
            s += w[i % 3] * v[(i + 1) % 3];
        } else {
            s *= 1.0 + 0.1 * (a.transpose() * v).norm_squared();
        }
    }
    s
}

/// A dynamic view by reference, left out of `wrt`, times an active vector,
/// and its product with a mutated local.
#[differentiate(wrt(x))]
fn dyn_view_product(x: &DVector<f64>, a: &DMatrixView<f64>) -> f64 {
    let mut y = a * x;
    for _ in 0..2 {
        y = a * &y.map(|e| e.tanh());
    }
    y.dot(x)
}

fn fixed_data() -> SMatrix<f64, 4, 4> {
    SMatrix::<f64, 4, 4>::from_fn(|r, c| 0.2 * r as f64 - 0.3 * c as f64 + 0.1)
}

#[test]
fn inactive_views_in_products() {
    let a = fixed_data();
    let av = a.fixed_view::<3, 3>(1, 1);
    let sv = |p: &[f64]| SVector::<f64, 4>::from_row_slice(&[9.0, p[0], p[1], p[2]]);
    let x = [0.7, -1.3, 0.4];
    let t = [0.3, 0.9, -0.5];
    for k in [0, 2, 5] {
        every_mode(
            &format!("view_product k={k}"),
            (&x, &t),
            |p| view_product(sv(p).fixed_rows::<3>(1), av, k),
            |p, t| view_product_jvp(sv(p).fixed_rows::<3>(1), sv(t).fixed_rows::<3>(1), av, k),
            |p, c| {
                let (v, g) = view_product_vjp(sv(p).fixed_rows::<3>(1), av, k, c);
                (v, g.as_slice().to_vec())
            },
            |p| {
                let (v, g) = view_product_grad(sv(p).fixed_rows::<3>(1), av, k);
                (v, g.as_slice().to_vec())
            },
            |p, t| {
                let (v, g, h) =
                    view_product_hvp(sv(p).fixed_rows::<3>(1), sv(t).fixed_rows::<3>(1), av, k);
                (v, g.as_slice().to_vec(), h.as_slice().to_vec())
            },
        );
    }

    let big = DMatrix::<f64>::from_fn(5, 4, |r, c| 0.3 * r as f64 - 0.2 * c as f64 - 0.25);
    let dv = big.view((1, 0), (3, 3));
    let dvec = |p: &[f64]| DVector::from_column_slice(p);
    every_mode(
        "dyn_view_product",
        (&x, &t),
        |p| dyn_view_product(&dvec(p), &dv),
        |p, t| dyn_view_product_jvp(&dvec(p), &dvec(t), &dv),
        |p, c| {
            let (v, g) = dyn_view_product_vjp(&dvec(p), &dv, c);
            (v, g.as_slice().to_vec())
        },
        |p| {
            let (v, g) = dyn_view_product_grad(&dvec(p), &dv);
            (v, g.as_slice().to_vec())
        },
        |p, t| {
            let (v, g, h) = dyn_view_product_hvp(&dvec(p), &dvec(t), &dv);
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
}

// --- 3: borrowed elements of a local struct's `Vec` field -------------------

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

fn net_config(p: &Net) -> String {
    format!("{}", p.width)
}

/// A helper's struct result.
#[differentiate(wrt(p))]
fn copied(p: &Net) -> Net {
    p.clone()
}

/// `n`, a helper's result: `let layer = &n.layers[k];` read by field in a
/// loop with a branch, `s` mutated; `x` left out of `wrt`.
#[differentiate(wrt(p))]
fn helper_layers(p: &Net, x: &[f64]) -> f64 {
    let n = copied(p);
    let mut s = 0.0;
    for k in 0..n.layers.len() {
        let layer = &n.layers[k];
        for r in 0..n.width {
            if layer.w[r] > 0.0 {
                s += layer.w[r] * x[r] - layer.b[(r + 1) % n.width];
            } else {
                s *= 1.0 + 0.1 * (layer.w[r] * layer.b[r]).sin();
            }
        }
    }
    s
}

/// `q`, a local copy: the same through `let layer = &q.layers[k];`.
#[differentiate(wrt(p))]
fn local_layers(p: &Net, x: &[f64]) -> f64 {
    let q = p.clone();
    let mut s = 0.0;
    for k in 0..q.layers.len() {
        let layer = &q.layers[k];
        s += layer.w[1] * layer.b[0] * x[k % 3];
        if layer.b[2] < 0.0 {
            s += layer.w[2].exp();
        }
    }
    s * p.layers[0].w[0]
}

#[test]
fn local_struct_elements() {
    let layer = |k: f64| Layer {
        w: vec![0.7 * k, -1.3, 0.4],
        b: vec![0.1 * k, -0.2, 0.3 * k],
    };
    let p = Net {
        layers: vec![layer(1.0), layer(-0.8)],
        width: 3,
    };
    let t = Net {
        layers: vec![layer(0.3), layer(0.5)],
        width: 99,
    };
    let x = [0.9, -0.4, 1.2];
    check(
        "helper_layers",
        &p,
        &t,
        net_config,
        |p| helper_layers(p, &x),
        |p| helper_layers_grad(p, &x),
        |p, c| helper_layers_vjp(p, &x, c),
        |p, t| helper_layers_jvp(p, t, &x),
        |p, t| helper_layers_hvp(p, t, &x),
    );
    check(
        "local_layers",
        &p,
        &t,
        net_config,
        |p| local_layers(p, &x),
        |p| local_layers_grad(p, &x),
        |p, c| local_layers_vjp(p, &x, c),
        |p, t| local_layers_jvp(p, t, &x),
        |p, t| local_layers_hvp(p, t, &x),
    );
}
