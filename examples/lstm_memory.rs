//! What ADBench's LSTM gradient allocates, written as one function
//! (`adbench/lstm.rs`) and as four helpers (`adbench/lstm_modular.rs`,
//! called in split mode): allocations and peak heap of one gradient, seen by
//! a counting global allocator, the allocations of the gradient called
//! again (`again`: the stacks' buffers are kept per thread between calls),
//! and the mean time of a gradient.
//!
//! `cargo run --release --example lstm_memory`

#[path = "../adbench/lstm.rs"]
mod lstm;
#[path = "../adbench/lstm_modular.rs"]
mod lstm_modular;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static COUNT: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        COUNT.fetch_add(1, Relaxed);
        grow(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        COUNT.fetch_add(1, Relaxed);
        LIVE.fetch_sub(l.size(), Relaxed);
        grow(n);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and peak heap above the start (bytes) while `f` runs, the
/// stack buffers kept from earlier calls released first; and the
/// allocations of a second call, which finds the first call's stack
/// buffers kept for it.
fn measure(f: impl Fn()) -> (usize, usize, usize) {
    ad::release_stack_buffers();
    let (count, base) = (COUNT.load(Relaxed), LIVE.load(Relaxed));
    PEAK.store(base, Relaxed);
    f();
    let (first, peak) = (COUNT.load(Relaxed) - count, PEAK.load(Relaxed) - base);
    let count = COUNT.load(Relaxed);
    f();
    (first, peak, COUNT.load(Relaxed) - count)
}

fn main() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/adbench/lstm/lstm_l2_c1024.txt");
    let input = lstm::read_lstm(&path).expect("ADBench's lstm_l2_c1024");
    let (l, c, b) = (input.l, input.c, input.b);
    let theta = input.theta();
    let (state, seq) = (&input.state, &input.sequence);
    let one = || lstm::lstm_objective_grad(&theta, state, seq, l, c, b);
    let four = || lstm_modular::lstm_objective_modular_grad(&theta, state, seq, l, c, b);
    let (g1, g4) = (one().1, four().1);
    let worst = g1
        .iter()
        .zip(&g4)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-12, "the two gradients differ by {worst}");
    println!("ADBench LSTM l2 c1024 (b = {b}), one gradient:");
    println!(
        "  {:<22} {:>12} {:>14} {:>10} {:>10}",
        "", "allocations", "peak heap", "again", "time"
    );
    for (name, f) in [
        ("one function", &one as &dyn Fn() -> (f64, Vec<f64>)),
        ("four helpers (split)", &four),
    ] {
        let (count, peak, again) = measure(|| {
            std::hint::black_box(f());
        });
        let rounds = 50;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(f());
        }
        let time = start.elapsed() / rounds;
        println!(
            "  {name:<22} {count:>12} {:>11} kB {again:>10} {:>7.2} ms",
            peak / 1024,
            time.as_secs_f64() * 1e3
        );
    }
}
