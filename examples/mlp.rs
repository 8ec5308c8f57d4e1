//! A 2-layer tanh MLP trained on the CS231n spiral (three interleaved arms in
//! the plane, not linearly separable): its parameters are a struct `Mlp`
//! (`#[derive(ad::Differentiable)]`), its loss a method differentiated with
//! `wrt(self)` in `models/mlp.rs`, and Adam is written once for any
//! parameter struct through the `Differentiable` trait. The
//! learned decision regions and the data are drawn to
//! `target/mlp_spiral.png`.
//!
//! Run: `cargo run --release --example mlp`

#[path = "../models/mlp.rs"]
#[allow(dead_code)] // the positional loss and `mlp_grad_by_hand` are the benchmark's
mod mlp;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ad::nalgebra::{DMatrix, DVector, RowDVector};
use ad::Differentiable;
use indicatif::{ProgressBar, ProgressStyle};
use mlp::Mlp;
use plotters::prelude::*;

const CLASSES: usize = 3;
const PER_CLASS: usize = 100;
const HIDDEN: usize = 100;
const EPOCHS: u64 = 2000;

/// A tiny deterministic generator (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box-Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The CS231n spiral: arm `c` has radii evenly spaced in [0, 1] and angles
/// in [4c, 4c + 4] plus N(0, 0.2) noise. One point per column of the 2 x n
/// matrix, and the labels.
fn spiral(rng: &mut Lcg) -> (DMatrix<f64>, Vec<usize>) {
    let n = CLASSES * PER_CLASS;
    let mut x = DMatrix::zeros(2, n);
    let mut labels = Vec::with_capacity(n);
    for c in 0..CLASSES {
        for i in 0..PER_CLASS {
            let s = i as f64 / (PER_CLASS - 1) as f64;
            let r = s;
            let t = 4.0 * (c as f64 + s) + 0.2 * rng.normal();
            let j = c * PER_CLASS + i;
            x[(0, j)] = r * t.sin();
            x[(1, j)] = r * t.cos();
            labels.push(c);
        }
    }
    (x, labels)
}

/// Adam (Kingma & Ba), written once for any parameter struct: the
/// moments `m` and `v` have the parameters' type, and every update goes
/// through the `Differentiable` trait.
struct Adam<P> {
    m: P,
    v: P,
    rate: f64,
    step: i32,
}

impl<P: Differentiable<Scalar = f64>> Adam<P> {
    fn new(p: &P, rate: f64) -> Self {
        Adam {
            m: p.zero_like(),
            v: p.zero_like(),
            rate,
            step: 0,
        }
    }

    fn update(&mut self, p: &mut P, g: &P) {
        let (beta1, beta2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        self.step += 1;
        let (c1, c2) = (1.0 - beta1.powi(self.step), 1.0 - beta2.powi(self.step));
        // m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
        self.m
            .zip_apply_scalars(g, |m, g| beta1 * m + (1.0 - beta1) * g);
        self.v
            .zip_apply_scalars(g, |v, g| beta2 * v + (1.0 - beta2) * g * g);
        // p -= rate m^ / (sqrt(v^) + eps), with the ratio computed in `step`.
        let mut step = self.m.clone();
        step.zip_apply_scalars(&self.v, |m, v| (m / c1) / ((v / c2).sqrt() + eps));
        p.axpy(-self.rate, &step);
    }
}

fn accuracy(scores: &DMatrix<f64>, labels: &[usize]) -> f64 {
    let correct = labels
        .iter()
        .enumerate()
        .filter(|&(j, &y)| scores.column(j).argmax().0 == y)
        .count();
    correct as f64 / labels.len() as f64
}

/// Light region colours and dark point colours, one per class.
const REGION: [RGBColor; CLASSES] = [
    RGBColor(255, 205, 205),
    RGBColor(205, 235, 205),
    RGBColor(205, 215, 255),
];
const POINT: [RGBColor; CLASSES] = [
    RGBColor(200, 30, 30),
    RGBColor(20, 140, 40),
    RGBColor(30, 60, 210),
];

/// Draws the predicted class of every pixel over [-1.2, 1.2]^2, then the data.
fn plot(
    path: &Path,
    p: &Mlp,
    x: &DMatrix<f64>,
    labels: &[usize],
) -> Result<(), Box<dyn std::error::Error>> {
    const SIZE: u32 = 600;
    const LIM: f64 = 1.2;
    let root = BitMapBackend::new(path, (SIZE, SIZE)).into_drawing_area();
    root.fill(&WHITE)?;
    // One batch per pixel row: the network classifies SIZE points at once.
    let ones = RowDVector::from_element(SIZE as usize, 1.0);
    let coord = |pixel: u32| -LIM + 2.0 * LIM * (pixel as f64 + 0.5) / SIZE as f64;
    for row in 0..SIZE {
        let grid = DMatrix::from_fn(2, SIZE as usize, |i, col| {
            if i == 0 {
                coord(col as u32)
            } else {
                -coord(row)
            }
        });
        let scores = p.scores(&grid, &ones);
        for col in 0..SIZE {
            let class = scores.column(col as usize).argmax().0;
            root.draw_pixel((col as i32, row as i32), &REGION[class])?;
        }
    }
    let chart = ChartBuilder::on(&root).build_cartesian_2d(-LIM..LIM, -LIM..LIM)?;
    let plotting = chart.plotting_area();
    for (j, &c) in labels.iter().enumerate() {
        let centre = (x[(0, j)], x[(1, j)]);
        plotting.draw(&Circle::new(centre, 4, POINT[c].filled()))?;
        plotting.draw(&Circle::new(centre, 4, BLACK.stroke_width(1)))?;
    }
    root.present()?;
    Ok(())
}

fn main() {
    let mut rng = Lcg(7);
    let (x, labels) = spiral(&mut rng);
    let n = labels.len();
    let ones = RowDVector::from_element(n, 1.0);

    // Glorot-style initialisation, zero biases.
    let mut p = Mlp {
        w1: DMatrix::from_fn(HIDDEN, 2, |_, _| rng.normal() / 2f64.sqrt()),
        b1: DVector::zeros(HIDDEN),
        w2: DMatrix::from_fn(CLASSES, HIDDEN, |_, _| {
            rng.normal() / (HIDDEN as f64).sqrt()
        }),
        b2: DVector::zeros(CLASSES),
    };
    let mut adam = Adam::new(&p, 0.01);

    let start = Instant::now();
    let bar = ProgressBar::new(EPOCHS);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} epochs {elapsed} {msg}")
            .expect("valid template"),
    );
    let mut loss = f64::NAN;
    for epoch in 1..=EPOCHS {
        // The loss and its gradient, an `Mlp` of the parameters' shapes.
        let (l, g) = p.loss_grad(&x, &ones, &labels);
        loss = l;
        adam.update(&mut p, &g);
        if epoch % 100 == 0 {
            bar.set_message(format!("loss {loss:.4}"));
            bar.set_position(epoch);
        }
    }
    bar.finish_and_clear();
    let train_time = start.elapsed();

    let scores = p.scores(&x, &ones);
    let acc = accuracy(&scores, &labels);
    println!(
        "{EPOCHS} epochs of Adam on {n} spiral points, hidden size {HIDDEN}: {:.2} s",
        train_time.as_secs_f64()
    );
    println!(
        "final loss {loss:.5}, training accuracy {:.1}%",
        100.0 * acc
    );

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).expect("create target/");
    let path = dir.join("mlp_spiral.png");
    let plot_start = Instant::now();
    plot(&path, &p, &x, &labels).expect("write the PNG");
    println!(
        "decision regions written to {} ({:.2} s)",
        path.display(),
        plot_start.elapsed().as_secs_f64()
    );
    assert!(acc > 0.95, "training accuracy {acc} is not above 95%");
}
