// Fields are not assigned in a differentiated function: the error says to
// keep the value in a local, or (for `self`) to keep bookkeeping outside.
use ad::differentiate;

#[derive(Clone, ad::Differentiable)]
struct Acc {
    s: f64,
}

#[differentiate]
fn total(x: &[f64]) -> f64 {
    let mut a = Acc { s: 0.0 };
    for &v in x {
        a.s += v * v;
    }
    a.s
}

struct Counter {
    calls: usize,
}

impl Counter {
    #[differentiate]
    fn eval(&mut self, x: f64) -> f64 {
        self.calls += 1;
        x * x
    }
}

fn main() {}
