//! State changed by verbatim code: which variables a method call or a
//! mutable borrow in code the transform does not look into may change
//! (`Var::volatile`), so that the reverse sweep does not compute again
//! from them.

use crate::fx::HashMap;
use crate::ir::{walk, Expr, Header, Program, Stmt, VarId};
use proc_macro2::TokenStream;

/// Marks the variables that verbatim code may change ([`crate::ir::Var::volatile`]):
/// see [`changed_by`]. The reverse sweep computes index expressions and the
/// like again from the variables they read, which holds only for variables
/// that do not change afterwards.
pub(super) fn mark_volatile(prog: &mut Program) {
    let mut opaque: Vec<(TokenStream, Vec<VarId>)> = Vec::new();
    walk(&prog.body.stmts, &mut |s| {
        let mut note = |e: &Expr| {
            e.visit(&mut |e| {
                if let Expr::Opaque(t, reads) = e {
                    opaque.push((t.clone(), reads.clone()));
                }
            })
        };
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => note(expr),
            Stmt::If { cond, .. } => note(cond),
            Stmt::Opaque(t, reads) => opaque.push((t.clone(), reads.clone())),
            Stmt::Loop {
                header: Header::For { iter, reads, .. },
                ..
            } => opaque.push((iter.clone(), reads.clone())),
            _ => {}
        }
    });
    for (tokens, reads) in opaque {
        for v in changed_by(prog, &tokens, &reads) {
            prog.vars[v].volatile = true;
        }
        // A loop's item moved by verbatim code (`g(row)` of `for row in
        // a.into_iter()`) is gone after it: what the reverse sweep reads of
        // it is saved, so the item itself is not.
        for v in moved_by(&tokens, &reads, prog) {
            prog.vars[v].volatile = true;
        }
    }
}

/// The loop items among `reads` ([`crate::ir::Var::item`]) that `tokens`
/// pass by value: a whole argument or tuple member (`g(row)`, `(row, 1)`).
fn moved_by(tokens: &TokenStream, reads: &[VarId], prog: &Program) -> Vec<VarId> {
    use proc_macro2::{Delimiter, TokenTree};
    fn scan(
        tokens: TokenStream,
        paren: bool,
        names: &HashMap<String, VarId>,
        out: &mut Vec<VarId>,
    ) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let comma = |i: Option<&TokenTree>| match i {
            None => true,
            Some(TokenTree::Punct(p)) => p.as_char() == ',',
            _ => false,
        };
        for (k, t) in tts.iter().enumerate() {
            match t {
                TokenTree::Group(g) => scan(
                    g.stream(),
                    g.delimiter() == Delimiter::Parenthesis,
                    names,
                    out,
                ),
                TokenTree::Ident(id) if paren => {
                    let Some(&v) = names.get(&id.to_string()) else {
                        continue;
                    };
                    let before = if k == 0 { None } else { tts.get(k - 1) };
                    if comma(before) && comma(tts.get(k + 1)) && !out.contains(&v) {
                        out.push(v);
                    }
                }
                _ => {}
            }
        }
    }
    let names: HashMap<String, VarId> = reads
        .iter()
        .filter(|&&v| prog.vars[v].item)
        .map(|&v| (prog.name(v).to_string(), v))
        .collect();
    let mut out = Vec::new();
    if !names.is_empty() {
        scan(tokens.clone(), false, &names, &mut out);
    }
    out
}

/// The variables among `reads` that verbatim code `tokens` may change: the
/// receiver of a method not known to only read ([`READS_ONLY`]: `v.push(i)`,
/// `v.sort()`), and what it lends mutably (`f(&mut v)`).
pub(super) fn changed_by(prog: &Program, tokens: &TokenStream, reads: &[VarId]) -> Vec<VarId> {
    use proc_macro2::{Delimiter, TokenTree};
    fn scan(tokens: TokenStream, names: &HashMap<String, VarId>, out: &mut Vec<VarId>) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let punct =
            |i: usize, c: char| matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        for (k, t) in tts.iter().enumerate() {
            match t {
                TokenTree::Group(g) => scan(g.stream(), names, out),
                TokenTree::Ident(id) => {
                    let Some(&v) = names.get(&id.to_string()) else {
                        continue;
                    };
                    let lent = k >= 2
                        && punct(k - 2, '&')
                        && matches!(&tts[k - 1], TokenTree::Ident(m) if m == "mut");
                    let method = punct(k + 1, '.')
                        && matches!(tts.get(k + 2), Some(TokenTree::Ident(m))
                            if !READS_ONLY.contains(&m.to_string().as_str()))
                        && matches!(tts.get(k + 3), Some(TokenTree::Group(g))
                            if g.delimiter() == Delimiter::Parenthesis);
                    if (lent || method) && !out.contains(&v) {
                        out.push(v);
                    }
                }
                _ => {}
            }
        }
    }
    // (An `Option<&T>` or `&T` parameter, not `mut`, cannot change.)
    let names: HashMap<String, VarId> = reads
        .iter()
        .filter(|&&v| !prog.vars[v].copy_ref)
        .map(|&v| (prog.name(v).to_string(), v))
        .collect();
    let mut out = Vec::new();
    scan(tokens.clone(), &names, &mut out);
    out
}

/// Methods that only read their receiver (a call of any other may change
/// it: [`changed_by`]).
const READS_ONLY: &[&str] = &[
    "len",
    "is_empty",
    "clone",
    "to_vec",
    "to_owned",
    "iter",
    "get",
    "first",
    "last",
    "contains",
    "abs",
    "min",
    "max",
    "sqrt",
    "powi",
    "powf",
    "floor",
    "ceil",
    "round",
    "trunc",
    "signum",
    "is_nan",
    "is_finite",
    "as_slice",
    "nrows",
    "ncols",
    "shape",
    "sum",
    "product",
    "count",
    "rem_euclid",
    "div_euclid",
    "pow",
    "checked_sub",
    "saturating_sub",
    "wrapping_sub",
    "checked_add",
    "saturating_add",
    "wrapping_add",
    "cmp",
    "partial_cmp",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "to_string",
    "exp",
    "ln",
    "sin",
    "cos",
    "tan",
    "tanh",
    "into",
    "unwrap",
    "expect",
    "unwrap_or",
    "copied",
    "cloned",
    "enumerate",
    "zip",
    "map",
    "rev",
    "step_by",
    "chunks",
    "windows",
    "skip",
    "take",
    "position",
    "binary_search",
    "starts_with",
    "ends_with",
    "capacity",
    "trailing_zeros",
    "leading_zeros",
    "count_ones",
    "is_power_of_two",
];
