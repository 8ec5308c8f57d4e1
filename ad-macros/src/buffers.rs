//! In/out buffers across calls: the *value form* of a function with
//! `&mut [f64]` buffers.
//!
//! A caller cannot pass a buffer to a callee's derivatives by reference
//! through the uniform calling convention (`ad_runtime::call`), but it can
//! pass values. So a differentiated `g(t: f64, y: &[f64], dydt: &mut [f64])`
//! also gets a hidden twin that takes each buffer's initial contents by
//! value and returns its final contents:
//!
//! ```text
//! fn __ad_value_g(t: f64, y: &[f64], mut dydt: Vec<f64>) -> Vec<f64> { body; dydt }
//! ```
//!
//! differentiated like any function (with its wrappers), and a caller's
//! `g(t, &y, &mut d);` is lowered as `d = __ad_value_g(t, &y, d);`
//! (`lower/lend.rs`). With several buffers the twin returns a tuple of
//! them. A caller cannot tell whether `g` has a result of its own, so the
//! statement `g(x, &mut b);` always calls `__ad_value_g`, which returns
//! the buffers only; where the result is used (`let s = g(x, &mut b);`,
//! `g(x, &mut b) * b[0]`), the caller calls a second twin that returns it
//! before the buffers, generated for a `g` with a result:
//! `let (s, new_b) = __ad_value_ret_g(x, b); b = new_b;`. A tuple result
//! comes whole, nested (`((s, r), new_b)`): the caller binds it whole
//! (`let t = g(x, &mut b);`) or destructures it (`let (s, r) = ..;`).
//! Nested tuples are results of value forms only (`parse.rs`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

/// The name of the value form of `g`.
pub fn value_name(g: &syn::Ident) -> syn::Ident {
    let base = g.to_string();
    format_ident!(
        "__ad_value_{}",
        base.trim_start_matches("r#"),
        span = g.span()
    )
}

/// The name of the value form of `g` that returns `g`'s result too.
pub fn result_value_name(g: &syn::Ident) -> syn::Ident {
    let base = g.to_string();
    format_ident!(
        "__ad_value_ret_{}",
        base.trim_start_matches("r#"),
        span = g.span()
    )
}

/// Whether a parameter type is an in/out buffer: `&mut [T]`, `&mut Vec<T>`.
fn is_buffer(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if r.mutability.is_some())
}

/// The value form of `item` (returning its result too with `with_result`,
/// `None` if it has none), or `None` if it has no buffer (or a parameter
/// that is not a plain name: the model reports that).
pub fn value_form(item: &syn::ItemFn, with_result: bool) -> Option<syn::ItemFn> {
    let mut buffers = Vec::new();
    // The nalgebra buffers, taken by value as they are.
    let mut matrices = Vec::new();
    // The `&mut [T; N]` buffers, taken as `Vec`s.
    let mut arrays = Vec::new();
    let mut form = item.clone();
    whole_array_writes(&mut form);
    for arg in form.sig.inputs.iter_mut() {
        let syn::FnArg::Typed(pt) = arg else {
            continue;
        };
        if !is_buffer(&pt.ty) {
            continue;
        }
        let syn::Pat::Ident(pi) = &mut *pt.pat else {
            return None;
        };
        let syn::Type::Reference(r) = &*pt.ty else {
            return None;
        };
        // `&mut [T]`, `&mut [T; N]`, `&mut Vec<T>` -> `Vec<T>`;
        // `&mut DVector<T>` -> `DVector<T>`.
        let elem = match &*r.elem {
            syn::Type::Slice(s) => (*s.elem).clone(),
            syn::Type::Array(a) => {
                arrays.push(pi.ident.clone());
                (*a.elem).clone()
            }
            syn::Type::Path(p)
                if p.path.segments.last().is_some_and(|s| {
                    s.ident != "Vec" && crate::parse::is_nalgebra(&s.ident.to_string())
                }) =>
            {
                pi.mutability = Some(Default::default());
                buffers.push(pi.ident.clone());
                matrices.push(pi.ident.clone());
                *pt.ty = (*r.elem).clone();
                continue;
            }
            syn::Type::Path(p) => match p.path.segments.last().map(|s| &s.arguments) {
                Some(syn::PathArguments::AngleBracketed(a)) => match a.args.first() {
                    Some(syn::GenericArgument::Type(t)) => t.clone(),
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        pi.mutability = Some(Default::default());
        buffers.push(pi.ident.clone());
        *pt.ty = syn::parse_quote!(::std::vec::Vec<#elem>);
    }
    if buffers.is_empty() {
        return None;
    }
    let ret = match &item.sig.output {
        syn::ReturnType::Type(_, ty) if !matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()) => {
            Some((**ty).clone())
        }
        _ => None,
    };
    if with_result && ret.is_none() {
        return None;
    }
    // The buffers-only form evaluates the result and drops it.
    let dropped = ret.is_some() && !with_result;
    // The result: the buffers, after the function's own result if any.
    let elem_tys: Vec<syn::Type> = form
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt)
                if buffers
                    .iter()
                    .any(|b| matches!(&*pt.pat, syn::Pat::Ident(pi) if pi.ident == *b)) =>
            {
                Some((*pt.ty).clone())
            }
            _ => None,
        })
        .collect();
    let mut members: Vec<syn::Type> = ret.iter().filter(|_| with_result).cloned().collect();
    members.extend(elem_tys);
    let out_ty: syn::Type = match members.as_slice() {
        [one] => one.clone(),
        many => syn::parse_quote!((#(#many),*)),
    };
    form.sig.output = syn::parse_quote!(-> #out_ty);
    form.sig.ident = match with_result {
        true => result_value_name(&item.sig.ident),
        false => value_name(&item.sig.ident),
    };
    // Every `return e;` returns the buffers too.
    let pack = |value: Option<TokenStream>| -> TokenStream {
        let mut all: Vec<TokenStream> = value.clone().into_iter().filter(|_| !dropped).collect();
        all.extend(buffers.iter().map(|b| quote!(#b)));
        let packed = match all.as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many),*)),
        };
        match value.filter(|_| dropped) {
            Some(v) => quote!({ let __ad_result = #v; #packed }),
            None => packed,
        }
    };
    Returns { pack: &pack }.visit_block_mut(&mut form.block);
    // A buffer passed on to a call (`g(x, dydt)`, a reborrow of the
    // `&mut [f64]`) is now a `Vec`: pass `&mut dydt` (an array's as an
    // array, `fixed_mut(&mut dydt)`).
    PassedOn {
        buffers: &buffers,
        arrays: &arrays,
    }
    .visit_block_mut(&mut form.block);
    // What writes a nalgebra buffer through its reference now writes the
    // local value.
    Owned {
        matrices: &matrices,
    }
    .visit_block_mut(&mut form.block);
    let stmts = &mut form.block.stmts;
    let tail = match stmts.last() {
        Some(syn::Stmt::Expr(e, None)) if ret.is_some() => {
            let e = e.clone();
            stmts.pop();
            Some(e)
        }
        _ => None,
    };
    let result = match tail {
        Some(e) => {
            stmts.push(syn::parse_quote!(let __ad_result = #e;));
            match dropped {
                true => pack(None),
                false => pack(Some(quote!(__ad_result))),
            }
        }
        None => pack(None),
    };
    stmts.push(syn::Stmt::Expr(syn::parse_quote!(#result), None));
    // The twin is an implementation detail of the calling convention.
    form.attrs.retain(|a| !a.path().is_ident("doc"));
    form.attrs.push(syn::parse_quote!(#[doc(hidden)]));
    Some(form)
}

/// The expansion of the value form of `item` (with `options`' `wrt`, which
/// then names the buffers too), every item hidden from the documentation.
pub fn expand_value_form(item: &syn::ItemFn, options: &crate::parse::Options) -> TokenStream {
    [false, true]
        .into_iter()
        .filter_map(|with_result| value_form(item, with_result))
        .map(|form| expand_form(item, form, options))
        .collect()
}

/// The markers of the value forms of a function rejected with an error
/// (`callcheck.rs`): its callers then report only that error, not that it
/// has no derivatives.
pub fn value_form_markers(item: &syn::ItemFn) -> TokenStream {
    [false, true]
        .into_iter()
        .filter_map(|with_result| value_form(item, with_result))
        .map(|form| crate::callcheck::marker_of(&item.vis, &form.sig.ident))
        .collect()
}

/// The expansion of one value form `form` of `item`.
fn expand_form(
    item: &syn::ItemFn,
    form: syn::ItemFn,
    options: &crate::parse::Options,
) -> TokenStream {
    let mut args = Vec::new();
    if let Some(wrt) = &options.wrt {
        let mut names = wrt.clone();
        for arg in &form.sig.inputs {
            if let syn::FnArg::Typed(pt) = arg {
                if let (syn::Pat::Ident(pi), syn::Type::Path(_)) = (&*pt.pat, &*pt.ty) {
                    let original = item.sig.inputs.iter().any(|a| {
                        matches!(a, syn::FnArg::Typed(o) if is_buffer(&o.ty)
                            && matches!(&*o.pat, syn::Pat::Ident(oi) if oi.ident == pi.ident))
                    });
                    if original {
                        names.push(pi.ident.clone());
                    }
                }
            }
        }
        args.push(quote!(wrt(#(#names),*)));
    }
    // (`dump` shows the value form's derivatives too.)
    if options.dump {
        args.push(quote!(dump));
    }
    let tokens = crate::expand::expand(quote!(#(#args),*), quote!(#form));
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(mut file) => {
            for it in &mut file.items {
                if let syn::Item::Fn(f) = it {
                    if !f.attrs.iter().any(|a| {
                        a.path().is_ident("doc")
                            && a.to_token_stream().to_string().contains("hidden")
                    }) {
                        f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
                    }
                }
            }
            quote!(#file)
        }
        Err(_) => tokens,
    }
}

/// Rewrites a buffer passed as a call's argument `b` as `&mut b` (an
/// array's as `fixed_mut(&mut b)`, which callers' lowering reads as
/// `&mut b`).
struct PassedOn<'a> {
    buffers: &'a [syn::Ident],
    arrays: &'a [syn::Ident],
}

/// `b` in `::ad::__rt::fixed_mut(&mut b)`.
pub fn fixed_mut_arg(e: &syn::Expr) -> Option<&syn::Expr> {
    let syn::Expr::Call(c) = e else {
        return None;
    };
    let syn::Expr::Path(p) = &*c.func else {
        return None;
    };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    (names == ["ad", "__rt", "fixed_mut"] && c.args.len() == 1).then(|| &c.args[0])
}

impl PassedOn<'_> {
    fn visit_args(&self, args: &mut syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>) {
        for a in args.iter_mut() {
            if let syn::Expr::Path(p) = a {
                match p.path.get_ident() {
                    Some(i) if self.arrays.contains(i) => {
                        *a = syn::parse_quote!(::ad::__rt::fixed_mut(&mut #p));
                    }
                    Some(i) if self.buffers.contains(i) => *a = syn::parse_quote!(&mut #p),
                    _ => {}
                }
            }
        }
    }
}

impl VisitMut for PassedOn<'_> {
    fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
        self.visit_args(&mut c.args);
        syn::visit_mut::visit_expr_call_mut(self, c);
    }
    // (To a method too: `s.m(x, dydt)`.)
    fn visit_expr_method_call_mut(&mut self, c: &mut syn::ExprMethodCall) {
        self.visit_args(&mut c.args);
        syn::visit_mut::visit_expr_method_call_mut(self, c);
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Rewrites `return e;` as `return (e, buffers..);` (not inside closures).
struct Returns<'a> {
    pack: &'a dyn Fn(Option<TokenStream>) -> TokenStream,
}

impl VisitMut for Returns<'_> {
    fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
        let value = r.expr.as_ref().map(|e| quote!(#e));
        let packed = (self.pack)(value);
        r.expr = Some(Box::new(syn::parse_quote!(#packed)));
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Rewrites the updates of a `&mut` nalgebra buffer `y`, now a local
/// value, as assignments: `*y` -> `y`, `y.copy_from(&z)` -> `y =
/// z.clone_owned()`, `y.fill(v)` -> `y[k] = v` for every `k`, `y.scale_mut(a)`
/// -> `y *= a` (nalgebra scales the owned matrix in place).
struct Owned<'a> {
    matrices: &'a [syn::Ident],
}

impl Owned<'_> {
    fn is_buffer(&self, e: &syn::Expr) -> bool {
        matches!(e, syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.matrices.contains(i)))
    }
}

impl VisitMut for Owned<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            syn::Expr::Unary(u)
                if matches!(u.op, syn::UnOp::Deref(_)) && self.is_buffer(&u.expr) =>
            {
                *e = (*u.expr).clone();
            }
            syn::Expr::MethodCall(mc) if self.is_buffer(&mc.receiver) && mc.args.len() == 1 => {
                let y = &mc.receiver;
                let arg = match &mc.args[0] {
                    syn::Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                    other => other,
                };
                let span = mc.method.span();
                match mc.method.to_string().as_str() {
                    "copy_from" => {
                        *e = syn::parse_quote_spanned!(span=> #y = (#arg).clone_owned());
                    }
                    "scale_mut" => {
                        *e = syn::parse_quote_spanned!(span=> #y *= #arg);
                    }
                    // (In place, element by element: no new matrix.)
                    "fill" => {
                        *e = syn::parse_quote_spanned!(span=> {
                            let __ad_fill = #arg;
                            for __ad_k in 0..#y.len() {
                                #y[__ad_k] = __ad_fill;
                            }
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Rewrites the whole assignment `*b = e;` of each `&mut [T; N]` buffer
/// parameter `b` as the copy it is, `{ let __ad_new = e;
/// b.copy_from_slice(&__ad_new); }` (`e` may read `b`), and a copy of its
/// contents read as a value (`let z = *b;`, `N` written as a number) as
/// the array of its elements, `[b[0], b[1], b[2]]` (`&*b` stays a slice).
pub fn whole_array_writes(item: &mut syn::ItemFn) {
    let arrays: Vec<(syn::Ident, Option<usize>)> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => match (&*pt.pat, &*pt.ty) {
                (syn::Pat::Ident(pi), syn::Type::Reference(r)) if r.mutability.is_some() => {
                    match &*r.elem {
                        syn::Type::Array(a) => Some((pi.ident.clone(), array_len(&a.len))),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    if !arrays.is_empty() {
        WholeArrays { arrays: &arrays }.visit_block_mut(&mut item.block);
    }
}

/// `N` of `[T; N]`, written as a number.
fn array_len(len: &syn::Expr) -> Option<usize> {
    match len {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        }) => n.base10_parse().ok(),
        _ => None,
    }
}

struct WholeArrays<'a> {
    arrays: &'a [(syn::Ident, Option<usize>)],
}

impl WholeArrays<'_> {
    /// The buffer `b` of `*b`, with its length.
    fn deref<'e>(&self, e: &'e syn::Expr) -> Option<(&'e syn::Expr, Option<usize>)> {
        let syn::Expr::Unary(u) = e else {
            return None;
        };
        let syn::Expr::Path(p) = &*u.expr else {
            return None;
        };
        let i = p.path.get_ident()?;
        let (_, n) = self.arrays.iter().find(|(a, _)| a == i)?;
        matches!(u.op, syn::UnOp::Deref(_)).then_some((&*u.expr, *n))
    }

    /// `e`'s parts, with `*b` in place where it is a place or borrowed.
    fn visit_place(&mut self, e: &mut syn::Expr) {
        match e {
            _ if self.deref(e).is_some() => {}
            syn::Expr::Index(ix) => {
                self.visit_place(&mut ix.expr);
                self.visit_expr_mut(&mut ix.index);
            }
            syn::Expr::Paren(p) => self.visit_place(&mut p.expr),
            syn::Expr::Field(f) => self.visit_place(&mut f.base),
            e => self.visit_expr_mut(e),
        }
    }
}

impl VisitMut for WholeArrays<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Assign(a) => {
                self.visit_place(&mut a.left);
                self.visit_expr_mut(&mut a.right);
            }
            syn::Expr::Binary(b) if crate::lower::is_compound_assign(&b.op) => {
                self.visit_place(&mut b.left);
                self.visit_expr_mut(&mut b.right);
            }
            syn::Expr::Reference(r) => self.visit_place(&mut r.expr),
            syn::Expr::MethodCall(m) => {
                self.visit_place(&mut m.receiver);
                for a in m.args.iter_mut() {
                    self.visit_expr_mut(a);
                }
            }
            syn::Expr::Index(_) | syn::Expr::Field(_) => self.visit_place(e),
            _ => match self.deref(e) {
                // A copy of the contents.
                Some((b, Some(n))) => {
                    let b = b.clone();
                    let span = b.span();
                    let elems = (0..n).map(|k| quote!(#b[#k]));
                    *e = syn::parse_quote_spanned!(span=> [#(#elems),*]);
                    return;
                }
                Some(_) => return,
                None => syn::visit_mut::visit_expr_mut(self, e),
            },
        }
        let syn::Expr::Assign(a) = e else {
            return;
        };
        let Some((b, _)) = self.deref(&a.left) else {
            return;
        };
        let (b, value) = (b.clone(), &a.right);
        let span = a.eq_token.span;
        *e = syn::parse_quote_spanned! {span=> {
            let __ad_new = #value;
            #b.copy_from_slice(&__ad_new);
        }};
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
