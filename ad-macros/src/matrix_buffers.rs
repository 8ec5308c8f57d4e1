//! In/out buffers of nalgebra values (`y: &mut DVector<f64>`): the
//! function's derivatives are those of its value form (`buffers.rs`),
//! which takes each buffer's initial contents by value and returns its
//! final contents, so that whole-value updates (`*y += x * a`, `*y = ..`)
//! are ordinary assignments of a local there. `f_jvp` and `f_vjp` keep the
//! contract's signatures (each buffer followed by its tangent or cotangent
//! buffer) and call the value form's:
//!
//! ```text
//! fn axpy_jvp(a: f64, da: f64, x: &DVector<f64>, dx: &DVector<f64>,
//!             y: &mut DVector<f64>, dy: &mut DVector<f64>) {
//!     let (y_new, dy_new) = __ad_value_axpy_jvp(a, da, x, dx,
//!         ::core::mem::take(y), ::core::mem::take(dy));
//!     *y = y_new;
//!     *dy = dy_new;
//! }
//! ```
//!
//! (Buffers move in and out: nothing is copied but `&mut [f64]` buffers of
//! the same function, which have no owned form to move.)

use crate::parse::{Model, Param};
use crate::scope::Scope;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Whether the function has a `&mut` nalgebra buffer (then its
/// derivatives are its value form's).
pub fn has_matrix_buffer(model: &Model) -> bool {
    model.params.iter().any(|p| p.output && p.matrix)
}

/// Whether a buffer parameter's type has an owned form it can be moved
/// out of (`&mut DVector<f64>`, `&mut Vec<f64>`), rather than copied out
/// of and back into (`&mut [f64]`, `&mut [f64; N]`).
fn movable(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Path(_)))
}

/// The buffer's contents going into the value form (`take(y)`).
fn moved_in(name: &syn::Ident, ty: &syn::Type) -> TokenStream {
    match movable(ty) {
        true => quote!(::core::mem::take(#name)),
        false => quote!(#name.to_vec()),
    }
}

/// The buffer's contents coming back from the value form.
fn moved_out(name: &syn::Ident, ty: &syn::Type, value: &syn::Ident) -> TokenStream {
    match movable(ty) {
        true => quote!(*#name = #value;),
        false => quote!(#name.copy_from_slice(&#value);),
    }
}

/// One name or a tuple of them.
fn pack(items: &[TokenStream]) -> TokenStream {
    match items {
        [one] => one.clone(),
        many => quote!((#(#many),*)),
    }
}

/// The item named `name` among the value forms' expansion `forms`.
fn item_named(forms: &TokenStream, name: &syn::Ident) -> TokenStream {
    let Ok(file) = syn::parse2::<syn::File>(forms.clone()) else {
        return TokenStream::new();
    };
    file.items
        .into_iter()
        .find(|it| matches!(it, syn::Item::Fn(f) if f.sig.ident == *name))
        .map(|it| quote!(#it))
        .unwrap_or_default()
}

/// `f`'s items (besides `f` itself and the value forms, whose expansion is
/// `forms`): `f_jvp` and `f_vjp` calling the value form's derivatives, and
/// the marker of `f`'s buffer parameters for its callers. Where the scope
/// is not known (`Scope::Unknown`: `Self::` or not), each holds its own
/// copy of the derivative it calls.
pub fn items(model: &Model, scope: Scope, forms: &TokenStream) -> TokenStream {
    let item = model.item;
    let sig = &item.sig;
    let vis = &item.vis;
    let name = &sig.ident;
    let has_value = model.has_output;
    let ret = &model.ret;
    let gen = &model.generics;
    let wher = &gen.where_clause;
    let value = match has_value {
        true => crate::buffers::result_value_name(name),
        false => crate::buffers::value_name(name),
    };
    let (value_jvp, value_vjp) = (
        format_ident!("{}_jvp", value),
        format_ident!("{}_vjp", value),
    );
    // The receiver, passed on first; siblings in an `impl` are `Self::`.
    let recv: Vec<TokenStream> = model.receiver.iter().map(|r| quote!(#r)).collect();
    let recv_arg: Vec<TokenStream> = model.receiver.iter().map(|_| quote!(self)).collect();
    let path = match (model.receiver.is_some(), scope) {
        (true, _) | (false, Scope::Assoc) => quote!(Self::),
        _ => quote!(),
    };
    let own = |name: &syn::Ident| match (model.receiver.is_some(), scope) {
        // (A trait impl's function is rejected before this.)
        (false, Scope::Unknown | Scope::TraitImpl) => item_named(forms, name),
        _ => TokenStream::new(),
    };
    let (own_jvp, own_vjp) = (own(&value_jvp), own(&value_vjp));
    let base = |p: &Param| p.ident.to_string().trim_start_matches("r#").to_string();
    let buffers: Vec<&Param> = model.params.iter().filter(|p| p.output).collect();

    // f_jvp(.., y, dy) -> (out, dout)
    let (mut params, mut args) = (Vec::new(), Vec::new());
    for p in &model.params {
        let (x, ty) = (&p.ident, &p.ty);
        let dx = format_ident!("d{}", base(p));
        params.push(quote!(#x: #ty));
        match (p.output, p.active) {
            (true, _) => {
                params.push(quote!(#dx: #ty));
                args.push(moved_in(x, ty));
                args.push(moved_in(&dx, ty));
            }
            (false, true) => {
                params.push(quote!(#dx: #ty));
                args.push(quote!(#x));
                args.push(quote!(#dx));
            }
            (false, false) => args.push(quote!(#x)),
        }
    }
    let new = |p: &Param, prefix: &str| format_ident!("__ad_{}{}", prefix, base(p));
    let mut outs: Vec<TokenStream> = has_value.then(|| quote!(__ad_out)).into_iter().collect();
    let mut douts: Vec<TokenStream> = has_value.then(|| quote!(__ad_dout)).into_iter().collect();
    let mut back = Vec::new();
    for p in &buffers {
        let (y, dy) = (new(p, ""), new(p, "d"));
        outs.push(quote!(#y));
        douts.push(quote!(#dy));
        back.push(moved_out(&p.ident, &p.ty, &y));
        back.push(moved_out(&format_ident!("d{}", base(p)), &p.ty, &dy));
    }
    let (outs_pat, douts_pat) = (pack(&outs), pack(&douts));
    let (jvp_ret, jvp_tail) = match has_value {
        true => (quote!(-> (#ret, #ret)), quote!((__ad_out, __ad_dout))),
        false => (quote!(), quote!()),
    };
    let jvp_name = format_ident!("{}_jvp", name);
    let doc_jvp = format!(
        "Forward mode of [`{name}`]: its value and its directional derivative along the tangents `d..` of the active inputs; each buffer's tangent buffer holds the tangent of its initial contents in, that of its final contents out. Generated by `#[differentiate]`."
    );
    let mut out = quote! {
        #[doc = #doc_jvp]
        #[allow(clippy::too_many_arguments, clippy::type_complexity, unused_mut)]
        #vis fn #jvp_name #gen (#(#recv,)* #(#params),*) #jvp_ret #wher {
            #own_jvp
            let (#outs_pat, #douts_pat) = #path #value_jvp(#(#recv_arg,)* #(#args),*);
            #(#back)*
            #jvp_tail
        }
    };

    // f_vjp(.., y, y_bar, dout) -> (out, x_bar..)
    let (mut params, mut args) = (Vec::new(), Vec::new());
    let mut seeds: Vec<TokenStream> = has_value.then(|| quote!(dout)).into_iter().collect();
    // The value form's cotangents: of its active inputs, buffers included.
    let mut pats = Vec::new();
    let mut cots = Vec::new();
    let mut back = Vec::new();
    for p in &model.params {
        let (x, ty) = (&p.ident, &p.ty);
        params.push(quote!(#x: #ty));
        if p.output {
            let x_bar = format_ident!("{}_bar", base(p));
            params.push(quote!(#x_bar: #ty));
            args.push(moved_in(x, ty));
            seeds.push(moved_in(&x_bar, ty));
            let (y, c) = (new(p, ""), new(p, "bar_"));
            pats.push(quote!(#c));
            back.push(moved_out(x, ty, &y));
            back.push(moved_out(&x_bar, ty, &c));
        } else {
            args.push(quote!(#x));
            if p.active {
                let c = format_ident!("{}_bar", base(p));
                pats.push(quote!(#c));
                cots.push(quote!(#c));
            }
        }
    }
    let cotangent_tys: Vec<syn::Type> = model
        .params
        .iter()
        .filter(|p| p.active)
        .map(|p| crate::emit::cotangent_type(&p.ty))
        .collect();
    if has_value {
        params.push(quote!(dout: #ret));
    }
    let mut outs: Vec<TokenStream> = has_value.then(|| quote!(__ad_out)).into_iter().collect();
    outs.extend(buffers.iter().map(|p| {
        let y = new(p, "");
        quote!(#y)
    }));
    let outs_pat = pack(&outs);
    let seed = pack(&seeds);
    let (vjp_ret, vjp_tail) = match (has_value, cotangent_tys.as_slice()) {
        (true, tys) => (quote!(-> (#ret, #(#tys),*)), quote!((__ad_out, #(#cots),*))),
        // Only buffers: their cotangents are in them.
        (false, []) => (quote!(), quote!()),
        (false, [one]) => (quote!(-> #one), pack(&cots)),
        (false, tys) => (quote!(-> (#(#tys),*)), pack(&cots)),
    };
    let vjp_name = format_ident!("{}_vjp", name);
    let doc_vjp = format!(
        "Reverse mode of [`{name}`]: its value and the cotangents of the active inputs, in order, for the output cotangent; each buffer's cotangent buffer holds the cotangent of its final contents in, that of its initial contents out. Generated by `#[differentiate]`."
    );
    out.extend(quote! {
        #[doc = #doc_vjp]
        #[allow(clippy::too_many_arguments, clippy::type_complexity, unused_mut)]
        #vis fn #vjp_name #gen (#(#recv,)* #(#params),*) #vjp_ret #wher {
            #own_vjp
            let (#outs_pat, #(#pats),*) = #path #value_vjp(#(#recv_arg,)* #(#args,)* #seed);
            #(#back)*
            #vjp_tail
        }
    });
    out.extend(crate::callcheck::params_marker(model));
    out
}
