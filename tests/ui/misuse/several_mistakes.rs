use ad::differentiate;

trait Squash {
    fn squash(self) -> f64;
    fn stretch(self) -> f64;
}

impl Squash for f64 {
    fn squash(self) -> f64 {
        self / (1.0 + self.abs())
    }
    fn stretch(self) -> f64 {
        self * (1.0 + self.abs())
    }
}

// Three mistakes, all reported in one build; callers of `f_grad` see no
// further error because the derivatives are still declared.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let a = x.squash();
    let b = y.stretch();
    let c = dbg!(x) * a;
    c + b
}

fn main() {
    let (_v, _gx, _gy) = f_grad(1.0, 2.0);
}
