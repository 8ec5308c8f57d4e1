"""The `compose` family's sixth batch (`compose.py` writes it; drawn as
COMPOSE_BUFS_P of the functions): the forms that two changes made work,
each a template with its own helpers, drawn straight-line, in loops and in
branches, with parameters left out of `wrt` and mutated:

- in/out buffers of fixed arrays and nalgebra values: helpers `fn h(a:
  f64, x: &DVector<f64>, y: &mut DVector<f64>)` (`y[i] = ..`, `*y += x *
  a`, `*y = ..` of `y` and `x`, `y.copy_from(x)`, `y.fill(0.0)`, with or
  without an f64 result), `fn h(a: f64, m: &mut DMatrix<f64>)` (`m[(i, j)]
  += a * m[(k, l)]`), `fn h(a: f64, m: &mut SVector<f64, 3>, n: &mut
  Vector3<f64>)` (`*m *= a; n[i] = m[j] * n[k];`), `fn h(a: f64, y: &mut
  [f64; 3])` (partly written, `*y = [..]`, `y.fill(e)` then
  `y[..2].copy_from_slice(&x[1..3])`); helpers passing their own buffer on
  (`fn outer(a: f64, y: &mut DVector<f64>) { h(a, &x, y); y[1] += ..; }`,
  the same with `&mut [f64; 3]`); scalar callers lending local buffers,
  once or in loops. The buffer functions are tested by their `_jvp` and
  `_vjp` (the harness builds the buffers, `case_entry`), their callers in
  every mode;
- leftovers made to work: `for row in a` over a `Vec<Vec<f64>>` taken by
  value (`let r = row;`, `a.into_iter()` into a helper's `Vec<f64>`, `for
  mut row in` a local `Vec<Vec<f64>>`); slices chosen among data left out
  of `wrt` (`let mut d = d1; if c { d = d2; }`, `if c { d2 } else { d1 }`
  as an argument, `c: bool`); a slice binding reassigned in straight-line
  code; `match w.first()` (`w.get(i)` with `Some(&b)`, `v.last()` with `_
  =>`); `while let Some(a) = w.get(j)` (labelled, left by `break 'l`);
  `DVector::from_column_slice(data)` of data left out of `wrt` passed by
  value (cloned, then moved) to helpers.

These functions are called only by each other (`spec.bufs` names the
kind). The harness passes a `bool` parameter as `k % 2 == 1` and a
`Vec<Vec<f64>>` one by value (`case_entry`)."""

import re

import compose_audit as audit
import generate as G
from compose_audit import OwnedVec, rlit


# ----- parameters of the batch's own types ---------------------------------------

class Buf(G.WParam):
    """An in/out buffer (kind 'b') of form "arr" (`&mut [f64; N]`), "dv"
    (`&mut DVector<f64>`), "dm" (`&mut DMatrix<f64>`, column-major in the
    flat vectors and in the twin's list), "sv" (`&mut SVector<f64, N>`) or
    "v3" (`&mut Vector3<f64>`). The twin gets a flat list."""

    def __init__(self, name, n, form, rows=0, cols=1):
        G.WParam.__init__(self, name, "b", n)
        self.form = form
        self.rows, self.cols = rows or n, cols

    def ty(self):
        return {"arr": "&mut [f64; {n}]", "dv": "&mut DVector<f64>", "dm": "&mut DMatrix<f64>",
                "sv": "&mut SVector<f64, {n}>", "v3": "&mut Vector3<f64>"}[self.form].format(n=self.length)

    def ctor(self, src):
        """The harness's value of the buffer from the flat range `src`."""
        return {"arr": "arr::<{n}>(&{s})", "dv": "DVector::from_column_slice(&{s})",
                "dm": "DMatrix::from_column_slice({r}, {c}, &{s})",
                "sv": "SVector::<f64, {n}>::from_column_slice(&{s})",
                "v3": "SVector::<f64, {n}>::from_column_slice(&{s})"}[self.form].format(
            n=self.length, r=self.rows, c=self.cols, s=src)


class DVec(G.WParam):
    """`x: &DVector<f64>` (the harness's kind 'V')."""

    def __init__(self, name, n):
        G.WParam.__init__(self, name, "V", n)
        self.rows, self.cols = n, 1

    def ty(self):
        return "&DVector<f64>"


class RowsByValue(G.WParam):
    """`a: Vec<Vec<f64>>` by value (kind 'm': the twin a list of rows)."""

    by_value = True

    def __init__(self, name, r, c):
        G.WParam.__init__(self, name, "m", r * c)
        self.rows, self.cols = r, c

    def ty(self):
        return "Vec<Vec<f64>>"


class Flag(G.WParam):
    """`c: bool`, the harness's `k % 2 == 1` (the twin gets k)."""

    flag = True

    def __init__(self, name):
        G.WParam.__init__(self, name, "k")

    def ty(self):
        return "bool"


class Fn(audit.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        audit.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "bufs", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.bufs in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, audit="caller"):
        spec = audit_spec(self, tail, out, out_len, ret, tup)
        spec.bufs, spec.audit = audit, None
        return spec


def audit_spec(f, tail, out, out_len, ret, tup):
    return audit.Fn.spec(f, tail, out=out, out_len=out_len, ret=ret, tup=tup)


def scalar_param(f, name, active, mut=False):
    return f.param(G.WParam(name, "f"), active, mut)


# ----- buffer helpers -----------------------------------------------------------

def dv_helper(f):
    """`fn h(a: f64, x: &DVector<f64>, y: &mut DVector<f64>) [-> f64]`."""
    n = f.rng.randint(2, 3)
    a = scalar_param(f, "a", f.r() < 0.75)
    x = f.param(DVec("x", n), not a.active or f.r() < 0.7)
    f.param(Buf("y", n, "dv"), False)
    form = f.pick(["elem", "elem", "axpy", "assign", "assign_mul", "copy", "fill"])
    if form == "elem":
        idx = f.rng.sample(range(n), f.rng.randint(1, n))
        for at, i in enumerate(idx):
            j, k = f.rng.randint(0, n - 1), f.rng.randint(0, n - 1)
            if at == 0:
                e = ("a * x[{}] * y[{}]".format(j, k), "chk(chk(a * x[{}]) * y[{}])".format(j, k))
            else:
                c = f.c()
                e = f.pick([("(x[{}] + a).sin()".format(j), "f_sin(chk(x[{}] + a))".format(j)),
                            ("x[{}] * y[{}].cos() + {}".format(j, k, rlit(c)),
                             "chk(x[{}] * f_cos(y[{}]) + {})".format(j, k, c))])
            f.emit("y[{}] = {};".format(i, e[0]), "y[{}] = {}".format(i, e[1]))
        f.tags.append("DVector buffer helper: y[i] = .. ({} of {} written)".format(len(idx), n))
    elif form == "axpy":
        f.emit("*y += x * a;", "for i in range(0, len(y)):")
        f.py.append("        y[i] = chk(y[i] + chk(x[i] * a))")
        f.tags.append("DVector buffer helper: *y += x * a")
    elif form == "assign":
        f.emit("let s = y[0];", "s = y[0]")
        f.emit("*y = x * (a * s);", "t = chk(a * s)")
        f.py.append("    for i in range(0, len(y)):")
        f.py.append("        y[i] = chk(x[i] * t)")
        f.tags.append("DVector buffer helper: *y = x * (a * y[0])")
    elif form == "assign_mul":
        f.emit("*y = y.component_mul(x) * a;", "for i in range(0, len(y)):")
        f.py.append("        y[i] = chk(chk(y[i] * x[i]) * a)")
        f.tags.append("DVector buffer helper: *y = y.component_mul(x) * a")
    elif form == "copy":
        f.emit("let s = y.norm_squared();", "s = chk(sum([chk(v * v) for v in y], 0.0))")
        f.emit("y.copy_from(x);", "y[:] = [x[i] for i in range(0, len(y))]")
        f.emit("y[{}] *= a;".format(n - 1), "y[{}] = chk(y[{}] * a)".format(n - 1, n - 1))
        f.emit("y[0] += s * {};".format(rlit(0.5)), "y[0] = chk(y[0] + s * 0.5)")
        f.tags.append("DVector buffer helper: y.copy_from(x), then written")
    else:
        f.emit("let s = y[1];", "s = y[1]")
        f.emit("y.fill(0.0);", "y[:] = [0.0] * len(y)")
        f.emit("y[0] = a * s * s + x[{}];".format(n - 1), "y[0] = chk(chk(chk(a * s) * s) + x[{}])".format(n - 1))
        f.tags.append("DVector buffer helper: y.fill(0.0), then one element written")
    f.tags.append("DVector buffer helper, a {}, x {}".format("in wrt" if a.active else "left out of wrt",
                                                           "in wrt" if x.active else "left out of wrt"))
    if f.r() < 0.4:
        c = f.c()
        f.tags.append("buffer helper with an f64 result")
        spec = f.spec(("y[0] * a + {} * x[{}]".format(rlit(c), n - 1), "chk(chk(y[0] * a) + chk({} * x[{}]))".format(
            c, n - 1)), audit="dv")
    else:
        spec = f.spec(None, out="u", ret=None, audit="dv")
    spec.n = n
    return spec


def dm_helper(f):
    """`fn h(a: f64, m: &mut DMatrix<f64>)`: elements written from others."""
    r, c = f.pick([(2, 2), (2, 3), (3, 2)])
    a = scalar_param(f, "a", f.r() < 0.8)
    f.param(Buf("m", r * c, "dm", r, c), False)

    def at(i, j):
        return j * r + i

    for _ in range(f.rng.randint(1, 3)):
        i, j, k, l = f.rng.randint(0, r - 1), f.rng.randint(0, c - 1), f.rng.randint(0, r - 1), f.rng.randint(0, c - 1)
        form = f.pick(["add", "add", "set", "col"])
        if form == "add":
            f.emit("m[({}, {})] += a * m[({}, {})];".format(i, j, k, l),
                   "m[{}] = chk(m[{}] + chk(a * m[{}]))".format(at(i, j), at(i, j), at(k, l)))
        elif form == "set":
            f.emit("m[({}, {})] = (m[({}, {})] * a).sin();".format(i, j, k, l),
                   "m[{}] = f_sin(chk(m[{}] * a))".format(at(i, j), at(k, l)))
        else:
            f.emit("for j in 0..{} {{".format(c), "for j in range(0, {}):".format(c))
            f.emit("    m[({}, j)] *= a;".format(i), "    m[j * {} + {}] = chk(m[j * {} + {}] * a)".format(r, i, r, i))
            f.emit("}")
    f.tags.append("DMatrix buffer helper m[(i, j)] += a * m[(k, l)], a {}".format(
        "in wrt" if a.active else "left out of wrt"))
    spec = f.spec(None, out="u", ret=None, audit="dm")
    spec.shape = (r, c)
    return spec


def sv_helper(f):
    """`fn h(a: f64, m: &mut SVector<f64, 3>, n: &mut Vector3<f64>)`."""
    a = scalar_param(f, "a", f.r() < 0.8)
    f.param(Buf("m", 3, "sv"), False)
    f.param(Buf("n", 3, "v3"), False)
    f.emit("*m *= a;", "for i in range(0, 3):")
    f.py.append("        m[i] = chk(m[i] * a)")
    i, j, k = f.rng.randint(0, 2), f.rng.randint(0, 2), f.rng.randint(0, 2)
    f.emit("n[{}] = m[{}] * n[{}];".format(i, j, k), "n[{}] = chk(m[{}] * n[{}])".format(i, j, k))
    if f.r() < 0.5:
        i, j = f.rng.randint(0, 2), f.rng.randint(0, 2)
        f.emit("m[{}] += n[{}] * a;".format(i, j), "m[{}] = chk(m[{}] + chk(n[{}] * a))".format(i, i, j))
    f.tags.append("SVector<f64, 3> and Vector3<f64> buffer helper, a {}".format(
        "in wrt" if a.active else "left out of wrt"))
    return f.spec(None, out="u", ret=None, audit="sv")


def arr_helper(f):
    """`fn h(a: f64, y: &mut [f64; 3])` (and `x: &[f64]` at times): partly
    written, `*y = [..]`, `y.fill(e); y[..2].copy_from_slice(&x[1..3]);`."""
    a = scalar_param(f, "a", f.r() < 0.8)
    f.param(Buf("y", 3, "arr"), False)
    form = f.pick(["part", "whole", "fill"])
    x = None
    if form == "fill":
        x = f.param(G.WParam("x", "s", 3), not a.active or f.r() < 0.7)
        c = f.c()
        f.emit("let e = a * y[0] + {};".format(rlit(c)), "e = chk(chk(a * y[0]) + {})".format(c))
        f.emit("y.fill(e);", "y[:] = [e] * 3")
        f.emit("y[..2].copy_from_slice(&x[1..3]);", "y[0:2] = list(x[1:3])")
        f.emit("y[2] *= x[0];", "y[2] = chk(y[2] * x[0])")
        f.tags.append("[f64; 3] buffer helper: y.fill(e); y[..2].copy_from_slice(&x[1..3])")
    elif form == "whole":
        c = f.c()
        f.emit("*y = [a * y[1], y[0] + y[2].sin(), y[2] * {}];".format(rlit(c)),
               "y[:] = [chk(a * y[1]), chk(y[0] + f_sin(y[2])), chk(y[2] * {})]".format(c))
        f.tags.append("[f64; 3] buffer helper: *y = [E0, E1, E2]")
    else:
        for i in f.rng.sample(range(3), f.rng.randint(1, 2)):
            j = f.rng.randint(0, 2)
            f.emit("y[{}] = a * y[{}];".format(i, j), "y[{}] = chk(a * y[{}])".format(i, j))
        f.tags.append("[f64; 3] buffer helper: y[i] = a * y[j], partly written")
    f.tags.append("[f64; 3] buffer helper, a {}".format("in wrt" if a.active else "left out of wrt"))
    return f.spec(None, out="u", ret=None, audit="arr")


def outer_helper(f):
    """`fn outer(a: f64, [x: &DVector<f64>,] y: &mut DVector<f64>) { h(a,
    x, y); y[1] += ..; }` (the same with `y: &mut [f64; 3]`): the own
    buffer passed on, once or in a loop."""
    g = f.pick(f.helpers(("dv", "arr")))
    f.called(g)
    gp = {p.name: p for p in g.params}
    dv = g.bufs == "dv"
    a = scalar_param(f, "a", gp["a"].active or f.r() < 0.3)
    x = None
    if "x" in gp and (f.r() < 0.6 or not gp["x"].active):
        x = f.param(DVec("x", g.n) if dv else G.WParam("x", "s", 3), gp["x"].active)
    y = f.param(Buf("y", g.n if dv else 3, "dv" if dv else "arr"), False)
    n = y.length
    if "x" in gp and x is None:
        c = f.c()
        if dv:
            f.emit("let xv = DVector::from_element({}, {});".format(n, rlit(c)), "xv = [{}] * {}".format(c, n))
        else:
            f.emit("let xv = [{}, 0.5, -0.25];".format(rlit(c)), "xv = [{}, 0.5, -0.25]".format(c))
    c = f.c()
    # (a helper's parameter left out of its `wrt` gets a constant when the
    # caller's own is active)
    aarg = ("a", "a") if a.active == gp["a"].active else (rlit(c), repr(c))
    # (in the helper's parameter order)
    args = [{"a": aarg, "x": ("x", "x") if x is not None else ("&xv", "xv"), "y": ("y", "y")}[p.name]
            for p in g.params]
    call_rs = "{}({})".format(g.name, ", ".join(p[0] for p in args))
    call_py = "{}({})".format(g.name, ", ".join(p[1] for p in args))
    loop = f.r() < 0.4
    has_r = g.out == "f"
    if loop:
        f.emit("for _ in 0..2 {", "for _ in range(0, 2):")
        f.ind += 1
    if has_r:
        f.emit("let r = {};".format(call_rs), "r = {}".format(call_py))
        if loop:
            f.emit("y[0] += r * 0.25;", "y[0] = chk(y[0] + chk(r * 0.25))")
    else:
        f.emit(call_rs + ";", call_py)
    j = f.rng.randint(0, n - 1)
    c = f.c()
    f.emit("y[1] += {} * y[{}].sin();".format(rlit(c), j), "y[1] = chk(y[1] + chk({} * f_sin(y[{}])))".format(c, j))
    if loop:
        f.ind -= 1
        f.emit("}")
    if a.active and (not gp["a"].active or f.r() < 0.5):
        f.emit("y[0] *= a;", "y[0] = chk(y[0] * a)")
    f.tags.append("own {} buffer passed on to a helper{}".format("&mut DVector<f64>" if dv else "&mut [f64; 3]",
                                                                 ", in a loop" if loop else ""))
    if has_r and not loop:
        spec = f.spec(("r + y[0]", "chk(r + y[0])"), audit="outer")
    else:
        spec = f.spec(None, out="u", ret=None, audit="outer")
    spec.n = n
    spec.inner = g
    return spec


# ----- scalar callers of the buffer helpers ------------------------------------------

def local_buffer(f, g, x):
    """Declares a local buffer for the helper `g`'s buffer parameters:
    [(name, length)] (the active slice parameter `x` read into them)."""
    out = []
    for p in g.params:
        if p.kind != "b":
            continue
        d = f.fresh("d")
        c = f.c()
        if p.form == "dv":
            form = f.pick(["slice", "elem"] if x.length >= p.length else ["elem"])
            if form == "slice":
                f.emit("let mut {} = DVector::from_column_slice(&x[0..{}]);".format(d, p.length),
                       "{} = list(x[:{}])".format(d, p.length))
            else:
                f.emit("let mut {} = DVector::from_element({}, {});".format(d, p.length, rlit(c)),
                       "{} = [{}] * {}".format(d, c, p.length))
                f.emit("{}[0] = x[0] * {};".format(d, rlit(c)), "{}[0] = chk(x[0] * {})".format(d, c))
        elif p.form == "dm":
            f.emit("let mut {} = DMatrix::from_element({}, {}, {});".format(d, p.rows, p.cols, rlit(c)),
                   "{} = [{}] * {}".format(d, c, p.length))
            f.emit("{}[(0, 0)] = x[0].sin();".format(d), "{}[0] = f_sin(x[0])".format(d))
        elif p.form in ("sv", "v3"):
            if p.form == "sv" and x.length >= 3:
                f.emit("let mut {} = SVector::<f64, 3>::from_column_slice(&x[0..3]);".format(d),
                       "{} = list(x[:3])".format(d))
            else:
                f.emit("let mut {} = Vector3::new(x[0], {}, x[{}] * {});".format(d, rlit(c), x.length - 1, rlit(c)),
                       "{} = [x[0], {}, chk(x[{}] * {})]".format(d, c, x.length - 1, c))
        else:
            f.emit("let mut {} = [x[0], {}, x[{}]];".format(d, rlit(c), x.length - 1),
                   "{} = [x[0], {}, x[{}]]".format(d, c, x.length - 1))
        out.append((d, p))
    return out


def buf_caller(f):
    """A scalar function lending local buffers to buffer helpers, once, in
    loops or in branches, the buffers read after; a parameter left out of
    `wrt` (`mut` and written at times) passed to the helpers' own."""
    x = f.param(G.WParam("x", "s", f.rng.randint(2, 4)), True)
    b = scalar_param(f, "b", f.r() < 0.6, mut=f.r() < 0.3)
    q = f.param(G.WParam("q", "s", 3), False) if f.r() < 0.5 else None
    c0 = f.c()
    f.emit("let mut s = x[0] * {};".format(rlit(c0)), "s = chk(x[0] * {})".format(c0))
    if b.mut:
        c = f.c()
        if b.active:
            f.emit("b = b * {} + x[0];".format(rlit(c)), "b = chk(chk(b * {}) + x[0])".format(c))
        else:
            f.emit("b = b * {} + 0.1;".format(rlit(c)), "b = chk(chk(b * {}) + 0.1)".format(c))
        f.tags.append("buffer caller: a mut f64 parameter {} written".format("in wrt" if b.active else "left out of wrt"))
    live = []
    for _ in range(f.rng.randint(1, 2)):
        g = f.pick(f.callees)
        f.called(g)
        bufs = local_buffer(f, g, x)
        f.open("s")
        args = []
        slot = 0
        for p in g.params:
            if p.kind == "b":
                args.append(("&mut " + bufs[slot][0], bufs[slot][0]))
                slot += 1
            elif p.kind == "f":
                if p.active:
                    c = f.c()
                    args.append(f.pick([("b", "b"), ("s", "s"), ("x[0] * {}".format(rlit(c)), "chk(x[0] * {})".format(c))]))
                elif not b.active:
                    args.append(("b", "b"))
                else:
                    c = f.c()
                    args.append((rlit(c), repr(c)))
            elif p.kind == "V":
                v = f.fresh("v")
                if p.active and x.length >= p.length:
                    f.emit("let {} = DVector::from_column_slice(&x[0..{}]);".format(v, p.length),
                           "{} = list(x[:{}])".format(v, p.length))
                elif q is not None and p.length <= 3:
                    f.emit("let {} = DVector::from_column_slice(&q[0..{}]);".format(v, p.length),
                           "{} = list(q[:{}])".format(v, p.length))
                else:
                    c = f.c()
                    f.emit("let {} = DVector::from_element({}, {});".format(v, p.length, rlit(c)),
                           "{} = [{}] * {}".format(v, c, p.length))
                args.append(("&" + v, v))
            else:  # a slice of 3
                if p.active and x.length >= 3:
                    args.append(("&x[..3]", "x[:3]") if x.length > 3 else ("x", "x"))
                elif q is not None:
                    args.append(("q", "q"))
                else:
                    args.append(("&[0.25, -0.5, 0.75]", "[0.25, -0.5, 0.75]"))
        rs = "{}({})".format(g.name, ", ".join(a[0] for a in args))
        py = "{}({})".format(g.name, ", ".join(a[1] for a in args))
        c = f.c()
        if g.out == "f":
            f.emit("s += {} * {};".format(rlit(c), rs), "s = chk(s + chk({} * {}))".format(c, py))
        else:
            f.emit(rs + ";", py)
        d, p = bufs[0]
        j = f.rng.randint(0, p.length - 1)
        ix = "({}, {})".format(j % p.rows, j // p.rows) if p.form == "dm" else str(j)
        f.emit("s = s * {} + {}[{}].sin();".format(rlit(c), d, ix), "s = chk(chk(s * {}) + f_sin({}[{}]))".format(c, d, j))
        f.tag("buffer caller: local {} lent to {}".format(p.ty().replace("&mut ", ""), g.bufs + " helper"))
        f.close("s")
        live.append("{}[{}]".format(d, "(0, 0)" if p.form == "dm" else 0))
    tail = "({}) * b".format(" + ".join(["s"] + live))
    py = tail.replace("(0, 0)", "0")
    return f.spec((tail, "chk({})".format(py)))


# ----- leftovers ---------------------------------------------------------------------

def dot_helper(f):
    """`fn dot(a: &[f64], b: &[f64]) -> f64` over the shorter."""
    f.param(G.WParam("a", "s", 3), True)
    f.param(G.WParam("b", "s", 3), True)
    f.emit("a.iter().zip(b).map(|(u, v)| u * v).sum()", "return chk(sum([chk(u * v) for u, v in zip(a, b)], -0.0))")
    f.tags.append("helper dot(a, b) by zip")
    return f.spec(None, audit="dot")


def sum_sq_helper(f):
    """`fn sum_sq(v: Vec<f64>) -> f64`."""
    f.param(G.WParam("v", "v", 3), True)
    c = f.c()
    f.emit("let mut s = 0.0;", "s = 0.0")
    f.emit("for e in v.iter() {", "for e in v:")
    f.emit("    s += e * e * {};".format(rlit(c)), "    s = chk(s + chk(chk(e * e) * {}))".format(c))
    f.emit("}")
    f.tags.append("helper sum_sq(v: Vec<f64>)")
    return f.spec(("s", "s"), audit="sumsq")


def weighted_helper(f):
    """`fn weighted(d: DVector<f64>, w: &DVector<f64>) -> f64` (`d` by value
    left out of `wrt`), or `weighted2(d, e, w)`."""
    n = f.rng.randint(2, 3)
    two = f.r() < 0.5
    f.param(OwnedVec("d", n), False)
    if two:
        f.param(OwnedVec("e", n), False)
    f.param(DVec("w", n), True)
    c = f.c()
    if two:
        f.emit("d.dot(w) * e[0] + (w[0] * e[1]).sin()", "return chk(chk(d.dot(w) * e[0]) + f_sin(chk(w[0] * e[1])))")
    else:
        f.emit("d.dot(w) + w[{}] * {}".format(n - 1, rlit(c)), "return chk(d.dot(w) + chk(w[{}] * {}))".format(n - 1, c))
    f.tags.append("helper with DVector<f64> data by value left out of wrt ({})".format("two" if two else "one"))
    spec = f.spec(None, audit="weighted2" if two else "weighted")
    spec.n = n
    return spec


def rows_fn(f):
    """`for row in a { let r = row; s += dot(&r, x) * r[0]; }` over `a:
    Vec<Vec<f64>>` by value, `for row in a.into_iter() { s += sum_sq(row)
    * x[0]; }`, and `for mut row in` a local `Vec<Vec<f64>>`."""
    dots, sqs = f.helpers(("dot",)), f.helpers(("sumsq",))
    rows = f.rng.randint(2, 3)
    a = f.param(RowsByValue("a", rows, 3), f.r() < 0.7) if f.r() < 0.8 or not sqs else None
    x = f.param(G.WParam("x", "s", 3), True)
    b = scalar_param(f, "b", f.r() < 0.5, mut=f.r() < 0.3)
    f.emit("let mut s = 0.0;", "s = 0.0")
    if b.mut:
        f.emit("b = b * 0.5 + 0.25;", "b = chk(chk(b * 0.5) + 0.25)")
    kinds = []
    if a is not None:
        kinds.append(f.pick(["row"] * bool(dots) + ["into_iter"] * bool(sqs) or ["plain"]))
    if sqs and (a is None or f.r() < 0.5):
        kinds.append("local")
    if not kinds:
        kinds.append("plain")
    for kind in kinds:
        f.open("s", ("straight", "branch") if kind != "local" else ("straight", "loop", "branch"))
        c = f.c()
        if kind == "row":
            g = f.pick(dots)
            f.called(g)
            f.emit("for row in a {", "for row in a:")
            f.emit("    let r = row;", "    r = row")
            f.emit("    s += {}(&r, x) * r[0];".format(g.name), "    s = chk(s + chk({}(r, x) * r[0]))".format(g.name))
            f.emit("}")
            f.tag("for row in a over a Vec<Vec<f64>> by value {}, let r = row; dot(&r, x)".format(
                "in wrt" if a.active else "left out of wrt"))
        elif kind == "into_iter":
            g = f.pick(sqs)
            f.called(g)
            f.emit("for row in a.into_iter() {", "for row in a:")
            f.emit("    s += {}(row) * x[0];".format(g.name), "    s = chk(s + chk({}(list(row)) * x[0]))".format(g.name))
            f.emit("}")
            f.tag("for row in a.into_iter() of a Vec<Vec<f64>> by value {}, row moved to sum_sq".format(
                "in wrt" if a.active else "left out of wrt"))
        elif kind == "plain":
            f.emit("for row in a {", "for row in a:")
            f.emit("    s += row[1] * x[2] + row[0] * {};".format(rlit(c)),
                   "    s = chk(s + chk(row[1] * x[2]) + chk(row[0] * {}))".format(c))
            f.emit("}")
            f.tag("for row in a over a Vec<Vec<f64>> by value")
        else:
            g = f.pick(sqs)
            f.called(g)
            m = f.fresh("m")
            f.emit("let sq: Vec<f64> = x.iter().map(|v| v * v).collect();", "sq = [chk(v * v) for v in x]")
            f.emit("let {}: Vec<Vec<f64>> = vec![x.to_vec(), sq];".format(m), "{} = [list(x), sq]".format(m))
            f.emit("for mut row in {} {{".format(m), "for row in {}:".format(m))
            f.emit("    row[0] *= x[1];", "    row[0] = chk(row[0] * x[1])")
            f.emit("    s += {}(row) * x[2];".format(g.name), "    s = chk(s + chk({}(row) * x[2]))".format(g.name))
            f.emit("}")
            f.tag("for mut row in a local Vec<Vec<f64>>, row written and moved to sum_sq")
        f.close("s")
    tail = "s + x[0] * b"
    return f.spec((tail, "chk({})".format(tail)))


def choose_fn(f):
    """`#[differentiate(wrt(x))] fn f(x: &[f64], d1: &[f64], d2: &[f64], c:
    bool)`: slices chosen among data left out of `wrt` (`let mut d = d1; if
    c { d = d2; }`, `dot(if c { d2 } else { d1 }, x)`), and a slice binding
    reassigned in straight-line code (`let mut b = x; ..; b = d1;`)."""
    dots = f.helpers(("dot",))
    x = f.param(G.WParam("x", "s", 3), True)
    f.param(G.WParam("d1", "s", 3), False)
    f.param(G.WParam("d2", "s", 3), False)
    f.param(Flag("c"), False)
    f.py.append("    c = c % 2 == 1")
    f.emit("let mut s = x[0] * x[1];", "s = chk(x[0] * x[1])")
    g = f.pick(dots) if dots else None
    for kind in f.rng.sample(["choose", "choose", "rebind", "ifarg"], 2):
        if kind == "ifarg" and g is None:
            kind = "rebind"
        # (a slice binding reassigned is supported in straight-line code only)
        f.open("s", ("straight",) if kind == "rebind" else ("straight", "straight", "loop", "branch"))
        if kind == "choose":
            d = f.fresh("dd")
            f.emit("let mut {} = d1;".format(d), "{} = d1".format(d))
            f.emit("if c {", "if c:")
            f.emit("    {} = d2;".format(d), "    {} = d2".format(d))
            f.emit("}")
            i = f.rng.randint(0, 2)
            if g is not None:
                f.called(g)
                f.emit("s += {d}[{i}] * x[1] + {g}({d}, x) * {g}(if c {{ d2 }} else {{ d1 }}, x);".format(d=d, i=i, g=g.name),
                       "s = chk(s + chk({d}[{i}] * x[1]) + chk({g}({d}, x) * {g}(d2 if c else d1, x)))".format(
                           d=d, i=i, g=g.name))
            else:
                f.emit("s += {}[{}] * x[1];".format(d, i), "s = chk(s + chk({}[{}] * x[1]))".format(d, i))
            f.tag("let mut d = d1; if c {{ d = d2; }} of slices left out of wrt{}".format(
                ", dot(if c { d2 } else { d1 }, x)" if g is not None else ""))
        elif kind == "ifarg":
            f.called(g)
            c = f.c()
            f.emit("s = s * {} + {}(if c {{ d2 }} else {{ d1 }}, x);".format(rlit(c), g.name),
                   "s = chk(chk(s * {}) + {}(d2 if c else d1, x))".format(c, g.name))
            f.tag("dot(if c { d2 } else { d1 }, x) of slices left out of wrt")
        else:
            bb = f.fresh("b")
            f.emit("let mut {} = x;".format(bb), "{} = x".format(bb))
            f.emit("s += {}[1] * d1[0];".format(bb), "s = chk(s + chk({}[1] * d1[0]))".format(bb))
            f.emit("{} = d2;".format(bb), "{} = d2".format(bb))
            extra = ""
            if g is not None:
                f.called(g)
                extra = " + {}({}, x)".format(g.name, bb)
            f.emit("s += {}[0] * x[2]{};".format(bb, extra), "s = chk(s + chk({}[0] * x[2]){})".format(bb, extra))
            f.tag("a slice binding let mut b = x; reassigned b = d2")
        f.close("s")
    return f.spec(("s", "s"))


def opt_fn(f):
    """`match w.first() { Some(a) => .., None => .. }` (`w.get(i)` with
    `Some(&b)`, `v.last()` with `_ =>`) and `while let Some(a) =
    w.get(j)` (labelled, `break 'l`) over slices in and out of `wrt` and a
    local `Vec` empty at some points."""
    n = f.rng.randint(2, 4)
    x = f.param(G.WParam("x", "s", n), True)
    w = f.param(G.WParam("w", "s", f.rng.randint(2, 3)), f.r() < 0.6)
    k = f.param(G.WParam("k", "k"), False)
    c = f.c()
    f.emit("let mut s = x[0] * {};".format(rlit(c)), "s = chk(x[0] * {})".format(c))
    targets = [("w", "a slice {}".format("in wrt" if w.active else "left out of wrt")), ("x", "a slice in wrt")]
    if f.r() < 0.6:
        f.emit("let u = x[..k % x.len()].to_vec();", "u = list(x[:k % len(x)])")
        targets.append(("u", "a local Vec empty at some points"))
    for at in range(f.rng.randint(2, 3)):
        t, what = targets[0] if at == 0 else f.pick(targets)
        f.open("s")
        how = f.pick(["first", "get", "last", "while", "while_l"])
        c = f.c()
        if how == "first":
            f.emit("match {}.first() {{".format(t), "if len({}) > 0:".format(t))
            f.emit("    Some(a) => s += a * s * *a,", "    a = {}[0]".format(t))
            f.py.append("    " * f.ind + "    s = chk(s + chk(chk(a * s) * a))")
            f.emit("    None => s -= {},".format(rlit(c)), "else:")
            f.py.append("    " * f.ind + "    s = chk(s - {})".format(c))
            f.emit("}")
            f.tag("match w.first() { Some(a) => .., None => .. } over " + what)
        elif how == "get":
            i = "{} + 1".format(f.loop_var) if f.loop_var else "k"
            f.emit("match {}.get({}) {{".format(t, i), "if {} < len({}):".format(i, t))
            f.emit("    Some(&b) => s = s * b + {},".format(rlit(c)), "    b = {}[{}]".format(t, i))
            f.py.append("    " * f.ind + "    s = chk(chk(s * b) + {})".format(c))
            f.emit("    None => s = s.sin(),", "else:")
            f.py.append("    " * f.ind + "    s = f_sin(s)")
            f.emit("}")
            f.tag("match w.get(i) { Some(&b) => .., None => .. } over " + what)
        elif how == "last":
            f.emit("match {}.last() {{".format(t), "if len({}) > 0:".format(t))
            f.emit("    Some(e) => s += e.sin() * {},".format(rlit(c)), "    e = {}[len({}) - 1]".format(t, t))
            f.py.append("    " * f.ind + "    s = chk(s + chk(f_sin(e) * {}))".format(c))
            f.emit("    _ => s *= {},".format(rlit(c)), "else:")
            f.py.append("    " * f.ind + "    s = chk(s * {})".format(c))
            f.emit("}")
            f.tag("match v.last() { Some(e) => .., _ => .. } over " + what)
        else:
            j = f.fresh("j")
            lab = how == "while_l"
            f.emit("let mut {} = 1;".format(j), "{} = 1".format(j))
            f.emit("{}while let Some(a) = {}.get({}) {{".format("'l: " if lab else "", t, j),
                   "while {} < len({}):".format(j, t))
            f.py.append("    " * f.ind + "    a = {}[{}]".format(t, j))
            if lab:
                th = f.c(0.5, 2.0)
                f.emit("    if s > {} {{".format(rlit(th)), "    if gt(s, {}):".format(th))
                f.emit("        break 'l;", "        break")
                f.emit("    }")
            f.emit("    s += a * s.sin();", "    s = chk(s + chk(a * f_sin(s)))")
            f.emit("    {} += 1;".format(j), "    {} += 1".format(j))
            f.emit("}")
            f.tag("{}while let Some(a) = w.get(j) over {}".format("labelled " if lab else "", what))
        f.close("s")
    tail = "s + w[0]" if w.active else "s"
    return f.spec((tail, "chk({})".format(tail)))


def dvdata_fn(f):
    """`#[differentiate(wrt(w))] fn f(w: &DVector<f64>, data: &[f64]) ->
    f64 { let d = DVector::from_column_slice(data); weighted(d.clone(), w) *
    weighted2(d.clone(), d, w) }`."""
    n = f.pick([g.n for g in f.helpers(("weighted", "weighted2"))])
    ones = f.helpers(("weighted",), lambda g: g.n == n)
    twos = f.helpers(("weighted2",), lambda g: g.n == n)
    w = f.param(DVec("w", n), True)
    data = f.param(G.WParam("data", "s", n), False)
    f.emit("let d = DVector::from_column_slice(data);", "d = Mat.col(list(data))")
    ctx = f.open("w[0]", ("straight", "branch"))
    terms = []
    gs = ([f.pick(ones)] if ones else []) + ([f.pick(twos)] if twos else [])
    for at, g in enumerate(gs):
        f.called(g)
        last = at == len(gs) - 1 and ctx == "straight"
        if g.bufs == "weighted":
            terms.append(("{}({}, w)".format(g.name, "d" if last else "d.clone()"), "{}(d.clone(), w)".format(g.name)))
        else:
            terms.append(("{}(d.clone(), {}, w)".format(g.name, "d" if last else "d.clone()"),
                          "{}(d.clone(), d.clone(), w)".format(g.name)))
    c = f.c()
    f.emit("let s = {} * {};".format(" * ".join(t[0] for t in terms), rlit(c)),
           "s = chk({} * {})".format(" * ".join(t[1] for t in terms), c))
    f.tag("DVector::from_column_slice(data) of data left out of wrt passed by value (cloned, then moved)")
    if ctx == "branch":
        f.emit("return s * w[{}];".format(n - 1), "return chk(s * w[{}])".format(n - 1))
    f.close()
    return f.spec(("w[0] * {}".format(rlit(c)) if ctx == "branch" else "s", "chk(w[0] * {})".format(c)
                   if ctx == "branch" else "s"))


HELPERS = {"dv": dv_helper, "dm": dm_helper, "sv": sv_helper, "arr": arr_helper, "dot": dot_helper,
           "sumsq": sum_sq_helper, "weighted": weighted_helper}


def bufs_fn(rng, name, callees):
    """One function of the batch: a helper where its callers have none yet
    (or at times anyway), else a caller."""
    f = Fn(rng, name, callees)
    have = {g.bufs for g in f.callees}
    kind = rng.choice(["dv", "dv", "dm", "sv", "arr", "outer", "call", "call", "call", "rows", "choose", "opt",
                       "dvdata"])
    if kind == "opt":
        return opt_fn(f)
    if kind == "outer":
        return outer_helper(f) if have & {"dv", "arr"} and rng.random() < 0.75 else dv_helper(f)
    if kind == "call":
        if f.callees and have & {"dv", "dm", "sv", "arr", "outer"}:
            f.callees = [g for g in f.callees if g.bufs in ("dv", "dm", "sv", "arr", "outer")]
            return buf_caller(f)
        kind = rng.choice(["dv", "dm", "sv", "arr"])
    if kind == "rows":
        if not have & {"dot", "sumsq"} or rng.random() < 0.25:
            return HELPERS[rng.choice(["dot", "sumsq"])](f)
        return rows_fn(f)
    if kind == "choose":
        if "dot" not in have or rng.random() < 0.2:
            return dot_helper(f)
        return choose_fn(f)
    if kind == "dvdata":
        if not have & {"weighted", "weighted2"} or rng.random() < 0.25:
            return weighted_helper(f)
        return dvdata_fn(f)
    return HELPERS[kind](f)


def case_entry(lines, spec):
    """The `Case` lines with the batch's buffers built as their own types
    (read back by `as_slice()`), a `Vec<Vec<f64>>` parameter by value and a
    `bool` one as `k % 2 == 1`."""
    zat = qat = 0
    text = "\n".join(lines)
    for i, p in enumerate(spec.params):
        if p.kind == "k":
            if getattr(p, "flag", False):
                text = re.sub(r", k(\)|, c\[)", r", k % 2 == 1\1", text)
            continue
        at, src = (zat, "[zd]") if p.in_z() else (qat, "q")
        rng = r"({})\[{}\.\.{}\]".format(src, at, at + p.size())
        if isinstance(p, Buf):
            text = re.sub(r"\b{}\.to_vec\(\)".format(rng), lambda m: p.ctor("{}[{}..{}]".format(
                m.group(1), at, at + p.size())), text)
            # (the cotangent's range in c is the buffer's in y)
            text = re.sub(r"\(mut b{i}, mut cb{i}\) = \((.+?), c\[(\d+\.\.\d+)\]\.to_vec\(\)\)".format(i=i),
                          lambda m: "(mut b{i}, mut cb{i}) = ({b}, {c})".format(i=i, b=m.group(1), c=p.ctor(
                              "c[{}]".format(m.group(2)))), text)
            if p.form != "arr":
                text = re.sub(r"&((?:c|d)?b{})\[\.\.\]".format(i), r"\1.as_slice()", text)
        elif getattr(p, "by_value", False):
            text = re.sub(r"&rows\(&{}, ".format(rng), r"rows(&\1[{}..{}], ".format(at, at + p.size()), text)
        if p.in_z():
            zat += p.size()
        else:
            qat += p.size()
    # (`_vjp` of a function whose only parameters in `wrt` are buffers
    # returns its value as a 1-tuple)
    text = text.replace("let (r) = ", "let (r,) = ")
    return text.split("\n")
