//! Function body -> IR in A-normal form (one primitive per statement).
//!
//! Expressions that read no active value are kept verbatim as constants
//! (`Expr::Opaque`), with the local names they mention renamed; only
//! expressions on active values are broken into primitives. Anything outside
//! the supported subset is reported with what to write instead, and lowering
//! goes on so that every mistake is reported in one build.
//!
//! As `rustc_ast_lowering`, one `impl Lowerer` block per construct family:
//! this file has the shared state, the entry point and the bindings;
//! `stmt.rs` statements, `control.rs` branches and loops, `expr.rs`
//! expressions, `nested.rs` 2-D arrays, `structs.rs` fields of parameter
//! structs, `call.rs` calls, `rules.rs` the
//! tables of functions with rules, `unsupported.rs` what is rejected and how.

use crate::error::Errors;
use crate::fx::{HashMap, HashSet};
use crate::ir::{
    AssignOp, BinOp, Body, CallStyle, Expr, Func, Header, LaOp, MemberPath, Names, Operand, Place,
    Program, ScalarClosure, Stmt, VarId, VarKind,
};
use crate::parse::Model;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

mod assign;
mod bind;
mod call;
pub(crate) mod checkpoint;
mod control;
mod expr;
mod lend;
mod linalg;
mod macros;
mod methods;
mod nested;
mod rename;
mod rules;
mod stmt;
mod structs;
mod unsupported;

use macros::*;
use rename::*;
use rules::*;
pub use rules::{func, la_op, LA_SCALAR};
use structs::is_tuple_struct_name;
use unsupported::*;

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

/// A loop being lowered.
#[derive(Default)]
struct LoopFrame {
    /// Its label, without the `'`.
    label: Option<String>,
    /// For a `loop` used as a value: the slot `break v` assigns.
    slot: Option<VarId>,
    /// `in_value` around the loop: a loop inside an `if` used as a value
    /// cannot be left to a loop outside it.
    in_value: usize,
    /// Set by `break 'label` / `continue 'label` from a loop inside this one.
    brk: Option<VarId>,
    cont: Option<VarId>,
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
    /// The loops around the current statement, outermost first.
    frames: Vec<LoopFrame>,
    /// Inside an `if` or block used as a value: no early exits.
    in_value: usize,
    /// Names reassigned inside a branch or loop: their bindings are slots.
    slot_names: &'e HashSet<String>,
    /// Names grown with `push` or `extend_from_slice`: a `Vec::new()` bound
    /// to one is an array.
    push_names: &'e HashSet<String>,
    /// Fields read as 2-D arrays (`Prescan::nested_fields`).
    nested_fields: &'e HashSet<String>,
    /// The function returns a `Result` or an `Option` (reported with the
    /// signature: its `Ok(..)` is not reported again).
    wrapped_output: bool,
    /// Slots and arrays known (from an earlier round) to become varied.
    hint: &'e HashSet<String>,
    /// Slots and arrays that became varied in this round.
    varied_names: HashSet<String>,
    /// The result slot, when the function has an early `return`.
    ret: Option<VarId>,
    /// Type parameters bounded by `Real` (`T::sin(x)` is a float function).
    reals: &'e HashSet<String>,
    /// Variables holding the result of a call of a differentiated function:
    /// indexing one (`y[i]` for `let y = g(x)`) makes it an array.
    call_results: HashSet<VarId>,
    /// The copies of inactive arrays lent to the call whose arguments are
    /// being lowered (array, copy): one per array, whatever the number of
    /// arguments that lend it (see `lower_call_arg`).
    lent_copies: Vec<(VarId, VarId)>,
    /// The helpers' results lent whole to the value form whose call is
    /// being lowered: passed as `lend_whole(y)` (see `lower_buffer_args`).
    lent_whole: Vec<VarId>,
    /// Set by a `return` inside a loop, which then breaks out.
    returned: Option<VarId>,
    /// Active parameter structs (`wrt(p)` on `p: &Params`), and their types
    /// (for the check of the methods called on them).
    structs: HashSet<VarId>,
    struct_types: HashMap<VarId, syn::Type>,
    /// Inactive parameters and locals of user types (`s: &S`, `let s =
    /// S::new(..);`), whose differentiated methods are called with them
    /// passed through (`methods.rs`): the type, and whether it is certainly
    /// a struct (`S { .. }`, `Self`), not an alias of a nalgebra type.
    user_typed: HashMap<VarId, (syn::Type, bool)>,
    /// The function's type parameters: not user types.
    type_params: HashSet<String>,
    /// Parameters of a type parameter (`e: &E`): their methods are a
    /// trait's, which have no derivatives (`methods.rs`, the message).
    generic_typed: HashMap<VarId, String>,
    /// The variable bound to each field of them that active code reads
    /// (`p.w` -> `p_w`), by struct and field path.
    members: HashMap<(VarId, String), VarId>,
    /// Their bindings (`let p_w = &p.w;`), at the top of the body.
    member_lets: Vec<Stmt>,
    /// nalgebra view parameters left out of `wrt(...)` and never
    /// reassigned, and the owned copy (`let a_owned = a.clone_owned();`,
    /// among `member_lets`) that matrix arithmetic reads once it is made.
    view_params: HashMap<VarId, Option<VarId>>,
    /// Variables declared without a value (`let y;`) and assigned in
    /// straight-line code, not yet assigned: their declared types.
    deferred: HashMap<VarId, Option<syn::Type>>,
    /// An integer member of a tuple of active values was reported: one
    /// error for it (not one more at each use of the tuple).
    integer_member: bool,
    /// Parameters of a slice type (`x: &[f64]`): `x.clone()` is `x` again.
    slice_params: HashSet<VarId>,
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
    /// Names grown with `v.push(..)` or `v.extend_from_slice(..)`.
    push_names: HashSet<String>,
    has_return: bool,
    return_in_loop: bool,
    /// A struct is built (`State { .. }`).
    struct_values: bool,
    /// Names whose fields are read (`s.x`).
    field_bases: HashSet<String>,
    /// An nalgebra value is built (`DVector::zeros(n)`, `Vector3::new(..)`).
    nalgebra_values: bool,
    /// Fields read as 2-D arrays (`p.w[r][c]`, `g(&p.w[r])`), as
    /// `p.w`: the macro does not see a field's type, its uses show it.
    nested_fields: HashSet<String>,
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
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        m.args.iter().for_each(|a| self.row_arg(a));
        // `p.w[r].to_vec()`, `p.w[r].iter()`: a row (a float has neither).
        if matches!(m.method.to_string().as_str(), "to_vec" | "iter") {
            if let Some(path) = row_of_field(&m.receiver) {
                self.facts.nested_fields.insert(path);
            }
        }
        if matches!(m.method.to_string().as_str(), "push" | "extend_from_slice") {
            if let syn::Expr::Path(p) = strip_parens(&m.receiver) {
                if let Some(i) = p.path.get_ident() {
                    self.facts.push_names.insert(i.unraw().to_string());
                }
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    // `let mut y: DVector<f64> = g(x);`: a helper's result, by its type.
    fn visit_local(&mut self, l: &'ast syn::Local) {
        // `let row = p.w[r].clone();`, a row if `row` is indexed later;
        // `let w = &p.w;`, a 2-D field if `w` is indexed twice.
        if let (syn::Pat::Ident(i), Some(init)) = (&l.pat, &l.init) {
            if let syn::Expr::Reference(r) = strip_parens(&init.expr) {
                if let Some(path) = field_path(&r.expr).filter(|_| r.mutability.is_none()) {
                    self.aliases.insert(i.ident.unraw().to_string(), path);
                }
            }
            if let syn::Expr::MethodCall(m) = strip_parens(&init.expr) {
                if let Some(path) = row_of_field(&m.receiver).filter(|_| m.method == "clone") {
                    self.rows.insert(i.ident.unraw().to_string(), path);
                }
            }
        }
        if let syn::Pat::Type(t) = &l.pat {
            if let syn::Type::Path(p) = &*t.ty {
                if p.path.segments.last().is_some_and(|s| {
                    crate::desugar::nalgebra::is_nalgebra_type(&s.ident.to_string())
                }) {
                    self.facts.nalgebra_values = true;
                }
            }
        }
        syn::visit::visit_local(self, l);
    }
    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        self.facts.struct_values = true;
        syn::visit::visit_expr_struct(self, s);
    }
    // `Affine(a, b)`: a tuple struct (a name in `UpperCamelCase`).
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        c.args.iter().for_each(|a| self.row_arg(a));
        if let syn::Expr::Path(p) = strip_parens(&c.func) {
            let segs = &p.path.segments;
            if segs.len() >= 2
                && crate::desugar::nalgebra::is_nalgebra_type(
                    &segs[segs.len() - 2].ident.to_string(),
                )
            {
                self.facts.nalgebra_values = true;
            }
            if p.path
                .segments
                .last()
                .is_some_and(|s| is_tuple_struct_name(&s.ident))
            {
                self.facts.struct_values = true;
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
        if let syn::Expr::Path(p) = strip_parens(&f.base) {
            if let Some(i) = p.path.get_ident() {
                self.facts.field_bases.insert(i.unraw().to_string());
            }
        }
        syn::visit::visit_expr_field(self, f);
    }
    fn visit_expr_index(&mut self, ix: &'ast syn::ExprIndex) {
        if let syn::Expr::Path(p) = strip_parens(&ix.expr) {
            let row = p
                .path
                .get_ident()
                .and_then(|i| self.rows.get(&i.unraw().to_string()));
            if let Some(path) = row {
                self.facts.nested_fields.insert(path.clone());
            }
        }
        if let syn::Expr::Index(row) = strip_parens(&ix.expr) {
            // `p.w[r][c]`, or `w[r][c]` after `let w = &p.w;`.
            let alias = match strip_parens(&row.expr) {
                syn::Expr::Path(p) => p
                    .path
                    .get_ident()
                    .and_then(|i| self.aliases.get(&i.unraw().to_string()))
                    .cloned(),
                _ => None,
            };
            if let Some(path) = field_path(&row.expr).or(alias) {
                self.facts.nested_fields.insert(path);
            }
        }
        syn::visit::visit_expr_index(self, ix);
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
    // A buffer passed to a call (`g(x, &mut b)`) is assigned by it.
    fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
        if r.mutability.is_some() {
            self.target(&r.expr);
        }
        syn::visit::visit_expr_reference(self, r);
    }
    // A variable of an outer scope assigned in a nested block (`{ s += x; }`)
    // is written in place, as in a branch: a new version would end with
    // the block.
    fn visit_expr_block(&mut self, e: &'ast syn::ExprBlock) {
        self.nested(false, |v| syn::visit::visit_expr_block(v, e));
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct PrescanVisitor<'a> {
    facts: &'a mut Prescan,
    /// Locals bound to a copy of an element of a field (`let row =
    /// p.w[r].clone();`), by name: the field's path.
    rows: HashMap<String, String>,
    /// Locals bound to a borrow of a field (`let w = &p.w;`), by name: the
    /// field's path.
    aliases: HashMap<String, String>,
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

    /// `g(&p.w[r])`: a row of a 2-D field passed to a helper (a flat
    /// field's element would be a borrowed scalar, which no differentiated
    /// function takes).
    fn row_arg(&mut self, arg: &syn::Expr) {
        if let syn::Expr::Reference(r) = strip_parens(arg) {
            if let syn::Expr::Index(ix) = strip_parens(&r.expr) {
                if !matches!(strip_parens(&ix.index), syn::Expr::Range(_)) {
                    if let Some(path) = field_path(&ix.expr) {
                        self.facts.nested_fields.insert(path);
                    }
                }
            }
        }
    }

    fn target(&mut self, left: &syn::Expr) {
        if self.compound == 0 {
            return;
        }
        match strip_parens(left) {
            syn::Expr::Path(p) => {
                if let Some(i) = p.path.get_ident() {
                    self.facts.slot_names.insert(i.unraw().to_string());
                }
            }
            // `(a, b) = (b, a + b);`
            syn::Expr::Tuple(t) => t.elems.iter().for_each(|e| self.target(e)),
            _ => {}
        }
    }
}

/// `p.w` or `self.a.b` (fields below a name) as text.
/// `p.w[r]` (not a range): the path of the field `p.w`.
fn row_of_field(e: &syn::Expr) -> Option<String> {
    match strip_parens(e) {
        syn::Expr::Index(ix) if !matches!(strip_parens(&ix.index), syn::Expr::Range(_)) => {
            field_path(&ix.expr)
        }
        _ => None,
    }
}

pub(super) fn field_path(e: &syn::Expr) -> Option<String> {
    let syn::Expr::Field(f) = strip_parens(e) else {
        return None;
    };
    let base = match strip_parens(&f.base) {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident()?.unraw().to_string(),
        base => field_path(base)?,
    };
    let m = &f.member;
    Some(format!("{base}.{}", quote!(#m)))
}

/// Whether a statement may leave its enclosing block early: a `return`, or a
/// `break`/`continue` of a loop outside it (labelled or not).
pub(crate) fn may_exit(stmt: &syn::Stmt) -> bool {
    struct Exits {
        /// The labels of the loops entered inside the statement.
        loops: Vec<Option<String>>,
        found: bool,
    }
    impl Exits {
        fn leaves(&self, label: &Option<syn::Lifetime>) -> bool {
            match label {
                None => self.loops.is_empty(),
                Some(l) => !self.loops.contains(&Some(l.ident.to_string())),
            }
        }
        fn enter(&mut self, l: &Option<syn::Label>) {
            self.loops
                .push(l.as_ref().map(|l| l.name.ident.to_string()));
        }
    }
    impl<'ast> Visit<'ast> for Exits {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.found = true;
        }
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            self.found |= self.leaves(&b.label);
            syn::visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, c: &'ast syn::ExprContinue) {
            self.found |= self.leaves(&c.label);
        }
        fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
            self.enter(&e.label);
            syn::visit::visit_expr_for_loop(self, e);
            self.loops.pop();
        }
        fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
            self.enter(&e.label);
            syn::visit::visit_expr_while(self, e);
            self.loops.pop();
        }
        fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
            self.enter(&e.label);
            syn::visit::visit_expr_loop(self, e);
            self.loops.pop();
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut v = Exits {
        loops: Vec::new(),
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
        rows: HashMap::default(),
        aliases: HashMap::default(),
        compound: 0,
        loops: 0,
    }
    .visit_block(&model.item.block);
    // Generated code on nalgebra values names one float type parameter
    // (their zeros); a parameter's is checked with the signature.
    if facts.nalgebra_values && model.reals.len() > 1 {
        let mut reals = model
            .item
            .sig
            .generics
            .type_params()
            .filter(|t| model.reals.contains(&t.ident.to_string()));
        if let (Some(t), Some(u)) = (reals.next(), reals.next()) {
            let (t, u) = (&t.ident, &u.ident);
            errors.spanned(
                u,
                format_args!(
                    "nalgebra values are differentiated in functions with one float type \
                     parameter: use `{t}` for every float in place of `{u}`, or write the float \
                     types out (`f64`)"
                ),
            );
        }
    }
    let mut hint = HashSet::default();
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
    let mut reserved = HashSet::default();
    collect_idents(model.item.to_token_stream(), &mut reserved);
    let mut lw = Lowerer {
        prog: Program {
            vars: Vec::new(),
            names: Names::new(reserved),
            body: Body::default(),
            active_params: Vec::new(),
            outputs: Vec::new(),
            // Structs built or read in the body (`State { .. }`, `s.x` of a
            // local): code on them is generated as on nalgebra values.
            matrix: model.matrix
                || facts.struct_values
                || facts.nalgebra_values
                || facts
                    .field_bases
                    .iter()
                    .any(|b| b != "self" && !model.params.iter().any(|p| p.ident.unraw() == b)),
            real: match model.reals.iter().collect::<Vec<_>>()[..] {
                [t] => Some(syn::Ident::new(t, Span::call_site())),
                _ => None,
            },
            lent: Vec::new(),
            methods: Vec::new(),
        },
        errors,
        scopes: vec![HashMap::default()],
        varied: Vec::new(),
        user_names: HashMap::default(),
        stmts: Vec::new(),
        depth: 0,
        frames: Vec::new(),
        in_value: 0,
        slot_names: &facts.slot_names,
        push_names: &facts.push_names,
        nested_fields: &facts.nested_fields,
        wrapped_output: crate::parse::wrapper_of(&model.ret).is_some(),
        hint,
        varied_names: HashSet::default(),
        ret: None,
        returned: None,
        deferred: HashMap::default(),
        reals: &model.reals,
        call_results: HashSet::default(),
        lent_whole: Vec::new(),
        lent_copies: Vec::new(),
        structs: HashSet::default(),
        struct_types: HashMap::default(),
        user_typed: HashMap::default(),
        type_params: model
            .item
            .sig
            .generics
            .type_params()
            .map(|t| t.ident.to_string())
            .collect(),
        generic_typed: HashMap::default(),
        members: HashMap::default(),
        member_lets: Vec::new(),
        view_params: HashMap::default(),
        integer_member: false,
        slice_params: HashSet::default(),
    };
    for (i, p) in model.params.iter().enumerate() {
        let name = if p.ident == "self" {
            // `wrt(self)`: the receiver keeps its keyword.
            p.ident.clone()
        } else {
            lw.prog.names.claim(&p.ident.to_string(), p.ident.span())
        };
        let v = lw.new_var(name, VarKind::Param(i), p.active || p.output);
        lw.user_names.insert(v, p.ident.unraw().to_string());
        lw.prog.vars[v].array = p.array;
        lw.prog.vars[v].nested = p.nested;
        lw.prog.vars[v].fixed = match &p.ty {
            syn::Type::Reference(r) => matches!(&*r.elem, syn::Type::Array(_)),
            t => matches!(t, syn::Type::Array(_)),
        };
        lw.prog.vars[v].by_ref = p.matrix && matches!(p.ty, syn::Type::Reference(_));
        lw.prog.vars[v].scalar = crate::parse::float_of_in(&p.ty, &model.reals).is_some();
        lw.prog.vars[v].mutable = p.mutable;
        lw.prog.vars[v].borrowed =
            matches!(&p.ty, syn::Type::Reference(r) if r.mutability.is_none());
        if matches!(&p.ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Slice(_))) {
            lw.slice_params.insert(v);
        }
        lw.prog.vars[v].copy_ref = !p.active && !p.mutable && copy_ref(&p.ty);
        lw.prog.vars[v].owned = !crate::split::has_lifetime(&p.ty);
        lw.prog.vars[v].slot = p.mutable && facts.slot_names.contains(&p.ident.unraw().to_string());
        if p.active {
            lw.prog.active_params.push(v);
        }
        if p.structure {
            lw.structs.insert(v);
            lw.prog.vars[v].structure = true;
            if let Some(ty) = lw.user_type(&p.ty) {
                lw.struct_types.insert(v, ty);
            }
        } else if let Some(ty) = lw.user_type(&p.ty).filter(|_| !p.active && !p.output) {
            let certain = matches!(&ty, syn::Type::Path(t) if t.path.is_ident("Self"));
            lw.user_typed.insert(v, (ty, certain));
        } else if let Some(t) = lw.type_param_of(&p.ty) {
            lw.generic_typed.insert(v, t);
        }
        if !p.active
            && !p.output
            && !p.mutable
            && crate::parse::is_view(&p.ty, &model.reals)
            && crate::view_params::owned(&p.ty).is_some()
        {
            lw.view_params.insert(v, None);
        }
        if p.output {
            lw.prog.outputs.push(v);
        }
        lw.bind(&p.ident, v, p.mutable || p.output);
    }
    // A function without an output (its result in `&mut` buffers) returns
    // with `return;` and has no result slot.
    if facts.has_return && model.has_output {
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
    }
    if facts.has_return && facts.return_in_loop {
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
    let ret = lw.lower_fn_block(&model.item.block, model.has_output);
    let ret = match (ret, lw.ret) {
        (_, Some(slot)) => vec![Expr::var(slot)],
        (Some(op), None) => vec![Expr::Use(op)],
        (None, None) => vec![],
    };
    let mut stmts = std::mem::take(&mut lw.member_lets);
    stmts.append(&mut lw.stmts);
    lw.prog.body = Body { stmts, ret };
    // A helper's result may be a fixed-size array (`-> [f64; 2]`), whose
    // type the macro does not see: a `Vec` copied from it gives its
    // cotangent back element by element (see `Var::fixed`).
    for v in &lw.call_results {
        lw.prog.vars[*v].fixed = true;
    }
    call::known_numbers(&mut lw.prog, &lw.call_results);
    (lw.prog, lw.varied_names)
}

fn default_value() -> Expr {
    Expr::Fresh {
        stack: false,
        words: false,
    }
}

impl Lowerer<'_> {
    pub(super) fn new_var(&mut self, name: syn::Ident, kind: VarKind, varied: bool) -> VarId {
        let v = self.prog.new_var(name, kind);
        self.varied.push(varied);
        v
    }

    pub(super) fn bind(&mut self, ident: &syn::Ident, var: VarId, mutable: bool) {
        let key = ident.unraw().to_string();
        self.user_names.insert(var, key.clone());
        self.scopes
            .last_mut()
            .expect("the scope stack is never empty")
            .insert(key, Binding { var, mutable });
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// The local a path expression names, if it is a plain local name.
    pub(super) fn local_of(&self, path: &syn::ExprPath) -> Option<VarId> {
        if path.qself.is_some() {
            return None;
        }
        let ident = path.path.get_ident()?;
        self.lookup(&ident.unraw().to_string()).map(|b| b.var)
    }

    /// Whether a variable depends on an active input. Slots and arrays may
    /// become varied later in a loop: the hint says so from the last round.
    /// So may a nalgebra value written by element (`h[1] = a * s;` in a
    /// loop, which read `h.sum()` before): in code on nalgebra values every
    /// variable the hint names counts.
    pub(super) fn var_varied(&self, v: VarId) -> bool {
        self.varied[v]
            || ((self.prog.vars[v].slot || self.prog.vars[v].array || self.prog.matrix)
                && self
                    .user_names
                    .get(&v)
                    .is_some_and(|n| self.hint.contains(n)))
    }

    pub(super) fn is_varied(&self, op: &Operand) -> bool {
        match op {
            Operand::Var(v) => self.var_varied(*v),
            Operand::Const(_) => false,
        }
    }

    /// Records that a slot or array receives a varied value.
    pub(super) fn mark_varied(&mut self, v: VarId) {
        self.varied[v] = true;
        if let Some(n) = self.user_names.get(&v) {
            self.varied_names.insert(n.clone());
        }
    }

    /// A new temporary holding `expr`.
    pub(super) fn temp(&mut self, expr: Expr, varied: bool, span: Span) -> Operand {
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

    /// The owned copy of an inactive view parameter `v` in matrix code
    /// (the rules take `OMatrix`, as for a view made by a method call, see
    /// `opaque`), made once at the top of the body; `None` for any other
    /// variable.
    pub(super) fn view_copy(&mut self, v: VarId) -> Option<VarId> {
        if !self.prog.matrix {
            return None;
        }
        if let Some(c) = *self.view_params.get(&v)? {
            return Some(c);
        }
        let x = self.prog.name(v).clone();
        let name = self
            .prog
            .names
            .fresh(&format!("{x}_owned"), Span::call_site());
        let c = self.new_var(name, VarKind::Temp, false);
        self.member_lets.push(Stmt::Let {
            var: c,
            ty: None,
            expr: Expr::Opaque(quote!((#x).clone_owned()), vec![v]),
            span: Span::call_site(),
        });
        self.view_params.insert(v, Some(c));
        Some(c)
    }

    /// A new slot initialised to `Default::default()`, for the value of an
    /// `if` or `match` expression.
    pub(super) fn result_slot(&mut self) -> VarId {
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
    pub(super) fn poisoned(&self) -> Operand {
        Operand::Const(quote!(0.0))
    }

    /// Lowers a nested block of statements in its own scope and returns it.
    pub(super) fn nested(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        let outer = std::mem::take(&mut self.stmts);
        self.scopes.push(HashMap::default());
        self.depth += 1;
        f(self);
        self.depth -= 1;
        self.scopes.pop();
        std::mem::replace(&mut self.stmts, outer)
    }

    // ----- statements ------------------------------------------------------
}

/// A `Copy` type that borrows: `&T`, `Option<&T>`.
fn copy_ref(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        syn::Type::Paren(p) => copy_ref(&p.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if last.ident == "Option" => {
                    matches!(a.args.first(), Some(syn::GenericArgument::Type(syn::Type::Reference(r)))
                        if r.mutability.is_none() && a.args.len() == 1)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Finds a name bound by a pattern (with `names`, all of them, and whether
/// each is `mut`: lower-case names, as `None` or `FAST` are constants).
struct Bindings {
    found: Option<syn::Ident>,
    names: Vec<(syn::Ident, bool)>,
}

impl Bindings {
    fn all() -> Self {
        Bindings {
            found: None,
            names: Vec::new(),
        }
    }
}

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.found.get_or_insert(p.ident.clone());
        let name = p.ident.unraw().to_string();
        if name.starts_with(|c: char| c.is_lowercase() || c == '_') {
            self.names.push((p.ident.clone(), p.mutability.is_some()));
        }
        syn::visit::visit_pat_ident(self, p);
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

pub(crate) fn is_compound_assign(op: &syn::BinOp) -> bool {
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
