//! Compile-time automatic differentiation for Rust, by source transformation.
//!
//! [`#[differentiate]`](macro@differentiate) rewrites a plain Rust function
//! into its forward-mode, reverse-mode and second-order derivatives, as
//! ordinary Rust that rustc optimises like the original: no tape, no graph,
//! no interpreter at run time, on stable Rust.
//!
//! ```
//! use ad::differentiate;
//!
//! // The lecture's graph f = (x + y) z.
//! #[differentiate]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! // At (-2, 5, -4): the value -12 and the gradient (z, z, x + y).
//! assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, -4.0, -4.0, 3.0));
//! // Forward mode along x: (value, df/dx).
//! assert_eq!(f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0), (-12.0, -4.0));
//! // Reverse mode for an output cotangent of 2.
//! assert_eq!(f_vjp(-2.0, 5.0, -4.0, 2.0), (-12.0, -8.0, -8.0, 6.0));
//! ```
//!
//! # Contents
//!
//! - [What the macro generates](#what-the-macro-generates): `f_jvp`, `f_vjp`,
//!   `f_grad`, `f_hvp`
//! - [Activity](#activity): which inputs are differentiated
//! - [Supported code](#supported-code), [arrays, outputs and
//!   buffers](#arrays-outputs-and-buffers), [methods and
//!   generics](#methods-and-generic-functions)
//! - [Vectors and matrices (nalgebra)](#vectors-and-matrices-nalgebra)
//! - [Parameter structs](#parameter-structs): `#[derive(Differentiable)]`
//! - [Calls and custom rules](#calls-and-custom-rules)
//! - [Conventions at non-differentiable
//!   points](#conventions-at-non-differentiable-points)
//! - [Memory of reverse mode](#memory-of-reverse-mode)
//! - [Second order](#second-order)
//! - [Checking derivatives](#checking-derivatives), [reading the generated
//!   code](#reading-the-generated-code), [errors](#errors)
//! - [Minimum supported Rust version](#minimum-supported-rust-version)
//!
//! # What the macro generates
//!
//! For `#[differentiate] pub fn f(x: f64, y: f64) -> f64`, the macro keeps
//! `f` unchanged and adds, with the same visibility and in the same scope
//! (free functions next to a free function, methods in the same `impl` block
//! next to a method):
//!
//! | item | signature | meaning |
//! |---|---|---|
//! | `f_jvp` | `(x, dx, y, dy) -> (out, dout)` | forward mode: the value and the directional derivative; every active input is followed by its tangent, of the same type |
//! | `f_vjp` | `(x, y, dout) -> (out, x_bar, y_bar)` | reverse mode: the value, then the cotangent of every active input in order, for the output cotangent `dout` (of the output's type) |
//! | `f_grad` | `(x, y) -> (out, x_bar, y_bar)` | `f_vjp` seeded with one; generated when the output type is written `f32`, `f64` or `T` with `T: Real` (or num-traits' `T: Float`) |
//! | `f_hvp` | `(x, vx, y, vy) -> (out, x_bar, y_bar, hv_x, hv_y)` | forward over reverse: the value, the gradient, and the Hessian-vector product `H v` split by input; generated with `f_grad` |
//!
//! With one active input the tuples are shorter: `g_grad(x) -> (out, x_bar)`.
//! Each item below is shown on `f(x, y) = x^2 y + sin y`, whose gradient is
//! `(2 x y, x^2 + cos y)` and whose Hessian is `[[2 y, 2 x], [2 x, -sin y]]`.
//!
//! **`f_jvp`**, forward mode: one pass gives the derivative along one
//! direction `(dx, dy)`, that is `J (dx, dy)`; a full gradient needs one pass
//! per input.
//!
//! ```
//! # use ad::differentiate;
//! # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * (1.0 + b.abs()) }
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     x * x * y + y.sin()
//! }
//!
//! let (x, y) = (3.0, 0.5);
//! // Along (1, 0): df/dx = 2 x y.
//! let (value, dx) = f_jvp(x, 1.0, y, 0.0);
//! assert!(close(value, 4.5 + 0.5f64.sin()));
//! assert!(close(dx, 2.0 * x * y));
//! // Along (1, 2): df/dx + 2 df/dy.
//! let (_, d) = f_jvp(x, 1.0, y, 2.0);
//! assert!(close(d, 2.0 * x * y + 2.0 * (x * x + y.cos())));
//! ```
//!
//! **`f_vjp`**, reverse mode: one pass gives the cotangent of every input for
//! one output cotangent, `J^T dout` (the lecture's backward pass, started
//! from the upstream gradient `dout`).
//!
//! ```
//! # use ad::differentiate;
//! # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * (1.0 + b.abs()) }
//! # #[differentiate]
//! # fn f(x: f64, y: f64) -> f64 {
//! #     x * x * y + y.sin()
//! # }
//! let (x, y) = (3.0, 0.5);
//! let (value, x_bar, y_bar) = f_vjp(x, y, 2.0);
//! assert_eq!(value, f(x, y));
//! assert!(close(x_bar, 2.0 * (2.0 * x * y)));
//! assert!(close(y_bar, 2.0 * (x * x + y.cos())));
//! ```
//!
//! **`f_grad`**, the gradient of a scalar output: `f_vjp` with `dout = 1`.
//!
//! ```
//! # use ad::differentiate;
//! # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * (1.0 + b.abs()) }
//! # #[differentiate]
//! # fn f(x: f64, y: f64) -> f64 {
//! #     x * x * y + y.sin()
//! # }
//! let (x, y) = (3.0, 0.5);
//! let (value, gx, gy) = f_grad(x, y);
//! assert_eq!(value, f(x, y));
//! assert!(close(gx, 2.0 * x * y) && close(gy, x * x + y.cos()));
//! ```
//!
//! **`f_hvp`**, the Hessian-vector product `H v` for a direction
//! `v = (vx, vy)`, with the value and the gradient, in one pass.
//!
//! ```
//! # use ad::differentiate;
//! # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-14 * (1.0 + b.abs()) }
//! # #[differentiate]
//! # fn f(x: f64, y: f64) -> f64 {
//! #     x * x * y + y.sin()
//! # }
//! let (x, y) = (3.0, 0.5);
//! let (value, gx, gy, hx, hy) = f_hvp(x, 1.0, y, 2.0);
//! assert_eq!((value, gx, gy), f_grad(x, y));
//! // H v = [[2 y, 2 x], [2 x, -sin y]] (1, 2)
//! assert!(close(hx, 2.0 * y + 2.0 * 2.0 * x));
//! assert!(close(hy, 2.0 * x - 2.0 * y.sin()));
//! ```
//!
//! Each generated item has a doc comment of its own, so `cargo doc` on a
//! crate that uses the macro lists it next to `f`.
//!
//! # Activity
//!
//! - **Active inputs** get a tangent in `f_jvp` and a cotangent in `f_vjp`:
//!   the parameters whose type is written `f32`, `f64`, `T` with `T: Real` or `T: Float`,
//!   or an array of them (below), or exactly the parameters named in
//!   `#[differentiate(wrt(a, b))]`.
//! - **Inactive inputs** (integers, `bool`, `&str`, any other type, and
//!   floats left out of `wrt`) are passed through unchanged in their original
//!   position, with no tangent and no cotangent. They can still steer the
//!   computation (loop bounds, exponents, branches).
//!
//! Inside the body only values that depend on an active input *and* that the
//! output depends on get derivative code: a constant such as
//! `let c = 1.0f64.tanh();` costs nothing in the derivatives.
//!
//! ```
//! use ad::differentiate;
//!
//! // `n` is an integer: inactive.
//! #[differentiate]
//! fn power(x: f64, n: i32) -> f64 {
//!     x.powi(n)
//! }
//! assert_eq!(power_grad(2.0, 3), (8.0, 12.0)); // 3 x^2
//! assert_eq!(power_jvp(2.0, 0.5, 3), (8.0, 6.0));
//!
//! // Only the weight is differentiated; the data `x`, `y` pass through.
//! #[differentiate(wrt(w))]
//! fn squared_error(w: f64, x: f64, y: f64) -> f64 {
//!     let r = w * x - y;
//!     r * r
//! }
//! let (w, x, y) = (0.5, 2.0, 3.0);
//! // d/dw (w x - y)^2 = 2 (w x - y) x; d2/dw2 = 2 x^2.
//! assert_eq!(squared_error_grad(w, x, y), (4.0, -8.0));
//! assert_eq!(squared_error_hvp(w, 1.0, x, y), (4.0, -8.0, 8.0));
//! ```
//!
//! A type alias of `f64` is not recognised by name (the macro sees syntax,
//! not types): a parameter `x: Scalar` is inactive unless named in `wrt`.
//!
//! # Supported code
//!
//! Scalar code over `f32` and `f64`, with control flow and arrays:
//!
//! - `let` with shadowing, type annotations, tuple patterns and blocks as
//!   values; literals, constants (`std::f64::consts::PI`), parentheses,
//!   unary minus, `+ - * /`;
//! - assignment and compound assignment `= += -= *= /=` of `let mut` locals
//!   and `mut` parameters, anywhere (in branches and loops too);
//! - casts: `n as f64` of integers (a constant), and `x as f32` / `x as f64`
//!   between float types;
//! - the float methods, both as `x.sin()` and as `f64::sin(x)`: `sin cos tan
//!   asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 exp_m1 ln
//!   ln_1p log log2 log10 sqrt cbrt powi powf recip abs signum hypot max min
//!   mul_add clamp`, each with its first and second derivative in one table
//!   (`ad-runtime`'s `scalar` module); piecewise-constant and inspecting
//!   methods (`floor ceil round trunc is_nan len ...`) and comparisons are
//!   constants of the derivative;
//! - `if` / `else if` / `else` as statements and as values, with conditions
//!   on active or inactive values (the derivative is that of the branch
//!   taken); `match` on inactive values;
//! - `for` over any iterator of inactive values (`a..b`, `a..=b`, `.rev()`,
//!   `.step_by(k)`), `while`, `loop`, `break`, `continue`, nested loops, and
//!   `return` anywhere;
//! - calls to other differentiated functions and to primitives with custom
//!   rules ([below](#calls-and-custom-rules)), recursion included; their
//!   arguments may be active slices, sub-slices (`&x[a..b]`), arrays, `Vec`s,
//!   nalgebra values and in/out buffers, whole or ranges of arrays
//!   (`rhs(t, &y, &mut dydt)`, `rhs(t, &y, &mut d[2..4])`), their results
//!   arrays, `Vec`s, matrices and tuples (`let (a, b) = g(x);`);
//! - array patterns `let [x1, x2] = *p;`, destructuring assignment
//!   `(a, b) = (b, a + b);`, whole-array copies (`x.to_vec()`,
//!   `x[a..b].to_vec()`, `u = un;`, nalgebra's `clone_owned()`),
//!   `copy_from_slice` and `fill`;
//! - `Vec`s grown with `push` (from `Vec::new()`, `Vec::with_capacity(n)`,
//!   `vec![]` or a copy, in loops and branches, returned or passed on) and
//!   `extend_from_slice(&x[a..b])`.
//!
//! ```
//! use ad::differentiate;
//!
//! /// x^k by repeated multiplication, then a piecewise definition.
//! #[differentiate]
//! fn pow_loop(x: f64, k: usize) -> f64 {
//!     let mut t = 1.0;
//!     for _ in 0..k {
//!         t *= x;
//!     }
//!     if t > 100.0 {
//!         return 100.0;
//!     }
//!     t
//! }
//! assert_eq!(pow_loop_grad(2.0, 3), (8.0, 12.0)); // 3 x^2
//! assert_eq!(pow_loop_hvp(2.0, 1.0, 3), (8.0, 12.0, 12.0)); // 6 x
//! assert_eq!(pow_loop_grad(5.0, 3), (100.0, 0.0)); // the constant branch
//! ```
//!
//! ## Arrays, outputs and buffers
//!
//! - `&[f64]`, `[f64; N]` and `Vec<f64>` inputs are active; a `&[f64]` has a
//!   `&[f64]` tangent and an owned `Vec<f64>` cotangent of the same length,
//!   the others tangents and cotangents of their own type. Locals come from
//!   `vec![0.0; n]`, `vec![a, b]`, `[0.0; N]` and `[a, b]`; element reads
//!   `x[i]` and writes `r[i] = ...`, `r[i] += ...` take inactive indices.
//! - 2-D arrays, arrays of rows, are active too: `&[Vec<f64>]`,
//!   `&Vec<Vec<f64>>`, `Vec<Vec<f64>>`, `[[f64; N]; M]` and `&[[f64; N]]`
//!   inputs, with tangents of their own type and owned cotangents
//!   (`Vec<Vec<f64>>` for `&[Vec<f64>]` and `&Vec<Vec<f64>>`, `[[f64; N]; M]`
//!   for an array). Elements are read and written `a[r][c]` (`=`, `+=`,
//!   `-=`, `*=`); rows are passed to helpers (`dot(&a[r], x)`,
//!   `dot(&a[r][1..], x)`, a range of rows `&a[1..]`), copied
//!   (`a[r].to_vec()`) and written with `m[r].copy_from_slice(&v)` and
//!   `m[r].fill(x)`. Locals come from `vec![vec![0.0; n]; m]`,
//!   `[[0.0; N]; M]`, `[[a, b], [c, d]]` and `vec![row; m]`; outputs
//!   (`-> Vec<Vec<f64>>`, `-> [[f64; N]; M]`) and `&mut` buffers
//!   (`&mut [Vec<f64>]`, `&mut [[f64; N]]`) may be 2-D.
//! - A `Vec<f64>` or `[f64; N]` output: `f_jvp` returns the output and its
//!   tangent, and `f_vjp` takes an output cotangent of that type as its last
//!   argument. There is no `f_grad` or `f_hvp` for vector outputs. When the
//!   reverse mode records nothing on stacks (no overwrites inside loops),
//!   `f_vjp_many(.., douts: [Out; M]) -> (out, [cotangents; M])` also
//!   exists: one forward sweep, then the reverse sweep for all output
//!   cotangents, carried together in lanes for `f32`/`f64` code (unit
//!   cotangents give the rows of the Jacobian).
//! - A `&mut [f64]` parameter is an **in/out buffer**, as Enzyme's
//!   `Duplicated`: its initial contents are an input (when the body reads
//!   them) and its final contents an output (the ODE right-hand side
//!   `fn rhs(t: f64, y: &[f64], dydt: &mut [f64])`, or an update in place).
//!   In `f_jvp` it is followed by its tangent buffer: the tangent of the
//!   initial contents in, that of the final contents out. In `f_vjp` it is
//!   followed by its cotangent buffer: the cotangent of the final contents
//!   in, that of the initial contents out; the primal result is written into
//!   the buffer and the function returns the cotangents of the active inputs.
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn sum_of_squares(x: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..x.len() {
//!         s += x[i] * x[i];
//!     }
//!     s
//! }
//! let x = [1.0, -2.0, 3.0];
//! assert_eq!(sum_of_squares_grad(&x), (14.0, vec![2.0, -4.0, 6.0]));
//! assert_eq!(sum_of_squares_jvp(&x, &[1.0, 1.0, 0.0]), (14.0, -2.0));
//! // H = 2 I
//! assert_eq!(sum_of_squares_hvp(&x, &[0.0, 1.0, 0.5]).2, vec![0.0, 2.0, 1.0]);
//!
//! /// A `[f64; 2]` output: polar to Cartesian coordinates.
//! #[differentiate]
//! fn cartesian(r: f64, theta: f64) -> [f64; 2] {
//!     let mut p = [0.0; 2];
//!     p[0] = r * theta.cos();
//!     p[1] = r * theta.sin();
//!     p
//! }
//! let (r, theta) = (2.0, 0.0);
//! // J = [[cos, -r sin], [sin, r cos]] = [[1, 0], [0, 2]] at theta = 0.
//! assert_eq!(cartesian_jvp(r, 0.0, theta, 1.0), ([2.0, 0.0], [0.0, 2.0]));
//! assert_eq!(cartesian_vjp(r, theta, [1.0, 1.0]), ([2.0, 0.0], 1.0, 2.0));
//! // Both rows of J with one forward sweep.
//! let (p, rows) = cartesian_vjp_many(r, theta, [[1.0, 0.0], [0.0, 1.0]]);
//! assert_eq!((p, rows), ([2.0, 0.0], [(1.0, 0.0), (0.0, 2.0)]));
//!
//! /// An output buffer: dy/dt = -k y.
//! #[differentiate]
//! fn decay(k: f64, y: &[f64], dydt: &mut [f64]) {
//!     for i in 0..y.len() {
//!         dydt[i] = -k * y[i];
//!     }
//! }
//! let y = [1.0, 2.0];
//! let (mut dydt, mut tangent) = ([0.0; 2], [0.0; 2]);
//! decay_jvp(0.5, 1.0, &y, &[0.0, 0.0], &mut dydt, &mut tangent); // along k
//! assert_eq!((dydt, tangent), ([-0.5, -1.0], [-1.0, -2.0]));
//! let mut dydt_bar = [1.0, 1.0]; // the cotangent of the final contents
//! let (k_bar, y_bar) = decay_vjp(0.5, &y, &mut dydt, &mut dydt_bar);
//! assert_eq!((k_bar, y_bar), (-3.0, vec![-0.5, -0.5]));
//! // The initial contents were never read: their cotangent is zero.
//! assert_eq!(dydt_bar, [0.0, 0.0]);
//!
//! /// An update in place: x <- k x. The initial contents are an input.
//! #[differentiate]
//! fn scale(k: f64, x: &mut [f64]) {
//!     for i in 0..x.len() {
//!         x[i] = k * x[i];
//!     }
//! }
//! let (mut x, mut dx) = ([1.0, 2.0], [1.0, 0.0]); // along k and x[0]
//! scale_jvp(3.0, 1.0, &mut x, &mut dx);
//! assert_eq!((x, dx), ([3.0, 6.0], [1.0 + 3.0, 2.0]));
//! let (mut x, mut x_bar) = ([1.0, 2.0], [1.0, 1.0]);
//! let k_bar = scale_vjp(3.0, &mut x, &mut x_bar);
//! // d(sum of x_final)/dk = x0 + x1; d/dx_i = k.
//! assert_eq!((x, k_bar, x_bar), ([3.0, 6.0], 3.0, [3.0, 3.0]));
//!
//! /// A 2-D input, its rows passed to a helper: sum_r (a_r . x)^2.
//! #[differentiate]
//! fn rows_dot(a: &[Vec<f64>], x: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for r in 0..a.len() {
//!         let d = sum_of_squares(&a[r][..1]) + a[r][1] * x[1];
//!         s += d * x[0];
//!     }
//!     s
//! }
//! let a = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
//! let (v, a_bar, x_bar) = rows_dot_grad(&a, &[0.5, 1.0]);
//! // s = x0 (a00^2 + a01 x1 + a10^2 + a11 x1): by hand.
//! assert_eq!(v, 0.5 * (1.0 + 2.0 + 9.0 + 4.0));
//! assert_eq!(a_bar, [vec![1.0, 0.5], vec![3.0, 0.5]]);
//! assert_eq!(x_bar, [16.0, 0.5 * (2.0 + 4.0)]);
//!
//! /// A 2-D output: the outer product x x^T.
//! #[differentiate]
//! fn outer(x: [f64; 2]) -> [[f64; 2]; 2] {
//!     let mut o = [[0.0; 2]; 2];
//!     for i in 0..2 {
//!         for j in 0..2 {
//!             o[i][j] = x[i] * x[j];
//!         }
//!     }
//!     o
//! }
//! // <C, d(x x^T)> = x^T (C + C^T) dx: for C = [[1, 0], [0, 0]], 2 x0 dx0.
//! assert_eq!(outer_vjp([3.0, 2.0], [[1.0, 0.0], [0.0, 0.0]]).1, [6.0, 0.0]);
//! ```
//!
//! ## Methods and generic functions
//!
//! In an inherent `impl` block, the receiver (`&self`, `&mut self`, `self`)
//! is inactive, its fields are read as data, and the generated items are
//! methods of the same block. A function generic over the float type,
//! `fn f<T: Real>(x: T) -> T` (the bound inline or in `where`), is
//! differentiated once for `f32` and `f64`; [`Real`] brings every rule the
//! generated code needs, and constants are written `T::ONE`,
//! `T::from_f64(0.5)`. `Real` is a subtrait of num-traits' `Float`
//! ([`num_traits`]), and generic code written against num-traits is
//! differentiated with its bounds as written: a type parameter bounded by
//! `Float` is the float type, and the generated items add
//! `T: ad::RealRules` ([`RealRules`]) to their where-clauses.
//!
//! ```
//! use ad::{differentiate, Real};
//!
//! struct Spring {
//!     k: f64,
//!     rest: f64,
//! }
//!
//! impl Spring {
//!     #[differentiate]
//!     fn energy(&self, x: f64) -> f64 {
//!         0.5 * self.k * (x - self.rest) * (x - self.rest)
//!     }
//! }
//! let s = Spring { k: 3.0, rest: 1.0 };
//! // Force k (x - rest), stiffness k.
//! assert_eq!(s.energy_grad(2.0), (1.5, 3.0));
//! assert_eq!(s.energy_hvp(2.0, 1.0), (1.5, 3.0, 3.0));
//!
//! #[differentiate]
//! fn cube<T: Real>(x: T) -> T {
//!     x * x * x
//! }
//! assert_eq!(cube_grad(2.0f32), (8.0f32, 12.0f32));
//! assert_eq!(cube_grad(2.0f64), (8.0f64, 12.0f64));
//!
//! // Written against num-traits, as argmin writes its test functions.
//! use ad::num_traits::{Float, FromPrimitive};
//!
//! #[differentiate]
//! fn booth<T: Float + FromPrimitive>(param: &[T; 2]) -> T {
//!     let [x1, x2] = *param;
//!     let n2 = T::from_f64(2.0).unwrap();
//!     (x1 + n2 * x2 - T::from_f64(7.0).unwrap()).powi(2) + (n2 * x1 + x2 - T::from(5).unwrap()).powi(2)
//! }
//! assert_eq!(booth_grad(&[1.0f64, 3.0]), (0.0, [0.0, 0.0]));
//! assert_eq!(booth_grad(&[0.0f32, 0.0]).1, [-34.0f32, -38.0]);
//! ```
//!
//! # Vectors and matrices (nalgebra)
//!
//! Parameters of nalgebra types (`DMatrix`, `DVector`, `RowDVector`,
//! `SMatrix`, `SVector` and aliases such as `Vector3`, of `f32`/`f64`, owned
//! or borrowed) are active; their tangents have the parameter's type and
//! their cotangents are owned values of its shape. [`nalgebra`] is
//! re-exported. The operators (`*` for matrix products, outer products and
//! scalings, `+`, `-`, `/` by a scalar, `+=`, `-=`), the methods
//! `transpose`, `dot`, `component_mul`, `component_div`, `sum`, `mean`,
//! `norm`, `norm_squared`, `add_scalar`, `column`, `row`, element reads and
//! writes, `from_element`, `.map(|v| ..)` (its body differentiated as scalar
//! code) and the functions of [`nn`] are differentiated; rules are chosen by
//! type and never form a Jacobian (the cotangents of `A x` are `y_bar x^T`
//! and `A^T y_bar`).
//!
//! ```
//! use ad::differentiate;
//! use ad::nalgebra::{DMatrix, DVector};
//! use ad::nn;
//!
//! /// Half the squared residual of a one-layer tanh model.
//! #[differentiate(wrt(w))]
//! fn loss(w: &DMatrix<f64>, x: &DVector<f64>, target: &DVector<f64>) -> f64 {
//!     let r = nn::tanh(&(w * x)) - target;
//!     0.5 * r.norm_squared()
//! }
//!
//! let w = DMatrix::from_row_slice(2, 2, &[0.5, -0.25, 0.125, 1.0]);
//! let x = DVector::from_vec(vec![1.0, 2.0]);
//! let target = DVector::from_vec(vec![0.0, 1.0]);
//! let (value, w_bar) = loss_grad(&w, &x, &target);
//! // By hand: y = tanh(W x), r = y - t, W_bar = (r .* (1 - y^2)) x^T.
//! let y = (&w * &x).map(|v| v.tanh());
//! let r = &y - &target;
//! let g = r.component_mul(&y.map(|v| 1.0 - v * v)) * x.transpose();
//! assert!((value - 0.5 * r.norm_squared()).abs() < 1e-15);
//! assert!((w_bar - g).norm() < 1e-15);
//! ```
//!
//! # Parameter structs
//!
//! `#[derive(ad::Differentiable)]` on a struct of parameters (named fields
//! or a tuple struct) implements the [`Differentiable`](trait@Differentiable)
//! trait field by field. Its fields are `f32` or `f64`, arrays and `Vec`s,
//! nalgebra vectors and matrices, other `Differentiable` structs and `Vec`s
//! of them, or the same over a type parameter `T: Real`, all of one float
//! type; a field marked `#[ad(skip)]` is configuration, carried along
//! unchanged (copied by `zero_like`, left alone by everything else). The
//! struct must be `Clone` too. The trait has what tangents, cotangents and
//! optimisers need (`zero_like`, `accumulate`, `axpy`, `scale_mut`, `dot`,
//! `norm`, `apply_scalars`, `zip_apply_scalars`) and a flat view
//! (`num_scalars`, `to_flat`, `copy_from_flat`) for finite-difference checks
//! and optimisers over flat vectors, so an optimiser is written once for
//! every model.
//!
//! ```
//! use ad::nalgebra::{DMatrix, DVector};
//! use ad::Differentiable;
//!
//! #[derive(Clone, Debug, PartialEq, ad::Differentiable)]
//! struct Layer {
//!     w: DMatrix<f64>,
//!     b: DVector<f64>,
//!     #[ad(skip)]
//!     activation: String,
//! }
//!
//! /// One step of gradient descent, for any parameter struct.
//! fn sgd_step<P: Differentiable>(p: &mut P, grad: &P, learning_rate: P::Scalar) {
//!     p.axpy(-learning_rate, grad);
//! }
//!
//! let mut p = Layer {
//!     w: DMatrix::from_element(2, 2, 1.0),
//!     b: DVector::from_element(2, 0.5),
//!     activation: "tanh".to_owned(),
//! };
//! let grad = Layer {
//!     w: DMatrix::from_element(2, 2, 2.0),
//!     b: DVector::from_element(2, -1.0),
//!     ..p.zero_like()
//! };
//! sgd_step(&mut p, &grad, 0.25);
//! assert_eq!(p.w, DMatrix::from_element(2, 2, 0.5));
//! assert_eq!(p.b, DVector::from_element(2, 0.75));
//! assert_eq!(p.activation, "tanh");
//! // Fields in order, matrices column by column, skipped fields left out.
//! assert_eq!(p.to_flat(), [0.5, 0.5, 0.5, 0.5, 0.75, 0.75]);
//! assert_eq!(grad.norm_squared(), 18.0);
//! ```
//!
//! A field of any other type is a compile error at the field, which says to
//! derive `Differentiable` on its type (if it holds parameters) or to mark
//! it `#[ad(skip)]` (if it is configuration); so is an enum.
//!
//! Not yet supported: `#[differentiate]` does not yet take a struct
//! parameter as active (`#[differentiate(wrt(p))]` on `p: &Params`, or
//! `wrt(self)`); that comes with a later change of the transform. Until
//! then, differentiate a function of the struct's fields, or write the
//! struct's gradient by hand and check it with [`check`] through
//! `to_flat` and `copy_from_flat`.
//!
//! # Calls and custom rules
//!
//! Inside a differentiated function, a call `g(a, n, b)` with an active
//! argument uses `g`'s derivatives in every mode. The macro cannot see `g`'s
//! signature at the call, so every differentiated `g` also gets hidden
//! wrappers with a uniform calling convention (a tangent after every
//! argument, a cotangent for every parameter). Reverse mode calls `g` in
//! *split* mode: the caller's forward pass runs `g`'s forward pass once,
//! which saves on the caller's stream and returns a pullback that the
//! caller's backward pass calls; memory is as if `g` were written inline.
//! `#[differentiate(joint)]` on `g` makes callers use *joint* mode for it
//! instead (Tapenade's term): they keep nothing of `g`, whose reverse mode
//! runs its forward pass again (recursive calls always do). A call to a function that has neither derivatives nor a custom rule does
//! not compile (`cannot find function __ad_vjp_g`).
//!
//! A **custom rule** is the lecture's "complex primitive": a node with a
//! hand-written local gradient, such as a sigmoid with `s (1 - s)` instead of
//! four nodes. Write the primitive, mark it `#[differentiate(custom)]`, and
//! put `g_jvp` and `g_vjp` beside it with the signatures of the contract.
//! For second order through the rule, also write `g_vjp_jvp`, the forward
//! derivative of `g_vjp` (`(x, dx, dout, ddout) -> ((value, x_bar), (dvalue,
//! dx_bar))`), and mark the primitive `custom(second_order)`; without it,
//! first order works and a caller's `_hvp` panics at the rule with a message
//! saying what to write.
//!
//! ```
//! use ad::differentiate;
//! # fn close(a: f64, b: f64) -> bool { (a - b).abs() <= 1e-15 * (1.0 + b.abs()) }
//!
//! fn sigmoid(x: f64) -> f64 {
//!     1.0 / (1.0 + (-x).exp())
//! }
//!
//! /// softplus(x) = ln(1 + e^x), whose derivative is the sigmoid.
//! #[differentiate(custom(second_order))]
//! fn softplus(x: f64) -> f64 {
//!     x.exp().ln_1p()
//! }
//!
//! fn softplus_jvp(x: f64, dx: f64) -> (f64, f64) {
//!     (softplus(x), sigmoid(x) * dx)
//! }
//!
//! fn softplus_vjp(x: f64, dout: f64) -> (f64, f64) {
//!     (softplus(x), sigmoid(x) * dout)
//! }
//!
//! /// The tangent of `softplus_vjp` along (dx, ddout); sigmoid' = s (1 - s).
//! fn softplus_vjp_jvp(x: f64, dx: f64, dout: f64, ddout: f64) -> ((f64, f64), (f64, f64)) {
//!     let s = sigmoid(x);
//!     ((softplus(x), s * dout), (s * dx, s * (1.0 - s) * dx * dout + s * ddout))
//! }
//!
//! /// A caller: the rule is used in every mode.
//! #[differentiate]
//! fn neuron(w: f64, x: f64) -> f64 {
//!     softplus(w * x)
//! }
//!
//! let (w, x) = (0.5, 2.0);
//! let s = sigmoid(w * x);
//! let (value, gw, gx) = neuron_grad(w, x);
//! assert!(close(value, softplus(1.0)) && close(gw, s * x) && close(gx, s * w));
//! // d2/dw2 = s (1 - s) x^2, d2/dx dw = s (1 - s) x w + s.
//! let (_, _, _, hw, hx) = neuron_hvp(w, 1.0, x, 0.0);
//! assert!(close(hw, s * (1.0 - s) * x * x));
//! assert!(close(hx, s * (1.0 - s) * x * w + s));
//! ```
//!
//! # Conventions at non-differentiable points
//!
//! Every mode calls the same rules, so the conventions are the same in
//! forward mode, reverse mode and second order:
//!
//! - `abs'(0) = 0`; `signum' = 0`; `floor`, `ceil`, `round`, `trunc` have
//!   derivative 0;
//! - `max` and `min` split the derivative evenly between equal arguments, and
//!   send it to the other argument when one is NaN (the one the function
//!   returns); `clamp(x, lo, hi)` is differentiated as `x.max(lo).min(hi)`;
//! - `powf(a, b)` has partial 0 in `b` at `a = 0` and 0 in `a` at `b = 0`;
//! - elsewhere IEEE arithmetic: `sqrt'(0) = inf`, `ln'(0) = inf`;
//! - at a branch boundary the derivative is that of the branch taken
//!   (`if x > 1.0` at `x = 1.0` differentiates the `else`).
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn abs(x: f64) -> f64 {
//!     x.abs()
//! }
//! #[differentiate]
//! fn max(x: f64, y: f64) -> f64 {
//!     x.max(y)
//! }
//! #[differentiate]
//! fn sqrt(x: f64) -> f64 {
//!     x.sqrt()
//! }
//! #[differentiate]
//! fn kink(x: f64) -> f64 {
//!     if x > 1.0 {
//!         2.0 * x
//!     } else {
//!         x * x * x
//!     }
//! }
//! assert_eq!(abs_grad(0.0), (0.0, 0.0));
//! assert_eq!(max_grad(1.0, 1.0), (1.0, 0.5, 0.5));
//! assert_eq!(max_grad(f64::NAN, 2.0), (2.0, 0.0, 1.0));
//! assert_eq!(sqrt_grad(0.0), (0.0, f64::INFINITY));
//! assert_eq!(kink_grad(1.0), (1.0, 3.0)); // the `else` branch: 3 x^2
//! ```
//!
//! # Memory of reverse mode
//!
//! `f_vjp` runs the primal statements (the forward pass), then walks them
//! backwards, multiplying each upstream gradient by the local gradient (the
//! backward pass). Straight-line values are fresh variables that the
//! backward pass reads directly: scalar code without loops allocates nothing.
//! What loops and branches overwrite is recorded, on stacks local to the
//! generated function (generated functions are re-entrant; only the stacks'
//! empty buffers are kept per thread between calls, see
//! [`release_stack_buffers`]), and only what the backward pass reads:
//!
//! - values about to be overwritten that the backward pass needs (`t *= x` in
//!   a loop saves the old `t`; `s += x[i]` saves nothing);
//! - one `bool` per execution of a branch inside a loop;
//! - one trip count per execution of a loop that can end early or whose
//!   bounds may change; a loop over `a..b` with stable bounds is replayed
//!   backwards from its bounds and records nothing.
//!
//! So the memory of the backward pass is
//! `(iterations) x (overwritten values it reads) + one flag per branch
//! execution in a loop + one count per loop execution`; it does not grow
//! with the number of operations. Temporaries of a statement are recomputed,
//! never saved. A top-level reduction loop (`s += ...` into an accumulator
//! that is only returned) runs once, computing each iteration's values and
//! adjoints together, with nothing recorded. A call to a differentiated
//! function records nothing of the callee and runs its forward pass again in
//! the backward pass, so memory follows the call depth, not the call count.
//!
//! ## Long loops: `#[checkpoint]`
//!
//! A loop that overwrites its state at every step (an ODE integrator, a
//! time-stepper, a recurrent network) makes the backward pass's memory grow
//! with the number of steps: RK4 for Lotka-Volterra records about 900 bytes
//! per step, 900 MB for a million steps (BENCHMARKS.md, "Long loops").
//! Write `#[checkpoint]` on the loop statement, or
//! `#[checkpoint(snapshots = S)]`, and reverse mode stores the loop's state
//! at no more than `S` snapshots instead, computes the steps between them
//! again, and reverses one step at a time (its forward pass recorded, then
//! its backward pass), following the binomial schedule of Griewank and
//! Walther's revolve. The memory is `S` states plus one step's records,
//! whatever the number of steps; the price is time: to reverse `n` steps,
//! each step runs at most `r` more times unrecorded, where `r` is the least
//! integer with `C(S + r, r) >= n`, and the total number of unrecorded
//! steps is the proven minimum for `n` and `S`,
//! [`checkpoint::optimal_advances`]`(n, S)` `= r n - C(S + r, r - 1)`
//! (the first forward pass included). An unrecorded step costs a primal step,
//! a recorded one several, so the gradient usually costs 1 to 2 times the
//! plain one, and less for loops whose records would not fit in the caches.
//! The result is the plain reverse mode's to the bit: the same operations on
//! the same numbers.
//!
//! The default `S` is 100 snapshots: each step runs at most once more up to
//! 101 steps, twice up to 5 151, three times up to 176 851, four times up to
//! 4.6 million. Fewer snapshots cost more time (`S = 10`: 13 extra runs of
//! each step for a million steps), more cost memory (`S` copies of the
//! state). `S` may be any expression of inactive values (`snapshots = n /
//! 100 + 1`).
//!
//! ```
//! use ad::differentiate;
//!
//! /// y' = -k sin(y) by explicit Euler, and the integral of y^2.
//! #[differentiate]
//! fn pendulum(y0: f64, k: f64, n: usize) -> f64 {
//!     let mut y = y0;
//!     let mut energy = 0.0;
//!     #[checkpoint(snapshots = 8)]
//!     for _ in 0..n {
//!         y = y - 1e-3 * k * y.sin();
//!         energy += 1e-3 * y * y;
//!     }
//!     energy
//! }
//!
//! // 10 000 steps, in 8 snapshots of (y, energy) and one step's records.
//! let (e, dy0, dk) = pendulum_grad(1.0, 2.0, 10_000);
//! let h = 1e-6;
//! let fd = (pendulum(1.0 + h, 2.0, 10_000) - pendulum(1.0 - h, 2.0, 10_000)) / (2.0 * h);
//! assert!((dy0 - fd).abs() < 1e-6 * fd.abs());
//! assert!(e > 0.0 && dk < 0.0);
//! // Each step ran at most 8 more times: C(8 + 7, 7) = 6 435 < 10 000
//! // <= C(8 + 8, 8) = 12 870.
//! assert_eq!(ad::checkpoint::repetitions(10_000, 8), 8);
//! ```
//!
//! The state is what the loop's body writes and was declared before it:
//! numbers, arrays, `Vec`s, nalgebra values, structs (`Clone`), the contents
//! of `&mut` buffer parameters, and inactive values (counters, a random
//! generator's state) alike; the body may contain anything a loop may (calls,
//! branches, inner loops). `f_vjp`, `f_grad` and `f_hvp` (the tangent
//! transform carries the snapshots' tangents along) follow the schedule;
//! `f_jvp` and the function itself run the loop as written (the attribute
//! is removed from every function the macro emits). `f_vjp_many` is not
//! generated for a function whose reverse mode records anything on stacks,
//! which includes a checkpointed loop.
//!
//! The attribute goes on a loop statement: a `for` over an ascending range
//! `a..b` or `a..=b`, a `while` or a `loop`, anywhere in the body (in a
//! branch, in another loop).
//! Checkpointed loops nest: an outer one's steps each hold an inner one, and
//! `n` steps of `m` inner steps need `S_outer + S_inner` snapshots, not
//! `n m` records. (A checkpointed loop inside a plain loop keeps, per
//! iteration of the plain loop, the snapshots of its first pass until the
//! reverse pass reaches it.) A `for` that cannot end early follows the schedule from its first pass.
//! A `while`, a `loop`, or a `for` with `break`, `continue` or `return` in
//! its body does not know its number of steps `n` in advance: its first
//! pass runs as written, counting the steps, after one snapshot of the
//! initial state, and the reverse pass runs the whole schedule from that
//! snapshot: `n` more unrecorded steps than the optimum, and one more state
//! during the first pass.
//!
//! # Second order
//!
//! A Hessian-vector product is backpropagation applied twice: `H v` is the
//! directional derivative of the gradient along `v`. `f_hvp` is generated
//! exactly so (JAX's `jvp(grad(f))`): the forward-mode transform applied to
//! the reverse-mode code of `f_grad`, at the source level, in one pass. Each
//! scalar rule states `f''` next to `f'`; the product and quotient rules have
//! their own tangents; values saved for the backward pass carry their
//! tangents beside them. It costs about two gradients (BENCHMARKS.md). For a
//! small problem, [`dense::hessian`] forms the whole matrix from `n`
//! products; for a large one, use `f_hvp` directly (Newton-CG, Lanczos).
//!
//! ```
//! use ad::differentiate;
//!
//! /// Rosenbrock's function in two variables.
//! #[differentiate]
//! fn rosenbrock(x: &[f64]) -> f64 {
//!     (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
//! }
//!
//! let x = [1.0, 1.0]; // the minimum: zero gradient
//! assert_eq!(rosenbrock_grad(&x), (0.0, vec![0.0, 0.0]));
//! // H = [[2 - 400 x1 + 1200 x0^2, -400 x0], [-400 x0, 200]]
//! let h = ad::dense::hessian(2, |v| rosenbrock_hvp(&x, v).2);
//! assert_eq!(h, vec![vec![802.0, -400.0], vec![-400.0, 200.0]]);
//! ```
//!
//! # Checking derivatives
//!
//! [`check`] has finite-difference checkers in the spirit of
//! `torch.autograd.gradcheck`; each returns a [`check::Report`] naming the
//! worst entry, and [`check::Report::assert_close`] makes it a test.
//!
//! ```
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64) -> f64 {
//!     (x * y).sin() + x.exp() / y
//! }
//!
//! let p = [0.3, 1.7];
//! let (_, gx, gy) = f_grad(p[0], p[1]);
//! ad::check::check_gradient(|p: &[f64]| f(p[0], p[1]), &p, &[gx, gy]).assert_close(1e-9, 1e-9);
//! ```
//!
//! # Reading the generated code
//!
//! `cargo expand` needs nightly. On stable, write
//! `#[differentiate(dump)]`: the macro prints the generated functions to
//! standard error when the crate is compiled (touch the file to see it
//! again). The README shows the lecture's `(x + y) z` graph beside its
//! generated reverse mode, and the forward and backward pass of the sigmoid
//! neuron as generated.
//!
//! # Errors
//!
//! Anything unsupported is a compile error at the narrowest span (the method
//! name, the operator, the parameter type) that says what is supported and
//! what to write instead, every mistake of a function in one build. The
//! original function is still emitted, so callers do not get a second wave
//! of errors. The macro never panics.
//!
//! ```compile_fail
//! use ad::differentiate;
//!
//! #[differentiate]
//! fn wrap(x: f64) -> f64 {
//!     x % 1.0 // error: the remainder operator `%` is not differentiated
//! }
//! ```
//!
//! Not supported in this release: the methods other than `push` and
//! `extend_from_slice` that grow, shrink or reorder an active array
//! (`insert`, `pop`, `truncate`, `swap`, ...), `push` onto an in/out buffer,
//! arrays nested three deep (`Vec<Vec<Vec<f64>>>`; 2-D arrays are
//! supported, see above) and whole rows of a 2-D array assigned (`m[r] = v`)
//! or bound by reference (`let row = &a[r];`), generic parameters other
//! than the float type, closures other than the body of `.map` on a
//! nalgebra value. Each is a compile error that says what to write instead.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89, the `rust-version` of the three manifests: nalgebra 0.35, the
//! runtime's dependency, needs it (`syn` 2, `proc-macro2` and `quote` need
//! 1.71), and these crates use nothing newer (clippy's `incompatible_msrv`
//! lint checks their use of the standard library against it). Tested on stable Rust 1.95, the
//! only stable toolchain this project is built with; older compilers are not
//! run in CI. Building this repository's own tests and benchmarks needs what
//! their dev-dependencies need (`trybuild`: 1.88).
#![warn(missing_docs)]

// Lets `::ad::...` paths in generated code resolve inside this crate too.
extern crate self as ad;

/// `#[differentiate]`, `#[differentiate(wrt(a, b))]`,
/// `#[differentiate(dump)]`, `#[differentiate(custom)]`,
/// `#[differentiate(custom(second_order))]`: see the [crate
/// documentation](crate) for the contract, what is supported and the
/// conventions.
///
/// The options:
///
/// - `wrt(a, b, ...)`: differentiate with respect to these parameters only
///   (the others pass through, without tangents or cotangents);
/// - `dump`: print the generated functions to standard error at build time;
/// - `custom`: `f` is a primitive whose `f_jvp` and `f_vjp` are written by
///   hand next to it; only the calling convention that lets differentiated
///   callers reach them is generated;
/// - `custom(second_order)`: as `custom`, and `f_vjp_jvp` (the forward
///   derivative of `f_vjp`) is hand-written too, for callers' `_hvp`.
///
/// ```
/// use ad::differentiate;
///
/// #[differentiate(wrt(x))]
/// fn scaled_exp(x: f64, scale: f64) -> f64 {
///     scale * x.exp()
/// }
///
/// // d/dx = scale e^x, d2/dx2 = scale e^x; `scale` is data.
/// assert_eq!(scaled_exp_grad(0.0, 3.0), (3.0, 3.0));
/// assert_eq!(scaled_exp_jvp(0.0, 2.0, 3.0), (3.0, 6.0));
/// assert_eq!(scaled_exp_vjp(0.0, 3.0, 0.5), (3.0, 1.5));
/// assert_eq!(scaled_exp_hvp(0.0, 1.0, 3.0), (3.0, 3.0, 3.0));
/// ```
pub use ad_macros::differentiate;
/// Derives [`Differentiable`](trait@Differentiable) for a parameter struct
/// (see [Parameter structs](crate#parameter-structs)).
pub use ad_macros::Differentiable;
pub use ad_runtime::check;
/// The binomial schedule behind `#[checkpoint]`, and its cost:
/// [`checkpoint::optimal_advances`]`(n, s)` steps computed again,
/// [`checkpoint::repetitions`]`(n, s)` runs of each step at most (see
/// [Memory of reverse mode](crate#memory-of-reverse-mode)).
pub use ad_runtime::checkpoint;
pub use ad_runtime::dense;
pub use ad_runtime::nn;
/// The num-traits version whose `Float` [`Real`] extends (generic code
/// written against num-traits can name it through here).
pub use ad_runtime::num_traits;
pub use ad_runtime::release_stack_buffers;
pub use ad_runtime::Differentiable;
pub use ad_runtime::Real;
pub use ad_runtime::RealRules;
/// The nalgebra version the rules are written for (use the same one).
pub use nalgebra;

/// Items used by generated code. Not part of the public API.
#[doc(hidden)]
pub mod __rt {
    pub use ad_runtime::*;
}
