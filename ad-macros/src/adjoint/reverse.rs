//! The reverse sweep: the primal statements walked backwards, restoring
//! what the forward sweep recorded, recomputing temporaries, and
//! declaring and accumulating the adjoints.

use super::analysis::{
    accumulators_of, collect_reads, collect_shallow_reads, collect_shallow_shapes, exits,
    recomputable, simple_range,
};
use super::{site, Adjoint, Record, Target};
use crate::activity::differentiable_reads;
use crate::ir::{walk, AssignOp, Block, Expr, Header, Place, Stmt, VarId, VarKind};
use proc_macro2::Span;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{HashMap, HashSet};

impl Adjoint<'_> {
    /// A loop over a simple range whose bounds read only stable variables and
    /// whose body cannot leave it early: every iteration runs, so the
    /// reverse sweep replays `(a..b).rev()` without any record.
    pub(super) fn is_static(&self, iter: &TokenStream, reads: &[VarId], body: &[Stmt]) -> bool {
        simple_range(iter).is_some()
            && reads.iter().all(|v| self.stable.contains(v))
            && !exits(body)
    }

    /// Whether the variable's value can be read in the reverse sweep, at
    /// the end of the reverse block `out`. In code on nalgebra values, also
    /// a value of a loop or a branch that is still in scope there: declared
    /// at the top level of a single-pass loop, or computed again in `out`
    /// (the operand of an element read, `(y * a)[0]`, or of a call).
    fn available(&self, v: VarId, out: &[Stmt]) -> bool {
        matches!(self.prog.vars[v].kind, VarKind::Param(_))
            || self.decl_depth.get(&v).copied().unwrap_or(0) == 0
            || self.hoisted.contains(&v)
            || (self.prog.matrix
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
    /// it (or before an element of it or a helper's cotangent is added). A
    /// value the reverse sweep cannot read there gets the zero `0.0`.
    pub(super) fn declare_zero(&mut self, v: VarId, out: &mut Block) -> VarId {
        let vb = self.adjoint_var(v);
        let field_of = self.prog.vars[v].field_of.clone();
        let zero = if self.prog.vars[v].field && self.available(v, out) {
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
        } else {
            Expr::constant(quote!(0.0))
        };
        out.push(Stmt::Let {
            var: vb,
            ty: None,
            expr: zero,
            span: Span::call_site(),
        });
        self.adj.insert(v, vb);
        vb
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
                    // A struct's field may be an array, which has no `+=`.
                    op: if self.is_field_borrow(v) && !sub {
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
    fn overlaps(&self, p: VarId, m: &crate::ir::MemberPath) -> bool {
        let m = m.text();
        self.member_paths.iter().any(|(q, other)| {
            *q == p
                && *other != m
                && (other.starts_with(&format!("{m}.")) || m.starts_with(&format!("{other}.")))
        })
    }

    /// A borrow of a struct's field (`let p_w = &p.w;`): of a type the
    /// macro does not see.
    fn is_field_borrow(&self, v: VarId) -> bool {
        self.prog.vars[v].is_field_borrow()
    }

    /// The adjoints touched inside a nested block that must exist before it.
    pub(super) fn declare_touched(&mut self, inner: &[Stmt], out: &mut Block) {
        let mut declared_inside = HashSet::new();
        walk(inner, &mut |s| {
            if let Stmt::Let { var, .. } = s {
                declared_inside.insert(*var);
            }
            if let Stmt::Loop {
                header: Header::For { var: Some(v), .. },
                ..
            } = s
            {
                declared_inside.insert(*v);
            }
        });
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

    /// A nested reverse block: adjoints declared in it do not outlive it.
    pub(super) fn nested_rev(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let saved = self.adj.clone();
        let out = self.rev(block, depth, loops);
        self.adj = saved;
        out
    }

    pub(super) fn rev(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let mut out = self.replay(block);
        // Recomputable temporaries of this block, by variable.
        let temps: HashMap<VarId, usize> = if depth > 0 {
            block
                .iter()
                .enumerate()
                .filter_map(|(i, s)| recomputable(self.prog, s, self.save_costly).map(|v| (v, i)))
                .filter(|(v, _)| !self.replayed.contains(v))
                .collect()
        } else {
            HashMap::new()
        };
        for idx in (0..block.len()).rev() {
            let stmt = &block[idx];
            if matches!(stmt, Stmt::Let { var, .. } if self.replayed.contains(var)) {
                continue; // computed again at the top
            }
            if depth > 0 && recomputable(self.prog, stmt, self.save_costly).is_some() {
                continue; // reversed with the statement that uses it
            }
            let start = out.len();
            let mut mark = self
                .rev_stmt(block, idx, &temps, depth, loops, &mut out)
                .unwrap_or(start);
            drop_dead_temps(&mut out, start, &mut mark, &temps);
            let (mut before, mut after) = (HashSet::new(), HashSet::new());
            collect_shallow_reads(&out[start..mark], &mut before);
            collect_shallow_reads(&out[mark..], &mut after);
            // The zero adjoint of an array or a helper's result declared in
            // a loop has the shape of this iteration's value, which may
            // differ from the last one's (`d[j..].to_vec()`, a helper's
            // `Vec` of varying length): that reads it.
            for (part, reads) in [(&out[start..mark], &mut before), (&out[mark..], &mut after)] {
                let mut shapes = HashSet::new();
                collect_shallow_shapes(part, &mut shapes);
                reads.extend(shapes.into_iter().filter(|v| self.shaped.contains(v)));
            }
            if let Some(&i) = self.index.get(&site(stmt)) {
                self.reads_before_restore[i].extend(before);
                self.reads_after_restore[i].extend(after);
            }
        }
        // (Members are collected only up to their tuple's definition in
        // the same block, which comes first in the forward sweep.)
        let mut left: Vec<VarId> = self.pending.keys().copied().collect();
        left.sort_unstable();
        for t in left {
            self.pending_members(t, &mut out);
        }
        out
    }

    /// The replayed `let`s of `block` that its reverse code reads
    /// ([`replayed_lets`](super::analysis::replayed_lets)), computed again
    /// in their order, with the temporaries they read.
    fn replay(&self, block: &[Stmt]) -> Block {
        let mut wanted: HashSet<VarId> = HashSet::new();
        for s in block.iter().rev() {
            if let Stmt::Let { var, expr, .. } = s {
                let user = self.prog.vars[*var].kind != VarKind::Temp;
                if self.replayed.contains(var)
                    && ((user && self.needed.contains(var)) || wanted.contains(var))
                {
                    wanted.insert(*var);
                    expr.for_each_var(&mut |r| {
                        wanted.insert(r);
                    });
                }
            }
        }
        block
            .iter()
            .filter(|s| matches!(s, Stmt::Let { var, .. } if self.replayed.contains(var) && wanted.contains(var)))
            .cloned()
            .collect()
    }

    /// The reverse of one statement of `block`.
    fn rev_stmt(
        &mut self,
        block: &[Stmt],
        idx: usize,
        temps: &HashMap<VarId, usize>,
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) -> Option<usize> {
        let stmt = &block[idx];
        {
            match stmt {
                Stmt::Let {
                    var, expr, span, ..
                } => {
                    let group = self.group(block, idx, temps);
                    let late = self.recompute_early(block, &group, *var, out);
                    self.pending_members(*var, out);
                    let seed = if self.act.is_active(*var) {
                        self.adj.get(var).copied()
                    } else {
                        None
                    };
                    let place = Place::Var(*var);
                    let write = (&place, expr, stmt, *span);
                    self.pullback_here = self.pullbacks.get(&site(stmt)).cloned();
                    self.owned_seed = seed;
                    self.pending_ok = member_of(block, idx);
                    let at = self.reverse_write(block, &group, &late, write, seed, out);
                    self.owned_seed = None;
                    self.pending_ok = None;
                    self.pullback_here = None;
                    return Some(at);
                }
                Stmt::Assign {
                    place,
                    op,
                    expr,
                    span,
                } => {
                    let group = self.group(block, idx, temps);
                    let target = place.var();
                    let late = self.recompute_early(block, &group, target, out);
                    if let (Place::Var(t), AssignOp::Set) = (place, op) {
                        self.pending_members(*t, out);
                    }
                    let active = self.act.is_active(target);
                    let adj_place = if active {
                        self.adj.get(&target).map(|&tb| place.of(tb))
                    } else {
                        None
                    };
                    let seed = adj_place.map(|ap| {
                        let sb = self
                            .prog
                            .derived(&format!("{}_seed", self.prog.name(target)));
                        let e = match op {
                            AssignOp::Set => Expr::Take(Box::new(ap)),
                            AssignOp::Add | AssignOp::Acc => ap.read(),
                            AssignOp::Sub => Expr::Neg(Box::new(ap.read())),
                        };
                        out.push(Stmt::Let {
                            var: sb,
                            ty: None,
                            expr: e,
                            span: *span,
                        });
                        sb
                    });
                    let write = (place, expr, stmt, *span);
                    self.pullback_here = self.pullbacks.get(&site(stmt)).cloned();
                    // (Taken from the target's adjoint: nothing reads it after.)
                    if matches!(op, AssignOp::Set) {
                        self.owned_seed = seed;
                        self.pending_ok = member_of(block, idx);
                    }
                    let mark = self.reverse_write(block, &group, &late, write, seed, out);
                    self.owned_seed = None;
                    self.pending_ok = None;
                    self.pullback_here = None;
                    // A `Vec` grown by `push` got back its old value, maybe
                    // of another length: so does its adjoint (zero).
                    if let (Place::Var(v), AssignOp::Set, Some(_)) = (place, op, seed) {
                        if self.pushed.contains(v) {
                            let vb = self.adj[v];
                            out.push(Stmt::Assign {
                                place: Place::Var(vb),
                                op: AssignOp::Set,
                                expr: Expr::ZeroLike(Box::new(Expr::var(*v))),
                                span: *span,
                            });
                        }
                    }
                    return Some(mark);
                }
                // `v.push(e)`: the `Vec` shrinks back, and the pushed
                // element's cotangent comes off the end of its adjoint.
                // Its value's temporaries are computed again after the pop,
                // as they were before the push (`v.push(v[v.len() - 1])`).
                Stmt::Push { stack, value } if self.pushed.contains(stack) => {
                    let group = self.group(block, idx, temps);
                    let mark = out.len();
                    let v = self.prog.name(*stack).clone();
                    out.push(Stmt::Opaque(quote!(#v.pop();), vec![*stack]));
                    let span = Span::call_site();
                    let seed = self.adj.get(stack).copied().map(|vb| {
                        let sb = self.prog.derived(&format!("{v}_seed"));
                        out.push(Stmt::Let {
                            var: sb,
                            ty: None,
                            expr: Expr::Pop(vb),
                            span,
                        });
                        sb
                    });
                    self.reverse_group(
                        block,
                        &group,
                        &group,
                        value,
                        value.clone(),
                        seed,
                        span,
                        out,
                    );
                    return Some(mark);
                }
                Stmt::If { then, els, .. } => {
                    let mut inner: Vec<Stmt> = then.clone();
                    inner.extend(els.iter().cloned());
                    self.declare_touched(&inner, out);
                    let cond = match self.decisions.get(&site(stmt)).cloned() {
                        Some(Record::Here(e)) => e,
                        Some(Record::Local(v)) => Expr::var(v),
                        Some(Record::Stack(s)) => Expr::Pop(s),
                        None => Expr::constant(quote!(false)),
                    };
                    let then = self.nested_rev(then, depth + 1, loops);
                    let els = self.nested_rev(els, depth + 1, loops);
                    out.push(Stmt::If { cond, then, els });
                }
                Stmt::Loop {
                    header,
                    body,
                    checkpoint: Some(_),
                } => {
                    let var = match header {
                        Header::For { var, .. } => *var,
                        _ => None,
                    };
                    self.rev_checkpoint(stmt, (var, body), depth, loops, out)
                }
                Stmt::Loop { header, body, .. } if self.single_pass.contains_key(&site(stmt)) => {
                    self.declare_touched(body, out);
                    // Each iteration: its values, then their adjoints. Straight
                    // code records nothing; otherwise the iteration's forward
                    // sweep records what its own reverse sweep reads.
                    let mut combined = if self.single_pass[&site(stmt)] {
                        body.clone()
                    } else {
                        self.in_pass = accumulators_of(body).into_iter().collect();
                        let fwd = self.fwd(body, 0, 0);
                        self.in_pass.clear();
                        fwd
                    };
                    combined.extend(self.nested_rev(body, 0, 0));
                    out.push(Stmt::Loop {
                        header: header.clone(),
                        body: combined,
                        checkpoint: None,
                    });
                    let mut values: Vec<(VarId, VarId)> =
                        self.pass_values.iter().map(|(a, b)| (*a, *b)).collect();
                    values.sort_unstable();
                    for (acc, v) in values {
                        let mut written = false;
                        walk(body, &mut |s| {
                            if let Stmt::Assign { place, .. } = s {
                                written |= place.var() == acc;
                            }
                        });
                        if written {
                            out.push(Stmt::Let {
                                var: v,
                                ty: None,
                                expr: Expr::var(acc),
                                span: Span::call_site(),
                            });
                        }
                    }
                    // The statements before the loop see the values they saw.
                    for (acc, r) in self.pass_entries.remove(&site(stmt)).unwrap_or_default() {
                        out.push(Self::restore(&Place::Var(acc), &r));
                    }
                }
                Stmt::Loop {
                    header: Header::For { var, iter, reads },
                    body,
                    ..
                } if self.static_loops.contains(&site(stmt)) => {
                    self.declare_touched(body, out);
                    let r = simple_range(iter).expect("a static loop is over a simple range");
                    let (lo, hi) = (&r.start, &r.end);
                    let dots = if r.inclusive { quote!(..=) } else { quote!(..) };
                    let iter = if r.reversed {
                        quote!(#lo #dots #hi)
                    } else {
                        quote!((#lo #dots #hi).rev())
                    };
                    let rbody = self.nested_rev(body, depth + 1, loops + 1);
                    out.push(Stmt::Loop {
                        header: Header::For {
                            var: *var,
                            iter,
                            reads: reads.clone(),
                        },
                        body: rbody,
                        checkpoint: None,
                    });
                }
                Stmt::Loop { header, body, .. } => {
                    self.declare_touched(body, out);
                    let count = match self.counts.get(&site(stmt)).cloned() {
                        Some(Record::Here(e)) => e,
                        Some(Record::Local(v)) => Expr::var(v),
                        Some(Record::Stack(s)) => Expr::Pop(s),
                        None => Expr::constant(quote!(0usize)),
                    };
                    let mut rbody = self.nested_rev(body, depth + 1, loops + 1);
                    if let (Header::For { var: Some(v), .. }, Some(&s)) =
                        (header, self.loop_var_saves.get(&site(stmt)))
                    {
                        rbody.push(Self::restore(&Place::Var(*v), &Record::Stack(s)));
                    }
                    let anchor = self.anchors.get(&site(stmt)).cloned();
                    let header = match (header, anchor) {
                        (Header::For { var, iter, .. }, Some(anchor)) => {
                            // The same indices, backwards.
                            let r = simple_range(iter).expect("recorded as a simple range");
                            let (a, n) = (self.prog.derived("anchor"), self.prog.derived("count"));
                            let value = match anchor {
                                Record::Here(e) => e,
                                Record::Local(v) => Expr::var(v),
                                Record::Stack(s) => Expr::Pop(s),
                            };
                            for (v, e) in [(a, value), (n, count)] {
                                out.push(Stmt::Let {
                                    var: v,
                                    ty: None,
                                    expr: e,
                                    span: Span::call_site(),
                                });
                            }
                            let (an, nn) = (self.prog.name(a).clone(), self.prog.name(n).clone());
                            let iter = match (r.reversed, r.inclusive) {
                                (false, _) => quote!(::ad::__rt::indices_back(#an, #nn)),
                                (true, false) => {
                                    quote!(::ad::__rt::indices_back_from_end(#an, #nn))
                                }
                                (true, true) => {
                                    quote!(::ad::__rt::indices_back_from_last(#an, #nn))
                                }
                            };
                            Header::For {
                                var: *var,
                                iter,
                                reads: vec![a, n],
                            }
                        }
                        _ => Header::Times(count),
                    };
                    out.push(Stmt::Loop {
                        header,
                        body: rbody,
                        checkpoint: None,
                    });
                }
                Stmt::Opaque(..) => {
                    if let Some(saved) = self.opaque_saves.get(&site(stmt)).cloned() {
                        for (v, r) in saved.iter().rev() {
                            out.push(Self::restore(&Place::Var(*v), r));
                        }
                    }
                }
                Stmt::Break | Stmt::Continue | Stmt::Push { .. } => {}
            }
        }
        None
    }

    /// The temporaries (defined earlier in `block`) that the statement at
    /// `idx` reads, directly or through each other, in order.
    fn group(&self, block: &[Stmt], idx: usize, temps: &HashMap<VarId, usize>) -> Vec<usize> {
        let mut found = HashSet::new();
        let mut todo = Vec::new();
        let reads = |s: &Stmt, todo: &mut Vec<VarId>| match s {
            Stmt::Let { expr, .. } | Stmt::Push { value: expr, .. } => {
                expr.for_each_var(&mut |v| todo.push(v))
            }
            Stmt::Assign { place, expr, .. } => {
                expr.for_each_var(&mut |v| todo.push(v));
                if let Place::Index(_, i) = place {
                    i.for_each_var(&mut |v| todo.push(v));
                }
            }
            _ => {}
        };
        reads(&block[idx], &mut todo);
        while let Some(v) = todo.pop() {
            if let Some(&i) = temps.get(&v) {
                if i < idx && found.insert(i) {
                    reads(&block[i], &mut todo);
                }
            }
        }
        let mut group: Vec<usize> = found.into_iter().collect();
        group.sort_unstable();
        group
    }

    /// The reverse code of a write `place = expr` (`write`: with its
    /// statement and span): the target restored, then the contributions of
    /// the statement's group. Where the target is restored, the value the
    /// write produced is read into a `value` variable first, kept only if a
    /// contribution reads it (`exp`'s derivative is its value, `sin`'s
    /// needs its argument only). Returns where the restore starts.
    fn reverse_write(
        &mut self,
        block: &[Stmt],
        group: &[usize],
        late: &[usize],
        (place, expr, stmt, span): (&Place, &Expr, &Stmt, Span),
        seed: Option<VarId>,
        out: &mut Block,
    ) -> usize {
        let restore = self.saves.get(&site(stmt)).cloned();
        if self.pullback_here.is_some() {
            // A call in split form: its pullback reads what the callee
            // saved on the stream after the target's old value, so it runs
            // before the restore; it runs even when nothing reads the value
            // (the stream must be read back in order). It does not read the
            // value.
            let mark = out.len();
            let seed = match seed {
                Some(s) => s,
                None => self.declare_zero(place.var(), out),
            };
            self.reverse_group(
                block,
                group,
                late,
                expr,
                place.read(),
                Some(seed),
                span,
                out,
            );
            if let Some(r) = restore {
                out.push(Self::restore(place, &r));
            }
            return mark;
        }
        let value = restore.is_some().then(|| {
            let y = self.prog.derived("value");
            out.push(Stmt::Let {
                var: y,
                ty: None,
                expr: place.read(),
                span: Span::call_site(),
            });
            y
        });
        let mark = out.len();
        if let Some(r) = restore {
            out.push(Self::restore(place, &r));
            // A nalgebra value may change shape from one round to the next
            // (`h = w[i] * &h`, layers of several sizes): its adjoint, taken
            // as the seed, starts again as a zero of the restored value's.
            // (Not for a hoisted temporary: its restore is there because
            // the reverse sweep reads it, which this would make so.)
            let set = matches!(
                stmt,
                Stmt::Assign {
                    op: AssignOp::Set,
                    ..
                }
            );
            if let (true, true, Some(_), Place::Var(v)) = (self.prog.matrix, set, seed, place) {
                if let (Some(&vb), false) = (self.adj.get(v), self.hoisted.contains(v)) {
                    out.push(Stmt::Assign {
                        place: Place::Var(vb),
                        op: AssignOp::Set,
                        expr: Expr::ZeroLike(Box::new(Expr::var(*v))),
                        span,
                    });
                }
            }
        }
        let out_value = value.map_or_else(|| place.read(), Expr::var);
        self.reverse_group(block, group, late, expr, out_value, seed, span, out);
        if let Some(y) = value {
            let mut reads = HashSet::new();
            collect_reads(&out[mark..], &mut reads);
            if !reads.contains(&y) {
                out.remove(mark - 1);
                let name = self.prog.name(y).clone();
                self.prog.names.release(&name);
                return mark - 1;
            }
        }
        mark
    }

    /// Recomputes, before the statement's target is read or restored, the
    /// temporaries of its group that do not read the target (an index such
    /// as `a[i * d + j]` is needed to take `a_bar[..]`); returns the others,
    /// which need the restored target (`a[i] = a[i] * 2.0`).
    fn recompute_early(
        &self,
        block: &[Stmt],
        group: &[usize],
        target: VarId,
        out: &mut Block,
    ) -> Vec<usize> {
        let mut late_vars = HashSet::new();
        let mut late = Vec::new();
        for &i in group {
            let Stmt::Let { var, expr, .. } = &block[i] else {
                continue;
            };
            // Verbatim code such as an index `i % a.len()` reads no element
            // of an array target: only differentiable reads make it late.
            // Of any other target (`s.n % 2` of a struct, `x as usize` of a
            // number) it reads the value the restore brings back.
            let mut reads_late = false;
            if self.prog.vars[target].array {
                differentiable_reads(expr, &mut |v| reads_late |= v == target);
            } else {
                expr.for_each_var(&mut |v| reads_late |= v == target);
            }
            expr.for_each_var(&mut |v| reads_late |= late_vars.contains(&v));
            if reads_late {
                late_vars.insert(*var);
                late.push(i);
            } else {
                out.push(block[i].clone());
            }
        }
        late
    }

    /// Recomputes a statement's remaining temporaries (`recompute`), then
    /// adds its contributions and those of its whole group.
    #[allow(clippy::too_many_arguments)]
    fn reverse_group(
        &mut self,
        block: &[Stmt],
        group: &[usize],
        recompute: &[usize],
        expr: &Expr,
        out_value: Expr,
        seed: Option<VarId>,
        span: Span,
        out: &mut Block,
    ) {
        for &i in recompute {
            out.push(block[i].clone());
        }
        if let Some(sb) = seed {
            self.contribute(expr, out_value, sb, span, out);
        }
        for &i in group.iter().rev() {
            if let Stmt::Let {
                var, expr, span, ..
            } = &block[i]
            {
                if !self.act.is_active(*var) {
                    continue;
                }
                if let Some(&tb) = self.adj.get(var) {
                    self.contribute(expr, Expr::var(*var), tb, *span, out);
                }
            }
        }
    }
}

/// Drops the temporaries recomputed for one statement's reverse code
/// (`out[start..]`) that nothing after them reads: `0.5 * s` recomputed for
/// the reverse of `y = 0.5 * s` (linear: its rules read only the constant).
/// Such a read would otherwise make the forward sweep save `s`. `mark` (an
/// index into `out`) follows the removals.
fn drop_dead_temps(out: &mut Block, start: usize, mark: &mut usize, temps: &HashMap<VarId, usize>) {
    let mut i = out.len();
    while i > start {
        i -= 1;
        let Stmt::Let { var, expr, .. } = &out[i] else {
            continue;
        };
        if !temps.contains_key(var) || matches!(expr, Expr::Call2 { .. } | Expr::Pop(_)) {
            continue;
        }
        let mut later = HashSet::new();
        collect_reads(&out[i + 1..], &mut later);
        if !later.contains(var) {
            out.remove(i);
            if i < *mark {
                *mark -= 1;
            }
        }
    }
}

/// `a = t.k` of `let (a, b) = g(x);` (a copy of a member of a tuple `t`),
/// when the statements since `t`'s definition in the same block are only
/// such copies: `t`.
fn member_of(block: &[Stmt], idx: usize) -> Option<VarId> {
    fn copied_member(s: &Stmt) -> Option<VarId> {
        let expr = match s {
            Stmt::Let { expr, .. }
            | Stmt::Assign {
                place: Place::Var(_),
                op: AssignOp::Set,
                expr,
                ..
            } => expr,
            _ => return None,
        };
        match expr {
            Expr::Rule("clone", args) => match args.as_slice() {
                [Expr::Field(t, _)] => t.as_var(),
                _ => None,
            },
            _ => None,
        }
    }
    let t = copied_member(&block[idx])?;
    for s in block[..idx].iter().rev() {
        match s {
            Stmt::Let { var, .. } if *var == t => return Some(t),
            Stmt::Assign {
                place: Place::Var(v),
                op: AssignOp::Set,
                ..
            } if *v == t => return Some(t),
            s if copied_member(s) == Some(t) => {}
            _ => return None,
        }
    }
    None
}
