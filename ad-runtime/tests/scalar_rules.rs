//! Every scalar derivative rule of `ad_runtime`, checked three ways:
//!
//! * (a) JVP against finite differences: each first derivative against a
//!   central difference of the function, each second derivative against a
//!   central difference of the first derivative (mixed partials both ways);
//! * (b) VJP by the dot-product identity `<J t, c> = <t, J^T c>`, with
//!   `J t` measured by a finite difference of the function along `t` and
//!   `J^T c` computed the way the reverse sweep computes it (`c * d1`,
//!   `(c * da, c * db)`, `mul::vjp_*`, `div::vjp_*`), and the same for the
//!   Hessian (the linearisation of the reverse sweep, used by forward over
//!   reverse). For `mul` and `div`, `J t` is the forward tangent
//!   `ta * b + a * tb` resp. `(ta - z * tb) / b`, itself checked against
//!   finite differences. (With `J t` also taken from the rule, the identity
//!   would hold by construction for scalar rules and could not fail.)
//! * (c) values against reference numbers computed independently: the
//!   tables below were printed by Python's `mpmath` (50 digits) by
//!   numerically differentiating the functions themselves (`mp.diff`), and
//!   agree with the closed forms quoted in the comments.
//!
//! Plus one test per non-differentiable convention documented in
//! `scalar/`, and an `f32` run of the finite-difference and reference checks.
//!
//! Failures are collected per test and reported together, each naming the
//! rule, the point, the precision and both numbers.

use ad_runtime::scalar::{
    binary_rules, clamp, max, min, mul_add, powf, powi, unary_rules, BinaryRule, UnaryRule,
};
use ad_runtime::{div, mul, DivRule, MulRule, Real};

// ---------------------------------------------------------------------------
// Precision-dependent settings
// ---------------------------------------------------------------------------

/// Settings of one floating-point precision.
struct Precision {
    name: &'static str,
    /// Finite-difference step relative to `max(1, |x|)`: about `eps^(1/5)`,
    /// the optimum of the 4-point stencil (truncation `h^4`, rounding `eps/h`).
    rel_step: f64,
    /// Tolerance of finite-difference comparisons, relative to `max(1, |fd|)`.
    fd_tol: f64,
    /// Tolerance of reference comparisons, relative.
    ref_tol: f64,
}

const F64: Precision = Precision {
    name: "f64",
    rel_step: 1e-3,
    fd_tol: 1e-8,
    ref_tol: 1e-12,
};

const F32: Precision = Precision {
    name: "f32",
    rel_step: 2e-2,
    fd_tol: 3e-3,
    ref_tol: 1e-5,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Collects the failures of one test, so that a wrong rule does not hide the
/// others, and panics at the end with all of them.
struct Checks {
    test: &'static str,
    precision: &'static str,
    count: usize,
    failures: Vec<String>,
}

impl Checks {
    fn new(test: &'static str, p: &Precision) -> Checks {
        Checks {
            test,
            precision: p.name,
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

    /// `|got - want| <= tol * max(1, |want|)` (NaN fails).
    fn near<T: Real>(&mut self, got: T, want: T, tol: f64, what: impl FnOnce() -> String) {
        let (g, w) = (got.to_f64(), want.to_f64());
        let err = (g - w).abs() / w.abs().max(1.0);
        self.record(err <= tol, || {
            format!(
                "{}: got {g:e}, expected {w:e} (error {err:.1e} > {tol:.0e})",
                what()
            )
        });
    }

    /// `|got - want| <= tol * |want|` (exact when `want == 0`; NaN fails).
    fn near_rel<T: Real>(&mut self, got: T, want: f64, tol: f64, what: impl FnOnce() -> String) {
        let g = got.to_f64();
        let ok = if want == 0.0 {
            g == 0.0
        } else {
            (g - want).abs() <= tol * want.abs()
        };
        self.record(ok, || {
            let err = (g - want).abs() / want.abs();
            format!(
                "{}: got {g:e}, expected {want:e} (relative error {err:.1e} > {tol:.0e})",
                what()
            )
        });
    }

    /// Exact equality (`==`, so `-0.0` equals `0.0`), for conventions.
    fn exact<T: Real>(&mut self, got: T, want: T, what: impl FnOnce() -> String) {
        self.record(got == want, || {
            format!(
                "{}: got {:e}, expected {:e}",
                what(),
                got.to_f64(),
                want.to_f64()
            )
        });
    }

    fn finish(self) {
        assert!(self.count > 0, "{}: nothing was checked", self.test);
        if !self.failures.is_empty() {
            panic!(
                "{} [{}]: {} of {} checks failed:\n  {}",
                self.test,
                self.precision,
                self.failures.len(),
                self.count,
                self.failures.join("\n  ")
            );
        }
        println!(
            "{} [{}]: {} checks passed",
            self.test, self.precision, self.count
        );
    }
}

/// `x` in the precision `T`.
fn real<T: Real>(x: f64) -> T {
    T::from_f64(x)
}

/// The finite-difference step at `x`.
fn step<T: Real>(x: T, p: &Precision) -> T {
    real::<T>(p.rel_step * x.to_f64().abs().max(1.0))
}

/// `g'(x)` by the 4-point central stencil
/// `(-g(x+2h) + 8 g(x+h) - 8 g(x-h) + g(x-2h)) / (12 h)`, error `O(h^4)`.
fn fd<T: Real>(g: impl Fn(T) -> T, x: T, h: T) -> T {
    let two = T::ONE + T::ONE;
    let (m2, m1, p1, p2) = (g(x - two * h), g(x - h), g(x + h), g(x + two * h));
    ((m2 - p2) + real::<T>(8.0) * (p1 - m1)) / (real::<T>(12.0) * h)
}

/// Partial derivative of `g` in argument `i` at `x`.
fn fd_partial<T: Real, const N: usize>(
    g: impl Fn([T; N]) -> T,
    x: [T; N],
    i: usize,
    p: &Precision,
) -> T {
    let at = |xi: T| {
        let mut y = x;
        y[i] = xi;
        g(y)
    };
    fd(at, x[i], step(x[i], p))
}

/// Directional derivative of `g` at `x` along `dir` (entries of size <= 1).
///
/// The step is not scaled by `|x|`: one step serves every coordinate, and the
/// largest coordinate's step would be too coarse for the smallest (e.g.
/// `0.3.log(10.0)`). The points are of moderate size, so the rounding error of
/// an unscaled step stays small.
fn fd_along<T: Real, const N: usize>(
    g: impl Fn([T; N]) -> T,
    x: [T; N],
    dir: [T; N],
    p: &Precision,
) -> T {
    let at = |s: T| {
        let mut y = x;
        for k in 0..N {
            y[k] += s * dir[k];
        }
        g(y)
    };
    fd(at, T::ZERO, step(T::ZERO, p))
}

/// Deterministic "random" numbers in `[-1, 1)` (splitmix64), for the
/// directions and cotangents of the dot-product tests.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn array<const N: usize>(&mut self) -> [f64; N] {
        core::array::from_fn(|_| self.next())
    }
}

fn dot<const N: usize>(u: [f64; N], v: [f64; N]) -> f64 {
    u.iter().zip(&v).map(|(a, b)| a * b).sum()
}

// ---------------------------------------------------------------------------
// Points inside each function's domain (away from kinks and singularities by
// much more than the finite-difference stencil's 2h)
// ---------------------------------------------------------------------------

fn unary_points(name: &str) -> &'static [f64] {
    match name {
        "sin" | "cos" | "tan" | "atan" | "sinh" | "cosh" | "tanh" | "asinh" | "exp" | "exp2"
        | "exp_m1" => &[-2.3, -0.7, 0.3, 1.1, 2.9],
        "asin" | "acos" | "atanh" => &[-0.8, -0.45, 0.1, 0.5, 0.75],
        "acosh" => &[1.2, 1.5, 2.5, 7.0],
        "ln" | "log2" | "log10" | "sqrt" => &[0.2, 0.9, 2.0, 13.5],
        "ln_1p" => &[-0.6, -0.2, 0.4, 3.0],
        "cbrt" | "recip" => &[-4.5, -0.7, 0.3, 1.1, 9.0],
        "abs" | "signum" | "to_degrees" | "to_radians" => &[-2.3, -0.7, 0.3, 1.1],
        // Away from the integers, where the value jumps.
        "fract" => &[-2.3, -0.7, 0.3, 1.4, 2.6],
        // A step of one unit in the last place, anywhere.
        "next_up" | "next_down" => &[-2.3, -0.7, 0.3, 1.1, 3.5],
        other => panic!("no domain points for the unary rule `{other}`: add them to unary_points"),
    }
}

fn binary_points(name: &str) -> &'static [(f64, f64)] {
    match name {
        // Away from the origin and from the branch cut a = 0, b < 0.
        "atan2" => &[
            (1.0, 2.0),
            (-0.7, 0.4),
            (0.5, -1.5),
            (-2.0, -0.3),
            (3.0, 0.1),
        ],
        // a > 0; b = 0 and b = 1 exercise the special cases of da and daa.
        "powf" => &[
            (2.0, 3.0),
            (0.5, -1.3),
            (3.7, 0.4),
            (1.3, 2.5),
            (0.8, 0.0),
            (1.7, 1.0),
        ],
        "hypot" => &[(3.0, 4.0), (-1.2, 0.5), (0.3, -2.0), (-1.0, -1.0)],
        // Away from ties.
        "max" | "min" => &[(1.0, 2.0), (2.0, 1.0), (-0.5, 0.3), (-3.0, -4.0)],
        // a > 0, base b > 0 and b != 1, on both sides of 1.
        "log" => &[(8.0, 2.0), (0.3, 10.0), (5.0, 0.5), (2.5, 3.7), (0.7, 0.2)],
        // Away from the jumps (a / b an integer) in a and in b, divisors and
        // dividends of either sign.
        "rem" => &[(7.5, 2.0), (-7.5, 2.0), (5.25, -1.5), (0.625, 1.25)],
        "rem_euclid" => &[(-7.5, 2.0), (7.5, -2.0), (-5.25, -1.5), (0.625, 1.25)],
        // Away from a = 0 (a kink) and b = 0 (a jump).
        "copysign" => &[(2.5, -1.0), (-2.5, -1.0), (-1.25, 0.5), (0.75, 3.0)],
        "midpoint" => &[(1.0, 4.0), (-2.5, 0.75), (0.3, -1.7)],
        other => {
            panic!("no domain points for the binary rule `{other}`: add them to binary_points")
        }
    }
}

const POWI_POINTS: &[f64] = &[-1.7, -0.4, 0.6, 2.2];
const POWI_EXPONENTS: &[i32] = &[-3, -1, 0, 1, 2, 5];
const MUL_ADD_POINTS: &[[f64; 3]] = &[[1.5, -2.0, 0.25], [-0.3, 0.7, -4.0], [3.0, 3.0, 1.0]];
/// `(x, lo, hi)` with `x` inside, below and above, no ties.
const CLAMP_POINTS: &[[f64; 3]] = &[
    [0.5, -1.0, 2.0],
    [-3.0, -1.0, 2.0],
    [5.0, -1.0, 2.0],
    [-0.2, -0.5, -0.1],
];
const MUL_DIV_POINTS: &[[f64; 2]] = &[[1.5, -2.0], [-0.3, 0.7], [4.0, 0.25]];

// ---------------------------------------------------------------------------
// Reference values (c), printed by mpmath (mp.dps = 50) as
// mp.diff(f, x, 1), mp.diff(f, x, 2) of the function itself; see the module
// doc. Points are dyadic, so exact in f32 too.
// ---------------------------------------------------------------------------

/// `(name, x, f'(x), f''(x))`.
#[rustfmt::skip]
const UNARY_REFS: &[(&str, f64, f64, f64)] = &[
    ("sin", 0.5, 0.8775825618903728, -0.479425538604203),        // cos, -sin
    ("sin", -1.25, 0.3153223623952687, 0.9489846193555862),
    ("cos", 0.5, -0.479425538604203, -0.8775825618903728),
    ("cos", -1.25, 0.9489846193555862, -0.3153223623952687),
    ("tan", 0.5, 1.2984464104095248, 1.4186890138709114),        // sec^2, 2 tan sec^2
    ("tan", -1.25, 10.057509621834829, -60.53755190491547),
    ("asin", 0.5, 1.1547005383792515, 0.769800358919501),        // 1/sqrt(0.75), 0.5/0.75^1.5
    ("asin", -0.75, 1.511857892036909, -2.5917563863489868),
    ("acos", 0.5, -1.1547005383792515, -0.769800358919501),
    ("acos", -0.75, -1.511857892036909, 2.5917563863489868),
    ("atan", 0.5, 0.8, -0.64),                                   // 1/1.25, -1/1.25^2
    ("atan", -1.25, 0.3902439024390244, 0.38072575847709694),
    ("sinh", 0.5, 1.1276259652063807, 0.5210953054937474),
    ("sinh", -1.25, 1.8884238771610158, -1.6019190803008256),
    ("cosh", 0.5, 0.5210953054937474, 1.1276259652063807),
    ("cosh", -1.25, -1.6019190803008256, 1.8884238771610158),
    ("tanh", 0.5, 0.7864477329659274, -0.7268619813835873),      // 1 - tanh^2, -2 tanh (1 - tanh^2)
    ("tanh", -1.25, 0.28041486618043265, 0.47574268676347253),
    ("asinh", 0.5, 0.8944271909999159, -0.35777087639996635),    // 1/sqrt(1.25), -0.5/1.25^1.5
    ("asinh", -1.25, 0.6246950475544243, 0.30472929148996303),
    ("acosh", 1.5, 0.8944271909999159, -1.0733126291998991),     // 1/sqrt(1.25), -1.5/1.25^1.5
    ("acosh", 3.0, 0.3535533905932738, -0.13258252147247765),
    ("atanh", 0.5, 1.3333333333333333, 1.7777777777777777),      // 4/3, 16/9
    ("atanh", -0.75, 2.2857142857142856, -7.836734693877551),
    ("exp", 0.5, 1.6487212707001282, 1.6487212707001282),
    ("exp", -1.25, 0.2865047968601901, 0.2865047968601901),
    ("exp2", 0.5, 0.9802581434685472, 0.6794631683661498),       // sqrt(2) ln 2, sqrt(2) ln^2 2
    ("exp2", -1.25, 0.2914324896880386, 0.2020056085508293),
    ("exp_m1", 0.5, 1.6487212707001282, 1.6487212707001282),
    ("exp_m1", -1.25, 0.2865047968601901, 0.2865047968601901),
    ("ln", 2.0, 0.5, -0.25),
    ("ln", 0.375, 2.6666666666666665, -7.111111111111111),       // 8/3, -64/9
    ("ln_1p", 0.5, 0.6666666666666666, -0.4444444444444444),
    ("ln_1p", -0.75, 4.0, -16.0),
    ("log2", 2.0, 0.7213475204444817, -0.36067376022224085),     // 1/(2 ln 2), -1/(4 ln 2)
    ("log2", 0.375, 3.847186775703902, -10.259164735210407),
    ("log10", 2.0, 0.2171472409516259, -0.10857362047581295),
    ("log10", 0.375, 1.1581186184086716, -3.0883163157564573),
    ("sqrt", 2.0, 0.3535533905932738, -0.08838834764831845),     // 1/(2 sqrt 2), -1/(8 sqrt 2)
    ("sqrt", 0.375, 0.816496580927726, -1.0886621079036347),
    ("cbrt", 2.0, 0.20998684164914552, -0.06999561388304851),
    ("cbrt", -0.375, 0.6409998090255148, 1.1395552160453597),
    ("recip", 2.0, -0.25, 0.25),
    ("recip", -0.375, -7.111111111111111, -37.925925925925924),  // -64/9, -1024/27
    ("abs", 0.5, 1.0, 0.0),
    ("abs", -1.25, -1.0, 0.0),
    ("signum", 0.5, 0.0, 0.0),
    ("signum", -1.25, 0.0, 0.0),
    // 180 / pi and pi / 180; fract = x - trunc(x) has derivative 1.
    ("to_degrees", 0.5, 57.29577951308232, 0.0),
    ("to_degrees", -1.25, 57.29577951308232, 0.0),
    ("to_radians", 0.5, 0.017453292519943295, 0.0),
    ("to_radians", -1.25, 0.017453292519943295, 0.0),
    ("fract", 2.25, 1.0, 0.0),
    ("fract", -1.75, 1.0, 0.0),
    // x plus or minus one unit in the last place: derivative 1.
    ("next_up", 0.5, 1.0, 0.0),
    ("next_up", -1.25, 1.0, 0.0),
    ("next_down", 0.5, 1.0, 0.0),
    ("next_down", -1.25, 1.0, 0.0),
];

/// `(name, a, b, [da, db], [daa, dab, dbb])`.
type BinaryRef = (&'static str, f64, f64, [f64; 2], [f64; 3]);

#[rustfmt::skip]
const BINARY_REFS: &[BinaryRef] = &[
    // atan2(1, 2): da = 2/5, db = -1/5, daa = -2ab/25, dab = (a^2-b^2)/25, dbb = 2ab/25
    ("atan2", 1.0, 2.0, [0.4, -0.2], [-0.16, -0.12, 0.16]),
    ("atan2", -0.75, -1.5, [-0.5333333333333333, 0.26666666666666666],
        [-0.28444444444444444, -0.21333333333333335, 0.28444444444444444]),
    // 2^3: da = 3*4, db = 8 ln 2, daa = 6*2, dab = 4 (1 + 3 ln 2), dbb = 8 ln^2 2
    ("powf", 2.0, 3.0, [12.0, 5.545177444479562], [12.0, 12.317766166719343, 3.8436241113456115]),
    ("powf", 0.5, -1.25, [-5.946035575013605, -1.6485911177319255],
        [26.757160087561225, 8.878306254340698, 1.142716285152053]),
    // hypot(3, 4) = 5: da = 3/5, db = 4/5, daa = 16/125, dab = -12/125, dbb = 9/125
    ("hypot", 3.0, 4.0, [0.6, 0.8], [0.128, -0.096, 0.072]),
    ("hypot", -1.25, 0.5, [-0.9284766908852593, 0.3713906763541037],
        [0.10245260037354585, 0.25613150093386466, 0.6403287523346616]),
    ("max", 1.0, 2.0, [0.0, 1.0], [0.0, 0.0, 0.0]),
    ("max", 2.0, -0.5, [1.0, 0.0], [0.0, 0.0, 0.0]),
    ("min", 1.0, 2.0, [1.0, 0.0], [0.0, 0.0, 0.0]),
    ("min", 2.0, -0.5, [0.0, 1.0], [0.0, 0.0, 0.0]),
    // log_2 8 = 3: da = 1/(8 ln 2), db = -3/(2 ln 2), ..., dbb = 3 (ln 2 + 2)/(4 ln^2 2)
    ("log", 8.0, 2.0, [0.18033688011112042, -2.1640425613334453],
        [-0.022542110013890053, -0.13008556131285048, 4.204074752175134]),
    ("log", 0.375, 10.0, [1.1581186184086716, 0.018499586988917533],
        [-3.0883163157564573, -0.05029645253643038, -0.003456812408246969]),
    ("log", 5.0, 0.5, [-0.28853900817779266, -6.699668295589512],
        [0.05770780163555854, -0.8325475924022431, -25.262976311412988]),
    // a % b = a - b trunc(a / b) (C's fmod; mpmath's own fmod is Python's
    // floored one): da = 1, db = -trunc(a / b), second partials 0.
    ("rem", 7.5, 2.0, [1.0, -3.0], [0.0, 0.0, 0.0]),
    ("rem", -7.5, 2.0, [1.0, 3.0], [0.0, 0.0, 0.0]),
    ("rem", 5.25, -1.5, [1.0, 3.0], [0.0, 0.0, 0.0]),
    ("rem", 0.625, 1.25, [1.0, 0.0], [0.0, 0.0, 0.0]),
    // a.rem_euclid(b) = a - b a.div_euclid(b): db = -a.div_euclid(b).
    ("rem_euclid", -7.5, 2.0, [1.0, 4.0], [0.0, 0.0, 0.0]),
    ("rem_euclid", 7.5, -2.0, [1.0, 3.0], [0.0, 0.0, 0.0]),
    ("rem_euclid", -5.25, -1.5, [1.0, -4.0], [0.0, 0.0, 0.0]),
    ("rem_euclid", 0.625, 1.25, [1.0, 0.0], [0.0, 0.0, 0.0]),
    // copysign: da = sign(a) sign(b), db = 0.
    ("copysign", 2.5, -1.0, [-1.0, 0.0], [0.0, 0.0, 0.0]),
    ("copysign", -2.5, -1.0, [1.0, 0.0], [0.0, 0.0, 0.0]),
    ("copysign", -1.25, 0.5, [-1.0, 0.0], [0.0, 0.0, 0.0]),
    // midpoint: (a + b) / 2.
    ("midpoint", 1.0, 4.0, [0.5, 0.5], [0.0, 0.0, 0.0]),
    ("midpoint", -2.5, 0.75, [0.5, 0.5], [0.0, 0.0, 0.0]),
];

/// `(x, n, d/dx x^n, d^2/dx^2 x^n)`.
#[rustfmt::skip]
const POWI_REFS: &[(f64, i32, f64, f64)] = &[
    (1.5, 3, 6.75, 9.0),                                  // 3 x^2, 6 x
    (-0.75, -2, 4.7407407407407405, 18.962962962962962),  // -2 x^-3 = 128/27, 6 x^-4 = 512/27
    (2.0, 0, 0.0, 0.0),
    (2.0, 1, 1.0, 0.0),
    (-1.25, 5, 12.20703125, -39.0625),                    // 5 x^4, 20 x^3
];

// ---------------------------------------------------------------------------
// (a) JVP against finite differences
// ---------------------------------------------------------------------------

/// `d1(x, f(x))` against a finite difference of `f`.
fn unary_first<T: Real>(p: &Precision) {
    let mut c = Checks::new("unary d1 vs finite differences of f", p);
    for r in unary_rules::<T>() {
        for &x0 in unary_points(r.name) {
            let x = real::<T>(x0);
            let rule = (r.d1)(x, (r.f)(x));
            let numeric = fd(r.f, x, step(x, p));
            c.near(rule, numeric, p.fd_tol, || format!("{}'({x0})", r.name));
        }
    }
    c.finish();
}

/// `d2(x, f(x))` against a finite difference of `x -> d1(x, f(x))`.
fn unary_second<T: Real>(p: &Precision) {
    let mut c = Checks::new("unary d2 vs finite differences of d1", p);
    for r in unary_rules::<T>() {
        let d1 = |x: T| (r.d1)(x, (r.f)(x));
        for &x0 in unary_points(r.name) {
            let x = real::<T>(x0);
            let rule = (r.d2)(x, (r.f)(x));
            let numeric = fd(d1, x, step(x, p));
            c.near(rule, numeric, p.fd_tol, || format!("{}''({x0})", r.name));
        }
    }
    c.finish();
}

/// The function of a binary rule at `[a, b]`.
fn value<T: Real>(r: &BinaryRule<T>, v: [T; 2]) -> T {
    (r.f)(v[0], v[1])
}

/// The first partial `k` (0: `da`, 1: `db`) of a binary rule at `[a, b]`.
fn partial<T: Real>(r: &BinaryRule<T>, k: usize, v: [T; 2]) -> T {
    (r.d[k])(v[0], v[1], value(r, v))
}

const ARG: [&str; 2] = ["a", "b"];

/// `da`, `db` against finite differences of `f` in `a` resp. `b`.
fn binary_first<T: Real>(p: &Precision) {
    let mut c = Checks::new("binary first partials vs finite differences of f", p);
    for r in binary_rules::<T>() {
        for &(a, b) in binary_points(r.name) {
            let x = [real::<T>(a), real::<T>(b)];
            for (i, arg) in ARG.iter().enumerate() {
                let numeric = fd_partial(|v| value(&r, v), x, i, p);
                c.near(partial(&r, i, x), numeric, p.fd_tol, || {
                    format!("{}: d{arg} at (a, b) = ({a}, {b})", r.name)
                });
            }
        }
    }
    c.finish();
}

/// `daa`, `dab`, `dbb` against finite differences of `da`, `db`; `dab` both as
/// `d/db da` and as `d/da db`.
fn binary_second<T: Real>(p: &Precision) {
    let mut c = Checks::new(
        "binary second partials vs finite differences of the first",
        p,
    );
    for r in binary_rules::<T>() {
        for &(a, b) in binary_points(r.name) {
            let x = [real::<T>(a), real::<T>(b)];
            let z = (r.f)(x[0], x[1]);
            let dd = |k: usize| (r.dd[k])(x[0], x[1], z);
            // (second partial index in dd, differentiated first partial, direction)
            for (k, of, by) in [(0, 0, 0), (1, 0, 1), (1, 1, 0), (2, 1, 1)] {
                let numeric = fd_partial(|v| partial(&r, of, v), x, by, p);
                c.near(dd(k), numeric, p.fd_tol, || {
                    let name = ["daa", "dab", "dbb"][k];
                    format!(
                        "{}: {name} vs d/d{} of d{} at ({a}, {b})",
                        r.name, ARG[by], ARG[of]
                    )
                });
            }
        }
    }
    c.finish();
}

#[test]
fn unary_first_derivatives_match_finite_differences() {
    unary_first::<f64>(&F64);
}

#[test]
fn unary_second_derivatives_match_finite_differences_of_first() {
    unary_second::<f64>(&F64);
}

#[test]
fn binary_first_partials_match_finite_differences() {
    binary_first::<f64>(&F64);
}

#[test]
fn binary_second_partials_match_finite_differences_of_first_both_ways() {
    binary_second::<f64>(&F64);
}

#[test]
fn powi_matches_finite_differences() {
    let p = &F64;
    let mut c = Checks::new("powi vs finite differences", p);
    for &n in POWI_EXPONENTS {
        for &x in POWI_POINTS {
            let f = |x: f64| powi::f(x, n);
            let da = |x: f64| powi::da(x, n, powi::f(x, n));
            let h = step(x, p);
            c.near(da(x), fd(f, x, h), p.fd_tol, || {
                format!("powi: da at x = {x}, n = {n}")
            });
            let daa = powi::daa(x, n, powi::f(x, n));
            c.near(daa, fd(da, x, h), p.fd_tol, || {
                format!("powi: daa at x = {x}, n = {n}")
            });
        }
    }
    c.finish();
}

/// `mul_add` as a function of `[a, b, c]`, its first partials and its second
/// partials (`dab` from the rule, every other one 0).
fn mul_add_parts(v: [f64; 3]) -> (f64, [f64; 3]) {
    let z = mul_add::f(v[0], v[1], v[2]);
    let d = [
        mul_add::da(v[0], v[1], v[2], z),
        mul_add::db(v[0], v[1], v[2], z),
        mul_add::dc(v[0], v[1], v[2], z),
    ];
    (z, d)
}

fn mul_add_hessian(v: [f64; 3]) -> [[f64; 3]; 3] {
    let z = mul_add::f(v[0], v[1], v[2]);
    let dab = mul_add::dab(v[0], v[1], v[2], z);
    [[0.0, dab, 0.0], [dab, 0.0, 0.0], [0.0, 0.0, 0.0]]
}

const ARG3: [&str; 3] = ["a", "b", "c"];

#[test]
fn mul_add_matches_finite_differences() {
    let p = &F64;
    let mut c = Checks::new("mul_add vs finite differences", p);
    for &x in MUL_ADD_POINTS {
        let f = |v: [f64; 3]| mul_add_parts(v).0;
        let (_, d) = mul_add_parts(x);
        let hess = mul_add_hessian(x);
        for i in 0..3 {
            c.near(d[i], fd_partial(f, x, i, p), p.fd_tol, || {
                format!("mul_add: d{} at {x:?}", ARG3[i])
            });
            // Every second partial, dab both ways: d/dj of d_i.
            for j in 0..3 {
                let numeric = fd_partial(|v| mul_add_parts(v).1[i], x, j, p);
                c.near(hess[i][j], numeric, p.fd_tol, || {
                    format!("mul_add: d/d{} of d{} at {x:?}", ARG3[j], ARG3[i])
                });
            }
        }
    }
    c.finish();
}

fn clamp_partials(v: [f64; 3]) -> [f64; 3] {
    let z = clamp::f(v[0], v[1], v[2]);
    [
        clamp::da(v[0], v[1], v[2], z),
        clamp::db(v[0], v[1], v[2], z),
        clamp::dc(v[0], v[1], v[2], z),
    ]
}

const CLAMP_ARG: [&str; 3] = ["x", "lo", "hi"];

#[test]
fn clamp_matches_finite_differences() {
    let p = &F64;
    let mut c = Checks::new("clamp vs finite differences", p);
    for &x in CLAMP_POINTS {
        let f = |v: [f64; 3]| clamp::f(v[0], v[1], v[2]);
        let d = clamp_partials(x);
        for i in 0..3 {
            c.near(d[i], fd_partial(f, x, i, p), p.fd_tol, || {
                format!("clamp: d{} at (x, lo, hi) = {x:?}", CLAMP_ARG[i])
            });
        }
    }
    c.finish();
}

#[test]
fn mul_and_div_vjps_match_finite_differences() {
    let p = &F64;
    let mut c = Checks::new("mul/div VJPs with unit cotangent vs finite differences", p);
    for &[a, b] in MUL_DIV_POINTS {
        let x = [a, b];
        let prod = |v: [f64; 2]| v[0] * v[1];
        let quot = |v: [f64; 2]| v[0] / v[1];
        let z = a / b;
        let cases = [
            (
                "mul::vjp_a",
                mul::vjp_a(&a, &b, &1.0),
                fd_partial(prod, x, 0, p),
            ),
            (
                "mul::vjp_b",
                mul::vjp_b(&a, &b, &1.0),
                fd_partial(prod, x, 1, p),
            ),
            (
                "div::vjp_a",
                div::vjp_a(&a, &b, &1.0),
                fd_partial(quot, x, 0, p),
            ),
            (
                "div::vjp_b",
                div::vjp_b(&a, &b, &z, &1.0),
                fd_partial(quot, x, 1, p),
            ),
        ];
        for (name, rule, numeric) in cases {
            c.near(rule, numeric, p.fd_tol, || {
                format!("{name} at (a, b) = ({a}, {b})")
            });
        }
    }
    c.finish();
}

// ---------------------------------------------------------------------------
// (b) VJP by the dot-product identity <J t, c> = <t, J^T c>
// ---------------------------------------------------------------------------

/// Number of random (tangent, cotangent) pairs per point.
const PAIRS: usize = 3;

#[test]
fn unary_vjp_dot_product_identity() {
    let p = &F64;
    let mut c = Checks::new("unary <J t, c> = <t, J^T c>", p);
    let mut rng = Random(1);
    for r in unary_rules::<f64>() {
        let d1 = |x: f64| (r.d1)(x, (r.f)(x));
        for &x in unary_points(r.name) {
            let y = (r.f)(x);
            for _ in 0..PAIRS {
                let (tx, yb) = (rng.next(), rng.next());
                // Forward: J t measured along t. Reverse: x_bar = y_bar * d1.
                let jt = fd_along(|v: [f64; 1]| (r.f)(v[0]), [x], [tx], p);
                let x_bar = yb * (r.d1)(x, y);
                c.near(tx * x_bar, jt * yb, p.fd_tol, || {
                    format!("{}: first order at x = {x}, t = {tx}, c = {yb}", r.name)
                });
                // Second order: the reverse sweep x_bar = y_bar * d1(x) is
                // linearised in x by d2.
                let ht = fd_along(|v: [f64; 1]| d1(v[0]), [x], [tx], p);
                let x_bar2 = yb * (r.d2)(x, y);
                c.near(tx * x_bar2, ht * yb, p.fd_tol, || {
                    format!("{}: second order at x = {x}, t = {tx}, c = {yb}", r.name)
                });
            }
        }
    }
    c.finish();
}

#[test]
fn binary_vjp_dot_product_identity() {
    let p = &F64;
    let mut c = Checks::new("binary <J t, c> = <t, J^T c>", p);
    let mut rng = Random(2);
    for r in binary_rules::<f64>() {
        for &(a, b) in binary_points(r.name) {
            let x = [a, b];
            let z = value(&r, x);
            for _ in 0..PAIRS {
                // First order: J = [da, db], J^T c = (c da, c db).
                let (tv, cz) = (rng.array::<2>(), rng.next());
                let jt = fd_along(|v| value(&r, v), x, tv, p);
                let jtc = [cz * (r.d[0])(a, b, z), cz * (r.d[1])(a, b, z)];
                c.near(dot(tv, jtc), jt * cz, p.fd_tol, || {
                    format!(
                        "{}: first order at ({a}, {b}), t = {tv:?}, c = {cz}",
                        r.name
                    )
                });
                // Second order: the map (a, b) -> (da, db) has the symmetric
                // Jacobian H = [[daa, dab], [dab, dbb]]; H^T c as forward over
                // reverse computes it.
                let cv = rng.array::<2>();
                let ht = [
                    fd_along(|v| partial(&r, 0, v), x, tv, p),
                    fd_along(|v| partial(&r, 1, v), x, tv, p),
                ];
                let [daa, dab, dbb] = r.dd.map(|g| g(a, b, z));
                let htc = [daa * cv[0] + dab * cv[1], dab * cv[0] + dbb * cv[1]];
                c.near(dot(tv, htc), dot(ht, cv), p.fd_tol, || {
                    format!(
                        "{}: second order at ({a}, {b}), t = {tv:?}, c = {cv:?}",
                        r.name
                    )
                });
            }
        }
    }
    c.finish();
}

#[test]
fn powi_mul_add_clamp_vjp_dot_product_identity() {
    let p = &F64;
    let mut c = Checks::new("powi/mul_add/clamp <J t, c> = <t, J^T c>", p);
    let mut rng = Random(3);
    for _ in 0..PAIRS {
        for &n in POWI_EXPONENTS {
            for &x in POWI_POINTS {
                let (tx, cy) = (rng.next(), rng.next());
                let jt = fd_along(|v: [f64; 1]| powi::f(v[0], n), [x], [tx], p);
                let x_bar = cy * powi::da(x, n, powi::f(x, n));
                c.near(tx * x_bar, jt * cy, p.fd_tol, || {
                    format!("powi: first order at x = {x}, n = {n}, t = {tx}, c = {cy}")
                });
                let ht = fd_along(
                    |v: [f64; 1]| powi::da(v[0], n, powi::f(v[0], n)),
                    [x],
                    [tx],
                    p,
                );
                let x_bar2 = cy * powi::daa(x, n, powi::f(x, n));
                c.near(tx * x_bar2, ht * cy, p.fd_tol, || {
                    format!("powi: second order at x = {x}, n = {n}, t = {tx}, c = {cy}")
                });
            }
        }
        for &x in MUL_ADD_POINTS {
            let (tv, cz) = (rng.array::<3>(), rng.next());
            let jt = fd_along(|v| mul_add_parts(v).0, x, tv, p);
            let jtc = mul_add_parts(x).1.map(|d| cz * d);
            c.near(dot(tv, jtc), jt * cz, p.fd_tol, || {
                format!("mul_add: first order at {x:?}, t = {tv:?}, c = {cz}")
            });
            let cv = rng.array::<3>();
            let hess = mul_add_hessian(x);
            let htc = hess.map(|row| dot(row, cv));
            let ht: [f64; 3] =
                core::array::from_fn(|i| fd_along(|v| mul_add_parts(v).1[i], x, tv, p));
            c.near(dot(tv, htc), dot(ht, cv), p.fd_tol, || {
                format!("mul_add: second order at {x:?}, t = {tv:?}, c = {cv:?}")
            });
        }
        for &x in CLAMP_POINTS {
            let (tv, cz) = (rng.array::<3>(), rng.next());
            let jt = fd_along(|v| clamp::f(v[0], v[1], v[2]), x, tv, p);
            let jtc = clamp_partials(x).map(|d| cz * d);
            c.near(dot(tv, jtc), jt * cz, p.fd_tol, || {
                format!("clamp: first order at {x:?}, t = {tv:?}, c = {cz}")
            });
        }
    }
    c.finish();
}

#[test]
fn mul_and_div_vjp_dot_product_identity() {
    let p = &F64;
    let mut c = Checks::new("mul/div <J t, c> = <t, J^T c>", p);
    let mut rng = Random(4);
    for &[a, b] in MUL_DIV_POINTS {
        for _ in 0..PAIRS {
            let ([ta, tb], cz) = (rng.array::<2>(), rng.next());
            // The forward tangents generated code uses ...
            let z = a / b;
            let dprod = ta * b + a * tb;
            let dquot = (ta - z * tb) / b;
            // ... are right (so the identity below tests the VJPs) ...
            let fd_prod = fd_along(|v| v[0] * v[1], [a, b], [ta, tb], p);
            let fd_quot = fd_along(|v| v[0] / v[1], [a, b], [ta, tb], p);
            c.near(dprod, fd_prod, p.fd_tol, || {
                format!("mul: forward tangent at ({a}, {b}), t = ({ta}, {tb})")
            });
            c.near(dquot, fd_quot, p.fd_tol, || {
                format!("div: forward tangent at ({a}, {b}), t = ({ta}, {tb})")
            });
            // ... and the reverse rules are their transposes.
            let mul_bar = [mul::vjp_a(&a, &b, &cz), mul::vjp_b(&a, &b, &cz)];
            c.near(dot([ta, tb], mul_bar), dprod * cz, 1e-14, || {
                format!("mul: <t, J^T c> vs <J t, c> at ({a}, {b}), t = ({ta}, {tb}), c = {cz}")
            });
            let div_bar = [div::vjp_a(&a, &b, &cz), div::vjp_b(&a, &b, &z, &cz)];
            c.near(dot([ta, tb], div_bar), dquot * cz, 1e-14, || {
                format!("div: <t, J^T c> vs <J t, c> at ({a}, {b}), t = ({ta}, {tb}), c = {cz}")
            });
        }
    }
    c.finish();
}

// ---------------------------------------------------------------------------
// (c) Values against references
// ---------------------------------------------------------------------------

fn find_unary<T: Real>(name: &str) -> UnaryRule<T> {
    unary_rules::<T>()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("reference table names `{name}`, which is not a unary rule"))
}

fn find_binary<T: Real>(name: &str) -> BinaryRule<T> {
    binary_rules::<T>()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("reference table names `{name}`, which is not a binary rule"))
}

fn unary_refs<T: Real>(p: &Precision) {
    let mut c = Checks::new("unary rules vs reference values", p);
    for &(name, x0, d1, d2) in UNARY_REFS {
        let r = find_unary::<T>(name);
        let x = real::<T>(x0);
        let y = (r.f)(x);
        c.near_rel((r.d1)(x, y), d1, p.ref_tol, || format!("{name}'({x0})"));
        c.near_rel((r.d2)(x, y), d2, p.ref_tol, || format!("{name}''({x0})"));
    }
    c.finish();
}

fn binary_refs<T: Real>(p: &Precision) {
    let mut c = Checks::new("binary rules vs reference values", p);
    for &(name, a0, b0, d, dd) in BINARY_REFS {
        let r = find_binary::<T>(name);
        let (a, b) = (real::<T>(a0), real::<T>(b0));
        let z = (r.f)(a, b);
        for (k, label) in ["da", "db"].into_iter().enumerate() {
            c.near_rel((r.d[k])(a, b, z), d[k], p.ref_tol, || {
                format!("{name}: {label} at ({a0}, {b0})")
            });
        }
        for (k, label) in ["daa", "dab", "dbb"].into_iter().enumerate() {
            c.near_rel((r.dd[k])(a, b, z), dd[k], p.ref_tol, || {
                format!("{name}: {label} at ({a0}, {b0})")
            });
        }
    }
    c.finish();
}

/// `powi`, `mul_add`, `clamp`, `mul`, `div` against hand-computed values.
fn other_refs<T>(p: &Precision)
where
    T: Real + MulRule<T, Output = T> + DivRule<T, Output = T>,
{
    let mut c = Checks::new("powi/mul_add/clamp/mul/div vs reference values", p);
    for &(x0, n, da, daa) in POWI_REFS {
        let x = real::<T>(x0);
        let y = powi::f(x, n);
        c.near_rel(powi::da(x, n, y), da, p.ref_tol, || {
            format!("powi: da at x = {x0}, n = {n}")
        });
        c.near_rel(powi::daa(x, n, y), daa, p.ref_tol, || {
            format!("powi: daa at x = {x0}, n = {n}")
        });
    }
    // 1.5 * -2 + 0.25: da = b, db = a, dc = 1, dab = 1.
    let (a, b, cc) = (real::<T>(1.5), real::<T>(-2.0), real::<T>(0.25));
    let z = mul_add::f(a, b, cc);
    c.near_rel(z, -2.75, p.ref_tol, || {
        "mul_add: value at (1.5, -2, 0.25)".into()
    });
    for (name, got, want) in [
        ("da", mul_add::da(a, b, cc, z), -2.0),
        ("db", mul_add::db(a, b, cc, z), 1.5),
        ("dc", mul_add::dc(a, b, cc, z), 1.0),
        ("dab", mul_add::dab(a, b, cc, z), 1.0),
    ] {
        c.near_rel(got, want, p.ref_tol, || {
            format!("mul_add: {name} at (1.5, -2, 0.25)")
        });
    }
    // clamp(x, -1, 2) inside, below, above.
    for (x0, want) in [
        (0.5, [1.0, 0.0, 0.0]),
        (-3.0, [0.0, 1.0, 0.0]),
        (5.0, [0.0, 0.0, 1.0]),
    ] {
        let (x, lo, hi) = (real::<T>(x0), real::<T>(-1.0), real::<T>(2.0));
        let z = clamp::f(x, lo, hi);
        let got = [
            clamp::da(x, lo, hi, z),
            clamp::db(x, lo, hi, z),
            clamp::dc(x, lo, hi, z),
        ];
        for k in 0..3 {
            c.near_rel(got[k], want[k], p.ref_tol, || {
                format!("clamp: d{} at (x, lo, hi) = ({x0}, -1, 2)", CLAMP_ARG[k])
            });
        }
    }
    // c = a * b with a = 1.5, b = -2, c_bar = 0.75: a_bar = -1.5, b_bar = 1.125.
    // z = a / b = -0.75, z_bar = 0.5: a_bar = 0.5 / -2 = -0.25,
    // b_bar = -a / b^2 * z_bar = -0.375 * 0.5 = -0.1875.
    let (a, b) = (real::<T>(1.5), real::<T>(-2.0));
    let z = a / b;
    for (name, got, want) in [
        ("mul::vjp_a", mul::vjp_a(&a, &b, &real::<T>(0.75)), -1.5),
        ("mul::vjp_b", mul::vjp_b(&a, &b, &real::<T>(0.75)), 1.125),
        ("div::vjp_a", div::vjp_a(&a, &b, &real::<T>(0.5)), -0.25),
        (
            "div::vjp_b",
            div::vjp_b(&a, &b, &z, &real::<T>(0.5)),
            -0.1875,
        ),
    ] {
        c.near_rel(got, want, p.ref_tol, || format!("{name} at (1.5, -2)"));
    }
    c.finish();
}

#[test]
fn unary_rules_match_reference_values() {
    unary_refs::<f64>(&F64);
}

#[test]
fn binary_rules_match_reference_values() {
    binary_refs::<f64>(&F64);
}

#[test]
fn powi_mul_add_clamp_mul_div_match_reference_values() {
    other_refs::<f64>(&F64);
}

/// The tables above must cover every rule: a new rule without domain points or
/// references fails here.
#[test]
fn every_rule_has_domain_points_and_references() {
    let unary = unary_rules::<f64>();
    assert!(unary.len() >= 24, "only {} unary rules", unary.len());
    for r in &unary {
        assert!(!unary_points(r.name).is_empty(), "no points for {}", r.name);
        assert!(
            UNARY_REFS.iter().any(|e| e.0 == r.name),
            "no reference value for the unary rule `{}`",
            r.name
        );
    }
    for e in UNARY_REFS {
        find_unary::<f64>(e.0);
    }
    let binary = binary_rules::<f64>();
    assert!(binary.len() >= 6, "only {} binary rules", binary.len());
    for r in &binary {
        assert!(
            !binary_points(r.name).is_empty(),
            "no points for {}",
            r.name
        );
        assert!(
            BINARY_REFS.iter().any(|e| e.0 == r.name),
            "no reference value for the binary rule `{}`",
            r.name
        );
    }
    for e in BINARY_REFS {
        find_binary::<f64>(e.0);
    }
    // The names are those of the methods, unique.
    let mut names: Vec<&str> = unary
        .iter()
        .map(|r| r.name)
        .chain(binary.iter().map(|r| r.name))
        .collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate rule names");
}

// ---------------------------------------------------------------------------
// Conventions at non-differentiable points (documented in scalar/mod.rs)
// ---------------------------------------------------------------------------

#[test]
fn abs_derivative_is_zero_at_zero() {
    let mut c = Checks::new("abs'(0) = 0", &F64);
    for x in [0.0f64, -0.0] {
        c.exact(ad_runtime::abs::d1(x, x.abs()), 0.0, || {
            format!("abs'({x:?})")
        });
        c.exact(ad_runtime::abs::d2(x, x.abs()), 0.0, || {
            format!("abs''({x:?})")
        });
    }
    // And the sign elsewhere, however small.
    for (x, want) in [
        (1e-300, 1.0),
        (-1e-300, -1.0),
        (f64::INFINITY, 1.0),
        (-7.0, -1.0),
    ] {
        c.exact(ad_runtime::abs::d1(x, x.abs()), want, || {
            format!("abs'({x:e})")
        });
    }
    c.finish();
}

#[test]
fn signum_derivative_is_zero_everywhere() {
    let mut c = Checks::new("signum' = 0", &F64);
    for x in [
        0.0,
        -0.0,
        1e-300,
        -2.5,
        7.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let y = x.signum();
        c.exact(ad_runtime::signum::d1(x, y), 0.0, || {
            format!("signum'({x:e})")
        });
        c.exact(ad_runtime::signum::d2(x, y), 0.0, || {
            format!("signum''({x:e})")
        });
    }
    c.finish();
}

#[test]
fn max_and_min_split_ties_evenly() {
    let mut c = Checks::new("max/min ties give 1/2 each", &F64);
    for (a, b) in [
        (1.5, 1.5),
        (-2.0, -2.0),
        (0.0, 0.0),
        (0.0, -0.0),
        (-0.0, 0.0),
    ] {
        for r in [find_binary::<f64>("max"), find_binary::<f64>("min")] {
            let z = (r.f)(a, b);
            for (k, arg) in ARG.iter().enumerate() {
                c.exact((r.d[k])(a, b, z), 0.5, || {
                    format!("{}: d{arg} at the tie ({a:?}, {b:?})", r.name)
                });
            }
        }
    }
    // Away from ties the weights are 0 and 1, and always sum to 1.
    let mut rng = Random(5);
    for _ in 0..20 {
        let (a, b) = (rng.next(), rng.next());
        let (zmax, zmin) = (max::f(a, b), min::f(a, b));
        let (wmax, wmin) = (
            (max::da(a, b, zmax), max::db(a, b, zmax)),
            (min::da(a, b, zmin), min::db(a, b, zmin)),
        );
        let want_max = if a > b { (1.0, 0.0) } else { (0.0, 1.0) };
        c.exact(wmax.0, want_max.0, || format!("max: da at ({a}, {b})"));
        c.exact(wmax.1, want_max.1, || format!("max: db at ({a}, {b})"));
        c.exact(wmin.0, want_max.1, || format!("min: da at ({a}, {b})"));
        c.exact(wmin.1, want_max.0, || format!("min: db at ({a}, {b})"));
    }
    c.finish();
}

#[test]
fn max_and_min_send_the_derivative_to_the_non_nan_argument() {
    let mut c = Checks::new("max/min with a NaN argument", &F64);
    let nan = f64::NAN;
    for x in [2.0, -3.0, 0.0] {
        // The function returns the other argument ...
        c.exact(max::f(nan, x), x, || format!("max(NaN, {x})"));
        c.exact(max::f(x, nan), x, || format!("max({x}, NaN)"));
        c.exact(min::f(nan, x), x, || format!("min(NaN, {x})"));
        c.exact(min::f(x, nan), x, || format!("min({x}, NaN)"));
        // ... and the derivative goes to it.
        let z = x;
        c.exact(max::da(nan, x, z), 0.0, || format!("max: da at (NaN, {x})"));
        c.exact(max::db(nan, x, z), 1.0, || format!("max: db at (NaN, {x})"));
        c.exact(max::da(x, nan, z), 1.0, || format!("max: da at ({x}, NaN)"));
        c.exact(max::db(x, nan, z), 0.0, || format!("max: db at ({x}, NaN)"));
        c.exact(min::da(nan, x, z), 0.0, || format!("min: da at (NaN, {x})"));
        c.exact(min::db(nan, x, z), 1.0, || format!("min: db at (NaN, {x})"));
        c.exact(min::da(x, nan, z), 1.0, || format!("min: da at ({x}, NaN)"));
        c.exact(min::db(x, nan, z), 0.0, || format!("min: db at ({x}, NaN)"));
    }
    c.finish();
}

#[test]
fn clamp_is_differentiated_as_max_then_min() {
    let mut c = Checks::new("clamp(x, lo, hi) as x.max(lo).min(hi)", &F64);
    let grid = [-1.0f64, 0.0, 0.5, 1.0, 2.0];
    for &x in &grid {
        for &lo in &grid {
            for &hi in grid.iter().filter(|&&hi| hi >= lo) {
                let z = clamp::f(x, lo, hi);
                c.exact(z, x.max(lo).min(hi), || {
                    format!("clamp value at ({x}, {lo}, {hi})")
                });
                // Chain rule through the max and min rules: m = x.max(lo), z = m.min(hi).
                let m = max::f(x, lo);
                let (dm_dx, dm_dlo) = (max::da(x, lo, m), max::db(x, lo, m));
                let (dz_dm, dz_dhi) = (min::da(m, hi, z), min::db(m, hi, z));
                let want = [dz_dm * dm_dx, dz_dm * dm_dlo, dz_dhi];
                let got = clamp_partials([x, lo, hi]);
                for k in 0..3 {
                    c.exact(got[k], want[k], || {
                        format!("clamp: d{} at ({x}, {lo}, {hi})", CLAMP_ARG[k])
                    });
                }
                // clamp(x + s, lo + s, hi + s) = clamp(x, lo, hi) + s: the partials sum to 1.
                c.exact(got.iter().sum::<f64>(), 1.0, || {
                    format!("clamp: sum of partials at ({x}, {lo}, {hi})")
                });
            }
        }
    }
    // The tie cases spelled out.
    for (v, want) in [
        ([0.5, 0.5, 2.0], [0.5, 0.5, 0.0]),   // x == lo < hi
        ([2.0, 0.5, 2.0], [0.5, 0.0, 0.5]),   // lo < x == hi
        ([1.0, 1.0, 1.0], [0.25, 0.25, 0.5]), // x == lo == hi: max tie, then min tie
        ([3.0, 1.0, 1.0], [0.0, 0.0, 1.0]),   // lo == hi < x
        ([0.0, 1.0, 1.0], [0.0, 0.5, 0.5]),   // x < lo == hi
    ] {
        let got = clamp_partials(v);
        for k in 0..3 {
            c.exact(got[k], want[k], || {
                format!("clamp: d{} at {v:?}", CLAMP_ARG[k])
            });
        }
    }
    c.finish();
}

#[test]
fn powf_partials_on_the_axes() {
    let mut c = Checks::new("powf at a == 0 and b == 0", &F64);
    // The partial in b is 0 where a == 0 (naively z ln 0 = 0 * -inf = NaN),
    // and so are the second partials involving b.
    for b in [2.0, 0.5, 1.0, 0.0, -1.0] {
        let (a, z) = (0.0, powf::f(0.0, b));
        c.exact(powf::db(a, b, z), 0.0, || format!("powf: db at (0, {b})"));
        c.exact(powf::dab(a, b, z), 0.0, || format!("powf: dab at (0, {b})"));
        c.exact(powf::dbb(a, b, z), 0.0, || format!("powf: dbb at (0, {b})"));
    }
    // The partial in a is 0 where b == 0, for every a (a^0 = 1 is constant).
    for a in [0.0, 2.0, -3.0, 0.5, f64::INFINITY] {
        let (b, z) = (0.0, powf::f(a, 0.0));
        c.exact(z, 1.0, || format!("powf value at ({a}, 0)"));
        c.exact(powf::da(a, b, z), 0.0, || format!("powf: da at ({a}, 0)"));
        c.exact(powf::daa(a, b, z), 0.0, || format!("powf: daa at ({a}, 0)"));
    }
    // daa vanishes at b == 1 even at a == 0 (naively 1 * 0 * 0^-1 = NaN).
    for a in [0.0, 2.0, -3.0] {
        c.exact(powf::daa(a, 1.0, a), 0.0, || {
            format!("powf: daa at ({a}, 1)")
        });
    }
    // Elsewhere on the a axis the ordinary formula holds: d/da a^b at 0.
    c.exact(powf::da(0.0, 1.0, 0.0), 1.0, || "powf: da at (0, 1)".into());
    c.exact(powf::da(0.0, 2.0, 0.0), 0.0, || "powf: da at (0, 2)".into());
    c.exact(powf::daa(0.0, 2.0, 0.0), 2.0, || {
        "powf: daa at (0, 2)".into()
    });
    // Negative base with an integer exponent: the partial in a is fine.
    c.exact(powf::da(-2.0, 3.0, -8.0), 12.0, || {
        "powf: da at (-2, 3)".into()
    });
    c.finish();
}

#[test]
fn singular_points_follow_ieee() {
    let mut c = Checks::new("IEEE values at singular points", &F64);
    let inf = f64::INFINITY;
    c.exact(ad_runtime::sqrt::d1(0.0, 0.0), inf, || "sqrt'(0)".into());
    c.exact(ad_runtime::sqrt::d2(0.0, 0.0), -inf, || "sqrt''(0)".into());
    c.exact(ad_runtime::ln::d1(0.0, -inf), inf, || "ln'(0)".into());
    c.exact(ad_runtime::ln::d2(0.0, -inf), -inf, || "ln''(0)".into());
    c.exact(ad_runtime::cbrt::d1(0.0, 0.0), inf, || "cbrt'(0)".into());
    c.exact(ad_runtime::recip::d1(0.0, inf), -inf, || "recip'(0)".into());
    c.exact(ad_runtime::asin::d1(1.0, 1.0f64.asin()), inf, || {
        "asin'(1)".into()
    });
    c.record(ad_runtime::sqrt::d1(-1.0, f64::NAN).is_nan(), || {
        "sqrt'(-1) should be NaN".into()
    });
    c.finish();
}

// ---------------------------------------------------------------------------
// f32: the same generic rules, looser tolerances
// ---------------------------------------------------------------------------

#[test]
fn f32_unary_rules_match_finite_differences() {
    unary_first::<f32>(&F32);
    unary_second::<f32>(&F32);
}

#[test]
fn f32_binary_rules_match_finite_differences() {
    binary_first::<f32>(&F32);
    binary_second::<f32>(&F32);
}

#[test]
fn f32_rules_match_reference_values() {
    unary_refs::<f32>(&F32);
    binary_refs::<f32>(&F32);
    other_refs::<f32>(&F32);
}

#[test]
fn powi_partials_do_not_overflow_the_exponent() {
    // n - 1 and n - 2 overflow i32 at i32::MIN: the rules must not panic.
    let x = 1.0000001f64;
    let y = x.powi(i32::MIN);
    let d = powi::da(x, i32::MIN, y);
    let expected = f64::from(i32::MIN) * x.powf(f64::from(i32::MIN) - 1.0);
    assert!(
        (d - expected).abs() <= 1e-12 * expected.abs(),
        "{d} vs {expected}"
    );
    let dd = powi::daa(x, i32::MIN, y);
    assert!(dd.is_finite() && dd > 0.0, "{dd}");
}
