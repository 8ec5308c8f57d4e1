//! In/out buffers of fixed-size arrays (`&mut [f64; N]`) and of nalgebra
//! values (`&mut DVector<f64>`, `&mut DMatrix<f64>`, `&mut SVector<f64,
//! N>`, aliases such as `&mut Vector3<f64>`): element writes, whole-value
//! updates, the initial contents read or not, buffers partly written; in
//! `_jvp` and `_vjp` against central finite differences and the
//! dot-product identity, and called from differentiated functions (in
//! loops, and passed on by a caller's own buffer) in every mode (slice
//! buffers: `tests/buffers.rs`, `tests/helpers_buffers.rs`).

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector, SVector, Vector3};

#[path = "common/arrays.rs"]
mod arrays;
mod common;
#[path = "common/flat.rs"]
mod flat;
use arrays::agree_vector;
use flat::check_all;

fn dv(x: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(x)
}

// ----- nalgebra buffers -------------------------------------------------------------

/// An ODE right-hand side: element writes, the initial contents not read.
#[differentiate]
fn rhs(p: &[f64], y: &DVector<f64>, dydt: &mut DVector<f64>) {
    dydt[0] = p[0] * y[1];
    dydt[1] = -p[1] * y[0] * y[0];
}

/// A whole-value update that reads the initial contents.
#[differentiate]
fn axpy(a: f64, x: &DVector<f64>, y: &mut DVector<f64>) {
    *y += x * a;
}

/// A whole assignment after a read of one element.
#[differentiate]
fn assign_whole(a: f64, z: &DVector<f64>, y: &mut DVector<f64>) {
    let s = y[0];
    *y = z * (a * s);
}

/// `copy_from`, then one element of two written; a result of its own.
#[differentiate]
fn copy_then_scale(a: f64, z: &DVector<f64>, y: &mut DVector<f64>) -> f64 {
    let s = y.norm_squared();
    y.copy_from(z);
    y[1] *= a;
    s * a
}

/// `fill`, then one element of three written.
#[differentiate]
fn fill_then_set(a: f64, y: &mut DVector<f64>) {
    let s = y[1];
    y.fill(0.0);
    y[0] = a * s * s;
}

/// A matrix buffer, one element of four written from another.
#[differentiate]
fn shear(a: f64, m: &mut DMatrix<f64>) {
    m[(0, 1)] += a * m[(1, 0)];
}

/// Two static buffers, one through an alias: a compound whole update, and
/// an element written from both.
#[differentiate]
fn two_static(a: f64, m: &mut SVector<f64, 3>, n: &mut Vector3<f64>) {
    *m *= a;
    n[2] = m[0] * n[1];
}

/// `f`'s final buffer contents (and result) as one vector.
fn flat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

#[test]
fn nalgebra_buffers_in_forward_and_reverse_mode() {
    // rhs: inputs p (2), y (2), the buffer's initial contents (2).
    let x = [0.3, 0.7, 1.1, -0.6, 5.0, -2.0];
    agree_vector(
        "rhs",
        &x,
        |x| {
            let mut d = dv(&x[4..]);
            rhs(&x[..2], &dv(&x[2..4]), &mut d);
            d.as_slice().to_vec()
        },
        |x, t| {
            let (mut d, mut dd) = (dv(&x[4..]), dv(&t[4..]));
            rhs_jvp(
                &x[..2],
                &t[..2],
                &dv(&x[2..4]),
                &dv(&t[2..4]),
                &mut d,
                &mut dd,
            );
            (d.as_slice().to_vec(), dd.as_slice().to_vec())
        },
        |x, c| {
            let (mut d, mut c) = (dv(&x[4..]), dv(c));
            let (p_bar, y_bar) = rhs_vjp(&x[..2], &dv(&x[2..4]), &mut d, &mut c);
            (
                d.as_slice().to_vec(),
                flat(&[&p_bar, y_bar.as_slice(), c.as_slice()]),
            )
        },
        1e-7,
    );
    // axpy and assign_whole: a, x (2), the buffer (2).
    let x = [1.5, 0.4, -0.9, 0.7, 2.0];
    macro_rules! whole {
        ($f:ident, $jvp:ident, $vjp:ident) => {
            agree_vector(
                stringify!($f),
                &x,
                |x| {
                    let mut y = dv(&x[3..]);
                    $f(x[0], &dv(&x[1..3]), &mut y);
                    y.as_slice().to_vec()
                },
                |x, t| {
                    let (mut y, mut dy) = (dv(&x[3..]), dv(&t[3..]));
                    $jvp(x[0], t[0], &dv(&x[1..3]), &dv(&t[1..3]), &mut y, &mut dy);
                    (y.as_slice().to_vec(), dy.as_slice().to_vec())
                },
                |x, c| {
                    let (mut y, mut c) = (dv(&x[3..]), dv(c));
                    let (a_bar, z_bar) = $vjp(x[0], &dv(&x[1..3]), &mut y, &mut c);
                    (
                        y.as_slice().to_vec(),
                        flat(&[&[a_bar], z_bar.as_slice(), c.as_slice()]),
                    )
                },
                1e-7,
            )
        };
    }
    whole!(axpy, axpy_jvp, axpy_vjp);
    whole!(assign_whole, assign_whole_jvp, assign_whole_vjp);
    // copy_then_scale: the same inputs; outputs the buffer and the result.
    agree_vector(
        "copy_then_scale",
        &x,
        |x| {
            let mut y = dv(&x[3..]);
            let r = copy_then_scale(x[0], &dv(&x[1..3]), &mut y);
            flat(&[y.as_slice(), &[r]])
        },
        |x, t| {
            let (mut y, mut dy) = (dv(&x[3..]), dv(&t[3..]));
            let (r, dr) =
                copy_then_scale_jvp(x[0], t[0], &dv(&x[1..3]), &dv(&t[1..3]), &mut y, &mut dy);
            (flat(&[y.as_slice(), &[r]]), flat(&[dy.as_slice(), &[dr]]))
        },
        |x, c| {
            let (mut y, mut cy) = (dv(&x[3..]), dv(&c[..2]));
            let (r, a_bar, z_bar) = copy_then_scale_vjp(x[0], &dv(&x[1..3]), &mut y, &mut cy, c[2]);
            (
                flat(&[y.as_slice(), &[r]]),
                flat(&[&[a_bar], z_bar.as_slice(), cy.as_slice()]),
            )
        },
        1e-7,
    );
    // fill_then_set: a, the buffer (3).
    let x = [1.5, 0.4, -0.9, 0.7];
    agree_vector(
        "fill_then_set",
        &x,
        |x| {
            let mut y = dv(&x[1..]);
            fill_then_set(x[0], &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let (mut y, mut dy) = (dv(&x[1..]), dv(&t[1..]));
            fill_then_set_jvp(x[0], t[0], &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let (mut y, mut c) = (dv(&x[1..]), dv(c));
            let a_bar = fill_then_set_vjp(x[0], &mut y, &mut c);
            (y.as_slice().to_vec(), flat(&[&[a_bar], c.as_slice()]))
        },
        1e-7,
    );
    // shear: a, the 2x2 buffer (column-major).
    let x = [0.8, 1.0, -0.5, 0.3, 2.0];
    let m = |x: &[f64]| DMatrix::from_column_slice(2, 2, x);
    agree_vector(
        "shear",
        &x,
        |x| {
            let mut b = m(&x[1..]);
            shear(x[0], &mut b);
            b.as_slice().to_vec()
        },
        |x, t| {
            let (mut b, mut db) = (m(&x[1..]), m(&t[1..]));
            shear_jvp(x[0], t[0], &mut b, &mut db);
            (b.as_slice().to_vec(), db.as_slice().to_vec())
        },
        |x, c| {
            let (mut b, mut c) = (m(&x[1..]), m(c));
            let a_bar = shear_vjp(x[0], &mut b, &mut c);
            (b.as_slice().to_vec(), flat(&[&[a_bar], c.as_slice()]))
        },
        1e-7,
    );
    // two_static: a, m (3), n (3).
    let x = [0.8, 1.0, -0.5, 0.3, 2.0, 1.2, -0.4];
    let s3 = |x: &[f64]| SVector::<f64, 3>::from_column_slice(x);
    let v3 = |x: &[f64]| Vector3::from_column_slice(x);
    agree_vector(
        "two_static",
        &x,
        |x| {
            let (mut a, mut b) = (s3(&x[1..4]), v3(&x[4..]));
            two_static(x[0], &mut a, &mut b);
            flat(&[a.as_slice(), b.as_slice()])
        },
        |x, t| {
            let (mut a, mut da) = (s3(&x[1..4]), s3(&t[1..4]));
            let (mut b, mut db) = (v3(&x[4..]), v3(&t[4..]));
            two_static_jvp(x[0], t[0], &mut a, &mut da, &mut b, &mut db);
            (
                flat(&[a.as_slice(), b.as_slice()]),
                flat(&[da.as_slice(), db.as_slice()]),
            )
        },
        |x, c| {
            let (mut a, mut ca) = (s3(&x[1..4]), s3(&c[..3]));
            let (mut b, mut cb) = (v3(&x[4..]), v3(&c[3..]));
            let a_bar = two_static_vjp(x[0], &mut a, &mut ca, &mut b, &mut cb);
            (
                flat(&[a.as_slice(), b.as_slice()]),
                flat(&[&[a_bar], ca.as_slice(), cb.as_slice()]),
            )
        },
        1e-7,
    );
}

// ----- fixed-size array buffers --------------------------------------------------

/// Scaled in place: the initial contents read, every element written.
#[differentiate]
fn scale3(a: f64, y: &mut [f64; 3]) {
    for i in 0..3 {
        y[i] *= a;
    }
}

/// One element of three written, from another.
#[differentiate]
fn partly(a: f64, y: &mut [f64; 3]) {
    y[0] = a * y[2];
}

/// A whole assignment that reads the initial contents.
#[differentiate]
fn rotate(a: f64, y: &mut [f64; 3]) {
    let s = y[0] + y[2];
    *y = [a * s, y[0] * y[1], 2.0 * y[1]];
}

/// `fill` and `copy_from_slice`, then an element scaled; the initial
/// contents not read; a result of its own.
#[differentiate]
fn refill(x: &[f64], y: &mut [f64; 3]) -> f64 {
    y.fill(x[0]);
    y[1] *= x[1];
    let s = y[0] * y[1];
    y[..2].copy_from_slice(&x[1..3]);
    s
}

#[test]
fn array_buffers_in_forward_and_reverse_mode() {
    let x = [1.5, 0.4, -0.9, 0.7];
    let arr = |x: &[f64]| -> [f64; 3] { [x[0], x[1], x[2]] };
    macro_rules! in_place {
        ($f:ident, $jvp:ident, $vjp:ident) => {
            agree_vector(
                stringify!($f),
                &x,
                |x| {
                    let mut y = arr(&x[1..]);
                    $f(x[0], &mut y);
                    y.to_vec()
                },
                |x, t| {
                    let (mut y, mut dy) = (arr(&x[1..]), arr(&t[1..]));
                    $jvp(x[0], t[0], &mut y, &mut dy);
                    (y.to_vec(), dy.to_vec())
                },
                |x, c| {
                    let (mut y, mut c) = (arr(&x[1..]), arr(c));
                    let a_bar = $vjp(x[0], &mut y, &mut c);
                    (y.to_vec(), flat(&[&[a_bar], &c]))
                },
                1e-7,
            )
        };
    }
    in_place!(scale3, scale3_jvp, scale3_vjp);
    in_place!(partly, partly_jvp, partly_vjp);
    in_place!(rotate, rotate_jvp, rotate_vjp);
    // refill: x (3), the buffer (3); outputs the buffer and the result.
    let x = [1.5, 0.4, -0.9, 0.7, 0.2, 3.0];
    agree_vector(
        "refill",
        &x,
        |x| {
            let mut y = arr(&x[3..]);
            let r = refill(&x[..3], &mut y);
            flat(&[&y, &[r]])
        },
        |x, t| {
            let (mut y, mut dy) = (arr(&x[3..]), arr(&t[3..]));
            let (r, dr) = refill_jvp(&x[..3], &t[..3], &mut y, &mut dy);
            (flat(&[&y, &[r]]), flat(&[&dy, &[dr]]))
        },
        |x, c| {
            let (mut y, mut cy) = (arr(&x[3..]), arr(&c[..3]));
            let (r, x_bar) = refill_vjp(&x[..3], &mut y, &mut cy, c[3]);
            (flat(&[&y, &[r]]), flat(&[&x_bar, &cy]))
        },
        1e-7,
    );
}

// ----- called from differentiated functions ----------------------------------------

/// Explicit Euler through `rhs(p, &y, &mut d)` on `DVector` locals.
#[differentiate]
fn euler(p: &[f64], y0: &DVector<f64>) -> f64 {
    let mut y = y0.clone();
    let mut d = DVector::zeros(2);
    for _ in 0..5 {
        rhs(p, &y, &mut d);
        y += &d * 0.1;
    }
    y.norm_squared()
}

/// A caller's own nalgebra buffer passed on, then updated by element.
#[differentiate]
fn step(a: f64, x: &DVector<f64>, state: &mut DVector<f64>) {
    axpy(a, x, state);
    fill_then_set(a, state);
    state[1] += a * x[0];
}

/// A buffer named in `wrt(...)`, the scale left out.
#[differentiate(wrt(y))]
fn damp(k: f64, y: &mut DVector<f64>) {
    *y = &*y * k + y.map(|v| v * v);
}

/// Helpers with nalgebra buffers in a loop: a local written by element
/// before it is lent, a helper's result, and the buffer's value read after.
#[differentiate]
fn relax(a: f64, x: &DVector<f64>) -> f64 {
    let mut s = x.clone();
    s[0] *= a;
    let mut total = 0.0;
    for _ in 0..3 {
        step(a, x, &mut s);
        total += copy_then_scale(a, x, &mut s) * s[1];
        assign_whole(0.5, x, &mut s);
        axpy(a, x, &mut s);
    }
    let mut m = DMatrix::zeros(2, 2);
    m[(0, 0)] = x[0];
    m[(1, 0)] = x[1] * a;
    m[(0, 1)] = a;
    shear(a, &mut m);
    total + s.norm_squared() + m.sum()
}

/// Helpers with array buffers in a loop, and a caller's own array buffer
/// passed on.
#[differentiate]
fn twice(a: f64, y: &mut [f64; 3]) {
    scale3(a, y);
    rotate(a, y);
}

#[differentiate]
fn arrays_in_a_loop(x: &[f64]) -> f64 {
    let mut y = [x[0], x[1], x[2]];
    let mut total = 0.0;
    for k in 0..3 {
        twice(x[k], &mut y);
        partly(x[1], &mut y);
        total += refill(&x[k..], &mut y) * y[2];
        scale3(0.9, &mut y);
    }
    total + y[0] * y[1] + y[2]
}

#[test]
fn a_callers_own_buffer_passed_on() {
    // step: a, x (2), the buffer (2); damp: the buffer (2).
    let x = [0.7, 0.4, -0.9, 0.3, 1.1];
    agree_vector(
        "step",
        &x,
        |x| {
            let mut s = dv(&x[3..]);
            step(x[0], &dv(&x[1..3]), &mut s);
            s.as_slice().to_vec()
        },
        |x, t| {
            let (mut s, mut ds) = (dv(&x[3..]), dv(&t[3..]));
            step_jvp(x[0], t[0], &dv(&x[1..3]), &dv(&t[1..3]), &mut s, &mut ds);
            (s.as_slice().to_vec(), ds.as_slice().to_vec())
        },
        |x, c| {
            let (mut s, mut c) = (dv(&x[3..]), dv(c));
            let (a_bar, x_bar) = step_vjp(x[0], &dv(&x[1..3]), &mut s, &mut c);
            (
                s.as_slice().to_vec(),
                flat(&[&[a_bar], x_bar.as_slice(), c.as_slice()]),
            )
        },
        1e-7,
    );
    agree_vector(
        "damp",
        &x[3..],
        |x| {
            let mut y = dv(x);
            damp(0.5, &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let (mut y, mut dy) = (dv(x), dv(t));
            damp_jvp(0.5, &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let (mut y, mut c) = (dv(x), dv(c));
            damp_vjp(0.5, &mut y, &mut c);
            (y.as_slice().to_vec(), c.as_slice().to_vec())
        },
        1e-7,
    );
}

/// Locals built from active values by constructors the macro writes as
/// element writes (`from_column_slice` of a range, `Vector3::new`), lent
/// whole to buffer parameters (they were lent as arrays: E0277, found by
/// the compose family's sixth batch).
#[differentiate]
fn built_then_lent(x: &[f64]) -> f64 {
    let mut d = DVector::from_column_slice(&x[0..2]);
    let mut s = 0.0;
    for _ in 0..2 {
        axpy(x[2], &DVector::from_element(2, 0.5), &mut d);
        s += d[1].sin();
    }
    let mut n = Vector3::new(x[0], 0.4, x[1] * x[2]);
    let mut m = SVector::<f64, 3>::from_element(0.7);
    two_static(x[1], &mut m, &mut n);
    s * d[0] + n[2] * n[0]
}

#[test]
fn buffers_called_from_differentiated_functions() {
    let p = [0.6, -0.8, 0.9];
    let t = [0.3, 0.5, -0.7];
    check_all(
        "built_then_lent",
        &p,
        &t,
        built_then_lent,
        built_then_lent_grad,
        built_then_lent_jvp,
        built_then_lent_hvp,
    );
    let p = [0.3, 0.7, 1.1, -0.6];
    let t = [0.2, -0.5, 0.4, 0.9];
    check_all(
        "euler",
        &p,
        &t,
        |p| euler(&p[..2], &dv(&p[2..])),
        |p| {
            let (v, gp, gy) = euler_grad(&p[..2], &dv(&p[2..]));
            (v, flat(&[&gp, gy.as_slice()]))
        },
        |p, t| euler_jvp(&p[..2], &t[..2], &dv(&p[2..]), &dv(&t[2..])),
        |p, t| {
            let (v, gp, gy, hp, hy) = euler_hvp(&p[..2], &t[..2], &dv(&p[2..]), &dv(&t[2..]));
            (v, flat(&[&gp, gy.as_slice()]), flat(&[&hp, hy.as_slice()]))
        },
    );
    let p = [0.6, 0.8, -0.4];
    let t = [0.3, -0.2, 0.7];
    check_all(
        "relax",
        &p,
        &t,
        |p| relax(p[0], &dv(&p[1..])),
        |p| {
            let (v, ga, gx) = relax_grad(p[0], &dv(&p[1..]));
            (v, flat(&[&[ga], gx.as_slice()]))
        },
        |p, t| relax_jvp(p[0], t[0], &dv(&p[1..]), &dv(&t[1..])),
        |p, t| {
            let (v, ga, gx, ha, hx) = relax_hvp(p[0], t[0], &dv(&p[1..]), &dv(&t[1..]));
            (
                v,
                flat(&[&[ga], gx.as_slice()]),
                flat(&[&[ha], hx.as_slice()]),
            )
        },
    );
    let p = [0.9, 0.5, -0.7, 1.2, 0.3];
    let t = [0.3, -0.2, 0.7, 0.1, -0.4];
    check_all(
        "arrays_in_a_loop",
        &p,
        &t,
        arrays_in_a_loop,
        arrays_in_a_loop_grad,
        arrays_in_a_loop_jvp,
        arrays_in_a_loop_hvp,
    );
}
