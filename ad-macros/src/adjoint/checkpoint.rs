//! Reverse mode over a loop under `#[checkpoint]`: binomial checkpointing.
//!
//! The loop is cut into two pieces of code, as revolve wants them: *advance*
//! (the user's step, recording nothing) and *turn* (the step's forward sweep
//! recording what its reverse sweep reads, then that reverse sweep). The
//! runtime's `Schedule` (`ad_runtime::checkpoint`) says which to run: the
//! forward sweep follows it up to the first turn (the last step, recorded,
//! whose reverse runs in the reverse sweep), storing snapshots of the
//! loop's state on the way; the reverse sweep follows it to the end,
//! restoring snapshots and computing steps again. The records of only one
//! step exist at a time; the snapshots are at most `S` states.
//!
//! The state is what the body writes and was declared before the loop (a
//! later step or the code after the loop reads it): each such variable has
//! a stack of snapshots, pushed by `Takeshot`, read back by `Restore`
//! (popped and pushed again) and popped by `Free`. These are ordinary IR
//! statements, so the tangent transform that makes `_hvp` carries the
//! state's tangents along with it.

use super::analysis::{collect_value_reads, declared_in, exits, simple_range};
use super::volatile::changed_by;
use super::{site, Adjoint, Record};
use crate::fx::HashSet;
use crate::ir::{walk, AssignOp, Block, Checkpoint, Expr, Header, Place, Stmt, VarId};
use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};

/// What the forward sweep leaves for a checkpointed loop's reverse.
#[derive(Clone)]
pub(super) struct Checkpointed {
    /// The first index of a `for` loop.
    start: Option<VarId>,
    /// The number of steps (counted on the way, for a loop that may end
    /// early).
    steps: VarId,
    /// The schedule, made by the forward sweep; `None` for a loop whose
    /// steps are counted on the way (made by the reverse sweep).
    schedule: Option<VarId>,
    snapshots: TokenStream,
    snapshot_reads: Vec<VarId>,
    /// Each state variable and its stack of snapshots.
    state: Vec<(VarId, VarId)>,
    /// The recording forward sweep of one step.
    turn: Block,
    /// Inside a branch or another loop: where the forward sweep recorded
    /// the first index, the number of steps and the schedule, which the
    /// reverse sweep binds again.
    records: Vec<(VarId, Record)>,
}

impl Adjoint<'_> {
    /// The values the steps of a checkpointed loop read that neither the
    /// snapshots restore nor the steps themselves define: every variable
    /// its reverse code `reverse` reads, less the loop's state and its own
    /// locals. They must hold their values of the loop's time when the
    /// reverse sweep runs the steps again.
    pub(super) fn loop_inputs(
        &self,
        var: Option<VarId>,
        body: &[Stmt],
        reverse: &[Stmt],
    ) -> HashSet<VarId> {
        let mut reads = HashSet::default();
        collect_value_reads(reverse, &mut reads);
        let state = self.loop_state(var, body);
        let declared = declared_in(var, body);
        reads.retain(|v| !state.contains(v) && !declared.contains(v));
        reads
    }

    /// The variables the loop body writes that were declared before it.
    fn loop_state(&self, var: Option<VarId>, body: &[Stmt]) -> Vec<VarId> {
        let declared = declared_in(var, body);
        let mut written = Vec::new();
        walk(body, &mut |s| {
            let mut vs = match s {
                Stmt::Assign { place, .. } => vec![place.var()],
                Stmt::Push { stack, .. } => vec![*stack],
                Stmt::Opaque(tokens, reads) => changed_by(self.prog, tokens, reads),
                _ => vec![],
            };
            // Verbatim code inside expressions (`let r = rng.next();`).
            let mut verbatim = |e: &Expr| {
                e.visit(&mut |e| {
                    if let Expr::Opaque(tokens, reads) = e {
                        vs.extend(changed_by(self.prog, tokens, reads));
                    }
                })
            };
            match s {
                Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => verbatim(expr),
                Stmt::If { cond, .. } => verbatim(cond),
                _ => {}
            }
            for v in vs {
                if !declared.contains(&v) && !written.contains(&v) {
                    written.push(v);
                }
            }
        });
        written.sort_unstable();
        written
    }

    fn opaque_let(&mut self, base: &str, tokens: TokenStream, reads: Vec<VarId>) -> (VarId, Stmt) {
        let v = self.prog.derived(base);
        let s = Stmt::Let {
            var: v,
            ty: None,
            expr: Expr::Opaque(tokens, reads),
            span: Span::call_site(),
        };
        (v, s)
    }

    /// `if action.is_<kind>() { then } else { els }`
    fn on_action(&self, action: VarId, kind: &str, then: Block, els: Block) -> Stmt {
        let a = self.prog.name(action).clone();
        let is = syn::Ident::new(&format!("is_{kind}"), Span::call_site());
        Stmt::If {
            cond: Expr::Opaque(quote!(#a.#is()), vec![action]),
            then,
            els,
        }
    }

    /// `let action = schedule.next();`
    fn next_action(&mut self, schedule: VarId) -> (VarId, Stmt) {
        let s = self.prog.name(schedule).clone();
        let (action, next) = self.opaque_let("action", quote!(#s.next()), vec![schedule]);
        self.actions.insert(action);
        (action, next)
    }

    /// The reverse sweep without the steps it runs forward again (advances,
    /// and the recorded forward sweep of each turn): what these read is not
    /// what the reverse sweep needs of the forward sweep.
    pub(super) fn without_replays(&self, block: &[Stmt]) -> Block {
        block
            .iter()
            .filter(|s| {
                !matches!(s, Stmt::Loop { header: Header::For { reads, .. }, .. }
                    if reads.iter().any(|v| self.actions.contains(v)))
            })
            .map(|s| match s {
                Stmt::If { cond, then, els } => Stmt::If {
                    cond: cond.clone(),
                    then: self.without_replays(then),
                    els: self.without_replays(els),
                },
                Stmt::Loop {
                    header,
                    body,
                    checkpoint,
                } => Stmt::Loop {
                    header: header.clone(),
                    body: self.without_replays(body),
                    checkpoint: checkpoint.clone(),
                },
                s => s.clone(),
            })
            .collect()
    }

    /// `for i in action.indices(start) { <the step> }` (for a loop that
    /// may end early, each step in a loop of one iteration, which its
    /// `break` or `continue` ends).
    fn advance(
        &self,
        action: VarId,
        start: Option<VarId>,
        var: Option<VarId>,
        body: &[Stmt],
        counted: bool,
    ) -> Stmt {
        let a = self.prog.name(action);
        let (s, mut reads) = match start {
            Some(s) => (self.prog.name(s).to_token_stream(), vec![s]),
            None => (quote!(0usize), vec![]),
        };
        reads.push(action);
        let mut step = self.plain_step(body);
        if counted {
            step = vec![once(step, action)];
        }
        Stmt::Loop {
            header: Header::For {
                var,
                iter: quote!(#a.indices(#s)),
                reads,
            },
            body: step,
            checkpoint: None,
        }
    }

    /// The step as the user wrote it, but for the variables declared at the
    /// top of the function (hoisted), which it assigns rather than declares
    /// again (one declaration per variable: the tangent transform of `_hvp`
    /// pairs each with its tangent's).
    fn plain_step(&self, body: &[Stmt]) -> Block {
        body.iter()
            .map(|s| match s {
                Stmt::Let {
                    var, expr, span, ..
                } if self.hoisted.contains(var) => Stmt::Assign {
                    place: Place::Var(*var),
                    op: AssignOp::Set,
                    expr: expr.clone(),
                    span: *span,
                },
                Stmt::If { cond, then, els } => Stmt::If {
                    cond: cond.clone(),
                    then: self.plain_step(then),
                    els: self.plain_step(els),
                },
                Stmt::Loop {
                    header,
                    body,
                    checkpoint,
                } => Stmt::Loop {
                    header: header.clone(),
                    body: self.plain_step(body),
                    checkpoint: checkpoint.clone(),
                },
                s => s.clone(),
            })
            .collect()
    }

    /// Each state variable pushed on its stack of snapshots.
    fn takeshot(&self, state: &[(VarId, VarId)]) -> Block {
        state
            .iter()
            .map(|&(v, snaps)| Stmt::Push {
                stack: snaps,
                // (A `&mut` buffer parameter: its contents.)
                value: Expr::Rule(
                    if self.prog.outputs.contains(&v) {
                        "to_vec"
                    } else {
                        "clone"
                    },
                    vec![Expr::var(v)],
                ),
            })
            .collect()
    }

    /// Each state variable set to its top snapshot, which stays (`keep`)
    /// or goes.
    fn restore_state(&self, state: &[(VarId, VarId)], keep: bool) -> Block {
        let mut out = Vec::new();
        for &(v, snaps) in state {
            if self.prog.outputs.contains(&v) {
                // A `&mut` buffer parameter: its contents copied back.
                let (b, s) = (self.prog.name(v), self.prog.name(snaps));
                let copy = if self.prog.vars[v].nested {
                    quote!(clone_from_slice)
                } else {
                    quote!(copy_from_slice)
                };
                let again = keep.then(|| quote!(#s.push(contents);));
                out.push(Stmt::Opaque(
                    quote! {
                        let contents = __rt::pop(&mut #s);
                        #b.#copy(&contents);
                        #again
                    },
                    vec![v, snaps],
                ));
                continue;
            }
            out.push(Stmt::Assign {
                place: Place::Var(v),
                op: AssignOp::Set,
                expr: Expr::Pop(snaps),
                span: Span::call_site(),
            });
            if keep {
                out.push(Stmt::Push {
                    stack: snaps,
                    value: Expr::Rule("clone", vec![Expr::var(v)]),
                });
            }
        }
        out
    }

    /// The forward sweep of a checkpointed loop (at the top level of the
    /// function: lowering checks it). A `for` loop over a range that cannot
    /// end early runs the schedule up to its first turn (the last step's
    /// recorded forward sweep). Any other (`while`, `loop`, a `for` with
    /// `break`) runs as written, counting its steps, after a snapshot of its
    /// initial state: the reverse sweep runs the whole schedule from it.
    pub(super) fn fwd_checkpoint(
        &mut self,
        stmt: &Stmt,
        (header, body, c): (&Header, &[Stmt], &Checkpoint),
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) {
        let (var, range, reads) = match header {
            Header::For { var, iter, reads } => (*var, simple_range(iter), reads.clone()),
            _ => (None, None, vec![]),
        };
        let counted = range.is_none() || exits(body);
        let start = range.as_ref().map(|r| {
            let (start, s) = self.opaque_let("start", r.start.clone(), reads.clone());
            out.push(s);
            start
        });
        let mut state = Vec::new();
        for v in self.loop_state(var, body) {
            let snaps = self.stack(&format!("{}_snapshots", self.prog.name(v)));
            state.push((v, snaps));
        }
        // The step recorded: its records are on stacks, read back by its
        // reverse sweep before the next step's are made.
        let turn = self.fwd(body, depth + 1, loops + 1);
        let mut ck = Checkpointed {
            start,
            steps: 0,
            schedule: None,
            snapshots: c.snapshots.clone(),
            snapshot_reads: c.reads.clone(),
            state,
            turn,
            records: Vec::new(),
        };
        if counted {
            // let mut trips = 0; <snapshot>; for/loop { trips += 1; <step> }
            let trips = self.prog.derived("trips");
            self.prog.vars[trips].slot = true;
            out.push(Stmt::Let {
                var: trips,
                ty: None,
                expr: Expr::constant(quote!(0usize)),
                span: Span::call_site(),
            });
            out.extend(self.takeshot(&ck.state));
            let mut step = vec![Stmt::Assign {
                place: Place::Var(trips),
                op: AssignOp::Add,
                expr: Expr::constant(quote!(1)),
                span: Span::call_site(),
            }];
            step.extend(self.plain_step(body));
            out.push(Stmt::Loop {
                header: header.clone(),
                body: step,
                checkpoint: None,
            });
            ck.steps = trips;
            self.keep(&mut ck, depth, loops, out);
            self.checkpointed.insert(site(stmt), ck);
            return;
        }
        let (Some(r), Some(start)) = (range, start) else {
            return;
        };
        let st = self.prog.name(start).clone();
        let hi = &r.end;
        let count = if r.inclusive {
            quote!(__rt::checkpoint_steps_inclusive(#st, #hi))
        } else {
            quote!(__rt::checkpoint_steps(#st, #hi))
        };
        let mut count_reads = reads;
        count_reads.push(start);
        let (steps, s) = self.opaque_let("steps", count, count_reads);
        out.push(s);
        let schedule = self.schedule(steps, &ck, out);
        // loop {
        //     let action = schedule.next();
        //     if advance { for i in action.indices(start) { step } }
        //     else if takeshot { push the state }
        //     else { if turn { let i = ..; recorded step } break; }
        // }
        let (action, next) = self.next_action(schedule);
        let mut first_turn = Vec::new();
        if let Some(i) = var {
            first_turn.push(self.step_index(i, action, start));
        }
        first_turn.extend(ck.turn.iter().cloned());
        let last = vec![
            self.on_action(action, "turn", first_turn, vec![]),
            Stmt::Break,
        ];
        let takeshot = self.on_action(action, "takeshot", self.takeshot(&ck.state), last);
        let advance = self.on_action(
            action,
            "advance",
            vec![self.advance(action, Some(start), var, body, false)],
            vec![takeshot],
        );
        out.push(Stmt::Loop {
            header: Header::Infinite,
            body: vec![next, advance],
            checkpoint: None,
        });
        ck.steps = steps;
        ck.schedule = Some(schedule);
        self.keep(&mut ck, depth, loops, out);
        self.checkpointed.insert(site(stmt), ck);
    }

    /// Inside a branch or a loop, records what the reverse sweep needs
    /// of the forward sweep's locals: the first index, the number of steps
    /// and the schedule (a local at the top level is still in scope there).
    fn keep(&mut self, ck: &mut Checkpointed, depth: usize, loops: usize, out: &mut Block) {
        if depth == 0 {
            return;
        }
        let vars: Vec<VarId> = ck
            .start
            .into_iter()
            .chain([ck.steps])
            .chain(ck.schedule)
            .collect();
        for v in vars {
            let base = format!("{}_saved", self.prog.name(v));
            let r = self.record(Expr::var(v), &base, depth, loops, out);
            ck.records.push((v, r));
        }
    }

    /// `let mut schedule = __rt::Schedule::new(steps, S);`
    fn schedule(&mut self, steps: VarId, ck: &Checkpointed, out: &mut Block) -> VarId {
        let n = self.prog.name(steps).clone();
        let snapshots = &ck.snapshots;
        let mut reads = ck.snapshot_reads.clone();
        reads.push(steps);
        let (schedule, s) = self.opaque_let(
            "schedule",
            quote!(__rt::Schedule::new(#n, #snapshots)),
            reads,
        );
        self.prog.vars[schedule].mutable = true;
        out.push(s);
        schedule
    }

    /// `let i = action.step(start);`
    fn step_index(&self, i: VarId, action: VarId, start: VarId) -> Stmt {
        let (a, s) = (self.prog.name(action), self.prog.name(start));
        Stmt::Let {
            var: i,
            ty: None,
            expr: Expr::Opaque(quote!(#a.step(#s)), vec![action, start]),
            span: Span::call_site(),
        }
    }

    /// The reverse sweep of a checkpointed loop.
    pub(super) fn rev_checkpoint(
        &mut self,
        stmt: &Stmt,
        (var, body): (Option<VarId>, &[Stmt]),
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) {
        let Some(ck) = self.checkpointed.get(&site(stmt)).cloned() else {
            return;
        };
        for (v, r) in &ck.records {
            let expr = match r {
                Record::Local(x) => Expr::var(*x),
                Record::Stack(s) => Expr::Pop(*s),
                Record::Here(e) => e.clone(),
            };
            out.push(Stmt::Let {
                var: *v,
                ty: None,
                expr,
                span: Span::call_site(),
            });
        }
        self.declare_touched(body, out);
        let reverse = self.nested_rev(body, depth + 1, loops + 1);
        let counted = ck.schedule.is_none();
        let schedule = match ck.schedule {
            Some(schedule) => {
                // The last step's reverse (its forward sweep ran in the
                // forward sweep): `if steps > 0 { let i = start + (steps -
                // 1); .. }`.
                let n = self.prog.name(ck.steps).clone();
                let mut last = Vec::new();
                if let (Some(i), Some(start)) = (var, ck.start) {
                    let st = self.prog.name(start).clone();
                    last.push(Stmt::Let {
                        var: i,
                        ty: None,
                        expr: Expr::Opaque(
                            quote!(__rt::Action::Turn { step: #n - 1 }.step(#st)),
                            vec![ck.steps, start],
                        ),
                        span: Span::call_site(),
                    });
                }
                last.extend(reverse.iter().cloned());
                out.push(Stmt::If {
                    cond: Expr::Opaque(quote!(#n > 0), vec![ck.steps]),
                    then: last,
                    els: vec![],
                });
                schedule
            }
            None => {
                // The loop's initial state back, and the whole schedule
                // from it.
                out.extend(self.restore_state(&ck.state, false));
                self.schedule(ck.steps, &ck, out)
            }
        };
        // loop {
        //     let action = schedule.next();
        //     advance | takeshot | restore | turn | free | done
        // }
        let (action, next) = self.next_action(schedule);
        let mut turn = Vec::new();
        if let (Some(i), Some(start)) = (var, ck.start) {
            turn.push(self.step_index(i, action, start));
        }
        // (In a loop of one iteration always: the reads of replayed code are
        // not the reverse sweep's, see `without_replays`.)
        turn.push(once(ck.turn.clone(), action));
        turn.extend(reverse);
        let free = self.on_action(
            action,
            "free",
            self.restore_state(&ck.state, false),
            vec![Stmt::Break],
        );
        let turn = self.on_action(action, "turn", turn, vec![free]);
        let restore = self.on_action(
            action,
            "restore",
            self.restore_state(&ck.state, true),
            vec![turn],
        );
        let takeshot = self.on_action(action, "takeshot", self.takeshot(&ck.state), vec![restore]);
        let advance = self.on_action(
            action,
            "advance",
            vec![self.advance(action, ck.start, var, body, counted)],
            vec![takeshot],
        );
        out.push(Stmt::Loop {
            header: Header::Infinite,
            body: vec![next, advance],
            checkpoint: None,
        });
    }
}

/// `for _ in 0..1 { <step> }`: a step run again by the schedule's
/// `action` (whose `break` and `continue`, if any, end the step).
fn once(step: Block, action: VarId) -> Stmt {
    Stmt::Loop {
        header: Header::For {
            var: None,
            iter: quote!(0..1),
            reads: vec![action],
        },
        body: step,
        checkpoint: None,
    }
}
