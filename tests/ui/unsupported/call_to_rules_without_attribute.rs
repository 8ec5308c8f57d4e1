use ad::differentiate;

// Hand-written rules, but the primitive is not marked
// `#[differentiate(custom)]`; the caller sees it through a glob import.
fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

#[allow(dead_code)]
fn softsign_jvp(x: f64, dx: f64) -> (f64, f64) {
    let d = 1.0 + x.abs();
    (x / d, dx / (d * d))
}

#[allow(dead_code)]
fn softsign_vjp(x: f64, dout: f64) -> (f64, f64) {
    let d = 1.0 + x.abs();
    (x / d, dout / (d * d))
}

mod model {
    use super::*;

    #[differentiate]
    pub fn loss(w: f64, x: f64) -> f64 {
        let y = softsign(w * x);
        y * y
    }
}

fn main() {}
