//! Snapshot tests of the generated code, as Clad checks its generated
//! source: the expansion of a few representative functions, pretty-printed,
//! must equal the files in `ad-macros/snapshots/`. A change to generated code
//! then shows up in review like a change to code.
//!
//! To accept a change: `AD_UPDATE_SNAPSHOTS=1 cargo test -p ad-macros snapshot`,
//! then read the diff.

use crate::expand::expand_in;
use crate::pretty::pretty;
use crate::scope::Scope;
use proc_macro2::TokenStream;
use quote::quote;

fn check(name: &str, args: TokenStream, item: TokenStream) {
    check_in(name, args, item, Scope::Unknown)
}

/// [`check`], for a function whose scope is known.
fn check_in(name: &str, args: TokenStream, item: TokenStream, scope: Scope) {
    let generated = pretty(expand_in(args, item, scope));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{name}.rs.snap"));
    if std::env::var_os("AD_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &generated).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == generated,
        "the generated code of `{name}` changed; if intended, run \
         AD_UPDATE_SNAPSHOTS=1 cargo test -p ad-macros snapshot and review the diff.\n\
         --- new ---\n{generated}"
    );
}

#[test]
fn snapshot_straight_line() {
    check(
        "neuron",
        quote!(),
        quote! {
            fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
                let dot = w0 * x0 + w1 * x1 + w2;
                1.0 / (1.0 + (-dot).exp())
            }
        },
    );
}

#[test]
fn snapshot_loop_with_overwritten_values() {
    check(
        "cube",
        quote!(),
        quote! {
            fn cube(x: f64) -> f64 {
                let mut t = 1.0;
                for _ in 0..3 {
                    t *= x;
                }
                t
            }
        },
    );
}

#[test]
fn snapshot_single_pass_reduction_over_a_slice() {
    check(
        "rosenbrock",
        quote!(),
        quote! {
            pub fn rosenbrock(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() - 1 {
                    s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
                }
                s
            }
        },
    );
}

#[test]
fn snapshot_branches_calls_and_early_return() {
    check(
        "piecewise",
        quote!(wrt(x)),
        quote! {
            fn piecewise(x: f64, limit: f64, n: usize) -> f64 {
                let mut y = x;
                for i in 0..n {
                    if y > limit {
                        return y.sqrt();
                    }
                    y = helper(y, i as f64);
                }
                y
            }
        },
    );
}

#[test]
fn snapshot_matrix_code_with_second_order() {
    check(
        "two_layer",
        quote!(wrt(w1, w2)),
        quote! {
            fn two_layer(w1: &DMatrix<f64>, w2: &DMatrix<f64>, x: &DVector<f64>, y: usize) -> f64 {
                let h = nn::tanh(&(w1 * x));
                let z = w2 * &h;
                let logp = nn::log_softmax(&z);
                -logp[y] + 0.5 * w1.norm_squared()
            }
        },
    );
}

#[test]
fn snapshot_jacobian_rows_in_lanes() {
    check(
        "project",
        quote!(wrt(x)),
        quote! {
            fn project(x: [f64; 3], focal: f64, angle: f64) -> [f64; 2] {
                let (s, c) = (angle.sin(), angle.cos());
                let u = c * x[0] - s * x[1];
                [focal * u / x[2], focal * x[1] / x[2]]
            }
        },
    );
}

#[test]
fn snapshot_checkpointed_loop() {
    check(
        "euler_checkpointed",
        quote!(),
        quote! {
            fn euler(y0: f64, k: f64, n: usize) -> f64 {
                let mut y = y0;
                #[checkpoint(snapshots = 4)]
                for _ in 0..n {
                    y = y - 0.1 * k * y.sin();
                }
                y
            }
        },
    );
}

/// A function at a module's level: `f_jvp`, `f_vjp`, `f_grad` and the split
/// form's pullback call the hidden wrappers that hold the bodies.
#[test]
fn snapshot_free_function_with_thin_items() {
    check_in(
        "thin",
        quote!(),
        quote! {
            fn scaled_sum(x: &[f64], k: usize, a: f64) -> f64 {
                let mut s = 0.0;
                for i in 0..k {
                    s += (a * x[i]).sin();
                }
                s
            }
        },
        Scope::Free,
    );
}

/// An integer counter in code on nalgebra values: `k += 1` and the reverse
/// sweep's trip count `trips += 1` as written, not `k += &1`.
#[test]
fn snapshot_counted_loop_on_matrices() {
    check(
        "power_steps",
        quote!(wrt(w, x)),
        quote! {
            fn power_steps(w: &DMatrix<f64>, x: &DVector<f64>, n: usize) -> f64 {
                let mut h = x.clone();
                let mut k = 0;
                loop {
                    h = w * &h;
                    k += 1;
                    if k >= n {
                        break;
                    }
                }
                h.sum()
            }
        },
    );
}

/// Rows built in `vec![..]`: the temporaries read once are moved in, not
/// cloned (`vec![t_1, dt_1]` in forward mode).
#[test]
fn snapshot_rows_in_a_vec() {
    check(
        "two_rows",
        quote!(),
        quote! {
            fn two_rows(x: &[f64], a: f64) -> f64 {
                let rows = vec![x.to_vec(), x.iter().map(|e| e * a).collect::<Vec<f64>>()];
                rows[0][0] * rows[1][1]
            }
        },
    );
}
