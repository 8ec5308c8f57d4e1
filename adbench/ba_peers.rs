//! ADBench's BA reprojection residual over any [`Scalar`], for the peer
//! benchmarks (`benches/ba.rs`, group `ba_peers`): each observation's 2 x 15
//! Jacobian block from `num_dual::Dual64` (fifteen forward passes, one per
//! input) and from the `reverse` crate's tape (one recording, then one
//! backward sweep per residual: two sweeps), assembled by
//! `ba::jacobian_into` as `ad`'s blocks are.
#![allow(dead_code)]

use super::ba::{Block, BLOCK, CAM};
use super::peers::Scalar;
use num_dual::Dual64;
use reverse::{Gradient, Tape};

/// `reproj_error` of `adbench/ba.rs`, operation by operation, over `T`.
pub fn reproj_error_generic<T: Scalar>(cam: &[T; CAM], x: &[T; 3], w: T, feat: [f64; 2]) -> [T; 2] {
    let xo0 = x[0] - cam[3];
    let xo1 = x[1] - cam[4];
    let xo2 = x[2] - cam[5];
    let (r0, r1, r2) = (cam[0], cam[1], cam[2]);
    let sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
    let (xc0, xc1, xc2);
    if sqtheta.value() != 0.0 {
        let theta = sqtheta.sqrt();
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let theta_inverse = theta.recip();
        let w0 = r0 * theta_inverse;
        let w1 = r1 * theta_inverse;
        let w2 = r2 * theta_inverse;
        let wx0 = w1 * xo2 - w2 * xo1;
        let wx1 = w2 * xo0 - w0 * xo2;
        let wx2 = w0 * xo1 - w1 * xo0;
        let tmp = (w0 * xo0 + w1 * xo1 + w2 * xo2) * (-costheta + 1.0);
        xc0 = xo0 * costheta + wx0 * sintheta + w0 * tmp;
        xc1 = xo1 * costheta + wx1 * sintheta + w1 * tmp;
        xc2 = xo2 * costheta + wx2 * sintheta + w2 * tmp;
    } else {
        xc0 = xo0 + (r1 * xo2 - r2 * xo1);
        xc1 = xo1 + (r2 * xo0 - r0 * xo2);
        xc2 = xo2 + (r0 * xo1 - r1 * xo0);
    }
    let u0 = xc0 / xc2;
    let u1 = xc1 / xc2;
    let rsq = u0 * u0 + u1 * u1;
    let l = cam[9] * rsq + 1.0 + cam[10] * rsq * rsq;
    let d0 = u0 * l;
    let d1 = u1 * l;
    let proj0 = d0 * cam[6] + cam[7];
    let proj1 = d1 * cam[6] + cam[8];
    [w * (proj0 - feat[0]), w * (proj1 - feat[1])]
}

/// The block by forward mode with `Dual64`: fifteen passes, one per input
/// (11 camera parameters, 3 point coordinates, the weight).
pub fn block_num_dual(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    let mut j = [0.0; 2 * BLOCK];
    for col in 0..BLOCK {
        let dual = |v: f64, at: usize| Dual64::new(v, if at == col { 1.0 } else { 0.0 });
        let cd: [Dual64; CAM] = std::array::from_fn(|i| dual(cam[i], i));
        let xd: [Dual64; 3] = std::array::from_fn(|i| dual(x[i], CAM + i));
        let e = reproj_error_generic(&cd, &xd, dual(w, CAM + 3), feat);
        j[2 * col] = e[0].eps;
        j[2 * col + 1] = e[1].eps;
    }
    j
}

/// The block by the `reverse` crate: the residual recorded once on `tape`
/// (cleared first), then one backward sweep per residual.
pub fn block_reverse(tape: &Tape, cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    tape.clear();
    let cv: [_; CAM] = std::array::from_fn(|i| tape.add_var(cam[i]));
    let xv: [_; 3] = std::array::from_fn(|i| tape.add_var(x[i]));
    let wv = tape.add_var(w);
    let e = reproj_error_generic(&cv, &xv, wv, feat);
    let mut j = [0.0; 2 * BLOCK];
    for row in 0..2 {
        let g = e[row].grad();
        for i in 0..CAM {
            j[2 * i + row] = g.wrt(&cv[i]);
        }
        for i in 0..3 {
            j[2 * (CAM + i) + row] = g.wrt(&xv[i]);
        }
        j[2 * (CAM + 3) + row] = g.wrt(&wv);
    }
    j
}
