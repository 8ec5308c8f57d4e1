//! Borrowed sub-slices held in locals (`let row = &z[a..b];`) and passed
//! to local closures (`block(&x[1..])`): views of their parent, read by
//! element, by length, in iterator chains and passed to helpers, in
//! straight-line code and in loops, in every mode against central finite
//! differences.

use ad::differentiate;

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[differentiate]
fn sumsq(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn logsumexp(z: &[f64]) -> f64 {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

// ----- straight-line code ------------------------------------------------------

/// A view passed to helpers, read by element (typed and not), by length,
/// in a chain, copied; the parent read directly too, and a view of a view.
#[differentiate]
fn straight(z: &[f64], w: f64) -> f64 {
    let row = &z[1..];
    let head: &[f64] = &z[..3];
    let mid = &row[1..=2];
    let copy = head.to_vec();
    let s = sumsq(row) + w * row[0] * head[2] + dot(mid, head) * row.len() as f64;
    let t: f64 = row.iter().map(|v| v.sin()).sum();
    s + t * z[1] + copy[1] * mid[1] + z[0] * z[4]
}

/// The parent's name bound again by the view (`let x = &x[1..n - 1];`),
/// twice.
#[differentiate]
fn trimmed(x: &[f64]) -> f64 {
    let x = &x[1..x.len() - 1];
    let x = &x[1..];
    dot(x, x) + x[0]
}

#[test]
fn views_in_straight_line_code() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.9];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5, -0.2, 0.3];
    check_all(
        "straight",
        &p,
        &t,
        |p| straight(&p[..6], p[6]),
        |p| {
            let (v, gz, gw) = straight_grad(&p[..6], p[6]);
            (v, [gz, vec![gw]].concat())
        },
        |p, t| straight_jvp(&p[..6], &t[..6], p[6], t[6]),
        |p, t| {
            let (v, gz, gw, hz, hw) = straight_hvp(&p[..6], &t[..6], p[6], t[6]);
            (v, [gz, vec![gw]].concat(), [hz, vec![hw]].concat())
        },
    );
    check_all(
        "trimmed",
        &p,
        &t,
        trimmed,
        trimmed_grad,
        trimmed_jvp,
        trimmed_hvp,
    );
    // x[2..n - 1] counts, x[0], x[1] and x[n - 1] do not.
    let (_, g) = trimmed_grad(&p);
    assert_eq!(g[0], 0.0);
    assert_eq!(g[1], 0.0);
    assert_eq!(g[6], 0.0);
    assert_eq!(g[2], 2.0 * p[2] + 1.0);
}

// ----- loops -------------------------------------------------------------------

/// Cross-entropy over the rows of flat logits: `logsumexp(row) -
/// row[label]`, a view made in each iteration.
#[differentiate]
fn cross_entropy(logits: &[f64], labels: &[usize], k: usize) -> f64 {
    let n = labels.len();
    let mut loss = 0.0;
    for i in 0..n {
        let row = &logits[i * k..(i + 1) * k];
        loss += logsumexp(row) - row[labels[i]];
    }
    loss / n as f64
}

/// Bounds from a variable assigned after the view (it keeps the bounds it
/// was made with), a view of a view in a `while` loop, a view in a branch.
#[differentiate]
fn moving(x: &[f64], w: f64) -> f64 {
    let mut k = 1;
    let mut s = 0.0;
    while k + 2 <= x.len() {
        let win = &x[k - 1..k + 1];
        let tail = &win[1..];
        k += 1;
        s += win[0] * tail[0] * w + x[k - 1];
        if win[1] > 0.0 {
            let both = &x[k - 2..k];
            s += dot(both, win);
        }
    }
    s
}

#[test]
fn views_in_loops() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.9, 0.2, -0.6];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5, -0.2, 0.3, 0.1, -0.1];
    let labels = [2usize, 0, 1];
    check_all(
        "cross_entropy",
        &p,
        &t,
        |p| cross_entropy(p, &labels, 3),
        |p| cross_entropy_vjp(p, &labels, 3, 1.0),
        |p, t| cross_entropy_jvp(p, t, &labels, 3),
        |p, t| cross_entropy_hvp(p, t, &labels, 3),
    );
    check_all(
        "moving",
        &p,
        &t,
        |p| moving(&p[..8], p[8]),
        |p| {
            let (v, gx, gw) = moving_grad(&p[..8], p[8]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| moving_jvp(&p[..8], &t[..8], p[8], t[8]),
        |p, t| {
            let (v, gx, gw, hx, hw) = moving_hvp(&p[..8], &t[..8], p[8], t[8]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
}

/// Views of a row of a 2-D array (in a loop) and of its rows.
#[differentiate]
fn rows(a: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for k in 0..a.len() {
        let tail = &a[k][1..];
        s += sumsq(tail) * tail[0];
    }
    let rest = &a[1..];
    s + rest[0][1] * rest[1][0]
}

#[test]
fn views_of_rows_of_2d_arrays() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3, -0.4];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5, -0.2];
    let split = |p: &[f64]| vec![p[..2].to_vec(), p[2..4].to_vec(), p[4..].to_vec()];
    check_all(
        "rows",
        &p,
        &t,
        |p| rows(&split(p)),
        |p| {
            let (v, g) = rows_grad(&split(p));
            (v, g.concat())
        },
        |p, t| rows_jvp(&split(p), &split(t)),
        |p, t| {
            let (v, g, h) = rows_hvp(&split(p), &split(t));
            (v, g.concat(), h.concat())
        },
    );
}

// ----- data left out of `wrt` --------------------------------------------------

/// A view of a parameter left out of `wrt` (kept as a borrow) beside a
/// view of an active one, both passed to a helper and read by element.
#[differentiate(wrt(x))]
fn weighted(x: &[f64], data: &[f64]) -> f64 {
    let d = &data[1..];
    let r = &x[1..];
    dot(r, d) * x[0] + r[0] * r[1] * d[1] + sumsq(d) * x[2]
}

#[test]
fn views_of_data_left_out_of_wrt() {
    let p = [0.5, -1.0, 2.0, 0.7];
    let t = [0.1, 0.2, -0.3, 0.4];
    let data = [0.3, 1.1, -0.8, 0.6];
    check_all(
        "weighted",
        &p,
        &t,
        |p| weighted(p, &data),
        |p| weighted_vjp(p, &data, 1.0),
        |p, t| weighted_jvp(p, t, &data),
        |p, t| weighted_hvp(p, t, &data),
    );
}

// ----- views read inside macros ------------------------------------------------

/// A view read by element inside `vec![..]` and `vec![e; n]` (the macro's
/// tokens were substituted but not simplified: `(&x[1..])[0]` was rejected,
/// at the attribute; found by the compose family).
#[allow(clippy::useless_vec)]
#[differentiate(wrt(x))]
fn in_vec_macro(x: &[f64], data: &[f64]) -> f64 {
    let r = &x[1..];
    let d = &data[1..];
    let v = vec![x[0] * r[0], r[r.len() - 1].sin(), d[0] * r[1]];
    let w = vec![r[1] * r[0]; 2];
    v[0] * v[1] + v[2] + w[1] * x[0]
}

#[test]
fn views_read_in_vec_macros() {
    let p = [0.5, -1.0, 2.0, 0.7];
    let t = [0.1, 0.2, -0.3, 0.4];
    let data = [0.3, 1.1, -0.8, 0.6];
    check_all(
        "in_vec_macro",
        &p,
        &t,
        |p| in_vec_macro(p, &data),
        |p| in_vec_macro_vjp(p, &data, 1.0),
        |p, t| in_vec_macro_jvp(p, t, &data),
        |p, t| in_vec_macro_hvp(p, t, &data),
    );
}

// ----- local closures over slices ----------------------------------------------

/// A closure with a slice parameter called on sub-slices and on the whole
/// parameter, one calling a helper and capturing a value.
#[differentiate]
fn with_closures(x: &[f64]) -> f64 {
    let scale = x[0];
    let block = |a: &[f64]| sumsq(a) * scale;
    let sq = |a: &[f64]| a[0] * a[1];
    block(&x[1..3]) + block(&x[2..]) + sq(&x[1..]) + sq(x)
}

#[test]
fn closures_called_on_sub_slices() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "with_closures",
        &p,
        &t,
        with_closures,
        with_closures_grad,
        with_closures_jvp,
        with_closures_hvp,
    );
}

// ----- aliases of slices ---------------------------------------------------------

/// Another name for a slice parameter (`let b = x;`, typed, a whole-range
/// view, an alias of an alias), read by element, by length and passed to
/// a helper.
#[differentiate]
#[allow(clippy::redundant_slicing)]
fn aliases(x: &[f64]) -> f64 {
    let b = x;
    let c: &[f64] = x;
    let d = &x[..];
    let e = b;
    b[0] * c[1] + d[2] * e[3] + sumsq(e) * b.len() as f64
}

/// An alias made in each iteration of a loop, and one before it.
#[differentiate]
fn alias_in_loop(x: &[f64], w: f64) -> f64 {
    let all = x;
    let mut s = 0.0;
    for i in 1..x.len() {
        let b = x;
        s += b[i] * all[i - 1] * w;
    }
    s
}

/// An alias declared `mut` (a local copy of the borrow).
#[differentiate]
#[allow(unused_mut)]
fn alias_reassigned(x: &[f64], y: &[f64]) -> f64 {
    let mut b = y;
    b[0] * x[1] + y[1] * b[1]
}

/// An alias of a parameter left out of `wrt` beside one of an active
/// parameter.
#[differentiate(wrt(x))]
fn alias_of_data(x: &[f64], data: &[f64]) -> f64 {
    let d = data;
    let b = x;
    b[0] * d[1] * b[2] + dot(b, d)
}

/// Each of them called from a differentiated function: the callee's split
/// form.
#[differentiate]
fn alias_callers(x: &[f64]) -> f64 {
    let data = [0.3, 1.1, -0.8, 0.6, 2.0];
    aliases(x) * 2.0
        + alias_in_loop(x, x[4]).sin()
        + alias_reassigned(x, &x[1..])
        + alias_of_data(x, &data)
}

#[test]
fn aliases_of_slices() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    let data = [0.3, 1.1, -0.8, 0.6, 2.0];
    check_all(
        "aliases",
        &p,
        &t,
        aliases,
        aliases_grad,
        aliases_jvp,
        aliases_hvp,
    );
    check_all(
        "alias_in_loop",
        &p,
        &t,
        |p| alias_in_loop(&p[..4], p[4]),
        |p| {
            let (v, gx, gw) = alias_in_loop_grad(&p[..4], p[4]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| alias_in_loop_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gw, hx, hw) = alias_in_loop_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    // Both branches of the reassignment.
    for p in [p, [-0.5, -1.0, 2.0, 0.7, 1.3]] {
        check_all(
            "alias_reassigned",
            &p,
            &t,
            |p| alias_reassigned(&p[..2], &p[2..]),
            |p| {
                let (v, gx, gy) = alias_reassigned_grad(&p[..2], &p[2..]);
                (v, [gx, gy].concat())
            },
            |p, t| alias_reassigned_jvp(&p[..2], &t[..2], &p[2..], &t[2..]),
            |p, t| {
                let (v, gx, gy, hx, hy) = alias_reassigned_hvp(&p[..2], &t[..2], &p[2..], &t[2..]);
                (v, [gx, gy].concat(), [hx, hy].concat())
            },
        );
    }
    check_all(
        "alias_of_data",
        &p,
        &t,
        |p| alias_of_data(p, &data),
        |p| alias_of_data_vjp(p, &data, 1.0),
        |p, t| alias_of_data_jvp(p, t, &data),
        |p, t| alias_of_data_hvp(p, t, &data),
    );
    for p in [p, [-0.5, -1.0, 2.0, 0.7, 1.3]] {
        check_all(
            "alias_callers",
            &p,
            &t,
            alias_callers,
            alias_callers_grad,
            alias_callers_jvp,
            alias_callers_hvp,
        );
    }
}

/// A view of data left out of `wrt` extends an active `Vec`: the view is
/// substituted like one of active data (before, `extend_from_slice` said
/// to write the form the function already had).
#[differentiate(wrt(a, b))]
fn extended_from_inactive_view(x: &[f64], a: f64, b: f64) -> f64 {
    let r = &x[1..];
    let mut v = Vec::new();
    v.push(a * b);
    v.extend_from_slice(&r[1..3]);
    v[0] * v[1] + v[2] * a.sin()
}

#[test]
fn inactive_views_extend_active_vecs() {
    let x = [0.3, 1.1, -0.8, 0.6, 2.0];
    let p = [0.7, -1.2];
    let t = [0.4, -0.3];
    check_all(
        "extended_from_inactive_view",
        &p,
        &t,
        |p| extended_from_inactive_view(&x, p[0], p[1]),
        |p| {
            let (v, ga, gb) = extended_from_inactive_view_grad(&x, p[0], p[1]);
            (v, vec![ga, gb])
        },
        |p, t| extended_from_inactive_view_jvp(&x, p[0], t[0], p[1], t[1]),
        |p, t| {
            let (v, ga, gb, ha, hb) = extended_from_inactive_view_hvp(&x, p[0], t[0], p[1], t[1]);
            (v, vec![ga, gb], vec![ha, hb])
        },
    );
}
