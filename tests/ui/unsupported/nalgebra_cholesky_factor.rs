use ad::differentiate;
use ad::nalgebra::DMatrix;
#[differentiate]
fn logdet(k: &DMatrix<f64>) -> f64 {
    let l = k.clone().cholesky().unwrap().l();
    2.0 * l.diagonal().map(|v| v.ln()).sum()
}

fn main() {}
