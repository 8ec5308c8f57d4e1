//! Idiomatic Rust inside differentiated functions (issue 20, second part):
//! nalgebra values built from active scalars (`DVector::from_fn`,
//! `DMatrix::from_fn`, `DVector::from_vec(vec![..])`, `Vector3::new`,
//! `Matrix2::new`, `DVector::from_column_slice`), in functions with and
//! without other nalgebra values; fixed-size blocks (`fixed_rows::<N>`,
//! `fixed_columns::<N>`, `fixed_view::<R, C>`); `while let Some(k) =
//! stack.pop()`; iterator chains in `while` conditions and on the right of
//! `&&` (evaluated every round, and only when the left operand allows);
//! tuples bound from an `if`, `match` or block (`let (a, b) = if c { (x,
//! y) } else { (y, x) };`); `std::mem::swap`, `std::mem::replace` and
//! `std::mem::take` of whole locals, by path and by the bare names the
//! module's or the body's `use`s give them; `Default::default()` of
//! active arrays.
//!
//! Every function is checked in every mode through flat adapters (`&[f64]`
//! in, `Vec<f64>` out): `_grad` and `_jvp` against central finite
//! differences of the plain function (and hand-derived gradients where
//! given), `_vjp` by the dot-product identity against `_jvp`, `_hvp`
//! against finite differences of `_grad`.

// The body's own `use`s must not warn in the derivatives, which do not
// need them.
#![deny(unused_imports)]
// `std::mem::replace(&mut u, Default::default())` is a form users write.
#![allow(clippy::mem_replace_with_default)]

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector, Matrix2, Matrix3, Vector3};
use std::mem;
use std::mem::{replace, swap};

// ----- the checks -------------------------------------------------------------

fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: got {a}, expected {b}"
    );
}

fn shifted(x: &[f64], v: &[f64], h: f64) -> Vec<f64> {
    x.iter().zip(v).map(|(x, v)| x + h * v).collect()
}

/// Every mode at `x`, against finite differences and each other; with
/// `grad_ref`, against a hand-derived gradient too.
fn check<F, J, V, G, H>(
    name: &str,
    x: &[f64],
    (f, jvp, vjp, grad, hvp): (F, J, V, G, H),
    grad_ref: Option<&[f64]>,
) where
    F: Fn(&[f64]) -> f64,
    J: Fn(&[f64], &[f64]) -> (f64, f64),
    V: Fn(&[f64], f64) -> (f64, Vec<f64>),
    G: Fn(&[f64]) -> (f64, Vec<f64>),
    H: Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
{
    let n = x.len();
    let value = f(x);
    let h = 1e-6;
    let (gv, g) = grad(x);
    close(&format!("{name}: grad value"), gv, value, 1e-14);
    assert_eq!(g.len(), n, "{name}: gradient length");
    for k in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == k))).collect();
        let fd = (f(&shifted(x, &e, h)) - f(&shifted(x, &e, -h))) / (2.0 * h);
        close(&format!("{name}: grad[{k}] vs fd"), g[k], fd, 1e-6);
        if let Some(r) = grad_ref {
            close(&format!("{name}: grad[{k}] vs hand"), g[k], r[k], 1e-12);
        }
    }
    let mut seed = 0x2545_f491_4f6c_dd1d_u64 ^ n as u64;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    for _ in 0..3 {
        let v: Vec<f64> = (0..n).map(|_| rand()).collect();
        let w = rand() * 2.0;
        let (jv, dv) = jvp(x, &v);
        close(&format!("{name}: jvp value"), jv, value, 1e-14);
        let fd = (f(&shifted(x, &v, h)) - f(&shifted(x, &v, -h))) / (2.0 * h);
        close(&format!("{name}: jvp vs fd"), dv, fd, 1e-6);
        let (vv, xb) = vjp(x, w);
        close(&format!("{name}: vjp value"), vv, value, 1e-14);
        let vxb: f64 = v.iter().zip(&xb).map(|(a, b)| a * b).sum();
        close(&format!("{name}: dot-product identity"), dv * w, vxb, 1e-12);
        let (hv_value, hg, hv) = hvp(x, &v);
        close(&format!("{name}: hvp value"), hv_value, value, 1e-14);
        for k in 0..n {
            close(&format!("{name}: hvp gradient[{k}]"), hg[k], g[k], 1e-12);
            let fd = (grad(&shifted(x, &v, h)).1[k] - grad(&shifted(x, &v, -h)).1[k]) / (2.0 * h);
            close(&format!("{name}: hvp[{k}] vs fd"), hv[k], fd, 1e-5);
        }
    }
}

fn dv(x: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(x)
}

/// The flat adapters of a function of one `&DVector<f64>` (and inactive
/// trailing arguments).
macro_rules! dvector_modes {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident $(, $rest:expr)*) => {
        (
            |x: &[f64]| $f(&dv(x) $(, $rest)*),
            |x: &[f64], v: &[f64]| $jvp(&dv(x), &dv(v) $(, $rest)*),
            |x: &[f64], w: f64| {
                let (y, b) = $vjp(&dv(x) $(, $rest)*, w);
                (y, b.as_slice().to_vec())
            },
            |x: &[f64]| {
                let (y, b) = $grad(&dv(x) $(, $rest)*);
                (y, b.as_slice().to_vec())
            },
            |x: &[f64], v: &[f64]| {
                let (y, b, h) = $hvp(&dv(x), &dv(v) $(, $rest)*);
                (y, b.as_slice().to_vec(), h.as_slice().to_vec())
            },
        )
    };
}

/// The flat adapters of a function of one `&[f64]` (and inactive trailing
/// arguments).
macro_rules! slice_modes {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident $(, $rest:expr)*) => {
        (
            |x: &[f64]| $f(x $(, $rest)*),
            |x: &[f64], v: &[f64]| $jvp(x, v $(, $rest)*),
            |x: &[f64], w: f64| $vjp(x $(, $rest)*, w),
            |x: &[f64]| $grad(x $(, $rest)*),
            |x: &[f64], v: &[f64]| $hvp(x, v $(, $rest)*),
        )
    };
}

// ----- 1. nalgebra values built from active scalars ------------------------------

/// `from_fn` with closures that read active values (one with statements,
/// one a local closure passed by its name).
#[differentiate]
fn built_from_fn(x: &DVector<f64>) -> f64 {
    let n = x.len();
    let y = DVector::from_fn(n, |i, _| x[i] * x[i]);
    let m = DMatrix::from_fn(n, 2, |i, j| {
        let t = x[i].sin();
        t * x[(i + j) % n]
    });
    // A local closure given by its name.
    let g = |i: usize, j: usize| x[i] * x[j];
    let q = DMatrix::from_fn(n, n, g);
    y.dot(&m.column(1)) + m.sum() + y.sum() + q.trace()
}

#[test]
fn from_fn_with_closures_over_active_values() {
    let x = [0.7f64, -1.2, 0.4];
    // f = sum_i x_i^2 s_i x_{i+1} + sum_i s_i (x_i + x_{i+1}) + sum_i x_i^2,
    // with s_i = sin x_i and indices mod 3, plus the trace sum_i x_i^2.
    let mut want = [0.0; 3];
    for i in 0..3 {
        let (s, c, xi, xn) = (x[i].sin(), x[i].cos(), x[i], x[(i + 1) % 3]);
        want[i] += 2.0 * xi * s * xn + xi * xi * c * xn + c * (xi + xn) + s + 4.0 * xi;
        want[(i + 1) % 3] += xi * xi * s + s;
    }
    let m = dvector_modes!(
        built_from_fn,
        built_from_fn_jvp,
        built_from_fn_vjp,
        built_from_fn_grad,
        built_from_fn_hvp
    );
    check("built_from_fn", &x, m, Some(&want));
}

/// No other nalgebra value: `from_vec(vec![..])`, `Vector3::new` and
/// `Matrix2::new` of active scalars turn matrix code on by themselves.
#[differentiate]
fn from_scalars(a: f64, b: f64, c: f64) -> f64 {
    let v = DVector::from_vec(vec![a, b * c, 2.0]);
    let w = Vector3::new(c, a.sin(), b);
    let m = Matrix2::new(a, b, c, 1.0);
    v.norm_squared() + w.cross(&Vector3::new(1.0, a, 0.5)).norm() + m.determinant()
}

#[test]
fn vectors_and_matrices_of_active_scalars() {
    let p = [0.8f64, -0.6, 1.3];
    let f = |x: &[f64]| from_scalars(x[0], x[1], x[2]);
    let jvp = |x: &[f64], v: &[f64]| from_scalars_jvp(x[0], v[0], x[1], v[1], x[2], v[2]);
    let vjp = |x: &[f64], w: f64| {
        let (y, a, b, c) = from_scalars_vjp(x[0], x[1], x[2], w);
        (y, vec![a, b, c])
    };
    let grad = |x: &[f64]| {
        let (y, a, b, c) = from_scalars_grad(x[0], x[1], x[2]);
        (y, vec![a, b, c])
    };
    let hvp = |x: &[f64], v: &[f64]| {
        let (y, a, b, c, ha, hb, hc) = from_scalars_hvp(x[0], v[0], x[1], v[1], x[2], v[2]);
        (y, vec![a, b, c], vec![ha, hb, hc])
    };
    // The polynomial part by hand: a^2 + b^2 c^2 + 4 + (a - b c).
    let (a, b, c) = (p[0], p[1], p[2]);
    let poly = [2.0 * a + 1.0, 2.0 * b * c * c - c, 2.0 * b * b * c - b];
    let r = Vector3::new(c, a.sin(), b).cross(&Vector3::new(1.0, a, 0.5));
    let g = grad(&p).1;
    // The cross term's gradient is checked against finite differences in
    // `check`; here, the polynomial part: what is left is that term's.
    let fd = |k: usize| {
        let mut e = p;
        e[k] += 1e-6;
        let up = Vector3::new(e[2], e[0].sin(), e[1])
            .cross(&Vector3::new(1.0, e[0], 0.5))
            .norm();
        (up - r.norm()) / 1e-6
    };
    for k in 0..3 {
        close(
            &format!("from_scalars poly[{k}]"),
            g[k] - fd(k),
            poly[k],
            1e-5,
        );
    }
    check("from_scalars", &p, (f, jvp, vjp, grad, hvp), None);
}

/// Vectors copied from an active slice, a range of it, and a `Vec`.
#[differentiate]
fn from_slices(x: &[f64]) -> f64 {
    let v = DVector::from_column_slice(x);
    let w = DVector::from_column_slice(&x[1..3]);
    let y = x.to_vec();
    let u = DVector::from_vec(y);
    v.norm_squared() * w.sum() + u.map(|t| t.sin()).sum()
}

#[test]
fn vectors_copied_from_active_slices() {
    let x = [0.3f64, -0.9, 1.1, 0.5];
    let (s2, s) = (x.iter().map(|t| t * t).sum::<f64>(), x[1] + x[2]);
    let want: Vec<f64> = (0..4)
        .map(|k| 2.0 * x[k] * s + if k == 1 || k == 2 { s2 } else { 0.0 } + x[k].cos())
        .collect();
    let m = slice_modes!(
        from_slices,
        from_slices_jvp,
        from_slices_vjp,
        from_slices_grad,
        from_slices_hvp
    );
    check("from_slices", &x, m, Some(&want));
}

// ----- 2. fixed-size blocks ---------------------------------------------------------

/// `fixed_rows`, `fixed_columns` and `fixed_view` of a dynamic vector and
/// of a fixed-size matrix, read as values.
#[differentiate]
fn fixed_blocks(x: &DVector<f64>, a: &Matrix3<f64>) -> f64 {
    let h = x.fixed_rows::<2>(0);
    let c = a.fixed_columns::<1>(2);
    let m = a.fixed_view::<2, 2>(1, 0);
    h.norm_squared() + x.fixed_rows::<3>(1).dot(&c) + m.determinant()
}

#[test]
fn fixed_size_blocks_of_active_values() {
    let p: Vec<f64> = (0..13).map(|k| ((k * 7 % 11) as f64) / 5.0 - 1.0).collect();
    let split = |p: &[f64]| (dv(&p[..4]), Matrix3::from_column_slice(&p[4..]));
    let flat = |x: &DVector<f64>, a: &Matrix3<f64>| -> Vec<f64> {
        x.iter().chain(a.iter()).copied().collect()
    };
    let f = |p: &[f64]| {
        let (x, a) = split(p);
        fixed_blocks(&x, &a)
    };
    let jvp = |p: &[f64], v: &[f64]| {
        let ((x, a), (dx, da)) = (split(p), split(v));
        fixed_blocks_jvp(&x, &dx, &a, &da)
    };
    let vjp = |p: &[f64], w: f64| {
        let (x, a) = split(p);
        let (y, gx, ga) = fixed_blocks_vjp(&x, &a, w);
        (y, flat(&gx, &ga))
    };
    let grad = |p: &[f64]| {
        let (x, a) = split(p);
        let (y, gx, ga) = fixed_blocks_grad(&x, &a);
        (y, flat(&gx, &ga))
    };
    let hvp = |p: &[f64], v: &[f64]| {
        let ((x, a), (dx, da)) = (split(p), split(v));
        let (y, gx, ga, hx, ha) = fixed_blocks_hvp(&x, &dx, &a, &da);
        (y, flat(&gx, &ga), flat(&hx, &ha))
    };
    // By hand: d/dx = (2 x0, 2 x1 + a02, x2 a12 .. ), d/da from the dot and
    // the 2x2 determinant a10 a21 - a11 a20.
    let (x, a) = split(&p);
    let mut want_x = DVector::zeros(4);
    want_x[0] = 2.0 * x[0];
    want_x[1] = 2.0 * x[1];
    let mut want_a = Matrix3::zeros();
    for r in 0..3 {
        want_x[r + 1] += a[(r, 2)];
        want_a[(r, 2)] += x[r + 1];
    }
    want_a[(1, 0)] += a[(2, 1)];
    want_a[(2, 1)] += a[(1, 0)];
    want_a[(1, 1)] -= a[(2, 0)];
    want_a[(2, 0)] -= a[(1, 1)];
    let want = flat(&want_x, &want_a);
    check("fixed_blocks", &p, (f, jvp, vjp, grad, hvp), Some(&want));
}

// ----- 3. `while let`, and chains in conditions ---------------------------------------

/// `while let Some(k) = stack.pop()` over an inactive stack of indices,
/// with a labelled `continue`.
#[differentiate(wrt(x))]
fn drained(x: &[f64], idx: &[usize]) -> f64 {
    let mut stack = idx.to_vec();
    let mut s = 0.0;
    'outer: while let Some(k) = stack.pop() {
        if k >= x.len() {
            continue 'outer;
        }
        s = s * 0.5 + x[k] * x[k];
    }
    s
}

#[test]
fn while_let_over_an_inactive_stack() {
    let (x, idx) = ([0.4, -1.1, 0.9], [0, 2, 7, 1]);
    // Popped 1, 7 (skipped), 2, 0: s = ((x1^2 / 2 + x2^2) / 2 + x0^2.
    let want = [2.0 * x[0], 0.5 * x[1], x[2]];
    let m = slice_modes!(
        drained,
        drained_jvp,
        drained_vjp,
        drained_grad,
        drained_hvp,
        &idx
    );
    check("drained", &x, m, Some(&want));
}

/// A chain in a `while` condition, over a vector the body changes: the
/// condition is evaluated again every round.
#[differentiate]
fn halved_until_small(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    let mut rounds = 0.0;
    while y.iter().map(|v| v * v).sum::<f64>() > 1.0 {
        for v in y.iter_mut() {
            *v *= 0.5;
        }
        rounds += 1.0;
    }
    y.iter().map(|v| v.sin()).sum::<f64>() + rounds
}

#[test]
fn chains_in_while_conditions_are_evaluated_every_round() {
    let x = [1.0, 2.0, 3.0];
    // |x|^2 = 14 -> 3.5 -> 0.875: two rounds, y = x / 4.
    assert_eq!(
        halved_until_small(&x),
        x.iter().map(|v| (v / 4.0).sin()).sum::<f64>() + 2.0
    );
    let want: Vec<f64> = x.iter().map(|v| (v / 4.0).cos() / 4.0).collect();
    let m = slice_modes!(
        halved_until_small,
        halved_until_small_jvp,
        halved_until_small_vjp,
        halved_until_small_grad,
        halved_until_small_hvp
    );
    check("halved_until_small", &x, m, Some(&want));
}

/// Chains on the right of `&&` and `||`, and in a match guard: evaluated
/// only when the left operand lets them (`x[3..]` panics when `x` is
/// shorter).
#[differentiate]
fn guarded(x: &[f64]) -> f64 {
    let mut s = x[0] * x[1];
    if x.len() > 3 && x[3..].iter().all(|v| *v > 0.0) {
        s += x[3].sin();
    }
    if x.len() <= 3 || x[3..].iter().map(|v| v * v).sum::<f64>() < 1.0 {
        s *= x[0];
    }
    // And in a match guard.
    match x.len() {
        5.. if x.iter().map(|v| v.abs()).fold(0.0, f64::max) > 1.0 => s * x[4],
        _ => s,
    }
}

#[test]
fn chains_on_the_right_of_and_and_or_short_circuit() {
    let short = [0.5, 1.5];
    let m = slice_modes!(guarded, guarded_jvp, guarded_vjp, guarded_grad, guarded_hvp);
    // x0^2 x1: the right operands are not evaluated (they would panic).
    check("guarded short", &short, m, Some(&[2.0 * 0.75, 0.25]));
    let long = [0.5, 1.5, -0.2, 0.3];
    // sum of squares of x[3..] = 0.09 < 1, all positive: (x0 x1 + sin x3) x0.
    let want = [
        2.0 * 0.5 * 1.5 + 0.3f64.sin(),
        0.25,
        0.0,
        0.5 * 0.3f64.cos(),
    ];
    let m = slice_modes!(guarded, guarded_jvp, guarded_vjp, guarded_grad, guarded_hvp);
    check("guarded long", &long, m, Some(&want));
    // The guard holds (|x1| = 1.5 > 1): the whole times x4.
    let v = (0.5 * 1.5 + 0.3f64.sin()) * 0.5;
    let want: Vec<f64> = [want[0] * 0.4, want[1] * 0.4, 0.0, want[3] * 0.4, v].to_vec();
    let m = slice_modes!(guarded, guarded_jvp, guarded_vjp, guarded_grad, guarded_hvp);
    let long = [0.5, 1.5, -0.2, 0.3, 0.4];
    check("guarded match", &long, m, Some(&want));
}

// ----- 4. chains over arrays and nalgebra vectors -------------------------------------

/// Chains over an owned array, a borrowed one and a `Vec` built from them,
/// `for &v in &array`, and a chain over an active `DVector`.
#[differentiate]
fn over_arrays(p: [f64; 4], q: &[f64; 3], d: &DVector<f64>) -> f64 {
    let top = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let low = q.iter().copied().min_by(|a, b| a.total_cmp(b)).unwrap();
    let v: Vec<f64> = p.iter().zip(q.iter()).map(|(a, b)| a * b).collect();
    let mut s = 0.0;
    for &t in q {
        s += t.sin();
    }
    for (i, t) in v.iter().enumerate() {
        s += (i as f64 + 1.0) * t;
    }
    let e = d.iter().map(|t| t * t).sum::<f64>();
    top * low + s + e + p.iter().rev().step_by(2).product::<f64>()
}

#[test]
fn chains_over_arrays_and_vectors() {
    let x = [0.6f64, -1.4, 0.9, 0.3, -0.5, 1.2, 0.8, 0.1, -0.7];
    let split = |x: &[f64]| -> ([f64; 4], [f64; 3], DVector<f64>) {
        (
            x[..4].try_into().unwrap(),
            x[4..7].try_into().unwrap(),
            dv(&x[7..]),
        )
    };
    let cat = |a: &[f64], b: &[f64], c: &DVector<f64>| -> Vec<f64> {
        a.iter().chain(b).chain(c.iter()).copied().collect()
    };
    let f = |x: &[f64]| {
        let (p, q, d) = split(x);
        over_arrays(p, &q, &d)
    };
    let jvp = |x: &[f64], v: &[f64]| {
        let ((p, q, d), (dp, dq, dd)) = (split(x), split(v));
        over_arrays_jvp(p, dp, &q, &dq, &d, &dd)
    };
    let vjp = |x: &[f64], w: f64| {
        let (p, q, d) = split(x);
        let (y, gp, gq, gd) = over_arrays_vjp(p, &q, &d, w);
        (y, cat(&gp, &gq, &gd))
    };
    let grad = |x: &[f64]| {
        let (p, q, d) = split(x);
        let (y, gp, gq, gd) = over_arrays_grad(p, &q, &d);
        (y, cat(&gp, &gq, &gd))
    };
    let hvp = |x: &[f64], v: &[f64]| {
        let ((p, q, d), (dp, dq, dd)) = (split(x), split(v));
        let (y, gp, gq, gd, hp, hq, hd) = over_arrays_hvp(p, dp, &q, &dq, &d, &dd);
        (y, cat(&gp, &gq, &gd), cat(&hp, &hq, &hd))
    };
    // By hand: top = p2 (0.9), low = q0 (-0.5); v_i = p_i q_i (i < 3);
    // the product p3 p1.
    let (p, q) = (&x[..4], &x[4..7]);
    let mut want = vec![0.0; 9];
    want[2] += q[0];
    want[4] += p[2];
    for i in 0..3 {
        want[4 + i] += q[i].cos() + (i as f64 + 1.0) * p[i];
        want[i] += (i as f64 + 1.0) * q[i];
    }
    want[3] += p[1];
    want[1] += p[3];
    want[7] += 2.0 * x[7];
    want[8] += 2.0 * x[8];
    check("over_arrays", &x, (f, jvp, vjp, grad, hvp), Some(&want));
}

// ----- 5. found by the random `linalg` family ---------------------------------------

/// `DMatrix::from_fn` with a closure over inactive data only (a parameter
/// left out of `wrt`, the indices) was rejected as a closure the macro does
/// not differentiate ("closures are supported as local closures ..."),
/// though the value carries no derivative and can be kept as written (as
/// `.map` closures on inactive values were).
#[differentiate(wrt(a))]
fn inactive_from_fn(a: f64, w: &Matrix3<f64>) -> f64 {
    let wd = DMatrix::from_fn(3, 3, |i, j| w[(i, j)]);
    let c = DMatrix::from_fn(2, 2, |ri, cj| 0.5 * (ri + 2 * cj) as f64 + 0.25);
    a * wd.sum() + c.sum() * a * a
}

#[test]
fn from_fn_of_inactive_data_is_kept_as_written() {
    let w = Matrix3::from_fn(|i, j| (i + 2 * j) as f64 - 1.5);
    // sum w = 27 - 13.5 = 13.5; sum c = 1 + 0.5 (0 + 2 + 1 + 3) = 4.
    let (s, c) = (13.5, 4.0);
    let f = |x: &[f64]| inactive_from_fn(x[0], &w);
    let jvp = |x: &[f64], v: &[f64]| inactive_from_fn_jvp(x[0], v[0], &w);
    let vjp = |x: &[f64], y: f64| {
        let (r, g) = inactive_from_fn_vjp(x[0], &w, y);
        (r, vec![g])
    };
    let grad = |x: &[f64]| {
        let (r, g) = inactive_from_fn_grad(x[0], &w);
        (r, vec![g])
    };
    let hvp = |x: &[f64], v: &[f64]| {
        let (r, g, h) = inactive_from_fn_hvp(x[0], v[0], &w);
        (r, vec![g], vec![h])
    };
    let a = 0.7;
    assert_eq!(f(&[a]), a * s + c * a * a);
    check(
        "inactive_from_fn",
        &[a],
        (f, jvp, vjp, grad, hvp),
        Some(&[s + 2.0 * c * a]),
    );
}

// ----- 5. tuples bound from an `if`, `match` or block -------------------------------

/// ADBench BA's branch as its C++ reference writes it (`adbench/ba.rs`
/// had to assign in both branches instead).
#[differentiate]
fn tuple_from_if(x: f64, y: f64) -> f64 {
    let (a, b) = if x > 0.0 { (x, 2.0 * x) } else { (-x, x) };
    a * b + y
}

#[differentiate]
fn pair(x: f64) -> (f64, f64) {
    (x * x, x.exp())
}

/// Tuples from an `if` whose branch calls a helper that returns a tuple,
/// from a block, from a `match`, typed and not, in a loop and after it,
/// with a parameter left out of `wrt`.
#[differentiate(wrt(x))]
fn tuples_from_branches(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let (u, v): (f64, f64) = if i % 2 == k {
            pair(x[i])
        } else {
            let t = x[i] * s;
            (t, t + 1.0)
        };
        s += u * v;
        let (p, q) = {
            let r = x[i].sin();
            (r * r, s)
        };
        s = s * 0.5 + p * q;
        let (a, b) = match i % 3 {
            0 => (x[i], s),
            1 => (s, x[0]),
            _ => (1.0, x[i] * x[i]),
        };
        s += a * b.cos();
    }
    let (lo, hi) = if s > 1.0 { (s - 1.0, x[0]) } else { (x[0], s) };
    lo * hi
}

/// A tuple of `Vec`s from an `if` (typed: the names are declared before
/// the branches, and a `Vec` without its type is not known to be one).
#[differentiate(wrt(x))]
fn vec_tuple_from_if(x: &[f64], flip: bool) -> f64 {
    let (u, w): (Vec<f64>, Vec<f64>) = if flip {
        (x.to_vec(), vec![x[0] * x[1]; x.len()])
    } else {
        (vec![x[0]; x.len()], x.to_vec())
    };
    let mut s = 0.0;
    for i in 0..u.len() {
        s += u[i] * w[i].sin();
    }
    s
}

#[test]
fn tuples_bound_from_branches() {
    for (x, y) in [(0.7f64, -0.3f64), (-1.2, 0.4)] {
        // 2 x^2 + y for x > 0, -x^2 + y otherwise.
        let want = [if x > 0.0 { 4.0 * x } else { -2.0 * x }, 1.0];
        let m = (
            |p: &[f64]| tuple_from_if(p[0], p[1]),
            |p: &[f64], v: &[f64]| tuple_from_if_jvp(p[0], v[0], p[1], v[1]),
            |p: &[f64], w: f64| {
                let (o, gx, gy) = tuple_from_if_vjp(p[0], p[1], w);
                (o, vec![gx, gy])
            },
            |p: &[f64]| {
                let (o, gx, gy) = tuple_from_if_grad(p[0], p[1]);
                (o, vec![gx, gy])
            },
            |p: &[f64], v: &[f64]| {
                let (o, gx, gy, hx, hy) = tuple_from_if_hvp(p[0], v[0], p[1], v[1]);
                (o, vec![gx, gy], vec![hx, hy])
            },
        );
        check("tuple_from_if", &[x, y], m, Some(&want));
    }
    for x in [
        vec![0.3, -0.8, 0.5, 1.1, -0.4],
        vec![1.4, 0.9, -1.3],
        vec![-0.2, 0.6],
    ] {
        for k in 0..2 {
            let m = slice_modes!(
                tuples_from_branches,
                tuples_from_branches_jvp,
                tuples_from_branches_vjp,
                tuples_from_branches_grad,
                tuples_from_branches_hvp,
                k
            );
            check("tuples_from_branches", &x, m, None);
        }
        for flip in [true, false] {
            let m = slice_modes!(
                vec_tuple_from_if,
                vec_tuple_from_if_jvp,
                vec_tuple_from_if_vjp,
                vec_tuple_from_if_grad,
                vec_tuple_from_if_hvp,
                flip
            );
            check("vec_tuple_from_if", &x, m, None);
        }
    }
}

// ----- 6. `std::mem::swap` and `std::mem::replace` ----------------------------------

/// One smoothing step into a buffer (the caller swaps the two).
#[differentiate]
fn smooth(u: &[f64], out: &mut [f64]) {
    let n = u.len();
    out[0] = u[0];
    out[n - 1] = u[n - 1];
    for i in 1..n - 1 {
        out[i] = 0.25 * u[i - 1] + 0.5 * u[i] + 0.25 * u[i + 1] + 0.1 * u[i].sin();
    }
}

/// Double buffering with `std::mem::swap` (and its `core` and `mem::`
/// paths) in a loop and a branch, of `Vec`s and of numbers, and
/// `std::mem::replace` bound and as a statement; `k` left out of `wrt`.
#[differentiate(wrt(x))]
fn swapped_buffers(x: &[f64], k: usize) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; x.len()];
    let mut a = x[0];
    let mut b = x[1] * x[1];
    let mut s = 0.0;
    for i in 0..4 {
        smooth(&u, &mut v);
        std::mem::swap(&mut u, &mut v);
        if i % 2 == k {
            core::mem::swap(&mut a, &mut b);
        } else {
            let old = mem::replace(&mut a, u[1] * b);
            s += old.sin();
        }
        s += a * u[2];
    }
    let mut w = vec![0.0; x.len()];
    let last = std::mem::replace(&mut u, vec![1.0; x.len()]);
    smooth(&last, &mut w);
    mem::swap(&mut a, &mut b);
    let _ = mem::replace(&mut b, a * s);
    s + w[1] * w[2] + u[0] * a + b
}

#[test]
fn mem_swap_and_replace_of_locals() {
    for x in [vec![0.3, -0.8, 0.5, 1.1, -0.4], vec![1.4, 0.9, -1.3]] {
        for k in 0..2 {
            let m = slice_modes!(
                swapped_buffers,
                swapped_buffers_jvp,
                swapped_buffers_vjp,
                swapped_buffers_grad,
                swapped_buffers_hvp,
                k
            );
            check("swapped_buffers", &x, m, None);
        }
    }
}

/// Time stepping with the module's `use std::mem::{replace, swap};`: bare
/// `swap` of `Vec`s and of arrays in a loop, bare `replace` bound.
#[differentiate]
fn stepped_by_bare_names(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut un = vec![0.0; x.len()];
    let mut p = [x[0], x[1]];
    let mut q = [0.0; 2];
    for _ in 0..3 {
        smooth(&u, &mut un);
        swap(&mut u, &mut un);
        q[0] = p[1] * u[1];
        q[1] = p[0].sin();
        swap(&mut p, &mut q);
    }
    let old = replace(&mut u, vec![p[0]; x.len()]);
    old[2] * u[1] + p[1] * q[0]
}

/// The body's own `use`s (`use std::mem::{self as m, swap as exchange};`,
/// `use std::mem::take;`), `std::mem::take` bound and as a statement,
/// `replace` with `Default::default()`, and `Default::default()` of an
/// active array in a loop and in straight-line code.
#[differentiate]
fn reset_by_default(x: &[f64]) -> f64 {
    use std::mem::take;
    use std::mem::{self as m, swap as exchange};
    let mut u = x.to_vec();
    let mut a: [f64; 2] = Default::default();
    let mut s = 0.0;
    for k in 0..2 {
        a[0] += u[k] * u[k + 1];
        a[1] += u[k].cos();
        s += a[0] * a[1];
        a = Default::default();
    }
    let mut v = vec![s; 2];
    exchange(&mut u, &mut v);
    let old = take(&mut v);
    let b = m::replace(&mut a, Default::default());
    a[1] = old[1] * s;
    take(&mut v);
    v.push(u[0]);
    u = Vec::default();
    s * old[2] + b[1] + a[1] * v[0] + u.len() as f64
}

/// `take` and `Default::default()` of active f64s in straight-line code,
/// the emptied value then read by methods: the new version has the old
/// one's type (E0282 / E0790 before; found by `tests/random_compose.rs`).
#[differentiate]
fn reset_scalars(x: &[f64]) -> f64 {
    let mut u = (x[0] * x[1]).sin();
    let old = std::mem::take(&mut u);
    u += 0.5 * old + old.sin();
    let mut w = x[2].cos() * u;
    let prev = w;
    w = Default::default();
    w += prev * x[1];
    u.tanh() * w.atan() + old
}

#[test]
fn mem_functions_by_bare_names_and_defaults() {
    for x in [vec![0.3, -0.8, 0.5, 1.1, -0.4], vec![1.4, 0.9, -1.3]] {
        let m = slice_modes!(
            stepped_by_bare_names,
            stepped_by_bare_names_jvp,
            stepped_by_bare_names_vjp,
            stepped_by_bare_names_grad,
            stepped_by_bare_names_hvp
        );
        check("stepped_by_bare_names", &x, m, None);
        let m = slice_modes!(
            reset_by_default,
            reset_by_default_jvp,
            reset_by_default_vjp,
            reset_by_default_grad,
            reset_by_default_hvp
        );
        check("reset_by_default", &x, m, None);
        let m = slice_modes!(
            reset_scalars,
            reset_scalars_jvp,
            reset_scalars_vjp,
            reset_scalars_grad,
            reset_scalars_hvp
        );
        check("reset_scalars", &x, m, None);
    }
}
