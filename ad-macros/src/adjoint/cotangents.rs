//! Cotangent variables of the reverse sweep: declaring them (as zeros of
//! their value's shape, where a branch or loop adds to them), and adding a
//! contribution to one (a whole value, an element, a member, a helper's
//! cotangent).

use super::*;
use crate::activity::differentiable_reads;
use crate::ir::{AssignOp, Block, Expr, Operand, Place, Stmt, VarId, VarKind, START};

impl Adjoint<'_> {
    /// Whether the variable's value can be read in the reverse sweep, at
    /// the end of the reverse block `out`. In code on nalgebra values, also
    /// a value of a loop or a branch that is still in scope there: declared
    /// at the top level of a single-pass loop, or computed again in `out`
    /// (the operand of an element read, `(y * a)[0]`, or of a call). So
    /// too an array's (`let d = [..];` in a loop): `0.0` is not its zero.
    pub(super) fn available(&self, v: VarId, out: &[Stmt]) -> bool {
        matches!(self.prog.vars[v].kind, VarKind::Param(_))
            || self.decl_depth.get(&v).copied().unwrap_or(0) == 0
            || self.hoisted.contains(&v)
            || ((self.prog.matrix || self.prog.vars[v].array)
                && (self.pass_locals.contains(&v)
                    || out
                        .iter()
                        .any(|s| matches!(s, Stmt::Let { var, .. } if *var == v))))
    }

    /// A new adjoint variable `v_bar`, an array where `v` is one (so that
    /// taking it leaves a zero of its shape).
    pub(super) fn adjoint_var(&mut self, v: VarId) -> VarId {
        let vb = self.prog.derived(&format!("{}_bar", self.prog.name(v)));
        self.prog.vars[vb].array = self.prog.vars[v].array;
        vb
    }

    /// A zero adjoint for `v`, declared before a branch or loop that adds to
    /// it (or before an element of it or a helper's cotangent for a part of
    /// it is added). A
    /// value the reverse sweep cannot read there gets the zero `0.0` (of
    /// `T` in a function generic over `T`).
    pub(super) fn declare_zero(&mut self, v: VarId, out: &mut Block) -> VarId {
        let zero = self.zero_of(v, out);
        let vb = self.adjoint_var(v);
        out.push(Stmt::Let {
            var: vb,
            ty: None,
            expr: zero,
            span: Span::call_site(),
        });
        self.adj.insert(v, vb);
        vb
    }

    /// The adjoint of `v` declared by its first contribution, a callee's
    /// cotangent `c` (which may be `()` or an `Option`, see `AddTo`):
    /// `let v_bar = start(zero, c);`, for a number the cotangent itself,
    /// not `zero + c` (an addition the compiler keeps, for `-0.0`).
    pub(super) fn declare_started(&mut self, v: VarId, c: Expr, span: Span, out: &mut Block) {
        let zero = self.zero_of(v, out);
        let vb = self.adjoint_var(v);
        out.push(Stmt::Let {
            var: vb,
            ty: None,
            expr: Expr::Rule(START, vec![zero, c]),
            span,
        });
        self.adj.insert(v, vb);
    }

    /// [`Self::declare_zero`]'s zero.
    fn zero_of(&self, v: VarId, out: &[Stmt]) -> Expr {
        let field_of = self.prog.vars[v].field_of.clone();
        if self.prog.vars[v].field && self.available(v, out) {
            // A struct's field: nothing for a configuration field.
            Expr::Rule("field_zero", vec![Expr::var(v)])
        } else if let Some((s, m)) =
            field_of.filter(|(s, m)| m.reads.is_empty() && self.available(*s, out))
        {
            // A copy of a local struct's field, out of its scope: a zero
            // of the field's type from the struct (`field_zero(&s.n)`).
            Expr::Rule("field_zero", vec![Expr::Member(s, m)])
        } else if self.available(v, out) {
            Expr::ZeroLike(Box::new(Expr::var(v)))
        } else if let Some(t) = self.prog.real.clone() {
            // Generic over `T`: `0.0` is no `T`. A value bound in this
            // block (`let t = xs[i];` computed again) gives its own zero.
            if out
                .iter()
                .any(|s| matches!(s, Stmt::Let { var, .. } if *var == v))
            {
                Expr::ZeroLike(Box::new(Expr::var(v)))
            } else {
                Expr::constant(quote!(<#t as __rt::num_traits::Zero>::zero()))
            }
        } else {
            Expr::constant(quote!(0.0))
        }
    }

    /// Adds `c` (or `-c`) to the adjoint of a target.
    pub(super) fn accumulate(
        &mut self,
        target: Target,
        c: Expr,
        sub: bool,
        span: Span,
        out: &mut Block,
    ) {
        let op = if sub { AssignOp::Sub } else { AssignOp::Add };
        match target {
            // A whole array (a copy `let w = v.clone();`): added element by
            // element, the cotangent borrowed (it may be read again).
            // Its first contribution, an owned cotangent of the same
            // shape: taken as it is (`let v_bar = dout.0;`).
            Target::Var(v)
                if self.prog.vars[v].array
                    && !sub
                    && self.owned_now
                    && !self.adj.contains_key(&v)
                    && !self.prog.vars[v].nested
                    && !self.prog.vars[v].field
                    && self.prog.vars[v].field_of.is_none() =>
            {
                let vb = self.adjoint_var(v);
                self.adj.insert(v, vb);
                out.push(Stmt::Let {
                    var: vb,
                    ty: None,
                    expr: c,
                    span,
                });
            }
            Target::Var(v) if self.prog.vars[v].array && !sub => {
                let vb = match self.adj.get(&v) {
                    Some(&vb) => vb,
                    None => self.declare_zero(v, out),
                };
                out.push(Stmt::Assign {
                    place: Place::Var(vb),
                    op: AssignOp::Acc,
                    expr: Expr::Ref(Box::new(c)),
                    span,
                });
            }
            Target::Var(v) => match self.adj.get(&v) {
                Some(&vb) => out.push(Stmt::Assign {
                    place: Place::Var(vb),
                    // A struct's field may be an array, which has no `+=`;
                    // neither has a struct (`let q = p.clone();`).
                    op: if (self.is_field_borrow(v) || self.prog.vars[v].structure) && !sub {
                        AssignOp::Acc
                    } else {
                        op
                    },
                    expr: c,
                    span,
                }),
                None => {
                    let vb = self.adjoint_var(v);
                    self.adj.insert(v, vb);
                    let expr = if sub { Expr::Neg(Box::new(c)) } else { c };
                    out.push(Stmt::Let {
                        var: vb,
                        ty: None,
                        expr,
                        span,
                    });
                }
            },
            // `accumulate(&mut t_bar.k, c)`, whatever the member's type.
            // A member of a tuple bound by `let (a, b) = g(x);`: collected
            // until the reverse sweep reaches the tuple's definition.
            Target::Field(t, k)
                if self.owned_now
                    && !sub
                    && self.pending_ok == Some(t)
                    && !self.adj.contains_key(&t) =>
            {
                self.pending.entry(t).or_default().push((k, c));
            }
            Target::Field(t, k) => {
                let tb = match self.adj.get(&t) {
                    Some(&tb) => tb,
                    None => self.declare_zero(t, out),
                };
                out.push(Stmt::Assign {
                    place: Place::Field(tb, k),
                    op: AssignOp::Acc,
                    expr: c,
                    span,
                });
            }
            // `accumulate(&mut p_bar.w, c)`: the cotangent of a field of a
            // parameter struct, whatever the field's type.
            Target::Member(p, m) => {
                if matches!(self.prog.vars[p].kind, VarKind::Param(_)) {
                    self.member_params.insert(p);
                }
                let pb = match self.adj.get(&p) {
                    Some(&pb) => pb,
                    None => {
                        // (Fields of a parameter struct are read once each,
                        // at the top; those of a local, anywhere.)
                        // (and of an element, `p.layers[i].w`, anywhere).
                        if matches!(self.prog.vars[p].kind, VarKind::Param(_))
                            && !m.text().contains('[')
                        {
                            self.member_fresh.insert(p);
                        }
                        self.declare_zero(p, out)
                    }
                };
                // (A field read whole and by its own fields, `&p.inner`
                // and `p.inner.c`, adds: one would overwrite the other.)
                let op = if self.member_fresh.contains(&p) && !sub && !self.overlaps(p, &m) {
                    AssignOp::Set
                } else {
                    AssignOp::Acc
                };
                out.push(Stmt::Assign {
                    place: Place::Member(pb, m),
                    op,
                    expr: c,
                    span,
                });
            }
            // An element of a field of an element (`p.layers[i].b[r]`):
            // added in place, `p_bar.layers[i].b[r] += c`.
            Target::Index(a, i) if self.element_place(a, &i).is_some() => {
                let Some((p, m)) = self.element_place(a, &i) else {
                    return;
                };
                self.member_params.insert(p);
                let pb = match self.adj.get(&p) {
                    Some(&pb) => pb,
                    None => self.declare_zero(p, out),
                };
                out.push(Stmt::Assign {
                    place: Place::Member(pb, m),
                    op,
                    expr: c,
                    span,
                });
            }
            Target::Index(a, i) => {
                let ab = match self.adj.get(&a) {
                    Some(&ab) => ab,
                    None => self.declare_zero(a, out),
                };
                // A range (`x[a..b].to_vec()`) or a row of a 2-D array
                // (`a[r].to_vec()`, `a[r][1..].to_vec()`): added element by
                // element, the cotangent borrowed.
                let range = matches!(i, Expr::Range { .. });
                let row = self.prog.vars[a].nested
                    && !matches!(&i, Expr::Tuple(ix) if !matches!(ix.last(), Some(Expr::Range { .. })));
                let (op, expr) = if range || row {
                    (AssignOp::Acc, Expr::Ref(Box::new(c)))
                } else {
                    (op, c)
                };
                out.push(Stmt::Assign {
                    place: Place::Index(ab, i),
                    op,
                    expr,
                    span,
                });
            }
        }
    }

    /// The place of the element `i` of `a`, a borrow of a field of an
    /// element (`let a = &p.layers[k].b;`) with no adjoint of its own: the
    /// struct `p` and the path `layers[k].b[i]`. `None` for a range or a
    /// row, or an index that is not a name, a constant or inactive code.
    fn element_place(&self, a: VarId, i: &Expr) -> Option<(VarId, crate::ir::MemberPath)> {
        let (p, m) = self.element_fields.get(&a)?;
        if self.adj.contains_key(&a) {
            return None;
        }
        let nested = self.prog.vars[a].nested;
        let indices = i.indices();
        if indices.len() != if nested { 2 } else { 1 } {
            return None;
        }
        let mut path = m.clone();
        for ix in indices {
            let tokens = match ix {
                Expr::Use(Operand::Var(v)) => {
                    path.reads.push(*v);
                    let name = self.prog.name(*v);
                    quote!(#name)
                }
                Expr::Use(Operand::Const(t)) => t.clone(),
                Expr::Opaque(t, reads) => {
                    path.reads.extend(reads.iter().copied());
                    quote!((#t))
                }
                _ => return None,
            };
            path.tokens.extend(quote!([#tokens]));
        }
        Some((*p, path))
    }

    /// Where the reverse sweep reaches the definition of a tuple whose
    /// members' cotangents were collected (see `pending_ok`): its cotangent
    /// is the tuple of theirs, or, when a member has none, a zero of its
    /// shape they are added into.
    pub(super) fn pending_members(&mut self, t: VarId, out: &mut Block) {
        let Some(mut members) = self.pending.remove(&t) else {
            return;
        };
        members.sort_by_key(|(k, _)| *k);
        let whole = self.prog.vars[t].arity == Some(members.len())
            && members.iter().enumerate().all(|(i, (k, _))| i == *k)
            && !self.adj.contains_key(&t);
        if whole {
            let tb = self.adjoint_var(t);
            self.adj.insert(t, tb);
            out.push(Stmt::Let {
                var: tb,
                ty: None,
                expr: Expr::Tuple(members.into_iter().map(|(_, c)| c).collect()),
                span: Span::call_site(),
            });
            return;
        }
        let tb = match self.adj.get(&t) {
            Some(&tb) => tb,
            None => self.declare_zero(t, out),
        };
        for (k, c) in members {
            out.push(Stmt::Assign {
                place: Place::Field(tb, k),
                op: AssignOp::Acc,
                expr: c,
                span: Span::call_site(),
            });
        }
    }

    /// Whether another field of the struct `p` bound at the top of the body
    /// contains the field `m` or lies inside it (`p.inner`, `p.inner.c`).
    pub(super) fn overlaps(&self, p: VarId, m: &crate::ir::MemberPath) -> bool {
        let m = m.text();
        self.member_paths.iter().any(|(q, other)| {
            *q == p
                && *other != m
                && (other.starts_with(&format!("{m}.")) || m.starts_with(&format!("{other}.")))
        })
    }

    /// A borrow of a struct's field (`let p_w = &p.w;`): of a type the
    /// macro does not see.
    pub(super) fn is_field_borrow(&self, v: VarId) -> bool {
        self.prog.vars[v].is_field_borrow()
    }

    /// The adjoints touched inside a nested block that must exist before it.
    pub(super) fn declare_touched(&mut self, inner: &[Stmt], out: &mut Block) {
        let declared_inside = super::analysis::declared_in(None, inner);
        let mut touched = Vec::new();
        walk(inner, &mut |s| {
            let mut note = |v: VarId| {
                if !touched.contains(&v) {
                    touched.push(v);
                }
            };
            match s {
                Stmt::Let { expr, .. } => differentiable_reads(expr, &mut note),
                Stmt::Assign { place, expr, .. } => {
                    note(place.var());
                    differentiable_reads(expr, &mut note);
                }
                // (`v.push(b)`: `b`'s cotangent comes off `v`'s.)
                Stmt::Push { stack, value } => {
                    note(*stack);
                    differentiable_reads(value, &mut note);
                }
                _ => {}
            }
        });
        for v in touched {
            if self.act.is_active(v) && !declared_inside.contains(&v) && !self.adj.contains_key(&v)
            {
                self.declare_zero(v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::expand::expand;
    use quote::quote;

    #[test]
    fn a_helpers_cotangent_starts_the_adjoint_it_is_the_first_of() {
        let out = expand(
            proc_macro2::TokenStream::new(),
            quote! {
                fn f(x: &[f64], w: f64) -> f64 {
                    let mut s = 0.0;
                    for i in 0..x.len() {
                        s += helper(x[i] * w) * w;
                    }
                    s + helper(w * w)
                }
            },
        )
        .to_string()
        .replace(' ', "");
        assert!(!out.contains("compile_error"), "{out}");
        // Each argument's adjoint is the pullback's cotangent itself, not
        // `0.0` plus it (an addition the compiler keeps): in a loop, where
        // the argument cannot be read (`0.0`), at the top level, where its
        // zero is `zero_like`, and in `_hvp` for the tangent as well.
        let vjp = &out[out.find("fn__ad_vjp_f").expect("__ad_vjp_f")..];
        assert!(vjp.contains("_bar=__rt::start(0.0,pair_1.1);"), "{vjp}");
        assert!(
            vjp.contains("_bar=__rt::start(__rt::zero_like(&t_4),pair.1);"),
            "{vjp}"
        );
        let hvp = &out[out.find("fnf_hvp").expect("f_hvp")..];
        assert!(hvp.contains("_bar=__rt::start(0.0,dpair_1.1);"), "{hvp}");
        assert!(!out.contains("accumulate("), "{out}");
    }
}
