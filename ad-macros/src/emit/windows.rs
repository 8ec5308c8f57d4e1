//! Windows on the stream of saved values (`ad_runtime::Words`).
//!
//! A loop body whose forward sweep saves `n` values (`saved.push(x)`, one
//! store of the stream's length after each: the length lives in memory,
//! since the stream's buffer may grow) instead opens one window for them at
//! the top of the body, `let mut saved_window = saved.saving(n);`,
//! which reserves the room once and keeps its position in a register; the
//! values join the stream when the window is dropped at the end of the
//! iteration. The reverse sweep's body reads them back through
//! `restoring(n)` in the same way. In ADBench's LSTM the cell loop saves ten
//! values per step: without the window each `push` waits for the previous
//! one's length.
//!
//! A helper called in the body saves on the same window (its split form
//! takes `&mut Saving`, and a loop of its own opens a window within it);
//! a call outside a window is lent one of its own, `&mut saved.saving(0)`.
//!
//! A body gets a window only when its own statements are the only ones
//! that touch the stream: nested blocks, pullbacks lent the stream and code
//! the macro does not look into leave it the plain stream. A body that reads
//! back does not `break` or `continue` (the window reads the last `n`
//! values); one that saves may (the window keeps what was saved).

use crate::ir::{walk, Expr, Header, Stmt, VarId, LEND};

/// The room a window reserves for the values of a helper it is lent to
/// (a helper that saves more makes the window grow, out of line).
const LENT_ROOM: usize = 8;

/// How a loop body uses the stream: it saves, or reads back, this many
/// values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Window {
    Saving(usize),
    Restoring(usize),
}

/// The streams declared among `stmts`.
pub(super) fn declared_streams(stmts: &[Stmt]) -> Vec<VarId> {
    let mut found = Vec::new();
    walk(stmts, &mut |s| {
        if let Stmt::Let {
            var,
            expr: Expr::Fresh { words: true, .. },
            ..
        } = s
        {
            found.push(*var);
        }
    });
    found
}

/// The window a loop body opens on the stream `words`, if any: at least two
/// values saved or read back by the body's own statements, and no other
/// use of the stream anywhere in the body.
pub(super) fn window(words: VarId, body: &[Stmt]) -> Option<Window> {
    let (mut pushes, mut lent, mut pops) = (0, 0, 0);
    let mut count = |e: &Expr| {
        let (l, p) = reached(e, words);
        lent += l;
        pops += p;
    };
    for s in body {
        match s {
            Stmt::Push { stack, value } if *stack == words => {
                pushes += 1;
                count(value);
            }
            Stmt::Push { value: e, .. }
            | Stmt::Let { expr: e, .. }
            | Stmt::Assign { expr: e, .. }
            | Stmt::If { cond: e, .. }
            | Stmt::Loop {
                header: Header::Times(e),
                ..
            } => count(e),
            _ => {}
        }
    }
    if uses(body, words) != pushes + lent + pops {
        return None;
    }

    let mut leaves = false;
    walk(body, &mut |s| {
        leaves |= matches!(s, Stmt::Break | Stmt::Continue);
    });
    // Two statements that save or read back at least; the room reserved
    // for a call lent the window is `LENT_ROOM` (more grows it).
    match (pushes + lent, pops) {
        (n, 0) if n >= 2 => Some(Window::Saving(pushes + LENT_ROOM * lent)),
        (0, n) if n >= 2 && !leaves => Some(Window::Restoring(n)),
        _ => None,
    }
}

/// How many times `e` lends `words` to a split form, and how many values
/// it reads back from it.
fn reached(e: &Expr, words: VarId) -> (usize, usize) {
    let (mut lent, mut popped) = (0, 0);
    e.visit(&mut |x| match x {
        Expr::Rule(LEND, args) if args.first().and_then(Expr::as_var) == Some(words) => {
            lent += 1;
        }
        Expr::Pop(s) if *s == words => popped += 1,
        _ => {}
    });
    (lent, popped)
}

/// How many times the statements (nested ones included) name `words`.
fn uses(body: &[Stmt], words: VarId) -> usize {
    let mut n = 0;
    let count = |e: &Expr| {
        let mut k = 0;
        e.for_each_var(&mut |v| {
            if v == words {
                k += 1;
            }
        });
        k
    };
    walk(body, &mut |s| {
        n += match s {
            Stmt::Let { expr, .. } => count(expr),
            Stmt::Assign { place, expr, .. } => usize::from(place.var() == words) + count(expr),
            Stmt::If { cond, .. } => count(cond),
            Stmt::Loop { header, .. } => match header {
                Header::For { reads, .. } => reads.iter().filter(|v| **v == words).count(),
                Header::Times(e) => count(e),
                Header::Infinite => 0,
            },
            Stmt::Push { stack, value } => usize::from(*stack == words) + count(value),
            Stmt::Opaque(_, reads) => reads.iter().filter(|v| **v == words).count(),
            Stmt::Break | Stmt::Continue => 0,
        };
    });
    n
}

#[cfg(test)]
mod tests {
    use crate::expand::expand;
    use proc_macro2::TokenStream;
    use quote::quote;

    /// The generated items, each as one line of text without spaces.
    fn items(f: TokenStream) -> String {
        let out = expand(TokenStream::new(), f).to_string();
        assert!(!out.contains("compile_error"), "{out}");
        out.replace(' ', "")
    }

    /// The body of the generated function `name`.
    fn item<'a>(out: &'a str, name: &str) -> &'a str {
        let start = out
            .find(&format!("fn{name}"))
            .unwrap_or_else(|| panic!("no {name} in {out}"));
        let end = out[start + 2..]
            .find("fn")
            .map_or(out.len(), |e| start + 2 + e);
        &out[start..end]
    }

    #[test]
    fn a_loop_saving_several_values_saves_them_through_a_window() {
        let out = items(quote! {
            fn f(x: f64, n: usize) -> f64 {
                let mut a = x;
                let mut b = x;
                for _ in 0..n {
                    a = a.sin() * b;
                    b = b.cos() + a;
                }
                a + b
            }
        });
        let grad = item(&out, "f_grad");
        // The forward sweep's body opens a window for its saves, the
        // reverse sweep's body one for the values read back.
        assert!(grad.contains("letmutsaved_window=saved.saving("), "{grad}");
        assert!(grad.contains("saved_window.push("), "{grad}");
        assert!(
            grad.contains("letmutsaved_window=saved.restoring("),
            "{grad}"
        );
        assert!(grad.contains("saved_window.pop()"), "{grad}");
        assert!(!grad.contains("saved.push("), "{grad}");
        // The split form saves on the window it is lent, through a window
        // of its own within it.
        let split = item(&out, "__ad_split_f");
        assert!(
            split.contains("mutsaved:&mut::ad::__rt::Saving<'_>"),
            "{split}"
        );
        assert!(
            split.contains("letmutsaved_window=saved.saving("),
            "{split}"
        );
        // Second order: the values' and the tangents' streams each get one.
        let hvp = item(&out, "f_hvp");
        assert!(hvp.contains("=saved.saving("), "{hvp}");
        assert!(hvp.contains("=dsaved.saving("), "{hvp}");
    }

    #[test]
    fn a_body_that_saves_in_a_branch_keeps_the_stream() {
        let out = items(quote! {
            fn g(x: f64, n: usize) -> f64 {
                let mut a = x;
                let mut b = x;
                for i in 0..n {
                    a = a.sin() * b;
                    if i % 2 == 0 {
                        b = b.cos() + a;
                    }
                }
                a + b
            }
        });
        let grad = item(&out, "g_grad");
        assert!(!grad.contains("window"), "{grad}");
        assert!(grad.contains("saved.push("), "{grad}");
        // A body with one save has no window either.
        let out = items(quote! {
            fn h(x: f64, n: usize) -> f64 {
                let mut a = x;
                for _ in 0..n {
                    a = a.sin();
                }
                a
            }
        });
        assert!(!item(&out, "h_grad").contains("window"), "{out}");
    }

    #[test]
    fn a_helper_called_in_the_body_saves_on_its_window() {
        let out = items(quote! {
            fn k(x: f64, n: usize) -> f64 {
                let mut a = x;
                let mut b = x;
                for _ in 0..n {
                    a = helper(a) * b;
                    b = b.cos() + a;
                }
                a + b
            }
        });
        let grad = item(&out, "k_grad");
        assert!(grad.contains("letmutsaved_window=saved.saving("), "{grad}");
        assert!(
            grad.contains("__ad_split_helper(a,&mutsaved_window)"),
            "{grad}"
        );
        // Its reverse sweep lends the stream to the helper's pullback: no
        // window there.
        assert!(grad.contains("__rt::tape(&mutsaved)"), "{grad}");
        assert!(!grad.contains("restoring"), "{grad}");
        // A body whose only save is the call's lends a window of its own.
        let out = items(quote! {
            fn m(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += helper(x[i]);
                }
                s
            }
        });
        let grad = item(&out, "m_grad");
        assert!(
            grad.contains("__ad_split_helper(t,&mutsaved.saving(0))"),
            "{grad}"
        );
        assert!(!grad.contains("window"), "{grad}");
    }
}
