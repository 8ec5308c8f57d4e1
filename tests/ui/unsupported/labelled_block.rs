use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let r = 'a: {
        if x > 0.0 {
            break 'a x;
        }
        x * x
    };
    r + 1.0
}

fn main() {}
