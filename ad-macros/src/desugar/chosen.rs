//! Slices chosen by a branch (`if c { x } else { y }` with `x` a slice
//! parameter that is differentiated), wherever the choice is a value: a
//! `let`, a call's argument, a loop's container. The reverse sweep cannot
//! tell the views apart (each one's cotangent goes to its own array): the
//! error says what to write instead, at the `if`. The choice is then
//! replaced by one of its slices, so later stages report nothing more.
//! (Its length, `(if c { x } else { y }).len()`, is only a number.)

use super::views::{range_parts, strip};
use super::*;
use syn::visit_mut::VisitMut;

/// The values an `if` or `match` yields: the tails of its blocks and arms.
fn branch_tails(e: &syn::Expr, out: &mut Vec<syn::Expr>) {
    fn block_tail(b: &syn::Block, out: &mut Vec<syn::Expr>) {
        match b.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => branch_tails(e, out),
            _ => out.push(syn::Expr::Verbatim(TokenStream::new())),
        }
    }
    match strip(e) {
        syn::Expr::If(i) => {
            block_tail(&i.then_branch, out);
            match &i.else_branch {
                Some((_, e)) => branch_tails(e, out),
                None => out.push(syn::Expr::Verbatim(TokenStream::new())),
            }
        }
        syn::Expr::Block(b) => block_tail(&b.block, out),
        syn::Expr::Match(m) => m.arms.iter().for_each(|a| branch_tails(&a.body, out)),
        e => out.push(e.clone()),
    }
}

const LET: &str = "a slice chosen by a branch (`let b = if c { x } else { y };`) is not \
    supported: copy it (`let b: Vec<f64> = if c { x.to_vec() } else { y.to_vec() };`), or use \
    each slice in its own branch (`if c { g(x) } else { g(y) }`)";

const VALUE: &str = "a slice chosen by a branch (`g(if c { x } else { y })`) is not \
    supported: use each slice in its own branch (`if c { g(x) } else { g(y) }`), or copy it \
    first (`let b: Vec<f64> = if c { x.to_vec() } else { y.to_vec() };`, then `g(&b)`)";

struct Chosen<'a> {
    tainted: &'a HashSet<String>,
    params: &'a HashMap<String, syn::Type>,
    errors: &'a mut Vec<syn::Error>,
}

impl Chosen<'_> {
    fn active(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.tainted.contains(&i.unraw().to_string())),
            _ => false,
        }
    }

    /// A slice parameter that is differentiated, or a range of one (`&x[a..]`).
    fn borrowed_param(&self, e: &syn::Expr) -> bool {
        match strip(e) {
            syn::Expr::Path(p) => {
                self.active(e)
                    && p.path.get_ident().is_some_and(|i| {
                        matches!(self.params.get(&i.unraw().to_string()),
                            Some(syn::Type::Reference(r))
                                if r.mutability.is_none() && refs::indexable_type(&r.elem))
                    })
            }
            syn::Expr::Reference(r) => range_parts(&r.expr).is_some_and(|(b, ..)| self.active(&b)),
            _ => false,
        }
    }

    /// Reports `e` if it is a choice among slices, and replaces it by one.
    fn check(&mut self, e: &mut syn::Expr, msg: &str) -> bool {
        if !matches!(strip(e), syn::Expr::If(_) | syn::Expr::Match(_)) {
            return false;
        }
        let mut tails = Vec::new();
        branch_tails(e, &mut tails);
        let Some(slice) = tails.iter().find(|t| self.borrowed_param(t)).cloned() else {
            return false;
        };
        if tails.len() < 2 {
            return false;
        }
        self.errors.push(syn::Error::new_spanned(&*e, msg));
        *e = slice;
        true
    }

    /// Visits what `e` holds, not `e` itself.
    fn inside(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Paren(p) => self.inside(&mut p.expr),
            syn::Expr::Group(g) => self.inside(&mut g.expr),
            e => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
}

impl VisitMut for Chosen<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if !self.check(e, VALUE) {
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        if let Some(init) = &mut l.init {
            if self.check(&mut init.expr, LET) {
                return;
            }
        }
        syn::visit_mut::visit_local_mut(self, l);
    }
    // An `if` statement yields nothing.
    fn visit_stmt_mut(&mut self, s: &mut syn::Stmt) {
        match s {
            syn::Stmt::Expr(e, Some(_)) => self.inside(e),
            s => syn::visit_mut::visit_stmt_mut(self, s),
        }
    }
    // Its length is only a number.
    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        if m.method == "len" || m.method == "is_empty" {
            self.inside(&mut m.receiver);
            m.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
        } else {
            syn::visit_mut::visit_expr_method_call_mut(self, m);
        }
    }
}

impl Desugar<'_> {
    /// Reports (and replaces) every slice chosen by a branch in `block`.
    pub(super) fn chosen_slices(&mut self, block: &mut syn::Block) {
        Chosen {
            tainted: &self.tainted,
            params: &self.params,
            errors: &mut self.errors,
        }
        .visit_block_mut(block);
    }
}
