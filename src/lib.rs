//! `ad`: compile-time automatic differentiation by source transformation.
//!
//! `#[differentiate]` keeps a function `f` and adds `f_jvp` (forward mode),
//! `f_vjp` (reverse mode) and `f_grad` (the gradient of a scalar output):
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! // The lecture's graph at (-2, 5, -4).
//! assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, -4.0, -4.0, 3.0));
//! // Forward mode along x: (value, df/dx).
//! assert_eq!(f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0), (-12.0, -4.0));
//! // Reverse mode for an output cotangent of 2.
//! assert_eq!(f_vjp(-2.0, 5.0, -4.0, 2.0), (-12.0, -8.0, -8.0, 6.0));
//! ```
//!
//! Parameters of type `f32`/`f64` are active (or exactly those named in
//! `#[differentiate(wrt(a, b))]`); others pass through unchanged. See the
//! README for the supported constructs and conventions, and [`check`] for
//! finite-difference checkers.
#![warn(missing_docs)]

// Lets `::ad::...` paths in generated code resolve inside this crate too.
extern crate self as ad;

pub use ad_macros::differentiate;
pub use ad_runtime::check;
pub use ad_runtime::dense;
pub use ad_runtime::nn;
pub use ad_runtime::Real;
/// The nalgebra version the rules are written for (use the same one).
pub use nalgebra;

/// Items used by generated code. Not part of the public API.
#[doc(hidden)]
pub mod __rt {
    pub use ad_runtime::*;
}
