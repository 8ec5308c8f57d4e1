//! Whole scalar functions: forward mode, reverse mode, finite differences and
//! hand-derived references agree.

#[macro_use]
mod common;

use ad::differentiate;
use common::close;

// ----- the lecture's graphs ------------------------------------------------

/// f = (x + y) z: the lecture's first computational graph.
#[differentiate]
fn lecture(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

#[test]
fn lecture_graph_gradient() {
    // At (-2, 5, -4): q = 3, f = -12; df/dx = df/dy = z = -4, df/dz = q = 3.
    assert_eq!(lecture_grad(-2.0, 5.0, -4.0), (-12.0, -4.0, -4.0, 3.0));
    assert_eq!(lecture_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0), (-12.0, -4.0));
    assert_eq!(lecture_jvp(-2.0, 0.0, 5.0, 0.0, -4.0, 1.0), (-12.0, 3.0));
    agree!(lecture, lecture_jvp, lecture_vjp; x 0, y 1, z 2; at [-2.0, 5.0, -4.0]);
}

/// The sigmoid neuron 1 / (1 + e^-(w0 x0 + w1 x1 + w2)), written as its
/// primitive nodes.
#[differentiate]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

#[test]
fn lecture_sigmoid_neuron() {
    let (v, dw0, dx0, dw1, dx1, dw2) = neuron_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    assert_eq!(round3(v), 0.731);
    assert_eq!(
        [dw0, dx0, dw1, dx1, dw2].map(round3),
        [-0.197, 0.393, -0.393, -0.59, 0.197]
    );
    // The local gradient of the sigmoid is s (1 - s); dot = 1 at this point.
    let s = 1.0 / (1.0 + (-1.0f64).exp());
    let ds = s * (1.0 - s);
    close("dw0", dw0, -ds, 1e-15);
    close("dx0", dx0, 2.0 * ds, 1e-15);
    close("dw1", dw1, -2.0 * ds, 1e-15);
    close("dx1", dx1, -3.0 * ds, 1e-15);
    close("dw2", dw2, ds, 1e-15);
    agree!(neuron, neuron_jvp, neuron_vjp; w0 0, x0 1, w1 2, x1 3, w2 4; at [2.0, -1.0, -3.0, -2.0, -3.0]);
}

// ----- every elementary function, against hand-derived derivatives --------

#[differentiate]
fn trig(x: f64) -> f64 {
    x.sin() * x.cos() + x.tan()
}

#[differentiate]
fn inverse_trig(x: f64) -> f64 {
    x.asin() + 2.0 * x.acos() + x.atan()
}

#[differentiate]
fn hyperbolic(x: f64) -> f64 {
    x.sinh() - x.cosh() * x.tanh()
}

#[differentiate]
fn inverse_hyperbolic(x: f64, y: f64) -> f64 {
    x.asinh() + y.acosh() * x.atanh()
}

#[differentiate]
fn exponentials(x: f64) -> f64 {
    x.exp() + x.exp2() - x.exp_m1()
}

#[differentiate]
fn logarithms(x: f64) -> f64 {
    x.ln() * x.ln_1p() + x.log2() - x.log10()
}

#[differentiate]
fn roots(x: f64) -> f64 {
    x.sqrt() + x.cbrt() * x.recip()
}

#[differentiate]
fn kinks(x: f64, y: f64) -> f64 {
    x.abs() * y + y.signum() * x
}

#[differentiate]
fn two_argument(x: f64, y: f64) -> f64 {
    x.atan2(y) + x.powf(y) - x.hypot(y) + x.log(y)
}

#[differentiate]
fn extrema(x: f64, y: f64) -> f64 {
    x.max(y) * 2.0 + x.min(y) * 3.0
}

#[differentiate]
fn fused(x: f64, y: f64, z: f64) -> f64 {
    x.mul_add(y, z) + x.clamp(y, z)
}

#[differentiate]
fn integer_power(x: f64, n: i32) -> f64 {
    x.powi(n) + x.powi(2)
}

#[test]
fn trig_functions() {
    for x in [0.3f64, -0.7, 1.2] {
        let reference = (2.0 * x).cos() + 1.0 / (x.cos() * x.cos());
        close("trig'", trig_grad(x).1, reference, 1e-14);
        agree!(trig, trig_jvp, trig_vjp; x 0; at [x]);
    }
}

#[test]
fn inverse_trig_functions() {
    for x in [0.3f64, -0.6, 0.9] {
        let s = 1.0 / (1.0 - x * x).sqrt();
        let reference = s - 2.0 * s + 1.0 / (1.0 + x * x);
        close("inverse_trig'", inverse_trig_grad(x).1, reference, 1e-14);
        agree!(inverse_trig, inverse_trig_jvp, inverse_trig_vjp; x 0; at [x]);
    }
}

#[test]
fn hyperbolic_functions() {
    for x in [0.4f64, -1.1, 2.0] {
        let reference = x.cosh() - x.sinh() * x.tanh() - 1.0 / x.cosh();
        close("hyperbolic'", hyperbolic_grad(x).1, reference, 1e-14);
        agree!(hyperbolic, hyperbolic_jvp, hyperbolic_vjp; x 0; at [x]);
    }
}

#[test]
fn inverse_hyperbolic_functions() {
    for (x, y) in [(0.4f64, 1.5), (-0.8, 3.0)] {
        let (_, gx, gy) = inverse_hyperbolic_grad(x, y);
        let dx = 1.0 / (x * x + 1.0).sqrt() + y.acosh() / (1.0 - x * x);
        let dy = x.atanh() / (y * y - 1.0).sqrt();
        close("d/dx", gx, dx, 1e-14);
        close("d/dy", gy, dy, 1e-14);
        agree!(inverse_hyperbolic, inverse_hyperbolic_jvp, inverse_hyperbolic_vjp; x 0, y 1; at [x, y]);
    }
}

#[test]
fn exponential_functions() {
    for x in [0.5f64, -2.0, 1.7] {
        let reference = x.exp() + x.exp2() * std::f64::consts::LN_2 - x.exp();
        close("exponentials'", exponentials_grad(x).1, reference, 1e-14);
        agree!(exponentials, exponentials_jvp, exponentials_vjp; x 0; at [x]);
    }
}

#[test]
fn logarithm_functions() {
    for x in [0.5f64, 2.0, 7.5] {
        let reference = x.ln_1p() / x + x.ln() / (1.0 + x) + 1.0 / (x * std::f64::consts::LN_2)
            - 1.0 / (x * std::f64::consts::LN_10);
        close("logarithms'", logarithms_grad(x).1, reference, 1e-14);
        agree!(logarithms, logarithms_jvp, logarithms_vjp; x 0; at [x]);
    }
}

#[test]
fn root_functions() {
    for x in [0.5f64, 2.0, 9.0] {
        // cbrt(x) / x = x^(-2/3): derivative -2/3 x^(-5/3)
        let reference = 0.5 / x.sqrt() - 2.0 / 3.0 * x.powf(-5.0 / 3.0);
        close("roots'", roots_grad(x).1, reference, 1e-14);
        agree!(roots, roots_jvp, roots_vjp; x 0; at [x]);
    }
}

#[test]
fn abs_and_signum() {
    // |x| y + sign(y) x at (-2, 3): value 4, d/dx = sign(x) y + sign(y) = -2, d/dy = |x| = 2.
    assert_eq!(kinks_grad(-2.0, 3.0), (4.0, -2.0, 2.0));
    assert_eq!(kinks_grad(2.0, -3.0), (-8.0, -4.0, 2.0));
    // Conventions: abs'(0) = 0, signum' = 0.
    assert_eq!(kinks_grad(0.0, 3.0), (0.0, 1.0, 0.0));
    agree!(kinks, kinks_jvp, kinks_vjp; x 0, y 1; at [-2.0, 3.0]);
}

#[test]
fn two_argument_functions() {
    for (x, y) in [(1.5f64, 2.5), (0.7, 3.1)] {
        let (_, gx, gy) = two_argument_grad(x, y);
        let r2 = x * x + y * y;
        let h = r2.sqrt();
        let dx = y / r2 + y * x.powf(y - 1.0) - x / h + 1.0 / (x * y.ln());
        let dy = -x / r2 + x.powf(y) * x.ln() - y / h - x.ln() / (y * y.ln() * y.ln());
        close("d/dx", gx, dx, 1e-13);
        close("d/dy", gy, dy, 1e-13);
        agree!(two_argument, two_argument_jvp, two_argument_vjp; x 0, y 1; at [x, y]);
    }
}

#[test]
fn max_and_min() {
    assert_eq!(extrema_grad(3.0, 1.0), (9.0, 2.0, 3.0));
    assert_eq!(extrema_grad(1.0, 3.0), (9.0, 3.0, 2.0));
    // Ties split the derivative evenly.
    assert_eq!(extrema_grad(2.0, 2.0), (10.0, 2.5, 2.5));
    agree!(extrema, extrema_jvp, extrema_vjp; x 0, y 1; at [3.0, 1.0]);
}

#[test]
fn mul_add_and_clamp() {
    // x in (y, z): d/dx = y + 1, d/dy = x, d/dz = 1
    assert_eq!(fused_grad(2.0, 1.0, 5.0), (9.0, 2.0, 2.0, 1.0));
    // x below y: clamp returns y
    assert_eq!(
        fused_grad(0.5, 1.0, 5.0).1..=fused_grad(0.5, 1.0, 5.0).1,
        1.0..=1.0
    );
    let (_, gx, gy, gz) = fused_grad(0.5, 1.0, 5.0);
    assert_eq!((gx, gy, gz), (1.0, 1.5, 1.0));
    // x above z: clamp returns z
    let (_, gx, gy, gz) = fused_grad(6.0, 1.0, 5.0);
    assert_eq!((gx, gy, gz), (1.0, 6.0, 2.0));
    agree!(fused, fused_jvp, fused_vjp; x 0, y 1, z 2; at [2.0, 1.0, 5.0]);
}

/// `%`, `%=` and `rem_euclid`, with the divisor active and constant.
#[differentiate]
fn remainders(x: f64, y: f64) -> f64 {
    let mut w = x * y;
    w %= 0.75;
    (x % y) * x + x.rem_euclid(y) * y + f64::rem_euclid(-x, 0.6) + w
}

#[test]
fn remainder_functions() {
    // Points away from the jumps (the quotients are not near integers), on
    // each side of 0 for the dividend and the divisor.
    for (x, y) in [(2.3f64, 0.7), (-2.3, 0.7), (1.9, -0.8), (-1.1, -0.45)] {
        // r = x - q y, e the Euclidean quotient: x.rem_euclid(y) = x - e y.
        let (r, q) = (x % y, (x / y).trunc());
        let (re, e) = (x.rem_euclid(y), x.div_euclid(y));
        let value = r * x + re * y + (-x).rem_euclid(0.6) + (x * y) % 0.75;
        let dx = x + r + y - 1.0 + y;
        let dy = -q * x - e * y + re + x;
        let (v, gx, gy) = remainders_grad(x, y);
        assert_eq!(v, value);
        close("d/dx", gx, dx, 1e-13);
        close("d/dy", gy, dy, 1e-13);
        agree!(remainders, remainders_jvp, remainders_vjp; x 0, y 1; at [x, y]);
        // Second order: H = [[2, 2 - q], [2 - q, -2 e]].
        let (_, _, _, hxx, hyx) = remainders_hvp(x, 1.0, y, 0.0);
        let (_, _, _, hxy, hyy) = remainders_hvp(x, 0.0, y, 1.0);
        assert_eq!((hxx, hyx, hxy, hyy), (2.0, 2.0 - q, 2.0 - q, -2.0 * e));
    }
}

/// `to_degrees`, `to_radians`, `fract`, `copysign`, and `sin_cos` in its
/// method and path forms.
#[differentiate]
fn more_methods(x: f64, y: f64) -> f64 {
    let (s, c) = (x * y).sin_cos();
    let (s2, c2) = f64::sin_cos(y);
    x.to_degrees() * 0.01
        + (y * 30.0).to_radians()
        + (3.0 * x).fract() * y
        + x.copysign(y) * s
        + c * c2
        + s2
}

#[test]
fn more_float_methods() {
    use std::f64::consts::PI;
    // Away from the jumps of `fract` (3x an integer) and `copysign` (y = 0).
    for (x, y) in [(0.7f64, 1.3), (-0.45, 0.8), (1.1, -0.6)] {
        let (s, c) = ((x * y).sin(), (x * y).cos());
        let (s2, c2) = (y.sin(), y.cos());
        let cs = x.copysign(y);
        let agree = if (x < 0.0) == (y < 0.0) { 1.0 } else { -1.0 };
        let dx = 0.01 * 180.0 / PI + 3.0 * y + agree * s + cs * c * y - s * y * c2;
        let dy = 30.0 * PI / 180.0 + (3.0 * x).fract() + cs * c * x - s * x * c2 - c * s2 + c2;
        let (v, gx, gy) = more_methods_grad(x, y);
        assert_eq!(v, more_methods(x, y));
        close("d/dx", gx, dx, 1e-13);
        close("d/dy", gy, dy, 1e-13);
        agree!(more_methods, more_methods_jvp, more_methods_vjp; x 0, y 1; at [x, y]);
        // Second order against central differences of the gradient.
        let h = 1e-6;
        let g = |x: f64, y: f64| {
            let (_, gx, gy) = more_methods_grad(x, y);
            [gx, gy]
        };
        let (_, _, _, hxx, hyx) = more_methods_hvp(x, 1.0, y, 0.0);
        let (_, _, _, hxy, hyy) = more_methods_hvp(x, 0.0, y, 1.0);
        let (ax, bx) = (g(x + h, y), g(x - h, y));
        let (ay, by) = (g(x, y + h), g(x, y - h));
        close("d2/dx2", hxx, (ax[0] - bx[0]) / (2.0 * h), 1e-6);
        close("d2/dxdy", hyx, (ax[1] - bx[1]) / (2.0 * h), 1e-6);
        close("d2/dydx", hxy, (ay[0] - by[0]) / (2.0 * h), 1e-6);
        close("d2/dy2", hyy, (ay[1] - by[1]) / (2.0 * h), 1e-6);
    }
}

/// `next_up` and `next_down` (a step of one unit in the last place: slope
/// 1), in method and path forms, and in `T: Real` code.
#[differentiate]
fn neighbours(x: f64, y: f64) -> f64 {
    x.next_up() * y.sin() + f64::next_down(x * y) * x
}

#[differentiate]
fn neighbours_generic<T: ad::Real>(x: T) -> T {
    x.next_up() * x.next_down()
}

#[test]
fn next_up_and_next_down() {
    for (x, y) in [(0.7f64, 1.3), (-0.45, 0.8), (1.1, -0.6)] {
        // Analytic, with next_up(x) and next_down(x y) as themselves (they
        // differ from x and x y by one unit in the last place).
        let (u, d) = (x.next_up(), (x * y).next_down());
        let dx = y.sin() + y * x + d;
        let dy = u * y.cos() + x * x;
        let (v, gx, gy) = neighbours_grad(x, y);
        assert_eq!(v, neighbours(x, y));
        close("d/dx", gx, dx, 1e-15);
        close("d/dy", gy, dy, 1e-15);
        agree!(neighbours, neighbours_jvp, neighbours_vjp; x 0, y 1; at [x, y]);
        // Second order: d2/dx2 = 2 y, d2/dxdy = cos y + 2 x, d2/dy2 = -next_up(x) sin y.
        let (_, _, _, hxx, hyx) = neighbours_hvp(x, 1.0, y, 0.0);
        let (_, _, _, hxy, hyy) = neighbours_hvp(x, 0.0, y, 1.0);
        close("d2/dx2", hxx, 2.0 * y, 1e-15);
        close("d2/dxdy", hyx, y.cos() + 2.0 * x, 1e-15);
        close("d2/dydx", hxy, y.cos() + 2.0 * x, 1e-15);
        close("d2/dy2", hyy, -u * y.sin(), 1e-15);
        // Against finite differences of the plain function.
        let fd = ad::check::fd_gradient(|p| neighbours(p[0], p[1]), &[x, y]);
        ad::check::compare(&[gx, gy], &fd).assert_close(1e-7, 1e-7);
        // Generic: d/dx (next_up(x) next_down(x)) = next_down(x) + next_up(x).
        let (_, g) = neighbours_generic_grad(x);
        close("generic", g, x.next_up() + x.next_down(), 1e-15);
        let (_, g32) = neighbours_generic_grad(x as f32);
        let x32 = x as f32;
        assert_eq!(g32, x32.next_up() + x32.next_down());
    }
}

#[test]
fn integer_powers() {
    for n in [-2, 0, 1, 3] {
        let x = 1.3f64;
        let reference = n as f64 * x.powi(n - 1) + 2.0 * x;
        let (v, g) = integer_power_grad(x, n);
        assert_eq!(v, x.powi(n) + x * x);
        close("powi'", g, reference, 1e-14);
        let (_, d) = integer_power_jvp(x, 1.0, n);
        close("powi' forward", d, reference, 1e-14);
    }
}

// ----- the forms of straight-line code ------------------------------------

/// Method and path forms of the same functions give the same derivatives.
#[differentiate]
fn path_forms(x: f64, y: f64) -> f64 {
    f64::sin(x) * f64::powf(y, 2.5) + std::primitive::f64::atan2(x, y) + f64::max(x, y)
}

#[differentiate]
fn method_forms(x: f64, y: f64) -> f64 {
    x.sin() * y.powf(2.5) + x.atan2(y) + x.max(y)
}

#[test]
fn path_and_method_calls_agree() {
    for (x, y) in [(0.3f64, 1.7), (2.0, 0.4)] {
        assert_eq!(path_forms_grad(x, y), method_forms_grad(x, y));
        assert_eq!(
            path_forms_jvp(x, 0.3, y, -1.0),
            method_forms_jvp(x, 0.3, y, -1.0)
        );
    }
    agree!(path_forms, path_forms_jvp, path_forms_vjp; x 0, y 1; at [0.3, 1.7]);
}

/// Shadowing, annotations, tuples, blocks, parentheses, unary minus.
#[differentiate]
#[allow(clippy::let_and_return)] // the final shadowing is what is tested
fn bindings(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let z: f64 = -(x + y);
    let (a, b) = (z * z, x - y);
    let (b, a) = (a, b); // swap
    let c = {
        let t = a * b;
        t + 1.0
    };
    let x = c / x;
    x
}

#[test]
fn let_forms() {
    // x' = 2x, z = -(x' + y), a = z^2, b = x' - y, after swap a = x' - y, b = z^2,
    // c = (x' - y) z^2 + 1, result c / x'.
    let f = |x: f64, y: f64| {
        let x2 = 2.0 * x;
        let z = -(x2 + y);
        ((x2 - y) * z * z + 1.0) / x2
    };
    let (x, y) = (0.8, -1.3);
    let (v, gx, gy) = bindings_grad(x, y);
    assert_eq!(v, bindings(x, y));
    close("value", v, f(x, y), 1e-15);
    // d/dy by hand: [(-1) z^2 + (x2 - y) 2 z (-1)] / x2
    let (x2, z) = (2.0 * x, -(2.0 * x + y));
    close("d/dy", gy, (-z * z - 2.0 * (x2 - y) * z) / x2, 1e-14);
    // d/dx by hand: let N = (x2 - y) z^2 + 1; dN/dx2 = z^2 + 2 (x2 - y) z (-1); d/dx = 2 (N' x2 - N) / x2^2
    let n = (x2 - y) * z * z + 1.0;
    let dn = z * z - 2.0 * (x2 - y) * z;
    close("d/dx", gx, 2.0 * (dn * x2 - n) / (x2 * x2), 1e-14);
    agree!(bindings, bindings_jvp, bindings_vjp; x 0, y 1; at [0.8, -1.3]);
}

/// Compound assignment on `let mut` locals and `mut` parameters.
#[differentiate]
fn compound(mut x: f64, y: f64) -> f64 {
    let mut s = 1.0;
    s += x;
    s *= y;
    s -= x * x;
    s /= y + 3.0;
    x *= 2.0;
    x += s;
    x
}

#[test]
fn compound_assignment() {
    let f = |x: f64, y: f64| 2.0 * x + ((1.0 + x) * y - x * x) / (y + 3.0);
    let (x, y) = (0.6, 1.9);
    let (v, gx, gy) = compound_grad(x, y);
    close("value", v, f(x, y), 1e-15);
    close("d/dx", gx, 2.0 + (y - 2.0 * x) / (y + 3.0), 1e-14);
    close(
        "d/dy",
        gy,
        ((1.0 + x) * (y + 3.0) - ((1.0 + x) * y - x * x)) / ((y + 3.0) * (y + 3.0)),
        1e-14,
    );
    agree!(compound, compound_jvp, compound_vjp; x 0, y 1; at [0.6, 1.9]);
}

/// Inactive parameters (integers, bool, usize, anything else) stay in place,
/// with no tangent and no cotangent; integer casts are constants.
#[differentiate]
fn with_inactive(n: usize, x: f64, flag: bool, k: i32, y: f64, label: &str) -> f64 {
    let scale = n as f64 + k as f64;
    let sign = if flag { 1.0 } else { -1.0 };
    let len = label.len() as f64;
    sign * scale * x * y + len
}

#[test]
fn inactive_parameters_pass_through() {
    let (v, gx, gy) = with_inactive_grad(3, 2.0, false, 4, 5.0, "ab");
    assert_eq!(v, -7.0 * 10.0 + 2.0);
    assert_eq!((gx, gy), (-35.0, -14.0));
    let (v2, d) = with_inactive_jvp(3, 2.0, 1.0, false, 4, 5.0, 1.0, "ab");
    assert_eq!((v2, d), (v, -49.0));
    let (v3, gx3, gy3) = with_inactive_vjp(3, 2.0, true, 4, 5.0, "ab", 2.0);
    assert_eq!((v3, gx3, gy3), (72.0, 70.0, 28.0));
}

/// Constant subexpressions get no derivative code and change nothing.
#[differentiate]
fn constants(x: f64) -> f64 {
    let c = 1.0f64.tanh() * std::f64::consts::PI;
    let unused = x.exp() * 1000.0;
    let _ = unused;
    c * x + 2.5
}

#[test]
fn constant_subexpressions() {
    let c = 1.0f64.tanh() * std::f64::consts::PI;
    assert_eq!(constants_grad(0.4), (c * 0.4 + 2.5, c));
    assert_eq!(constants_jvp(0.4, 2.0), (c * 0.4 + 2.5, 2.0 * c));
}

/// An input the output does not depend on gets a zero cotangent and tangent.
#[differentiate]
fn ignores_y(x: f64, y: f64) -> f64 {
    let _unused = y.sin();
    x * x
}

#[differentiate]
fn constant_output(x: f64) -> f64 {
    let _ = x;
    4.0
}

#[test]
fn zero_derivatives() {
    assert_eq!(ignores_y_grad(3.0, 1.0), (9.0, 6.0, 0.0));
    assert_eq!(ignores_y_jvp(3.0, 0.0, 1.0, 1.0), (9.0, 0.0));
    assert_eq!(constant_output_grad(3.0), (4.0, 0.0));
    assert_eq!(constant_output_jvp(3.0, 1.0), (4.0, 0.0));
}

/// Rosenbrock's function, the classic optimisation test.
#[differentiate]
fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

#[test]
fn rosenbrock_gradient() {
    let (x, y) = (-1.2, 1.0);
    let (_, gx, gy) = rosenbrock_grad(x, y);
    close(
        "d/dx",
        gx,
        -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
        1e-14,
    );
    close("d/dy", gy, 200.0 * (y - x * x), 1e-14);
    assert_eq!(rosenbrock_grad(1.0, 1.0), (0.0, 0.0, 0.0));
    agree!(rosenbrock, rosenbrock_jvp, rosenbrock_vjp; x 0, y 1; at [-1.2, 1.0]);
}

/// A type alias of `f64` is not recognised by name: `wrt` makes it active,
/// and the rules are then chosen by the real type.
type Real = f64;

#[differentiate(wrt(x))]
fn aliased(x: Real, y: f64) -> Real {
    x * x * y
}

#[test]
fn wrt_selects_active_inputs() {
    // y is an f64 but not named in wrt: inactive.
    assert_eq!(aliased_vjp(3.0, 2.0, 1.0), (18.0, 12.0));
    assert_eq!(aliased_jvp(3.0, 1.0, 2.0), (18.0, 12.0));
}

// ----- f32 ----------------------------------------------------------------

#[differentiate]
fn neuron32(w0: f32, x0: f32, w1: f32, x1: f32, w2: f32) -> f32 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

#[differentiate]
fn mixed32(x: f32, y: f64) -> f32 {
    let y32 = y as f32;
    x.sin() * y32 + (x as f64 * y).ln() as f32
}

#[test]
fn single_precision() {
    let (v, dw0, dx0, dw1, dx1, dw2) = neuron32_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    assert!((v - 0.731).abs() < 1e-3);
    let expected = [-0.197f32, 0.393, -0.393, -0.590, 0.197];
    for (g, e) in [dw0, dx0, dw1, dx1, dw2].iter().zip(expected) {
        assert!((g - e).abs() < 1e-3, "{g} vs {e}");
    }
    // Casts between f32 and f64 carry derivatives both ways.
    let (x, y) = (0.5f32, 2.0f64);
    let (_, gx, gy) = mixed32_grad(x, y);
    assert!((gx - (x.cos() * 2.0 + 1.0 / x)).abs() < 1e-5, "{gx}");
    assert!((gy - (x.sin() as f64 + 1.0 / y)).abs() < 1e-6, "{gy}");
    let (_, d) = mixed32_jvp(x, 1.0, y, 0.0);
    assert!((d - gx).abs() < 1e-6);
}
