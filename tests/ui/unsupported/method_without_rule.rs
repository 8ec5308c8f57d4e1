use ad::differentiate;

/// A method of the user's own trait on a float: no rule for it.
trait Squash {
    fn squash(self) -> f64;
}

impl Squash for f64 {
    fn squash(self) -> f64 {
        self / (1.0 + self.abs())
    }
}

#[differentiate]
fn f(x: f64) -> f64 {
    x.squash() * 2.0
}

fn main() {}
