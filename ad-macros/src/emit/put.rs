//! Writing tokens into one stream.
//!
//! `quote!` returns a new `TokenStream`, and interpolating one stream in
//! another copies it: an emitter that builds each expression, statement and
//! block as a stream of its own and interpolates it in its parent's copies
//! every token once per level it is nested in, and in a real macro
//! invocation each copy is a round trip to the compiler (the proc-macro
//! bridge concatenates the streams on the compiler's side). That was a
//! quarter of the instructions of a `dev` build of a crate of differentiated
//! functions. [`put!`] writes the tokens of a `quote!`-like template into a
//! stream it is given, and [`Lazy`] is a value that writes itself when
//! interpolated: the emitter's parts write straight into the stream of the
//! function body, and only a `{ .. }`, `( .. )` or `[ .. ]` group makes a
//! stream of its own, once.
//!
//! Templates take what `quote!` takes, less the forms the emitter does not
//! use: tokens, groups, `#var`, and `#(#var),*`, `#(#var,)*`, `#(#var)*`.
//! Every token carries the given span, as with `quote_spanned!`.

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

/// Tokens written by a closure when interpolated (in `put!` or `quote!`).
pub(crate) struct Lazy<F>(pub(crate) F);

impl<F: Fn(&mut TokenStream)> ToTokens for Lazy<F> {
    fn to_tokens(&self, out: &mut TokenStream) {
        (self.0)(out)
    }
}

/// A [`Lazy`] (a function with its parameter's type given).
pub(crate) fn lazy<F: Fn(&mut TokenStream)>(f: F) -> Lazy<F> {
    Lazy(f)
}

/// `put!(out, span => template)`: writes the template's tokens into `out`
/// (a `&mut TokenStream`), spanned at `span`.
macro_rules! put {
    ($out:expr, $span:expr => $($tt:tt)*) => {{
        let out: &mut ::proc_macro2::TokenStream = $out;
        let span: ::proc_macro2::Span = $span;
        $crate::emit::put::put_each!(out span $($tt)*);
    }};
}

macro_rules! put_each {
    ($out:ident $span:ident) => {};
    ($out:ident $span:ident # ( # $v:ident ) , * $($rest:tt)*) => {
        $crate::emit::put::separated($out, $span, $v, false);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident # ( # $v:ident , ) * $($rest:tt)*) => {
        $crate::emit::put::separated($out, $span, $v, true);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident # ( # $v:ident ) * $($rest:tt)*) => {
        for v in $v {
            ::quote::ToTokens::to_tokens(&v, $out);
        }
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident # $v:ident $($rest:tt)*) => {
        ::quote::ToTokens::to_tokens(&$v, $out);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident ( $($inner:tt)* ) $($rest:tt)*) => {
        $crate::emit::put::put_group!($out $span Parenthesis $($inner)*);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident [ $($inner:tt)* ] $($rest:tt)*) => {
        $crate::emit::put::put_group!($out $span Bracket $($inner)*);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident { $($inner:tt)* } $($rest:tt)*) => {
        $crate::emit::put::put_group!($out $span Brace $($inner)*);
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
    ($out:ident $span:ident $t:tt $($rest:tt)*) => {
        $crate::emit::put::leaf($out, $span, stringify!($t));
        $crate::emit::put::put_each!($out $span $($rest)*);
    };
}

macro_rules! put_group {
    ($out:ident $span:ident $delimiter:ident $($inner:tt)*) => {{
        let mut inner = ::proc_macro2::TokenStream::new();
        {
            #[allow(unused_variables)]
            let o = &mut inner;
            $crate::emit::put::put_each!(o $span $($inner)*);
        }
        $crate::emit::put::group($out, $span, ::proc_macro2::Delimiter::$delimiter, inner);
    }};
}

pub(crate) use {put, put_each, put_group};

/// One token of a template, from its text: an identifier or keyword, a
/// literal, or an operator (its characters joined, as the lexer would).
/// (Read by its bytes: unoptimised, `chars()` is calls per character, and
/// this runs for every token the emitter writes.)
pub(crate) fn leaf(out: &mut TokenStream, span: Span, text: &str) {
    let bytes = text.as_bytes();
    match bytes.first().copied().unwrap_or(b' ') {
        b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
            out.extend([TokenTree::Ident(Ident::new(text, span))]);
        }
        b'0'..=b'9' | b'"' => {
            if let Ok(mut lit) = text.parse::<Literal>() {
                lit.set_span(span);
                out.extend([TokenTree::Literal(lit)]);
            }
        }
        b'\'' => {
            out.extend([
                punct('\'', Spacing::Joint, span),
                TokenTree::Ident(Ident::new(&text[1..], span)),
            ]);
        }
        0x80.. => leaf_unicode(out, span, text),
        // An operator: ASCII, one to three characters.
        _ => {
            let spacing = |i: usize| {
                if i + 1 < bytes.len() {
                    Spacing::Joint
                } else {
                    Spacing::Alone
                }
            };
            match *bytes {
                [a] => out.extend([punct(a as char, Spacing::Alone, span)]),
                [a, b] => out.extend([
                    punct(a as char, Spacing::Joint, span),
                    punct(b as char, Spacing::Alone, span),
                ]),
                _ => out.extend(
                    bytes
                        .iter()
                        .enumerate()
                        .map(|(i, &c)| punct(c as char, spacing(i), span)),
                ),
            }
        }
    }
}

/// [`leaf`] of a token that starts with a character beyond ASCII.
fn leaf_unicode(out: &mut TokenStream, span: Span, text: &str) {
    let first = text.chars().next().unwrap_or(' ');
    if first.is_alphabetic() {
        out.extend([TokenTree::Ident(Ident::new(text, span))]);
    } else {
        let n = text.chars().count();
        out.extend(text.chars().enumerate().map(|(i, c)| {
            let spacing = if i + 1 < n {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            punct(c, spacing, span)
        }));
    }
}

fn punct(c: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(c, spacing);
    p.set_span(span);
    TokenTree::Punct(p)
}

/// A group around the tokens written in `inner`.
pub(crate) fn group(out: &mut TokenStream, span: Span, delimiter: Delimiter, inner: TokenStream) {
    let mut g = Group::new(delimiter, inner);
    g.set_span(span);
    out.extend([TokenTree::Group(g)]);
}

/// `#(#items),*` (or `,` after each with `terminated`).
pub(crate) fn separated<T: ToTokens>(
    out: &mut TokenStream,
    span: Span,
    items: impl IntoIterator<Item = T>,
    terminated: bool,
) {
    let comma = || {
        let mut p = Punct::new(',', Spacing::Alone);
        p.set_span(span);
        TokenTree::Punct(p)
    };
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 && !terminated {
            out.extend([comma()]);
        }
        item.to_tokens(out);
        if terminated {
            out.extend([comma()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{quote, quote_spanned};

    /// A template writes the tokens `quote_spanned!` makes of it.
    #[test]
    fn the_tokens_of_quote() {
        let span = Span::call_site();
        let (a, b) = (quote!(x_bar), quote!(t_1 * 2.0));
        let args = vec![quote!(&a), quote!(&b)];
        let (first, second) = (args.iter(), args.iter());
        let mut out = TokenStream::new();
        put!(&mut out, span => ::ad::__rt::mul::vjp_a(#(#first),*) += -#a .. #b; let mut y: [f64; 2] = [0.0; 2]; (#(#second,)*) 'a: loop {} _ => x as usize != 1 ..= y <<= 2 >>= 1);
        let want = quote_spanned!(span=> ::ad::__rt::mul::vjp_a(#(#args),*) += -#a .. #b; let mut y: [f64; 2] = [0.0; 2]; (#(#args,)*) 'a: loop {} _ => x as usize != 1 ..= y <<= 2 >>= 1);
        assert_eq!(out.to_string(), want.to_string());
        let lazy = Lazy(|o: &mut TokenStream| put!(o, span => f(#a)));
        assert_eq!(
            quote!(#lazy + 1).to_string(),
            quote!(f(x_bar) + 1).to_string()
        );
    }
}
