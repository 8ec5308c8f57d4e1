use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let g = |t: f64| t * 2.0;
    let h = g;
    h(x)
}

fn main() {}
