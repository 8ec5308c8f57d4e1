use ad::differentiate;
use ad::nalgebra::DVector;
use ad::Real;

// Generated code on `DVector<T>` names the one float type parameter.
#[differentiate]
fn scale<T: Real, U: Real>(a: U, y: &mut DVector<T>) {
    y[1] = T::from_f64(a.to_f64()) * y[0];
}

fn main() {}
