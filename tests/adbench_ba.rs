//! ADBench's BA residuals (`adbench/ba.rs`) against the JAX references in
//! `data/adbench/refs`: the residuals, `J v` along `v_i = sin(i + 1)` and
//! `u^T J` with `u_j = sin(j + 1)`, each entry (or, for ba1, each summary
//! value) within ADBench's tolerance `|x - y| / max(1, |x| + |y|) < 1e-8`.
//! `J v` and `u^T J` are checked twice: from `_jvp` / `_vjp` over the whole
//! residual vector, and as products with the assembled sparse Jacobian, built
//! three ways (`_vjp_many` with two cotangents per observation, fifteen
//! `_jvp` passes, and the hand-written block). The `||r|| = 0` branch, which the shipped
//! instances do not reach, is checked against central finite differences.

mod adbench_common;
#[path = "../adbench/ba.rs"]
mod ba;

use adbench_common::*;
use ba::{BaInput, BaSparseMat, Block, BLOCK, CAM};

fn load(file: &str) -> BaInput {
    ba::read_ba(&data_path(&format!("ba/{file}"))).unwrap()
}

type BlockFn = fn([f64; CAM], [f64; 3], f64, [f64; 2]) -> Block;

const BLOCKS: [(&str, BlockFn); 3] = [
    ("reverse (_vjp_many)", ba::block_ad_reverse),
    ("forward (15 x _jvp)", ba::block_ad_forward),
    ("hand-written", ba::block_manual),
];

fn check_sparsity(input: &BaInput, jac: &BaSparseMat) {
    let p = input.p;
    assert_eq!(jac.rows.len(), 3 * p + 1);
    assert_eq!(jac.vals.len(), 2 * p * BLOCK + p);
    assert_eq!(jac.cols.len(), jac.vals.len());
    assert_eq!(*jac.rows.last().unwrap(), jac.vals.len());
    assert!(jac.cols.iter().all(|&c| c < input.n_params()));
}

#[test]
fn ba_test_instance_matches_jax() {
    let input = load("test.txt");
    let reference = reference("ba_test.json");
    assert_eq!(json_number(&reference, "n") as usize, input.n);
    assert_eq!(json_number(&reference, "m") as usize, input.m);
    assert_eq!(json_number(&reference, "p") as usize, input.p);
    assert_eq!(
        json_number(&reference, "n_params") as usize,
        input.n_params()
    );
    assert_eq!(
        json_number(&reference, "n_residuals") as usize,
        input.n_residuals()
    );

    let r = ba::residuals(&input);
    assert_entries_match("residuals", &r, &json_numbers(&reference, "residual"));
    let sum_sq: f64 = r.iter().map(|x| x * x).sum();
    assert_value_matches(
        "sum of squared residuals",
        sum_sq,
        json_number(&reference, "sum_sq_residual"),
    );

    let v = sin_vector(input.n_params());
    let u = sin_vector(input.n_residuals());
    let jv_ref = json_numbers(&reference, "jvp");
    let utj_ref = json_numbers(&reference, "vjp");
    assert_entries_match("J v from _jvp", &ba::jvp(&input, &v), &jv_ref);
    assert_entries_match("u^T J from _vjp", &ba::vjp(&input, &u), &utj_ref);
    for (name, block) in BLOCKS {
        let jac = ba::jacobian(&input, block);
        check_sparsity(&input, &jac);
        assert_entries_match(&format!("J v, J {name}"), &jac.times(&v), &jv_ref);
        assert_entries_match(
            &format!("u^T J, J {name}"),
            &jac.transpose_times(&u),
            &utj_ref,
        );
    }
}

/// The length, first entries, sum and sum of squares that the reference
/// gives for a vector.
fn check_summary(what: &str, ours: &[f64], reference: &str, key: &str) {
    assert_eq!(
        ours.len(),
        json_number(reference, &format!("{key}_len")) as usize,
        "{what}: length"
    );
    let first = json_numbers(reference, &format!("{key}_first"));
    assert_entries_match(
        &format!("{what}, first entries"),
        &ours[..first.len()],
        &first,
    );
    let sum: f64 = ours.iter().sum();
    let sumsq: f64 = ours.iter().map(|x| x * x).sum();
    assert_value_matches(
        &format!("{what}, sum"),
        sum,
        json_number(reference, &format!("{key}_sum")),
    );
    assert_value_matches(
        &format!("{what}, sum of squares"),
        sumsq,
        json_number(reference, &format!("{key}_sumsq")),
    );
}

#[test]
fn ba1_matches_jax_summary() {
    let input = load("ba1_n49_m7776_p31843.txt");
    let reference = reference("ba1_n49_m7776_p31843_summary.json");
    assert_eq!(
        json_number(&reference, "n_params") as usize,
        input.n_params()
    );
    let r = ba::residuals(&input);
    check_summary("residuals", &r, &reference, "residual");
    let v = sin_vector(input.n_params());
    let u = sin_vector(input.n_residuals());
    check_summary("J v from _jvp", &ba::jvp(&input, &v), &reference, "jvp");
    check_summary("u^T J from _vjp", &ba::vjp(&input, &u), &reference, "vjp");
    // The Jacobian the benchmark times (reverse mode) and the hand-written one.
    for (name, block) in [BLOCKS[0], BLOCKS[2]] {
        let jac = ba::jacobian(&input, block);
        check_sparsity(&input, &jac);
        check_summary(&format!("J v, J {name}"), &jac.times(&v), &reference, "jvp");
        check_summary(
            &format!("u^T J, J {name}"),
            &jac.transpose_times(&u),
            &reference,
            "vjp",
        );
    }
}

/// The three blocks agree with each other entry by entry on both instances.
#[test]
fn jacobian_blocks_agree() {
    let input = load("test.txt");
    for i in 0..input.p {
        let (cam, x, w, feat) = input.observation(i);
        let reverse = ba::block_ad_reverse(cam, x, w, feat);
        for (name, block) in &BLOCKS[1..] {
            let other = block(cam, x, w, feat);
            for k in 0..2 * BLOCK {
                let err = adbench_error(reverse[k], other[k]);
                assert!(
                    err < 1e-13,
                    "observation {i}, entry {k}: reverse {:e}, {name} {:e}",
                    reverse[k],
                    other[k]
                );
            }
        }
    }
}

/// Central differences of the residual of one observation: the 2 x 15
/// block, column by column.
fn finite_difference_block(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    let mut j = [0.0; 2 * BLOCK];
    for col in 0..BLOCK {
        let eval = |delta: f64| {
            let (mut c, mut xx, mut ww) = (cam, x, w);
            if col < CAM {
                c[col] += delta;
            } else if col < CAM + 3 {
                xx[col - CAM] += delta;
            } else {
                ww += delta;
            }
            ba::reproj_error(c, xx, ww, feat)
        };
        let h = 1e-6;
        let (plus, minus) = (eval(h), eval(-h));
        j[2 * col] = (plus[0] - minus[0]) / (2.0 * h);
        j[2 * col + 1] = (plus[1] - minus[1]) / (2.0 * h);
    }
    j
}

/// The `||r||^2 == 0` branch (`x + r x x`): with `r = 0` exactly, the blocks
/// match central differences (which step off zero into the other branch,
/// whose first derivative at zero is the same); and near zero too.
#[test]
fn zero_rotation_branch_matches_finite_differences() {
    let input = load("test.txt");
    let (mut cam, x, w, feat) = input.observation(0);
    for r in [[0.0, 0.0, 0.0], [1e-3, -2e-3, 5e-4]] {
        cam[..3].copy_from_slice(&r);
        let fd = finite_difference_block(cam, x, w, feat);
        for (name, block) in BLOCKS {
            let j = block(cam, x, w, feat);
            for k in 0..2 * BLOCK {
                let err = adbench_error(j[k], fd[k]);
                assert!(
                    err < 1e-6,
                    "r = {r:?}, entry {k}: {name} {:e}, finite differences {:e}",
                    j[k],
                    fd[k]
                );
            }
        }
    }
}

/// The reader keeps ADBench's replication: every camera, point, weight and
/// feature is the file's one, observation `i` uses camera `i % n` and point
/// `i % m`.
#[test]
fn reader_replicates_like_adbench() {
    let input = load("test.txt");
    assert_eq!((input.n, input.m, input.p), (2, 10, 10));
    assert_eq!(input.cams[..3], [1.797201, 0.590697, -0.635786]);
    assert_eq!(input.cams[11..22], input.cams[..11]);
    assert_eq!(input.x[27..30], [4.173048, 5.586898, 1.403869]);
    assert_eq!(input.w, vec![0.417022; 10]);
    assert_eq!(input.feats[18..20], [-525.672849, 161.811929]);
    assert_eq!(input.obs[..6], [0, 0, 1, 1, 0, 2]);
    assert_eq!(input.obs[18..20], [1, 9]);
    assert!(ba::parse_ba("2 10 10\n1 2 3\n").is_err());
}
