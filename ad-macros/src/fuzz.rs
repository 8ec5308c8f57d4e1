//! The macro never panics: the expansion entry point, driven over every
//! function of the repository's tests and examples and over randomly mutated
//! token streams of them (tokens dropped, duplicated, swapped, at any depth),
//! returns tokens every time.

use crate::expand::expand;
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::ToTokens;
use std::panic;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every function (free or in an impl) of the Rust files under `dir`.
fn corpus(dir: &std::path::Path, out: &mut Vec<(TokenStream, TokenStream)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            corpus(&path, out);
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        // The generated functions are expanded by their own tests (their
        // mutations would add minutes, and mutate the same constructs).
        if path
            .file_name()
            .is_some_and(|n| n.to_str().is_some_and(|n| n.starts_with("random_")))
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(file) = syn::parse_file(&text) else {
            continue;
        };
        collect_items(&file.items, out);
    }
}

fn collect_items(items: &[syn::Item], out: &mut Vec<(TokenStream, TokenStream)>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                let mut f = f.clone();
                // The attribute's arguments, if any, go to the macro as args.
                let mut args = TokenStream::new();
                f.attrs.retain(|a| {
                    if a.path().is_ident("differentiate") {
                        if let syn::Meta::List(l) = &a.meta {
                            args = l.tokens.clone();
                        }
                        false
                    } else {
                        true
                    }
                });
                out.push((args, f.to_token_stream()));
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_items(items, out);
                }
            }
            _ => {}
        }
    }
}

fn mutate(tokens: TokenStream, rng: &mut Lcg, depth: usize) -> TokenStream {
    let mut tts: Vec<TokenTree> = tokens.into_iter().collect();
    if !tts.is_empty() {
        match rng.below(8) {
            0 => {
                let i = rng.below(tts.len());
                tts.remove(i);
            }
            1 => {
                let i = rng.below(tts.len());
                let t = tts[i].clone();
                tts.insert(i, t);
            }
            2 => {
                let (i, j) = (rng.below(tts.len()), rng.below(tts.len()));
                tts.swap(i, j);
            }
            3 => {
                let i = rng.below(tts.len());
                tts.truncate(i);
            }
            _ => {}
        }
    }
    tts.into_iter()
        .map(|tt| match tt {
            TokenTree::Group(g) if depth < 8 && rng.below(3) == 0 => {
                let mut ng = Group::new(g.delimiter(), mutate(g.stream(), rng, depth + 1));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            tt => tt,
        })
        .collect()
}

#[test]
fn expansion_never_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut items = Vec::new();
    for dir in ["tests", "examples", "benches", "src", "adbench", "models"] {
        corpus(&root.join(dir), &mut items);
    }
    assert!(
        items.len() > 100,
        "the corpus is too small: {}",
        items.len()
    );
    let mut rng = Lcg(0x5eed);
    let mut cases = 0;
    let run = |args: TokenStream, item: TokenStream| {
        let text = item.to_string();
        let result = panic::catch_unwind(|| expand(args, item));
        assert!(result.is_ok(), "the expansion panicked on: {text}");
    };
    for (args, item) in &items {
        run(args.clone(), item.clone());
        cases += 1;
        for _ in 0..12 {
            run(args.clone(), mutate(item.clone(), &mut rng, 0));
            run(mutate(args.clone(), &mut rng, 0), item.clone());
            cases += 2;
        }
    }
    let mut generated = Vec::new();
    let random = root.join("tests/random_functions.rs");
    if let Ok(file) = syn::parse_file(&std::fs::read_to_string(&random).unwrap_or_default()) {
        collect_items(&file.items, &mut generated);
    }
    assert!(
        generated.len() >= 500,
        "random functions: {}",
        generated.len()
    );
    for (args, item) in &generated {
        run(args.clone(), item.clone());
        cases += 1;
    }
    println!(
        "expansion ran on {cases} inputs ({} hand-written functions and their mutations, {} generated functions), no panic",
        items.len(),
        generated.len()
    );
}

/// The expansion time of the largest differentiated function of the
/// repository (issue 8's compile-time cost), printed, not asserted. Run with
/// `cargo test -p ad-macros --release expansion_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn expansion_time_of_the_largest_function() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, TokenStream, TokenStream)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
                let Ok(file) = syn::parse_file(&std::fs::read_to_string(&path).unwrap_or_default())
                else {
                    continue;
                };
                for item in &file.items {
                    let syn::Item::Fn(f) = item else { continue };
                    let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("differentiate"))
                    else {
                        continue;
                    };
                    let args = match &attr.meta {
                        syn::Meta::List(l) => l.tokens.clone(),
                        _ => TokenStream::new(),
                    };
                    let mut f = f.clone();
                    f.attrs.retain(|a| !a.path().is_ident("differentiate"));
                    let name = format!("{} ({})", f.sig.ident, path.display());
                    out.push((name, args, f.to_token_stream()));
                }
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut fns = Vec::new();
    for dir in ["tests", "examples", "benches", "adbench", "models"] {
        walk(&root.join(dir), &mut fns);
    }
    let size = |t: &TokenStream| t.to_string().len();
    let (name, args, item) = fns
        .iter()
        .max_by_key(|(_, _, item)| size(item))
        .expect("differentiated functions");
    // (At a module's level, as the functions of `adbench/` are.)
    let free = crate::scope::Scope::Free;
    let out = crate::expand::expand_in(args.clone(), item.clone(), free);
    let mut times = Vec::new();
    for _ in 0..21 {
        let start = std::time::Instant::now();
        let out = crate::expand::expand_in(args.clone(), item.clone(), free);
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(out);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "largest of {} differentiated functions: {name}, {} bytes of source -> {} bytes generated; \
         expansion median {:.2} ms (min {:.2} ms) over {} runs",
        fns.len(),
        size(item),
        size(&out),
        times[times.len() / 2] * 1e3,
        times[0] * 1e3,
        times.len()
    );
}

/// The macro's own time on the 50 functions of `benches/compile_time.sh`
/// (the first 50 of `tests/random_functions.rs`), printed, not asserted.
/// Built without `--release`, this is what a user's debug build pays for the
/// macro's work (proc macros are built at `opt-level = 0` in `dev`), less
/// the compiler's side of the token bridge. Run with
/// `cargo test -p ad-macros expansion_time_of_the_compile -- --ignored --nocapture`.
#[test]
#[ignore]
fn expansion_time_of_the_compile_time_crate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("tests/random_functions.rs")).unwrap_or_default();
    let file = syn::parse_file(&text).expect("tests/random_functions.rs parses");
    let mut all = Vec::new();
    collect_items(&file.items, &mut all);
    let fns: Vec<_> = all
        .into_iter()
        .filter(|(_, item)| {
            let s = item.to_string();
            (0..50).any(|i| s.contains(&format!("fn r{i:03} (")))
        })
        .collect();
    assert_eq!(fns.len(), 50);
    let free = crate::scope::Scope::Free;
    let runs = std::env::var("AD_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = std::time::Instant::now();
        for (args, item) in &fns {
            std::hint::black_box(crate::expand::expand_in(args.clone(), item.clone(), free));
        }
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "50 functions: expansion median {:.1} ms (min {:.1} ms) over {} runs",
        times[times.len() / 2] * 1e3,
        times[0] * 1e3,
        times.len()
    );
}

/// The expansion of every function of the repository (the random corpora
/// included; methods as free functions), in the known and the unknown scope,
/// written to the file `AD_EXPANSIONS` names: compared as text before and
/// after a change that must not alter the generated code. Run with
/// `AD_EXPANSIONS=/tmp/x.txt cargo test -p ad-macros --release
/// expansions_of_the_repository -- --ignored`.
#[test]
#[ignore]
fn expansions_of_the_repository() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(TokenStream, TokenStream)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
                let Ok(file) = syn::parse_file(&std::fs::read_to_string(&path).unwrap_or_default())
                else {
                    continue;
                };
                let mut items = file.items.clone();
                for item in &file.items {
                    if let syn::Item::Impl(i) = item {
                        for it in &i.items {
                            if let syn::ImplItem::Fn(f) = it {
                                items.push(syn::Item::Fn(syn::ItemFn {
                                    attrs: f.attrs.clone(),
                                    vis: f.vis.clone(),
                                    sig: f.sig.clone(),
                                    block: Box::new(f.block.clone()),
                                }));
                            }
                        }
                    }
                }
                collect_items(&items, out);
            }
        }
    }
    let Ok(dest) = std::env::var("AD_EXPANSIONS") else {
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut fns = Vec::new();
    for dir in ["tests", "examples", "benches", "adbench", "models"] {
        walk(&root.join(dir), &mut fns);
    }
    let mut text = String::new();
    for (args, item) in &fns {
        for scope in [crate::scope::Scope::Free, crate::scope::Scope::Unknown] {
            let out = crate::expand::expand_in(args.clone(), item.clone(), scope);
            text.push_str(&out.to_string());
            text.push('\n');
        }
    }
    std::fs::write(&dest, text).expect("AD_EXPANSIONS is writable");
    println!("{} functions expanded to {dest}", fns.len());
}

/// A callable that is not a closure or a path (here `a & || a as f32`, a
/// mutation the random stream once drew) is called in parentheses: pasted
/// bare before its arguments it did not parse, and the macro panicked.
#[test]
fn callable_of_any_expression() {
    let item: TokenStream =
        "fn to32(x: &[f64]) -> Vec<f32> { x.iter().map(a & || a as f32).collect() }"
            .parse()
            .unwrap();
    assert!(panic::catch_unwind(|| expand(TokenStream::new(), item)).is_ok());
}
