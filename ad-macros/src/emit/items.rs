//! The generated functions: their bodies (the transforms' results,
//! emitted) and their signatures.

use super::{allow, assigned, carried_attrs, emit_body};
use crate::fx::HashSet;
use crate::ir::{Body, Expr, Program, Stmt, VarId};
use crate::many::DOUTS;
use crate::parse::Model;
use crate::scope::Scope;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

/// The bodies of the generated functions.
pub struct Bodies {
    pub jvp: TokenStream,
    pub vjp: TokenStream,
    pub prog_jvp: Program,
    pub prog_vjp: Program,
    pub tangent: crate::tangent::Jvp,
    pub adjoint: crate::adjoint::Vjp,
    /// Forward over reverse, when it is generated.
    pub hvp: Option<(TokenStream, Program, crate::tangent::Jvp)>,
    /// The forward derivative of the reverse mode, for callers, when it has
    /// a body of its own (see [`bodies`]).
    pub vjp_jvp: Option<(TokenStream, Program, crate::tangent::Jvp)>,
    /// The body of `hvp` returns `d value` too and is shared: it stands in
    /// the hidden `__ad_hvp_f`, which `f_hvp` and `__ad_vjpjvp_f` call.
    /// The seed's variable in its program.
    pub shared_hvp: Option<VarId>,
    /// The body of `f_vjp_many`, when its forward sweep can be shared (see
    /// [`vjp_many`]), and whether it runs in lanes.
    pub vjp_many: Option<(TokenStream, bool)>,
}

/// `lanes`: the function's types are written in `f32`, `f64` or its float
/// type parameter, so `f_vjp_many` may carry its cotangents in lanes.
/// `shared_hvp`: the function returns a number and its generated items can
/// name each other (`wrapper_path`); then second order has one body,
/// `__ad_hvp_f` (the seed one, its tangent zero, both folded), and
/// `__ad_vjpjvp_f` scales its result by the caller's output cotangent
/// (reverse mode is linear in it: `s g`, `s Hv + ds g`) instead of
/// carrying a second body with the seed's tangent through it.
pub fn bodies(
    prog: &Program,
    name: &syn::Ident,
    ret: &syn::Type,
    lanes: bool,
    shared_hvp: bool,
) -> Bodies {
    let mut prog_jvp = prog.clone();
    let tangent = crate::tangent::jvp(&mut prog_jvp);
    let jvp = emit_body(&prog_jvp, &tangent.body);
    // First order calls other functions in split form; second order
    // differentiates the joint form, and `f_vjp_many` shares its forward
    // sweep between lanes in it.
    // (First order saves costly values; `f_vjp_many` may want them
    // computed again.)
    let scalar_ret =
        matches!(ret, syn::Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32"));
    let seed_type = |(mut prog, adjoint): (Program, crate::adjoint::Vjp)| {
        if let Some(seed) = adjoint.seed {
            prog.vars[seed].scalar = scalar_ret;
        }
        (prog, adjoint)
    };
    let (first, joint) = crate::adjoint::first_and_joint(prog, name);
    let (prog_vjp, adjoint) = seed_type(first);
    let joint_owned = joint.map(seed_type);
    let (prog_joint, joint) = match &joint_owned {
        Some((p, a)) => (p, a),
        None => (&prog_vjp, &adjoint),
    };
    let vjp = match adjoint.body.ret.as_slice() {
        // The value and no cotangent (only buffers are active): `f_vjp`
        // returns `(value,)`, as with other inputs it returns `(value, x_bar)`.
        [value] if adjoint.values == 1 => {
            let ret = vec![Expr::Tuple(vec![value.clone()])];
            let body = Body {
                stmts: adjoint.body.stmts.clone(),
                ret,
            };
            emit_body(&prog_vjp, &body)
        }
        _ => emit_body(&prog_vjp, &adjoint.body),
    };
    let hvp = hvp(prog_joint, joint, ret, !shared_hvp);
    let shared_hvp = joint.seed.filter(|_| shared_hvp && hvp.is_some());
    let vjp_jvp = match shared_hvp {
        Some(_) => None,
        None => vjp_jvp(prog_joint, joint),
    };
    // Several output cotangents at once: not for tuple results.
    let vjp_many = (!matches!(ret, syn::Type::Tuple(_)))
        .then(|| crate::many::vjp_many(prog_joint, joint, lanes))
        .flatten();
    Bodies {
        vjp_many,
        jvp,
        vjp,
        prog_jvp,
        prog_vjp,
        tangent,
        adjoint,
        hvp,
        vjp_jvp,
        shared_hvp,
    }
}

/// The forward derivative of the reverse mode, with the output cotangent as
/// an input too: what a caller's second order needs of this function.
fn vjp_jvp(
    prog_vjp: &Program,
    adjoint: &crate::adjoint::Vjp,
) -> Option<(TokenStream, Program, crate::tangent::Jvp)> {
    let seed = adjoint.seed?;
    if !prog_vjp.outputs.is_empty() {
        return None;
    }
    let mut p = prog_vjp.clone();
    p.body = adjoint.body.clone();
    p.active_params.push(seed);
    let j = crate::tangent::jvp(&mut p);
    let tokens = emit_body(&p, &j.body);
    Some((tokens, p, j))
}

/// The Hessian-vector product: the tangent transform applied to the reverse
/// mode seeded with one (forward over reverse, JAX's `jvp(grad(f))`). Its
/// result is `(value, gradient..., H v...)`, with `trim`, else `(value,
/// gradient..., d value, H v...)`. Through a call, it uses the callee's
/// `__ad_vjpjvp_` wrapper (see [`vjp_jvp`]).
fn hvp(
    prog_vjp: &Program,
    adjoint: &crate::adjoint::Vjp,
    ret: &syn::Type,
    trim: bool,
) -> Option<(TokenStream, Program, crate::tangent::Jvp)> {
    let seed = adjoint.seed?;
    if !prog_vjp.outputs.is_empty() {
        return None;
    }
    let mut p = prog_vjp.clone();
    let mut stmts = vec![Stmt::Let {
        var: seed,
        ty: Some(Box::new(ret.clone())),
        expr: Expr::Opaque(quote!(__rt::one()), vec![]),
        span: Span::call_site(),
    }];
    stmts.extend(adjoint.body.stmts.iter().cloned());
    let n = adjoint.body.ret.len();
    p.body = Body {
        stmts,
        ret: adjoint.body.ret.clone(),
    };
    let mut j = crate::tangent::jvp(&mut p);
    if trim {
        // (value, gradient..., d value, H v...) -> (value, gradient..., H v...)
        let mut ret = j.body.ret[..n].to_vec();
        ret.extend(j.body.ret[n + 1..].iter().cloned());
        j.body.ret = ret;
    }
    let tokens = emit_body(&p, &j.body);
    Some((tokens, p, j))
}

/// The owned type of a cotangent: `&[f64]` -> `Vec<f64>`, `&[f64; N]` ->
/// `[f64; N]`, anything else unchanged.
pub(crate) fn cotangent_type(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) => {
                let elem = &s.elem;
                syn::parse_quote!(::std::vec::Vec<#elem>)
            }
            other => cotangent_type(other),
        },
        syn::Type::Paren(p) => cotangent_type(&p.elem),
        other => other.clone(),
    }
}

/// A parameter's declaration, `mut` when the body writes it.
pub(crate) fn param(
    prog: Option<(&Program, &HashSet<VarId>)>,
    v: VarId,
    fallback: &syn::Ident,
    ty: &syn::Type,
) -> TokenStream {
    let (name, m) = param_name(prog, v, fallback, ty);
    quote!(#m #name: #ty)
}

/// A parameter's name, and `mut` when the body writes it.
fn param_name(
    prog: Option<(&Program, &HashSet<VarId>)>,
    v: VarId,
    fallback: &syn::Ident,
    ty: &syn::Type,
) -> (TokenStream, Option<TokenStream>) {
    match prog {
        Some((p, mutable)) => {
            let name = p.name(v);
            // A shared reference is never written through; a `&mut` buffer
            // may be borrowed whole (`accumulate(&mut x_bar, ..)`).
            let shared = matches!(ty, syn::Type::Reference(r) if r.mutability.is_none());
            let m = (mutable.contains(&v) && !shared).then(|| quote!(mut));
            (name.to_token_stream(), m)
        }
        None => (fallback.to_token_stream(), None),
    }
}

/// [`param`] of a public item, where an active nalgebra view (`view`, the
/// type written; `ty` is its owned type) is declared as written and copied
/// by a statement pushed to `copies` (`view_params.rs`).
fn public_param(
    prog: Option<(&Program, &HashSet<VarId>)>,
    v: VarId,
    fallback: &syn::Ident,
    ty: &syn::Type,
    view: Option<&syn::Type>,
    copies: &mut Vec<TokenStream>,
) -> TokenStream {
    match view {
        Some(view) => {
            let (name, m) = param_name(prog, v, fallback, ty);
            let (decl, copy) = crate::view_params::copied(&name, view, ty, m.is_some());
            copies.push(copy);
            decl
        }
        None => param(prog, v, fallback, ty),
    }
}

/// The generated items: `f_jvp`, `f_vjp` and (for scalar outputs) `f_grad`.
/// With `bodies == None`, the functions have the right signatures and
/// unreachable bodies: the build fails on the reported errors anyway, and
/// callers see no second wave of "cannot find function" errors.
pub fn generate(model: &Model, bodies: Option<&Bodies>) -> TokenStream {
    // A method's receiver comes first, inactive; an active one (`wrt(self)`)
    // is the first parameter, `self: &Self`.
    let recv = model.inactive_receiver();
    let item = model.item;
    // The function's generics (`<T: Real>`) on every generated item, with
    // the bounds they add (`T: ::ad::RealRules` for `T: Float`).
    let gen = &model.generics;
    let wher = &model.generics.where_clause;
    let vis = &item.vis;
    let name = &item.sig.ident;
    let jvp_name = format_ident!("{}_jvp", name);
    let vjp_name = format_ident!("{}_vjp", name);
    let grad_name = format_ident!("{}_grad", name);
    let ret = &model.ret;
    let has_value = model.has_output;
    // The user's `#[inline]`, `#[cold]`, lint levels and `#[cfg]` apply to the
    // derivatives too.
    let carried = carried_attrs(
        item,
        &["inline", "cold", "allow", "expect", "warn", "deny", "cfg"],
    );
    let user_inline = carried.iter().any(|a| a.path().is_ident("inline"));
    let allow = allow();
    let allow = quote!(#allow #(#carried)*);
    let unreachable = quote!(::core::unreachable!(
        "the derivative of a function that failed to compile"
    ));

    // `f_jvp` and `f_vjp` call the hidden wrappers, which hold the bodies,
    // where the path to them is known (`scope.rs`).
    let wrapper = bodies.is_some().then(|| wrapper_path(model)).flatten();
    let thin = wrapper.is_some();
    // A thin item, and the second order, which few callers call, are
    // `#[inline]` (unless the user chose otherwise): compiled where they
    // are called, and not at all when nothing calls them. (`f_grad` is
    // compiled with `f`, as before: inlined into a caller, Rosenbrock's
    // took 2.5x as long, LLVM merging two stores that the next iteration
    // reads back one at a time.)
    let lazy = |yes: bool| match yes && !user_inline {
        true => quote!(#allow #[inline]),
        false => allow.clone(),
    };
    let thin_allow = lazy(thin);
    let hvp_allow = lazy(bodies.is_some());
    // (A thin item writes none of its parameters.)
    let jvp_mut = bodies.map(|b| match thin {
        false => assigned(&b.prog_jvp, &b.tangent.body.stmts),
        true => HashSet::default(),
    });
    let vjp_mut = bodies.map(|b| assigned(&b.prog_vjp, &b.adjoint.body.stmts));
    let jp = bodies.zip(jvp_mut.as_ref()).map(|(b, m)| (&b.prog_jvp, m));
    let vp = bodies.zip(vjp_mut.as_ref()).map(|(b, m)| (&b.prog_vjp, m));
    let no_mut = HashSet::default();
    let thin_vp = bodies.map(|b| (&b.prog_vjp, &no_mut));

    // f_jvp(x, dx, n, y, dy, buf, dbuf) -> (out, dout)
    let mut jvp_params = Vec::new();
    // (The copies of active views, `view_params.rs`.)
    let mut jvp_copies = Vec::new();
    let (mut ai, mut oi) = (0, 0);
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let view = model.view_of(&p.ident);
        jvp_params.push(public_param(jp, i, &p.ident, ty, view, &mut jvp_copies));
        if p.active || p.output {
            let fallback = format_ident!("d{}", p.ident);
            let d = match bodies {
                Some(b) if p.active => Some(b.tangent.tangents[ai]),
                Some(b) => Some(b.tangent.buffers[oi]),
                None => None,
            };
            jvp_params.push(match d {
                Some(d) => public_param(jp, d, &fallback, ty, view, &mut jvp_copies),
                None => public_param(None, 0, &fallback, ty, view, &mut jvp_copies),
            });
            if p.active {
                ai += 1;
            } else {
                oi += 1;
            }
        }
    }
    let jvp_ret = if has_value {
        quote!(-> (#ret, #ret))
    } else {
        quote!()
    };
    let jvp_body = match (&wrapper, bodies) {
        (Some((path, recv_arg)), Some(b)) => {
            let f = format_ident!("__ad_jvp_{}", base_name(name));
            // (A tangent or `NoTangent` for each parameter.)
            let uses = model.params.len();
            let rt = crate::rt_alias::path(uses);
            let mut args = Vec::new();
            let mut ai = 0;
            for (i, p) in model.params.iter().enumerate() {
                args.push(b.prog_jvp.name(i).to_token_stream());
                if p.active {
                    let d = b.prog_jvp.name(b.tangent.tangents[ai]);
                    args.push(quote!(#rt::Given(#d)));
                    ai += 1;
                } else {
                    args.push(quote!(#rt::NoTangent));
                }
            }
            let use_rt = crate::rt_alias::use_for(uses);
            quote!(#use_rt #path #f(#(#recv_arg,)* #(#args),*))
        }
        _ => bodies.map_or(unreachable.clone(), |b| with_use(&b.jvp)),
    };

    // f_vjp(x, n, y, buf, buf_bar, dout) -> (out, x_bar, y_bar)
    let mut vjp_params = Vec::new();
    let mut plain_params = Vec::new();
    let (mut plain_copies, mut thin_copies) = (Vec::new(), Vec::new());
    let mut oi = 0;
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let view = model.view_of(&p.ident);
        let decl = public_param(vp, i, &p.ident, ty, view, &mut plain_copies);
        plain_params.push(decl.clone());
        vjp_params.push(match thin {
            true => public_param(thin_vp, i, &p.ident, ty, view, &mut thin_copies),
            false => decl,
        });
        if p.output {
            // The cotangent buffer, of the buffer's own type.
            let fallback = format_ident!("{}_bar", p.ident);
            vjp_params.push(match bodies {
                Some(b) => param(vp, b.adjoint.buffer_seeds[oi], &fallback, ty),
                None => quote!(#fallback: #ty),
            });
            oi += 1;
        }
    }
    let seed = match bodies.and_then(|b| b.adjoint.seed.map(|s| (b, s))) {
        Some((b, s)) => b.prog_vjp.name(s).to_token_stream(),
        None => quote!(dout),
    };
    // The seed is the adjoint of a returned parameter, which other
    // contributions may add to (`d[0] = a * b; b` with a buffer `d`).
    let seed_mut = bodies
        .zip(vjp_mut.as_ref())
        .and_then(|(b, m)| b.adjoint.seed.filter(|s| m.contains(s)))
        .map(|_| quote!(mut));
    if has_value {
        let m = seed_mut.as_ref().filter(|_| !thin);
        vjp_params.push(quote!(#m #seed: #ret));
    }
    // A thin `f_vjp`'s call of `__ad_vjp_f`, and the cotangents of the
    // active inputs out of its result.
    let thin_vjp = || -> Option<TokenStream> {
        let ((path, recv_arg), b) = wrapper.as_ref().zip(bodies)?;
        let f = format_ident!("__ad_vjp_{}", base_name(name));
        let args = (0..model.params.len()).map(|i| b.prog_vjp.name(i));
        let mut pats = Vec::new();
        let mut cots = Vec::new();
        for p in &model.params {
            if p.active {
                let c = format_ident!("{}_bar", base_name(&p.ident));
                pats.push(c.to_token_stream());
                cots.push(c);
            } else {
                pats.push(quote!(_));
            }
        }
        let call = quote!(#path #f(#(#recv_arg,)* #(#args,)* #seed));
        // With every parameter active, the wrapper's result is `f_vjp`'s.
        if model.params.iter().all(|p| p.active) {
            return Some(call);
        }
        Some(quote! {
            let (value, #(#pats),*) = #call;
            (value, #(#cots),*)
        })
    };
    let cotangent_tys: Vec<syn::Type> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| cotangent_type(&p.ty))
        .collect();
    let vjp_ret = match (has_value, cotangent_tys.len()) {
        (true, _) => quote!(-> (#ret, #(#cotangent_tys),*)),
        (false, 0) => quote!(), // only buffers: their cotangents are in them
        (false, 1) => quote!(-> #(#cotangent_tys)*),
        (false, _) => quote!(-> (#(#cotangent_tys),*)),
    };
    let vjp_body = match thin_vjp() {
        Some(call) => quote!(#(#thin_copies)* #call),
        None => {
            let body = bodies.map_or(unreachable.clone(), |b| with_use(&b.vjp));
            quote!(#(#plain_copies)* #body)
        }
    };

    let doc_jvp = format!(
        "Forward mode of [`{name}`]: its value and its directional derivative along the tangents `d..` of the active inputs. Generated by `#[differentiate]`."
    );
    let doc_vjp = format!(
        "Reverse mode of [`{name}`]: its value and the cotangents of the active inputs, in order, for the output cotangent `{seed}`. Generated by `#[differentiate]`."
    );
    let mut out = quote! {
        #[doc = #doc_jvp]
        #thin_allow
        #vis fn #jvp_name #gen (#(#recv,)* #(#jvp_params),*) #jvp_ret #wher {
            #(#jvp_copies)*
            #jvp_body
        }
        #[doc = #doc_vjp]
        #thin_allow
        #vis fn #vjp_name #gen (#(#recv,)* #(#vjp_params),*) #vjp_ret #wher {
            #vjp_body
        }
    };
    // f_vjp_many(x, n, y, [dout; M]) -> (out, [(x_bar, y_bar); M]): for
    // outputs other than one number, when the forward sweep can be shared.
    let many = bodies.and_then(|b| b.vjp_many.as_ref());
    if let (Some((body, lanes)), None, true) = (many, model.ret_float, has_value) {
        let many_name = format_ident!("{}_vjp_many", name);
        let mut generics = gen.clone();
        generics.params.push(syn::parse_quote!(const SEEDS: usize));
        if *lanes {
            // The float type parameter carries cotangents in lanes (`f32`
            // and `f64` do).
            let floats: Vec<syn::Ident> = gen.type_params().map(|t| t.ident.clone()).collect();
            let wc = generics.make_where_clause();
            for t in floats {
                wc.predicates.push(syn::parse_quote!(
                    #t: ::ad::__rt::LaneShape<SEEDS, Lanes = ::ad::__rt::Lanes<#t, SEEDS>>
                ));
            }
        }
        let many_where = &generics.where_clause;
        let douts = format_ident!("{}", DOUTS);
        let cotangents = match cotangent_tys.as_slice() {
            [one] => quote!(#one),
            many => quote!((#(#many),*)),
        };
        let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
        let doc_many = format!(
            "Reverse mode of [`{name}`] for several output cotangents at once (the rows of its Jacobian for unit cotangents): its value and, for each cotangent of `{DOUTS}`, the cotangents of the active inputs as [`{vjp_name}`] returns them. The forward sweep runs once. Generated by `#[differentiate]`."
        );
        out.extend(quote! {
            #[doc = #doc_many]
            #allow
            #vis fn #many_name #generics (#(#recv,)* #(#plain_params,)* #douts: [#ret; SEEDS]) -> (#ret, [#cotangents; SEEDS]) #many_where {
                #(#plain_copies)*
                #use_rt
                #body
            }
        });
    }
    if model.ret_float.is_some() && !model.params.iter().any(|p| p.output) {
        let doc_grad = format!(
            "Gradient of [`{name}`]: its value and the derivatives in each active input, in order. Generated by `#[differentiate]`."
        );
        // A thin `f_grad` calls `__ad_vjp_f` with the seed one, which
        // folds into the body (`#[inline(always)]`; `f_grad` itself is
        // compiled with `f`); where the wrappers cannot be named, `f_grad`
        // keeps its own copy of the body.
        let (grad_params, grad_body) = match (thin_vjp(), bodies) {
            (Some(call), _) => {
                let mut copies = Vec::new();
                let params = model.params.iter().enumerate();
                let params = params
                    .map(|(i, p)| {
                        let view = model.view_of(&p.ident);
                        public_param(thin_vp, i, &p.ident, &p.ty, view, &mut copies)
                    })
                    .collect();
                // (One use: the full path.)
                let body = quote!(#(#copies)* let #seed: #ret = ::ad::__rt::one(); #call);
                (params, body)
            }
            (None, Some(b)) => {
                let body = &b.vjp;
                let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
                let body = quote!(#(#plain_copies)* #use_rt let #seed_mut #seed: #ret = __rt::one(); #body);
                (plain_params, body)
            }
            (None, None) => (plain_params, unreachable),
        };
        out.extend(quote! {
            #[doc = #doc_grad]
            #allow
            #vis fn #grad_name #gen (#(#recv,)* #(#grad_params),*) -> (#ret, #(#cotangent_tys),*) #wher {
                #grad_body
            }
        });
        let hvp_name = format_ident!("{}_hvp", name);
        // `Some(None)`: the signature only (stubs after errors).
        let hvp = match bodies {
            None => Some(None),
            Some(b) => b.hvp.as_ref().map(Some),
        };
        if let Some(hvp) = hvp {
            // f_hvp(x, vx, n, y, vy) -> (out, x_bar, y_bar, hv_x, hv_y)
            let hvp_mut = hvp.map(|(_, prog, j)| assigned(prog, &j.body.stmts));
            let hp = hvp.zip(hvp_mut.as_ref()).map(|((_, prog, _), m)| (prog, m));
            let mut copies = Vec::new();
            let mut params = param_decls(model, hp, hvp.map(|(_, _, j)| j), Some(&mut copies));
            let shared = bodies.and_then(|b| b.shared_hvp).and(wrapper.as_ref());
            let body = match (hvp, shared) {
                // `f_hvp` calls `__ad_hvp_f`, which holds the body, and drops
                // its `d value`.
                (Some((tokens, prog, j)), Some((path, recv_arg))) => {
                    let f = format_ident!("__ad_hvp_{}", base_name(name));
                    let mut args = Vec::new();
                    let (mut bars, mut hvs) = (Vec::new(), Vec::new());
                    let mut ai = 0;
                    for (i, p) in model.params.iter().enumerate() {
                        args.push(prog.name(i).to_token_stream());
                        if p.active {
                            args.push(prog.name(j.tangents[ai]).to_token_stream());
                            bars.push(format_ident!("{}_bar", base_name(&p.ident)));
                            hvs.push(format_ident!("{}_hv", base_name(&p.ident)));
                            ai += 1;
                        }
                    }
                    // The body's own item: the parameters it writes are
                    // `mut`; it takes views' owned types (`view_params.rs`),
                    // `f_hvp` copies them.
                    let hidden_params = param_decls(model, hp, Some(j), None);
                    copies.clear();
                    params = param_decls(model, Some((prog, &no_mut)), Some(j), Some(&mut copies));
                    let allow = crate::emit::allow();
                    let carried = carried_attrs(item, &["allow", "expect", "warn", "deny", "cfg"]);
                    let hidden_ret = quote!((#ret, #(#cotangent_tys,)* #ret, #(#cotangent_tys),*));
                    let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
                    out.extend(quote! {
                        // `always`: `f_hvp` is the body, as before it was
                        // shared (see `__ad_vjp_f`).
                        #[doc(hidden)]
                        #[inline(always)]
                        #allow #(#carried)*
                        #vis fn #f #gen (#(#recv,)* #(#hidden_params),*) -> #hidden_ret #wher {
                            #use_rt
                            #tokens
                        }
                    });
                    quote! {
                        let (value, #(#bars,)* _, #(#hvs),*) = #path #f(#(#recv_arg,)* #(#args),*);
                        (value, #(#bars,)* #(#hvs),*)
                    }
                }
                (Some((tokens, _, _)), None) => with_use(tokens),
                (None, _) => quote!(::core::unreachable!(
                    "the derivative of a function that failed to compile"
                )),
            };
            let doc_hvp = format!(
                "Hessian-vector product of [`{name}`] (forward over reverse): its value, its gradient and the product of its Hessian with the direction `d..`, split by input. Generated by `#[differentiate]`."
            );
            {
                out.extend(quote! {
                    #[doc = #doc_hvp]
                    #hvp_allow
                    #vis fn #hvp_name #gen (#(#recv,)* #(#params),*) -> (#ret, #(#cotangent_tys,)* #(#cotangent_tys),*) #wher {
                        #(#copies)*
                        #body
                    }
                });
            }
        }
    }
    out
}

/// The parameters of `f_hvp`: each parameter, an active one followed by its
/// tangent (`prog` and `j`: the second order's program and transform). With
/// `copies`, an active view is declared as written and its copy pushed there
/// ([`public_param`]); without, as its owned type.
fn param_decls(
    model: &Model,
    hp: Option<(&Program, &HashSet<VarId>)>,
    j: Option<&crate::tangent::Jvp>,
    mut copies: Option<&mut Vec<TokenStream>>,
) -> Vec<TokenStream> {
    let mut params = Vec::new();
    let mut ai = 0;
    // (`hp` and `j` are both given or both not: without a program, the
    // names written.)
    // (A tangent is declared as its parameter: as a view if it is one.)
    let mut decl =
        |v: VarId, ident: &syn::Ident, p: &crate::parse::Param| match copies.as_deref_mut() {
            Some(copies) => public_param(hp, v, ident, &p.ty, model.view_of(&p.ident), copies),
            None => param(hp, v, ident, &p.ty),
        };
    for (i, p) in model.params.iter().enumerate() {
        params.push(decl(i, &p.ident, p));
        if p.active {
            let fallback = format_ident!("v{}", p.ident);
            params.push(match j {
                Some(j) => decl(j.tangents[ai], &fallback, p),
                None => decl(0, &fallback, p),
            });
            ai += 1;
        }
    }
    params
}

/// An emitted body (which names the runtime `__rt`), with its `use` first.
pub(crate) fn with_use(body: &TokenStream) -> TokenStream {
    let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
    quote!(#use_rt #body)
}

/// The path to the hidden wrappers (`__ad_jvp_f`, `__ad_vjp_f`) from a
/// generated item, and the receiver to pass them; `None` where the
/// wrappers do not exist or the path is not known.
pub(crate) fn wrapper_path(model: &Model) -> Option<(TokenStream, Vec<TokenStream>)> {
    if !model.has_output || model.params.iter().any(|p| p.output) {
        return None;
    }
    let recv_arg: Vec<TokenStream> = match model.inactive_receiver().is_empty() {
        true => vec![],
        false => vec![quote!(self)],
    };
    let path = match (model.receiver.is_some(), model.scope) {
        (true, _) | (false, Scope::Assoc) => quote!(Self::),
        (false, Scope::Free) => quote!(),
        // (A trait impl's function is rejected before this.)
        (false, Scope::Unknown | Scope::TraitImpl) => return None,
    };
    Some((path, recv_arg))
}

/// A name without its `r#`, as the generated names are formed.
pub(crate) fn base_name(name: &syn::Ident) -> String {
    name.to_string().trim_start_matches("r#").to_string()
}
