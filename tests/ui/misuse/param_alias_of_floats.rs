// A parameter whose type is an alias of floats would be silently inactive
// (the macro sees only the alias's name): a compile error at its type that
// names it and says what to write. Aliases of other types are data.
use ad::differentiate;

type Mat3 = [[f64; 3]; 3];
type Real = f64;
type Indices = Vec<usize>;

#[differentiate]
fn trace(a: &Mat3, k: f64, idx: &Indices) -> f64 {
    (a[0][0] + a[1][1] + a[2][2]) * k * idx.len() as f64
}

#[differentiate]
fn scaled(x: f64, s: Real) -> f64 {
    x * s
}

fn main() {}
