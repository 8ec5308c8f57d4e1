"""The `structs` family's third batch (`structs.py` draws it after the
others, with its own seed, so that they stay as they were): 2-D fields of
a struct deriving `ad::Differentiable`,

    struct G2 { s: f64, m: [[f64; 2]; 2], w: Vec<Vec<f64>> }

read by element (`p.m[i][1]`, `p.w[1][k % 3]`, with loop indices), by rows
(`for row in p.w.iter()`, `for row in &p.m`, `for &[u, v] in &p.m`),
passed to helpers by row (`h(&p.w[1], b)`, `h(&p.m[i], ..)` in a loop),
copied (`let mut r = p.w[0].clone();`, `let mut c = p.m;`) and written,
in conditions (`if p.m[0][0] > c`); beside `x: &[f64]` and `b: f64` in and
out of `wrt` (`b` `mut` at times), and an integer `k`. Helpers (`h2_..`)
take a row as `&[f64]` and an f64 in or out of `wrt`. Each form is drawn
straight-line, in a loop or in a branch."""

import random

import compose_audit as audit
import generate as G
import struct_gen as SG
from compose_audit import rlit

GRID_SEED = 20261207
GRID_N_FUNCS = 30
GRID_MAX_LINES = 30

# The struct: its flat layout (`struct_gen.build` makes rows of the 2-D
# fields, `ROWS`), its Rust declaration and its rebuild from a flat range.
SG.LAYOUT["G2"] = [("s", "f", 1), ("m", "m2", 4), ("w", "w3", 6)]
SG.ROWS.update({"m2": 2, "w3": 3})
SG.TY["G2"] = "&G2"
SG.WHAT["G2"] = "&G2"
AT = "g2_at(&{s}[{r}])"
DECLS = """\
/// The third batch's struct: 2-D fields.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct G2 {
    s: f64,
    m: [[f64; 2]; 2],
    w: Vec<Vec<f64>>,
}

fn g2_at(z: &[f64]) -> G2 {
    let mut g = G2 {
        s: 0.0,
        m: [[0.0; 2]; 2],
        w: vec![vec![0.0; 3]; 2],
    };
    g.copy_from_flat(z);
    g
}

"""


class Fn(audit.Fn):
    """A function of the batch: its callees the batch's helpers."""

    def __init__(self, rng, name, callees):
        audit.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "grid", None)]

    def helpers(self, kind="row", ok=lambda g: True):
        return [g for g in self.callees if g.grid == kind and ok(g)]

    def sparam(self, name, kind, active, length=0, mut=False):
        p = SG.SParam(name, kind, length)
        p.active, p.mut = active, mut
        self.params.append(p)
        return p

    def spec(self, tail, grid="caller"):
        self.emit(tail[0], "return " + tail[1])
        # (a bare `#[differentiate]` leaves a struct parameter out, as the
        # family's first batch writes `wrt(p, ..)`)
        attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in self.params if p.kind != "k" and p.active))
        sig = ", ".join("{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in self.params)
        rust = "{}\nfn {}({}) -> f64 {{\n{}\n}}\n".format(attr, self.name, sig, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in self.params), "\n".join(self.py))
        tags = list(self.tags) + (["calls (depth {})".format(self.depth)] if self.depth else [])
        spec = SG.StructSpec(self.name, self.params, rust, python, self.depth, tags, False)
        spec.grid = grid
        return spec


def const(f, lo=0.2, hi=0.9):
    c = f.c(lo, hi)
    return rlit(c), repr(c)


def row_helper(f):
    """`fn h(r: &[f64], c: f64) -> f64` over a row of any length but 0."""
    f.sparam("r", "s", True, 3)
    c = f.sparam("c", "f", f.r() < 0.7)
    k = const(f)
    if f.r() < 0.5:
        f.emit("let mut s = 0.0;", "s = 0.0")
        f.emit("for e in r {", "for e in r:")
        f.emit("    s += e * e * c + {};".format(k[0]), "    s = chk(s + chk(chk(e * e) * c) + {})".format(k[1]))
        f.emit("}")
        tail = ("s * r[0]", "chk(s * r[0])")
    else:
        tail = ("r[0] * c + (r[r.len() - 1] * {}).sin()".format(k[0]),
                "chk(chk(r[0] * c) + f_sin(chk(r[len(r) - 1] * {})))".format(k[1]))
    f.tags.append("struct 2-D batch: row helper h(r: &[f64], c), c {}".format("in wrt" if c.active else
                                                                            "left out of wrt"))
    return f.spec(tail, grid="row")


def caller(f):
    p = f.sparam("p", "G2", True)
    x = f.sparam("x", "s", f.r() < 0.6, 3)
    b = f.sparam("b", "f", f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    k = f.sparam("k", "k", False) if f.r() < 0.5 else None
    if b.mut:
        if b.active:
            f.emit("b = b * p.s + p.m[1][1];", "b = chk(chk(b * p.s) + p.m[1][1])")
        else:
            # (inactive it stays: a helper's parameter left out of `wrt` may
            # take it)
            f.emit("b = b * 0.5 + 0.1;", "b = chk(chk(b * 0.5) + 0.1)")
        f.tags.append("struct 2-D batch: a mut f64 parameter {} written".format(
            "in wrt" if b.active else "left out of wrt"))
    f.emit("let mut s = p.s * x[0] + b;", "s = chk(chk(p.s * x[0]) + b)")
    for kind in f.rng.sample(sorted(FORMS), f.rng.randint(1, 3)):
        f.open("s")
        FORMS[kind](f, x, b, k)
        f.close("s")
    if not x.active and not b.active and f.r() < 0.5:
        return f.spec(("s * p.w[0][1]", "chk(s * p.w[0][1])"))
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def elem_form(f, x, b, k):
    """Elements, at constant, loop and `k` indices."""
    c = const(f)
    if f.loop_var:
        i = f.loop_var
        f.emit("s += p.m[{i} % 2][1] * x[{i}] + p.w[1][{i}] * {c};".format(i=i, c=c[0]),
               "s = chk(s + chk(p.m[{i} % 2][1] * x[{i}]) + chk(p.w[1][{i}] * {c}))".format(i=i, c=c[1]))
    elif k is not None:
        f.emit("s += p.w[k % 2][k % 3] * p.m[1][0] + b;", "s = chk(s + chk(p.w[k % 2][k % 3] * p.m[1][0]) + b)")
    else:
        f.emit("s += p.m[0][1] * p.w[1][2] + p.m[1][0].sin() * b;",
               "s = chk(s + chk(p.m[0][1] * p.w[1][2]) + chk(f_sin(p.m[1][0]) * b))")
    f.tag("struct 2-D batch: p.m[i][j] and p.w[i][j] read")


def rows_form(f, x, b, k):
    """Rows iterated: `for row in p.w.iter()`, `for row in &p.m`, `for &[u,
    v] in &p.m`."""
    how = f.pick(["w", "m", "pat"])
    if how == "w":
        f.emit("for row in p.w.iter() {", "for row in p.w:")
        f.emit("    s += row[0] * row[2] + row[1] * b;", "    s = chk(s + chk(row[0] * row[2]) + chk(row[1] * b))")
        what = "for row in p.w.iter()"
    elif how == "m":
        f.emit("for row in &p.m {", "for row in p.m:")
        f.emit("    s += row[0] * row[1] * x[1];", "    s = chk(s + chk(chk(row[0] * row[1]) * x[1]))")
        what = "for row in &p.m"
    else:
        f.emit("for &[u, v] in &p.m {", "for u, v in p.m:")
        f.emit("    s += (u * x[2] - v).sin() * b;", "    s = chk(s + chk(f_sin(chk(chk(u * x[2]) - v)) * b))")
        what = "for &[u, v] in &p.m"
    f.emit("}")
    f.tag("struct 2-D batch: rows iterated, " + what)


def helper_form(f, x, b, k):
    """A row passed to a helper: `h(&p.w[1], ..)`, `h(&p.m[i], ..)`."""
    gs = f.helpers()
    if not gs:
        return elem_form(f, x, b, k)
    g = f.pick(gs)
    f.called(g)
    a = ("b", "b") if g.params[1].active or not b.active else const(f)
    row = f.pick([("&p.w[1]", "p.w[1]"), ("&p.m[0]", "p.m[0]")] +
                 [("&p.m[{} % 2]".format(f.loop_var), "p.m[{} % 2]".format(f.loop_var))] * bool(f.loop_var) +
                 [("&p.w[k % 2]", "p.w[k % 2]")] * (k is not None) + [("&p.w[0][1..]", "p.w[0][1:]")])
    f.emit("s += {}({}, {});".format(g.name, row[0], a[0]), "s = chk(s + {}({}, {}))".format(g.name, row[1], a[1]))
    f.tag("struct 2-D batch: a row {} passed to a helper".format(row[0].replace(f.loop_var or "#", "i")))


def copy_form(f, x, b, k):
    """A row or the array field copied into a `mut` local and written."""
    c = const(f)
    if f.r() < 0.5:
        r = f.fresh("r")
        f.emit("let mut {} = p.w[0].clone();".format(r), "{} = list(p.w[0])".format(r))
        f.emit("{}[1] *= b + {};".format(r, c[0]), "{r}[1] = chk({r}[1] * chk(b + {c}))".format(r=r, c=c[1]))
        gs = f.helpers()
        if gs and f.r() < 0.5:
            g = f.pick(gs)
            f.called(g)
            a = ("b", "b") if g.params[1].active or not b.active else const(f)
            f.emit("s += {}(&{}, {}) + p.w[0][1];".format(g.name, r, a[0]),
                   "s = chk(s + {}({}, {}) + p.w[0][1])".format(g.name, r, a[1]))
        else:
            f.emit("s += {r}[1] * {r}[2] + p.w[0][1];".format(r=r), "s = chk(s + chk({r}[1] * {r}[2]) + p.w[0][1])"
                   .format(r=r))
        f.tag("struct 2-D batch: a row of p.w cloned and written")
    else:
        m = f.fresh("c")
        f.emit("let mut {} = p.m;".format(m), "{} = [list(r) for r in p.m]".format(m))
        f.emit("{}[1][0] += x[0] * {};".format(m, c[0]), "{m}[1][0] = chk({m}[1][0] + chk(x[0] * {c}))".format(m=m, c=c[1]))
        f.emit("s += {m}[1][0] * {m}[0][1] + p.m[1][0];".format(m=m), "s = chk(s + chk({m}[1][0] * {m}[0][1]) + p.m[1][0])"
               .format(m=m))
        f.tag("struct 2-D batch: p.m copied, written, read after")


def cond_form(f, x, b, k):
    """A branch on an element of a 2-D field."""
    t = f.c(-0.5, 0.5)
    f.emit("if p.m[0][0] > {} {{".format(rlit(t)), "if gt(p.m[0][0], {}):".format(t))
    f.emit("    s += p.w[1][0] * x[2];", "    s = chk(s + chk(p.w[1][0] * x[2]))")
    f.emit("} else {", "else:")
    f.emit("    s -= p.m[1][1] * b;", "    s = chk(s - chk(p.m[1][1] * b))")
    f.emit("}")
    f.tag("struct 2-D batch: a branch on p.m[0][0]")


FORMS = {"elem": elem_form, "rows": rows_form, "helper": helper_form, "copy": copy_form, "cond": cond_form}


def grid_fn(rng, name, callees):
    f = Fn(rng, name, callees)
    if len(f.callees) < 3 or rng.random() < 0.15:
        return row_helper(f)
    return caller(f)


def draw_batch(specs, namespace, n=GRID_N_FUNCS, seed=GRID_SEED):
    """Appends the batch's n functions (`g000`, ..) to `specs`, their twins
    to `namespace`: (redrawn without test points, redrawn too long)."""
    rng = random.Random(seed)
    first, discarded, too_long = len(specs), 0, 0
    while len(specs) < first + n:
        name = "g{:03}".format(len(specs) - first)
        spec = grid_fn(rng, name, [s for s in specs[first:] if s.call_depth < 3][-40:])
        if spec.rust.count("\n") > GRID_MAX_LINES:
            too_long += 1
            continue
        ns = dict(namespace)
        exec(spec.python, ns)
        pts = G.wrt_find_points(spec, ns[name], rng, runner=SG.struct_run)
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)
    return discarded, too_long
