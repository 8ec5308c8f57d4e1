//! The hidden wrappers with the uniform calling convention of
//! `ad_runtime::call` (`__ad_jvp_f`, `__ad_vjp_f`, `__ad_vjpjvp_f`), through
//! which differentiated callers reach a function's derivatives without
//! seeing its signature.

use crate::emit::{allow, assigned, carried_attrs, cotangent_type, param, Bodies};
use crate::ir::VarId;
use crate::parse::Model;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

/// The bound on a wrapper's tangent type `g` for a parameter `x: ty`, and
/// how the raw tangent becomes one of type `ty`: `tangent_for` by value, or
/// for a borrowed parameter `&P` a borrow of what `tangent_ref` gives (the
/// caller's borrowed tangent, or a zero the wrapper owns in `store`).
/// Returns the bound, the statement binding the store (if any) and the
/// converted tangent (for a body that names the runtime `__rt`).
fn tangent_conversion(
    g: &syn::Ident,
    raw: &syn::Ident,
    x: &impl ToTokens,
    ty: &syn::Type,
) -> (TokenStream, TokenStream, TokenStream) {
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let elem = &r.elem;
            let store = format_ident!("__ad_store_{}", raw);
            (
                quote!(#g: ::ad::__rt::TangentRef<#elem>),
                quote!(let #store = __rt::tangent_ref(#raw, #x);),
                quote!(::core::borrow::Borrow::<#elem>::borrow(&#store)),
            )
        }
        _ => (
            quote!(#g: ::ad::__rt::TangentFor<#ty>),
            TokenStream::new(),
            quote!(__rt::tangent_for(#raw, &#x)),
        ),
    }
}

/// [`tangent_conversion`] as one expression, for an argument of a call: the
/// zero a borrowed parameter's tangent may borrow is a temporary that lives
/// to the end of the call's statement. `rt`: the runtime's path in the body.
fn tangent_inline(
    raw: &syn::Ident,
    x: &impl ToTokens,
    ty: &syn::Type,
    rt: &TokenStream,
) -> TokenStream {
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let elem = &r.elem;
            quote!(::core::borrow::Borrow::<#elem>::borrow(&#rt::tangent_ref(#raw, #x)))
        }
        _ => quote!(#rt::tangent_for(#raw, &#x)),
    }
}

/// `__ad_vjpjvp_f` over `__ad_hvp_f`, the second order's one body (seeded
/// with one, see `emit::bodies`): the caller's tangents converted as in
/// the other wrappers, then each cotangent and its tangent scaled by the
/// output cotangent `s` and its tangent `ds` (`ad_runtime::seeded`).
/// Returns the wrapper's type parameters, parameters, bounds and body.
fn shared_vjpjvp(
    model: &Model,
    prog: &crate::ir::Program,
    j: &crate::tangent::Jvp,
    seed: VarId,
    (path, recv_arg): (&TokenStream, &[TokenStream]),
) -> (
    Vec<syn::Ident>,
    Vec<TokenStream>,
    Vec<TokenStream>,
    TokenStream,
) {
    let span = proc_macro2::Span::call_site();
    let mut names = prog.names.clone();
    let no_mut = crate::fx::HashSet::default();
    let (mut gnames, mut gparams, mut gbounds, mut lets, mut args) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut bars, mut hvs, mut scale, mut all, mut dall) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut ai = 0;
    for (i, p) in model.params.iter().enumerate() {
        let x = prog.name(i).clone();
        let raw = names.fresh(&format!("{x}_tangent"), span);
        let g = format_ident!("__AdU{}", i);
        gparams.push(param(Some((prog, &no_mut)), i, &x, &p.ty));
        gparams.push(quote!(#raw: #g));
        args.push(x.to_token_stream());
        if p.active {
            let (bound, store, converted) = tangent_conversion(&g, &raw, &x, &p.ty);
            gbounds.push(bound);
            let dn = prog.name(j.tangents[ai]);
            let ty = &p.ty;
            lets.push(quote!(#store let #dn: #ty = #converted;));
            args.push(dn.to_token_stream());
            let base = crate::emit::base_name(&p.ident);
            let bar = names.fresh(&format!("{base}_bar"), span);
            let hv = names.fresh(&format!("{base}_hv"), span);
            all.push(bar.to_token_stream());
            dall.push(hv.to_token_stream());
            bars.push(bar);
            hvs.push(hv);
            ai += 1;
        } else {
            gbounds.push(quote!(#g: ::ad::__rt::Inactive));
            all.push(quote!(()));
            dall.push(quote!(()));
        }
        gnames.push(g);
    }
    let s = prog.name(seed);
    let ds = names.fresh(&format!("{s}_tangent"), span);
    let g = format_ident!("__AdU{}", model.params.len());
    let ret = &model.ret;
    gparams.push(quote!(#s: #ret));
    gparams.push(quote!(#ds: #g));
    gbounds.push(quote!(#g: ::ad::__rt::TangentFor<#ret>));
    gnames.push(g);
    let dsv = names.fresh(&format!("d{s}"), span);
    for (bar, hv) in bars.iter().zip(&hvs) {
        scale.push(quote!(let (#bar, #hv) = __rt::seeded(#s, #dsv, #bar, #hv);));
    }
    let value = names.fresh("value", span);
    let dvalue = names.fresh("dvalue", span);
    let f = format_ident!("__ad_hvp_{}", crate::emit::base_name(&model.item.sig.ident));
    let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
    let body = quote! {
        #use_rt
        #(#lets)*
        let #dsv = __rt::seed_tangent(#ds, &#s);
        let (#value, #(#bars,)* #dvalue, #(#hvs),*) = #path #f(#(#recv_arg,)* #(#args),*);
        // Reverse mode is linear in the output cotangent.
        #(#scale)*
        ((#value, #(#all),*), (#dvalue, #(#dall),*))
    };
    (gnames, gparams, gbounds, body)
}

/// The hidden wrappers with the uniform calling convention of
/// `ad_runtime::call`: `__ad_jvp_f` takes a tangent (or `NoTangent`) after
/// every argument, `__ad_vjp_f` returns a cotangent for every parameter (`()`
/// for inactive ones). Callers in other differentiated functions use them,
/// since they cannot see `f`'s signature. Each wrapper contains the
/// derivative's body (or, for `custom`, calls the hand-written rule), so it
/// needs no path to `f_jvp` and works in `impl` blocks too.
/// Which wrappers to generate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WrapperMode {
    /// From the generated derivatives.
    Generated,
    /// Signatures only, after errors.
    Stub,
    /// Calling hand-written rules; `second_order`: `f_vjp_jvp` exists.
    Custom { second_order: bool },
}

pub fn wrappers(model: &Model, bodies: Option<&Bodies>, mode: WrapperMode) -> TokenStream {
    let supported = model.has_output && !model.params.iter().any(|p| p.output);
    if !supported {
        return TokenStream::new();
    }
    let item = model.item;
    let vis = &item.vis;
    let name = &item.sig.ident;
    let base = name.to_string();
    let base = base.trim_start_matches("r#");
    let wrap_jvp = format_ident!("__ad_jvp_{}", base);
    let wrap_vjp = format_ident!("__ad_vjp_{}", base);
    let recv = model.inactive_receiver();
    // The function's own generics, then the wrapper's.
    let own_params: Vec<TokenStream> = item
        .sig
        .generics
        .params
        .iter()
        .map(|p| p.to_token_stream())
        .collect();
    let own_preds: Vec<TokenStream> = model
        .generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter().map(|p| p.to_token_stream()))
        .collect();
    // Hand-written rules of a method are methods too.
    let call_user = |user: syn::Ident, args: TokenStream| -> TokenStream {
        if model.receiver.is_some() {
            quote!(self.#user(#args))
        } else {
            quote!(#user(#args))
        }
    };
    let ret = &model.ret;
    // The wrappers are `#[inline]` already: only lint levels and `#[cfg]`.
    let carried = carried_attrs(item, &["allow", "expect", "warn", "deny", "cfg"]);
    let allow = allow();
    let allow = quote!(#allow #(#carried)*);

    // Names: the generated programs' when there are bodies, else fresh ones.
    let mut names = match bodies {
        Some(b) => b.prog_jvp.names.clone(),
        None => {
            let mut reserved = crate::fx::HashSet::default();
            for p in &model.params {
                reserved.insert(p.ident.to_string());
            }
            crate::ir::Names::new(reserved)
        }
    };
    let jvp_mut = bodies.map(|b| assigned(&b.prog_jvp, &b.tangent.body.stmts));
    let jp = bodies.zip(jvp_mut.as_ref()).map(|(b, m)| (&b.prog_jvp, m));
    // How often a call of the hand-written rule names the runtime: once per
    // active parameter.
    let custom_uses = model.params.iter().filter(|p| p.active).count();
    let custom_rt = crate::rt_alias::path(custom_uses);

    // __ad_jvp_f(x, t_x, n, t_n, ..) -> (out, dout)
    let mut generics = Vec::new();
    let mut bounds = Vec::new();
    let mut params = Vec::new();
    let mut lets = Vec::new();
    let mut call = Vec::new();
    let mut ai = 0;
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let x = match bodies {
            Some(b) => b.prog_jvp.name(i).clone(),
            None => p.ident.clone(),
        };
        let raw = names.fresh(&format!("{x}_tangent"), proc_macro2::Span::call_site());
        let g = format_ident!("__AdT{}", i);
        params.push(param(jp, i, &p.ident, ty));
        params.push(quote!(#raw: #g));
        call.push(x.to_token_stream());
        if !p.active && !p.output {
            // A caller's active value for a parameter left out of `wrt`
            // would lose its derivative: a type error instead.
            bounds.push(quote!(#g: ::ad::__rt::Inactive));
        }
        if p.active {
            let (bound, store, converted) = tangent_conversion(&g, &raw, &x, ty);
            bounds.push(bound);
            match bodies {
                Some(b) => {
                    let d = b.tangent.tangents[ai];
                    let dn = b.prog_jvp.name(d);
                    let m = jvp_mut
                        .as_ref()
                        .is_some_and(|m| m.contains(&d))
                        .then(|| quote!(mut));
                    lets.push(quote!(#store let #m #dn: #ty = #converted;));
                }
                None => call.push(tangent_inline(&raw, &x, ty, &custom_rt)),
            }
            ai += 1;
        }
        generics.push(g);
    }
    let jvp_body = match bodies {
        Some(b) => {
            let body = &b.jvp;
            let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
            quote!(#use_rt #(#lets)* #body)
        }
        None if mode == WrapperMode::Stub => {
            quote!(::core::unreachable!(
                "the derivative of a function that failed to compile"
            ))
        }
        None => {
            let use_rt = crate::rt_alias::use_for(custom_uses);
            let call = call_user(format_ident!("{}_jvp", base), quote!(#(#call),*));
            quote!(#use_rt #call)
        }
    };

    // __ad_vjp_f(x, n, .., dout) -> (out, x_bar, (), ..)
    let vjp_mut = bodies.map(|b| assigned(&b.prog_vjp, &b.adjoint.body.stmts));
    let vp = bodies.zip(vjp_mut.as_ref()).map(|(b, m)| (&b.prog_vjp, m));
    let mut names = match bodies {
        Some(b) => b.prog_vjp.names.clone(),
        None => names,
    };
    let vparams: Vec<TokenStream> = model
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| param(vp, i, &p.ident, &p.ty))
        .collect();
    let seed = match bodies.and_then(|b| b.adjoint.seed.map(|s| (b, s))) {
        Some((b, s)) => b.prog_vjp.name(s).clone(),
        None => names.fresh("dout", proc_macro2::Span::call_site()),
    };
    // The seed may be the adjoint of a returned value that other uses add to.
    let seed_mut = bodies
        .zip(vjp_mut.as_ref())
        .and_then(|(b, m)| b.adjoint.seed.filter(|s| m.contains(s)))
        .map(|_| quote!(mut));
    let value = names.fresh("value", proc_macro2::Span::call_site());
    let mut cots = Vec::new();
    let mut all = Vec::new();
    let mut tys = Vec::new();
    for p in &model.params {
        if p.active {
            let c = names.fresh(
                &format!("{}_cotangent", p.ident),
                proc_macro2::Span::call_site(),
            );
            cots.push(c.clone());
            all.push(c.to_token_stream());
            let ty = cotangent_type(&p.ty);
            tys.push(quote!(#ty));
        } else {
            all.push(quote!(()));
            tys.push(quote!(()));
        }
    }
    let inner = match bodies {
        Some(b) => {
            let body = &b.vjp;
            quote!({ #body })
        }
        None if mode == WrapperMode::Stub => {
            quote!(::core::unreachable!(
                "the derivative of a function that failed to compile"
            ))
        }
        None => {
            let args: Vec<TokenStream> = model
                .params
                .iter()
                .map(|p| p.ident.to_token_stream())
                .collect();
            call_user(format_ident!("{}_vjp", base), quote!(#(#args,)* #seed))
        }
    };
    // __ad_vjpjvp_f(x, t_x, .., dout, t_dout) -> ((out, x_bar, ()..), (dout', dx_bar, ()..))
    let wrap_vjpjvp = format_ident!("__ad_vjpjvp_{}", base);
    let shared = bodies
        .and_then(|b| b.hvp.as_ref().zip(b.shared_hvp))
        .zip(crate::emit::wrapper_path(model));
    let vjpjvp = match (shared, bodies.map(|b| b.vjp_jvp.as_ref())) {
        (Some((((_, prog, j), seed), (path, recv_arg))), _) => {
            shared_vjpjvp(model, prog, j, seed, (&path, &recv_arg))
        }
        (None, Some(Some((tokens, prog, j)))) => {
            let mutable = assigned(prog, &j.body.stmts);
            let pm = Some((prog, &mutable));
            let mut names = prog.names.clone();
            let mut gparams = Vec::new();
            let mut gbounds = Vec::new();
            let mut gnames = Vec::new();
            let mut lets = Vec::new();
            let mut ai = 0;
            let mut add_param = |v: VarId,
                                 ty: &syn::Type,
                                 active: bool,
                                 i: usize,
                                 params: &mut Vec<TokenStream>| {
                let x = prog.name(v).clone();
                let raw = names.fresh(&format!("{x}_tangent"), proc_macro2::Span::call_site());
                let g = format_ident!("__AdU{}", i);
                params.push(param(pm, v, &x, ty));
                params.push(quote!(#raw: #g));
                if !active && !model.params.get(i).is_some_and(|p| p.output) {
                    gbounds.push(quote!(#g: ::ad::__rt::Inactive));
                }
                if active {
                    let (bound, store, converted) = tangent_conversion(&g, &raw, &x, ty);
                    gbounds.push(bound);
                    let d = j.tangents[ai];
                    let dn = prog.name(d);
                    let m = mutable.contains(&d).then(|| quote!(mut));
                    lets.push(quote!(#store let #m #dn: #ty = #converted;));
                    ai += 1;
                }
                gnames.push(g);
            };
            for (i, p) in model.params.iter().enumerate() {
                add_param(i, &p.ty, p.active, i, &mut gparams);
            }
            let seed = *prog.active_params.last().expect("the seed is active");
            add_param(seed, ret, true, model.params.len(), &mut gparams);
            let mut names = prog.names.clone();
            let v = names.fresh("value", proc_macro2::Span::call_site());
            let dv = names.fresh("dvalue", proc_macro2::Span::call_site());
            let (mut cs, mut dcs, mut all, mut dall) = (vec![], vec![], vec![], vec![]);
            for p in &model.params {
                if p.active {
                    let c = names.fresh("cotangent", proc_macro2::Span::call_site());
                    let dc = names.fresh("dcotangent", proc_macro2::Span::call_site());
                    all.push(c.to_token_stream());
                    dall.push(dc.to_token_stream());
                    cs.push(c);
                    dcs.push(dc);
                } else {
                    all.push(quote!(()));
                    dall.push(quote!(()));
                }
            }
            let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
            let body = quote! {
                #use_rt
                #(#lets)*
                let (#v, #(#cs,)* #dv, #(#dcs),*) = { #tokens };
                ((#v, #(#all),*), (#dv, #(#dall),*))
            };
            (gnames, gparams, gbounds, body)
        }
        // A custom rule: second order through it needs the rule's own
        // forward derivative, `f_vjp_jvp`, written like this wrapper.
        _ => {
            let mut names2 = names.clone();
            let cots_d: Vec<syn::Ident> = cots
                .iter()
                .map(|c| names2.fresh(&format!("d{c}"), proc_macro2::Span::call_site()))
                .collect();
            let mut k = 0;
            let all_d: Vec<TokenStream> = model
                .params
                .iter()
                .map(|p| {
                    if p.active {
                        k += 1;
                        cots_d[k - 1].to_token_stream()
                    } else {
                        quote!(())
                    }
                })
                .collect();
            let mut gparams = Vec::new();
            let mut gbounds = Vec::new();
            let mut gnames = Vec::new();
            let mut call = Vec::new();
            let mut i = 0usize;
            let mut names = names.clone();
            // (The seed's tangent too.)
            let uses = custom_uses + 1;
            let rt = crate::rt_alias::path(uses);
            let mut push =
                |x: TokenStream, ty: &syn::Type, active: bool, call: &mut Vec<TokenStream>| {
                    let raw = names.fresh("tangent", proc_macro2::Span::call_site());
                    let g = format_ident!("__AdU{}", i);
                    i += 1;
                    gparams.push(quote!(#x: #ty));
                    gparams.push(quote!(#raw: #g));
                    call.push(x.clone());
                    if !active {
                        gbounds.push(quote!(#g: ::ad::__rt::Inactive));
                    }
                    if active {
                        let (bound, _, _) = tangent_conversion(&g, &raw, &x, ty);
                        gbounds.push(bound);
                        call.push(tangent_inline(&raw, &x, ty, &rt));
                    }
                    gnames.push(g);
                };
            for p in &model.params {
                push(p.ident.to_token_stream(), &p.ty, p.active, &mut call);
            }
            push(seed.to_token_stream(), ret, true, &mut call);
            let user = call_user(format_ident!("{}_vjp_jvp", base), quote!(#(#call),*));
            let use_rt = crate::rt_alias::use_for(uses);
            let body = match mode {
                WrapperMode::Custom { second_order: true } => quote! {
                    #use_rt
                    let ((v, #(#cots),*), (dv, #(#cots_d),*)) = #user;
                    ((v, #(#all),*), (dv, #(#all_d),*))
                },
                WrapperMode::Custom {
                    second_order: false,
                } => {
                    let msg = format!(
                        "ad: second order through the custom rule `{base}` needs its forward derivative `{base}_vjp_jvp`: write it and mark `{base}` with #[differentiate(custom(second_order))]"
                    );
                    quote!(::core::panic!(#msg))
                }
                _ => quote!(::core::unreachable!(
                    "the derivative of a function that failed to compile"
                )),
            };
            (gnames, gparams, gbounds, body)
        }
    };
    // With every parameter active, the body's result is the wrapper's.
    let vjp_body = match bodies {
        Some(b) if model.params.iter().all(|p| p.active) => crate::emit::with_use(&b.vjp),
        _ => {
            // (The hand-written rule's call names no runtime.)
            let uses = match bodies {
                Some(_) => crate::rt_alias::EMITTED,
                None => 0,
            };
            let use_rt = crate::rt_alias::use_for(uses);
            quote! {
                #use_rt
                let (#value, #(#cots),*) = #inner;
                (#value, #(#all),*)
            }
        }
    };
    // (No `<>` nor `where` without generics: `dump` prints what is here.)
    let vjp_generics = match own_params.is_empty() {
        true => TokenStream::new(),
        false => quote!(<#(#own_params),*>),
    };
    let vjp_where = match own_preds.is_empty() {
        true => TokenStream::new(),
        false => quote!(where #(#own_preds,)*),
    };
    let (gnames, gparams, gbounds, body) = vjpjvp;
    let split = crate::split::split_form(
        model,
        match (bodies, mode) {
            (Some(b), _) => crate::split::SplitMode::Generated(b),
            (None, WrapperMode::Custom { .. }) => crate::split::SplitMode::Custom,
            (None, _) => crate::split::SplitMode::Stub,
        },
    );
    let vjpjvp = quote! {
        #split
        #[doc(hidden)]
        #[inline]
        #allow
        #vis fn #wrap_vjpjvp<#(#own_params,)* #(#gnames),*>(#(#recv,)* #(#gparams),*) -> ((#ret, #(#tys),*), (#ret, #(#tys),*))
        where
            #(#own_preds,)*
            #(#gbounds,)*
        {
            #body
        }
    };
    quote! {
        #vjpjvp
        #[doc(hidden)]
        #[inline]
        #allow
        #vis fn #wrap_jvp<#(#own_params,)* #(#generics),*>(#(#recv,)* #(#params),*) -> (#ret, #ret)
        where
            #(#own_preds,)*
            #(#bounds,)*
        {
            #jvp_body
        }
        // `always`: the thin `f_vjp` and `f_grad` are the body itself, as
        // the user's function is. Inlined by the ordinary inliner, the
        // body is optimised on its own first: Rosenbrock's `_vjp` and
        // `_grad` then took 2.6x as long (LLVM merged the two stores
        // `x_bar[i] += ..; x_bar[i + 1] += ..` into one, which the next
        // iteration reads back half by half: a failed store forward).
        #[doc(hidden)]
        #[inline(always)]
        #allow
        #vis fn #wrap_vjp #vjp_generics(#(#recv,)* #(#vparams,)* #seed_mut #seed: #ret) -> (#ret, #(#tys),*)
        #vjp_where
        {
            #vjp_body
        }
    }
}
