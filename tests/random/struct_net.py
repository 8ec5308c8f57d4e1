"""The `structs` family's fifth batch (`structs.py` draws it after the
others, with its own seed, so that they stay as they were): a `Vec` of
structs beside configuration fields, and payloads of a borrowed enum,

    struct Layer { w: Vec<Vec<f64>>, b: Vec<f64> }
    struct Net { layers: Vec<Layer>, a: f64, g: [[f64; 2]; 2],
                 #[ad(skip)] width: usize, #[ad(skip)] steps: usize,
                 #[ad(skip)] count: usize, #[ad(skip)] scale: f64 }

(with the fourth batch's `Loss`):

- a layer bound by reference and read by field (`let layer =
  &p.layers[i]; .. layer.w[r][c] .. layer.b[r]`, rows passed to a helper
  `ndot(&layer.w[r], &h)`, an MLP's `h = next;`), elements of fields of the
  `Vec`'s structs (`p.layers[i].b[r]`, `p.layers[i].w[r][(r + 1) %
  p.width]`), also in conditions, and `p` passed to a helper doing so;
- configuration field arithmetic (`let m = p.steps * p.count;`, `(p.steps
  * p.count) as f64`, `x[p.steps * p.count % 3]`), `vec![0.0; p.width]`
  written by element, the 2-D field read through a borrow (`let w = &p.g;
  .. w[r][c]`);
- float-product locals of fields (`let c = p.a * p.scale;`, `p.a *
  p.g[0][1]`, `p.layers[0].b[1] * p.a`) used in a loop;
- payloads of `loss: &Loss` in arithmetic as written (`tau * r`,
  `tau.powi(2)`, `x[2] / tau`, `-d * ..`, `*d * b`, `s += d`), `if let
  Loss::Huber(d) = loss`, `if let Loss::Quantile { tau } = loss { .. } else
  if let Loss::Pinball { tau, .. } = loss { .. } else { .. }` (`loss` also
  by value), payloads and `&p.scale` passed to a helper's `c: &f64`, and an
  inactive `c: &f64` parameter;

straight-line, in loops and branches, beside `x: &[f64]` and `b: f64` in
and out of `wrt` (`b` `mut` at times) and `p` in and out of `wrt`. The
harness builds `Net` from the flat values and the point's k (`net_at`:
`steps` and `scale` as `P`'s `n` and `lam`, `count` k % 2 + 1), and checks
that a derivative's skipped fields are the primal's (`net_flat`)."""

import random

import compose_audit as audit
import generate as G
import struct_gen as SG
from compose_audit import rlit
from struct_cfg import LossParam

NET_SEED = 20261209
NET_N_FUNCS = 26
NET_MAX_LINES = 40

SG.LAYOUT["Layer"] = [("w", "w2", 4), ("b", "v", 2)]
SG.ROWS["w2"] = 2
SG.VECS["L2"] = ("Layer", 2)
SG.CONSTS.update({"wd": lambda k: 2, "n1": lambda k: k % 2 + 1})
SG.LAYOUT["Net"] = [("layers", "L2", 0), ("a", "f", 1), ("g", "m2", 4), ("width", "wd", 0), ("steps", "n", 0),
                    ("count", "n1", 0), ("scale", "cf", 1)]
SG.TY["Net"] = "&Net"
SG.WHAT["Net"] = "&Net"
AT = "net_at(&{s}[{r}], k)"
DECLS = """\
/// The fifth batch's layer.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Layer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

/// The fifth batch's struct: a `Vec` of layers beside configuration
/// fields left out of the derivatives.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Net {
    layers: Vec<Layer>,
    a: f64,
    g: [[f64; 2]; 2],
    #[ad(skip)]
    width: usize,
    #[ad(skip)]
    steps: usize,
    #[ad(skip)]
    count: usize,
    #[ad(skip)]
    scale: f64,
}

/// A `Net` of the point: two 2 x 2 layers, its active fields from `z`,
/// `steps`, `count` and `scale` from `k`.
fn net_at(z: &[f64], k: usize) -> Net {
    let layer = Layer {
        w: vec![vec![0.0; 2]; 2],
        b: vec![0.0; 2],
    };
    let mut p = Net {
        layers: vec![layer.clone(), layer],
        a: 0.0,
        g: [[0.0; 2]; 2],
        width: 2,
        steps: count(k),
        count: k % 2 + 1,
        scale: lam(k),
    };
    p.copy_from_flat(z);
    p
}

/// The flat view of a `Net` returned by a derivative, whose skipped fields
/// must be the primal's.
fn net_flat(g: &Net, k: usize) -> Vec<f64> {
    assert_eq!(
        (g.width, g.steps, g.count),
        (2, count(k), k % 2 + 1),
        "the configuration fields of a derivative"
    );
    assert_eq!(g.scale, lam(k), "a skipped field of a derivative");
    g.to_flat()
}

"""


class FRef(SG.SParam):
    """`c: &f64` left out of `wrt` (kind 'f': the harness lends `q[i]`,
    `compose_sweep4.case_entry`)."""

    f_ref = True

    def __init__(self, name):
        SG.SParam.__init__(self, name, "f")

    def ty(self):
        return "&f64"


class Fn(audit.Fn):
    """A function of the batch: its callees the batch's helpers."""

    def __init__(self, rng, name, callees):
        audit.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "net", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.net == kind and ok(g)]

    def sparam(self, name, kind, active, length=0, mut=False):
        p = SG.SParam(name, kind, length)
        p.active, p.mut = active, mut
        self.params.append(p)
        return p

    def spec(self, tail, net="caller"):
        self.emit(tail[0], "return " + tail[1])
        attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in self.params if p.kind != "k" and p.active))
        sig = ", ".join("{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in self.params)
        rust = "{}\nfn {}({}) -> f64 {{\n{}\n}}\n".format(attr, self.name, sig, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in self.params), "\n".join(self.py))
        tags = list(self.tags) + (["calls (depth {})".format(self.depth)] if self.depth else [])
        spec = SG.StructSpec(self.name, self.params, rust, python, self.depth, tags, False)
        spec.net = net
        return spec


def const(f, lo=0.2, hi=0.9):
    c = f.c(lo, hi)
    return rlit(c), repr(c)


def py(f, line):
    f.py.append("    " * f.ind + line)


# ----- helpers -------------------------------------------------------------------------

def sc_helper(f):
    """`fn nsc(c: &f64, x: &[f64], b: f64) -> f64` (`c` positive)."""
    f.param(FRef("c"), False)
    f.sparam("x", "s", True, 2)
    b = f.sparam("b", "f", f.r() < 0.6)
    if f.r() < 0.5:
        f.emit("let e = c * x[0].sin() + x[1] / c * b;", "e = chk(chk(c * f_sin(x[0])) + chk(chk(x[1] / c) * b))")
        what = "c * x[0].sin() + x[1] / c * b"
    else:
        f.emit("let mut e = -c * x[0] * b;", "e = chk(chk(-c * x[0]) * b)")
        f.emit("e += c.powi(2) * x[1] + c;", "e = chk(e + chk(chk(c * c) * x[1]) + c)")
        what = "-c * x[0] * b, c.powi(2), e += c"
    f.tags.append("struct net batch: helper nsc(c: &f64, x, b), b {}: {}".format(
        "in wrt" if b.active else "left out of wrt", what))
    return f.spec(("e", "e"), net="sc")


def dot_helper(f):
    """`fn ndot(u: &[f64], v: &[f64]) -> f64` (rows of layers)."""
    u = f.sparam("u", "s", f.r() < 0.8, 2)
    v = f.sparam("v", "s", not u.active or f.r() < 0.8, 2)
    f.emit("let mut e = 0.0;", "e = 0.0")
    f.emit("for i in 0..u.len() {", "for i in range(0, len(u)):")
    f.emit("    e += u[i] * v[i];", "    e = chk(e + chk(u[i] * v[i]))")
    f.emit("}")
    f.tags.append("struct net batch: helper ndot(u, v) ({})".format(
        "both in wrt" if u.active and v.active else "u in wrt" if u.active else "v in wrt"))
    return f.spec(("e", "e"), net="dot")


def net_helper(f):
    """`fn nh(p: &Net, x: &[f64]) -> f64`: layers bound by reference."""
    p = f.sparam("p", "Net", f.r() < 0.7)
    f.sparam("x", "s", not p.active or f.r() < 0.7, 3)
    f.emit("let mut e = 0.0;", "e = 0.0")
    f.emit("for i in 0..p.layers.len() {", "for i in range(0, len(p.layers)):")
    f.emit("    let layer = &p.layers[i];", "    layer = p.layers[i]")
    f.emit("    for r in 0..p.width {", "    for r in range(0, p.width):")
    f.emit("        e += layer.w[r][(r + i) % p.width] * x[r + i] + layer.b[r] * p.scale;",
           "        e = chk(e + chk(layer.w[r][(r + i) % p.width] * x[r + i]) + chk(layer.b[r] * p.scale))")
    f.emit("    }")
    f.emit("}")
    f.tags.append("struct net batch: helper nh(p: &Net, x) with let layer = &p.layers[i];, p {}".format(
        "in wrt" if p.active else "left out of wrt"))
    return f.spec(("e * p.a", "chk(e * p.a)"), net="net")


# ----- callers -------------------------------------------------------------------------

def caller(f):
    p = f.sparam("p", "Net", f.r() < 0.8)
    x = f.sparam("x", "s", not p.active or f.r() < 0.7, 3)
    b = f.sparam("b", "f", f.r() < 0.5, mut=f.r() < 0.3)
    f.b_active = b.active
    f.p, f.x = p, x
    loss = f.param(LossParam("loss", f.r() < 0.75), False) if f.r() < 0.5 else None
    cref = f.param(FRef("c"), False) if f.r() < 0.3 else None
    f.loss, f.cref = loss, cref
    if b.mut:
        if b.active:
            f.emit("b = b * p.a + x[1];", "b = chk(chk(b * p.a) + x[1])")
        else:
            f.emit("b = b * 0.5 + 0.1;", "b = chk(chk(b * 0.5) + 0.1)")
        f.tags.append("struct net batch: a mut f64 parameter {} written".format(
            "in wrt" if b.active else "left out of wrt"))
    f.tags.append("struct net batch: a caller with p {}, x {}".format(
        "in wrt" if p.active else "left out of wrt", "in wrt" if x.active else "left out of wrt"))
    f.emit("let mut s = p.a * x[0] + b;", "s = chk(chk(p.a * x[0]) + b)")
    kinds = ["layer", "layer", "cfg", "prod", "call"] + ["loss", "loss"] * (loss is not None)
    chosen = f.rng.sample(kinds, min(len(kinds), f.rng.randint(1, 3)))
    if (loss is not None or cref is not None) and "loss" not in chosen:
        chosen.append("loss")
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def layer_form(f, x, b):
    """A layer bound by reference, or elements of the layers' fields."""
    how = f.pick(["mlp", "elems", "bound"])
    i, r = f.fresh("i"), f.fresh("r")
    if how == "mlp":
        h, nx, layer = f.fresh("h"), f.fresh("next"), f.fresh("layer")
        f.emit("let mut {} = x[..2].to_vec();".format(h), "{} = list(x[:2])".format(h))
        f.emit("for {i} in 0..p.layers.len() {{".format(i=i), "for {i} in range(0, len(p.layers)):".format(i=i))
        f.emit("    let {l} = &p.layers[{i}];".format(l=layer, i=i), "    {l} = p.layers[{i}]".format(l=layer, i=i))
        f.emit("    let mut {} = vec![0.0; p.width];".format(nx), "    {} = [0.0] * p.width".format(nx))
        f.emit("    for {r} in 0..p.width {{".format(r=r), "    for {r} in range(0, p.width):".format(r=r))
        gs = f.helpers("dot", lambda g: (g.params[0].active or not f.p.active)
                       and (g.params[1].active or not (f.p.active or f.x.active)))
        if gs and f.r() < 0.7:
            g = f.pick(gs)
            f.called(g)
            dot = ("{}(&{l}.w[{r}], &{h})".format(g.name, l=layer, r=r, h=h),
                   "{}({l}.w[{r}], {h})".format(g.name, l=layer, r=r, h=h))
            what = "rows passed to a helper"
        else:
            dot = ("{l}.w[{r}][0] * {h}[0] + {l}.w[{r}][1] * {h}[1]".format(l=layer, r=r, h=h),
                   "chk(chk({l}.w[{r}][0] * {h}[0]) + chk({l}.w[{r}][1] * {h}[1]))".format(l=layer, r=r, h=h))
            what = "elements read"
        f.emit("        {n}[{r}] = ({d} + {l}.b[{r}] * b).tanh();".format(n=nx, r=r, d=dot[0], l=layer),
               "        {n}[{r}] = f_tanh(chk({d} + chk({l}.b[{r}] * b)))".format(n=nx, r=r, d=dot[1], l=layer))
        f.emit("    }")
        f.emit("    {} = {};".format(h, nx), "    {} = {}".format(h, nx))
        f.emit("}")
        f.emit("s += {h}[0] * {h}[1] + {h}[1];".format(h=h), "s = chk(s + chk({h}[0] * {h}[1]) + {h}[1])".format(h=h))
        what = "an MLP over let layer = &p.layers[i]; (vec![0.0; p.width], h = next), " + what
    elif how == "elems":
        t = const(f, -0.3, 0.3)
        f.emit("for {i} in 0..p.layers.len() {{".format(i=i), "for {i} in range(0, len(p.layers)):".format(i=i))
        f.emit("    for {r} in 0..p.width {{".format(r=r), "    for {r} in range(0, p.width):".format(r=r))
        f.emit("        s += p.layers[{i}].w[{r}][({r} + 1) % p.width] * x[{r}] - p.layers[{i}].b[{r}] * b;".format(
            i=i, r=r), "        s = chk(s + chk(p.layers[{i}].w[{r}][({r} + 1) % p.width] * x[{r}]) - chk(p.layers[{i}]"
            ".b[{r}] * b))".format(i=i, r=r))
        f.emit("        if p.layers[{i}].b[{r}] > {t} {{".format(i=i, r=r, t=t[0]),
               "        if gt(p.layers[{i}].b[{r}], {t}):".format(i=i, r=r, t=t[1]))
        f.emit("            s *= 1.0 + 0.1 * p.layers[{i}].w[0][{r}];".format(i=i, r=r),
               "            s = chk(s * chk(1.0 + chk(0.1 * p.layers[{i}].w[0][{r}])))".format(i=i, r=r))
        f.emit("        }")
        f.emit("    }")
        f.emit("}")
        what = "p.layers[i].w[r][(r + 1) % p.width], p.layers[i].b[r] (also in a condition)"
    else:
        layer = f.fresh("layer")
        t = const(f, -0.3, 0.3)
        j = f.pick([0, 1])
        f.emit("let {} = &p.layers[{}];".format(layer, j), "{} = p.layers[{}]".format(layer, j))
        f.emit("if {l}.b[0] > {t} {{".format(l=layer, t=t[0]), "if gt({l}.b[0], {t}):".format(l=layer, t=t[1]))
        f.emit("    s += {l}.w[0][1] * b;".format(l=layer), "    s = chk(s + chk({l}.w[0][1] * b))".format(l=layer))
        f.emit("} else {", "else:")
        f.emit("    s -= {l}.w[1][0] * x[0];".format(l=layer), "    s = chk(s - chk({l}.w[1][0] * x[0]))".format(l=layer))
        f.emit("}")
        f.emit("s += {l}.b[1] * {l}.w[1][1] * x[2];".format(l=layer),
               "s = chk(s + chk(chk({l}.b[1] * {l}.w[1][1]) * x[2]))".format(l=layer))
        what = "let layer = &p.layers[{}]; read by field in a branch".format(j)
    f.tag("struct net batch: " + what)


def cfg_form(f, x, b):
    """Configuration field arithmetic, `vec![0.0; p.width]`, `let w = &p.g;`."""
    how = f.pick(["prod", "index", "vec", "borrow"])
    j = f.fresh("j")
    if how == "prod":
        m = f.fresh("m")
        f.emit("let {} = p.steps * p.count;".format(m), "{} = p.steps * p.count".format(m))
        f.emit("for {j} in 0..{m} {{".format(j=j, m=m), "for {j} in range(0, {m}):".format(j=j, m=m))
        f.emit("    s += x[{j} % 3] * p.a / {m} as f64;".format(j=j, m=m),
               "    s = chk(s + chk(chk(x[{j} % 3] * p.a) / {m}))".format(j=j, m=m))
        f.emit("}")
        f.emit("s += (p.steps * p.count) as f64 * b;", "s = chk(s + chk((p.steps * p.count) * b))")
        what = "let m = p.steps * p.count; 0..m, m as f64, (p.steps * p.count) as f64"
    elif how == "index":
        f.emit("s += x[p.steps * p.count % 3] * p.g[p.count - 1][0] + x[p.count] * b;",
               "s = chk(s + chk(x[p.steps * p.count % 3] * p.g[p.count - 1][0]) + chk(x[p.count] * b))")
        what = "x[p.steps * p.count % 3], p.g[p.count - 1][0]"
    elif how == "vec":
        v = f.fresh("v")
        f.emit("let mut {} = vec![0.0; p.width];".format(v), "{} = [0.0] * p.width".format(v))
        f.emit("for {j} in 0..p.width {{".format(j=j), "for {j} in range(0, p.width):".format(j=j))
        f.emit("    {v}[{j}] = p.g[{j}][1] * x[{j}] + b;".format(v=v, j=j),
               "    {v}[{j}] = chk(chk(p.g[{j}][1] * x[{j}]) + b)".format(v=v, j=j))
        f.emit("}")
        f.emit("s += {v}[0] * {v}[1] + {v}[p.width - 1];".format(v=v),
               "s = chk(s + chk({v}[0] * {v}[1]) + {v}[p.width - 1])".format(v=v))
        what = "vec![0.0; p.width] written by element"
    else:
        w, c = f.fresh("w"), f.fresh("c")
        f.emit("let {} = &p.g;".format(w), "{} = p.g".format(w))
        f.emit("for {j} in 0..2 {{".format(j=j), "for {j} in range(0, 2):".format(j=j))
        f.emit("    for {c} in 0..2 {{".format(c=c), "    for {c} in range(0, 2):".format(c=c))
        f.emit("        s += {w}[{j}][{c}] * x[({j} + {c}) % 3] * b;".format(w=w, j=j, c=c),
               "        s = chk(s + chk(chk({w}[{j}][{c}] * x[({j} + {c}) % 3]) * b))".format(w=w, j=j, c=c))
        f.emit("    }")
        f.emit("}")
        f.emit("s += {w}[1][0] * {w}[0][1];".format(w=w), "s = chk(s + chk({w}[1][0] * {w}[0][1]))".format(w=w))
        what = "let w = &p.g; w[r][c] of [[f64; 2]; 2]"
    f.tag("struct net batch: " + what)


def prod_form(f, x, b):
    """A float product of fields bound by `let`, used in a loop."""
    c, j = f.fresh("c"), f.fresh("j")
    e = f.pick([("p.a * p.scale", "chk(p.a * p.scale)"), ("p.a * p.g[0][1]", "chk(p.a * p.g[0][1])"),
                ("p.layers[0].b[1] * p.a", "chk(p.layers[0].b[1] * p.a)"), ("p.scale * p.scale", "chk(p.scale * p.scale)")])
    f.emit("let {} = {};".format(c, e[0]), "{} = {}".format(c, e[1]))
    f.emit("for {j} in 0..3 {{".format(j=j), "for {j} in range(0, 3):".format(j=j))
    if f.r() < 0.5:
        f.emit("    s += {c} * x[{j}] * b;".format(c=c, j=j), "    s = chk(s + chk(chk({c} * x[{j}]) * b))".format(c=c, j=j))
    else:
        f.emit("    s *= 1.0 + 0.1 * {c} * x[{j}];".format(c=c, j=j),
               "    s = chk(s * chk(1.0 + chk(chk(0.1 * {c}) * x[{j}])))".format(c=c, j=j))
    f.emit("}")
    f.tag("struct net batch: let c = {}; used in a loop".format(e[0]))


def call_form(f, x, b):
    gs = f.helpers("net", lambda g: (g.params[0].active or not f.p.active) and (g.params[1].active or not f.x.active))
    if not gs:
        return layer_form(f, x, b)
    g = f.pick(gs)
    f.called(g)
    f.emit("s += {}(p, x) * b;".format(g.name), "s = chk(s + chk({}(p, x) * b))".format(g.name))
    f.tag("struct net batch: p passed to a helper binding its layers")


def sc_call(f, c, x, b):
    """A call of a helper `nsc(c: &f64, x, b)` given `c` (rust, python),
    or None."""
    gs = f.helpers("sc", lambda g: g.params[2].active or not f.b_active)
    if not gs:
        return None
    g = f.pick(gs)
    f.called(g)
    return "{}({}, &x[1..], b)".format(g.name, c[0]), "{}({}, x[1:], b)".format(g.name, c[1])


def loss_form(f, x, b):
    """Payloads of the inactive enum, `if let`, an inactive `c: &f64`."""
    loss = f.loss
    r = f.fresh("r")
    f.emit("let {} = x[0] * p.a - x[2];".format(r), "{} = chk(chk(x[0] * p.a) - x[2])".format(r))
    if f.cref is not None and (loss is None or f.r() < 0.4):
        how = f.pick(["arith", "call"])
        call = sc_call(f, ("c", "c"), x, b) if how == "call" else None
        if call is not None:
            f.emit("s += {} * {};".format(call[0], r), "s = chk(s + chk({} * {}))".format(call[1], r))
            f.tag("struct net batch: c: &f64 passed on to a helper's c: &f64")
        else:
            f.emit("s += c * {r} + x[1] / c - c.powi(2) * b;".format(r=r),
                   "s = chk(s + chk(c * {r}) + chk(x[1] / c) - chk(chk(c * c) * b))".format(r=r))
            f.tag("struct net batch: c: &f64 in arithmetic (c * r, x[1] / c, c.powi(2))")
        if loss is None:
            return
    by_ref = loss.by_ref
    how = f.pick(["match", "stmt", "iflet", "ifelse", "call"] if by_ref else ["iflet", "ifelse", "call"])
    if how == "match":
        f.emit("s += match loss {", "if loss[0] == 'Quantile':")
        py(f, "    e = chk(chk(loss[1] * {r}) - chk(chk(loss[1] * loss[1]) * x[1]))".format(r=r))
        py(f, "elif loss[0] == 'Pinball':")
        py(f, "    e = chk(chk(x[2] / loss[1]) + chk(loss[2] * {r}))".format(r=r))
        py(f, "elif loss[0] == 'Huber':")
        py(f, "    e = chk(chk(-loss[1] * f_sin({r})) + chk(loss[1] * b))".format(r=r))
        py(f, "else:")
        py(f, "    e = chk({r} * {r})".format(r=r))
        py(f, "s = chk(s + e)")
        f.emit("    Loss::Quantile {{ tau }} => tau * {r} - tau.powi(2) * x[1],".format(r=r))
        f.emit("    Loss::Pinball {{ tau, scale }} => x[2] / tau + scale * {r},".format(r=r))
        f.emit("    Loss::Huber(d) => -d * {r}.sin() + *d * b,".format(r=r))
        f.emit("    Loss::Square => {r} * {r},".format(r=r))
        f.emit("};")
        what = "match on &Loss: tau * r, tau.powi(2), x / tau, -d, *d"
    elif how == "stmt":
        j = f.fresh("j")
        f.emit("for {j} in 0..3 {{".format(j=j), "for {j} in range(0, 3):".format(j=j))
        f.emit("    match loss {")
        f.emit("        Loss::Huber(d) => s += d,", "    if loss[0] == 'Huber':")
        py(f, "        s = chk(s + loss[1])")
        f.emit("        Loss::Quantile {{ tau: t }} => s *= 1.0 + t * x[{j}],".format(j=j), "    elif loss[0] == 'Quantile':")
        py(f, "        s = chk(s * chk(1.0 + chk(loss[1] * x[{j}])))".format(j=j))
        f.emit("        Loss::Pinball {{ tau, .. }} => s -= x[{j}] / tau,".format(j=j), "    elif loss[0] == 'Pinball':")
        py(f, "        s = chk(s - chk(x[{j}] / loss[1]))".format(j=j))
        f.emit("        Loss::Square => s += x[{j}].cos() * {r},".format(j=j, r=r), "    else:")
        py(f, "        s = chk(s + chk(f_cos(x[{j}]) * {r}))".format(j=j, r=r))
        f.emit("    }")
        f.emit("}")
        what = "match statements on &Loss in a loop: s += d, s *= 1.0 + t * x[j], x[j] / tau"
    elif how == "iflet":
        f.emit("if let Loss::Huber(d) = loss {", "if loss[0] == 'Huber':")
        f.emit("    s += d * {r} * b;".format(r=r), "    s = chk(s + chk(chk(loss[1] * {r}) * b))".format(r=r))
        f.emit("}")
        what = "if let Loss::Huber(d) = loss"
    elif how == "ifelse":
        f.emit("if let Loss::Quantile {{ tau }} = loss {{".format(), "if loss[0] == 'Quantile':")
        f.emit("    s += tau * {r};".format(r=r), "    s = chk(s + chk(loss[1] * {r}))".format(r=r))
        f.emit("} else if let Loss::Pinball { tau, .. } = loss {", "elif loss[0] == 'Pinball':")
        f.emit("    s += x[1] / tau * b;", "    s = chk(s + chk(chk(x[1] / loss[1]) * b))")
        f.emit("} else {", "else:")
        f.emit("    s -= {r}.cos() * 0.5;".format(r=r), "    s = chk(s - chk(f_cos({r}) * 0.5))".format(r=r))
        f.emit("}")
        what = "if let Loss::Quantile { tau } = loss { .. } else if let Loss::Pinball { tau, .. } = loss"
    else:
        # (`&p.scale` of a `p` in `wrt` is taken for an active value: the
        # macro does not see `#[ad(skip)]`, and rustc's error says so)
        src = f.pick(["payload", "scale"] if not f.p.active else ["payload"])
        if src == "payload":
            arg = ("tau", "loss[1]") if by_ref else ("&tau", "loss[1]")
        else:
            arg = ("&p.scale", "p.scale")
        call = sc_call(f, arg, x, b)
        if call is None:
            f.emit("if let Loss::Huber(d) = loss {", "if loss[0] == 'Huber':")
            f.emit("    s += d * {r} * b;".format(r=r), "    s = chk(s + chk(chk(loss[1] * {r}) * b))".format(r=r))
            f.emit("}")
            what = "if let Loss::Huber(d) = loss"
        else:
            f.emit("if let Loss::Quantile { tau } = loss {", "if loss[0] == 'Quantile':")
            f.emit("    s += {} * {};".format(call[0], r), "    s = chk(s + chk({} * {}))".format(call[1], r))
            f.emit("}")
            what = "if let Loss::Quantile {{ tau }} = loss {{ .. nsc({}, ..) .. }}".format(arg[0])
    f.tag("struct net batch: {}{}".format(what, ", loss: &Loss" if by_ref else ", loss: Loss"))


FORMS = {"layer": layer_form, "cfg": cfg_form, "prod": prod_form, "call": call_form, "loss": loss_form}


def net_fn(rng, name, callees):
    f = Fn(rng, name, callees)
    if len(f.callees) < 4 or rng.random() < 0.15:
        return [sc_helper, dot_helper, net_helper][rng.randrange(3)](f)
    return caller(f)


def draw_batch(specs, namespace, n=NET_N_FUNCS, seed=NET_SEED):
    """Appends the batch's n functions (`n000`, ..) to `specs`, their twins
    to `namespace`: (redrawn without test points, redrawn too long)."""
    rng = random.Random(seed)
    first, discarded, too_long = len(specs), 0, 0
    while len(specs) < first + n:
        name = "n{:03}".format(len(specs) - first)
        spec = net_fn(rng, name, [s for s in specs[first:] if s.call_depth < 3][-40:])
        if spec.rust.count("\n") > NET_MAX_LINES:
            too_long += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng, runner=SG.struct_run)
        except Exception:
            import sys
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)
    return discarded, too_long
