use ad::differentiate;

// `let r = if .. { loop { .. break 'outer; .. } } else { .. };` is accepted
// (the statement form); inside an expression it is not.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..x.len() {
        let r = 0.5
            * if x[i] > 0.0 {
                loop {
                    if s > 1.0 {
                        break 'outer;
                    }
                    break x[i];
                }
            } else {
                1.0
            };
        s += r;
    }
    s
}

fn main() {}
