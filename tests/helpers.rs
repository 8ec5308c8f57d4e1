//! Helper functions over arrays and matrices: calls of differentiated
//! functions that pass slices, sub-slices, arrays, `Vec`s and nalgebra
//! values and return arrays, `Vec`s and nalgebra values; `Vec`s grown with
//! `push`; ranges of arrays passed as in/out buffers; 2-D arrays; in every
//! mode against central finite differences.

use ad::check::{check_gradient, compare, fd_gradient, fd_jvp};
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

fn dot_f(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Checks, for a function of a flat vector `p`: the gradient against finite
/// differences, the JVP along `t` against the gradient's dot product with
/// `t` (and finite differences), and the HVP along `t` against finite
/// differences of the gradient. `f`: the primal; `grad`, `jvp`, `hvp`: the
/// generated items seen through `p`.
fn check_all(
    what: &str,
    p: &[f64],
    t: &[f64],
    f: impl Fn(&[f64]) -> f64,
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    check_gradient(&f, p, &g).assert_close(1e-8, 1e-8);
    assert!(
        g.iter().any(|g| g.abs() > 1e-3),
        "{what}: a zero gradient tests nothing"
    );
    let (v2, d) = jvp(p, t);
    assert_eq!(v2, v, "{what}: jvp value");
    // Along `t` the finite-difference step is that of the largest
    // coordinate: looser than the gradient's; <grad, t> below is exact.
    let fd = fd_jvp(|p| vec![f(p)], p, t)[0];
    assert!(
        (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{what}: jvp {d} against finite differences {fd}"
    );
    assert!(
        (d - dot_f(&g, t)).abs() <= 1e-12 * (1.0 + d.abs()),
        "{what}: jvp {d} against <grad, t> {}",
        dot_f(&g, t)
    );
    let (v3, g3, hv) = hvp(p, t);
    assert_eq!(v3, v, "{what}: hvp value");
    compare(&g3, &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|p| grad(p).1, p, t);
    compare(&hv, &fd).assert_close(1e-7, 1e-7);
    assert!(
        hv.iter().any(|h| h.abs() > 1e-3),
        "{what}: a zero HVP tests nothing"
    );
}

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

// ----- buffers passed to calls -------------------------------------------------

/// An ODE right-hand side in the usual Rust form, with an in/out buffer.
#[differentiate]
fn forced_lv(t: f64, y: &[f64], k: f64, dydt: &mut [f64]) {
    dydt[0] = k * y[0] - 0.4 * y[0] * y[1] + 0.1 * t.sin();
    dydt[1] = 0.1 * y[0] * y[1] - 0.4 * y[1];
}

/// A buffer updated in place that also returns a value, early in a branch.
#[differentiate]
fn scale_in_place(a: f64, buf: &mut [f64]) -> f64 {
    for i in 0..buf.len() {
        buf[i] *= a;
    }
    if a > 10.0 {
        return 0.0;
    }
    buf[0]
}

/// Explicit Euler through `forced_lv(t, &y, k, &mut d)`, then a call that
/// returns a value and updates its buffer.
#[differentiate]
fn euler_lv(y0: &[f64], k: f64) -> f64 {
    let mut y = y0.to_vec();
    let mut d = vec![0.0; 2];
    let h = 0.1;
    for s in 0..5 {
        forced_lv(s as f64 * h, &y, k, &mut d);
        for i in 0..2 {
            y[i] += h * d[i];
        }
    }
    let r = scale_in_place(k, &mut y);
    r + y[0] * y[1]
}

#[test]
fn buffers_passed_to_calls() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "euler_lv",
        &p,
        &t,
        |p| euler_lv(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = euler_lv_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| euler_lv_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = euler_lv_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
}

/// An array copied from inactive data (`y0.to_vec()`) that a helper's
/// result then overwrites and that is read by element (found writing
/// `examples/ode_rk4.rs`: the copy was not known to be an array).
#[differentiate(wrt(k))]
fn decay_steps(k: f64, y0: &[f64]) -> f64 {
    let mut y = y0.to_vec();
    for _ in 0..3 {
        y = scaled(&y, k);
    }
    y[0] + y[1]
}

#[test]
fn an_inactive_copy_overwritten_by_a_helper() {
    let y0 = [0.5, 1.0];
    check_all(
        "decay_steps",
        &[0.8],
        &[1.0],
        |p| decay_steps(p[0], &y0),
        |p| {
            let (v, g) = decay_steps_grad(p[0], &y0);
            (v, vec![g])
        },
        |p, t| decay_steps_jvp(p[0], t[0], &y0),
        |p, t| {
            let (v, g, h) = decay_steps_hvp(p[0], t[0], &y0);
            (v, vec![g], vec![h])
        },
    );
}

/// `copy_from_slice` and `fill` on active values, whole and on ranges.
#[differentiate]
fn copies_in_place(x: &[f64], k: f64) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    y.copy_from_slice(x);
    let mut z = vec![0.0; n + 2];
    z[1..n + 1].copy_from_slice(&y);
    z[..2].fill(k * k);
    let mut w = [0.0; 2];
    w.copy_from_slice(&x[1..3]);
    let mut s = 0.0;
    for i in 0..n + 2 {
        s += z[i] * z[i] * (i as f64 + 1.0);
    }
    s + w[0] * w[1] * k
}

#[test]
fn copy_from_slice_and_fill() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "copies_in_place",
        &p,
        &t,
        |p| copies_in_place(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = copies_in_place_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| copies_in_place_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = copies_in_place_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
}

/// A function's own buffer passed on to a helper, then updated.
#[differentiate]
fn shifted_lv(y: &[f64], k: f64, dydt: &mut [f64]) {
    forced_lv(0.0, y, k, dydt);
    dydt[0] += k * y[1];
}

/// An array buffer, and a buffer passed through two levels of helpers.
#[differentiate]
fn through_buffers(y: &[f64], k: f64) -> f64 {
    let mut d = [0.0; 2];
    forced_lv(0.1, y, k, &mut d);
    let mut e = vec![0.0; 2];
    shifted_lv(&d, k, &mut e);
    d[0] * e[1] + e[0]
}

#[test]
fn buffers_of_every_kind_passed_to_calls() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "through_buffers",
        &p,
        &t,
        |p| through_buffers(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = through_buffers_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| through_buffers_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = through_buffers_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
}

// ----- Vecs grown with push ----------------------------------------------------

/// Pushes in a loop and in both branches of an `if` (so the `Vec`'s length
/// depends on the data), onto an empty `Vec` and onto a copy of a slice;
/// `extend_from_slice` of a range; reads by element between and after the
/// pushes, and the grown `Vec` passed to a helper.
#[differentiate]
fn pushes(x: &[f64], w: f64) -> f64 {
    let mut v = Vec::new();
    for i in 0..x.len() {
        if x[i] > 0.0 {
            v.push(x[i] * w);
        } else {
            v.push(x[i].sin());
            v.push(w * v[v.len() - 1]);
        }
    }
    let mut u = x.to_vec();
    u.push(w * w);
    u.push(1.5);
    u.extend_from_slice(&v[1..3]);
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * u[i % u.len()];
    }
    s + u[u.len() - 1] * u[x.len()] + dot(&v, &v)
}

/// A `Vec` built inside a loop body (each iteration's its own, of a length
/// that changes from one iteration to the next), and a `Vec` set again in
/// a loop and grown each time.
#[differentiate]
fn windows(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        let mut w = Vec::with_capacity(i);
        for j in 0..i {
            w.push(x[j] * x[i]);
        }
        s += w[0] * k + dot(&w, &x[..i]);
    }
    let mut v = vec![k];
    for r in 0..3 {
        if r > 0 {
            v = Vec::new();
        }
        for i in 0..x.len() - r {
            v.push(x[i] * k);
            s += dot(&v[v.len() - 1..], &x[i..i + 1]);
        }
        s += v[v.len() - 1] * v[0];
    }
    s
}

/// A `Vec` built by `push` and returned.
#[differentiate]
fn features(x: &[f64], k: f64) -> Vec<f64> {
    let mut f = vec![];
    f.push(k);
    for i in 0..x.len() {
        f.push(k * x[i].exp());
        if i > 0 {
            f.push(x[i] * x[i - 1]);
        }
    }
    f
}

/// Its caller, reading the result by element and by range; and a `Vec`
/// parameter taken by value and grown.
#[differentiate]
fn use_features(x: &[f64], k: f64) -> f64 {
    let f = features(x, k);
    let mut s = 0.0;
    for i in 0..f.len() {
        s += f[i] * f[i];
    }
    s + dot(&f[..2], &x[..2]) + grown(f, k)
}

#[differentiate]
fn grown(mut v: Vec<f64>, k: f64) -> f64 {
    v.push(k * v[0]);
    v.push(k.sin());
    dot(&v, &v)
}

#[test]
fn vecs_grown_with_push() {
    let p = [0.5, -1.0, 2.0, 0.7, 1.3];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5];
    check_all(
        "pushes",
        &p,
        &t,
        |p| pushes(&p[..4], p[4]),
        |p| {
            let (v, gx, gw) = pushes_grad(&p[..4], p[4]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| pushes_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gw, hx, hw) = pushes_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    check_all(
        "windows",
        &p,
        &t,
        |p| windows(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = windows_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| windows_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = windows_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    check_all(
        "use_features",
        &p,
        &t,
        |p| use_features(&p[..4], p[4]),
        |p| {
            let (v, gx, gk) = use_features_grad(&p[..4], p[4]);
            (v, [gx, vec![gk]].concat())
        },
        |p, t| use_features_jvp(&p[..4], &t[..4], p[4], t[4]),
        |p, t| {
            let (v, gx, gk, hx, hk) = use_features_hvp(&p[..4], &t[..4], p[4], t[4]);
            (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
        },
    );
    // The returned `Vec` itself: forward mode against its derivative by
    // hand, reverse mode by the dot-product identity <J t, c> = <t, J^T c>.
    let (x, k, dx, dk) = (&p[..4], p[4], &t[..4], t[4]);
    let (f, df) = features_jvp(x, dx, k, dk);
    assert_eq!(f, features(x, k));
    let mut by_hand = vec![dk];
    for i in 0..4 {
        by_hand.push(dk * x[i].exp() + k * x[i].exp() * dx[i]);
        if i > 0 {
            by_hand.push(dx[i] * x[i - 1] + x[i] * dx[i - 1]);
        }
    }
    compare(&df, &by_hand).assert_close(1e-14, 1e-14);
    let c: Vec<f64> = (0..f.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
    let (f2, cx, ck) = features_vjp(x, k, c.clone());
    assert_eq!(f2, f);
    let (lhs, rhs) = (dot_f(&df, &c), dot_f(&cx, dx) + ck * dk);
    assert!(
        (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
        "{lhs} {rhs}"
    );
}

// ----- ranges of arrays passed as buffers ---------------------------------------

/// Ranges of a local `Vec` as buffers (`&mut d[1..3]`, `&mut d[3..]`,
/// `&mut d[..2]`, `..=`), in a loop over ranges that move and change
/// length, and a copy of a range (`d[1..4].to_vec()`).
#[differentiate]
fn range_buffers(y: &[f64], k: f64) -> f64 {
    let mut d = Vec::with_capacity(6);
    for i in 0..6 {
        d.push(0.1 * i as f64);
    }
    forced_lv(0.1, y, k, &mut d[1..3]);
    let e = d[1..3].to_vec();
    forced_lv(0.2, &e, k, &mut d[3..]);
    let r = scale_in_place(k, &mut d[..2]);
    let mut s = r;
    for j in 0..2 {
        let p = [y[j], k * y[1 - j]];
        forced_lv(j as f64, &p, k, &mut d[2 * j..=2 * j + 1]);
        let r2 = scale_in_place(0.5 + k, &mut d[j..]);
        s += r2;
    }
    let c = d[1..4].to_vec();
    s + d[0] * d[3] + d[4] * d[5] + c[0] * c[2]
}

/// Ranges of the function's own buffer passed on.
#[differentiate]
fn own_ranges(y: &[f64], k: f64, out: &mut [f64]) {
    forced_lv(0.3, y, k, &mut out[2..]);
    let r = scale_in_place(k, &mut out[..3]);
    out[0] += r * y[0];
}

#[differentiate]
fn through_own_ranges(y: &[f64], k: f64) -> f64 {
    let mut o = [0.5, k, 0.0, 0.0];
    own_ranges(y, k, &mut o);
    o[0] * o[1] + o[2] * o[3]
}

#[test]
fn ranges_passed_as_buffers() {
    let p = [1.0, 0.5, 0.8];
    let t = [0.3, -0.6, 0.9];
    check_all(
        "range_buffers",
        &p,
        &t,
        |p| range_buffers(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = range_buffers_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| range_buffers_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = range_buffers_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
    check_all(
        "through_own_ranges",
        &p,
        &t,
        |p| through_own_ranges(&p[..2], p[2]),
        |p| {
            let (v, gy, gk) = through_own_ranges_grad(&p[..2], p[2]);
            (v, [gy, vec![gk]].concat())
        },
        |p, t| through_own_ranges_jvp(&p[..2], &t[..2], p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = through_own_ranges_hvp(&p[..2], &t[..2], p[2], t[2]);
            (v, [gy, vec![gk]].concat(), [hy, vec![hk]].concat())
        },
    );
    // The buffer function itself: its final contents against finite
    // differences along (y, k, out0), reverse mode by the dot-product
    // identity <J t, c> = <t, J^T c> against forward mode.
    let (y, k) = (&p[..2], p[2]);
    let out0 = [0.2, -0.4, 0.6, 0.1, 0.3];
    let (dy, dk, dout0) = (&t[..2], t[2], [0.5, 0.1, -0.2, 0.3, 0.4]);
    let run = |q: &[f64]| {
        let mut o = q[3..].to_vec();
        own_ranges(&q[..2], q[2], &mut o);
        o
    };
    let q = [y, &[k], &out0[..]].concat();
    let dq = [dy, &[dk], &dout0[..]].concat();
    let (mut o, mut d_o) = (out0.to_vec(), dout0.to_vec());
    own_ranges_jvp(y, dy, k, dk, &mut o, &mut d_o);
    assert_eq!(o, run(&q));
    compare(&d_o, &fd_jvp(run, &q, &dq)).assert_close(1e-7, 1e-7);
    let c = [0.7, -0.3, 0.2, 0.5, -0.6];
    let (mut o2, mut c_o) = (out0.to_vec(), c.to_vec());
    let (cy, ck) = own_ranges_vjp(y, k, &mut o2, &mut c_o);
    assert_eq!(o2, o);
    let lhs = dot_f(&d_o, &c);
    let rhs = dot_f(&cy, dy) + ck * dk + dot_f(&c_o, &dout0);
    assert!(
        (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
        "{lhs} {rhs}"
    );
}

// ----- nalgebra copies ----------------------------------------------------------

#[differentiate]
fn nsum(v: &DVector<f64>) -> f64 {
    v.sum() * v.norm()
}

/// `clone_owned()` and `into_owned()` of views and values, `clone()`, and
/// an owned column passed to a helper.
#[differentiate]
fn owned_copies(m: &DMatrix<f64>) -> f64 {
    let c = m.column(0).clone_owned();
    let r = m.row(1).into_owned();
    let t = m.clone();
    let u = (m * &c).into_owned();
    nsum(&m.column(1).clone_owned()) + c.dot(&c) + r.sum() * t.norm() + u.norm_squared()
}

#[test]
fn nalgebra_owned_copies() {
    let p = [1.0, 2.0, 3.0, 4.5];
    let t = [0.3, -0.2, 0.5, 0.1];
    let m = |p: &[f64]| DMatrix::from_column_slice(2, 2, p);
    check_all(
        "owned_copies",
        &p,
        &t,
        |p| owned_copies(&m(p)),
        |p| {
            let (v, g) = owned_copies_grad(&m(p));
            (v, g.as_slice().to_vec())
        },
        |p, t| owned_copies_jvp(&m(p), &m(t)),
        |p, t| {
            let (v, g, h) = owned_copies_hvp(&m(p), &m(t));
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
}

// ----- 2-D arrays ----------------------------------------------------------------

/// The rows of a flat vector, `n` to a row.
fn rows_of(p: &[f64], n: usize) -> Vec<Vec<f64>> {
    p.chunks(n).map(<[f64]>::to_vec).collect()
}

fn arr22(p: &[f64]) -> [[f64; 2]; 2] {
    [[p[0], p[1]], [p[2], p[3]]]
}

#[differentiate]
fn det2(m: [[f64; 2]; 2]) -> f64 {
    m[0][0] * m[1][1] - m[0][1] * m[1][0]
}

/// A sum of squares of the rows' products with `x`, each row passed whole
/// and as a range to a differentiated `dot`.
#[differentiate]
fn rows_norm(a: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for r in 0..a.len() {
        let d = dot(&a[r], x);
        s += d * d + dot(&a[r][1..], &x[1..]) * a[r][0];
    }
    s
}

/// A matrix-vector product written with `Vec<Vec<f64>>` (borrowed as
/// `&Vec<Vec<f64>>` on purpose: that parameter type is supported too).
#[allow(clippy::ptr_arg)]
#[differentiate]
fn matvec(a: &Vec<Vec<f64>>, x: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; a.len()];
    for i in 0..a.len() {
        for j in 0..x.len() {
            y[i] += a[i][j] * x[j];
        }
    }
    y
}

/// A 2-D array by value, read back from a helper's 1-D result.
#[differentiate]
fn quadratic_form(a: Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let y = matvec(&a, x);
    dot(&y, x) + a[0][1] * y[1]
}

/// A local `vec![vec![0.0; n]; n]` written in loops and branches (`=`,
/// `+=`, `*=`, `-=`), then read back.
#[differentiate]
fn local_grid(x: &[f64]) -> f64 {
    let n = x.len();
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i <= j {
                m[i][j] = x[i] * x[j].sin();
            } else {
                m[i][j] += x[j];
                m[i][j] *= x[i];
                m[i][j] -= 0.5 * x[j] * x[j];
            }
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += m[i][j] * m[j][i];
        }
    }
    s + m[0][n - 1]
}

/// A 2-D array built from rows (`[[a, b], [c, d]]`, `vec![row; m]`), rows
/// copied (`let r = m[i];`, `to_vec`) and written with `copy_from_slice`
/// and `fill`.
#[differentiate]
fn rows_built(x: [f64; 3]) -> f64 {
    let m = [[x[0], x[1]], [x[2], x[0] * x[1]]];
    let row = vec![x[1], x[2].exp(), x[0]];
    let mut v = vec![row; 2];
    v[1][2] *= x[2];
    let r = m[1];
    let c = v[0].to_vec();
    let mut w = [[0.0; 3]; 2];
    w[0].copy_from_slice(&x);
    w[1][1..].copy_from_slice(&c[..2]);
    w[1][..1].fill(r[0] * r[1]);
    det2(m) + v[0][1] * v[1][2] + dot(&v[1], &c) + w[0][2] * w[1][0] + w[1][1] * w[1][2]
}

/// Jacobi sweeps of a 2-D Laplace problem: the whole grid assigned in a
/// loop, from a helper's 2-D result and from a copy.
#[differentiate]
fn sweep(u: &[Vec<f64>], k: f64) -> Vec<Vec<f64>> {
    let mut v = u.to_vec();
    for i in 1..u.len() - 1 {
        for j in 1..u[i].len() - 1 {
            v[i][j] = u[i][j]
                + k * (u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1] - 4.0 * u[i][j]);
        }
    }
    v
}

#[differentiate]
fn laplace(u0: &[Vec<f64>], k: f64) -> f64 {
    let mut u = u0.to_vec();
    for t in 0..3 {
        if t == 1 {
            let w = sweep(&u, k);
            u = w.clone();
        } else {
            u = sweep(&u, k);
        }
        u[1][1] *= u[0][1];
    }
    let mut s = 0.0;
    for i in 0..u.len() {
        s += dot(&u[i], &u[i]);
    }
    s
}

#[test]
fn two_d_arrays() {
    // det2 against its gradient by hand (the cofactors).
    let (v, g) = det2_grad([[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!((v, g), (-2.0, [[4.0, -3.0], [-2.0, 1.0]]));
    check_all(
        "det2",
        &[0.5, -1.0, 2.0, 0.7],
        &[0.1, 0.2, -0.3, 0.4],
        |p| det2(arr22(p)),
        |p| {
            let (v, g) = det2_grad(arr22(p));
            (v, g.concat())
        },
        |p, t| det2_jvp(arr22(p), arr22(t)),
        |p, t| {
            let (v, g, h) = det2_hvp(arr22(p), arr22(t));
            (v, g.concat(), h.concat())
        },
    );
    // a: 2 x 3, x: 3.
    let p = [0.5, -1.0, 2.0, 0.7, 1.3, -0.4, 0.3, 0.8, -0.6];
    let t = [0.1, 0.2, -0.3, 0.4, 0.5, -0.2, 0.3, -0.1, 0.6];
    check_all(
        "rows_norm",
        &p,
        &t,
        |p| rows_norm(&rows_of(&p[..6], 3), &p[6..]),
        |p| {
            let (v, ga, gx) = rows_norm_grad(&rows_of(&p[..6], 3), &p[6..]);
            (v, [ga.concat(), gx].concat())
        },
        |p, t| rows_norm_jvp(&rows_of(&p[..6], 3), &rows_of(&t[..6], 3), &p[6..], &t[6..]),
        |p, t| {
            let (a, da) = (rows_of(&p[..6], 3), rows_of(&t[..6], 3));
            let (v, ga, gx, ha, hx) = rows_norm_hvp(&a, &da, &p[6..], &t[6..]);
            (v, [ga.concat(), gx].concat(), [ha.concat(), hx].concat())
        },
    );
    // a: 2 x 2, x: 2.
    let (p, t) = (&p[..6], &t[..6]);
    check_all(
        "quadratic_form",
        p,
        t,
        |p| quadratic_form(rows_of(&p[..4], 2), &p[4..]),
        |p| {
            let (v, ga, gx) = quadratic_form_grad(rows_of(&p[..4], 2), &p[4..]);
            (v, [ga.concat(), gx].concat())
        },
        |p, t| quadratic_form_jvp(rows_of(&p[..4], 2), rows_of(&t[..4], 2), &p[4..], &t[4..]),
        |p, t| {
            let (a, da) = (rows_of(&p[..4], 2), rows_of(&t[..4], 2));
            let (v, ga, gx, ha, hx) = quadratic_form_hvp(a, da, &p[4..], &t[4..]);
            (v, [ga.concat(), gx].concat(), [ha.concat(), hx].concat())
        },
    );
    check_all(
        "local_grid",
        &[0.5, -1.0, 0.8],
        &[0.3, 0.2, -0.4],
        local_grid,
        local_grid_grad,
        local_grid_jvp,
        local_grid_hvp,
    );
    let arr3 = |p: &[f64]| [p[0], p[1], p[2]];
    check_all(
        "rows_built",
        &[0.5, -1.0, 0.8],
        &[0.3, 0.2, -0.4],
        |p| rows_built(arr3(p)),
        |p| {
            let (v, g) = rows_built_grad(arr3(p));
            (v, g.to_vec())
        },
        |p, t| rows_built_jvp(arr3(p), arr3(t)),
        |p, t| {
            let (v, g, h) = rows_built_hvp(arr3(p), arr3(t));
            (v, g.to_vec(), h.to_vec())
        },
    );
    // u0: 3 x 4, k.
    let p: Vec<f64> = (0..13).map(|i| (0.37 * i as f64).sin()).collect();
    let t: Vec<f64> = (0..13).map(|i| (0.53 * i as f64 + 1.0).cos()).collect();
    check_all(
        "laplace",
        &p,
        &t,
        |p| laplace(&rows_of(&p[..12], 4), p[12]),
        |p| {
            let (v, gu, gk) = laplace_grad(&rows_of(&p[..12], 4), p[12]);
            (v, [gu.concat(), vec![gk]].concat())
        },
        |p, t| laplace_jvp(&rows_of(&p[..12], 4), &rows_of(&t[..12], 4), p[12], t[12]),
        |p, t| {
            let (u, du) = (rows_of(&p[..12], 4), rows_of(&t[..12], 4));
            let (v, gu, gk, hu, hk) = laplace_hvp(&u, &du, p[12], t[12]);
            (
                v,
                [gu.concat(), vec![gk]].concat(),
                [hu.concat(), vec![hk]].concat(),
            )
        },
    );
}

/// A 2-D parameter left out of `wrt(...)` but written with active values:
/// its tangent starts at zero.
#[differentiate(wrt(x))]
fn scratch_rows(x: &[f64], mut work: Vec<Vec<f64>>, scale: [[f64; 2]; 2]) -> f64 {
    for i in 0..work.len() {
        for j in 0..work[i].len() {
            work[i][j] += scale[i % 2][j % 2] * x[(i + j) % x.len()];
        }
    }
    let mut s = 0.0;
    for i in 0..work.len() {
        s += dot(&work[i], &work[i]) * x[0];
    }
    s
}

#[differentiate]
fn trace32(m: [[f32; 3]; 2], k: f32) -> f32 {
    let mut s = 0.0;
    for i in 0..2 {
        s += m[i][i] * m[i][i + 1] * k;
    }
    s
}

#[differentiate]
fn rows_sq<T: ad::Real>(a: &[Vec<T>], x: &[T]) -> T {
    let mut s = T::ZERO;
    for r in 0..a.len() {
        s += sum_sq(&a[r]) * x[r];
    }
    s
}

/// A 2-D result: the outer product `x y^T`, scaled.
#[differentiate]
fn outer(x: &[f64], y: [f64; 2], k: f64) -> Vec<Vec<f64>> {
    let mut o = vec![vec![0.0; 2]; x.len()];
    for i in 0..x.len() {
        for j in 0..2 {
            o[i][j] = k * x[i] * y[j].sin();
        }
    }
    o
}

#[differentiate]
fn gram(a: [[f64; 3]; 2]) -> [[f64; 2]; 2] {
    let mut g = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            g[i][j] = dot(&a[i], &a[j]);
        }
    }
    g
}

/// A tuple result with a 2-D member.
#[differentiate]
fn grid_and_sum(x: &[f64]) -> (Vec<Vec<f64>>, f64) {
    let g = outer(x, [x[0], x[1]], 2.0);
    let mut s = 0.0;
    for i in 0..g.len() {
        s += g[i][0] * g[i][1];
    }
    (g, s)
}

/// 2-D results read back by element, whole rows passed on.
#[differentiate]
fn results_read_back(x: &[f64]) -> f64 {
    let o = outer(x, [x[1], x[0]], x[2]);
    let g = gram([[x[0], x[1], x[2]], [o[0][1], o[1][0], o[2][1]]]);
    let (h, s) = grid_and_sum(&x[1..]);
    o[1][1] * g[0][1] + dot(&o[2], &h[1]) + s * det2(g)
}

#[test]
fn two_d_arrays_left_out_of_wrt_f32_and_generic() {
    let work = rows_of(&[0.5, -0.2, 0.3, 1.0, 0.1, -0.7], 2);
    let scale = [[1.0, 0.5], [-0.5, 2.0]];
    check_all(
        "scratch_rows",
        &[0.7, -1.1],
        &[0.4, 0.9],
        |p| scratch_rows(p, work.clone(), scale),
        |p| scratch_rows_grad(p, work.clone(), scale),
        |p, t| scratch_rows_jvp(p, t, work.clone(), scale),
        |p, t| scratch_rows_hvp(p, t, work.clone(), scale),
    );
    // s = k (m00 m01 + m11 m12): by hand.
    let m = [[0.5f32, -1.0, 2.0], [0.25, 1.5, -0.5]];
    let (v, gm, gk) = trace32_grad(m, 2.0);
    assert_eq!(v, trace32(m, 2.0));
    assert_eq!(gm, [[-2.0, 1.0, 0.0], [0.0, -1.0, 3.0]]);
    // m00 m01 + m11 m12 = 0.5 (-1) + 1.5 (-0.5)
    assert_eq!(gk, -0.5 - 0.75);
    // s = sum_r |a_r|^2 x_r: by hand, in f32 and f64.
    let a = vec![vec![1.0f32, 2.0], vec![-1.0, 0.5]];
    let (v, ga, gx) = rows_sq_grad(&a, &[0.5, 2.0]);
    assert_eq!(v, 0.5 * 5.0 + 2.0 * 1.25);
    assert_eq!(ga, [vec![1.0, 2.0], vec![-4.0, 2.0]]);
    assert_eq!(gx, [5.0, 1.25]);
    let a64 = vec![vec![1.0, 2.0], vec![-1.0, 0.5]];
    let (_, ga64, _) = rows_sq_grad(&a64, &[0.5, 2.0]);
    assert_eq!(ga64, [vec![1.0, 2.0], vec![-4.0, 2.0]]);
}

#[test]
fn two_d_results() {
    // f_vjp by the dot-product identity <dout, J t> = <J^T dout, t>, with
    // J t from f_jvp, itself against finite differences.
    let (x, y, k) = ([0.5, -1.0, 2.0], [0.3, 1.2], 1.5);
    let (dx, dy, dk) = ([0.2, 0.1, -0.4], [0.7, -0.3], 0.6);
    let (o, dout) = outer_jvp(&x, &dx, y, dy, k, dk);
    assert_eq!(o, outer(&x, y, k));
    let flat = |p: &[f64]| outer(&p[..3], [p[3], p[4]], p[5]).concat();
    let p = [x.as_slice(), &y, &[k]].concat();
    let t = [dx.as_slice(), &dy, &[dk]].concat();
    compare(&dout.concat(), &fd_jvp(flat, &p, &t)).assert_close(1e-7, 1e-7);
    let c = rows_of(&[1.0, -2.0, 0.5, 0.25, -1.5, 3.0], 2);
    let (o2, x_bar, y_bar, k_bar) = outer_vjp(&x, y, k, c.clone());
    assert_eq!(o2, o);
    let lhs = dot_f(&dout.concat(), &c.concat());
    let rhs = dot_f(&x_bar, &dx) + dot_f(&y_bar, &dy) + k_bar * dk;
    assert!((lhs - rhs).abs() < 1e-13, "{lhs} against {rhs}");
    // Several cotangents at once: each as f_vjp gives it.
    let c2 = rows_of(&[0.5, 0.0, -1.0, 2.0, 1.0, 1.0], 2);
    let (o3, rows) = outer_vjp_many(&x, y, k, [c.clone(), c2.clone()]);
    assert_eq!(o3, o);
    assert_eq!(rows[0], (x_bar, y_bar, k_bar));
    let (_, x2, y2, k2) = outer_vjp(&x, y, k, c2);
    assert_eq!(rows[1], (x2, y2, k2));
    // An array result: Gram matrix G = A A^T, so <C, dG> = <(C + C^T) A, dA>.
    let a = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]];
    let cg = [[1.0, -0.5], [2.0, 0.75]];
    let (g, a_bar) = gram_vjp(a, cg);
    assert_eq!(g, [[5.25, -0.5], [-0.5, 2.5625]]);
    let mut by_hand = [[0.0; 3]; 2];
    for i in 0..2 {
        for k in 0..3 {
            for j in 0..2 {
                by_hand[i][k] += (cg[i][j] + cg[j][i]) * a[j][k];
            }
        }
    }
    assert_eq!(a_bar, by_hand);
    let da = [[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]];
    let (_, dg) = gram_jvp(a, da);
    let lhs = dot_f(&dg.concat(), &cg.concat());
    assert!((lhs - dot_f(&a_bar.concat(), &da.concat())).abs() < 1e-13);
    // A tuple result with a 2-D member.
    let (xs, dxs) = ([0.5, -1.0, 2.0], [0.3, 0.2, -0.1]);
    let (_, (dg, ds)) = grid_and_sum_jvp(&xs, &dxs);
    let (cg, cs) = (rows_of(&[1.0, -2.0, 0.5, 0.25, -1.5, 3.0], 2), 0.7);
    let (_, x_bar) = grid_and_sum_vjp(&xs, (cg.clone(), cs));
    let lhs = dot_f(&dg.concat(), &cg.concat()) + ds * cs;
    assert!((lhs - dot_f(&x_bar, &dxs)).abs() < 1e-13);
    // Callers reading them back, in every mode.
    check_all(
        "results_read_back",
        &[0.5, -1.0, 0.8, 0.3],
        &[0.3, 0.2, -0.4, 0.5],
        results_read_back,
        results_read_back_grad,
        results_read_back_jvp,
        results_read_back_hvp,
    );
}

/// A 2-D in/out buffer with `Vec` rows, read and written by element.
#[differentiate]
fn square_rows(x: &[f64], out: &mut [Vec<f64>]) {
    for i in 0..out.len() {
        for j in 0..out[i].len() {
            out[i][j] = out[i][j] * x[i] * out[i][j] + x[j];
        }
    }
}

/// A 2-D buffer of array rows that also returns a value.
#[differentiate]
fn scale_pairs(k: f64, out: &mut [[f64; 2]]) -> f64 {
    for i in 0..out.len() {
        out[i][1] *= k * out[i][0];
    }
    out[0][1]
}

/// A row returned: a copy of a row of a 2-D parameter, sub-slices of rows.
#[differentiate]
fn row_times(a: &[Vec<f64>], k: f64) -> Vec<f64> {
    let mut r = a[1].to_vec();
    for j in 0..r.len() {
        r[j] *= k * a[0][j];
    }
    r
}

/// Local 2-D buffers passed to calls, a row result read back.
#[differentiate]
fn through_2d_buffers(x: &[f64]) -> f64 {
    let mut m = vec![vec![0.5; 2]; 2];
    square_rows(x, &mut m);
    let mut p = [[x[0], 1.0], [x[1], -0.5]];
    let s = scale_pairs(x[1], &mut p);
    let r = row_times(&m, s);
    m[0][1] * m[1][1] + p[1][1] * s + r[0] * r[1]
}

#[test]
fn two_d_buffers_and_rows_returned() {
    // The buffer functions themselves: f_jvp against finite differences,
    // f_vjp by the dot-product identity.
    let (x, dx) = ([0.5, 2.0], [0.3, -0.4]);
    let m0 = rows_of(&[1.0, 2.0, 3.0, 4.0], 2);
    let dm0 = rows_of(&[0.2, -0.1, 0.5, 0.3], 2);
    let (mut m, mut dm) = (m0.clone(), dm0.clone());
    square_rows_jvp(&x, &dx, &mut m, &mut dm);
    let f = |p: &[f64]| {
        let mut m = rows_of(&p[2..], 2);
        square_rows(&p[..2], &mut m);
        m.concat()
    };
    let p = [x.as_slice(), &m0.concat()].concat();
    let t = [dx.as_slice(), &dm0.concat()].concat();
    assert_eq!(m.concat(), f(&p));
    compare(&dm.concat(), &fd_jvp(f, &p, &t)).assert_close(1e-7, 1e-7);
    let c = rows_of(&[1.0, -0.5, 2.0, 0.25], 2);
    let (mut m2, mut m_bar) = (m0.clone(), c.clone());
    let x_bar = square_rows_vjp(&x, &mut m2, &mut m_bar);
    assert_eq!(m2, m);
    let lhs = dot_f(&dm.concat(), &c.concat());
    let rhs = dot_f(&x_bar, &dx) + dot_f(&m_bar.concat(), &dm0.concat());
    assert!((lhs - rhs).abs() < 1e-13, "{lhs} against {rhs}");
    // out = [[1, 2], [3, 4]], k = 0.5: out[i][1] = 2 * 0.5 * 1, 4 * 0.5 * 3.
    let mut out = [[1.0, 2.0], [3.0, 4.0]];
    let mut out_bar = [[0.0, 1.0], [1.0, 1.0]];
    let (v, k_bar) = scale_pairs_vjp(0.5, &mut out, &mut out_bar, 1.0);
    assert_eq!((v, out), (1.0, [[1.0, 1.0], [3.0, 6.0]]));
    // The final out[0][1] has cotangent 2 (the result's seed and its own),
    // out[1][1] 1: out_bar[i][0] = seed + c_i k out[i][1], out_bar[i][1] =
    // c_i k out[i][0], k_bar = sum c_i out[i][0] out[i][1].
    assert_eq!(k_bar, 2.0 * 2.0 + 12.0);
    assert_eq!(
        out_bar,
        [[2.0 * 0.5 * 2.0, 2.0 * 0.5], [1.0 + 0.5 * 4.0, 0.5 * 3.0]]
    );
    check_all(
        "through_2d_buffers",
        &[0.5, -1.2],
        &[0.3, 0.8],
        through_2d_buffers,
        through_2d_buffers_grad,
        through_2d_buffers_jvp,
        through_2d_buffers_hvp,
    );
}

/// A slice of array rows, passed whole and as a range of rows.
#[differentiate]
fn pair_sum(p: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() {
        s += p[i][0] * p[i][1];
    }
    s
}

/// A `Vec` of array rows by value; an array row copied and written.
#[differentiate]
fn vec_of_arrays(v: Vec<[f64; 3]>, k: f64) -> f64 {
    let m = [[v[0][0], k], [v[1][2], v[0][1]]];
    let mut row = m[1];
    row[0] *= k;
    pair_sum(&m) + pair_sum(&m[1..]) + row[0] * row[1] + v[1][1].sin()
}

/// A 2-D array beside a nalgebra vector.
#[differentiate]
fn with_nalgebra(w: &DVector<f64>, a: &[Vec<f64>]) -> f64 {
    let mut s = w[0] * a[0][1];
    for i in 0..a.len() {
        s += a[i][0] * w[1] * a[i][1];
    }
    s * s
}

#[test]
fn two_d_slices_of_array_rows_and_nalgebra() {
    let split = |p: &[f64]| vec![[p[0], p[1], p[2]], [p[3], p[4], p[5]]];
    let p = [0.5, -1.0, 2.0, 1.5, 0.3, -0.7, 0.8];
    let t = [0.3, 0.2, -0.4, 0.5, -0.1, 0.6, 0.7];
    check_all(
        "vec_of_arrays",
        &p,
        &t,
        |p| vec_of_arrays(split(p), p[6]),
        |p| {
            let (v, gv, gk) = vec_of_arrays_grad(split(p), p[6]);
            (v, [gv.concat(), vec![gk]].concat())
        },
        |p, t| vec_of_arrays_jvp(split(p), split(t), p[6], t[6]),
        |p, t| {
            let (v, gv, gk, hv, hk) = vec_of_arrays_hvp(split(p), split(t), p[6], t[6]);
            (
                v,
                [gv.concat(), vec![gk]].concat(),
                [hv.concat(), vec![hk]].concat(),
            )
        },
    );
    let split = |p: &[f64]| (DVector::from_column_slice(&p[..2]), rows_of(&p[2..], 2));
    let (p, t) = (&p[..6], &t[..6]);
    check_all(
        "with_nalgebra",
        p,
        t,
        |p| {
            let (w, a) = split(p);
            with_nalgebra(&w, &a)
        },
        |p| {
            let (w, a) = split(p);
            let (v, gw, ga) = with_nalgebra_grad(&w, &a);
            (v, [gw.as_slice(), &ga.concat()].concat())
        },
        |p, t| {
            let ((w, a), (dw, da)) = (split(p), split(t));
            with_nalgebra_jvp(&w, &dw, &a, &da)
        },
        |p, t| {
            let ((w, a), (dw, da)) = (split(p), split(t));
            let (v, gw, ga, hw, ha) = with_nalgebra_hvp(&w, &dw, &a, &da);
            (
                v,
                [gw.as_slice(), &ga.concat()].concat(),
                [hw.as_slice(), &ha.concat()].concat(),
            )
        },
    );
}

/// 2-D locals built from rows inside a branch (hoisted by reverse mode, so
/// assigned in place; found by the randomized `calls` family: the tangent
/// of `g = vec![row; m]` built the rows a second time, moving them twice).
#[differentiate]
fn rows_in_a_branch(v: Vec<f64>, mut a: f64) -> f64 {
    if a < 0.71 {
        let row = vec![a, v[0]];
        let mut g1 = vec![vec![0.0; 3]; 2];
        let g2 = vec![row; 2];
        let g3 = [[a, a * a], [v[1], 1.0]];
        for i in 0..2 {
            for j in 0..3 {
                g1[i][j] = (a * -v[v.len() - 1]).atan() * g2[i][j % 2] + g3[j % 2][i];
            }
        }
        for i in 0..2 {
            for j in 0..3 {
                a = a * 0.83 + g1[i][j].atan();
            }
        }
    }
    a
}

#[test]
fn two_d_locals_built_in_a_branch() {
    let split = |p: &[f64]| (vec![p[0], p[1]], p[2]);
    check_all(
        "rows_in_a_branch",
        &[0.5, -0.3, 0.4],
        &[0.2, 0.7, -0.5],
        |p| {
            let (v, a) = split(p);
            rows_in_a_branch(v, a)
        },
        |p| {
            let (v, a) = split(p);
            let (r, gv, ga) = rows_in_a_branch_grad(v, a);
            (r, [gv, vec![ga]].concat())
        },
        |p, t| {
            let ((v, a), (dv, da)) = (split(p), split(t));
            rows_in_a_branch_jvp(v, dv, a, da)
        },
        |p, t| {
            let ((v, a), (dv, da)) = (split(p), split(t));
            let (r, gv, ga, hv, ha) = rows_in_a_branch_hvp(v, dv, a, da);
            (r, [gv, vec![ga]].concat(), [hv, vec![ha]].concat())
        },
    );
}

/// Found by the randomized `calls` family: rows that read no active value
/// beside active ones in a 2-D argument (their zero tangents read them
/// after the array was built), and the copy of a member of a helper's
/// result that reads no active value, written with active values (it was
/// not known to be an array).
#[differentiate(wrt(k))]
fn inactive_rows_and_members(x: &[f64], k: f64) -> f64 {
    let r = rows_norm(
        &[vec![x[0], k], vec![x[1], x[2]], vec![k * k, 0.5]],
        &[k, x[0]],
    );
    let (v, s) = squares_and_sum(x);
    let mut y = v.to_vec();
    for i in 0..y.len() {
        y[i] += k * s * y[(i + 1) % y.len()];
    }
    r + y[0] * y[1] * k
}

#[test]
fn inactive_rows_and_copied_members() {
    let x = [0.5, -1.0, 0.8];
    check_all(
        "inactive_rows_and_members",
        &[0.7],
        &[1.0],
        |p| inactive_rows_and_members(&x, p[0]),
        |p| {
            let (v, g) = inactive_rows_and_members_grad(&x, p[0]);
            (v, vec![g])
        },
        |p, t| inactive_rows_and_members_jvp(&x, p[0], t[0]),
        |p, t| {
            let (v, g, h) = inactive_rows_and_members_hvp(&x, p[0], t[0]);
            (v, vec![g], vec![h])
        },
    );
}

// ----- cotangent destinations ---------------------------------------------------
//
// Reverse mode lends a helper's pullback the caller's cotangent of each
// array passed borrowed; parts of one array passed together are lent
// together when disjoint (`lend2`, `lend3`) and the others' cotangents come
// back as values (overlapping parts, a fourth part, a `&Vec` parameter).

#[differentiate]
fn three(a: &[f64], b: &[f64], c: &[f64]) -> f64 {
    a[0] * b[0] + (b[1] * c[0]).sin() + c[1] * a[1] * a[0]
}

#[differentiate]
fn four(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> f64 {
    three(a, b, c) * d[1] + d[0]
}

#[allow(clippy::ptr_arg)] // (a `&Vec` parameter takes no destination)
#[differentiate]
fn weigh(v: &Vec<f64>, k: f64) -> f64 {
    v[0] * k + v[1] * v[1]
}

#[differentiate]
fn generic_dot<T: ad::Real>(a: &[T], b: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn lends(x: &[f64], w: f64) -> f64 {
    let v = vec![w * x[0], x[1] + w];
    let mut s = three(&x[..2], &x[2..4], &x[4..6]);
    s += three(&x[1..3], &x[..2], &x[3..]);
    s += 0.5 * three(&x[4..], &x[2..4], &x[4..]);
    s += four(&x[..2], &x[2..4], &x[4..6], &x[..2]);
    s += weigh(&v, w) + generic_dot(&x[..3], &x[3..]);
    s += generic_dot(&v, &x[..2]) * three(&v, &v, &x[1..]);
    s
}

#[test]
fn destinations_lent_together_or_returned() {
    let p = [0.3, -0.7, 0.5, 1.1, -0.4, 0.8, 0.6];
    let t = [0.2, 0.5, -0.3, 0.1, 0.7, -0.6, 0.4];
    check_all(
        "lends",
        &p,
        &t,
        |p| lends(&p[..6], p[6]),
        |p| {
            let (v, gx, gw) = lends_grad(&p[..6], p[6]);
            (v, [gx, vec![gw]].concat())
        },
        |p, t| lends_jvp(&p[..6], &t[..6], p[6], t[6]),
        |p, t| {
            let (v, gx, gw, hx, hw) = lends_hvp(&p[..6], &t[..6], p[6], t[6]);
            (v, [gx, vec![gw]].concat(), [hx, vec![hw]].concat())
        },
    );
    // The reverse mode with another output cotangent: scaled.
    let (v, gx, gw) = lends_vjp(&p[..6], p[6], -2.5);
    let (_, gx1, gw1) = lends_grad(&p[..6], p[6]);
    assert_eq!(v, lends(&p[..6], p[6]));
    compare(&gx, &gx1.iter().map(|g| -2.5 * g).collect::<Vec<_>>()).assert_close(1e-14, 1e-14);
    assert!((gw + 2.5 * gw1).abs() < 1e-13 * (1.0 + gw1.abs()));
}

// Inactive arrays passed to parameters the helpers differentiate: the
// pullbacks add their cotangents into a scratch buffer of the caller's,
// reused by each call (of another length on each round of the loop), and
// nothing reaches the gradient from them.

#[differentiate]
fn pick(x: &[f64], k: &[usize]) -> f64 {
    x[k[0]] * x[k[1]] + x[k[0] + 1]
}

#[differentiate(wrt(x))]
fn with_data(x: &[f64], data: &[f64], idx: &[usize]) -> f64 {
    let w = [0.5, 1.5];
    let mut s = three(&w, &x[1..3], &w);
    for t in 0..3 {
        s += three(&x[..2], &data[t..], &x[2..4]) * data[t];
        s += generic_dot(&data[2 * t..2 * t + 2], &x[t..t + 2]);
        s += pick(x, &idx[t..]);
    }
    s + generic_dot(data, &x[..data.len()])
}

#[test]
fn inactive_arrays_passed_to_active_parameters() {
    let data = [0.4, -0.9, 1.3, 0.2, -0.5, 0.7];
    let idx = [3, 0, 4, 1, 2];
    let p = [0.3, -0.7, 0.5, 1.1, -0.4, 0.8, 0.6];
    let t = [0.2, 0.5, -0.3, 0.1, 0.7, -0.6, 0.4];
    check_all(
        "with_data",
        &p,
        &t,
        |p| with_data(p, &data, &idx),
        |p| with_data_grad(p, &data, &idx),
        |p, t| with_data_jvp(p, t, &data, &idx),
        |p, t| with_data_hvp(p, t, &data, &idx),
    );
    let (v, g) = with_data_vjp(&p, &data, &idx, 3.0);
    let (_, g1) = with_data_grad(&p, &data, &idx);
    assert_eq!(v, with_data(&p, &data, &idx));
    compare(&g, &g1.iter().map(|g| 3.0 * g).collect::<Vec<_>>()).assert_close(1e-14, 1e-14);
}
