//! nalgebra values in every mode: whole functions against finite differences.

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

#[differentiate]
fn quad(a: &DMatrix<f64>, x: &DVector<f64>) -> f64 {
    let y = a * x;
    y.dot(&y)
}

#[test]
fn quad_gradient_is_analytic() {
    let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let x = DVector::from_vec(vec![1.0, -1.0, 0.5]);
    let (v, ab, xb) = quad_grad(&a, &x);
    let y = &a * &x;
    assert!((v - y.dot(&y)).abs() < 1e-12);
    // d/dA = 2 y x^T, d/dx = 2 A^T y
    let ab_ref = &y * x.transpose() * 2.0;
    let xb_ref = a.transpose() * &y * 2.0;
    assert!((ab - ab_ref).norm() < 1e-12);
    assert!((xb - xb_ref).norm() < 1e-12);
}

use ad::nalgebra::RowDVector;
use ad::nn;

/// A deterministic matrix with entries in [-1, 1].
fn pseudo(r: usize, c: usize, seed: u64) -> DMatrix<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    DMatrix::from_fn(r, c, |_, _| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}

fn column(v: DMatrix<f64>) -> DVector<f64> {
    DVector::from_column_slice(v.as_slice())
}

/// Central differences of `f` in every entry of the parameters (flattened
/// column-major, one after the other).
fn fd_gradient(params: &[DMatrix<f64>], f: impl Fn(&[DMatrix<f64>]) -> f64) -> Vec<f64> {
    let h = 1e-6;
    let mut out = Vec::new();
    for k in 0..params.len() {
        for i in 0..params[k].len() {
            let mut p = params.to_vec();
            p[k][i] += h;
            let up = f(&p);
            p[k][i] -= 2.0 * h;
            let down = f(&p);
            out.push((up - down) / (2.0 * h));
        }
    }
    out
}

fn flatten(parts: &[&[f64]]) -> Vec<f64> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs() / (1.0 + w.abs());
        assert!(
            err < tol,
            "{what}[{i}]: got {g}, want {w} (error {err:.2e})"
        );
    }
}

#[path = "../models/mlp.rs"]
#[allow(dead_code)]
mod mlp;
use mlp::{mlp_grad_by_hand, mlp_loss, mlp_loss_grad, mlp_loss_hvp, mlp_loss_jvp, mlp_loss_vjp};

struct Mlp {
    x: DMatrix<f64>,
    ones: RowDVector<f64>,
    labels: Vec<usize>,
    params: Vec<DMatrix<f64>>,
}

fn mlp_problem() -> Mlp {
    let (d, hidden, classes, batch) = (3, 5, 4, 6);
    Mlp {
        x: pseudo(d, batch, 1),
        ones: RowDVector::from_element(batch, 1.0),
        labels: (0..batch).map(|j| (j * 7 + 1) % classes).collect(),
        params: vec![
            pseudo(hidden, d, 2),
            pseudo(hidden, 1, 3),
            pseudo(classes, hidden, 4),
            pseudo(classes, 1, 5),
        ],
    }
}

impl Mlp {
    fn loss(&self, p: &[DMatrix<f64>]) -> f64 {
        mlp_loss(
            &p[0],
            &column(p[1].clone()),
            &p[2],
            &column(p[3].clone()),
            &self.x,
            &self.ones,
            &self.labels,
        )
    }
}

#[test]
fn mlp_gradient_matches_finite_differences() {
    let m = mlp_problem();
    let p = &m.params;
    let (b1, b2) = (column(p[1].clone()), column(p[3].clone()));
    let (v, gw1, gb1, gw2, gb2) = mlp_loss_grad(&p[0], &b1, &p[2], &b2, &m.x, &m.ones, &m.labels);
    assert!((v - m.loss(p)).abs() < 1e-14);
    let got = flatten(&[
        gw1.as_slice(),
        gb1.as_slice(),
        gw2.as_slice(),
        gb2.as_slice(),
    ]);
    let want = fd_gradient(p, |q| m.loss(q));
    assert_close("mlp gradient", &got, &want, 1e-7);
    // and hand-written backpropagation
    let (vh, h1, hb1, h2, hb2) = mlp_grad_by_hand(&p[0], &b1, &p[2], &b2, &m.x, &m.ones, &m.labels);
    assert!((v - vh).abs() < 1e-14);
    let hand = flatten(&[h1.as_slice(), hb1.as_slice(), h2.as_slice(), hb2.as_slice()]);
    assert_close("mlp gradient by hand", &got, &hand, 1e-12);
}

#[test]
fn mlp_jvp_and_vjp_agree() {
    let m = mlp_problem();
    let p = &m.params;
    let (b1, b2) = (column(p[1].clone()), column(p[3].clone()));
    let t = (
        pseudo(5, 3, 11),
        column(pseudo(5, 1, 12)),
        pseudo(4, 5, 13),
        column(pseudo(4, 1, 14)),
    );
    let (v, jt) = mlp_loss_jvp(
        &p[0], &t.0, &b1, &t.1, &p[2], &t.2, &b2, &t.3, &m.x, &m.ones, &m.labels,
    );
    let c = 0.7;
    let (v2, bw1, bb1, bw2, bb2) =
        mlp_loss_vjp(&p[0], &b1, &p[2], &b2, &m.x, &m.ones, &m.labels, c);
    assert_eq!(v, v2);
    // <J t, c> = <t, J^T c>
    let rhs = t.0.dot(&bw1) + t.1.dot(&bb1) + t.2.dot(&bw2) + t.3.dot(&bb2);
    assert!(
        (jt * c - rhs).abs() < 1e-12 * (1.0 + rhs.abs()),
        "{} vs {rhs}",
        jt * c
    );
    // and the JVP against a central difference along t
    let h = 1e-6;
    let shifted = |s: f64| {
        mlp_loss(
            &(&p[0] + &t.0 * s),
            &(&b1 + &t.1 * s),
            &(&p[2] + &t.2 * s),
            &(&b2 + &t.3 * s),
            &m.x,
            &m.ones,
            &m.labels,
        )
    };
    let fd = (shifted(h) - shifted(-h)) / (2.0 * h);
    assert!((jt - fd).abs() < 1e-7, "jvp {jt} vs fd {fd}");
}

#[test]
fn mlp_hvp_matches_finite_differences_of_the_gradient() {
    let m = mlp_problem();
    let p = &m.params;
    let (b1, b2) = (column(p[1].clone()), column(p[3].clone()));
    let t = (
        pseudo(5, 3, 21),
        column(pseudo(5, 1, 22)),
        pseudo(4, 5, 23),
        column(pseudo(4, 1, 24)),
    );
    let (_, _, _, _, _, hw1, hb1, hw2, hb2) = mlp_loss_hvp(
        &p[0], &t.0, &b1, &t.1, &p[2], &t.2, &b2, &t.3, &m.x, &m.ones, &m.labels,
    );
    let h = 1e-5;
    let grad = |s: f64| {
        let (_, a, b, c, d) = mlp_loss_grad(
            &(&p[0] + &t.0 * s),
            &(&b1 + &t.1 * s),
            &(&p[2] + &t.2 * s),
            &(&b2 + &t.3 * s),
            &m.x,
            &m.ones,
            &m.labels,
        );
        flatten(&[a.as_slice(), b.as_slice(), c.as_slice(), d.as_slice()])
    };
    let (up, down) = (grad(h), grad(-h));
    let fd: Vec<f64> = up
        .iter()
        .zip(&down)
        .map(|(u, d)| (u - d) / (2.0 * h))
        .collect();
    let got = flatten(&[
        hw1.as_slice(),
        hb1.as_slice(),
        hw2.as_slice(),
        hb2.as_slice(),
    ]);
    assert_close("mlp hvp", &got, &fd, 1e-6);
}

/// `.map` with a scalar closure body, a captured constant and a branch-free
/// mix of rules; every mode against finite differences.
#[differentiate]
fn mapped(m: &DMatrix<f64>, v: &DVector<f64>) -> f64 {
    let scale = 0.5;
    let s = m.map(|x| (x * scale).sin() * x.exp() + 1.0 / (1.0 + x * x));
    let u = (&s * v).map(|y: f64| {
        let a = y.tanh();
        a * a
    });
    u.sum() + s.norm()
}

#[test]
fn map_closures_in_every_mode() {
    let m = pseudo(3, 4, 31);
    let v = column(pseudo(4, 1, 32));
    let (dm, dv) = (pseudo(3, 4, 33), column(pseudo(4, 1, 34)));
    let f = |p: &[DMatrix<f64>]| mapped(&p[0], &column(p[1].clone()));
    let params = [m.clone(), pseudo(4, 1, 32)];
    // gradient
    let (val, gm, gv) = mapped_grad(&m, &v);
    assert_eq!(val, mapped(&m, &v));
    let want = fd_gradient(&params, f);
    assert_close(
        "map gradient",
        &flatten(&[gm.as_slice(), gv.as_slice()]),
        &want,
        1e-7,
    );
    // jvp against the gradient
    let (_, jt) = mapped_jvp(&m, &dm, &v, &dv);
    let dot = dm.dot(&gm) + dv.dot(&gv);
    assert!(
        (jt - dot).abs() < 1e-12 * (1.0 + dot.abs()),
        "{jt} vs {dot}"
    );
    // hvp against finite differences of the gradient
    let (_, _, _, hm, hv) = mapped_hvp(&m, &dm, &v, &dv);
    let h = 1e-5;
    let g = |s: f64| {
        let (_, a, b) = mapped_grad(&(&m + &dm * s), &(&v + &dv * s));
        flatten(&[a.as_slice(), b.as_slice()])
    };
    let (up, down) = (g(h), g(-h));
    let fd: Vec<f64> = up
        .iter()
        .zip(&down)
        .map(|(u, d)| (u - d) / (2.0 * h))
        .collect();
    assert_close(
        "map hvp",
        &flatten(&[hm.as_slice(), hv.as_slice()]),
        &fd,
        1e-6,
    );
}

use ad::nalgebra::{Matrix2x3, Vector2, Vector3};

/// A vector output: `_jvp` and `_vjp` (no `_grad`).
#[differentiate]
fn affine(a: &DMatrix<f64>, x: &DVector<f64>, b: &DVector<f64>) -> DVector<f64> {
    a * x + b
}

#[test]
fn vector_output_jvp_and_vjp() {
    let a = pseudo(3, 2, 41);
    let x = column(pseudo(2, 1, 42));
    let b = column(pseudo(3, 1, 43));
    let (da, dx, db) = (
        pseudo(3, 2, 44),
        column(pseudo(2, 1, 45)),
        column(pseudo(3, 1, 46)),
    );
    let (y, dy) = affine_jvp(&a, &da, &x, &dx, &b, &db);
    assert!((&y - (&a * &x + &b)).norm() < 1e-15);
    // linear in each input: the JVP is the product rule, exactly
    let want = &da * &x + &a * &dx + &db;
    assert!((&dy - &want).norm() < 1e-14);
    // <J t, c> = <t, J^T c>
    let c = column(pseudo(3, 1, 47));
    let (_, ab, xb, bb) = affine_vjp(&a, &x, &b, c.clone());
    let lhs = dy.dot(&c);
    let rhs = da.dot(&ab) + dx.dot(&xb) + db.dot(&bb);
    assert!((lhs - rhs).abs() < 1e-13, "{lhs} vs {rhs}");
}

/// Static sizes in `f32`, taken by value.
#[differentiate]
fn half_norm(a: Matrix2x3<f32>, x: Vector3<f32>) -> f32 {
    let y: Vector2<f32> = a * x;
    y.norm_squared() * 0.5
}

#[test]
fn static_f32_gradient_is_analytic() {
    let a = Matrix2x3::new(1.0f32, 2.0, -1.0, 0.5, 0.0, 3.0);
    let x = Vector3::new(0.5f32, -1.0, 2.0);
    let (v, ga, gx) = half_norm_grad(a, x);
    let y = a * x;
    assert!((v - 0.5 * y.norm_squared()).abs() < 1e-6);
    // d/dA = y x^T, d/dx = A^T y
    assert!((ga - y * x.transpose()).norm() < 1e-5);
    assert!((gx - a.transpose() * y).norm() < 1e-5);
}

/// A matrix built by element writes.
#[differentiate]
fn built(x: &DVector<f64>) -> f64 {
    let mut m = DMatrix::zeros(2, 2);
    m[(0, 0)] = x[0] * x[1];
    m[(1, 1)] = x[1].sin();
    m[(0, 1)] = x[0];
    m[(0, 1)] *= x[0];
    m.sum()
}

#[test]
fn element_writes_into_a_matrix() {
    let x = DVector::from_vec(vec![0.7, -1.3]);
    let (v, g) = built_grad(&x);
    assert!((v - (0.7 * -1.3 + (-1.3f64).sin() + 0.49)).abs() < 1e-15);
    // d/dx0 = x1 + 2 x0, d/dx1 = x0 + cos x1
    assert!((g[0] - (-1.3 + 1.4)).abs() < 1e-15);
    assert!((g[1] - (0.7 + (-1.3f64).cos())).abs() < 1e-15);
    let (_, _, h) = built_hvp(&x, &DVector::from_vec(vec![1.0, 0.0]));
    // H e0 = (2, 1)
    assert!((h[0] - 2.0).abs() < 1e-15 && (h[1] - 1.0).abs() < 1e-15);
}

#[path = "../models/svm.rs"]
mod svm;
use svm::{svm_grad_by_hand, svm_loss, svm_loss_grad};

#[test]
fn svm_gradient_matches_the_lectures_formula_and_finite_differences() {
    let w = pseudo(3, 4, 51);
    let x = pseudo(4, 7, 52);
    let labels = [0, 2, 1, 1, 0, 2, 2];
    let reg = 0.1;
    let (v, g) = svm_loss_grad(&w, &x, &labels, reg);
    assert_eq!(v, svm_loss(&w, &x, &labels, reg));
    let hand = svm_grad_by_hand(&w, &x, &labels, reg);
    assert!((&g - &hand).amax() < 1e-14, "{g} vs {hand}");
    // away from kinks, central differences agree
    let fd = fd_gradient(std::slice::from_ref(&w), |p| {
        svm_loss(&p[0], &x, &labels, reg)
    });
    assert_close("svm gradient", g.as_slice(), &fd, 1e-7);
}

/// Softmax cross-entropy written with `nn::softmax` and `ln`.
#[differentiate(wrt(w))]
fn cross_entropy(w: &DMatrix<f64>, x: &DMatrix<f64>, labels: &[usize]) -> f64 {
    let p = nn::softmax(&(w * x));
    let mut loss = 0.0;
    for j in 0..labels.len() {
        loss -= p[(labels[j], j)].ln();
    }
    loss / labels.len() as f64
}

#[test]
fn softmax_cross_entropy_gradient_is_p_minus_onehot() {
    let w = pseudo(3, 4, 61);
    let x = pseudo(4, 5, 62);
    let labels = [2, 0, 1, 2, 1];
    let (_, g) = cross_entropy_grad(&w, &x, &labels);
    // dL/dW = (softmax(W X) - Y) X^T / n
    let mut d = nn::softmax(&(&w * &x));
    for (j, &l) in labels.iter().enumerate() {
        d[(l, j)] -= 1.0;
    }
    let want = d * x.transpose() / labels.len() as f64;
    assert!((&g - &want).amax() < 1e-14);
    let (_, _, hv) = cross_entropy_hvp(&w, &pseudo(3, 4, 63), &x, &labels);
    let h = 1e-5;
    let dir = pseudo(3, 4, 63);
    let (_, up) = cross_entropy_grad(&(&w + &dir * h), &x, &labels);
    let (_, down) = cross_entropy_grad(&(&w - &dir * h), &x, &labels);
    let fd = (up - down) / (2.0 * h);
    assert_close("softmax hvp", hv.as_slice(), fd.as_slice(), 1e-6);
}

/// Columns, rows and a constructor with an active element.
#[differentiate]
fn pieces(m: &DMatrix<f64>, s: f64) -> f64 {
    let c = m.column(1);
    let r = m.row(0);
    let fill = DVector::from_element(m.nrows(), s);
    c.dot(&fill) + (r * m.row(2).transpose())[0] * s
}

#[test]
fn columns_rows_and_from_element_in_every_mode() {
    let m = pseudo(3, 2, 71);
    let s = 0.8;
    let (v, gm, gs) = pieces_grad(&m, s);
    assert_eq!(v, pieces(&m, s));
    let params = [m.clone(), DMatrix::from_element(1, 1, s)];
    let f = |p: &[DMatrix<f64>]| pieces(&p[0], p[1][0]);
    let fd = fd_gradient(&params, f);
    assert_close(
        "pieces gradient",
        &flatten(&[gm.as_slice(), &[gs]]),
        &fd,
        1e-7,
    );
    let (dm, ds) = (pseudo(3, 2, 72), -0.3);
    let (_, _, _, hm, hs) = pieces_hvp(&m, &dm, s, ds);
    let h = 1e-5;
    let (_, um, us) = pieces_grad(&(&m + &dm * h), s + ds * h);
    let (_, lm, ls) = pieces_grad(&(&m - &dm * h), s - ds * h);
    let fdm = (um - lm) / (2.0 * h);
    assert_close(
        "pieces hvp",
        &flatten(&[hm.as_slice(), &[hs]]),
        &flatten(&[fdm.as_slice(), &[(us - ls) / (2.0 * h)]]),
        1e-6,
    );
}

/// An untyped integer local inside a loop, hoisted by the reverse mode: its
/// type is inferred later than its first copy.
#[differentiate(wrt(m))]
fn picked(m: &DMatrix<f64>, idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for j in 0..idx.len() {
        let y = idx[j];
        s += m[(y, j)] * m[(y, j)];
    }
    2.0 * s
}

#[test]
fn untyped_locals_in_loops() {
    let m = pseudo(3, 2, 81);
    let (_, g) = picked_grad(&m, &[2, 0]);
    let mut want = DMatrix::zeros(3, 2);
    want[(2, 0)] = 4.0 * m[(2, 0)];
    want[(0, 1)] = 4.0 * m[(0, 1)];
    assert_eq!(g, want);
}

/// A recurrence over matrices: the reverse sweep saves each overwritten
/// state on a stack (as owned copies) and replays the loop backwards.
#[differentiate(wrt(w, h0))]
fn recurrent(w: &DMatrix<f64>, h0: &DVector<f64>, steps: usize) -> f64 {
    let mut h = h0.clone();
    let mut acc = DVector::zeros(h0.len());
    for _ in 0..steps {
        h = (w * &h).map(|v| v.tanh());
        acc += &h;
    }
    acc.norm_squared()
}

#[test]
fn matrix_recurrence_in_every_mode() {
    let w = pseudo(3, 3, 91);
    let h0 = column(pseudo(3, 1, 92));
    let steps = 4;
    let (v, gw, gh) = recurrent_grad(&w, &h0, steps);
    assert_eq!(v, recurrent(&w, &h0, steps));
    let params = [w.clone(), pseudo(3, 1, 92)];
    let fd = fd_gradient(&params, |p| recurrent(&p[0], &column(p[1].clone()), steps));
    assert_close(
        "recurrence gradient",
        &flatten(&[gw.as_slice(), gh.as_slice()]),
        &fd,
        1e-7,
    );
    let (dw, dh) = (pseudo(3, 3, 93), column(pseudo(3, 1, 94)));
    let (_, jt) = recurrent_jvp(&w, &dw, &h0, &dh, steps);
    let dot = dw.dot(&gw) + dh.dot(&gh);
    assert!((jt - dot).abs() < 1e-12 * (1.0 + dot.abs()));
    let (_, _, _, hw, hh) = recurrent_hvp(&w, &dw, &h0, &dh, steps);
    let h = 1e-5;
    let (_, uw, uh) = recurrent_grad(&(&w + &dw * h), &(&h0 + &dh * h), steps);
    let (_, lw, lh) = recurrent_grad(&(&w - &dw * h), &(&h0 - &dh * h), steps);
    let fdw = (uw - lw) / (2.0 * h);
    let fdh = (uh - lh) / (2.0 * h);
    assert_close(
        "recurrence hvp",
        &flatten(&[hw.as_slice(), hh.as_slice()]),
        &flatten(&[fdw.as_slice(), fdh.as_slice()]),
        1e-6,
    );
}

// ----- more shapes of code -----

#[differentiate]
fn quad_form(a: DMatrix<f64>, x: DVector<f64>) -> f64 {
    let y = &a * &x;
    (x.transpose() * y)[0]
}

#[differentiate(wrt(w))]
fn branchy(w: &DMatrix<f64>, x: &DVector<f64>, flag: bool) -> f64 {
    let h = if flag {
        w * x * 2.0
    } else {
        (w * x).map(|v| v.sin())
    };
    if h.sum() > 0.0 {
        h.norm()
    } else {
        h.norm_squared()
    }
}

#[differentiate]
fn power_iter(w: &DMatrix<f64>, x0: &DVector<f64>, n: usize) -> f64 {
    let mut h = x0.clone();
    for _ in 0..n {
        let g = w * &h;
        h = &g / g.norm();
    }
    h.dot(&(w * &h))
}

#[differentiate]
fn shadowed(a: &DMatrix<f64>) -> DMatrix<f64> {
    let a2 = a * a;
    let a2 = a2.transpose() + a;
    a2 * 0.5
}

/// Central differences of `f` in every entry of `m`, as a matrix.
fn fd_matrix(f: impl Fn(&DMatrix<f64>) -> f64, m: &DMatrix<f64>) -> DMatrix<f64> {
    let g = fd_gradient(std::slice::from_ref(m), |p| f(&p[0]));
    DMatrix::from_vec(m.nrows(), m.ncols(), g)
}

/// Owned matrix parameters, matrix if-values and a branch on a reduction,
/// a loop normalising by a norm (matrix / scalar), shadowing, a matrix
/// output: gradients against finite differences, `_hvp` against differences
/// of the gradient.
#[test]
fn owned_parameters_branches_normalisation_and_shadowing() {
    let a = DMatrix::from_row_slice(3, 3, &[0.5, -0.2, 0.1, 0.3, 0.8, -0.4, 0.2, 0.1, 0.6]);
    let x = DVector::from_vec(vec![0.3, -0.7, 0.9]);
    let (_, ga, gx) = quad_form_grad(a.clone(), x.clone());
    let fa = fd_matrix(|m| quad_form(m.clone(), x.clone()), &a);
    assert!((&ga - &fa).amax() < 1e-7, "{ga} {fa}");
    // x^T A x: grad x = (A + A^T) x
    assert!((gx - (&a + a.transpose()) * &x).amax() < 1e-12);
    for flag in [true, false] {
        let (_, gw) = branchy_grad(&a, &x, flag);
        let fw = fd_matrix(|m| branchy(m, &x, flag), &a);
        assert!((&gw - &fw).amax() < 1e-7, "{flag}: {gw} {fw}");
        let (_, _, hw) = branchy_hvp(&a, &a, &x, flag);
        let hf = (branchy_grad(&(&a + &a * 1e-5), &x, flag).1
            - branchy_grad(&(&a - &a * 1e-5), &x, flag).1)
            / 2e-5;
        assert!((&hw - &hf).amax() < 1e-5, "{flag}: {hw} {hf}");
    }
    let (_, gw, _) = power_iter_grad(&a, &x, 5);
    let fw = fd_matrix(|m| power_iter(m, &x, 5), &a);
    assert!((&gw - &fw).amax() < 1e-7, "{gw} {fw}");
    let da = DMatrix::from_row_slice(3, 3, &[1.0, 0.0, -2.0, 0.5, 1.5, 0.0, 0.0, -1.0, 3.0]);
    let (y, dy) = shadowed_jvp(&a, &da);
    assert!((y - (a.clone() * &a).transpose() * 0.5 - &a * 0.5).amax() < 1e-15);
    // d[(A A)^T / 2 + A / 2] = (dA A + A dA)^T / 2 + dA / 2
    let want = (&da * &a + &a * &da).transpose() * 0.5 + &da * 0.5;
    assert!((dy - want).amax() < 1e-15);
}

/// The network as a parameter struct (`wrt(self)`, its layers a helper)
/// gives the positional function's value and gradient.
#[test]
fn mlp_struct_gradient_equals_the_positional_one() {
    let m = mlp_problem();
    let p = &m.params;
    let (b1, b2) = (column(p[1].clone()), column(p[3].clone()));
    let net = mlp::Mlp {
        w1: p[0].clone(),
        b1: b1.clone(),
        w2: p[2].clone(),
        b2: b2.clone(),
    };
    let (v, gw1, gb1, gw2, gb2) = mlp_loss_grad(&p[0], &b1, &p[2], &b2, &m.x, &m.ones, &m.labels);
    let (vs, g) = net.loss_grad(&m.x, &m.ones, &m.labels);
    assert!((v - vs).abs() < 1e-14);
    let got = flatten(&[
        g.w1.as_slice(),
        g.b1.as_slice(),
        g.w2.as_slice(),
        g.b2.as_slice(),
    ]);
    let want = flatten(&[
        gw1.as_slice(),
        gb1.as_slice(),
        gw2.as_slice(),
        gb2.as_slice(),
    ]);
    assert_close("struct mlp gradient", &got, &want, 1e-14);
}
