use crate::error::Errors;
use crate::parse::{Model, Options};
use quote::ToTokens;

/// The desugared body of `f`, and the errors.
fn desugared(f: syn::ItemFn) -> (String, Errors) {
    desugared_with(f, quote::quote!())
}

fn desugared_with(f: syn::ItemFn, args: proc_macro2::TokenStream) -> (String, Errors) {
    let mut errors = Errors::default();
    let options = Options::parse(args).expect("valid options");
    let model = Model::from_syn(&f, &options, &mut errors);
    let (item, _) = super::desugar(&model, &mut errors);
    (item.block.to_token_stream().to_string(), errors)
}

#[test]
fn a_sum_of_a_map_becomes_an_index_loop() {
    let (body, errors) = desugared(syn::parse_quote! {
        fn f(x: &[f64]) -> f64 {
            let s = x.iter().map(|v| v * v).sum::<f64>();
            s
        }
    });
    assert!(errors.is_empty());
    assert_eq!(
        body,
        "{ let mut s : f64 = - 0.0 ; for __ad_i1 in 0 .. x . len () \
         { let __ad_m2 = (x [__ad_i1] * x [__ad_i1]) ; s += __ad_m2 ; } s }"
    );
}

#[test]
fn a_chain_inside_an_expression_is_computed_before_its_statement() {
    let (body, errors) = desugared(syn::parse_quote! {
        fn f(x: &[f64], w: &[f64]) -> f64 {
            2.0 * x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>().sqrt()
        }
    });
    assert!(errors.is_empty());
    assert!(body.starts_with("{ let mut __ad_s1 : f64 = - 0.0 ; for __ad_i2 in 0 .. :: core :: cmp :: min (x . len () , w . len ())"), "{body}");
    assert!(body.ends_with("2.0 * __ad_s1 . sqrt () }"), "{body}");
}

#[test]
fn a_chain_over_inactive_values_stays_as_written() {
    let (body, errors) = desugared_with(
        syn::parse_quote! {
            fn f(x: f64, w: &[f64]) -> f64 {
                x * w.iter().map(|v| v * v).sum::<f64>()
            }
        },
        quote::quote!(wrt(x)),
    );
    assert!(errors.is_empty());
    assert_eq!(
        body,
        "{ x * w . iter () . map (| v | v * v) . sum :: < f64 > () }"
    );
}

#[test]
fn a_local_closure_is_inlined_with_its_arguments() {
    let (body, errors) = desugared(syn::parse_quote! {
        fn f(x: f64) -> f64 {
            let a = 2.0;
            let g = |t: f64| a * t.sin();
            g(x) + g(x * x)
        }
    });
    assert!(errors.is_empty());
    assert_eq!(
        body,
        "{ let a = 2.0 ; let __ad_a1 : f64 = x * x ; (a * x . sin ()) + (a * __ad_a1 . sin ()) }"
    );
}

#[test]
fn a_capture_bound_again_before_a_call_is_an_error() {
    let (_, errors) = desugared(syn::parse_quote! {
        fn f(x: f64) -> f64 {
            let a = x;
            let g = |t: f64| a * t;
            let a = 2.0;
            g(a)
        }
    });
    let msg = errors.check().unwrap_err().to_string();
    assert!(msg.contains("the closure `g` reads `a`"), "{msg}");
}

#[test]
fn an_adapter_without_a_rewrite_names_itself_and_the_index_loop() {
    let (_, errors) = desugared(syn::parse_quote! {
        fn f(x: &[f64]) -> f64 {
            x.iter().peekable().map(|v| v * v).sum::<f64>()
        }
    });
    let msg = errors.check().unwrap_err().to_string();
    assert!(
        msg.starts_with("`peekable` in an iterator chain over active values is not supported"),
        "{msg}"
    );
    assert!(msg.contains("write an index loop"), "{msg}");
}
