use ad::differentiate;

#[differentiate]
fn sumsq(u: &[f64]) -> f64 {
    u[0] * u[0] + u[1] * u[1]
}

// `&mut v` passed to a differentiated function lends `v` as an in/out
// buffer; to a slice parameter it is lent shared, `&v`.
#[differentiate]
fn scaled(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v[0] *= x[1];
    let s = sumsq(&mut v);
    let mut a = [x[0], x[1]];
    s * sumsq(&mut a)
}

fn main() {}
