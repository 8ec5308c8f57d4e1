//! Skipped fields (`#[ad(skip)]`) of parameter structs in generated code.
//!
//! A skipped field is configuration: a constant to the derivative, even
//! when it holds floats (a regularisation weight, a time step) read in
//! arithmetic. The macro on a function does not see which fields are
//! skipped; the derive does, and implements the hidden methods of
//! [`Differentiable`] that these functions call: a tangent whose struct has
//! skipped float fields is read through a copy with those fields zeroed
//! ([`without_config`]), whatever the caller put there, and a cotangent's
//! skipped fields are set back to the primal's ([`keep_config`]). For a
//! struct without skipped float fields both are no-ops the optimiser
//! removes (`__ad_has_config` is `false`): no copy is made.

use crate::Differentiable;
use std::borrow::Cow;
use std::marker::PhantomData;

/// A value whose tangents and cotangents may hold skipped fields: a
/// `Differentiable` value, or a slice of them.
pub trait Config: ToOwned {
    /// The tangent with the skipped fields zeroed: borrowed as it is when
    /// there are none.
    fn without_config(&self) -> Cow<'_, Self>;
    /// A cotangent with its skipped fields copied from the primal.
    fn keep_config(bar: Self::Owned, primal: &Self) -> Self::Owned;
}

impl<P: Differentiable> Config for P {
    #[inline]
    fn without_config(&self) -> Cow<'_, P> {
        if P::__ad_has_config() {
            let mut copy = self.clone();
            copy.__ad_zero_config();
            Cow::Owned(copy)
        } else {
            Cow::Borrowed(self)
        }
    }
    #[inline]
    fn keep_config(mut bar: P, primal: &P) -> P {
        if P::__ad_has_config() {
            bar.__ad_keep_config(primal);
        }
        bar
    }
}

impl<S: Differentiable> Config for [S] {
    #[inline]
    fn without_config(&self) -> Cow<'_, [S]> {
        if S::__ad_has_config() {
            let mut copy = self.to_vec();
            copy.iter_mut().for_each(S::__ad_zero_config);
            Cow::Owned(copy)
        } else {
            Cow::Borrowed(self)
        }
    }
    #[inline]
    fn keep_config(mut bar: Vec<S>, primal: &[S]) -> Vec<S> {
        if S::__ad_has_config() {
            for (b, p) in bar.iter_mut().zip(primal) {
                b.__ad_keep_config(p);
            }
        }
        bar
    }
}

/// The tangent of a borrowed parameter whose fields are read, with the
/// skipped fields zeroed (see [`Config`]).
///
/// ```
/// // A `Vec<f64>` has no skipped fields: borrowed as it is.
/// let dx = vec![1.0, 2.0];
/// assert!(matches!(ad_runtime::without_config(&dx), std::borrow::Cow::Borrowed(_)));
/// ```
#[inline]
pub fn without_config<P: Config + ?Sized>(d: &P) -> Cow<'_, P> {
    d.without_config()
}

/// [`without_config`] for a parameter taken by value: zeroed in place.
#[inline]
pub fn config_zeroed<P: Differentiable>(mut d: P) -> P {
    if P::__ad_has_config() {
        d.__ad_zero_config();
    }
    d
}

/// The cotangent of a parameter whose fields are read, with its skipped
/// fields copied from the primal (see [`Config`]).
#[inline]
pub fn keep_config<P: Config + ?Sized>(bar: P::Owned, primal: &P) -> P::Owned {
    P::keep_config(bar, primal)
}

/// Tells, in the derive's code, a skipped field of a `Differentiable` type
/// (whose floats are zeroed in tangents) from one of any other type (a
/// `String`, a `usize`: left alone), by method resolution: `(&&Probe::<F>::new())
/// .zeroer()` finds [`Floats::zeroer`] when `F: Differentiable`, else
/// [`NoFloats::zeroer`].
pub struct Probe<F: ?Sized>(PhantomData<fn(&F)>);

impl<F: ?Sized> Probe<F> {
    #[inline]
    /// The probe.
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

impl<F: ?Sized> Default for Probe<F> {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

/// See [`Probe`]: a skipped field of a `Differentiable` type.
pub trait Floats<F> {
    /// Zeroes every float of the field.
    fn zeroer(&self) -> Option<fn(&mut F)>;
    /// Copies the primal's field.
    fn keeper(&self) -> Option<fn(&mut F, &F)>;
}

impl<F: Differentiable> Floats<F> for &Probe<F> {
    #[inline]
    fn zeroer(&self) -> Option<fn(&mut F)> {
        Some(|f| {
            f.apply_scalars(|_| <F::Scalar as crate::Real>::ZERO);
            f.__ad_zero_config();
        })
    }
    #[inline]
    fn keeper(&self) -> Option<fn(&mut F, &F)> {
        Some(|f, p| f.clone_from(p))
    }
}

/// See [`Probe`]: a skipped field of another type.
pub trait NoFloats<F> {
    /// None.
    fn zeroer(&self) -> Option<fn(&mut F)>;
    /// None.
    fn keeper(&self) -> Option<fn(&mut F, &F)>;
}

impl<F> NoFloats<F> for Probe<F> {
    #[inline]
    fn zeroer(&self) -> Option<fn(&mut F)> {
        None
    }
    #[inline]
    fn keeper(&self) -> Option<fn(&mut F, &F)> {
        None
    }
}
