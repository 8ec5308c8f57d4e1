//! Reverse mode through calls in split form: the callee's forward sweep
//! runs once, saves on its caller's stream, and its pullback reads the
//! stream back when the caller's reverse sweep reaches the call. These
//! functions interleave a caller's saves with its callees' on one stream
//! (loops, branches that leave a loop, calls three deep, a result nothing
//! reads, recursion); each gradient is checked against central finite
//! differences, and `_vjp` with a seed against the gradient.

use ad::check::check_gradient;
use ad::differentiate;

/// Saves on the stream: `s` is overwritten in a loop and read by `sin`.
#[differentiate]
fn leaf(x: &[f64], k: f64) -> f64 {
    let mut s = k;
    for i in 0..x.len() {
        s = (s * x[i]).sin() + s;
    }
    s
}

/// Calls `leaf` in a loop whose carried value is saved before and after
/// each call, and in a branch.
#[differentiate]
fn middle(x: &[f64], k: f64) -> f64 {
    let mut t = k;
    for j in 0..3 {
        t = t * 0.5 + leaf(x, t + j as f64);
        if t > 2.0 {
            t = leaf(&x[1..], t * 0.1).cos();
        }
    }
    t
}

/// Three deep, with a `while` loop and a value read after the calls.
#[differentiate]
fn top(x: &[f64], k: f64) -> f64 {
    let mut acc = 0.0;
    let mut m = k;
    let mut n = 0;
    while n < 2 {
        let a = middle(x, m);
        m = (m * a).tanh() + 1.0;
        acc += a * m;
        n += 1;
    }
    acc + leaf(x, acc * 0.01)
}

/// A loop that leaves early, with a call before the exit test.
#[differentiate]
fn early_exit(x: &[f64], k: f64) -> f64 {
    let mut y = k;
    for i in 0..10 {
        y = leaf(x, y * 0.3) + i as f64 * 0.01;
        if y > 3.0 {
            return y * y;
        }
    }
    y
}

/// The first call's value is overwritten before anything reads it: its
/// pullback still runs (with a zero cotangent), so that the stream is read
/// back in order.
#[differentiate]
fn unread_result(x: &[f64], k: f64) -> f64 {
    let mut y = 0.0;
    for i in 0..2 {
        y = leaf(x, k + i as f64);
        y = k * x[0] + y * 0.0 + leaf(x, k * 0.5);
    }
    #[allow(unused_assignments)]
    let mut z = leaf(x, k);
    z = y * 2.0;
    z
}

/// Recursion is called in joint mode (a split form would contain itself).
#[differentiate]
fn rec(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        (rec(x, n - 1) * 0.9).sin() + x
    }
}

fn check(what: &str, f: impl Fn(&[f64]) -> f64, grad: impl Fn(&[f64]) -> (f64, Vec<f64>)) {
    for p in [
        vec![0.3, -0.4, 0.7, 0.2],
        vec![1.1, 0.5, -0.9, 0.4],
        vec![-0.2, 0.8, 0.6, 1.3],
    ] {
        let (v, g) = grad(&p);
        assert_eq!(v, f(&p), "{what}: value at {p:?}");
        assert!(
            g.iter().any(|g| g.abs() > 1e-3),
            "{what}: a zero gradient tests nothing"
        );
        // Central differences with a small step: the derivatives reach 60,
        // with strong curvature (`check_gradient`'s step is too coarse).
        for i in 0..p.len() {
            let h = 1e-6;
            let (mut a, mut b) = (p.clone(), p.clone());
            a[i] += h;
            b[i] -= h;
            let fd = (f(&a) - f(&b)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-6 * (1.0 + fd.abs()),
                "{what} at {p:?}, entry {i}: {} against finite differences {fd}",
                g[i]
            );
        }
    }
}

/// `p = [k, x...]`.
fn split_k(p: &[f64]) -> (f64, &[f64]) {
    (p[0], &p[1..])
}

macro_rules! checks {
    ($name:ident, $f:ident, $grad:ident, $vjp:ident) => {
        #[test]
        fn $name() {
            check(
                stringify!($f),
                |p| {
                    let (k, x) = split_k(p);
                    $f(x, k)
                },
                |p| {
                    let (k, x) = split_k(p);
                    let (v, gx, gk) = $grad(x, k);
                    let mut g = vec![gk];
                    g.extend(gx);
                    (v, g)
                },
            );
            let x = [0.4, -0.3, 0.8, 0.5];
            let (_, gx, gk) = $grad(&x, 0.6);
            let (_, vx, vk) = $vjp(&x, 0.6, -2.5);
            assert!(
                (vk + 2.5 * gk).abs() <= 1e-13 * (1.0 + gk.abs()),
                "{vk} vs {gk}"
            );
            for (a, b) in vx.iter().zip(&gx) {
                assert!((a + 2.5 * b).abs() <= 1e-13 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    };
}

checks!(
    a_caller_and_its_callee_on_one_stream,
    middle,
    middle_grad,
    middle_vjp
);
checks!(calls_three_deep_in_a_while_loop, top, top_grad, top_vjp);
checks!(
    a_call_before_an_early_exit,
    early_exit,
    early_exit_grad,
    early_exit_vjp
);
checks!(
    a_result_nothing_reads,
    unread_result,
    unread_result_grad,
    unread_result_vjp
);

#[test]
fn recursion_in_joint_mode() {
    for n in [0, 1, 4] {
        let (v, g) = rec_grad(0.7, n);
        assert_eq!(v, rec(0.7, n));
        check_gradient(|p| rec(p[0], n), &[0.7], &[g]).assert_close(1e-8, 1e-8);
    }
}

/// Second order through the same calls (joint mode inside the HVP):
/// against finite differences of the gradient.
#[test]
fn hvp_through_split_callers() {
    let x = [0.4, -0.3, 0.8, 0.5];
    let v = [0.3, 0.2, -0.5, 0.1];
    let (_, _, _, hx, hk) = middle_hvp(&x, &v, 0.6, 0.7);
    let h = 1e-5;
    let shifted = |s: f64| {
        let xs: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + s * b).collect();
        middle_grad(&xs, 0.6 + s * 0.7)
    };
    let (_, gp, kp) = shifted(h);
    let (_, gm, km) = shifted(-h);
    assert!((hk - (kp - km) / (2.0 * h)).abs() < 1e-6, "{hk}");
    for i in 0..4 {
        let fd = (gp[i] - gm[i]) / (2.0 * h);
        assert!(
            (hx[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{} vs {fd}",
            hx[i]
        );
    }
}

/// The split form's gradient equals the joint form's (second order runs
/// its reverse sweep in joint mode, which reruns each callee's forward
/// sweep) to rounding: the same operations, except that a pullback adds a
/// slice's cotangent straight into its caller's, so sums may associate
/// differently, and that second order computes a callee's cotangents for
/// the output cotangent one and scales them (`s (a b)` for `(s a) b`). So
/// the rounding is of the order of the gradient's largest entry (an entry
/// that cancels, as `-2.6e-4` here among entries of `0.2`, carries it).
#[test]
fn split_and_joint_forms_agree() {
    fn same(a: (Vec<f64>, f64), b: (Vec<f64>, f64)) {
        let scale =
            a.0.iter()
                .chain(&b.0)
                .fold(a.1.abs().max(b.1.abs()), |m, x| m.max(x.abs()));
        let close = |x: f64, y: f64| (x - y).abs() <= 4.0 * f64::EPSILON * scale;
        assert!(
            close(a.1, b.1)
                && a.0.len() == b.0.len()
                && a.0.iter().zip(&b.0).all(|(x, y)| close(*x, *y)),
            "{a:?} vs {b:?}"
        );
    }
    for p in [
        vec![0.3, -0.4, 0.7, 0.2],
        vec![1.1, 0.5, -0.9, 0.4],
        vec![-0.2, 0.8, 0.6, 1.3],
    ] {
        let (k, x) = split_k(&p);
        let zero = [0.0; 3];
        let (_, gx, gk) = middle_grad(x, k);
        let (_, jx, jk, _, _) = middle_hvp(x, &zero, k, 0.0);
        same((gx, gk), (jx, jk));
        let (_, gx, gk) = top_grad(x, k);
        let (_, jx, jk, _, _) = top_hvp(x, &zero, k, 0.0);
        same((gx, gk), (jx, jk));
        let (_, gx, gk) = unread_result_grad(x, k);
        let (_, jx, jk, _, _) = unread_result_hvp(x, &zero, k, 0.0);
        same((gx, gk), (jx, jk));
    }
}
