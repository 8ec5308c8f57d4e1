//! Statements: blocks, `let`, assignments, early exits (`return`, `break`,
//! `continue`) and the continuations they split blocks into.

use super::*;

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
                        self.lower_return(r);
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
                        "`return`, `break` and `continue` are not supported inside an `if` or a block used as a value: use an `if` statement",
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
                "`return` is not supported inside an `if` or a block used as a value: use an `if` statement",
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
                "`return` from a loop inside an `if` or a block used as a value is not supported: use an `if` statement",
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
                "leaving a labelled loop from a loop inside an `if` or a block used as a value is not supported: use an `if` statement",
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

    pub(super) fn lower_local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            return self.lower_deferred(local);
        };
        if let Some((_, diverge)) = &init.diverge {
            self.errors.spanned(
                diverge,
                "`let ... else` is not supported in differentiated functions",
            );
            return;
        }
        if let syn::Expr::Call(c) = strip_parens(&init.expr) {
            if (passes_buffer(c) || self.passes_buffer_param(c)) && self.mentions_varied(&init.expr)
            {
                return self.lower_buffer_call(c, Some(&local.pat));
            }
        }
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                let value = self.lower_expr(&init.expr);
                self.bind_value(&pi.ident, pi.mutability.is_some(), ty, value, init.expr.span());
                // `let mut v = Vec::new();` grown by `push` later: an array.
                let key = pi.ident.unraw().to_string();
                if self.push_names.contains(&key) && is_vec_constructor(&init.expr) {
                    if let Some(b) = self.lookup(&key) {
                        let v = b.var;
                        self.prog.vars[v].array = true;
                    }
                }
            }
            syn::Pat::Wild(_) => {
                self.lower_expr(&init.expr);
            }
            syn::Pat::Tuple(tp) => self.lower_tuple_let(tp, ty, &init.expr),
            syn::Pat::Slice(ps) => self.lower_slice_let(ps, &init.expr),
            other => self.errors.spanned(
                other,
                "this pattern is not supported: bind a name (`let x = ...`), a tuple of names (`let (a, b) = (..., ...)`) or an array of names (`let [a, b] = x;`)",
            ),
        }
    }

    /// `let y;` or `let y: f64;`, assigned later. Assigned in a branch or a
    /// loop, it is a slot that starts from `Default::default()` (as the
    /// value of an `if`); assigned in straight-line code, its first
    /// assignment is its `let`.
    pub(super) fn lower_deferred(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        let ident = match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => &pi.ident,
            other => {
                self.errors.spanned(
                    other,
                    "declare one name without a value (`let y;`, `let y: f64;`), or bind a pattern with its value (`let (a, b) = ...;`)",
                );
                // Its names are declared all the same: no error at each use.
                struct Names(Vec<syn::Ident>);
                impl<'ast> Visit<'ast> for Names {
                    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                        self.0.push(p.ident.clone());
                    }
                }
                let mut names = Names(Vec::new());
                names.visit_pat(other);
                for ident in names.0 {
                    let name = self.prog.names.claim(&ident.to_string(), ident.span());
                    let v = self.new_var(name, VarKind::Local, false);
                    self.deferred.insert(v, None);
                    self.bind(&ident, v, true);
                }
                return;
            }
        };
        let key = ident.unraw().to_string();
        let name = self.prog.names.claim(&ident.to_string(), ident.span());
        let v = self.new_var(name, VarKind::Local, false);
        self.prog.vars[v].mutable = true;
        if self.slot_names.contains(&key) {
            self.prog.vars[v].slot = true;
            if let Some(t) = &ty {
                self.prog.vars[v].nested = crate::parse::is_nested(t, self.reals);
                self.prog.vars[v].array = self.prog.vars[v].nested || is_array_type(t);
            }
            self.stmts.push(Stmt::Let {
                var: v,
                ty: ty.map(Box::new),
                expr: default_value(),
                span: local.span(),
            });
        } else {
            self.deferred.insert(v, ty);
        }
        self.bind(ident, v, true);
    }

    /// `let [a, b, c] = x;` (or `= *x`, or with `..` for the elements left
    /// out): one element read per name.
    pub(super) fn lower_slice_let(&mut self, ps: &syn::PatSlice, init: &syn::Expr) {
        let mut names = Vec::new();
        let mut rest = None;
        for (k, p) in ps.elems.iter().enumerate() {
            match p {
                syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    names.push(Some((pi.ident.clone(), pi.mutability.is_some())))
                }
                syn::Pat::Wild(_) => names.push(None),
                syn::Pat::Rest(_) if rest.is_none() => {
                    rest = Some(k);
                    names.push(None);
                }
                other => {
                    self.errors.spanned(
                        other,
                        "bind a plain name, `_` or one `..` in array patterns (`let [a, b, ..] = x;`)",
                    );
                    return;
                }
            }
        }
        // `*x` of a borrowed array is read by element like `x`.
        let mut source = strip_parens(init);
        if let syn::Expr::Unary(u) = source {
            if matches!(u.op, syn::UnOp::Deref(_)) {
                source = strip_parens(&u.expr);
            }
        }
        let arr = match self.lower_expr(source) {
            Operand::Var(v) => v,
            c @ Operand::Const(_) => match self.temp(Expr::Use(c), false, init.span()) {
                Operand::Var(v) => v,
                Operand::Const(_) => return,
            },
        };
        let (arr_tokens, reads) = self.operand_tokens(&Operand::Var(arr));
        let n = names.len();
        for (k, name) in names.into_iter().enumerate() {
            let Some((ident, mutable)) = name else {
                continue;
            };
            let index = match rest {
                Some(r) if k > r => {
                    let from_end = n - k;
                    Expr::Opaque(quote!(#arr_tokens.len() - #from_end), reads.clone())
                }
                _ => Expr::constant(quote!(#k)),
            };
            let varied = self.var_varied(arr);
            let elem = self.temp(Expr::Index(arr, Box::new(index)), varied, ident.span());
            // The rows of a 2-D array are arrays.
            if let Operand::Var(e) = elem {
                self.prog.vars[e].array = self.prog.vars[arr].nested;
            }
            self.bind_value(&ident, mutable, None, elem, ident.span());
        }
    }

    /// `let (a, b) = (e1, e2);` element by element; an inactive tuple value
    /// is bound once and its fields read.
    pub(super) fn lower_tuple_let(
        &mut self,
        tp: &syn::PatTuple,
        ty: Option<syn::Type>,
        init: &syn::Expr,
    ) {
        let elem_tys: Vec<Option<syn::Type>> = match &ty {
            Some(syn::Type::Tuple(tt)) => tt.elems.iter().cloned().map(Some).collect(),
            _ => vec![None; tp.elems.len()],
        };
        let mut names = Vec::new();
        for p in &tp.elems {
            match p {
                syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    names.push(Some((pi.ident.clone(), pi.mutability.is_some())))
                }
                syn::Pat::Wild(_) => names.push(None),
                other => {
                    self.errors
                        .spanned(other, "bind a plain name or `_` in tuple patterns");
                    return;
                }
            }
        }
        if let syn::Expr::Tuple(t) = strip_parens(init) {
            if t.elems.len() != names.len() {
                self.errors.spanned(
                    t,
                    "the tuple has a different number of elements than the pattern",
                );
                return;
            }
            // All values first, then the bindings: `let (a, b) = (b, a)` swaps.
            let values: Vec<(Operand, Span)> = t
                .elems
                .iter()
                .map(|e| (self.lower_expr(e), e.span()))
                .collect();
            for ((name, (value, span)), ty) in names.into_iter().zip(values).zip(elem_tys) {
                if let Some((ident, mutable)) = name {
                    self.bind_value(&ident, mutable, ty, value, span);
                }
            }
        } else if !self.mentions_varied(init) {
            let whole = self.lower_expr(init);
            let (whole_tokens, reads) = self.operand_tokens(&whole);
            let from_call = matches!(whole, Operand::Var(t) if self.call_results.contains(&t));
            for (i, (name, ty)) in names.into_iter().zip(elem_tys).enumerate() {
                if let Some((ident, mutable)) = name {
                    let index = syn::Index::from(i);
                    let field = self.temp(
                        Expr::Opaque(quote!(#whole_tokens.#index), reads.clone()),
                        false,
                        init.span(),
                    );
                    // A member of a helper's result may be an array.
                    if let (true, Operand::Var(m)) = (from_call, &field) {
                        self.call_results.insert(*m);
                    }
                    self.bind_value(&ident, mutable, ty, field, init.span());
                }
            }
        } else if matches!(
            strip_parens(init),
            syn::Expr::Call(_) | syn::Expr::MethodCall(_)
        ) {
            // A helper's tuple result (`let (a, b) = g(x);`): member by member.
            let whole = self.lower_expr(init);
            let from_call = matches!(whole, Operand::Var(t) if self.call_results.contains(&t));
            if let Operand::Var(t) = whole {
                self.prog.vars[t].arity = Some(names.len());
            }
            for (k, (name, ty)) in names.into_iter().zip(elem_tys).enumerate() {
                if let Some((ident, mutable)) = name {
                    // A copy of the member: reverse mode still reads the
                    // tuple (the shape of its adjoint).
                    let field = Expr::Field(Box::new(Expr::Use(whole.clone())), k);
                    let member = self.temp(Expr::Rule("clone", vec![field]), true, init.span());
                    if let (true, Operand::Var(m)) = (from_call, &member) {
                        // A member may be an array, read by element.
                        self.call_results.insert(*m);
                    }
                    self.bind_value(&ident, mutable, ty, member, init.span());
                }
            }
        } else {
            self.errors.spanned(
                init,
                "a tuple pattern needs a tuple expression or a call here (`let (a, b) = (x * y, x + y);`, `let (a, b) = g(x);`)",
            );
        }
    }

    pub(super) fn operand_tokens(&self, op: &Operand) -> (TokenStream, Vec<VarId>) {
        match op {
            Operand::Var(v) => (self.prog.name(*v).to_token_stream(), vec![*v]),
            Operand::Const(t) => (t.clone(), vec![]),
        }
    }

    /// Binds a user name to a value: a new variable. When the value is the
    /// temporary the last statement just computed, that statement is renamed
    /// instead of copied (`let y = x * 2.0;` stays one statement).
    pub(super) fn bind_value(
        &mut self,
        ident: &syn::Ident,
        mutable: bool,
        ty: Option<syn::Type>,
        value: Operand,
        span: Span,
    ) {
        let key = ident.unraw().to_string();
        let slot = mutable && self.slot_names.contains(&key);
        // `let h = y;` of a borrowed nalgebra parameter: another name for
        // the same borrow (a copy would be owned, and `g(h)` would not
        // pass it).
        if let Operand::Var(t) = value {
            if self.prog.matrix && !mutable && self.prog.vars[t].by_ref {
                let binding = Binding {
                    var: t,
                    mutable: false,
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.insert(key, binding);
                }
                return;
            }
        }
        let mut value = value;
        if let Operand::Var(t) = value {
            if self.prog.vars[t].array
                && self.var_varied(t)
                && self.prog.vars[t].kind != VarKind::Temp
            {
                // `let w = v;`: a copy (a move for the user; the derivative
                // code may still read `v`). A borrowed slice is only
                // borrowed again.
                if !self.prog.vars[t].borrowed {
                    value = self.array_temp(Expr::Rule("clone", vec![Expr::var(t)]), span);
                }
            }
        }
        if let Operand::Var(t) = value {
            if let Some(Stmt::Let {
                var, ty: let_ty, ..
            }) = self.stmts.last_mut()
            {
                if *var == t && self.prog.vars[t].kind == VarKind::Temp && !self.prog.vars[t].slot {
                    *let_ty = ty.map(Box::new);
                    self.prog.names.release(&self.prog.vars[t].name);
                    self.prog.vars[t].name =
                        self.prog.names.claim(&ident.to_string(), ident.span());
                    self.prog.vars[t].kind = VarKind::Local;
                    self.prog.vars[t].mutable = mutable;
                    self.prog.vars[t].slot = slot;
                    self.bind(ident, t, mutable);
                    return;
                }
            }
        }
        let varied = self.is_varied(&value);
        let array = matches!(value, Operand::Var(t) if self.prog.vars[t].array);
        let nested = matches!(value, Operand::Var(t) if self.prog.vars[t].nested);
        let name = self.prog.names.claim(&ident.to_string(), ident.span());
        let v = self.new_var(name, VarKind::Local, varied);
        self.prog.vars[v].mutable = mutable;
        self.prog.vars[v].slot = slot;
        self.prog.vars[v].array = array;
        self.prog.vars[v].nested = nested;
        self.prog.vars[v].borrowed = matches!(value, Operand::Var(t) if self.prog.vars[t].borrowed);
        self.stmts.push(Stmt::Let {
            var: v,
            ty: ty.map(Box::new),
            expr: Expr::Use(value),
            span,
        });
        self.bind(ident, v, mutable);
    }

    pub(super) fn lower_expr_stmt(&mut self, e: &syn::Expr) {
        match e {
            syn::Expr::Assign(a) => self.lower_assign(&a.left, None, &a.right),
            syn::Expr::Binary(b) if is_compound_assign(&b.op) => {
                let op = match b.op {
                    syn::BinOp::AddAssign(_) => Some(BinOp::Add),
                    syn::BinOp::SubAssign(_) => Some(BinOp::Sub),
                    syn::BinOp::MulAssign(_) => Some(BinOp::Mul),
                    syn::BinOp::DivAssign(_) => Some(BinOp::Div),
                    _ => None,
                };
                match op {
                    Some(op) => self.lower_assign(&b.left, Some((op, b.op.span())), &b.right),
                    None => self.errors.spanned(
                        b.op,
                        "only `+=`, `-=`, `*=` and `/=` are supported as compound assignments",
                    ),
                }
            }
            syn::Expr::Macro(m) => self.lower_macro_stmt(&m.mac),
            syn::Expr::Call(c)
                if (passes_buffer(c) || self.passes_buffer_param(c)) && self.mentions_varied(e) =>
            {
                self.lower_buffer_call(c, None)
            }
            syn::Expr::MethodCall(mc) if self.mentions_varied(e) && self.lower_slice_fill(mc) => {}
            syn::Expr::MethodCall(mc) if self.mentions_varied(e) && self.lower_push(mc) => {}
            syn::Expr::If(i) => self.lower_if_stmt(i, None),
            syn::Expr::Match(m) => self.lower_match(m, None, None),
            syn::Expr::ForLoop(f) => self.lower_for(f),
            syn::Expr::While(w) => self.lower_while(w),
            syn::Expr::Loop(l) => self.lower_loop(l),
            syn::Expr::Block(b) if b.label.is_none() => {
                let block = self.nested(|lw| lw.lower_stmts(&b.block.stmts, None));
                self.stmts.extend(block);
            }
            _ => self.lower_effect(e),
        }
    }

    /// `g(a, &mut b);` (or `let s = g(a, &mut b);`) with active values: through
    /// `g`'s value form (`buffers.rs`), `b = __ad_value_g(a, b);`.
    pub(super) fn lower_buffer_call(&mut self, c: &syn::ExprCall, pat: Option<&syn::Pat>) {
        let syn::Expr::Path(p) = strip_parens(&c.func) else {
            self.errors.spanned(
                &c.func,
                "a buffer can be passed to a differentiated function called by its path (`g(x, &mut b)`)",
            );
            return;
        };
        let mut path = p.path.clone();
        if let Some(last) = path.segments.last_mut() {
            last.ident = crate::buffers::value_name(&last.ident);
        }
        let mut args: Vec<syn::Expr> = Vec::new();
        let mut buffers: Vec<syn::Expr> = Vec::new();
        for a in &c.args {
            // The function's own buffer passed on (`g(x, dydt)`).
            if let Some(b) = self.buffer_param(a) {
                buffers.push(b.clone());
                args.push(syn::parse_quote!(#b.to_vec()));
                continue;
            }
            match strip_parens(a) {
                syn::Expr::Reference(r) if r.mutability.is_some() => {
                    // An array, or a range of one (`&mut d[a..b]`).
                    let (base, range) = match strip_parens(&r.expr) {
                        syn::Expr::Index(ix) => match strip_parens(&ix.index) {
                            syn::Expr::Range(range) => (&*ix.expr, Some(range)),
                            _ => (&*r.expr, None),
                        },
                        other => (other, None),
                    };
                    let array = match strip_parens(base) {
                        syn::Expr::Path(b) => self
                            .local_of(b)
                            .filter(|v| self.prog.vars[*v].array && !self.prog.vars[*v].borrowed),
                        _ => None,
                    };
                    if array.is_none() {
                        self.errors.spanned(
                            r,
                            "pass an array or a range of one as a buffer to a differentiated \
                             function (`g(x, &mut d)`, `g(x, &mut d[a..b])` for a `Vec<f64>`, \
                             an `[f64; N]` or a `&mut [f64]` parameter `d`)",
                        );
                        return;
                    }
                    // The range as `d[a..b]` or `d[a..]`: its contents go in,
                    // and the final contents are copied back into it.
                    let place: syn::Expr = match range {
                        None => base.clone(),
                        Some(range) => {
                            let start = range
                                .start
                                .as_deref()
                                .map_or_else(|| syn::parse_quote!(0), |s| s.clone());
                            match (&range.end, &range.limits) {
                                (Some(e), syn::RangeLimits::Closed(_)) => {
                                    syn::parse_quote!(#base[(#start)..(#e) + 1])
                                }
                                (Some(e), _) => syn::parse_quote!(#base[(#start)..(#e)]),
                                (None, _) => syn::parse_quote!(#base[(#start)..]),
                            }
                        }
                    };
                    args.push(syn::parse_quote!(#place.to_vec()));
                    buffers.push(place);
                }
                a => args.push(a.clone()),
            }
        }
        // The final contents come back by value and are copied into the
        // buffers (whatever they are: `Vec`, array, `&mut [f64]`).
        let call: syn::Expr = syn::parse_quote!(#path(#(#args),*));
        let temps: Vec<syn::Ident> = (0..buffers.len())
            .map(|k| quote::format_ident!("__ad_buffer_{}", k))
            .collect();
        let values: syn::Stmt = match (pat, temps.as_slice()) {
            (None, [t]) => syn::parse_quote!(let #t = #call;),
            (None, ts) => syn::parse_quote!(let (#(#ts),*) = #call;),
            (Some(pat), ts) => syn::parse_quote!(let (#pat, #(#ts),*) = #call;),
        };
        self.lower_stmt(&values);
        for (b, t) in buffers.iter().zip(&temps) {
            if self.nested_var(b, false).is_some() {
                // A 2-D buffer, row by row.
                let r = quote::format_ident!("__ad_r");
                self.lower_stmt(&syn::parse_quote! {
                    for #r in 0..#t.len() {
                        #b[#r].copy_from_slice(&#t[#r]);
                    }
                });
            } else {
                self.lower_stmt(&syn::parse_quote!(#b.copy_from_slice(&#t);));
            }
        }
    }

    /// `a`, if it names an in/out buffer parameter of the function (passed
    /// on to a call without `&mut`).
    fn buffer_param<'a>(&self, a: &'a syn::Expr) -> Option<&'a syn::Expr> {
        let syn::Expr::Path(p) = strip_parens(a) else {
            return None;
        };
        let v = self.local_of(p)?;
        self.prog.outputs.contains(&v).then_some(a)
    }

    /// Whether a call passes on one of the function's buffers.
    fn passes_buffer_param(&self, c: &syn::ExprCall) -> bool {
        c.args.iter().any(|a| self.buffer_param(a).is_some())
    }

    /// `y.copy_from_slice(&x)`, `y[a..b].copy_from_slice(&x[c..])`,
    /// `y.fill(v)` on active values, as the loops they stand for:
    /// `for i in 0..n { y[a + i] = x[c + i]; }`. Returns whether `mc` was one.
    pub(super) fn lower_slice_fill(&mut self, mc: &syn::ExprMethodCall) -> bool {
        let name = mc.method.to_string();
        if !matches!(name.as_str(), "copy_from_slice" | "fill") || mc.args.len() != 1 {
            return false;
        }
        // The destination: an array, or a range of one.
        let (dest, start, end) = match strip_parens(&mc.receiver) {
            // A row `m[r]` of a 2-D array: whole.
            row if self.is_row(row) => (row, syn::parse_quote!(0), None),
            syn::Expr::Index(ix) => match strip_parens(&ix.index) {
                syn::Expr::Range(r) if matches!(r.limits, syn::RangeLimits::HalfOpen(_)) => {
                    let start = r
                        .start
                        .as_ref()
                        .map_or_else(|| syn::parse_quote!(0), |s| (**s).clone());
                    (&*ix.expr, start, r.end.as_deref().cloned())
                }
                _ => return false,
            },
            other => (other, syn::parse_quote!(0), None),
        };
        // A flat array, or a row `m[r]` of a 2-D array.
        let is_array = matches!(strip_parens(dest), syn::Expr::Path(p)
            if self.local_of(p).is_some_and(|v| self.prog.vars[v].array && !self.prog.vars[v].nested));
        if !is_array && !self.is_row(dest) {
            if self.nested_var(dest, false).is_some() {
                self.errors.spanned(
                    &mc.method,
                    format_args!(
                        "`{name}` on a whole 2-D array is not supported: `{name}` its rows \
                         (`m[r].{name}(..)`), or assign a copy (`m = a.clone();`)"
                    ),
                );
                return true;
            }
            return false;
        }
        let end: syn::Expr = end.unwrap_or_else(|| syn::parse_quote!(#dest.len()));
        let i = quote::format_ident!("__ad_i");
        let value: syn::Expr = if name == "fill" {
            mc.args[0].clone()
        } else {
            // The source: a borrow of an array or of a range of one.
            let src = match strip_parens(&mc.args[0]) {
                syn::Expr::Reference(r) => &*r.expr,
                other => other,
            };
            match strip_parens(src) {
                syn::Expr::Index(ix) => match strip_parens(&ix.index) {
                    syn::Expr::Range(r) if matches!(r.limits, syn::RangeLimits::HalfOpen(_)) => {
                        let base = &ix.expr;
                        let from: syn::Expr = r
                            .start
                            .as_ref()
                            .map_or_else(|| syn::parse_quote!(0), |s| (**s).clone());
                        syn::parse_quote!(#base[(#from) + #i])
                    }
                    // A row of a 2-D array.
                    _ => syn::parse_quote!(#src[#i]),
                },
                other => syn::parse_quote!(#other[#i]),
            }
        };
        let stmt: syn::Stmt = syn::parse_quote! {
            for #i in 0..(#end) - (#start) {
                #dest[(#start) + #i] = #value;
            }
        };
        self.lower_stmt(&stmt);
        true
    }

    /// `v.push(e)` on a local `Vec` (or a `Vec` parameter taken by value)
    /// that is active or receives an active value: a [`Stmt::Push`] (its
    /// tangent is pushed onto the tangent, its cotangent popped off the
    /// adjoint in the reverse sweep). `v.extend_from_slice(&x[a..b])` (or
    /// `&x`) is the loop of pushes it stands for. Returns whether `mc` was
    /// one of them.
    pub(super) fn lower_push(&mut self, mc: &syn::ExprMethodCall) -> bool {
        let name = mc.method.to_string();
        if !matches!(name.as_str(), "push" | "extend_from_slice") || mc.args.len() != 1 {
            return false;
        }
        let syn::Expr::Path(p) = strip_parens(&mc.receiver) else {
            return false;
        };
        let Some(v) = self.local_of(p) else {
            return false;
        };
        if self.prog.outputs.contains(&v) {
            self.errors.spanned(
                &mc.method,
                format_args!(
                    "`{name}` on an in/out buffer parameter is not supported: a buffer keeps \
                     its length; build the values in a local `Vec` \
                     (`let mut v = Vec::new(); v.push(..);`) and return it"
                ),
            );
            return true;
        }
        if name == "extend_from_slice" {
            // The source: a borrow of an array or of a range of one.
            let src = match strip_parens(&mc.args[0]) {
                syn::Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                _ => return false,
            };
            let (base, range): (&syn::Expr, syn::Expr) = match strip_parens(src) {
                syn::Expr::Index(ix) => match strip_parens(&ix.index) {
                    syn::Expr::Range(r) => {
                        let base = &*ix.expr;
                        let start = r
                            .start
                            .as_deref()
                            .map_or_else(|| syn::parse_quote!(0), |s| s.clone());
                        let range = match (&r.end, &r.limits) {
                            (Some(e), syn::RangeLimits::Closed(_)) => {
                                syn::parse_quote!((#start)..=(#e))
                            }
                            (Some(e), _) => syn::parse_quote!((#start)..(#e)),
                            (None, _) => syn::parse_quote!((#start)..#base.len()),
                        };
                        (base, range)
                    }
                    _ => return false,
                },
                other => (other, syn::parse_quote!(0..#other.len())),
            };
            let is_array = matches!(strip_parens(base), syn::Expr::Path(b)
                if self.local_of(b).is_some_and(|a| self.prog.vars[a].array));
            if !is_array {
                return false;
            }
            let i = quote::format_ident!("__ad_i");
            let recv = &mc.receiver;
            let stmt: syn::Stmt = syn::parse_quote! {
                for #i in #range {
                    #recv.push(#base[#i]);
                }
            };
            self.lower_stmt(&stmt);
            return true;
        }
        // A helper's result grown by `push` is an array too.
        self.prog.vars[v].array = true;
        let value = self.lower_expr(&mc.args[0]);
        if self.is_varied(&value) {
            self.mark_varied(v);
        }
        self.stmts.push(Stmt::Push {
            stack: v,
            value: Expr::Use(value),
        });
        true
    }

    /// An expression statement kept for its effect.
    pub(super) fn lower_effect(&mut self, e: &syn::Expr) {
        if self.mentions_varied(e) {
            // Evaluate it (errors included); its value is not used.
            self.lower_expr(e);
        } else if let Some((tokens, reads)) = self.opaque_tokens(e) {
            self.stmts.push(Stmt::Opaque(quote!(#tokens;), reads));
        }
    }

    /// `x = e`, `x op= e`, `a[i] = e`, `a[i] op= e`.
    /// `(a, b) = (b, a * x + b);` (or `= g(x)`, a helper's tuple result):
    /// every value first, then the assignments, as
    /// `let (t0, t1) = (b, a * x + b); a = t0; b = t1;`.
    fn lower_tuple_assign(&mut self, left: &syn::ExprTuple, right: &syn::Expr) {
        if let syn::Expr::Tuple(rt) = strip_parens(right) {
            if rt.elems.len() != left.elems.len() {
                self.errors.spanned(
                    rt,
                    "the tuple has a different number of elements than the assigned places",
                );
                return;
            }
        }
        let temps: Vec<syn::Ident> = (0..left.elems.len())
            .map(|k| quote::format_ident!("__ad_tuple_{}", k))
            .collect();
        let values: syn::Stmt = syn::parse_quote!(let (#(#temps,)*) = #right;);
        self.lower_stmt(&values);
        for (place, t) in left.elems.iter().zip(&temps) {
            if matches!(strip_parens(place), syn::Expr::Infer(_)) {
                continue;
            }
            self.lower_assign(place, None, &syn::parse_quote!(#t));
        }
    }

    /// `u = un;` (or `un.clone()`, or a helper's result) for an array `u`:
    /// a new version in straight-line code, overwritten in place in loops
    /// and branches (its old value saved for reverse mode like a scalar's).
    fn lower_array_assign(
        &mut self,
        old: VarId,
        left: &syn::Expr,
        op: Option<(BinOp, Span)>,
        right: &syn::Expr,
        span: Span,
    ) {
        if op.is_some() || self.prog.vars[old].borrowed {
            self.errors.spanned(
                left,
                "assign a whole array with `=` (`u = un;`), or write its elements (`a[i] += ...`)",
            );
            return;
        }
        let rhs = self.lower_expr(right);
        if self.prog.vars[old].slot {
            // A copy (`u = un;`, `u = un.clone();`, a helper's result): the
            // derivative code may still read the value it copies.
            let expr = match self.fold_last_temp(Expr::Use(rhs.clone())) {
                Expr::Use(Operand::Var(t)) => Expr::Rule("clone", vec![Expr::var(t)]),
                folded => folded,
            };
            if self.is_varied_expr(&expr) {
                self.mark_varied(old);
            }
            self.stmts.push(Stmt::Assign {
                place: Place::Var(old),
                op: AssignOp::Set,
                expr,
                span,
            });
            return;
        }
        let mut rhs = rhs;
        if let Operand::Var(t) = rhs {
            // Another array variable: a copy; a temporary (a helper's
            // result, a copy) is renamed.
            if self.prog.vars[t].kind != VarKind::Temp && self.var_varied(t) {
                rhs = self.array_temp(Expr::Rule("clone", vec![Expr::var(t)]), span);
            }
            if self.prog.vars[t].kind == VarKind::Temp {
                self.prog.vars[t].array = true;
                self.prog.vars[t].nested |= self.prog.vars[old].nested;
            }
        }
        // Straight-line code: a new version, bound like a `let`.
        let syn::Expr::Path(p) = strip_parens(left) else {
            return;
        };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let ident = ident.clone();
        self.bind_value(&ident, true, None, rhs, span);
    }

    pub(super) fn lower_assign(
        &mut self,
        left: &syn::Expr,
        op: Option<(BinOp, Span)>,
        right: &syn::Expr,
    ) {
        let span = op.map_or_else(|| right.span(), |(_, s)| s);
        match strip_parens(left) {
            syn::Expr::Index(ix) => return self.lower_element_assign(ix, op, right, span),
            syn::Expr::Tuple(lt) if op.is_none() => return self.lower_tuple_assign(lt, right),
            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {}
            _ => {
                self.errors.spanned(
                    left,
                    "only local variables and array elements (`a[i]`) can be assigned in a differentiated function",
                );
                return;
            }
        }
        let syn::Expr::Path(p) = strip_parens(left) else {
            return;
        };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let Some((old, mutable)) = self
            .lookup(&ident.unraw().to_string())
            .map(|b| (b.var, b.mutable))
        else {
            self.errors.spanned(
                left,
                format_args!("`{ident}` is not a local variable of this function"),
            );
            return;
        };
        if !mutable {
            // rustc would report it on the original function; say it once here too.
            self.errors.spanned(
                left,
                format_args!("cannot assign twice to immutable variable `{ident}`: declare it `let mut {ident}`"),
            );
            return;
        }
        // (A nalgebra value written by element is an array too, but `h -=
        // &e` on it is arithmetic, as on any nalgebra value.)
        if self.prog.vars[old].array && !(self.prog.matrix && op.is_some()) {
            return self.lower_array_assign(old, left, op, right, span);
        }
        if self.prog.vars[old].slot {
            // Overwritten in place.
            let rhs = match op {
                None => self.lower_expr(right),
                Some(_) => self.lower_operand(right),
            };
            let varied = self.var_varied(old) || self.is_varied(&rhs);
            // `u += u` on a value that may be a nalgebra one is `u = u + u`:
            // `u += &u` would borrow `u` while it is changed.
            let itself = self.prog.matrix && matches!(rhs, Operand::Var(v) if v == old);
            let (op, expr) = match op {
                None => (AssignOp::Set, Expr::Use(rhs)),
                Some((op, _)) if itself => (
                    AssignOp::Set,
                    Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                ),
                Some((BinOp::Add, _)) => (AssignOp::Add, Expr::Use(rhs)),
                Some((BinOp::Sub, _)) => (AssignOp::Sub, Expr::Use(rhs)),
                Some((op, _)) => (
                    AssignOp::Set,
                    Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                ),
            };
            let expr = if op == AssignOp::Set {
                self.fold_last_temp(expr)
            } else {
                expr
            };
            if varied && self.is_varied_expr(&expr) {
                self.mark_varied(old);
            }
            self.stmts.push(Stmt::Assign {
                place: Place::Var(old),
                op,
                expr,
                span,
            });
            return;
        }
        // Straight-line code: a new version (the first one of `let y;`
        // takes its declared type).
        let ty = self.deferred.remove(&old).flatten();
        let value = match op {
            None => self.lower_expr(right),
            Some((op, span)) => {
                let rhs = self.lower_operand(right);
                let varied = self.var_varied(old) || self.is_varied(&rhs);
                if varied {
                    self.temp(
                        Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                        true,
                        span,
                    )
                } else {
                    let l = self.prog.name(old).clone();
                    let (r, mut reads) = self.operand_tokens(&rhs);
                    reads.push(old);
                    let o = bin_tokens(op);
                    self.temp(Expr::Opaque(quote!(#l #o #r), reads), false, span)
                }
            }
        };
        self.bind_value(ident, true, ty, value, right.span());
    }

    pub(super) fn is_varied_expr(&self, e: &Expr) -> bool {
        let mut any = false;
        if let Expr::Opaque(..) = e {
            return false;
        }
        e.for_each_var(&mut |v| any |= self.var_varied(v));
        any
    }

    /// `Use(t)` of the temporary the last statement computed: that statement's
    /// expression instead (so `s = a * b` is one statement, not two).
    pub(super) fn fold_last_temp(&mut self, expr: Expr) -> Expr {
        if let Some(t) = expr.as_var() {
            if let Some(Stmt::Let { var, expr: e, .. }) = self.stmts.last() {
                // A call stays a `let`: its derivatives come as a pair.
                let call = matches!(e, Expr::Call2 { .. });
                if *var == t
                    && self.prog.vars[t].kind == VarKind::Temp
                    && !self.prog.vars[t].slot
                    && !call
                {
                    let e = e.clone();
                    self.stmts.pop();
                    return e;
                }
            }
        }
        expr
    }

    pub(super) fn lower_element_assign(
        &mut self,
        ix: &syn::ExprIndex,
        op: Option<(BinOp, Span)>,
        right: &syn::Expr,
        span: Span,
    ) {
        // `m[r][c] = ..` of a 2-D array.
        if let Some((arr, index)) = self.nested_element(ix) {
            return self.lower_element_write(arr, index, op, right, span);
        }
        if self.nested_var(&ix.expr, false).is_some() {
            return self.row_write_error(ix);
        }
        // With nalgebra values, a `let mut` local written by element is a
        // vector or matrix used as an array from here on.
        let matrix = self.prog.matrix;
        let arr = match strip_parens(&ix.expr) {
            syn::Expr::Path(p) => self.local_of(p).filter(|v| {
                let var = &self.prog.vars[*v];
                var.array || (matrix && var.mutable && !matches!(var.kind, VarKind::Param(_)))
            }),
            _ => None,
        };
        let Some(arr) = arr else {
            self.errors.spanned(
                &ix.expr,
                "element writes are supported on local arrays and 2-D arrays, `let mut` \
                 nalgebra locals and `&mut [f64]` parameters (`a[i] = ...`, `m[r][c] = ...`)",
            );
            return;
        };
        self.prog.vars[arr].array = true;
        let index = self.lower_index(&ix.index);
        self.lower_element_write(arr, index, op, right, span);
    }

    /// `a[i] = e`, `a[i] op= e` (`a[r][c]` for a 2-D array): the index
    /// lowered, the value not yet.
    fn lower_element_write(
        &mut self,
        arr: VarId,
        index: Expr,
        op: Option<(BinOp, Span)>,
        right: &syn::Expr,
        span: Span,
    ) {
        let rhs = self.lower_expr(right);
        let place = Place::Index(arr, index);
        let (op, expr) = match op {
            None => (AssignOp::Set, Expr::Use(rhs)),
            Some((BinOp::Add, _)) => (AssignOp::Add, Expr::Use(rhs)),
            Some((BinOp::Sub, _)) => (AssignOp::Sub, Expr::Use(rhs)),
            Some((op, span)) => {
                let old = self.temp(place.read(), self.var_varied(arr), span);
                (
                    AssignOp::Set,
                    Expr::Bin(op, Box::new(Expr::Use(old)), Box::new(Expr::Use(rhs))),
                )
            }
        };
        // `a[i] += f(x)` keeps `f(x)` in a temporary: its rule needs its own
        // output, not the element's.
        let expr = if op == AssignOp::Set {
            self.fold_last_temp(expr)
        } else {
            expr
        };
        if self.is_varied_expr(&expr) {
            self.mark_varied(arr);
        }
        self.stmts.push(Stmt::Assign {
            place,
            op,
            expr,
            span,
        });
    }

    /// An index: inactive by construction (a field of a struct read in one,
    /// `x[p.n % 4]`, is a configuration count).
    pub(super) fn lower_index(&mut self, e: &syn::Expr) -> Expr {
        if self.mentions_varied_beyond_fields(e) {
            self.errors
                .spanned(e, "an index cannot depend on active values");
            return Expr::constant(quote!(0));
        }
        Expr::Use(self.opaque(e))
    }

    /// `x = value` for a slot, lowering `value`. An array variable is
    /// copied (`ret = clone(&o)` for `return o;`): the derivative code still
    /// reads it afterwards.
    pub(super) fn assign_var(&mut self, slot: VarId, value: &syn::Expr) {
        let expr = match self.lower_expr(value) {
            Operand::Var(v)
                if self.prog.vars[v].array
                    && self.prog.vars[v].kind != VarKind::Temp
                    && self.var_varied(v) =>
            {
                Expr::Rule("clone", vec![Expr::var(v)])
            }
            rhs => self.fold_last_temp(Expr::Use(rhs)),
        };
        if self.is_varied_expr(&expr) {
            self.mark_varied(slot);
        }
        self.stmts.push(Stmt::Assign {
            place: Place::Var(slot),
            op: AssignOp::Set,
            expr,
            span: value.span(),
        });
    }

    // ----- control flow ----------------------------------------------------
}

/// `Vec::new()`, `Vec::with_capacity(n)` (or `Vec::<f64>::new()`).
fn is_vec_constructor(e: &syn::Expr) -> bool {
    let syn::Expr::Call(c) = strip_parens(e) else {
        return false;
    };
    let syn::Expr::Path(p) = strip_parens(&c.func) else {
        return false;
    };
    let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    matches!(segs.as_slice(), [.., owner, f]
        if owner.ident == "Vec" && (f.ident == "new" || f.ident == "with_capacity"))
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

/// `[T; N]`, `Vec<T>`, `&[T]`: a declared array (of a deferred `let`).
fn is_array_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Array(_) | syn::Type::Slice(_) => true,
        syn::Type::Reference(r) => is_array_type(&r.elem),
        syn::Type::Paren(p) => is_array_type(&p.elem),
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Vec"),
        _ => false,
    }
}

/// Whether a call passes a `&mut` argument (a buffer).
fn passes_buffer(c: &syn::ExprCall) -> bool {
    c.args
        .iter()
        .any(|a| matches!(strip_parens(a), syn::Expr::Reference(r) if r.mutability.is_some()))
}
