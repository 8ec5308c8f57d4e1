//! Shared checks for whole differentiated functions: forward mode, reverse
//! mode and finite differences must agree.
#![allow(dead_code)]

use ad::check;

/// Deterministic pseudo-random numbers in [-1, 1] (no dependency needed).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    pub fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// Checks a scalar function of `n` scalars at `x`:
/// * the gradient from `vjp` matches central finite differences of `f`;
/// * the value returned by `jvp` and `vjp` is `f(x)`;
/// * `jvp` along random directions matches finite differences;
/// * the dot-product identity <J t, c> = <t, J^T c> holds between `jvp` and `vjp`.
pub fn agree(
    name: &str,
    x: &[f64],
    f: impl Fn(&[f64]) -> f64,
    jvp: impl Fn(&[f64], &[f64]) -> (f64, f64),
    vjp: impl Fn(&[f64], f64) -> (f64, Vec<f64>),
    tol: f64,
) {
    let n = x.len();
    let value = f(x);
    let (v1, g) = vjp(x, 1.0);
    assert_eq!(
        v1.to_bits(),
        value.to_bits(),
        "{name}: vjp value differs from f"
    );
    assert_eq!(g.len(), n);
    let report = check::check_gradient(&f, x, &g);
    assert!(
        report.is_close(tol, tol),
        "{name} at {x:?}: gradient vs finite differences: {report}"
    );
    let mut rng = Lcg(n as u64 + 17);
    for _ in 0..3 {
        let t = rng.vec(n);
        let c = rng.next() * 3.0;
        let (v2, jt) = jvp(x, &t);
        assert_eq!(
            v2.to_bits(),
            value.to_bits(),
            "{name}: jvp value differs from f"
        );
        let fd = check::fd_gradient(&f, x);
        let fd_jt: f64 = fd.iter().zip(&t).map(|(a, b)| a * b).sum();
        assert!(
            (jt - fd_jt).abs() <= tol * (1.0 + fd_jt.abs()),
            "{name} at {x:?}: jvp {jt} vs finite differences {fd_jt}"
        );
        let (_, jtc) = vjp(x, c);
        let lhs = jt * c;
        let rhs: f64 = t.iter().zip(&jtc).map(|(a, b)| a * b).sum();
        assert!(
            (lhs - rhs).abs() <= 1e-12 * (1.0 + lhs.abs()),
            "{name} at {x:?}: <J t, c> = {lhs} but <t, J^T c> = {rhs}"
        );
    }
}

/// Builds the closures of [`agree`] for a function whose parameters are all
/// active `f64` scalars: `agree!(f, f_jvp, f_vjp; x 0, y 1; at [1.0, 2.0])`.
#[macro_export]
macro_rules! agree {
    ($f:ident, $jvp:ident, $vjp:ident; $($p:ident $i:tt),+; at $x:expr) => {
        agree!($f, $jvp, $vjp; $($p $i),+; at $x; tol 1e-8)
    };
    ($f:ident, $jvp:ident, $vjp:ident; $($p:ident $i:tt),+; at $x:expr; tol $tol:expr) => {{
        let x: &[f64] = &$x;
        $crate::common::agree(
            stringify!($f),
            x,
            |x: &[f64]| $f($(x[$i]),+),
            |x: &[f64], t: &[f64]| $jvp($(x[$i], t[$i]),+),
            |x: &[f64], c: f64| {
                let (v, $($p),+) = $vjp($(x[$i]),+, c);
                (v, vec![$($p),+])
            },
            $tol,
        );
    }};
}

/// Asserts |a - b| <= tol (1 + |b|).
pub fn close(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: got {a}, expected {b}"
    );
}
