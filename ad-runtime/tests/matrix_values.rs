//! nalgebra rules of `ad_runtime` (`la.rs`, `nn.rs`, `matrix.rs`) against
//! reference numbers worked out by hand (see the comments next to them), never
//! against the code under test; and their conventions: derivatives at kinks,
//! cotangent shapes, accumulation. The finite-difference and dot-product
//! checks are in `matrix_rules.rs`.

#[macro_use]
mod matrix_checks;
use matrix_checks::*;

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
