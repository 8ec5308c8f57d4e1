//! Control flow: conditions, `if` and `match` (as statements and as
//! values), and loops.

use super::*;

impl Lowerer<'_> {
    /// A condition: a `bool`, never active.
    pub(super) fn lower_condition(&mut self, e: &syn::Expr) -> Expr {
        if let syn::Expr::Let(l) = strip_parens(e) {
            self.errors.spanned(
                l,
                "this `let` pattern is not supported here: `while let` takes `Some(v)` (`while let Some(v) = opt`), for another pattern write `loop { match value { pattern => { .. } _ => break } }`; a computed value tested by `if let` inside a condition is bound to a name first (`let o = ..;`, then `if let Some(v) = o`)",
            );
            return Expr::constant(quote!(false));
        }
        match self.opaque_tokens(e) {
            Some((tokens, reads)) => {
                Expr::Use(self.temp(Expr::Opaque(tokens, reads), false, e.span()))
            }
            None => Expr::constant(quote!(false)),
        }
    }

    /// `if` as a statement; with `k`, the rest of the block goes to the
    /// branches that fall through.
    pub(super) fn lower_if_stmt(&mut self, i: &syn::ExprIf, k: Option<&Cont>) {
        let cond = self.lower_condition(&i.cond);
        let then = self.nested(|lw| lw.lower_stmts(&i.then_branch.stmts, k));
        let els = match &i.else_branch {
            None => match k {
                Some(k) => self.nested(|lw| lw.lower_cont(k)),
                None => vec![],
            },
            Some((_, e)) => match strip_parens(e) {
                syn::Expr::If(inner) => self.nested(|lw| lw.lower_if_stmt(inner, k)),
                syn::Expr::Block(b) => self.nested(|lw| lw.lower_stmts(&b.block.stmts, k)),
                other => {
                    self.unsupported(other);
                    vec![]
                }
            },
        };
        self.stmts.push(Stmt::If { cond, then, els });
    }

    /// `if` as a value: a slot assigned in each branch.
    pub(super) fn lower_if_value(&mut self, i: &syn::ExprIf) -> Operand {
        let slot = self.result_slot();
        let cond = self.lower_condition(&i.cond);
        self.in_value += 1;
        let then = self.nested(|lw| lw.lower_value_block(&i.then_branch, slot));
        let els = match &i.else_branch {
            None => {
                self.errors
                    .spanned(i, "an `if` used as a value needs an `else`");
                vec![]
            }
            Some((_, e)) => self.nested(|lw| lw.assign_var(slot, e)),
        };
        self.in_value -= 1;
        self.stmts.push(Stmt::If { cond, then, els });
        Operand::Var(slot)
    }

    /// The statements of a block, then its tail assigned to `slot`.
    pub(super) fn lower_value_block(&mut self, block: &syn::Block, slot: VarId) {
        match block.stmts.split_last() {
            Some((syn::Stmt::Expr(tail, None), body)) => {
                self.lower_stmts(body, None);
                self.assign_var(slot, tail);
            }
            _ => self.errors.at(
                block.brace_token.span.close(),
                "this block must end with its value (an expression without `;`)",
            ),
        }
    }

    /// `match` on an inactive value: a chain of `if matches!(..)`; as a value
    /// when `slot` is given.
    pub(super) fn lower_match(
        &mut self,
        m: &syn::ExprMatch,
        slot: Option<VarId>,
        k: Option<&Cont>,
    ) {
        let active = self.mentions_varied_beyond_fields(&m.expr);
        // On an inactive parameter (`match w { Some(w) => .., None => .. }`
        // of `w: Option<&[f64]>`, `match m { Mode::Scale(k) => .. }`), a
        // pattern may bind parts of the value: plain Rust, bound in the arm
        // (see `lower_arms`). (Not elsewhere: a payload the reverse sweep
        // reads is declared before the branch, and a reference has no
        // `Default` to declare it with.)
        let parts = !active
            && matches!(strip_parens(&m.expr), syn::Expr::Path(p)
            if self.local_of(p).is_some_and(|v| {
                let var = &self.prog.vars[v];
                matches!(var.kind, VarKind::Param(_))
                    && !var.mutable
                    && (var.copy_ref || var.owned)
            }));
        // Otherwise a pattern may bind the whole value (`v`, `v if v >
        // 0.0`), nothing inside it.
        for arm in m.arms.iter().filter(|_| !parts) {
            // `v`, or `v @ 0.0..=1.0` (whose sub-pattern binds nothing).
            let pat = match &arm.pat {
                syn::Pat::Ident(p) if p.by_ref.is_none() && !binds(&p.ident) => continue,
                syn::Pat::Ident(p) if p.by_ref.is_none() => match &p.subpat {
                    Some((_, sub)) => &**sub,
                    None => continue,
                },
                pat => pat,
            };
            let mut finder = Bindings::all();
            finder.visit_pat(pat);
            if let Some(b) = finder.found {
                // A local (`let mut best: Option<f64> = None;`), not a
                // parameter: say so, and what to keep instead.
                let local = match strip_parens(&m.expr) {
                    syn::Expr::Path(p) => self.local_of(p).and_then(|v| {
                        let var = &self.prog.vars[v];
                        (!matches!(var.kind, VarKind::Param(_))).then(|| quote!(#p).to_string())
                    }),
                    _ => None,
                };
                let message = match (active, local) {
                    (true, _) => "a `match` pattern on an active value may bind the whole value (`v => ..`, `v if v > 0.0 => ..`, `v @ 0.0..=1.0 => ..`), not parts of it: match literals, ranges, `|` and `_`, or bind the parts with `let` in the arm".to_owned(),
                    (false, Some(name)) => format!("a `match` pattern may bind parts of an inactive parameter matched by its name, not of a local: `{name}` is a local; an `Option` (or another enum) of numbers is not differentiated: keep the number itself with a sentinel (`let mut best = f64::INFINITY;` .. `best = best.min(d);`, or a `bool` flag beside it), or match on the value as a parameter of a differentiated helper function"),
                    (false, None) => "a `match` pattern may bind parts of an inactive parameter matched by its name (`match w { Some(v) => .., None => .. }`), not of other values: match on the value as a parameter of a differentiated helper function, or compare it (`if w.is_empty() { .. } else { .. w[0] .. }`)".to_owned(),
                };
                self.errors.spanned(b, message);
                return;
            }
        }
        // The value is computed once. On an active value the arms' tests
        // are the branch decisions (constants of the derivative, as an
        // `if`'s condition), and a binding is the value itself.
        let scrutinee = if active {
            // Held in a local of its own (`matched`, a name the body cannot
            // see): the arms' tests and bindings read it, and the reverse
            // sweep reaches the expression through it.
            let span = m.expr.span();
            let value = self.lower_expr(&m.expr);
            let value = self.member_value(value, span);
            let ident = syn::Ident::new("matched", span);
            let hidden = self.scopes.last().and_then(|s| s.get("matched")).cloned();
            self.bind_value(&ident, false, None, value, span);
            let Some(var) = self.lookup("matched").map(|b| b.var) else {
                return;
            };
            if let Some(scope) = self.scopes.last_mut() {
                match hidden {
                    Some(b) => scope.insert("matched".to_string(), b),
                    None => scope.remove("matched"),
                };
            }
            Operand::Var(var)
        } else if parts {
            self.opaque(&m.expr)
        } else {
            match self.opaque_tokens(&m.expr) {
                Some((tokens, reads)) => {
                    self.temp(Expr::Opaque(tokens, reads), false, m.expr.span())
                }
                None => return,
            }
        };
        let (s_tokens, s_reads) = self.operand_tokens(&scrutinee);
        self.lower_arms(&m.arms, &scrutinee, &s_tokens, &s_reads, slot, k);
    }

    pub(super) fn lower_arms(
        &mut self,
        arms: &[syn::Arm],
        value: &Operand,
        scrutinee: &TokenStream,
        reads: &[VarId],
        slot: Option<VarId>,
        k: Option<&Cont>,
    ) {
        let Some((arm, rest)) = arms.split_first() else {
            // No arm matched: unreachable for an exhaustive match.
            self.stmts.push(Stmt::Opaque(
                quote!(::core::unreachable!("no arm of the match applies");),
                vec![],
            ));
            return;
        };
        let pat = &arm.pat;
        // (`None`, `FAST`: constants, not bindings.)
        let binding = match pat {
            syn::Pat::Ident(p) if binds(&p.ident) => {
                Some((p.ident.clone(), p.mutability.is_some()))
            }
            _ => None,
        };
        let whole = matches!(pat, syn::Pat::Ident(p) if p.subpat.is_none() && binds(&p.ident));
        let catch_all = (matches!(pat, syn::Pat::Wild(_)) || whole) && arm.guard.is_none();
        // The names bound inside the pattern (`Some(w)`, `Mode::Scale(k)`).
        let parts = match pat {
            syn::Pat::Ident(p) if p.subpat.is_none() => Vec::new(),
            syn::Pat::Ident(p) if binding.is_some() => {
                let mut names = Bindings::all();
                names.visit_pat(p.subpat.as_ref().map_or(pat, |(_, sub)| &**sub));
                names.names
            }
            _ => {
                let mut names = Bindings::all();
                names.visit_pat(pat);
                names.names
            }
        };
        let body = |lw: &mut Self| {
            // `v => ..`: the body's `v` is the value.
            if let Some((ident, mutable)) = &binding {
                lw.bind_value(ident, *mutable, None, value.clone(), pat.span());
            }
            for (ident, mutable) in &parts {
                lw.bind_part(value, scrutinee, reads, pat, ident, *mutable);
            }
            match slot {
                Some(slot) => lw.assign_var(slot, &arm.body),
                None => {
                    let stmt = syn::Stmt::Expr((*arm.body).clone(), Some(Default::default()));
                    lw.lower_stmts(std::slice::from_ref(&stmt), k);
                }
            }
        };
        if catch_all {
            let block = self.nested(body);
            self.stmts.extend(block);
            return;
        }
        let guard = arm.guard.as_ref().map(|(i, g)| quote!(#i #g));
        // The guard reads the pattern's bindings, not the locals they
        // shadow (whose versions are not what it tests, and which would make
        // the test, and the later arms' bindings, depend on them).
        let mut test_reads = reads.to_vec();
        let guard_tokens = match &arm.guard {
            Some((_, g)) => match self.opaque_tokens_within(g, pat_names(pat)) {
                Some((t, r)) => {
                    test_reads.extend(r);
                    let i = &arm.guard.as_ref().map(|(i, _)| *i);
                    Some(quote!(#i #t))
                }
                None => guard,
            },
            None => None,
        };
        // Without a guard, the names bound are left out of the test (`Some(_)`):
        // it moves nothing out of the value.
        let test = match (&arm.guard, parts.is_empty()) {
            (None, false) => {
                let mut p = pat.clone();
                Unbind.visit_pat_mut(&mut p);
                p.to_token_stream()
            }
            _ => pat.to_token_stream(),
        };
        // `matches!`'s `$p:pat` takes no leading `..=` (`..=100.0`, `..=0 | 7`):
        // such a pattern goes in parentheses.
        let test = match test.clone().into_iter().next() {
            Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '.' => {
                quote!((#test))
            }
            _ => test,
        };
        let cond = self.temp(
            Expr::Opaque(
                quote!(::core::matches!(#scrutinee, #test #guard_tokens)),
                test_reads,
            ),
            false,
            arm.pat.span(),
        );
        let then = self.nested(body);
        let els = self.nested(|lw| lw.lower_arms(rest, value, scrutinee, reads, slot, k));
        self.stmts.push(Stmt::If {
            cond: Expr::Use(cond),
            then,
            els,
        });
    }

    /// A name `ident` the pattern `pat` binds inside the inactive value
    /// `scrutinee`: `let ident = scrutinee.unwrap();` for `Some(ident)`,
    /// `let ident = match scrutinee { pat => ident, _ => unreachable!() };`
    /// otherwise. The payload of an `Option<&T>` or `&T` parameter is bound
    /// again where the reverse sweep reads it (`Var::payload`).
    fn bind_part(
        &mut self,
        value: &Operand,
        scrutinee: &TokenStream,
        reads: &[VarId],
        pat: &syn::Pat,
        ident: &syn::Ident,
        mutable: bool,
    ) {
        let some = matches!(pat, syn::Pat::TupleStruct(ts) if ts.path.is_ident("Some")
            && ts.elems.len() == 1
            && matches!(&ts.elems[0], syn::Pat::Ident(p) if p.subpat.is_none()));
        let expr = match some {
            true => quote!(#scrutinee.unwrap()),
            false => {
                quote!(match #scrutinee { #pat => #ident, _ => ::core::unreachable!() })
            }
        };
        let span = ident.span();
        let temp = self.temp(Expr::Opaque(expr, reads.to_vec()), false, span);
        self.bind_value(ident, mutable, None, temp, span);
        let copy_ref = matches!(value, Operand::Var(v) if self.prog.vars[*v].copy_ref);
        if let (Some(b), true) = (
            self.lookup(&ident.unraw().to_string()),
            copy_ref && !mutable,
        ) {
            let v = b.var;
            self.prog.vars[v].payload = true;
        }
    }

    /// The body of a loop (labelled `label`; for a `loop` used as a value,
    /// `break v` assigns `slot`).
    pub(super) fn loop_body(
        &mut self,
        label: &Option<syn::Label>,
        slot: Option<VarId>,
        f: impl FnOnce(&mut Self),
    ) -> (Vec<Stmt>, LoopFrame) {
        let saved_value = std::mem::take(&mut self.in_value);
        self.frames.push(LoopFrame {
            label: label.as_ref().map(|l| l.name.ident.to_string()),
            slot,
            in_value: saved_value,
            brk: None,
            cont: None,
        });
        let body = self.nested(f);
        let frame = self.frames.pop().unwrap_or_default();
        self.in_value = saved_value;
        (body, frame)
    }

    /// The loop, after the flags its inner loops set to leave it
    /// (`break 'outer;`).
    fn push_loop(
        &mut self,
        header: Header,
        body: Vec<Stmt>,
        frame: LoopFrame,
        checkpoint: Option<Box<crate::ir::Checkpoint>>,
    ) {
        for flag in [frame.brk, frame.cont].into_iter().flatten() {
            self.stmts.push(Stmt::Let {
                var: flag,
                ty: None,
                expr: Expr::constant(quote!(false)),
                span: Span::call_site(),
            });
        }
        self.stmts.push(Stmt::Loop {
            header,
            body,
            checkpoint,
        });
    }

    pub(super) fn lower_for(&mut self, f: &syn::ExprForLoop) {
        // A range counts with integers, whatever it reads (`0..p.steps`).
        let range = matches!(strip_parens(&f.expr), syn::Expr::Range(_));
        if !range && self.mentions_varied(&f.expr) {
            self.errors.spanned(
                &f.expr,
                "a `for` loop cannot iterate over active values: iterate over indices (`for i in 0..x.len()`) and read `x[i]`",
            );
            return;
        }
        let Some((iter, reads)) = self.opaque_tokens(&f.expr) else {
            return;
        };
        let ident = match &*f.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                Some(pi.ident.clone())
            }
            syn::Pat::Wild(_) => None,
            other => {
                self.errors
                    .spanned(other, "bind the loop variable to a name or `_`");
                return;
            }
        };
        let mut var = None;
        let (body, frame) = self.loop_body(&f.label, None, |lw| {
            if let Some(ident) = &ident {
                let name = lw.prog.names.claim(&ident.to_string(), ident.span());
                let v = lw.new_var(name, VarKind::Local, false);
                lw.bind(ident, v, false);
                lw.prog.vars[v].item = !range;
                var = Some(v);
            }
            lw.lower_stmts(&f.body.stmts, None);
        });
        let header = Header::For { var, iter, reads };
        let checkpoint = self
            .checkpoint_attr(&f.attrs)
            .filter(|c| self.check_checkpointed(c, &header));
        self.push_loop(header, body, frame, checkpoint);
    }

    pub(super) fn lower_while(&mut self, w: &syn::ExprWhile) {
        let (body, frame) = self.loop_body(&w.label, None, |lw| {
            let cond = lw.lower_condition(&w.cond);
            let then = lw.nested(|lw| lw.lower_stmts(&w.body.stmts, None));
            lw.stmts.push(Stmt::If {
                cond,
                then,
                els: vec![Stmt::Break],
            });
        });
        let checkpoint = self
            .checkpoint_attr(&w.attrs)
            .filter(|c| self.check_checkpointed(c, &Header::Infinite));
        self.push_loop(Header::Infinite, body, frame, checkpoint);
    }

    pub(super) fn lower_loop(&mut self, l: &syn::ExprLoop) {
        let (body, frame) =
            self.loop_body(&l.label, None, |lw| lw.lower_stmts(&l.body.stmts, None));
        let checkpoint = self
            .checkpoint_attr(&l.attrs)
            .filter(|c| self.check_checkpointed(c, &Header::Infinite));
        self.push_loop(Header::Infinite, body, frame, checkpoint);
    }

    /// `loop { .. break v; .. }` used as a value: a slot that each `break v`
    /// assigns before it leaves.
    pub(super) fn lower_loop_value(&mut self, l: &syn::ExprLoop) -> Operand {
        let slot = self.result_slot();
        let (body, frame) = self.loop_body(&l.label, Some(slot), |lw| {
            lw.lower_stmts(&l.body.stmts, None)
        });
        self.push_loop(Header::Infinite, body, frame, None);
        Operand::Var(slot)
    }
}

/// Whether a name in a pattern binds (`v`), rather than names a constant
/// or a unit variant (`None`, `FAST`, `Fast`): Rust's naming conventions.
fn binds(ident: &syn::Ident) -> bool {
    ident
        .unraw()
        .to_string()
        .starts_with(|c: char| c.is_lowercase() || c == '_')
}

/// Replaces the names a pattern binds by `_` (`v @ p` by `p`).
struct Unbind;

impl VisitMut for Unbind {
    fn visit_pat_mut(&mut self, p: &mut syn::Pat) {
        if let syn::Pat::Ident(pi) = p {
            if binds(&pi.ident) {
                *p = match pi.subpat.take() {
                    Some((_, sub)) => *sub,
                    None => syn::Pat::Wild(syn::PatWild {
                        attrs: Vec::new(),
                        underscore_token: Default::default(),
                    }),
                };
            }
        }
        syn::visit_mut::visit_pat_mut(self, p);
    }

    /// `Quantile { tau }` becomes `Quantile { tau: _ }` (not `{ _ }`).
    fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
        if f.colon_token.is_none() {
            f.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_pat_mut(self, f);
    }
}
