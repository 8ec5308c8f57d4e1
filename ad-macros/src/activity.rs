//! Activity analysis: which variables need a tangent or an adjoint.
//!
//! A variable is *varied* if it depends on an active input and *useful* if the
//! output depends on it; it is *active* if both. Only active variables get
//! derivative code: `let c = 1.0f64.tanh();` (not varied) and a value computed
//! but never used for the result (not useful) cost nothing in the derivative.

use crate::ir::{Body, Expr, Program, Stmt, VarId};

/// The active variables of a program.
pub struct Activity {
    active: Vec<bool>,
}

impl Activity {
    pub fn is_active(&self, v: VarId) -> bool {
        self.active[v]
    }
}

/// Vars read by the differentiable part of an expression. Verbatim code
/// (`Opaque`) and zeros carry no derivative.
fn differentiable_reads(e: &Expr, f: &mut impl FnMut(VarId)) {
    match e {
        Expr::Opaque(_) | Expr::ZeroLike(_) => {}
        e => e.for_each_var(f),
    }
}

pub fn analyse(prog: &Program) -> Activity {
    analyse_body(&prog.body, prog.vars.len(), &prog.active_params)
}

pub fn analyse_body(body: &Body, nvars: usize, inputs: &[VarId]) -> Activity {
    let mut varied = vec![false; nvars];
    for &v in inputs {
        varied[v] = true;
    }
    // Forward: straight-line code, so one pass in order is a fixed point.
    for stmt in &body.stmts {
        if let Stmt::Let { var, expr, .. } | Stmt::Acc { var, expr, .. } = stmt {
            let mut any = false;
            differentiable_reads(expr, &mut |v| any |= varied[v]);
            varied[*var] |= any;
        }
    }
    // Backward: from the outputs.
    let mut useful = vec![false; nvars];
    for e in &body.ret {
        differentiable_reads(e, &mut |v| useful[v] = true);
    }
    for stmt in body.stmts.iter().rev() {
        if let Stmt::Let { var, expr, .. } | Stmt::Acc { var, expr, .. } = stmt {
            if useful[*var] {
                differentiable_reads(expr, &mut |v| useful[v] = true);
            }
        }
    }
    Activity {
        active: varied.iter().zip(&useful).map(|(a, b)| *a && *b).collect(),
    }
}
