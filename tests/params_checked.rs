//! Parameters are never silently inactive, and forms that were rejected
//! with a generic message now work (issue 18's audit): `*y0` of a borrowed
//! nalgebra value, `clone_from_slice`, `v.swap(i, j)` on active arrays, and
//! parameters of types that hold no floats (left inactive, unchecked), or
//! left out with `wrt(..)` explicitly. In every mode against finite
//! differences; the rejections are in `tests/ui/unsupported/`.

use ad::differentiate;
use ad::nalgebra::{SVector, Vector2};

#[path = "common/flat.rs"]
mod flat;
use flat::check_all;

// ----- `*y0` of a `&SVector`: a copy, as `y0.clone()` --------------------------

#[differentiate]
fn deref_svector(y0: &SVector<f64, 2>, k: f64) -> f64 {
    let y = *y0;
    y[0] * y[1] * k + (y[1] * k).sin()
}

#[test]
fn deref_of_a_borrowed_svector_is_a_copy() {
    let v2 = |p: &[f64]| Vector2::new(p[0], p[1]);
    check_all(
        "deref_svector",
        &[0.3, -0.7, 1.3],
        &[0.2, 0.5, -0.4],
        |p| deref_svector(&v2(p), p[2]),
        |p| {
            let (v, gy, gk) = deref_svector_grad(&v2(p), p[2]);
            (v, vec![gy[0], gy[1], gk])
        },
        |p, t| deref_svector_jvp(&v2(p), &v2(t), p[2], t[2]),
        |p, t| {
            let (v, gy, gk, hy, hk) = deref_svector_hvp(&v2(p), &v2(t), p[2], t[2]);
            (v, vec![gy[0], gy[1], gk], vec![hy[0], hy[1], hk])
        },
    );
}

// ----- `clone_from_slice` and `swap(i, j)` on active arrays ---------------------

#[differentiate]
fn cloned_and_swapped(x: &[f64], k: f64) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; x.len()];
    for i in 0..u.len() {
        v[i] = (u[i] * k).cos();
    }
    u[1..].clone_from_slice(&v[..x.len() - 1]);
    u.swap(0, 1);
    // Indices computed: bound once.
    u.swap(x.len() - 1, 0);
    let mut w = [x[0], x[1] * k, x[2]];
    w.swap(2, 1);
    u[0] * u[2] + v[1] * x[2] + w[1] * w[2].sin()
}

#[differentiate]
fn swapped_in_a_loop(x: &[f64], k: f64) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; x.len()];
    for t in 0..3 {
        for i in 0..u.len() {
            v[i] = (u[i] * k).sin() + u[(i + t) % u.len()];
        }
        // What `swap_with_slice` stands for (rejected with this advice).
        for i in 0..u.len() {
            (u[i], v[i]) = (v[i], u[i]);
        }
        let n = u.len();
        u.swap(t % n, (t + 1) % n);
    }
    u[0] * v[1] + u[2] * u[1]
}

#[test]
fn clone_from_slice_and_swap_on_active_arrays() {
    let p = [0.3, -0.7, 1.1, 0.8];
    let t = [0.2, 0.5, -0.4, 0.3];
    for (name, f, grad, jvp, hvp) in [
        (
            "cloned_and_swapped",
            cloned_and_swapped as fn(&[f64], f64) -> f64,
            cloned_and_swapped_grad as fn(&[f64], f64) -> (f64, Vec<f64>, f64),
            cloned_and_swapped_jvp as fn(&[f64], &[f64], f64, f64) -> (f64, f64),
            cloned_and_swapped_hvp
                as fn(&[f64], &[f64], f64, f64) -> (f64, Vec<f64>, f64, Vec<f64>, f64),
        ),
        (
            "swapped_in_a_loop",
            swapped_in_a_loop,
            swapped_in_a_loop_grad,
            swapped_in_a_loop_jvp,
            swapped_in_a_loop_hvp,
        ),
    ] {
        check_all(
            name,
            &p,
            &t,
            |p| f(&p[..3], p[3]),
            |p| {
                let (v, gx, gk) = grad(&p[..3], p[3]);
                (v, [gx, vec![gk]].concat())
            },
            |p, t| jvp(&p[..3], &t[..3], p[3], t[3]),
            |p, t| {
                let (v, gx, gk, hx, hk) = hvp(&p[..3], &t[..3], p[3], t[3]);
                (v, [gx, vec![gk]].concat(), [hx, vec![hk]].concat())
            },
        );
    }
}

// ----- parameters whose types hold no floats stay inactive ----------------------

type Indices = Vec<usize>;
type Mat2 = [[f64; 2]; 2];

struct Config {
    scale: f64,
}

#[differentiate]
fn data_parameters(
    x: f64,
    idx: &Indices,
    cfg: &Config,
    name: &str,
    g: &dyn Fn(f64) -> f64,
    pair: (usize, bool),
) -> f64 {
    let n = idx.len() + name.len() + pair.0;
    (x * cfg.scale).sin() * n as f64 + g(cfg.scale) * x
}

// An alias of floats left out explicitly: no check.
#[differentiate(wrt(k))]
fn alias_left_out(a: Mat2, k: f64) -> f64 {
    (a[0][0] * k).sin() + a[1][1] * k * k
}

#[test]
fn parameters_without_floats_and_those_left_out_stay_inactive() {
    let cfg = Config { scale: 1.5 };
    let idx: Indices = vec![1, 2];
    let g = |x: f64| 3.0 * x;
    let x = 0.4f64;
    // n = 2 + 2 + 1; d/dx = 1.5 cos(1.5 x) n + g(1.5).
    let want = (1.5 * x).cos() * 1.5 * 5.0 + 4.5;
    let (v, gx) = data_parameters_grad(x, &idx, &cfg, "ab", &g, (1, true));
    assert_eq!(v, data_parameters(x, &idx, &cfg, "ab", &g, (1, true)));
    assert!((gx - want).abs() < 1e-12);
    let (_, dx) = data_parameters_jvp(x, 2.0, &idx, &cfg, "ab", &g, (1, true));
    assert!((dx - 2.0 * want).abs() < 1e-12);
    let a = [[0.3, 0.1], [0.2, -0.5]];
    check_all(
        "alias_left_out",
        &[0.7],
        &[0.4],
        |p| alias_left_out(a, p[0]),
        |p| {
            let (v, gk) = alias_left_out_grad(a, p[0]);
            (v, vec![gk])
        },
        |p, t| alias_left_out_jvp(a, p[0], t[0]),
        |p, t| {
            let (v, gk, hk) = alias_left_out_hvp(a, p[0], t[0]);
            (v, vec![gk], vec![hk])
        },
    );
}
