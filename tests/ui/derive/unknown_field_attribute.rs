#[derive(Clone, ad::Differentiable)]
struct Line {
    slope: f64,
    #[ad(frozen)]
    intercept: f64,
}

fn main() {}
