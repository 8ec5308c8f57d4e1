use ad::differentiate;

// A `match` on an active value may bind the whole value, not its parts.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    match (x, y) {
        (u, _) if u > 0.0 => u,
        _ => y,
    }
}

fn main() {}
