//! nalgebra's linear algebra in differentiated functions, written as users
//! write it: `trace`, `determinant`, `cross`, `try_inverse().unwrap()`,
//! `lu().solve(&b).unwrap()`, `cholesky().unwrap().solve(&b)` and the
//! triangular solves. Every mode against central finite differences of the
//! function (and of its gradient, for `_hvp`).

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector, RowDVector, Vector3};

#[differentiate]
fn solve_det_trace(a: &DMatrix<f64>, b: &DVector<f64>) -> f64 {
    let x = a.clone().lu().solve(b).unwrap();
    let d = a.determinant();
    x.dot(&x) + d.abs().ln() + 0.5 * a.trace()
}

#[differentiate]
fn inverse_quadratic(a: &DMatrix<f64>, b: &DVector<f64>) -> f64 {
    let m = a.clone().try_inverse().expect("invertible");
    let y = &m * b;
    y.norm_squared() + m.sum()
}

/// A Gaussian process's data fit: `y^T K^-1 y / 2` by Cholesky (which reads
/// the lower triangle of `k`).
#[differentiate]
fn data_fit(k: &DMatrix<f64>, y: &DVector<f64>) -> f64 {
    let alpha = k.clone().cholesky().unwrap().solve(y);
    0.5 * y.dot(&alpha)
}

#[differentiate]
fn triangular(l: &DMatrix<f64>, b: &DVector<f64>) -> f64 {
    let x = l.solve_lower_triangular(b).unwrap();
    let z = l.solve_upper_triangular(&x).expect("a nonzero diagonal");
    z.norm()
}

/// The squared torque of a force `f` at `r`, and its angle term.
#[differentiate]
fn torque(r: &Vector3<f64>, f: &Vector3<f64>) -> f64 {
    let t = r.cross(f);
    t.norm_squared() + t.dot(r).sin()
}

/// Blocks (`rows`, `columns`, copied as the rules take owned values) and
/// extrema (`max`, `min`, `amax`, `amin`: the element they pick), beside
/// the float method `x.max(y)`.
#[differentiate]
fn blocks_and_extrema(a: &DMatrix<f64>, b: &DVector<f64>) -> f64 {
    let top = a.rows(0, 2);
    let right = a.columns(1, 2);
    let y = right * b.rows(0, 2);
    top.sum() + y.max() + b.amin() + (a.min() * 0.1).sin() + b.amax().max(0.5)
}

/// A product with views of inactive data, as written (no `clone_owned`).
#[differentiate(wrt(u))]
fn projected(u: &DMatrix<f64>, xs: &DMatrix<f64>) -> f64 {
    let y = u * xs.column(1);
    y.norm_squared() + (xs.row(0) * u).sum()
}

/// A 4x4 matrix that is well conditioned and not symmetric, and a
/// symmetric positive definite one.
fn a() -> DMatrix<f64> {
    DMatrix::from_fn(4, 4, |i, j| {
        if i == j {
            3.0 + i as f64
        } else {
            ((3 * i + 5 * j) % 7) as f64 / 7.0 - 0.4
        }
    })
}

fn spd() -> DMatrix<f64> {
    let m = a();
    let mut k = &m * m.transpose() + DMatrix::identity(4, 4);
    // Cholesky reads the lower triangle: the upper one may hold anything.
    k[(0, 2)] = 11.0;
    k
}

fn pseudo(r: usize, c: usize, seed: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |i, j| {
        (((seed + 7 * i + 3 * j) * 2654435761) % 1000) as f64 / 500.0 - 1.0
    })
}

fn vector(m: DMatrix<f64>) -> DVector<f64> {
    DVector::from_column_slice(m.as_slice())
}

fn matrix(v: &DVector<f64>) -> DMatrix<f64> {
    DMatrix::from_column_slice(v.len(), 1, v.as_slice())
}

const H: f64 = 1e-6;

fn close(what: &str, got: f64, want: f64) {
    let err = (got - want).abs() / (1.0 + want.abs());
    assert!(err < 1e-6, "{what}: got {got}, want {want} ({err:.1e})");
}

fn close_all(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, *w);
    }
}

type M = DMatrix<f64>;
/// `_hvp`'s result: the value, the gradient, and `H v` by argument.
type Hvp = (f64, M, M, M, M);

/// The generated items of a function `f(a, b) -> f64` of two nalgebra
/// values, with `b` (a vector) passed as a matrix of one column.
struct Modes {
    name: &'static str,
    f: fn(&M, &M) -> f64,
    jvp: fn(&M, &M, &M, &M) -> (f64, f64),
    grad: fn(&M, &M) -> (f64, M, M),
    vjp: fn(&M, &M, f64) -> (f64, M, M),
    hvp: fn(&M, &M, &M, &M) -> Hvp,
}

/// Checks every mode of `m` at `(a, b)` along `(da, db)` against central
/// finite differences.
fn check(m: &Modes, a: &M, b: &M, da: &M, db: &M) {
    let (name, f) = (m.name, m.f);
    let fd = (f(&(a + da * H), &(b + db * H)) - f(&(a - da * H), &(b - db * H))) / (2.0 * H);
    let (v, dv) = (m.jvp)(a, da, b, db);
    close(&format!("{name} value"), v, f(a, b));
    close(&format!("{name} jvp"), dv, fd);
    let partials = |x: &M, at: &dyn Fn(&M) -> f64| -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                let mut e = x * 0.0;
                e[i] = H;
                (at(&(x + &e)) - at(&(x - &e))) / (2.0 * H)
            })
            .collect()
    };
    let (g, ga, gb) = (m.grad)(a, b);
    close(&format!("{name} grad value"), g, f(a, b));
    close_all(
        &format!("{name} grad a"),
        ga.as_slice(),
        &partials(a, &|x| f(x, b)),
    );
    close_all(
        &format!("{name} grad b"),
        gb.as_slice(),
        &partials(b, &|x| f(a, x)),
    );
    let (_, va, vb) = (m.vjp)(a, b, 2.0);
    close_all(
        &format!("{name} vjp a"),
        va.as_slice(),
        (&ga * 2.0).as_slice(),
    );
    close_all(
        &format!("{name} vjp b"),
        vb.as_slice(),
        (&gb * 2.0).as_slice(),
    );
    let (hv, _, _, ha, hb) = (m.hvp)(a, da, b, db);
    close(&format!("{name} hvp value"), hv, f(a, b));
    let (_, pa, pb) = (m.grad)(&(a + da * H), &(b + db * H));
    let (_, ma, mb) = (m.grad)(&(a - da * H), &(b - db * H));
    close_all(
        &format!("{name} hvp a"),
        ha.as_slice(),
        ((pa - ma) / (2.0 * H)).as_slice(),
    );
    close_all(
        &format!("{name} hvp b"),
        hb.as_slice(),
        ((pb - mb) / (2.0 * H)).as_slice(),
    );
}

/// The `Modes` of a generated function whose second argument is a
/// `DVector` (converted from and to a one-column `DMatrix`).
macro_rules! modes {
    ($f:ident, $jvp:ident, $grad:ident, $vjp:ident, $hvp:ident) => {
        Modes {
            name: stringify!($f),
            f: |a, b| $f(a, &vector(b.clone())),
            jvp: |a, da, b, db| $jvp(a, da, &vector(b.clone()), &vector(db.clone())),
            grad: |a, b| {
                let (v, ga, gb) = $grad(a, &vector(b.clone()));
                (v, ga, matrix(&gb))
            },
            vjp: |a, b, d| {
                let (v, ga, gb) = $vjp(a, &vector(b.clone()), d);
                (v, ga, matrix(&gb))
            },
            hvp: |a, da, b, db| {
                let (v, ga, gb, ha, hb) = $hvp(a, da, &vector(b.clone()), &vector(db.clone()));
                (v, ga, matrix(&gb), ha, matrix(&hb))
            },
        }
    };
}

#[test]
fn lu_solve_determinant_and_trace() {
    let m = modes!(
        solve_det_trace,
        solve_det_trace_jvp,
        solve_det_trace_grad,
        solve_det_trace_vjp,
        solve_det_trace_hvp
    );
    check(
        &m,
        &a(),
        &pseudo(4, 1, 1),
        &pseudo(4, 4, 2),
        &pseudo(4, 1, 3),
    );
}

#[test]
fn inverse_unwrapped_with_expect() {
    let m = modes!(
        inverse_quadratic,
        inverse_quadratic_jvp,
        inverse_quadratic_grad,
        inverse_quadratic_vjp,
        inverse_quadratic_hvp
    );
    check(
        &m,
        &a(),
        &pseudo(4, 1, 4),
        &pseudo(4, 4, 5),
        &pseudo(4, 1, 6),
    );
}

#[test]
fn cholesky_solve_reads_the_lower_triangle() {
    let m = modes!(
        data_fit,
        data_fit_jvp,
        data_fit_grad,
        data_fit_vjp,
        data_fit_hvp
    );
    check(
        &m,
        &spd(),
        &pseudo(4, 1, 7),
        &pseudo(4, 4, 8),
        &pseudo(4, 1, 9),
    );
    // The upper triangle is not read: its cotangent is zero.
    let (_, gk, _) = data_fit_grad(&spd(), &vector(pseudo(4, 1, 7)));
    assert_eq!(gk[(0, 2)], 0.0);
    assert_ne!(gk[(2, 0)], 0.0);
}

#[test]
fn triangular_solves() {
    let m = modes!(
        triangular,
        triangular_jvp,
        triangular_grad,
        triangular_vjp,
        triangular_hvp
    );
    check(
        &m,
        &a(),
        &pseudo(4, 1, 10),
        &pseudo(4, 4, 11),
        &pseudo(4, 1, 12),
    );
}

#[test]
fn cross_product_of_fixed_size_vectors() {
    let (r, f) = (Vector3::new(0.5, -1.0, 2.0), Vector3::new(1.5, 0.25, -0.75));
    let (dr, df) = (Vector3::new(0.1, 0.2, -0.3), Vector3::new(-0.4, 0.5, 0.6));
    let at = |t: f64| torque(&(r + dr * t), &(f + df * t));
    let (v, dv) = torque_jvp(&r, &dr, &f, &df);
    close("torque value", v, at(0.0));
    close("torque jvp", dv, (at(H) - at(-H)) / (2.0 * H));
    // The dot-product identity, and the analytic gradient of |r x f|^2:
    // 2 f x (r x f) in r (plus the sine term's).
    let (_, gr, gf) = torque_grad(&r, &f);
    close("torque <grad, v>", gr.dot(&dr) + gf.dot(&df), dv);
    let t = r.cross(&f);
    let c = t.dot(&r).cos();
    let want_r = 2.0 * f.cross(&t) + c * (f.cross(&r) + t);
    close_all("torque grad r", gr.as_slice(), want_r.as_slice());
    let (_, _, _, hr, hf) = torque_hvp(&r, &dr, &f, &df);
    let g = |t: f64| torque_grad(&(r + dr * t), &(f + df * t));
    let ((_, pr, pf), (_, mr, mf)) = (g(H), g(-H));
    close_all(
        "torque hvp r",
        hr.as_slice(),
        ((pr - mr) / (2.0 * H)).as_slice(),
    );
    close_all(
        "torque hvp f",
        hf.as_slice(),
        ((pf - mf) / (2.0 * H)).as_slice(),
    );
}

#[test]
fn blocks_and_extrema_of_active_values() {
    let m = modes!(
        blocks_and_extrema,
        blocks_and_extrema_jvp,
        blocks_and_extrema_grad,
        blocks_and_extrema_vjp,
        blocks_and_extrema_hvp
    );
    // Distinct elements: each extremum is one element near the point.
    check(
        &m,
        &pseudo(4, 4, 13),
        &pseudo(4, 1, 14),
        &pseudo(4, 4, 15),
        &pseudo(4, 1, 16),
    );
}

#[test]
fn products_with_views_of_inactive_data() {
    let (u, xs, du) = (pseudo(3, 4, 17), pseudo(4, 3, 18), pseudo(3, 4, 19));
    let at = |t: f64| projected(&(&u + &du * t), &xs);
    let (v, dv) = projected_jvp(&u, &du, &xs);
    close("projected value", v, at(0.0));
    close("projected jvp", dv, (at(H) - at(-H)) / (2.0 * H));
    // Analytic: 2 y x^T + r 1^T, with x the column and r^T the row of xs.
    let (x, r) = (xs.column(1).clone_owned(), xs.row(0).clone_owned());
    let y = &u * &x;
    let want = &y * x.transpose() * 2.0 + r.transpose() * RowDVector::from_element(4, 1.0);
    let (_, g) = projected_grad(&u, &xs);
    close_all("projected grad", g.as_slice(), want.as_slice());
    let (_, _, h) = projected_hvp(&u, &du, &xs);
    let want_h = &du * &x * x.transpose() * 2.0;
    close_all("projected hvp", h.as_slice(), want_h.as_slice());
}
