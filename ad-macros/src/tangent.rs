//! Forward mode: the tangent transform, IR -> IR.
//!
//! Every active `let y = prim(a, b)` is followed by `let dy = <tangent>`,
//! built from the tangents of the operands with symbolic zeros (an inactive
//! operand contributes nothing, and no code). Assignments, branches and loops
//! keep their structure: forward mode needs no record of anything.

use crate::activity::{self, Activity};
use crate::fx::{HashMap, HashSet};
use crate::ir::wrapper;
use crate::ir::{
    intern, walk, AssignOp, BinOp, Block, Body, Expr, Operand, Place, Program, Stmt, VarId,
    VarKind, DIV,
};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use std::cell::RefCell;

/// The tangent transform's result: the body, the tangent parameter of each
/// active input, and the tangent buffer of each output buffer.
pub struct Jvp {
    pub body: Body,
    pub tangents: Vec<VarId>,
    pub buffers: Vec<VarId>,
    /// Active variables read where no tangent of theirs was in scope: a bug
    /// of the transform, which would otherwise be a silent zero (see
    /// [`Jvp::missing`] and `expand.rs`).
    pub missing: Vec<VarId>,
}

pub fn jvp(prog: &mut Program) -> Jvp {
    let act = activity::analyse(prog);
    let mut tan = HashMap::default();
    let mut tangents = Vec::new();
    for &p in &prog.active_params.clone() {
        let d = prog.derived(&format!("d{}", prog.name(p)));
        // The tangent of a borrowed matrix is borrowed too.
        prog.vars[d].by_ref = prog.vars[p].by_ref;
        prog.vars[d].scalar = prog.vars[p].scalar;
        prog.vars[d].array = prog.vars[p].array;
        tan.insert(p, d);
        tangents.push(d);
    }
    let mut buffers = Vec::new();
    for &o in &prog.outputs.clone() {
        let d = prog.derived(&format!("d{}", prog.name(o)));
        tan.insert(o, d);
        buffers.push(d);
    }
    // A parameter left out of `wrt(...)` that takes active values (`c += x`
    // on a `mut c: f64`, `buf[i] = w[i]` on a `mut buf: Vec<f64>`) is
    // active without being declared so: its tangent starts at zero. Every
    // other active variable has a `let` whose tangent starts it.
    let mut starts = Vec::new();
    for v in 0..prog.vars.len() {
        if matches!(prog.vars[v].kind, VarKind::Param(_))
            && act.is_active(v)
            && !tan.contains_key(&v)
        {
            let d = prog.derived(&format!("d{}", prog.name(v)));
            prog.vars[d].array = prog.vars[v].array;
            starts.push(Stmt::Let {
                var: d,
                ty: None,
                expr: Expr::ZeroLike(Box::new(Expr::var(v))),
                span: proc_macro2::Span::call_site(),
            });
            tan.insert(v, d);
        }
    }
    let body = prog.body.clone();
    let mut updated = HashSet::default();
    let mut grown = HashSet::default();
    walk(&body.stmts, &mut |s| match s {
        Stmt::Assign { place, .. } => {
            updated.insert(place.var());
        }
        Stmt::Push { stack, .. } => {
            updated.insert(*stack);
            grown.insert(*stack);
        }
        _ => {}
    });
    // Variables bound to fields (`let p_w = &p.w;`), for `Tangent::field_arg`.
    let mut members = HashMap::default();
    walk(&body.stmts, &mut |s| {
        if let Stmt::Let { var, expr, .. } = s {
            let copied = match expr {
                Expr::Rule("clone", args) if args.len() == 1 => args[0].as_var(),
                _ => expr.as_var(),
            };
            if let Some(m) = member_of(expr) {
                members.insert(*var, (m.0, m.1.clone()));
            } else if let Some(m) = copied.and_then(|v| members.get(&v)).cloned() {
                members.insert(*var, m); // `let c = p.scale;`
            }
        }
    });
    let mut t = Tangent {
        act: &act,
        members,
        tan,
        updated,
        grown,
        zeros: HashSet::default(),
        missing: RefCell::new(Vec::new()),
        prog,
    };
    let mut stmts = without_config(t.prog, &body.stmts, &t.tan);
    stmts.extend(starts);
    stmts.extend(t.block(&body.stmts));
    let mut ret = body.ret.clone();
    for r in &body.ret {
        let d = match t.tan_expr(r) {
            Some(d) => d,
            None => {
                // A zero of the output's shape, bound before the result
                // tuple moves the output.
                let z = t.prog.derived("zero");
                stmts.push(Stmt::Let {
                    var: z,
                    ty: None,
                    expr: Expr::ZeroLike(Box::new(r.clone())),
                    span: proc_macro2::Span::call_site(),
                });
                Expr::var(z)
            }
        };
        ret.push(d);
    }
    let mut missing = t.missing.into_inner();
    missing.sort_unstable();
    missing.dedup();
    Jvp {
        body: Body { stmts, ret },
        tangents,
        buffers,
        missing,
    }
}

/// For each active parameter whose fields are read (`p.lambda`), its
/// tangent read through a copy whose skipped (`#[ad(skip)]`) fields are
/// zero: configuration is a constant, whatever the caller's tangent holds
/// there (`ad_runtime::config`; the tangent itself for a struct without
/// skipped float fields).
fn without_config(prog: &Program, body: &[Stmt], tan: &HashMap<VarId, VarId>) -> Block {
    let mut read = HashSet::default();
    let mut note = |e: &Expr| {
        e.visit(&mut |e| {
            if let Expr::Member(v, _) = e {
                read.insert(*v);
            }
        })
    };
    walk(body, &mut |s| match s {
        Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => note(expr),
        Stmt::If { cond, .. } => note(cond),
        Stmt::Push { value, .. } => note(value),
        _ => {}
    });
    let mut out = Vec::new();
    for p in &prog.active_params {
        let (true, Some(&d)) = (read.contains(p), tan.get(p)) else {
            continue;
        };
        let dp = prog.name(d);
        let tokens = if prog.vars[*p].by_ref {
            let store = quote::format_ident!("__ad_config_{}", dp);
            quote::quote!(
                let #store = __rt::without_config(#dp);
                let #dp = &*#store;
            )
        } else {
            quote::quote!(let mut #dp = __rt::config_zeroed(#dp);)
        };
        out.push(Stmt::Opaque(tokens, vec![d]));
    }
    out
}

struct Tangent<'a> {
    act: &'a Activity,
    /// Variables bound to a field of a struct (`let p_w = &p.w;`): the
    /// struct and the path.
    members: HashMap<VarId, (VarId, crate::ir::MemberPath)>,
    /// The tangent variable of each variable; none is a symbolic zero.
    tan: HashMap<VarId, VarId>,
    /// Variables updated in place (assigned, or stacks pushed to).
    updated: HashSet<VarId>,
    /// Stacks and `Vec`s pushed to.
    grown: HashSet<VarId>,
    /// Active variables whose tangent is a symbolic zero.
    zeros: HashSet<VarId>,
    /// Active variables read without a tangent, not known to be zero (see
    /// [`Jvp::missing`]).
    missing: RefCell<Vec<VarId>>,
    prog: &'a mut Program,
}

/// `&p.w`, `p.layer.b`: the struct and the path of a field read.
fn member_of(e: &Expr) -> Option<(VarId, &crate::ir::MemberPath)> {
    match e {
        Expr::Member(p, m) => Some((*p, m)),
        Expr::Ref(e) => member_of(e),
        _ => None,
    }
}

/// Whether a call is to a hidden wrapper of the given kind (`vjp`, ...).
fn is_wrapper(path: &syn::Path, kind: &str) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident.to_string().starts_with(&format!("__ad_{kind}_")))
}

/// Whether an expression builds an array from array variables (the rows
/// of a 2-D array), which it moves.
fn moves_rows(prog: &Program, e: &Expr) -> bool {
    let row = |e: &Expr| e.copied_var().is_some_and(|v| prog.vars[v].array);
    match e {
        Expr::List { elems, .. } => elems.iter().any(row),
        Expr::Repeat { elem, .. } => row(elem),
        _ => false,
    }
}

/// Whether `e` is a float literal without a suffix (`0.0`, `1e-3`): of a
/// type rustc infers from its uses.
fn float_literal(e: &Expr) -> bool {
    let Expr::Use(Operand::Const(t)) = e else {
        return false;
    };
    let mut tokens = t.clone().into_iter();
    match (tokens.next(), tokens.next()) {
        (Some(proc_macro2::TokenTree::Literal(l)), None) => {
            let s = l.to_string();
            s.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'e' | b'E' | b'-' | b'+'))
                && s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        }
        _ => false,
    }
}

/// Whether the tangent `d` of a tuple or array `e` has a zero of an element
/// variable that `e` moves: the zero must be taken before `e` is built.
fn zeroes_moved(e: &Expr, d: &Expr) -> bool {
    let zero_of_var = |d: &Expr| matches!(d, Expr::ZeroLike(z) if z.as_var().is_some());
    match (e, d) {
        (Expr::Tuple(_), Expr::Tuple(ds)) | (Expr::List { .. }, Expr::List { elems: ds, .. }) => {
            ds.iter().any(zero_of_var)
        }
        _ => false,
    }
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
        // Taking an array's tangent leaves a zero of its shape.
        self.prog.vars[dv].array = self.prog.vars[v].array;
        self.tan.insert(v, dv);
        dv
    }

    /// `let pair = __ad_jvp_g(a, da, n, NoTangent);` for the call `g(a, n)`:
    /// the value and its tangent. A callee's reverse mode
    /// `__ad_vjp_g(a, n, y_bar)` has its tangent from
    /// `__ad_vjpjvp_g(.., y_bar, dy_bar)`.
    fn call(
        &mut self,
        path: &syn::Path,
        args: &[Expr],
        method: bool,
        span: proc_macro2::Span,
        out: &mut Block,
    ) -> VarId {
        let callee = if is_wrapper(path, "vjp") {
            let mut callee = path.clone();
            if let Some(last) = callee.segments.last_mut() {
                let name = last
                    .ident
                    .to_string()
                    .replacen("__ad_vjp_", "__ad_vjpjvp_", 1);
                last.ident = syn::Ident::new(&name, last.ident.span());
            }
            callee
        } else {
            wrapper(path, "jvp")
        };
        let mut jargs = Vec::new();
        for (k, a) in args.iter().enumerate() {
            jargs.push(a.clone());
            if method && k == 0 {
                // The receiver: a tangent only when it is active (`wrt(self)`).
                if let Some(d) = self.tan_expr(a) {
                    jargs.push(d);
                }
                continue;
            }
            jargs.push(match self.tan_expr(a) {
                Some(d) => self.field_arg(a, d),
                None => Expr::constant(quote!(__rt::NoTangent)),
            });
        }
        let pair = self.prog.derived("pair");
        out.push(Stmt::Let {
            var: pair,
            ty: None,
            expr: Expr::Call2 {
                path: callee,
                args: jargs,
                method,
            },
            span,
        });
        pair
    }

    /// The tangent `d` of a call's argument `a`; for a field of a parameter
    /// struct (`&p.scale`, `p.cfg.eps`, `&p.v[i]`), passed through the
    /// derive's marker of the field, so that a skipped one passes no
    /// tangent (`ad_runtime::call::FieldKind`): the macro does not see
    /// `#[ad(skip)]`, and the callee may leave its parameter out of `wrt`.
    fn field_arg(&self, a: &Expr, d: Expr) -> Expr {
        let var = match a {
            Expr::Rule("clone", args) if args.len() == 1 => args[0].as_var(),
            _ => a.as_var(),
        };
        let found = var.and_then(|v| self.members.get(&v)).map(|(p, m)| (*p, m));
        let Some((p, m)) = member_of(a).or(found) else {
            return d;
        };
        // `layers[i].w[j]`: the parent `layers[i]`, the field `w`.
        let tokens: Vec<TokenTree> = m.tokens.clone().into_iter().collect();
        let dot = tokens
            .iter()
            .rposition(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '.'));
        let (parent, name) = match dot {
            Some(k) => (&tokens[..=k], tokens.get(k + 1)),
            None => (&tokens[..0], tokens.first()),
        };
        let name = match name {
            Some(TokenTree::Ident(i)) => i.to_string(),
            Some(TokenTree::Literal(l)) => l.to_string(),
            _ => return d,
        };
        let method = format_ident!("__ad_field_{}", name.trim_start_matches("r#"));
        let parent: TokenStream = parent.iter().cloned().collect();
        let kind = crate::ir::MemberPath {
            tokens: quote!(#parent #method()),
            reads: m.reads.clone(),
        };
        Expr::Rule("field_arg", vec![Expr::Member(p, kind), d])
    }

    /// Slots and arrays are updated in place: their tangents must exist.
    fn materialized(&self, v: VarId) -> bool {
        self.prog.vars[v].slot || self.prog.vars[v].array || self.updated.contains(&v)
    }

    fn block(&mut self, block: &Block) -> Block {
        let mut out = Vec::new();
        for stmt in block {
            match stmt {
                Stmt::Let {
                    var,
                    expr: Expr::Call2 { path, args, method },
                    span,
                    ..
                } if self.act.is_active(*var) => {
                    let pair = self.call(path, args, *method, *span, &mut out);
                    let dv = self.new_tangent(*var);
                    for (v, k) in [(*var, 0), (dv, 1)] {
                        out.push(Stmt::Let {
                            var: v,
                            ty: None,
                            expr: Expr::Field(Box::new(Expr::var(pair)), k),
                            span: *span,
                        });
                    }
                }
                // A call assigned in place: reverse mode hoists the `let` of
                // a call inside a loop whose value its reverse sweep reads
                // (`t = g(u)` in the forward sweep of `_vjp`).
                Stmt::Assign {
                    place,
                    op,
                    expr: Expr::Call2 { path, args, method },
                    span,
                } if self.act.is_active(place.var()) && self.tan.contains_key(&place.var()) => {
                    let dt = self.tan[&place.var()];
                    let dplace = place.of(dt);
                    let pair = self.call(path, args, *method, *span, &mut out);
                    for (place, k) in [(dplace, 1), (place.clone(), 0)] {
                        out.push(Stmt::Assign {
                            place,
                            op: *op,
                            expr: Expr::Field(Box::new(Expr::var(pair)), k),
                            span: *span,
                        });
                    }
                }
                // `take` zeroes an adjoint: its tangent must be zeroed too,
                // even when the value taken is not used.
                Stmt::Let {
                    var,
                    expr: Expr::Take(p),
                    span,
                    ..
                } if !self.act.is_active(*var) && self.tan.contains_key(&p.var()) => {
                    out.push(stmt.clone());
                    let dv = self.prog.derived(&format!("d{}", self.prog.name(*var)));
                    let dp = p.of(self.tan[&p.var()]);
                    out.push(Stmt::Let {
                        var: dv,
                        ty: None,
                        expr: Expr::Take(Box::new(dp)),
                        span: *span,
                    });
                }
                Stmt::Let {
                    var,
                    ty,
                    expr,
                    span,
                } => {
                    let at = out.len();
                    out.push(stmt.clone());
                    if !self.act.is_active(*var) {
                        // The cotangent of a pushed element off the end of a
                        // `Vec`'s adjoint, unused (the element was inactive):
                        // its tangent comes off the tangent's end all the same.
                        if let Expr::Pop(s) = expr {
                            if let (true, Some(&ds)) = (self.prog.vars[*s].array, self.tan.get(s)) {
                                let dv = self.prog.derived(&format!("d{}", self.prog.name(*var)));
                                out.push(Stmt::Let {
                                    var: dv,
                                    ty: None,
                                    expr: Expr::Pop(ds),
                                    span: *span,
                                });
                            }
                        }
                        continue;
                    }
                    let d = match self.tangent(expr, Some(*var)) {
                        Some(d) => d,
                        // A fresh slot or stack: its tangent starts fresh too.
                        None if matches!(expr, Expr::Fresh { .. }) => expr.clone(),
                        // `let mut m = 0.0;`: a zero literal, whose type
                        // rustc fixes with `m`'s. (`zero_like(&m)` has a
                        // type only once `m`'s is known, maybe after a
                        // tangent that needs it: `dd = -dm;` before `d = t
                        // - m;` in a loop.)
                        None if self.materialized(*var) && float_literal(expr) => {
                            Expr::ZeroLike(Box::new(expr.clone()))
                        }
                        None if self.materialized(*var) => {
                            Expr::ZeroLike(Box::new(Expr::var(*var)))
                        }
                        // A symbolic zero (the activity analysis counts
                        // operands a rule does not depend on).
                        None => {
                            self.zeros.insert(*var);
                            continue;
                        }
                    };
                    let dv = self.new_tangent(*var);
                    if let Expr::Member(..) = expr {
                        // `let dp_w = &dp.w;`: borrowed, as the field is.
                        self.prog.vars[dv].by_ref = true;
                        self.prog.vars[dv].borrowed = true;
                    }
                    // A tangent has its value's type: declared, it keeps
                    // the number type of a literal it starts from
                    // (`let mut y: [f64; 2] = [0.0; 2];`). A zero of an
                    // element the value moves (`(de, zero_like(&o))` for
                    // `(e, o)`) is taken before it.
                    let before = zeroes_moved(expr, &d);
                    let tangent = Stmt::Let {
                        var: dv,
                        ty: ty.clone(),
                        expr: d,
                        span: *span,
                    };
                    if before {
                        out.insert(at, tangent);
                    } else {
                        out.push(tangent);
                    }
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
                    let dplace = place.of(dt);
                    let d = self.tangent(expr, Some(target));
                    // A variable set to a constant: a zero of its new
                    // value, taken after it (the constant is not computed
                    // twice, and its type is the variable's: `v =
                    // Vec::new();` grown by `push`, `u = Default::default();`).
                    if let (None, AssignOp::Set, Place::Var(_)) = (&d, op, place) {
                        let literal = matches!(expr, Expr::Use(Operand::Const(t))
                            if matches!(t.clone().into_iter().next(), Some(proc_macro2::TokenTree::Literal(_))));
                        let zero = matches!(expr, Expr::Fresh { .. } | Expr::ZeroLike(_));
                        if self.grown.contains(&target) || !(literal || zero) {
                            out.push(stmt.clone());
                            out.push(Stmt::Assign {
                                place: dplace,
                                op: AssignOp::Set,
                                expr: Expr::ZeroLike(Box::new(Expr::var(target))),
                                span: *span,
                            });
                            continue;
                        }
                    }
                    // A 2-D array built from rows (`g = vec![row; m]`) would
                    // move them twice: its zero tangent is taken after it.
                    if let (AssignOp::Set, None, true) = (op, &d, moves_rows(self.prog, expr)) {
                        out.push(stmt.clone());
                        out.push(Stmt::Assign {
                            place: dplace,
                            op: AssignOp::Set,
                            expr: Expr::ZeroLike(Box::new(place.read())),
                            span: *span,
                        });
                        continue;
                    }
                    match (op, d) {
                        (AssignOp::Set, d) => out.push(Stmt::Assign {
                            place: dplace,
                            op: AssignOp::Set,
                            // A fresh value's tangent is fresh; a zero's is
                            // a zero of the same shape (not a zero of it).
                            expr: d.unwrap_or_else(|| match expr {
                                Expr::Fresh { .. } | Expr::ZeroLike(_) => expr.clone(),
                                _ => Expr::ZeroLike(Box::new(expr.clone())),
                            }),
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
                Stmt::Loop { header, body, .. } => {
                    let body = self.block(body);
                    out.push(Stmt::Loop {
                        header: header.clone(),
                        body,
                        checkpoint: None,
                    });
                }
                Stmt::Push { stack, value } => {
                    out.push(stmt.clone());
                    // A branch decision (`true`/`false`) has no tangent.
                    let decision = matches!(value, Expr::Use(Operand::Const(c))
                        if matches!(c.to_string().as_str(), "true" | "false"));
                    if let Some(&ds) = self.tan.get(stack).filter(|_| !decision) {
                        let dv = self
                            .tan_expr(value)
                            .unwrap_or_else(|| Expr::ZeroLike(Box::new(value.clone())));
                        out.push(Stmt::Push {
                            stack: ds,
                            value: dv,
                        });
                    }
                }
                Stmt::Break | Stmt::Continue | Stmt::Opaque(..) => out.push(stmt.clone()),
            }
        }
        out
    }

    fn tan_of(&self, e: &Expr) -> Option<Expr> {
        match e {
            Expr::Use(Operand::Var(v)) if self.act.is_active(*v) => self.tangent_var(*v),
            _ => None,
        }
    }

    /// The tangent of an active variable; one that has none and is not a
    /// symbolic zero is recorded.
    fn tangent_var(&self, v: VarId) -> Option<Expr> {
        let d = self.tan.get(&v).map(|&d| Expr::var(d));
        if d.is_none() && !self.zeros.contains(&v) {
            self.missing.borrow_mut().push(v);
        }
        d
    }

    /// The tangent of any expression (a variable, or a tree of derivative
    /// code such as `y_bar * sin::d1(x, y)`).
    fn tan_expr(&self, e: &Expr) -> Option<Expr> {
        match e {
            Expr::Use(_) => self.tan_of(e),
            _ => self.tangent(e, None),
        }
    }

    /// The tangents of the elements of an array or tuple, zeros where an
    /// element has none; `None` if all are zero.
    fn tan_elems(&self, elems: &[Expr]) -> Option<Vec<Expr>> {
        let ds: Vec<Option<Expr>> = elems.iter().map(|e| self.tan_expr(e)).collect();
        if ds.iter().all(Option::is_none) {
            return None;
        }
        Some(
            ds.into_iter()
                .zip(elems)
                .map(|(d, e)| self.zero_or(d, e))
                .collect(),
        )
    }

    fn zero_or(&self, d: Option<Expr>, of: &Expr) -> Expr {
        d.unwrap_or_else(|| Expr::ZeroLike(Box::new(of.clone())))
    }

    /// The tangent of `expr`, whose value is `out` when it is bound to a
    /// variable; `None` if it is zero.
    fn tangent(&self, expr: &Expr, out: Option<VarId>) -> Option<Expr> {
        // The output value: the variable, unless it is updated in place
        // (then the expression is evaluated again).
        let output = |e: &Expr| match out {
            Some(o) if !self.materialized(o) => Expr::var(o),
            _ => e.clone(),
        };
        match expr {
            Expr::Use(_) => self.tan_of(expr),
            Expr::Neg(a) => self.tan_expr(a).map(|d| Expr::Neg(Box::new(d))),
            Expr::Bin(op, a, b) => {
                let (da, db) = (self.tan_expr(a), self.tan_expr(b));
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
                        let z = output(expr);
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
                let y = output(expr);
                let mut sum = None;
                for (i, a) in args.iter().enumerate() {
                    if let Some(da) = self.tan_expr(a) {
                        let partial = Expr::Partial {
                            func: *func,
                            idx: vec![i],
                            args: args.clone(),
                            out: Some(Box::new(y.clone())),
                        };
                        sum = add(sum, Some(mul(da, partial)));
                    }
                }
                sum
            }
            // sum_k la::m::jvp_k(&args.., &y, &d arg_k)
            Expr::La(op, args) => {
                let y = output(expr);
                let mut sum = None;
                for (k, a) in args.iter().enumerate() {
                    if !op.active_args[k] {
                        continue;
                    }
                    if let Some(da) = self.tan_expr(a) {
                        let mut rule_args = args.clone();
                        rule_args.push(y.clone());
                        rule_args.push(da);
                        let rule = intern(format!("{}::jvp_{k}", op.module));
                        sum = add(sum, Some(Expr::Rule(rule, rule_args)));
                    }
                }
                sum
            }
            // d f_i(args) = sum_j f_ij(args) d arg_j: the rule table's second
            // derivatives.
            Expr::Partial {
                func,
                idx,
                args,
                out: y,
            } => {
                // In terms of the value: d(d1_y(y)) = d1_y_dy(y) dy.
                if let (true, Some(y)) = (args.is_empty(), y) {
                    let dy = self.tan_expr(y)?;
                    let second = Expr::Partial {
                        func: *func,
                        idx: vec![0, 0],
                        args: vec![],
                        out: Some(y.clone()),
                    };
                    return Some(mul(second, dy));
                }
                let mut sum = None;
                for (j, a) in args.iter().enumerate() {
                    // A quotient is linear in its numerator: `1 / b` does
                    // not depend on it (`-z / b` does, through `z`).
                    if *func == DIV && idx[..] == [0] && j == 0 {
                        continue;
                    }
                    if let Some(da) = self.tan_expr(a) {
                        let mut idx2 = idx.clone();
                        idx2.push(j);
                        idx2.sort_unstable();
                        let second = Expr::Partial {
                            func: *func,
                            idx: idx2,
                            args: args.clone(),
                            out: y.clone(),
                        };
                        sum = add(sum, Some(mul(second, da)));
                    }
                }
                sum
            }
            Expr::Rule(name, args) => self.rule_tangent(name, args),
            Expr::Cast(a, ty) => self
                .tan_expr(a)
                .map(|d| Expr::Cast(Box::new(d), ty.clone())),
            Expr::Index(a, i) => {
                if self.act.is_active(*a) {
                    let d = self.tangent_var(*a)?.as_var()?;
                    Some(Expr::Index(d, i.clone()))
                } else {
                    None
                }
            }
            Expr::List { vec, elems } => self
                .tan_elems(elems)
                .map(|elems| Expr::List { vec: *vec, elems }),
            Expr::Repeat { vec, elem, len } => self.tan_expr(elem).map(|d| Expr::Repeat {
                vec: *vec,
                elem: Box::new(d),
                len: len.clone(),
            }),
            // A saved value's tangent was saved beside it.
            Expr::Pop(s) => self.tan.get(s).map(|&ds| Expr::Pop(ds)),
            Expr::Take(p) => {
                let v = p.var();
                if !self.act.is_active(v) {
                    return None;
                }
                let &dv = self.tan.get(&v)?;
                let dp = p.of(dv);
                Some(Expr::Take(Box::new(dp)))
            }
            Expr::Field(e, k) => self.tan_expr(e).map(|d| Expr::Field(Box::new(d), *k)),
            Expr::Member(p, m) => {
                if self.act.is_active(*p) {
                    // `field_tangent(&dp.w)`: no tangent for a
                    // configuration field (see `ad_runtime::fields`);
                    // below a struct field, `within(|| &dp.cfg, ..)`: a
                    // tangent only below `Differentiable` structs.
                    let d = self.tangent_var(*p)?.as_var()?;
                    let leaf = Expr::Rule("field_tangent", vec![Expr::Member(d, m.clone())]);
                    Some(m.parents().into_iter().rev().fold(leaf, |e, parent| {
                        Expr::Rule("within", vec![Expr::Member(d, parent), e])
                    }))
                } else {
                    None
                }
            }
            Expr::Ref(e) => self.tan_expr(e).map(|d| Expr::Ref(Box::new(d))),
            Expr::Tuple(elems) => self.tan_elems(elems).map(Expr::Tuple),
            // The struct of the fields' tangents: a tangent made owned
            // (`tangent_field`), a zero of a field's type or a copy of a
            // configuration value where there is none (`constant_tangent`).
            Expr::Struct(path, fields) => {
                let tangents: Vec<Option<Expr>> =
                    fields.iter().map(|(_, e)| self.tan_expr(e)).collect();
                if tangents.iter().all(Option::is_none) {
                    return None;
                }
                // (The rules take their arguments by reference: a copy
                // made for the struct, `clone(&p_w)`, is not needed.)
                let uncopied = |e: &Expr| match e {
                    Expr::Rule("clone", a) if a.len() == 1 => a[0].clone(),
                    e => e.clone(),
                };
                let fields = fields
                    .iter()
                    .zip(tangents)
                    .map(|((m, e), d)| {
                        let d = match d {
                            Some(d) => Expr::Rule("tangent_field", vec![uncopied(e), uncopied(&d)]),
                            None => Expr::Rule("constant_tangent", vec![uncopied(e)]),
                        };
                        (m.clone(), d)
                    })
                    .collect();
                Some(Expr::Struct(path.clone(), fields))
            }
            Expr::Range { .. } | Expr::Closure(_) => None,
            Expr::Opaque(..) | Expr::ZeroLike(_) | Expr::Call2 { .. } => None,
            Expr::Fresh { .. } => None,
        }
    }

    /// Tangents of the reverse-mode rules: bilinear ones reuse themselves;
    /// the quotient's have rules of their own in the runtime.
    fn rule_tangent(&self, name: &'static str, args: &[Expr]) -> Option<Expr> {
        let t = |i: usize| self.tan_expr(&args[i]);
        let with = |i: usize, d: Expr| {
            let mut a = args.to_vec();
            a[i] = d;
            Expr::Rule(name, a)
        };
        match name {
            // Linear in the struct cotangent's field: the same field of its
            // tangent (nothing for a configuration field).
            // A zero's tangent is a zero.
            "field_zero" => Some(Expr::Rule("field_zero", args.to_vec())),
            "field_cotangent" => match &args[0] {
                Expr::Member(yb, m) if self.act.is_active(*yb) => {
                    let d = self.tangent_var(*yb)?.as_var()?;
                    Some(Expr::Rule(
                        "field_cotangent",
                        vec![Expr::Member(d, m.clone())],
                    ))
                }
                _ => None,
            },
            // c_bar * b^T: bilinear in (b, c_bar)
            "mul::vjp_a" => add(t(1).map(|d| with(1, d)), t(2).map(|d| with(2, d))),
            // a^T * c_bar: bilinear in (a, c_bar)
            "mul::vjp_b" => add(t(0).map(|d| with(0, d)), t(2).map(|d| with(2, d))),
            "div::vjp_a" => {
                let (db, dzb) = (t(1), t(2));
                if db.is_none() && dzb.is_none() {
                    return None;
                }
                let (a, b, zb) = (&args[0], &args[1], &args[2]);
                Some(Expr::Rule(
                    "div::vjp_a_jvp",
                    vec![
                        a.clone(),
                        b.clone(),
                        self.zero_or(db, b),
                        zb.clone(),
                        self.zero_or(dzb, zb),
                    ],
                ))
            }
            "div::vjp_b" => {
                let (db, dz, dzb) = (t(1), t(2), t(3));
                if db.is_none() && dz.is_none() && dzb.is_none() {
                    return None;
                }
                let (a, b, z, zb) = (&args[0], &args[1], &args[2], &args[3]);
                Some(Expr::Rule(
                    "div::vjp_b_jvp",
                    vec![
                        a.clone(),
                        b.clone(),
                        self.zero_or(db, b),
                        z.clone(),
                        self.zero_or(dz, z),
                        zb.clone(),
                        self.zero_or(dzb, zb),
                    ],
                ))
            }
            // la::m::vjp_k(args.., y, y_bar) ->
            // la::m::vjp_k_jvp(args.., dargs.., y, dy, y_bar, dy_bar)
            _ if (name.starts_with("la::") || name.starts_with("nn::"))
                && name
                    .rsplit("::")
                    .next()
                    .is_some_and(|l| l.starts_with("vjp_")) =>
            {
                let ts: Vec<Option<Expr>> = (0..args.len()).map(t).collect();
                if ts.iter().all(Option::is_none) {
                    return None;
                }
                let n = args.len() - 2;
                let module = name.rsplit_once("::").map_or(name, |(m, _)| m);
                let op = crate::lower::la_op(module);
                let mut out: Vec<Expr> = args[..n].to_vec();
                for (i, d) in ts[..n].iter().enumerate() {
                    // An index or a closure of `la::map` has no tangent.
                    let inactive = op.is_some_and(|op| !op.active_args[i]);
                    out.push(if inactive {
                        Expr::constant(quote!(()))
                    } else {
                        self.zero_or(d.clone(), &args[i])
                    });
                }
                for (i, d) in ts[n..].iter().enumerate() {
                    out.push(args[n + i].clone());
                    out.push(self.zero_or(d.clone(), &args[n + i]));
                }
                Some(Expr::Rule(intern(format!("{name}_jvp")), out))
            }
            // `start(zero, c)` is `zero + c`: `start(zero, dc)`.
            crate::ir::START => t(1).map(|d| with(1, d)),
            // linear in their last argument
            "cast_like" => t(1).map(|d| with(1, d)),
            // linear in their first (`unlend_whole(t, &like)`: `like` gives the type)
            "unlend_whole" => t(0).map(|d| with(0, d)),
            "sum" | "sum_rows" | "clone" | "deref_clone" | "to_vec" | "lend_whole" => {
                t(0).map(|d| with(0, d))
            }
            // (`keep_config(p_bar, p)`: the tangent's skipped fields are the
            // primal's too.)
            "keep_config" => t(0).map(|d| with(0, d)),
            _ => None,
        }
    }
}
