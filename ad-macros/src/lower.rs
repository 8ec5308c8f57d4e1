//! Function body -> IR in A-normal form (one primitive per statement).
//!
//! Expressions that read no active value are kept verbatim as constants
//! (`Expr::Opaque`), with the local names they mention renamed; only
//! expressions on active values are broken into primitives. Anything outside
//! the supported subset is reported with what to write instead, and lowering
//! goes on so that every mistake is reported in one build.

use crate::error::Errors;
use crate::ir::{
    BinOp, Body, CallStyle, Expr, Func, Names, Operand, Program, Stmt, VarId, VarKind,
};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use std::collections::{HashMap, HashSet};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

const UNARY: &[&str] = &[
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "exp2", "exp_m1", "ln", "ln_1p", "log2", "log10", "sqrt", "cbrt", "recip", "abs",
    "signum",
];
const BINARY: &[&str] = &["atan2", "powf", "hypot", "max", "min", "log"];

/// Methods whose result carries no derivative (a `bool`, an integer, or a
/// piecewise-constant float): their calls are constants, even on active values.
const NON_DIFFERENTIABLE: &[&str] = &[
    "floor",
    "ceil",
    "round",
    "round_ties_even",
    "trunc",
    "is_nan",
    "is_finite",
    "is_infinite",
    "is_normal",
    "is_subnormal",
    "is_sign_positive",
    "is_sign_negative",
    "classify",
    "to_bits",
    "partial_cmp",
    "total_cmp",
];

/// The elementary function called `name`, if it has a rule.
pub fn func(name: &str) -> Option<Func> {
    if let Some(n) = UNARY.iter().find(|n| **n == name) {
        return Some(Func {
            name: n,
            arity: 1,
            active_args: &[true],
        });
    }
    if let Some(n) = BINARY.iter().find(|n| **n == name) {
        return Some(Func {
            name: n,
            arity: 2,
            active_args: &[true, true],
        });
    }
    match name {
        "powi" => Some(Func {
            name: "powi",
            arity: 2,
            active_args: &[true, false],
        }),
        "mul_add" => Some(Func {
            name: "mul_add",
            arity: 3,
            active_args: &[true, true, true],
        }),
        "clamp" => Some(Func {
            name: "clamp",
            arity: 3,
            active_args: &[true, true, true],
        }),
        _ => None,
    }
}

fn supported_methods() -> String {
    let mut all: Vec<&str> = UNARY.iter().chain(BINARY).copied().collect();
    all.extend(["powi", "mul_add", "clamp"]);
    all.join(", ")
}

struct Binding {
    var: VarId,
    mutable: bool,
}

struct Lowerer<'e> {
    prog: Program,
    errors: &'e mut Errors,
    scopes: Vec<HashMap<String, Binding>>,
    /// Whether each variable depends on an active input (forward activity,
    /// maintained while lowering to decide what stays verbatim).
    varied: Vec<bool>,
    stmts: Vec<Stmt>,
}

/// Every identifier in a token stream (to reserve the user's names).
fn collect_idents(tokens: TokenStream, out: &mut HashSet<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string().trim_start_matches("r#").to_owned());
            }
            TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Lowers the body of the modelled function.
pub fn lower(model: &Model, errors: &mut Errors) -> Program {
    let mut reserved = HashSet::new();
    collect_idents(model.item.to_token_stream(), &mut reserved);
    let mut lw = Lowerer {
        prog: Program {
            vars: Vec::new(),
            names: Names::new(reserved),
            body: Body::default(),
            active_params: Vec::new(),
        },
        errors,
        scopes: vec![HashMap::new()],
        varied: Vec::new(),
        stmts: Vec::new(),
    };
    for (i, p) in model.params.iter().enumerate() {
        let name = lw.prog.names.claim(&p.ident.to_string(), p.ident.span());
        let v = lw.new_var(name, VarKind::Param(i), p.active);
        if p.active {
            lw.prog.active_params.push(v);
        }
        lw.bind(&p.ident, v, p.mutable);
    }
    let ret = lw.lower_fn_block(&model.item.block, model.has_output);
    lw.prog.body = Body {
        stmts: lw.stmts,
        ret: vec![Expr::Use(ret)],
    };
    lw.prog
}

impl Lowerer<'_> {
    fn new_var(&mut self, name: syn::Ident, kind: VarKind, varied: bool) -> VarId {
        let v = self.prog.new_var(name, kind);
        self.varied.push(varied);
        v
    }

    fn bind(&mut self, ident: &syn::Ident, var: VarId, mutable: bool) {
        let key = ident.unraw().to_string();
        self.scopes
            .last_mut()
            .expect("the scope stack is never empty")
            .insert(key, Binding { var, mutable });
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The local a path expression names, if it is a plain local name.
    fn local_of(&self, path: &syn::ExprPath) -> Option<VarId> {
        if path.qself.is_some() {
            return None;
        }
        let ident = path.path.get_ident()?;
        self.lookup(&ident.unraw().to_string()).map(|b| b.var)
    }

    fn is_varied(&self, op: &Operand) -> bool {
        match op {
            Operand::Var(v) => self.varied[*v],
            Operand::Const(_) => false,
        }
    }

    /// A new temporary holding `expr`.
    fn temp(&mut self, expr: Expr, varied: bool, span: Span) -> Operand {
        let name = self.prog.names.fresh("t", Span::call_site());
        let v = self.new_var(name, VarKind::Temp, varied);
        self.stmts.push(Stmt::Let {
            var: v,
            ty: None,
            expr,
            span,
        });
        Operand::Var(v)
    }

    /// Placeholder after an error, so lowering can go on.
    fn poisoned(&self) -> Operand {
        Operand::Const(quote!(0.0))
    }

    // ----- statements ------------------------------------------------------

    /// The body of the function: statements, then the result.
    fn lower_fn_block(&mut self, block: &syn::Block, has_output: bool) -> Operand {
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                syn::Stmt::Expr(e, None) if last => return self.lower_expr(e),
                syn::Stmt::Expr(syn::Expr::Return(r), _) if last => {
                    return match &r.expr {
                        Some(e) => self.lower_expr(e),
                        None => {
                            self.errors
                                .spanned(r, "return the function's result: `return value;`");
                            self.poisoned()
                        }
                    };
                }
                _ => self.lower_stmt(stmt),
            }
        }
        if has_output {
            self.errors.at(
                block.brace_token.span.close(),
                "a differentiated function must end with its result (an expression without `;`)",
            );
        }
        self.poisoned()
    }

    fn lower_stmt(&mut self, stmt: &syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.lower_local(local),
            syn::Stmt::Item(item) => {
                if let syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Use(_) = item {
                    self.stmts.push(Stmt::Opaque(item.to_token_stream()));
                } else {
                    self.errors.spanned(
                        item,
                        "only `const`, `use` and `fn` items may appear inside a differentiated function: move this item out",
                    );
                }
            }
            syn::Stmt::Macro(m) => self.macro_error(&m.mac),
            syn::Stmt::Expr(e, _) => self.lower_expr_stmt(e),
        }
    }

    fn lower_local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            self.errors.spanned(
                local,
                "declare the variable with its value (`let x = ...;`): deferred initialisation is not supported",
            );
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.errors.spanned(
                diverge,
                "`let ... else` is not supported in differentiated functions",
            );
            return;
        }
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some((*pt.ty).clone())),
            p => (p, None),
        };
        match pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                let value = self.lower_expr(&init.expr);
                self.bind_value(&pi.ident, pi.mutability.is_some(), ty, value, init.expr.span());
            }
            syn::Pat::Wild(_) => {
                self.lower_expr(&init.expr);
            }
            syn::Pat::Tuple(tp) => self.lower_tuple_let(tp, ty, &init.expr),
            other => self.errors.spanned(
                other,
                "this pattern is not supported: bind a name (`let x = ...`) or a tuple of names (`let (a, b) = (..., ...)`)",
            ),
        }
    }

    /// `let (a, b) = (e1, e2);` element by element; an inactive tuple value
    /// is bound once and its fields read.
    fn lower_tuple_let(&mut self, tp: &syn::PatTuple, ty: Option<syn::Type>, init: &syn::Expr) {
        let elem_tys: Vec<Option<syn::Type>> = match &ty {
            Some(syn::Type::Tuple(tt)) => tt.elems.iter().cloned().map(Some).collect(),
            _ => vec![None; tp.elems.len()],
        };
        let mut names = Vec::new();
        for p in &tp.elems {
            match p {
                syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    names.push(Some((pi.ident.clone(), pi.mutability.is_some())))
                }
                syn::Pat::Wild(_) => names.push(None),
                other => {
                    self.errors
                        .spanned(other, "bind a plain name or `_` in tuple patterns");
                    return;
                }
            }
        }
        if let syn::Expr::Tuple(t) = strip_parens(init) {
            if t.elems.len() != names.len() {
                self.errors.spanned(
                    t,
                    "the tuple has a different number of elements than the pattern",
                );
                return;
            }
            // All values first, then the bindings: `let (a, b) = (b, a)` swaps.
            let values: Vec<(Operand, Span)> = t
                .elems
                .iter()
                .map(|e| (self.lower_expr(e), e.span()))
                .collect();
            for ((name, (value, span)), ty) in names.into_iter().zip(values).zip(elem_tys) {
                if let Some((ident, mutable)) = name {
                    self.bind_value(&ident, mutable, ty, value, span);
                }
            }
        } else if !self.mentions_varied(init) {
            let whole = self.lower_expr(init);
            let whole_tokens = self.operand_tokens(&whole);
            for (i, (name, ty)) in names.into_iter().zip(elem_tys).enumerate() {
                if let Some((ident, mutable)) = name {
                    let index = syn::Index::from(i);
                    let field = Operand::Const(quote!(#whole_tokens.#index));
                    self.bind_value(&ident, mutable, ty, field, init.span());
                }
            }
        } else {
            self.errors.spanned(
                init,
                "a tuple pattern needs a tuple expression here (`let (a, b) = (x * y, x + y);`)",
            );
        }
    }

    fn operand_tokens(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) => self.prog.name(*v).to_token_stream(),
            Operand::Const(t) => t.clone(),
        }
    }

    /// Binds a user name to a value: a new version of the variable. When the
    /// value is the temporary the last statement just computed, that
    /// statement is renamed instead of copied (`let y = x * 2.0;` stays one
    /// statement).
    fn bind_value(
        &mut self,
        ident: &syn::Ident,
        mutable: bool,
        ty: Option<syn::Type>,
        value: Operand,
        span: Span,
    ) {
        if let Operand::Var(t) = value {
            if let Some(Stmt::Let {
                var, ty: let_ty, ..
            }) = self.stmts.last_mut()
            {
                if *var == t && self.prog.vars[t].kind == VarKind::Temp {
                    *let_ty = ty.map(Box::new);
                    self.prog.names.release(&self.prog.vars[t].name);
                    self.prog.vars[t].name =
                        self.prog.names.claim(&ident.to_string(), ident.span());
                    self.prog.vars[t].kind = VarKind::Local;
                    self.prog.vars[t].mutable = mutable;
                    self.bind(ident, t, mutable);
                    return;
                }
            }
        }
        let varied = self.is_varied(&value);
        let name = self.prog.names.claim(&ident.to_string(), ident.span());
        let v = self.new_var(name, VarKind::Local, varied);
        self.prog.vars[v].mutable = mutable;
        self.stmts.push(Stmt::Let {
            var: v,
            ty: ty.map(Box::new),
            expr: Expr::Use(value),
            span,
        });
        self.bind(ident, v, mutable);
    }

    fn lower_expr_stmt(&mut self, e: &syn::Expr) {
        match e {
            syn::Expr::Assign(a) => self.lower_assign(&a.left, None, &a.right),
            syn::Expr::Binary(b) => {
                let op = match b.op {
                    syn::BinOp::AddAssign(_) => Some(BinOp::Add),
                    syn::BinOp::SubAssign(_) => Some(BinOp::Sub),
                    syn::BinOp::MulAssign(_) => Some(BinOp::Mul),
                    syn::BinOp::DivAssign(_) => Some(BinOp::Div),
                    _ => None,
                };
                match op {
                    Some(op) => self.lower_assign(&b.left, Some((op, b.op.span())), &b.right),
                    None if is_compound_assign(&b.op) => self.errors.spanned(
                        b.op,
                        "only `+=`, `-=`, `*=` and `/=` are supported as compound assignments",
                    ),
                    None => self.lower_effect(e),
                }
            }
            syn::Expr::Return(r) => self.errors.spanned(
                r,
                "an early `return` is not supported yet: return the result at the end of the function",
            ),
            syn::Expr::Macro(m) => self.macro_error(&m.mac),
            _ => self.lower_effect(e),
        }
    }

    /// An expression statement kept for its effect.
    fn lower_effect(&mut self, e: &syn::Expr) {
        if self.mentions_varied(e) {
            // Evaluate it (errors included); its value is not used.
            self.lower_expr(e);
        } else if let Some(tokens) = self.opaque_tokens(e) {
            self.stmts.push(Stmt::Opaque(quote!(#tokens;)));
        }
    }

    /// `x = e` or `x op= e`: a new version of `x`.
    fn lower_assign(&mut self, left: &syn::Expr, op: Option<(BinOp, Span)>, right: &syn::Expr) {
        let target = match strip_parens(left) {
            syn::Expr::Path(p) => p.path.get_ident().filter(|_| p.qself.is_none()).map(|i| {
                (
                    i.clone(),
                    self.lookup(&i.to_string()).map(|b| (b.var, b.mutable)),
                )
            }),
            _ => None,
        };
        let Some((ident, binding)) = target else {
            self.errors.spanned(
                left,
                "only local variables can be assigned in a differentiated function (indexing and fields are not supported yet)",
            );
            return;
        };
        let Some((old, mutable)) = binding else {
            self.errors.spanned(
                left,
                format_args!("`{ident}` is not a local variable of this function"),
            );
            return;
        };
        if !mutable {
            // rustc would report it on the original function; say it once here too.
            self.errors.spanned(
                left,
                format_args!("cannot assign twice to immutable variable `{ident}`: declare it `let mut {ident}`"),
            );
            return;
        }
        let value = match op {
            None => self.lower_expr(right),
            Some((op, span)) => {
                let rhs = self.lower_expr(right);
                let varied = self.varied[old] || self.is_varied(&rhs);
                if varied {
                    self.temp(
                        Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                        true,
                        span,
                    )
                } else {
                    let l = self.prog.name(old).clone();
                    let r = self.operand_tokens(&rhs);
                    let o = bin_tokens(op);
                    self.temp(Expr::Opaque(quote!(#l #o #r)), false, span)
                }
            }
        };
        self.bind_value(&ident, true, None, value, right.span());
    }

    fn macro_error(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.errors.spanned(
            mac,
            format_args!(
                "macros are not supported in a differentiated function (`{name}!`): \
                 the derivative functions would repeat its effect or could not see through it; \
                 move it to the caller"
            ),
        );
    }

    // ----- expressions -----------------------------------------------------

    /// Whether `e` reads a variable that depends on an active input.
    fn mentions_varied(&self, e: &syn::Expr) -> bool {
        struct Finder<'a, 'b> {
            lw: &'a Lowerer<'b>,
            found: bool,
        }
        impl<'ast> Visit<'ast> for Finder<'_, '_> {
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if let Some(v) = self.lw.local_of(p) {
                    self.found |= self.lw.varied[v];
                }
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                let mut idents = HashSet::new();
                collect_idents(m.tokens.clone(), &mut idents);
                for i in idents {
                    if let Some(b) = self.lw.lookup(&i) {
                        self.found |= self.lw.varied[b.var];
                    }
                }
            }
        }
        let mut f = Finder {
            lw: self,
            found: false,
        };
        f.visit_expr(e);
        f.found
    }

    /// Verbatim tokens of an inactive expression, local names renamed to
    /// their current versions; `None` (with errors) if it has unsupported
    /// constructs.
    fn opaque_tokens(&mut self, e: &syn::Expr) -> Option<TokenStream> {
        let mut checker = Unsupported {
            errors: Vec::new(),
            inactive: true,
        };
        checker.visit_expr(e);
        if !checker.errors.is_empty() {
            for err in checker.errors {
                self.errors.push(err);
            }
            return None;
        }
        let mut e = e.clone();
        let mut renamer = Renamer { lw: self };
        renamer.visit_expr_mut(&mut e);
        Some(e.to_token_stream())
    }

    /// An inactive expression as an operand.
    fn opaque(&mut self, e: &syn::Expr) -> Operand {
        match strip_parens(e) {
            syn::Expr::Lit(l) => return Operand::Const(l.to_token_stream()),
            syn::Expr::Path(p) => {
                if let Some(v) = self.local_of(p) {
                    return Operand::Var(v);
                }
                if let Some(tokens) = self.opaque_tokens(e) {
                    return Operand::Const(tokens);
                }
                return self.poisoned();
            }
            _ => {}
        }
        match self.opaque_tokens(e) {
            Some(tokens) => self.temp(Expr::Opaque(tokens), false, e.span()),
            None => self.poisoned(),
        }
    }

    fn lower_expr(&mut self, e: &syn::Expr) -> Operand {
        if !self.mentions_varied(e) {
            return self.opaque(e);
        }
        match e {
            syn::Expr::Paren(p) => self.lower_expr(&p.expr),
            syn::Expr::Group(g) => self.lower_expr(&g.expr),
            syn::Expr::Path(p) => match self.local_of(p) {
                Some(v) => Operand::Var(v),
                None => self.opaque(e),
            },
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(minus) => {
                    let a = self.lower_expr(&u.expr);
                    self.temp(Expr::Neg(Box::new(Expr::Use(a))), true, minus.span)
                }
                syn::UnOp::Not(_) => self.opaque(e),
                _ => {
                    self.errors.spanned(
                        u.op,
                        "dereferencing active values is not supported: pass scalars by value",
                    );
                    self.poisoned()
                }
            },
            syn::Expr::Binary(b) => self.lower_binary(b),
            syn::Expr::MethodCall(mc) => self.lower_method(mc),
            syn::Expr::Call(c) => self.lower_call(c),
            syn::Expr::Cast(c) => {
                if crate::parse::float_of(&c.ty).is_some() {
                    let a = self.lower_expr(&c.expr);
                    self.temp(
                        Expr::Cast(Box::new(Expr::Use(a)), c.ty.clone()),
                        true,
                        c.as_token.span,
                    )
                } else {
                    // A cast to an integer carries no derivative.
                    self.opaque(e)
                }
            }
            syn::Expr::Block(b) if b.label.is_none() => self.lower_block_expr(&b.block),
            syn::Expr::Assign(_) => {
                self.errors
                    .spanned(e, "an assignment is a statement here: end it with `;`");
                self.poisoned()
            }
            _ => {
                self.unsupported(e);
                self.poisoned()
            }
        }
    }

    fn lower_block_expr(&mut self, block: &syn::Block) -> Operand {
        self.scopes.push(HashMap::new());
        let n = block.stmts.len();
        let mut result = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                syn::Stmt::Expr(e, None) if i + 1 == n => result = Some(self.lower_expr(e)),
                _ => self.lower_stmt(stmt),
            }
        }
        self.scopes.pop();
        match result {
            Some(r) => r,
            None => {
                self.errors.at(
                    block.brace_token.span.close(),
                    "this block must end with its value (an expression without `;`)",
                );
                self.poisoned()
            }
        }
    }

    fn lower_binary(&mut self, b: &syn::ExprBinary) -> Operand {
        let op = match b.op {
            syn::BinOp::Add(_) => BinOp::Add,
            syn::BinOp::Sub(_) => BinOp::Sub,
            syn::BinOp::Mul(_) => BinOp::Mul,
            syn::BinOp::Div(_) => BinOp::Div,
            syn::BinOp::Lt(_)
            | syn::BinOp::Le(_)
            | syn::BinOp::Gt(_)
            | syn::BinOp::Ge(_)
            | syn::BinOp::Eq(_)
            | syn::BinOp::Ne(_)
            | syn::BinOp::And(_)
            | syn::BinOp::Or(_) => {
                // A comparison is a `bool`: no derivative, kept verbatim.
                let e = syn::Expr::Binary(b.clone());
                return match self.opaque_tokens(&e) {
                    Some(tokens) => self.temp(Expr::Opaque(tokens), false, b.span()),
                    None => self.poisoned(),
                };
            }
            _ if is_compound_assign(&b.op) => {
                self.errors.spanned(
                    b,
                    "a compound assignment is a statement here: end it with `;`",
                );
                return self.poisoned();
            }
            _ => {
                self.errors.spanned(
                    b.op,
                    "this operator has no derivative rule: on active values the supported operators are `+`, `-`, `*`, `/` and unary `-`",
                );
                return self.poisoned();
            }
        };
        let l = self.lower_expr(&b.left);
        let r = self.lower_expr(&b.right);
        // Spanned at the operator, as rustc reports operator errors: a type
        // error then lands on the user's `*` once, not on the attribute.
        self.temp(
            Expr::Bin(op, Box::new(Expr::Use(l)), Box::new(Expr::Use(r))),
            true,
            b.op.span(),
        )
    }

    fn lower_method(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        let name = mc.method.to_string();
        if NON_DIFFERENTIABLE.contains(&name.as_str()) {
            return self.opaque(&syn::Expr::MethodCall(mc.clone()));
        }
        let Some(func) = func(&name) else {
            self.errors.spanned(
                &mc.method,
                format_args!(
                    "differentiation rule for method `{name}` is not implemented; the float \
                     methods with rules are: {}",
                    supported_methods()
                ),
            );
            return self.poisoned();
        };
        if let Some(t) = &mc.turbofish {
            self.errors
                .spanned(t, "remove the turbofish: float methods are not generic");
        }
        let args: Vec<&syn::Expr> = std::iter::once(&*mc.receiver)
            .chain(mc.args.iter())
            .collect();
        self.lower_func_call(
            func,
            CallStyle::Method,
            &args,
            mc.method.span(),
            mc.method.span(),
        )
    }

    fn lower_call(&mut self, c: &syn::ExprCall) -> Operand {
        // `f64::sin(x)`, `f32::powf(x, y)`
        if let syn::Expr::Path(p) = strip_parens(&c.func) {
            let segs = &p.path.segments;
            if p.qself.is_none() && segs.len() >= 2 {
                let last = &segs[segs.len() - 1];
                let owner = &segs[segs.len() - 2].ident;
                if owner == "f64" || owner == "f32" {
                    let name = last.ident.to_string();
                    let Some(func) = func(&name) else {
                        self.errors.spanned(
                            &last.ident,
                            format_args!(
                                "differentiation rule for `{owner}::{name}` is not implemented; \
                                 the float functions with rules are: {}",
                                supported_methods()
                            ),
                        );
                        return self.poisoned();
                    };
                    let owners = segs.iter().take(segs.len() - 1).map(|s| &s.ident);
                    let colon = &p.path.leading_colon;
                    let prefix = quote!(#colon #(#owners)::*);
                    let args: Vec<&syn::Expr> = c.args.iter().collect();
                    return self.lower_func_call(
                        func,
                        CallStyle::Path(prefix),
                        &args,
                        last.ident.span(),
                        last.ident.span(),
                    );
                }
            }
        }
        self.errors.spanned(
            &c.func,
            "calls with active arguments are not supported yet: only the float functions \
             (`x.sin()`, `f64::sin(x)`, ...) can be differentiated through; write the callee's \
             body inline",
        );
        self.poisoned()
    }

    fn lower_func_call(
        &mut self,
        func: Func,
        style: CallStyle,
        args: &[&syn::Expr],
        name_span: Span,
        span: Span,
    ) -> Operand {
        if args.len() != func.arity {
            self.errors.at(
                name_span,
                format_args!(
                    "`{}` takes {} argument(s) besides the receiver",
                    func.name,
                    func.arity - 1
                ),
            );
            return self.poisoned();
        }
        let mut ops = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let op = self.lower_expr(a);
            if !func.active_args[i] && self.is_varied(&op) {
                self.errors.spanned(
                    a,
                    format_args!(
                        "the exponent of `{}` is an integer and cannot depend on active values: use `powf`",
                        func.name
                    ),
                );
            }
            ops.push(Expr::Use(op));
        }
        self.temp(Expr::Call(func, style, ops), true, span)
    }

    fn unsupported(&mut self, e: &syn::Expr) {
        let mut checker = Unsupported {
            errors: Vec::new(),
            inactive: false,
        };
        checker.visit_expr(e);
        if checker.errors.is_empty() {
            self.errors.spanned(e, unsupported_message(e));
        } else {
            for err in checker.errors {
                self.errors.push(err);
            }
        }
    }
}

fn bin_tokens(op: BinOp) -> TokenStream {
    match op {
        BinOp::Add => quote!(+),
        BinOp::Sub => quote!(-),
        BinOp::Mul => quote!(*),
        BinOp::Div => quote!(/),
    }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    matches!(
        op,
        syn::BinOp::AddAssign(_)
            | syn::BinOp::SubAssign(_)
            | syn::BinOp::MulAssign(_)
            | syn::BinOp::DivAssign(_)
            | syn::BinOp::RemAssign(_)
            | syn::BinOp::BitXorAssign(_)
            | syn::BinOp::BitAndAssign(_)
            | syn::BinOp::BitOrAssign(_)
            | syn::BinOp::ShlAssign(_)
            | syn::BinOp::ShrAssign(_)
    )
}

fn strip_parens(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip_parens(&p.expr),
        syn::Expr::Group(g) => strip_parens(&g.expr),
        e => e,
    }
}

/// What to say about an expression kind that is not supported on active values.
fn unsupported_message(e: &syn::Expr) -> String {
    let what = match e {
        syn::Expr::If(_) | syn::Expr::Match(_) => {
            "branches (`if`, `match`) on active values are not supported yet: write the \
             branch with `max`, `min`, `abs` or `clamp`, or keep it outside the function"
        }
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => {
            "loops over active values are not supported yet: unroll the loop"
        }
        syn::Expr::Index(_) => "indexing active values is not supported yet: pass scalars",
        syn::Expr::Field(_) => "fields of active values are not supported yet: pass scalars",
        syn::Expr::Tuple(_) => {
            "tuples of active values are supported only in `let (a, b) = (.., ..);`"
        }
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => {
            "arrays of active values are not supported yet: use separate variables"
        }
        syn::Expr::Reference(_) => {
            "references to active values are not supported: use the value itself"
        }
        syn::Expr::Struct(_) => "structs of active values are not supported yet",
        syn::Expr::Block(_) => "labelled blocks are not supported",
        _ => "this expression is not supported on active values in a differentiated function",
    };
    what.to_owned()
}

/// Reports constructs that are unsupported anywhere in a differentiated
/// function, with what to write instead.
struct Unsupported {
    errors: Vec<syn::Error>,
    /// The expression reads no active value: branches and blocks in it are
    /// kept verbatim (without `let`, which renaming does not follow).
    inactive: bool,
}

impl Unsupported {
    fn err(&mut self, tokens: impl ToTokens, msg: &str) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }
}

impl<'ast> Visit<'ast> for Unsupported {
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.err(
            c.or1_token,
            "closures are not supported in a differentiated function: write a separate function, or the expression inline",
        );
    }
    fn visit_expr_unsafe(&mut self, u: &'ast syn::ExprUnsafe) {
        self.err(
            u.unsafe_token,
            "`unsafe` blocks are not supported in a differentiated function: move the unsafe code out",
        );
    }
    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        self.err(
            a.async_token,
            "`async` blocks are not supported in a differentiated function",
        );
    }
    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        self.err(
            a.await_token,
            "`.await` is not supported in a differentiated function",
        );
    }
    fn visit_expr_try(&mut self, t: &'ast syn::ExprTry) {
        self.err(
            t.question_token,
            "the `?` operator is not supported in a differentiated function: handle the error before calling it",
        );
    }
    fn visit_expr_macro(&mut self, m: &'ast syn::ExprMacro) {
        self.err(
            &m.mac,
            "macros are not supported in a differentiated function: move the macro call to the caller",
        );
    }
    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        if self.inactive {
            syn::visit::visit_expr_if(self, e);
        } else {
            self.err(
                e.if_token,
                "`if` on active values is not supported yet: use `max`, `min`, `abs` or `clamp`",
            );
        }
    }
    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        if self.inactive {
            syn::visit::visit_expr_match(self, e);
        } else {
            self.err(
                e.match_token,
                "`match` on active values is not supported yet",
            );
        }
    }
    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.err(
            l,
            "`let` inside a branch or block is not supported yet: bind the value before it",
        );
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.err(
            e.for_token,
            "`for` loops are not supported yet in a differentiated function",
        );
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.err(
            e.while_token,
            "`while` loops are not supported yet in a differentiated function",
        );
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.err(
            e.loop_token,
            "`loop` is not supported yet in a differentiated function",
        );
    }
    fn visit_expr_block(&mut self, e: &'ast syn::ExprBlock) {
        if self.inactive && e.label.is_none() {
            syn::visit::visit_expr_block(self, e);
        } else {
            self.err(e, "this block is not supported here");
        }
    }
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.err(
            e,
            "assignments inside expressions are not supported: write them as statements",
        );
    }
    fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
        self.err(
            e,
            "an early `return` is not supported yet: return the result at the end of the function",
        );
    }
    fn visit_expr_break(&mut self, e: &'ast syn::ExprBreak) {
        self.err(
            e,
            "`break` is not supported yet in a differentiated function",
        );
    }
    fn visit_expr_continue(&mut self, e: &'ast syn::ExprContinue) {
        self.err(
            e,
            "`continue` is not supported yet in a differentiated function",
        );
    }
    fn visit_expr_yield(&mut self, e: &'ast syn::ExprYield) {
        self.err(e, "`yield` is not supported in a differentiated function");
    }
    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.err(
            e,
            "`let` expressions are not supported in a differentiated function",
        );
    }
}

/// Renames the local names an inactive expression reads to their current
/// versions (`x` -> `x_2` after two reassignments).
struct Renamer<'a, 'b> {
    lw: &'a Lowerer<'b>,
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if let Some(v) = self.lw.local_of(p) {
            let mut ident = self.lw.prog.name(v).clone();
            if let Some(old) = p.path.get_ident() {
                ident.set_span(old.span());
            }
            p.path = syn::Path::from(ident);
        }
    }
}
