use ad::differentiate;

#[differentiate]
fn sumsq(u: &[f64]) -> f64 {
    u[0] * u[0] + u[1] * u[1]
}

// A `&mut` buffer passed on bare is an in/out buffer of the callee; to a
// slice parameter it is lent as `&u[..]`.
#[differentiate]
fn scale(u: &mut [f64]) {
    let s = sumsq(u);
    u[0] *= s;
}

fn main() {}
