// A tuple bound from an `if` is declared before the branches assign it; a
// `Vec` in it is then not known to be an array where it is indexed: the
// error says to give the tuple its type.
use ad::differentiate;

#[differentiate]
fn total(x: &[f64], flip: bool) -> f64 {
    let (u, w) = if flip {
        (x.to_vec(), vec![x[0]; x.len()])
    } else {
        (vec![x[0]; x.len()], x.to_vec())
    };
    u[0] * w[1]
}

fn main() {}
