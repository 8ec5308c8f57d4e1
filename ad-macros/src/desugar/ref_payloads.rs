//! Payloads of a borrowed enum or struct: `match kind { Loss::Quantile { tau }
//! => tau * r, .. }` with `kind: &Loss` binds `tau` as a `&f64` (default
//! binding mode), which plain Rust multiplies through `&f64: Mul<f64>`; the
//! derivative's rules take the value. In the arm, such a name read as an
//! operand of arithmetic (`tau * r`, `s += tau`, `-tau`, `tau.powi(2)`) is
//! read as `*tau`, what the user could have written. Calls (`g(tau)`),
//! comparisons and `*tau` are left as written; an arm that binds the name
//! again (`let`, a closure's parameter) is left alone. So is an inactive
//! parameter `c: &f64` in the whole body (`c * x.sin()`).

use super::subst::pat_names;
use crate::fx::{HashMap, HashSet};
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Rewrites the arms of `match`es (and `if let`s) on the borrowed,
/// inactive parameters among `params` in `block`.
pub(super) fn deref(
    block: &mut syn::Block,
    params: &HashMap<String, syn::Type>,
    reals: &HashSet<String>,
    tainted: &HashSet<String>,
) {
    let scalars: Vec<String> = params
        .iter()
        .filter(|(name, ty)| !tainted.contains(*name) && borrowed_scalar(ty, reals))
        .map(|(name, _)| name.clone())
        .collect();
    if !scalars.is_empty() {
        let mut body = syn::Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: block.clone(),
        });
        operands(&mut body, &scalars);
        if let syn::Expr::Block(b) = body {
            *block = b.block;
        }
    }
    let borrowed: HashSet<String> = params
        .iter()
        .filter(|(name, ty)| !tainted.contains(*name) && borrowed_named(ty))
        .map(|(name, _)| name.clone())
        .collect();
    if !borrowed.is_empty() {
        Arms { borrowed }.visit_block_mut(block);
    }
}

/// `&f64`, `&f32` or `&T` of a real type parameter `T`.
fn borrowed_scalar(ty: &syn::Type, reals: &HashSet<String>) -> bool {
    matches!(ty, syn::Type::Reference(r) if r.mutability.is_none()
        && matches!(&*r.elem, syn::Type::Path(p) if p.qself.is_none()
            && p.path.get_ident().is_some_and(|i| i == "f64" || i == "f32"
                || reals.iter().any(|t| i == t))))
}

/// `&Name` without generic arguments (`&Loss`, `&Mode`): a value whose
/// parts a pattern binds by reference. (Not `&[f64]`, `&Vec<f64>`,
/// `&DVector<f64>`, `&mut T`.)
fn borrowed_named(ty: &syn::Type) -> bool {
    let syn::Type::Reference(r) = ty else {
        return false;
    };
    let syn::Type::Path(p) = &*r.elem else {
        return false;
    };
    r.mutability.is_none()
        && p.qself.is_none()
        && p.path
            .segments
            .iter()
            .all(|s| matches!(s.arguments, syn::PathArguments::None))
}

struct Arms {
    borrowed: HashSet<String>,
}

impl Arms {
    fn on_borrowed(&self, e: &syn::Expr) -> bool {
        let mut e = e;
        while let syn::Expr::Paren(p) = e {
            e = &p.expr;
        }
        matches!(e, syn::Expr::Path(p) if p.qself.is_none()
            && p.path.get_ident().is_some_and(|i| self.borrowed.contains(&i.unraw().to_string())))
    }
}

impl VisitMut for Arms {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            syn::Expr::Match(m) if self.on_borrowed(&m.expr) => {
                for arm in &mut m.arms {
                    let names = by_reference(&arm.pat);
                    operands(&mut arm.body, &names);
                }
            }
            syn::Expr::If(i) => {
                if let syn::Expr::Let(l) = &*i.cond {
                    if self.on_borrowed(&l.expr) {
                        let names = by_reference(&l.pat);
                        let mut body = syn::Expr::Block(syn::ExprBlock {
                            attrs: Vec::new(),
                            label: None,
                            block: i.then_branch.clone(),
                        });
                        operands(&mut body, &names);
                        if let syn::Expr::Block(b) = body {
                            i.then_branch = b.block;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The names `pat` binds by reference on a borrowed value: not under `&`,
/// not `mut` (which binds by value), not a constant (`FAST`).
fn by_reference(pat: &syn::Pat) -> Vec<String> {
    struct Refs(Vec<String>);
    impl<'ast> Visit<'ast> for Refs {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            let name = p.ident.unraw().to_string();
            if p.mutability.is_none() && name.starts_with(|c: char| c.is_lowercase() || c == '_') {
                self.0.push(name);
            }
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_pat_reference(&mut self, _: &'ast syn::PatReference) {}
        fn visit_expr(&mut self, _: &'ast syn::Expr) {}
    }
    let mut refs = Refs(Vec::new());
    refs.visit_pat(pat);
    refs.0
}

/// `body` with each of `names` read as an operand of arithmetic
/// dereferenced; names bound again in `body` are left alone.
fn operands(body: &mut syn::Expr, names: &[String]) {
    struct Rebound(HashSet<String>);
    impl<'ast> Visit<'ast> for Rebound {
        fn visit_pat(&mut self, p: &'ast syn::Pat) {
            self.0.extend(pat_names(p));
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut rebound = Rebound(HashSet::default());
    rebound.visit_expr(body);
    let names: HashSet<String> = names
        .iter()
        .filter(|n| !rebound.0.contains(*n))
        .cloned()
        .collect();
    if !names.is_empty() {
        Operands(names).visit_expr_mut(body);
    }
}

struct Operands(HashSet<String>);

impl Operands {
    /// `name` -> `(*name)` where `e` is one of the names.
    fn deref(&self, e: &mut syn::Expr) {
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none()
                && p.path
                    .get_ident()
                    .is_some_and(|i| self.0.contains(&i.unraw().to_string()))
            {
                let span = syn::spanned::Spanned::span(&*p);
                *e = syn::parse_quote_spanned!(span=> (*#p));
            }
        }
    }
}

impl VisitMut for Operands {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            syn::Expr::Binary(b)
                if matches!(
                    b.op,
                    syn::BinOp::Add(_)
                        | syn::BinOp::Sub(_)
                        | syn::BinOp::Mul(_)
                        | syn::BinOp::Div(_)
                        | syn::BinOp::Rem(_)
                        | syn::BinOp::AddAssign(_)
                        | syn::BinOp::SubAssign(_)
                        | syn::BinOp::MulAssign(_)
                        | syn::BinOp::DivAssign(_)
                ) =>
            {
                if !matches!(
                    b.op,
                    syn::BinOp::AddAssign(_)
                        | syn::BinOp::SubAssign(_)
                        | syn::BinOp::MulAssign(_)
                        | syn::BinOp::DivAssign(_)
                ) {
                    self.deref(&mut b.left);
                }
                self.deref(&mut b.right);
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => self.deref(&mut u.expr),
            syn::Expr::MethodCall(m) => self.deref(&mut m.receiver),
            _ => {}
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
