//! Activity analysis: which variables need a tangent or an adjoint.
//!
//! A variable is *varied* if it depends on an active input and *useful* if an
//! output depends on it; it is *active* if both. Only active variables get
//! derivative code: `let c = 1.0f64.tanh();` (not varied) and a value computed
//! but never used for the result (not useful) cost nothing in the derivative.
//!
//! The analysis is flow-insensitive over the whole body (a slot or array is
//! varied if any of its assignments is), iterated to a fixed point, which
//! covers values carried around loops.

use crate::ir::{walk, Expr, Program, Stmt, VarId};

/// The active variables of a program.
pub struct Activity {
    active: Vec<bool>,
}

impl Activity {
    pub fn is_active(&self, v: VarId) -> bool {
        self.active.get(v).copied().unwrap_or(false)
    }
}

/// Vars read by the differentiable part of an expression: not indices, not
/// lengths, not verbatim code.
pub fn differentiable_reads(e: &Expr, f: &mut impl FnMut(VarId)) {
    match e {
        Expr::Opaque(..) | Expr::ZeroLike(_) | Expr::Fresh { .. } => {}
        Expr::Index(a, _) => f(*a),
        Expr::Repeat { elem, .. } => differentiable_reads(elem, f),
        Expr::Neg(a) | Expr::Cast(a, _) | Expr::Ref(a) => differentiable_reads(a, f),
        Expr::Range { .. } => {}
        Expr::Bin(_, a, b) => {
            differentiable_reads(a, f);
            differentiable_reads(b, f);
        }
        Expr::Call(_, _, args)
        | Expr::La(_, args)
        | Expr::Rule(_, args)
        | Expr::Call2 { args, .. }
        | Expr::List { elems: args, .. } => {
            args.iter().for_each(|a| differentiable_reads(a, f));
        }
        Expr::Partial { args, out, .. } => {
            args.iter()
                .chain(out.as_deref())
                .for_each(|a| differentiable_reads(a, f));
        }
        e => e.for_each_var(f),
    }
}

/// What a statement defines and from what: `let`, assignment, or a push on
/// a stack (second order saves tangents there).
fn definition(s: &Stmt) -> Option<(VarId, &Expr)> {
    match s {
        Stmt::Let { var, expr, .. } => Some((*var, expr)),
        Stmt::Assign { place, expr, .. } => Some((place.var(), expr)),
        Stmt::Push { stack, value } => Some((*stack, value)),
        _ => None,
    }
}

pub fn analyse(prog: &Program) -> Activity {
    let n = prog.vars.len();
    let stmts = &prog.body.stmts;
    let mut varied = vec![false; n];
    // An in/out buffer's initial contents are an input, like an active
    // parameter's value.
    for &v in prog.active_params.iter().chain(&prog.outputs) {
        varied[v] = true;
    }
    let mut changed = true;
    while changed {
        changed = false;
        walk(stmts, &mut |s| {
            let Some((target, expr)) = definition(s) else {
                return;
            };
            if varied[target] {
                return;
            }
            let mut any = false;
            differentiable_reads(expr, &mut |v| any |= varied[v]);
            if any {
                varied[target] = true;
                changed = true;
            }
        });
    }
    let mut useful = vec![false; n];
    for e in &prog.body.ret {
        differentiable_reads(e, &mut |v| useful[v] = true);
    }
    for &o in &prog.outputs {
        useful[o] = true;
    }
    let mut changed = true;
    while changed {
        changed = false;
        walk(stmts, &mut |s| {
            let Some((target, expr)) = definition(s) else {
                return;
            };
            if useful[target] {
                differentiable_reads(expr, &mut |v| {
                    if !useful[v] {
                        useful[v] = true;
                        changed = true;
                    }
                });
            }
        });
    }
    Activity {
        active: varied.iter().zip(&useful).map(|(a, b)| *a && *b).collect(),
    }
}
