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

mod analysis;
mod checkpoint;
mod contribute;
mod cotangents;
mod forward;
mod reverse;
mod volatile;

use crate::activity::{self, Activity};
use crate::fx::{HashMap, HashSet};
use crate::ir::{walk, AssignOp, Body, Expr, Header, Place, Program, Stmt, VarId, VarKind};
use analysis::{
    accumulators_of, has_costly_temps, recomputable, replayed_lets, simple_range,
    single_pass_loops, unread_overwrites, zeroes_only,
};
pub(crate) use analysis::{collect_reads, is_simple_range};
use proc_macro2::Span;
use quote::quote;
use volatile::mark_volatile;

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
    /// Costly values are saved here, though computing them again would let
    /// several reverse sweeps share the forward sweep (see [`vjp`]'s
    /// `share`): `f_vjp_many` needs the other form.
    pub shares_if_recomputed: bool,
    /// The forward sweep could be shared but for the stacks that saves of
    /// costly values may add: no branch inside a loop records its decision
    /// (on a stack), and nothing else [`Self::shared_forward`] asks depends
    /// on whether costly values are saved. Without this, computing them
    /// again cannot share it: that run is not tried.
    shareable: bool,
}

/// Reverse mode. With `split` (the function's own name), calls of other
/// differentiated functions use their split form (the callee's forward
/// sweep runs once and returns its pullback, which the reverse sweep
/// calls); otherwise, and for recursive calls (whose split form's type
/// would contain itself), joint mode (the reverse sweep calls the callee's
/// reverse mode, which runs its forward sweep again): what second order
/// differentiates.
///
/// With `share`, costly values (`exp`, `sin`, ..) are computed again in
/// the reverse sweep where saving them would be all that puts anything on
/// a stack, so that `f_vjp_many` can share the forward sweep between its
/// reverse sweeps; without, they are saved: a single reverse sweep (a
/// helper's pullback, called once per iteration of its caller's loop)
/// reads them rather than calls `exp` again.
fn vjp(prog: &mut Program, split: Option<&syn::Ident>, share: bool) -> Vjp {
    let forms = forms(prog, split);
    pick(prog, forms, share)
}

/// The two forms `f`'s derivatives need: first order (`split` with
/// `f`'s name, costly values saved) and, where it differs from that, the
/// joint form (`split` `None`, `share`), with their programs. Where no
/// call is made in split form, `split` changes nothing, and the joint form
/// is the first order's run with costly values computed again (the
/// transform runs four times instead of eight).
pub fn first_and_joint(
    prog: &Program,
    name: &syn::Ident,
) -> ((Program, Vjp), Option<(Program, Vjp)>) {
    let mut first = prog.clone();
    let forms = forms(&mut first, Some(name));
    if forms.split_used {
        let first_vjp = pick(&mut first, forms, false);
        if !first_vjp.split_calls && !first_vjp.shares_if_recomputed {
            return ((first, first_vjp), None);
        }
        let mut joint = prog.clone();
        let joint_vjp = vjp(&mut joint, None, true);
        return ((first, first_vjp), Some((joint, joint_vjp)));
    }
    // No split call: the joint form is `vjp(prog, None, true)`, which is
    // the run that computes costly values again, when it shares.
    let Forms {
        saving,
        recomputing,
        ..
    } = forms;
    let (saved_prog, mut vjp) = saving;
    vjp.shares_if_recomputed = recomputing.is_some();
    ((saved_prog, vjp), recomputing)
}

/// What [`vjp`] chooses from: the transform with costly values saved, and,
/// if that leaves the forward sweep unshared and computing them again
/// shares it, with costly values computed again; whether any run made a
/// call in split form (if none did, `split` made no difference).
struct Forms {
    saving: (Program, Vjp),
    recomputing: Option<(Program, Vjp)>,
    split_used: bool,
}

fn forms(prog: &mut Program, split: Option<&syn::Ident>) -> Forms {
    mark_volatile(prog);
    let act = activity::analyse(prog);
    let split = split.filter(|_| !prog.matrix);
    let mut split_used = false;
    let mut generate = |prog: &mut Program, save_costly: bool| {
        // First pass: find what the reverse sweep reads (it does not depend
        // on what is saved), then generate with saves for exactly that.
        let mut probe = prog.clone();
        let everything: HashSet<VarId> = (0..prog.vars.len()).collect();
        let (probed, reads, at_site) =
            Adjoint::new(&mut probe, &act, everything, None, save_costly, split).run();
        let vjp = Adjoint::new(prog, &act, reads, Some(at_site), save_costly, split)
            .run()
            .0;
        split_used |= probed.split_calls || vjp.split_calls;
        vjp
    };
    // Costly values are saved rather than computed again, unless saving
    // them is what puts anything on a stack: without stacks, `f_vjp_many`
    // shares the forward sweep between its reverse sweeps (which compute
    // them again once, in lanes).
    let mut saving = prog.clone();
    let vjp = generate(&mut saving, true);
    let mut recomputing = None;
    if vjp.shared_forward.is_none() && vjp.shareable && has_costly_temps(prog, &prog.body.stmts, 0)
    {
        let mut other_prog = prog.clone();
        let other = generate(&mut other_prog, false);
        if other.shared_forward.is_some() {
            recomputing = Some((other_prog, other));
        }
    }
    Forms {
        saving: (saving, vjp),
        recomputing,
        split_used,
    }
}

/// [`vjp`]'s choice between the [`Forms`].
fn pick(prog: &mut Program, forms: Forms, share: bool) -> Vjp {
    let (saving, mut vjp) = forms.saving;
    match forms.recomputing {
        Some((recomputing, other)) if share => {
            *prog = recomputing;
            other
        }
        recomputing => {
            vjp.shares_if_recomputed = recomputing.is_some();
            *prog = saving;
            vjp
        }
    }
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
    /// Inactive `let`s computed again at the start of their block's
    /// reverse code rather than saved ([`replayed_lets`]).
    replayed: HashSet<VarId>,
    /// Loops over such ranges without early exits: replayed backwards from
    /// their bounds, nothing recorded.
    static_loops: HashSet<usize>,
    /// The live adjoint of each variable.
    adj: HashMap<VarId, VarId>,
    /// Parameter structs whose cotangent a field's contribution declared
    /// (zero): no contribution to the whole struct came before, and the
    /// contributions of the other fields (one each, since each field is
    /// bound once at the top of the body) come after, so each field's is
    /// moved in rather than added.
    member_fresh: HashSet<VarId>,
    /// Parameters whose fields' cotangents are written (`p_bar.w`): their
    /// skipped fields are the primal's again at the end (`keep_config`).
    member_params: HashSet<VarId>,
    /// The fields of parameter structs bound at the top of the body, as
    /// written (`inner.c`).
    member_paths: Vec<(VarId, String)>,
    /// Borrows of a field of an element of a parameter struct's field
    /// (`let t = &p.layers[i].b;`), each bound once: the struct and the
    /// path. An element's cotangent goes straight to the struct's
    /// (`p_bar.layers[i].b[r] += c`), not through a zero of the whole field.
    element_fields: HashMap<VarId, (VarId, crate::ir::MemberPath)>,
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
    /// A branch inside a loop recorded its decision (on a stack).
    decided_in_loop: bool,
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
    /// Active arrays not known to be of a fixed size that are assigned
    /// whole (`v = x[..k].to_vec();`): the reverse of the assignment starts
    /// their adjoint again as a zero of the restored value's length.
    resized: HashSet<VarId>,
    /// Variables declared at the top level of a single-pass loop's body: in
    /// scope for its reverse code.
    pass_locals: HashSet<VarId>,
    /// Loops under `#[checkpoint]`: what their forward sweep left, by site.
    checkpointed: HashMap<usize, checkpoint::Checkpointed>,
    /// The variables holding their schedules' actions (see
    /// `without_replays`).
    actions: HashSet<VarId>,
    /// The output cotangent of the statement being reversed, when nothing
    /// reads it after its contributions (the adjoint of a `let`, the seed
    /// taken from an overwritten variable): a copy's cotangent can then be
    /// moved rather than added into a zero (`let v_bar = w_bar;`).
    owned_seed: Option<VarId>,
    /// While adding one statement's contributions: the cotangent is the
    /// owned seed, read once (a copy, a tuple's members).
    owned_now: bool,
    /// While reversing `a = t.k` of `let (a, b) = g(x);`: the tuple `t`,
    /// whose members' cotangents are collected (`pending`) and become its
    /// cotangent `(a_bar, b_bar)` where `t` is defined, without a zero of
    /// its shape.
    pending_ok: Option<VarId>,
    pending: HashMap<VarId, Vec<(usize, Expr)>>,
}

/// A target of a contribution.
enum Target {
    Var(VarId),
    Index(VarId, Expr),
    /// A member of a tuple (`let (a, b) = g(x);`).
    Field(VarId, usize),
    /// A field of a parameter struct (`&p.w`).
    Member(VarId, crate::ir::MemberPath),
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
        let mut index = HashMap::default();
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
        let reads_before_restore = vec![HashSet::default(); extent.len()];
        let reads_after_restore = vec![HashSet::default(); extent.len()];
        let single_pass = single_pass_loops(prog, &primal);
        let mut in_single_pass = HashSet::default();
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
        let mut decl_depth = HashMap::default();
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
                    Stmt::Loop { header, body, .. } => {
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
        let mut assigned = HashSet::default();
        let mut loop_vars = HashSet::default();
        let mut pushed = HashSet::default();
        let mut resized = HashSet::default();
        walk(&primal.stmts, &mut |s| match s {
            Stmt::Assign { place, op, .. } => {
                assigned.insert(place.var());
                if let (Place::Var(v), AssignOp::Set) = (place, op) {
                    if act.is_active(*v) && prog.vars[*v].array && !fixed_size(prog, &primal, *v) {
                        resized.insert(*v);
                    }
                }
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
        let replayed = replayed_lets(prog, act, &primal.stmts, &stable, &in_single_pass);
        let mut hoisted = HashSet::default();
        walk(&primal.stmts, &mut |s| match s {
            Stmt::Let { var, .. } if !in_single_pass.contains(var) && !replayed.contains(var) => {
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
        let mut tuples = HashSet::default();
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
        // Helpers' results not known to be numbers (`z` in `let z = g(y);
        // y = h(z);`, see `Var::fixed`) may be arrays: not words of the
        // stream of saved values.
        let shaped: HashSet<VarId> = hoisted
            .iter()
            .copied()
            .filter(|v| {
                prog.vars[*v].array
                    || tuples.contains(v)
                    || (prog.vars[*v].fixed && !prog.vars[*v].scalar && !prog.matrix)
            })
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
            pass_values: HashMap::default(),
            pass_entries: HashMap::default(),
            in_pass: HashSet::default(),
            words: None,
            act,
            needed,
            hoisted,
            decl_depth,
            decls: Vec::new(),
            saves: HashMap::default(),
            decisions: HashMap::default(),
            counts: HashMap::default(),
            loop_var_saves: HashMap::default(),
            anchors: HashMap::default(),
            stable,
            replayed,
            static_loops: HashSet::default(),
            unread_overwrites: HashSet::default(),
            adj: HashMap::default(),
            member_fresh: HashSet::default(),
            member_params: HashSet::default(),
            member_paths: Vec::new(),
            element_fields: HashMap::default(),
            save_costly,
            split,
            pullbacks: HashMap::default(),
            pullback_here: None,
            split_used: false,
            decided_in_loop: false,
            opaque_saves: HashMap::default(),
            pushed,
            shaped,
            resized,
            pass_locals: in_single_pass,
            checkpointed: HashMap::default(),
            actions: HashSet::default(),
            owned_seed: None,
            owned_now: false,
            pending_ok: None,
            pending: HashMap::default(),
        }
    }

    /// The whole generated body; for the probe (no `at_site` given), the
    /// variables its reverse sweep reads and what must be saved where.
    fn run(mut self) -> (Vjp, HashSet<VarId>, Vec<HashSet<VarId>>) {
        let primal = std::mem::take(&mut self.primal);
        for s in &primal.stmts {
            if let Stmt::Let {
                expr: Expr::Member(p, m),
                ..
            } = s
            {
                self.member_paths.push((*p, m.text()));
            }
        }
        let mut lets: HashMap<VarId, usize> = HashMap::default();
        crate::ir::walk(&primal.stmts, &mut |s| {
            if let Stmt::Let { var, expr, .. } = s {
                *lets.entry(*var).or_default() += 1;
                if let Expr::Member(p, m) = expr {
                    if matches!(self.prog.vars[*p].kind, VarKind::Param(_))
                        && m.text().contains('[')
                    {
                        self.element_fields.insert(*var, (*p, m.clone()));
                    }
                }
            }
        });
        self.element_fields
            .retain(|v, _| lets.get(v) == Some(&1) && !self.prog.vars[*v].mutable);
        if !self.prog.matrix {
            self.unread_overwrites =
                unread_overwrites(&primal.stmts, &self.single_pass, &self.prog.outputs);
        }
        let mut accumulated = HashSet::default();
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
        // Loops left at the end that only zero the cotangents of locals.
        let locals: HashSet<VarId> = self
            .adj
            .iter()
            .filter(|(v, _)| {
                !matches!(self.prog.vars[**v].kind, VarKind::Param(_))
                    && !self.prog.outputs.contains(v)
            })
            .map(|(_, vb)| *vb)
            .collect();
        while reverse.last().is_some_and(|s| zeroes_only(s, &locals)) {
            reverse.pop();
        }
        // What the reverse sweep reads and what must be saved where: what
        // the probe (which has no `at_site` yet) learns for the run after it,
        // of no use to that run itself.
        let probing = self.at_site.is_none();
        let mut reads = HashSet::default();
        if probing {
            collect_reads(&self.without_replays(&reverse), &mut reads);
        }
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

        // A skipped field read in arithmetic (`p.lambda * x`) got a
        // cotangent: configuration is copied from the primal instead.
        for &p in &self.prog.active_params {
            if let (true, Some(&pb)) = (self.member_params.contains(&p), self.adj.get(&p)) {
                reverse.push(Stmt::Assign {
                    place: Place::Var(pb),
                    op: AssignOp::Set,
                    expr: Expr::Rule("keep_config", vec![Expr::var(pb), Expr::var(p)]),
                    span: Span::call_site(),
                });
            }
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
        // What of that does not depend on whether costly values are saved.
        let shareable = !self.decided_in_loop
            && self.pushed.is_empty()
            && self.pass_values.is_empty()
            && self.prog.outputs.is_empty()
            && seed.is_some();
        stmts.extend(tail);
        stmts.extend(reverse);
        let at_site = if probing {
            self.saves_at_sites(&primal.stmts)
        } else {
            Vec::new()
        };
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
                shares_if_recomputed: false,
                shareable,
            },
            reads,
            at_site,
        )
    }

    /// What must be saved at each statement (by number): read by the
    /// reverse code of the statements up to the statement's extent.
    fn saves_at_sites(&self, primal: &[Stmt]) -> Vec<HashSet<VarId>> {
        let mut prefix = Vec::with_capacity(self.reads_after_restore.len());
        let mut acc = HashSet::default();
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
                    HashSet::default()
                } else {
                    prefix[i - 1].clone()
                };
                s.extend(self.reads_after_restore[i].iter().copied());
                s
            })
            .collect();
        self.unread_scalar_saves(primal, &mut Vec::new(), &mut at_site);
        at_site
    }
}

/// Whether the array `v` is of a fixed size: a parameter of an array type,
/// or a local declared with one (`let a: [f64; 3]`) or as an array
/// (`[x, y]`, `[0.0; 3]`), which every value assigned to it has.
fn fixed_size(prog: &Program, primal: &Body, v: VarId) -> bool {
    if let VarKind::Param(_) = prog.vars[v].kind {
        return prog.vars[v].fixed;
    }
    let mut fixed = false;
    walk(&primal.stmts, &mut |s| {
        if let Stmt::Let { var, ty, expr, .. } = s {
            if *var == v {
                fixed = matches!(ty.as_deref(), Some(syn::Type::Array(_)))
                    || matches!(
                        expr,
                        Expr::List { vec: false, .. } | Expr::Repeat { vec: false, .. }
                    );
            }
        }
    });
    fixed
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
