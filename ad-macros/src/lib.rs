//! The procedural macros of the `ad` crate: `#[differentiate]` and
//! `#[derive(Differentiable)]`.
//!
//! Use them through the facade crate (`use ad::differentiate;`,
//! `#[derive(ad::Differentiable)]`); generated code names the runtime as
//! `::ad::__rt`.
//!
//! Pipeline (private modules, in `src/`): `parse` (attribute options and the
//! typed signature) -> `lower` (body to IR in A-normal form, one file per
//! construct family in `lower/`) -> `closures` (`.map` bodies to closures
//! and their derivatives) -> `activity` -> `tangent` and `adjoint` (IR to
//! IR) -> `emit` (IR to tokens; `many` writes `f_vjp_many`, `wrappers` the
//! hidden calling convention); `buffers` adds the value form of a function
//! with `&mut` buffers. Stages call downward only. Only parsing and lowering
//! can fail; they collect every error before anything is emitted.
//!
//! `#[derive(Differentiable)]` (parameter structs) is `derive`, apart from
//! that pipeline.
#![warn(missing_docs)]

mod activity;
mod adjoint;
mod buffers;
mod callcheck;
mod closures;
mod derive;
mod desugar;
mod elide;
mod emit;
mod error;
mod expand;
mod fx;
mod impl_params;
mod inactive;
mod ir;
mod lower;
mod many;
mod matrix_buffers;
mod parse;
mod pretty;
mod rejected;
mod rt_alias;
mod scope;
mod split;
mod tangent;
mod view_params;
mod wrappers;

use proc_macro::TokenStream;

/// Generates the derivatives of a function: `f_jvp` (forward mode), `f_vjp`
/// (reverse mode) and, for outputs written `f32`, `f64` or `T` (bounded by
/// `Real` or num-traits' `Float`),
/// `f_grad` (the gradient) and `f_hvp` (Hessian-vector products, forward over
/// reverse).
///
/// Use it through the facade crate `ad`, whose documentation has the
/// contract, runnable examples of every generated item, the supported code
/// and the conventions.
#[proc_macro_attribute]
pub fn differentiate(args: TokenStream, item: TokenStream) -> TokenStream {
    let scope = scope_of(&item);
    expand::expand_in(args.into(), item.into(), scope).into()
}

/// The scope of the annotated function, read from its source file at its
/// name's place (`scope.rs`).
fn scope_of(item: &TokenStream) -> scope::Scope {
    let mut after_fn = false;
    for t in item.clone() {
        match &t {
            proc_macro::TokenTree::Ident(i) if after_fn => {
                let span = i.span();
                return match span.local_file() {
                    Some(file) => {
                        scope::scope_in_file(&file, span.line(), span.column(), &i.to_string())
                    }
                    None => scope::Scope::Unknown,
                };
            }
            proc_macro::TokenTree::Ident(i) => after_fn = i.to_string() == "fn",
            _ => after_fn = false,
        }
    }
    scope::Scope::Unknown
}

/// Derives `ad::Differentiable` for a struct of parameters: named fields or
/// a tuple struct, whose fields are floats, arrays or `Vec`s of them,
/// nalgebra vectors and matrices, or other `Differentiable` structs. A field
/// marked `#[ad(skip)]` is configuration, carried along unchanged.
///
/// Use it through the facade crate (`#[derive(Clone, ad::Differentiable)]`),
/// whose documentation has the contract and examples.
#[proc_macro_derive(Differentiable, attributes(ad))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::expand(item.into()).into()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod snapshots;
