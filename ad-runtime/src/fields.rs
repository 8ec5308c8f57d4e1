//! Fields of parameter structs in generated code.
//!
//! A function differentiated with respect to a struct `p` (`wrt(p)`, its
//! type deriving [`Differentiable`]) reads its fields by name, and the macro
//! does not see their types. A field that holds numbers has a tangent, the
//! same field of the tangent struct; a configuration field (`#[ad(skip)]`,
//! an integer or a flag) has none, though the tangent struct carries a copy
//! of it. [`field_tangent`] tells the two apart by type, so that a copy of
//! a configuration value is never taken for a derivative: code that would
//! differentiate through one does not compile. A configuration count is
//! read as a number with [`count_as`] (`p.steps as f64`).

use crate::call::NoTangent;
use crate::real::Real;
use crate::Differentiable;

/// The tangent of a field of a parameter struct, given that field of the
/// tangent struct: the field itself when it holds numbers, [`NoTangent`]
/// for a configuration value.
///
/// ```
/// use ad_runtime::{field_tangent, NoTangent};
///
/// let (dk, dsteps): (&f64, &NoTangent) = (field_tangent(&0.5), field_tangent(&4usize));
/// assert_eq!((*dk, dsteps), (0.5, &NoTangent));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a `Differentiable` field nor an integer, `bool`, `char` or string",
    label = "a field of a parameter struct read by active code",
    note = "a differentiated function reads the fields of a `wrt(..)` struct that hold numbers; read configuration values of other types outside of arithmetic (in a condition, a `match`, an index or a loop bound)"
)]
pub trait FieldTangent {
    /// `Self`, or [`NoTangent`].
    type Tangent: ?Sized;
    /// The tangent, given the field of the tangent struct.
    fn field_tangent(&self) -> &Self::Tangent;
}

impl<T: Differentiable> FieldTangent for T {
    type Tangent = T;
    #[inline]
    fn field_tangent(&self) -> &T {
        self
    }
}

macro_rules! configuration {
    ($($t:ty),*) => {$(
        impl FieldTangent for $t {
            type Tangent = NoTangent;
            #[inline]
            fn field_tangent(&self) -> &NoTangent {
                &NoTangent
            }
        }
    )*};
}
configuration!(
    usize, u8, u16, u32, u64, u128, isize, i8, i16, i32, i64, i128, bool, char, String, str, &str
);

/// See [`FieldTangent`].
#[inline]
pub fn field_tangent<T: FieldTangent + ?Sized>(x: &T) -> &T::Tangent {
    x.field_tangent()
}

/// An integer that configuration may count with (`p.steps as f64`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an integer: a cast of a field of a parameter struct reads a configuration count",
    label = "cast of a field that is not an integer",
    note = "read a float field as it is (`p.k`, not `p.k as f64`): its derivative flows through it"
)]
pub trait Count: Copy {
    /// The count as a float.
    fn to_f64(self) -> f64;
}

macro_rules! count {
    ($($t:ty),*) => {$(
        impl Count for $t {
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
count!(usize, u8, u16, u32, u64, isize, i8, i16, i32, i64);

/// `n as R` for an integer field `n` of a parameter struct: a constant.
///
/// ```
/// assert_eq!(ad_runtime::count_as::<f32, _>(&3usize), 3.0f32);
/// ```
#[inline]
pub fn count_as<R: Real, I: Count>(n: &I) -> R {
    R::from_f64(n.to_f64())
}
