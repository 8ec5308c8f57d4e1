//! The local vector-Jacobian product of each primitive expression: the
//! contributions of its operands to their adjoints.

use super::{Adjoint, Record, Target};
use crate::ir::{
    intern, wrapper, AssignOp, BinOp, Block, Expr, Operand, Place, Stmt, VarId, DIV, OF_X, OF_Y,
    RECIP,
};
use proc_macro2::Span;
use quote::quote;

impl Adjoint<'_> {
    /// The local vector-Jacobian product of one primitive: the operands'
    /// contributions for the output cotangent `yb`; `y` is the output value.
    pub(super) fn contribute(
        &mut self,
        expr: &Expr,
        y: Expr,
        yb: VarId,
        span: Span,
        out: &mut Block,
    ) {
        let ybar = Expr::var(yb);
        let mut contributions: Vec<(Target, Expr, bool)> = Vec::new();
        // Where an operand's cotangent goes: a variable, a member of a
        // helper's tuple result (`t.0`), or what a copy copies (`clone(&v)`,
        // `to_vec(&x[a..b])`, `to_vec(&a[r])` of a row of a 2-D array).
        fn target_of(e: &Expr) -> Option<Target> {
            match e {
                Expr::Use(Operand::Var(v)) => Some(Target::Var(*v)),
                Expr::Field(t, k) => t.as_var().map(|t| Target::Field(t, *k)),
                Expr::Index(a, i) => Some(Target::Index(*a, (**i).clone())),
                // A copy of a local struct's field (`clone(&s.x)`).
                Expr::Member(s, m) => Some(Target::Member(*s, m.clone())),
                Expr::Rule("clone" | "deref_clone" | "to_vec" | "lend_whole", args) => {
                    args.first().and_then(target_of)
                }
                _ => None,
            }
        }
        let mut push = |operand: &Expr, c: Expr, sub: bool| {
            if let Some(t) = target_of(operand) {
                contributions.push((t, c, sub));
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
                    // A square `a * a` of a scalar: one contribution,
                    // `y_bar * (a + a)`, not `y_bar * a` added twice (one
                    // product and one addition less, and in lanes one
                    // addition less on the sweep's chain).
                    BinOp::Mul
                        if !self.prog.matrix
                            && a.as_var().is_some()
                            && a.as_var() == b.as_var() =>
                    {
                        let twice = Expr::Bin(BinOp::Add, a.clone(), a.clone());
                        push(
                            a,
                            Expr::Bin(BinOp::Mul, Box::new(ybar), Box::new(twice)),
                            false,
                        );
                    }
                    BinOp::Mul => {
                        push(a, Expr::Rule("mul::vjp_a", args.clone()), false);
                        push(b, Expr::Rule("mul::vjp_b", args), false);
                    }
                    // `1 / b`: the reciprocal's partial `-z z` (no division;
                    // the same number as `-z / b`, since `z` is `1 / b`).
                    BinOp::Div if !self.prog.matrix && is_one(a) => {
                        let partial = Expr::Partial {
                            func: RECIP,
                            idx: vec![0],
                            args: vec![],
                            out: Some(Box::new(y.clone())),
                        };
                        let c = Expr::Bin(BinOp::Mul, Box::new(ybar), Box::new(partial));
                        push(b, c, false);
                    }
                    // Scalars: the rule table's partials (`1 / b`, `-z / b`),
                    // which share one reciprocal and, not depending on the
                    // cotangent, leave the sweeps of `f_vjp_many`.
                    BinOp::Div if !self.prog.matrix => {
                        for (i, operand) in [a, b].into_iter().enumerate() {
                            let partial = Expr::Partial {
                                func: DIV,
                                idx: vec![i],
                                args: vec![(**a).clone(), (**b).clone()],
                                out: Some(Box::new(y.clone())),
                            };
                            let c =
                                Expr::Bin(BinOp::Mul, Box::new(ybar.clone()), Box::new(partial));
                            push(operand, c, false);
                        }
                    }
                    BinOp::Div => {
                        push(a, Expr::Rule("div::vjp_a", args), false);
                        let args_b = vec![(**a).clone(), (**b).clone(), y, ybar];
                        push(b, Expr::Rule("div::vjp_b", args_b), false);
                    }
                }
            }
            Expr::Call(func, _, args) => {
                // `exp`, `sqrt`, ..: the derivative from the value alone;
                // `sin`, `ln`, ..: from the argument alone.
                let of_y = OF_Y.contains(&func.name);
                let of_x = OF_X.contains(&func.name);
                for (i, a) in args.iter().enumerate() {
                    let partial = Expr::Partial {
                        func: *func,
                        idx: vec![i],
                        args: if of_y { vec![] } else { args.clone() },
                        out: (!of_x).then(|| Box::new(y.clone())),
                    };
                    let c = Expr::Bin(BinOp::Mul, Box::new(ybar.clone()), Box::new(partial));
                    push(a, c, false);
                }
            }
            Expr::La(op, args) => {
                // la::m::vjp_k(&args.., &y, &y_bar)
                let mut rule_args = args.clone();
                rule_args.push(y.clone());
                rule_args.push(ybar.clone());
                for (k, a) in args.iter().enumerate() {
                    if op.active_args[k] {
                        let rule = intern(format!("{}::vjp_{k}", op.module));
                        push(a, Expr::Rule(rule, rule_args.clone()), false);
                    }
                }
            }
            Expr::Cast(a, _) => push(a, Expr::Rule("cast_like", vec![(**a).clone(), ybar]), false),
            Expr::Index(a, i) => {
                contributions.push((Target::Index(*a, (**i).clone()), ybar, false))
            }
            Expr::Member(p, m) => contributions.push((Target::Member(*p, m.clone()), ybar, false)),
            Expr::List { elems, .. } => {
                for (k, e) in elems.iter().enumerate() {
                    let c = Expr::Index(yb, Box::new(Expr::constant(quote!(#k))));
                    push(e, c, false);
                }
            }
            // `vec![x; n]`: the sum of the elements; `vec![row; m]`, of the rows.
            Expr::Repeat { elem, .. } => {
                let rows = elem.copied_var().is_some_and(|v| self.prog.vars[v].array);
                let sum = if rows { "sum_rows" } else { "sum" };
                push(elem, Expr::Rule(sum, vec![ybar]), false)
            }
            Expr::Call2 { path, args, method } => {
                // The pullback the forward sweep recorded (split form), or
                // the callee's reverse mode, which runs its forward sweep
                // again (joint mode): (value or `()`, a cotangent per
                // parameter).
                let (callee, split) = match self.pullback_here.take() {
                    Some(Record::Local(v)) => (syn::Path::from(self.prog.name(v).clone()), true),
                    Some(Record::Stack(s)) => {
                        let v = self.prog.derived("pullback");
                        out.push(Stmt::Let {
                            var: v,
                            ty: None,
                            expr: Expr::Pop(s),
                            span,
                        });
                        (syn::Path::from(self.prog.name(v).clone()), true)
                    }
                    Some(Record::Here(_)) | None => (wrapper(path, "vjp"), false),
                };
                let mut vargs = args.clone();
                vargs.push(ybar);
                if split {
                    vargs.push(self.tape());
                    vargs.push(self.destinations(args, out));
                }
                let pair = self.prog.derived("pair");
                out.push(Stmt::Let {
                    var: pair,
                    ty: None,
                    expr: Expr::Call2 {
                        path: callee,
                        args: vargs,
                        method: *method,
                    },
                    span,
                });
                // An inactive receiver has no cotangent; an active one
                // (`wrt(self)`) comes first.
                let skip = usize::from(
                    *method && !args[0].as_var().is_some_and(|v| self.act.is_active(v)),
                );
                for (k, a) in args.iter().enumerate().skip(skip) {
                    // `x`, `&x`, `&x[a..b]`, `clone(&v)`: the cotangent goes
                    // into the adjoint of `x` (of its sub-slice).
                    let Some((v, range)) = call_argument(a).filter(|(v, _)| self.act.is_active(*v))
                    else {
                        continue;
                    };
                    // An active receiver's, at the method's name: where a
                    // callee without `wrt(self)` returns none, rustc's
                    // error beside ours (`callcheck::method_check`) is
                    // there, not at the attribute.
                    let span = match (*method && k == 0, path.segments.last()) {
                        (true, Some(seg)) => seg.ident.span(),
                        _ => span,
                    };
                    let c = Expr::Field(Box::new(Expr::var(pair)), k + 1 - skip);
                    let vb = match (self.adj.get(&v), range) {
                        // The first contribution to a whole adjoint starts it.
                        (None, None) => {
                            self.declare_started(v, c, span, out);
                            continue;
                        }
                        (Some(&vb), _) => vb,
                        (None, Some(_)) => self.declare_zero(v, out),
                    };
                    out.push(Stmt::Assign {
                        place: match range {
                            Some(r) => Place::Index(vb, r.clone()),
                            None => Place::Var(vb),
                        },
                        op: AssignOp::Acc,
                        expr: c,
                        span,
                    });
                }
            }
            // A value form's result back in a helper's result lent whole
            // (`unlend_whole(t, &like)`): the cotangent goes back as the value
            // form takes it (`lend_whole(y_bar)`).
            Expr::Rule("unlend_whole", args) => {
                push(&args[0], Expr::Rule("lend_whole", vec![ybar]), false)
            }
            // A copy (of an array, of a member of a tuple result): its
            // cotangent is added into the original's.
            Expr::Rule("clone" | "deref_clone" | "to_vec", _) => push(expr, ybar, false),
            // A tuple result: each member's cotangent is the seed's member.
            // A struct: each field's cotangent goes to its value (nothing
            // for a configuration field: `field_cotangent`).
            Expr::Struct(_, fields) => {
                for (m, e) in fields {
                    let path = crate::ir::MemberPath {
                        tokens: m.clone(),
                        reads: vec![],
                    };
                    let c = Expr::Rule("field_cotangent", vec![Expr::Member(yb, path)]);
                    push(e, c, false);
                }
            }
            Expr::Tuple(elems) => {
                for (k, e) in elems.iter().enumerate() {
                    push(e, Expr::Field(Box::new(ybar.clone()), k), false);
                }
            }
            Expr::Opaque(..)
            | Expr::ZeroLike(_)
            | Expr::Partial { .. }
            | Expr::Rule(..)
            | Expr::Pop(_)
            | Expr::Field(..)
            | Expr::Fresh { .. }
            | Expr::Ref(_)
            | Expr::Range { .. }
            | Expr::Closure(_)
            | Expr::Take(_) => {}
        }
        // The seed is read once, and nothing reads it afterwards: the
        // first contribution to a whole array may take it as it is.
        self.owned_now = self.owned_seed == Some(yb)
            && match expr {
                Expr::Use(_)
                | Expr::Rule("clone" | "deref_clone" | "unlend_whole", _)
                | Expr::Tuple(_) => true,
                // A `Vec` copied from a fixed-size array: the seed is a
                // `Vec`, the array's cotangent an array.
                Expr::Rule("to_vec", args) => !args
                    .first()
                    .and_then(Expr::as_var)
                    .is_some_and(|v| self.prog.vars[v].fixed),
                _ => false,
            };
        for (target, c, sub) in contributions {
            let v = match &target {
                Target::Var(v)
                | Target::Index(v, _)
                | Target::Field(v, _)
                | Target::Member(v, _) => *v,
            };
            if self.act.is_active(v) {
                self.accumulate(target, c, sub, span, out);
            }
        }
        self.owned_now = false;
    }
}

impl Adjoint<'_> {
    /// The destinations a pullback adds its slice parameters' cotangents
    /// into (see `ad_runtime::dest`): for an active array passed borrowed
    /// (`&x`, `&x[a..b]`, a `&[f64]` parameter), its adjoint; several
    /// parts of one array are lent together (`lend2`, `lend3`), disjoint
    /// ones each to its argument. An inactive array passed borrowed gets a
    /// scratch buffer of the caller's (`scratch`), reused by every call
    /// made there, so that the pullback does not allocate a cotangent that
    /// nothing reads (not in code on nalgebra values, where an argument
    /// may be a matrix). Nothing for the other arguments.
    fn destinations(&mut self, args: &[Expr], out: &mut Block) -> Expr {
        // Each lent array, and its arguments: (position, part).
        type Uses = Vec<(usize, Option<Expr>)>;
        let mut bases: Vec<(VarId, Uses)> = Vec::new();
        let mut inactive = Vec::new();
        for (k, a) in args.iter().enumerate() {
            let borrowed = match a {
                Expr::Ref(_) => true,
                Expr::Use(Operand::Var(v)) => self.prog.vars[*v].borrowed,
                _ => false,
            };
            let Some((v, range)) = call_argument(a).filter(|(v, _)| {
                let var = &self.prog.vars[*v];
                (borrowed && var.array && !var.nested) || var.inactive_slice
            }) else {
                continue;
            };
            if !self.act.is_active(v) {
                if !self.prog.matrix {
                    inactive.push(k);
                }
                continue;
            }
            match bases.iter_mut().find(|(b, _)| *b == v) {
                Some((_, uses)) => uses.push((k, range.cloned())),
                None => bases.push((v, vec![(k, range.cloned())])),
            }
        }
        if bases.is_empty() && inactive.is_empty() && args.len() <= 12 {
            return Expr::Rule("no_dests", vec![]);
        }
        let mut dests = vec![Expr::Rule("dest", vec![]); args.len()];
        for k in inactive {
            let buf = self.prog.derived("scratch");
            self.prog.vars[buf].mutable = true;
            self.decls.push(Stmt::Let {
                var: buf,
                ty: None,
                expr: Expr::Opaque(quote!(::std::vec::Vec::new()), vec![]),
                span: Span::call_site(),
            });
            dests[k] = Expr::Rule(
                "dest",
                vec![Expr::Rule("scratch", vec![Expr::var(buf), args[k].clone()])],
            );
        }
        for (v, uses) in bases {
            let vb = match self.adj.get(&v) {
                Some(&vb) => vb,
                None => self.declare_zero(v, out),
            };
            if let [(k, range)] = uses.as_slice() {
                dests[*k] = Expr::Rule(
                    "dest",
                    vec![match range {
                        Some(r) => Expr::Index(vb, Box::new(r.clone())),
                        None => Expr::var(vb),
                    }],
                );
                continue;
            }
            let uses = &uses[..uses.len().min(3)];
            let lent = self.prog.derived("lent");
            let mut lend = vec![Expr::var(vb)];
            lend.extend(uses.iter().map(|(_, r)| {
                r.clone().unwrap_or(Expr::Range {
                    start: None,
                    end: None,
                })
            }));
            out.push(Stmt::Let {
                var: lent,
                ty: None,
                expr: Expr::Rule(if uses.len() == 2 { "lend2" } else { "lend3" }, lend),
                span: Span::call_site(),
            });
            for (j, (k, _)) in uses.iter().enumerate() {
                dests[*k] = Expr::Rule("dest", vec![Expr::Field(Box::new(Expr::var(lent)), j)]);
            }
        }
        Expr::Tuple(dests)
    }
}

/// The variable a call's argument passes (and the sub-slice of it): `x`,
/// `&x`, `&x[a..b]`, a row `&a[r]` or `&a[r][c..d]` of a 2-D array, or a
/// copy `clone(&v)` of an array passed by value, a helper's result lent
/// whole (`lend_whole(y)`).
fn call_argument(a: &Expr) -> Option<(VarId, Option<&Expr>)> {
    match a {
        Expr::Use(Operand::Var(v)) => Some((*v, None)),
        Expr::Ref(e) => match &**e {
            Expr::Use(Operand::Var(v)) => Some((*v, None)),
            Expr::Index(v, r) => Some((*v, Some(&**r))),
            _ => None,
        },
        Expr::Rule("clone" | "lend_whole", args) => {
            args.first().and_then(Expr::as_var).map(|v| (v, None))
        }
        _ => None,
    }
}

/// Whether `e` is the literal one (`1.0`, `1.`, `1`, `1f64`, ...).
fn is_one(e: &Expr) -> bool {
    let Expr::Use(Operand::Const(tokens)) = e else {
        return false;
    };
    match syn::parse2::<syn::Lit>(tokens.clone()) {
        Ok(syn::Lit::Float(f)) => f.base10_parse::<f64>().is_ok_and(|v| v == 1.0),
        Ok(syn::Lit::Int(i)) => i.base10_parse::<u64>().is_ok_and(|v| v == 1),
        _ => false,
    }
}
