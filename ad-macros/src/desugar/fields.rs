//! `let n = p.steps;` of a parameter struct `p` (named in `wrt(...)`, not
//! `mut`): every later use of `n` reads `p.steps` itself, so a local of a
//! field is what the field is. The macro does not see the field's type: a
//! configuration integer read through a local (`n as f64`, `0..n`,
//! `x[n - 1]`) would otherwise be the borrow of an active field; read in
//! place it is a count (`count_as`) or an inactive index, and a float
//! field read in place carries its derivative as before. So is `let layer
//! = &p.layers[l];` read only by field (`layer.w[r][c]`): `p.layers[l].w[r][c]`.

use super::subst::{pat_names, Subst};
use crate::fx::{HashMap, HashSet};
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Substitutes the fields bound to plain locals in `block`. `structs`: the
/// parameter structs' names; a name bound again anywhere in the body (a
/// `let p`, a closure's `|p|`) is left alone, as is a local named in a
/// macro's format string (`println!("{n}")`, which substitution misses).
pub(super) fn substitute(block: &mut syn::Block, structs: &HashSet<String>) {
    let mut bound = Bound(HashSet::default());
    bound.visit_block(block);
    let roots: HashSet<String> = structs.difference(&bound.0).cloned().collect();
    if !roots.is_empty() {
        let mut mutables = Mutables(HashSet::default());
        mutables.visit_block(block);
        Fields {
            roots,
            mutables: mutables.0,
        }
        .visit_block_mut(block);
    }
}

struct Fields {
    roots: HashSet<String>,
    /// The names the body binds `mut` (an index that may change).
    mutables: HashSet<String>,
}

impl VisitMut for Fields {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, b);
        let mut k = 0;
        while k < b.stmts.len() {
            if let Some((name, place, free)) = self.element_local(&b.stmts[k], &b.stmts[k + 1..]) {
                let mut rest = b.stmts[k + 1..].to_vec();
                let map = HashMap::from_iter([(name, place)]);
                let mut subst = Subst::watching(map, free);
                subst.block(&mut rest);
                if !subst.captured {
                    b.stmts.truncate(k);
                    b.stmts.extend(rest);
                    continue;
                }
            }
            if let Some((name, field, root)) = self.field_local(&b.stmts[k]).filter(|(n, f, _)| {
                // Fields combined without an integer literal may be floats:
                // read in place only where the local is counted with, so a
                // float product is not recomputed (and its cotangent sent to
                // each field) at every use.
                matches!(strip(f), syn::Expr::Field(_))
                    || literal_in(f)
                    || counted(&b.stmts[k + 1..], n)
            }) {
                let mut rest = b.stmts[k + 1..].to_vec();
                let map = HashMap::from_iter([(name.clone(), field)]);
                let mut subst = Subst::watching(map, root);
                subst.block(&mut rest);
                if !subst.captured && !formats(&b.stmts[k + 1..], &name) {
                    b.stmts.truncate(k);
                    b.stmts.extend(rest);
                    continue;
                }
            }
            k += 1;
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Fields {
    /// `let layer = &p.layers[l];` (a borrow of an element of a field, `l`
    /// a name the body never binds `mut`, or a literal) whose every later
    /// use is a field of it (`layer.w[r][c]`, `&layer.b`): the name, the
    /// place `p.layers[l]`, the names it reads. Read in place, it is the
    /// form `p.layers[l].w[r][c]` that is differentiated.
    fn element_local(
        &self,
        stmt: &syn::Stmt,
        rest: &[syn::Stmt],
    ) -> Option<(String, syn::Expr, Vec<String>)> {
        let (i, init) = plain_let(stmt)?;
        let syn::Expr::Reference(r) = strip(init) else {
            return None;
        };
        if r.mutability.is_some() {
            return None;
        }
        // Down to the root through fields and indices, at least one index.
        let mut free = Vec::new();
        let mut indexed = false;
        let mut e = strip(&r.expr);
        loop {
            match e {
                syn::Expr::Field(f) => e = strip(&f.base),
                syn::Expr::Index(x) => {
                    match strip(&x.index) {
                        syn::Expr::Path(p) if p.qself.is_none() => {
                            let name = p.path.get_ident()?.unraw().to_string();
                            if self.mutables.contains(&name) {
                                return None;
                            }
                            free.push(name);
                        }
                        ix if integer(ix) => {}
                        _ => return None,
                    }
                    indexed = true;
                    e = strip(&x.expr);
                }
                syn::Expr::Path(p) if p.qself.is_none() => {
                    let root = p.path.get_ident()?.unraw().to_string();
                    if !self.roots.contains(&root) || !indexed {
                        return None;
                    }
                    free.push(root);
                    break;
                }
                _ => return None,
            }
        }
        let name = i.ident.unraw().to_string();
        if !only_fields_of(rest, &name) {
            return None;
        }
        Some((name, (*r.expr).clone(), free))
    }

    /// `let n = p.a.b;` (or `let n: T = ..`, `let m = p.steps * p.count;`):
    /// the name, the value, its roots.
    fn field_local(&self, stmt: &syn::Stmt) -> Option<(String, syn::Expr, Vec<String>)> {
        let (i, init) = plain_let(stmt)?;
        let mut roots = Vec::new();
        if !self.field_arithmetic(init, &mut roots) {
            return None;
        }
        // A sum or product of fields is put in parentheses (`(p.steps *
        // p.count) as f64`).
        let value = match strip(init) {
            syn::Expr::Field(_) => init.clone(),
            e => syn::parse_quote!((#e)),
        };
        Some((i.ident.unraw().to_string(), value, roots))
    }

    /// Whether `e` is a field of a root (`p.a.b`), or integer arithmetic
    /// (`+ - * / %`) of fields and integer literals with a field in it
    /// (`p.steps * p.count`, `p.n - 1`): its roots pushed on `roots`. The
    /// macro does not see the fields' types: read in place, such a value is
    /// counted with (`0..m`, `m as f64`: `count_as`, integers only) or, of
    /// floats, differentiated where it is read.
    fn field_arithmetic(&self, e: &syn::Expr, roots: &mut Vec<String>) -> bool {
        match strip(e) {
            syn::Expr::Binary(b) => {
                let (mut l, mut r) = (Vec::new(), Vec::new());
                let arithmetic = matches!(
                    b.op,
                    syn::BinOp::Add(_)
                        | syn::BinOp::Sub(_)
                        | syn::BinOp::Mul(_)
                        | syn::BinOp::Div(_)
                        | syn::BinOp::Rem(_)
                );
                let ok = arithmetic
                    && (self.field_arithmetic(&b.left, &mut l) || integer(&b.left))
                    && (self.field_arithmetic(&b.right, &mut r) || integer(&b.right))
                    && !(l.is_empty() && r.is_empty());
                if ok {
                    roots.extend(l);
                    roots.extend(r);
                }
                ok
            }
            syn::Expr::Field(f) => {
                let mut base = &*f.base;
                let root = loop {
                    match base {
                        syn::Expr::Field(f) => base = &f.base,
                        syn::Expr::Paren(p) => base = &p.expr,
                        syn::Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                            Some(i) => break i.unraw().to_string(),
                            None => return false,
                        },
                        _ => return false,
                    }
                };
                let ok = self.roots.contains(&root);
                if ok {
                    roots.push(root);
                }
                ok
            }
            _ => false,
        }
    }
}

/// `let name = init;` (or `let name: T = init;`), `name` not `mut`, `ref`
/// or with a sub-pattern: the name's pattern and `init`.
fn plain_let(stmt: &syn::Stmt) -> Option<(&syn::PatIdent, &syn::Expr)> {
    let syn::Stmt::Local(l) = stmt else {
        return None;
    };
    let init = l.init.as_ref().filter(|i| i.diverge.is_none())?;
    let pat = match &l.pat {
        syn::Pat::Type(t) => &*t.pat,
        p => p,
    };
    let syn::Pat::Ident(i) = pat else {
        return None;
    };
    if i.by_ref.is_some() || i.mutability.is_some() || i.subpat.is_some() {
        return None;
    }
    Some((i, &init.expr))
}

fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        e => e,
    }
}

/// An integer literal (`1`, `2usize`).
fn integer(e: &syn::Expr) -> bool {
    matches!(strip(e), syn::Expr::Lit(l) if matches!(&l.lit, syn::Lit::Int(i)
        if !matches!(i.suffix(), "f32" | "f64")))
}

/// Whether `e` has an integer literal in it (`p.n - 1`: an integer).
fn literal_in(e: &syn::Expr) -> bool {
    match strip(e) {
        syn::Expr::Binary(b) => literal_in(&b.left) || literal_in(&b.right),
        e => integer(e),
    }
}

/// Whether `stmts` use `name` as an integer: cast (`m as f64`), in a range
/// (`0..m`), an index (`x[m - 1]`), a macro's tokens (`vec![0.0; m]`), or
/// beside an integer literal (`m * 2`).
fn counted(stmts: &[syn::Stmt], name: &str) -> bool {
    struct Counted<'n>(&'n str, bool);
    impl Counted<'_> {
        fn names(&self, e: &syn::Expr) -> bool {
            struct Names<'n>(&'n str, bool);
            impl<'ast> Visit<'ast> for Names<'_> {
                fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                    self.1 |= p.qself.is_none() && p.path.is_ident(self.0);
                }
            }
            let mut n = Names(self.0, false);
            n.visit_expr(e);
            n.1
        }
    }
    impl<'ast> Visit<'ast> for Counted<'_> {
        fn visit_expr_cast(&mut self, c: &'ast syn::ExprCast) {
            self.1 |= self.names(&c.expr);
            syn::visit::visit_expr_cast(self, c);
        }
        fn visit_expr_range(&mut self, r: &'ast syn::ExprRange) {
            self.1 |= r.start.iter().chain(&r.end).any(|e| self.names(e));
            syn::visit::visit_expr_range(self, r);
        }
        fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
            self.1 |= self.names(&i.index);
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            self.1 |= (integer(&b.left) && self.names(&b.right))
                || (integer(&b.right) && self.names(&b.left));
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            fn has(t: proc_macro2::TokenStream, name: &str) -> bool {
                t.into_iter().any(|tt| match tt {
                    proc_macro2::TokenTree::Ident(i) => i == name,
                    proc_macro2::TokenTree::Group(g) => has(g.stream(), name),
                    _ => false,
                })
            }
            self.1 |= has(m.tokens.clone(), self.0);
        }
    }
    let mut c = Counted(name, false);
    for s in stmts {
        c.visit_stmt(s);
    }
    c.1
}

/// Whether `stmts` read `name` only as the base of a field (`name.w`), and
/// at least once.
fn only_fields_of(stmts: &[syn::Stmt], name: &str) -> bool {
    struct Uses<'n> {
        name: &'n str,
        fields: usize,
        other: bool,
    }
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            match e {
                syn::Expr::Field(f) if matches!(&*f.base, syn::Expr::Path(p) if p.path.is_ident(self.name)) => {
                    self.fields += 1
                }
                syn::Expr::Path(p) if p.path.is_ident(self.name) => self.other = true,
                e => syn::visit::visit_expr(self, e),
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            fn has(t: proc_macro2::TokenStream, name: &str) -> bool {
                t.into_iter().any(|tt| match tt {
                    proc_macro2::TokenTree::Ident(i) => i == name,
                    proc_macro2::TokenTree::Literal(l) => l.to_string().contains(name),
                    proc_macro2::TokenTree::Group(g) => has(g.stream(), name),
                    _ => false,
                })
            }
            self.other |= has(m.tokens.clone(), self.name);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut uses = Uses {
        name,
        fields: 0,
        other: false,
    };
    for s in stmts {
        uses.visit_stmt(s);
    }
    uses.fields > 0 && !uses.other
}

/// Every name the body binds `mut`.
struct Mutables(HashSet<String>);

impl<'ast> Visit<'ast> for Mutables {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        if p.mutability.is_some() {
            self.0.insert(p.ident.unraw().to_string());
        }
        syn::visit::visit_pat_ident(self, p);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Every name a pattern of the body binds.
struct Bound(HashSet<String>);

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        self.0.extend(pat_names(p));
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Whether a macro in `stmts` names `name` inside a string literal.
fn formats(stmts: &[syn::Stmt], name: &str) -> bool {
    struct Formats<'n>(&'n str, bool);
    impl<'ast> Visit<'ast> for Formats<'_> {
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.1 |= literal_names(m.tokens.clone(), self.0);
        }
    }
    fn literal_names(t: proc_macro2::TokenStream, name: &str) -> bool {
        t.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Literal(l) => l.to_string().contains(name),
            proc_macro2::TokenTree::Group(g) => literal_names(g.stream(), name),
            _ => false,
        })
    }
    let mut f = Formats(name, false);
    for s in stmts {
        f.visit_stmt(s);
    }
    f.1
}
