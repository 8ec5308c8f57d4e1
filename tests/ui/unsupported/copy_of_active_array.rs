use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut v = vec![0.0; 2];
    v[0] = x[0];
    let w = v;
    w[0] * 2.0
}

fn main() {}
