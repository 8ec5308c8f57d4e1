// A checkpointed loop that writes a `&mut` buffer parameter.
use ad::differentiate;

#[differentiate]
fn f(x: f64, out: &mut [f64]) {
    #[checkpoint]
    for i in 0..out.len() {
        out[i] = out[i] * x;
    }
}

fn main() {}
