//! IR -> TokenStream, and the generated functions' signatures.
//!
//! Runtime rules are reached through the hidden path `::ad::__rt` and spanned
//! at the user expression they come from, so a type error in a rule lands on
//! the user's `x.sin()`, not on the attribute.

use crate::ir::{
    partial_name, walk, AssignOp, BinOp, Body, CallStyle, Expr, Func, Header, Operand, Place,
    Program, Stmt, VarId, DIV,
};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;

/// Attributes of every generated function. The code is machine-written:
/// lints about its style would only be noise at the user's attribute.
fn allow() -> TokenStream {
    quote! {
        #[allow(unused_variables, unused_mut, unused_assignments, unused_parens, unreachable_code, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
    }
}

struct Emitter<'a> {
    prog: &'a Program,
    /// With nalgebra values: the variables known to hold scalars, whose
    /// operators and copies stay plain.
    scalars: HashSet<VarId>,
    mutable: HashSet<VarId>,
    /// With nalgebra values: the reads that may move their variable, by
    /// statement position (see [`movable`]).
    movable: HashSet<(VarId, usize)>,
    /// The position of the statement being emitted.
    position: std::cell::Cell<usize>,
    /// The reverse sweep of `f_vjp_many` in lanes: cotangents are
    /// `ad_runtime::Lanes` (see [`vjp_many`]).
    lanes: bool,
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
    fn value(&self, e: &Expr, span: Span) -> TokenStream {
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
            Place::Index(a, i) => {
                let a = self.name_at(*a, span);
                let i = self.expr(i, span);
                quote_spanned!(span=> #a[#i])
            }
            Place::Field(v, k) => {
                let v = self.name_at(*v, span);
                let k = syn::Index::from(*k);
                quote_spanned!(span=> #v.#k)
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
            Expr::Ref(e) => {
                let e = self.expr(e, span);
                quote_spanned!(span=> &#e)
            }
            Expr::Tuple(elems) => {
                let elems = elems.iter().map(|e| self.expr(e, span));
                quote_spanned!(span=> (#(#elems,)*))
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

    fn block(&self, block: &[Stmt]) -> TokenStream {
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
                    Place::Field(..) => false,
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
                } else {
                    let e = self.block(els);
                    quote!(if #c { #t } else { #e })
                }
            }
            Stmt::Loop { header, body } => {
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

    fn body(&self, body: &Body) -> TokenStream {
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
fn carried_attrs<'a>(item: &'a syn::ItemFn, names: &[&str]) -> Vec<&'a syn::Attribute> {
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
fn assigned(prog: &Program, block: &[Stmt]) -> HashSet<VarId> {
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

pub fn emit_body(prog: &Program, body: &Body) -> TokenStream {
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
        Expr::La(op, _) => matches!(
            op.module,
            "la::sum" | "la::mean" | "la::norm" | "la::norm_squared" | "la::dot"
        ),
        Expr::Neg(a) => is_scalar(a, scalars),
        Expr::Bin(_, a, b) => is_scalar(a, scalars) && is_scalar(b, scalars),
        Expr::ZeroLike(a) => is_scalar(a, scalars),
        Expr::Rule(name, args) => {
            let (module, rule) = name.rsplit_once("::").unwrap_or(("", name));
            match (module, rule) {
                // A scalar operand's cotangent is a scalar; so are the
                // tangent rules of the scalar reductions.
                ("mul" | "div", _) => args.iter().all(|a| is_scalar(a, scalars)),
                ("la::sum" | "la::mean" | "la::norm" | "la::norm_squared" | "la::dot", r) => {
                    r.starts_with("jvp")
                }
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
                Stmt::Loop { header, body } => {
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
pub fn bodies(prog: &Program, ret: &syn::Type, lanes: bool) -> Bodies {
    let mut prog_jvp = prog.clone();
    let tangent = crate::tangent::jvp(&mut prog_jvp);
    let jvp = emit_body(&prog_jvp, &tangent.body);
    let mut prog_vjp = prog.clone();
    let adjoint = crate::adjoint::vjp(&mut prog_vjp);
    if let Some(seed) = adjoint.seed {
        let scalar_ret =
            matches!(ret, syn::Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32"));
        prog_vjp.vars[seed].scalar = scalar_ret;
    }
    let vjp = emit_body(&prog_vjp, &adjoint.body);
    let hvp = hvp(&prog_vjp, &adjoint, ret);
    let vjp_jvp = vjp_jvp(&prog_vjp, &adjoint);
    // Several output cotangents at once: not for tuple results.
    let vjp_many = (!matches!(ret, syn::Type::Tuple(_)))
        .then(|| vjp_many(&prog_vjp, &adjoint, lanes))
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
const DOUTS: &str = "__ad_douts";

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
fn vjp_many(
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
    let mut declared = HashSet::new();
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
    let mut emitter = Emitter {
        prog,
        scalars: HashSet::new(),
        mutable,
        movable: HashSet::new(),
        position: std::cell::Cell::new(0),
        lanes: false,
    };
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
            let #seed = ::ad::__rt::LaneShape::<SEEDS>::gather(#douts);
            let __ad_lanes = { #sweep };
            (#value, ::ad::__rt::Unlane::<SEEDS>::scatter(__ad_lanes))
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
        let mut __ad_rows = ::ad::__rt::Rows::new();
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
            Expr::Index(_, i) => expr(i),
            Expr::Repeat { elem, .. } => expr(elem),
            Expr::Rule(..)
            | Expr::La(..)
            | Expr::Call2 { .. }
            | Expr::Pop(_)
            | Expr::Field(..)
            | Expr::Ref(_)
            | Expr::Range { .. }
            | Expr::Tuple(_)
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
                    Place::Index(_, i) => expr(i),
                    Place::Field(..) => false,
                }
        }
        Stmt::If { cond, then, els } => expr(cond) && then.iter().chain(els).all(in_lanes),
        Stmt::Loop { body, header } => {
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
fn cotangent_type(ty: &syn::Type) -> syn::Type {
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

/// The bound on a wrapper's tangent type `g` for a parameter `x: ty`, and
/// how the raw tangent becomes one of type `ty`: `tangent_for` by value, or
/// for a borrowed parameter `&P` a borrow of what `tangent_ref` gives (the
/// caller's borrowed tangent, or a zero the wrapper owns in `store`).
/// Returns the bound, the statement binding the store (if any) and the
/// converted tangent.
fn tangent_conversion(
    g: &syn::Ident,
    raw: &syn::Ident,
    x: &impl ToTokens,
    ty: &syn::Type,
) -> (TokenStream, TokenStream, TokenStream) {
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let elem = &r.elem;
            let store = format_ident!("__ad_store_{}", raw);
            (
                quote!(#g: ::ad::__rt::TangentRef<#elem>),
                quote!(let #store = ::ad::__rt::tangent_ref(#raw, #x);),
                quote!(::core::borrow::Borrow::<#elem>::borrow(&#store)),
            )
        }
        _ => (
            quote!(#g: ::ad::__rt::TangentFor<#ty>),
            TokenStream::new(),
            quote!(::ad::__rt::tangent_for(#raw, &#x)),
        ),
    }
}

/// [`tangent_conversion`] as one expression, for an argument of a call: the
/// zero a borrowed parameter's tangent may borrow is a temporary that lives
/// to the end of the call's statement.
fn tangent_inline(raw: &syn::Ident, x: &impl ToTokens, ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let elem = &r.elem;
            quote!(::core::borrow::Borrow::<#elem>::borrow(&::ad::__rt::tangent_ref(#raw, #x)))
        }
        _ => quote!(::ad::__rt::tangent_for(#raw, &#x)),
    }
}

/// A parameter's declaration, `mut` when the body writes it.
fn param(
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

/// The hidden wrappers with the uniform calling convention of
/// `ad_runtime::call`: `__ad_jvp_f` takes a tangent (or `NoTangent`) after
/// every argument, `__ad_vjp_f` returns a cotangent for every parameter (`()`
/// for inactive ones). Callers in other differentiated functions use them,
/// since they cannot see `f`'s signature. Each wrapper contains the
/// derivative's body (or, for `custom`, calls the hand-written rule), so it
/// needs no path to `f_jvp` and works in `impl` blocks too.
/// Which wrappers to generate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WrapperMode {
    /// From the generated derivatives.
    Generated,
    /// Signatures only, after errors.
    Stub,
    /// Calling hand-written rules; `second_order`: `f_vjp_jvp` exists.
    Custom { second_order: bool },
}

pub fn wrappers(model: &Model, bodies: Option<&Bodies>, mode: WrapperMode) -> TokenStream {
    let supported = model.has_output && !model.params.iter().any(|p| p.output);
    if !supported {
        return TokenStream::new();
    }
    let item = model.item;
    let vis = &item.vis;
    let name = &item.sig.ident;
    let base = name.to_string();
    let base = base.trim_start_matches("r#");
    let wrap_jvp = format_ident!("__ad_jvp_{}", base);
    let wrap_vjp = format_ident!("__ad_vjp_{}", base);
    let recv: Vec<TokenStream> = model.receiver.iter().map(|r| r.to_token_stream()).collect();
    // The function's own generics, then the wrapper's.
    let own_params: Vec<TokenStream> = item
        .sig
        .generics
        .params
        .iter()
        .map(|p| p.to_token_stream())
        .collect();
    let own_preds: Vec<TokenStream> = item
        .sig
        .generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter().map(|p| p.to_token_stream()))
        .collect();
    // Hand-written rules of a method are methods too.
    let call_user = |user: syn::Ident, args: TokenStream| -> TokenStream {
        if model.receiver.is_some() {
            quote!(self.#user(#args))
        } else {
            quote!(#user(#args))
        }
    };
    let ret = &model.ret;
    // The wrappers are `#[inline]` already: only lint levels and `#[cfg]`.
    let carried = carried_attrs(item, &["allow", "expect", "warn", "deny", "cfg"]);
    let allow = allow();
    let allow = quote!(#allow #(#carried)*);

    // Names: the generated programs' when there are bodies, else fresh ones.
    let mut names = match bodies {
        Some(b) => b.prog_jvp.names.clone(),
        None => {
            let mut reserved = std::collections::HashSet::new();
            for p in &model.params {
                reserved.insert(p.ident.to_string());
            }
            crate::ir::Names::new(reserved)
        }
    };
    let jvp_mut = bodies.map(|b| assigned(&b.prog_jvp, &b.tangent.body.stmts));
    let jp = bodies.zip(jvp_mut.as_ref()).map(|(b, m)| (&b.prog_jvp, m));

    // __ad_jvp_f(x, t_x, n, t_n, ..) -> (out, dout)
    let mut generics = Vec::new();
    let mut bounds = Vec::new();
    let mut params = Vec::new();
    let mut lets = Vec::new();
    let mut call = Vec::new();
    let mut ai = 0;
    for (i, p) in model.params.iter().enumerate() {
        let ty = &p.ty;
        let x = match bodies {
            Some(b) => b.prog_jvp.name(i).clone(),
            None => p.ident.clone(),
        };
        let raw = names.fresh(&format!("{x}_tangent"), proc_macro2::Span::call_site());
        let g = format_ident!("__AdT{}", i);
        params.push(param(jp, i, &p.ident, ty));
        params.push(quote!(#raw: #g));
        call.push(x.to_token_stream());
        if !p.active && !p.output {
            // A caller's active value for a parameter left out of `wrt`
            // would lose its derivative: a type error instead.
            bounds.push(quote!(#g: ::ad::__rt::Inactive));
        }
        if p.active {
            let (bound, store, converted) = tangent_conversion(&g, &raw, &x, ty);
            bounds.push(bound);
            match bodies {
                Some(b) => {
                    let d = b.tangent.tangents[ai];
                    let dn = b.prog_jvp.name(d);
                    let m = jvp_mut
                        .as_ref()
                        .is_some_and(|m| m.contains(&d))
                        .then(|| quote!(mut));
                    lets.push(quote!(#store let #m #dn: #ty = #converted;));
                }
                None => call.push(tangent_inline(&raw, &x, ty)),
            }
            ai += 1;
        }
        generics.push(g);
    }
    let jvp_body = match bodies {
        Some(b) => {
            let body = &b.jvp;
            quote!(#(#lets)* #body)
        }
        None if mode == WrapperMode::Stub => {
            quote!(::core::unreachable!(
                "the derivative of a function that failed to compile"
            ))
        }
        None => call_user(format_ident!("{}_jvp", base), quote!(#(#call),*)),
    };

    // __ad_vjp_f(x, n, .., dout) -> (out, x_bar, (), ..)
    let vjp_mut = bodies.map(|b| assigned(&b.prog_vjp, &b.adjoint.body.stmts));
    let vp = bodies.zip(vjp_mut.as_ref()).map(|(b, m)| (&b.prog_vjp, m));
    let mut names = match bodies {
        Some(b) => b.prog_vjp.names.clone(),
        None => names,
    };
    let vparams: Vec<TokenStream> = model
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| param(vp, i, &p.ident, &p.ty))
        .collect();
    let seed = match bodies.and_then(|b| b.adjoint.seed.map(|s| (b, s))) {
        Some((b, s)) => b.prog_vjp.name(s).clone(),
        None => names.fresh("dout", proc_macro2::Span::call_site()),
    };
    // The seed may be the adjoint of a returned value that other uses add to.
    let seed_mut = bodies
        .zip(vjp_mut.as_ref())
        .and_then(|(b, m)| b.adjoint.seed.filter(|s| m.contains(s)))
        .map(|_| quote!(mut));
    let value = names.fresh("value", proc_macro2::Span::call_site());
    let mut cots = Vec::new();
    let mut all = Vec::new();
    let mut tys = Vec::new();
    for p in &model.params {
        if p.active {
            let c = names.fresh(
                &format!("{}_cotangent", p.ident),
                proc_macro2::Span::call_site(),
            );
            cots.push(c.clone());
            all.push(c.to_token_stream());
            let ty = cotangent_type(&p.ty);
            tys.push(quote!(#ty));
        } else {
            all.push(quote!(()));
            tys.push(quote!(()));
        }
    }
    let inner = match bodies {
        Some(b) => {
            let body = &b.vjp;
            quote!({ #body })
        }
        None if mode == WrapperMode::Stub => {
            quote!(::core::unreachable!(
                "the derivative of a function that failed to compile"
            ))
        }
        None => {
            let args: Vec<TokenStream> = model
                .params
                .iter()
                .map(|p| p.ident.to_token_stream())
                .collect();
            call_user(format_ident!("{}_vjp", base), quote!(#(#args,)* #seed))
        }
    };
    // __ad_vjpjvp_f(x, t_x, .., dout, t_dout) -> ((out, x_bar, ()..), (dout', dx_bar, ()..))
    let wrap_vjpjvp = format_ident!("__ad_vjpjvp_{}", base);
    let vjpjvp = match bodies.map(|b| b.vjp_jvp.as_ref()) {
        Some(Some((tokens, prog, j))) => {
            let mutable = assigned(prog, &j.body.stmts);
            let pm = Some((prog, &mutable));
            let mut names = prog.names.clone();
            let mut gparams = Vec::new();
            let mut gbounds = Vec::new();
            let mut gnames = Vec::new();
            let mut lets = Vec::new();
            let mut ai = 0;
            let mut add_param = |v: VarId,
                                 ty: &syn::Type,
                                 active: bool,
                                 i: usize,
                                 params: &mut Vec<TokenStream>| {
                let x = prog.name(v).clone();
                let raw = names.fresh(&format!("{x}_tangent"), proc_macro2::Span::call_site());
                let g = format_ident!("__AdU{}", i);
                params.push(param(pm, v, &x, ty));
                params.push(quote!(#raw: #g));
                if !active && !model.params.get(i).is_some_and(|p| p.output) {
                    gbounds.push(quote!(#g: ::ad::__rt::Inactive));
                }
                if active {
                    let (bound, store, converted) = tangent_conversion(&g, &raw, &x, ty);
                    gbounds.push(bound);
                    let d = j.tangents[ai];
                    let dn = prog.name(d);
                    let m = mutable.contains(&d).then(|| quote!(mut));
                    lets.push(quote!(#store let #m #dn: #ty = #converted;));
                    ai += 1;
                }
                gnames.push(g);
            };
            for (i, p) in model.params.iter().enumerate() {
                add_param(i, &p.ty, p.active, i, &mut gparams);
            }
            let seed = *prog.active_params.last().expect("the seed is active");
            add_param(seed, ret, true, model.params.len(), &mut gparams);
            let mut names = prog.names.clone();
            let v = names.fresh("value", proc_macro2::Span::call_site());
            let dv = names.fresh("dvalue", proc_macro2::Span::call_site());
            let (mut cs, mut dcs, mut all, mut dall) = (vec![], vec![], vec![], vec![]);
            for p in &model.params {
                if p.active {
                    let c = names.fresh("cotangent", proc_macro2::Span::call_site());
                    let dc = names.fresh("dcotangent", proc_macro2::Span::call_site());
                    all.push(c.to_token_stream());
                    dall.push(dc.to_token_stream());
                    cs.push(c);
                    dcs.push(dc);
                } else {
                    all.push(quote!(()));
                    dall.push(quote!(()));
                }
            }
            let body = quote! {
                #(#lets)*
                let (#v, #(#cs,)* #dv, #(#dcs),*) = { #tokens };
                ((#v, #(#all),*), (#dv, #(#dall),*))
            };
            (gnames, gparams, gbounds, body)
        }
        // A custom rule: second order through it needs the rule's own
        // forward derivative, `f_vjp_jvp`, written like this wrapper.
        _ => {
            let mut names2 = names.clone();
            let cots_d: Vec<syn::Ident> = cots
                .iter()
                .map(|c| names2.fresh(&format!("d{c}"), proc_macro2::Span::call_site()))
                .collect();
            let mut k = 0;
            let all_d: Vec<TokenStream> = model
                .params
                .iter()
                .map(|p| {
                    if p.active {
                        k += 1;
                        cots_d[k - 1].to_token_stream()
                    } else {
                        quote!(())
                    }
                })
                .collect();
            let mut gparams = Vec::new();
            let mut gbounds = Vec::new();
            let mut gnames = Vec::new();
            let mut call = Vec::new();
            let mut i = 0usize;
            let mut names = names.clone();
            let mut push =
                |x: TokenStream, ty: &syn::Type, active: bool, call: &mut Vec<TokenStream>| {
                    let raw = names.fresh("tangent", proc_macro2::Span::call_site());
                    let g = format_ident!("__AdU{}", i);
                    i += 1;
                    gparams.push(quote!(#x: #ty));
                    gparams.push(quote!(#raw: #g));
                    call.push(x.clone());
                    if !active {
                        gbounds.push(quote!(#g: ::ad::__rt::Inactive));
                    }
                    if active {
                        let (bound, _, _) = tangent_conversion(&g, &raw, &x, ty);
                        gbounds.push(bound);
                        call.push(tangent_inline(&raw, &x, ty));
                    }
                    gnames.push(g);
                };
            for p in &model.params {
                push(p.ident.to_token_stream(), &p.ty, p.active, &mut call);
            }
            push(seed.to_token_stream(), ret, true, &mut call);
            let user = call_user(format_ident!("{}_vjp_jvp", base), quote!(#(#call),*));
            let body = match mode {
                WrapperMode::Custom { second_order: true } => quote! {
                    let ((v, #(#cots),*), (dv, #(#cots_d),*)) = #user;
                    ((v, #(#all),*), (dv, #(#all_d),*))
                },
                WrapperMode::Custom {
                    second_order: false,
                } => {
                    let msg = format!(
                        "ad: second order through the custom rule `{base}` needs its forward derivative `{base}_vjp_jvp`: write it and mark `{base}` with #[differentiate(custom(second_order))]"
                    );
                    quote!(::core::panic!(#msg))
                }
                _ => quote!(::core::unreachable!(
                    "the derivative of a function that failed to compile"
                )),
            };
            (gnames, gparams, gbounds, body)
        }
    };
    let (gnames, gparams, gbounds, body) = vjpjvp;
    let vjpjvp = quote! {
        #[doc(hidden)]
        #[inline]
        #allow
        #vis fn #wrap_vjpjvp<#(#own_params,)* #(#gnames),*>(#(#recv,)* #(#gparams),*) -> ((#ret, #(#tys),*), (#ret, #(#tys),*))
        where
            #(#own_preds,)*
            #(#gbounds,)*
        {
            #body
        }
    };
    quote! {
        #vjpjvp
        #[doc(hidden)]
        #[inline]
        #allow
        #vis fn #wrap_jvp<#(#own_params,)* #(#generics),*>(#(#recv,)* #(#params),*) -> (#ret, #ret)
        where
            #(#own_preds,)*
            #(#bounds,)*
        {
            #jvp_body
        }
        #[doc(hidden)]
        #[inline]
        #allow
        #vis fn #wrap_vjp<#(#own_params),*>(#(#recv,)* #(#vparams,)* #seed_mut #seed: #ret) -> (#ret, #(#tys),*)
        where
            #(#own_preds,)*
        {
            let (#value, #(#cots),*) = #inner;
            (#value, #(#all),*)
        }
    }
}

/// The generated items: `f_jvp`, `f_vjp` and (for scalar outputs) `f_grad`.
/// With `bodies == None`, the functions have the right signatures and
/// unreachable bodies: the build fails on the reported errors anyway, and
/// callers see no second wave of "cannot find function" errors.
pub fn generate(model: &Model, bodies: Option<&Bodies>) -> TokenStream {
    // A method's receiver comes first, inactive.
    let recv: Vec<TokenStream> = model.receiver.iter().map(|r| r.to_token_stream()).collect();
    let item = model.item;
    // The function's generics (`<T: Real>`) on every generated item.
    let gen = &item.sig.generics;
    let wher = &item.sig.generics.where_clause;
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
