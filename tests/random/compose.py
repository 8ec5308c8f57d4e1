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
- `std::mem::swap(&mut u, &mut w)` of two `Vec`s in a loop.
"""

import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate as G  # noqa: E402
import iters  # noqa: E402

COMPOSE_SEED = 20261206
COMPOSE_N_FUNCS = 300
COMPOSE_OUT = os.path.join(G.ROOT, "tests", "random_compose.rs")
# Nested calls count against the family's limit of calls per function.
COMPOSE_MAX_CALLS = 4


class ComposeGen(iters.IterGen, G.CallsGen):
    """The `calls` family's generator with nested calls as arguments,
    iterator statements and sub-slice locals (`IterGen` only lends its
    statements: `stmt` is the `calls` family's)."""

    def __init__(self, rng, name, callees):
        G.CallsGen.__init__(self, rng, name, callees, new=True)
        self.nesting = 0

    def stmt(self, nested, loop_ok=True):
        G.CallsGen.stmt(self, nested, loop_ok)

    CONSTRUCTS = dict(G.CallsGen.CONSTRUCTS, iter_reduce=2.5, iter_for=1.5, subslice=2, nested_call=2.5,
                      buffer_expr=1.5, swap=1)

    def constructs(self):
        return dict(self.CONSTRUCTS, **self.NEW_CONSTRUCTS)

    def extra_forced(self):
        # Every function has one of the family's own constructs at least.
        own = ["nested_call"] * 3 + ["subslice"] * 2 + ["iter_reduce"] * 2 + ["iter_for", "buffer_expr", "swap"]
        return G.CallsGen.extra_forced(self) + ["F:" + self.pick(own)]

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


COMPOSE_HEADER = G.CALLS_HEADER.replace(
    "//! Randomized differential testing of helpers over arrays: {n} random\n"
    "//! `#[differentiate]` functions that call earlier ones with slices,\n",
    "//! Randomized differential testing of helpers composed with each other:\n"
    "//! {n} random `#[differentiate]` functions that pass one helper's result\n"
    "//! straight to another (`g(h(x))`, `g(&h(x))`), call helpers written with\n"
    "//! iterators (reached through the joint split form), hold borrowed\n"
    "//! sub-slices in locals (`let r = &x[a..b];`), and call earlier ones with slices,\n").replace(
    "//! @generated by `tests/random/generate.py` (family `calls`, seed {seed}); do\n"
    "//! not edit by hand. Regenerate, byte for byte, with the other two files, from\n"
    "//! the repository root with\n//!\n//! ```text\n//! python3 tests/random/generate.py\n//! ```",
    "//! @generated by `tests/random/compose.py` (family `compose`, seed {seed});\n"
    "//! do not edit by hand. Regenerate, byte for byte, from the repository root\n"
    "//! with\n//!\n//! ```text\n//! python3 tests/random/compose.py\n//! ```").replace(
    "random_calls_agree", "random_compose_agree")
assert "compose.py" in COMPOSE_HEADER and "random_compose_agree" in COMPOSE_HEADER
COMPOSE_LINTS = [lint for lint in iters.ITERS_LINTS + ["clippy::needless_borrows_for_generic_args", "clippy::iter_out_of_bounds"]
                 if "    {},\n".format(lint) not in COMPOSE_HEADER and "    {}\n".format(lint) not in COMPOSE_HEADER]
COMPOSE_HEADER = COMPOSE_HEADER.replace("#![allow(\n", "#![allow(\n" + "".join(
    "    {},\n".format(lint) for lint in COMPOSE_LINTS))
COMPOSE_HARNESS = G.CALLS_HARNESS.replace("fn random_calls_agree()", "fn random_compose_agree()").replace(
    '"random_calls: {} functions', '"random_compose: {} functions')
assert "random_compose_agree" in COMPOSE_HARNESS


def generate_compose(n_funcs, seed, out):
    rng = random.Random(seed)
    specs = []
    namespace = dict(G.RUNTIME)
    namespace["Mat"] = G.Mat
    namespace["sl"] = G.sl
    namespace["cp"] = G.cp
    namespace["fl"] = G.fl
    for name in ("f_sinh", "f_cosh", "f_exp", "f_exp2", "f_exp_m1"):
        namespace[name] = G.bounded(G.RUNTIME[name])
    discarded = too_long = 0
    while len(specs) < n_funcs:
        name = "m{:03}".format(len(specs))
        callees = [s for s in specs if s.call_depth < 3][-40:]
        spec = ComposeGen(rng, name, callees).function()
        if spec.rust.count("\n") > G.CALLS_MAX_LINES + 4:
            too_long += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng, runner=G.calls_run)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)

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
        parts.append(s.rust + "\n" + "\n".join(G.calls_case_entry(s)) + "\n\n")
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
    ap.add_argument("--seed", type=int, default=COMPOSE_SEED, help="(experiments)")
    ap.add_argument("--out", default=COMPOSE_OUT, help="output file (experiments)")
    args = ap.parse_args()
    generate_compose(args.count, args.seed, os.path.abspath(args.out))


if __name__ == "__main__":
    main()
