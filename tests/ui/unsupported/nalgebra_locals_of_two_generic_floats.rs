use ad::differentiate;
use ad::nalgebra::DVector;
use ad::Real;

// No nalgebra parameter, but nalgebra locals: generated code on them names
// the one float type parameter.
#[differentiate]
fn f<T: Real, U: Real>(x: &[T], y: &[U]) -> T {
    let v = DVector::from_column_slice(x);
    v.dot(&v) * x[0] + T::zero() * T::from(y.len()).unwrap()
}

fn main() {}
