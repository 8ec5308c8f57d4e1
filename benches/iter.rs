//! Iterator chains against the index loops they stand for: `sum`, `zip` and
//! `fold` forms, in `_grad`, `_jvp` and `_hvp` (issue 20: "an iterator
//! chain's derivative costs no more than the equivalent index loop's").
//!
//! Run: `cargo bench --bench iter` (about a minute).
//!
//! First the ratios chain / loop from paired rounds (each round times one
//! call of the chain and one of the loop, after an untimed call each, in
//! an order that alternates from round to round; the median of the
//! per-round ratios with its quartiles, as `benches/paired.rs` does, which
//! explains why), then criterion's times of each function (group `iter`).

use ad::differentiate;
use criterion::{criterion_group, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[differentiate]
pub fn sum_chain(x: &[f64]) -> f64 {
    x.iter().map(|v| v.sin() * v).sum::<f64>()
}

#[differentiate]
pub fn sum_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin() * x[i];
    }
    s
}

#[differentiate(wrt(x))]
pub fn zip_chain(x: &[f64], w: &[f64]) -> f64 {
    x.iter().zip(w).map(|(a, b)| a * b * a.cos()).sum::<f64>()
}

#[differentiate(wrt(x))]
pub fn zip_loop(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len().min(w.len()) {
        s += x[i] * w[i] * x[i].cos();
    }
    s
}

#[differentiate]
pub fn fold_chain(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |acc, v| acc * 0.5 + v.tanh())
}

#[differentiate]
pub fn fold_loop(x: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc = acc * 0.5 + x[i].tanh();
    }
    acc
}

const N: usize = 1000;

fn inputs() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..N).map(|i| (i as f64 * 0.37).sin()).collect();
    let w: Vec<f64> = (0..N).map(|i| 1.0 + (i as f64 * 0.11).cos()).collect();
    let v: Vec<f64> = (0..N).map(|i| (i as f64 * 0.23).cos()).collect();
    (x, w, v)
}

/// A pair of calls: the chain form and the loop form, for one mode.
type Pair<'a> = (String, Box<dyn FnMut() + 'a>, Box<dyn FnMut() + 'a>);

fn pairs<'a>(x: &'a [f64], w: &'a [f64], v: &'a [f64]) -> Vec<Pair<'a>> {
    macro_rules! pair {
        ($name:expr, $chain:expr, $looped:expr) => {
            (
                $name.to_owned(),
                Box::new(move || {
                    black_box($chain);
                }) as Box<dyn FnMut()>,
                Box::new(move || {
                    black_box($looped);
                }) as Box<dyn FnMut()>,
            )
        };
    }
    let x = black_box(x);
    vec![
        pair!("sum  _grad", sum_chain_grad(x), sum_loop_grad(x)),
        pair!("sum  _jvp", sum_chain_jvp(x, v), sum_loop_jvp(x, v)),
        pair!("sum  _hvp", sum_chain_hvp(x, v), sum_loop_hvp(x, v)),
        pair!("zip  _grad", zip_chain_grad(x, w), zip_loop_grad(x, w)),
        pair!("zip  _jvp", zip_chain_jvp(x, v, w), zip_loop_jvp(x, v, w)),
        pair!("zip  _hvp", zip_chain_hvp(x, v, w), zip_loop_hvp(x, v, w)),
        pair!("fold _grad", fold_chain_grad(x), fold_loop_grad(x)),
        pair!("fold _jvp", fold_chain_jvp(x, v), fold_loop_jvp(x, v)),
        pair!("fold _hvp", fold_chain_hvp(x, v), fold_loop_hvp(x, v)),
    ]
}

/// The first quartile, the median and the third quartile.
fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn paired() {
    let (x, w, v) = inputs();
    println!("iterator chain / index loop, n = {N}, paired rounds:");
    println!(
        "  {:<11} {:>12} {:>12}  {:>22}",
        "form, mode", "chain (us)", "loop (us)", "chain / loop [q1, q3]"
    );
    for (name, mut chain, mut looped) in pairs(&x, &w, &v) {
        let (mut tc, mut tl) = (Vec::new(), Vec::new());
        let start = Instant::now();
        let mut round = 0;
        while round < 200 || start.elapsed() < Duration::from_millis(400) {
            for k in 0..2 {
                let (f, t): (&mut Box<dyn FnMut()>, &mut Vec<f64>) = if (round + k) % 2 == 0 {
                    (&mut chain, &mut tc)
                } else {
                    (&mut looped, &mut tl)
                };
                f();
                let t0 = Instant::now();
                f();
                t.push(t0.elapsed().as_secs_f64());
            }
            round += 1;
        }
        let ratios: Vec<f64> = tc.iter().zip(&tl).map(|(c, l)| c / l).collect();
        let (q1, m, q3) = quartiles(ratios);
        println!(
            "  {:<11} {:>12.2} {:>12.2}  {:>8.3} [{:.3}, {:.3}]",
            name,
            quartiles(tc).1 * 1e6,
            quartiles(tl).1 * 1e6,
            m,
            q1,
            q3
        );
    }
}

fn bench(c: &mut Criterion) {
    let (x, w, v) = inputs();
    let mut g = c.benchmark_group("iter");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800))
        .sample_size(20);
    for (name, mut chain, mut looped) in pairs(&x, &w, &v) {
        let name = name.replace(' ', "");
        g.bench_function(BenchmarkId::new("chain", &name), |b| b.iter(&mut chain));
        g.bench_function(BenchmarkId::new("loop", &name), |b| b.iter(&mut looped));
    }
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    paired();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
