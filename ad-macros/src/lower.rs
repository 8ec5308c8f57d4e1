//! Function body -> IR in A-normal form (one primitive per statement).
//!
//! Expressions that read no active value are kept verbatim as constants
//! (`Expr::Opaque`), with the local names they mention renamed; only
//! expressions on active values are broken into primitives. Anything outside
//! the supported subset is reported with what to write instead, and lowering
//! goes on so that every mistake is reported in one build.

use crate::error::Errors;
use crate::ir::{
    AssignOp, BinOp, Body, CallStyle, Expr, Func, Header, LaOp, Names, Operand, Place, Program,
    Stmt, VarId, VarKind,
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
    "len",
    "is_empty",
    "nrows",
    "ncols",
    "shape",
];

/// nalgebra methods with rules in `ad_runtime::la`: name, runtime module,
/// which arguments (receiver first) carry a derivative.
const LA_METHODS: &[(&str, &str, &[bool])] = &[
    ("transpose", "la::transpose", &[true]),
    ("sum", "la::sum", &[true]),
    ("mean", "la::mean", &[true]),
    ("norm", "la::norm", &[true]),
    ("norm_squared", "la::norm_squared", &[true]),
    ("dot", "la::dot", &[true, true]),
    ("component_mul", "la::component_mul", &[true, true]),
    ("component_div", "la::component_div", &[true, true]),
    ("add_scalar", "la::add_scalar", &[true, true]),
    ("column", "la::column", &[true, false]),
    ("row", "la::row", &[true, false]),
];

/// `m.map(f)`: the receiver, then `f` and its two derivatives (closures).
const MAP: LaOp = LaOp {
    module: "la::map",
    active_args: &[true, false, false, false],
};

/// The `la`/`nn` operation with rules in `module`, for rules that need to
/// know which arguments carry no derivative (the closures of `map`, indices).
pub fn la_op(module: &str) -> Option<LaOp> {
    if module == MAP.module {
        return Some(MAP);
    }
    LA_METHODS
        .iter()
        .find(|(_, m, _)| *m == module)
        .map(|&(_, module, active_args)| LaOp {
            module,
            active_args,
        })
}

/// Functions of `ad::nn` with rules, called as `nn::softmax(&z)`.
const NN_FUNCTIONS: &[(&str, &str)] = &[
    ("sigmoid", "nn::sigmoid"),
    ("tanh", "nn::tanh"),
    ("relu", "nn::relu"),
    ("softmax", "nn::softmax"),
    ("log_softmax", "nn::log_softmax"),
    ("logsumexp", "nn::logsumexp"),
];

fn la_method(name: &str) -> Option<LaOp> {
    LA_METHODS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, module, active_args)| LaOp {
            module,
            active_args,
        })
}

fn la_methods() -> String {
    LA_METHODS
        .iter()
        .map(|(n, ..)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

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

/// The rest of enclosing blocks, to lower at the fall-through points of a
/// statement that may leave its block early (`if c { return x; } rest`
/// becomes `if c { ret = x } else { rest }`), with the scopes it sees.
struct Cont<'a> {
    stmts: &'a [syn::Stmt],
    scopes: Vec<HashMap<String, Binding>>,
    next: Option<&'a Cont<'a>>,
}

impl Clone for Binding {
    fn clone(&self) -> Binding {
        Binding {
            var: self.var,
            mutable: self.mutable,
        }
    }
}

struct Lowerer<'e> {
    prog: Program,
    errors: &'e mut Errors,
    scopes: Vec<HashMap<String, Binding>>,
    /// Whether each variable depends on an active input (forward activity,
    /// maintained while lowering to decide what stays verbatim).
    varied: Vec<bool>,
    /// The user's name of each variable (for the slot hints).
    user_names: HashMap<VarId, String>,
    stmts: Vec<Stmt>,
    /// Nesting of the current statement in branches and loops.
    depth: usize,
    loop_depth: usize,
    /// Inside an `if` or block used as a value: no early exits.
    in_value: usize,
    /// Names reassigned inside a branch or loop: their bindings are slots.
    slot_names: &'e HashSet<String>,
    /// Slots and arrays known (from an earlier round) to become varied.
    hint: &'e HashSet<String>,
    /// Slots and arrays that became varied in this round.
    varied_names: HashSet<String>,
    /// The result slot, when the function has an early `return`.
    ret: Option<VarId>,
    /// Type parameters bounded by `Real` (`T::sin(x)` is a float function).
    reals: &'e HashSet<String>,
    /// Set by a `return` inside a loop, which then breaks out.
    returned: Option<VarId>,
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

/// Facts about the body found before lowering.
#[derive(Default)]
struct Prescan {
    /// Names assigned (`=`, `op=`) inside a branch or a loop.
    slot_names: HashSet<String>,
    has_return: bool,
    return_in_loop: bool,
}

impl<'ast> Visit<'ast> for PrescanVisitor<'_> {
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        self.target(&a.left);
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if is_compound_assign(&b.op) {
            self.target(&b.left);
        }
        syn::visit::visit_expr_binary(self, b);
    }
    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        self.facts.has_return = true;
        self.facts.return_in_loop |= self.loops > 0;
        syn::visit::visit_expr_return(self, r);
    }
    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        self.nested(false, |v| syn::visit::visit_expr_if(v, e));
    }
    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        self.nested(false, |v| syn::visit::visit_expr_match(v, e));
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.nested(true, |v| syn::visit::visit_expr_for_loop(v, e));
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.nested(true, |v| syn::visit::visit_expr_while(v, e));
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.nested(true, |v| syn::visit::visit_expr_loop(v, e));
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct PrescanVisitor<'a> {
    facts: &'a mut Prescan,
    compound: usize,
    loops: usize,
}

impl PrescanVisitor<'_> {
    /// Visits a branch or (`is_loop`) a loop body.
    fn nested(&mut self, is_loop: bool, f: impl FnOnce(&mut Self)) {
        self.compound += 1;
        self.loops += usize::from(is_loop);
        f(self);
        self.loops -= usize::from(is_loop);
        self.compound -= 1;
    }

    fn target(&mut self, left: &syn::Expr) {
        if self.compound == 0 {
            return;
        }
        if let syn::Expr::Path(p) = strip_parens(left) {
            if let Some(i) = p.path.get_ident() {
                self.facts.slot_names.insert(i.unraw().to_string());
            }
        }
    }
}

/// Whether a statement may leave its enclosing block early: a `return`, or a
/// `break`/`continue` of a loop outside it.
fn may_exit(stmt: &syn::Stmt) -> bool {
    struct Exits {
        loops: usize,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Exits {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.found = true;
        }
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.found |= self.loops == 0;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.found |= self.loops == 0;
        }
        fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
            self.loops += 1;
            syn::visit::visit_expr_for_loop(self, e);
            self.loops -= 1;
        }
        fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
            self.loops += 1;
            syn::visit::visit_expr_while(self, e);
            self.loops -= 1;
        }
        fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
            self.loops += 1;
            syn::visit::visit_expr_loop(self, e);
            self.loops -= 1;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut v = Exits {
        loops: 0,
        found: false,
    };
    v.visit_stmt(stmt);
    v.found
}

/// Lowers the body of the modelled function.
///
/// Whether a slot (a variable reassigned in a loop) is active can depend on
/// assignments that come after its reads, so lowering runs again with what
/// the previous round found until nothing changes.
pub fn lower(model: &Model, errors: &mut Errors) -> Program {
    let mut facts = Prescan::default();
    PrescanVisitor {
        facts: &mut facts,
        compound: 0,
        loops: 0,
    }
    .visit_block(&model.item.block);
    let mut hint = HashSet::new();
    for _round in 0..16 {
        let mut round_errors = Errors::default();
        let (prog, varied) = lower_round(model, &mut round_errors, &facts, &hint);
        if varied.is_subset(&hint) {
            errors.extend(round_errors);
            return prog;
        }
        hint.extend(varied);
    }
    let (prog, _) = lower_round(model, errors, &facts, &hint);
    prog
}

fn lower_round(
    model: &Model,
    errors: &mut Errors,
    facts: &Prescan,
    hint: &HashSet<String>,
) -> (Program, HashSet<String>) {
    let mut reserved = HashSet::new();
    collect_idents(model.item.to_token_stream(), &mut reserved);
    let mut lw = Lowerer {
        prog: Program {
            vars: Vec::new(),
            names: Names::new(reserved),
            body: Body::default(),
            active_params: Vec::new(),
            outputs: Vec::new(),
            matrix: model.matrix,
        },
        errors,
        scopes: vec![HashMap::new()],
        varied: Vec::new(),
        user_names: HashMap::new(),
        stmts: Vec::new(),
        depth: 0,
        loop_depth: 0,
        in_value: 0,
        slot_names: &facts.slot_names,
        hint,
        varied_names: HashSet::new(),
        ret: None,
        returned: None,
        reals: &model.reals,
    };
    for (i, p) in model.params.iter().enumerate() {
        let name = lw.prog.names.claim(&p.ident.to_string(), p.ident.span());
        let v = lw.new_var(name, VarKind::Param(i), p.active);
        lw.user_names.insert(v, p.ident.unraw().to_string());
        lw.prog.vars[v].array = p.array;
        lw.prog.vars[v].by_ref = p.matrix && matches!(p.ty, syn::Type::Reference(_));
        lw.prog.vars[v].scalar = crate::parse::float_of_in(&p.ty, &model.reals).is_some();
        lw.prog.vars[v].mutable = p.mutable;
        lw.prog.vars[v].slot = p.mutable && facts.slot_names.contains(&p.ident.unraw().to_string());
        if p.active {
            lw.prog.active_params.push(v);
        }
        if p.output {
            lw.prog.outputs.push(v);
        }
        lw.bind(&p.ident, v, p.mutable || p.output);
    }
    if facts.has_return {
        let name = lw.prog.names.fresh("ret", Span::call_site());
        let v = lw.new_var(name, VarKind::Temp, false);
        lw.prog.vars[v].slot = true;
        lw.stmts.push(Stmt::Let {
            var: v,
            ty: Some(Box::new(model.ret.clone())),
            expr: default_value(),
            span: Span::call_site(),
        });
        lw.ret = Some(v);
        if facts.return_in_loop {
            let name = lw.prog.names.fresh("returned", Span::call_site());
            let f = lw.new_var(name, VarKind::Temp, false);
            lw.prog.vars[f].slot = true;
            lw.stmts.push(Stmt::Let {
                var: f,
                ty: None,
                expr: Expr::constant(quote!(false)),
                span: Span::call_site(),
            });
            lw.returned = Some(f);
        }
    }
    let ret = lw.lower_fn_block(&model.item.block, model.has_output);
    let ret = match (ret, lw.ret) {
        (_, Some(slot)) => vec![Expr::var(slot)],
        (Some(op), None) => vec![Expr::Use(op)],
        (None, None) => vec![],
    };
    lw.prog.body = Body {
        stmts: lw.stmts,
        ret,
    };
    (lw.prog, lw.varied_names)
}

fn default_value() -> Expr {
    Expr::Fresh {
        stack: false,
        words: false,
    }
}

impl Lowerer<'_> {
    fn new_var(&mut self, name: syn::Ident, kind: VarKind, varied: bool) -> VarId {
        let v = self.prog.new_var(name, kind);
        self.varied.push(varied);
        v
    }

    fn bind(&mut self, ident: &syn::Ident, var: VarId, mutable: bool) {
        let key = ident.unraw().to_string();
        self.user_names.insert(var, key.clone());
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

    /// Whether a variable depends on an active input. Slots and arrays may
    /// become varied later in a loop: the hint says so from the last round.
    fn var_varied(&self, v: VarId) -> bool {
        self.varied[v]
            || ((self.prog.vars[v].slot || self.prog.vars[v].array)
                && self
                    .user_names
                    .get(&v)
                    .is_some_and(|n| self.hint.contains(n)))
    }

    fn is_varied(&self, op: &Operand) -> bool {
        match op {
            Operand::Var(v) => self.var_varied(*v),
            Operand::Const(_) => false,
        }
    }

    /// Records that a slot or array receives a varied value.
    fn mark_varied(&mut self, v: VarId) {
        self.varied[v] = true;
        if let Some(n) = self.user_names.get(&v) {
            self.varied_names.insert(n.clone());
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

    /// A new slot initialised to `Default::default()`, for the value of an
    /// `if` or `match` expression.
    fn result_slot(&mut self) -> VarId {
        let name = self.prog.names.fresh("t", Span::call_site());
        let v = self.new_var(name, VarKind::Temp, false);
        self.prog.vars[v].slot = true;
        self.stmts.push(Stmt::Let {
            var: v,
            ty: None,
            expr: default_value(),
            span: Span::call_site(),
        });
        v
    }

    /// Placeholder after an error, so lowering can go on.
    fn poisoned(&self) -> Operand {
        Operand::Const(quote!(0.0))
    }

    /// Lowers a nested block of statements in its own scope and returns it.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        let outer = std::mem::take(&mut self.stmts);
        self.scopes.push(HashMap::new());
        self.depth += 1;
        f(self);
        self.depth -= 1;
        self.scopes.pop();
        std::mem::replace(&mut self.stmts, outer)
    }

    // ----- statements ------------------------------------------------------

    /// The body of the function: its tail expression is its result (or, with
    /// early returns, is assigned to the result slot like a `return`).
    fn lower_fn_block(&mut self, block: &syn::Block, has_output: bool) -> Option<Operand> {
        let stmts = &block.stmts;
        let (body, tail) = match stmts.last() {
            Some(syn::Stmt::Expr(e, None)) if has_output => (&stmts[..stmts.len() - 1], Some(e)),
            _ => (&stmts[..], None),
        };
        if let (Some(_), Some(tail)) = (self.ret, tail) {
            // The tail is one more return: lower it as the continuation.
            let tail_stmt = [syn::Stmt::Expr(
                syn::Expr::Return(syn::ExprReturn {
                    attrs: vec![],
                    return_token: Default::default(),
                    expr: Some(Box::new(tail.clone())),
                }),
                None,
            )];
            let all: Vec<syn::Stmt> = body.iter().cloned().chain(tail_stmt).collect();
            self.lower_stmts(&all, None);
            return None;
        }
        let diverges_at_end = matches!(body.last(), Some(syn::Stmt::Expr(syn::Expr::Return(_), _)));
        self.lower_stmts(body, None);
        match tail {
            Some(e) => Some(self.lower_expr(e)),
            None if has_output && !diverges_at_end && self.ret.is_none() => {
                self.errors.at(
                    block.brace_token.span.close(),
                    "a differentiated function must end with its result (an expression without `;`)",
                );
                Some(self.poisoned())
            }
            None => None,
        }
    }

    /// Lowers a sequence of statements; at its end (if control falls
    /// through), the continuation `k`.
    fn lower_stmts(&mut self, stmts: &[syn::Stmt], k: Option<&Cont>) {
        for (i, stmt) in stmts.iter().enumerate() {
            if let syn::Stmt::Expr(e, _) = stmt {
                match strip_parens(e) {
                    syn::Expr::Return(r) => {
                        self.lower_return(r);
                        return;
                    }
                    syn::Expr::Break(b) => {
                        self.lower_break(b);
                        return;
                    }
                    syn::Expr::Continue(c) => {
                        self.lower_continue(c);
                        return;
                    }
                    _ => {}
                }
            }
            if may_exit(stmt) {
                if self.in_value > 0 {
                    self.errors.spanned(
                        stmt,
                        "`return`, `break` and `continue` are not supported inside an `if` or a block used as a value: use an `if` statement",
                    );
                    return;
                }
                let rest = Cont {
                    stmts: &stmts[i + 1..],
                    scopes: self.scopes.clone(),
                    next: k,
                };
                self.lower_exiting(stmt, &rest);
                return;
            }
            self.lower_stmt(stmt);
        }
        if let Some(k) = k {
            self.lower_cont(k);
        }
    }

    fn lower_cont(&mut self, k: &Cont) {
        let saved = std::mem::replace(&mut self.scopes, k.scopes.clone());
        self.lower_stmts(k.stmts, k.next);
        self.scopes = saved;
    }

    /// A statement that may leave the block early, followed by `rest`.
    fn lower_exiting(&mut self, stmt: &syn::Stmt, rest: &Cont) {
        let e = match stmt {
            syn::Stmt::Expr(e, _) => strip_parens(e),
            _ => {
                self.lower_stmt(stmt);
                return self.lower_cont(rest);
            }
        };
        match e {
            syn::Expr::If(i) => self.lower_if_stmt(i, Some(rest)),
            syn::Expr::Match(m) => self.lower_match(m, None, Some(rest)),
            syn::Expr::Block(b) if b.label.is_none() => {
                let block = self.nested(|lw| lw.lower_stmts(&b.block.stmts, Some(rest)));
                // A plain block is inlined in its own scope: `if true`.
                self.stmts.push(Stmt::If {
                    cond: Expr::constant(quote!(true)),
                    then: block,
                    els: vec![],
                });
            }
            syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => {
                // A loop left by `return`: the flag says whether to go on.
                self.lower_stmt(stmt);
                let Some(flag) = self.returned else {
                    return self.lower_cont(rest);
                };
                let then = if self.loop_depth > 0 {
                    vec![Stmt::Break]
                } else {
                    vec![]
                };
                let els = self.nested(|lw| lw.lower_cont(rest));
                self.stmts.push(Stmt::If {
                    cond: Expr::var(flag),
                    then,
                    els,
                });
            }
            _ => {
                self.unsupported(e);
            }
        }
    }

    fn lower_return(&mut self, r: &syn::ExprReturn) {
        if self.in_value > 0 {
            self.errors.spanned(
                r,
                "`return` is not supported inside an `if` or a block used as a value: use an `if` statement",
            );
            return;
        }
        let Some(value) = &r.expr else {
            self.errors
                .spanned(r, "return the function's result: `return value;`");
            return;
        };
        let Some(slot) = self.ret else {
            self.errors
                .spanned(r, "`return` of a value in a function without an output");
            return;
        };
        self.assign_var(slot, value);
        if self.loop_depth > 0 {
            if let Some(flag) = self.returned {
                self.stmts.push(Stmt::Assign {
                    place: Place::Var(flag),
                    op: AssignOp::Set,
                    expr: Expr::constant(quote!(true)),
                    span: r.span(),
                });
            }
            self.stmts.push(Stmt::Break);
        }
    }

    fn lower_break(&mut self, b: &syn::ExprBreak) {
        if let Some(l) = &b.label {
            self.errors
                .spanned(l, "labelled `break` is not supported: use a flag");
        } else if let Some(e) = &b.expr {
            self.errors.spanned(e, "`break` with a value is not supported: assign the value to a variable, then `break`");
        } else if self.loop_depth == 0 {
            self.errors.spanned(b, "`break` outside of a loop");
        } else {
            self.stmts.push(Stmt::Break);
        }
    }

    fn lower_continue(&mut self, c: &syn::ExprContinue) {
        if let Some(l) = &c.label {
            self.errors
                .spanned(l, "labelled `continue` is not supported: use a flag");
        } else if self.loop_depth == 0 {
            self.errors.spanned(c, "`continue` outside of a loop");
        } else {
            self.stmts.push(Stmt::Continue);
        }
    }

    fn lower_stmt(&mut self, stmt: &syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.lower_local(local),
            syn::Stmt::Item(item) => {
                if let syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Use(_) = item {
                    self.stmts
                        .push(Stmt::Opaque(item.to_token_stream(), vec![]));
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
            let (whole_tokens, reads) = self.operand_tokens(&whole);
            for (i, (name, ty)) in names.into_iter().zip(elem_tys).enumerate() {
                if let Some((ident, mutable)) = name {
                    let index = syn::Index::from(i);
                    let field = self.temp(
                        Expr::Opaque(quote!(#whole_tokens.#index), reads.clone()),
                        false,
                        init.span(),
                    );
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

    fn operand_tokens(&self, op: &Operand) -> (TokenStream, Vec<VarId>) {
        match op {
            Operand::Var(v) => (self.prog.name(*v).to_token_stream(), vec![*v]),
            Operand::Const(t) => (t.clone(), vec![]),
        }
    }

    /// Binds a user name to a value: a new variable. When the value is the
    /// temporary the last statement just computed, that statement is renamed
    /// instead of copied (`let y = x * 2.0;` stays one statement).
    fn bind_value(
        &mut self,
        ident: &syn::Ident,
        mutable: bool,
        ty: Option<syn::Type>,
        value: Operand,
        span: Span,
    ) {
        let key = ident.unraw().to_string();
        let slot = mutable && self.slot_names.contains(&key);
        if let Operand::Var(t) = value {
            if self.prog.vars[t].array
                && self.var_varied(t)
                && self.prog.vars[t].kind != VarKind::Temp
            {
                self.errors.at(
                    span,
                    "copying or moving an active array is not supported: index it (`x[i]`), or return it at the end",
                );
            }
            if let Some(Stmt::Let {
                var, ty: let_ty, ..
            }) = self.stmts.last_mut()
            {
                if *var == t && self.prog.vars[t].kind == VarKind::Temp && !self.prog.vars[t].slot {
                    *let_ty = ty.map(Box::new);
                    self.prog.names.release(&self.prog.vars[t].name);
                    self.prog.vars[t].name =
                        self.prog.names.claim(&ident.to_string(), ident.span());
                    self.prog.vars[t].kind = VarKind::Local;
                    self.prog.vars[t].mutable = mutable;
                    self.prog.vars[t].slot = slot;
                    self.bind(ident, t, mutable);
                    return;
                }
            }
        }
        let varied = self.is_varied(&value);
        let array = matches!(value, Operand::Var(t) if self.prog.vars[t].array);
        let name = self.prog.names.claim(&ident.to_string(), ident.span());
        let v = self.new_var(name, VarKind::Local, varied);
        self.prog.vars[v].mutable = mutable;
        self.prog.vars[v].slot = slot;
        self.prog.vars[v].array = array;
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
            syn::Expr::Binary(b) if is_compound_assign(&b.op) => {
                let op = match b.op {
                    syn::BinOp::AddAssign(_) => Some(BinOp::Add),
                    syn::BinOp::SubAssign(_) => Some(BinOp::Sub),
                    syn::BinOp::MulAssign(_) => Some(BinOp::Mul),
                    syn::BinOp::DivAssign(_) => Some(BinOp::Div),
                    _ => None,
                };
                match op {
                    Some(op) => self.lower_assign(&b.left, Some((op, b.op.span())), &b.right),
                    None => self.errors.spanned(
                        b.op,
                        "only `+=`, `-=`, `*=` and `/=` are supported as compound assignments",
                    ),
                }
            }
            syn::Expr::Macro(m) => self.macro_error(&m.mac),
            syn::Expr::If(i) => self.lower_if_stmt(i, None),
            syn::Expr::Match(m) => self.lower_match(m, None, None),
            syn::Expr::ForLoop(f) => self.lower_for(f),
            syn::Expr::While(w) => self.lower_while(w),
            syn::Expr::Loop(l) => self.lower_loop(l),
            syn::Expr::Block(b) if b.label.is_none() => {
                let block = self.nested(|lw| lw.lower_stmts(&b.block.stmts, None));
                self.stmts.extend(block);
            }
            _ => self.lower_effect(e),
        }
    }

    /// An expression statement kept for its effect.
    fn lower_effect(&mut self, e: &syn::Expr) {
        if self.mentions_varied(e) {
            // Evaluate it (errors included); its value is not used.
            self.lower_expr(e);
        } else if let Some((tokens, reads)) = self.opaque_tokens(e) {
            self.stmts.push(Stmt::Opaque(quote!(#tokens;), reads));
        }
    }

    /// `x = e`, `x op= e`, `a[i] = e`, `a[i] op= e`.
    fn lower_assign(&mut self, left: &syn::Expr, op: Option<(BinOp, Span)>, right: &syn::Expr) {
        let span = op.map_or_else(|| right.span(), |(_, s)| s);
        match strip_parens(left) {
            syn::Expr::Index(ix) => return self.lower_element_assign(ix, op, right, span),
            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {}
            _ => {
                self.errors.spanned(
                    left,
                    "only local variables and array elements (`a[i]`) can be assigned in a differentiated function",
                );
                return;
            }
        }
        let syn::Expr::Path(p) = strip_parens(left) else {
            return;
        };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let Some((old, mutable)) = self
            .lookup(&ident.unraw().to_string())
            .map(|b| (b.var, b.mutable))
        else {
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
        if self.prog.vars[old].array {
            self.errors.spanned(
                left,
                "assigning a whole array is not supported: write its elements (`a[i] = ...`)",
            );
            return;
        }
        if self.prog.vars[old].slot {
            // Overwritten in place.
            let rhs = self.lower_expr(right);
            let varied = self.var_varied(old) || self.is_varied(&rhs);
            let (op, expr) = match op {
                None => (AssignOp::Set, Expr::Use(rhs)),
                Some((BinOp::Add, _)) => (AssignOp::Add, Expr::Use(rhs)),
                Some((BinOp::Sub, _)) => (AssignOp::Sub, Expr::Use(rhs)),
                Some((op, _)) => (
                    AssignOp::Set,
                    Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                ),
            };
            let expr = if op == AssignOp::Set {
                self.fold_last_temp(expr)
            } else {
                expr
            };
            if varied && self.is_varied_expr(&expr) {
                self.mark_varied(old);
            }
            self.stmts.push(Stmt::Assign {
                place: Place::Var(old),
                op,
                expr,
                span,
            });
            return;
        }
        // Straight-line code: a new version.
        let value = match op {
            None => self.lower_expr(right),
            Some((op, span)) => {
                let rhs = self.lower_expr(right);
                let varied = self.var_varied(old) || self.is_varied(&rhs);
                if varied {
                    self.temp(
                        Expr::Bin(op, Box::new(Expr::var(old)), Box::new(Expr::Use(rhs))),
                        true,
                        span,
                    )
                } else {
                    let l = self.prog.name(old).clone();
                    let (r, mut reads) = self.operand_tokens(&rhs);
                    reads.push(old);
                    let o = bin_tokens(op);
                    self.temp(Expr::Opaque(quote!(#l #o #r), reads), false, span)
                }
            }
        };
        self.bind_value(ident, true, None, value, right.span());
    }

    fn is_varied_expr(&self, e: &Expr) -> bool {
        let mut any = false;
        if let Expr::Opaque(..) = e {
            return false;
        }
        e.for_each_var(&mut |v| any |= self.var_varied(v));
        any
    }

    /// `Use(t)` of the temporary the last statement computed: that statement's
    /// expression instead (so `s = a * b` is one statement, not two).
    fn fold_last_temp(&mut self, expr: Expr) -> Expr {
        if let Some(t) = expr.as_var() {
            if let Some(Stmt::Let { var, expr: e, .. }) = self.stmts.last() {
                // A call stays a `let`: its derivatives come as a pair.
                let call = matches!(e, Expr::Call2 { .. });
                if *var == t
                    && self.prog.vars[t].kind == VarKind::Temp
                    && !self.prog.vars[t].slot
                    && !call
                {
                    let e = e.clone();
                    self.stmts.pop();
                    return e;
                }
            }
        }
        expr
    }

    fn lower_element_assign(
        &mut self,
        ix: &syn::ExprIndex,
        op: Option<(BinOp, Span)>,
        right: &syn::Expr,
        span: Span,
    ) {
        // With nalgebra values, a `let mut` local written by element is a
        // vector or matrix used as an array from here on.
        let matrix = self.prog.matrix;
        let arr = match strip_parens(&ix.expr) {
            syn::Expr::Path(p) => self.local_of(p).filter(|v| {
                let var = &self.prog.vars[*v];
                var.array || (matrix && var.mutable && !matches!(var.kind, VarKind::Param(_)))
            }),
            _ => None,
        };
        let Some(arr) = arr else {
            self.errors.spanned(
                &ix.expr,
                "element writes are supported on local arrays, `let mut` nalgebra locals and \
                 `&mut [f64]` parameters (`a[i] = ...`)",
            );
            return;
        };
        self.prog.vars[arr].array = true;
        let index = self.lower_index(&ix.index);
        let rhs = self.lower_expr(right);
        let place = Place::Index(arr, index);
        let (op, expr) = match op {
            None => (AssignOp::Set, Expr::Use(rhs)),
            Some((BinOp::Add, _)) => (AssignOp::Add, Expr::Use(rhs)),
            Some((BinOp::Sub, _)) => (AssignOp::Sub, Expr::Use(rhs)),
            Some((op, span)) => {
                let old = self.temp(place.read(), self.var_varied(arr), span);
                (
                    AssignOp::Set,
                    Expr::Bin(op, Box::new(Expr::Use(old)), Box::new(Expr::Use(rhs))),
                )
            }
        };
        // `a[i] += f(x)` keeps `f(x)` in a temporary: its rule needs its own
        // output, not the element's.
        let expr = if op == AssignOp::Set {
            self.fold_last_temp(expr)
        } else {
            expr
        };
        if self.is_varied_expr(&expr) {
            self.mark_varied(arr);
        }
        self.stmts.push(Stmt::Assign {
            place,
            op,
            expr,
            span,
        });
    }

    /// An index: inactive by construction.
    fn lower_index(&mut self, e: &syn::Expr) -> Expr {
        if self.mentions_varied(e) {
            self.errors
                .spanned(e, "an index cannot depend on active values");
            return Expr::constant(quote!(0));
        }
        Expr::Use(self.opaque(e))
    }

    /// `x = value` for a slot, lowering `value`.
    fn assign_var(&mut self, slot: VarId, value: &syn::Expr) {
        let rhs = self.lower_expr(value);
        let expr = self.fold_last_temp(Expr::Use(rhs));
        if self.is_varied_expr(&expr) {
            self.mark_varied(slot);
        }
        self.stmts.push(Stmt::Assign {
            place: Place::Var(slot),
            op: AssignOp::Set,
            expr,
            span: value.span(),
        });
    }

    // ----- control flow ----------------------------------------------------

    /// A condition: a `bool`, never active.
    fn lower_condition(&mut self, e: &syn::Expr) -> Expr {
        if let syn::Expr::Let(l) = strip_parens(e) {
            self.errors.spanned(
                l,
                "`if let` and `while let` are not supported: compare values instead",
            );
            return Expr::constant(quote!(false));
        }
        match self.opaque_tokens(e) {
            Some((tokens, reads)) => {
                Expr::Use(self.temp(Expr::Opaque(tokens, reads), false, e.span()))
            }
            None => Expr::constant(quote!(false)),
        }
    }

    /// `if` as a statement; with `k`, the rest of the block goes to the
    /// branches that fall through.
    fn lower_if_stmt(&mut self, i: &syn::ExprIf, k: Option<&Cont>) {
        let cond = self.lower_condition(&i.cond);
        let then = self.nested(|lw| lw.lower_stmts(&i.then_branch.stmts, k));
        let els = match &i.else_branch {
            None => match k {
                Some(k) => self.nested(|lw| lw.lower_cont(k)),
                None => vec![],
            },
            Some((_, e)) => match strip_parens(e) {
                syn::Expr::If(inner) => self.nested(|lw| lw.lower_if_stmt(inner, k)),
                syn::Expr::Block(b) => self.nested(|lw| lw.lower_stmts(&b.block.stmts, k)),
                other => {
                    self.unsupported(other);
                    vec![]
                }
            },
        };
        self.stmts.push(Stmt::If { cond, then, els });
    }

    /// `if` as a value: a slot assigned in each branch.
    fn lower_if_value(&mut self, i: &syn::ExprIf) -> Operand {
        let slot = self.result_slot();
        let cond = self.lower_condition(&i.cond);
        self.in_value += 1;
        let then = self.nested(|lw| lw.lower_value_block(&i.then_branch, slot));
        let els = match &i.else_branch {
            None => {
                self.errors
                    .spanned(i, "an `if` used as a value needs an `else`");
                vec![]
            }
            Some((_, e)) => self.nested(|lw| lw.assign_var(slot, e)),
        };
        self.in_value -= 1;
        self.stmts.push(Stmt::If { cond, then, els });
        Operand::Var(slot)
    }

    /// The statements of a block, then its tail assigned to `slot`.
    fn lower_value_block(&mut self, block: &syn::Block, slot: VarId) {
        match block.stmts.split_last() {
            Some((syn::Stmt::Expr(tail, None), body)) => {
                self.lower_stmts(body, None);
                self.assign_var(slot, tail);
            }
            _ => self.errors.at(
                block.brace_token.span.close(),
                "this block must end with its value (an expression without `;`)",
            ),
        }
    }

    /// `match` on an inactive value: a chain of `if matches!(..)`; as a value
    /// when `slot` is given.
    fn lower_match(&mut self, m: &syn::ExprMatch, slot: Option<VarId>, k: Option<&Cont>) {
        if self.mentions_varied(&m.expr) {
            self.errors.spanned(
                &m.expr,
                "`match` on an active value is not supported: compare it in an `if`",
            );
            return;
        }
        let scrutinee = match self.opaque_tokens(&m.expr) {
            Some((tokens, reads)) => self.temp(Expr::Opaque(tokens, reads), false, m.expr.span()),
            None => return,
        };
        for arm in &m.arms {
            let mut finder = Bindings { found: None };
            finder.visit_pat(&arm.pat);
            if let Some(b) = finder.found {
                self.errors.spanned(
                    b,
                    "patterns that bind names are not supported in `match`: match literals, ranges, `|` and `_`",
                );
                return;
            }
        }
        let (s_tokens, s_reads) = self.operand_tokens(&scrutinee);
        self.lower_arms(&m.arms, &s_tokens, &s_reads, slot, k);
    }

    fn lower_arms(
        &mut self,
        arms: &[syn::Arm],
        scrutinee: &TokenStream,
        reads: &[VarId],
        slot: Option<VarId>,
        k: Option<&Cont>,
    ) {
        let Some((arm, rest)) = arms.split_first() else {
            // No arm matched: unreachable for an exhaustive match.
            self.stmts.push(Stmt::Opaque(
                quote!(::core::unreachable!("no arm of the match applies");),
                vec![],
            ));
            return;
        };
        let pat = &arm.pat;
        let catch_all = matches!(pat, syn::Pat::Wild(_)) && arm.guard.is_none();
        let body = |lw: &mut Self| match slot {
            Some(slot) => lw.assign_var(slot, &arm.body),
            None => {
                let stmt = syn::Stmt::Expr((*arm.body).clone(), Some(Default::default()));
                lw.lower_stmts(std::slice::from_ref(&stmt), k);
            }
        };
        if catch_all {
            let block = self.nested(body);
            self.stmts.extend(block);
            return;
        }
        let guard = arm.guard.as_ref().map(|(i, g)| quote!(#i #g));
        let mut reads = reads.to_vec();
        let guard_tokens = match &arm.guard {
            Some((_, g)) => match self.opaque_tokens(g) {
                Some((t, r)) => {
                    reads.extend(r);
                    let i = &arm.guard.as_ref().map(|(i, _)| *i);
                    Some(quote!(#i #t))
                }
                None => guard,
            },
            None => None,
        };
        let cond = self.temp(
            Expr::Opaque(
                quote!(::core::matches!(#scrutinee, #pat #guard_tokens)),
                reads.clone(),
            ),
            false,
            arm.pat.span(),
        );
        let then = self.nested(body);
        let els = self.nested(|lw| lw.lower_arms(rest, scrutinee, &reads, slot, k));
        self.stmts.push(Stmt::If {
            cond: Expr::Use(cond),
            then,
            els,
        });
    }

    fn loop_body(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        let saved_value = std::mem::take(&mut self.in_value);
        self.loop_depth += 1;
        let body = self.nested(f);
        self.loop_depth -= 1;
        self.in_value = saved_value;
        body
    }

    fn check_label(&mut self, label: &Option<syn::Label>) {
        if let Some(l) = label {
            self.errors
                .spanned(&l.name, "loop labels are not supported: use a flag");
        }
    }

    fn lower_for(&mut self, f: &syn::ExprForLoop) {
        self.check_label(&f.label);
        if self.mentions_varied(&f.expr) {
            self.errors.spanned(
                &f.expr,
                "a `for` loop cannot iterate over active values: iterate over indices (`for i in 0..x.len()`) and read `x[i]`",
            );
            return;
        }
        let Some((iter, reads)) = self.opaque_tokens(&f.expr) else {
            return;
        };
        let ident = match &*f.pat {
            syn::Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                Some(pi.ident.clone())
            }
            syn::Pat::Wild(_) => None,
            other => {
                self.errors
                    .spanned(other, "bind the loop variable to a name or `_`");
                return;
            }
        };
        let mut var = None;
        let body = self.loop_body(|lw| {
            if let Some(ident) = &ident {
                let name = lw.prog.names.claim(&ident.to_string(), ident.span());
                let v = lw.new_var(name, VarKind::Local, false);
                lw.bind(ident, v, false);
                var = Some(v);
            }
            lw.lower_stmts(&f.body.stmts, None);
        });
        self.stmts.push(Stmt::Loop {
            header: Header::For { var, iter, reads },
            body,
        });
    }

    fn lower_while(&mut self, w: &syn::ExprWhile) {
        self.check_label(&w.label);
        let body = self.loop_body(|lw| {
            let cond = lw.lower_condition(&w.cond);
            let then = lw.nested(|lw| lw.lower_stmts(&w.body.stmts, None));
            lw.stmts.push(Stmt::If {
                cond,
                then,
                els: vec![Stmt::Break],
            });
        });
        self.stmts.push(Stmt::Loop {
            header: Header::Infinite,
            body,
        });
    }

    fn lower_loop(&mut self, l: &syn::ExprLoop) {
        self.check_label(&l.label);
        let body = self.loop_body(|lw| lw.lower_stmts(&l.body.stmts, None));
        self.stmts.push(Stmt::Loop {
            header: Header::Infinite,
            body,
        });
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
                "macros are not supported in a differentiated function (`{name}!`), except `vec!`: \
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
                    self.found |= self.lw.var_varied(v);
                }
            }
            // `x.len()`, `x.floor()`, `x as usize`: no derivative flows out.
            fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
                if !NON_DIFFERENTIABLE.contains(&m.method.to_string().as_str()) {
                    syn::visit::visit_expr_method_call(self, m);
                }
            }
            fn visit_expr_cast(&mut self, c: &'ast syn::ExprCast) {
                if crate::parse::float_of_in(&c.ty, self.lw.reals).is_some() {
                    syn::visit::visit_expr_cast(self, c);
                }
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                let mut idents = HashSet::new();
                collect_idents(m.tokens.clone(), &mut idents);
                for i in idents {
                    if let Some(b) = self.lw.lookup(&i) {
                        self.found |= self.lw.var_varied(b.var);
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
    /// their current versions, and the variables it reads; `None` (with
    /// errors) if it has unsupported constructs.
    fn opaque_tokens(&mut self, e: &syn::Expr) -> Option<(TokenStream, Vec<VarId>)> {
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
        let mut renamer = Renamer {
            lw: self,
            reads: Vec::new(),
            param: None,
            active: Vec::new(),
        };
        renamer.visit_expr_mut(&mut e);
        let reads = renamer.reads;
        Some((e.to_token_stream(), reads))
    }

    /// An inactive expression as an operand.
    fn opaque(&mut self, e: &syn::Expr) -> Operand {
        match strip_parens(e) {
            syn::Expr::Lit(l) => return Operand::Const(l.to_token_stream()),
            syn::Expr::Path(p) => {
                if let Some(v) = self.local_of(p) {
                    return Operand::Var(v);
                }
                if let Some((tokens, _)) = self.opaque_tokens(e) {
                    return Operand::Const(tokens);
                }
                return self.poisoned();
            }
            _ => {}
        }
        match self.opaque_tokens(e) {
            Some((tokens, reads)) => self.temp(Expr::Opaque(tokens, reads), false, e.span()),
            None => self.poisoned(),
        }
    }

    fn lower_expr(&mut self, e: &syn::Expr) -> Operand {
        if !self.mentions_varied(e) {
            match strip_parens(e) {
                // Arrays are built structurally even from constants: their
                // elements may be written with active values later.
                syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => return self.lower_vec(m),
                syn::Expr::Array(_) | syn::Expr::Repeat(_) => {}
                _ => return self.opaque(e),
            }
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
            // `&a * &b` on nalgebra values: the derivative code borrows
            // operands itself.
            syn::Expr::Reference(r) if r.mutability.is_none() => self.lower_expr(&r.expr),
            syn::Expr::Binary(b) => self.lower_binary(b),
            syn::Expr::MethodCall(mc) => self.lower_method(mc),
            syn::Expr::Call(c) => self.lower_call(c),
            syn::Expr::Cast(c) => {
                if crate::parse::float_of_in(&c.ty, self.reals).is_some() {
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
            syn::Expr::Index(ix) => {
                // With nalgebra values, any variable may be a vector or a
                // matrix read by element (`v[i]`, `m[(i, j)]`).
                let matrix = self.prog.matrix;
                let arr = match strip_parens(&ix.expr) {
                    syn::Expr::Path(p) => self
                        .local_of(p)
                        .filter(|v| matrix || self.prog.vars[*v].array),
                    // `(a * b)[0]`: an element of a computed value.
                    base if matrix => match self.lower_expr(base) {
                        Operand::Var(v) => Some(v),
                        Operand::Const(_) => None,
                    },
                    _ => None,
                };
                let Some(arr) = arr else {
                    self.errors.spanned(
                        &ix.expr,
                        "indexing is supported on array parameters and locals (`&[f64]`, `[f64; N]`, `Vec<f64>`) and on nalgebra values",
                    );
                    return self.poisoned();
                };
                let index = self.lower_index(&ix.index);
                self.temp(
                    Expr::Index(arr, Box::new(index)),
                    true,
                    ix.bracket_token.span.join(),
                )
            }
            syn::Expr::Block(b) if b.label.is_none() => self.lower_block_expr(&b.block),
            syn::Expr::If(i) => self.lower_if_value(i),
            syn::Expr::Match(m) => {
                let slot = self.result_slot();
                self.in_value += 1;
                self.lower_match(m, Some(slot), None);
                self.in_value -= 1;
                Operand::Var(slot)
            }
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => self.lower_vec(m),
            syn::Expr::Array(a) => {
                let elems = a
                    .elems
                    .iter()
                    .map(|e| Expr::Use(self.lower_expr(e)))
                    .collect();
                self.array_temp(Expr::List { vec: false, elems }, a.span())
            }
            syn::Expr::Repeat(r) => {
                let elem = self.lower_expr(&r.expr);
                let len = r.len.to_token_stream();
                self.array_temp(
                    Expr::Repeat {
                        vec: false,
                        elem: Box::new(Expr::Use(elem)),
                        len,
                    },
                    r.span(),
                )
            }
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

    /// A new array temporary.
    fn array_temp(&mut self, expr: Expr, span: Span) -> Operand {
        let varied = self.is_varied_expr(&expr);
        let op = self.temp(expr, varied, span);
        if let Operand::Var(v) = op {
            self.prog.vars[v].array = true;
        }
        op
    }

    /// `vec![a; n]` and `vec![a, b, ..]`.
    fn lower_vec(&mut self, m: &syn::ExprMacro) -> Operand {
        let tokens = m.mac.tokens.clone();
        let repeat = syn::parse::Parser::parse2(
            |input: syn::parse::ParseStream| {
                let elem: syn::Expr = input.parse()?;
                input.parse::<syn::Token![;]>()?;
                let len: syn::Expr = input.parse()?;
                Ok((elem, len))
            },
            tokens.clone(),
        );
        if let Ok((elem, len)) = repeat {
            if self.mentions_varied(&len) {
                self.errors.spanned(
                    &len,
                    "the length of a `vec!` cannot depend on active values",
                );
                return self.poisoned();
            }
            let elem = self.lower_expr(&elem);
            let Some((len, _)) = self.opaque_tokens(&len) else {
                return self.poisoned();
            };
            return self.array_temp(
                Expr::Repeat {
                    vec: true,
                    elem: Box::new(Expr::Use(elem)),
                    len,
                },
                m.span(),
            );
        }
        let list = syn::parse::Parser::parse2(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            tokens,
        );
        match list {
            Ok(elems) => {
                let elems = elems
                    .iter()
                    .map(|e| Expr::Use(self.lower_expr(e)))
                    .collect();
                self.array_temp(Expr::List { vec: true, elems }, m.span())
            }
            Err(e) => {
                self.errors.push(e);
                self.poisoned()
            }
        }
    }

    fn lower_block_expr(&mut self, block: &syn::Block) -> Operand {
        let slot = self.result_slot();
        self.in_value += 1;
        let stmts = self.nested(|lw| lw.lower_value_block(block, slot));
        self.in_value -= 1;
        self.stmts.extend(stmts);
        Operand::Var(slot)
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
                    Some((tokens, reads)) => {
                        self.temp(Expr::Opaque(tokens, reads), false, b.span())
                    }
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
        let on_self =
            matches!(strip_parens(&mc.receiver), syn::Expr::Path(p) if p.path.is_ident("self"));
        if on_self && func(&name).is_none() {
            return self.lower_method_call(mc);
        }
        if name == "clone" && mc.args.is_empty() {
            // A copy: the derivative code copies what it needs itself.
            return self.lower_expr(&mc.receiver);
        }
        if name == "map" && self.prog.matrix {
            return self.lower_map(mc);
        }
        if let Some(op) = la_method(&name).filter(|_| self.prog.matrix) {
            let args: Vec<&syn::Expr> = std::iter::once(&*mc.receiver)
                .chain(mc.args.iter())
                .collect();
            return self.lower_la(op, &args, mc.method.span(), mc.span());
        }
        let Some(func) = func(&name) else {
            self.errors.spanned(
                &mc.method,
                format_args!(
                    "differentiation rule for method `{name}` is not implemented; the float \
                     methods with rules are: {}; the nalgebra methods with rules are: {}; a \
                     method of `self` must be differentiated (`#[differentiate]`) to be called \
                     with active arguments",
                    supported_methods(),
                    la_methods()
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
        if let syn::Expr::Path(p) = strip_parens(&c.func) {
            let segs = &p.path.segments;
            // `f64::sin(x)`, `f32::powf(x, y)`
            if p.qself.is_none() && segs.len() >= 2 {
                let last = &segs[segs.len() - 1];
                let owner = &segs[segs.len() - 2].ident;
                if owner == "f64" || owner == "f32" || self.reals.contains(&owner.to_string()) {
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
            // `DVector::from_element(n, x)` with an active `x` is
            // `DVector::from_element(n, 1.0) * x`.
            if p.qself.is_none()
                && segs.len() >= 2
                && self.prog.matrix
                && segs[segs.len() - 1].ident == "from_element"
                && !c.args.is_empty()
            {
                let mut ones = c.clone();
                let last = ones.args.len() - 1;
                ones.args[last] = syn::parse_quote!(1.0);
                let ones = self.opaque(&syn::Expr::Call(ones));
                let x = self.lower_expr(&c.args[c.args.len() - 1]);
                return self.temp(
                    Expr::Bin(
                        BinOp::Mul,
                        Box::new(Expr::Use(ones)),
                        Box::new(Expr::Use(x)),
                    ),
                    true,
                    c.span(),
                );
            }
            // `nn::softmax(&z)`, `ad::nn::softmax(&z)`
            if p.qself.is_none() && segs.len() >= 2 && segs[segs.len() - 2].ident == "nn" {
                let last = &segs[segs.len() - 1];
                let name = last.ident.to_string();
                if let Some(&(_, module)) = NN_FUNCTIONS.iter().find(|(n, _)| *n == name) {
                    let args: Vec<&syn::Expr> = c.args.iter().collect();
                    let op = LaOp {
                        module,
                        active_args: &[true],
                    };
                    return self.lower_la(op, &args, last.ident.span(), c.span());
                }
            }
            // A call of another differentiated function (or of this one).
            if p.qself.is_none() && self.local_of(p).is_none() {
                return self.lower_diff_call(c, &p.path);
            }
        }
        let local =
            matches!(strip_parens(&c.func), syn::Expr::Path(p) if self.local_of(p).is_some());
        if local {
            self.errors.spanned(
                &c.func,
                "a call through a variable (a closure, a function pointer or a `dyn Fn` trait \
                 object) cannot be differentiated: the macro cannot see its body; call a \
                 `#[differentiate]` function by its path (`g(x)`, `module::g(x)`)",
            );
        } else {
            self.errors.spanned(
                &c.func,
                "this call cannot be differentiated: call a function by its path (`g(x)`, `module::g(x)`)",
            );
        }
        self.poisoned()
    }

    /// `self.g(a, b)` with an active argument: `g` is a differentiated method.
    fn lower_method_call(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        if let Some(t) = &mc.turbofish {
            self.errors.spanned(
                t,
                "generic arguments in a differentiated call are not supported",
            );
            return self.poisoned();
        }
        let mut args = vec![Expr::constant(quote!(self))];
        for a in &mc.args {
            let op = if self.mentions_varied(a) {
                self.lower_expr(a)
            } else {
                self.opaque(a)
            };
            args.push(Expr::Use(op));
        }
        self.temp(
            Expr::Call2 {
                path: syn::Path::from(mc.method.clone()),
                args,
                method: true,
            },
            true,
            mc.span(),
        )
    }

    /// `g(a, b)` with an active argument: `g` must be differentiated (or have
    /// a custom rule); its derivatives are reached through hidden wrappers.
    fn lower_diff_call(&mut self, c: &syn::ExprCall, path: &syn::Path) -> Operand {
        if path.segments.iter().any(|s| !s.arguments.is_none()) {
            self.errors.spanned(
                path,
                "generic arguments in a differentiated call are not supported: call a non-generic function",
            );
            return self.poisoned();
        }
        let mut args = Vec::new();
        for a in &c.args {
            let op = if self.mentions_varied(a) {
                self.lower_expr(a)
            } else {
                self.opaque(a)
            };
            if let Operand::Var(v) = op {
                if self.prog.vars[v].array && self.var_varied(v) {
                    self.errors.spanned(
                        a,
                        "passing an active array to a call is not supported yet: pass its elements",
                    );
                }
            }
            args.push(Expr::Use(op));
        }
        self.temp(
            Expr::Call2 {
                path: path.clone(),
                args,
                method: false,
            },
            true,
            c.span(),
        )
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

    /// `m.map(|v| body)`: the body is scalar code, differentiated on its own
    /// (twice, for second order) into closures the rules of `la::map` call.
    fn lower_map(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        let closure = match mc.args.first().map(strip_parens) {
            Some(syn::Expr::Closure(c)) if mc.args.len() == 1 => c,
            _ => {
                self.errors.spanned(
                    &mc.args,
                    "`.map` on an active value takes a closure `|v| <scalar expression>`",
                );
                return self.poisoned();
            }
        };
        let param = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
            [syn::Pat::Ident(p)] => Some((p.ident.clone(), None)),
            [syn::Pat::Type(t)] => match &*t.pat {
                syn::Pat::Ident(p) => Some((p.ident.clone(), Some((*t.ty).clone()))),
                _ => None,
            },
            _ => None,
        };
        let Some((v, ty)) = param else {
            self.errors.spanned(
                &closure.inputs,
                "a `.map` closure takes one element by name: `|v| ...`",
            );
            return self.poisoned();
        };
        if closure.asyncness.is_some() || closure.constness.is_some() {
            self.errors
                .spanned(closure, "a `.map` closure must be a plain closure");
            return self.poisoned();
        }
        // Captured locals are data: renamed to their versions here, and
        // required to be inactive.
        let mut body = (*closure.body).clone();
        let mut renamer = Renamer {
            lw: self,
            reads: Vec::new(),
            param: Some(v.to_string()),
            active: Vec::new(),
        };
        renamer.visit_expr_mut(&mut body);
        let (reads, active) = (renamer.reads, renamer.active);
        for (span, name) in active {
            self.errors.at(
                span,
                format_args!(
                    "a `.map` closure may read only inactive values besides its element: `{name}` \
                     is active; pass it through an operator instead (`m * {name}`, \
                     `m.add_scalar({name})`)"
                ),
            );
        }
        let ty = ty.unwrap_or_else(|| syn::parse_quote!(f64));
        let item: syn::ItemFn = syn::parse_quote! {
            fn __ad_map(#v: #ty) -> #ty { #body }
        };
        let model =
            crate::parse::Model::from_syn(&item, &crate::parse::Options::default(), self.errors);
        let prog = lower(&model, self.errors);
        // fd(v, dv) = (f(v), f'(v) dv)
        let mut p1 = prog.clone();
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
        let f = quote!(|#v| #body);
        let fd = quote!(|#x, #dx| { #body1 });
        let fdd = quote!(|#x, #dx, #xt, #dxt| { #body2 });
        let recv = self.lower_expr(&mc.receiver);
        let args = vec![
            Expr::Use(recv),
            Expr::Opaque(f, reads.clone()),
            Expr::Opaque(fd, reads.clone()),
            Expr::Opaque(fdd, reads),
        ];
        self.temp(Expr::La(MAP, args), true, mc.span())
    }

    fn lower_la(&mut self, op: LaOp, args: &[&syn::Expr], name_span: Span, span: Span) -> Operand {
        if args.len() != op.active_args.len() {
            self.errors.at(
                name_span,
                format_args!(
                    "`{}` takes {} argument(s) besides the receiver",
                    op.module,
                    op.active_args.len() - 1
                ),
            );
            return self.poisoned();
        }
        let mut ops = Vec::new();
        for (a, &active) in args.iter().zip(op.active_args) {
            let x = self.lower_expr(a);
            if !active && self.is_varied(&x) {
                self.errors.spanned(
                    a,
                    format_args!(
                        "this argument of `{}` is an index: it cannot depend on active values",
                        op.module
                    ),
                );
            }
            ops.push(Expr::Use(x));
        }
        self.temp(Expr::La(op, ops), true, span)
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

/// Finds a name bound by a pattern.
struct Bindings {
    found: Option<syn::Ident>,
}

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.found.get_or_insert(p.ident.clone());
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
            "this `if` or `match` is not supported here: write it as a statement or as the value of a `let`"
        }
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => {
            "a loop inside an expression is not supported: write it as a statement"
        }
        syn::Expr::Index(_) => "indexing is supported on array variables (`x[i]`)",
        syn::Expr::Field(_) => "fields of active values are not supported yet: pass scalars",
        syn::Expr::Tuple(_) => {
            "tuples of active values are supported only in `let (a, b) = (.., ..);`"
        }
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => {
            "array literals are supported as values of `let` (`let v = [a, b];`)"
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
            "closures are not supported in a differentiated function (except the body of `.map` on a nalgebra value): write a separate function, or the expression inline",
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
                "an `if` inside an expression is not supported here: bind its value with `let` first",
            );
        }
    }
    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        if self.inactive {
            syn::visit::visit_expr_match(self, e);
        } else {
            self.err(
                e.match_token,
                "a `match` inside an expression is not supported here: bind its value with `let` first",
            );
        }
    }
    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.err(
            l,
            "`let` inside a block that reads no active value is not supported: bind the value before it",
        );
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.err(
            e.for_token,
            "a loop inside an expression is not supported: write it as a statement",
        );
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.err(
            e.while_token,
            "a loop inside an expression is not supported: write it as a statement",
        );
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.err(
            e.loop_token,
            "a loop inside an expression is not supported: write it as a statement",
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
            "`return` inside an expression is not supported: use an `if` statement",
        );
    }
    fn visit_expr_break(&mut self, e: &'ast syn::ExprBreak) {
        self.err(
            e,
            "`break` inside an expression is not supported: use an `if` statement",
        );
    }
    fn visit_expr_continue(&mut self, e: &'ast syn::ExprContinue) {
        self.err(
            e,
            "`continue` inside an expression is not supported: use an `if` statement",
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
/// Renames the locals an inactive expression reads to their current
/// versions, and notes them; for the body of a `.map` closure, leaves its
/// parameter alone and notes the active locals it captures.
struct Renamer<'a, 'b> {
    lw: &'a Lowerer<'b>,
    reads: Vec<VarId>,
    /// The closure's parameter, which is not a local of the function.
    param: Option<String>,
    /// Active locals read: `(span, name)`.
    active: Vec<(Span, String)>,
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if self.param.as_deref().is_some_and(|n| p.path.is_ident(n)) {
            return;
        }
        if let Some(v) = self.lw.local_of(p) {
            if self.lw.var_varied(v) {
                self.active
                    .push((p.span(), p.path.to_token_stream().to_string()));
            }
            if !self.reads.contains(&v) {
                self.reads.push(v);
            }
            let mut ident = self.lw.prog.name(v).clone();
            if let Some(old) = p.path.get_ident() {
                ident.set_span(old.span());
            }
            p.path = syn::Path::from(ident);
        }
    }
}
