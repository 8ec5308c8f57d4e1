use ad::differentiate;
use ad::nalgebra::{DMatrix, DVector};

// A factorisation kept in a variable: the rules take the whole chain
// `a.lu().solve(&b).unwrap()` as one expression.
#[differentiate]
fn f(a: &DMatrix<f64>, b: &DVector<f64>) -> f64 {
    let lu = a.clone().lu();
    let x = lu.solve(b).unwrap();
    x.sum()
}

fn main() {}
