use ad::differentiate;

#[differentiate]
fn weigh(y: &[f64; 3]) -> f64 {
    y[0] * y[1] + y[2]
}

// A `&mut [f64; 3]` buffer passed on bare is an in/out buffer of the
// callee; to a `&[f64; 3]` parameter it is lent as a copy.
#[differentiate]
fn scale(a: f64, y: &mut [f64; 3]) -> f64 {
    y[0] *= a;
    weigh(y)
}

fn main() {}
