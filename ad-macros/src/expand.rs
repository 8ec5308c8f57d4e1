//! The expansion entry point, on `proc_macro2` token streams (so it can be
//! driven from unit tests): parse, validate, generate.

use crate::error::Errors;
use crate::parse::{Model, Options};
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// Expands `#[differentiate(args)] item`. Never fails: errors become
/// `compile_error!` next to the original item (and, when the signature is
/// sound, next to stub derivatives, so callers do not cascade).
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_in(args, item, crate::scope::Scope::Unknown)
}

/// [`expand`], for a function in `scope` (`f_jvp` and `f_vjp` call the
/// hidden wrappers when the scope is known).
pub fn expand_in(args: TokenStream, item: TokenStream, scope: crate::scope::Scope) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let span = item
                .clone()
                .into_iter()
                .next()
                .map_or_else(proc_macro2::Span::call_site, |t| t.span());
            let err = syn::Error::new(
                span,
                "#[differentiate] applies to functions (`fn f(x: f64) -> f64 { ... }`)",
            )
            .into_compile_error();
            return quote!(#item #err);
        }
    };
    if scope == crate::scope::Scope::TraitImpl {
        return reject_in_trait_impl(&item_fn);
    }
    let mut errors = Errors::default();
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            errors.push(e);
            Options::default()
        }
    };
    crate::lower::checkpoint::check_placement(&item_fn, &mut errors);
    // The function as emitted: as written, without `#[checkpoint]`, which
    // only the macro reads.
    let mut written = item_fn.clone();
    crate::lower::checkpoint::strip(&mut written);
    // The function the derivatives come from: `impl Trait` parameters
    // become type parameters (`impl_params.rs`).
    let mut item_fn = item_fn;
    crate::impl_params::as_generics(&mut item_fn);
    // Active nalgebra views: the derivatives are those of the owned copy
    // (`view_params.rs`).
    let views = crate::view_params::as_owned(&mut item_fn, &options);
    let mut stripped = item_fn.clone();
    crate::lower::checkpoint::strip(&mut stripped);
    // (Differentiated: `*b = [..];` of an array buffer as a copy.)
    crate::buffers::whole_array_writes(&mut item_fn);
    let mut model = Model::from_syn(&item_fn, &options, &mut errors);
    crate::view_params::check(&model, &views, &mut errors);
    model.views = views;
    let signature_ok = errors.is_empty();
    // A `&mut` nalgebra buffer: the derivatives are the value form's
    // (`matrix_buffers.rs`), whose expansion reports the body's errors.
    if !options.custom && crate::matrix_buffers::has_matrix_buffer(&model) {
        let mut original = written.clone();
        original
            .attrs
            .push(syn::parse_quote!(#[allow(clippy::needless_range_loop, dead_code)]));
        let mut out = original.to_token_stream();
        match errors.check() {
            Ok(()) => {
                let forms = crate::buffers::expand_value_form(&stripped, &options);
                out.extend(crate::matrix_buffers::items(&model, scope, &forms));
                out.extend(forms);
            }
            Err(e) => {
                out.extend(crate::buffers::value_form_markers(&stripped));
                out.extend(e.into_compile_error());
            }
        }
        return out;
    }
    // Iterator chains, `for` over containers and local closures become
    // index loops and straight-line code (not for `custom`: its body is
    // kept as it is).
    let (desugared, mem_check) = if options.custom {
        (item_fn.clone(), TokenStream::new())
    } else {
        crate::desugar::desugar(&model, &mut errors)
    };
    let model = Model {
        item: &desugared,
        scope,
        ..model
    };
    if options.custom {
        // A primitive with hand-written rules: keep the body as it is, and
        // give callers the calling convention to the rules.
        let mut out = written.to_token_stream();
        let mode = crate::wrappers::WrapperMode::Custom {
            second_order: options.custom_second_order,
        };
        out.extend(with_marker(
            &model,
            crate::wrappers::wrappers(&model, None, mode),
        ));
        out.extend(crate::callcheck::receiver_marker(&model));
        if let Err(e) = errors.check() {
            out.extend(e.into_compile_error());
        }
        return out;
    }
    let mut prog = crate::lower::lower(&model, &mut errors);
    crate::closures::differentiate(&mut prog);
    // Loops over active slices must index them (`for i in 0..x.len()`):
    // clippy's advice to iterate instead does not apply.
    // The derivatives stand for `f`: do not report it unused when only they
    // are called.
    let mut original = written;
    original
        .attrs
        .push(syn::parse_quote!(#[allow(clippy::needless_range_loop, dead_code)]));
    // The check that parameters of types the macro cannot see hold no
    // floats (`inactive.rs`).
    let active = crate::inactive::active_names(&model.params);
    let probes = crate::inactive::probes(
        &model.unseen,
        &active,
        &model.item.sig.generics,
        &model.reals,
    );
    if !probes.is_empty() {
        original.block.stmts.insert(0, syn::parse_quote!(#probes));
    }
    let mut out = original.to_token_stream();
    match errors.check() {
        Ok(()) => {
            let bodies = crate::emit::bodies(
                &prog,
                &item_fn.sig.ident,
                &model.ret,
                crate::many::lane_types(&model),
                model.ret_float.is_some() && crate::emit::wrapper_path(&model).is_some(),
            );
            // The checks of the calls come first: rustc reports errors in
            // the order of the items, and theirs name the function or method
            // called and say what to write, where the generated code's
            // (`cannot find function __ad_split_g`, `no method named
            // __ad_jvp_m`) name hidden items.
            let mut called: Vec<&[crate::ir::Stmt]> =
                vec![&bodies.tangent.body.stmts, &bodies.adjoint.body.stmts];
            for (_, _, j) in bodies.hvp.iter().chain(&bodies.vjp_jvp) {
                called.push(&j.body.stmts);
            }
            out.extend(crate::callcheck::check(
                &model,
                called,
                &bodies.prog_vjp.lent,
            ));
            out.extend(crate::callcheck::method_check(&model, &prog.methods));
            let mut generated = crate::emit::generate(&model, Some(&bodies));
            generated.extend(with_marker(
                &model,
                crate::wrappers::wrappers(
                    &model,
                    Some(&bodies),
                    crate::wrappers::WrapperMode::Generated,
                ),
            ));
            if options.dump {
                eprintln!(
                    "// #[differentiate] generated for `{}`:\n{}",
                    item_fn.sig.ident,
                    crate::pretty::pretty(generated.clone())
                );
            }
            out.extend(generated);
            out.extend(missing_tangents(&item_fn, &bodies));
            // Callers pass buffers to the function's value form.
            out.extend(crate::buffers::expand_value_form(&stripped, &options));
            out.extend(crate::callcheck::params_marker(&model));
            out.extend(crate::callcheck::receiver_marker(&model));
            out.extend(mem_check);
        }
        Err(e) => {
            if signature_ok {
                out.extend(crate::emit::generate(&model, None));
                out.extend(with_marker(
                    &model,
                    crate::wrappers::wrappers(&model, None, crate::wrappers::WrapperMode::Stub),
                ));
                out.extend(crate::callcheck::params_marker(&model));
                out.extend(crate::callcheck::receiver_marker(&model));
                out.extend(crate::buffers::value_form_markers(&stripped));
            } else {
                out = crate::rejected::items(&model, original);
            }
            out.extend(e.into_compile_error());
        }
    }
    out
}

/// A loud error where forward mode would otherwise read a silent zero: an
/// active variable without a tangent is a bug of the transform (a value
/// that became active by assignment once slipped through this way).
fn missing_tangents(item: &syn::ItemFn, bodies: &crate::emit::Bodies) -> TokenStream {
    let mut jvps = vec![(&bodies.prog_jvp, &bodies.tangent)];
    for (_, p, j) in bodies.hvp.iter().chain(&bodies.vjp_jvp) {
        jvps.push((p, j));
    }
    let mut names: Vec<String> = Vec::new();
    for (prog, j) in jvps {
        for &v in &j.missing {
            let name = prog.name(v).to_string();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return TokenStream::new();
    }
    syn::Error::new(
        item.sig.ident.span(),
        format!(
            "internal error of #[differentiate]: forward mode lost the derivative of `{}`; \
             the generated derivatives would be wrong, so none are given. Please report \
             this function; leaving the value out of the computation, or computing it \
             in a helper function, works around it",
            names.join("`, `")
        ),
    )
    .into_compile_error()
}

/// The wrappers, with the marker that says they exist (`callcheck.rs`).
fn with_marker(model: &Model, wrappers: TokenStream) -> TokenStream {
    if wrappers.is_empty() {
        return wrappers;
    }
    let marker = crate::callcheck::marker(model);
    quote!(#wrappers #marker)
}

/// A function in `impl Trait for Type`, which may hold only the trait's
/// items: the function as written (so the impl still compiles) and one
/// error at its name, with no derivative beside it.
fn reject_in_trait_impl(item: &syn::ItemFn) -> TokenStream {
    let mut original = item.clone();
    crate::lower::checkpoint::strip(&mut original);
    let ident = item.sig.ident.to_string();
    let name = ident.trim_start_matches("r#");
    let err = syn::Error::new(
        item.sig.ident.span(),
        format!(
            "#[differentiate] cannot stand on `{name}` in a trait impl (`impl Trait for Type`): \
             its derivatives (`{name}_jvp`, `{name}_vjp`, `{name}_grad`, ..) are not items of \
             the trait; move the body into an inherent method (`impl Type {{ #[differentiate] \
             fn {name}_body(..) }}`) or a free `#[differentiate]` function, and call it from \
             `{name}`: the derivatives are then `Type::{name}_body_grad` etc."
        ),
    )
    .into_compile_error();
    quote!(#original #err)
}
