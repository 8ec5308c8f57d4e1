//! Expression statements and assignments: `fill`, `push`, compound and
//! element assignments, whole-array and tuple assignments (calls lending
//! buffers: `lend.rs`).

use super::lend::passes_buffer;
use super::*;

impl Lowerer<'_> {
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
                    // `a %= b` is `a = a % b`, the `%` spanned at the `%=`.
                    None if matches!(b.op, syn::BinOp::RemAssign(_)) => {
                        let rem = syn::Expr::Binary(syn::ExprBinary {
                            attrs: Vec::new(),
                            left: b.left.clone(),
                            op: syn::BinOp::Rem(syn::Token![%](b.op.span())),
                            right: b.right.clone(),
                        });
                        self.lower_assign(&b.left, None, &rem)
                    }
                    None => self.errors.spanned(
                        b.op,
                        "only `+=`, `-=`, `*=`, `/=` and `%=` are supported as compound assignments",
                    ),
                }
            }
            syn::Expr::Macro(m) => self.lower_macro_stmt(&m.mac),
            syn::Expr::Call(c)
                if (passes_buffer(c) || self.passes_buffer_param(c)) && self.mentions_varied(e) =>
            {
                self.lower_buffer_call(c, None)
            }
            syn::Expr::MethodCall(mc)
                if self.method_passes_buffer(mc) && self.mentions_varied(e) =>
            {
                self.lower_buffer_method(mc, None)
            }
            syn::Expr::MethodCall(mc) if self.mentions_varied(e) && self.lower_slice_fill(mc) => {}
            syn::Expr::MethodCall(mc) if self.mentions_varied(e) && self.lower_swap(mc) => {}
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

    /// `y.copy_from_slice(&x)` (or `clone_from_slice`),
    /// `y[a..b].copy_from_slice(&x[c..])`, `y.fill(v)` on active values, as the loops they stand for:
    /// `for i in 0..n { y[a + i] = x[c + i]; }`. Returns whether `mc` was one.
    pub(super) fn lower_slice_fill(&mut self, mc: &syn::ExprMethodCall) -> bool {
        let name = mc.method.to_string();
        // (`clone_from_slice` of floats is `copy_from_slice`.)
        if !matches!(
            name.as_str(),
            "copy_from_slice" | "clone_from_slice" | "fill"
        ) || mc.args.len() != 1
        {
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

    /// `v.swap(i, j)` on an active array (or a row `m[r]` of a 2-D one):
    /// the element swap it stands for, `(v[i], v[j]) = (v[j], v[i]);`, with
    /// `i` and `j` bound first unless they are names or literals. Returns
    /// whether `mc` was one.
    pub(super) fn lower_swap(&mut self, mc: &syn::ExprMethodCall) -> bool {
        if mc.method != "swap" || mc.args.len() != 2 {
            return false;
        }
        let v = &*mc.receiver;
        let flat = matches!(strip_parens(v), syn::Expr::Path(p)
            if self.local_of(p).is_some_and(|v| self.prog.vars[v].array && !self.prog.vars[v].nested));
        if !flat && !self.is_row(v) {
            return false;
        }
        let plain =
            |e: &syn::Expr| matches!(strip_parens(e), syn::Expr::Path(_) | syn::Expr::Lit(_));
        let (i, j) = (&mc.args[0], &mc.args[1]);
        let stmt: syn::Stmt = if plain(i) && plain(j) {
            syn::parse_quote_spanned!(mc.method.span()=> (#v[#i], #v[#j]) = (#v[#j], #v[#i]);)
        } else {
            let (a, b) = (
                quote::format_ident!("__ad_i"),
                quote::format_ident!("__ad_j"),
            );
            syn::parse_quote_spanned! {mc.method.span()=> {
                let #a: usize = #i;
                let #b: usize = #j;
                (#v[#a], #v[#b]) = (#v[#b], #v[#a]);
            }}
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
            // (Any local: also a helper's result, `let d = g(h(..));`, not
            // known to be an array until an element of it is written.)
            let is_local = matches!(strip_parens(base), syn::Expr::Path(b)
                if self.local_of(b).is_some());
            if !is_local {
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
        // A row pushed onto a `Vec` of rows (`rows.push(row)`) is copied, as
        // reverse mode may read it again (a copy nothing reads afterwards
        // is a move: `elide`; with nalgebra values, `emit` copies it).
        let value = match value {
            Operand::Var(r) if self.prog.vars[r].array && !self.prog.matrix => {
                Expr::Rule("clone", vec![Expr::var(r)])
            }
            op => Expr::Use(op),
        };
        self.stmts.push(Stmt::Push { stack: v, value });
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
        // (Among slices left out of `wrt`, data, it is only a reference; in
        // straight-line code, a new version is another name.)
        let varied = self.var_varied(old) || self.mentions_varied(right);
        if op.is_none() && self.prog.vars[old].borrowed && self.prog.vars[old].slot && varied {
            // `let mut b = x; if c { b = y; }`: as a slice chosen by a
            // branch (`desugar/chosen.rs`), the views cannot be told apart.
            let b = left.to_token_stream().to_string();
            self.errors.spanned(
                quote::quote!(#left #right),
                format_args!(
                    "a slice variable assigned another slice (`{b} = y;`) is not supported: copy \
                     it (`let mut {b}: Vec<f64> = x.to_vec();`, then `{b} = y.to_vec();`), or \
                     use each slice where it is chosen (`if c {{ g(y) }} else {{ g(x) }}`)"
                ),
            );
            return;
        }
        if op.is_some() {
            self.errors.spanned(
                left,
                "assign a whole array with `=` (`u = un;`), or write its elements (`a[i] += ...`)",
            );
            return;
        }
        // `u = Default::default();` in straight-line code: the new version
        // has the type of the old one (`Default::default()` alone does not
        // tell it). An old value of the derivatives' is still there.
        if !self.prog.vars[old].slot && typed_by_target(right) && self.var_varied(old) {
            let u = self.prog.name(old).clone();
            let value = self.temp(
                Expr::Opaque(
                    quote::quote_spanned!(right.span()=> __rt::default_like(&#u)),
                    vec![old],
                ),
                false,
                span,
            );
            if let Operand::Var(t) = value {
                self.prog.vars[t].array = true;
                self.prog.vars[t].nested = self.prog.vars[old].nested;
            }
            if let syn::Expr::Path(p) = strip_parens(left) {
                if let Some(ident) = p.path.get_ident() {
                    self.bind_value(&ident.clone(), true, None, value, span);
                }
            }
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
            syn::Expr::Field(f) => {
                let base = f.base.to_token_stream().to_string().replace(' ', "");
                let field = f.member.to_token_stream().to_string();
                let msg = if let syn::Member::Unnamed(k) = &f.member {
                    // (Reported once at the tuple's integer member.)
                    if self.integer_member {
                        return;
                    }
                    format!(
                        "assigning a member of a tuple (`{base}.{}`) is not supported in a \
                         differentiated function: assign the whole tuple, its other members \
                         read as they are (`{base} = (.., {base}.{other}, ..);`), or keep the \
                         member in a local of its own",
                        k.index,
                        other = if k.index == 0 { 1 } else { 0 }
                    )
                } else if base == "self" {
                    format!(
                        "assigning a field of `self` (`self.{field}`) is not supported in a \
                         differentiated function (its derivatives may run the body more than \
                         once): return the new value and assign it in the caller, or keep \
                         the bookkeeping (a call counter) outside the differentiated method"
                    )
                } else {
                    format!(
                        "assigning a field (`{base}.{field}`) is not supported in a \
                         differentiated function: keep the value in a local (`let mut \
                         {field} = {base}.{field};`, then `{field} += ..`), and build the \
                         struct from such locals where it is needed"
                    )
                };
                self.errors.spanned(left, msg);
                return;
            }
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
            // `u = Default::default();` (and `std::mem::take(&mut u)`): the
            // new version has the old one's type, which the call alone does
            // not tell (as for arrays, `lower_array_assign`).
            None if ty.is_none() && typed_by_target(right) => {
                let u = self.prog.name(old).clone();
                self.temp(
                    Expr::Opaque(
                        quote::quote_spanned!(right.span()=> __rt::default_like(&#u)),
                        vec![old],
                    ),
                    false,
                    span,
                )
            }
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
            if op.is_none() && self.lower_row_literal(ix, right, span) {
                return;
            }
            return self.row_write_error(ix, right);
        }
        // With nalgebra values, a `let mut` local (or a `mut` parameter
        // taken by value, as a value form's buffer) written by element is a
        // vector or matrix used as an array from here on.
        let matrix = self.prog.matrix;
        let arr = match strip_parens(&ix.expr) {
            syn::Expr::Path(p) => self.local_of(p).filter(|v| {
                let var = &self.prog.vars[*v];
                let param = matches!(var.kind, VarKind::Param(_));
                var.array || (matrix && var.mutable && (!param || !var.borrowed && !var.by_ref))
            }),
            _ => None,
        };
        let Some(arr) = arr else {
            self.errors.spanned(
                &ix.expr,
                "element writes are supported on local arrays and 2-D arrays, `&mut` array \
                 and nalgebra parameters, and nalgebra values that are `let mut` locals or \
                 `mut` parameters taken by value (`a[i] = ...`, `m[r][c] = ...`); a helper's \
                 nalgebra result is one where its type is written \
                 (`let mut y: DVector<f64> = g(x);`)",
            );
            return;
        };
        if !self.prog.vars[arr].array {
            self.prog.vars[arr].array = true;
            self.prog.vars[arr].by_element = true;
        }
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
            self.errors.spanned(e, INDEX_OF_ACTIVE);
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

/// `Default::default()` (`Vec::default()`, `T::default()`): a value whose
/// type rustc infers from where it goes.
fn typed_by_target(e: &syn::Expr) -> bool {
    let syn::Expr::Call(c) = strip_parens(e) else {
        return false;
    };
    matches!(strip_parens(&c.func), syn::Expr::Path(p)
        if c.args.is_empty() && p.path.segments.last().is_some_and(|f| f.ident == "default"))
}

/// The error at an index computed from active values, with the form that
/// works: a helper's result is taken for a differentiated call's, while the
/// same search written in the function is differentiated (its comparisons
/// choose the index).
pub(super) const INDEX_OF_ACTIVE: &str =
    "an index cannot depend on active values (the result of a call with active arguments, \
     `let i = argmax(x);`, counts as one): compute it in the function itself, where comparisons of active values choose integers \
     (`let mut i = 0; for k in 1..x.len() { if x[k] > x[i] { i = k; } }`), or sort a \
     permutation of the indices (`p.sort_by(|&i, &j| x[i].total_cmp(&x[j]))`)";
