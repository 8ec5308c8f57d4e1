// A row of a 2-D buffer assigned a local array through `iter_mut`: the
// error is at the value, not at the attribute.
use ad::differentiate;

#[differentiate]
fn f(x: &[f64], out: &mut [[f64; 2]]) {
    let w = [x[0], x[1]];
    for r in out.iter_mut() {
        *r = w;
    }
}

fn main() {}
