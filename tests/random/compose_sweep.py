"""The `compose` family's eighth batch (`compose.py` writes it; drawn as
COMPOSE_SWEEP_P of the functions): the forms the last session made work,
each a template with its own helpers, drawn straight-line, in loops and in
branches, with parameters left out of `wrt` and mutated:

- an array literal bound inside a loop from active values and indexed
  (`for j in 0..x.len() - 1 { let d = [x[j], x[j + 1] * b]; s += d[0] *
  d[1]; }`, typed, with a constant member, lent to a helper), and a local
  `let mut d = [0.0; 2];` whose elements are assigned computed values;
- range patterns in a `match`: on an active float (`..=A`, `..A`, `A..=B`,
  `B..`, `_`; the twin records each bound as a decision, so test points
  keep away from them) and on an integer (`k`, `k as i64 - 2`, a loop
  counter: `..=A`, `A..=B`, `A..B`, `A..`, `_`);
- tuple patterns over slices of tuples: `for &(i, j) in pairs` over an
  inactive `&[(usize, usize)]` parameter or local, `for &(i, w) in ws` over
  `&[(usize, f64)]` (the float inactive data), and passed to helpers;
- `fold` with a tuple accumulator (`x.iter().fold((0.0, 0.0), |(s, q), &v|
  (s + v, q + v * v))`, also `|(mut p, q), &v| {..}`), bound by `let (p,
  q) = ..` or a helper's `(f64, f64)` result;
- `let (l, r) = x.split_at(m);` of a named slice (a parameter in or out of
  `wrt`, a local `Vec`, a `Vec` parameter written by element), the halves
  read and passed to helpers.

Not drawn (not supported): a local `Vec<(usize, f64)>` whose float members
are active, `let v = vec![(0, x[1] * a)]; for &(i, w) in v.iter() {..}`;
the macro rejects it at the pattern's names (ui test
`unsupported/vec_of_active_tuples`).

The harness passes a table parameter (`&[(usize, usize)]`, `&[(usize,
f64)]`, always the last) as `&sweep_pairs(k, n)` / `&sweep_weights(k, n)`
(`ITEMS`, written in the module; the twin's `with_tables`). These
functions are called only by each other (`spec.sweep` names the kind)."""

import re

import compose_bufs as bufs
import generate as G
from compose_audit import rlit

# The tables of the harness, in Rust (the module's items) and in Python.
ITEMS = ("/// The eighth batch's tables at the point's k (`for &(i, j) in pairs`).\n"
         "#[allow(dead_code)]\nfn sweep_pairs(k: usize, n: usize) -> Vec<(usize, usize)> {{\n"
         "    vec![(k % n, (k + 1) % n), (0, n - 1), ((2 * k) % n, k % n)]\n}}\n\n"
         "#[allow(dead_code)]\nfn sweep_weights(k: usize, n: usize) -> Vec<(usize, f64)> {{\n"
         "    vec![(k % n, 0.75), (n - 1, 0.25 * k as f64 - 0.5)]\n}}\n")


def sweep_pairs(k, n):
    return [(k % n, (k + 1) % n), (0, n - 1), ((2 * k) % n, k % n)]


def sweep_weights(k, n):
    return [(k % n, 0.75), (n - 1, 0.25 * k - 0.5)]


class Table(G.WParam):
    """`pairs: &[(usize, usize)]` or `ws: &[(usize, f64)]` over indices
    below n: an integer to the harness (kind 'k'), which passes the table
    at its k."""

    def __init__(self, name, n, what):
        G.WParam.__init__(self, name, "k")
        self.table, self.n = what, n

    def ty(self):
        return "&[(usize, usize)]" if self.table == "pairs" else "&[(usize, f64)]"


def with_tables(fn, spec, k):
    """The twin `fn` given the tables at k for the table parameters."""
    slots = {i: p for i, p in enumerate(spec.params) if isinstance(p, Table)}
    if not slots:
        return fn
    return lambda *args: fn(*[(sweep_pairs if slots[i].table == "pairs" else sweep_weights)(k, slots[i].n)
                              if i in slots else a for i, a in enumerate(args)])


def case_entry(lines, spec):
    """The `Case` lines with the table parameter (the last) given as its
    table at k."""
    t = [p for p in spec.params if isinstance(p, Table)]
    if not t:
        return lines
    assert len(t) == 1 and spec.params[-1] is t[0]
    new = "&sweep_{}(k, {})".format(t[0].table if t[0].table == "pairs" else "weights", t[0].n)
    return [re.sub(r", k(\)|, c\[)", lambda m: ", " + new + m.group(1), line) for line in lines]


class Fn(bufs.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        bufs.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "sweep", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.sweep in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, sweep="caller"):
        spec = bufs.audit_spec(self, tail, out, out_len, ret, tup)
        if any(getattr(p, "table", None) == "weights" for p in self.params):
            # (a bare `#[differentiate]` takes `&[(usize, f64)]` for an
            # active input, and rejects it)
            spec.rust = spec.rust.replace("#[differentiate]\n", "#[differentiate(wrt({}))]\n".format(", ".join(
                p.name for p in self.params if p.kind != "k" and p.active)), 1)
        spec.sweep, spec.bufs, spec.audit, spec.forms = sweep, None, None, None
        return spec


def scalar(f, name, active, mut=False):
    return f.param(G.WParam(name, "f"), active, mut)


def const(f, lo=0.2, hi=0.9):
    c = f.c(lo, hi)
    return rlit(c), repr(c)


# ----- helpers -------------------------------------------------------------------------

def sq_helper(f):
    """`fn sq(v: &[f64]) -> f64` by an iterator (any length)."""
    f.param(G.WParam("v", "s", 3), True)
    c = const(f)
    f.emit("v.iter().map(|e| e * e * {}).sum()".format(c[0]), "return chk(sum([chk(chk(e * e) * {}) for e in v], -0.0))"
           .format(c[1]))
    f.tags.append("helper sq(v: &[f64]) by map and sum")
    return f.spec(None, sweep="sq")


def dot_helper(f):
    """`fn dot(a: &[f64], b: &[f64]) -> f64` over the shorter."""
    f.param(G.WParam("a", "s", 3), True)
    f.param(G.WParam("b", "s", 3), f.r() < 0.8)
    f.emit("a.iter().zip(b).map(|(u, v)| u * v).sum()", "return chk(sum([chk(u * v) for u, v in zip(a, b)], -0.0))")
    f.tags.append("helper dot(a, b) by zip, b {}".format("in wrt" if f.params[1].active else "left out of wrt"))
    return f.spec(None, sweep="dot")


def chain_helper(f):
    """`fn chain(x: &[f64], a: f64) -> f64`: the array literal in a loop
    over neighbours (any length but 0)."""
    f.param(G.WParam("x", "s", 3), True)
    a = scalar(f, "a", f.r() < 0.7)
    f.emit("let mut e = 0.0;", "e = 0.0")
    arr_loop(f, "e", ("x", "x"), ("x.len()", "len(x)"), ("a", "a"), a.active)
    f.tags.append("helper with an array literal in a loop, a {}".format("in wrt" if a.active else "left out of wrt"))
    return f.spec(("e", "e"), sweep="chain")


def pairs_helper(f):
    """`fn ph(x: &[f64], a: f64, pairs: &[(usize, usize)]) -> f64`."""
    f.param(G.WParam("x", "s", 3), True)
    a = scalar(f, "a", f.r() < 0.7)
    f.param(Table("pairs", 3, "pairs"), False)
    f.emit("let mut s = 0.0;", "s = 0.0")
    pairs_loop(f, "pairs", False, ("x", "x"), ("a", "a"))
    f.tags.append("helper with pairs: &[(usize, usize)], a {}".format("in wrt" if a.active else "left out of wrt"))
    return f.spec(("s", "s"), sweep="pairs")


def weights_helper(f):
    """`fn wh(x: &[f64], ws: &[(usize, f64)]) -> f64`."""
    f.param(G.WParam("x", "s", 3), True)
    f.param(Table("ws", 3, "weights"), False)
    f.emit("let mut s = 0.0;", "s = 0.0")
    weights_loop(f, "ws", False, ("x", "x"))
    f.tags.append("helper with ws: &[(usize, f64)]")
    return f.spec(("s", "s"), sweep="weights")


def fold_helper(f):
    """`fn fh(x: &[f64], b: f64) -> (f64, f64)`: a fold with a tuple
    accumulator as the tail."""
    f.param(G.WParam("x", "s", 3), True)
    b = scalar(f, "b", f.r() < 0.7)
    c = const(f)
    if f.r() < 0.5:
        f.emit("x.iter().fold((0.0, b), |(s, q), &v| (s + v * b, q + v * v * {}))".format(c[0]))
        f.py += ["    s, q = 0.0, b", "    for v in x:",
                 "        s, q = chk(s + chk(v * b)), chk(q + chk(chk(v * v) * {}))".format(c[1]), "    return (s, q)"]
    else:
        f.emit("x.iter().fold((1.0, 0.0), |(mut p, q), &v| {")
        f.emit("    p *= {};".format(c[0]))
        f.emit("    (p + v, q + (v * b).sin() * p)")
        f.emit("})")
        f.py += ["    p, q = 1.0, 0.0", "    for v in x:", "        p = chk(p * {})".format(c[1]),
                 "        p, q = chk(p + v), chk(q + chk(f_sin(chk(v * b)) * p))", "    return (p, q)"]
    f.tags.append("helper returning a fold's (f64, f64) accumulator, b {}".format("in wrt" if b.active else
                                                                                "left out of wrt"))
    return f.spec(None, out="t", out_len=2, ret="(f64, f64)", tup=[("f", 1), ("f", 1)], sweep="fold")


# ----- the forms' statements (shared by helpers and callers) ----------------------------

def arr_loop(f, acc, x, n, b, b_active):
    """`for j in 0..n - 1 { let d = [x[j], x[j + 1] * b]; acc += .. }`."""
    j = f.fresh("j")
    f.emit("for {j} in 0..{n} - 1 {{".format(j=j, n=n[0]), "for {j} in range(0, {n} - 1):".format(j=j, n=n[1]))
    d = f.fresh("d")
    how = f.pick(["pair", "typed", "three", "diff"])
    X = x[0]
    if how == "pair":
        f.emit("    let {d} = [{x}[{j}], {x}[{j} + 1] * {b}];".format(d=d, x=X, j=j, b=b[0]),
               "    {d} = [{x}[{j}], chk({x}[{j} + 1] * {b})]".format(d=d, x=x[1], j=j, b=b[1]))
    elif how == "typed":
        f.emit("    let {d}: [f64; 2] = [{x}[{j}] - {x}[{j} + 1], {x}[{j}] * {b}];".format(d=d, x=X, j=j, b=b[0]),
               "    {d} = [chk({x}[{j}] - {x}[{j} + 1]), chk({x}[{j}] * {b})]".format(d=d, x=x[1], j=j, b=b[1]))
    elif how == "three":
        c = const(f)
        f.emit("    let {d} = [{x}[{j} + 1], {c}, {b} * {x}[{j}]];".format(d=d, x=X, j=j, b=b[0], c=c[0]),
               "    {d} = [{x}[{j} + 1], {c}, chk({b} * {x}[{j}])]".format(d=d, x=x[1], j=j, b=b[1], c=c[1]))
    else:
        f.emit("    let {d} = [{x}[{j}] - {x}[{j} + 1], {acc}.sin()];".format(d=d, x=X, j=j, acc=acc),
               "    {d} = [chk({x}[{j}] - {x}[{j} + 1]), f_sin({acc})]".format(d=d, x=x[1], j=j, acc=acc))
    use = f.pick(["prod", "sq", "branch"] + ["call"] * bool(f.helpers(("sq", "chain"))))
    last = 2 if how == "three" else 1
    if use == "prod":
        f.emit("    {a} += {d}[0] * {d}[{l}];".format(a=acc, d=d, l=last),
               "    {a} = chk({a} + chk({d}[0] * {d}[{l}]))".format(a=acc, d=d, l=last))
    elif use == "sq":
        f.emit("    {a} += {d}[0] * {d}[0] + {d}[{l}].sin();".format(a=acc, d=d, l=last),
               "    {a} = chk({a} + chk({d}[0] * {d}[0]) + f_sin({d}[{l}]))".format(a=acc, d=d, l=last))
    elif use == "branch":
        c = const(f, -0.3, 0.3)
        f.emit("    if {d}[0] > {c} {{".format(d=d, c=c[0]), "    if gt({d}[0], {c}):".format(d=d, c=c[1]))
        f.emit("        {a} += {d}[{l}] * {d}[0];".format(a=acc, d=d, l=last),
               "        {a} = chk({a} + chk({d}[{l}] * {d}[0]))".format(a=acc, d=d, l=last))
        f.emit("    }")
    else:
        g = f.pick(f.helpers(("sq", "chain")))
        f.called(g)
        extra = [arg_for(f, p, b, b_active) for p in g.params[1:]]
        f.emit("    {a} += {g}(&{d}{e});".format(a=acc, g=g.name, d=d, e="".join(", " + e[0] for e in extra)),
               "    {a} = chk({a} + {g}({d}{e}))".format(a=acc, g=g.name, d=d, e="".join(", " + e[1] for e in extra)))
    f.emit("}")
    f.tag("an array literal bound in a loop ({}, {})".format(how, use))


def arg_for(f, p, b=("b", "b"), b_active=None):
    """An f64 argument for a helper's scalar parameter `p`: `b` where `p`
    is in the helper's `wrt` or `b` is inactive, else a constant (an active
    value given to a parameter left out of `wrt` would lose its
    derivative)."""
    b_active = f.b_active if b_active is None else b_active
    return b if p.active or not b_active else const(f)


def pairs_loop(f, pairs, local, x, a):
    """`for &(i, j) in pairs` (`&pairs` of a local, `pairs.iter()`, `for
    (i, j) in pairs.iter()`)."""
    form = f.pick(["amp", "iter", "ref"])
    head = {"amp": "for &(i, j) in " + "&" * local + "{}", "iter": "for &(i, j) in {}.iter()",
            "ref": "for (i, j) in {}.iter()"}[form]
    f.emit(head.format(pairs) + " {", "for (i, j) in {}:".format(pairs))
    i, j = ("*i", "*j") if form == "ref" else ("i", "j")
    if f.r() < 0.5:
        f.emit("    s += {x}[{i}] * {x}[{j}] * {a};".format(x=x[0], i=i, j=j, a=a[0]),
               "    s = chk(s + chk(chk({x}[i] * {x}[j]) * {a}))".format(x=x[1], a=a[1]))
    else:
        f.emit("    s += ({x}[{i}] - {x}[{j}]).sin() + {x}[{j}] * {a};".format(x=x[0], i=i, j=j, a=a[0]),
               "    s = chk(s + f_sin(chk({x}[i] - {x}[j])) + chk({x}[j] * {a}))".format(x=x[1], a=a[1]))
    f.emit("}")
    f.tag("{} over &[(usize, usize)]{}".format(head.format("pairs"), " (a local Vec)" * local))


def weights_loop(f, ws, local, x):
    form = f.pick(["amp", "ref"])
    head = "for &(i, w) in " + "&" * local + "{}" if form == "amp" else "for (i, w) in {}.iter()"
    f.emit(head.format(ws) + " {", "for (i, w) in {}:".format(ws))
    i = "*i" if form == "ref" else "i"
    f.emit("    s += ({x}[{i}] * w).sin() + {x}[{i}] * w;".format(x=x[0], i=i),
           "    s = chk(s + f_sin(chk({x}[i] * w)) + chk({x}[i] * w))".format(x=x[1]))
    f.emit("}")
    f.tag("{} over &[(usize, f64)]{}".format(head.format("ws"), " (a local Vec)" * local))


def write_mut_params(f, b, v, batch="sweep"):
    """A caller's `mut` parameters written before its forms: `b` (a float)
    and `v` (a `Vec<f64>`, by element), in or out of `wrt`."""
    if b.mut:
        c = const(f)
        if b.active:
            f.emit("b = b * {} + x[1];".format(c[0]), "b = chk(chk(b * {}) + x[1])".format(c[1]))
        else:
            f.emit("b = b * {} + 0.1;".format(c[0]), "b = chk(chk(b * {}) + 0.1)".format(c[1]))
        f.tags.append("{batch} caller: a mut f64 parameter {} written".format("in wrt" if b.active else "left out of wrt", batch=batch))
    if v is not None and v.mut:
        c = const(f)
        if v.active:
            f.emit("v[0] = v[1] * b + {};".format(c[0]), "v[0] = chk(chk(v[1] * b) + {})".format(c[1]))
        else:
            f.emit("v[2] *= {};".format(c[0]), "v[2] = chk(v[2] * {})".format(c[1]))
        f.tags.append("{batch} caller: a mut Vec<f64> parameter {} written by element".format(
            "in wrt" if v.active else "left out of wrt", batch=batch))


# ----- callers -------------------------------------------------------------------------

def caller(f):
    """A scalar function `(x: &[f64], b: f64, [v: Vec<f64>], [q: &[f64]],
    [k: usize], [pairs | ws])` drawing 1 to 3 of the batch's forms, each
    straight-line, in a loop or a branch on `s`."""
    n = f.rng.randint(3, 4)
    x = f.param(G.WParam("x", "s", n), f.r() < 0.85)
    b = scalar(f, "b", not x.active or f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    v = f.param(G.WParam("v", "v", 3), f.r() < 0.6, mut=f.r() < 0.6) if f.r() < 0.35 else None
    q = f.param(G.WParam("q", "s", 3), False) if f.r() < 0.4 else None
    k = f.param(G.WParam("k", "k"), False) if f.r() < 0.5 else None
    tab = None
    if f.r() < 0.35:
        tab = f.param(Table("pairs", 3, "pairs") if f.r() < 0.6 else Table("ws", 3, "weights"), False)
    write_mut_params(f, b, v)
    c0 = const(f)
    f.emit("let mut s = x[0] * {} + b;".format(c0[0]), "s = chk(chk(x[0] * {}) + b)".format(c0[1]))
    kinds = ["arrloop", "arrset", "rangef", "rangei", "pairs", "fold", "split"]
    chosen = f.rng.sample(kinds, f.rng.randint(1, 3))
    if v is not None and "split" not in chosen:
        chosen.append("split")  # (`v` is read only there: an unread input in `wrt` has no test points)
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b, v, q, k, tab)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def arrloop_form(f, x, b, v, q, k, tab):
    arr_loop(f, "s", ("x", "x"), f.pick([("x.len()", "len(x)"), (str(x.length), str(x.length))]), ("b", "b"), b.active)


def arrset_form(f, x, b, v, q, k, tab):
    """`let mut d = [0.0; 2]; d[0] = ..; d[1] = ..;` then read or lent."""
    d = f.fresh("d")
    f.emit("let mut {} = [0.0; 2];".format(d), "{} = [0.0, 0.0]".format(d))
    c = const(f)
    i = "{} % {}".format(f.loop_var, x.length) if f.loop_var else "1"
    f.emit("{d}[0] = x[{i}] * b;".format(d=d, i=i), "{d}[0] = chk(x[{i}] * b)".format(d=d, i=i))
    f.emit("{d}[1] = s.sin() + {c};".format(d=d, c=c[0]), "{d}[1] = chk(f_sin(s) + {c})".format(d=d, c=c[1]))
    gs = f.helpers(("sq", "chain", "dot"))
    if gs and f.r() < 0.6:
        g = f.pick(gs)
        f.called(g)
        if g.sweep == "dot":
            f.emit("s += {}(&{}, &x[1..]);".format(g.name, d), "s = chk(s + {}({}, x[1:]))".format(g.name, d))
        else:
            extra = [arg_for(f, p) for p in g.params[1:]]
            f.emit("s += {}(&{}{});".format(g.name, d, "".join(", " + e[0] for e in extra)),
                   "s = chk(s + {}({}{}))".format(g.name, d, "".join(", " + e[1] for e in extra)))
        f.tag("let mut d = [0.0; 2]; assigned by element, lent to a helper")
    else:
        f.emit("s += {d}[0] * {d}[1];".format(d=d), "s = chk(s + chk({d}[0] * {d}[1]))".format(d=d))
        f.tag("let mut d = [0.0; 2]; assigned by element")


def rangef_form(f, x, b, v, q, k, tab):
    """`match t { ..=lo => .., hi.. => .., [a..=z => ..,] _ => .. }` on an
    active float."""
    src = f.pick([("s", "s"), ("x[1] * b", "chk(x[1] * b)"), ("b", "b")])
    t = f.fresh("t")
    f.emit("let {} = {};".format(t, src[0]), "{} = {}".format(t, src[1]))
    lo, hi = f.c(-0.7, -0.2), f.c(0.2, 0.7)
    excl = f.r() < 0.4
    rs = ["s += match {} {{".format(t)]
    c = const(f)
    rs.append("    ..{}{} => {t} * x[0] + {c},".format("" if excl else "=", rlit(lo), t=t, c=c[0]))
    py = ["if {}:".format("lt({}, {})".format(t, lo) if excl else "not gt({}, {})".format(t, lo)),
          "    e = chk(chk({t} * x[0]) + {c})".format(t=t, c=c[1])]
    rs.append("    {}.. => ({t} * b).sin(),".format(rlit(hi), t=t))
    py += ["elif not lt({}, {}):".format(t, hi), "    e = f_sin(chk({} * b))".format(t)]
    if f.r() < 0.5:
        a, z = f.c(lo + 0.1, -0.05), f.c(0.05, hi - 0.1)
        rs.append("    {}..={} => {t} * {t} * x[2],".format(rlit(a), rlit(z), t=t))
        py += ["elif not lt({t}, {a}) and not gt({t}, {z}):".format(t=t, a=a, z=z), "    e = chk(chk({t} * {t}) * x[2])".format(
            t=t)]
    rs.append("    _ => x[1] + {} * b,".format(t))
    py += ["else:", "    e = chk(x[1] + chk({} * b))".format(t)]
    rs.append("};")
    for line in rs:
        f.emit(line)
    for line in py:
        f.py.append("    " * f.ind + line)
    f.py.append("    " * f.ind + "s = chk(s + e)")
    f.tag("match on an active float with range patterns (..{}X, X.., {}_)".format(
        "" if excl else "=", "A..=B, " if len(rs) == 6 else ""))


def rangei_form(f, x, b, v, q, k, tab):
    """`match m { ..=A => .., B..=C => .., D.. => .., _ => .. }` on an
    integer (k, k as i64 - 2, a loop counter)."""
    # (the arms are reached: k is 0 to 4, a loop counter 0 to 2)
    if f.loop_var and f.r() < 0.5:
        m, mp, a = f.loop_var, f.loop_var, 0
    elif k is not None and f.r() < 0.5:
        m, mp, a = "k", "k", f.rng.randint(0, 1)
    else:
        kk = ("k", "k") if k is not None else ("x.len()", "len(x)")
        m = f.fresh("m")
        f.emit("let {} = {} as i64 - 2;".format(m, kk[0]), "{} = {} - 2".format(m, kk[1]))
        mp, a = m, (-2 + f.rng.randint(0, 1) if k is not None else 0)
    bb = a + 2  # (`_` takes a + 1)
    excl = f.r() < 0.4
    z = bb + 1 if excl else bb
    d = bb + 1
    c = const(f)
    rs = ["s += match {} {{".format(m),
          "    ..={} => x[0] * b,".format(a),
          "    {}..{}{} => (x[1] * {}).sin(),".format(bb, "" if excl else "=", z, c[0]),
          "    {}.. => x[2] * x[0],".format(d),
          "    _ => b * {},".format(c[0]),
          "};"]
    hi = bb
    py = ["if {} <= {}:".format(mp, a), "    e = chk(x[0] * b)",
          "elif {} <= {} <= {}:".format(bb, mp, hi), "    e = f_sin(chk(x[1] * {}))".format(c[1]),
          "elif {} >= {}:".format(mp, d), "    e = chk(x[2] * x[0])",
          "else:", "    e = chk(b * {})".format(c[1]), "s = chk(s + e)"]
    for line in rs:
        f.emit(line)
    for line in py:
        f.py.append("    " * f.ind + line)
    f.tag("match on an integer with range patterns (..=A, B..{}C, D.., _)".format("" if excl else "="))


def pairs_form(f, x, b, v, q, k, tab):
    """`for &(i, j) in pairs` / `for &(i, w) in ws` over the parameter or a
    local, or passed to a helper."""
    n = 3  # (indices of the helpers' x, which has 3 elements)
    kk = ("k % 3", "k % 3") if k is not None else ("1", "1")
    what = tab.table if tab is not None and f.r() < 0.7 else f.pick(["pairs", "weights"])
    if tab is not None and tab.table == what:
        name = (tab.name, tab.name)
        src = "parameter"
    else:
        name = (f.fresh("pr"), None)
        name = (name[0], name[0])
        if what == "pairs":
            f.emit("let {}: Vec<(usize, usize)> = vec![(0, {}), ({}, 1)];".format(name[0], n - 1, kk[0]),
                   "{} = [(0, {}), ({}, 1)]".format(name[1], n - 1, kk[1]))
        else:
            w = ("q[1]", "q[1]") if q is not None else const(f)
            f.emit("let {} = vec![(1, {}), ({}, 0.5)];".format(name[0], w[0], kk[0]),
                   "{} = [(1, {}), ({}, 0.5)]".format(name[1], w[1], kk[1]))
        src = "local"
    helpers = f.helpers((what,))
    if helpers and f.r() < 0.5:
        g = f.pick(helpers)
        f.called(g)
        xa = ("x", "x") if n == 3 else ("&x[1..]", "x[1:]")
        ref = ("&" if src == "local" else "") + name[0]
        if what == "pairs":
            a = arg_for(f, g.params[1])
            f.emit("s += {}({}, {}, {});".format(g.name, xa[0], a[0], ref),
                   "s = chk(s + {}({}, {}, {}))".format(g.name, xa[1], a[1], name[1]))
        else:
            f.emit("s += {}({}, {});".format(g.name, xa[0], ref), "s = chk(s + {}({}, {}))".format(g.name, xa[1], name[1]))
        f.tag("a {} table of tuples passed to a helper".format(src))
        return
    if what == "pairs":
        pairs_loop(f, name[0], src == "local", ("x", "x"), ("b", "b"))
    else:
        weights_loop(f, name[0], src == "local", ("x", "x"))


def fold_form(f, x, b, v, q, k, tab):
    """`let (p, r) = <iter>.fold((0.0, 0.0), |(p, r), &e| ..);` or a
    helper's `(f64, f64)` fold result."""
    p, r = f.fresh("p"), f.fresh("r")
    gs = f.helpers(("fold",))
    if gs and f.r() < 0.4:
        g = f.pick(gs)
        f.called(g)
        xa = ("x", "x") if x.length == 3 else ("&x[1..]", "x[1:]")
        a = arg_for(f, g.params[1])
        f.emit("let ({}, {}) = {}({}, {});".format(p, r, g.name, xa[0], a[0]),
               "{}, {} = {}({}, {})".format(p, r, g.name, xa[1], a[1]))
        f.tag("let (p, r) = a helper's fold accumulator")
    else:
        src = f.pick([("x.iter()", "x"), ("x.iter().skip(1)", "x[1:]"), ("x[..2].iter()", "x[:2]")]
                     + [("v.iter()", "v")] * (v is not None))
        if f.r() < 0.6:
            f.emit("let ({p}, {r}) = {s}.fold((0.0, 0.0), |(p, r), &e| (p + e, r + e * e));".format(p=p, r=r, s=src[0]))
            f.py += ["    " * f.ind + "{p}, {r} = 0.0, 0.0".format(p=p, r=r), "    " * f.ind + "for e in {}:".format(src[1]),
                     "    " * f.ind + "    {p}, {r} = chk({p} + e), chk({r} + chk(e * e))".format(p=p, r=r)]
            f.tag("let (p, r) = ..fold((0.0, 0.0), |(p, r), &e| (p + e, r + e * e))")
        else:
            c = const(f)
            f.emit("let ({p}, {r}) = {s}.fold((1.0, b), |(mut p, r), &e| {{".format(p=p, r=r, s=src[0]))
            f.emit("    p *= {};".format(c[0]))
            f.emit("    (p + e * b, r + e.sin())")
            f.emit("});")
            f.py += ["    " * f.ind + "{p}, {r} = 1.0, b".format(p=p, r=r), "    " * f.ind + "for e in {}:".format(src[1]),
                     "    " * f.ind + "    {p} = chk({p} * {c})".format(p=p, c=c[1]),
                     "    " * f.ind + "    {p}, {r} = chk({p} + chk(e * b)), chk({r} + f_sin(e))".format(p=p, r=r)]
            f.tag("let (p, r) = ..fold((1.0, b), |(mut p, r), &e| {..})")
    f.emit("s += {p} * {r} + {p}.sin();".format(p=p, r=r), "s = chk(s + chk({p} * {r}) + f_sin({p}))".format(p=p, r=r))


def split_form(f, x, b, v, q, k, tab):
    """`let (l, r) = w.split_at(m);` of a named slice, the halves read and
    passed to helpers."""
    srcs = [("x", "x", x.length, "a slice parameter " + ("in wrt" if x.active else "left out of wrt"))]
    if q is not None:
        srcs.append(("q", "q", 3, "a slice parameter left out of wrt"))
    if v is not None:
        srcs.append(("v", "v", 3, "a Vec parameter {}{}".format("in wrt" if v.active else "left out of wrt",
                                                                 ", written" if v.mut else "")))
    w = srcs[-1] if v is not None and not getattr(f, "v_read", False) else f.pick(srcs + [None])
    if w is not None and w[0] == "v":
        f.v_read = True
    if w is None:
        loc = f.fresh("w")
        c = const(f)
        f.emit("let mut {} = x.to_vec();".format(loc), "{} = list(x)".format(loc))
        f.emit("{}[0] *= b + {};".format(loc, c[0]), "{l}[0] = chk({l}[0] * chk(b + {c}))".format(l=loc, c=c[1]))
        w = (loc, loc, x.length, "a local Vec written by element")
    n = w[2]
    kk = ("k", "k") if k is not None else None
    at = f.pick([(str(m), str(m)) for m in range(1, n)] + [("{}.len() / 2".format(w[0]), str(n // 2))]
                + ([("{} % {} + 1".format(kk[0], n - 1), "{} % {} + 1".format(kk[1], n - 1))] if kk else []))
    l, r = f.fresh("l"), f.fresh("r")
    f.emit("let ({}, {}) = {}.split_at({});".format(l, r, w[0], at[0]),
           "{l}, {r} = {w}[:{a}], {w}[{a}:]".format(l=l, r=r, w=w[1], a=at[1]))
    gs = f.helpers(("sq", "chain", "dot"))
    use = f.pick(["elem", "iter"] + ["call"] * bool(gs))
    if use == "elem":
        f.emit("s += {l}[0] * {r}[{r}.len() - 1] + {l}[{l}.len() - 1] * b;".format(l=l, r=r),
               "s = chk(s + chk({l}[0] * {r}[len({r}) - 1]) + chk({l}[len({l}) - 1] * b))".format(l=l, r=r))
    elif use == "iter":
        f.emit("for e in {}.iter() {{".format(r), "for e in {}:".format(r))
        f.emit("    s += e * {}[0];".format(l), "    s = chk(s + chk(e * {}[0]))".format(l))
        f.emit("}")
    else:
        g = f.pick(gs)
        f.called(g)
        if g.sweep == "dot":
            f.emit("s += {}({}, {});".format(g.name, l, r), "s = chk(s + {}({}, {}))".format(g.name, l, r))
        else:
            h = f.pick([l, r])
            extra = [arg_for(f, p) for p in g.params[1:]]
            f.emit("s += {}({}{}) * {}[0];".format(g.name, h, "".join(", " + e[0] for e in extra), l),
                   "s = chk(s + chk({}({}{}) * {}[0]))".format(g.name, h, "".join(", " + e[1] for e in extra), l))
    f.tag("let (l, r) = w.split_at(m); of {}, halves {}".format(w[3], {"elem": "read by element", "iter": "iterated",
                                                                     "call": "passed to a helper"}[use]))


FORMS = {"arrloop": arrloop_form, "arrset": arrset_form, "rangef": rangef_form, "rangei": rangei_form,
         "pairs": pairs_form, "fold": fold_form, "split": split_form}

HELPERS = {"sq": sq_helper, "dot": dot_helper, "chain": chain_helper, "pairs": pairs_helper,
           "weights": weights_helper, "fold": fold_helper}


def sweep_fn(rng, name, callees):
    """One function of the batch: a helper (more often where the batch has
    few yet), else a caller."""
    f = Fn(rng, name, callees)
    if len(f.callees) < 6 or rng.random() < 0.25:
        return HELPERS[rng.choice(sorted(HELPERS))](f)
    return caller(f)
