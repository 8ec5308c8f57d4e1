//! Extended Rosenbrock over a slice: the Hessian-vector product `_hvp`
//! (forward over reverse) against `_grad` and the primal, with hand-written
//! references for both.
//!
//! Run: `cargo bench --bench hvp`
//!
//! * `primal`: the function alone;
//! * `ad_grad`: the generated reverse mode (value and gradient);
//! * `ad_hvp`: the generated forward-over-reverse mode (value, gradient and
//!   `H v`);
//! * `hand_grad`: the straightforward hand-written gradient (as in
//!   `benches/rosenbrock.rs`);
//! * `hand_hvp`: hand-written value, gradient and `H v` in one loop, `H v`
//!   being the tridiagonal product written out.
//!
//! The ratio to watch is `ad_hvp / ad_grad` (target <= 2.5), next to
//! `hand_hvp / hand_grad`.
//!
//! At n = 1e6 the outputs are 8 MB vectors, and with glibc's default malloc
//! the time of both HVPs (generated and hand-written) is dominated by page
//! faults: freeing the two 8 MB outputs of an HVP exceeds glibc's dynamic
//! trim threshold, so the heap is returned to the kernel after every call and
//! faulted in again by the next one (about 7300 minor faults per call, against
//! about 400 per `_grad`). To measure the arithmetic and memory traffic
//! without that, run
//! `GLIBC_TUNABLES=glibc.malloc.trim_threshold=1000000000:glibc.malloc.mmap_threshold=1000000000 cargo bench --bench hvp`.

#[path = "../models/rosenbrock.rs"]
mod rosenbrock;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rosenbrock::*;
use std::hint::black_box;
use std::time::Duration;

/// `a` and `b` agree to `1e-12` relative, entry by entry.
fn assert_close(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for i in 0..a.len() {
        assert!(
            (a[i] - b[i]).abs() <= 1e-12 * (1.0 + b[i].abs()),
            "{what}: entry {i}: {} vs {}",
            a[i],
            b[i]
        );
    }
}

fn bench(c: &mut Criterion) {
    // Generated and hand-written results agree before anything is timed.
    let (x, v) = (point(1000), direction(1000));
    let (value, g, hv) = rosenbrock_hvp(&x, &v);
    let (hand_value, hand_g, hand_hv) = hand_hvp(&x, &v);
    assert!((value - hand_value).abs() <= 1e-12 * hand_value.abs());
    assert_close("gradient", &g, &hand_g);
    assert_close("H v", &hv, &hand_hv);
    assert_close(
        "gradient of _grad",
        &rosenbrock_grad(&x).1,
        &hand_grad(&x).1,
    );

    let mut group = c.benchmark_group("hvp");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for n in [1_000usize, 1_000_000] {
        let (x, v) = (point(n), direction(n));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("primal", n), &x, |b, x| {
            b.iter(|| rosenbrock(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("ad_grad", n), &x, |b, x| {
            b.iter(|| rosenbrock_grad(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("ad_hvp", n), &x, |b, x| {
            b.iter(|| rosenbrock_hvp(black_box(x), black_box(&v)))
        });
        group.bench_with_input(BenchmarkId::new("hand_grad", n), &x, |b, x| {
            b.iter(|| hand_grad(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("hand_hvp", n), &x, |b, x| {
            b.iter(|| hand_hvp(black_box(x), black_box(&v)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
