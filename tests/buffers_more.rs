//! Follow-ups of the `&mut` nalgebra and `[f64; N]` buffers
//! (`tests/buffers_fixed.rs`): helper results written by element and lent
//! as buffers, a method with a buffer, `scale_mut` and `iter_mut` on a
//! buffer, a copy of an array buffer's contents (`*y`), a buffer function
//! written by a macro in an `impl` block, `from_column_slice` /
//! `from_row_slice` of an active `Vec`, a chain inside `vec![..]`, and
//! `for &i in ids.iter()` over an alias of indices; every mode against
//! finite differences and the dot-product identity.

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

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

fn cat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

#[differentiate]
fn doubled(x: &DVector<f64>) -> DVector<f64> {
    x * 2.0
}

#[differentiate]
fn grown(a: f64) -> DVector<f64> {
    DVector::from_element(2, a)
}

#[differentiate]
fn pair(x: &DVector<f64>) -> [f64; 2] {
    [x[0] * x[1], x[1]]
}

#[differentiate]
fn mix(y: &mut DVector<f64>) {
    y[1] *= y[0];
}

#[differentiate]
fn mix2(y: &mut [f64; 2]) {
    y[1] *= y[0];
}

/// A nalgebra helper's result written by element, then lent.
#[differentiate]
fn result_lent(x: &DVector<f64>) -> f64 {
    let mut y = doubled(x);
    y[0] = x[1] * 3.0;
    mix(&mut y);
    y[0] * y[1]
}

/// The same in a function of scalars: the local's type written.
#[differentiate]
fn result_lent_typed(a: f64, b: f64) -> f64 {
    let mut y: DVector<f64> = grown(a);
    y[0] = a * b;
    mix(&mut y);
    y[0] + y[1] * b
}

/// An array helper's result in a nalgebra function: its type written.
#[differentiate]
fn array_result_lent(x: &DVector<f64>) -> f64 {
    let mut y: [f64; 2] = pair(x);
    y[0] = x[1] * 3.0;
    mix2(&mut y);
    y[0] * y[1]
}

struct Stepper {
    k: f64,
}

impl Stepper {
    /// A method with a nalgebra buffer.
    #[differentiate]
    fn step(&self, a: f64, y: &mut DVector<f64>) {
        y[0] = self.k * a * y[1];
    }
}

/// `scale_mut` of a buffer, then an element.
#[differentiate]
fn scaled(a: f64, y: &mut DVector<f64>) {
    y.scale_mut(a);
    y[1] += a;
}

/// `iter_mut` over a buffer.
#[differentiate]
fn each(a: f64, y: &mut DVector<f64>) {
    for v in y.iter_mut() {
        *v *= a;
    }
}

#[differentiate]
fn weigh(y: &[f64; 3]) -> f64 {
    y[0] * y[1] + y[2]
}

/// A copy of an array buffer's contents, lent to a `&[f64; 3]` parameter.
#[differentiate]
fn copied(a: f64, y: &mut [f64; 3]) -> f64 {
    y[0] *= a;
    let z = *y;
    weigh(&z) * z[1]
}

/// Written by a macro: its scope is not read from the file.
macro_rules! define_scale {
    ($name:ident) => {
        #[differentiate]
        fn $name(a: f64, y: &mut DVector<f64>) {
            *y *= a;
            y[0] += a;
        }
    };
}

struct Holder;

impl Holder {
    define_scale!(scale_in_impl);
}
define_scale!(scale_free);

/// `from_column_slice` and `from_row_slice` of an active `Vec`.
#[differentiate]
fn reshaped(x: &[f64]) -> f64 {
    let v = x.to_vec();
    let m = DMatrix::from_column_slice(2, 2, &v);
    let w = DVector::from_column_slice(&v[0..2]);
    let r = DMatrix::from_row_slice(2, 2, &v);
    let u = DVector::from_row_slice(&v);
    (&m * &w).norm_squared() + r[(0, 1)] * u[3] + (&r * m.transpose())[(1, 0)]
}

/// A chain inside `vec![..]` (the construct under test, not an array).
#[allow(clippy::useless_vec)]
#[differentiate]
fn rows_of(x: &[f64]) -> f64 {
    let rows = vec![x.to_vec(), x.iter().map(|a| a * a).collect::<Vec<f64>>()];
    rows[0][1] * rows[1][0] + rows[1][2]
}

type Ids = Vec<usize>;

/// `for &i` over an alias of indices.
#[differentiate]
fn picked(x: &[f64], ids: &Ids) -> f64 {
    let mut s = 0.0;
    for &i in ids.iter() {
        s += x[i] * x[i] * x[0];
    }
    s
}

#[test]
fn scalar_functions_in_every_mode() {
    let p = [0.6, -0.8];
    let t = [0.3, 0.7];
    check_all(
        "result_lent",
        &p,
        &t,
        |p| result_lent(&dv(p)),
        |p| {
            let (v, g) = result_lent_grad(&dv(p));
            (v, g.as_slice().to_vec())
        },
        |p, t| result_lent_jvp(&dv(p), &dv(t)),
        |p, t| {
            let (v, g, h) = result_lent_hvp(&dv(p), &dv(t));
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
    check_all(
        "array_result_lent",
        &p,
        &t,
        |p| array_result_lent(&dv(p)),
        |p| {
            let (v, g) = array_result_lent_grad(&dv(p));
            (v, g.as_slice().to_vec())
        },
        |p, t| array_result_lent_jvp(&dv(p), &dv(t)),
        |p, t| {
            let (v, g, h) = array_result_lent_hvp(&dv(p), &dv(t));
            (v, g.as_slice().to_vec(), h.as_slice().to_vec())
        },
    );
    check_all(
        "result_lent_typed",
        &p,
        &t,
        |p| result_lent_typed(p[0], p[1]),
        |p| {
            let (v, ga, gb) = result_lent_typed_grad(p[0], p[1]);
            (v, vec![ga, gb])
        },
        |p, t| result_lent_typed_jvp(p[0], t[0], p[1], t[1]),
        |p, t| {
            let (v, ga, gb, ha, hb) = result_lent_typed_hvp(p[0], t[0], p[1], t[1]);
            (v, vec![ga, gb], vec![ha, hb])
        },
    );
    let p = [0.9, -0.4, 1.3, 0.5];
    let t = [0.2, 0.6, -0.3, 0.8];
    check_all(
        "reshaped",
        &p,
        &t,
        reshaped,
        reshaped_grad,
        reshaped_jvp,
        reshaped_hvp,
    );
    let p = [0.9, -0.4, 1.3];
    let t = [0.2, 0.6, -0.3];
    check_all(
        "rows_of",
        &p,
        &t,
        rows_of,
        rows_of_grad,
        rows_of_jvp,
        rows_of_hvp,
    );
    let ids: Ids = vec![2, 0, 2];
    check_all(
        "picked",
        &p,
        &t,
        |p| picked(p, &ids),
        |p| picked_grad(p, &ids),
        |p, t| picked_jvp(p, t, &ids),
        |p, t| picked_hvp(p, t, &ids),
    );
}

/// `f(a, y)` with a 2-element nalgebra buffer `y`, in forward and
/// reverse mode, through the flat inputs `[a, y0, y1]`.
macro_rules! check_buffer {
    ($name:expr, $f:expr, $jvp:expr, $vjp:expr) => {
        agree_vector(
            $name,
            &[1.3, 0.4, -0.9],
            |x| {
                let mut y = dv(&x[1..]);
                $f(x[0], &mut y);
                y.as_slice().to_vec()
            },
            |x, t| {
                let (mut y, mut dy) = (dv(&x[1..]), dv(&t[1..]));
                $jvp(x[0], t[0], &mut y, &mut dy);
                (y.as_slice().to_vec(), dy.as_slice().to_vec())
            },
            |x, c| {
                let (mut y, mut c) = (dv(&x[1..]), dv(c));
                let a_bar = $vjp(x[0], &mut y, &mut c);
                (y.as_slice().to_vec(), cat(&[&[a_bar], c.as_slice()]))
            },
            1e-7,
        )
    };
}

#[test]
fn buffer_forms_in_forward_and_reverse_mode() {
    let s = Stepper { k: 0.7 };
    check_buffer!(
        "step",
        |a, y| s.step(a, y),
        |a, da, y, dy| s.step_jvp(a, da, y, dy),
        |a, y, c| s.step_vjp(a, y, c)
    );
    check_buffer!("scaled", scaled, scaled_jvp, scaled_vjp);
    check_buffer!("each", each, each_jvp, each_vjp);
    check_buffer!(
        "scale_in_impl",
        Holder::scale_in_impl,
        Holder::scale_in_impl_jvp,
        Holder::scale_in_impl_vjp
    );
    check_buffer!("scale_free", scale_free, scale_free_jvp, scale_free_vjp);
    // copied: a, the buffer (3); outputs the buffer and the result.
    let arr = |x: &[f64]| -> [f64; 3] { [x[0], x[1], x[2]] };
    agree_vector(
        "copied",
        &[1.3, 0.4, -0.9, 0.6],
        |x| {
            let mut y = arr(&x[1..]);
            let r = copied(x[0], &mut y);
            cat(&[&y, &[r]])
        },
        |x, t| {
            let (mut y, mut dy) = (arr(&x[1..]), arr(&t[1..]));
            let (r, dr) = copied_jvp(x[0], t[0], &mut y, &mut dy);
            (cat(&[&y, &[r]]), cat(&[&dy, &[dr]]))
        },
        |x, c| {
            let (mut y, mut cy) = (arr(&x[1..]), arr(&c[..3]));
            let (r, a_bar) = copied_vjp(x[0], &mut y, &mut cy, c[3]);
            (cat(&[&y, &[r]]), cat(&[&[a_bar], &cy]))
        },
        1e-7,
    );
}
