//! A clear error for a call to a function without derivatives.
//!
//! Inside a differentiated `f`, a call `g(x)` with an active argument calls
//! `g`'s hidden wrappers (`__ad_vjp_g`, ...). If `g` is a plain function,
//! they do not exist and rustc reports `cannot find function __ad_vjp_g`,
//! which does not say what to do. The macro cannot know at `f` whether `g`
//! has derivatives, and on stable Rust a missing name cannot fall back to
//! something else below the module's own names, so that error stays; this
//! module adds a second one, at the same call, that says what is wrong and
//! what to write instead.
//!
//! Each differentiated `g` gets a marker `const __ad_has_g: Found` next to its
//! wrappers (same visibility, so it travels with them through imports). Each
//! caller `f` gets a marker of its own, `__ad_site_f_<hash>`, and a hidden
//! function that is never called:
//!
//! ```ignore
//! fn __ad_calls_f() -> impl Sized { // checked first (see `method_check`)
//!     const __ad_site_f_1a2b: NotFound = NotFound; // fallbacks, found only
//!     const __ad_has_g: NotFound = NotFound;        // when the module has none
//!     #[diagnostic::on_unimplemented(message = "`f` calls `g`, which has no derivatives", ..)]
//!     trait __AdCallable_g {}
//!     impl<H> __AdCallable_g for (NotFound, H) {}   // `f` is not at module level
//!     impl __AdCallable_g for (Found, Found) {}
//!     fn __ad_check_g<T: __AdCallable_g>(_: T) {}
//!     {
//!         use self::*; // the module's names shadow the fallbacks above
//!         __ad_check_g((__ad_site_f_1a2b, __ad_has_g)); // at the user's call
//!     }
//! }
//! ```
//!
//! A call through a value form (`__ad_value_g`, `buffers.rs`) checks `g`'s
//! marker too: a value form is missing either because `g` has no
//! derivatives or because it has no buffer parameter, where the caller's own
//! buffer was passed on bare (`g(d)`, taken for an in/out buffer) to a
//! slice parameter. Such a buffer is checked on its own against `g`'s
//! marker of its parameters (`__ad_params_g`: `Buffer` or `NotBuffer` for
//! each), with a message at the argument (lend `&d[..]`).
//!
//! When `f` is at module level (its own marker is found), the wrappers of a
//! bare-name call `g(..)` are looked up exactly in the module, like `g`'s
//! marker: the check fails exactly when `__ad_vjp_g` is missing (given that
//! the marker goes wherever the wrappers go, which holds for items defined
//! together and for glob imports; only a hand-written import of a hidden
//! wrapper without its marker would defeat it). When `f`
//! is in a function body or an `impl` block, its marker is not in the module,
//! so nothing is checked (`g` may be a differentiated function of the same
//! block): the check never rejects code that compiles without it. Calls by
//! path (`m::g`), method calls, and callers whose bodies declare items or
//! call macros (which could bring other wrappers into scope) are not checked.

use crate::ir::{walk, Expr, Header, Lent, Stmt};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::BTreeMap;

/// The marker next to a differentiated function's wrappers.
pub fn marker(model: &Model) -> TokenStream {
    marker_of(&model.item.vis, &model.item.sig.ident)
}

/// A method's marker of its receiver: active (`wrt(self)`) or not, for the
/// check of its callers' receivers (`method_check`); for a method with
/// buffers too, which has no wrappers (its value form has).
pub fn receiver_marker(model: &Model) -> TokenStream {
    let f = base(&model.item.sig.ident);
    if model.receiver.is_none() || f.starts_with("__ad_value_") {
        return TokenStream::new();
    }
    let vis = &model.item.vis;
    let name = format_ident!("__ad_wrt_self_{}", f);
    let kind = match model.active_self {
        true => quote!(::ad::__rt::call::ActiveSelf),
        false => quote!(::ad::__rt::call::InactiveSelf),
    };
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_upper_case_globals)]
        #vis const #name: #kind = #kind;
    }
}

/// The marker of the function `name`, of visibility `vis`.
pub fn marker_of(vis: &syn::Visibility, name: &syn::Ident) -> TokenStream {
    let has = format_ident!("__ad_has_{}", base(name));
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_upper_case_globals)]
        #vis const #has: ::ad::__rt::call::Found = ::ad::__rt::call::Found;
    }
}

/// The marker of the parameters of a differentiated function with buffers,
/// which are in/out buffers (`Buffer`, `NotBuffer`, one per parameter but
/// a method's receiver), for its callers' check of the buffers they pass on
/// bare (not for a value form). A function without it has no buffer
/// parameter.
pub fn params_marker(model: &Model) -> TokenStream {
    let item = model.item;
    let f = base(&item.sig.ident);
    if f.starts_with("__ad_value_") || !model.params.iter().any(|p| p.output) {
        return TokenStream::new();
    }
    let vis = &item.vis;
    let name = format_ident!("__ad_params_{}", f);
    let kinds: Vec<TokenStream> = item
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt)
                if matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_some()) =>
            {
                Some(quote!(::ad::__rt::call::Buffer))
            }
            syn::FnArg::Typed(_) => Some(quote!(::ad::__rt::call::NotBuffer)),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_upper_case_globals)]
        #vis const #name: (#(#kinds,)*) = (#(#kinds,)*);
    }
}

fn base(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

/// The callee of a call to a hidden wrapper by a bare name, and where the
/// user wrote it.
fn callee(path: &syn::Path) -> Option<(String, Span)> {
    if path.leading_colon.is_some() || path.segments.len() != 1 {
        return None;
    }
    let seg = path.segments.first()?;
    let name = seg.ident.to_string();
    ["__ad_vjpjvp_", "__ad_jvp_", "__ad_vjp_", "__ad_split_"]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .filter(|g| !g.is_empty())
        .map(|g| (g.to_owned(), seg.ident.span()))
}

fn visit_expr(e: &Expr, out: &mut BTreeMap<String, Span>) {
    match e {
        Expr::Call2 { path, args, method } => {
            if !*method {
                if let Some((g, span)) = callee(path) {
                    out.entry(g).or_insert(span);
                }
            }
            args.iter().for_each(|a| visit_expr(a, out));
        }
        Expr::Neg(a) | Expr::Cast(a, _) | Expr::ZeroLike(a) | Expr::Field(a, _) | Expr::Ref(a) => {
            visit_expr(a, out)
        }
        Expr::Range { start, end } => start.iter().chain(end).for_each(|e| visit_expr(e, out)),
        Expr::Bin(_, a, b) => {
            visit_expr(a, out);
            visit_expr(b, out);
        }
        Expr::Call(_, _, args)
        | Expr::La(_, args)
        | Expr::Tuple(args)
        | Expr::Rule(_, args)
        | Expr::List { elems: args, .. } => args.iter().for_each(|a| visit_expr(a, out)),
        Expr::Partial { args, out: y, .. } => {
            args.iter()
                .chain(y.as_deref())
                .for_each(|a| visit_expr(a, out));
        }
        Expr::Repeat { elem, .. } => visit_expr(elem, out),
        Expr::Struct(_, fields) => fields.iter().for_each(|(_, e)| visit_expr(e, out)),
        Expr::Index(_, i) => visit_expr(i, out),
        Expr::Use(_)
        | Expr::Pop(_)
        | Expr::Member(..)
        | Expr::Take(_)
        | Expr::Opaque(..)
        | Expr::Closure(_)
        | Expr::Fresh { .. } => {}
    }
}

fn visit_block(block: &[Stmt], out: &mut BTreeMap<String, Span>) {
    walk(block, &mut |s| match s {
        Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => visit_expr(expr, out),
        Stmt::If { cond, .. } => visit_expr(cond, out),
        Stmt::Push { value, .. } => visit_expr(value, out),
        Stmt::Loop {
            header: Header::Times(e),
            ..
        } => visit_expr(e, out),
        _ => {}
    });
}

/// Whether the body declares items or calls macros, which could bring
/// wrappers into its scope that the module does not have.
fn may_declare(tokens: TokenStream) -> bool {
    const ITEMS: &[&str] = &[
        "use",
        "fn",
        "mod",
        "const",
        "static",
        "macro_rules",
        "extern",
        "impl",
        "trait",
        "struct",
        "enum",
        "type",
        "union",
    ];
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in trees.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if ITEMS.iter().any(|k| id == k) => return true,
            TokenTree::Punct(p) if p.as_char() == '!' => {
                // (Not the macros of `std` the function may call.)
                let after_name = i > 0
                    && matches!(&trees[i - 1], TokenTree::Ident(id)
                        if !STD_MACROS.iter().any(|k| id == k));
                let before_args = matches!(trees.get(i + 1), Some(TokenTree::Group(_)));
                if after_name && before_args {
                    return true;
                }
            }
            TokenTree::Group(g) if may_declare(g.stream()) => return true,
            _ => {}
        }
    }
    false
}

/// The macros of `std` a differentiated function may call, which declare
/// nothing.
const STD_MACROS: &[&str] = &[
    "vec",
    "matches",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
];

/// FNV-1a: a stable name for the caller's marker.
/// `inner_grad`: a name of a derivative `#[differentiate]` generates, its
/// stem (`inner`) and what it gives.
fn generated_derivative(g: &str) -> Option<(&str, &'static str)> {
    [
        ("_vjp_many", "cotangents"),
        ("_grad", "gradient"),
        ("_jvp", "directional derivative"),
        ("_vjp", "cotangents"),
        ("_hvp", "result"),
    ]
    .iter()
    .find_map(|(suffix, kind)| {
        g.strip_suffix(suffix)
            .filter(|stem| !stem.is_empty() && !stem.starts_with("__ad_"))
            .map(|stem| (stem, *kind))
    })
}

fn hash(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The caller's marker and hidden check (empty when it calls no wrapper by
/// a bare name). `bodies` are the generated bodies that may call wrappers.
pub fn check<'a>(
    model: &Model,
    bodies: impl IntoIterator<Item = &'a [Stmt]>,
    lent: &[Lent],
) -> TokenStream {
    let item = model.item;
    if model.receiver.is_some() {
        return TokenStream::new(); // a method: in an `impl` block
    }
    let mut callees = BTreeMap::new();
    for b in bodies {
        visit_block(b, &mut callees);
    }
    if callees.is_empty() || may_declare(item.block.to_token_stream()) {
        return TokenStream::new();
    }
    let f = base(&item.sig.ident);
    // A value form repeats its function's calls: checked there.
    if f.starts_with("__ad_value_") {
        return TokenStream::new();
    }
    let site = format_ident!(
        "__ad_site_{}_{:08x}",
        f,
        hash(&item.to_token_stream().to_string())
    );
    let calls = format_ident!("__ad_calls_{}", f);
    let mut fallbacks = Vec::new();
    let mut markers = std::collections::BTreeSet::new();
    let mut checks = Vec::new();
    for (g, span) in &callees {
        let has = format_ident!("__ad_has_{}", g);
        let tr = format_ident!("__AdCallable_{}", g);
        let chk = format_ident!("__ad_check_{}", g);
        markers.insert(has.to_string());
        // A buffer helper is called through its value form (`buffers.rs`):
        // the user wrote `g`.
        let user = ["__ad_value_ret_", "__ad_value_"]
            .iter()
            .find_map(|p| g.strip_prefix(p));
        let g = user.unwrap_or(g);
        let mut message = format!("`{f}` calls `{g}`, which has no derivatives");
        let mut label = format!("`{g}` needs `#[differentiate]`");
        let mut note = format!(
            "put `#[differentiate]` on `{g}`; or, if `{g}` is a primitive with hand-written rules `{g}_jvp` and `{g}_vjp`, mark it `#[differentiate(custom)]`"
        );
        let mut imported = format!(
            "if `{g}` has `#[differentiate]` in another module, call it by its path or import that module's items with a glob (`use path::*;`): its derivatives are hidden items next to it"
        );
        // `inner_grad(w, x)` in a differentiated function: a generated
        // derivative, which has none of its own.
        if let Some((stem, kind)) = generated_derivative(g).filter(|_| user.is_none()) {
            message = format!(
                "`{f}` calls `{g}`, a derivative generated by `#[differentiate]`: derivatives of generated derivatives are not supported"
            );
            label = format!("`{g}` is generated: it has no derivatives of its own");
            note = format!(
                "write the derivative of `{stem}` that `{f}` needs as a function of its own with `#[differentiate]` (its formula, e.g. the partial derivative in one parameter), and call that; or call `{g}` outside `{f}` and pass its {kind} in as a parameter left out of `wrt(..)` (second derivatives of `{stem}` itself: `{stem}_hvp`)"
            );
            imported = format!(
                "if `{g}` is a function of your own, not generated, put `#[differentiate]` on it"
            );
        }
        let site = syn::Ident::new(&site.to_string(), *span);
        let chk_span = syn::Ident::new(&chk.to_string(), *span);
        let has_span = syn::Ident::new(&has.to_string(), *span);
        let Some(_) = user else {
            fallbacks.push(quote! {
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note, note = #imported)]
                trait #tr {}
                #[diagnostic::do_not_recommend]
                impl<H> #tr for (::ad::__rt::call::NotFound, H) {}
                #[diagnostic::do_not_recommend]
                impl #tr for (::ad::__rt::call::Found, ::ad::__rt::call::Found) {}
                fn #chk<T: #tr>(_: T) {}
            });
            checks.push(quote_spanned!(*span=> #chk_span((#site, #has_span));));
            continue;
        };
        // A value form is missing either because `g` has no derivatives or
        // because it has no buffer: a `&mut` buffer of the caller passed on
        // bare (`g(d)`), which is taken for an in/out buffer, where `g`
        // expects a slice (the check of the buffers lent, below).
        let base = format_ident!("__ad_has_{}", g);
        markers.insert(base.to_string());
        let base_span = syn::Ident::new(&base.to_string(), *span);
        fallbacks.push(quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note, note = #imported)]
            trait #tr {}
            #[diagnostic::do_not_recommend]
            impl<H, B> #tr for (::ad::__rt::call::NotFound, H, B) {}
            #[diagnostic::do_not_recommend]
            impl<B> #tr for (::ad::__rt::call::Found, ::ad::__rt::call::Found, B) {}
            #[diagnostic::do_not_recommend]
            impl #tr for (::ad::__rt::call::Found, ::ad::__rt::call::NotFound, ::ad::__rt::call::Found) {}
            fn #chk<T: #tr>(_: T) {}
        });
        checks.push(quote_spanned!(*span=> #chk_span((#site, #has_span, #base_span));));
    }
    // The function's own buffers passed on bare (`g(u, &mut d)`): each
    // parameter of `g` they go to is a buffer.
    for (k, l) in lent.iter().enumerate() {
        let g = &l.callee;
        let params = format_ident!("__ad_params_{}", g);
        let has = format_ident!("__ad_has_{}", g);
        markers.insert(params.to_string());
        markers.insert(has.to_string());
        let has = syn::Ident::new(&has.to_string(), l.span);
        let tr = format_ident!("__AdLent_{}_{}", g, k);
        let chk = syn::Ident::new(&format!("__ad_check_lent_{g}_{k}"), l.span);
        let site = syn::Ident::new(&site.to_string(), l.span);
        let params = syn::Ident::new(&params.to_string(), l.span);
        let u = &l.name;
        let message = format!(
            "`{f}` passes its buffer `{u}` on bare to `{g}`, where it is taken for an in/out buffer, but this parameter of `{g}` is not `&mut`"
        );
        // An `&mut [f64; N]` buffer goes to `&[f64; N]` as a copy.
        let array = model.params.iter().any(|p| {
            p.ident == u.as_str() && matches!(&p.ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Array(_)))
        });
        let (message, label, note) = match (l.borrowed, array) {
            // `g(.., &mut v, ..)` to a parameter `&[f64]`: valid Rust, but
            // lent as an in/out buffer.
            (true, _) => (
                format!(
                    "`{f}` lends `{u}` to `{g}` with `&mut`, where it is taken for an in/out buffer, but this parameter of `{g}` is not `&mut`"
                ),
                format!("lend it shared: `&{u}`"),
                format!(
                    "a `&mut` borrow passed to a differentiated function is lent as an in/out buffer; to a parameter `&[f64]` or `&[f64; N]` lend it shared: `{g}(.., &{u}, ..)`"
                ),
            ),
            (false, true) => (
                message,
                format!("lend a copy: `let c = *{u};` then `&c`"),
                format!(
                    "a `&mut` buffer passed on bare (`{g}(.., {u}, ..)`) is passed as an in/out buffer; to a parameter `&[f64; N]` lend a copy of it (`let c = *{u};` then `{g}(.., &c, ..)`), to `&[f64]` lend it as `&{u}[..]`"
                ),
            ),
            (false, false) => (
                message,
                format!("lend it as a slice: `&{u}[..]`"),
                format!(
                    "a `&mut` buffer passed on bare (`{g}(.., {u}, ..)`) is passed as an in/out buffer; to a parameter `&[f64]` lend it as `&{u}[..]`"
                ),
            ),
        };
        let impls = match l.arity <= LENT_ARITY {
            true => rule_impl(&tr, quote!(LentAt), l.position),
            false => {
                let (members, generics) = buffer_at(l);
                quote! {
                    #[diagnostic::do_not_recommend]
                    impl<H, P> #tr for (::ad::__rt::call::NotFound, H, P) {}
                    #[diagnostic::do_not_recommend]
                    impl #tr for (::ad::__rt::call::Found, ::ad::__rt::call::NotFound, ::ad::__rt::call::NotFound) {}
                    #[diagnostic::do_not_recommend]
                    impl<H, #(#generics),*> #tr for (::ad::__rt::call::Found, H, (#(#members,)*)) {}
                }
            }
        };
        fallbacks.push(quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #tr {}
            #impls
            fn #chk<T: #tr>(_: T) {}
        });
        // (`g` has derivatives, `__ad_has_g`, and no buffer: no marker of
        // its parameters; without derivatives, the check above says so.)
        checks.push(quote_spanned!(l.span=> #chk((#site, #has, #params));));
    }
    let markers = markers.iter().map(|m| {
        let m = format_ident!("{}", m);
        quote!(const #m: ::ad::__rt::call::NotFound = ::ad::__rt::call::NotFound;)
    });
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_upper_case_globals)]
        const #site: ::ad::__rt::call::Found = ::ad::__rt::call::Found;
        #[doc(hidden)]
        #[allow(dead_code, unused_imports, non_upper_case_globals, non_camel_case_types, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
        fn #calls() -> impl ::core::marker::Sized {
            const #site: ::ad::__rt::call::NotFound = ::ad::__rt::call::NotFound;
            #(#markers)*
            #(#fallbacks)*
            {
                use self::*;
                #(#checks)*
            }
        }
    }
}

/// The check that the methods a differentiated function calls as
/// differentiated ones (`s.m(..)` on `self` or a value of a user type,
/// [`crate::ir::MethodCall`]) have derivatives: a clear error at the call
/// besides rustc's `no method named __ad_jvp_m`. An inherent associated
/// const is found before a trait's, so `S::__ad_has_m` is `m`'s marker
/// (`Found`) where `m` is differentiated, and the fallback of a trait of
/// the check (`NotFound`) where it is not. The check has the caller's
/// generics, which a receiver's type may name. Not for bodies that declare
/// items. (`-> impl Sized`: rustc checks the function's body with the
/// well-formedness of the items, before the bodies of the generated ones,
/// which a method without derivatives makes name hidden items, `no method
/// named __ad_vjp_m`: the error that says what to write comes first.)
pub fn method_check(model: &Model, methods: &[crate::ir::MethodCall]) -> TokenStream {
    let item = model.item;
    let f = base(&item.sig.ident);
    if f.starts_with("__ad_value_") || may_declare(item.block.to_token_stream()) {
        return TokenStream::new();
    }
    let mut markers = std::collections::BTreeSet::new();
    let mut fallbacks = Vec::new();
    let mut checks = Vec::new();
    for (k, m) in methods.iter().enumerate() {
        let called = base(&m.method);
        let has = syn::Ident::new(&format!("__ad_has_{called}"), m.method.span());
        markers.insert(has.to_string());
        let g = ["__ad_value_ret_", "__ad_value_"]
            .iter()
            .find_map(|p| called.strip_prefix(p))
            .unwrap_or(&called);
        let message = format!("`{f}` calls the method `{g}`, which has no derivatives");
        // (With an active receiver, the method needs `wrt(self)`.)
        let attr = match m.active {
            true => "#[differentiate(wrt(self, ..))]",
            false => "#[differentiate]",
        };
        let label = format!("`{g}` needs `{attr}`");
        // A trait's method cannot have derivatives (they are not items of
        // the trait): an inherent method can, which the trait's may call.
        let ty_name = match &m.ty {
            syn::Type::Path(p) if p.path.is_ident("Self") => "Type".to_owned(),
            t => t.to_token_stream().to_string().replace(' ', ""),
        };
        let note = format!(
            "put `{attr}` on `{g}` in its inherent `impl` block (`impl {ty_name} {{ .. }}`); if `{g}` is a trait's method (in `impl Trait for {ty_name}`), where derivatives cannot stand, move its body into an inherent method with `{attr}` (`impl {ty_name} {{ {attr} fn {g}_body(&self, ..) }}`), have the trait's `{g}` call it, and call `{g}_body` here; or, if `{g}` is a primitive with hand-written rules `{g}_jvp` and `{g}_vjp`, mark it `#[differentiate(custom)]`"
        );
        let tr = format_ident!("__AdMethod_{}", k);
        let chk = syn::Ident::new(&format!("__ad_check_method_{k}"), m.method.span());
        let ty = &qualifier(&m.ty, m.method.span());
        if g == called {
            fallbacks.push(quote! {
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                trait #tr {}
                #[diagnostic::do_not_recommend]
                impl #tr for ::ad::__rt::call::Found {}
                fn #chk<T: #tr>(_: T) {}
            });
            checks.push(quote_spanned!(m.method.span()=> #chk(#ty::#has);));
        } else {
            // A value form is missing either because `m` has no derivatives
            // or because it has no buffer (its callers' own buffers passed
            // on bare are checked below).
            let base = syn::Ident::new(&format!("__ad_has_{g}"), m.method.span());
            markers.insert(base.to_string());
            fallbacks.push(quote! {
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                trait #tr {}
                #[diagnostic::do_not_recommend]
                impl<B> #tr for (::ad::__rt::call::Found, B) {}
                #[diagnostic::do_not_recommend]
                impl #tr for (::ad::__rt::call::NotFound, ::ad::__rt::call::Found) {}
                fn #chk<T: #tr>(_: T) {}
            });
            checks.push(quote_spanned!(m.method.span()=> #chk((#ty::#has, #ty::#base));));
        }
        for (j, l) in m.lent.iter().enumerate() {
            let (fallback, check) = lent_check(&f, ty, l, &format!("{k}_{j}"), &mut markers);
            fallbacks.push(fallback);
            checks.push(check);
        }
        // Its receiver's activity must be the caller's: a method with
        // `wrt(self)` takes the receiver's tangent and returns its
        // cotangent, one without takes neither (the fallback, a method
        // without derivatives, is reported above).
        let wrt_self = syn::Ident::new(&format!("__ad_wrt_self_{g}"), m.method.span());
        markers.insert(wrt_self.to_string());
        let receiver = m.receiver.as_str();
        let (message, label, note, kind) = match m.active {
            true => (
                format!(
                    "`{f}` calls `{receiver}.{g}(..)` with `{receiver}` active, but `{g}` takes its receiver for a constant (it has no `wrt(self)`): the receiver's derivative would be lost"
                ),
                format!("`{g}` needs `#[differentiate(wrt(self, ..))]`"),
                format!(
                    "put `#[differentiate(wrt(self, ..))]` on `{g}`, naming its other active parameters too; or leave `{receiver}` out of `{f}`'s `wrt(..)` if its derivative is not wanted"
                ),
                quote!(::ad::__rt::call::ActiveSelf),
            ),
            false => (
                format!(
                    "`{f}` calls `{receiver}.{g}(..)` with `{receiver}` a constant, but `{g}` differentiates with respect to its receiver (`wrt(self)`)"
                ),
                format!("`{receiver}` is a constant here: `{g}` has `wrt(self)`"),
                match receiver {
                    "self" => format!(
                        "name `self` in `{f}`'s `wrt(..)` (`#[differentiate(wrt(self, ..))]`); or, if `{g}`'s receiver is a constant, leave `self` out of `{g}`'s `wrt(..)`"
                    ),
                    _ => format!(
                        "leave `self` out of `{g}`'s `wrt(..)` if its receiver is a constant; or make `{receiver}` a parameter of `{f}` named in its `wrt(..)`"
                    ),
                },
                quote!(::ad::__rt::call::InactiveSelf),
            ),
        };
        let tr = format_ident!("__AdReceiver_{}", k);
        let chk = syn::Ident::new(&format!("__ad_check_receiver_{k}"), m.method.span());
        fallbacks.push(quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #tr {}
            #[diagnostic::do_not_recommend]
            impl #tr for #kind {}
            #[diagnostic::do_not_recommend]
            impl #tr for ::ad::__rt::call::NotFound {}
            fn #chk<T: #tr>(_: T) {}
        });
        checks.push(quote_spanned!(m.method.span()=> #chk(#ty::#wrt_self);));
    }
    if checks.is_empty() {
        return TokenStream::new();
    }
    let markers = markers.iter().map(|m| {
        let m = format_ident!("{}", m);
        quote!(const #m: ::ad::__rt::call::NotFound = ::ad::__rt::call::NotFound;)
    });
    let calls = format_ident!("__ad_methods_{}", f);
    // (The caller's generics: a receiver's type may name them, `S<T>`.)
    let (generics, _, clause) = item.sig.generics.split_for_impl();
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, unused_imports, non_upper_case_globals, non_camel_case_types, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
        fn #calls #generics () -> impl ::core::marker::Sized #clause {
            trait __AdNoDerivatives {
                #(#markers)*
            }
            impl<T: ?Sized> __AdNoDerivatives for T {}
            #(#fallbacks)*
            #(#checks)*
        }
    }
}

/// The receiver's type `ty` as the qualifier of its associated consts: a
/// path in expression form (`S::<T>::`), where a generic type written
/// without its arguments (`S` of a literal `S { .. }`) has them inferred;
/// `<ty>::` otherwise. At `span`, the call's, where rustc reports the
/// check's error.
fn qualifier(ty: &syn::Type, span: Span) -> TokenStream {
    let tokens = match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let mut path = p.path.clone();
            for seg in path.segments.iter_mut() {
                if let syn::PathArguments::AngleBracketed(a) = &mut seg.arguments {
                    a.colon2_token = Some(Default::default());
                }
            }
            path.into_token_stream()
        }
        _ => quote!(<#ty>),
    };
    respan(tokens, span)
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Group(g) = &t {
                let mut inner = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                inner.set_span(span);
                t = TokenTree::Group(inner);
            }
            t.set_span(span);
            t
        })
        .collect()
}

/// The check of the caller `f`'s own buffer passed on bare to the method
/// `l.callee` of `ty` (`s.m(x, d)`): `m`'s parameter must be a buffer (its
/// marker of its parameters, `__ad_params_m`, says so). Its fallback trait
/// and its call, with the markers it needs added to `markers`.
fn lent_check(
    f: &str,
    ty: &TokenStream,
    l: &Lent,
    k: &str,
    markers: &mut std::collections::BTreeSet<String>,
) -> (TokenStream, TokenStream) {
    let g = &l.callee;
    let has = syn::Ident::new(&format!("__ad_has_{g}"), l.span);
    let params = syn::Ident::new(&format!("__ad_params_{g}"), l.span);
    markers.insert(has.to_string());
    markers.insert(params.to_string());
    let u = &l.name;
    let message = format!(
        "`{f}` passes its buffer `{u}` on bare to the method `{g}`, where it is taken for an in/out buffer, but this parameter of `{g}` is not `&mut`"
    );
    let label = format!("lend it as a slice: `&{u}[..]`");
    let note = format!(
        "a `&mut` buffer passed on bare (`.{g}(.., {u}, ..)`) is passed as an in/out buffer; to a parameter `&[f64]` lend it as `&{u}[..]`"
    );
    let tr = format_ident!("__AdLent_{}", k);
    let chk = syn::Ident::new(&format!("__ad_check_lent_{k}"), l.span);
    let impls = match l.arity <= LENT_ARITY {
        true => rule_impl(&tr, quote!(MethodLentAt), l.position),
        false => {
            let (members, generics) = buffer_at(l);
            quote! {
                #[diagnostic::do_not_recommend]
                impl #tr for (::ad::__rt::call::NotFound, ::ad::__rt::call::NotFound) {}
                #[diagnostic::do_not_recommend]
                impl<H, #(#generics),*> #tr for (H, (#(#members,)*)) {}
            }
        }
    };
    let fallback = quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
        trait #tr {}
        #impls
        fn #chk<T: #tr>(_: T) {}
    };
    let check = quote_spanned!(l.span=> #chk((#ty::#has, #ty::#params)););
    (fallback, check)
}

/// Up to this many arguments, the rules of the checks of buffers lent
/// (`ad::__rt::call::LentAt`, `MethodLentAt`) are impls of the runtime's:
/// a loan's trait, which holds its message, takes them with one impl.
const LENT_ARITY: usize = 12;

/// `impl<T: ::ad::__rt::call::LentAt<K>> Tr for T {}`: the trait `tr` of a
/// loan to the parameter at `position` has the runtime's rule `rule`
/// (`do_not_recommend`: an error names `tr`, with its message).
fn rule_impl(tr: &syn::Ident, rule: TokenStream, position: usize) -> TokenStream {
    let k = proc_macro2::Literal::usize_unsuffixed(position);
    quote! {
        #[diagnostic::do_not_recommend]
        impl<T: ::ad::__rt::call::#rule<#k>> #tr for T {}
    }
}

/// The parameters marker `l.callee` would have if its parameter at
/// `l.position` is a buffer: `(P0, Buffer, P2)`, and the type parameters
/// standing for the others (`P0`, `P2`).
fn buffer_at(l: &Lent) -> (Vec<TokenStream>, Vec<syn::Ident>) {
    let mut members = Vec::new();
    let mut generics = Vec::new();
    for i in 0..l.arity {
        match i == l.position {
            true => members.push(quote!(::ad::__rt::call::Buffer)),
            false => {
                let p = format_ident!("P{}", i);
                members.push(quote!(#p));
                generics.push(p);
            }
        }
    }
    (members, generics)
}
