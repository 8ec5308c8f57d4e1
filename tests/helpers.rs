//! Helper functions over arrays and matrices: calls of differentiated
//! functions that pass slices, sub-slices, arrays, `Vec`s and nalgebra
//! values and return arrays, `Vec`s, nalgebra values and tuples; array
//! patterns and whole-array copies; in every mode against central finite
//! differences (2-D arrays: `tests/helpers_2d.rs`; buffers, `push` and
//! ranges passed as buffers: `tests/helpers_buffers.rs`).

use ad::check::{check_gradient, compare, fd_gradient};
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

#[path = "common/flat.rs"]
mod flat;
use flat::{check_all, dot_f};

// ----- slices and sub-slices ---------------------------------------------------

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Every way of passing a slice: as it is, `&x`, the four sub-slice forms
/// and an inclusive range, a local `Vec` by reference.
#[differentiate]
fn slices(x: &[f64], w: f64) -> f64 {
    let h = x.len() / 2;
    let v = vec![w, 2.0 * w, x[0]];
    let mut s = dot(x, x) + dot(&x[..h], &x[h..]);
    s += w * dot(&v, &x[1..=3]);
    s += dot(&x[1..3], &x[2..4]);
    #[allow(clippy::redundant_slicing, clippy::needless_borrow)]
    {
        s += dot(&x[..], &x);
    }
    s
}

#[test]
fn slices_and_sub_slices() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "slices",
        &p,
        &t,
        |p| slices(&p[..4], p[4]),
        |p| {
            let (v, gx, gw) = slices_grad(&p[..4], p[4]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| slices_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gw, hx, hw) = slices_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
}

// ----- arrays and Vecs by value, array and Vec results -------------------------

#[differentiate]
fn norm2(a: [f64; 2]) -> f64 {
    a[0] * a[0] + a[1] * a[1].sin()
}

#[differentiate]
fn total(v: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i] * v[i];
    }
    s
}

/// Lotka-Volterra's right-hand side, as a value.
#[differentiate]
fn rhs(y: [f64; 2], k: f64) -> [f64; 2] {
    [k * y[0] - 0.4 * y[0] * y[1], 0.1 * y[0] * y[1] - 0.4 * y[1]]
}

#[differentiate]
fn scaled(x: &[f64], k: f64) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] = k * x[i].sin();
    }
    out
}

/// Arrays and `Vec`s passed by value (the caller keeps using them) and
/// array and `Vec` results read by element, in a loop.
#[differentiate]
fn by_value(x: &[f64], k: f64) -> f64 {
    let mut y = [0.0; 2];
    y[0] = x[0];
    y[1] = x[1];
    for _ in 0..5 {
        let d = rhs(y, k);
        for i in 0..2 {
            y[i] += 0.05 * d[i];
        }
    }
    let v = vec![y[0], y[1], x[2]];
    let s = scaled(&v, k);
    norm2(y) + total(v) + norm2(y) * s[0] + s[2]
}

#[test]
fn arrays_and_vecs_by_value_and_as_results() {
    let p = [1.0, 0.5, -0.3, 0.8];
    let t = [0.3, -0.2, 0.5, 0.1];
    check_all(
        "by_value",
        &p,
        &t,
        |p| by_value(&p[..3], p[3]),
        |p| {
            let (v, gx, gk) = by_value_grad(&p[..3], p[3]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| by_value_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gx, gk, hx, hk) = by_value_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
}

// ----- nalgebra ----------------------------------------------------------------

#[differentiate]
fn layer(w: &DMatrix<f64>, b: &DVector<f64>, x: &DVector<f64>) -> DVector<f64> {
    let z = w * x + b;
    z.map(|v| v.tanh())
}

/// A two-layer network written with a helper, borrowed parameters and an
/// owned intermediate passed by reference.
#[differentiate]
fn network(w1: &DMatrix<f64>, w2: &DMatrix<f64>, x: &DVector<f64>) -> f64 {
    let b = DVector::from_element(w1.nrows(), 0.1);
    let h = layer(w1, &b, x);
    let o = layer(w2, &b.rows(0, w2.nrows()).into_owned(), &h);
    o.norm_squared()
}

#[test]
fn nalgebra_helpers() {
    let (w1, w2) = (
        DMatrix::from_fn(3, 2, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.1),
        DMatrix::from_fn(2, 3, |i, j| 0.2 * i as f64 + 0.1 * j as f64 - 0.3),
    );
    let x = DVector::from_vec(vec![0.7, -1.2]);
    let p = [w1.as_slice(), w2.as_slice(), x.as_slice()].concat();
    let t: Vec<f64> = (0..p.len()).map(|i| 0.1 * i as f64 - 0.3).collect();
    let split = |p: &[f64]| {
        (
            DMatrix::from_column_slice(3, 2, &p[..6]),
            DMatrix::from_column_slice(2, 3, &p[6..12]),
            DVector::from_column_slice(&p[12..]),
        )
    };
    let flat = |a: &DMatrix<f64>, b: &DMatrix<f64>, c: &DVector<f64>| {
        [a.as_slice(), b.as_slice(), c.as_slice()].concat()
    };
    check_all(
        "network",
        &p,
        &t,
        |p| {
            let (a, b, c) = split(p);
            network(&a, &b, &c)
        },
        |p| {
            let (a, b, c) = split(p);
            let (v, ga, gb, gc) = network_grad(&a, &b, &c);
            (v, flat(&ga, &gb, &gc))
        },
        |p, t| {
            let ((a, b, c), (da, db, dc)) = (split(p), split(t));
            network_jvp(&a, &da, &b, &db, &c, &dc)
        },
        |p, t| {
            let ((a, b, c), (da, db, dc)) = (split(p), split(t));
            let (v, ga, gb, gc, ha, hb, hc) = network_hvp(&a, &da, &b, &db, &c, &dc);
            (v, flat(&ga, &gb, &gc), flat(&ha, &hb, &hc))
        },
    );
}

// ----- f32, generic code and methods -------------------------------------------

#[differentiate]
fn dot32(a: &[f32], b: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn energy32(x: &[f32]) -> f32 {
    dot32(&x[1..], &x[..x.len() - 1]) + dot32(x, x)
}

#[test]
fn f32_helpers() {
    let x = [0.5f32, -1.0, 2.0];
    let (v, g) = energy32_grad(&x);
    assert_eq!(v, energy32(&x));
    // x0 x1 + x1 x2 + |x|^2: by hand.
    let by_hand = [
        x[1] + 2.0 * x[0],
        x[0] + x[2] + 2.0 * x[1],
        x[1] + 2.0 * x[2],
    ];
    assert_eq!(g, by_hand);
}

#[differentiate]
fn sum_sq<T: ad::Real>(a: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..a.len() {
        s += a[i] * a[i];
    }
    s
}

#[differentiate]
fn generic_caller<T: ad::Real>(x: &[T]) -> T {
    sum_sq(&x[1..]) * x[0]
}

struct Model {
    scale: f64,
}

impl Model {
    #[differentiate]
    fn energy(&self, x: &[f64]) -> f64 {
        self.scale * dot(x, x)
    }

    #[differentiate]
    fn loss(&self, x: &[f64]) -> f64 {
        self.energy(&x[1..]) + x[0] * self.energy(x)
    }
}

#[test]
fn generic_helpers_and_methods() {
    let x = [0.5, -1.0, 2.0];
    let (v, g) = generic_caller_grad(&x);
    assert_eq!(v, generic_caller(&x));
    check_gradient(generic_caller, &x, &g).assert_close(1e-8, 1e-8);
    let (_, g32) = generic_caller_grad(&[0.5f32, -1.0, 2.0]);
    assert_eq!(g32, [5.0f32, -1.0, 2.0]);
    let m = Model { scale: 1.5 };
    let (v, g) = m.loss_grad(&x);
    assert_eq!(v, m.loss(&x));
    let fd = fd_gradient(|p| m.loss(p), &x);
    compare(&g, &fd).assert_close(1e-8, 1e-8);
}

// ----- array patterns and destructuring assignment ------------------------------

/// argmin's test functions start so: `let [x1, x2] = *param;`.
#[differentiate]
fn rosenbrock2(param: &[f64; 2]) -> f64 {
    let [x1, x2] = *param;
    (1.0 - x1).powi(2) + 100.0 * (x2 - x1 * x1).powi(2)
}

#[differentiate]
fn ends(x: [f64; 4]) -> f64 {
    let [a, .., d] = x;
    let [_, b, c, _] = x;
    a * d + b * c.sin()
}

/// A Fibonacci-like recurrence by destructuring assignment.
#[differentiate]
fn recurrence(x: f64, n: usize) -> f64 {
    let (mut a, mut b) = (1.0, x);
    for _ in 0..n {
        (a, b) = (b, a * x + b);
    }
    let mut c = a;
    (c, _) = (c * b, 1.0);
    c
}

#[test]
fn array_patterns_and_destructuring_assignment() {
    // By hand at (1.5, 0.5): f = 0.25 + 100 (0.5 - 2.25)^2.
    let (v, g) = rosenbrock2_grad(&[1.5, 0.5]);
    assert_eq!((v, g), (306.5, [1051.0, -350.0]));
    check_all(
        "rosenbrock2",
        &[1.5, 0.5],
        &[0.3, -0.7],
        |p| rosenbrock2(&[p[0], p[1]]),
        |p| {
            let (v, g) = rosenbrock2_grad(&[p[0], p[1]]);
            (v, g.to_vec())
        },
        |p, t| rosenbrock2_jvp(&[p[0], p[1]], &[t[0], t[1]]),
        |p, t| {
            let (v, g, h) = rosenbrock2_hvp(&[p[0], p[1]], &[t[0], t[1]]);
            (v, g.to_vec(), h.to_vec())
        },
    );
    let arr = |p: &[f64]| [p[0], p[1], p[2], p[3]];
    check_all(
        "ends",
        &[1.0, 2.0, 3.0, 4.0],
        &[0.5, -0.5, 0.25, 1.0],
        |p| ends(arr(p)),
        |p| {
            let (v, g) = ends_grad(arr(p));
            (v, g.to_vec())
        },
        |p, t| ends_jvp(arr(p), arr(t)),
        |p, t| {
            let (v, g, h) = ends_hvp(arr(p), arr(t));
            (v, g.to_vec(), h.to_vec())
        },
    );
    check_all(
        "recurrence",
        &[0.7],
        &[1.0],
        |p| recurrence(p[0], 5),
        |p| {
            let (v, g) = recurrence_grad(p[0], 5);
            (v, vec![g])
        },
        |p, t| recurrence_jvp(p[0], t[0], 5),
        |p, t| {
            let (v, g, h) = recurrence_hvp(p[0], t[0], 5);
            (v, vec![g], vec![h])
        },
    );
}

// ----- whole-array copies and assignments --------------------------------------

/// `to_vec`, `clone`, `let w = v;` (a move), a borrowed slice re-bound.
#[differentiate]
fn copies(x: &[f64], k: f64) -> f64 {
    let mut y = x.to_vec();
    let z = x;
    let mut w = y.clone();
    for i in 0..y.len() {
        y[i] *= k;
        w[i] += y[i] * z[i];
    }
    let u = w;
    let a = [k, 2.0 * k];
    let b = a;
    let mut s = 0.0;
    for i in 0..u.len() {
        s += u[i] * y[i] + b[i % 2] * b[i % 2];
    }
    s
}

/// A 1-D heat equation by explicit time steps: `u = un;` each step, and a
/// helper's result assigned whole (`u = step(&u, k)`).
#[differentiate]
fn step(u: &[f64], k: f64) -> Vec<f64> {
    let n = u.len();
    let mut un = vec![0.0; n];
    for i in 1..n - 1 {
        un[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
    }
    un[0] = u[0];
    un[n - 1] = u[n - 1] * u[n - 1];
    un
}

#[differentiate]
fn heat(u0: &[f64], k: f64) -> f64 {
    let n = u0.len();
    let mut u = u0.to_vec();
    for t in 0..4 {
        if t % 2 == 0 {
            let mut un = vec![0.0; n];
            for i in 1..n - 1 {
                un[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
            }
            un[0] = u[0];
            un[n - 1] = u[n - 1];
            u = un;
        } else {
            u = step(&u, k);
        }
    }
    u[1] * u[2] + u[n - 1]
}

#[test]
fn whole_array_copies_and_assignments() {
    let p = [0.5, -1.0, 2.0, 0.3, 1.3];
    let t = [0.2, 0.1, -0.4, 0.3, 0.5];
    check_all(
        "copies",
        &p[..4],
        &t[..4],
        |p| copies(&p[..3], p[3]),
        |p| {
            let (v, gx, gk) = copies_grad(&p[..3], p[3]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| copies_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gx, gk, hx, hk) = copies_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    // |p| and |t| at most 1: the finite-difference steps are 1e-3.
    let p = [0.5, -1.0, 0.9, 0.3, 0.2];
    let t = [0.4, 0.2, -0.8, 0.6, 1.0];
    check_all(
        "heat",
        &p,
        &t,
        |p| heat(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = heat_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| heat_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = heat_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
}

// ----- tuple results -----------------------------------------------------------

/// A tuple result, as DESIGN.md's contract: `f_jvp` returns `(out, dout)`,
/// both tuples, and `f_vjp` takes `dout` as a tuple.
#[differentiate]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

/// A `Vec` member and a scalar one.
#[differentiate]
fn squares_and_sum(x: &[f64]) -> (Vec<f64>, f64) {
    let mut v = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() {
        v[i] = x[i] * x[i];
        s += x[i];
    }
    (v, s)
}

/// A symplectic Euler step of a pendulum, a tuple of the new state.
#[differentiate]
fn pendulum_step(q: f64, p: f64, h: f64) -> (f64, f64) {
    let p1 = p - h * q.sin();
    (q + h * p1, p1)
}

/// Tuple results bound by `let (a, b) = ..`, `_`, and by destructuring
/// assignment in a loop.
#[differentiate]
fn tuples(x: &[f64], h: f64) -> f64 {
    let (a, b) = polar(x[0], x[1]);
    let (u, _) = polar(a, b);
    let (v, s) = squares_and_sum(&x[1..]);
    let (mut q, mut p) = (x[0], u);
    for _ in 0..4 {
        (q, p) = pendulum_step(q, p, h);
    }
    let mut t = 0.0;
    for i in 0..v.len() {
        t += v[i] * s;
    }
    a * b + t + q * p
}

#[test]
fn tuple_results() {
    // f_jvp and f_vjp of a tuple result, against the Jacobian by hand.
    let (r, t) = (2.0f64, 0.5f64);
    let (c, s) = (t.cos(), t.sin());
    let (value, tangent) = polar_jvp(r, 1.0, t, 0.0);
    assert_eq!(value, (r * c, r * s));
    assert_eq!(tangent, (c, s));
    let (value, r_bar, t_bar) = polar_vjp(r, t, (0.5, -1.5));
    assert_eq!(value, (r * c, r * s));
    assert!((r_bar - (0.5 * c - 1.5 * s)).abs() < 1e-15);
    assert!((t_bar - (-0.5 * r * s - 1.5 * r * c)).abs() < 1e-15);
    // A Vec member: the dot-product identity.
    let (x, dx) = ([0.5, -1.0, 2.0], [0.3, 0.2, -0.1]);
    let (_, (dv, ds)) = squares_and_sum_jvp(&x, &dx);
    let (cv, cs) = (vec![1.0, -2.0, 0.5], 3.0);
    let (_, x_bar) = squares_and_sum_vjp(&x, (cv.clone(), cs));
    let lhs = dot_f(&dv, &cv) + ds * cs;
    assert!((lhs - dot_f(&x_bar, &dx)).abs() < 1e-14);
    // Callers, in every mode.
    let p = [0.9, 0.4, -0.7, 0.3];
    let t = [0.3, -0.5, 0.2, 0.4];
    check_all(
        "tuples",
        &p,
        &t,
        |p| tuples(&p[..3], p[3]),
        |p| {
            let (v, gx, gh) = tuples_grad(&p[..3], p[3]);
            (v, [gx, vec![gh]].concat())
        },
        |p, t| tuples_jvp(&p[..3], &t[..3], p[3], t[3]),
        |p, t| {
            let (v, gx, gh, hx, hh) = tuples_hvp(&p[..3], &t[..3], p[3], t[3]);
            (v, [gx, vec![gh]].concat(), [hx, vec![hh]].concat())
        },
    );
}
