//! What a function rejected at its signature leaves for its differentiated
//! callers, so that they report nothing beside its error: the marker that
//! it has derivatives (`callcheck.rs`; without it they would say it needs
//! `#[differentiate]`, which it has; its missing wrappers rustc does not
//! report after an error of a macro), and, when a parameter is a nalgebra
//! view, the function generic in that parameter with a body that is never
//! run: callers pass the owned copy of the view they computed
//! (`x.rows(0, n)`), which the view type would not accept.

use crate::parse::Model;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

/// The function as emitted and its marker.
pub fn items(model: &Model, original: syn::ItemFn) -> TokenStream {
    let marker = crate::callcheck::marker(model);
    let mut f = original;
    let mut generic = Vec::new();
    let mut views = Vec::new();
    for arg in f.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pt) = arg {
            if crate::parse::is_view(&pt.ty, &model.reals) {
                let g = format_ident!("__AdView{}", generic.len());
                views.push(crate::split::elide(&pt.ty));
                *pt.ty = syn::parse_quote!(#g);
                generic.push(g);
            }
        }
    }
    if !generic.is_empty() {
        f.sig.generics.params.extend(
            generic
                .iter()
                .map(|g| -> syn::GenericParam { syn::parse_quote!(#g) }),
        );
        // (The view types stay named: their imports are used.)
        f.block = syn::parse_quote!({
            let _: ::core::option::Option<(#(#views,)*)> = ::core::option::Option::None;
            ::core::unreachable!("a function rejected by #[differentiate]")
        });
        f.attrs
            .push(syn::parse_quote!(#[allow(unused_variables, unused_mut)]));
    }
    let f = f.to_token_stream();
    quote!(#f #marker)
}
