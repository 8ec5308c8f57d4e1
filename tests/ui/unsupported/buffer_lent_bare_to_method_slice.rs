use ad::differentiate;

struct S {
    k: f64,
}

impl S {
    #[differentiate]
    fn sumsq(&self, u: &[f64]) -> f64 {
        self.k * (u[0] * u[0] + u[1] * u[1])
    }
}

// A `&mut` buffer passed on bare to a method is an in/out buffer of the
// method; to a slice parameter it is lent as `&u[..]`.
#[differentiate]
fn scale(s: &S, u: &mut [f64]) {
    let t = s.sumsq(u);
    u[0] *= t;
}

fn main() {}
