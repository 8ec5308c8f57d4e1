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
                // (With one use, the `use` would cost more than it saves.)
                if let Some((mut trees, 2..)) = rewrite_trees(g.stream()) {
                    let at = inner_attrs(&trees);
                    trees.splice(at..at, use_runtime());
                    let inner: TokenStream = trees.into_iter().collect();
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

/// `tokens` with every `::ad::__rt::` as `__rt::` (at any depth), as
/// trees, and how many there were; `None` if there were none. A group
/// without one is kept as it is: in a macro invocation, rebuilding a stream
/// sends all its tokens to the compiler again.
fn rewrite_trees(tokens: TokenStream) -> Option<(Vec<TokenTree>, usize)> {
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
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
        // (Taken, not cloned: the paths looked for are ahead of `i`.)
        let t = std::mem::replace(&mut trees[i], colon(Spacing::Alone, Span::call_site()));
        match t {
            TokenTree::Group(g) => match rewrite_trees(g.stream()) {
                Some((inner, n)) => {
                    uses += n;
                    let mut ng = Group::new(g.delimiter(), inner.into_iter().collect());
                    ng.set_span(g.span());
                    out.push(TokenTree::Group(ng));
                }
                None => out.push(TokenTree::Group(g)),
            },
            t => out.push(t),
        }
        i += 1;
    }
    (uses > 0).then_some((out, uses))
}

/// `use ::ad::__rt;`
fn use_runtime() -> [TokenTree; 8] {
    let span = Span::call_site();
    let ident = |s: &str| TokenTree::Ident(Ident::new(s, span));
    let mut semi = Punct::new(';', Spacing::Alone);
    semi.set_span(span);
    [
        ident("use"),
        colon(Spacing::Joint, span),
        colon(Spacing::Alone, span),
        ident("ad"),
        colon(Spacing::Joint, span),
        colon(Spacing::Alone, span),
        ident("__rt"),
        TokenTree::Punct(semi),
    ]
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
