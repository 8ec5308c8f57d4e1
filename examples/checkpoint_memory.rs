//! Peak heap and time of reverse mode over a long loop, plain and under
//! `#[checkpoint(snapshots = S)]`: RK4 for Lotka-Volterra over 10^4 to 10^6
//! steps, the misfit to one observation per step differentiated in the four
//! rates. A counting global allocator gives the peak heap of each call
//! (above the level before it); the time is the best of a few runs. The
//! checkpointed gradient equals the plain one to the bit (checked).
//!
//! `cargo run --release --example checkpoint_memory` (BENCHMARKS.md)

use ad::differentiate;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        grow(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_sub(l.size(), Relaxed);
        grow(n);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Peak heap above the start (bytes) while `f` runs, the stack buffers
/// kept from earlier calls released first, and the result.
fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ad::release_stack_buffers();
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed) - base)
}

/// The best time of `reps` runs, in seconds.
fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[differentiate]
fn lv(u: [f64; 2], p: &[f64]) -> [f64; 2] {
    [
        p[0] * u[0] - p[1] * u[0] * u[1],
        p[3] * u[0] * u[1] - p[2] * u[1],
    ]
}

#[differentiate]
fn rk4(u: [f64; 2], p: &[f64], h: f64) -> [f64; 2] {
    let k1 = lv(u, p);
    let k2 = lv([u[0] + 0.5 * h * k1[0], u[1] + 0.5 * h * k1[1]], p);
    let k3 = lv([u[0] + 0.5 * h * k2[0], u[1] + 0.5 * h * k2[1]], p);
    let k4 = lv([u[0] + h * k3[0], u[1] + h * k3[1]], p);
    [
        u[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        u[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    ]
}

/// The misfit of the trajectory to one prey observation per step.
#[differentiate(wrt(p))]
fn misfit(p: &[f64], obs: &[f64], h: f64, snaps: usize) -> f64 {
    let mut u = [10.0, 5.0];
    let mut loss = 0.0;
    #[checkpoint(snapshots = snaps)]
    for i in 0..obs.len() {
        u = rk4(u, p, h);
        let d = u[0] - obs[i];
        loss += h * d * d;
    }
    loss
}

/// The same, without `#[checkpoint]`.
#[differentiate(wrt(p))]
fn misfit_plain(p: &[f64], obs: &[f64], h: f64) -> f64 {
    let mut u = [10.0, 5.0];
    let mut loss = 0.0;
    for i in 0..obs.len() {
        u = rk4(u, p, h);
        let d = u[0] - obs[i];
        loss += h * d * d;
    }
    loss
}

fn human(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} kB", b as f64 / (1 << 10) as f64),
        b => format!("{b} B"),
    }
}

fn main() {
    let p = [1.1, 0.4, 0.4, 0.1];
    println!("| steps | run | peak heap | time | time / primal |");
    println!("|---:|---|---:|---:|---:|");
    for n in [10_000usize, 100_000, 1_000_000] {
        // Over a horizon of 20 time units, whatever the number of steps.
        let h = 20.0 / n as f64;
        let obs: Vec<f64> = (0..n).map(|i| 10.0 + 3.0 * (i as f64 * h).sin()).collect();
        let reps = (2_000_000 / n).clamp(2, 20);
        let (_, primal_peak) = peak(|| misfit_plain(&p, &obs, h));
        let primal = best(reps, || misfit_plain(&p, &obs, h));
        let row = |name: &str, bytes: usize, t: f64| {
            println!(
                "| {n} | {name} | {} | {:.2} ms | {:.1}x |",
                human(bytes),
                t * 1e3,
                t / primal
            );
        };
        row("primal", primal_peak, primal);
        let (plain, plain_peak) = peak(|| misfit_plain_grad(&p, &obs, h));
        let t = best(reps, || misfit_plain_grad(&p, &obs, h));
        row("`_grad`, plain", plain_peak, t);
        for s in [10, 30, 100, 1000] {
            let (g, g_peak) = peak(|| misfit_grad(&p, &obs, h, s));
            assert_eq!(
                g, plain,
                "the checkpointed gradient differs from the plain one"
            );
            let t = best(reps, || misfit_grad(&p, &obs, h, s));
            let r = ad::checkpoint::repetitions(n, s);
            row(
                &format!("`_grad`, `#[checkpoint(snapshots = {s})]` (r = {r})"),
                g_peak,
                t,
            );
        }
    }
}
