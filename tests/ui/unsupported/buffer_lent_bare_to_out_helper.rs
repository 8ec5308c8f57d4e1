use ad::differentiate;

#[differentiate]
fn double_into(u: &[f64], out: &mut [f64]) {
    for i in 0..u.len() {
        out[i] = 2.0 * u[i] * u[i];
    }
}

// A `&mut` buffer passed on bare is an in/out buffer of the callee; to its
// slice parameter it is lent as `&u[..]` (the macro does not see `double_into`'s
// signature: the check is at the argument).
#[differentiate]
fn step(u: &mut [f64]) {
    let mut next = vec![0.0; u.len()];
    double_into(u, &mut next);
    u.copy_from_slice(&next);
}

fn main() {}
