//! The split form of reverse mode, `__ad_split_f`, through which a
//! differentiated caller's reverse mode reaches `f` without running `f`'s
//! forward sweep twice.
//!
//! ```ignore
//! fn __ad_split_f(x: &[f64], k: f64) -> (f64, impl FnOnce(&[f64], f64, f64) -> ((), Vec<f64>, f64))
//! ```
//!
//! runs `f`'s forward sweep and returns its value and its *pullback*: a
//! closure that holds what the forward sweep recorded (its locals, stacks
//! and saved values, moved in) and, given the arguments again and the
//! output cotangent, runs the reverse sweep. A caller's forward sweep
//! records the pullback (in a local, or on a stack in loops) where it calls
//! `f`, and its reverse sweep calls it there (`adjoint/forward.rs`, `split_call`):
//! the memory of the whole computation is that of one function with `f`
//! inlined, and each forward sweep runs once however deep the calls nest.
//!
//! Shared-reference arguments (`&[f64]`) are passed again to the pullback
//! rather than held by it (the caller may overwrite the array afterwards);
//! everything else the reverse sweep reads is moved into the closure. A
//! closure may not hold a borrow (its type is `impl FnOnce` without
//! lifetimes), so a function whose forward sweep keeps a borrowed local
//! (`let r = &x[1..]`, `for v in x.iter()`), works on nalgebra values, or
//! is a custom rule gets the *joint* split form: the value, and a pullback
//! that runs the whole reverse mode (forward sweep again) when called.

use crate::emit::{allow, assigned, carried_attrs, cotangent_type, param, Bodies, Emitter};
use crate::fx::HashSet;
use crate::ir::{walk, Body, Expr, Header, Operand, Program, Stmt, VarId};
use crate::parse::Model;
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};

/// How the split form's body is made.
pub enum SplitMode<'a> {
    /// From the generated reverse mode.
    Generated(&'a Bodies),
    /// Calling the hand-written `f_vjp` (joint).
    Custom,
    /// Signatures only, after errors.
    Stub,
}

/// `__ad_split_f`, for a function without a receiver (methods are called in
/// joint mode) and without output buffers (their value form has its own).
pub fn split_form(model: &Model, mode: SplitMode) -> TokenStream {
    if model.receiver.is_some() || !model.has_output || model.params.iter().any(|p| p.output) {
        return TokenStream::new();
    }
    let item = model.item;
    let vis = &item.vis;
    let base = item.sig.ident.to_string();
    let base = base.trim_start_matches("r#");
    let name = format_ident!("__ad_split_{}", base);
    let generics = &model.generics;
    let own_params = &generics.params;
    let wher = &generics.where_clause;
    let ret = &model.ret;
    let ret_el = elide(ret);
    let carried = carried_attrs(item, &["allow", "expect", "warn", "deny", "cfg"]);
    let allow = allow();
    let arg_tys: Vec<TokenStream> = model.params.iter().map(|p| elide(&p.ty)).collect();
    let mut cot_tys = Vec::new();
    let mut dest_tys = Vec::new();
    for p in &model.params {
        match (p.active, dest_elem(p)) {
            (true, Some(elem)) => {
                cot_tys.push(quote!(::core::option::Option<::std::vec::Vec<#elem>>));
                dest_tys.push(quote!(::core::option::Option<&mut [#elem]>));
            }
            (true, None) => {
                let ty = cotangent_type(&p.ty);
                cot_tys.push(quote!(#ty));
                dest_tys.push(quote!(()));
            }
            (false, _) => {
                cot_tys.push(quote!(()));
                dest_tys.push(quote!(()));
            }
        }
    }
    // The forward sweep saves on the window its caller lends, the pullback
    // reads back from the caller's stream.
    let words = quote!(&mut ::ad::__rt::Words);
    let lent = quote!(&mut ::ad::__rt::Saving<'_>);
    let dests = quote!((#(#dest_tys,)*));
    let own_generics = match own_params.is_empty() {
        true => TokenStream::new(),
        false => quote!(<#own_params>),
    };
    let sig = |params: &[TokenStream]| {
        quote! {
            #[doc(hidden)]
            #[inline]
            #allow
            #(#carried)*
            #vis fn #name #own_generics(#(#params),*)
                -> (#ret, impl ::core::ops::FnOnce(#(#arg_tys,)* #ret_el, #words, #dests) -> ((), #(#cot_tys),*))
            #wher
        }
    };
    let body = match mode {
        SplitMode::Generated(b) if model.joint => joint(model, Some(b), &arg_tys, &ret_el, &dests),
        SplitMode::Generated(b) => match generated(model, b, &arg_tys, &ret_el, &dests) {
            Some((params, body)) => {
                let sig = sig(&params);
                return quote!(#sig { #body });
            }
            None => joint(model, Some(b), &arg_tys, &ret_el, &dests),
        },
        SplitMode::Custom => joint(model, None, &arg_tys, &ret_el, &dests),
        SplitMode::Stub => {
            // Typed, so that the opaque type is inferred: no second error.
            quote! {
                let f = move |#(_: #arg_tys,)* _: #ret_el, _: #words, _: #dests| -> ((), #(#cot_tys),*) {
                    ::core::unreachable!("the derivative of a function that failed to compile")
                };
                (::core::unreachable!("the derivative of a function that failed to compile"), f)
            }
        }
    };
    let mut params: Vec<TokenStream> = model
        .params
        .iter()
        .map(|p| {
            let (m, x, ty) = (p.mutable.then(|| quote!(mut)), &p.ident, &p.ty);
            quote!(#m #x: #ty)
        })
        .collect();
    params.push(quote!(_: #lent));
    let sig = sig(&params);
    quote!(#sig { #body })
}

/// The element type of an active `&[T]` parameter, whose pullback adds its
/// cotangent into a destination its caller lends (`ad_runtime::dest`).
fn dest_elem(p: &crate::parse::Param) -> Option<&syn::Type> {
    if !p.active {
        return None;
    }
    let syn::Type::Reference(r) = &p.ty else {
        return None;
    };
    let syn::Type::Slice(sl) = &*r.elem else {
        return None;
    };
    let plain = p.array && !p.nested && !p.matrix && !p.structure;
    let scalar = plain
        && matches!(&*sl.elem, syn::Type::Path(tp)
        if tp.qself.is_none()
            && tp.path.segments.len() == 1
            && tp.path.segments[0].arguments.is_none());
    (r.mutability.is_none() && scalar).then_some(&*sl.elem)
}

/// The pattern binding the pullback's destinations: a name for each slice
/// parameter's (`x_dest`), `_` for the others.
fn dest_pattern(
    model: &Model,
    names: &mut crate::ir::Names,
) -> (TokenStream, Vec<Option<syn::Ident>>) {
    let idents: Vec<Option<syn::Ident>> = model
        .params
        .iter()
        .map(|p| {
            dest_elem(p)
                .map(|_| names.fresh(&format!("{}_dest", p.ident), proc_macro2::Span::call_site()))
        })
        .collect();
    if idents.iter().all(Option::is_none) {
        return (quote!(_), idents);
    }
    let pats = idents.iter().map(|d| match d {
        Some(d) => quote!(#d),
        None => quote!(_),
    });
    (quote!((#(#pats,)*)), idents)
}

/// The cotangents of the active parameters as the pullback returns them:
/// `()` for the value, then one per parameter (`()` for inactive ones),
/// from the names bound to the active ones.
fn pullback_result(model: &Model, cots: &[syn::Ident]) -> TokenStream {
    let mut k = 0;
    let all = model.params.iter().map(|p| {
        if p.active {
            k += 1;
            cots[k - 1].to_token_stream()
        } else {
            quote!(())
        }
    });
    quote!(((), #(#all),*))
}

/// The joint split form: the value from the user's body, and a pullback
/// that runs the whole reverse mode (the generated one, or the custom
/// rule's `f_vjp`) on the arguments it is given.
fn joint(
    model: &Model,
    bodies: Option<&Bodies>,
    arg_tys: &[TokenStream],
    ret_el: &TokenStream,
    dests_ty: &TokenStream,
) -> TokenStream {
    // (The user's body, without `#[checkpoint]`, which only the macro reads.)
    let mut item = model.source.clone();
    crate::lower::checkpoint::strip(&mut item);
    let block = &item.block;
    let ret = &model.ret;
    let base = model.item.sig.ident.to_string();
    let base = base.trim_start_matches("r#");
    let mut names = match bodies {
        Some(b) => b.prog_vjp.names.clone(),
        None => {
            let mut reserved = HashSet::default();
            for p in &model.params {
                reserved.insert(p.ident.to_string());
            }
            crate::ir::Names::new(reserved)
        }
    };
    let fresh = |names: &mut crate::ir::Names, base: &str| {
        names.fresh(base, proc_macro2::Span::call_site())
    };
    let value = fresh(&mut names, "value");
    let cots: Vec<syn::Ident> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| fresh(&mut names, &format!("{}_cotangent", p.ident)))
        .collect();
    let result = pullback_result(model, &cots);
    let mut pattern = quote!((_, #(#cots),*));
    // Whether the pullback holds an emitted body (which names the runtime
    // `__rt`), not a call.
    let mut emitted = false;
    let (params, seed, inner) = match bodies {
        Some(b) => {
            let mutable = assigned(&b.prog_vjp, &b.adjoint.body.stmts);
            let vp = Some((&b.prog_vjp, &mutable));
            let params: Vec<TokenStream> = model
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let ty = syn::parse2(arg_tys[i].clone()).unwrap_or_else(|_| p.ty.clone());
                    param(vp, i, &p.ident, &ty)
                })
                .collect();
            let seed = match b.adjoint.seed {
                Some(s) => {
                    let m = mutable.contains(&s).then(|| quote!(mut));
                    let s = b.prog_vjp.name(s);
                    quote!(#m #s)
                }
                None => fresh(&mut names, "dout").to_token_stream(),
            };
            let inner = match crate::emit::wrapper_path(model) {
                // The reverse mode is `__ad_vjp_f`'s: a call, its cotangents
                // in every parameter's place.
                Some((path, _)) => {
                    let f = format_ident!("__ad_vjp_{}", base);
                    let args = (0..model.params.len()).map(|i| b.prog_vjp.name(i));
                    let s = b.adjoint.seed.map(|s| b.prog_vjp.name(s).to_token_stream());
                    let s = s.unwrap_or_else(|| seed.clone());
                    let mut k = 0;
                    let pats = model.params.iter().map(|p| match p.active {
                        true => {
                            k += 1;
                            cots[k - 1].to_token_stream()
                        }
                        false => quote!(_),
                    });
                    pattern = quote!((_, #(#pats),*));
                    quote!(#path #f(#(#args,)* #s))
                }
                None => {
                    emitted = true;
                    let body = &b.vjp;
                    quote!({ #body })
                }
            };
            (params, seed, inner)
        }
        None => {
            let params: Vec<TokenStream> = model
                .params
                .iter()
                .zip(arg_tys)
                .map(|(p, ty)| {
                    let x = &p.ident;
                    quote!(#x: #ty)
                })
                .collect();
            let seed = fresh(&mut names, "dout");
            let args = model.params.iter().map(|p| &p.ident);
            let user = format_ident!("{}_vjp", base);
            (
                params,
                seed.to_token_stream(),
                quote!(#user(#(#args,)* #seed)),
            )
        }
    };
    // A cotangent computed whole goes into the caller's destination.
    let (dest_pat, dest_names) = dest_pattern(model, &mut names);
    // The runtime is named by the pullback's `Words` and by each delivery.
    let deliveries = model
        .params
        .iter()
        .zip(&dest_names)
        .filter(|(p, d)| p.active && d.is_some())
        .count();
    let uses = match emitted {
        true => crate::rt_alias::EMITTED,
        false => 1 + deliveries,
    };
    let rt = crate::rt_alias::path(uses);
    let use_rt = crate::rt_alias::use_for(uses);
    let mut k = 0;
    let mut deliver = Vec::new();
    for (p, d) in model.params.iter().zip(&dest_names) {
        if !p.active {
            continue;
        }
        if let Some(d) = d {
            let c = &cots[k];
            deliver.push(quote!(let #c = #rt::deliver(#d, #c);));
        }
        k += 1;
    }
    quote! {
        #use_rt
        let #value: #ret = (|| #block)();
        (#value, move |#(#params,)* #seed: #ret_el, _: &mut #rt::Words, #dest_pat: #dests_ty| {
            let #pattern = #inner;
            #(#deliver)*
            #result
        })
    }
}

/// The split form proper, when the forward sweep keeps no borrow: the
/// function's parameters and body.
fn generated(
    model: &Model,
    b: &Bodies,
    arg_tys: &[TokenStream],
    ret_el: &TokenStream,
    dests_ty: &TokenStream,
) -> Option<(Vec<TokenStream>, TokenStream)> {
    let prog = &b.prog_vjp;
    let adjoint = &b.adjoint;
    let cut = adjoint.split?;
    if prog.matrix || !owned_forward(model, prog, &adjoint.body.stmts[..cut]) {
        return None;
    }
    let mut elided = adjoint.body.clone();
    crate::elide::elide_copies(prog, &mut elided);
    let body = &elided;
    let mutable = assigned(prog, &body.stmts);
    let vp = Some((prog, &mutable));
    let mut params: Vec<TokenStream> = model
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| param(vp, i, &p.ident, &p.ty))
        .collect();
    // The caller's stream of saved values stands for the function's own.
    let mut names = prog.names.clone();
    let tape_name = match adjoint.words {
        Some(w) => prog.name(w).clone(),
        None => names.fresh("tape", proc_macro2::Span::call_site()),
    };
    let tape = quote!(mut #tape_name: &mut __rt::Words);
    params.push(quote!(mut #tape_name: &mut ::ad::__rt::Saving<'_>));
    // The floats the reverse sweep reads from the forward sweep's top level
    // go on the stream too, so that the pullback holds only arrays (and
    // has no size at all for a scalar function).
    let reverse_stmts = &body.stmts[cut..];
    let mut read = HashSet::default();
    crate::adjoint::collect_reads(reverse_stmts, &mut read);
    walk(reverse_stmts, &mut |s| {
        if let Stmt::Assign { place, .. } = s {
            read.insert(place.var());
        }
    });
    for e in &body.ret[adjoint.values..] {
        e.for_each_var(&mut |v| {
            read.insert(v);
        });
    }
    let top: HashSet<VarId> = body.stmts[..cut]
        .iter()
        .filter_map(|s| match s {
            Stmt::Let { var, .. } => Some(*var),
            _ => None,
        })
        .collect();
    let mut floats: Vec<VarId> = read
        .into_iter()
        .filter(|v| top.contains(v) && adjoint.floats.contains(v))
        .collect();
    floats.sort_unstable();
    let mut save = Vec::new();
    let mut load = Vec::new();
    for &v in &floats {
        let x = prog.name(v);
        let kind = names.fresh(&format!("{x}_kind"), proc_macro2::Span::call_site());
        let m = mutable.contains(&v).then(|| quote!(mut));
        save.push(quote!(let #kind = __rt::witness(&#x); #tape_name.push(#x);));
        load.push(quote!(let #m #x = #kind.pop(&mut #tape_name);));
    }
    load.reverse();
    let own_words = |s: &Stmt| matches!(s, Stmt::Let { var, expr: Expr::Fresh { words: true, .. }, .. } if Some(*var) == adjoint.words);
    let forward_stmts: Vec<Stmt> = body.stmts[..cut]
        .iter()
        .filter(|s| !own_words(s))
        .cloned()
        .collect();
    // The pullback's parameters: shared references again, by the names the
    // reverse sweep reads; the others are moved in (`_`).
    let cparams: Vec<TokenStream> = model
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ty = &arg_tys[i];
            if shared(&p.ty) {
                let x = prog.name(i);
                quote!(#x: #ty)
            } else {
                quote!(_: #ty)
            }
        })
        .collect();
    let seed = match adjoint.seed {
        Some(s) => {
            let m = mutable.contains(&s).then(|| quote!(mut));
            let s = prog.name(s);
            quote!(#m #s)
        }
        None => return None,
    };
    let emitter = Emitter::new(prog, mutable.clone()).with_streams(adjoint.words);
    let forward = emitter.block(&forward_stmts);
    let values = emitter.body(&Body {
        stmts: Vec::new(),
        ret: body.ret[..adjoint.values].to_vec(),
    });
    // A slice parameter's cotangent is the caller's destination (or a zero
    // of its own, `Slot`) in place of the zero the reverse sweep declares;
    // a cotangent computed otherwise is delivered there at the end.
    let (dest_pat, dest_names) = dest_pattern(model, &mut names);
    let mut reverse_stmts = body.stmts[cut..].to_vec();
    let mut reverse_ret = body.ret[adjoint.values..].to_vec();
    let mut slots = Vec::new();
    let mut k = 0;
    for (i, (p, d)) in model.params.iter().zip(&dest_names).enumerate() {
        if !p.active {
            continue;
        }
        k += 1;
        let Some(d) = d else { continue };
        let ret = &mut reverse_ret[k - 1];
        let zero_at = ret.as_var().and_then(|pb| {
            reverse_stmts.iter().position(|s| {
                matches!(s, Stmt::Let { var, expr: Expr::ZeroLike(e), .. }
                    if *var == pb && e.as_var() == Some(i))
            })
        });
        let x = prog.name(i);
        match zero_at {
            Some(at) => {
                reverse_stmts.remove(at);
                let pb = prog.name(ret.as_var().unwrap_or(i));
                let slot = names.fresh(&format!("{x}_slot"), proc_macro2::Span::call_site());
                slots.push(quote! {
                    let mut #slot = __rt::Slot::new(#d, #x);
                    let mut #pb = #slot.get();
                });
                *ret = Expr::Opaque(quote!(#slot.finish()), vec![]);
            }
            None => {
                let whole = emitter.body(&Body {
                    stmts: Vec::new(),
                    ret: vec![ret.clone()],
                });
                let mut reads = Vec::new();
                ret.for_each_var(&mut |v| reads.push(v));
                *ret = Expr::Opaque(quote!(__rt::deliver(#d, #whole)), reads);
            }
        }
    }
    let reverse = emitter.body(&Body {
        stmts: reverse_stmts,
        ret: reverse_ret,
    });
    let cots: Vec<syn::Ident> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| {
            names.fresh(
                &format!("{}_cotangent", p.ident),
                proc_macro2::Span::call_site(),
            )
        })
        .collect();
    let result = pullback_result(model, &cots);
    let bind = match cots.as_slice() {
        [] => quote!(let () = { #reverse };),
        [one] => quote!(let #one = { #reverse };),
        many => quote!(let (#(#many),*) = { #reverse };),
    };
    let values_name = names.fresh("values", proc_macro2::Span::call_site());
    let use_rt = crate::rt_alias::use_for(crate::rt_alias::EMITTED);
    let body = quote! {
        #use_rt
        #forward
        let #values_name = #values;
        #(#save)*
        (#values_name, move |#(#cparams,)* #seed: #ret_el, #tape, #dest_pat: #dests_ty| {
            #(#load)*
            #(#slots)*
            #bind
            #result
        })
    };
    Some((params, body))
}

/// A shared reference type (`&[f64]`, `&T`): passed to the pullback again.
fn shared(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if r.mutability.is_none())
}

/// Whether the forward sweep's statements keep nothing borrowed that the
/// pullback would have to hold: parameters taken by value have no lifetime,
/// shared-reference parameters are not reassigned, loops run over integer
/// ranges, no local copies a borrow (`let mut b = x;`), and verbatim code
/// neither borrows (`&`) nor calls a method that returns a borrow (`iter`,
/// `as_slice`, `first`, ...).
fn owned_forward(model: &Model, prog: &Program, forward: &[Stmt]) -> bool {
    for (i, p) in model.params.iter().enumerate() {
        if shared(&p.ty) {
            if p.mutable || prog.vars[i].slot || has_lifetime(inner_of(&p.ty)) {
                return false;
            }
        } else if has_lifetime(&p.ty) {
            return false;
        }
    }
    let mut ok = true;
    walk(forward, &mut |s| match s {
        Stmt::Loop {
            header: Header::For { iter, .. },
            ..
        } => ok &= crate::adjoint::is_simple_range(iter),
        // What a variable is bound to (a borrow passed to a call, or taken
        // inside an expression, lives for that call or expression only).
        Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => ok &= !holds_borrow(prog, expr),
        _ => {}
    });
    ok
}

/// Whether a value may hold a borrow: a reference (`&x[1..]`), a copy of a
/// borrow (`let mut b = x;`), verbatim code that borrows or names a shared
/// reference bare (`Some(v)`, `(v, 1.0)` of `v: &Vec<f64>`, passed on to a
/// helper), or a tuple or array of such values (`[v, v]`).
fn holds_borrow(prog: &Program, expr: &Expr) -> bool {
    match expr {
        Expr::Ref(_) => true,
        Expr::Use(Operand::Var(v)) => prog.vars[*v].borrowed,
        Expr::Opaque(tokens, reads) => {
            let names: Vec<String> = reads
                .iter()
                .filter(|v| prog.vars[**v].borrowed)
                .map(|v| prog.name(*v).to_string())
                .collect();
            borrows(tokens.clone()) || names_bare(tokens.clone(), &names)
        }
        Expr::Tuple(elems) | Expr::List { elems, .. } => {
            elems.iter().any(|e| holds_borrow(prog, e))
        }
        _ => false,
    }
}

/// Whether verbatim code names one of `names` other than to read from it
/// (`v.len()`, `v[i]`): the value may hold it.
fn names_bare(tokens: TokenStream, names: &[String]) -> bool {
    if names.is_empty() {
        return false;
    }
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Ident(id) => {
            let read = match tokens.get(i + 1) {
                Some(TokenTree::Punct(p)) => p.as_char() == '.',
                Some(TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Bracket,
                _ => false,
            };
            // (Not a path's segment or a field: `a::v`, `s.v`.)
            let member = i > 0
                && matches!(&tokens[i - 1], TokenTree::Punct(p) if matches!(p.as_char(), '.' | ':'));
            !read && !member && names.contains(&id.to_string())
        }
        // (Not the arguments of a function or method call, `g(v)`,
        // `a.min(v)`, whose result is taken for a number; a constructor's,
        // `Some(v)`, are held.)
        TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Parenthesis && i > 0 => {
            let call = matches!(&tokens[i - 1], TokenTree::Ident(f)
                if f.to_string().starts_with(|c: char| c.is_lowercase() || c == '_')
                    && !KEYWORDS_BEFORE_PARENS.contains(&f.to_string().as_str()));
            !call && names_bare(g.stream(), names)
        }
        TokenTree::Group(g) => names_bare(g.stream(), names),
        _ => false,
    })
}

/// Keywords a parenthesised expression may follow (`if (a, v) ..`, `match
/// (v, w) {..}`): not calls.
const KEYWORDS_BEFORE_PARENS: &[&str] = &[
    "if", "match", "while", "return", "in", "else", "let", "move", "mut", "break", "as",
];

fn inner_of(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => &r.elem,
        _ => ty,
    }
}

/// Methods that return a borrow of their receiver.
const BORROWING: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "as_slice",
    "as_mut_slice",
    "as_ref",
    "as_mut",
    "chunks",
    "chunks_exact",
    "windows",
    "split_at",
    "split_first",
    "split_last",
    "first",
    "last",
    "get",
    "get_mut",
    "column",
    "row",
    "rows",
    "columns",
    "view",
    "borrow",
    "deref",
    "as_str",
    "split",
    "lines",
    "chars",
    "bytes",
    "keys",
    "values",
    "as_ptr",
];

fn borrows(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Punct(p) => p.as_char() == '&',
        TokenTree::Ident(i) => BORROWING.contains(&i.to_string().as_str()),
        TokenTree::Group(g) => borrows(g.stream()),
        TokenTree::Literal(_) => false,
    })
}

/// Whether a type has a lifetime anywhere, written or elided: `'a`, `'_`,
/// or a reference (`Option<&[f64]>`, `(&[f64], f64)`, `Vec<&[f64]>`). A
/// pullback that held such a value would capture the lifetime, which its
/// `impl FnOnce` type does not name.
pub fn has_lifetime(ty: &syn::Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_lifetime(&mut self, _: &'ast syn::Lifetime) {
            self.0 = true;
        }
        fn visit_type_reference(&mut self, _: &'ast syn::TypeReference) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// The type with every lifetime elided (`&'a [T]` -> `&'_ [T]`): the
/// pullback's parameters borrow for the call only.
pub(crate) fn elide(ty: &impl ToTokens) -> TokenStream {
    fn go(tokens: TokenStream) -> TokenStream {
        let mut out = Vec::new();
        let mut lifetime = false;
        for t in tokens {
            match t {
                TokenTree::Punct(p) if p.as_char() == '\'' => {
                    lifetime = true;
                    out.push(TokenTree::Punct(p));
                }
                TokenTree::Ident(i) if lifetime => {
                    lifetime = false;
                    out.push(TokenTree::Ident(syn::Ident::new("_", i.span())));
                }
                TokenTree::Group(g) => {
                    let mut n = proc_macro2::Group::new(g.delimiter(), go(g.stream()));
                    n.set_span(g.span());
                    out.push(TokenTree::Group(n));
                }
                t => {
                    lifetime = false;
                    out.push(t);
                }
            }
        }
        out.into_iter().collect()
    }
    go(ty.to_token_stream())
}
