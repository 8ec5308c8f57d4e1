//! `std::mem::swap` and `replace` of whole locals become the assignments
//! they stand for, which lowering differentiates (a call of them would be
//! taken for a call of a differentiated function):
//!
//! ```text
//! std::mem::swap(&mut u, &mut v);        (u, v) = (v, u);
//! std::mem::replace(&mut u, e);          u = e;
//! let old = std::mem::replace(&mut u, e); let __ad_new1 = e; let old = u; u = __ad_new1;
//! ```
//!
//! (`e` cannot read `u`: `u` is borrowed by the call; `old` is bound after
//! `e` when `e` reads no name it shadows, so that `u` types `e`.)
//! `std::mem::take(&mut u)` is `std::mem::replace(&mut u,
//! Default::default())`.
//!
//! The functions are recognized by their paths (`std::mem::swap`,
//! `core::mem::swap`, `mem::swap`), by the names the body's `use`s give
//! them (`use std::mem::{self, swap};`), and by their bare names when the
//! arguments are active and the body neither defines nor imports another
//! function of that name. The module's imports are out of the macro's
//! sight, so a bare name is checked: a hidden item next to the function
//! (`check_item`) fails to compile, at the call, when the name is not
//! `std::mem`'s function there (a differentiated `swap` of the user's is
//! called by its path, `self::swap(..)`).

use super::Desugar;
use crate::fx::{HashMap, HashSet};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Which function of `std::mem`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Mem {
    Swap,
    Replace,
    Take,
}

impl Mem {
    fn of(name: &str) -> Option<Mem> {
        match name {
            "swap" => Some(Mem::Swap),
            "replace" => Some(Mem::Replace),
            "take" => Some(Mem::Take),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mem::Swap => "swap",
            Mem::Replace => "replace",
            Mem::Take => "take",
        }
    }

    fn arity(self) -> usize {
        match self {
            Mem::Take => 1,
            _ => 2,
        }
    }
}

/// What the body's `use`s and items make of names: which bare names and
/// module names stand for `std::mem`'s functions and `std::mem`, and which
/// bare names stand for something else.
pub(super) struct MemNames {
    bare: HashMap<String, Mem>,
    modules: HashSet<String>,
    other: HashSet<String>,
}

impl MemNames {
    /// The names of `body`, by its `use`s and `fn`s wherever they stand (by
    /// name, ignoring scopes).
    pub(super) fn of(body: &syn::Block) -> MemNames {
        let mut names = MemNames {
            bare: HashMap::default(),
            modules: ["mem".to_owned()].into_iter().collect(),
            other: HashSet::default(),
        };
        names.visit_block(body);
        names
    }

    /// A `use` tree under the path `prefix`.
    fn tree(&mut self, t: &syn::UseTree, prefix: &mut Vec<String>) {
        let is_mem =
            |p: &[String]| matches!(p, [k, m] if (k == "std" || k == "core") && m == "mem");
        let name = |this: &mut Self, ident: &syn::Ident, rename: &syn::Ident| {
            let (ident, rename) = (ident.unraw().to_string(), rename.unraw().to_string());
            let mut path = prefix.clone();
            if ident != "self" {
                path.push(ident.clone());
            }
            if is_mem(&path) {
                this.modules.insert(rename);
            } else if let Some(m) = Mem::of(&ident).filter(|_| is_mem(&path[..path.len() - 1])) {
                this.bare.insert(rename, m);
            } else {
                this.bare.remove(&rename);
                this.other.insert(rename);
            }
        };
        match t {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.unraw().to_string());
                self.tree(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => name(self, &n.ident, &n.ident),
            syn::UseTree::Rename(r) => name(self, &r.ident, &r.rename),
            syn::UseTree::Glob(_) => {
                if is_mem(prefix) {
                    for m in [Mem::Swap, Mem::Replace, Mem::Take] {
                        self.bare.insert(m.name().to_owned(), m);
                    }
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.tree(t, prefix)),
        }
    }
}

impl<'ast> Visit<'ast> for MemNames {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.tree(&u.tree, &mut Vec::new());
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        // Its body's items are not in scope outside it.
        self.other.insert(f.sig.ident.unraw().to_string());
    }
}

/// `e` as a call of `std::mem::swap`, `replace` or `take`, with its
/// arguments, and, for a bare name the body does not import, the name
/// (to be checked).
fn mem_call<'e>(
    e: &'e syn::Expr,
    names: &MemNames,
) -> Option<(Mem, &'e syn::ExprCall, Option<syn::Ident>)> {
    let syn::Expr::Call(c) = e else {
        return None;
    };
    let syn::Expr::Path(p) = &*c.func else {
        return None;
    };
    if p.qself.is_some() || p.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    let names_of: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.unraw().to_string())
        .collect();
    let local = p.path.leading_colon.is_none();
    let (which, unchecked) = match names_of.as_slice() {
        [n] if local => match names.bare.get(n) {
            Some(&m) => (m, None),
            None if names.other.contains(n) => return None,
            None => (Mem::of(n)?, Some(p.path.segments[0].ident.clone())),
        },
        [m, n] if local && names.modules.contains(m) => (Mem::of(n)?, None),
        [k, m, n] if (k == "std" || k == "core") && m == "mem" => (Mem::of(n)?, None),
        _ => return None,
    };
    if c.args.len() != which.arity() {
        return None;
    }
    Some((which, c, unchecked))
}

/// The hidden item that checks that the bare names taken for `std::mem`'s
/// functions are those (`checks`: the names, where the user wrote them). It
/// is never called: it only has to compile, and it does not when a name is
/// another function, with an error at the user's call.
pub(crate) fn check_item(f: &syn::Ident, checks: &[(Mem, syn::Ident)]) -> TokenStream {
    if checks.is_empty() {
        return TokenStream::new();
    }
    let f_name = f.unraw().to_string();
    let item = format_ident!("__ad_mem_{}", f_name);
    let mut body = TokenStream::new();
    let mut seen = HashSet::default();
    for (m, name) in checks {
        let n = name.unraw().to_string();
        if !seen.insert((*m, n.clone())) {
            continue;
        }
        let std = format_ident!("{}", m.name());
        // Readable names: rustc's error shows them.
        let tr = format_ident!("IsStdMem{}", m.name()[..1].to_uppercase() + &m.name()[1..]);
        let chk = syn::Ident::new(&format!("std_mem_{}", m.name()), name.span());
        let std_path = format!("std::mem::{}", m.name());
        let message = format!(
            "`{f_name}` calls `{n}`, which is differentiated as `{std_path}`, but is another function"
        );
        let label = format!("not `{std_path}`");
        let note = format!(
            "`#[differentiate]` reads a call of a bare `{n}` on active values as `{std_path}`; to call a differentiated function of yours, call it by its path (`self::{n}(..)`) or rename it"
        );
        let call = quote_spanned!(name.span()=> #chk(::std::mem::#std::<()>, #name););
        body.extend(quote! {{
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #tr<G> {}
            #[diagnostic::do_not_recommend]
            impl<F> #tr<F> for F {}
            // `std`'s first: the user's is not inferred from it.
            fn #chk<G, F: #tr<G>>(_: G, _: F) {}
            #call
        }});
    }
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_snake_case, non_camel_case_types, clippy::all)]
        fn #item() {
            #body
        }
    }
}

/// `&mut u` of a local `u`: `u`.
fn whole_local(e: &syn::Expr) -> Option<syn::Ident> {
    let syn::Expr::Reference(r) = e else {
        return None;
    };
    r.mutability?;
    match &*r.expr {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        syn::Expr::Paren(p) => whole_local(&syn::Expr::Reference(syn::ExprReference {
            expr: p.expr.clone(),
            ..r.clone()
        })),
        _ => None,
    }
}

impl Desugar<'_> {
    /// The assignments a statement calling `std::mem::swap`, `replace` or
    /// `take` stands for (`None`: not such a statement). Such a call on
    /// active values of other forms than whole locals is an error.
    pub(super) fn mem_stmt(&mut self, stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
        let (binding, call) = match stmt {
            syn::Stmt::Expr(e, _) => (None, e),
            syn::Stmt::Local(l) => match &l.init {
                Some(init) if init.diverge.is_none() => (Some(l), &*init.expr),
                _ => return None,
            },
            _ => return None,
        };
        let (which, c, unchecked) = mem_call(call, &self.mem_names)?;
        // A bare name of the module's: only on active values (else it stays
        // a call, as written).
        if unchecked.is_some() && !self.mentions_tainted(&c.args) {
            return None;
        }
        // Said of a bare name in an error: how to call a function of the
        // user's of that name.
        let yours = match &unchecked {
            Some(n) => format!(
                " (a bare `{n}` on active values is read as `std::mem::{}`; call a \
                 differentiated function of yours by its path, `self::{n}(..)`)",
                which.name()
            ),
            None => String::new(),
        };
        let locals: Option<Vec<syn::Ident>> = match which {
            Mem::Swap => c.args.iter().map(whole_local).collect(),
            Mem::Replace | Mem::Take => whole_local(&c.args[0]).map(|u| vec![u]),
        };
        let Some(locals) = locals else {
            if self.mentions_tainted(&c.args) {
                let name = c.func.to_token_stream().to_string().replace(' ', "");
                self.error(
                    &c.args,
                    format_args!(
                        "`{name}` of active values is differentiated on whole local variables \
                         only (`std::mem::swap(&mut u, &mut v)`, `std::mem::replace(&mut u, e)`, \
                         `std::mem::take(&mut u)`); write the exchange as assignments instead \
                         (`(u, v) = (v, u);`, `u = e;`, `a[i] = b[i];`){yours}"
                    ),
                );
                return Some(Vec::new());
            }
            return None;
        };
        if let Some(n) = unchecked {
            self.mem_checks.push((which, n));
        }
        let span = c.func.span();
        let u = &locals[0];
        let mut out: Vec<syn::Stmt> = Vec::new();
        match (which, binding) {
            (Mem::Swap, None) => {
                let v = &locals[1];
                out.push(syn::parse_quote_spanned!(span=> (#u, #v) = (#v, #u);));
            }
            (Mem::Replace, None) => {
                let e = &c.args[1];
                out.push(syn::parse_quote_spanned!(span=> #u = #e;));
            }
            // `std::mem::take(&mut u)`: `std::mem::replace(&mut u, Default::default())`.
            (Mem::Take, None) => {
                out.push(
                    syn::parse_quote_spanned!(span=> #u = ::core::default::Default::default();),
                );
            }
            (Mem::Take, Some(l)) => {
                let mut l = l.clone();
                if let Some(init) = &mut l.init {
                    *init.expr = syn::parse_quote_spanned!(span=> #u);
                }
                out.push(syn::Stmt::Local(l));
                out.push(
                    syn::parse_quote_spanned!(span=> #u = ::core::default::Default::default();),
                );
            }
            (Mem::Swap, Some(l)) => {
                // `let () = std::mem::swap(..);`: the exchange, then the binding.
                let v = &locals[1];
                out.push(syn::parse_quote_spanned!(span=> (#u, #v) = (#v, #u);));
                let pat = &l.pat;
                out.push(syn::parse_quote_spanned!(span=> let #pat = ();));
            }
            // `e` is computed before `old` is bound: it may read a name
            // the binding shadows. Else it goes after, where `u` types it
            // (`Default::default()`).
            (Mem::Replace, Some(l))
                if !super::subst::pat_names(&l.pat)
                    .iter()
                    .any(|n| super::mentions_name(&c.args[1], n)) =>
            {
                let e = &c.args[1];
                let mut l = l.clone();
                if let Some(init) = &mut l.init {
                    *init.expr = syn::parse_quote_spanned!(span=> #u);
                }
                out.push(syn::Stmt::Local(l));
                out.push(syn::parse_quote_spanned!(span=> #u = #e;));
            }
            (Mem::Replace, Some(l)) => {
                let new = self.fresh("new", span);
                let e = &c.args[1];
                out.push(syn::parse_quote_spanned!(span=> let #new = #e;));
                let mut l = l.clone();
                if let Some(init) = &mut l.init {
                    *init.expr = syn::parse_quote_spanned!(span=> #u);
                }
                out.push(syn::Stmt::Local(l));
                out.push(syn::parse_quote_spanned!(span=> #u = #new;));
            }
        }
        Some(out)
    }
}
