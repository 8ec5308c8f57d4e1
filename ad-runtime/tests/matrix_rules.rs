//! Every nalgebra rule of `ad_runtime` (`matrix.rs`: `MulRule`, `DivRule`,
//! `Cotangent`, `AddTo`, `TangentFor`; `la.rs`; `nn.rs`), checked four ways
//! on dynamic (`DMatrix`, `DVector`, `RowDVector`, non-square) and static
//! (`SMatrix`, `Vector3`, `Matrix2x3`, ...) shapes:
//!
//! 1. each `jvp_k` against a central finite difference of the value function
//!    along a random direction (and for `*` and `/`, the forward tangents
//!    `da b + a db` and `(da - z db) / b` against a finite difference of
//!    `MulRule::value` / `DivRule::value`);
//! 2. each `vjp_k` by the dot-product identity `<J t, c> = <t, J^T c>`, with
//!    `J t` from `jvp_k` (checked in 1) or the forward tangent of `*` / `/`,
//!    plus the shape of the cotangent;
//! 3. values against reference numbers worked out by hand (see the comments
//!    next to them), never against the code under test;
//! 4. each `vjp_k_jvp` (and `DivRule::vjp_lhs_jvp` / `vjp_rhs_jvp`) against a
//!    central finite difference of `vjp_k` along the tangent direction: the
//!    arguments move by `h * dargs`, `y` is recomputed from the moved
//!    arguments (so `dy` passed to the rule is the true tangent, the sum of
//!    the `jvp_k`), and `y_bar` moves by `h * dy_bar`. `MulRule` has no
//!    second-order rule: the macro differentiates its bilinear `vjp_lhs` /
//!    `vjp_rhs` by applying them to tangents, and that is what is checked.
//!
//! Directions and cotangents come from a fixed-seed generator, so runs are
//! reproducible. Failures are collected per test and reported together, each
//! naming the rule, the check, the inputs and both numbers. The test
//! `checker_detects_wrong_rules` feeds deliberately wrong rules to the
//! checkers to show that every kind of check can fail.

use ad_runtime::{
    accumulate, div, la, mul, nn, tangent_for, zero_like, AddTo, Cotangent, DivRule, MulRule,
    NoTangent, TangentFor,
};
use nalgebra::allocator::Allocator;
use nalgebra::{
    DMatrix, DVector, DefaultAllocator, Dim, Matrix1, Matrix2, Matrix2x3, Matrix3, Matrix3x2,
    Matrix3x4, OMatrix, RealField, RowDVector, RowVector2, RowVector3, RowVector4, SMatrix,
    Vector2, Vector3, Vector4,
};
use std::fmt::Debug;

// ---------------------------------------------------------------------------
// Precision-dependent settings
// ---------------------------------------------------------------------------

/// Settings of one floating-point precision.
struct Precision {
    name: &'static str,
    /// Step of the central differences `(g(h) - g(-h)) / 2h` (inputs are of
    /// size about 1): truncation `h^2`, rounding `eps / h`.
    h: f64,
    /// Finite-difference tolerance, relative to `max(1, max |fd|)`.
    fd_tol: f64,
    /// Dot-product identity tolerance, relative to `max(1, sum |t_i c_i|)`
    /// (only rounding separates the two sides).
    id_tol: f64,
    /// Reference tolerance, relative to `max(1, max |reference|)`.
    ref_tol: f64,
}

const F64: Precision = Precision {
    name: "f64",
    h: 1e-6,
    fd_tol: 1e-6,
    id_tol: 1e-12,
    ref_tol: 1e-12,
};

const F32: Precision = Precision {
    name: "f32",
    h: 1e-2,
    fd_tol: 3e-3,
    id_tol: 2e-5,
    ref_tol: 1e-5,
};

/// Random directions per point.
const TRIALS: usize = 3;

// ---------------------------------------------------------------------------
// Vector-space view of scalars and matrices
// ---------------------------------------------------------------------------

/// Deterministic "random" numbers in `[-1, 1)` (a 64-bit LCG, top 53 bits).
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// What the checkers need of an argument, output or cotangent.
trait Vs: Clone + Debug {
    /// The elements in storage (column-major) order, in `f64`.
    fn flat(&self) -> Vec<f64>;
    /// `(rows, columns)`; `(1, 1)` for a scalar.
    fn dims(&self) -> (usize, usize);
    /// `self + h d`.
    fn axpy(&self, h: f64, d: &Self) -> Self;
    /// `f` applied to every element.
    fn map_f(&self, f: impl FnMut(f64) -> f64) -> Self;

    /// Random elements of the same shape.
    fn random_like(&self, rng: &mut Lcg) -> Self {
        self.map_f(|_| rng.next())
    }
}

macro_rules! impl_vs {
    ($($t:ty),*) => {$(
        impl Vs for $t {
            fn flat(&self) -> Vec<f64> {
                vec![*self as f64]
            }
            fn dims(&self) -> (usize, usize) {
                (1, 1)
            }
            fn axpy(&self, h: f64, d: &Self) -> Self {
                *self + (h as $t) * *d
            }
            fn map_f(&self, mut f: impl FnMut(f64) -> f64) -> Self {
                f(*self as f64) as $t
            }
        }

        impl<R: Dim, C: Dim> Vs for OMatrix<$t, R, C>
        where
            DefaultAllocator: Allocator<R, C>,
        {
            fn flat(&self) -> Vec<f64> {
                self.iter().map(|&v| v as f64).collect()
            }
            fn dims(&self) -> (usize, usize) {
                (self.nrows(), self.ncols())
            }
            fn axpy(&self, h: f64, d: &Self) -> Self {
                self + d * (h as $t)
            }
            fn map_f(&self, mut f: impl FnMut(f64) -> f64) -> Self {
                self.map(|v| f(v as f64) as $t)
            }
        }
    )*};
}
impl_vs!(f32, f64);

fn add<X: Vs>(a: &X, b: &X) -> X {
    a.axpy(1.0, b)
}

fn dot<X: Vs>(a: &X, b: &X) -> f64 {
    a.flat().iter().zip(b.flat()).map(|(x, y)| x * y).sum()
}

/// `sum |a_i b_i|`: the size of the rounding error of `dot(a, b)`.
fn abs_dot<X: Vs>(a: &X, b: &X) -> f64 {
    a.flat()
        .iter()
        .zip(b.flat())
        .map(|(x, y)| (x * y).abs())
        .sum()
}

/// Moves every element at least `gap` away from 0 (for divisors and `relu`).
fn away_from_zero<X: Vs>(x: &X, gap: f64) -> X {
    x.map_f(|v| if v < 0.0 { v - gap } else { v + gap })
}

fn show<X: Vs>(x: &X) -> String {
    let (r, c) = x.dims();
    let v: Vec<String> = x.flat().iter().map(|v| format!("{v:.6}")).collect();
    format!("{r}x{c} [{}]", v.join(", "))
}

/// `dg/dh` at 0 by the central difference `(g(h) - g(-h)) / 2h`.
fn fd<Z: Vs>(p: &Precision, g: impl Fn(f64) -> Z) -> Vec<f64> {
    let (plus, minus) = (g(p.h).flat(), g(-p.h).flat());
    plus.iter()
        .zip(minus)
        .map(|(a, b)| (a - b) / (2.0 * p.h))
        .collect()
}

// ---------------------------------------------------------------------------
// Collecting failures
// ---------------------------------------------------------------------------

/// Collects the failures of one test, so that a wrong rule does not hide the
/// others, and panics at the end with all of them.
struct Checks<'p> {
    test: &'static str,
    p: &'p Precision,
    count: usize,
    failures: Vec<String>,
}

impl<'p> Checks<'p> {
    fn new(test: &'static str, p: &'p Precision) -> Checks<'p> {
        Checks {
            test,
            p,
            count: 0,
            failures: Vec::new(),
        }
    }

    fn record(&mut self, ok: bool, describe: impl FnOnce() -> String) {
        self.count += 1;
        if !ok {
            self.failures.push(describe());
        }
    }

    /// `max |got - want| <= tol * max(1, max |want|)`, same length (NaN fails).
    fn close(&mut self, what: impl FnOnce() -> String, got: &[f64], want: &[f64], tol: f64) {
        if got.len() != want.len() {
            self.record(false, || {
                format!(
                    "{}: {} elements, expected {}",
                    what(),
                    got.len(),
                    want.len()
                )
            });
            return;
        }
        let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        // NaN-propagating maximum (`f64::max` would drop a NaN).
        let err = got.iter().zip(want).fold(0.0f64, |m, (g, w)| {
            let e = (g - w).abs();
            if m.is_nan() || e.is_nan() {
                f64::NAN
            } else {
                m.max(e)
            }
        });
        self.record(err <= tol * scale, || {
            format!(
                "{}:\n    got      {got:?}\n    expected {want:?}\n    (error {err:.1e} > {:.0e} * {scale:.1e})",
                what(),
                tol
            )
        });
    }

    fn close_vs<X: Vs>(&mut self, what: impl FnOnce() -> String, got: &X, want: &[f64]) {
        let tol = self.p.ref_tol;
        self.close(what, &got.flat(), want, tol);
    }

    fn dims(&mut self, what: impl FnOnce() -> String, got: (usize, usize), want: (usize, usize)) {
        self.record(got == want, || {
            format!("{}: shape {got:?}, expected {want:?}", what())
        });
    }

    /// `<J t, c> == <t, J^T c>` up to rounding.
    fn identity<X: Vs, Y: Vs>(
        &mut self,
        what: impl FnOnce() -> String,
        jt: &Y,
        c: &Y,
        t: &X,
        jtc: &X,
    ) {
        let (lhs, rhs) = (dot(jt, c), dot(t, jtc));
        let scale = abs_dot(jt, c).max(abs_dot(t, jtc)).max(1.0);
        let tol = self.p.id_tol;
        self.record((lhs - rhs).abs() <= tol * scale, || {
            format!(
                "{}: <J t, c> = {lhs:e} but <t, J^T c> = {rhs:e} (scale {scale:.1e}, tol {tol:.0e})",
                what()
            )
        });
    }

    fn finish(self) {
        assert!(self.count > 0, "{}: nothing was checked", self.test);
        if !self.failures.is_empty() {
            panic!(
                "{} [{}]: {} of {} checks failed:\n  {}",
                self.test,
                self.p.name,
                self.failures.len(),
                self.count,
                self.failures.join("\n  ")
            );
        }
        println!(
            "{} [{}]: {} checks passed",
            self.test, self.p.name, self.count
        );
    }
}

// ---------------------------------------------------------------------------
// Checkers of the `la` / `nn` convention
// ---------------------------------------------------------------------------

/// Checks 1, 2 and 4 for a rule family of one argument.
#[allow(clippy::too_many_arguments)]
fn check_unary<X: Vs, Y: Vs>(
    c: &mut Checks,
    rng: &mut Lcg,
    name: &str,
    x: &X,
    f: impl Fn(&X) -> Y,
    jvp_0: impl Fn(&X, &Y, &X) -> Y,
    vjp_0: impl Fn(&X, &Y, &Y) -> X,
    vjp_0_jvp: impl Fn(&X, &X, &Y, &Y, &Y, &Y) -> X,
) {
    let p = c.p;
    let y = f(x);
    for trial in 0..TRIALS {
        let dx = x.random_like(rng);
        let y_bar = y.random_like(rng);
        let dy_bar = y.random_like(rng);
        let case = || {
            format!(
                "{name} [{}, trial {trial}] at x = {}, dx = {}, y_bar = {}, dy_bar = {}",
                p.name,
                show(x),
                show(&dx),
                show(&y_bar),
                show(&dy_bar)
            )
        };

        // 1. JVP against finite differences.
        let dy = jvp_0(x, &y, &dx);
        c.dims(|| format!("jvp_0 of {}", case()), dy.dims(), y.dims());
        let want = fd(p, |h| f(&x.axpy(h, &dx)));
        c.close(
            || format!("jvp_0 vs FD of {}", case()),
            &dy.flat(),
            &want,
            p.fd_tol,
        );

        // 2. VJP by the dot-product identity.
        let x_bar = vjp_0(x, &y, &y_bar);
        c.dims(|| format!("vjp_0 of {}", case()), x_bar.dims(), x.dims());
        c.identity(
            || format!("vjp_0 identity of {}", case()),
            &dy,
            &y_bar,
            &dx,
            &x_bar,
        );

        // 4. Tangent of the VJP against finite differences of the VJP.
        let got = vjp_0_jvp(x, &dx, &y, &dy, &y_bar, &dy_bar);
        c.dims(|| format!("vjp_0_jvp of {}", case()), got.dims(), x.dims());
        let want = fd(p, |h| {
            let xh = x.axpy(h, &dx);
            let yh = f(&xh);
            vjp_0(&xh, &yh, &y_bar.axpy(h, &dy_bar))
        });
        c.close(
            || format!("vjp_0_jvp vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
    }
}

/// Checks 1, 2 and 4 for a rule family of two arguments.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn check_binary<A: Vs, B: Vs, Y: Vs>(
    c: &mut Checks,
    rng: &mut Lcg,
    name: &str,
    a: &A,
    b: &B,
    f: impl Fn(&A, &B) -> Y,
    jvp_0: impl Fn(&A, &B, &Y, &A) -> Y,
    jvp_1: impl Fn(&A, &B, &Y, &B) -> Y,
    vjp_0: impl Fn(&A, &B, &Y, &Y) -> A,
    vjp_1: impl Fn(&A, &B, &Y, &Y) -> B,
    vjp_0_jvp: impl Fn(&A, &B, &A, &B, &Y, &Y, &Y, &Y) -> A,
    vjp_1_jvp: impl Fn(&A, &B, &A, &B, &Y, &Y, &Y, &Y) -> B,
) {
    let p = c.p;
    let y = f(a, b);
    for trial in 0..TRIALS {
        let da = a.random_like(rng);
        let db = b.random_like(rng);
        let y_bar = y.random_like(rng);
        let dy_bar = y.random_like(rng);
        let case = || {
            format!(
                "{name} [{}, trial {trial}] at a = {}, b = {}, da = {}, db = {}, y_bar = {}, dy_bar = {}",
                p.name,
                show(a),
                show(b),
                show(&da),
                show(&db),
                show(&y_bar),
                show(&dy_bar)
            )
        };

        // 1.
        let dy0 = jvp_0(a, b, &y, &da);
        c.dims(|| format!("jvp_0 of {}", case()), dy0.dims(), y.dims());
        let want = fd(p, |h| f(&a.axpy(h, &da), b));
        c.close(
            || format!("jvp_0 vs FD of {}", case()),
            &dy0.flat(),
            &want,
            p.fd_tol,
        );
        let dy1 = jvp_1(a, b, &y, &db);
        c.dims(|| format!("jvp_1 of {}", case()), dy1.dims(), y.dims());
        let want = fd(p, |h| f(a, &b.axpy(h, &db)));
        c.close(
            || format!("jvp_1 vs FD of {}", case()),
            &dy1.flat(),
            &want,
            p.fd_tol,
        );

        // 2.
        let a_bar = vjp_0(a, b, &y, &y_bar);
        c.dims(|| format!("vjp_0 of {}", case()), a_bar.dims(), a.dims());
        c.identity(
            || format!("vjp_0 identity of {}", case()),
            &dy0,
            &y_bar,
            &da,
            &a_bar,
        );
        let b_bar = vjp_1(a, b, &y, &y_bar);
        c.dims(|| format!("vjp_1 of {}", case()), b_bar.dims(), b.dims());
        c.identity(
            || format!("vjp_1 identity of {}", case()),
            &dy1,
            &y_bar,
            &db,
            &b_bar,
        );

        // 4. Both arguments move; `dy` is the total tangent.
        let dy = add(&dy0, &dy1);
        let moved = |h: f64| {
            let (ah, bh) = (a.axpy(h, &da), b.axpy(h, &db));
            let yh = f(&ah, &bh);
            (ah, bh, yh, y_bar.axpy(h, &dy_bar))
        };
        let got = vjp_0_jvp(a, b, &da, &db, &y, &dy, &y_bar, &dy_bar);
        c.dims(|| format!("vjp_0_jvp of {}", case()), got.dims(), a.dims());
        let want = fd(p, |h| {
            let (ah, bh, yh, ybh) = moved(h);
            vjp_0(&ah, &bh, &yh, &ybh)
        });
        c.close(
            || format!("vjp_0_jvp vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
        let got = vjp_1_jvp(a, b, &da, &db, &y, &dy, &y_bar, &dy_bar);
        c.dims(|| format!("vjp_1_jvp of {}", case()), got.dims(), b.dims());
        let want = fd(p, |h| {
            let (ah, bh, yh, ybh) = moved(h);
            vjp_1(&ah, &bh, &yh, &ybh)
        });
        c.close(
            || format!("vjp_1_jvp vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
    }
}

/// `check_unary` on the rules `m::f`, `m::f::{jvp_0, vjp_0, vjp_0_jvp}`.
macro_rules! unary {
    ($c:expr, $rng:expr, $m:ident :: $f:ident, $x:expr) => {
        check_unary(
            $c,
            $rng,
            concat!(stringify!($m), "::", stringify!($f)),
            &$x,
            $m::$f,
            $m::$f::jvp_0,
            $m::$f::vjp_0,
            $m::$f::vjp_0_jvp,
        )
    };
}

/// `check_binary` on the rules `m::f`, `m::f::{jvp_k, vjp_k, vjp_k_jvp}`.
macro_rules! binary {
    ($c:expr, $rng:expr, $m:ident :: $f:ident, $a:expr, $b:expr) => {
        check_binary(
            $c,
            $rng,
            concat!(stringify!($m), "::", stringify!($f)),
            &$a,
            &$b,
            $m::$f,
            $m::$f::jvp_0,
            $m::$f::jvp_1,
            $m::$f::vjp_0,
            $m::$f::vjp_1,
            $m::$f::vjp_0_jvp,
            $m::$f::vjp_1_jvp,
        )
    };
}

/// Every `la` rule at a random matrix of the shape of `$like`.
macro_rules! la_all {
    ($c:expr, $rng:expr, $like:expr) => {{
        let like = $like;
        let a = like.random_like($rng);
        let b = like.random_like($rng);
        // Divisors away from 0.
        let nonzero = away_from_zero(&like.random_like($rng), 0.5);
        // A scalar of the element type.
        let s = a[0].map_f(|v| 0.3 + v.abs());
        unary!($c, $rng, la::transpose, a);
        unary!($c, $rng, la::sum, a);
        unary!($c, $rng, la::mean, a);
        unary!($c, $rng, la::norm_squared, a);
        // Away from 0, where the norm is not differentiable.
        unary!($c, $rng, la::norm, away_from_zero(&a, 0.1));
        binary!($c, $rng, la::dot, a, b);
        binary!($c, $rng, la::component_mul, a, b);
        binary!($c, $rng, la::component_div, a, nonzero);
        binary!($c, $rng, la::add_scalar, a, s);
    }};
}

/// Every `nn` rule at a random matrix of the shape of `$like`.
macro_rules! nn_all {
    ($c:expr, $rng:expr, $like:expr) => {{
        let like = $like;
        let a = like.random_like($rng).map_f(|v| 2.0 * v);
        unary!($c, $rng, nn::sigmoid, a);
        unary!($c, $rng, nn::tanh, a);
        // Away from the kink at 0 by much more than h.
        unary!($c, $rng, nn::relu, away_from_zero(&a, 0.1));
        unary!($c, $rng, nn::softmax, a);
        unary!($c, $rng, nn::log_softmax, a);
        unary!($c, $rng, nn::logsumexp, a);
        // Large entries: the stable forms must keep their derivatives.
        let big = a.map_f(|v| 30.0 + v);
        unary!($c, $rng, nn::softmax, big);
        unary!($c, $rng, nn::log_softmax, big);
        unary!($c, $rng, nn::logsumexp, big);
    }};
}

// ---------------------------------------------------------------------------
// Checkers of `MulRule` and `DivRule`
// ---------------------------------------------------------------------------

/// Checks 1, 2 and 4 for `a * b`: the forward tangent `da b + a db` against
/// finite differences, `vjp_lhs` / `vjp_rhs` by the identity against the two
/// terms, and the tangents of `vjp_lhs` / `vjp_rhs` (bilinear, so the rule
/// applied to tangents, as the macro does) against finite differences.
fn check_mul<A, B>(c: &mut Checks, rng: &mut Lcg, name: &str, a: &A, b: &B)
where
    A: MulRule<B> + Vs,
    B: Vs,
    A::Output: Vs,
{
    let p = c.p;
    let z = A::value(a, b);
    for trial in 0..TRIALS {
        let da = a.random_like(rng);
        let db = b.random_like(rng);
        let z_bar = z.random_like(rng);
        let dz_bar = z.random_like(rng);
        let case = || {
            format!(
                "{name} [{}, trial {trial}] at a = {}, b = {}, da = {}, db = {}, z_bar = {}, dz_bar = {}",
                p.name,
                show(a),
                show(b),
                show(&da),
                show(&db),
                show(&z_bar),
                show(&dz_bar)
            )
        };

        // 1.
        let (dz_a, dz_b) = (A::value(&da, b), A::value(a, &db));
        let dz = add(&dz_a, &dz_b);
        c.dims(|| format!("da b + a db of {}", case()), dz.dims(), z.dims());
        let want = fd(p, |h| A::value(&a.axpy(h, &da), &b.axpy(h, &db)));
        c.close(
            || format!("da b + a db vs FD of {}", case()),
            &dz.flat(),
            &want,
            p.fd_tol,
        );

        // 2.
        let a_bar = A::vjp_lhs(a, b, &z_bar);
        c.dims(|| format!("vjp_lhs of {}", case()), a_bar.dims(), a.dims());
        c.identity(
            || format!("vjp_lhs identity of {}", case()),
            &dz_a,
            &z_bar,
            &da,
            &a_bar,
        );
        let b_bar = A::vjp_rhs(a, b, &z_bar);
        c.dims(|| format!("vjp_rhs of {}", case()), b_bar.dims(), b.dims());
        c.identity(
            || format!("vjp_rhs identity of {}", case()),
            &dz_b,
            &z_bar,
            &db,
            &b_bar,
        );

        // 3. In-place accumulation (gemm with beta = 1) adds the same
        // cotangents to what is there.
        let mut acc = da.clone();
        mul::acc_a(&mut acc, a, b, &z_bar);
        c.close(
            || format!("acc_a of {}", case()),
            &acc.flat(),
            &add(&da, &a_bar).flat(),
            p.fd_tol,
        );
        let mut acc = db.clone();
        mul::acc_b(&mut acc, a, b, &z_bar);
        c.close(
            || format!("acc_b of {}", case()),
            &acc.flat(),
            &add(&db, &b_bar).flat(),
            p.fd_tol,
        );

        // 4. Through the wrappers generated code calls.
        let got = add(&mul::vjp_a(a, &db, &z_bar), &mul::vjp_a(a, b, &dz_bar));
        let want = fd(p, |h| {
            mul::vjp_a(&a.axpy(h, &da), &b.axpy(h, &db), &z_bar.axpy(h, &dz_bar))
        });
        c.close(
            || format!("tangent of mul::vjp_a vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
        let got = add(&mul::vjp_b(&da, b, &z_bar), &mul::vjp_b(a, b, &dz_bar));
        let want = fd(p, |h| {
            mul::vjp_b(&a.axpy(h, &da), &b.axpy(h, &db), &z_bar.axpy(h, &dz_bar))
        });
        c.close(
            || format!("tangent of mul::vjp_b vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
    }
}

/// Checks 1, 2 and 4 for `z = a / b` with a matrix `a` and a scalar `b`: the
/// forward tangent `(da - z db) / b`, the identity for `vjp_lhs` against
/// `da / b` and for `vjp_rhs` against `-z db / b`, and `vjp_lhs_jvp` /
/// `vjp_rhs_jvp` against finite differences of `vjp_lhs` / `vjp_rhs`.
fn check_div<T, R: Dim, C: Dim>(
    c: &mut Checks,
    rng: &mut Lcg,
    name: &str,
    a: &OMatrix<T, R, C>,
    b: T,
) where
    T: RealField + Copy + Vs,
    OMatrix<T, R, C>: Vs + DivRule<T, Output = OMatrix<T, R, C>>,
    DefaultAllocator: Allocator<R, C>,
{
    type Mat<T, R, C> = OMatrix<T, R, C>;
    let p = c.p;
    let z = <Mat<T, R, C> as DivRule<T>>::value(a, &b);
    for trial in 0..TRIALS {
        let da = a.random_like(rng);
        let db = b.random_like(rng);
        let z_bar = z.random_like(rng);
        let dz_bar = z.random_like(rng);
        let case = || {
            format!(
                "{name} [{}, trial {trial}] at a = {}, b = {b:?}, da = {}, db = {db:?}, z_bar = {}, dz_bar = {}",
                p.name,
                show(a),
                show(&da),
                show(&z_bar),
                show(&dz_bar)
            )
        };

        // 1. The tangent of a quotient, written out by hand.
        let dz_a = &da / b;
        let dz_b = -(&z * db) / b;
        let dz = &dz_a + &dz_b;
        let want = fd(p, |h| {
            <Mat<T, R, C> as DivRule<T>>::value(&a.axpy(h, &da), &b.axpy(h, &db))
        });
        c.close(
            || format!("(da - z db) / b vs FD of {}", case()),
            &dz.flat(),
            &want,
            p.fd_tol,
        );

        // 2.
        let a_bar = div::vjp_a(a, &b, &z_bar);
        c.dims(|| format!("vjp_lhs of {}", case()), a_bar.dims(), a.dims());
        c.identity(
            || format!("vjp_lhs identity of {}", case()),
            &dz_a,
            &z_bar,
            &da,
            &a_bar,
        );
        let b_bar = div::vjp_b(a, &b, &z, &z_bar);
        c.identity(
            || format!("vjp_rhs identity of {}", case()),
            &dz_b,
            &z_bar,
            &db,
            &b_bar,
        );

        // 4.
        let got = div::vjp_a_jvp(a, &b, &db, &z_bar, &dz_bar);
        c.dims(
            || format!("vjp_lhs_jvp of {}", case()),
            got.dims(),
            a.dims(),
        );
        let want = fd(p, |h| {
            div::vjp_a(&a.axpy(h, &da), &b.axpy(h, &db), &z_bar.axpy(h, &dz_bar))
        });
        c.close(
            || format!("vjp_lhs_jvp vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
        let got = div::vjp_b_jvp(a, &b, &db, &z, &dz, &z_bar, &dz_bar);
        let want = fd(p, |h| {
            let (ah, bh) = (a.axpy(h, &da), b.axpy(h, &db));
            let zh = <Mat<T, R, C> as DivRule<T>>::value(&ah, &bh);
            div::vjp_b(&ah, &bh, &zh, &z_bar.axpy(h, &dz_bar))
        });
        c.close(
            || format!("vjp_rhs_jvp vs FD of {}", case()),
            &got.flat(),
            &want,
            p.fd_tol,
        );
    }
}

// ---------------------------------------------------------------------------
// 1, 2, 4: la
// ---------------------------------------------------------------------------

#[test]
fn la_rules_dynamic_f64() {
    let mut c = Checks::new("la_rules_dynamic_f64", &F64);
    let rng = &mut Lcg::new(1);
    la_all!(&mut c, rng, DMatrix::<f64>::zeros(3, 4));
    la_all!(&mut c, rng, DMatrix::<f64>::zeros(4, 2));
    la_all!(&mut c, rng, DMatrix::<f64>::zeros(1, 1));
    la_all!(&mut c, rng, DVector::<f64>::zeros(5));
    la_all!(&mut c, rng, RowDVector::<f64>::zeros(3));
    c.finish();
}

#[test]
fn la_rules_static_f64() {
    let mut c = Checks::new("la_rules_static_f64", &F64);
    let rng = &mut Lcg::new(2);
    la_all!(&mut c, rng, Matrix2x3::<f64>::zeros());
    la_all!(&mut c, rng, SMatrix::<f64, 4, 2>::zeros());
    la_all!(&mut c, rng, Matrix3::<f64>::zeros());
    la_all!(&mut c, rng, Vector3::<f64>::zeros());
    la_all!(&mut c, rng, RowVector4::<f64>::zeros());
    c.finish();
}

// ---------------------------------------------------------------------------
// 1, 2, 4: nn
// ---------------------------------------------------------------------------

#[test]
fn nn_rules_dynamic_f64() {
    let mut c = Checks::new("nn_rules_dynamic_f64", &F64);
    let rng = &mut Lcg::new(3);
    nn_all!(&mut c, rng, DMatrix::<f64>::zeros(3, 4));
    nn_all!(&mut c, rng, DMatrix::<f64>::zeros(4, 2));
    nn_all!(&mut c, rng, DMatrix::<f64>::zeros(1, 3));
    nn_all!(&mut c, rng, DVector::<f64>::zeros(4));
    nn_all!(&mut c, rng, RowDVector::<f64>::zeros(3));
    c.finish();
}

#[test]
fn nn_rules_static_f64() {
    let mut c = Checks::new("nn_rules_static_f64", &F64);
    let rng = &mut Lcg::new(4);
    nn_all!(&mut c, rng, Matrix3x4::<f64>::zeros());
    nn_all!(&mut c, rng, SMatrix::<f64, 4, 2>::zeros());
    nn_all!(&mut c, rng, Vector3::<f64>::zeros());
    nn_all!(&mut c, rng, RowVector3::<f64>::zeros());
    c.finish();
}

// ---------------------------------------------------------------------------
// 1, 2, 4: products and quotients
// ---------------------------------------------------------------------------

#[test]
fn mul_rule_dynamic_f64() {
    let mut c = Checks::new("mul_rule_dynamic_f64", &F64);
    let rng = &mut Lcg::new(5);
    let m34 = DMatrix::<f64>::zeros(3, 4).random_like(rng);
    let m42 = DMatrix::<f64>::zeros(4, 2).random_like(rng);
    let v3 = DVector::<f64>::zeros(3).random_like(rng);
    let v4 = DVector::<f64>::zeros(4).random_like(rng);
    let r3 = RowDVector::<f64>::zeros(3).random_like(rng);
    let r4 = RowDVector::<f64>::zeros(4).random_like(rng);
    let s = -0.7f64;
    check_mul(&mut c, rng, "DMatrix 3x4 * DMatrix 4x2", &m34, &m42);
    let m23 = DMatrix::<f64>::zeros(2, 3).random_like(rng);
    check_mul(&mut c, rng, "DMatrix 4x2 * DMatrix 2x3", &m42, &m23);
    check_mul(&mut c, rng, "DMatrix 3x4 * DVector 4", &m34, &v4);
    check_mul(&mut c, rng, "DVector 3 * RowDVector 4", &v3, &r4);
    check_mul(&mut c, rng, "RowDVector 3 * DMatrix 3x4", &r3, &m34);
    check_mul(&mut c, rng, "RowDVector 4 * DVector 4", &r4, &v4);
    check_mul(&mut c, rng, "f64 * DMatrix 3x4", &s, &m34);
    check_mul(&mut c, rng, "DMatrix 4x2 * f64", &m42, &s);
    check_mul(&mut c, rng, "f64 * DVector 3", &s, &v3);
    check_mul(&mut c, rng, "DVector 4 * f64", &v4, &s);
    check_mul(&mut c, rng, "RowDVector 3 * f64", &r3, &s);
    c.finish();
}

#[test]
fn mul_rule_static_f64() {
    let mut c = Checks::new("mul_rule_static_f64", &F64);
    let rng = &mut Lcg::new(6);
    let m23 = Matrix2x3::<f64>::zeros().random_like(rng);
    let m34 = Matrix3x4::<f64>::zeros().random_like(rng);
    let m3 = Matrix3::<f64>::zeros().random_like(rng);
    let m32 = Matrix3x2::<f64>::zeros().random_like(rng);
    let v2 = Vector2::<f64>::zeros().random_like(rng);
    let v3 = Vector3::<f64>::zeros().random_like(rng);
    let r3 = RowVector3::<f64>::zeros().random_like(rng);
    let s = 1.3f64;
    check_mul(&mut c, rng, "Matrix2x3 * Matrix3x4", &m23, &m34);
    check_mul(&mut c, rng, "Matrix3x2 * Matrix2x3", &m32, &m23);
    check_mul(&mut c, rng, "Matrix3 * Vector3", &m3, &v3);
    check_mul(&mut c, rng, "Vector2 * RowVector3", &v2, &r3);
    check_mul(&mut c, rng, "RowVector3 * Matrix3x2", &r3, &m32);
    check_mul(&mut c, rng, "RowVector3 * Vector3", &r3, &v3);
    check_mul(&mut c, rng, "f64 * Matrix2x3", &s, &m23);
    check_mul(&mut c, rng, "Matrix3x4 * f64", &m34, &s);
    check_mul(&mut c, rng, "f64 * Vector3", &s, &v3);
    check_mul(&mut c, rng, "RowVector3 * f64", &r3, &s);
    c.finish();
}

#[test]
fn div_rule_f64() {
    let mut c = Checks::new("div_rule_f64", &F64);
    let rng = &mut Lcg::new(7);
    for b in [1.3f64, -0.7] {
        let m34 = DMatrix::<f64>::zeros(3, 4).random_like(rng);
        check_div(&mut c, rng, "DMatrix 3x4 / f64", &m34, b);
        let v4 = DVector::<f64>::zeros(4).random_like(rng);
        check_div(&mut c, rng, "DVector 4 / f64", &v4, b);
        let r3 = RowDVector::<f64>::zeros(3).random_like(rng);
        check_div(&mut c, rng, "RowDVector 3 / f64", &r3, b);
        let m23 = Matrix2x3::<f64>::zeros().random_like(rng);
        check_div(&mut c, rng, "Matrix2x3 / f64", &m23, b);
        let v3 = Vector3::<f64>::zeros().random_like(rng);
        check_div(&mut c, rng, "Vector3 / f64", &v3, b);
    }
    c.finish();
}

// ---------------------------------------------------------------------------
// f32 smoke test
// ---------------------------------------------------------------------------

#[test]
fn f32_rules_match_finite_differences() {
    let mut c = Checks::new("f32_rules_match_finite_differences", &F32);
    let rng = &mut Lcg::new(8);
    la_all!(&mut c, rng, DMatrix::<f32>::zeros(3, 4));
    la_all!(&mut c, rng, Matrix2x3::<f32>::zeros());
    nn_all!(&mut c, rng, DMatrix::<f32>::zeros(3, 2));
    nn_all!(&mut c, rng, Vector3::<f32>::zeros());
    let m34 = DMatrix::<f32>::zeros(3, 4).random_like(rng);
    let v4 = DVector::<f32>::zeros(4).random_like(rng);
    let m23 = Matrix2x3::<f32>::zeros().random_like(rng);
    let v3 = Vector3::<f32>::zeros().random_like(rng);
    check_mul(&mut c, rng, "DMatrix<f32> 3x4 * DVector<f32> 4", &m34, &v4);
    check_mul(&mut c, rng, "Matrix2x3<f32> * Vector3<f32>", &m23, &v3);
    check_mul(&mut c, rng, "f32 * DMatrix<f32> 3x4", &0.5f32, &m34);
    check_div(&mut c, rng, "Matrix2x3<f32> / f32", &m23, 1.5f32);
    check_div(&mut c, rng, "DVector<f32> / f32", &v4, -0.8f32);
    c.finish();
}

#[test]
fn f32_values_match_references() {
    let mut c = Checks::new("f32_values_match_references", &F32);
    let ln2 = 2.0f32.ln();
    let ln3 = 3.0f32.ln();
    // sigmoid(0) = 1/2, sigmoid(±ln 3) = 1 / (1 + 1/3) = 3/4 and 1/4.
    let x = Vector3::new(0.0f32, ln3, -ln3);
    c.close_vs(
        || "sigmoid f32".into(),
        &nn::sigmoid(&x),
        &[0.5, 0.75, 0.25],
    );
    // softmax of (0, ln 2, ln 3) = (1, 2, 3) / 6.
    let x = DVector::from_vec(vec![0.0f32, ln2, ln3]);
    c.close_vs(
        || "softmax f32".into(),
        &nn::softmax(&x),
        &[1.0 / 6.0, 2.0 / 6.0, 0.5],
    );
    c.close_vs(
        || "logsumexp f32".into(),
        &nn::logsumexp(&x),
        &[6.0f64.ln()],
    );
    // |(3, 4)| = 5.
    let x = DVector::from_vec(vec![3.0f32, 4.0]);
    c.close_vs(|| "norm f32".into(), &la::norm(&x), &[5.0]);
    c.close_vs(
        || "norm vjp f32".into(),
        &la::norm::vjp_0(&x, &5.0, &1.0),
        &[0.6, 0.8],
    );
    let a = Matrix2::new(1.0f32, 2.0, 3.0, 4.0);
    let b = Matrix2::new(5.0f32, 6.0, 7.0, 8.0);
    // Row-major [[19, 22], [43, 50]], stored by columns.
    c.close_vs(
        || "Matrix2<f32> product".into(),
        &mul(&a, &b),
        &[19.0, 43.0, 22.0, 50.0],
    );
    c.close_vs(
        || "Matrix2<f32> / 2".into(),
        &div(&a, &2.0f32),
        &[0.5, 1.5, 1.0, 2.0],
    );
    c.finish();
}

// ---------------------------------------------------------------------------
// 3: values against hand-computed references
// ---------------------------------------------------------------------------

#[test]
fn la_values_match_references() {
    let mut c = Checks::new("la_values_match_references", &F64);
    // Row-major [[1, 2, 3], [4, 5, 6]]; nalgebra stores by columns.
    let d = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let s = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    // Transpose: [[1, 4], [2, 5], [3, 6]], by columns 1 2 3 4 5 6.
    let t = la::transpose(&d);
    c.dims(
        || "transpose DMatrix".into(),
        (t.nrows(), t.ncols()),
        (3, 2),
    );
    c.close_vs(
        || "transpose DMatrix".into(),
        &t,
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    );
    c.close_vs(
        || "transpose Matrix2x3".into(),
        &la::transpose(&s),
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    );
    // 1 + ... + 6 = 21, mean 3.5; 1 + 4 + ... + 36 = 91.
    for (name, sum, mean, nsq) in [
        ("DMatrix", la::sum(&d), la::mean(&d), la::norm_squared(&d)),
        ("Matrix2x3", la::sum(&s), la::mean(&s), la::norm_squared(&s)),
    ] {
        c.close_vs(|| format!("sum {name}"), &sum, &[21.0]);
        c.close_vs(|| format!("mean {name}"), &mean, &[3.5]);
        c.close_vs(|| format!("norm_squared {name}"), &nsq, &[91.0]);
    }
    // The mean's cotangent spreads y_bar / 6; the sum's copies y_bar.
    c.close_vs(
        || "mean vjp".into(),
        &la::mean::vjp_0(&d, &3.5, &6.0),
        &[1.0; 6],
    );
    c.close_vs(
        || "sum vjp".into(),
        &la::sum::vjp_0(&s, &21.0, &2.0),
        &[2.0; 6],
    );
    // |(3, 4)| = 5, gradient (3, 4) / 5; |[[1, 2], [2, 4]]| = sqrt(25).
    let v = DVector::from_vec(vec![3.0, 4.0]);
    c.close_vs(|| "norm DVector".into(), &la::norm(&v), &[5.0]);
    c.close_vs(
        || "norm_squared DVector".into(),
        &la::norm_squared(&v),
        &[25.0],
    );
    c.close_vs(
        || "norm Matrix2".into(),
        &la::norm(&Matrix2::new(1.0, 2.0, 2.0, 4.0)),
        &[5.0],
    );
    c.close_vs(
        || "norm vjp".into(),
        &la::norm::vjp_0(&v, &5.0, &1.0),
        &[0.6, 0.8],
    );
    c.close_vs(
        || "norm jvp".into(),
        &la::norm::jvp_0(&v, &5.0, &DVector::from_vec(vec![1.0, 0.0])),
        &[0.6],
    );
    c.close_vs(
        || "norm_squared vjp".into(),
        &la::norm_squared::vjp_0(&Vector2::new(3.0, 4.0), &25.0, &1.0),
        &[6.0, 8.0],
    );
    // (1, 2, 3) . (4, 5, 6) = 32; products (4, 10, 18); quotients by (4, 5, 8).
    let a = Vector3::new(1.0, 2.0, 3.0);
    let b = Vector3::new(4.0, 5.0, 6.0);
    let q = Vector3::new(4.0, 5.0, 8.0);
    c.close_vs(|| "dot".into(), &la::dot(&a, &b), &[32.0]);
    c.close_vs(
        || "dot vjp_0".into(),
        &la::dot::vjp_0(&a, &b, &32.0, &2.0),
        &[8.0, 10.0, 12.0],
    );
    c.close_vs(
        || "component_mul".into(),
        &la::component_mul(&a, &b),
        &[4.0, 10.0, 18.0],
    );
    c.close_vs(
        || "component_div".into(),
        &la::component_div(&a, &q),
        &[0.25, 0.4, 0.375],
    );
    // d(a / b)/db = -a / b^2: -1/16, -2/25, -3/64.
    let y = Vector3::new(0.25, 0.4, 0.375);
    c.close_vs(
        || "component_div jvp_1".into(),
        &la::component_div::jvp_1(&a, &q, &y, &Vector3::new(1.0, 1.0, 1.0)),
        &[-1.0 / 16.0, -2.0 / 25.0, -3.0 / 64.0],
    );
    let dd = DMatrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]);
    c.close_vs(
        || "add_scalar".into(),
        &la::add_scalar(&dd, &0.5),
        &[1.5, 2.5, 3.5],
    );
    c.close_vs(
        || "add_scalar vjp_1".into(),
        &la::add_scalar::vjp_1(&dd, &0.5, &dd, &dd),
        &[6.0],
    );
    c.finish();
}

#[test]
fn nn_values_match_references() {
    let mut c = Checks::new("nn_values_match_references", &F64);
    let (ln2, ln3, ln5) = (2.0f64.ln(), 3.0f64.ln(), 5.0f64.ln());
    // sigmoid(0) = 1/2, sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, sigmoid(-ln 3) = 1/4;
    // sigmoid' = s (1 - s): 1/4, 3/16, 3/16.
    let x = DVector::from_vec(vec![0.0, ln3, -ln3]);
    let y = nn::sigmoid(&x);
    c.close_vs(|| "sigmoid".into(), &y, &[0.5, 0.75, 0.25]);
    let ones = DVector::from_element(3, 1.0);
    c.close_vs(
        || "sigmoid jvp".into(),
        &nn::sigmoid::jvp_0(&x, &y, &ones),
        &[0.25, 0.1875, 0.1875],
    );
    // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; tanh' = 1 - tanh^2: 1, 16/25.
    let x = Vector3::new(0.0, ln2, -ln2);
    let y = nn::tanh(&x);
    c.close_vs(|| "tanh".into(), &y, &[0.0, 0.6, -0.6]);
    c.close_vs(
        || "tanh vjp".into(),
        &nn::tanh::vjp_0(&x, &y, &Vector3::new(1.0, 1.0, 1.0)),
        &[1.0, 0.64, 0.64],
    );
    // relu, with the derivative at 0 taken as 0.
    let x = RowVector3::new(-1.0, 0.0, 2.0);
    let y = nn::relu(&x);
    c.close_vs(|| "relu".into(), &y, &[0.0, 0.0, 2.0]);
    c.close_vs(
        || "relu jvp".into(),
        &nn::relu::jvp_0(&x, &y, &RowVector3::new(1.0, 1.0, 1.0)),
        &[0.0, 0.0, 1.0],
    );
    // Columns (0, ln 2, ln 3): exp = (1, 2, 3), sum 6; and (1000, 1000,
    // 1000 + ln 2): exp / e^1000 = (1, 1, 2), sum 4 (overflows if unshifted);
    // and (ln 5, ln 5, ln 5): uniform, logsumexp ln 15.
    let x = DMatrix::from_row_slice(
        3,
        3,
        &[0.0, 1000.0, ln5, ln2, 1000.0, ln5, ln3, 1000.0 + ln2, ln5],
    );
    let sm = nn::softmax(&x);
    #[rustfmt::skip]
    let want_sm = [
        1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0,
        0.25, 0.25, 0.5,
        1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0,
    ];
    c.close_vs(|| "softmax".into(), &sm, &want_sm);
    let lse = nn::logsumexp(&x);
    c.dims(|| "logsumexp".into(), (lse.nrows(), lse.ncols()), (1, 3));
    c.close_vs(
        || "logsumexp".into(),
        &lse,
        &[6.0f64.ln(), 1000.0 + 4.0f64.ln(), 15.0f64.ln()],
    );
    #[rustfmt::skip]
    let want_ls = [
        -(6.0f64.ln()), -(3.0f64.ln()), -ln2,
        -(4.0f64.ln()), -(4.0f64.ln()), -ln2,
        -ln3, -ln3, -ln3,
    ];
    c.close_vs(|| "log_softmax".into(), &nn::log_softmax(&x), &want_ls);
    // A vector is one column; logsumexp is 1 x 1, its gradient the softmax.
    let v = Vector3::new(0.0, ln2, ln3);
    let lse: Matrix1<f64> = nn::logsumexp(&v);
    c.close_vs(|| "logsumexp Vector3".into(), &lse, &[6.0f64.ln()]);
    c.close_vs(
        || "logsumexp vjp".into(),
        &nn::logsumexp::vjp_0(&v, &lse, &Matrix1::new(2.0)),
        &[2.0 / 6.0, 4.0 / 6.0, 1.0],
    );
    // Softmax Jacobian row 0 is y_0 (e_0 - y): with y = (1, 2, 3) / 6 and
    // y_bar = e_0: (5/36, -2/36, -3/36).
    let y = nn::softmax(&v);
    c.close_vs(
        || "softmax vjp".into(),
        &nn::softmax::vjp_0(&v, &y, &Vector3::new(1.0, 0.0, 0.0)),
        &[5.0 / 36.0, -2.0 / 36.0, -3.0 / 36.0],
    );
    // log_softmax: y_bar = e_0 gives e_0 - softmax = (5/6, -2/6, -3/6).
    let y = nn::log_softmax(&v);
    c.close_vs(
        || "log_softmax vjp".into(),
        &nn::log_softmax::vjp_0(&v, &y, &Vector3::new(1.0, 0.0, 0.0)),
        &[5.0 / 6.0, -2.0 / 6.0, -3.0 / 6.0],
    );
    // The same at (1000, 1000, 1000 + ln 2), where exp overflows: softmax
    // (1, 1, 2) / 4; y_bar = e_0 gives y_0 (e_0 - y) = (3/16, -1/16, -1/8)
    // and e_0 - y = (3/4, -1/4, -1/2); logsumexp's gradient is the softmax.
    let e0 = DVector::from_vec(vec![1.0, 0.0, 0.0]);
    let big = DVector::from_vec(vec![1000.0, 1000.0, 1000.0 + ln2]);
    let y = nn::softmax(&big);
    c.close_vs(|| "softmax at 1000".into(), &y, &[0.25, 0.25, 0.5]);
    c.close_vs(
        || "softmax vjp at 1000".into(),
        &nn::softmax::vjp_0(&big, &y, &e0),
        &[3.0 / 16.0, -1.0 / 16.0, -0.125],
    );
    let y = nn::log_softmax(&big);
    c.close_vs(
        || "log_softmax vjp at 1000".into(),
        &nn::log_softmax::vjp_0(&big, &y, &e0),
        &[0.75, -0.25, -0.5],
    );
    let lse = nn::logsumexp(&big);
    c.close_vs(
        || "logsumexp vjp at 1000".into(),
        &nn::logsumexp::vjp_0(&big, &lse, &Matrix1::new(1.0)),
        &[0.25, 0.25, 0.5],
    );
    // Saturation: sigmoid and tanh at +-1000 are 0 / 1 and -1 / 1, with zero
    // derivatives (no NaN from exp overflowing).
    let x = RowVector2::new(-1000.0, 1000.0);
    let d = RowVector2::new(1.0, 1.0);
    let y = nn::sigmoid(&x);
    c.close_vs(|| "sigmoid at -1000, 1000".into(), &y, &[0.0, 1.0]);
    c.close_vs(
        || "sigmoid jvp at -1000, 1000".into(),
        &nn::sigmoid::jvp_0(&x, &y, &d),
        &[0.0, 0.0],
    );
    let y = nn::tanh(&x);
    c.close_vs(|| "tanh at -1000, 1000".into(), &y, &[-1.0, 1.0]);
    c.close_vs(
        || "tanh vjp at -1000, 1000".into(),
        &nn::tanh::vjp_0(&x, &y, &d),
        &[0.0, 0.0],
    );
    c.finish();
}

#[test]
fn mul_div_values_match_references() {
    let mut c = Checks::new("mul_div_values_match_references", &F64);
    // [[1, 2], [3, 4]] [[5, 6], [7, 8]] = [[19, 22], [43, 50]] (by columns).
    let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]);
    let b = DMatrix::from_row_slice(2, 2, &[5.0, 6.0, 7.0, 8.0]);
    c.close_vs(
        || "DMatrix 2x2 product".into(),
        &mul(&a, &b),
        &[19.0, 43.0, 22.0, 50.0],
    );
    // c_bar = e_00: a_bar = c_bar b^T = [[5, 7], [0, 0]], b_bar = a^T c_bar = [[1, 0], [2, 0]].
    let e00 = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 0.0]);
    c.close_vs(
        || "DMatrix vjp_lhs".into(),
        &mul::vjp_a(&a, &b, &e00),
        &[5.0, 0.0, 7.0, 0.0],
    );
    c.close_vs(
        || "DMatrix vjp_rhs".into(),
        &mul::vjp_b(&a, &b, &e00),
        &[1.0, 2.0, 0.0, 0.0],
    );
    // [[1, 2, 3], [4, 5, 6]] [[1, 0], [0, 1], [1, 1]] = [[4, 5], [10, 11]].
    let m23 = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
    let m32 = Matrix3x2::new(1.0, 0.0, 0.0, 1.0, 1.0, 1.0);
    c.close_vs(
        || "Matrix2x3 * Matrix3x2".into(),
        &mul(&m23, &m32),
        &[4.0, 10.0, 5.0, 11.0],
    );
    let d23 = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // [[1, 2, 3], [4, 5, 6]] (1, 0, -1) = (-2, -2).
    let v = DVector::from_vec(vec![1.0, 0.0, -1.0]);
    c.close_vs(|| "DMatrix * DVector".into(), &mul(&d23, &v), &[-2.0, -2.0]);
    c.close_vs(
        || "Matrix2x3 * Vector3".into(),
        &mul(&m23, &Vector3::new(1.0, 0.0, -1.0)),
        &[-2.0, -2.0],
    );
    // (1, 2) (3, 4, 5) = [[3, 4, 5], [6, 8, 10]].
    let col = DVector::from_vec(vec![1.0, 2.0]);
    let row = RowDVector::from_vec(vec![3.0, 4.0, 5.0]);
    let outer = mul(&col, &row);
    c.dims(|| "outer".into(), (outer.nrows(), outer.ncols()), (2, 3));
    c.close_vs(
        || "DVector * RowDVector".into(),
        &outer,
        &[3.0, 6.0, 4.0, 8.0, 5.0, 10.0],
    );
    c.close_vs(
        || "Vector2 * RowVector3".into(),
        &mul(&Vector2::new(1.0, 2.0), &RowVector3::new(3.0, 4.0, 5.0)),
        &[3.0, 6.0, 4.0, 8.0, 5.0, 10.0],
    );
    // (1, 2) [[1, 2, 3], [4, 5, 6]] = (9, 12, 15).
    let r = RowDVector::from_vec(vec![1.0, 2.0]);
    c.close_vs(
        || "RowDVector * DMatrix".into(),
        &mul(&r, &d23),
        &[9.0, 12.0, 15.0],
    );
    c.close_vs(
        || "RowVector2 * Matrix2x3".into(),
        &mul(&RowVector2::new(1.0, 2.0), &m23),
        &[9.0, 12.0, 15.0],
    );
    // (1, 2, 3) . (4, 5, 6) = 32, as a 1 x 1 matrix; its cotangents c_bar (4, 5, 6), c_bar (1, 2, 3).
    let r3 = RowDVector::from_vec(vec![1.0, 2.0, 3.0]);
    let c3 = DVector::from_vec(vec![4.0, 5.0, 6.0]);
    let inner = mul(&r3, &c3);
    c.close_vs(|| "RowDVector * DVector".into(), &inner, &[32.0]);
    let cb = Matrix1::new(2.0);
    c.close_vs(
        || "row * column vjp_lhs".into(),
        &mul::vjp_a(&r3, &c3, &cb),
        &[8.0, 10.0, 12.0],
    );
    c.close_vs(
        || "row * column vjp_rhs".into(),
        &mul::vjp_b(&r3, &c3, &cb),
        &[2.0, 4.0, 6.0],
    );
    c.close_vs(
        || "RowVector3 * Vector3".into(),
        &mul(
            &RowVector3::new(1.0, 2.0, 3.0),
            &Vector3::new(4.0, 5.0, 6.0),
        ),
        &[32.0],
    );
    // Scalings: 2 (1, 2) = (2, 4); the scalar's cotangent <c_bar, b> = 1 + 2.
    let v2 = DVector::from_vec(vec![1.0, 2.0]);
    let ones = DVector::from_element(2, 1.0);
    c.close_vs(|| "f64 * DVector".into(), &mul(&2.0, &v2), &[2.0, 4.0]);
    c.close_vs(
        || "f64 * DVector vjp_lhs".into(),
        &mul::vjp_a(&2.0, &v2, &ones),
        &[3.0],
    );
    c.close_vs(
        || "f64 * DVector vjp_rhs".into(),
        &mul::vjp_b(&2.0, &v2, &ones),
        &[2.0, 2.0],
    );
    c.close_vs(
        || "Matrix2x3 * f64".into(),
        &mul(&m23, &-1.0),
        &[-1.0, -4.0, -2.0, -5.0, -3.0, -6.0],
    );
    c.close_vs(
        || "Matrix2x3 * f64 vjp_rhs".into(),
        &mul::vjp_b(&m23, &-1.0, &Matrix2x3::from_element(1.0)),
        &[21.0],
    );
    // (2, 4) / 2 = (1, 2); z_bar = (1, 1): b_bar = -<z_bar, z> / b = -3/2.
    let v = Vector2::new(2.0, 4.0);
    let z = div(&v, &2.0);
    c.close_vs(|| "Vector2 / f64".into(), &z, &[1.0, 2.0]);
    let zb = Vector2::new(1.0, 1.0);
    c.close_vs(
        || "Vector2 / f64 vjp_lhs".into(),
        &div::vjp_a(&v, &2.0, &zb),
        &[0.5, 0.5],
    );
    c.close_vs(
        || "Vector2 / f64 vjp_rhs".into(),
        &div::vjp_b(&v, &2.0, &z, &zb),
        &[-1.5],
    );
    c.close_vs(
        || "DMatrix / f64".into(),
        &div(&a, &4.0),
        &[0.25, 0.75, 0.5, 1.0],
    );
    c.finish();
}

// ---------------------------------------------------------------------------
// Conventions, cotangent shapes, accumulation
// ---------------------------------------------------------------------------

#[test]
fn norm_derivatives_are_zero_at_zero() {
    let mut c = Checks::new("norm_derivatives_are_zero_at_zero", &F64);
    let z = DMatrix::<f64>::zeros(2, 3);
    let d = DMatrix::from_element(2, 3, 1.0);
    let y = la::norm(&z);
    c.close_vs(|| "norm(0)".into(), &y, &[0.0]);
    c.close_vs(
        || "norm jvp at 0".into(),
        &la::norm::jvp_0(&z, &y, &d),
        &[0.0],
    );
    c.close_vs(
        || "norm vjp at 0".into(),
        &la::norm::vjp_0(&z, &y, &1.0),
        &[0.0; 6],
    );
    c.close_vs(
        || "norm vjp_jvp at 0".into(),
        &la::norm::vjp_0_jvp(&z, &d, &y, &0.0, &1.0, &1.0),
        &[0.0; 6],
    );
    let zs = Vector3::<f64>::zeros();
    c.close_vs(
        || "norm vjp at 0 (Vector3)".into(),
        &la::norm::vjp_0(&zs, &0.0, &1.0),
        &[0.0; 3],
    );
    c.finish();
}

#[test]
fn zero_cotangent_has_the_shape_of_the_primal() {
    let mut c = Checks::new("zero_cotangent_has_the_shape_of_the_primal", &F64);
    let rng = &mut Lcg::new(9);
    macro_rules! zero {
        ($x:expr, $shape:expr) => {{
            let x = $x.random_like(rng);
            let z = x.zero_cotangent();
            c.dims(
                || format!("zero_cotangent of {}", show(&x)),
                z.dims(),
                $shape,
            );
            c.close_vs(
                || format!("zero_cotangent of {}", show(&x)),
                &z,
                &vec![0.0; $shape.0 * $shape.1],
            );
            // Through `zero_like` and the blanket impl for references.
            let z = zero_like(&&x);
            c.dims(|| format!("zero_like of &{}", show(&x)), z.dims(), $shape);
            c.close_vs(
                || format!("zero_like of &{}", show(&x)),
                &z,
                &vec![0.0; $shape.0 * $shape.1],
            );
            // NoTangent gives a zero tangent of the shape; a tangent passes through.
            let t = tangent_for(NoTangent, &x);
            c.dims(|| format!("NoTangent for {}", show(&x)), t.dims(), $shape);
            c.close_vs(
                || format!("NoTangent for {}", show(&x)),
                &t,
                &vec![0.0; $shape.0 * $shape.1],
            );
            let dx = x.random_like(rng);
            let t = dx.clone().tangent_for(&x);
            c.close_vs(|| format!("tangent_for of {}", show(&x)), &t, &dx.flat());
        }};
    }
    zero!(DMatrix::<f64>::zeros(3, 4), (3, 4));
    zero!(DMatrix::<f64>::zeros(4, 2), (4, 2));
    zero!(DMatrix::<f64>::zeros(0, 3), (0, 3));
    zero!(DVector::<f64>::zeros(5), (5, 1));
    zero!(RowDVector::<f64>::zeros(3), (1, 3));
    zero!(Matrix2x3::<f64>::zeros(), (2, 3));
    zero!(Vector3::<f64>::zeros(), (3, 1));
    zero!(RowVector4::<f64>::zeros(), (1, 4));
    zero!(DMatrix::<f32>::zeros(2, 3), (2, 3));
    zero!(Vector4::<f32>::zeros(), (4, 1));
    c.finish();
}

#[test]
fn add_to_accumulates_matrix_cotangents() {
    let mut c = Checks::new("add_to_accumulates_matrix_cotangents", &F64);
    let mut x = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let g = DMatrix::from_row_slice(2, 3, &[0.5, -1.0, 2.0, 0.0, 1.0, -6.0]);
    accumulate(&mut x, g.clone());
    // By columns: 1.5, 4, 1, 6, 5, 0.
    c.close_vs(
        || "accumulate DMatrix".into(),
        &x,
        &[1.5, 4.0, 1.0, 6.0, 5.0, 0.0],
    );
    g.add_to(&mut x);
    c.close_vs(
        || "add_to DMatrix".into(),
        &x,
        &[2.0, 4.0, 0.0, 7.0, 7.0, -6.0],
    );
    // `()` adds nothing.
    accumulate(&mut x, ());
    c.close_vs(
        || "accumulate ()".into(),
        &x,
        &[2.0, 4.0, 0.0, 7.0, 7.0, -6.0],
    );
    // Starting from a zero cotangent, as the reverse sweep does.
    let mut v = DVector::from_vec(vec![1.0, 2.0, 3.0]).zero_cotangent();
    accumulate(&mut v, DVector::from_vec(vec![1.0, 2.0, 3.0]));
    accumulate(&mut v, DVector::from_vec(vec![0.5, 0.5, 0.5]));
    c.close_vs(|| "accumulate DVector".into(), &v, &[1.5, 2.5, 3.5]);
    let mut s = Matrix2x3::<f64>::zeros();
    accumulate(&mut s, Matrix2x3::from_element(2.0));
    Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).add_to(&mut s);
    c.close_vs(
        || "accumulate Matrix2x3".into(),
        &s,
        &[3.0, 6.0, 4.0, 7.0, 5.0, 8.0],
    );
    let mut r = RowVector3::new(1.0f32, 1.0, 1.0);
    accumulate(&mut r, RowVector3::new(1.0f32, 2.0, 3.0));
    c.close_vs(|| "accumulate RowVector3<f32>".into(), &r, &[2.0, 3.0, 4.0]);
    c.finish();
}

// ---------------------------------------------------------------------------
// The checkers themselves
// ---------------------------------------------------------------------------

/// Wrong rules must be reported, each by the check meant to catch it.
#[test]
fn checker_detects_wrong_rules() {
    let rng = &mut Lcg::new(10);
    let x = DMatrix::<f64>::zeros(3, 4).random_like(rng);
    fn expect(c: Checks, kind: &str, what: &str) {
        assert!(
            c.failures.iter().any(|f| f.starts_with(kind)),
            "{what}: no failure starting with `{kind}` among {:#?}",
            c.failures
        );
    }

    // A wrong JVP (sigmoid' taken as y instead of y (1 - y)).
    let mut c = Checks::new("mutant", &F64);
    check_unary(
        &mut c,
        rng,
        "bad sigmoid jvp",
        &x,
        nn::sigmoid,
        |_, y, da| y.component_mul(da),
        nn::sigmoid::vjp_0,
        nn::sigmoid::vjp_0_jvp,
    );
    expect(c, "jvp_0 vs FD", "wrong jvp");

    // A wrong VJP (softmax's without the projection).
    let mut c = Checks::new("mutant", &F64);
    check_unary(
        &mut c,
        rng,
        "bad softmax vjp",
        &x,
        nn::softmax,
        nn::softmax::jvp_0,
        |_, y, yb| y.component_mul(yb),
        nn::softmax::vjp_0_jvp,
    );
    expect(c, "vjp_0 identity", "wrong vjp");

    // A VJP of the wrong shape (transpose's, untransposed).
    let mut c = Checks::new("mutant", &F64);
    check_unary(
        &mut c,
        rng,
        "bad transpose vjp",
        &x,
        la::transpose,
        la::transpose::jvp_0,
        |_, _, yb| yb.clone(),
        la::transpose::vjp_0_jvp,
    );
    expect(c, "vjp_0 of", "wrong shape");

    // A wrong second-order rule (norm's without the dy term).
    let mut c = Checks::new("mutant", &F64);
    check_unary(
        &mut c,
        rng,
        "bad norm vjp_jvp",
        &x,
        la::norm,
        la::norm::jvp_0,
        la::norm::vjp_0,
        |a, da, y, _dy, yb, dyb| (da * *yb + a * *dyb) / *y,
    );
    expect(c, "vjp_0_jvp vs FD", "wrong vjp_jvp");

    // A wrong second-order rule of a binary function (dot's without db y_bar).
    let mut c = Checks::new("mutant", &F64);
    let b = x.random_like(rng);
    check_binary(
        &mut c,
        rng,
        "bad dot vjp_0_jvp",
        &x,
        &b,
        la::dot,
        la::dot::jvp_0,
        la::dot::jvp_1,
        la::dot::vjp_0,
        la::dot::vjp_1,
        |_, b, _, _, _, _, _, dyb| b * *dyb,
        la::dot::vjp_1_jvp,
    );
    expect(c, "vjp_0_jvp vs FD", "wrong binary vjp_jvp");

    // A wrong reference is reported too.
    let mut c = Checks::new("mutant", &F64);
    c.close_vs(
        || "sigmoid(0) = 0.5".into(),
        &nn::sigmoid(&Vector2::new(0.0, 0.0)),
        &[0.5, 0.5 + 1e-9],
    );
    expect(c, "sigmoid(0)", "wrong reference");
}
