use ad::differentiate;

#[differentiate(dump)]
fn f(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

#[differentiate(dump)]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

#[differentiate(dump)]
fn mixed(x: f64, n: i32, mut s: f64) -> f64 {
    let c = 1.0f64.tanh();
    let k = n as f64;
    s *= x.sin() + k;
    let s = s.powi(n) + f64::atan2(s, x) * c;
    s / x
}

#[test]
fn smoke() {
    let (v, gx, gy, gz) = f_grad(-2.0, 5.0, -4.0);
    assert_eq!((v, gx, gy, gz), (-12.0, -4.0, -4.0, 3.0));
    let (v, d) = f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0);
    assert_eq!((v, d), (-12.0, -4.0));
    let g = neuron_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    println!("{g:?}");
    println!("{:?}", mixed_grad(0.7, 3, 1.3));
}
