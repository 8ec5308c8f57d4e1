// A `Vec` of structs built from active values in the function: by `push`
// and read by field, or by `vec![..]` of struct literals.
use ad::differentiate;

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Net {
    layers: Vec<Layer>,
}

#[differentiate(wrt(x))]
fn pushed(x: &[f64]) -> f64 {
    let mut layers = Vec::new();
    for k in 0..2 {
        layers.push(Layer { w: vec![x[k], 2.0], b: vec![0.5; 2] });
    }
    let mut s = 0.0;
    for k in 0..2 {
        s += layers[k].w[1] * x[k];
    }
    s
}

#[differentiate(wrt(x))]
fn literal(x: &[f64]) -> f64 {
    let n = Net { layers: vec![Layer { w: x.to_vec(), b: x.to_vec() }] };
    let layer = &n.layers[0];
    layer.w[1] * layer.b[0]
}

fn main() {
    let _ = pushed_grad(&[1.0, 2.0]);
    let _ = literal_grad(&[1.0, 2.0]);
}
