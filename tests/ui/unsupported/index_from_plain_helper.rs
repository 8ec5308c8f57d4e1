use ad::differentiate;

// An index computed by a plain helper from active values: the error says
// to compute it in the function (tests/leftovers_5.rs checks that form).
fn argmax(x: &[f64]) -> usize {
    let mut b = 0;
    for i in 1..x.len() {
        if x[i] > x[b] {
            b = i;
        }
    }
    b
}

#[differentiate]
fn largest_squared(x: &[f64]) -> f64 {
    let i = argmax(x);
    x[i] * x[i]
}

fn main() {}
