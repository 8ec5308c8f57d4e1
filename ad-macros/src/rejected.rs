//! What a function rejected at its signature leaves for its differentiated
//! callers, so that they report nothing beside its error: the marker that
//! it has derivatives (`callcheck.rs`; without it they would say it needs
//! `#[differentiate]`, which it has; its missing wrappers rustc does not
//! report after an error of a macro). (A view the caller passes it,
//! `g(x.rows(0, n))`, it passes as a view: `ir::Var::view_arg`.)

use crate::parse::Model;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// The function as emitted and its marker.
pub fn items(model: &Model, original: syn::ItemFn) -> TokenStream {
    let marker = crate::callcheck::marker(model);
    let f = original.to_token_stream();
    quote!(#f #marker)
}
