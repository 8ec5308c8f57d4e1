use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let y = unsafe { std::mem::transmute::<u64, f64>(1) };
    x * y
}

fn main() {}
