use ad::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    match x.signum() as i32 + (x > 1.0) as i32 {
        0 => 1.0,
        _ => x * 2.0,
    };
    match x {
        v if v > 0.0 => v,
        _ => -x,
    }
}

fn main() {}
