//! IR -> TokenStream: the emitter of statements and expressions; the
//! facts it needs about a body (`facts.rs`); the generated functions'
//! bodies and signatures (`items.rs`).
//!
//! Runtime rules are reached through the hidden path `::ad::__rt` and spanned
//! at the user expression they come from, so a type error in a rule lands on
//! the user's `x.sin()`, not on the attribute.

use crate::ir::{
    partial_name, walk, AssignOp, BinOp, Body, CallStyle, Expr, Header, Operand, Place, Program,
    Stmt, VarId,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;

mod facts;
mod items;
mod windows;

use facts::{is_scalar, movable, scalars};
pub(crate) use items::wrapper_path;
pub use items::{bodies, generate, Bodies};
pub(crate) use items::{cotangent_type, param};

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
    /// The streams of saved values (of the values, and in `_hvp` of their
    /// tangents) on which loop bodies may open windows, with the name of
    /// their window (see [`windows`]).
    streams: Vec<(VarId, syn::Ident)>,
    /// The streams the body being emitted reaches through their window.
    open: std::cell::RefCell<Vec<VarId>>,
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
                let path = rule_path(op.module, span);
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
                    CallStyle::Rem => {
                        let (a, b) = (self.operand(&args[0], span), self.operand(&args[1], span));
                        quote_spanned!(span=> #a % #b)
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
                // A buffer for an inactive argument's cotangent.
                Some(Expr::Rule("scratch", a)) => {
                    let buf = self.expr(&a[0], span);
                    let x = self.expr(&a[1], span);
                    quote_spanned!(span=> ::ad::__rt::dest(::ad::__rt::scratch(&mut #buf, #x)))
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
            Expr::Rule(crate::ir::LEND, args) => match args.first().and_then(Expr::as_var) {
                Some(w) if self.open.borrow().contains(&w) => {
                    let win = self.window(w);
                    quote_spanned!(span=> &mut #win)
                }
                Some(w) => {
                    let s = self.name(w);
                    quote_spanned!(span=> &mut #s.saving(0))
                }
                None => unreachable!("the stream is lent by name"),
            },
            Expr::Rule(path, args) => {
                let path = rule_path(path, span);
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
            Expr::Pop(s) if self.open.borrow().contains(s) => {
                let w = self.window(*s);
                quote_spanned!(span=> #w.pop())
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
                let b = self.loop_body(body);
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
            Stmt::Push { stack, value } if self.open.borrow().contains(stack) => {
                let w = self.window(*stack);
                let v = self.value(value, Span::call_site());
                quote!(#w.push(#v);)
            }
            Stmt::Push { stack, value } => {
                let s = self.name(*stack);
                let v = self.value(value, Span::call_site());
                quote!(#s.push(#v);)
            }
            Stmt::Opaque(t, _) => t.clone(),
        }
    }

    /// A loop's body, opening a window on each stream it saves several
    /// values on, or reads several back from, and touches nowhere else.
    fn loop_body(&self, body: &[Stmt]) -> TokenStream {
        let opened: Vec<(VarId, windows::Window)> = self
            .streams
            .iter()
            .filter(|(w, _)| !self.open.borrow().contains(w))
            .filter_map(|(w, _)| windows::window(*w, body).map(|k| (*w, k)))
            .collect();
        if opened.is_empty() {
            return self.block(body);
        }
        let mut out = TokenStream::new();
        for (w, kind) in &opened {
            let (s, win) = (self.name(*w), self.window(*w));
            let (open, n) = match *kind {
                windows::Window::Saving(n) => (quote!(saving), n),
                windows::Window::Restoring(n) => (quote!(restoring), n),
            };
            let n = proc_macro2::Literal::usize_unsuffixed(n);
            out.extend(quote!(let mut #win = #s.#open(#n);));
            self.open.borrow_mut().push(*w);
        }
        out.extend(self.block(body));
        self.open
            .borrow_mut()
            .retain(|w| !opened.iter().any(|(o, _)| o == w));
        out
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

/// The tokens of a runtime rule's path (`mul::vjp_a`) at `span`, without
/// running a lexer over it.
fn rule_path(path: &str, span: Span) -> TokenStream {
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    };
    if !path.split("::").all(plain) {
        return respan(path.parse().unwrap_or_default(), span);
    }
    let mut out = TokenStream::new();
    for (i, segment) in path.split("::").enumerate() {
        if i > 0 {
            out.extend([
                proc_macro2::TokenTree::Punct(proc_macro2::Punct::new(
                    ':',
                    proc_macro2::Spacing::Joint,
                )),
                proc_macro2::TokenTree::Punct(proc_macro2::Punct::new(
                    ':',
                    proc_macro2::Spacing::Alone,
                )),
            ]);
        }
        out.extend([proc_macro2::TokenTree::Ident(proc_macro2::Ident::new(
            segment, span,
        ))]);
    }
    respan(out, span)
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
        streams: Vec::new(),
        open: std::cell::RefCell::new(Vec::new()),
    }
    .with_streams(windows::declared_streams(&body.stmts))
    .body(body)
}
