//! Arrays copied and declared with a type: bugs found by the random
//! `calls` family when its corpus was drawn again, each checked in every
//! mode against finite differences of the plain function.
//!
//! - `x.to_vec()` of a fixed-size array parameter (`[f64; N]`, `&[f64; N]`):
//!   the copy's cotangent, a `Vec`, was moved into the array's cotangent
//!   (a type error in `_vjp` and `_vjp_many`), and `&[f64; N]` could not
//!   be copied at all;
//! - a local array declared with its type and a literal (`let mut y: [f64;
//!   2] = [0.0; 2];`) inside a loop: its tangent, declared without the
//!   type, started from the literal's ambiguous `{float}` (a type error in
//!   `_hvp`).

use ad::check::{check_gradient, check_jvp, fd_gradient};
use ad::differentiate;

#[differentiate(wrt(p, a))]
fn from_array(p: [f64; 4], a: f64) -> f64 {
    let y = p.to_vec();
    y[3] + y[0] * (a / a.sin().exp()) + y[1] * y[2]
}

#[differentiate(wrt(p, a), joint)]
fn from_borrowed_array(p: &[f64; 4], a: f64) -> Vec<f64> {
    let mut y = p.to_vec();
    y[1] *= a;
    vec![y[3] + y[0] * a.cos(), y[1] * y[2]]
}

#[differentiate]
fn typed_literal(mut a: f64) -> f64 {
    for i in 0..3 {
        let mut y: [f64; 2] = [0.0; 2];
        y[i % 2] = a * a;
        let u = y[0] - y[1] * a.atan();
        a -= 0.3 * u.cos();
    }
    a
}

#[test]
fn copies_of_fixed_size_arrays() {
    let (p, a) = ([0.3, -0.5, 0.7, 0.9], 0.4);
    let flat = |z: &[f64]| from_array([z[0], z[1], z[2], z[3]], z[4]);
    let z = [p[0], p[1], p[2], p[3], a];
    let (v, gp, ga) = from_array_grad(p, a);
    assert_eq!(v, from_array(p, a));
    let g: Vec<f64> = gp.iter().copied().chain([ga]).collect();
    check_gradient(flat, &z, &g).assert_close(1e-8, 1e-8);
    let (_, vp, va) = from_array_vjp(p, a, 1.0);
    assert_eq!((vp, va), (gp, ga));
    let dz = [0.2, -0.1, 0.5, 0.3, -0.7];
    let (_, d) = from_array_jvp(p, [dz[0], dz[1], dz[2], dz[3]], a, dz[4]);
    check_jvp(|z: &[f64]| vec![flat(z)], &z, &dz, &[d]).assert_close(1e-8, 1e-8);
    let (_, hp, ha, hvp_p, hvp_a) = from_array_hvp(p, [dz[0], dz[1], dz[2], dz[3]], a, dz[4]);
    assert_eq!((hp, ha), (gp, ga));
    let grad = |z: &[f64]| {
        let (_, gp, ga) = from_array_grad([z[0], z[1], z[2], z[3]], z[4]);
        gp.iter().copied().chain([ga]).collect::<Vec<f64>>()
    };
    let h: Vec<f64> = hvp_p.iter().copied().chain([hvp_a]).collect();
    check_jvp(grad, &z, &dz, &h).assert_close(1e-6, 1e-6);

    // A borrowed array, a `Vec` result: each output's row of the Jacobian.
    let flat = |z: &[f64]| from_borrowed_array(&[z[0], z[1], z[2], z[3]], z[4]);
    for c in [[1.0, 0.0], [0.0, 1.0], [0.5, -1.5]] {
        let (_, gp, ga) = from_borrowed_array_vjp(&p, a, c.to_vec());
        let fd = fd_gradient(
            |z| {
                let y = flat(z);
                c[0] * y[0] + c[1] * y[1]
            },
            &z,
        );
        let g: Vec<f64> = gp.iter().copied().chain([ga]).collect();
        ad::check::compare(&g, &fd).assert_close(1e-8, 1e-8);
    }
    // Several seeds at once share the forward sweep, each result `_vjp`'s.
    let (_, many) = from_borrowed_array_vjp_many(&p, a, [vec![1.0, 0.0], vec![0.5, -1.5]]);
    for (k, c) in [vec![1.0, 0.0], vec![0.5, -1.5]].into_iter().enumerate() {
        let (_, gp, ga) = from_borrowed_array_vjp(&p, a, c);
        assert_eq!(many[k], (gp, ga));
    }
    let (_, dy) = from_borrowed_array_jvp(&p, &[dz[0], dz[1], dz[2], dz[3]], a, dz[4]);
    check_jvp(flat, &z, &dz, &dy).assert_close(1e-8, 1e-8);
}

#[test]
fn typed_local_arrays_in_loops() {
    for a in [0.3, -0.8, 1.4] {
        let (v, g) = typed_literal_grad(a);
        assert_eq!(v, typed_literal(a));
        check_gradient(|z: &[f64]| typed_literal(z[0]), &[a], &[g]).assert_close(1e-8, 1e-8);
        let (_, d) = typed_literal_jvp(a, 1.0);
        assert!((d - g).abs() <= 1e-12 * (1.0 + g.abs()));
        let (_, hg, hv) = typed_literal_hvp(a, 1.0);
        assert_eq!(hg, g);
        let fd = check_jvp(
            |z: &[f64]| vec![typed_literal_grad(z[0]).1],
            &[a],
            &[1.0],
            &[hv],
        );
        fd.assert_close(1e-6, 1e-6);
    }
}
