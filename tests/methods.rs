//! Methods and associated functions in inherent `impl` blocks: the receiver
//! is inactive (its fields are data) and the generated items are methods in
//! the same block.

use ad::check::check_gradient;
use ad::differentiate;

struct Spring {
    k: f64,
    rest: f64,
}

impl Spring {
    /// Energy of the spring stretched to length `x`.
    #[differentiate]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * (x - self.rest) * (x - self.rest)
    }

    /// Two springs in series: a method calling a method.
    #[differentiate]
    fn chain(&self, x: f64, y: f64) -> f64 {
        self.energy(x) + self.energy(y - x)
    }

    /// An associated function (no receiver).
    #[differentiate]
    fn scaled(x: f64, s: f64) -> f64 {
        (x * s).sin()
    }

    /// An associated function calling a free function by its bare name
    /// (the caller's hidden call check is an associated item too).
    #[differentiate]
    fn stored(x: f64, s: f64) -> f64 {
        stretch(x) * s
    }

    /// A method call in a loop whose value the reverse sweep reads: second
    /// order keeps the call's tangent (the `_hvp` of a hoisted call).
    #[differentiate]
    fn relaxed(&self, x: f64) -> f64 {
        let mut u = x;
        for _ in 0..2 {
            u = (self.energy(u) + 1.0).ln();
        }
        u
    }

    /// A receiver taken mutably: still inactive.
    #[differentiate]
    fn tension(&mut self, x: f64) -> f64 {
        self.k * (x - self.rest)
    }
}

#[differentiate]
fn stretch(x: f64) -> f64 {
    x * x
}

#[test]
fn method_of_a_receiver() {
    let s = Spring { k: 3.0, rest: 1.0 };
    assert_eq!(s.energy_grad(2.5), (0.5 * 3.0 * 2.25, 3.0 * 1.5));
    assert_eq!(s.energy_jvp(2.5, 2.0), (0.5 * 3.0 * 2.25, 2.0 * 3.0 * 1.5));
    let (_, g, h) = s.energy_hvp(2.5, 1.0);
    assert_eq!((g, h), (4.5, 3.0));
}

#[test]
fn method_calling_a_method() {
    let s = Spring { k: 2.0, rest: 0.5 };
    let (x, y) = (1.2, 2.9);
    let (v, gx, gy) = s.chain_grad(x, y);
    assert_eq!(v, s.chain(x, y));
    // d/dx = k (x - r) - k (y - x - r), d/dy = k (y - x - r)
    assert!((gx - (2.0 * (x - 0.5) - 2.0 * (y - x - 0.5))).abs() < 1e-12);
    assert!((gy - 2.0 * (y - x - 0.5)).abs() < 1e-12);
    let report = check_gradient(|p: &[f64]| s.chain(p[0], p[1]), &[x, y], &[gx, gy]);
    report.assert_close(1e-8, 1e-8);
    let (_, _, _, hx, hy) = s.chain_hvp(x, 1.0, y, 0.0);
    assert!(
        (hx - 4.0).abs() < 1e-12 && (hy + 2.0).abs() < 1e-12,
        "{hx} {hy}"
    );
}

#[test]
fn associated_function_and_mut_receiver() {
    let (v, gx, gs) = Spring::scaled_grad(0.3, 2.0);
    assert_eq!(v, (0.6f64).sin());
    assert!((gx - 2.0 * 0.6f64.cos()).abs() < 1e-15 && (gs - 0.3 * 0.6f64.cos()).abs() < 1e-15);
    let (v, gx, gs) = Spring::stored_grad(1.5, 2.0);
    assert_eq!((v, gx, gs), (4.5, 6.0, 2.25));
    let mut s = Spring { k: 4.0, rest: 1.0 };
    assert_eq!(s.tension_grad(3.0), (8.0, 4.0));
}

#[test]
fn method_called_in_a_loop_second_order() {
    let s = Spring { k: 1.5, rest: 0.25 };
    for x in [0.9f64, -0.6, 2.1] {
        let (v, g) = s.relaxed_grad(x);
        assert_eq!(v, s.relaxed(x));
        check_gradient(|p: &[f64]| s.relaxed(p[0]), &[x], &[g]).assert_close(1e-8, 1e-8);
        let (_, _, h) = s.relaxed_hvp(x, 1.0);
        let e = 1e-5;
        let fd = (s.relaxed_grad(x + e).1 - s.relaxed_grad(x - e).1) / (2.0 * e);
        assert!((h - fd).abs() < 1e-7 * (1.0 + fd.abs()), "{h} vs {fd}");
    }
}
