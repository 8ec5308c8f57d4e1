//! Consumers of a chain (`sum`, `product`, `fold`, `collect`, `count`,
//! `for_each`, `max_by`/`min_by`/`reduce(..).unwrap()`, `last`, `nth`,
//! `next`):
//! the loop over a stream (`iter.rs`) that computes its value.

use super::iter::*;
use super::subst::group;
use super::*;

impl Desugar<'_> {
    /// A chain with its consumer, computed by statements pushed to `pre`:
    /// the expression of its value.
    pub(super) fn chain(
        &mut self,
        e: &syn::Expr,
        pre: &mut Vec<syn::Stmt>,
        hint: Option<&syn::Type>,
    ) -> Option<syn::Expr> {
        let syn::Expr::MethodCall(m) = e else {
            return None;
        };
        if !matches!(
            m.method.to_string().as_str(),
            "sum" | "product" | "fold" | "collect" | "count" | "for_each" | "unwrap" | "map"
        ) {
            return None;
        }
        let acc = self.fresh("s", span_of(e));
        let (stmts, value) = self.consume(e, &acc, hint)?;
        pre.extend(stmts);
        Some(value)
    }

    /// `let name = <chain>;`: the loop accumulates into `name`.
    pub(super) fn chain_into(
        &mut self,
        e: &syn::Expr,
        name: &syn::Ident,
        ty: Option<&syn::Type>,
        pre: &mut Vec<syn::Stmt>,
    ) -> Option<Vec<syn::Stmt>> {
        let syn::Expr::MethodCall(m) = e else {
            return None;
        };
        if !matches!(
            m.method.to_string().as_str(),
            "sum" | "product" | "fold" | "collect" | "map"
        ) {
            return None;
        }
        let (stmts, value) = self.consume(e, name, ty)?;
        if !matches!(&value, syn::Expr::Path(p) if p.path.is_ident(name)) {
            // The value is not the accumulator itself (`(&acc)`, a count).
            pre.extend(stmts);
            let ty = ty.map(|t| quote!(: #t));
            return Some(vec![syn::parse_quote!(let #name #ty = #value;)]);
        }
        Some(stmts)
    }

    /// The statements computing a consumed chain into `acc`, and its value.
    fn consume(
        &mut self,
        e: &syn::Expr,
        acc: &syn::Ident,
        hint: Option<&syn::Type>,
    ) -> Option<(Vec<syn::Stmt>, syn::Expr)> {
        let syn::Expr::MethodCall(m) = e else {
            return None;
        };
        let name = m.method.to_string();
        // `.max_by(..).unwrap()`, `.max_by(..).copied().unwrap()`.
        let (m, by_value) = if name == "unwrap" && m.args.is_empty() {
            let (inner, copied) = match strip(&m.receiver) {
                syn::Expr::MethodCall(c)
                    if (c.method == "copied" || c.method == "cloned") && c.args.is_empty() =>
                {
                    (strip(&c.receiver), true)
                }
                r => (r, false),
            };
            match inner {
                syn::Expr::MethodCall(c)
                    if matches!(
                        c.method.to_string().as_str(),
                        "max_by" | "min_by" | "reduce" | "last" | "nth" | "next"
                    ) =>
                {
                    (c, copied)
                }
                _ => return None,
            }
        } else if matches!(
            name.as_str(),
            "sum" | "product" | "fold" | "collect" | "count" | "for_each"
        ) {
            (m, false)
        } else if name == "map" && m.args.len() == 1 && place(&m.receiver).is_some() {
            return self.array_map(m, acc);
        } else {
            return None;
        };
        // (Active when the closures read active values too; and a `scan`,
        // whose closure assigns through its state, is rewritten over
        // inactive values too: lowering takes no assignment in a closure.)
        let active = self.mentions_tainted(m) || scans(&m.receiver);
        let s = match self.stream(&m.receiver, false, active)? {
            Ok(s) => s,
            Err(err) => {
                self.errors.push(err);
                return Some((Vec::new(), syn::parse_quote!(0.0)));
            }
        };
        match self.consume_stream(m, s, acc, hint, by_value) {
            Ok(r) => Some(r),
            Err(err) => {
                self.errors.push(err);
                Some((Vec::new(), syn::parse_quote!(0.0)))
            }
        }
    }

    fn consume_stream(
        &mut self,
        m: &syn::ExprMethodCall,
        s: Stream,
        acc: &syn::Ident,
        hint: Option<&syn::Type>,
        by_value: bool,
    ) -> syn::Result<(Vec<syn::Stmt>, syn::Expr)> {
        let name = m.method.to_string();
        let span = m.method.span();
        let turbofish = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t.clone()),
            _ => None,
        });
        let ty = turbofish.or_else(|| hint.cloned());
        if s.period.is_some() {
            return Err(endless(&m.method));
        }
        let p = self.fresh("i", span);
        let pos: syn::Expr = syn::parse_quote!(#p);
        let len = s.len.clone();
        let mut out: Vec<syn::Stmt> = Vec::new();
        let mut body = Vec::new();
        let item = (s.item)(self, &pos, &mut body)?;
        let value = |item: &Item| {
            item.value().ok_or_else(|| {
                syn::Error::new_spanned(
                    &m.method,
                    format_args!("`{name}` of tuples: `map` them to numbers first"),
                )
            })
        };
        let annot = ty.as_ref().map(|t| quote!(: #t));
        let mut result: syn::Expr = syn::parse_quote!(#acc);
        let mut from = quote!(0);
        match name.as_str() {
            "sum" | "product" => {
                let unit = self.unit(ty.as_ref(), s.root.as_deref(), name == "product", span);
                // std's `Sum` for floats starts from `-0.0` (an empty sum is
                // `-0.0`, and `-0.0 + x` is `x` for every `x`, `0.0` too).
                let unit: syn::Expr = match &unit {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Float(_),
                        ..
                    }) if name == "sum" => syn::parse_quote_spanned!(span=> -0.0),
                    syn::Expr::Call(_) if name == "sum" => syn::parse_quote_spanned!(span=> -#unit),
                    _ => unit,
                };
                out.push(syn::parse_quote_spanned!(span=> let mut #acc #annot = #unit;));
                let v = value(&item)?;
                body.push(if name == "sum" {
                    syn::parse_quote_spanned!(span=> #acc += #v;)
                } else {
                    syn::parse_quote_spanned!(span=> #acc *= #v;)
                });
            }
            "count" => {
                if s.irregular.is_none() && s.rows.is_none() {
                    return Ok((Vec::new(), len));
                }
                out.push(syn::parse_quote_spanned!(span=> let mut #acc: usize = 0;));
                body.push(syn::parse_quote_spanned!(span=> #acc += 1;));
            }
            "fold" => {
                let (Some(init), Some(f)) = (m.args.first(), m.args.iter().nth(1)) else {
                    return Err(unsupported(m));
                };
                // The accumulator is differentiated as a whole: an integer
                // member has no cotangent.
                if let syn::Expr::Tuple(t) = strip(init) {
                    if let Some(n) = t.elems.iter().find(|e| {
                        matches!(strip(e), syn::Expr::Lit(l) if matches!(l.lit, syn::Lit::Int(_)))
                    }) {
                        return Err(syn::Error::new_spanned(
                            n,
                            "an integer member of a `fold` accumulator over active values is not \
                             supported: fold the numbers only and count apart (`x.len()`, or \
                             `.enumerate()` and the index + 1)",
                        ));
                    }
                }
                // `|a: f64, b| ..`: the closure's type of the accumulator
                // is what fixes the type of a bare `0.0` start.
                let annot = annot.or_else(|| match strip(f) {
                    syn::Expr::Closure(c) => match c.inputs.first() {
                        Some(syn::Pat::Type(pt)) => {
                            let t = &pt.ty;
                            Some(quote!(: #t))
                        }
                        _ => None,
                    },
                    _ => None,
                });
                let f = self.callable(f);
                out.push(syn::parse_quote_spanned!(span=> let mut #acc #annot = #init;));
                let v = self.apply(
                    &f,
                    vec![Item::Value(syn::parse_quote!(#acc)), item],
                    &mut body,
                )?;
                body.push(syn::parse_quote_spanned!(span=> #acc = #v;));
            }
            "for_each" => {
                let Some(f) = m.args.first() else {
                    return Err(unsupported(m));
                };
                let f = self.callable(f);
                let v = self.apply(&f, vec![item], &mut body)?;
                if !matches!(&v, syn::Expr::Tuple(t) if t.elems.is_empty()) {
                    // (`|v| s += v`: a statement.)
                    let v = match v {
                        syn::Expr::Group(g) => *g.expr,
                        v => v,
                    };
                    body.push(syn::Stmt::Expr(v, Some(Default::default())));
                }
                result = syn::parse_quote!(());
            }
            "collect" => {
                let vec = match &ty {
                    None => true,
                    Some(syn::Type::Path(p)) => {
                        p.path.segments.last().is_some_and(|s| s.ident == "Vec")
                    }
                    Some(syn::Type::Infer(_)) => true,
                    _ => false,
                };
                if !vec {
                    return Err(syn::Error::new_spanned(
                        &m.method,
                        "`collect` over active values collects into a `Vec` (`collect::<Vec<f64>>()`)",
                    ));
                }
                // `x.chunks_exact(3).collect()`: a `Vec` of sub-slices.
                if let Item::Ref(inner) = &item {
                    if let Item::Value(e) = &**inner {
                        if super::views::range_parts(e).is_some() {
                            let at = view_at(&m.receiver);
                            return Err(syn::Error::new_spanned(
                                &m.method,
                                format_args!(
                                    "a `Vec` of sub-slices of active values is not supported: \
                                     read the `i`-th one where it is used (`{at}`), or map \
                                     each one to what is computed from it (`.map(|p| ..)`)"
                                ),
                            ));
                        }
                    }
                }
                let annot = match &ty {
                    Some(syn::Type::Infer(_)) | None => None,
                    Some(t) => Some(quote!(: #t)),
                };
                out.push(
                    syn::parse_quote_spanned!(span=> let mut #acc #annot = ::std::vec::Vec::new();),
                );
                let v = value(&item)?;
                body.push(syn::parse_quote_spanned!(span=> #acc.push(#v);));
            }
            "last" | "nth" | "next" => {
                if let Some(after) = s.irregular {
                    return Err(syn::Error::new_spanned(
                        &m.method,
                        format_args!(
                            "`{name}` after `{after}` over active values is not supported: write \
                             an index loop that keeps the item (`for i in 0..x.len() {{ if .. {{ \
                             last = x[i]; }} }}`)"
                        ),
                    ));
                }
                let at: syn::Expr = match m.args.first() {
                    Some(k) if name == "nth" => syn::parse_quote!(#k),
                    None if name == "last" => syn::parse_quote!((#len - 1)),
                    None if name == "next" => syn::parse_quote!(0),
                    _ => return Err(unsupported(m)),
                };
                let mut pre = Vec::new();
                let it = (s.item)(self, &at, &mut pre)?;
                let result = if by_value { value(&it)? } else { it.expr() };
                let mut out = s.init.clone();
                out.extend(self.block(pre, false));
                return Ok((out, result));
            }
            "max_by" | "min_by" | "reduce" => {
                let Some(f) = m.args.first() else {
                    return Err(unsupported(m));
                };
                if let Some(after) = s.irregular {
                    return Err(syn::Error::new_spanned(
                        &m.method,
                        format_args!(
                            "`{name}` after `{after}` over active values is not supported: {}",
                            instead(after)
                        ),
                    ));
                }
                let f = self.callable(f);
                // The first item starts it.
                let mut first_pre = Vec::new();
                let first = (s.item)(self, &syn::parse_quote!(0), &mut first_pre)?;
                let v0 = value(&first)?;
                out.extend(first_pre);
                out.push(syn::parse_quote_spanned!(span=> let mut #acc = #v0;));
                let v = value(&item)?;
                // The accumulator in the shape of an item.
                let acc_item = match &item {
                    Item::Ref(_) => Item::Ref(Box::new(Item::Value(syn::parse_quote!(#acc)))),
                    _ => Item::Value(syn::parse_quote!(#acc)),
                };
                if name == "reduce" {
                    let r = self.apply(&f, vec![acc_item, item.clone()], &mut body)?;
                    body.push(syn::parse_quote_spanned!(span=> #acc = #r;));
                } else {
                    let c = self.apply(
                        &f,
                        vec![
                            Item::Ref(Box::new(acc_item)),
                            Item::Ref(Box::new(item.clone())),
                        ],
                        &mut body,
                    )?;
                    // As `Iterator::max_by`: the last of equal maxima, the
                    // first of equal minima.
                    let cond = if name == "max_by" {
                        quote!(#c != ::core::cmp::Ordering::Greater)
                    } else {
                        quote!(#c == ::core::cmp::Ordering::Greater)
                    };
                    body.push(syn::parse_quote_spanned!(span=> if #cond { #acc = #v; }));
                }
                from = quote!(1);
                if matches!(item, Item::Ref(_)) && !by_value && name != "reduce" {
                    result = group(syn::parse_quote!(&#acc));
                }
            }
            _ => return Err(unsupported(m)),
        }
        out.extend(self.looped(&s, &p, from, body, span));
        Ok((out, result))
    }

    /// `a.map(|v| ..)` on an array `[T; N]` parameter.
    fn array_map(
        &mut self,
        m: &syn::ExprMethodCall,
        acc: &syn::Ident,
    ) -> Option<(Vec<syn::Stmt>, syn::Expr)> {
        if !self.mentions_tainted(m) {
            return None;
        }
        let root = root_of(&m.receiver)?;
        let syn::Type::Array(a) = self.params.get(&root)? else {
            return None;
        };
        if !matches!(strip(&m.receiver), syn::Expr::Path(_)) {
            return None;
        }
        let (n, elem) = (a.len.clone(), (*a.elem).clone());
        let span = m.method.span();
        let zero = self.unit(Some(&elem), None, false, span);
        let f = self.callable(&m.args[0]);
        let b = &m.receiver;
        let p = self.fresh("i", span);
        let mut body = Vec::new();
        let v = match self.apply(&f, vec![Item::Value(syn::parse_quote!(#b[#p]))], &mut body) {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(e);
                return Some((Vec::new(), syn::parse_quote!(0.0)));
            }
        };
        body.push(syn::parse_quote_spanned!(span=> #acc[#p] = #v;));
        let body = self.block(body, false);
        Some((
            vec![
                syn::parse_quote_spanned!(span=> let mut #acc = [#zero; #n];),
                syn::parse_quote_spanned!(span=> for #p in 0..#n { #(#body)* }),
            ],
            syn::parse_quote!(#acc),
        ))
    }
}
