use ad::nalgebra::{DMatrix, DVector};

/// Training settings: not parameters, and not `Differentiable`.
#[derive(Clone)]
struct Schedule {
    epochs: usize,
    learning_rate: f64,
}

#[derive(Clone, ad::Differentiable)]
struct Model {
    weights: DMatrix<f64>,
    schedule: Schedule,
    bias: DVector<f64>,
}

fn main() {}
