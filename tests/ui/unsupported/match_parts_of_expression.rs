use ad::differentiate;

// Parts of an inactive value are bound when it is matched by its name;
// an expression is bound to a name first.
#[differentiate(wrt(x))]
fn first_weight(x: f64, w: &[f64]) -> f64 {
    match w.first() {
        Some(a) => x * *a,
        None => x,
    }
}

fn main() {}
