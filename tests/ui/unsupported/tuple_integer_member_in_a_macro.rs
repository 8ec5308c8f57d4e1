use ad::differentiate;

// A count beside a sum in a tuple of active values, the tuple named in a
// macro: it stays a tuple (a tuple local used only by member is split into
// locals, its count an integer local of its own).
#[differentiate]
fn mean_positive(x: &[f64]) -> f64 {
    let mut t = (0.0, 0usize);
    for &v in x {
        if v > 0.0 {
            t = (t.0 + v, t.1 + 1);
        }
    }
    println!("{t:?}");
    t.0 / t.1 as f64
}

fn main() {}
