//! Local closures whose bodies hold what a function's body may: an iterator
//! chain in a `let`, a `for` over an active slice, a `while let`, a closure
//! of their own (called there), a closure called as a statement; and a `sort_by`
//! comparator with `let`s. Each was rejected before ("`sum` here is not
//! supported", "a `for` loop cannot iterate over active values", "closures
//! are supported as local closures called directly", "`sort_by` of an
//! active array ...").
//!
//! Every function in every mode: values against the plain function (itself
//! checked against its closed form), `_jvp` against finite differences and
//! `_vjp` by the dot-product identity (`common::agree`), `_grad`, `_jvp` and
//! `_hvp` against finite differences (`flat::check_all`). Calls in loops
//! and branches, parameters out of `wrt` and mutated.

use ad::differentiate;

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

/// Asserts the plain function against its closed form.
fn plain(what: &str, got: f64, want: f64) {
    common::close(what, got, want, 1e-12);
}

// --- chains in a closure's body ----------------------------------------------

/// The sweep's reproduction: a chain in a `let` of the body. `sum(w) x^2`.
#[differentiate(wrt(x))]
fn probe(x: f64, w: &[f64]) -> f64 {
    let f = |t: f64| {
        let h: f64 = w.iter().map(|a| a * t).sum::<f64>();
        h * t
    };
    f(x)
}

/// Chains over the active `x` in the body (`sum`, `fold`), the closure
/// defined in a loop and called in both branches, the second call in a
/// `let`; `c` out of `wrt` and mutated.
#[differentiate(wrt(x))]
fn chains(x: &[f64], mut c: f64) -> f64 {
    c *= 0.5;
    let mut acc = 0.0;
    for i in 0..x.len() {
        let f = |t: f64| {
            let s: f64 = x.iter().map(|v| v * t).sum();
            let m = x.iter().fold(0.0, |a, v| a + v * v);
            s * t + m * c
        };
        if x[i] > 0.0 {
            acc += f(x[i]);
        } else {
            let y = f(2.0 * x[i]);
            acc -= y;
        }
        c += 1.0;
    }
    acc
}

fn chains_ref(x: &[f64], c: f64) -> f64 {
    let s: f64 = x.iter().sum();
    let m: f64 = x.iter().map(|v| v * v).sum();
    let mut c = 0.5 * c;
    let mut acc = 0.0;
    for &v in x {
        if v > 0.0 {
            acc += s * v * v + m * c;
        } else {
            acc -= s * 4.0 * v * v + m * c;
        }
        c += 1.0;
    }
    acc
}

/// A closure called as a statement, adding a chain's value to a local:
/// `acc = sum(w) (x^2 + 4 x^2) + x^3`.
#[differentiate(wrt(x))]
fn as_statement(x: f64, w: &[f64]) -> f64 {
    let mut acc = x * x * x;
    let mut bump = |t: f64| {
        let s: f64 = w.iter().map(|a| a * t).sum();
        acc += s * t;
    };
    bump(x);
    bump(2.0 * x);
    acc
}

/// A closure whose body is a `for` loop over the active `w`, called as a
/// statement in both branches: `sum(w) x^2` plus that, once or four times.
#[differentiate]
fn lazy(x: f64, w: &[f64]) -> f64 {
    let mut acc = 0.0;
    let f = |t: f64| {
        let s: f64 = w.iter().map(|a| a * t).sum();
        s * t
    };
    let mut add = |t: f64| {
        for c in w {
            acc += c * t * t;
        }
    };
    let v = f(x);
    if x > 0.0 && v > 0.1 {
        add(x);
    } else {
        add(2.0 * x);
    }
    acc + f(x)
}

/// A `while let` in the body, walking the inactive `w`, the closure called
/// twice in one expression: `5 sum(w) x^2`.
#[differentiate(wrt(x))]
fn walk(x: f64, w: &[f64]) -> f64 {
    let f = |t: f64| {
        let mut s = 0.0;
        let mut k = 0;
        while let Some(&a) = w.get(k) {
            s += a * t * t;
            k += 1;
        }
        s
    };
    f(x) + f(-2.0 * x)
}

#[test]
fn chains_in_bodies() {
    let w = [1.5, -0.5, 2.0];
    let ws: f64 = w.iter().sum();
    for x in [0.7, -1.3] {
        plain("probe", probe(x, &w), ws * x * x);
        every_mode(
            "probe",
            &[x],
            &[0.4],
            |p| probe(p[0], &w),
            |p, t| probe_jvp(p[0], t[0], &w),
            |p, c| {
                let (v, g) = probe_vjp(p[0], &w, c);
                (v, vec![g])
            },
            |p| {
                let (v, g) = probe_grad(p[0], &w);
                (v, vec![g])
            },
            |p, t| {
                let (v, g, h) = probe_hvp(p[0], t[0], &w);
                (v, vec![g], vec![h])
            },
        );
        plain("walk", walk(x, &w), 5.0 * ws * x * x);
        every_mode(
            "walk",
            &[x],
            &[0.4],
            |p| walk(p[0], &w),
            |p, t| walk_jvp(p[0], t[0], &w),
            |p, c| {
                let (v, g) = walk_vjp(p[0], &w, c);
                (v, vec![g])
            },
            |p| {
                let (v, g) = walk_grad(p[0], &w);
                (v, vec![g])
            },
            |p, t| {
                let (v, g, h) = walk_hvp(p[0], t[0], &w);
                (v, vec![g], vec![h])
            },
        );
        plain(
            "as_statement",
            as_statement(x, &w),
            5.0 * ws * x * x + x * x * x,
        );
        every_mode(
            "as_statement",
            &[x],
            &[0.4],
            |p| as_statement(p[0], &w),
            |p, t| as_statement_jvp(p[0], t[0], &w),
            |p, c| {
                let (v, g) = as_statement_vjp(p[0], &w, c);
                (v, vec![g])
            },
            |p| {
                let (v, g) = as_statement_grad(p[0], &w);
                (v, vec![g])
            },
            |p, t| {
                let (v, g, h) = as_statement_hvp(p[0], t[0], &w);
                (v, vec![g], vec![h])
            },
        );
    }
    for (x, times) in [(0.7, 2.0), (-1.3, 5.0), (0.1, 5.0)] {
        plain("lazy", lazy(x, &w), times * ws * x * x);
        let p = [x, 1.5, -0.5, 2.0];
        every_mode(
            "lazy",
            &p,
            &[0.4, -0.3, 0.2, 0.7],
            |p| lazy(p[0], &p[1..]),
            |p, t| lazy_jvp(p[0], t[0], &p[1..], &t[1..]),
            |p, c| {
                let (v, gx, gw) = lazy_vjp(p[0], &p[1..], c);
                (v, [vec![gx], gw].concat())
            },
            |p| {
                let (v, gx, gw) = lazy_grad(p[0], &p[1..]);
                (v, [vec![gx], gw].concat())
            },
            |p, t| {
                let (v, gx, gw, hx, hw) = lazy_hvp(p[0], t[0], &p[1..], &t[1..]);
                (v, [vec![gx], gw].concat(), [vec![hx], hw].concat())
            },
        );
    }
    let t = [0.3, 0.9, -0.5];
    for c in [0.6, -0.4] {
        for x in [[0.7, -1.3, 0.4], [-0.2, 0.5, 1.1]] {
            plain("chains", chains(&x, c), chains_ref(&x, c));
            every_mode(
                "chains",
                &x,
                &t,
                |x| chains(x, c),
                |x, t| chains_jvp(x, t, c),
                |x, g| chains_vjp(x, c, g),
                |x| chains_grad(x, c),
                |x, t| chains_hvp(x, t, c),
            );
        }
    }
}

// --- `for` over an active slice in a closure's body ------------------------------

/// The sweep's reproduction: Horner's rule over the active coefficients,
/// called twice.
#[differentiate]
fn horner(x: f64, w: &[f64]) -> f64 {
    let poly = |t: f64| {
        let mut s = 0.0;
        for c in w {
            s = s * t + c;
        }
        s
    };
    poly(x) + poly(2.0 * x)
}

fn poly_ref(t: f64, w: &[f64]) -> f64 {
    let n = w.len();
    (0..n).map(|k| w[k] * t.powi((n - 1 - k) as i32)).sum()
}

/// `for v in x` and `for v in x.iter()` in bodies, called in a loop and a
/// branch; `k` out of `wrt` and mutated.
#[differentiate(wrt(x))]
fn loops(x: &[f64], mut k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let dot = |t: f64| {
            let mut d = 0.0;
            for v in x {
                d += v * t * k;
            }
            d
        };
        let sq = |t: f64| {
            let mut q = 0.0;
            for v in x.iter() {
                q += (v - t) * (v - t);
            }
            q
        };
        if i % 2 == 0 {
            s += dot(x[i]);
        } else {
            s += sq(x[i]) * x[i];
        }
        k -= 0.5;
    }
    s
}

fn loops_ref(x: &[f64], k: f64) -> f64 {
    let sum: f64 = x.iter().sum();
    let mut k = k;
    let mut s = 0.0;
    for (i, &t) in x.iter().enumerate() {
        if i % 2 == 0 {
            s += sum * t * k;
        } else {
            s += x.iter().map(|v| (v - t) * (v - t)).sum::<f64>() * t;
        }
        k -= 0.5;
    }
    s
}

#[test]
fn for_over_slices_in_bodies() {
    let w = [1.0, -2.0, 0.5];
    let x = 0.7;
    plain(
        "horner",
        horner(x, &w),
        poly_ref(x, &w) + poly_ref(2.0 * x, &w),
    );
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
    let t = [0.3, 0.9, -0.5, 0.2];
    for k in [1.5, -0.7] {
        let x = [0.7, -1.3, 0.4, 1.2];
        plain("loops", loops(&x, k), loops_ref(&x, k));
        every_mode(
            "loops",
            &x,
            &t,
            |x| loops(x, k),
            |x, t| loops_jvp(x, t, k),
            |x, g| loops_vjp(x, k, g),
            |x| loops_grad(x, k),
            |x, t| loops_hvp(x, t, k),
        );
    }
}

// --- closures in closures ---------------------------------------------------------

/// The sweep's reproduction: `g` defined and called in `f`'s body. `5 x^2`.
#[differentiate]
fn nested(x: f64) -> f64 {
    let f = |t: f64| {
        let g = |u: f64| u * u;
        g(t) + g(2.0 * t)
    };
    f(x)
}

/// Three levels: `h` calls `g`, both defined in `f`'s body, called in a
/// branch there; `f` defined in a loop; `k` out of `wrt` and mutated.
#[differentiate(wrt(x))]
fn nested_deep(x: &[f64], mut k: f64) -> f64 {
    k += 1.0;
    let mut s = 0.0;
    for i in 0..x.len() {
        let f = |t: f64| {
            let g = |u: f64| u * u * k;
            let h = |u: f64, v: f64| {
                let p = g(u);
                p * v
            };
            if t > 0.0 {
                g(t) + h(t, x[0])
            } else {
                h(2.0 * t, t)
            }
        };
        s += f(x[i]);
        k *= 0.5;
    }
    s
}

fn nested_deep_ref(x: &[f64], k: f64) -> f64 {
    let mut k = k + 1.0;
    let mut s = 0.0;
    for &t in x {
        s += if t > 0.0 {
            k * t * t * (1.0 + x[0])
        } else {
            4.0 * k * t * t * t
        };
        k *= 0.5;
    }
    s
}

#[test]
fn closures_in_bodies() {
    for x in [0.7, -1.3] {
        plain("nested", nested(x), 5.0 * x * x);
        every_mode(
            "nested",
            &[x],
            &[0.4],
            |p| nested(p[0]),
            |p, t| nested_jvp(p[0], t[0]),
            |p, c| {
                let (v, g) = nested_vjp(p[0], c);
                (v, vec![g])
            },
            |p| {
                let (v, g) = nested_grad(p[0]);
                (v, vec![g])
            },
            |p, t| {
                let (v, g, h) = nested_hvp(p[0], t[0]);
                (v, vec![g], vec![h])
            },
        );
    }
    let t = [0.3, 0.9, -0.5];
    for k in [0.6, -2.0] {
        for x in [[0.7, -1.3, 0.4], [-0.2, 0.5, 1.1]] {
            plain("nested_deep", nested_deep(&x, k), nested_deep_ref(&x, k));
            every_mode(
                "nested_deep",
                &x,
                &t,
                |x| nested_deep(x, k),
                |x, t| nested_deep_jvp(x, t, k),
                |x, g| nested_deep_vjp(x, k, g),
                |x| nested_deep_grad(x, k),
                |x, t| nested_deep_hvp(x, t, k),
            );
        }
    }
}

// --- a `sort_by` comparator with `let`s --------------------------------------------

/// Sorted by the distance to `c` (out of `wrt`), the comparator binding
/// the two keys; then a weighted sum of squares in sorted order.
#[differentiate(wrt(x))]
fn sorted(x: &[f64], c: f64) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| {
        let ka = (a - c) * (a - c);
        let kb: f64 = (b - c) * (b - c);
        ka.total_cmp(&kb)
    });
    let mut s = 0.0;
    for i in 0..v.len() {
        s += (i as f64 + 1.0) * v[i] * v[i] * v[i];
    }
    s
}

fn sorted_ref(x: &[f64], c: f64) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| (a - c).abs().total_cmp(&(b - c).abs()));
    v.iter()
        .enumerate()
        .map(|(i, a)| (i as f64 + 1.0) * a * a * a)
        .sum()
}

#[test]
fn sort_comparator_with_lets() {
    let t = [0.3, 0.9, -0.5, 0.2];
    for c in [0.0, 1.0] {
        let x = [0.7, -1.3, 0.4, 2.1];
        plain("sorted", sorted(&x, c), sorted_ref(&x, c));
        every_mode(
            "sorted",
            &x,
            &t,
            |x| sorted(x, c),
            |x, t| sorted_jvp(x, t, c),
            |x, g| sorted_vjp(x, c, g),
            |x| sorted_grad(x, c),
            |x, t| sorted_hvp(x, t, c),
        );
    }
}
