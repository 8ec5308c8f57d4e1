use ad::differentiate;

#[differentiate(reverse_only)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
