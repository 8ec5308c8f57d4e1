//! The conventions at non-differentiable points (`ad::guide::contract`) hold
//! in every mode: `_jvp`, `_vjp`, `_grad` and `_hvp` call the same rules, and
//! each is checked here against the documented value. NaN and infinity
//! propagate as IEEE arithmetic does, and nothing panics on them.

use ad::differentiate;

#[differentiate]
fn abs(x: f64) -> f64 {
    x.abs()
}

#[differentiate]
fn sign(x: f64) -> f64 {
    x.signum() * 3.0 + x
}

#[differentiate]
fn max2(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiate]
fn min2(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[differentiate]
fn clamped(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

#[differentiate]
fn root(x: f64) -> f64 {
    x.sqrt()
}

#[differentiate]
fn pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

#[differentiate]
fn piecewise(x: f64) -> f64 {
    if x > 1.0 {
        x * x
    } else {
        3.0 * x
    }
}

#[differentiate]
fn rounded(x: f64) -> f64 {
    x.floor() + x.round() * x
}

/// (jvp along 1, grad, vjp with seed 2 / 2, hvp's gradient, hvp's H 1) of a
/// one-input function, all of which must agree on the first derivative.
macro_rules! first_derivatives {
    ($f:ident, $x:expr) => {{
        let x = $x;
        let (v1, d_jvp) = paste_jvp!($f)(x, 1.0);
        let (v2, d_grad) = paste_grad!($f)(x);
        let (v3, d_vjp) = paste_vjp!($f)(x, 2.0);
        let (v4, d_hvp_grad, h) = paste_hvp!($f)(x, 1.0);
        (v1, v2, v3, v4, d_jvp, d_grad, d_vjp / 2.0, d_hvp_grad, h)
    }};
}

macro_rules! paste_jvp {
    (abs) => {
        abs_jvp
    };
    (sign) => {
        sign_jvp
    };
    (clamped) => {
        clamped_jvp
    };
    (root) => {
        root_jvp
    };
    (piecewise) => {
        piecewise_jvp
    };
    (rounded) => {
        rounded_jvp
    };
}
macro_rules! paste_grad {
    (abs) => {
        abs_grad
    };
    (sign) => {
        sign_grad
    };
    (clamped) => {
        clamped_grad
    };
    (root) => {
        root_grad
    };
    (piecewise) => {
        piecewise_grad
    };
    (rounded) => {
        rounded_grad
    };
}
macro_rules! paste_vjp {
    (abs) => {
        abs_vjp
    };
    (sign) => {
        sign_vjp
    };
    (clamped) => {
        clamped_vjp
    };
    (root) => {
        root_vjp
    };
    (piecewise) => {
        piecewise_vjp
    };
    (rounded) => {
        rounded_vjp
    };
}
macro_rules! paste_hvp {
    (abs) => {
        abs_hvp
    };
    (sign) => {
        sign_hvp
    };
    (clamped) => {
        clamped_hvp
    };
    (root) => {
        root_hvp
    };
    (piecewise) => {
        piecewise_hvp
    };
    (rounded) => {
        rounded_hvp
    };
}

/// Every mode gives `want` as the first derivative at `x` (and the same
/// value as the function), `want2` as the second.
macro_rules! check_all_modes {
    ($f:ident, $x:expr, $want:expr, $want2:expr) => {{
        let (v1, v2, v3, v4, d1, d2, d3, d4, h) = first_derivatives!($f, $x);
        let v = $f($x);
        for (mode, got) in [("jvp", v1), ("grad", v2), ("vjp", v3), ("hvp", v4)] {
            assert!(
                same(got, v),
                "{}: value of {mode} {got} vs {v}",
                stringify!($f)
            );
        }
        for (mode, got) in [("jvp", d1), ("grad", d2), ("vjp", d3), ("hvp", d4)] {
            assert!(
                same(got, $want),
                "{} at {}: {mode} gives {got}, the convention is {}",
                stringify!($f),
                $x,
                $want
            );
        }
        assert!(
            same(h, $want2),
            "{} at {}: second derivative {h}, want {}",
            stringify!($f),
            $x,
            $want2
        );
    }};
}

/// Equal, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn abs_and_signum_at_zero() {
    check_all_modes!(abs, 0.0, 0.0, 0.0);
    check_all_modes!(abs, -0.0, 0.0, 0.0);
    check_all_modes!(abs, -2.0, -1.0, 0.0);
    check_all_modes!(sign, 0.0, 1.0, 0.0);
}

#[test]
fn clamp_is_max_then_min() {
    // At the bounds: max splits evenly with the bound, then min passes it on.
    check_all_modes!(clamped, 1.0, 0.5, 0.0);
    check_all_modes!(clamped, -1.0, 0.5, 0.0);
    check_all_modes!(clamped, 0.3, 1.0, 0.0);
    check_all_modes!(clamped, 2.0, 0.0, 0.0);
}

#[test]
fn sqrt_at_zero_is_ieee() {
    check_all_modes!(root, 0.0, f64::INFINITY, f64::NEG_INFINITY);
}

#[test]
fn branch_boundary_differentiates_the_branch_taken() {
    // `x > 1.0` is false at 1.0: the `else` branch, 3 x.
    check_all_modes!(piecewise, 1.0, 3.0, 0.0);
    check_all_modes!(piecewise, 1.5, 3.0, 2.0);
}

#[test]
fn piecewise_constant_methods_have_derivative_zero() {
    // floor' = 0, round' = 0: d/dx (floor x + round(x) x) = round(x).
    check_all_modes!(rounded, 2.4, 2.0, 0.0);
}

#[test]
fn max_and_min_ties_split_evenly_in_every_mode() {
    for (f, jvp, grad, vjp, hvp) in [
        (
            max2 as fn(f64, f64) -> f64,
            max2_jvp as fn(f64, f64, f64, f64) -> (f64, f64),
            max2_grad as fn(f64, f64) -> (f64, f64, f64),
            max2_vjp as fn(f64, f64, f64) -> (f64, f64, f64),
            max2_hvp as fn(f64, f64, f64, f64) -> (f64, f64, f64, f64, f64),
        ),
        (min2, min2_jvp, min2_grad, min2_vjp, min2_hvp),
    ] {
        let (x, y) = (1.5, 1.5);
        assert_eq!(f(x, y), 1.5);
        assert_eq!(jvp(x, 1.0, y, 0.0), (1.5, 0.5));
        assert_eq!(jvp(x, 0.0, y, 1.0), (1.5, 0.5));
        assert_eq!(grad(x, y), (1.5, 0.5, 0.5));
        assert_eq!(vjp(x, y, 2.0), (1.5, 1.0, 1.0));
        assert_eq!(hvp(x, 1.0, y, 0.0), (1.5, 0.5, 0.5, 0.0, 0.0));
        // Away from the tie, the derivative goes to the argument returned.
        let (_, gx, gy) = grad(2.0, 1.0);
        assert_eq!((gx + gy, gx * gy), (1.0, 0.0));
    }
    // With a NaN, the derivative goes to the argument returned.
    assert_eq!(max2_grad(f64::NAN, 2.0), (2.0, 0.0, 1.0));
    assert_eq!(min2_grad(2.0, f64::NAN), (2.0, 1.0, 0.0));
}

#[test]
fn powf_partials_on_the_axes() {
    // d/db a^b = a^b ln a is taken as 0 at a = 0; d/da a^b = b a^(b-1) as 0 at b = 0.
    let (v, ga, gb) = pow_grad(0.0, 2.0);
    assert_eq!((v, ga, gb), (0.0, 0.0, 0.0));
    let (v, ga, gb) = pow_grad(3.0, 0.0);
    assert_eq!((v, ga), (1.0, 0.0));
    assert!((gb - 3f64.ln()).abs() < 1e-15);
    let (_, d) = pow_jvp(0.0, 1.0, 2.0, 1.0);
    assert_eq!(d, 0.0);
}

#[differentiate]
fn smooth(x: f64, y: f64) -> f64 {
    (x * y).sin() + x.exp() / y
}

#[test]
fn nan_and_infinity_propagate_without_panics() {
    for (x, y) in [
        (0.5, 2.0),
        (f64::NAN, 1.0),
        (1.0, f64::NAN),
        (f64::INFINITY, 2.0),
        (1.0, 0.0),
        (f64::NEG_INFINITY, f64::INFINITY),
    ] {
        let v = smooth(x, y);
        let (v1, d) = smooth_jvp(x, 1.0, y, 1.0);
        let (v2, gx, gy) = smooth_grad(x, y);
        let (v3, hx, hy, hvx, hvy) = smooth_hvp(x, 1.0, y, 1.0);
        for w in [v1, v2, v3] {
            assert!(same(w, v), "value at ({x}, {y}): {w} vs {v}");
        }
        assert!(
            same(gx, hx) && same(gy, hy),
            "gradient of _hvp at ({x}, {y})"
        );
        // Where everything is finite, the directional derivative is the
        // gradient's dot product with (1, 1); with infinities the modes may
        // associate `inf - inf` differently, as any IEEE code would.
        if (gx + gy).is_finite() {
            assert!(
                (d - (gx + gy)).abs() < 1e-12,
                "jvp at ({x}, {y}): {d} vs {}",
                gx + gy
            );
        }
        if x.is_nan() || y.is_nan() {
            assert!(v.is_nan() && d.is_nan() && gx.is_nan() && hvx.is_nan() && hvy.is_nan());
        }
    }
    // abs'(NaN) is not a panic either.
    assert!(abs_grad(f64::NAN).0.is_nan());
}
