//! Newton-CG on extended Rosenbrock in 10 000 variables, with Hessian-vector
//! products from `#[differentiate]` and no Hessian ever formed; plain
//! gradient descent on the same problem beside it, for contrast.
//!
//! Run: `cargo run --release --example newton_cg`
//!
//! Each Newton step solves `H p = -g` approximately by conjugate gradient
//! (Nocedal & Wright, *Numerical Optimization*, Algorithm 7.1): CG needs only
//! products `H d`, one `rosenbrock_hvp` each, and stops when the residual is
//! below `min(0.5, sqrt(|g|)) |g|` (so steps become exact Newton steps near
//! the minimum, and convergence superlinear) or when it meets a direction of
//! non-positive curvature. A backtracking line search with the Armijo
//! condition then picks the step length.

use ad::differentiate;
use std::time::Instant;

/// Extended Rosenbrock: `sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`,
/// minimum 0 at `x = (1, ..., 1)`.
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
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

/// The classic starting point: `-1.2` at even indices, `1` at odd ones.
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
fn backtrack(x: &[f64], f: f64, g: &[f64], p: &[f64]) -> Step {
    let slope = dot(g, p);
    assert!(slope < 0.0, "not a descent direction: g.p = {slope:e}");
    let mut alpha = 1.0;
    for _ in 0..60 {
        let mut trial = x.to_vec();
        axpy(alpha, p, &mut trial);
        let f_trial = rosenbrock(&trial);
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

/// Truncated conjugate gradient for `H p = -g`, with `H v` from
/// `rosenbrock_hvp`. Returns the step and the number of CG iterations
/// (= Hessian-vector products).
fn newton_direction(x: &[f64], g: &[f64]) -> (Vec<f64>, usize) {
    let g_norm = norm(g);
    let tolerance = g_norm.sqrt().min(std::env::var("ETA").map(|e| e.parse().unwrap()).unwrap_or(0.5)) * g_norm;
    let mut z = vec![0.0; g.len()]; // the solution so far
    let mut r = g.to_vec(); // residual H z + g
    let mut d: Vec<f64> = g.iter().map(|gi| -gi).collect();
    let mut rr = dot(&r, &r);
    for j in 0.. {
        let (_, _, hd) = rosenbrock_hvp(x, &d);
        let curvature = dot(&d, &hd);
        if curvature <= 0.0 {
            // Negative curvature: fall back to what we have, or to steepest
            // descent if it is the first direction.
            return (if j == 0 { d } else { z }, j + 1);
        }
        let alpha = rr / curvature;
        axpy(alpha, &d, &mut z);
        axpy(alpha, &hd, &mut r);
        let rr_new = dot(&r, &r);
        if rr_new.sqrt() < tolerance {
            return (z, j + 1);
        }
        let beta = rr_new / rr;
        rr = rr_new;
        for (d, r) in d.iter_mut().zip(&r) {
            *d = -r + beta * *d;
        }
    }
    unreachable!()
}

fn newton_cg() -> (f64, f64) {
    println!("Newton-CG, n = {N}");
    println!(" iter             f          |g|   CG its   step alpha       |step|");
    let clock = Instant::now();
    let mut x = start();
    let (mut f, mut g) = rosenbrock_grad(&x);
    let mut hvps = 0;
    let mut iteration = 0;
    println!("{iteration:5} {f:13.6e} {:12.4e}", norm(&g));
    while norm(&g) >= TOLERANCE {
        if iteration == 10 || iteration == 100 { println!("x[..8] = {:?} x[n-4..] = {:?}; min {} max {}", &x[..8], &x[N-4..], x.iter().cloned().fold(f64::INFINITY, f64::min), x.iter().cloned().fold(f64::NEG_INFINITY, f64::max)); }
        assert!(iteration < 200, "Newton-CG did not converge");
        iteration += 1;
        let (p, cg) = newton_direction(&x, &g);
        hvps += cg;
        let step = backtrack(&x, f, &g, &p);
        (x, f) = (step.x, step.f);
        g = rosenbrock_grad(&x).1;
        println!(
            "{iteration:5} {f:13.6e} {:12.4e} {cg:8} {:12} {:12.4e}",
            norm(&g),
            step.alpha,
            step.alpha * norm(&p),
        );
    }
    let elapsed = clock.elapsed();
    let max_error = x.iter().map(|xi| (xi - 1.0).abs()).fold(0.0, f64::max);
    println!(
        "Newton-CG: {iteration} outer iterations, {hvps} Hessian-vector products, {:.1} ms; \
         f = {f:.3e}, |g| = {:.3e}, max |x_i - 1| = {max_error:.1e}",
        elapsed.as_secs_f64() * 1e3,
        norm(&g)
    );
    (f, norm(&g))
}

/// Gradient descent with the same line search, for at most `budget`
/// iterations.
fn gradient_descent(budget: usize) {
    println!("\ngradient descent, same start and line search, {budget} iterations");
    println!(" iter             f          |g|");
    let clock = Instant::now();
    let mut x = start();
    let (mut f, mut g) = rosenbrock_grad(&x);
    for iteration in 1..=budget {
        let p: Vec<f64> = g.iter().map(|gi| -gi).collect();
        let step = backtrack(&x, f, &g, &p);
        (x, f) = (step.x, step.f);
        g = rosenbrock_grad(&x).1;
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
    let (f, g_norm) = newton_cg();
    gradient_descent(2000);
    assert!(g_norm < TOLERANCE, "Newton-CG stopped at |g| = {g_norm:e}");
    println!(
        "\nNewton-CG reached |g| = {g_norm:.1e} < {TOLERANCE:e}, final f = {f:.3e} (minimum 0)"
    );
}
