//! Dense Hessians and Jacobians assembled from derivative products.
//!
//! `#[differentiate]` generates products, never matrices: `f_jvp` gives
//! `J v` (one forward pass), `f_vjp` gives `J^T w` (one reverse pass) and
//! `f_hvp` gives `H v` (one forward-over-reverse pass). When the whole matrix
//! is wanted, for a small problem, a Newton step on a few variables, or a
//! test, these helpers apply the product to every unit vector and collect the
//! results:
//!
//! - [`hessian`]: `n` Hessian-vector products;
//! - [`jacobian_by_columns`]: `n` forward passes, one column each;
//! - [`jacobian_by_rows`]: `m` reverse passes, one row each;
//! - [`jacobian`]: whichever of the two takes fewer passes.
//!
//! Matrices are `Vec<Vec<f64>>` in row-major order: `a[i][j]` is row `i`,
//! column `j`. A Jacobian is always `m x n`: one row per output, one column
//! per input. The closures receive a unit vector `e_k` (a slice of zeros with
//! a one at `k`) and return the product; they adapt the generated function's
//! tuple to a plain vector, and may gather several arguments into one.
//!
//! ```
//! use ad_runtime::dense::jacobian;
//!
//! // f(x) = (x0 x1, x0 + 3 x1, x1^2) at x = (2, 5): J = [[5, 2], [1, 3], [0, 10]].
//! let x = [2.0, 5.0];
//! let jvp = |v: &[f64]| vec![v[0] * x[1] + x[0] * v[1], v[0] + 3.0 * v[1], 2.0 * x[1] * v[1]];
//! let vjp = |w: &[f64]| vec![w[0] * x[1] + w[1], w[0] * x[0] + 3.0 * w[1] + 2.0 * x[1] * w[2]];
//! let j = jacobian(3, 2, jvp, vjp);
//! assert_eq!(j, vec![vec![5.0, 2.0], vec![1.0, 3.0], vec![0.0, 10.0]]);
//! ```

/// The unit vector `e_k` of length `len`.
fn unit(len: usize, k: usize) -> Vec<f64> {
    let mut e = vec![0.0; len];
    e[k] = 1.0;
    e
}

/// Panics unless the product `got` of the closure `what` has `expected`
/// entries.
#[track_caller]
fn check_len(what: &str, k: usize, got: &[f64], expected: usize, meaning: &str) {
    assert!(
        got.len() == expected,
        "{what} returned {} entries for the unit vector e_{k}, expected {expected} ({meaning})",
        got.len()
    );
}

/// The dense `n x n` Hessian from `n` Hessian-vector products with the unit
/// vectors.
///
/// `hvp(v)` must return `H v` (length `n`) for a direction `v` of length `n`,
/// typically the last part of the tuple of `f_hvp`. Row `i` of the result is
/// `H e_i`, the `i`th column of `H`, which is its `i`th row because a Hessian
/// is symmetric. Each product is computed on its own, so the result is
/// symmetric only up to rounding (a forward-over-reverse product sums the
/// second partials in a different order for `H[i][j]` and `H[j][i]`);
/// symmetrise it with `(H + H^T) / 2` if exact symmetry matters.
///
/// Cost: `n` calls to `hvp`, each a small constant times the cost of `f`,
/// and `n^2` numbers of memory. For large `n` use `hvp` directly (for
/// example in conjugate gradient) instead of forming `H`.
///
/// ```
/// use ad_runtime::dense::hessian;
///
/// // f(x, y) = x^2 y + y^3 at (1, 2): H = [[2y, 2x], [2x, 6y]] = [[4, 2], [2, 12]].
/// let (x, y) = (1.0, 2.0);
/// let hvp = |v: &[f64]| vec![2.0 * y * v[0] + 2.0 * x * v[1], 2.0 * x * v[0] + 6.0 * y * v[1]];
/// assert_eq!(hessian(2, hvp), vec![vec![4.0, 2.0], vec![2.0, 12.0]]);
/// ```
///
/// # Panics
///
/// If `hvp` returns a vector whose length is not `n`.
pub fn hessian(n: usize, mut hvp: impl FnMut(&[f64]) -> Vec<f64>) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            let row = hvp(&unit(n, i));
            check_len("hessian: hvp", i, &row, n, "H e_i has one entry per input");
            row
        })
        .collect()
}

/// The dense `m x n` Jacobian of a function from `n` inputs to `m` outputs,
/// column by column: `n` Jacobian-vector products (forward passes).
///
/// `jvp(v)` must return `J v` (length `m`) for a direction `v` of length `n`,
/// typically the tangent of the output from `f_jvp`. Column `j` of the result
/// is `J e_j`.
///
/// ```
/// use ad_runtime::dense::jacobian_by_columns;
///
/// // f(x) = (x0 x1, sin x0) at x = (0, 3): J = [[3, 0], [1, 0]].
/// let x = [0.0f64, 3.0];
/// let jvp = |v: &[f64]| vec![v[0] * x[1] + x[0] * v[1], x[0].cos() * v[0]];
/// assert_eq!(jacobian_by_columns(2, 2, jvp), vec![vec![3.0, 0.0], vec![1.0, 0.0]]);
/// ```
///
/// # Panics
///
/// If `jvp` returns a vector whose length is not `m`.
pub fn jacobian_by_columns(
    m: usize,
    n: usize,
    mut jvp: impl FnMut(&[f64]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let mut j = vec![vec![0.0; n]; m];
    for col in 0..n {
        let jv = jvp(&unit(n, col));
        check_len(
            "jacobian_by_columns: jvp",
            col,
            &jv,
            m,
            "J v has one entry per output",
        );
        for (row, value) in j.iter_mut().zip(jv) {
            row[col] = value;
        }
    }
    j
}

/// The dense `m x n` Jacobian of a function from `n` inputs to `m` outputs,
/// row by row: `m` vector-Jacobian products (reverse passes).
///
/// `vjp(w)` must return `J^T w` (length `n`) for an output cotangent `w` of
/// length `m`, typically the input cotangents from `f_vjp`. Row `i` of the
/// result is `J^T e_i`, the gradient of output `i`.
///
/// ```
/// use ad_runtime::dense::jacobian_by_rows;
///
/// // f(x) = (x0 x1, x0 + x2) at x = (2, 3, 4): J = [[3, 2, 0], [1, 0, 1]].
/// let x = [2.0, 3.0, 4.0];
/// let vjp = |w: &[f64]| vec![w[0] * x[1] + w[1], w[0] * x[0], w[1]];
/// assert_eq!(
///     jacobian_by_rows(2, 3, vjp),
///     vec![vec![3.0, 2.0, 0.0], vec![1.0, 0.0, 1.0]]
/// );
/// ```
///
/// # Panics
///
/// If `vjp` returns a vector whose length is not `n`.
pub fn jacobian_by_rows(
    m: usize,
    n: usize,
    mut vjp: impl FnMut(&[f64]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    (0..m)
        .map(|row| {
            let g = vjp(&unit(m, row));
            check_len(
                "jacobian_by_rows: vjp",
                row,
                &g,
                n,
                "J^T w has one entry per input",
            );
            g
        })
        .collect()
}

/// The dense `m x n` Jacobian of a function from `n` inputs to `m` outputs,
/// by whichever mode needs fewer passes.
///
/// Forward mode gives a column per pass and reverse mode a row per pass, so
/// this calls [`jacobian_by_columns`] (`n` calls to `jvp`, never `vjp`) when
/// `n <= m`, and [`jacobian_by_rows`] (`m` calls to `vjp`, never `jvp`) when
/// `n > m`. A square Jacobian goes by columns: a forward pass usually costs
/// less than a reverse pass and records nothing. The result is the same
/// matrix either way (up to rounding), rows = outputs.
///
/// See the [module documentation](self) for an example with both closures.
///
/// ```
/// use ad_runtime::dense::jacobian;
///
/// // A gradient (m = 1, n = 3) is one reverse pass: `jvp` is never called.
/// let j = jacobian(1, 3, |_| unreachable!(), |w: &[f64]| vec![w[0], 2.0 * w[0], 3.0 * w[0]]);
/// assert_eq!(j, vec![vec![1.0, 2.0, 3.0]]);
/// ```
///
/// # Panics
///
/// If the closure used returns a vector of the wrong length (`m` for `jvp`,
/// `n` for `vjp`).
pub fn jacobian(
    m: usize,
    n: usize,
    jvp: impl FnMut(&[f64]) -> Vec<f64>,
    vjp: impl FnMut(&[f64]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    if n <= m {
        jacobian_by_columns(m, n, jvp)
    } else {
        jacobian_by_rows(m, n, vjp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(
        expected = "hessian: hvp returned 2 entries for the unit vector e_0, expected 3"
    )]
    fn hessian_rejects_a_wrong_length() {
        hessian(3, |v| v[..2].to_vec());
    }

    #[test]
    #[should_panic(
        expected = "jacobian_by_columns: jvp returned 1 entries for the unit vector e_0, expected 2"
    )]
    fn columns_reject_a_wrong_length() {
        jacobian_by_columns(2, 3, |_| vec![0.0]);
    }

    #[test]
    #[should_panic(
        expected = "jacobian_by_rows: vjp returned 2 entries for the unit vector e_0, expected 3"
    )]
    fn rows_reject_a_wrong_length() {
        jacobian_by_rows(2, 3, |w| w.to_vec());
    }

    #[test]
    fn empty_shapes() {
        assert!(hessian(0, |_| unreachable!()).is_empty());
        assert_eq!(
            jacobian_by_columns(2, 0, |_| unreachable!()),
            vec![Vec::<f64>::new(); 2]
        );
        assert!(jacobian_by_rows(0, 3, |_| unreachable!()).is_empty());
    }
}
