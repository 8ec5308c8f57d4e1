use ad::differentiate;

static mut SCALE: f64 = 2.0;

#[differentiate]
fn scaled(x: f64) -> f64 {
    static mut CALLS: u32 = 0;
    x * unsafe { SCALE }
}

fn main() {}
