//! Analyses the transform decides with: integer-range loops, single-pass
//! loops and their accumulators, early exits, which temporaries are
//! recomputed rather than saved, which overwritten values the reverse
//! sweep reads (and so must be saved), and what a block reads.

use super::{site, Adjoint};
use crate::fx::{HashMap, HashSet};
use crate::ir::{
    walk, AssignOp, Body, Expr, Header, Place, Program, Stmt, VarId, VarKind, EXPENSIVE,
};
use proc_macro2::TokenStream;
use quote::ToTokens;

/// Whether a temporary in a branch or loop of `block` is the value of a
/// costly elementary function (see [`recomputable`]).
pub(super) fn has_costly_temps(prog: &Program, block: &[Stmt], depth: usize) -> bool {
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

/// Whether a loop's iterator is an integer range ([`simple_range`]).
pub(crate) fn is_simple_range(iter: &TokenStream) -> bool {
    simple_range(iter).is_some()
}

/// A `for` loop over `a..b`, `a..=b`, `(a..b).rev()` or `(a..=b).rev()`:
/// its indices are rebuilt in the reverse sweep from one end and the trip
/// count, instead of being saved one per iteration.
pub(super) struct SimpleRange {
    pub(super) start: TokenStream,
    pub(super) end: TokenStream,
    pub(super) inclusive: bool,
    pub(super) reversed: bool,
}

pub(super) fn simple_range(iter: &TokenStream) -> Option<SimpleRange> {
    plain_range(iter).or_else(|| parsed_range(iter))
}

/// [`simple_range`] of the common forms (`a..b`, `a..=b`, `(a..b).rev()`)
/// read off the tokens, without a parser: the range is the only operator at
/// the top level of lower precedence than `..` could be (none of `=`, `|`,
/// `return`, ...), so the tokens before and after it are its ends. Any other
/// form gives `None` (and is parsed).
fn plain_range(iter: &TokenStream) -> Option<SimpleRange> {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let mut tts: Vec<TokenTree> = iter.clone().into_iter().collect();
    let mut reversed = false;
    if let [TokenTree::Group(g), TokenTree::Punct(dot), TokenTree::Ident(rev), TokenTree::Group(args)] =
        tts.as_slice()
    {
        if g.delimiter() == Delimiter::Parenthesis
            && dot.as_char() == '.'
            && rev == "rev"
            && args.delimiter() == Delimiter::Parenthesis
            && args.stream().is_empty()
        {
            reversed = true;
            tts = g.stream().into_iter().collect();
        }
    }
    let mut at = None;
    let mut i = 0;
    while i < tts.len() {
        match &tts[i] {
            TokenTree::Punct(p) if p.as_char() == '.' && p.spacing() == Spacing::Joint => {
                match tts.get(i + 1) {
                    Some(TokenTree::Punct(q)) if q.as_char() == '.' => {
                        let inclusive = matches!(
                            (q.spacing(), tts.get(i + 2)),
                            (Spacing::Joint, Some(TokenTree::Punct(e))) if e.as_char() == '='
                        );
                        if at.is_some() || (q.spacing() == Spacing::Joint && !inclusive) {
                            return None;
                        }
                        at = Some((i, inclusive));
                        i += if inclusive { 3 } else { 2 };
                        continue;
                    }
                    _ => {}
                }
            }
            TokenTree::Punct(p) if matches!(p.as_char(), '=' | '|' | ';') => return None,
            TokenTree::Ident(w)
                if [
                    "return", "break", "continue", "move", "async", "let", "if", "match", "loop",
                    "while", "for", "unsafe", "static",
                ]
                .iter()
                .any(|k| w == k) =>
            {
                return None
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => return None,
            _ => {}
        }
        i += 1;
    }
    let (k, inclusive) = at?;
    let skip = if inclusive { 3 } else { 2 };
    if k == 0 || k + skip == tts.len() {
        return None;
    }
    Some(SimpleRange {
        start: tts[..k].iter().cloned().collect(),
        end: tts[k + skip..].iter().cloned().collect(),
        inclusive,
        reversed,
    })
}

fn parsed_range(iter: &TokenStream) -> Option<SimpleRange> {
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
pub(super) fn single_pass_loops(prog: &Program, body: &Body) -> HashMap<usize, bool> {
    let mut out = HashMap::default();
    for (idx, stmt) in body.stmts.iter().enumerate() {
        let Stmt::Loop {
            header: Header::For { iter, reads, .. },
            body: lb,
            checkpoint: None,
        } = stmt
        else {
            continue;
        };
        if simple_range(iter).is_none() {
            continue;
        }
        let declared = declared_in(None, lb);
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
        let mut accumulators = HashSet::default();
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
        let mut changed_after = HashSet::default();
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
        let mut after = HashSet::default();
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
pub(super) fn accumulators_of(body: &[Stmt]) -> Vec<VarId> {
    let mut declared = HashSet::default();
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
pub(super) fn exits(block: &[Stmt]) -> bool {
    block.iter().any(|s| match s {
        Stmt::Break | Stmt::Continue => true,
        Stmt::If { then, els, .. } => exits(then) || exits(els),
        _ => false,
    })
}

/// Inactive `let`s in branches and loops that the reverse sweep computes
/// again at the start of their block's reverse code rather than saving them
/// (`let wo = 8 * b * layer;`, `let bo = wo + 4 * b;`): never assigned, not
/// arrays, computed without calls from values that do not change
/// (`stable`: parameters, top-level values never assigned, indices of
/// loops over ranges, not over iterators, whose reverse loops count trips
/// and have no index) or from earlier such `let`s. Their readers may be anywhere in the
/// block, nested loops included, where a temporary's must be in the same
/// block (see [`recomputable`]). The temporaries such a `let` reads
/// (`let (wo, so) = (8 * b * layer, 2 * b * layer);`) are replayed with it.
pub(super) fn replayed_lets(
    prog: &Program,
    act: &crate::activity::Activity,
    block: &[Stmt],
    stable: &HashSet<VarId>,
    skip: &HashSet<VarId>,
) -> HashSet<VarId> {
    fn visit(
        prog: &Program,
        act: &crate::activity::Activity,
        block: &[Stmt],
        depth: usize,
        stable: &HashSet<VarId>,
        skip: &HashSet<VarId>,
        out: &mut HashSet<VarId>,
    ) {
        // After a statement that may leave the block (`break`, `continue`,
        // a `return`), a `let` may not have run: computed again, an index
        // in it might be out of bounds.
        let mut left = false;
        for s in block {
            match s {
                Stmt::Let { var, expr, .. } if depth > 0 && !left => {
                    let v = &prog.vars[*var];
                    if !v.mutable
                        && !v.slot
                        && !v.array
                        && !v.volatile
                        && !stable.contains(var)
                        && !skip.contains(var)
                        && !act.is_active(*var)
                        && (plain(expr, &|r| stable.contains(&r) || out.contains(&r))
                            || (v.payload && payload_of(expr, &|r| stable.contains(&r))))
                    {
                        out.insert(*var);
                    }
                }
                Stmt::If { then, els, .. } => {
                    visit(prog, act, then, depth + 1, stable, skip, out);
                    visit(prog, act, els, depth + 1, stable, skip, out);
                }
                Stmt::Loop { body, .. } => visit(prog, act, body, depth + 1, stable, skip, out),
                _ => {}
            }
            walk(std::slice::from_ref(s), &mut |s| {
                left |= matches!(s, Stmt::Break | Stmt::Continue);
            });
        }
    }
    let mut fixed = stable.clone();
    walk(block, &mut |s| {
        if let Stmt::Loop {
            header: Header::For {
                var: Some(v), iter, ..
            },
            ..
        } = s
        {
            if simple_range(iter).is_none() {
                fixed.remove(v);
            }
        }
    });
    let mut candidates = HashSet::default();
    visit(prog, act, block, 0, &fixed, skip, &mut candidates);
    // The user's `let`s, and the temporaries they read.
    let mut reads: HashMap<VarId, Vec<VarId>> = HashMap::default();
    walk(block, &mut |s| {
        if let Stmt::Let { var, expr, .. } = s {
            if candidates.contains(var) {
                let mut r = Vec::new();
                expr.for_each_var(&mut |v| r.push(v));
                reads.insert(*var, r);
            }
        }
    });
    let mut out: HashSet<VarId> = HashSet::default();
    let mut todo: Vec<VarId> = candidates
        .iter()
        .copied()
        .filter(|v| prog.vars[*v].kind != VarKind::Temp)
        .collect();
    while let Some(v) = todo.pop() {
        if out.insert(v) {
            todo.extend(reads[&v].iter().copied().filter(|r| candidates.contains(r)));
        }
    }
    out
}

/// Verbatim code binding the payload of a `copy_ref` value (`Var::payload`)
/// that reads only variables `ok` accepts: a copy.
fn payload_of(e: &Expr, ok: &dyn Fn(VarId) -> bool) -> bool {
    matches!(e, Expr::Opaque(_, reads) if reads.iter().all(|r| ok(*r)))
}

/// Arithmetic, casts, element reads and verbatim code without calls or
/// macros, reading only variables `ok` accepts.
fn plain(e: &Expr, ok: &dyn Fn(VarId) -> bool) -> bool {
    match e {
        Expr::Use(crate::ir::Operand::Var(v)) => ok(*v),
        Expr::Use(crate::ir::Operand::Const(_)) => true,
        Expr::Neg(a) | Expr::Cast(a, _) => plain(a, ok),
        Expr::Bin(_, a, b) => plain(a, ok) && plain(b, ok),
        Expr::Opaque(tokens, reads) => reads.iter().all(|r| ok(*r)) && no_calls(tokens.clone()),
        _ => false,
    }
}

/// Whether verbatim code makes no call (of a function, a method or a
/// macro) and has no `?`.
fn no_calls(tokens: TokenStream) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let mut prev: Option<TokenTree> = None;
    for t in tokens {
        // `f(..)`, `x.m(..)`, `f::<T>(..)`, `(g)(..)`: a call.
        let called = matches!(&t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
            && match &prev {
                Some(TokenTree::Ident(_) | TokenTree::Group(_)) => true,
                Some(TokenTree::Punct(p)) => p.as_char() == '>',
                _ => false,
            };
        // A macro, `?`.
        let other = matches!(&t, TokenTree::Punct(p) if matches!(p.as_char(), '!' | '?'));
        if called || other {
            return false;
        }
        if let TokenTree::Group(g) = &t {
            if !no_calls(g.stream()) {
                return false;
            }
        }
        prev = Some(t);
    }
    true
}

/// A loop of the reverse sweep that only zeroes cotangents of `locals`
/// (`let s_seed = take(&mut s_bar[t]);` in the reverse of `for i in 0..n {
/// s[2 * b + i] = state[i]; }`, a copy of inactive data into an active
/// array), over a range whose bounds make no call: at the end of the
/// reverse sweep, nothing reads what it does.
pub(super) fn zeroes_only(s: &Stmt, locals: &HashSet<VarId>) -> bool {
    let Stmt::Loop {
        header: Header::For { iter, .. },
        body,
        checkpoint: None,
    } = s
    else {
        return false;
    };
    simple_range(iter).is_some_and(|r| no_calls(r.start) && no_calls(r.end))
        && body.iter().all(|s| match s {
            Stmt::Let {
                expr: Expr::Take(p),
                ..
            } => locals.contains(&p.var()),
            Stmt::Let { expr, .. } => plain(expr, &|_| true),
            Stmt::Loop { .. } => zeroes_only(s, locals),
            _ => false,
        })
}

/// A temporary the reverse sweep computes again where it needs it, rather
/// than the forward sweep saving it: any but the value of a call of another
/// differentiated function or, with `save_costly`, of an elementary function
/// that costs more than a save and a restore (`exp`, `sin`, `sqrt`, `powf`,
/// .., not `abs`, `max` or `recip`; see [`EXPENSIVE`]).
pub(super) fn recomputable(prog: &Program, s: &Stmt, save_costly: bool) -> Option<VarId> {
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
    // A borrow of a parameter struct's field (`&p.layers[i].w`, 2-D) is
    // taken again: the parameter does not change.
    let field = v.is_field_borrow() && matches!(expr, Expr::Member(..));
    let saved = v.kind != VarKind::Temp
        || reads_volatile
        || v.slot
        || (v.array && !field)
        || matches!(expr, Expr::Call2 { .. })
        || (save_costly && costly);
    (!saved).then_some(*var)
}

impl Adjoint<'_> {
    /// Drops from `at_site` the scalars whose overwritten values nothing
    /// reads. The value a write of `v` overwrites is read again only by the
    /// reverse code of the statements run between the write that produced
    /// it and this one (their reverse code runs after this write's, which
    /// would restore it): when none of them reads `v` (`s += x` in a loop,
    /// read only after the loop), the write saves nothing. `chain`: the
    /// blocks around the statement visited and its position in each.
    pub(super) fn unread_scalar_saves<'b>(
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
    pub(super) fn needs(&self, stmt: &Stmt, v: VarId) -> bool {
        if !self.needed.contains(&v) {
            return false;
        }
        match (&self.at_site, self.index.get(&site(stmt))) {
            (Some(at), Some(&i)) => at[i].contains(&v),
            _ => true,
        }
    }
}

/// The variables whose shape (`zero_like(&v)`) a block reads outside
/// nested branches and loops.
pub(super) fn collect_shallow_shapes(block: &[Stmt], out: &mut HashSet<VarId>) {
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

/// The variables a block reads outside nested branches and loops (those
/// record their own statements' reads).
pub(super) fn collect_shallow_reads(block: &[Stmt], out: &mut HashSet<VarId>) {
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
pub(super) fn collect_value_reads(block: &[Stmt], out: &mut HashSet<VarId>) {
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
pub(super) fn unread_overwrites(
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
                            Place::Var(v) | Place::Field(v, _) | Place::Member(v, _) => *v != a,
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
                    Stmt::Loop { header, body, .. } => {
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
        seen: HashSet::default(),
        found: HashSet::default(),
    };
    scan.block(body, None, false);
    scan.found
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

/// The loop variable and the variables the body declares.
pub(super) fn declared_in(var: Option<VarId>, body: &[Stmt]) -> HashSet<VarId> {
    let mut declared: HashSet<VarId> = var.into_iter().collect();
    walk(body, &mut |s| match s {
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
    declared
}

#[cfg(test)]
mod range_tests {
    use super::{parsed_range, plain_range};
    use proc_macro2::TokenStream;

    /// The ranges read off the tokens are the parser's.
    #[test]
    fn plain_ranges_are_the_parsed_ones() {
        let show = |r: Option<super::SimpleRange>| {
            r.map(|r| {
                (
                    r.start.to_string(),
                    r.end.to_string(),
                    r.inclusive,
                    r.reversed,
                )
            })
        };
        let mut read = 0;
        for header in [
            "0..n",
            "0..=n",
            "(0..n).rev()",
            "(1..=k).rev()",
            "1..x.len() - 1",
            "i + 1..n",
            "a..b.rev()",
            "0..n.min(m) as usize",
            "-3..3",
            "0..(n)",
            "(0..n)",
            "((0..n)).rev()",
            "0..",
            "..n",
            "..",
            "x.iter()",
            "(0..n).step_by(2)",
            "0..n == m",
            "|i| i..n",
            "a...b",
        ] {
            let tokens: TokenStream = header.parse().expect("tokens");
            let plain = show(plain_range(&tokens));
            read += usize::from(plain.is_some());
            if plain.is_some() {
                assert_eq!(plain, show(parsed_range(&tokens)), "{header}");
            }
        }
        assert_eq!(read, 10);
    }
}
