use ad::differentiate;

/// The lecture's sigmoid neuron, written as its primitive nodes.
#[differentiate]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    let dot = w0 * x0 + w1 * x1 + w2;
    1.0 / (1.0 + (-dot).exp())
}

fn main() {
    // The lecture's values: w = (2, -3, -3), x = (-1, -2).
    let (out, dw0, dx0, dw1, dx1, dw2) = neuron_grad(2.0, -1.0, -3.0, -2.0, -3.0);
    println!("neuron = {out:.3}");
    println!("gradient (w0, x0, w1, x1, w2) = ({dw0:.3}, {dx0:.3}, {dw1:.3}, {dx1:.3}, {dw2:.3})");
    // Forward mode along w0: one directional derivative.
    let (_, dout) = neuron_jvp(2.0, 1.0, -1.0, 0.0, -3.0, 0.0, -2.0, 0.0, -3.0, 0.0);
    println!("d neuron / d w0 = {dout:.3}");
    // Second order along w0: the first column of the Hessian.
    let (.., h_w0, h_x0, h_w1, h_x1, h_w2) =
        neuron_hvp(2.0, 1.0, -1.0, 0.0, -3.0, 0.0, -2.0, 0.0, -3.0, 0.0);
    println!("H e_w0 = ({h_w0:.3}, {h_x0:.3}, {h_w1:.3}, {h_x1:.3}, {h_w2:.3})");
}
