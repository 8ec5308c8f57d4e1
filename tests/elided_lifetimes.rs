//! Inactive parameters whose types borrow with an elided lifetime inside
//! another type (`Option<&[f64]>`, `Vec<&[f64]>`, `(&[f64], f64)`,
//! `&[&[f64]]`, `Option<&Vec<f64>>`): called directly and from a
//! differentiated caller (through their split forms), in every mode.

use ad::differentiate;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

#[differentiate(wrt(x))]
fn weighted_opt(x: f64, w: Option<&[f64]>) -> f64 {
    let mut s = x * x;
    if let Some(w) = w {
        s *= w[0];
    }
    s
}

#[differentiate(wrt(x))]
fn rows_weight(x: f64, rows: Vec<&[f64]>) -> f64 {
    let w = rows[0][0] + rows[1][1];
    x.sin() * w
}

#[differentiate(wrt(x))]
fn pair_weight(x: f64, p: (&[f64], f64)) -> f64 {
    x.exp() * p.0[0] + p.1 * x * x
}

#[differentiate(wrt(x))]
fn nested_weight(x: f64, m: &[&[f64]]) -> f64 {
    x * x * x * m[0][1] + m[1][0] * x
}

#[allow(clippy::ptr_arg)]
#[differentiate(wrt(x))]
fn opt_vec_weight(x: f64, w: Option<&Vec<f64>>) -> f64 {
    let c = w.map_or(1.0, |w| w[0]);
    x.cos() * c + x
}

/// The caller: each helper's split form in its reverse mode.
#[differentiate(wrt(x))]
fn all_weights(x: f64, w: &[f64], m: &[&[f64]], v: &Vec<f64>) -> f64 {
    let a = weighted_opt(x, Some(w));
    let b = weighted_opt(x, None);
    let c = rows_weight(x, vec![w, w]);
    let d = pair_weight(x, (w, 2.0));
    let e = nested_weight(x, m);
    let f = opt_vec_weight(x, Some(v));
    a + b * c + d * e + f * x
}

/// `f(x, args..)` in every mode against central finite differences (and
/// the JVP against the gradient: the dot-product identity in one input).
macro_rules! check_one {
    ($f:ident, $grad:ident, $jvp:ident, $hvp:ident, $x:expr $(, $arg:expr)*) => {
        check_all(
            stringify!($f),
            &[$x],
            &[0.6],
            |p| $f(p[0] $(, $arg)*),
            |p| {
                let (v, g) = $grad(p[0] $(, $arg)*);
                (v, vec![g])
            },
            |p, t| $jvp(p[0], t[0] $(, $arg)*),
            |p, t| {
                let (v, g, h) = $hvp(p[0], t[0] $(, $arg)*);
                (v, vec![g], vec![h])
            },
        )
    };
}

#[test]
fn elided_lifetimes_in_inactive_parameters() {
    let w = [1.5, -0.5];
    let m: [&[f64]; 2] = [&w, &[0.25, 2.0]];
    let v = vec![0.75];
    let x = 0.8;
    check_one!(
        weighted_opt,
        weighted_opt_grad,
        weighted_opt_jvp,
        weighted_opt_hvp,
        x,
        Some(&w[..])
    );
    check_one!(
        rows_weight,
        rows_weight_grad,
        rows_weight_jvp,
        rows_weight_hvp,
        x,
        vec![&w[..], &w[..]]
    );
    check_one!(
        pair_weight,
        pair_weight_grad,
        pair_weight_jvp,
        pair_weight_hvp,
        x,
        (&w[..], 2.0)
    );
    check_one!(
        nested_weight,
        nested_weight_grad,
        nested_weight_jvp,
        nested_weight_hvp,
        x,
        &m
    );
    check_one!(
        opt_vec_weight,
        opt_vec_weight_grad,
        opt_vec_weight_jvp,
        opt_vec_weight_hvp,
        x,
        Some(&v)
    );
    check_one!(
        all_weights,
        all_weights_grad,
        all_weights_jvp,
        all_weights_hvp,
        x,
        &w,
        &m,
        &v
    );
    // The vjp with another seed: the gradient scaled.
    let (_, g) = all_weights_grad(x, &w, &m, &v);
    let (_, g2) = all_weights_vjp(x, &w, &m, &v, -2.0);
    assert!((g2 + 2.0 * g).abs() <= 1e-12 * (1.0 + g.abs()));
}
