//! Table lookups: an index found by comparing an active value with
//! inactive knots (`partition_point`, `position`, `binary_search_by`, a
//! cast of `x / h`), then used to read active data. No derivative flows
//! through the index; each function is checked in every mode against
//! central finite differences (away from the knots, where it is smooth),
//! the gradient's dot product and finite differences of the gradient.

#[path = "common/flat.rs"]
mod flat;

use ad::differentiate;
use flat::check_all;

const XS: [f64; 5] = [0.0, 0.5, 1.25, 2.0, 3.0];

/// Piecewise-linear interpolation of `ys` at `x` over the knots `xs`,
/// squared so that its second derivative is not zero.
#[differentiate(wrt(ys, x))]
fn interp(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let i = xs.partition_point(|&k| k <= x).clamp(1, xs.len() - 1);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    let y = ys[i - 1] * (1.0 - t) + ys[i] * t;
    y * y
}

/// The first knot past `x`, by `position` over an iterator.
#[differentiate(wrt(ys, x))]
fn first_past(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let i = xs.iter().position(|&k| k > x).unwrap_or(xs.len() - 1);
    ys[i] * x * x + ys[0] * x
}

/// The interval by binary search.
#[differentiate(wrt(ys, x))]
fn searched(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let i = xs
        .binary_search_by(|k| k.partial_cmp(&x).unwrap())
        .unwrap_or_else(|i| i)
        .min(xs.len() - 1);
    (ys[i] - x).powi(2) + ys[i] * x
}

/// A uniform table read at `floor(x / h)`.
#[differentiate(wrt(ys, x))]
fn uniform(h: f64, ys: &[f64], x: f64) -> f64 {
    let i = ((x / h).floor() as usize).min(ys.len() - 2);
    let t = x / h - i as f64;
    (ys[i] * (1.0 - t) + ys[i + 1] * t).sin()
}

/// `p` = `ys` followed by `x`.
fn split(p: &[f64]) -> (&[f64], f64) {
    (&p[..p.len() - 1], p[p.len() - 1])
}

fn join(ys: &[f64], x: f64) -> Vec<f64> {
    [ys, &[x]].concat()
}

macro_rules! check_lookup {
    ($f:ident, $jvp:ident, $grad:ident, $hvp:ident, $knots:expr, $x:expr) => {{
        let knots = $knots;
        let ys = [0.3, -0.7, 1.1, 0.4, 0.9];
        let p = join(&ys, $x);
        let t = [0.2, -0.5, 0.8, 0.1, -0.3, 0.6];
        check_all(
            &format!("{} at {}", stringify!($f), $x),
            &p,
            &t,
            |p| {
                let (ys, x) = split(p);
                $f(knots, ys, x)
            },
            |p| {
                let (ys, x) = split(p);
                let (v, dys, dx) = $grad(knots, ys, x);
                (v, join(&dys, dx))
            },
            |p, t| {
                let ((ys, x), (dys, dx)) = (split(p), split(t));
                $jvp(knots, ys, dys, x, dx)
            },
            |p, t| {
                let ((ys, x), (dys, dx)) = (split(p), split(t));
                let (v, gys, gx, hys, hx) = $hvp(knots, ys, dys, x, dx);
                (v, join(&gys, gx), join(&hys, hx))
            },
        );
    }};
}

#[test]
fn an_index_found_by_comparisons_carries_no_derivative() {
    for x in [0.3, 0.8, 1.6, 2.4] {
        check_lookup!(interp, interp_jvp, interp_grad, interp_hvp, &XS, x);
        check_lookup!(
            first_past,
            first_past_jvp,
            first_past_grad,
            first_past_hvp,
            &XS,
            x
        );
        check_lookup!(searched, searched_jvp, searched_grad, searched_hvp, &XS, x);
        check_lookup!(uniform, uniform_jvp, uniform_grad, uniform_hvp, 0.75, x);
    }
    // At x = 1.6 the interval is [1.25, 2.0]: t = 0.35/0.75, y = 1.1 (1 - t) + 0.4 t.
    let t = 0.35 / 0.75;
    let y = 1.1 * (1.0 - t) + 0.4 * t;
    let (v, dys, dx) = interp_grad(&XS, &[0.3, -0.7, 1.1, 0.4, 0.9], 1.6);
    assert!((v - y * y).abs() < 1e-15);
    assert_eq!(dys[0], 0.0);
    assert!((dys[2] - 2.0 * y * (1.0 - t)).abs() < 1e-15);
    assert!((dx - 2.0 * y * (0.4 - 1.1) / 0.75).abs() < 1e-14);
}
