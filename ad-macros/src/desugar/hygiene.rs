//! Hygiene of substitution: before a body receives expressions in place of
//! names (a local closure's parameters replaced by its arguments, a loop
//! pattern by the element it stands for), every binding in the body of a
//! name those expressions read is renamed, with its uses, so that the
//! expressions read there what they read at the call:
//!
//! ```text
//! let f = |t: f64| { let x = 2.0 * t; x * t };   f(x)
//! // inlined as
//! let __ad_l1 = 2.0 * x; __ad_l1 * x             // not `let x = 2.0 * x; x * x`
//! ```
//!
//! Every binding form is renamed: `let` (at any depth), `for` patterns,
//! `match` arms, `if let` and `while let` (chains too), closures'
//! parameters. Other bindings are left as written.

use super::subst::{pat_names, Subst};
use crate::fx::HashMap;
use syn::ext::IdentExt;
use syn::visit_mut::VisitMut;

/// The names `exprs` read (every identifier, as `names_in` of closures.rs:
/// a superset).
pub(super) fn free_names<'a>(exprs: impl IntoIterator<Item = &'a syn::Expr>) -> Vec<String> {
    let mut out = Vec::new();
    for e in exprs {
        for n in super::closures::names_in(e) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Renames in `stmts` every binding of a name of `names`, and the uses it
/// binds, to names made by `fresh`.
pub(super) fn freshen(
    stmts: &mut [syn::Stmt],
    names: &[String],
    fresh: &mut dyn FnMut(&syn::Ident) -> syn::Ident,
) {
    if names.is_empty() {
        return;
    }
    Freshen { names, fresh }.block(stmts);
}

/// Renames the names of `names` bound by `pat` (all of them with `None`);
/// the map from each old name to its new one.
pub(super) fn rename_pat(
    pat: &mut syn::Pat,
    names: Option<&[String]>,
    fresh: &mut dyn FnMut(&syn::Ident) -> syn::Ident,
) -> HashMap<String, syn::Expr> {
    struct Rename<'a, 'b> {
        names: Option<&'a [String]>,
        fresh: &'a mut dyn FnMut(&syn::Ident) -> syn::Ident,
        map: &'b mut HashMap<String, syn::Expr>,
    }
    impl Rename<'_, '_> {
        fn renames(&self, i: &syn::Ident) -> bool {
            let s = i.unraw().to_string();
            // (`None`, `MAX`: a variant or a constant, not a binding.)
            !s.starts_with(|c: char| c.is_ascii_uppercase())
                && self.names.is_none_or(|n| n.contains(&s))
        }
    }
    impl VisitMut for Rename<'_, '_> {
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            if self.renames(&p.ident) {
                let new = (self.fresh)(&p.ident);
                self.map
                    .insert(p.ident.unraw().to_string(), syn::parse_quote!(#new));
                p.ident = new;
            }
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
        fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
            // `S { x }` -> `S { x: __ad_l1 }`.
            if f.colon_token.is_none() {
                if let syn::Pat::Ident(i) = &*f.pat {
                    if self.renames(&i.ident) {
                        f.colon_token = Some(Default::default());
                    }
                }
            }
            syn::visit_mut::visit_field_pat_mut(self, f);
        }
        fn visit_expr_mut(&mut self, _: &mut syn::Expr) {}
    }
    let mut map = HashMap::default();
    Rename {
        names,
        fresh,
        map: &mut map,
    }
    .visit_pat_mut(pat);
    map
}

/// Calls `f` on each operand of a condition's `&&` chain (`let Some(a) = p
/// && a > 0.0`), left to right.
fn conjuncts(e: &mut syn::Expr, f: &mut dyn FnMut(&mut syn::Expr)) {
    match e {
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            conjuncts(&mut b.left, f);
            conjuncts(&mut b.right, f);
        }
        e => f(e),
    }
}

/// Whether a condition binds (`if let`, `while let`, a chain with one).
pub(super) fn binds(cond: &syn::Expr) -> bool {
    match cond {
        syn::Expr::Let(_) => true,
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            binds(&b.left) || binds(&b.right)
        }
        _ => false,
    }
}

/// The names the `let`s of a condition bind, each conjunct with the names
/// bound before it, for [`Subst`]: it visits each conjunct under the names
/// bound before it, then `body` under all.
pub(super) fn visit_cond(
    cond: &mut syn::Expr,
    mut visit: impl FnMut(&[String], &mut syn::Expr),
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    conjuncts(cond, &mut |c| {
        if let syn::Expr::Let(l) = c {
            visit(&names, &mut l.expr);
            names.extend(pat_names(&l.pat));
        } else {
            visit(&names, c);
        }
    });
    names
}

struct Freshen<'a> {
    names: &'a [String],
    fresh: &'a mut dyn FnMut(&syn::Ident) -> syn::Ident,
}

impl Freshen<'_> {
    fn rename(&mut self, pat: &mut syn::Pat) -> HashMap<String, syn::Expr> {
        rename_pat(pat, Some(self.names), self.fresh)
    }

    fn block(&mut self, stmts: &mut [syn::Stmt]) {
        for k in 0..stmts.len() {
            let (first, rest) = stmts[k..].split_first_mut().expect("k < len");
            match first {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, e)) = &mut init.diverge {
                            self.visit_expr_mut(e);
                        }
                    }
                    let map = self.rename(&mut l.pat);
                    if !map.is_empty() {
                        Subst::new(map).block(rest);
                    }
                }
                other => self.visit_stmt_mut(other),
            }
        }
    }

    /// A condition's bindings renamed, and their uses in it and in `body`.
    fn cond(&mut self, cond: &mut syn::Expr, body: &mut syn::Block) {
        let mut map: HashMap<String, syn::Expr> = HashMap::default();
        conjuncts(cond, &mut |c| match c {
            syn::Expr::Let(l) => {
                Subst::new(map.clone()).visit_expr_mut(&mut l.expr);
                self.visit_expr_mut(&mut l.expr);
                map.extend(self.rename(&mut l.pat));
            }
            c => {
                Subst::new(map.clone()).visit_expr_mut(c);
                self.visit_expr_mut(c);
            }
        });
        Subst::new(map).visit_block_mut(body);
        self.visit_block_mut(body);
    }
}

impl VisitMut for Freshen<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        self.block(&mut b.stmts);
    }
    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut f.expr);
        let map = self.rename(&mut f.pat);
        Subst::new(map).visit_block_mut(&mut f.body);
        self.visit_block_mut(&mut f.body);
    }
    fn visit_arm_mut(&mut self, a: &mut syn::Arm) {
        let map = self.rename(&mut a.pat);
        let mut s = Subst::new(map);
        if let Some((_, g)) = &mut a.guard {
            s.visit_expr_mut(g);
            self.visit_expr_mut(g);
        }
        s.visit_expr_mut(&mut a.body);
        self.visit_expr_mut(&mut a.body);
    }
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let mut map = HashMap::default();
        for p in c.inputs.iter_mut() {
            map.extend(self.rename(p));
        }
        Subst::new(map).visit_expr_mut(&mut c.body);
        self.visit_expr_mut(&mut c.body);
    }
    fn visit_expr_if_mut(&mut self, i: &mut syn::ExprIf) {
        if !binds(&i.cond) {
            return syn::visit_mut::visit_expr_if_mut(self, i);
        }
        self.cond(&mut i.cond, &mut i.then_branch);
        if let Some((_, e)) = &mut i.else_branch {
            self.visit_expr_mut(e);
        }
    }
    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        if !binds(&w.cond) {
            return syn::visit_mut::visit_expr_while_mut(self, w);
        }
        self.cond(&mut w.cond, &mut w.body);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
