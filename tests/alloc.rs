//! Generated straight-line scalar code allocates nothing on the heap: a
//! counting global allocator sees no allocation during calls of `_jvp`,
//! `_vjp` and `_grad`.

use ad::differentiate;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[differentiate]
fn busy(x: f64, y: f64, n: i32) -> f64 {
    let mut s = x.sin() * y.exp() + x.powi(n);
    s += x.atan2(y) * y.hypot(x) / (1.0 + x * x);
    s *= y.max(x).clamp(-1.0, 1.0) + x.mul_add(y, 0.5);
    let (a, b) = (s.tanh(), s.ln_1p().abs());
    a * b + f64::sqrt(y * y + 1.0) - (n as f64).cbrt()
}

/// Allocations made while running `f`.
fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn scalar_derivatives_do_not_allocate() {
    // Warm up anything lazily initialised by the test harness.
    let _ = std::hint::black_box(busy_grad(0.3, 0.7, 3));
    let mut sink = 0.0;
    let n = allocations_during(|| {
        for i in 0..100 {
            let x = std::hint::black_box(0.01 * i as f64);
            let (v, gx, gy) = busy_grad(x, 0.7, 3);
            let (w, d) = busy_jvp(x, 1.0, 0.7, -0.5, 3);
            let (u, bx, by) = busy_vjp(x, 0.7, 3, 2.0);
            sink += v + gx + gy + w + d + u + bx + by;
        }
    });
    assert!(sink.is_finite());
    assert_eq!(n, 0, "the derivatives allocated {n} times");
    // The counter works: a Vec allocates.
    let m = allocations_during(|| {
        let v: Vec<f64> = std::hint::black_box(vec![1.0; 16]);
        drop(v);
    });
    assert!(m >= 1, "the counting allocator saw no allocation");
}
