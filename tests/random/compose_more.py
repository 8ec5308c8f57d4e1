"""The `compose` family's fourth batch of constructs (`compose.py` writes
them; its docstring lists them): helpers with inactive `Option<&[f64]>`,
`Option<&Vec<f64>>` and `Option<&f64>` parameters and their callers,
`std::mem`'s functions by bare names and `Default::default()`, a buffer
lent to a helper's slice parameter, rows of 2-D data taken by iteration
(the batch's functions generic over `T: Real` are `compose_generic.py`'s).
Kept apart from `compose.py` so that each file stays readable."""

import re

import generate as G
from generate import E, binop, var


# ----- parameters of the batch's own types ---------------------------------------

class OptParam(G.WParam):
    """`w: Option<&[f64]>` (kind 's'), `Option<&Vec<f64>>` ('v') or
    `Option<&f64>` ('f'), always left out of `wrt`: the harness passes
    `Some(..)` of its inactive values at odd k and `None` at even k."""

    opt = True

    def ty(self):
        return {"s": "Option<&[f64]>", "v": "Option<&Vec<f64>>", "f": "Option<&f64>"}[self.kind]


OPT_NAME = {"s": "Option<&[f64]>", "v": "Option<&Vec<f64>>", "f": "Option<&f64>"}


def rlit(c):
    return G.rust_float(c)


# ----- helpers with an inactive option -------------------------------------------

def opt_helper(rng, name, callees):
    """`fn h(a: f64, x: &[f64], w: Option<..>, k: usize) -> f64` with
    `wrt(a, x)`: `w` read by `if let Some(w) = w`, `match w { Some(w) =>
    .., None => .. }` (also `None` first), `k` by `matches!(k, 1 | 2)`,
    straight-line, in a loop over `x` and in a branch; `w` passed on to an
    earlier such helper as it is, as `None`, or re-wrapped
    (`Some(&w[1..])`)."""
    kind = rng.choice("ssvf")
    m = rng.randint(2, 3) if kind != "f" else 0
    n = rng.randint(2, 4)
    a = G.WParam("a", "f")
    x = G.WParam("x", "s", n)
    w = OptParam("w", kind, m)
    k = G.WParam("k", "k")
    a.active = x.active = True
    params = [a, x, w, k]
    rs, py, tags = [], [], []
    depth = [0]

    def emit(ind, r, p=None):
        rs.append("    " * ind + r)
        if p is not None:
            py.append("    " * ind + p)

    def c(lo=0.2, hi=0.9):
        return round(rng.uniform(lo, hi), 2)

    def ae(i=None):
        """An active expression: (rust, python)."""
        xi = "x[{}]".format(i if i is not None else rng.randint(0, n - 1))
        f = rng.choice(["sin", "cos", "tanh"])
        cc = c()
        return rng.choice([
            ("a * {}".format(xi), "(a * {})".format(xi)),
            ("({} + {}).{}()".format(xi, cc, f), "f_{}({} + {})".format(f, xi, cc)),
            ("{} * a.{}()".format(xi, f), "({} * f_{}(a))".format(xi, f)),
            ("({} - {})".format(xi, cc), "({} - {})".format(xi, cc)),
        ])

    def wread(v="w"):
        if kind == "f":
            return "*" + v, v
        j = rng.randint(0, m - 1)
        return "{}[{}]".format(v, j), "{}[{}]".format(v, j)

    subs = [g for g in callees if getattr(g, "opt_kind", None) == kind and g.params[1].length <= n
            and (kind == "f" or g.params[2].length <= m)]
    kinds = rng.choices(["if_let", "match", "match_none", "matches", "pass"], [3, 2, 1.5, 2, 2], k=rng.randint(2, 3))
    if not any(kd in ("if_let", "match", "match_none") for kd in kinds):
        kinds.append(rng.choice(["if_let", "match"]))
    s0 = ae()
    emit(1, "let mut s = {};".format(s0[0]), "s = chk({})".format(s0[1]))
    for kd in kinds:
        if kd == "pass" and not subs:
            kd = "if_let"
        ctx = rng.choice(["straight", "straight", "loop", "branch"])
        ind, i = 1, None
        if ctx == "loop":
            emit(1, "for i in 0..x.len() {", "for i in range(0, len(x)):")
            ind, i = 2, "i"
        elif ctx == "branch":
            t = c(-0.5, 0.5)
            emit(1, "if s > {} {{".format(rlit(t)), "if gt(s, {}):".format(t))
            ind = 2
        where = {"straight": "straight-line", "loop": "in a loop", "branch": "in a branch"}[ctx]
        if kd == "if_let":
            r, p = wread()
            e = ae(i)
            emit(ind, "if let Some(w) = w {", "if w is not None:")
            emit(ind + 1, "s += {} * {};".format(r, e[0]), "s = chk(s + {} * {})".format(p, e[1]))
            if rng.random() < 0.4:
                e2 = ae(i)
                emit(ind, "} else {", "else:")
                cc = c()
                emit(ind + 1, "s -= {} * {};".format(cc, e2[0]), "s = chk(s - {} * {})".format(cc, e2[1]))
            emit(ind, "}")
            tags.append("{} read by if let Some(w) = w {}".format(OPT_NAME[kind], where))
        elif kd in ("match", "match_none"):
            r, p = wread()
            e, e2 = ae(i), ae(i)
            t = "t" + str(len(rs))
            some = ("Some(w) => {} * {},".format(r, e[0]), "{} * {}".format(p, e[1]))
            none = ("None => {},".format(e2[0]), e2[1])
            emit(ind, "let {} = match w {{".format(t), "{} = chk({} if w is not None else {})".format(t, some[1], none[1]))
            for arm in ([none, some] if kd == "match_none" else [some, none]):
                emit(ind + 1, arm[0])
            emit(ind, "};")
            cc = c()
            emit(ind, "s = s * {} + {};".format(cc, t), "s = chk(s * {} + {})".format(cc, t))
            tags.append("{} read by match w {{ {} }} {}".format(
                OPT_NAME[kind], "None => .., Some(w) => .." if kd == "match_none" else "Some(w) => .., None => ..",
                where))
        elif kd == "matches":
            ks = sorted(rng.sample(range(0, 5), 2))
            e = ae(i)
            cc = c()
            if rng.random() < 0.5:
                emit(ind, "if matches!(k, {} | {}) {{".format(*ks), "if k in ({}, {}):".format(*ks))
            else:
                q = "q" + str(len(rs))
                emit(ind, "let {} = matches!(k, {} | {});".format(q, *ks), "{} = k in ({}, {})".format(q, *ks))
                emit(ind, "if {} {{".format(q), "if {}:".format(q))
            emit(ind + 1, "s = s * {} + {};".format(cc, e[0]), "s = chk(s * {} + {})".format(cc, e[1]))
            emit(ind, "}")
            tags.append("matches!(k, a | b) on an inactive integer {}".format(where))
        else:
            g = rng.choice(subs)
            depth[0] = max(depth[0], g.call_depth + 1)
            aa = rng.choice([("a", "a"), ae(i)])
            xa = rng.choice([("x", "x"), ("&x[..]", "x")])
            form = rng.choice(["as it is", "None", "re-wrapped"])
            cc = c()
            if form == "re-wrapped":
                emit(ind, "if let Some(w) = w {", "if w is not None:")
                if kind == "f":
                    warg = ("Some(w)", "w")
                elif kind == "v" or m == g.params[2].length or rng.random() < 0.4:
                    warg = ("Some(w)", "w") if kind == "v" else ("Some(&w[..])", "w")
                else:
                    warg = ("Some(&w[1..])", "w[1:]")
                ind += 1
            else:
                warg = ("w", "w") if form == "as it is" else ("None", "None")
            emit(ind, "s += {} * {}({}, {}, {}, k);".format(cc, g.name, aa[0], xa[0], warg[0]),
                 "s = chk(s + {} * {}({}, {}, {}, k))".format(cc, g.name, aa[1], xa[1], warg[1]))
            if form == "re-wrapped":
                ind -= 1
                emit(ind, "}")
            tags.append("{} passed on to a helper {} ({}) {}".format(OPT_NAME[kind], form, warg[0], where))
        if ctx != "straight":
            emit(1, "}")
    tail = rng.choice([("s", "s"), ("s * a", "(s * a)"), ("s + a.sin()", "(s + f_sin(a))")])
    emit(1, tail[0], "return chk({})".format(tail[1]))
    rust = "#[differentiate(wrt(a, x))]\nfn {}(a: f64, x: &[f64], w: {}, k: usize) -> f64 {{\n{}\n}}\n".format(
        name, w.ty(), "\n".join(rs))
    python = "def {}(a, x, w, k):\n{}\n".format(name, "\n".join(py))
    tags.append("helper with an inactive {} parameter".format(OPT_NAME[kind]))
    if depth[0]:
        tags.append("calls (depth {})".format(depth[0]))
    spec = G.CallsSpec(name, params, "f", 0, rust, python, depth[0], tags)
    spec.opt_kind = kind
    return spec


# ----- the harness ---------------------------------------------------------------

def case_entry(spec):
    """`calls_case_entry`, with an option parameter's inactive values
    passed as `Some(..)` at odd k and `None` at even k."""
    lines = G.calls_case_entry(spec)
    qat = 0
    for p in spec.params:
        if p.kind == "k" or p.in_z():
            continue
        if getattr(p, "opt", False):
            if p.kind == "f":
                pat, new = r"(?<![\w&])q\[{}\]".format(qat), "(k % 2 == 1).then_some(&q[{}])".format(qat)
            elif p.kind == "s":
                pat = r"&q\[{}\.\.{}\]".format(qat, qat + p.length)
                new = "(k % 2 == 1).then_some(&q[{}..{}])".format(qat, qat + p.length)
            else:
                pat = r"q\[{}\.\.{}\]\.to_vec\(\)".format(qat, qat + p.length)
                new = "(k % 2 == 1).then_some(&q[{}..{}].to_vec())".format(qat, qat + p.length)
            lines = [re.sub(pat, new, line) for line in lines]
        qat += p.size()
    return lines


def with_options(fn, spec, k):
    """The twin `fn` given `None` for the option parameters at even k."""
    slots = [i for i, p in enumerate(spec.params) if getattr(p, "opt", False)]
    if not slots or k % 2 == 1:
        return fn
    return lambda *args: fn(*[None if i in slots else a for i, a in enumerate(args)])


# ----- the callers' constructs (mixed into `ComposeGen`) ---------------------------

class MoreConstructs:
    """Statements of the batch for `ComposeGen` (which lists them in
    CONSTRUCTS and FOURTH)."""

    # ----- option arguments ------------------------------------------------------

    def opt_arg(self, p):
        """`None`, `Some(v)`, `Some(&v[..])` of inactive values for a
        helper's option parameter `p`."""
        fixed = self.fixed_inactive()
        opts = [("None", "None", "None")]
        if p.kind == "f":
            opts += [("Some(&{})".format(q.name), q.name, "Some(&b) of an f64 left out of wrt")
                     for q in fixed if q.kind == "f" and q.name in self.scalars]
            cc = self.const(0.2, 1.2)
            opts.append(("Some(&{})".format(cc), repr(cc), "Some(&c)"))
        elif p.kind == "s":
            for q in fixed:
                if q.kind in "sav" and q.length >= p.length:
                    self.used.add(q.name)
                    if q.kind == "s":
                        opts.append(("Some({})".format(q.name), q.name, "Some(v) of a slice left out of wrt"))
                    opts.append(("Some(&{}[..])".format(q.name), q.name, "Some(&v[..]) of a parameter left out of wrt"))
                    if q.length > p.length:
                        opts.append(("Some(&{}[1..])".format(q.name), "{}[1:]".format(q.name),
                                     "Some(&v[1..]) of a parameter left out of wrt"))
            cs = [self.const(0.2, 1.2) for _ in range(p.length)]
            opts.append(("Some(&[{}][..])".format(", ".join(rlit(v) for v in cs)), repr(cs), "Some(&[..][..])"))
        else:
            for q in fixed:
                if q.kind == "v" and q.length >= p.length:
                    opts.append(("Some(&{})".format(q.name), q.name, "Some(&v) of a Vec left out of wrt"))
            for a in self.arrays:
                if getattr(a, "inactive", False) and a.length >= p.length:
                    opts.append(("Some(&{})".format(a.name), a.name, "Some(&v) of a local Vec of constants"))
        rs, py, what = self.pick(opts)
        for q in fixed:
            if re.search(r"\b{}\b".format(q.name), rs):
                self.used.add(q.name)
        self.ctag("arg {}: {} {}".format(OPT_NAME[p.kind], what, self.where()))
        return rs, py

    def opt_call_stmt(self):
        """A call of a helper with an option parameter, bound and read."""
        cands = [g for g in self.callees if getattr(g, "opt_kind", None) and self.feasible(g)]
        if not cands or self.n_calls >= self.max_calls - 1:
            return self.call_scalar_stmt()
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g)
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        self.declare_scalar(d, False)
        self.wrote(d)
        self.sink(d)
        self.ctag("call of a helper with an option parameter {}".format(self.where()))

    # ----- std::mem by bare names, Default::default() -----------------------------

    def mem_stmt(self):
        """`swap`, `replace`, `take` by bare names (the body's `use
        std::mem::{..};` or the module's), `std::mem::take(&mut u)` and `u
        = Default::default();` of an active local f64, array or `Vec`, in
        a loop of their own or once, the local read after."""
        what = self.pick(["swap", "replace", "take", "take", "default", "default"])
        kind = self.pick(["vec", "arr", "f64"])
        n = self.rng.randint(2, 4)
        u = self.active_local("mu", kind, n)
        vec = kind == "vec"
        path = ""
        how = "the module's use"
        if what == "take" and self.r() < 0.4:
            path, how = "std::mem::", "by its path"
        elif what != "default" and self.r() < 0.5 and not getattr(self, "body_use", False):
            # (once a function: two `use`s of one name in a block are E0252)
            self.body_use = True
            self.emit("use std::mem::{};".format(self.pick([what, "{swap, replace, take}", "{%s, swap}" % what
                                                            if what != "swap" else "{swap, take}"])))
            how = "the body's use"
        loop = self.r() < 0.5
        if loop:
            k = self.rng.randint(2, 3)
            self.emit("for _ in 0..{} {{".format(k), "for _ in range(0, {}):".format(k))
            self.ind += 1
        c = self.const(0.3, 0.9)
        zero = {"f64": "0.0", "arr": "[0.0] * {}".format(n), "vec": "[]"}[kind]
        if what == "swap":
            w = self.fresh("mw")
            if kind == "f64":
                e = self.typed(self.act_expr())
                self.emit("let mut {} = {};".format(w, e.rs), "{} = chk({})".format(w, e.py))
                self.emit("{}swap(&mut {}, &mut {});".format(path, u, w), "{u}, {w} = {w}, {u}".format(u=u, w=w))
                self.emit("{u} = {c} * {u} + {w}.sin();".format(u=u, w=w, c=c),
                          "{u} = chk({c} * {u} + f_sin({w}))".format(u=u, w=w, c=c))
            else:
                parts = ["{} * {}[{}] + {}[{}].sin()".format(c, u, (j + 1) % n, u, j) for j in range(n)]
                pparts = ["chk({} * {}[{}] + f_sin({}[{}]))".format(c, u, (j + 1) % n, u, j) for j in range(n)]
                self.emit("let mut {} = {}[{}];".format(w, "vec!" if vec else "", ", ".join(parts)),
                          "{} = [{}]".format(w, ", ".join(pparts)))
                self.emit("{}swap(&mut {}, &mut {});".format(path, u, w), "{u}, {w} = {w}, {u}".format(u=u, w=w))
                self.emit("{u}[0] += 0.5 * {w}[{j}];".format(u=u, w=w, j=n - 1),
                          "{u}[0] = chk({u}[0] + 0.5 * {w}[{j}])".format(u=u, w=w, j=n - 1))
        elif what == "replace":
            old = self.fresh("old")
            if kind == "f64":
                t = self.fresh("t")
                e = self.typed(self.act_expr())
                self.emit("let {} = {} * {} + {};".format(t, c, u, G.par(e, G.ADD + 1)),
                          "{} = chk({} * {} + {})".format(t, c, u, e.py))
                self.emit("let {} = {}replace(&mut {}, {});".format(old, path, u, t), "{o}, {u} = {u}, {t}".format(
                    o=old, u=u, t=t))
                self.emit("{u} += 0.5 * {o}.sin();".format(u=u, o=old), "{u} = chk({u} + 0.5 * f_sin({o}))".format(u=u, o=old))
            else:
                t = self.fresh("t")
                parts = ["{} * {}[{}] + {}[{}].cos()".format(c, u, (j + 1) % n, u, j) for j in range(n)]
                pparts = ["chk({} * {}[{}] + f_cos({}[{}]))".format(c, u, (j + 1) % n, u, j) for j in range(n)]
                self.emit("let {} = {}[{}];".format(t, "vec!" if vec else "", ", ".join(parts)),
                          "{} = [{}]".format(t, ", ".join(pparts)))
                self.emit("let {} = {}replace(&mut {}, {});".format(old, path, u, t), "{o}, {u} = {u}, {t}".format(
                    o=old, u=u, t=t))
                j = self.rng.randint(0, n - 1)
                self.emit("{u}[{j}] += 0.5 * {o}[{i}];".format(u=u, j=j, o=old, i=n - 1 - j),
                          "{u}[{j}] = chk({u}[{j}] + 0.5 * {o}[{i}])".format(u=u, j=j, o=old, i=n - 1 - j))
        else:
            # take or Default::default(): the local is emptied (zeros, an
            # empty `Vec`), then refilled from what it held
            old = self.fresh("old")
            if what == "take" and self.r() < 0.7:
                self.emit("let {} = {}take(&mut {});".format(old, path, u), "{o}, {u} = {u}, {z}".format(
                    o=old, u=u, z=zero))
                shape = "let old = take(&mut u)"
            else:
                self.emit("let {} = {}{};".format(old, u, ".clone()" if vec else ""),
                          "{} = {}".format(old, "list({})".format(u) if kind != "f64" else u))
                if what == "take":
                    self.emit("{}take(&mut {});".format(path, u), "{} = {}".format(u, zero))
                    shape = "take(&mut u); as a statement"
                else:
                    self.emit("{} = Default::default();".format(u), "{} = {}".format(u, zero))
                    shape = "u = Default::default()"
            if kind == "f64":
                self.emit("{u} += {c} * {o} + {o}.sin();".format(u=u, c=c, o=old),
                          "{u} = chk({u} + {c} * {o} + f_sin({o}))".format(u=u, c=c, o=old))
            else:
                for j in range(n):
                    e = "{} * {}[{}] + {}[{}].sin()".format(c, old, (j + 1) % n, old, j)
                    pe = "chk({} * {}[{}] + f_sin({}[{}]))".format(c, old, (j + 1) % n, old, j)
                    if vec:
                        self.emit("{}.push({});".format(u, e), "{}.append({})".format(u, pe))
                    else:
                        self.emit("{}[{}] += {};".format(u, j, e), "{u}[{j}] = chk({u}[{j}] + {e})".format(u=u, j=j, e=pe))
            what = shape
        if loop:
            self.ind -= 1
            self.emit("}")
        self.ctag("std::mem {} of {} ({}){} {}".format(
            what, {"f64": "an f64", "vec": "a Vec<f64>", "arr": "a [f64; N]"}[kind],
            how if "Default" not in what else "no path", " in a loop" if loop else "", self.where()))
        self.declare_local(u, kind, n)

    def active_local(self, prefix, kind, n, name=None):
        """`let mut u = ..;`: a new active local f64 (`kind` "f64"), `[f64;
        n]` ("arr") or `Vec<f64>` ("vec") named `name` or a fresh name;
        the name."""
        u = name or self.fresh(prefix)
        if kind == "f64":
            init = self.typed(self.act_expr())
            self.emit("let mut {} = {};".format(u, init.rs), "{} = chk({})".format(u, init.py))
        else:
            es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(n - 1)]
            self.emit("let mut {} = {}[{}];".format(u, "vec!" if kind == "vec" else "", ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(u, ", ".join("chk(" + e.py + ")" for e in es)))
        return u

    def declare_local(self, u, kind, n):
        """The local of `active_local` in scope for what follows, and read."""
        if kind == "f64":
            self.declare_scalar(u, False)
            self.wrote(u)
            self.sink(u)
            return
        vec = kind == "vec"
        arr = G.carray(u, n, "lv" if vec else "la", writable=True, write_len=G.ilit(n) if vec else G.ilen(u))
        arr.surely_active = True
        self.declare_array(arr)
        self.consume_array(arr)

    # ----- a buffer lent to a slice parameter -----------------------------------

    def lend_stmt(self):
        """The function's `&mut [f64]` buffer `d` (or an active local
        buffer) lent to a helper's `&[f64]` parameter as `&d[..]`, `&*d`
        or `&d`: bound, or written back into the buffer (`d[i] = c * d[i]
        + h(&*d, ..)`)."""
        bufs = []
        if self.own_buf is not None:
            bufs.append((self.own_buf.name, self.own_buf.length, "the function's &mut [f64] buffer"))
        bufs += [(a.name, a.length, "an active local " + ("Vec" if a.akind == "lv" else "array"))
                 for a in self.arrays if getattr(a, "akind", None) in ("lv", "la") and a.writable and a.fixed
                 and getattr(a, "surely_active", False)]
        opts = []
        for g in self.callees:
            if g.out != "f" or not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if p.kind == "s" and p.active and self.feasible(g, skip=i):
                    opts += [(g, i, b) for b in bufs if b[1] >= p.length]
        if not opts or self.n_calls >= self.max_calls - 1:
            return self.call_scalar_stmt()
        g, slot, (name, n, what) = self.pick(opts)
        own = self.own_buf is not None and name == self.own_buf.name
        if own:
            self.own_buf_passed = True
        self.used.add(name)
        self.prepare(g, skip=slot)
        # (`&*a` derefs a `Vec` or the `&mut [f64]` buffer, not an array.)
        forms = ["&{}[..]", "&{}"] if what.endswith("array") else ["&{}[..]", "&*{}", "&{}"]
        form = self.pick(forms).format(name)
        if not own and form == "&*" + name and self.r() < 0.5:
            form = "&{}[..]".format(name)
        rs, py = self.call_text(g, state=(slot, form, name))
        c = self.const(0.3, 0.9)
        if self.r() < 0.5:
            i = self.rng.randint(0, n - 1)
            self.emit("{d}[{i}] = {c} * {d}[{i}] + {call};".format(d=name, i=i, c=c, call=rs),
                      "{d}[{i}] = chk({c} * {d}[{i}] + {call})".format(d=name, i=i, c=c, call=py))
            shape = "written back into it"
            if not own:
                self.mark_written(name)
        else:
            s = self.fresh("s")
            self.emit("let {} = {};".format(s, rs), "{} = {}".format(s, py))
            self.declare_scalar(s, False)
            self.wrote(s)
            self.sink(s)
            shape = "bound"
        self.ctag("{} lent to a helper's &[f64] as {}, {} {}".format(what, form.replace(name, "u"), shape,
                                                                    self.where()))

    # ----- rows of 2-D data by iteration ------------------------------------------

    def row_iter_stmt(self):
        """`for row in m.iter()` (`for row in m`, `for row in &m`) over a
        2-D array, `row[j]` read, `row.iter().sum::<f64>()`, `row` passed to
        a helper's `&[f64]` parameter."""
        if not self.grids:
            kind = self.pick("mn")
            rows, cols = self.rng.randint(2, 3), self.rng.randint(2, 4)
            g = self.fresh("rg")
            rrs, rpy = [], []
            for r in range(rows):
                es = [self.typed(self.act_expr()) if c == 0 and r == 0 else self.typed(self.expr(1)) for c in range(cols)]
                rrs.append(("vec!" if kind == "m" else "") + "[" + ", ".join(e.rs for e in es) + "]")
                rpy.append("[" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
            self.emit("let {} = {}[{}];".format(g, "vec!" if kind == "m" else "", ", ".join(rrs)),
                      "{} = [{}]".format(g, ", ".join(rpy)))
            self.declare_grid(G.Grid(g, rows, cols, kind))
        grid = self.pick(self.grids)
        self.used.add(grid.name)
        srcs = ["{}.iter()"]
        if grid.param is not None and grid.kind == "m":
            srcs.append("{}")
        else:
            srcs.append("&{}")
        src = self.pick(srcs).format(grid.name)
        acc = self.ensure_mut()
        self.mark_written(acc)
        opts = []
        if self.n_calls < self.max_calls - 1 and len(self.loops) < 2:
            for h in self.callees:
                if h.out != "f" or not self.vec_ok(h):
                    continue
                for i, p in enumerate(h.params):
                    # (not an `Option<&[f64]>`, whose kind is "s" too)
                    if p.kind == "s" and not isinstance(p, OptParam) \
                            and (p.active or grid.param is not None and not grid.param.active) \
                            and p.length <= grid.cols and self.feasible(h, skip=i):
                        opts.append((h, i))
        how = self.pick(["elem", "elem", "sum"] + (["call", "call"] if opts else []))
        row = self.fresh("row")
        self.emit("for {} in {} {{".format(row, src), "for {} in {}:".format(row, grid.name))
        self.loops.append("for")
        self.push()
        callees, self.callees = self.callees, []
        if how == "elem":
            j = self.rng.randint(0, grid.cols - 1)
            e = binop("*", E("{}[{}]".format(row, j), G.ATOM, "{}[{}]".format(row, j), True), self.expr(1))
            self.assign(acc, "+", e)
            what = "row[j] read"
        elif how == "sum":
            e = binop("*", E("{}.iter().sum::<f64>()".format(row), G.ATOM, "sum({}, -0.0)".format(row), True),
                      self.bounded(self.expr(1)))
            self.assign(acc, "+", e)
            what = "row.iter().sum::<f64>()"
        else:
            self.callees = callees
            h, slot = self.pick(opts)
            rs, py = self.call_text(h, state=(slot, row, row))
            self.callees = []
            self.assign(acc, "+", binop("*", G.lit(self.const(0.2, 0.9)), E(rs, G.ATOM, py, True)))
            what = "row passed to a helper's &[f64]"
        self.callees = callees
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.used.add(acc)
        self.wrote(acc)
        active = grid.param is None or grid.param.active
        self.ctag("for row in {} over a {} ({}): {} {}".format(
            src.replace(grid.name, "m"), grid.what(), "active" if active else "left out of wrt", what, self.where()))
