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

(The generator of the first three kinds is `ComposeGen` here, its
statements beyond nested calls and iterators in `compose_stmts.py`.)

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

Tenth (`compose_sweep3.py`; COMPOSE_SWEEP3_N functions drawn after the
ninth, calling only each other): `impl Trait` parameters (`f: impl Fn(f64)
-> f64` called on inactive values, `mut g: impl FnMut(usize) -> f64`, `w:
&impl AsRef<[f64]>`) passed on to helpers beside closures and a function
item, `for` loops over array literals with tuple and array patterns, whole
rows of local 2-D arrays and of a helper's `&mut [[f64; 2]]` buffer written
from literals (`m[i] = [a, b]`, `*r = [0.0; 2]`), and tuple locals with
`usize` and `Vec` members (an argmax, `acc.0 += ..`, `let (t, v) = acc;`).

Eleventh (`compose_sweep4.py`; COMPOSE_SWEEP4_N functions drawn after the
tenth, calling only each other): inactive `c: &f64` parameters read in
arithmetic (`c * x[j].sin()`, `x[j] / c`, `s += c`, `c.powi(2)`) and passed
on to helpers taking `&f64`, `f64::from` of integers and active values,
`let mut y = x.clone();` of `&Vec<f64>` parameters written, `fold`s whose
closure types the accumulator (`|a: f64, v| a.max(v.abs())`), and literal
locals carried by loops and subtracted (`j as f64 - m`).
"""

import argparse
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
import compose_sweep3 as sweep3  # noqa: E402
import compose_sweep4 as sweep4  # noqa: E402
from compose_stmts import ComposeStmts, buf_only_helper, k_pos, k_pp  # noqa: E402
import generate as G  # noqa: E402
import iters  # noqa: E402

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
# The functions of the tenth batch (`compose_sweep3.sweep3_fn`), drawn after
# the ninth.
COMPOSE_SWEEP3_N = 40
# The functions of the eleventh batch (`compose_sweep4.sweep4_fn`), drawn
# after the tenth.
COMPOSE_SWEEP4_N = 26


class ComposeGen(ComposeStmts, more.MoreConstructs, iters.IterGen, G.CallsGen):
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
    KNOTS_P = COMPOSE_KNOTS_P

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
    "//! tuples and rows apart with patterns, take closures and `impl Trait`\n"
    "//! data, loop over array literals with patterns, write whole rows of 2-D\n"
    "//! arrays from literals, and call earlier ones with slices,\n").replace(
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
                                        "/// a draw may have none).\n#[allow(dead_code)]\ntype Ids = Vec<usize>;\n\n" + sweep.ITEMS
                                        + sweep3.ITEMS)
assert "use ad::Real;" in COMPOSE_HEADER


def generate_compose(n_funcs, seed, out, n_sweep2=COMPOSE_SWEEP2_N, n_sweep3=COMPOSE_SWEEP3_N,
                     n_sweep4=COMPOSE_SWEEP4_N):
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
    namespace.update(sweep3.TWIN)
    discarded = too_long = 0
    special = None
    while len(specs) < n_funcs + n_sweep2 + n_sweep3 + n_sweep4:
        name = "m{:03}".format(len(specs))
        # (not the functions with sorted knots: a caller would pass any data)
        # (the fifth to seventh batches' functions call only each other)
        callees = [s for s in specs if s.call_depth < 3 and not getattr(s, "knots", False)
                   and not getattr(s, "audit", None) and not getattr(s, "bufs", None)
                   and not getattr(s, "forms", None) and not getattr(s, "sweep", None)
                   and not getattr(s, "sweep2", None) and not getattr(s, "sweep3", None)
                   and not getattr(s, "sweep4", None)][-40:]
        if special is None and len(specs) >= n_funcs + n_sweep2 + n_sweep3:
            special = "sweep4"
        if special is None and len(specs) >= n_funcs + n_sweep2:
            special = "sweep3"
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
        elif special == "sweep3":
            spec = sweep3.sweep3_fn(rng, name, [s for s in specs if s.call_depth < 3 and getattr(s, "sweep3", None)][-40:])
        elif special == "sweep4":
            spec = sweep4.sweep4_fn(rng, name,
                                    [s for s in specs if s.call_depth < 3 and getattr(s, "sweep4", None)][-40:])
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
        parts.append(s.rust + "\n" + "\n".join(sweep4.case_entry(sweep3.case_entry(sweep2.case_entry(sweep.case_entry(
            bufs.case_entry(audit.case_entry(more.case_entry(s), s), s), s), s), s), s)) + "\n\n")
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
    ap.add_argument("--sweep3-count", type=int, default=COMPOSE_SWEEP3_N,
                    help="number of the tenth batch's functions, after the ninth (experiments)")
    ap.add_argument("--sweep4-count", type=int, default=COMPOSE_SWEEP4_N,
                    help="number of the eleventh batch's functions, after the tenth (experiments)")
    ap.add_argument("--seed", type=int, default=COMPOSE_SEED, help="(experiments)")
    ap.add_argument("--out", default=COMPOSE_OUT, help="output file (experiments)")
    args = ap.parse_args()
    generate_compose(args.count, args.seed, os.path.abspath(args.out), args.sweep2_count, args.sweep3_count,
                     args.sweep4_count)


if __name__ == "__main__":
    main()
