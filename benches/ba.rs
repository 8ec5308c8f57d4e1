//! ADBench BA (ba1: 49 cameras, 7776 points, 31843 observations): the
//! residuals, and the sparse Jacobian assembled as ADBench's `BASparseMat`
//! from each observation's 2 x 15 block, by reverse mode (two `_vjp`
//! passes), forward mode (fifteen `_jvp` passes) and by hand (ADBench's
//! "Manual"). The ratio Jacobian / residuals is ADBench's measure (its
//! hand-written C++ reads 6.72 on ba1, Tapenade 8.78). The blocks alone,
//! without the assembly, are timed too.
//!
//! Run: `cargo bench --bench ba`

#[path = "../adbench/ba.rs"]
mod ba;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

type BlockFn = fn([f64; ba::CAM], [f64; 3], f64, [f64; 2]) -> ba::Block;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ba");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    let name = "ba1_n49_m7776_p31843";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench/ba")
        .join(format!("{name}.txt"));
    let input = ba::read_ba(&path).expect("the ADBench input");
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

criterion_group!(benches, bench);
criterion_main!(benches);
