//! Compile-time automatic differentiation for Rust, by source transformation.
//!
//! [`#[differentiate]`](macro@differentiate) on a plain Rust function writes
//! its forward mode (`f_jvp`), reverse mode (`f_vjp`, `f_grad`) and
//! Hessian-vector product (`f_hvp`) next to it, as ordinary Rust that rustc
//! optimises like the original: no tape, no graph, no interpreter at run
//! time, on stable Rust.
//!
//! ```
//! use ad::differentiate;
//!
//! // The lecture's graph f = (x + y) z.
//! #[differentiate]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! // At (-2, 5, -4): the value -12 and the gradient (z, z, x + y).
//! assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, -4.0, -4.0, 3.0));
//! // Forward mode along x: (value, df/dx).
//! assert_eq!(f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0), (-12.0, -4.0));
//! // Reverse mode for an output cotangent of 2.
//! assert_eq!(f_vjp(-2.0, 5.0, -4.0, 2.0), (-12.0, -8.0, -8.0, 6.0));
//! // Second order along x: the value, the gradient, and H e_x = (0, 0, 1).
//! let (.., hx, hy, hz) = f_hvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0);
//! assert_eq!((hx, hy, hz), (0.0, 0.0, 1.0));
//! ```
//!
//! It differentiates functions over `f32`/`f64`, arrays, slices, `Vec`s,
//! nalgebra vectors and matrices and parameter structs, with branches,
//! loops, early exits, calls of other differentiated functions and custom
//! rules, and says at compile time what it cannot differentiate.
//!
//! The [guide] explains it page by page, every example a doctest:
//! [the contract](guide::contract), [control flow and the memory
//! rule](guide::control_flow), [calls and custom rules](guide::calls),
//! [parameter structs](guide::structs), [nalgebra](guide::nalgebra),
//! [second order](guide::second_order), [checking
//! derivatives](guide::checking), [reading the generated
//! code](guide::generated_code) and [what is not
//! supported](guide::unsupported).
//!
//! Depend on this crate only: the macro (`ad-macros`) and its runtime
//! (`ad-runtime`) come with it, and generated code reaches the runtime
//! through a hidden path of this crate. The minimum supported Rust version
//! is 1.89 (what nalgebra 0.35 needs); CI builds with stable 1.95.
#![warn(missing_docs)]

// Lets `::ad::...` paths in generated code resolve inside this crate too.
extern crate self as ad;

/// `#[differentiate]`, `#[differentiate(wrt(a, b))]`,
/// `#[differentiate(dump)]`, `#[differentiate(joint)]`,
/// `#[differentiate(custom)]`, `#[differentiate(custom(second_order))]`:
/// see [the contract](guide::contract) for what it generates and the
/// [guide] for what it differentiates.
///
/// The options:
///
/// - `wrt(a, b, ...)`: differentiate with respect to these parameters only
///   (the others pass through, without tangents or cotangents);
/// - `dump`: print the generated functions to standard error at build time;
/// - `joint`: differentiated callers run this function's forward pass again
///   in their reverse pass instead of keeping its values (less memory, more
///   time);
/// - `custom`: `f` is a primitive whose `f_jvp` and `f_vjp` are written by
///   hand next to it; only the calling convention that lets differentiated
///   callers reach them is generated;
/// - `custom(second_order)`: as `custom`, and `f_vjp_jvp` (the forward
///   derivative of `f_vjp`) is hand-written too, for callers' `_hvp`.
///
/// ```
/// use ad::differentiate;
///
/// #[differentiate(wrt(x))]
/// fn scaled_exp(x: f64, scale: f64) -> f64 {
///     scale * x.exp()
/// }
///
/// // d/dx = scale e^x, d2/dx2 = scale e^x; `scale` is data.
/// assert_eq!(scaled_exp_grad(0.0, 3.0), (3.0, 3.0));
/// assert_eq!(scaled_exp_jvp(0.0, 2.0, 3.0), (3.0, 6.0));
/// assert_eq!(scaled_exp_vjp(0.0, 3.0, 0.5), (3.0, 1.5));
/// assert_eq!(scaled_exp_hvp(0.0, 1.0, 3.0), (3.0, 3.0, 3.0));
/// ```
pub use ad_macros::differentiate;
/// Derives [`Differentiable`](trait@Differentiable) for a parameter struct
/// (see [Parameter structs](guide::structs)).
pub use ad_macros::Differentiable;
pub use ad_runtime::check;
/// The binomial schedule behind `#[checkpoint]`, and its cost:
/// [`checkpoint::optimal_advances`]`(n, s)` steps computed again,
/// [`checkpoint::repetitions`]`(n, s)` runs of each step at most (see the
/// guide's [checkpointing page](crate::guide::checkpointing)).
pub use ad_runtime::checkpoint;
pub use ad_runtime::dense;
pub use ad_runtime::nn;
/// The num-traits version whose `Float` [`Real`] extends (generic code
/// written against num-traits can name it through here).
pub use ad_runtime::num_traits;
pub use ad_runtime::release_stack_buffers;
pub use ad_runtime::Differentiable;
pub use ad_runtime::Real;
pub use ad_runtime::RealRules;
/// The nalgebra version the rules are written for (use the same one).
pub use nalgebra;

pub mod guide;

#[cfg(feature = "argmin")]
pub mod argmin;

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Items used by generated code. Not part of the public API.
#[doc(hidden)]
pub mod __rt {
    pub use ad_runtime::*;
}
