//! What generated code allocates, seen by a counting global allocator (per
//! thread, so tests running side by side do not see each other's):
//! straight-line scalar code allocates nothing; the reverse pass of a matrix
//! product allocates a few buffers of the matrices' size, never a Jacobian.

use ad::differentiate;
use ad::nalgebra::DMatrix;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    // `try_with`: the thread-locals may be gone while a thread shuts down.
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
    let _ = BYTES.try_with(|c| c.set(c.get() + size));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
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

/// Allocations made by this thread while running `f`.
fn allocations_during(f: impl FnOnce()) -> usize {
    stats_during(f).0
}

/// (allocations, largest allocation in bytes, total bytes) of this thread
/// while running `f`.
fn stats_during(f: impl FnOnce()) -> (usize, usize, usize) {
    let before = COUNT.with(Cell::get);
    let bytes = BYTES.with(Cell::get);
    LARGEST.with(|c| c.set(0));
    f();
    (
        COUNT.with(Cell::get) - before,
        LARGEST.with(Cell::get),
        BYTES.with(Cell::get) - bytes,
    )
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

#[differentiate]
fn product_sum(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let c = a * b;
    c.sum()
}

#[test]
fn matrix_product_reverse_pass_allocates_matrices_not_a_jacobian() {
    let n = 500;
    let a = DMatrix::from_fn(n, n, |i, j| ((i * 3 + j) % 7) as f64 - 3.0);
    let b = DMatrix::from_fn(n, n, |i, j| ((i + 2 * j) % 5) as f64 - 2.0);
    let matrix = n * n * std::mem::size_of::<f64>();
    let mut out = (0.0, DMatrix::zeros(0, 0), DMatrix::zeros(0, 0));
    let (count, largest, bytes) = stats_during(|| out = product_sum_grad(&a, &b));
    // C_bar = ones, A_bar = C_bar B^T, B_bar = A^T C_bar: C, C_bar, B^T, the
    // two cotangents and nalgebra's temporaries (7 today), each at most one
    // 500 x 500 matrix; a Jacobian of C in A would be 250000 x 250000.
    assert!(largest <= matrix, "largest allocation {largest} bytes");
    assert!(count <= 8, "{count} allocations");
    assert!(bytes <= 8 * matrix, "{bytes} bytes allocated");
    // The gradient of sum(A B) in A is ones * B^T: row sums of B, per row.
    let (_, ga, gb) = out;
    let row_sums: Vec<f64> = (0..n).map(|k| b.row(k).sum()).collect();
    let col_sums: Vec<f64> = (0..n).map(|k| a.column(k).sum()).collect();
    for i in [0, 17, 499] {
        for k in [0, 3, 250] {
            assert_eq!(ga[(i, k)], row_sums[k]);
            assert_eq!(gb[(k, i)], col_sums[k]);
        }
    }
}

#[differentiate]
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[differentiate]
fn logistic_sum(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += logistic(k * x[i]) * x[i];
    }
    s
}

#[differentiate(joint)]
fn logistic_joint(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[differentiate]
fn logistic_sum_joint(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += logistic_joint(k * x[i]) * x[i];
    }
    s
}

/// A scalar helper called in a loop (split form): its forward sweep saves
/// its floats on the caller's stream, and its pullbacks hold nothing, so
/// the caller's stack of them never allocates: the gradient allocates a
/// few growing buffers, not one per call. Measured: 60 bytes per call in
/// all allocations together (`x_bar`, and the stream of about three floats
/// per call as its buffer doubles); pullbacks that held the two floats
/// would add 32 more. In joint mode (`#[differentiate(joint)]`) the helper
/// saves nothing: 34 bytes per call (the caller still saves the call's
/// value).
#[test]
fn a_scalar_helper_in_a_loop_saves_two_floats_per_call() {
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let (_, gs, ks) = logistic_sum_grad(&x, 0.8);
    let (_, gj, kj) = logistic_sum_joint_grad(&x, 0.8);
    assert_eq!((&gs, ks), (&gj, kj), "split and joint forms agree");
    ad::release_stack_buffers();
    let (count, _, bytes) = stats_during(|| {
        std::hint::black_box(logistic_sum_grad(&x, 0.8));
    });
    assert!(bytes <= 64 * n, "split: {bytes} bytes for {n} calls");
    assert!(count <= 40, "split: {count} allocations for {n} calls");
    ad::release_stack_buffers();
    let (count, _, bytes) = stats_during(|| {
        std::hint::black_box(logistic_sum_joint_grad(&x, 0.8));
    });
    assert!(bytes <= 40 * n, "joint: {bytes} bytes for {n} calls");
    assert!(count <= 40, "joint: {count} allocations for {n} calls");
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Net {
    layers: Vec<Layer>,
}

/// Elements of fields of elements of a local struct (`q.layers[k].w[r]`),
/// read `2 n` times per layer.
#[differentiate(wrt(p))]
fn local_layer_reads(p: &Net) -> f64 {
    let q = p.clone();
    let mut s = 0.0;
    for k in 0..q.layers.len() {
        for r in 0..q.layers[k].w.len() {
            s += q.layers[k].w[r] * q.layers[k].b[r];
        }
    }
    s
}

#[test]
fn element_reads_of_a_local_struct_copy_elements_not_fields() {
    let net = |n: usize| Net {
        layers: (0..2)
            .map(|k| Layer {
                w: (0..n).map(|i| (i + k) as f64 * 0.1).collect(),
                b: (0..n).map(|i| 1.0 - (i * k) as f64 * 0.05).collect(),
            })
            .collect(),
    };
    let (small, large) = (net(4), net(64));
    let _ = std::hint::black_box(local_layer_reads_grad(&small));
    let a = allocations_during(|| {
        std::hint::black_box(local_layer_reads_grad(&small));
    });
    let b = allocations_during(|| {
        std::hint::black_box(local_layer_reads_grad(&large));
    });
    // The copy of the struct and its cotangent: as many allocations at
    // any width (a copy of the whole field per read made 4 per element).
    assert_eq!(a, b, "allocations at width 4: {a}, at width 64: {b}");
    let (_, g) = local_layer_reads_grad(&large);
    assert_eq!(g.layers[1].w, large.layers[1].b);
    assert_eq!(g.layers[0].b, large.layers[0].w);
}
