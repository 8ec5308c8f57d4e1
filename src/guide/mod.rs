//! The guide: how to use `ad`, one page per topic. Every example on these
//! pages is a doctest, compiled and run by `cargo test`.
//!
//! 1. [The contract](contract): what `#[differentiate]` generates
//!    (`f_jvp`, `f_vjp`, `f_grad`, `f_hvp`, `f_vjp_many`), which inputs are
//!    active, arrays, vector outputs and in/out buffers, the conventions
//!    at non-differentiable points.
//! 2. [Control flow, arrays and the memory rule](control_flow): what a
//!    differentiated body may contain, and what reverse mode records.
//!    [Iterators, closures and `for` over containers](iteration), and
//!    [long loops in bounded memory with `#[checkpoint]`](checkpointing).
//! 3. [Calls, helpers and custom rules](calls): calling differentiated
//!    functions, split and joint mode, hand-written rules, methods and
//!    functions generic over the float type.
//! 4. [Parameter structs](structs): `#[derive(ad::Differentiable)]`,
//!    `wrt(p)` and `wrt(self)`, struct results, optimisers written once.
//! 5. [nalgebra]: vectors, matrices, `ad::nn`.
//! 6. [Second order](second_order): Hessian-vector products, dense
//!    Hessians and Jacobians, Newton's method without the Hessian.
//! 7. [Checking derivatives](checking): `ad::check` against finite
//!    differences.
//! 8. [Reading the generated code](generated_code): `#[differentiate(dump)]`
//!    and what reverse mode looks like.
//! 9. [What is not supported](unsupported), and what to write instead.
//!
//! The repository's `examples/` are longer programs: `mlp` (a network
//! trained with Adam on a parameter struct), `logistic`, `svm`,
//! `newton_cg`, `ode_rk4`, `sigmoid_primitive`, ADBench's `gmm`, `ba` and
//! `lstm`, `argmin` (L-BFGS and Newton-type solvers of the argmin crate on
//! generated derivatives) and `rayon_batch` (a batch gradient on all
//! cores).

#[doc = include_str!("contract.md")]
pub mod contract {}

#[doc = include_str!("control_flow.md")]
pub mod control_flow {}

#[doc = include_str!("iteration.md")]
pub mod iteration {}

#[doc = include_str!("checkpointing.md")]
pub mod checkpointing {}

#[doc = include_str!("calls.md")]
pub mod calls {}

#[doc = include_str!("structs.md")]
pub mod structs {}

#[doc = include_str!("nalgebra.md")]
pub mod nalgebra {}

#[doc = include_str!("second_order.md")]
pub mod second_order {}

#[doc = include_str!("checking.md")]
pub mod checking {}

#[doc = include_str!("generated_code.md")]
pub mod generated_code {}

#[doc = include_str!("unsupported.md")]
pub mod unsupported {}
