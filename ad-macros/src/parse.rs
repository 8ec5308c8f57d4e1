//! `syn::ItemFn` and the attribute's arguments -> the model of the function:
//! which parameters are active, what the output is.

use crate::error::Errors;
use crate::fx::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Token, Type};

/// Options of `#[differentiate(...)]`.
#[derive(Default)]
pub struct Options {
    /// `dump`: print the generated code at build time.
    pub dump: bool,
    /// `wrt(a, b)`: the active parameters, if given.
    pub wrt: Option<Vec<Ident>>,
    /// `custom`: the derivatives are the hand-written `f_jvp` and `f_vjp`
    /// next to `f`; only the calling convention is generated.
    pub custom: bool,
    /// `custom(second_order)`: `f_vjp_jvp` is hand-written too.
    pub custom_second_order: bool,
    /// `joint`: differentiated callers call this function in joint mode
    /// (its forward sweep runs again in their reverse sweep; they keep
    /// nothing of it).
    pub joint: bool,
}

impl Options {
    /// Parses `dump` and `wrt(a, b, ...)`.
    pub fn parse(args: proc_macro2::TokenStream) -> syn::Result<Options> {
        let mut options = Options::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("dump") {
                options.dump = true;
                Ok(())
            } else if meta.path.is_ident("joint") {
                options.joint = true;
                Ok(())
            } else if meta.path.is_ident("custom") {
                options.custom = true;
                if meta.input.peek(syn::token::Paren) {
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("second_order") {
                            options.custom_second_order = true;
                            Ok(())
                        } else {
                            Err(inner.error(
                                "the option of `custom` is `second_order` (the hand-written `f_vjp_jvp` exists)",
                            ))
                        }
                    })?;
                }
                Ok(())
            } else if meta.path.is_ident("wrt") {
                let mut names = Vec::new();
                meta.parse_nested_meta(|inner| match inner.path.get_ident() {
                    Some(ident) => {
                        names.push(ident.clone());
                        Ok(())
                    }
                    None => Err(inner.error("expected a parameter name, as in `wrt(x, y)`")),
                })?;
                options.wrt = Some(names);
                Ok(())
            } else {
                Err(meta.error(
                    "unknown option of #[differentiate]: the options are `wrt(a, b, ...)` \
                     (differentiate with respect to these parameters only), `dump` \
                     (print the generated code at build time), `custom` (the \
                     derivatives are the hand-written `f_jvp` and `f_vjp`) and `joint` \
                     (callers' reverse mode runs this function's forward sweep again \
                     instead of keeping what it saved: less memory, more time)",
                ))
            }
        });
        syn::parse::Parser::parse2(parser, args)?;
        Ok(options)
    }
}

/// The float type of a scalar, when the macro can see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Float {
    F32,
    F64,
    /// A type parameter `T: Real` or `T: Float`.
    Generic,
}

/// A typed parameter of the function.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// An active input: it gets a tangent and a cotangent.
    pub active: bool,
    /// An output buffer (`&mut [f64]`): it gets a tangent buffer in `_jvp`
    /// and a cotangent seed in `_vjp`.
    pub output: bool,
    pub mutable: bool,
    /// Read by element (`&[f64]`, `[f64; N]`, `Vec<f64>`, `&mut [f64]`).
    pub array: bool,
    /// A 2-D array (`&[Vec<f64>]`, `[[f64; N]; M]`, `Vec<Vec<f64>>`):
    /// an array of rows, read by element `a[r][c]`.
    pub nested: bool,
    /// A nalgebra vector or matrix (owned or borrowed).
    pub matrix: bool,
    /// A parameter struct named in `wrt(...)` (`p: &Params`, whose type
    /// derives `Differentiable`): its fields are read as `&p.w`.
    pub structure: bool,
}

/// The function, as the transformations see it.
pub struct Model<'a> {
    pub item: &'a ItemFn,
    /// The function as the user wrote it, before `desugar` (which `item`
    /// is after it): the joint split form computes its value with it, since
    /// desugared code is only lowered, never compiled (`for mut row in m`
    /// becomes `let mut row = m[i];`, a move out of an index).
    pub source: &'a ItemFn,
    /// Type parameters bounded by `Real` or num-traits' `Float`: scalars
    /// like `f64`.
    pub reals: HashSet<String>,
    /// The generics of every generated item ([`generated_generics`]).
    pub generics: syn::Generics,
    /// `&self`, `&mut self` or `self`: passed through, inactive, unless
    /// `wrt(self)` names it (then it is also `params[0]`, see
    /// [`Model::active_self`]).
    pub receiver: Option<syn::Receiver>,
    /// `wrt(self)`: the receiver is an active parameter struct, the first
    /// of `params` (named `self`, of the receiver's type `&Self` or
    /// `Self`), and generated items declare it as `self: &Self`.
    pub active_self: bool,
    pub params: Vec<Param>,
    /// The declared return type.
    pub ret: Type,
    /// `false` for `fn f(..)` without `-> T` (an error).
    pub has_output: bool,
    /// Set when the output is a scalar whose type the macro sees (`f64`):
    /// then `_grad` is generated.
    pub ret_float: Option<Float>,
    /// A parameter or the output is a nalgebra vector or matrix.
    pub matrix: bool,
    /// Called in joint mode by differentiated callers (`joint`).
    pub joint: bool,
    /// The parameters left inactive, without `wrt(...)`, whose types the
    /// macro cannot see into (an alias `Mat3`): checked by the compiler
    /// not to hold floats (`inactive.rs`).
    pub unseen: Vec<(Ident, Type)>,
    /// Where the function stands, as far as its generated siblings' paths
    /// go (`scope.rs`).
    pub scope: crate::scope::Scope,
    /// The active nalgebra views, whose types `params` hold as the owned
    /// types (`view_params.rs`): the public items take the views.
    pub views: Vec<crate::view_params::View>,
}

/// How the macro classifies a type by its syntax.
enum Class {
    Float,
    /// Integers, `bool`, `char`: never active.
    Discrete,
    /// A slice, array or `Vec` of floats, read by element.
    Array,
    /// A slice, array or `Vec` of rows (`[f64; N]` or `Vec<f64>`): a 2-D
    /// array, read by element `a[r][c]`.
    Nested,
    /// `&mut [f64]`, `&mut [f64; N]`, `&mut Vec<f64>`: an in/out buffer.
    OutputBuffer,
    /// `&mut DVector<f64>` (any nalgebra value): an in/out buffer,
    /// differentiated through the function's value form (`buffers.rs`).
    MatrixBuffer,
    /// A container of floats that a later version differentiates; for now an
    /// error, so that it is never silently treated as a constant.
    Container(&'static str),
    /// A nalgebra vector or matrix, owned or borrowed.
    Matrix,
    /// A nalgebra view (`DVectorView<f64>`, `MatrixView<..>`): an error
    /// where active (its lifetime and storage are not generated).
    View,
    /// A borrowed scalar.
    BorrowedFloat,
    /// Anything else: inactive unless named in `wrt(...)`.
    Other,
}

/// `Result<..>` or `Option<..>` (by name: aliases like `anyhow::Result<f64>`
/// too): what wraps a value of it (`Ok`, `Some`).
pub fn wrapper_of(ty: &Type) -> Option<&'static str> {
    let Type::Path(p) = ty else {
        return None;
    };
    match p.path.segments.last()?.ident.to_string().as_str() {
        "Result" => Some("Ok"),
        "Option" => Some("Some"),
        _ => None,
    }
}

/// What arrays nested three deep are called in errors.
const DEEP: &str = "arrays nested three deep or more (`Vec<Vec<Vec<f64>>>`, `[[[f64; N]; M]; K]`)";

/// What other arrays of containers of floats are called in errors.
const OTHER_ROWS: &str =
    "arrays whose rows are not `Vec<f64>` or `[f64; N]` (`&[&[f64]]`, arrays of tuples)";

/// What a 2-D array's rows may be: `[f64; N]` or `Vec<f64>` (of a float type).
fn is_row(ty: &Type, reals: &HashSet<String>) -> bool {
    match ty {
        Type::Array(a) => float_of_in(&a.elem, reals).is_some(),
        Type::Paren(p) => is_row(&p.elem, reals),
        Type::Group(g) => is_row(&g.elem, reals),
        Type::Path(p) => p.path.segments.last().is_some_and(|last| {
            last.ident == "Vec" && vec_elem(last).is_some_and(|e| float_of_in(e, reals).is_some())
        }),
        _ => false,
    }
}

/// How an array, slice or `Vec` with elements `elem` is classified: flat,
/// 2-D, or (an error) deeper or of other rows.
fn array_of(elem: &Type, reals: &HashSet<String>) -> Class {
    if float_of_in(elem, reals).is_some() {
        Class::Array
    } else if is_row(elem, reals) {
        Class::Nested
    } else if !holds_float(elem, reals) {
        Class::Other
    } else if matches!(
        array_of_inner(elem).map(|e| array_of(e, reals)),
        Some(Class::Nested | Class::Container(DEEP))
    ) {
        Class::Container(DEEP)
    } else {
        Class::Container(OTHER_ROWS)
    }
}

/// The elements of an array, slice or `Vec` type.
fn array_of_inner(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Array(a) => Some(&a.elem),
        Type::Slice(s) => Some(&s.elem),
        Type::Paren(p) => array_of_inner(&p.elem),
        Type::Group(g) => array_of_inner(&g.elem),
        Type::Path(p) => p
            .path
            .segments
            .last()
            .filter(|last| last.ident == "Vec")
            .and_then(vec_elem),
        _ => None,
    }
}

/// Whether a parameter type is a 2-D array (owned, borrowed or `&mut`).
pub fn is_nested(ty: &Type, reals: &HashSet<String>) -> bool {
    match ty {
        Type::Reference(r) => is_nested(&r.elem, reals),
        Type::Paren(p) => is_nested(&p.elem, reals),
        Type::Group(g) => is_nested(&g.elem, reals),
        _ => array_of_inner(ty).is_some_and(|e| is_row(e, reals)),
    }
}

/// Whether a slice, array, `Vec` or tuple type holds floating-point values
/// somewhere inside.
fn holds_float(ty: &Type, reals: &HashSet<String>) -> bool {
    floats_within(ty, reals, &|name| name == "Vec")
}

/// Whether `ty` is a float or holds floats inside an array, a slice, a
/// reference, a tuple, or the type arguments of a path type whose name
/// `looked_into` accepts (`Vec`; the containers and nalgebra types of
/// [`crate::inactive::visible`]).
pub fn floats_within(
    ty: &Type,
    reals: &HashSet<String>,
    looked_into: &dyn Fn(&str) -> bool,
) -> bool {
    if float_of_in(ty, reals).is_some() {
        return true;
    }
    let within = |t: &Type| floats_within(t, reals, looked_into);
    match ty {
        Type::Array(a) => within(&a.elem),
        Type::Slice(s) => within(&s.elem),
        Type::Reference(r) => within(&r.elem),
        Type::Paren(p) => within(&p.elem),
        Type::Group(g) => within(&g.elem),
        Type::Tuple(t) => t.elems.iter().any(within),
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|last| {
            let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
                return false;
            };
            looked_into(&last.ident.to_string())
                && a.args
                    .iter()
                    .any(|g| matches!(g, syn::GenericArgument::Type(t) if within(t)))
        }),
        _ => false,
    }
}

/// `f32`, `f64`, or a float type parameter (in `reals`).
pub fn float_of_in(ty: &Type, reals: &HashSet<String>) -> Option<Float> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let ident = p.path.get_ident()?;
            if ident == "f64" {
                Some(Float::F64)
            } else if ident == "f32" {
                Some(Float::F32)
            } else if reals.contains(&ident.to_string()) {
                Some(Float::Generic)
            } else {
                None
            }
        }
        Type::Paren(p) => float_of_in(&p.elem, reals),
        Type::Group(g) => float_of_in(&g.elem, reals),
        _ => None,
    }
}

/// Whether a nalgebra type's element is a generic float (`&mut DVector<T>`).
fn generic_matrix(ty: &Type, reals: &HashSet<String>) -> bool {
    match ty {
        Type::Reference(r) => generic_matrix(&r.elem, reals),
        Type::Paren(p) => generic_matrix(&p.elem, reals),
        Type::Path(p) => p.path.segments.last().is_some_and(|s| match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| {
                matches!(g, syn::GenericArgument::Type(t)
                    if matches!(float_of_in(t, reals), Some(Float::Generic)))
            }),
            _ => false,
        }),
        _ => false,
    }
}

/// The type parameters that are float scalars: those bounded by `Real`
/// (`T: Real`, `T: ad::Real`) or by num-traits' `Float` (`T: Float`,
/// `T: num_traits::Float + FromPrimitive`), inline or in the `where` clause.
pub fn real_params(generics: &syn::Generics) -> HashSet<String> {
    float_bounds(generics).into_keys().collect()
}

/// The float type parameters, each with whether one of its bounds is
/// `Real` (rather than only num-traits' `Float`).
fn float_bounds(generics: &syn::Generics) -> HashMap<String, bool> {
    let last = |b: &syn::TypeParamBound| match b {
        syn::TypeParamBound::Trait(t) => t.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let mut out: HashMap<String, bool> = HashMap::default();
    let mut note = |name: &Ident, bounds: &Punctuated<syn::TypeParamBound, Token![+]>| {
        for b in bounds {
            match last(b).as_deref() {
                Some("Real") => {
                    out.insert(name.to_string(), true);
                }
                Some("Float") => {
                    out.entry(name.to_string()).or_insert(false);
                }
                _ => {}
            }
        }
    };
    for p in generics.type_params() {
        note(&p.ident, &p.bounds);
    }
    if let Some(w) = &generics.where_clause {
        for pred in &w.predicates {
            if let syn::WherePredicate::Type(t) = pred {
                if let Type::Path(p) = &t.bounded_ty {
                    if let Some(i) = p.path.get_ident() {
                        note(i, &t.bounds);
                    }
                }
            }
        }
    }
    out
}

/// The generics of every generated item: the function's own, with
/// `T: ::ad::RealRules` added to the `where` clause for each float type
/// parameter bounded by num-traits' `Float` but not by `Real`: the rules
/// the generated code calls, and no name that the function's own bounds
/// have (`T::from_f64(1.5).unwrap()` stays `FromPrimitive`'s). The user's
/// function keeps its bounds as written.
pub fn generated_generics(generics: &syn::Generics) -> syn::Generics {
    let floats = float_bounds(generics);
    let mut out = generics.clone();
    for p in generics.type_params() {
        if floats.get(&p.ident.to_string()) != Some(&false) {
            continue;
        }
        let t = &p.ident;
        out.make_where_clause()
            .predicates
            .push(syn::parse_quote_spanned!(t.span()=> #t: ::ad::RealRules));
    }
    out
}

const DISCRETE: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "bool",
    "char", "str", "String",
];

const NALGEBRA: &[&str] = &[
    "DVector",
    "DMatrix",
    "SVector",
    "SMatrix",
    "RowDVector",
    "RowSVector",
    "OVector",
    "OMatrix",
    "Matrix",
];

/// Whether a type name is nalgebra's (`DVector`, `Matrix3`, `SMatrix`, ..).
pub fn is_nalgebra(name: &str) -> bool {
    NALGEBRA.iter().any(|n| name.starts_with(n))
        || name.starts_with("Vector")
        || name.starts_with("RowVector")
}

/// A `Matrix<T, R, C, S>` whose storage `S` is a view's.
fn view_storage(seg: &syn::PathSegment) -> bool {
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
        return false;
    };
    a.args.iter().any(|g| {
        matches!(g, syn::GenericArgument::Type(Type::Path(p))
        if p.path.segments.last().is_some_and(|s| {
            let n = s.ident.to_string();
            n.starts_with("ViewStorage") || n.starts_with("SliceStorage")
        }))
    })
}

/// `T` in `Vec<T>`.
fn vec_elem(seg: &syn::PathSegment) -> Option<&Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a parameter type is a nalgebra view (`DVectorView<f64>`,
/// `&MatrixView<..>`).
pub fn is_view(ty: &Type, reals: &HashSet<String>) -> bool {
    matches!(classify(ty, reals), Class::View)
}

fn classify(ty: &Type, reals: &HashSet<String>) -> Class {
    if let Some(f) = float_of_in(ty, reals) {
        let _ = f;
        return Class::Float;
    }
    match ty {
        Type::Reference(r) => match (classify(&r.elem, reals), r.mutability.is_some()) {
            (Class::Float, _) => Class::BorrowedFloat,
            (Class::Array | Class::Nested, true) => Class::OutputBuffer,
            (Class::Array, false) => Class::Array,
            (Class::Nested, false) => Class::Nested,
            (Class::Matrix, false) => Class::Matrix,
            (Class::Matrix, true) => Class::MatrixBuffer,
            (Class::Container(what), _) => Class::Container(what),
            (_, true) => {
                Class::Container("`&mut` references other than `&mut [f64]` output buffers")
            }
            (other, false) => other,
        },
        Type::Paren(p) => classify(&p.elem, reals),
        Type::Group(g) => classify(&g.elem, reals),
        // Never silently inactive: a container of containers of floats is
        // 2-D or an error.
        Type::Array(a) => array_of(&a.elem, reals),
        Type::Slice(s) => array_of(&s.elem, reals),
        Type::Tuple(t) if t.elems.iter().any(|e| holds_float(e, reals)) => {
            Class::Container("tuples of floating-point values")
        }
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return Class::Other;
            };
            let name = last.ident.to_string();
            if DISCRETE.contains(&name.as_str()) {
                Class::Discrete
            } else if name == "Vec" {
                match vec_elem(last) {
                    Some(elem) => array_of(elem, reals),
                    None => Class::Other,
                }
            } else if NALGEBRA.iter().any(|n| name.starts_with(n))
                && (name.contains("View") || name.contains("Slice") || view_storage(last))
                || (name.starts_with("Vector") || name.starts_with("RowVector"))
                    && (name.contains("View") || name.contains("Slice"))
            {
                Class::View
            } else if NALGEBRA.contains(&name.as_str())
                || name.starts_with("Vector")
                || name.starts_with("RowVector")
                || name.starts_with("Matrix")
            {
                Class::Matrix
            } else {
                Class::Other
            }
        }
        _ => Class::Other,
    }
}

impl<'a> Model<'a> {
    /// The type written of an active view parameter (`view_params.rs`).
    pub fn view_of(&self, ident: &Ident) -> Option<&Type> {
        self.views.iter().find(|v| v.ident == *ident).map(|v| &v.ty)
    }

    /// The receiver as generated items declare it first, when it is
    /// inactive (`&self`); an active one (`wrt(self)`) is `params[0]`.
    pub fn inactive_receiver(&self) -> Vec<proc_macro2::TokenStream> {
        use quote::ToTokens;
        self.receiver
            .iter()
            .filter(|_| !self.active_self)
            .map(|r| r.to_token_stream())
            .collect()
    }

    /// Builds the model; every problem is reported to `errors`.
    pub fn from_syn(item: &'a ItemFn, options: &Options, errors: &mut Errors) -> Model<'a> {
        let sig = &item.sig;
        if let Some(c) = &sig.constness {
            errors.spanned(
                c,
                "#[differentiate] does not support `const fn`: remove `const`",
            );
        }
        if let Some(a) = &sig.asyncness {
            errors.spanned(a, "#[differentiate] does not support `async fn`: differentiate a plain function and call it from async code");
        }
        if let Some(u) = &sig.unsafety {
            errors.spanned(
                u,
                "#[differentiate] does not support `unsafe fn`: differentiate a safe function",
            );
        }
        if let Some(v) = &sig.variadic {
            errors.spanned(v, "#[differentiate] does not support variadic functions");
        }
        let reals = real_params(&sig.generics);

        let mut params = Vec::new();
        let mut receiver = None;
        // Parameters left inactive without `wrt(...)` by their type.
        let mut others: Vec<(Ident, Type)> = Vec::new();
        for arg in &sig.inputs {
            let pt = match arg {
                FnArg::Receiver(r) => {
                    receiver = Some(r.clone());
                    let this = Ident::new("self", r.self_token.span);
                    if options.wrt.as_ref().is_some_and(|wrt| wrt.contains(&this)) {
                        if r.reference.as_ref().is_some_and(|_| r.mutability.is_some()) {
                            errors.spanned(
                                r,
                                "`wrt(self)` on a method taking `&mut self`: take `&self` or \
                                 `self` (the receiver is an input; return what changes)",
                            );
                        } else {
                            params.push(Param {
                                ident: this,
                                ty: (*r.ty).clone(),
                                active: true,
                                output: false,
                                mutable: r.reference.is_none() && r.mutability.is_some(),
                                array: false,
                                nested: false,
                                matrix: true,
                                structure: true,
                            });
                        }
                    }
                    // Otherwise inactive: its fields are read as data.
                    continue;
                }
                FnArg::Typed(pt) => pt,
            };
            let (ident, mutable) = match &*pt.pat {
                Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    (pi.ident.clone(), pi.mutability.is_some())
                }
                other => {
                    errors.spanned(
                        other,
                        "#[differentiate] needs a plain name for every parameter: \
                         write `name: Type` and destructure in the body",
                    );
                    continue;
                }
            };
            let ty = (*pt.ty).clone();
            let wanted = options.wrt.as_ref().map(|wrt| wrt.contains(&ident));
            let class = classify(&ty, &reals);
            // `DVector<T>` of a generic float: generated code names that one
            // type parameter (its zeros, `generic::add` on its numbers).
            if matches!(class, Class::Matrix | Class::MatrixBuffer)
                && generic_matrix(&ty, &reals)
                && reals.len() > 1
            {
                errors.spanned(
                    &ty,
                    "nalgebra values of a generic float type (`DVector<T>`) are differentiated \
                     in functions with one float type parameter: use `T` for every float, or \
                     write the float types out (`DVector<f64>`)",
                );
            }
            // A type the macro does not know, named in `wrt(...)`: a
            // parameter struct (the derive checks the rest).
            let structure = matches!(class, Class::Other) && wanted == Some(true);
            let matrix = matches!(class, Class::Matrix | Class::MatrixBuffer) || structure;
            let (active, output, array) = match (class, wanted) {
                (Class::Matrix, wanted) => (wanted != Some(false), false, false),
                (Class::Float, None | Some(true)) => (true, false, false),
                (Class::Float, Some(false)) => (false, false, false),
                (Class::Array | Class::Nested, None | Some(true)) => (true, false, true),
                (Class::Array | Class::Nested, Some(false)) => (false, false, true),
                // In and out, named in `wrt(...)` or not.
                (Class::OutputBuffer, _) => (false, true, true),
                (Class::MatrixBuffer, _) => (false, true, false),
                (Class::Discrete, Some(true)) => {
                    errors.spanned(
                        &pt.ty,
                        format_args!(
                            "cannot differentiate with respect to `{ident}`: its type is not \
                             a floating-point type; remove it from `wrt(...)`"
                        ),
                    );
                    (false, false, false)
                }
                (Class::Discrete, _) => (false, false, false),
                // (`(f64, f64)`: not in the contract's active inputs.)
                (Class::Container(what), None | Some(true))
                    if matches!(bare_type(&pt.ty), Type::Tuple(_)) =>
                {
                    errors.spanned(
                        &pt.ty,
                        format_args!(
                            "{what} are not supported as active inputs: pass the members as \
                             parameters of their own (`a: f64, b: f64`, called as `g(t.0, \
                             t.1)`) or as an array (`[f64; 2]`), or leave this parameter out \
                             with `#[differentiate(wrt(...))]`"
                        ),
                    );
                    (false, false, false)
                }
                (Class::Container(what), None | Some(true)) => {
                    errors.spanned(
                        &pt.ty,
                        format_args!(
                            "{what} are not supported as active inputs yet: pass scalars, \
                             arrays (`&[f64]`, `[f64; N]`, `Vec<f64>`) or 2-D arrays \
                             (`&[Vec<f64>]`, `[[f64; N]; M]`, `Vec<Vec<f64>>`), or leave this \
                             parameter out with `#[differentiate(wrt(...))]`"
                        ),
                    );
                    (false, false, false)
                }
                (Class::Container(_), Some(false)) => (false, false, false),
                (Class::BorrowedFloat, None | Some(true)) => {
                    errors.spanned(
                        &pt.ty,
                        "borrowed scalars are not supported: take the scalar by value (`x: f64`)",
                    );
                    (false, false, false)
                }
                (Class::BorrowedFloat, Some(false)) => (false, false, false),
                (Class::View, Some(false)) => (false, false, false),
                (Class::View, _) => {
                    errors.spanned(
                        &pt.ty,
                        crate::view_params::unsupported(&pt.ty, options.custom),
                    );
                    (false, false, false)
                }
                (Class::Other, Some(true)) => (true, false, false),
                (Class::Other, None) => {
                    others.push((ident.clone(), ty.clone()));
                    (false, false, false)
                }
                (Class::Other, Some(false)) => (false, false, false),
            };
            let nested = array && is_nested(&ty, &reals);
            params.push(Param {
                ident,
                ty,
                active,
                output,
                mutable,
                array,
                nested,
                matrix,
                structure,
            });
        }

        // A method's float type parameter of its `impl` block: unseen.
        if receiver.is_some() {
            // (A parameter of a bare one-letter type, `k: K`, is more likely
            // a struct or enum of the user's: only its elements, `&[T]`,
            // are taken for floats; a returned `T` is.)
            let types = sig.inputs.iter().filter_map(|a| match a {
                FnArg::Typed(pt) => match &*pt.ty {
                    syn::Type::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => None,
                    ty => Some(ty),
                },
                FnArg::Receiver(_) => None,
            });
            let ret = match &sig.output {
                syn::ReturnType::Type(_, t) => Some(&**t),
                syn::ReturnType::Default => None,
            };
            let found = types
                .chain(ret)
                .find_map(|t| crate::inactive::outer_type_param(t, &sig.generics));
            if let Some(t) = found {
                errors.spanned(
                    t,
                    format_args!(
                        "`{t}` is not a type parameter of `{f}`: if it is the float type of the \
                         `impl` block (`impl<{t}: ad::Real> S<{t}>`), #[differentiate] on the \
                         method cannot see it; differentiate the methods of the concrete type \
                         (`impl S<f64> {{ .. }}`), or write a free function generic over its own \
                         float type (`fn {f}<{t}: ad::Real>(s: &S<{t}>, ..)`)",
                        f = sig.ident
                    ),
                );
            }
        }

        // Never silently inactive: floats the syntax shows are an error,
        // other types a check in the body.
        let active = crate::inactive::active_names(&params);
        let mut unseen = Vec::new();
        for (ident, ty) in others {
            if crate::inactive::visible(&ty, &reals) {
                crate::inactive::reject(&ident, &ty, &active, errors);
            } else if crate::inactive::may_hold(&ty, &sig.generics) {
                unseen.push((ident, ty));
            }
        }

        if let Some(wrt) = &options.wrt {
            for name in wrt {
                // (`wrt(self)` on `&mut self` has its own error.)
                let receiver = name == "self" && receiver.is_some();
                if !receiver && !params.iter().any(|p| p.ident == *name) {
                    errors.spanned(
                        name,
                        format_args!("`wrt({name})`: the function has no parameter `{name}`"),
                    );
                }
            }
        }

        let has_buffers = params.iter().any(|p| p.output);
        let ret = match &sig.output {
            ReturnType::Type(_, ty) => (**ty).clone(),
            ReturnType::Default => syn::parse_quote!(()),
        };
        let has_output = !matches!(sig.output, ReturnType::Default)
            && !matches!(&ret, Type::Tuple(t) if t.elems.is_empty());
        if !has_output && !has_buffers {
            errors.at(
                sig.paren_token.span.close(),
                "a differentiated function must return its result (`-> f64`) or write it \
                 into a `&mut [f64]` output buffer",
            );
        }
        // A tuple result: each member an output of its own.
        let members: Vec<Type> = match &ret {
            Type::Tuple(t) if has_output => t.elems.iter().cloned().collect(),
            _ => vec![],
        };
        // (A value form's result, `(result, buffers..)` (`buffers.rs`), has
        // the function's tuple result as its first member.)
        let value_form = sig.ident.to_string().starts_with("__ad_value_ret_");
        let members: Vec<Type> = match members.split_first() {
            Some((Type::Tuple(t), rest)) if value_form => {
                t.elems.iter().chain(rest).cloned().collect()
            }
            _ => members,
        };
        for m in &members {
            match classify(m, &reals) {
                Class::Float | Class::Matrix => {}
                Class::Array | Class::Nested
                    if !matches!(m, Type::Reference(_) | Type::Slice(_)) => {}
                // A maximum and its index (`-> (f64, usize)`).
                Class::Discrete => errors.spanned(
                    m,
                    format_args!(
                        "the members of a tuple result must be floating-point values, and \
                         `{}` has no derivative: return the floating-point members only and \
                         compute it in a function that is not differentiated (`fn argmax(x: \
                         &[f64]) -> usize`), or return it as a float (`i as f64`)",
                        quote::ToTokens::to_token_stream(m)
                    ),
                ),
                _ => errors.spanned(
                    m,
                    "the members of a tuple result must be floating-point values, owned \
                     arrays (`Vec<f64>`, `[f64; N]`, `Vec<Vec<f64>>`, `[[f64; N]; M]`) or \
                     nalgebra values",
                ),
            }
        }
        let ret_class = classify(&ret, &reals);
        let ret_matrix = has_output && matches!(ret_class, Class::Matrix);
        match ret_class {
            _ if !has_output || !members.is_empty() => {}
            // `-> Result<f64, E>` (argmin's `cost`), `-> Option<f64>`.
            _ if wrapper_of(&ret).is_some() => {
                let f = &sig.ident;
                let (what, wrap) = match wrapper_of(&ret) {
                    Some("Ok") => ("`Result`", format!("`Ok({f}(x))`, e.g. in argmin's `cost`")),
                    _ => ("`Option`", format!("`Some({f}(x))`")),
                };
                errors.spanned(
                    &ret,
                    format_args!(
                        "{what} outputs are not supported: return the value (`-> f64`, an array \
                         or a nalgebra value) and wrap it in the caller ({wrap})"
                    ),
                );
            }
            Class::Float | Class::Other => {}
            Class::Matrix => {
                if matches!(ret, Type::Reference(_)) {
                    errors.spanned(&ret, "return an owned vector or matrix, not a reference");
                }
            }
            Class::Array => match &ret {
                Type::Reference(_) | Type::Slice(_) => errors.spanned(
                    &ret,
                    "return an owned `Vec<f64>` or `[f64; N]`, not a slice",
                ),
                _ => {}
            },
            Class::Nested => match &ret {
                Type::Reference(_) | Type::Slice(_) => errors.spanned(
                    &ret,
                    "return an owned `Vec<Vec<f64>>` or `[[f64; N]; M]`, not a slice",
                ),
                _ => {}
            },
            Class::Container(what) => errors.spanned(
                &ret,
                format_args!(
                    "{what} are not supported as outputs yet: return an `f64`, a `Vec<f64>`, an \
                     `[f64; N]`, a `Vec<Vec<f64>>` or an `[[f64; N]; M]`"
                ),
            ),
            Class::OutputBuffer => errors.spanned(&ret, "return an owned `Vec<f64>`"),
            Class::MatrixBuffer => errors.spanned(
                &ret,
                "return an owned vector, matrix or array, not a `&mut` reference",
            ),
            Class::View => errors.spanned(
                &ret,
                "return an owned vector or matrix (`v.into_owned()`), not a nalgebra view",
            ),
            Class::BorrowedFloat => {
                errors.spanned(&ret, "return the scalar by value (`f64`), not a reference")
            }
            Class::Discrete => errors.spanned(
                &ret,
                "the output of a differentiated function must be a floating-point value",
            ),
        }
        if has_output && matches!(ret, Type::ImplTrait(_) | Type::Never(_)) {
            errors.spanned(
                &ret,
                "the output of a differentiated function must be a floating-point value or an array of them",
            );
        }
        let ret_float = float_of_in(&ret, &reals);

        // (A `&mut` buffer is an input too: its initial contents.)
        if params.iter().all(|p| !p.active && !p.output) && errors.is_empty() {
            errors.at(
                sig.inputs.span(),
                "no parameter is active: #[differentiate] differentiates with respect to \
                 `f32`/`f64` parameters, those of a type parameter bounded by `ad::Real` or \
                 num-traits' `Float`, or those named in `wrt(...)`",
            );
        }

        // A struct result (`-> State`, not a type parameter): code on it is
        // generated as on nalgebra values, through rules picked by type.
        let generic = |ty: &Type| {
            matches!(ty, Type::Path(p) if p.path.get_ident().is_some_and(|i| {
                sig.generics.type_params().any(|t| t.ident == *i)
            }))
        };
        let ret_struct = has_output
            && members.is_empty()
            && matches!(ret_class, Class::Other)
            && matches!(ret, Type::Path(_))
            && !generic(&ret);
        let matrix = ret_matrix || ret_struct || params.iter().any(|p| p.matrix);
        Model {
            item,
            source: item,
            reals,
            generics: generated_generics(&sig.generics),
            active_self: params.first().is_some_and(|p| p.ident == "self"),
            receiver,
            params,
            ret,
            has_output,
            ret_float,
            matrix,
            joint: options.joint,
            unseen,
            scope: crate::scope::Scope::Unknown,
            views: Vec::new(),
        }
    }
}

/// `ty` without references and parentheses.
fn bare_type(ty: &Type) -> &Type {
    match ty {
        Type::Reference(r) => bare_type(&r.elem),
        Type::Paren(p) => bare_type(&p.elem),
        Type::Group(g) => bare_type(&g.elem),
        t => t,
    }
}
