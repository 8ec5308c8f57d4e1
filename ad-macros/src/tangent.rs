//! Forward mode: the tangent transform, IR -> IR.
//!
//! Every active `let y = prim(a, b)` is followed by `let dy = <tangent>`,
//! built from the tangents of the operands with symbolic zeros (an inactive
//! operand contributes nothing, and no code).

use crate::activity::{self, Activity};
use crate::ir::{BinOp, Body, Expr, Operand, Program, Stmt, VarId};
use std::collections::HashMap;

/// `(x, dx, ..) -> (y, dy)`: returns the body and the tangent parameters
/// (one per active parameter, in order).
pub fn jvp(prog: &mut Program) -> (Body, Vec<VarId>) {
    let act = activity::analyse(prog);
    let mut tan = HashMap::new();
    let mut params = Vec::new();
    for &p in &prog.active_params.clone() {
        let d = prog.derived(&format!("d{}", prog.name(p)));
        tan.insert(p, d);
        params.push(d);
    }
    let mut t = Tangent {
        act: &act,
        tan,
        prog,
    };
    let body = t.transform(&t.prog.body.clone());
    (body, params)
}

struct Tangent<'a> {
    act: &'a Activity,
    /// The tangent variable of each variable; none is a symbolic zero.
    tan: HashMap<VarId, VarId>,
    prog: &'a mut Program,
}

fn add(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Expr::Bin(BinOp::Add, Box::new(a), Box::new(b))),
        (a, None) => a,
        (None, b) => b,
    }
}

fn mul(a: Expr, b: Expr) -> Expr {
    Expr::Bin(BinOp::Mul, Box::new(a), Box::new(b))
}

impl Tangent<'_> {
    fn transform(&mut self, body: &Body) -> Body {
        let mut out = Vec::new();
        for stmt in &body.stmts {
            out.push(stmt.clone());
            if let Stmt::Let {
                var, expr, span, ..
            } = stmt
            {
                if !self.act.is_active(*var) {
                    continue;
                }
                if let Some(d) = self.tangent(expr, *var) {
                    let dv = self.prog.derived(&format!("d{}", self.prog.name(*var)));
                    self.tan.insert(*var, dv);
                    out.push(Stmt::Let {
                        var: dv,
                        ty: None,
                        expr: d,
                        span: *span,
                    });
                }
            }
        }
        let mut ret = body.ret.clone();
        for r in &body.ret {
            let d = match r {
                Expr::Use(Operand::Var(v)) => self.tan.get(v).map(|&d| Expr::var(d)),
                _ => None,
            };
            ret.push(d.unwrap_or_else(|| zero_of(r)));
        }
        Body { stmts: out, ret }
    }

    fn tan_of(&self, e: &Expr) -> Option<Expr> {
        match e {
            Expr::Use(Operand::Var(v)) if self.act.is_active(*v) => {
                self.tan.get(v).map(|&d| Expr::var(d))
            }
            _ => None,
        }
    }

    /// The tangent of `expr`, the value of `out`; `None` if it is zero.
    fn tangent(&self, expr: &Expr, out: VarId) -> Option<Expr> {
        match expr {
            Expr::Use(_) => self.tan_of(expr),
            Expr::Neg(a) => self.tan_of(a).map(|d| Expr::Neg(Box::new(d))),
            Expr::Bin(op, a, b) => {
                let (da, db) = (self.tan_of(a), self.tan_of(b));
                match op {
                    BinOp::Add => add(da, db),
                    BinOp::Sub => match (da, db) {
                        (Some(da), Some(db)) => {
                            Some(Expr::Bin(BinOp::Sub, Box::new(da), Box::new(db)))
                        }
                        (da, None) => da,
                        (None, Some(db)) => Some(Expr::Neg(Box::new(db))),
                    },
                    // bilinear: d(a b) = da b + a db
                    BinOp::Mul => add(
                        da.map(|da| mul(da, (**b).clone())),
                        db.map(|db| mul((**a).clone(), db)),
                    ),
                    // d(a / b) = (da - z db) / b
                    BinOp::Div => {
                        let z = Expr::var(out);
                        let num = match (da, db) {
                            (Some(da), Some(db)) => {
                                Expr::Bin(BinOp::Sub, Box::new(da), Box::new(mul(z, db)))
                            }
                            (Some(da), None) => da,
                            (None, Some(db)) => Expr::Neg(Box::new(mul(z, db))),
                            (None, None) => return None,
                        };
                        Some(Expr::Bin(BinOp::Div, Box::new(num), b.clone()))
                    }
                }
            }
            Expr::Call(func, _, args) => {
                let mut sum = None;
                for (i, a) in args.iter().enumerate() {
                    if let Some(da) = self.tan_of(a) {
                        let partial = Expr::Partial {
                            func: *func,
                            idx: vec![i],
                            args: args.clone(),
                            out: Box::new(Expr::var(out)),
                        };
                        sum = add(sum, Some(mul(da, partial)));
                    }
                }
                sum
            }
            Expr::Cast(a, ty) => self.tan_of(a).map(|d| Expr::Cast(Box::new(d), ty.clone())),
            Expr::Opaque(_) | Expr::ZeroLike(_) | Expr::Partial { .. } | Expr::Rule(..) => None,
        }
    }
}

/// A zero tangent for the output `r`.
fn zero_of(r: &Expr) -> Expr {
    match r {
        Expr::Use(Operand::Var(v)) => Expr::ZeroLike(*v),
        // A constant output: its derivative is a zero of its type, which is
        // inferred from the function's return type.
        _ => Expr::Opaque(quote::quote!(::ad::__rt::Zero::zero())),
    }
}
