//! No parameter that holds floats is silently inactive.
//!
//! Without `wrt(...)`, a parameter whose type the macro does not
//! differentiate would be inactive: no tangent, no cotangent. That is right
//! for data (`n: usize`, `cfg: &Config`, a closure), and a silent wrong
//! derivative for floats the macro does not see (`Box<[f64]>`, `Option<f64>`,
//! `Vec<DVector<f64>>`, an alias `Mat3` of `[[f64; 3]; 3]`). Where the
//! syntax shows floats, the macro rejects the parameter ([`visible`]); where
//! it cannot see (an alias, a type of another crate), the function's body
//! gets a compile-time check that fails, at the parameter's type, when the
//! type holds floats ([`probes`], `ad_runtime::floats`). With `wrt(...)`,
//! leaving a parameter out is explicit and nothing is checked.

use crate::error::Errors;
use crate::fx::HashSet;
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{Ident, Type};

/// Containers whose type arguments the macro looks into for floats.
pub(crate) const CONTAINERS: &[&str] = &[
    "Vec", "Option", "Box", "Rc", "Arc", "VecDeque", "Cell", "RefCell", "HashMap", "BTreeMap",
];

/// Whether the syntax of `ty` shows `f32`/`f64` (or a float type parameter)
/// inside a container, a reference, an array, a tuple or a nalgebra type.
pub fn visible(ty: &Type, reals: &HashSet<String>) -> bool {
    crate::parse::floats_within(ty, reals, &|name| {
        CONTAINERS.contains(&name) || crate::parse::is_nalgebra(name)
    })
}

/// The type as the user wrote it, without `quote`'s spaces.
fn text(ty: &Type) -> String {
    let mut s = ty.to_token_stream().to_string();
    for (from, to) in [
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
        (" ,", ","),
        ("& ", "&"),
        (" :: ", "::"),
        ("( ", "("),
        (" )", ")"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// `ty` without its references and parentheses.
fn bare(ty: &Type) -> &Type {
    match ty {
        Type::Reference(r) => bare(&r.elem),
        Type::Paren(p) => bare(&p.elem),
        Type::Group(g) => bare(&g.elem),
        _ => ty,
    }
}

/// The last segment of a path type: its name and first type argument.
fn head(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(p) = bare(ty) else {
        return None;
    };
    let last = p.path.segments.last()?;
    let arg = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((last.ident.to_string(), arg))
}

/// What to take instead of a parameter of type `ty` whose syntax shows
/// floats.
fn instead(ty: &Type) -> String {
    let inner = match bare(ty) {
        Type::Array(a) => Some(&*a.elem),
        Type::Slice(s) => Some(&*s.elem),
        _ => None,
    };
    let rows = inner.or_else(|| head(ty).filter(|(n, _)| n == "Vec").and_then(|(_, a)| a));
    if rows
        .and_then(head)
        .is_some_and(|(n, _)| crate::parse::is_nalgebra(&n))
    {
        return "take the vectors as the columns of one `&DMatrix<f64>`, or as rows of a 2-D \
                array (`&[Vec<f64>]`)"
            .into();
    }
    match head(ty) {
        Some((n, Some(arg))) if ["Box", "Rc", "Arc"].contains(&n.as_str()) => {
            format!("take `&{}` (callers pass `&v`)", text(arg))
        }
        Some((n, Some(arg))) if n == "Option" => format!(
            "take `{}` and let the caller unwrap the option or pass a default",
            text(arg)
        ),
        _ => "take a type that is differentiated: `f64`, `&[f64]`, `[f64; N]`, `Vec<f64>`, \
              `&[Vec<f64>]`, `&[[f64; N]]`, `Vec<Vec<f64>>`, or a nalgebra vector or matrix"
            .into(),
    }
}

/// The names of the active parameters (and buffers), for `wrt(..)`.
pub fn active_names(params: &[crate::parse::Param]) -> Vec<String> {
    params
        .iter()
        .filter(|p| p.active || p.output)
        .map(|p| p.ident.to_string())
        .collect()
}

/// How to leave `name` out: `wrt(..)` with the other active parameters.
fn leave_out(name: &Ident, active: &[String]) -> String {
    if active.is_empty() {
        format!("or, if `{name}` is data, leave it out explicitly with `#[differentiate(wrt(..))]` naming the active parameters")
    } else {
        format!(
            "or, if `{name}` is data, leave it out explicitly: `#[differentiate(wrt({}))]`",
            active.join(", ")
        )
    }
}

/// The error for a parameter whose syntax shows floats of a type that is
/// not differentiated.
pub fn reject(name: &Ident, ty: &Type, active: &[String], errors: &mut Errors) {
    errors.spanned(
        ty,
        format_args!(
            "parameter `{name}` holds floating-point values, but #[differentiate] does not \
             differentiate `{}` and would leave it inactive, with no derivative: {}; {}",
            text(ty),
            instead(ty),
            leave_out(name, active),
        ),
    );
}

/// Whether a parameter's type may be an alias of floats, to be checked by
/// the compiler: not a closure or trait object, not one of the function's
/// type parameters.
pub fn may_hold(ty: &Type, generics: &syn::Generics) -> bool {
    match bare(ty) {
        Type::Path(p) => !p
            .path
            .get_ident()
            .is_some_and(|i| generics.type_params().any(|t| t.ident == *i)),
        Type::ImplTrait(_) | Type::TraitObject(_) | Type::BareFn(_) | Type::Never(_) => false,
        t => !t.to_token_stream().into_iter().any(|t| {
            matches!(&t, TokenTree::Ident(i) if i == "impl")
                || matches!(&t, TokenTree::Punct(p) if p.as_char() == '_')
        }),
    }
}

/// Traits `f64` implements, which a float type parameter may be bound by
/// and still be probed as `f64` (see [`concrete`]).
const F64_TRAITS: &[&str] = &[
    "Real",
    "Float",
    "FloatCore",
    "FloatConst",
    "Num",
    "NumCast",
    "NumOps",
    "NumAssign",
    "NumAssignOps",
    "Signed",
    "Bounded",
    "Zero",
    "One",
    "FromPrimitive",
    "ToPrimitive",
    "RealField",
    "ComplexField",
    "Scalar",
    "Copy",
    "Clone",
    "Debug",
    "Display",
    "LowerExp",
    "UpperExp",
    "Default",
    "PartialEq",
    "PartialOrd",
    "Send",
    "Sync",
    "Unpin",
    "Sized",
    "Sum",
    "Product",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Rem",
    "Neg",
    "AddAssign",
    "SubAssign",
    "MulAssign",
    "DivAssign",
    "RemAssign",
];

/// `ty` with the float type parameters (`reals`) as `f64`: the probe in a
/// generic body resolves once, for any `T`, where `M<T>` (`type M<T> =
/// [[T; 3]; 3];`) is not known to hold floats; `M<f64>` is. Only a
/// parameter bound by traits `f64` implements ([`F64_TRAITS`]) is replaced,
/// so that `M<f64>` is a type wherever `M<T>` is.
fn concrete(ty: &Type, generics: &syn::Generics, reals: &HashSet<String>) -> Type {
    use syn::visit_mut::VisitMut;
    let known = |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>| {
        bounds.iter().all(|b| match b {
            syn::TypeParamBound::Trait(t) => t
                .path
                .segments
                .last()
                .is_some_and(|s| F64_TRAITS.contains(&s.ident.to_string().as_str())),
            _ => true,
        })
    };
    let mentions = |t: &Type, name: &str| {
        t.to_token_stream()
            .into_iter()
            .any(|t| matches!(t, TokenTree::Ident(i) if i == name))
    };
    let names: HashSet<String> = reals
        .iter()
        .filter(|name| {
            generics
                .type_params()
                .filter(|p| p.ident == name.as_str())
                .all(|p| known(&p.bounds))
                && generics
                    .where_clause
                    .iter()
                    .flat_map(|w| &w.predicates)
                    .all(|w| match w {
                        syn::WherePredicate::Type(t)
                            if matches!(&t.bounded_ty,
                        Type::Path(p) if p.path.is_ident(name.as_str())) =>
                        {
                            known(&t.bounds)
                        }
                        syn::WherePredicate::Type(t) => !mentions(&t.bounded_ty, name),
                        _ => true,
                    })
        })
        .cloned()
        .collect();
    struct Subst(HashSet<String>);
    impl VisitMut for Subst {
        fn visit_type_mut(&mut self, t: &mut Type) {
            if let Type::Path(p) = t {
                if let Some(i) = p.path.get_ident() {
                    if p.qself.is_none() && self.0.contains(&i.to_string()) {
                        let f64 = Ident::new("f64", i.span());
                        *t = syn::parse_quote!(#f64);
                        return;
                    }
                }
            }
            syn::visit_mut::visit_type_mut(self, t);
        }
    }
    let mut ty = ty.clone();
    Subst(names).visit_type_mut(&mut ty);
    ty
}

/// The checks of the parameters `unseen` (name, type), as statements for
/// the start of the function's body (no cost: nothing runs). `generics`,
/// `reals`: the function's, for a generic alias (see [`concrete`]).
pub fn probes(
    unseen: &[(Ident, Type)],
    active: &[String],
    generics: &syn::Generics,
    reals: &HashSet<String>,
) -> TokenStream {
    let mut checks = Vec::new();
    for (name, ty) in unseen {
        let base = name.to_string().trim_start_matches("r#").to_owned();
        let message = format!(
            "parameter `{name}` holds floating-point values, but #[differentiate] sees only the \
             name of its type `{}` and would leave it inactive, with no derivative",
            text(ty)
        );
        let label = "write the type out (`f64`, `&[f64]`, `[[f64; N]; M]`, `DVector<f64>`, ..), \
                     not an alias";
        let note = leave_out(name, active);
        // The argument's span covers the type (without `&`): its first
        // token has the type's first span, its last token the type's last.
        let mut spans = bare(ty).to_token_stream().into_iter().map(|t| t.span());
        let first = spans.next().unwrap_or_else(Span::call_site);
        let last = spans.last().unwrap_or(first);
        let tr = format_ident!("__AdInactive_{}", base, span = first);
        let chk = format_ident!("__ad_inactive_{}", base, span = first);
        let mut probe = Group::new(Delimiter::Parenthesis, {
            let ty = concrete(ty, generics, reals);
            quote!(&&::ad::__rt::floats::Probe::<#ty>::new())
        });
        probe.set_span(first);
        let mut call = Group::new(Delimiter::Parenthesis, TokenStream::new());
        call.set_span(last);
        // (At the type, so that rustc's notes point there too.)
        checks.push(quote_spanned! {first=>
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #tr {}
            #[diagnostic::do_not_recommend]
            impl #tr for ::ad::__rt::floats::NoFloats {}
            fn #chk<T: #tr>(_: T) {}
            #chk(#probe.floats #call);
        });
    }
    if checks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[allow(non_camel_case_types, non_snake_case)]
        {
            use ::ad::__rt::floats::{ProbeFloats as _, ProbeNone as _};
            #(#checks)*
        }
    }
}

/// In a method, a type parameter that the method does not declare (`T` of
/// `impl<T: Real> S<T> { fn energy(&self, x: &[T]) -> T }`): the `impl`
/// block's, which the attribute on the method cannot see, so it cannot
/// know that `T` is a float type. Only names written like type parameters
/// (`T`, `U2`), by value or as elements (of arrays, slices, tuples, type
/// arguments: `&[T]`, `Vec<T>`, `DVector<T>`); not borrowed whole (`&Q`:
/// a struct, as a float is taken by value).
pub fn outer_type_param<'a>(ty: &'a Type, generics: &syn::Generics) -> Option<&'a Ident> {
    let inner = |t: &'a Type| outer_type_param(t, generics);
    match ty {
        // (`&DVector<T>`: its type arguments.)
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.get_ident().is_some() => None,
            elem => inner(elem),
        },
        Type::Paren(p) => inner(&p.elem),
        Type::Group(g) => inner(&g.elem),
        Type::Array(a) => inner(&a.elem),
        Type::Slice(s) => inner(&s.elem),
        Type::Tuple(t) => t.elems.iter().find_map(inner),
        Type::Path(p) if p.qself.is_none() => {
            if let Some(id) = p.path.get_ident() {
                let name = id.to_string();
                let mut chars = name.chars();
                let param = chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && chars.all(|c| c.is_ascii_digit());
                let declared = generics.type_params().any(|t| t.ident == *id);
                return (param && !declared).then_some(id);
            }
            let last = p.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
                return None;
            };
            a.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::Type(t) => inner(t),
                _ => None,
            })
        }
        _ => None,
    }
}
