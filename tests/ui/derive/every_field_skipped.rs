#[derive(Clone, ad::Differentiable)]
struct Settings {
    #[ad(skip)]
    epochs: usize,
    #[ad(skip)]
    learning_rate: f64,
}

fn main() {}
