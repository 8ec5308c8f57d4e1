// A `usize` counter in a `fold` accumulator over active values.
#[ad::differentiate]
fn welford_var(x: &[f64]) -> f64 {
    let acc = x.iter().fold((0.0, 0.0, 0usize), |acc, &v| {
        let k = acc.2 + 1;
        let delta = v - acc.0;
        let mean = acc.0 + delta / k as f64;
        (mean, acc.1 + delta * (v - mean), k)
    });
    acc.1 / (acc.2 - 1) as f64
}

fn main() {}
