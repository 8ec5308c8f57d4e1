//! An adapter for [argmin](https://argmin-rs.org), Rust's optimisation
//! framework (cargo feature `argmin`): a [`Problem`] over `Vec<f64>`
//! parameters made of the generated derivatives, for argmin's solvers that
//! need a cost and a gradient (L-BFGS, BFGS, nonlinear CG, gradient
//! descent), and, [`with_hvp`](Problem::with_hvp), for its solvers that
//! need a Hessian only through products (trust-region methods with
//! Steihaug's CG, `NewtonCG`): the Hessian handed to argmin is a
//! [`HessianAt`], an operator whose product is one `_hvp` call, never a
//! matrix.
//!
//! ```
//! use ad::argmin::Problem;
//! use ad::differentiate;
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use argmin::solver::trustregion::{Steihaug, TrustRegion};
//!
//! #[differentiate]
//! fn rosenbrock(x: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..x.len() - 1 {
//!         s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
//!     }
//!     s
//! }
//!
//! // L-BFGS on the gradient.
//! let problem = Problem::new(rosenbrock, |x| rosenbrock_grad(x).1);
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![0.0; 10]).max_iters(500))
//!     .run()
//!     .unwrap();
//! assert!(result.state.get_best_cost() < 1e-12);
//!
//! // A trust-region Newton method on Hessian-vector products.
//! let problem = Problem::new(rosenbrock, |x| rosenbrock_grad(x).1)
//!     .with_hvp(|x, v| rosenbrock_hvp(x, v).2);
//! let solver = TrustRegion::new(Steihaug::new().with_max_iters(20));
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![0.0; 10]).max_iters(100).target_cost(1e-20))
//!     .run()
//!     .unwrap();
//! assert!(result.state.get_best_cost() < 1e-20);
//! ```
//!
//! `examples/argmin.rs` writes the same glue by hand (three trait
//! implementations and the operator type) and adds Newton's method on a
//! dense Hessian from [`dense::hessian`](crate::dense::hessian).

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use argmin_math::ArgminDot;

/// An argmin problem from closures: `cost(x)`, `gradient(x)` and, after
/// [`with_hvp`](Problem::with_hvp), `hvp(x, v)` (the Hessian at `x` times
/// `v`). It implements argmin's `CostFunction` and `Gradient`, and
/// `Hessian` when it has `hvp`.
#[derive(Clone)]
pub struct Problem<C, G, H = ()> {
    cost: C,
    gradient: G,
    hvp: H,
}

impl<C, G> Problem<C, G>
where
    C: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
{
    /// A problem from its cost and its gradient, for example
    /// `Problem::new(f, |x| f_grad(x).1)`.
    pub fn new(cost: C, gradient: G) -> Self {
        Problem {
            cost,
            gradient,
            hvp: (),
        }
    }

    /// Adds Hessian-vector products, for example `|x, v| f_hvp(x, v).2`.
    pub fn with_hvp<H>(self, hvp: H) -> Problem<C, G, H>
    where
        H: Fn(&[f64], &[f64]) -> Vec<f64> + Clone,
    {
        Problem {
            cost: self.cost,
            gradient: self.gradient,
            hvp,
        }
    }
}

impl<C: Fn(&[f64]) -> f64, G, H> CostFunction for Problem<C, G, H> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok((self.cost)(x))
    }
}

impl<C, G: Fn(&[f64]) -> Vec<f64>, H> Gradient for Problem<C, G, H> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok((self.gradient)(x))
    }
}

impl<C, G, H> Hessian for Problem<C, G, H>
where
    H: Fn(&[f64], &[f64]) -> Vec<f64> + Clone,
{
    type Param = Vec<f64>;
    type Hessian = HessianAt<H>;

    fn hessian(&self, x: &Vec<f64>) -> Result<HessianAt<H>, Error> {
        Ok(HessianAt {
            x: x.clone(),
            hvp: self.hvp.clone(),
        })
    }
}

/// The Hessian at a point as an operator: argmin's `dot(v)` is one
/// Hessian-vector product there. The matrix is never formed.
#[derive(Clone)]
pub struct HessianAt<H> {
    x: Vec<f64>,
    hvp: H,
}

impl<H: Fn(&[f64], &[f64]) -> Vec<f64>> ArgminDot<Vec<f64>, Vec<f64>> for HessianAt<H> {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        (self.hvp)(&self.x, v)
    }
}
