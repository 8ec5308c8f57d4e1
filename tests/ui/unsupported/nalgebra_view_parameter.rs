use ad::differentiate;
use ad::nalgebra::{DMatrixView, DVectorView, Dyn, Matrix, MatrixView, ViewStorage, U1};

#[differentiate]
fn sumsq(v: DVectorView<f64>) -> f64 {
    v.dot(&v)
}

#[differentiate(wrt(m))]
fn trace_of(m: DMatrixView<'_, f64>) -> f64 {
    m.trace()
}

#[differentiate]
fn first(k: f64, m: &MatrixView<f64, Dyn, Dyn>) -> f64 {
    k * m[(0, 0)]
}

#[differentiate]
fn total(v: Matrix<f64, Dyn, U1, ViewStorage<'_, f64, Dyn, U1, U1, Dyn>>) -> f64 {
    v.sum()
}

fn main() {}
