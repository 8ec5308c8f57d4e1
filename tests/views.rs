//! nalgebra views as active parameters (`x: DVectorView<f64>`,
//! `m: &DMatrixView<f64>`, `VectorView<f64, Const<3>>`, `SMatrixView`): the
//! generated items take the view (and its tangent as a view), work on an
//! owned copy, and return owned cotangents.
//!
//! Every function in every mode: `_jvp` against central finite differences
//! and `_vjp` by the dot-product identity (`common::agree`), `_grad`, `_jvp`
//! and `_hvp` against finite differences (`flat::check_all`); the views are
//! views of larger vectors and matrices (`big.rows(1, n)`), so an offset or
//! a stride the copy got wrong shows.

use ad::differentiate;
use ad::nalgebra::{
    Const, DMatrix, DMatrixView, DVector, DVectorView, MatrixView, SMatrix, SVector, VectorView, U1,
};

mod common;
#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

const X: [f64; 4] = [0.7, -1.3, 0.4, 1.1];
const T: [f64; 4] = [0.3, 0.9, -0.5, 0.2];

/// `f(x: &[f64]) -> f64` in every mode at `x` along `t`.
fn every_mode(
    what: &str,
    (x, t): (&[f64], &[f64]),
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: impl Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
) {
    common::agree(what, x, &f, &jvp, &vjp, 1e-7);
    check_all(what, x, t, &f, &grad, &jvp, &hvp);
}

/// `p` inside a longer vector, at offset 1: `big.rows(1, p.len())` is `p`.
fn padded(p: &[f64]) -> DVector<f64> {
    let mut v = vec![5.0];
    v.extend_from_slice(p);
    v.push(-3.0);
    DVector::from_vec(v)
}

fn flat(v: &DVector<f64>) -> Vec<f64> {
    v.as_slice().to_vec()
}

// --- DVectorView by value, a loop with a branch -----------------------------

/// A loop over the view with a branch on its elements, a mutated local.
#[differentiate]
fn sum_view(x: DVectorView<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s += x[i].sin() * x[i];
        } else {
            s += x[i] * x[i] * x[i];
        }
    }
    s + x.dot(&x)
}

#[test]
fn dvector_view_by_value() {
    let n = X.len();
    every_mode(
        "sum_view",
        (&X, &T),
        |p| sum_view(padded(p).rows(1, n)),
        |p, t| sum_view_jvp(padded(p).rows(1, n), padded(t).rows(1, n)),
        |p, c| {
            let (v, g) = sum_view_vjp(padded(p).rows(1, n), c);
            (v, flat(&g))
        },
        |p| {
            let (v, g): (f64, DVector<f64>) = sum_view_grad(padded(p).rows(1, n));
            (v, flat(&g))
        },
        |p, t| {
            let (v, g, h) = sum_view_hvp(padded(p).rows(1, n), padded(t).rows(1, n));
            (v, flat(&g), flat(&h))
        },
    );
    // The value is the function's on the view.
    let x = padded(&X);
    let direct: f64 = X
        .iter()
        .map(|&a| if a > 0.0 { a.sin() * a } else { a * a * a } + a * a)
        .sum();
    common::close("sum_view value", sum_view(x.rows(1, n)), direct, 1e-14);
}

// --- &DMatrixView, with a scalar and an inactive count -----------------------

/// A borrowed matrix view, a scalar written in the body, and an index left
/// out of `wrt`.
#[differentiate(wrt(m, k))]
fn weighted_trace(m: &DMatrixView<f64>, mut k: f64, skip: usize) -> f64 {
    let mut s = 0.0;
    k *= 1.5;
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            if i != skip {
                s += k * m[(i, j)] * m[(j, i)];
            }
        }
    }
    s * k.cos()
}

/// `p` (3x3 column-major, then `k`) as a view of the lower-right block of a
/// 4x5 matrix.
fn block(p: &[f64]) -> DMatrix<f64> {
    let mut big = DMatrix::from_fn(4, 5, |r, c| (r * 5 + c) as f64 * 0.1);
    for c in 0..3 {
        for r in 0..3 {
            big[(1 + r, 2 + c)] = p[r + 3 * c];
        }
    }
    big
}

#[test]
fn dmatrix_view_by_reference() {
    let p = [0.7, -1.3, 0.4, 1.1, 0.2, -0.6, 0.9, 0.5, -0.8, 1.4];
    let t = [0.3, 0.9, -0.5, 0.2, -0.1, 0.4, 0.6, -0.7, 0.8, 0.25];
    let cat = |g: &DMatrix<f64>, k: f64| {
        let mut v = g.as_slice().to_vec();
        v.push(k);
        v
    };
    every_mode(
        "weighted_trace",
        (&p, &t),
        |p| weighted_trace(&block(p).view((1, 2), (3, 3)), p[9], 1),
        |p, t| {
            weighted_trace_jvp(
                &block(p).view((1, 2), (3, 3)),
                &block(t).view((1, 2), (3, 3)),
                p[9],
                t[9],
                1,
            )
        },
        |p, c| {
            let (v, gm, gk) = weighted_trace_vjp(&block(p).view((1, 2), (3, 3)), p[9], 1, c);
            (v, cat(&gm, gk))
        },
        |p| {
            let (v, gm, gk): (f64, DMatrix<f64>, f64) =
                weighted_trace_grad(&block(p).view((1, 2), (3, 3)), p[9], 1);
            (v, cat(&gm, gk))
        },
        |p, t| {
            let (v, gm, gk, hm, hk) = weighted_trace_hvp(
                &block(p).view((1, 2), (3, 3)),
                &block(t).view((1, 2), (3, 3)),
                p[9],
                t[9],
                1,
            );
            (v, cat(&gm, gk), cat(&hm, hk))
        },
    );
}

// --- Fixed-size views; a view left out of `wrt` --------------------------------

/// A view of 3 rows of a 4-vector (its column stride is 4), and a
/// fixed-size matrix view of data left out of `wrt` (inactive: it stays a
/// view everywhere), read by element.
#[differentiate(wrt(v))]
fn fixed(v: VectorView<f64, Const<3>, U1, Const<4>>, a: View3<'_>) -> f64 {
    let mut s = v[0].exp();
    for i in 0..3 {
        for j in 0..3 {
            s += a[(i, j)] * v[i] * v[j];
        }
    }
    s
}

/// A 3x3 block of a 4x4 matrix.
type View3<'a> = MatrixView<'a, f64, Const<3>, Const<3>, U1, Const<4>>;

/// Both fixed-size views active (a view's type written out: the macro sees
/// no alias), a product of the two.
#[differentiate]
fn fixed_both(
    v: VectorView<f64, Const<3>, U1, Const<4>>,
    a: MatrixView<f64, Const<3>, Const<3>, U1, Const<4>>,
) -> f64 {
    let w = a * v;
    (w.dot(&v)).tanh()
}

fn fixed_data() -> SMatrix<f64, 4, 4> {
    SMatrix::<f64, 4, 4>::from_fn(|r, c| 0.2 * r as f64 - 0.3 * c as f64 + 0.1)
}

#[test]
fn fixed_size_views() {
    let a = fixed_data();
    let av = a.fixed_view::<3, 3>(1, 1);
    let sv = |p: &[f64]| SVector::<f64, 4>::from_row_slice(&[9.0, p[0], p[1], p[2]]);
    let x = &X[..3];
    let t = &T[..3];
    every_mode(
        "fixed",
        (x, t),
        |p| fixed(sv(p).fixed_rows::<3>(1), av),
        |p, t| fixed_jvp(sv(p).fixed_rows::<3>(1), sv(t).fixed_rows::<3>(1), av),
        |p, c| {
            let (v, g) = fixed_vjp(sv(p).fixed_rows::<3>(1), av, c);
            (v, g.as_slice().to_vec())
        },
        |p| {
            let (v, g): (f64, SVector<f64, 3>) = fixed_grad(sv(p).fixed_rows::<3>(1), av);
            (v, g.as_slice().to_vec())
        },
        |p, t| {
            let (v, g, h) = fixed_hvp(sv(p).fixed_rows::<3>(1), sv(t).fixed_rows::<3>(1), av);
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );

    // 3 + 9 inputs: the vector, then the matrix column-major.
    let p: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.45).collect();
    let t: Vec<f64> = (0..12).map(|i| 0.05 * (i % 5) as f64 - 0.1).collect();
    let mat = |p: &[f64]| {
        let mut big = fixed_data();
        for c in 0..3 {
            for r in 0..3 {
                big[(1 + r, 1 + c)] = p[3 + r + 3 * c];
            }
        }
        big
    };
    let cat = |g: &SVector<f64, 3>, h: &SMatrix<f64, 3, 3>| {
        let mut v = g.as_slice().to_vec();
        v.extend_from_slice(h.as_slice());
        v
    };
    every_mode(
        "fixed_both",
        (&p, &t),
        |p| fixed_both(sv(p).fixed_rows::<3>(1), mat(p).fixed_view::<3, 3>(1, 1)),
        |p, t| {
            fixed_both_jvp(
                sv(p).fixed_rows::<3>(1),
                sv(t).fixed_rows::<3>(1),
                mat(p).fixed_view::<3, 3>(1, 1),
                mat(t).fixed_view::<3, 3>(1, 1),
            )
        },
        |p, c| {
            let (v, gv, ga) =
                fixed_both_vjp(sv(p).fixed_rows::<3>(1), mat(p).fixed_view::<3, 3>(1, 1), c);
            (v, cat(&gv, &ga))
        },
        |p| {
            let (v, gv, ga): (f64, SVector<f64, 3>, SMatrix<f64, 3, 3>) =
                fixed_both_grad(sv(p).fixed_rows::<3>(1), mat(p).fixed_view::<3, 3>(1, 1));
            (v, cat(&gv, &ga))
        },
        |p, t| {
            let (v, gv, ga, hv, ha) = fixed_both_hvp(
                sv(p).fixed_rows::<3>(1),
                sv(t).fixed_rows::<3>(1),
                mat(p).fixed_view::<3, 3>(1, 1),
                mat(t).fixed_view::<3, 3>(1, 1),
            );
            (v, cat(&gv, &ga), cat(&hv, &ha))
        },
    );
}

// --- A view of data beside an active vector; a differentiated caller --------

/// An active view with an inactive view of weights, left out of `wrt`.
#[differentiate(wrt(x))]
fn weighted(x: DVectorView<f64>, w: DVectorView<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i] * x[i].cos();
    }
    s
}

/// A differentiated caller passing views of its active vector: one kept
/// in a local first.
#[differentiate]
fn halves(x: &DVector<f64>) -> f64 {
    let head = x.rows(0, 2);
    sum_view(head) * sum_view(x.rows(2, 2))
}

/// A borrowed view, lent by a caller as `&v` of a local view and as
/// `&m.column(j)`.
#[differentiate]
fn by_ref(x: &DVectorView<f64>) -> f64 {
    x.sum() * x[0].sin()
}

#[differentiate]
fn lends(m: &DMatrix<f64>) -> f64 {
    let c = m.column(1);
    by_ref(&c) + by_ref(&m.column(0)) * m[(1, 1)]
}

#[test]
fn inactive_views_and_callers() {
    let n = X.len();
    let w = DVector::from_vec(vec![0.5, 1.5, -2.0, 0.25, 3.0]);
    every_mode(
        "weighted",
        (&X, &T),
        |p| weighted(padded(p).rows(1, n), w.rows(1, n)),
        |p, t| weighted_jvp(padded(p).rows(1, n), padded(t).rows(1, n), w.rows(1, n)),
        |p, c| {
            let (v, g) = weighted_vjp(padded(p).rows(1, n), w.rows(1, n), c);
            (v, flat(&g))
        },
        |p| {
            let (v, g) = weighted_grad(padded(p).rows(1, n), w.rows(1, n));
            (v, flat(&g))
        },
        |p, t| {
            let (v, g, h) = weighted_hvp(padded(p).rows(1, n), padded(t).rows(1, n), w.rows(1, n));
            (v, flat(&g), flat(&h))
        },
    );
    let dv = |p: &[f64]| DVector::from_column_slice(p);
    every_mode(
        "halves",
        (&X, &T),
        |p| halves(&dv(p)),
        |p, t| halves_jvp(&dv(p), &dv(t)),
        |p, c| {
            let (v, g) = halves_vjp(&dv(p), c);
            (v, flat(&g))
        },
        |p| {
            let (v, g) = halves_grad(&dv(p));
            (v, flat(&g))
        },
        |p, t| {
            let (v, g, h) = halves_hvp(&dv(p), &dv(t));
            (v, flat(&g), flat(&h))
        },
    );
    let dm = |p: &[f64]| DMatrix::from_column_slice(2, 2, p);
    let fm = |g: &DMatrix<f64>| g.as_slice().to_vec();
    every_mode(
        "lends",
        (&X, &T),
        |p| lends(&dm(p)),
        |p, t| lends_jvp(&dm(p), &dm(t)),
        |p, c| {
            let (v, g) = lends_vjp(&dm(p), c);
            (v, fm(&g))
        },
        |p| {
            let (v, g) = lends_grad(&dm(p));
            (v, fm(&g))
        },
        |p, t| {
            let (v, g, h) = lends_hvp(&dm(p), &dm(t));
            (v, fm(&g), fm(&h))
        },
    );
}

// --- Generic over the float type --------------------------------------------

/// A view of a generic float type.
#[differentiate]
fn generic_view<T: ad::Real>(x: DVectorView<T>) -> T {
    let mut s = T::ZERO;
    for i in 1..x.len() {
        s += (x[i] - x[i - 1]).powi(2) * x[i].exp();
    }
    s
}

#[test]
fn generic_float_view() {
    let n = X.len();
    every_mode(
        "generic_view",
        (&X, &T),
        |p| generic_view(padded(p).rows(1, n)),
        |p, t| generic_view_jvp(padded(p).rows(1, n), padded(t).rows(1, n)),
        |p, c| {
            let (v, g) = generic_view_vjp(padded(p).rows(1, n), c);
            (v, flat(&g))
        },
        |p| {
            let (v, g) = generic_view_grad(padded(p).rows(1, n));
            (v, flat(&g))
        },
        |p, t| {
            let (v, g, h) = generic_view_hvp(padded(p).rows(1, n), padded(t).rows(1, n));
            (v, flat(&g), flat(&h))
        },
    );
}
