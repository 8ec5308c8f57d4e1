//! The adapters of an iterator chain whose items are not at a position
//! of one container: `chain` (the second chain's positions follow the
//! first's), `flat_map` and `flatten` (a loop over rows around the loop
//! over a row's items), `filter_map` (`filter` and `map` in one closure),
//! `take_while` (a `break`), `skip_while` (a flag before the loop), `scan`
//! (a state before the loop) and `cycle` (positions modulo the length,
//! until a `take(n)`).

use super::iter::{strip, unsupported, Item, ItemAt, Rows, Stream};
use super::*;
use std::rc::Rc;

/// An error at `at` that says what to write instead.
fn error(at: &dyn ToTokens, msg: impl std::fmt::Display) -> syn::Error {
    syn::Error::new_spanned(at, msg)
}

/// `std::iter::once(&c)` (or `iter::once(c)`, `once(c)`): one item.
fn once(e: &syn::Expr) -> Option<Stream> {
    let syn::Expr::Call(c) = strip(e) else {
        return None;
    };
    let syn::Expr::Path(f) = strip(&c.func) else {
        return None;
    };
    if f.path.segments.last()?.ident != "once" || c.args.len() != 1 {
        return None;
    }
    let item = match strip(&c.args[0]) {
        syn::Expr::Reference(r) if r.mutability.is_none() => {
            Item::Ref(Box::new(Item::Value((*r.expr).clone())))
        }
        a => Item::Value(a.clone()),
    };
    Some(Stream::new(
        syn::parse_quote!(1),
        Rc::new(move |_, _, _| Ok(item.clone())),
        None,
    ))
}

/// The value a `filter_map` or `scan` closure's tail gives, its
/// statements pushed to `pre`: `Some(v)`, `if c { .. Some(v) } else {
/// None }` (or the other way round), `c.then_some(v)`, `c.then(|| v)`.
/// `stop` (`continue`, `break`) is what `None` does.
fn some_value(
    e: &syn::Expr,
    stop: &TokenStream,
    what: &syn::Ident,
    pre: &mut Vec<syn::Stmt>,
) -> syn::Result<syn::Expr> {
    let some = |e: &syn::Expr| match strip(e) {
        syn::Expr::Call(c)
            if c.args.len() == 1
                && matches!(strip(&c.func), syn::Expr::Path(p) if p.path.is_ident("Some")) =>
        {
            Some(c.args[0].clone())
        }
        _ => None,
    };
    let none = |e: &syn::Expr| matches!(strip(e), syn::Expr::Path(p) if p.path.is_ident("None"));
    // A block's statements and its tail.
    let split = |b: &syn::Block| match b.stmts.split_last() {
        Some((syn::Stmt::Expr(tail, None), stmts)) => Some((stmts.to_vec(), tail.clone())),
        _ => None,
    };
    if let Some(v) = some(e) {
        return Ok(v);
    }
    match strip(e) {
        syn::Expr::If(i) => {
            let cond = &i.cond;
            let els = match i.else_branch.as_ref().map(|(_, e)| strip(e)) {
                Some(syn::Expr::Block(b)) => split(&b.block),
                _ => None,
            };
            if let (Some((then, a)), Some((rest, b))) = (split(&i.then_branch), els) {
                if let (Some(v), true) = (some(&a), rest.is_empty() && none(&b)) {
                    pre.push(syn::parse_quote!(if !(#cond) { #stop; }));
                    pre.extend(then);
                    return Ok(v);
                }
                if let (Some(v), true) = (some(&b), then.is_empty() && none(&a)) {
                    pre.push(syn::parse_quote!(if #cond { #stop; }));
                    pre.extend(rest);
                    return Ok(v);
                }
            }
        }
        syn::Expr::MethodCall(m) if m.args.len() == 1 => {
            let cond = &m.receiver;
            let v = match (m.method.to_string().as_str(), strip(&m.args[0])) {
                ("then_some", v) => Some(v.clone()),
                ("then", syn::Expr::Closure(c)) if c.inputs.is_empty() => Some((*c.body).clone()),
                _ => None,
            };
            if let Some(v) = v {
                pre.push(syn::parse_quote!(if !(#cond) { #stop; }));
                return Ok(v);
            }
        }
        _ => {}
    }
    Err(error(
        what,
        format_args!(
            "the closure of `{what}` over active values should end in `Some(v)`, \
             `if c {{ Some(v) }} else {{ None }}` or `c.then_some(v)`: write it so, or write an \
             index loop"
        ),
    ))
}

/// `|s, v| .. *s ..`: `s` for `*s` (the state is a local, not a reference).
struct Deref<'a>(&'a str);

impl VisitMut for Deref<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Unary(u) = e {
            if matches!(u.op, syn::UnOp::Deref(_)) {
                if let syn::Expr::Path(p) = strip(&u.expr) {
                    if p.path.is_ident(self.0) {
                        *e = syn::Expr::Path(p.clone());
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The name a closure parameter binds (`s`, `s: &mut f64`).
fn param_name(p: &syn::Pat) -> Option<String> {
    match p {
        syn::Pat::Type(t) => param_name(&t.pat),
        syn::Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.unraw().to_string()),
        _ => None,
    }
}

impl Desugar<'_> {
    /// The adapters of this file applied to `s`; `None` for another one.
    pub(super) fn adapt_more(
        &mut self,
        s: &Stream,
        m: &syn::ExprMethodCall,
    ) -> syn::Result<Option<Stream>> {
        let name = m.method.to_string();
        let span = m.method.span();
        let args: Vec<syn::Expr> = m.args.iter().cloned().collect();
        let item = s.item.clone();
        let flat = matches!(name.as_str(), "flat_map" | "flatten");
        if (flat || name == "take_while") && s.rows.is_some() {
            return Err(error(
                &m.method,
                format_args!(
                    "`{name}` after `flat_map` or `flatten` over active values is not supported: \
                     write the loops (`for r in m {{ for v in r {{ .. }} }}`)"
                ),
            ));
        }
        if s.period.is_some() && matches!(name.as_str(), "chain" | "flat_map" | "flatten") {
            return Err(error(
                &m.method,
                format_args!("`{name}` after `cycle()` over active values is not supported: end the cycle with `take(n)` first"),
            ));
        }
        let stream = match (name.as_str(), &args[..]) {
            ("chain", [other]) => self.chained(s, other, m)?,
            ("flat_map", [_]) | ("flatten", []) => {
                let r = self.fresh("r", span);
                let mut pre = Vec::new();
                let row = item(self, &syn::parse_quote!(#r), &mut pre)?;
                let inner: syn::Expr = match (args.first(), &row) {
                    (Some(f), _) => {
                        let f = self.callable(f);
                        self.apply(&f, vec![row], &mut pre)?
                    }
                    (None, Item::Ref(_) | Item::Value(_)) => {
                        let e = row.expr();
                        syn::parse_quote!(#e.iter())
                    }
                    (None, _) => {
                        let e = row.expr();
                        syn::parse_quote!(#e.into_iter())
                    }
                };
                let inner = match self.stream(&inner, true, true) {
                    Some(Ok(inner)) if inner.rows.is_none() && inner.period.is_none() => inner,
                    Some(Err(e)) => return Err(e),
                    _ => {
                        return Err(error(
                            &m.method,
                            format_args!(
                                "`{name}` over active values flattens rows of a container: its \
                                 closure returns a chain over the row (`|r| r.iter()`, \
                                 `|r| r.iter().map(|v| ..)`); otherwise write the loops"
                            ),
                        ))
                    }
                };
                // (A row's own `skip_while` flag starts again in each row.)
                pre.extend(inner.init.iter().cloned());
                Stream {
                    len: inner.len,
                    item: inner.item,
                    irregular: Some(if flat && name == "flatten" {
                        "flatten"
                    } else {
                        "flat_map"
                    }),
                    breaks: false,
                    root: inner.root.or(s.root.clone()),
                    init: s.init.clone(),
                    period: None,
                    rows: Some(Rows {
                        pos: r,
                        len: s.len.clone(),
                        pre,
                    }),
                }
            }
            ("filter_map", [f]) => {
                let f = self.callable(f);
                let at = m.method.clone();
                Stream {
                    item: Rc::new(move |d, p, pre| {
                        let it = item(d, p, pre)?;
                        let body = d.apply(&f, vec![it], pre)?;
                        let v = some_value(&body, &quote!(continue), &at, pre)?;
                        let m = d.fresh("m", span);
                        pre.push(syn::parse_quote!(let #m = #v;));
                        Ok(Item::Value(syn::parse_quote!(#m)))
                    }),
                    irregular: Some("filter_map"),
                    ..s.clone()
                }
            }
            ("take_while" | "skip_while", [f]) => {
                let f = self.callable(f);
                let take = name == "take_while";
                let mut init = s.init.clone();
                let flag = self.fresh("skipping", span);
                if !take {
                    init.push(syn::parse_quote_spanned!(span=> let mut #flag = true;));
                }
                Stream {
                    item: Rc::new(move |d, p, pre| {
                        let it = item(d, p, pre)?;
                        let mut c = Vec::new();
                        let cond = d.apply(&f, vec![Item::Ref(Box::new(it.clone()))], &mut c)?;
                        if take {
                            pre.extend(c);
                            pre.push(syn::parse_quote_spanned!(span=> if !(#cond) { break; }));
                        } else {
                            pre.push(syn::parse_quote_spanned!(span=>
                                if #flag {
                                    #(#c)*
                                    if #cond { continue; }
                                    #flag = false;
                                }
                            ));
                        }
                        Ok(it)
                    }),
                    irregular: Some(if take { "take_while" } else { "skip_while" }),
                    breaks: s.breaks || take,
                    init,
                    ..s.clone()
                }
            }
            ("scan", [init, f]) => {
                let syn::Expr::Closure(mut c) = self.callable(f) else {
                    return Err(error(
                        f,
                        "`scan` over active values takes a closure (`|s, &v| { *s += v; Some(*s) }`)",
                    ));
                };
                let Some(state) = c.inputs.first().and_then(param_name) else {
                    return Err(error(
                        &c.inputs,
                        "the closure of `scan` over active values should name its state (`|s, &v| ..`)",
                    ));
                };
                Deref(&state).visit_expr_mut(&mut c.body);
                let f = syn::Expr::Closure(c);
                let st = self.fresh("state", span);
                let at = m.method.clone();
                let mut stmts = s.init.clone();
                stmts.push(syn::parse_quote_spanned!(span=> let mut #st = #init;));
                Stream {
                    item: Rc::new(move |d, p, pre| {
                        let it = item(d, p, pre)?;
                        let state = Item::Value(syn::parse_quote!(#st));
                        let body = d.apply(&f, vec![state, it], pre)?;
                        let v = some_value(&body, &quote!(break), &at, pre)?;
                        let m = d.fresh("m", span);
                        pre.push(syn::parse_quote!(let #m = #v;));
                        Ok(Item::Value(syn::parse_quote!(#m)))
                    }),
                    irregular: Some("scan"),
                    breaks: true,
                    init: stmts,
                    ..s.clone()
                }
            }
            ("cycle", []) => {
                let l = s.len.clone();
                Stream {
                    item: Rc::new(move |d, p, pre| item(d, &syn::parse_quote!((#p % #l)), pre)),
                    period: Some(s.len.clone()),
                    ..s.clone()
                }
            }
            ("chain" | "flat_map" | "filter_map" | "take_while" | "skip_while" | "scan", _)
            | ("flatten" | "cycle", _) => return Err(unsupported(m)),
            _ => return Ok(None),
        };
        Ok(Some(stream))
    }

    /// `a.chain(b)`: `a`'s items, then `b`'s: the item at `p` is `a`'s at
    /// `p` below `a`'s length, else `b`'s at `p - a.len()`.
    fn chained(
        &mut self,
        s: &Stream,
        other: &syn::Expr,
        m: &syn::ExprMethodCall,
    ) -> syn::Result<Stream> {
        let span = m.method.span();
        let o = match once(other) {
            Some(o) => o,
            None => match self.stream(other, true, true) {
                Some(o) => o?,
                None => return Err(unsupported(m)),
            },
        };
        for part in [s, &o] {
            if part.breaks || part.rows.is_some() || part.period.is_some() {
                return Err(error(
                    &m.method,
                    "`chain` of a chain with `take_while`, `scan`, `flat_map`, `flatten` or \
                     `cycle()` over active values is not supported: write a loop over each",
                ));
            }
        }
        let (la, lb) = (s.len.clone(), o.len.clone());
        let (ia, ib): (ItemAt, ItemAt) = (s.item.clone(), o.item.clone());
        let at = m.method.clone();
        let mut init = s.init.clone();
        init.extend(o.init.iter().cloned());
        let l = la.clone();
        Ok(Stream {
            len: syn::parse_quote_spanned!(span=> (#la + #lb)),
            item: Rc::new(move |d, p, pre| {
                let (mut pa, mut pb) = (Vec::new(), Vec::new());
                let a = ia(d, p, &mut pa)?;
                let b = ib(d, &syn::parse_quote!((#p - #l)), &mut pb)?;
                let (Some(va), Some(vb)) = (a.value(), b.value()) else {
                    return Err(error(&at, "`chain` of tuples over active values is not supported: `map` them to numbers first"));
                };
                if matches!(a, Item::Mut(_)) || matches!(b, Item::Mut(_)) {
                    return Err(error(
                        &at,
                        "`chain` of `iter_mut()` over active values is not supported: write a loop over each",
                    ));
                }
                // (A deferred `let`: a part's `filter` may `continue`.)
                let v = d.fresh("c", span);
                pre.push(syn::parse_quote_spanned!(span=> let #v;));
                pre.push(syn::parse_quote_spanned!(span=>
                    if #p < #l { #(#pa)* #v = #va; } else { #(#pb)* #v = #vb; }
                ));
                Ok(match a {
                    Item::Ref(_) => Item::Ref(Box::new(Item::Value(syn::parse_quote!(#v)))),
                    _ => Item::Value(syn::parse_quote!(#v)),
                })
            }),
            irregular: s.irregular.or(o.irregular),
            breaks: false,
            root: s.root.clone().or(o.root.clone()),
            init,
            period: None,
            rows: None,
        })
    }
}
