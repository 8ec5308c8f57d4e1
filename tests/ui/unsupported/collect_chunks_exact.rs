use ad::differentiate;

// A `Vec` of sub-slices of active values: the chunks are read where they
// are used instead.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let pts: Vec<&[f64]> = x.chunks_exact(3).collect();
    pts[0][0] * pts[1][1]
}

fn main() {}
