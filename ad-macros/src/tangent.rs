//! Forward mode: the tangent transform, IR -> IR.
//!
//! Every active `let y = prim(a, b)` is followed by `let dy = <tangent>`,
//! built from the tangents of the operands with symbolic zeros (an inactive
//! operand contributes nothing, and no code). Assignments, branches and loops
//! keep their structure: forward mode needs no record of anything.

use crate::activity::{self, Activity};
use crate::ir::{AssignOp, BinOp, Block, Body, Expr, Operand, Place, Program, Stmt, VarId};
use quote::format_ident;
use std::collections::HashMap;

/// The tangent transform's result: the body, the tangent parameter of each
/// active input, and the tangent buffer of each output buffer.
pub struct Jvp {
    pub body: Body,
    pub tangents: Vec<VarId>,
    pub buffers: Vec<VarId>,
}

pub fn jvp(prog: &mut Program) -> Jvp {
    let act = activity::analyse(prog);
    let mut tan = HashMap::new();
    let mut tangents = Vec::new();
    for &p in &prog.active_params.clone() {
        let d = prog.derived(&format!("d{}", prog.name(p)));
        tan.insert(p, d);
        tangents.push(d);
    }
    let mut buffers = Vec::new();
    for &o in &prog.outputs.clone() {
        let d = prog.derived(&format!("d{}", prog.name(o)));
        tan.insert(o, d);
        buffers.push(d);
    }
    let body = prog.body.clone();
    let mut t = Tangent {
        act: &act,
        tan,
        prog,
    };
    let stmts = t.block(&body.stmts);
    let mut ret = body.ret.clone();
    for r in &body.ret {
        let d = t.tan_of(r);
        ret.push(d.unwrap_or_else(|| Expr::ZeroLike(Box::new(r.clone()))));
    }
    Jvp {
        body: Body { stmts, ret },
        tangents,
        buffers,
    }
}

struct Tangent<'a> {
    act: &'a Activity,
    /// The tangent variable of each variable; none is a symbolic zero.
    tan: HashMap<VarId, VarId>,
    prog: &'a mut Program,
}

pub fn add(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Expr::Bin(BinOp::Add, Box::new(a), Box::new(b))),
        (a, None) => a,
        (None, b) => b,
    }
}

pub fn mul(a: Expr, b: Expr) -> Expr {
    Expr::Bin(BinOp::Mul, Box::new(a), Box::new(b))
}

impl Tangent<'_> {
    fn new_tangent(&mut self, v: VarId) -> VarId {
        let dv = self.prog.derived(&format!("d{}", self.prog.name(v)));
        self.tan.insert(v, dv);
        dv
    }

    /// Slots and arrays are updated in place: their tangents must exist.
    fn materialized(&self, v: VarId) -> bool {
        self.prog.vars[v].slot || self.prog.vars[v].array
    }

    fn block(&mut self, block: &Block) -> Block {
        let mut out = Vec::new();
        for stmt in block {
            match stmt {
                Stmt::Let {
                    var,
                    expr: Expr::Call2 { path, args },
                    span,
                    ..
                } if self.act.is_active(*var) => {
                    // y = f(a, b): (y, dy) = f_jvp(a, da, b, db)
                    let mut jargs = Vec::new();
                    for (a, (active, _)) in args.iter().zip(self.prog.signature.clone()) {
                        jargs.push(a.clone());
                        if active {
                            jargs.push(
                                self.tan_of(a)
                                    .unwrap_or_else(|| Expr::ZeroLike(Box::new(a.clone()))),
                            );
                        }
                    }
                    let pair = self.prog.derived("pair");
                    out.push(Stmt::Let {
                        var: pair,
                        ty: None,
                        expr: Expr::Call2 {
                            path: format_ident!("{}_jvp", path),
                            args: jargs,
                        },
                        span: *span,
                    });
                    out.push(Stmt::Let {
                        var: *var,
                        ty: None,
                        expr: Expr::Field(Box::new(Expr::var(pair)), 0),
                        span: *span,
                    });
                    let dv = self.new_tangent(*var);
                    out.push(Stmt::Let {
                        var: dv,
                        ty: None,
                        expr: Expr::Field(Box::new(Expr::var(pair)), 1),
                        span: *span,
                    });
                }
                Stmt::Let {
                    var, expr, span, ..
                } => {
                    out.push(stmt.clone());
                    if !self.act.is_active(*var) {
                        continue;
                    }
                    let d = match self.tangent(expr, *var) {
                        Some(d) => d,
                        None if self.materialized(*var) => {
                            Expr::ZeroLike(Box::new(Expr::var(*var)))
                        }
                        None => continue,
                    };
                    let dv = self.new_tangent(*var);
                    out.push(Stmt::Let {
                        var: dv,
                        ty: None,
                        expr: d,
                        span: *span,
                    });
                }
                Stmt::Assign {
                    place,
                    op,
                    expr,
                    span,
                } => {
                    // The tangent first: the assignment may overwrite an
                    // operand (`s = s * x`) that the tangent reads.
                    let target = place.var();
                    let dt = self.tan.get(&target).copied();
                    let (true, Some(dt)) = (self.act.is_active(target), dt) else {
                        out.push(stmt.clone());
                        continue;
                    };
                    let dplace = match place {
                        Place::Var(_) => Place::Var(dt),
                        Place::Index(_, i) => Place::Index(dt, i.clone()),
                    };
                    let d = self.tangent(expr, target);
                    match (op, d) {
                        (AssignOp::Set, d) => out.push(Stmt::Assign {
                            place: dplace,
                            op: AssignOp::Set,
                            expr: d.unwrap_or_else(|| Expr::ZeroLike(Box::new(expr.clone()))),
                            span: *span,
                        }),
                        (op, Some(d)) => out.push(Stmt::Assign {
                            place: dplace,
                            op: *op,
                            expr: d,
                            span: *span,
                        }),
                        (_, None) => {}
                    }
                    out.push(stmt.clone());
                }
                Stmt::If { cond, then, els } => {
                    let then = self.block(then);
                    let els = self.block(els);
                    out.push(Stmt::If {
                        cond: cond.clone(),
                        then,
                        els,
                    });
                }
                Stmt::Loop { header, body } => {
                    let body = self.block(body);
                    out.push(Stmt::Loop {
                        header: header.clone(),
                        body,
                    });
                }
                Stmt::Break | Stmt::Continue | Stmt::Opaque(..) | Stmt::Push { .. } => {
                    out.push(stmt.clone())
                }
            }
        }
        out
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
                    // d(a / b) = (da - z db) / b, with z = a / b read back
                    // from the output (which an assignment may have
                    // overwritten into `a`: then recompute it).
                    BinOp::Div => {
                        let z = if self.prog.vars[out].slot || self.prog.vars[out].array {
                            Expr::Bin(BinOp::Div, a.clone(), b.clone())
                        } else {
                            Expr::var(out)
                        };
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
            Expr::Call(func, style, args) => {
                // The output value: the variable, unless an assignment to a
                // slot computed it (then the call is evaluated again).
                let y = if self.prog.vars[out].slot || self.prog.vars[out].array {
                    Expr::Call(*func, style.clone(), args.clone())
                } else {
                    Expr::var(out)
                };
                let mut sum = None;
                for (i, a) in args.iter().enumerate() {
                    if let Some(da) = self.tan_of(a) {
                        let partial = Expr::Partial {
                            func: *func,
                            idx: vec![i],
                            args: args.clone(),
                            out: Box::new(y.clone()),
                        };
                        sum = add(sum, Some(mul(da, partial)));
                    }
                }
                sum
            }
            Expr::Cast(a, ty) => self.tan_of(a).map(|d| Expr::Cast(Box::new(d), ty.clone())),
            Expr::Index(a, i) => {
                if self.act.is_active(*a) {
                    self.tan.get(a).map(|&d| Expr::Index(d, i.clone()))
                } else {
                    None
                }
            }
            Expr::List { vec, elems } => {
                let ds: Vec<Option<Expr>> = elems.iter().map(|e| self.tan_of(e)).collect();
                if ds.iter().all(Option::is_none) {
                    return None;
                }
                let elems = ds
                    .into_iter()
                    .zip(elems)
                    .map(|(d, e)| d.unwrap_or_else(|| Expr::ZeroLike(Box::new(e.clone()))))
                    .collect();
                Some(Expr::List { vec: *vec, elems })
            }
            Expr::Repeat { vec, elem, len } => self.tan_of(elem).map(|d| Expr::Repeat {
                vec: *vec,
                elem: Box::new(d),
                len: len.clone(),
            }),
            Expr::Opaque(..)
            | Expr::ZeroLike(_)
            | Expr::Partial { .. }
            | Expr::Rule(..)
            | Expr::Call2 { .. }
            | Expr::Pop(_)
            | Expr::Field(..)
            | Expr::Take(_) => None,
        }
    }
}
