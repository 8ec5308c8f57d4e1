//! `#[derive(ad::Differentiable)]` and the `Differentiable` trait on
//! parameter structs: a named-field MLP with configuration fields, a tuple
//! struct, a struct nesting a `Vec` of structs, and a struct generic over
//! `T: ad::Real` used with `f32` and `f64`. Every operation is checked
//! against numbers written out by hand; an Adam optimiser written once over
//! the trait trains three of them with gradients written by hand (and
//! checked by finite differences through the flat view).

use ad::check::fd_gradient;
use ad::nalgebra::{DMatrix, DVector, SVector};
use ad::Differentiable;

/// A two-layer perceptron's parameters and its configuration.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Mlp {
    w1: DMatrix<f64>,
    b1: DVector<f64>,
    #[ad(skip)]
    activation: String,
    w2: DMatrix<f64>,
    b2: f64,
    #[ad(skip)]
    hidden: usize,
}

/// `y = a + b . x` as a tuple struct.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Affine(f64, [f64; 2]);

/// One layer of a deeper model.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: DMatrix<f64>,
    b: DVector<f64>,
}

/// A stack of layers, a static read-out and a name.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Deep {
    #[ad(skip)]
    name: &'static str,
    layers: Vec<Layer>,
    readout: SVector<f64, 2>,
}

/// A polynomial, generic over the float type.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Poly<T: ad::Real> {
    coeffs: Vec<T>,
    shift: T,
    #[ad(skip)]
    degree: usize,
}

fn mlp() -> Mlp {
    Mlp {
        // [[1, 2], [3, 4]] is stored column by column: 1, 3, 2, 4.
        w1: DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]),
        b1: DVector::from_vec(vec![-1.0, 0.5]),
        activation: "tanh".to_owned(),
        w2: DMatrix::from_row_slice(1, 2, &[2.0, -2.0]),
        b2: 3.0,
        hidden: 2,
    }
}

fn deep() -> Deep {
    Deep {
        name: "deep",
        layers: vec![
            Layer {
                w: DMatrix::from_row_slice(1, 2, &[1.0, -1.0]),
                b: DVector::from_vec(vec![2.0]),
            },
            Layer {
                w: DMatrix::from_row_slice(2, 1, &[0.5, 1.5]),
                b: DVector::from_vec(vec![0.0, -3.0]),
            },
        ],
        readout: SVector::<f64, 2>::new(4.0, -4.0),
    }
}

#[test]
fn named_fields_with_configuration() {
    let p = mlp();
    assert_eq!(p.num_scalars(), 9);
    // Declaration order, matrices column-major, skipped fields left out.
    let flat = [1.0, 3.0, 2.0, 4.0, -1.0, 0.5, 2.0, -2.0, 3.0];
    assert_eq!(p.to_flat(), flat);

    // The zero keeps the shapes and copies the configuration.
    let z = p.zero_like();
    assert_eq!(z.to_flat(), [0.0; 9]);
    assert_eq!(
        (z.w1.shape(), z.b1.len(), z.w2.shape()),
        ((2, 2), 2, (1, 2))
    );
    assert_eq!((z.activation.as_str(), z.hidden), ("tanh", 2));

    // Squares of the flat entries: 1 + 9 + 4 + 16 + 1 + 0.25 + 4 + 4 + 9.
    assert_eq!(p.norm_squared(), 48.25);
    assert_eq!(p.norm(), 48.25f64.sqrt());

    // p + 2 q with q all ones but b2 = -1.
    let mut q = p.clone();
    q.copy_from_flat(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0]);
    q.activation = "relu".to_owned();
    // p . q = 1 + 3 + 2 + 4 - 1 + 0.5 + 2 - 2 - 3
    assert_eq!(p.dot(&q), 6.5);
    let mut r = p.clone();
    r.axpy(2.0, &q);
    assert_eq!(r.w1, DMatrix::from_row_slice(2, 2, &[3.0, 4.0, 5.0, 6.0]));
    assert_eq!(r.b1, DVector::from_vec(vec![1.0, 2.5]));
    assert_eq!(r.w2, DMatrix::from_row_slice(1, 2, &[4.0, 0.0]));
    assert_eq!(r.b2, 1.0);
    // Skipped fields: untouched by every operation.
    assert_eq!(r.activation, "tanh");

    r.accumulate(&q);
    assert_eq!(r.b2, 0.0);
    assert_eq!(r.b1, DVector::from_vec(vec![2.0, 3.5]));
    r.scale_mut(-0.5);
    assert_eq!(
        r.w1,
        DMatrix::from_row_slice(2, 2, &[-2.0, -2.5, -3.0, -3.5])
    );
    r.apply_scalars(|s| s * s);
    assert_eq!(
        r.w1,
        DMatrix::from_row_slice(2, 2, &[4.0, 6.25, 9.0, 12.25])
    );
    r.zip_apply_scalars(&p, |s, t| s - t);
    assert_eq!(r.w1, DMatrix::from_row_slice(2, 2, &[3.0, 4.25, 6.0, 8.25]));
    assert_eq!((r.activation.as_str(), r.hidden), ("tanh", 2));

    // The flat view round-trips, and leaves the configuration alone.
    let mut back = q.clone();
    back.copy_from_flat(&p.to_flat());
    assert_eq!(back.to_flat(), flat);
    assert_eq!(back.activation, "relu");
}

#[test]
fn tuple_struct() {
    let mut a = Affine(1.0, [2.0, -3.0]);
    assert_eq!(a.num_scalars(), 3);
    assert_eq!(a.to_flat(), [1.0, 2.0, -3.0]);
    assert_eq!(a.zero_like(), Affine(0.0, [0.0, 0.0]));
    assert_eq!(a.dot(&Affine(2.0, [1.0, 1.0])), 1.0);
    assert_eq!(a.norm(), 14f64.sqrt());
    a.axpy(-1.0, &Affine(1.0, [1.0, 1.0]));
    assert_eq!(a, Affine(0.0, [1.0, -4.0]));
    a.zip_apply_scalars(&Affine(5.0, [2.0, 0.5]), f64::max);
    assert_eq!(a, Affine(5.0, [2.0, 0.5]));
    a.copy_from_flat(&[7.0, 8.0, 9.0]);
    assert_eq!(a, Affine(7.0, [8.0, 9.0]));
}

#[test]
fn nested_structs_and_vec_of_structs() {
    let d = deep();
    // Layers in order (w column-major, then b), then the read-out.
    let flat = [1.0, -1.0, 2.0, 0.5, 1.5, 0.0, -3.0, 4.0, -4.0];
    assert_eq!(d.num_scalars(), 9);
    assert_eq!(d.to_flat(), flat);
    // 1 + 1 + 4 + 0.25 + 2.25 + 0 + 9 + 16 + 16
    assert_eq!(d.norm_squared(), 49.5);

    let z = d.zero_like();
    assert_eq!(z.name, "deep");
    assert_eq!(z.layers.len(), 2);
    assert_eq!(z.layers[1].w.shape(), (2, 1));
    assert_eq!(z.to_flat(), [0.0; 9]);

    let mut e = d.clone();
    e.axpy(-1.0, &d);
    assert_eq!(e, z);
    e.copy_from_flat(&[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]);
    assert_eq!(e.layers[0].b, DVector::from_vec(vec![7.0]));
    assert_eq!(e.layers[1].w, DMatrix::from_row_slice(2, 1, &[6.0, 5.0]));
    assert_eq!(e.readout, SVector::<f64, 2>::new(2.0, 1.0));
    // 9 - 8 + 14 + 3 + 7.5 + 0 - 9 + 8 - 4
    assert_eq!(e.dot(&d), 20.5);
    e.copy_from_flat(&flat);
    assert_eq!(e, d);
}

#[test]
fn generic_struct_in_f32_and_f64() {
    let p64 = Poly {
        coeffs: vec![1.0f64, -2.0, 0.5],
        shift: 2.0,
        degree: 2,
    };
    let p32 = Poly {
        coeffs: vec![1.0f32, -2.0, 0.5],
        shift: 2.0,
        degree: 2,
    };
    // 1 + 4 + 0.25 + 4, exactly representable in both.
    assert_eq!(p64.norm_squared(), 9.25f64);
    assert_eq!(p32.norm_squared(), 9.25f32);
    assert_eq!(p32.norm(), 9.25f32.sqrt());
    let mut q32 = p32.zero_like();
    assert_eq!(
        (q32.coeffs.clone(), q32.shift, q32.degree),
        (vec![0.0; 3], 0.0, 2)
    );
    q32.axpy(0.5, &p32);
    assert_eq!(q32.to_flat(), [0.5f32, -1.0, 0.25, 1.0]);
    let mut q64 = p64.clone();
    q64.apply_scalars(|s| 2.0 * s);
    assert_eq!(q64.to_flat(), [2.0f64, -4.0, 1.0, 4.0]);
    assert_eq!(q64.dot(&p64), 18.5);
    let _: <Poly<f32> as Differentiable>::Scalar = 1.0f32;
    let _: <Poly<f64> as Differentiable>::Scalar = 1.0f64;
}

/// What generated code will call on struct values: a zero of the shape,
/// accumulation of an owned or borrowed cotangent (and of `()`), the
/// conversions of the calling convention, `take`.
#[test]
fn runtime_plumbing_for_struct_values() {
    use ad::__rt::{accumulate, take, tangent_for, tangent_ref, zero_like, NoTangent};
    use std::borrow::Borrow;

    let p = mlp();
    let mut p_bar = zero_like(&p);
    assert_eq!(p_bar.to_flat(), [0.0; 9]);
    assert_eq!(p_bar.activation, "tanh");
    accumulate(&mut p_bar, p.clone());
    accumulate(&mut p_bar, &p);
    accumulate(&mut p_bar, ());
    assert_eq!(
        p_bar.w1,
        DMatrix::from_row_slice(2, 2, &[2.0, 4.0, 6.0, 8.0])
    );
    assert_eq!(p_bar.b2, 6.0);

    let t: Mlp = tangent_for(NoTangent, &p);
    assert_eq!(t.to_flat(), [0.0; 9]);
    let t: Mlp = tangent_for(p_bar.clone(), &p);
    assert_eq!(t, p_bar);
    let r = tangent_ref(&p_bar, &p);
    assert_eq!(Borrow::<Mlp>::borrow(&r), &p_bar);
    let r = tangent_ref::<Mlp, _>(NoTangent, &p);
    assert_eq!(Borrow::<Mlp>::borrow(&r).to_flat(), [0.0; 9]);

    let d = deep();
    let mut d_bar = zero_like(&d);
    accumulate(&mut d_bar, &d);
    assert_eq!(take(&mut d_bar), d);
    assert_eq!(d_bar, d.zero_like());

    let g = Poly {
        coeffs: vec![1.0f32],
        shift: 1.0,
        degree: 0,
    };
    let mut g_bar = zero_like(&g);
    accumulate(&mut g_bar, &g);
    assert_eq!(g_bar, g);
}

#[test]
#[should_panic(expected = "two matrices of different shapes")]
fn combining_structs_of_different_shapes_is_a_panic() {
    let mut p = mlp();
    let mut q = mlp();
    q.w1 = DMatrix::zeros(3, 2);
    p.accumulate(&q);
}

/// Adam (Kingma and Ba, 2015), written once for every parameter type.
struct Adam<P: Differentiable> {
    lr: P::Scalar,
    b1: P::Scalar,
    b2: P::Scalar,
    eps: P::Scalar,
    m: P,
    v: P,
    t: i32,
}

impl<P: Differentiable> Adam<P> {
    fn new(p: &P, lr: f64) -> Self {
        let c = <P::Scalar as ad::Real>::from_f64;
        Adam {
            lr: c(lr),
            b1: c(0.9),
            b2: c(0.999),
            eps: c(1e-8),
            m: p.zero_like(),
            v: p.zero_like(),
            t: 0,
        }
    }

    fn step(&mut self, p: &mut P, g: &P) {
        use ad::num_traits::Float;
        use ad::Real;
        let one = P::Scalar::ONE;
        let (b1, b2, eps) = (self.b1, self.b2, self.eps);
        self.t += 1;
        self.m.zip_apply_scalars(g, |m, g| b1 * m + (one - b1) * g);
        self.v
            .zip_apply_scalars(g, |v, g| b2 * v + (one - b2) * g * g);
        let (c1, c2) = (one - b1.powi(self.t), one - b2.powi(self.t));
        let mut step = self.m.clone();
        step.zip_apply_scalars(&self.v, |m, v| (m / c1) / ((v / c2).sqrt() + eps));
        p.axpy(-self.lr, &step);
    }
}

/// `f(p) = 1/(2n) sum_i |w1 x_i + b1 - y_i|^2 + (w2 - 1)^2 + (b2 + 2)^2`
/// over an `Mlp` (the fit of its first layer to data from a known affine
/// map, plus a quadratic pulling the rest to known values), with its
/// gradient by hand: `r_i x_i^T / n`, `r_i / n`, `2 (w2 - 1)`, `2 (b2 + 2)`.
fn fit_loss_and_grad(p: &Mlp, data: &[(DVector<f64>, DVector<f64>)]) -> (f64, Mlp) {
    let n = data.len() as f64;
    let mut g = p.zero_like();
    let mut loss = 0.0;
    for (x, y) in data {
        let r = &p.w1 * x + &p.b1 - y;
        loss += 0.5 * r.norm_squared() / n;
        g.w1 += &r * x.transpose() / n;
        g.b1 += r / n;
    }
    let d2 = p.w2.add_scalar(-1.0);
    loss += d2.norm_squared() + (p.b2 + 2.0).powi(2);
    g.w2 = 2.0 * d2;
    g.b2 = 2.0 * (p.b2 + 2.0);
    (loss, g)
}

#[test]
fn adam_trains_a_named_field_struct() {
    let w_true = DMatrix::from_row_slice(2, 2, &[0.5, -1.0, 2.0, 0.25]);
    let b_true = DVector::from_vec(vec![1.0, -0.5]);
    let data: Vec<_> = (0..12)
        .map(|i| {
            let x = DVector::from_vec(vec![(i as f64 * 0.7).sin(), (i as f64 * 1.3).cos()]);
            let y = &w_true * &x + &b_true;
            (x, y)
        })
        .collect();
    let mut p = mlp();

    // The hand gradient against central differences through the flat view.
    let (_, g) = fit_loss_and_grad(&p, &data);
    let fd = fd_gradient(
        |flat| {
            let mut q = p.clone();
            q.copy_from_flat(flat);
            fit_loss_and_grad(&q, &data).0
        },
        &p.to_flat(),
    );
    for (a, b) in g.to_flat().iter().zip(&fd) {
        assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
    }

    let mut adam = Adam::new(&p, 0.05);
    let initial = fit_loss_and_grad(&p, &data).0;
    for _ in 0..3000 {
        let (_, g) = fit_loss_and_grad(&p, &data);
        adam.step(&mut p, &g);
    }
    let (loss, g) = fit_loss_and_grad(&p, &data);
    assert!(initial > 1.0 && loss < 1e-8, "loss {initial} -> {loss}");
    assert!(g.norm() < 1e-4);
    assert!((&p.w1 - &w_true).norm() < 1e-4 && (&p.b1 - &b_true).norm() < 1e-4);
    assert!((p.w2.add_scalar(-1.0)).norm() < 1e-4 && (p.b2 + 2.0).abs() < 1e-4);
    assert_eq!((p.activation.as_str(), p.hidden), ("tanh", 2));
}

/// Rosenbrock's `(1 - a)^2 + 100 (b - a^2)^2` at the tuple struct's scalar
/// and the first entry of its array, plus `(c - 3)^2` on the second entry.
fn rosenbrock(p: &Affine) -> (f64, Affine) {
    let (a, b, c) = (p.0, p.1[0], p.1[1]);
    let value = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2) + (c - 3.0).powi(2);
    let da = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
    let db = 200.0 * (b - a * a);
    (value, Affine(da, [db, 2.0 * (c - 3.0)]))
}

#[test]
fn adam_minimises_rosenbrock_over_a_tuple_struct() {
    let mut p = Affine(-1.2, [1.0, 0.0]);
    let mut adam = Adam::new(&p, 0.01);
    for _ in 0..20000 {
        let (_, g) = rosenbrock(&p);
        adam.step(&mut p, &g);
    }
    let (value, _) = rosenbrock(&p);
    assert!(value < 1e-6, "f = {value} at {p:?}");
    assert!((p.0 - 1.0).abs() < 1e-2 && (p.1[0] - 1.0).abs() < 1e-2);
    assert!((p.1[1] - 3.0).abs() < 1e-3);
}

/// `f(p) = sum_k (c_k - k)^2 + (shift - 1)^2`, generic over the float type.
fn poly_quadratic<T: ad::Real>(p: &Poly<T>) -> (T, Poly<T>) {
    let two = T::from_f64(2.0);
    let mut g = p.zero_like();
    let mut value = (p.shift - T::ONE) * (p.shift - T::ONE);
    g.shift = two * (p.shift - T::ONE);
    for (k, (c, gc)) in p.coeffs.iter().zip(&mut g.coeffs).enumerate() {
        let d = *c - T::from_i32(k as i32);
        value += d * d;
        *gc = two * d;
    }
    (value, g)
}

fn train_poly<T: ad::Real>(tol: f64) {
    let mut p = Poly {
        coeffs: vec![T::from_f64(5.0), T::from_f64(-3.0), T::from_f64(0.5)],
        shift: T::from_f64(-4.0),
        degree: 2,
    };
    let mut adam = Adam::new(&p, 0.1);
    for _ in 0..2000 {
        let (_, g) = poly_quadratic(&p);
        adam.step(&mut p, &g);
    }
    let flat: Vec<f64> = p.to_flat().into_iter().map(|v| v.to_f64()).collect();
    for (x, want) in flat.iter().zip([0.0, 1.0, 2.0, 1.0]) {
        assert!((x - want).abs() < tol, "{flat:?}");
    }
    assert_eq!(p.degree, 2);
}

#[test]
fn adam_trains_a_generic_struct_in_f32_and_f64() {
    train_poly::<f64>(1e-4);
    train_poly::<f32>(1e-3);
}

type Weights = DMatrix<f64>;

/// Fields of one type spelt several ways.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct SameTypeSpeltTwice {
    a: DMatrix<f64>,
    b: ad::nalgebra::DMatrix<f64>,
    c: Weights,
    u: ad::nalgebra::Vector3<f64>,
    v: SVector<f64, 3>,
}

/// The same, through nalgebra's aliases over the allocator.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct SameTypeThroughTheAllocator {
    a: DMatrix<f64>,
    b: ad::nalgebra::OMatrix<f64, ad::nalgebra::Dyn, ad::nalgebra::Dyn>,
}

/// A recursive struct: the scalar type comes from `value`.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Tree {
    children: Vec<Tree>,
    value: [f64; 2],
    #[ad(skip)]
    label: char,
    more: Vec<Self>,
}

/// Const generics, a struct generic over its inner parameters, and
/// `Vec<Vec<T>>` / `Vec<[T; N]>` fields.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Grid<T: ad::Real, const N: usize> {
    rows: Vec<[T; N]>,
    ragged: Vec<Vec<T>>,
    corner: SVector<T, N>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Wrapped<P: Differentiable>(P, #[ad(skip)] u8);

#[test]
fn further_shapes() {
    let one = DMatrix::from_element(1, 1, 1.0);
    let s = SameTypeSpeltTwice {
        a: one.clone(),
        b: 2.0 * &one,
        c: 3.0 * &one,
        u: SVector::<f64, 3>::new(4.0, 5.0, 6.0),
        v: SVector::<f64, 3>::new(7.0, 8.0, 9.0),
    };
    assert_eq!(s.to_flat(), (1..=9).map(f64::from).collect::<Vec<_>>());
    let t = SameTypeThroughTheAllocator {
        a: one.clone(),
        b: 2.0 * &one,
    };
    assert_eq!(t.dot(&t), 5.0);

    let leaf = |v: f64, label| Tree {
        children: vec![],
        value: [v, -v],
        label,
        more: vec![],
    };
    let tree = Tree {
        children: vec![leaf(1.0, 'a'), leaf(2.0, 'b')],
        value: [3.0, 4.0],
        label: 'r',
        more: vec![leaf(5.0, 'c')],
    };
    // Depth first, in field order: children, then value, then more.
    assert_eq!(tree.to_flat(), [1.0, -1.0, 2.0, -2.0, 3.0, 4.0, 5.0, -5.0]);
    let z = tree.zero_like();
    assert_eq!(
        (z.children[1].label, z.more[0].label, z.to_flat()),
        ('b', 'c', vec![0.0; 8])
    );

    let g = Grid::<f32, 2> {
        rows: vec![[1.0, 2.0], [3.0, 4.0]],
        ragged: vec![vec![5.0], vec![], vec![6.0, 7.0]],
        corner: SVector::<f32, 2>::new(8.0, 9.0),
    };
    assert_eq!(g.num_scalars(), 9);
    assert_eq!(g.to_flat(), (1..=9).map(|k| k as f32).collect::<Vec<_>>());
    let w = Wrapped(g.clone(), 7);
    // 1 + 4 + ... + 81 = 285
    assert_eq!(w.norm_squared(), 285.0);
    assert_eq!(w.zero_like().1, 7);
}
