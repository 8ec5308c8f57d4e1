//! The reverse sweep: the primal statements walked backwards, restoring
//! what the forward sweep recorded, recomputing temporaries, and adding each
//! statement's contributions to the adjoints (declared and added to by
//! `cotangents.rs`).

use super::analysis::{
    accumulators_of, collect_reads, collect_shallow_reads, collect_shallow_shapes, exits,
    recomputable, simple_range,
};
use super::{site, Adjoint, Record};
use crate::activity::differentiable_reads;
use crate::fx::{HashMap, HashSet};
use crate::ir::{walk, AssignOp, Block, Expr, Header, Place, Stmt, VarId, VarKind};
use proc_macro2::Span;
use proc_macro2::TokenStream;
use quote::quote;

impl Adjoint<'_> {
    /// A loop over a simple range whose bounds read only stable variables and
    /// whose body cannot leave it early: every iteration runs, so the
    /// reverse sweep replays `(a..b).rev()` without any record.
    pub(super) fn is_static(&self, iter: &TokenStream, reads: &[VarId], body: &[Stmt]) -> bool {
        simple_range(iter).is_some()
            && reads.iter().all(|v| self.stable.contains(v))
            && !exits(body)
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
            HashMap::default()
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
            let (mut before, mut after) = (HashSet::default(), HashSet::default());
            collect_shallow_reads(&out[start..mark], &mut before);
            collect_shallow_reads(&out[mark..], &mut after);
            // A checkpointed loop's reverse code runs its body again, in
            // loops of its own that are no sites: its inputs (what it
            // reads and its body does not write; the snapshots restore the
            // rest) must hold their values of the loop's time, so an
            // overwrite after the loop saves them.
            if let Stmt::Loop {
                header,
                body,
                checkpoint: Some(_),
            } = stmt
            {
                let var = match header {
                    Header::For { var, .. } => *var,
                    _ => None,
                };
                before.extend(self.loop_inputs(var, body, &out[start..]));
            }
            // The zero adjoint of an array or a helper's result declared in
            // a loop has the shape of this iteration's value, which may
            // differ from the last one's (`d[j..].to_vec()`, a helper's
            // `Vec` of varying length): that reads it.
            for (part, reads) in [(&out[start..mark], &mut before), (&out[mark..], &mut after)] {
                let mut shapes = HashSet::default();
                collect_shallow_shapes(part, &mut shapes);
                reads.extend(
                    shapes
                        .into_iter()
                        .filter(|v| self.shaped.contains(v) || self.resized.contains(v)),
                );
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
        let mut wanted: HashSet<VarId> = HashSet::default();
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
                    let reset = self.resets_adjoint(place, stmt).is_some();
                    let seed = adj_place.map(|ap| {
                        let sb = self
                            .prog
                            .derived(&format!("{}_seed", self.prog.name(target)));
                        let e = match op {
                            // Moved out: the adjoint gets a new zero right
                            // after the restore (no zero of the old shape
                            // made only to be dropped).
                            AssignOp::Set if reset => ap.read(),
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
                                (false, _) => quote!(__rt::indices_back(#an, #nn)),
                                (true, false) => {
                                    quote!(__rt::indices_back_from_end(#an, #nn))
                                }
                                (true, true) => {
                                    quote!(__rt::indices_back_from_last(#an, #nn))
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
        let mut found = HashSet::default();
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

    /// The adjoint of `v` when the reverse of `stmt`, a whole assignment `v
    /// = ..` whose old value is restored, starts it again as a zero of the
    /// restored value's shape (a nalgebra value, a `Vec` assigned values of
    /// other lengths); not for a call in split form (its pullback runs
    /// before the restore) or a hoisted temporary.
    fn resets_adjoint(&self, place: &Place, stmt: &Stmt) -> Option<VarId> {
        let (
            Place::Var(v),
            Stmt::Assign {
                op: AssignOp::Set, ..
            },
        ) = (place, stmt)
        else {
            return None;
        };
        let here = site(stmt);
        let shaped = self.prog.matrix || self.resized.contains(v);
        let plain = !self.hoisted.contains(v) && !self.pullbacks.contains_key(&here);
        (shaped && plain && self.saves.contains_key(&here))
            .then(|| self.adj.get(v).copied())
            .flatten()
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
            // A nalgebra value or a `Vec` may change shape from one round to
            // the next (`h = w[i] * &h`, layers of several sizes, `v =
            // x[..k].to_vec()`): its adjoint, taken as the seed, starts again
            // as a zero of the restored value's (a read of `v`'s shape, so
            // a `Vec`'s old value is saved).
            // (Not for a hoisted temporary: its restore is there because
            // the reverse sweep reads it, which this would make so.)
            if let (Some(_), Some(vb)) = (seed, self.resets_adjoint(place, stmt)) {
                out.push(Stmt::Assign {
                    place: Place::Var(vb),
                    op: AssignOp::Set,
                    expr: Expr::ZeroLike(Box::new(place.read())),
                    span,
                });
            }
        }
        let out_value = value.map_or_else(|| place.read(), Expr::var);
        self.reverse_group(block, group, late, expr, out_value, seed, span, out);
        if let Some(y) = value {
            let mut reads = HashSet::default();
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
        let mut late_vars = HashSet::default();
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
    // What `out[i + 1..]` reads: collected at the last temporary, then kept
    // as `i` goes up (a dropped temporary reads nothing), rather than
    // collected again for each temporary.
    let mut later: Option<HashSet<VarId>> = None;
    let mut i = out.len();
    while i > start {
        i -= 1;
        if let Stmt::Let { var, expr, .. } = &out[i] {
            if temps.contains_key(var) && !matches!(expr, Expr::Call2 { .. } | Expr::Pop(_)) {
                let reads = later.get_or_insert_with(|| {
                    let mut reads = HashSet::default();
                    collect_reads(&out[i + 1..], &mut reads);
                    reads
                });
                if !reads.contains(var) {
                    out.remove(i);
                    if i < *mark {
                        *mark -= 1;
                    }
                    continue;
                }
            }
        }
        if let Some(reads) = &mut later {
            collect_reads(std::slice::from_ref(&out[i]), reads);
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
