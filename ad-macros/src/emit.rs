//! IR -> TokenStream, and the generated functions' signatures.
//!
//! Runtime rules are reached through the hidden path `::ad::__rt` and spanned
//! at the user expression they come from, so a type error in a rule lands on
//! the user's `x.sin()`, not on the attribute.

use crate::ir::{
    partial_name, walk, AssignOp, BinOp, Body, CallStyle, Expr, Header, Operand, Place, Program,
    Stmt, VarId,
};
use crate::many::DOUTS;
use crate::parse::Model;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;

/// Attributes of every generated function. The code is machine-written:
/// lints about its style would only be noise at the user's attribute.
pub(crate) fn allow() -> TokenStream {
    quote! {
        #[allow(unused_variables, unused_mut, unused_assignments, unused_parens, unreachable_code, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
    }
}

pub(crate) struct Emitter<'a> {
    pub(crate) prog: &'a Program,
    /// With nalgebra values: the variables known to hold scalars, whose
    /// operators and copies stay plain.
    pub(crate) scalars: HashSet<VarId>,
    pub(crate) mutable: HashSet<VarId>,
    /// With nalgebra values: the reads that may move their variable, by
    /// statement position (see [`movable`]).
    pub(crate) movable: HashSet<(VarId, usize)>,
    /// The position of the statement being emitted.
    pub(crate) position: std::cell::Cell<usize>,
    /// The reverse sweep of `f_vjp_many` in lanes: cotangents are
    /// `ad_runtime::Lanes` (see [`vjp_many`]).
    pub(crate) lanes: bool,
}

impl Emitter<'_> {
    fn name(&self, v: VarId) -> TokenStream {
        self.prog.name(v).to_token_stream()
    }

    /// A variable's name carrying the span of the user code it is used for,
    /// so errors land there.
    fn name_at(&self, v: VarId, span: Span) -> TokenStream {
        let mut ident = self.prog.name(v).clone();
        ident.set_span(span);
        ident.to_token_stream()
    }

    /// Whether an expression is known to be a scalar (plain operators).
    fn is_scalar(&self, e: &Expr) -> bool {
        is_scalar(e, &self.scalars)
    }

    /// An argument of a rule, which takes references: `&a`, or `a` when it
    /// is a reference already.
    fn by_ref(&self, e: &Expr, span: Span) -> TokenStream {
        if let Expr::Member(..) | Expr::Rule("field_tangent", _) = e {
            return self.expr(e, span); // `&p.w`, `field_tangent(&dp.w)`: borrows
        }
        if let Expr::Use(Operand::Var(v)) = e {
            if self.prog.vars[*v].by_ref {
                return self.name_at(*v, span);
            }
        }
        if let Expr::Opaque(t, _) = e {
            // The closures of `la::map` go by value: rustc infers a
            // closure's parameter types only from a bound on it.
            if matches!(t.clone().into_iter().next(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '|')
            {
                return t.clone();
            }
        }
        let a = self.operand(e, span);
        quote_spanned!(span=> &#a)
    }

    /// An expression whose value is bound or stored. With nalgebra values a
    /// variable is copied (`x.clone()`) unless this is its only use.
    pub(crate) fn value(&self, e: &Expr, span: Span) -> TokenStream {
        if let Expr::Use(Operand::Var(v)) = e {
            let last = self.movable.contains(&(*v, self.position.get()));
            let copy = self.scalars.contains(v);
            if self.prog.matrix && !copy && (self.prog.vars[*v].by_ref || !last) {
                // A function, not `x.clone()`: the type of `x` may not be
                // known yet at this point (a hoisted `Default::default()`).
                let x = self.by_ref(e, span);
                return quote_spanned!(span=> ::ad::__rt::clone(#x));
            }
        }
        self.expr(e, span)
    }

    /// An expression in operand position: parenthesised unless atomic.
    fn operand(&self, e: &Expr, span: Span) -> TokenStream {
        let tokens = self.expr(e, span);
        match e {
            Expr::Use(_)
            | Expr::Partial { .. }
            | Expr::Rule(..)
            | Expr::ZeroLike(_)
            | Expr::Index(..)
            | Expr::Call2 { .. }
            | Expr::Pop(_)
            | Expr::Take(_)
            | Expr::Field(..)
            | Expr::Call(_, CallStyle::Path(_), _)
            | Expr::La(..) => tokens,
            _ => quote_spanned!(span=> (#tokens)),
        }
    }

    fn place(&self, p: &Place, span: Span) -> TokenStream {
        match p {
            Place::Var(v) => self.name_at(*v, span),
            // `a[r][c]` for the element of a 2-D array.
            Place::Index(a, i) => {
                let a = self.name_at(*a, span);
                let ix = i.indices().iter().map(|i| self.expr(i, span));
                quote_spanned!(span=> #a #([#ix])*)
            }
            Place::Field(v, k) => {
                let v = self.name_at(*v, span);
                let k = syn::Index::from(*k);
                quote_spanned!(span=> #v.#k)
            }
            Place::Member(v, m) => {
                let v = self.name_at(*v, span);
                quote_spanned!(span=> #v.#m)
            }
        }
    }

    fn expr(&self, e: &Expr, span: Span) -> TokenStream {
        match e {
            Expr::Use(Operand::Var(v)) => self.name_at(*v, span),
            Expr::Use(Operand::Const(t)) | Expr::Opaque(t, _) => t.clone(),
            Expr::Neg(a) if self.prog.matrix && !self.is_scalar(a) => {
                let a = self.by_ref(a, span);
                quote_spanned!(span=> ::ad::__rt::neg(#a))
            }
            Expr::Neg(a) => {
                let a = self.operand(a, span);
                quote_spanned!(span=> -#a)
            }
            Expr::Bin(op, a, b)
                if self.prog.matrix && !(self.is_scalar(a) && self.is_scalar(b)) =>
            {
                let (a, b) = (self.by_ref(a, span), self.by_ref(b, span));
                let f = match op {
                    BinOp::Add => quote_spanned!(span=> add),
                    BinOp::Sub => quote_spanned!(span=> sub),
                    BinOp::Mul => quote_spanned!(span=> mul),
                    BinOp::Div => quote_spanned!(span=> div),
                };
                quote_spanned!(span=> ::ad::__rt::#f(#a, #b))
            }
            Expr::La(op, args) => {
                let path: TokenStream = op.module.parse().unwrap_or_default();
                let path = respan(path, span);
                let args = args.iter().map(|a| self.by_ref(a, span));
                quote_spanned!(span=> ::ad::__rt::#path(#(#args),*))
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.operand(a, span), self.operand(b, span));
                match op {
                    BinOp::Add => quote_spanned!(span=> #a + #b),
                    BinOp::Sub => quote_spanned!(span=> #a - #b),
                    BinOp::Mul => quote_spanned!(span=> #a * #b),
                    BinOp::Div => quote_spanned!(span=> #a / #b),
                }
            }
            Expr::Call(func, style, args) => {
                let name = format_ident!("{}", func.name, span = span);
                match style {
                    CallStyle::Method => {
                        let recv = self.operand(&args[0], span);
                        let rest = args[1..].iter().map(|a| self.expr(a, span));
                        quote_spanned!(span=> #recv.#name(#(#rest),*))
                    }
                    CallStyle::Path(prefix) => {
                        let all = args.iter().map(|a| self.expr(a, span));
                        quote_spanned!(span=> #prefix::#name(#(#all),*))
                    }
                }
            }
            Expr::Partial {
                func,
                idx,
                args,
                out,
            } => {
                let module = format_ident!("{}", func.name, span = span);
                let name = partial_name(func, idx, !args.is_empty(), out.is_some());
                let d = format_ident!("{}", name, span = span);
                let args = args
                    .iter()
                    .chain(out.as_deref())
                    .map(|a| self.expr(a, span));
                quote_spanned!(span=> ::ad::__rt::#module::#d(#(#args),*))
            }
            // In lanes, the cotangent goes first (`Lanes * f64`).
            Expr::Rule(rule @ ("mul::vjp_a" | "mul::vjp_b"), args) if self.lanes => {
                let other = if *rule == "mul::vjp_a" {
                    &args[1]
                } else {
                    &args[0]
                };
                let (g, other) = (self.operand(&args[2], span), self.operand(other, span));
                quote_spanned!(span=> #g * #other)
            }
            // The cotangent of `x` from that of `x as U`.
            Expr::Rule("cast_like", args) if self.lanes => {
                let x = self.by_ref(&args[0], span);
                let y_bar = self.operand(&args[1], span);
                quote_spanned!(span=> ::ad::__rt::cast_lanes(#x, #y_bar))
            }
            Expr::ZeroLike(e) if self.lanes => {
                let e = self.by_ref(e, span);
                quote_spanned!(span=> ::ad::__rt::LaneShape::<SEEDS>::zero_lanes(#e))
            }
            // A destination lent to a pullback (`ad_runtime::dest`).
            Expr::Rule("dest", args) => match args.first() {
                Some(Expr::Index(v, r)) => {
                    let place = self.place(&Place::Index(*v, (**r).clone()), span);
                    quote_spanned!(span=> ::ad::__rt::dest(&mut #place))
                }
                Some(Expr::Use(Operand::Var(v))) => {
                    let v = self.name_at(*v, span);
                    quote_spanned!(span=> ::ad::__rt::dest(&mut #v[..]))
                }
                // A part of a `lend2`/`lend3`.
                Some(part @ Expr::Field(..)) => {
                    let part = self.expr(part, span);
                    quote_spanned!(span=> ::ad::__rt::dest(#part))
                }
                _ => quote_spanned!(span=> ::ad::__rt::dest(())),
            },
            // Parts of one cotangent array lent to one call.
            Expr::Rule(lend @ ("lend2" | "lend3"), args) => {
                let lend = syn::Ident::new(lend, span);
                let x = self.expr(&args[0], span);
                let ranges = args[1..].iter().map(|r| self.expr(r, span));
                quote_spanned!(span=> ::ad::__rt::#lend(&mut #x, #(#ranges),*))
            }
            Expr::Rule(path, args) => {
                let path: TokenStream = path.parse().unwrap_or_default();
                let path = respan(path, span);
                let args = args.iter().map(|a| self.by_ref(a, span));
                quote_spanned!(span=> ::ad::__rt::#path(#(#args),*))
            }
            Expr::Cast(a, ty) => {
                let a = self.operand(a, span);
                quote_spanned!(span=> #a as #ty)
            }
            Expr::ZeroLike(e) => {
                if let Expr::Use(Operand::Const(t)) = &**e {
                    if matches!(
                        t.clone().into_iter().next(),
                        Some(proc_macro2::TokenTree::Literal(_))
                    ) {
                        // A literal's type is inferred from where the zero goes.
                        return quote_spanned!(span=> 0.0);
                    }
                }
                let e = self.by_ref(e, span);
                quote_spanned!(span=> ::ad::__rt::zero_like(#e))
            }
            Expr::Index(a, i) => self.place(&Place::Index(*a, (**i).clone()), span),
            Expr::List { vec, elems } => {
                let elems = elems.iter().map(|e| self.expr(e, span));
                if *vec {
                    quote_spanned!(span=> ::std::vec![#(#elems),*])
                } else {
                    quote_spanned!(span=> [#(#elems),*])
                }
            }
            Expr::Repeat { vec, elem, len } => {
                let elem = self.expr(elem, span);
                if *vec {
                    quote_spanned!(span=> ::std::vec![#elem; #len])
                } else {
                    quote_spanned!(span=> [#elem; #len])
                }
            }
            Expr::Call2 { path, args, method } => {
                if *method {
                    let recv = self.expr(&args[0], span);
                    let rest = args[1..].iter().map(|a| self.expr(a, span));
                    quote_spanned!(span=> #recv.#path(#(#rest),*))
                } else {
                    let args = args.iter().map(|a| self.expr(a, span));
                    quote_spanned!(span=> #path(#(#args),*))
                }
            }
            Expr::Pop(s) => {
                let s = self.name(*s);
                quote_spanned!(span=> ::ad::__rt::pop(&mut #s))
            }
            Expr::Field(e, k) => {
                let e = self.operand(e, span);
                let k = syn::Index::from(*k);
                quote_spanned!(span=> #e.#k)
            }
            Expr::Member(v, m) => {
                let v = self.name_at(*v, span);
                quote_spanned!(span=> &#v.#m)
            }
            Expr::Ref(e) => {
                let e = self.expr(e, span);
                quote_spanned!(span=> &#e)
            }
            // A member is stored: with nalgebra values, a copy of a
            // variable read again later (`(y, z.sum())`, then `&y` in the
            // reverse sweep).
            Expr::Tuple(elems) => {
                let elems = elems.iter().map(|e| self.value(e, span));
                quote_spanned!(span=> (#(#elems,)*))
            }
            Expr::Struct(path, fields) => {
                let fields = fields.iter().map(|(m, e)| {
                    let e = self.value(e, span);
                    quote_spanned!(span=> #m: #e)
                });
                quote_spanned!(span=> #path { #(#fields),* })
            }
            // (Replaced by the `closures` stage before emission.)
            Expr::Closure(c) => c.source.clone(),
            Expr::Range { start, end } => {
                let start = start.as_ref().map(|e| self.operand(e, span));
                let end = end.as_ref().map(|e| self.operand(e, span));
                quote_spanned!(span=> #start..#end)
            }
            // A matrix's `Default` is empty, a `Vec`'s too: take leaves a
            // zero of its shape.
            Expr::Take(p)
                if self.prog.matrix || matches!(**p, Place::Var(v) if self.prog.vars[v].array) =>
            {
                let p = self.place(p, span);
                quote_spanned!(span=> ::ad::__rt::take(&mut #p))
            }
            Expr::Take(p) => {
                let p = self.place(p, span);
                quote_spanned!(span=> ::core::mem::take(&mut #p))
            }
            Expr::Fresh { stack: false, .. } => quote!(::core::default::Default::default()),
            Expr::Fresh { words: true, .. } => quote!(::ad::__rt::Words::new()),
            Expr::Fresh { stack: true, .. } => quote!(::ad::__rt::Stack::new()),
        }
    }

    pub(crate) fn block(&self, block: &[Stmt]) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in block {
            out.extend(self.stmt(stmt));
        }
        out
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        self.position.set(self.position.get() + 1);
        match stmt {
            Stmt::Let {
                var,
                ty,
                expr,
                span,
            } => {
                let name = self.name(*var);
                let m = self.mutable.contains(var).then(|| quote!(mut));
                let ty = ty.as_ref().map(|t| quote!(: #t));
                let e = self.value(expr, *span);
                quote!(let #m #name #ty = #e;)
            }
            Stmt::Assign {
                place,
                op,
                expr,
                span,
            } => {
                let p = self.place(place, *span);
                // `a_bar += c_bar * b^T` accumulates in place (gemm, beta = 1).
                if let (
                    true,
                    AssignOp::Add,
                    Expr::Rule(rule @ ("mul::vjp_a" | "mul::vjp_b"), args),
                ) = (self.prog.matrix, op, expr)
                {
                    let f = if *rule == "mul::vjp_a" {
                        quote_spanned!(*span=> acc_a)
                    } else {
                        quote_spanned!(*span=> acc_b)
                    };
                    let args = args.iter().map(|a| self.by_ref(a, *span));
                    return quote_spanned!(*span=> ::ad::__rt::mul::#f(&mut #p, #(#args),*););
                }
                let scalar_place = match place {
                    Place::Var(v) => self.scalars.contains(v),
                    // An element of a vector, a matrix or an array.
                    Place::Index(..) => true,
                    Place::Field(..) | Place::Member(..) => false,
                };
                if self.prog.matrix
                    && !(scalar_place && self.is_scalar(expr))
                    && matches!(op, AssignOp::Add | AssignOp::Sub)
                {
                    let e = self.by_ref(expr, *span);
                    return match op {
                        AssignOp::Add => quote_spanned!(*span=> #p += #e;),
                        _ => quote_spanned!(*span=> #p -= #e;),
                    };
                }
                let e = self.value(expr, *span);
                if let (Place::Member(..), AssignOp::Set) = (place, op) {
                    // A field's cotangent moved in: nothing for a
                    // configuration field (`ad_runtime::move_into`).
                    return quote_spanned!(*span=> ::ad::__rt::move_into(&mut #p, #e););
                }
                match op {
                    AssignOp::Set => quote_spanned!(*span=> #p = #e;),
                    AssignOp::Add => quote_spanned!(*span=> #p += #e;),
                    AssignOp::Sub => quote_spanned!(*span=> #p -= #e;),
                    AssignOp::Acc => quote_spanned!(*span=> ::ad::__rt::accumulate(&mut #p, #e);),
                }
            }
            Stmt::If { cond, then, els } => {
                let c = self.expr(cond, Span::call_site());
                let t = self.block(then);
                if els.is_empty() {
                    quote!(if #c { #t })
                } else if let [Stmt::If { .. }] = els.as_slice() {
                    // `else if`, not `else { if .. }`.
                    let e = self.block(els);
                    quote!(if #c { #t } else #e)
                } else {
                    let e = self.block(els);
                    quote!(if #c { #t } else { #e })
                }
            }
            Stmt::Loop { header, body, .. } => {
                let b = self.block(body);
                match header {
                    Header::For { var, iter, .. } => {
                        let v = match var {
                            Some(v) => self.name(*v),
                            None => quote!(_),
                        };
                        quote!(for #v in #iter { #b })
                    }
                    Header::Infinite => quote!(loop { #b }),
                    Header::Times(n) => {
                        let n = self.expr(n, Span::call_site());
                        quote!(for _ in 0..#n { #b })
                    }
                }
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
            Stmt::Push { stack, value } => {
                let s = self.name(*stack);
                let v = self.value(value, Span::call_site());
                quote!(#s.push(#v);)
            }
            Stmt::Opaque(t, _) => t.clone(),
        }
    }

    pub(crate) fn body(&self, body: &Body) -> TokenStream {
        let mut out = self.block(&body.stmts);
        self.position.set(self.position.get() + 1);
        let ret: Vec<TokenStream> = body
            .ret
            .iter()
            .map(|e| self.value(e, Span::call_site()))
            .collect();
        match ret.len() {
            0 => {}
            1 => out.extend(ret),
            _ => out.extend(quote!((#(#ret),*))),
        }
        out
    }
}

/// The attributes of the user's function named in `names`, to put on the
/// generated items too.
pub(crate) fn carried_attrs<'a>(item: &'a syn::ItemFn, names: &[&str]) -> Vec<&'a syn::Attribute> {
    item.attrs
        .iter()
        .filter(|a| names.iter().any(|n| a.path().is_ident(n)))
        .collect()
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            tt.set_span(span);
            tt
        })
        .collect()
}

/// Variables written after their declaration: emitted `let mut`.
pub(crate) fn assigned(prog: &Program, block: &[Stmt]) -> HashSet<VarId> {
    let mut out: HashSet<VarId> = prog
        .vars
        .iter()
        .enumerate()
        .filter(|(_, v)| v.mutable || v.slot)
        .map(|(i, _)| i)
        .collect();
    walk(block, &mut |s| match s {
        Stmt::Assign { place, .. } => {
            out.insert(place.var());
        }
        Stmt::Push { stack, .. } => {
            out.insert(*stack);
        }
        Stmt::Let { expr, .. } => expr.for_each_var(&mut |_| {}),
        _ => {}
    });
    // Stacks are popped inside expressions.
    walk(block, &mut |s| {
        let mut note = |e: &Expr| find_pops(e, &mut out);
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => note(expr),
            Stmt::If { cond, .. } => note(cond),
            Stmt::Loop {
                header: Header::Times(n),
                ..
            } => note(n),
            _ => {}
        }
    });
    out
}

fn find_pops(e: &Expr, out: &mut HashSet<VarId>) {
    match e {
        Expr::Pop(s) => {
            out.insert(*s);
        }
        Expr::Take(p) => {
            out.insert(p.var());
        }
        Expr::Neg(a) | Expr::Cast(a, _) | Expr::ZeroLike(a) | Expr::Field(a, _) => {
            find_pops(a, out)
        }
        Expr::Bin(_, a, b) => {
            find_pops(a, out);
            find_pops(b, out);
        }
        Expr::Call(_, _, args)
        | Expr::La(_, args)
        | Expr::Rule(_, args)
        | Expr::Call2 { args, .. }
        | Expr::List { elems: args, .. } => args.iter().for_each(|a| find_pops(a, out)),
        _ => {}
    }
}

impl<'a> Emitter<'a> {
    /// An emitter for code without nalgebra values, with the variables
    /// declared `mut`.
    pub(crate) fn new(prog: &'a Program, mutable: HashSet<VarId>) -> Self {
        Emitter {
            prog,
            scalars: HashSet::new(),
            mutable,
            movable: HashSet::new(),
            position: std::cell::Cell::new(0),
            lanes: false,
        }
    }
}

pub fn emit_body(prog: &Program, body: &Body) -> TokenStream {
    let mut elided = body.clone();
    crate::elide::elide_copies(prog, &mut elided);
    let body = &elided;
    let mutable = assigned(prog, &body.stmts);
    let movable = if prog.matrix {
        movable(prog, body)
    } else {
        HashSet::new()
    };
    let scalars = if prog.matrix {
        scalars(prog, body)
    } else {
        HashSet::new()
    };
    Emitter {
        prog,
        scalars,
        mutable,
        movable,
        position: std::cell::Cell::new(0),
        lanes: false,
    }
    .body(body)
}

/// Whether `e` is known to be a scalar, given the scalar variables: a float
/// literal, an element read, a float method or rule-table partial, a
/// reduction of a vector (`sum`, `dot`, `norm`, ...), or arithmetic on those.
fn is_scalar(e: &Expr, scalars: &HashSet<VarId>) -> bool {
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

/// The variables known to hold scalars: scalar parameters and seeds, and
/// every variable whose every definition is a scalar expression.
fn scalars(prog: &Program, body: &Body) -> HashSet<VarId> {
    let mut defs: std::collections::HashMap<VarId, Vec<Expr>> = Default::default();
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
fn movable(prog: &Program, body: &Body) -> HashSet<(VarId, usize)> {
    use std::collections::HashMap;
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

/// The bodies of the generated functions.
pub struct Bodies {
    pub jvp: TokenStream,
    pub vjp: TokenStream,
    pub prog_jvp: Program,
    pub prog_vjp: Program,
    pub tangent: crate::tangent::Jvp,
    pub adjoint: crate::adjoint::Vjp,
    /// Forward over reverse, when it is generated.
    pub hvp: Option<(TokenStream, Program, crate::tangent::Jvp)>,
    /// The forward derivative of the reverse mode, for callers.
    pub vjp_jvp: Option<(TokenStream, Program, crate::tangent::Jvp)>,
    /// The body of `f_vjp_many`, when its forward sweep can be shared (see
    /// [`vjp_many`]), and whether it runs in lanes.
    pub vjp_many: Option<(TokenStream, bool)>,
}

/// `lanes`: the function's types are written in `f32`, `f64` or its float
/// type parameter, so `f_vjp_many` may carry its cotangents in lanes.
pub fn bodies(prog: &Program, name: &syn::Ident, ret: &syn::Type, lanes: bool) -> Bodies {
    let mut prog_jvp = prog.clone();
    let tangent = crate::tangent::jvp(&mut prog_jvp);
    let jvp = emit_body(&prog_jvp, &tangent.body);
    let reverse = |split: Option<&syn::Ident>, share: bool| {
        let mut prog_vjp = prog.clone();
        let adjoint = crate::adjoint::vjp(&mut prog_vjp, split, share);
        if let Some(seed) = adjoint.seed {
            let scalar_ret = matches!(ret, syn::Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32"));
            prog_vjp.vars[seed].scalar = scalar_ret;
        }
        (prog_vjp, adjoint)
    };
    // First order calls other functions in split form; second order
    // differentiates the joint form, and `f_vjp_many` shares its forward
    // sweep between lanes in it.
    // (First order saves costly values; `f_vjp_many` may want them
    // computed again.)
    let (prog_vjp, adjoint) = reverse(Some(name), false);
    let joint_owned =
        (adjoint.split_calls || adjoint.shares_if_recomputed).then(|| reverse(None, true));
    let (prog_joint, joint) = match &joint_owned {
        Some((p, a)) => (p, a),
        None => (&prog_vjp, &adjoint),
    };
    let vjp = emit_body(&prog_vjp, &adjoint.body);
    let hvp = hvp(prog_joint, joint, ret);
    let vjp_jvp = vjp_jvp(prog_joint, joint);
    // Several output cotangents at once: not for tuple results.
    let vjp_many = (!matches!(ret, syn::Type::Tuple(_)))
        .then(|| crate::many::vjp_many(prog_joint, joint, lanes))
        .flatten();
    Bodies {
        vjp_many,
        jvp,
        vjp,
        prog_jvp,
        prog_vjp,
        tangent,
        adjoint,
        hvp,
        vjp_jvp,
    }
}

/// The forward derivative of the reverse mode, with the output cotangent as
/// an input too: what a caller's second order needs of this function.
fn vjp_jvp(
    prog_vjp: &Program,
    adjoint: &crate::adjoint::Vjp,
) -> Option<(TokenStream, Program, crate::tangent::Jvp)> {
    let seed = adjoint.seed?;
    if !prog_vjp.outputs.is_empty() {
        return None;
    }
    let mut p = prog_vjp.clone();
    p.body = adjoint.body.clone();
    p.active_params.push(seed);
    let j = crate::tangent::jvp(&mut p);
    let tokens = emit_body(&p, &j.body);
    Some((tokens, p, j))
}

/// The Hessian-vector product: the tangent transform applied to the reverse
/// mode seeded with one (forward over reverse, JAX's `jvp(grad(f))`). Its
/// result is `(value, gradient..., H v...)`. Through a call, it uses the
/// callee's `__ad_vjpjvp_` wrapper (see [`vjp_jvp`]).
fn hvp(
    prog_vjp: &Program,
    adjoint: &crate::adjoint::Vjp,
    ret: &syn::Type,
) -> Option<(TokenStream, Program, crate::tangent::Jvp)> {
    let seed = adjoint.seed?;
    if !prog_vjp.outputs.is_empty() {
        return None;
    }
    let mut p = prog_vjp.clone();
    let mut stmts = vec![Stmt::Let {
        var: seed,
        ty: Some(Box::new(ret.clone())),
        expr: Expr::Opaque(quote!(::ad::__rt::one()), vec![]),
        span: Span::call_site(),
    }];
    stmts.extend(adjoint.body.stmts.iter().cloned());
    let n = adjoint.body.ret.len();
    p.body = Body {
        stmts,
        ret: adjoint.body.ret.clone(),
    };
    let mut j = crate::tangent::jvp(&mut p);
    // (value, gradient..., d value, H v...) -> (value, gradient..., H v...)
    let mut ret = j.body.ret[..n].to_vec();
    ret.extend(j.body.ret[n + 1..].iter().cloned());
    j.body.ret = ret;
    let tokens = emit_body(&p, &j.body);
    Some((tokens, p, j))
}

/// The owned type of a cotangent: `&[f64]` -> `Vec<f64>`, `&[f64; N]` ->
/// `[f64; N]`, anything else unchanged.
pub(crate) fn cotangent_type(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) => {
                let elem = &s.elem;
                syn::parse_quote!(::std::vec::Vec<#elem>)
            }
            other => cotangent_type(other),
        },
        syn::Type::Paren(p) => cotangent_type(&p.elem),
        other => other.clone(),
    }
}

/// A parameter's declaration, `mut` when the body writes it.
pub(crate) fn param(
    prog: Option<(&Program, &HashSet<VarId>)>,
    v: VarId,
    fallback: &syn::Ident,
    ty: &syn::Type,
) -> TokenStream {
    match prog {
        Some((p, mutable)) => {
            let name = p.name(v);
            // A shared reference is never written through; a `&mut` buffer
            // may be borrowed whole (`accumulate(&mut x_bar, ..)`).
            let shared = matches!(ty, syn::Type::Reference(r) if r.mutability.is_none());
            let m = (mutable.contains(&v) && !shared).then(|| quote!(mut));
            quote!(#m #name: #ty)
        }
        None => quote!(#fallback: #ty),
    }
}

/// The generated items: `f_jvp`, `f_vjp` and (for scalar outputs) `f_grad`.
/// With `bodies == None`, the functions have the right signatures and
/// unreachable bodies: the build fails on the reported errors anyway, and
/// callers see no second wave of "cannot find function" errors.
pub fn generate(model: &Model, bodies: Option<&Bodies>) -> TokenStream {
    // A method's receiver comes first, inactive; an active one (`wrt(self)`)
    // is the first parameter, `self: &Self`.
    let recv = model.inactive_receiver();
    let item = model.item;
    // The function's generics (`<T: Real>`) on every generated item, with
    // the bounds they add (`T: ::ad::RealRules` for `T: Float`).
    let gen = &model.generics;
    let wher = &model.generics.where_clause;
    let vis = &item.vis;
    let name = &item.sig.ident;
    let jvp_name = format_ident!("{}_jvp", name);
    let vjp_name = format_ident!("{}_vjp", name);
    let grad_name = format_ident!("{}_grad", name);
    let ret = &model.ret;
    let has_value = model.has_output;
    // The user's `#[inline]`, `#[cold]`, lint levels and `#[cfg]` apply to the
    // derivatives too.
    let carried = carried_attrs(
        item,
        &["inline", "cold", "allow", "expect", "warn", "deny", "cfg"],
    );
    let allow = allow();
    let allow = quote!(#allow #(#carried)*);
    let unreachable = quote!(::core::unreachable!(
        "the derivative of a function that failed to compile"
    ));

    let jvp_mut = bodies.map(|b| assigned(&b.prog_jvp, &b.tangent.body.stmts));
    let vjp_mut = bodies.map(|b| assigned(&b.prog_vjp, &b.adjoint.body.stmts));
    let jp = bodies.zip(jvp_mut.as_ref()).map(|(b, m)| (&b.prog_jvp, m));
    let vp = bodies.zip(vjp_mut.as_ref()).map(|(b, m)| (&b.prog_vjp, m));

    // f_jvp(x, dx, n, y, dy, buf, dbuf) -> (out, dout)
    let mut jvp_params = Vec::new();
    let (mut ai, mut oi) = (0, 0);
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        jvp_params.push(param(jp, i, &p.ident, ty));
        if p.active || p.output {
            let fallback = format_ident!("d{}", p.ident);
            let d = match bodies {
                Some(b) if p.active => Some(b.tangent.tangents[ai]),
                Some(b) => Some(b.tangent.buffers[oi]),
                None => None,
            };
            jvp_params.push(match d {
                Some(d) => param(jp, d, &fallback, ty),
                None => quote!(#fallback: #ty),
            });
            if p.active {
                ai += 1;
            } else {
                oi += 1;
            }
        }
    }
    let jvp_ret = if has_value {
        quote!(-> (#ret, #ret))
    } else {
        quote!()
    };
    let jvp_body = bodies.map_or(unreachable.clone(), |b| b.jvp.clone());

    // f_vjp(x, n, y, buf, buf_bar, dout) -> (out, x_bar, y_bar)
    let mut vjp_params = Vec::new();
    let mut plain_params = Vec::new();
    let mut oi = 0;
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let decl = param(vp, i, &p.ident, ty);
        plain_params.push(decl.clone());
        vjp_params.push(decl);
        if p.output {
            // The cotangent buffer, of the buffer's own type.
            let fallback = format_ident!("{}_bar", p.ident);
            vjp_params.push(match bodies {
                Some(b) => param(vp, b.adjoint.buffer_seeds[oi], &fallback, ty),
                None => quote!(#fallback: #ty),
            });
            oi += 1;
        }
    }
    let seed = match bodies.and_then(|b| b.adjoint.seed.map(|s| (b, s))) {
        Some((b, s)) => b.prog_vjp.name(s).to_token_stream(),
        None => quote!(dout),
    };
    // The seed is the adjoint of a returned parameter, which other
    // contributions may add to (`d[0] = a * b; b` with a buffer `d`).
    let seed_mut = bodies
        .zip(vjp_mut.as_ref())
        .and_then(|(b, m)| b.adjoint.seed.filter(|s| m.contains(s)))
        .map(|_| quote!(mut));
    if has_value {
        vjp_params.push(quote!(#seed_mut #seed: #ret));
    }
    let cotangent_tys: Vec<syn::Type> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| cotangent_type(&p.ty))
        .collect();
    let vjp_ret = match (has_value, cotangent_tys.len()) {
        (true, _) => quote!(-> (#ret, #(#cotangent_tys),*)),
        (false, 1) => quote!(-> #(#cotangent_tys)*),
        (false, _) => quote!(-> (#(#cotangent_tys),*)),
    };
    let vjp_body = bodies.map_or(unreachable.clone(), |b| b.vjp.clone());

    let doc_jvp = format!(
        "Forward mode of [`{name}`]: its value and its directional derivative along the tangents `d..` of the active inputs. Generated by `#[differentiate]`."
    );
    let doc_vjp = format!(
        "Reverse mode of [`{name}`]: its value and the cotangents of the active inputs, in order, for the output cotangent `{seed}`. Generated by `#[differentiate]`."
    );
    let mut out = quote! {
        #[doc = #doc_jvp]
        #allow
        #vis fn #jvp_name #gen (#(#recv,)* #(#jvp_params),*) #jvp_ret #wher {
            #jvp_body
        }
        #[doc = #doc_vjp]
        #allow
        #vis fn #vjp_name #gen (#(#recv,)* #(#vjp_params),*) #vjp_ret #wher {
            #vjp_body
        }
    };
    // f_vjp_many(x, n, y, [dout; M]) -> (out, [(x_bar, y_bar); M]): for
    // outputs other than one number, when the forward sweep can be shared.
    let many = bodies.and_then(|b| b.vjp_many.as_ref());
    if let (Some((body, lanes)), None, true) = (many, model.ret_float, has_value) {
        let many_name = format_ident!("{}_vjp_many", name);
        let mut generics = gen.clone();
        generics.params.push(syn::parse_quote!(const SEEDS: usize));
        if *lanes {
            // The float type parameter carries cotangents in lanes (`f32`
            // and `f64` do).
            let floats: Vec<syn::Ident> = gen.type_params().map(|t| t.ident.clone()).collect();
            let wc = generics.make_where_clause();
            for t in floats {
                wc.predicates.push(syn::parse_quote!(
                    #t: ::ad::__rt::LaneShape<SEEDS, Lanes = ::ad::__rt::Lanes<#t, SEEDS>>
                ));
            }
        }
        let many_where = &generics.where_clause;
        let douts = format_ident!("{}", DOUTS);
        let cotangents = match cotangent_tys.as_slice() {
            [one] => quote!(#one),
            many => quote!((#(#many),*)),
        };
        let doc_many = format!(
            "Reverse mode of [`{name}`] for several output cotangents at once (the rows of its Jacobian for unit cotangents): its value and, for each cotangent of `{DOUTS}`, the cotangents of the active inputs as [`{vjp_name}`] returns them. The forward sweep runs once. Generated by `#[differentiate]`."
        );
        out.extend(quote! {
            #[doc = #doc_many]
            #allow
            #vis fn #many_name #generics (#(#recv,)* #(#plain_params,)* #douts: [#ret; SEEDS]) -> (#ret, [#cotangents; SEEDS]) #many_where {
                #body
            }
        });
    }
    if model.ret_float.is_some() && !model.params.iter().any(|p| p.output) {
        let doc_grad = format!(
            "Gradient of [`{name}`]: its value and the derivatives in each active input, in order. Generated by `#[differentiate]`."
        );
        let grad_body = match bodies {
            Some(b) => {
                let body = &b.vjp;
                quote!(let #seed_mut #seed: #ret = ::ad::__rt::one(); #body)
            }
            None => unreachable,
        };
        out.extend(quote! {
            #[doc = #doc_grad]
            #allow
            #vis fn #grad_name #gen (#(#recv,)* #(#plain_params),*) -> (#ret, #(#cotangent_tys),*) #wher {
                #grad_body
            }
        });
        let hvp_name = format_ident!("{}_hvp", name);
        // `Some(None)`: the signature only (stubs after errors).
        let hvp = match bodies {
            None => Some(None),
            Some(b) => b.hvp.as_ref().map(Some),
        };
        if let Some(hvp) = hvp {
            // f_hvp(x, vx, n, y, vy) -> (out, x_bar, y_bar, hv_x, hv_y)
            let mut params = Vec::new();
            let mut ai = 0;
            let hvp_mut = hvp.map(|(_, prog, j)| assigned(prog, &j.body.stmts));
            let hp = hvp.zip(hvp_mut.as_ref()).map(|((_, prog, _), m)| (prog, m));
            for (i, p) in model.params.iter().enumerate() {
                let ty = &p.ty;
                params.push(param(hp, i, &p.ident, ty));
                if p.active {
                    let fallback = format_ident!("v{}", p.ident);
                    params.push(match hvp {
                        Some((_, _, j)) => param(hp, j.tangents[ai], &fallback, ty),
                        None => quote!(#fallback: #ty),
                    });
                    ai += 1;
                }
            }
            let body = match hvp {
                Some((tokens, _, _)) => tokens.clone(),
                None => quote!(::core::unreachable!(
                    "the derivative of a function that failed to compile"
                )),
            };
            let doc_hvp = format!(
                "Hessian-vector product of [`{name}`] (forward over reverse): its value, its gradient and the product of its Hessian with the direction `d..`, split by input. Generated by `#[differentiate]`."
            );
            {
                out.extend(quote! {
                    #[doc = #doc_hvp]
                    #allow
                    #vis fn #hvp_name #gen (#(#recv,)* #(#params),*) -> (#ret, #(#cotangent_tys,)* #(#cotangent_tys),*) #wher {
                        #body
                    }
                });
            }
        }
    }
    out
}
