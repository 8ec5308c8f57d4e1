//! Which names may hold active values before lowering: the active
//! parameters and every local assigned from an expression that mentions one
//! (by name, ignoring scopes: a superset, so that desugaring never misses an
//! active chain).

use super::subst;
use crate::fx::HashSet;
use crate::parse::Model;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::visit::Visit;

/// The names that may hold active values: the active parameters and every
/// local assigned from an expression that mentions one (by name, ignoring
/// scopes: a superset, so that desugaring never misses an active chain).
pub(super) fn taint(model: &Model) -> HashSet<String> {
    let names = model
        .params
        .iter()
        .filter(|p| p.active || p.output)
        .map(|p| p.ident.unraw().to_string())
        .collect();
    taint_in(names, &model.item.block.stmts)
}

/// `names` and the names `stmts` assign from expressions that mention one
/// (see [`taint`]).
pub(super) fn taint_in(names: HashSet<String>, stmts: &[syn::Stmt]) -> HashSet<String> {
    struct Taint {
        names: HashSet<String>,
        changed: bool,
    }
    impl Taint {
        fn mentions(&self, e: &impl ToTokens) -> bool {
            fn walk(t: TokenStream, names: &HashSet<String>) -> bool {
                t.into_iter().any(|tt| match tt {
                    proc_macro2::TokenTree::Ident(i) => names.contains(&i.unraw().to_string()),
                    proc_macro2::TokenTree::Group(g) => walk(g.stream(), names),
                    _ => false,
                })
            }
            walk(e.to_token_stream(), &self.names)
        }
        fn add(&mut self, names: Vec<String>) {
            for n in names {
                self.changed |= self.names.insert(n);
            }
        }
        fn target(&mut self, e: &syn::Expr) {
            match e {
                syn::Expr::Path(p) => {
                    if let Some(i) = p.path.get_ident() {
                        self.add(vec![i.unraw().to_string()]);
                    }
                }
                syn::Expr::Index(i) => self.target(&i.expr),
                syn::Expr::Field(f) => self.target(&f.base),
                syn::Expr::Paren(p) => self.target(&p.expr),
                syn::Expr::Unary(u) => self.target(&u.expr),
                syn::Expr::Tuple(t) => t.elems.iter().for_each(|e| self.target(e)),
                _ => {}
            }
        }
    }
    impl<'ast> Visit<'ast> for Taint {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let Some(init) = &l.init {
                if self.mentions(&init.expr) {
                    self.add(subst::pat_names(&l.pat));
                }
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if self.mentions(&a.right) {
                self.target(&a.left);
            }
            syn::visit::visit_expr_assign(self, a);
        }
        // `s += x` (not `a[0] * x`: an operand is not written).
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if crate::lower::is_compound_assign(&b.op) && self.mentions(&b.right) {
                self.target(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            if self.mentions(&f.expr) {
                self.add(subst::pat_names(&f.pat));
            }
            // `for e in x.iter_mut() { *e = a; }` writes `x`.
            if self.mentions(&f.pat) {
                match &*f.expr {
                    syn::Expr::Reference(r) if r.mutability.is_some() => self.target(&r.expr),
                    syn::Expr::MethodCall(m) if m.method == "iter_mut" => self.target(&m.receiver),
                    _ => {}
                }
            }
            syn::visit::visit_expr_for_loop(self, f);
        }
        // `v.push(x)`, `g(x, &mut out)`: the receiver, the buffer.
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if self.mentions(&m.args) {
                self.target(&m.receiver);
            }
            // `u.iter_mut().zip(a).for_each(|(ui, ai)| *ui = ai / s)`,
            // `for (vj, s) in v.iter_mut().zip(&kv)`: the chain's items
            // are written, so the containers iterated mutably are.
            if self.mentions(m) {
                for root in iter_mut_roots(m) {
                    self.target(root);
                }
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if self.mentions(&c.args) {
                for a in &c.args {
                    if let syn::Expr::Reference(r) = a {
                        if r.mutability.is_some() {
                            self.target(&r.expr);
                        }
                    }
                }
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut t = Taint {
        names,
        changed: true,
    };
    while t.changed {
        t.changed = false;
        for s in stmts {
            t.visit_stmt(s);
        }
    }
    t.names
}

/// The receivers of the `iter_mut()` calls in a chain (`u` of
/// `u.iter_mut().zip(a)`, `v` of `a.iter().zip(v.iter_mut())`): its
/// receivers and arguments, not closures.
fn iter_mut_roots(m: &syn::ExprMethodCall) -> Vec<&syn::Expr> {
    fn call<'e>(m: &'e syn::ExprMethodCall, out: &mut Vec<&'e syn::Expr>) {
        if m.method == "iter_mut" {
            out.push(&m.receiver);
        }
        walk(&m.receiver, out);
        for a in &m.args {
            walk(a, out);
        }
    }
    fn walk<'e>(e: &'e syn::Expr, out: &mut Vec<&'e syn::Expr>) {
        match e {
            syn::Expr::MethodCall(m) => call(m, out),
            syn::Expr::Paren(p) => walk(&p.expr, out),
            syn::Expr::Reference(r) => walk(&r.expr, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    call(m, &mut out);
    out
}
