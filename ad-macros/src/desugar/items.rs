//! What a stream's item is (`x[p]`, `&x[p]`, a tuple for `zip` and
//! `enumerate`, a sub-slice for `windows`) and how a closure parameter or a
//! loop pattern binds it: names, `&`, `_`, tuple and array patterns.

use super::iter::respan;
use super::subst::group;
use super::*;

/// An item of a stream, as the expression a closure parameter or a loop
/// pattern stands for.
#[derive(Clone)]
pub(super) enum Item {
    /// A value: `x[p]` after `copied()`, a `map` result, an index.
    Value(syn::Expr),
    /// A shared reference to an item (`&x[p]` of `x.iter()`).
    Ref(Box<Item>),
    /// A mutable place (`x[p]` of `x.iter_mut()`).
    Mut(syn::Expr),
    /// `(a, b)` of `zip` and `enumerate`.
    Tuple(Vec<Item>),
}

impl Item {
    pub(super) fn expr(&self) -> syn::Expr {
        match self {
            Item::Value(e) => group(e.clone()),
            Item::Ref(i) => {
                let e = i.expr();
                group(syn::parse_quote!(&#e))
            }
            Item::Mut(p) => group(syn::parse_quote!(&mut #p)),
            Item::Tuple(items) => {
                let elems = items.iter().map(Item::expr);
                group(syn::parse_quote!((#(#elems),*)))
            }
        }
    }

    /// Field `k` of a tuple value (`&(i, j)` over `pairs[p]`, `|(s, q), v|`
    /// over a `fold` accumulator), by reference as rustc's default binding
    /// mode does (`(i, j)` over `&pairs[p]`). Its tokens carry the span
    /// of the pattern `at` (`i` of `&(i, j)`): an error on the read (a
    /// tuple of active values) points there, not at the attribute.
    fn field(&self, k: usize, at: Span) -> Option<Item> {
        let k = syn::Index::from(k);
        let field = |e: &syn::Expr| -> syn::Expr {
            let e = group(e.clone());
            let tokens = respan(quote!(#e.#k), at);
            syn::parse_quote!(#tokens)
        };
        match self {
            Item::Value(e) => Some(Item::Value(field(e))),
            Item::Mut(e) => Some(Item::Mut(field(e))),
            Item::Ref(i) => Some(Item::Ref(Box::new(Item::Value(field(&i.value()?))))),
            Item::Tuple(_) => None,
        }
    }

    /// Element `k` of an array value (`&[x, y]` over `pts[p]`), by
    /// reference as rustc's default binding mode does (`[x, y]` over
    /// `&pts[p]`).
    fn element(&self, k: usize) -> Option<Item> {
        let k = proc_macro2::Literal::usize_unsuffixed(k);
        let element = |e: &syn::Expr| -> syn::Expr {
            let e = group(e.clone());
            syn::parse_quote!(#e[#k])
        };
        match self {
            Item::Value(e) => Some(Item::Value(element(e))),
            Item::Mut(e) => Some(Item::Mut(element(e))),
            Item::Ref(i) => Some(Item::Ref(Box::new(Item::Value(element(&i.value()?))))),
            Item::Tuple(_) => None,
        }
    }

    /// The number the item is (references followed).
    pub(super) fn value(&self) -> Option<syn::Expr> {
        match self {
            Item::Value(e) | Item::Mut(e) => Some(group(e.clone())),
            Item::Ref(i) => i.value(),
            Item::Tuple(_) => None,
        }
    }
}

/// Binds a closure parameter or loop pattern to an item: names go into
/// `map` (substituted), `mut` names into `lets`.
pub(super) fn bind(
    pat: &syn::Pat,
    item: Item,
    map: &mut HashMap<String, syn::Expr>,
    lets: &mut Vec<syn::Stmt>,
) -> syn::Result<()> {
    match (pat, item) {
        (syn::Pat::Type(t), item) => bind(&t.pat, item, map, lets),
        (syn::Pat::Paren(p), item) => bind(&p.pat, item, map, lets),
        (syn::Pat::Wild(_), _) => Ok(()),
        (syn::Pat::Ident(i), item) if i.by_ref.is_none() && i.subpat.is_none() => {
            if i.mutability.is_some() {
                let e = item.expr();
                let name = &i.ident;
                lets.push(syn::parse_quote!(let mut #name = #e;));
            } else {
                map.insert(i.ident.unraw().to_string(), item.expr());
            }
            Ok(())
        }
        (syn::Pat::Reference(r), Item::Ref(inner)) => bind(&r.pat, *inner, map, lets),
        (syn::Pat::Reference(r), Item::Mut(p)) => bind(&r.pat, Item::Value(p), map, lets),
        (syn::Pat::Reference(r), Item::Value(e)) => {
            let e = group(e);
            bind(&r.pat, Item::Value(syn::parse_quote!(*#e)), map, lets)
        }
        (syn::Pat::Tuple(t), Item::Tuple(items)) if t.elems.len() == items.len() => {
            for (p, i) in t.elems.iter().zip(items) {
                bind(p, i, map, lets)?;
            }
            Ok(())
        }
        // `(t, c)` over `&(a, b)` (a `filter` or `skip_while` closure over a
        // `zip`): by reference, as rustc's default binding mode does (`t`
        // is `&a`, read as `**t` of `&&f64`).
        (syn::Pat::Tuple(t), Item::Ref(inner)) if matches!(*inner, Item::Tuple(_)) => {
            let items = match *inner {
                Item::Tuple(items) => items.into_iter().map(|i| Item::Ref(Box::new(i))).collect(),
                other => vec![other],
            };
            bind(&syn::Pat::Tuple(t.clone()), Item::Tuple(items), map, lets)
        }
        // A tuple value: its fields.
        (syn::Pat::Tuple(t), item)
            if !t.elems.iter().any(|p| matches!(p, syn::Pat::Rest(_)))
                && item.field(0, Span::call_site()).is_some() =>
        {
            for (k, p) in t.elems.iter().enumerate() {
                if let Some(i) = item.field(k, syn::spanned::Spanned::span(p)) {
                    bind(p, i, map, lets)?;
                }
            }
            Ok(())
        }
        // An array value (`&[x, y]` over `pts[p]` of `pts: &[[f64; 2]]`):
        // its elements.
        (syn::Pat::Slice(a), item)
            if !a.elems.iter().any(|p| matches!(p, syn::Pat::Rest(_)))
                && item.element(0).is_some() =>
        {
            for (k, p) in a.elems.iter().enumerate() {
                if let Some(i) = item.element(k) {
                    bind(p, i, map, lets)?;
                }
            }
            Ok(())
        }
        (p, _) => Err(syn::Error::new_spanned(
            p,
            "this pattern is not supported over active values: bind a name, `&name`, `_`, or \
             a tuple or array of them (`(i, &v)`, `&[x, y]`)",
        )),
    }
}
