//! Whether a parameter's type holds floating-point values, for the check
//! that no parameter is silently inactive.
//!
//! The macro sees syntax: `m: Mat3` with `type Mat3 = [[f64; 3]; 3]` looks
//! like any other type, and would be inactive. For such a parameter (one the
//! macro leaves inactive when the function has no `wrt(...)`) the function's
//! body gets a check that fails to compile when the type holds floats, with
//! a message that names the parameter:
//!
//! ```ignore
//! {
//!     use ::ad::__rt::floats::{ProbeFloats as _, ProbeNone as _};
//!     #[diagnostic::on_unimplemented(message = "parameter `m` ...")]
//!     trait __AdInactive_m {}
//!     impl __AdInactive_m for ::ad::__rt::floats::NoFloats {}
//!     fn __ad_inactive_m<T: __AdInactive_m>(_: T) {}
//!     __ad_inactive_m((&&::ad::__rt::floats::Probe::<Mat3>::new()).floats());
//! }
//! ```
//!
//! `floats()` returns [`HasFloats`] when the type is [`Scan`] with floats
//! inside, and [`NoFloats`] otherwise (types the trait does not know: user
//! structs, closures, a generic `T`), by autoref: the first impl applies to
//! `&Probe<T>` and needs the bound, the fallback applies to `Probe<T>`.
//!
//! ```
//! use ad_runtime::floats::{HasFloats, NoFloats, Probe, ProbeFloats as _, ProbeNone as _};
//!
//! struct Config;
//! let _: HasFloats = (&&Probe::<[[f64; 3]; 3]>::new()).floats();
//! let _: HasFloats = (&&Probe::<&Option<Vec<f32>>>::new()).floats();
//! let _: HasFloats = (&&Probe::<(usize, f64)>::new()).floats();
//! let _: NoFloats = (&&Probe::<&[usize]>::new()).floats();
//! let _: NoFloats = (&&Probe::<Config>::new()).floats();
//! // A type parameter: its bounds do not say.
//! fn generic<T: ad_runtime::Real>() -> NoFloats {
//!     (&&Probe::<Vec<T>>::new()).floats()
//! }
//! ```

use core::marker::PhantomData;

/// The answer of [`Scan`]: [`Yes`] or [`No`].
pub trait Answer {
    /// `Self` or `B`.
    type Or<B: Answer>: Answer;
}

/// Floats inside.
pub struct Yes;

/// No floats inside.
pub struct No;

impl Answer for Yes {
    type Or<B: Answer> = Yes;
}

impl Answer for No {
    type Or<B: Answer> = B;
}

/// A std or nalgebra type the check knows: [`Floats`](Scan::Floats) says
/// whether it holds `f32` or `f64` values.
pub trait Scan {
    /// [`Yes`] or [`No`].
    type Floats: Answer;
}

macro_rules! scan {
    ($answer:ident: $($t:ty),*) => {$(
        impl Scan for $t {
            type Floats = $answer;
        }
    )*};
}
scan!(Yes: f32, f64);
scan!(No: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, str, String, ());

macro_rules! wrapper {
    ($($w:ident)::* $(, ?$unsized:ident)?) => {
        impl<T: Scan $(+ ?$unsized)?> Scan for $($w)::*<T> {
            type Floats = T::Floats;
        }
    };
}
wrapper!(Vec);
wrapper!(Option);
wrapper!(std::collections::VecDeque);
wrapper!(std::cell::Cell);
wrapper!(Box, ?Sized);
wrapper!(std::rc::Rc, ?Sized);
wrapper!(std::sync::Arc, ?Sized);
wrapper!(std::cell::RefCell, ?Sized);

impl<T: Scan + ?Sized> Scan for &T {
    type Floats = T::Floats;
}

impl<T: Scan + ?Sized> Scan for &mut T {
    type Floats = T::Floats;
}

impl<T: Scan> Scan for [T] {
    type Floats = T::Floats;
}

impl<T: Scan, const N: usize> Scan for [T; N] {
    type Floats = T::Floats;
}

macro_rules! tuple {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first: Scan $(, $rest: Scan)*> Scan for ($first, $($rest,)*) {
            type Floats = tuple!(@or $first::Floats $(, $rest)*);
        }
    };
    (@or $acc:ty) => { $acc };
    (@or $acc:ty, $next:ident $(, $rest:ident)*) => {
        tuple!(@or <$acc as Answer>::Or<$next::Floats> $(, $rest)*)
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);
tuple!(A, B, C, D, E, F, G);
tuple!(A, B, C, D, E, F, G, H);

/// nalgebra's vectors, matrices and views, of any storage.
impl<T: Scan, R, C, S> Scan for nalgebra::Matrix<T, R, C, S> {
    type Floats = T::Floats;
}

/// What the probe of a type with floats returns.
pub struct HasFloats;

/// What the probe of any other type returns.
pub struct NoFloats;

/// The probe of the type `T` (never built at run time).
pub struct Probe<T: ?Sized>(PhantomData<fn() -> *const T>);

impl<T: ?Sized> Probe<T> {
    /// The probe.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Probe(PhantomData)
    }
}

/// `(&&Probe::<T>::new()).floats()` is [`HasFloats`] for a `T` with floats.
pub trait ProbeFloats {
    /// [`HasFloats`].
    fn floats(&self) -> HasFloats {
        HasFloats
    }
}

impl<T: Scan<Floats = Yes> + ?Sized> ProbeFloats for &Probe<T> {}

/// The fallback: [`NoFloats`].
pub trait ProbeNone {
    /// [`NoFloats`].
    fn floats(&self) -> NoFloats {
        NoFloats
    }
}

impl<T: ?Sized> ProbeNone for Probe<T> {}
