use ad::differentiate;

// An in/out buffer of a fixed length: the generated code takes buffers as
// slices, so the parameter is written `&mut [f64]`.
#[differentiate]
fn scale(x: f64, out: &mut [f64; 2]) {
    out[0] *= x;
    out[1] += x;
}

fn main() {}
