#[derive(Clone, ad::Differentiable)]
struct Line {
    slope: f64,
    intercept: f32,
}

fn main() {}
