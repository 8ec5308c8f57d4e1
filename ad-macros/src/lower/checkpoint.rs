//! `#[checkpoint]` and `#[checkpoint(snapshots = S)]` on a loop statement:
//! the attribute read, where it may stand checked, and removed from the
//! code the macro emits (rustc accepts an attribute on a statement that a
//! macro removes before expansion ends). The transform is
//! `adjoint::checkpoint`.

use super::*;
use crate::ir::Checkpoint;

/// The number of snapshots of `#[checkpoint]` without arguments: 100
/// states. Reversing `n` steps then runs each step at most `r` times
/// besides its recorded run, where `r` is the least with
/// `C(100 + r, r) >= n`: 1 up to 101 steps, 2 up to 5 151, 3 up to
/// 176 851, 4 up to 4.6 million.
pub(crate) const DEFAULT_SNAPSHOTS: usize = 100;

const USAGE: &str = "write `#[checkpoint]` or `#[checkpoint(snapshots = S)]`";

pub(crate) fn is_checkpoint(a: &syn::Attribute) -> bool {
    a.path().is_ident("checkpoint")
}

/// Removes every `#[checkpoint]` from a function (the original the macro
/// emits beside its derivatives). A number of snapshots that reads
/// variables stays as `let _ = S;` before its loop, so that they are not
/// reported unused.
pub(crate) fn strip(item: &mut syn::ItemFn) {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_block_mut(&mut self, b: &mut syn::Block) {
            let mut stmts = Vec::with_capacity(b.stmts.len());
            for mut s in std::mem::take(&mut b.stmts) {
                if let syn::Stmt::Expr(e, _) = &mut s {
                    if let Some(attrs) = expr_attrs(e) {
                        for a in attrs.iter().filter(|a| is_checkpoint(a)) {
                            if let Some(n) = snapshots_expr(a) {
                                if !matches!(n, syn::Expr::Lit(_)) {
                                    stmts.push(syn::parse_quote!(let _ = #n;));
                                }
                            }
                        }
                    }
                }
                stmts.push(s);
            }
            b.stmts = stmts;
            syn::visit_mut::visit_block_mut(self, b);
        }
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            if let Some(attrs) = expr_attrs(e) {
                attrs.retain(|a| !is_checkpoint(a));
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
        fn visit_local_mut(&mut self, l: &mut syn::Local) {
            l.attrs.retain(|a| !is_checkpoint(a));
            syn::visit_mut::visit_local_mut(self, l);
        }
    }
    Strip.visit_item_fn_mut(item);
}

/// The expression of `snapshots = S`, if the attribute has one.
fn snapshots_expr(a: &syn::Attribute) -> Option<syn::Expr> {
    let mut found = None;
    let _ = a.parse_nested_meta(|meta| {
        if meta.path.is_ident("snapshots") {
            found = Some(meta.value()?.parse::<syn::Expr>()?);
        }
        Ok(())
    });
    found
}

/// The attributes of the expressions an attribute may be written on as a
/// statement.
fn expr_attrs(e: &mut syn::Expr) -> Option<&mut Vec<syn::Attribute>> {
    Some(match e {
        syn::Expr::ForLoop(x) => &mut x.attrs,
        syn::Expr::While(x) => &mut x.attrs,
        syn::Expr::Loop(x) => &mut x.attrs,
        syn::Expr::If(x) => &mut x.attrs,
        syn::Expr::Match(x) => &mut x.attrs,
        syn::Expr::Block(x) => &mut x.attrs,
        syn::Expr::Assign(x) => &mut x.attrs,
        syn::Expr::Binary(x) => &mut x.attrs,
        syn::Expr::Call(x) => &mut x.attrs,
        syn::Expr::MethodCall(x) => &mut x.attrs,
        syn::Expr::Macro(x) => &mut x.attrs,
        syn::Expr::Paren(x) => &mut x.attrs,
        syn::Expr::Path(x) => &mut x.attrs,
        syn::Expr::Unary(x) => &mut x.attrs,
        syn::Expr::Closure(x) => &mut x.attrs,
        _ => return None,
    })
}

/// Reports every `#[checkpoint]` that is not on a `for`, `while` or `loop`.
pub(crate) fn check_placement(item: &syn::ItemFn, errors: &mut Errors) {
    struct Find<'e> {
        errors: &'e mut Errors,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            let on_loop = matches!(
                e,
                syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_)
            );
            if !on_loop {
                let mut e = e.clone();
                if let Some(attrs) = expr_attrs(&mut e) {
                    for a in attrs.iter().filter(|a| is_checkpoint(a)) {
                        self.misplaced(a);
                    }
                }
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            for a in l.attrs.iter().filter(|a| is_checkpoint(a)) {
                self.misplaced(a);
            }
            syn::visit::visit_local(self, l);
        }
    }
    impl Find<'_> {
        fn misplaced(&mut self, a: &syn::Attribute) {
            self.errors.spanned(
                a,
                "#[checkpoint] applies to a loop statement (`#[checkpoint] for i in 0..n { .. }`)",
            );
        }
    }
    for a in item.attrs.iter().filter(|a| is_checkpoint(a)) {
        errors.spanned(
            a,
            "#[checkpoint] applies to a loop statement inside the function, not to the function",
        );
    }
    Find { errors }.visit_block(&item.block);
}

impl Lowerer<'_> {
    /// The `#[checkpoint]` of a loop, its arguments read (`snapshots = S`,
    /// `S` an inactive `usize` expression); `None` without one.
    pub(super) fn checkpoint_attr(&mut self, attrs: &[syn::Attribute]) -> Option<Box<Checkpoint>> {
        let mut found: Option<&syn::Attribute> = None;
        for a in attrs.iter().filter(|a| is_checkpoint(a)) {
            if found.is_some() {
                self.errors
                    .spanned(a, "#[checkpoint] is given twice on this loop");
            }
            found = Some(a);
        }
        let attr = found?;
        let default = quote!(#DEFAULT_SNAPSHOTS);
        let mut snapshots: Option<syn::Expr> = None;
        match &attr.meta {
            syn::Meta::Path(_) => {}
            syn::Meta::List(_) => {
                let parsed = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("snapshots") {
                        if snapshots.is_some() {
                            return Err(meta.error("`snapshots` is given twice"));
                        }
                        snapshots = Some(meta.value()?.parse()?);
                        Ok(())
                    } else {
                        Err(meta.error(format!(
                            "unknown argument of #[checkpoint]: {USAGE} (S, the number of snapshots, is at least 1)"
                        )))
                    }
                });
                if let Err(e) = parsed {
                    self.errors.push(e);
                    return None;
                }
            }
            syn::Meta::NameValue(_) => {
                self.errors.spanned(attr, USAGE);
                return None;
            }
        }
        let (snapshots, reads) = match &snapshots {
            None => (default, vec![]),
            Some(e) => {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                }) = strip_parens(e)
                {
                    if i.base10_parse::<usize>().ok() == Some(0) {
                        self.errors.spanned(
                            i,
                            "#[checkpoint] needs at least 1 snapshot (that of the loop's initial state)",
                        );
                        return None;
                    }
                }
                if self.mentions_varied(e) {
                    self.errors.spanned(
                        e,
                        "the number of snapshots must not depend on an active value",
                    );
                    return None;
                }
                self.opaque_tokens(e)?
            }
        };
        Some(Box::new(Checkpoint {
            snapshots,
            reads,
            attr: attr.to_token_stream(),
        }))
    }

    /// Checks what a checkpointed loop may be: a `for` over an ascending
    /// range, a `while` or a `loop`.
    pub(super) fn check_checkpointed(&mut self, c: &Checkpoint, header: &Header) -> bool {
        let span = &c.attr;
        let ascending = match header {
            Header::For { iter, .. } => {
                let parsed: Option<syn::Expr> = syn::parse2(iter.clone()).ok();
                matches!(
                    parsed.as_ref().map(strip_parens),
                    Some(syn::Expr::Range(syn::ExprRange {
                        start: Some(_),
                        end: Some(_),
                        ..
                    }))
                )
            }
            _ => true,
        };
        if !ascending {
            self.errors.spanned(
                span,
                "#[checkpoint] applies to a `for` loop over a range `a..b` or `a..=b` (of integers), a `while` or a `loop`",
            );
            return false;
        }
        true
    }
}
