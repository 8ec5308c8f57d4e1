//! `f_vjp_many`: reverse mode for several output cotangents, one forward
//! sweep. Each result equals `f_vjp`'s for that cotangent to the bit (the same
//! reverse code on the same values), and unit cotangents give the rows of
//! the Jacobian, checked against finite differences.

mod common;

use ad::check::fd_jvp;
use ad::differentiate;
use common::Lcg;

/// Two outputs of three inputs, with a branch at the top level and a value
/// overwritten (its reverse sweep restores `t`, which each of the sweeps
/// must find as the forward sweep left it).
#[differentiate(wrt(p, w))]
fn two_outputs(p: [f64; 2], w: f64, offset: [f64; 2]) -> [f64; 2] {
    let mut t = p[0] * w;
    t = t.sin() * p[1];
    let r = if t > 0.0 { t.sqrt() } else { -t };
    [r * w - offset[0], (p[0] - p[1]).exp() * t + offset[1]]
}

/// A `Vec` output over a slice, with the output written element by element.
#[differentiate]
fn three_outputs(x: &[f64]) -> Vec<f64> {
    let a = x[0] * x[1];
    let b = (x[1] / x[2]).tanh();
    vec![a + b, a * b, x[2].powi(3) - a]
}

fn unit(i: usize) -> [f64; 2] {
    let mut e = [0.0; 2];
    e[i] = 1.0;
    e
}

#[test]
fn rows_equal_single_reverse_sweeps_and_finite_differences() {
    let offset = [0.25, -1.5];
    for (p, w) in [([0.7, 1.3], 0.9), ([-0.4, 2.1], 1.7)] {
        // Three cotangents: the two units and a mix.
        let seeds = [unit(0), unit(1), [0.3, -2.0]];
        let (value, rows) = two_outputs_vjp_many(p, w, offset, seeds);
        assert_eq!(value, two_outputs(p, w, offset));
        for (seed, (p_bar, w_bar)) in seeds.iter().zip(&rows) {
            let (v, p_bar1, w_bar1) = two_outputs_vjp(p, w, offset, *seed);
            assert_eq!(v, value);
            assert_eq!(p_bar.map(f64::to_bits), p_bar1.map(f64::to_bits));
            assert_eq!(w_bar.to_bits(), w_bar1.to_bits());
        }
        // Rows of the Jacobian against central differences along each input.
        let f = |q: &[f64]| two_outputs([q[0], q[1]], q[2], offset).to_vec();
        let x = [p[0], p[1], w];
        for (j, _) in x.iter().enumerate() {
            let mut e = [0.0; 3];
            e[j] = 1.0;
            let column = fd_jvp(f, &x, &e);
            for (i, (p_bar, w_bar)) in rows.iter().take(2).enumerate() {
                let entry = if j < 2 { p_bar[j] } else { *w_bar };
                let tol = 1e-8 * (1.0 + column[i].abs());
                assert!(
                    (entry - column[i]).abs() < tol,
                    "J[{i}][{j}]: {entry} vs {}",
                    column[i]
                );
            }
        }
    }
}

#[test]
fn vec_outputs_and_one_active_input() {
    let x = vec![0.8, -1.1, 1.9];
    let seeds: [Vec<f64>; 3] = [
        vec![1.0, 0.0, 0.0],
        vec![0.0, 1.0, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let (value, rows) = three_outputs_vjp_many(&x, seeds.clone());
    assert_eq!(value, three_outputs(&x));
    for (i, (seed, row)) in seeds.into_iter().zip(&rows).enumerate() {
        let (_, single) = three_outputs_vjp(&x, seed);
        assert_eq!(row, &single, "row {i}");
        // <J^T e_i, e_j> = <e_i, J e_j>
        for j in 0..3 {
            let mut e = vec![0.0; 3];
            e[j] = 1.0;
            let column = fd_jvp(three_outputs, &x, &e);
            assert!((row[j] - column[i]).abs() < 1e-8 * (1.0 + column[i].abs()));
        }
    }
}

/// Generic over the float type.
#[differentiate]
fn rotate<T: ad::Real>(p: [T; 2], angle: T) -> [T; 2] {
    let (s, c) = (angle.sin(), angle.cos());
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

struct Camera {
    focal: f64,
}

impl Camera {
    /// A method: the receiver stays inactive.
    #[differentiate]
    fn project(&self, x: [f64; 3]) -> [f64; 2] {
        [self.focal * x[0] / x[2], self.focal * x[1] / x[2]]
    }
}

#[test]
fn generic_functions_and_methods() {
    for angle in [0.3f64, -2.0] {
        let p = [1.5, -0.5];
        let (v, rows) = rotate_vjp_many(p, angle, [[1.0, 0.0], [0.0, 1.0]]);
        assert_eq!(v, rotate(p, angle));
        // The Jacobian in p is the rotation matrix; in the angle, its derivative.
        let (s, c) = angle.sin_cos();
        assert_eq!(rows[0].0, [c, -s]);
        assert_eq!(rows[1].0, [s, c]);
        assert!((rows[0].1 - (-s * p[0] - c * p[1])).abs() < 1e-15);
        assert!((rows[1].1 - (c * p[0] - s * p[1])).abs() < 1e-15);
    }
    let (v32, rows32) = rotate_vjp_many([1.0f32, 2.0], 0.5f32, [[0.0, 1.0]]);
    assert_eq!(v32, rotate([1.0f32, 2.0], 0.5));
    let (_, p_bar, angle_bar) = rotate_vjp([1.0f32, 2.0], 0.5, [0.0, 1.0]);
    assert_eq!(rows32[0], (p_bar, angle_bar));

    let cam = Camera { focal: 2.0 };
    let x = [0.5, -1.0, 4.0];
    let (v, rows) = cam.project_vjp_many(x, [[1.0, 0.0], [0.0, 1.0]]);
    assert_eq!(v, cam.project(x));
    let f = cam.focal;
    assert_eq!(rows[0], [f / x[2], 0.0, -f * x[0] / (x[2] * x[2])]);
    assert_eq!(rows[1], [0.0, f / x[2], -f * x[1] / (x[2] * x[2])]);
}

/// `f32`, two active inputs and a division: the cotangents travel in lanes.
#[differentiate]
fn polar32(r: f32, a: [f32; 2]) -> [f32; 3] {
    let s = a[0].sin() / r;
    [r * s, s * a[1], r - a[0]]
}

#[test]
fn lanes_in_f32() {
    let (r, a) = (1.25f32, [0.6f32, -1.4]);
    let seeds = [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.5, -2.0, 0.25],
    ];
    let (value, rows) = polar32_vjp_many(r, a, seeds);
    assert_eq!(value, polar32(r, a));
    for (seed, row) in seeds.iter().zip(&rows) {
        let (v, r_bar, a_bar) = polar32_vjp(r, a, *seed);
        assert_eq!(v, value);
        assert_eq!(row.0.to_bits(), r_bar.to_bits());
        assert_eq!(row.1.map(f32::to_bits), a_bar.map(f32::to_bits));
    }
    // The analytic Jacobian: s = sin(a0) / r.
    let (s, c) = (a[0].sin() / r, a[0].cos() / r);
    let expected = [
        (0.0, [a[0].cos(), 0.0]),
        (-s * a[1] / r, [c * a[1], s]),
        (1.0, [-1.0, 0.0]),
    ];
    for (row, (r_bar, a_bar)) in rows.iter().zip(expected) {
        assert!((row.0 - r_bar).abs() < 1e-6, "{row:?}");
        assert!((row.1[0] - a_bar[0]).abs() < 1e-6, "{row:?}");
        assert!((row.1[1] - a_bar[1]).abs() < 1e-6, "{row:?}");
    }
}

/// A reduction loop, a branch with `else if`, a `mut` parameter overwritten
/// at the top level, a local array, `min`, `powi`, `abs` and divisions by
/// active values: every construct `f_vjp_many` carries
/// in lanes.
#[differentiate(wrt(x, scale))]
fn mixed(x: &[f64], mut scale: f64, n: usize) -> [f64; 3] {
    let mut s = 0.0;
    for i in 0..n {
        s += x[i] * x[i] * scale;
    }
    scale = scale.powi(3) - s.min(2.0);
    let shrink = 1.0 + scale.abs();
    let parts = [x[0] / shrink, x[1] / shrink];
    let t = if s > 1.0 {
        s.sqrt()
    } else if s > 0.25 {
        s * s
    } else {
        -s
    };
    [t * parts[0], parts[1] - scale, (t + parts[0]).exp() / x[2]]
}

/// A `Vec` output written element by element in a loop.
#[differentiate(wrt(x, a))]
fn scaled(x: &[f64], a: f64) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        out[i] = (a * x[i]).sin() + x[(i + 1) % 3] * a;
    }
    out
}

#[test]
fn lanes_through_loops_branches_and_overwrites() {
    let mut rng = Lcg(7);
    for _ in 0..6 {
        let x = [1.2 * rng.next(), rng.next(), 1.5 + rng.next() * 0.5];
        let scale = 0.8 + 0.5 * rng.next();
        let seeds = [
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [rng.next(), rng.next(), rng.next()],
        ];
        let (value, rows) = mixed_vjp_many(&x, scale, 3, seeds);
        assert_eq!(value, mixed(&x, scale, 3));
        for (seed, (x_bar, scale_bar)) in seeds.iter().zip(&rows) {
            let (_, x_bar1, scale_bar1) = mixed_vjp(&x, scale, 3, *seed);
            assert_eq!(x_bar, &x_bar1);
            assert_eq!(scale_bar.to_bits(), scale_bar1.to_bits());
        }
        // Rows against central differences (away from the branch limits).
        let f = |q: &[f64]| mixed(&q[..3], q[3], 3).to_vec();
        let point = [x[0], x[1], x[2], scale];
        for j in 0..4 {
            let mut e = [0.0; 4];
            e[j] = 1.0;
            let column = fd_jvp(f, &point, &e);
            for (i, (x_bar, scale_bar)) in rows.iter().take(3).enumerate() {
                let entry = if j < 3 { x_bar[j] } else { *scale_bar };
                let tol = 1e-6 * (1.0 + column[i].abs());
                assert!(
                    (entry - column[i]).abs() < tol,
                    "J[{i}][{j}]: {entry} vs {}",
                    column[i]
                );
            }
        }

        let seeds = [vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], rng.vec(3)];
        let (value, rows) = scaled_vjp_many(&x, scale, seeds.clone());
        assert_eq!(value, scaled(&x, scale));
        for (seed, row) in seeds.into_iter().zip(&rows) {
            let (_, x_bar, a_bar) = scaled_vjp(&x, scale, seed);
            assert_eq!(row, &(x_bar, a_bar));
        }
    }
}

/// A cast between float types: its cotangent is cast back lane by lane.
#[differentiate]
fn widened(x: f32, y: f64) -> [f64; 2] {
    let w = x as f64;
    [w * y, w + y.sin()]
}

/// Another differentiated function, called: no rule on lanes, so the
/// reverse sweep runs once per cotangent (after restoring what the previous
/// one consumed).
#[differentiate]
fn squashed(x: f64) -> f64 {
    x.tanh() * 2.0
}

#[differentiate]
fn through_a_call(x: f64, y: f64) -> [f64; 2] {
    let s = squashed(x * y);
    [s * y, s + x]
}

#[test]
fn casts_in_lanes_and_calls_one_sweep_per_cotangent() {
    let (x, y) = (1.5f32, 0.7);
    let seeds = [[1.0, 0.0], [0.0, 1.0], [0.25, -3.0]];
    let (value, rows) = widened_vjp_many(x, y, seeds);
    assert_eq!(value, widened(x, y));
    for (seed, row) in seeds.iter().zip(&rows) {
        assert_eq!(row, &{
            let (_, x_bar, y_bar) = widened_vjp(x, y, *seed);
            (x_bar, y_bar)
        });
    }
    // J = [[y, x], [1, cos y]] (the x column in f32).
    assert_eq!(rows[0], (y as f32, f64::from(x)));
    assert_eq!(rows[1], (1.0, y.cos()));

    let (x, y) = (0.4, -1.3);
    let (value, rows) = through_a_call_vjp_many(x, y, seeds);
    assert_eq!(value, through_a_call(x, y));
    for (seed, row) in seeds.iter().zip(&rows) {
        let (_, x_bar, y_bar) = through_a_call_vjp(x, y, *seed);
        assert_eq!(row, &(x_bar, y_bar));
    }
    // s = 2 tanh(x y), s' = 2 (1 - tanh^2): J = [[s' y^2, s' x y + s],
    // [s' y + 1, s' x]].
    let t = (x * y).tanh();
    let (s, ds) = (2.0 * t, 2.0 * (1.0 - t * t));
    let expected = [(ds * y * y, ds * x * y + s), (ds * y + 1.0, ds * x)];
    for (row, e) in rows.iter().zip(expected) {
        assert!(
            (row.0 - e.0).abs() < 1e-14 && (row.1 - e.1).abs() < 1e-14,
            "{row:?} vs {e:?}"
        );
    }
}
