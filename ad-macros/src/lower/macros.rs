//! Macros that observe values: `assert!` and its kin, `print!` and its kin,
//! `format!`. They are kept verbatim (local names renamed to their
//! versions, names captured by the format string passed as named arguments)
//! as inactive statements: in the primal and in every forward sweep, never
//! differentiated, never in a reverse sweep.

use super::*;
use syn::punctuated::Punctuated;

/// The position of the format string among the arguments of a macro that
/// only observes values, or `None` for any other macro.
pub(super) fn observing(mac: &syn::Macro) -> Option<usize> {
    let segs: Vec<&syn::PathSegment> = mac.path.segments.iter().collect();
    let (last, owners) = segs.split_last()?;
    if !owners
        .iter()
        .all(|s| matches!(s.ident.to_string().as_str(), "std" | "core" | "alloc"))
    {
        return None;
    }
    Some(match last.ident.to_string().as_str() {
        "print" | "println" | "eprint" | "eprintln" | "format" => 0,
        "assert" | "debug_assert" => 1,
        "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => 2,
        _ => return None,
    })
}

/// `matches!(e, pat if guard)` (or `std::matches!`, `core::matches!`) as
/// the `match` it stands for: a `bool`, kept verbatim as any inactive
/// `match` is.
pub(super) fn matches_as_match(mac: &syn::Macro) -> Option<syn::Expr> {
    let owners = &mac.path.segments;
    let (last, owners) = (owners.last()?, owners.iter().rev().skip(1));
    if last.ident != "matches"
        || !owners
            .into_iter()
            .all(|s| matches!(s.ident.to_string().as_str(), "std" | "core"))
    {
        return None;
    }
    let parser = |input: syn::parse::ParseStream| {
        let e: syn::Expr = input.parse()?;
        input.parse::<syn::Token![,]>()?;
        let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
        let guard = match input.parse::<Option<syn::Token![if]>>()? {
            Some(i) => {
                let g: syn::Expr = input.parse()?;
                Some(quote!(#i #g))
            }
            None => None,
        };
        input.parse::<Option<syn::Token![,]>>()?;
        Ok(quote!(match #e { #pat #guard => true, _ => false }))
    };
    let tokens = syn::parse::Parser::parse2(parser, mac.tokens.clone()).ok()?;
    syn::parse2(tokens).ok()
}

/// Replaces the `matches!` in verbatim code by their `match`es.
pub(super) struct ExpandMatches;

impl VisitMut for ExpandMatches {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Macro(m) = e {
            if let Some(new) = matches_as_match(&m.mac) {
                *e = new;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// The arguments of an observing macro, as expressions.
pub(super) fn macro_args(mac: &syn::Macro) -> syn::Result<Punctuated<syn::Expr, syn::Token![,]>> {
    mac.parse_body_with(Punctuated::parse_terminated)
}

/// The names a format string reads by itself: `{z}`, `{z:?}`, `{:w$}`,
/// `{:.p$}`.
fn captured_names(fmt: &str) -> Vec<String> {
    fn is_ident(s: &str) -> bool {
        let mut cs = s.chars();
        matches!(cs.next(), Some(c) if c.is_alphabetic() || c == '_')
            && s != "_"
            && cs.all(|c| c.is_alphanumeric() || c == '_')
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |n: &str| {
        if is_ident(n) && !out.iter().any(|o| o == n) {
            out.push(n.to_owned());
        }
    };
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '{' => {
                let mut spec = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                let (arg, rest) = spec.split_once(':').unwrap_or((&spec, ""));
                push(arg.trim());
                // `width$`, `.precision$`: the identifier before each `$`.
                for (k, _) in rest.match_indices('$') {
                    let head = &rest[..k];
                    let start = head
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .map_or(0, |i| i + 1);
                    push(&head[start..]);
                }
            }
            _ => {}
        }
    }
    out
}

impl Renamer<'_, '_> {
    /// Renames the locals an observing macro reads (a macro of any other
    /// kind is left alone: [`Unsupported`] reports it).
    pub(super) fn rename_macro(&mut self, mac: &mut syn::Macro) {
        // `vec![a, b]`, `vec![x; n]` in verbatim code: as the array it holds.
        if mac.path.is_ident("vec") {
            let tokens = &mac.tokens;
            if let Ok(mut e) = syn::parse2::<syn::Expr>(quote!([#tokens])) {
                self.visit_expr_mut(&mut e);
                if let syn::Expr::Array(a) = &e {
                    mac.tokens = a.elems.to_token_stream();
                } else if let syn::Expr::Repeat(r) = &e {
                    let (x, n) = (&r.expr, &r.len);
                    mac.tokens = quote!(#x; #n);
                }
            }
            return;
        }
        let Some(fmt_pos) = observing(mac) else {
            return;
        };
        let Ok(args) = macro_args(mac) else {
            return;
        };
        let mut out: Vec<TokenStream> = Vec::new();
        let mut named: Vec<String> = Vec::new();
        let mut captured: Vec<String> = Vec::new();
        for (k, mut arg) in args.into_iter().enumerate() {
            if k == fmt_pos {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &arg
                {
                    captured = captured_names(&s.value());
                }
                out.push(arg.to_token_stream());
                continue;
            }
            // `name = value` after the format string: a named argument.
            if let (true, syn::Expr::Assign(a)) = (k > fmt_pos, &mut arg) {
                if let syn::Expr::Path(p) = &*a.left {
                    if let Some(i) = p.path.get_ident() {
                        named.push(i.to_string());
                        self.visit_expr_mut(&mut a.right);
                        out.push(arg.to_token_stream());
                        continue;
                    }
                }
            }
            self.visit_expr_mut(&mut arg);
            out.push(arg.to_token_stream());
        }
        for name in captured {
            if named.contains(&name) {
                continue;
            }
            let Some(b) = self.lw.lookup(&name) else {
                continue;
            };
            let v = b.var;
            if !self.reads.contains(&v) {
                self.reads.push(v);
            }
            let ident = syn::Ident::new(&name, mac.path.span());
            let version = self.lw.prog.name(v);
            out.push(quote!(#ident = #version));
        }
        mac.tokens = quote!(#(#out),*);
    }
}

impl Lowerer<'_> {
    /// A macro statement (`println!(..);`, `assert!(..);`): kept verbatim as
    /// an inactive statement if it only observes values.
    pub(super) fn lower_macro_stmt(&mut self, mac: &syn::Macro) {
        if observing(mac).is_none() {
            return self.macro_error(mac);
        }
        let e = syn::Expr::Macro(syn::ExprMacro {
            attrs: vec![],
            mac: mac.clone(),
        });
        if let Some((tokens, reads)) = self.opaque_tokens(&e) {
            // `format!(..);` computes a `String` no one reads: the user's
            // function has rustc's warning, the derivatives need not repeat it.
            let stmt = if mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "format")
            {
                quote!(let _ = #tokens;)
            } else {
                quote!(#tokens;)
            };
            self.stmts.push(Stmt::Opaque(stmt, reads));
        }
    }
}
