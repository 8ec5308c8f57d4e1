//! The same function differentiated wherever it may stand: at a module's
//! level, in a nested module, in a function's body, in an `impl` block with
//! and without a receiver, and written by a `macro_rules!` macro. Where the
//! macro reads the scope from the source file, `f_jvp` and `f_vjp` call the
//! hidden wrappers that hold the bodies; in a macro's output it cannot, and
//! every item holds its own copy. Each form must give the same derivatives,
//! checked against the analytic ones of `f(x, a) = a x^3 + sin(a x)` (and
//! through a caller, which reaches `f` through its split form).

use ad::differentiate;

fn value(x: f64, a: f64) -> f64 {
    a * x * x * x + (a * x).sin()
}

/// (df/dx, df/da, d2f/dx2, d2f/dxda, d2f/da2)
fn partials(x: f64, a: f64) -> (f64, f64, f64, f64, f64) {
    let c = (a * x).cos();
    let s = (a * x).sin();
    (
        3.0 * a * x * x + a * c,
        x * x * x + x * c,
        6.0 * a * x - a * a * s,
        3.0 * x * x + c - a * x * s,
        -x * x * s,
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// Checks the four derivatives of one form at a few points.
macro_rules! check_form {
    ($jvp:expr, $vjp:expr, $grad:expr, $hvp:expr) => {
        for &(x, a) in &[(0.3, 1.7), (-1.2, 0.4), (2.0, -0.9)] {
            let (fx, fa, fxx, fxa, faa) = partials(x, a);
            let f = value(x, a);
            let (v, d) = $jvp(x, 0.5, a, -2.0);
            assert!(close(v, f) && close(d, 0.5 * fx - 2.0 * fa), "jvp at {x}");
            let (v, bx, ba) = $vjp(x, a, 3.0);
            assert!(
                close(v, f) && close(bx, 3.0 * fx) && close(ba, 3.0 * fa),
                "vjp at {x}"
            );
            let (v, gx, ga) = $grad(x, a);
            assert!(close(v, f) && close(gx, fx) && close(ga, fa), "grad at {x}");
            let (v, gx, ga, hx, ha) = $hvp(x, 0.5, a, -2.0);
            assert!(
                close(v, f) && close(gx, fx) && close(ga, fa),
                "hvp's gradient at {x}"
            );
            assert!(close(hx, 0.5 * fxx - 2.0 * fxa), "hvp at {x}");
            assert!(close(ha, 0.5 * fxa - 2.0 * faa), "hvp at {x}");
        }
    };
}

#[differentiate]
fn at_module_level(x: f64, a: f64) -> f64 {
    a * x * x * x + (a * x).sin()
}

/// A caller: reaches `at_module_level` through its split form (first
/// order) and its forward wrapper.
#[differentiate]
fn caller(x: f64, a: f64) -> f64 {
    2.0 * at_module_level(x, a)
}

mod nested {
    use ad::differentiate;

    #[differentiate]
    pub fn in_module(x: f64, a: f64) -> f64 {
        a * x * x * x + (a * x).sin()
    }
}

struct Model {
    scale: f64,
}

impl Model {
    #[differentiate]
    fn associated(x: f64, a: f64) -> f64 {
        a * x * x * x + (a * x).sin()
    }

    #[differentiate]
    fn method(&self, x: f64, a: f64) -> f64 {
        self.scale * (a * x * x * x + (a * x).sin())
    }

    #[differentiate]
    fn calls_associated(x: f64, a: f64) -> f64 {
        Self::associated(x, a) * 2.0
    }
}

/// Written by a macro: the name comes from the macro's input.
macro_rules! define {
    ($name:ident) => {
        #[differentiate]
        fn $name(x: f64, a: f64) -> f64 {
            a * x * x * x + (a * x).sin()
        }
    };
}
define!(from_macro);

/// Written by a macro, with a name of its own.
macro_rules! define_fixed {
    () => {
        #[differentiate]
        fn fixed_in_macro(x: f64, a: f64) -> f64 {
            a * x * x * x + (a * x).sin()
        }
    };
}
define_fixed!();

#[test]
fn every_scope_gives_the_same_derivatives() {
    check_form!(
        at_module_level_jvp,
        at_module_level_vjp,
        at_module_level_grad,
        at_module_level_hvp
    );
    check_form!(
        nested::in_module_jvp,
        nested::in_module_vjp,
        nested::in_module_grad,
        nested::in_module_hvp
    );
    check_form!(
        Model::associated_jvp,
        Model::associated_vjp,
        Model::associated_grad,
        Model::associated_hvp
    );
    let m = Model { scale: 1.0 };
    check_form!(
        |x, dx, a, da| m.method_jvp(x, dx, a, da),
        |x, a, d| m.method_vjp(x, a, d),
        |x, a| m.method_grad(x, a),
        |x, dx, a, da| m.method_hvp(x, dx, a, da)
    );
    check_form!(
        from_macro_jvp,
        from_macro_vjp,
        from_macro_grad,
        from_macro_hvp
    );
    check_form!(
        fixed_in_macro_jvp,
        fixed_in_macro_vjp,
        fixed_in_macro_grad,
        fixed_in_macro_hvp
    );

    #[differentiate]
    fn in_a_body(x: f64, a: f64) -> f64 {
        a * x * x * x + (a * x).sin()
    }
    check_form!(in_a_body_jvp, in_a_body_vjp, in_a_body_grad, in_a_body_hvp);
}

#[test]
fn callers_reach_the_helpers_in_every_scope() {
    let half = |(v, gx, ga): (f64, f64, f64)| (v / 2.0, gx / 2.0, ga / 2.0);
    check_form!(
        |x, dx, a, da| {
            let (v, d) = caller_jvp(x, dx, a, da);
            (v / 2.0, d / 2.0)
        },
        |x, a, d| half(caller_vjp(x, a, d)),
        |x, a| half(caller_grad(x, a)),
        |x, dx, a, da| {
            let (v, gx, ga, hx, ha) = caller_hvp(x, dx, a, da);
            (v / 2.0, gx / 2.0, ga / 2.0, hx / 2.0, ha / 2.0)
        }
    );
    check_form!(
        |x, dx, a, da| {
            let (v, d) = Model::calls_associated_jvp(x, dx, a, da);
            (v / 2.0, d / 2.0)
        },
        |x, a, d| half(Model::calls_associated_vjp(x, a, d)),
        |x, a| half(Model::calls_associated_grad(x, a)),
        |x, dx, a, da| {
            let (v, gx, ga, hx, ha) = Model::calls_associated_hvp(x, dx, a, da);
            (v / 2.0, gx / 2.0, ga / 2.0, hx / 2.0, ha / 2.0)
        }
    );
}

/// A parameter left out of `wrt`: the thin `f_vjp` drops its place in the
/// wrapper's result.
#[differentiate(wrt(a))]
fn only_in_a(x: f64, n: usize, a: f64) -> f64 {
    a * x * x * x * n as f64 + (a * x).sin()
}

#[test]
fn a_parameter_left_out_keeps_its_place() {
    let (x, a) = (0.7, 1.3);
    let (_, fa, _, _, faa) = partials(x, a);
    let fa1 = fa + (x * x * x); // n = 2: one more a x^3 term
    let (v, d) = only_in_a_jvp(x, 2, a, 1.0);
    assert!(close(v, value(x, a) + a * x * x * x) && close(d, fa1));
    let (_, ba) = only_in_a_vjp(x, 2, a, 2.0);
    assert!(close(ba, 2.0 * fa1));
    let (_, ga) = only_in_a_grad(x, 2, a);
    assert!(close(ga, fa1));
    let (_, ga, ha) = only_in_a_hvp(x, 2, a, 1.0);
    assert!(close(ga, fa1) && close(ha, faa));
}
