use ad::differentiate;

#[differentiate(wrt(x))]
fn f(x: &[f64], r: Result<usize, ()>) -> f64 {
    let mut s = 0.0;
    while let Ok(k) = r {
        s += x[k];
        break;
    }
    s
}

fn main() {}
