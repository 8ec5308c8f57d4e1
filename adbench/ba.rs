//! ADBench's bundle adjustment (BA) residuals as ordinary Rust differentiated
//! by `#[differentiate]`, their sparse Jacobian, a hand-written Jacobian
//! block (ADBench's "Manual"), and a reader for ADBench's BA input files.
//!
//! The residual follows ADBench's C++ reference (`src/cpp/shared/ba.h` of
//! microsoft/ADBench) operation by operation, quirks included: Rodrigues'
//! rotation with its `||r||^2 == 0` branch (`x + r x x`), the radial
//! distortion `1 + k1 |u|^2 + k2 |u|^4`, the residual `w (proj - feat)` (the
//! code's sign) and the weight residual `1 - w^2`.
//!
//! A plain module file, shared by `examples/ba.rs`, `tests/adbench_ba.rs` and
//! `benches/ba.rs` through `#[path = "../adbench/ba.rs"] mod ba;`.
// Each includer uses a part of it. The rotated point of `reproj_error` is
// assigned in both branches of an `if` (a `let` of a tuple from an `if` was
// not supported when it was written), so its initial zeros are never read, in the original and
// in the generated derivatives: hence `unused_assignments`, module-wide.
//
// Macro limitations met here (reported, not worked around in the macro):
//
// 1. (Fixed since, kept as written so that the benchmarks stay comparable:
//    a tuple pattern bound from an `if` was rejected, "a tuple pattern needs
//    a tuple expression here"; `tests/idioms_values.rs` has this one.)
//        #[differentiate]
//        fn f(x: f64) -> f64 {
//            let (a, b) = if x > 0.0 { (x, 2.0 * x) } else { (-x, x) };
//            a * b
//        }
// 2. (Fixed since: the two `_vjp` passes of `block_ad_reverse` each ran the
//    forward sweep, and neither `#[inline]` nor `#[inline(always)]` on
//    `reproj_error` let LLVM share it. `reproj_error_vjp_many` runs it once.)
#![allow(dead_code, unused_assignments)]

use ad::differentiate;

/// Parameters per camera: `[r (3, angle-axis), C (3, centre), f, u0, v0, k1, k2]`.
pub const CAM: usize = 11;
/// Non-zeros of one reprojection row: 11 camera, 3 point, 1 weight.
pub const BLOCK: usize = CAM + 3 + 1;

/// A BA instance as ADBench's `read_ba_instance` builds it.
#[derive(Clone, Debug)]
pub struct BaInput {
    /// Number of cameras.
    pub n: usize,
    /// Number of points.
    pub m: usize,
    /// Number of observations.
    pub p: usize,
    /// `11 n` camera parameters, camera `i` at `cams[11 i..11 i + 11]`.
    pub cams: Vec<f64>,
    /// `3 m` point coordinates.
    pub x: Vec<f64>,
    /// `p` observation weights.
    pub w: Vec<f64>,
    /// `2 p` indices: observation `i` sees point `obs[2 i + 1]` from camera `obs[2 i]`.
    pub obs: Vec<usize>,
    /// `2 p` observed image coordinates.
    pub feats: Vec<f64>,
}

impl BaInput {
    /// The parameters in ADBench's column order: `[cams (11 n), X (3 m), w (p)]`.
    pub fn theta(&self) -> Vec<f64> {
        let mut theta = Vec::with_capacity(self.cams.len() + self.x.len() + self.w.len());
        theta.extend_from_slice(&self.cams);
        theta.extend_from_slice(&self.x);
        theta.extend_from_slice(&self.w);
        theta
    }

    /// Number of residuals, `2 p + p`.
    pub fn n_residuals(&self) -> usize {
        3 * self.p
    }

    /// Number of parameters, `11 n + 3 m + p`.
    pub fn n_params(&self) -> usize {
        CAM * self.n + 3 * self.m + self.p
    }

    /// Observation `i`: its camera, point, weight and feature.
    pub fn observation(&self, i: usize) -> ([f64; CAM], [f64; 3], f64, [f64; 2]) {
        let c = self.obs[2 * i];
        let pt = self.obs[2 * i + 1];
        let cam: [f64; CAM] = self.cams[CAM * c..CAM * c + CAM].try_into().unwrap();
        let x: [f64; 3] = self.x[3 * pt..3 * pt + 3].try_into().unwrap();
        let feat = [self.feats[2 * i], self.feats[2 * i + 1]];
        (cam, x, self.w[i], feat)
    }
}

/// Parses ADBench's BA format: `n m p`, then one camera (11 values), one
/// point (3), one weight (1) and one feature (2), which ADBench replicates:
/// every camera, point, weight and feature is a copy of the one in the file,
/// and observation `i` uses camera `i % n` and point `i % m`.
pub fn parse_ba(text: &str) -> Result<BaInput, String> {
    let mut tokens = text.split_whitespace();
    let mut next = |what: &str| -> Result<&str, String> {
        tokens
            .next()
            .ok_or_else(|| format!("BA file ends before {what}"))
    };
    let int = |s: &str, what: &str| -> Result<usize, String> {
        s.parse::<usize>()
            .map_err(|e| format!("BA file: {what}: {s:?}: {e}"))
    };
    let n = int(next("n")?, "n")?;
    let m = int(next("m")?, "m")?;
    let p = int(next("p")?, "p")?;
    if n == 0 || m == 0 {
        return Err(format!("BA file: n = {n} and m = {m} must be positive"));
    }
    let mut read = |count: usize, what: &str| -> Result<Vec<f64>, String> {
        let mut v = Vec::with_capacity(count);
        for _ in 0..count {
            let s = next(what)?;
            v.push(
                s.parse::<f64>()
                    .map_err(|e| format!("BA file: {what}: {s:?}: {e}"))?,
            );
        }
        Ok(v)
    };
    let cam = read(CAM, "the camera")?;
    let x = read(3, "the point")?;
    let w = read(1, "the weight")?;
    let feat = read(2, "the feature")?;
    let obs = (0..p).flat_map(|i| [i % n, i % m]).collect();
    Ok(BaInput {
        n,
        m,
        p,
        cams: cam.repeat(n),
        x: x.repeat(m),
        w: w.repeat(p),
        obs,
        feats: feat.repeat(p),
    })
}

/// Reads an ADBench BA file (see [`parse_ba`]).
pub fn read_ba(path: &std::path::Path) -> Result<BaInput, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_ba(&text)
}

/// ADBench's `computeReprojError`: the reprojection residual of one
/// observation, `w (proj(cam, x) - feat)`, with `project` =
/// `rodrigues_rotate_point`, the perspective division, `radial_distort`, the
/// focal length and the principal point, inlined (a helper would run its
/// forward sweep again in reverse mode, joint mode) in ADBench's order of
/// operations.
#[differentiate(wrt(cam, x, w))]
pub fn reproj_error(cam: [f64; 11], x: [f64; 3], w: f64, feat: [f64; 2]) -> [f64; 2] {
    // Xo = X - C
    let xo0 = x[0] - cam[3];
    let xo1 = x[1] - cam[4];
    let xo2 = x[2] - cam[5];
    // rodrigues_rotate_point(r, Xo)
    let r0 = cam[0];
    let r1 = cam[1];
    let r2 = cam[2];
    let sqtheta = r0 * r0 + r1 * r1 + r2 * r2;
    let mut xc0 = 0.0;
    let mut xc1 = 0.0;
    let mut xc2 = 0.0;
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let theta_inverse = 1.0 / theta;
        let w0 = r0 * theta_inverse;
        let w1 = r1 * theta_inverse;
        let w2 = r2 * theta_inverse;
        let wx0 = w1 * xo2 - w2 * xo1;
        let wx1 = w2 * xo0 - w0 * xo2;
        let wx2 = w0 * xo1 - w1 * xo0;
        let tmp = (w0 * xo0 + w1 * xo1 + w2 * xo2) * (1.0 - costheta);
        xc0 = xo0 * costheta + wx0 * sintheta + w0 * tmp;
        xc1 = xo1 * costheta + wx1 * sintheta + w1 * tmp;
        xc2 = xo2 * costheta + wx2 * sintheta + w2 * tmp;
    } else {
        xc0 = xo0 + (r1 * xo2 - r2 * xo1);
        xc1 = xo1 + (r2 * xo0 - r0 * xo2);
        xc2 = xo2 + (r0 * xo1 - r1 * xo0);
    }
    // perspective division
    let u0 = xc0 / xc2;
    let u1 = xc1 / xc2;
    // radial_distort(k1, k2)
    let rsq = u0 * u0 + u1 * u1;
    let l = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    let d0 = u0 * l;
    let d1 = u1 * l;
    // focal length and principal point
    let proj0 = d0 * cam[6] + cam[7];
    let proj1 = d1 * cam[6] + cam[8];
    let mut err = [0.0; 2];
    err[0] = w * (proj0 - feat[0]);
    err[1] = w * (proj1 - feat[1]);
    err
}

/// ADBench's `computeZachWeightError`: `1 - w^2`.
#[differentiate]
pub fn weight_error(w: f64) -> f64 {
    1.0 - w * w
}

/// The residuals `[reproj_err (2 p: ex, ey per observation), w_err (p)]`,
/// written into `r` (length `3 p`): ADBench's `ba_objective`.
pub fn residuals_into(input: &BaInput, r: &mut [f64]) {
    let p = input.p;
    for i in 0..p {
        let (cam, x, w, feat) = input.observation(i);
        let e = reproj_error(cam, x, w, feat);
        r[2 * i] = e[0];
        r[2 * i + 1] = e[1];
    }
    for i in 0..p {
        r[2 * p + i] = weight_error(input.w[i]);
    }
}

/// The residuals as a new vector (see [`residuals_into`]).
pub fn residuals(input: &BaInput) -> Vec<f64> {
    let mut r = vec![0.0; input.n_residuals()];
    residuals_into(input, &mut r);
    r
}

/// The sparse Jacobian, as ADBench's `BASparseMat`: compressed rows
/// (`rows[i]..rows[i + 1]` index `cols` and `vals`), one 15-entry row per
/// reprojection residual (camera, point, weight columns), then one entry per
/// weight residual.
#[derive(Clone, Debug, Default)]
pub struct BaSparseMat {
    pub n: usize,
    pub m: usize,
    pub p: usize,
    pub n_rows: usize,
    pub n_cols: usize,
    pub rows: Vec<usize>,
    pub cols: Vec<usize>,
    pub vals: Vec<f64>,
}

impl BaSparseMat {
    /// An empty matrix for `input`'s sizes, with room for all its non-zeros.
    pub fn new(input: &BaInput) -> Self {
        let nnz = 2 * input.p * BLOCK + input.p;
        let mut rows = Vec::with_capacity(input.n_residuals() + 1);
        rows.push(0);
        BaSparseMat {
            n: input.n,
            m: input.m,
            p: input.p,
            n_rows: input.n_residuals(),
            n_cols: input.n_params(),
            rows,
            cols: Vec::with_capacity(nnz),
            vals: Vec::with_capacity(nnz),
        }
    }

    /// Empties the matrix, keeping its storage.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.rows.push(0);
        self.cols.clear();
        self.vals.clear();
    }

    /// ADBench's `insert_reproj_err_block`: the two rows of observation
    /// `obs`, from the 2 x 15 block `j` stored column by column
    /// (`j[2 col + row]`, columns: 11 camera, 3 point, 1 weight).
    pub fn insert_reproj_err_block(
        &mut self,
        obs: usize,
        cam: usize,
        pt: usize,
        j: &[f64; 2 * BLOCK],
    ) {
        for row in 0..2 {
            let last = *self.rows.last().unwrap();
            self.rows.push(last + BLOCK);
            for i in 0..CAM {
                self.cols.push(CAM * cam + i);
                self.vals.push(j[2 * i + row]);
            }
            let col_offset = CAM * self.n;
            let val_offset = 2 * CAM;
            for i in 0..3 {
                self.cols.push(col_offset + 3 * pt + i);
                self.vals.push(j[val_offset + 2 * i + row]);
            }
            self.cols.push(col_offset + 3 * self.m + obs);
            self.vals.push(j[val_offset + 6 + row]);
        }
    }

    /// ADBench's `insert_w_err_block`: the one entry of weight residual `i`.
    pub fn insert_w_err_block(&mut self, i: usize, value: f64) {
        let last = *self.rows.last().unwrap();
        self.rows.push(last + 1);
        self.cols.push(CAM * self.n + 3 * self.m + i);
        self.vals.push(value);
    }

    /// `J v`.
    pub fn times(&self, v: &[f64]) -> Vec<f64> {
        assert_eq!(v.len(), self.n_cols);
        (0..self.n_rows)
            .map(|r| {
                (self.rows[r]..self.rows[r + 1])
                    .map(|k| self.vals[k] * v[self.cols[k]])
                    .sum()
            })
            .collect()
    }

    /// `u^T J`.
    pub fn transpose_times(&self, u: &[f64]) -> Vec<f64> {
        assert_eq!(u.len(), self.n_rows);
        let mut out = vec![0.0; self.n_cols];
        for (r, &ur) in u.iter().enumerate() {
            for k in self.rows[r]..self.rows[r + 1] {
                out[self.cols[k]] += self.vals[k] * ur;
            }
        }
        out
    }
}

/// One observation's 2 x 15 Jacobian block, column by column.
pub type Block = [f64; 2 * BLOCK];

/// The block by reverse mode: one forward sweep and two reverse sweeps,
/// seeded with each residual (`reproj_error_vjp_many`).
pub fn block_ad_reverse(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    let mut j = [0.0; 2 * BLOCK];
    let (_, rows) = reproj_error_vjp_many(cam, x, w, feat, [[1.0, 0.0], [0.0, 1.0]]);
    for (row, (cam_bar, x_bar, w_bar)) in rows.iter().enumerate() {
        for i in 0..CAM {
            j[2 * i + row] = cam_bar[i];
        }
        for i in 0..3 {
            j[2 * (CAM + i) + row] = x_bar[i];
        }
        j[2 * (CAM + 3) + row] = *w_bar;
    }
    j
}

/// The block by forward mode: fifteen `_jvp` passes, one per input.
pub fn block_ad_forward(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    let mut j = [0.0; 2 * BLOCK];
    for col in 0..BLOCK {
        let mut dcam = [0.0; CAM];
        let mut dx = [0.0; 3];
        let mut dw = 0.0;
        if col < CAM {
            dcam[col] = 1.0;
        } else if col < CAM + 3 {
            dx[col - CAM] = 1.0;
        } else {
            dw = 1.0;
        }
        let (_, d) = reproj_error_jvp(cam, dcam, x, dx, w, dw, feat);
        j[2 * col] = d[0];
        j[2 * col + 1] = d[1];
    }
    j
}

/// The block by hand (ADBench's "Manual"): the chain rule through
/// `X - C`, the rotation, the perspective division, the distortion and the
/// focal length, with each stage's small Jacobian written out.
pub fn block_manual(cam: [f64; CAM], x: [f64; 3], w: f64, feat: [f64; 2]) -> Block {
    let xo = [x[0] - cam[3], x[1] - cam[4], x[2] - cam[5]];
    let r = [cam[0], cam[1], cam[2]];
    let sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
    // xc = R xo; dxc_dxo = R (row-major 3x3); dxc_dr (row-major 3x3).
    let mut xc = [0.0; 3];
    let mut dxc_dxo = [[0.0; 3]; 3];
    let mut dxc_dr = [[0.0; 3]; 3];
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let (s, c) = theta.sin_cos();
        let inv = 1.0 / theta;
        let wv = [r[0] * inv, r[1] * inv, r[2] * inv];
        let wx = [
            wv[1] * xo[2] - wv[2] * xo[1],
            wv[2] * xo[0] - wv[0] * xo[2],
            wv[0] * xo[1] - wv[1] * xo[0],
        ];
        let dot = wv[0] * xo[0] + wv[1] * xo[1] + wv[2] * xo[2];
        let omc = 1.0 - c;
        let tmp = dot * omc;
        for i in 0..3 {
            xc[i] = xo[i] * c + wx[i] * s + wv[i] * tmp;
        }
        // d xc / d theta, with w fixed.
        let mut dt = [0.0; 3];
        for i in 0..3 {
            dt[i] = -xo[i] * s + wx[i] * c + wv[i] * dot * s;
        }
        // d xc / d w (theta fixed): s [-xo]_x + omc (dot I + w xo^T).
        let mut dw = [
            [0.0, xo[2] * s, -xo[1] * s],
            [-xo[2] * s, 0.0, xo[0] * s],
            [xo[1] * s, -xo[0] * s, 0.0],
        ];
        for i in 0..3 {
            dw[i][i] += omc * dot;
            for k in 0..3 {
                dw[i][k] += omc * wv[i] * xo[k];
            }
        }
        // d xc / d r = dt w^T + dw (I - w w^T) / theta.
        for i in 0..3 {
            let dww = dw[i][0] * wv[0] + dw[i][1] * wv[1] + dw[i][2] * wv[2];
            for k in 0..3 {
                dxc_dr[i][k] = dt[i] * wv[k] + (dw[i][k] - dww * wv[k]) * inv;
            }
        }
        // The rotation matrix: c I + s [w]_x + omc w w^T.
        for i in 0..3 {
            for k in 0..3 {
                dxc_dxo[i][k] = omc * wv[i] * wv[k];
            }
            dxc_dxo[i][i] += c;
        }
        dxc_dxo[0][1] -= s * wv[2];
        dxc_dxo[0][2] += s * wv[1];
        dxc_dxo[1][0] += s * wv[2];
        dxc_dxo[1][2] -= s * wv[0];
        dxc_dxo[2][0] -= s * wv[1];
        dxc_dxo[2][1] += s * wv[0];
    } else {
        xc = [
            xo[0] + (r[1] * xo[2] - r[2] * xo[1]),
            xo[1] + (r[2] * xo[0] - r[0] * xo[2]),
            xo[2] + (r[0] * xo[1] - r[1] * xo[0]),
        ];
        dxc_dxo = [[1.0, -r[2], r[1]], [r[2], 1.0, -r[0]], [-r[1], r[0], 1.0]];
        dxc_dr = [
            [0.0, xo[2], -xo[1]],
            [-xo[2], 0.0, xo[0]],
            [xo[1], -xo[0], 0.0],
        ];
    }
    let iz = 1.0 / xc[2];
    let u = [xc[0] * iz, xc[1] * iz];
    let (k1, k2, f) = (cam[9], cam[10], cam[6]);
    let rsq = u[0] * u[0] + u[1] * u[1];
    let l = 1.0 + k1 * rsq + k2 * rsq * rsq;
    let d = [u[0] * l, u[1] * l];
    let proj = [d[0] * f + cam[7], d[1] * f + cam[8]];
    // d err / d u = w f (L I + u (dL/du)^T), dL/du = 2 (k1 + 2 k2 rsq) u.
    let dl = 2.0 * (k1 + 2.0 * k2 * rsq);
    let wf = w * f;
    let de_du = [
        [wf * (l + dl * u[0] * u[0]), wf * dl * u[0] * u[1]],
        [wf * dl * u[1] * u[0], wf * (l + dl * u[1] * u[1])],
    ];
    // d u / d xc = [[1/z, 0, -x/z^2], [0, 1/z, -y/z^2]]; a = d err / d xc.
    let mut a = [[0.0; 3]; 2];
    for row in 0..2 {
        a[row][0] = de_du[row][0] * iz;
        a[row][1] = de_du[row][1] * iz;
        a[row][2] = -(de_du[row][0] * u[0] + de_du[row][1] * u[1]) * iz;
    }
    let mut j = [0.0; 2 * BLOCK];
    for row in 0..2 {
        for k in 0..3 {
            let mut jr = 0.0;
            let mut jx = 0.0;
            for i in 0..3 {
                jr += a[row][i] * dxc_dr[i][k];
                jx += a[row][i] * dxc_dxo[i][k];
            }
            j[2 * k + row] = jr; // rotation
            j[2 * (3 + k) + row] = -jx; // centre
            j[2 * (CAM + k) + row] = jx; // point
        }
        j[2 * 6 + row] = w * d[row]; // f
        j[2 * 9 + row] = wf * u[row] * rsq; // k1
        j[2 * 10 + row] = wf * u[row] * rsq * rsq; // k2
        j[2 * (CAM + 3) + row] = proj[row] - feat[row]; // w
    }
    j[2 * 7] = w; // u0 (row 0)
    j[2 * 8 + 1] = w; // v0 (row 1)
    j
}

/// Fills `jac` (from [`BaSparseMat::new`]) with the whole Jacobian, each
/// reprojection block from `block`, each weight residual's derivative
/// `-2 w` from `weight_error_grad`.
pub fn jacobian_into(
    input: &BaInput,
    jac: &mut BaSparseMat,
    block: impl Fn([f64; CAM], [f64; 3], f64, [f64; 2]) -> Block,
) {
    jac.clear();
    for i in 0..input.p {
        let (cam, x, w, feat) = input.observation(i);
        let j = block(cam, x, w, feat);
        jac.insert_reproj_err_block(i, input.obs[2 * i], input.obs[2 * i + 1], &j);
    }
    for i in 0..input.p {
        let (_, dw) = weight_error_grad(input.w[i]);
        jac.insert_w_err_block(i, dw);
    }
}

/// The whole Jacobian as a new matrix (see [`jacobian_into`]).
pub fn jacobian(
    input: &BaInput,
    block: impl Fn([f64; CAM], [f64; 3], f64, [f64; 2]) -> Block,
) -> BaSparseMat {
    let mut jac = BaSparseMat::new(input);
    jacobian_into(input, &mut jac, block);
    jac
}

/// `J v` by forward mode over the whole residual vector, without forming
/// `J`: one `_jvp` per observation along `v`'s entries of its camera, point
/// and weight.
pub fn jvp(input: &BaInput, v: &[f64]) -> Vec<f64> {
    let (n, m, p) = (input.n, input.m, input.p);
    let mut out = vec![0.0; 3 * p];
    for i in 0..p {
        let (cam, x, w, feat) = input.observation(i);
        let (c, pt) = (input.obs[2 * i], input.obs[2 * i + 1]);
        let dcam: [f64; CAM] = v[CAM * c..CAM * c + CAM].try_into().unwrap();
        let dx: [f64; 3] = v[CAM * n + 3 * pt..CAM * n + 3 * pt + 3]
            .try_into()
            .unwrap();
        let dw = v[CAM * n + 3 * m + i];
        let (_, d) = reproj_error_jvp(cam, dcam, x, dx, w, dw, feat);
        out[2 * i] = d[0];
        out[2 * i + 1] = d[1];
        out[2 * p + i] = weight_error_jvp(input.w[i], dw).1;
    }
    out
}

/// `u^T J` by reverse mode, without forming `J`: one `_vjp` per observation
/// seeded with its two entries of `u`, accumulated into the parameters'
/// cotangent.
pub fn vjp(input: &BaInput, u: &[f64]) -> Vec<f64> {
    let (n, m, p) = (input.n, input.m, input.p);
    let mut out = vec![0.0; input.n_params()];
    for i in 0..p {
        let (cam, x, w, feat) = input.observation(i);
        let (c, pt) = (input.obs[2 * i], input.obs[2 * i + 1]);
        let (_, cam_bar, x_bar, w_bar) =
            reproj_error_vjp(cam, x, w, feat, [u[2 * i], u[2 * i + 1]]);
        for k in 0..CAM {
            out[CAM * c + k] += cam_bar[k];
        }
        for k in 0..3 {
            out[CAM * n + 3 * pt + k] += x_bar[k];
        }
        out[CAM * n + 3 * m + i] += w_bar + weight_error_vjp(input.w[i], u[2 * p + i]).1;
    }
    out
}
