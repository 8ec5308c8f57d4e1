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
        // Generated functions have their own test; the corpus is the
        // hand-written ones (and their mutations).
        if path.file_name().is_some_and(|n| n == "random_functions.rs") {
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
    for dir in ["tests", "examples", "benches", "src"] {
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
    println!(
        "expansion ran on {cases} inputs ({} functions, mutated), no panic",
        items.len()
    );
}
