#!/usr/bin/env python3
"""Randomized differential testing of iteration (issue 20): the family
`iters`, written to `tests/random_iters_a.rs` and `tests/random_iters_b.rs`
(two files, so that neither takes long to build), and a second batch
(`IterGen2`, its own seed ITERS2_SEED) written to `tests/random_iters_c.rs`:
`chain` (of two sliced chains, or with `std::iter::once(&s)`) then `sum` or
`fold`, `filter_map` (`if .. { Some(..) } else { None }`, `then_some`),
`take_while`, `skip_while`, `scan` (a running linear recurrence), `cycle()`
with `take(n)` or beside a finite chain in `zip`, `chunks(k).flat_map(..)`,
`chunks(k).flatten()`, `last().unwrap()` and `nth(k).unwrap()`, beside the
first batch's statements. The first batch is drawn as before: its output is
the same byte for byte.

    python3 tests/random/iters.py      # from the repository root

A family of `tests/random/generate.py` (whose docstring explains how a family
is built: a Rust function and its Python twin, test points away from kinks
and branch thresholds, the checks), kept in a script of its own as
`structs.py` is: it imports the generator, the `wrt` family's generator
(`WrtGen`: parameters `f64`, `&[f64]`, `[f64; N]`, `Vec<f64>` and `&mut
[f64]` buffers, in and out of `wrt(...)`, `mut` and written, branches,
loops, early exits, calls of earlier functions), the twin's runtime, the
point finding and the test harness of that family, and adds statements in
iterator style. Its own seed (ITERS_SEED) and random.Random, so it does not
move when the other families change; the output is the same byte for byte
on every run.

The statements it adds, straight-line, in loops and in branches, over every
array in scope (parameters in and out of `wrt`, buffers, local arrays):

- chains reduced to a number: `A.iter()`, `A.iter().copied()`, `&A`-style
  `|&v|` patterns and `|v|` with `*v`, through `rev()`, `skip(k)`,
  `take(k)`, `step_by(2)`, `enumerate()` (the index read as `j as f64` and
  in indices), `zip(B.iter())`, `filter(|v| **v > c)`, then `map(|..| ..)`
  (closures that capture active and inactive values) and `sum::<f64>()`,
  `let u: f64 = ..sum()`, `product::<f64>()`, `fold(c, |acc, v| ..)`,
  `fold(f64::NEG_INFINITY, f64::max)`, `max_by(|p, q| p.total_cmp(q))
  .unwrap()`, `min_by(..)`;
- `A.windows(2).map(|w| .. w[0] .. w[1] ..).sum::<f64>()` and
  `A.chunks(2).map(|c| c[0] * c[c.len() - 1]).sum::<f64>()`;
- `for &v in A.iter()`, `for v in A.iter().copied()`, `for (j, &v) in
  A.iter().enumerate()`, `for (&a, &b) in A.iter().zip(B.iter())`, `for w in
  A.windows(2)`, updating `mut` scalars;
- writes through `for e in A.iter_mut() { *e = ..; }` and `for e in &mut A`
  on `mut` arrays and buffers;
- `let c: Vec<f64> = A.iter().map(|&v| ..).collect();` and `let c =
  p.map(|v| ..);` on `[f64; N]` parameters, read by element later;
- local closures `let g = |t: f64| ..;` called directly (`g(e1) + g(e2)`)
  and passed to `map`.

The test sees each function as the `wrt` family does, with its checks
(twin, value, dot, jvp-fd, jac-fd, vjp-fd, live, vjp, grad-fd, hvp-fd,
hvp-grad, hvp-sym; see `tests/random_wrt.rs`).
"""

import argparse
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate as G  # noqa: E402
from generate import ATOM, E, Array, WrtGen, binop, lit, method, var  # noqa: E402

ITERS_SEED = 20261205
ITERS_N_FUNCS = 320
ITERS_PER_FILE = 160
ITERS_OUT = [os.path.join(G.ROOT, "tests", "random_iters_a.rs"), os.path.join(G.ROOT, "tests", "random_iters_b.rs")]
ITERS_MAX_LINES = 40


def pylist(name, adapters):
    """The Python list of the items of `name` after slicing adapters."""
    s = "list({})".format(name)
    for a in adapters:
        s += a[1]
    return s


class IterGen(WrtGen):
    def stmt(self, nested, loop_ok=True):
        if self.arrays and self.r() < 0.55 and len(self.scopes) < 4:
            kinds = ["reduce"] * 5 + ["view"] + ["for"] * 2 + ["closure"]
            if any(a.writable for a in self.arrays):
                kinds += ["iter_mut"] * 2
            kinds += ["collect"]
            kind = self.pick(kinds)
            getattr(self, "iter_" + kind)()
            return
        super().stmt(nested, loop_ok)

    # ----- helpers ---------------------------------------------------------------

    def body(self, names, depth=1, exclude=None, ints=()):
        """An expression of the element names `names` (and of what is in
        scope), with no calls (they would emit statements) and not reading
        the array `exclude`."""
        saved_callees, saved_arrays = self.callees, self.arrays
        self.callees = []
        if exclude is not None:
            self.arrays = [a for a in self.arrays if a.name != exclude]
        self.scopes.append([])
        for n in names:
            self.declare_scalar(n, False)
        for n in ints:
            self.declare_int(n)
        try:
            e = self.expr(depth)
            # Every element is read.
            for n in names:
                if not re.search(r"\b{}\b".format(n), e.rs):
                    e = binop(self.pick("+-*"), e, self.shaped(var(n)))
        finally:
            for kind, x in self.scopes.pop():
                if kind == "f":
                    self.scalars.remove(x)
                    self.muts.discard(x)
                elif kind == "k":
                    self.ints.remove(x)
            self.callees, self.arrays = saved_callees, saved_arrays
        return e

    def shaped(self, e):
        c = self.r()
        if c < 0.3:
            return method(self.pick(["sin", "tanh", "atan", "cos"]), e)
        if c < 0.6:
            return binop("*", lit(self.const(0.2, 1.5)), e)
        return e

    def source(self, allow_adapters=True):
        """An array, the slicing adapters on it (Rust, Python), and whether
        `enumerate` comes after them."""
        arr = self.pick(self.arrays)
        self.used.add(arr.name)
        adapters = []
        if allow_adapters:
            for _ in range(self.rng.randint(0, 2)):
                c = self.r()
                if c < 0.3:
                    adapters.append((".rev()", "[::-1]"))
                elif c < 0.55:
                    k = self.rng.randint(1, 2)
                    adapters.append((".skip({})".format(k), "[{}:]".format(k)))
                elif c < 0.8:
                    k = self.rng.randint(2, 3)
                    adapters.append((".take({})".format(k), "[:{}]".format(k)))
                else:
                    adapters.append((".step_by(2)", "[::2]"))
        return arr, adapters

    def deref(self, e, names):
        """`|v|` over `&f64` items: the body reads `*v`."""
        rs = e.rs
        for n in names:
            rs = re.sub(r"\b{}\b".format(n), "(*{})".format(n), rs)
        if re.fullmatch(r"\(\*\w+\)", rs):
            rs = rs[1:-1]
        return E(rs, e.prec, e.py, e.typed, e.reads)

    # ----- statements --------------------------------------------------------------

    def iter_reduce(self):
        arr, adapters = self.source()
        v = self.fresh("v")
        tag = []
        names = [v]
        ints = []
        zipped = None
        if len(self.arrays) > 1 and self.r() < 0.3:
            zipped = self.pick([a for a in self.arrays if a is not arr])
            self.used.add(zipped.name)
        enum = zipped is None and self.r() < 0.25
        j = self.fresh("j") if enum else None
        if enum:
            ints.append(j)
        filt = zipped is None and not enum and self.r() < 0.15
        if zipped is not None:
            w = self.fresh("v")
            names.append(w)
        style = self.pick(["ref_pat", "copied", "deref"])
        f = self.body(names, 2 if self.r() < 0.5 else 1, ints=ints)
        rs_src = arr.name + ".iter()" + "".join(a[0] for a in adapters)
        py_src = pylist(arr.name, adapters)
        if style == "copied" and zipped is None:
            rs_src += ".copied()"
        if zipped is not None:
            rs_src += ".zip({}.iter())".format(zipped.name)
            py_src = "zip({}, list({}))".format(py_src, zipped.name)
            if style == "deref":
                pat, f_rs = "({}, {})".format(v, w), self.deref(f, names).rs
            else:
                pat, f_rs = "(&{}, &{})".format(v, w), f.rs
            py_pat = "{}, {}".format(v, w)
            tag.append("zip")
        elif enum:
            rs_src += ".enumerate()"
            py_src = "enumerate({})".format(py_src)
            if style == "deref":
                pat, f_rs = "({}, {})".format(j, v), self.deref(f, names).rs
            elif style == "copied":
                pat, f_rs = "({}, {})".format(j, v), f.rs
            else:
                pat, f_rs = "({}, &{})".format(j, v), f.rs
            py_pat = "{}, {}".format(j, v)
            tag.append("enumerate")
        else:
            if style == "deref":
                pat, f_rs = v, self.deref(f, names).rs
            elif style == "copied":
                pat, f_rs = v, f.rs
            else:
                pat, f_rs = "&" + v, f.rs
            py_pat = v
        if filt:
            c = self.const(-0.5, 0.5) if self.r() < 0.5 else 0.05
            c = abs(c)
            deref = "*" if style == "copied" else "**"
            rs_src += ".filter(|{v}| {d}{v} > {c})".format(v=v, d=deref, c=c)
            py_cond = " if gt({}, {})".format(v, c)
            tag.append("filter")
        else:
            py_cond = ""
        tag += [a[0].split("(")[0].lstrip(".") for a in adapters]
        tag.append(style)
        u = self.fresh()
        c = self.r()
        n_items = len(eval(pylist("list(range({}))".format(arr.length), adapters)))
        if filt or n_items == 0:
            c = min(c, 0.69)
        items = "[chk({}) for {} in {}{}]".format(f.py, py_pat, py_src, py_cond)
        if c < 0.4:
            ann = self.r() < 0.4
            self.emit("let {}{} = {}.map(|{}| {}).sum{}();".format(
                u, ": f64" if ann else "", rs_src, pat, f_rs, "" if ann else "::<f64>"),
                "{} = chk(sum({}))".format(u, items))
            tag.append("sum")
        elif c < 0.5:
            self.emit("let {} = {}.map(|{}| 1.0 + 0.5 * ({}).tanh()).product::<f64>();".format(u, rs_src, pat, f_rs),
                      "{} = chk(math.prod([1.0 + 0.5 * f_tanh(t) for t in {}]))".format(u, items))
            tag.append("product")
        elif c < 0.7:
            k = self.const(0.3, 0.9)
            init = self.const(0.1, 1.0)
            acc = self.fresh("acc")
            self.emit("let {} = {}.fold({}, |{}, {}| {} * {} + {});".format(
                u, rs_src, init, acc, pat, acc, k, f_rs),
                "{} = {}".format(u, init))
            self.emit(None, "for t in {}:".format(items))
            self.emit(None, "    {} = chk({} * {} + t)".format(u, u, k))
            tag.append("fold")
        elif c < 0.8:
            self.emit("let {} = {}.map(|{}| {}).fold(f64::NEG_INFINITY, f64::max);".format(u, rs_src, pat, f_rs),
                      "{} = -math.inf".format(u))
            self.emit(None, "for t in {}:".format(items))
            self.emit(None, "    {} = k_max({}, t)".format(u, u))
            self.emit(None, "{} = chk({})".format(u, u))
            tag.append("fold f64::max")
        else:
            which = self.pick(["max_by", "min_by"])
            self.emit("let {} = {}.map(|{}| {}).{}(|p, q| p.total_cmp(q)).unwrap();".format(
                u, rs_src, pat, f_rs, which), "{} = None".format(u))
            self.emit(None, "for t in {}:".format(items))
            self.emit(None, "    {u} = t if {u} is None else {k}({u}, t)".format(
                u=u, k="k_max" if which == "max_by" else "k_min"))
            self.emit(None, "{} = chk({})".format(u, u))
            tag.append(which)
        # An empty chain (`take` of nothing, a filter that drops all) has
        # no max: the twin's `None` fails and the point is redrawn.
        self.declare_scalar(u, False)
        self.wrote(u)
        styles = {"ref_pat": "`|&v|`", "copied": "`.copied()` then `|v|`", "deref": "`|v|` reading `*v`"}
        consumer = tag.pop()
        self.tags.append("iter: chain ending in `{}`".format(consumer) + (" in a loop" if self.loops else ""))
        self.tags.append("iter: chain items as " + styles[tag.pop()])
        for t in sorted(set(tag)):
            self.tags.append("iter: chain through `{}`".format(t))

    def iter_view(self):
        arr = self.pick([a for a in self.arrays])
        self.used.add(arr.name)
        u = self.fresh()
        if self.r() < 0.6:
            w = self.fresh("w")
            a, b = self.fresh("p"), self.fresh("p")
            f = self.body([a, b], 1)
            rs = f.rs
            for n, i in ((a, 0), (b, 1)):
                rs = re.sub(r"\b{}\b".format(n), "{}[{}]".format(w, i), rs)
            self.emit("let {} = {}.windows(2).map(|{}| {}).sum::<f64>();".format(u, arr.name, w, rs),
                      "{} = chk(sum([chk({}) for {}, {} in zip(list({n})[:-1], list({n})[1:])]))".format(
                          u, f.py, a, b, n=arr.name))
            self.tags.append("iter: windows(2)" + (" in a loop" if self.loops else ""))
        else:
            c = self.fresh("c")
            k = self.rng.randint(2, 3)
            self.emit("let {} = {}.chunks({}).map(|{c}| {c}[0] * {c}[{c}.len() - 1]).sum::<f64>();".format(
                u, arr.name, k, c=c),
                "{} = chk(sum([chk({c}[0] * {c}[-1]) for {c} in [list({n})[i:i + {k}] for i in range(0, len({n}), {k})]]))".format(
                    u, c=c, n=arr.name, k=k))
            self.tags.append("iter: chunks({})".format(k) + (" in a loop" if self.loops else ""))
        self.declare_scalar(u, False)
        self.wrote(u)

    def iter_for(self):
        acc = self.ensure_mut()
        arr, adapters = self.source(allow_adapters=self.r() < 0.4)
        v = self.fresh("v")
        c = self.r()
        rs_src = arr.name + ".iter()" + "".join(a[0] for a in adapters)
        py_src = pylist(arr.name, adapters)
        names, ints = [v], []
        if c < 0.3:
            head, py = "for &{} in {} {{".format(v, rs_src), "for {} in {}:".format(v, py_src)
            what = "for &v in a.iter()"
        elif c < 0.5:
            head, py = "for {} in {}.copied() {{".format(v, rs_src), "for {} in {}:".format(v, py_src)
            what = "for v in a.iter().copied()"
        elif c < 0.7:
            j = self.fresh("j")
            ints.append(j)
            head = "for ({}, &{}) in {}.enumerate() {{".format(j, v, rs_src)
            py = "for {}, {} in enumerate({}):".format(j, v, py_src)
            what = "for (j, &v) in a.iter().enumerate()"
        elif c < 0.85 and len(self.arrays) > 1:
            other = self.pick([a for a in self.arrays if a is not arr])
            self.used.add(other.name)
            w = self.fresh("v")
            names.append(w)
            head = "for (&{}, &{}) in {}.zip({}.iter()) {{".format(v, w, rs_src, other.name)
            py = "for {}, {} in zip({}, list({})):".format(v, w, py_src, other.name)
            what = "for (&a, &b) in a.iter().zip(b.iter())"
        else:
            a0 = self.fresh("p")
            b0 = self.fresh("p")
            names = [a0, b0]
            head = "for {} in {}.windows(2) {{".format(v, arr.name)
            py = "for {} in [list({n})[i:i + 2] for i in range(len({n}) - 1)]:".format(v, n=arr.name)
            what = "for w in a.windows(2)"
        self.emit(head, py)
        self.loops.append("for")
        self.push()
        for n in ints:
            self.declare_int(n)
            self.used.add(n)
        if what == "for w in a.windows(2)":
            self.emit("let {} = {}[0];".format(names[0], v), "{} = {}[0]".format(names[0], v))
            self.emit("let {} = {}[1];".format(names[1], v), "{} = {}[1]".format(names[1], v))
        for n in names:
            self.declare_scalar(n, False)
        saved = self.callees
        self.callees = []
        for n in names:
            self.used.add(n)
            self.assign(acc, "+", binop("*", var(n), self.bounded(self.expr(1))))
        if self.r() < 0.4:
            self.update(acc)
        self.callees = saved
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.wrote(acc)
        self.tags.append("iter: " + what + (" with adapters" if adapters else "") + (" in a loop" if self.loops else ""))

    def iter_iter_mut(self):
        arr = self.pick([a for a in self.arrays if a.writable])
        self.used.add(arr.name)
        e = self.fresh("e")
        i = self.fresh("i")
        t = self.fresh("t")
        f = self.body([t], 1, exclude=arr.name)
        f = E(f.rs, f.prec, f.py, f.typed, f.reads)
        rs = re.sub(r"\b{}\b".format(t), "(*{})".format(e), f.rs)
        if re.fullmatch(r"\(\*\w+\)", rs):
            rs = rs[1:-1]
        params = {p.name: p for p in self.wparams}
        buffer = arr.name in params and params[arr.name].kind == "b"
        if buffer or self.r() < 0.6:
            head = "for {} in {}.iter_mut() {{".format(e, arr.name)
        else:
            head = "for {} in &mut {} {{".format(e, arr.name)
        self.emit(head, "for {} in range(len({})):".format(i, arr.name))
        self.emit("    *{} = {};".format(e, rs), "    {t} = {a}[{i}]".format(t=t, a=arr.name, i=i))
        self.emit(None, "    {a}[{i}] = chk({f})".format(a=arr.name, i=i, f=f.py))
        self.emit("}")
        if arr.name in [p.name for p in self.wparams] and arr.name not in self.written:
            self.written.append(arr.name)
        self.tags.append("iter: writes through " + head.split(" in ")[1].split(" {")[0].replace(arr.name, "a")
                         + (" in a loop" if self.loops else ""))

    def iter_collect(self):
        arr = self.pick(self.arrays)
        self.used.add(arr.name)
        v = self.fresh("v")
        f = self.body([v], 1)
        c = self.fresh("c")
        params = {p.name: p for p in self.wparams}
        p = params.get(arr.name)
        if p is not None and p.kind == "a" and self.r() < 0.5:
            self.emit("let {} = {}.map(|{}| {});".format(c, arr.name, v, f.rs),
                      "{} = [chk({}) for {} in {}]".format(c, f.py, v, arr.name))
            what = "[f64; N]::map"
        else:
            self.emit("let {}: Vec<f64> = {}.iter().map(|&{}| {}).collect();".format(c, arr.name, v, f.rs),
                      "{} = [chk({}) for {} in {}]".format(c, f.py, v, arr.name))
            what = "collect"
        self.declare_array(Array(c, arr.length, c + ".len()", False))
        # read back
        u = self.fresh()
        t = self.fresh("s")
        i = self.rng.randint(0, 1)
        self.emit("let {} = {}.iter().map(|{t}| {t}.sin()).sum::<f64>() + {}[{}];".format(u, c, c, i, t=t),
                  "{} = chk(sum([chk(f_sin(t)) for t in {}]) + {}[{}])".format(u, c, c, i))
        self.declare_scalar(u, False)
        self.wrote(u)
        self.used.add(c)
        self.tags.append("iter: " + what + (" in a loop" if self.loops else ""))

    def iter_closure(self):
        g = self.fresh("g")
        t = self.fresh("t")
        f = self.body([t], 2 if self.r() < 0.5 else 1)
        self.emit("let {} = |{}: f64| {};".format(g, t, f.rs), "def {}({}):".format(g, t))
        self.emit(None, "    return chk({})".format(f.py))
        u = self.fresh()
        if self.r() < 0.6 or not self.arrays:
            saved = self.callees
            self.callees = []
            a, b = self.expr(1), self.expr(1)
            self.callees = saved
            k = self.const(0.2, 1.5)
            self.emit("let {} = {}({}) + {} * {}({});".format(u, g, a.rs, k, g, b.rs),
                      "{} = chk({}({}) + {} * {}({}))".format(u, g, a.py, k, g, b.py))
            self.tags.append("closure: called directly" + (" in a loop" if self.loops else ""))
        else:
            arr = self.pick(self.arrays)
            self.used.add(arr.name)
            self.emit("let {} = {}.iter().copied().map({}).sum::<f64>();".format(u, arr.name, g),
                      "{} = chk(sum([{}(t) for t in {}]))".format(u, g, arr.name))
            self.tags.append("closure: passed to map" + (" in a loop" if self.loops else ""))
        self.declare_scalar(u, False)
        self.wrote(u)


class IterGen2(IterGen):
    """The second batch (`tests/random_iters_c.rs`): the adapters whose
    items are not at a position of one container (`chain`, `flat_map`,
    `flatten`, `filter_map`, `take_while`, `skip_while`, `scan`, `cycle`)
    and the consumers `last().unwrap()` and `nth(k).unwrap()`, beside the
    first batch's statements."""

    def stmt(self, nested, loop_ok=True):
        if self.arrays and self.r() < 0.55 and len(self.scopes) < 4:
            kinds = ["chain"] * 2 + ["filter_map", "while", "scan", "cycle", "last", "flat", "reduce"]
            getattr(self, "iter_" + self.pick(kinds))()
            return
        WrtGen.stmt(self, nested, loop_ok)

    def part(self):
        """A part of a chain: `A.iter()` and slicing adapters (Rust, the
        Python list of its items)."""
        arr, adapters = self.source()
        return arr.name + ".iter()" + "".join(a[0] for a in adapters), pylist(arr.name, adapters)

    def done(self, u, tag):
        self.declare_scalar(u, False)
        self.wrote(u)
        self.tags.append("iter+: " + tag + (" in a loop" if self.loops else ""))

    def iter_chain(self):
        rs_a, py_a = self.part()
        if self.scalars and self.r() < 0.3:
            s = self.pick(self.scalars)
            self.used.add(s)
            rs, py, tag = "{}.chain(std::iter::once(&{}))".format(rs_a, s), "{} + [{}]".format(py_a, s), "chain(once(..))"
        else:
            rs_b, py_b = self.part()
            rs, py, tag = "{}.chain({})".format(rs_a, rs_b), "{} + {}".format(py_a, py_b), "chain"
        v, u = self.fresh("v"), self.fresh()
        f = self.body([v], 2 if self.r() < 0.5 else 1)
        items = "[chk({}) for {} in {}]".format(f.py, v, py)
        c = self.r()
        if c < 0.6:
            self.emit("let {} = {}.map(|&{}| {}).sum::<f64>();".format(u, rs, v, f.rs),
                      "{} = chk(sum({}))".format(u, items))
            tag += " then sum"
        else:
            k, init, acc = self.const(0.3, 0.9), self.const(0.1, 1.0), self.fresh("acc")
            self.emit("let {} = {}.fold({}, |{}, &{}| {} * {} + {});".format(u, rs, init, acc, v, acc, k, f.rs),
                      "{} = {}".format(u, init))
            self.emit(None, "for t in {}:".format(items))
            self.emit(None, "    {} = chk({} * {} + t)".format(u, u, k))
            tag += " then fold"
        self.done(u, tag)

    def iter_filter_map(self):
        rs, py = self.part()
        v, u = self.fresh("v"), self.fresh()
        f = self.body([v], 1)
        c = round(self.rng.uniform(-0.5, 0.5), 2)
        if self.r() < 0.5:
            fm = "if {v} > {c} {{ Some({f}) }} else {{ None }}".format(v=v, c=c, f=f.rs)
            tag = "filter_map(if .. Some .. None)"
        else:
            fm = "({v} > {c}).then_some({f})".format(v=v, c=c, f=f.rs)
            tag = "filter_map(then_some)"
        self.emit("let {} = {}.filter_map(|&{}| {}).sum::<f64>();".format(u, rs, v, fm),
                  "{} = chk(sum([chk({}) for {} in {} if gt({}, {})]))".format(u, f.py, v, py, v, c))
        self.done(u, tag)

    def iter_while(self):
        rs, py = self.part()
        v, u, l = self.fresh("v"), self.fresh(), self.fresh("l")
        f = self.body([v], 1)
        c = round(self.rng.uniform(-0.5, 0.8), 2)
        take = self.r() < 0.5
        name = "take_while" if take else "skip_while"
        self.emit("let {} = {}.{}(|&&{}| {} < {}).map(|&{}| {}).sum::<f64>();".format(
            u, rs, name, v, v, c, v, f.rs), "{} = []".format(l))
        if take:
            self.emit(None, "for {} in {}:".format(v, py))
            self.emit(None, "    if not lt({}, {}):".format(v, c))
            self.emit(None, "        break")
        else:
            sk = self.fresh("skipping")
            self.emit(None, "{} = True".format(sk))
            self.emit(None, "for {} in {}:".format(v, py))
            self.emit(None, "    if {} and lt({}, {}):".format(sk, v, c))
            self.emit(None, "        continue")
            self.emit(None, "    {} = False".format(sk))
        self.emit(None, "    {}.append(chk({}))".format(l, f.py))
        self.emit(None, "{} = chk(sum({}))".format(u, l))
        self.done(u, name)

    def iter_scan(self):
        rs, py = self.part()
        v, u, st, l = self.fresh("v"), self.fresh(), self.fresh("st"), self.fresh("l")
        f = self.body([v], 1)
        k, init = self.const(0.3, 0.9), self.const(0.1, 1.0)
        self.emit("let {u} = {rs}.scan({i}, |{s}, &{v}| {{ *{s} = *{s} * {k} + {f}; Some(*{s}) }}).sum::<f64>();".format(
            u=u, rs=rs, i=init, s=st, v=v, k=k, f=f.rs), "{}, {} = {}, []".format(st, l, init))
        self.emit(None, "for {} in {}:".format(v, py))
        self.emit(None, "    {s} = chk({s} * {k} + {f})".format(s=st, k=k, f=f.py))
        self.emit(None, "    {}.append({})".format(l, st))
        self.emit(None, "{} = chk(sum({}))".format(u, l))
        self.done(u, "scan")

    def iter_cycle(self):
        rs, py = self.part()
        v, u = self.fresh("v"), self.fresh()
        others = [a for a in self.arrays if a.length > 0]
        if others and self.r() < 0.5:
            b = self.pick(others)
            self.used.add(b.name)
            w = self.fresh("v")
            f = self.body([v, w], 1)
            self.emit("let {} = {}.zip({}.iter().cycle()).map(|(&{}, &{})| {}).sum::<f64>();".format(
                u, rs, b.name, v, w, f.rs),
                "{u} = chk(sum([chk({f}) for {v}, {w} in zip({py}, [list({b})[i % len({b})] for i in range(len({py}))])]))".format(
                    u=u, f=f.py, v=v, w=w, py=py, b=b.name))
            tag = "zip(b.iter().cycle())"
        else:
            n = self.rng.randint(1, 7)
            f = self.body([v], 1)
            self.emit("let {} = {}.cycle().take({}).map(|&{}| {}).sum::<f64>();".format(u, rs, n, v, f.rs),
                      "{u} = chk(sum([chk({f}) for {v} in [{py}[i % len({py})] for i in range({n} if {py} else 0)]]))".format(
                          u=u, f=f.py, v=v, py=py, n=n))
            tag = "cycle().take(n)"
        self.done(u, tag)

    def iter_last(self):
        arr = self.pick(self.arrays)
        if arr.length == 0:
            return self.iter_chain()
        self.used.add(arr.name)
        v, u = self.fresh("v"), self.fresh()
        k = self.const(0.3, 1.5)
        # (`nth(0)` is clippy's `iter_nth_zero`: `k >= 1`.)
        if self.r() < 0.5 or arr.length < 2:
            self.emit("let {} = *{}.iter().last().unwrap() * {};".format(u, arr.name, k),
                      "{} = chk(list({})[-1] * {})".format(u, arr.name, k))
            tag = "last().unwrap()"
        else:
            j = self.rng.randint(1, arr.length - 1)
            f = self.body([v], 1)
            self.emit("let {} = {}.iter().map(|&{}| {}).nth({}).unwrap();".format(u, arr.name, v, f.rs, j),
                      "{} = chk([chk({}) for {} in list({})][{}])".format(u, f.py, v, arr.name, j))
            tag = "nth(k).unwrap()"
        self.done(u, tag)

    def iter_flat(self):
        arr = self.pick(self.arrays)
        self.used.add(arr.name)
        v, u, c = self.fresh("v"), self.fresh(), self.fresh("c")
        k = self.rng.randint(2, 3)
        f = self.body([v], 1)
        rows = "[list({n})[i:i + {k}] for i in range(0, len({n}), {k})]".format(n=arr.name, k=k)
        if self.r() < 0.5:
            self.emit("let {} = {}.chunks({}).flat_map(|{c}| {c}.iter().map(|&{v}| ({f}) * {c}[0])).sum::<f64>();".format(
                u, arr.name, k, c=c, v=v, f=f.rs),
                "{} = chk(sum([chk(chk({}) * {}[0]) for {} in {} for {} in {}]))".format(u, f.py, c, c, rows, v, c))
            tag = "chunks(k).flat_map(..)"
        else:
            self.emit("let {} = {}.chunks({}).flatten().map(|&{}| {}).sum::<f64>();".format(u, arr.name, k, v, f.rs),
                      "{} = chk(sum([chk({}) for {} in {} for {} in {}]))".format(u, f.py, c, rows, v, c))
            tag = "chunks(k).flatten()"
        self.done(u, tag)


ITERS2_SEED = 20261207
ITERS2_N_FUNCS = 120
ITERS2_OUT = os.path.join(G.ROOT, "tests", "random_iters_c.rs")


class IterGen3(IterGen):
    """The third batch (`tests/random_iters_d.rs`): local closures whose body
    binds again a name their argument reads (`g(s)` with `let s = ..` in
    the body, `g(A[i])` with `let A = ..` or the body's own `for i`, a
    tuple `let (s, q) = ..`), beside the first batch's statements. The
    twin's closure binds a name of its own where Rust's binds the
    argument's (Python reads a name assigned in a function as that
    function's from its start)."""

    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.45 and len(self.scopes) < 4 and (self.scalars or self.arrays):
            self.iter_closure_rebind()
            return
        IterGen.stmt(self, nested, loop_ok)

    def iter_closure_rebind(self):
        g, t, u = self.fresh("g"), self.fresh("t"), self.fresh()
        saved = self.callees
        self.callees = []
        # The argument: a scalar (`s`, `-s`) or an element (`A[idx]`); the
        # name bound again: the scalar, the array, or the index's loop
        # variable.
        forms = []
        if self.scalars:
            forms += ["scalar"] * 2
        if self.arrays:
            forms += ["array"] * 2
            if [v for v in self.ints if v != "k"]:
                forms += ["index"] * 2
        form = self.pick(forms)
        exclude = None
        if form == "scalar":
            name = self.pick(self.scalars)
            self.used.add(name)
            arg = var(name) if self.r() < 0.7 else G.neg(var(name))
        else:
            arr = self.pick(self.arrays)
            self.used.add(arr.name)
            if form == "index":
                v = self.pick([v for v in self.ints if v != "k"])
                self.used.add(v)
                i = G.ibin("%", G.ivar(v), G.ilen(arr.name))
                name = v
            else:
                i = self.index(arr)
                name, exclude = arr.name, arr.name
            arg = self.elem(arr.name, i)
        r = self.fresh("r")
        if form == "index":
            # `for i in 0..2 { acc += e * (i as f64 + 1.0); }`: `e` may read
            # the body's `i`.
            acc = self.fresh("acc")
            e = self.body([t], 1, ints=(name,))
            self.emit("let {} = |{}: f64| {{ let mut {a} = 0.0; for {n} in 0..2 {{ {a} += ({e}) * ({n} as f64 + 1.0); }} {a} }};".format(
                g, t, a=acc, n=name, e=e.rs), "def {}({}):".format(g, t))
            self.emit(None, "    {} = 0.0".format(acc))
            self.emit(None, "    for {} in range(2):".format(name))
            self.emit(None, "        {a} = chk({a} + chk({e}) * ({n} + 1.0))".format(a=acc, e=e.py, n=name))
            self.emit(None, "    return {}".format(acc))
            how = "its own for"
        else:
            e1 = self.body([t], 1)
            e2 = self.body([t, name], 1 if self.r() < 0.5 else 2, exclude=exclude)
            py2 = re.sub(r"\b{}\b".format(name), r, e2.py)
            if self.r() < 0.3:
                q = self.fresh("q")
                e3 = self.body([t], 1)
                self.emit("let {} = |{}: f64| {{ let ({n}, {q}) = ({e1}, {e3}); ({e2}) * {q} }};".format(
                    g, t, n=name, q=q, e1=e1.rs, e3=e3.rs, e2=e2.rs), "def {}({}):".format(g, t))
                self.emit(None, "    {} = chk({})".format(r, e1.py))
                self.emit(None, "    {} = chk({})".format(q, e3.py))
                self.emit(None, "    return chk(chk({}) * {})".format(py2, q))
                how = "a tuple let"
            else:
                self.emit("let {} = |{}: f64| {{ let {} = {}; {} }};".format(g, t, name, e1.rs, e2.rs),
                          "def {}({}):".format(g, t))
                self.emit(None, "    {} = chk({})".format(r, e1.py))
                self.emit(None, "    return chk({})".format(py2))
                how = "a let"
        if self.r() < 0.5:
            b = self.expr(1)
            k = self.const(0.2, 1.5)
            self.emit("let {} = {}({}) + {} * {}({});".format(u, g, arg.rs, k, g, b.rs),
                      "{} = chk({}({}) + {} * {}({}))".format(u, g, arg.py, k, g, b.py))
        else:
            self.emit("let {} = {}({});".format(u, g, arg.rs), "{} = chk({}({}))".format(u, g, arg.py))
        self.callees = saved
        self.tags.append("closure rebinds: {} by {}{}".format(form, how, " in a loop" if self.loops else ""))
        self.declare_scalar(u, False)
        self.wrote(u)


ITERS3_SEED = 20261208
ITERS3_N_FUNCS = 60
ITERS3_OUT = os.path.join(G.ROOT, "tests", "random_iters_d.rs")

ITERS_HEADER = G.WRT_HEADER.replace(
    "//! Randomized differential testing of activity: {n} random `#[differentiate]`\n"
    "//! functions with parameters left out of `wrt(...)`, `mut` parameters assigned\n"
    "//! active values and in/out `&mut [f64]` buffers, each checked at {pp} points by\n"
    "//! `random_wrt_agree` below.\n",
    "//! Randomized differential testing of iteration: {n} random `#[differentiate]`\n"
    "//! functions written in iterator style (chains, `for` over containers, local\n"
    "//! closures) over parameters in and out of `wrt(...)`, `mut` and buffers, each\n"
    "//! checked at {pp} points by `random_iters_agree` below.\n").replace(
    "(family `wrt`, seed {seed}); do not\n//! edit by hand. Regenerate, byte for byte, with `tests/random_functions.rs`,\n"
    "//! from the repository root with\n//!\n//! ```text\n//! python3 tests/random/generate.py\n//! ```",
    "(family `iters`, `tests/random/iters.py`,\n//! seed {seed}); do not edit by hand. Regenerate, byte for byte, from the\n"
    "//! repository root with\n//!\n//! ```text\n//! python3 tests/random/iters.py\n//! ```")
assert "random_iters_agree" in ITERS_HEADER and "iters.py" in ITERS_HEADER
# (Only the lints that generate.py's header does not allow already: clippy
# flags an attribute given twice.)
ITERS_LINTS = ["unused_parens", "clippy::map_clone", "clippy::self_assignment",
               "clippy::unnecessary_fold", "clippy::map_identity", "clippy::redundant_closure",
               "clippy::iter_skip_next", "clippy::needless_borrow", "clippy::double_parens"]
ITERS_HEADER = ITERS_HEADER.replace("#![allow(\n", "#![allow(\n" + "".join(
    "    {},\n".format(lint) for lint in ITERS_LINTS
    if "    {},\n".format(lint) not in ITERS_HEADER and "    {}\n".format(lint) not in ITERS_HEADER))


def harness(part):
    h = G.WRT_HARNESS.replace("fn random_wrt_agree()", "fn random_iters_agree()").replace(
        '"random_wrt: {} functions', '"random_iters ({}): {{}} functions'.format(part))
    assert "random_iters_agree" in h
    return h


def generate_iters(n_funcs, seed, outs, per_file, gen=None, required=("iter:", "closure:"), first_part=0):
    gen = gen or IterGen
    rng = random.Random(seed)
    specs = []
    namespace = dict(G.RUNTIME)
    discarded = too_long = plain = 0
    while len(specs) < n_funcs:
        name = "t{:03}".format(len(specs))
        # Calls stay within a file.
        first = len(specs) - len(specs) % per_file
        callees = [s for s in specs[first:] if s.callable and s.call_depth < 3][-40:]
        spec = gen(rng, name, callees).function()
        if spec.rust.count("\n") > ITERS_MAX_LINES:
            too_long += 1
            continue
        # Every function is in iterator style.
        if not any(t.startswith(required) for t in spec.tags):
            plain += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)

    for part, out in enumerate(outs):
        chunk = specs[part * per_file:(part + 1) * per_file]
        if not chunk:
            continue
        counts = {}
        for s in chunk:
            for t in set(s.tags):
                counts[t] = counts.get(t, 0) + 1
        lines = ["//! - {}: {}".format(t, counts[t]) for t in sorted(counts)]
        parts = [ITERS_HEADER.format(n=len(chunk), pp=G.POINTS_PER_FUNC, seed=seed,
                                     constructs="\n".join(lines) + "\n", excluded="")]
        parts.append("// ----- the functions -------------------------------------------------------\n\n")
        for s in chunk:
            parts.append(s.rust + "\n" + "\n".join(G.wrt_case_entry(s)) + "\n\n")
        parts.append(harness("abcdefgh"[first_part + part]))
        parts.append("\n/// Every generated function with its test points.\n")
        parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in chunk) + "];\n")
        with open(out, "w") as f:
            f.write("".join(parts))
        subprocess.run(["rustfmt", "--edition", "2021", out], check=True, cwd=G.ROOT)
        sys.stderr.write("wrote {}: {} functions\n".format(os.path.relpath(out, G.ROOT), len(chunk)))
    counts = {}
    for s in specs:
        for t in set(s.tags):
            counts[t] = counts.get(t, 0) + 1
    sys.stderr.write("{} functions; redrawn: {} without test points, {} too long, {} without iteration\n".format(
        len(specs), discarded, too_long, plain))
    for t in sorted(counts):
        sys.stderr.write("  {:5}  {}\n".format(counts[t], t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=ITERS_N_FUNCS, help="number of functions (experiments)")
    ap.add_argument("--seed", type=int, default=ITERS_SEED, help="(experiments)")
    ap.add_argument("--per-file", type=int, default=ITERS_PER_FILE, help="functions per file (experiments)")
    ap.add_argument("--out", nargs="*", default=ITERS_OUT, help="output files (experiments)")
    ap.add_argument("--more-count", type=int, default=ITERS2_N_FUNCS, help="functions of the second batch (experiments)")
    args = ap.parse_args()
    generate_iters(args.count, args.seed, [os.path.abspath(o) for o in args.out], args.per_file)
    generate_iters(args.more_count, ITERS2_SEED, [ITERS2_OUT], args.more_count, gen=IterGen2,
                   required=("iter+:",), first_part=2)
    generate_iters(ITERS3_N_FUNCS, ITERS3_SEED, [ITERS3_OUT], ITERS3_N_FUNCS, gen=IterGen3,
                   required=("closure rebinds:",), first_part=3)


if __name__ == "__main__":
    main()
