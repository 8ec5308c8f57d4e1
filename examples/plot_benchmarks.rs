//! Plots gradient time against problem size for each tool, from criterion's
//! results of `cargo bench --bench rosenbrock -- rosenbrock_peers` (extended
//! Rosenbrock, n = 100 to 1e5): `ad`'s `_grad`, the hand-written gradient,
//! the tape of the `reverse` crate and num-dual (one pass per input; beyond
//! n = 1000, one measured pass times n). Writes `benchmarks_rosenbrock.png`
//! at the repository root.
//!
//! Run, after the benchmark: `cargo run --release --example plot_benchmarks`
//!
//! Axis labels use DejaVu Sans when the system has it
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`); without it the plot
//! is drawn without text.

use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// A line of the plot: label, colour, dashed, points (n, seconds).
type Series = (&'static str, RGBColor, bool, Vec<(f64, f64)>);

/// The mean time in nanoseconds that criterion estimated for
/// `group/function/size`, if it has been measured.
fn mean_ns(root: &Path, group: &str, function: &str, size: usize) -> Option<f64> {
    let path = root
        .join(group)
        .join(function)
        .join(size.to_string())
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    // {"mean":{"confidence_interval":{...},"point_estimate":123.4,...},...}
    let mean = &text[text.find("\"mean\"")?..];
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &mean[at..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let criterion = repo.join("target/criterion");
    let group = "rosenbrock_peers";
    let sizes = [100usize, 1_000, 10_000, 100_000];

    let mut series: Vec<Series> = Vec::new();
    for (function, label, colour) in [
        (
            "primal",
            "primal (the function alone)",
            RGBColor(150, 150, 150),
        ),
        ("ad_grad", "ad: _grad", RGBColor(200, 30, 30)),
        ("hand", "hand-written gradient", RGBColor(30, 30, 30)),
        ("reverse_tape", "reverse (tape)", RGBColor(30, 90, 200)),
        (
            "num_dual_grad",
            "num-dual (n passes)",
            RGBColor(30, 150, 60),
        ),
    ] {
        let points: Vec<(f64, f64)> = sizes
            .iter()
            .filter_map(|&n| mean_ns(&criterion, group, function, n).map(|t| (n as f64, t * 1e-9)))
            .collect();
        if !points.is_empty() {
            series.push((label, colour, false, points));
        }
    }
    // num-dual beyond what was run: one measured pass times n.
    let extrapolated: Vec<(f64, f64)> = sizes
        .iter()
        .filter(|&&n| n >= 1_000)
        .filter_map(|&n| {
            mean_ns(&criterion, group, "num_dual_pass", n).map(|t| (n as f64, t * 1e-9 * n as f64))
        })
        .collect();
    if !extrapolated.is_empty() {
        series.push((
            "num-dual (one pass x n, extrapolated)",
            RGBColor(30, 150, 60),
            true,
            extrapolated,
        ));
    }
    if series.is_empty() {
        return Err(format!(
            "no results under {}: run `cargo bench --bench rosenbrock -- rosenbrock_peers` first",
            criterion.display()
        )
        .into());
    }

    let font = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    let text = match std::fs::read(font) {
        Ok(bytes) => {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        }
        Err(_) => false,
    };

    let (ymin, ymax) = series
        .iter()
        .flat_map(|s| s.3.iter().map(|p| p.1))
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
    let out = repo.join("benchmarks_rosenbrock.png");
    let root = BitMapBackend::new(&out, (900, 620)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80);
    if text {
        builder.caption(
            "Extended Rosenbrock: gradient time vs n (log-log)",
            ("sans-serif", 24),
        );
    }
    let mut chart = builder.build_cartesian_2d(
        (80.0..130_000.0).log_scale(),
        (ymin * 0.5..ymax * 2.0).log_scale(),
    )?;
    let mut mesh = chart.configure_mesh();
    if text {
        mesh.x_desc("n (inputs)")
            .y_desc("seconds per gradient")
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .x_label_formatter(&|x| format!("{x:.0e}"));
    } else {
        mesh.disable_x_mesh().disable_y_mesh();
    }
    mesh.draw()?;
    for (label, colour, dashed, points) in &series {
        let style = ShapeStyle::from(colour).stroke_width(2);
        let drawn = if *dashed {
            chart.draw_series(DashedLineSeries::new(points.iter().copied(), 8, 6, style))?
        } else {
            chart.draw_series(LineSeries::new(points.iter().copied(), style))?
        };
        let colour = *colour;
        drawn
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        chart.draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 4, ShapeStyle::from(colour).filled())),
        )?;
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 16))
            .draw()?;
    }
    root.present()?;
    println!("wrote {}", out.display());
    for (label, _, _, points) in &series {
        let cells: Vec<String> = points
            .iter()
            .map(|(n, t)| format!("n = {n:.0e}: {:.3e} s", t))
            .collect();
        println!("{label}: {}", cells.join(", "));
    }
    Ok(())
}
