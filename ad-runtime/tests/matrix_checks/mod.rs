//! The checkers of `matrix_rules.rs` and `matrix_values.rs`: precision
//! settings, a vector-space view of scalars and matrices, the collector of
//! failures, and the checkers of the `la` / `nn` convention and of `MulRule`
//! and `DivRule`.

#![allow(dead_code, unused_imports, unused_macros)]

pub use ad_runtime::{
    accumulate, div, la, mul, nn, tangent_for, zero_like, AddTo, Cotangent, DivRule, MulRule,
    NoTangent, TangentFor,
};
pub use nalgebra::allocator::Allocator;
pub use nalgebra::{
    DMatrix, DVector, DefaultAllocator, Dim, Matrix1, Matrix2, Matrix2x3, Matrix3, Matrix3x2,
    Matrix3x4, OMatrix, RealField, RowDVector, RowVector2, RowVector3, RowVector4, SMatrix,
    Vector2, Vector3, Vector4,
};
pub use std::fmt::Debug;

// ---------------------------------------------------------------------------
// Precision-dependent settings
// ---------------------------------------------------------------------------

/// Settings of one floating-point precision.
pub struct Precision {
    pub name: &'static str,
    /// Step of the central differences `(g(h) - g(-h)) / 2h` (inputs are of
    /// size about 1): truncation `h^2`, rounding `eps / h`.
    pub h: f64,
    /// Finite-difference tolerance, relative to `max(1, max |fd|)`.
    pub fd_tol: f64,
    /// Dot-product identity tolerance, relative to `max(1, sum |t_i c_i|)`
    /// (only rounding separates the two sides).
    pub id_tol: f64,
    /// Reference tolerance, relative to `max(1, max |reference|)`.
    pub ref_tol: f64,
}

pub const F64: Precision = Precision {
    name: "f64",
    h: 1e-6,
    fd_tol: 1e-6,
    id_tol: 1e-12,
    ref_tol: 1e-12,
};

pub const F32: Precision = Precision {
    name: "f32",
    h: 1e-2,
    fd_tol: 3e-3,
    id_tol: 2e-5,
    ref_tol: 1e-5,
};

/// Random directions per point.
pub const TRIALS: usize = 3;

// ---------------------------------------------------------------------------
// Vector-space view of scalars and matrices
// ---------------------------------------------------------------------------

/// Deterministic "random" numbers in `[-1, 1)` (a 64-bit LCG, top 53 bits).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// What the checkers need of an argument, output or cotangent.
pub trait Vs: Clone + Debug {
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

pub fn add<X: Vs>(a: &X, b: &X) -> X {
    a.axpy(1.0, b)
}

pub fn dot<X: Vs>(a: &X, b: &X) -> f64 {
    a.flat().iter().zip(b.flat()).map(|(x, y)| x * y).sum()
}

/// `sum |a_i b_i|`: the size of the rounding error of `dot(a, b)`.
pub fn abs_dot<X: Vs>(a: &X, b: &X) -> f64 {
    a.flat()
        .iter()
        .zip(b.flat())
        .map(|(x, y)| (x * y).abs())
        .sum()
}

/// Moves every element at least `gap` away from 0 (for divisors and `relu`).
pub fn away_from_zero<X: Vs>(x: &X, gap: f64) -> X {
    x.map_f(|v| if v < 0.0 { v - gap } else { v + gap })
}

pub fn show<X: Vs>(x: &X) -> String {
    let (r, c) = x.dims();
    let v: Vec<String> = x.flat().iter().map(|v| format!("{v:.6}")).collect();
    format!("{r}x{c} [{}]", v.join(", "))
}

/// `dg/dh` at 0 by the central difference `(g(h) - g(-h)) / 2h`.
pub fn fd<Z: Vs>(p: &Precision, g: impl Fn(f64) -> Z) -> Vec<f64> {
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
pub struct Checks<'p> {
    pub test: &'static str,
    pub p: &'p Precision,
    pub count: usize,
    pub failures: Vec<String>,
}

impl<'p> Checks<'p> {
    pub fn new(test: &'static str, p: &'p Precision) -> Checks<'p> {
        Checks {
            test,
            p,
            count: 0,
            failures: Vec::new(),
        }
    }

    pub fn record(&mut self, ok: bool, describe: impl FnOnce() -> String) {
        self.count += 1;
        if !ok {
            self.failures.push(describe());
        }
    }

    /// `max |got - want| <= tol * max(1, max |want|)`, same length (NaN fails).
    pub fn close(&mut self, what: impl FnOnce() -> String, got: &[f64], want: &[f64], tol: f64) {
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

    pub fn close_vs<X: Vs>(&mut self, what: impl FnOnce() -> String, got: &X, want: &[f64]) {
        let tol = self.p.ref_tol;
        self.close(what, &got.flat(), want, tol);
    }

    pub fn dims(
        &mut self,
        what: impl FnOnce() -> String,
        got: (usize, usize),
        want: (usize, usize),
    ) {
        self.record(got == want, || {
            format!("{}: shape {got:?}, expected {want:?}", what())
        });
    }

    /// `<J t, c> == <t, J^T c>` up to rounding.
    pub fn identity<X: Vs, Y: Vs>(
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

    pub fn finish(self) {
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
pub fn check_unary<X: Vs, Y: Vs>(
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
pub fn check_binary<A: Vs, B: Vs, Y: Vs>(
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
pub fn check_mul<A, B>(c: &mut Checks, rng: &mut Lcg, name: &str, a: &A, b: &B)
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
pub fn check_div<T, R: Dim, C: Dim>(
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
