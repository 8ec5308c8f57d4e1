use ad::differentiate;

// `if let` as a value on a local (not a parameter matched by its name),
// reading no active value.
#[differentiate(wrt(r))]
fn f(r: &[f64], weights: Option<&[f64]>) -> f64 {
    let ws = weights;
    let mut s = 0.0;
    for i in 0..r.len() {
        let w = if let Some(w) = ws { w[i] } else { 1.0 };
        s += w * r[i];
    }
    s
}

fn main() {}
