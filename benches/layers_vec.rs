//! A 2-layer MLP whose layers are in a `Vec<Layer>` (`p.layers[i].w[r][c]`,
//! `p.layers[i].b[r]`), against the same network with its layers as two
//! fields (`p.l1.w[r][c]`): the `_grad` of each, timed in paired rounds (as
//! `benches/paired.rs`: every round times one call of each, in an order
//! that rotates, and gives its own ratio). An element read of a field of a
//! struct in a `Vec` adds its cotangent in place (`p_bar.layers[i].b[r] +=
//! c`), so the ratio stays near 1 at any width (it was 83 at width 16 and
//! 707 at width 64 when each read added a zero of the whole field: 0.91 and
//! 1.15 after, on the development machine).
//!
//! Run: `cargo bench --bench layers_vec`.

use ad::differentiate;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct NetVec {
    layers: Vec<Layer>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct NetTwo {
    l1: Layer,
    l2: Layer,
}

/// `tanh(W h + b)` for each layer of the `Vec`, then the sum of the outputs.
#[differentiate(wrt(p))]
fn mlp_vec(p: &NetVec, x: &[f64]) -> f64 {
    let n = x.len();
    let mut h = x.to_vec();
    for i in 0..p.layers.len() {
        let mut next = vec![0.0; n];
        for r in 0..n {
            let mut s = p.layers[i].b[r];
            for c in 0..n {
                s += p.layers[i].w[r][c] * h[c];
            }
            next[r] = s.tanh();
        }
        h = next;
    }
    let mut out = 0.0;
    for r in 0..n {
        out += h[r];
    }
    out
}

/// The same network, its layers as two fields.
#[differentiate(wrt(p))]
fn mlp_two(p: &NetTwo, x: &[f64]) -> f64 {
    let n = x.len();
    let mut h1 = vec![0.0; n];
    for r in 0..n {
        let mut s = p.l1.b[r];
        for c in 0..n {
            s += p.l1.w[r][c] * x[c];
        }
        h1[r] = s.tanh();
    }
    let mut out = 0.0;
    for r in 0..n {
        let mut s = p.l2.b[r];
        for c in 0..n {
            s += p.l2.w[r][c] * h1[c];
        }
        out += s.tanh();
    }
    out
}

fn layer(n: usize, k: f64) -> Layer {
    let v = |a: usize, b: usize| (0.37 * (a * n + b) as f64 + k).sin() / (n as f64).sqrt();
    Layer {
        w: (0..n).map(|r| (0..n).map(|c| v(r, c)).collect()).collect(),
        b: (0..n).map(|r| 0.1 * v(n, r)).collect(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    for n in [16usize, 64] {
        let two = NetTwo {
            l1: layer(n, 0.3),
            l2: layer(n, -1.1),
        };
        let vec = NetVec {
            layers: vec![two.l1.clone(), two.l2.clone()],
        };
        let x: Vec<f64> = (0..n).map(|i| (0.7 * i as f64).cos()).collect();
        // The two gradients agree before they are timed.
        let (v1, g1) = mlp_vec_grad(&vec, &x);
        let (v2, g2) = mlp_two_grad(&two, &x);
        assert_eq!(v1, v2);
        assert_eq!(g1.layers, vec![g2.l1, g2.l2]);
        let (mut tv, mut tt) = (Vec::new(), Vec::new());
        let start = Instant::now();
        let mut round = 0;
        while round < 15 || start.elapsed() < Duration::from_secs(4) {
            for j in 0..2 {
                let vec_first = (round + j) % 2 == 0;
                let time = |f: &mut dyn FnMut()| {
                    f();
                    let t0 = Instant::now();
                    f();
                    t0.elapsed().as_secs_f64()
                };
                if vec_first {
                    tv.push(time(&mut || {
                        black_box(mlp_vec_grad(black_box(&vec), black_box(&x)));
                    }));
                } else {
                    tt.push(time(&mut || {
                        black_box(mlp_two_grad(black_box(&two), black_box(&x)));
                    }));
                }
            }
            round += 1;
        }
        let ratios: Vec<f64> = tv.iter().zip(&tt).map(|(a, b)| a / b).collect();
        println!(
            "width {n}: {round} rounds; Vec<Layer> {:.1} us, two fields {:.1} us, median ratio {:.3}",
            median(tv) * 1e6,
            median(tt) * 1e6,
            median(ratios)
        );
    }
}
