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

#[differentiate(wrt(w1, b1, w2, b2))]
fn mlp_loss(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DMatrix<f64>,
    ones: &RowDVector<f64>,
    labels: &[usize],
) -> f64 {
    let h = nn::tanh(&(w1 * x + b1 * ones));
    let z = w2 * &h + b2 * ones;
    let logp = nn::log_softmax(&z);
    let mut loss = 0.0;
    for j in 0..labels.len() {
        loss -= logp[(labels[j], j)];
    }
    loss / labels.len() as f64
}

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
