//! The calling convention between differentiated functions.
//!
//! The macro sees only the call `g(a, n, b)`, not `g`'s signature, so it does
//! not know which of `g`'s parameters are active. Every differentiated `g`
//! therefore also gets hidden wrappers with a uniform convention:
//!
//! * forward: a tangent after *every* argument. The caller passes its
//!   tangent for an active argument and [`NoTangent`] for an inactive one;
//!   the wrapper turns each into what `g_jvp` takes ([`TangentFor`]) and
//!   drops those of `g`'s inactive parameters;
//! * reverse: a cotangent for every parameter, `()` for inactive ones; the
//!   caller adds each into its argument's adjoint with [`accumulate`], where
//!   `()` adds nothing.

/// The tangent of an argument the caller does not differentiate: zero.
///
/// ```
/// use ad_runtime::{tangent_for, NoTangent};
///
/// assert_eq!(tangent_for(NoTangent, &2.5f64), 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTangent;

/// What can be passed as the tangent of a parameter of type `P`.
///
/// ```
/// use ad_runtime::{NoTangent, TangentFor};
///
/// // The caller's tangent of an active argument, as it is.
/// assert_eq!(0.5f64.tangent_for(&3.0), 0.5);
/// // An inactive argument of the caller: a zero of the parameter's type.
/// assert_eq!(TangentFor::<f32>::tangent_for(NoTangent, &3.0f32), 0.0f32);
/// ```
pub trait TangentFor<P> {
    /// `true` for [`NoTangent`]: the tangent is zero, known at compile time
    /// (named apart from `Real::ZERO`, which `T: Real` also reaches here).
    #[doc(hidden)]
    const __AD_NO_TANGENT: bool = false;
    /// The tangent `g_jvp` takes.
    fn tangent_for(self, primal: &P) -> P;
}

macro_rules! scalar_tangent {
    ($($t:ty),*) => {$(
        impl TangentFor<$t> for $t {
            #[inline]
            fn tangent_for(self, _: &$t) -> $t {
                self
            }
        }
    )*};
}
scalar_tangent!(f32, f64);

impl<T: crate::Real> TangentFor<T> for NoTangent {
    const __AD_NO_TANGENT: bool = true;
    #[inline]
    fn tangent_for(self, _: &T) -> T {
        T::ZERO
    }
}

/// A tangent of exactly the parameter's type: how `f_jvp` hands its
/// tangents to the hidden wrapper that holds the derivative's body, for any
/// parameter type (a `T: Real`, a parameter struct, a borrowed matrix).
///
/// ```
/// use ad_runtime::{tangent_for, tangent_ref, Given};
/// use std::borrow::Borrow;
///
/// assert_eq!(tangent_for(Given(0.5f64), &3.0), 0.5);
/// let dx = [1.0f64, 2.0];
/// let t = tangent_ref::<[f64], _>(Given(&dx[..]), &[0.0, 0.0][..]);
/// assert_eq!(Borrow::<[f64]>::borrow(&t), &[1.0, 2.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Given<T>(pub T);

impl<P> TangentFor<P> for Given<P> {
    #[inline]
    fn tangent_for(self, _: &P) -> P {
        self.0
    }
}

impl<'a, P: ?Sized> TangentRef<P> for Given<&'a P> {
    type Out = &'a P;
    #[inline]
    fn tangent_ref(self, _: &P) -> &'a P {
        self.0
    }
}

/// What a caller may pass as the tangent of a parameter the callee leaves
/// out of `wrt(...)`: only [`NoTangent`]. A caller whose argument depends on
/// its active inputs would pass its tangent, and the callee would drop it (a
/// silently wrong derivative): that is a compile error instead.
///
/// ```
/// use ad_runtime::{Inactive, NoTangent};
///
/// fn inactive<T: Inactive>(_: T) {}
/// inactive(NoTangent);
/// ```
///
/// ```compile_fail
/// fn inactive<T: ad_runtime::Inactive>(_: T) {}
/// inactive(0.5f64); // an active argument's tangent
/// ```
#[diagnostic::on_unimplemented(
    message = "an argument that depends on the active inputs is passed to a parameter the called \
               function leaves out of `wrt(...)`: its derivative would be lost",
    label = "this call's function is differentiated with `wrt(...)` leaving out the parameter",
    note = "add the parameter to the called function's `#[differentiate(wrt(...))]`, or remove \
            `wrt(...)` there to differentiate with respect to every parameter"
)]
pub trait Inactive {}

impl Inactive for NoTangent {}

/// A field of a `#[derive(Differentiable)]` struct as the derive marks it
/// (hidden methods `__ad_field_<name>`): an active field.
#[derive(Clone, Copy, Debug)]
pub struct KeptField;

/// A field marked `#[ad(skip)]`: configuration, constant to the derivative.
#[derive(Clone, Copy, Debug)]
pub struct SkippedField;

/// The tangent a caller passes for a field of a parameter struct given to a
/// differentiated function (`g(&p.scale, p.a)`): the field of the tangent
/// struct for an active field, [`NoTangent`] for a skipped one, so that a
/// configuration field may go to a parameter the callee leaves out of
/// `wrt(...)` (the macro on the caller does not see `#[ad(skip)]`).
///
/// ```
/// use ad_runtime::call::{field_arg, KeptField, SkippedField};
/// use ad_runtime::{Inactive, NoTangent};
///
/// fn inactive<T: Inactive>(_: T) {}
/// assert_eq!(field_arg(&KeptField, 0.5f64), 0.5);
/// inactive(field_arg(&SkippedField, &0.0f64));
/// ```
pub trait FieldKind<D> {
    /// The tangent passed on.
    type Out;
    /// The tangent passed on for the field's tangent `d`.
    fn field_arg(d: D) -> Self::Out;
}

impl<D> FieldKind<D> for KeptField {
    type Out = D;
    #[inline]
    fn field_arg(d: D) -> D {
        d
    }
}

impl<D> FieldKind<D> for SkippedField {
    type Out = NoTangent;
    #[inline]
    fn field_arg(_: D) -> NoTangent {
        NoTangent
    }
}

/// See [`FieldKind`].
#[inline]
pub fn field_arg<K: FieldKind<D>, D>(_kind: &K, d: D) -> K::Out {
    K::field_arg(d)
}

/// Arrays by value: a caller's `[T; N]` or `Vec<T>` tangent as it is.
impl<T: crate::Real, const N: usize> TangentFor<[T; N]> for [T; N] {
    #[inline]
    fn tangent_for(self, _: &[T; N]) -> [T; N] {
        self
    }
}

impl<T: crate::Real, const N: usize> TangentFor<[T; N]> for NoTangent {
    #[inline]
    fn tangent_for(self, _: &[T; N]) -> [T; N] {
        [T::ZERO; N]
    }
}

impl<T: crate::Real> TangentFor<Vec<T>> for Vec<T> {
    #[inline]
    fn tangent_for(self, _: &Vec<T>) -> Vec<T> {
        self
    }
}

impl<T: crate::Real> TangentFor<Vec<T>> for NoTangent {
    #[inline]
    fn tangent_for(self, primal: &Vec<T>) -> Vec<T> {
        vec![T::ZERO; primal.len()]
    }
}

/// Tuples (the output cotangent of a function with a tuple result, in
/// second order): member by member.
macro_rules! tuple_calls {
    ($(($($t:ident $p:ident $i:tt),*)),*) => {$(
        impl<$($t: TangentFor<$p>, $p),*> TangentFor<($($p,)*)> for ($($t,)*) {
            #[inline]
            fn tangent_for(self, primal: &($($p,)*)) -> ($($p,)*) {
                ($(self.$i.tangent_for(&primal.$i),)*)
            }
        }

        impl<$($p),*> TangentFor<($($p,)*)> for NoTangent
        where
            $(NoTangent: TangentFor<$p>,)*
        {
            #[inline]
            fn tangent_for(self, primal: &($($p,)*)) -> ($($p,)*) {
                ($(NoTangent.tangent_for(&primal.$i),)*)
            }
        }

        impl<$($t: AddTo<$p>, $p),*> AddTo<($($p,)*)> for ($($t,)*) {
            #[inline]
            fn add_to(self, x: &mut ($($p,)*)) {
                $(self.$i.add_to(&mut x.$i);)*
            }
            #[inline]
            fn start(self, zero: ($($p,)*)) -> ($($p,)*) {
                ($(self.$i.start(zero.$i),)*)
            }
        }
    )*};
}
tuple_calls!(
    (A PA 0, B PB 1),
    (A PA 0, B PB 1, C PC 2),
    (A PA 0, B PB 1, C PC 2, D PD 3)
);

/// What can be passed as the tangent of a borrowed parameter `&P`: a
/// borrow of the caller's tangent (`&dx[a..b]` for `&x[a..b]`, `&dv` for
/// `&v`), kept as it is, or [`NoTangent`], a zero of the primal's shape that
/// the wrapper owns. The wrapper borrows the result as `&P`.
///
/// ```
/// use ad_runtime::{tangent_ref, NoTangent};
/// use std::borrow::Borrow;
///
/// let x = [1.0f64, 2.0, 3.0];
/// let dx = vec![0.5, 0.0, 1.0];
/// // The caller's tangent of a sub-slice.
/// let t = tangent_ref::<[f64], _>(&dx[1..], &x[1..]);
/// assert_eq!(Borrow::<[f64]>::borrow(&t), &[0.0, 1.0]);
/// // An inactive argument: zeros.
/// let z = tangent_ref::<[f64], _>(NoTangent, &x[..]);
/// assert_eq!(Borrow::<[f64]>::borrow(&z), &[0.0; 3]);
/// ```
pub trait TangentRef<P: ?Sized> {
    /// The tangent, owned or borrowed.
    type Out: core::borrow::Borrow<P>;
    /// The tangent `g_jvp` borrows.
    fn tangent_ref(self, primal: &P) -> Self::Out;
}

impl<'a, T: crate::Real> TangentRef<[T]> for &'a [T] {
    type Out = &'a [T];
    #[inline]
    fn tangent_ref(self, _: &[T]) -> &'a [T] {
        self
    }
}

impl<'a, T: crate::Real> TangentRef<[T]> for &'a Vec<T> {
    type Out = &'a [T];
    #[inline]
    fn tangent_ref(self, _: &[T]) -> &'a [T] {
        self
    }
}

impl<'a, T: crate::Real, const N: usize> TangentRef<[T]> for &'a [T; N] {
    type Out = &'a [T];
    #[inline]
    fn tangent_ref(self, _: &[T]) -> &'a [T] {
        self
    }
}

impl<T: crate::Real> TangentRef<[T]> for NoTangent {
    type Out = Vec<T>;
    #[inline]
    fn tangent_ref(self, primal: &[T]) -> Vec<T> {
        vec![T::ZERO; primal.len()]
    }
}

impl<'a, T: crate::Real> TangentRef<Vec<T>> for &'a Vec<T> {
    type Out = &'a Vec<T>;
    #[inline]
    fn tangent_ref(self, _: &Vec<T>) -> &'a Vec<T> {
        self
    }
}

impl<T: crate::Real> TangentRef<Vec<T>> for NoTangent {
    type Out = Vec<T>;
    #[inline]
    fn tangent_ref(self, primal: &Vec<T>) -> Vec<T> {
        vec![T::ZERO; primal.len()]
    }
}

impl<'a, T: crate::Real, const N: usize> TangentRef<[T; N]> for &'a [T; N] {
    type Out = &'a [T; N];
    #[inline]
    fn tangent_ref(self, _: &[T; N]) -> &'a [T; N] {
        self
    }
}

impl<T: crate::Real, const N: usize> TangentRef<[T; N]> for NoTangent {
    type Out = [T; N];
    #[inline]
    fn tangent_ref(self, _: &[T; N]) -> [T; N] {
        [T::ZERO; N]
    }
}

/// Converts a caller's tangent (or [`NoTangent`]) for a borrowed parameter
/// `&P` (see [`TangentRef`]).
#[inline]
pub fn tangent_ref<P: ?Sized, T: TangentRef<P>>(t: T, primal: &P) -> T::Out {
    t.tangent_ref(primal)
}

/// Converts a caller's tangent (or [`NoTangent`]) for a parameter.
///
/// ```
/// use ad_runtime::{tangent_for, NoTangent};
///
/// assert_eq!(tangent_for(0.5f64, &3.0f64), 0.5);
/// assert_eq!(tangent_for(NoTangent, &3.0f64), 0.0);
/// ```
#[inline]
pub fn tangent_for<P, T: TangentFor<P>>(t: T, primal: &P) -> P {
    t.tangent_for(primal)
}

/// The tangent of an output cotangent, `None` for [`NoTangent`] (known at
/// compile time): what [`seeded`] takes.
///
/// ```
/// use ad_runtime::{seed_tangent, NoTangent};
///
/// assert_eq!(seed_tangent(0.5f64, &2.0), Some(0.5));
/// assert_eq!(seed_tangent(NoTangent, &2.0f64), None);
/// ```
#[inline]
pub fn seed_tangent<R, S: TangentFor<R>>(ds: S, s: &R) -> Option<R> {
    match S::__AD_NO_TANGENT {
        true => None,
        false => Some(ds.tangent_for(s)),
    }
}

/// The cotangent `g` and its tangent `hv` of a parameter for the output
/// cotangent `s` with the tangent `ds`, from the same at `s = 1`, `ds = 0`
/// (what `f_hvp` computes): reverse mode is linear in the output
/// cotangent, so they are `s g` and `s hv + ds g`. `__ad_vjpjvp_f` is this
/// over `f_hvp`'s body; a `ds` of `None` adds nothing, and an `s` of one
/// folds.
///
/// ```
/// use ad_runtime::seeded;
///
/// assert_eq!(seeded(2.0f64, Some(0.5), 3.0f64, 4.0f64), (6.0, 9.5));
/// assert_eq!(seeded(2.0f64, None, vec![3.0f64], vec![4.0]), (vec![6.0], vec![8.0]));
/// ```
#[inline]
pub fn seeded<R: crate::Real, C: crate::Differentiable>(
    s: R,
    ds: Option<R>,
    mut g: C,
    mut hv: C,
) -> (C, C) {
    // (The same type, or a parameter of the other precision than the
    // result: `fn f(x: f32, y: f64) -> f32`.)
    let scalar = |r: R| <C::Scalar as crate::Real>::from_f64(r.to_f64());
    hv.scale_mut(scalar(s));
    if let Some(ds) = ds {
        hv.axpy(scalar(ds), &g);
    }
    g.scale_mut(scalar(s));
    (g, hv)
}

/// A cotangent that can be added into an adjoint of type `X`.
///
/// ```
/// use ad_runtime::AddTo;
///
/// let mut x_bar = 1.0f64;
/// 0.5f64.add_to(&mut x_bar);
/// ().add_to(&mut x_bar); // the cotangent of an inactive parameter
/// assert_eq!(x_bar, 1.5);
/// ```
pub trait AddTo<X: ?Sized> {
    /// `*x += self`.
    fn add_to(self, x: &mut X);

    /// `zero + self`, the first value of an adjoint: a number is its own
    /// cotangent (`0.0 + c`, which is not `c` for `c = -0.0`, is an `addsd`
    /// the compiler keeps).
    #[inline]
    fn start(self, mut zero: X) -> X
    where
        X: Sized,
        Self: Sized,
    {
        self.add_to(&mut zero);
        zero
    }
}

macro_rules! scalar_add {
    ($($t:ty),*) => {$(
        impl AddTo<$t> for $t {
            #[inline]
            fn add_to(self, x: &mut $t) {
                *x += self;
            }
            #[inline]
            fn start(self, _: $t) -> $t {
                self
            }
        }
    )*};
}
scalar_add!(f32, f64);

/// The cotangent of an array parameter, added into the caller's adjoint of
/// what it passed: a `Vec`, an array, or a sub-slice `&mut x_bar[a..b]`.
///
/// ```
/// use ad_runtime::accumulate;
///
/// let mut x_bar = vec![1.0f64; 4];
/// accumulate(&mut x_bar[1..3], vec![0.5, 2.0]);
/// assert_eq!(x_bar, [1.0, 1.5, 3.0, 1.0]);
/// let mut a_bar = [0.0f64; 2];
/// accumulate(&mut a_bar, [1.0, 2.0]);
/// assert_eq!(a_bar, [1.0, 2.0]);
/// ```
impl<T: crate::Real, X: AsMut<[T]> + ?Sized> AddTo<X> for Vec<T> {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_slice(&self, x.as_mut());
    }
}

impl<T: crate::Real, X: AsMut<[T]> + ?Sized, const N: usize> AddTo<X> for [T; N] {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_slice(&self, x.as_mut());
    }
}

/// A borrowed cotangent of an array (`accumulate(&mut v_bar, &w_bar)` for
/// the copy `let w = v.clone();`), added without being consumed.
impl<T: crate::Real, X: AsMut<[T]> + ?Sized> AddTo<X> for &Vec<T> {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_slice(self, x.as_mut());
    }
}

impl<T: crate::Real, X: AsMut<[T]> + ?Sized> AddTo<X> for &[T] {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_slice(self, x.as_mut());
    }
}

impl<T: crate::Real, X: AsMut<[T]> + ?Sized, const N: usize> AddTo<X> for &[T; N] {
    #[inline]
    fn add_to(self, x: &mut X) {
        add_slice(self, x.as_mut());
    }
}

fn add_slice<T: crate::Real>(c: &[T], x: &mut [T]) {
    assert_eq!(
        c.len(),
        x.len(),
        "a cotangent of length {} added into an array of length {}",
        c.len(),
        x.len()
    );
    for (x, c) in x.iter_mut().zip(c) {
        *x += *c;
    }
}

/// The cotangent of a parameter the callee does not differentiate.
impl<X: ?Sized> AddTo<X> for () {
    #[inline]
    fn add_to(self, _: &mut X) {}
}

/// A cotangent a pullback may have added into its caller's destination
/// already (`None`; see [`mod@crate::dest`]).
impl<X: ?Sized, C: AddTo<X>> AddTo<X> for Option<C> {
    #[inline]
    fn add_to(self, x: &mut X) {
        if let Some(c) = self {
            c.add_to(x);
        }
    }
    #[inline]
    fn start(self, zero: X) -> X
    where
        X: Sized,
    {
        match self {
            Some(c) => c.start(zero),
            None => zero,
        }
    }
}

/// `*x += c`, where `c` may be `()` (nothing to add).
///
/// ```
/// let mut x_bar = 1.0f64;
/// ad_runtime::accumulate(&mut x_bar, 2.0f64);
/// ad_runtime::accumulate(&mut x_bar, ());
/// assert_eq!(x_bar, 3.0);
/// ```
#[inline]
pub fn accumulate<X: ?Sized, C: AddTo<X>>(x: &mut X, c: C) {
    c.add_to(x);
}

/// An adjoint whose first contribution is a callee's cotangent `c`:
/// `let x_bar = start(zero, c);` is `let mut x_bar = zero;
/// accumulate(&mut x_bar, c);`, without the addition for a number. The
/// zero comes first: it gives the adjoint its type (a cotangent of another
/// type is an error at the call, not a new type for the adjoint).
///
/// ```
/// assert_eq!(ad_runtime::start(0.0, -0.0f64).to_bits(), (-0.0f64).to_bits());
/// assert_eq!(ad_runtime::start(0.0f64, ()), 0.0);
/// assert_eq!(ad_runtime::start(0.0, Some(2.0f64)), 2.0);
/// assert_eq!(ad_runtime::start(vec![0.0; 2], None::<Vec<f64>>), [0.0, 0.0]);
/// assert_eq!(ad_runtime::start(vec![0.0; 2], vec![1.0, 2.0]), [1.0, 2.0]);
/// // A tuple, member by member.
/// let (a, b) = ad_runtime::start((0.0, 1.0f64), (-0.0f64, ()));
/// assert_eq!((a.to_bits(), b), ((-0.0f64).to_bits(), 1.0));
/// ```
#[inline]
pub fn start<X, C: AddTo<X>>(zero: X, c: C) -> X {
    c.start(zero)
}

/// A differentiated function's hidden marker (`__ad_has_g`) and a
/// differentiated caller's (`__ad_site_f_..`) have this type, found through
/// the caller's module.
///
/// ```
/// use ad_runtime::call::{Found, NotFound};
///
/// // Only the markers' types matter: a trait picks on the pair (caller's marker,
/// // callee's marker), as in the check the macro generates.
/// trait Callable {}
/// impl Callable for (Found, Found) {}
/// impl<H> Callable for (NotFound, H) {}
/// fn check<T: Callable>(_: T) {}
/// check((Found, Found)); // a caller at module level calls a differentiated function
/// assert_eq!(core::mem::size_of::<Found>(), 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Found;

/// The type of the fallbacks for those markers, when the module has none:
/// with a caller at module level, a call to `g` whose marker is not found
/// is a call to a function without derivatives, and the caller's hidden
/// check turns it into an error that says so (see `ad-macros`'
/// `callcheck.rs`).
///
/// ```
/// use ad_runtime::call::{Found, NotFound};
///
/// // A caller whose marker is not found (inside a block) checks nothing.
/// trait Callable {}
/// impl<H> Callable for (NotFound, H) {}
/// fn check<T: Callable>(_: T) {}
/// check((NotFound, Found));
/// check((NotFound, NotFound));
/// assert_eq!(core::mem::size_of::<NotFound>(), 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct NotFound;

/// In a differentiated function's hidden marker of its parameters
/// (`__ad_params_g`, a tuple with one member per parameter): an in/out
/// buffer (`&mut [f64]`). A caller that passes its own buffer on bare
/// (`g(u)`, taken for an in/out buffer) checks that the parameter is one.
///
/// ```
/// use ad_runtime::call::{Buffer, NotBuffer};
///
/// // `fn g(a: &[f64], out: &mut [f64])`: a buffer passed second only.
/// trait Second {}
/// impl<A> Second for (A, Buffer) {}
/// fn check<T: Second>(_: T) {}
/// check((NotBuffer, Buffer));
/// assert_eq!(core::mem::size_of::<Buffer>(), 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Buffer;

/// The marker of a differentiated method that names its receiver in
/// `wrt(..)` (`__ad_wrt_self_m`, next to its `__ad_has_m`): its callers
/// pass the receiver's tangent and take its cotangent, so a caller whose
/// receiver is a constant is told so at the call (and conversely, see
/// [`InactiveSelf`]).
#[derive(Clone, Copy, Debug)]
pub struct ActiveSelf;

/// The marker of a differentiated method whose receiver is a constant (not
/// in `wrt(..)`), see [`ActiveSelf`].
#[derive(Clone, Copy, Debug)]
pub struct InactiveSelf;

/// In the marker of a function's parameters: any parameter but an in/out
/// buffer (see [`Buffer`]).
#[derive(Clone, Copy, Debug)]
pub struct NotBuffer;

/// The rule of a caller's check of a buffer it passes on bare, or lends with
/// `&mut`, to the parameter at position `K` of a function (`callcheck.rs`
/// in `ad-macros`): on `(caller's marker, callee's marker, callee's marker
/// of its parameters)`, the parameter is an in/out buffer, or the caller is
/// not at module level (nothing is checked), or the callee has no
/// derivatives (reported by the check of the call). The caller's trait
/// with its message is implemented for every type that has this one, so
/// that these impls are written once here instead of at every loan.
///
/// ```
/// use ad_runtime::call::{Buffer, Found, LentAt, NotBuffer, NotFound};
///
/// fn check<T: LentAt<1>>(_: T) {}
/// check((Found, Found, (NotBuffer, Buffer)));
/// check((NotFound, Found, (Buffer, NotBuffer)));
/// check((Found, NotFound, NotFound));
/// ```
///
/// ```compile_fail
/// use ad_runtime::call::{Buffer, Found, LentAt, NotBuffer};
///
/// fn check<T: LentAt<0>>(_: T) {}
/// check((Found, Found, (NotBuffer, Buffer)));
/// ```
pub trait LentAt<const K: usize> {}

/// The rule of the same check for a method (`s.m(.., u, ..)`): on
/// `(callee's marker, callee's marker of its parameters)`, the parameter
/// at position `K` is an in/out buffer, or the method has no derivatives
/// (reported by the check of the call).
///
/// ```
/// use ad_runtime::call::{Buffer, Found, MethodLentAt, NotBuffer, NotFound};
///
/// fn check<T: MethodLentAt<0>>(_: T) {}
/// check((Found, (Buffer, NotBuffer)));
/// check((NotFound, NotFound));
/// ```
pub trait MethodLentAt<const K: usize> {}

impl<const K: usize, H, P> LentAt<K> for (NotFound, H, P) {}
impl<const K: usize> LentAt<K> for (Found, NotFound, NotFound) {}
impl<const K: usize> MethodLentAt<K> for (NotFound, NotFound) {}

/// The impls of both rules for a buffer at the position after the
/// parameters `$b`, before the parameters `$a`.
macro_rules! lent_at {
    ([$($b:ident)*] [$($a:ident)*]) => {
        impl<H, $($b,)* $($a,)*> LentAt<{ 0 $(+ lent_at!(@one $b))* }>
            for (Found, H, ($($b,)* Buffer, $($a,)*)) {}
        impl<H, $($b,)* $($a,)*> MethodLentAt<{ 0 $(+ lent_at!(@one $b))* }>
            for (H, ($($b,)* Buffer, $($a,)*)) {}
    };
    (@one $b:ident) => { 1 };
}

/// Every position of a function of the parameters `$b $a` and one more.
macro_rules! lent_arity {
    ([$($b:ident)*] []) => {
        lent_at!([$($b)*] []);
    };
    ([$($b:ident)*] [$h:ident $($a:ident)*]) => {
        lent_at!([$($b)*] [$h $($a)*]);
        lent_arity!([$($b)* $h] [$($a)*]);
    };
}

// Up to 12 arguments (`LENT_ARITY` in `ad-macros`' `callcheck.rs`, which
// writes the impls at the loan beyond).
lent_arity!([] []);
lent_arity!([][P1]);
lent_arity!([] [P1 P2]);
lent_arity!([] [P1 P2 P3]);
lent_arity!([] [P1 P2 P3 P4]);
lent_arity!([] [P1 P2 P3 P4 P5]);
lent_arity!([] [P1 P2 P3 P4 P5 P6]);
lent_arity!([] [P1 P2 P3 P4 P5 P6 P7]);
lent_arity!([] [P1 P2 P3 P4 P5 P6 P7 P8]);
lent_arity!([] [P1 P2 P3 P4 P5 P6 P7 P8 P9]);
lent_arity!([] [P1 P2 P3 P4 P5 P6 P7 P8 P9 P10]);
lent_arity!([] [P1 P2 P3 P4 P5 P6 P7 P8 P9 P10 P11]);
