// `std::mem::swap`, `replace` and `take` of whole locals are the
// assignments they stand for; on parts of values, they are an error that
// says what to write (and, for a bare name, how to call a function of the
// user's of that name).
use ad::differentiate;
use std::mem::swap;

#[differentiate]
fn taken(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let old = std::mem::take(&mut u[1]);
    old + u[1]
}

#[differentiate]
fn parts(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; 2];
    std::mem::swap(&mut u[0], &mut v[1]);
    u[0] + v[1]
}

#[differentiate]
fn bare_parts(x: &[f64]) -> f64 {
    let mut u = x.to_vec();
    let mut v = vec![0.0; 2];
    swap(&mut u[0], &mut v[1]);
    u[0] + v[1]
}

fn main() {}
