"""The `compose` family's fifth batch (`compose.py` writes it; drawn as
COMPOSE_AUDIT_P of the functions): the forms issue 18's audit made work,
each a template with its own helpers, drawn straight-line, in loops and in
branches, with parameters left out of `wrt` and mutated:

- `let (e, o) = pair(a, x);` of a helper returning `(f64, Vec<f64>)`, the
  `Vec` member read only linearly (`s += o[j]`, `.. + o[0]` at the tail);
- nalgebra values passed BY VALUE to a helper `fn h(v: DVector<f64>, a:
  f64)`: `m.column(j).into_owned()`, a `DVector<f64>` parameter (`mut`,
  written by element) passed as `v.clone()` and read again, the user's own
  `c.clone()`, and a local that reads no active input passed twice;
- a local `Vec` copied from a range of a slice left out of `wrt`
  (`h0[..n].to_vec()`, `h0[1..].to_owned()`) lent as a buffer to `fn
  step(w: &[f64], h: &mut [f64])`, and then as the helper's `w`;
- `if let Some(e) = w.first()` (`last()`, `get(k + 1)`, `iter().next()`,
  `Some(&b)` patterns), with and without `else`, over slices, arrays and
  `Vec`s (one of them empty at some points);
- a `Vec` assigned whole with another length in a loop (`v =
  x[..k].to_vec();`, `v = vec![c; k];`, `v = h(&x[..k]);`);
- `let y = *y0;` of a `&SVector<f64, N>`, `u.clone_from_slice(&v)`,
  `u.swap(i, j)` and `m[r].swap(i, j)` on rows of 2-D locals;
- `&[[f64; 3]]` parameters read by `a[i][j]`, by rows (`for row in a`),
  passed on to helpers whole, as `&a[1..]` and by row.

The harness passes a `DVector<f64>` parameter by value and a `&[[f64;
3]]` one as a borrowed `[[f64; 3]; R]` (`case_entry`). These functions are
called only by each other (`ComposeGen` would not know their parameters,
and their results' lengths follow their arguments')."""

import re

import generate as G

OWNED = "o"  # the `kind` attribute of the batch's helpers


class OwnedVec(G.WParam):
    """`v: DVector<f64>` by value."""

    owned = True

    def __init__(self, name, n):
        G.WParam.__init__(self, name, "V", n)
        self.rows, self.cols = n, 1

    def ty(self):
        return "DVector<f64>"


class SVec(G.WParam):
    """`y0: &SVector<f64, N>` (the harness's fixed-size form)."""

    def __init__(self, name, n):
        G.WParam.__init__(self, name, "V", n)
        self.rows, self.cols = n, 1
        self.fixed = "SVector<f64, {}>".format(n)

    def ty(self):
        return "&" + self.fixed


class DMat(G.WParam):
    def __init__(self, name, r, c):
        G.WParam.__init__(self, name, "M", r * c)
        self.rows, self.cols = r, c


class Rows3(G.WParam):
    """`a: &[[f64; 3]]` of R rows (the twin: a list of rows)."""

    slice_rows = True

    def __init__(self, name, r):
        G.WParam.__init__(self, name, "n", 3 * r)
        self.rows, self.cols = r, 3

    def ty(self):
        return "&[[f64; 3]]"


def rlit(c):
    return G.rust_float(c)


class Fn:
    """A function being written: its parameters, Rust and Python lines and
    tags."""

    def __init__(self, rng, name, callees):
        self.rng, self.name = rng, name
        self.callees = [g for g in callees if getattr(g, "audit", None)]
        self.params, self.rs, self.py, self.tags = [], [], [], []
        self.ind, self.depth, self.n = 1, 0, 0
        self.where = "straight-line"
        self.loop_var = None

    def r(self):
        return self.rng.random()

    def pick(self, xs):
        return self.rng.choice(xs)

    def c(self, lo=0.2, hi=0.9):
        return round(self.rng.uniform(lo, hi), 2)

    def fresh(self, prefix):
        self.n += 1
        return "{}{}".format(prefix, self.n)

    def param(self, p, active, mut=False):
        p.active, p.mut = active, mut
        self.params.append(p)
        return p

    def emit(self, r, p=None):
        self.rs.append("    " * self.ind + r)
        if p is not None:
            self.py.append("    " * self.ind + p)

    def tag(self, what):
        self.tags.append("{} {}".format(what, self.where))

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.audit == kind and ok(g)]

    def called(self, g):
        self.depth = max(self.depth, g.call_depth + 1)

    def open(self, acc, kinds=("straight", "straight", "loop", "branch")):
        """Opens a loop (`for i in 0..n`) or a branch on the active `acc`, or
        nothing: the statements that follow are drawn there."""
        kind = self.pick(kinds)
        self.kind_stack = getattr(self, "kind_stack", []) + [kind]
        if kind == "loop":
            n = self.rng.randint(2, 3)
            i = "i{}".format(self.ind)
            self.emit("for {} in 0..{} {{".format(i, n), "for {} in range(0, {}):".format(i, n))
            self.where, self.loop_var = "in a loop", i
            self.ind += 1
        elif kind == "branch":
            t = self.c(-0.5, 0.5)
            self.emit("if {} > {} {{".format(acc, rlit(t)), "if gt({}, {}):".format(acc, t))
            self.where = "in a branch"
            self.ind += 1
        return kind

    def close(self, acc=None):
        kind = self.kind_stack.pop()
        if kind == "branch" and acc is not None and self.r() < 0.5:
            c = self.c()
            self.ind -= 1
            self.emit("} else {", "else:")
            self.ind += 1
            self.emit("{a} -= {c} * {a}.sin();".format(a=acc, c=c), "{a} = chk({a} - {c} * f_sin({a}))".format(
                a=acc, c=c))
        if kind != "straight":
            self.ind -= 1
            self.emit("}")
        self.where, self.loop_var = "straight-line", None

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, audit="caller"):
        """The spec, with `tail` (rust, python) the body's value."""
        if tail is not None:
            self.emit(tail[0], "return " + tail[1])
        floats = [p for p in self.params if p.kind != "k" and p.kind != "b"]
        if all(p.active for p in floats):
            attr = "#[differentiate]"
        else:
            attr = "#[differentiate(wrt({}))]".format(", ".join(
                p.name for p in self.params if p.kind == "b" or p.kind != "k" and p.active))
        sig = ", ".join("{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in self.params)
        rust = "{}\nfn {}({}){} {{\n{}\n}}\n".format(attr, self.name, sig, "" if ret is None else " -> " + ret,
                                                     "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in self.params),
                                            "\n".join(self.py) if self.py else "    pass")
        tags = list(self.tags)
        if self.depth:
            tags.append("calls (depth {})".format(self.depth))
        spec = G.CallsSpec(self.name, self.params, out, out_len, rust, python, self.depth, tags, tup=tup)
        spec.audit = audit
        return spec


# ----- helpers ------------------------------------------------------------------

def pair_helper(f):
    """`fn h(a: f64, x: &[f64]) -> (f64, Vec<f64>)`, the `Vec` as long as
    `x`."""
    n = f.rng.randint(2, 4)
    a_act = f.r() < 0.6
    a = f.param(G.WParam("a", "f"), a_act)
    x = f.param(G.WParam("x", "s", n), True)
    c = f.c()
    f.emit("let mut s = 0.0;", "s = 0.0")
    if f.r() < 0.5:
        f.emit("let mut o = vec![0.0; x.len()];", "o = [0.0] * len(x)")
        f.emit("for i in 0..x.len() {", "for i in range(0, len(x)):")
        f.emit("    s += x[i] * x[i] * {};".format(rlit(c)), "    s = chk(s + x[i] * x[i] * {})".format(c))
        c2 = f.c()
        f.emit("    o[i] = (x[i] * a).sin() + {};".format(rlit(c2)), "    o[i] = chk(f_sin(x[i] * a) + {})".format(c2))
        f.emit("}")
        f.tags.append("helper returning (f64, Vec<f64>), the Vec filled in a loop")
    else:
        f.emit("let o: Vec<f64> = x.iter().map(|v| v * a + {}).collect();".format(rlit(c)),
               "o = [chk(v * a + {}) for v in x]".format(c))
        f.emit("for v in x {", "for v in x:")
        c2 = f.c()
        f.emit("    s += (v * {}).cos() * a;".format(rlit(c2)), "    s = chk(s + f_cos(v * {}) * a)".format(c2))
        f.emit("}")
        f.tags.append("helper returning (f64, Vec<f64>), the Vec collected from an iterator")
    f.emit("(s * a, o)", "return (chk(s * a), o)")
    f.tags.append("helper returning (f64, Vec<f64>) with a {}".format("in wrt" if a_act else "left out of wrt"))
    return f.spec(None, out="t", out_len=n + 1, ret="(f64, Vec<f64>)", tup=[("f", 1), ("v", n)], audit="pair")


def owned_helper(f):
    """`fn h(v: DVector<f64>, a: f64) -> f64`, `v` by value (`mut` and
    written by element at times)."""
    n = f.rng.randint(2, 3)
    v_act = f.r() < 0.75
    mut = f.r() < 0.3
    v = f.param(OwnedVec("v", n), v_act, mut)
    a = f.param(G.WParam("a", "f"), not v_act or f.r() < 0.6)
    if mut:
        m = ("a", "a") if a.active else (rlit(f.c()),) * 2
        f.emit("v[0] *= {};".format(m[0]), "v[0] = chk(v[0] * {})".format(m[1]))
        f.tags.append("a DVector<f64> parameter by value written by element")
    f.emit("let mut s = v.dot(&v) * v[0];", "s = chk(v.dot(v) * v[0])")
    for kind in f.rng.sample(["loop", "sum", "branch", "norm"], 2):
        c = f.c()
        if kind == "loop":
            f.emit("for i in 0..v.len() {", "for i in range(0, len(v)):")
            f.emit("    s += (v[i] * a).sin() * {};".format(rlit(c)), "    s = chk(s + f_sin(v[i] * a) * {})".format(c))
            f.emit("}")
        elif kind == "sum":
            f.emit("s += v.sum() * a;", "s = chk(s + v.sum() * a)")
        elif kind == "norm":
            f.emit("s = s * {} + v.norm_squared() * a.cos();".format(rlit(c)),
                   "s = chk(s * {} + v.norm_squared() * f_cos(a))".format(c))
        else:
            t = f.c(-0.5, 0.5)
            f.emit("if v[{}] > {} {{".format(n - 1, rlit(t)), "if gt(v[{}], {}):".format(n - 1, t))
            f.emit("    s *= a.tanh();", "    s = chk(s * f_tanh(a))")
            f.emit("} else {", "else:")
            f.emit("    s -= v[0] * {};".format(rlit(c)), "    s = chk(s - v[0] * {})".format(c))
            f.emit("}")
    f.tags.append("helper with a DVector<f64> parameter by value {}".format("in wrt" if v_act else "left out of wrt"))
    spec = f.spec(("s + a", "chk(s + a)"), audit="owned")
    spec.vlen = n
    return spec


def step_helper(f):
    """`fn step(w: &[f64], h: &mut [f64])` (and an f64 left out of `wrt`),
    updating the buffer `h` from `w`."""
    n = f.rng.randint(2, 3)
    f.param(G.WParam("w", "s", n), True)
    f.param(G.WParam("h", "b", n), True)
    has_c = f.r() < 0.4
    if has_c:
        f.param(G.WParam("c", "f"), False)
    cr = "c" if has_c else rlit(f.c())
    f.emit("for i in 0..h.len() {", "for i in range(0, len(h)):")
    if f.r() < 0.5:
        f.emit("    h[i] = (w[i] * h[i]).tanh() + {} * w[i];".format(cr),
               "    h[i] = chk(f_tanh(w[i] * h[i]) + {} * w[i])".format(cr))
    else:
        f.emit("    h[i] = {} * h[i] + (w[i] + h[i]).sin();".format(cr),
               "    h[i] = chk({} * h[i] + f_sin(w[i] + h[i]))".format(cr))
    f.emit("}")
    if f.r() < 0.5:
        f.emit("h[0] += w[1] * h[h.len() - 1];", "h[0] = chk(h[0] + w[1] * h[len(h) - 1])")
    f.tags.append("buffer helper step(w, &mut h){}".format(", an f64 left out of wrt" if has_c else ""))
    spec = f.spec(None, out="u", ret=None, audit="step")
    spec.has_c = has_c
    return spec


def vmap_helper(f):
    """`fn h(x: &[f64]) -> Vec<f64>` as long as `x`."""
    n = f.rng.randint(2, 3)
    f.param(G.WParam("x", "s", n), True)
    c = f.c()
    if f.r() < 0.5:
        f.emit("x.iter().map(|e| (e * {}).sin() + e).collect()".format(rlit(c)),
               "return [chk(f_sin(e * {}) + e) for e in x]".format(c))
    else:
        f.emit("let mut o = vec![0.0; x.len()];", "o = [0.0] * len(x)")
        f.emit("for i in 0..x.len() {", "for i in range(0, len(x)):")
        f.emit("    o[i] = x[i] * x[0] + {};".format(rlit(c)), "    o[i] = chk(x[i] * x[0] + {})".format(c))
        f.emit("}")
        f.emit("o", "return o")
    f.tags.append("helper returning a Vec<f64> as long as its slice")
    return f.spec(None, out="v", out_len=n, ret="Vec<f64>", audit="vmap")


def rows3_fn(f):
    """`fn h(a: &[[f64; 3]], b: f64) -> f64`: `a[i][j]`, rows by `for row in
    a`, `a` passed on whole or as `&a[1..]`, a row to a `Vec` helper."""
    rows = f.rng.randint(2, 3)
    a_act = f.r() < 0.7
    a = f.param(Rows3("a", rows), a_act)
    b = f.param(G.WParam("b", "f"), not a_act or f.r() < 0.7, mut=f.r() < 0.3)
    m = ("b", "b") if b.active else (rlit(f.c()),) * 2
    f.emit("let mut s = a[0][1] * {};".format(m[0]), "s = chk(a[0][1] * {})".format(m[1]))
    if b.mut:
        c = rlit(f.c())
        f.emit("b = b * {} + a[1][0];".format(c), "b = chk(b * {} + a[1][0])".format(c))
        f.tags.append("&[[f64; 3]]: a mut f64 parameter written")
    # (a helper reads its rows up to the number the harness gives it)
    subs = f.helpers("rows3", lambda g: (g.params[0].active or not a_act) and g.params[0].rows <= rows)
    vm = f.helpers("vmap", lambda g: g.params[0].length <= 3)
    kinds = f.rng.sample(["for", "iter", "index", "call", "call", "row"], 3)
    for kind in kinds:
        c = f.c()
        if kind == "for":
            f.emit("for row in a {", "for row in a:")
            f.emit("    s += row[0] * row[2] + {} * row.iter().sum::<f64>();".format(rlit(c)),
                   "    s = chk(s + row[0] * row[2] + {} * sum(row, -0.0))".format(c))
            f.emit("}")
            f.tags.append("&[[f64; 3]]: for row in a")
        elif kind == "iter":
            f.emit("for row in a.iter() {", "for row in a:")
            f.emit("    s += row[1].sin() * b;", "    s = chk(s + f_sin(row[1]) * b)")
            f.emit("}")
            f.tags.append("&[[f64; 3]]: for row in a.iter()")
        elif kind == "index":
            j = f.rng.randint(0, 2)
            f.emit("for i in 0..a.len() {", "for i in range(0, len(a)):")
            f.emit("    s += a[i][{}] * (b * {}).cos();".format(j, rlit(c)),
                   "    s = chk(s + a[i][{}] * f_cos(b * {}))".format(j, c))
            f.emit("}")
            f.tags.append("&[[f64; 3]]: a[i][j] in a loop")
        elif kind == "call" and subs:
            g = f.pick(subs)
            f.called(g)
            whole = rows - 1 < g.params[0].rows or f.r() < 0.5
            arg = ("a", "a") if whole else ("&a[1..]", "a[1:]")
            barg = ("b", "b") if g.params[1].active else (rlit(c), repr(c))
            f.emit("s += {} * {}({}, {});".format(rlit(c), g.name, arg[0], barg[0]),
                   "s = chk(s + {} * {}({}, {}))".format(c, g.name, arg[1], barg[1]))
            f.tags.append("&[[f64; 3]] passed on to a helper {}".format("whole" if whole else "as &a[1..]"))
        elif kind == "row" and vm and a_act:
            g = f.pick(vm)
            f.called(g)
            i = f.rng.randint(0, rows - 1)
            arg = ("&a[{}]".format(i), "a[{}]".format(i)) if g.params[0].length == 3 or f.r() < 0.5 else \
                ("&a[{}][..{}]".format(i, g.params[0].length), "a[{}][:{}]".format(i, g.params[0].length))
            d = f.fresh("d")
            f.emit("let {} = {}({});".format(d, g.name, arg[0]), "{} = {}({})".format(d, g.name, arg[1]))
            f.emit("s += {}[0] * {};".format(d, rlit(c)), "s = chk(s + {}[0] * {})".format(d, c))
            f.tags.append("&[[f64; 3]]: a row passed to a helper's &[f64]")
        else:
            f.emit("s = s * {} + a[{}][2];".format(rlit(c), rows - 1), "s = chk(s * {} + a[{}][2])".format(c, rows - 1))
    f.tags.append("function with a &[[f64; 3]] parameter {}".format("in wrt" if a_act else "left out of wrt"))
    return f.spec(("s * b + a[0][0]", "chk(s * b + a[0][0])"), audit="rows3")


HELPERS = {"pair": pair_helper, "owned": owned_helper, "step": step_helper, "vmap": vmap_helper}


# ----- callers --------------------------------------------------------------------

def act(f, x, i=None):
    """An active f64 expression of the slice parameter `x` (rust, python)."""
    if i is None:
        j = jp = str(f.rng.randint(0, x.length - 1))
    else:
        j, jp = "{} % {}.len()".format(i, x.name), "{} % len({})".format(i, x.name)
    c = f.c()
    return f.pick([("{}[{}] * {}".format(x.name, j, rlit(c)), "chk({}[{}] * {})".format(x.name, jp, c)),
                   ("({}[{}] + {}).sin()".format(x.name, j, rlit(c)), "f_sin({}[{}] + {})".format(x.name, jp, c))])


def pair_caller(f):
    """`let (e, o) = pair(..);`, `o` read only linearly, in loops and
    branches too; the last pair bound at the top read again by the tail."""
    subs = f.helpers("pair")
    g = f.pick(subs)
    n = g.params[1].length
    m = f.rng.randint(n, n + 1)
    x = f.param(G.WParam("x", "s", m), True)
    b = f.param(G.WParam("b", "f"), f.r() < 0.6, mut=f.r() < 0.3)
    s0 = act(f, x)
    f.emit("let mut s = {};".format(s0[0]), "s = chk({})".format(s0[1]))
    if b.mut:
        c = rlit(f.c())
        f.emit("b = b * {} + 0.1;".format(c), "b = chk(b * {} + 0.1)".format(c))
        f.tags.append("pair caller: a mut f64 parameter written")
    tail = ("s", "s")
    for _ in range(f.rng.randint(1, 2)):
        kind = f.open("s")
        f.called(g)
        if g.params[0].active:
            aa = f.pick([("b", "b"), ("s", "s"), act(f, x, f.loop_var)])
        else:
            c = f.c()
            aa = ("b", "b") if not b.active and not b.mut else (rlit(c), repr(c))
        if m == n or f.r() < 0.3:
            xa = ("x", "x") if m == n else ("&x[..{}]".format(n), "x[:{}]".format(n))
        else:
            lo = f.rng.randint(0, m - n)
            xa = ("&x[{}..{}]".format(lo, lo + n), "x[{}:{}]".format(lo, lo + n))
        e, o = f.fresh("e"), f.fresh("o")
        f.emit("let ({}, {}) = {}({}, {});".format(e, o, g.name, aa[0], xa[0]),
               "{}, {} = {}({}, {})".format(e, o, g.name, aa[1], xa[1]))
        c = f.c()
        f.emit("s = s * {c} + {e} * {e}.cos();".format(c=rlit(c), e=e), "s = chk(s * {c} + {e} * f_cos({e}))".format(c=c, e=e))
        j = f.rng.randint(0, n - 1)
        how = f.pick(["elem", "elem", "sum"])
        if how == "elem":
            f.emit("s += {}[{}];".format(o, j), "s = chk(s + {}[{}])".format(o, j))
        else:
            f.emit("s += {} * {}.iter().sum::<f64>();".format(rlit(c), o), "s = chk(s + {} * sum({}, -0.0))".format(c, o))
        f.tag("let (e, o) = pair(..) of (f64, Vec<f64>), o read linearly ({})".format(
            "o[j]" if how == "elem" else "o.iter().sum()"))
        if kind == "straight":
            tail = ("s + {}[0]".format(o), "chk(s + {}[0])".format(o))
        f.close("s")
    tail = ("({}) * b".format(tail[0]), "chk({} * b)".format(tail[1])) if b.active or b.mut else tail
    return f.spec(tail)


def owned_caller(f):
    """nalgebra values passed by value to a helper `h(v: DVector<f64>, a)`:
    a column `m.column(j).into_owned()` (the user's `c.clone()` too, `c`
    read after), a `DVector<f64>` parameter as `v.clone()` (read after; `mut`
    and written by element at times), and a local that reads no active input
    passed twice."""
    g = f.pick(f.helpers("owned"))
    n = g.vlen
    v_act_h, a_act_h = g.params[0].active, g.params[1].active
    cols = f.rng.randint(2, 3)
    mm = f.param(DMat("m", n, cols), f.r() < 0.7)
    v = f.param(OwnedVec("v", n), f.r() < 0.7, mut=f.r() < 0.3) if f.r() < 0.6 else None
    a = f.param(G.WParam("a", "f"), True)
    q = f.param(G.WParam("q", "s", n), False) if f.r() < 0.5 else None
    c = rlit(f.c())
    f.emit("let mut s = a * {};".format(c), "s = chk(a * {})".format(c))
    if v is not None and v.mut:
        f.emit("v[{}] *= a;".format(n - 1), "v[{}] = chk(v[{}] * a)".format(n - 1, n - 1))
        f.tags.append("a DVector<f64> parameter by value, mut, written by element")

    def scalar_arg():
        if a_act_h:
            c = f.c()
            return f.pick([("a", "a"), ("s", "s"), ("a * {}".format(rlit(c)), "chk(a * {})".format(c))])
        c = f.c()
        return rlit(c), repr(c)

    def call(varg):
        f.called(g)
        sa = scalar_arg()
        return "{}({}, {})".format(g.name, varg[0], sa[0]), "{}({}, {})".format(g.name, varg[1], sa[1])

    # (a helper's parameter left out of its `wrt` gets values that read no
    # active input)
    kinds = ["inactive"]
    if v_act_h or not mm.active:
        kinds += ["column", "column_clone"]
    if v is not None and (v_act_h or not (v.active or v.mut)):
        kinds += ["param", "param"]
    for kind in f.rng.sample(kinds, min(2, len(kinds))):
        ctx = f.open("s")
        cc = f.c()
        if kind in ("column", "column_clone"):
            j = f.rng.randint(0, cols - 1)
            col = f.fresh("c")
            f.emit("let {} = m.column({}).into_owned();".format(col, j),
                   "{} = Mat.col([m[({}, {})] for i in range({})])".format(col, "i", j, n))
            if kind == "column":
                rs, py = call((col, col))
                f.emit("s += {} * {};".format(rlit(cc), rs), "s = chk(s + {} * {})".format(cc, py))
                f.tag("m.column(j).into_owned() passed by value to a helper")
            else:
                rs, py = call((col + ".clone()", col + ".clone()"))
                f.emit("s += {} * {} + {}.sum();".format(rlit(cc), rs, col),
                       "s = chk(s + {} * {} + {}.sum())".format(cc, py, col))
                f.tag("the user's c.clone() of a column passed by value to a helper, c read after")
        elif kind == "param":
            rs, py = call(("v.clone()", "v.clone()"))
            f.emit("s += {} * {} + v[0];".format(rlit(cc), rs), "s = chk(s + {} * {} + v[0])".format(cc, py))
            f.tag("a DVector<f64> parameter {} passed by value as v.clone(), read after".format(
                "in wrt" if v.active else "left out of wrt"))
        else:
            u = f.fresh("u")
            srcs = [("DVector::from_element({}, {})".format(n, rlit(cc)), "Mat.full({}, 1, {}, True)".format(n, cc),
                     "DVector::from_element")]
            if q is not None:
                srcs.append(("DVector::from_column_slice(q)", "Mat.col(list(q))", "DVector::from_column_slice(q)"))
            if not mm.active:
                srcs.append(("m.column(0).into_owned()", "Mat.col([m[(i, 0)] for i in range({})])".format(n),
                             "m.column(0).into_owned()"))
            src = f.pick(srcs)
            f.emit("let {} = {};".format(u, src[0]), "{} = {}".format(u, src[1]))
            r1, p1 = call((u + ".clone()", u + ".clone()"))
            moved = ctx != "loop" and f.r() < 0.6
            r2, p2 = call((u if moved else u + ".clone()", u + ".clone()"))
            f.emit("s += {} * {} + {};".format(rlit(cc), r1, r2), "s = chk(s + {} * {} + {})".format(cc, p1, p2))
            f.tag("an inactive nalgebra local ({}) passed by value twice ({})".format(
                src[2], "u.clone(), then u" if moved else "u.clone() both times"))
        f.close("s")
    live = ["s"]
    if mm.active:
        live.append("m[({}, 0)]".format(n - 1))
    if v is not None and v.active:
        live.append("v[{}]".format(n - 1))
    return f.spec((" + ".join(live), "chk({})".format(" + ".join(live))))


def buffer_caller(f):
    """`let mut h = h0[..n].to_vec();` (`h0[1..].to_owned()`) of a slice
    left out of `wrt`, lent to `step(w, &mut h)` once, twice or in a loop,
    then `h` as another call's `w`."""
    g = f.pick(f.helpers("step"))
    n = g.params[1].length
    w = f.param(G.WParam("w", "s", f.rng.randint(n, n + 1)), True)
    h0 = f.param(G.WParam("h0", "s", n + 1), False)
    a = f.param(G.WParam("a", "f"), f.r() < 0.5)
    s0 = act(f, w)
    f.emit("let mut s = {};".format(s0[0]), "s = chk({})".format(s0[1]))

    def call(warg, buf):
        f.called(g)
        args = [warg, ("&mut " + buf, buf)]
        if g.has_c:
            c = f.c()
            args.append((rlit(c), repr(c)))
        return "{}({});".format(g.name, ", ".join(x[0] for x in args)), "{}({})".format(g.name, ", ".join(x[1] for x in args))

    def warg():
        if w.length == n or f.r() < 0.3:
            return ("w", "w") if w.length == n or f.r() < 0.5 else ("&w[..{}]".format(n), "w[:{}]".format(n))
        return "&w[1..]", "w[1:]"

    for _ in range(f.rng.randint(1, 2)):
        ctx = f.open("s")
        h = f.fresh("h")
        src = f.pick([("h0[..{}].to_vec()".format(n), "list(h0[:{}])".format(n), "h0[..n].to_vec()"),
                      ("h0[1..].to_owned()", "list(h0[1:])", "h0[1..].to_owned()"),
                      ("h0[1..{}].to_vec()".format(n + 1), "list(h0[1:{}])".format(n + 1), "h0[a..b].to_vec()")])
        f.emit("let mut {} = {};".format(h, src[0]), "{} = {}".format(h, src[1]))
        times = f.pick([1, 2, "loop"])
        if times == "loop":
            f.emit("for _ in 0..2 {", "for _ in range(0, 2):")
            f.ind += 1
        for _ in range(1 if times == "loop" else times):
            rs, py = call(warg(), h)
            f.emit(rs, py)
        if times == "loop":
            f.ind -= 1
            f.emit("}")
        what = {1: "once", 2: "twice", "loop": "in a loop of its own"}[times]
        if a.active and f.r() < 0.5:
            f.emit("{}[0] *= a;".format(h), "{h}[0] = chk({h}[0] * a)".format(h=h))
        if f.r() < 0.5:
            c2 = f.fresh("b")
            f.emit("let mut {} = h0[..{}].to_vec();".format(c2, n), "{} = list(h0[:{}])".format(c2, n))
            rs, py = call(("&" + h, h), c2)
            f.emit(rs, py)
            c3 = rlit(f.c())
            f.emit("s += {}[0] * {};".format(c2, c3), "s = chk(s + {}[0] * {})".format(c2, c3))
            what += ", then passed as the w of another step"
        f.emit("s += {h}[0] * {h}[{j}];".format(h=h, j=n - 1), "s = chk(s + {h}[0] * {h}[{j}])".format(h=h, j=n - 1))
        f.tag("a local Vec {} of a slice left out of wrt lent as a buffer {}".format(src[2], what))
        f.close("s")
    tail = ("s * a", "chk(s * a)") if a.active else ("s", "s")
    return f.spec(tail)


def first_caller(f):
    """`if let Some(e) = w.first() { .. } else { .. }` (`last()`, `get(k +
    1)`, `iter().next()`, `Some(&b)`) over a slice parameter, an array
    parameter, a local `Vec` and a local `Vec` that is empty at some
    points (`x[..k % x.len()].to_vec()`)."""
    n = f.rng.randint(2, 4)
    x = f.param(G.WParam("x", "s", n), True)
    p = f.param(G.WParam("p", "a", f.rng.randint(2, 3)), f.r() < 0.6) if f.r() < 0.6 else None
    k = f.param(G.WParam("k", "k"), False)
    s0 = act(f, x)
    f.emit("let mut s = {};".format(s0[0]), "s = chk({})".format(s0[1]))
    targets = [("x", "a slice parameter")]
    if p is not None:
        targets.append(("p", "an array parameter" + ("" if p.active else " left out of wrt")))
    if f.r() < 0.6:
        c = f.c()
        f.emit("let v: Vec<f64> = x.iter().map(|e| e * {}).collect();".format(rlit(c)),
               "v = [chk(e * {}) for e in x]".format(c))
        targets.append(("v", "a local Vec"))
    if f.r() < 0.6:
        f.emit("let u = x[..k % x.len()].to_vec();", "u = list(x[:k % len(x)])")
        targets.append(("u", "a local Vec empty at some points"))
    for _ in range(f.rng.randint(2, 3)):
        t, what = f.pick(targets)
        f.open("s")
        how = f.pick(["first", "last", "get", "get", "next"])
        pat = f.pick(["e", "&e"])
        e = "e" if pat == "&e" else "*e"
        if how == "get":
            idx = ("{} + 1".format(f.loop_var) if f.loop_var else "k + 1")
            cond_rs, cond_py = "{}.get({})".format(t, idx), ("{} < len({})".format(idx, t), "{}[{}]".format(t, idx))
        elif how == "last":
            cond_rs, cond_py = "{}.last()".format(t), ("len({}) > 0".format(t), "{}[len({}) - 1]".format(t, t))
        else:
            cond_rs = "{}.first()".format(t) if how == "first" else "{}.iter().next()".format(t)
            cond_py = ("len({}) > 0".format(t), "{}[0]".format(t))
        c = f.c()
        f.emit("if let Some({}) = {} {{".format(pat, cond_rs), "if {}:".format(cond_py[0]))
        f.emit("    s += {e} * s.sin() * {c} + {e};".format(e=e, c=rlit(c)), None)
        f.py.append("    " * f.ind + "    e = {}".format(cond_py[1]))
        f.py.append("    " * f.ind + "    s = chk(s + e * f_sin(s) * {c} + e)".format(c=c))
        has_else = f.r() < 0.6
        if has_else:
            c2 = f.c()
            f.emit("} else {", "else:")
            f.emit("    s = s * {} + x[0];".format(rlit(c2)), "    s = chk(s * {} + x[0])".format(c2))
        f.emit("}")
        f.tag("if let Some({}) = w.{}{} over {}".format(
            pat, {"first": "first()", "last": "last()", "get": "get(i + 1)", "next": "iter().next()"}[how],
            " with an else" if has_else else "", what))
        f.close("s")
    live = ["s"] + (["p[0]"] if p is not None and p.active else [])
    return f.spec((" * ".join(live), "chk({})".format(" * ".join(live))))


def reassign_caller(f):
    """A local `Vec` assigned whole with another length each round of a
    loop (`v = x[..k].to_vec();`, `v = vec![c; k];`, `v = h(&x[..k]);`),
    in a branch of the loop at times, and read after."""
    n = f.rng.randint(3, 4)
    x = f.param(G.WParam("x", "s", n), True)
    a = f.param(G.WParam("a", "f"), f.r() < 0.6)
    vm = f.helpers("vmap")
    init = f.pick([("x.to_vec()", "list(x)"), ("vec![x[1]; 2]", "[x[1]] * 2")])
    f.emit("let mut v: Vec<f64> = {};".format(init[0]), "v = {}".format(init[1]))
    f.emit("let mut s = v[0] * x[0];", "s = chk(v[0] * x[0])")
    rev = f.r() < 0.4
    f.emit("for k in {} {{".format("(1..x.len()).rev()" if rev else "1..x.len()"),
           "for k in {}:".format("reversed(range(1, len(x)))" if rev else "range(1, len(x))"))
    f.ind += 1
    branch = f.r() < 0.3
    if branch:
        t = f.c(-0.5, 0.5)
        f.emit("if s > {} {{".format(rlit(t)), "if gt(s, {}):".format(t))
        f.ind += 1
    forms = ["to_vec", "vec"] + (["helper", "helper"] if vm else [])
    form = f.pick(forms)
    c = f.c()
    if form == "to_vec":
        f.emit("v = x[..k].to_vec();", "v = list(x[:k])")
        shape = "v = x[..k].to_vec()"
    elif form == "vec":
        f.emit("v = vec![x[0] * {}; k];".format("a" if a.active else rlit(c)),
               "v = [chk(x[0] * {})] * k".format("a" if a.active else c))
        shape = "v = vec![c; k]"
    else:
        g = f.pick(vm)
        f.called(g)
        f.emit("v = {}(&x[..k]);".format(g.name), "v = {}(x[:k])".format(g.name))
        shape = "v = h(&x[..k])"
    if branch:
        f.ind -= 1
        f.emit("}")
    if f.r() < 0.4:
        f.emit("v[0] *= x[1];", "v[0] = chk(v[0] * x[1])")
    f.emit("s += v.iter().sum::<f64>() * {} + v[v.len() - 1] * x[0];".format(rlit(c)),
           "s = chk(s + sum(v, -0.0) * {} + v[len(v) - 1] * x[0])".format(c))
    f.ind -= 1
    f.emit("}")
    f.where = "in a loop"
    f.tag("a Vec assigned whole with another length, {}{}{}".format(
        shape, ", k falling" if rev else "", ", in a branch" if branch else ""))
    f.where = "straight-line"
    tail = "s + v[0]" + (" * a" if a.active else "")
    return f.spec((tail, "chk({})".format(tail)))


def svec_caller(f):
    """`let y = *y0;` of a `&SVector<f64, N>`, `u.clone_from_slice(&v)`
    (whole and a range), `u.swap(i, j)` (also in a loop) and `m[r].swap(i,
    j)` of a row of a 2-D local."""
    ny = f.rng.randint(2, 3)
    y0 = f.param(SVec("y0", ny), f.r() < 0.7)
    n = f.rng.randint(2, 4)
    x = f.param(G.WParam("x", "s", n), True)
    a = f.param(G.WParam("a", "f"), f.r() < 0.6, mut=f.r() < 0.3)
    f.emit("let y = *y0;", "y = y0")
    c = f.c()
    f.emit("let mut s = y[0] * {} + x[0];".format(rlit(c)), "s = chk(y[0] * {} + x[0])".format(c))
    f.tags.append("let y = *y0 of a &SVector<f64, N> {}".format("in wrt" if y0.active else "left out of wrt"))
    if a.mut:
        f.emit("a = a * y[{}] + 0.2;".format(ny - 1), "a = chk(a * y[{}] + 0.2)".format(ny - 1))
    f.emit("let mut u = x.to_vec();", "u = list(x)")
    f.emit("let mut v = vec![0.0; x.len()];", "v = [0.0] * len(x)")
    f.emit("for i in 0..u.len() {", "for i in range(0, len(u)):")
    f.emit("    v[i] = (u[i] * a).cos() + y[{}];".format(ny - 1), "    v[i] = chk(f_cos(u[i] * a) + y[{}])".format(ny - 1))
    f.emit("}")
    kinds = f.rng.sample(["clone", "clone_range", "swap", "swap_loop", "row_swap"], 3)
    for kind in kinds:
        if kind == "clone":
            f.emit("u.clone_from_slice(&v);", "u[:] = list(v)")
            f.tags.append("u.clone_from_slice(&v) of a local Vec")
        elif kind == "clone_range":
            f.emit("u[1..].clone_from_slice(&v[..x.len() - 1]);", "u[1:] = list(v[:len(x) - 1])")
            f.tags.append("u[1..].clone_from_slice(&v[..n - 1])")
        elif kind == "swap":
            i, j = f.rng.sample(range(n), 2)
            f.emit("u.swap({}, {});".format(i, j), "u[{i}], u[{j}] = u[{j}], u[{i}]".format(i=i, j=j))
            f.tags.append("u.swap(i, j) of an active Vec")
        elif kind == "swap_loop":
            f.emit("for t in 0..2 {", "for t in range(0, 2):")
            f.emit("    let m = u.len();", "    m = len(u)")
            f.emit("    u.swap(t % m, (t + 1) % m);", "    u[t % m], u[(t + 1) % m] = u[(t + 1) % m], u[t % m]")
            f.emit("    u[0] += v[t % m] * {};".format(rlit(c)), "    u[0] = chk(u[0] + v[t % m] * {})".format(c))
            f.emit("}")
            f.tags.append("u.swap(t % n, (t + 1) % n) in a loop")
        else:
            arrs = f.r() < 0.5
            g = f.fresh("g")
            rows = []
            for r in range(3):
                es = ["u[{}] * {}".format(rr % n, rlit(f.c())) if (r + rr) % 2 == 0 else rlit(f.c()) for rr in range(3)]
                rows.append(es)
            rrs = ", ".join(("[" if arrs else "vec![") + ", ".join(es) + "]" for es in rows)
            rpy = ", ".join("[" + ", ".join("chk({})".format(e) for e in es) + "]" for es in rows)
            f.emit("let mut {} = {}[{}];".format(g, "" if arrs else "vec!", rrs), "{} = [{}]".format(g, rpy))
            r = f.rng.randint(0, 2)
            i, j = f.rng.sample(range(3), 2)
            f.emit("{}[{}].swap({}, {});".format(g, r, i, j),
                   "{g}[{r}][{i}], {g}[{r}][{j}] = {g}[{r}][{j}], {g}[{r}][{i}]".format(g=g, r=r, i=i, j=j))
            f.emit("s += {g}[{r}][0] * {g}[{r}][1] + {g}[{r2}][2];".format(g=g, r=r, r2=(r + 1) % 3),
                   "s = chk(s + {g}[{r}][0] * {g}[{r}][1] + {g}[{r2}][2])".format(g=g, r=r, r2=(r + 1) % 3))
            f.tags.append("m[r].swap(i, j) of a row of a {} local".format("[[f64; 3]; 3]" if arrs else "Vec<Vec<f64>>"))
    f.emit("s += u[0] * u[{}] + v[1 % v.len()] * x[{}];".format(n - 1, n - 1),
           "s = chk(s + u[0] * u[{}] + v[1 % len(v)] * x[{}])".format(n - 1, n - 1))
    tail = "s * y[1]" + (" + a" if a.active else "")
    return f.spec((tail, "chk({})".format(tail)))


CALLERS = {"pair": pair_caller, "owned": owned_caller, "step": buffer_caller, "vmap": reassign_caller}


def audit_fn(rng, name, callees):
    """One function of the batch: a helper where its callers have none yet
    (or at times anyway), else a caller."""
    f = Fn(rng, name, callees)
    have = {g.audit for g in f.callees}
    kind = rng.choice(["pair", "owned", "step", "vmap", "first", "svec", "rows3", "rows3"])
    if kind == "first":
        return first_caller(f)
    if kind == "svec":
        return svec_caller(f)
    if kind == "rows3":
        return rows3_fn(f)
    if kind not in have or rng.random() < 0.25:
        return HELPERS[kind](f)
    return CALLERS[kind](f)


def case_entry(lines, spec):
    """The `Case` lines with a `DVector<f64>` parameter passed by value and
    a `&[[f64; 3]]` one as a borrowed `[[f64; 3]; R]`."""
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            continue
        at, srcs = (zat, "zd") if p.in_z() else (qat, "q")
        rng = r"&([{}])\[{}\.\.{}\]".format(srcs, at, at + p.size())
        if getattr(p, "owned", False):
            lines = [re.sub(r"&DVector::from_column_slice\({}\)".format(rng), r"DVector::from_column_slice(&\1[{}..{}])"
                            .format(at, at + p.size()), line) for line in lines]
        elif getattr(p, "slice_rows", False):
            lines = [re.sub(r"\barr2\({}\)".format(rng), r"&arr2::<3, {}>(&\1[{}..{}])".format(p.rows, at, at + p.size()),
                            line) for line in lines]
        if p.in_z():
            zat += p.size()
        else:
            qat += p.size()
    return lines
