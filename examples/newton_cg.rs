//! Newton-CG on the extended Rosenbrock function in 10 000 variables, with
//! Hessian-vector products from `#[differentiate]` and no Hessian ever
//! formed; plain gradient descent on the same problem beside it, for
//! contrast.
//!
//! Run: `cargo run --release --example newton_cg`
//!
//! Each Newton step solves `H p = -g` approximately by conjugate gradient
//! (Nocedal & Wright, *Numerical Optimization*, Algorithm 7.1): CG needs only
//! products `H d`, one `rosenbrock_hvp` each, and stops when the residual is
//! below `min(0.5, sqrt(|g|)) |g|` (so the steps become exact Newton steps
//! near the minimum, and convergence superlinear) or when it meets a
//! direction of non-positive curvature. A backtracking line search with the
//! Armijo condition then picks the step length; gradient descent uses the
//! same line search.
//!
//! The function is the extended Rosenbrock function of Moré, Garbow and
//! Hillstrom (1981), `sum_k 100 (x[2k+1] - x[2k]^2)^2 + (1 - x[2k])^2`, with
//! its standard start `(-1.2, 1, -1.2, 1, ...)`. From this start all pairs
//! are alike, so the gradient stays in a two-dimensional invariant subspace
//! of `H` and CG needs at most two products per step.
//!
//! `cargo run --release --example newton_cg -- chained` also runs the same
//! Newton-CG for 300 steps on the *chained* sum over all neighbours,
//! `sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2` (the one of the tests and
//! benchmarks), from the same start. It shows why that one is not the demo:
//! a few steps bring every coordinate to `x_i ~ 0.0102`, where the interior
//! gradient vanishes (`200 c - 2 ~ 0`); from there the region where
//! `x_i ~ 1` grows from `x_0` by about one coordinate every two or three
//! steps, so `f` falls by about 0.4 per step from 9.9e3, and reaching the
//! minimum would take some 20 000 steps. Gradient descent stalls in the same
//! place.

use ad::differentiate;
use std::time::Instant;

/// Extended Rosenbrock (Moré, Garbow and Hillstrom): a sum over the disjoint
/// pairs `(x[2k], x[2k+1])`; minimum 0 at `x = (1, ..., 1)`.
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..x.len() / 2 {
        let a = x[2 * k];
        let b = x[2 * k + 1];
        s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    s
}

/// The chained sum over all neighbours (see the module documentation).
#[differentiate]
fn chained_rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

const N: usize = 10_000;
/// Newton-CG stops when `|g| <` this.
const TOLERANCE: f64 = 1e-8;
/// Armijo's sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;

/// `f_hvp(x, v) -> (f, gradient, H v)`
type Hvp = fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>);

/// An objective with the derivatives `#[differentiate]` generated for it.
struct Objective {
    f: fn(&[f64]) -> f64,
    grad: fn(&[f64]) -> (f64, Vec<f64>),
    hvp: Hvp,
}

const EXTENDED: Objective = Objective {
    f: rosenbrock,
    grad: rosenbrock_grad,
    hvp: rosenbrock_hvp,
};

const CHAINED: Objective = Objective {
    f: chained_rosenbrock,
    grad: chained_rosenbrock_grad,
    hvp: chained_rosenbrock_hvp,
};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// `y += alpha x`
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// The standard start: `-1.2` at even indices, `1` at odd ones.
fn start() -> Vec<f64> {
    (0..N)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

/// A step accepted by the line search.
struct Step {
    alpha: f64,
    x: Vec<f64>,
    f: f64,
}

/// Backtracking line search: the first `alpha` in `1, 1/2, 1/4, ...` with
/// `f(x + alpha p) <= f(x) + ARMIJO alpha g.p`. `p` must be a descent
/// direction (`g.p < 0`).
fn backtrack(obj: &Objective, x: &[f64], f: f64, g: &[f64], p: &[f64]) -> Step {
    let slope = dot(g, p);
    assert!(slope < 0.0, "not a descent direction: g.p = {slope:e}");
    let mut alpha = 1.0;
    for _ in 0..60 {
        let mut trial = x.to_vec();
        axpy(alpha, p, &mut trial);
        let f_trial = (obj.f)(&trial);
        if f_trial <= f + ARMIJO * alpha * slope {
            return Step {
                alpha,
                x: trial,
                f: f_trial,
            };
        }
        alpha *= 0.5;
    }
    panic!("line search failed: no sufficient decrease down to alpha = {alpha:e}");
}

/// Truncated conjugate gradient for `H p = -g`, with the products `H d` from
/// the generated `_hvp`. Returns the step and the number of CG iterations
/// (= Hessian-vector products).
fn newton_direction(obj: &Objective, x: &[f64], g: &[f64]) -> (Vec<f64>, usize) {
    let g_norm = norm(g);
    let tolerance = g_norm.sqrt().min(0.5) * g_norm;
    let mut z = vec![0.0; g.len()]; // the step so far
    let mut r = g.to_vec(); // the residual H z + g
    let mut d: Vec<f64> = g.iter().map(|gi| -gi).collect();
    let mut rr = dot(&r, &r);
    let mut products = 0;
    loop {
        let (_, _, hd) = (obj.hvp)(x, &d);
        products += 1;
        let curvature = dot(&d, &hd);
        if curvature <= 0.0 {
            // Non-positive curvature: keep the step so far, or take steepest
            // descent if this is the first direction.
            return (if products == 1 { d } else { z }, products);
        }
        let alpha = rr / curvature;
        axpy(alpha, &d, &mut z);
        axpy(alpha, &hd, &mut r);
        let rr_new = dot(&r, &r);
        if rr_new.sqrt() < tolerance {
            return (z, products);
        }
        let beta = rr_new / rr;
        rr = rr_new;
        for (d, r) in d.iter_mut().zip(&r) {
            *d = -r + beta * *d;
        }
    }
}

/// Newton-CG from [`start`] until `|g| < TOLERANCE` or `max_steps` steps;
/// returns the final `f` and `|g|`.
fn newton_cg(obj: &Objective, max_steps: usize) -> (f64, f64) {
    println!(" iter             f          |g|   CG its   step alpha       |step|");
    let clock = Instant::now();
    let mut x = start();
    let (mut f, mut g) = (obj.grad)(&x);
    let (mut steps, mut hvps) = (0, 0);
    println!("{steps:5} {f:13.6e} {:12.4e}", norm(&g));
    while norm(&g) >= TOLERANCE && steps < max_steps {
        steps += 1;
        let (p, cg) = newton_direction(obj, &x, &g);
        hvps += cg;
        let step = backtrack(obj, &x, f, &g, &p);
        (x, f) = (step.x, step.f);
        g = (obj.grad)(&x).1;
        if max_steps <= 100 || steps % 50 == 0 {
            println!(
                "{steps:5} {f:13.6e} {:12.4e} {cg:8} {:12} {:12.4e}",
                norm(&g),
                step.alpha,
                step.alpha * norm(&p),
            );
        }
    }
    let max_error = x.iter().map(|xi| (xi - 1.0).abs()).fold(0.0, f64::max);
    println!(
        "Newton-CG: {steps} outer iterations, {hvps} Hessian-vector products, {:.1} ms; \
         f = {f:.3e}, |g| = {:.3e}, max |x_i - 1| = {max_error:.1e}",
        clock.elapsed().as_secs_f64() * 1e3,
        norm(&g)
    );
    (f, norm(&g))
}

/// Gradient descent from [`start`] with the same line search, for `budget`
/// iterations.
fn gradient_descent(obj: &Objective, budget: usize) {
    println!(" iter             f          |g|");
    let clock = Instant::now();
    let mut x = start();
    let (mut f, mut g) = (obj.grad)(&x);
    for iteration in 1..=budget {
        let p: Vec<f64> = g.iter().map(|gi| -gi).collect();
        let step = backtrack(obj, &x, f, &g, &p);
        (x, f) = (step.x, step.f);
        g = (obj.grad)(&x).1;
        if iteration % 500 == 0 {
            println!("{iteration:5} {f:13.6e} {:12.4e}", norm(&g));
        }
    }
    println!(
        "gradient descent after {budget} iterations ({:.1} ms): f = {f:.3e}, |g| = {:.3e}",
        clock.elapsed().as_secs_f64() * 1e3,
        norm(&g)
    );
}

fn main() {
    println!("extended Rosenbrock, n = {N}, start (-1.2, 1, -1.2, 1, ...)\n");
    println!("Newton-CG (H v from rosenbrock_hvp, no Hessian formed)");
    let (f, g_norm) = newton_cg(&EXTENDED, 100);
    println!("\ngradient descent, same start and line search");
    gradient_descent(&EXTENDED, 2000);

    if std::env::args().any(|a| a == "chained") {
        println!("\nthe chained sum over all neighbours, same start: Newton-CG for 300 steps");
        newton_cg(&CHAINED, 300);
    }

    assert!(g_norm < TOLERANCE, "Newton-CG stopped at |g| = {g_norm:e}");
    println!(
        "\nNewton-CG reached |g| = {g_norm:.1e} < {TOLERANCE:e}; final f = {f:.3e} (minimum 0)"
    );
}
