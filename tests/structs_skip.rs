//! Skipped fields (`#[ad(skip)]`) of parameter structs that hold floats
//! read in arithmetic (a regularisation weight, a time step): constants to
//! the derivative in every mode. The tangents' skipped fields hold garbage
//! (1e3) to prove they are not read; the cotangents' and HVPs' skipped
//! fields are the primal's. References: central finite differences through
//! the struct's flat view (which leaves skipped fields out) and the
//! dot-product identity.

use ad::check::{check_gradient, compare, fd_jvp};
use ad::differentiate;
use ad::nalgebra::DVector;
use ad::Differentiable;
use std::fmt::Debug;

const GARBAGE: f64 = 1e3;

/// Checks a scalar function of a parameter struct: gradient and JVP
/// against finite differences, JVP against `<grad, t>`, VJP against the
/// scaled gradient, HVP against finite differences of the gradient; every
/// returned struct's skipped fields (`config`) equal the primal's.
#[allow(clippy::too_many_arguments)]
fn check<P: Differentiable<Scalar = f64>, C: PartialEq + Debug>(
    what: &str,
    p: &P,
    t: &P,
    config: impl Fn(&P) -> C,
    f: impl Fn(&P) -> f64,
    grad: impl Fn(&P) -> (f64, P),
    vjp: impl Fn(&P, f64) -> (f64, P),
    jvp: impl Fn(&P, &P) -> (f64, f64),
    hvp: impl Fn(&P, &P) -> (f64, P, P),
) {
    assert_ne!(
        config(t),
        config(p),
        "{what}: the tangent's skipped fields should be garbage"
    );
    let at = |xs: &[f64]| {
        let mut q = p.clone();
        q.copy_from_flat(xs);
        q
    };
    let x = p.to_flat();
    let (v, g) = grad(p);
    assert_eq!(v, f(p), "{what}: value");
    assert_eq!(config(&g), config(p), "{what}: gradient's skipped fields");
    let g = g.to_flat();
    check_gradient(|xs| f(&at(xs)), &x, &g).assert_close(1e-8, 1e-8);
    let (v1, c) = vjp(p, -2.5);
    assert_eq!(v1, v, "{what}: vjp value");
    assert_eq!(config(&c), config(p), "{what}: cotangent's skipped fields");
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
    assert_eq!(
        config(&g3),
        config(p),
        "{what}: hvp gradient's skipped fields"
    );
    assert_eq!(config(&hv), config(p), "{what}: hvp's skipped fields");
    compare(&g3.to_flat(), &g).assert_close(1e-14, 1e-14);
    let fd = fd_jvp(|xs| grad(&at(xs)).1.to_flat(), &x, &tf);
    compare(&hv.to_flat(), &fd).assert_close(1e-6, 1e-6);
}

/// A direction with every active component nonzero, skipped fields
/// untouched (set them to garbage after).
fn direction<P: Differentiable<Scalar = f64>>(p: &P) -> P {
    let mut t = p.clone();
    let mut k = 0.0_f64;
    t.apply_scalars(|_| {
        k += 1.0;
        0.3 * (1.7 * k).sin() + 0.1
    });
    t
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Reg {
    w: f64,
    v: Vec<f64>,
    #[ad(skip)]
    lambda: f64,
    #[ad(skip)]
    name: String,
}

impl Reg {
    #[differentiate(wrt(self))]
    fn sq(&self) -> f64 {
        self.w * self.w + self.v[0] * self.v[1]
    }

    #[differentiate(wrt(self))]
    fn reg_call(&self) -> f64 {
        self.lambda * self.sq()
    }

    #[differentiate(wrt(self))]
    fn reg_inline(&self) -> f64 {
        self.lambda * self.w * self.w + (self.lambda * self.v[1]).sin()
    }
}

#[differentiate(wrt(p))]
fn reg_free(p: &Reg) -> f64 {
    p.lambda * p.w * p.w + p.v[0] * p.v[1] * p.lambda
}

/// A caller passing the struct to a differentiated helper.
#[differentiate(wrt(p))]
fn reg_caller(p: &Reg, x: f64) -> f64 {
    reg_free(p) * x + p.lambda * p.v[0]
}

fn reg() -> (Reg, Reg) {
    let p = Reg {
        w: 2.0,
        v: vec![0.7, -1.3],
        lambda: 0.1,
        name: "l2".into(),
    };
    let t = Reg {
        lambda: GARBAGE,
        name: "garbage".into(),
        ..direction(&p)
    };
    (p, t)
}

fn reg_config(p: &Reg) -> (u64, String) {
    (p.lambda.to_bits(), p.name.clone())
}

#[test]
fn the_reproduction_gives_the_right_jvp_and_hvp() {
    let p = Reg {
        w: 2.0,
        v: vec![0.0, 0.0],
        lambda: 0.1,
        name: String::new(),
    };
    // The guide's tangent: skipped fields copied from the primal.
    let t = Reg {
        w: 1.0,
        v: vec![0.0, 0.0],
        ..p.clone()
    };
    assert!((reg_free_jvp(&p, &t).1 - 0.4).abs() < 1e-15);
    assert!((p.reg_call_jvp(&t).1 - 0.4).abs() < 1e-15);
    let (_, g, h) = reg_free_hvp(&p, &t);
    assert!((h.w - 0.2).abs() < 1e-15);
    assert_eq!((g.lambda, h.lambda), (0.1, 0.1));
    assert_eq!(reg_free_grad(&p).1.lambda, 0.1);
}

#[test]
fn skipped_floats_are_constants_in_free_functions_and_methods() {
    let (p, t) = reg();
    check(
        "free",
        &p,
        &t,
        reg_config,
        reg_free,
        reg_free_grad,
        reg_free_vjp,
        reg_free_jvp,
        reg_free_hvp,
    );
    check(
        "method with a call",
        &p,
        &t,
        reg_config,
        Reg::reg_call,
        Reg::reg_call_grad,
        Reg::reg_call_vjp,
        Reg::reg_call_jvp,
        Reg::reg_call_hvp,
    );
    check(
        "method inline",
        &p,
        &t,
        reg_config,
        Reg::reg_inline,
        Reg::reg_inline_grad,
        Reg::reg_inline_vjp,
        Reg::reg_inline_jvp,
        Reg::reg_inline_hvp,
    );
    let x = 1.7;
    check(
        "caller",
        &p,
        &t,
        reg_config,
        |p| reg_caller(p, x),
        |p| reg_caller_grad(p, x),
        |p, s| reg_caller_vjp(p, x, s),
        |p, t| reg_caller_jvp(p, t, x),
        |p, t| reg_caller_hvp(p, t, x),
    );
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Inner {
    a: f64,
    #[ad(skip)]
    lambda: f64,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Outer {
    inner: Inner,
    layers: Vec<Inner>,
    #[ad(skip)]
    scale: [f64; 3],
    #[ad(skip)]
    data: Vec<f64>,
    #[ad(skip)]
    whole: Inner,
}

#[differentiate(wrt(p))]
fn nested(p: &Outer) -> f64 {
    let mut s = p.inner.lambda * p.inner.a * p.inner.a;
    for i in 0..p.layers.len() {
        s += p.layers[i].lambda * p.layers[i].a.sin() * p.scale[i];
    }
    for i in 0..p.data.len() {
        s += p.data[i] * p.inner.a * p.layers[0].a;
    }
    s + p.whole.a * p.whole.lambda * p.inner.a
}

fn outer_config(p: &Outer) -> Vec<u64> {
    let mut c = vec![p.inner.lambda, p.whole.a, p.whole.lambda];
    c.extend(p.layers.iter().map(|l| l.lambda));
    c.extend(p.scale);
    c.extend(&p.data);
    c.into_iter().map(f64::to_bits).collect()
}

#[test]
fn skipped_floats_of_nested_structs_arrays_and_vecs_are_constants() {
    let p = Outer {
        inner: Inner {
            a: 0.8,
            lambda: 0.3,
        },
        layers: vec![
            Inner {
                a: 0.5,
                lambda: 1.5,
            },
            Inner {
                a: -0.4,
                lambda: 0.7,
            },
        ],
        scale: [0.9, -1.1, 2.0],
        data: vec![0.2, -0.6],
        whole: Inner {
            a: 1.3,
            lambda: 0.4,
        },
    };
    let mut t = direction(&p);
    t.inner.lambda = GARBAGE;
    t.layers.iter_mut().for_each(|l| l.lambda = GARBAGE);
    t.scale = [GARBAGE; 3];
    t.data = vec![GARBAGE; 2];
    t.whole = Inner {
        a: GARBAGE,
        lambda: GARBAGE,
    };
    check(
        "nested",
        &p,
        &t,
        outer_config,
        nested,
        nested_grad,
        nested_vjp,
        nested_jvp,
        nested_hvp,
    );
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Gen<T: ad::Real> {
    w: DVector<T>,
    #[ad(skip)]
    dt: T,
}

#[differentiate(wrt(p))]
fn generic_step<T: ad::Real>(p: &Gen<T>) -> T {
    let mut s = T::zero();
    for i in 0..p.w.len() {
        s += p.dt * p.w[i] * p.w[i];
    }
    s
}

#[test]
fn a_skipped_field_of_a_type_parameter_is_a_constant() {
    let p = Gen {
        w: DVector::from_vec(vec![0.5, -1.2, 2.0]),
        dt: 0.01,
    };
    let t = Gen {
        dt: GARBAGE,
        ..direction(&p)
    };
    check(
        "generic",
        &p,
        &t,
        |p| p.dt.to_bits(),
        generic_step,
        generic_step_grad,
        generic_step_vjp,
        generic_step_jvp,
        generic_step_hvp,
    );
}

/// By value, and a struct output of several values (`_vjp_many`).
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Step {
    x: f64,
    v: f64,
    #[ad(skip)]
    dt: f64,
}

#[differentiate(wrt(s))]
fn euler(s: Step) -> f64 {
    let x = s.x + s.dt * s.v;
    x * x + s.dt * s.v * s.v
}

#[test]
fn a_struct_taken_by_value_reads_no_skipped_tangent() {
    let p = Step {
        x: 0.3,
        v: -1.2,
        dt: 0.05,
    };
    let t = Step {
        dt: GARBAGE,
        ..direction(&p)
    };
    check(
        "by value",
        &p,
        &t,
        |p| p.dt.to_bits(),
        |p| euler(p.clone()),
        |p| euler_grad(p.clone()),
        |p, s| euler_vjp(p.clone(), s),
        |p, t| euler_jvp(p.clone(), t.clone()),
        |p, t| euler_hvp(p.clone(), t.clone()),
    );
}

/// A skipped struct of floats deriving `Differentiable` (what the error on
/// a plain one says to write), next to one that does not derive it read
/// only as configuration (counts, conditions, loop bounds), a skipped enum
/// compared in a condition and an active nalgebra vector read by its
/// `.x`, `.y` (a deref to nalgebra's `XYZ`, not a field of a struct).
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Eps {
    eps: f64,
    #[ad(skip)]
    steps: usize,
}

#[derive(Clone, Debug, PartialEq)]
struct Plain {
    steps: usize,
    name: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Mode {
    Square,
    Sine,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Mixed {
    v: ad::nalgebra::Vector3<f64>,
    w: f64,
    #[ad(skip)]
    cfg: Eps,
    #[ad(skip)]
    plain: Plain,
    #[ad(skip)]
    mode: Mode,
    #[ad(skip)]
    steps: usize,
}

#[differentiate(wrt(p))]
fn mixed(p: &Mixed, x: f64) -> f64 {
    let mut s = p.cfg.eps * p.v.x * x + p.v.y * p.v.z * p.w;
    for _ in 0..p.plain.steps {
        s += p.cfg.eps * p.w * p.v.x;
    }
    if p.mode == Mode::Sine && p.plain.name == "on" {
        s += (p.w * p.v.y).sin();
    } else {
        s += p.w * p.w;
    }
    s * (p.steps as f64) + (p.plain.steps as f64) * p.cfg.eps * p.w + p.cfg.steps as f64
}

fn mixed_config(p: &Mixed) -> (u64, usize, Plain, Mode, usize) {
    (
        p.cfg.eps.to_bits(),
        p.cfg.steps,
        p.plain.clone(),
        p.mode.clone(),
        p.steps,
    )
}

#[test]
fn skipped_derived_configs_and_plain_configuration_fields_are_constants() {
    for mode in [Mode::Square, Mode::Sine] {
        let p = Mixed {
            v: ad::nalgebra::Vector3::new(0.4, -0.9, 1.3),
            w: 0.7,
            cfg: Eps { eps: 0.3, steps: 2 },
            plain: Plain {
                steps: 3,
                name: "on".into(),
            },
            mode,
            steps: 2,
        };
        let t = Mixed {
            cfg: Eps {
                eps: GARBAGE,
                steps: 9,
            },
            ..direction(&p)
        };
        let x = -1.1;
        check(
            "mixed",
            &p,
            &t,
            mixed_config,
            |p| mixed(p, x),
            |p| mixed_grad(p, x),
            |p, s| mixed_vjp(p, x, s),
            |p, t| mixed_jvp(p, t, x),
            |p, t| mixed_hvp(p, t, x),
        );
    }
}

/// Configuration integers copied into locals (`let n = p.steps;`) and
/// used as counts (`n as f64`), loop bounds, indices and in integer
/// arithmetic (`n * 2`, `(p.steps - 1) as f64`), beside a float
/// field copied into a local (still active) and a count of an element of
/// a `Vec` of structs (`let m = p.layers[i].steps;`).
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    a: f64,
    #[ad(skip)]
    steps: usize,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Counted {
    k: f64,
    inner: Layer,
    layers: Vec<Layer>,
    #[ad(skip)]
    steps: usize,
    #[ad(skip)]
    dt_steps: u32,
}

impl Counted {
    #[differentiate(wrt(self))]
    fn scaled(&self, x: f64) -> f64 {
        let n = self.steps;
        let k = self.k;
        k * x * n as f64 + k * k
    }
}

#[differentiate(wrt(p))]
fn counted(p: &Counted, x: &[f64]) -> f64 {
    let n = p.steps;
    let m: usize = p.inner.steps;
    let h = p.dt_steps as f64;
    let mut s = p.k * x[n - 1] * h;
    for i in 0..n {
        s += p.k * x[i] * (i as f64) / n as f64 + m as f64 * p.inner.a;
    }
    for i in 0..p.layers.len() {
        let m = p.layers[i].steps;
        s += p.layers[i].a * m as f64;
    }
    // Integer arithmetic on configuration fields.
    let twice = n * 2;
    let area = p.steps * p.dt_steps as usize;
    s + p.k * twice as f64 + p.inner.a * (p.steps - 1) as f64 + p.k * p.k * area as f64
}

/// Explicit Euler with the step count of the configuration.
#[differentiate(wrt(p))]
fn counted_euler(p: &Counted, x: f64) -> f64 {
    let n = p.steps;
    let h = 1.0 / n as f64;
    let mut y = x;
    for _ in 0..n {
        y += h * p.k * y * p.inner.a;
    }
    y
}

fn counted_config(p: &Counted) -> Vec<usize> {
    let mut c = vec![p.steps, p.dt_steps as usize, p.inner.steps];
    c.extend(p.layers.iter().map(|l| l.steps));
    c
}

#[test]
fn configuration_integers_copied_into_locals_are_counts() {
    let layer = |a, steps| Layer { a, steps };
    let p = Counted {
        k: 0.7,
        inner: layer(-0.4, 2),
        layers: vec![layer(0.3, 4), layer(1.2, 1)],
        steps: 3,
        dt_steps: 5,
    };
    let mut t = direction(&p);
    t.steps = 9;
    t.dt_steps = 9;
    t.inner.steps = 9;
    t.layers.iter_mut().for_each(|l| l.steps = 9);
    let x = [0.5, -1.1, 2.3, 0.8];
    check(
        "counted",
        &p,
        &t,
        counted_config,
        |p| counted(p, &x),
        |p| counted_grad(p, &x),
        |p, s| counted_vjp(p, &x, s),
        |p, t| counted_jvp(p, t, &x),
        |p, t| counted_hvp(p, t, &x),
    );
    check(
        "euler",
        &p,
        &t,
        counted_config,
        |p| counted_euler(p, 0.9),
        |p| counted_euler_grad(p, 0.9),
        |p, s| counted_euler_vjp(p, 0.9, s),
        |p, t| counted_euler_jvp(p, t, 0.9),
        |p, t| counted_euler_hvp(p, t, 0.9),
    );
    check(
        "method",
        &p,
        &t,
        counted_config,
        |p| p.scaled(-1.3),
        |p| p.scaled_grad(-1.3),
        |p, s| p.scaled_vjp(-1.3, s),
        |p, t| p.scaled_jvp(t, -1.3),
        |p, t| p.scaled_hvp(t, -1.3),
    );
}
