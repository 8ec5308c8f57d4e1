//! Desugaring, a stage on the syn body before lowering: iterator chains and
//! `for` loops over active containers (`iter.rs`), and local closures
//! (`closures.rs`), become the index loops and straight-line code that
//! lowering already differentiates:
//!
//! ```text
//! let s = x.iter().map(|v| v * v).sum::<f64>();
//! // becomes
//! let mut s: f64 = 0.0;
//! for __ad_i1 in 0..x.len() { let __ad_m2 = x[__ad_i1] * x[__ad_i1]; s += __ad_m2; }
//! ```
//!
//! so a chain's derivative costs what the index loop's does, by
//! construction. The user's tokens keep their spans, and generated ones take
//! the span of the method they stand for, so errors point at the user's
//! code. Chains that read no active value (by a conservative, name-based
//! taint of the body) stay as written: lowering keeps them verbatim.
//!
//! `std::mem::swap`, `replace` and `take` of whole locals become the
//! assignments they stand for (`mem.rs`); `v.sort_by(cmp)` of an active
//! array, a sorted permutation of its indices and the gather (`sort.rs`).
//!
//! Before them, an early exit out of a value (`let y = if c { a } else {
//! return b; };`) becomes the statement form it stands for (`exits.rs`).
//!
//! A chain inside an expression is computed by statements placed before
//! the statement it is in (only where the expression is evaluated
//! unconditionally: not in a `while` condition, nor on the right of `&&`).

use crate::error::Errors;
use crate::fx::{HashMap, HashSet};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

mod chosen;
mod closures;
mod consume;
pub(crate) mod exits;
mod fields;
mod hygiene;
mod items;
mod iter;
mod iter_more;
mod literals;
mod mem;
pub(crate) mod nalgebra;
mod ref_payloads;
mod refs;
mod sort;
mod subst;
mod taint;
mod tuple_locals;
mod views;

/// The function with its body desugared, and the hidden item that checks
/// the bare names taken for `std::mem`'s functions (`mem.rs`).
pub fn desugar(model: &Model, errors: &mut Errors) -> (syn::ItemFn, TokenStream) {
    let mut item = model.item.clone();
    let params: HashMap<String, syn::Type> = model
        .params
        .iter()
        .map(|p| (p.ident.unraw().to_string(), p.ty.clone()))
        .collect();
    let (indexable, ref_locals) = refs::indexable_locals(&model.item.block, &params);
    let mut d = Desugar {
        tainted: taint::taint(model),
        next: 0,
        errors: Vec::new(),
        params,
        reals: &model.reals,
        indexable,
        ref_locals,
        closures: Vec::new(),
        shadowed: Vec::new(),
        ret: model.ret.clone(),
        mem_names: mem::MemNames::of(&model.item.block),
        mem_checks: Vec::new(),
    };
    let structs = model
        .params
        .iter()
        .filter(|p| p.structure && !p.mutable)
        .filter(|p| !matches!(&p.ty, syn::Type::Reference(r) if r.mutability.is_some()))
        .map(|p| p.ident.unraw().to_string())
        .collect();
    fields::substitute(&mut item.block, &structs);
    tuple_locals::split(&mut item.block);
    ref_payloads::deref(&mut item.block, &d.params, d.reals, &d.tainted);
    d.chosen_slices(&mut item.block);
    exits::Exits.visit_block_mut(&mut item.block);
    let stmts = std::mem::take(&mut item.block.stmts);
    let mut stmts = d.block(stmts, true);
    for s in &mut stmts {
        subst::Cleanup.visit_stmt_mut(s);
        subst::Ungroup.visit_stmt_mut(s);
    }
    item.block.stmts = stmts;
    for e in d.errors {
        errors.push(e);
    }
    let check = mem::check_item(&item.sig.ident, &d.mem_checks);
    (item, check)
}

pub(crate) struct Desugar<'m> {
    tainted: HashSet<String>,
    next: usize,
    errors: Vec<syn::Error>,
    /// The parameters' types (for the type of a sum's zero).
    params: HashMap<String, syn::Type>,
    reals: &'m HashSet<String>,
    /// The locals known to be arrays or `Vec`s (see `refs.rs`).
    indexable: HashSet<String>,
    /// Those of them that are references (`let d: &[f64] = data;`).
    ref_locals: HashSet<String>,
    /// Local closures in scope, by scope.
    closures: Vec<HashMap<String, closures::Local>>,
    /// Parameters' names bound again by a `let`, by scope: locals there,
    /// of the local's type, not the parameter's.
    shadowed: Vec<HashSet<String>>,
    ret: syn::Type,
    mem_names: mem::MemNames,
    /// The bare names taken for `std::mem`'s functions, to be checked.
    mem_checks: Vec<(mem::Mem, syn::Ident)>,
}

impl Desugar<'_> {
    fn fresh(&mut self, what: &str, span: Span) -> syn::Ident {
        self.next += 1;
        syn::Ident::new(&format!("__ad_{what}{}", self.next), span)
    }

    fn error(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }

    fn mentions_tainted(&self, e: &impl ToTokens) -> bool {
        fn walk(t: TokenStream, names: &HashSet<String>) -> bool {
            t.into_iter().any(|tt| match tt {
                proc_macro2::TokenTree::Ident(i) => names.contains(&i.unraw().to_string()),
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), names),
                _ => false,
            })
        }
        walk(e.to_token_stream(), &self.tainted)
    }

    /// The zero (or, with `one`, the one) of a sum's type: the type given
    /// (`sum::<T>()`, `let s: T = ..`), else the element type of the
    /// parameter the chain reads: `0.0`, `0` for an integer type,
    /// `T::zero()` for a generic `T`.
    fn unit(&self, ty: Option<&syn::Type>, root: Option<&str>, one: bool, span: Span) -> syn::Expr {
        let elem = ty.cloned().or_else(|| {
            let t = self.params.get(root?)?;
            element_type(t)
        });
        // Else, in a function generic over one float type whose parameters
        // name no `f32`/`f64`: that type (`0.0` is no `T`).
        let elem = elem.or_else(|| match self.reals.iter().collect::<Vec<_>>()[..] {
            [t] if !self
                .params
                .values()
                .any(|p| mentions_name(p, "f32") || mentions_name(p, "f64")) =>
            {
                let t = syn::Ident::new(t, span);
                Some(syn::parse_quote!(#t))
            }
            _ => None,
        });
        let integer = elem.as_ref().is_some_and(|t| {
            INTEGERS
                .iter()
                .any(|i| matches!(t, syn::Type::Path(p) if p.path.is_ident(i)))
        });
        if integer {
            return if one {
                syn::parse_quote_spanned!(span=> 1)
            } else {
                syn::parse_quote_spanned!(span=> 0)
            };
        }
        let generic = elem.as_ref().and_then(|t| match t {
            syn::Type::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .filter(|i| self.reals.contains(&i.to_string()))
                .cloned(),
            _ => None,
        });
        match (generic, one) {
            (Some(t), false) => {
                syn::parse_quote_spanned!(span=> <#t as __rt::num_traits::Zero>::zero())
            }
            (Some(t), true) => {
                syn::parse_quote_spanned!(span=> <#t as __rt::num_traits::One>::one())
            }
            (None, false) => syn::parse_quote_spanned!(span=> 0.0),
            (None, true) => syn::parse_quote_spanned!(span=> 1.0),
        }
    }

    // ----- the walk over statements ------------------------------------------

    /// A block's statements, desugared. `top`: the function's own block
    /// (its tail is the result, of the declared type).
    fn block(&mut self, stmts: Vec<syn::Stmt>, top: bool) -> Vec<syn::Stmt> {
        let hint = top.then(|| self.ret.clone());
        let stmts = self.prepared(stmts);
        self.scoped(stmts, hint)
    }

    /// A block's statements with its sub-slices as views of their parents
    /// (`views.rs`): what [`Self::scoped`] takes.
    fn prepared(&mut self, stmts: Vec<syn::Stmt>) -> Vec<syn::Stmt> {
        // `let (a, b) = x.split_at(m);`: the two sub-slices, views of `x`.
        let stmts = stmts
            .into_iter()
            .flat_map(|s| split_at_halves(&s).unwrap_or_else(|| vec![s]))
            .collect();
        self.views(stmts)
    }

    /// Prepared statements desugared in a scope of their own (closures
    /// they define end with it); `hint`: the type of the last one's value.
    fn scoped(&mut self, stmts: Vec<syn::Stmt>, hint: Option<syn::Type>) -> Vec<syn::Stmt> {
        self.closures.push(HashMap::default());
        self.shadowed.push(HashSet::default());
        let mut out = Vec::new();
        let n = stmts.len();
        for k in 0..n {
            let stmt = &stmts[k];
            if self.define_closure(stmt, &stmts[k + 1..]) {
                continue;
            }
            let mut pre = Vec::new();
            let hint = if k + 1 == n { hint.clone() } else { None };
            let new = self.stmt(stmt.clone(), &mut pre, hint);
            out.extend(pre);
            out.extend(new);
            self.note_bindings(stmt);
        }
        self.closures.pop();
        self.shadowed.pop();
        out
    }

    /// One statement: the statements computing its chains, then itself.
    fn stmt(
        &mut self,
        stmt: syn::Stmt,
        pre: &mut Vec<syn::Stmt>,
        hint: Option<syn::Type>,
    ) -> Vec<syn::Stmt> {
        // `std::mem::swap(&mut u, &mut v);`: the assignments it stands for;
        // `v.sort_by(cmp);` of an active array: a permutation (`sort.rs`).
        if let Some(stmts) = self.mem_stmt(&stmt).or_else(|| self.sort_stmt(&stmt)) {
            let mut out = Vec::new();
            for s in stmts {
                let mut pre = Vec::new();
                let new = self.stmt(s, &mut pre, None);
                out.extend(pre);
                out.extend(new);
            }
            return out;
        }
        match stmt {
            syn::Stmt::Local(mut l) => {
                if let Some(init) = &mut l.init {
                    let ty = match &l.pat {
                        syn::Pat::Type(t) => Some((*t.ty).clone()),
                        _ => None,
                    };
                    // `let s = x.iter().sum();`: the loop sums into `s`.
                    if let Some(name) = simple_binding(&l.pat) {
                        if init.diverge.is_none() && !mentions_name(&init.expr, &name.to_string()) {
                            if let Some(stmts) =
                                self.chain_into(&init.expr, &name, ty.as_ref(), pre)
                            {
                                return stmts;
                            }
                        }
                    }
                    // `let (s, q) = x.iter().fold(..);`: lowering binds a
                    // tuple pattern to a tuple expression of the members.
                    if let (Some(n), None) = (tuple_arity(&l.pat), &init.diverge) {
                        if let Some(acc) = self.chain(&init.expr, pre, ty.as_ref()) {
                            *init.expr = match acc {
                                syn::Expr::Path(_) => {
                                    let fields = (0..n).map(syn::Index::from);
                                    syn::parse_quote!((#(#acc.#fields),*))
                                }
                                acc => acc,
                            };
                            return vec![syn::Stmt::Local(l)];
                        }
                    }
                    // `let w = if let Some(w) = weights { w[i] } else { 1.0 };`
                    // on an inactive parameter: the `match` it means (whose
                    // arms bind parts of the parameter, see `lower_match`).
                    if self.if_let_on_inactive_params(&init.expr) {
                        *init.expr = if_lets_as_matches(&init.expr);
                    }
                    self.expr(&mut init.expr, pre, true, ty.as_ref());
                    if let Some((_, e)) = &mut init.diverge {
                        self.expr(e, pre, false, None);
                    }
                }
                vec![syn::Stmt::Local(l)]
            }
            syn::Stmt::Expr(e, semi) => {
                if let syn::Expr::ForLoop(f) = &e {
                    if let Some(stmts) = self.for_loop(f) {
                        return stmts;
                    }
                }
                let mut e = e;
                let hint = if semi.is_none() { hint } else { None };
                self.expr(&mut e, pre, true, hint.as_ref());
                // `x.iter().for_each(..);`: the loop is all there is.
                if matches!(&e, syn::Expr::Tuple(t) if t.elems.is_empty()) && semi.is_some() {
                    return Vec::new();
                }
                vec![syn::Stmt::Expr(e, semi)]
            }
            syn::Stmt::Macro(mut m) => {
                self.macro_args(&mut m.mac, pre, false);
                vec![syn::Stmt::Macro(m)]
            }
            s => vec![s],
        }
    }

    /// The arguments of `println!`, `assert!`: closures called in them are
    /// inlined (they are kept verbatim otherwise).
    fn macro_args(&mut self, mac: &mut syn::Macro, pre: &mut Vec<syn::Stmt>, eager: bool) {
        // The elements of `vec![a, b]` are evaluated with it: their chains
        // are computed before the statement, as a call's arguments are.
        let elements = eager && mac.path.is_ident("vec");
        if !elements && !self.closures.iter().any(|s| !s.is_empty()) {
            return;
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(mut args) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            for a in args.iter_mut() {
                self.expr(a, pre, elements, None);
            }
            mac.tokens = args.to_token_stream();
        }
    }

    /// Whether `e` is an `if let` (or an `if` with an `else if let`) whose
    /// every `let` matches an inactive parameter by its name (`if let
    /// Some(w) = weights`).
    fn if_let_on_inactive_params(&self, e: &syn::Expr) -> bool {
        let mut lets = 0;
        let mut e = e;
        while let syn::Expr::If(i) = e {
            if let syn::Expr::Let(l) = &*i.cond {
                let param = match &*l.expr {
                    syn::Expr::Path(p) if p.qself.is_none() => {
                        p.path.get_ident().is_some_and(|n| {
                            let n = n.unraw().to_string();
                            self.params.contains_key(&n)
                                && !self.tainted.contains(&n)
                                && !self.shadowed.iter().any(|s| s.contains(&n))
                        })
                    }
                    _ => false,
                };
                if !param {
                    return false;
                }
                lets += 1;
            }
            match &i.else_branch {
                Some((_, els)) => e = els,
                None => break,
            }
        }
        lets > 0
    }

    /// Desugars the chains and inlines the closures of an expression.
    /// `eager`: the expression is evaluated whenever its statement is, so
    /// statements computing its chains can go before the statement.
    fn expr(
        &mut self,
        e: &mut syn::Expr,
        pre: &mut Vec<syn::Stmt>,
        eager: bool,
        hint: Option<&syn::Type>,
    ) {
        // A call of a local closure.
        // (Its body comes back desugared.)
        if let Some(new) = self.inline_call(e, pre, eager, hint) {
            *e = new;
            return;
        }
        if eager {
            if let Some(value) = self.nalgebra_value(e, pre) {
                *e = value;
                return;
            }
            if let Some(value) = self.chain(e, pre, hint) {
                *e = value;
                return;
            }
        }
        if self.option_of_chain(e) {
            return;
        }
        match e {
            // `if let Loss::Huber(d) = kind { a } else { b }`: the `match`
            // it means (`control.rs` lowers that).
            syn::Expr::If(i) if if_let_match(i).is_some() => {
                *e = if_let_match(i).unwrap_or_else(|| syn::parse_quote!(()));
                self.expr(e, pre, eager, hint);
            }
            syn::Expr::If(i) => {
                self.if_let(i, pre, eager);
                self.expr(&mut i.cond, pre, eager, None);
                let then = std::mem::take(&mut i.then_branch.stmts);
                i.then_branch.stmts = self.block(then, false);
                if let Some((_, els)) = &mut i.else_branch {
                    // `else if c { .. }` -> `else { if c { .. } }`: its
                    // condition's chains go in that block.
                    let stmts = match &**els {
                        syn::Expr::Block(b) if b.label.is_none() => b.block.stmts.clone(),
                        other => vec![syn::Stmt::Expr(other.clone(), None)],
                    };
                    let stmts = self.block(stmts, false);
                    **els = syn::parse_quote!({ #(#stmts)* });
                }
            }
            syn::Expr::Block(b) => {
                let stmts = std::mem::take(&mut b.block.stmts);
                b.block.stmts = self.block(stmts, false);
            }
            syn::Expr::Unsafe(b) => {
                let stmts = std::mem::take(&mut b.block.stmts);
                b.block.stmts = self.block(stmts, false);
            }
            syn::Expr::ForLoop(f) => {
                self.expr(&mut f.expr, pre, eager, None);
                let stmts = std::mem::take(&mut f.body.stmts);
                let names = subst::pat_names(&f.pat);
                f.body.stmts = self.binding(&names, "the `for` loop around the call", |d| {
                    d.block(stmts, false)
                });
            }
            // `while let Some(a) = w.first()`, `match w.first() { .. }`:
            // an `if let` of an element (`views.rs`).
            syn::Expr::While(w) if self.while_element(w).is_some() => {
                *e = self
                    .while_element(w)
                    .unwrap_or_else(|| syn::parse_quote!(()));
                self.expr(e, pre, eager, hint);
            }
            syn::Expr::Match(m) if self.match_element(m).is_some() => {
                *e = self
                    .match_element(m)
                    .unwrap_or_else(|| syn::parse_quote!(()));
                self.expr(e, pre, eager, hint);
            }
            syn::Expr::While(w) if while_some(w).is_some() => {
                *e = self.while_let(w).unwrap_or_else(|| syn::parse_quote!(()));
                self.expr(e, pre, eager, hint);
            }
            syn::Expr::While(w) => {
                self.expr(&mut w.cond, pre, false, None);
                let stmts = std::mem::take(&mut w.body.stmts);
                w.body.stmts = self.block(stmts, false);
            }
            syn::Expr::Loop(l) => {
                let stmts = std::mem::take(&mut l.body.stmts);
                l.body.stmts = self.block(stmts, false);
            }
            syn::Expr::Match(m) => {
                self.expr(&mut m.expr, pre, eager, None);
                for arm in &mut m.arms {
                    let names = subst::pat_names(&arm.pat);
                    let by = "the `match` arm around the call";
                    if let Some((_, g)) = &mut arm.guard {
                        self.binding(&names, by, |d| d.expr(g, pre, false, None));
                    }
                    let stmts = match &*arm.body {
                        syn::Expr::Block(b) if b.label.is_none() => b.block.stmts.clone(),
                        other => vec![syn::Stmt::Expr(other.clone(), None)],
                    };
                    let stmts = self.binding(&names, by, |d| d.block(stmts, false));
                    *arm.body = if stmts.len() == 1 {
                        match &stmts[0] {
                            syn::Stmt::Expr(e, None) => e.clone(),
                            s => syn::parse_quote!({ #s }),
                        }
                    } else {
                        syn::parse_quote!({ #(#stmts)* })
                    };
                }
            }
            syn::Expr::Binary(b) => {
                let lazy = matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_));
                self.expr(&mut b.left, pre, eager, None);
                self.expr(&mut b.right, pre, eager && !lazy, None);
            }
            syn::Expr::Closure(c) => self.expr(&mut c.body, pre, false, None),
            syn::Expr::Macro(m) => self.macro_args(&mut m.mac, pre, eager),
            syn::Expr::Paren(p) => self.expr(&mut p.expr, pre, eager, hint),
            syn::Expr::Group(g) => self.expr(&mut g.expr, pre, eager, hint),
            syn::Expr::MethodCall(m) => {
                self.expr(&mut m.receiver, pre, eager, None);
                for a in &mut m.args {
                    // `.map(g)` of a local closure `g` kept as written
                    // (on inactive values): the closure itself.
                    if let Some(c) = self.closure_expr(a) {
                        *a = syn::Expr::Closure(c);
                    }
                    self.expr(a, pre, eager, None);
                }
                if m.method == "sin_cos" && m.args.is_empty() && m.turbofish.is_none() {
                    let span = m.method.span();
                    if let Some(pair) = self.sin_cos(&m.receiver, None, span, pre, eager) {
                        *e = pair;
                    }
                }
            }
            syn::Expr::Call(c) => {
                self.expr(&mut c.func, pre, eager, None);
                for a in &mut c.args {
                    self.expr(a, pre, eager, None);
                }
                // `f64::sin_cos(x)`, `T::sin_cos(x)`
                if let (syn::Expr::Path(p), 1) = (&*c.func, c.args.len()) {
                    let segs = &p.path.segments;
                    if p.qself.is_none()
                        && segs.len() >= 2
                        && segs[segs.len() - 1].ident == "sin_cos"
                    {
                        let owners = segs.iter().take(segs.len() - 1).map(|s| &s.ident);
                        let colon = &p.path.leading_colon;
                        let owner: syn::Type = syn::parse_quote!(#colon #(#owners)::*);
                        let span = segs[segs.len() - 1].ident.span();
                        if let Some(pair) = self.sin_cos(&c.args[0], Some(owner), span, pre, eager)
                        {
                            *e = pair;
                        }
                    }
                }
            }
            syn::Expr::Unary(u) => self.expr(&mut u.expr, pre, eager, None),
            syn::Expr::Reference(r) => self.expr(&mut r.expr, pre, eager, None),
            syn::Expr::Field(f) => self.expr(&mut f.base, pre, eager, None),
            syn::Expr::Index(i) => {
                self.expr(&mut i.expr, pre, eager, None);
                self.expr(&mut i.index, pre, eager, None);
            }
            syn::Expr::Cast(c) => self.expr(&mut c.expr, pre, eager, None),
            syn::Expr::Tuple(t) => t
                .elems
                .iter_mut()
                .for_each(|e| self.expr(e, pre, eager, None)),
            syn::Expr::Array(a) => a
                .elems
                .iter_mut()
                .for_each(|e| self.expr(e, pre, eager, None)),
            syn::Expr::Repeat(r) => self.expr(&mut r.expr, pre, eager, None),
            syn::Expr::Assign(a) => {
                self.expr(&mut a.left, pre, eager, None);
                self.expr(&mut a.right, pre, eager, None);
            }
            syn::Expr::Return(r) => {
                if let Some(e) = &mut r.expr {
                    let ret = self.ret.clone();
                    self.expr(e, pre, eager, Some(&ret));
                }
            }
            syn::Expr::Break(b) => {
                if let Some(e) = &mut b.expr {
                    self.expr(e, pre, eager, None);
                }
            }
            syn::Expr::Struct(s) => {
                for f in &mut s.fields {
                    self.expr(&mut f.expr, pre, eager, None);
                }
            }
            syn::Expr::Let(l) => self.expr(&mut l.expr, pre, eager, None),
            _ => {}
        }
    }
}

impl Desugar<'_> {
    /// `x.sin_cos()` (or `f64::sin_cos(x)`, the type given) on an active
    /// value: `(x.sin(), x.cos())`, which is how std computes it, with `x`
    /// bound first unless it is a name or an element. `None` (and an error)
    /// where `x` cannot be bound first (a `while` condition).
    fn sin_cos(
        &mut self,
        x: &syn::Expr,
        ty: Option<syn::Type>,
        span: Span,
        pre: &mut Vec<syn::Stmt>,
        eager: bool,
    ) -> Option<syn::Expr> {
        if !self.mentions_tainted(x) {
            return None;
        }
        fn plain(e: &syn::Expr) -> bool {
            match e {
                syn::Expr::Path(p) => p.path.get_ident().is_some(),
                syn::Expr::Paren(p) => plain(&p.expr),
                syn::Expr::Field(f) => plain(&f.base),
                syn::Expr::Index(i) => {
                    plain(&i.expr) && matches!(&*i.index, syn::Expr::Path(_) | syn::Expr::Lit(_))
                }
                _ => false,
            }
        }
        if let (true, Some(t)) = (plain(x), &ty) {
            return Some(syn::parse_quote_spanned!(span=> (#t::sin(#x), #t::cos(#x))));
        }
        let x: syn::Expr = if plain(x) {
            x.clone()
        } else if eager {
            let v = self.fresh("sc", span);
            let ty = ty.map(|t| quote!(: #t));
            pre.push(syn::parse_quote_spanned!(span=> let #v #ty = #x;));
            syn::parse_quote!(#v)
        } else {
            self.error(
                x,
                "bind the argument of `sin_cos` to a name first (`let a = ..;` before the loop, then `a.sin_cos()`)",
            );
            return None;
        };
        Some(syn::parse_quote_spanned!(span=> (#x.sin(), #x.cos())))
    }

    /// `if let Some(p) = e { a } else { b }` ->
    /// `if e.is_some() { let p = e.unwrap(); a } else { b }` (`e` bound
    /// first when it is not a name).
    fn if_let(&mut self, i: &mut syn::ExprIf, pre: &mut Vec<syn::Stmt>, eager: bool) {
        if self.if_let_element(i, pre, eager) {
            return;
        }
        let syn::Expr::Let(l) = &*i.cond else {
            return;
        };
        let syn::Pat::TupleStruct(ts) = &*l.pat else {
            return;
        };
        if !ts.path.is_ident("Some") || ts.elems.len() != 1 || ts.qself.is_some() {
            return;
        }
        let inner = ts.elems[0].clone();
        let mut scrutinee = (*l.expr).clone();
        let simple = matches!(&scrutinee, syn::Expr::Path(p) if p.path.get_ident().is_some());
        if !simple {
            if !eager {
                return;
            }
            let o = self.fresh("o", span_of(&scrutinee));
            self.expr(&mut scrutinee, pre, true, None);
            pre.push(syn::parse_quote!(let #o = #scrutinee;));
            scrutinee = syn::parse_quote!(#o);
        }
        let span = span_of(&l.let_token);
        *i.cond = syn::parse_quote_spanned!(span=> #scrutinee.is_some());
        i.then_branch.stmts.insert(
            0,
            syn::parse_quote_spanned!(span=> let #inner = #scrutinee.unwrap();),
        );
    }
}

impl Desugar<'_> {
    /// `'l: while let Some(p) = e { body }` as
    /// `'l: loop { let o = e; if o.is_none() { break; } let p = o.unwrap(); body }`
    /// (`e` is evaluated at the top of every round, as `while let` does).
    fn while_let(&mut self, w: &syn::ExprWhile) -> Option<syn::Expr> {
        let (inner, scrutinee) = while_some(w)?;
        let span = span_of(&w.while_token);
        let o = self.fresh("w", span);
        let (label, body) = (&w.label, &w.body.stmts);
        let lbl = label.as_ref().map(|l| &l.name);
        Some(syn::parse_quote_spanned!(span=> #label loop {
            let #o = #scrutinee;
            if #o.is_none() { break #lbl; }
            let #inner = #o.unwrap();
            #(#body)*
        }))
    }
}

/// `if let P = e { a } else { b }` with `P` other than `Some(..)` (which
/// `Desugar::if_let` reads as `is_some` and `unwrap`): `match e { P => { a }
/// _ => { b } }` (`_ => {}` without `else`; `else if ..` goes in the `_` arm).
fn if_let_match(i: &syn::ExprIf) -> Option<syn::Expr> {
    let syn::Expr::Let(l) = &*i.cond else {
        return None;
    };
    // (Any `Some(..)`: `match w.first() { Some(..) => .. }` is itself
    // read as an `if let`, see `match_element`.)
    if matches!(&*l.pat, syn::Pat::TupleStruct(ts) if ts.path.is_ident("Some")) {
        return None;
    }
    let span = span_of(&i.if_token);
    let (pat, scrutinee, then) = (&l.pat, &l.expr, &i.then_branch);
    let els: syn::Expr = match &i.else_branch {
        Some((_, e)) => (**e).clone(),
        None => syn::parse_quote_spanned!(span=> {}),
    };
    Some(syn::parse_quote_spanned!(span=> match #scrutinee {
        #pat => #then,
        _ => #els,
    }))
}

/// `if let P = e { a } else { b }` (and each `else if let`) as `match e {
/// P => { a } _ => { b } }`, whatever `P` is.
fn if_lets_as_matches(e: &syn::Expr) -> syn::Expr {
    let syn::Expr::If(i) = e else {
        return e.clone();
    };
    let mut i = i.clone();
    if let Some((_, els)) = &mut i.else_branch {
        **els = if_lets_as_matches(els);
    }
    let syn::Expr::Let(l) = &*i.cond else {
        return syn::Expr::If(i);
    };
    let span = span_of(&i.if_token);
    let (pat, scrutinee, then) = (&l.pat, &l.expr, &i.then_branch);
    let els: syn::Expr = match &i.else_branch {
        Some((_, e)) => (**e).clone(),
        None => syn::parse_quote_spanned!(span=> {}),
    };
    syn::parse_quote_spanned!(span=> match #scrutinee {
        #pat => #then,
        _ => #els,
    })
}

/// The pattern in `Some(..)` and the scrutinee of `while let Some(p) = e`.
fn while_some(w: &syn::ExprWhile) -> Option<(&syn::Pat, &syn::Expr)> {
    let syn::Expr::Let(l) = &*w.cond else {
        return None;
    };
    let syn::Pat::TupleStruct(ts) = &*l.pat else {
        return None;
    };
    if !ts.path.is_ident("Some") || ts.elems.len() != 1 || ts.qself.is_some() {
        return None;
    }
    Some((&ts.elems[0], &l.expr))
}

/// `name` or `name: T` in a `let`.
fn simple_binding(p: &syn::Pat) -> Option<syn::Ident> {
    match p {
        syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(i.ident.clone()),
        syn::Pat::Type(t) => simple_binding(&t.pat),
        _ => None,
    }
}

/// The number of members of a tuple pattern without `..`.
fn tuple_arity(p: &syn::Pat) -> Option<usize> {
    match p {
        syn::Pat::Tuple(t) if !t.elems.iter().any(|p| matches!(p, syn::Pat::Rest(_))) => {
            Some(t.elems.len())
        }
        syn::Pat::Type(t) => tuple_arity(&t.pat),
        _ => None,
    }
}

fn mentions_name(e: &impl ToTokens, name: &str) -> bool {
    fn walk(t: TokenStream, name: &str) -> bool {
        t.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i.unraw() == name,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), name),
            _ => false,
        })
    }
    walk(e.to_token_stream(), name)
}

/// The element type of `&[T]`, `[T; N]`, `Vec<T>`, `DVector<T>`, ...
fn element_type(t: &syn::Type) -> Option<syn::Type> {
    match t {
        syn::Type::Reference(r) => element_type(&r.elem),
        syn::Type::Slice(s) => Some((*s.elem).clone()),
        syn::Type::Array(a) => Some((*a.elem).clone()),
        syn::Type::Paren(p) => element_type(&p.elem),
        syn::Type::Path(p) => {
            let last = p.path.segments.last()?;
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                    syn::GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                }),
                _ => Some(t.clone()),
            }
        }
        _ => None,
    }
}

fn span_of(t: &impl ToTokens) -> Span {
    t.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// The integer types (whose sums start from `0`).
pub(crate) const INTEGERS: [&str; 12] = [
    "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
];

/// `let (a, b) = x.split_at(m);` as `let a = &x[..m]; let b = &x[m..];`
/// (views of `x`, `views.rs`), `m` computed first unless it is a name or a
/// literal; `x` a name.
fn split_at_halves(stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let syn::Expr::MethodCall(mc) = views::strip(&init.expr) else {
        return None;
    };
    // (A named slice only: `g(x).split_at(m)` would call `g` twice.)
    if mc.method != "split_at"
        || mc.args.len() != 1
        || mc.turbofish.is_some()
        || !matches!(views::strip(&mc.receiver), syn::Expr::Path(_))
    {
        return None;
    }
    let syn::Pat::Tuple(t) = &l.pat else {
        return None;
    };
    let names: Vec<&syn::Pat> = t.elems.iter().collect();
    let [a, b] = names.as_slice() else {
        return None;
    };
    let simple = |p: &syn::Pat| match p {
        syn::Pat::Ident(i) => i.by_ref.is_none() && i.mutability.is_none() && i.subpat.is_none(),
        syn::Pat::Wild(_) => true,
        _ => false,
    };
    if !simple(a) || !simple(b) {
        return None;
    }
    let x = &mc.receiver;
    let m = &mc.args[0];
    let mut out: Vec<syn::Stmt> = Vec::new();
    let m: syn::Expr = match views::strip(m) {
        syn::Expr::Lit(_) | syn::Expr::Path(_) => m.clone(),
        _ => {
            let span = syn::spanned::Spanned::span(m);
            let mid = quote::format_ident!("__ad_mid", span = span);
            out.push(syn::parse_quote_spanned!(span=> let #mid = #m;));
            syn::parse_quote!(#mid)
        }
    };
    for (p, half) in [
        (a, syn::parse_quote_spanned!(mc.method.span()=> &#x[..#m])),
        (b, syn::parse_quote_spanned!(mc.method.span()=> &#x[#m..])),
    ] {
        let half: syn::Expr = half;
        if !matches!(p, syn::Pat::Wild(_)) {
            out.push(syn::parse_quote!(let #p = #half;));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
