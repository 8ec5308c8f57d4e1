//! `for` loops whose items are references: over data left out of `wrt`
//! (`for x in data { s += (x - mu) * (x - mu); }`, `x: &f64`), over a
//! `const` table, over active slices read through `*x`, `x.powi(2)`; a
//! reference to an element held in a local (`let d = &data[i];`); rows of
//! 2-D arrays taken by iteration (`for row in a.iter()`) read by element,
//! summed, passed to a helper. Every mode against central finite
//! differences, `_vjp` also by the dot-product identity.

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use ad::check::check_gradient;
use flat::{check_all, dot_f};

/// [`check_all`], and `_vjp` with an output cotangent `w`: `w` times the
/// finite-difference gradient, and <jvp(p, t), w> = <t, vjp(p, w)>.
#[allow(clippy::too_many_arguments)]
fn check(
    what: &str,
    p: &[f64],
    t: &[f64],
    f: impl Fn(&[f64]) -> f64,
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
) {
    check_all(what, p, t, &f, grad, &jvp, hvp);
    let w = -0.7;
    let (v, b) = vjp(p, w);
    assert_eq!(v, f(p), "{what}: vjp value");
    check_gradient(|p| w * f(p), p, &b).assert_close(1e-8, 1e-8);
    let (_, d) = jvp(p, t);
    let (l, r) = (d * w, dot_f(t, &b));
    assert!(
        (l - r).abs() <= 1e-12 * (1.0 + l.abs()),
        "{what}: <jvp, w> = {l} against <t, vjp> = {r}"
    );
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

// ----- data left out of `wrt` ------------------------------------------------

/// A table at module level, iterated by reference.
const C: [f64; 3] = [0.5, -1.5, 2.0];

/// `x: &f64` from data left out of `wrt`, read in active arithmetic:
/// `x - mu`, `x * mu`, `x / mu`, `x.powi(2)`, `*x`, `x.abs()`, over the
/// slice, `.iter()`, `.iter().rev()`, a local `Vec`, a table.
#[differentiate(wrt(mu))]
fn inactive_items(mu: f64, data: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in data {
        s += (x - mu) * (x - mu);
    }
    for x in data.iter() {
        s += (x - mu).powi(2) * 0.5 + x * mu.sin() + *x / mu + x.abs() * mu;
    }
    let mut acc = 0.0;
    for x in data.iter().rev().skip(1) {
        acc = acc * mu + x;
    }
    let w = vec![1.0, 2.0, 3.0];
    for x in &w {
        s += x / mu;
    }
    for c in &C {
        s += c * mu.exp();
    }
    s + acc
}

/// Settings left out of `wrt`, whose field is iterated.
struct Cfg {
    weights: Vec<f64>,
}

/// A field of data left out of `wrt`, an alias of a slice, a local array.
#[differentiate(wrt(mu))]
fn inactive_places(mu: f64, cfg: &Cfg, data: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in &cfg.weights {
        s += w * mu.powi(2);
    }
    for w in cfg.weights.iter().take(2) {
        s += (w - mu).exp();
    }
    let alias: &[f64] = data;
    for x in alias {
        s += x * mu;
    }
    let arr = [0.5, 0.25];
    for a in arr.iter() {
        s += mu / a;
    }
    s
}

/// An associated `const` table.
struct Table;

impl Table {
    const K: [f64; 3] = [0.5, -1.0, 2.0];

    #[differentiate]
    fn eval(t: f64) -> f64 {
        let mut s = 0.0;
        for k in Self::K.iter() {
            s = s * t + k;
        }
        s * t.sin()
    }
}

/// A `const` table declared in the body (a user's Horner scheme).
#[differentiate]
fn horner_const(t: f64) -> f64 {
    const A: [f64; 4] = [1.0, -2.0, 0.5, 3.0];
    let mut poly = 0.0;
    for a in A.iter() {
        poly = (poly + a) * t;
    }
    poly
}

/// A reference to an element held in a local (`let d = &data[i];`), with
/// the index assigned after it, an alias of it, a typed one.
#[differentiate(wrt(mu))]
fn element_refs(mu: f64, data: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..data.len() {
        let d = &data[i];
        let e = d;
        let f: &f64 = &data[data.len() - 1 - i];
        s += d * mu + *e * mu.cos() + d.abs() * f * mu * mu;
    }
    let mut k = 0;
    while k < data.len() {
        let d = &data[k];
        k += 1;
        s += d.powi(2) * mu.powi(3);
    }
    s
}

#[test]
fn items_of_data_left_out_of_wrt() {
    let data = [1.0, -2.0, 0.5, 3.0];
    let (p, t) = ([1.3], [0.7]);
    check(
        "inactive_items",
        &p,
        &t,
        |p| inactive_items(p[0], &data),
        |p| {
            let (v, g) = inactive_items_grad(p[0], &data);
            (v, vec![g])
        },
        |p, t| inactive_items_jvp(p[0], t[0], &data),
        |p, t| {
            let (v, g, h) = inactive_items_hvp(p[0], t[0], &data);
            (v, vec![g], vec![h])
        },
        |p, w| {
            let (v, g) = inactive_items_vjp(p[0], &data, w);
            (v, vec![g])
        },
    );
    check(
        "horner_const",
        &p,
        &t,
        |p| horner_const(p[0]),
        |p| {
            let (v, g) = horner_const_grad(p[0]);
            (v, vec![g])
        },
        |p, t| horner_const_jvp(p[0], t[0]),
        |p, t| {
            let (v, g, h) = horner_const_hvp(p[0], t[0]);
            (v, vec![g], vec![h])
        },
        |p, w| {
            let (v, g) = horner_const_vjp(p[0], w);
            (v, vec![g])
        },
    );
    let cfg = Cfg {
        weights: vec![0.3, -0.2, 1.1],
    };
    check(
        "inactive_places",
        &p,
        &t,
        |p| inactive_places(p[0], &cfg, &data),
        |p| {
            let (v, g) = inactive_places_grad(p[0], &cfg, &data);
            (v, vec![g])
        },
        |p, t| inactive_places_jvp(p[0], t[0], &cfg, &data),
        |p, t| {
            let (v, g, h) = inactive_places_hvp(p[0], t[0], &cfg, &data);
            (v, vec![g], vec![h])
        },
        |p, w| {
            let (v, g) = inactive_places_vjp(p[0], &cfg, &data, w);
            (v, vec![g])
        },
    );
    check(
        "Table::eval",
        &p,
        &t,
        |p| Table::eval(p[0]),
        |p| {
            let (v, g) = Table::eval_grad(p[0]);
            (v, vec![g])
        },
        |p, t| Table::eval_jvp(p[0], t[0]),
        |p, t| {
            let (v, g, h) = Table::eval_hvp(p[0], t[0]);
            (v, vec![g], vec![h])
        },
        |p, w| {
            let (v, g) = Table::eval_vjp(p[0], w);
            (v, vec![g])
        },
    );
    check(
        "element_refs",
        &p,
        &t,
        |p| element_refs(p[0], &data),
        |p| {
            let (v, g) = element_refs_grad(p[0], &data);
            (v, vec![g])
        },
        |p, t| element_refs_jvp(p[0], t[0], &data),
        |p, t| {
            let (v, g, h) = element_refs_hvp(p[0], t[0], &data);
            (v, vec![g], vec![h])
        },
        |p, w| {
            let (v, g) = element_refs_vjp(p[0], &data, w);
            (v, vec![g])
        },
    );
}

// ----- active slices ---------------------------------------------------------

/// Items of an active slice by reference and by value, read through `*x`,
/// methods, operators; a reference to an element in a local.
#[differentiate]
fn active_items(w: &[f64], mu: f64) -> f64 {
    let mut s = 0.0;
    for x in w {
        s += x * x;
    }
    for &x in w {
        s += x.powi(3) * mu;
    }
    for x in w.iter() {
        s += (*x).sin() + x.powi(2) + x.abs() + (x - mu) * (x - mu);
    }
    for i in 0..w.len() {
        let d = &w[i];
        s += d * d * mu;
    }
    s
}

#[test]
fn items_of_active_slices() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check(
        "active_items",
        &p,
        &t,
        |p| active_items(&p[..4], p[4]),
        |p| {
            let (v, gw, gm) = active_items_grad(&p[..4], p[4]);
            (v, [gw, vec![gm]].concat())
        },
        |p, t| active_items_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gw, gm, hw, hm) = active_items_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gw, vec![gm]].concat(), [hw, vec![hm]].concat())
        },
        |p, c| {
            let (v, gw, gm) = active_items_vjp(&p[..4], p[4], c);
            (v, [gw, vec![gm]].concat())
        },
    );
}

// ----- rows of 2-D arrays ----------------------------------------------------

/// Rows of `&[Vec<f64>]` by iteration: read by element, summed, passed to
/// a helper, held in a local.
#[differentiate]
fn rows_of_vecs(a: &[Vec<f64>], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in a.iter() {
        s += row[0] * row[1];
    }
    for row in a {
        s += row.iter().sum::<f64>() * dot(row, w);
    }
    for i in 0..a.len() {
        let row = &a[i];
        s += row[2] * row.len() as f64;
    }
    s
}

/// Cross-entropy over rows of logits with labels left out of `wrt`.
#[differentiate(wrt(logits))]
fn cross_entropy(logits: &[Vec<f64>], labels: &[usize]) -> f64 {
    let mut loss = 0.0;
    for (row, &y) in logits.iter().zip(labels) {
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        loss += lse - row[y];
    }
    loss / logits.len() as f64
}

/// Rows of `&[[f64; 3]]`.
#[differentiate]
fn rows_of_arrays(a: &[[f64; 3]]) -> f64 {
    let mut s = 0.0;
    for row in a {
        s += row[0] * row[2] + row.iter().sum::<f64>().powi(2);
    }
    for row in a.iter() {
        s += row[1].sin() * row[0];
    }
    s
}

/// Rows of an owned `Vec<Vec<f64>>`, by reference.
#[differentiate]
fn rows_of_owned(a: Vec<Vec<f64>>) -> f64 {
    let mut s = 0.0;
    for row in &a {
        s += row[0] * row[1] * row[2];
    }
    s
}

/// Rows of a `[[f64; 3]; 4]`, by value and by reference.
#[differentiate]
fn rows_of_matrix(a: [[f64; 3]; 4]) -> f64 {
    let mut s = 0.0;
    for row in a {
        s += row[0] * row[1];
    }
    for row in &a {
        s += row[2].exp() * row[0];
    }
    s
}

fn rows_of(p: &[f64], n: usize) -> Vec<Vec<f64>> {
    p.chunks(n).map(|r| r.to_vec()).collect()
}

fn arrays_of(p: &[f64]) -> Vec<[f64; 3]> {
    p.chunks(3).map(|r| [r[0], r[1], r[2]]).collect()
}

fn matrix_of(p: &[f64]) -> [[f64; 3]; 4] {
    let r = arrays_of(p);
    [r[0], r[1], r[2], r[3]]
}

#[test]
fn rows_taken_by_iteration() {
    let p = [
        0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.9, 0.2, -0.6, 1.1, -0.8, 0.3,
    ];
    let t = [
        0.1, 0.2, -0.3, 0.4, 0.5, -0.2, 0.3, 0.1, -0.1, 0.2, 0.4, -0.5,
    ];
    // rows_of_vecs: three rows of three, and `w` of three.
    check(
        "rows_of_vecs",
        &p,
        &t,
        |p| rows_of_vecs(&rows_of(&p[..9], 3), &p[9..]),
        |p| {
            let (v, ga, gw) = rows_of_vecs_grad(&rows_of(&p[..9], 3), &p[9..]);
            (v, [ga.concat(), gw].concat())
        },
        |p, t| rows_of_vecs_jvp(&rows_of(&p[..9], 3), &rows_of(&t[..9], 3), &p[9..], &t[9..]),
        |p, t| {
            let (v, ga, gw, ha, hw) =
                rows_of_vecs_hvp(&rows_of(&p[..9], 3), &rows_of(&t[..9], 3), &p[9..], &t[9..]);
            (v, [ga.concat(), gw].concat(), [ha.concat(), hw].concat())
        },
        |p, c| {
            let (v, ga, gw) = rows_of_vecs_vjp(&rows_of(&p[..9], 3), &p[9..], c);
            (v, [ga.concat(), gw].concat())
        },
    );
    let labels = [2usize, 0, 1, 1];
    check(
        "cross_entropy",
        &p,
        &t,
        |p| cross_entropy(&rows_of(p, 3), &labels),
        |p| {
            let (v, g) = cross_entropy_grad(&rows_of(p, 3), &labels);
            (v, g.concat())
        },
        |p, t| cross_entropy_jvp(&rows_of(p, 3), &rows_of(t, 3), &labels),
        |p, t| {
            let (v, g, h) = cross_entropy_hvp(&rows_of(p, 3), &rows_of(t, 3), &labels);
            (v, g.concat(), h.concat())
        },
        |p, c| {
            let (v, g) = cross_entropy_vjp(&rows_of(p, 3), &labels, c);
            (v, g.concat())
        },
    );
    check(
        "rows_of_arrays",
        &p,
        &t,
        |p| rows_of_arrays(&arrays_of(p)),
        |p| {
            let (v, g) = rows_of_arrays_grad(&arrays_of(p));
            (v, g.concat())
        },
        |p, t| rows_of_arrays_jvp(&arrays_of(p), &arrays_of(t)),
        |p, t| {
            let (v, g, h) = rows_of_arrays_hvp(&arrays_of(p), &arrays_of(t));
            (v, g.concat(), h.concat())
        },
        |p, c| {
            let (v, g) = rows_of_arrays_vjp(&arrays_of(p), c);
            (v, g.concat())
        },
    );
    check(
        "rows_of_owned",
        &p,
        &t,
        |p| rows_of_owned(rows_of(p, 3)),
        |p| {
            let (v, g) = rows_of_owned_grad(rows_of(p, 3));
            (v, g.concat())
        },
        |p, t| rows_of_owned_jvp(rows_of(p, 3), rows_of(t, 3)),
        |p, t| {
            let (v, g, h) = rows_of_owned_hvp(rows_of(p, 3), rows_of(t, 3));
            (v, g.concat(), h.concat())
        },
        |p, c| {
            let (v, g) = rows_of_owned_vjp(rows_of(p, 3), c);
            (v, g.concat())
        },
    );
    check(
        "rows_of_matrix",
        &p,
        &t,
        |p| rows_of_matrix(matrix_of(p)),
        |p| {
            let (v, g) = rows_of_matrix_grad(matrix_of(p));
            (v, g.concat())
        },
        |p, t| rows_of_matrix_jvp(matrix_of(p), matrix_of(t)),
        |p, t| {
            let (v, g, h) = rows_of_matrix_hvp(matrix_of(p), matrix_of(t));
            (v, g.concat(), h.concat())
        },
        |p, c| {
            let (v, g) = rows_of_matrix_vjp(matrix_of(p), c);
            (v, g.concat())
        },
    );
}
