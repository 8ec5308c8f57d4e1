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
//! 3. values against reference numbers worked out by hand, never against the
//!    code under test (`matrix_values.rs`, with the conventions at kinks);
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

#[macro_use]
mod matrix_checks;
use matrix_checks::*;

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
