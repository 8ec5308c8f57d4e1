//! Timing for the ADBench examples (not a benchmark: `cargo bench` is).
//! Shared by `examples/{gmm,ba,lstm}.rs` through `#[path]`.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Seconds per call of `f`: the best of seven batches, each long enough to time.
pub fn seconds_per_call<R>(mut f: impl FnMut() -> R) -> f64 {
    // Calls per batch: double until a batch takes at least 50 ms.
    let mut calls = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..calls {
            black_box(f());
        }
        if start.elapsed() >= Duration::from_millis(50) {
            break;
        }
        calls *= 2;
    }
    (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                black_box(f());
            }
            start.elapsed().as_secs_f64() / f64::from(calls)
        })
        .fold(f64::INFINITY, f64::min)
}
