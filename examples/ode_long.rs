//! Fitting an ODE's parameters to observations over a long horizon, in
//! bounded memory: Lotka-Volterra integrated by RK4 over 60 000 steps,
//! its four rates fitted by a damped Newton method (Levenberg) on the
//! gradient and on Hessians from `_hvp`, second order over the checkpointed
//! loop.
//!
//! Without `#[checkpoint]`, reverse mode records every step: about 55 MB
//! per gradient here (BENCHMARKS.md, "Long loops"), 900 MB for a million
//! steps. With `#[checkpoint(snapshots = 50)]` on the loop, it stores 50
//! snapshots of the state and computes the steps between them again (each
//! step at most 4 more times for 60 000 steps, `ad::checkpoint::repetitions`):
//! the peak heap of a gradient or of a Hessian-vector product, measured
//! here by a counting allocator, is a few kB whatever the number of steps.
//!
//! Run: `cargo run --release --example ode_long` (the observations and the
//! fitted trajectory are drawn to `target/ode_long.png`).

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(live, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Prey `u[0]` and predators `u[1]`; rates `p`: prey growth, predation,
/// predator death, predator growth.
#[differentiate]
fn lotka_volterra(u: [f64; 2], p: &[f64]) -> [f64; 2] {
    [
        p[0] * u[0] - p[1] * u[0] * u[1],
        p[3] * u[0] * u[1] - p[2] * u[1],
    ]
}

/// One classical Runge-Kutta step of size `h`.
#[differentiate]
fn rk4(u: [f64; 2], p: &[f64], h: f64) -> [f64; 2] {
    let k1 = lotka_volterra(u, p);
    let k2 = lotka_volterra([u[0] + 0.5 * h * k1[0], u[1] + 0.5 * h * k1[1]], p);
    let k3 = lotka_volterra([u[0] + 0.5 * h * k2[0], u[1] + 0.5 * h * k2[1]], p);
    let k4 = lotka_volterra([u[0] + h * k3[0], u[1] + h * k3[1]], p);
    [
        u[0] + h / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        u[1] + h / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    ]
}

/// Mean squared misfit between the trajectory from `u0` and observations of
/// both species every `every` steps (`obs[2k]`, `obs[2k + 1]`).
#[differentiate(wrt(p))]
fn misfit(p: &[f64], u0: [f64; 2], obs: &[f64], every: usize, h: f64) -> f64 {
    let steps = obs.len() / 2 * every;
    let mut u = u0;
    let mut loss = 0.0;
    #[checkpoint(snapshots = 50)]
    for i in 0..steps {
        u = rk4(u, p, h);
        if (i + 1) % every == 0 {
            let k = (i + 1) / every - 1;
            let (e0, e1) = (u[0] - obs[2 * k], u[1] - obs[2 * k + 1]);
            loss += e0 * e0 + e1 * e1;
        }
    }
    loss / (obs.len() as f64)
}

/// Observations of the true system with a little deterministic noise.
fn observe(p: &[f64], u0: [f64; 2], count: usize, every: usize, h: f64) -> Vec<f64> {
    let mut u = u0;
    let mut out = Vec::with_capacity(2 * count);
    for k in 0..count {
        for _ in 0..every {
            u = rk4(u, p, h);
        }
        let noise = 0.01 * ((k as f64) * 1.7).sin();
        out.extend([u[0] * (1.0 + noise), u[1] * (1.0 - noise)]);
    }
    out
}

fn main() {
    let truth = [1.1, 0.4, 0.4, 0.1];
    let u0 = [10.0, 5.0];
    // 60 000 steps of 2e-4 over 12 time units, observed every 250 steps.
    let (count, every, h) = (240, 250, 2e-4);
    let obs = observe(&truth, u0, count, every, h);

    let mut p = vec![1.0, 0.45, 0.35, 0.11];
    let (start, _) = misfit_grad(&p, u0, &obs, every, h);
    let iterations = 30;
    let bar = ProgressBar::new(iterations);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} Newton steps {elapsed} {msg}")
            .expect("a valid template"),
    );
    // The peak heap of each gradient and Hessian-vector product.
    let mut peak = 0;
    let mut measured = |f: &mut dyn FnMut()| {
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        f();
        peak = peak.max(PEAK.load(Relaxed) - base);
    };
    let mut damping = 1.0;
    let (mut loss, mut grad) = misfit_grad(&p, u0, &obs, every, h);
    for _ in 0..iterations {
        // The Hessian from four Hessian-vector products, damped.
        let mut hessian = Vec::new();
        measured(&mut || {
            hessian = ad::dense::hessian(4, |v| misfit_hvp(&p, v, u0, &obs, every, h).2);
        });
        let damped = DMatrix::from_fn(4, 4, |i, j| {
            hessian[i][j]
                + if i == j {
                    damping * hessian[i][i].abs().max(1e-12)
                } else {
                    0.0
                }
        });
        if let Some(step) = damped.lu().solve(&DVector::from_column_slice(&grad)) {
            let trial: Vec<f64> = p.iter().zip(step.iter()).map(|(a, s)| a - s).collect();
            let mut next = (f64::NAN, Vec::new());
            measured(&mut || next = misfit_grad(&trial, u0, &obs, every, h));
            if next.0 < loss {
                (p, loss, grad) = (trial, next.0, next.1);
                damping *= 0.5;
            } else {
                damping *= 2.0;
            }
        } else {
            damping *= 2.0;
        }
        bar.set_message(format!("misfit {loss:.6}"));
        bar.inc(1);
    }
    bar.finish();
    let at_truth = misfit(&truth, u0, &obs, every, h);
    println!(
        "{} steps: misfit {start:.4} -> {loss:.5} ({at_truth:.5} at the true rates)",
        count * every
    );
    println!("fitted rates {p:.4?}, true {truth:?}");
    println!(
        "peak heap of a gradient or Hessian-vector product: {:.1} kB (plain reverse mode: about 55 MB)",
        peak as f64 / 1024.0
    );
    for (fit, t) in p.iter().zip(truth) {
        assert!((fit - t).abs() < 0.02 * t, "rate {fit} far from {t}");
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&path).expect("create target/");
    let path = path.join("ode_long.png");
    // The trajectory of the fitted rates, without the observations' noise.
    let mut u = u0;
    let mut fitted = Vec::with_capacity(2 * count);
    for _ in 0..count {
        for _ in 0..every {
            u = rk4(u, &p, h);
        }
        fitted.extend(u);
    }
    plot(&path, &obs, &fitted, every as f64 * h).expect("the picture");
    println!(
        "observations and fitted trajectory drawn to {}",
        path.display()
    );
    assert!(
        peak < 64 * 1024,
        "the gradient's peak heap grew to {peak} bytes"
    );
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

/// The observed populations (dots) and the trajectory of the fitted rates
/// (lines), prey and predators, against time.
fn plot(
    path: &Path,
    obs: &[f64],
    fitted: &[f64],
    dt: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let text = register_font();
    let root = BitMapBackend::new(path, (800, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let count = obs.len() / 2;
    let top = obs.iter().chain(fitted).copied().fold(0.0, f64::max) * 1.1;
    let mut builder = ChartBuilder::on(&root);
    builder.margin(12);
    if text {
        builder
            .caption(
                "Lotka-Volterra fitted over 60 000 RK4 steps",
                ("sans-serif", 20),
            )
            .x_label_area_size(35)
            .y_label_area_size(45);
    }
    let mut chart = builder.build_cartesian_2d(0.0..(count as f64 * dt), 0.0..top)?;
    let mut mesh = chart.configure_mesh();
    if text {
        mesh.x_desc("time").y_desc("population");
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw()?;
    let species = [
        ("prey", RGBColor(30, 90, 200)),
        ("predators", RGBColor(200, 40, 30)),
    ];
    for (s, (name, colour)) in species.into_iter().enumerate() {
        let at = |k: usize| (k as f64 + 1.0) * dt;
        chart.draw_series(
            (0..count).map(|k| Circle::new((at(k), obs[2 * k + s]), 2, colour.mix(0.5).filled())),
        )?;
        chart
            .draw_series(LineSeries::new(
                (0..count).map(|k| (at(k), fitted[2 * k + s])),
                colour.stroke_width(2),
            ))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
