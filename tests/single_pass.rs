//! Reduction loops whose accumulators are only returned run once, in the
//! reverse sweep (values and adjoints together); every other loop keeps the
//! forward sweep. Both give the same derivatives as finite differences.
//! Bodies with inner loops, branches and overwritten locals run each
//! iteration's recording forward sweep, then its reverse sweep.

use ad::check::{check_gradient, fd_gradient};
use ad::differentiate;

/// Single pass: `s` is only returned.
#[differentiate]
fn sum_of_terms(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = (x[i] * w).sin();
        s += t * t;
        s -= 0.5 * x[i];
    }
    s
}

/// Not single pass: the accumulator is read after the loop.
#[differentiate]
fn used_after(x: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] * w).sin();
    }
    let y = s.exp();
    y * w
}

/// Two loops: the first accumulator feeds the second loop (not single
/// pass), the second is only returned (single pass).
#[differentiate]
fn two_loops(x: &[f64]) -> f64 {
    let mut m = 0.0;
    for i in 0..x.len() {
        m += x[i];
    }
    let mean = m / x.len() as f64;
    let mut v = 0.0;
    for i in 0..x.len() {
        v += (x[i] - mean) * (x[i] - mean);
    }
    v
}

/// Not single pass: the loop reads a variable that changes after it.
#[differentiate]
fn reads_changing(x: &[f64], w: f64) -> f64 {
    let mut k = w;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += k * x[i];
    }
    k *= 2.0;
    s + k
}

/// Single pass with a branch inside: each iteration records its decision
/// for its own reverse sweep.
#[differentiate]
fn branchy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s += x[i] * x[i];
        } else {
            s -= x[i];
        }
    }
    s
}

/// Single pass over a body with inner loops, overwritten locals, a branch
/// (an online log-sum-exp) and an array written before the loop: the shape
/// of a mixture model's per-point term.
#[differentiate(wrt(p))]
fn per_point_lse(p: &[f64], data: &[f64], k: usize) -> f64 {
    let mut scale = vec![0.0; k];
    for j in 0..k {
        scale[j] = p[k + j].exp();
    }
    let mut prior = 0.0;
    for j in 0..k {
        prior += p[j] * p[j];
    }
    let mut total = 0.5 * prior;
    for i in 0..data.len() {
        let mut m = 0.0;
        let mut s = 0.0;
        for j in 0..k {
            let mut q = 0.0;
            for r in 0..=j {
                let c = scale[r] * (data[i] - p[r]);
                q += c * c;
            }
            let t = p[j] - 0.5 * q;
            if j == 0 {
                m = t;
                s = 1.0;
            } else if t > m {
                s = s * (m - t).exp() + 1.0;
                m = t;
            } else {
                s += (t - m).exp();
            }
        }
        total -= s.ln() + m;
    }
    total
}

/// Not single pass: the body writes an array declared outside it (an
/// iteration reads what the previous one wrote).
#[differentiate]
fn carried_through_an_array(x: &[f64]) -> f64 {
    let mut last = vec![1.0; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut t = 0.0;
        for j in 0..2 {
            t += last[0] * x[i] + j as f64;
        }
        last[0] = t.sin();
        s += last[0] * t;
    }
    s
}

/// Single pass, with the accumulator read before the loop: the reverse
/// sweep puts its entry value back after the loop, for the statements before
/// it (a regression: `u`'s adjoint once read the accumulated value).
#[differentiate]
fn accumulator_read_before(x: &[f64], w: f64) -> f64 {
    let mut s = w;
    let u = s * s;
    for i in 0..x.len() {
        s += x[i] * u;
    }
    s
}

fn point() -> Vec<f64> {
    vec![0.3, -1.2, 2.5, 0.7, -0.4]
}

fn check(name: &str, f: impl Fn(&[f64]) -> f64, grad: &[f64], value: f64, p: &[f64]) {
    assert_eq!(value.to_bits(), f(p).to_bits(), "{name}: value");
    let report = check_gradient(&f, p, grad);
    assert!(report.is_close(1e-8, 1e-8), "{name}: {report}");
}

#[test]
fn reductions_returned_directly() {
    let x = point();
    let w = 0.8;
    let (v, gx, gw) = sum_of_terms_grad(&x, w);
    let mut all = gx.clone();
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "sum_of_terms",
        |p: &[f64]| sum_of_terms(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
    // Hand-derived: d/dx_i = 2 sin cos w - 0.5
    for i in 0..5 {
        let a = x[i] * w;
        let expected = 2.0 * a.sin() * a.cos() * w - 0.5;
        assert!((gx[i] - expected).abs() < 1e-14, "entry {i}");
    }
}

#[test]
fn accumulator_used_after_the_loop() {
    let (x, w) = (point(), -0.6);
    let (v, gx, gw) = used_after_grad(&x, w);
    let mut all = gx;
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "used_after",
        |p: &[f64]| used_after(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
}

#[test]
fn chained_loops() {
    let x = point();
    let (v, g) = two_loops_grad(&x);
    check("two_loops", two_loops, &g, v, &x);
    // The gradient of the sum of squared deviations is 2 (x_i - mean).
    let mean = x.iter().sum::<f64>() / 5.0;
    for i in 0..5 {
        assert!((g[i] - 2.0 * (x[i] - mean)).abs() < 1e-13, "entry {i}");
    }
}

#[test]
fn variable_changed_after_the_loop() {
    let (x, w) = (point(), 1.7);
    let (v, gx, gw) = reads_changing_grad(&x, w);
    let mut all = gx;
    all.push(gw);
    let mut p = x.clone();
    p.push(w);
    check(
        "reads_changing",
        |p: &[f64]| reads_changing(&p[..5], p[5]),
        &all,
        v,
        &p,
    );
    let fd = fd_gradient(|p: &[f64]| reads_changing(&p[..5], p[5]), &p);
    assert!((all[5] - fd[5]).abs() < 1e-8);
}

#[test]
fn branches_in_a_reduction() {
    let x = point();
    let (v, g) = branchy_grad(&x);
    check("branchy", branchy, &g, v, &x);
}

/// `per_point_lse` by the closed form of each term's log-sum-exp, for values.
fn per_point_lse_reference(p: &[f64], data: &[f64], k: usize) -> f64 {
    let prior: f64 = p[..k].iter().map(|a| a * a).sum();
    let mut total = 0.5 * prior;
    for &x in data {
        let terms: Vec<f64> = (0..k)
            .map(|j| {
                let q: f64 = (0..=j).map(|r| (p[k + r].exp() * (x - p[r])).powi(2)).sum();
                p[j] - 0.5 * q
            })
            .collect();
        let m = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        total -= terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln() + m;
    }
    total
}

#[test]
fn nested_loops_and_branches_in_a_reduction() {
    let k = 3;
    let p = vec![0.4, -0.3, 0.9, 0.2, -0.5, 0.1];
    let data = vec![0.3, -1.2, 2.5, 0.7, -0.4, 1.1, 0.05];
    let f = |p: &[f64]| per_point_lse(p, &data, k);
    let (v, g) = per_point_lse_grad(&p, &data, k);
    assert!((v - per_point_lse_reference(&p, &data, k)).abs() < 1e-12);
    check("per_point_lse", f, &g, v, &p);
    // Forward mode and second order agree with the gradient and with
    // finite differences of it.
    let t = vec![0.7, -0.2, 0.5, 1.0, -0.9, 0.3];
    let (_, dv) = per_point_lse_jvp(&p, &t, &data, k);
    let gt: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!((dv - gt).abs() < 1e-12 * (1.0 + gt.abs()), "{dv} vs {gt}");
    let (vh, gh, hv) = per_point_lse_hvp(&p, &t, &data, k);
    assert_eq!(vh.to_bits(), v.to_bits());
    for (a, b) in gh.iter().zip(&g) {
        assert!((a - b).abs() < 1e-13 * (1.0 + b.abs()));
    }
    let h = 1e-5;
    let shifted = |e: f64| -> Vec<f64> {
        let q: Vec<f64> = p.iter().zip(&t).map(|(a, b)| a + e * b).collect();
        per_point_lse_grad(&q, &data, k).1
    };
    let (gp, gm) = (shifted(h), shifted(-h));
    for i in 0..p.len() {
        let fd = (gp[i] - gm[i]) / (2.0 * h);
        assert!(
            (hv[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "entry {i}: {} vs {fd}",
            hv[i]
        );
    }
    // Both sides of the branch were taken.
    let (mut up, mut down) = (false, false);
    for &x in &data {
        let t: Vec<f64> = (0..k)
            .map(|j| {
                p[j] - 0.5
                    * (0..=j)
                        .map(|r| (p[k + r].exp() * (x - p[r])).powi(2))
                        .sum::<f64>()
            })
            .collect();
        up |= t[1] > t[0] || t[2] > t[0].max(t[1]);
        down |= t[1] <= t[0] || t[2] <= t[0].max(t[1]);
    }
    assert!(up && down);
}

#[test]
fn dependence_between_iterations_keeps_the_forward_sweep() {
    let x = point();
    let (v, g) = carried_through_an_array_grad(&x);
    check(
        "carried_through_an_array",
        carried_through_an_array,
        &g,
        v,
        &x,
    );
}

#[test]
fn accumulator_read_before_the_loop() {
    let x = vec![1.0, 2.0];
    let w = 0.5;
    let (v, gx, gw) = accumulator_read_before_grad(&x, w);
    // s = w + w^2 (x_0 + x_1): ds/dw = 1 + 2 w (x_0 + x_1), ds/dx_i = w^2.
    assert_eq!(v, w + w * w * 3.0);
    assert!((gw - 4.0).abs() < 1e-14, "{gw}");
    assert!(gx.iter().all(|g| (g - 0.25).abs() < 1e-15), "{gx:?}");
}
