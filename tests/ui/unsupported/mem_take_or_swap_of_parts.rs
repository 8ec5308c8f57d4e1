// `std::mem::swap` and `replace` of whole locals are the assignments they
// stand for; `take` of an active value, and either on parts of values, are
// an error that says what to write.
use ad::differentiate;

#[differentiate]
fn taken(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let old = std::mem::take(&mut u);
    old[0] + u.len() as f64
}

#[differentiate]
fn parts(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; 2];
    std::mem::swap(&mut u[0], &mut v[1]);
    u[0] + v[1]
}

fn main() {}
