//! The forward sweep: the primal code, with what the reverse sweep needs
//! recorded (overwritten values, branch decisions, trip counts, the
//! pullbacks of calls in split form) in locals, stacks and the `Words`
//! stream, and how the reverse sweep restores them.

use super::analysis::{accumulators_of, collect_reads, exits, simple_range};
use super::volatile::changed_by;
use super::{site, Adjoint, Record};
use crate::fx::HashSet;
use crate::ir::{walk, wrapper, AssignOp, Block, Expr, Header, Place, Stmt, VarId, LEND};
use proc_macro2::Span;
use quote::quote;

impl Adjoint<'_> {
    pub(super) fn stack(&mut self, base: &str) -> VarId {
        let s = self.prog.derived(base);
        self.decls.push(Stmt::Let {
            var: s,
            ty: None,
            expr: Expr::Fresh {
                stack: true,
                words: false,
            },
            span: Span::call_site(),
        });
        s
    }

    /// Records a value for the reverse sweep: in a local at the top level,
    /// in a local declared at the top of the function inside branches that
    /// run at most once, on a stack inside loops.
    pub(super) fn record(
        &mut self,
        value: Expr,
        base: &str,
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) -> Record {
        if depth == 0 {
            let v = self.prog.derived(base);
            out.push(Stmt::Let {
                var: v,
                ty: None,
                expr: value,
                span: Span::call_site(),
            });
            Record::Local(v)
        } else if loops == 0 {
            let v = self.prog.derived(base);
            self.decls.push(Stmt::Let {
                var: v,
                ty: None,
                expr: Expr::Fresh {
                    stack: false,
                    words: false,
                },
                span: Span::call_site(),
            });
            out.push(Stmt::Assign {
                place: Place::Var(v),
                op: AssignOp::Set,
                expr: value,
                span: Span::call_site(),
            });
            Record::Local(v)
        } else {
            let s = self.stack(&format!("{base}_stack"));
            out.push(Stmt::Push { stack: s, value });
            Record::Stack(s)
        }
    }

    /// Records the current value of `place` before it is overwritten.
    pub(super) fn save(
        &mut self,
        place: &Place,
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) -> Record {
        // Inside loops, active scalars (floats) go to the one `Words` stack.
        let v = place.var();
        let scalar = match place {
            Place::Var(_) => !self.prog.vars[v].array && !self.shaped.contains(&v),
            Place::Index(..) => true,
            Place::Field(..) | Place::Member(..) => false,
        };
        if depth > 0 && loops > 0 && !self.prog.matrix && scalar && self.act.is_active(v) {
            let words = self.words();
            out.push(Stmt::Push {
                stack: words,
                value: place.read(),
            });
            return Record::Stack(words);
        }
        let base = format!("{}_saved", self.prog.name(v));
        self.record(place.read(), &base, depth, loops, out)
    }

    /// The one `Words` stack of the function, declared on first use.
    pub(super) fn words(&mut self) -> VarId {
        if let Some(w) = self.words {
            return w;
        }
        let w = self.prog.derived("saved");
        self.decls.push(Stmt::Let {
            var: w,
            ty: None,
            expr: Expr::Fresh {
                stack: true,
                words: true,
            },
            span: Span::call_site(),
        });
        self.words = Some(w);
        w
    }

    pub(super) fn restore(place: &Place, record: &Record) -> Stmt {
        let value = match record {
            Record::Local(v) => Expr::var(*v),
            Record::Stack(s) => Expr::Pop(*s),
            Record::Here(e) => e.clone(),
        };
        Stmt::Assign {
            place: place.clone(),
            op: AssignOp::Set,
            expr: value,
            span: Span::call_site(),
        }
    }

    /// A call of a differentiated function whose value `target` is active,
    /// made in split form: `let pair = __ad_split_g(args);` runs the
    /// callee's forward sweep once and gives its value and its pullback,
    /// which is recorded (in a local at the top level, on a stack of its
    /// own elsewhere) for the reverse sweep to call. Returns the value
    /// (`pair.0`) to bind, or `None` for a call made in joint mode.
    ///
    /// Calls by a path that names a type (`Self::g`, `Model::g`) may be
    /// methods, which have no split form: joint mode.
    fn split_call(
        &mut self,
        stmt: &Stmt,
        target: VarId,
        expr: &Expr,
        depth: usize,
        out: &mut Block,
    ) -> Option<Expr> {
        let Expr::Call2 {
            path,
            args,
            method: false,
        } = expr
        else {
            return None;
        };
        let typed = path.segments.len() > 1
            && path.segments.iter().rev().skip(1).any(|s| {
                let n = s.ident.to_string();
                n == "Self" || n.starts_with(|c: char| c.is_ascii_uppercase())
            });
        let own = self.split?;
        let recursive = path.segments.last().is_some_and(|s| s.ident == *own);
        if typed || recursive || !self.act.is_active(target) {
            return None;
        }
        let span = match stmt {
            Stmt::Let { span, .. } | Stmt::Assign { span, .. } => *span,
            _ => Span::call_site(),
        };
        let pair = self.prog.derived("split");
        let mut args = args.clone();
        args.push(self.lend());
        out.push(Stmt::Let {
            var: pair,
            ty: None,
            expr: Expr::Call2 {
                path: wrapper(path, "split"),
                args,
                method: false,
            },
            span,
        });
        let pullback = Expr::Field(Box::new(Expr::var(pair)), 1);
        let record = if depth == 0 {
            let v = self.prog.derived("pullback");
            out.push(Stmt::Let {
                var: v,
                ty: None,
                expr: pullback,
                span,
            });
            Record::Local(v)
        } else {
            // Closures have no default value: a stack even outside loops.
            let s = self.stack("pullbacks");
            out.push(Stmt::Push {
                stack: s,
                value: pullback,
            });
            Record::Stack(s)
        };
        self.pullbacks.insert(site(stmt), record);
        self.split_used = true;
        Some(Expr::Field(Box::new(Expr::var(pair)), 0))
    }

    /// See [`Vjp::floats`].
    pub(super) fn floats(&self, block: &[Stmt]) -> HashSet<VarId> {
        let mut out = HashSet::default();
        if self.prog.matrix {
            return out;
        }
        walk(block, &mut |s| {
            if let Stmt::Let { var, expr, .. } = s {
                let arithmetic = matches!(
                    expr,
                    Expr::Call(..) | Expr::Bin(..) | Expr::Neg(_) | Expr::Partial { .. }
                );
                if arithmetic && self.act.is_active(*var) && !self.prog.vars[*var].array {
                    out.insert(*var);
                }
            }
        });
        out
    }

    /// The stream of saved values, lent to a split form to save on: a
    /// window on it (`&mut saved.saving(0)`), or the window of the loop
    /// body the call is in (`emit::windows`).
    pub(super) fn lend(&mut self) -> Expr {
        let w = self.words();
        self.prog.vars[w].mutable = true;
        Expr::Rule(LEND, vec![Expr::var(w)])
    }

    /// The stream of saved values, lent to a pullback to read back from:
    /// `__rt::tape(&mut saved)`.
    pub(super) fn tape(&mut self) -> Expr {
        let w = self.words();
        self.prog.vars[w].mutable = true;
        let name = self.prog.name(w).clone();
        Expr::Opaque(quote!(__rt::tape(&mut #name)), vec![w])
    }

    pub(super) fn fwd(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let mut out = Vec::new();
        for stmt in block {
            match stmt {
                Stmt::Loop {
                    header,
                    body,
                    checkpoint: Some(c),
                } => self.fwd_checkpoint(stmt, (header, body, c), depth, loops, &mut out),
                Stmt::Let {
                    var, expr, span, ..
                } if self.hoisted.contains(var) => {
                    let place = Place::Var(*var);
                    if loops > 0 && self.needs(stmt, *var) {
                        let r = self.save(&place, depth, loops, &mut out);
                        self.saves.insert(site(stmt), r);
                    }
                    let expr = self
                        .split_call(stmt, *var, expr, depth, &mut out)
                        .unwrap_or_else(|| expr.clone());
                    out.push(Stmt::Assign {
                        place,
                        op: AssignOp::Set,
                        expr,
                        span: *span,
                    });
                }
                Stmt::Let {
                    var,
                    ty,
                    expr: expr @ Expr::Call2 { .. },
                    span,
                } => {
                    let expr = self
                        .split_call(stmt, *var, expr, depth, &mut out)
                        .unwrap_or_else(|| expr.clone());
                    out.push(Stmt::Let {
                        var: *var,
                        ty: ty.clone(),
                        expr,
                        span: *span,
                    });
                }
                Stmt::Assign {
                    place,
                    op,
                    expr,
                    span,
                } => {
                    if self.needs(stmt, place.var())
                        && !self.in_pass.contains(&place.var())
                        && !self.unread_overwrites.contains(&site(stmt))
                    {
                        let r = self.save(place, depth, loops, &mut out);
                        self.saves.insert(site(stmt), r);
                    }
                    let split = match (place, op) {
                        (Place::Var(v), AssignOp::Set) => {
                            self.split_call(stmt, *v, expr, depth, &mut out)
                        }
                        _ => None,
                    };
                    match split {
                        Some(expr) => out.push(Stmt::Assign {
                            place: place.clone(),
                            op: *op,
                            expr,
                            span: *span,
                        }),
                        None => out.push(stmt.clone()),
                    }
                }
                Stmt::If { cond, then, els } => {
                    // In a loop, a branch that runs to its end records which
                    // it was there, after everything it saved, in the one
                    // stream of saved values (the reverse sweep reads it
                    // first); one that may leave the loop records it before.
                    let at_end =
                        depth > 0 && loops > 0 && !self.prog.matrix && !exits(then) && !exits(els);
                    // (On a stack inside loops, whatever is saved.)
                    self.decided_in_loop |= depth > 0 && loops > 0;
                    let record = if depth == 0 {
                        Record::Here(cond.clone())
                    } else if at_end {
                        Record::Stack(self.words())
                    } else {
                        self.record(cond.clone(), "branch", depth, loops, &mut out)
                    };
                    self.decisions.insert(site(stmt), record);
                    let mut then = self.fwd(then, depth + 1, loops);
                    let mut els = self.fwd(els, depth + 1, loops);
                    if at_end {
                        let words = self.words();
                        for (block, taken) in [(&mut then, quote!(true)), (&mut els, quote!(false))]
                        {
                            block.push(Stmt::Push {
                                stack: words,
                                value: Expr::constant(taken),
                            });
                        }
                    }
                    out.push(Stmt::If {
                        cond: cond.clone(),
                        then,
                        els,
                    });
                }
                Stmt::Loop { body, .. } if self.single_pass.contains_key(&site(stmt)) => {
                    // Runs in the reverse sweep, values and adjoints together.
                    // Accumulators read before the loop: their entry values.
                    let mut before = HashSet::default();
                    let at = block
                        .iter()
                        .position(|s| site(s) == site(stmt))
                        .unwrap_or(0);
                    collect_reads(&block[..at], &mut before);
                    let mut entries = Vec::new();
                    for acc in accumulators_of(body) {
                        if before.contains(&acc) {
                            let name = format!("{}_entry", self.prog.name(acc));
                            let r = self.record(Expr::var(acc), &name, depth, loops, &mut out);
                            entries.push((acc, r));
                        }
                    }
                    self.pass_entries.insert(site(stmt), entries);
                }
                Stmt::Loop {
                    header: Header::For { var, iter, reads },
                    body,
                    ..
                } if self.is_static(iter, reads, body) => {
                    // Replayed backwards from its bounds: nothing recorded.
                    self.static_loops.insert(site(stmt));
                    let fbody = self.fwd(body, depth + 1, loops + 1);
                    out.push(Stmt::Loop {
                        header: Header::For {
                            var: *var,
                            iter: iter.clone(),
                            reads: reads.clone(),
                        },
                        body: fbody,
                        checkpoint: None,
                    });
                }
                Stmt::Loop { header, body, .. } => {
                    let n = self.prog.derived("trips");
                    self.prog.vars[n].slot = true;
                    out.push(Stmt::Let {
                        var: n,
                        ty: None,
                        expr: Expr::constant(quote!(0usize)),
                        span: Span::call_site(),
                    });
                    let mut fbody = vec![Stmt::Assign {
                        place: Place::Var(n),
                        op: AssignOp::Add,
                        expr: Expr::constant(quote!(1)),
                        span: Span::call_site(),
                    }];
                    let range = match header {
                        Header::For { iter, .. } => simple_range(iter),
                        _ => None,
                    };
                    let header = match (header, range) {
                        (Header::For { var, reads, .. }, Some(r)) => {
                            // Name the end the reverse sweep rebuilds the indices from.
                            let anchor =
                                self.prog.derived(if r.reversed { "end" } else { "start" });
                            let (lo, hi) = (&r.start, &r.end);
                            out.push(Stmt::Let {
                                var: anchor,
                                ty: None,
                                expr: Expr::Opaque(
                                    if r.reversed { hi.clone() } else { lo.clone() },
                                    reads.clone(),
                                ),
                                span: Span::call_site(),
                            });
                            let a = self.prog.name(anchor).clone();
                            let dots = if r.inclusive { quote!(..=) } else { quote!(..) };
                            let iter = if r.reversed {
                                quote!((#lo #dots #a).rev())
                            } else {
                                quote!(#a #dots #hi)
                            };
                            let record = if depth == 0 {
                                Record::Here(Expr::var(anchor))
                            } else {
                                self.record(Expr::var(anchor), "range", depth, loops, &mut out)
                            };
                            self.anchors.insert(site(stmt), record);
                            let mut reads = reads.clone();
                            reads.push(anchor);
                            Header::For {
                                var: *var,
                                iter,
                                reads,
                            }
                        }
                        (
                            Header::For {
                                var: Some(v),
                                iter,
                                reads,
                            },
                            None,
                        ) if self.hoisted.contains(v) => {
                            let it = self.prog.derived(&format!("{}_next", self.prog.name(*v)));
                            let place = Place::Var(*v);
                            if self.needs(stmt, *v) {
                                if let Record::Stack(s) =
                                    self.save(&place, depth + 1, loops + 1, &mut fbody)
                                {
                                    self.loop_var_saves.insert(site(stmt), s);
                                }
                            }
                            fbody.push(Stmt::Assign {
                                place,
                                op: AssignOp::Set,
                                expr: Expr::var(it),
                                span: Span::call_site(),
                            });
                            Header::For {
                                var: Some(it),
                                iter: iter.clone(),
                                reads: reads.clone(),
                            }
                        }
                        (h, _) => h.clone(),
                    };
                    fbody.extend(self.fwd(body, depth + 1, loops + 1));
                    out.push(Stmt::Loop {
                        header,
                        body: fbody,
                        checkpoint: None,
                    });
                    let record = if depth == 0 {
                        Record::Here(Expr::var(n))
                    } else {
                        self.record(Expr::var(n), "trips", depth, loops, &mut out)
                    };
                    self.counts.insert(site(stmt), record);
                }
                Stmt::Opaque(tokens, reads) => {
                    // `v.push(i)`, `shift(&mut k)`: save what the reverse
                    // sweep reads of the variables it changes.
                    let mut saved = Vec::new();
                    for v in changed_by(self.prog, tokens, reads) {
                        if self.needs(stmt, v) {
                            // A copy: the variable may be a `Vec`.
                            let base = format!("{}_saved", self.prog.name(v));
                            let copy = Expr::Rule("clone", vec![Expr::var(v)]);
                            let r = self.record(copy, &base, depth, loops, &mut out);
                            saved.push((v, r));
                        }
                    }
                    if !saved.is_empty() {
                        self.opaque_saves.insert(site(stmt), saved);
                    }
                    out.push(stmt.clone());
                }
                _ => out.push(stmt.clone()),
            }
        }
        out
    }
}
