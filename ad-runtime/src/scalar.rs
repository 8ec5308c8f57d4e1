//! The rule table of the elementary scalar functions.
//!
//! Each function states its local derivatives once, as num-dual does, and one
//! chain rule in the generated code applies them in every mode:
//!
//! * a unary function `y = f(x)` has a module with `d1(x, y) = f'(x)` and
//!   `d2(x, y) = f''(x)`; the value `y` is passed so that rules such as
//!   `exp' = exp` reuse it instead of recomputing it;
//! * a function of several arguments `z = f(a, b, ..)` has a module with the
//!   first partials `da, db, ..` and the second partials `daa, dab, dbb, ..`,
//!   each taking the arguments and then `z`.
//!
//! Forward mode uses `dy = d1 * dx`, reverse mode `x_bar += y_bar * d1`, and
//! second order (forward over reverse) the second derivatives.
//!
//! Conventions at points where a function is not differentiable (stated once
//! here, and followed by every mode because every mode calls these rules):
//!
//! * `abs` has derivative 0 at 0, and `signum` has derivative 0 everywhere;
//! * `max` and `min` split the derivative evenly between equal arguments
//!   (each gets 1/2); when one argument is NaN, the derivative goes to the
//!   other one, whose value the function returns;
//! * `clamp(x, lo, hi)` is differentiated as `x.max(lo).min(hi)`;
//! * `powf(a, b)`: the partial in `b` is 0 where `a == 0`, and the partial in
//!   `a` is 0 where `b == 0` (the limits along the axes, as JAX does);
//! * everywhere else, values at singular points follow IEEE arithmetic
//!   (`sqrt'(0) = inf`, `ln'(0) = inf`).

use crate::real::Real;

/// The rules of a unary function, as function pointers (for tests and tools).
#[derive(Clone, Copy)]
pub struct UnaryRule<T> {
    /// The method's name, as written in user code (`"sin"`).
    pub name: &'static str,
    /// The function itself.
    pub f: fn(T) -> T,
    /// `f'(x)`, given `x` and `y = f(x)`.
    pub d1: fn(T, T) -> T,
    /// `f''(x)`, given `x` and `y = f(x)`.
    pub d2: fn(T, T) -> T,
}

/// The rules of a function of two arguments, as function pointers.
#[derive(Clone, Copy)]
pub struct BinaryRule<T> {
    /// The method's name, as written in user code (`"atan2"`).
    pub name: &'static str,
    /// The function itself: `f(a, b)` is `a.name(b)`.
    pub f: fn(T, T) -> T,
    /// `[da, db]`: the first partials, given `a`, `b` and `z = f(a, b)`.
    pub d: [fn(T, T, T) -> T; 2],
    /// `[daa, dab, dbb]`: the second partials, given `a`, `b` and `z`.
    pub dd: [fn(T, T, T) -> T; 3],
}

macro_rules! unary_rules {
    ($(
        $(#[$doc:meta])*
        $name:ident: |$x:ident, $y:ident| d1 = $d1:expr, d2 = $d2:expr;
    )*) => {
        $(
            $(#[$doc])*
            pub mod $name {
                #[allow(unused_imports)]
                use super::{max_weight, min_weight, two};
                use crate::real::Real;
                /// The function itself.
                #[inline]
                pub fn f<T: Real>(x: T) -> T {
                    x.$name()
                }
                /// First derivative at `x`, given `y = f(x)`.
                #[inline]
                #[allow(unused_variables)]
                pub fn d1<T: Real>($x: T, $y: T) -> T {
                    $d1
                }
                /// Second derivative at `x`, given `y = f(x)`.
                #[inline]
                #[allow(unused_variables)]
                pub fn d2<T: Real>($x: T, $y: T) -> T {
                    $d2
                }
            }
        )*

        /// Every unary rule, by name.
        pub fn unary_rules<T: Real>() -> Vec<UnaryRule<T>> {
            vec![$(UnaryRule {
                name: stringify!($name),
                f: $name::f::<T>,
                d1: $name::d1::<T>,
                d2: $name::d2::<T>,
            }),*]
        }
    };
}

macro_rules! binary_rules {
    ($(
        $(#[$doc:meta])*
        $name:ident: |$a:ident, $b:ident, $z:ident|
            da = $da:expr, db = $db:expr,
            daa = $daa:expr, dab = $dab:expr, dbb = $dbb:expr;
    )*) => {
        $(
            $(#[$doc])*
            pub mod $name {
                #[allow(unused_imports)]
                use super::{max_weight, min_weight, two};
                use crate::real::Real;
                /// The function itself: `a.f(b)`.
                #[inline]
                pub fn f<T: Real>(a: T, b: T) -> T {
                    a.$name(b)
                }
                binary_rules!(@partial
                    "Partial derivative in `a` (the receiver)", da, $a, $b, $z, $da;
                    "Partial derivative in `b` (the argument)", db, $a, $b, $z, $db;
                    "Second partial in `a`, `a`", daa, $a, $b, $z, $daa;
                    "Second partial in `a`, `b`", dab, $a, $b, $z, $dab;
                    "Second partial in `b`, `b`", dbb, $a, $b, $z, $dbb;
                );
            }
        )*

        /// Every rule of two active arguments, by name.
        pub fn binary_rules<T: Real>() -> Vec<BinaryRule<T>> {
            vec![$(BinaryRule {
                name: stringify!($name),
                f: $name::f::<T>,
                d: [$name::da::<T>, $name::db::<T>],
                dd: [$name::daa::<T>, $name::dab::<T>, $name::dbb::<T>],
            }),*]
        }
    };
    (@partial $($doc:literal, $fn:ident, $a:ident, $b:ident, $z:ident, $e:expr;)*) => {
        $(
            #[doc = $doc]
            #[doc = ", given `a`, `b` and `z = f(a, b)`."]
            #[inline]
            #[allow(unused_variables)]
            pub fn $fn<T: Real>($a: T, $b: T, $z: T) -> T {
                $e
            }
        )*
    };
}

#[inline]
fn two<T: Real>() -> T {
    T::ONE + T::ONE
}

/// Weight of `a` in `max(a, b)`: 1 if `a` is returned, 1/2 at a tie.
#[inline]
fn max_weight<T: Real>(a: T, b: T) -> T {
    if a > b || b.is_nan() {
        T::ONE
    } else if a == b {
        T::HALF
    } else {
        T::ZERO
    }
}

/// Weight of `a` in `min(a, b)`: 1 if `a` is returned, 1/2 at a tie.
#[inline]
fn min_weight<T: Real>(a: T, b: T) -> T {
    if a < b || b.is_nan() {
        T::ONE
    } else if a == b {
        T::HALF
    } else {
        T::ZERO
    }
}

unary_rules! {
    /// `sin`
    sin: |x, y| d1 = x.cos(), d2 = -y;
    /// `cos`
    cos: |x, y| d1 = -x.sin(), d2 = -y;
    /// `tan`: `1 + tan^2`
    tan: |x, y| d1 = T::ONE + y * y, d2 = (y + y) * (T::ONE + y * y);
    /// `asin`
    asin: |x, y| d1 = (T::ONE - x * x).sqrt().recip(),
        d2 = x / ((T::ONE - x * x) * (T::ONE - x * x).sqrt());
    /// `acos`
    acos: |x, y| d1 = -(T::ONE - x * x).sqrt().recip(),
        d2 = -x / ((T::ONE - x * x) * (T::ONE - x * x).sqrt());
    /// `atan`
    atan: |x, y| d1 = (T::ONE + x * x).recip(),
        d2 = -(x + x) / ((T::ONE + x * x) * (T::ONE + x * x));
    /// `sinh`
    sinh: |x, y| d1 = x.cosh(), d2 = y;
    /// `cosh`
    cosh: |x, y| d1 = x.sinh(), d2 = y;
    /// `tanh`: `1 - tanh^2`
    tanh: |x, y| d1 = T::ONE - y * y, d2 = -(y + y) * (T::ONE - y * y);
    /// `asinh`
    asinh: |x, y| d1 = (x * x + T::ONE).sqrt().recip(),
        d2 = -x / ((x * x + T::ONE) * (x * x + T::ONE).sqrt());
    /// `acosh`
    acosh: |x, y| d1 = (x * x - T::ONE).sqrt().recip(),
        d2 = -x / ((x * x - T::ONE) * (x * x - T::ONE).sqrt());
    /// `atanh`
    atanh: |x, y| d1 = (T::ONE - x * x).recip(),
        d2 = (x + x) / ((T::ONE - x * x) * (T::ONE - x * x));
    /// `exp`
    exp: |x, y| d1 = y, d2 = y;
    /// `exp2`: `2^x ln 2`
    exp2: |x, y| d1 = y * T::LN_2, d2 = y * T::LN_2 * T::LN_2;
    /// `exp_m1`: `e^x - 1`
    exp_m1: |x, y| d1 = y + T::ONE, d2 = y + T::ONE;
    /// `ln`
    ln: |x, y| d1 = x.recip(), d2 = -(x * x).recip();
    /// `ln_1p`: `ln(1 + x)`
    ln_1p: |x, y| d1 = (T::ONE + x).recip(), d2 = -((T::ONE + x) * (T::ONE + x)).recip();
    /// `log2`
    log2: |x, y| d1 = (x * T::LN_2).recip(), d2 = -(x * x * T::LN_2).recip();
    /// `log10`
    log10: |x, y| d1 = (x * T::LN_10).recip(), d2 = -(x * x * T::LN_10).recip();
    /// `sqrt`
    sqrt: |x, y| d1 = T::HALF / y, d2 = -(T::HALF * T::HALF) / (y * y * y);
    /// `cbrt`
    cbrt: |x, y| d1 = (T::from_i32(3) * y * y).recip(),
        d2 = -two::<T>() / (T::from_i32(9) * y * y * y * y * y);
    /// `recip`: `1 / x`
    recip: |x, y| d1 = -(y * y), d2 = two::<T>() * y * y * y;
    /// `abs`: derivative 0 at 0
    abs: |x, y| d1 = if x > T::ZERO { T::ONE } else if x < T::ZERO { -T::ONE } else { T::ZERO },
        d2 = T::ZERO;
    /// `signum`: derivative 0 everywhere
    signum: |x, y| d1 = T::ZERO, d2 = T::ZERO;
}

binary_rules! {
    /// `a.atan2(b)`: the angle of the point `(b, a)`
    atan2: |a, b, z|
        da = b / (a * a + b * b),
        db = -a / (a * a + b * b),
        daa = -two::<T>() * a * b / ((a * a + b * b) * (a * a + b * b)),
        dab = (a * a - b * b) / ((a * a + b * b) * (a * a + b * b)),
        dbb = two::<T>() * a * b / ((a * a + b * b) * (a * a + b * b));
    /// `a.powf(b)`: `a^b`
    powf: |a, b, z|
        da = if b == T::ZERO { T::ZERO } else { b * a.powf(b - T::ONE) },
        db = if a == T::ZERO { T::ZERO } else { z * a.ln() },
        daa = if b == T::ZERO || b == T::ONE {
            T::ZERO
        } else {
            b * (b - T::ONE) * a.powf(b - two::<T>())
        },
        dab = if a == T::ZERO { T::ZERO } else { a.powf(b - T::ONE) * (T::ONE + b * a.ln()) },
        dbb = if a == T::ZERO { T::ZERO } else { z * a.ln() * a.ln() };
    /// `a.hypot(b)`: `sqrt(a^2 + b^2)`
    hypot: |a, b, z|
        da = a / z,
        db = b / z,
        daa = b * b / (z * z * z),
        dab = -a * b / (z * z * z),
        dbb = a * a / (z * z * z);
    /// `a.max(b)`: ties split evenly
    max: |a, b, z|
        da = max_weight(a, b),
        db = max_weight(b, a),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.min(b)`: ties split evenly
    min: |a, b, z|
        da = min_weight(a, b),
        db = min_weight(b, a),
        daa = T::ZERO,
        dab = T::ZERO,
        dbb = T::ZERO;
    /// `a.log(b)`: the logarithm of `a` in base `b`
    log: |a, b, z|
        da = (a * b.ln()).recip(),
        db = -z / (b * b.ln()),
        daa = -(a * a * b.ln()).recip(),
        dab = -(a * b * b.ln() * b.ln()).recip(),
        dbb = z * (b.ln() + two::<T>()) / (b * b * b.ln() * b.ln());
}

/// `x.powi(n)`: the exponent `n` is an integer, so only `x` is active.
pub mod powi {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(x: T, n: i32) -> T {
        x.powi(n)
    }
    /// `x^(n - k)` without overflowing the exponent at `i32::MIN`.
    #[inline]
    fn pow_minus<T: Real>(x: T, n: i32, k: i32) -> T {
        match n.checked_sub(k) {
            Some(m) => x.powi(m),
            None => x.powf(T::from_f64(f64::from(n) - f64::from(k))),
        }
    }
    /// `n x^(n-1)`
    #[inline]
    pub fn da<T: Real>(x: T, n: i32, _y: T) -> T {
        if n == 0 {
            T::ZERO
        } else {
            T::from_i32(n) * pow_minus(x, n, 1)
        }
    }
    /// `n (n-1) x^(n-2)`
    #[inline]
    pub fn daa<T: Real>(x: T, n: i32, _y: T) -> T {
        if n == 0 || n == 1 {
            T::ZERO
        } else {
            T::from_f64(f64::from(n) * (f64::from(n) - 1.0)) * pow_minus(x, n, 2)
        }
    }
}

/// `a.mul_add(b, c)`: `a * b + c`.
pub mod mul_add {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(a: T, b: T, c: T) -> T {
        a.mul_add(b, c)
    }
    /// Partial in `a`: `b`.
    #[inline]
    pub fn da<T: Real>(_a: T, b: T, _c: T, _z: T) -> T {
        b
    }
    /// Partial in `b`: `a`.
    #[inline]
    pub fn db<T: Real>(a: T, _b: T, _c: T, _z: T) -> T {
        a
    }
    /// Partial in `c`: 1.
    #[inline]
    pub fn dc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ONE
    }
    /// Second partial in `a`, `b`: 1.
    #[inline]
    pub fn dab<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ONE
    }
    /// Every other second partial is 0.
    #[inline]
    pub fn daa<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dac<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbb<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dcc<T: Real>(_a: T, _b: T, _c: T, _z: T) -> T {
        T::ZERO
    }
}

/// `x.clamp(lo, hi)`, differentiated as `x.max(lo).min(hi)`.
pub mod clamp {
    use crate::real::Real;
    /// The function itself.
    #[inline]
    pub fn f<T: Real>(x: T, lo: T, hi: T) -> T {
        x.clamp(lo, hi)
    }
    /// Partial in `x`.
    #[inline]
    pub fn da<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        let m = x.max(lo);
        super::max_weight(x, lo) * super::min_weight(m, hi)
    }
    /// Partial in `lo`.
    #[inline]
    pub fn db<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        let m = x.max(lo);
        super::max_weight(lo, x) * super::min_weight(m, hi)
    }
    /// Partial in `hi`.
    #[inline]
    pub fn dc<T: Real>(x: T, lo: T, hi: T, _z: T) -> T {
        super::min_weight(hi, x.max(lo))
    }
    /// Second partials: `clamp` is piecewise linear, they are all 0.
    #[inline]
    pub fn daa<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dab<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dac<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbb<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dbc<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
    /// 0
    #[inline]
    pub fn dcc<T: Real>(_x: T, _lo: T, _hi: T, _z: T) -> T {
        T::ZERO
    }
}
