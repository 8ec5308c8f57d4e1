//! Iteration (issue 20): iterator chains over active slices, `Vec`s and
//! arrays, `for` loops over containers, local closures, `if let Some(..)`
//! and `[f64; N]::map`, as users write them.
//!
//! Every function is checked in every mode against independent references:
//! `_grad` and `_jvp` against central finite differences of the plain
//! function, `_vjp` by the dot-product identity <jvp(x, v), w> =
//! <v, vjp(x, w)>, `_hvp` against finite differences of the gradient; the
//! functions with vector outputs by finite differences and the dot-product
//! identity on every output.
#![allow(
    clippy::needless_range_loop,
    clippy::type_complexity,
    clippy::iter_count
)]

use ad::{differentiate, Real};

// ----- the checks -------------------------------------------------------------

/// A differentiated function of `n` numbers, through flat adapters.
struct Modes<'a> {
    f: &'a dyn Fn(&[f64]) -> f64,
    jvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: &'a dyn Fn(&[f64], f64) -> (f64, Vec<f64>),
    grad: &'a dyn Fn(&[f64]) -> (f64, Vec<f64>),
    hvp: &'a dyn Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
}

fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: got {a}, expected {b}"
    );
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

fn shifted(x: &[f64], v: &[f64], h: f64) -> Vec<f64> {
    (0..x.len()).map(|i| x[i] + h * v[i]).collect()
}

fn rng(seed: u64) -> impl FnMut() -> f64 {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ seed;
    move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// Every mode of `m` at `x`, against finite differences and each other.
fn check(name: &str, x: &[f64], m: &Modes) {
    let n = x.len();
    let value = (m.f)(x);
    let (gv, g) = (m.grad)(x);
    close(&format!("{name}: grad value"), gv, value, 1e-14);
    assert_eq!(g.len(), n);
    let h = 1e-6;
    for k in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == k))).collect();
        let fd = ((m.f)(&shifted(x, &e, h)) - (m.f)(&shifted(x, &e, -h))) / (2.0 * h);
        close(
            &format!("{name}: grad[{k}] vs finite differences"),
            g[k],
            fd,
            1e-6,
        );
    }
    let mut rand = rng(n as u64);
    for _ in 0..3 {
        let v: Vec<f64> = (0..n).map(|_| rand()).collect();
        let w = rand() * 2.0;
        let (jv, dv) = (m.jvp)(x, &v);
        close(&format!("{name}: jvp value"), jv, value, 1e-14);
        let fd = ((m.f)(&shifted(x, &v, h)) - (m.f)(&shifted(x, &v, -h))) / (2.0 * h);
        close(&format!("{name}: jvp vs finite differences"), dv, fd, 1e-6);
        let (vv, xb) = (m.vjp)(x, w);
        close(&format!("{name}: vjp value"), vv, value, 1e-14);
        close(
            &format!("{name}: dot-product identity"),
            dv * w,
            dot(&v, &xb),
            1e-12,
        );
        let (hv_value, hg, hv) = (m.hvp)(x, &v);
        close(&format!("{name}: hvp value"), hv_value, value, 1e-14);
        for k in 0..n {
            close(&format!("{name}: hvp gradient[{k}]"), hg[k], g[k], 1e-12);
            let gp = (m.grad)(&shifted(x, &v, h)).1[k];
            let gm = (m.grad)(&shifted(x, &v, -h)).1[k];
            close(
                &format!("{name}: hvp[{k}] vs finite differences"),
                hv[k],
                (gp - gm) / (2.0 * h),
                1e-5,
            );
        }
    }
}

/// `f(x: &[f64]) -> f64`, checked at `x`: `check1!(f, f_jvp, f_vjp, f_grad, f_hvp, x)`.
macro_rules! check1 {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $x:expr) => {{
        let f = |x: &[f64]| $f(x);
        let jvp = |x: &[f64], v: &[f64]| $jvp(x, v);
        let vjp = |x: &[f64], w: f64| {
            let (y, b) = $vjp(x, w);
            (y, b.to_vec())
        };
        let grad = |x: &[f64]| {
            let (y, b) = $grad(x);
            (y, b.to_vec())
        };
        let hvp = |x: &[f64], v: &[f64]| {
            let (y, b, h) = $hvp(x, v);
            (y, b.to_vec(), h.to_vec())
        };
        check(
            stringify!($f),
            $x,
            &Modes {
                f: &f,
                jvp: &jvp,
                vjp: &vjp,
                grad: &grad,
                hvp: &hvp,
            },
        );
    }};
}

/// `f(x: &[f64], w: &[f64]) -> f64`, both active, checked at `x ++ w`
/// (split in halves).
macro_rules! check2 {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident, $x:expr) => {{
        let half = |z: &[f64]| z.len() / 2;
        let cat = |a: Vec<f64>, b: Vec<f64>| [a, b].concat();
        let f = |z: &[f64]| $f(&z[..half(z)], &z[half(z)..]);
        let jvp =
            |z: &[f64], v: &[f64]| $jvp(&z[..half(z)], &v[..half(z)], &z[half(z)..], &v[half(z)..]);
        let vjp = |z: &[f64], w: f64| {
            let (y, a, b) = $vjp(&z[..half(z)], &z[half(z)..], w);
            (y, cat(a.to_vec(), b.to_vec()))
        };
        let grad = |z: &[f64]| {
            let (y, a, b) = $grad(&z[..half(z)], &z[half(z)..]);
            (y, cat(a.to_vec(), b.to_vec()))
        };
        let hvp = |z: &[f64], v: &[f64]| {
            let (y, a, b, ha, hb) =
                $hvp(&z[..half(z)], &v[..half(z)], &z[half(z)..], &v[half(z)..]);
            (
                y,
                cat(a.to_vec(), b.to_vec()),
                cat(ha.to_vec(), hb.to_vec()),
            )
        };
        check(
            stringify!($f),
            $x,
            &Modes {
                f: &f,
                jvp: &jvp,
                vjp: &vjp,
                grad: &grad,
                hvp: &hvp,
            },
        );
    }};
}

const X: [f64; 6] = [0.7, -1.3, 0.4, 2.1, -0.2, 1.6];
const Z: [f64; 8] = [0.3, -0.8, 1.2, 0.5, 1.1, -0.6, 0.9, 0.25];

// ----- 1. chains ending in sum, product, fold, collect ------------------------

#[differentiate]
fn map_sum(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>()
}

#[differentiate]
fn zip_sum(x: &[f64], w: &[f64]) -> f64 {
    x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>()
        + x.iter()
            .zip(w.iter())
            .map(|(a, b)| a.sin() * b)
            .sum::<f64>()
}

#[differentiate]
fn fold_sum(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |acc, v| acc + v * v.sin())
}

#[differentiate]
fn product_of(x: &[f64]) -> f64 {
    x.iter().map(|v| 1.0 + 0.5 * v * v).product::<f64>()
}

#[differentiate]
fn collect_then_read(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|v| v.exp() * 0.5).collect();
    let z = x.iter().map(|v| v.cos()).collect::<Vec<f64>>();
    y[0] * z[1] + y.iter().sum::<f64>() * z[2]
}

#[differentiate]
fn copied_cloned(x: &[f64]) -> f64 {
    let a: f64 = x.iter().copied().map(f64::sin).sum();
    let b: f64 = x.iter().cloned().map(|v| v * v * v).sum();
    a * b
}

#[differentiate]
fn rev_enumerate(x: &[f64]) -> f64 {
    x.iter()
        .rev()
        .enumerate()
        .map(|(i, v)| (i as f64 + 1.0) * v * v)
        .sum::<f64>()
}

#[differentiate]
fn skip_take_step(x: &[f64]) -> f64 {
    let a: f64 = x.iter().skip(1).take(3).map(|v| v.sin()).sum();
    let b: f64 = x.iter().step_by(2).map(|v| v * v).sum();
    let c: f64 = x.iter().skip(2).rev().step_by(2).map(|v| v.exp()).sum();
    a * b + c
}

/// Adapters with literal counts over a sub-slice of literal bounds: every
/// length is a literal (`usize::saturating_sub` of untyped integers was
/// ambiguous, E0689); `skip(2)` leaves nothing of `take(2)`.
#[differentiate]
fn skip_of_sub_slice(x: &[f64]) -> f64 {
    let r = &x[1..4];
    let mut s = x[0] * x[5];
    for v in r.iter().take(2).skip(2).copied() {
        s += v * v;
    }
    for v in r.iter().skip(1).take(3) {
        s += v.sin() * r[0];
    }
    s + r.windows(2).map(|w| w[0] * w[1]).sum::<f64>()
}

#[differentiate]
fn chunks_windows(x: &[f64]) -> f64 {
    let a: f64 = x.chunks(4).map(|c| c[0] * c[c.len() - 1]).sum();
    let b: f64 = x
        .chunks(4)
        .map(|c| c.iter().map(|v| v * v).sum::<f64>())
        .sum();
    let d: f64 = x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let e: f64 = x.windows(3).map(|w| w[0] * w[1] * w[2]).sum();
    a + b * d + e
}

#[differentiate]
fn max_and_min(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let n = x.iter().copied().fold(f64::INFINITY, f64::min);
    let a = *x.iter().max_by(|a, b| a.total_cmp(b)).unwrap();
    let b = x
        .iter()
        .copied()
        .min_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    let s: f64 = x.iter().map(|v| v.sin()).sum();
    m * n + a * s - b
}

#[differentiate]
fn range_chain(x: &[f64], w: &[f64]) -> f64 {
    (0..x.len()).map(|i| x[i] * w[i]).sum::<f64>()
        + (1..x.len()).map(|i| x[i] * x[i - 1]).sum::<f64>()
}

#[differentiate]
fn filter_count(x: &[f64]) -> f64 {
    let pos: f64 = x.iter().filter(|v| **v > 0.0).map(|v| v * v).sum();
    let n = x.iter().filter(|v| **v > 0.0).count();
    pos * n as f64 + x.iter().count() as f64
}

#[differentiate]
fn for_each_acc(x: &[f64]) -> f64 {
    let mut s = 0.0;
    x.iter().for_each(|v| s += v.sin() * v);
    s
}

// ----- 2. `for` over containers ---------------------------------------------------

#[differentiate]
fn for_forms(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for xi in x {
        s += xi * xi;
    }
    for &xi in x {
        s += xi.sin();
    }
    for xi in x.iter() {
        s += 0.5 * xi;
    }
    for (i, xi) in x.iter().enumerate() {
        s += (i as f64) * xi.cos();
    }
    for (a, b) in x.iter().zip(w) {
        s += a * b;
    }
    for v in x.windows(2) {
        s += v[0] * v[1];
    }
    s
}

#[differentiate]
fn iter_mut_writes(x: &[f64]) -> f64 {
    let mut y = x.to_vec();
    for yi in y.iter_mut() {
        *yi = yi.sin() * 2.0;
    }
    for yi in &mut y {
        *yi *= 1.5;
    }
    let mut s = 0.0;
    for v in &y {
        s += v * v;
    }
    s
}

#[differentiate]
fn for_over_vec_value(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
    let mut s = 0.0;
    for v in y {
        s += v.exp();
    }
    s
}

// ----- 3. local closures ------------------------------------------------------------

#[differentiate]
fn closures_direct(x: &[f64]) -> f64 {
    let sq = |v: f64| v * v;
    let a = x[0];
    let scale = 2.0;
    let lin = |v: f64| a * v + scale;
    let body = |u: f64, v: f64| {
        let t = u * v;
        t.sin() + sq(u)
    };
    sq(x[1]) + lin(x[2]) * body(x[3], x[1] + x[2])
}

#[differentiate]
fn closures_in_adapters(x: &[f64]) -> f64 {
    let sq = |v: f64| v * v;
    let a = x[0];
    let shift = |v: &f64| a * v + 1.0;
    let s1: f64 = x.iter().copied().map(sq).sum();
    let s2: f64 = x.iter().map(shift).map(|v| v.sin()).sum();
    s1 * s2
}

#[differentiate]
fn closure_in_loop(x: &[f64]) -> f64 {
    let c = 0.25;
    let f = |v: f64| (c * v).tanh();
    let mut s = 0.0;
    for i in 0..x.len() {
        s += f(x[i]) * x[i];
    }
    s
}

// ----- 4. `if let Some`, `[f64; N]::map`, generic floats -----------------------------

// (`scale` holds a float: left out explicitly, never silently.)
#[differentiate(wrt(x))]
fn if_let_some(x: &[f64], scale: Option<f64>) -> f64 {
    let mut s: f64 = x.iter().map(|v| v * v).sum();
    if let Some(c) = scale {
        s *= c;
    } else {
        s = s.sqrt();
    }
    s
}

#[differentiate]
fn array_map(p: [f64; 3]) -> f64 {
    let q = p.map(|v| v.sin() * 2.0);
    let [a, _, b] = p.map(|v| 4.0 * v - 2.0);
    q[0] * q[1] + q[2] * a - b
}

#[differentiate]
fn generic_chain<T: Real + std::iter::Sum>(x: &[T]) -> T {
    let s: T = x.iter().map(|v| *v * *v).sum();
    let t = x
        .iter()
        .zip(x.iter().skip(1))
        .map(|(a, b)| *a * *b)
        .sum::<T>();
    s * t
}

/// Integer sums next to float ones: `sum::<usize>()` and a sum typed by its
/// `let` start from `0`, not `0.0`.
#[differentiate]
fn integer_sums(x: &[f64]) -> f64 {
    let n = (0..x.len()).map(|i| i * 2).sum::<usize>();
    let m: i64 = (1..4).map(|k: i64| k * k).sum();
    x.iter().map(|v| v * v).sum::<f64>() * (n as f64) + x[0] * (m as f64)
}

/// An empty float sum is `-0.0` in Rust (std's `Sum` for floats starts from
/// `-0.0`); so is its value in every mode.
#[differentiate]
fn empty_sum(x: &[f64], k: usize) -> f64 {
    x.iter().skip(k).map(|v| v * 2.0).sum()
}

#[differentiate]
fn empty_generic_sum<T: Real + std::iter::Sum>(x: &[T], k: usize) -> T {
    x.iter().skip(k).map(|v| *v * *v).sum::<T>()
}

// ----- the tests ------------------------------------------------------------------

#[test]
fn chains_sum_product_fold_collect() {
    check1!(
        map_sum,
        map_sum_jvp,
        map_sum_vjp,
        map_sum_grad,
        map_sum_hvp,
        &X
    );
    check2!(
        zip_sum,
        zip_sum_jvp,
        zip_sum_vjp,
        zip_sum_grad,
        zip_sum_hvp,
        &Z
    );
    check1!(
        fold_sum,
        fold_sum_jvp,
        fold_sum_vjp,
        fold_sum_grad,
        fold_sum_hvp,
        &X
    );
    check1!(
        product_of,
        product_of_jvp,
        product_of_vjp,
        product_of_grad,
        product_of_hvp,
        &X
    );
    check1!(
        collect_then_read,
        collect_then_read_jvp,
        collect_then_read_vjp,
        collect_then_read_grad,
        collect_then_read_hvp,
        &X
    );
    check1!(
        copied_cloned,
        copied_cloned_jvp,
        copied_cloned_vjp,
        copied_cloned_grad,
        copied_cloned_hvp,
        &X
    );
}

#[test]
fn chains_reordering_adapters() {
    check1!(
        rev_enumerate,
        rev_enumerate_jvp,
        rev_enumerate_vjp,
        rev_enumerate_grad,
        rev_enumerate_hvp,
        &X
    );
    check1!(
        skip_take_step,
        skip_take_step_jvp,
        skip_take_step_vjp,
        skip_take_step_grad,
        skip_take_step_hvp,
        &X
    );
    check1!(
        skip_of_sub_slice,
        skip_of_sub_slice_jvp,
        skip_of_sub_slice_vjp,
        skip_of_sub_slice_grad,
        skip_of_sub_slice_hvp,
        &X
    );
    check1!(
        chunks_windows,
        chunks_windows_jvp,
        chunks_windows_vjp,
        chunks_windows_grad,
        chunks_windows_hvp,
        &X
    );
    // 7 elements: a last chunk shorter than the others.
    let x7 = [0.7, -1.3, 0.4, 2.1, -0.2, 1.6, 0.9];
    check1!(
        chunks_windows,
        chunks_windows_jvp,
        chunks_windows_vjp,
        chunks_windows_grad,
        chunks_windows_hvp,
        &x7
    );
    check2!(
        range_chain,
        range_chain_jvp,
        range_chain_vjp,
        range_chain_grad,
        range_chain_hvp,
        &Z
    );
}

#[test]
fn chains_max_min_filter_for_each() {
    check1!(
        max_and_min,
        max_and_min_jvp,
        max_and_min_vjp,
        max_and_min_grad,
        max_and_min_hvp,
        &X
    );
    check1!(
        filter_count,
        filter_count_jvp,
        filter_count_vjp,
        filter_count_grad,
        filter_count_hvp,
        &X
    );
    check1!(
        for_each_acc,
        for_each_acc_jvp,
        for_each_acc_vjp,
        for_each_acc_grad,
        for_each_acc_hvp,
        &X
    );
    // Values against numbers worked out by hand.
    let x = [1.0, 3.0, -2.0];
    close(
        "max",
        max_and_min(&x),
        3.0 * -2.0 + 3.0 * (1f64.sin() + 3f64.sin() - 2f64.sin()) + 2.0,
        1e-15,
    );
    assert_eq!(filter_count(&x), (1.0 + 9.0) * 2.0 + 3.0);
}

#[test]
fn for_loops_over_containers() {
    check2!(
        for_forms,
        for_forms_jvp,
        for_forms_vjp,
        for_forms_grad,
        for_forms_hvp,
        &Z
    );
    check1!(
        iter_mut_writes,
        iter_mut_writes_jvp,
        iter_mut_writes_vjp,
        iter_mut_writes_grad,
        iter_mut_writes_hvp,
        &X
    );
    check1!(
        for_over_vec_value,
        for_over_vec_value_jvp,
        for_over_vec_value_vjp,
        for_over_vec_value_grad,
        for_over_vec_value_hvp,
        &X
    );
}

#[test]
fn local_closures() {
    check1!(
        closures_direct,
        closures_direct_jvp,
        closures_direct_vjp,
        closures_direct_grad,
        closures_direct_hvp,
        &X
    );
    check1!(
        closures_in_adapters,
        closures_in_adapters_jvp,
        closures_in_adapters_vjp,
        closures_in_adapters_grad,
        closures_in_adapters_hvp,
        &X
    );
    check1!(
        closure_in_loop,
        closure_in_loop_jvp,
        closure_in_loop_vjp,
        closure_in_loop_grad,
        closure_in_loop_hvp,
        &X
    );
}

#[test]
fn if_let_array_map_generic() {
    for scale in [Some(1.5), None] {
        let f = |x: &[f64]| if_let_some(x, scale);
        let jvp = |x: &[f64], v: &[f64]| if_let_some_jvp(x, v, scale);
        let vjp = |x: &[f64], w: f64| if_let_some_vjp(x, scale, w);
        let grad = |x: &[f64]| if_let_some_grad(x, scale);
        let hvp = |x: &[f64], v: &[f64]| if_let_some_hvp(x, v, scale);
        check(
            "if_let_some",
            &X,
            &Modes {
                f: &f,
                jvp: &jvp,
                vjp: &vjp,
                grad: &grad,
                hvp: &hvp,
            },
        );
    }
    let a = |x: &[f64]| -> [f64; 3] { x.try_into().unwrap() };
    let f = |x: &[f64]| array_map(a(x));
    let jvp = |x: &[f64], v: &[f64]| array_map_jvp(a(x), a(v));
    let vjp = |x: &[f64], w: f64| {
        let (y, b) = array_map_vjp(a(x), w);
        (y, b.to_vec())
    };
    let grad = |x: &[f64]| {
        let (y, b) = array_map_grad(a(x));
        (y, b.to_vec())
    };
    let hvp = |x: &[f64], v: &[f64]| {
        let (y, b, h) = array_map_hvp(a(x), a(v));
        (y, b.to_vec(), h.to_vec())
    };
    check(
        "array_map",
        &X[..3],
        &Modes {
            f: &f,
            jvp: &jvp,
            vjp: &vjp,
            grad: &grad,
            hvp: &hvp,
        },
    );
    let f = |x: &[f64]| generic_chain(x);
    let jvp = |x: &[f64], v: &[f64]| generic_chain_jvp(x, v);
    let vjp = |x: &[f64], w: f64| generic_chain_vjp(x, w);
    let grad = |x: &[f64]| generic_chain_grad(x);
    let hvp = |x: &[f64], v: &[f64]| generic_chain_hvp(x, v);
    check(
        "generic_chain",
        &X,
        &Modes {
            f: &f,
            jvp: &jvp,
            vjp: &vjp,
            grad: &grad,
            hvp: &hvp,
        },
    );
    // And in f32.
    let x32 = [0.5f32, -1.0, 2.0];
    let (v, g) = generic_chain_grad(&x32[..]);
    assert!((v - generic_chain(&x32[..])).abs() < 1e-6 && g.len() == 3);
}

// ----- 5. vector outputs ----------------------------------------------------------

#[differentiate]
fn squares(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * v.sin()).collect()
}

#[differentiate]
fn mapped_array(p: [f64; 3]) -> [f64; 3] {
    p.map(|v| v.exp() * 0.5)
}

/// `_jvp` against finite differences on every output, `_vjp` by the
/// dot-product identity.
fn check_vector(
    name: &str,
    x: &[f64],
    f: &dyn Fn(&[f64]) -> Vec<f64>,
    jvp: &dyn Fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>),
    vjp: &dyn Fn(&[f64], &[f64]) -> (Vec<f64>, Vec<f64>),
) {
    let y = f(x);
    let mut rand = rng(7);
    let h = 1e-6;
    for _ in 0..3 {
        let t: Vec<f64> = (0..x.len()).map(|_| rand()).collect();
        let c: Vec<f64> = (0..y.len()).map(|_| rand()).collect();
        let (yj, jt) = jvp(x, &t);
        let (yv, jc) = vjp(x, &c);
        let (yp, ym) = (f(&shifted(x, &t, h)), f(&shifted(x, &t, -h)));
        for k in 0..y.len() {
            close(&format!("{name}: jvp value[{k}]"), yj[k], y[k], 1e-14);
            close(&format!("{name}: vjp value[{k}]"), yv[k], y[k], 1e-14);
            close(
                &format!("{name}: jvp[{k}] vs finite differences"),
                jt[k],
                (yp[k] - ym[k]) / (2.0 * h),
                1e-6,
            );
        }
        close(
            &format!("{name}: dot-product identity"),
            dot(&jt, &c),
            dot(&t, &jc),
            1e-12,
        );
    }
}

#[test]
fn vector_outputs() {
    check_vector(
        "squares",
        &X,
        &|x| squares(x),
        &|x, t| squares_jvp(x, t),
        &|x, c| squares_vjp(x, c.to_vec()),
    );
    let a = |x: &[f64]| -> [f64; 3] { x.try_into().unwrap() };
    check_vector(
        "mapped_array",
        &X[..3],
        &|x| mapped_array(a(x)).to_vec(),
        &|x, t| {
            let (y, d) = mapped_array_jvp(a(x), a(t));
            (y.to_vec(), d.to_vec())
        },
        &|x, c| {
            let (y, b) = mapped_array_vjp(a(x), a(c));
            (y.to_vec(), b.to_vec())
        },
    );
    // `_vjp_many` (generated here: its reverse sweep records nothing): the
    // rows of the Jacobian, diag(exp(p) / 2), and `_vjp` for each seed.
    let p = [0.3, -0.7, 1.1];
    let seeds = [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.5, -1.0, 2.0],
    ];
    let (y, rows) = mapped_array_vjp_many(p, seeds);
    assert_eq!(y, mapped_array(p));
    for (k, row) in rows.iter().enumerate() {
        let (_, b) = mapped_array_vjp(p, seeds[k]);
        for i in 0..3 {
            close("mapped_array: vjp_many vs vjp", row[i], b[i], 1e-15);
            close(
                "mapped_array: vjp_many vs the Jacobian",
                row[i],
                seeds[k][i] * p[i].exp() * 0.5,
                1e-14,
            );
        }
    }
}

#[test]
fn sums_of_integers_and_the_sign_of_an_empty_sum() {
    check1!(
        integer_sums,
        integer_sums_jvp,
        integer_sums_vjp,
        integer_sums_grad,
        integer_sums_hvp,
        &X
    );
    let x = [0.5, -1.5];
    let v = [1.0, 2.0];
    // Not empty: the ordinary sum (a start of -0.0 changes no other value).
    assert_eq!(empty_sum(&x, 1), -3.0);
    assert_eq!(empty_sum_jvp(&x, &v, 1), (-3.0, 4.0));
    let neg_zero = (-0.0f64).to_bits();
    assert_eq!(empty_sum(&x, 2).to_bits(), neg_zero);
    assert_eq!(empty_sum_jvp(&x, &v, 2,).0.to_bits(), neg_zero);
    assert_eq!(empty_sum_vjp(&x, 2, 1.0).0.to_bits(), neg_zero);
    assert_eq!(empty_sum_grad(&x, 2).0.to_bits(), neg_zero);
    assert_eq!(empty_sum_hvp(&x, &v, 2).0.to_bits(), neg_zero);
    assert_eq!(empty_sum_grad(&x, 2).1, [0.0, 0.0]);
    assert_eq!(empty_generic_sum(&x, 2).to_bits(), neg_zero);
    assert_eq!(empty_generic_sum_jvp(&x, &v, 2).0.to_bits(), neg_zero);
    assert_eq!(empty_generic_sum_grad(&x, 2).0.to_bits(), neg_zero);
    assert_eq!(
        empty_generic_sum(&[0.5f32], 1).to_bits(),
        (-0.0f32).to_bits()
    );
}
