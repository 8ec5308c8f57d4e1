//! ADBench BA (ba1: 49 cameras, 7776 points, 31843 observations): the
//! residuals, and the sparse Jacobian assembled as ADBench's `BASparseMat`
//! from each observation's 2 x 15 block, by reverse mode (`_vjp_many`: one
//! forward sweep and two reverse sweeps per block), forward mode (fifteen
//! `_jvp` passes) and by hand (ADBench's
//! "Manual"). The ratio Jacobian / residuals is ADBench's measure (its
//! hand-written C++ reads 6.72 on ba1, Tapenade 8.78). The blocks alone,
//! without the assembly, are timed too.
//!
//! Run: `cargo bench --bench ba`
//!
//! Peers (group `ba_peers`, `cargo bench --bench ba -- ba_peers`), on the
//! first p = 1000, 10 000 and 31 843 (all) observations of ba1: the same
//! Jacobian with each block from `num_dual::Dual64` (fifteen forward passes)
//! and from the `reverse` crate's tape (one recording, two backward sweeps),
//! `adbench/ba_peers.rs`, next to the residuals and `ad`'s and the
//! hand-written Jacobians.

#[path = "../adbench/ba.rs"]
mod ba;
#[path = "../adbench/ba_peers.rs"]
mod ba_peers;
#[path = "../adbench/peers.rs"]
mod peers;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

type BlockFn = fn([f64; ba::CAM], [f64; 3], f64, [f64; 2]) -> ba::Block;

const NAME: &str = "ba1_n49_m7776_p31843";

fn ba1() -> ba::BaInput {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench/ba")
        .join(format!("{NAME}.txt"));
    ba::read_ba(&path).expect("the ADBench input")
}

/// The instance made of the first `p` observations (all the cameras and
/// points, the first `p` weights).
fn first(input: &ba::BaInput, p: usize) -> ba::BaInput {
    ba::BaInput {
        p,
        w: input.w[..p].to_vec(),
        obs: input.obs[..2 * p].to_vec(),
        feats: input.feats[..2 * p].to_vec(),
        ..input.clone()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ba");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    let name = NAME;
    let input = ba1();
    let mut r = vec![0.0; input.n_residuals()];
    group.bench_function(format!("{name}/residuals"), |b| {
        b.iter(|| ba::residuals_into(black_box(&input), &mut r))
    });
    let blocks: [(&str, BlockFn); 3] = [
        ("ad_reverse", ba::block_ad_reverse),
        ("ad_forward", ba::block_ad_forward),
        ("manual", ba::block_manual),
    ];
    let mut jac = ba::BaSparseMat::new(&input);
    for (what, block) in blocks {
        group.bench_function(format!("{name}/jacobian_{what}"), |b| {
            b.iter(|| ba::jacobian_into(black_box(&input), &mut jac, block))
        });
    }
    // The blocks alone: every observation's block, summed into one (no
    // assembly), against the residuals alone.
    let observations: Vec<_> = (0..input.p).map(|i| input.observation(i)).collect();
    group.bench_function(format!("{name}/reproj_only"), |b| {
        b.iter(|| {
            let mut s = [0.0; 2];
            for &(cam, x, w, feat) in black_box(&observations) {
                let e = ba::reproj_error(cam, x, w, feat);
                s[0] += e[0];
                s[1] += e[1];
            }
            s
        })
    });
    for (what, block) in blocks {
        group.bench_function(format!("{name}/blocks_only_{what}"), |b| {
            b.iter(|| {
                let mut s = [0.0; 2 * ba::BLOCK];
                for &(cam, x, w, feat) in black_box(&observations) {
                    let j = block(cam, x, w, feat);
                    for k in 0..s.len() {
                        s[k] += j[k];
                    }
                }
                s
            })
        });
    }
    group.finish();
}

/// The peers on the first p observations, every tool at every p.
fn bench_peers(c: &mut Criterion) {
    let all = ba1();
    let tape = reverse::Tape::new();
    let mut group = c.benchmark_group("ba_peers");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    for p in [1_000usize, 10_000, all.p] {
        let input = first(&all, p);
        let mut jac = ba::BaSparseMat::new(&input);
        let by_tape = |cam, x, w, feat| ba_peers::block_reverse(&tape, cam, x, w, feat);

        // The peers' Jacobians equal `ad`'s first.
        let want = ba::jacobian(&input, ba::block_ad_reverse);
        let tools: [(&str, &dyn Fn(_, _, _, _) -> ba::Block); 2] =
            [("num-dual", &ba_peers::block_num_dual), ("tape", &by_tape)];
        for (what, block) in tools {
            let got = ba::jacobian(&input, block);
            assert_eq!((&got.rows, &got.cols), (&want.rows, &want.cols), "{what}");
            peers::assert_close(what, &got.vals, &want.vals, 1e-12);
        }

        let mut r = vec![0.0; input.n_residuals()];
        group.bench_function(BenchmarkId::new("residuals", p), |b| {
            b.iter(|| ba::residuals_into(black_box(&input), &mut r))
        });
        let blocks: [(&str, BlockFn); 3] = [
            ("ad_reverse", ba::block_ad_reverse),
            ("ad_forward", ba::block_ad_forward),
            ("manual", ba::block_manual),
        ];
        for (what, block) in blocks {
            group.bench_function(BenchmarkId::new(what, p), |b| {
                b.iter(|| ba::jacobian_into(black_box(&input), &mut jac, block))
            });
        }
        group.bench_function(BenchmarkId::new("reverse_tape", p), |b| {
            b.iter(|| ba::jacobian_into(black_box(&input), &mut jac, by_tape))
        });
        group.bench_function(BenchmarkId::new("num_dual", p), |b| {
            b.iter(|| ba::jacobian_into(black_box(&input), &mut jac, ba_peers::block_num_dual))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_peers);
criterion_main!(benches);
