//! Closures, a stage of the pipeline between lowering and the
//! transformations: the body of `m.map(|v| ..)`, lowered on its own
//! (`lower/call.rs`), becomes the closure and its two derivatives, which the
//! rules of `la::map` call:
//!
//! ```text
//! f(v) = body,  fd(v, dv) = (f(v), f'(v) dv),  fdd(v, dv, v_t, dv_t) = the tangent of fd
//! ```
//!
//! Stages call downward only: lowering does not reach into the tangent
//! transform or the emitter; this stage does.

use crate::ir::{Block, Expr, Program, ScalarClosure, Stmt};
use quote::quote;

/// Replaces every closure of `prog` by the closure and its derivatives.
pub fn differentiate(prog: &mut Program) {
    visit(&mut prog.body.stmts);
}

fn visit(block: &mut Block) {
    for s in block {
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => replace(expr),
            Stmt::If { then, els, .. } => {
                visit(then);
                visit(els);
            }
            Stmt::Loop { body, .. } => visit(body),
            _ => {}
        }
    }
}

fn replace(e: &mut Expr) {
    let Expr::La(_, args) = e else {
        return;
    };
    let Some(Expr::Closure(c)) = args.get(1) else {
        return;
    };
    let derived = derivatives(c);
    args.truncate(1);
    args.extend(derived);
}

/// `f`, `fd`, `fdd` as verbatim closures reading the function's locals.
fn derivatives(c: &ScalarClosure) -> [Expr; 3] {
    // fd(v, dv) = (f(v), f'(v) dv)
    let mut p1 = c.prog.clone();
    let j1 = crate::tangent::jvp(&mut p1);
    let (x, dx) = (p1.name(0).clone(), p1.name(j1.tangents[0]).clone());
    let body1 = crate::emit::emit_body(&p1, &j1.body);
    // fdd(v, dv, v_t, dv_t): the tangent of fd.
    let mut p2 = p1.clone();
    p2.body = j1.body.clone();
    p2.active_params = vec![0, j1.tangents[0]];
    let j2 = crate::tangent::jvp(&mut p2);
    let (xt, dxt) = (
        p2.name(j2.tangents[0]).clone(),
        p2.name(j2.tangents[1]).clone(),
    );
    let body2 = crate::emit::emit_body(&p2, &j2.body);
    let f = c.source.clone();
    let fd = quote!(|#x, #dx| { #body1 });
    let fdd = quote!(|#x, #dx, #xt, #dxt| { #body2 });
    [
        Expr::Opaque(f, c.reads.clone()),
        Expr::Opaque(fd, c.reads.clone()),
        Expr::Opaque(fdd, c.reads.clone()),
    ]
}
