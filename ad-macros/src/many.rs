//! `f_vjp_many`: reverse mode for several output cotangents at once (the
//! rows of a Jacobian), the forward sweep shared, the reverse sweep in lanes
//! where every statement has a rule on lanes.

use crate::emit::{assigned, Emitter};
use crate::fx::HashSet;
use crate::ir::{
    walk, AssignOp, BinOp, Body, Expr, Func, Header, Operand, Place, Program, Stmt, VarId, DIV,
};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

/// Whether `f_vjp_many` may carry the cotangents of `model` in lanes: the
/// output and active inputs are `f32`, `f64` or a type parameter (the
/// float type, `T: Real`), or arrays, slices, `Vec`s and references of
/// them (the types with a `LaneShape` in the runtime; a type parameter
/// gets the bound in `f_vjp_many`'s where-clause).
pub fn lane_types(model: &Model) -> bool {
    let params: Vec<&syn::Ident> = model
        .item
        .sig
        .generics
        .type_params()
        .map(|t| &t.ident)
        .collect();
    let leaf_name = |i: &syn::Ident| i == "f64" || i == "f32" || params.contains(&i);
    fn leaf(ty: &syn::Type, name: &dyn Fn(&syn::Ident) -> bool) -> bool {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                match &last.arguments {
                    syn::PathArguments::None => name(&last.ident),
                    syn::PathArguments::AngleBracketed(a) if last.ident == "Vec" => {
                        matches!(a.args.first(), Some(syn::GenericArgument::Type(t)) if a.args.len() == 1 && leaf(t, name))
                    }
                    _ => false,
                }
            }
            syn::Type::Array(a) => leaf(&a.elem, name),
            syn::Type::Slice(a) => leaf(&a.elem, name),
            syn::Type::Reference(r) => leaf(&r.elem, name),
            syn::Type::Paren(p) => leaf(&p.elem, name),
            _ => false,
        }
    }
    leaf(&model.ret, &leaf_name)
        && model
            .params
            .iter()
            .filter(|p| p.active)
            .all(|p| leaf(&p.ty, &leaf_name))
}

/// The parameter of `f_vjp_many` holding the output cotangents.
pub(crate) const DOUTS: &str = "__ad_douts";

/// Reverse mode for several output cotangents (`f_vjp_many`): the forward
/// sweep once, then the reverse sweep (the rows of a Jacobian, for a
/// function with a few outputs). With `lanes` (see [`lane_types`]) and a
/// sweep whose statements all have a rule on lanes ([`in_lanes`]), one
/// sweep carries every cotangent: gathered into `Lanes` before it,
/// scattered after. Otherwise the sweep runs once per cotangent, each from
/// the state the forward sweep left: the variables it restores are copied
/// after the forward sweep and put back before each one. Only when the
/// forward sweep can be shared (`Vjp::shared_forward`: nothing on stacks)
/// and for scalar code (no nalgebra moves).
pub(crate) fn vjp_many(
    prog: &Program,
    adjoint: &crate::adjoint::Vjp,
    lanes: bool,
) -> Option<(TokenStream, bool)> {
    let split = adjoint.shared_forward?;
    let seed = adjoint.seed?;
    if prog.matrix || adjoint.body.ret.is_empty() {
        return None;
    }
    let mut prog = prog.clone();
    let (shared, per_seed) = adjoint.body.stmts.split_at(split);
    let (mut shared, mut per_seed) = (shared.to_vec(), per_seed.to_vec());
    let mut declared = HashSet::default();
    walk(&per_seed, &mut |s| {
        if let Stmt::Let { var, .. } = s {
            declared.insert(*var);
        }
    });
    let mut restored: Vec<VarId> = Vec::new();
    walk(&per_seed, &mut |s| {
        if let Stmt::Assign { place, .. } = s {
            let v = place.var();
            if !declared.contains(&v) && !restored.contains(&v) {
                restored.push(v);
            }
        }
    });
    // Local derivatives (`cos x` for `sin x`) read only values of the
    // forward sweep: computed once, before the sweeps, not once per sweep.
    let fixed = |v: VarId| !declared.contains(&v) && !restored.contains(&v);
    let mut hoisted = Vec::new();
    hoist_partials(&mut per_seed, &fixed, &mut prog, &mut hoisted);
    place_partials(&mut shared, hoisted);
    let prog = &prog;
    let mut mutable = assigned(prog, &shared);
    mutable.extend(assigned(prog, &per_seed));
    let lanes = lanes && per_seed.iter().all(in_lanes);
    let mut emitter = Emitter::new(prog, mutable);
    let shared = emitter.block(&shared);
    let value = emitter.value(&adjoint.body.ret[0], Span::call_site());
    emitter.lanes = lanes;
    let sweep = emitter.body(&Body {
        stmts: per_seed,
        ret: adjoint.body.ret[1..].to_vec(),
    });
    let seed = prog.name(seed);
    let douts = format_ident!("{}", DOUTS);
    if lanes {
        let body = quote! {
            #shared
            let #seed = __rt::LaneShape::<SEEDS>::gather(#douts);
            let __ad_lanes = { #sweep };
            (#value, __rt::Unlane::<SEEDS>::scatter(__ad_lanes))
        };
        return Some((body, true));
    }
    let names: Vec<&proc_macro2::Ident> = restored.iter().map(|v| prog.name(*v)).collect();
    let copies: Vec<proc_macro2::Ident> = names
        .iter()
        .map(|n| format_ident!("__ad_after_forward_{}", n))
        .collect();
    let body = quote! {
        #shared
        #(let #copies = ::core::clone::Clone::clone(&#names);)*
        let mut __ad_rows = __rt::Rows::new();
        for #seed in #douts {
            #(#names = ::core::clone::Clone::clone(&#copies);)*
            __ad_rows.push({ #sweep });
        }
        (#value, __ad_rows.finish())
    };
    Some((body, false))
}

/// Whether a statement of a reverse sweep can run on cotangents in lanes:
/// its cotangent arithmetic is `+`, `-`, and products with local
/// derivatives (`y_bar * d`, `mul::vjp_a`) or casts (`cast_like`), its
/// zeros have the shape of a variable. Calls of other differentiated
/// functions and element-wise sums have no rule on lanes; the sweep then
/// runs once per cotangent.
fn in_lanes(s: &Stmt) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::Use(_) | Expr::Take(_) | Expr::Opaque(..) => true,
            Expr::Rule("mul::vjp_a" | "mul::vjp_b" | "cast_like", args) => args.iter().all(expr),
            // A cast of a value (cotangents are cast by `cast_like`).
            Expr::Cast(a, _) => expr(a),
            Expr::ZeroLike(v) => matches!(**v, Expr::Use(Operand::Var(_))),
            Expr::Neg(a) => expr(a),
            Expr::Bin(_, a, b) => expr(a) && expr(b),
            Expr::Call(_, _, args) | Expr::List { elems: args, .. } => args.iter().all(expr),
            Expr::Partial { args, out, .. } => args.iter().chain(out.as_deref()).all(expr),
            Expr::Index(_, i) => i.indices().iter().all(expr),
            Expr::Repeat { elem, .. } => expr(elem),
            Expr::Rule(..)
            | Expr::La(..)
            | Expr::Call2 { .. }
            | Expr::Pop(_)
            | Expr::Field(..)
            | Expr::Member(..)
            | Expr::Ref(_)
            | Expr::Range { .. }
            | Expr::Tuple(_)
            | Expr::Struct(..)
            | Expr::Closure(_)
            | Expr::Fresh { .. } => false,
        }
    }
    match s {
        Stmt::Let { expr: e, .. } => expr(e),
        Stmt::Assign {
            op, expr: e, place, ..
        } => {
            *op != AssignOp::Acc
                && expr(e)
                && match place {
                    Place::Var(_) => true,
                    Place::Index(_, i) => i.indices().iter().all(expr),
                    Place::Field(..) | Place::Member(..) => false,
                }
        }
        Stmt::If { cond, then, els } => expr(cond) && then.iter().chain(els).all(in_lanes),
        Stmt::Loop { body, header, .. } => {
            body.iter().all(in_lanes)
                && match header {
                    Header::Times(n) => expr(n),
                    Header::For { .. } | Header::Infinite => true,
                }
        }
        Stmt::Break | Stmt::Continue | Stmt::Opaque(..) => true,
        Stmt::Push { .. } => false,
    }
}

/// Moves the rule-table partials of `block` (the factors `seed * d(args)`
/// of its contributions) whose arguments are all `fixed` into new variables,
/// returned with the partial each holds for [`place_partials`].
fn hoist_partials(
    block: &mut [Stmt],
    fixed: &dyn Fn(VarId) -> bool,
    prog: &mut Program,
    hoisted: &mut Vec<(VarId, Expr)>,
) {
    for s in block {
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => {
                if let Expr::Bin(_, a, b) = expr {
                    for factor in [a, b] {
                        if !matches!(**factor, Expr::Partial { .. }) {
                            continue;
                        }
                        let mut all = true;
                        factor.for_each_var(&mut |v| all &= fixed(v));
                        if all {
                            let d = prog.derived("d");
                            let partial = std::mem::replace(&mut **factor, Expr::var(d));
                            hoisted.push((d, partial));
                        }
                    }
                }
            }
            Stmt::If { then, els, .. } => {
                hoist_partials(then, fixed, prog, hoisted);
                hoist_partials(els, fixed, prog, hoisted);
            }
            Stmt::Loop { body, .. } => hoist_partials(body, fixed, prog, hoisted),
            _ => {}
        }
    }
}

/// Puts each hoisted partial into the forward sweep `forward`, right after
/// the one statement that computes the value it differentiates (inside that
/// statement's branch, the variable declared up front), where the compiler
/// sees it next to its primal: `cos x` for `sin x` next to a `cos x` the
/// code computes anyway, `1 / b` next to `a / b`. The partial's arguments
/// are not written after that statement (the reverse sweep reads them
/// unrestored), so it is the same value. Partials of a value computed in a
/// loop or by several statements go at the end of the forward sweep: pure
/// functions of their arguments, harmless where their branch is not taken.
fn place_partials(forward: &mut Vec<Stmt>, hoisted: Vec<(VarId, Expr)>) {
    let mut declare = Vec::new();
    for (d, partial) in hoisted {
        let mut paths = Vec::new();
        if let Expr::Partial {
            func, out, args, ..
        } = &partial
        {
            // The statement computing the value, or (a partial in terms of
            // the argument) computing the function of that argument.
            let key = match (out.as_deref(), args.as_slice()) {
                (Some(Expr::Use(Operand::Var(y))), _) => Some(Primal::Value(*y)),
                (None, [Expr::Use(Operand::Var(x))]) => Some(Primal::Of(*x)),
                _ => None,
            };
            if let Some(key) = key {
                find_primal(forward, *func, key, &mut Vec::new(), false, &mut paths);
            }
        }
        let span = Span::call_site();
        match paths.as_slice() {
            [Some(path)] if path.len() == 1 => forward.insert(
                path[0].0 + 1,
                Stmt::Let {
                    var: d,
                    ty: None,
                    expr: partial,
                    span,
                },
            ),
            [Some(path)] => {
                let mut block = &mut *forward;
                for &(i, then) in &path[..path.len() - 1] {
                    let Stmt::If { then: t, els, .. } = &mut block[i] else {
                        unreachable!("a path goes through branches")
                    };
                    block = if then { t } else { els };
                }
                let at = path[path.len() - 1].0 + 1;
                block.insert(
                    at,
                    Stmt::Assign {
                        place: Place::Var(d),
                        op: AssignOp::Set,
                        expr: partial,
                        span,
                    },
                );
                declare.push(Stmt::Let {
                    var: d,
                    ty: None,
                    expr: Expr::Fresh {
                        stack: false,
                        words: false,
                    },
                    span,
                });
            }
            _ => forward.push(Stmt::Let {
                var: d,
                ty: None,
                expr: partial,
                span,
            }),
        }
    }
    forward.splice(0..0, declare);
}

/// Which statement [`find_primal`] looks for.
#[derive(Clone, Copy)]
enum Primal {
    /// One computing this value by the function.
    Value(VarId),
    /// One computing the function of this argument.
    Of(VarId),
}

/// The statements of `block` that compute `key` by `func` (`a / b` for
/// [`DIV`]): the path to each through branches (statement index, then
/// branch), `None` for one inside a loop.
fn find_primal(
    block: &[Stmt],
    func: Func,
    key: Primal,
    path: &mut Vec<(usize, bool)>,
    in_loop: bool,
    found: &mut Vec<Option<Vec<(usize, bool)>>>,
) {
    for (i, s) in block.iter().enumerate() {
        let (target, expr) = match s {
            Stmt::Let { var, expr, .. } => (Some(*var), expr),
            Stmt::Assign {
                place: Place::Var(v),
                op: AssignOp::Set,
                expr,
                ..
            } => (Some(*v), expr),
            Stmt::If { then, els, .. } => {
                for (branch, then) in [(then, true), (els, false)] {
                    path.push((i, then));
                    find_primal(branch, func, key, path, in_loop, found);
                    path.pop();
                }
                continue;
            }
            Stmt::Loop { body, .. } => {
                find_primal(body, func, key, path, true, found);
                continue;
            }
            _ => continue,
        };
        let computes = match (expr, key) {
            (Expr::Call(f, ..), Primal::Value(y)) => *f == func && target == Some(y),
            (Expr::Bin(BinOp::Div, ..), Primal::Value(y)) => func == DIV && target == Some(y),
            (Expr::Call(f, _, args), Primal::Of(x)) => {
                *f == func && matches!(args[..], [Expr::Use(Operand::Var(a))] if a == x)
            }
            _ => false,
        };
        if computes {
            let mut at = path.clone();
            at.push((i, false));
            found.push((!in_loop).then_some(at));
        }
    }
}
