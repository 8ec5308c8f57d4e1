//! Buffers lent to calls: `g(a, &mut b)` (and `let s = g(a, &mut b)`,
//! `s.m(a, &mut b)`) of a differentiated function is lowered through `g`'s
//! value form (`buffers.rs`), which takes the buffers by value and returns
//! their final contents: `let (s, t) = __ad_value_ret_g(a, b.to_vec());`,
//! then `b.copy_from_slice(&t);` (or assigned whole).

use super::*;

impl Lowerer<'_> {
    /// `g(a, &mut b);` (or `let s = g(a, &mut b);`) with active values: through
    /// `g`'s value form (`buffers.rs`), `b = __ad_value_g(a, b);` (`let (s,
    /// new_b) = __ad_value_ret_g(a, b);`).
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
            last.ident = value_form_name(&last.ident, pat);
        }
        self.lower_buffer_args(quote!(#path), Some(p), &c.args, pat);
    }

    /// `s.m(a, &mut b);` (or `let r = s.m(a, &mut b);`) of a differentiated
    /// method: through its value form, `b = s.__ad_value_m(a, b);`.
    pub(super) fn lower_buffer_method(&mut self, mc: &syn::ExprMethodCall, pat: Option<&syn::Pat>) {
        let recv = &mc.receiver;
        let name = value_form_name(&mc.method, pat);
        self.lower_buffer_args(quote!(#recv.#name), None, &mc.args, pat);
    }

    /// Whether a call of a differentiated method lends a buffer.
    pub(super) fn method_passes_buffer(&self, mc: &syn::ExprMethodCall) -> bool {
        self.calls_user_method(mc)
            && mc.args.iter().any(|a| {
                let a = crate::buffers::fixed_mut_arg(a).unwrap_or(a);
                matches!(strip_parens(a), syn::Expr::Reference(r) if r.mutability.is_some())
                    || self.buffer_param(a).is_some()
            })
    }

    /// The arguments of a call through a value form `callee` (a path, or a
    /// receiver and a method; `p` the path of a function's, whose buffers
    /// passed on are checked): buffers in by value, out by assignment.
    fn lower_buffer_args(
        &mut self,
        callee: TokenStream,
        p: Option<&syn::ExprPath>,
        call_args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        pat: Option<&syn::Pat>,
    ) {
        // `let _ = g(a, &mut b);`: the result, if any, is not used.
        let pat = pat.filter(|p| !matches!(p, syn::Pat::Wild(_)));
        let mut args: Vec<syn::Expr> = Vec::new();
        let mut buffers: Vec<syn::Expr> = Vec::new();
        // How each buffer's final contents come back.
        let mut by_value: Vec<Back> = Vec::new();
        // The helpers' results lent whole.
        let mut lent: Vec<VarId> = Vec::new();
        // A method's own buffers passed on bare (checked with its call).
        let mut method_lent = Vec::new();
        for (k, a) in call_args.iter().enumerate() {
            // (An array buffer of a value form passed on: `&mut d`.)
            let a = crate::buffers::fixed_mut_arg(a).unwrap_or(a);
            // `&mut *d` is `&mut d[..]`, `&*d` is `&d[..]`.
            let whole = self.whole_slice(a);
            let a = whole.as_ref().unwrap_or(a);
            // The function's own buffer passed on (`g(x, dydt)`): `g`'s
            // parameter is checked to be a buffer.
            if let Some(b) = self.buffer_param(a) {
                match p {
                    Some(_) => self.note_lent(p, call_args.len(), k, b, false),
                    // A method's: checked with its call (`method_check`).
                    None => method_lent.push(crate::ir::Lent {
                        callee: String::new(),
                        arity: call_args.len(),
                        position: k,
                        name: b.to_token_stream().to_string().replace(' ', ""),
                        span: b.span(),
                        borrowed: false,
                    }),
                }
                buffers.push(b.clone());
                by_value.push(Back::Copy);
                args.push(syn::parse_quote!(#b.to_vec()));
                continue;
            }
            match strip_parens(a) {
                syn::Expr::Reference(r) if r.mutability.is_some() => {
                    self.note_lent(p, call_args.len(), k, &r.expr, true);
                    // An array, or a range of one (`&mut d[a..b]`).
                    let (base, range) = match strip_parens(&r.expr) {
                        syn::Expr::Index(ix) => match strip_parens(&ix.index) {
                            syn::Expr::Range(range) => (&*ix.expr, Some(range)),
                            _ => (&*r.expr, None),
                        },
                        other => (other, None),
                    };
                    // A nalgebra value (`&mut y` for a `DVector`), whole:
                    // moved in and assigned back (`y = __ad_value_g(y);`).
                    let matrix = match (strip_parens(base), range) {
                        (syn::Expr::Path(b), None) => self.local_of(b).filter(|v| {
                            let var = &self.prog.vars[*v];
                            self.prog.matrix && !var.scalar && (!var.array || var.by_element)
                        }),
                        _ => None,
                    };
                    if let Some(v) = matrix {
                        args.push(syn::parse_quote!(#base));
                        buffers.push(base.clone());
                        // A helper's result, maybe an `[f64; N]`, which a
                        // value form takes as a `Vec`: `lend_whole(y)` in
                        // (`lower_call_arg`), `unlend_whole(new_y, &y_like)`
                        // back.
                        if self.call_results.contains(&v) {
                            // (Its type, taken before it is moved.)
                            let y = self.prog.name(v).clone();
                            let name = self
                                .prog
                                .names
                                .fresh(&format!("{y}_like"), Span::call_site());
                            let like = self.new_var(name, VarKind::Temp, false);
                            self.stmts.push(Stmt::Let {
                                var: like,
                                ty: None,
                                expr: Expr::Opaque(quote!(__rt::like(&#y)), vec![v]),
                                span: base.span(),
                            });
                            lent.push(v);
                            by_value.push(Back::Unlend(like));
                        } else {
                            // Otherwise a copy in, moved where nothing
                            // reads it again.
                            by_value.push(Back::Whole);
                        }
                        continue;
                    }
                    let array = match strip_parens(base) {
                        syn::Expr::Path(b) => self
                            .local_of(b)
                            .filter(|v| self.prog.vars[*v].array && !self.prog.vars[*v].borrowed),
                        // A row of a 2-D array (`&mut m[i]`), copied out
                        // and back like a range (its index read twice:
                        // only a name, a literal or arithmetic of them).
                        syn::Expr::Index(row) if plain_index(&row.index) => self
                            .nested_var(&row.expr, false)
                            .filter(|v| !self.prog.vars[*v].borrowed),
                        _ => None,
                    };
                    if array.is_none() {
                        self.errors.spanned(
                            r,
                            "pass an array, a range of one or a row of a 2-D array as a buffer \
                             to a differentiated function (`g(x, &mut d)`, `g(x, &mut d[a..b])`, \
                             `g(x, &mut m[i])` for a `Vec<f64>`, an `[f64; N]` or a `&mut [f64]` \
                             parameter `d`, a `Vec<Vec<f64>>` or `[[f64; N]; M]` local `m`)",
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
                    by_value.push(Back::Copy);
                }
                a => args.push(a.clone()),
            }
        }
        // The final contents come back by value and are copied into the
        // buffers (whatever they are: `Vec`, array, `&mut [f64]`).
        let call: syn::Expr = syn::parse_quote!(#callee(#(#args),*));
        let temps: Vec<syn::Ident> = (0..buffers.len())
            .map(|k| quote::format_ident!("__ad_buffer_{}", k))
            .collect();
        // A tuple result comes whole (`buffers.rs`): `let (a, b) = g(&mut
        // y);` binds it, then destructures it.
        let tuple = pat.filter(|p| {
            matches!(p, syn::Pat::Tuple(_))
                || matches!(p, syn::Pat::Type(t) if matches!(&*t.pat, syn::Pat::Tuple(_)))
        });
        let whole = quote::format_ident!("__ad_tuple_result");
        let values: syn::Stmt = match (pat, temps.as_slice()) {
            (None, [t]) => syn::parse_quote!(let #t = #call;),
            (None, ts) => syn::parse_quote!(let (#(#ts),*) = #call;),
            (Some(_), ts) if tuple.is_some() => {
                syn::parse_quote!(let (#whole, #(#ts),*) = #call;)
            }
            (Some(pat), ts) => syn::parse_quote!(let (#pat, #(#ts),*) = #call;),
        };
        let outer = std::mem::replace(&mut self.lent_whole, lent);
        let noted = self.prog.methods.len();
        self.lower_stmt(&values);
        self.lent_whole = outer;
        // The method's call is noted first, before any in its arguments.
        if let Some(m) = self.prog.methods.get_mut(noted) {
            if m.method.to_string().starts_with("__ad_value_") {
                let g = m.method.to_string();
                let g = g
                    .trim_start_matches("__ad_value_ret_")
                    .trim_start_matches("__ad_value_");
                for mut l in method_lent {
                    l.callee = g.to_owned();
                    m.lent.push(l);
                }
            }
        }
        for ((b, t), back) in buffers.iter().zip(&temps).zip(by_value) {
            match back {
                Back::Whole => {
                    // The value form gives a nalgebra buffer back in its
                    // own type: the new version is read as the buffer was,
                    // so that a second loan lends it whole again.
                    let old = match strip_parens(b) {
                        syn::Expr::Path(p) => self.local_of(p),
                        _ => None,
                    };
                    self.lower_stmt(&syn::parse_quote!(#b = #t;));
                    let new = match strip_parens(b) {
                        syn::Expr::Path(p) => self.local_of(p),
                        _ => None,
                    };
                    if let (Some(old), Some(new)) = (old, new) {
                        let o = &self.prog.vars[old];
                        let flags = (o.array, o.by_element, o.scalar);
                        let n = &mut self.prog.vars[new];
                        (n.array, n.by_element, n.scalar) = flags;
                    }
                }
                Back::Unlend(old) => self.unlend_whole(b, old, t),
                // A 2-D buffer, row by row.
                Back::Copy if self.nested_var(b, false).is_some() => {
                    let r = quote::format_ident!("__ad_r");
                    self.lower_stmt(&syn::parse_quote! {
                        for #r in 0..#t.len() {
                            #b[#r].copy_from_slice(&#t[#r]);
                        }
                    });
                }
                Back::Copy => self.lower_stmt(&syn::parse_quote!(#b.copy_from_slice(&#t);)),
            }
        }
        if let Some(pat) = tuple {
            self.lower_stmt(&syn::parse_quote!(let #pat = #whole;));
        }
    }

    /// `y = unlend_whole(t, &like)`: the value form's result `t` back into a
    /// helper's result `y` lent whole, in its type (`like`, taken before the
    /// call: an array from a `Vec`), in place in a slot, as a new version in
    /// straight-line code.
    fn unlend_whole(&mut self, b: &syn::Expr, like: VarId, t: &syn::Ident) {
        let syn::Expr::Path(p) = strip_parens(b) else {
            return;
        };
        let (Some(old), Some(t)) = (self.local_of(p), self.lookup(&t.to_string())) else {
            return;
        };
        let (t, span) = (t.var, b.span());
        let expr = Expr::Rule("unlend_whole", vec![Expr::var(t), Expr::var(like)]);
        let varied = self.var_varied(t) || self.var_varied(old);
        if self.prog.vars[old].slot {
            if varied {
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
        let value = self.temp(expr, varied, span);
        if let Operand::Var(n) = value {
            let (array, by_element) = (self.prog.vars[old].array, self.prog.vars[old].by_element);
            self.prog.vars[n].array = array;
            self.prog.vars[n].by_element = by_element;
            self.call_results.insert(n);
        }
        if let Some(ident) = p.path.get_ident() {
            self.bind_value(&ident.clone(), true, None, value, span);
        }
    }

    /// A buffer lent to the `k`-th of `arity` parameters of `g` (called by
    /// the path `p`), which is checked to be a buffer (`callcheck.rs`; not
    /// for a method: it has no marker of its parameters).
    fn note_lent(
        &mut self,
        p: Option<&syn::ExprPath>,
        arity: usize,
        k: usize,
        b: &syn::Expr,
        borrowed: bool,
    ) {
        if let Some((Some(g), None)) = p.map(|p| (p.path.get_ident(), &p.qself)) {
            self.prog.lent.push(crate::ir::Lent {
                callee: g.unraw().to_string(),
                arity,
                position: k,
                name: b.to_token_stream().to_string().replace(' ', ""),
                span: b.span(),
                borrowed,
            });
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
    pub(super) fn passes_buffer_param(&self, c: &syn::ExprCall) -> bool {
        c.args.iter().any(|a| self.buffer_param(a).is_some())
    }
}

/// Whether a call passes a `&mut` argument (a buffer).
pub(super) fn passes_buffer(c: &syn::ExprCall) -> bool {
    c.args.iter().any(|a| {
        let a = crate::buffers::fixed_mut_arg(a).unwrap_or(a);
        matches!(strip_parens(a), syn::Expr::Reference(r) if r.mutability.is_some())
    })
}

/// The name of the value form of `g` called for a result bound to `pat`
/// (`__ad_value_ret_g`), or for its buffers only (`__ad_value_g`).
fn value_form_name(g: &syn::Ident, pat: Option<&syn::Pat>) -> syn::Ident {
    match pat.filter(|p| !matches!(p, syn::Pat::Wild(_))) {
        Some(_) => crate::buffers::result_value_name(g),
        None => crate::buffers::value_name(g),
    }
}

/// How a buffer lent to a value form gets its final contents back.
#[derive(Clone, Copy)]
enum Back {
    /// Copied into it (an array, a range of one, a buffer parameter).
    Copy,
    /// Assigned whole (a nalgebra value).
    Whole,
    /// Assigned whole in its own type (a helper's result lent whole), the
    /// variable of that type (`like(&y)`).
    Unlend(VarId),
}

/// An index that may be read twice (a row lent and copied back): a name, a
/// literal, or arithmetic of them.
fn plain_index(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Path(_) | syn::Expr::Lit(_) => true,
        syn::Expr::Paren(p) => plain_index(&p.expr),
        syn::Expr::Binary(b) => plain_index(&b.left) && plain_index(&b.right),
        _ => false,
    }
}
