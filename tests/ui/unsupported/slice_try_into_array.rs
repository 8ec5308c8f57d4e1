// A range of an active array converted to an array with `try_into`: an
// error that says to write the array of its elements.
use ad::differentiate;

#[differentiate]
fn bilinear(c: &[f64; 4], u: f64) -> f64 {
    c[0] * (1.0 - u) + c[1] * u + c[2] * c[3]
}

#[differentiate]
fn surface(cells: &[f64], u: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..cells.len() / 4 {
        let c: [f64; 4] = cells[4 * k..4 * k + 4].try_into().unwrap();
        s += bilinear(&c, u);
    }
    s
}

fn main() {}
