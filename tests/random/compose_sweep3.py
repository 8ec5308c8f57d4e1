"""The `compose` family's tenth batch (`compose.py` writes it; COMPOSE_SWEEP3_N
functions drawn after the ninth, so that the others stay as they were,
calling only each other): the forms the session after the ninth batch made
work, each drawn straight-line, in loops and in branches, with parameters
left out of `wrt` and mutated:

- `impl Trait` parameters: `f: impl Fn(f64) -> f64` called on constants,
  loop indices and inactive values (`f(0.5)`, `f(i as f64)`, `f(b)` with
  `b` left out of `wrt`), its result in active arithmetic; `mut g: impl
  FnMut(usize) -> f64` called on indices; `w: &impl AsRef<[f64]>` data
  read through `w.as_ref()`; all passed on to helpers with the same
  parameters (`h(.., &f)`, `h(w, ..)`), beside the function items
  `s3_half` and `s3_idx` and array or `Vec` data (`&[..]`, `&v`) (a closure
  written in the call and `&mut g` are rejected by the macro); the harness passes `s3_f(k)` and `s3_g(k)` (the last
  parameter, an integer to it as the eighth batch's tables are) and `w` as
  a borrowed `Vec`;
- `for` loops over array literals with patterns: `for &(p, q) in &[(0, 1),
  (1, 2)]`, `for (p, q) in [(0usize, 2usize), ..]`, `for (j, w) in [(0,
  0.5), (2, 1.5)]`, `.iter()` with `x[*j]`, `for t in &[..]` with `t.0`,
  `t.1`, `for &[i, j] in [[0usize, 2], ..].iter()`;
- whole rows of 2-D arrays written from literals: `m[i] = [a, b]`, `m[1] =
  [c; 2]`, `*r = [0.0; 2]` and `*r = [r[1] * a, r[0] * r[1]]` over
  `m.iter_mut()` of local `[[f64; 2]; 3]` and `Vec<[f64; 2]>`, also in a
  helper `fn NAME_rows(x: &[f64], out: &mut [[f64; 2]])` written with the
  caller (tested through it) and lent the local;
- tuple locals with integer or `Vec` members: an argmax `let mut best =
  (x[0], 0usize); .. best = (x[j], j);` read by `best.0` and as an index
  `x[best.1]`, `acc.0 += ..; acc.1 += j;`, `let (t, v) = acc;` with `v` a
  `Vec` read and passed to a helper.

The twin rebinds a closure parameter from the harness's integer
(`f = s3_f(f) if isinstance(f, int) else f`)."""

import math
import re

import compose_bufs as bufs
import generate as G
from compose_sweep import const, scalar, write_mut_params

ITEMS = ("\n/// The tenth batch's closures at the point's k (`f: impl Fn(f64) -> f64`,\n"
         "/// `g: impl FnMut(usize) -> f64`) and a function item passed as one.\n"
         "#[allow(dead_code)]\nfn s3_f(k: usize) -> impl Fn(f64) -> f64 {{\n"
         "    move |t: f64| (0.7 * t).sin() + 0.25 * (k % 3) as f64\n}}\n\n"
         "#[allow(dead_code)]\nfn s3_g(k: usize) -> impl FnMut(usize) -> f64 {{\n"
         "    move |i: usize| 0.5 + 0.25 * ((i + k) % 3) as f64\n}}\n\n"
         "#[allow(dead_code)]\nfn s3_half(t: f64) -> f64 {{\n    t / 2.0\n}}\n\n"
         "#[allow(dead_code)]\nfn s3_idx(i: usize) -> f64 {{\n    0.25 + 0.5 * i as f64\n}}\n")


def s3_f(k):
    return lambda t: math.sin(0.7 * t) + 0.25 * (k % 3)


def s3_g(k):
    return lambda i: 0.5 + 0.25 * ((i + k) % 3)


def s3_half(t):
    return t / 2.0


def s3_idx(i):
    return 0.25 + 0.5 * i


TWIN = {"s3_f": s3_f, "s3_g": s3_g, "s3_half": s3_half, "s3_idx": s3_idx}


class Closure(G.WParam):
    """`f: impl Fn(f64) -> f64` or `mut g: impl FnMut(usize) -> f64`, the
    last parameter: an integer to the harness (kind 'k'), which passes
    `s3_f(k)` or `s3_g(k)`."""

    def __init__(self, name, what):
        G.WParam.__init__(self, name, "k")
        self.closure = what

    def ty(self):
        return "impl Fn(f64) -> f64" if self.closure == "f" else "impl FnMut(usize) -> f64"


class AsRefData(G.WParam):
    """`w: &impl AsRef<[f64]>` left out of `wrt` (kind 'v': the harness
    lends the `Vec`)."""

    as_ref = True

    def __init__(self, name, n):
        G.WParam.__init__(self, name, "v", n)

    def ty(self):
        return "&impl AsRef<[f64]>"


def case_entry(lines, spec):
    """The `Case` lines with a closure parameter as `s3_f(k)` / `s3_g(k)`
    and `&impl AsRef<[f64]>` data as a borrowed `Vec`."""
    cl = [p for p in spec.params if isinstance(p, Closure)]
    if cl:
        assert len(cl) == 1 and spec.params[-1] is cl[0]
        new = "s3_{}(k)".format(cl[0].closure)
        lines = [re.sub(r", k(\)|, c\[)", lambda m: ", " + new + m.group(1), line) for line in lines]
    qat = 0
    for p in spec.params:
        if p.kind == "k" or p.in_z():
            continue
        if getattr(p, "as_ref", False):
            rng = r"q\[{}\.\.{}\]\.to_vec\(\)".format(qat, qat + p.size())
            lines = [re.sub(r"(?<!&)" + rng, "&q[{}..{}].to_vec()".format(qat, qat + p.size()), line) for line in lines]
        qat += p.size()
    return lines


class Fn(bufs.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        bufs.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "sweep3", None)]
        self.inline = []  # (rust, python) of helpers written with the function

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.sweep3 in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, sweep3="caller"):
        spec = bufs.audit_spec(self, tail, out, out_len, ret, tup)
        if self.inline:
            spec.rust = "".join(r + "\n" for r, _ in self.inline) + spec.rust
            spec.python = "".join(p + "\n" for _, p in self.inline) + spec.python
            spec.extra_lines = sum(r.count("\n") + 1 for r, _ in self.inline)
        spec.sweep3, spec.sweep2, spec.sweep, spec.bufs, spec.audit, spec.forms = sweep3, None, None, None, None, None
        return spec


def py(f, line):
    f.py.append("    " * f.ind + line)


def arg_for(f, p, b=("b", "b")):
    """`b` for a helper's scalar parameter `p` in its `wrt` or where `b`
    is inactive, else a constant."""
    return b if p.active or not f.b_active else const(f)


def rebind(f, p):
    """The twin's closure from the harness's integer."""
    py(f, "{n} = s3_{c}({n}) if isinstance({n}, int) else {n}".format(n=p.name, c=p.closure))


# ----- helpers -------------------------------------------------------------------------

def sq_helper(f):
    """`fn sq(v: &[f64]) -> f64` (any length)."""
    f.param(G.WParam("v", "s", 3), True)
    c = const(f)
    f.emit("let mut s = 0.0;", "s = 0.0")
    f.emit("for i in 0..v.len() {", "for i in range(0, len(v)):")
    f.emit("    s += v[i] * v[i] * {};".format(c[0]), "    s = chk(s + chk(chk(v[i] * v[i]) * {}))".format(c[1]))
    f.emit("}")
    f.tags.append("sweep3 helper sq(v: &[f64])")
    return f.spec(("s", "s"), sweep3="sq")


def fh_helper(f):
    """`fn fh(x: &[f64], a: f64, f: impl Fn(f64) -> f64) -> f64`, `f`
    called on constants, indices and `a` (left out of `wrt`)."""
    f.param(G.WParam("x", "s", 2), True)
    a = scalar(f, "a", f.r() < 0.6)
    cl = f.param(Closure("f", "f"), False)
    rebind(f, cl)
    first = ("f(a)", "f(a)") if not a.active else ("f(0.5)", "f(0.5)")
    f.emit("let mut s = x[0] * {};".format(first[0]), "s = chk(x[0] * {})".format(first[1]))
    f.emit("for i in 1..x.len() {", "for i in range(1, len(x)):")
    f.emit("    s += x[i] * x[i - 1] * f(i as f64);", "    s = chk(s + chk(chk(x[i] * x[i - 1]) * f(float(i))))")
    f.emit("}")
    f.tags.append("helper fh(x, a, f: impl Fn(f64) -> f64), f called on {}, a {}".format(
        "0.5 and i as f64" if a.active else "a and i as f64", "in wrt" if a.active else "left out of wrt"))
    return f.spec(("s * a", "chk(s * a)") if f.r() < 0.5 else ("s + a * x[1]", "chk(s + chk(a * x[1]))"), sweep3="fh")


def gh_helper(f):
    """`fn gh(x: &[f64], w: &impl AsRef<[f64]>, mut g: impl FnMut(usize)
    -> f64) -> f64`."""
    f.param(G.WParam("x", "s", 3), True)
    f.param(AsRefData("w", 3), False)
    cl = f.param(Closure("g", "g"), False, mut=True)
    rebind(f, cl)
    if f.r() < 0.5:
        f.emit("let w = w.as_ref();", "w = list(w)")
        wn = "w"
        how = "let w = w.as_ref(); (shadowed)"
    else:
        f.emit("let ws = w.as_ref();", "ws = list(w)")
        wn = "ws"
        how = "let ws = w.as_ref();"
    f.emit("let mut s = 0.0;", "s = 0.0")
    f.emit("for i in 0..x.len() {", "for i in range(0, len(x)):")
    f.emit("    s += {w}[i % {w}.len()] * x[i] * x[i].cos() + g(i) * x[i];".format(w=wn),
           "    s = chk(s + chk(chk({w}[i % len({w})] * x[i]) * f_cos(x[i])) + chk(g(i) * x[i]))".format(w=wn))
    f.emit("}")
    f.tags.append("helper gh(x, w: &impl AsRef<[f64]>, g: impl FnMut(usize) -> f64), " + how)
    return f.spec(("s", "s"), sweep3="gh")


# ----- callers -------------------------------------------------------------------------

def caller(f):
    """A scalar function `(x: &[f64], b: f64, [w: &impl AsRef<[f64]>], [k:
    usize], [f: impl Fn(f64) -> f64 | g: impl FnMut(usize) -> f64])`
    drawing 1 to 3 of the batch's forms, each straight-line, in a loop or
    a branch on `s`."""
    n = f.rng.randint(4, 5)
    x = f.param(G.WParam("x", "s", n), f.r() < 0.85)
    b = scalar(f, "b", not x.active or f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    w = f.param(AsRefData("w", 3), False) if f.r() < 0.3 else None
    k = f.param(G.WParam("k", "k"), False) if f.r() < 0.4 else None
    cl = None
    if f.r() < 0.45:
        what = f.pick(["f", "g"])
        cl = f.param(Closure(what, what), False, mut=what == "g")
        rebind(f, cl)
    f.cl, f.w = cl, w
    write_mut_params(f, b, None, "sweep3")
    c0 = const(f)
    f.emit("let mut s = x[0] * {} + b;".format(c0[0]), "s = chk(chk(x[0] * {}) + b)".format(c0[1]))
    kinds = ["impl", "arrlit", "rows", "tuple"]
    chosen = f.rng.sample(kinds, f.rng.randint(1, 3))
    if (cl is not None or w is not None) and "impl" not in chosen:
        chosen.append("impl")
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b, k)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def impl_form(f, x, b, k):
    """The closure parameter called, `w.as_ref()` read, and helpers with
    `impl Trait` parameters given them, closures or a function item."""
    n = x.length
    did = []
    cl, w = f.cl, f.w
    if cl is not None and cl.closure == "f":
        args = [("0.5", "0.5")]
        if f.loop_var:
            args.append(("{} as f64".format(f.loop_var), "float({})".format(f.loop_var)))
        if k is not None:
            args.append(("k as f64", "float(k)"))
        if not f.b_active:
            args.append(("b", "b"))
        a = f.pick(args)
        j = f.pick(range(n))
        f.emit("s += f({}) * x[{}] + f({}) * s;".format(a[0], j, a[0] if a[0] != "b" else "0.25"),
               "s = chk(s + chk(f({}) * x[{}]) + chk(f({}) * s))".format(a[1], j, a[1] if a[1] != "b" else "0.25"))
        did.append("f({}) of impl Fn(f64) -> f64".format(a[0].replace(f.loop_var or "#", "i")))
    if cl is not None and cl.closure == "g":
        i = f.loop_var or "1"
        f.emit("s += g({i}) * x[{i}] * b + g(0);".format(i=i),
               "s = chk(s + chk(chk(g({i}) * x[{i}]) * b) + g(0))".format(i=i))
        did.append("g(i) of impl FnMut(usize) -> f64")
    if w is not None and (not did or f.r() < 0.5):
        ws = f.fresh("ws")
        f.emit("let {} = w.as_ref();".format(ws), "{} = list(w)".format(ws))
        f.emit("s += {ws}[0] * x[1] + {ws}[{ws}.len() - 1] * b;".format(ws=ws),
               "s = chk(s + chk({ws}[0] * x[1]) + chk({ws}[len({ws}) - 1] * b))".format(ws=ws))
        did.append("w.as_ref() of &impl AsRef<[f64]> read")
    gs = f.helpers(("fh", "gh"))
    if gs and (not did or f.r() < 0.7):
        g = f.pick(gs)
        f.called(g)
        if g.sweep3 == "fh":
            # (a closure written in the call is rejected: "closures are
            # supported as local closures called directly, ..")
            src = f.pick([("&f", "f")] * (cl is not None and cl.closure == "f") * 3 + [("s3_half", "s3_half")])
            a = arg_for(f, g.params[1])
            lo = f.rng.randint(0, n - 2)
            f.emit("s += {}(&x[{}..{}], {}, {});".format(g.name, lo, lo + 2, a[0], src[0]),
                   "s = chk(s + {}(x[{}:{}], {}, {}))".format(g.name, lo, lo + 2, a[1], src[1]))
            did.append("a helper given {}".format({"&f": "&f of impl Fn", "s3_half": "a function item"}.get(
                src[0])))
        else:
            data = f.pick([("w", "w")] * (w is not None) * 2 + [("&[0.5, 1.5, 2.0]", "[0.5, 1.5, 2.0]"),
                                                                 ("&vec![0.25, b, 1.5]", "[0.25, b, 1.5]")] *
                          (not f.b_active) + [("&[0.5, 1.5, 2.0]", "[0.5, 1.5, 2.0]")])
            # (`&mut g` is rejected: a `&mut` argument is taken for a buffer)
            src = ("s3_idx", "s3_idx")
            lo = f.rng.randint(0, n - 3)
            f.emit("s += {}(&x[{}..{}], {}, {});".format(g.name, lo, lo + 3, data[0], src[0]),
                   "s = chk(s + {}(x[{}:{}], {}, {}))".format(g.name, lo, lo + 3, data[1], src[1]))
            did.append("a helper given {} and {}".format(
                {"w": "w: &impl AsRef", "&[0.5, 1.5, 2.0]": "an array"}.get(data[0], "a local Vec"),
                "a function item for impl FnMut"))
    if not did:
        return arrlit_form(f, x, b, k)
    for d in did:
        f.tag("impl Trait: " + d)


def arrlit_form(f, x, b, k):
    """A `for` loop over an array literal with a pattern."""
    n = x.length
    i = f.loop_var

    def ix(e):
        return ("({} + {}) % {}".format(e, i, n), "({} + {}) % {}".format(e, i, n)) if i else (e, e)

    ps = [(f.rng.randint(0, n - 1), f.rng.randint(0, n - 1)) for _ in range(2)]
    ws = [(f.rng.randint(0, n - 1), const(f, -1.5, 1.5)) for _ in range(2)]
    how = f.pick(["refpairs", "pairs", "weights", "iter", "tref", "arrpat"])
    u = f.fresh("")  # (the twin's loop variables leak: fresh names)
    if how in ("refpairs", "pairs", "arrpat"):
        lit = {"refpairs": "&[({}, {}), ({}, {})]", "pairs": "[({}usize, {}usize), ({}, {})]",
               "arrpat": "[[{}usize, {}], [{}, {}]].iter()"}[how].format(*[v for p in ps for v in p])
        pat = {"refpairs": "&(p{u}, q{u})", "pairs": "(p{u}, q{u})", "arrpat": "&[p{u}, q{u}]"}[how].format(u=u)
        p, q = ix("p" + u), ix("q" + u)
        f.emit("for {} in {} {{".format(pat, lit), "for p{u}, q{u} in {l}:".format(u=u, l=[list(t) for t in ps]))
        if f.r() < 0.5:
            f.emit("    s += x[{}] * x[{}] * b;".format(p[0], q[0]), "    s = chk(s + chk(chk(x[{}] * x[{}]) * b))"
                   .format(p[1], q[1]))
        else:
            f.emit("    s += x[{}].sin() * x[{}] + s * 0.25;".format(p[0], q[0]),
                   "    s = chk(s + chk(f_sin(x[{}]) * x[{}]) + chk(s * 0.25))".format(p[1], q[1]))
        f.emit("}")
        what = {"refpairs": "for &(p, q) in &[(0, 1), ..]", "pairs": "for (p, q) in [(0usize, 1usize), ..]",
                "arrpat": "for &[p, q] in [[0usize, 1], ..].iter()"}[how]
    else:
        lit = {"weights": "[({}, {}), ({}, {})]", "iter": "[({}usize, {}), ({}, {})].iter()",
               "tref": "&[({}usize, {}), ({}, {})]"}[how].format(ws[0][0], ws[0][1][0], ws[1][0], ws[1][1][0])
        pylit = "[({}, {}), ({}, {})]".format(ws[0][0], ws[0][1][1], ws[1][0], ws[1][1][1])
        if how == "weights":
            j = ix("j" + u)
            f.emit("for (j{u}, w{u}) in {l} {{".format(u=u, l=lit), "for j{u}, w{u} in {l}:".format(u=u, l=pylit))
            f.emit("    s += w{u} * x[{j}] * b;".format(u=u, j=j[0]),
                   "    s = chk(s + chk(chk(w{u} * x[{j}]) * b))".format(u=u, j=j[1]))
            what = "for (j, w) in [(0, 0.5), ..]"
        elif how == "iter":
            j = ix("*j" + u)
            f.emit("for (j{u}, w{u}) in {l} {{".format(u=u, l=lit), "for j{u}, w{u} in {l}:".format(u=u, l=pylit))
            f.emit("    s += w{u} * x[{j}] * x[{j}];".format(u=u, j=j[0]),
                   "    s = chk(s + chk(chk(w{u} * x[{j}]) * x[{j}]))".format(u=u, j=j[1].replace("*", "")))
            what = "for (j, w) in [(0usize, 0.5), ..].iter() with x[*j]"
        else:
            j = ix("t{}.0".format(u))
            f.emit("for t{u} in {l} {{".format(u=u, l=lit), "for t{u} in {l}:".format(u=u, l=pylit))
            f.emit("    s += t{u}.1 * (x[{j}] * b).sin();".format(u=u, j=j[0]),
                   "    s = chk(s + chk(t{u}[1] * f_sin(chk(x[{j}] * b))))".format(
                       u=u, j=j[1].replace("t{}.0".format(u), "t{}[0]".format(u))))
            what = "for t in &[(0usize, 0.5), ..] with t.0, t.1"
        f.emit("}")
    f.tag("array literal loop: " + what)


def rows_helper(f):
    """`fn NAME_rows(x: &[f64], out: &mut [[f64; 2]])`, written with the
    caller: rows assigned whole through `iter_mut` and by index."""
    name = f.name + "_rows"
    c = const(f)
    rs = ["#[differentiate]", "fn {}(x: &[f64], out: &mut [[f64; 2]]) {{".format(name),
          "    for r in out.iter_mut() {",
          "        *r = [r[1] * x[0], r[0] * r[1] + {}];".format(c[0]),
          "    }",
          "    for i in 0..out.len() {",
          "        out[i] = [x[i] * out[i][0] + out[i][1], 2.0 * x[i].sin() - out[i][0]];",
          "    }",
          "}"]
    ps = ["def {}(x, out):".format(name),
          "    for r in out:",
          "        r[0], r[1] = chk(r[1] * x[0]), chk(chk(r[0] * r[1]) + {})".format(c[1]),
          "    for i in range(0, len(out)):",
          "        out[i] = [chk(chk(x[i] * out[i][0]) + out[i][1]), chk(chk(2.0 * f_sin(x[i])) - out[i][0])]"]
    f.inline.append(("\n".join(rs) + "\n", "\n".join(ps) + "\n"))
    return name


def rows_form(f, x, b, k):
    """A local 2-D array's rows written whole from literals, by index and
    through `iter_mut`, or lent to the inline helper."""
    m = f.fresh("m")
    c1, c2 = const(f), const(f)
    shape = f.pick(["arr", "vec"])
    if shape == "arr":
        f.emit("let mut {} = [[{}; 2]; 3];".format(m, c1[0]), "{} = [[{c}, {c}] for _ in range(3)]".format(m, c=c1[1]))
    else:
        f.emit("let mut {} = vec![[{}; 2]; 3];".format(m, c1[0]), "{} = [[{c}, {c}] for _ in range(3)]".format(m, c=c1[1]))
    how = f.pick(["index", "itermut", "reset", "fill", "helper"])
    j = f.fresh("j")
    if how == "index":
        f.emit("for {j} in 0..3 {{".format(j=j), "for {j} in range(0, 3):".format(j=j))
        f.emit("    {m}[{j}] = [x[{j}] * b, x[{j} + 1].sin() + {m}[{j}][1]];".format(m=m, j=j),
               "    {m}[{j}] = [chk(x[{j}] * b), chk(f_sin(x[{j} + 1]) + {m}[{j}][1])]".format(m=m, j=j))
        f.emit("}")
        what = "m[i] = [a, b] in a loop"
    elif how == "itermut":
        r = f.fresh("r")
        f.emit("{m}[1] = [x[1], b];".format(m=m), "{m}[1] = [x[1], b]".format(m=m))
        f.emit("for {r} in {m}.iter_mut() {{".format(r=r, m=m), "for {r} in {m}:".format(r=r, m=m))
        f.emit("    *{r} = [{r}[1] * x[0], {r}[0] * {r}[1] + {c}];".format(r=r, c=c2[0]),
               "    {r}[0], {r}[1] = chk({r}[1] * x[0]), chk(chk({r}[0] * {r}[1]) + {c})".format(r=r, c=c2[1]))
        f.emit("}")
        what = "*r = [r[1] * a, r[0] * r[1]] over m.iter_mut()"
    elif how == "reset":
        r = f.fresh("r")
        f.emit("{m}[0] = [x[0] * b, x[2]];".format(m=m), "{m}[0] = [chk(x[0] * b), x[2]]".format(m=m))
        f.emit("for ({j}, {r}) in {m}.iter_mut().enumerate() {{".format(j=j, r=r, m=m),
               "for {j}, {r} in enumerate({m}):".format(j=j, r=r, m=m))
        f.emit("    s += {r}[0] * {r}[1];".format(r=r), "    s = chk(s + chk({r}[0] * {r}[1]))".format(r=r))
        f.emit("    *{r} = [0.0; 2];".format(r=r), "    {r}[0], {r}[1] = 0.0, 0.0".format(r=r))
        f.emit("    {r}[{j} % 2] += x[{j}] * b;".format(r=r, j=j),
               "    {r}[{j} % 2] = chk({r}[{j} % 2] + chk(x[{j}] * b))".format(r=r, j=j))
        f.emit("}")
        what = "*r = [0.0; 2] over m.iter_mut()"
    elif how == "fill":
        f.emit("{m}[0] = [x[1] * b, x[0]];".format(m=m), "{m}[0] = [chk(x[1] * b), x[0]]".format(m=m))
        f.emit("{m}[1] = [{m}[0][0].cos() * x[2]; 2];".format(m=m), "{m}[1] = [chk(f_cos({m}[0][0]) * x[2])] * 2"
               .format(m=m))
        f.emit("{m}[2] = [{m}[1][0] * x[3], {m}[2][0] + {m}[0][1]];".format(m=m),
               "{m}[2] = [chk({m}[1][0] * x[3]), chk({m}[2][0] + {m}[0][1])]".format(m=m))
        what = "m[1] = [c; 2] and m[2] = [a, b] reading the array"
    else:
        h = rows_helper(f)
        f.emit("{m}[2] = [b, x[3] * b];".format(m=m), "{m}[2] = [b, chk(x[3] * b)]".format(m=m))
        f.emit("{}(&x[..3], &mut {});".format(h, m), "{}(x[:3], {})".format(h, m))
        what = "lent to a helper writing rows whole (out[i] = [..], *r = [..])"
    f.emit("s += {m}[0][0] * {m}[2][1] + {m}[1][0] * {m}[1][1] + {m}[2][0];".format(m=m),
           "s = chk(s + chk({m}[0][0] * {m}[2][1]) + chk({m}[1][0] * {m}[1][1]) + {m}[2][0])".format(m=m))
    f.tag("2-D rows written whole ({}): {}".format("[[f64; 2]; 3]" if shape == "arr" else "Vec<[f64; 2]>", what))


def tuple_form(f, x, b, k):
    """Tuple locals with an integer or a `Vec` member."""
    n = x.length
    j = f.fresh("j")
    how = f.pick(["argmax", "count", "vec"])
    if how == "argmax":
        best = f.fresh("best")
        f.emit("let mut {} = (x[0] * b, 0usize);".format(best), "{} = [chk(x[0] * b), 0]".format(best))
        f.emit("for {j} in 1..{n} {{".format(j=j, n=n), "for {j} in range(1, {n}):".format(j=j, n=n))
        f.emit("    if x[{j}] * b > {bs}.0 {{".format(j=j, bs=best), "    if gt(chk(x[{j}] * b), {bs}[0]):".format(
            j=j, bs=best))
        f.emit("        {bs} = (x[{j}] * b, {j});".format(bs=best, j=j), "        {bs} = [chk(x[{j}] * b), {j}]".format(
            bs=best, j=j))
        f.emit("    }")
        f.emit("}")
        f.emit("s += {bs}.0 * x[({bs}.1 + 1) % {n}] + {bs}.1 as f64 * b;".format(bs=best, n=n),
               "s = chk(s + chk({bs}[0] * x[({bs}[1] + 1) % {n}]) + chk({bs}[1] * b))".format(bs=best, n=n))
        what = "an argmax (f64, usize) reassigned whole, .1 as an index"
    elif how == "count":
        acc = f.fresh("acc")
        f.emit("let mut {} = (0.0, 0usize);".format(acc), "{} = [0.0, 0]".format(acc))
        f.emit("for {j} in 0..{n} {{".format(j=j, n=n), "for {j} in range(0, {n}):".format(j=j, n=n))
        f.emit("    {a}.0 += x[{j}] * b;".format(a=acc, j=j), "    {a}[0] = chk({a}[0] + chk(x[{j}] * b))".format(a=acc, j=j))
        f.emit("    {a}.1 += {j} % 2;".format(a=acc, j=j), "    {a}[1] = {a}[1] + {j} % 2".format(a=acc, j=j))
        f.emit("}")
        f.emit("s += {a}.0 * {a}.1 as f64 + x[{a}.1];".format(a=acc),
               "s = chk(s + chk({a}[0] * {a}[1]) + x[{a}[1]])".format(a=acc))
        what = "(f64, usize) with acc.0 += .. and acc.1 += .."
    else:
        acc, t, v = f.fresh("acc"), f.fresh("t"), f.fresh("v")
        f.emit("let mut {} = (b, vec![0.0; 3]);".format(acc), "{} = [b, [0.0] * 3]".format(acc))
        f.emit("for {j} in 0..3 {{".format(j=j), "for {j} in range(0, 3):".format(j=j))
        f.emit("    {a}.1[{j}] = x[{j}] * {a}.0;".format(a=acc, j=j), "    {a}[1][{j}] = chk(x[{j}] * {a}[0])".format(
            a=acc, j=j))
        f.emit("    {a}.0 += x[{j} + 1].sin();".format(a=acc, j=j), "    {a}[0] = chk({a}[0] + f_sin(x[{j} + 1]))".format(
            a=acc, j=j))
        f.emit("}")
        f.emit("let ({}, {}) = {};".format(t, v, acc), "{}, {} = {}".format(t, v, acc))
        gs = f.helpers(("sq",))
        if gs and f.r() < 0.6:
            g = f.pick(gs)
            f.called(g)
            f.emit("s += {t} * {v}[1] + {g}(&{v});".format(t=t, v=v, g=g.name),
                   "s = chk(s + chk({t} * {v}[1]) + {g}({v}))".format(t=t, v=v, g=g.name))
            what = "(f64, Vec<f64>) destructured, the Vec passed to a helper"
        else:
            f.emit("s += {t} * {v}[1] + {v}[2] * {v}[0];".format(t=t, v=v),
                   "s = chk(s + chk({t} * {v}[1]) + chk({v}[2] * {v}[0]))".format(t=t, v=v))
            what = "(f64, Vec<f64>) written by member, destructured"
    f.tag("tuple local: " + what)


FORMS = {"impl": impl_form, "arrlit": arrlit_form, "rows": rows_form, "tuple": tuple_form}

HELPERS = {"sq": sq_helper, "fh": fh_helper, "gh": gh_helper}


def sweep3_fn(rng, name, callees):
    """One function of the batch: a helper (more often where the batch has
    few yet), else a caller."""
    f = Fn(rng, name, callees)
    if len(f.callees) < 4 or rng.random() < 0.15:
        return HELPERS[rng.choice(sorted(HELPERS))](f)
    return caller(f)
