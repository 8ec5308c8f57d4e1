//! nalgebra values of a generic float type (`&DVector<T>`, `&DMatrix<T>`,
//! `DVector<T>` by value, `SVector<T, N>`, `&mut DVector<T>` buffers, with
//! `T: ad::Real` or num-traits' `Float`): the operations of the `f64` tests (`tests/matrix.rs`,
//! `tests/helpers.rs`), calls between such helpers, in every mode against
//! central finite differences and the dot-product identity, instantiated at
//! `f64` and at `f32` (which must give the `f64` numbers, rounded).

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector, SMatrix, SVector, Vector3};
use ad::Real;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
#[path = "common/flat.rs"]
mod flat;
use arrays::agree_vector;
use flat::{check_all, dot_f};

// ----- the functions ---------------------------------------------------------------

#[differentiate]
fn quad<T: Real>(a: &DMatrix<T>, x: &DVector<T>) -> T {
    let y = a * x;
    y.dot(&y)
}

/// Over num-traits' `Float` (with what nalgebra's `dot` needs of it): the
/// generated items add `T: RealRules`.
#[differentiate]
fn quad_num<T>(a: &DMatrix<T>, x: &DVector<T>) -> T
where
    T: num_traits::Float + num_traits::NumAssign + core::fmt::Debug + 'static,
{
    let y = a * x;
    y.dot(&y) + x[0].sin()
}

/// By value, a transpose and an element of a 1 x 1 product.
#[differentiate]
fn quad_form<T: Real>(a: DMatrix<T>, x: DVector<T>) -> T {
    let y = &a * &x;
    (x.transpose() * y)[0] + a[(1, 0)] * x[2]
}

#[differentiate]
fn fixed<T: Real>(a: SMatrix<T, 2, 3>, x: SVector<T, 3>) -> T {
    let y = a * x;
    y.dot(&y) * T::HALF + y[1].sin()
}

/// Closures over the elements, the element type written or not.
#[differentiate]
fn mapped<T: Real>(m: &DMatrix<T>, v: &DVector<T>) -> T {
    let scale = T::HALF;
    let s = m.map(|x| (x * scale).sin() * x.exp() + T::ONE / (T::ONE + x * x));
    let u = (&s * v).map(|y: T| {
        let a = y.tanh();
        a * a
    });
    u.sum()
}

/// A matrix built from zeros by element writes.
#[differentiate]
fn built<T: Real>(x: &DVector<T>) -> T {
    let mut m = DMatrix::zeros(2, 2);
    m[(0, 0)] = x[0] * x[1];
    m[(1, 1)] = x[1].sin();
    m[(0, 1)] = x[0];
    m[(0, 1)] *= x[0];
    m.sum()
}

/// Columns, rows, and a vector filled with an active scalar.
#[differentiate]
fn pieces<T: Real>(m: &DMatrix<T>, s: T) -> T {
    let c = m.column(1);
    let r = m.row(0);
    let fill = DVector::from_element(m.nrows(), s);
    c.dot(&fill) + (r * m.row(2).transpose())[0] * s
}

/// A loop updating a vector; an integer parameter.
#[differentiate(wrt(w, h0))]
fn recurrent<T: Real>(w: &DMatrix<T>, h0: &DVector<T>, steps: usize) -> T {
    let mut h = h0.clone();
    let mut acc = DVector::zeros(h0.len());
    for _ in 0..steps {
        h = (w * &h).map(|v| v.tanh());
        acc += &h;
    }
    acc.dot(&acc)
}

/// Scalings, quotients, differences, negation and element-wise methods.
#[differentiate]
fn scalings<T: Real>(a: T, u: &DVector<T>) -> T {
    let h = u * a;
    let q = &h * a - u;
    let g = -(&q / (a * a + T::ONE));
    g.component_mul(&h).sum() + h.add_scalar(a).dot(u)
}

#[differentiate]
fn crossed<T: Real>(a: Vector3<T>, b: Vector3<T>) -> T {
    a.cross(&b).dot(&a.component_div(&b))
}

/// A vector output.
#[differentiate]
fn layer<T: Real>(w: &DMatrix<T>, b: &DVector<T>, x: &DVector<T>) -> DVector<T> {
    let z = w * x + b;
    z.map(|v| v.tanh())
}

/// A caller of `layer`, with an owned intermediate passed by reference.
#[differentiate]
fn network<T: Real>(w1: &DMatrix<T>, w2: &DMatrix<T>, x: &DVector<T>) -> T {
    let b = DVector::from_element(w1.nrows(), T::from_f64(0.1));
    let h = layer(w1, &b, x);
    let o = layer(w2, &b.rows(0, w2.nrows()).into_owned(), &h);
    o.dot(&o)
}

/// A caller of `layer` in a loop and under a branch.
#[differentiate(wrt(w, x))]
fn deep<T: Real>(w: &DMatrix<T>, x: &DVector<T>, n: usize) -> T {
    let b = DVector::from_element(w.nrows(), T::from_f64(-0.2));
    let mut h = x.clone();
    let mut s = T::ZERO;
    for _ in 0..n {
        h = layer(w, &b, &h);
        if h[0] > T::ZERO {
            s += h.sum();
        } else {
            s -= h[1] * h[1];
        }
    }
    s + h.dot(x)
}

/// An in/out buffer.
#[differentiate]
fn axpy<T: Real>(a: T, x: &DVector<T>, y: &mut DVector<T>) {
    *y += x * a;
}

/// An element of a buffer written from another (the case the macro
/// rejected before).
#[differentiate]
fn scale<T: Real>(a: T, y: &mut DVector<T>) {
    y[1] = a * y[0];
}

/// A caller lending a local vector to `axpy`.
#[differentiate]
fn uses_axpy<T: Real>(a: T, x: &DVector<T>) -> T {
    let mut y = x.map(|v| v * v);
    axpy(a, x, &mut y);
    y.dot(&y)
}

// ----- the checks ------------------------------------------------------------------

/// A function's value and derivatives at `p` (along `t`, seeded with `c`),
/// through the flat vector of its inputs.
struct Modes<T> {
    value: T,
    grad: Vec<T>,
    vjp: Vec<T>,
    jvp: T,
    hvp_grad: Vec<T>,
    hvp: Vec<T>,
}

/// The entries of vectors and matrices, one after the other.
fn cat<T: Real>(parts: &[&[T]]) -> Vec<T> {
    parts.concat()
}

fn dm<T: Real>(r: usize, c: usize, p: &[T]) -> DMatrix<T> {
    DMatrix::from_column_slice(r, c, p)
}

fn dv<T: Real>(p: &[T]) -> DVector<T> {
    DVector::from_column_slice(p)
}

/// `layer`'s inputs: a 2 x 3 matrix and vectors of 2 and 3.
fn layer_split<T: Real>(x: &[T]) -> (DMatrix<T>, DVector<T>, DVector<T>) {
    (dm(2, 3, &x[..6]), dv(&x[6..8]), dv(&x[8..]))
}

fn to32(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&a| a as f32).collect()
}

/// Checks a scalar function of `p`, given its modes at `f64` and at `f32`:
/// the gradient, the JVP along `t` and the HVP against finite differences
/// (`check_all`); the VJP seeded with `c` against the dot-product identity
/// `<J t, c> = <t, J^T c>`; the `f32` instantiation against the `f64` one.
fn check(
    name: &str,
    p: &[f64],
    f: fn(&[f64]) -> f64,
    m64: fn(&[f64], &[f64], f64) -> Modes<f64>,
    m32: fn(&[f32], &[f32], f32) -> Modes<f32>,
) {
    let t: Vec<f64> = (0..p.len()).map(|i| 0.3 - 0.17 * i as f64).collect();
    let c = -1.7;
    let zero = vec![0.0; p.len()];
    check_all(
        name,
        p,
        &t,
        f,
        |p| {
            let m = m64(p, &zero, 1.0);
            (m.value, m.grad)
        },
        |p, t| {
            let m = m64(p, t, 1.0);
            (m.value, m.jvp)
        },
        |p, t| {
            let m = m64(p, t, 1.0);
            (m.value, m.hvp_grad, m.hvp)
        },
    );
    let m = m64(p, &t, c);
    let (lhs, rhs) = (m.jvp * c, dot_f(&t, &m.vjp));
    assert!(
        (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
        "{name}: <J t, c> = {lhs} but <t, J^T c> = {rhs}"
    );
    let s = m32(&to32(p), &to32(&t), c as f32);
    let near = |a: f32, b: f64| (a as f64 - b).abs() <= 1e-3 * (1.0 + b.abs());
    let all_near =
        |a: &[f32], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(a, b)| near(*a, *b));
    assert!(
        near(s.value, m.value) && near(s.jvp, m.jvp),
        "{name}: f32 value or jvp"
    );
    assert!(all_near(&s.grad, &m.grad), "{name}: f32 gradient");
    assert!(all_near(&s.vjp, &m.vjp), "{name}: f32 vjp");
    assert!(
        all_near(&s.hvp_grad, &m.hvp_grad) && all_near(&s.hvp, &m.hvp),
        "{name}: f32 hvp"
    );
}

/// `quad`, `quad_form`, `network`: `(A, x)` of shapes 2 x 3 and 3 (the
/// weights of `network` 3 x 2 and 2 x 3, input 2).
fn quad_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (a, x, da, dx) = (
        dm(2, 3, &p[..6]),
        dv(&p[6..]),
        dm(2, 3, &t[..6]),
        dv(&t[6..]),
    );
    let (value, ga, gx) = quad_grad(&a, &x);
    let (_, va, vx) = quad_vjp(&a, &x, c);
    let (_, jvp) = quad_jvp(&a, &da, &x, &dx);
    let (_, ha, hx, hda, hdx) = quad_hvp(&a, &da, &x, &dx);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gx.as_slice()]),
        vjp: cat(&[va.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hx.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdx.as_slice()]),
    }
}

fn quad_num_modes<T: Real + num_traits::NumAssign>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (a, x, da, dx) = (
        dm(2, 3, &p[..6]),
        dv(&p[6..]),
        dm(2, 3, &t[..6]),
        dv(&t[6..]),
    );
    let (value, ga, gx) = quad_num_grad(&a, &x);
    let (_, va, vx) = quad_num_vjp(&a, &x, c);
    let (_, jvp) = quad_num_jvp(&a, &da, &x, &dx);
    let (_, ha, hx, hda, hdx) = quad_num_hvp(&a, &da, &x, &dx);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gx.as_slice()]),
        vjp: cat(&[va.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hx.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdx.as_slice()]),
    }
}

fn quad_form_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let a = || dm(3, 3, &p[..9]);
    let x = || dv(&p[9..]);
    let (da, dx) = (dm(3, 3, &t[..9]), dv(&t[9..]));
    let (value, ga, gx) = quad_form_grad(a(), x());
    let (_, va, vx) = quad_form_vjp(a(), x(), c);
    let (_, jvp) = quad_form_jvp(a(), da.clone(), x(), dx.clone());
    let (_, ha, hx, hda, hdx) = quad_form_hvp(a(), da, x(), dx);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gx.as_slice()]),
        vjp: cat(&[va.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hx.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdx.as_slice()]),
    }
}

fn fixed_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let a = SMatrix::<T, 2, 3>::from_column_slice(&p[..6]);
    let x = SVector::<T, 3>::from_column_slice(&p[6..]);
    let da = SMatrix::<T, 2, 3>::from_column_slice(&t[..6]);
    let dx = SVector::<T, 3>::from_column_slice(&t[6..]);
    let (value, ga, gx) = fixed_grad(a, x);
    let (_, va, vx) = fixed_vjp(a, x, c);
    let (_, jvp) = fixed_jvp(a, da, x, dx);
    let (_, ha, hx, hda, hdx) = fixed_hvp(a, da, x, dx);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gx.as_slice()]),
        vjp: cat(&[va.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hx.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdx.as_slice()]),
    }
}

/// `mapped`: a 2 x 3 matrix and a 3-vector.
fn mapped_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (m, v, dm_, dv_) = (
        dm(2, 3, &p[..6]),
        dv(&p[6..]),
        dm(2, 3, &t[..6]),
        dv(&t[6..]),
    );
    let (value, gm, gv) = mapped_grad(&m, &v);
    let (_, vm, vv) = mapped_vjp(&m, &v, c);
    let (_, jvp) = mapped_jvp(&m, &dm_, &v, &dv_);
    let (_, hm, hv, hdm, hdv) = mapped_hvp(&m, &dm_, &v, &dv_);
    Modes {
        value,
        grad: cat(&[gm.as_slice(), gv.as_slice()]),
        vjp: cat(&[vm.as_slice(), vv.as_slice()]),
        jvp,
        hvp_grad: cat(&[hm.as_slice(), hv.as_slice()]),
        hvp: cat(&[hdm.as_slice(), hdv.as_slice()]),
    }
}

fn built_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (x, dx) = (dv(p), dv(t));
    let (value, g) = built_grad(&x);
    let (_, v) = built_vjp(&x, c);
    let (_, jvp) = built_jvp(&x, &dx);
    let (_, h, hd) = built_hvp(&x, &dx);
    Modes {
        value,
        grad: g.as_slice().to_vec(),
        vjp: v.as_slice().to_vec(),
        jvp,
        hvp_grad: h.as_slice().to_vec(),
        hvp: hd.as_slice().to_vec(),
    }
}

/// `pieces`: a 3 x 2 matrix and a scalar.
fn pieces_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (m, dm_) = (dm(3, 2, &p[..6]), dm(3, 2, &t[..6]));
    let (value, gm, gs) = pieces_grad(&m, p[6]);
    let (_, vm, vs) = pieces_vjp(&m, p[6], c);
    let (_, jvp) = pieces_jvp(&m, &dm_, p[6], t[6]);
    let (_, hm, hs, hdm, hds) = pieces_hvp(&m, &dm_, p[6], t[6]);
    Modes {
        value,
        grad: cat(&[gm.as_slice(), &[gs]]),
        vjp: cat(&[vm.as_slice(), &[vs]]),
        jvp,
        hvp_grad: cat(&[hm.as_slice(), &[hs]]),
        hvp: cat(&[hdm.as_slice(), &[hds]]),
    }
}

/// `recurrent`: a 2 x 2 matrix and a 2-vector, three steps.
fn recurrent_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (w, h, dw, dh) = (
        dm(2, 2, &p[..4]),
        dv(&p[4..]),
        dm(2, 2, &t[..4]),
        dv(&t[4..]),
    );
    let (value, gw, gh) = recurrent_grad(&w, &h, 3);
    let (_, vw, vh) = recurrent_vjp(&w, &h, 3, c);
    let (_, jvp) = recurrent_jvp(&w, &dw, &h, &dh, 3);
    let (_, hw, hh, hdw, hdh) = recurrent_hvp(&w, &dw, &h, &dh, 3);
    Modes {
        value,
        grad: cat(&[gw.as_slice(), gh.as_slice()]),
        vjp: cat(&[vw.as_slice(), vh.as_slice()]),
        jvp,
        hvp_grad: cat(&[hw.as_slice(), hh.as_slice()]),
        hvp: cat(&[hdw.as_slice(), hdh.as_slice()]),
    }
}

/// `scalings`: a scalar and a 3-vector.
fn scalings_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (u, du) = (dv(&p[1..]), dv(&t[1..]));
    let (value, ga, gu) = scalings_grad(p[0], &u);
    let (_, va, vu) = scalings_vjp(p[0], &u, c);
    let (_, jvp) = scalings_jvp(p[0], t[0], &u, &du);
    let (_, ha, hu, hda, hdu) = scalings_hvp(p[0], t[0], &u, &du);
    Modes {
        value,
        grad: cat(&[&[ga], gu.as_slice()]),
        vjp: cat(&[&[va], vu.as_slice()]),
        jvp,
        hvp_grad: cat(&[&[ha], hu.as_slice()]),
        hvp: cat(&[&[hda], hdu.as_slice()]),
    }
}

fn crossed_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let v = |x: &[T]| Vector3::from_column_slice(x);
    let (a, b, da, db) = (v(&p[..3]), v(&p[3..]), v(&t[..3]), v(&t[3..]));
    let (value, ga, gb) = crossed_grad(a, b);
    let (_, va, vb) = crossed_vjp(a, b, c);
    let (_, jvp) = crossed_jvp(a, da, b, db);
    let (_, ha, hb, hda, hdb) = crossed_hvp(a, da, b, db);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gb.as_slice()]),
        vjp: cat(&[va.as_slice(), vb.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hb.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdb.as_slice()]),
    }
}

/// `network`: weights 3 x 2 and 2 x 3, an input of 2.
fn network_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let split = |p: &[T]| (dm(3, 2, &p[..6]), dm(2, 3, &p[6..12]), dv(&p[12..]));
    let ((a, b, x), (da, db, dx)) = (split(p), split(t));
    let (value, ga, gb, gx) = network_grad(&a, &b, &x);
    let (_, va, vb, vx) = network_vjp(&a, &b, &x, c);
    let (_, jvp) = network_jvp(&a, &da, &b, &db, &x, &dx);
    let (_, ha, hb, hx, hda, hdb, hdx) = network_hvp(&a, &da, &b, &db, &x, &dx);
    Modes {
        value,
        grad: cat(&[ga.as_slice(), gb.as_slice(), gx.as_slice()]),
        vjp: cat(&[va.as_slice(), vb.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[ha.as_slice(), hb.as_slice(), hx.as_slice()]),
        hvp: cat(&[hda.as_slice(), hdb.as_slice(), hdx.as_slice()]),
    }
}

/// `deep`: a 2 x 2 matrix and a 2-vector, three steps.
fn deep_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (w, x, dw, dx) = (
        dm(2, 2, &p[..4]),
        dv(&p[4..]),
        dm(2, 2, &t[..4]),
        dv(&t[4..]),
    );
    let (value, gw, gx) = deep_grad(&w, &x, 3);
    let (_, vw, vx) = deep_vjp(&w, &x, 3, c);
    let (_, jvp) = deep_jvp(&w, &dw, &x, &dx, 3);
    let (_, hw, hx, hdw, hdx) = deep_hvp(&w, &dw, &x, &dx, 3);
    Modes {
        value,
        grad: cat(&[gw.as_slice(), gx.as_slice()]),
        vjp: cat(&[vw.as_slice(), vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[hw.as_slice(), hx.as_slice()]),
        hvp: cat(&[hdw.as_slice(), hdx.as_slice()]),
    }
}

/// `uses_axpy`: a scalar and a 3-vector.
fn uses_axpy_modes<T: Real>(p: &[T], t: &[T], c: T) -> Modes<T> {
    let (x, dx) = (dv(&p[1..]), dv(&t[1..]));
    let (value, ga, gx) = uses_axpy_grad(p[0], &x);
    let (_, va, vx) = uses_axpy_vjp(p[0], &x, c);
    let (_, jvp) = uses_axpy_jvp(p[0], t[0], &x, &dx);
    let (_, ha, hx, hda, hdx) = uses_axpy_hvp(p[0], t[0], &x, &dx);
    Modes {
        value,
        grad: cat(&[&[ga], gx.as_slice()]),
        vjp: cat(&[&[va], vx.as_slice()]),
        jvp,
        hvp_grad: cat(&[&[ha], hx.as_slice()]),
        hvp: cat(&[&[hda], hdx.as_slice()]),
    }
}

#[test]
fn borrowed_owned_and_fixed_size_arguments() {
    let p = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, -1.3, 0.8];
    check(
        "quad",
        &p,
        |p| quad(&dm(2, 3, &p[..6]), &dv(&p[6..])),
        quad_modes::<f64>,
        quad_modes::<f32>,
    );
    check(
        "quad_num",
        &p,
        |p| quad_num(&dm(2, 3, &p[..6]), &dv(&p[6..])),
        quad_num_modes::<f64>,
        quad_num_modes::<f32>,
    );
    let p = [
        0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, -1.3, 0.8, 0.6, -0.4, 1.2,
    ];
    check(
        "quad_form",
        &p,
        |p| quad_form(dm(3, 3, &p[..9]), dv(&p[9..])),
        quad_form_modes::<f64>,
        quad_form_modes::<f32>,
    );
    let p = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, -1.3, 0.8];
    check(
        "fixed",
        &p,
        |p| {
            fixed(
                SMatrix::from_column_slice(&p[..6]),
                SVector::from_column_slice(&p[6..]),
            )
        },
        fixed_modes::<f64>,
        fixed_modes::<f32>,
    );
    let p = [0.3, -0.7, 1.1, 0.4, 0.5, -1.3];
    check(
        "crossed",
        &p,
        |p| {
            crossed(
                Vector3::from_column_slice(&p[..3]),
                Vector3::from_column_slice(&p[3..]),
            )
        },
        crossed_modes::<f64>,
        crossed_modes::<f32>,
    );
}

#[test]
fn closures_element_writes_and_views() {
    let p = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, -1.3, 0.8];
    check(
        "mapped",
        &p,
        |p| mapped(&dm(2, 3, &p[..6]), &dv(&p[6..])),
        mapped_modes::<f64>,
        mapped_modes::<f32>,
    );
    check(
        "built",
        &[0.7, -1.2],
        |p| built(&dv(p)),
        built_modes::<f64>,
        built_modes::<f32>,
    );
    let p = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 1.4];
    check(
        "pieces",
        &p,
        |p| pieces(&dm(3, 2, &p[..6]), p[6]),
        pieces_modes::<f64>,
        pieces_modes::<f32>,
    );
    let p = [0.9, -0.4, 0.3, 0.7, 0.5, -0.8];
    check(
        "recurrent",
        &p,
        |p| recurrent(&dm(2, 2, &p[..4]), &dv(&p[4..]), 3),
        recurrent_modes::<f64>,
        recurrent_modes::<f32>,
    );
    let p = [1.3, 0.5, -0.8, 0.2];
    check(
        "scalings",
        &p,
        |p| scalings(p[0], &dv(&p[1..])),
        scalings_modes::<f64>,
        scalings_modes::<f32>,
    );
}

#[test]
fn calls_between_generic_helpers() {
    let p: Vec<f64> = (0..14).map(|i| 0.3 * ((i * 7 % 11) as f64) - 1.2).collect();
    check(
        "network",
        &p,
        |p| network(&dm(3, 2, &p[..6]), &dm(2, 3, &p[6..12]), &dv(&p[12..])),
        network_modes::<f64>,
        network_modes::<f32>,
    );
    let p = [0.9, -0.4, 0.3, 0.7, 0.5, -0.8];
    check(
        "deep",
        &p,
        |p| deep(&dm(2, 2, &p[..4]), &dv(&p[4..]), 3),
        deep_modes::<f64>,
        deep_modes::<f32>,
    );
    let p = [1.3, 0.5, -0.8, 0.2];
    check(
        "uses_axpy",
        &p,
        |p| uses_axpy(p[0], &dv(&p[1..])),
        uses_axpy_modes::<f64>,
        uses_axpy_modes::<f32>,
    );
}

/// `layer` (a vector output) and `axpy` (a buffer): Jacobians by `_jvp`
/// columns, `_vjp` rows and finite differences, the dot-product identity;
/// at `f32` the same Jacobian-vector products, rounded.
#[test]
fn vector_outputs_and_buffers() {
    let x = [0.3, -0.7, 1.1, 0.4, -0.2, 0.9, 0.5, -1.3, 0.8, 0.6, -0.4];
    agree_vector(
        "layer",
        &x,
        |x| {
            let (w, b, v) = layer_split(x);
            layer(&w, &b, &v).as_slice().to_vec()
        },
        |x, t| {
            let ((w, b, v), (dw, db, dv_)) = (layer_split(x), layer_split(t));
            let (y, dy) = layer_jvp(&w, &dw, &b, &db, &v, &dv_);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let (w, b, v) = layer_split(x);
            let (y, gw, gb, gv) = layer_vjp(&w, &b, &v, dv(c));
            (
                y.as_slice().to_vec(),
                cat(&[gw.as_slice(), gb.as_slice(), gv.as_slice()]),
            )
        },
        1e-7,
    );
    let t: Vec<f64> = (0..x.len()).map(|i| 0.2 - 0.1 * i as f64).collect();
    let ((w, b, v), (dw, db, dv_)) = (layer_split(&x), layer_split(&t));
    let (_, dy) = layer_jvp(&w, &dw, &b, &db, &v, &dv_);
    let ((w, b, v), (dw, db, dv_)) = (layer_split(&to32(&x)), layer_split(&to32(&t)));
    let (_, dy32) = layer_jvp(&w, &dw, &b, &db, &v, &dv_);
    for (a, b) in dy32.iter().zip(dy.iter()) {
        assert!(
            (*a as f64 - b).abs() <= 1e-5 * (1.0 + b.abs()),
            "layer at f32: {a} vs {b}"
        );
    }

    let x = [1.5, 0.4, -0.9, 0.7, 2.0];
    agree_vector(
        "axpy",
        &x,
        |x| {
            let mut y = dv(&x[3..]);
            axpy(x[0], &dv(&x[1..3]), &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let (mut y, mut dy) = (dv(&x[3..]), dv(&t[3..]));
            axpy_jvp(x[0], t[0], &dv(&x[1..3]), &dv(&t[1..3]), &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let (mut y, mut c) = (dv(&x[3..]), dv(c));
            let (a_bar, z_bar) = axpy_vjp(x[0], &dv(&x[1..3]), &mut y, &mut c);
            (
                y.as_slice().to_vec(),
                cat(&[&[a_bar], z_bar.as_slice(), c.as_slice()]),
            )
        },
        1e-7,
    );
    let x = [1.5, 0.7, 2.0];
    agree_vector(
        "scale",
        &x,
        |x| {
            let mut y = dv(&x[1..]);
            scale(x[0], &mut y);
            y.as_slice().to_vec()
        },
        |x, t| {
            let (mut y, mut dy) = (dv(&x[1..]), dv(&t[1..]));
            scale_jvp(x[0], t[0], &mut y, &mut dy);
            (y.as_slice().to_vec(), dy.as_slice().to_vec())
        },
        |x, c| {
            let (mut y, mut c) = (dv(&x[1..]), dv(c));
            let a_bar = scale_vjp(x[0], &mut y, &mut c);
            (y.as_slice().to_vec(), cat(&[&[a_bar], c.as_slice()]))
        },
        1e-7,
    );
    // At f32: y + a x, the cotangents <c, x> and a c, c passed through.
    let (mut y, mut c) = (dv(&[0.7f32, 2.0]), dv(&[1.0f32, -0.5]));
    let (a_bar, z_bar) = axpy_vjp(1.5f32, &dv(&[0.4, -0.9]), &mut y, &mut c);
    let got = cat(&[y.as_slice(), &[a_bar], z_bar.as_slice(), c.as_slice()]);
    let want = [1.3, 0.65, 0.85, 1.5, -0.75, 1.0, -0.5];
    for (a, b) in got.iter().zip(want) {
        assert!((*a as f64 - b).abs() <= 1e-6, "axpy at f32: {got:?}");
    }
}
