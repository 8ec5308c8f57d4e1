//! argmin, Rust's optimisation framework, driven by derivatives that `ad`
//! generates:
//!
//! - L-BFGS on `rosenbrock_grad`, the 100-dimensional extended Rosenbrock
//!   function;
//! - trust-region Newton-CG (Steihaug's conjugate gradient in argmin's
//!   `TrustRegion`) on `rosenbrock_hvp`, Hessian-free: the inner solver
//!   only multiplies by the Hessian, so the "Hessian" handed to argmin is an
//!   operator whose product is one `_hvp` call;
//! - Newton's method on `ad::dense::hessian` (the whole matrix, from `n`
//!   Hessian-vector products) for an L2-regularised logistic regression,
//!   where argmin inverts the matrix.
//!
//! Each run reports its progress through an argmin observer (an indicatif
//! spinner) and records the gradient norm per iteration; the three
//! convergence curves are drawn to `target/argmin_convergence.png`.
//!
//! The glue between argmin's traits and the generated functions is written
//! out here; with the cargo feature `argmin`, `ad::argmin::Problem` is the
//! same glue, `Problem::new(f, |x| f_grad(x).1).with_hvp(|x, v| f_hvp(x,
//! v).2)`.
//!
//! Run: `cargo run --release --example argmin`

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};
use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{CostFunction, Error, Executor, Gradient, Hessian, State, KV};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::Newton;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use argmin_math::{ArgminDot, ArgminInv};
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;

// ---------------------------------------------------------------------------
// The objectives: plain Rust, differentiated at compile time.

/// The extended Rosenbrock function, minimum 0 at (1, ..., 1).
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// Mean negative log-likelihood of a logistic regression with bias `w[0]`
/// and weights `w[1..]`, labels `y` in {-1, 1}, plus `lambda / 2 |w|^2`.
#[differentiate(wrt(w))]
fn logistic_loss(w: &[f64], x: &[Vec<f64>], y: &[f64], lambda: f64) -> f64 {
    let mut penalty = 0.0;
    for j in 0..w.len() {
        penalty += w[j] * w[j];
    }
    let mut s = 0.5 * lambda * penalty;
    let n = y.len() as f64;
    for i in 0..y.len() {
        let mut z = w[0];
        for j in 0..x[i].len() {
            z += w[j + 1] * x[i][j];
        }
        // ln(1 + e^(-y z)), the softplus of the negative margin
        s += (-y[i] * z).exp().ln_1p() / n;
    }
    s
}

// ---------------------------------------------------------------------------
// The argmin problems: each trait method is one call of a generated function.

struct Rosenbrock;

impl CostFunction for Rosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(rosenbrock(x))
    }
}

impl Gradient for Rosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(rosenbrock_grad(x).1)
    }
}

impl Hessian for Rosenbrock {
    type Param = Vec<f64>;
    type Hessian = RosenbrockHessianAt;
    fn hessian(&self, x: &Vec<f64>) -> Result<RosenbrockHessianAt, Error> {
        Ok(RosenbrockHessianAt(x.clone()))
    }
}

/// The Hessian at a point, as an operator: `H v` is `rosenbrock_hvp`'s third
/// result. The matrix is never formed: Steihaug's CG needs only products.
#[derive(Clone)]
struct RosenbrockHessianAt(Vec<f64>);

impl ArgminDot<Vec<f64>, Vec<f64>> for RosenbrockHessianAt {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        rosenbrock_hvp(&self.0, v).2
    }
}

struct Logistic {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    lambda: f64,
}

impl CostFunction for Logistic {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, w: &Vec<f64>) -> Result<f64, Error> {
        Ok(logistic_loss(w, &self.x, &self.y, self.lambda))
    }
}

impl Gradient for Logistic {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, w: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok(logistic_loss_grad(w, &self.x, &self.y, self.lambda).1)
    }
}

impl Hessian for Logistic {
    type Param = Vec<f64>;
    type Hessian = DenseHessian;
    fn hessian(&self, w: &Vec<f64>) -> Result<DenseHessian, Error> {
        // Column j is H e_j: one Hessian-vector product per parameter.
        let h = ad::dense::hessian(w.len(), |v| {
            logistic_loss_hvp(w, v, &self.x, &self.y, self.lambda).2
        });
        Ok(DenseHessian(DMatrix::from_fn(w.len(), w.len(), |i, j| {
            h[i][j]
        })))
    }
}

/// A dense Hessian that argmin's `Newton` can invert and apply (argmin's
/// `Vec` backend has no matrix inverse; nalgebra's is used here).
#[derive(Clone)]
struct DenseHessian(DMatrix<f64>);

impl ArgminInv<DenseHessian> for DenseHessian {
    fn inv(&self) -> Result<DenseHessian, Error> {
        let inverse = self.0.clone().try_inverse();
        inverse
            .map(DenseHessian)
            .ok_or_else(|| Error::msg("singular Hessian"))
    }
}

impl ArgminDot<Vec<f64>, Vec<f64>> for DenseHessian {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        (&self.0 * DVector::from_column_slice(v))
            .as_slice()
            .to_vec()
    }
}

// ---------------------------------------------------------------------------
// Progress and the convergence record.

/// The gradient norm at a point.
type GradientNorm = Box<dyn Fn(&[f64]) -> f64>;

/// An argmin observer: a spinner with the iteration and cost, and the
/// gradient norm at every iterate (for the picture).
struct Progress {
    bar: ProgressBar,
    gradient_norm: GradientNorm,
    history: Arc<Mutex<Vec<f64>>>,
}

impl Progress {
    fn new(name: &str, gradient_norm: GradientNorm) -> (Self, Arc<Mutex<Vec<f64>>>) {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<32} {msg}").expect("valid template"),
        );
        bar.set_prefix(name.to_owned());
        let history = Arc::new(Mutex::new(Vec::new()));
        let progress = Progress {
            bar,
            gradient_norm,
            history: Arc::clone(&history),
        };
        (progress, history)
    }

    fn record<I: State<Param = Vec<f64>, Float = f64>>(&mut self, state: &I) {
        if let Some(x) = state.get_param() {
            let g = (self.gradient_norm)(x);
            self.history.lock().expect("not poisoned").push(g);
            self.bar.set_message(format!(
                "iteration {:>3}  cost {:.3e}  |grad| {g:.2e}",
                state.get_iter(),
                state.get_cost()
            ));
            self.bar.tick();
        }
    }
}

impl<I: State<Param = Vec<f64>, Float = f64>> Observe<I> for Progress {
    fn observe_init(&mut self, _name: &str, state: &I, _kv: &KV) -> Result<(), Error> {
        self.record(state);
        Ok(())
    }

    fn observe_iter(&mut self, state: &I, _kv: &KV) -> Result<(), Error> {
        self.record(state);
        Ok(())
    }

    fn observe_final(&mut self, _state: &I) -> Result<(), Error> {
        self.bar.finish();
        Ok(())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

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

/// `n` points with `d` standard normal features, labelled by a logistic
/// model with known weights (so the classes overlap).
fn logistic_data(n: usize, d: usize, rng: &mut Lcg) -> Logistic {
    let truth: Vec<f64> = (0..=d).map(|j| 1.0 - 0.4 * j as f64).collect();
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let xi: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
        let z = truth[0] + (0..d).map(|j| truth[j + 1] * xi[j]).sum::<f64>();
        let p = 1.0 / (1.0 + (-z).exp());
        y.push(if rng.uniform() < p { 1.0 } else { -1.0 });
        x.push(xi);
    }
    Logistic { x, y, lambda: 1e-3 }
}

fn main() -> Result<(), Error> {
    let n = 100;
    // From the origin. (From the classic (-1.2, 1, -1.2, 1, ...), Newton's
    // method finds the local minimum near (-1, 1, ..., 1), f = 3.99.)
    let x0 = vec![0.0; n];
    let grad_norm = |x: &[f64]| norm(&rosenbrock_grad(x).1);

    // L-BFGS (7 correction pairs) on the gradient.
    let (progress, lbfgs_history) =
        Progress::new("L-BFGS, Rosenbrock 100-D (_grad)", Box::new(grad_norm));
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7)
        .with_tolerance_grad(1e-10)?
        .with_tolerance_cost(0.0)?;
    let lbfgs = Executor::new(Rosenbrock, solver)
        .configure(|state| state.param(x0.clone()).max_iters(1000))
        .add_observer(progress, ObserverMode::Always)
        .run()?;
    let x = lbfgs.state.get_best_param().expect("a best point");
    println!(
        "L-BFGS:    {:>3} iterations, f = {:.1e}, |x - 1|_inf = {:.1e}",
        lbfgs.state.get_iter(),
        lbfgs.state.get_best_cost(),
        x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max),
    );

    // Trust-region Newton-CG on Hessian-vector products. (argmin's
    // line-search `NewtonCG` takes the same operator; on this function its
    // inexact inner solves make it far slower.)
    let (progress, newton_cg_history) = Progress::new(
        "Newton-CG (trust region), Rosenbrock 100-D (_hvp)",
        Box::new(grad_norm),
    );
    let solver = TrustRegion::new(Steihaug::new().with_max_iters(2 * n as u64));
    let newton_cg = Executor::new(Rosenbrock, solver)
        .configure(|state| state.param(x0.clone()).max_iters(3000).target_cost(1e-20))
        .add_observer(progress, ObserverMode::Always)
        .run()?;
    let x = newton_cg.state.get_best_param().expect("a best point");
    println!(
        "Newton-CG: {:>3} iterations, f = {:.1e}, |x - 1|_inf = {:.1e}",
        newton_cg.state.get_iter(),
        newton_cg.state.get_best_cost(),
        x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max),
    );

    // Newton's method on a dense Hessian: logistic regression, 10 features.
    let (points, features) = (5000, 10);
    let problem = logistic_data(points, features, &mut Lcg(11));
    let (x_data, y_data, lambda) = (problem.x.clone(), problem.y.clone(), problem.lambda);
    let (x_check, y_check) = (x_data.clone(), y_data.clone());
    let (progress, newton_history) = Progress::new(
        "Newton, logistic regression (dense)",
        Box::new(move |w: &[f64]| norm(&logistic_loss_grad(w, &x_data, &y_data, lambda).1)),
    );
    let newton = Executor::new(problem, Newton::new())
        .configure(|state| state.param(vec![0.0; features + 1]).max_iters(8))
        .add_observer(progress, ObserverMode::Always)
        .run()?;
    let w = newton.state.get_best_param().expect("a best point");
    println!(
        "Newton:    {:>3} iterations, loss = {:.6}, |grad| = {:.1e}, w[0..3] = {:.3?}",
        newton.state.get_iter(),
        // Newton uses only the gradient and the Hessian: the loss is ours.
        logistic_loss(w, &x_check, &y_check, lambda),
        newton_history
            .lock()
            .expect("not poisoned")
            .last()
            .copied()
            .unwrap_or(f64::NAN),
        &w[..3],
    );

    let path = target_dir().join("argmin_convergence.png");
    let text = register_font();
    let curves = [
        (
            "L-BFGS (Rosenbrock, _grad)",
            lbfgs_history,
            RGBColor(30, 60, 210),
        ),
        (
            "Newton-CG (Rosenbrock, _hvp)",
            newton_cg_history,
            RGBColor(200, 30, 30),
        ),
        (
            "Newton (logistic, dense::hessian)",
            newton_history,
            RGBColor(20, 140, 40),
        ),
    ];
    let curves: Vec<(&str, Vec<f64>, RGBColor)> = curves
        .into_iter()
        .map(|(name, h, c)| (name, h.lock().expect("not poisoned").clone(), c))
        .collect();
    plot(&path, &curves, text).map_err(|e| Error::msg(e.to_string()))?;
    println!("convergence curves written to {}", path.display());
    Ok(())
}

/// `target/` of this repository, where the examples put their pictures.
fn target_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).expect("create target/");
    dir
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

/// The gradient norm (log scale) against the iteration, one line per run.
fn plot(
    path: &Path,
    curves: &[(&str, Vec<f64>, RGBColor)],
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let iterations = curves.iter().map(|c| c.1.len()).max().unwrap_or(1) as f64;
    let floor = 1e-16;
    let top = curves
        .iter()
        .flat_map(|c| c.1.iter().copied())
        .fold(1.0, f64::max);
    let mut builder = ChartBuilder::on(&root);
    builder.margin(12);
    if text {
        builder
            .caption("Gradient norm per iteration", ("sans-serif", 22))
            .x_label_area_size(40)
            .y_label_area_size(70);
    }
    let mut chart = builder.build_cartesian_2d(0.0..iterations, (floor..top * 10.0).log_scale())?;
    let mut mesh = chart.configure_mesh();
    if text {
        mesh.x_desc("iteration")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("|gradient|")
            .y_label_formatter(&|v| format!("{v:.0e}"));
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw()?;
    for (name, history, colour) in curves {
        let colour = *colour;
        chart
            .draw_series(LineSeries::new(
                history
                    .iter()
                    .enumerate()
                    .map(|(i, &g)| (i as f64, g.max(floor))),
                colour.stroke_width(2),
            ))?
            .label(*name)
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
