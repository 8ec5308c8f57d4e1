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
/// let (dk, _dsteps): (&f64, &NoTangent) = (field_tangent(&0.5), field_tangent(&4usize));
/// assert_eq!(*dk, 0.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a `Differentiable` field nor an integer, `bool`, `char` or string",
    label = "a field of a parameter struct read by active code",
    note = "a differentiated function reads the fields of a `wrt(..)` struct that hold numbers; read configuration values of other types outside of arithmetic (in a condition, a `match`, an index or a loop bound)"
)]
pub trait FieldTangent: Clone {
    /// `Self`, or [`NoTangent`].
    type Tangent: ?Sized;
    /// `Self`, or `()` (nothing to add).
    type Cotangent;
    /// The tangent, given the field of the tangent struct.
    fn field_tangent(&self) -> &Self::Tangent;
    /// The tangent of a field whose value is a constant: a zero of its
    /// shape, or a copy of a configuration value.
    fn constant_tangent(&self) -> Self;
    /// The cotangent of the value a field was built from, given that field
    /// of a struct's cotangent: a copy, or `()` for a configuration value.
    fn field_cotangent(&self) -> Self::Cotangent;
    /// A zero cotangent for the field: a zero of its shape, or `()`.
    fn field_zero(&self) -> Self::Cotangent;
}

impl<T: Differentiable> FieldTangent for T {
    type Tangent = T;
    type Cotangent = T;
    #[inline]
    fn field_tangent(&self) -> &T {
        self
    }
    #[inline]
    fn constant_tangent(&self) -> T {
        self.zero_like()
    }
    #[inline]
    fn field_cotangent(&self) -> T {
        self.clone()
    }
    #[inline]
    fn field_zero(&self) -> T {
        self.zero_like()
    }
}

macro_rules! configuration {
    ($($t:ty),*) => {$(
        impl FieldTangent for $t {
            type Tangent = NoTangent;
            type Cotangent = ();
            #[inline]
            fn field_tangent(&self) -> &NoTangent {
                &NoTangent
            }
            #[inline]
            fn constant_tangent(&self) -> Self {
                self.clone()
            }
            #[inline]
            fn field_cotangent(&self) {}
            #[inline]
            fn field_zero(&self) {}
        }
    )*};
}
configuration!(
    usize, u8, u16, u32, u64, u128, isize, i8, i16, i32, i64, i128, bool, char, String, &str
);

/// See [`FieldTangent`].
#[inline]
pub fn field_tangent<T: FieldTangent>(x: &T) -> &T::Tangent {
    x.field_tangent()
}

/// A field read below a struct field (`p.cfg.eps`) has a tangent only when
/// every struct on the way (`p.cfg`) is `Differentiable`: a skipped field of
/// a type that is not (`#[ad(skip)] cfg: Config`) is cloned whole into
/// tangents, and its floats would be read as derivatives. Configuration
/// values (`p.cfg.steps`, [`NoTangent`]) may be read below any struct.
#[diagnostic::on_unimplemented(
    message = "a field of `{P}` is read as a number, but `{P}` does not derive `Differentiable`",
    label = "the tangent's copy of this field would be read as its derivative",
    note = "derive `ad::Differentiable` on `{P}` (and keep the field of type `{P}` `#[ad(skip)]` if it is configuration), or pass the value as a parameter left out of `wrt(..)`"
)]
pub trait Within<P: ?Sized> {}

impl<D: Differentiable, P: Differentiable> Within<P> for D {}

impl<P: ?Sized> Within<P> for NoTangent {}

/// The tangent `d` of a field read below the struct that `parent` returns
/// (never called: only its type is checked, see [`Within`]).
///
/// ```
/// use ad_runtime::{field_tangent, within};
///
/// let dp = (vec![0.5], 2usize);
/// assert_eq!(within(|| &dp.0, field_tangent(&dp.0[0])), &0.5);
/// ```
#[inline(always)]
pub fn within<'d, 'p, P: ?Sized + 'p, D: ?Sized + Within<P>>(
    _parent: impl FnOnce() -> &'p P,
    d: &'d D,
) -> &'d D {
    d
}

/// See [`FieldTangent::constant_tangent`].
///
/// ```
/// assert_eq!(ad_runtime::constant_tangent(&[1.5, 2.0]), [0.0, 0.0]);
/// assert_eq!(ad_runtime::constant_tangent(&7usize), 7);
/// ```
#[inline]
pub fn constant_tangent<T: FieldTangent>(x: &T) -> T {
    x.constant_tangent()
}

/// See [`FieldTangent::field_cotangent`].
#[inline]
pub fn field_cotangent<T: FieldTangent>(x: &T) -> T::Cotangent {
    x.field_cotangent()
}

/// See [`FieldTangent::field_zero`].
///
/// ```
/// assert_eq!(ad_runtime::field_zero(&[1.5, 2.0]), [0.0, 0.0]);
/// let () = ad_runtime::field_zero(&7usize);
/// ```
#[inline]
pub fn field_zero<T: FieldTangent>(x: &T) -> T::Cotangent {
    x.field_zero()
}

/// A tangent of a value for a field of type `T` of a tangent struct.
pub trait TangentField<T> {
    /// The owned tangent, given the field's value.
    fn tangent_field(&self, primal: &T) -> T;
}

impl<T: Differentiable> TangentField<T> for T {
    #[inline]
    fn tangent_field(&self, _: &T) -> T {
        self.clone()
    }
}

impl<T: FieldTangent<Tangent = NoTangent>> TangentField<T> for NoTangent {
    #[inline]
    fn tangent_field(&self, primal: &T) -> T {
        primal.clone()
    }
}

/// The tangent of a struct's field built from `primal`, given the value's
/// tangent `d`: `d` itself (owned), or for a configuration value (whose
/// tangent is [`NoTangent`]) a copy of the value, as tangent structs carry.
///
/// ```
/// use ad_runtime::{tangent_field, NoTangent};
///
/// assert_eq!(tangent_field(&2.0, &0.5), 0.5);
/// assert_eq!(tangent_field(&4usize, &NoTangent), 4);
/// ```
#[inline]
pub fn tangent_field<T, D: TangentField<T> + ?Sized>(primal: &T, d: &D) -> T {
    d.tangent_field(primal)
}

/// Moves a cotangent into a field of a struct's cotangent; `()` (a
/// configuration field's) moves nothing.
pub trait MoveInto<X: ?Sized> {
    /// `*x = self`, or nothing.
    fn move_into(self, x: &mut X);
}

impl<T: Differentiable> MoveInto<T> for T {
    #[inline]
    fn move_into(self, x: &mut T) {
        *x = self;
    }
}

impl<X: ?Sized> MoveInto<X> for () {
    #[inline]
    fn move_into(self, _: &mut X) {}
}

/// See [`MoveInto`].
///
/// ```
/// let (mut a, mut n) = (0.0, 3usize);
/// ad_runtime::move_into(&mut a, 1.5);
/// ad_runtime::move_into(&mut n, ());
/// assert_eq!((a, n), (1.5, 3));
/// ```
#[inline]
pub fn move_into<X: ?Sized, C: MoveInto<X>>(x: &mut X, c: C) {
    c.move_into(x);
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
