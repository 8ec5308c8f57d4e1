#[derive(Clone, ad::Differentiable)]
enum Activation {
    Relu,
    LeakyRelu(f64),
}

fn main() {}
