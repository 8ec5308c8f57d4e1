use ad::differentiate;

#[differentiate]
fn read(p: *const f64, x: f64) -> f64 {
    x * unsafe { *p }
}

fn main() {}
