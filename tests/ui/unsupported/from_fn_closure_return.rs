use ad::differentiate;
use ad::nalgebra::DVector;

#[differentiate]
fn f(x: &DVector<f64>) -> f64 {
    let y = DVector::from_fn(x.len(), |i, _| {
        if x[i] < 0.0 {
            return 0.0;
        }
        x[i].sqrt()
    });
    y.sum()
}

fn main() {}
