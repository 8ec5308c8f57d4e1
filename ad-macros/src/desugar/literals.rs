//! A `for` loop over an array literal (`for &(p, q) in &[(0, 1), (1, 2)]`,
//! `for (p, q) in [(0usize, 1usize), (1, 2)]`) with a pattern other than a
//! name, or over references read in active arithmetic: the literal is bound
//! to a local first, so the loop is one over a local array (`iter.rs`).

use super::*;

impl Desugar<'_> {
    /// `let a = [..]; for pat in &a { .. }` for `for pat in &[..] { .. }`
    /// (and `[..]`, `[..].iter()`, `[..].into_iter()`), when the loop must
    /// be desugared; `None` otherwise.
    pub(super) fn literal_loop(&mut self, f: &syn::ExprForLoop) -> Option<Vec<syn::Stmt>> {
        let name_pattern =
            matches!(&*f.pat, syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none());
        let mut new = f.clone();
        // The literal's place in the iterated expression, and whether the
        // loop reads references into it.
        let (lit, by_ref) = match &mut *new.expr {
            syn::Expr::Reference(r) if r.mutability.is_none() => (&mut *r.expr, true),
            syn::Expr::MethodCall(m) if m.args.is_empty() && m.method == "iter" => {
                (&mut *m.receiver, true)
            }
            syn::Expr::MethodCall(m) if m.args.is_empty() && m.method == "into_iter" => {
                (&mut *m.receiver, false)
            }
            e => (e, false),
        };
        if !matches!(
            views::strip(lit),
            syn::Expr::Array(_) | syn::Expr::Repeat(_)
        ) {
            return None;
        }
        if name_pattern && !(by_ref && self.mentions_tainted(&f.body)) {
            return None;
        }
        let span = span_of(lit);
        let a = self.fresh("a", span);
        let value = std::mem::replace(lit, syn::parse_quote!(#a));
        self.indexable.insert(a.to_string());
        let mut out: Vec<syn::Stmt> = vec![syn::parse_quote_spanned!(span=> let #a = #value;)];
        // (Over a local array, such a loop is desugared.)
        out.extend(self.for_loop(&new)?);
        Some(out)
    }
}
