//! Hygiene of inlined closures and substituted loop patterns: a local
//! closure's body (or a loop's body) that binds again a name its argument
//! reads (`g(x[i])` with the body's own `for i`, `f(x)` with `let x = ..`,
//! a `match` arm, `if let`, `while let`, a tuple pattern, a closure's
//! parameter) keeps reading the argument after that binding, as plain Rust
//! does. Each of these gave wrong values and derivatives, silently, before.
//!
//! Every function in every mode: values against the plain function, `_jvp`
//! against central finite differences and `_vjp` by the dot-product
//! identity (`common::agree`), `_grad`, `_jvp` and `_hvp` against finite
//! differences (`flat::check_all`). The plain function is checked against
//! its closed form, so that a test cannot pass by being equally wrong
//! everywhere.

use ad::differentiate;
use ad::nalgebra::DVector;

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

/// `f(x: &[f64]) -> f64` in every mode at `x`, along `t`.
#[allow(clippy::too_many_arguments)]
fn every_mode(
    what: &str,
    x: &[f64],
    t: &[f64],
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, x, &f, &jvp, &vjp, 1e-7);
    check_all(what, x, t, &f, &grad, &jvp, &hvp);
}

/// [`every_mode`] for a function of active `f64` scalars only.
macro_rules! scalars {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident; $($p:ident $i:tt),+; at $x:expr) => {{
        let x: &[f64] = &$x;
        let t: Vec<f64> = [0.3, -0.8, 0.6, 0.45][..x.len()].to_vec();
        every_mode(
            stringify!($f),
            x,
            &t,
            |x| $f($(x[$i]),+),
            |x, t| $jvp($(x[$i], t[$i]),+),
            |x, c| {
                let (v, $($p),+) = $vjp($(x[$i]),+, c);
                (v, vec![$($p),+])
            },
            |x| {
                let (v, $($p),+) = $grad($(x[$i]),+);
                (v, vec![$($p),+])
            },
            |x, t| hvp_flat!($hvp; $($p $i),+; x, t),
        );
    }};
}

macro_rules! hvp_flat {
    ($hvp:ident; $p0:ident 0; $x:ident, $t:ident) => {{
        let (v, g, h) = $hvp($x[0], $t[0]);
        (v, vec![g], vec![h])
    }};
    ($hvp:ident; $p0:ident 0, $p1:ident 1; $x:ident, $t:ident) => {{
        let (v, g0, g1, h0, h1) = $hvp($x[0], $t[0], $x[1], $t[1]);
        (v, vec![g0, g1], vec![h0, h1])
    }};
}

/// Asserts the plain function against its closed form.
fn plain(what: &str, got: f64, want: f64) {
    common::close(what, got, want, 1e-12);
}

// --- the sweep's reproductions ------------------------------------------------

/// `g(x[i])` where `g`'s body has its own `for i`: `6 * sum x`.
#[differentiate]
fn weighted(x: &[f64]) -> f64 {
    let w = [1.0, 2.0, 3.0];
    let g = |t: f64| {
        let mut acc = 0.0;
        for i in 0..3 {
            acc += t * w[i] * t;
        }
        acc
    };
    let mut s = 0.0;
    for i in 0..x.len() {
        s += g(x[i]);
    }
    s
}

/// `f(x) + x` with `f`'s body binding `let x`: `2 x^2 + x`.
#[differentiate]
fn h4(x: f64) -> f64 {
    let f = |t: f64| {
        let x = 2.0 * t;
        x * t
    };
    f(x) + x
}

/// A spring of rest length 1, the closure's local `r` reusing the caller's
/// name: `0.5 k (r - 1)^2 + 0.01 r^2`.
#[differentiate]
fn spring(r: f64, k: f64) -> f64 {
    let e = |d: f64| {
        let r = d - 1.0;
        0.5 * k * r * r + 0.01 * d * d
    };
    e(r)
}

/// Horner's rule, the loop binding the coefficient to `x`, called as
/// `poly(x)`.
#[differentiate]
fn horner(x: f64, w: &[f64]) -> f64 {
    let poly = |t: f64| {
        let mut s = 0.0;
        for i in 0..w.len() {
            let x = w[i];
            s = s * t + x;
        }
        s
    };
    poly(x)
}

/// A `match` arm binding the argument's name: `3x` where `2x > 1`, else
/// `x` (here also squared, to have a second derivative).
#[differentiate]
fn m1(x: f64) -> f64 {
    let f = |t: f64| match t * 2.0 {
        x if x > 1.0 => (x + t) * t,
        _ => t * t,
    };
    f(x)
}

/// A tuple `let` binding both arguments' names: `5 t u`, squared.
#[differentiate]
fn m3(x: f64, y: f64) -> f64 {
    let f = |t: f64, u: f64| {
        let (x, y) = (u * 2.0, t * 3.0);
        (x * t + y * u) * t
    };
    f(x, y)
}

/// A slice closure whose body binds a scalar of the slice's name (rejected
/// before: "not known to be an array").
#[differentiate]
fn h15(x: &[f64]) -> f64 {
    let f = |v: &[f64]| {
        let x = v[0] * 2.0;
        x * v[1] + v[2] * x
    };
    f(x) + x[0] * x[1]
}

#[test]
fn sweep_reproductions() {
    let x = [0.5, -1.0, 2.0, 4.0];
    let w_sq: f64 = x.iter().map(|v| 6.0 * v * v).sum();
    plain("weighted", weighted(&x), w_sq);
    let t = [0.3, -0.2, 0.9, 0.1];
    every_mode(
        "weighted",
        &x,
        &t,
        weighted,
        weighted_jvp,
        weighted_vjp,
        weighted_grad,
        weighted_hvp,
    );

    plain("h4", h4(0.7), 2.0 * 0.49 + 0.7);
    scalars!(h4, h4_jvp, h4_vjp, h4_grad, h4_hvp; a 0; at [0.7]);

    let (r, k) = (1.5, 2.0);
    plain(
        "spring",
        spring(r, k),
        0.5 * k * (r - 1.0) * (r - 1.0) + 0.01 * r * r,
    );
    scalars!(spring, spring_jvp, spring_vjp, spring_grad, spring_hvp; r 0, k 1; at [1.5, 2.0]);

    let w = [1.0, -2.0, 0.5];
    plain("horner", horner(0.7, &w), 0.49 - 1.4 + 0.5);
    let p = [0.7, 1.0, -2.0, 0.5];
    every_mode(
        "horner",
        &p,
        &[0.4, -0.3, 0.2, 0.7],
        |p| horner(p[0], &p[1..]),
        |p, t| horner_jvp(p[0], t[0], &p[1..], &t[1..]),
        |p, c| {
            let (v, gx, gw) = horner_vjp(p[0], &p[1..], c);
            (v, [vec![gx], gw].concat())
        },
        |p| {
            let (v, gx, gw) = horner_grad(p[0], &p[1..]);
            (v, [vec![gx], gw].concat())
        },
        |p, t| {
            let (v, gx, gw, hx, hw) = horner_hvp(p[0], t[0], &p[1..], &t[1..]);
            (v, [vec![gx], gw].concat(), [vec![hx], hw].concat())
        },
    );

    plain("m1 (arm)", m1(0.7), 2.1 * 0.7);
    plain("m1 (else)", m1(0.3), 0.09);
    scalars!(m1, m1_jvp, m1_vjp, m1_grad, m1_hvp; a 0; at [0.7]);
    scalars!(m1, m1_jvp, m1_vjp, m1_grad, m1_hvp; a 0; at [0.3]);

    plain("m3", m3(0.7, -0.3), 5.0 * 0.7 * -0.3 * 0.7);
    scalars!(m3, m3_jvp, m3_vjp, m3_grad, m3_hvp; a 0, b 1; at [0.7, -0.3]);

    let x = [0.7, -0.4, 1.1];
    plain("h15", h15(&x), 1.4 * -0.4 + 1.1 * 1.4 + 0.7 * -0.4);
    every_mode(
        "h15",
        &x,
        &[0.2, 0.5, -0.6],
        h15,
        h15_jvp,
        h15_vjp,
        h15_grad,
        h15_hvp,
    );
}

// --- every binding form in a closure's body -----------------------------------

#[derive(Clone, Copy)]
pub struct Cfg {
    pub x: f64,
    pub i: usize,
}

/// `if let`, a closure's parameter, a nested block and a
/// struct pattern, each binding a name the argument reads; the argument a
/// bare name, an element, a field, a negation, a reference.
#[differentiate(wrt(x))]
fn forms(x: &[f64], w: &[f64], cfg: Cfg) -> f64 {
    let a = x[0];
    // `if let` (and a chain) binding `a`.
    let f1 = |t: f64| {
        if let Some(&a) = w.first() {
            a * t * t
        } else {
            t
        }
    };
    // A closure's parameter named `a`, reading `t`.
    let f3 = |t: f64| w.iter().map(|a| a * t * t).sum::<f64>() + t * t;
    // A nested block binding `x`, and `t` read after it.
    let f4 = |t: f64| {
        let y = {
            let x = 3.0;
            x * t
        };
        y * t + t
    };
    // A struct pattern binding `x` and `i` by shorthand.
    let f5 = |t: f64, u: &f64| match cfg {
        Cfg { x, i } if i < 10 => x * t * u + (i as f64) * t,
        _ => t,
    };
    let b = -x[1];
    f1(a) + f3(a) + f4(x[1]) + f5(-x[1], &x[cfg.i]) + f1(b)
}

/// `forms` by hand.
fn forms_ref(x: &[f64], w: &[f64], cfg: Cfg) -> f64 {
    let w0 = w[0];
    let ws: f64 = w.iter().sum();
    let f4 = |t: f64| 3.0 * t * t + t;
    let b = -x[1];
    w0 * x[0] * x[0]
        + (ws * x[0] * x[0] + x[0] * x[0])
        + f4(x[1])
        + (cfg.x * -x[1] * x[cfg.i] + cfg.i as f64 * -x[1])
        + w0 * b * b
}

/// Several calls of a closure defined in a loop, in branches, with
/// arguments that are not names (`x[i] * 2.0`), a parameter out of `wrt`
/// and mutated (`c`), and a `let` in the body binding `c` and `i`.
#[differentiate(wrt(x))]
fn in_loops(x: &[f64], mut c: f64) -> f64 {
    c *= 2.0;
    let mut s = 0.0;
    for i in 0..x.len() {
        let g = |t: f64, u: f64| {
            let c = t * u;
            let i = 1.0;
            c * t + i * u
        };
        if x[i] > 0.0 {
            s += g(x[i], c) + g(c, x[i]);
        } else {
            s += g(x[i] * 2.0, x[i]);
        }
        c += 1.0;
    }
    s
}

fn in_loops_ref(x: &[f64], c: f64) -> f64 {
    let mut c = c * 2.0;
    let g = |t: f64, u: f64| t * u * t + u;
    let mut s = 0.0;
    for &v in x {
        s += if v > 0.0 {
            g(v, c) + g(c, v)
        } else {
            g(2.0 * v, v)
        };
        c += 1.0;
    }
    s
}

/// A `|mut t|` parameter: its `let mut t` does not shadow the caller's `t`.
#[differentiate]
fn mut_param(x: &[f64]) -> f64 {
    let f = |mut t: f64| {
        t *= 2.0;
        t * t
    };
    let t = x[1];
    let y = f(x[0]) + t * t;
    y + f(t)
}

#[test]
fn binding_forms() {
    let x = [0.7, -1.3, 0.4];
    let w = [1.5, -0.5, 2.0];
    let cfg = Cfg { x: 0.25, i: 2 };
    let t = [0.3, 0.9, -0.5];
    plain("forms", forms(&x, &w, cfg), forms_ref(&x, &w, cfg));
    every_mode(
        "forms",
        &x,
        &t,
        |x| forms(x, &w, cfg),
        |x, t| forms_jvp(x, t, &w, cfg),
        |x, c| forms_vjp(x, &w, cfg, c),
        |x| forms_grad(x, &w, cfg),
        |x, t| forms_hvp(x, t, &w, cfg),
    );
    for c in [0.6, -0.4] {
        for x in [[0.7, -1.3, 0.4], [-0.2, 0.5, 1.1]] {
            plain("in_loops", in_loops(&x, c), in_loops_ref(&x, c));
            every_mode(
                "in_loops",
                &x,
                &t,
                |x| in_loops(x, c),
                |x, t| in_loops_jvp(x, t, c),
                |x, g| in_loops_vjp(x, c, g),
                |x| in_loops_grad(x, c),
                |x, t| in_loops_hvp(x, t, c),
            );
        }
    }
    plain(
        "mut_param",
        mut_param(&x),
        4.0 * x[0] * x[0] + x[1] * x[1] + 4.0 * x[1] * x[1],
    );
    every_mode(
        "mut_param",
        &x[..2],
        &t[..2],
        mut_param,
        mut_param_jvp,
        mut_param_vjp,
        mut_param_grad,
        mut_param_hvp,
    );
}

// --- loop patterns and iterator closures ---------------------------------------

/// A `for` over a slice whose body binds the slice's name (by `let` and by
/// `while let`); a `.map` closure whose body does.
#[differentiate(wrt(x))]
fn loops(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        let x = 2.0;
        s += x * v * v;
        let mut k = 0;
        while let Some(x) = w.get(k) {
            s += x * v * v;
            k += 1;
        }
    }
    let m: f64 = x
        .iter()
        .map(|v| {
            let x = v * 3.0;
            x * v
        })
        .sum();
    s + m
}

#[test]
fn loop_patterns() {
    let x = [0.7, -1.3, 0.4];
    let t = [0.3, 0.9, -0.5];
    let sq: f64 = x.iter().map(|v| v * v).sum();
    let w = [1.5, -0.5, 2.0];
    plain("loops", loops(&x, &w), 8.0 * sq);
    every_mode(
        "loops",
        &x,
        &t,
        |x| loops(x, &w),
        |x, t| loops_jvp(x, t, &w),
        |x, c| loops_vjp(x, &w, c),
        |x| loops_grad(x, &w),
        |x, t| loops_hvp(x, t, &w),
    );
}

// --- closures and code kept as written ---------------------------------------

/// A nalgebra `.map` closure whose own `let s` shadows the caller's active
/// `s` (rejected before, "`s` is active"), and one whose `let c` shadows an
/// inactive `c` assigned twice (read as the caller's `c` before).
#[differentiate(wrt(v, s))]
fn map_shadow(v: &DVector<f64>, s: f64, n: usize) -> f64 {
    let y = (v * s).map(|t| {
        let s = t * t;
        s + t
    });
    let mut c = 2.0;
    c += n as f64;
    let z = (v * s).map(|t| {
        let c = t * 3.0;
        c * t
    });
    y.sum() + z.sum() * c
}

#[test]
fn kept_as_written() {
    let (v, s, n) = (DVector::from_vec(vec![1.0, -0.5]), 0.7, 3);
    let ys: f64 = v.iter().map(|e| (e * s) * (e * s) + e * s).sum();
    let zs: f64 = v.iter().map(|e| 3.0 * (e * s) * (e * s)).sum();
    plain("map_shadow", map_shadow(&v, s, n), ys + zs * 5.0);
    let p = [1.0, -0.5, 0.7];
    let split = |p: &[f64]| (DVector::from_vec(p[..2].to_vec()), p[2]);
    every_mode(
        "map_shadow",
        &p,
        &[0.3, 0.9, -0.5],
        |p| {
            let (v, s) = split(p);
            map_shadow(&v, s, n)
        },
        |p, t| {
            let ((v, s), (tv, ts)) = (split(p), split(t));
            map_shadow_jvp(&v, &tv, s, ts, n)
        },
        |p, c| {
            let (v, s) = split(p);
            let (y, gv, gs) = map_shadow_vjp(&v, s, n, c);
            (y, vec![gv[0], gv[1], gs])
        },
        |p| {
            let (v, s) = split(p);
            let (y, gv, gs) = map_shadow_grad(&v, s, n);
            (y, vec![gv[0], gv[1], gs])
        },
        |p, t| {
            let ((v, s), (tv, ts)) = (split(p), split(t));
            let (y, gv, gs, hv, hs) = map_shadow_hvp(&v, &tv, s, ts, n);
            (y, vec![gv[0], gv[1], gs], vec![hv[0], hv[1], hs])
        },
    );
}
