//! Helper functions over 2-D arrays (`[[f64; N]; M]`, `Vec<Vec<f64>>`,
//! `&[Vec<f64>]`): calls that pass and return them, rows and elements, in
//! every mode against central finite differences (split from
//! `tests/helpers.rs`).

use ad::check::{compare, fd_jvp};
use ad::differentiate;
use ad::nalgebra::DVector;

#[path = "common/flat.rs"]
mod flat;
use flat::{check_all, dot_f};

// ----- the 1-D helpers the 2-D ones call (as in `tests/helpers.rs`) ----------------

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiate]
fn sum_sq<T: ad::Real>(a: &[T]) -> T {
    let mut s = T::ZERO;
    for i in 0..a.len() {
        s += a[i] * a[i];
    }
    s
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

// ----- rows pushed onto a `Vec` of rows ---------------------------------------------

#[differentiate]
fn update_rows(w: &mut [Vec<f64>], g: &[Vec<f64>], lr: f64) {
    for i in 0..w.len() {
        for j in 0..w[i].len() {
            w[i][j] -= lr * g[i][j];
        }
    }
}

/// A `Vec<Vec<f64>>` collected from nested iterator chains (each row a
/// `Vec` built in a loop, then pushed) and one grown by `push` of a row in
/// a branch, passed to a helper; `lr` left out of `wrt`.
#[differentiate(wrt(w0))]
fn collected_rows(w0: &[Vec<f64>], lr: f64) -> f64 {
    let g: Vec<Vec<f64>> = w0
        .iter()
        .map(|row| row.iter().map(|v| v.sin()).collect())
        .collect();
    let mut h: Vec<Vec<f64>> = Vec::new();
    for i in 0..w0.len() {
        let mut row = vec![0.0; w0[i].len()];
        for j in 0..row.len() {
            row[j] = w0[i][j] * g[i][j];
        }
        if i % 2 == 0 {
            h.push(row);
        } else {
            let twice = vec![2.0 * row[0]; row.len()];
            h.push(twice);
        }
    }
    let mut w = w0.to_vec();
    update_rows(&mut w, &h, lr);
    let mut s = g[0][0] * g[1][1];
    for row in &w {
        for v in row {
            s += v * v;
        }
    }
    s
}

#[test]
fn rows_pushed_onto_a_vec_of_rows() {
    let rows = |p: &[f64]| -> Vec<Vec<f64>> { p.chunks(3).map(<[f64]>::to_vec).collect() };
    let lr = 0.3;
    check_all(
        "collected_rows",
        &[0.5, -0.3, 0.4, 1.1, 0.2, -0.7],
        &[0.2, 0.7, -0.5, 0.1, -0.4, 0.3],
        |p| collected_rows(&rows(p), lr),
        |p| {
            let (r, g) = collected_rows_grad(&rows(p), lr);
            (r, g.concat())
        },
        |p, t| collected_rows_jvp(&rows(p), &rows(t), lr),
        |p, t| {
            let (r, g, hv) = collected_rows_hvp(&rows(p), &rows(t), lr);
            (r, g.concat(), hv.concat())
        },
    );
}
