use ad::differentiate;

trait Loss {
    fn loss(&self, x: &[f64]) -> f64;
}

struct L2;

impl Loss for L2 {
    #[differentiate]
    fn loss(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }
}

struct Scaled<F>(F);

// A generic impl, a bound with `->`, and a function without a receiver.
impl<F: Fn(f64) -> f64> Loss for Scaled<F>
where
    F: Copy,
{
    #[differentiate]
    fn loss(&self, x: &[f64]) -> f64 {
        (self.0)(x[0]) * x[1]
    }
}

trait Make {
    fn make(x: f64) -> f64;
}

impl Make for L2 {
    #[differentiate]
    fn make(x: f64) -> f64 {
        x * x
    }
}

fn main() {
    println!("{}", L2.loss(&[1.0, 2.0]));
    println!("{}", Scaled(|v: f64| v * 2.0).loss(&[1.0, 2.0]));
    println!("{}", L2::make(3.0));
}
