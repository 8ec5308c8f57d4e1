use ad::differentiate;

#[differentiate]
fn cell(hidden: &mut [f64], cell: &mut [f64], x: &[f64]) {
    for i in 0..x.len() {
        cell[i] = cell[i] * x[i].tanh();
        hidden[i] = cell[i].tanh();
    }
}

// Two halves of one state buffer lent at once: the macro cannot follow
// the borrows. Its caller reports nothing more (it once added that
// `predict` has no derivatives).
#[differentiate]
fn predict(state: &mut [f64], x: &[f64]) {
    let b = x.len();
    let (h, c) = state.split_at_mut(b);
    cell(h, c, x);
}

#[differentiate]
fn objective(state0: &[f64], x: &[f64]) -> f64 {
    let mut s = state0.to_vec();
    predict(&mut s, x);
    s[0]
}

fn main() {}
