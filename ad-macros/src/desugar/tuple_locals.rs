//! A tuple local built from a tuple (`let mut best = (x[0], 0);`) whose
//! uses are its members (`best.0`), whole assignments of tuples as
//! statements (`best = (x[i], i);`) and reads of the whole (`let (s, v) =
//! acc;`, `g(acc)`) becomes one local per member:
//!
//! ```text
//! let mut best = (x[0], 0); .. best = (x[i], i); .. best.0 * best.1 as f64
//! // becomes
//! let mut best_0 = x[0]; let mut best_1 = 0; .. best_0 = x[i]; best_1 = i; ..
//! best_0 * best_1 as f64
//! ```
//!
//! so an integer member (an argmax's index) is an integer local, inactive,
//! a `Vec` member an array, and each member's derivative is its own. A
//! whole read is the tuple of the members. Anything else (a `&mut` of the
//! tuple, its name bound again, in a macro) keeps the tuple as it is.

use super::subst::pat_names;
use crate::fx::HashSet;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Splits the tuple locals of the body (see the module's documentation).
pub(super) fn split(block: &mut syn::Block) {
    // (Most bodies have none: no walk of their tokens then.)
    struct Any(bool);
    impl<'ast> Visit<'ast> for Any {
        fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
            self.0 |= tuple_let(s).is_some();
            syn::visit::visit_stmt(self, s);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut any = Any(false);
    any.visit_block(block);
    if !any.0 {
        return;
    }
    let mut taken = HashSet::default();
    idents(block.to_token_stream(), &mut taken);
    Splitter { taken }.visit_block_mut(block);
}

fn idents(t: TokenStream, out: &mut HashSet<String>) {
    for tt in t {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.unraw().to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

struct Splitter {
    /// Every name of the body, and those given to members.
    taken: HashSet<String>,
}

impl VisitMut for Splitter {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, b);
        let mut k = 0;
        while k < b.stmts.len() {
            let Some(local) = tuple_let(&b.stmts[k]) else {
                k += 1;
                continue;
            };
            let n = local.elems.len();
            let mut uses = Uses {
                name: &local.name,
                n,
                ok: true,
            };
            b.stmts[k + 1..].iter().for_each(|s| uses.visit_stmt(s));
            if !uses.ok {
                k += 1;
                continue;
            }
            let names: Vec<syn::Ident> = (0..n).map(|i| self.fresh(&local, i, "")).collect();
            let news: Vec<syn::Ident> = (0..n).map(|i| self.fresh(&local, i, "_new")).collect();
            let mut out: Vec<syn::Stmt> = Vec::new();
            for (i, (e, name)) in local.elems.iter().zip(&names).enumerate() {
                let m = local.mutable.then(syn::token::Mut::default);
                out.push(match &local.types {
                    Some(t) => {
                        let t = &t[i];
                        syn::parse_quote!(let #m #name: #t = #e;)
                    }
                    None => syn::parse_quote!(let #m #name = #e;),
                });
            }
            let mut rest = b.stmts.split_off(k + 1);
            let mut rewrite = Rewrite {
                name: &local.name,
                names: &names,
                news: &news,
            };
            rewrite.stmts(&mut rest);
            b.stmts.truncate(k);
            k += out.len();
            b.stmts.extend(out);
            b.stmts.extend(rest);
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Splitter {
    /// `best_0`, or `best_0_` and so on when the body has that name.
    fn fresh(&mut self, local: &TupleLet, i: usize, suffix: &str) -> syn::Ident {
        let mut name = format!("{}_{i}{suffix}", local.name);
        while self.taken.contains(&name) {
            name.push('_');
        }
        self.taken.insert(name.clone());
        syn::Ident::new(&name, local.span)
    }
}

/// `let [mut] t[: (A, B)] = (a, b);`, at least two members.
struct TupleLet {
    name: String,
    span: Span,
    mutable: bool,
    elems: Vec<syn::Expr>,
    types: Option<Vec<syn::Type>>,
}

fn tuple_let(stmt: &syn::Stmt) -> Option<TupleLet> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let syn::Expr::Tuple(t) = &*init.expr else {
        return None;
    };
    let (pat, types) = match &l.pat {
        syn::Pat::Type(pt) => match &*pt.ty {
            syn::Type::Tuple(tt) if tt.elems.len() == t.elems.len() => {
                (&*pt.pat, Some(tt.elems.iter().cloned().collect()))
            }
            _ => return None,
        },
        p => (p, None),
    };
    let syn::Pat::Ident(i) = pat else {
        return None;
    };
    if i.by_ref.is_some() || i.subpat.is_some() || t.elems.len() < 2 || !l.attrs.is_empty() {
        return None;
    }
    Some(TupleLet {
        name: i.ident.unraw().to_string(),
        span: i.ident.span(),
        mutable: i.mutability.is_some(),
        elems: t.elems.iter().cloned().collect(),
        types,
    })
}

fn is_name(e: &syn::Expr, name: &str) -> bool {
    matches!(e, syn::Expr::Path(p) if p.qself.is_none()
        && p.path.get_ident().is_some_and(|i| i.unraw() == name))
}

/// `t = (a, b);` as a statement: the members assigned.
fn whole_assign<'a>(s: &'a syn::Stmt, name: &str, n: usize) -> Option<&'a syn::ExprTuple> {
    let syn::Stmt::Expr(syn::Expr::Assign(a), _) = s else {
        return None;
    };
    match &*a.right {
        syn::Expr::Tuple(t) if is_name(&a.left, name) && t.elems.len() == n => Some(t),
        _ => None,
    }
}

/// Whether every use of the tuple after its `let` can read the members.
struct Uses<'n> {
    name: &'n str,
    n: usize,
    ok: bool,
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        match whole_assign(s, self.name, self.n) {
            Some(t) => t.elems.iter().for_each(|e| self.visit_expr(e)),
            None => syn::visit::visit_stmt(self, s),
        }
    }
    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        match e {
            syn::Expr::Field(f) if is_name(&f.base, self.name) => {
                self.ok &=
                    matches!(&f.member, syn::Member::Unnamed(i) if (i.index as usize) < self.n);
            }
            // Assigned other than by a tuple as a statement, lent mutably.
            syn::Expr::Assign(a) if is_name(&a.left, self.name) => self.ok = false,
            syn::Expr::Binary(b) if is_name(&b.left, self.name) => self.ok = false,
            syn::Expr::Reference(r) if r.mutability.is_some() && is_name(&r.expr, self.name) => {
                self.ok = false
            }
            _ => syn::visit::visit_expr(self, e),
        }
    }
    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        self.ok &= !pat_names(p).iter().any(|n| n == self.name);
        syn::visit::visit_pat(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let mut names = HashSet::default();
        idents(m.tokens.clone(), &mut names);
        let literal = m.tokens.to_string().contains(self.name);
        self.ok &= !names.contains(self.name) && !literal;
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Rewrites the uses (checked by [`Uses`]) to the members.
struct Rewrite<'n> {
    name: &'n str,
    names: &'n [syn::Ident],
    /// The members' new values, where a whole assignment reads them.
    news: &'n [syn::Ident],
}

impl Rewrite<'_> {
    fn stmts(&mut self, stmts: &mut Vec<syn::Stmt>) {
        let mut out = Vec::with_capacity(stmts.len());
        for mut s in std::mem::take(stmts) {
            let Some(t) = whole_assign(&s, self.name, self.names.len()) else {
                self.visit_stmt_mut(&mut s);
                out.push(s);
                continue;
            };
            let mut elems: Vec<syn::Expr> = t.elems.iter().cloned().collect();
            elems.iter_mut().for_each(|e| self.visit_expr_mut(e));
            // `acc = (acc.1, acc.0)`: every member computed before any is
            // written.
            let reads = elems.iter().any(|e| {
                let mut names = HashSet::default();
                idents(e.to_token_stream(), &mut names);
                self.names.iter().any(|n| names.contains(&n.to_string()))
            });
            let span = s.span();
            if reads {
                for (new, e) in self.news.iter().zip(&elems) {
                    out.push(syn::parse_quote!(let #new = #e;));
                }
                for (n, new) in self.names.iter().zip(self.news) {
                    out.push(syn::parse_quote!(#n = #new;));
                }
            } else {
                for (n, e) in self.names.iter().zip(&elems) {
                    out.push(syn::parse_quote_spanned!(span=> #n = #e;));
                }
            }
        }
        *stmts = out;
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.stmts(&mut b.stmts);
    }
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Field(f) if is_name(&f.base, self.name) => {
                if let syn::Member::Unnamed(i) = &f.member {
                    let mut n = self.names[i.index as usize].clone();
                    n.set_span(f.base.span());
                    *e = syn::parse_quote!(#n);
                }
            }
            syn::Expr::Path(_) if is_name(e, self.name) => {
                let span = e.span();
                let names = self.names.iter().map(|n| {
                    let mut n = n.clone();
                    n.set_span(span);
                    n
                });
                *e = syn::parse_quote!((#(#names),*));
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
