//! nalgebra values built from active scalars: `DMatrix::from_fn(r, c, |i, j|
//! ..)`, `DVector::from_fn(n, |i, _| ..)`, `DVector::from_vec(vec![a, b])`,
//! `Vector3::new(a, b, c)`, `Matrix2::new(a, b, c, d)` and
//! `DVector::from_column_slice(&v)` (`from_row_slice`, `DMatrix::from_vec(r, c,
//! v)`) become a zero value and element writes,
//! which lowering differentiates:
//!
//! ```text
//! let y = DVector::from_fn(n, |i, _| x[i] * x[i]);
//! // becomes
//! let mut __ad_b1 = DVector::zeros(n);
//! for i in 0..__ad_b1.nrows() { for __ad_j2 in 0..__ad_b1.ncols() {
//!     __ad_b1[(i, __ad_j2)] = x[i] * x[i]; } }
//! let y = __ad_b1;
//! ```

use super::*;

/// The owner of a constructor (`DVector` in `DVector::from_vec`, with its
/// generic arguments) and the constructor's name.
fn constructor(c: &syn::ExprCall) -> Option<(syn::Path, String)> {
    let syn::Expr::Path(p) = &*c.func else {
        return None;
    };
    if p.qself.is_some() || p.path.segments.len() < 2 {
        return None;
    }
    let mut owner = p.path.clone();
    let last = owner.segments.pop()?.into_value();
    // (`Vector3::<f64>::new`: the trailing `::` goes.)
    owner.segments.pop_punct();
    let name = owner.segments.last()?.ident.to_string();
    is_nalgebra_type(&name).then(|| (owner, last.ident.to_string()))
}

/// nalgebra's vector and matrix types, by name.
pub(crate) fn is_nalgebra_type(name: &str) -> bool {
    matches!(
        name,
        "DVector" | "DMatrix" | "RowDVector" | "SVector" | "SMatrix" | "RowSVector"
    ) || fixed_size(name).is_some()
}

/// The shape of `VectorN`, `RowVectorN`, `MatrixN` and `MatrixRxC`
/// (N, R, C from 1 to 6): rows, columns.
fn fixed_size(name: &str) -> Option<(usize, usize)> {
    let digit = |s: &str| match s.parse::<usize>() {
        Ok(n @ 1..=6) => Some(n),
        _ => None,
    };
    if let Some(n) = name.strip_prefix("RowVector") {
        return Some((1, digit(n)?));
    }
    if let Some(n) = name.strip_prefix("Vector") {
        return Some((digit(n)?, 1));
    }
    let n = name.strip_prefix("Matrix")?;
    match n.split_once('x') {
        Some((r, c)) => Some((digit(r)?, digit(c)?)),
        None => Some((digit(n)?, digit(n)?)),
    }
}

/// The first `return` in `e` (not in a nested closure): a closure the
/// desugar stage inlines into a loop must not return.
pub(super) fn return_in(e: &syn::Expr) -> Option<syn::ExprReturn> {
    struct Returns(Option<syn::ExprReturn>);
    impl<'ast> Visit<'ast> for Returns {
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.0.get_or_insert(r.clone());
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut r = Returns(None);
    r.visit_expr(e);
    r.0
}

/// Whether `owner` is a type of dynamic size (`zeros` takes its length).
fn dynamic(owner: &syn::Path) -> bool {
    owner
        .segments
        .last()
        .is_some_and(|s| matches!(s.ident.to_string().as_str(), "DVector" | "RowDVector"))
}

impl Desugar<'_> {
    /// A constructor of an nalgebra value that reads active values, as
    /// statements (put in `pre`) building it; the expression naming it.
    pub(super) fn nalgebra_value(
        &mut self,
        e: &syn::Expr,
        pre: &mut Vec<syn::Stmt>,
    ) -> Option<syn::Expr> {
        let syn::Expr::Call(c) = e else {
            return None;
        };
        let (owner, name) = constructor(c)?;
        if !self.mentions_tainted(&c.args) {
            return None;
        }
        let span = span_of(&c.func);
        let b = self.fresh("b", span);
        let n = c.args.len();
        let mut stmts: Vec<syn::Stmt> = Vec::new();
        match name.as_str() {
            "from_fn" if n >= 1 => {
                // (A local closure by its name: the closure itself.)
                let cl = match &c.args[n - 1] {
                    syn::Expr::Closure(cl) => cl.clone(),
                    a => self.closure_expr(a)?,
                };
                if cl.inputs.len() != 2 {
                    return None;
                }
                if let Some(r) = return_in(&cl.body) {
                    self.error(
                        r,
                        "`return` in a `from_fn` closure is not supported: write the element as \
                         the closure's last expression",
                    );
                    return Some(syn::parse_quote_spanned!(span=> #owner::zeros()));
                }
                let mut idx = Vec::new();
                for p in &cl.inputs {
                    let p = match p {
                        syn::Pat::Type(t) => &*t.pat,
                        p => p,
                    };
                    match p {
                        syn::Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {
                            idx.push(i.ident.clone())
                        }
                        syn::Pat::Wild(_) => idx.push(self.fresh("j", span)),
                        _ => return None,
                    }
                }
                let dims = c.args.iter().take(n - 1);
                let (i, j) = (&idx[0], &idx[1]);
                let (mut body, tail) = match &*cl.body {
                    syn::Expr::Block(bl) if bl.label.is_none() => {
                        let mut s = bl.block.stmts.clone();
                        match s.pop() {
                            Some(syn::Stmt::Expr(t, None)) => (s, t),
                            _ => return None,
                        }
                    }
                    other => (Vec::new(), other.clone()),
                };
                body.push(syn::parse_quote_spanned!(span=> #b[(#i, #j)] = #tail;));
                stmts.push(
                    syn::parse_quote_spanned!(span=> let mut #b = #owner::zeros(#(#dims),*);),
                );
                stmts.push(syn::parse_quote_spanned!(span=>
                    for #i in 0..#b.nrows() { for #j in 0..#b.ncols() { #(#body)* } }
                ));
            }
            "from_vec" if n == 1 => {
                let syn::Expr::Macro(m) = &c.args[0] else {
                    return self.copied_slice(&owner, &c.args, false, &b, span, pre);
                };
                if !m.mac.path.is_ident("vec") {
                    return None;
                }
                let parser =
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
                let elems = syn::parse::Parser::parse2(parser, m.mac.tokens.clone()).ok()?;
                let k = elems.len();
                let dims = dynamic(&owner).then_some(k).into_iter();
                stmts
                    .push(syn::parse_quote_spanned!(span=> let mut #b = #owner::zeros(#(#dims)*);));
                for (i, e) in elems.iter().enumerate() {
                    stmts.push(syn::parse_quote_spanned!(span=> #b[#i] = #e;));
                }
            }
            // (`DMatrix::from_vec(r, c, v)`, `from_column_slice(r, c, &v)`:
            // the dimensions first.)
            "from_column_slice" | "from_vec" if n == 1 || n == 3 => {
                return self.copied_slice(&owner, &c.args, false, &b, span, pre);
            }
            "from_row_slice" if n == 1 || n == 3 => {
                return self.copied_slice(&owner, &c.args, true, &b, span, pre);
            }
            "new" => {
                let last = owner.segments.last()?.ident.to_string();
                let (r, cols) = fixed_size(&last)?;
                if r * cols != n {
                    return None;
                }
                stmts.push(syn::parse_quote_spanned!(span=> let mut #b = #owner::zeros();));
                // (Row-major, as nalgebra's `new` takes them.)
                for (k, e) in c.args.iter().enumerate() {
                    let (i, j) = (k / cols, k % cols);
                    stmts.push(syn::parse_quote_spanned!(span=> #b[(#i, #j)] = #e;));
                }
            }
            _ => return None,
        }
        let stmts = self.block(stmts, false);
        pre.extend(stmts);
        Some(syn::parse_quote_spanned!(span=> #b))
    }

    /// `Owner::from_column_slice(&v)` (or `from_vec(v)`, `from_row_slice(&v)`
    /// with `rows`; the dimensions first in `args` for a `DMatrix`) of an
    /// active array `v`, or of a range of one (`&x[a..b]`, `&x[..b]`, ..): a reshape, the
    /// elements copied one by one.
    fn copied_slice(
        &mut self,
        owner: &syn::Path,
        args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
        rows: bool,
        b: &syn::Ident,
        span: Span,
        pre: &mut Vec<syn::Stmt>,
    ) -> Option<syn::Expr> {
        let arg = args.last()?;
        let inner = match arg {
            syn::Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            e => e,
        };
        let k = self.fresh("k", span);
        let (len, elem): (syn::Expr, syn::Expr) = match inner {
            syn::Expr::Path(p) if p.path.get_ident().is_some() => (
                syn::parse_quote_spanned!(span=> #p.len()),
                syn::parse_quote_spanned!(span=> #p[#k]),
            ),
            // (Every range: `&x[a..b]`, `&x[..b]`, `&x[a..]`, `&x[a..=b]`, `&x[..]`.)
            syn::Expr::Index(ix) if matches!(&*ix.expr, syn::Expr::Path(p) if p.path.get_ident().is_some()) =>
            {
                let (x, lo, len) = super::subst::range_index(inner)?;
                (
                    syn::parse_quote_spanned!(span=> #len),
                    syn::parse_quote_spanned!(span=> #x[#lo + #k]),
                )
            }
            _ => return None,
        };
        let dims: Vec<syn::Expr> = match args.len() {
            3 => args.iter().take(2).cloned().collect(),
            _ => dynamic(owner).then_some(len).into_iter().collect(),
        };
        // Column-major, as nalgebra stores them; row-major for `from_row_slice`.
        let cols = self.fresh("cols", span);
        let place: syn::Expr = match rows {
            true => syn::parse_quote_spanned!(span=> #b[(#k / #cols, #k % #cols)]),
            false => syn::parse_quote_spanned!(span=> #b[#k]),
        };
        let mut stmts =
            vec![syn::parse_quote_spanned!(span=> let mut #b = #owner::zeros(#(#dims),*);)];
        if rows {
            stmts.push(syn::parse_quote_spanned!(span=> let #cols = #b.ncols();));
        }
        stmts.push(syn::parse_quote_spanned!(span=> for #k in 0..#b.len() { #place = #elem; }));
        let stmts = self.block(stmts, false);
        pre.extend(stmts);
        Some(syn::parse_quote_spanned!(span=> #b))
    }
}
