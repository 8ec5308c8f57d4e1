use ad::differentiate;

fn clip(x: &mut [f64]) {
    for v in x.iter_mut() {
        *v = v.min(1.0);
    }
}

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    clip(&mut h);
    h[0] * x[1]
}

fn main() {}
