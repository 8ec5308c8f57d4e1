//! Parameters that become active by assignment rather than by being declared
//! active: `mut` parameters left out of `wrt(...)` that take active values
//! (in loops, branches and through calls), and in/out `&mut [f64]` buffers
//! (Enzyme's `Duplicated`: initial contents in, final contents out), in
//! every mode against finite differences and hand-derived values.

// Generated code must not warn, whatever the branches leave unread.
#![deny(warnings)]

use ad::check::{check_gradient, check_jvp, fd_gradient, fd_jvp};
use ad::differentiate;

/// `|a - b| <= tol (1 + |b|)`, with a message.
fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: {a} against {b}"
    );
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

// ----- the cases -------------------------------------------------------

#[differentiate(wrt(x))]
fn accumulate(x: f64, mut c: f64) -> f64 {
    for _ in 0..3 {
        c += x;
    }
    c * c
}

#[differentiate(wrt(x))]
fn branch(x: f64, mut c: f64) -> f64 {
    if x > 0.0 {
        c += x;
    }
    c * c
}

#[test]
fn a_mut_scalar_left_out_of_wrt_and_updated_in_a_loop() {
    // (c + 3x)^2: d/dx = 6 (c + 3x) = 30.6, d2/dx2 = 18 at x = 0.7, c = 3.
    let (x, c) = (0.7, 3.0);
    let (v, d) = accumulate_jvp(x, 1.0, c);
    assert_eq!(v, accumulate(x, c));
    close("accumulate_jvp", d, 30.6, 1e-14);
    let (_, g) = accumulate_grad(x, c);
    close("accumulate_grad", g, 30.6, 1e-14);
    let (_, g, hv) = accumulate_hvp(x, 1.0, c);
    close("accumulate_hvp gradient", g, 30.6, 1e-14);
    close("accumulate_hvp", hv, 18.0, 1e-14);
    let fd = fd_gradient(|p| accumulate(p[0], c), &[x])[0];
    close("accumulate_jvp against finite differences", d, fd, 1e-9);
}

#[test]
fn a_mut_scalar_left_out_of_wrt_and_updated_in_a_branch() {
    // (c + x)^2 for x > 0: d/dx = 2 (c + x) = 7.4, d2/dx2 = 2.
    let (x, c) = (0.7, 3.0);
    close("branch_jvp", branch_jvp(x, 1.0, c).1, 7.4, 1e-14);
    close("branch_grad", branch_grad(x, c).1, 7.4, 1e-14);
    close("branch_hvp", branch_hvp(x, 1.0, c).2, 2.0, 1e-14);
    // The branch not taken: (c)^2 does not depend on x.
    assert_eq!(branch_jvp(-0.7, 1.0, c).1, 0.0);
}

// ----- realistic forms ---------------------------------------------------------

/// Explicit Euler for y' = -k y^2 + sin(y), the state `y` a `mut`
/// parameter, differentiated in the rate `k` only.
#[differentiate(wrt(k))]
fn euler(k: f64, mut y: f64, steps: usize) -> f64 {
    let h = 0.1;
    for _ in 0..steps {
        y += h * (-k * y * y + y.sin());
    }
    y
}

/// Lotka-Volterra by explicit Euler with an array state `mut y: [f64; 2]`,
/// differentiated in the prey's growth rate.
#[differentiate(wrt(alpha))]
fn lotka_volterra(alpha: f64, mut y: [f64; 2], steps: usize) -> f64 {
    let (beta, gamma, delta, h) = (0.4, 0.4, 0.1, 0.01);
    for _ in 0..steps {
        let prey = alpha * y[0] - beta * y[0] * y[1];
        let predator = delta * y[0] * y[1] - gamma * y[1];
        y[0] += h * prey;
        y[1] += h * predator;
    }
    y[0] * y[1]
}

/// A `mut buf: Vec<f64>` filled with active values, then reduced.
#[differentiate(wrt(w))]
fn fill(w: &[f64], mut buf: Vec<f64>) -> f64 {
    for i in 0..w.len() {
        buf[i] += w[i] * w[i];
    }
    let mut s = 0.0;
    for i in 0..buf.len() {
        s += buf[i] * buf[i];
    }
    s
}

#[differentiate]
fn relax(c: f64, x: f64) -> f64 {
    0.5 * c + x.sin()
}

/// A `mut` parameter left out of `wrt` updated through a call.
#[differentiate(wrt(x))]
fn through_call(x: f64, mut c: f64) -> f64 {
    for _ in 0..4 {
        c = relax(c, x * c);
    }
    c
}

/// Checks `f_jvp`, `f_grad` and `f_hvp` of a function of one active scalar
/// against central differences of the function and of its gradient.
macro_rules! check_scalar {
    ($what:expr, $f:expr, $jvp:expr, $grad:expr, $hvp:expr, $x:expr) => {{
        let x: f64 = $x;
        let fd = fd_gradient(|p| $f(p[0]), &[x])[0];
        let (v, d) = $jvp(x, 1.0);
        assert_eq!(v, $f(x), "{} value", $what);
        assert!(
            fd.abs() > 1e-3,
            "{}: a derivative that vanishes tests nothing",
            $what
        );
        close(&format!("{} jvp", $what), d, fd, 1e-8);
        close(&format!("{} grad", $what), $grad(x).1, fd, 1e-8);
        let (_, g, hv) = $hvp(x, 1.0);
        close(&format!("{} hvp gradient", $what), g, fd, 1e-8);
        let fd2 = fd_gradient(|p| $grad(p[0]).1, &[x])[0];
        assert!(
            fd2.abs() > 1e-3,
            "{}: a second derivative that vanishes tests nothing",
            $what
        );
        close(&format!("{} hvp", $what), hv, fd2, 1e-7);
    }};
}

#[test]
fn an_ode_state_left_out_of_wrt() {
    check_scalar!(
        "euler",
        |k| euler(k, 1.3, 40),
        |k, dk| euler_jvp(k, dk, 1.3, 40),
        |k| euler_grad(k, 1.3, 40),
        |k, vk| euler_hvp(k, vk, 1.3, 40),
        0.8
    );
    check_scalar!(
        "lotka_volterra",
        |a| lotka_volterra(a, [10.0, 5.0], 200),
        |a, da| lotka_volterra_jvp(a, da, [10.0, 5.0], 200),
        |a| lotka_volterra_grad(a, [10.0, 5.0], 200),
        |a, va| lotka_volterra_hvp(a, va, [10.0, 5.0], 200),
        1.1
    );
    check_scalar!(
        "through_call",
        |x| through_call(x, 0.4),
        |x, dx| through_call_jvp(x, dx, 0.4),
        |x| through_call_grad(x, 0.4),
        |x, vx| through_call_hvp(x, vx, 0.4),
        0.9
    );
}

#[test]
fn a_mut_vec_left_out_of_wrt() {
    let (w, buf) = ([0.5, -1.2, 2.0], vec![0.3, 0.1, -0.4]);
    let f = |w: &[f64]| fill(w, buf.clone());
    let t = [1.0, 0.5, -0.25];
    let (v, d) = fill_jvp(&w, &t, buf.clone());
    assert_eq!(v, f(&w));
    check_jvp(|w| vec![f(w)], &w, &t, &[d]).assert_close(1e-8, 1e-8);
    let (_, g) = fill_grad(&w, buf.clone());
    check_gradient(f, &w, &g).assert_close(1e-8, 1e-8);
    let (_, _, hv) = fill_hvp(&w, &t, buf.clone());
    let fd = fd_jvp(|w| fill_grad(w, buf.clone()).1, &w, &t);
    ad::check::compare(&hv, &fd).assert_close(1e-7, 1e-7);
    assert!(
        hv.iter().all(|h| h.abs() > 1e-3),
        "a zero HVP tests nothing"
    );
}

// ----- in/out buffers ----------------------------------------------------------

/// An update in place that reads the initial contents: x <- k x + sin(x).
#[differentiate]
fn update(k: f64, x: &mut [f64]) {
    for i in 0..x.len() {
        x[i] = x[i] * k + x[i].sin();
    }
}

/// Partly overwritten: element 0 with a constant, element 1 read but never
/// written, the rest read and written, and a scalar result.
#[differentiate]
fn partial(a: f64, x: &mut [f64]) -> f64 {
    x[0] = 2.0;
    let mut s = 0.0;
    for i in 2..x.len() {
        s += x[i] * a;
        x[i] = a * x[i - 1];
    }
    s * s + x[1]
}

/// `update` as a map (k, x0) -> x1.
fn update_map(p: &[f64]) -> Vec<f64> {
    let mut x = p[1..].to_vec();
    update(p[0], &mut x);
    x
}

/// `partial` as a map (a, x0) -> (value, x1).
fn partial_map(p: &[f64]) -> Vec<f64> {
    let mut x = p[1..].to_vec();
    let s = partial(p[0], &mut x);
    [vec![s], x].concat()
}

#[test]
fn in_out_buffers_read_and_written_in_place() {
    let (k, x0) = (0.7, [0.3, -1.1, 2.0]);
    let (t, c) = ([0.4, -0.2, 1.0, 0.5], [1.5, -0.5, 0.25]);
    let p = [&[k][..], &x0].concat();
    // Forward: the tangent buffer holds the tangent of the initial contents
    // in, of the final contents out.
    let (mut x, mut dx) = (x0, [t[1], t[2], t[3]]);
    update_jvp(k, t[0], &mut x, &mut dx);
    assert_eq!(x.to_vec(), update_map(&p));
    check_jvp(update_map, &p, &t, &dx).assert_close(1e-8, 1e-8);
    // Reverse: the cotangent buffer holds the cotangent of the final
    // contents in, of the initial contents out.
    let (mut x, mut x_bar) = (x0, c);
    let k_bar = update_vjp(k, &mut x, &mut x_bar);
    assert_eq!(x.to_vec(), update_map(&p));
    // <J t, c> = <t, J^T c>
    let lhs = dot(&dx, &c);
    let rhs = t[0] * k_bar + dot(&t[1..], &x_bar);
    close("update: dot-product identity", lhs, rhs, 1e-13);
    // By hand: x_bar_i = c_i (k + cos x_i), k_bar = sum c_i x_i.
    for i in 0..3 {
        close("update x_bar", x_bar[i], c[i] * (k + x0[i].cos()), 1e-14);
    }
    close("update k_bar", k_bar, dot(&c, &x0), 1e-14);
}

#[test]
fn in_out_buffers_partly_overwritten() {
    let (a, x0) = (0.8, [5.0, -1.1, 2.0, 0.6]);
    let p = [&[a][..], &x0].concat();
    let t = [0.3, 1.0, -0.7, 0.5, 2.0];
    let (mut x, mut dx) = (x0, [t[1], t[2], t[3], t[4]]);
    let (v, dv) = partial_jvp(a, t[0], &mut x, &mut dx);
    let mapped = partial_map(&p);
    assert_eq!([vec![v], x.to_vec()].concat(), mapped);
    // Element 0 was overwritten with a constant: its tangent is zero.
    assert_eq!(dx[0], 0.0);
    // Element 1 is never written: its tangent passes through.
    assert_eq!(dx[1], t[2]);
    let jt = [vec![dv], dx.to_vec()].concat();
    check_jvp(partial_map, &p, &t, &jt).assert_close(1e-8, 1e-8);
    let (c, cx) = (0.7, [9.0, -0.5, 1.5, 0.25]);
    let (mut x, mut x_bar) = (x0, cx);
    let (v2, a_bar) = partial_vjp(a, &mut x, &mut x_bar, c);
    assert_eq!(v2, v);
    // Overwritten without being read: a zero cotangent. Element 1 is never
    // written: its final cotangent passes through, plus what its reads
    // contribute (the result, x2 = a x1 and x3 = a x2 = a^2 x1).
    assert_eq!(x_bar[0], 0.0);
    let by_hand = cx[1] + c + a * cx[2] + a * a * cx[3];
    close("partial x_bar[1]", x_bar[1], by_hand, 1e-15);
    let lhs = dot(&jt, &[&[c][..], &cx].concat());
    let rhs = t[0] * a_bar + dot(&t[1..], &x_bar);
    close("partial: dot-product identity", lhs, rhs, 1e-13);
}

// ----- the audit: more ways a parameter left out of `wrt` becomes active --------

#[differentiate(wrt(x))]
fn max_in_branch(x: f64, mut c: f64) -> f64 {
    if x > 0.0 {
        c = c.max(x);
    }
    c * x
}

/// Read before the loop makes it active (the loop's second round).
#[differentiate(wrt(x))]
fn read_before_update(x: f64, mut c: f64) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        s += c.sin();
        c *= x;
    }
    s
}

#[differentiate]
fn affine(c: f64, x: f64) -> f64 {
    c * x + 1.0
}

#[differentiate(wrt(x))]
fn call_in_branch(x: f64, mut c: f64) -> f64 {
    if x > 0.0 {
        c = affine(c, x);
    }
    c * c
}

#[differentiate(wrt(x))]
fn if_value_in_loop(x: f64, mut c: f64, n: usize) -> f64 {
    for _ in 0..n {
        c = if c > 1.0 { c * 0.5 } else { c + x };
    }
    c * c
}

#[differentiate(wrt(x))]
fn in_while(x: f64, mut c: f64) -> f64 {
    let mut i = 0;
    while i < 3 {
        c = c * x + 1.0;
        i += 1;
    }
    c
}

#[differentiate(wrt(x))]
fn in_match(x: f64, mut c: f64, k: usize) -> f64 {
    for j in 0..3 {
        match (k + j) % 2 {
            0 => c += x,
            _ => c *= x,
        }
    }
    c
}

#[differentiate(wrt(x))]
fn array_neighbours(x: f64, mut c: [f64; 2]) -> f64 {
    for i in 0..2 {
        c[i] += c[1 - i] * x;
    }
    c[0] * c[1]
}

#[test]
fn parameters_left_out_of_wrt_that_become_active() {
    check_scalar!(
        "max_in_branch",
        |x| max_in_branch(x, 0.2),
        |x, dx| max_in_branch_jvp(x, dx, 0.2),
        |x| max_in_branch_grad(x, 0.2),
        |x, vx| max_in_branch_hvp(x, vx, 0.2),
        0.7
    );
    check_scalar!(
        "read_before_update",
        |x| read_before_update(x, 0.2),
        |x, dx| read_before_update_jvp(x, dx, 0.2),
        |x| read_before_update_grad(x, 0.2),
        |x, vx| read_before_update_hvp(x, vx, 0.2),
        0.7
    );
    check_scalar!(
        "call_in_branch",
        |x| call_in_branch(x, 0.2),
        |x, dx| call_in_branch_jvp(x, dx, 0.2),
        |x| call_in_branch_grad(x, 0.2),
        |x, vx| call_in_branch_hvp(x, vx, 0.2),
        0.7
    );
    check_scalar!(
        "if_value_in_loop",
        |x| if_value_in_loop(x, 0.2, 5),
        |x, dx| if_value_in_loop_jvp(x, dx, 0.2, 5),
        |x| if_value_in_loop_grad(x, 0.2, 5),
        |x, vx| if_value_in_loop_hvp(x, vx, 0.2, 5),
        0.3
    );
    check_scalar!(
        "in_while",
        |x| in_while(x, 0.2),
        |x, dx| in_while_jvp(x, dx, 0.2),
        |x| in_while_grad(x, 0.2),
        |x, vx| in_while_hvp(x, vx, 0.2),
        0.7
    );
    check_scalar!(
        "in_match",
        |x| in_match(x, 0.2, 1),
        |x, dx| in_match_jvp(x, dx, 0.2, 1),
        |x| in_match_grad(x, 0.2, 1),
        |x, vx| in_match_hvp(x, vx, 0.2, 1),
        0.7
    );
    check_scalar!(
        "array_neighbours",
        |x| array_neighbours(x, [0.2, 0.5]),
        |x, dx| array_neighbours_jvp(x, dx, [0.2, 0.5]),
        |x| array_neighbours_grad(x, [0.2, 0.5]),
        |x, vx| array_neighbours_hvp(x, vx, [0.2, 0.5]),
        0.7
    );
}

// ----- buffers written with no active value, and `return;` ---------------------

/// The buffer is only read: its initial contents are still an input.
#[differentiate]
fn read_only(a: f64, buf: &mut [f64]) -> f64 {
    a - buf[0] * buf[1]
}

#[differentiate]
fn square(c: f64) -> f64 {
    c * c
}

/// Written only with a function of itself (found by the random programs:
/// the buffer was taken for inactive, and its reads for constants).
#[differentiate(wrt(a))]
fn squared_in_place(a: f64, buf: &mut [f64]) -> f64 {
    buf[0] = square(buf[0]);
    a * buf[0]
}

/// `return;` from a function whose results are its buffer.
#[differentiate]
fn early_return(a: f64, buf: &mut [f64]) {
    if a > 0.5 {
        return;
    }
    buf[0] *= a;
}

#[test]
fn buffers_whose_contents_are_only_read_or_rewritten_from_themselves() {
    // read_only: d/da = 1, d/dbuf = (-buf1, -buf0).
    let mut d = [0.5, 2.0];
    let (v, dv) = read_only_jvp(1.0, 0.25, &mut [2.0, 3.0], &mut d);
    assert_eq!((v, dv), (-5.0, 0.25 - 3.0 * 0.5 - 2.0 * 2.0));
    assert_eq!(
        d,
        [0.5, 2.0],
        "an untouched buffer's tangent passes through"
    );
    let mut b = [1.0, -1.0];
    let (_, a_bar) = read_only_vjp(1.0, &mut [2.0, 3.0], &mut b, 2.0);
    assert_eq!((a_bar, b), (2.0, [1.0 - 2.0 * 3.0, -1.0 - 2.0 * 2.0]));
    // squared_in_place: buf0 <- buf0^2, result a buf0^2.
    let (mut buf, mut d) = ([2.0], [1.0]);
    let (v, dv) = squared_in_place_jvp(1.5, 0.0, &mut buf, &mut d);
    assert_eq!((v, dv, buf, d), (6.0, 1.5 * 4.0, [4.0], [4.0]));
    let (mut buf, mut b) = ([2.0], [0.5]);
    let (_, a_bar) = squared_in_place_vjp(1.5, &mut buf, &mut b, 1.0);
    // d(result)/d buf0 = 2 a buf0 = 6, d(buf0 final)/d buf0 = 4 (times 0.5).
    assert_eq!((a_bar, b), (4.0, [6.0 + 2.0]));
}

#[test]
fn return_without_a_value_from_a_function_of_buffers() {
    for (a, scaled) in [(0.25, true), (0.75, false)] {
        let (mut buf, mut d) = ([2.0], [1.0]);
        early_return_jvp(a, 1.0, &mut buf, &mut d);
        let expected = if scaled {
            ([2.0 * a], [a + 2.0])
        } else {
            ([2.0], [1.0])
        };
        assert_eq!((buf, d), expected, "early_return_jvp at a = {a}");
        let (mut buf, mut b) = ([2.0], [1.0]);
        let a_bar = early_return_vjp(a, &mut buf, &mut b);
        let expected = if scaled { (2.0, [a]) } else { (0.0, [1.0]) };
        assert_eq!((a_bar, b), expected, "early_return_vjp at a = {a}");
    }
}

// ----- an inactive array lent to a call, then written ---------------------------

#[differentiate]
fn lent(b: f64, x: &[f64], y: &[f64]) -> f64 {
    b * x[0] * y[1] + b.sin() * y[0]
}

/// `mut v` left out of `wrt`, lent to a helper (whole and a part of it),
/// then written: the helper's pullback must see the values it was lent.
#[differentiate(wrt(x))]
fn lent_then_written(x: &[f64], mut v: Vec<f64>) -> f64 {
    let s = lent(x[0] + v[2], &v[1..3], &v);
    v[0] = 2.0 * v[1] + x[1];
    s * v[0]
}

/// The same in a loop: each call lends the values of its round.
#[differentiate(wrt(x))]
fn lent_then_written_in_a_loop(x: &[f64], mut v: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += lent(x[i] * s + v[2], &v[1..3], &v);
        v[0] = 2.0 * v[1] + s.cos();
        v[1] += 0.5 * x[i];
    }
    s * v[0]
}

#[test]
fn an_inactive_array_lent_to_a_call_then_written() {
    let x = [0.4, -0.9, 1.3];
    let t = [1.0, -0.5, 0.25];
    let w = 0.75;
    let v0 = vec![0.3, -1.1, 0.6];
    let f = |x: &[f64]| lent_then_written(x, v0.clone());
    let (v, d) = lent_then_written_jvp(&x, &t, v0.clone());
    assert_eq!(v, f(&x));
    check_jvp(|x| vec![f(x)], &x, &t, &[d]).assert_close(1e-8, 1e-8);
    let (_, g) = lent_then_written_grad(&x, v0.clone());
    check_gradient(f, &x, &g).assert_close(1e-8, 1e-8);
    let (_, xb) = lent_then_written_vjp(&x, v0.clone(), w);
    close("dot-product identity", d * w, dot(&t, &xb), 1e-12);
    let (_, _, hv) = lent_then_written_hvp(&x, &t, v0.clone());
    let fd = fd_jvp(|x| lent_then_written_grad(x, v0.clone()).1, &x, &t);
    ad::check::compare(&hv, &fd).assert_close(1e-7, 1e-7);

    let a0 = [0.3, -1.1, 0.6];
    let f = |x: &[f64]| lent_then_written_in_a_loop(x, a0);
    let (v, d) = lent_then_written_in_a_loop_jvp(&x, &t, a0);
    assert_eq!(v, f(&x));
    check_jvp(|x| vec![f(x)], &x, &t, &[d]).assert_close(1e-8, 1e-8);
    let (_, g) = lent_then_written_in_a_loop_grad(&x, a0);
    check_gradient(f, &x, &g).assert_close(1e-8, 1e-8);
    let (_, xb) = lent_then_written_in_a_loop_vjp(&x, a0, w);
    close("dot-product identity, loop", d * w, dot(&t, &xb), 1e-12);
    let (_, _, hv) = lent_then_written_in_a_loop_hvp(&x, &t, a0);
    let fd = fd_jvp(|x| lent_then_written_in_a_loop_grad(x, a0).1, &x, &t);
    ad::check::compare(&hv, &fd).assert_close(1e-7, 1e-7);
}
