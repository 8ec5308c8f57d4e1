//! Reverse mode: the adjoint transform, IR -> IR.
//!
//! The forward sweep is the lowered primal code, unchanged: every value is a
//! fresh variable, so the reverse sweep reads them directly and nothing needs
//! saving. The reverse sweep walks the statements backwards and, for each
//! active `let y = prim(a, b)`, adds the operands' contributions
//! `a_bar += <local vjp>(y_bar)`. An adjoint's first contribution declares it
//! (`let a_bar = ...`), so no zero is ever materialised and added to; an
//! input the output does not depend on gets a zero of its shape.

use crate::activity;
use crate::ir::{BinOp, Body, Expr, Operand, Program, Stmt, VarId};
use proc_macro2::Span;
use std::collections::HashMap;

/// `(x, .., dout) -> (y, x_bar, ..)`: returns the body and the seed parameter.
pub fn vjp(prog: &mut Program) -> (Body, VarId) {
    let act = activity::analyse(prog);
    let seed = prog.derived("dout");
    let primal = prog.body.clone();
    let mut adj: HashMap<VarId, VarId> = HashMap::new();
    if let [Expr::Use(Operand::Var(r))] = primal.ret.as_slice() {
        if act.is_active(*r) {
            adj.insert(*r, seed);
        }
    }
    let mut stmts = primal.stmts.clone();
    for stmt in primal.stmts.iter().rev() {
        let Stmt::Let {
            var, expr, span, ..
        } = stmt
        else {
            continue;
        };
        if !act.is_active(*var) {
            continue;
        }
        let Some(&vb) = adj.get(var) else {
            continue;
        };
        for (a, contribution, sub) in contributions(expr, *var, vb) {
            if !act.is_active(a) {
                continue;
            }
            accumulate(prog, &mut adj, &mut stmts, a, contribution, sub, *span);
        }
    }
    let mut ret = primal.ret.clone();
    for &p in &prog.active_params {
        ret.push(match adj.get(&p) {
            Some(&pb) => Expr::var(pb),
            None => Expr::ZeroLike(p),
        });
    }
    (Body { stmts, ret }, seed)
}

/// `a_bar += c` (or `-=`), declaring `a_bar` at its first contribution.
fn accumulate(
    prog: &mut Program,
    adj: &mut HashMap<VarId, VarId>,
    stmts: &mut Vec<Stmt>,
    a: VarId,
    contribution: Expr,
    sub: bool,
    span: Span,
) {
    match adj.get(&a) {
        Some(&ab) => stmts.push(Stmt::Acc {
            var: ab,
            expr: contribution,
            sub,
            span,
        }),
        None => {
            let ab = prog.derived(&format!("{}_bar", prog.name(a)));
            adj.insert(a, ab);
            let expr = if sub {
                Expr::Neg(Box::new(contribution))
            } else {
                contribution
            };
            stmts.push(Stmt::Let {
                var: ab,
                ty: None,
                expr,
                span,
            });
        }
    }
}

fn operand_var(e: &Expr) -> Option<VarId> {
    match e {
        Expr::Use(Operand::Var(v)) => Some(*v),
        _ => None,
    }
}

/// The local vector-Jacobian product of one primitive: for each variable
/// operand, its contribution for the output cotangent `yb` (and whether it is
/// subtracted). `y` is the primitive's output.
fn contributions(expr: &Expr, y: VarId, yb: VarId) -> Vec<(VarId, Expr, bool)> {
    let ybar = Expr::var(yb);
    let mut out = Vec::new();
    let mut push = |operand: &Expr, c: Expr, sub: bool| {
        if let Some(v) = operand_var(operand) {
            out.push((v, c, sub));
        }
    };
    match expr {
        Expr::Use(_) => push(expr, ybar, false),
        Expr::Neg(a) => push(a, ybar, true),
        Expr::Bin(op, a, b) => {
            let args = vec![(**a).clone(), (**b).clone(), ybar.clone()];
            match op {
                BinOp::Add => {
                    push(a, ybar.clone(), false);
                    push(b, ybar, false);
                }
                BinOp::Sub => {
                    push(a, ybar.clone(), false);
                    push(b, ybar, true);
                }
                BinOp::Mul => {
                    push(a, Expr::Rule("mul::vjp_a", args.clone()), false);
                    push(b, Expr::Rule("mul::vjp_b", args), false);
                }
                BinOp::Div => {
                    push(a, Expr::Rule("div::vjp_a", args), false);
                    let args_b = vec![(**a).clone(), (**b).clone(), Expr::var(y), ybar];
                    push(b, Expr::Rule("div::vjp_b", args_b), false);
                }
            }
        }
        Expr::Call(func, _, args) => {
            for (i, a) in args.iter().enumerate() {
                let partial = Expr::Partial {
                    func: *func,
                    idx: vec![i],
                    args: args.clone(),
                    out: Box::new(Expr::var(y)),
                };
                let c = Expr::Bin(BinOp::Mul, Box::new(ybar.clone()), Box::new(partial));
                push(a, c, false);
            }
        }
        Expr::Cast(a, _) => push(a, Expr::Rule("cast_like", vec![(**a).clone(), ybar]), false),
        Expr::Opaque(_) | Expr::ZeroLike(_) | Expr::Partial { .. } | Expr::Rule(..) => {}
    }
    out
}
