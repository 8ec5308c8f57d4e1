//! `ad`: compile-time automatic differentiation by source transformation.
#![warn(missing_docs)]

pub use ad_macros::differentiate;
pub use ad_runtime::check;
pub use ad_runtime::Real;

/// Items used by generated code. Not part of the public API.
#[doc(hidden)]
pub mod __rt {
    pub use ad_runtime::*;
}
