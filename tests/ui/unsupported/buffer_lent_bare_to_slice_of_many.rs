use ad::differentiate;

#[differentiate]
#[allow(clippy::too_many_arguments)]
fn wide(
    a0: f64,
    a1: f64,
    a2: f64,
    a3: f64,
    a4: f64,
    a5: f64,
    a6: f64,
    a7: f64,
    a8: f64,
    a9: f64,
    a10: f64,
    a11: f64,
    u: &[f64],
) -> f64 {
    (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11) * u[0]
}

// A `&mut` buffer passed on bare to the 13th parameter, a slice: the rule
// of the check is written at the loan (the runtime's go up to 12).
#[differentiate]
fn scale(u: &mut [f64]) {
    let s = wide(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, u);
    u[0] *= s;
}

fn main() {}
