//! IR -> TokenStream: the emitter of statements and expressions; the
//! facts it needs about a body (`facts.rs`); the generated functions'
//! bodies and signatures (`items.rs`).
//!
//! Runtime rules are reached through the hidden path `::ad::__rt`, written
//! `__rt::` (the body's `use ::ad::__rt;` is put first by whatever
//! assembles a generated function, `rt_alias.rs`), and spanned at the user
//! expression they come from, so a type error in a rule lands on the user's
//! `x.sin()`, not on the attribute.

use crate::fx::HashSet;
use crate::ir::{
    partial_name, walk, AssignOp, BinOp, Body, CallStyle, Expr, Header, Operand, Place, Program,
    Stmt, VarId, APPLIED,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

mod facts;
mod items;
pub(crate) mod put;
mod windows;

use put::{lazy, put};

use facts::{is_literal, is_scalar, movable, scalars};
pub(crate) use items::{base_name, wrapper_path};
pub use items::{bodies, generate, Bodies};
pub(crate) use items::{cotangent_type, param, with_use};

/// Attributes of every generated function. The code is machine-written:
/// lints about its style would only be noise at the user's attribute.
pub(crate) fn allow() -> TokenStream {
    quote! {
        #[allow(unused_variables, unused_imports, unused_mut, unused_assignments, unused_parens, unreachable_code, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
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
    /// The streams of saved values (of the values, and in `_hvp` of their
    /// tangents) on which loop bodies may open windows, with the name of
    /// their window (see [`windows`]).
    streams: Vec<(VarId, syn::Ident)>,
    /// The streams the body being emitted reaches through their window.
    open: std::cell::RefCell<Vec<VarId>>,
}

impl Emitter<'_> {
    fn name(&self, v: VarId) -> &syn::Ident {
        self.prog.name(v)
    }

    /// A variable's name carrying the span of the user code it is used for,
    /// so errors land there.
    fn name_at(&self, v: VarId, span: Span) -> syn::Ident {
        let mut ident = self.prog.name(v).clone();
        ident.set_span(span);
        ident
    }

    /// Whether an expression is known to be a scalar (plain operators).
    fn is_scalar(&self, e: &Expr) -> bool {
        is_scalar(e, &self.scalars)
    }

    /// [`Self::write_by_ref`], written where it is interpolated.
    fn by_ref<'b>(&'b self, e: &'b Expr, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| self.write_by_ref(e, span, o))
    }

    /// [`Self::write_operand`], written where it is interpolated.
    fn operand<'b>(&'b self, e: &'b Expr, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| self.write_operand(e, span, o))
    }

    /// [`Self::write_expr`], written where it is interpolated.
    fn expr<'b>(&'b self, e: &'b Expr, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| self.write_expr(e, span, o))
    }

    /// [`Self::write_value`], written where it is interpolated.
    fn lazy_value<'b>(&'b self, e: &'b Expr, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| self.write_value(e, span, o))
    }

    /// [`Self::write_place`], written where it is interpolated.
    fn place<'b>(&'b self, p: &'b Place, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| self.write_place(p, span, o))
    }

    /// [`Self::call_arg`], or, in a call of the function itself (`primal`),
    /// a view of the owned copy of a view the user passed (`ir::Var::view_arg`).
    fn primal_arg<'b>(&'b self, e: &'b Expr, primal: bool, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| {
            // (`&v` of a view the user lent: `&v.as_view()`.)
            let (inner, amp) = match e {
                Expr::Ref(r) => (&**r, Some(quote!(&))),
                e => (e, None),
            };
            match inner
                .copied_var()
                .filter(|&v| primal && self.prog.vars[v].view_arg)
            {
                Some(v) => {
                    let v = self.name_at(v, span);
                    put!(o, span=> #amp #v.as_view())
                }
                None => self.call_arg(e, span).to_tokens(o),
            }
        })
    }

    /// An argument of a call. The copy of a nalgebra value passed by value
    /// (`g(clone(&c))`, see `lower_call_arg`) is a move where nothing reads
    /// it again, and so is that of a number.
    fn call_arg<'b>(&'b self, e: &'b Expr, span: Span) -> impl ToTokens + 'b {
        lazy(move |o| match e {
            Expr::Rule("clone", a) if self.prog.matrix => match a.as_slice() {
                [Expr::Use(Operand::Var(v))]
                    if !self.prog.vars[*v].by_ref
                        && (self.scalars.contains(v)
                            || self.movable.contains(&(*v, self.position.get()))) =>
                {
                    self.name_at(*v, span).to_tokens(o)
                }
                _ => self.write_expr(e, span, o),
            },
            _ => self.write_expr(e, span, o),
        })
    }

    /// An argument of a rule, which takes references: `&a`, or `a` when it
    /// is a reference already.
    fn write_by_ref(&self, e: &Expr, span: Span, o: &mut TokenStream) {
        if let Expr::Member(..) | Expr::Rule("field_tangent" | "within", _) = e {
            return self.write_expr(e, span, o); // `&p.w`, `field_tangent(&dp.w)`: borrows
        }
        if let Expr::Use(Operand::Var(v)) = e {
            if self.prog.vars[*v].by_ref {
                return self.name_at(*v, span).to_tokens(o);
            }
        }
        if let Expr::Opaque(t, _) = e {
            // The closures of `la::map` go by value: rustc infers a
            // closure's parameter types only from a bound on it.
            if matches!(t.clone().into_iter().next(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '|')
            {
                return t.to_tokens(o);
            }
        }
        let a = self.operand(e, span);
        put!(o, span=> &#a);
    }

    /// An expression whose value is bound or stored. With nalgebra values a
    /// variable is copied (`x.clone()`) unless this is its only use.
    pub(crate) fn value(&self, e: &Expr, span: Span) -> TokenStream {
        let mut o = TokenStream::new();
        self.write_value(e, span, &mut o);
        o
    }

    fn write_value(&self, e: &Expr, span: Span, o: &mut TokenStream) {
        if let Expr::Use(Operand::Var(v)) = e {
            let last = self.movable.contains(&(*v, self.position.get()));
            let copy = self.scalars.contains(v);
            if self.prog.matrix && !copy && (self.prog.vars[*v].by_ref || !last) {
                // A function, not `x.clone()`: the type of `x` may not be
                // known yet at this point (a hoisted `Default::default()`).
                let x = self.by_ref(e, span);
                return put!(o, span=> __rt::clone(#x));
            }
        }
        self.write_expr(e, span, o)
    }

    /// An expression in operand position: parenthesised unless atomic.
    fn write_operand(&self, e: &Expr, span: Span, o: &mut TokenStream) {
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
            | Expr::La(..) => self.write_expr(e, span, o),
            // A call: `ln::d2_x_dot(x, dx)`.
            Expr::Bin(BinOp::Mul, p, _) if !self.lanes && applied(p).is_some() => {
                self.write_expr(e, span, o)
            }
            _ => {
                let tokens = self.expr(e, span);
                put!(o, span=> (#tokens))
            }
        }
    }

    fn write_place(&self, p: &Place, span: Span, o: &mut TokenStream) {
        match p {
            Place::Var(v) => self.name_at(*v, span).to_tokens(o),
            // `a[r][c]` for the element of a 2-D array.
            Place::Index(a, i) => {
                self.name_at(*a, span).to_tokens(o);
                for i in i.indices() {
                    let i = self.expr(i, span);
                    put!(o, span=> [#i]);
                }
            }
            Place::Field(v, k) => {
                let v = self.name_at(*v, span);
                let k = syn::Index::from(*k);
                put!(o, span=> #v.#k)
            }
            Place::Member(v, m) => {
                let v = self.name_at(*v, span);
                put!(o, span=> #v.#m)
            }
        }
    }

    fn write_expr(&self, e: &Expr, span: Span, o: &mut TokenStream) {
        match e {
            Expr::Use(Operand::Var(v)) => self.name_at(*v, span).to_tokens(o),
            Expr::Use(Operand::Const(t)) | Expr::Opaque(t, _) => t.to_tokens(o),
            Expr::Neg(a) if self.prog.matrix && !self.is_scalar(a) => {
                let a = self.by_ref(a, span);
                match self.prog.real {
                    // `-&t` does not hold for a type parameter `T: Real`.
                    Some(_) => put!(o, span=> __rt::generic::neg(#a)),
                    None => put!(o, span=> __rt::neg(#a)),
                }
            }
            Expr::Neg(a) => {
                let a = self.operand(a, span);
                put!(o, span=> -#a)
            }
            Expr::Bin(op, a, b)
                if self.prog.matrix && !(self.is_scalar(a) && self.is_scalar(b)) =>
            {
                let (a, b) = (self.by_ref(a, span), self.by_ref(b, span));
                let f = match op {
                    BinOp::Add => "add",
                    BinOp::Sub => "sub",
                    BinOp::Mul => "mul",
                    BinOp::Div => "div",
                };
                let f = syn::Ident::new(f, span);
                match (&self.prog.real, op) {
                    // `&t + &t` does not hold for a type parameter `T: Real`.
                    (Some(_), BinOp::Add | BinOp::Sub) => {
                        put!(o, span=> __rt::generic::#f(#a, #b))
                    }
                    _ => put!(o, span=> __rt::#f(#a, #b)),
                }
            }
            Expr::La(op, args) => {
                let path = rule_path(op.module, span);
                let args = args.iter().map(|a| self.by_ref(a, span));
                put!(o, span=> __rt::#path(#(#args),*))
            }
            // A second partial times a tangent, `ln::d2_x(x) * dx`, as the
            // runtime's `ln::d2_x_dot(x, dx)` where it has one (see
            // `ir::APPLIED`).
            Expr::Bin(BinOp::Mul, p, t) if !self.lanes && applied(p).is_some() => {
                if let (
                    Some(name),
                    Expr::Partial {
                        func, args, out, ..
                    },
                ) = (applied(p), &**p)
                {
                    let module = format_ident!("{}", func.name, span = span);
                    let d = format_ident!("{}_dot", name, span = span);
                    let args = args
                        .iter()
                        .chain(out.as_deref())
                        .chain([&**t])
                        .map(|a| self.expr(a, span));
                    put!(o, span=> __rt::#module::#d(#(#args),*))
                }
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.operand(a, span), self.operand(b, span));
                match op {
                    BinOp::Add => put!(o, span=> #a + #b),
                    BinOp::Sub => put!(o, span=> #a - #b),
                    BinOp::Mul => put!(o, span=> #a * #b),
                    BinOp::Div => put!(o, span=> #a / #b),
                }
            }
            Expr::Call(func, style, args) => {
                let name = format_ident!("{}", func.name, span = span);
                match style {
                    CallStyle::Method => {
                        let recv = self.operand(&args[0], span);
                        let rest = args[1..].iter().map(|a| self.expr(a, span));
                        put!(o, span=> #recv.#name(#(#rest),*))
                    }
                    CallStyle::Path(prefix) => {
                        let all = args.iter().map(|a| self.expr(a, span));
                        put!(o, span=> #prefix::#name(#(#all),*))
                    }
                    CallStyle::Rem => {
                        let (a, b) = (self.operand(&args[0], span), self.operand(&args[1], span));
                        put!(o, span=> #a % #b)
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
                put!(o, span=> __rt::#module::#d(#(#args),*))
            }
            // In lanes, the cotangent goes first (`Lanes * f64`).
            Expr::Rule(rule @ ("mul::vjp_a" | "mul::vjp_b"), args) if self.lanes => {
                let other = if *rule == "mul::vjp_a" {
                    &args[1]
                } else {
                    &args[0]
                };
                let (g, other) = (self.operand(&args[2], span), self.operand(other, span));
                put!(o, span=> #g * #other)
            }
            // The cotangent of `x` from that of `x as U`.
            Expr::Rule("cast_like", args) if self.lanes => {
                let x = self.by_ref(&args[0], span);
                let y_bar = self.operand(&args[1], span);
                put!(o, span=> __rt::cast_lanes(#x, #y_bar))
            }
            Expr::ZeroLike(e) if self.lanes => {
                let e = self.by_ref(e, span);
                put!(o, span=> __rt::LaneShape::<SEEDS>::zero_lanes(#e))
            }
            // A destination lent to a pullback (`ad_runtime::dest`).
            Expr::Rule("dest", args) => match args.first() {
                Some(Expr::Index(v, r)) => {
                    let place = Place::Index(*v, (**r).clone());
                    let place = self.place(&place, span);
                    put!(o, span=> __rt::dest(&mut #place))
                }
                Some(Expr::Use(Operand::Var(v))) => {
                    let v = self.name_at(*v, span);
                    put!(o, span=> __rt::dest(&mut #v[..]))
                }
                // A buffer for an inactive argument's cotangent.
                Some(Expr::Rule("scratch", a)) => {
                    let buf = self.expr(&a[0], span);
                    let x = self.expr(&a[1], span);
                    put!(o, span=> __rt::dest(__rt::scratch(&mut #buf, #x)))
                }
                // A part of a `lend2`/`lend3`.
                Some(part @ Expr::Field(..)) => {
                    let part = self.expr(part, span);
                    put!(o, span=> __rt::dest(#part))
                }
                _ => put!(o, span=> __rt::dest(())),
            },
            // Parts of one cotangent array lent to one call.
            Expr::Rule(lend @ ("lend2" | "lend3"), args) => {
                let lend = syn::Ident::new(lend, span);
                let x = self.expr(&args[0], span);
                let ranges = args[1..].iter().map(|r| self.expr(r, span));
                put!(o, span=> __rt::#lend(&mut #x, #(#ranges),*))
            }
            // An adjoint's first value, a callee's cotangent: by value.
            Expr::Rule(crate::ir::START, args) => {
                let zero = self.lazy_value(&args[0], span);
                let c = self.lazy_value(&args[1], span);
                put!(o, span=> __rt::start(#zero, #c))
            }
            // A helper's result lent whole to a value form, and back
            // (`lower_buffer_args`): by value, moved where nothing reads it
            // again.
            Expr::Rule("lend_whole", args) => {
                let x = self.lazy_value(&args[0], span);
                put!(o, span=> __rt::lend_whole(#x))
            }
            // A cotangent moved through (`adjoint::Reverse::run`).
            Expr::Rule("keep_config", args) => {
                let bar = self.expr(&args[0], span);
                let primal = self.by_ref(&args[1], span);
                put!(o, span=> __rt::keep_config(#bar, #primal))
            }
            // `within(|| &dp.cfg, d)`: the parent's type is checked, the
            // closure never called (`ad_runtime::fields::Within`).
            Expr::Rule("within", args) => {
                let parent = self.expr(&args[0], span);
                let d = self.expr(&args[1], span);
                put!(o, span=> __rt::within(|| #parent, #d))
            }
            // `field_arg(&p.__ad_field_w(), d)`: a field's tangent passed to
            // a call, none for a skipped field (`ad_runtime::call::FieldKind`).
            Expr::Rule("field_arg", args) => {
                let kind = self.expr(&args[0], span);
                let d = self.expr(&args[1], span);
                put!(o, span=> __rt::call::field_arg(#kind, #d))
            }
            Expr::Rule("unlend_whole", args) => {
                let x = self.lazy_value(&args[0], span);
                let like = self.by_ref(&args[1], span);
                put!(o, span=> __rt::unlend_whole(#x, #like))
            }
            Expr::Rule(crate::ir::LEND, args) => match args.first().and_then(Expr::as_var) {
                Some(w) if self.open.borrow().contains(&w) => {
                    let win = self.window(w);
                    put!(o, span=> &mut #win)
                }
                Some(w) => {
                    let s = self.name(w);
                    put!(o, span=> &mut #s.saving(0))
                }
                None => unreachable!("the stream is lent by name"),
            },
            Expr::Rule(path, args) => {
                let path = rule_path(path, span);
                let args = args.iter().map(|a| self.by_ref(a, span));
                put!(o, span=> __rt::#path(#(#args),*))
            }
            Expr::Cast(a, ty) => {
                let a = self.operand(a, span);
                put!(o, span=> #a as #ty)
            }
            Expr::ZeroLike(e) => {
                if let Expr::Use(Operand::Const(t)) = &**e {
                    if matches!(
                        t.clone().into_iter().next(),
                        Some(proc_macro2::TokenTree::Literal(_))
                    ) {
                        // A literal's type is inferred from where the zero goes.
                        return put!(o, span=> 0.0);
                    }
                }
                let e = self.by_ref(e, span);
                put!(o, span=> __rt::zero_like(#e))
            }
            Expr::Index(a, i) => self.write_place(&Place::Index(*a, (**i).clone()), span, o),
            Expr::List { vec, elems } => {
                let elems = elems.iter().map(|e| self.expr(e, span));
                if *vec {
                    put!(o, span=> ::std::vec![#(#elems),*])
                } else {
                    put!(o, span=> [#(#elems),*])
                }
            }
            Expr::Repeat { vec, elem, len } => {
                let elem = self.expr(elem, span);
                if *vec {
                    put!(o, span=> ::std::vec![#elem; #len])
                } else {
                    put!(o, span=> [#elem; #len])
                }
            }
            Expr::Call2 { path, args, method } => {
                // The function itself, not its wrappers: it takes a view
                // where the user passed one (`g(x.rows(0, n))`).
                let primal = path
                    .segments
                    .last()
                    .is_some_and(|s| !s.ident.to_string().starts_with("__ad_"));
                let arg = |a| self.primal_arg(a, primal, span);
                if *method {
                    let recv = self.expr(&args[0], span);
                    let rest = args[1..].iter().map(arg);
                    put!(o, span=> #recv.#path(#(#rest),*))
                } else {
                    let args = args.iter().map(arg);
                    put!(o, span=> #path(#(#args),*))
                }
            }
            Expr::Pop(s) if self.open.borrow().contains(s) => {
                let w = self.window(*s);
                put!(o, span=> #w.pop())
            }
            Expr::Pop(s) => {
                let s = self.name(*s);
                put!(o, span=> __rt::pop(&mut #s))
            }
            Expr::Field(e, k) => {
                let e = self.operand(e, span);
                let k = syn::Index {
                    index: *k as u32,
                    span,
                };
                put!(o, span=> #e.#k)
            }
            Expr::Member(v, m) => {
                let v = self.name_at(*v, span);
                put!(o, span=> &#v.#m)
            }
            Expr::Ref(e) => {
                let e = self.expr(e, span);
                put!(o, span=> &#e)
            }
            // A member is stored: with nalgebra values, a copy of a
            // variable read again later (`(y, z.sum())`, then `&y` in the
            // reverse sweep).
            Expr::Tuple(elems) => {
                let elems = elems.iter().map(|e| self.lazy_value(e, span));
                put!(o, span=> (#(#elems,)*))
            }
            Expr::Struct(path, fields) => {
                let fields = fields.iter().map(|(m, e)| {
                    let e = self.lazy_value(e, span);
                    lazy(move |o| put!(o, span=> #m: #e))
                });
                put!(o, span=> #path { #(#fields),* })
            }
            // (Replaced by the `closures` stage before emission.)
            Expr::Closure(c) => c.source.to_tokens(o),
            Expr::Range { start, end } => {
                let start = start.as_ref().map(|e| self.operand(e, span));
                let end = end.as_ref().map(|e| self.operand(e, span));
                put!(o, span=> #start..#end)
            }
            // A matrix's `Default` is empty, a `Vec`'s too: take leaves a
            // zero of its shape.
            Expr::Take(p)
                if self.prog.matrix || matches!(**p, Place::Var(v) if self.prog.vars[v].array) =>
            {
                let p = self.place(p, span);
                put!(o, span=> __rt::take(&mut #p))
            }
            Expr::Take(p) => {
                let p = self.place(p, span);
                put!(o, span=> ::core::mem::take(&mut #p))
            }
            Expr::Fresh { stack: false, .. } => {
                put!(o, Span::call_site()=> ::core::default::Default::default())
            }
            Expr::Fresh { words: true, .. } => {
                put!(o, Span::call_site()=> __rt::Words::new())
            }
            Expr::Fresh { stack: true, .. } => {
                put!(o, Span::call_site()=> __rt::Stack::new())
            }
        }
    }

    pub(crate) fn block(&self, block: &[Stmt]) -> TokenStream {
        let mut out = TokenStream::new();
        self.write_block(block, &mut out);
        out
    }

    fn write_block(&self, block: &[Stmt], o: &mut TokenStream) {
        for stmt in block {
            self.write_stmt(stmt, o);
        }
    }

    /// [`Self::write_block`], written where it is interpolated.
    fn lazy_block<'b>(&'b self, block: &'b [Stmt]) -> impl ToTokens + 'b {
        lazy(move |o| self.write_block(block, o))
    }

    fn write_stmt(&self, stmt: &Stmt, o: &mut TokenStream) {
        let site = Span::call_site();
        self.position.set(self.position.get() + 1);
        match stmt {
            Stmt::Let {
                var,
                ty,
                expr,
                span,
            } => {
                let name = self.name(*var);
                let m = self
                    .mutable
                    .contains(var)
                    .then(|| syn::Ident::new("mut", site));
                let e = self.lazy_value(expr, *span);
                match ty {
                    Some(ty) => put!(o, site=> let #m #name: #ty = #e;),
                    None => put!(o, site=> let #m #name = #e;),
                }
            }
            Stmt::Assign {
                place,
                op,
                expr,
                span,
            } => {
                let span = *span;
                let p = self.place(place, span);
                // `a_bar += c_bar * b^T` accumulates in place (gemm, beta = 1).
                if let (
                    true,
                    AssignOp::Add,
                    Expr::Rule(rule @ ("mul::vjp_a" | "mul::vjp_b"), args),
                ) = (self.prog.matrix, op, expr)
                {
                    let f = if *rule == "mul::vjp_a" {
                        syn::Ident::new("acc_a", span)
                    } else {
                        syn::Ident::new("acc_b", span)
                    };
                    let args = args.iter().map(|a| self.by_ref(a, span));
                    return put!(o, span=> __rt::mul::#f(&mut #p, #(#args),*););
                }
                let scalar_place = match place {
                    Place::Var(v) => self.scalars.contains(v),
                    // An element of a vector, a matrix or an array.
                    Place::Index(..) => true,
                    Place::Field(..) | Place::Member(..) => false,
                };
                if self.prog.matrix
                    && !(scalar_place && self.is_scalar(expr))
                    && !is_literal(expr)
                    && matches!(op, AssignOp::Add | AssignOp::Sub)
                {
                    let e = self.by_ref(expr, span);
                    return match (&self.prog.real, op) {
                        // `t += &t` does not hold for a type parameter `T: Real`.
                        (Some(_), AssignOp::Add) => {
                            put!(o, span=> __rt::generic::add_assign(&mut #p, #e);)
                        }
                        (Some(_), _) => {
                            put!(o, span=> __rt::generic::sub_assign(&mut #p, #e);)
                        }
                        (None, AssignOp::Add) => put!(o, span=> #p += #e;),
                        (None, _) => put!(o, span=> #p -= #e;),
                    };
                }
                let e = self.lazy_value(expr, span);
                if let (Place::Member(..), AssignOp::Set) = (place, op) {
                    // A field's cotangent moved in: nothing for a
                    // configuration field (`ad_runtime::move_into`).
                    return put!(o, span=> __rt::move_into(&mut #p, #e););
                }
                match op {
                    AssignOp::Set => put!(o, span=> #p = #e;),
                    AssignOp::Add => put!(o, span=> #p += #e;),
                    AssignOp::Sub => put!(o, span=> #p -= #e;),
                    AssignOp::Acc => put!(o, span=> __rt::accumulate(&mut #p, #e);),
                }
            }
            Stmt::If { cond, then, els } => {
                let c = self.expr(cond, site);
                let t = self.lazy_block(then);
                let e = self.lazy_block(els);
                if els.is_empty() {
                    put!(o, site=> if #c { #t })
                } else if let [Stmt::If { .. }] = els.as_slice() {
                    // `else if`, not `else { if .. }`.
                    put!(o, site=> if #c { #t } else #e)
                } else {
                    put!(o, site=> if #c { #t } else { #e })
                }
            }
            Stmt::Loop { header, body, .. } => {
                let b = lazy(|o| self.write_loop_body(body, o));
                match header {
                    Header::For { var, iter, .. } => match var {
                        Some(v) => {
                            let v = self.name(*v);
                            put!(o, site=> for #v in #iter { #b })
                        }
                        None => put!(o, site=> for _ in #iter { #b }),
                    },
                    Header::Infinite => put!(o, site=> loop { #b }),
                    Header::Times(n) => {
                        let n = self.expr(n, site);
                        put!(o, site=> for _ in 0..#n { #b })
                    }
                }
            }
            Stmt::Break => put!(o, site=> break;),
            Stmt::Continue => put!(o, site=> continue;),
            Stmt::Push { stack, value } if self.open.borrow().contains(stack) => {
                let w = self.window(*stack);
                let v = self.lazy_value(value, site);
                put!(o, site=> #w.push(#v);)
            }
            Stmt::Push { stack, value } => {
                let s = self.name(*stack);
                let v = self.lazy_value(value, site);
                put!(o, site=> #s.push(#v);)
            }
            Stmt::Opaque(t, _) => t.to_tokens(o),
        }
    }

    /// A loop's body, opening a window on each stream it saves several
    /// values on, or reads several back from, and touches nowhere else.
    fn write_loop_body(&self, body: &[Stmt], o: &mut TokenStream) {
        let opened: Vec<(VarId, windows::Window)> = self
            .streams
            .iter()
            .filter(|(w, _)| !self.open.borrow().contains(w))
            .filter_map(|(w, _)| windows::window(*w, body).map(|k| (*w, k)))
            .collect();
        let site = Span::call_site();
        for (w, kind) in &opened {
            let (s, win) = (self.name(*w), self.window(*w));
            let (open, n) = match *kind {
                windows::Window::Saving(n) => ("saving", n),
                windows::Window::Restoring(n) => ("restoring", n),
            };
            let open = syn::Ident::new(open, site);
            let n = proc_macro2::Literal::usize_unsuffixed(n);
            put!(o, site=> let mut #win = #s.#open(#n););
            self.open.borrow_mut().push(*w);
        }
        self.write_block(body, o);
        if !opened.is_empty() {
            self.open
                .borrow_mut()
                .retain(|w| !opened.iter().any(|(o, _)| o == w));
        }
    }

    /// The name of a stream's window.
    fn window(&self, stream: VarId) -> &syn::Ident {
        match self.streams.iter().find(|(w, _)| *w == stream) {
            Some((_, name)) => name,
            None => unreachable!("a window is opened on a known stream"),
        }
    }

    /// Declares the streams whose loop bodies may open windows.
    pub(crate) fn with_streams(mut self, streams: impl IntoIterator<Item = VarId>) -> Self {
        let mut names = self.prog.names.clone();
        self.streams = streams
            .into_iter()
            .map(|w| {
                let base = format!("{}_window", self.prog.name(w));
                (w, names.fresh(&base, Span::call_site()))
            })
            .collect();
        self
    }

    pub(crate) fn body(&self, body: &Body) -> TokenStream {
        let mut out = self.block(&body.stmts);
        self.position.set(self.position.get() + 1);
        let site = Span::call_site();
        match body.ret.as_slice() {
            [] => {}
            [e] => self.write_value(e, site, &mut out),
            ret => {
                let ret = ret.iter().map(|e| self.lazy_value(e, site));
                put!(&mut out, site=> (#(#ret),*))
            }
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

/// The tokens of a runtime rule's path (`mul::vjp_a`) at `span`, without
/// running a lexer over it.
fn rule_path(path: &str, span: Span) -> impl ToTokens + '_ {
    lazy(move |o| {
        let plain = |s: &str| {
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_digit())
                && s.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        };
        if !path.split("::").all(plain) {
            let tokens: TokenStream = path.parse().unwrap_or_default();
            o.extend(tokens.into_iter().map(|mut tt| {
                tt.set_span(span);
                tt
            }));
            return;
        }
        for (i, segment) in path.split("::").enumerate() {
            if i > 0 {
                put!(o, span=> ::);
            }
            o.extend([proc_macro2::TokenTree::Ident(proc_macro2::Ident::new(
                segment, span,
            ))]);
        }
    })
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
            scalars: HashSet::default(),
            mutable,
            movable: HashSet::default(),
            position: std::cell::Cell::new(0),
            lanes: false,
            streams: Vec::new(),
            open: std::cell::RefCell::new(Vec::new()),
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
        HashSet::default()
    };
    let scalars = if prog.matrix {
        scalars(prog, body)
    } else {
        HashSet::default()
    };
    Emitter {
        prog,
        scalars,
        mutable,
        movable,
        position: std::cell::Cell::new(0),
        lanes: false,
        streams: Vec::new(),
        open: std::cell::RefCell::new(Vec::new()),
    }
    .with_streams(windows::declared_streams(&body.stmts))
    .body(body)
}

/// The name of a second partial the runtime also applies to a tangent
/// (`d2_x` for `ln::d2_x(x)`, see `ir::APPLIED`).
fn applied(e: &Expr) -> Option<String> {
    let Expr::Partial {
        func,
        idx,
        args,
        out,
    } = e
    else {
        return None;
    };
    if idx.len() != 2 || args.is_empty() {
        return None;
    }
    let name = partial_name(func, idx, true, out.is_some());
    APPLIED
        .iter()
        .any(|&(f, d)| f == func.name && d == name)
        .then_some(name)
}
