//! Cotangents in lanes: `N` reverse sweeps carried through one.
//!
//! `f_vjp_many(.., douts: [Out; N])` computes `N` vector-Jacobian products
//! at one point (the rows of a Jacobian, for unit cotangents). Where the
//! function is written in `f32`, `f64` or a float type `T: Real` (with
//! `T: LaneShape<N, Lanes = Lanes<T, N>>`, as `f32` and `f64` have), its
//! reverse sweep runs once on [`Lanes`]: every cotangent holds its `N` values side
//! by side, every adjoint statement (`x_bar += y_bar * d`) updates all of
//! them, and the compiler turns those into vector instructions. The local
//! derivatives are computed once, not once per cotangent.
//!
//! [`LaneShape`] maps a value's type to the type of its cotangent in lanes
//! (`[f64; 3]` to `[Lanes<f64, N>; 3]`) and gathers `N` cotangents into
//! one; [`Unlane`] scatters lanes back into `N` values.
//!
//! ```
//! use ad_runtime::{LaneShape, Lanes, Unlane};
//!
//! // Two cotangents of a `[f64; 2]` output, side by side.
//! let dout = <[f64; 2]>::gather([[1.0, 0.0], [0.0, 1.0]]);
//! assert_eq!(dout, [Lanes([1.0, 0.0]), Lanes([0.0, 1.0])]);
//! // x_bar += y_bar * d for both at once.
//! let mut x_bar = LaneShape::<2>::zero_lanes(&3.0f64);
//! x_bar += dout[0] * 2.0 - dout[1];
//! assert_eq!(x_bar.scatter(), [2.0, -1.0]);
//! ```

use crate::real::Real;
use core::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// `N` values of one scalar, one per cotangent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lanes<T, const N: usize>(pub [T; N]);

impl<T: Real, const N: usize> Default for Lanes<T, N> {
    #[inline]
    fn default() -> Self {
        Lanes([T::default(); N])
    }
}

impl<T: Real, const N: usize> Add for Lanes<T, N> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Lanes(core::array::from_fn(|k| self.0[k] + rhs.0[k]))
    }
}

impl<T: Real, const N: usize> Sub for Lanes<T, N> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Lanes(core::array::from_fn(|k| self.0[k] - rhs.0[k]))
    }
}

impl<T: Real, const N: usize> Neg for Lanes<T, N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Lanes(self.0.map(|x| -x))
    }
}

/// A cotangent times a local derivative: `y_bar * d`.
impl<T: Real, const N: usize> Mul<T> for Lanes<T, N> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: T) -> Self {
        Lanes(self.0.map(|x| x * rhs))
    }
}

impl<T: Real, const N: usize> AddAssign for Lanes<T, N> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        for k in 0..N {
            self.0[k] += rhs.0[k];
        }
    }
}

impl<T: Real, const N: usize> SubAssign for Lanes<T, N> {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        for k in 0..N {
            self.0[k] -= rhs.0[k];
        }
    }
}

/// The float types. A function generic over `T: Real` has `f_vjp_many` in
/// lanes where `T: LaneShape<N, Lanes = Lanes<T, N>>` (its where-clause).
macro_rules! lanes_float {
    ($($t:ty),*) => {$(
        impl<const N: usize> LaneShape<N> for $t {
            type Lanes = Lanes<$t, N>;
            #[inline]
            fn zero_lanes(&self) -> Self::Lanes {
                Lanes([0.0; N])
            }
            #[inline]
            fn gather(xs: [Self; N]) -> Self::Lanes {
                Lanes(xs)
            }
        }
    )*};
}
lanes_float!(f32, f64);

/// The cotangent of `x` from the cotangent of `x as U` (another float
/// type), lane by lane: [`cast_like`](crate::cast_like) in lanes.
///
/// ```
/// use ad_runtime::{cast_lanes, Lanes};
///
/// let x_bar: Lanes<f32, 2> = cast_lanes(&1.5f32, Lanes([0.25f64, -2.0]));
/// assert_eq!(x_bar, Lanes([0.25f32, -2.0]));
/// ```
#[inline]
pub fn cast_lanes<T: Real, U: Real, const N: usize>(_x: &T, y_bar: Lanes<U, N>) -> Lanes<T, N> {
    Lanes(y_bar.0.map(|v| T::from_f64(v.to_f64())))
}

/// Values whose cotangents can be carried in lanes: `f32`, `f64`, and
/// arrays, slices, `Vec`s and references of them.
pub trait LaneShape<const N: usize> {
    /// The cotangent type in lanes: [`Lanes`] for a scalar, the same
    /// container of lanes otherwise (a `Vec` for a slice).
    type Lanes;
    /// A zero cotangent of the shape of `self`.
    fn zero_lanes(&self) -> Self::Lanes;
    /// `N` values (cotangents) of this type, side by side.
    fn gather(xs: [Self; N]) -> Self::Lanes
    where
        Self: Sized;
}

impl<E: LaneShape<N> + Copy, const K: usize, const N: usize> LaneShape<N> for [E; K] {
    type Lanes = [E::Lanes; K];
    #[inline]
    fn zero_lanes(&self) -> Self::Lanes {
        core::array::from_fn(|i| self[i].zero_lanes())
    }
    #[inline]
    fn gather(xs: [Self; N]) -> Self::Lanes {
        core::array::from_fn(|i| E::gather(core::array::from_fn(|k| xs[k][i])))
    }
}

impl<E: LaneShape<N>, const N: usize> LaneShape<N> for [E] {
    type Lanes = Vec<E::Lanes>;
    fn zero_lanes(&self) -> Self::Lanes {
        self.iter().map(E::zero_lanes).collect()
    }
}

impl<E: LaneShape<N>, const N: usize> LaneShape<N> for Vec<E> {
    type Lanes = Vec<E::Lanes>;
    fn zero_lanes(&self) -> Self::Lanes {
        self.iter().map(E::zero_lanes).collect()
    }
    /// Vectors of one length (the output of one function).
    fn gather(xs: [Self; N]) -> Self::Lanes {
        let len = xs.first().map_or(0, Vec::len);
        assert!(
            xs.iter().all(|x| x.len() == len),
            "cotangents of different lengths"
        );
        let mut iters = xs.map(Vec::into_iter);
        (0..len)
            .map(|_| E::gather(core::array::from_fn(|k| iters[k].next().unwrap())))
            .collect()
    }
}

impl<S: LaneShape<N> + ?Sized, const N: usize> LaneShape<N> for &S {
    type Lanes = S::Lanes;
    #[inline]
    fn zero_lanes(&self) -> Self::Lanes {
        (**self).zero_lanes()
    }
    fn gather(_: [Self; N]) -> Self::Lanes {
        unreachable!("a reference is not a cotangent")
    }
}

/// Cotangents in lanes, scattered into `N` values: the inverse of
/// [`LaneShape::gather`].
pub trait Unlane<const N: usize> {
    /// One cotangent.
    type Out;
    /// The `N` cotangents held side by side.
    fn scatter(self) -> [Self::Out; N];
}

impl<T, const N: usize> Unlane<N> for Lanes<T, N> {
    type Out = T;
    #[inline]
    fn scatter(self) -> [T; N] {
        self.0
    }
}

impl<L: Unlane<N>, const K: usize, const N: usize> Unlane<N> for [L; K]
where
    L::Out: Copy,
{
    type Out = [L::Out; K];
    #[inline]
    fn scatter(self) -> [Self::Out; N] {
        let cols = self.map(L::scatter);
        core::array::from_fn(|k| core::array::from_fn(|i| cols[i][k]))
    }
}

impl<L: Unlane<N>, const N: usize> Unlane<N> for Vec<L> {
    type Out = Vec<L::Out>;
    fn scatter(self) -> [Self::Out; N] {
        let mut out: [Vec<L::Out>; N] = core::array::from_fn(|_| Vec::with_capacity(self.len()));
        for l in self {
            for (o, x) in out.iter_mut().zip(l.scatter()) {
                o.push(x);
            }
        }
        out
    }
}

/// The cotangents of several active inputs, `(x_bar, y_bar, ..)`.
macro_rules! lanes_tuple {
    ($(($($l:ident $i:tt),+))*) => {$(
        impl<$($l: Unlane<N>,)+ const N: usize> Unlane<N> for ($($l,)+) {
            type Out = ($($l::Out,)+);
            #[inline]
            fn scatter(self) -> [Self::Out; N] {
                let mut parts = ($(self.$i.scatter().into_iter(),)+);
                core::array::from_fn(|_| ($(parts.$i.next().expect("N values"),)+))
            }
        }
    )*};
}
lanes_tuple! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_then_scatter_is_the_identity() {
        let xs = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let l = <[f64; 3]>::gather(xs);
        assert_eq!(l[1], Lanes([2.0, 5.0]));
        assert_eq!(l.scatter(), xs);
        let vs = [vec![1.0f32, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]];
        let l = <Vec<f32>>::gather(vs.clone());
        assert_eq!(l, vec![Lanes([1.0, 3.0, 5.0]), Lanes([2.0, 4.0, 6.0])]);
        assert_eq!(l.scatter(), vs);
        let ts = [(1.0, [2.0, 3.0]), (4.0, [5.0, 6.0])];
        let l = (
            Lanes([1.0, 4.0]),
            <[f64; 2]>::gather([[2.0, 3.0], [5.0, 6.0]]),
        );
        assert_eq!(l.scatter(), ts);
    }

    #[test]
    fn zeros_have_the_shape_of_the_value() {
        let x: &[f64] = &[1.0, 2.0, 3.0];
        let z: Vec<Lanes<f64, 4>> = (&x).zero_lanes();
        assert_eq!(z, vec![Lanes([0.0; 4]); 3]);
        let z: [Lanes<f64, 2>; 2] = [1.0, 2.0].zero_lanes();
        assert_eq!(z, [Lanes([0.0; 2]); 2]);
    }

    #[test]
    fn arithmetic_is_per_lane() {
        let a = Lanes([1.0, -2.0]);
        let b = Lanes([0.5, 4.0]);
        assert_eq!(a + b, Lanes([1.5, 2.0]));
        assert_eq!(a - b, Lanes([0.5, -6.0]));
        assert_eq!(-a, Lanes([-1.0, 2.0]));
        assert_eq!(a * 3.0, Lanes([3.0, -6.0]));
        let mut c = a;
        c += b;
        c -= a;
        assert_eq!(c, b);
        assert_eq!(core::mem::take(&mut c), b);
        assert_eq!(c, Lanes([0.0, 0.0]));
    }

    #[test]
    fn no_cotangents_gather_and_scatter_to_nothing() {
        let l = <Vec<f64> as LaneShape<0>>::gather([]);
        assert!(l.is_empty());
        let out: [Vec<f64>; 0] = l.scatter();
        assert!(out.is_empty());
        let a = <[f64; 2] as LaneShape<0>>::gather([]);
        assert_eq!(a, [Lanes([]), Lanes([])]);
    }

    #[test]
    #[should_panic(expected = "different lengths")]
    fn vectors_of_different_lengths_do_not_gather() {
        <Vec<f64> as LaneShape<2>>::gather([vec![1.0], vec![1.0, 2.0]]);
    }
}
