//! A buffer lent to a differentiated method of a parameter struct (`p.m(x,
//! &mut d)`): with the struct active (`wrt(p, x)`, a method with
//! `wrt(self, ..)`) and inactive (`wrt(x)`, a method without it); every
//! mode against finite differences and the dot-product identity.

use ad::differentiate;
use ad::Differentiable;

#[path = "common/arrays.rs"]
mod arrays;
mod common;
#[path = "common/flat.rs"]
mod flat;
use arrays::agree_scalar;
use flat::check_all;

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct P {
    a: f64,
    b: Vec<f64>,
}

impl P {
    /// A buffer written from the receiver and `x`, then read back.
    #[differentiate(wrt(self, x))]
    fn m(&self, x: &[f64], d: &mut [f64]) {
        d[0] = self.a * x[0] + self.b[0] * x[1];
        d[1] = self.b[1] * x[0] * x[1] + d[0] * self.a;
    }

    /// The same with the receiver a constant.
    #[differentiate]
    fn m_const(&self, x: &[f64], d: &mut [f64]) {
        d[0] = self.a * x[0] + self.b[0] * x[1];
        d[1] = self.b[1] * x[0] * x[1] + d[0] * self.a;
    }
}

#[differentiate(wrt(p, x))]
fn active(p: &P, x: &[f64]) -> f64 {
    let mut d = vec![0.0; 2];
    p.m(x, &mut d);
    d[0] * d[1]
}

#[differentiate(wrt(x))]
fn inactive(p: &P, x: &[f64]) -> f64 {
    let mut d = vec![0.0; 2];
    p.m_const(x, &mut d);
    d[0] * d[1]
}

fn p0() -> P {
    P {
        a: 0.7,
        b: vec![-1.2, 0.45],
    }
}

const X: [f64; 2] = [0.8, -0.6];

/// The struct and `x` as one flat vector `[p.., x..]`.
fn split(q: &[f64]) -> (P, Vec<f64>) {
    let mut p = p0();
    let n = p.to_flat().len();
    p.copy_from_flat(&q[..n]);
    (p, q[n..].to_vec())
}

#[test]
fn a_buffer_lent_to_a_method_of_an_active_struct() {
    let q: Vec<f64> = p0().to_flat().into_iter().chain(X).collect();
    let flat = |p: P, x: Vec<f64>| [p.to_flat(), x].concat();
    agree_scalar(
        "active",
        &q,
        |q| {
            let (p, x) = split(q);
            active(&p, &x)
        },
        |q, t| {
            let ((p, x), (dp, dx)) = (split(q), split(t));
            active_jvp(&p, &dp, &x, &dx)
        },
        |q, c| {
            let (p, x) = split(q);
            let (v, gp, gx) = active_vjp(&p, &x, c);
            (v, flat(gp, gx))
        },
        1e-7,
    );
    let t = [0.3, -0.7, 0.5, 0.9, -0.4];
    check_all(
        "active",
        &q,
        &t,
        |q| {
            let (p, x) = split(q);
            active(&p, &x)
        },
        |q| {
            let (p, x) = split(q);
            let (v, gp, gx) = active_grad(&p, &x);
            (v, flat(gp, gx))
        },
        |q, t| {
            let ((p, x), (dp, dx)) = (split(q), split(t));
            active_jvp(&p, &dp, &x, &dx)
        },
        |q, t| {
            let ((p, x), (dp, dx)) = (split(q), split(t));
            let (v, gp, gx, hp, hx) = active_hvp(&p, &dp, &x, &dx);
            (v, flat(gp, gx), flat(hp, hx))
        },
    );
}

#[test]
fn a_buffer_lent_to_a_method_of_an_inactive_struct() {
    let p = p0();
    agree_scalar(
        "inactive",
        &X,
        |x| inactive(&p, x),
        |x, t| inactive_jvp(&p, x, t),
        |x, c| inactive_vjp(&p, x, c),
        1e-7,
    );
    check_all(
        "inactive",
        &X,
        &[0.3, -0.7],
        |x| inactive(&p, x),
        |x| inactive_grad(&p, x),
        |x, t| inactive_jvp(&p, x, t),
        |x, t| inactive_hvp(&p, x, t),
    );
}
