//! Helpers shared by the ADBench tests: the data directory, a reader for the
//! flat JSON reference files, and ADBench's comparison.
// Each test uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn data_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench")
        .join(relative)
}

/// The reference file `data/adbench/refs/{name}` as text.
pub fn reference(name: &str) -> String {
    std::fs::read_to_string(data_path(&format!("refs/{name}"))).unwrap()
}

/// The text after `"key":` in a JSON document, from its first non-blank character.
fn json_value<'a>(json: &'a str, key: &str) -> &'a str {
    let quoted = format!("\"{key}\"");
    let at = json
        .find(&quoted)
        .unwrap_or_else(|| panic!("no key {quoted} in the reference"));
    let rest = json[at + quoted.len()..].trim_start();
    rest.strip_prefix(':')
        .unwrap_or_else(|| panic!("no ':' after {quoted}"))
        .trim_start()
}

/// A number value of the reference (`"key": 1.5`).
pub fn json_number(json: &str, key: &str) -> f64 {
    let value = json_value(json, key);
    let end = value
        .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
        .unwrap_or(value.len());
    value[..end]
        .parse()
        .unwrap_or_else(|e| panic!("{key}: {:?}: {e}", &value[..end]))
}

/// An array of numbers of the reference (`"key": [1.5, -2e-3]`).
pub fn json_numbers(json: &str, key: &str) -> Vec<f64> {
    let value = json_value(json, key);
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.split(']').next())
        .unwrap_or_else(|| panic!("{key} is not an array"));
    inner
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .unwrap_or_else(|e| panic!("{key}: {s:?}: {e}"))
        })
        .collect()
}

/// ADBench's comparison: `|x - y| / max(1, |x| + |y|)`.
pub fn adbench_error(x: f64, y: f64) -> f64 {
    (x - y).abs() / 1f64.max(x.abs() + y.abs())
}

pub const TOLERANCE: f64 = 1e-8;

/// One value within the tolerance; prints the error (seen with `--nocapture`).
pub fn assert_value_matches(what: &str, ours: f64, reference: f64) {
    let err = adbench_error(ours, reference);
    assert!(
        err < TOLERANCE,
        "{what}: ad {ours:e}, reference {reference:e}, ADBench error {err:e}"
    );
    println!("{what}: ad {ours:.17e}, reference {reference:.17e}, ADBench error {err:.1e}");
}

/// Every entry within the tolerance; prints the worst error.
pub fn assert_entries_match(what: &str, ours: &[f64], reference: &[f64]) {
    assert_eq!(ours.len(), reference.len(), "{what}: length");
    let mut worst = 0.0f64;
    for (i, (&a, &b)) in ours.iter().zip(reference).enumerate() {
        let err = adbench_error(a, b);
        assert!(
            err < TOLERANCE,
            "{what}[{i}]: ad {a:e}, reference {b:e}, ADBench error {err:e}"
        );
        worst = worst.max(err);
    }
    println!(
        "{what}: {} entries, worst ADBench error {worst:.1e}",
        ours.len()
    );
}

/// The references' direction and cotangent: `v_i = sin(i + 1)`.
pub fn sin_vector(len: usize) -> Vec<f64> {
    (0..len).map(|i| ((i + 1) as f64).sin()).collect()
}
