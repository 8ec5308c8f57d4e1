//! Borrowed sub-slices held in locals (`let row = &z[a..b];`), views of
//! their parent: the `let` goes, and the local's uses read the parent
//! (`row[j]` becomes `z[a + j]`, `row.len()` `b - a`, `g(row)`
//! `g(&z[a..b])`, by the clean-up in `subst.rs`). Reads through the view
//! are then reads of the parent, and its cotangent goes into the parent's
//! at the offset, with no copy.
//!
//! The local's uses see the names of `&z[a..b]` as they were at the `let`:
//! bounds whose names are assigned or bound again after it are computed
//! first (`let __ad_lo1 = a;`), and a parent bound again where the local
//! is read is reported. (The parent itself cannot be assigned while the
//! borrow is alive.)

use super::subst::{group, Subst};
use super::*;

/// `base[start..end]`'s parts: the base, the start (if written) and the
/// end (if written), an inclusive end made exclusive.
type Parts = (syn::Expr, Option<syn::Expr>, Option<syn::Expr>);

pub(super) fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// `base[a..b]` (`a..=b` as `a..b + 1`).
pub(super) fn range_parts(e: &syn::Expr) -> Option<Parts> {
    let syn::Expr::Index(ix) = strip(e) else {
        return None;
    };
    let syn::Expr::Range(r) = strip(&ix.index) else {
        return None;
    };
    let start = r.start.as_deref().cloned();
    let end = match (&r.end, &r.limits) {
        (Some(e), syn::RangeLimits::HalfOpen(_)) => Some((**e).clone()),
        (Some(e), syn::RangeLimits::Closed(_)) => Some(plus(e, &syn::parse_quote!(1))),
        (None, _) => None,
    };
    Some(((*ix.expr).clone(), start, end))
}

/// A substituted view `Group(&base[a..b])` (or `Group(base[a..b])`): its
/// parts.
pub(super) fn view_parts(e: &syn::Expr) -> Option<Parts> {
    let (syn::Expr::Group(_) | syn::Expr::Paren(_)) = e else {
        return None;
    };
    match strip(e) {
        syn::Expr::Reference(r) if r.mutability.is_none() => range_parts(&r.expr),
        syn::Expr::Reference(_) => None,
        e => range_parts(e),
    }
}

/// Whether `e` needs parentheses as an operand of `+`.
fn loose(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Binary(b) => !matches!(
            b.op,
            syn::BinOp::Add(_)
                | syn::BinOp::Sub(_)
                | syn::BinOp::Mul(_)
                | syn::BinOp::Div(_)
                | syn::BinOp::Rem(_)
        ),
        syn::Expr::Range(_)
        | syn::Expr::Assign(_)
        | syn::Expr::Closure(_)
        | syn::Expr::Let(_)
        | syn::Expr::Return(_)
        | syn::Expr::Break(_) => true,
        _ => false,
    }
}

fn is_zero(e: &syn::Expr) -> bool {
    matches!(strip(e), syn::Expr::Lit(l) if l.lit.to_token_stream().to_string() == "0")
}

/// `a + b` (one of them when the other is `0`).
fn plus(a: &syn::Expr, b: &syn::Expr) -> syn::Expr {
    if is_zero(a) {
        return b.clone();
    }
    if is_zero(b) {
        return a.clone();
    }
    let paren = |e: &syn::Expr| -> syn::Expr {
        if loose(e) {
            syn::parse_quote!((#e))
        } else {
            e.clone()
        }
    };
    let (a, b) = (paren(a), paren(b));
    syn::parse_quote!(#a + #b)
}

/// `&base[start..end][index]` (of a view with these parts): an element of
/// `base`, or for a range index a range of `base`.
pub(super) fn index_view((base, start, end): &Parts, index: &syn::Expr) -> syn::Expr {
    let zero: syn::Expr = syn::parse_quote!(0);
    let lo = start.as_ref().unwrap_or(&zero);
    let Some((_, a, b)) = range_parts(&syn::parse_quote!(x[#index])) else {
        let j = plus(lo, index);
        return syn::parse_quote!(#base[#j]);
    };
    let from = match &a {
        Some(a) => plus(lo, a),
        None => lo.clone(),
    };
    let to = match &b {
        Some(b) => Some(plus(lo, b)),
        None => end.clone(),
    };
    let from = (!is_zero(&from)).then_some(from);
    syn::parse_quote!(#base[#from..#to])
}

/// The single names `e` reads (not those after a `.`: fields, methods).
fn names_read(e: &impl ToTokens) -> Vec<String> {
    fn walk(t: TokenStream, out: &mut Vec<String>) {
        let mut after_dot = false;
        for tt in t {
            let dot = matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == '.');
            match tt {
                proc_macro2::TokenTree::Ident(i) if !after_dot => {
                    let s = i.unraw().to_string();
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
            after_dot = dot;
        }
    }
    let mut out = Vec::new();
    walk(e.to_token_stream(), &mut out);
    out
}

/// The names `stmts` bind anywhere (`let`, closure parameters, loop and
/// arm patterns).
fn bound_in(stmts: &[syn::Stmt]) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.unraw().to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut names = Names(Vec::new());
    for s in stmts {
        names.visit_stmt(s);
    }
    names.0
}

/// `let name = &expr;` (or typed; not `mut`, `ref` or `let else`): the
/// name's pattern and the borrow.
fn ref_let(stmt: &syn::Stmt) -> Option<(&syn::PatIdent, &syn::ExprReference)> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let pat = match &l.pat {
        syn::Pat::Type(t) => &*t.pat,
        p => p,
    };
    let syn::Pat::Ident(pi) = pat else {
        return None;
    };
    if pi.by_ref.is_some() || pi.subpat.is_some() || pi.mutability.is_some() {
        return None;
    }
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let syn::Expr::Reference(r) = strip(&init.expr) else {
        return None;
    };
    Some((pi, r))
}

/// `&base[i]` (no range) of a place, in `let d = &data[i];`: the element.
fn elem_let(stmt: &syn::Stmt) -> Option<(syn::Ident, syn::Expr)> {
    let (pi, r) = ref_let(stmt)?;
    let syn::Expr::Index(ix) = strip(&r.expr) else {
        return None;
    };
    if r.mutability.is_some() || matches!(strip(&ix.index), syn::Expr::Range(_)) {
        return None;
    }
    place(&ix.expr).then(|| (pi.ident.clone(), strip(&r.expr).clone()))
}

/// A place: a name, or a field or an element of one (`s.v`, `a[i]`).
fn place(e: &syn::Expr) -> bool {
    match strip(e) {
        syn::Expr::Path(p) => p.qself.is_none(),
        syn::Expr::Field(f) => place(&f.base),
        syn::Expr::Index(i) => place(&i.expr),
        _ => false,
    }
}

/// An element of a place `w` as an `Option`: `w.first()`, `w.last()`,
/// `w.get(i)` (`i` not a range) and `w.iter().next()`, `w.iter().last()`,
/// `w.iter().nth(i)` borrow it; `w.iter().copied()` (or `cloned()`) with
/// `next`, `last` or `nth(i)` copies it. `w`, its index (`None` for the
/// last) and whether the element is copied.
fn element_option(e: &syn::Expr) -> Option<(&syn::Expr, Option<syn::Expr>, bool)> {
    // `w.iter()`, `w.iter().copied()`: `w`, and whether it copies.
    fn iter_of(e: &syn::Expr) -> Option<(&syn::Expr, bool)> {
        let syn::Expr::MethodCall(it) = strip(e) else {
            return None;
        };
        match it.method.to_string().as_str() {
            "iter" if it.args.is_empty() => Some((&*it.receiver, false)),
            "copied" | "cloned" if it.args.is_empty() => match strip(&it.receiver) {
                syn::Expr::MethodCall(i) if i.method == "iter" && i.args.is_empty() => {
                    Some((&*i.receiver, true))
                }
                _ => None,
            },
            _ => None,
        }
    }
    let syn::Expr::MethodCall(m) = strip(e) else {
        return None;
    };
    let (base, index, copied) = match (m.method.to_string().as_str(), m.args.len()) {
        ("first", 0) => (&*m.receiver, Some(syn::parse_quote!(0)), false),
        ("last", 0) => match iter_of(&m.receiver) {
            Some((w, copied)) => (w, None, copied),
            None => (&*m.receiver, None, false),
        },
        ("get", 1) => match strip(&m.args[0]) {
            syn::Expr::Range(_) | syn::Expr::Reference(_) => return None,
            i => (&*m.receiver, Some(i.clone()), false),
        },
        ("next", 0) => {
            let (w, copied) = iter_of(&m.receiver)?;
            (w, Some(syn::parse_quote!(0)), copied)
        }
        ("nth", 1) => {
            let (w, copied) = iter_of(&m.receiver)?;
            (w, Some(strip(&m.args[0]).clone()), copied)
        }
        _ => return None,
    };
    (m.turbofish.is_none() && place(base)).then_some((strip(base), index, copied))
}

impl Desugar<'_> {
    /// `if let Some(a) = w.first() { .. }` (`last`, `get(i)`,
    /// `iter().next()`) of an array `w`: `if !w.is_empty() { let a =
    /// &w[0]; .. }` (`i < w.len()` for `get(i)`), so `a` is an element of
    /// `w` (`Some(&a)`: a copy of it). `false` if it is not such an `if`.
    pub(super) fn if_let_element(
        &mut self,
        i: &mut syn::ExprIf,
        pre: &mut Vec<syn::Stmt>,
        eager: bool,
    ) -> bool {
        let syn::Expr::Let(l) = &*i.cond else {
            return false;
        };
        let syn::Pat::TupleStruct(ts) = &*l.pat else {
            return false;
        };
        let Some((base, index, copied)) = element_option(&l.expr) else {
            return false;
        };
        if !ts.path.is_ident("Some") || ts.elems.len() != 1 || ts.qself.is_some() {
            return false;
        }
        // A slice, array or `Vec`, or a local of a type not seen (taken to
        // be one: a set of floats has no `first`); not a parameter of
        // another type.
        if self.indexable(base) == super::refs::Known::Not {
            return false;
        }
        let bind = match &ts.elems[0] {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.mutability.is_none() && copied => {
                let a = &p.ident;
                quote!(let #a =)
            }
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.mutability.is_none() => {
                let a = &p.ident;
                quote!(let #a = &)
            }
            syn::Pat::Reference(r) if r.mutability.is_none() && !copied => {
                let a = &r.pat;
                quote!(let #a =)
            }
            _ => return false,
        };
        let span = span_of(&l.expr);
        let (cond, index): (syn::Expr, syn::Expr) = match index {
            None => (
                syn::parse_quote_spanned!(span=> !#base.is_empty()),
                syn::parse_quote_spanned!(span=> #base.len() - 1),
            ),
            Some(k) if matches!(&k, syn::Expr::Lit(l) if l.lit.to_token_stream().to_string() == "0") => {
                (syn::parse_quote_spanned!(span=> !#base.is_empty()), k)
            }
            Some(k) if matches!(k, syn::Expr::Lit(_)) => {
                (syn::parse_quote_spanned!(span=> #k < #base.len()), k)
            }
            Some(k) => {
                let k = if matches!(&k, syn::Expr::Path(p) if p.path.get_ident().is_some()) {
                    k
                } else if eager {
                    // (Computed once, as the argument is.)
                    let ix = self.fresh("ix", span_of(&k));
                    pre.push(syn::parse_quote!(let #ix = #k;));
                    syn::parse_quote!(#ix)
                } else {
                    return false;
                };
                (syn::parse_quote_spanned!(span=> #k < #base.len()), k)
            }
        };
        let elem: syn::Stmt = syn::parse_quote_spanned!(span=> #bind #base[#index];);
        *i.cond = cond;
        i.then_branch.stmts.insert(0, elem);
        true
    }

    /// `if let Some(v) = <chain>.last()` or `match <chain>.nth(k) { .. }`
    /// (or `next()`) of a chain over active values with adapters, which
    /// only the forms of [`element_option`] are as an `Option`: an error at
    /// the method, the expression replaced by `()`. `false` if it is not
    /// one.
    pub(super) fn option_of_chain(&mut self, e: &mut syn::Expr) -> bool {
        let scrutinee = match &*e {
            syn::Expr::If(i) => match &*i.cond {
                syn::Expr::Let(l) => &*l.expr,
                _ => return false,
            },
            syn::Expr::Match(m) => &*m.expr,
            _ => return false,
        };
        let syn::Expr::MethodCall(m) = strip(scrutinee) else {
            return false;
        };
        let name = m.method.to_string();
        if !matches!(name.as_str(), "last" | "nth" | "next")
            || element_option(scrutinee).is_some()
            || !matches!(strip(&m.receiver), syn::Expr::MethodCall(_))
            || !self.mentions_tainted(&m.receiver)
        {
            return false;
        }
        let (arg, cond) = match name.as_str() {
            "nth" => ("k", "k < x.len()"),
            _ => ("", "!x.is_empty()"),
        };
        let method = m.method.clone();
        self.error(
            &method,
            format!(
                "`{name}({arg})` as an `Option` over active values is supported on a \
                 container's own iterator (`if let Some(v) = x.iter().{name}({arg})`, `match \
                 x.iter().copied().{name}({arg}) {{ Some(v) => .., None => .. }}`); after \
                 adapters, test the length and unwrap: `if {cond} {{ let v = \
                 x.iter().map(..).{name}({arg}).unwrap(); .. }}`"
            ),
        );
        *e = syn::parse_quote!(());
        true
    }

    /// `match w.first() { Some(a) => A, None => B }` (`_` for `None`) of
    /// an array `w`: `if let Some(a) = w.first() { A } else { B }`, which
    /// [`Self::if_let_element`] rewrites. `None` if it is not such a `match`.
    pub(super) fn match_element(&self, m: &syn::ExprMatch) -> Option<syn::Expr> {
        let (base, _, _) = element_option(&m.expr)?;
        if self.indexable(base) == super::refs::Known::Not || m.arms.len() != 2 {
            return None;
        }
        let some =
            |p: &syn::Pat| matches!(p, syn::Pat::TupleStruct(ts) if ts.path.is_ident("Some"));
        let none = |p: &syn::Pat| {
            matches!(p, syn::Pat::Wild(_))
                || matches!(p, syn::Pat::Ident(i) if i.ident == "None" && i.subpat.is_none())
                || matches!(p, syn::Pat::Path(q) if q.path.is_ident("None"))
        };
        let (s, n) = match (&m.arms[0], &m.arms[1]) {
            (a, b) if some(&a.pat) && none(&b.pat) => (a, b),
            (a, b) if none(&a.pat) && some(&b.pat) && !matches!(a.pat, syn::Pat::Wild(_)) => (b, a),
            _ => return None,
        };
        if s.guard.is_some() || n.guard.is_some() || !m.attrs.is_empty() {
            return None;
        }
        let block = |e: &syn::Expr| -> syn::Block {
            match e {
                syn::Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => b.block.clone(),
                e => syn::parse_quote!({ #e }),
            }
        };
        let (pat, scrutinee) = (&s.pat, &m.expr);
        let (then, els) = (block(&s.body), block(&n.body));
        let span = m.match_token.span;
        Some(syn::parse_quote_spanned!(span=> if let #pat = #scrutinee #then else #els))
    }

    /// `while let Some(a) = w.first() { .. }` (as `match_element`): `loop
    /// { if let Some(a) = w.first() { .. } else { break; } }`.
    pub(super) fn while_element(&self, w: &syn::ExprWhile) -> Option<syn::Expr> {
        let syn::Expr::Let(l) = &*w.cond else {
            return None;
        };
        let (base, _, _) = element_option(&l.expr)?;
        if self.indexable(base) == super::refs::Known::Not || !w.attrs.is_empty() {
            return None;
        }
        let (label, body) = (&w.label, &w.body);
        let lbl = label.as_ref().map(|l| &l.name);
        let span = w.while_token.span;
        Some(syn::parse_quote_spanned!(span=> #label loop {
            if #l #body else { break #lbl; }
        }))
    }

    /// The indices of a place (`a[i][j]`, `s.v[k]`) that read names of
    /// `changed`, computed into `lets` (`let __ad_ix1 = i;`).
    fn fix_indices(&mut self, e: &mut syn::Expr, changed: &[String], lets: &mut Vec<syn::Stmt>) {
        match e {
            syn::Expr::Paren(p) => self.fix_indices(&mut p.expr, changed, lets),
            syn::Expr::Group(g) => self.fix_indices(&mut g.expr, changed, lets),
            syn::Expr::Field(f) => self.fix_indices(&mut f.base, changed, lets),
            syn::Expr::Index(ix) => {
                self.fix_indices(&mut ix.expr, changed, lets);
                if names_read(&ix.index).iter().any(|n| changed.contains(n)) {
                    let fresh = self.fresh("ix", span_of(&ix.index));
                    let i = &ix.index;
                    lets.push(syn::parse_quote!(let #fresh = #i;));
                    *ix.index = syn::parse_quote!(#fresh);
                }
            }
            _ => {}
        }
    }

    /// `let d = &data[i];` (an element, or a row of a 2-D array): its uses
    /// read `data[i]` itself (`d * mu` is `data[i] * mu`, `d[j]` is
    /// `data[i][j]`), as those of a view read its parent. If the `let` at
    /// `k` is one: the position of the statement after it.
    fn elem_view(&mut self, stmts: &mut Vec<syn::Stmt>, k: usize) -> Option<usize> {
        let (name, mut elem) = elem_let(&stmts[k])?;
        let stmt = stmts.remove(k);
        let rest = &mut stmts[k..];
        let mut changed = super::closures::assigned(rest);
        changed.extend(bound_in(rest));
        let mut lets = Vec::new();
        self.fix_indices(&mut elem, &changed, &mut lets);
        let free = names_read(&elem);
        let root = free.first().cloned().unwrap_or_default();
        let map =
            HashMap::from_iter([(name.unraw().to_string(), group(syn::parse_quote!(&#elem)))]);
        let kept = rest.to_vec();
        let mut subst = Subst::watching(map, free);
        subst.block(rest);
        if subst.captured {
            self.error(
                &stmt,
                format!(
                    "`{name}` borrows an element of `{root}`, and a later binding takes a name \
                     it reads before `{name}` is read: rename that binding, or copy the \
                     element (write the `let` without `&`)"
                ),
            );
            rest.clone_from_slice(&kept);
            stmts.insert(k, stmt);
            return Some(k + 1);
        }
        let n = lets.len();
        stmts.splice(k..k, lets);
        Some(k + n)
    }

    /// `let row = &z[a..b];`, of data in `wrt` or not: its name and its
    /// view (a view of inactive data kept as a local would be no array
    /// to `extend_from_slice` and the other forms that take one).
    fn view_let(&self, stmt: &syn::Stmt) -> Option<(syn::Ident, Parts)> {
        let (pi, r) = ref_let(stmt)?;
        if r.mutability.is_some() {
            return None;
        }
        let (base, start, end) = range_parts(&r.expr)?;
        // A range of a view (`&row[1..]`): a range of its parent.
        let parts = match view_parts(&base) {
            Some(outer) => {
                let syn::Expr::Index(ix) = strip(&r.expr) else {
                    return None;
                };
                range_parts(&index_view(&outer, &ix.index))?
            }
            None => (strip(&base).clone(), start, end),
        };
        place(&parts.0).then(|| (pi.ident.clone(), parts))
    }

    /// The statements with each view's `let` replaced by substitution
    /// into the statements after it (see the module's comment).
    pub(super) fn views(&mut self, mut stmts: Vec<syn::Stmt>) -> Vec<syn::Stmt> {
        let mut k = 0;
        while k < stmts.len() {
            if let Some(next) = self.elem_view(&mut stmts, k) {
                k = next;
                continue;
            }
            let Some((name, (base, mut start, mut end))) = self.view_let(&stmts[k]) else {
                k += 1;
                continue;
            };
            let stmt = stmts.remove(k);
            let rest = &mut stmts[k..];
            // Bounds whose names change after the `let` are computed at it.
            let changed: Vec<String> = {
                let mut c = super::closures::assigned(rest);
                c.extend(bound_in(rest));
                c
            };
            let mut lets = Vec::new();
            for (bound, what) in [(&mut start, "lo"), (&mut end, "hi")] {
                let Some(e) = bound else { continue };
                if names_read(e).iter().any(|n| changed.contains(n)) {
                    let fresh = self.fresh(what, span_of(e));
                    lets.push(syn::parse_quote!(let #fresh = #e;));
                    *e = syn::parse_quote!(#fresh);
                }
            }
            // The parent's index (`&a[i][..]`) is read at each use.
            let names = names_read(&base);
            let root = names.first().cloned().unwrap_or_default();
            let assigned = super::closures::assigned(rest);
            let mut problem = names
                .iter()
                .skip(1)
                .find(|n| assigned.contains(n))
                .map(|n| {
                    format!(
                        "`{name}` borrows a range of a row of `{root}` whose index `{n}` is \
                         assigned before `{name}` is read: copy the range (`.to_vec()`), or \
                         read `{root}` itself where `{name}` is read"
                    )
                });
            let view: syn::Expr = syn::parse_quote!(&#base[#start..#end]);
            let mut free = names;
            free.extend(start.iter().chain(&end).flat_map(names_read));
            let map = HashMap::from_iter([(name.unraw().to_string(), group(view))]);
            let kept = rest.to_vec();
            let mut subst = Subst::watching(map, free);
            subst.block(rest);
            if subst.captured && problem.is_none() {
                problem = Some(format!(
                    "`{name}` borrows a range of `{root}`, and a later binding takes a name it \
                     reads before `{name}` is read: rename that binding"
                ));
            }
            if let Some(msg) = problem {
                // The statements as they were, and an array in the view's
                // place (its uses are not errors again).
                self.error(&stmt, msg);
                rest.clone_from_slice(&kept);
                let mut stmt = stmt;
                if let syn::Stmt::Local(syn::Local {
                    init: Some(init), ..
                }) = &mut stmt
                {
                    *init.expr = syn::parse_quote_spanned!(span_of(&init.expr)=> vec![0.0]);
                }
                stmts.insert(k, stmt);
                k += 1;
                continue;
            }
            let n = lets.len();
            stmts.splice(k..k, lets);
            k += n;
        }
        stmts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn index(view: syn::Expr, index: syn::Expr) -> String {
        index_view(&view_parts(&group(view)).unwrap(), &index)
            .to_token_stream()
            .to_string()
    }

    #[test]
    fn an_index_of_a_view_is_an_offset_into_its_parent() {
        assert_eq!(
            index(parse_quote!(&z[k * c..]), parse_quote!(j)),
            "z [k * c + j]"
        );
        assert_eq!(index(parse_quote!(&z[..3]), parse_quote!(j)), "z [j]");
        assert_eq!(
            index(parse_quote!(&z[a << 1..]), parse_quote!(j)),
            "z [(a << 1) + j]"
        );
        assert_eq!(
            index(parse_quote!(&z[1..4]), parse_quote!(1..)),
            "z [1 + 1 .. 4]"
        );
        assert_eq!(
            index(parse_quote!(&z[1..]), parse_quote!(..2)),
            "z [1 .. 1 + 2]"
        );
        assert_eq!(
            index(parse_quote!(&z[..]), parse_quote!(a..=b)),
            "z [a .. b + 1]"
        );
    }
}
