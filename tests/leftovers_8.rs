//! What a user wrote that still failed (fourth sweep): `if let` with any
//! pattern on an inactive enum, integer arithmetic of configuration fields
//! (`p.steps * p.count`), 2-D fields read through a borrow (`let w =
//! &p.w; w[r][c]`), rows of a field of a struct in a `Vec` passed to a
//! helper (`&p.layers[i].w[r]`).
//!
//! Every function in every mode: functions of a slice through
//! `common::agree` (`_jvp` against central finite differences, `_vjp` by
//! the dot-product identity) and `flat::check_all` (`_grad`, `_jvp`, `_hvp`
//! against finite differences); functions of a parameter struct through
//! `structs::check` (`tests/common/structs.rs`) (its flat view: gradient, JVP and HVP against finite
//! differences, VJP by the dot-product identity with the JVP, skipped
//! fields carried through).

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
#[path = "common/structs.rs"]
mod structs;
use flat::check_all;
use structs::{check, direction};

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

// --- 1: `if let` with any pattern on an inactive enum ---------------------

#[derive(Clone, Copy)]
enum Loss {
    Quantile { tau: f64 },
    Huber(f64),
    Square,
}

/// `if let` as a value with `else if let` and `else`, as a statement
/// without `else` inside a loop mutating `s`, and in a branch.
#[differentiate(wrt(x))]
fn if_let_enum(kind: Loss, x: &[f64]) -> f64 {
    let r = x[0] * x[1] - x[2];
    let a = if let Loss::Quantile { tau } = kind {
        tau * r * r
    } else if let Loss::Huber(d) = kind {
        d * r.sin()
    } else {
        r * x[2]
    };
    let mut s = a;
    for i in 0..x.len() {
        if let Loss::Huber(d) = kind {
            s += d * x[i] * x[i];
        }
        if x[i] > 0.0 {
            if let Loss::Quantile { tau: t } = kind {
                s *= 1.0 + t * x[i];
            } else {
                s -= x[i].cos();
            }
        }
    }
    s
}

#[test]
fn if_let_on_an_inactive_enum() {
    for kind in [Loss::Quantile { tau: 0.3 }, Loss::Huber(1.2), Loss::Square] {
        every_mode(
            "if let",
            |x| if_let_enum(kind, x),
            |x, t| if_let_enum_jvp(kind, x, t),
            |x, c| if_let_enum_vjp(kind, x, c),
            |x| if_let_enum_grad(kind, x),
            |x, t| if_let_enum_hvp(kind, x, t),
        );
    }
}

/// A borrowed enum (`kind: &Loss`): its payloads bind as references, read
/// in arithmetic as they are (`tau * r`, `s += d`, `-d`, `tau.powi(2)`),
/// by `*t`, passed to a helper by reference, in a loop and a branch; also
/// `if let` on it.
#[differentiate(wrt(x))]
fn borrowed_enum(kind: &Loss, x: &[f64]) -> f64 {
    let r = x[0] * x[1] - x[2];
    let mut s = match kind {
        Loss::Quantile { tau } => tau * r * r - tau.powi(2) * x[2] + scaled(tau, x[0]),
        Loss::Huber(d) => -d * r.sin() + *d * x[1],
        Loss::Square => r * x[2],
    };
    for i in 0..x.len() {
        match kind {
            Loss::Huber(d) if x[i] > 0.0 => s += d,
            Loss::Huber(d) => s -= d * x[i] * x[i],
            Loss::Quantile { tau: t } => s *= 1.0 + t * x[i],
            Loss::Square => s += x[i].cos(),
        }
        if let Loss::Quantile { tau } = kind {
            s += x[i] / tau;
        }
    }
    s
}

/// A helper taking the payload by reference.
#[differentiate(wrt(x))]
fn scaled(c: &f64, x: f64) -> f64 {
    c * x.sin()
}

#[test]
fn payloads_of_a_borrowed_enum() {
    for kind in [Loss::Quantile { tau: 0.3 }, Loss::Huber(1.2), Loss::Square] {
        let kind = &kind;
        every_mode(
            "borrowed enum",
            |x| borrowed_enum(kind, x),
            |x, t| borrowed_enum_jvp(kind, x, t),
            |x, c| borrowed_enum_vjp(kind, x, c),
            |x| borrowed_enum_grad(kind, x),
            |x, t| borrowed_enum_hvp(kind, x, t),
        );
    }
}

// --- 2: integer arithmetic of configuration fields ------------------------

const GARBAGE: usize = 1000;

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Config {
    w: Vec<f64>,
    v: f64,
    #[ad(skip)]
    steps: usize,
    #[ad(skip)]
    count: usize,
}

/// `let m = p.steps * p.count;` counted with, `(p.steps * p.count) as
/// f64` and `m as f64` in active arithmetic, `p.count + 1` and `m - 1` as
/// indices; `v` read by value, `s` mutated in a loop and a branch; `c`, a
/// product of float fields, stays a local (it is not counted with).
#[differentiate(wrt(p))]
fn field_products(p: &Config) -> f64 {
    let m = p.steps * p.count;
    let c = p.v * p.v;
    let mut s = p.v * (p.steps * p.count) as f64;
    for i in 0..m {
        s += p.w[i % p.w.len()] * p.v / m as f64 + 0.1 * c * p.w[i % 3];
        if i % 2 == 0 {
            s *= 1.0 + 0.1 * p.w[(i + p.count) % p.w.len()];
        }
    }
    s + p.w[m - 1] * p.w[p.count + 1] * ((p.steps + 1) * 2 - p.count) as f64
}

fn config_of(p: &Config) -> (usize, usize) {
    (p.steps, p.count)
}

#[test]
fn integer_arithmetic_of_configuration_fields() {
    let p = Config {
        w: vec![0.7, -1.3, 0.4, 1.1, -0.6, 0.9],
        v: 0.8,
        steps: 2,
        count: 3,
    };
    let t = Config {
        steps: GARBAGE,
        count: GARBAGE,
        ..direction(&p)
    };
    check(
        "field products",
        &p,
        &t,
        config_of,
        field_products,
        field_products_grad,
        field_products_vjp,
        field_products_jvp,
        field_products_hvp,
    );
}

// --- 3: 2-D fields through a borrow, rows of a field of a `Vec` element ---

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Grid {
    m: Vec<Vec<f64>>,
    a: [[f64; 2]; 2],
    #[ad(skip)]
    n: usize,
}

/// `let w = &p.m; w[r][c]` of a `Vec<Vec<f64>>` field and of a `[[f64;
/// 2]; 2]` field, in nested loops and a branch; `s` mutated.
#[differentiate(wrt(p))]
fn borrowed_2d(p: &Grid) -> f64 {
    let w = &p.m;
    let a = &p.a;
    let mut s = 0.0;
    for r in 0..p.n {
        for c in 0..2 {
            if w[r][c] > 0.0 {
                s += w[r][c] * a[r][c];
            } else {
                s += (w[r][c] * a[c][r]).sin();
            }
        }
        s *= 1.0 + 0.1 * w[r][1] * w[r][0];
    }
    s
}

fn grid_config(p: &Grid) -> usize {
    p.n
}

#[test]
fn two_dimensional_fields_read_through_a_borrow() {
    let p = Grid {
        m: vec![vec![0.7, -1.3], vec![0.4, 1.1]],
        a: [[0.5, -0.8], [1.2, 0.3]],
        n: 2,
    };
    let t = Grid {
        n: GARBAGE,
        ..direction(&p)
    };
    check(
        "borrowed 2-D",
        &p,
        &t,
        grid_config,
        borrowed_2d,
        borrowed_2d_grad,
        borrowed_2d_vjp,
        borrowed_2d_jvp,
        borrowed_2d_hvp,
    );
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Net {
    layers: Vec<Layer>,
    #[ad(skip)]
    width: usize,
}

/// A helper taking a row.
#[differentiate]
fn dot(u: &[f64], v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..u.len() {
        s += u[i] * v[i];
    }
    s
}

/// `&p.layers[i].w[r]` passed to a helper taking `&[f64]`, next to
/// `p.layers[i].b[r]` read by element; `h` reassigned in a loop over the
/// layers; `x` left out of `wrt`.
#[differentiate(wrt(p))]
fn net(p: &Net, x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for i in 0..p.layers.len() {
        let mut next = vec![0.0; p.width];
        for r in 0..p.width {
            next[r] = (dot(&p.layers[i].w[r], &h) + p.layers[i].b[r]).tanh();
        }
        h = next;
    }
    dot(&h, &h)
}

fn net_config(p: &Net) -> usize {
    p.width
}

fn net_at() -> Net {
    let layer = |k: f64| Layer {
        w: vec![
            vec![0.7 * k, -1.3, 0.4],
            vec![0.2, 0.9 * k, -0.5],
            vec![-0.6, 0.3, 1.1 * k],
        ],
        b: vec![0.1 * k, -0.2, 0.3],
    };
    Net {
        layers: vec![layer(1.0), layer(-0.8)],
        width: 3,
    }
}

#[test]
fn rows_of_a_field_of_a_vec_element_passed_to_a_helper() {
    let p = net_at();
    let t = Net {
        width: GARBAGE,
        ..direction(&p)
    };
    let x = [0.5, -0.4, 0.9];
    check(
        "net",
        &p,
        &t,
        net_config,
        |p| net(p, &x),
        |p| net_grad(p, &x),
        |p, c| net_vjp(p, &x, c),
        |p, t| net_jvp(p, t, &x),
        |p, t| net_hvp(p, t, &x),
    );
}

/// `net` with a layer bound by reference (`let layer = &p.layers[i];`) and
/// read by field: rows passed on, elements read, in a loop and a branch.
#[differentiate(wrt(p))]
fn net_bound(p: &Net, x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for i in 0..p.layers.len() {
        let layer = &p.layers[i];
        let mut next = vec![0.0; p.width];
        for r in 0..p.width {
            next[r] = (dot(&layer.w[r], &h) + layer.b[r]).tanh();
            if layer.b[r] > 0.0 {
                next[r] += layer.w[r][0] * layer.b[r];
            }
        }
        h = next;
    }
    let last = &p.layers[1];
    dot(&h, &h) + last.b[2] * last.w[2][1]
}

#[test]
fn a_layer_bound_by_reference() {
    let p = net_at();
    let t = Net {
        width: GARBAGE,
        ..direction(&p)
    };
    let x = [0.5, -0.4, 0.9];
    check(
        "net bound",
        &p,
        &t,
        net_config,
        |p| net_bound(p, &x),
        |p| net_bound_grad(p, &x),
        |p, c| net_bound_vjp(p, &x, c),
        |p, t| net_bound_jvp(p, t, &x),
        |p, t| net_bound_hvp(p, t, &x),
    );
}

// --- 4: elements of fields of structs in a `Vec`, added in place ----------

/// Elements of `p.layers[i].b` and `p.layers[i].w` read by a name, a
/// constant and a computed index, subtracted, in a branch, next to a row of
/// the same field passed to a helper; `s` mutated in the loop.
#[differentiate(wrt(p))]
fn layer_elements(p: &Net, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.layers.len() {
        for r in 0..p.width {
            let c = (r + 1) % p.width;
            s += p.layers[i].w[r][c] * x[r] - p.layers[i].b[r] * p.layers[i].b[0];
            if p.layers[i].b[r] > 0.0 {
                s -= (p.layers[i].w[r][(r + 2) % p.width] * p.layers[i].b[c]).sin();
            } else {
                s *= 1.0 + 0.1 * p.layers[i].w[0][r];
            }
        }
        s += dot(&p.layers[i].w[i], &p.layers[i].b);
    }
    s
}

#[test]
fn elements_of_fields_of_vec_elements() {
    let p = net_at();
    let t = Net {
        width: GARBAGE,
        ..direction(&p)
    };
    let x = [0.5, -0.4, 0.9];
    check(
        "layer elements",
        &p,
        &t,
        net_config,
        |p| layer_elements(p, &x),
        |p| layer_elements_grad(p, &x),
        |p, c| layer_elements_vjp(p, &x, c),
        |p, t| layer_elements_jvp(p, t, &x),
        |p, t| layer_elements_hvp(p, t, &x),
    );
}
