//! Finite-difference checkers, in the spirit of `torch.autograd.gradcheck`.
//!
//! [`fd_gradient`] and [`fd_jvp`] estimate derivatives numerically;
//! [`check_gradient`], [`check_jvp`] and [`compare`] put an analytic
//! derivative next to a reference and return a [`Report`] naming the worst
//! entry, which [`Report::assert_close`] turns into a test assertion.
//!
//! ```
//! use ad_runtime::check::check_gradient;
//!
//! // f(x) = x0^2 x1 and its hand-written gradient.
//! let f = |x: &[f64]| x[0] * x[0] * x[1];
//! let x = [1.5, -2.0];
//! let grad = [2.0 * x[0] * x[1], x[0] * x[0]];
//!
//! let report = check_gradient(f, &x, &grad);
//! report.assert_close(1e-6, 1e-6);
//!
//! // A wrong gradient is caught, and the report names the wrong entry.
//! let wrong = check_gradient(f, &x, &[grad[0], 2.0]);
//! assert!(!wrong.is_close(1e-6, 1e-6));
//! assert_eq!(wrong.index, 1);
//! ```
//!
//! All checkers work in `f64`: even a function written for `f32` is best
//! checked through an `f64` instantiation, since finite differences in `f32`
//! cannot be trusted beyond about three digits.

use core::fmt;

/// Relative step of the finite differences: `h = REL_STEP * max(1, |x|)`.
///
/// The 4-point stencil has truncation error about `h^4 |f^(5)| / 30` and
/// rounding error about `1.5 eps |f| / h` (`eps = 2.2e-16`). With derivatives
/// and values of order 1 the sum is smallest near `h = eps^(1/5) = 7.4e-4`;
/// `1e-3` rounds that up, giving estimates good to about `1e-12` relative for
/// smooth, well-scaled functions (`1e-9` is a safe expectation in practice).
/// Scaling by `max(1, |x|)` keeps the step relative for large arguments and
/// absolute near 0.
const REL_STEP: f64 = 1e-3;

/// The step for a coordinate of value `x`, adjusted so that `x + h` is exactly
/// representable (then the stencil's points are evenly spaced up to rounding
/// of `x + 2h`, instead of being off by the rounding of `x + h`).
fn step(x: f64) -> f64 {
    let h = REL_STEP * x.abs().max(1.0);
    (x + h) - x
}

/// Combines the four samples `f(x - 2h), f(x - h), f(x + h), f(x + 2h)` of the
/// stencil `(-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / (12 h)`.
fn stencil(m2: f64, m1: f64, p1: f64, p2: f64, h: f64) -> f64 {
    ((m2 - p2) + 8.0 * (p1 - m1)) / (12.0 * h)
}

/// Estimates the gradient of `f` at `x` by central differences, one
/// coordinate at a time (`4 * x.len()` calls to `f`).
///
/// Each partial uses the 4-point stencil
/// `(-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / (12 h)` along its coordinate,
/// whose error is `O(h^4)`, with the step `h = 1e-3 * max(1, |x_i|)`. That
/// step balances truncation (`~h^4 |f^(5)| / 30`) against rounding
/// (`~1.5 eps |f| / h`) near its optimum `eps^(1/5) = 7.4e-4`, so for smooth,
/// well-scaled functions the estimate is good to about `1e-12`, rarely worse
/// than `1e-9`. Near a singularity or a kink (closer than `2h`) the estimate
/// means nothing.
///
/// ```
/// let g = ad_runtime::check::fd_gradient(|x| x[0].sin() * x[1], &[0.5, 2.0]);
/// assert!((g[0] - 0.5f64.cos() * 2.0).abs() < 1e-10);
/// assert!((g[1] - 0.5f64.sin()).abs() < 1e-10);
/// ```
pub fn fd_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let mut at = x.to_vec();
    let mut grad = Vec::with_capacity(x.len());
    for (i, &xi) in x.iter().enumerate() {
        let h = step(xi);
        let mut sample = |s: f64| {
            at[i] = xi + s;
            f(&at)
        };
        let (m2, m1, p1, p2) = (sample(-2.0 * h), sample(-h), sample(h), sample(2.0 * h));
        at[i] = xi;
        grad.push(stencil(m2, m1, p1, p2, h));
    }
    grad
}

/// Estimates the Jacobian-vector product `J v` of the vector function `f` at
/// `x` by central differences along `v` (4 calls to `f`).
///
/// It differentiates `t -> f(x + t v)` at `t = 0` with the 4-point stencil of
/// [`fd_gradient`] and the step `h = 1e-3 * max(1, |x|_inf) / |v|_inf`: the
/// largest coordinate of the perturbation `h v` is then
/// `1e-3 * max(1, |x|_inf)`, the step `fd_gradient` would take along the
/// largest coordinate of `x`. So the accuracy does not depend on the length of
/// `v`, and the result is exactly linear in a rescaling of `v` by a power
/// of 2. A zero `v` gives a zero product (after one call to learn the output
/// length); a NaN in `v` gives NaN.
///
/// ```
/// // f(x) = (x0 x1, x0 + x1^2) along v = (1, 2) at (3, 4): J v = (4 + 6, 1 + 16).
/// let f = |x: &[f64]| vec![x[0] * x[1], x[0] + x[1] * x[1]];
/// let jv = ad_runtime::check::fd_jvp(f, &[3.0, 4.0], &[1.0, 2.0]);
/// assert!((jv[0] - 10.0).abs() < 1e-10 && (jv[1] - 17.0).abs() < 1e-10);
/// ```
///
/// # Panics
///
/// If `x` and `v` have different lengths, or if `f` returns vectors of
/// different lengths.
pub fn fd_jvp(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    assert_eq!(
        x.len(),
        v.len(),
        "fd_jvp: x has {} entries but the direction v has {}",
        x.len(),
        v.len()
    );
    // max |v_i|, propagating NaN (f64::max would drop it).
    let v_max = v.iter().map(|vi| vi.abs()).fold(0.0, |m: f64, a| {
        if m.is_nan() || a.is_nan() {
            f64::NAN
        } else {
            m.max(a)
        }
    });
    if v_max == 0.0 {
        return vec![0.0; f(x).len()];
    }
    let x_max = x.iter().fold(1.0f64, |m, xi| m.max(xi.abs()));
    let h = REL_STEP * x_max / v_max;
    let sample = |s: f64| {
        let at: Vec<f64> = x.iter().zip(v).map(|(xi, vi)| xi + s * vi).collect();
        f(&at)
    };
    let (m2, m1, p1, p2) = (sample(-2.0 * h), sample(-h), sample(h), sample(2.0 * h));
    let n = m2.len();
    assert!(
        m1.len() == n && p1.len() == n && p2.len() == n,
        "fd_jvp: f returned vectors of different lengths ({}, {}, {}, {})",
        m2.len(),
        m1.len(),
        p1.len(),
        p2.len()
    );
    (0..n)
        .map(|k| stencil(m2[k], m1[k], p1[k], p2[k], h))
        .collect()
}

/// The result of comparing a derivative (a vector of entries) with a
/// reference: the worst entry, plus what [`Report::is_close`] needs to judge
/// every entry.
///
/// "Worst" means the largest [`rel_err`](Report::rel_err),
/// `|analytic - numeric| / max(1, |numeric|)`: the absolute error for
/// reference values below 1 in magnitude and the relative error above. An
/// entry where either value is NaN is worse than any other (the first such
/// entry is reported); among equal errors the first entry is reported.
///
/// Whether the comparison passes depends on tolerances, so it is answered by
/// [`is_close`](Report::is_close) and [`assert_close`](Report::assert_close)
/// over all entries, not only over the reported one.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Index of the worst entry (0 when there are no entries).
    pub index: usize,
    /// The analytic value at [`index`](Report::index).
    pub analytic: f64,
    /// The reference value at [`index`](Report::index): the finite-difference
    /// estimate for [`check_gradient`] and [`check_jvp`], the second argument
    /// of [`compare`].
    pub numeric: f64,
    /// `|analytic - numeric|` at [`index`](Report::index) (0 if they are
    /// equal, including equal infinities; NaN if either is NaN).
    pub abs_err: f64,
    /// `abs_err / max(1, |numeric|)` at [`index`](Report::index) (infinite if
    /// only `numeric` is infinite, NaN if either value is NaN).
    pub rel_err: f64,
    /// Number of entries compared.
    pub len: usize,
    /// Every `(analytic, numeric)` pair, for [`Report::is_close`].
    entries: Vec<(f64, f64)>,
}

/// `(abs_err, rel_err)` of one entry, as documented on [`Report`].
fn errors(analytic: f64, numeric: f64) -> (f64, f64) {
    if analytic == numeric {
        return (0.0, 0.0);
    }
    let abs = (analytic - numeric).abs();
    let rel = if analytic.is_nan() || numeric.is_nan() {
        f64::NAN
    } else if numeric.is_infinite() {
        f64::INFINITY
    } else {
        abs / numeric.abs().max(1.0)
    };
    (abs, rel)
}

/// `true` if the error `new` is strictly worse than `old`, NaN being worst.
fn worse(new: f64, old: f64) -> bool {
    match (new.is_nan(), old.is_nan()) {
        (true, false) => true,
        (false, false) => new > old,
        _ => false,
    }
}

/// `a == n` (so equal infinities are close), or both finite and
/// `|a - n| <= atol + rtol * |n|`; NaN is never close.
fn entry_close(analytic: f64, numeric: f64, atol: f64, rtol: f64) -> bool {
    analytic == numeric
        || (analytic.is_finite()
            && numeric.is_finite()
            && (analytic - numeric).abs() <= atol + rtol * numeric.abs())
}

impl Report {
    fn new(analytic: &[f64], reference: &[f64]) -> Report {
        debug_assert_eq!(analytic.len(), reference.len());
        let entries: Vec<(f64, f64)> = analytic
            .iter()
            .copied()
            .zip(reference.iter().copied())
            .collect();
        let mut worst = 0;
        let mut worst_rel = 0.0;
        for (i, &(a, n)) in entries.iter().enumerate() {
            let (_, rel) = errors(a, n);
            if worse(rel, worst_rel) {
                worst = i;
                worst_rel = rel;
            }
        }
        let (analytic, numeric) = entries.get(worst).copied().unwrap_or((0.0, 0.0));
        let (abs_err, rel_err) = errors(analytic, numeric);
        Report {
            index: worst,
            analytic,
            numeric,
            abs_err,
            rel_err,
            len: entries.len(),
            entries,
        }
    }

    /// `true` if every entry satisfies `|analytic - numeric| <= atol + rtol * |numeric|`
    /// (the convention of `numpy.isclose`: the tolerance scales with the
    /// reference). Equal values, including equal infinities, are close; an
    /// infinity is not close to anything else, and a NaN in either value is
    /// never close, whatever the tolerances. A comparison of no entries is
    /// close.
    ///
    /// ```
    /// use ad_runtime::check::compare;
    ///
    /// let report = compare(&[1.0, 100.5], &[1.0, 100.0]);
    /// assert!(!report.is_close(1e-3, 1e-3)); // 0.5 > 1e-3 + 1e-3 * 100
    /// assert!(report.is_close(0.0, 1e-2)); // 0.5 <= 1e-2 * 100
    /// assert!(!compare(&[f64::NAN], &[f64::NAN]).is_close(1.0, 1.0));
    /// ```
    pub fn is_close(&self, atol: f64, rtol: f64) -> bool {
        self.entries
            .iter()
            .all(|&(a, n)| entry_close(a, n, atol, rtol))
    }

    /// Panics unless [`is_close(atol, rtol)`](Report::is_close), with the
    /// [`Display`](fmt::Display) text of this report and the tolerances.
    ///
    /// If the entry that exceeds these tolerances by the largest factor is not
    /// the reported worst entry (possible when `atol != rtol`), it is named too.
    ///
    /// ```should_panic
    /// // Panics with "derivative check failed (atol 1e-6, rtol 1e-6): worst entry 1 of 2: ..."
    /// ad_runtime::check::compare(&[1.0, 2.1], &[1.0, 2.0]).assert_close(1e-6, 1e-6);
    /// ```
    #[track_caller]
    pub fn assert_close(&self, atol: f64, rtol: f64) {
        if self.is_close(atol, rtol) {
            return;
        }
        // The entry worst relative to these tolerances.
        let mut worst = 0;
        let mut worst_ratio = 0.0;
        for (i, &(a, n)) in self.entries.iter().enumerate() {
            if entry_close(a, n, atol, rtol) {
                continue;
            }
            let ratio = (a - n).abs() / (atol + rtol * n.abs());
            if worse(ratio, worst_ratio) {
                worst = i;
                worst_ratio = ratio;
            }
        }
        if worst == self.index {
            panic!("derivative check failed (atol {atol:e}, rtol {rtol:e}): {self}");
        }
        let (a, n) = self.entries[worst];
        panic!(
            "derivative check failed (atol {atol:e}, rtol {rtol:e}): {self}; \
             worst for these tolerances: entry {worst}: analytic {a:.12e}, numeric {n:.12e}"
        );
    }
}

impl fmt::Display for Report {
    /// `worst entry 3 of 5: analytic 1.234500000000e0, numeric 1.234600000000e0, abs err 1.00e-4, rel err 1.00e-4`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return write!(f, "no entries to compare");
        }
        write!(
            f,
            "worst entry {} of {}: analytic {:.12e}, numeric {:.12e}, abs err {:.2e}, rel err {:.2e}",
            self.index, self.len, self.analytic, self.numeric, self.abs_err, self.rel_err
        )
    }
}

/// Compares the gradient `grad` of `f` at `x` with [`fd_gradient`]`(f, x)`;
/// the report names the worst entry.
///
/// ```
/// use ad_runtime::check::check_gradient;
///
/// // f(x) = x0 exp(x1), gradient (exp(x1), x0 exp(x1)).
/// let x = [2.0f64, 0.5];
/// let grad = [x[1].exp(), x[0] * x[1].exp()];
/// check_gradient(|x| x[0] * x[1].exp(), &x, &grad).assert_close(1e-9, 1e-9);
/// ```
///
/// # Panics
///
/// If `grad` and `x` have different lengths.
pub fn check_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) -> Report {
    assert_eq!(
        grad.len(),
        x.len(),
        "check_gradient: the gradient has {} entries but x has {}",
        grad.len(),
        x.len()
    );
    compare(grad, &fd_gradient(f, x))
}

/// Compares the Jacobian-vector product `jvp` of `f` at `x` along `v` with
/// [`fd_jvp`]`(f, x, v)`; the report names the worst output entry.
///
/// ```
/// use ad_runtime::check::check_jvp;
///
/// // f(x) = (sin x0, x0 x1) along v = (1, -1): J v = (cos x0, x1 - x0).
/// let (x, v) = ([0.5f64, 2.0], [1.0, -1.0]);
/// let jvp = [x[0].cos(), x[1] - x[0]];
/// let report = check_jvp(|x| vec![x[0].sin(), x[0] * x[1]], &x, &v, &jvp);
/// report.assert_close(1e-9, 1e-9);
/// assert_eq!(report.len, 2);
/// ```
///
/// # Panics
///
/// If `x` and `v` have different lengths, or `jvp` does not have the length
/// of `f`'s output.
pub fn check_jvp(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64], jvp: &[f64]) -> Report {
    let numeric = fd_jvp(f, x, v);
    assert_eq!(
        jvp.len(),
        numeric.len(),
        "check_jvp: the JVP has {} entries but f returns {}",
        jvp.len(),
        numeric.len()
    );
    compare(jvp, &numeric)
}

/// Compares two derivative vectors entry by entry, for example forward mode
/// against reverse mode, or an analytic derivative against a reference; the
/// second argument plays the role of the reference (`numeric` in the report).
///
/// ```
/// let forward = [1.0, 2.0, 3.0];
/// let reverse = [1.0, 2.0 + 1e-15, 3.0];
/// ad_runtime::check::compare(&forward, &reverse).assert_close(1e-12, 1e-12);
/// ```
///
/// # Panics
///
/// If the two have different lengths.
pub fn compare(analytic: &[f64], reference: &[f64]) -> Report {
    assert_eq!(
        analytic.len(),
        reference.len(),
        "compare: the analytic derivative has {} entries but the reference has {}",
        analytic.len(),
        reference.len()
    );
    Report::new(analytic, reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x) = sin(x0) exp(x1) + x0 x2^2 / (1 + x1^2) + ln(x2), and its gradient.
    fn f(x: &[f64]) -> f64 {
        x[0].sin() * x[1].exp() + x[0] * x[2] * x[2] / (1.0 + x[1] * x[1]) + x[2].ln()
    }
    fn grad_f(x: &[f64]) -> Vec<f64> {
        let q = 1.0 + x[1] * x[1];
        vec![
            x[0].cos() * x[1].exp() + x[2] * x[2] / q,
            x[0].sin() * x[1].exp() - 2.0 * x[0] * x[1] * x[2] * x[2] / (q * q),
            2.0 * x[0] * x[2] / q + 1.0 / x[2],
        ]
    }
    const X: [f64; 3] = [0.7, -1.3, 25.0];

    #[test]
    fn fd_gradient_matches_analytic_gradient() {
        let numeric = fd_gradient(f, &X);
        let analytic = grad_f(&X);
        assert_eq!(numeric.len(), 3);
        for i in 0..3 {
            let err = (numeric[i] - analytic[i]).abs() / analytic[i].abs().max(1.0);
            assert!(
                err < 1e-9,
                "entry {i}: fd {} vs analytic {} (err {err:e})",
                numeric[i],
                analytic[i]
            );
        }
        // The same through the checker, with tight tolerances.
        check_gradient(f, &X, &analytic).assert_close(1e-9, 1e-9);
    }

    #[test]
    fn fd_gradient_is_exact_enough_on_a_quartic() {
        // The 4-point stencil is exact for polynomials of degree <= 4.
        let p = |x: &[f64]| x[0].powi(4) - 3.0 * x[0].powi(3) + x[0];
        let g = fd_gradient(p, &[2.0]);
        let exact = 4.0 * 8.0 - 9.0 * 4.0 + 1.0;
        assert!((g[0] - exact).abs() < 1e-10, "{} vs {exact}", g[0]);
    }

    #[test]
    fn check_gradient_names_the_wrong_entry() {
        let mut grad = grad_f(&X);
        let wrong_by = 1e-5 * grad[1].abs();
        grad[1] += wrong_by;
        grad[2] *= 1.0 + 1e-7;
        let report = check_gradient(f, &X, &grad);
        assert_eq!(report.index, 1, "{report}");
        assert_eq!(report.len, 3);
        assert_eq!(report.analytic, grad[1]);
        assert!((report.abs_err / wrong_by - 1.0).abs() < 1e-6, "{report}");
        assert!((report.rel_err - 1e-5).abs() < 1e-10, "{report}");
        assert!(!report.is_close(1e-6, 1e-6), "{report}");
        assert!(report.is_close(0.0, 2e-5), "{report}");
        // The correct gradient passes.
        assert!(check_gradient(f, &X, &grad_f(&X)).is_close(1e-8, 1e-8));
    }

    #[test]
    #[should_panic(expected = "worst entry 1 of 3")]
    fn assert_close_panics_naming_the_worst_entry() {
        let mut grad = grad_f(&X);
        grad[1] *= 1.01;
        check_gradient(f, &X, &grad).assert_close(1e-6, 1e-6);
    }

    #[test]
    fn worst_is_chosen_by_error_relative_to_max_1_and_reference() {
        // Entry 0: abs 0.5 on a reference of 1000 (rel 5e-4).
        // Entry 1: abs 0.01 on a reference of 0.1 (rel 1e-2: absolute below 1).
        let r = compare(&[1000.5, 0.11, 3.0], &[1000.0, 0.1, 3.0]);
        assert_eq!(r.index, 1, "{r}");
        assert!((r.rel_err - 0.01).abs() < 1e-12, "{r}");
        assert!((r.abs_err - 0.01).abs() < 1e-12, "{r}");
    }

    #[test]
    fn is_close_judges_every_entry_not_only_the_worst() {
        // Worst by rel error is entry 0 (rel 1e-3); with atol = 0, rtol = 1e-3
        // entry 1 (abs 5e-4 on a reference of 0.1) fails while entry 0 passes.
        let r = compare(&[1.001, 0.1005], &[1.0, 0.1]);
        assert_eq!(r.index, 0, "{r}");
        assert!(!r.is_close(0.0, 1.5e-3), "{r}");
        assert!(r.is_close(1e-3, 1.5e-3), "{r}");
    }

    #[test]
    #[should_panic(expected = "worst for these tolerances: entry 1")]
    fn assert_close_names_the_entry_failing_the_given_tolerances() {
        compare(&[1.001, 0.1005], &[1.0, 0.1]).assert_close(0.0, 1.5e-3);
    }

    #[test]
    fn nan_is_never_close() {
        let r = compare(&[1.5, f64::NAN, 2.0], &[1.0, 1.0, 2.0]);
        assert_eq!(r.index, 1, "a NaN entry is the worst: {r}");
        assert!(r.analytic.is_nan() && r.abs_err.is_nan() && r.rel_err.is_nan());
        assert!(!r.is_close(f64::INFINITY, f64::INFINITY));
        // NaN in the reference, after a huge finite error.
        let r = compare(&[1e300, 0.0], &[0.0, f64::NAN]);
        assert_eq!(r.index, 1, "{r}");
        assert!(!r.is_close(f64::INFINITY, 1.0));
        // The same report without the NaN is close with infinite tolerance.
        assert!(compare(&[1e300], &[0.0]).is_close(f64::INFINITY, 0.0));
        // NaN from the function itself.
        let r = check_gradient(|x| x[0].sqrt(), &[-1.0], &[0.5]);
        assert!(r.numeric.is_nan() && !r.is_close(1.0, 1.0), "{r}");
    }

    #[test]
    fn infinities() {
        let r = compare(&[f64::INFINITY, 1.0], &[f64::INFINITY, 1.0]);
        assert!(r.is_close(0.0, 0.0), "equal infinities are close: {r}");
        assert_eq!(r.rel_err, 0.0);
        let r = compare(&[1.0, 5.0], &[1.0, f64::NEG_INFINITY]);
        assert_eq!(r.index, 1);
        assert_eq!(r.rel_err, f64::INFINITY);
        assert!(!r.is_close(1e300, 1e300));
    }

    #[test]
    fn empty_comparison_is_close() {
        let r = compare(&[], &[]);
        assert_eq!(r.len, 0);
        assert!(r.is_close(0.0, 0.0));
        assert_eq!(r.to_string(), "no entries to compare");
    }

    #[test]
    fn display_names_entry_values_and_errors() {
        let r = compare(&[1.0, 2.5], &[1.0, 2.0]);
        assert_eq!(
            r.to_string(),
            "worst entry 1 of 2: analytic 2.500000000000e0, numeric 2.000000000000e0, \
             abs err 5.00e-1, rel err 2.50e-1"
        );
    }

    #[test]
    #[should_panic(expected = "the gradient has 2 entries but x has 3")]
    fn length_mismatch_panics() {
        check_gradient(f, &X, &[1.0, 2.0]);
    }

    /// g(x) = (x0 x1, sin x0 + x1^2, exp(x0 - x1)): R^2 -> R^3.
    fn g(x: &[f64]) -> Vec<f64> {
        vec![x[0] * x[1], x[0].sin() + x[1] * x[1], (x[0] - x[1]).exp()]
    }
    fn g_jvp(x: &[f64], v: &[f64]) -> Vec<f64> {
        let e = (x[0] - x[1]).exp();
        vec![
            v[0] * x[1] + x[0] * v[1],
            x[0].cos() * v[0] + 2.0 * x[1] * v[1],
            e * (v[0] - v[1]),
        ]
    }

    #[test]
    fn fd_jvp_matches_analytic_jvp() {
        let x = [0.4, -1.7];
        for v in [[1.0, 0.0], [0.3, -2.0], [-1e-3, 5e-4], [1e3, 2e3]] {
            let numeric = fd_jvp(g, &x, &v);
            let analytic = g_jvp(&x, &v);
            assert_eq!(numeric.len(), 3);
            let scale = v[0].abs().max(v[1].abs());
            for k in 0..3 {
                let err = (numeric[k] - analytic[k]).abs() / (scale * analytic[k].abs().max(1.0));
                assert!(
                    err < 1e-9,
                    "v = {v:?}, output {k}: fd {} vs analytic {} (err {err:e})",
                    numeric[k],
                    analytic[k]
                );
            }
            check_jvp(g, &x, &v, &analytic).assert_close(1e-9 * scale, 1e-9);
        }
        // A wrong entry is found.
        let mut wrong = g_jvp(&x, &[0.3, -2.0]);
        wrong[2] += 1e-3;
        let r = check_jvp(g, &x, &[0.3, -2.0], &wrong);
        assert_eq!(r.index, 2, "{r}");
        assert!(!r.is_close(1e-6, 1e-6));
    }

    #[test]
    fn fd_jvp_along_zero_and_nan_directions() {
        assert_eq!(fd_jvp(g, &[0.4, -1.7], &[0.0, 0.0]), vec![0.0; 3]);
        assert!(fd_jvp(g, &[0.4, -1.7], &[f64::NAN, 1.0])
            .iter()
            .all(|d| d.is_nan()));
        assert!(fd_jvp(g, &[0.4, -1.7], &[1.0, f64::NAN])
            .iter()
            .all(|d| d.is_nan()));
        // A NaN must not be mistaken for a zero direction.
        assert!(fd_jvp(g, &[0.4, -1.7], &[f64::NAN, 0.0])
            .iter()
            .all(|d| d.is_nan()));
    }
}
