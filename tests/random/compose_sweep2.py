"""The `compose` family's ninth batch (`compose.py` writes it; drawn as
COMPOSE_SWEEP2_P of the functions): the forms the session after the eighth
batch made work, each a template with its own helpers, drawn straight-line,
in loops and in branches, with parameters left out of `wrt` and mutated:

- sorting an active local `Vec` or array, or a `mut` `Vec` parameter, in
  place (`w.sort_by(|a, b| a.partial_cmp(b).unwrap())`, `sort_unstable_by`,
  `f64::total_cmp`, `b.total_cmp(a)` descending, `|&a, &b|`), then read by
  index (a median, extremes, a trimmed sum, ranks as weights) or passed on,
  also sorted again in a loop that changes the values, and a helper
  returning its sorted `Vec`; the twin (`k_sort`) records every pair's
  order as a decision whose margin is a fifth of the gap, so test points
  keep the values 0.05 apart (finite differences across a swap are
  meaningless);
- a row of a local 2-D array (`[[f64; 2]; 3]`, `Vec<Vec<f64>>`) lent as
  a helper's `&mut [f64]` buffer (`fill(a, &mut m[1])`, `&mut m[k % 3]`,
  `&mut m[i % 3]` in a loop), its value read from the array itself;
- tuples: a helper's `(f64, Vec<f64>)` result beside its `&mut` buffer
  bound whole (`let r = tr(&mut y, a); r.0 * r.1[0]`, `r.1` passed on,
  in a loop carrying the buffer) and destructured; tuple locals
  destructured in loops (`let (p, q) = acc;`, `let (p, _) = acc;`, `let
  (mut p, q) = acc;`) and reassigned (`acc = (q, ..)`); destructuring
  swaps `(u, w) = (w, u * x[j] + w)`;
- array patterns over rows: `pts.iter().map(|&[u, w]| ..).sum()`, `for
  &[u, w] in pts`, `for [u, w] in pts` over a `&[[f64; 2]]` parameter (in
  and out of `wrt`) and over active local rows, and passed to a helper;
- closures whose body is a bare assignment: `x.iter().for_each(|v| s +=
  v * v)`, `|&v| p *= ..`, a bound `let mut add = |v: f64| s += v * v;`
  called in a loop.

The harness passes a `&[[f64; 2]]` parameter as a borrowed `[[f64; 2];
R]` (`case_entry`). These functions are called only by each other
(`spec.sweep2` names the kind)."""

import re

import compose_bufs as bufs
import generate as G
from compose_sweep import const, scalar, write_mut_params


def k_sort(v, desc):
    """`v` sorted (descending if `desc`): every pair's order a decision,
    its margin a fifth of the gap."""
    for i in range(len(v)):
        for j in range(i + 1, len(v)):
            G.TRACE.append(((v[i] - v[j]) * 0.2, v[i] > v[j]))
    return sorted(v, reverse=desc)


TWIN = {"k_sort": k_sort}


class Rows2(G.WParam):
    """`pts: &[[f64; 2]]` of R rows (the twin: a list of rows)."""

    slice_rows2 = True

    def __init__(self, name, r):
        G.WParam.__init__(self, name, "n", 2 * r)
        self.rows, self.cols = r, 2

    def ty(self):
        return "&[[f64; 2]]"


def case_entry(lines, spec):
    """The `Case` lines with a `&[[f64; 2]]` parameter as a borrowed
    `[[f64; 2]; R]`."""
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            continue
        at, srcs = (zat, "zd") if p.in_z() else (qat, "q")
        if getattr(p, "slice_rows2", False):
            rng = r"&([{}])\[{}\.\.{}\]".format(srcs, at, at + p.size())
            lines = [re.sub(r"\barr2\({}\)".format(rng), r"&arr2::<2, {}>(&\1[{}..{}])".format(p.rows, at, at + p.size()),
                            line) for line in lines]
        if p.in_z():
            zat += p.size()
        else:
            qat += p.size()
    return lines


class Fn(bufs.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        bufs.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "sweep2", None)]

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.sweep2 in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, sweep2="caller"):
        spec = bufs.audit_spec(self, tail, out, out_len, ret, tup)
        spec.sweep2, spec.sweep, spec.bufs, spec.audit, spec.forms = sweep2, None, None, None, None
        return spec


def py(f, line):
    f.py.append("    " * f.ind + line)


def arg_for(f, p, b=("b", "b")):
    """`b` for a helper's scalar parameter `p` in its `wrt` or where `b`
    is inactive, else a constant (an active value given to a parameter
    left out of `wrt` would lose its derivative)."""
    return b if p.active or not f.b_active else const(f)


# The comparators: (Rust, descending).
CMPS = [("|a, b| a.partial_cmp(b).unwrap()", False), ("|a, b| b.partial_cmp(a).unwrap()", True),
        ("f64::total_cmp", False), ("|a, b| a.total_cmp(b)", False), ("|a, b| b.total_cmp(a)", True),
        ("|&a, &b| b.partial_cmp(&a).unwrap()", True), ("|p: &f64, q: &f64| p.total_cmp(q)", False)]


def sort_stmt(f, w):
    """`w.sort_by(cmp);` (or `sort_unstable_by`) and its twin."""
    cmp, desc = f.pick(CMPS)
    method = f.pick(["sort_by", "sort_unstable_by"])
    f.emit("{}.{}({});".format(w, method, cmp), "{w} = k_sort({w}, {d})".format(w=w, d=desc))
    return "{}({})".format(method, cmp)


# ----- helpers -------------------------------------------------------------------------

def sq_helper(f):
    """`fn sq(v: &[f64]) -> f64` by an iterator (any length)."""
    f.param(G.WParam("v", "s", 3), True)
    c = const(f)
    f.emit("v.iter().map(|e| e * e * {}).sum()".format(c[0]), "return chk(sum([chk(e * e * {}) for e in v], -0.0))"
           .format(c[1]))
    f.tags.append("helper sq(v: &[f64]) by map and sum")
    return f.spec(None, sweep2="sq")


def med_helper(f):
    """`fn med(v: &[f64]) -> f64`: the median of a sorted copy (any length
    but 0)."""
    f.param(G.WParam("v", "s", 3), True)
    f.emit("let mut w = v.to_vec();", "w = list(v)")
    how = sort_stmt(f, "w")
    c = const(f)
    f.emit("w[w.len() / 2] + w[0] * {}".format(c[0]), "return chk(w[len(w) // 2] + chk(w[0] * {}))".format(c[1]))
    f.tags.append("helper: the median of a sorted copy, {}".format(how))
    return f.spec(None, sweep2="med")


def srt_helper(f):
    """`fn srt(x: &[f64], a: f64) -> Vec<f64>`: scaled values sorted and
    returned."""
    n = 3
    f.param(G.WParam("x", "s", n), True)
    a = scalar(f, "a", f.r() < 0.7)
    c = const(f)
    f.emit("let mut v: Vec<f64> = x.iter().map(|e| e * a + {}).collect();".format(c[0]),
           "v = [chk(chk(e * a) + {}) for e in x]".format(c[1]))
    how = sort_stmt(f, "v")
    f.emit("v", "return v")
    f.tags.append("helper returning its sorted Vec, {}, a {}".format(how, "in wrt" if a.active else "left out of wrt"))
    return f.spec(None, out="v", out_len=n, ret="Vec<f64>", sweep2="srt")


def fill_helper(f):
    """`fn fill(a: f64, row: &mut [f64]) [-> f64]`: a row buffer written
    from itself."""
    a = scalar(f, "a", f.r() < 0.75)
    f.param(G.WParam("row", "b", 2), False)
    c = const(f)
    if f.r() < 0.5:
        f.emit("row[0] = a * row[1] + {};".format(c[0]), "row[0] = chk(chk(a * row[1]) + {})".format(c[1]))
        f.emit("row[1] *= a;", "row[1] = chk(row[1] * a)")
    else:
        f.emit("row[1] = (row[0] * a).sin() + row[1];", "row[1] = chk(f_sin(chk(row[0] * a)) + row[1])")
        f.emit("row[0] *= {};".format(c[0]), "row[0] = chk(row[0] * {})".format(c[1]))
    f.tags.append("row buffer helper fill(a, row: &mut [f64]), a {}".format("in wrt" if a.active else "left out of wrt"))
    if f.r() < 0.3:
        f.tags.append("row buffer helper with an f64 result")
        return f.spec(("row[0] * a", "chk(row[0] * a)"), sweep2="fill")
    return f.spec(None, out="u", ret=None, sweep2="fill")


def tr_helper(f):
    """`fn tr(y: &mut [f64], a: f64) -> (f64, Vec<f64>)`: a tuple result
    beside the buffer."""
    f.param(G.WParam("y", "b", 2), False)
    a = scalar(f, "a", f.r() < 0.7)
    c = const(f)
    f.emit("y[1] *= y[0] * a;", "y[1] = chk(y[1] * chk(y[0] * a))")
    if f.r() < 0.4:
        f.emit("if y[0] > 10.0 {", "if gt(y[0], 10.0):")
        f.emit("    return (y[0], vec![y[1]; 2]);", "    return (y[0], [y[1], y[1]])")
        f.emit("}")
        f.tags.append("tuple-and-buffer helper with an early return")
    f.emit("(y[0] * y[1], vec![y[0].cos(), y[1] * {}])".format(c[0]),
           "return (chk(y[0] * y[1]), [f_cos(y[0]), chk(y[1] * {})])".format(c[1]))
    f.tags.append("helper tr(y: &mut [f64], a) -> (f64, Vec<f64>), a {}".format("in wrt" if a.active else
                                                                                "left out of wrt"))
    return f.spec(None, out="t", out_len=3, ret="(f64, Vec<f64>)", tup=[("f", 1), ("v", 2)], sweep2="tr")


def pts_helper(f):
    """`fn ph(x: &[f64], pts: &[[f64; 2]]) -> f64` by an array pattern."""
    f.param(G.WParam("x", "s", 2), True)
    p = f.param(Rows2("pts", 2), f.r() < 0.5)
    if f.r() < 0.5:
        f.emit("pts.iter().map(|&[u, w]| (x[0] * u + x[1] - w).sin() * x[1]).sum()",
               "return chk(sum([chk(f_sin(chk(chk(x[0] * u) + x[1] - w)) * x[1]) for u, w in pts], -0.0))")
        how = "map(|&[u, w]| ..).sum()"
    else:
        f.emit("let mut s = 0.0;", "s = 0.0")
        f.emit("for &[u, w] in pts {", "for u, w in pts:")
        f.emit("    s += x[0] * u * w + (x[1] * w).cos();", "    s = chk(s + chk(chk(x[0] * u) * w) + f_cos(chk(x[1] * w)))")
        f.emit("}")
        f.emit("s", "return s")
        how = "for &[u, w] in pts"
    f.tags.append("helper over pts: &[[f64; 2]] by {}, pts {}".format(how, "in wrt" if p.active else "left out of wrt"))
    return f.spec(None, sweep2="pts")


# ----- callers -------------------------------------------------------------------------

def caller(f):
    """A scalar function `(x: &[f64], b: f64, [v: Vec<f64>], [k: usize],
    [pts: &[[f64; 2]]])` drawing 1 to 3 of the batch's forms, each
    straight-line, in a loop or a branch on `s`."""
    n = f.rng.randint(4, 5)
    x = f.param(G.WParam("x", "s", n), f.r() < 0.85)
    b = scalar(f, "b", not x.active or f.r() < 0.6, mut=f.r() < 0.3)
    f.b_active = b.active
    v = f.param(G.WParam("v", "v", 3), f.r() < 0.6, mut=f.r() < 0.6) if f.r() < 0.3 else None
    k = f.param(G.WParam("k", "k"), False) if f.r() < 0.5 else None
    pts = f.param(Rows2("pts", f.rng.randint(2, 3)), f.r() < 0.5) if f.r() < 0.35 else None
    write_mut_params(f, b, v, "sweep2")
    c0 = const(f)
    f.emit("let mut s = x[0] * {} + b;".format(c0[0]), "s = chk(chk(x[0] * {}) + b)".format(c0[1]))
    kinds = ["sort", "row", "tuple", "arrpat", "foreach"]
    chosen = f.rng.sample(kinds, f.rng.randint(1, 3))
    # (`v` and `pts` are read only there: an unread input in `wrt` has no test points)
    if v is not None and "foreach" not in chosen and not ("sort" in chosen and v.mut):
        chosen.append("foreach")
    if pts is not None and "arrpat" not in chosen:
        chosen.append("arrpat")
    for kind in chosen:
        f.open("s")
        FORMS[kind](f, x, b, v, k, pts)
        f.close("s")
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def sort_form(f, x, b, v, k, pts):
    """An active local `Vec` or array (or the `mut` parameter `v`) sorted,
    then read by index or passed on; or sorted again in a loop that
    changes it; or a helper's sorted result."""
    n = x.length
    gs = f.helpers(("srt",))
    if gs and f.r() < 0.25:
        g = f.pick(gs)
        f.called(g)
        w = f.fresh("w")
        a = arg_for(f, g.params[1])
        f.emit("let {} = {}(&x[1..4], {});".format(w, g.name, a[0]), "{} = {}(x[1:4], {})".format(w, g.name, a[1]))
        f.emit("s += {w}[2] - {w}[0] * {w}[1];".format(w=w), "s = chk(s + {w}[2] - chk({w}[0] * {w}[1]))".format(w=w))
        f.tag("a helper's sorted Vec read by index")
        return
    if v is not None and v.mut and not getattr(f, "v_read", False):
        f.v_read = True
        w, n, src = "v", 3, "a mut Vec parameter {}".format("in wrt" if v.active else "left out of wrt")
        if f.loop_var:
            # (a copy: sorting the parameter itself in each trip would need
            # its values to stay apart after the loop's writes)
            w = f.fresh("w")
            f.emit("let mut {} = v.clone();".format(w), "{} = list(v)".format(w))
            src += ", cloned"
    else:
        w = f.fresh("w")
        c = const(f)
        src = f.pick(["vec", "map", "array"])
        if src == "vec":
            f.emit("let mut {} = x.to_vec();".format(w), "{} = list(x)".format(w))
            src = "a local Vec copied from x"
        elif src == "map":
            f.emit("let mut {}: Vec<f64> = x.iter().map(|e| e * b + {}).collect();".format(w, c[0]),
                   "{} = [chk(chk(e * b) + {}) for e in x]".format(w, c[1]))
            src = "a local Vec collected from x"
        else:
            n = 4
            f.emit("let mut {} = [x[0], x[1] * b, x[2] + {}, x[3]];".format(w, c[0]),
                   "{} = [x[0], chk(x[1] * b), chk(x[2] + {}), x[3]]".format(w, c[1]))
            src = "a local array"
    use = f.pick(["median", "trim", "ends", "rank", "again"] + ["call"] * bool(f.helpers(("sq", "med"))))
    if use == "again":
        j = f.fresh("j")
        c = const(f)
        f.emit("for {} in 0..2 {{".format(j), "for {} in range(0, 2):".format(j))
        f.ind += 1
        how = sort_stmt(f, w)
        f.emit("s += {w}[{j}] * {c};".format(w=w, j=j, c=c[0]), "s = chk(s + chk({w}[{j}] * {c}))".format(w=w, j=j, c=c[1]))
        f.emit("{w}[0] = {w}[0] * {c} + b;".format(w=w, c=c[0]), "{w}[0] = chk(chk({w}[0] * {c}) + b)".format(w=w, c=c[1]))
        f.ind -= 1
        f.emit("}")
        f.tag("sort of {} ({}) again in a loop that writes it".format(src, how))
        return
    how = sort_stmt(f, w)
    if use == "median":
        f.emit("s += {w}[{w}.len() / 2] * b + {w}[0];".format(w=w),
               "s = chk(s + chk({w}[len({w}) // 2] * b) + {w}[0])".format(w=w))
    elif use == "trim":
        c = const(f)
        f.emit("s += {w}[1..{w}.len() - 1].iter().sum::<f64>() * {c};".format(w=w, c=c[0]),
               "s = chk(s + chk(chk(sum({w}[1:len({w}) - 1], -0.0)) * {c}))".format(w=w, c=c[1]))
    elif use == "ends":
        f.emit("s += ({w}[{w}.len() - 1] - {w}[0]) * b;".format(w=w),
               "s = chk(s + chk(chk({w}[len({w}) - 1] - {w}[0]) * b))".format(w=w))
    elif use == "rank":
        e, j = f.fresh("e"), f.fresh("j")
        c = const(f)
        f.emit("for ({j}, {e}) in {w}.iter().enumerate() {{".format(j=j, e=e, w=w),
               "for {j}, {e} in enumerate({w}):".format(j=j, e=e, w=w))
        f.emit("    s += {e} * ({j} as f64 + {c});".format(e=e, j=j, c=c[0]),
               "    s = chk(s + chk({e} * chk({j} + {c})))".format(e=e, j=j, c=c[1]))
        f.emit("}")
    else:
        g = f.pick(f.helpers(("sq", "med")))
        f.called(g)
        f.emit("s += {}(&{}[1..]) * {}[0];".format(g.name, w, w), "s = chk(s + chk({}({}[1:]) * {}[0]))".format(g.name, w, w))
    f.tag("sort of {} ({}), then {}".format(src, how, {"median": "the median read", "trim": "a trimmed sum",
                                                       "ends": "the extremes read", "rank": "ranks as weights",
                                                       "call": "passed to a helper"}[use]))


def row_form(f, x, b, v, k, pts):
    """A row of a local 2-D array lent to a `&mut [f64]` helper."""
    gs = f.helpers(("fill",))
    m = f.fresh("m")
    c1, c2 = const(f), const(f)
    shape = f.pick(["arr", "vec", "lit"])
    if shape == "arr":
        f.emit("let mut {} = [[{}; 2]; 3];".format(m, c1[0]), "{} = [[{c}, {c}] for _ in range(3)]".format(m, c=c1[1]))
    elif shape == "vec":
        f.emit("let mut {} = vec![vec![{}; 2]; 3];".format(m, c1[0]), "{} = [[{c}, {c}] for _ in range(3)]".format(m, c=c1[1]))
    else:
        f.emit("let mut {} = [[x[0], x[1]], [b, {}], [{}, x[2]]];".format(m, c1[0], c2[0]),
               "{} = [[x[0], x[1]], [b, {}], [{}, x[2]]]".format(m, c1[1], c2[1]))
    f.emit("{}[0][1] = x[1] * b;".format(m), "{}[0][1] = chk(x[1] * b)".format(m))
    if not gs:
        f.emit("{m}[1][0] += {m}[0][1].sin();".format(m=m), "{m}[1][0] = chk({m}[1][0] + f_sin({m}[0][1]))".format(m=m))
        f.emit("s += {m}[1][0] * {m}[2][1];".format(m=m), "s = chk(s + chk({m}[1][0] * {m}[2][1]))".format(m=m))
        f.tag("a local 2-D array written by element")
        return
    idx = f.pick([("2", "2")] + [("k % 3", "k % 3")] * (k is not None) + [("{} % 3".format(f.loop_var),) * 2] *
                 bool(f.loop_var))
    for at, (r, form) in enumerate([("1", "1"), idx]):
        g = f.pick(gs)
        f.called(g)
        if at == 0:
            a = (("x[0]", "x[0]") if g.params[0].active or not x.active else const(f)) if f.r() < 0.5 else \
                arg_for(f, g.params[0])
        else:
            a = ("{}[1][0]".format(m),) * 2 if g.params[0].active else const(f)
        call = "{}({}, &mut {}[{}])".format(g.name, a[0], m, r)
        pcall = "{}({}, {}[{}])".format(g.name, a[1], m, form)
        if g.out == "f":
            f.emit("s += {};".format(call), "s = chk(s + {})".format(pcall))
        else:
            f.emit(call + ";", pcall)
    f.emit("s += {m}[1][0] * {m}[0][1] + {m}[2][1];".format(m=m), "s = chk(s + chk({m}[1][0] * {m}[0][1]) + {m}[2][1])"
           .format(m=m))
    f.tag("rows of a local {} lent as &mut buffers (m[1], m[{}])".format(
        {"arr": "[[f64; 2]; 3]", "vec": "Vec<Vec<f64>>", "lit": "[[f64; 2]; 3] literal"}[shape],
        idx[0].replace(f.loop_var or "#", "i")))


def tuple_form(f, x, b, v, k, pts):
    """A helper's tuple result beside its buffer, bound whole or
    destructured; a tuple local destructured in a loop; a swap."""
    gs = f.helpers(("tr",))
    kind = f.pick(["local", "swap"] + ["tr", "tr"] * bool(gs))
    if kind == "tr":
        g = f.pick(gs)
        f.called(g)
        y = f.fresh("y")
        src = f.pick([("[x[0], x[1] * b]", "[x[0], chk(x[1] * b)]"), ("x[..2].to_vec()", "list(x[:2])"),
                      ("vec![b, x[2]]", "[b, x[2]]")])
        f.emit("let mut {} = {};".format(y, src[0]), "{} = {}".format(y, src[1]))
        a = arg_for(f, g.params[1])
        r = f.fresh("r")
        how = f.pick(["whole", "passed", "pair", "loop"] if f.helpers(("sq",)) else ["whole", "pair", "loop"])
        if how == "whole":
            f.emit("let {} = {}(&mut {}, {});".format(r, g.name, y, a[0]), "{} = {}({}, {})".format(r, g.name, y, a[1]))
            f.emit("s += {r}.0 * {r}.1[0] + {r}.1[1] * {y}[1];".format(r=r, y=y),
                   "s = chk(s + chk({r}[0] * {r}[1][0]) + chk({r}[1][1] * {y}[1]))".format(r=r, y=y))
        elif how == "passed":
            h = f.pick(f.helpers(("sq",)))
            f.called(h)
            f.emit("let {} = {}(&mut {}, {});".format(r, g.name, y, a[0]), "{} = {}({}, {})".format(r, g.name, y, a[1]))
            f.emit("s += {h}(&{r}.1) * {r}.0 + {y}[0];".format(h=h.name, r=r, y=y),
                   "s = chk(s + chk({h}({r}[1]) * {r}[0]) + {y}[0])".format(h=h.name, r=r, y=y))
        elif how == "pair":
            p, q = f.fresh("p"), f.fresh("q")
            f.emit("let ({}, {}) = {}(&mut {}, {});".format(p, q, g.name, y, a[0]),
                   "{}, {} = {}({}, {})".format(p, q, g.name, y, a[1]))
            f.emit("s += {p} * {q}[1] + {y}[0] * {q}[0];".format(p=p, q=q, y=y),
                   "s = chk(s + chk({p} * {q}[1]) + chk({y}[0] * {q}[0]))".format(p=p, q=q, y=y))
        else:
            j = f.fresh("j")
            f.emit("for {} in 0..2 {{".format(j), "for {} in range(0, 2):".format(j))
            f.emit("    let {} = {}(&mut {}, {});".format(r, g.name, y, a[0]),
                   "    {} = {}({}, {})".format(r, g.name, y, a[1]))
            f.emit("    s += {r}.0 * x[{j}] + {r}.1[{j} % 2];".format(r=r, j=j),
                   "    s = chk(s + chk({r}[0] * x[{j}]) + {r}[1][{j} % 2])".format(r=r, j=j))
            f.emit("    {y}[0] = 0.5 * {y}[0] + 0.1 * {r}.1[1];".format(y=y, r=r),
                   "    {y}[0] = chk(chk(0.5 * {y}[0]) + chk(0.1 * {r}[1][1]))".format(y=y, r=r))
            f.emit("}")
        f.tag("a helper's (f64, Vec<f64>) result beside its buffer {}".format(
            {"whole": "bound whole (r.0, r.1[i])", "passed": "bound whole, r.1 passed on",
             "pair": "destructured", "loop": "bound whole in a loop carrying the buffer"}[kind if kind != "tr" else how]))
        return
    j = f.fresh("j")
    c = const(f)
    if kind == "swap":
        u, w = f.fresh("u"), f.fresh("w")
        f.emit("let mut {} = x[0];".format(u), "{} = x[0]".format(u))
        f.emit("let mut {} = b;".format(w), "{} = b".format(w))
        f.emit("for {} in 0..3 {{".format(j), "for {} in range(0, 3):".format(j))
        f.emit("    ({u}, {w}) = ({w}, {u} * x[{j}] + {w} * {c});".format(u=u, w=w, j=j, c=c[0]),
               "    {u}, {w} = {w}, chk(chk({u} * x[{j}]) + chk({w} * {c}))".format(u=u, w=w, j=j, c=c[1]))
        f.emit("}")
        f.emit("s += {} * {};".format(u, w), "s = chk(s + chk({} * {}))".format(u, w))
        f.tag("a destructuring swap (u, w) = (w, u * x[j] + w * c) in a loop")
        return
    acc, p, q = f.fresh("acc"), f.fresh("p"), f.fresh("q")
    f.emit("let mut {} = (x[0], x[1] * b);".format(acc), "{} = (x[0], chk(x[1] * b))".format(acc))
    f.emit("for {} in 0..3 {{".format(j), "for {} in range(0, 3):".format(j))
    how = f.pick(["plain", "skip", "mut"])
    if how == "plain":
        f.emit("    let ({}, {}) = {};".format(p, q, acc), "    {}, {} = {}".format(p, q, acc))
        f.emit("    {a} = ({q}, {p} * x[{j}] + {q}.sin());".format(a=acc, p=p, q=q, j=j),
               "    {a} = ({q}, chk(chk({p} * x[{j}]) + f_sin({q})))".format(a=acc, p=p, q=q, j=j))
    elif how == "skip":
        f.emit("    let ({}, _) = {};".format(p, acc), "    {} = {}[0]".format(p, acc))
        f.emit("    s += {} * {};".format(p, c[0]), "    s = chk(s + chk({} * {}))".format(p, c[1]))
        f.emit("    {a} = ({a}.1, {p} + x[{j}] * {a}.1);".format(a=acc, p=p, j=j),
               "    {a} = ({a}[1], chk({p} + chk(x[{j}] * {a}[1])))".format(a=acc, p=p, j=j))
    else:
        f.emit("    let (mut {}, {}) = {};".format(p, q, acc), "    {}, {} = {}".format(p, q, acc))
        f.emit("    {} *= {};".format(p, c[0]), "    {} = chk({} * {})".format(p, p, c[1]))
        f.emit("    {a} = ({q}, {p} + x[{j}]);".format(a=acc, p=p, q=q, j=j),
               "    {a} = ({q}, chk({p} + x[{j}]))".format(a=acc, p=p, q=q, j=j))
    f.emit("}")
    if f.r() < 0.5:
        f.emit("let ({}, {}) = {};".format(p, q, acc), "{}, {} = {}".format(p, q, acc))
        f.emit("s += {} * {};".format(p, q), "s = chk(s + chk({} * {}))".format(p, q))
    else:
        f.emit("s += {a}.0 * {a}.1;".format(a=acc), "s = chk(s + chk({a}[0] * {a}[1]))".format(a=acc))
    f.tag("a tuple local destructured in a loop ({})".format(
        {"plain": "let (p, q) = acc", "skip": "let (p, _) = acc", "mut": "let (mut p, q) = acc"}[how]))


def arrpat_form(f, x, b, v, k, pts):
    """Array patterns over rows: the parameter `pts` or active local rows,
    by `map(|&[u, w]| ..)`, `for &[u, w] in ..`, `for [u, w] in ..`, or
    passed to a helper."""
    if pts is not None and not getattr(f, "pts_read", False):
        f.pts_read = True
        name, ref, src, act = "pts", "pts", "pts: &[[f64; 2]] " + ("in wrt" if pts.active else "left out of wrt"), \
            pts.active
    else:
        name = f.fresh("rows")
        ref, act = "&" + name, True
        if f.r() < 0.5:
            f.emit("let {} = [[x[0], x[1]], [x[2], b]];".format(name), "{} = [[x[0], x[1]], [x[2], b]]".format(name))
            src = "active local [[f64; 2]; 2] rows"
        else:
            c = const(f)
            f.emit("let {} = vec![[x[1] * b, {}], [x[0], x[3]]];".format(name, c[0]),
                   "{} = [[chk(x[1] * b), {}], [x[0], x[3]]]".format(name, c[1]))
            src = "active local Vec<[f64; 2]> rows"
    gs = f.helpers(("pts",), lambda g: g.params[1].active or not act)
    how = f.pick(["map", "for", "forref"] + ["call"] * bool(gs))
    u, w = f.fresh("u"), f.fresh("w")
    if how == "map":
        f.emit("s += {}.iter().map(|&[{u}, {w}]| (x[0] * {u} + b - {w}).sin() * x[1]).sum::<f64>();"
               .format(name, u=u, w=w),
               "s = chk(s + chk(sum([chk(f_sin(chk(chk(x[0] * {u}) + b - {w})) * x[1]) for {u}, {w} in {n}], -0.0)))"
               .format(n=name, u=u, w=w))
        what = "{}.iter().map(|&[u, w]| ..).sum()"
    elif how == "for":
        f.emit("for &[{u}, {w}] in {r} {{".format(u=u, w=w, r=ref), "for {u}, {w} in {n}:".format(u=u, w=w, n=name))
        f.emit("    s += (x[0] * {u} - {w}).sin() * b;".format(u=u, w=w),
               "    s = chk(s + chk(f_sin(chk(chk(x[0] * {u}) - {w})) * b))".format(u=u, w=w))
        f.emit("}")
        what = "for &[u, w] in {}"
    elif how == "forref":
        f.emit("for [{u}, {w}] in {r} {{".format(u=u, w=w, r=ref), "for {u}, {w} in {n}:".format(u=u, w=w, n=name))
        f.emit("    s += x[1] * {u} + {w} * {w} * b;".format(u=u, w=w),
               "    s = chk(s + chk(x[1] * {u}) + chk(chk({w} * {w}) * b))".format(u=u, w=w))
        f.emit("}")
        what = "for [u, w] in {}"
    else:
        g = f.pick(gs)
        f.called(g)
        f.emit("s += {}(&x[1..3], {});".format(g.name, ref), "s = chk(s + {}(x[1:3], {}))".format(g.name, name))
        what = "{} passed to a helper"
    f.tag("array pattern over {}: {}".format(src, what.format("pts" if name == "pts" else "rows")))


def foreach_form(f, x, b, v, k, pts):
    """A closure whose body is a bare assignment."""
    src = ("x", "x")
    if v is not None and not getattr(f, "v_read", False):
        f.v_read = True
        src = ("v", "v")
    e = f.fresh("e")
    c = const(f)
    how = f.pick(["add", "addref", "skip", "bound", "mul"])
    if how == "add":
        f.emit("{}.iter().for_each(|e| s += e * e * {});".format(src[0], c[0]),
               "for {e} in {s}:".format(e=e, s=src[1]))
        py(f, "    s = chk(s + chk(chk({e} * {e}) * {c}))".format(e=e, c=c[1]))
        what = "x.iter().for_each(|e| s += e * e * c)"
    elif how == "addref":
        f.emit("{}.iter().for_each(|&e| s += (e * b).sin());".format(src[0]), "for {e} in {s}:".format(e=e, s=src[1]))
        py(f, "    s = chk(s + f_sin(chk({e} * b)))".format(e=e))
        what = "x.iter().for_each(|&e| s += (e * b).sin())"
    elif how == "skip":
        f.emit("{}.iter().skip(1).for_each(|e| s += e * b);".format(src[0]), "for {e} in {s}[1:]:".format(e=e, s=src[1]))
        py(f, "    s = chk(s + chk({e} * b))".format(e=e))
        what = "x.iter().skip(1).for_each(|e| s += e * b)"
    elif how == "bound":
        add, j = f.fresh("add"), f.fresh("j")
        f.emit("let mut {} = |e: f64| s += e * e * {};".format(add, c[0]))
        f.emit("for {j} in 0..{s}.len() {{".format(j=j, s=src[0]), "for {j} in range(0, len({s})):".format(j=j, s=src[1]))
        f.emit("    {}({}[{}] * b);".format(add, src[0], j), "    {e} = chk({s}[{j}] * b)".format(e=e, s=src[1], j=j))
        py(f, "    s = chk(s + chk(chk({e} * {e}) * {c}))".format(e=e, c=c[1]))
        f.emit("}")
        what = "let mut add = |e: f64| s += e * e * c; called in a loop"
    else:
        p = f.fresh("p")
        f.emit("let mut {} = 1.0;".format(p), "{} = 1.0".format(p))
        f.emit("{}.iter().for_each(|e| {} *= e.cos() + 2.0);".format(src[0], p),
               "for {e} in {s}:".format(e=e, s=src[1]))
        py(f, "    {p} = chk({p} * chk(f_cos({e}) + 2.0))".format(p=p, e=e))
        f.emit("s += {} * b;".format(p), "s = chk(s + chk({} * b))".format(p))
        what = "x.iter().for_each(|e| p *= e.cos() + 2.0)"
    f.tag("a closure whose body is a bare assignment over {}: {}".format(
        "x" if src[0] == "x" else "a Vec parameter", what.replace("x.", src[0] + ".")))


FORMS = {"sort": sort_form, "row": row_form, "tuple": tuple_form, "arrpat": arrpat_form, "foreach": foreach_form}

HELPERS = {"sq": sq_helper, "med": med_helper, "srt": srt_helper, "fill": fill_helper, "tr": tr_helper,
           "pts": pts_helper}


def sweep2_fn(rng, name, callees):
    """One function of the batch: a helper (more often where the batch has
    few yet), else a caller."""
    f = Fn(rng, name, callees)
    if len(f.callees) < 6 or rng.random() < 0.25:
        return HELPERS[rng.choice(sorted(HELPERS))](f)
    return caller(f)
