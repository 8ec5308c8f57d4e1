//! ADBench's GMM objective (`adbench/gmm.rs`) against the JAX references in
//! `data/adbench/refs`: the objective, the gradient from `_grad`, the
//! Hessian-vector product from `_hvp` along `v_i = sin(i + 1)`, each entry
//! within ADBench's tolerance `|x - y| / max(1, |x| + |y|) < 1e-8`; and
//! forward mode (`_jvp` along `v`) equal to `<gradient, v>`.

#[path = "../adbench/gmm.rs"]
mod gmm;
#[path = "../adbench/gmm_manual.rs"]
mod gmm_manual;
#[path = "../adbench/gmm_peers.rs"]
mod gmm_peers;
#[path = "../adbench/peers.rs"]
mod peers;

mod adbench_common;

use adbench_common::*;
use gmm::{gmm_objective, gmm_objective_grad, gmm_objective_hvp, gmm_objective_jvp, GmmInput};

struct Instance {
    input: GmmInput,
    reference: String,
}

fn load(file: &str, reference: &str) -> Instance {
    let input = gmm::read_gmm(&data_path(&format!("gmm/{file}")), false).unwrap();
    let reference = adbench_common::reference(reference);
    // The reference describes the same instance.
    assert_eq!(json_number(&reference, "d"), input.d as f64);
    assert_eq!(json_number(&reference, "k"), input.k as f64);
    assert_eq!(json_number(&reference, "n"), input.n as f64);
    assert_eq!(
        json_number(&reference, "wishart_gamma"),
        input.wishart_gamma
    );
    assert_eq!(json_number(&reference, "wishart_m"), input.wishart_m);
    assert_eq!(json_number(&reference, "pi"), gmm::ADBENCH_PI);
    assert_eq!(
        json_number(&reference, "n_params") as usize,
        input.theta().len()
    );
    Instance { input, reference }
}

/// Objective and gradient (`_grad`) against the reference; returns the gradient.
fn check_objective_and_gradient(instance: &Instance) -> Vec<f64> {
    let g = &instance.input;
    let theta = g.theta();
    let value = gmm_objective(&theta, &g.x, g.d, g.k, g.n, g.wishart_gamma, g.wishart_m);
    let reference = json_number(&instance.reference, "objective");
    let err = adbench_error(value, reference);
    assert!(
        err < TOLERANCE,
        "objective: ad {value:e}, JAX {reference:e}, ADBench error {err:e}"
    );
    println!("objective: ad {value:.17e}, JAX {reference:.17e}, ADBench error {err:.1e}");

    let (value_grad, gradient) =
        gmm_objective_grad(&theta, &g.x, g.d, g.k, g.n, g.wishart_gamma, g.wishart_m);
    assert_eq!(value_grad, value, "the value from _grad is the objective");
    assert_entries_match(
        "gradient",
        &gradient,
        &json_numbers(&instance.reference, "gradient"),
    );
    gradient
}

/// The Hessian-vector product (`_hvp`) along `v_i = sin(i + 1)` against the
/// reference, and its value and gradient against the first-order ones.
fn check_hvp(instance: &Instance, gradient: &[f64]) {
    let g = &instance.input;
    let theta = g.theta();
    let v = sin_vector(theta.len());
    let (value, gradient_hvp, hv) = gmm_objective_hvp(
        &theta,
        &v,
        &g.x,
        g.d,
        g.k,
        g.n,
        g.wishart_gamma,
        g.wishart_m,
    );
    assert_eq!(value, g.objective(), "the value from _hvp is the objective");
    assert_entries_match("gradient from _hvp", &gradient_hvp, gradient);
    assert_entries_match("hvp", &hv, &json_numbers(&instance.reference, "hvp"));
}

/// Forward mode along `v_i = sin(i + 1)`: `<gradient, v>`.
fn check_jvp(instance: &Instance, gradient: &[f64]) {
    let g = &instance.input;
    let theta = g.theta();
    let v = sin_vector(theta.len());
    let (value, derivative) = gmm_objective_jvp(
        &theta,
        &v,
        &g.x,
        g.d,
        g.k,
        g.n,
        g.wishart_gamma,
        g.wishart_m,
    );
    assert_eq!(value, g.objective(), "the value from _jvp is the objective");
    let expected: f64 = gradient.iter().zip(&v).map(|(a, b)| a * b).sum();
    let err = adbench_error(derivative, expected);
    assert!(
        err < TOLERANCE,
        "jvp along v: ad {derivative:e}, <gradient, v> {expected:e}, ADBench error {err:e}"
    );
    println!("jvp along v vs <gradient, v>: ADBench error {err:.1e}");
    // And against the reference gradient, independently of ours.
    let reference: f64 = json_numbers(&instance.reference, "gradient")
        .iter()
        .zip(&v)
        .map(|(a, b)| a * b)
        .sum();
    let err = adbench_error(derivative, reference);
    assert!(
        err < TOLERANCE,
        "jvp along v: ad {derivative:e}, <JAX gradient, v> {reference:e}, ADBench error {err:e}"
    );
}

fn check_all(file: &str, reference: &str) {
    let instance = load(file, reference);
    let gradient = check_objective_and_gradient(&instance);
    check_jvp(&instance, &gradient);
    check_hvp(&instance, &gradient);
}

#[test]
fn gmm_test_instance_matches_jax() {
    check_all("test.txt", "gmm_test.json");
}

#[test]
fn gmm_1k_d2_k5_matches_jax() {
    check_all("gmm_1k_d2_K5.txt", "gmm_1k_d2_K5.json");
}

#[test]
fn gmm_10k_d2_k5_matches_jax() {
    check_all("gmm_10k_d2_K5.txt", "gmm_10k_d2_K5.json");
}

/// The reader keeps ADBench's layout: the test instance's first and last values.
#[test]
fn reader_reads_adbench_layout() {
    let g = gmm::read_gmm(&data_path("gmm/test.txt"), false).unwrap();
    assert_eq!((g.d, g.k, g.n), (2, 3, 1));
    assert_eq!(g.alphas, [-0.649014, 1.181166, -0.758453]);
    assert_eq!(g.means[..2], [0.092339, 0.186260]);
    assert_eq!(g.icf[..3], [0.586443, -0.851887, 0.800321]);
    assert_eq!(g.icf[6..], [0.166813, -1.965419, -1.270071]);
    assert_eq!(g.x, [1.175171, 2.029160]);
    assert_eq!((g.wishart_gamma, g.wishart_m), (1.0, 0.0));
    assert_eq!(g.theta().len(), g.k + g.k * g.d + g.k * g.d * (g.d + 1) / 2);

    // ADBench's replicate_point option reads one point and copies it n times.
    let text = "2 1 3\n0.5\n1 2\n0.1 0.2 0.3\n7 8\n1.000000 0\n";
    let r = gmm::parse_gmm(text, true).unwrap();
    assert_eq!(r.x, [7.0, 8.0, 7.0, 8.0, 7.0, 8.0]);
    assert!(gmm::parse_gmm("2 1 3\n0.5\n1 2\n", false).is_err());
}

/// The `lgamma` replacement at values known in closed form.
#[test]
fn ln_gamma_known_values() {
    let sqrt_pi_ln = 0.5 * std::f64::consts::PI.ln();
    let cases = [
        (1.0, 0.0),
        (2.0, 0.0),
        (0.5, sqrt_pi_ln),
        (1.5, sqrt_pi_ln - 2f64.ln()),
        (2.5, sqrt_pi_ln + (0.75f64).ln()),
        (5.0, 24f64.ln()),
        (10.0, 362880f64.ln()),
        (20.0, 121645100408832000f64.ln()),
        (0.1, 2.252712651734206),
    ];
    for (x, expected) in cases {
        let got = gmm::ln_gamma(x);
        assert!(
            (got - expected).abs() <= 4e-15 * expected.abs().max(1.0),
            "ln_gamma({x}) = {got:e}, expected {expected:e}"
        );
    }
}

/// The benchmarks' peers (`num-dual` forward passes and the `reverse`
/// crate's tape, `adbench/gmm_peers.rs`) compute the JAX reference too.
#[test]
fn peers_match_jax() {
    let instance = load("gmm_1k_d2_K5.txt", "gmm_1k_d2_K5.json");
    let g = &instance.input;
    let theta = g.theta();
    let reference_value = json_number(&instance.reference, "objective");
    let reference = json_numbers(&instance.reference, "gradient");
    let (gm, gk, gn) = (g.d, g.k, g.n);
    let (gamma, m) = (g.wishart_gamma, g.wishart_m);
    let (value, gradient) = peers::grad_num_dual(&mut Vec::new(), &theta, |t| {
        gmm_peers::gmm_objective_generic(t, &g.x, gm, gk, gn, gamma, m)
    });
    assert!(adbench_error(value, reference_value) < TOLERANCE);
    assert_entries_match("num-dual gradient", &gradient, &reference);
    let tape = reverse::Tape::new();
    let (value, gradient) = peers::grad_reverse(&tape, &theta, |t| {
        gmm_peers::gmm_objective_generic(t, &g.x, gm, gk, gn, gamma, m)
    });
    assert!(adbench_error(value, reference_value) < TOLERANCE);
    assert_entries_match("reverse-tape gradient", &gradient, &reference);
}

/// The hand-written gradient (`adbench/gmm_manual.rs`) of an instance.
fn manual_gradient(g: &GmmInput, theta: &[f64]) -> (f64, Vec<f64>) {
    let mut gradient = vec![f64::NAN; theta.len()];
    let value = gmm_manual::gmm_objective_grad_manual(
        theta,
        &g.x,
        g.d,
        g.k,
        g.n,
        g.wishart_gamma,
        g.wishart_m,
        &mut gradient,
    );
    (value, gradient)
}

/// `|x - y| <= 1e-10 max(|x|, |y|)` for the value and every gradient entry:
/// the hand-written gradient against the generated `gmm_objective_grad`.
fn assert_manual_matches_generated(what: &str, g: &GmmInput, theta: &[f64]) {
    let relative = |a: f64, b: f64| {
        if a == b {
            0.0
        } else {
            (a - b).abs() / a.abs().max(b.abs())
        }
    };
    let (value, gradient) = manual_gradient(g, theta);
    let (ad_value, ad_gradient) =
        gmm_objective_grad(theta, &g.x, g.d, g.k, g.n, g.wishart_gamma, g.wishart_m);
    let err = relative(value, ad_value);
    assert!(
        err <= 1e-10,
        "{what}: value: manual {value:e}, ad {ad_value:e}, relative error {err:e}"
    );
    assert_eq!(gradient.len(), ad_gradient.len());
    let mut worst = 0.0f64;
    for (i, (&a, &b)) in gradient.iter().zip(&ad_gradient).enumerate() {
        let err = relative(a, b);
        assert!(
            err <= 1e-10,
            "{what}: gradient entry {i}: manual {a:e}, ad {b:e}, relative error {err:e}"
        );
        worst = worst.max(err);
    }
    println!("{what}: manual vs generated gradient: worst relative error {worst:.1e}");
}

/// The hand-written gradient against the JAX reference (ADBench's tolerance)
/// and against the generated gradient (1e-10 relative).
fn check_manual(file: &str, reference: &str) {
    let instance = load(file, reference);
    let g = &instance.input;
    let theta = g.theta();
    let (value, gradient) = manual_gradient(g, &theta);
    assert_value_matches(
        "manual objective",
        value,
        json_number(&instance.reference, "objective"),
    );
    assert_entries_match(
        "manual gradient",
        &gradient,
        &json_numbers(&instance.reference, "gradient"),
    );
    assert_manual_matches_generated(file, g, &theta);
}

#[test]
fn manual_gradient_test_instance_matches_jax() {
    check_manual("test.txt", "gmm_test.json");
}

#[test]
fn manual_gradient_1k_d2_k5_matches_jax() {
    check_manual("gmm_1k_d2_K5.txt", "gmm_1k_d2_K5.json");
}

#[test]
fn manual_gradient_10k_d2_k5_matches_jax() {
    check_manual("gmm_10k_d2_K5.txt", "gmm_10k_d2_K5.json");
}

/// Other shapes than ADBench's files (d = 1 has no lower part, k = 1 a
/// trivial log-sum-exp), with gamma != 1 and m != 0 so that every term of
/// the prior counts: the hand-written gradient equals the generated one.
#[test]
fn manual_gradient_matches_generated_for_other_shapes() {
    // Deterministic values in about [-1, 1].
    let value = |seed: usize| ((seed as f64) * 0.731 + 0.3).sin();
    for (d, k, n) in [(1, 1, 3), (1, 4, 5), (3, 2, 7), (4, 3, 11), (6, 5, 9)] {
        let icf_sz = d * (d + 1) / 2;
        let g = GmmInput {
            d,
            k,
            n,
            alphas: (0..k).map(value).collect(),
            means: (0..k * d).map(|i| value(100 + i)).collect(),
            // Small enough that the main terms stay in range.
            icf: (0..k * icf_sz).map(|i| 0.5 * value(200 + i)).collect(),
            x: (0..n * d).map(|i| 1.5 * value(300 + i)).collect(),
            wishart_gamma: 1.3,
            wishart_m: 2.0,
        };
        let theta = g.theta();
        assert_manual_matches_generated(&format!("d = {d}, k = {k}, n = {n}"), &g, &theta);
    }
}
