//! Statements: blocks, early exits (`return`, `break`, `continue`) and
//! the continuations they split blocks into. `let` is in `bind.rs`,
//! expression statements and assignments in `assign.rs`, calls lending
//! buffers in `lend.rs`.

use super::*;
use crate::desugar::exits::returned_as_statement;

impl Lowerer<'_> {
    /// The body of the function: its tail expression is its result (or, with
    /// early returns, is assigned to the result slot like a `return`).
    pub(super) fn lower_fn_block(
        &mut self,
        block: &syn::Block,
        has_output: bool,
    ) -> Option<Operand> {
        let stmts = &block.stmts;
        let (body, tail) = match stmts.last() {
            Some(syn::Stmt::Expr(e, None)) if has_output => (&stmts[..stmts.len() - 1], Some(e)),
            _ => (&stmts[..], None),
        };
        if let (Some(_), Some(tail)) = (self.ret, tail) {
            // The tail is one more return: lower it as the continuation.
            let tail_stmt = [syn::Stmt::Expr(
                syn::Expr::Return(syn::ExprReturn {
                    attrs: vec![],
                    return_token: Default::default(),
                    expr: Some(Box::new(tail.clone())),
                }),
                None,
            )];
            let all: Vec<syn::Stmt> = body.iter().cloned().chain(tail_stmt).collect();
            self.lower_stmts(&all, None);
            return None;
        }
        let diverges_at_end = matches!(body.last(), Some(syn::Stmt::Expr(syn::Expr::Return(_), _)));
        self.lower_stmts(body, None);
        match tail {
            Some(e) => Some(self.lower_expr(e)),
            None if has_output && !diverges_at_end && self.ret.is_none() => {
                self.errors.at(
                    block.brace_token.span.close(),
                    "a differentiated function must end with its result (an expression without `;`)",
                );
                Some(self.poisoned())
            }
            None => None,
        }
    }

    /// Lowers a sequence of statements; at its end (if control falls
    /// through), the continuation `k`.
    pub(super) fn lower_stmts(&mut self, stmts: &[syn::Stmt], k: Option<&Cont>) {
        for (i, stmt) in stmts.iter().enumerate() {
            if let syn::Stmt::Expr(e, _) = stmt {
                match strip_parens(e) {
                    syn::Expr::Return(r) => {
                        // `return if c { a } else { return b; };` (a
                        // function's tail among them): the statement form.
                        let form = r.expr.as_deref().and_then(returned_as_statement);
                        match form {
                            Some(form) if self.in_value == 0 => self.lower_stmts(&[form], k),
                            // A value that may itself leave (`return loop { ..
                            // return s; .. }`, a function's tail `loop` left
                            // by `return`): bound first, so that what follows
                            // its exits (the outer `return`) runs only when it
                            // falls through.
                            _ if self.in_value == 0
                                && r.expr.as_deref().is_some_and(value_may_exit) =>
                            {
                                let value = r.expr.as_deref().expect("checked");
                                let name = syn::Ident::new("__ad_left_value", value.span());
                                let bound: [syn::Stmt; 2] = [
                                    syn::parse_quote_spanned!(value.span()=> let #name = #value;),
                                    syn::parse_quote_spanned!(value.span()=> return #name;),
                                ];
                                self.lower_stmts(&bound, k);
                            }
                            _ => self.lower_return(r),
                        }
                        return;
                    }
                    syn::Expr::Break(b) => {
                        self.lower_break(b);
                        return;
                    }
                    syn::Expr::Continue(c) => {
                        self.lower_continue(c);
                        return;
                    }
                    _ => {}
                }
            }
            if may_exit(stmt) {
                if self.in_value > 0 {
                    self.errors.spanned(
                        stmt,
                        "`return`, `break` and `continue` are not supported inside an `if` or a block used within an expression: bind it with `let` first (`let v = if c { a } else { return b; };`), or use an `if` statement",
                    );
                    return;
                }
                let rest = Cont {
                    stmts: &stmts[i + 1..],
                    scopes: self.scopes.clone(),
                    next: k,
                };
                self.lower_exiting(stmt, &rest);
                return;
            }
            self.lower_stmt(stmt);
        }
        if let Some(k) = k {
            self.lower_cont(k);
        }
    }

    pub(super) fn lower_cont(&mut self, k: &Cont) {
        let saved = std::mem::replace(&mut self.scopes, k.scopes.clone());
        self.lower_stmts(k.stmts, k.next);
        self.scopes = saved;
    }

    /// A statement that may leave the block early, followed by `rest`.
    pub(super) fn lower_exiting(&mut self, stmt: &syn::Stmt, rest: &Cont) {
        let e = match stmt {
            syn::Stmt::Expr(e, _) => strip_parens(e),
            _ => {
                // `let r = loop { .. return x; .. };`
                self.lower_stmt(stmt);
                return self.lower_after_exits(stmt, rest);
            }
        };
        match e {
            syn::Expr::If(i) => self.lower_if_stmt(i, Some(rest)),
            syn::Expr::Match(m) => self.lower_match(m, None, Some(rest)),
            syn::Expr::Block(b) if b.label.is_none() => {
                let block = self.nested(|lw| lw.lower_stmts(&b.block.stmts, Some(rest)));
                // A plain block is inlined in its own scope: `if true`.
                self.stmts.push(Stmt::If {
                    cond: Expr::constant(quote!(true)),
                    then: block,
                    els: vec![],
                });
            }
            // A loop left by `return` or by `break 'outer`, and `s = loop {
            // .. }`: flags say whether to go on.
            syn::Expr::ForLoop(_)
            | syn::Expr::While(_)
            | syn::Expr::Loop(_)
            | syn::Expr::Assign(_)
            | syn::Expr::Binary(_) => {
                self.lower_stmt(stmt);
                self.lower_after_exits(stmt, rest);
            }
            _ => {
                self.unsupported(e);
            }
        }
    }

    /// After a statement left by `return` inside a loop, or by `break 'l` /
    /// `continue 'l` of an enclosing loop from a loop inside it: the
    /// flags they set decide whether `rest` runs (otherwise the enclosing
    /// loop is left, or goes on with its next round).
    pub(super) fn lower_after_exits(&mut self, stmt: &syn::Stmt, rest: &Cont) {
        let (returns, labels) = exits_of(stmt);
        let depth = self.frames.len();
        let mut cases: Vec<(VarId, Vec<Stmt>)> = Vec::new();
        if let (true, Some(flag)) = (returns, self.returned) {
            let then = if depth > 0 { vec![Stmt::Break] } else { vec![] };
            cases.push((flag, then));
        }
        for label in labels {
            let Some(k) = self
                .frames
                .iter()
                .rposition(|f| f.label.as_deref() == Some(label.as_str()))
            else {
                continue;
            };
            let innermost = k + 1 == depth;
            if let Some(b) = self.frames[k].brk {
                cases.push((b, vec![Stmt::Break]));
            }
            if let Some(c) = self.frames[k].cont {
                // At the labelled loop: its next round (the rest skipped).
                let then = if innermost {
                    vec![Stmt::Assign {
                        place: Place::Var(c),
                        op: AssignOp::Set,
                        expr: Expr::constant(quote!(false)),
                        span: Span::call_site(),
                    }]
                } else {
                    vec![Stmt::Break]
                };
                cases.push((c, then));
            }
        }
        // The rest sees what the statement bound (`let r = loop { .. };`)
        // or assigned in straight-line code (`s = loop { .. };`).
        let rest = Cont {
            stmts: rest.stmts,
            scopes: self.scopes.clone(),
            next: rest.next,
        };
        if cases.is_empty() {
            return self.lower_cont(&rest);
        }
        let mut els = self.nested(|lw| lw.lower_cont(&rest));
        for (flag, then) in cases.into_iter().rev() {
            els = vec![Stmt::If {
                cond: Expr::var(flag),
                then,
                els,
            }];
        }
        self.stmts.extend(els);
    }

    pub(super) fn lower_return(&mut self, r: &syn::ExprReturn) {
        if self.in_value > 0 {
            self.errors.spanned(
                r,
                "`return` is not supported inside an `if` or a block used within an expression: bind it with `let` first (`let v = if c { a } else { return b; };`), or use an `if` statement",
            );
            return;
        }
        match (&r.expr, self.ret) {
            (Some(value), Some(slot)) => self.assign_var(slot, value),
            // `return;` from a function whose results are its buffers.
            (None, None) => {}
            (None, Some(_)) => {
                self.errors
                    .spanned(r, "return the function's result: `return value;`");
                return;
            }
            (Some(_), None) => {
                self.errors
                    .spanned(r, "`return` of a value in a function without an output");
                return;
            }
        }
        if self.frames.iter().any(|f| f.in_value > 0) {
            self.errors.spanned(
                r,
                "`return` from a loop inside an `if` or a block used within an expression is not supported: bind it with `let` first (`let v = if c { loop { .. } } else { .. };`), or use an `if` statement",
            );
            return;
        }
        if !self.frames.is_empty() {
            if let Some(flag) = self.returned {
                self.stmts.push(Stmt::Assign {
                    place: Place::Var(flag),
                    op: AssignOp::Set,
                    expr: Expr::constant(quote!(true)),
                    span: r.span(),
                });
            }
            self.stmts.push(Stmt::Break);
        }
    }

    /// The loop a `break` or `continue` leaves: the innermost, or the one
    /// of its label.
    fn exit_target(
        &mut self,
        label: &Option<syn::Lifetime>,
        what: &str,
        at: Span,
    ) -> Option<usize> {
        let Some(l) = label else {
            if self.frames.is_empty() {
                self.errors
                    .at(at, format_args!("`{what}` outside of a loop"));
                return None;
            }
            return Some(self.frames.len() - 1);
        };
        let name = l.ident.to_string();
        let k = self
            .frames
            .iter()
            .rposition(|f| f.label.as_deref() == Some(name.as_str()));
        if k.is_none() {
            self.errors.spanned(
                l,
                format_args!(
                    "no enclosing loop is labelled `{l}` (labelled blocks are not supported)"
                ),
            );
        }
        k
    }

    /// Leaves the loops inside loop `k` and then `k` itself (`cont`: goes on
    /// with its next round): a plain `break`/`continue` for the innermost
    /// loop; from a loop inside it, a flag and a `break`, and the flag is
    /// looked at after each loop on the way out ([`Self::lower_after_exits`]).
    fn exit_to(&mut self, k: usize, cont: bool, at: Span) {
        if k + 1 == self.frames.len() {
            self.stmts
                .push(if cont { Stmt::Continue } else { Stmt::Break });
            return;
        }
        if self.frames[k + 1..].iter().any(|f| f.in_value > 0) {
            self.errors.at(
                at,
                "leaving a labelled loop from a loop inside an `if` or a block used within an expression is not supported: bind it with `let` first (`let v = if c { loop { .. } } else { .. };`), or use an `if` statement",
            );
            return;
        }
        let existing = if cont {
            self.frames[k].cont
        } else {
            self.frames[k].brk
        };
        let flag = existing.unwrap_or_else(|| {
            let label = self.frames[k].label.clone().unwrap_or_default();
            let base = format!("{}_{label}", if cont { "continue" } else { "break" });
            let name = self.prog.names.fresh(&base, Span::call_site());
            let f = self.new_var(name, VarKind::Temp, false);
            self.prog.vars[f].slot = true;
            f
        });
        if cont {
            self.frames[k].cont = Some(flag);
        } else {
            self.frames[k].brk = Some(flag);
        }
        self.stmts.push(Stmt::Assign {
            place: Place::Var(flag),
            op: AssignOp::Set,
            expr: Expr::constant(quote!(true)),
            span: at,
        });
        self.stmts.push(Stmt::Break);
    }

    pub(super) fn lower_break(&mut self, b: &syn::ExprBreak) {
        let Some(k) = self.exit_target(&b.label, "break", b.span()) else {
            return;
        };
        if let Some(e) = &b.expr {
            let Some(slot) = self.frames[k].slot else {
                self.errors.spanned(
                    e,
                    "`break` with a value leaves a `loop` used as a value (`let r = loop { .. break v; };`)",
                );
                return;
            };
            self.assign_var(slot, e);
        }
        self.exit_to(k, false, b.span());
    }

    pub(super) fn lower_continue(&mut self, c: &syn::ExprContinue) {
        if let Some(k) = self.exit_target(&c.label, "continue", c.span()) {
            self.exit_to(k, true, c.span());
        }
    }

    pub(super) fn lower_stmt(&mut self, stmt: &syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.lower_local(local),
            syn::Stmt::Item(item) => {
                if let syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Use(_) = item {
                    self.stmts
                        .push(Stmt::Opaque(item.to_token_stream(), vec![]));
                } else {
                    self.errors.spanned(
                        item,
                        "only `const`, `use` and `fn` items may appear inside a differentiated function: move this item out",
                    );
                }
            }
            syn::Stmt::Macro(m) => self.lower_macro_stmt(&m.mac),
            syn::Stmt::Expr(e, _) => self.lower_expr_stmt(e),
        }
    }
}

/// Whether a statement holds a `return` (`.0`), and the labels of the
/// loops outside it that a `break 'l` or `continue 'l` in it leaves.
fn exits_of(stmt: &syn::Stmt) -> (bool, Vec<String>) {
    struct Exits {
        inside: Vec<Option<String>>,
        returns: bool,
        labels: Vec<String>,
    }
    impl Exits {
        fn label(&mut self, l: &Option<syn::Lifetime>) {
            if let Some(l) = l {
                let name = l.ident.to_string();
                if !self.inside.contains(&Some(name.clone())) && !self.labels.contains(&name) {
                    self.labels.push(name);
                }
            }
        }
        fn enter(&mut self, l: &Option<syn::Label>) {
            self.inside
                .push(l.as_ref().map(|l| l.name.ident.to_string()));
        }
    }
    impl<'ast> Visit<'ast> for Exits {
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.returns = true;
            syn::visit::visit_expr_return(self, r);
        }
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            self.label(&b.label);
            syn::visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, c: &'ast syn::ExprContinue) {
            self.label(&c.label);
        }
        fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
            self.enter(&e.label);
            syn::visit::visit_expr_for_loop(self, e);
            self.inside.pop();
        }
        fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
            self.enter(&e.label);
            syn::visit::visit_expr_while(self, e);
            self.inside.pop();
        }
        fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
            self.enter(&e.label);
            syn::visit::visit_expr_loop(self, e);
            self.inside.pop();
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut v = Exits {
        inside: Vec::new(),
        returns: false,
        labels: Vec::new(),
    };
    v.visit_stmt(stmt);
    (v.returns, v.labels)
}

/// Whether evaluating `e` may leave the function or a loop around it.
fn value_may_exit(e: &syn::Expr) -> bool {
    may_exit(&syn::Stmt::Expr(e.clone(), None))
}
