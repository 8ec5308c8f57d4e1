//! Expressions: what stays verbatim (inactive code), operators, literals,
//! `vec!`, blocks, and methods of the rule table.

use super::*;

/// The error for a macro the macro cannot differentiate through.
pub(super) fn macro_message(mac: &syn::Macro) -> String {
    let name = mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    format!(
        "macros are not supported in a differentiated function (`{name}!`), except `vec!` \
         and the ones that observe values (`assert!`, `assert_eq!`, `assert_ne!`, their \
         `debug_` forms, `print!`, `println!`, `eprint!`, `eprintln!`, `format!`): \
         the derivative functions would repeat its effect or could not see through it; \
         move it to the caller"
    )
}

impl Lowerer<'_> {
    pub(super) fn macro_error(&mut self, mac: &syn::Macro) {
        self.errors.spanned(mac, macro_message(mac));
    }

    // ----- expressions -----------------------------------------------------

    /// Whether `e` reads a variable that depends on an active input.
    pub(super) fn mentions_varied(&self, e: &syn::Expr) -> bool {
        self.finds_varied(e, false)
    }

    /// Whether an expression mentions a varied variable other than through
    /// fields of parameter structs (which, where no derivative flows, as in
    /// a `match` or a loop bound, are configuration).
    pub(super) fn mentions_varied_beyond_fields(&self, e: &syn::Expr) -> bool {
        self.finds_varied(e, true)
    }

    fn finds_varied(&self, e: &syn::Expr, skip_fields: bool) -> bool {
        struct Finder<'a, 'b> {
            lw: &'a Lowerer<'b>,
            found: bool,
            skip_fields: bool,
            /// The parameters of the closures around the current node.
            params: Vec<String>,
        }
        impl<'ast> Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
                if !(self.skip_fields && self.lw.struct_of_field(f).is_some()) {
                    syn::visit::visit_expr_field(self, f);
                }
            }
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if self.params.iter().any(|n| p.path.is_ident(n)) {
                    return;
                }
                if let Some(v) = self.lw.local_of(p) {
                    self.found |= self.lw.var_varied(v);
                }
            }
            fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
                let outer = self.params.len();
                self.params.extend(closure_params(c));
                self.visit_expr(&c.body);
                self.params.truncate(outer);
            }
            // `x.len()`, `x.floor()`, `x as usize`, `xs.partition_point(..)`:
            // no derivative flows out.
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                if !NON_DIFFERENTIABLE.contains(&m.method.to_string().as_str()) && !is_index(m) {
                    syn::visit::visit_expr_method_call(self, m);
                }
            }
            fn visit_expr_cast(&mut self, c: &'ast syn::ExprCast) {
                if crate::parse::float_of_in(&c.ty, self.lw.reals).is_some() {
                    syn::visit::visit_expr_cast(self, c);
                }
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                let mut idents = HashSet::default();
                collect_idents(m.tokens.clone(), &mut idents);
                for i in idents {
                    if let Some(b) = self.lw.lookup(&i) {
                        self.found |= self.lw.var_varied(b.var);
                    }
                }
            }
        }
        let mut f = Finder {
            lw: self,
            found: false,
            skip_fields,
            params: Vec::new(),
        };
        f.visit_expr(e);
        f.found
    }

    /// Verbatim tokens of an inactive expression, local names renamed to
    /// their current versions, and the variables it reads; `None` (with
    /// errors) if it has unsupported constructs.
    pub(super) fn opaque_tokens(&mut self, e: &syn::Expr) -> Option<(TokenStream, Vec<VarId>)> {
        self.opaque_tokens_within(e, Vec::new())
    }

    /// [`Self::opaque_tokens`] of an expression in the scope of the names
    /// `bound` (a `match` arm's guard, which reads its pattern's bindings,
    /// not the locals they shadow: `Loss::Pinball { scale: s, tau } if s >
    /// tau` beside an active `s`).
    pub(super) fn opaque_tokens_within(
        &mut self,
        e: &syn::Expr,
        bound: Vec<String>,
    ) -> Option<(TokenStream, Vec<VarId>)> {
        let mut checker = Unsupported {
            errors: Vec::new(),
            inactive: true,
        };
        let mut e = e.clone();
        ExpandMatches.visit_expr_mut(&mut e);
        checker.visit_expr(&e);
        if !checker.errors.is_empty() {
            for err in checker.errors {
                self.errors.push(err);
            }
            return None;
        }
        let mut renamer = Renamer {
            lw: self,
            reads: Vec::new(),
            params: bound,
            active: Vec::new(),
        };
        renamer.visit_expr_mut(&mut e);
        let reads = renamer.reads;
        Some((e.to_token_stream(), reads))
    }

    /// An inactive expression as an operand.
    pub(super) fn opaque(&mut self, e: &syn::Expr) -> Operand {
        match strip_parens(e) {
            syn::Expr::Lit(l) => return Operand::Const(l.to_token_stream()),
            syn::Expr::Path(p) => {
                if let Some(v) = self.local_of(p) {
                    return Operand::Var(self.view_copy(v).unwrap_or(v));
                }
                if let Some((tokens, _)) = self.opaque_tokens(e) {
                    return Operand::Const(tokens);
                }
                return self.poisoned();
            }
            _ => {}
        }
        match self.opaque_tokens(e) {
            // A view of inactive data (`xs.column(t)`) in matrix code: the
            // derivative code works on owned values (the rules take
            // `OMatrix`), so it holds a copy.
            Some((tokens, reads)) if self.prog.matrix && linalg::is_view(e) => self.temp(
                Expr::Opaque(quote!((#tokens).clone_owned()), reads),
                false,
                e.span(),
            ),
            Some((tokens, reads)) => self.temp(Expr::Opaque(tokens, reads), false, e.span()),
            None => self.poisoned(),
        }
    }

    /// The array that `x.to_vec()`, `x.clone()` or `x[a..b].to_vec()`
    /// copies (also a helper's result copied with `to_vec`).
    fn copied_array(&self, mc: &syn::ExprMethodCall) -> Option<VarId> {
        let array = |e: &syn::Expr, to_vec: bool| match strip_parens(e) {
            syn::Expr::Path(p) => self
                .local_of(p)
                .filter(|&v| self.prog.vars[v].array || (to_vec && self.call_results.contains(&v))),
            _ => None,
        };
        match strip_parens(&mc.receiver) {
            syn::Expr::Index(ix)
                if mc.method != "clone"
                    && matches!(strip_parens(&ix.index), syn::Expr::Range(_)) =>
            {
                array(&ix.expr, false)
            }
            r => array(r, mc.method == "to_vec"),
        }
    }

    pub(super) fn lower_expr(&mut self, e: &syn::Expr) -> Operand {
        // A `loop` used as a value is lowered as a loop even on inactive
        // values: it may assign variables outside it.
        if let syn::Expr::Loop(l) = strip_parens(e) {
            return self.lower_loop_value(l);
        }
        if !self.mentions_varied(e) {
            match strip_parens(e) {
                // Arrays are built structurally even from constants: their
                // elements may be written with active values later.
                syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => return self.lower_vec(m),
                syn::Expr::Array(_) | syn::Expr::Repeat(_) => {}
                // So is a copy of an array (`let mut y = y0.to_vec();`, also
                // of a helper's result: only arrays have `to_vec`), or of a
                // range of one (`h0[..n].to_vec()`), and a helper's result
                // may be one (read by element later).
                syn::Expr::MethodCall(mc)
                    if matches!(
                        mc.method.to_string().as_str(),
                        "to_vec" | "to_owned" | "clone"
                    ) && self.copied_array(mc).is_some() =>
                {
                    let nested = self
                        .copied_array(mc)
                        .is_some_and(|v| self.prog.vars[v].nested);
                    let op = self.opaque(e);
                    if let Operand::Var(v) = op {
                        self.prog.vars[v].array = true;
                        self.prog.vars[v].nested = nested;
                    }
                    return op;
                }
                syn::Expr::Call(_) => {
                    let op = self.opaque(e);
                    if let Operand::Var(v) = op {
                        self.call_results.insert(v);
                    }
                    return op;
                }
                _ => return self.opaque(e),
            }
        }
        match e {
            syn::Expr::Paren(p) => self.lower_expr(&p.expr),
            syn::Expr::Group(g) => self.lower_expr(&g.expr),
            syn::Expr::Path(p) => match self.local_of(p) {
                Some(v) => Operand::Var(v),
                None => self.opaque(e),
            },
            // A tuple of values: a function's tuple result.
            syn::Expr::Tuple(t) => {
                if let Some(m) = integer_member(t) {
                    self.report_integer_member(m);
                }
                let mut elems = Vec::new();
                for e in &t.elems {
                    let op = self.lower_expr(e);
                    // An array member is copied: reverse mode still reads it.
                    elems.push(match op {
                        Operand::Var(v) if self.prog.vars[v].array && self.var_varied(v) => {
                            Expr::Rule("clone", vec![Expr::var(v)])
                        }
                        op => Expr::Use(op),
                    });
                }
                self.temp(Expr::Tuple(elems), true, t.span())
            }
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(minus) => {
                    let a = self.lower_expr(&u.expr);
                    self.temp(Expr::Neg(Box::new(Expr::Use(a))), true, minus.span)
                }
                syn::UnOp::Not(_) => self.opaque(e),
                _ => {
                    // `*tau` of an inactive local whose name an active one
                    // also has (`Loss::Pinball { scale: s, .. } => *s * r`
                    // beside an active `s`): a value like any inactive one.
                    // (A payload bound from an inactive parameter is never
                    // varied, whatever the loop's hint says of its name.)
                    let inactive = matches!(strip_parens(&u.expr), syn::Expr::Path(p)
                        if self.local_of(p).is_some_and(|v| !self.var_varied(v)
                            || (self.prog.vars[v].payload && !self.varied[v])));
                    if inactive {
                        return self.opaque(e);
                    }
                    // `*y0` of a borrowed nalgebra value: a copy, as `y0.clone()`.
                    let matrix = matches!(strip_parens(&u.expr), syn::Expr::Path(p)
                    if self.local_of(p).is_some_and(|v| {
                        let v = &self.prog.vars[v];
                        self.prog.matrix && v.borrowed && !v.array && !v.scalar && !v.field
                    }));
                    if matrix {
                        let inner = &u.expr;
                        return self
                            .lower_expr(&syn::parse_quote_spanned!(u.span()=> #inner.clone()));
                    }
                    let array = matches!(strip_parens(&u.expr), syn::Expr::Path(p)
                        if self.local_of(p).is_some_and(|v| self.prog.vars[v].array));
                    let msg = match array {
                        true => "dereferencing an active array is not supported: borrow a slice of it as `&x[..]`".to_owned(),
                        false => super::methods::option_element_message(&u.expr).unwrap_or_else(|| {
                            "dereferencing active values is not supported: pass scalars by value".to_owned()
                        }),
                    };
                    self.errors.spanned(u.op, msg);
                    self.poisoned()
                }
            },
            // `&a * &b` on nalgebra values: the derivative code borrows
            // operands itself.
            syn::Expr::Reference(r) if r.mutability.is_none() => {
                if self.is_row(&r.expr) {
                    self.errors.spanned(
                        r,
                        "a borrowed row of a 2-D array is passed to a differentiated function \
                         (`g(&a[r])`); elsewhere read its elements (`a[r][c]`) or copy it \
                         (`let row = a[r].to_vec();`)",
                    );
                    return self.poisoned();
                }
                // (A `let` of one without `mut` is a view, desugared.)
                if matches!(strip_parens(&r.expr), syn::Expr::Index(ix)
                    if matches!(strip_parens(&ix.index), syn::Expr::Range(_)))
                {
                    self.errors.spanned(
                        r,
                        "a borrowed range of an active array is supported passed to a call \
                         (`g(&x[a..b])`), bound to a name without `mut` (`let r = &x[a..b];`), \
                         or copied (`x[a..b].to_vec()`)",
                    );
                    // An array, so that its uses are not errors again.
                    let empty = Expr::List {
                        vec: true,
                        elems: Vec::new(),
                    };
                    return self.array_temp(empty, r.span());
                }
                self.lower_expr(&r.expr)
            }
            syn::Expr::Field(f) => match self.lower_member(f) {
                Some(op) => op,
                None => {
                    self.unsupported(e);
                    self.poisoned()
                }
            },
            syn::Expr::Struct(s) => self.lower_struct_lit(s),
            syn::Expr::Binary(b) => self.lower_binary(b),
            // A helper writing a buffer, inside an expression (`g(x, &mut
            // b) * b[0]`): through its value form, bound first.
            syn::Expr::Call(c)
                if (super::lend::passes_buffer(c) || self.passes_buffer_param(c))
                    && self.mentions_varied(e) =>
            {
                let name = quote::format_ident!("__ad_returned");
                self.lower_buffer_call(c, Some(&syn::parse_quote!(#name)));
                match self.lookup("__ad_returned") {
                    Some(b) => Operand::Var(b.var),
                    None => self.poisoned(),
                }
            }
            // So is a differentiated method writing a buffer.
            syn::Expr::MethodCall(mc) if self.method_passes_buffer(mc) => {
                let name = quote::format_ident!("__ad_returned");
                self.lower_buffer_method(mc, Some(&syn::parse_quote!(#name)));
                match self.lookup("__ad_returned") {
                    Some(b) => Operand::Var(b.var),
                    None => self.poisoned(),
                }
            }
            syn::Expr::MethodCall(mc) => self.lower_method(mc),
            syn::Expr::Call(c) => self.lower_call(c),
            syn::Expr::Cast(c) => {
                if let Some(op) = self.lower_count(c) {
                    op
                } else if crate::parse::float_of_in(&c.ty, self.reals).is_some() {
                    let a = self.lower_expr(&c.expr);
                    self.temp(
                        Expr::Cast(Box::new(Expr::Use(a)), c.ty.clone()),
                        true,
                        c.as_token.span,
                    )
                } else {
                    // A cast to an integer carries no derivative.
                    self.opaque(e)
                }
            }
            syn::Expr::Index(ix) => {
                // `a[r][c]` and `a[r]` of a 2-D array.
                if let Some(op) = self.lower_nested_index(ix) {
                    return op;
                }
                // `s.d[i]` of a local struct.
                if let Some(op) = self.lower_local_element(ix) {
                    return op;
                }
                // With nalgebra values, any variable may be a vector or a
                // matrix read by element (`v[i]`, `m[(i, j)]`).
                let matrix = self.prog.matrix;
                let before = self.errors.len();
                let arr = match strip_parens(&ix.expr) {
                    syn::Expr::Path(p) => self.local_of(p).filter(|v| {
                        matrix || self.prog.vars[*v].array || self.call_results.contains(v)
                    }),
                    // `(a * b)[0]`: an element of a computed value.
                    base if matrix => match self.lower_expr(base) {
                        Operand::Var(v) => Some(v),
                        Operand::Const(_) => None,
                    },
                    _ => None,
                };
                let Some(arr) = arr else {
                    // (The base was reported already: `v.normalize()[0]`.)
                    if self.errors.len() > before {
                        return self.poisoned();
                    }
                    let local = match strip_parens(&ix.expr) {
                        syn::Expr::Path(p) => self.local_of(p).is_some(),
                        _ => false,
                    };
                    if local {
                        // (A name declared without a value, or bound from
                        // an `if` or `match`, has no array value to tell.)
                        self.errors.spanned(
                            &ix.expr,
                            "this local is not known to be an array where it is declared: give it \
                             its type (`let y: Vec<f64>;`, `let (u, w): (Vec<f64>, Vec<f64>) = \
                             if ..`) or declare it with an array value",
                        );
                    } else if let Some(m) = tuple_member_message(&ix.expr) {
                        self.errors.spanned(&ix.expr, m);
                    } else {
                        self.errors.spanned(
                            &ix.expr,
                            "indexing is supported on array parameters and locals (`&[f64]`, \
                             `[f64; N]`, `Vec<f64>`), on 2-D arrays (`a[r][c]`) and on nalgebra \
                             values",
                        );
                    }
                    return self.poisoned();
                };
                // A helper's result read by element is an array.
                if self.call_results.contains(&arr) {
                    self.prog.vars[arr].array = true;
                }
                let index = self.lower_index(&ix.index);
                self.temp(
                    Expr::Index(arr, Box::new(index)),
                    true,
                    ix.bracket_token.span.join(),
                )
            }
            syn::Expr::Block(b) if b.label.is_none() => self.lower_block_expr(&b.block),
            syn::Expr::If(i) => self.lower_if_value(i),
            syn::Expr::Match(m) => {
                let slot = self.result_slot();
                self.in_value += 1;
                self.lower_match(m, Some(slot), None);
                self.in_value -= 1;
                Operand::Var(slot)
            }
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => self.lower_vec(m),
            // `format!("{x}")`: a `String`, inactive.
            syn::Expr::Macro(m) if observing(&m.mac).is_some() => self.opaque(e),
            // `matches!(x, ..)`: a `bool`, inactive.
            syn::Expr::Macro(m) if matches_as_match(&m.mac).is_some() => self.opaque(e),
            syn::Expr::Array(a) => {
                let elems = a
                    .elems
                    .iter()
                    .map(|e| {
                        let op = self.lower_expr(e);
                        self.copied(op)
                    })
                    .collect();
                self.array_temp(Expr::List { vec: false, elems }, a.span())
            }
            syn::Expr::Repeat(r) => {
                let elem = self.lower_expr(&r.expr);
                let len = r.len.to_token_stream();
                self.array_temp(
                    Expr::Repeat {
                        vec: false,
                        elem: Box::new(self.copied(elem)),
                        len,
                    },
                    r.span(),
                )
            }
            syn::Expr::Assign(_) => {
                self.errors
                    .spanned(e, "an assignment is a statement here: end it with `;`");
                self.poisoned()
            }
            _ => {
                self.unsupported(e);
                self.poisoned()
            }
        }
    }

    /// An operand of an operator or of a nalgebra method. On nalgebra
    /// values the derivative code borrows operands itself, so `&h` is `h`
    /// whether `h` reads an active input or not (verbatim, `&h` would be
    /// borrowed again: `mul(&w, &&h)`).
    pub(super) fn lower_operand(&mut self, e: &syn::Expr) -> Operand {
        if self.prog.matrix {
            if let syn::Expr::Reference(r) = strip_parens(e) {
                if r.mutability.is_none() && !self.is_row(&r.expr) {
                    return self.lower_operand(strip_parens(&r.expr));
                }
            }
        }
        self.lower_expr(e)
    }

    /// An operand put into an array: a row of a 2-D array is a copy, which
    /// the derivative code still reads (its elements, the shape of its
    /// adjoint, of its zero tangent beside the tangents of other rows).
    pub(super) fn copied(&self, op: Operand) -> Expr {
        match op {
            Operand::Var(v) if self.prog.vars[v].array || self.is_field_borrow(v) => {
                Expr::Rule("clone", vec![Expr::var(v)])
            }
            op => Expr::Use(op),
        }
    }

    /// A new array temporary (2-D if it is built from rows or copies one).
    pub(super) fn array_temp(&mut self, expr: Expr, span: Span) -> Operand {
        let varied = self.is_varied_expr(&expr);
        let nested = self.nested_value(&expr, span);
        let op = self.temp(expr, varied, span);
        if let Operand::Var(v) = op {
            self.prog.vars[v].array = true;
            self.prog.vars[v].nested = nested;
        }
        op
    }

    /// `vec![a; n]` and `vec![a, b, ..]`.
    pub(super) fn lower_vec(&mut self, m: &syn::ExprMacro) -> Operand {
        let tokens = m.mac.tokens.clone();
        let repeat = syn::parse::Parser::parse2(
            |input: syn::parse::ParseStream| {
                let elem: syn::Expr = input.parse()?;
                input.parse::<syn::Token![;]>()?;
                let len: syn::Expr = input.parse()?;
                Ok((elem, len))
            },
            tokens.clone(),
        );
        if let Ok((elem, len)) = repeat {
            if self.mentions_varied_beyond_fields(&len) {
                self.errors.spanned(
                    &len,
                    "the length of a `vec!` cannot depend on active values",
                );
                return self.poisoned();
            }
            let elem = self.lower_expr(&elem);
            let Some((len, _)) = self.opaque_tokens(&len) else {
                return self.poisoned();
            };
            return self.array_temp(
                Expr::Repeat {
                    vec: true,
                    elem: Box::new(self.copied(elem)),
                    len,
                },
                m.span(),
            );
        }
        let list = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            tokens,
        );
        match list {
            Ok(elems) => {
                let mut structs = false;
                let elems = elems
                    .iter()
                    .map(|e| {
                        let op = self.lower_expr(e);
                        structs |=
                            matches!(strip_parens(e), syn::Expr::Struct(_)) && self.is_varied(&op);
                        self.copied(op)
                    })
                    .collect();
                if structs {
                    // Its cotangent would be a `Vec` of structs, which the
                    // runtime does not add into.
                    self.errors.spanned(m, VEC_OF_STRUCTS);
                    return self.poisoned();
                }
                self.array_temp(Expr::List { vec: true, elems }, m.span())
            }
            Err(e) => {
                self.errors.push(e);
                self.poisoned()
            }
        }
    }

    pub(super) fn lower_block_expr(&mut self, block: &syn::Block) -> Operand {
        let slot = self.result_slot();
        self.in_value += 1;
        let stmts = self.nested(|lw| lw.lower_value_block(block, slot));
        self.in_value -= 1;
        self.stmts.extend(stmts);
        Operand::Var(slot)
    }

    pub(super) fn lower_binary(&mut self, b: &syn::ExprBinary) -> Operand {
        // `p.steps - 1`, `n * 2` (`n` a field substituted): integer
        // arithmetic on configuration fields, no derivative.
        if unsupported::is_integer_binary(b) {
            let e = syn::Expr::Binary(b.clone());
            if !self.mentions_varied_beyond_fields(&e) {
                return self.opaque(&e);
            }
        }
        let op = match b.op {
            syn::BinOp::Add(_) => BinOp::Add,
            syn::BinOp::Sub(_) => BinOp::Sub,
            syn::BinOp::Mul(_) => BinOp::Mul,
            syn::BinOp::Div(_) => BinOp::Div,
            syn::BinOp::Lt(_)
            | syn::BinOp::Le(_)
            | syn::BinOp::Gt(_)
            | syn::BinOp::Ge(_)
            | syn::BinOp::Eq(_)
            | syn::BinOp::Ne(_)
            | syn::BinOp::And(_)
            | syn::BinOp::Or(_) => {
                // A comparison is a `bool`: no derivative, kept verbatim.
                let e = syn::Expr::Binary(b.clone());
                return match self.opaque_tokens(&e) {
                    Some((tokens, reads)) => {
                        self.temp(Expr::Opaque(tokens, reads), false, b.span())
                    }
                    None => self.poisoned(),
                };
            }
            _ if is_compound_assign(&b.op) => {
                self.errors.spanned(
                    b,
                    "a compound assignment is a statement here: end it with `;`",
                );
                return self.poisoned();
            }
            // `a % b`: the rule `rem`, written back as `a % b`.
            syn::BinOp::Rem(_) => {
                let span = b.op.span();
                let args = [&*b.left, &*b.right];
                return self.lower_func_call(rules::REM, CallStyle::Rem, &args, span, span);
            }
            _ => {
                self.errors.spanned(
                    b.op,
                    "this operator has no derivative rule: on active values the supported operators are `+`, `-`, `*`, `/` and unary `-`",
                );
                return self.poisoned();
            }
        };
        let l = self.lower_operand(&b.left);
        let r = self.lower_operand(&b.right);
        // Spanned at the operator, as rustc reports operator errors: a type
        // error then lands on the user's `*` once, not on the attribute.
        self.temp(
            Expr::Bin(op, Box::new(Expr::Use(l)), Box::new(Expr::Use(r))),
            true,
            b.op.span(),
        )
    }

    pub(super) fn lower_method(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        let name = mc.method.to_string();
        if NON_DIFFERENTIABLE.contains(&name.as_str()) || is_index(mc) {
            return self.opaque(&syn::Expr::MethodCall(mc.clone()));
        }
        if self.varied_user_receiver(mc) {
            return self.poisoned();
        }
        if self.calls_user_method(mc) {
            return self.lower_method_call(mc);
        }
        let copy = match name.as_str() {
            "clone" => Some("clone"),
            "to_vec" | "to_owned" => Some("to_vec"),
            // nalgebra's owned copy of a value or a view (`m.column(0)` is
            // one already in derivative code): the value itself.
            "clone_owned" | "into_owned" if self.prog.matrix => Some("clone"),
            _ => None,
        };
        if let (Some(rule), true) = (copy, mc.args.is_empty()) {
            // A copy of a row of a 2-D array (`a[r].to_vec()`), whose
            // cotangent goes back into that row's.
            if let Some(row) = self.lower_row_ref(&mc.receiver) {
                return self.array_temp(Expr::Rule(rule, vec![row]), mc.span());
            }
            // A copy of a range of an array (`x[a..b].to_vec()`): a new
            // array, whose cotangent goes back into that range's.
            if rule == "to_vec" {
                if let Some(slice) = self.lower_sub_slice(&mc.receiver) {
                    return self.array_temp(Expr::Rule(rule, vec![slice]), mc.span());
                }
            }
            let value = self.lower_expr(&mc.receiver);
            // `x.clone()` of a borrowed array parameter: of `x: &[f64]`,
            // `x` again (a `&[f64]`); of `x: &Vec<f64>`, a copy of the
            // elements, as `x.to_vec()`, and of `x: &[f64; N]` an array
            // (`deref_clone(&x)`); not a copy of the reference, which the
            // reverse sweep could not keep.
            let rule = match value {
                Operand::Var(v)
                    if rule == "clone"
                        && matches!(self.prog.vars[v].kind, VarKind::Param(_))
                        && self.prog.vars[v].borrowed
                        && self.prog.vars[v].array =>
                {
                    if self.slice_params.contains(&v) {
                        return value;
                    }
                    match self.prog.vars[v].fixed {
                        true => "deref_clone",
                        false => "to_vec",
                    }
                }
                _ => rule,
            };
            // A copy of an array (`v.clone()`, `x.to_vec()`), or of a
            // struct's field (`p.w.to_vec()`): a new value, whose cotangent
            // goes back into the original's.
            if let Operand::Var(v) = value {
                if self.is_field_borrow(v) {
                    // (Then an array: its cotangent is added element by
                    // element, from a `Vec` into an `[f64; N]` too.)
                    self.prog.vars[v].array |= rule == "to_vec";
                    return self.array_temp(Expr::Rule(rule, vec![Expr::var(v)]), mc.span());
                }
                if self.prog.vars[v].array && self.var_varied(v) {
                    return self.array_temp(Expr::Rule(rule, vec![Expr::var(v)]), mc.span());
                }
                // A copy of a borrowed nalgebra parameter (`y.clone()`) is
                // an owned value, which a call borrows (`g(&h)`).
                if self.prog.vars[v].by_ref && self.var_varied(v) {
                    return self.temp(Expr::var(v), true, mc.span());
                }
            }
            // A copy of a number: the derivative code copies what it needs.
            return value;
        }
        if name == "map" && self.prog.matrix {
            return self.lower_map(mc);
        }
        if self.prog.matrix {
            if let Some(op) = self.lower_linalg(mc) {
                return op;
            }
        }
        if self.prog.matrix {
            if let Some(op) = self.lower_fixed_view(mc) {
                return op;
            }
        }
        // (`x.max(y)` is the float method, `m.max()` nalgebra's.)
        let float_method = matches!(name.as_str(), "max" | "min") && !mc.args.is_empty();
        if let Some(op) = la_method(&name).filter(|_| self.prog.matrix && !float_method) {
            let args: Vec<&syn::Expr> = std::iter::once(&*mc.receiver)
                .chain(mc.args.iter())
                .collect();
            return self.lower_la(op, &args, mc.method.span(), mc.span());
        }
        // Methods that reshape or reorder an active array (or a row of one).
        // (On a local: a `Vec::new()` is not known to be an array yet.)
        let on_array = matches!(strip_parens(&mc.receiver), syn::Expr::Path(p)
            if self.local_of(p).is_some())
            || self.is_row(&mc.receiver);
        if on_array && RESHAPING.contains(&name.as_str()) {
            let msg = match name.as_str() {
                // (As statements, `lower_push` differentiates them.)
                "push" => "`push` on an active array is differentiated as a statement on a \
                     local `Vec`: write `v.push(x);`"
                    .to_owned(),
                "pop" => super::methods::POP_MESSAGE.to_owned(),
                "extend_from_slice" => "`extend_from_slice` on an active array takes a borrowed \
                     array or range of one: write `v.extend_from_slice(&x[a..b]);`"
                    .to_owned(),
                // (As statements on flat arrays and rows, `lower_swap` does.)
                "swap" => "`swap` on an active array is differentiated as a statement on a \
                     flat array or a row of a 2-D one (`v.swap(i, j);`); elsewhere swap the \
                     elements: `(v[i], v[j]) = (v[j], v[i]);`"
                    .to_owned(),
                "swap_with_slice" => "`swap_with_slice` on an active array is not supported: \
                     swap whole arrays with `std::mem::swap(&mut u, &mut v);`, or swap \
                     elements in a loop: `for i in 0..n { (u[i], v[i]) = (v[i], u[i]); }`"
                    .to_owned(),
                // (Desugaring rewrites the statement on a local array with
                // a closure or a path as the comparator; elsewhere the
                // permutation is written out.)
                "sort_by" | "sort_unstable_by" => format!(
                    "`{name}` of an active array is differentiated as a statement on a local \
                     array or `Vec` with a comparator that is a closure of two parameters \
                     comparing them, or `f64::total_cmp`: `v.{name}(|a, b| a.total_cmp(b));`; \
                     elsewhere sort a permutation of its indices and gather the values, \
                     `let mut p: Vec<usize> = (0..v.len()).collect(); p.{name}(|&i, &j| \
                     v[i].total_cmp(&v[j])); let s: Vec<f64> = p.iter().map(|&i| v[i]).collect();`"
                ),
                _ => format!(
                    "`{name}` on an active array is not supported: grow the array with \
                     `push`, or allocate it with its length (`vec![0.0; n]`) and write its \
                     elements (`v[i] = ..`); copy with `to_vec`, `copy_from_slice` or `fill`"
                ),
            };
            self.errors.spanned(&mc.method, msg);
            return self.poisoned();
        }
        if ITERATOR_METHODS.contains(&name.as_str()) {
            self.errors.spanned(
                &mc.method,
                format_args!(
                    "`{name}` here is not supported over active values: iterator chains are \
                     differentiated when they start from a container variable or a range \
                     (`x.iter()`, `x.iter().zip(&y)`, `x.windows(2)`, `(0..n).map(..)`) and \
                     end in `sum`, `product`, `fold`, `collect`, `count`, `for_each`, \
                     `max_by(..).unwrap()`, `min_by(..).unwrap()`, `reduce(..).unwrap()`, \
                     `last().unwrap()`, `nth(k).unwrap()` or `next().unwrap()`, or feed a `for` \
                     loop (an `Option` of an element is taken from the container itself: \
                     `if let Some(v) = x.iter().last()`, `match x.iter().nth(k) {{ .. }}`); \
                     otherwise write an index loop (`for i in 0..x.len() {{ .. x[i] .. }}`)"
                ),
            );
            return self.poisoned();
        }
        // `x[a..b].try_into().unwrap()`: a conversion to an array.
        if matches!(name.as_str(), "unwrap" | "expect") {
            let conversion = match strip_parens(&mc.receiver) {
                syn::Expr::MethodCall(m) if m.method == "try_into" => Some(m.method.span()),
                syn::Expr::Call(c) => match strip_parens(&c.func) {
                    syn::Expr::Path(p)
                        if p.path
                            .segments
                            .last()
                            .is_some_and(|s| s.ident == "try_from") =>
                    {
                        Some(p.span())
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(span) = conversion {
                self.errors.at(
                    span,
                    "converting a slice of active values to an array (`try_into`, \
                     `try_from`) is not supported: write the array of its elements \
                     (`let c = [x[a], x[a + 1], x[a + 2]];`), or pass the slice itself \
                     (`&x[a..b]`) to a helper that takes `&[f64]`",
                );
                return self.poisoned();
            }
        }
        let Some(func) = func(&name) else {
            if matches!(name.as_str(), "as_slice" | "as_mut_slice") && self.prog.matrix {
                self.errors.spanned(
                    &mc.method,
                    format_args!(
                        "`{name}` of an active nalgebra vector or matrix is not supported: \
                         give the helper a `&DVector<f64>` (or `&DMatrix<f64>`) parameter and \
                         pass the value itself (`g(&v)`), or pass a copy of its entries as a \
                         `Vec` (`g(&v.iter().copied().collect::<Vec<f64>>())`)"
                    ),
                );
                return self.poisoned();
            }
            if let Some(hint) = unsupported::split_message(&name) {
                self.errors.spanned(&mc.method, hint);
                return self.poisoned();
            }
            if let Some(hint) = linalg::factorisation_hint(&name).filter(|_| self.prog.matrix) {
                self.errors.spanned(&mc.method, hint);
                return self.poisoned();
            }
            self.unknown_method(mc);
            return self.poisoned();
        };
        if let Some(t) = &mc.turbofish {
            self.errors
                .spanned(t, "remove the turbofish: float methods are not generic");
        }
        let args: Vec<&syn::Expr> = std::iter::once(&*mc.receiver)
            .chain(mc.args.iter())
            .collect();
        self.lower_func_call(
            func,
            CallStyle::Method,
            &args,
            mc.method.span(),
            mc.method.span(),
        )
    }
}

/// Whether a method call computes an index found by comparisons
/// ([`INDEX_METHODS`]), possibly unwrapped or bounded
/// ([`INDEX_PRESERVING`]): `xs.partition_point(|&k| k <= x).clamp(1, n)`.
fn is_index(mc: &syn::ExprMethodCall) -> bool {
    let name = mc.method.to_string();
    if INDEX_METHODS.contains(&name.as_str()) {
        return true;
    }
    INDEX_PRESERVING.contains(&name.as_str())
        && matches!(strip_parens(&mc.receiver), syn::Expr::MethodCall(r) if is_index(r))
}

/// A `Vec` of structs built from active values in the function.
pub(super) const VEC_OF_STRUCTS: &str =
    "a `Vec` of structs built from active values in the function (`vec![Layer { .. }]`, \
     `layers.push(Layer { .. })`) is not supported: keep one `Vec` per field (`ws`, `bs`), \
     or take the structs as a parameter struct named in `wrt(...)` (`p.layers[k].w`)";
