use ad::differentiate;
use ad::Real;

struct S<T> {
    k: T,
}

// The float type of the `impl` block is not the method's: the attribute
// on the method cannot see that `T` is a float type.
impl<T: Real> S<T> {
    #[differentiate]
    fn energy(&self, x: &[T]) -> T {
        self.k * x[0] * x[1]
    }
}

fn main() {}
