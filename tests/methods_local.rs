//! Differentiated methods called from a differentiated function on
//! receivers that carry no derivatives: a local bound to a struct literal,
//! to a constructor (`S::new(..)`, `S::default()`), to a value of a declared
//! type; a parameter of a user type left out of `wrt` (borrowed or by
//! value); `Self`-typed values inside the `impl`; with nalgebra and slice
//! buffers, in loops; every mode (`_jvp`, `_vjp`, `_grad`, `_hvp`) against
//! finite differences and the dot-product identity.

use ad::differentiate;
use ad::nalgebra::DVector;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
#[path = "common/flat.rs"]
mod flat;
use arrays::agree_scalar;
use flat::check_all;

#[derive(Clone, Copy)]
struct S {
    k: f64,
}

impl Default for S {
    fn default() -> S {
        S { k: 0.3 }
    }
}

impl S {
    fn new(k: f64) -> S {
        S { k }
    }

    /// A method with a nalgebra buffer.
    #[differentiate]
    fn step(&self, a: f64, y: &mut DVector<f64>) {
        y[0] = self.k * a * y[1];
    }

    #[differentiate]
    fn energy(&self, x: &[f64]) -> f64 {
        self.k * x[0] * x[1]
    }

    /// A method with a slice buffer and a result.
    #[differentiate]
    fn push_step(&self, a: f64, y: &mut [f64]) -> f64 {
        y[0] *= a.sin() + self.k;
        self.k * y[0] * y[1]
    }

    /// The method's own buffer passed on bare to a method's buffer.
    #[differentiate]
    fn relay(&self, a: f64, y: &mut [f64]) -> f64 {
        let r = self.push_step(a, y);
        y[1] += r * a;
        r
    }

    /// `Self`-typed locals: a literal and a constructor.
    #[differentiate]
    fn twice(&self, x: &[f64], b: f64) -> f64 {
        let other = Self { k: self.k * 2.0 };
        let third = Self::new(0.25);
        other.energy(x) * b + self.energy(x) + third.energy(&x[1..])
    }

    /// A `&Self` parameter and a buffer lent to a method of `self`.
    #[differentiate]
    fn with(&self, other: &Self, x: &[f64], b: f64) -> f64 {
        let mut d = DVector::from_column_slice(&x[0..2]);
        self.step(b, &mut d);
        other.energy(x) + d[0] * d[1]
    }
}

/// The example: a local struct literal.
#[differentiate]
fn literal(x: &[f64], b: f64) -> f64 {
    let st = S { k: 0.5 };
    let mut d = DVector::from_column_slice(&x[0..2]);
    st.step(b, &mut d);
    d[0] * d[1] + st.energy(x)
}

/// Constructors, and a local of a declared type.
#[differentiate]
fn constructed(x: &[f64], b: f64) -> f64 {
    let a = S::new(0.7);
    let c = S::default();
    let e: S = S::new(1.5);
    let mut v = x.to_vec();
    let r = a.push_step(b, &mut v);
    r + c.energy(&v) * e.energy(x) + a.push_step(b * b, &mut v) * v[1]
}

/// A borrowed parameter of a user type, inactive without `wrt`.
#[differentiate]
fn borrowed(s: &S, x: &[f64], b: f64) -> f64 {
    let mut d = DVector::from_column_slice(&x[1..3]);
    s.step(b, &mut d);
    s.energy(&[d[0], d[1]]) * b
}

/// A function's own buffer passed on bare to a method's buffer, and a
/// method's to another's.
#[differentiate]
fn passed_on(s: &S, a: f64, y: &mut [f64]) {
    let r = s.relay(a, y);
    y[0] += s.push_step(r, y);
}

/// [`passed_on`] on a local buffer, as a scalar.
#[differentiate]
fn passed_on_sum(x: &[f64], b: f64) -> f64 {
    let s = S::new(0.6);
    let mut v = x.to_vec();
    passed_on(&s, b, &mut v);
    v[0] * v[1] + v[2]
}

/// A parameter of a user type by value, left out of `wrt`.
#[differentiate(wrt(x, b))]
fn owned(s: S, x: &[f64], b: f64) -> f64 {
    s.energy(x) * b.cos() + s.energy(&x[1..])
}

/// In a loop: a local struct per iteration, and one from before the loop.
#[differentiate]
fn looped(x: &[f64], b: f64) -> f64 {
    let outer = S::new(0.9);
    let mut d = DVector::from_column_slice(&x[0..2]);
    let mut acc = 0.0;
    for i in 0..3 {
        let st = S::new(0.2 * (i as f64 + 1.0));
        acc += st.energy(x) * d[1];
        outer.step(b + acc, &mut d);
    }
    acc + d[0]
}

/// An alias of a nalgebra type, named like a user type.
type Vd = DVector<f64>;

/// Methods with rules on values of an alias (a parameter left out of
/// `wrt`, a local from its constructor) stay the rules'.
#[differentiate(wrt(x, b))]
fn aliased(w: &Vd, x: &[f64], b: f64) -> f64 {
    let v = DVector::from_column_slice(x);
    let c = Vd::from_column_slice(&[0.3, -0.5, 0.2, 0.9]);
    w.dot(&v) * c.dot(&v) * b + v.norm_squared()
}

/// A generic user type.
struct G<T> {
    k: T,
}

impl<T: ad::Real> G<T> {
    /// Not differentiated: called on values only.
    fn scale(&self) -> T {
        self.k + self.k
    }
}

impl G<f64> {
    #[differentiate]
    fn energy(&self, x: &[f64]) -> f64 {
        self.k * x[0] * x[1] + x[2].sin()
    }

    /// Calls on `self` and on a `Self`-typed local.
    #[differentiate]
    fn twice(&self, x: &[f64], b: f64) -> f64 {
        let other = Self { k: 0.4 };
        self.energy(x) * b + other.energy(&x[1..])
    }
}

/// Methods of `G<f64>` on a literal (`G { .. }`, its type argument
/// inferred) and on a parameter `&G<f64>`.
#[differentiate(wrt(x, b))]
fn generic_type(g: &G<f64>, x: &[f64], b: f64) -> f64 {
    let l = G { k: 0.7 };
    g.energy(x) * b + l.twice(x, b) * g.scale()
}

/// A function over its own float type in place of a method of
/// `impl<T: Real> G<T>` (whose `T` the attribute cannot see).
#[differentiate(wrt(x, b))]
fn energy_of<T: ad::Real>(g: &G<T>, x: &[T], b: T) -> T {
    g.k * x[0] * x[3] * b + (x[1] * b).sin()
}

#[differentiate(wrt(x, b))]
fn energy_caller<T: ad::Real>(g: &G<T>, x: &[T], b: T) -> T {
    energy_of(g, x, b) * b + x[2] * g.scale()
}

const X: [f64; 4] = [0.6, -1.1, 0.8, 0.35];
const B: f64 = 0.45;

/// Checks `f(x, b)` through `p = [x, b]`: `jvp` and `vjp` against finite
/// differences and each other (the dot-product identity); `grad`, `jvp`,
/// `hvp` against finite differences of the gradient.
#[allow(clippy::type_complexity)]
fn all_modes(
    name: &str,
    f: impl Fn(&[f64], f64) -> f64,
    jvp: impl Fn(&[f64], &[f64], f64, f64) -> (f64, f64),
    vjp: impl Fn(&[f64], f64, f64) -> (f64, Vec<f64>, f64),
    grad: impl Fn(&[f64], f64) -> (f64, Vec<f64>, f64),
    hvp: impl Fn(&[f64], &[f64], f64, f64) -> (f64, Vec<f64>, f64, Vec<f64>, f64),
) {
    let n = X.len();
    let p: Vec<f64> = X.iter().copied().chain([B]).collect();
    agree_scalar(
        name,
        &p,
        |p| f(&p[..n], p[n]),
        |p, t| jvp(&p[..n], &t[..n], p[n], t[n]),
        |p, c| {
            let (v, gx, gb) = vjp(&p[..n], p[n], c);
            (v, [gx, vec![gb]].concat())
        },
        1e-7,
    );
    let t = [0.3, -0.7, 0.5, 0.9, -0.4];
    check_all(
        name,
        &p,
        &t,
        |p| f(&p[..n], p[n]),
        |p| {
            let (v, gx, gb) = grad(&p[..n], p[n]);
            (v, [gx, vec![gb]].concat())
        },
        |p, t| jvp(&p[..n], &t[..n], p[n], t[n]),
        |p, t| {
            let (v, gx, gb, hx, hb) = hvp(&p[..n], &t[..n], p[n], t[n]);
            (v, [gx, vec![gb]].concat(), [hx, vec![hb]].concat())
        },
    );
}

#[test]
fn a_local_struct_literal() {
    all_modes(
        "literal",
        literal,
        literal_jvp,
        literal_vjp,
        literal_grad,
        literal_hvp,
    );
}

#[test]
fn locals_from_constructors() {
    all_modes(
        "constructed",
        constructed,
        constructed_jvp,
        constructed_vjp,
        constructed_grad,
        constructed_hvp,
    );
}

#[test]
fn parameters_of_a_user_type() {
    let s = S::new(1.3);
    all_modes(
        "borrowed",
        |x, b| borrowed(&s, x, b),
        |x, dx, b, db| borrowed_jvp(&s, x, dx, b, db),
        |x, b, c| borrowed_vjp(&s, x, b, c),
        |x, b| borrowed_grad(&s, x, b),
        |x, vx, b, vb| borrowed_hvp(&s, x, vx, b, vb),
    );
    all_modes(
        "owned",
        |x, b| owned(s, x, b),
        |x, dx, b, db| owned_jvp(s, x, dx, b, db),
        |x, b, c| owned_vjp(s, x, b, c),
        |x, b| owned_grad(s, x, b),
        |x, vx, b, vb| owned_hvp(s, x, vx, b, vb),
    );
}

#[test]
fn own_buffers_passed_on_bare() {
    all_modes(
        "passed_on_sum",
        passed_on_sum,
        passed_on_sum_jvp,
        passed_on_sum_vjp,
        passed_on_sum_grad,
        passed_on_sum_hvp,
    );
}

#[test]
fn self_typed_values() {
    let s = S::new(0.8);
    let o = S::new(-0.6);
    all_modes(
        "twice",
        |x, b| s.twice(x, b),
        |x, dx, b, db| s.twice_jvp(x, dx, b, db),
        |x, b, c| s.twice_vjp(x, b, c),
        |x, b| s.twice_grad(x, b),
        |x, vx, b, vb| s.twice_hvp(x, vx, b, vb),
    );
    all_modes(
        "with",
        |x, b| s.with(&o, x, b),
        |x, dx, b, db| s.with_jvp(&o, x, dx, b, db),
        |x, b, c| s.with_vjp(&o, x, b, c),
        |x, b| s.with_grad(&o, x, b),
        |x, vx, b, vb| s.with_hvp(&o, x, vx, b, vb),
    );
}

#[test]
fn in_a_loop() {
    all_modes(
        "looped",
        looped,
        looped_jvp,
        looped_vjp,
        looped_grad,
        looped_hvp,
    );
}

#[test]
fn rules_on_aliases_of_nalgebra_types() {
    let w = Vd::from_column_slice(&[1.1, 0.4, -0.7, 0.25]);
    all_modes(
        "aliased",
        |x, b| aliased(&w, x, b),
        |x, dx, b, db| aliased_jvp(&w, x, dx, b, db),
        |x, b, c| aliased_vjp(&w, x, b, c),
        |x, b| aliased_grad(&w, x, b),
        |x, vx, b, vb| aliased_hvp(&w, x, vx, b, vb),
    );
}

#[test]
fn methods_of_a_generic_type() {
    let g = G { k: 1.2 };
    all_modes(
        "generic_type",
        |x, b| generic_type(&g, x, b),
        |x, dx, b, db| generic_type_jvp(&g, x, dx, b, db),
        |x, b, c| generic_type_vjp(&g, x, b, c),
        |x, b| generic_type_grad(&g, x, b),
        |x, vx, b, vb| generic_type_hvp(&g, x, vx, b, vb),
    );
    all_modes(
        "energy_caller",
        |x, b| energy_caller(&g, x, b),
        |x, dx, b, db| energy_caller_jvp(&g, x, dx, b, db),
        |x, b, c| energy_caller_vjp(&g, x, b, c),
        |x, b| energy_caller_grad(&g, x, b),
        |x, vx, b, vb| energy_caller_hvp(&g, x, vx, b, vb),
    );
}

// ----- a one-letter type of the user's by value -----

#[derive(Clone, Copy)]
enum K {
    A,
    B,
}

struct Sk {
    c: f64,
}

impl Sk {
    #[differentiate(wrt(x))]
    fn m(&self, x: f64, k: K) -> f64 {
        match k {
            K::A => self.c * x * x,
            K::B => x.sin(),
        }
    }
}

/// A one-letter enum taken by value by a method is the user's type, not the
/// float type of an `impl` block (against analytic derivatives).
#[test]
fn one_letter_enum_by_value() {
    let s = Sk { c: 2.0 };
    let (v, d) = s.m_jvp(1.5, 1.0, K::A);
    assert!((v - 4.5).abs() < 1e-12 && (d - 6.0).abs() < 1e-12);
    let (v, d) = s.m_jvp(1.5, 1.0, K::B);
    assert!((v - 1.5f64.sin()).abs() < 1e-12 && (d - 1.5f64.cos()).abs() < 1e-12);
}

/// A trait's method cannot be differentiated in its `impl Trait for Type`
/// (the derivatives are not items of the trait: rejected, see
/// `tests/ui/unsupported/method_in_trait_impl.rs`); what to write instead:
/// the body in a differentiated inherent method, which the trait method
/// calls.
trait Loss {
    fn loss(&self, x: &[f64], b: f64) -> f64;
}

struct Weighted {
    w: f64,
}

impl Loss for Weighted {
    fn loss(&self, x: &[f64], b: f64) -> f64 {
        self.loss_body(x, b)
    }
}

impl Weighted {
    #[differentiate]
    fn loss_body(&self, x: &[f64], b: f64) -> f64 {
        x.iter().map(|v| self.w * v * v).sum::<f64>() * b.sin()
    }
}

/// A differentiated caller of the inherent method.
#[differentiate]
fn through_loss_body(x: &[f64], b: f64) -> f64 {
    let l = Weighted { w: 0.7 };
    l.loss_body(x, b) * b
}

#[test]
fn trait_method_calling_a_differentiated_inherent_one() {
    let l = Weighted { w: 1.3 };
    all_modes(
        "loss_body",
        |x, b| l.loss(x, b),
        |x, dx, b, db| Weighted::loss_body_jvp(&l, x, dx, b, db),
        |x, b, c| l.loss_body_vjp(x, b, c),
        |x, b| l.loss_body_grad(x, b),
        |x, vx, b, vb| l.loss_body_hvp(x, vx, b, vb),
    );
    let w = Weighted { w: 0.7 };
    all_modes(
        "through_loss_body",
        |x, b| w.loss(x, b) * b,
        through_loss_body_jvp,
        through_loss_body_vjp,
        through_loss_body_grad,
        through_loss_body_hvp,
    );
}
