// A local closure whose body has a loop (here an iterator chain's), called
// in the lazy operand of `&&`: its statements cannot go before the
// condition, and lowering has no loop inside an expression.
use ad::differentiate;

#[differentiate]
fn f(x: f64, w: &[f64]) -> f64 {
    let g = |t: f64| {
        let s: f64 = w.iter().map(|a| a * t).sum();
        s * t
    };
    if x > 0.0 && g(x) > 0.1 {
        x
    } else {
        2.0 * x
    }
}

fn main() {}
