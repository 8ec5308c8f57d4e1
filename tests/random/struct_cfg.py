"""The `structs` family's fourth batch (`structs.py` draws it after the
others, with its own seed, so that they stay as they were): configuration
fields of a parameter struct and struct-like enum variants,

    struct Cfg { a: f64, w: [f64; 3], #[ad(skip)] steps: usize, #[ad(skip)] scale: f64 }
    enum Loss { Quantile { tau: f64 }, Pinball { tau: f64, scale: f64 }, Huber(f64), Square }

- the skipped fields copied into locals and used in active arithmetic,
  loop bounds and indices: `let n = p.steps; x * n as f64`, `(p.steps -
  1) as f64`, `n * 2`, `for i in 0..n`, `let c = p.scale;`;
- `match loss { Loss::Quantile { tau } => .., Loss::Pinball { tau, .. }
  => .., Loss::Huber(d) => .., Loss::Square => .. }` over an inactive
  `loss: Loss` or `loss: &Loss` with the variant's fields
  in active arithmetic, with a guard (`Loss::Pinball { scale: s, tau } if
  s > tau`), or-patterns and `_` (`if let Loss::Quantile { tau } = loss`
  is rejected: only `if let Some(v) = opt` is supported);

straight-line, in loops and branches, beside `x: &[f64]` and `b: f64` in
and out of `wrt` (`b` `mut` at times), `p` in and out of `wrt`, and helpers
of the batch given `p`, `loss` and `b`. The harness builds `loss` from the
point's k (`loss_at(k)`; the twin: a tuple `("Quantile", tau)`, ..), and
`Cfg`'s skipped fields from k as `P`'s (`count(k)`, `lam(k)`), which a
derivative must keep (`cfg_flat`)."""

import random

import compose_audit as audit
import generate as G
import struct_gen as SG
from compose_audit import rlit

CFG_SEED = 20261208
CFG_N_FUNCS = 20
CFG_MAX_LINES = 34
# `loss: &Loss` matched by name binds `&f64` fields (`Loss::Quantile { tau }
# => tau * r`), read as `*tau` in arithmetic (desugar/ref_payloads.rs); True
# leaves such draws out.
EXCLUDE_LOSS_BY_REF = False

SG.LAYOUT["Cfg"] = [("a", "f", 1), ("w", "a", 3), ("steps", "n", 0), ("scale", "cf", 1)]
SG.TY["Cfg"] = "&Cfg"
SG.WHAT["Cfg"] = "&Cfg"
AT = "cfg_at(&{s}[{r}], k)"
DECLS = """\
/// The fourth batch's struct: configuration fields left out of the
/// derivatives.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Cfg {
    a: f64,
    w: [f64; 3],
    #[ad(skip)]
    steps: usize,
    #[ad(skip)]
    scale: f64,
}

/// The fourth batch's enum, never differentiated.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Loss {
    Quantile { tau: f64 },
    Pinball { tau: f64, scale: f64 },
    Huber(f64),
    Square,
}

/// A `Cfg` of the point: its active fields from `z`, `steps` and `scale`
/// from `k` (as `P::n` and `P::lam`).
fn cfg_at(z: &[f64], k: usize) -> Cfg {
    let mut c = Cfg {
        a: 0.0,
        w: [0.0; 3],
        steps: count(k),
        scale: lam(k),
    };
    c.copy_from_flat(z);
    c
}

/// The flat view of a `Cfg` returned by a derivative, whose skipped fields
/// must be the primal's.
fn cfg_flat(g: &Cfg, k: usize) -> Vec<f64> {
    assert_eq!(g.steps, count(k), "the configuration field of a derivative");
    assert_eq!(g.scale, lam(k), "a skipped field of a derivative");
    g.to_flat()
}

/// The `Loss` of a point with integer `k`.
fn loss_at(k: usize) -> Loss {
    match k % 4 {
        0 => Loss::Quantile {
            tau: 0.25 + 0.125 * (k % 3) as f64,
        },
        1 => Loss::Pinball {
            tau: 0.75,
            scale: 0.5 + 0.5 * (k % 3) as f64,
        },
        2 => Loss::Huber(1.25),
        _ => Loss::Square,
    }
}

"""


def loss_at(k):
    if k % 4 == 0:
        return ("Quantile", 0.25 + 0.125 * (k % 3))
    if k % 4 == 1:
        return ("Pinball", 0.75, 0.5 + 0.5 * (k % 3))
    if k % 4 == 2:
        return ("Huber", 1.25)
    return ("Square",)


TWIN = {"loss_at": loss_at}


class LossParam(SG.SParam):
    """`loss: Loss` (or `&Loss`): an integer to the harness (kind 'k'),
    which passes `loss_at(k)`."""

    def __init__(self, name, by_ref):
        SG.SParam.__init__(self, name, "k")
        self.by_ref = by_ref
        self.rust_arg = "&loss_at(k)" if by_ref else "loss_at(k)"

    def ty(self):
        return "&Loss" if self.by_ref else "Loss"

    def py_arg(self, k):
        return loss_at(k)


class Fn(audit.Fn):
    """A function of the batch: its callees the batch's helpers."""

    def __init__(self, rng, name, callees):
        audit.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "cfg", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.cfg == kind and ok(g)]

    def sparam(self, name, kind, active, length=0, mut=False):
        p = SG.SParam(name, kind, length)
        p.active, p.mut = active, mut
        self.params.append(p)
        return p

    def spec(self, tail, cfg="caller"):
        self.emit(tail[0], "return " + tail[1])
        attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in self.params if p.kind != "k" and p.active))
        sig = ", ".join("{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in self.params)
        rust = "{}\nfn {}({}) -> f64 {{\n{}\n}}\n".format(attr, self.name, sig, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in self.params), "\n".join(self.py))
        tags = list(self.tags) + (["calls (depth {})".format(self.depth)] if self.depth else [])
        spec = SG.StructSpec(self.name, self.params, rust, python, self.depth, tags, False)
        spec.cfg = cfg
        return spec


def const(f, lo=0.2, hi=0.9):
    c = f.c(lo, hi)
    return rlit(c), repr(c)


def loss_match(f, loss, r, b):
    """`match loss { .. }` as an expression of the active `r` (rust,
    python): the python a list of lines binding `e`, the rust the
    expression. `b` is (rust, python) of an f64 usable as a factor."""
    scr = "loss"
    how = f.pick(["all", "rest", "guard"])
    if how == "all":
        rs = ["match {} {{".format(scr),
              "    Loss::Quantile {{ tau }} => tau * {r} * {r},".format(r=r[0]),
              "    Loss::Pinball {{ tau, scale }} => scale * (tau * {r}).sin(),".format(r=r[0]),
              "    Loss::Huber(d) => d * {r} * {b},".format(r=r[0], b=b[0]),
              "    Loss::Square => {r} * {r},".format(r=r[0]),
              "}"]
        py = ["if loss[0] == 'Quantile':", "    e = chk(chk(loss[1] * {r}) * {r})".format(r=r[1]),
              "elif loss[0] == 'Pinball':", "    e = chk(loss[2] * f_sin(chk(loss[1] * {r})))".format(r=r[1]),
              "elif loss[0] == 'Huber':", "    e = chk(chk(loss[1] * {r}) * {b})".format(r=r[1], b=b[1]),
              "else:", "    e = chk({r} * {r})".format(r=r[1])]
        what = "every variant ({ tau }, { tau, scale }, tuple, unit)"
    elif how == "rest":
        rs = ["match {} {{".format(scr),
              "    Loss::Quantile {{ tau }} | Loss::Pinball {{ tau, .. }} => tau * {r} * {b},".format(r=r[0], b=b[0]),
              "    _ => {r}.cos(),".format(r=r[0]),
              "}"]
        py = ["if loss[0] in ('Quantile', 'Pinball'):", "    e = chk(chk(loss[1] * {r}) * {b})".format(r=r[1], b=b[1]),
              "else:", "    e = f_cos({r})".format(r=r[1])]
        what = "an or-pattern { tau } | { tau, .. } and _"
    else:
        # (By reference, the renamed field is not named like the active
        # `s`: a payload of a borrowed enum read by the reverse sweep under
        # an active local's name is not supported yet.)
        sv = "sc" if loss.by_ref else "s"
        rs = ["match {} {{".format(scr),
              "    Loss::Pinball {{ scale: {s}, tau }} if {s} > tau => {s} * {r} * {r},".format(r=r[0], s=sv),
              "    Loss::Pinball {{ tau, .. }} | Loss::Quantile {{ tau }} => (tau * {r}).sin(),".format(r=r[0]),
              "    Loss::Huber(d) => d * {b},".format(b=b[0]),
              "    Loss::Square => {r},".format(r=r[0]),
              "}"]
        py = ["if loss[0] == 'Pinball' and loss[2] > loss[1]:", "    e = chk(chk(loss[2] * {r}) * {r})".format(r=r[1]),
              "elif loss[0] in ('Quantile', 'Pinball'):", "    e = f_sin(chk(loss[1] * {r}))".format(r=r[1]),
              "elif loss[0] == 'Huber':", "    e = chk(loss[1] * {b})".format(b=b[1]),
              "else:", "    e = {r}".format(r=r[1])]
        what = "a guard { scale: s, tau } if s > tau, renamed field"
    return rs, py, what + (", loss: &Loss (tau: &f64)" if loss.by_ref else "")


# ----- helpers -------------------------------------------------------------------------

def loss_helper(f):
    """`fn lh(x: &[f64], b: f64, loss: Loss) -> f64`."""
    f.sparam("x", "s", True, 2)
    b = f.sparam("b", "f", f.r() < 0.6)
    loss = f.param(LossParam("loss", f.r() < 0.4 and not EXCLUDE_LOSS_BY_REF), False)
    f.emit("let r = x[0] * x[1] - b;", "r = chk(chk(x[0] * x[1]) - b)")
    rs, py, what = loss_match(f, loss, ("r", "r"), ("x[1]", "x[1]"))
    f.emit("let e = " + rs[0])
    for line in rs[1:-1]:
        f.emit(line)
    f.emit("};")
    for line in py:
        f.py.append("    " + line)
    f.tags.append("struct cfg batch: helper lh(x, b, loss) matching " + what)
    return f.spec(("e + r * b", "chk(e + chk(r * b))"), cfg="loss")


def steps_helper(f):
    """`fn ch(p: &Cfg, x: &[f64]) -> f64` reading `p.steps`."""
    p = f.sparam("p", "Cfg", f.r() < 0.7)
    f.sparam("x", "s", True, 3)
    f.emit("let n = p.steps;", "n = p.steps")
    f.emit("let mut s = 0.0;", "s = 0.0")
    f.emit("for i in 0..n {", "for i in range(0, n):")
    f.emit("    s += x[i % 3] * p.w[(i + 1) % 3] * p.scale;",
           "    s = chk(s + chk(chk(x[i % 3] * p.w[(i + 1) % 3]) * p.scale))")
    f.emit("}")
    f.tags.append("struct cfg batch: helper ch(p: &Cfg, x) looping 0..p.steps, p {}".format(
        "in wrt" if p.active else "left out of wrt"))
    return f.spec(("s + p.a * (n - 1) as f64", "chk(s + chk(p.a * (n - 1)))"), cfg="steps")


# ----- callers -------------------------------------------------------------------------

def caller(f):
    p = f.sparam("p", "Cfg", f.r() < 0.8)
    x = f.sparam("x", "s", f.r() < 0.7, 3)
    b = f.sparam("b", "f", not (p.active or x.active) or f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    f.p = p
    k = f.sparam("k", "k", False) if f.r() < 0.3 else None
    loss = f.param(LossParam("loss", f.r() < 0.4 and not EXCLUDE_LOSS_BY_REF), False) if f.r() < 0.7 else None
    if b.mut:
        if b.active:
            f.emit("b = b * p.a + x[1];", "b = chk(chk(b * p.a) + x[1])")
        else:
            f.emit("b = b * 0.5 + 0.1;", "b = chk(chk(b * 0.5) + 0.1)")
        f.tags.append("struct cfg batch: a mut f64 parameter {} written".format(
            "in wrt" if b.active else "left out of wrt"))
    f.emit("let mut s = p.a * x[0] + b;", "s = chk(chk(p.a * x[0]) + b)")
    kinds = ["steps", "steps", "call"] + ["loss", "loss"] * (loss is not None)
    chosen = f.rng.sample(kinds, min(len(kinds), f.rng.randint(1, 3)))
    if loss is not None and "loss" not in chosen:
        chosen.append("loss")
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b, k, loss)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def steps_form(f, x, b, k, loss):
    """Configuration fields copied into locals and used."""
    how = f.pick(["scale", "minus", "twice", "loop", "scalecopy"])
    n = f.fresh("n")
    if how == "scale":
        f.emit("let {} = p.steps;".format(n), "{} = p.steps".format(n))
        f.emit("s += x[0] * {n} as f64 * b + p.w[{n} % 3];".format(n=n),
               "s = chk(s + chk(chk(x[0] * {n}) * b) + p.w[{n} % 3])".format(n=n))
        what = "let n = p.steps; x * n as f64, p.w[n % 3]"
    elif how == "minus":
        f.emit("s += p.a * (p.steps - 1) as f64 + x[p.steps - 2] * b;",
               "s = chk(s + chk(p.a * (p.steps - 1)) + chk(x[p.steps - 2] * b))")
        what = "(p.steps - 1) as f64 and x[p.steps - 2]"
    elif how == "twice":
        m = f.fresh("m")
        f.emit("let {} = p.steps;".format(n), "{} = p.steps".format(n))
        f.emit("let {} = {} * 2;".format(m, n), "{} = {} * 2".format(m, n))
        f.emit("s += x[{m} % 3] * p.w[1] * {m} as f64 + b * (({n} + 1) as f64).sqrt();".format(m=m, n=n),
               "s = chk(s + chk(chk(x[{m} % 3] * p.w[1]) * {m}) + chk(b * math.sqrt({n} + 1)))".format(m=m, n=n))
        what = "let m = n * 2; x[m % 3] * m as f64"
    elif how == "loop":
        j = f.fresh("j")
        f.emit("let {} = p.steps;".format(n), "{} = p.steps".format(n))
        f.emit("for {j} in 0..{n} - 1 {{".format(j=j, n=n), "for {j} in range(0, {n} - 1):".format(j=j, n=n))
        f.emit("    s += x[{j} % 3] * p.w[{j} % 3] + s * 0.125;".format(j=j),
               "    s = chk(s + chk(x[{j} % 3] * p.w[{j} % 3]) + chk(s * 0.125))".format(j=j))
        f.emit("}")
        what = "for j in 0..n - 1 with n = p.steps"
    else:
        c = f.fresh("c")
        f.emit("let {} = p.scale;".format(c), "{} = p.scale".format(c))
        f.emit("s += {c} * x[1] * p.a + {c} * b;".format(c=c), "s = chk(s + chk(chk({c} * x[1]) * p.a) + chk({c} * b))"
               .format(c=c))
        what = "let c = p.scale; (a skipped f64) in active arithmetic"
    f.tag("struct cfg batch: " + what)


def call_form(f, x, b, k, loss):
    gs = f.helpers("steps", lambda g: g.params[0].active or not f.p.active)
    if not gs:
        return steps_form(f, x, b, k, loss)
    g = f.pick(gs)
    f.called(g)
    f.emit("s += {}(p, x) * b;".format(g.name), "s = chk(s + chk({}(p, x) * b))".format(g.name))
    f.tag("struct cfg batch: p passed to a helper looping 0..p.steps")


def loss_form(f, x, b, k, loss):
    gs = f.helpers("loss", lambda g: g.params[1].active or not f.b_active)
    if gs and f.r() < 0.4:
        g = f.pick(gs)
        f.called(g)
        arg = "loss" if g.params[2].by_ref == loss.by_ref else ("&loss" if g.params[2].by_ref else "*loss")
        f.emit("s += {}(&x[1..], b, {});".format(g.name, arg), "s = chk(s + {}(x[1:], b, loss))".format(g.name))
        f.tag("struct cfg batch: loss passed to a helper ({})".format(arg))
        return
    r = f.fresh("r")
    f.emit("let {} = x[0] * p.a - x[2];".format(r), "{} = chk(chk(x[0] * p.a) - x[2])".format(r))
    rs, py, what = loss_match(f, loss, (r, r), ("b", "b"))
    f.emit("s += " + rs[0])
    for line in rs[1:-1]:
        f.emit(line)
    f.emit("};")
    for line in py:
        f.py.append("    " * f.ind + line)
    f.py.append("    " * f.ind + "s = chk(s + e)")
    f.tag("struct cfg batch: match loss, " + what)


FORMS = {"steps": steps_form, "call": call_form, "loss": loss_form}


def cfg_fn(rng, name, callees):
    f = Fn(rng, name, callees)
    if len(f.callees) < 3 or rng.random() < 0.15:
        return (loss_helper if rng.random() < 0.5 else steps_helper)(f)
    return caller(f)


def draw_batch(specs, namespace, n=CFG_N_FUNCS, seed=CFG_SEED):
    """Appends the batch's n functions (`c000`, ..) to `specs`, their twins
    to `namespace`: (redrawn without test points, redrawn too long)."""
    rng = random.Random(seed)
    namespace.update(TWIN)
    first, discarded, too_long = len(specs), 0, 0
    while len(specs) < first + n:
        name = "c{:03}".format(len(specs) - first)
        spec = cfg_fn(rng, name, [s for s in specs[first:] if s.call_depth < 3][-40:])
        if spec.rust.count("\n") > CFG_MAX_LINES:
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
