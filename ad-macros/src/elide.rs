//! Copy elision: a copy of an array (`clone(&h)`, `clone(&t.0)`) whose
//! source nothing reads afterwards becomes a move.
//!
//! Lowering copies arrays where Rust would move them (`xp = hidden;`, the
//! members of `let (hidden, cell) = g(..)`, the values of a returned tuple,
//! the arguments a call takes by value, the elements of `vec![..]`),
//! since the transforms may read the source again. Once the generated body
//! is complete it is known whether anything does: the forward sweep after
//! the copy, the reverse sweep, the returned values. If nothing does, the
//! copy is an allocation and a `memcpy` for nothing, and the source is
//! moved instead (`xp = hidden;`, `hidden = t_11.0;`).
//!
//! A copy inside a loop moves only a value defined earlier in the same
//! block and read nowhere else in the loop, so that every iteration moves
//! the value it defined.

use crate::fx::HashMap;
use crate::ir::{AssignOp, Body, Expr, Header, Operand, Place, Program, Stmt, VarId, VarKind};

/// How a statement reads a variable: whole, or one member of a tuple.
#[derive(Clone, Copy, PartialEq)]
enum Read {
    Whole,
    Member(usize),
}

#[derive(Default)]
struct Facts {
    /// Each variable's reads: (statement position, how).
    reads: HashMap<VarId, Vec<(usize, Read)>>,
    /// Per statement position: the range of positions of the outermost
    /// loop around it, if any.
    outer_loop: HashMap<usize, (usize, usize)>,
    position: usize,
}

/// Rewrites the body's elidable copies into moves.
pub fn elide_copies(prog: &Program, body: &mut Body) {
    if prog.matrix {
        // (Code on nalgebra values has its own moves, `emit::movable`.)
        return;
    }
    let mut f = Facts::default();
    scan(&body.stmts, None, &mut f);
    f.position += 1;
    let end = f.position;
    for e in &body.ret {
        note_reads(e, end, &mut f);
    }
    let mut position = 0;
    rewrite(prog, &mut body.stmts, &f, &mut position);
}

fn note_reads(e: &Expr, at: usize, f: &mut Facts) {
    // Members read as `t.k` (`Field(Use(t), k)`) are told apart from
    // whole reads of `t`.
    let mut members: HashMap<VarId, usize> = HashMap::default();
    e.visit(&mut |e| {
        if let Expr::Field(t, k) = e {
            if let Expr::Use(Operand::Var(t)) = &**t {
                f.reads.entry(*t).or_default().push((at, Read::Member(*k)));
                *members.entry(*t).or_default() += 1;
            }
        }
    });
    e.for_each_var(&mut |v| {
        if let Some(n) = members.get_mut(&v).filter(|n| **n > 0) {
            *n -= 1;
            return;
        }
        f.reads.entry(v).or_default().push((at, Read::Whole));
    });
}

fn note_var(v: VarId, at: usize, f: &mut Facts) {
    f.reads.entry(v).or_default().push((at, Read::Whole));
}

fn scan(block: &[Stmt], outer: Option<usize>, f: &mut Facts) {
    for s in block {
        f.position += 1;
        let at = f.position;
        if let Some(start) = outer {
            f.outer_loop.insert(at, (start, usize::MAX));
        }
        match s {
            Stmt::Let { expr, .. } => note_reads(expr, at, f),
            Stmt::Assign {
                place, op, expr, ..
            } => {
                note_reads(expr, at, f);
                // Writing into a value (an element, `+=`) reads it.
                if !matches!((place, op), (Place::Var(_), AssignOp::Set)) {
                    note_var(place.var(), at, f);
                }
                match place {
                    Place::Index(_, i) => note_reads(i, at, f),
                    Place::Member(_, m) => m.reads.iter().for_each(|&r| note_var(r, at, f)),
                    _ => {}
                }
            }
            Stmt::If { cond, then, els } => {
                note_reads(cond, at, f);
                scan(then, outer, f);
                scan(els, outer, f);
            }
            Stmt::Loop {
                header,
                body,
                checkpoint,
            } => {
                match header {
                    Header::For { reads, .. } => reads.iter().for_each(|&r| note_var(r, at, f)),
                    Header::Times(n) => note_reads(n, at, f),
                    Header::Infinite => {}
                }
                if let Some(c) = checkpoint {
                    c.reads.iter().for_each(|&r| note_var(r, at, f));
                }
                let start = outer.unwrap_or(at);
                f.outer_loop.insert(at, (start, usize::MAX));
                scan(body, Some(start), f);
                if outer.is_none() {
                    let end = f.position;
                    for (_, range) in f.outer_loop.iter_mut() {
                        if range.0 == start {
                            range.1 = end;
                        }
                    }
                }
            }
            Stmt::Push { stack, value } => {
                note_var(*stack, at, f);
                note_reads(value, at, f);
            }
            Stmt::Opaque(_, reads) => reads.iter().for_each(|&r| note_var(r, at, f)),
            Stmt::Break | Stmt::Continue => {}
        }
    }
}

/// Walks the statements in the order of [`scan`], rewriting copies.
fn rewrite(prog: &Program, block: &mut [Stmt], f: &Facts, position: &mut usize) {
    let mut starts = Vec::with_capacity(block.len());
    for i in 0..block.len() {
        *position += 1;
        let at = *position;
        starts.push(at);
        let (before, rest) = block.split_at_mut(i);
        match &mut rest[0] {
            Stmt::Let { expr, .. }
            | Stmt::Assign {
                place: Place::Var(_),
                op: AssignOp::Set,
                expr,
                ..
            } => {
                let site = Site {
                    prog,
                    facts: f,
                    at,
                    before,
                    starts: &starts,
                };
                match expr {
                    // The copies a call passes by value (`g(clone(&d))`),
                    // and the elements of `vec![..]` and `[..]`.
                    Expr::Tuple(elems)
                    | Expr::Call2 { args: elems, .. }
                    | Expr::List { elems, .. } => {
                        for e in elems {
                            site.elide(e);
                        }
                    }
                    e => site.elide(e),
                }
            }
            Stmt::Push { value, .. } => Site {
                prog,
                facts: f,
                at,
                before,
                starts: &starts,
            }
            .elide(value),
            Stmt::If { then, els, .. } => {
                rewrite(prog, then, f, position);
                rewrite(prog, els, f, position);
            }
            Stmt::Loop { body, .. } => rewrite(prog, body, f, position),
            _ => {}
        }
    }
}

/// A statement that may hold a copy to elide.
struct Site<'a> {
    prog: &'a Program,
    facts: &'a Facts,
    /// Its position.
    at: usize,
    /// The statements before it in its block, and their positions.
    before: &'a [Stmt],
    starts: &'a [usize],
}

impl Site<'_> {
    fn elide(&self, e: &mut Expr) {
        let Expr::Rule("clone", args) = e else {
            return;
        };
        let (v, read) = match args.as_slice() {
            [Expr::Use(Operand::Var(v))] => (*v, Read::Whole),
            [Expr::Field(t, k)] => match &**t {
                Expr::Use(Operand::Var(t)) => (*t, Read::Member(*k)),
                _ => return,
            },
            _ => return,
        };
        if self.movable(v, read) {
            *e = args.remove(0);
        }
    }

    /// Whether the copy's source `v` (or its member) may be moved here.
    fn movable(&self, v: VarId, read: Read) -> bool {
        let var = &self.prog.vars[v];
        let local = !matches!(var.kind, VarKind::Param(_))
            && !var.by_ref
            && !var.borrowed
            && !var.field
            && var.field_of.is_none();
        if !local {
            return false;
        }
        // Reads that the move would invalidate: of the whole value, or of
        // the same member.
        let conflicts = |r: Read| r == Read::Whole || r == read;
        let reads = self.facts.reads.get(&v).map_or(&[][..], Vec::as_slice);
        let here = reads.iter().filter(|(p, _)| *p == self.at).count();
        if here != 1 {
            return false;
        }
        let others = reads
            .iter()
            .filter(|(p, r)| *p != self.at && conflicts(*r))
            .map(|(p, _)| *p);
        match self.facts.outer_loop.get(&self.at) {
            None => others.into_iter().all(|p| p < self.at),
            Some(&(start, _)) => {
                // Defined earlier in this block: each iteration moves the
                // value it defined.
                let Some(def) = self.before.iter().rposition(|s| match s {
                    Stmt::Let { var, .. } => *var == v,
                    Stmt::Assign {
                        place: Place::Var(x),
                        op: AssignOp::Set,
                        ..
                    } => *x == v,
                    _ => false,
                }) else {
                    return false;
                };
                let def_at = self.starts[def];
                others
                    .into_iter()
                    .all(|p| p < start || (def_at < p && p < self.at))
            }
        }
    }
}
