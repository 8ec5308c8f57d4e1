use ad::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 1.0 {
            break s;
        }
        s += x[i];
    }
    s
}

fn main() {}
