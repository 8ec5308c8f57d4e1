// A borrowed row of a 2-D array is passed to a differentiated function;
// bound to a name it is an error that says what to write instead.
use ad::differentiate;

#[differentiate]
fn first_row(a: &[Vec<f64>]) -> f64 {
    let row = &a[0];
    row[0] * row[1]
}

fn main() {}
