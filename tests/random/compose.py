#!/usr/bin/env python3
"""Randomized differential testing of helpers composed with each other
(issue 18): the family `compose`, written to `tests/random_compose.rs`.

    python3 tests/random/compose.py      # from the repository root

A family of `tests/random/generate.py`'s `calls` family (whose docstring
explains how a family is built: a Rust function and its Python twin, test
points away from kinks and branch thresholds, the checks), kept in a script
of its own as `iters.py` is, with its own seed and `random.Random`, so that
neither moves when the other changes. It adds what the `calls` family does
not write and a new user does:

- a helper's result passed straight to another helper: `g(h(x))` for an
  array or `Vec` parameter (by value, so the result is moved), `g(&h(x))`
  for a slice or `&[f64; N]` parameter; in loops, `y = step(step(y))`;
- helpers written with iterators (`x.iter().map(..).sum()`, `for &v in
  x.iter()`, ...): their forward sweep keeps a borrow, so a caller reaches
  them through the joint split form, with slices, arrays and `Vec`s by
  value passed to them;
- borrowed sub-slices held in locals, `let r = &x[a..b];`, read by element
  and passed to helpers;
- a helper with a buffer and a result called inside an expression that
  reads the buffer after it, `c * h(.., &mut d) + d[i]`;
- `std::mem::swap(&mut u, &mut w)` of two `Vec`s in a loop;
- aliases of slice parameters in and out of `wrt`, `let b = x;` and `let
  mut b = x;` (only read), read by element and passed to helpers (`h(b)`,
  `h(&b[a..c])`);
- helpers whose only active data is their `&mut [f64]` buffer (`fn h(y:
  &mut [f64], c: f64)` with `c` left out of `wrt`, or `fn h(y: &mut
  [f64])`, updating `y` in place, calling each other on the buffer or a
  range of it; COMPOSE_BUF_ONLY_P of the functions), called on active local
  buffers, once or in a loop of their own, or on the caller's own buffer;
- `let old = std::mem::replace(&mut u, w);` of whole local `Vec`s, arrays
  and f64s, in loops, `old` read after;
- integer sums next to float ones (`(0..n).map(|i| i * 2).sum::<usize>()`,
  also as an index, `let m: i64 = ..sum();`, read as `m as f64`);
- float sums that are empty at some points or all (`A.iter().skip(k)`,
  `.skip(A.len())`, `(k..A.len()).map(..)`): an empty one is `-0.0`, and at
  the top level it is often a result element of its own, so that the value
  check (bit for bit) sees its sign.

Those five are forced in SECOND_P of the functions, besides their weights.
Each is drawn straight-line, in loops and in branches (`forced`). Third
(forced in THIRD_P of the functions, one of them; a function may have up to
THIRD_LINES lines of them beyond the limit):

- a function whose tail is a `loop` left only by `return` (`let mut j =
  0; loop { ..; j += 1; if s > c { return e1; } if j >= n { return e2; }
  }`, the twin a `while True:` with returns), also in a branch of the tail
  `if`, and the tail `c * loop { .. break v; .. return e; .. }` (a loop
  with a value and a `return` inside; COMPOSE_TAIL_LOOP_P of the functions
  with an f64 result besides the forced ones), and `let u = loop { ..
  return e; .. break v; };` as a statement;
- `for x in data` (`x: &f64`), `for &x in data.iter()`, `for x in
  data.iter().skip(1)` over a slice parameter left out of `wrt` or a
  `const` table (`const M012_T0: [f64; 4] = [..];` at the module level,
  named after its function), `x` read with active values (`(x - a) * b`,
  `x * a`, `(*x).sin() * a`, Horner's `s = (s + x) * b`), and element
  references `let d = &data[i]; s += d * a;`;
- table lookups `let i = xs.partition_point(|&k| k <= a).clamp(1,
  xs.len() - 1);` and `xs.iter().position(|&k| k > a).unwrap_or(0)` with
  `a` active, then active data read at `i` (`y[i]`, `y[i - 1] * (1.0 - t)
  + y[i] * t`), over sorted knots: a parameter `xs` left out of `wrt`
  (COMPOSE_KNOTS_P of the functions have one; `compose_run` sorts its
  values, and such functions are not called by later ones, which would
  pass any data) or a sorted `const` table. The twin (`k_pp`, `bisect`;
  `k_pos`) records every comparison with a knot as a decision, so test
  points keep `a` away from the knots as from any branch threshold.

Fourth (`compose_more.py`; forced in FOURTH_P of the functions, one of
them, up to FOURTH_LINES lines beyond the limit; the two kinds of helpers
drawn as COMPOSE_OPT_P and COMPOSE_GENERIC_P of the functions):

- helpers with an inactive `Option<&[f64]>`, `Option<&Vec<f64>>` or
  `Option<&f64>` parameter and an integer `k` (`more.opt_helper`), read by
  `if let Some(w) = w`, `match w { Some(w) => .., None => .. }` (`None`
  first too) and `matches!(k, 1 | 2)`, straight-line, in loops and
  branches, passing `w` on to earlier ones (as it is, `None`, `Some(&w[1..])`);
  the harness gives them `Some(..)` at odd k and `None` at even k, and
  callers pass `None`, `Some(v)`, `Some(&v[..])`, `Some(&v[1..])`,
  `Some(&[..][..])`, `Some(&b)` of values left out of `wrt`;
- `swap`, `replace`, `take` by bare names (the module's `use
  std::mem::{replace, swap, take};` or the body's own `use`),
  `std::mem::take(&mut u)` bound and as a statement, and `u =
  Default::default();` of active local f64s, arrays and `Vec`s;
- a `&mut` buffer (the function's own or an active local) lent to a
  helper's `&[f64]` parameter as `&u[..]`, `&*u`, `&u`, bound or written
  back into the buffer;
- `for row in m.iter()` (`for row in m`, `for row in &m`) over 2-D
  parameters (in and out of `wrt`) and locals, `row[j]`,
  `row.iter().sum::<f64>()`, `row` passed to a helper's `&[f64]`;
- functions generic over `T: Real` (`compose_generic.generic_fn`) over
  `T`, `&[T]`, `Vec<T>`, `[T; N]`, `&DVector<T>`, `DVector<T>` by value
  (at times `mut`, written by element before the calls) and
  `&DMatrix<T>` (some out of `wrt`), returning `T`, `Vec<T>`, `[T; N]` or
  `DVector<T>`, calling earlier generic ones straight-line, in loops and
  in branches with nalgebra arguments of every source (the caller's
  parameters borrowed or cloned, `from_column_slice` of its arrays,
  scaled values, locals written by element then lent or moved,
  constants), tested with T = f64; some written at T = f64 (`f64` and
  literals), which call the generic ones at `f64`, and the other
  functions call those without nalgebra parameters with f64.

Fifth (`compose_audit.py`; COMPOSE_AUDIT_P of the functions, which call
only each other): the forms issue 18's audit made work, as templates with
their own helpers, straight-line, in loops and branches, with parameters
left out of `wrt` and mutated: `let (e, o) = pair(..)` of `(f64,
Vec<f64>)` with `o` read linearly; nalgebra values passed by value
(`m.column(j).into_owned()`, a `DVector<f64>` parameter as `v.clone()`,
the user's `c.clone()`, an inactive local passed twice); `Vec` buffers
copied from ranges of slices left out of `wrt`; `if let Some(e) =
w.first()` (`last`, `get`, `iter().next()`, `Some(&e)`); `Vec`s assigned
other lengths in loops; `*y0` of `&SVector`, `clone_from_slice`, `swap`
and `m[r].swap`; `&[[f64; 3]]` parameters.

Sixth (`compose_bufs.py`; COMPOSE_BUFS_P of the functions, which call only
each other): in/out buffers of fixed arrays and nalgebra values (`&mut
[f64; 3]`, `&mut DVector<f64>`, `&mut DMatrix<f64>`, `&mut SVector<f64,
3>`, `&mut Vector3<f64>`) written by element and whole, passed on by a
helper's own buffer and lent by scalar callers as locals, in loops and
branches (the helpers tested by `_jvp` and `_vjp`, the callers in every
mode); rows of a `Vec<Vec<f64>>` by value moved into helpers; slices
chosen among data left out of `wrt` by a `bool` and a slice binding
reassigned; `match` over `first`/`get`/`last` and `while let Some(a) =
w.get(j)`; `DVector::from_column_slice(data)` passed by value.

Seventh (`compose_forms.py`; COMPOSE_FORMS_P of the functions, which call
only each other): the forms the change `bufs2` made work: `y.scale_mut(a)`
and `for e in y.iter_mut()` on `&mut DVector<f64>` and `&mut SVector<f64,
3>` buffers; `let z = *y;` of a `&mut [f64; 3]` buffer; reshapes of active
values (`DMatrix::from_column_slice` / `from_row_slice` / `from_vec(r, c,
..)`, `DVector::from_column_slice(&x[a..b])`) used in products, element
reads and helpers; values built by element (`DVector`, `SVector`,
`Vector3::new`) and a helper's typed `DVector<f64>` result written by
element, then lent to buffer helpers; an iterator chain inside `vec![..]`;
`for &i in ids.iter()` with `ids: &Ids` (the module's `type Ids =
Vec<usize>;`); `k.saturating_sub(1)` as an index and a loop bound; rows of
an owned `Vec<Vec<f64>>` cloned; an inactive `DVector<f64>` passed by value
twice.

Eighth (`compose_sweep.py`; COMPOSE_SWEEP_P of the functions, which call
only each other): array literals bound in loops and `[0.0; 2]` assigned by
element, range patterns in `match` on active floats and on integers, tuple
patterns over `&[(usize, usize)]` and `&[(usize, f64)]`, `fold` with tuple
accumulators, and `split_at` halves of named slices.

Ninth (`compose_sweep2.py`; COMPOSE_SWEEP2_N functions drawn after the
others, so that those stay as they were, calling only each other): active
local arrays and `Vec`s sorted in place by `sort_by` / `sort_unstable_by`
(read by index, passed on, sorted again in loops; the values kept apart),
rows of local 2-D arrays lent as `&mut` buffers, a helper's tuple result
beside its buffer bound whole and destructured, tuple locals destructured
and swapped in loops, array patterns `|&[u, w]|` over rows, and closures
whose body is a bare assignment (`for_each(|v| s += v * v)`).
"""

import argparse
import bisect
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compose_audit as audit  # noqa: E402
import compose_bufs as bufs  # noqa: E402
import compose_generic as generic  # noqa: E402
import compose_forms as forms  # noqa: E402
import compose_more as more  # noqa: E402
import compose_sweep as sweep  # noqa: E402
import compose_sweep2 as sweep2  # noqa: E402
import generate as G  # noqa: E402
import iters  # noqa: E402
from generate import E, binop, var  # noqa: E402

COMPOSE_SEED = 20261206
COMPOSE_N_FUNCS = 300
COMPOSE_OUT = os.path.join(G.ROOT, "tests", "random_compose.rs")
# Nested calls count against the family's limit of calls per function.
COMPOSE_MAX_CALLS = 4
# The share of helpers whose only active data is their buffer
# (`buf_only_helper`).
COMPOSE_BUF_ONLY_P = 0.08
# Lines a function may have beyond the `calls` family's limit (the family's
# constructs are longer).
COMPOSE_EXTRA_LINES = 8
# The share of functions with a sorted slice parameter `xs` of knots left
# out of `wrt` (`ComposeGen.draw_params`), and of functions with an f64
# result whose tail is a `loop` left by `return` (`loop_tail`), besides
# the forced ones.
COMPOSE_KNOTS_P = 0.3
COMPOSE_TAIL_LOOP_P = 0.2
# The shares of helpers with an inactive option parameter (`more.opt_helper`)
# and of functions generic over `T: Real` (`compose_generic.generic_fn`).
COMPOSE_OPT_P = 0.08
COMPOSE_GENERIC_P = 0.13
# The share of functions of the fifth batch (`compose_audit.audit_fn`).
COMPOSE_AUDIT_P = 0.15
# The share of functions of the sixth batch (`compose_bufs.bufs_fn`).
COMPOSE_BUFS_P = 0.15
# The share of functions of the seventh batch (`compose_forms.forms_fn`).
COMPOSE_FORMS_P = 0.12
# The share of functions of the eighth batch (`compose_sweep.sweep_fn`).
COMPOSE_SWEEP_P = 0.2
# The functions of the ninth batch (`compose_sweep2.sweep2_fn`), drawn after
# the others (which stay as they were).
COMPOSE_SWEEP2_N = 60


class ComposeGen(more.MoreConstructs, iters.IterGen, G.CallsGen):
    """The `calls` family's generator with nested calls as arguments,
    iterator statements and sub-slice locals (`IterGen` only lends its
    statements: `stmt` is the `calls` family's)."""

    def __init__(self, rng, name, callees):
        G.CallsGen.__init__(self, rng, name, callees, new=True)
        self.nesting = 0
        # A top-level float sum that may be empty (`-0.0`), given a result
        # element of its own by `slots` so that its sign reaches the output.
        self.pure = None
        # `const` tables of this function: (rust, python) lines written
        # before it at the module level.
        self.tables = []
        self.tail_loop = self.r() < COMPOSE_TAIL_LOOP_P
        self.third_lines = 0
        self.fourth_lines = 0

    max_calls = COMPOSE_MAX_CALLS

    def stmt(self, nested, loop_ok=True):
        G.CallsGen.stmt(self, nested, loop_ok)

    # The constructs added third, whose lines a function may have beyond
    # the family's limit (up to THIRD_LINES).
    THIRD_KINDS = ("loop_return", "data_for", "elem_ref", "lookup")
    THIRD_LINES = 14

    def construct(self, kind):
        at = len(self.rs)
        G.CallsGen.construct(self, kind)
        if kind in self.THIRD_KINDS:
            self.third_lines += len(self.rs) - at
        if kind in self.FOURTH:
            self.fourth_lines += len(self.rs) - at

    CONSTRUCTS = dict(G.CallsGen.CONSTRUCTS, iter_reduce=2.5, iter_for=1.5, subslice=2, nested_call=2.5,
                      buffer_expr=1.5, swap=1, alias=1.5, buf_only_call=1.5, replace=1.5, int_sum=1,
                      empty_sum=1.5, loop_return=1.5, data_for=1.5, elem_ref=1, lookup=2, opt_call=1.5, mem=2,
                      lend=1.5, row_iter=1.5)
    # The constructs added second (aliases of slice parameters, helpers
    # whose only active data is a buffer, `std::mem::replace`, integer and
    # empty sums): a function has one of them forced with this probability.
    SECOND = ["alias"] * 2 + ["buf_only_call"] * 2 + ["replace"] * 2 + ["int_sum", "empty_sum", "empty_sum"]
    SECOND_P = 0.6
    # The constructs added third (loops with a value left by `return`, `for`
    # over data left out of `wrt` and `const` tables, element references,
    # table lookups; "tail_loop" makes the function's tail a `loop` left by
    # `return`): one of them is forced with this probability.
    THIRD = ["loop_return", "data_for", "data_for", "elem_ref", "lookup", "lookup", "lookup", "tail_loop"]
    THIRD_P = 0.6
    # The constructs added fourth (`compose_more.MoreConstructs`: calls of
    # helpers with an option parameter, `std::mem` by bare names and
    # `Default::default()`, buffers lent to slice parameters, rows taken by
    # iteration): one is forced with this probability, and a function may
    # have up to FOURTH_LINES lines of them beyond the limit.
    FOURTH = ["opt_call", "opt_call", "mem", "mem", "mem", "lend", "lend", "row_iter", "row_iter"]
    FOURTH_P = 0.6
    FOURTH_LINES = 14

    def constructs(self):
        return dict(self.CONSTRUCTS, **self.NEW_CONSTRUCTS)

    def extra_forced(self):
        # Every function has one of the family's own constructs at least.
        own = ["nested_call"] * 3 + ["subslice"] * 2 + ["iter_reduce"] * 2 + ["iter_for", "buffer_expr", "swap"]
        out = G.CallsGen.extra_forced(self) + ["F:" + self.pick(own)]
        if self.r() < self.SECOND_P:
            out.append("F:" + self.pick(self.SECOND))
        if self.r() < self.THIRD_P:
            kind = self.pick(self.THIRD)
            if kind == "tail_loop":
                self.tail_loop = True
            else:
                out.append("F:" + kind)
        if self.r() < self.FOURTH_P:
            out.append("F:" + self.pick(self.FOURTH))
        return out

    def arg_for(self, p, prev, allow_move):
        if getattr(p, "opt", False):
            return self.opt_arg(p)
        return G.CallsGen.arg_for(self, p, prev, allow_move)

    def feasible(self, g, skip=None):
        # (an option parameter always takes `None` at least)
        opts = [i for i, p in enumerate(g.params) if getattr(p, "opt", False)]
        if not opts:
            return G.CallsGen.feasible(self, g, skip)
        saved = g.params
        g.params = [p if i not in opts else G.WParam(p.name, "f") for i, p in enumerate(saved)]
        try:
            return G.CallsGen.feasible(self, g, skip)
        finally:
            g.params = saved

    def iter_reduce_stmt(self):
        if not self.arrays:
            return self.call_scalar_stmt()
        self.iter_reduce()

    def iter_for_stmt(self):
        if not self.arrays:
            return self.call_scalar_stmt()
        self.iter_for()

    # ----- nested calls ------------------------------------------------------------

    def nested_callees(self, outs, length, at_least=False):
        if self.nesting or self.n_calls >= COMPOSE_MAX_CALLS - 1:
            return []
        return [h for h in self.callees if h.out in outs and self.feasible(h) and self.vec_ok(h)
                and (h.out_len >= length if at_least else h.out_len == length)]

    def nested(self, h):
        """The call `h(..)` as an argument: (rust, python)."""
        self.nesting += 1
        try:
            return self.call_text(h)
        finally:
            self.nesting -= 1

    def array_arg(self, p, prev, allow_move):
        outs = {"a": "a", "r": "a", "v": "v"}[p.kind]
        cands = self.nested_callees(outs, p.length)
        if cands and self.r() < 0.45:
            h = self.pick(cands)
            rs, py = self.nested(h)
            what = {"a": "[f64; N] by value: g(h(..))", "r": "&[f64; N]: g(&h(..))",
                    "v": "Vec<f64> by value: g(h(..))"}[p.kind]
            self.ctag("arg " + what + " " + self.where())
            return ("&" + rs if p.kind == "r" else rs), py
        return G.CallsGen.array_arg(self, p, prev, allow_move)

    def slice_arg(self, mc):
        cands = self.nested_callees("av", mc, at_least=True)
        if cands and self.r() < 0.3:
            h = self.pick(cands)
            rs, py = self.nested(h)
            self.ctag("arg &[f64]: &h(..) of a helper returning {} {}".format(G.out_name(h), self.where()))
            return "&" + rs, py
        return G.CallsGen.slice_arg(self, mc)

    def nested_call_stmt(self):
        """`let s = g(h(..))` or `y = step(step(y))`-like: a call whose
        array argument is another call, bound and read."""
        opts = []
        for g in self.callees:
            if not self.vec_ok(g):
                continue
            for p in g.params:
                if p.active and p.kind in "arvs":
                    outs = "av" if p.kind == "s" else {"a": "a", "r": "a", "v": "v"}[p.kind]
                    if self.nested_callees(outs, p.length, at_least=p.kind == "s"):
                        opts.append(g)
                        break
        if not opts or self.n_calls >= COMPOSE_MAX_CALLS - 1:
            return self.call_let_stmt()
        g = self.pick(opts)
        self.prepare(g)
        saved = self.r
        # (every array argument that can be a call is one)
        self.r = lambda: 0.0
        try:
            rs, py = self.call_text(g, allow_move=True)
        finally:
            self.r = saved
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        if g.out == "f":
            self.sink(d)
            self.scalars.append(d)
            self.scopes[-1].append(("f", d))
        elif g.out in "av":
            arr = G.carray(d, g.out_len, "da" if g.out == "a" else "dv")
            self.declare_array(arr)
            self.consume_array(arr)
        else:
            self.emit("let _ = &{};".format(d), "")
        self.ctag("nested call g(h(..)) bound {}".format(self.where()))

    def buffer_expr_stmt(self):
        """A helper with a buffer and an f64 result called inside an
        expression that then reads the buffer: `let s = c * h(.., &mut d) +
        d[i];`."""
        cands = [g for g in self.all_callees if g.buffers and g.out == "f" and self.vec_ok(g)]
        if not cands or self.n_calls >= COMPOSE_MAX_CALLS - 1:
            return self.call_scalar_stmt()
        g = self.pick(cands)
        self.prepare(g)
        slot = [i for i, p in enumerate(g.params) if p.kind == "b"][0]
        m = g.params[slot].length
        name, arr, shape = self.local_buffer(m)
        rs, py = self.call_text(g, states={slot: ("&mut " + name, name)})
        c = self.const(0.3, 0.9)
        i = self.rng.randint(0, m - 1)
        s = self.fresh("s")
        self.emit("let {} = {} * {} + {}[{}];".format(s, c, rs, name, i),
                  "{} = chk({} * {} + {}[{}])".format(s, c, py, name, i))
        self.declare_scalar(s, False)
        self.ctag("buffer call in an expression c * h(.., &mut d) + d[i]: {} {}".format(shape, self.where()))
        self.declare_array(arr)
        if self.r() < 0.5:
            self.consume_array(arr)
        self.sink(s)

    def swap_stmt(self):
        """Two `Vec`s of one length swapped in a loop, `std::mem::swap(&mut
        u, &mut w)`, one of them updated after each swap, then read."""
        srcs = [a for a in self.copy_sources() if a.fixed and a.length >= 2]
        if not srcs:
            return self.call_let_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        n = a.length
        u, w = self.fresh("su"), self.fresh("sw")
        es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(n - 1)]
        self.emit("let mut {} = {}.to_vec();".format(u, a.name), "{} = list({})".format(u, a.name))
        self.emit("let mut {} = vec![{}];".format(w, ", ".join(e.rs for e in es)),
                  "{} = [{}]".format(w, ", ".join("chk(" + e.py + ")" for e in es)))
        c = self.const(0.3, 0.9)
        k = self.rng.randint(2, 3)
        self.emit("for _ in 0..{} {{".format(k), "for _ in range(0, {}):".format(k))
        self.emit("    std::mem::swap(&mut {}, &mut {});".format(u, w), "    {u}, {w} = {w}, {u}".format(u=u, w=w))
        self.emit("    {u}[0] = {c} * {u}[0] + {w}[1].sin();".format(u=u, w=w, c=c),
                  "    {u}[0] = chk({c} * {u}[0] + f_sin({w}[1]))".format(u=u, w=w, c=c))
        self.emit("}")
        arr = G.carray(u, n, "lv", writable=True, write_len=G.ilit(n))
        arr.surely_active = True
        self.declare_array(arr)
        self.ctag("std::mem::swap of two Vecs in a loop {}".format(self.where()))
        self.consume_array(arr)

    # ----- aliases of slice parameters ----------------------------------------------

    def slice_call(self, arr, what):
        """A call of a helper with an active `&[f64]` parameter given `arr`
        whole or a sub-slice of it (`h(b)`, `h(&b[1..3])`), its result bound
        and read. False if no helper fits."""
        opts = []
        for g in self.callees:
            if not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if p.kind == "s" and p.active and p.length <= arr.length and self.feasible(g, skip=i):
                    opts.append((g, i))
        if not opts or self.n_calls >= COMPOSE_MAX_CALLS - 1:
            return False
        g, slot = self.pick(opts)
        self.prepare(g, skip=slot)
        mc = g.params[slot].length
        if arr.length > mc and self.r() < 0.5:
            lo = self.rng.randint(0, arr.length - mc)
            hi = self.rng.randint(lo + mc, arr.length)
            arg = ("&{}[{}..{}]".format(arr.name, lo, hi), "sl({}, {}, {}, {})".format(arr.name, lo, hi, mc))
            shape = "h(&b[a..b])"
        else:
            arg = (arr.name, arr.name)
            shape = "h(b)"
        rs, py = self.call_text(g, states={slot: arg})
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        if g.out == "f":
            self.declare_scalar(d, False)
            self.wrote(d)
            self.sink(d)
        else:
            res = G.carray(d, g.out_len, "da" if g.out == "a" else "dv")
            self.declare_array(res)
            self.consume_array(res)
        self.ctag("{} passed on as {} {}".format(what, shape, self.where()))
        return True

    def alias_stmt(self):
        """`let b = x;` (or `let mut b = x;`, only read) of a slice
        parameter in or out of `wrt`: `b[i]` read, `b` passed to helpers."""
        params = {p.name: p for p in self.wparams if p.kind == "s"}
        srcs = [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.name in params]
        if not srcs:
            return self.subslice_stmt()
        a = self.pick(srcs)
        p = params[a.name]
        self.used.add(a.name)
        b = self.fresh("b")
        mut = self.r() < 0.35
        self.emit("let {}{} = {};".format("mut " if mut else "", b, a.name), "{} = {}".format(b, a.name))
        arr = G.carray(b, a.length, "s", fixed=False)
        self.declare_array(arr)
        what = "alias let {}b = x of a slice parameter {}".format("mut " if mut else "",
                                                                  "in wrt" if p.active else "left out of wrt")
        self.ctag("{} {}".format(what, self.where()))
        i = self.index(arr)
        e = G.binop(self.pick("+*"), self.elem(b, i), self.expr(1))
        self.sink(self.let(e))
        if self.r() < 0.75:
            self.slice_call(arr, what)

    # ----- helpers whose only active data is a buffer -------------------------------

    def buf_only_call_stmt(self):
        """A helper whose only active data is its `&mut [f64]` buffer
        (`fn h(y: &mut [f64], c: f64)`, c left out of `wrt`), called on an
        active local buffer (once or in a loop) or on the caller's own."""
        cands = [g for g in self.all_callees if getattr(g, "buf_only", False)]
        if not cands or self.n_calls >= COMPOSE_MAX_CALLS - 1:
            return self.buffer_call_stmt()
        g = self.pick(cands)
        slot = [i for i, p in enumerate(g.params) if p.kind == "b"][0]
        m = g.params[slot].length
        own = self.own_buf
        arr = None
        if own is not None and own.length == m and self.r() < 0.3:
            name, state, shape = own.name, (own.name, own.name), "the caller's own buffer passed on"
            self.own_buf_passed = True
        else:
            name = self.fresh("bf")
            vec = self.r() < 0.5
            es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(m - 1)]
            self.rng.shuffle(es)
            self.emit("let mut {} = {}[{}];".format(name, "vec!" if vec else "", ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
            arr = G.carray(name, m, "lv" if vec else "la", writable=True, write_len=G.ilit(m) if vec else G.ilen(name))
            arr.surely_active = True
            state = ("&mut " + name, name)
            shape = "an active local " + ("Vec" if vec else "array")
        rs, py = self.call_text(g, states={slot: state})
        if self.r() < 0.4:
            n = self.rng.randint(2, 3)
            self.emit("for _ in 0..{} {{".format(n), "for _ in range(0, {}):".format(n))
            self.emit("    " + rs + ";", "    " + py)
            self.emit("}")
            shape += ", called in a loop of its own"
        else:
            self.emit(rs + ";", py)
        self.ctag("helper whose only active data is its buffer ({}) on {} {}".format(
            "with an f64 left out of wrt" if len(g.params) > 1 else "in place", shape, self.where()))
        if arr is not None:
            self.declare_array(arr)
            self.consume_array(arr)

    # ----- std::mem::replace -------------------------------------------------------

    def replace_stmt(self):
        """`let old = std::mem::replace(&mut u, w);` of a whole local (a
        `Vec`, an array or an f64), in a loop of its own or once, `old`
        read after."""
        kind = self.pick(["vec", "arr", "f64"])
        loop = self.r() < 0.6
        c = self.const(0.3, 0.9)
        u, old = self.fresh("ru"), self.fresh("old")
        vec = kind == "vec"
        n = self.rng.randint(2, 4)
        self.active_local(None, kind, n, name=u)
        if loop:
            k = self.rng.randint(2, 3)
            self.emit("for _ in 0..{} {{".format(k), "for _ in range(0, {}):".format(k))
            self.ind += 1
        # The new value: from the old one, bound first (`&mut u` is borrowed
        # while the arguments are evaluated), or written in the call.
        bound = self.r() < 0.6
        if kind == "f64":
            e = self.typed(self.act_expr())
            if bound:
                t = self.fresh("t")
                self.emit("let {} = {} * {} + {};".format(t, c, u, G.par(e, G.ADD + 1)),
                          "{} = chk({} * {} + {})".format(t, c, u, e.py))
                new = (t, t)
            else:
                new = (e.rs, "chk(" + e.py + ")")
        elif bound:
            t = self.fresh("w")
            parts = ["{} * {}[{}] + {}[{}].sin()".format(c, u, (j + 1) % n, u, j) for j in range(n)]
            pparts = ["chk({} * {}[{}] + f_sin({}[{}]))".format(c, u, (j + 1) % n, u, j) for j in range(n)]
            self.emit("let {} = {}[{}];".format(t, "vec!" if vec else "", ", ".join(parts)),
                      "{} = [{}]".format(t, ", ".join(pparts)))
            new = (t, t)
        else:
            ns = [self.typed(self.act_expr()) for _ in range(n)]
            new = ("{}[{}]".format("vec!" if vec else "", ", ".join(e.rs for e in ns)),
                   "[{}]".format(", ".join("chk(" + e.py + ")" for e in ns)))
        self.emit("let {} = std::mem::replace(&mut {}, {});".format(old, u, new[0]),
                  "{}, {} = {}, {}".format(old, u, u, new[1]))
        if kind == "f64":
            self.emit("{u} += 0.5 * {o}.sin();".format(u=u, o=old), "{u} = chk({u} + 0.5 * f_sin({o}))".format(u=u, o=old))
        else:
            j = self.rng.randint(0, n - 1)
            self.emit("{u}[{j}] += 0.5 * {o}[{i}];".format(u=u, j=j, o=old, i=n - 1 - j),
                      "{u}[{j}] = chk({u}[{j}] + 0.5 * {o}[{i}])".format(u=u, j=j, o=old, i=n - 1 - j))
        if loop:
            self.ind -= 1
            self.emit("}")
        what = {"f64": "an f64", "vec": "a Vec<f64>", "arr": "a [f64; N]"}[kind]
        self.ctag("let old = std::mem::replace(&mut u, w) of {}{} {}".format(what, " in a loop" if loop else "",
                                                                           self.where()))
        self.declare_local(u, kind, n)

    # ----- integer sums and sums that may be empty ---------------------------------

    def int_sum_stmt(self):
        """An integer sum next to a float one: `(0..n).map(|i| i * 2)
        .sum::<usize>()` (then also an index) or `let m: i64 = ..sum();`,
        read as `m as f64`."""
        arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        m = self.fresh("m")
        c = self.rng.randint(1, 3)
        if arrs and self.r() < 0.5:
            a = self.pick(arrs)
            self.used.add(a.name)
            n_rs, n_py = "{}.len()".format(a.name), "len({})".format(a.name)
        elif "k" in self.ints and self.r() < 0.6:
            self.used.add("k")
            n_rs, n_py = "k + 1", "k + 1"
        else:
            n = self.rng.randint(0, 4)
            n_rs, n_py = str(n), str(n)
        signed = self.r() < 0.45
        if signed:
            d = self.rng.randint(1, 3)
            if self.r() < 0.5:
                self.emit("let {}: i64 = (0..{}).map(|i| i as i64 * {} - {}).sum();".format(m, n_rs, c, d),
                          "{} = sum(i * {} - {} for i in range(0, {}))".format(m, c, d, n_py))
            else:
                self.emit("let {} = (0..{}).map(|i| {} - i as i64).sum::<i64>();".format(m, n_rs, d),
                          "{} = sum({} - i for i in range(0, {}))".format(m, d, n_py))
            shape = "let m: i64 = ..sum()"
        else:
            if self.r() < 0.5:
                self.emit("let {} = (0..{}).map(|i| i * {}).sum::<usize>();".format(m, n_rs, c),
                          "{} = sum(i * {} for i in range(0, {}))".format(m, c, n_py))
            else:
                self.emit("let {}: usize = (0..{}).map(|i| i % {} + 1).sum();".format(m, n_rs, c + 1),
                          "{} = sum(i % {} + 1 for i in range(0, {}))".format(m, c + 1, n_py))
            shape = "sum::<usize>()"
        # read as `m as f64` next to a float sum
        w = self.const(0.05, 0.3)
        src = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        if src:
            a = self.pick(src)
            self.used.add(a.name)
            v = self.fresh("v")
            f = self.body([v], 1)
            fs_rs = "{}.iter().map(|&{}| {}).sum::<f64>()".format(a.name, v, f.rs)
            fs_py = "sum([chk({}) for {} in list({})], -0.0)".format(f.py, v, a.name)
        else:
            e = self.typed(self.act_expr())
            fs_rs, fs_py = G.par(e, G.MUL + 1), e.py
        s = self.fresh("s")
        self.emit("let {} = {} * (1.0 + {} * ({} as f64));".format(s, fs_rs, w, m),
                  "{} = chk(({}) * (1.0 + {} * float({})))".format(s, fs_py, w, m))
        self.declare_scalar(s, False)
        self.wrote(s)
        if not signed:
            self.declare_int(m)
            self.used.add(m)
            arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
            if arrs and self.r() < 0.6:
                a = self.pick(arrs)
                self.used.add(a.name)
                t = self.fresh("u")
                self.emit("let {} = {} * {}[{} % {}.len()];".format(t, s, a.name, m, a.name),
                          "{} = chk({} * {}[{} % len({})])".format(t, s, a.name, m, a.name))
                self.declare_scalar(t, False)
                self.wrote(t)
                s = t
                shape += " also as an index"
        self.sink(s)
        self.ctag("integer sum {} read as m as f64 next to a float sum {}".format(shape, self.where()))

    def empty_sum_stmt(self):
        """A float sum that is empty at some points (or all): `A.iter()
        .skip(k).map(..).sum::<f64>()`, `(k..A.len()).map(..).sum()`; an
        empty one is `-0.0`, which at the top level becomes a result
        element of its own."""
        arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        if not arrs:
            return self.iter_reduce_stmt()
        a = self.pick(arrs)
        self.used.add(a.name)
        c = self.r()
        if "k" in self.ints and c < 0.5:
            self.used.add("k")
            skip_rs = skip_py = "k"
            how = "skip(k)"
        elif c < 0.75:
            skip_rs = skip_py = str(a.length)
            how = "skip(len): always empty"
        else:
            v = self.fresh("j")
            d = self.rng.randint(0, 2)
            self.emit("let {} = {}.len() - {};".format(v, a.name, d) if d else "let {} = {}.len();".format(v, a.name),
                      "{} = len({}) - {}".format(v, a.name, d))
            skip_rs = skip_py = v
            how = "skip(n) with n a length"
        v = self.fresh("v")
        f = self.body([v], 1)
        u = self.fresh("e")
        if self.r() < 0.7:
            ann = self.r() < 0.4
            self.emit("let {}{} = {}.iter().skip({}).map(|&{}| {}).sum{}();".format(
                u, ": f64" if ann else "", a.name, skip_rs, v, f.rs, "" if ann else "::<f64>"),
                "{} = chk(sum([chk({}) for {} in list({})[{}:]], -0.0))".format(u, f.py, v, a.name, skip_py))
        else:
            i = self.fresh("i")
            f2 = re.sub(r"\b" + v + r"\b", "{}[{}]".format(a.name, i), f.rs)
            self.emit("let {} = ({}..{}.len()).map(|{}| {}).sum::<f64>();".format(u, skip_rs, a.name, i, f2),
                      "{} = chk(sum([chk({}) for {} in list({})[{}:]], -0.0))".format(u, f.py, v, a.name, skip_py))
            how = {"skip(k)": "(k..len)", "skip(len): always empty": "(len..len): always empty"}.get(how, "(n..len)")
        self.declare_scalar(u, False)
        self.wrote(u)
        pure = self.top and self.pure is None and self.out in "vat" and self.r() < 0.8
        if pure:
            self.pure = G.var(u)
        else:
            self.sink(u)
        self.ctag("float sum that may be empty, {}{} {}".format(how, ", a result element of its own" if pure else "",
                                                              self.where()))

    def slots(self, shaped, m):
        if self.pure is not None and m >= 2:
            es = G.CallsGen.slots(self, shaped, m - 1)
            es.insert(self.rng.randint(0, m - 1), self.pure)
            self.pure = None
            return es
        return G.CallsGen.slots(self, shaped, m)

    # ----- loops left by `return` ----------------------------------------------------

    def exits_loop(self, acc, j, n, exits):
        """The body of a `loop` on the counter `j` that updates the active
        `acc`, then takes `exits` in order: (condition (rust, python) or
        None for `j >= n`, "return"/"break", value E or None for the
        function's `exit_stmt`), `bound` naming the loop's value in Python."""
        self.loops.append("value")
        self.push()
        self.mut_update(acc)
        if self.r() < 0.4:
            self.update(acc)
        self.emit("{} += 1;".format(j), "{} += 1".format(j))
        for cond, kind, e, bound in exits:
            rs, py = cond if cond is not None else ("{} >= {}".format(j, n), "{} >= {}".format(j, n))
            self.emit("if {} {{".format(rs), "if {}:".format(py))
            self.ind += 1
            if kind == "break":
                self.emit("break {};".format(e.rs), "{} = chk({})".format(bound, e.py))
                self.emit(None, "break")
            elif e is not None:
                self.emit("return {};".format(e.rs), "return chk({})".format(e.py))
            else:
                loops, self.loops = self.loops, []
                try:
                    self.exit_stmt()
                finally:
                    self.loops = loops
            self.ind -= 1
            self.emit("}")
        self.pop()
        self.loops.pop()

    def acc_cond(self, acc, up=None):
        """`acc > c` (`up`) or `acc < -c`: (rust, python)."""
        c = self.const(0.05, 0.8)
        if up if up is not None else self.r() < 0.5:
            return "{} > {}".format(acc, c), "gt({}, {})".format(acc, c)
        return "{} < -{}".format(acc, c), "lt({}, -{})".format(acc, c)

    def loop_return_stmt(self):
        """`let u = loop { ..; if c { return e; } if j >= n { break v; } };`:
        a loop with a value and a `return` inside, then `u` read."""
        callees, self.callees = self.callees, []
        try:
            acc = self.let(self.typed(self.act_expr()), name=self.fresh("s"), mutable=True)
            j, u = self.fresh("j"), self.fresh("u")
            n = self.rng.randint(2, 4)
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            self.emit("let {} = loop {{".format(u), "while True:")
            up = self.r() < 0.5
            exits = [(self.acc_cond(acc, up), "return", None, None),
                     (None, "break", binop("*", var(acc), self.expr(1)), u)]
            if self.r() < 0.4:
                exits.insert(self.rng.randint(0, 1), (self.acc_cond(acc, not up), "break",
                                                      binop("+", var(acc), self.expr(1)), u))
            self.exits_loop(acc, j, n, exits)
            self.emit("};")
        finally:
            self.callees = callees
        self.declare_scalar(u, False)
        self.wrote(u)
        self.sink(u)
        self.ctag("let u = loop {{ .. break v; .. return e; .. }} {}".format(self.where()))

    def tail(self, shaped):
        if not (self.tail_loop and self.out == "f" and self.own_buf is None):
            return G.CallsGen.tail(self, shaped)
        # The tail's terms bound first, read by every exit.
        e = None
        for t in shaped:
            e = t if e is None else binop(self.pick("+-"), e, t)
        at = len(self.rs)
        tl = self.let(e, name=self.fresh("t"))
        callees, self.callees = self.callees, []
        acc = self.let(self.typed(self.act_expr()), name=self.fresh("s"), mutable=True)
        j = self.fresh("j")
        n = self.rng.randint(2, 4)
        self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
        kind = self.pick(["return", "return", "value", "value", "branch"])
        ret = lambda: binop(self.pick("+*"), var(acc), var(tl))  # noqa: E731
        if kind == "branch":
            rs, py = self.active_only_cond()
            self.emit("if {} {{".format(rs), "if {}:".format(py))
            self.ind += 1
        if kind == "value":
            c = self.const(0.3, 1.5)
            lv = self.fresh("lv")
            self.emit("{} * loop {{".format(c), "while True:")
            up = self.r() < 0.5
            exits = [(self.acc_cond(acc, up), "break", ret(), lv), (self.acc_cond(acc, not up), "return", ret(), None)]
            self.rng.shuffle(exits)
            exits.append((None, "break", ret(), lv))
            self.exits_loop(acc, j, n, exits)
            self.emit("}", "return chk({} * {})".format(c, lv))
            what = "the tail c * loop { .. break v; .. return e; .. }"
        else:
            self.emit("loop {", "while True:")
            self.exits_loop(acc, j, n, [(self.acc_cond(acc), "return", ret(), None), (None, "return", ret(), None)])
            self.emit("}")
            what = "the tail loop { .. return e1; .. if j >= n { return e2; } }"
        if kind == "branch":
            self.ind -= 1
            self.emit("} else {", "else:")
            self.emit("    " + tl, "    return " + tl)
            self.emit("}")
            what += " in a branch of an if"
        self.callees = callees
        self.ctag(what)
        self.third_lines += len(self.rs) - at

    # ----- data left out of `wrt`: `for x in data`, element references --------------

    def table(self, sort=False):
        """A `const` table of this function at the module level: its name
        and length."""
        name = "{}_T{}".format(self.name.upper(), len(self.tables))
        n = self.rng.randint(3, 4)
        if sort:
            vals, v = [], round(self.rng.uniform(-1.3, -0.5), 2)
            for _ in range(n):
                vals.append(v)
                v = round(v + self.rng.uniform(0.3, 0.8), 2)
        else:
            vals = [round(self.rng.uniform(-1.5, 1.5), 2) for _ in range(n)]
        body = ", ".join(G.rust_float(x) for x in vals)
        self.tables.append(("const {}: [f64; {}] = [{}];".format(name, n, body),
                           "{} = [{}]".format(name, ", ".join(repr(x) for x in vals))))
        return name, n

    def data_params(self):
        """Slice parameters left out of `wrt`, never written or shadowed."""
        names = {p.name for p in self.fixed_inactive() if p.kind == "s"}
        return [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.name in names]

    def data_source(self):
        """(name, is a table, length) of data left out of `wrt`."""
        srcs = self.data_params()
        if srcs and self.r() < 0.6:
            a = self.pick(srcs)
            self.used.add(a.name)
            return a.name, False, a.length
        name, n = self.table()
        return name, True, n

    def data_for_stmt(self):
        """`for x in data` (`x: &f64`), `for &x in data.iter()`, `for x in
        data.iter().skip(1)` over a slice left out of `wrt` or a `const`
        table, `x` read with active values."""
        d, is_table, n = self.data_source()
        acc = self.ensure_mut()
        c = self.r()
        if c < 0.3:
            pat, src, by_ref, skip = "", ("&" if is_table else "") + d, True, 0
        elif c < 0.6:
            pat, src, by_ref, skip = "&", d + ".iter()", False, 0
        elif c < 0.85:
            pat, src, by_ref, skip = "", d + ".iter().skip(1)", True, 1
        else:
            pat, src, by_ref, skip = "", d + ".iter()", True, 0
        x = self.fresh("x")
        self.emit("for {}{} in {} {{".format(pat, x, src), "for {} in list({})[{}:]:".format(x, d, skip))
        self.loops.append("for")
        self.push()
        callees, self.callees = self.callees, []
        a = self.typed(self.act_expr())
        c = self.r()
        if c < 0.35:
            e = binop("*", binop("-", var(x), a), self.bounded(self.expr(1)))
            what = "(x - a) * b"
        elif c < 0.6:
            e = binop("*", var(x), a)
            what = "x * a"
        elif c < 0.8:
            f = self.pick(["sin", "cos", "tanh"])
            e = E(("(*{}).{}()" if by_ref else "{}.{}()").format(x, f), G.ATOM, "f_{}({})".format(f, x), True)
            e = binop("*", e, a)
            what = "(*x).f() * a" if by_ref else "x.f() * a"
        else:
            # Horner's scheme, `acc = (acc + x) * b`
            b = self.bounded(a)
            self.assign(acc, "=", binop("*", E("({} + {})".format(acc, x), G.ATOM, "({} + {})".format(acc, x), True), b))
            e = None
            what = "acc = (acc + x) * b"
        if e is not None:
            self.assign(acc, "+", e)
        self.callees = callees
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.used.add(acc)
        self.wrote(acc)
        self.ctag("for over {}: {} reading {} {}".format(
            "a const table" if is_table else "a slice left out of wrt", "for {}x in {}".format(pat, src.replace(d, "data")), what,
            self.where()))

    def elem_ref_stmt(self):
        """`let d = &data[i]; .. d * a ..` of a slice left out of `wrt` or a
        `const` table, in a loop over its indices or once."""
        d, is_table, n = self.data_source()
        acc = self.ensure_mut()
        r = self.fresh("r")
        loop = self.r() < 0.6
        if loop:
            i = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{}.len() {{".format(i, d), "for {} in range(0, len({})):".format(i, d),
                            "for", i)
            idx = G.ivar(i)
        else:
            idx = G.ilit(self.rng.randint(0, n - 1))
        self.emit("let {} = &{}[{}];".format(r, d, idx.rs), "{} = {}[{}]".format(r, d, idx.py))
        callees, self.callees = self.callees, []
        a = self.typed(self.act_expr())
        if self.r() < 0.5:
            e = binop("*", var(r), a)
        else:
            e = binop("+", binop("*", var(r), a), binop("*", E("(*{})".format(r), G.ATOM, r, True),
                                                           self.bounded(self.expr(1))))
        self.assign(acc, "+", e)
        self.callees = callees
        if loop:
            self.close_block(loop=True)
        self.used.add(acc)
        self.wrote(acc)
        self.ctag("element reference let d = &data[i]; d * a of {}{} {}".format(
            "a const table" if is_table else "a slice left out of wrt", " in a loop of its own" if loop else "",
            self.where()))

    # ----- table lookups ---------------------------------------------------------

    def draw_params(self, n_slices=None):
        params = G.CallsGen.draw_params(self, n_slices)
        if any(p.kind in "fsavrmn" for p in params) and self.r() < COMPOSE_KNOTS_P:
            xs = G.WParam("xs", "s", self.rng.randint(3, 4))
            xs.sorted = True
            params.append(xs)
        return params

    def adjust_activity(self, floats, use_wrt):
        """The knots `xs` stay out of `wrt` (with `wrt`)."""
        for p in floats:
            if getattr(p, "sorted", False) and use_wrt:
                p.active = False
                if not any(q.active for q in floats):
                    self.pick([q for q in floats if q is not p]).active = True

    def lookup_stmt(self):
        """`let i = xs.partition_point(|&k| k <= a).clamp(1, xs.len() - 1);`
        or `xs.iter().position(|&k| k > a).unwrap_or(0)` over the sorted
        knots `xs` left out of `wrt` or a sorted `const` table, with `a`
        active, then active data read at `i` (`y[i]`, `y[i - 1] * (1.0 -
        t) + y[i] * t`). The twin records every comparison with a knot, so
        test points keep `a` away from the knots."""
        knots = [p for p in self.fixed_inactive() if getattr(p, "sorted", False) and p.name in
                 [a.name for a in self.arrays]]
        if knots and self.r() < 0.6:
            kn, n, what = knots[0].name, knots[0].length, "sorted knots xs left out of wrt"
            self.used.add(kn)
        else:
            (kn, n), what = self.table(sort=True), "a sorted const table"
        callees, self.callees = self.callees, []
        try:
            a = self.let(self.typed(self.act_expr()), name=self.fresh("a"))
            ys = [arr for arr in self.arrays if arr.length >= n and (
                getattr(arr, "surely_active", False) or any(p.name == arr.name and p.active and p.kind in "savr"
                                                            for p in self.wparams))]
            if ys and self.r() < 0.5:
                y = self.pick(ys).name
                self.used.add(y)
            else:
                y = self.fresh("y")
                es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(n - 1)]
                self.rng.shuffle(es)
                self.emit("let {} = [{}];".format(y, ", ".join(e.rs for e in es)),
                          "{} = [{}]".format(y, ", ".join("chk(" + e.py + ")" for e in es)))
            i, s = self.fresh("i"), self.fresh("s")
            if self.r() < 0.6:
                self.emit("let {} = {}.partition_point(|&k| k <= {}).clamp(1, {}.len() - 1);".format(i, kn, a, kn),
                          "{} = min(max(k_pp({}, {}), 1), len({}) - 1)".format(i, kn, a, kn))
                how = "partition_point(..).clamp(1, len - 1)"
                if self.r() < 0.7:
                    t = self.fresh("t")
                    self.emit("let {t} = ({a} - {k}[{i} - 1]) / ({k}[{i}] - {k}[{i} - 1]);".format(t=t, a=a, k=kn, i=i),
                              "{t} = chk(({a} - {k}[{i} - 1]) / ({k}[{i}] - {k}[{i} - 1]))".format(t=t, a=a, k=kn, i=i))
                    self.emit("let {s} = {y}[{i} - 1] * (1.0 - {t}) + {y}[{i}] * {t};".format(s=s, y=y, i=i, t=t),
                              "{s} = chk({y}[{i} - 1] * (1.0 - {t}) + {y}[{i}] * {t})".format(s=s, y=y, i=i, t=t))
                    how += ", interpolated"
                else:
                    self.emit("let {s} = {y}[{i}] * {a} + {y}[{i} - 1];".format(s=s, y=y, i=i, a=a),
                              "{s} = chk({y}[{i}] * {a} + {y}[{i} - 1])".format(s=s, y=y, i=i, a=a))
            else:
                self.emit("let {} = {}.iter().position(|&k| k > {}).unwrap_or(0);".format(i, kn, a),
                          "{} = k_pos({}, {})".format(i, kn, a))
                self.emit("let {s} = {y}[{i}] * {a} + {y}[0];".format(s=s, y=y, i=i, a=a),
                          "{s} = chk({y}[{i}] * {a} + {y}[0])".format(s=s, y=y, i=i, a=a))
                how = "iter().position(..).unwrap_or(0)"
        finally:
            self.callees = callees
        self.declare_scalar(s, False)
        self.wrote(s)
        self.sink(s)
        self.ctag("table lookup {} over {} {}".format(how, what, self.where()))

    def function(self):
        spec = G.CallsGen.function(self)
        if self.tables:
            spec.rust = "".join(r + "\n" for r, _ in self.tables) + "\n" + spec.rust
            spec.python = "".join(p + "\n" for _, p in self.tables) + spec.python
        spec.knots = any(getattr(p, "sorted", False) for p in spec.params)
        spec.extra_lines = min(self.third_lines, self.THIRD_LINES) + min(self.fourth_lines, self.FOURTH_LINES)
        return spec

    # ----- sub-slice locals --------------------------------------------------------

    def subslice_stmt(self):
        """`let r = &x[a..b];` (or `&x[a..]`) of a slice parameter, then read
        by element or passed on (it is one of the arrays in scope)."""
        srcs = [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.length >= 3
                and not any(p.name == a.name and p.mut for p in self.wparams)]
        if not srcs:
            return self.call_let_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        n = a.length
        lo = self.rng.randint(0, 1)
        r = self.fresh("r")
        if self.r() < 0.5:
            hi = self.rng.randint(lo + 2, n)
            self.emit("let {} = &{}[{}..{}];".format(r, a.name, lo, hi), "{} = sl({}, {}, {}, 2)".format(r, a.name, lo, hi))
            arr = G.carray(r, hi - lo, "s")
            shape = "&x[a..b]"
        else:
            self.emit("let {} = &{}[{}..];".format(r, a.name, lo), "{} = sl({}, {}, None, 2)".format(r, a.name, lo))
            arr = G.carray(r, n - lo, "s", fixed=False)
            shape = "&x[a..]"
        self.declare_array(arr)
        self.ctag("sub-slice local let r = {} {}".format(shape, self.where()))
        if self.r() < 0.5:
            self.consume_array(arr)


def buf_only_helper(rng, name, callees):
    """A helper whose only active data is its buffer: `fn h(y: &mut [f64],
    c: f64)` with `c` left out of `wrt` (`wrt(y)`), or `fn h(y: &mut
    [f64])`, updating `y` in place (`y[i] = y[i].tanh()`, neighbours,
    branches on its elements, a reduction written back, earlier such
    helpers called on all of it)."""
    n = rng.randint(3, 4)
    y = G.WParam("y", "b", n)
    params = [y]
    has_c = rng.random() < 0.6
    if has_c:
        params.append(G.WParam("c", "f"))
    cr = "c" if has_c else str(round(rng.uniform(0.3, 0.9), 2))
    rs, py, tags = [], [], []
    depth = 0

    def emit(r, p=None):
        rs.append("    " + r)
        if p is not None:
            py.append("    " + p)

    kinds = rng.choices(["map", "neigh", "branch", "reduce", "iter_mut", "call"], [3, 2, 2, 1.5, 1.5, 2],
                        k=rng.randint(2, 3))
    if "map" not in kinds and "iter_mut" not in kinds:
        kinds.append("map")
    rng.shuffle(kinds)
    subs = [g for g in callees if getattr(g, "buf_only", False) and g.params[0].length <= n]
    for kind in kinds:
        if kind == "call" and not subs:
            kind = "neigh"
        if kind == "map":
            f = rng.choice(["tanh", "sin", "atan"])
            if rng.random() < 0.5:
                emit("for i in 0..y.len() {", "for i in range(0, len(y)):")
                emit("    y[i] = y[i].{}();".format(f), "    y[i] = chk(f_{}(y[i]))".format(f))
                emit("}")
                tags.append("buffer-only helper: y[i] = y[i].f() in place")
            else:
                a = round(rng.uniform(0.2, 0.6), 2)
                emit("for i in 0..y.len() {", "for i in range(0, len(y)):")
                emit("    y[i] = {} * y[i] + ({} * y[i]).{}();".format(cr, a, f),
                     "    y[i] = chk({} * y[i] + f_{}({} * y[i]))".format(cr, f, a))
                emit("}")
                tags.append("buffer-only helper: y[i] = c * y[i] + f(y[i])")
        elif kind == "neigh":
            a = round(rng.uniform(0.2, 0.6), 2)
            emit("for i in 1..y.len() {", "for i in range(1, len(y)):")
            emit("    y[i] += {} * (y[i - 1] * {}).sin();".format(a, cr),
                 "    y[i] = chk(y[i] + {} * f_sin(y[i - 1] * {}))".format(a, cr))
            emit("}")
            tags.append("buffer-only helper: neighbours y[i] += a * f(y[i - 1])")
        elif kind == "branch":
            j, i = rng.randint(0, n - 1), rng.randint(0, n - 1)
            t = round(rng.uniform(-0.5, 0.5), 2)
            emit("if y[{}] > {} {{".format(j, t), "if gt(y[{}], {}):".format(j, t))
            emit("    y[{i}] = y[{i}] * y[{j}].cos();".format(i=i, j=j),
                 "    y[{i}] = chk(y[{i}] * f_cos(y[{j}]))".format(i=i, j=j))
            emit("} else {", "else:")
            emit("    y[{i}] -= {c} * y[{j}];".format(i=i, j=j, c=cr),
                 "    y[{i}] = chk(y[{i}] - {c} * y[{j}])".format(i=i, j=j, c=cr))
            emit("}")
            tags.append("buffer-only helper: branch on an element")
        elif kind == "reduce":
            j = rng.randint(0, n - 1)
            emit("let s: f64 = y.iter().map(|v| v * v).sum();", "s = chk(sum([chk(v * v) for v in list(y)], -0.0))")
            emit("y[{j}] = (0.5 * s).tanh() + {c} * y[{j}];".format(j=j, c=cr),
                 "y[{j}] = chk(f_tanh(0.5 * s) + {c} * y[{j}])".format(j=j, c=cr))
            tags.append("buffer-only helper: a reduction written back")
        elif kind == "iter_mut":
            f = rng.choice(["sin", "tanh"])
            emit("for e in y.iter_mut() {", "for i in range(0, len(y)):")
            emit("    *e = {} * e.{}() + 0.5 * *e;".format(cr, f), "    y[i] = chk({} * f_{}(y[i]) + 0.5 * y[i])".format(cr, f))
            emit("}")
            tags.append("buffer-only helper: for e in y.iter_mut()")
        else:
            g = rng.choice(subs)
            m = g.params[0].length
            depth = max(depth, g.call_depth + 1)
            carg = []
            if len(g.params) > 1:
                carg = [cr if has_c and rng.random() < 0.6 else str(round(rng.uniform(0.3, 0.9), 2))]
            if m == n and rng.random() < 0.6:
                emit("{}({});".format(g.name, ", ".join(["y"] + carg)), "{}({})".format(g.name, ", ".join(["y"] + carg)))
                tags.append("buffer-only helper calls one on its whole buffer")
            else:
                a = rng.randint(0, n - m)
                emit("{}({});".format(g.name, ", ".join(["&mut y[{}..{}]".format(a, a + m)] + carg)), None)
                py.append("    t = y[{}:{}]".format(a, a + m))
                py.append("    {}({})".format(g.name, ", ".join(["t"] + carg)))
                py.append("    y[{}:{}] = t".format(a, a + m))
                tags.append("buffer-only helper calls one on a range of its buffer")
    attr = "#[differentiate(wrt(y))]" if has_c or rng.random() < 0.5 else "#[differentiate]"
    sig = ", ".join(["y: &mut [f64]"] + (["c: f64"] if has_c else []))
    rust = "{}\nfn {}({}) {{\n{}\n}}\n".format(attr, name, sig, "\n".join(rs))
    python = "def {}({}):\n{}\n".format(name, ", ".join(p.name for p in params), "\n".join(py))
    tags.append("helper whose only active data is its buffer &mut [f64]{}".format(
        ", an f64 left out of wrt" if has_c else ""))
    if depth:
        tags.append("calls (depth {})".format(depth))
    spec = G.CallsSpec(name, params, "u", 0, rust, python, depth, tags)
    spec.buf_only = True
    return spec


def k_pp(xs, a):
    """`xs.partition_point(|&k| k <= a)` over sorted `xs`: every comparison
    with a knot is a decision (its margin the distance of `a` to the
    knot)."""
    for k in xs:
        G.TRACE.append((a - k, k <= a))
    return bisect.bisect_right(xs, a)


def k_pos(xs, a):
    """`xs.iter().position(|&k| k > a).unwrap_or(0)`, every comparison a
    decision."""
    for k in xs:
        G.TRACE.append((k - a, k > a))
    return next((i for i, k in enumerate(xs) if k > a), 0)


def compose_run(fn, spec, z, q, k):
    """`calls_run` with the knots (parameters marked `sorted`) sorted in q,
    in place, so that the point kept has them sorted."""
    at = 0
    for p in spec.params:
        if p.kind == "k" or p.in_z():
            continue
        if getattr(p, "sorted", False):
            q[at:at + p.size()] = sorted(q[at:at + p.size()])
        at += p.size()
    return G.calls_run(sweep.with_tables(more.with_options(fn, spec, k), spec, k), spec, z, q, k)


COMPOSE_HEADER = G.CALLS_HEADER.replace(
    "//! Randomized differential testing of helpers over arrays: {n} random\n"
    "//! `#[differentiate]` functions that call earlier ones with slices,\n",
    "//! Randomized differential testing of helpers composed with each other:\n"
    "//! {n} random `#[differentiate]` functions that pass one helper's result\n"
    "//! straight to another (`g(h(x))`, `g(&h(x))`), call helpers written with\n"
    "//! iterators (reached through the joint split form), hold borrowed\n"
    "//! sub-slices in locals (`let r = &x[a..b];`) and aliases of slice\n"
    "//! parameters (`let b = x;`), replace whole locals (`std::mem::replace`),\n"
    "//! sum integers and ranges that may be empty (`-0.0`), call helpers whose\n"
    "//! only active data is their buffer, end in `loop`s left by `return`, read\n"
    "//! data left out of `wrt` and `const` tables (`for x in data`, `&data[i]`),\n"
    "//! look up sorted knots (`partition_point`, `position`), sort active\n"
    "//! arrays in place (`sort_by`), lend rows of 2-D arrays as buffers, take\n"
    "//! tuples and rows apart with patterns, and call earlier ones with slices,\n").replace(
    "//! @generated by `tests/random/generate.py` (family `calls`, seed {seed}); do\n"
    "//! not edit by hand. Regenerate, byte for byte, with the other two files, from\n"
    "//! the repository root with\n//!\n//! ```text\n//! python3 tests/random/generate.py\n//! ```",
    "//! @generated by `tests/random/compose.py` (family `compose`, seed {seed});\n"
    "//! do not edit by hand. Regenerate, byte for byte, from the repository root\n"
    "//! with\n//!\n//! ```text\n//! python3 tests/random/compose.py\n//! ```").replace(
    "random_calls_agree", "random_compose_agree")
assert "compose.py" in COMPOSE_HEADER and "random_compose_agree" in COMPOSE_HEADER
COMPOSE_LINTS = [lint for lint in iters.ITERS_LINTS + ["clippy::needless_borrows_for_generic_args", "clippy::iter_out_of_bounds",
                                                       "unused_imports", "clippy::explicit_auto_deref", "clippy::ptr_arg",
                                                       "clippy::iter_next_slice"]
                 if "    {},\n".format(lint) not in COMPOSE_HEADER and "    {}\n".format(lint) not in COMPOSE_HEADER]
COMPOSE_HEADER = COMPOSE_HEADER.replace("#![allow(\n", "#![allow(\n" + "".join(
    "    {},\n".format(lint) for lint in COMPOSE_LINTS))
COMPOSE_HARNESS = G.CALLS_HARNESS.replace("fn random_calls_agree()", "fn random_compose_agree()").replace(
    '"random_calls: {} functions', '"random_compose: {} functions')
assert "random_compose_agree" in COMPOSE_HARNESS
# The generic functions' trait, and `std::mem`'s functions by their bare names
# (`MoreConstructs.mem_stmt`; some bodies import them again).
COMPOSE_HEADER = COMPOSE_HEADER.replace("use ad::differentiate;\n", "use ad::differentiate;\n"
                                        "use ad::nalgebra::{{DMatrix, DVector, SMatrix, SVector, Vector3}};\nuse ad::Real;\n"
                                        "use std::mem::{{replace, swap, take}};\n\n"
                                        "/// The seventh batch's indices (`for &i in ids.iter()` with `ids: &Ids`;\n"
                                        "/// a draw may have none).\n#[allow(dead_code)]\ntype Ids = Vec<usize>;\n\n" + sweep.ITEMS)
assert "use ad::Real;" in COMPOSE_HEADER


def generate_compose(n_funcs, seed, out, n_sweep2=COMPOSE_SWEEP2_N):
    rng = random.Random(seed)
    specs = []
    namespace = dict(G.RUNTIME)
    namespace["Mat"] = G.Mat
    namespace["sl"] = G.sl
    namespace["cp"] = G.cp
    namespace["fl"] = G.fl
    for name in ("f_sinh", "f_cosh", "f_exp", "f_exp2", "f_exp_m1"):
        namespace[name] = G.bounded(G.RUNTIME[name])
    namespace["k_pp"] = k_pp
    namespace["k_pos"] = k_pos
    namespace.update(sweep2.TWIN)
    discarded = too_long = 0
    special = None
    while len(specs) < n_funcs + n_sweep2:
        name = "m{:03}".format(len(specs))
        # (not the functions with sorted knots: a caller would pass any data)
        # (the fifth to seventh batches' functions call only each other)
        callees = [s for s in specs if s.call_depth < 3 and not getattr(s, "knots", False)
                   and not getattr(s, "audit", None) and not getattr(s, "bufs", None)
                   and not getattr(s, "forms", None) and not getattr(s, "sweep", None)
                   and not getattr(s, "sweep2", None)][-40:]
        if special is None and len(specs) >= n_funcs:
            special = "sweep2"
        if special is None:
            # (drawn once per function, whatever is redrawn)
            c = rng.random()
            special = ("buf" if c < COMPOSE_BUF_ONLY_P else "opt" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P else
                       "generic" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P + COMPOSE_GENERIC_P else
                       "audit" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P + COMPOSE_GENERIC_P + COMPOSE_AUDIT_P else
                       "bufs" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P + COMPOSE_GENERIC_P + COMPOSE_AUDIT_P
                       + COMPOSE_BUFS_P else
                       "forms" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P + COMPOSE_GENERIC_P + COMPOSE_AUDIT_P
                       + COMPOSE_BUFS_P + COMPOSE_FORMS_P else
                       "sweep" if c < COMPOSE_BUF_ONLY_P + COMPOSE_OPT_P + COMPOSE_GENERIC_P + COMPOSE_AUDIT_P
                       + COMPOSE_BUFS_P + COMPOSE_FORMS_P + COMPOSE_SWEEP_P else "")
        if special == "buf":
            spec = buf_only_helper(rng, name, callees)
        elif special == "opt":
            spec = more.opt_helper(rng, name, callees)
        elif special == "generic":
            spec = generic.generic_fn(rng, name, callees)
        elif special == "audit":
            spec = audit.audit_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "audit", None)][-40:])
        elif special == "bufs":
            spec = bufs.bufs_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "bufs", None)][-40:])
        elif special == "forms":
            spec = forms.forms_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "forms", None)][-40:])
        elif special == "sweep":
            spec = sweep.sweep_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "sweep", None)][-40:])
        elif special == "sweep2":
            spec = sweep2.sweep2_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "sweep2", None)][-40:])
        else:
            # (its calls pass f64, slices, arrays and `Vec`s: not the nalgebra
            # values of the generic ones)
            spec = ComposeGen(rng, name, [s for s in callees if not getattr(s, "nalg_generic", False)]).function()
        if spec.rust.count("\n") > G.CALLS_MAX_LINES + COMPOSE_EXTRA_LINES + getattr(spec, "extra_lines", 0):
            too_long += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng, runner=compose_run)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)
        special = None

    counts = {}
    for s in specs:
        for t in set(s.tags):
            counts[t] = counts.get(t, 0) + 1
    lines = ["//! - {}: {}".format(t, counts[t]) for t in sorted(counts)]
    header = COMPOSE_HEADER.format(n=len(specs), pp=G.POINTS_PER_FUNC, seed=seed,
                                   constructs="\n".join(lines) + "\n", excluded="")
    parts = [header]
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(sweep2.case_entry(sweep.case_entry(bufs.case_entry(audit.case_entry(
            more.case_entry(s), s), s), s), s)) + "\n\n")
    parts.append(COMPOSE_HARNESS)
    parts.append("\n/// Every generated function with its test points.\n")
    parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in specs) + "];\n")
    with open(out, "w") as f:
        f.write("".join(parts))
    subprocess.run(["rustfmt", "--edition", "2021", out], check=True, cwd=G.ROOT)
    sys.stderr.write("wrote {}: {} functions; redrawn: {} without test points, {} too long\n".format(
        os.path.relpath(out, G.ROOT), len(specs), discarded, too_long))
    for t in sorted(counts):
        sys.stderr.write("  {:5}  {}\n".format(counts[t], t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=COMPOSE_N_FUNCS, help="number of functions (experiments)")
    ap.add_argument("--sweep2-count", type=int, default=COMPOSE_SWEEP2_N,
                    help="number of the ninth batch's functions, after the others (experiments)")
    ap.add_argument("--seed", type=int, default=COMPOSE_SEED, help="(experiments)")
    ap.add_argument("--out", default=COMPOSE_OUT, help="output file (experiments)")
    args = ap.parse_args()
    generate_compose(args.count, args.seed, os.path.abspath(args.out), args.sweep2_count)


if __name__ == "__main__":
    main()
