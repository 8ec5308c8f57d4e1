//! nalgebra views as active parameters (`x: DVectorView<f64>`,
//! `m: &DMatrixView<f64>`).
//!
//! The derivatives are those of the function on an owned copy of the view:
//! before the model is built, the parameter's type becomes the owned type
//! of the view (`DVector<f64>`, `&DMatrix<f64>`), which the rest of the
//! macro knows. The public items (`f_jvp`, `f_vjp`, `f_grad`, `f_hvp`,
//! `f_vjp_many`) still take the view, and its tangent as a view too; their
//! body copies both first (`let x: DVector<f64> = x.clone_owned();`): one
//! copy per call. Cotangents are owned (`DVector<f64>`). The hidden wrappers
//! take the owned type: differentiated callers pass them the owned copy of
//! the view they computed (`x.rows(0, n)`).
//!
//! Mutable views (`DVectorViewMut`) are not rewritten (the parser rejects
//! them where active): a mutable view is an in/out buffer, which is
//! `&mut DVector<f64>`.

use crate::error::Errors;
use crate::parse::{Model, Options};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::{GenericArgument, PathArguments, Type};

/// An active view parameter: its name and its type as written.
pub struct View {
    pub ident: syn::Ident,
    pub ty: Type,
}

/// Rewrites the type of every active view parameter of `item` to the owned
/// type of the view; returns them as written. Active: named in `wrt(..)`,
/// or every view without `wrt(..)` (as for any nalgebra parameter).
pub fn as_owned(item: &mut syn::ItemFn, options: &Options) -> Vec<View> {
    let mut views = Vec::new();
    // (`custom`: the hand-written rules take what they declare.)
    if options.custom {
        return views;
    }
    let reals = crate::parse::real_params(&item.sig.generics);
    for arg in item.sig.inputs.iter_mut() {
        let syn::FnArg::Typed(pt) = arg else {
            continue;
        };
        let syn::Pat::Ident(pi) = &*pt.pat else {
            continue;
        };
        let wanted = options.wrt.as_ref().map(|w| w.contains(&pi.ident));
        if wanted == Some(false) || !crate::parse::is_view(&pt.ty, &reals) {
            continue;
        }
        if let Some(owned) = owned(&pt.ty) {
            views.push(View {
                ident: pi.ident.clone(),
                ty: (*pt.ty).clone(),
            });
            *pt.ty = owned;
        }
    }
    views
}

/// What to write instead of a view the macro does not take (`ty`, of a
/// function marked `custom` or not).
pub fn unsupported(ty: &Type, custom: bool) -> String {
    let written = ty.to_token_stream().to_string().replace(' ', "");
    let copy = "or take `&DVector<f64>` or `&DMatrix<f64>` and pass a copy of the view \
                (`&x.rows(a, n).into_owned()`); or leave the view out of `wrt(...)`";
    if custom {
        format!(
            "a function with hand-written rules (`custom`) cannot take an active nalgebra \
             view (`{written}`): take `&DVector<f64>` or `&DMatrix<f64>` (its `_jvp` and \
             `_vjp` too) and pass a copy of the view (`&x.rows(a, n).into_owned()`); or \
             leave the view out of `wrt(...)`"
        )
    } else if written.contains("Mut") {
        format!(
            "mutable nalgebra views (`{written}`) are not supported as parameters of a \
             differentiated function: take an in/out buffer `&mut DVector<f64>` (or \
             `&mut DMatrix<f64>`) and copy the result into the view after the call; or leave \
             the view out of `wrt(...)`"
        )
    } else {
        format!(
            "this nalgebra view (`{written}`) is not supported as a parameter of a \
             differentiated function (`DVectorView`, `DMatrixView`, `MatrixView<..>`, \
             `VectorView<..>`, `SVectorView`, `SMatrixView` and their aliases such as \
             `MatrixView2x3` are); {copy}"
        )
    }
}

/// Views beside `&mut` buffers: the public items of such a function are the
/// value form's (`matrix_buffers.rs`, `buffers.rs`), which take the owned
/// types; not supported.
pub fn check(model: &Model, views: &[View], errors: &mut Errors) {
    if !model.params.iter().any(|p| p.output) {
        return;
    }
    for v in views {
        errors.spanned(
            &v.ty,
            format_args!(
                "an active nalgebra view (`{}`) in a function with a `&mut` buffer is not \
                 supported: take the owned type (`&DVector<f64>`, `&DMatrix<f64>`) and pass a \
                 copy of the view (`&x.rows(a, n).into_owned()`); or leave `{}` out of \
                 `wrt(...)`",
                v.ty.to_token_stream().to_string().replace(' ', ""),
                v.ident
            ),
        );
    }
}

/// The owned type of a view type: `DVectorView<'a, T>` -> `DVector<T>`,
/// `&MatrixView<T, R, C>` -> `&OMatrix<T, R, C>`, `Matrix<T, R, C,
/// ViewStorage<..>>` -> `OMatrix<T, R, C>`; `None` for a mutable view or a
/// name the macro does not know.
pub fn owned(ty: &Type) -> Option<Type> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => {
            let elem = owned(&r.elem)?;
            Some(syn::parse_quote!(&#elem))
        }
        Type::Paren(p) => owned(&p.elem),
        Type::Group(g) => owned(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if name.ends_with("Mut") {
                return None;
            }
            // Type and const arguments, without lifetimes.
            let args: Vec<&GenericArgument> = match &last.arguments {
                PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter(|g| !matches!(g, GenericArgument::Lifetime(_)))
                    .collect(),
                _ => Vec::new(),
            };
            let base = name.replacen("View", "", 1).replacen("Slice", "", 1);
            // The owned type's name and how many arguments it keeps (the
            // view's strides and storage go).
            let (owned, keep) = match base.as_str() {
                "Matrix" | "OMatrix" | "SMatrix" => (
                    if base == "SMatrix" {
                        "SMatrix"
                    } else {
                        "OMatrix"
                    },
                    3,
                ),
                "Vector" | "OVector" | "SVector" => (
                    if base == "SVector" {
                        "SVector"
                    } else {
                        "OVector"
                    },
                    2,
                ),
                _ if base.starts_with("DVector")
                    || base.starts_with("DMatrix")
                    || base.starts_with("RowDVector")
                    || base.starts_with("Matrix")
                    || base.starts_with("Vector")
                    || base.starts_with("RowVector") =>
                {
                    (base.as_str(), 1)
                }
                _ => return None,
            };
            if args.len() < keep {
                return None;
            }
            let owned = format_ident!("{}", owned);
            let args = &args[..keep];
            Some(syn::parse_quote!(::ad::nalgebra::#owned<#(#args),*>))
        }
        _ => None,
    }
}

/// A public item's declaration of the view parameter `name` (or its tangent),
/// of the view's type `view`, and the statement its body starts with, which
/// binds `name` to an owned copy of type `owned` (`mut`: the body writes
/// it).
pub fn copied(
    name: &TokenStream,
    view: &Type,
    owned: &Type,
    mutable: bool,
) -> (TokenStream, TokenStream) {
    let m = mutable.then(|| quote!(mut));
    let copy = match owned {
        Type::Reference(_) => quote!(&#name.clone_owned()),
        _ => quote!(#name.clone_owned()),
    };
    (quote!(#name: #view), quote!(let #m #name: #owned = #copy;))
}

#[cfg(test)]
mod tests {
    use super::owned;
    use quote::ToTokens;

    fn o(ty: syn::Type) -> String {
        owned(&ty).map_or("-".into(), |t| {
            t.to_token_stream().to_string().replace(' ', "")
        })
    }

    #[test]
    fn owned_types_of_views() {
        use syn::parse_quote as q;
        assert_eq!(o(q!(DVectorView<f64>)), "::ad::nalgebra::DVector<f64>");
        assert_eq!(o(q!(&DMatrixView<'_, T>)), "&::ad::nalgebra::DMatrix<T>");
        assert_eq!(
            o(q!(MatrixView<'a, f64, Dyn, Dyn, U1, Dyn>)),
            "::ad::nalgebra::OMatrix<f64,Dyn,Dyn>"
        );
        assert_eq!(
            o(q!(VectorView<f64, Const<3>>)),
            "::ad::nalgebra::OVector<f64,Const<3>>"
        );
        assert_eq!(o(q!(SVectorView<f64, 3>)), "::ad::nalgebra::SVector<f64,3>");
        assert_eq!(o(q!(MatrixView2x3<f64>)), "::ad::nalgebra::Matrix2x3<f64>");
        assert_eq!(o(q!(VectorView3<f64>)), "::ad::nalgebra::Vector3<f64>");
        assert_eq!(o(q!(DVectorSlice<f64>)), "::ad::nalgebra::DVector<f64>");
        assert_eq!(
            o(q!(Matrix<f64, Dyn, U1, ViewStorage<'a, f64, Dyn, U1, U1, Dyn>>)),
            "::ad::nalgebra::OMatrix<f64,Dyn,U1>"
        );
        assert_eq!(o(q!(DVectorViewMut<f64>)), "-");
        assert_eq!(o(q!(&mut DVectorView<f64>)), "-");
    }
}
