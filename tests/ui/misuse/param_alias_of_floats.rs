// A parameter whose type is an alias of floats would be silently inactive
// (the macro sees only the alias's name): a compile error at its type that
// names it and says what to write (also a generic alias `Mat<T>` with `T`
// the float type parameter). Aliases of other types are data.
use ad::differentiate;

type Mat3 = [[f64; 3]; 3];
type Real = f64;
type Indices = Vec<usize>;
type Mat<T> = [[T; 3]; 3];
type Column<T> = Vec<T>;
type Ids<I> = Vec<I>;

#[differentiate]
fn trace(a: &Mat3, k: f64, idx: &Indices) -> f64 {
    (a[0][0] + a[1][1] + a[2][2]) * k * idx.len() as f64
}

#[differentiate]
fn scaled(x: f64, s: Real) -> f64 {
    x * s
}

// Generic aliases too, of the float type parameter; not of another one.
#[differentiate]
fn generic<T: ad::Real>(a: &Mat<T>, v: Column<T>, ids: Ids<usize>, k: T) -> T {
    (a[0][0] + v[0]) * k * T::from(ids.len()).unwrap()
}

fn main() {}
