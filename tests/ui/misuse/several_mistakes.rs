use ad::differentiate;

// Three mistakes, all reported in one build; callers of `f_grad` see no
// further error because the derivatives are still declared.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let a = x.next_up();
    let b = y.next_down();
    let c = dbg!(x) * a;
    c + b
}

fn main() {
    let (_v, _gx, _gy) = f_grad(1.0, 2.0);
}
