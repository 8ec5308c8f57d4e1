//! 2-D arrays (`&[Vec<f64>]`, `[[f64; N]; M]`, `Vec<Vec<f64>>`, local
//! `vec![vec![0.0; n]; m]`): an element `a[r][c]` is
//! `Expr::Index(a, Tuple([r, c]))`, read and written like a flat array's
//! element; a row `a[r]` is `Expr::Index(a, r)`, passed by reference to a
//! differentiated function (`g(&a[r])`, `g(&a[r][1..])`) or copied.

use super::*;

/// Whether an index is a range (`a..b`, `a..`, `..`).
fn is_range(e: &syn::Expr) -> bool {
    matches!(strip_parens(e), syn::Expr::Range(_))
}

impl Lowerer<'_> {
    /// The 2-D array a path names: a 2-D variable or, with `rows` (the
    /// use shows it: indexed twice, `&m[r]` passed to a call), a helper's
    /// result, which is one from here on.
    pub(super) fn nested_var(&mut self, e: &syn::Expr, rows: bool) -> Option<VarId> {
        // `p.w` of a parameter struct, read as a 2-D array in the body.
        if let syn::Expr::Field(f) = strip_parens(e) {
            let param = self
                .struct_of_field(f)
                .is_some_and(|s| self.structs.contains(&s));
            if param && field_path(e).is_some_and(|p| self.nested_fields.contains(&p)) {
                return match self.lower_member(f)? {
                    Operand::Var(v) if self.prog.vars[v].nested => Some(v),
                    _ => None,
                };
            }
            // `p.layers[i].w[r][c]`: a field of an element, indexed twice
            // here, is a 2-D array (a borrow where it is read).
            if rows && field_path(e).is_none() && self.element_field_of_param(f) {
                return match self.lower_member(f)? {
                    Operand::Var(v) => {
                        self.prog.vars[v].array = true;
                        self.prog.vars[v].nested = true;
                        Some(v)
                    }
                    Operand::Const(_) => None,
                };
            }
            return None;
        }
        let syn::Expr::Path(p) = strip_parens(e) else {
            return None;
        };
        let v = self.local_of(p)?;
        if self.prog.vars[v].nested {
            return Some(v);
        }
        if rows && self.call_results.contains(&v) && !self.prog.matrix {
            self.prog.vars[v].array = true;
            self.prog.vars[v].nested = true;
            return Some(v);
        }
        None
    }

    /// Whether `f` is a field of an element of a parameter struct's field
    /// (`p.layers[i].w`).
    fn element_field_of_param(&self, f: &syn::ExprField) -> bool {
        let mut base = &*f.base;
        let mut indexed = false;
        loop {
            match strip_parens(base) {
                syn::Expr::Field(inner) => base = &inner.base,
                syn::Expr::Index(ix) => {
                    indexed = true;
                    base = &ix.expr;
                }
                syn::Expr::Path(p) => {
                    return indexed && self.local_of(p).is_some_and(|v| self.structs.contains(&v))
                }
                _ => return false,
            }
        }
    }

    /// `a[r][c]` of a 2-D array `a`: the array and the index `Tuple([r, c])`.
    pub(super) fn nested_element(&mut self, ix: &syn::ExprIndex) -> Option<(VarId, Expr)> {
        let syn::Expr::Index(row) = strip_parens(&ix.expr) else {
            return None;
        };
        let a = self.nested_var(&row.expr, true)?;
        let r = self.lower_index(&row.index);
        let c = self.lower_index(&ix.index);
        Some((a, Expr::Tuple(vec![r, c])))
    }

    /// `a[r][c]` or `a[r]` of a 2-D array read as a value: an element, or a
    /// copy of a row (a clone: a `Vec` row cannot be moved out). `None` if
    /// `ix` is neither.
    pub(super) fn lower_nested_index(&mut self, ix: &syn::ExprIndex) -> Option<Operand> {
        let span = ix.bracket_token.span.join();
        if let syn::Expr::Index(row) = strip_parens(&ix.expr) {
            if is_range(&ix.index) || is_range(&row.index) {
                let a = self.nested_var(&row.expr, true)?;
                let name = self.prog.name(a).to_string();
                self.errors.spanned(
                    ix,
                    format_args!(
                        "a range of a row of a 2-D array is passed by reference to a \
                         differentiated function (`g(&{name}[r][1..])`), or read by element \
                         (`{name}[r][c]`)"
                    ),
                );
                return Some(self.poisoned());
            }
            let (a, index) = self.nested_element(ix)?;
            return Some(self.temp(Expr::Index(a, Box::new(index)), true, span));
        }
        let a = self.nested_var(&ix.expr, false)?;
        if is_range(&ix.index) {
            let name = self.prog.name(a).to_string();
            self.errors.spanned(
                ix,
                format_args!(
                    "a range of the rows of a 2-D array is passed by reference to a \
                     differentiated function (`g(&{name}[1..])`), or read by element \
                     (`{name}[r][c]`)"
                ),
            );
            return Some(self.poisoned());
        }
        let r = self.lower_index(&ix.index);
        let row = Expr::Index(a, Box::new(r));
        // A `Vec` row is cloned (`let r = row;` of `for row in a`, with `a`
        // owned); an array's row is copied.
        let row = if self.prog.vars[a].fixed {
            row
        } else {
            Expr::Rule("clone", vec![row])
        };
        Some(self.array_temp(row, span))
    }

    /// `&a[r]` or `&a[r][a..b]` of a 2-D array `a`, passed to a
    /// differentiated function: `Index(a, r)`, `Index(a, Tuple([r, a..b]))`.
    /// (`&a[a..b]`, a range of rows, is a sub-slice like a flat array's.)
    pub(super) fn lower_row_ref(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        if let syn::Expr::Index(row) = strip_parens(&ix.expr) {
            let syn::Expr::Range(range) = strip_parens(&ix.index) else {
                return None;
            };
            if is_range(&row.index) {
                return None;
            }
            let a = self.nested_var(&row.expr, true)?;
            let r = self.lower_index(&row.index);
            let cols = self.lower_range(range);
            return Some(Expr::Index(a, Box::new(Expr::Tuple(vec![r, cols]))));
        }
        if is_range(&ix.index) {
            return None;
        }
        // (A reference to an element would be a borrowed scalar, which no
        // differentiated function takes: a helper's result is 2-D.)
        let a = self.nested_var(&ix.expr, true)?;
        let r = self.lower_index(&ix.index);
        Some(Expr::Index(a, Box::new(r)))
    }

    /// Whether `e` is a row `m[r]` of a 2-D array (a destination of
    /// `copy_from_slice` or `fill`, written element by element).
    pub(super) fn is_row(&mut self, e: &syn::Expr) -> bool {
        match strip_parens(e) {
            syn::Expr::Index(ix) => {
                !is_range(&ix.index) && self.nested_var(&ix.expr, false).is_some()
            }
            _ => false,
        }
    }

    /// `m[r] = [a, b];` and `m[r] = [c; N];` (`*r = ..` in a loop over
    /// `m.iter_mut()` is one): the copy and the fill they stand for,
    /// `{ let row = [a, b]; m[r].copy_from_slice(&row); }` (the values may
    /// read the row) and `m[r].fill(c);`. Returns whether `right` was one.
    pub(super) fn lower_row_literal(
        &mut self,
        ix: &syn::ExprIndex,
        right: &syn::Expr,
        span: Span,
    ) -> bool {
        let stmt: syn::Stmt = match strip_parens(right) {
            syn::Expr::Array(_) => {
                let row = quote::format_ident!("__ad_row", span = span);
                syn::parse_quote_spanned! {span=> {
                    let #row = #right;
                    #ix.copy_from_slice(&#row);
                }}
            }
            syn::Expr::Repeat(r) => {
                let elem = &r.expr;
                syn::parse_quote_spanned!(span=> #ix.fill(#elem);)
            }
            _ => return false,
        };
        self.lower_stmt(&stmt);
        true
    }

    /// `m[r] = ..`: a whole row is not written; say what to write instead.
    /// (At the value for a row the desugaring wrote, `*r = ..` over
    /// `m.iter_mut()`, whose `m[__ad_i]` has no span of the user's.)
    pub(super) fn row_write_error(&mut self, ix: &syn::ExprIndex, right: &syn::Expr) {
        let name = match strip_parens(&ix.expr) {
            syn::Expr::Path(p) => p.path.to_token_stream().to_string(),
            _ => "m".to_owned(),
        };
        let generated = ix.index.to_token_stream().into_iter().any(
            |t| matches!(t, proc_macro2::TokenTree::Ident(i) if i.to_string().starts_with("__ad_")),
        );
        let msg = format!(
            "a row of a 2-D array is written element by element (`{name}[r][c] = ..`), \
             copied into with `{name}[r].copy_from_slice(&v)` or `{name}[r].fill(x)`, or, \
             for rows that are arrays, assigned a list (`{name}[r] = [a, b]`) or a \
             repetition (`{name}[r] = [c; N]`)"
        );
        match generated {
            true => self.errors.spanned(right, msg),
            false => self.errors.spanned(ix, msg),
        }
    }

    /// Whether an array value built from `expr` (a list or repetition of
    /// rows, a copy) is 2-D; a 3-D one is reported at `span`.
    pub(super) fn nested_value(&mut self, expr: &Expr, span: Span) -> bool {
        let elem_kind = |lw: &Self, e: &Expr| match e.copied_var() {
            Some(v) if lw.prog.vars[v].nested => 2,
            Some(v) if lw.prog.vars[v].array => 1,
            _ => 0,
        };
        let depth = match expr {
            Expr::List { elems, .. } => elems.iter().map(|e| elem_kind(self, e)).max().unwrap_or(0),
            Expr::Repeat { elem, .. } => elem_kind(self, elem),
            Expr::Rule("clone" | "deref_clone" | "to_vec", _) => {
                return expr.copied_var().is_some_and(|v| self.prog.vars[v].nested)
            }
            _ => 0,
        };
        if depth == 2 {
            self.errors.at(
                span,
                "arrays nested three deep or more are not supported: flatten the inner \
                 levels into the rows of a 2-D array (`vec![vec![0.0; n * k]; m]`, read \
                 `a[i][j * k + l]`)",
            );
        }
        depth == 1
    }
}
