// `swap_with_slice` of active arrays: says what to write instead.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64], k: f64) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; x.len()];
    for i in 0..u.len() {
        v[i] = (u[i] * k).cos();
    }
    u.swap_with_slice(&mut v);
    u[0] * u[2]
}

fn main() {}
