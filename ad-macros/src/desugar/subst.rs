//! Substitution of names by expressions (a closure's parameters by its
//! arguments, a loop pattern by the element it stands for), respecting the
//! scopes of the code it rewrites, and the clean-up of what substitution
//! leaves (`*&x[i]` -> `x[i]`).
//!
//! Substituted expressions are wrapped in invisible groups
//! (`syn::Expr::Group`): the clean-up rewrites only those, never the user's
//! own `&a * &b`, and [`ungroup`] removes the groups at the end.

use crate::fx::HashMap;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Wraps a substituted expression.
pub(super) fn group(e: syn::Expr) -> syn::Expr {
    syn::Expr::Group(syn::ExprGroup {
        attrs: Vec::new(),
        group_token: Default::default(),
        expr: Box::new(e),
    })
}

/// The names a pattern binds.
pub(super) fn pat_names(p: &syn::Pat) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.unraw().to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    }
    let mut names = Names(Vec::new());
    names.visit_pat(p);
    names.0
}

/// Replaces the names of `map` by their expressions in `node`.
pub(super) struct Subst {
    map: HashMap<String, syn::Expr>,
    /// The names the substituted expressions read (see [`Subst::watching`]).
    free: Vec<String>,
    /// How many bindings of a name of `free` enclose the current node.
    blocked: usize,
    /// Whether an expression was put where a name it reads means
    /// something else.
    pub(super) captured: bool,
}

impl Subst {
    pub(super) fn new(map: HashMap<String, syn::Expr>) -> Subst {
        Subst::watching(map, Vec::new())
    }

    /// [`Subst::new`], noting in `captured` a substitution under a binding
    /// of one of `free`, the names the expressions read.
    pub(super) fn watching(map: HashMap<String, syn::Expr>, free: Vec<String>) -> Subst {
        Subst {
            map,
            free,
            blocked: 0,
            captured: false,
        }
    }

    /// Runs `f` with the names `names` bound anew (not substituted).
    fn shadowed(&mut self, names: &[String], f: impl FnOnce(&mut Self)) {
        let saved: Vec<(String, syn::Expr)> = names
            .iter()
            .filter_map(|n| self.map.remove(n).map(|e| (n.clone(), e)))
            .collect();
        let blocks = names.iter().any(|n| self.free.contains(n));
        self.blocked += usize::from(blocks);
        f(self);
        self.blocked -= usize::from(blocks);
        self.map.extend(saved);
    }

    fn tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        let mut after_dot = false;
        for tt in tokens {
            let dot = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '.');
            match tt {
                TokenTree::Ident(i) if !after_dot => match self.map.get(&i.unraw().to_string()) {
                    Some(e) => {
                        self.captured |= self.blocked > 0;
                        out.extend([TokenTree::Group(Group::new(
                            Delimiter::Parenthesis,
                            e.to_token_stream(),
                        ))])
                    }
                    None => out.extend([TokenTree::Ident(i)]),
                },
                TokenTree::Group(g) => {
                    let mut ng = Group::new(g.delimiter(), self.tokens(g.stream()));
                    ng.set_span(g.span());
                    out.extend([TokenTree::Group(ng)]);
                }
                tt => out.extend([tt]),
            }
            after_dot = dot;
        }
        out
    }
}

impl VisitMut for Subst {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none() {
                if let Some(i) = p.path.get_ident() {
                    if let Some(new) = self.map.get(&i.unraw().to_string()) {
                        *e = new.clone();
                        self.captured |= self.blocked > 0;
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        // `S { x }` with `x` substituted: `S { x: .. }`.
        if f.colon_token.is_none() {
            if let syn::Expr::Path(p) = &f.expr {
                if p.path
                    .get_ident()
                    .is_some_and(|i| self.map.contains_key(&i.to_string()))
                {
                    f.colon_token = Some(Default::default());
                }
            }
        }
        self.visit_expr_mut(&mut f.expr);
    }
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.block(&mut b.stmts);
    }
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let names: Vec<String> = c.inputs.iter().flat_map(pat_names).collect();
        self.shadowed(&names, |s| s.visit_expr_mut(&mut c.body));
    }
    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        let names = pat_names(&a.pat);
        self.shadowed(&names, |s| {
            if let Some((_, g)) = &mut a.guard {
                s.visit_expr_mut(g);
            }
            s.visit_expr_mut(&mut a.body);
        });
    }
    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut f.expr);
        let names = pat_names(&f.pat);
        self.shadowed(&names, |s| s.visit_block_mut(&mut f.body));
    }
    /// `if let P = e { .. }` (and chains): the names `P` binds are not
    /// substituted in the branch, nor in the conditions after it.
    fn visit_expr_if_mut(&mut self, i: &mut syn::ExprIf) {
        if !super::hygiene::binds(&i.cond) {
            return syn::visit_mut::visit_expr_if_mut(self, i);
        }
        let names = super::hygiene::visit_cond(&mut i.cond, |bound, e| {
            self.shadowed(bound, |s| s.visit_expr_mut(e))
        });
        self.shadowed(&names, |s| s.visit_block_mut(&mut i.then_branch));
        if let Some((_, e)) = &mut i.else_branch {
            self.visit_expr_mut(e);
        }
    }
    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        if !super::hygiene::binds(&w.cond) {
            return syn::visit_mut::visit_expr_while_mut(self, w);
        }
        let names = super::hygiene::visit_cond(&mut w.cond, |bound, e| {
            self.shadowed(bound, |s| s.visit_expr_mut(e))
        });
        self.shadowed(&names, |s| s.visit_block_mut(&mut w.body));
    }
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.tokens(std::mem::take(&mut m.tokens));
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Subst {
    /// The statements of a block: a `let` ends the substitution of the names
    /// it binds for the statements after it.
    pub(super) fn block(&mut self, stmts: &mut [syn::Stmt]) {
        let Some((first, rest)) = stmts.split_first_mut() else {
            return;
        };
        match first {
            syn::Stmt::Local(l) => {
                if let Some(init) = &mut l.init {
                    self.visit_expr_mut(&mut init.expr);
                    if let Some((_, e)) = &mut init.diverge {
                        self.visit_expr_mut(e);
                    }
                }
                let names = pat_names(&l.pat);
                self.shadowed(&names, |s| s.block(rest));
            }
            other => {
                self.visit_stmt_mut(other);
                self.block(rest);
            }
        }
    }
}

fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// `Group(&e)` -> `e`, for a substituted reference.
fn deref_group(e: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Group(g) = e else {
        return match e {
            syn::Expr::Paren(p) => deref_group(&p.expr),
            _ => None,
        };
    };
    match &*g.expr {
        syn::Expr::Reference(r) => Some(group((*r.expr).clone())),
        syn::Expr::Group(_) | syn::Expr::Paren(_) => deref_group(&g.expr),
        _ => None,
    }
}

/// A substituted sub-slice `Group(&b[lo..hi])`: its base, start and length.
pub(super) fn view(e: &syn::Expr) -> Option<(syn::Expr, TokenStream, TokenStream)> {
    let inner = match e {
        syn::Expr::Group(g) => strip(&g.expr),
        syn::Expr::Paren(p) => return view(&p.expr),
        _ => return None,
    };
    let inner = match inner {
        syn::Expr::Reference(r) => strip(&r.expr),
        e => e,
    };
    range_index(inner)
}

/// `b[lo..hi]`: the base, the start and the length.
pub(super) fn range_index(e: &syn::Expr) -> Option<(syn::Expr, TokenStream, TokenStream)> {
    let syn::Expr::Index(ix) = e else {
        return None;
    };
    let syn::Expr::Range(r) = strip(&ix.index) else {
        return None;
    };
    let base = (*ix.expr).clone();
    // (A start of more than one token in parentheses: `hi - (i - 1)`.)
    let start = match r.start.as_deref().map(strip) {
        Some(s @ (syn::Expr::Lit(_) | syn::Expr::Path(_))) => s.to_token_stream(),
        Some(s) => quote::quote!((#s)),
        None => quote::quote!(0),
    };
    let end = match (&r.end, &r.limits) {
        (Some(e), syn::RangeLimits::HalfOpen(_)) => e.to_token_stream(),
        (Some(e), syn::RangeLimits::Closed(_)) => quote::quote!((#e + 1)),
        (None, _) => quote::quote!(#base.len()),
    };
    Some((base, start.clone(), quote::quote!((#end - #start))))
}

/// Simplifies what substitution left: `*&e` -> `e`, `&e + ..` -> `e + ..`,
/// `(&e).m()` -> `e.m()`, `(a, b).0` -> `a`, `(&a[i])[j]` -> `a[i][j]`, `(&b[lo..hi])[j]` ->
/// `b[lo + j]`, `(&b[lo..hi]).len()` -> `hi - lo`.
pub(super) struct Cleanup;

impl VisitMut for Cleanup {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let new = match e {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => deref_group(&u.expr),
            syn::Expr::Field(f) => match (strip(&f.base), &f.member) {
                (syn::Expr::Tuple(t), syn::Member::Unnamed(i)) if is_grouped(&f.base) => {
                    t.elems.iter().nth(i.index as usize).cloned()
                }
                // `(&p.layers[i]).w` (an element of a `Vec` of structs by
                // reference, `for l in &p.layers { l.w }`) -> `p.layers[i].w`.
                (_, m @ syn::Member::Named(i)) => {
                    deref_group(&f.base).map(|b| group(syn::parse_quote_spanned!(i.span()=> #b.#m)))
                }
                _ => None,
            },
            syn::Expr::Index(ix) => match super::views::view_parts(&ix.expr) {
                Some(v) => Some(group(super::views::index_view(&v, &ix.index))),
                // `(&a[i])[j]` (a row) -> `a[i][j]`.
                None => deref_group(&ix.expr).map(|b| {
                    let j = &ix.index;
                    group(syn::parse_quote!(#b[#j]))
                }),
            },
            syn::Expr::MethodCall(m) if m.method == "len" && m.args.is_empty() => {
                view(&m.receiver).map(|(_, _, len)| group(syn::parse_quote!(#len)))
            }
            _ => None,
        };
        if let Some(new) = new {
            *e = new;
        }
    }
    fn visit_expr_binary_mut(&mut self, b: &mut syn::ExprBinary) {
        syn::visit_mut::visit_expr_binary_mut(self, b);
        if !matches!(
            b.op,
            syn::BinOp::Add(_)
                | syn::BinOp::Sub(_)
                | syn::BinOp::Mul(_)
                | syn::BinOp::Div(_)
                | syn::BinOp::Lt(_)
                | syn::BinOp::Le(_)
                | syn::BinOp::Gt(_)
                | syn::BinOp::Ge(_)
                | syn::BinOp::Eq(_)
                | syn::BinOp::Ne(_)
        ) {
            return;
        }
        // Both operands of a comparison are references or neither is.
        let cmp = !matches!(
            b.op,
            syn::BinOp::Add(_) | syn::BinOp::Sub(_) | syn::BinOp::Mul(_) | syn::BinOp::Div(_)
        );
        let (l, r) = (deref_group(&b.left), deref_group(&b.right));
        if cmp && (l.is_none() || r.is_none()) {
            return;
        }
        if let Some(l) = l {
            *b.left = l;
        }
        if let Some(r) = r {
            *b.right = r;
        }
    }
    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, m);
        if let Some(r) = deref_group(&m.receiver) {
            // (`w.len()` of a window is handled above, on the whole call.)
            if view(&m.receiver).is_none() || m.method != "len" {
                *m.receiver = r;
            }
        }
    }
    /// The expressions of a macro's arguments (`vec![a, r[0]]`, `vec![e;
    /// n]`): substitution rewrote its tokens (`vec![a, (&z[1..])[0]]`), and
    /// lowering reads them as expressions.
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        use syn::parse::Parser;
        type List = syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>;
        let new = if let Ok(mut es) = List::parse_terminated.parse2(m.tokens.clone()) {
            es.iter_mut().for_each(|e| self.visit_expr_mut(e));
            es.to_token_stream()
        } else if let Ok((mut e, semi, mut n)) = (|input: syn::parse::ParseStream| {
            Ok((
                input.parse::<syn::Expr>()?,
                input.parse::<syn::Token![;]>()?,
                input.parse::<syn::Expr>()?,
            ))
        })
        .parse2(m.tokens.clone())
        {
            self.visit_expr_mut(&mut e);
            self.visit_expr_mut(&mut n);
            quote::quote!(#e #semi #n)
        } else {
            return;
        };
        // (Tokens left as they were when nothing changed.)
        if new.to_string() != m.tokens.to_string() {
            m.tokens = new;
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

fn is_grouped(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Group(_) => true,
        syn::Expr::Paren(p) => is_grouped(&p.expr),
        _ => false,
    }
}

/// Replaces the invisible groups by parentheses where precedence needs them.
pub(super) struct Ungroup;

impl VisitMut for Ungroup {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let syn::Expr::Group(g) = e {
            let inner = std::mem::replace(&mut *g.expr, syn::Expr::Verbatim(TokenStream::new()));
            *e = match inner {
                syn::Expr::Path(_)
                | syn::Expr::Lit(_)
                | syn::Expr::Index(_)
                | syn::Expr::Field(_)
                | syn::Expr::MethodCall(_)
                | syn::Expr::Call(_)
                | syn::Expr::Paren(_)
                | syn::Expr::Tuple(_)
                | syn::Expr::Macro(_) => inner,
                inner => syn::Expr::Paren(syn::ExprParen {
                    attrs: Vec::new(),
                    paren_token: Default::default(),
                    expr: Box::new(inner),
                }),
            };
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
