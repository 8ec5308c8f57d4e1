//! ADBench's GMM objective (a Gaussian mixture log-likelihood with a Wishart
//! prior) as ordinary Rust differentiated by `#[differentiate]`, and a reader
//! for ADBench's GMM input files.
//!
//! The objective follows ADBench's C++ reference (`src/cpp/shared/gmm.h` of
//! microsoft/ADBench) statement by statement, quirks included: `PI =
//! 3.14159265359`, log-sum-exp with the maximum subtracted, the Wishart prior
//! and its constant with `lgamma`.
//!
//! A plain module file, shared by `examples/gmm.rs` and `tests/adbench_gmm.rs`
//! through `#[path = "../adbench/gmm.rs"] mod gmm;`.
// Each includer uses a part of it.
#![allow(dead_code)]

use ad::differentiate;

/// ADBench's value of pi (`defs.h`), not the exact constant: the published
/// objective values use it.
#[allow(clippy::approx_constant)]
pub const ADBENCH_PI: f64 = 3.14159265359;

/// A GMM instance as ADBench's `read_gmm_instance` reads it.
#[derive(Clone, Debug)]
pub struct GmmInput {
    /// Dimension of the points.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of points.
    pub n: usize,
    /// `k` log mixture weights (unnormalised).
    pub alphas: Vec<f64>,
    /// `k * d` means, `means[ik * d + j]`.
    pub means: Vec<f64>,
    /// `k * d(d+1)/2` inverse covariance factors: per component, `d`
    /// log-diagonal values, then the strictly lower part column by column.
    pub icf: Vec<f64>,
    /// `n * d` points, `x[ix * d + j]`.
    pub x: Vec<f64>,
    /// Wishart prior: gamma.
    pub wishart_gamma: f64,
    /// Wishart prior: m (an integer in ADBench's files).
    pub wishart_m: f64,
}

impl GmmInput {
    /// The parameters in ADBench's gradient order:
    /// `[alphas (k), means (k d), icf (k d(d+1)/2)]`.
    pub fn theta(&self) -> Vec<f64> {
        let mut theta = Vec::with_capacity(self.alphas.len() + self.means.len() + self.icf.len());
        theta.extend_from_slice(&self.alphas);
        theta.extend_from_slice(&self.means);
        theta.extend_from_slice(&self.icf);
        theta
    }

    /// The objective at the file's parameters.
    pub fn objective(&self) -> f64 {
        gmm_objective(
            &self.theta(),
            &self.x,
            self.d,
            self.k,
            self.n,
            self.wishart_gamma,
            self.wishart_m,
        )
    }
}

/// Parses ADBench's GMM format: `d k n`, `k` alphas, `k` lines of `d` means,
/// `k` lines of `d(d+1)/2` icf values, `n` lines of `d` points (one line if
/// `replicate_point`, copied `n` times, as ADBench's option does), then
/// `gamma m`. Tokens are separated by any whitespace.
pub fn parse_gmm(text: &str, replicate_point: bool) -> Result<GmmInput, String> {
    let mut tokens = text.split_whitespace();
    let mut next = |what: &str| -> Result<&str, String> {
        tokens
            .next()
            .ok_or_else(|| format!("GMM file ends before {what}"))
    };
    let int = |s: &str, what: &str| -> Result<usize, String> {
        s.parse::<usize>()
            .map_err(|e| format!("GMM file: {what}: {s:?}: {e}"))
    };
    let float = |s: &str, what: &str| -> Result<f64, String> {
        s.parse::<f64>()
            .map_err(|e| format!("GMM file: {what}: {s:?}: {e}"))
    };
    let d = int(next("d")?, "d")?;
    let k = int(next("k")?, "k")?;
    let n = int(next("n")?, "n")?;
    let icf_sz = d * (d + 1) / 2;
    let mut read = |count: usize, what: &str| -> Result<Vec<f64>, String> {
        let mut v = Vec::with_capacity(count);
        for _ in 0..count {
            v.push(float(next(what)?, what)?);
        }
        Ok(v)
    };
    let alphas = read(k, "alphas")?;
    let means = read(k * d, "means")?;
    let icf = read(k * icf_sz, "icf")?;
    let x = if replicate_point {
        read(d, "the point")?.repeat(n)
    } else {
        read(n * d, "points")?
    };
    let wishart = read(1, "wishart gamma")?;
    let m_token = next("wishart m")?;
    let wishart_m = m_token
        .parse::<i32>()
        .map_err(|e| format!("GMM file: wishart m: {m_token:?}: {e}"))?;
    Ok(GmmInput {
        d,
        k,
        n,
        alphas,
        means,
        icf,
        x,
        wishart_gamma: wishart[0],
        wishart_m: f64::from(wishart_m),
    })
}

/// Reads an ADBench GMM file (see [`parse_gmm`]).
pub fn read_gmm(path: &std::path::Path, replicate_point: bool) -> Result<GmmInput, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_gmm(&text, replicate_point)
}

/// `ln Gamma(x)` for `x > 0` (the C library's `lgamma`, which Rust's stable
/// standard library lacks): the recurrence `ln Gamma(x) = ln Gamma(x + s) -
/// ln(x (x+1) ... (x+s-1))` up to `x + s >= 10`, then Stirling's series
/// through the `B_12` term (truncation error below 1e-15 there).
pub fn ln_gamma(x: f64) -> f64 {
    assert!(x > 0.0, "ln_gamma: argument {x} is not positive");
    let mut y = x;
    let mut product = 1.0;
    while y < 10.0 {
        product *= y;
        y += 1.0;
    }
    let r = 1.0 / y;
    let r2 = r * r;
    let series = r
        * (1.0 / 12.0
            + r2 * (-1.0 / 360.0
                + r2 * (1.0 / 1260.0
                    + r2 * (-1.0 / 1680.0 + r2 * (1.0 / 1188.0 + r2 * (-691.0 / 360360.0))))));
    (y - 0.5) * y.ln() - y + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - product.ln()
}

/// ADBench's `log_gamma_distrib(a, p)`: the log of the multivariate gamma
/// function, `0.25 p (p - 1) log(PI) + sum_{j=1..p} lgamma(a + 0.5 (1 - j))`.
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let pf = p as f64;
    let mut out = 0.25 * pf * (pf - 1.0) * ADBENCH_PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// The Wishart prior's constant `C` of ADBench's `log_wishart_prior` (it
/// subtracts `k C`): `n_w p (log gamma - 0.5 log 2) - log_gamma_distrib(n_w / 2, p)`
/// with `n_w = p + m + 1`. It depends on data only, so it has no derivative.
pub fn wishart_constant(p: usize, wishart_gamma: f64, wishart_m: f64) -> f64 {
    let n_w = p as f64 + wishart_m + 1.0;
    n_w * p as f64 * (wishart_gamma.ln() - 0.5 * 2f64.ln()) - log_gamma_distrib(0.5 * n_w, p)
}

/// ADBench's GMM objective (`gmm_objective` in `gmm.h`), over the parameters
/// `theta = [alphas (k), means (k d), icf (k d(d+1)/2)]`, the points `x`
/// (`n * d`) and the Wishart prior's `gamma` and `m`:
///
/// ```text
/// -(n d / 2) log(2 PI) + sum_i lse_k(alpha_k + sum(q_k) - 0.5 |Q_k (x_i - mu_k)|^2)
///     - n lse(alphas) + sum_k [0.5 gamma^2 (|exp(q_k)|^2 + |l_k|^2) - m sum(q_k)] - k C
/// ```
///
/// Only `theta` is active. ADBench's parts are inlined (a call passing an
/// active slice is not supported yet): `preprocess_qs`, `logsumexp` of the
/// alphas (`arr_max` with `fmax`), `log_wishart_prior`, then the sum over
/// the points, written so that reverse mode needs no forward sweep over the
/// data (see `ad::guide::control_flow`, "Single-pass reduction loops"):
///
/// - it comes last, as a sum whose accumulator is only returned: `_vjp` runs
///   it once, each point's values and then their adjoints together;
/// - each point's values are scalars local to its iteration: `Q_k (x_i -
///   mu_k)` row by row (`Qtimesx` goes column by column into an array), and
///   the log-sum-exp over the components online (the running maximum and the
///   sum rescaled when it grows: one `exp` per component after the first,
///   as many as ADBench's maximum-then-sum).
///
/// The same value as ADBench's order of operations up to rounding (the tests
/// hold it to the JAX references at 1e-8, ADBench's tolerance).
#[allow(clippy::too_many_arguments)]
#[differentiate(wrt(theta))]
pub fn gmm_objective(
    theta: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    wishart_gamma: f64,
    wishart_m: f64,
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    // Offsets of the means and the icf in theta (the alphas start at 0).
    let mo = k;
    let io = k + k * d;
    let constant = -((n * d) as f64) * 0.5 * (2.0 * ADBENCH_PI).ln();

    // preprocess_qs: sum of the log-diagonal, and the diagonal exp(q).
    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        for id in 0..d {
            let q = theta[io + ik * icf_sz + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }

    // logsumexp(alphas)
    let mut amx = theta[0];
    for ik in 1..k {
        amx = amx.max(theta[ik]);
    }
    let mut asemx = 0.0;
    for ik in 0..k {
        asemx += (theta[ik] - amx).exp();
    }
    let lse_alphas = asemx.ln() + amx;

    // log_wishart_prior
    let c = wishart_constant(d, wishart_gamma, wishart_m);
    let mut prior = 0.0;
    for ik in 0..k {
        // sqnorm(Qdiag_k) + sqnorm(l_k), two sums as in the C++ (whose sqnorm
        // starts from x[0]^2, the same value; for d = 1, l_k is empty: 0 here).
        let mut sq_diag = 0.0;
        for id in 0..d {
            sq_diag += qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        let mut sq_lower = 0.0;
        for il in d..icf_sz {
            let l = theta[io + ik * icf_sz + il];
            sq_lower += l * l;
        }
        let frobenius = sq_diag + sq_lower;
        prior = prior + 0.5 * wishart_gamma * wishart_gamma * frobenius - wishart_m * sum_qs[ik];
    }
    let prior = prior - k as f64 * c;

    // The points: sum_i logsumexp_k(main_term_ik).
    let mut err = constant - n as f64 * lse_alphas + prior;
    for ix in 0..n {
        let mut mx = f64::NEG_INFINITY;
        let mut semx = 0.0;
        for ik in 0..k {
            // |Q_k (x_i - mu_k)|^2, row j of the lower-triangular Q_k at a
            // time: exp(q_kj) on the diagonal, the strictly lower part stored
            // column by column (column i starts at i (2d - i - 1) / 2).
            let mut sqnorm = 0.0;
            for j in 0..d {
                let mut lower = 0.0;
                for i in 0..j {
                    lower += theta[io + ik * icf_sz + d + i * (2 * d - i - 1) / 2 + (j - i - 1)]
                        * (x[ix * d + i] - theta[mo + ik * d + i]);
                }
                let qx = qdiags[ik * d + j] * (x[ix * d + j] - theta[mo + ik * d + j]) + lower;
                sqnorm += qx * qx;
            }
            let main_term = theta[ik] + sum_qs[ik] - 0.5 * sqnorm;
            // logsumexp, online: semx = sum_k exp(main_term_k - mx) (the
            // first component rescales 0 by exp(-inf) = 0).
            // The reverse sweep reads each `exp` back (saved per component)
            // instead of computing it again.
            if main_term > mx {
                let rescale = (mx - main_term).exp();
                semx = semx * rescale + 1.0;
                mx = main_term;
            } else {
                let term = (main_term - mx).exp();
                semx += term;
            }
        }
        err += semx.ln() + mx;
    }
    err
}
