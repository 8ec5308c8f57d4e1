//! Early exits out of an `if`, `match` or block whose value is bound,
//! assigned or returned: `let y = if c { a } else { return b; };`,
//! `let w = match k { 0 => x, _ => return 0.0 };`, `y = if c { a } else {
//! break };`, and a function's tail `if c { return a; } else { b }`; and
//! tuples bound from an `if`, `match` or block, early exit or not: `let (a,
//! b) = if c { (x, y) } else { (y, x) };`.
//!
//! Such a statement is rewritten as the statement form it stands for: the
//! names are declared without a value (`let y;`), and each branch that
//! falls through assigns its value instead (`y = a;`), while the branches
//! that leave stay as they are. The rewritten `if` or `match` is then an
//! ordinary statement that may exit, which lowering splits the block at
//! (`lower/stmt.rs`), and `y` a name assigned in branches, which it keeps
//! in a slot. A function's tail with an early exit in it is lowered as one
//! more `return` (`lower_fn_block`), so `return if c { .. } else { .. }` is
//! rewritten as well. Closures' bodies are left alone.

use crate::lower::may_exit;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;

/// The pass over a function's body.
pub(super) struct Exits;

impl VisitMut for Exits {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        let mut out = Vec::with_capacity(b.stmts.len());
        for stmt in std::mem::take(&mut b.stmts) {
            match exits_as_statements(&stmt) {
                Some(stmts) => out.extend(stmts),
                None => out.push(stmt),
            }
        }
        for s in &mut out {
            self.visit_stmt_mut(s);
        }
        b.stmts = out;
    }

    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `return v;` where `v` is an `if`, `match` or block that may leave
/// early: the statement form, each branch returning its value (lowering
/// asks, since it also writes a function's tail as one more `return`).
pub(crate) fn returned_as_statement(value: &syn::Expr) -> Option<syn::Stmt> {
    let exits = may_exit(&syn::Stmt::Expr(value.clone(), None));
    (is_branching(value) && exits).then(|| statement(value, &Target::Return))
}

/// What a branch that falls through does with its value.
enum Target {
    /// `place = value;` (the names of a `let`, or an assignment's place).
    Assign(Box<syn::Expr>),
    /// `return value;`
    Return,
}

/// The statements `stmt` stands for when it binds or assigns the value of
/// an `if`, `match` or block that may leave early, or binds a tuple pattern
/// from one (`let a; let b; if c { (a, b) = (x, y); } else { .. }`); `None`
/// for any other statement (and for patterns other than names and tuples
/// of names, left to lowering's error).
fn exits_as_statements(stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
    match stmt {
        syn::Stmt::Local(local) => {
            let init = local.init.as_ref()?;
            // (Lowering binds a tuple pattern only from a tuple or a call:
            // one bound from a branching value takes the statement form
            // too, exit or not.)
            let tuple = match &local.pat {
                syn::Pat::Type(pt) => matches!(&*pt.pat, syn::Pat::Tuple(_)),
                p => matches!(p, syn::Pat::Tuple(_)),
            };
            if init.diverge.is_some() || !is_branching(&init.expr) || !(tuple || may_exit(stmt)) {
                return None;
            }
            let (mut out, place) = declared(&local.pat)?;
            out.push(statement(&init.expr, &Target::Assign(Box::new(place))));
            Some(out)
        }
        syn::Stmt::Expr(syn::Expr::Assign(a), _) if is_branching(&a.right) && may_exit(stmt) => {
            Some(vec![statement(&a.right, &Target::Assign(a.left.clone()))])
        }
        _ => None,
    }
}

/// An `if`, `match` or plain block.
fn is_branching(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::If(_) | syn::Expr::Match(_) => true,
        syn::Expr::Block(b) => b.label.is_none(),
        _ => false,
    }
}

/// `let y;` for each name of the pattern, and the place the value is
/// assigned to (`y`, `(a, b)`).
fn declared(pat: &syn::Pat) -> Option<(Vec<syn::Stmt>, syn::Expr)> {
    let (pat, ty) = match pat {
        syn::Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
        p => (p, None),
    };
    let name = |p: &syn::Pat| match p {
        syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => Some(pi.clone()),
        _ => None,
    };
    let local = |pi: syn::PatIdent, ty: Option<&syn::Type>| -> syn::Stmt {
        match ty {
            Some(ty) => syn::parse_quote_spanned!(pi.ident.span()=> let #pi: #ty;),
            None => syn::parse_quote_spanned!(pi.ident.span()=> let #pi;),
        }
    };
    match pat {
        syn::Pat::Tuple(tp) => {
            let names: Vec<syn::PatIdent> = tp.elems.iter().map(name).collect::<Option<_>>()?;
            // `let (a, b): (f64, f64) = ..`: each name gets its type.
            let types: Vec<Option<&syn::Type>> = match ty {
                None => vec![None; names.len()],
                Some(syn::Type::Tuple(tt)) if tt.elems.len() == names.len() => {
                    tt.elems.iter().map(Some).collect()
                }
                Some(_) => return None,
            };
            let idents = names.iter().map(|pi| &pi.ident);
            let place = syn::parse_quote!((#(#idents),*));
            let lets = names
                .iter()
                .cloned()
                .zip(types)
                .map(|(pi, ty)| local(pi, ty));
            Some((lets.collect(), place))
        }
        p => {
            let pi = name(p)?;
            let ident = &pi.ident;
            let place = syn::parse_quote!(#ident);
            Some((vec![local(pi.clone(), ty)], place))
        }
    }
}

/// The statement form of the branching expression `e`, each value that
/// falls out of it given to `target`.
fn statement(e: &syn::Expr, target: &Target) -> syn::Stmt {
    syn::Stmt::Expr(rewrite(e, target), None)
}

fn rewrite(e: &syn::Expr, target: &Target) -> syn::Expr {
    match strip_parens(e) {
        syn::Expr::If(i) => {
            let mut i = i.clone();
            i.then_branch = block(&i.then_branch, target);
            if let Some((_, els)) = &mut i.else_branch {
                **els = match strip_parens(els) {
                    syn::Expr::Block(b) => syn::Expr::Block(syn::ExprBlock {
                        block: block(&b.block, target),
                        ..b.clone()
                    }),
                    other => rewrite(other, target),
                };
            }
            syn::Expr::If(i)
        }
        syn::Expr::Match(m) => {
            let mut m = m.clone();
            for arm in &mut m.arms {
                *arm.body = arm_body(&arm.body, target);
                arm.comma = Some(Default::default());
            }
            syn::Expr::Match(m)
        }
        syn::Expr::Block(b) => syn::Expr::Block(syn::ExprBlock {
            block: block(&b.block, target),
            ..b.clone()
        }),
        other => other.clone(),
    }
}

/// A block whose tail value (if it has one) goes to `target`.
fn block(b: &syn::Block, target: &Target) -> syn::Block {
    let mut b = b.clone();
    if let Some(syn::Stmt::Expr(tail, None)) = b.stmts.last() {
        let tail = tail.clone();
        b.stmts.pop();
        b.stmts.push(give(&tail, target));
    }
    b
}

/// A `match` arm's body as a block that gives its value to `target`.
fn arm_body(body: &syn::Expr, target: &Target) -> syn::Expr {
    match strip_parens(body) {
        syn::Expr::Block(b) if b.label.is_none() => syn::Expr::Block(syn::ExprBlock {
            block: block(&b.block, target),
            ..b.clone()
        }),
        other => {
            let stmt = give(other, target);
            syn::parse_quote_spanned!(other.span()=> { #stmt })
        }
    }
}

/// The statement that gives the value `e` to `target`: `e` itself when it
/// leaves (`return`, `break`, `continue`), the statement form of a nested
/// `if`/`match`/block, or the assignment or `return` of the value.
fn give(e: &syn::Expr, target: &Target) -> syn::Stmt {
    let e = strip_parens(e);
    match e {
        syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => {
            syn::Stmt::Expr(e.clone(), Some(Default::default()))
        }
        e if is_branching(e) => statement(e, target),
        e => match target {
            Target::Assign(place) => syn::parse_quote_spanned!(e.span()=> #place = #e;),
            Target::Return => syn::parse_quote_spanned!(e.span()=> return #e;),
        },
    }
}

fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        e => e,
    }
}
