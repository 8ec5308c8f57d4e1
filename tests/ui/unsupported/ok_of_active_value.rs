use ad::differentiate;

// `Ok(..)` and `Some(..)` of active values inside the body.
#[differentiate]
fn f(x: f64) -> f64 {
    let r: Result<f64, String> = Ok(x * x);
    r.unwrap()
}

#[differentiate]
fn g(x: f64) -> f64 {
    let o = Some(x.exp());
    o.unwrap_or(0.0)
}

fn main() {}
