//! Facts about a body that its emission needs with nalgebra values: which
//! variables hold scalars (plain operators and copies), and which reads may
//! move their variable.

use crate::fx::HashSet;
use crate::ir::{walk, AssignOp, Body, Expr, Header, Operand, Place, Program, Stmt, VarId};

/// Whether `e` is known to be a scalar, given the scalar variables: a float
/// literal, an element read, a float method or rule-table partial, a
/// reduction of a vector (`sum`, `dot`, `norm`, ...), or arithmetic on those.
pub(super) fn is_scalar(e: &Expr, scalars: &HashSet<VarId>) -> bool {
    match e {
        Expr::Use(Operand::Var(v)) => scalars.contains(v),
        Expr::Use(Operand::Const(t)) => {
            matches!(
                t.clone().into_iter().next(),
                Some(proc_macro2::TokenTree::Literal(l)) if l.to_string().contains('.')
            ) && t.clone().into_iter().count() == 1
        }
        Expr::Index(..) | Expr::Call(..) | Expr::Partial { .. } | Expr::Cast(..) => true,
        Expr::La(op, _) => crate::lower::LA_SCALAR.contains(&op.module),
        Expr::Neg(a) => is_scalar(a, scalars),
        Expr::Bin(_, a, b) => is_scalar(a, scalars) && is_scalar(b, scalars),
        Expr::ZeroLike(a) => is_scalar(a, scalars),
        // An adjoint started by a cotangent has its zero's type.
        Expr::Rule(crate::ir::START, args) => is_scalar(&args[0], scalars),
        Expr::Rule(name, args) => {
            let (module, rule) = name.rsplit_once("::").unwrap_or(("", name));
            match (module, rule) {
                // A scalar operand's cotangent is a scalar; so are the
                // tangent rules of the scalar reductions.
                ("mul" | "div", _) => args.iter().all(|a| is_scalar(a, scalars)),
                (m, r) if crate::lower::LA_SCALAR.contains(&m) => r.starts_with("jvp"),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `e` is one literal (`1`, `0usize`, `0.5`): never a matrix, so
/// that `k += 1` of a counter is written as it is, not `k += &1`.
pub(super) fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Use(Operand::Const(t)) => {
            let mut tokens = t.clone().into_iter();
            matches!(
                (tokens.next(), tokens.next()),
                (Some(proc_macro2::TokenTree::Literal(_)), None)
            )
        }
        _ => false,
    }
}

/// The variables known to hold scalars: scalar parameters and seeds, and
/// every variable whose every definition is a scalar expression.
pub(super) fn scalars(prog: &Program, body: &Body) -> HashSet<VarId> {
    let mut defs: crate::fx::HashMap<VarId, Vec<Expr>> = Default::default();
    walk(&body.stmts, &mut |s| match s {
        Stmt::Let { var, expr, .. } => defs.entry(*var).or_default().push(expr.clone()),
        Stmt::Assign {
            place: Place::Var(v),
            op: AssignOp::Set,
            expr,
            ..
        } => defs.entry(*v).or_default().push(expr.clone()),
        _ => {}
    });
    let mut scalars: HashSet<VarId> = (0..prog.vars.len())
        .filter(|&v| prog.vars[v].scalar)
        .collect();
    loop {
        let before = scalars.len();
        for (&v, exprs) in &defs {
            if scalars.contains(&v) {
                continue;
            }
            // A fresh slot gets its type from its other definitions.
            let typed: Vec<&Expr> = exprs
                .iter()
                .filter(|e| !matches!(e, Expr::Fresh { .. }))
                .collect();
            if !typed.is_empty() && typed.iter().all(|e| is_scalar(e, &scalars)) {
                scalars.insert(v);
            }
        }
        if scalars.len() == before {
            return scalars;
        }
    }
}

/// The last read of each variable that may move it: the only read in its
/// statement, at the loop depth of the variable's definition (so not once
/// per iteration), after every update in place. Identified by the
/// variable: each variable's moving read is its last one.
pub(super) fn movable(prog: &Program, body: &Body) -> HashSet<(VarId, usize)> {
    use crate::fx::HashMap;
    #[derive(Default)]
    struct Facts {
        /// (position, reads at that position, loop depth) of the last read.
        reads: HashMap<VarId, (usize, usize, usize)>,
        defs: HashMap<VarId, usize>,
        /// Position of the last update in place (`x = e`, `x += e`, ...).
        updates: HashMap<VarId, usize>,
        position: usize,
    }
    fn read(e: &Expr, depth: usize, f: &mut Facts) {
        let at = f.position;
        e.for_each_var(&mut |v| {
            let r = f.reads.entry(v).or_insert((at, 0, depth));
            if r.0 == at {
                r.1 += 1;
                r.2 = r.2.max(depth);
            } else {
                *r = (at, 1, depth);
            }
        });
    }
    fn block(b: &[Stmt], depth: usize, f: &mut Facts) {
        for s in b {
            f.position += 1;
            match s {
                Stmt::Let { var, expr, .. } => {
                    read(expr, depth, f);
                    f.defs.insert(*var, depth);
                }
                Stmt::Assign { place, expr, .. } => {
                    read(expr, depth, f);
                    if let Place::Index(_, i) = place {
                        read(i, depth, f);
                    }
                    f.updates.insert(place.var(), f.position);
                }
                Stmt::If { cond, then, els } => {
                    read(cond, depth, f);
                    block(then, depth, f);
                    block(els, depth, f);
                }
                Stmt::Loop { header, body, .. } => {
                    match header {
                        Header::Times(n) => read(n, depth, f),
                        Header::For { reads, .. } => {
                            for &v in reads {
                                read(&Expr::var(v), depth + 1, f);
                            }
                        }
                        Header::Infinite => {}
                    }
                    block(body, depth + 1, f);
                }
                Stmt::Push { value, stack } => {
                    read(value, depth, f);
                    f.updates.insert(*stack, f.position);
                }
                Stmt::Opaque(_, reads) => {
                    for &v in reads {
                        read(&Expr::var(v), depth, f);
                    }
                }
                Stmt::Break | Stmt::Continue => {}
            }
        }
    }
    let mut f = Facts::default();
    block(&body.stmts, 0, &mut f);
    f.position += 1;
    for e in &body.ret {
        read(e, 0, &mut f);
    }
    (0..prog.vars.len())
        .filter_map(|v| {
            let def = f.defs.get(&v).copied().unwrap_or(0);
            let updated = f.updates.get(&v).copied().unwrap_or(0);
            let &(at, n, depth) = f.reads.get(&v)?;
            (n == 1 && depth == def && at > updated).then_some((v, at))
        })
        .collect()
}
