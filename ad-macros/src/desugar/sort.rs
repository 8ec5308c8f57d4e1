//! Sorting an active array in place by a comparator becomes sorting a
//! permutation of its indices by the values, which is inactive, and the
//! gather of the values back, which lowering differentiates:
//!
//! ```text
//! v.sort_by(|a, b| a.total_cmp(b));
//! // becomes
//! let mut __ad_p1: Vec<usize> = (0..v.len()).collect();
//! __ad_p1.sort_by(|&__ad_i2, &__ad_j3| { let a = &v[__ad_i2]; let b = &v[__ad_j3]; a.total_cmp(b) });
//! let __ad_s4 = v.to_vec();
//! for __ad_k5 in 0..v.len() { v[__ad_k5] = __ad_s4[__ad_p1[__ad_k5]]; }
//! ```
//!
//! The comparator's parameters are bound to references to the elements, as
//! `sort_by` passes them, so its body is kept as written. Comparators:
//! closures of two parameters (local ones too) and `f64::total_cmp`. Only for `sort_by` and `sort_unstable_by` as
//! statements on a local array, `Vec`, array or `Vec` parameter that may hold
//! active values; other sorts stay as written (lowering reports those of
//! active arrays).

use super::views::strip;
use super::*;

impl Desugar<'_> {
    /// `v.sort_by(cmp);` on an active array: the permutation sorted and
    /// the gather.
    pub(super) fn sort_stmt(&mut self, stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
        let syn::Stmt::Expr(syn::Expr::MethodCall(mc), _) = stmt else {
            return None;
        };
        if !matches!(
            mc.method.to_string().as_str(),
            "sort_by" | "sort_unstable_by"
        ) || mc.args.len() != 1
            || mc.turbofish.is_some()
        {
            return None;
        }
        let syn::Expr::Path(recv) = strip(&mc.receiver) else {
            return None;
        };
        let v = recv.path.get_ident()?.clone();
        let name = v.unraw().to_string();
        let array = self.indexable.contains(&name) && !self.ref_locals.contains(&name)
            || self.params.get(&name).is_some_and(|t| match t {
                syn::Type::Array(_) => true,
                // (an owned `mut v: Vec<f64>` parameter is a local)
                syn::Type::Path(p) => {
                    p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Vec")
                }
                _ => false,
            });
        if !array || !self.tainted.contains(&name) {
            return None;
        }
        let span = mc.method.span();
        let method = &mc.method;
        let p = self.fresh("p", span);
        let i = self.fresh("i", span);
        let j = self.fresh("j", span);
        let s = self.fresh("s", span);
        let k = self.fresh("k", span);
        let given = &mc.args[0];
        let local = self.closure_expr(given);
        let cmp: syn::Expr = match local.as_ref().or(match strip(given) {
            syn::Expr::Closure(c) => Some(c),
            _ => None,
        }) {
            Some(c) if c.inputs.len() == 2 && c.asyncness.is_none() => {
                // The parameters are `&v[i]`, `&v[j]` (`|&a, &b|`: `v[i]`).
                let mut map = HashMap::default();
                let mut lets = Vec::new();
                for (pat, k) in c.inputs.iter().zip([&i, &j]) {
                    let item = iter::Item::Ref(Box::new(iter::Item::Value(
                        syn::parse_quote_spanned!(span=> #v[#k]),
                    )));
                    if let Err(e) = iter::bind(pat, item, &mut map, &mut lets) {
                        self.errors.push(e);
                        return None;
                    }
                }
                let mut stmts = match &*c.body {
                    syn::Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => {
                        b.block.stmts.clone()
                    }
                    body => vec![syn::Stmt::Expr(body.clone(), None)],
                };
                self.substitute(map, &mut stmts);
                lets.extend(stmts);
                let lets = self.folded(lets);
                // (Lowering would report the sort of an active array.)
                if lets.len() > 1 {
                    self.error(
                        &lets[0],
                        format_args!(
                            "a `{method}` comparator of an active array compares values: its \
                             `let`s of one name (not `mut`) are put in place of their uses, \
                             other statements are not supported; write the comparison as one \
                             expression (`|a, b| key(a).total_cmp(&key(b))`, `key` a \
                             function)"
                        ),
                    );
                    return Some(Vec::new());
                }
                let output = &c.output;
                match (&lets[..], output) {
                    ([syn::Stmt::Expr(body, None)], syn::ReturnType::Default) => {
                        syn::parse_quote_spanned!(span=> |&#i, &#j| #body)
                    }
                    _ => syn::parse_quote_spanned!(span=> |&#i, &#j| #output { #(#lets)* }),
                }
            }
            Some(_) => return None,
            None => match strip(given) {
                // `f64::total_cmp`, as the method (whose result lowering
                // knows carries no derivative).
                syn::Expr::Path(f)
                    if f.path.segments.len() >= 2
                        && f.path
                            .segments
                            .last()
                            .is_some_and(|s| s.ident == "total_cmp") =>
                {
                    syn::parse_quote_spanned!(span=> |&#i, &#j| #v[#i].total_cmp(&#v[#j]))
                }
                _ => return None,
            },
        };
        Some(syn::parse_quote_spanned! {span=>
            let mut #p: ::std::vec::Vec<usize> = (0..#v.len()).collect();
            #p.#method(#cmp);
            let #s = #v.to_vec();
            for #k in 0..#v.len() {
                #v[#k] = #s[#p[#k]];
            }
        })
    }
}

impl Desugar<'_> {
    /// A comparator's body with its leading `let`s of one name (not `mut`)
    /// put in place of their uses: `{ let ka = a * a; ka.total_cmp(&(b * b)) }`
    /// becomes `(a * a).total_cmp(&(b * b))`. A comparison carries no
    /// derivative, and lowering keeps one as written, however it reads the
    /// array; a body with statements it would lower.
    fn folded(&mut self, mut stmts: Vec<syn::Stmt>) -> Vec<syn::Stmt> {
        while stmts.len() > 1 {
            let syn::Stmt::Local(l) = &stmts[0] else {
                break;
            };
            let mutable = matches!(&l.pat, syn::Pat::Ident(i) if i.mutability.is_some())
                || matches!(&l.pat, syn::Pat::Type(t)
                    if matches!(&*t.pat, syn::Pat::Ident(i) if i.mutability.is_some()));
            let (Some(name), Some(init), false) = (simple_binding(&l.pat), &l.init, mutable) else {
                break;
            };
            if init.diverge.is_some() {
                break;
            }
            let mut map = HashMap::default();
            map.insert(
                name.unraw().to_string(),
                super::subst::group((*init.expr).clone()),
            );
            stmts.remove(0);
            self.substitute(map, &mut stmts);
        }
        stmts
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Errors;
    use crate::parse::{Model, Options};
    use quote::ToTokens;

    fn desugared(f: syn::ItemFn, args: proc_macro2::TokenStream) -> String {
        let mut errors = Errors::default();
        let options = Options::parse(args).expect("valid options");
        let model = Model::from_syn(&f, &options, &mut errors);
        let (item, _) = super::super::desugar(&model, &mut errors);
        assert!(errors.is_empty());
        item.block.to_token_stream().to_string()
    }

    #[test]
    fn an_active_sort_becomes_a_sorted_permutation_and_its_gather() {
        let body = desugared(
            syn::parse_quote! {
                fn f(x: &[f64]) -> f64 {
                    let mut v = x.to_vec();
                    v.sort_by(|a, b| b.partial_cmp(a).unwrap());
                    v[0]
                }
            },
            quote::quote!(),
        );
        assert!(
            body.contains(". sort_by (| & __ad_i2 , & __ad_j3 |"),
            "{body}"
        );
        assert!(
            body.contains("v [__ad_k5] = __ad_s4 [__ad_p1 [__ad_k5]]"),
            "{body}"
        );
    }

    #[test]
    fn an_inactive_sort_stays_as_written() {
        let body = desugared(
            syn::parse_quote! {
                fn f(x: f64, data: &[f64]) -> f64 {
                    let mut d = data.to_vec();
                    d.sort_by(|a, b| a.total_cmp(b));
                    x * d[0]
                }
            },
            quote::quote!(wrt(x)),
        );
        assert!(
            body.contains("d . sort_by (| a , b | a . total_cmp (b)) ;"),
            "{body}"
        );
        assert!(!body.contains("__ad_p"), "{body}");
    }
}
