//! The runtime's path named once per body: the generated bodies reach their
//! rules as `__rt::mul(..)`, under a `use ::ad::__rt;` first in the body of
//! each generated function, instead of `::ad::__rt::mul(..)`, eight tokens
//! before the rule's name at every use (a sixth of an expansion's tokens).
//! The emitter writes the short path in what goes into bodies, and the
//! code that assembles a function's body puts the `use` first. A body the
//! emitter wrote from the IR always has the `use` (counting its uses would
//! mean walking its tokens; in a small function it may name the runtime
//! once or not at all); a body assembled from a few known tokens with a
//! single use (a thin `f_grad`'s `::ad::__rt::one()`) keeps the full path,
//! where the `use` would cost more than it saves. Signatures keep the full
//! path, which a body's `use` does not reach.
//!
//! (This was a pass over the finished expansion, which took every token
//! stream back from the compiler and sent it again: 16 % of the
//! instructions of a `dev` build of a crate of differentiated functions.)

use proc_macro2::TokenStream;
use quote::quote;

/// `use ::ad::__rt;`, first in a body that names the runtime `uses` times
/// (more than once: then as [`path`] gives it), or nothing.
pub fn use_for(uses: usize) -> TokenStream {
    match uses {
        0 | 1 => TokenStream::new(),
        _ => quote!(
            use ::ad::__rt;
        ),
    }
}

/// The runtime's path in a body that names it `uses` times: `__rt` under
/// [`use_for`]'s `use`, or `::ad::__rt` for a single use.
pub fn path(uses: usize) -> TokenStream {
    match uses {
        0 | 1 => quote!(::ad::__rt),
        _ => quote!(__rt),
    }
}

/// The `uses` of a body emitted from the IR, which names the runtime as
/// `__rt` throughout (with [`use_for`] and [`path`]).
pub const EMITTED: usize = usize::MAX;

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::ToTokens;

    /// Each generated function's body names the runtime `__rt` under a `use`
    /// first in it, or by its full path, once at most; never both; and
    /// signatures by the full path. (An emitted body always has the `use`,
    /// also where it names the runtime once or not at all.)
    #[test]
    fn bodies_name_the_runtime_once() {
        let items = [
            // Forward, reverse, second order, split form: emitted bodies.
            "fn f(x: &[f64], k: f64, n: usize) -> f64 { let mut s = 0.0; \
             for i in 0..n { s += (x[i] * k).sin(); } s }",
            // One parameter: the thin `f_jvp` names the runtime once.
            "fn g(x: f64) -> f64 { x * x }",
            // A generic float, a buffer delivered by the split form.
            "fn h<T: ad::Real>(x: &[T], y: T) -> T { x[0] * y + y.exp() }",
        ];
        let mut checked = 0;
        for (i, src) in items.iter().enumerate() {
            let item: TokenStream = src.parse().unwrap();
            let args: TokenStream = if i == 0 { "wrt(x, k)" } else { "" }.parse().unwrap();
            let out = crate::expand::expand_in(args, item, crate::scope::Scope::Free);
            let file: syn::File = syn::parse2(out).expect("the expansion parses");
            for it in &file.items {
                let syn::Item::Fn(f) = it else { continue };
                let sig = f.sig.to_token_stream().to_string();
                assert!(!short(&sig), "a signature names `__rt`: {sig}");
                let body = f.block.to_token_stream().to_string();
                let full = body.matches(":: ad :: __rt ::").count();
                let uses = body.matches("__rt ::").count() - full;
                let with_use = body.starts_with("{ use :: ad :: __rt ;");
                let name = &f.sig.ident;
                match with_use {
                    true => assert!(full == 0, "{name}: {body}"),
                    false => assert!(uses == 0 && full <= 1, "{name}: {body}"),
                }
                checked += usize::from(with_use);
            }
        }
        assert!(checked >= 10, "{checked} bodies with the `use`");
    }

    /// Whether `tokens` (as a string) names `__rt` without `::ad::`.
    fn short(tokens: &str) -> bool {
        tokens.matches("__rt ::").count() > tokens.matches(":: ad :: __rt ::").count()
    }
}
