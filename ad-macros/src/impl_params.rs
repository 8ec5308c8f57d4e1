//! `impl Trait` in argument position (`f: impl Fn(f64) -> f64`) as an
//! anonymous type parameter (`f: Impl0` with `Impl0: Fn(f64) -> f64`),
//! which is what it means. The generated items take the parameter inside
//! closures and tuples, where `impl Trait` is not allowed; the user's
//! function keeps its signature as written.

use syn::visit_mut::VisitMut;
use syn::{Ident, Type};

/// Rewrites every `impl Trait` of `item`'s parameter types into a new type
/// parameter, named at the `impl Trait`'s span (so errors point there).
pub fn as_generics(item: &mut syn::ItemFn) {
    let mut names = Names {
        taken: item
            .sig
            .generics
            .type_params()
            .map(|p| p.ident.to_string())
            .collect(),
        next: 0,
        added: Vec::new(),
    };
    for input in &mut item.sig.inputs {
        if let syn::FnArg::Typed(pt) = input {
            names.visit_type_mut(&mut pt.ty);
        }
    }
    if names.added.is_empty() {
        return;
    }
    let generics = &mut item.sig.generics;
    for p in names.added {
        generics.params.push(syn::GenericParam::Type(p));
    }
    // (Lifetimes come first in a parameter list.)
    let (lifetimes, others): (Vec<_>, Vec<_>) = std::mem::take(&mut generics.params)
        .into_iter()
        .partition(|p| matches!(p, syn::GenericParam::Lifetime(_)));
    generics.params.extend(lifetimes);
    generics.params.extend(others);
    if generics.lt_token.is_none() {
        generics.lt_token = Some(Default::default());
        generics.gt_token = Some(Default::default());
    }
}

struct Names {
    taken: Vec<String>,
    next: usize,
    added: Vec<syn::TypeParam>,
}

impl VisitMut for Names {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        let Type::ImplTrait(it) = ty else {
            return syn::visit_mut::visit_type_mut(self, ty);
        };
        // (An `impl Trait` inside the bounds, `impl Fn(impl X)`, is an
        // error of rustc's, which it reports at the inner one.)
        let span = it.impl_token.span;
        let ident = loop {
            let name = format!("Impl{}", self.next);
            self.next += 1;
            if !self.taken.contains(&name) {
                break Ident::new(&name, span);
            }
        };
        let bounds = &it.bounds;
        self.added.push(syn::parse_quote!(#ident: #bounds));
        *ty = syn::parse_quote!(#ident);
    }

    // `fn(..)` types and trait objects cannot hold `impl Trait`; leave them
    // to rustc.
    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
    fn visit_type_trait_object_mut(&mut self, _: &mut syn::TypeTraitObject) {}
}
