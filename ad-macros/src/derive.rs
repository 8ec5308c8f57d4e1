//! `#[derive(Differentiable)]`: parameter structs.
//!
//! Parse, validate, generate, as `serde_derive` does: [`Input::from_syn`]
//! reads the struct and its `#[ad(...)]` attributes and collects every
//! error; [`Input::emit`] cannot fail.
//!
//! A derive sees one struct, not its fields' types, so it cannot tell a
//! `DMatrix<f64>` from a `String`. It does not guess: the generated impl
//! calls the runtime trait on every active field, and a hidden function
//! checks each field's type against the trait at that field's span, so an
//! unsupported field is one error, at the field, with the trait's
//! `#[diagnostic::on_unimplemented]` message (which names both fixes). For
//! a struct whose active fields have concrete types (the usual model), the
//! impls are bounded by the same requirements, with the scalar type as an
//! impl parameter (`for<'__ad> Field: Differentiable<Scalar = __AdS>`), so a
//! bad field does not cascade into errors in every generated method;
//! [`Input::emit`] says why generic structs are left unbounded.
//!
//! Besides `Differentiable`, the struct gets the calling-convention traits of
//! the runtime (`Cotangent`, `AddTo`, `TangentFor`, `TangentRef`), so that
//! generated code can write `zero_like(&p)` and `accumulate(&mut p_bar, q)`
//! for struct values as for any other. They are emitted per struct because
//! blanket impls over `Differentiable` would overlap the runtime's impls for
//! references (`&T` is a fundamental type: another crate could implement
//! `Differentiable` for `&Local`).

use crate::error::Errors;
use crate::fx::HashSet;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Member, Type};

/// Expands `#[derive(Differentiable)] item`: the impls, or the errors.
pub fn expand(item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(e) => return e.into_compile_error(),
    };
    match Input::from_syn(&input) {
        Ok(input) => input.emit(),
        Err(e) => e.into_compile_error(),
    }
}

/// A struct that can derive `Differentiable`.
struct Input<'a> {
    original: &'a DeriveInput,
    fields: Vec<Field<'a>>,
    /// The type of the first active field that does not contain the struct
    /// itself: the struct's scalar type is its.
    first: &'a Type,
}

/// One field of it.
struct Field<'a> {
    member: Member,
    ty: &'a Type,
    /// `#[ad(skip)]`: configuration, cloned by `zero_like`, else untouched.
    skip: bool,
}

const WHAT: &str = "`Differentiable` can be derived for structs with named fields (`struct \
                    Params { w: DMatrix<f64>, b: DVector<f64> }`) or tuple structs (`struct \
                    Affine(f64, f64)`)";

impl<'a> Input<'a> {
    fn from_syn(input: &'a DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        for attr in &input.attrs {
            if attr.path().is_ident("ad") {
                errors.spanned(
                    attr,
                    "`#[ad(...)]` goes on a field: `#[ad(skip)]` marks a configuration field, \
                     carried along unchanged; the struct itself takes no `ad` attribute",
                );
            }
        }
        let fields = match &input.data {
            Data::Struct(data) => &data.fields,
            Data::Enum(data) => {
                return Err(fail(
                    errors,
                    data.enum_token.span,
                    format!(
                        "{WHAT}, not for enums: the active values of an enum would depend on \
                         its variant; keep the parameters in a struct, and the choice in a \
                         `#[ad(skip)]` field"
                    ),
                ));
            }
            Data::Union(data) => {
                return Err(fail(
                    errors,
                    data.union_token.span,
                    format!("{WHAT}, not for unions"),
                ));
            }
        };
        let fields: Vec<Field> = match fields {
            Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
            Fields::Unnamed(unnamed) => unnamed.unnamed.iter().collect(),
            Fields::Unit => Vec::new(),
        }
        .into_iter()
        .enumerate()
        .map(|(i, field)| Field {
            member: match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(syn::Index {
                    index: i as u32,
                    span: field.ty.span(),
                }),
            },
            ty: &field.ty,
            skip: skip_attribute(&field.attrs, &mut errors),
        })
        .collect();
        let ident = &input.ident;
        let own = recursion_names(ident);
        let first = fields
            .iter()
            .find(|f| !f.skip && !mentions(f.ty.to_token_stream(), &own))
            .map(|f| f.ty);
        let Some(first) = first else {
            let msg = if fields.is_empty() {
                format!(
                    "`{ident}` has no fields, so nothing to differentiate: `Differentiable` \
                     needs at least one field of a float, array, `Vec`, nalgebra or \
                     `Differentiable` struct type"
                )
            } else if fields.iter().all(|f| f.skip) {
                format!(
                    "every field of `{ident}` is marked `#[ad(skip)]`, so nothing to \
                     differentiate: `Differentiable` needs at least one active field"
                )
            } else {
                format!(
                    "every active field of `{ident}` contains `{ident}` itself: \
                     `Differentiable` needs one that does not (a float, array, `Vec`, \
                     nalgebra or other `Differentiable` struct), whose scalar type is the \
                     struct's"
                )
            };
            return Err(fail(errors, ident.span(), msg));
        };
        errors.check()?;
        Ok(Input {
            original: input,
            fields,
            first,
        })
    }

    fn active(&self) -> impl Iterator<Item = &Field<'a>> + '_ {
        self.fields.iter().filter(|f| !f.skip)
    }

    /// The hidden methods of `Differentiable` for skipped fields (see
    /// `ad_runtime::config`), when there are any here or below: a skipped
    /// field of a `Differentiable` type (told by `Probe`) is zeroed in
    /// tangents and copied from the primal into cotangents; an active field
    /// passes both on. Without skipped fields nothing is emitted but the
    /// calls on active fields of other derived types (`false` for the rest,
    /// folded away).
    fn config(&self, this: &TokenStream) -> TokenStream {
        let d = quote!(::ad::Differentiable);
        let probe = |ty: &Type| {
            let ty = replace_self(ty.to_token_stream(), this);
            quote!((&&::ad::__rt::config::Probe::<#ty>::new()))
        };
        let (mut has, mut zero, mut keep) = (Vec::new(), Vec::new(), Vec::new());
        for f in &self.fields {
            let (m, ty) = (&f.member, f.ty);
            if f.skip {
                let p = probe(ty);
                has.push(quote!(#p.zeroer().is_some()));
                zero.push(quote!(if let Some(z) = #p.zeroer() { z(&mut self.#m) }));
                keep.push(quote!(if let Some(k) = #p.keeper() { k(&mut self.#m, &__ad_p.#m) }));
            } else {
                has.push(quote!(<#ty as #d>::__ad_has_config()));
                zero.push(quote!(<#ty as #d>::__ad_zero_config(&mut self.#m);));
                keep.push(quote!(<#ty as #d>::__ad_keep_config(&mut self.#m, &__ad_p.#m);));
            }
        }
        let probes = self.fields.iter().any(|f| f.skip).then(|| {
            quote!(
                use ::ad::__rt::config::{Floats as _, NoFloats as _};
            )
        });
        quote! {
            #[inline]
            fn __ad_has_config() -> bool {
                #probes
                false #(|| #has)*
            }
            #[inline]
            fn __ad_zero_config(&mut self) {
                #probes
                #(#zero)*
            }
            #[inline]
            fn __ad_keep_config(&mut self, __ad_p: &Self) {
                #probes
                #(#keep)*
            }
        }
    }

    /// The impls. Infallible.
    fn emit(&self) -> TokenStream {
        let ident = &self.original.ident;
        let generics = &self.original.generics;
        let (_, ty_generics, where_clause) = generics.split_for_impl();
        let d = quote!(::ad::Differentiable);
        let rt = quote!(::ad::__rt);
        let this = quote!(#ident #ty_generics);

        // The hidden check, at each active field's type (`Self` in a field's
        // type is the struct, outside the impl).
        let first_scalar = {
            let first = replace_self(self.first.to_token_stream(), &this);
            quote_spanned!(first_span(self.first)=> <#first as #d>::Scalar)
        };
        let checks = self.active().map(|f| {
            let ty = replace_self(f.ty.to_token_stream(), &this);
            quote_spanned!(first_span(f.ty)=>
                #rt::differentiable::scalars_agree::<<#ty as #d>::Scalar, #first_scalar>();
            )
        });
        let check_fn = format_ident!("__ad_check_fields_of_{}", ident);
        let (check_generics, _, _) = generics.split_for_impl();

        // The impls' generics and bounds. When no active field's type
        // depends on the struct's parameters (nor contains the struct), the
        // impls take the scalar type as a parameter `__AdS` and are bounded
        // by `F: Differentiable<Scalar = __AdS>` for each active field `F`:
        // a field the check rejects is then not reported again in every
        // method (a bound that names `__AdS`, under `for<'__ad>`, is never
        // rejected as "trivially false"). Otherwise the scalar type is the
        // first active field's, and the fields are unbounded (the impl does
        // not compile when a field does not, and the error is reported at
        // the field and once more at the derive):
        // - a bound `Vec<T>: Differentiable<Scalar = __AdS>` beside the
        //   `T: Differentiable<Scalar = T>` that `T: Real` implies makes
        //   `<T as Differentiable>::Scalar` ambiguous;
        // - nalgebra's aliases through the allocator (`OMatrix<f64, Dyn,
        //   Dyn>`, `Owned`) spell a type such as `DMatrix<f64>` with an
        //   associated type, and two bounds on one type spelt both ways are
        //   ambiguous too;
        // - bounds equating each field's scalar type to the first's
        //   (`F: Differentiable<Scalar = <First as Differentiable>::Scalar>`)
        //   would cycle for two fields of one type.
        let parameters = generic_names(generics);
        let own = recursion_names(ident);
        let concrete = self.active().all(|f| {
            let tokens = f.ty.to_token_stream();
            !mentions(tokens.clone(), &parameters)
                && !mentions(tokens.clone(), &own)
                && !mentions(tokens, &projection_names())
        });
        let mut impl_generics = generics.clone();
        let mut bounds: Vec<TokenStream> = where_clause
            .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
            .unwrap_or_default();
        let scalar = if concrete {
            impl_generics.params.push(syn::parse_quote!(__AdS));
            bounds.push(quote!(__AdS: ::ad::Real));
            for f in self.active() {
                let ty = f.ty;
                bounds.push(quote!(for<'__ad> #ty: #d<Scalar = __AdS>));
            }
            quote!(__AdS)
        } else {
            let first = self.first;
            quote!(<#first as #d>::Scalar)
        };
        let bounds = quote!(where #(#bounds,)*);
        let mut ref_generics = impl_generics.clone();
        ref_generics.params.insert(0, syn::parse_quote!('__ad_r));
        let (impl_generics, _, _) = impl_generics.split_for_impl();
        let (ref_generics, _, _) = ref_generics.split_for_impl();

        let zero_fields = self.fields.iter().map(|f| {
            let (m, ty) = (&f.member, f.ty);
            if f.skip {
                quote!(#m: ::core::clone::Clone::clone(&self.#m))
            } else {
                quote!(#m: <#ty as #d>::zero_like(&self.#m))
            }
        });
        // One statement per active field, given its member and its type as
        // the trait (`<F as Differentiable>`).
        let each = |body: &dyn Fn(&Member, TokenStream) -> TokenStream| {
            self.active()
                .map(|f| {
                    let ty = f.ty;
                    body(&f.member, quote!(<#ty as #d>))
                })
                .collect::<Vec<_>>()
        };
        let accumulate = each(&|m, f| quote!(#f::accumulate(&mut self.#m, &__ad_x.#m);));
        let axpy = each(&|m, f| quote!(#f::axpy(&mut self.#m, __ad_a, &__ad_x.#m);));
        let scale = each(&|m, f| quote!(#f::scale_mut(&mut self.#m, __ad_a);));
        let dot = each(&|m, f| quote!(__ad_sum += #f::dot(&self.#m, &__ad_x.#m);));
        let apply = each(&|m, f| quote!(#f::apply_scalars(&mut self.#m, &mut __ad_f);));
        let zip =
            each(&|m, f| quote!(#f::zip_apply_scalars(&mut self.#m, &__ad_x.#m, &mut __ad_f);));
        let count = each(&|m, f| quote!(+ #f::num_scalars(&self.#m)));
        let extend = each(&|m, f| quote!(#f::extend_flat(&self.#m, __ad_out);));
        let read = each(&|m, f| quote!(let __ad_xs = #f::read_flat(&mut self.#m, __ad_xs);));
        let config = self.config(&this);
        // A hidden method per field telling the macro on a caller whether
        // the field is skipped (`ad_runtime::call::FieldKind`).
        let kinds = self.fields.iter().map(|f| {
            let name = match &f.member {
                Member::Named(i) => format_ident!("__ad_field_{}", i),
                Member::Unnamed(i) => format_ident!("__ad_field_{}", i.index),
            };
            let kind = match f.skip {
                true => quote!(#rt::call::SkippedField),
                false => quote!(#rt::call::KeptField),
            };
            quote! {
                #[doc(hidden)]
                #[inline]
                pub fn #name(&self) -> #kind {
                    #kind
                }
            }
        });
        let (plain_generics, _, plain_where) = generics.split_for_impl();

        quote! {
            #[allow(non_snake_case, dead_code, clippy::extra_unused_type_parameters)]
            const _: () = {
                fn #check_fn #check_generics () #where_clause {
                    #(#checks)*
                }

                #[automatically_derived]
                impl #plain_generics #this #plain_where {
                    #(#kinds)*
                }

                #[automatically_derived]
                impl #impl_generics #d for #this #bounds {
                    type Scalar = #scalar;
                    #[inline]
                    fn zero_like(&self) -> Self {
                        Self { #(#zero_fields,)* }
                    }
                    #[inline]
                    fn accumulate(&mut self, __ad_x: &Self) {
                        #(#accumulate)*
                    }
                    #[inline]
                    fn axpy(&mut self, __ad_a: #scalar, __ad_x: &Self) {
                        #(#axpy)*
                    }
                    #[inline]
                    fn scale_mut(&mut self, __ad_a: #scalar) {
                        #(#scale)*
                    }
                    #[inline]
                    fn dot(&self, __ad_x: &Self) -> #scalar {
                        let mut __ad_sum = <#scalar as ::ad::Real>::ZERO;
                        #(#dot)*
                        __ad_sum
                    }
                    #[inline]
                    fn apply_scalars<__AdF: ::core::ops::FnMut(#scalar) -> #scalar>(
                        &mut self,
                        mut __ad_f: __AdF,
                    ) {
                        #(#apply)*
                    }
                    #[inline]
                    fn zip_apply_scalars<__AdF: ::core::ops::FnMut(#scalar, #scalar) -> #scalar>(
                        &mut self,
                        __ad_x: &Self,
                        mut __ad_f: __AdF,
                    ) {
                        #(#zip)*
                    }
                    #[inline]
                    fn num_scalars(&self) -> usize {
                        0 #(#count)*
                    }
                    #[inline]
                    fn extend_flat(&self, __ad_out: &mut ::std::vec::Vec<#scalar>) {
                        #(#extend)*
                    }
                    #[inline]
                    fn read_flat<'__ad_xs>(&mut self, __ad_xs: &'__ad_xs [#scalar]) -> &'__ad_xs [#scalar] {
                        #(#read)*
                        __ad_xs
                    }
                    #config
                }

                #[automatically_derived]
                impl #impl_generics #rt::Cotangent for #this #bounds {
                    type Owned = Self;
                    #[inline]
                    fn zero_cotangent(&self) -> Self {
                        <Self as #d>::zero_like(self)
                    }
                }

                #[automatically_derived]
                impl #impl_generics #rt::AddTo<#this> for #this #bounds {
                    #[inline]
                    fn add_to(self, __ad_x: &mut #this) {
                        <#this as #d>::accumulate(__ad_x, &self);
                    }
                }

                #[automatically_derived]
                impl #ref_generics #rt::AddTo<#this> for &'__ad_r #this #bounds {
                    #[inline]
                    fn add_to(self, __ad_x: &mut #this) {
                        <#this as #d>::accumulate(__ad_x, self);
                    }
                }

                #[automatically_derived]
                impl #impl_generics #rt::TangentFor<#this> for #this #bounds {
                    #[inline]
                    fn tangent_for(self, _: &#this) -> #this {
                        self
                    }
                }

                #[automatically_derived]
                impl #impl_generics #rt::TangentFor<#this> for #rt::NoTangent #bounds {
                    #[inline]
                    fn tangent_for(self, __ad_primal: &#this) -> #this {
                        <#this as #d>::zero_like(__ad_primal)
                    }
                }

                #[automatically_derived]
                impl #ref_generics #rt::TangentRef<#this> for &'__ad_r #this #bounds {
                    type Out = &'__ad_r #this;
                    #[inline]
                    fn tangent_ref(self, _: &#this) -> &'__ad_r #this {
                        self
                    }
                }

                #[automatically_derived]
                impl #impl_generics #rt::TangentRef<#this> for #rt::NoTangent #bounds {
                    type Out = #this;
                    #[inline]
                    fn tangent_ref(self, __ad_primal: &#this) -> #this {
                        <#this as #d>::zero_like(__ad_primal)
                    }
                }
            };
        }
    }
}

/// `errors` and one more, at `span`, combined.
fn fail(mut errors: Errors, span: Span, msg: impl std::fmt::Display) -> syn::Error {
    let last = syn::Error::new(span, msg);
    errors.push(last.clone());
    errors.check().err().unwrap_or(last)
}

/// Reads a field's `#[ad(...)]` attributes: `skip` is the only one.
fn skip_attribute(attrs: &[syn::Attribute], errors: &mut Errors) -> bool {
    let mut skip = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("ad")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown `ad` field attribute: the only one is `#[ad(skip)]`, which marks a \
                     configuration field, carried along unchanged",
                ))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    skip
}

/// The span of a type's first token (where an error about the type goes;
/// `Span::join` is not stable).
fn first_span(ty: &Type) -> Span {
    ty.to_token_stream()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// The names of a struct's generic parameters: types, consts and lifetimes.
fn generic_names(generics: &syn::Generics) -> HashSet<String> {
    generics
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
            syn::GenericParam::Lifetime(l) => format!("'{}", l.lifetime.ident),
        })
        .collect()
}

/// What spells a type with an associated type: a qualified path
/// (`<A as Trait>::B`) or one of nalgebra's aliases through the allocator.
fn projection_names() -> HashSet<String> {
    [
        "as", "OMatrix", "OVector", "OPoint", "Owned", "MatrixMN", "MatrixN", "VectorN",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// The names by which a field's type can contain the struct itself.
fn recursion_names(ident: &syn::Ident) -> HashSet<String> {
    ["Self".to_owned(), ident.to_string()].into_iter().collect()
}

/// Whether tokens name one of `names` (an identifier, or a lifetime `'a`).
fn mentions(tokens: TokenStream, names: &HashSet<String>) -> bool {
    let mut after_quote = false;
    tokens.into_iter().any(|t| {
        let hit = match &t {
            TokenTree::Group(g) => mentions(g.stream(), names),
            TokenTree::Ident(i) if after_quote => names.contains(&format!("'{i}")),
            TokenTree::Ident(i) => names.contains(&i.to_string()),
            _ => false,
        };
        after_quote = matches!(&t, TokenTree::Punct(p) if p.as_char() == '\'');
        hit
    })
}

/// `tokens` with every `Self` replaced by `this` (the struct's type).
fn replace_self(tokens: TokenStream, this: &TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), replace_self(g.stream(), this));
                group.set_span(g.span());
                TokenTree::Group(group).into()
            }
            TokenTree::Ident(i) if i == "Self" => this.clone(),
            t => t.into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{expand, mentions, recursion_names};
    use quote::quote;
    use syn::parse_quote;

    fn errors(item: proc_macro2::TokenStream) -> Vec<String> {
        let input: syn::DeriveInput = syn::parse2(item).unwrap();
        match super::Input::from_syn(&input) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn enums_unions_and_structs_without_active_fields_are_errors() {
        let enum_error = errors(quote!(
            enum E {
                A(f64),
            }
        ));
        assert!(enum_error[0].contains("not for enums"), "{enum_error:?}");
        let union_error = errors(quote!(union U { a: f64, b: f32 }));
        assert!(union_error[0].contains("not for unions"));
        assert!(errors(quote!(
            struct S;
        ))
        .concat()
        .contains("`S` has no fields"));
        let skipped = errors(quote!(
            struct S {
                #[ad(skip)]
                a: f64,
            }
        ));
        assert!(skipped[0].contains("every field of `S` is marked `#[ad(skip)]`"));
        let recursive = errors(quote!(
            struct T {
                kids: Vec<T>,
                more: Vec<Self>,
            }
        ));
        assert!(recursive[0].contains("contains `T` itself"));
    }

    #[test]
    fn every_attribute_mistake_is_reported_at_once() {
        let all = errors(quote! {
            #[ad(skip)]
            struct S {
                #[ad(frozen)]
                a: f64,
                #[ad(skip = true)]
                b: f64,
                #[ad(skip)]
                c: String,
            }
        });
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[0].contains("goes on a field"));
        assert!(all[1].contains("the only one is `#[ad(skip)]`"));
    }

    #[test]
    fn the_scalar_type_is_an_impl_parameter_only_for_concrete_fields() {
        let concrete = expand(quote! {
            struct Mlp { w: DMatrix<f64>, b: DVector<f64>, #[ad(skip)] act: String }
        })
        .to_string();
        assert!(concrete.contains("__AdS : :: ad :: Real"), "{concrete}");
        assert!(concrete.contains("type Scalar = __AdS"));
        // The skipped field is cloned by `zero_like`, marked skipped
        // (`__ad_field_act`), and appears nowhere else.
        assert_eq!(concrete.matches("act").count(), 6);
        assert!(concrete
            .contains("fn __ad_field_act (& self) -> :: ad :: __rt :: call :: SkippedField"));
        for item in [
            quote!(
                struct P<T: Real> {
                    w: Vec<T>,
                    b: T,
                }
            ),
            quote!(
                struct A<const N: usize> {
                    w: [f64; N],
                }
            ),
            quote!(
                struct L<'a> {
                    w: f64,
                    s: &'a str,
                }
            ),
            quote!(
                struct T {
                    v: f64,
                    kids: Vec<T>,
                }
            ),
            quote!(
                struct O {
                    a: DMatrix<f64>,
                    b: OMatrix<f64, Dyn, Dyn>,
                }
            ),
        ] {
            let out = expand(item).to_string();
            assert!(!out.contains("__AdS"), "{out}");
            assert!(!out.contains("compile_error"), "{out}");
        }
    }

    #[test]
    fn tuple_structs_use_indices() {
        let out = expand(quote!(
            struct Affine(f64, #[ad(skip)] u8, [f64; 2]);
        ))
        .to_string();
        assert!(out.contains("self . 2"), "{out}");
        assert!(out.contains("1 : :: core :: clone :: Clone :: clone (& self . 1)"));
    }

    #[test]
    fn mentions_finds_parameters_lifetimes_and_the_struct() {
        let names = super::generic_names(&parse_quote!(<'a, T, const N: usize>));
        assert!(mentions(quote!(Vec<[T; 3]>), &names));
        assert!(mentions(quote!([f64; N]), &names));
        assert!(mentions(quote!(&'a str), &names));
        assert!(!mentions(quote!(DMatrix<f64>), &names));
        assert!(mentions(
            quote!(Vec<Box<Self>>),
            &recursion_names(&parse_quote!(Tree))
        ));
    }

    #[test]
    fn input_that_is_not_an_item_is_an_error_not_a_panic() {
        assert!(expand(quote!(
            fn f() {}
        ))
        .to_string()
        .contains("compile_error"));
        assert!(expand(quote!(struct)).to_string().contains("compile_error"));
    }
}
