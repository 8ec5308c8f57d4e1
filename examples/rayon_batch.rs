//! A data-parallel gradient with rayon: the gradient of the MLP loss of
//! `models/mlp.rs` (784-256-10, tanh, softmax cross-entropy) over a batch
//! of 8192 examples, split into chunks whose gradients are computed on all
//! cores and summed through the `ad::Differentiable` trait.
//!
//! The loss is a mean over the batch, so the batch gradient is the sum of
//! the chunk gradients weighted by each chunk's share of the examples:
//! `g = sum_c (n_c / n) g_c`, one `axpy` per chunk. Generated derivatives
//! share nothing between calls (their stacks are local; only empty buffers
//! are kept per thread), so chunks run on any thread.
//!
//! The example checks that the parallel gradient equals the one-call
//! gradient, then times one thread against all of rayon's threads in
//! interleaved rounds (with a progress bar) and draws the times to
//! `target/rayon_batch.png`.
//!
//! Run: `cargo run --release --example rayon_batch`

#[path = "../models/mlp.rs"]
#[allow(dead_code)] // the positional loss and `mlp_grad_by_hand` are the benchmark's
mod mlp;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ad::nalgebra::{DMatrix, DVector, RowDVector};
use ad::Differentiable;
use indicatif::{ProgressBar, ProgressStyle};
use mlp::Mlp;
use plotters::prelude::*;
use rayon::prelude::*;

const INPUTS: usize = 784;
const HIDDEN: usize = 256;
const CLASSES: usize = 10;
const BATCH: usize = 8192;
const CHUNK: usize = 512;
const ROUNDS: u64 = 7;

/// A tiny deterministic generator (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// One chunk of the batch: its examples (one per column), a row of ones of
/// its size (to broadcast the biases) and its labels.
struct Chunk {
    x: DMatrix<f64>,
    ones: RowDVector<f64>,
    labels: Vec<usize>,
}

impl Chunk {
    fn new(x: DMatrix<f64>, labels: Vec<usize>) -> Self {
        let ones = RowDVector::from_element(labels.len(), 1.0);
        Chunk { x, ones, labels }
    }
}

/// The batch gradient from chunk gradients, computed on one thread.
fn gradient_sequential(m: &Mlp, chunks: &[Chunk], n: usize) -> (f64, Mlp) {
    let mut loss = 0.0;
    let mut grad = m.zero_like();
    for c in chunks {
        let (l, g) = m.loss_grad(&c.x, &c.ones, &c.labels);
        let share = c.labels.len() as f64 / n as f64;
        loss += share * l;
        grad.axpy(share, &g);
    }
    (loss, grad)
}

/// The same on rayon's threads: each thread folds the chunks it takes into
/// a partial sum, and the partial sums are added with `accumulate`.
fn gradient_parallel(m: &Mlp, chunks: &[Chunk], n: usize) -> (f64, Mlp) {
    chunks
        .par_iter()
        .fold(
            || (0.0, m.zero_like()),
            |(mut loss, mut grad), c| {
                let (l, g) = m.loss_grad(&c.x, &c.ones, &c.labels);
                let share = c.labels.len() as f64 / n as f64;
                loss += share * l;
                grad.axpy(share, &g);
                (loss, grad)
            },
        )
        .reduce(
            || (0.0, m.zero_like()),
            |(la, mut ga), (lb, gb)| {
                ga.accumulate(&gb);
                (la + lb, ga)
            },
        )
}

fn main() {
    let mut rng = Lcg(3);
    let glorot = |fan_in: usize, rng: &mut Lcg| rng.normal() / (fan_in as f64).sqrt();
    let m = Mlp {
        w1: DMatrix::from_fn(HIDDEN, INPUTS, |_, _| glorot(INPUTS, &mut rng)),
        b1: DVector::from_fn(HIDDEN, |_, _| 0.1 * rng.normal()),
        w2: DMatrix::from_fn(CLASSES, HIDDEN, |_, _| glorot(HIDDEN, &mut rng)),
        b2: DVector::from_fn(CLASSES, |_, _| 0.1 * rng.normal()),
    };
    // Inputs N(0, 1); labels from a random linear teacher, so the loss is
    // a real one.
    let x = DMatrix::from_fn(INPUTS, BATCH, |_, _| rng.normal());
    let teacher = DMatrix::from_fn(CLASSES, INPUTS, |_, _| rng.normal());
    let scores = &teacher * &x;
    let labels: Vec<usize> = (0..BATCH).map(|j| scores.column(j).argmax().0).collect();

    // The split is done once: chunks of CHUNK columns.
    let chunks: Vec<Chunk> = (0..BATCH)
        .step_by(CHUNK)
        .map(|start| {
            let len = CHUNK.min(BATCH - start);
            Chunk::new(
                x.columns(start, len).clone_owned(),
                labels[start..start + len].to_vec(),
            )
        })
        .collect();
    let whole = Chunk::new(x.clone(), labels.clone());
    let threads = rayon::current_num_threads();

    // The chunked gradients equal the one-call gradient (up to the order
    // of the additions).
    let (l_one, g_one) = m.loss_grad(&whole.x, &whole.ones, &whole.labels);
    let (l_seq, g_seq) = gradient_sequential(&m, &chunks, BATCH);
    let (l_par, g_par) = gradient_parallel(&m, &chunks, BATCH);
    let mut diff = g_par.clone();
    diff.axpy(-1.0, &g_one);
    let rel = diff.norm() / g_one.norm();
    let mut diff_seq = g_seq.clone();
    diff_seq.axpy(-1.0, &g_one);
    println!(
        "batch {BATCH}, {} chunks of {CHUNK}, {} parameters; loss {l_one:.6}",
        chunks.len(),
        m.num_scalars()
    );
    println!(
        "parallel gradient against one call: |g_par - g| / |g| = {rel:.1e} (sequential chunks {:.1e}); loss {:.1e} apart",
        diff_seq.norm() / g_one.norm(),
        (l_par - l_one).abs().max((l_seq - l_one).abs())
    );
    assert!(rel < 1e-12, "parallel gradient differs: {rel:e}");

    // Interleaved rounds: one call on the whole batch, the chunks on one
    // thread, the chunks on rayon's threads.
    let bar = ProgressBar::new(ROUNDS);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rounds {elapsed} {msg}")
            .expect("valid template"),
    );
    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        std::hint::black_box(m.loss_grad(&whole.x, &whole.ones, &whole.labels));
        times[0].push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(gradient_sequential(&m, &chunks, BATCH));
        times[1].push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(gradient_parallel(&m, &chunks, BATCH));
        times[2].push(t.elapsed());
        bar.set_message(format!(
            "last round: one thread {:.0} ms, {threads} threads {:.0} ms",
            times[1].last().unwrap().as_secs_f64() * 1e3,
            times[2].last().unwrap().as_secs_f64() * 1e3
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let median = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2].as_secs_f64()
    };
    let [one_call, sequential, parallel] = [0, 1, 2].map(|i| median(&times[i]));
    println!("median of {ROUNDS} interleaved rounds, seconds per batch gradient:");
    println!("  one call, whole batch     {one_call:.3} s");
    println!("  chunks, one thread        {sequential:.3} s");
    println!("  chunks, {threads} threads         {parallel:.3} s");
    let speedups: Vec<f64> = (0..ROUNDS as usize)
        .map(|r| times[1][r].as_secs_f64() / times[2][r].as_secs_f64())
        .collect();
    let (lo, hi) = speedups
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    println!(
        "speed-up on {threads} threads: {:.2}x (median; {lo:.2}-{hi:.2}x over the rounds)",
        sequential / parallel
    );

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).expect("create target/");
    let path = dir.join("rayon_batch.png");
    let bars = [
        ("one call".to_owned(), one_call),
        ("chunks, 1 thread".to_owned(), sequential),
        (format!("chunks, {threads} threads"), parallel),
    ];
    plot(&path, &bars).expect("write the PNG");
    println!("times drawn to {}", path.display());
}

/// Registers DejaVu Sans for the labels when the system has it (as
/// `examples/plot_benchmarks.rs` does); without it the picture has no text.
fn register_font() -> bool {
    let font = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    match std::fs::read(font) {
        Ok(bytes) => {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        }
        Err(_) => false,
    }
}

/// One horizontal bar per way of computing the gradient, in seconds.
fn plot(path: &Path, bars: &[(String, f64)]) -> Result<(), Box<dyn std::error::Error>> {
    let text = register_font();
    let root = BitMapBackend::new(path, (700, 300)).into_drawing_area();
    root.fill(&WHITE)?;
    let longest = bars.iter().map(|b| b.1).fold(0.0, f64::max) * 1.15;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(15);
    if text {
        builder
            .caption(
                format!("Gradient of the MLP loss, batch {BATCH}"),
                ("sans-serif", 20),
            )
            .x_label_area_size(35)
            .y_label_area_size(150);
    }
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let mut chart =
        builder.build_cartesian_2d(0.0..longest, (0..bars.len() - 1).into_segmented())?;
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh();
    if text {
        mesh.x_desc("seconds per batch gradient (median)")
            .y_label_formatter(&label);
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw()?;
    let colours = [
        RGBColor(150, 150, 150),
        RGBColor(30, 60, 210),
        RGBColor(200, 30, 30),
    ];
    chart.draw_series(bars.iter().enumerate().map(|(i, (_, t))| {
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (*t, SegmentValue::Exact(i + 1)),
            ],
            colours[i % colours.len()].filled(),
        );
        bar.set_margin(8, 8, 0, 0);
        bar
    }))?;
    root.present()?;
    Ok(())
}
