//! The runtime's path named once per body: the generated bodies reach their
//! rules as `::ad::__rt::mul(..)`, eight tokens before the rule's name at
//! every use (a sixth of an expansion's tokens). In the body of each
//! generated function that names it more than once, `use ::ad::__rt;`
//! comes first and the uses read
//! `__rt::mul(..)` (the same item: what is compiled is unchanged, and each
//! use keeps its span, the user expression's). Signatures keep the full
//! path, which a body's `use` does not reach.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// `items` (generated functions and consts), with the body of each `fn`
/// rewritten where it names the runtime.
pub fn shorten(items: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut in_fn = false;
    // `<`..`>` of generics, which may hold a const argument's braces.
    let mut angles = 0usize;
    let mut prev_minus = false;
    for t in items {
        let mut t = t;
        match &t {
            TokenTree::Ident(i) if i == "fn" => {
                in_fn = true;
                angles = 0;
            }
            TokenTree::Punct(p) if in_fn && p.as_char() == '<' => angles += 1,
            // (Not the `>` of `->`.)
            TokenTree::Punct(p) if in_fn && p.as_char() == '>' && !prev_minus => {
                angles = angles.saturating_sub(1)
            }
            TokenTree::Group(g) if in_fn && angles == 0 && g.delimiter() == Delimiter::Brace => {
                in_fn = false;
                let (body, uses) = rewrite(g.stream());
                // (With one use, the `use` would cost more than it saves.)
                if uses > 1 {
                    let mut trees: Vec<TokenTree> = body.into_iter().collect();
                    let rest = trees.split_off(inner_attrs(&trees));
                    let mut inner: TokenStream = trees.into_iter().collect();
                    inner.extend(quote::quote!(
                        use ::ad::__rt;
                    ));
                    inner.extend(rest);
                    let mut ng = Group::new(Delimiter::Brace, inner);
                    ng.set_span(g.span());
                    t = TokenTree::Group(ng);
                }
            }
            _ => {}
        }
        prev_minus = matches!(&t, TokenTree::Punct(p) if p.as_char() == '-' && p.spacing() == Spacing::Joint);
        out.push(t);
    }
    out.into_iter().collect()
}

/// The number of tokens of a body's leading inner attributes (`#![..]`),
/// which must stay first.
fn inner_attrs(trees: &[TokenTree]) -> usize {
    let mut n = 0;
    while let [TokenTree::Punct(a), TokenTree::Punct(b), TokenTree::Group(_), ..] = &trees[n..] {
        if a.as_char() != '#' || b.as_char() != '!' {
            break;
        }
        n += 3;
    }
    n
}

/// `tokens` with every `::ad::__rt::` as `__rt::` (at any depth), and
/// how many there were.
fn rewrite(tokens: TokenStream) -> (TokenStream, usize) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut uses = 0;
    let mut i = 0;
    while i < trees.len() {
        if let Some(span) = runtime_path(&trees[i..]) {
            out.push(TokenTree::Ident(Ident::new("__rt", span)));
            out.push(colon(Spacing::Joint, span));
            out.push(colon(Spacing::Alone, span));
            uses += 1;
            i += 8;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) => {
                let (inner, n) = rewrite(g.stream());
                uses += n;
                let mut ng = Group::new(g.delimiter(), inner);
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            t => out.push(t.clone()),
        }
        i += 1;
    }
    (out.into_iter().collect(), uses)
}

fn colon(spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(':', spacing);
    p.set_span(span);
    TokenTree::Punct(p)
}

/// The span of `__rt` if `t` starts with `:: ad :: __rt ::`.
fn runtime_path(t: &[TokenTree]) -> Option<Span> {
    let colons = |a: &TokenTree, b: &TokenTree| {
        matches!((a, b), (TokenTree::Punct(a), TokenTree::Punct(b))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':')
    };
    match t {
        [a, b, TokenTree::Ident(ad), c, d, TokenTree::Ident(rt), e, f, ..]
            if colons(a, b) && colons(c, d) && colons(e, f) && ad == "ad" && rt == "__rt" =>
        {
            Some(rt.span())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;
    use quote::quote;

    #[test]
    fn bodies_name_the_runtime_once() {
        let items = quote! {
            fn f<const N: usize>(x: [f64; N]) -> Foo<{ N }> where T: ::ad::__rt::Real {
                #![allow(unused)]
                let y = ::ad::__rt::mul(&x, &::ad::__rt::one());
                (y, <T as ::ad::__rt::Real>::ZERO)
            }
            const M: ::ad::__rt::call::Found = ::ad::__rt::call::Found;
            fn g() -> f64 { ::ad::__rt::one() }
        };
        let want = quote! {
            fn f<const N: usize>(x: [f64; N]) -> Foo<{ N }> where T: ::ad::__rt::Real {
                #![allow(unused)]
                use ::ad::__rt;
                let y = __rt::mul(&x, &__rt::one());
                (y, <T as __rt::Real>::ZERO)
            }
            const M: ::ad::__rt::call::Found = ::ad::__rt::call::Found;
            fn g() -> f64 { ::ad::__rt::one() }
        };
        assert_eq!(shorten(items).to_string(), want.to_string());
    }
}
