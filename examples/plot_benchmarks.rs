//! Plots derivative time against problem size for each tool, one PNG per
//! problem at the repository root, from criterion's results of the peer
//! groups (`target/criterion/<group>/<function>/<size>/new/estimates.json`):
//!
//! | problem | benchmark | size | PNG |
//! |---|---|---|---|
//! | extended Rosenbrock | `cargo bench --bench rosenbrock -- rosenbrock_peers` | n | `benchmarks_rosenbrock.png` |
//! | MLP loss | `cargo bench --bench mlp -- mlp_peers` | batch | `benchmarks_mlp.png` |
//! | ADBench GMM D2 K5 | `cargo bench --bench gmm` | points | `benchmarks_gmm.png` |
//! | ADBench BA (ba1) | `cargo bench --bench ba -- ba_peers` | observations | `benchmarks_ba.png` |
//! | ADBench LSTM l2 | `cargo bench --bench lstm -- lstm_peers` | steps c | `benchmarks_lstm.png` |
//!
//! Each plot has the primal, `ad`'s derivative, the hand-written one, the
//! tape of the `reverse` crate and num-dual; where num-dual's whole
//! derivative was not run, one measured pass times the number of passes is
//! drawn dashed (extrapolated). A problem without results is skipped.
//!
//! Run, after the benchmarks: `cargo run --release --example plot_benchmarks`
//!
//! Axis labels use DejaVu Sans when the system has it
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`); without it the plots
//! are drawn without text.

use plotters::prelude::*;
use std::path::{Path, PathBuf};

const PRIMAL: RGBColor = RGBColor(150, 150, 150);
const AD: RGBColor = RGBColor(200, 30, 30);
const AD_FORWARD: RGBColor = RGBColor(230, 140, 40);
const HAND: RGBColor = RGBColor(30, 30, 30);
const TAPE: RGBColor = RGBColor(30, 90, 200);
const DUAL: RGBColor = RGBColor(30, 150, 60);

/// A measured line: criterion's `group` and function name, label, colour.
struct Line {
    group: &'static str,
    function: &'static str,
    label: &'static str,
    colour: RGBColor,
}

const fn line(
    group: &'static str,
    function: &'static str,
    label: &'static str,
    colour: RGBColor,
) -> Line {
    Line {
        group,
        function,
        label,
        colour,
    }
}

/// num-dual's derivative where it was not run: one measured pass (`pass`)
/// times `passes(size)`, at the sizes where the line `of` has no point (and
/// its last point, to join the two).
struct Extrapolation {
    group: &'static str,
    pass: &'static str,
    of: &'static str,
    passes: fn(usize) -> f64,
    label: &'static str,
}

/// A problem: its plot, and where its results are.
struct Problem {
    /// The PNG, at the repository root.
    file: &'static str,
    title: &'static str,
    x_desc: &'static str,
    y_desc: &'static str,
    /// The group whose results must exist for the plot to be drawn.
    peers: &'static str,
    sizes: &'static [usize],
    /// The result's directory under its group, from function and size.
    key: fn(&str, usize) -> String,
    lines: &'static [Line],
    extrapolation: Option<Extrapolation>,
}

/// criterion's layout for `BenchmarkId::new(function, size)`.
fn by_size(function: &str, size: usize) -> String {
    format!("{function}/{size}")
}

/// `benches/gmm.rs` names its results `gmm_1k_d2_K5/ad_grad` (criterion
/// writes `gmm_1k_d2_K5_ad_grad`).
fn gmm_key(function: &str, points: usize) -> String {
    format!("gmm_{}k_d2_K5_{function}", points / 1000)
}

/// Number of parameters of the MLP, 784-256-10.
const MLP_PARAMS: f64 = (256 * 784 + 256 + 10 * 256 + 10) as f64;

const PROBLEMS: &[Problem] = &[
    Problem {
        file: "benchmarks_rosenbrock.png",
        title: "Extended Rosenbrock: gradient time vs n (log-log)",
        x_desc: "n (inputs)",
        y_desc: "seconds per gradient",
        peers: "rosenbrock_peers",
        sizes: &[100, 1_000, 10_000, 100_000],
        key: by_size,
        lines: &[
            line(
                "rosenbrock_peers",
                "primal",
                "primal (the function alone)",
                PRIMAL,
            ),
            line("rosenbrock_peers", "ad_grad", "ad: _grad", AD),
            line("rosenbrock_peers", "hand", "hand-written gradient", HAND),
            line("rosenbrock_peers", "reverse_tape", "reverse (tape)", TAPE),
            line(
                "rosenbrock_peers",
                "num_dual_grad",
                "num-dual (n passes)",
                DUAL,
            ),
        ],
        extrapolation: Some(Extrapolation {
            group: "rosenbrock_peers",
            pass: "num_dual_pass",
            of: "num_dual_grad",
            passes: |n| n as f64,
            label: "num-dual (one pass x n, extrapolated)",
        }),
    },
    Problem {
        file: "benchmarks_mlp.png",
        title: "MLP loss 784-256-10: gradient time vs batch (log-log)",
        x_desc: "batch size",
        y_desc: "seconds per gradient",
        peers: "mlp_peers",
        sizes: &[1, 4, 16, 64],
        key: by_size,
        lines: &[
            line("mlp_peers", "primal", "primal (the loss alone)", PRIMAL),
            line("mlp_peers", "ad_grad", "ad: _grad", AD),
            line("mlp_peers", "hand_grad", "hand-written gradient", HAND),
            line("mlp_peers", "reverse_tape", "reverse (tape)", TAPE),
        ],
        extrapolation: Some(Extrapolation {
            group: "mlp_peers",
            pass: "num_dual_pass",
            of: "num_dual_grad",
            passes: |_| MLP_PARAMS,
            label: "num-dual (one pass x 203530, extrapolated)",
        }),
    },
    Problem {
        file: "benchmarks_gmm.png",
        title: "ADBench GMM D2 K5: gradient time vs points (log-log)",
        x_desc: "points",
        y_desc: "seconds per gradient",
        peers: "gmm_peers",
        sizes: &[1_000, 10_000],
        key: gmm_key,
        lines: &[
            line("gmm", "objective", "objective", PRIMAL),
            line("gmm", "ad_grad", "ad: _grad", AD),
            line("gmm", "manual_grad", "hand-written gradient", HAND),
            line("gmm_peers", "reverse_tape", "reverse (tape)", TAPE),
            line("gmm_peers", "num_dual_grad", "num-dual (30 passes)", DUAL),
        ],
        extrapolation: None,
    },
    Problem {
        file: "benchmarks_ba.png",
        title: "ADBench BA (ba1): Jacobian time vs observations (log-log)",
        x_desc: "observations p",
        y_desc: "seconds per sparse Jacobian",
        peers: "ba_peers",
        sizes: &[1_000, 10_000, 31_843],
        key: by_size,
        lines: &[
            line("ba_peers", "residuals", "residuals", PRIMAL),
            line(
                "ba_peers",
                "ad_reverse",
                "ad: _vjp_many (2 cotangents) per block",
                AD,
            ),
            line(
                "ba_peers",
                "ad_forward",
                "ad: 15 x _jvp per block",
                AD_FORWARD,
            ),
            line("ba_peers", "manual", "hand-written blocks", HAND),
            line("ba_peers", "reverse_tape", "reverse (tape, 2 sweeps)", TAPE),
            line(
                "ba_peers",
                "num_dual",
                "num-dual (15 passes per block)",
                DUAL,
            ),
        ],
        extrapolation: None,
    },
    Problem {
        file: "benchmarks_lstm.png",
        title: "ADBench LSTM l2 b14: gradient time vs steps (log-log)",
        x_desc: "steps c",
        y_desc: "seconds per gradient",
        peers: "lstm_peers",
        sizes: &[64, 256, 1024],
        key: by_size,
        lines: &[
            line("lstm_peers", "objective", "objective", PRIMAL),
            line("lstm_peers", "ad_grad", "ad: _grad", AD),
            line("lstm_peers", "manual_grad", "hand-written gradient", HAND),
            line("lstm_peers", "reverse_tape", "reverse (tape)", TAPE),
            line("lstm_peers", "num_dual_grad", "num-dual (266 passes)", DUAL),
        ],
        extrapolation: Some(Extrapolation {
            group: "lstm_peers",
            pass: "num_dual_pass",
            of: "num_dual_grad",
            passes: |_| 266.0,
            label: "num-dual (one pass x 266, extrapolated)",
        }),
    },
];

/// A line of the plot: label, colour, dashed, points (size, seconds).
type Series = (&'static str, RGBColor, bool, Vec<(f64, f64)>);

/// The mean time in seconds that criterion estimated in `dir`
/// (`target/criterion/<group>/<key>`), if it has been measured.
fn mean_seconds(dir: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join("new/estimates.json")).ok()?;
    // {"mean":{"confidence_interval":{...},"point_estimate":123.4,...},...}
    let mean = &text[text.find("\"mean\"")?..];
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &mean[at..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse::<f64>().ok().map(|ns| ns * 1e-9)
}

/// The problem's lines that have results.
fn series(problem: &Problem, criterion: &Path) -> Vec<Series> {
    let time = |group: &str, function: &str, size: usize| {
        mean_seconds(&criterion.join(group).join((problem.key)(function, size)))
    };
    let mut series: Vec<Series> = problem
        .lines
        .iter()
        .map(|l| {
            let points = problem
                .sizes
                .iter()
                .filter_map(|&s| time(l.group, l.function, s).map(|t| (s as f64, t)))
                .collect();
            (l.label, l.colour, false, points)
        })
        .collect();
    if let Some(e) = &problem.extrapolation {
        let measured = |s: usize| time(e.group, e.of, s).is_some();
        // From the last size measured in full on.
        let from = problem
            .sizes
            .iter()
            .rposition(|&s| measured(s))
            .unwrap_or(0);
        let points: Vec<(f64, f64)> = problem.sizes[from..]
            .iter()
            .filter_map(|&s| time(e.group, e.pass, s).map(|t| (s as f64, t * (e.passes)(s))))
            .collect();
        if problem.sizes[from..].iter().any(|&s| !measured(s)) {
            series.push((e.label, DUAL, true, points));
        }
    }
    series.retain(|s| !s.3.is_empty());
    series
}

/// Draws one problem's plot to `out`.
fn plot(
    problem: &Problem,
    series: &[Series],
    out: &Path,
    text: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let (ymin, ymax) = series
        .iter()
        .flat_map(|s| s.3.iter().map(|p| p.1))
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
    let (xmin, xmax) = (
        problem.sizes[0] as f64,
        problem.sizes[problem.sizes.len() - 1] as f64,
    );
    // The legend goes under the chart, two entries a row, where it hides
    // no line.
    let legend_rows = series.len().div_ceil(2) as u32;
    let (width, chart_height) = (900, 620);
    let root =
        BitMapBackend::new(out, (width, chart_height + 22 * legend_rows + 20)).into_drawing_area();
    root.fill(&WHITE)?;
    let (upper, lower) = root.split_vertically(chart_height);
    let mut builder = ChartBuilder::on(&upper);
    builder
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80);
    if text {
        builder.caption(problem.title, ("sans-serif", 24));
    }
    let mut chart = builder.build_cartesian_2d(
        (xmin * 0.8..xmax * 1.3).log_scale(),
        (ymin * 0.5..ymax * 2.0).log_scale(),
    )?;
    let mut mesh = chart.configure_mesh();
    if text {
        mesh.x_desc(problem.x_desc)
            .y_desc(problem.y_desc)
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .x_label_formatter(&|x| format!("{x:.0e}"));
    } else {
        mesh.disable_x_mesh().disable_y_mesh();
    }
    mesh.draw()?;
    for (i, (label, colour, dashed, points)) in series.iter().enumerate() {
        let style = ShapeStyle::from(colour).stroke_width(2);
        let dots = points.iter().map(|&p| Circle::new(p, 4, style.filled()));
        if *dashed {
            chart.draw_series(DashedLineSeries::new(points.iter().copied(), 8, 6, style))?;
        } else {
            chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
        }
        chart.draw_series(dots)?;
        if text {
            let (x, y) = (100 + 400 * (i % 2) as i32, 10 + 22 * (i / 2) as i32);
            let dashes: &[(i32, i32)] = if *dashed {
                &[(0, 10), (16, 26)]
            } else {
                &[(0, 26)]
            };
            for &(from, to) in dashes {
                lower.draw(&PathElement::new(
                    vec![(x + from, y + 8), (x + to, y + 8)],
                    style,
                ))?;
            }
            lower.draw(&Text::new(*label, (x + 34, y), ("sans-serif", 16)))?;
        }
    }
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let criterion = repo.join("target/criterion");

    let font = Path::new("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    let text = match std::fs::read(font) {
        Ok(bytes) => {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        }
        Err(_) => false,
    };

    let mut drawn = 0;
    for problem in PROBLEMS {
        let series = series(problem, &criterion);
        if !criterion.join(problem.peers).is_dir() || series.is_empty() {
            println!(
                "{}: skipped, no results under {}",
                problem.file,
                criterion.join(problem.peers).display()
            );
            continue;
        }
        let out = repo.join(problem.file);
        plot(problem, &series, &out, text)?;
        drawn += 1;
        println!("wrote {}", out.display());
        for (label, _, _, points) in &series {
            let cells: Vec<String> = points
                .iter()
                .map(|(s, t)| format!("{s:.0}: {t:.3e} s"))
                .collect();
            println!("  {label}: {}", cells.join(", "));
        }
    }
    if drawn == 0 {
        return Err(format!(
            "no results under {}: run the benchmarks first",
            criterion.display()
        )
        .into());
    }
    Ok(())
}
