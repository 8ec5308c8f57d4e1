//! `let`: bindings of names to values (plain, deferred, array and tuple
//! patterns).

use super::lend::passes_buffer;
use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            return self.lower_deferred(local);
        };
        if let Some((_, diverge)) = &init.diverge {
            self.errors.spanned(
                diverge,
                "`let ... else` is not supported in differentiated functions: test the value first, then bind it (`if i.is_none() { return 0.0; } let k = i.unwrap();`)",
            );
            return;
        }
        if let syn::Expr::Call(c) = strip_parens(&init.expr) {
            if (passes_buffer(c) || self.passes_buffer_param(c)) && self.mentions_varied(&init.expr)
            {
                return self.lower_buffer_call(c, Some(&local.pat));
            }
        }
        if let syn::Expr::MethodCall(mc) = strip_parens(&init.expr) {
            if self.method_passes_buffer(mc) && self.mentions_varied(&init.expr) {
                return self.lower_buffer_method(mc, Some(&local.pat));
            }
        }
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                // `let w = o.unwrap();` (of `if let Some(w) = o`) of an
                // `Option<&T>` parameter: bound again where needed.
                let payload = pi.mutability.is_none() && self.unwraps_copy_ref(&init.expr);
                let value = self.lower_expr(&init.expr);
                // `let v = x.rows(0, n);`: an owned copy of the view, which
                // a call of a function taking a view passes as one.
                self.mark_view_arg(&value, &init.expr);
                let declared = ty.clone();
                self.bind_value(&pi.ident, pi.mutability.is_some(), ty, value, init.expr.span());
                // `let mut t = (0.0, 0usize);` given active values later.
                if let syn::Expr::Tuple(t) = strip_parens(&init.expr) {
                    let key = pi.ident.unraw().to_string();
                    let varied = self.lookup(&key).is_some_and(|b| self.var_varied(b.var));
                    if let Some(m) = integer_member(t).filter(|_| varied) {
                        self.report_integer_member(m);
                    }
                }
                self.note_user_local(&pi.ident, declared.as_ref(), &init.expr);
                if payload {
                    if let Some(b) = self.lookup(&pi.ident.unraw().to_string()) {
                        let v = b.var;
                        self.prog.vars[v].payload = true;
                    }
                }
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
        } else if match strip_parens(init) {
            syn::Expr::Call(_) | syn::Expr::MethodCall(_) => true,
            // (Not a parameter: an active one is a number or an array.)
            syn::Expr::Path(p) => self
                .local_of(p)
                .is_some_and(|v| !matches!(self.prog.vars[v].kind, VarKind::Param(_))),
            _ => false,
        } {
            // A helper's tuple result (`let (a, b) = g(x);`), or a tuple
            // local (`let (s, q) = acc;`): member by member.
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

    /// `o.unwrap()` of a `copy_ref` parameter `o`.
    fn unwraps_copy_ref(&self, e: &syn::Expr) -> bool {
        matches!(strip_parens(e), syn::Expr::MethodCall(mc)
            if mc.method == "unwrap" && mc.args.is_empty() && mc.turbofish.is_none()
                && matches!(strip_parens(&mc.receiver), syn::Expr::Path(p)
                    if self.local_of(p).is_some_and(|v| self.prog.vars[v].copy_ref)))
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
        // `let h = y;` of a borrowed nalgebra parameter, or of a shared
        // reference never reassigned (`let b = x;` of `x: &[f64]`): another
        // name for the same borrow (a copy would be owned, and `g(h)` would
        // not pass it; a local copy of a borrow would be a borrow the split
        // form's pullback holds).
        if let Operand::Var(t) = value {
            let var = &self.prog.vars[t];
            let alias =
                (self.prog.matrix && var.by_ref) || (var.borrowed && !var.mutable && !var.slot);
            if !mutable && alias {
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
                    // (a copy of a nalgebra value built by element is one
                    // too: lent whole to a buffer, `h(a, &mut d)`)
                    if let Operand::Var(c) = value {
                        self.prog.vars[c].by_element = self.prog.vars[t].by_element;
                    }
                }
            }
        }
        // `let mut u: [f64; 3] = Default::default();`: an array by its type.
        let declared = ty
            .as_ref()
            .is_some_and(|t| is_array_type(t) && !matches!(t, syn::Type::Reference(_)));
        let nested = declared
            && ty
                .as_ref()
                .is_some_and(|t| crate::parse::is_nested(t, self.reals));
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
                    self.prog.vars[t].array |= declared;
                    self.prog.vars[t].nested |= nested;
                    self.bind(ident, t, mutable);
                    return;
                }
            }
        }
        let varied = self.is_varied(&value);
        let array = declared || matches!(value, Operand::Var(t) if self.prog.vars[t].array);
        let nested = nested || matches!(value, Operand::Var(t) if self.prog.vars[t].nested);
        let name = self.prog.names.claim(&ident.to_string(), ident.span());
        let v = self.new_var(name, VarKind::Local, varied);
        self.prog.vars[v].mutable = mutable;
        self.prog.vars[v].slot = slot;
        self.prog.vars[v].array = array;
        // (a copy of a nalgebra value built by element, `let mut d = b;`
        // after `b[(0, 0)] = ..`, is one too: lent whole to a buffer)
        self.prog.vars[v].by_element =
            matches!(value, Operand::Var(t) if self.prog.vars[t].by_element);
        self.prog.vars[v].nested = nested;
        self.prog.vars[v].borrowed = matches!(value, Operand::Var(t) if self.prog.vars[t].borrowed);
        // A copy of a helper's result (`let mut z = y.clone();`) is one too:
        // an array read by element, or lent whole (`lower_buffer_args`).
        if matches!(value, Operand::Var(t) if self.call_results.contains(&t)) {
            self.call_results.insert(v);
        }
        self.stmts.push(Stmt::Let {
            var: v,
            ty: ty.map(Box::new),
            expr: Expr::Use(value),
            span,
        });
        self.bind(ident, v, mutable);
    }
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
