use ad::differentiate;

// A differentiated function of the user's named `swap`: a bare call of it
// on active values is read as `std::mem::swap`, and said so.
#[differentiate]
fn swap(a: &mut [f64], b: &mut [f64]) {
    for i in 0..a.len() {
        let t = a[i];
        a[i] = 2.0 * b[i];
        b[i] = t;
    }
}

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; x.len()];
    swap(&mut u, &mut v);
    u[0] * v[1]
}

fn main() {}
