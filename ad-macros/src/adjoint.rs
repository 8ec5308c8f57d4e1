//! Reverse mode: the adjoint transform, IR -> IR.
//!
//! The generated function runs a *forward sweep* (the primal code) and then a
//! *reverse sweep* that walks the statements backwards and, for each active
//! `y = prim(a, b)`, adds the operands' contributions `a_bar += <local
//! vjp>(y_bar)`: the lecture's backward pass, statement by statement.
//!
//! What the reverse sweep needs from the forward sweep is recorded, and only
//! that (the approach of Tapenade and Clad):
//!
//! * **overwritten values**: before an assignment overwrites a value that the
//!   reverse sweep reads (a loop-carried `t *= x`, an array element, a loop
//!   index used for indexing), its old value is saved, and the reverse sweep
//!   restores it when it passes the assignment. A value that is never
//!   overwritten, or never read by the reverse sweep (`s += x[i]`), is not
//!   saved. Saves at the top level of the function go to a local variable;
//!   saves inside branches and loops go to a stack local to the generated
//!   function (no global state: the function is re-entrant);
//! * **branch decisions** inside loops (at the top level the condition is
//!   still there to read): at the end of the branch taken, in the one
//!   stream of saved floats (`Words`), unless the branch may leave the
//!   loop; and **trip counts** of loops.
//!
//! Temporaries of one statement inside a loop are not saved: the reverse
//! sweep recomputes them from the restored operands just before that
//! statement's adjoint, except the values of costly elementary functions
//! (`recomputable`), which are saved like a `let`. The reverse sweep reads
//! only what a rule needs (`exp::d1_y(y)`, `sin::d1_x(x)`). So the reverse
//! sweep's memory grows with the number of iterations times the overwritten
//! and costly values it reads, not with the number of operations.
//!
//! An adjoint's first contribution declares it (`let a_bar = ...`), so no zero
//! is ever materialised and added to, except where the first contribution is
//! inside a branch or loop: then the adjoint is declared zero before it.

use crate::activity::{self, differentiable_reads, Activity};
use crate::ir::{
    intern, walk, wrapper, AssignOp, BinOp, Block, Body, Expr, Header, Operand, Place, Program,
    Stmt, VarId, VarKind, DIV, EXPENSIVE, OF_X, OF_Y, RECIP,
};
use proc_macro2::Span;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use std::collections::{HashMap, HashSet};

/// The adjoint transform's result.
pub struct Vjp {
    pub body: Body,
    /// The cotangent seed of the returned value, if the function returns one.
    pub seed: Option<VarId>,
    /// The cotangent seed of each output buffer.
    pub buffer_seeds: Vec<VarId>,
    /// Where the reverse sweep starts in `body.stmts` (the seed's first use),
    /// when everything before it can be shared by several reverse sweeps:
    /// nothing is recorded on stacks (the reverse sweep only reads locals),
    /// no value comes out of the reverse sweep (single-pass loops), and there
    /// are no output buffers. `f_vjp_many` runs the statements before it once.
    pub shared_forward: Option<usize>,
    /// Where the reverse sweep starts in `body.stmts`, if the statements
    /// before it compute the returned values (`body.ret[..values]`) and the
    /// others only read what they leave (no output buffers; no value
    /// computed by a loop run in the reverse sweep).
    pub split: Option<usize>,
    /// How many of `body.ret` are the function's values (the rest are
    /// cotangents).
    pub values: usize,
    /// Calls of other differentiated functions use their split form (a
    /// pullback recorded by the forward sweep, [`Adjoint::split_call`]).
    pub split_calls: bool,
    /// The `Words` stream of saved values, if there is one: a split form
    /// borrows its caller's instead.
    pub words: Option<VarId>,
    /// Variables known to hold one float (active values of arithmetic and
    /// elementary functions): a split form's pullback reads them back from
    /// the stream rather than holding them.
    pub floats: HashSet<VarId>,
}

/// Reverse mode. With `split` (the function's own name), calls of other
/// differentiated functions use their split form (the callee's forward
/// sweep runs once and returns its pullback, which the reverse sweep
/// calls); otherwise, and for recursive calls (whose split form's type
/// would contain itself), joint mode (the reverse sweep calls the callee's
/// reverse mode, which runs its forward sweep again): what second order
/// differentiates.
pub fn vjp(prog: &mut Program, split: Option<&syn::Ident>) -> Vjp {
    mark_volatile(prog);
    let act = activity::analyse(prog);
    let split = split.filter(|_| !prog.matrix);
    let generate = |prog: &mut Program, save_costly: bool| {
        // First pass: find what the reverse sweep reads (it does not depend
        // on what is saved), then generate with saves for exactly that.
        let mut probe = prog.clone();
        let everything: HashSet<VarId> = (0..prog.vars.len()).collect();
        let (_, reads, at_site) =
            Adjoint::new(&mut probe, &act, everything, None, save_costly, split).run();
        Adjoint::new(prog, &act, reads, Some(at_site), save_costly, split)
            .run()
            .0
    };
    // Costly values are saved rather than computed again, unless saving
    // them is what puts anything on a stack: without stacks, `f_vjp_many`
    // shares the forward sweep between its reverse sweeps (which compute
    // them again once, in lanes).
    let mut saving = prog.clone();
    let vjp = generate(&mut saving, true);
    if vjp.shared_forward.is_none() && has_costly_temps(prog, &prog.body.stmts, 0) {
        let mut recomputing = prog.clone();
        let other = generate(&mut recomputing, false);
        if other.shared_forward.is_some() {
            *prog = recomputing;
            return other;
        }
    }
    *prog = saving;
    vjp
}

/// Marks the variables that verbatim code may change ([`crate::ir::Var::volatile`]):
/// see [`changed_by`]. The reverse sweep computes index expressions and the
/// like again from the variables they read, which holds only for variables
/// that do not change afterwards.
fn mark_volatile(prog: &mut Program) {
    let mut opaque: Vec<(TokenStream, Vec<VarId>)> = Vec::new();
    walk(&prog.body.stmts, &mut |s| {
        let mut note = |e: &Expr| {
            e.visit(&mut |e| {
                if let Expr::Opaque(t, reads) = e {
                    opaque.push((t.clone(), reads.clone()));
                }
            })
        };
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => note(expr),
            Stmt::If { cond, .. } => note(cond),
            Stmt::Opaque(t, reads) => opaque.push((t.clone(), reads.clone())),
            Stmt::Loop {
                header: Header::For { iter, reads, .. },
                ..
            } => opaque.push((iter.clone(), reads.clone())),
            _ => {}
        }
    });
    for (tokens, reads) in opaque {
        for v in changed_by(prog, &tokens, &reads) {
            prog.vars[v].volatile = true;
        }
    }
}

/// The variables among `reads` that verbatim code `tokens` may change: the
/// receiver of a method not known to only read ([`READS_ONLY`]: `v.push(i)`,
/// `v.sort()`), and what it lends mutably (`f(&mut v)`).
fn changed_by(prog: &Program, tokens: &TokenStream, reads: &[VarId]) -> Vec<VarId> {
    use proc_macro2::{Delimiter, TokenTree};
    fn scan(tokens: TokenStream, names: &HashMap<String, VarId>, out: &mut Vec<VarId>) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        let punct =
            |i: usize, c: char| matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        for (k, t) in tts.iter().enumerate() {
            match t {
                TokenTree::Group(g) => scan(g.stream(), names, out),
                TokenTree::Ident(id) => {
                    let Some(&v) = names.get(&id.to_string()) else {
                        continue;
                    };
                    let lent = k >= 2
                        && punct(k - 2, '&')
                        && matches!(&tts[k - 1], TokenTree::Ident(m) if m == "mut");
                    let method = punct(k + 1, '.')
                        && matches!(tts.get(k + 2), Some(TokenTree::Ident(m))
                            if !READS_ONLY.contains(&m.to_string().as_str()))
                        && matches!(tts.get(k + 3), Some(TokenTree::Group(g))
                            if g.delimiter() == Delimiter::Parenthesis);
                    if (lent || method) && !out.contains(&v) {
                        out.push(v);
                    }
                }
                _ => {}
            }
        }
    }
    let names: HashMap<String, VarId> = reads
        .iter()
        .map(|&v| (prog.name(v).to_string(), v))
        .collect();
    let mut out = Vec::new();
    scan(tokens.clone(), &names, &mut out);
    out
}

/// Methods that only read their receiver (a call of any other may change
/// it: [`changed_by`]).
const READS_ONLY: &[&str] = &[
    "len",
    "is_empty",
    "clone",
    "to_vec",
    "to_owned",
    "iter",
    "get",
    "first",
    "last",
    "contains",
    "abs",
    "min",
    "max",
    "sqrt",
    "powi",
    "powf",
    "floor",
    "ceil",
    "round",
    "trunc",
    "signum",
    "is_nan",
    "is_finite",
    "as_slice",
    "nrows",
    "ncols",
    "shape",
    "sum",
    "product",
    "count",
    "rem_euclid",
    "div_euclid",
    "pow",
    "checked_sub",
    "saturating_sub",
    "wrapping_sub",
    "checked_add",
    "saturating_add",
    "wrapping_add",
    "cmp",
    "partial_cmp",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "to_string",
    "exp",
    "ln",
    "sin",
    "cos",
    "tan",
    "tanh",
    "into",
    "unwrap",
    "expect",
    "unwrap_or",
    "copied",
    "cloned",
    "enumerate",
    "zip",
    "map",
    "rev",
    "step_by",
    "chunks",
    "windows",
    "skip",
    "take",
    "position",
    "binary_search",
    "starts_with",
    "ends_with",
    "capacity",
    "trailing_zeros",
    "leading_zeros",
    "count_ones",
    "is_power_of_two",
];

/// Whether a temporary in a branch or loop of `block` is the value of a
/// costly elementary function (see [`recomputable`]).
fn has_costly_temps(prog: &Program, block: &[Stmt], depth: usize) -> bool {
    block.iter().any(|s| match s {
        Stmt::Let { .. } => {
            depth > 0
                && recomputable(prog, s, false).is_some()
                && recomputable(prog, s, true).is_none()
        }
        Stmt::If { then, els, .. } => {
            has_costly_temps(prog, then, depth + 1) || has_costly_temps(prog, els, depth + 1)
        }
        Stmt::Loop { body, .. } => has_costly_temps(prog, body, depth + 1),
        _ => false,
    })
}

/// How the forward sweep records something for the reverse sweep.
#[derive(Clone)]
enum Record {
    /// In a local variable (at the top level of the function).
    Local(VarId),
    /// On a stack (inside branches and loops).
    Stack(VarId),
    /// Nothing to record: the expression is still there to read.
    Here(Expr),
}

/// Whether a loop's iterator is an integer range ([`simple_range`]).
pub(crate) fn is_simple_range(iter: &TokenStream) -> bool {
    simple_range(iter).is_some()
}

/// A `for` loop over `a..b`, `a..=b`, `(a..b).rev()` or `(a..=b).rev()`:
/// its indices are rebuilt in the reverse sweep from one end and the trip
/// count, instead of being saved one per iteration.
struct SimpleRange {
    start: TokenStream,
    end: TokenStream,
    inclusive: bool,
    reversed: bool,
}

fn simple_range(iter: &TokenStream) -> Option<SimpleRange> {
    fn strip(e: &syn::Expr) -> &syn::Expr {
        match e {
            syn::Expr::Paren(p) => strip(&p.expr),
            syn::Expr::Group(g) => strip(&g.expr),
            e => e,
        }
    }
    let e: syn::Expr = syn::parse2(iter.clone()).ok()?;
    let (range, reversed) = match strip(&e) {
        syn::Expr::Range(r) => (r.clone(), false),
        syn::Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => {
            match strip(&m.receiver) {
                syn::Expr::Range(r) => (r.clone(), true),
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(SimpleRange {
        start: range.start?.to_token_stream(),
        end: range.end?.to_token_stream(),
        inclusive: matches!(range.limits, syn::RangeLimits::Closed(_)),
        reversed,
    })
}

/// Top-level loops run once, in the reverse sweep, computing each iteration's
/// values and their adjoints together: loops over a simple range whose body
/// only accumulates (`+=`, `-=`) into variables that nothing after the loop
/// reads but the returned value (`loss = sum of terms`). Such a loop needs
/// nothing recorded across iterations, and the output cotangent of its
/// accumulators is known before it runs, so the separate forward pass over
/// the data is saved. Returns the loops' sites, each with whether its body is
/// straight-line code (else it has inner loops, branches or overwritten
/// locals, and each iteration runs its own recording forward sweep before its
/// reverse sweep, so its records live for one iteration).
///
/// The body's iterations must be independent: it writes nothing declared
/// outside it but the accumulators (which it never reads), and what it reads
/// from outside is not written after the loop. (Outside values written
/// before the loop are fine: the reverse sweep reaches the loop before it
/// restores anything of theirs.)
fn single_pass_loops(prog: &Program, body: &Body) -> HashMap<usize, bool> {
    let mut out = HashMap::new();
    for (idx, stmt) in body.stmts.iter().enumerate() {
        let Stmt::Loop {
            header: Header::For { iter, reads, .. },
            body: lb,
        } = stmt
        else {
            continue;
        };
        if simple_range(iter).is_none() {
            continue;
        }
        let mut declared = HashSet::new();
        walk(lb, &mut |s| match s {
            Stmt::Let { var, .. } => {
                declared.insert(*var);
            }
            Stmt::Loop {
                header: Header::For { var: Some(v), .. },
                ..
            } => {
                declared.insert(*v);
            }
            _ => {}
        });
        let straight = lb.iter().all(|s| match s {
            Stmt::Let { .. } => true,
            Stmt::Assign { place, .. } => !declared.contains(&place.var()),
            _ => false,
        });
        // General bodies: scalar code only (matrices move values; arrays
        // declared inside would need their adjoints per iteration).
        if !straight && (prog.matrix || declared.iter().any(|v| prog.vars[*v].array)) {
            continue;
        }
        let mut accumulators = HashSet::new();
        let mut ok = !exits(lb);
        walk(lb, &mut |s| match s {
            Stmt::Let { expr, .. } => ok &= !matches!(expr, Expr::Call2 { .. }),
            Stmt::Assign {
                place, op, expr, ..
            } => {
                ok &= !matches!(expr, Expr::Call2 { .. });
                if !declared.contains(&place.var()) {
                    match (place, op) {
                        (Place::Var(v), AssignOp::Add | AssignOp::Sub) => {
                            accumulators.insert(*v);
                        }
                        _ => ok = false,
                    }
                }
            }
            Stmt::If { .. } | Stmt::Loop { .. } | Stmt::Break | Stmt::Continue => {}
            Stmt::Push { .. } | Stmt::Opaque(..) => ok = false,
        });
        if !ok || accumulators.is_empty() {
            continue;
        }
        // After the loop: what it writes, and what opaque statements touch.
        let rest = &body.stmts[idx + 1..];
        let mut changed_after = HashSet::new();
        walk(rest, &mut |s| match s {
            Stmt::Assign { place, .. } => {
                changed_after.insert(place.var());
            }
            Stmt::Push { stack, .. } => {
                changed_after.insert(*stack);
            }
            Stmt::Opaque(_, vars) => changed_after.extend(vars.iter().copied()),
            _ => {}
        });
        // Reads inside: never an accumulator; values from outside that
        // cannot change after the loop.
        let mut inside = reads.iter().copied().collect::<HashSet<_>>();
        collect_reads(lb, &mut inside);
        let independent = inside.iter().all(|v| {
            !accumulators.contains(v) && (declared.contains(v) || !changed_after.contains(v))
        });
        // After the loop: the accumulators are not touched.
        let mut after = HashSet::new();
        collect_reads(rest, &mut after);
        if independent
            && accumulators.is_disjoint(&after)
            && accumulators.is_disjoint(&changed_after)
        {
            out.insert(site(stmt), straight);
        }
    }
    out
}

/// The variables a single-pass loop's body accumulates into: assigned in it,
/// declared outside it.
fn accumulators_of(body: &[Stmt]) -> Vec<VarId> {
    let mut declared = HashSet::new();
    walk(body, &mut |s| {
        if let Stmt::Let { var, .. } = s {
            declared.insert(*var);
        }
    });
    let mut out = Vec::new();
    walk(body, &mut |s| {
        if let Stmt::Assign { place, .. } = s {
            if !declared.contains(&place.var()) && !out.contains(&place.var()) {
                out.push(place.var());
            }
        }
    });
    out
}

/// Whether a block leaves its loop early (`break` or `continue` outside
/// nested loops, whose own stay inside them).
fn exits(block: &[Stmt]) -> bool {
    block.iter().any(|s| match s {
        Stmt::Break | Stmt::Continue => true,
        Stmt::If { then, els, .. } => exits(then) || exits(els),
        _ => false,
    })
}

/// Identifies a statement of the primal body (both sweeps walk the same tree).
fn site(s: &Stmt) -> usize {
    s as *const Stmt as usize
}

struct Adjoint<'a> {
    prog: &'a mut Program,
    /// The primal body (its statements' addresses identify them).
    primal: Body,
    /// Loops run once in the reverse sweep, and whether each is straight-line
    /// (see [`single_pass_loops`]).
    single_pass: HashMap<usize, bool>,
    /// The output value of an accumulator of such a loop, read after it.
    pass_values: HashMap<VarId, VarId>,
    /// Each such loop's accumulators that statements before it read: their
    /// values on entry, recorded by the forward sweep, are restored after the
    /// loop in the reverse sweep.
    pass_entries: HashMap<usize, Vec<(VarId, Record)>>,
    /// While writing a single-pass loop's iteration: its accumulators (never
    /// read inside, so never saved there).
    in_pass: HashSet<VarId>,
    /// The `Words` stack of the active scalars saved inside loops, once used.
    words: Option<VarId>,
    act: &'a Activity,
    /// Variables the reverse sweep reads.
    needed: HashSet<VarId>,
    /// Pre-order number of each primal statement, by site.
    index: HashMap<usize, usize>,
    /// For each statement (by number): the last number of the outermost loop
    /// containing it (or being it), else its own number. A value overwritten
    /// there is read again only by the reverse code of statements up to it.
    extent: Vec<usize>,
    /// Whether each statement (by number) is inside a loop (or is one).
    in_loop: Vec<bool>,
    /// What the reverse code of each statement reads (by number): before
    /// the statement restores its own target (its output value), and after
    /// (see [`Self::rev_reads`]).
    reads_before_restore: Vec<HashSet<VarId>>,
    reads_after_restore: Vec<HashSet<VarId>>,
    /// Per statement: the variables whose overwritten value must be saved
    /// there. `None` (first pass): every one.
    at_site: Option<Vec<HashSet<VarId>>>,
    /// Variables declared inside branches or loops that the reverse sweep
    /// needs: declared at the top of the function instead.
    hoisted: HashSet<VarId>,
    /// Nesting depth of each variable's declaration.
    decl_depth: HashMap<VarId, usize>,
    /// Declarations at the top of the generated function.
    decls: Vec<Stmt>,
    /// Saved values, branch decisions and trip counts, by statement.
    saves: HashMap<usize, Record>,
    decisions: HashMap<usize, Record>,
    counts: HashMap<usize, Record>,
    loop_var_saves: HashMap<usize, VarId>,
    /// For loops over simple ranges: the recorded end the indices are
    /// rebuilt from.
    anchors: HashMap<usize, Record>,
    /// Variables whose value never changes after their definition (not
    /// assigned, defined at the top level or as a loop index): range bounds
    /// reading only them can be evaluated again in the reverse sweep.
    stable: HashSet<VarId>,
    /// Loops over such ranges without early exits: replayed backwards from
    /// their bounds, nothing recorded.
    static_loops: HashSet<usize>,
    /// The live adjoint of each variable.
    adj: HashMap<VarId, VarId>,
    /// Element writes whose old values nothing reads (see
    /// [`unread_overwrites`]): not saved.
    unread_overwrites: HashSet<usize>,
    /// Costly values are saved, not computed again ([`recomputable`]).
    save_costly: bool,
    /// Calls use their callee's split form ([`Self::split_call`]), except
    /// calls of the function itself (named here).
    split: Option<&'a syn::Ident>,
    /// The pullback of each call made in split form, by statement.
    pullbacks: HashMap<usize, Record>,
    /// While reversing a call made in split form: its pullback.
    pullback_here: Option<Record>,
    /// Some call was made in split form.
    split_used: bool,
    /// Variables a verbatim statement changes whose old values the reverse
    /// sweep reads, saved before it, by statement.
    opaque_saves: HashMap<usize, Vec<(VarId, Record)>>,
    /// The active `Vec`s the function grows with `push`: in the reverse
    /// sweep, each push is undone on the `Vec` and on its adjoint, so that
    /// both keep the length the `Vec` had at that point of the forward sweep.
    pushed: HashSet<VarId>,
    /// Arrays and helpers' tuple results declared in branches and loops
    /// (hoisted): their shape may change from one iteration to the next.
    shaped: HashSet<VarId>,
}

/// A target of a contribution.
enum Target {
    Var(VarId),
    Index(VarId, Expr),
    /// A member of a tuple (`let (a, b) = g(x);`).
    Field(VarId, usize),
}

/// A temporary the reverse sweep computes again where it needs it, rather
/// than the forward sweep saving it: any but the value of a call of another
/// differentiated function or, with `save_costly`, of an elementary function
/// that costs more than a save and a restore (`exp`, `sin`, `sqrt`, `powf`,
/// .., not `abs`, `max` or `recip`; see [`EXPENSIVE`]).
fn recomputable(prog: &Program, s: &Stmt, save_costly: bool) -> Option<VarId> {
    let Stmt::Let { var, expr, .. } = s else {
        return None;
    };
    let costly = matches!(expr, Expr::Call(f, ..) if EXPENSIVE.contains(&f.name));
    let v = &prog.vars[*var];
    // A value computed from state that verbatim code changes is saved; a
    // borrow of it (`&order` passed to a call) cannot be: it is taken
    // again from the state, which is then saved and restored instead.
    let mut reads_volatile = false;
    expr.for_each_var(&mut |r| reads_volatile |= prog.vars[r].volatile);
    let borrow = match expr {
        Expr::Ref(_) => true,
        Expr::Opaque(t, _) => {
            matches!(t.clone().into_iter().next(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '&')
        }
        _ => false,
    };
    let reads_volatile = reads_volatile && !borrow;
    let saved = v.kind != VarKind::Temp
        || reads_volatile
        || v.slot
        || v.array
        || matches!(expr, Expr::Call2 { .. })
        || (save_costly && costly);
    (!saved).then_some(*var)
}

impl<'a> Adjoint<'a> {
    fn new(
        prog: &'a mut Program,
        act: &'a Activity,
        needed: HashSet<VarId>,
        at_site: Option<Vec<HashSet<VarId>>>,
        save_costly: bool,
        split: Option<&'a syn::Ident>,
    ) -> Self {
        let primal = prog.body.clone();
        // Number the statements in pre-order; note each one's extent.
        fn number(
            block: &[Stmt],
            outer_end: Option<usize>,
            index: &mut HashMap<usize, usize>,
            extent: &mut Vec<usize>,
        ) {
            for s in block {
                let i = extent.len();
                index.insert(site(s), i);
                extent.push(i);
                match s {
                    Stmt::If { then, els, .. } => {
                        number(then, outer_end, index, extent);
                        number(els, outer_end, index, extent);
                    }
                    Stmt::Loop { body, .. } => {
                        number(body, Some(outer_end.unwrap_or(usize::MAX)), index, extent);
                        let end = extent.len() - 1;
                        if outer_end.is_none() {
                            // The outermost loop: everything in it ends here.
                            for e in &mut extent[i..] {
                                *e = end;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut index = HashMap::new();
        let mut extent = Vec::new();
        number(&primal.stmts, None, &mut index, &mut extent);
        // In a loop: numbered inside an outermost loop's range (or being it).
        let mut in_loop = vec![false; extent.len()];
        fn mark(block: &[Stmt], inside: bool, index: &HashMap<usize, usize>, out: &mut Vec<bool>) {
            for s in block {
                let here = inside || matches!(s, Stmt::Loop { .. });
                out[index[&site(s)]] = here;
                match s {
                    Stmt::If { then, els, .. } => {
                        mark(then, here, index, out);
                        mark(els, here, index, out);
                    }
                    Stmt::Loop { body, .. } => mark(body, true, index, out),
                    _ => {}
                }
            }
        }
        mark(&primal.stmts, false, &index, &mut in_loop);
        let reads_before_restore = vec![HashSet::new(); extent.len()];
        let reads_after_restore = vec![HashSet::new(); extent.len()];
        let single_pass = single_pass_loops(prog, &primal);
        let mut in_single_pass = HashSet::new();
        for s in &primal.stmts {
            if let Stmt::Loop { body, .. } = s {
                // Declared at the iteration's top level: in scope for its
                // reverse code, never hoisted (deeper ones are, as usual).
                if single_pass.contains_key(&site(s)) {
                    for s in body {
                        if let Stmt::Let { var, .. } = s {
                            in_single_pass.insert(*var);
                        }
                    }
                }
            }
        }
        let mut decl_depth = HashMap::new();
        fn depths(block: &[Stmt], depth: usize, out: &mut HashMap<VarId, usize>) {
            for s in block {
                match s {
                    Stmt::Let { var, .. } => {
                        out.insert(*var, depth);
                    }
                    Stmt::If { then, els, .. } => {
                        depths(then, depth + 1, out);
                        depths(els, depth + 1, out);
                    }
                    Stmt::Loop { header, body } => {
                        if let Header::For { var: Some(v), .. } = header {
                            out.insert(*v, depth + 1);
                        }
                        depths(body, depth + 1, out);
                    }
                    _ => {}
                }
            }
        }
        depths(&primal.stmts, 0, &mut decl_depth);
        let mut assigned = HashSet::new();
        let mut loop_vars = HashSet::new();
        let mut pushed = HashSet::new();
        walk(&primal.stmts, &mut |s| match s {
            Stmt::Assign { place, .. } => {
                assigned.insert(place.var());
            }
            // (A `Vec` grown by `push` changes length.)
            Stmt::Push { stack, .. } => {
                assigned.insert(*stack);
                if act.is_active(*stack) {
                    pushed.insert(*stack);
                }
            }
            Stmt::Loop {
                header: Header::For { var: Some(v), .. },
                ..
            } => {
                loop_vars.insert(*v);
            }
            _ => {}
        });
        let stable: HashSet<VarId> = (0..prog.vars.len())
            .filter(|v| {
                !assigned.contains(v)
                    && !prog.vars[*v].slot
                    && !prog.vars[*v].volatile
                    && (loop_vars.contains(v)
                        || matches!(prog.vars[*v].kind, VarKind::Param(_))
                        || decl_depth.get(v).copied().unwrap_or(usize::MAX) == 0)
            })
            .collect();
        let mut hoisted = HashSet::new();
        walk(&primal.stmts, &mut |s| match s {
            Stmt::Let { var, .. } if !in_single_pass.contains(var) => {
                let deep = decl_depth.get(var).copied().unwrap_or(0) > 0;
                let keep = needed.contains(var) || (act.is_active(*var) && prog.vars[*var].array);
                if deep && keep && recomputable(prog, s, save_costly).is_none() {
                    hoisted.insert(*var);
                }
            }
            Stmt::Loop {
                header: Header::For {
                    var: Some(v), iter, ..
                },
                ..
            } if needed.contains(v) && simple_range(iter).is_none() => {
                hoisted.insert(*v);
            }
            _ => {}
        });
        // Helpers' tuple results (read by member).
        let mut tuples = HashSet::new();
        walk(&primal.stmts, &mut |s| {
            let mut note = |e: &Expr| {
                e.visit(&mut |e| {
                    if let Expr::Field(t, _) = e {
                        tuples.extend(t.as_var());
                    }
                })
            };
            match s {
                Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => note(expr),
                _ => {}
            }
        });
        let shaped: HashSet<VarId> = hoisted
            .iter()
            .copied()
            .filter(|v| prog.vars[*v].array || tuples.contains(v))
            .collect();
        Adjoint {
            prog,
            index,
            extent,
            in_loop,
            reads_before_restore,
            reads_after_restore,
            at_site,
            primal,
            single_pass,
            pass_values: HashMap::new(),
            pass_entries: HashMap::new(),
            in_pass: HashSet::new(),
            words: None,
            act,
            needed,
            hoisted,
            decl_depth,
            decls: Vec::new(),
            saves: HashMap::new(),
            decisions: HashMap::new(),
            counts: HashMap::new(),
            loop_var_saves: HashMap::new(),
            anchors: HashMap::new(),
            stable,
            static_loops: HashSet::new(),
            unread_overwrites: HashSet::new(),
            adj: HashMap::new(),
            save_costly,
            split,
            pullbacks: HashMap::new(),
            pullback_here: None,
            split_used: false,
            opaque_saves: HashMap::new(),
            pushed,
            shaped,
        }
    }

    /// The whole generated body, and the variables its reverse sweep reads.
    fn run(mut self) -> (Vjp, HashSet<VarId>, Vec<HashSet<VarId>>) {
        let primal = std::mem::take(&mut self.primal);
        if !self.prog.matrix {
            self.unread_overwrites =
                unread_overwrites(&primal.stmts, &self.single_pass, &self.prog.outputs);
        }
        let mut accumulated = HashSet::new();
        for s in &primal.stmts {
            if let Stmt::Loop { body, .. } = s {
                if self.single_pass.contains_key(&site(s)) {
                    accumulated.extend(accumulators_of(body));
                }
            }
        }
        // Hoisted declarations.
        let mut hoisted: Vec<VarId> = self.hoisted.iter().copied().collect();
        hoisted.sort_unstable();
        for v in hoisted {
            let ty = find_let_type(&primal.stmts, v);
            self.decls.push(Stmt::Let {
                var: v,
                ty,
                expr: Expr::Fresh {
                    stack: false,
                    words: false,
                },
                span: Span::call_site(),
            });
        }
        let forward = self.fwd(&primal.stmts, 0, 0);

        // The value, captured before the reverse sweep restores anything
        // (only slots and arrays can change).
        let mut tail = Vec::new();
        let mut out_values = Vec::new();
        for r in &primal.ret {
            if let Some(x) = r.as_var().filter(|x| accumulated.contains(x)) {
                // Read right after its single-pass loop, in the reverse sweep.
                let v = self.prog.derived("value");
                self.pass_values.insert(x, v);
                out_values.push(Expr::var(v));
                continue;
            }
            let changes = r
                .as_var()
                .is_some_and(|x| self.prog.vars[x].slot || self.prog.vars[x].array);
            if !changes {
                out_values.push(r.clone());
                continue;
            }
            let v = self.prog.derived("value");
            let expr = match r.as_var() {
                Some(x) if self.prog.vars[x].array && self.needed.contains(&x) => {
                    Expr::Rule("clone", vec![r.clone()])
                }
                _ => r.clone(),
            };
            tail.push(Stmt::Let {
                var: v,
                ty: None,
                expr,
                span: Span::call_site(),
            });
            out_values.push(Expr::var(v));
        }

        let values_in_tail = tail.len();
        // Seeds: the returned variable's adjoint is the seed itself, or a
        // copy of it when it is updated in place.
        let mut seed = None;
        if let [r] = primal.ret.as_slice() {
            let s = self.prog.derived("dout");
            seed = Some(s);
            if let Some(x) = r.as_var() {
                if self.act.is_active(x) {
                    if self.prog.vars[x].slot || self.prog.vars[x].array {
                        let xb = self.adjoint_var(x);
                        tail.push(Stmt::Let {
                            var: xb,
                            ty: None,
                            expr: Expr::var(s),
                            span: Span::call_site(),
                        });
                        self.adj.insert(x, xb);
                    } else {
                        self.adj.insert(x, s);
                    }
                }
            }
        }
        // An in/out buffer's cotangent buffer (Enzyme's `Duplicated`) comes
        // in holding the cotangent of the final contents and is the adjoint
        // of the buffer itself: the reverse sweep leaves in it the cotangent
        // of the initial contents.
        let mut buffer_seeds = Vec::new();
        for &o in &self.prog.outputs.clone() {
            let s = self.adjoint_var(o);
            buffer_seeds.push(s);
            self.adj.insert(o, s);
        }

        // Output buffers hold the result: keep their final contents across
        // the restores of the reverse sweep.
        let mut keep = Vec::new();
        for &o in &self.prog.outputs.clone() {
            if self.needed.contains(&o) {
                let k = self.prog.derived(&format!("{}_final", self.prog.name(o)));
                tail.push(Stmt::Let {
                    var: k,
                    ty: None,
                    expr: Expr::Rule("to_vec", vec![Expr::var(o)]),
                    span: Span::call_site(),
                });
                keep.push((o, k));
            }
        }

        let mut reverse = self.rev(&primal.stmts, 0, 0);
        let mut reads = HashSet::new();
        collect_reads(&reverse, &mut reads);
        for (o, k) in keep {
            // (The rows of a 2-D buffer may be `Vec`s.)
            let copy = if self.prog.vars[o].nested {
                quote!(clone_from_slice)
            } else {
                quote!(copy_from_slice)
            };
            let (o, k) = (self.prog.name(o).clone(), self.prog.name(k).clone());
            reverse.push(Stmt::Opaque(quote!(#o.#copy(&#k);), vec![]));
        }

        let mut ret = out_values;
        for &p in &self.prog.active_params.clone() {
            ret.push(match self.adj.get(&p) {
                Some(&pb) => Expr::var(pb),
                None => Expr::ZeroLike(Box::new(Expr::var(p))),
            });
        }
        let mut stmts = std::mem::take(&mut self.decls);
        let stacks = stmts.iter().any(|s| {
            matches!(
                s,
                Stmt::Let {
                    expr: Expr::Fresh { stack: true, .. },
                    ..
                }
            )
        });
        stmts.extend(forward);
        let split = (self.pass_values.is_empty() && self.prog.outputs.is_empty())
            .then_some(stmts.len() + values_in_tail);
        // (Several reverse sweeps cannot share the `Vec`s the first one
        // shrinks back.)
        let shared_forward = (!stacks
            && self.pushed.is_empty()
            && self.pass_values.is_empty()
            && self.prog.outputs.is_empty()
            && seed.is_some())
        .then_some(stmts.len() + values_in_tail);
        stmts.extend(tail);
        stmts.extend(reverse);
        // What must be saved where: read by the reverse code of the
        // statements up to the site's extent.
        let mut prefix = Vec::with_capacity(self.reads_after_restore.len());
        let mut acc = HashSet::new();
        for (before, after) in self
            .reads_before_restore
            .iter()
            .zip(&self.reads_after_restore)
        {
            acc.extend(before.iter().chain(after).copied());
            prefix.push(acc.clone());
        }
        // Outside loops, a statement's read of its own output (before it
        // restores its target) sees the value it wrote: no save for that.
        // Inside a loop, the next iteration overwrites that value: it counts.
        let mut at_site: Vec<HashSet<VarId>> = (0..self.extent.len())
            .map(|i| {
                let e = self.extent[i];
                if self.in_loop[i] {
                    return prefix[e].clone();
                }
                let mut s: HashSet<VarId> = if i == 0 {
                    HashSet::new()
                } else {
                    prefix[i - 1].clone()
                };
                s.extend(self.reads_after_restore[i].iter().copied());
                s
            })
            .collect();
        self.unread_scalar_saves(&primal.stmts, &mut Vec::new(), &mut at_site);
        (
            Vjp {
                body: Body { stmts, ret },
                seed,
                buffer_seeds,
                shared_forward,
                split,
                values: primal.ret.len(),
                split_calls: self.split_used,
                words: self.words,
                floats: self.floats(&primal.stmts),
            },
            reads,
            at_site,
        )
    }

    /// Drops from `at_site` the scalars whose overwritten values nothing
    /// reads. The value a write of `v` overwrites is read again only by the
    /// reverse code of the statements run between the write that produced
    /// it and this one (their reverse code runs after this write's, which
    /// would restore it): when none of them reads `v` (`s += x` in a loop,
    /// read only after the loop), the write saves nothing. `chain`: the
    /// blocks around the statement visited and its position in each.
    fn unread_scalar_saves<'b>(
        &self,
        block: &'b [Stmt],
        chain: &mut Vec<(&'b [Stmt], usize)>,
        at_site: &mut [HashSet<VarId>],
    ) {
        for (pos, s) in block.iter().enumerate() {
            chain.push((block, pos));
            match s {
                Stmt::If { then, els, .. } => {
                    self.unread_scalar_saves(then, chain, at_site);
                    self.unread_scalar_saves(els, chain, at_site);
                }
                Stmt::Loop { body, .. } => self.unread_scalar_saves(body, chain, at_site),
                Stmt::Assign {
                    place: Place::Var(v),
                    ..
                }
                | Stmt::Let { var: v, .. } => {
                    let i = self.index[&site(s)];
                    if at_site[i].contains(v)
                        && !self.prog.vars[*v].array
                        && !self.read_since_last_write(chain, *v)
                    {
                        at_site[i].remove(v);
                    }
                }
                _ => {}
            }
            chain.pop();
        }
    }

    /// Whether the reverse code of a statement that can run between the
    /// previous write of `v` and the write at the end of `chain` reads `v`
    /// (conservatively: any statement in between in the text).
    fn read_since_last_write(&self, chain: &[(&[Stmt], usize)], v: VarId) -> bool {
        let num = |s: &Stmt| self.index[&site(s)];
        let Some(&(block, pos)) = chain.last() else {
            return true;
        };
        let write = &block[pos];
        if self.reads_after_restore[num(write)].contains(&v) {
            return true;
        }
        for level in (0..chain.len()).rev() {
            let (block, pos) = chain[level];
            if let Some(read) = self.scan_back(&block[..pos], v) {
                return read;
            }
            if level == 0 {
                // The function's start: nothing before the definition.
                return false;
            }
            let (outer, at) = chain[level - 1];
            let parent = &outer[at];
            if self.rev_reads(num(parent), v) || self.single_pass.contains_key(&site(parent)) {
                // (An iteration of a single-pass loop runs its reverse code
                // right after it: what it starts from is left alone.)
                return true;
            }
            if let Stmt::Loop { .. } = parent {
                // The previous iteration: the rest of the body, then the
                // statement holding the write.
                if self.scan_back(&block[pos..], v) == Some(true) {
                    return true;
                }
            }
        }
        false
    }

    /// Follows the paths through `stmts` backwards from their end:
    /// `Some(true)` if the reverse code of a statement on one of them reads
    /// `v` before (backwards) a write of `v`, `Some(false)` if every path
    /// meets such a write first, `None` if some path crosses `stmts` meeting
    /// neither. A write counts with the reads of its reverse code made before
    /// it restores `v` (those of the value it wrote; the forward sweep of the
    /// first pass saves every assigned variable, so the rest read the value
    /// before it); a `let` with all of them (there is no value before it).
    fn scan_back(&self, stmts: &[Stmt], v: VarId) -> Option<bool> {
        for s in stmts.iter().rev() {
            let i = self.index[&site(s)];
            let found = match s {
                Stmt::If { then, els, .. } => {
                    match (self.scan_back(then, v), self.scan_back(els, v)) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => self.rev_reads(i, v).then_some(true),
                    }
                }
                // Zero or more iterations: never a write on every path.
                Stmt::Loop { body, .. } => (self.single_pass.contains_key(&site(s))
                    || self.rev_reads(i, v)
                    || self.scan_back(body, v) == Some(true))
                .then_some(true),
                Stmt::Assign {
                    place: Place::Var(w),
                    ..
                } if *w == v => Some(self.reads_before_restore[i].contains(&v)),
                Stmt::Let { var: w, .. } if *w == v => Some(self.rev_reads(i, v)),
                _ => self.rev_reads(i, v).then_some(true),
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Whether the reverse code of statement `i` reads `v`.
    fn rev_reads(&self, i: usize, v: VarId) -> bool {
        self.reads_before_restore[i].contains(&v) || self.reads_after_restore[i].contains(&v)
    }

    /// Whether the value of `v` overwritten at `stmt` must be saved.
    fn needs(&self, stmt: &Stmt, v: VarId) -> bool {
        if !self.needed.contains(&v) {
            return false;
        }
        match (&self.at_site, self.index.get(&site(stmt))) {
            (Some(at), Some(&i)) => at[i].contains(&v),
            _ => true,
        }
    }

    fn stack(&mut self, base: &str) -> VarId {
        let s = self.prog.derived(base);
        self.decls.push(Stmt::Let {
            var: s,
            ty: None,
            expr: Expr::Fresh {
                stack: true,
                words: false,
            },
            span: Span::call_site(),
        });
        s
    }

    /// Records a value for the reverse sweep: in a local at the top level,
    /// in a local declared at the top of the function inside branches that
    /// run at most once, on a stack inside loops.
    fn record(
        &mut self,
        value: Expr,
        base: &str,
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) -> Record {
        if depth == 0 {
            let v = self.prog.derived(base);
            out.push(Stmt::Let {
                var: v,
                ty: None,
                expr: value,
                span: Span::call_site(),
            });
            Record::Local(v)
        } else if loops == 0 {
            let v = self.prog.derived(base);
            self.decls.push(Stmt::Let {
                var: v,
                ty: None,
                expr: Expr::Fresh {
                    stack: false,
                    words: false,
                },
                span: Span::call_site(),
            });
            out.push(Stmt::Assign {
                place: Place::Var(v),
                op: AssignOp::Set,
                expr: value,
                span: Span::call_site(),
            });
            Record::Local(v)
        } else {
            let s = self.stack(&format!("{base}_stack"));
            out.push(Stmt::Push { stack: s, value });
            Record::Stack(s)
        }
    }

    /// Records the current value of `place` before it is overwritten.
    fn save(&mut self, place: &Place, depth: usize, loops: usize, out: &mut Block) -> Record {
        // Inside loops, active scalars (floats) go to the one `Words` stack.
        let v = place.var();
        let scalar = match place {
            Place::Var(_) => !self.prog.vars[v].array && !self.shaped.contains(&v),
            Place::Index(..) => true,
            Place::Field(..) => false,
        };
        if depth > 0 && loops > 0 && !self.prog.matrix && scalar && self.act.is_active(v) {
            let words = self.words();
            out.push(Stmt::Push {
                stack: words,
                value: place.read(),
            });
            return Record::Stack(words);
        }
        let base = format!("{}_saved", self.prog.name(v));
        self.record(place.read(), &base, depth, loops, out)
    }

    /// The one `Words` stack of the function, declared on first use.
    fn words(&mut self) -> VarId {
        if let Some(w) = self.words {
            return w;
        }
        let w = self.prog.derived("saved");
        self.decls.push(Stmt::Let {
            var: w,
            ty: None,
            expr: Expr::Fresh {
                stack: true,
                words: true,
            },
            span: Span::call_site(),
        });
        self.words = Some(w);
        w
    }

    fn restore(place: &Place, record: &Record) -> Stmt {
        let value = match record {
            Record::Local(v) => Expr::var(*v),
            Record::Stack(s) => Expr::Pop(*s),
            Record::Here(e) => e.clone(),
        };
        Stmt::Assign {
            place: place.clone(),
            op: AssignOp::Set,
            expr: value,
            span: Span::call_site(),
        }
    }

    /// A call of a differentiated function whose value `target` is active,
    /// made in split form: `let pair = __ad_split_g(args);` runs the
    /// callee's forward sweep once and gives its value and its pullback,
    /// which is recorded (in a local at the top level, on a stack of its
    /// own elsewhere) for the reverse sweep to call. Returns the value
    /// (`pair.0`) to bind, or `None` for a call made in joint mode.
    ///
    /// Calls by a path that names a type (`Self::g`, `Model::g`) may be
    /// methods, which have no split form: joint mode.
    fn split_call(
        &mut self,
        stmt: &Stmt,
        target: VarId,
        expr: &Expr,
        depth: usize,
        out: &mut Block,
    ) -> Option<Expr> {
        let Expr::Call2 {
            path,
            args,
            method: false,
        } = expr
        else {
            return None;
        };
        let typed = path.segments.len() > 1
            && path.segments.iter().rev().skip(1).any(|s| {
                let n = s.ident.to_string();
                n == "Self" || n.starts_with(|c: char| c.is_ascii_uppercase())
            });
        let own = self.split?;
        let recursive = path.segments.last().is_some_and(|s| s.ident == *own);
        if typed || recursive || !self.act.is_active(target) {
            return None;
        }
        let span = match stmt {
            Stmt::Let { span, .. } | Stmt::Assign { span, .. } => *span,
            _ => Span::call_site(),
        };
        let pair = self.prog.derived("split");
        let mut args = args.clone();
        args.push(self.tape());
        out.push(Stmt::Let {
            var: pair,
            ty: None,
            expr: Expr::Call2 {
                path: wrapper(path, "split"),
                args,
                method: false,
            },
            span,
        });
        let pullback = Expr::Field(Box::new(Expr::var(pair)), 1);
        let record = if depth == 0 {
            let v = self.prog.derived("pullback");
            out.push(Stmt::Let {
                var: v,
                ty: None,
                expr: pullback,
                span,
            });
            Record::Local(v)
        } else {
            // Closures have no default value: a stack even outside loops.
            let s = self.stack("pullbacks");
            out.push(Stmt::Push {
                stack: s,
                value: pullback,
            });
            Record::Stack(s)
        };
        self.pullbacks.insert(site(stmt), record);
        self.split_used = true;
        Some(Expr::Field(Box::new(Expr::var(pair)), 0))
    }

    /// See [`Vjp::floats`].
    fn floats(&self, block: &[Stmt]) -> HashSet<VarId> {
        let mut out = HashSet::new();
        if self.prog.matrix {
            return out;
        }
        walk(block, &mut |s| {
            if let Stmt::Let { var, expr, .. } = s {
                let arithmetic = matches!(
                    expr,
                    Expr::Call(..) | Expr::Bin(..) | Expr::Neg(_) | Expr::Partial { .. }
                );
                if arithmetic && self.act.is_active(*var) && !self.prog.vars[*var].array {
                    out.insert(*var);
                }
            }
        });
        out
    }

    /// The stream of saved values, lent to a split form or its pullback:
    /// `::ad::__rt::tape(&mut saved)`.
    fn tape(&mut self) -> Expr {
        let w = self.words();
        self.prog.vars[w].mutable = true;
        let name = self.prog.name(w).clone();
        Expr::Opaque(quote!(::ad::__rt::tape(&mut #name)), vec![w])
    }

    // ----- forward sweep ---------------------------------------------------

    fn fwd(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let mut out = Vec::new();
        for stmt in block {
            match stmt {
                Stmt::Let {
                    var, expr, span, ..
                } if self.hoisted.contains(var) => {
                    let place = Place::Var(*var);
                    if loops > 0 && self.needs(stmt, *var) {
                        let r = self.save(&place, depth, loops, &mut out);
                        self.saves.insert(site(stmt), r);
                    }
                    let expr = self
                        .split_call(stmt, *var, expr, depth, &mut out)
                        .unwrap_or_else(|| expr.clone());
                    out.push(Stmt::Assign {
                        place,
                        op: AssignOp::Set,
                        expr,
                        span: *span,
                    });
                }
                Stmt::Let {
                    var,
                    ty,
                    expr: expr @ Expr::Call2 { .. },
                    span,
                } => {
                    let expr = self
                        .split_call(stmt, *var, expr, depth, &mut out)
                        .unwrap_or_else(|| expr.clone());
                    out.push(Stmt::Let {
                        var: *var,
                        ty: ty.clone(),
                        expr,
                        span: *span,
                    });
                }
                Stmt::Assign {
                    place,
                    op,
                    expr,
                    span,
                } => {
                    if self.needs(stmt, place.var())
                        && !self.in_pass.contains(&place.var())
                        && !self.unread_overwrites.contains(&site(stmt))
                    {
                        let r = self.save(place, depth, loops, &mut out);
                        self.saves.insert(site(stmt), r);
                    }
                    let split = match (place, op) {
                        (Place::Var(v), AssignOp::Set) => {
                            self.split_call(stmt, *v, expr, depth, &mut out)
                        }
                        _ => None,
                    };
                    match split {
                        Some(expr) => out.push(Stmt::Assign {
                            place: place.clone(),
                            op: *op,
                            expr,
                            span: *span,
                        }),
                        None => out.push(stmt.clone()),
                    }
                }
                Stmt::If { cond, then, els } => {
                    // In a loop, a branch that runs to its end records which
                    // it was there, after everything it saved, in the one
                    // stream of saved values (the reverse sweep reads it
                    // first); one that may leave the loop records it before.
                    let at_end =
                        depth > 0 && loops > 0 && !self.prog.matrix && !exits(then) && !exits(els);
                    let record = if depth == 0 {
                        Record::Here(cond.clone())
                    } else if at_end {
                        Record::Stack(self.words())
                    } else {
                        self.record(cond.clone(), "branch", depth, loops, &mut out)
                    };
                    self.decisions.insert(site(stmt), record);
                    let mut then = self.fwd(then, depth + 1, loops);
                    let mut els = self.fwd(els, depth + 1, loops);
                    if at_end {
                        let words = self.words();
                        for (block, taken) in [(&mut then, quote!(true)), (&mut els, quote!(false))]
                        {
                            block.push(Stmt::Push {
                                stack: words,
                                value: Expr::constant(taken),
                            });
                        }
                    }
                    out.push(Stmt::If {
                        cond: cond.clone(),
                        then,
                        els,
                    });
                }
                Stmt::Loop { body, .. } if self.single_pass.contains_key(&site(stmt)) => {
                    // Runs in the reverse sweep, values and adjoints together.
                    // Accumulators read before the loop: their entry values.
                    let mut before = HashSet::new();
                    let at = block
                        .iter()
                        .position(|s| site(s) == site(stmt))
                        .unwrap_or(0);
                    collect_reads(&block[..at], &mut before);
                    let mut entries = Vec::new();
                    for acc in accumulators_of(body) {
                        if before.contains(&acc) {
                            let name = format!("{}_entry", self.prog.name(acc));
                            let r = self.record(Expr::var(acc), &name, depth, loops, &mut out);
                            entries.push((acc, r));
                        }
                    }
                    self.pass_entries.insert(site(stmt), entries);
                }
                Stmt::Loop {
                    header: Header::For { var, iter, reads },
                    body,
                } if self.is_static(iter, reads, body) => {
                    // Replayed backwards from its bounds: nothing recorded.
                    self.static_loops.insert(site(stmt));
                    let fbody = self.fwd(body, depth + 1, loops + 1);
                    out.push(Stmt::Loop {
                        header: Header::For {
                            var: *var,
                            iter: iter.clone(),
                            reads: reads.clone(),
                        },
                        body: fbody,
                    });
                }
                Stmt::Loop { header, body } => {
                    let n = self.prog.derived("trips");
                    self.prog.vars[n].slot = true;
                    out.push(Stmt::Let {
                        var: n,
                        ty: None,
                        expr: Expr::constant(quote!(0usize)),
                        span: Span::call_site(),
                    });
                    let mut fbody = vec![Stmt::Assign {
                        place: Place::Var(n),
                        op: AssignOp::Add,
                        expr: Expr::constant(quote!(1)),
                        span: Span::call_site(),
                    }];
                    let range = match header {
                        Header::For { iter, .. } => simple_range(iter),
                        _ => None,
                    };
                    let header = match (header, range) {
                        (Header::For { var, reads, .. }, Some(r)) => {
                            // Name the end the reverse sweep rebuilds the indices from.
                            let anchor =
                                self.prog.derived(if r.reversed { "end" } else { "start" });
                            let (lo, hi) = (&r.start, &r.end);
                            out.push(Stmt::Let {
                                var: anchor,
                                ty: None,
                                expr: Expr::Opaque(
                                    if r.reversed { hi.clone() } else { lo.clone() },
                                    reads.clone(),
                                ),
                                span: Span::call_site(),
                            });
                            let a = self.prog.name(anchor).clone();
                            let dots = if r.inclusive { quote!(..=) } else { quote!(..) };
                            let iter = if r.reversed {
                                quote!((#lo #dots #a).rev())
                            } else {
                                quote!(#a #dots #hi)
                            };
                            let record = if depth == 0 {
                                Record::Here(Expr::var(anchor))
                            } else {
                                self.record(Expr::var(anchor), "range", depth, loops, &mut out)
                            };
                            self.anchors.insert(site(stmt), record);
                            let mut reads = reads.clone();
                            reads.push(anchor);
                            Header::For {
                                var: *var,
                                iter,
                                reads,
                            }
                        }
                        (
                            Header::For {
                                var: Some(v),
                                iter,
                                reads,
                            },
                            None,
                        ) if self.hoisted.contains(v) => {
                            let it = self.prog.derived(&format!("{}_next", self.prog.name(*v)));
                            let place = Place::Var(*v);
                            if self.needs(stmt, *v) {
                                if let Record::Stack(s) =
                                    self.save(&place, depth + 1, loops + 1, &mut fbody)
                                {
                                    self.loop_var_saves.insert(site(stmt), s);
                                }
                            }
                            fbody.push(Stmt::Assign {
                                place,
                                op: AssignOp::Set,
                                expr: Expr::var(it),
                                span: Span::call_site(),
                            });
                            Header::For {
                                var: Some(it),
                                iter: iter.clone(),
                                reads: reads.clone(),
                            }
                        }
                        (h, _) => h.clone(),
                    };
                    fbody.extend(self.fwd(body, depth + 1, loops + 1));
                    out.push(Stmt::Loop {
                        header,
                        body: fbody,
                    });
                    let record = if depth == 0 {
                        Record::Here(Expr::var(n))
                    } else {
                        self.record(Expr::var(n), "trips", depth, loops, &mut out)
                    };
                    self.counts.insert(site(stmt), record);
                }
                Stmt::Opaque(tokens, reads) => {
                    // `v.push(i)`, `shift(&mut k)`: save what the reverse
                    // sweep reads of the variables it changes.
                    let mut saved = Vec::new();
                    for v in changed_by(self.prog, tokens, reads) {
                        if self.needs(stmt, v) {
                            // A copy: the variable may be a `Vec`.
                            let base = format!("{}_saved", self.prog.name(v));
                            let copy = Expr::Rule("clone", vec![Expr::var(v)]);
                            let r = self.record(copy, &base, depth, loops, &mut out);
                            saved.push((v, r));
                        }
                    }
                    if !saved.is_empty() {
                        self.opaque_saves.insert(site(stmt), saved);
                    }
                    out.push(stmt.clone());
                }
                _ => out.push(stmt.clone()),
            }
        }
        out
    }

    // ----- reverse sweep ---------------------------------------------------

    /// A loop over a simple range whose bounds read only stable variables and
    /// whose body cannot leave it early: every iteration runs, so the
    /// reverse sweep replays `(a..b).rev()` without any record.
    fn is_static(&self, iter: &TokenStream, reads: &[VarId], body: &[Stmt]) -> bool {
        simple_range(iter).is_some()
            && reads.iter().all(|v| self.stable.contains(v))
            && !exits(body)
    }

    /// Whether the variable's value can be read in the reverse sweep.
    fn available(&self, v: VarId) -> bool {
        matches!(self.prog.vars[v].kind, VarKind::Param(_))
            || self.decl_depth.get(&v).copied().unwrap_or(0) == 0
            || self.hoisted.contains(&v)
    }

    /// A new adjoint variable `v_bar`, an array where `v` is one (so that
    /// taking it leaves a zero of its shape).
    fn adjoint_var(&mut self, v: VarId) -> VarId {
        let vb = self.prog.derived(&format!("{}_bar", self.prog.name(v)));
        self.prog.vars[vb].array = self.prog.vars[v].array;
        vb
    }

    /// A zero adjoint for `v`, declared before a branch or loop that adds to it.
    fn declare_zero(&mut self, v: VarId, out: &mut Block) -> VarId {
        let vb = self.adjoint_var(v);
        let zero = if self.available(v) {
            Expr::ZeroLike(Box::new(Expr::var(v)))
        } else {
            Expr::constant(quote!(0.0))
        };
        out.push(Stmt::Let {
            var: vb,
            ty: None,
            expr: zero,
            span: Span::call_site(),
        });
        self.adj.insert(v, vb);
        vb
    }

    /// Adds `c` (or `-c`) to the adjoint of a target.
    fn accumulate(&mut self, target: Target, c: Expr, sub: bool, span: Span, out: &mut Block) {
        let op = if sub { AssignOp::Sub } else { AssignOp::Add };
        match target {
            // A whole array (a copy `let w = v.clone();`): added element by
            // element, the cotangent borrowed (it may be read again).
            Target::Var(v) if self.prog.vars[v].array && !sub => {
                let vb = match self.adj.get(&v) {
                    Some(&vb) => vb,
                    None => self.declare_zero(v, out),
                };
                out.push(Stmt::Assign {
                    place: Place::Var(vb),
                    op: AssignOp::Acc,
                    expr: Expr::Ref(Box::new(c)),
                    span,
                });
            }
            Target::Var(v) => match self.adj.get(&v) {
                Some(&vb) => out.push(Stmt::Assign {
                    place: Place::Var(vb),
                    op,
                    expr: c,
                    span,
                }),
                None => {
                    let vb = self.adjoint_var(v);
                    self.adj.insert(v, vb);
                    let expr = if sub { Expr::Neg(Box::new(c)) } else { c };
                    out.push(Stmt::Let {
                        var: vb,
                        ty: None,
                        expr,
                        span,
                    });
                }
            },
            // `accumulate(&mut t_bar.k, c)`, whatever the member's type.
            Target::Field(t, k) => {
                let tb = match self.adj.get(&t) {
                    Some(&tb) => tb,
                    None => self.declare_zero(t, out),
                };
                out.push(Stmt::Assign {
                    place: Place::Field(tb, k),
                    op: AssignOp::Acc,
                    expr: c,
                    span,
                });
            }
            Target::Index(a, i) => {
                let ab = match self.adj.get(&a) {
                    Some(&ab) => ab,
                    None => self.declare_zero(a, out),
                };
                // A range (`x[a..b].to_vec()`) or a row of a 2-D array
                // (`a[r].to_vec()`, `a[r][1..].to_vec()`): added element by
                // element, the cotangent borrowed.
                let range = matches!(i, Expr::Range { .. });
                let row = self.prog.vars[a].nested
                    && !matches!(&i, Expr::Tuple(ix) if !matches!(ix.last(), Some(Expr::Range { .. })));
                let (op, expr) = if range || row {
                    (AssignOp::Acc, Expr::Ref(Box::new(c)))
                } else {
                    (op, c)
                };
                out.push(Stmt::Assign {
                    place: Place::Index(ab, i),
                    op,
                    expr,
                    span,
                });
            }
        }
    }

    /// The adjoints touched inside a nested block that must exist before it.
    fn declare_touched(&mut self, inner: &[Stmt], out: &mut Block) {
        let mut declared_inside = HashSet::new();
        walk(inner, &mut |s| {
            if let Stmt::Let { var, .. } = s {
                declared_inside.insert(*var);
            }
            if let Stmt::Loop {
                header: Header::For { var: Some(v), .. },
                ..
            } = s
            {
                declared_inside.insert(*v);
            }
        });
        let mut touched = Vec::new();
        walk(inner, &mut |s| {
            let mut note = |v: VarId| {
                if !touched.contains(&v) {
                    touched.push(v);
                }
            };
            match s {
                Stmt::Let { expr, .. } => differentiable_reads(expr, &mut note),
                Stmt::Assign { place, expr, .. } => {
                    note(place.var());
                    differentiable_reads(expr, &mut note);
                }
                _ => {}
            }
        });
        for v in touched {
            if self.act.is_active(v) && !declared_inside.contains(&v) && !self.adj.contains_key(&v)
            {
                self.declare_zero(v, out);
            }
        }
    }

    /// A nested reverse block: adjoints declared in it do not outlive it.
    fn nested_rev(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let saved = self.adj.clone();
        let out = self.rev(block, depth, loops);
        self.adj = saved;
        out
    }

    fn rev(&mut self, block: &[Stmt], depth: usize, loops: usize) -> Block {
        let mut out = Vec::new();
        // Recomputable temporaries of this block, by variable.
        let temps: HashMap<VarId, usize> = if depth > 0 {
            block
                .iter()
                .enumerate()
                .filter_map(|(i, s)| recomputable(self.prog, s, self.save_costly).map(|v| (v, i)))
                .collect()
        } else {
            HashMap::new()
        };
        for idx in (0..block.len()).rev() {
            let stmt = &block[idx];
            if depth > 0 && recomputable(self.prog, stmt, self.save_costly).is_some() {
                continue; // reversed with the statement that uses it
            }
            let start = out.len();
            let mut mark = self
                .rev_stmt(block, idx, &temps, depth, loops, &mut out)
                .unwrap_or(start);
            drop_dead_temps(&mut out, start, &mut mark, &temps);
            let (mut before, mut after) = (HashSet::new(), HashSet::new());
            collect_shallow_reads(&out[start..mark], &mut before);
            collect_shallow_reads(&out[mark..], &mut after);
            // The zero adjoint of an array or a helper's result declared in
            // a loop has the shape of this iteration's value, which may
            // differ from the last one's (`d[j..].to_vec()`, a helper's
            // `Vec` of varying length): that reads it.
            for (part, reads) in [(&out[start..mark], &mut before), (&out[mark..], &mut after)] {
                let mut shapes = HashSet::new();
                collect_shallow_shapes(part, &mut shapes);
                reads.extend(shapes.into_iter().filter(|v| self.shaped.contains(v)));
            }
            if let Some(&i) = self.index.get(&site(stmt)) {
                self.reads_before_restore[i].extend(before);
                self.reads_after_restore[i].extend(after);
            }
        }
        out
    }

    /// The reverse of one statement of `block`.
    fn rev_stmt(
        &mut self,
        block: &[Stmt],
        idx: usize,
        temps: &HashMap<VarId, usize>,
        depth: usize,
        loops: usize,
        out: &mut Block,
    ) -> Option<usize> {
        let stmt = &block[idx];
        {
            match stmt {
                Stmt::Let {
                    var, expr, span, ..
                } => {
                    let group = self.group(block, idx, temps);
                    let late = self.recompute_early(block, &group, *var, out);
                    let seed = if self.act.is_active(*var) {
                        self.adj.get(var).copied()
                    } else {
                        None
                    };
                    let place = Place::Var(*var);
                    let write = (&place, expr, stmt, *span);
                    self.pullback_here = self.pullbacks.get(&site(stmt)).cloned();
                    let at = self.reverse_write(block, &group, &late, write, seed, out);
                    self.pullback_here = None;
                    return Some(at);
                }
                Stmt::Assign {
                    place,
                    op,
                    expr,
                    span,
                } => {
                    let group = self.group(block, idx, temps);
                    let target = place.var();
                    let late = self.recompute_early(block, &group, target, out);
                    let active = self.act.is_active(target);
                    let adj_place = if active {
                        self.adj.get(&target).map(|&tb| place.of(tb))
                    } else {
                        None
                    };
                    let seed = adj_place.map(|ap| {
                        let sb = self
                            .prog
                            .derived(&format!("{}_seed", self.prog.name(target)));
                        let e = match op {
                            AssignOp::Set => Expr::Take(Box::new(ap)),
                            AssignOp::Add | AssignOp::Acc => ap.read(),
                            AssignOp::Sub => Expr::Neg(Box::new(ap.read())),
                        };
                        out.push(Stmt::Let {
                            var: sb,
                            ty: None,
                            expr: e,
                            span: *span,
                        });
                        sb
                    });
                    let write = (place, expr, stmt, *span);
                    self.pullback_here = self.pullbacks.get(&site(stmt)).cloned();
                    let mark = self.reverse_write(block, &group, &late, write, seed, out);
                    self.pullback_here = None;
                    // A `Vec` grown by `push` got back its old value, maybe
                    // of another length: so does its adjoint (zero).
                    if let (Place::Var(v), AssignOp::Set, Some(_)) = (place, op, seed) {
                        if self.pushed.contains(v) {
                            let vb = self.adj[v];
                            out.push(Stmt::Assign {
                                place: Place::Var(vb),
                                op: AssignOp::Set,
                                expr: Expr::ZeroLike(Box::new(Expr::var(*v))),
                                span: *span,
                            });
                        }
                    }
                    return Some(mark);
                }
                // `v.push(e)`: the `Vec` shrinks back, and the pushed
                // element's cotangent comes off the end of its adjoint.
                // Its value's temporaries are computed again after the pop,
                // as they were before the push (`v.push(v[v.len() - 1])`).
                Stmt::Push { stack, value } if self.pushed.contains(stack) => {
                    let group = self.group(block, idx, temps);
                    let mark = out.len();
                    let v = self.prog.name(*stack).clone();
                    out.push(Stmt::Opaque(quote!(#v.pop();), vec![*stack]));
                    let span = Span::call_site();
                    let seed = self.adj.get(stack).copied().map(|vb| {
                        let sb = self.prog.derived(&format!("{v}_seed"));
                        out.push(Stmt::Let {
                            var: sb,
                            ty: None,
                            expr: Expr::Pop(vb),
                            span,
                        });
                        sb
                    });
                    self.reverse_group(
                        block,
                        &group,
                        &group,
                        value,
                        value.clone(),
                        seed,
                        span,
                        out,
                    );
                    return Some(mark);
                }
                Stmt::If { then, els, .. } => {
                    let mut inner: Vec<Stmt> = then.clone();
                    inner.extend(els.iter().cloned());
                    self.declare_touched(&inner, out);
                    let cond = match self.decisions.get(&site(stmt)).cloned() {
                        Some(Record::Here(e)) => e,
                        Some(Record::Local(v)) => Expr::var(v),
                        Some(Record::Stack(s)) => Expr::Pop(s),
                        None => Expr::constant(quote!(false)),
                    };
                    let then = self.nested_rev(then, depth + 1, loops);
                    let els = self.nested_rev(els, depth + 1, loops);
                    out.push(Stmt::If { cond, then, els });
                }
                Stmt::Loop { header, body } if self.single_pass.contains_key(&site(stmt)) => {
                    self.declare_touched(body, out);
                    // Each iteration: its values, then their adjoints. Straight
                    // code records nothing; otherwise the iteration's forward
                    // sweep records what its own reverse sweep reads.
                    let mut combined = if self.single_pass[&site(stmt)] {
                        body.clone()
                    } else {
                        self.in_pass = accumulators_of(body).into_iter().collect();
                        let fwd = self.fwd(body, 0, 0);
                        self.in_pass.clear();
                        fwd
                    };
                    combined.extend(self.nested_rev(body, 0, 0));
                    out.push(Stmt::Loop {
                        header: header.clone(),
                        body: combined,
                    });
                    let mut values: Vec<(VarId, VarId)> =
                        self.pass_values.iter().map(|(a, b)| (*a, *b)).collect();
                    values.sort_unstable();
                    for (acc, v) in values {
                        let mut written = false;
                        walk(body, &mut |s| {
                            if let Stmt::Assign { place, .. } = s {
                                written |= place.var() == acc;
                            }
                        });
                        if written {
                            out.push(Stmt::Let {
                                var: v,
                                ty: None,
                                expr: Expr::var(acc),
                                span: Span::call_site(),
                            });
                        }
                    }
                    // The statements before the loop see the values they saw.
                    for (acc, r) in self.pass_entries.remove(&site(stmt)).unwrap_or_default() {
                        out.push(Self::restore(&Place::Var(acc), &r));
                    }
                }
                Stmt::Loop {
                    header: Header::For { var, iter, reads },
                    body,
                } if self.static_loops.contains(&site(stmt)) => {
                    self.declare_touched(body, out);
                    let r = simple_range(iter).expect("a static loop is over a simple range");
                    let (lo, hi) = (&r.start, &r.end);
                    let dots = if r.inclusive { quote!(..=) } else { quote!(..) };
                    let iter = if r.reversed {
                        quote!(#lo #dots #hi)
                    } else {
                        quote!((#lo #dots #hi).rev())
                    };
                    let rbody = self.nested_rev(body, depth + 1, loops + 1);
                    out.push(Stmt::Loop {
                        header: Header::For {
                            var: *var,
                            iter,
                            reads: reads.clone(),
                        },
                        body: rbody,
                    });
                }
                Stmt::Loop { header, body } => {
                    self.declare_touched(body, out);
                    let count = match self.counts.get(&site(stmt)).cloned() {
                        Some(Record::Here(e)) => e,
                        Some(Record::Local(v)) => Expr::var(v),
                        Some(Record::Stack(s)) => Expr::Pop(s),
                        None => Expr::constant(quote!(0usize)),
                    };
                    let mut rbody = self.nested_rev(body, depth + 1, loops + 1);
                    if let (Header::For { var: Some(v), .. }, Some(&s)) =
                        (header, self.loop_var_saves.get(&site(stmt)))
                    {
                        rbody.push(Self::restore(&Place::Var(*v), &Record::Stack(s)));
                    }
                    let anchor = self.anchors.get(&site(stmt)).cloned();
                    let header = match (header, anchor) {
                        (Header::For { var, iter, .. }, Some(anchor)) => {
                            // The same indices, backwards.
                            let r = simple_range(iter).expect("recorded as a simple range");
                            let (a, n) = (self.prog.derived("anchor"), self.prog.derived("count"));
                            let value = match anchor {
                                Record::Here(e) => e,
                                Record::Local(v) => Expr::var(v),
                                Record::Stack(s) => Expr::Pop(s),
                            };
                            for (v, e) in [(a, value), (n, count)] {
                                out.push(Stmt::Let {
                                    var: v,
                                    ty: None,
                                    expr: e,
                                    span: Span::call_site(),
                                });
                            }
                            let (an, nn) = (self.prog.name(a).clone(), self.prog.name(n).clone());
                            let iter = match (r.reversed, r.inclusive) {
                                (false, _) => quote!(::ad::__rt::indices_back(#an, #nn)),
                                (true, false) => {
                                    quote!(::ad::__rt::indices_back_from_end(#an, #nn))
                                }
                                (true, true) => {
                                    quote!(::ad::__rt::indices_back_from_last(#an, #nn))
                                }
                            };
                            Header::For {
                                var: *var,
                                iter,
                                reads: vec![a, n],
                            }
                        }
                        _ => Header::Times(count),
                    };
                    out.push(Stmt::Loop {
                        header,
                        body: rbody,
                    });
                }
                Stmt::Opaque(..) => {
                    if let Some(saved) = self.opaque_saves.get(&site(stmt)).cloned() {
                        for (v, r) in saved.iter().rev() {
                            out.push(Self::restore(&Place::Var(*v), r));
                        }
                    }
                }
                Stmt::Break | Stmt::Continue | Stmt::Push { .. } => {}
            }
        }
        None
    }

    /// The temporaries (defined earlier in `block`) that the statement at
    /// `idx` reads, directly or through each other, in order.
    fn group(&self, block: &[Stmt], idx: usize, temps: &HashMap<VarId, usize>) -> Vec<usize> {
        let mut found = HashSet::new();
        let mut todo = Vec::new();
        let reads = |s: &Stmt, todo: &mut Vec<VarId>| match s {
            Stmt::Let { expr, .. } | Stmt::Push { value: expr, .. } => {
                expr.for_each_var(&mut |v| todo.push(v))
            }
            Stmt::Assign { place, expr, .. } => {
                expr.for_each_var(&mut |v| todo.push(v));
                if let Place::Index(_, i) = place {
                    i.for_each_var(&mut |v| todo.push(v));
                }
            }
            _ => {}
        };
        reads(&block[idx], &mut todo);
        while let Some(v) = todo.pop() {
            if let Some(&i) = temps.get(&v) {
                if i < idx && found.insert(i) {
                    reads(&block[i], &mut todo);
                }
            }
        }
        let mut group: Vec<usize> = found.into_iter().collect();
        group.sort_unstable();
        group
    }

    /// The reverse code of a write `place = expr` (`write`: with its
    /// statement and span): the target restored, then the contributions of
    /// the statement's group. Where the target is restored, the value the
    /// write produced is read into a `value` variable first, kept only if a
    /// contribution reads it (`exp`'s derivative is its value, `sin`'s
    /// needs its argument only). Returns where the restore starts.
    fn reverse_write(
        &mut self,
        block: &[Stmt],
        group: &[usize],
        late: &[usize],
        (place, expr, stmt, span): (&Place, &Expr, &Stmt, Span),
        seed: Option<VarId>,
        out: &mut Block,
    ) -> usize {
        let restore = self.saves.get(&site(stmt)).cloned();
        if self.pullback_here.is_some() {
            // A call in split form: its pullback reads what the callee
            // saved on the stream after the target's old value, so it runs
            // before the restore; it runs even when nothing reads the value
            // (the stream must be read back in order). It does not read the
            // value.
            let mark = out.len();
            let seed = match seed {
                Some(s) => s,
                None => self.declare_zero(place.var(), out),
            };
            self.reverse_group(
                block,
                group,
                late,
                expr,
                place.read(),
                Some(seed),
                span,
                out,
            );
            if let Some(r) = restore {
                out.push(Self::restore(place, &r));
            }
            return mark;
        }
        let value = restore.is_some().then(|| {
            let y = self.prog.derived("value");
            out.push(Stmt::Let {
                var: y,
                ty: None,
                expr: place.read(),
                span: Span::call_site(),
            });
            y
        });
        let mark = out.len();
        if let Some(r) = restore {
            out.push(Self::restore(place, &r));
        }
        let out_value = value.map_or_else(|| place.read(), Expr::var);
        self.reverse_group(block, group, late, expr, out_value, seed, span, out);
        if let Some(y) = value {
            let mut reads = HashSet::new();
            collect_reads(&out[mark..], &mut reads);
            if !reads.contains(&y) {
                out.remove(mark - 1);
                let name = self.prog.name(y).clone();
                self.prog.names.release(&name);
                return mark - 1;
            }
        }
        mark
    }

    /// Recomputes, before the statement's target is read or restored, the
    /// temporaries of its group that do not read the target (an index such
    /// as `a[i * d + j]` is needed to take `a_bar[..]`); returns the others,
    /// which need the restored target (`a[i] = a[i] * 2.0`).
    fn recompute_early(
        &self,
        block: &[Stmt],
        group: &[usize],
        target: VarId,
        out: &mut Block,
    ) -> Vec<usize> {
        let mut late_vars = HashSet::new();
        let mut late = Vec::new();
        for &i in group {
            let Stmt::Let { var, expr, .. } = &block[i] else {
                continue;
            };
            // Verbatim code such as an index `i % a.len()` reads no element
            // of the target: only differentiable reads make it late.
            let mut reads_late = false;
            differentiable_reads(expr, &mut |v| reads_late |= v == target);
            expr.for_each_var(&mut |v| reads_late |= late_vars.contains(&v));
            if reads_late {
                late_vars.insert(*var);
                late.push(i);
            } else {
                out.push(block[i].clone());
            }
        }
        late
    }

    /// Recomputes a statement's remaining temporaries (`recompute`), then
    /// adds its contributions and those of its whole group.
    #[allow(clippy::too_many_arguments)]
    fn reverse_group(
        &mut self,
        block: &[Stmt],
        group: &[usize],
        recompute: &[usize],
        expr: &Expr,
        out_value: Expr,
        seed: Option<VarId>,
        span: Span,
        out: &mut Block,
    ) {
        for &i in recompute {
            out.push(block[i].clone());
        }
        if let Some(sb) = seed {
            self.contribute(expr, out_value, sb, span, out);
        }
        for &i in group.iter().rev() {
            if let Stmt::Let {
                var, expr, span, ..
            } = &block[i]
            {
                if !self.act.is_active(*var) {
                    continue;
                }
                if let Some(&tb) = self.adj.get(var) {
                    self.contribute(expr, Expr::var(*var), tb, *span, out);
                }
            }
        }
    }

    /// The local vector-Jacobian product of one primitive: the operands'
    /// contributions for the output cotangent `yb`; `y` is the output value.
    fn contribute(&mut self, expr: &Expr, y: Expr, yb: VarId, span: Span, out: &mut Block) {
        let ybar = Expr::var(yb);
        let mut contributions: Vec<(Target, Expr, bool)> = Vec::new();
        // Where an operand's cotangent goes: a variable, a member of a
        // helper's tuple result (`t.0`), or what a copy copies (`clone(&v)`,
        // `to_vec(&x[a..b])`, `to_vec(&a[r])` of a row of a 2-D array).
        fn target_of(e: &Expr) -> Option<Target> {
            match e {
                Expr::Use(Operand::Var(v)) => Some(Target::Var(*v)),
                Expr::Field(t, k) => t.as_var().map(|t| Target::Field(t, *k)),
                Expr::Index(a, i) => Some(Target::Index(*a, (**i).clone())),
                Expr::Rule("clone" | "to_vec", args) => args.first().and_then(target_of),
                _ => None,
            }
        }
        let mut push = |operand: &Expr, c: Expr, sub: bool| {
            if let Some(t) = target_of(operand) {
                contributions.push((t, c, sub));
            }
        };
        match expr {
            Expr::Use(_) => push(expr, ybar, false),
            Expr::Neg(a) => push(a, ybar, true),
            Expr::Bin(op, a, b) => {
                let args = vec![(**a).clone(), (**b).clone(), ybar.clone()];
                match op {
                    BinOp::Add => {
                        push(a, ybar.clone(), false);
                        push(b, ybar, false);
                    }
                    BinOp::Sub => {
                        push(a, ybar.clone(), false);
                        push(b, ybar, true);
                    }
                    BinOp::Mul => {
                        push(a, Expr::Rule("mul::vjp_a", args.clone()), false);
                        push(b, Expr::Rule("mul::vjp_b", args), false);
                    }
                    // `1 / b`: the reciprocal's partial `-z z` (no division;
                    // the same number as `-z / b`, since `z` is `1 / b`).
                    BinOp::Div if !self.prog.matrix && is_one(a) => {
                        let partial = Expr::Partial {
                            func: RECIP,
                            idx: vec![0],
                            args: vec![],
                            out: Some(Box::new(y.clone())),
                        };
                        let c = Expr::Bin(BinOp::Mul, Box::new(ybar), Box::new(partial));
                        push(b, c, false);
                    }
                    // Scalars: the rule table's partials (`1 / b`, `-z / b`),
                    // which share one reciprocal and, not depending on the
                    // cotangent, leave the sweeps of `f_vjp_many`.
                    BinOp::Div if !self.prog.matrix => {
                        for (i, operand) in [a, b].into_iter().enumerate() {
                            let partial = Expr::Partial {
                                func: DIV,
                                idx: vec![i],
                                args: vec![(**a).clone(), (**b).clone()],
                                out: Some(Box::new(y.clone())),
                            };
                            let c =
                                Expr::Bin(BinOp::Mul, Box::new(ybar.clone()), Box::new(partial));
                            push(operand, c, false);
                        }
                    }
                    BinOp::Div => {
                        push(a, Expr::Rule("div::vjp_a", args), false);
                        let args_b = vec![(**a).clone(), (**b).clone(), y, ybar];
                        push(b, Expr::Rule("div::vjp_b", args_b), false);
                    }
                }
            }
            Expr::Call(func, _, args) => {
                // `exp`, `sqrt`, ..: the derivative from the value alone;
                // `sin`, `ln`, ..: from the argument alone.
                let of_y = OF_Y.contains(&func.name);
                let of_x = OF_X.contains(&func.name);
                for (i, a) in args.iter().enumerate() {
                    let partial = Expr::Partial {
                        func: *func,
                        idx: vec![i],
                        args: if of_y { vec![] } else { args.clone() },
                        out: (!of_x).then(|| Box::new(y.clone())),
                    };
                    let c = Expr::Bin(BinOp::Mul, Box::new(ybar.clone()), Box::new(partial));
                    push(a, c, false);
                }
            }
            Expr::La(op, args) => {
                // la::m::vjp_k(&args.., &y, &y_bar)
                let mut rule_args = args.clone();
                rule_args.push(y.clone());
                rule_args.push(ybar.clone());
                for (k, a) in args.iter().enumerate() {
                    if op.active_args[k] {
                        let rule = intern(format!("{}::vjp_{k}", op.module));
                        push(a, Expr::Rule(rule, rule_args.clone()), false);
                    }
                }
            }
            Expr::Cast(a, _) => push(a, Expr::Rule("cast_like", vec![(**a).clone(), ybar]), false),
            Expr::Index(a, i) => {
                contributions.push((Target::Index(*a, (**i).clone()), ybar, false))
            }
            Expr::List { elems, .. } => {
                for (k, e) in elems.iter().enumerate() {
                    let c = Expr::Index(yb, Box::new(Expr::constant(quote!(#k))));
                    push(e, c, false);
                }
            }
            // `vec![x; n]`: the sum of the elements; `vec![row; m]`, of the rows.
            Expr::Repeat { elem, .. } => {
                let rows = elem.copied_var().is_some_and(|v| self.prog.vars[v].array);
                let sum = if rows { "sum_rows" } else { "sum" };
                push(elem, Expr::Rule(sum, vec![ybar]), false)
            }
            Expr::Call2 { path, args, method } => {
                // The pullback the forward sweep recorded (split form), or
                // the callee's reverse mode, which runs its forward sweep
                // again (joint mode): (value or `()`, a cotangent per
                // parameter).
                let (callee, split) = match self.pullback_here.take() {
                    Some(Record::Local(v)) => (syn::Path::from(self.prog.name(v).clone()), true),
                    Some(Record::Stack(s)) => {
                        let v = self.prog.derived("pullback");
                        out.push(Stmt::Let {
                            var: v,
                            ty: None,
                            expr: Expr::Pop(s),
                            span,
                        });
                        (syn::Path::from(self.prog.name(v).clone()), true)
                    }
                    Some(Record::Here(_)) | None => (wrapper(path, "vjp"), false),
                };
                let mut vargs = args.clone();
                vargs.push(ybar);
                if split {
                    vargs.push(self.tape());
                }
                let pair = self.prog.derived("pair");
                out.push(Stmt::Let {
                    var: pair,
                    ty: None,
                    expr: Expr::Call2 {
                        path: callee,
                        args: vargs,
                        method: *method,
                    },
                    span,
                });
                let skip = usize::from(*method); // the receiver has no cotangent
                for (k, a) in args.iter().enumerate().skip(skip) {
                    // `x`, `&x`, `&x[a..b]`, `clone(&v)`: the cotangent goes
                    // into the adjoint of `x` (of its sub-slice).
                    let Some((v, range)) = call_argument(a).filter(|(v, _)| self.act.is_active(*v))
                    else {
                        continue;
                    };
                    let vb = match self.adj.get(&v) {
                        Some(&vb) => vb,
                        None => self.declare_zero(v, out),
                    };
                    out.push(Stmt::Assign {
                        place: match range {
                            Some(r) => Place::Index(vb, r.clone()),
                            None => Place::Var(vb),
                        },
                        op: AssignOp::Acc,
                        expr: Expr::Field(Box::new(Expr::var(pair)), k + 1 - skip),
                        span,
                    });
                }
            }
            // A copy (of an array, of a member of a tuple result): its
            // cotangent is added into the original's.
            Expr::Rule("clone" | "to_vec", _) => push(expr, ybar, false),
            // A tuple result: each member's cotangent is the seed's member.
            Expr::Tuple(elems) => {
                for (k, e) in elems.iter().enumerate() {
                    push(e, Expr::Field(Box::new(ybar.clone()), k), false);
                }
            }
            Expr::Opaque(..)
            | Expr::ZeroLike(_)
            | Expr::Partial { .. }
            | Expr::Rule(..)
            | Expr::Pop(_)
            | Expr::Field(..)
            | Expr::Fresh { .. }
            | Expr::Ref(_)
            | Expr::Range { .. }
            | Expr::Closure(_)
            | Expr::Take(_) => {}
        }
        for (target, c, sub) in contributions {
            let v = match &target {
                Target::Var(v) | Target::Index(v, _) | Target::Field(v, _) => *v,
            };
            if self.act.is_active(v) {
                self.accumulate(target, c, sub, span, out);
            }
        }
    }
}

/// The variable a call's argument passes (and the sub-slice of it): `x`,
/// `&x`, `&x[a..b]`, a row `&a[r]` or `&a[r][c..d]` of a 2-D array, or a
/// copy `clone(&v)` of an array passed by value.
fn call_argument(a: &Expr) -> Option<(VarId, Option<&Expr>)> {
    match a {
        Expr::Use(Operand::Var(v)) => Some((*v, None)),
        Expr::Ref(e) => match &**e {
            Expr::Use(Operand::Var(v)) => Some((*v, None)),
            Expr::Index(v, r) => Some((*v, Some(&**r))),
            _ => None,
        },
        Expr::Rule("clone", args) => args.first().and_then(Expr::as_var).map(|v| (v, None)),
        _ => None,
    }
}

/// The type annotation of a variable's `let`, if any.
fn find_let_type(block: &[Stmt], v: VarId) -> Option<Box<syn::Type>> {
    let mut found = None;
    walk(block, &mut |s| {
        if let Stmt::Let { var, ty, .. } = s {
            if *var == v {
                found = ty.clone();
            }
        }
    });
    found
}

/// The variables a block reads outside nested branches and loops (those
/// record their own statements' reads).
/// Drops the temporaries recomputed for one statement's reverse code
/// (`out[start..]`) that nothing after them reads: `0.5 * s` recomputed for
/// the reverse of `y = 0.5 * s` (linear: its rules read only the constant).
/// Such a read would otherwise make the forward sweep save `s`. `mark` (an
/// index into `out`) follows the removals.
fn drop_dead_temps(out: &mut Block, start: usize, mark: &mut usize, temps: &HashMap<VarId, usize>) {
    let mut i = out.len();
    while i > start {
        i -= 1;
        let Stmt::Let { var, expr, .. } = &out[i] else {
            continue;
        };
        if !temps.contains_key(var) || matches!(expr, Expr::Call2 { .. } | Expr::Pop(_)) {
            continue;
        }
        let mut later = HashSet::new();
        collect_reads(&out[i + 1..], &mut later);
        if !later.contains(var) {
            out.remove(i);
            if i < *mark {
                *mark -= 1;
            }
        }
    }
}

/// The variables whose shape (`zero_like(&v)`) a block reads outside
/// nested branches and loops.
fn collect_shallow_shapes(block: &[Stmt], out: &mut HashSet<VarId>) {
    let mut note = |e: &Expr| {
        e.visit(&mut |e| {
            if let Expr::ZeroLike(z) = e {
                if let Some(v) = z.as_var() {
                    out.insert(v);
                }
            }
        })
    };
    for s in block {
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } | Stmt::Push { value: expr, .. } => {
                note(expr)
            }
            _ => {}
        }
    }
}

fn collect_shallow_reads(block: &[Stmt], out: &mut HashSet<VarId>) {
    for s in block {
        match s {
            Stmt::If { cond, .. } => cond.for_each_var(&mut |v| {
                out.insert(v);
            }),
            Stmt::Loop { header, .. } => match header {
                Header::Times(e) => e.for_each_var(&mut |v| {
                    out.insert(v);
                }),
                Header::For { reads, .. } => out.extend(reads.iter().copied()),
                Header::Infinite => {}
            },
            s => collect_value_reads(std::slice::from_ref(s), out),
        }
    }
}

/// The variables whose *values* a block reads: `zero_like(&v)` reads only
/// the shape of `v` (it must exist, not hold any particular value).
fn collect_value_reads(block: &[Stmt], out: &mut HashSet<VarId>) {
    fn expr(e: &Expr, out: &mut HashSet<VarId>) {
        match e {
            Expr::ZeroLike(_) => {}
            Expr::Neg(a) | Expr::Cast(a, _) | Expr::Field(a, _) => expr(a, out),
            Expr::Bin(_, a, b) => {
                expr(a, out);
                expr(b, out);
            }
            // Arguments that only fix a rule's result type are not read:
            // `mul::vjp_b(&a, &b, &c)` is `a^T c` (`b` is a witness), and the
            // first argument of the others is one.
            Expr::Rule(name, args) => {
                let witness: &[usize] = match *name {
                    "mul::vjp_a" | "div::vjp_a" | "div::vjp_b" | "cast_like" => &[0],
                    "mul::vjp_b" => &[1],
                    _ => &[],
                };
                for (i, a) in args.iter().enumerate() {
                    if !witness.contains(&i) {
                        expr(a, out);
                    }
                }
            }
            Expr::Call(_, _, args)
            | Expr::La(_, args)
            | Expr::Call2 { args, .. }
            | Expr::List { elems: args, .. } => args.iter().for_each(|a| expr(a, out)),
            Expr::Partial { args, out: o, .. } => {
                args.iter().chain(o.as_deref()).for_each(|a| expr(a, out));
            }
            Expr::Repeat { elem, .. } => expr(elem, out),
            e => e.for_each_var(&mut |v| {
                out.insert(v);
            }),
        }
    }
    walk(block, &mut |s| match s {
        Stmt::Let { expr: e, .. } | Stmt::Push { value: e, .. } => expr(e, out),
        Stmt::Assign { place, expr: e, .. } => {
            expr(e, out);
            if let Place::Index(_, i) = place {
                expr(i, out);
            }
        }
        Stmt::If { cond, .. } => expr(cond, out),
        Stmt::Loop { header, .. } => match header {
            Header::Times(e) => expr(e, out),
            Header::For { reads, .. } => out.extend(reads.iter().copied()),
            Header::Infinite => {}
        },
        Stmt::Opaque(_, reads) => out.extend(reads.iter().copied()),
        Stmt::Break | Stmt::Continue => {}
    });
}

/// The element writes `a[i] = ..` whose old values nothing reads, so the
/// forward sweep need not save them (`out[i] = x[i].sin()` filling a fresh
/// array in a loop). Such a write is inside exactly one loop, over a simple
/// range of `i` (each iteration writes its own element), and:
///
/// - `a` appears nowhere before it in the function (no read, in forward or
///   reverse code, of an element's value before the loop wrote it: the
///   reverse code of a statement before it reads `a` as the forward sweep
///   left it, which no longer holds once restores are skipped);
/// - inside that loop, `a` appears only as `a[i]` (reads of other elements
///   would see later iterations' values in the reverse sweep), and its value
///   is not an input of the write itself;
/// - `a` is not an output buffer, nor in a single-pass loop.
///
/// Reads after the loop see its final values in the forward sweep and run
/// their reverse code before the loop's: they are unaffected.
fn unread_overwrites(
    body: &[Stmt],
    single_pass: &HashMap<usize, bool>,
    outputs: &[VarId],
) -> HashSet<usize> {
    /// Whether `a` appears in `block` only as `a[i]`, and is not declared there.
    fn only_at(block: &[Stmt], a: VarId, i: VarId) -> bool {
        let exprs_ok = |e: &Expr| {
            let (mut all, mut at_i) = (0, 0);
            e.for_each_var(&mut |v| all += usize::from(v == a));
            e.visit(&mut |e| {
                if matches!(e, Expr::Index(b, j) if *b == a && j.as_var() == Some(i)) {
                    at_i += 1;
                }
            });
            all == at_i
        };
        let mut ok = true;
        walk(block, &mut |s| {
            ok &= match s {
                Stmt::Let { var, expr, .. } => *var != a && exprs_ok(expr),
                Stmt::Push { stack, value } => *stack != a && exprs_ok(value),
                Stmt::Assign { place, expr, .. } => {
                    exprs_ok(expr)
                        && match place {
                            Place::Var(v) | Place::Field(v, _) => *v != a,
                            Place::Index(v, j) => exprs_ok(j) && (*v != a || j.as_var() == Some(i)),
                        }
                }
                Stmt::If { cond, .. } => exprs_ok(cond),
                Stmt::Loop { header, .. } => match header {
                    Header::Times(e) => exprs_ok(e),
                    Header::For { reads, .. } => !reads.contains(&a),
                    Header::Infinite => true,
                },
                Stmt::Opaque(_, reads) => !reads.contains(&a),
                Stmt::Break | Stmt::Continue => true,
            };
        });
        ok
    }
    /// Everything `s` reads or assigns.
    fn note(s: &Stmt, seen: &mut HashSet<VarId>) {
        collect_reads(std::slice::from_ref(s), seen);
        match s {
            Stmt::Assign { place, .. } => {
                seen.insert(place.var());
            }
            Stmt::Push { stack, .. } => {
                seen.insert(*stack);
            }
            _ => {}
        }
    }
    struct Scan<'a> {
        single_pass: &'a HashMap<usize, bool>,
        outputs: &'a [VarId],
        seen: HashSet<VarId>,
        found: HashSet<usize>,
    }
    impl Scan<'_> {
        /// `lp`: the loop over a simple range directly around `block` (through
        /// branches only) and its index; `in_loop`: inside any loop.
        fn block(&mut self, block: &[Stmt], lp: Option<(VarId, &[Stmt])>, in_loop: bool) {
            for s in block {
                match s {
                    Stmt::Loop { header, body } => {
                        let index = match header {
                            Header::For {
                                var: Some(v), iter, ..
                            } if !in_loop
                                && !self.single_pass.contains_key(&site(s))
                                && simple_range(iter).is_some() =>
                            {
                                Some(*v)
                            }
                            _ => None,
                        };
                        if let Header::For { reads, .. } = header {
                            self.seen.extend(reads.iter().copied());
                        }
                        if let Header::Times(e) = header {
                            e.for_each_var(&mut |v| {
                                self.seen.insert(v);
                            });
                        }
                        if self.single_pass.contains_key(&site(s)) {
                            walk(body, &mut |s| note(s, &mut self.seen));
                            continue;
                        }
                        self.block(body, index.map(|i| (i, &body[..])), true);
                    }
                    Stmt::If { cond, then, els } => {
                        cond.for_each_var(&mut |v| {
                            self.seen.insert(v);
                        });
                        self.block(then, lp, in_loop);
                        self.block(els, lp, in_loop);
                    }
                    Stmt::Assign {
                        place: Place::Index(a, j),
                        op: AssignOp::Set,
                        expr,
                        ..
                    } => {
                        if let Some((i, body)) = lp {
                            let mut reads_a = false;
                            expr.for_each_var(&mut |v| reads_a |= v == *a);
                            if j.as_var() == Some(i)
                                && !reads_a
                                && !self.seen.contains(a)
                                && !self.outputs.contains(a)
                                && only_at(body, *a, i)
                            {
                                self.found.insert(site(s));
                            }
                        }
                        note(s, &mut self.seen);
                    }
                    _ => note(s, &mut self.seen),
                }
            }
        }
    }
    let mut scan = Scan {
        single_pass,
        outputs,
        seen: HashSet::new(),
        found: HashSet::new(),
    };
    scan.block(body, None, false);
    scan.found
}

/// Whether `e` is the literal one (`1.0`, `1.`, `1`, `1f64`, ...).
fn is_one(e: &Expr) -> bool {
    let Expr::Use(Operand::Const(tokens)) = e else {
        return false;
    };
    match syn::parse2::<syn::Lit>(tokens.clone()) {
        Ok(syn::Lit::Float(f)) => f.base10_parse::<f64>().is_ok_and(|v| v == 1.0),
        Ok(syn::Lit::Int(i)) => i.base10_parse::<u64>().is_ok_and(|v| v == 1),
        _ => false,
    }
}

/// Every variable a block reads.
pub(crate) fn collect_reads(block: &[Stmt], out: &mut HashSet<VarId>) {
    let mut note = |v: VarId| {
        out.insert(v);
    };
    walk(block, &mut |s| match s {
        Stmt::Let { expr, .. } | Stmt::Push { value: expr, .. } => expr.for_each_var(&mut note),
        Stmt::Assign { place, expr, .. } => {
            expr.for_each_var(&mut note);
            if let Place::Index(_, i) = place {
                i.for_each_var(&mut note);
            }
        }
        Stmt::If { cond, .. } => cond.for_each_var(&mut note),
        Stmt::Loop { header, .. } => match header {
            Header::Times(e) => e.for_each_var(&mut note),
            Header::For { reads, .. } => reads.iter().for_each(|v| note(*v)),
            Header::Infinite => {}
        },
        Stmt::Opaque(_, reads) => reads.iter().for_each(|v| note(*v)),
        Stmt::Break | Stmt::Continue => {}
    });
}
