//! Iterator chains and `for` loops over containers, as index loops.
//!
//! A chain is a *stream*: a number of items and, for a position `p` (the
//! loop's index), the statements computing the item and the item itself
//! (`x[p]`, `&x[p]`, a tuple for `zip` and `enumerate`, a sub-slice for
//! `windows`). Adapters transform the stream (`rev`: position `len - 1 - p`;
//! `skip(k)`: `p + k`; `map(f)`: `let __ad_m = f's body;`); a consumer
//! (`sum`, `fold`, `collect`, `max_by`, ...) or a `for` loop turns it into
//! `for p in 0..len { .. }`.

use super::subst::group;
use super::*;
use std::rc::Rc;

pub(super) use super::items::{bind, Item};

pub(super) type ItemAt =
    Rc<dyn Fn(&mut Desugar, &syn::Expr, &mut Vec<syn::Stmt>) -> syn::Result<Item>>;

/// A stream of items: `len` of them, the one at a position given by `item`.
#[derive(Clone)]
pub(super) struct Stream {
    pub(super) len: syn::Expr,
    pub(super) item: ItemAt,
    /// The adapter after which positions no longer count items (`filter`
    /// drops some, `scan` must see each once and in order, `flat_map`
    /// loops over rows): positional adapters after it are an error.
    pub(super) irregular: Option<&'static str>,
    /// A `take_while` stops the loop with `break`.
    pub(super) breaks: bool,
    /// The parameter the items come from (for the type of a sum's zero).
    pub(super) root: Option<String>,
    /// Statements before the loop (`scan`'s state, `skip_while`'s flag).
    pub(super) init: Vec<syn::Stmt>,
    /// `cycle()`: the number of items repeated; the stream is endless
    /// (`len` means nothing) until a `take(n)`.
    pub(super) period: Option<syn::Expr>,
    /// `flat_map`, `flatten`: the loop over rows around the loop over a
    /// row's items (`len` and `item` read the row's position).
    pub(super) rows: Option<Rows>,
}

/// The outer loop of a flattened stream: `for pos in 0..len { pre; .. }`.
#[derive(Clone)]
pub(super) struct Rows {
    pub(super) pos: syn::Ident,
    pub(super) len: syn::Expr,
    pub(super) pre: Vec<syn::Stmt>,
}

impl Stream {
    pub(super) fn new(len: syn::Expr, item: ItemAt, root: Option<String>) -> Stream {
        Stream {
            len,
            item,
            irregular: None,
            breaks: false,
            root,
            init: Vec::new(),
            period: None,
            rows: None,
        }
    }
}

pub(super) fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

pub(super) fn root_of(e: &syn::Expr) -> Option<String> {
    match strip(e) {
        syn::Expr::Path(p) => p.path.get_ident().map(|i| i.unraw().to_string()),
        syn::Expr::Field(f) => root_of(&f.base),
        syn::Expr::Index(i) => root_of(&i.expr),
        syn::Expr::Reference(r) => root_of(&r.expr),
        _ => None,
    }
}

/// The receiver and method calls of a chain, innermost first.
fn flatten(e: &syn::Expr) -> (&syn::Expr, Vec<&syn::ExprMethodCall>) {
    let mut calls = Vec::new();
    let mut cur = e;
    while let syn::Expr::MethodCall(m) = strip(cur) {
        calls.push(m);
        cur = &m.receiver;
    }
    calls.reverse();
    (strip(cur), calls)
}

/// A container read by element: its base, the offset of its first
/// element, its length.
pub(super) fn place(e: &syn::Expr) -> Option<(syn::Expr, Option<TokenStream>, syn::Expr)> {
    let e = match strip(e) {
        syn::Expr::Reference(r) => strip(&r.expr),
        e => e,
    };
    if let Some((base, start, len)) = super::subst::range_index(e) {
        return Some((base, Some(start), syn::parse_quote!(#len)));
    }
    match e {
        syn::Expr::Path(_) | syn::Expr::Field(_) | syn::Expr::Index(_) => {
            Some((e.clone(), None, syn::parse_quote!(#e.len())))
        }
        _ => None,
    }
}

/// The `i`-th view of `x.chunks_exact(k)` (`windows`, `chunks`) as the
/// user would write it, for an error.
pub(super) fn view_at(e: &syn::Expr) -> String {
    let text = |e: &dyn ToTokens| e.to_token_stream().to_string().replace(' ', "");
    let syn::Expr::MethodCall(m) = strip(e) else {
        return "&x[k * i..k * i + k]".to_owned();
    };
    let (x, k) = match m.args.first() {
        Some(k) if m.args.len() == 1 => (text(&m.receiver), text(k)),
        _ => return "&x[k * i..k * i + k]".to_owned(),
    };
    match m.method.to_string().as_str() {
        "windows" => format!("&{x}[i..i + {k}]"),
        "chunks" => format!("&{x}[{k} * i..({k} * i + {k}).min({x}.len())]"),
        _ => format!("&{x}[{k} * i..{k} * i + {k}]"),
    }
}

const ADAPTERS: &str = "`iter`, `iter_mut`, `into_iter`, `copied`, `cloned`, `map`, `zip`, \
    `enumerate`, `rev`, `skip`, `take`, `step_by`, `filter`, `windows`, `chunks`, `chain`, \
    `flat_map`, `flatten`, `filter_map`, `take_while`, `skip_while`, `scan`, `cycle`";
const CONSUMERS: &str = "`sum`, `product`, `fold`, `collect` (into a `Vec`), `count`, \
    `for_each`, `max_by(..).unwrap()`, `min_by(..).unwrap()`, `reduce(..).unwrap()`, \
    `last().unwrap()`, `nth(k).unwrap()`";

pub(super) fn unsupported(m: &syn::ExprMethodCall) -> syn::Error {
    syn::Error::new_spanned(
        &m.method,
        format_args!(
            "`{}` in an iterator chain over active values is not supported: the supported adapters \
             are {ADAPTERS}, and the consumers {CONSUMERS}; otherwise write an index loop \
             (`for i in 0..x.len() {{ .. x[i] .. }}`)",
            m.method
        ),
    )
}

/// What to write instead of a positional adapter or consumer after
/// `after` (whose positions no longer count items).
pub(super) fn instead(after: &str) -> &'static str {
    match after {
        "filter" | "filter_map" | "skip_while" => {
            "write an index loop with an `if` (`for i in 0..x.len() { if .. { .. } }`)"
        }
        "take_while" => "write an index loop with a `break` (`for i in 0..x.len() { if .. { break; } .. }`)",
        "scan" => "write an index loop with the state in a local (`let mut s = 0.0; for i in 0..x.len() { s += x[i]; .. }`)",
        _ => "write the loops (`for r in m { for v in r { .. } }`)",
    }
}

/// Whether a chain has a `scan`.
pub(super) fn scans(e: &syn::Expr) -> bool {
    flatten(e).1.iter().any(|m| m.method == "scan")
}

/// `cycle()` never ends: an error at `at`.
pub(super) fn endless(at: &dyn ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        at,
        "`cycle()` over active values needs a `take(n)` after it (`w.iter().cycle().take(n)`), \
         or a `zip` with a finite chain",
    )
}

/// Whether a loop body has a `break` (of its own or of an inner loop).
fn mentions_break(b: &syn::Block) -> bool {
    fn walk(t: TokenStream) -> bool {
        t.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "break",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(b.to_token_stream())
}

impl Desugar<'_> {
    /// The stream of a container or of a chain without its consumer;
    /// `None` when `e` is not one this stage rewrites (a range, or a chain
    /// that reads no active value).
    /// (`force`: also one that reads no active value.)
    pub(super) fn stream(
        &mut self,
        e: &syn::Expr,
        for_loop: bool,
        force: bool,
    ) -> Option<syn::Result<Stream>> {
        if !force && !self.mentions_tainted(e) {
            return None;
        }
        let (base, calls) = flatten(e);
        let mut rest = &calls[..];
        let mut s = match base {
            syn::Expr::Range(r) if !for_loop => {
                if rest.first().is_some_and(|m| m.method == "into_iter") {
                    rest = &rest[1..];
                }
                let start = r.start.as_deref().cloned().unwrap_or(syn::parse_quote!(0));
                let end = r.end.as_deref().cloned()?;
                let end: syn::Expr = match r.limits {
                    syn::RangeLimits::HalfOpen(_) => end,
                    syn::RangeLimits::Closed(_) => syn::parse_quote!((#end + 1)),
                };
                let zero =
                    matches!(&start, syn::Expr::Lit(l) if l.to_token_stream().to_string() == "0");
                let len = if zero {
                    end
                } else {
                    syn::parse_quote!(usize::saturating_sub(#end, #start))
                };
                Stream::new(
                    len,
                    Rc::new(move |_, p, _| {
                        Ok(Item::Value(if zero {
                            p.clone()
                        } else {
                            syn::parse_quote!((#start + #p))
                        }))
                    }),
                    None,
                )
            }
            syn::Expr::Range(_) => return None,
            _ => {
                let first = rest.first().map(|m| m.method.to_string());
                let (kind, recv) = match first.as_deref() {
                    Some("iter") => ("ref", &*rest[0].receiver),
                    Some("into_iter") => (self.by_value(&rest[0].receiver), &*rest[0].receiver),
                    Some("iter_mut") => ("mut", &*rest[0].receiver),
                    Some("windows" | "chunks" | "chunks_exact") => ("view", &*rest[0].receiver),
                    None if for_loop => (self.by_value(base), base),
                    _ => return None,
                };
                let (b, off, len) = place(recv)?;
                let root = root_of(recv);
                let at = move |p: &syn::Expr| -> syn::Expr {
                    match &off {
                        Some(o) => syn::parse_quote!(#b[#o + #p]),
                        None => syn::parse_quote!(#b[#p]),
                    }
                };
                let s = match kind {
                    "view" => {
                        let m = rest[0];
                        let Some(k) = m.args.first().cloned() else {
                            return Some(Err(unsupported(m)));
                        };
                        let windows = m.method == "windows";
                        let exact = m.method == "chunks_exact";
                        let n = len.clone();
                        let count: syn::Expr = if windows {
                            syn::parse_quote!(usize::saturating_sub(#len + 1, #k))
                        } else if exact {
                            syn::parse_quote!(#len / #k)
                        } else {
                            syn::parse_quote!(#len.div_ceil(#k))
                        };
                        Stream::new(
                            count,
                            Rc::new(move |_, p, _| {
                                let lo: syn::Expr = if windows {
                                    syn::parse_quote!(#p)
                                } else {
                                    syn::parse_quote!(#p * #k)
                                };
                                let hi: syn::Expr = if windows || exact {
                                    syn::parse_quote!(#lo + #k)
                                } else {
                                    syn::parse_quote!(::core::cmp::min(#lo + #k, #n))
                                };
                                let (a, b) = (at(&lo), at(&hi));
                                let (syn::Expr::Index(a), syn::Expr::Index(b)) = (a, b) else {
                                    return Ok(Item::Value(syn::parse_quote!(0.0)));
                                };
                                let (base, lo, hi) = (&a.expr, &a.index, &b.index);
                                let slice: syn::Expr = syn::parse_quote!(#base[#lo..#hi]);
                                Ok(Item::Ref(Box::new(Item::Value(slice))))
                            }),
                            root,
                        )
                    }
                    kind => Stream::new(
                        len,
                        Rc::new(move |_, p, _| {
                            let e = at(p);
                            Ok(match kind {
                                "ref" => Item::Ref(Box::new(Item::Value(e))),
                                "mut" => Item::Mut(e),
                                _ => Item::Value(e),
                            })
                        }),
                        root,
                    ),
                };
                if first.is_some() {
                    rest = &rest[1..];
                }
                s
            }
        };
        for m in rest {
            s = match self.adapt(s, m) {
                Ok(s) => s,
                Err(e) => return Some(Err(e)),
            };
        }
        Some(Ok(s))
    }

    /// How a container iterated as it is (`for v in x`) gives its items:
    /// `&x` and a borrowed parameter by reference, an owned value by value.
    pub(super) fn by_value(&self, e: &syn::Expr) -> &'static str {
        match strip(e) {
            syn::Expr::Reference(r) if r.mutability.is_some() => "mut",
            syn::Expr::Reference(_) => "ref",
            syn::Expr::Path(p) => match p
                .path
                .get_ident()
                .map(|i| i.unraw().to_string())
                .map(|n| (self.params.get(&n), self.ref_locals.contains(&n)))
            {
                Some((Some(syn::Type::Reference(r)), _)) if r.mutability.is_some() => "mut",
                Some((Some(syn::Type::Reference(_)), _)) => "ref",
                // (A local reference: `let d: &[f64] = data;`.)
                Some((None, true)) => "ref",
                _ => "value",
            },
            _ => "ref",
        }
    }

    fn adapt(&mut self, s: Stream, m: &syn::ExprMethodCall) -> syn::Result<Stream> {
        let name = m.method.to_string();
        let arg = m.args.first().cloned();
        let positional = matches!(
            name.as_str(),
            "enumerate" | "zip" | "rev" | "skip" | "take" | "step_by" | "cycle"
        );
        if let (Some(after), true) = (s.irregular, positional) {
            return Err(syn::Error::new_spanned(
                &m.method,
                format_args!(
                    "`{name}` after `{after}` over active values is not supported: {}",
                    instead(after)
                ),
            ));
        }
        if s.period.is_some() && matches!(name.as_str(), "rev" | "cycle") {
            return Err(syn::Error::new_spanned(
                &m.method,
                format_args!(
                    "`{name}` after `cycle()` over active values is not supported: end the cycle \
                     with `take(n)` first (`w.iter().cycle().take(n)`)"
                ),
            ));
        }
        if let Some(s) = self.adapt_more(&s, m)? {
            return Ok(s);
        }
        let (len, item) = (s.len.clone(), s.item.clone());
        let span = m.method.span();
        let (len, item): (syn::Expr, ItemAt) = match (name.as_str(), arg) {
            ("copied" | "cloned", None) => (
                len,
                Rc::new(move |d, p, pre| {
                    Ok(match item(d, p, pre)? {
                        Item::Ref(i) => *i,
                        i => i,
                    })
                }),
            ),
            ("into_iter" | "iter", None) => (len, item),
            ("map", Some(f)) => {
                let f = self.callable(&f);
                (
                    len,
                    Rc::new(move |d, p, pre| {
                        let it = item(d, p, pre)?;
                        let body = d.apply(&f, vec![it], pre)?;
                        let v = d.fresh("m", span);
                        pre.push(syn::parse_quote!(let #v = #body;));
                        Ok(Item::Value(syn::parse_quote!(#v)))
                    }),
                )
            }
            ("filter", Some(f)) => {
                let f = self.callable(&f);
                return Ok(Stream {
                    item: Rc::new(move |d, p, pre| {
                        let it = item(d, p, pre)?;
                        let cond = d.apply(&f, vec![Item::Ref(Box::new(it.clone()))], pre)?;
                        pre.push(syn::parse_quote_spanned!(span=> if !(#cond) { continue; }));
                        Ok(it)
                    }),
                    irregular: Some("filter"),
                    ..s
                });
            }
            ("enumerate", None) => (
                len,
                Rc::new(move |d, p, pre| {
                    Ok(Item::Tuple(vec![Item::Value(p.clone()), item(d, p, pre)?]))
                }),
            ),
            ("zip", Some(other)) => {
                // (Also an inactive one: `w.iter()` beside an active `x`.)
                let other = match self.stream(&other, true, true) {
                    Some(s) => s?,
                    None => return Err(unsupported(m)),
                };
                if let Some(after) = other.irregular.or(other.rows.as_ref().map(|_| "flat_map")) {
                    return Err(syn::Error::new_spanned(
                        &m.method,
                        format_args!(
                            "`zip` with a chain that has `{after}` over active values is not \
                             supported: write an index loop"
                        ),
                    ));
                }
                let ol = other.len.clone();
                let oi = other.item.clone();
                let len = match (&s.period, &other.period) {
                    (Some(_), Some(_)) => return Err(unsupported(m)),
                    (Some(_), None) => ol,
                    (None, Some(_)) => len,
                    (None, None) => syn::parse_quote_spanned!(span=> ::core::cmp::min(#len, #ol)),
                };
                return Ok(Stream {
                    len,
                    item: Rc::new(move |d, p, pre| {
                        Ok(Item::Tuple(vec![item(d, p, pre)?, oi(d, p, pre)?]))
                    }),
                    period: None,
                    ..s
                });
            }
            ("rev", None) => {
                let l = len.clone();
                (
                    len,
                    Rc::new(move |d, p, pre| item(d, &syn::parse_quote!((#l - 1 - #p)), pre)),
                )
            }
            ("skip", Some(k)) => (
                syn::parse_quote_spanned!(span=> usize::saturating_sub(#len, #k)),
                Rc::new(move |d, p, pre| item(d, &syn::parse_quote!((#p + #k)), pre)),
            ),
            ("take", Some(k)) => match &s.period {
                // `w.iter().cycle().take(n)`: `n` items (none of an empty `w`).
                Some(l) => {
                    let len = syn::parse_quote_spanned!(span=> (if #l == 0 { 0 } else { #k }));
                    return Ok(Stream {
                        len,
                        period: None,
                        ..s
                    });
                }
                None => (
                    syn::parse_quote_spanned!(span=> ::core::cmp::min(#len, #k)),
                    item,
                ),
            },
            ("step_by", Some(k)) => (
                syn::parse_quote_spanned!(span=> #len.div_ceil(#k)),
                Rc::new(move |d, p, pre| item(d, &syn::parse_quote!((#p * #k)), pre)),
            ),
            _ => return Err(unsupported(m)),
        };
        Ok(Stream { len, item, ..s })
    }

    /// A closure argument: a local closure's name is replaced by the
    /// closure.
    pub(super) fn callable(&mut self, f: &syn::Expr) -> syn::Expr {
        match self.closure_expr(f) {
            Some(c) => syn::Expr::Closure(c),
            None => f.clone(),
        }
    }

    /// The value of `f(items..)`: a closure's body with its parameters
    /// bound (its statements go to `pre`), or a call of a function.
    pub(super) fn apply(
        &mut self,
        f: &syn::Expr,
        items: Vec<Item>,
        pre: &mut Vec<syn::Stmt>,
    ) -> syn::Result<syn::Expr> {
        let c = match strip(f) {
            syn::Expr::Closure(c) => c,
            f => {
                let args = items.iter().map(Item::expr);
                // Any expression may be called: `(a as F)(x)`, not `a as F(x)`.
                let f: syn::Expr = match f {
                    syn::Expr::Path(_) => f.clone(),
                    f => syn::parse_quote!((#f)),
                };
                return Ok(group(syn::parse_quote!(#f(#(#args),*))));
            }
        };
        if c.inputs.len() != items.len() {
            return Err(syn::Error::new_spanned(
                &c.inputs,
                format_args!("this closure should take {} argument(s)", items.len()),
            ));
        }
        let mut map = HashMap::default();
        for (pat, item) in c.inputs.iter().zip(items) {
            bind(pat, item, &mut map, pre)?;
        }
        let mut stmts = match &*c.body {
            syn::Expr::Block(b) if b.label.is_none() => b.block.stmts.clone(),
            body => vec![syn::Stmt::Expr(body.clone(), None)],
        };
        self.substitute(map, &mut stmts);
        self.rename_lets(&mut stmts);
        match stmts.pop() {
            Some(syn::Stmt::Expr(tail, None)) => {
                pre.extend(stmts);
                Ok(group(tail))
            }
            Some(s) => {
                pre.extend(stmts);
                pre.push(s);
                Ok(syn::parse_quote!(()))
            }
            None => Ok(syn::parse_quote!(())),
        }
    }

    /// `for pat in <container or chain> { body }` as an index loop.
    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> Option<Vec<syn::Stmt>> {
        // (Over an array literal: over a local bound to it, `literals.rs`.)
        if let Some(stmts) = self.literal_loop(f) {
            return Some(stmts);
        }
        // A pattern other than a name (`for &v in w`) is desugared even
        // over inactive values: lowering binds names only.
        // So is a loop that writes through its pattern (`for e in &mut w`).
        let writes = match strip(&f.expr) {
            syn::Expr::Reference(r) => r.mutability.is_some(),
            syn::Expr::MethodCall(m) => m.method == "iter_mut",
            _ => false,
        };
        // And one over inactive references read in active arithmetic
        // (`for x in data { s += x * mu; }`, see `refs.rs`).
        let refs = match self.inactive_refs(f) {
            Ok(refs) => refs,
            Err(e) => {
                self.errors.push(e);
                return Some(Vec::new());
            }
        };
        let force = writes
            || refs
            || scans(&f.expr)
            || !matches!(&*f.pat, syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none());
        let s = match self.stream(&f.expr, true, force)? {
            Ok(s) => s,
            Err(e) => {
                self.errors.push(e);
                return Some(Vec::new());
            }
        };
        let span = f.for_token.span;
        if s.period.is_some() {
            self.errors.push(endless(&f.expr));
            return Some(Vec::new());
        }
        // (`break` in the loop over a row would go on with the next row.)
        if s.rows.is_some() && (f.label.is_some() || mentions_break(&f.body)) {
            self.error(
                &f.expr,
                "`break` or a label in a `for` loop over `flat_map` or `flatten` of active values \
                 is not supported: write the two loops (`for r in m { for v in r { .. } }`)",
            );
            return Some(Vec::new());
        }
        let p = self.fresh("i", span);
        let pos: syn::Expr = syn::parse_quote!(#p);
        let mut body = Vec::new();
        let item = match (s.item)(self, &pos, &mut body) {
            Ok(i) => i,
            Err(e) => {
                self.errors.push(e);
                return Some(Vec::new());
            }
        };
        let mut map = HashMap::default();
        if let Err(e) = bind(&f.pat, item, &mut map, &mut body) {
            self.errors.push(e);
            return Some(Vec::new());
        }
        let mut user = f.body.stmts.clone();
        self.substitute(map, &mut user);
        body.extend(user);
        if s.rows.is_some() {
            return Some(self.looped(&s, &p, quote!(0), body, span));
        }
        let body = self.block(body, false);
        let (attrs, label, len) = (&f.attrs, &f.label, &s.len);
        let mut out = s.init.clone();
        out.push(syn::parse_quote_spanned!(span=>
            #(#attrs)* #label for #p in 0..#len { #(#body)* }
        ));
        Some(out)
    }

    /// `for p in from..len { body }` over a stream, after its `init`
    /// statements, inside the loop over its rows.
    pub(super) fn looped(
        &mut self,
        s: &Stream,
        p: &syn::Ident,
        from: TokenStream,
        body: Vec<syn::Stmt>,
        span: Span,
    ) -> Vec<syn::Stmt> {
        let body = self.block(body, false);
        let len = &s.len;
        let inner: syn::Stmt =
            syn::parse_quote_spanned!(span=> for #p in #from..#len { #(#body)* });
        let mut out = s.init.clone();
        match &s.rows {
            None => out.push(inner),
            Some(rows) => {
                let mut pre = self.block(rows.pre.clone(), false);
                pre.push(inner);
                let (r, n) = (&rows.pos, &rows.len);
                out.push(syn::parse_quote_spanned!(span=> for #r in 0..#n { #(#pre)* }));
            }
        }
        out
    }
}

/// `tokens` with every token's span set to `span`.
pub(super) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut n = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                n.set_span(span);
                tt = proc_macro2::TokenTree::Group(n);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
