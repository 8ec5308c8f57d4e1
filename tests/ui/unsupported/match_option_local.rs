use ad::differentiate;

// A local `Option` holding an active value, matched for its payload: keep
// the number itself (with a sentinel) instead.
#[differentiate]
fn nearest(p: f64, verts: &[f64]) -> f64 {
    let mut best: Option<f64> = None;
    for v in verts {
        let d = (p - v).abs();
        best = match best {
            Some(b) if b <= d => Some(b),
            _ => Some(d),
        };
    }
    best.unwrap_or(f64::INFINITY)
}

fn main() {}
