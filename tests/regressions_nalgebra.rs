//! Regressions: the nalgebra programs of the randomized tests (issue 18)
//! that found bugs, each pinned in every mode. The others are in
//! `tests/regressions.rs`.

use ad::check::{check_gradient, check_jvp};
use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

/// `(value, directional derivative)`, `(value, gradient)`, `(value,
/// gradient, Hessian-vector product)`.
type WithTangent = (f64, f64);
type WithGradient = (f64, Vec<f64>);
type WithHvp = (f64, Vec<f64>, Vec<f64>);

/// A scalar function of the flat vector `z` of its active inputs in every
/// mode, adapted from the generated items.
struct Modes<'a> {
    value: &'a dyn Fn(&[f64]) -> f64,
    jvp: &'a dyn Fn(&[f64], &[f64]) -> WithTangent,
    vjp: &'a dyn Fn(&[f64], f64) -> WithGradient,
    grad: &'a dyn Fn(&[f64]) -> WithGradient,
    hvp: &'a dyn Fn(&[f64], &[f64]) -> WithHvp,
}

impl Modes<'_> {
    /// Checks every mode at `z`: the same value everywhere; the gradient
    /// against central differences (`ad::check`) and against `want` (a
    /// hand-derived gradient, if given); `_vjp` for a cotangent of 2 and
    /// `_jvp` along each coordinate and along `z` against the gradient;
    /// `_hvp` along `z` against central differences of the gradient.
    fn check(&self, z: &[f64], want: Option<&[f64]>) {
        let v = (self.value)(z);
        let (vg, g) = (self.grad)(z);
        assert_eq!(vg, v, "value of _grad");
        check_gradient(self.value, z, &g).assert_close(1e-8, 1e-8);
        if let Some(want) = want {
            ad::check::compare(&g, want).assert_close(1e-12, 1e-12);
        }
        let (vv, g2) = (self.vjp)(z, 2.0);
        assert_eq!(vv, v, "value of _vjp");
        let twice: Vec<f64> = g.iter().map(|x| 2.0 * x).collect();
        ad::check::compare(&g2, &twice).assert_close(1e-13, 1e-13);
        let mut dirs: Vec<Vec<f64>> = (0..z.len())
            .map(|i| (0..z.len()).map(|j| f64::from(u8::from(i == j))).collect())
            .collect();
        dirs.push(z.to_vec());
        for t in &dirs {
            let (vj, d) = (self.jvp)(z, t);
            assert_eq!(vj, v, "value of _jvp");
            let dot: f64 = g.iter().zip(t).map(|(a, b)| a * b).sum();
            ad::check::compare(&[d], &[dot]).assert_close(1e-12, 1e-12);
        }
        let (vh, gh, hv) = (self.hvp)(z, z);
        assert_eq!(vh, v, "value of _hvp");
        ad::check::compare(&gh, &g).assert_close(1e-13, 1e-13);
        let h = 1e-5;
        let at = |s: f64| -> Vec<f64> {
            let p: Vec<f64> = z.iter().map(|x| x + s * h * x).collect();
            (self.grad)(&p).1
        };
        let fd: Vec<f64> = at(1.0)
            .iter()
            .zip(at(-1.0))
            .map(|(a, b)| (a - b) / (2.0 * h))
            .collect();
        ad::check::compare(&hv, &fd).assert_close(1e-6, 1e-6);
    }
}

fn dvec(z: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(z)
}

fn dmat(r: usize, c: usize, z: &[f64]) -> DMatrix<f64> {
    DMatrix::from_column_slice(r, c, z)
}

fn flat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

/// A local that reads no active input (`u` is left out of `wrt`) borrowed
/// as an operand beside an active value (`w * &h`, `a * &h`, `&h + &p`,
/// `q.component_mul(&h)`): it was kept verbatim as `let t = &h;` and
/// borrowed again by the rule, `mul(w, &t)` ("`ad` has no rule for the
/// product `Matrix * &Matrix`"; found by the randomized nalgebra programs).
#[differentiate(wrt(a, w))]
fn borrowed_inactive_operands(a: f64, w: &DMatrix<f64>, u: &DVector<f64>) -> f64 {
    let h = u * 2.0;
    let p = w * &h;
    let q = a * &h;
    let r = &h + &p;
    p.dot(&r) + q.component_mul(&h).sum()
}

/// The same in a compound assignment in a loop and a branch, `h += &(0.29
/// * w)` with `w` left out of `wrt`: `let t = &(0.29 * w); h += &t;`
/// (E0277, `&&Matrix`).
#[differentiate(wrt(y))]
fn borrowed_inactive_update(y: &DVector<f64>, w: &DVector<f64>) -> f64 {
    let mut h = y * 1.5;
    for _ in 0..2 {
        h += &(0.29 * w);
    }
    if w[0] > 0.0 {
        h -= &(w * 0.5);
    }
    h.dot(&h)
}

#[test]
fn inactive_nalgebra_operands_borrowed() {
    let u = dvec(&[0.5, -1.0]);
    let z = flat(&[&[0.7], &[0.3, -0.2, 1.1, 0.4]]);
    let split = |z: &[f64]| (z[0], dmat(2, 2, &z[1..]));
    let value = |z: &[f64]| {
        let (a, w) = split(z);
        borrowed_inactive_operands(a, &w, &u)
    };
    // p = W h, f = p.(h + p) + a h.h: df/da = h.h, df/dW = (h + 2 p) h^T.
    let (a, w) = split(&z);
    let h = &u * 2.0;
    let p = &w * &h;
    let gw = (&h + &p * 2.0) * h.transpose();
    let want = flat(&[&[h.dot(&h)], gw.as_slice()]);
    let grad = |z: &[f64]| {
        let (a, w) = split(z);
        let (v, ga, gw) = borrowed_inactive_operands_grad(a, &w, &u);
        (v, flat(&[&[ga], gw.as_slice()]))
    };
    let modes = Modes {
        value: &value,
        jvp: &|z, t| {
            let ((a, w), (da, dw)) = (split(z), split(t));
            borrowed_inactive_operands_jvp(a, da, &w, &dw, &u)
        },
        vjp: &|z, c| {
            let (a, w) = split(z);
            let (v, ga, gw) = borrowed_inactive_operands_vjp(a, &w, &u, c);
            (v, flat(&[&[ga], gw.as_slice()]))
        },
        grad: &grad,
        hvp: &|z, t| {
            let ((a, w), (da, dw)) = (split(z), split(t));
            let (v, ga, gw, ha, hw) = borrowed_inactive_operands_hvp(a, da, &w, &dw, &u);
            (
                v,
                flat(&[&[ga], gw.as_slice()]),
                flat(&[&[ha], hw.as_slice()]),
            )
        },
    };
    modes.check(&z, Some(&want));
    assert_eq!(value(&z), borrowed_inactive_operands(a, &w, &u));

    // h = 1.5 y + 0.58 w - 0.5 w: f = h.h, gradient 3 h, Hessian 4.5 I.
    let w = dvec(&[0.4, 1.0]);
    let z = [0.8, -0.3];
    let h = dvec(&z) * 1.5 + &w * 0.08;
    let want: Vec<f64> = (h * 3.0).as_slice().to_vec();
    let modes = Modes {
        value: &|z| borrowed_inactive_update(&dvec(z), &w),
        jvp: &|z, t| borrowed_inactive_update_jvp(&dvec(z), &dvec(t), &w),
        vjp: &|z, c| {
            let (v, g) = borrowed_inactive_update_vjp(&dvec(z), &w, c);
            (v, g.as_slice().to_vec())
        },
        grad: &|z| {
            let (v, g) = borrowed_inactive_update_grad(&dvec(z), &w);
            (v, g.as_slice().to_vec())
        },
        hvp: &|z, t| {
            let (v, g, hv) = borrowed_inactive_update_hvp(&dvec(z), &dvec(t), &w);
            (v, g.as_slice().to_vec(), hv.as_slice().to_vec())
        },
    };
    modes.check(&z, Some(&want));
    let (_, _, hv) = borrowed_inactive_update_hvp(&dvec(&z), &dvec(&[1.0, 2.0]), &w);
    assert_eq!(hv.as_slice(), &[4.5, 9.0]);
}

/// `u += u` (a compound assignment whose right side is its own target) on
/// a value the macro does not know to be a scalar (a slot, assigned
/// `u * u` in a branch) in a function on nalgebra values: it was emitted
/// `u += &u` (E0502, `u` borrowed while it is changed); now `u = u + u`.
#[differentiate]
fn self_compound_assign(a: f64, y: &DVector<f64>) -> f64 {
    let mut u = a * 1.5;
    if a > 0.0 {
        u = u * u;
    }
    for _ in 0..2 {
        u += u;
    }
    u * y.sum()
}

#[test]
fn self_compound_assign_on_nalgebra_code() {
    // u = 4 (1.5 a)^2 = 9 a^2 (a > 0): f = 9 a^2 s, s = sum(y):
    // df/da = 18 a s, df/dy_i = 9 a^2.
    let z = [0.7, 0.5, -2.0, 1.25];
    let (a, s) = (z[0], z[1] + z[2] + z[3]);
    let want = [18.0 * a * s, 9.0 * a * a, 9.0 * a * a, 9.0 * a * a];
    let split = |z: &[f64]| (z[0], dvec(&z[1..]));
    let cat = |ga: f64, gy: DVector<f64>| flat(&[&[ga], gy.as_slice()]);
    let modes = Modes {
        value: &|z| {
            let (a, y) = split(z);
            self_compound_assign(a, &y)
        },
        jvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            self_compound_assign_jvp(a, da, &y, &dy)
        },
        vjp: &|z, c| {
            let (a, y) = split(z);
            let (v, ga, gy) = self_compound_assign_vjp(a, &y, c);
            (v, cat(ga, gy))
        },
        grad: &|z| {
            let (a, y) = split(z);
            let (v, ga, gy) = self_compound_assign_grad(a, &y);
            (v, cat(ga, gy))
        },
        hvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            let (v, ga, gy, ha, hy) = self_compound_assign_hvp(a, da, &y, &dy);
            (v, cat(ga, gy), cat(ha, hy))
        },
    };
    modes.check(&z, Some(&want));
}

#[differentiate]
fn half_square(y: &DVector<f64>) -> f64 {
    y.dot(y) * 0.5
}

/// A copy of a borrowed nalgebra parameter, `let h = y.clone();`, passed to
/// a helper by reference, `half_square(&h)`: the copy was taken for a
/// borrow like `y` and passed as `half_square(h)` (E0308). And `let k = y;`,
/// another name for the borrow, was copied (owned) and passed as `k` (E0308).
#[differentiate]
fn param_copy_to_call(a: f64, y: &DVector<f64>) -> f64 {
    let h = y.clone();
    let k = y;
    half_square(&h) * a + half_square(k)
}

#[test]
fn copy_of_a_nalgebra_parameter_passed_to_a_helper() {
    // f = (a + 1) y.y / 2: df/da = y.y / 2, df/dy = (a + 1) y.
    let z = [0.7, 0.5, -2.0, 1.25];
    let (a, y) = (z[0], dvec(&z[1..]));
    let want = flat(&[&[y.dot(&y) / 2.0], (&y * (a + 1.0)).as_slice()]);
    let split = |z: &[f64]| (z[0], dvec(&z[1..]));
    let cat = |ga: f64, gy: DVector<f64>| flat(&[&[ga], gy.as_slice()]);
    let modes = Modes {
        value: &|z| {
            let (a, y) = split(z);
            param_copy_to_call(a, &y)
        },
        jvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            param_copy_to_call_jvp(a, da, &y, &dy)
        },
        vjp: &|z, c| {
            let (a, y) = split(z);
            let (v, ga, gy) = param_copy_to_call_vjp(a, &y, c);
            (v, cat(ga, gy))
        },
        grad: &|z| {
            let (a, y) = split(z);
            let (v, ga, gy) = param_copy_to_call_grad(a, &y);
            (v, cat(ga, gy))
        },
        hvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            let (v, ga, gy, ha, hy) = param_copy_to_call_hvp(a, da, &y, &dy);
            (v, cat(ga, gy), cat(ha, hy))
        },
    };
    modes.check(&z, Some(&want));
}

/// A nalgebra local written by element (`h[(0, 1)] = ..`) and updated whole
/// (`h -= e`, `h = &h * 0.5 + w`, after `let mut h = w.clone();`): taken
/// for an array, it was rejected with "assign a whole array with `=`, or
/// write its elements" (a restriction meant for `Vec`s; and the copy of
/// `w` was taken for a borrow).
#[differentiate(wrt(a, w))]
fn element_writes_and_whole_updates(a: f64, w: &DMatrix<f64>, e: &DMatrix<f64>) -> f64 {
    let mut h = w.clone();
    for _ in 0..2 {
        h[(0, 1)] = a * h[(0, 0)];
        h -= e;
        h = &h * 0.5 + w;
    }
    h.sum()
}

#[test]
fn nalgebra_local_written_by_element_and_whole() {
    let e = dmat(2, 2, &[0.1, -0.3, 0.2, 0.05]);
    let z = flat(&[&[0.7], &[0.3, -0.2, 1.1, 0.4]]);
    let split = |z: &[f64]| (z[0], dmat(2, 2, &z[1..]));
    let cat = |ga: f64, gw: DMatrix<f64>| flat(&[&[ga], gw.as_slice()]);
    let modes = Modes {
        value: &|z| {
            let (a, w) = split(z);
            element_writes_and_whole_updates(a, &w, &e)
        },
        jvp: &|z, t| {
            let ((a, w), (da, dw)) = (split(z), split(t));
            element_writes_and_whole_updates_jvp(a, da, &w, &dw, &e)
        },
        vjp: &|z, c| {
            let (a, w) = split(z);
            let (v, ga, gw) = element_writes_and_whole_updates_vjp(a, &w, &e, c);
            (v, cat(ga, gw))
        },
        grad: &|z| {
            let (a, w) = split(z);
            let (v, ga, gw) = element_writes_and_whole_updates_grad(a, &w, &e);
            (v, cat(ga, gw))
        },
        hvp: &|z, t| {
            let ((a, w), (da, dw)) = (split(z), split(t));
            let (v, ga, gw, ha, hw) = element_writes_and_whole_updates_hvp(a, da, &w, &dw, &e);
            (v, cat(ga, gw), cat(ha, hw))
        },
    };
    // By hand, each pass is h <- (h - e) / 2 + w after h01 <- a h00: h10
    // and h11 end as 1.75 w - .., h00 as 0.5 g - 0.5 e00 + w00 with g =
    // 1.5 w00 - 0.5 e00 (h00 after the first pass), h01 as (a g - e01) / 2
    // + w01 (the first pass's h01 is overwritten): d/da = g / 2, d/dw =
    // (1.75 + 0.75 a, 1.75, 1, 1.75) in column-major order.
    let (a, w) = split(&z);
    let want_ga = (1.5 * w[(0, 0)] - 0.5 * e[(0, 0)]) / 2.0;
    let (_, ga, gw) = element_writes_and_whole_updates_grad(a, &w, &e);
    assert!((ga - want_ga).abs() < 1e-14, "{ga} vs {want_ga}");
    let want_gw = [1.75 + 0.75 * a, 1.75, 1.0, 1.75];
    ad::check::compare(gw.as_slice(), &want_gw).assert_close(1e-14, 1e-14);
    modes.check(&z, None);
}

#[differentiate]
fn sum_of(y: &DVector<f64>) -> f64 {
    y.sum()
}

/// A nalgebra value whose cotangent the reverse sweep starts from a zero
/// where the value is not kept: an unnamed temporary of a loop read by
/// element (`(y * 2.0)[0]`) or passed to a helper (`sum_of(&(y * a))`), a
/// local of a loop read by element whose accumulator is only returned
/// (`let h = y * 0.98; u += h[0];`). The zero was `0.0`, a float (E0608,
/// E0308, E0277); it is now `zero_like` of the value, computed again there
/// or still in scope.
#[differentiate]
fn nested_nalgebra_temps(a: f64, y: &DVector<f64>) -> f64 {
    let mut u = 0.0;
    for _ in 0..2 {
        u += (y * 2.0)[0];
        u += sum_of(&(y * a));
        u += sum_of(&DVector::from_element(2, a));
    }
    for _ in 0..2 {
        let h = y * 0.98;
        u += h[1];
    }
    let mut s = a;
    for _ in 0..2 {
        let h = y * s;
        s = s * 0.5 + h[1] * (y * a)[0];
        if s > 0.0 {
            s += sum_of(&(y * s)) * 0.1;
        }
    }
    u + s
}

#[test]
fn zero_cotangents_of_nalgebra_values_of_loops() {
    let z = [0.7, 0.5, -0.25];
    let split = |z: &[f64]| (z[0], dvec(&z[1..]));
    let cat = |ga: f64, gy: DVector<f64>| flat(&[&[ga], gy.as_slice()]);
    let modes = Modes {
        value: &|z| {
            let (a, y) = split(z);
            nested_nalgebra_temps(a, &y)
        },
        jvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            nested_nalgebra_temps_jvp(a, da, &y, &dy)
        },
        vjp: &|z, c| {
            let (a, y) = split(z);
            let (v, ga, gy) = nested_nalgebra_temps_vjp(a, &y, c);
            (v, cat(ga, gy))
        },
        grad: &|z| {
            let (a, y) = split(z);
            let (v, ga, gy) = nested_nalgebra_temps_grad(a, &y);
            (v, cat(ga, gy))
        },
        hvp: &|z, t| {
            let ((a, y), (da, dy)) = (split(z), split(t));
            let (v, ga, gy, ha, hy) = nested_nalgebra_temps_hvp(a, da, &y, &dy);
            (v, cat(ga, gy), cat(ha, hy))
        },
    };
    modes.check(&z, None);
    // The first two loops alone: u = 2 (2 y0 + a (y0 + y1) + 2 a) + 2 (0.98 y1),
    // du/da = 2 (y0 + y1 + 2), du/dy = (4 + 2 a, 2 a + 1.96); the third
    // loop's part by finite differences (above) and here through the
    // difference of the two.
    let (a, y) = split(&z);
    let (_, ga, gy) = nested_nalgebra_temps_grad(a, &y);
    let s_only = |z: &[f64]| {
        let (a, y) = split(z);
        let u = 2.0 * (2.0 * y[0] + a * (y[0] + y[1]) + 2.0 * a) + 2.0 * 0.98 * y[1];
        nested_nalgebra_temps(a, &y) - u
    };
    let gs = ad::check::fd_gradient(s_only, &z);
    let want = [
        2.0 * (y[0] + y[1] + 2.0) + gs[0],
        4.0 + 2.0 * a + gs[1],
        2.0 * a + 1.96 + gs[2],
    ];
    ad::check::compare(&cat(ga, gy), &want).assert_close(1e-8, 1e-8);
}

/// A nalgebra value moved into a tuple result and read again by the
/// reverse sweep (`(y, z.sum())` after `z = w^T y`; `(x.map(..), a)`) or by
/// `_jvp` for the zero tangent of a member that reads no active input
/// (`(y * 0.99, a)` with `wrt(a)`): the tuple was built by moving it
/// (`(t, a,)`), then it was borrowed (E0382). Members are copied when read
/// again, moved otherwise.
#[differentiate]
fn tuple_member_read_back(w: &DMatrix<f64>, x: &DVector<f64>) -> (DVector<f64>, f64) {
    let y = w * x;
    let z = w.transpose() * &y;
    (y, z.sum())
}

#[differentiate]
fn tuple_member_mapped(a: f64, x: &DVector<f64>) -> (DVector<f64>, f64) {
    (x.map(|z| z.tanh()), a * x.sum())
}

#[differentiate(wrt(a))]
fn tuple_member_inactive(a: f64, y: &DVector<f64>) -> (DVector<f64>, f64) {
    (y * 0.99, a * a)
}

#[test]
fn nalgebra_members_of_tuple_results_read_again() {
    // y = W x, s = sum(W^T W x): J along (dW, dx) is (dW x + W dx,
    // 1^T (dW^T W x + W^T dW x + W^T W dx)); the cotangent of (cy, cs) is
    // (cy x^T + cs (W x 1^T + W 1 x^T), W^T cy + cs W^T W 1).
    let w = dmat(2, 2, &[0.3, -0.2, 1.1, 0.4]);
    let x = dvec(&[0.5, -1.5]);
    let (dw, dx) = (dmat(2, 2, &[0.1, 0.2, -0.3, 0.5]), dvec(&[1.0, 0.25]));
    let one = dvec(&[1.0, 1.0]);
    let ((y, s), (dy, ds)) = tuple_member_read_back_jvp(&w, &dw, &x, &dx);
    assert_eq!((&y, s), (&(&w * &x), (w.transpose() * &w * &x).sum()));
    let dy_want = &dw * &x + &w * &dx;
    let ds_want =
        (dw.transpose() * &w * &x + w.transpose() * &dw * &x + w.transpose() * &w * &dx).sum();
    ad::check::compare(dy.as_slice(), dy_want.as_slice()).assert_close(1e-14, 1e-14);
    ad::check::compare(&[ds], &[ds_want]).assert_close(1e-14, 1e-14);
    let (cy, cs) = (dvec(&[0.7, -0.4]), 1.3);
    let ((y2, s2), gw, gx) = tuple_member_read_back_vjp(&w, &x, (cy.clone(), cs));
    assert_eq!((&y2, s2), (&y, s));
    let wx = &w * &x;
    let gw_want = &cy * x.transpose() + (&wx * one.transpose() + &w * &one * x.transpose()) * cs;
    let gx_want = w.transpose() * &cy + w.transpose() * &w * &one * cs;
    ad::check::compare(gw.as_slice(), gw_want.as_slice()).assert_close(1e-14, 1e-14);
    ad::check::compare(gx.as_slice(), gx_want.as_slice()).assert_close(1e-14, 1e-14);
    // Dot-product identity: <J t, c> = <t, J^T c>.
    let lhs = dy.dot(&cy) + ds * cs;
    let rhs = gw.dot(&dw) + gx.dot(&dx);
    assert!((lhs - rhs).abs() < 1e-13, "{lhs} vs {rhs}");

    // (tanh x, a sum x): against central differences of the flat map.
    let f = |z: &[f64]| {
        let (y, s) = tuple_member_mapped(z[0], &dvec(&z[1..]));
        flat(&[y.as_slice(), &[s]])
    };
    let z = [0.7, 0.5, -1.0];
    let t = [0.3, -1.0, 2.0];
    let ((y, s), (dy, ds)) = tuple_member_mapped_jvp(z[0], t[0], &dvec(&z[1..]), &dvec(&t[1..]));
    assert_eq!(flat(&[y.as_slice(), &[s]]), f(&z));
    check_jvp(f, &z, &t, &flat(&[dy.as_slice(), &[ds]])).assert_close(1e-9, 1e-9);
    let c = [0.4, -0.6, 1.5];
    let (_, ga, gx) = tuple_member_mapped_vjp(z[0], &dvec(&z[1..]), (dvec(&c[..2]), c[2]));
    let jt_c: f64 = ga * t[0] + gx.dot(&dvec(&t[1..]));
    let c_jt: f64 = dy.dot(&dvec(&c[..2])) + ds * c[2];
    assert!((jt_c - c_jt).abs() < 1e-13, "{jt_c} vs {c_jt}");
    // d/da of (tanh x, a sum x) is (0, sum x); d/dx_i is (tanh' x_i e_i, a).
    let x = dvec(&z[1..]);
    let want_ga = c[2] * x.sum();
    let want_gx: Vec<f64> = (0..2)
        .map(|i| c[i] * (1.0 - x[i].tanh().powi(2)) + c[2] * z[0])
        .collect();
    ad::check::compare(
        &flat(&[&[ga], gx.as_slice()]),
        &flat(&[&[want_ga], &want_gx]),
    )
    .assert_close(1e-14, 1e-14);

    // (0.99 y, a^2) with wrt(a): the member has a zero tangent.
    let y = dvec(&[0.5, 2.0]);
    let ((v, s), (dv, ds)) = tuple_member_inactive_jvp(0.7, 2.0, &y);
    assert_eq!((v, s), (&y * 0.99, 0.7 * 0.7));
    assert_eq!((dv, ds), (dvec(&[0.0, 0.0]), 2.0 * 0.7 * 2.0));
    let ((v2, _), ga) = tuple_member_inactive_vjp(0.7, &y, (dvec(&[1.0, 1.0]), 3.0));
    assert_eq!((v2, ga), (&y * 0.99, 3.0 * 2.0 * 0.7));
}

/// `.map(|z| ..)` on a value that reads no active input (`q` left out of
/// `wrt`), and in the condition of an `if` (kept verbatim, whatever it
/// reads): rejected with "closures are not supported in a differentiated
/// function". Such code is kept verbatim, the closure's parameters not
/// renamed (`|a|` below is not the parameter `a`).
#[differentiate(wrt(a))]
fn map_of_inactive(a: f64, q: &DVector<f64>) -> f64 {
    let h = q.map(|z| z.cos());
    a * h.sum()
}

#[differentiate]
fn map_in_condition(a: f64, q: &DVector<f64>) -> f64 {
    let mut u = a * q.sum();
    if q.map(|a| a.cos()).sum() < 1.5 {
        u *= q.map(|z| z * z).sum();
    }
    u
}

#[test]
fn maps_kept_verbatim() {
    let q = dvec(&[0.5, 2.0]);
    let c = q.map(|z| z.cos()).sum();
    assert_eq!(map_of_inactive_grad(0.7, &q), (0.7 * c, c));
    assert_eq!(map_of_inactive_jvp(0.7, 2.0, &q), (0.7 * c, 2.0 * c));
    let (_, _, h) = map_of_inactive_hvp(0.7, 1.0, &q);
    assert_eq!(h, 0.0);
    // cos 0.5 + cos 2 < 1.5: u = a s r with s = sum q, r = sum q^2:
    // df/da = s r, df/dq = a (r + 2 s q).
    let z = [0.7, 0.5, 2.0];
    let (a, s, r) = (0.7, 2.5, 4.25);
    let want = [s * r, a * (r + 2.0 * s * 0.5), a * (r + 2.0 * s * 2.0)];
    let split = |z: &[f64]| (z[0], dvec(&z[1..]));
    let cat = |ga: f64, gy: DVector<f64>| flat(&[&[ga], gy.as_slice()]);
    let modes = Modes {
        value: &|z| {
            let (a, q) = split(z);
            map_in_condition(a, &q)
        },
        jvp: &|z, t| {
            let ((a, q), (da, dq)) = (split(z), split(t));
            map_in_condition_jvp(a, da, &q, &dq)
        },
        vjp: &|z, c| {
            let (a, q) = split(z);
            let (v, ga, gq) = map_in_condition_vjp(a, &q, c);
            (v, cat(ga, gq))
        },
        grad: &|z| {
            let (a, q) = split(z);
            let (v, ga, gq) = map_in_condition_grad(a, &q);
            (v, cat(ga, gq))
        },
        hvp: &|z, t| {
            let ((a, q), (da, dq)) = (split(z), split(t));
            let (v, ga, gq, ha, hq) = map_in_condition_hvp(a, da, &q, &dq);
            (v, cat(ga, gq), cat(ha, hq))
        },
    };
    modes.check(&z, Some(&want));
    // The other branch: u = a s.
    let (_, ga, gq) = map_in_condition_grad(0.7, &dvec(&[0.1, 0.2]));
    assert_eq!((ga, gq), (0.30000000000000004, dvec(&[0.7, 0.7])));
}

/// A struct whose configuration count picks the element of a parameter
/// read in the statement that overwrites it.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct CountedState {
    a: f64,
    #[ad(skip)]
    n: usize,
}

#[differentiate(wrt(d))]
fn index_from_the_overwritten_struct(d: &[f64], a0: f64) -> f64 {
    let mut s = CountedState { a: a0, n: 3 };
    for _ in 0..2 {
        s = CountedState {
            a: s.a * d[s.n % 2],
            n: s.n + 1,
        };
    }
    s.a
}

#[differentiate(wrt(d, a0))]
fn index_from_the_overwritten_scalar(d: &[f64], a0: f64) -> f64 {
    let mut s = a0;
    for _ in 0..3 {
        s = s * d[(s.abs() * 10.0) as usize % 2];
    }
    s
}

/// Found by the random structs family: an index read in the statement that
/// overwrites the value it is computed from (`d[s.n % 2]` in `s = S { .. }`)
/// was computed again in the reverse sweep before the restore, from the
/// new value: a wrong element got the cotangent, silently. By hand for the
/// struct: s.a = a0 d[1] d[0] (n = 3, then 4); the scalar picks d[1], then
/// d[0] twice (|s| 10 = 1.5, 0.75, 0.825), checked by finite differences.
#[test]
fn indices_from_the_value_a_statement_overwrites() {
    let d = [-0.4, 0.9];
    let (v, g) = index_from_the_overwritten_struct_grad(&d, 0.7);
    assert!((v - 0.7 * 0.9 * -0.4).abs() < 1e-15);
    assert_eq!(g, vec![0.7 * 0.9, 0.7 * -0.4]);
    let d = [1.1, 0.5];
    let (v, gd, ga) = index_from_the_overwritten_scalar_grad(&d, 0.15);
    let f = |d: &[f64], a0: f64| index_from_the_overwritten_scalar(d, a0);
    assert_eq!(v, f(&d, 0.15));
    let h = 1e-7;
    let fd0 = (f(&[1.1 + h, 0.5], 0.15) - f(&[1.1 - h, 0.5], 0.15)) / (2.0 * h);
    let fd1 = (f(&[1.1, 0.5 + h], 0.15) - f(&[1.1, 0.5 - h], 0.15)) / (2.0 * h);
    let fda = (f(&d, 0.15 + h) - f(&d, 0.15 - h)) / (2.0 * h);
    assert!(
        (gd[0] - fd0).abs() < 1e-7 && (gd[1] - fd1).abs() < 1e-7,
        "{gd:?} {fd0} {fd1}"
    );
    assert!((ga - fda).abs() < 1e-7, "{ga} {fda}");
}

/// `v.push(b)` inside a loop, where `b` is read nowhere else: the reverse
/// sweep declared `b`'s cotangent inside the loop's reverse block, so every
/// contribution was lost and the gradient was zero (found by the random
/// `calls` family's destination batch). `f = b^2 + b` after three pushes.
#[differentiate]
fn pushed_in_a_loop(b: f64) -> f64 {
    let mut pv: Vec<f64> = Vec::new();
    for _i in 0..3 {
        pv.push(b);
    }
    pv[0] * pv[2] + pv[1]
}

/// The same under a branch and in a `while` loop, with a second parameter
/// pushed too.
#[differentiate]
fn pushed_in_branches(b: f64, c: f64) -> f64 {
    let mut pv: Vec<f64> = Vec::with_capacity(4);
    let mut k = 0;
    while k < 4 {
        if k % 2 == 0 {
            pv.push(b * c);
        } else {
            pv.push(c);
        }
        k += 1;
    }
    pv[0] * pv[1] + pv[2] * pv[3].sin()
}

#[test]
fn pushes_of_values_read_nowhere_else() {
    // d/db (b^2 + b) = 2b + 1.
    let (v, g) = pushed_in_a_loop_grad(0.7);
    assert_eq!(v, 0.7 * 0.7 + 0.7);
    assert!((g - 2.4).abs() < 1e-14, "{g}");
    assert_eq!(pushed_in_a_loop_jvp(0.7, 1.0).1, g);
    check_gradient(|p| pushed_in_a_loop(p[0]), &[0.7], &[g]).assert_close(1e-8, 1e-8);
    // f = b c c + b c sin(c): df/db = c^2 + c sin c,
    // df/dc = 2 b c + b sin c + b c cos c.
    let (b, c) = (0.8, -1.3);
    let (_, gb, gc) = pushed_in_branches_grad(b, c);
    assert!((gb - (c * c + c * c.sin())).abs() < 1e-14, "{gb}");
    assert!(
        (gc - (2.0 * b * c + b * c.sin() + b * c * c.cos())).abs() < 1e-14,
        "{gc}"
    );
    check_gradient(|p| pushed_in_branches(p[0], p[1]), &[b, c], &[gb, gc]).assert_close(1e-8, 1e-8);
    let (_, d) = pushed_in_branches_jvp(b, 0.3, c, -0.2);
    assert!((d - (0.3 * gb - 0.2 * gc)).abs() < 1e-13, "{d}");
}

/// Views left out of `wrt(...)`: passed as they are (active views are
/// rejected, `tests/ui/unsupported/nalgebra_view_parameter.rs`; this keeps
/// the rejection to them).
#[differentiate(wrt(k))]
fn scaled_by_views(
    k: f64,
    v: ad::nalgebra::DVectorView<f64>,
    m: ad::nalgebra::MatrixView<f64, ad::nalgebra::Dyn, ad::nalgebra::Dyn>,
) -> f64 {
    k * k * v.sum() + k.sin() * m[(0, 1)]
}

#[test]
fn inactive_views() {
    let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
    let a = DMatrix::from_fn(3, 3, |i, j| (i + 2 * j) as f64);
    let (v, m) = (x.rows(0, 2), a.view((0, 0), (2, 2)));
    let k = 0.7;
    // f = 3 k^2 + 2 sin k: df/dk = 6 k + 2 cos k, d2f/dk2 = 6 - 2 sin k.
    let (value, g) = scaled_by_views_grad(k, v, m);
    assert_eq!(value, scaled_by_views(k, v, m));
    assert!((g - (6.0 * k + 2.0 * k.cos())).abs() < 1e-14, "{g}");
    assert_eq!(scaled_by_views_vjp(k, v, m, 2.0).1, 2.0 * g);
    assert!((scaled_by_views_jvp(k, 0.5, v, m).1 - 0.5 * g).abs() < 1e-14);
    let (_, _, h) = scaled_by_views_hvp(k, 1.0, v, m);
    assert!((h - (6.0 - 2.0 * k.sin())).abs() < 1e-13, "{h}");
    check_gradient(|p| scaled_by_views(p[0], v, m), &[k], &[g]).assert_close(1e-8, 1e-8);
}
