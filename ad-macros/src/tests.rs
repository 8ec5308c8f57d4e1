//! Unit tests of the pipeline on `proc_macro2` token streams.

use crate::activity;
use crate::error::Errors;
use crate::expand::expand;
use crate::ir::{Expr, Stmt, VarKind};
use crate::lower::lower;
use crate::parse::{Model, Options};
use crate::pretty::pretty;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, ItemFn};

fn model_errors(item: &ItemFn, args: TokenStream) -> (Vec<bool>, Vec<String>) {
    let options = Options::parse(args).expect("options");
    let mut errors = Errors::default();
    let model = Model::from_syn(item, &options, &mut errors);
    let active = model.params.iter().map(|p| p.active).collect();
    let messages = match errors.check() {
        Ok(()) => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    };
    (active, messages)
}

fn generated(item: TokenStream) -> String {
    pretty(expand(TokenStream::new(), item))
}

#[test]
fn options_parse() {
    let o = Options::parse(quote!(wrt(a, b), dump)).unwrap();
    assert!(o.dump);
    let names: Vec<String> = o.wrt.unwrap().iter().map(|i| i.to_string()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(Options::parse(quote!(fast)).is_err());
    assert!(Options::parse(quote!(wrt(a::b))).is_err());
}

#[test]
fn float_parameters_are_active_others_pass_through() {
    let f: ItemFn = parse_quote! {
        fn f(x: f64, n: usize, y: f32, flag: bool, p: &Params, k: i32) -> f64 { x }
    };
    let (active, errors) = model_errors(&f, quote!());
    assert_eq!(active, [true, false, true, false, false, false]);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn type_parameters_bounded_by_real_or_float_are_float_scalars() {
    let f: ItemFn = parse_quote! {
        fn f<T: Float + FromPrimitive, U, V: num_traits::Float, W>(a: T, b: U, c: &[V], d: W) -> T
        where
            W: Copy + ad::Real,
        { a }
    };
    let (active, errors) = model_errors(&f, quote!());
    assert_eq!(active, [true, false, true, true]);
    assert!(errors.is_empty(), "{errors:?}");
    // The generated items add `RealRules` to those bounded by `Float`
    // alone, after the function's own predicates; the function keeps its
    // bounds as written.
    let out = generated(quote! {
        fn g<T: Float + FromPrimitive, R: Real>(x: T, y: R) -> T where R: Copy { x }
    });
    let vjp = out
        .split("fn g_vjp")
        .nth(1)
        .expect("g_vjp")
        .split('{')
        .next()
        .unwrap();
    assert!(vjp.contains("R: Copy, T: ::ad::RealRules"), "{vjp}");
    assert!(!vjp.contains("R: ::ad::RealRules"), "{vjp}");
    // Every generated item generic over `T`: the derivatives, hidden
    // wrappers and split forms.
    let generic: Vec<&str> = out
        .split("fn ")
        .skip(1)
        .filter(|f| !f.starts_with("g <") && f.split('(').next().unwrap().contains("T:"))
        .collect();
    assert!(generic.len() >= 6, "{out}");
    for f in generic {
        let sig = f.split('{').next().unwrap();
        assert!(sig.contains("T: ::ad::RealRules"), "{sig}");
    }
    let own = out
        .split("fn g <")
        .nth(1)
        .expect("g")
        .split('{')
        .next()
        .unwrap();
    assert!(!own.contains("RealRules"), "{own}");
}

#[test]
fn wrt_selects_and_reports_missing_names() {
    let f: ItemFn = parse_quote! { fn f(x: f64, y: f64, s: Scale) -> f64 { x } };
    let (active, errors) = model_errors(&f, quote!(wrt(y, s)));
    assert_eq!(active, [false, true, true]);
    assert!(errors.is_empty());
    let (_, errors) = model_errors(&f, quote!(wrt(x, z, w)));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("no parameter `z`"));
    assert!(errors[1].contains("no parameter `w`"));
}

#[test]
fn arrays_and_matrices_are_active() {
    let f: ItemFn = parse_quote! {
        fn f(x: &[f64], m: DMatrix<f64>, v: Vec<f64>, a: [f32; 3], out: &mut [f64], n: Vec<usize>, s: &Matrix3<f32>) -> f64 { 0.0 }
    };
    let (active, errors) = model_errors(&f, quote!());
    assert_eq!(active, [true, true, true, true, false, false, true]);
    assert!(errors.is_empty(), "{errors:?}");
    // A `&mut` matrix or array is an in/out buffer, not a constant.
    let f: ItemFn = parse_quote! {
        fn f(m: &mut DMatrix<f64>, a: &mut [f64; 2], x: f64) -> f64 { x }
    };
    let options = Options::parse(quote!()).expect("options");
    let mut errors = Errors::default();
    let model = Model::from_syn(&f, &options, &mut errors);
    let buffers: Vec<(bool, bool)> = model.params.iter().map(|p| (p.output, p.matrix)).collect();
    assert_eq!(buffers, [(true, true), (true, false), (false, false)]);
    assert!(errors.is_empty());
}

#[test]
fn lowering_is_a_normal_form_with_versions() {
    let f: ItemFn = parse_quote! {
        fn f(x: f64, y: f64) -> f64 {
            let x = x * 2.0 + y;
            let mut s = x.sin();
            s += y;
            s
        }
    };
    let options = Options::default();
    let mut errors = Errors::default();
    let model = Model::from_syn(&f, &options, &mut errors);
    let prog = lower(&model, &mut errors);
    assert!(errors.is_empty());
    let lets: Vec<String> = prog
        .body
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Let { var, .. } => prog.name(*var).to_string(),
            _ => panic!("only lets expected"),
        })
        .collect();
    // x * 2.0 -> t, + y -> x_1 (the shadowing x), sin -> s, s += y -> s_1
    assert_eq!(lets, ["t", "x_1", "s", "s_1"]);
    for s in &prog.body.stmts {
        if let Stmt::Let { expr, .. } = s {
            // one primitive per statement: operands are variables or constants
            match expr {
                Expr::Bin(_, a, b) => {
                    assert!(matches!(**a, Expr::Use(_)) && matches!(**b, Expr::Use(_)))
                }
                Expr::Call(_, _, args) => assert!(args.iter().all(|a| matches!(a, Expr::Use(_)))),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(prog.vars[0].kind, VarKind::Param(0));
}

#[test]
fn activity_skips_constants_and_dead_values() {
    let f: ItemFn = parse_quote! {
        fn f(x: f64, n: i32) -> f64 {
            let c = 1.0f64.tanh();
            let k = n as f64 * c;
            let dead = x.exp();
            x * k
        }
    };
    let options = Options::default();
    let mut errors = Errors::default();
    let model = Model::from_syn(&f, &options, &mut errors);
    let prog = lower(&model, &mut errors);
    let act = activity::analyse(&prog);
    let active: Vec<String> = (0..prog.vars.len())
        .filter(|v| act.is_active(*v))
        .map(|v| prog.name(v).to_string())
        .collect();
    // c and k are constants; dead is varied but useless; only x and the product are active
    assert_eq!(active, ["x", "t"]);
}

#[test]
fn generated_reverse_mode_of_the_lecture_graph() {
    let out = generated(quote! {
        fn f(x: f64, y: f64, z: f64) -> f64 {
            let q = x + y;
            q * z
        }
    });
    // The reverse sweep, in the order the lecture computes it.
    let vjp = &out[out.find("fn f_vjp").unwrap()..out.find("fn f_grad").unwrap()];
    let expected = "let q = x + y;\n    let t = q * z;\n    \
        let q_bar = __rt::mul::vjp_a(&q, &z, &dout);\n    \
        let z_bar = __rt::mul::vjp_b(&q, &z, &dout);\n    \
        let x_bar = q_bar;\n    let y_bar = q_bar;\n    (t, x_bar, y_bar, z_bar)";
    assert!(vjp.contains(expected), "{vjp}");
    assert!(
        out.contains("fn f_jvp(x: f64, dx: f64, y: f64, dy: f64, z: f64, dz: f64) -> (f64, f64)"),
        "{out}"
    );
    assert!(
        out.contains("fn f_grad(x: f64, y: f64, z: f64) -> (f64, f64, f64, f64)"),
        "{out}"
    );
}

#[test]
fn constants_get_no_derivative_code() {
    let out = generated(quote! {
        fn f(x: f64) -> f64 {
            let c = 1.0f64.tanh();
            c * x
        }
    });
    assert!(!out.contains("let dc ="), "{out}");
    assert!(!out.contains("let c_bar ="), "{out}");
    assert!(!out.contains("tanh::d1"), "{out}");
}

#[test]
fn generated_names_never_capture_user_names() {
    // The user already uses `t`, `dx`, `x_bar` and `dout`.
    let out = generated(quote! {
        fn f(x: f64, dout: f64) -> f64 {
            let t = x * dout;
            let dx = t + 1.0;
            let x_bar = dx * dx;
            x_bar
        }
    });
    assert!(
        out.contains("fn f_jvp(x: f64, dx_1: f64, dout: f64, ddout: f64)"),
        "{out}"
    );
    assert!(
        out.contains("fn f_vjp(x: f64, dout: f64, dout_1: f64)"),
        "{out}"
    );
}

#[test]
fn keywords_are_never_generated_names() {
    // `d` + `yn` would be the keyword `dyn`.
    let out = generated(quote! {
        fn f(yn: f64) -> f64 { yn * yn }
    });
    assert!(out.contains("dyn_1: f64"), "{out}");
}

#[test]
fn errors_are_all_reported_and_the_original_kept() {
    let out = expand(
        TokenStream::new(),
        quote! {
            fn f(x: f64) -> f64 {
                let a = x.abs_sub(1.0);
                let b = x.squash();
                a + b + x.frobnicate()
            }
        },
    )
    .to_string();
    assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    assert!(out.contains("fn f (x : f64) -> f64"), "{out}");
    // stubs keep callers of the derivatives from cascading
    assert!(out.contains("fn f_grad"), "{out}");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    for item in [
        quote!(),
        quote!(
            struct S;
        ),
        quote!(fn),
        quote!(fn f(x: f64) -> f64),
        quote!(
            fn f((a, b): (f64, f64)) -> f64 {
                a
            }
        ),
        quote!(
            fn f(self) -> f64 {
                1.0
            }
        ),
        quote!(
            fn f<T>(x: T) -> T {
                x
            }
        ),
        quote!(
            fn f(x: f64) -> f64 {
                let (a, b) = x;
                a
            }
        ),
        quote!(
            fn f(x: f64) -> f64 {
                let (y, z);
                x
            }
        ),
        quote!(
            fn f(x: f64) -> f64 {
                x.powi()
            }
        ),
    ] {
        let out = expand(TokenStream::new(), item.clone()).to_string();
        assert!(
            out.contains("compile_error"),
            "no error for `{item}`: {out}"
        );
    }
    let out = expand(
        quote!(wrt(), dump = 3),
        quote!(
            fn f(x: f64) -> f64 {
                x
            }
        ),
    )
    .to_string();
    assert!(out.contains("compile_error"), "{out}");
}

#[test]
fn raw_identifiers_name_the_same_variable() {
    let out = generated(quote! {
        fn f(r#type: f64, x: f64) -> f64 { let y = r#x * r#type; r#y + r#type }
    });
    // `r#x` is `x`, `r#y` is `y`: both carry derivatives.
    assert!(
        out.contains("fn f_vjp(type_: f64, x: f64, dout: f64) -> (f64, f64, f64)"),
        "{out}"
    );
    assert!(out.contains("let x_bar = __rt::mul::vjp_a("), "{out}");
}

#[test]
fn pretty_printer_layout() {
    let s = pretty(quote! {
        fn f(x: f64) -> (f64, f64) { let y = -x.sin(); let z = &y; (y, ::ad::__rt::sin::d1(x, *z)) }
    });
    assert_eq!(
        s,
        "fn f(x: f64) -> (f64, f64) {\n    let y = -x.sin();\n    let z = &y;\n    (y, ::ad::__rt::sin::d1(x, *z))\n}\n"
    );
}

#[test]
fn pretty_printer_blocks() {
    let s = pretty(quote! {
        const _: () = { let _ = f; };
        fn g() -> f64 { if a { 1.0 } else { 2.0 } }
    });
    assert_eq!(
        s,
        "const _: () = {\n    let _ = f;\n};\nfn g() -> f64 {\n    if a {\n        1.0\n    } else {\n        2.0\n    }\n}\n"
    );
}

#[test]
fn pretty_printer_macros_and_repeat_expressions() {
    let s = pretty(quote! {
        fn f(n: usize) -> bool { let v = ::std::vec![0.0; n]; ::core::matches!(n, 1 | 2) }
    });
    assert_eq!(
        s,
        "fn f(n: usize) -> bool {\n    let v = ::std::vec![0.0; n];\n    ::core::matches!(n, 1 | 2)\n}\n"
    );
}

#[test]
fn vjp_many_only_where_the_forward_sweep_can_be_shared() {
    let has_many = |item: TokenStream| generated(item).contains("_vjp_many");
    // Straight-line code and branches with several outputs: generated.
    assert!(has_many(quote! {
        fn polar(r: f64, a: f64) -> [f64; 2] {
            let s = if a > 0.0 { a.sin() } else { -a };
            [r * a.cos(), r * s]
        }
    }));
    // A loop that saves what it overwrites records on a stack: not generated.
    assert!(!has_many(quote! {
        fn powers(x: f64, n: usize) -> [f64; 2] {
            let mut t = 1.0;
            for _ in 0..n {
                t = t * x;
            }
            [t, t * x]
        }
    }));
    // One number out: `_grad` and `_vjp` are enough.
    assert!(!has_many(quote! {
        fn square(x: f64) -> f64 {
            x * x
        }
    }));
    // nalgebra values (moved, not copied, between statements): not generated.
    assert!(!has_many(quote! {
        fn scale(w: &DMatrix<f64>, x: &DVector<f64>) -> DVector<f64> {
            w * x
        }
    }));
}

#[test]
fn vjp_many_in_lanes_only_for_float_types_and_lane_rules() {
    let in_lanes = |item: TokenStream| {
        let g = generated(item);
        assert!(g.contains("_vjp_many"), "{g}");
        g.contains("LaneShape")
    };
    // f64 numbers and arrays: one sweep over all cotangents.
    assert!(in_lanes(quote! {
        fn polar(r: f64, a: [f64; 2]) -> [f64; 3] {
            let s = a[0].sin() / r;
            [r * s, s * a[1], r - a[0]]
        }
    }));
    // Reductions over slices, branches, a `Vec` written in a loop.
    assert!(in_lanes(quote! {
        fn scaled(x: &[f64], a: f64) -> Vec<f64> {
            let mut s = 0.0;
            for i in 0..x.len() {
                s += x[i] * a;
            }
            let t = if s > 1.0 { s.sqrt() } else { -s };
            let mut out = vec![0.0; x.len()];
            for i in 0..x.len() {
                out[i] = (t * x[i]).sin() + a;
            }
            out
        }
    }));
    // The float type parameter: in lanes, with the bound that says so.
    let rotate = generated(quote! {
        fn rotate<T: Real>(p: [T; 2], angle: T) -> [T; 2] {
            let (s, c) = (angle.sin(), angle.cos());
            [c * p[0] - s * p[1], s * p[0] + c * p[1]]
        }
    });
    assert!(rotate.contains("LaneShape"), "{rotate}");
    assert!(
        rotate
            .contains("T: ::ad::__rt::LaneShape < SEEDS, Lanes = ::ad::__rt::Lanes < T, SEEDS > >"),
        "{rotate}"
    );
    // A cast: its cotangent too.
    assert!(in_lanes(quote! {
        fn widen(x: f32, y: f64) -> [f64; 2] {
            let w = x as f64;
            [w * y, w + y]
        }
    }));
    // A call of another differentiated function has no rule on lanes.
    assert!(!in_lanes(quote! {
        fn twice(x: f64) -> [f64; 2] {
            let h = helper(x);
            [h * x, h + x]
        }
    }));
}

#[test]
fn element_writes_save_old_values_only_where_they_are_read() {
    // Filled in a loop, untouched before: nothing saved.
    let fill = generated_vjp(quote! {
        fn fill(x: &[f64]) -> f64 {
            let mut w = vec![0.0; x.len()];
            for i in 0..x.len() {
                w[i] = x[i].sin();
            }
            w[0] * w[1]
        }
    });
    assert!(!fill.contains("push"), "{fill}");
    // Written before the loop by a rule that reads its output (`exp`'s
    // derivative is its value): saved.
    let before = generated_vjp(quote! {
        fn before(x: &[f64]) -> f64 {
            let mut w = vec![0.0; x.len()];
            w[0] = x[1].exp();
            for i in 0..x.len() {
                w[i] = x[i].sin();
            }
            w[0] * w[1]
        }
    });
    assert!(before.contains("push"), "{before}");
    // Another element read in the loop: saved.
    let ahead = generated_vjp(quote! {
        fn ahead(x: &[f64]) -> f64 {
            let mut w = vec![0.0; x.len()];
            let mut s = 0.0;
            for i in 0..x.len() - 1 {
                w[i] = x[i].sin();
                s += w[i] * w[i + 1];
            }
            s
        }
    });
    assert!(ahead.contains("push"), "{ahead}");
    // Inside two loops, each element is written twice, and the rule of
    // the first write reads its output: saved.
    let nested = generated_vjp(quote! {
        fn nested(x: &[f64]) -> f64 {
            let mut w = vec![0.0; x.len()];
            for j in 1..3 {
                for i in 0..x.len() {
                    w[i] = (x[i] * j as f64).exp();
                }
            }
            w[0]
        }
    });
    assert!(nested.contains("push"), "{nested}");
}

#[test]
fn scalars_save_old_values_only_where_they_are_read() {
    // Online log-sum-exp: `semx += term` needs no save (nothing reads
    // `semx` between the previous write and it); `semx = semx * rescale +
    // 1.0` does (its own rule reads the old `semx`).
    let lse = generated_vjp(quote! {
        fn lse(x: &[f64]) -> f64 {
            let mut mx = f64::NEG_INFINITY;
            let mut semx = 0.0;
            for i in 0..x.len() {
                let m = x[i] * x[i];
                if m > mx {
                    let rescale = (mx - m).exp();
                    semx = semx * rescale + 1.0;
                    mx = m;
                } else {
                    let term = (m - mx).exp();
                    semx += term;
                }
            }
            semx.ln() + mx
        }
    });
    assert_eq!(lse.matches("saved.push(semx)").count(), 1, "{lse}");
    // `exp`'s derivative is its value (`exp::d1_y`): the reverse sweep reads
    // neither `m` nor `mx` back for it, so neither is saved.
    assert!(lse.contains("exp::d1_y("), "{lse}");
    for v in ["m", "mx"] {
        assert!(!lse.contains(&format!("saved.push({v})")), "{v}: {lse}");
    }
    // A sum restarted in an outer loop and read after the inner one: only
    // the restart saves (the previous round's `ln` reads the old sum).
    let rounds = generated_vjp(quote! {
        fn rounds(x: &[f64], n: usize) -> f64 {
            let mut total = 0.0;
            let mut sum = 0.0;
            for r in 0..n {
                sum = 0.0;
                for i in 0..x.len() {
                    sum += (x[i] * r as f64).exp();
                }
                sum += 2.0;
                total += sum.ln();
            }
            total
        }
    });
    assert_eq!(rounds.matches("saved.push(sum)").count(), 1, "{rounds}");
}

/// The generated `_vjp` function of `item`, pretty-printed.
fn generated_vjp(item: TokenStream) -> String {
    let g = generated(item);
    let start = g.find("_vjp(").expect("a _vjp");
    let end = g[start..].find("\n}\n").map_or(g.len(), |e| start + e);
    g[start..end].to_string()
}

#[test]
fn expensive_values_are_read_back_not_computed_again() {
    // `exp` in a loop whose value the reverse sweep reads (its own rule and
    // the product's): saved by the forward sweep, not computed again.
    let exp = generated_vjp(quote! {
        fn f(x: &[f64], n: usize) -> f64 {
            let mut total = 0.0;
            for r in 0..n {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += (x[i] * r as f64).exp() * x[i];
                }
                total += s * s;
            }
            total
        }
    });
    assert_eq!(exp.matches(".exp()").count(), 1, "{exp}");
    assert!(exp.contains("saved.push("), "{exp}");
    // `sin`: its derivative needs the argument only (`sin::d1_x`), so its
    // value is neither saved nor computed again.
    let sin = generated_vjp(quote! {
        fn f(x: &[f64], n: usize) -> f64 {
            let mut total = 0.0;
            for r in 0..n {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += (x[i] * r as f64).sin();
                }
                total += s * s;
            }
            total
        }
    });
    assert_eq!(sin.matches(".sin()").count(), 1, "{sin}");
    assert!(sin.contains("sin::d1_x("), "{sin}");
    assert!(!sin.contains("push"), "{sin}");
    // A cheap temporary is computed again (`x[i] * r`), not saved.
    assert!(!exp.contains("saved.push(t)"), "{exp}");
    // Where saving them would be the only thing on a stack, `f_vjp_many`
    // computes costly values again, so that its reverse sweeps share one
    // forward sweep; `f_vjp` (one reverse sweep, as a helper's pullback in
    // its caller's loop) saves them.
    let many = generated(quote! {
        fn g(x: &[f64]) -> Vec<f64> {
            let mut out = vec![0.0; x.len()];
            for i in 0..x.len() {
                out[i] = x[i].exp() * x[i];
            }
            out
        }
    });
    assert!(many.contains("fn g_vjp_many"), "{many}");
    let vjp = generated_vjp(quote! {
        fn g(x: &[f64]) -> Vec<f64> {
            let mut out = vec![0.0; x.len()];
            for i in 0..x.len() {
                out[i] = x[i].exp() * x[i];
            }
            out
        }
    });
    assert_eq!(vjp.matches(".exp()").count(), 1, "{vjp}");
    assert!(vjp.contains("push("), "{vjp}");
    let lanes = &many[many.find("fn g_vjp_many").unwrap_or(0)..];
    let lanes = &lanes[..lanes[1..].find("\nfn ").map_or(lanes.len(), |e| e + 1)];
    assert_eq!(lanes.matches(".exp()").count(), 2, "{lanes}");
    assert!(!lanes.contains("push("), "{lanes}");
}

#[test]
fn branch_decisions_in_loops_join_the_stream_of_saved_values() {
    // Recorded at the end of each branch, after what it saved, in `saved`:
    // the reverse sweep reads the decision first, then the branch's values.
    let at_end = generated_vjp(quote! {
        fn f(x: &[f64]) -> f64 {
            let mut s = 1.0;
            for i in 0..x.len() {
                if x[i] > 0.0 {
                    s = s * x[i];
                } else {
                    s = s.sin();
                }
            }
            s
        }
    });
    assert!(at_end.contains("saved.push(true)"), "{at_end}");
    assert!(at_end.contains("saved.push(false)"), "{at_end}");
    assert!(at_end.contains("if __rt::pop(&mut saved)"), "{at_end}");
    assert!(!at_end.contains("branch_stack"), "{at_end}");
    // A branch that may leave the loop records the decision before it, on
    // a stack of its own.
    let exits = generated_vjp(quote! {
        fn f(x: &[f64]) -> f64 {
            let mut s = 1.0;
            for i in 0..x.len() {
                if x[i] > 2.0 {
                    break;
                } else {
                    s = s * x[i];
                }
            }
            s
        }
    });
    assert!(exits.contains("branch_stack.push("), "{exits}");
    assert!(!exits.contains("saved.push(true)"), "{exits}");
}

/// The lowered function's statements, and the errors.
fn lowered(item: &ItemFn) -> (Vec<Stmt>, Vec<String>) {
    let options = Options::parse(quote!()).expect("options");
    let mut errors = Errors::default();
    crate::lower::checkpoint::check_placement(item, &mut errors);
    let model = Model::from_syn(item, &options, &mut errors);
    let prog = lower(&model, &mut errors);
    let messages = match errors.check() {
        Ok(()) => vec![],
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    };
    (prog.body.stmts, messages)
}

#[test]
fn checkpoint_attribute_marks_the_loop_with_its_snapshots() {
    let f: ItemFn = parse_quote! {
        fn f(x: f64, n: usize) -> f64 {
            let mut y = x;
            #[checkpoint]
            for _ in 0..n {
                y = y.sin();
            }
            #[checkpoint(snapshots = n / 2 + 1)]
            while y > 0.1 {
                y = y * 0.5;
            }
            for _ in 0..n {
                y = y.cos();
            }
            y
        }
    };
    let (stmts, errors) = lowered(&f);
    assert!(errors.is_empty(), "{errors:?}");
    let marks: Vec<Option<String>> = stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Loop { checkpoint, .. } => {
                Some(checkpoint.as_ref().map(|c| c.snapshots.to_string()))
            }
            _ => None,
        })
        .collect();
    let default = crate::lower::checkpoint::DEFAULT_SNAPSHOTS.to_string();
    let default = format!("{default}usize");
    assert_eq!(
        marks,
        [Some(default), Some("n / 2 + 1".to_string()), None],
        "{stmts:?}"
    );
}

#[test]
fn checkpoint_attribute_errors_name_what_to_write() {
    let f: ItemFn = parse_quote! {
        fn f(x: f64, n: usize) -> f64 {
            #[checkpoint]
            let mut y = x;
            #[checkpoint(every = 3)]
            for _ in 0..n {
                y = y.sin();
            }
            #[checkpoint(snapshots = 0)]
            for _ in 0..n {
                y = y.sin();
            }
            #[checkpoint(snapshots = y)]
            for _ in 0..n {
                y = y.sin();
            }
            #[checkpoint]
            for i in (0..n).rev() {
                y = y.sin() + i as f64;
            }
            y
        }
    };
    let (_, errors) = lowered(&f);
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(
        errors[0].contains("applies to a loop statement"),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("unknown argument")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("at least 1 snapshot")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("active value")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("ascending") || e.contains("a range `a..b`")),
        "{errors:?}"
    );
}

#[test]
fn checkpoint_attribute_is_removed_from_everything_emitted() {
    let out = generated(quote! {
        fn f(x: f64, n: usize, s: usize) -> f64 {
            let mut y = x;
            #[checkpoint(snapshots = s)]
            for _ in 0..n {
                y = y.sin();
            }
            y
        }
    });
    assert!(
        !out.contains("# [checkpoint") && !out.contains("#[checkpoint"),
        "{out}"
    );
    // The original keeps reading `s` (not reported unused).
    let original = out.split("fn f_jvp").next().unwrap();
    assert!(original.contains("let _ = s;"), "{original}");
    assert!(out.contains("__rt::Schedule::new(steps, s)"), "{out}");
}

#[test]
fn copies_of_inactive_data_leave_no_loop_at_the_end() {
    // `s[2 + i] = state[i]` with `state` left out of `wrt`: its reverse
    // only zeroes `s_bar[2 + i]`, which nothing reads after it, so the
    // reverse sweep ends without it. The copy into `s[k]` from `w` keeps
    // its loop (it adds into `w_bar`).
    let g = pretty(expand(
        quote!(wrt(w)),
        quote! {
            fn f(w: &[f64], state: &[f64]) -> f64 {
                let mut s = vec![0.0; 4];
                for i in 0..2 {
                    s[2 + i] = state[i];
                }
                let mut t = 0.0;
                for k in 0..2 {
                    s[k] = w[k] * s[k + 2];
                    t += s[k] * s[k];
                }
                t
            }
        },
    ));
    let start = g.find("fn f_vjp(").expect("a _vjp");
    let vjp = &g[start..start + g[start..].find("\n}\n").expect("its end")];
    assert!(vjp.contains("w_bar["), "{vjp}");
    let last_loop = vjp.rfind("for ").expect("loops");
    assert!(!vjp[last_loop..].contains("2 + i"), "{vjp}");
    assert_eq!(vjp.matches("take(&mut s_bar").count(), 1, "{vjp}");
}

#[test]
fn inactive_offsets_are_computed_again_not_saved() {
    // `wo` and `bo` are read by the reverse code of the nested loop: they
    // are computed again at the top of the layer loop's reverse code, and
    // `k` at the top of its branch's. `q` reads the index of a loop over an
    // iterator, which the reverse loop does not have: it is saved.
    let g = generated_vjp(quote! {
        fn f(theta: &[f64], p: &[usize], b: usize, l: usize) -> f64 {
            let mut s = 0.0;
            for layer in 0..l {
                let wo = 4 * b * layer;
                let bo = wo + 2 * b;
                for i in 0..b {
                    s = (s + theta[wo + i] * theta[bo + i]).sin();
                }
                if layer == 7 {
                    continue;
                }
                let k = wo + 1;
                s = s * theta[k];
            }
            for w in p.windows(2) {
                let q = w[1];
                s = s * theta[q] + theta[0];
            }
            s
        }
    });
    for v in ["wo", "bo", "k"] {
        assert!(!g.contains(&format!("{v}_saved")), "{v}: {g}");
        assert_eq!(g.matches(&format!("let {v} = ")).count(), 2, "{v}: {g}");
    }
    assert!(g.contains("q_saved"), "{g}");
}

#[test]
fn sin_cos_is_sin_and_cos_of_one_bound_value() {
    let out = expand(
        TokenStream::new(),
        quote! {
            fn f(x: f64, y: f64) -> f64 {
                let (s, c) = (x * y).sin_cos();
                let (s2, c2) = f64::sin_cos(y);
                s * c + s2 * c2
            }
        },
    )
    .to_string();
    assert!(!out.contains("compile_error"), "{out}");
    // The receiver computed once, then its sine and cosine.
    assert!(out.contains("__ad_sc"), "{out}");
    assert!(
        out.contains("f64 :: sin (y)") && out.contains("f64 :: cos (y)"),
        "{out}"
    );
    // In a `while` condition nothing can go before the statement.
    let out = expand(
        TokenStream::new(),
        quote! {
            fn g(x: f64) -> f64 {
                let mut t = x;
                while (2.0 * t).sin_cos().0 > 0.1 {
                    t = t * 0.5;
                }
                t
            }
        },
    )
    .to_string();
    assert!(
        out.contains("bind the argument of `sin_cos` to a name first"),
        "{out}"
    );
}

/// The contract's `(out, x_bar, ..)` of a function whose only active data
/// is a buffer and whose output is `()`: nothing (the cotangents are in the
/// buffers), as for `f_jvp`.
#[test]
fn a_function_of_buffers_only_returns_nothing() {
    let out = generated(quote! {
        fn relu(x: &mut [f64]) {
            for i in 0..x.len() {
                x[i] = x[i].max(0.0);
            }
        }
    });
    assert!(
        out.contains("fn relu_vjp(mut x: &mut [f64], mut x_bar: &mut [f64]) {"),
        "{out}"
    );
}
