//! Dense Hessians and Jacobians (`ad::dense`) assembled from generated
//! `_hvp`, `_jvp` and `_vjp`: against closed forms derived by hand, against
//! finite differences, each mode against the other, and the choice of mode
//! counted in calls.

// Matrices are compared entry by entry.
#![allow(clippy::needless_range_loop)]

use ad::check::{compare, fd_jvp};
use ad::dense::{hessian, jacobian, jacobian_by_columns, jacobian_by_rows};
use ad::differentiate;

/// f(p, q) = p0 p1 p2 + p3 q^2
#[differentiate]
fn poly(p0: f64, p1: f64, p2: f64, p3: f64, q: f64) -> f64 {
    p0 * p1 * p2 + p3 * q * q
}

/// Extended Rosenbrock over a slice.
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// `m` residuals of the `n = x.len() + 1` inputs `(x, y)`; `m` is inactive,
/// so one function gives both shapes, `m < n` and `m > n`:
/// `r_k = sin(x_i y) + (k + 1) x_j^2 - e^y / (1 + x_i^2)`, `i = k mod len`,
/// `j = (k + 1) mod len`.
#[differentiate]
fn residuals(x: &[f64], y: f64, m: usize) -> Vec<f64> {
    let mut r = vec![0.0; m];
    for k in 0..m {
        let i = k % x.len();
        let j = (k + 1) % x.len();
        r[k] = (x[i] * y).sin() + (k as f64 + 1.0) * x[j] * x[j] - y.exp() / (1.0 + x[i] * x[i]);
    }
    r
}

/// The entries of `a` and `b` agree within `tol * (1 + |b|)`.
#[track_caller]
fn assert_matrix_close(what: &str, a: &[Vec<f64>], b: &[Vec<f64>], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: number of rows");
    for i in 0..a.len() {
        assert_eq!(a[i].len(), b[i].len(), "{what}: length of row {i}");
        for j in 0..a[i].len() {
            assert!(
                (a[i][j] - b[i][j]).abs() <= tol * (1.0 + b[i][j].abs()),
                "{what}: entry [{i}][{j}] is {} but the reference is {}",
                a[i][j],
                b[i][j]
            );
        }
    }
}

/// `h` is symmetric within `tol * (1 + |h_ij|)`.
#[track_caller]
fn assert_symmetric(what: &str, h: &[Vec<f64>], tol: f64) {
    for i in 0..h.len() {
        for j in 0..i {
            assert!(
                (h[i][j] - h[j][i]).abs() <= tol * (1.0 + h[i][j].abs()),
                "{what}: H[{i}][{j}] = {} but H[{j}][{i}] = {}",
                h[i][j],
                h[j][i]
            );
        }
    }
}

#[test]
fn dense_hessian_of_the_polynomial_is_exact() {
    let (p, q) = ([2.0, 3.0, 5.0, 7.0], 11.0);
    let h = hessian(5, |v| {
        let (_, _, _, _, _, _, h0, h1, h2, h3, hq) =
            poly_hvp(p[0], v[0], p[1], v[1], p[2], v[2], p[3], v[3], q, v[4]);
        vec![h0, h1, h2, h3, hq]
    });
    // d2/dp0dp1 = p2, d2/dp0dp2 = p1, d2/dp1dp2 = p0, d2/dp3dq = 2q, d2/dq2 = 2 p3.
    let expected = vec![
        vec![0.0, 5.0, 3.0, 0.0, 0.0],
        vec![5.0, 0.0, 2.0, 0.0, 0.0],
        vec![3.0, 2.0, 0.0, 0.0, 0.0],
        vec![0.0, 0.0, 0.0, 0.0, 22.0],
        vec![0.0, 0.0, 0.0, 22.0, 14.0],
    ];
    assert_eq!(h, expected);
}

/// The Hessian of extended Rosenbrock, derived by hand. With
/// `f = sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`, term `i` contributes
/// `d2/dx_i^2 = 1200 x_i^2 - 400 x_{i+1} + 2`, `d2/dx_i dx_{i+1} = -400 x_i`
/// and `d2/dx_{i+1}^2 = 200`; so the Hessian is tridiagonal.
fn rosenbrock_hessian_by_hand(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n {
        if i + 1 < n {
            h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[i][i + 1] = -400.0 * x[i];
            h[i + 1][i] = -400.0 * x[i];
        }
        if i > 0 {
            h[i][i] += 200.0;
        }
    }
    h
}

#[test]
fn dense_hessian_of_rosenbrock_is_the_tridiagonal_one() {
    let x = [0.5, -1.25, 2.0, 0.75, 1.5, -0.3];
    let h = hessian(6, |v| rosenbrock_hvp(&x, v).2);
    let expected = rosenbrock_hessian_by_hand(&x);
    assert_matrix_close("rosenbrock Hessian", &h, &expected, 1e-13);
    assert_symmetric("rosenbrock Hessian", &h, 1e-13);
    // Tridiagonal: nothing outside the three diagonals.
    for i in 0..6usize {
        for j in 0..6 {
            if i.abs_diff(j) > 1 {
                assert_eq!(h[i][j], 0.0, "H[{i}][{j}]");
            }
        }
    }
    // A spot value, worked out on paper: H[1][1] = 1200 * 1.5625 - 400 * 2 + 2 + 200.
    assert_eq!(h[1][1], 1277.0);
    assert_eq!(h[5][5], 200.0);
}

/// The residuals' Jacobian from finite differences: column `j` is `fd_jvp`
/// along `e_j`, so it shares nothing with the generated code.
fn residuals_jacobian_by_fd(x: &[f64], y: f64, m: usize) -> Vec<Vec<f64>> {
    let n = x.len() + 1;
    let mut p = x.to_vec();
    p.push(y);
    let f = |p: &[f64]| residuals(&p[..n - 1], p[n - 1], m);
    let mut j = vec![vec![0.0; n]; m];
    for col in 0..n {
        let mut e = vec![0.0; n];
        e[col] = 1.0;
        let column = fd_jvp(f, &p, &e);
        for row in 0..m {
            j[row][col] = column[row];
        }
    }
    j
}

/// By columns, by rows, by `jacobian` and by finite differences, for
/// `n = 4` inputs and `m` outputs; returns how many times `jacobian` called
/// the `jvp` and the `vjp` closures.
fn residuals_jacobians_agree(m: usize) -> (usize, usize) {
    let x = [0.4, -1.1, 0.8];
    let y = 0.6;
    let n = x.len() + 1;
    let jvp = |v: &[f64]| residuals_jvp(&x, &v[..n - 1], y, v[n - 1], m).1;
    let vjp = |w: &[f64]| {
        let (_, mut xb, yb) = residuals_vjp(&x, y, m, w.to_vec());
        xb.push(yb);
        xb
    };

    let by_columns = jacobian_by_columns(m, n, jvp);
    let by_rows = jacobian_by_rows(m, n, vjp);
    assert_eq!(by_columns.len(), m);
    assert!(by_columns.iter().all(|row| row.len() == n));
    let fd = residuals_jacobian_by_fd(&x, y, m);
    assert_matrix_close(
        &format!("m = {m}: columns vs rows"),
        &by_columns,
        &by_rows,
        1e-14,
    );
    assert_matrix_close(&format!("m = {m}: columns vs fd"), &by_columns, &fd, 1e-9);
    assert_matrix_close(&format!("m = {m}: rows vs fd"), &by_rows, &fd, 1e-9);

    let (mut jvp_calls, mut vjp_calls) = (0, 0);
    let chosen = jacobian(
        m,
        n,
        |v| {
            jvp_calls += 1;
            jvp(v)
        },
        |w| {
            vjp_calls += 1;
            vjp(w)
        },
    );
    assert_matrix_close(&format!("m = {m}: jacobian vs fd"), &chosen, &fd, 1e-9);
    (jvp_calls, vjp_calls)
}

#[test]
fn jacobian_of_a_wide_function_goes_by_rows() {
    // m = 2 outputs < n = 4 inputs: two reverse passes.
    assert_eq!(residuals_jacobians_agree(2), (0, 2));
}

#[test]
fn jacobian_of_a_tall_function_goes_by_columns() {
    // m = 7 outputs > n = 4 inputs: four forward passes.
    assert_eq!(residuals_jacobians_agree(7), (4, 0));
}

#[test]
fn jacobian_of_a_square_function_goes_by_columns() {
    assert_eq!(residuals_jacobians_agree(4), (4, 0));
}

#[test]
fn residuals_jacobian_entry_by_hand() {
    // r_0 = sin(x_0 y) + x_1^2 - e^y / (1 + x_0^2): dr_0/dy = x_0 cos(x_0 y) - e^y / (1 + x_0^2).
    let (x, y) = ([0.4, -1.1, 0.8], 0.6f64);
    let j = jacobian_by_rows(2, 4, |w| {
        let (_, mut xb, yb) = residuals_vjp(&x, y, 2, w.to_vec());
        xb.push(yb);
        xb
    });
    let by_hand = x[0] * (x[0] * y).cos() - y.exp() / (1.0 + x[0] * x[0]);
    compare(&[j[0][3], j[0][1]], &[by_hand, 2.0 * x[1]]).assert_close(1e-14, 1e-14);
    assert_eq!(j[0][2], 0.0, "r_0 does not read x_2");
}

/// Branches, divisions, elementary functions and saved values: the dense
/// Hessian against the Jacobian of the gradient by finite differences.
#[differentiate]
fn assorted(x: &[f64], w: f64) -> f64 {
    let mut acc = w.tanh();
    let mut prod = 1.0;
    for i in 0..x.len() {
        let u = x[i] * w + 0.1 * i as f64;
        if u > 0.2 {
            acc += u.sqrt() * x[i].atan2(w) / (1.0 + u);
        } else {
            acc -= (u * u).exp().ln_1p() * x[i].hypot(w);
        }
        prod *= 1.0 + 0.1 * x[i].sin();
    }
    let r = acc.powf(2.0) + prod.powi(3) / w + x[0].mul_add(w, x[1]).cbrt();
    r * r.cos()
}

#[test]
fn dense_hessian_matches_finite_differences_of_the_gradient() {
    let x = [0.3, 0.9, -0.4, 1.2, 0.1];
    let w = 0.8;
    let n = x.len() + 1;
    let mut p = x.to_vec();
    p.push(w);
    let h = hessian(n, |v| {
        let (_, _, _, mut hx, hw) = assorted_hvp(&x, &v[..n - 1], w, v[n - 1]);
        hx.push(hw);
        hx
    });
    let grad = |p: &[f64]| {
        let (_, mut gx, gw) = assorted_grad(&p[..n - 1], p[n - 1]);
        gx.push(gw);
        gx
    };
    for i in 0..n {
        let mut e = vec![0.0; n];
        e[i] = 1.0;
        compare(&h[i], &fd_jvp(grad, &p, &e)).assert_close(1e-7, 1e-7);
    }
    assert_symmetric("assorted Hessian", &h, 1e-12);
}
