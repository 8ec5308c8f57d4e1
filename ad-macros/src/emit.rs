//! IR -> TokenStream, and the generated functions' signatures.
//!
//! Runtime rules are reached through the hidden path `::ad::__rt` and spanned
//! at the user expression they come from, so a type error in a rule lands on
//! the user's `x.sin()`, not on the attribute.

use crate::ir::{partial_name, BinOp, Body, CallStyle, Expr, Operand, Program, Stmt, VarId};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;

/// Attributes of every generated function. The code is machine-written:
/// lints about its style would only be noise at the user's attribute.
fn allow() -> TokenStream {
    quote! {
        #[allow(unused_variables, unused_mut, unused_parens, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
    }
}

struct Emitter<'a> {
    prog: &'a Program,
    mutable: HashSet<VarId>,
}

impl Emitter<'_> {
    fn name(&self, v: VarId) -> TokenStream {
        self.prog.name(v).to_token_stream()
    }

    /// An expression in operand position: parenthesised unless atomic.
    fn operand(&self, e: &Expr, span: Span) -> TokenStream {
        let tokens = self.expr(e, span);
        match e {
            Expr::Use(_)
            | Expr::Partial { .. }
            | Expr::Rule(..)
            | Expr::ZeroLike(_)
            | Expr::Call(_, CallStyle::Path(_), _) => tokens,
            _ => quote_spanned!(span=> (#tokens)),
        }
    }

    fn expr(&self, e: &Expr, span: Span) -> TokenStream {
        match e {
            Expr::Use(Operand::Var(v)) => {
                // Every token of a statement carries the span of the user
                // code it comes from, so errors land there.
                let mut ident = self.prog.name(*v).clone();
                ident.set_span(span);
                ident.to_token_stream()
            }
            Expr::Use(Operand::Const(t)) | Expr::Opaque(t) => t.clone(),
            Expr::Neg(a) => {
                let a = self.operand(a, span);
                quote_spanned!(span=> -#a)
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.operand(a, span), self.operand(b, span));
                match op {
                    BinOp::Add => quote_spanned!(span=> #a + #b),
                    BinOp::Sub => quote_spanned!(span=> #a - #b),
                    BinOp::Mul => quote_spanned!(span=> #a * #b),
                    BinOp::Div => quote_spanned!(span=> #a / #b),
                }
            }
            Expr::Call(func, style, args) => {
                let name = format_ident!("{}", func.name, span = span);
                match style {
                    CallStyle::Method => {
                        let recv = self.operand(&args[0], span);
                        let rest = args[1..].iter().map(|a| self.expr(a, span));
                        quote_spanned!(span=> #recv.#name(#(#rest),*))
                    }
                    CallStyle::Path(prefix) => {
                        let all = args.iter().map(|a| self.expr(a, span));
                        quote_spanned!(span=> #prefix::#name(#(#all),*))
                    }
                }
            }
            Expr::Partial {
                func,
                idx,
                args,
                out,
            } => {
                let module = format_ident!("{}", func.name, span = span);
                let d = format_ident!("{}", partial_name(func, idx), span = span);
                let args = args.iter().chain(Some(&**out)).map(|a| self.expr(a, span));
                quote_spanned!(span=> ::ad::__rt::#module::#d(#(#args),*))
            }
            Expr::Rule(path, args) => {
                let path: TokenStream = path.parse().unwrap_or_default();
                let path = respan(path, span);
                let args = args.iter().map(|a| {
                    let a = self.operand(a, span);
                    quote_spanned!(span=> &#a)
                });
                quote_spanned!(span=> ::ad::__rt::#path(#(#args),*))
            }
            Expr::Cast(a, ty) => {
                let a = self.operand(a, span);
                quote_spanned!(span=> #a as #ty)
            }
            Expr::ZeroLike(v) => {
                let v = self.name(*v);
                quote_spanned!(span=> ::ad::__rt::zero_like(&#v))
            }
        }
    }

    fn body(&self, body: &Body) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &body.stmts {
            match stmt {
                Stmt::Let {
                    var,
                    ty,
                    expr,
                    span,
                } => {
                    let name = self.name(*var);
                    let m = (self.mutable.contains(var) || self.prog.vars[*var].mutable)
                        .then(|| quote!(mut));
                    let ty = ty.as_ref().map(|t| quote!(: #t));
                    let e = self.expr(expr, *span);
                    out.extend(quote!(let #m #name #ty = #e;));
                }
                Stmt::Acc {
                    var,
                    expr,
                    sub,
                    span,
                } => {
                    let name = self.name(*var);
                    let e = self.expr(expr, *span);
                    out.extend(if *sub {
                        quote!(#name -= #e;)
                    } else {
                        quote!(#name += #e;)
                    });
                }
                Stmt::Opaque(t) => out.extend(t.clone()),
            }
        }
        let ret: Vec<TokenStream> = body
            .ret
            .iter()
            .map(|e| self.expr(e, Span::call_site()))
            .collect();
        if ret.len() == 1 {
            out.extend(ret);
        } else {
            out.extend(quote!((#(#ret),*)));
        }
        out
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            tt.set_span(span);
            tt
        })
        .collect()
}

fn emit_body(prog: &Program, body: &Body) -> TokenStream {
    let mutable = body
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Acc { var, .. } => Some(*var),
            _ => None,
        })
        .collect();
    Emitter { prog, mutable }.body(body)
}

/// The bodies of the generated functions, or `None` to emit stubs (when
/// the body had errors and only the signatures are sound).
pub struct Bodies {
    pub jvp: (TokenStream, Vec<VarId>),
    pub vjp: (TokenStream, VarId),
    pub prog_jvp: Program,
    pub prog_vjp: Program,
}

pub fn bodies(prog: &Program) -> Bodies {
    let mut prog_jvp = prog.clone();
    let (jvp_body, tangents) = crate::tangent::jvp(&mut prog_jvp);
    let jvp = emit_body(&prog_jvp, &jvp_body);
    let mut prog_vjp = prog.clone();
    let (vjp_body, seed) = crate::adjoint::vjp(&mut prog_vjp);
    let vjp = emit_body(&prog_vjp, &vjp_body);
    Bodies {
        jvp: (jvp, tangents),
        vjp: (vjp, seed),
        prog_jvp,
        prog_vjp,
    }
}

/// The generated items: `f_jvp`, `f_vjp` and (for scalar outputs) `f_grad`.
/// With `bodies == None`, the functions have the right signatures and
/// unreachable bodies: the build fails on the reported errors anyway, and
/// callers see no second wave of "cannot find function" errors.
pub fn generate(model: &Model, bodies: Option<&Bodies>) -> TokenStream {
    let item = model.item;
    let vis = &item.vis;
    let name = &item.sig.ident;
    let jvp_name = format_ident!("{}_jvp", name);
    let vjp_name = format_ident!("{}_vjp", name);
    let grad_name = format_ident!("{}_grad", name);
    let ret = &model.ret;
    let allow = allow();
    let unreachable = quote!(::core::unreachable!(
        "the derivative of a function that failed to compile"
    ));

    // Parameter names: the user's, or the generated programs' when known.
    let param_name = |prog: Option<&Program>, i: usize| -> TokenStream {
        match prog {
            Some(p) => p.vars[i].name.to_token_stream(),
            None => model.params[i].ident.to_token_stream(),
        }
    };

    // f_jvp(x, dx, n, y, dy) -> (out, dout)
    let mut jvp_params = Vec::new();
    let mut active_index = 0;
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let x = param_name(bodies.map(|b| &b.prog_jvp), i);
        jvp_params.push(quote!(#x: #ty));
        if p.active {
            let dx = match bodies {
                Some(b) => b.prog_jvp.name(b.jvp.1[active_index]).to_token_stream(),
                None => format_ident!("d{}", p.ident).to_token_stream(),
            };
            jvp_params.push(quote!(#dx: #ty));
            active_index += 1;
        }
    }
    let jvp_body = bodies.map_or(unreachable.clone(), |b| b.jvp.0.clone());

    // f_vjp(x, n, y, dout) -> (out, x_bar, y_bar)
    let plain_params: Vec<TokenStream> = model
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = param_name(bodies.map(|b| &b.prog_vjp), i);
            let ty = &p.ty;
            quote!(#x: #ty)
        })
        .collect();
    let seed = match bodies {
        Some(b) => b.prog_vjp.name(b.vjp.1).to_token_stream(),
        None => quote!(dout),
    };
    let cotangent_tys: Vec<&syn::Type> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| &p.ty)
        .collect();
    let vjp_body = bodies.map_or(unreachable.clone(), |b| b.vjp.0.clone());

    let doc_jvp = format!(
        "Forward mode of [`{name}`]: its value and its directional derivative along the tangents `d..` of the active inputs. Generated by `#[differentiate]`."
    );
    let doc_vjp = format!(
        "Reverse mode of [`{name}`]: its value and the cotangents of the active inputs, in order, for the output cotangent `{seed}`. Generated by `#[differentiate]`."
    );
    let mut out = quote! {
        // The derivatives stand for `f`: do not report it unused when only
        // they are called.
        const _: () = {
            let _ = #name;
        };
        #[doc = #doc_jvp]
        #allow
        #vis fn #jvp_name(#(#jvp_params),*) -> (#ret, #ret) {
            #jvp_body
        }
        #[doc = #doc_vjp]
        #allow
        #vis fn #vjp_name(#(#plain_params,)* #seed: #ret) -> (#ret, #(#cotangent_tys),*) {
            #vjp_body
        }
    };
    if model.ret_float.is_some() {
        let doc_grad = format!(
            "Gradient of [`{name}`]: its value and the derivatives in each active input, in order. Generated by `#[differentiate]`."
        );
        let grad_body = match bodies {
            Some(b) => {
                let body = &b.vjp.0;
                quote!(let #seed: #ret = 1.0; #body)
            }
            None => unreachable,
        };
        out.extend(quote! {
            #[doc = #doc_grad]
            #allow
            #vis fn #grad_name(#(#plain_params),*) -> (#ret, #(#cotangent_tys),*) {
                #grad_body
            }
        });
    }
    out
}
