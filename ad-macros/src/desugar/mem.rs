//! `std::mem::swap` and `replace` of whole locals become the assignments
//! they stand for, which lowering differentiates (a call of them would be
//! taken for a call of a differentiated function):
//!
//! ```text
//! std::mem::swap(&mut u, &mut v);        (u, v) = (v, u);
//! std::mem::replace(&mut u, e);          u = e;
//! let old = std::mem::replace(&mut u, e); let __ad_new1 = e; let old = u; u = __ad_new1;
//! ```
//!
//! (`e` cannot read `u`: `u` is borrowed by the call.) `std::mem::take` of
//! an active value is an error: the zero it leaves has a type the macro
//! does not see. Only paths that name
//! `mem` are recognized (`std::mem::swap`, `core::mem::swap`,
//! `mem::swap`): a bare `swap` may be a function of the user's.

use super::Desugar;
use quote::ToTokens;
use syn::spanned::Spanned;

/// Which function of `std::mem`.
#[derive(Clone, Copy, PartialEq)]
enum Mem {
    Swap,
    Replace,
    Take,
}

/// `e` as a call of `std::mem::swap`, `replace` or `take`, with its
/// arguments.
fn mem_call(e: &syn::Expr) -> Option<(Mem, &syn::ExprCall)> {
    let syn::Expr::Call(c) = e else {
        return None;
    };
    let syn::Expr::Path(p) = &*c.func else {
        return None;
    };
    if p.qself.is_some() || p.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let name = match names.as_slice() {
        [m, n] if m == "mem" && p.path.leading_colon.is_none() => n,
        [k, m, n] if (k == "std" || k == "core") && m == "mem" => n,
        _ => return None,
    };
    let which = match (name.as_str(), c.args.len()) {
        ("swap", 2) => Mem::Swap,
        ("replace", 2) => Mem::Replace,
        ("take", 1) => Mem::Take,
        _ => return None,
    };
    Some((which, c))
}

/// `&mut u` of a local `u`: `u`.
fn whole_local(e: &syn::Expr) -> Option<syn::Ident> {
    let syn::Expr::Reference(r) = e else {
        return None;
    };
    r.mutability?;
    match &*r.expr {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
        syn::Expr::Paren(p) => whole_local(&syn::Expr::Reference(syn::ExprReference {
            expr: p.expr.clone(),
            ..r.clone()
        })),
        _ => None,
    }
}

impl Desugar<'_> {
    /// The assignments a statement calling `std::mem::swap` or `replace`
    /// stands for (`None`: not such a statement). Such a call on active
    /// values of other forms than whole locals is an error, and so is
    /// `std::mem::take` of an active value.
    pub(super) fn mem_stmt(&mut self, stmt: &syn::Stmt) -> Option<Vec<syn::Stmt>> {
        let (binding, call) = match stmt {
            syn::Stmt::Expr(e, _) => (None, e),
            syn::Stmt::Local(l) => match &l.init {
                Some(init) if init.diverge.is_none() => (Some(l), &*init.expr),
                _ => return None,
            },
            _ => return None,
        };
        let (which, c) = mem_call(call)?;
        if which == Mem::Take {
            if self.mentions_tainted(&c.args) {
                self.error(
                    c,
                    "`std::mem::take` of an active value is not differentiated: copy the \
                     value and reset the variable by assignment instead (`let old = u.clone(); \
                     u = vec![0.0; n];`), or use `std::mem::replace(&mut u, vec![0.0; n])`",
                );
                return Some(Vec::new());
            }
            return None;
        }
        let locals: Option<Vec<syn::Ident>> = match which {
            Mem::Swap => c.args.iter().map(whole_local).collect(),
            Mem::Replace | Mem::Take => whole_local(&c.args[0]).map(|u| vec![u]),
        };
        let Some(locals) = locals else {
            if self.mentions_tainted(&c.args) {
                let name = c.func.to_token_stream().to_string().replace(' ', "");
                self.error(
                    &c.args,
                    format_args!(
                        "`{name}` of active values is differentiated on whole local variables \
                         only (`std::mem::swap(&mut u, &mut v)`, `std::mem::replace(&mut u, e)`); \
                         write the exchange as assignments instead (`(u, v) = (v, u);`, \
                         `u = e;`, `a[i] = b[i];`)"
                    ),
                );
                return Some(Vec::new());
            }
            return None;
        };
        let span = c.func.span();
        let u = &locals[0];
        let mut out: Vec<syn::Stmt> = Vec::new();
        match (which, binding) {
            (Mem::Swap, None) => {
                let v = &locals[1];
                out.push(syn::parse_quote_spanned!(span=> (#u, #v) = (#v, #u);));
            }
            (Mem::Replace, None) => {
                let e = &c.args[1];
                out.push(syn::parse_quote_spanned!(span=> #u = #e;));
            }
            (Mem::Take, _) => return None,
            (Mem::Swap, Some(l)) => {
                // `let () = std::mem::swap(..);`: the exchange, then the binding.
                let v = &locals[1];
                out.push(syn::parse_quote_spanned!(span=> (#u, #v) = (#v, #u);));
                let pat = &l.pat;
                out.push(syn::parse_quote_spanned!(span=> let #pat = ();));
            }
            (Mem::Replace, Some(l)) => {
                let new = self.fresh("new", span);
                let e = &c.args[1];
                out.push(syn::parse_quote_spanned!(span=> let #new = #e;));
                let mut l = l.clone();
                if let Some(init) = &mut l.init {
                    *init.expr = syn::parse_quote_spanned!(span=> #u);
                }
                out.push(syn::Stmt::Local(l));
                out.push(syn::parse_quote_spanned!(span=> #u = #new;));
            }
        }
        Some(out)
    }
}
