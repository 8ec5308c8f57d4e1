//! Second order: `_hvp` (forward over reverse) against central finite
//! differences of the gradient, symmetry, and Hessians known in closed form.

// Hessians are assembled entry by entry.
#![allow(clippy::needless_range_loop)]

use ad::check::fd_gradient;
use ad::differentiate;

/// f(p, q) = p0 p1 p2 + p3 q^2
#[differentiate]
fn poly(p0: f64, p1: f64, p2: f64, p3: f64, q: f64) -> f64 {
    p0 * p1 * p2 + p3 * q * q
}

/// x^y
#[differentiate]
fn power(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// x^9 by a 3 x 3 nested loop
#[differentiate]
fn ninth(x: f64) -> f64 {
    let mut t = 1.0;
    for _ in 0..3 {
        for _ in 0..3 {
            t *= x;
        }
    }
    t
}

/// Extended Rosenbrock over a slice (single-pass reduction in reverse mode).
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// Branches, divisions, elementary functions and a loop that saves values.
#[differentiate]
fn mixed(x: &[f64], w: f64) -> f64 {
    let mut acc = 1.0;
    for i in 0..x.len() {
        let u = x[i] * w;
        if u > 0.5 {
            acc *= u.sin() + 2.0;
        } else {
            acc = acc / (1.0 + u * u) + u.exp();
        }
    }
    let r = acc.ln() + w.atan2(acc) / x.len() as f64;
    r * r
}

fn hessian_row_from_hvp(hvp: impl Fn(&[f64]) -> Vec<f64>, n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|j| {
            let mut e = vec![0.0; n];
            e[j] = 1.0;
            hvp(&e)
        })
        .collect()
}

#[test]
fn hessian_of_the_polynomial() {
    let (p, q) = ([2.0, 3.0, 5.0, 7.0], 11.0);
    let hvp = |v: &[f64]| {
        let (_, _, _, _, _, _, h0, h1, h2, h3, hq) =
            poly_hvp(p[0], v[0], p[1], v[1], p[2], v[2], p[3], v[3], q, v[4]);
        vec![h0, h1, h2, h3, hq]
    };
    let h = hessian_row_from_hvp(hvp, 5);
    let expected = [
        [0.0, 5.0, 3.0, 0.0, 0.0],
        [5.0, 0.0, 2.0, 0.0, 0.0],
        [3.0, 2.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 22.0],
        [0.0, 0.0, 0.0, 22.0, 14.0],
    ];
    for i in 0..5 {
        for j in 0..5 {
            assert_eq!(h[j][i], expected[i][j], "H[{i}][{j}]");
        }
    }
    // value and gradient come along
    let (v, g0, ..) = poly_hvp(2.0, 0.0, 3.0, 0.0, 5.0, 0.0, 7.0, 0.0, 11.0, 0.0);
    assert_eq!((v, g0), (30.0 + 7.0 * 121.0, 15.0));
}

#[test]
fn hessian_of_x_to_the_y() {
    let (x, y) = (3.0f64, 4.0f64);
    let (_, _, _, hxx, hyx) = power_hvp(x, 1.0, y, 0.0);
    let (_, _, _, hxy, hyy) = power_hvp(x, 0.0, y, 1.0);
    let cross = 27.0 * (1.0 + 4.0 * 3.0f64.ln());
    assert!((hxx - 108.0).abs() < 1e-12, "{hxx}");
    assert!(
        (hxy - cross).abs() < 1e-12 && (hyx - cross).abs() < 1e-12,
        "{hxy} {hyx}"
    );
    let l = 3.0f64.ln();
    assert!((hyy - 81.0 * l * l).abs() < 1e-12, "{hyy}");
}

#[test]
fn second_derivative_through_nested_loops() {
    for x in [3.0f64, 0.7, -1.3] {
        let (v, g, h) = ninth_hvp(x, 1.0);
        assert!((v - x.powi(9)).abs() <= 1e-12 * x.powi(9).abs());
        assert!((g - 9.0 * x.powi(8)).abs() <= 1e-12 * (9.0 * x.powi(8)).abs());
        assert!(
            (h - 72.0 * x.powi(7)).abs() <= 1e-12 * (72.0 * x.powi(7)).abs(),
            "{h}"
        );
    }
}

/// H v against central differences of the gradient, and <u, H v> = <v, H u>.
fn check_hvp(
    name: &str,
    x: &[f64],
    grad: impl Fn(&[f64]) -> Vec<f64>,
    hvp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) {
    let n = x.len();
    let v: Vec<f64> = (0..n).map(|i| ((i as f64) * 1.7 + 0.3).sin()).collect();
    let u: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.9 + 1.1).cos()).collect();
    let hv = hvp(x, &v);
    // d/dt grad(x + t v) at t = 0, 4-point stencil, one gradient component at a time
    for k in 0..n {
        let gk = |t: &[f64]| {
            let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + t[0] * b).collect();
            grad(&p)[k]
        };
        let fd = fd_gradient(gk, &[0.0])[0];
        assert!(
            (hv[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
            "{name}: (H v)[{k}] = {} but finite differences of the gradient give {fd}",
            hv[k]
        );
    }
    let hu = hvp(x, &u);
    let a: f64 = u.iter().zip(&hv).map(|(a, b)| a * b).sum();
    let b: f64 = v.iter().zip(&hu).map(|(a, b)| a * b).sum();
    assert!(
        (a - b).abs() <= 1e-10 * (1.0 + a.abs()),
        "{name}: <u, Hv> = {a}, <v, Hu> = {b}"
    );
}

#[test]
fn rosenbrock_hessian_vector_products() {
    for n in [2usize, 5, 40] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.3 * (i as f64).cos()).collect();
        check_hvp(
            "rosenbrock",
            &x,
            |p| rosenbrock_grad(p).1,
            |p, v| {
                let (val, g, hv) = rosenbrock_hvp(p, v);
                assert_eq!(val, rosenbrock(p));
                assert_eq!(g, rosenbrock_grad(p).1);
                hv
            },
        );
    }
}

#[test]
fn mixed_hessian_vector_products() {
    let x = [0.3, 0.9, -0.4, 1.2, 0.1];
    let w = 0.8;
    let mut p = x.to_vec();
    p.push(w);
    check_hvp(
        "mixed",
        &p,
        |p| {
            let (_, mut gx, gw) = mixed_grad(&p[..5], p[5]);
            gx.push(gw);
            gx
        },
        |p, v| {
            let (_, _, _, mut hx, hw) = mixed_hvp(&p[..5], &v[..5], p[5], v[5]);
            hx.push(hw);
            hx
        },
    );
}

// ----- through calls and custom rules -------------------------------------

#[differentiate]
fn inner(x: f64, y: f64) -> f64 {
    x.sin() * y + x / y
}

#[differentiate]
fn middle(x: f64, n: i32, y: f64) -> f64 {
    inner(x, y).powi(n) + inner(y, 2.0)
}

/// Calls two deep, with inactive and constant arguments, inside a loop.
#[differentiate]
fn outer(p: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() - 1 {
        s += middle(p[i], 2, p[i + 1]);
    }
    s
}

#[test]
fn hvp_through_calls() {
    let p = [0.4, 1.3, -0.8, 2.1];
    check_hvp(
        "outer",
        &p,
        |p| outer_grad(p).1,
        |p, v| {
            let (val, g, hv) = outer_hvp(p, v);
            assert_eq!(val, outer(p));
            assert_eq!(g, outer_grad(p).1);
            hv
        },
    );
}

/// A primitive with hand-written first and second order rules.
#[differentiate(custom(second_order))]
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn sigmoid_of(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn softplus_jvp(x: f64, dx: f64) -> (f64, f64) {
    (softplus(x), sigmoid_of(x) * dx)
}

fn softplus_vjp(x: f64, dout: f64) -> (f64, f64) {
    (softplus(x), sigmoid_of(x) * dout)
}

/// The forward derivative of `softplus_vjp`: ((value, x_bar), (d value, d x_bar)).
fn softplus_vjp_jvp(x: f64, dx: f64, dout: f64, ddout: f64) -> ((f64, f64), (f64, f64)) {
    let s = sigmoid_of(x);
    (
        (softplus(x), s * dout),
        (s * dx, s * (1.0 - s) * dx * dout + s * ddout),
    )
}

#[differentiate]
fn uses_softplus(x: f64, y: f64) -> f64 {
    softplus(x * y) * y
}

#[test]
fn hvp_through_a_custom_rule() {
    let p = [0.7, -1.2];
    check_hvp(
        "uses_softplus",
        &p,
        |p| {
            let (_, gx, gy) = uses_softplus_grad(p[0], p[1]);
            vec![gx, gy]
        },
        |p, v| {
            let (_, _, _, hx, hy) = uses_softplus_hvp(p[0], v[0], p[1], v[1]);
            vec![hx, hy]
        },
    );
}

/// `ln` of a value whose square overflows: `ln`'s second derivative
/// `-1 / x^2` is 0 on its own there, while the term of the HVP it makes,
/// `-(dx / x)^2` times the cotangent, is of order one (here it cancels
/// against the other term, and an HVP that loses it reads 4, not 0).
#[differentiate]
fn ln_of_large(u: f64) -> f64 {
    (u.sinh() * u.sinh() + 1.73).ln()
}

/// The other logarithms, the same way.
#[differentiate]
fn logs_of_large(u: f64) -> f64 {
    let s = u.sinh() * u.sinh();
    (s + 1.73).log(0.5) + s.log2() + s.log10() + s.ln_1p()
}

/// A softmax probability of large logits, no maximum subtracted:
/// `1 / b^2` overflows in the quotient's second partials.
#[differentiate]
fn softmax_of_large(u: f64, v: f64) -> f64 {
    u.exp() / (u.exp() + v.exp())
}

#[test]
fn second_derivatives_where_their_partials_alone_overflow() {
    let fd = |g: &dyn Fn(f64) -> f64, u: f64| {
        let e = 1e-5 * u.abs().max(1.0);
        (g(u + e) - g(u - e)) / (2.0 * e)
    };
    for u in [0.7, 30.0, 255.0, 300.0] {
        let (_, _, h) = ln_of_large_hvp(u, 1.0);
        let h_fd = fd(&|u| ln_of_large_grad(u).1, u);
        assert!(
            (h - h_fd).abs() <= 1e-6 * h_fd.abs().max(1.0),
            "ln at {u}: {h} against {h_fd}"
        );
        let (_, _, h) = logs_of_large_hvp(u, 1.0);
        let h_fd = fd(&|u| logs_of_large_grad(u).1, u);
        assert!(
            (h - h_fd).abs() <= 1e-6 * h_fd.abs().max(1.0),
            "logs at {u}: {h} against {h_fd}"
        );
    }
    // p = sigma(u - v); d2p/du2 = sigma (1 - sigma) (1 - 2 sigma).
    for (u, v) in [(1.0f64, 0.5), (400.0, 399.5), (600.0, 601.0)] {
        let s = 1.0 / (1.0 + (v - u).exp());
        let exact = s * (1.0 - s) * (1.0 - 2.0 * s);
        let (_, _, _, hu, hv) = softmax_of_large_hvp(u, 1.0, v, 0.0);
        assert!(
            (hu - exact).abs() <= 1e-9,
            "softmax at {u}: {hu} against {exact}"
        );
        assert!(
            (hv + exact).abs() <= 1e-9,
            "softmax at {u}: {hv} against {}",
            -exact
        );
    }
}
