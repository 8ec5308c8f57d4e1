//! What a new user wrote that still failed (eighth sweep): closures over
//! the items of a `zip` or `enumerate` by reference (`skip_while(|(t, _)|
//! **t < settle)`), a `Vec` of structs iterated by reference (`for l in
//! &p.layers`, `.iter().map(|l| l.mass)`), `if let` as a value on inactive
//! data, nested range chains.
//!
//! Every function in every mode: functions of a slice through
//! `common::agree` (`_jvp` against central finite differences, `_vjp` by
//! the dot-product identity) and `flat::check_all` (`_grad`, `_jvp`, `_hvp`
//! against finite differences); functions of a parameter struct through
//! `structs::check` (`tests/common/structs.rs`) (its flat view: gradient, JVP and HVP against finite
//! differences, VJP by the dot-product identity with the JVP).

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

// --- 1: closures over the items of a `zip` or `enumerate` by reference ----

/// `skip_while(|(t, _)| **t < settle)` over `times.iter().zip(x)` (the
/// closure gets `&(&f64, &f64)`: `t` is `&&f64`), then `map`; `filter`
/// over `enumerate().zip(..)` reading `*i` and `**xi`; `s` mutated in the
/// loop and a branch; `times`, `settle` left out of `wrt`.
#[differentiate(wrt(x))]
fn skip_settled(x: &[f64], times: &[f64], settle: f64) -> f64 {
    let mut s = times
        .iter()
        .zip(x)
        .skip_while(|(t, _)| **t < settle)
        .map(|(t, c)| c * (-x[0] * (t - settle)).exp())
        .sum::<f64>();
    for (i, xi) in x.iter().enumerate().filter(|(i, xi)| *i != 1 || **xi > 0.0) {
        if times[i] > settle {
            s += xi * xi * times[i];
        } else {
            s *= 1.0 + 0.1 * xi;
        }
    }
    s
}

#[test]
fn closures_over_zipped_items_by_reference() {
    let times = [0.5, 1.0, 1.5];
    for settle in [0.7, 0.2] {
        every_mode(
            "skip_while over zip",
            |x| skip_settled(x, &times, settle),
            |x, t| skip_settled_jvp(x, t, &times, settle),
            |x, c| skip_settled_vjp(x, &times, settle, c),
            |x| skip_settled_grad(x, &times, settle),
            |x, t| skip_settled_hvp(x, t, &times, settle),
        );
    }
}

// --- 2: a `Vec` of structs iterated by reference --------------------------

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Link {
    len: f64,
    mass: f64,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Robot {
    links: Vec<Link>,
    base: f64,
    #[ad(skip)]
    gravity: f64,
}

impl Robot {
    /// `self.links.iter().map(|l| ..).sum()` with `wrt(self)`.
    #[differentiate(wrt(self))]
    fn moment(&self) -> f64 {
        self.base
            * self
                .links
                .iter()
                .map(|l| l.mass * l.len * l.len)
                .sum::<f64>()
    }

    /// `.map(|l| ..).sum()` as the tail, its type from the return type.
    #[differentiate(wrt(self))]
    fn total_mass(&self) -> f64 {
        self.links.iter().map(|l| l.mass * l.len).sum()
    }
}

/// `for l in &r.links`, `for (link, qi) in r.links.iter().zip(q)`, `for l
/// in r.links.iter().rev()` read by field, `e` mutated in loops and a
/// branch; `q` left out of `wrt`.
#[differentiate(wrt(r))]
fn potential(r: &Robot, q: &[f64]) -> f64 {
    let mut e = 0.0;
    for (link, qi) in r.links.iter().zip(q) {
        e += link.mass * link.len * qi.sin() * r.gravity;
    }
    for l in &r.links {
        if l.len > 0.5 {
            e *= 1.0 + 0.1 * l.mass;
        } else {
            e += (l.len * r.base).cos();
        }
    }
    let mut h = 0.0;
    for l in r.links.iter().rev() {
        h = h * l.len + l.mass;
    }
    e + h * h + r.moment() * r.total_mass()
}

fn robot_config(r: &Robot) -> u64 {
    r.gravity.to_bits()
}

#[test]
fn a_vec_of_structs_iterated_by_reference() {
    let r = Robot {
        links: vec![
            Link {
                len: 1.1,
                mass: 0.7,
            },
            Link {
                len: 0.4,
                mass: -1.3,
            },
            Link {
                len: 0.8,
                mass: 0.9,
            },
        ],
        base: 0.6,
        gravity: 9.8,
    };
    let t = Robot {
        gravity: 1e9,
        ..direction(&r)
    };
    let q = [0.3, -0.8, 1.2];
    check(
        "potential",
        &r,
        &t,
        robot_config,
        |r| potential(r, &q),
        |r| potential_grad(r, &q),
        |r, c| potential_vjp(r, &q, c),
        |r, t| potential_jvp(r, t, &q),
        |r, t| potential_hvp(r, t, &q),
    );
    check(
        "moment",
        &r,
        &t,
        robot_config,
        Robot::moment,
        Robot::moment_grad,
        Robot::moment_vjp,
        Robot::moment_jvp,
        Robot::moment_hvp,
    );
    check(
        "total_mass",
        &r,
        &t,
        robot_config,
        Robot::total_mass,
        Robot::total_mass_grad,
        Robot::total_mass_vjp,
        Robot::total_mass_jvp,
        Robot::total_mass_hvp,
    );
}

// --- 3: `if let` as a value on inactive data ------------------------------

/// `let w = if let Some(w) = weights { w[i] } else { 1.0 };` on data left
/// out of `wrt` (it reads no active value), with an `else if let`; an `if
/// let` value whose arms read active values; `s` mutated in the loop and a
/// branch.
#[differentiate(wrt(r))]
fn weighted_sse(r: &[f64], weights: Option<&[f64]>, scale: Option<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..r.len() {
        let w = if let Some(w) = weights { w[i] } else { 1.0 };
        let c = if let Some(k) = scale {
            k * 2.0
        } else if let Some(w) = weights {
            w[0]
        } else {
            0.5
        };
        if r[i] > 0.0 {
            s += w * r[i] * r[i] + c * r[i];
        } else {
            s -= w * r[i].sin();
        }
        let a = if let Some(w) = weights {
            w[i] * r[i]
        } else {
            r[i] * r[i]
        };
        s += a * c;
    }
    s
}

#[test]
fn if_let_values_on_inactive_data() {
    let w = [1.5, 0.5, 2.0];
    for (weights, scale) in [(Some(&w[..]), None), (None, Some(0.7)), (None, None)] {
        every_mode(
            "if let value",
            |x| weighted_sse(x, weights, scale),
            |x, t| weighted_sse_jvp(x, t, weights, scale),
            |x, c| weighted_sse_vjp(x, weights, scale, c),
            |x| weighted_sse_grad(x, weights, scale),
            |x, t| weighted_sse_hvp(x, t, weights, scale),
        );
    }
}

// --- 4: nested range chains beside containers written through `iter_mut` --

/// Sinkhorn: `K v` and `K^T u` as nested range chains, `u` and `v`
/// written through `iter_mut().zip(..)` (by `for_each` and by a `for`
/// loop) from `a` (`u`'s dependence on `a` goes only through those
/// chains); `b`, `k` and `iters` left out of `wrt`.
#[differentiate(wrt(a))]
fn sinkhorn(a: &[f64], b: &[f64], k: &[Vec<f64>], iters: usize) -> f64 {
    let n = a.len();
    let m = b.len();
    let mut u = vec![1.0; n];
    let mut v = vec![1.0; m];
    for _ in 0..iters {
        let ku: Vec<f64> = (0..n)
            .map(|i| (0..m).map(|j| k[i][j] * v[j]).sum::<f64>())
            .collect();
        u.iter_mut()
            .zip(a)
            .zip(&ku)
            .for_each(|((ui, ai), s)| *ui = (ai * ai + 0.1) / s);
        let kv: Vec<f64> = (0..m)
            .map(|j| (0..n).map(|i| k[i][j] * u[i]).sum::<f64>())
            .collect();
        for (vj, (bj, s)) in v.iter_mut().zip(b.iter().zip(&kv)) {
            if *s > 0.0 {
                *vj = bj / s;
            }
        }
    }
    u.iter().zip(&v).map(|(x, y)| x.ln() + y.ln()).sum()
}

#[test]
fn nested_range_chains_beside_iter_mut_writes() {
    let b = [0.4, 0.6];
    let k = vec![vec![1.0, 0.5], vec![0.5, 1.0], vec![0.8, 0.3]];
    for iters in [1, 3] {
        every_mode(
            "sinkhorn",
            |x| sinkhorn(x, &b, &k, iters),
            |x, t| sinkhorn_jvp(x, t, &b, &k, iters),
            |x, c| sinkhorn_vjp(x, &b, &k, iters, c),
            |x| sinkhorn_grad(x, &b, &k, iters),
            |x, t| sinkhorn_hvp(x, t, &b, &k, iters),
        );
    }
}
