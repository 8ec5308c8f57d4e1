//! Rules of the largest and smallest element of a vector or matrix:
//! `a.max()`, `a.min()`, and of absolute values, `a.amax()`, `a.amin()`.
//! Each is the element it picks (the first one, on ties), so its
//! derivative is that element's: a subgradient at ties, as `f64::max` has.

use super::*;

/// The index of the first element equal to `y` in value (`abs`: in
/// absolute value).
fn picked<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, y: T, abs: bool) -> usize
where
    DefaultAllocator: Allocator<R, C>,
{
    a.iter()
        .position(|&v| if abs { v.abs() == y } else { v == y })
        .unwrap_or(0)
}

/// The derivative of the picked element's value in `a`: `1`, or its sign
/// for the absolute values.
fn slope<T: RealField + Copy, R: Dim, C: Dim>(a: &M<T, R, C>, k: usize, abs: bool) -> T
where
    DefaultAllocator: Allocator<R, C>,
{
    if abs && a[k] < T::zero() {
        -T::one()
    } else {
        T::one()
    }
}

macro_rules! extremum {
    ($name:ident, $abs:expr, $doc:literal) => {
        rule!(field
            #[doc = concat!("`a.", stringify!($name), "()`: ", $doc)]
            fn $name(a: &M<T, R, C>) -> T {
                a.$name()
            }
        );

        #[doc = concat!("Rules of `a.", stringify!($name), "()`: those of the element it picks.")]
        pub mod $name {
            use super::*;
            rule!(field
                /// The picked element's tangent.
                fn jvp_0(a: &M<T, R, C>, y: &T, da: &M<T, R, C>) -> T {
                    let k = picked(a, *y, $abs);
                    da[k] * slope(a, k, $abs)
                }
            );
            rule!(field
                /// `y_bar` at the picked element.
                fn vjp_0(a: &M<T, R, C>, y: &T, y_bar: &T) -> M<T, R, C> {
                    let k = picked(a, *y, $abs);
                    let mut out = filled(a, T::zero());
                    out[k] = *y_bar * slope(a, k, $abs);
                    out
                }
            );
            rule!(field
                /// `dy_bar` at the picked element (piecewise linear).
                fn vjp_0_jvp(
                    a: &M<T, R, C>,
                    da: &M<T, R, C>,
                    y: &T,
                    dy: &T,
                    y_bar: &T,
                    dy_bar: &T,
                ) -> M<T, R, C> {
                    vjp_0(a, y, dy_bar)
                }
            );
        }
    };
}

extremum!(max, false, "the largest element");
extremum!(min, false, "the smallest element");
extremum!(amax, true, "the largest absolute value");
extremum!(amin, true, "the smallest absolute value");

#[cfg(test)]
mod tests {
    use nalgebra::DVector;

    #[test]
    fn the_picked_element_carries_the_derivative() {
        let a = DVector::from_vec(vec![1.0, -5.0, 3.0, 3.0]);
        assert_eq!(super::max(&a), 3.0);
        // Ties: the first.
        assert_eq!(
            super::max::vjp_0(&a, &3.0, &2.0),
            DVector::from_vec(vec![0.0, 0.0, 2.0, 0.0])
        );
        assert_eq!(
            super::min::vjp_0(&a, &-5.0, &1.0),
            DVector::from_vec(vec![0.0, 1.0, 0.0, 0.0])
        );
        // |-5| is the largest absolute value: its slope is the sign.
        assert_eq!(super::amax(&a), 5.0);
        assert_eq!(
            super::amax::vjp_0(&a, &5.0, &1.0),
            DVector::from_vec(vec![0.0, -1.0, 0.0, 0.0])
        );
        let da = DVector::from_vec(vec![0.5, 0.25, 1.0, 2.0]);
        assert_eq!(super::amax::jvp_0(&a, &5.0, &da), -0.25);
        assert_eq!(super::amin::jvp_0(&a, &1.0, &da), 0.5);
    }
}
