"""The `compose` family's eleventh batch (`compose.py` writes it; COMPOSE_SWEEP4_N
functions drawn after the tenth, so that the others stay as they were,
calling only each other): the forms the session after the tenth batch made
work, each drawn straight-line, in loops and in branches, with parameters
left out of `wrt` and mutated:

- an inactive `c: &f64` parameter read in arithmetic as written (`c *
  x[j].sin()`, `x[j] / c`, `s += c`, `-c * ..`, `c.powi(2)`, `*c * b`) and
  passed on to helpers taking `c: &f64` (`sc(c, ..)`, `sc(&b, ..)` with `b`
  left out of `wrt`, `sc(&0.75, ..)`);
- `f64::from(z)` of integers (`f64::from(i as u32 + 1)`, `f64::from(k as
  u32)`, `f64::from(j as i32 - 2)`) and of active `f64` values;
- `let mut y = x.clone();` of `x: &Vec<f64>` (in `wrt` or left out of it)
  then written by element in a loop (by active values), `let y =
  x.clone();` of `x: &[f64]` read, and a helper cloning its `&Vec<f64>`
  parameter given the caller's;
- a `fold` whose closure types its accumulator, bound by `let`
  (`x.iter().fold(0.0, |a: f64, v| a.max(v.abs()))`, `|a: f64, &v| a + v *
  v * c`, `|p: f64, &v| p * v.sin()`), changed after;
- a literal local carried by a loop and subtracted (`let mut m = 0.0; ..
  let d = j as f64 - m; .. 1.0 - m .. m = x[j] * d + 0.5 * m;`), also
  written in a branch.

The harness passes `c: &f64` as `&q[i]` and `&Vec<f64>` as `&z[..].to_vec()`
(`case_entry`)."""

import re

import compose_bufs as bufs
import generate as G
from compose_sweep import const, scalar, write_mut_params


class FRef(G.WParam):
    """`c: &f64`, left out of `wrt` (kind 'f': the harness lends `q[i]`)."""

    f_ref = True

    def __init__(self, name):
        G.WParam.__init__(self, name, "f")

    def ty(self):
        return "&f64"


class VecRef(G.WParam):
    """`x: &Vec<f64>` in or out of `wrt` (kind 'v': the harness lends the
    `Vec`, and its tangent)."""

    vec_ref = True

    def __init__(self, name, n):
        G.WParam.__init__(self, name, "v", n)

    def ty(self):
        return "&Vec<f64>"


def case_entry(lines, spec):
    """The `Case` lines with `c: &f64` as `&q[i]` and `&Vec<f64>` as
    `&z[..].to_vec()` (its tangent `&d[..].to_vec()`)."""
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            continue
        at, src = (zat, "[zd]") if p.in_z() else (qat, "q")
        if getattr(p, "f_ref", False):
            assert not p.in_z()
            lines = [re.sub(r"(?<![&\w])q\[{}\](?!\s*\.\.)".format(at), "&q[{}]".format(at), line) for line in lines]
        if getattr(p, "vec_ref", False):
            rng = r"(?<![&\w])({}\[{}\.\.{}\]\.to_vec\(\))".format(src, at, at + p.size())
            lines = [re.sub(rng, r"&\1", line) for line in lines]
        if p.in_z():
            zat += p.size()
        else:
            qat += p.size()
    return lines


class Fn(bufs.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        bufs.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "sweep4", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.sweep4 in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, sweep4="caller"):
        spec = bufs.audit_spec(self, tail, out, out_len, ret, tup)
        lints = []
        if "f64::from(" in spec.rust:
            lints.append("clippy::useless_conversion")
        if ".clone()" in spec.rust and any(p.kind == "s" and not getattr(p, "vec_ref", False) for p in self.params):
            lints.append("noop_method_call")
        if any(getattr(p, "vec_ref", False) for p in self.params):
            lints.append("clippy::ptr_arg")
        if lints:
            spec.rust = "#[allow({})]\n".format(", ".join(lints)) + spec.rust
        spec.sweep4 = sweep4
        spec.sweep3 = spec.sweep2 = spec.sweep = spec.bufs = spec.audit = spec.forms = None
        return spec


def py(f, line):
    f.py.append("    " * f.ind + line)


# ----- helpers -------------------------------------------------------------------------

def sc_helper(f):
    """`fn sc(c: &f64, x: &[f64], b: f64) -> f64`: `c` in arithmetic."""
    f.param(FRef("c"), False)
    f.param(G.WParam("x", "s", 2), True)
    b = scalar(f, "b", f.r() < 0.6)
    how = f.pick(["mul", "div", "neg"])
    if how == "mul":
        f.emit("let mut s = c * x[0].sin() + b;", "s = chk(chk(c * f_sin(x[0])) + b)")
        f.emit("s += x[1] * c;", "s = chk(s + chk(x[1] * c))")
        what = "c * x[0].sin(), x[1] * c"
    elif how == "div":
        f.emit("let mut s = x[0] / c * b;", "s = chk(chk(x[0] / c) * b)")
        f.emit("s += c.powi(2) * x[1];", "s = chk(s + chk(chk(c * c) * x[1]))")
        what = "x[0] / c, c.powi(2)"
    else:
        f.emit("let mut s = -c * x[0] * x[1];", "s = chk(chk(-c * x[0]) * x[1])")
        f.emit("s += c;", "s = chk(s + c)")
        f.emit("s += *c * b;", "s = chk(s + chk(c * b))")
        what = "-c * x[0], s += c, *c * b"
    f.tags.append("sweep4 helper sc(c: &f64, x, b), b {}: {}".format("in wrt" if b.active else "left out of wrt",
                                                                     what))
    return f.spec(("s", "s"), sweep4="sc")


def cl_helper(f):
    """`fn cl(v: &Vec<f64>, c: &f64) -> f64`: `v` cloned, written."""
    f.param(VecRef("v", 3), True)
    f.param(FRef("c"), False)
    f.emit("let mut y = v.clone();", "y = list(v)")
    f.emit("for j in 1..y.len() {", "for j in range(1, len(y)):")
    f.emit("    y[j] = y[j] * y[j - 1] * c + v[j].sin();", "    y[j] = chk(chk(chk(y[j] * y[j - 1]) * c) + f_sin(v[j]))")
    f.emit("}")
    f.tags.append("sweep4 helper cl(v: &Vec<f64>, c: &f64), let mut y = v.clone(); written in a loop")
    return f.spec(("y[2] * y[0] + y[1]", "chk(chk(y[2] * y[0]) + y[1])"), sweep4="cl")


# ----- callers -------------------------------------------------------------------------

def caller(f):
    """A scalar function `(x: &[f64] | &Vec<f64>, b: f64, [c: &f64], [w:
    &Vec<f64>], [k: usize])` drawing 1 to 3 of the batch's forms."""
    n = f.rng.randint(4, 5)
    vec = f.r() < 0.4
    x = f.param(VecRef("x", n) if vec else G.WParam("x", "s", n), f.r() < 0.85)
    b = scalar(f, "b", not x.active or f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    c = f.param(FRef("c"), False) if f.r() < 0.6 else None
    w = f.param(VecRef("w", 3), False) if f.r() < 0.25 else None
    k = f.param(G.WParam("k", "k"), False) if f.r() < 0.35 else None
    f.x, f.c_ref, f.w, f.k = x, c, w, k
    write_mut_params(f, b, None, "sweep4")
    c0 = const(f)
    f.emit("let mut s = x[0] * {} + b;".format(c0[0]), "s = chk(chk(x[0] * {}) + b)".format(c0[1]))
    kinds = ["cref", "from", "clone", "fold", "filt"]
    chosen = f.rng.sample(kinds, f.rng.randint(1, 3))
    if c is not None and "cref" not in chosen:
        chosen.append("cref")
    if (vec or w is not None) and "clone" not in chosen:
        chosen.append("clone")
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def cref_form(f, x, b):
    """`c: &f64` in arithmetic, and helpers given `c`, `&b` or `&0.75`."""
    n = x.length
    c = f.c_ref
    did = []
    if c is not None:
        j = f.loop_var or str(f.rng.randint(0, n - 1))
        how = f.pick(["mul", "div", "add", "neg", "powi", "deref"])
        if how == "mul":
            f.emit("s += c * x[{}].sin();".format(j), "s = chk(s + chk(c * f_sin(x[{}])))".format(j))
        elif how == "div":
            f.emit("s += x[{}] / c * b;".format(j), "s = chk(s + chk(chk(x[{}] / c) * b))".format(j))
        elif how == "add":
            f.emit("s += c;", "s = chk(s + c)")
            f.emit("s *= 1.0 + 0.25 * x[{}] * c;".format(j), "s = chk(s * chk(1.0 + chk(chk(0.25 * x[{}]) * c)))"
                   .format(j))
        elif how == "neg":
            f.emit("s += -c * x[{}] * x[0];".format(j), "s = chk(s + chk(chk(-c * x[{}]) * x[0]))".format(j))
        elif how == "powi":
            f.emit("s += c.powi(2) * x[{}] + s * 0.25;".format(j), "s = chk(s + chk(chk(c * c) * x[{}]) + chk(s * 0.25))"
                   .format(j))
        else:
            f.emit("s += *c * b * x[{}];".format(j), "s = chk(s + chk(chk(c * b) * x[{}]))".format(j))
        did.append("c: &f64 in arithmetic ({})".format(how))
    gs = f.helpers(("sc",), lambda g: g.params[2].active or not f.b_active)
    if gs and (not did or f.r() < 0.6):
        g = f.pick(gs)
        f.called(g)
        args = [("&0.75", "0.75")] + [("c", "c")] * 2 * (c is not None) + [("&b", "b")] * (not f.b_active)
        a = f.pick(args)
        lo = f.rng.randint(0, n - 2)
        f.emit("s += {}({}, &x[{}..{}], b);".format(g.name, a[0], lo, lo + 2),
               "s = chk(s + {}({}, x[{}:{}], b))".format(g.name, a[1], lo, lo + 2))
        did.append("a helper's c: &f64 given {}".format({"c": "c: &f64", "&b": "&b (b left out of wrt)"}.get(
            a[0], "&0.75")))
    if not did:
        return from_form(f, x, b)
    for d in did:
        f.tag("&f64: " + d)


def from_form(f, x, b):
    """`f64::from` of integers and of active values."""
    n = x.length
    i = f.loop_var
    how = f.pick(["u32", "i32", "k", "active"] if f.k is not None else ["u32", "i32", "active"])
    j = i or str(f.rng.randint(1, n - 1))
    # (an integer: the loop's index, else the length; `3 as u32` is a lint)
    e = (i, i) if i else ("x.len()", "len(x)")
    if how == "u32":
        f.emit("s += f64::from({} as u32 + 1) * x[{}] * b;".format(e[0], j),
               "s = chk(s + chk(chk(float({} + 1) * x[{}]) * b))".format(e[1], j))
        what = "f64::from(j as u32 + 1)"
    elif how == "i32":
        f.emit("s += f64::from({} as i32 - 2) * x[{}].cos();".format(e[0], j),
               "s = chk(s + chk(float({} - 2) * f_cos(x[{}])))".format(e[1], j))
        what = "f64::from(j as i32 - 2)"
    elif how == "k":
        f.emit("s += f64::from(k as u32 % 4) * x[{}] + s * 0.125;".format(j),
               "s = chk(s + chk(float(k % 4) * x[{}]) + chk(s * 0.125))".format(j))
        what = "f64::from(k as u32 % 4)"
    else:
        z = f.fresh("z")
        f.emit("let {} = f64::from(x[{}] * b);".format(z, j), "{} = chk(x[{}] * b)".format(z, j))
        f.emit("s += f64::from({z}) * {z} + x[0];".format(z=z), "s = chk(s + chk({z} * {z}) + x[0])".format(z=z))
        what = "f64::from of an active f64"
    f.tag("f64::from: " + what)


def clone_form(f, x, b):
    """A clone of a `&Vec<f64>` parameter written, of a `&[f64]` read, or
    the `Vec` passed to the cloning helper."""
    n = x.length
    c1 = const(f)
    y = f.fresh("y")
    j = f.fresh("j")
    src = None
    if getattr(x, "vec_ref", False) and (f.w is None or f.r() < 0.5):
        src = x
    elif f.w is not None:
        src = f.w
    gs = f.helpers(("cl",))
    if gs and f.r() < 0.35:
        g = f.pick(gs)
        f.called(g)
        if src is x:
            arg = ("x", "x")
        elif f.w is not None and f.r() < 0.5:
            arg = ("w", "w")
        else:
            lo = f.rng.randint(0, n - 3)
            arg = ("&x[{}..{}].to_vec()".format(lo, lo + 3), "x[{}:{}]".format(lo, lo + 3))
        a = ("c", "c") if f.c_ref is not None and f.r() < 0.6 else ("&{}".format(c1[0]), c1[1])
        f.emit("s += {}({}, {}) * b;".format(g.name, arg[0], a[0]), "s = chk(s + chk({}({}, {}) * b))".format(
            g.name, arg[1], a[1]))
        f.tag("clone: a helper cloning its &Vec<f64> given {}".format(
            {"x": "x: &Vec<f64>", "w": "w: &Vec<f64> (left out of wrt)"}.get(arg[0], "&x[..].to_vec()")))
        return
    if src is None:
        f.emit("let {} = x.clone();".format(y), "{} = x".format(y))
        f.emit("s += {y}[1] * {y}[{n}] * b;".format(y=y, n=n - 1), "s = chk(s + chk(chk({y}[1] * {y}[{n}]) * b))"
               .format(y=y, n=n - 1))
        f.tag("clone: let y = x.clone(); of x: &[f64] read")
        return
    m = src.length
    f.emit("let mut {} = {}.clone();".format(y, src.name), "{} = list({})".format(y, src.name))
    if src is x or f.r() < 0.5:
        f.emit("for {j} in 1..{m} {{".format(j=j, m=m), "for {j} in range(1, {m}):".format(j=j, m=m))
        f.emit("    {y}[{j}] = {y}[{j}] * {y}[{j} - 1] * {c} + x[{j}].sin();".format(y=y, j=j, c=c1[0]),
               "    {y}[{j}] = chk(chk(chk({y}[{j}] * {y}[{j} - 1]) * {c}) + f_sin(x[{j}]))".format(y=y, j=j, c=c1[1]))
        f.emit("}")
        what = "written in a loop by y[j] = y[j] * y[j - 1] * c + x[j].sin()"
    else:
        f.emit("for {j} in 0..{m} {{".format(j=j, m=m), "for {j} in range(0, {m}):".format(j=j, m=m))
        f.emit("    {y}[{j}] *= x[{j}] * b;".format(y=y, j=j), "    {y}[{j}] = chk({y}[{j}] * chk(x[{j}] * b))".format(
            y=y, j=j))
        f.emit("}")
        what = "written in a loop by y[j] *= x[j] * b"
    f.emit("s += {y}[{a}] * {y}[0] + {y}[1];".format(y=y, a=m - 1), "s = chk(s + chk({y}[{a}] * {y}[0]) + {y}[1])"
           .format(y=y, a=m - 1))
    f.tag("clone: let mut y = {}.clone(); of a &Vec<f64> {}, {}".format(
        src.name, "in wrt" if src.active else "left out of wrt", what))


def fold_form(f, x, b):
    """A `fold` with a typed accumulator, bound by `let`, changed after."""
    m = f.fresh("m")
    how = f.pick(["max", "sum", "prod"])
    if how == "max":
        f.emit("let mut {} = x.iter().fold(0.0, |a: f64, v| a.max(v.abs()));".format(m),
               "{} = 0.0".format(m))
        py(f, "for v in x:")
        py(f, "    {m} = k_max({m}, k_abs(v))".format(m=m))
        what = "|a: f64, v| a.max(v.abs())"
    elif how == "sum":
        cc = ("c", "c") if f.c_ref is not None else const(f)
        f.emit("let mut {} = x.iter().fold(0.0, |a: f64, &v| a + v * v * {});".format(m, cc[0]), "{} = 0.0".format(m))
        py(f, "for v in x:")
        py(f, "    {m} = chk({m} + chk(chk(v * v) * {c}))".format(m=m, c=cc[1]))
        what = "|a: f64, &v| a + v * v * {}".format("c (c: &f64)" if cc[0] == "c" else "0.5")
    else:
        f.emit("let mut {} = x.iter().fold(1.0, |p: f64, &v| p * v.sin());".format(m), "{} = 1.0".format(m))
        py(f, "for v in x:")
        py(f, "    {m} = chk({m} * f_sin(v))".format(m=m))
        what = "|p: f64, &v| p * v.sin()"
    f.emit("{} *= b;".format(m), "{m} = chk({m} * b)".format(m=m))
    f.emit("s += {m} * {m} + x[1] * {m};".format(m=m), "s = chk(s + chk({m} * {m}) + chk(x[1] * {m}))".format(m=m))
    f.tag("fold with a typed accumulator: " + what)


def filt_form(f, x, b):
    """A literal local carried by a loop and subtracted."""
    n = x.length
    m, j, d = f.fresh("m"), f.fresh("j"), f.fresh("d")
    c1 = const(f, 0.2, 0.6)
    f.emit("let mut {} = 0.0;".format(m), "{} = 0.0".format(m))
    f.emit("for {j} in 0..{n} {{".format(j=j, n=n), "for {j} in range(0, {n}):".format(j=j, n=n))
    f.emit("    let {d} = {j} as f64 - {m};".format(d=d, j=j, m=m), "    {d} = chk({j} - {m})".format(d=d, j=j, m=m))
    branch = f.r() < 0.4
    if branch:
        f.emit("    if {d} > 0.5 {{".format(d=d), "    if gt({d}, 0.5):".format(d=d))
        f.emit("        {m} = x[{j}] * {c} + 0.5 * {m};".format(m=m, j=j, c=c1[0]),
               "        {m} = chk(chk(x[{j}] * {c}) + chk(0.5 * {m}))".format(m=m, j=j, c=c1[1]))
        f.emit("    } else {", "    else:")
        f.emit("        {m} = 1.0 - {m} * b;".format(m=m), "        {m} = chk(1.0 - chk({m} * b))".format(m=m))
        f.emit("    }")
        f.emit("    s += {d} * x[{j}] + (1.0 - {m}) * {c};".format(d=d, j=j, m=m, c=c1[0]),
               "    s = chk(s + chk({d} * x[{j}]) + chk(chk(1.0 - {m}) * {c}))".format(d=d, j=j, m=m, c=c1[1]))
        what = "m written in a branch on j as f64 - m"
    else:
        f.emit("    s += {d} * (1.0 - {m}) + (x[{j}] - {m}) * b;".format(d=d, j=j, m=m),
               "    s = chk(s + chk({d} * chk(1.0 - {m})) + chk(chk(x[{j}] - {m}) * b))".format(d=d, j=j, m=m))
        f.emit("    {m} = x[{j}] * {c} + 0.5 * {m};".format(m=m, j=j, c=c1[0]),
               "    {m} = chk(chk(x[{j}] * {c}) + chk(0.5 * {m}))".format(m=m, j=j, c=c1[1]))
        what = "d = j as f64 - m, 1.0 - m, x[j] - m"
    f.emit("}")
    f.tag("let mut m = 0.0; carried by a loop: " + what)


FORMS = {"cref": cref_form, "from": from_form, "clone": clone_form, "fold": fold_form, "filt": filt_form}

HELPERS = {"sc": sc_helper, "cl": cl_helper}


def sweep4_fn(rng, name, callees):
    """One function of the batch: a helper (more often where the batch has
    few yet), else a caller."""
    f = Fn(rng, name, callees)
    if len(f.callees) < 3 or rng.random() < 0.15:
        return HELPERS[rng.choice(sorted(HELPERS))](f)
    return caller(f)
