use ad::differentiate;

// argmin's `cost` shape: the value is differentiated, not the `Result`.
#[differentiate]
fn cost(x: f64) -> Result<f64, String> {
    Ok(x * x)
}

#[differentiate]
fn maybe(x: f64) -> Option<f64> {
    Some(x.sin())
}

fn main() {}
