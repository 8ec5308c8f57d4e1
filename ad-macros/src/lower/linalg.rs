//! nalgebra's factorisations as the user writes them, each one rule of
//! `ad_runtime::la`: `a.try_inverse().unwrap()` is `la::inverse`,
//! `a.lu().solve(&b).unwrap()` is `la::solve`,
//! `a.cholesky().unwrap().solve(&b)` is `la::solve_cholesky`, and
//! `a.solve_lower_triangular(&b).unwrap()` (or `upper`) is
//! `la::solve_lower_triangular`. `expect("..")` stands for `unwrap()`.

use super::*;

/// `e` as a method call named one of `names`, with `args` arguments: its
/// receiver and arguments.
fn call_of<'a>(
    e: &'a syn::Expr,
    names: &[&str],
    args: usize,
) -> Option<(&'a syn::Expr, Vec<&'a syn::Expr>)> {
    match strip_parens(e) {
        syn::Expr::MethodCall(m) if m.args.len() == args && names.iter().any(|n| m.method == n) => {
            Some((&m.receiver, m.args.iter().collect()))
        }
        _ => None,
    }
}

/// `e` as `x.unwrap()` or `x.expect(msg)`: `x`.
fn unwrapped(e: &syn::Expr) -> Option<&syn::Expr> {
    call_of(e, &["unwrap"], 0)
        .or_else(|| call_of(e, &["expect"], 1))
        .map(|(r, _)| r)
}

/// The matrix of a factorisation without the copy the user made for it
/// (`a.clone().lu()`: nalgebra's factorisations consume their matrix, the
/// rules borrow it, so the derivative code needs no copy).
fn uncloned(e: &syn::Expr) -> &syn::Expr {
    call_of(e, &["clone", "clone_owned"], 0).map_or(e, |(r, _)| r)
}

impl Lowerer<'_> {
    /// The factorisation chain `mc` ends, lowered to its rule; `None` if
    /// `mc` ends none.
    pub(super) fn lower_linalg(&mut self, mc: &syn::ExprMethodCall) -> Option<Operand> {
        let whole = syn::Expr::MethodCall(mc.clone());
        let (module, args): (&str, Vec<&syn::Expr>) = if let Some(inner) = unwrapped(&whole) {
            if let Some((a, _)) = call_of(inner, &["try_inverse"], 0) {
                ("la::inverse", vec![a])
            } else if let Some((lu, b)) = call_of(inner, &["solve"], 1) {
                let (a, _) = call_of(lu, &["lu"], 0)?;
                ("la::solve", vec![a, b[0]])
            } else if let Some((a, b)) = call_of(inner, &["solve_lower_triangular"], 1) {
                ("la::solve_lower_triangular", vec![a, b[0]])
            } else {
                let (a, b) = call_of(inner, &["solve_upper_triangular"], 1)?;
                ("la::solve_upper_triangular", vec![a, b[0]])
            }
        } else {
            let (chol, b) = call_of(&whole, &["solve"], 1)?;
            let (a, _) = call_of(unwrapped(chol)?, &["cholesky"], 0)?;
            ("la::solve_cholesky", vec![a, b[0]])
        };
        let mut args = args;
        args[0] = uncloned(args[0]);
        let op = la_op(module)?;
        Some(self.lower_la(op, &args, mc.method.span(), mc.span()))
    }
}

impl Lowerer<'_> {
    /// `a.fixed_rows::<N>(i)`, `a.fixed_columns::<N>(j)` and
    /// `a.fixed_view::<P, Q>(i, j)`: the rule of the same name, with the
    /// sizes passed as `Const::<N>` values (from which the rule's const
    /// generics are inferred). `None` if `mc` is none of them.
    pub(super) fn lower_fixed_view(&mut self, mc: &syn::ExprMethodCall) -> Option<Operand> {
        let (module, sizes, starts) = match mc.method.to_string().as_str() {
            "fixed_rows" => ("la::fixed_rows", 1, 1),
            "fixed_columns" => ("la::fixed_columns", 1, 1),
            "fixed_view" => ("la::fixed_view", 2, 2),
            _ => return None,
        };
        let given: Vec<TokenStream> = mc
            .turbofish
            .iter()
            .flat_map(|t| t.args.iter())
            .filter_map(|g| match g {
                syn::GenericArgument::Const(e) => Some(e.to_token_stream()),
                syn::GenericArgument::Type(t) => Some(t.to_token_stream()),
                _ => None,
            })
            .collect();
        let name = &mc.method;
        if given.len() != sizes
            || mc.turbofish.as_ref().map_or(0, |t| t.args.len()) != sizes
            || mc.args.len() != starts
        {
            let form = if sizes == 1 {
                format!("`{name}::<N>(start)`")
            } else {
                format!("`{name}::<R, C>(i, j)`")
            };
            self.errors.spanned(
                name,
                format_args!(
                    "`{name}` on an active value is differentiated when its sizes are given \
                     with a turbofish: write {form}, or `rows(start, n)`/`columns(start, n)`"
                ),
            );
            return Some(self.poisoned());
        }
        let consts: Vec<syn::Expr> = given
            .iter()
            .map(|n| syn::parse_quote_spanned!(name.span()=> ::ad::nalgebra::Const::<#n>))
            .collect();
        let args: Vec<&syn::Expr> = std::iter::once(&*mc.receiver)
            .chain(mc.args.iter())
            .chain(consts.iter())
            .collect();
        let op = la_op(module)?;
        Some(self.lower_la(op, &args, name.span(), mc.span()))
    }
}

impl Lowerer<'_> {
    /// Marks the owned copy `op` of a view the user wrote, `e` (`x.rows(0,
    /// n)`), for the call of a function that takes it as a view
    /// (`ir::Var::view_arg`).
    pub(super) fn mark_view_arg(&mut self, op: &Operand, e: &syn::Expr) {
        if let Operand::Var(v) = *op {
            if self.prog.matrix && is_view(e) {
                self.prog.vars[v].view_arg = true;
            }
        }
    }
}

/// What to write instead of a factorisation the rules do not take as it is
/// written (kept in a variable, or one without rules).
pub(super) fn factorisation_hint(name: &str) -> Option<String> {
    let chains = "write the factorisation and its use as one expression: \
         `a.clone().try_inverse().unwrap()`, `a.clone().lu().solve(&b).unwrap()`, \
         `a.clone().cholesky().unwrap().solve(&b)`, `a.solve_lower_triangular(&b).unwrap()` \
         or `a.solve_upper_triangular(&b).unwrap()` (`expect(..)` for `unwrap()`)";
    match name {
        "lu" | "cholesky" | "try_inverse" | "solve" | "unwrap" | "expect" => Some(format!(
            "`{name}` on an active matrix has rules only as a part of a whole factorisation: \
             {chains}"
        )),
        "qr" | "svd" | "full_piv_lu" | "symmetric_eigen" | "eigenvalues" | "schur"
        | "hessenberg" | "udu" | "pseudo_inverse" | "try_inverse_mut" => Some(format!(
            "`{name}` on an active matrix has no rules; the factorisations with rules are \
             LU, Cholesky and triangular solves: {chains}; or give your function its own \
             rules with `#[differentiate(custom)]`"
        )),
        _ => None,
    }
}

/// nalgebra's methods that return a view of a matrix.
const VIEWS: &[&str] = &[
    "column",
    "row",
    "columns",
    "rows",
    "columns_range",
    "rows_range",
    "fixed_columns",
    "fixed_rows",
    "columns_with_step",
    "rows_with_step",
    "view",
    "view_range",
    "fixed_view",
    "as_view",
];

/// Whether `e` is a call of a method that returns a view (`xs.column(t)`).
pub(super) fn is_view(e: &syn::Expr) -> bool {
    matches!(strip_parens(e), syn::Expr::MethodCall(m) if VIEWS.iter().any(|v| m.method == v))
}
