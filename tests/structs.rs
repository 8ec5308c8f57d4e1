//! Parameter structs: `wrt(p)` on a struct that derives
//! `ad::Differentiable`, its fields read by name (`p.w`, `&p.w`, `p.a.b`,
//! `p.v[i]`, `p.0`), in loops and branches, passed to helpers; `wrt(self)`
//! on methods. Every mode against central finite differences through the
//! struct's flat view, and the struct gradient against the same function
//! written with positional parameters. 2-D fields (`Vec<Vec<f64>>`,
//! `[[f64; N]; M]`): elements, rows iterated and passed to helpers.

use ad::check::{check_gradient, compare, fd_jvp};
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};
use ad::Differentiable;

/// Checks a scalar function of a parameter struct through its flat view:
/// the gradient against finite differences, the JVP along `t` against
/// `<grad, t>` and finite differences, the VJP against the gradient
/// (scaled), the HVP against finite differences of the gradient.
#[allow(clippy::too_many_arguments)]
fn check_struct<P: Differentiable<Scalar = f64>>(
    what: &str,
    p: &P,
    t: &P,
    f: impl Fn(&P) -> f64,
    grad: impl Fn(&P) -> (f64, P),
    vjp: impl Fn(&P, f64) -> (f64, P),
    jvp: impl Fn(&P, &P) -> (f64, f64),
    hvp: impl Fn(&P, &P) -> (f64, P, P),
) {
    let at = |xs: &[f64]| {
        let mut q = p.clone();
        q.copy_from_flat(xs);
        q
    };
    let x = p.to_flat();
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    let g = g.to_flat();
    check_gradient(|xs| f(&at(xs)), &x, &g).assert_close(1e-8, 1e-8);
    assert!(
        g.iter().filter(|g| g.abs() > 1e-3).count() > 1,
        "{what}: a gradient this sparse tests little: {g:?}"
    );
    // Reverse mode for another output cotangent: the gradient scaled.
    let (v1, c) = vjp(p, -2.5);
    assert_eq!(v1, v, "{what}: vjp value");
    let scaled: Vec<f64> = g.iter().map(|g| -2.5 * g).collect();
    compare(&c.to_flat(), &scaled).assert_close(1e-14, 1e-14);
    let (v2, d) = jvp(p, t);
    assert_eq!(v2, v, "{what}: jvp value");
    let tf = t.to_flat();
    let gt: f64 = g.iter().zip(&tf).map(|(a, b)| a * b).sum();
    assert!(
        (d - gt).abs() <= 1e-12 * (1.0 + d.abs()),
        "{what}: jvp {d} against <grad, t> {gt}"
    );
    let fd = fd_jvp(|xs| vec![f(&at(xs))], &x, &tf)[0];
    assert!(
        (d - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
        "{what}: jvp {d} against finite differences {fd}"
    );
    let (v3, g3, hv) = hvp(p, t);
    assert_eq!(v3, v, "{what}: hvp value");
    compare(&g3.to_flat(), &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|xs| grad(&at(xs)).1.to_flat(), &x, &tf);
    let hv = hv.to_flat();
    compare(&hv, &fd).assert_close(1e-6, 1e-6);
    assert!(
        hv.iter().filter(|h| h.abs() > 1e-3).count() > 1,
        "{what}: an HVP this sparse tests little: {hv:?}"
    );
}

/// A direction with every component nonzero, of the shape of `p`.
fn direction<P: Differentiable<Scalar = f64>>(p: &P) -> P {
    let mut t = p.clone();
    let mut k = 0.0_f64;
    t.apply_scalars(|_| {
        k += 1.0;
        0.3 * (1.7 * k).sin() + 0.1
    });
    t
}

/// A two-layer perceptron.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Mlp {
    w1: DMatrix<f64>,
    b1: DVector<f64>,
    w2: DVector<f64>,
    b2: f64,
    #[ad(skip)]
    name: String,
}

fn mlp() -> Mlp {
    Mlp {
        w1: DMatrix::from_fn(3, 2, |i, j| 0.3 * (i as f64) - 0.2 * (j as f64) + 0.1),
        b1: DVector::from_vec(vec![0.1, -0.2, 0.3]),
        w2: DVector::from_vec(vec![0.5, -0.4, 0.2]),
        b2: 0.3,
        name: "mlp".to_owned(),
    }
}

/// A layer: a differentiated helper the struct's fields are passed to.
#[differentiate]
fn layer(w: &DMatrix<f64>, b: &DVector<f64>, x: &DVector<f64>) -> DVector<f64> {
    (w * x + b).map(|v| v.tanh())
}

/// Squared error of the perceptron on one point, fields read inline.
#[differentiate(wrt(p))]
fn mlp_loss(p: &Mlp, x: &DVector<f64>, y: f64) -> f64 {
    let h = (&p.w1 * x + &p.b1).map(|v| v.tanh());
    let out = p.w2.dot(&h) + p.b2;
    let e = out - y;
    e * e + 0.1 * p.b2.sin()
}

/// The same, its first layer a helper.
#[differentiate(wrt(p))]
fn mlp_loss_layered(p: &Mlp, x: &DVector<f64>, y: f64) -> f64 {
    let h = layer(&p.w1, &p.b1, x);
    let out = p.w2.dot(&h) + p.b2;
    let e = out - y;
    e * e + 0.1 * p.b2.sin()
}

/// The same with positional parameters: the reference for the struct's.
#[differentiate(wrt(w1, b1, w2, b2))]
fn mlp_loss_positional(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DVector<f64>,
    b2: f64,
    x: &DVector<f64>,
    y: f64,
) -> f64 {
    let h = (w1 * x + b1).map(|v| v.tanh());
    let out = w2.dot(&h) + b2;
    let e = out - y;
    e * e + 0.1 * b2.sin()
}

#[test]
fn a_perceptron_in_a_struct_in_every_mode() {
    let p = mlp();
    let t = direction(&p);
    let x = DVector::from_vec(vec![1.0, -2.0]);
    let y = 0.7;
    check_struct(
        "mlp_loss",
        &p,
        &t,
        |p| mlp_loss(p, &x, y),
        |p| mlp_loss_grad(p, &x, y),
        |p, s| mlp_loss_vjp(p, &x, y, s),
        |p, t| mlp_loss_jvp(p, t, &x, y),
        |p, t| mlp_loss_hvp(p, t, &x, y),
    );
    check_struct(
        "mlp_loss_layered",
        &p,
        &t,
        |p| mlp_loss_layered(p, &x, y),
        |p| mlp_loss_layered_grad(p, &x, y),
        |p, s| mlp_loss_layered_vjp(p, &x, y, s),
        |p, t| mlp_loss_layered_jvp(p, t, &x, y),
        |p, t| mlp_loss_layered_hvp(p, t, &x, y),
    );
    // The skipped field of a cotangent is the primal's.
    assert_eq!(mlp_loss_grad(&p, &x, y).1.name, "mlp");
}

#[test]
fn a_struct_gradient_equals_the_positional_one() {
    let p = mlp();
    let x = DVector::from_vec(vec![0.5, 1.5]);
    let (v, g) = mlp_loss_grad(&p, &x, -0.4);
    let (v2, w1, b1, w2, b2) = mlp_loss_positional_grad(&p.w1, &p.b1, &p.w2, p.b2, &x, -0.4);
    assert_eq!(v, v2);
    assert_eq!((g.w1, g.b1, g.w2, g.b2), (w1, b1, w2, b2));
}

/// An inner struct of scalars.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Rates {
    k1: f64,
    k2: f64,
}

/// Scalars, an array, a nested struct and configuration.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Params {
    rates: Rates,
    scale: f64,
    weights: Vec<f64>,
    pair: [f64; 2],
    #[ad(skip)]
    steps: usize,
}

fn params() -> Params {
    Params {
        rates: Rates { k1: 0.7, k2: -0.3 },
        scale: 1.3,
        weights: vec![0.2, -0.5, 0.9, 0.4],
        pair: [0.6, -1.1],
        steps: 4,
    }
}

/// Fields read in a loop, in a branch, by element, through a nested
/// struct, with the configuration field as the trip count, and a local
/// written from them.
#[differentiate(wrt(p))]
fn dynamics(p: &Params, x: &[f64]) -> f64 {
    let mut s = p.pair[0];
    let mut acc = 0.0;
    for i in 0..p.steps {
        let w = p.weights[i];
        if x[i] > 0.0 {
            s = s * p.rates.k1.exp() + w * x[i];
        } else {
            s = s * p.rates.k2 - w.sin() * p.pair[1];
        }
        acc += s * s * p.scale;
    }
    acc / (p.steps as f64) + p.rates.k1 * p.rates.k2
}

#[test]
fn scalars_arrays_and_nested_structs_in_loops_and_branches() {
    let p = params();
    let t = direction(&p);
    let x = [0.5, -1.0, 0.25, -0.5];
    check_struct(
        "dynamics",
        &p,
        &t,
        |p| dynamics(p, &x),
        |p| dynamics_grad(p, &x),
        |p, s| dynamics_vjp(p, &x, s),
        |p, t| dynamics_jvp(p, t, &x),
        |p, t| dynamics_hvp(p, t, &x),
    );
    // The configuration field of the tangents and cotangents is the primal's.
    assert_eq!(dynamics_grad(&p, &x).1.steps, 4);
}

/// A tuple struct.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Affine(f64, [f64; 2]);

/// A struct and a slice both active.
#[differentiate(wrt(a, x))]
fn affine(a: &Affine, x: &[f64]) -> f64 {
    let y = a.0 + a.1[0] * x[0] + a.1[1] * x[1];
    y * y
}

#[test]
fn a_tuple_struct_beside_an_active_slice() {
    let a = Affine(0.5, [1.5, -0.75]);
    let x = [0.3, 0.8];
    let (v, ga, gx) = affine_grad(&a, &x);
    let y = 0.5 + 1.5 * 0.3 - 0.75 * 0.8;
    assert_eq!(v, y * y);
    // d(y^2) = 2 y dy, by hand.
    let want = [2.0 * y, 2.0 * y * 0.3, 2.0 * y * 0.8];
    compare(&ga.to_flat(), &want).assert_close(1e-15, 1e-15);
    compare(&gx, &[2.0 * y * 1.5, 2.0 * y * -0.75]).assert_close(1e-15, 1e-15);
    let (_, d) = affine_jvp(&a, &Affine(1.0, [0.0, 0.0]), &x, &[0.0, 1.0]);
    assert!((d - 2.0 * y * (1.0 - 0.75)).abs() < 1e-15);
}

impl Mlp {
    /// The perceptron's loss as a method: the receiver is the active struct.
    #[differentiate(wrt(self))]
    fn loss(&self, x: &DVector<f64>, y: f64) -> f64 {
        let h = layer(&self.w1, &self.b1, x);
        let out = self.w2.dot(&h) + self.b2;
        let e = out - y;
        e * e + 0.1 * self.b2.sin()
    }
}

#[test]
fn a_method_with_respect_to_its_receiver() {
    let p = mlp();
    let t = direction(&p);
    let x = DVector::from_vec(vec![1.0, -2.0]);
    check_struct(
        "Mlp::loss",
        &p,
        &t,
        |p| p.loss(&x, 0.7),
        |p| p.loss_grad(&x, 0.7),
        |p, s| p.loss_vjp(&x, 0.7, s),
        |p, t| p.loss_jvp(t, &x, 0.7),
        |p, t| p.loss_hvp(t, &x, 0.7),
    );
    assert_eq!(p.loss_grad(&x, 0.7), mlp_loss_grad(&p, &x, 0.7));
}

/// A small struct passed whole to helpers and to methods.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Pair {
    a: f64,
    v: Vec<f64>,
}

#[differentiate(wrt(p, x))]
fn pair_inner(p: &Pair, x: f64) -> f64 {
    p.a * x + p.v[0] * p.v[1].sin()
}

/// The struct passed whole to a helper, and its fields read around it.
#[differentiate(wrt(p))]
fn pair_outer(p: &Pair, x: f64) -> f64 {
    let s = pair_inner(p, x);
    s * p.a + pair_inner(p, p.v[0])
}

impl Pair {
    #[differentiate(wrt(self, x))]
    fn inner(&self, x: f64) -> f64 {
        self.a * x + self.v[0] * self.v[1].sin()
    }

    /// A `wrt(self)` method calling another: the receiver's tangent and
    /// cotangent pass through the call.
    #[differentiate(wrt(self))]
    fn outer(&self, x: f64) -> f64 {
        let s = self.inner(x);
        s * self.a + self.inner(self.v[0])
    }
}

#[test]
fn a_struct_passed_whole_to_helpers_and_methods() {
    let p = Pair {
        a: 0.5,
        v: vec![1.25, 2.0],
    };
    let t = direction(&p);
    check_struct(
        "pair_outer",
        &p,
        &t,
        |p| pair_outer(p, 3.0),
        |p| pair_outer_grad(p, 3.0),
        |p, s| pair_outer_vjp(p, 3.0, s),
        |p, t| pair_outer_jvp(p, t, 3.0),
        |p, t| pair_outer_hvp(p, t, 3.0),
    );
    check_struct(
        "Pair::outer",
        &p,
        &t,
        |p| p.outer(3.0),
        |p| p.outer_grad(3.0),
        |p, s| p.outer_vjp(3.0, s),
        |p, t| p.outer_jvp(t, 3.0),
        |p, t| p.outer_hvp(t, 3.0),
    );
    // By hand: s = a x + v0 sin v1; f = s a + a v0 + v0 sin v1.
    let (a, v0, v1, x) = (0.5f64, 1.25f64, 2.0f64, 3.0);
    let s = a * x + v0 * v1.sin();
    let want = [
        s + a * x + v0,
        a * v1.sin() + a + v1.sin(),
        (a * v0 + v0) * v1.cos(),
    ];
    compare(&p.outer_grad(3.0).1.to_flat(), &want).assert_close(1e-15, 1e-15);
}

/// The state of a damped pendulum, with a configuration field.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct State {
    x: f64,
    v: f64,
    #[ad(skip)]
    steps: usize,
}

/// Its parameters.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Pendulum {
    k: f64,
    c: f64,
}

/// One explicit Euler step: a struct result, built field by field (the
/// configuration field carried along).
#[differentiate(wrt(s, p))]
fn euler(s: &State, p: &Pendulum, dt: f64) -> State {
    let a = -p.k * s.x.sin() - p.c * s.v;
    State {
        x: s.x + dt * s.v,
        v: s.v + dt * a,
        steps: s.steps + 1,
    }
}

/// A loop-carried local struct, overwritten by a helper's struct result
/// and read by field.
#[differentiate(wrt(p))]
fn trajectory(p: &Pendulum, x0: f64, n: usize) -> f64 {
    let mut s = State {
        x: x0,
        v: 0.0,
        steps: 0,
    };
    let mut e = 0.0;
    for _ in 0..n {
        s = euler(&s, p, 0.1);
        if s.x > 0.0 {
            e += s.x * s.x;
        } else {
            e -= 0.5 * s.v;
        }
    }
    e + s.v * (s.steps as f64)
}

#[test]
fn struct_results_and_local_structs_in_a_loop() {
    let p = Pendulum { k: 2.0, c: 0.3 };
    let t = direction(&p);
    check_struct(
        "trajectory",
        &p,
        &t,
        |p| trajectory(p, 0.7, 20),
        |p| trajectory_grad(p, 0.7, 20),
        |p, s| trajectory_vjp(p, 0.7, 20, s),
        |p, t| trajectory_jvp(p, t, 0.7, 20),
        |p, t| trajectory_hvp(p, t, 0.7, 20),
    );
    // The step's Jacobian by columns (forward) and by rows (reverse),
    // against finite differences; the configuration field passes through.
    let s = State {
        x: 0.5,
        v: -0.25,
        steps: 3,
    };
    let f = |z: &[f64]| {
        let s = State {
            x: z[0],
            v: z[1],
            steps: 3,
        };
        euler(&s, &Pendulum { k: z[2], c: z[3] }, 0.1).to_flat()
    };
    let z = [s.x, s.v, p.k, p.c];
    for k in 0..4 {
        let mut e = [0.0; 4];
        e[k] = 1.0;
        let ds = State {
            x: e[0],
            v: e[1],
            steps: 3,
        };
        let (y, dy) = euler_jvp(&s, &ds, &p, &Pendulum { k: e[2], c: e[3] }, 0.1);
        assert_eq!((y.steps, dy.steps), (4, 4));
        let fd = fd_jvp(f, &z, &e);
        compare(&dy.to_flat(), &fd).assert_close(1e-9, 1e-9);
    }
    for k in 0..2 {
        let mut w = [0.0; 2];
        w[k] = 1.0;
        let dout = State {
            x: w[0],
            v: w[1],
            steps: 4,
        };
        let (_, cs, cp) = euler_vjp(&s, &p, 0.1, dout);
        // Row k of the Jacobian: the jvp of each input direction, read at k.
        let row: Vec<f64> = (0..4)
            .map(|j| {
                let mut e = [0.0; 4];
                e[j] = 1.0;
                fd_jvp(f, &z, &e)[k]
            })
            .collect();
        let got = [cs.x, cs.v, cp.k, cp.c];
        compare(&got, &row).assert_close(1e-9, 1e-9);
        assert_eq!(cs.steps, 3);
    }
}

/// A nested struct read whole and by its fields.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Outer {
    a: f64,
    w: [f64; 3],
    v: Vec<f64>,
    inner: Rates,
    #[ad(skip)]
    n: usize,
}

#[differentiate(wrt(r))]
fn rates_product(r: &Rates) -> f64 {
    r.k1 * r.k2
}

#[differentiate(wrt(y))]
fn first_times(y: Vec<f64>, k: usize) -> f64 {
    y[0] * (k as f64)
}

#[differentiate(wrt(x))]
fn slice_sum(x: &[f64]) -> f64 {
    x[0] + 2.0 * x[1]
}

/// Every position a field takes: a nested struct whole (`&o.inner`) and by
/// its field (`o.inner.k1`), a configuration count in an index and as a
/// helper's integer argument, fields copied by value into helpers and
/// locals, a bare field in an array literal, a sub-slice of a field.
#[differentiate(wrt(o))]
fn positions(o: &Outer) -> f64 {
    let u = rates_product(&o.inner) * o.inner.k1;
    let w = [o.a, 2.0 * o.w[o.n % 3]];
    let c = o.w;
    u + w[0] * w[1] + first_times(o.v.clone(), o.n) + slice_sum(&o.v[1..]) + c[2] * o.w[0]
}

#[test]
fn fields_in_every_position() {
    let o = Outer {
        a: 0.5,
        w: [1.5, -2.0, 0.25],
        v: vec![3.0, 0.75, -1.25],
        inner: Rates { k1: 1.25, k2: -0.5 },
        n: 4,
    };
    let (v, g) = positions_grad(&o);
    // By hand: u = k1^2 k2; w = (a, 2 w[1]); first_times = 4 v0;
    // slice_sum = v1 + 2 v2; c[2] w[0] = w2 w0.
    let (k1, k2) = (1.25, -0.5);
    let want_v = k1 * k1 * k2 + 0.5 * 2.0 * -2.0 + 4.0 * 3.0 + (0.75 - 2.5) + 0.25 * 1.5;
    assert!((v - want_v).abs() < 1e-15);
    let want = Outer {
        a: 2.0 * -2.0,
        w: [0.25, 2.0 * 0.5, 1.5],
        v: vec![4.0, 1.0, 2.0],
        inner: Rates {
            k1: 2.0 * k1 * k2,
            k2: k1 * k1,
        },
        n: 4,
    };
    assert_eq!(g, want);
    let t = direction(&o);
    check_struct(
        "positions",
        &o,
        &t,
        positions,
        positions_grad,
        positions_vjp,
        positions_jvp,
        positions_hvp,
    );
}

/// One layer of a deeper network.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: DMatrix<f64>,
    b: DVector<f64>,
}

/// A network as a `Vec` of layers and a read-out.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Deep {
    layers: Vec<Layer>,
    readout: DVector<f64>,
}

/// The layers' fields read by element of the `Vec` in a loop.
#[differentiate(wrt(net))]
fn deep_loss(net: &Deep, x: &DVector<f64>) -> f64 {
    let mut h = x.clone();
    for i in 0..net.layers.len() {
        h = (&net.layers[i].w * &h + &net.layers[i].b).map(|v| v.tanh());
    }
    let out = net.readout.dot(&h);
    out * out
}

#[test]
fn fields_of_a_vec_of_structs() {
    let layer = |seed: f64, rows: usize, cols: usize| Layer {
        w: DMatrix::from_fn(rows, cols, |i, j| {
            (seed + 0.7 * i as f64 - 0.4 * j as f64).sin()
        }),
        b: DVector::from_fn(rows, |i, _| 0.1 * (seed + i as f64).cos()),
    };
    let net = Deep {
        // Layers of several sizes: the loop state `h` changes shape.
        layers: vec![layer(0.3, 3, 2), layer(1.1, 4, 3), layer(2.0, 2, 4)],
        readout: DVector::from_vec(vec![0.8, -0.6]),
    };
    let x = DVector::from_vec(vec![0.5, -1.0]);
    let t = direction(&net);
    check_struct(
        "deep_loss",
        &net,
        &t,
        |n| deep_loss(n, &x),
        |n| deep_loss_grad(n, &x),
        |n, s| deep_loss_vjp(n, &x, s),
        |n, t| deep_loss_jvp(n, t, &x),
        |n, t| deep_loss_hvp(n, t, &x),
    );
}

// ----- 2-D fields ---------------------------------------------------------------

/// 2-D fields: the macro does not see their types, their uses show them.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Grid {
    w: Vec<Vec<f64>>,
    a: [[f64; 2]; 2],
}

fn grid() -> Grid {
    Grid {
        w: vec![vec![0.3, -0.7, 1.1], vec![0.5, 0.2, -0.4]],
        a: [[0.9, -0.2], [0.4, 1.3]],
    }
}

/// The function: elements of both fields.
#[differentiate(wrt(p))]
fn grid_elements(p: &Grid) -> f64 {
    p.w[0][1] * p.w[1][0] + p.a[0][1] * p.a[1][0].sin() + p.w[1][2] * p.a[0][0]
}

/// Rows iterated (`for row in p.w.iter()`, `for row in &p.a`) and read by
/// element.
#[differentiate(wrt(p))]
fn grid_rows(p: &Grid) -> f64 {
    let mut s = 0.0;
    for row in p.w.iter() {
        s += row[0] * row[2] + row[1].exp();
    }
    for row in &p.a {
        s += row[0] * row[1];
    }
    s
}

/// Rows passed to a helper (`&p.w[i]`), in a loop and once.
#[differentiate(wrt(p))]
fn grid_helper(p: &Grid, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.w.len() {
        s += slice_sum(&p.w[i]) * dot3(&p.w[i], x);
    }
    s + slice_sum(&p.a[1]) * p.a[0][0]
}

#[differentiate]
fn dot3(a: &[f64], b: &[f64]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[test]
fn two_dimensional_fields_by_element_row_and_helper() {
    let p = grid();
    let t = direction(&p);
    let x = [0.4, -1.2, 0.8];
    check_struct(
        "grid_elements",
        &p,
        &t,
        grid_elements,
        grid_elements_grad,
        grid_elements_vjp,
        grid_elements_jvp,
        grid_elements_hvp,
    );
    check_struct(
        "grid_rows",
        &p,
        &t,
        grid_rows,
        grid_rows_grad,
        grid_rows_vjp,
        grid_rows_jvp,
        grid_rows_hvp,
    );
    check_struct(
        "grid_helper",
        &p,
        &t,
        |p| grid_helper(p, &x),
        |p| grid_helper_grad(p, &x),
        |p, s| grid_helper_vjp(p, &x, s),
        |p, t| grid_helper_jvp(p, t, &x),
        |p, t| grid_helper_hvp(p, t, &x),
    );
}

/// The perceptron: its first layer's weights a `Vec<Vec<f64>>`,
/// rows zipped with other fields, methods in `wrt(self)`.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct RowMlp {
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

impl RowMlp {
    #[differentiate(wrt(self))]
    fn forward(&self, x: &[f64]) -> f64 {
        let mut out = self.b2;
        for (row, (b, w)) in self.w1.iter().zip(self.b1.iter().zip(&self.w2)) {
            let pre: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + b;
            out += w * pre.tanh();
        }
        out
    }

    #[differentiate(wrt(self))]
    fn l2(&self) -> f64 {
        let w1: f64 = self
            .w1
            .iter()
            .map(|r| r.iter().map(|w| w * w).sum::<f64>())
            .sum();
        let w2: f64 = self.w2.iter().map(|w| w * w).sum();
        w1 + w2
    }

    #[differentiate(wrt(self))]
    fn loss(&self, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
        let mut mse = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let r = self.forward(x) - y;
            mse += r * r;
        }
        mse / xs.len() as f64 + 0.1 * self.l2()
    }
}

#[test]
fn a_perceptron_with_vec_of_vec_weights() {
    let p = RowMlp {
        w1: vec![vec![0.3, -0.5], vec![0.8, 0.1], vec![-0.4, 0.6]],
        b1: vec![0.1, -0.2, 0.05],
        w2: vec![0.7, -0.3, 0.5],
        b2: 0.2,
    };
    let t = direction(&p);
    let xs = vec![vec![1.0, -0.5], vec![0.3, 0.8], vec![-1.2, 0.4]];
    let ys = [0.5, -0.1, 0.3];
    check_struct(
        "RowMlp::loss",
        &p,
        &t,
        |p| p.loss(&xs, &ys),
        |p| p.loss_grad(&xs, &ys),
        |p, s| p.loss_vjp(&xs, &ys, s),
        |p, t| p.loss_jvp(t, &xs, &ys),
        |p, t| p.loss_hvp(t, &xs, &ys),
    );
}

/// 2-D fields shown by other uses: a row copied (`p.w[0].clone()`,
/// `.to_vec()`), a `Vec` of structs each with a 2-D field read by element
/// (`p.layers[i].w[r][c]`) or a row copied, and a 2-D field passed whole to
/// a helper (`total(&p.w)`).
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer2 {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Stack2 {
    w: Vec<Vec<f64>>,
    layers: Vec<Layer2>,
}

#[differentiate(wrt(p))]
fn stack_rows(p: &Stack2, x: f64) -> f64 {
    let row = p.w[0].clone();
    let other = p.w[1].to_vec();
    let first = p.layers[1].w[0].clone();
    row[1] * x + row[0] * other[2] + (first[1] * x).sin()
}

#[differentiate(wrt(p))]
fn stack_layers(p: &Stack2, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.layers.len() {
        for r in 0..p.layers[i].w.len() {
            let mut pre = p.layers[i].b[r];
            for c in 0..x.len() {
                pre += p.layers[i].w[r][c] * x[c];
            }
            s += pre.tanh() * p.w[i][r];
        }
    }
    s
}

#[differentiate]
fn total_sq(a: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for r in 0..a.len() {
        for c in 0..a[r].len() {
            s += a[r][c] * a[r][c];
        }
    }
    s
}

#[differentiate(wrt(p))]
fn stack_whole(p: &Stack2, x: f64) -> f64 {
    total_sq(&p.w) * x + total_sq(&p.layers[0].w) * p.w[0][0]
}

#[test]
fn two_dimensional_fields_copied_by_row_of_elements_and_whole() {
    let layer = |w: Vec<Vec<f64>>, b: Vec<f64>| Layer2 { w, b };
    let p = Stack2 {
        w: vec![vec![0.3, -0.7, 1.1], vec![0.5, 0.2, -0.4]],
        layers: vec![
            layer(
                vec![vec![0.4, -0.2], vec![0.1, 0.9], vec![-0.6, 0.3]],
                vec![0.1, -0.3, 0.2],
            ),
            layer(
                vec![vec![-0.5, 0.8], vec![0.7, -0.1], vec![0.2, 0.4]],
                vec![0.0, 0.5, -0.2],
            ),
        ],
    };
    let t = direction(&p);
    let x = [0.7, -1.3];
    check_struct(
        "stack_rows",
        &p,
        &t,
        |p| stack_rows(p, 0.8),
        |p| stack_rows_grad(p, 0.8),
        |p, s| stack_rows_vjp(p, 0.8, s),
        |p, t| stack_rows_jvp(p, t, 0.8),
        |p, t| stack_rows_hvp(p, t, 0.8),
    );
    check_struct(
        "stack_layers",
        &p,
        &t,
        |p| stack_layers(p, &x),
        |p| stack_layers_grad(p, &x),
        |p, s| stack_layers_vjp(p, &x, s),
        |p, t| stack_layers_jvp(p, t, &x),
        |p, t| stack_layers_hvp(p, t, &x),
    );
    check_struct(
        "stack_whole",
        &p,
        &t,
        |p| stack_whole(p, 0.8),
        |p| stack_whole_grad(p, 0.8),
        |p, s| stack_whole_vjp(p, 0.8, s),
        |p, t| stack_whole_jvp(p, t, 0.8),
        |p, t| stack_whole_hvp(p, t, 0.8),
    );
}
