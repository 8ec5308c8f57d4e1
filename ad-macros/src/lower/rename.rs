//! Names in code kept as written (conditions, `.map` closures, guards):
//! the locals it reads renamed to their current versions, and the names
//! patterns and closure parameters bind.

use super::*;

/// Renames the locals an inactive expression reads to their current
/// versions, and notes them; for the body of a `.map` closure, leaves its
/// parameter alone and notes the active locals it captures.
pub(super) struct Renamer<'a, 'b> {
    pub(super) lw: &'a Lowerer<'b>,
    pub(super) reads: Vec<VarId>,
    /// The parameters of the closures around the current node (of the
    /// `.map` closure being lowered, of those kept verbatim), which are not
    /// locals of the function.
    pub(super) params: Vec<String>,
    /// Active locals read: `(span, name)`.
    pub(super) active: Vec<(Span, String)>,
}

impl VisitMut for Renamer<'_, '_> {
    // A loop kept verbatim loses its `#[checkpoint]` (inactive: nothing to
    // reverse).
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::ForLoop(syn::ExprForLoop { attrs, .. })
        | syn::Expr::While(syn::ExprWhile { attrs, .. })
        | syn::Expr::Loop(syn::ExprLoop { attrs, .. }) = e
        {
            attrs.retain(|a| !checkpoint::is_checkpoint(a));
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if self.params.iter().any(|n| p.path.is_ident(n)) {
            return;
        }
        if let Some(v) = self.lw.local_of(p) {
            if self.lw.var_varied(v) {
                self.active
                    .push((p.span(), p.path.to_token_stream().to_string()));
            }
            if !self.reads.contains(&v) {
                self.reads.push(v);
            }
            let mut ident = self.lw.prog.name(v).clone();
            if let Some(old) = p.path.get_ident() {
                ident.set_span(old.span());
            }
            p.path = syn::Path::from(ident);
        }
    }
    // `println!("{}", x)`, `assert!(x > 0.0)`: their arguments too.
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        self.rename_macro(m);
    }
    // `match m { Mode::Scale(k) if k > 1.0 => .. }` kept verbatim (or a
    // `matches!`): `k` is not a local.
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let outer = self.params.len();
        let mut names = PatNames(Vec::new());
        names.visit_pat(&arm.pat);
        self.params.extend(names.0);
        syn::visit_mut::visit_arm_mut(self, arm);
        self.params.truncate(outer);
    }
    // `q.map(|z| z.cos())` kept verbatim: `z` is not a local.
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        let outer = self.params.len();
        self.params.extend(closure_params(c));
        self.visit_expr_mut(&mut c.body);
        self.params.truncate(outer);
    }
    // `let k = ..;` in verbatim code (or a `.map` closure's body): `k` after
    // it is not the function's local `k`, to the end of the block.
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let outer = self.params.len();
        for s in &mut b.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    if let Some(init) = &mut l.init {
                        self.visit_expr_mut(&mut init.expr);
                        if let Some((_, e)) = &mut init.diverge {
                            self.visit_expr_mut(e);
                        }
                    }
                    let mut names = PatNames(Vec::new());
                    names.visit_pat(&l.pat);
                    self.params.extend(names.0);
                }
                s => self.visit_stmt_mut(s),
            }
        }
        self.params.truncate(outer);
    }
    fn visit_expr_for_loop_mut(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut f.expr);
        let outer = self.params.len();
        let mut names = PatNames(Vec::new());
        names.visit_pat(&f.pat);
        self.params.extend(names.0);
        self.visit_block_mut(&mut f.body);
        self.params.truncate(outer);
    }
    // `if let Some(k) = o && k > 0 { k }`: `k` after its `let`.
    fn visit_expr_if_mut(&mut self, i: &mut syn::ExprIf) {
        let outer = self.params.len();
        self.cond(&mut i.cond);
        self.visit_block_mut(&mut i.then_branch);
        self.params.truncate(outer);
        if let Some((_, e)) = &mut i.else_branch {
            self.visit_expr_mut(e);
        }
    }
    fn visit_expr_while_mut(&mut self, w: &mut syn::ExprWhile) {
        let outer = self.params.len();
        self.cond(&mut w.cond);
        self.visit_block_mut(&mut w.body);
        self.params.truncate(outer);
    }
}

impl Renamer<'_, '_> {
    /// A condition, the names of its `let`s bound after them (left in
    /// `params` for the branch).
    fn cond(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.cond(&mut b.left);
                self.cond(&mut b.right);
            }
            syn::Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                let mut names = PatNames(Vec::new());
                names.visit_pat(&l.pat);
                self.params.extend(names.0);
            }
            e => self.visit_expr_mut(e),
        }
    }
}

/// The names patterns bind.
struct PatNames(Vec<String>);

/// The names `pat` binds.
pub(super) fn pat_names(pat: &syn::Pat) -> Vec<String> {
    let mut names = PatNames(Vec::new());
    names.visit_pat(pat);
    names.0
}

impl<'ast> Visit<'ast> for PatNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.unraw().to_string());
        syn::visit::visit_pat_ident(self, p);
    }
}

/// The names a closure's parameters bind (`|z|`, `|(i, z)|`).
pub(super) fn closure_params(c: &syn::ExprClosure) -> Vec<String> {
    let mut names = PatNames(Vec::new());
    for input in &c.inputs {
        names.visit_pat(input);
    }
    names.0
}
