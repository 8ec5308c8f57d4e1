"""The `compose` family's functions generic over `T: Real` (`compose.py`
writes them; its docstring lists them): helpers over `T`, `&[T]`, `Vec<T>`,
`[T; N]`, `&DVector<T>`, `DVector<T>` by value and `&DMatrix<T>`, returning
`T`, `Vec<T>`, `[T; N]` or `DVector<T>`, calling each other, and callers of
the same form at `T = f64` (written with `f64` and literals), which
instantiate the generic helpers at `f64`. Kept apart from `compose.py` so
that each file stays readable."""

import generate as G

# The share of generic functions with a `DVector<T>` parameter (by value in
# GENERIC_OWNED_P of them), with a `&DMatrix<T>` one, and with a
# `DVector<T>` result; and the share written at `T = f64` (callers of the
# generic ones at `f64`).
GENERIC_V_P = 0.6
GENERIC_OWNED_P = 0.4
GENERIC_M_P = 0.25
GENERIC_VOUT_P = 0.25
GENERIC_F64_P = 0.3
# Lines a function with nalgebra parameters or result may have beyond the
# family's limit.
GENERIC_EXTRA_LINES = 6


class GenericParam(G.WParam):
    """A parameter of a function generic over `T: Real` (or of one written
    at `T = f64`, `concrete`): kind 'f', 's', 'v', 'a' as the `calls`
    family's, 'V' a `&DVector<T>` (`DVector<T>` by value if `owned`, which
    `compose_audit.case_entry` passes so) and 'M' a `&DMatrix<T>`."""

    owned = False
    concrete = False
    decl_mut = False

    def ty(self):
        t = "f64" if self.concrete else "T"
        return {"f": "{t}", "s": "&[{t}]", "v": "Vec<{t}>", "a": "[{t}; {n}]",
                "V": "DVector<{t}>" if self.owned else "&DVector<{t}>", "M": "&DMatrix<{t}>"}[self.kind].format(
                    t=t, n=self.length)

    def what(self):
        """The type for the tags (`T`, lengths as `N`)."""
        return {"f": "T", "s": "&[T]", "v": "Vec<T>", "a": "[T; N]",
                "V": "DVector<T>" if self.owned else "&DVector<T>", "M": "&DMatrix<T>"}[self.kind]

    def ref(self):
        """The parameter as a reference (`u` or `&u`)."""
        return "&" + self.name if self.owned else self.name

    def last(self):
        """Its last element (`x[n - 1]`, `w[(r - 1, c - 1)]`)."""
        if self.kind == "M":
            return "{}[({}, {})]".format(self.name, self.rows - 1, self.cols - 1)
        return "{}[{}]".format(self.name, self.length - 1)


def rlit(c):
    return G.rust_float(c)


def generic_fn(rng, name, callees):
    """`fn g<T: Real>(..)` over `T`, `&[T]`, `Vec<T>`, `[T; N]`,
    `&DVector<T>`, `DVector<T>` (by value, at times `mut` and written before
    the calls) and `&DMatrix<T>` (some left out of `wrt`), returning `T`,
    `Vec<T>`, `[T; N]` or `DVector<T>`: loops, branches, products, scalings
    and dots of the nalgebra values, calls of earlier generic helpers (whose
    `T` is the caller's) with nalgebra arguments of every source (the
    caller's parameters, `from_column_slice` of its arrays, scaled values,
    locals written by element, then lent or moved), straight-line, in loops
    and in branches, constants `T::from_f64(c)`. GENERIC_F64_P of them are
    written at `T = f64` and call the generic ones at `f64`. Tested with T =
    f64."""
    concrete = rng.random() < GENERIC_F64_P
    params = [GenericParam("a", "f")]
    if rng.random() < 0.4:
        params.append(GenericParam("b", "f"))
    if rng.random() < 0.8:
        params.append(GenericParam("x", "s", rng.randint(2, 4)))
    if rng.random() < 0.45:
        params.append(GenericParam("v", "v", rng.randint(2, 3)))
    if rng.random() < 0.45:
        params.append(GenericParam("p", "a", rng.randint(2, 3)))
    # (at times as long as a helper's, which can then be given it)
    lens = [q.length for g in callees if getattr(g, "generic", False) for q in g.params if q.kind == "V"]
    if rng.random() < GENERIC_V_P:
        u = GenericParam("u", "V", rng.choice(lens) if lens and rng.random() < 0.5 else rng.randint(2, 3))
        u.owned = rng.random() < GENERIC_OWNED_P
        params.append(u)
    if rng.random() < GENERIC_M_P:
        w = GenericParam("w", "M")
        w.rows, w.cols = rng.randint(2, 3), rng.randint(2, 3)
        w.length = w.rows * w.cols
        params.append(w)
    rng.shuffle(params)
    for p in params:
        p.active = rng.random() < 0.7
        p.concrete = concrete
    if not any(p.active for p in params):
        rng.choice(params).active = True
    by = {p.name: p for p in params}
    act = [p for p in params if p.active]
    vecs = [p for p in params if p.kind == "V"]
    rs, py, tags = [], [], []
    depth = 0
    at = " (at f64)" if concrete else ""

    def emit(ind, r, p=None):
        rs.append("    " * ind + r)
        if p is not None:
            py.append("    " * ind + p)

    def c(lo=0.2, hi=0.9):
        return round(rng.uniform(lo, hi), 2)

    def T(v):
        return rlit(v) if concrete else "T::from_f64({})".format(rlit(v))

    def fresh(prefix):
        return prefix + str(len(rs))

    def leaf(active, i=None):
        ps = act if active else params
        p = rng.choice(ps)
        if p.kind == "f":
            return p.name, p.name
        if p.kind == "M":
            e = "{}[({}, {})]".format(p.name, rng.randint(0, p.rows - 1), rng.randint(0, p.cols - 1))
            return e, e
        j = i if i is not None and p.name == "x" else rng.randint(0, p.length - 1)
        return "{}[{}]".format(p.name, j), "{}[{}]".format(p.name, j)

    def ae(i=None):
        a, b = leaf(True, i), leaf(False, i)
        f = rng.choice(["sin", "cos", "tanh"])
        cc = c()
        return rng.choice([
            ("{} * {}".format(a[0], b[0]), "({} * {})".format(a[1], b[1])),
            ("({} * {}).{}()".format(a[0], T(cc), f), "f_{}({} * {})".format(f, a[1], cc)),
            ("({} + {} * {})".format(a[0], T(cc), b[0]), "({} + {} * {})".format(a[1], cc, b[1])),
            ("({} - {})".format(a[0], b[0]), "({} - {})".format(a[1], b[1])),
        ])

    def inactive_source(kind, length):
        """An argument of inactive values only for a callee's parameter."""
        srcs = [p for p in params if not p.active and p.kind in "sva" and p.length >= length]
        if kind == "f":
            fs = [p for p in params if not p.active and p.kind == "f"]
            if fs and rng.random() < 0.5:
                q = rng.choice(fs)
                return q.name, q.name
            cc = c()
            return T(cc), str(cc)
        if kind == "s" and srcs and rng.random() < 0.6:
            q = rng.choice(srcs)
            return (q.name if q.kind == "s" else "&" + q.name), q.name
        cs = [c() for _ in range(length)]
        body = "[" + ", ".join(T(v) for v in cs) + "]"
        pyb = "[" + ", ".join(str(v) for v in cs) + "]"
        same = [p for p in params if not p.active and p.kind == kind and p.length == length]
        if same and kind != "s":
            q = same[0]
            return (q.name + ".clone()" if kind == "v" else q.name), "list({})".format(q.name)
        return {"s": "&" + body, "a": body, "v": "vec!" + body}[kind], pyb

    def column_src(n, active):
        """`&x[..n]` of an array parameter of at least n elements (only
        those left out of `wrt` unless `active`): (rust, python) or None."""
        srcs = [p for p in params if p.kind in "sva" and p.length >= n and (active or not p.active)]
        if not srcs:
            return None
        p = rng.choice(srcs)
        if p.length == n and rng.random() < 0.5:
            return (p.name if p.kind == "s" else "&" + p.name), "list({})".format(p.name)
        return "&{}[..{}]".format(p.name, n), "{}[:{}]".format(p.name, n)

    def nal_value(q, i, ind):
        """An owned nalgebra value for a callee's 'V' or 'M' parameter `q`
        (of inactive values only if `q` is left out of `wrt`), with what
        it takes written before the call: (rust, python, how, place),
        `place` when it is a local or a parameter (then borrowed or
        cloned, not moved)."""
        opts = []
        if q.kind == "M":
            r, cl = q.rows, q.cols
            for p in params:
                if p.kind == "M" and (p.rows, p.cols) == (r, cl) and (q.active or not p.active):
                    opts += [("param", p)] * 2
            opts.append(("const", None))
            if q.active:
                opts += [("slice", None), ("elem", None)]
            how = rng.choice(opts)
            if how[0] == "param":
                return how[1].name, how[1].name, "the caller's &DMatrix<T>", True
            if how[0] == "slice":
                src = column_src(r * cl, True)
                if src is not None:
                    return ("DMatrix::from_column_slice({}, {}, {})".format(r, cl, src[0]),
                            "Mat.colmajor({}, {}, list({}))".format(r, cl, src[1]), "DMatrix::from_column_slice", False)
            if how[0] == "elem":
                e = ae(i)
                return ("DMatrix::from_element({}, {}, {})".format(r, cl, e[0]),
                        "Mat.full({}, {}, {})".format(r, cl, e[1]), "DMatrix::from_element of an active T", False)
            cc = c()
            return ("DMatrix::from_element({}, {}, {})".format(r, cl, T(cc)), "Mat.full({}, {}, {})".format(r, cl, cc),
                    "DMatrix::from_element of a constant", False)
        n = q.length
        for p in vecs:
            if p.length == n and (q.active or not p.active):
                opts += [("param", p)] * 2
        opts += [("const", None)]
        if q.active:
            opts += [("slice", None), ("local", None), ("local", None)]
            if any(p.length == n for p in vecs):
                opts.append(("scaled", None))
        how = rng.choice(opts)
        if how[0] == "param":
            p = how[1]
            return p.name, p.name, "the caller's " + p.what(), True
        if how[0] == "scaled":
            p = rng.choice([p for p in vecs if p.length == n])
            e = ae(i)
            return "{} * ({})".format(p.ref(), e[0]), "({} * {})".format(p.name, e[1]), "a scaled " + p.what(), False
        if how[0] in ("slice", "local"):
            src = column_src(n, True)
            if src is not None:
                val = ("DVector::from_column_slice({})".format(src[0]), "Mat.col(list({}))".format(src[1]))
            else:
                e = ae(i)
                val = ("DVector::from_element({}, {})".format(n, e[0]), "Mat.full({}, 1, {}, True)".format(n, e[1]))
            what = val[0].split("(")[0]
            if how[0] == "slice":
                return val[0], val[1], what, False
            # a local written by element before the call (`d[j] += ..`)
            d = fresh("d")
            emit(ind, "let mut {} = {};".format(d, val[0]), "{} = {}".format(d, val[1]))
            j, e = rng.randint(0, n - 1), ae(i)
            emit(ind, "{d}[{j}] += {e};".format(d=d, j=j, e=e[0]), "{d}[{j}] = chk({d}[{j}] + {e})".format(
                d=d, j=j, e=e[1]))
            return d, d, "a local {} written by element".format(what), "local"
        cs = [c() for _ in range(n)]
        return ("DVector::from_vec(vec![{}])".format(", ".join(T(v) for v in cs)), "Mat.col({})".format(cs),
                "DVector::from_vec of constants", False)

    def nal_arg(q, i, ind):
        """The argument for a callee's 'V' or 'M' parameter: borrowed for
        `&DVector<T>` and `&DMatrix<T>`, cloned (a place) or moved (a
        value; a local made for the call) for `DVector<T>`."""
        r, p, how, place = nal_value(q, i, ind)
        if q.kind == "V" and q.owned:
            if place is True:
                return r + ".clone()", p + ".clone()", how + ", cloned"
            return r, (p + ".clone()" if place else p), how + (", moved" if place else "")
        if place is True:
            par = by[r]
            return par.ref(), p, how
        return ("&({})" if " * " in r else "&{}").format(r), p, how + ", borrowed"

    def arg(q, i, ind):
        if q.kind in "VM":
            return nal_arg(q, i, ind)[:2]
        if not q.active:
            return inactive_source(q.kind, q.length)
        if q.kind == "f":
            return ae(i)
        srcs = [p for p in params if p.kind in "sva" and p.length >= q.length and (q.kind == "s" or p.length == q.length)]
        if srcs and rng.random() < 0.7:
            p = rng.choice(srcs)
            if q.kind == "s":
                if p.kind == "s" and p.length > q.length and rng.random() < 0.5:
                    return "&{}[1..]".format(p.name), "{}[1:]".format(p.name)
                return rng.choice([(p.name if p.kind == "s" else "&" + p.name, p.name),
                                   ("&{}[..]".format(p.name), p.name)])
            if q.kind == "v":
                return (p.name + ".clone()" if p.kind == "v" else p.name + ".to_vec()"), "list({})".format(p.name)
            if p.kind == "a":
                return p.name, "list({})".format(p.name)
            elems = ", ".join("{}[{}]".format(p.name, j) for j in range(q.length))
            return "[{}]".format(elems), "[{}]".format(elems)
        es = [ae(i) for _ in range(q.length)]
        body = "[" + ", ".join(e[0] for e in es) + "]"
        pyb = "[" + ", ".join("chk({})".format(e[1]) for e in es) + "]"
        return {"s": "&" + body, "a": body, "v": "vec!" + body}[q.kind], pyb

    # (a generic caller calls generic helpers only, one at f64 both)
    subs = [g for g in callees if getattr(g, "generic", False) and g.call_depth < 3
            and (concrete or not getattr(g, "concrete", False))][-20:]
    s0 = ae()
    emit(1, "let mut s = {};".format(s0[0]), "s = chk({})".format(s0[1]))
    kinds = rng.choices(["loop", "branch", "call", "call"], k=rng.randint(2, 4))
    if subs and "call" not in kinds:
        kinds.append("call")
    # (a local `DVector<T>` of an array parameter at times: the rules on
    # nalgebra values of a generic float)
    nalg_src = [p for p in params if p.kind in "sva"]
    if nalg_src and rng.random() < 0.3:
        kinds.insert(rng.randint(0, len(kinds)), "nalg")
    # (the nalgebra parameters scaled, multiplied and dotted; a `DVector<T>`
    # by value written before the calls)
    if (vecs or "w" in by) and rng.random() < 0.6:
        kinds.insert(rng.randint(0, len(kinds)), "vnalg")
    owned = [p for p in vecs if p.owned]
    if owned and rng.random() < 0.5:
        owned[0].decl_mut = True
        kinds.insert(0, "vmut")
    for kd in kinds:
        if kd == "call" and not subs:
            kd = "loop"
        if kd == "nalg":
            p = rng.choice(nalg_src)
            src = p.name if p.kind == "s" else "&" + p.name
            d, e, cc = "n" + str(len(rs)), "m" + str(len(rs)), c()
            emit(1, "let {} = DVector::from_column_slice({});".format(d, src), "{} = list({})".format(d, p.name))
            emit(1, "let {} = &{} * s;".format(e, d), "{} = [chk(v * s) for v in {}]".format(e, d))
            emit(1, "s += {}.dot(&{}) * {} + {}[0];".format(d, e, T(cc), e),
                 "s = chk(s + chk(chk(sum(chk(a * b) for a, b in zip({}, {}))) * {}) + {}[0])".format(d, e, cc, e))
            tags.append("generic: a local DVector<T> of {} ({}), scaled by T and dotted{}".format(
                p.what(), "in wrt" if p.active else "left out of wrt", at))
            continue
        if kd == "vnalg":
            w = by.get("w")
            fits = [u for u in vecs if w is not None and u.length == w.cols]
            cc, c2 = c(), c(0.1, 0.3)
            if fits and rng.random() < 0.6:
                u = rng.choice(fits)
                y = fresh("y")
                emit(1, "let {} = {} * {};".format(y, w.name, u.ref()), "{} = {} * {}".format(y, w.name, u.name))
                emit(1, "s += {y}[0] * {c} + {y}.dot(&{y}) * {c2};".format(y=y, c=T(cc), c2=T(c2)),
                     "s = chk(s + chk({y}[0] * {c}) + chk({y}.dot({y}) * {c2}))".format(y=y, c=cc, c2=c2))
                what = "&DMatrix<T> * {} ({} and {}), read by element and dotted".format(
                    u.what(), *("in wrt" if q.active else "left out of wrt" for q in (w, u)))
            elif vecs:
                u = rng.choice(vecs)
                e = fresh("e")
                emit(1, "let {} = {} * s;".format(e, u.ref()), "{} = {} * s".format(e, u.name))
                emit(1, "s += {u}.dot(&{e}) * {c} + {e}[0];".format(u=u.name, e=e, c=T(cc)),
                     "s = chk(s + chk({u}.dot({e}) * {c}) + {e}[0])".format(u=u.name, e=e, c=cc))
                what = "{} ({}) scaled by T and dotted".format(u.what(), "in wrt" if u.active else "left out of wrt")
            else:
                emit(1, "s += {}.sum() * {};".format(w.name, T(cc)), "s = chk(s + chk({}.sum() * {}))".format(w.name, cc))
                what = "&DMatrix<T> ({}) summed".format("in wrt" if w.active else "left out of wrt")
            tags.append("generic: {}{}".format(what, at))
            continue
        if kd == "vmut":
            u = owned[0]
            j, e, cc = rng.randint(0, u.length - 1), ae(), c()
            if not u.active:
                # (of inactive values: it stays a value left out of `wrt`)
                k, c2 = rng.randint(0, u.length - 1), c()
                e = ("{}[{}] * {}".format(u.name, k, T(c2)), "({}[{}] * {})".format(u.name, k, c2))
            branch = rng.random() < 0.4
            ind = 1
            if branch:
                t = c(-0.5, 0.5)
                emit(1, "if s > {} {{".format(T(t)), "if gt(s, {}):".format(t))
                ind = 2
            emit(ind, "{u}[{j}] = {u}[{j}] * {c} + {e};".format(u=u.name, j=j, c=T(cc), e=e[0]),
                 "{u}[{j}] = chk({u}[{j}] * {c} + {e})".format(u=u.name, j=j, c=cc, e=e[1]))
            if branch:
                emit(1, "}")
            tags.append("generic: a mut DVector<T> parameter by value ({}) written by element{}{}".format(
                "in wrt" if u.active else "left out of wrt", " in a branch" if branch else "", at))
            continue
        if kd == "loop":
            src = [p for p in params if p.kind in "svaV"]
            if src:
                p = rng.choice(src)
                emit(1, "for i in 0..{}.len() {{".format(p.name), "for i in range(0, len({})):".format(p.name))
                e = ae()
                emit(2, "s += {}[i] * {};".format(p.name, e[0]), "s = chk(s + {}[i] * {})".format(p.name, e[1]))
                tags.append("generic: a loop over {}{}".format(p.what(), at))
            else:
                emit(1, "for _ in 0..2 {", "for _ in range(0, 2):")
                e, cc = ae(), c()
                emit(2, "s = s * {} + {};".format(T(cc), e[0]), "s = chk(s * {} + {})".format(cc, e[1]))
                tags.append("generic: a loop" + at)
            emit(1, "}")
        elif kd == "branch":
            t = c(-0.5, 0.5)
            e, e2 = ae(), ae()
            emit(1, "if s > {} {{".format(T(t)), "if gt(s, {}):".format(t))
            emit(2, "s = s * {};".format(e[0]), "s = chk(s * {})".format(e[1]))
            emit(1, "} else {", "else:")
            emit(2, "s -= {};".format(e2[0]), "s = chk(s - {})".format(e2[1]))
            emit(1, "}")
            tags.append("generic: a branch on T" + at)
        else:
            # (the helpers with nalgebra parameters or results more often)
            g = rng.choices(subs, [1 + 2 * any(q.kind in "VM" for q in h.params) + getattr(h, "nalg_generic", False)
                                   for h in subs])[0]
            depth = max(depth, g.call_depth + 1)
            nal = any(q.kind in "VM" for q in g.params)
            ctx = rng.choice(["straight", "straight", "loop", "branch"] if nal else ["straight"] * 7 + ["loop"] * 3)
            if ctx == "loop" and "x" not in by:
                ctx = "straight" if not nal else "branch"
            i = None
            ind = 1
            if ctx == "loop":
                emit(1, "for i in 0..x.len() {", "for i in range(0, len(x)):")
                i, ind = "i", 2
            elif ctx == "branch":
                t = c(-0.5, 0.5)
                emit(1, "if s > {} {{".format(T(t)), "if gt(s, {}):".format(t))
                ind = 2
            args = []
            for q in g.params:
                if q.kind in "VM":
                    r, p, how = nal_arg(q, i, ind)
                    args.append((r, p))
                    tags.append("generic: arg {} {}: {}{}".format(q.what(), "in wrt" if q.active else "left out of wrt",
                                                                 how, at))
                else:
                    args.append(arg(q, i, ind))
            call_rs = "{}({})".format(g.name, ", ".join(a[0] for a in args))
            call_py = "{}({})".format(g.name, ", ".join(a[1] for a in args))
            cc = c()
            if g.out == "f":
                emit(ind, "s += {} * {};".format(T(cc), call_rs), "s = chk(s + {} * {})".format(cc, call_py))
            else:
                d = "d" + str(len(rs))
                emit(ind, "let {} = {};".format(d, call_rs), "{} = {}".format(d, call_py))
                if g.out == "V" and rng.random() < 0.5:
                    emit(ind, "s += {d}.sum() * {c};".format(d=d, c=T(cc)), "s = chk(s + chk({d}.sum() * {c}))".format(
                        d=d, c=cc))
                else:
                    emit(ind, "s += {d}[0] * {d}[{d}.len() - 1];".format(d=d),
                         "s = chk(s + {d}[0] * {d}[len({d}) - 1])".format(d=d))
            if ctx != "straight":
                emit(1, "}")
            tags.append("generic caller calls a generic helper returning {}{}{}".format(
                {"f": "T", "v": "Vec<T>", "a": "[T; N]", "V": "DVector<T>"}[g.out],
                {"straight": "", "loop": " in a loop", "branch": " in a branch"}[ctx], at))
            for q in g.params:
                tags.append("generic callee parameter {} {}".format(q.what(), "in wrt" if q.active else "left out of wrt"))
    # (every active parameter read by the result, so that each moves it)
    live = [(p.name, p.name) if p.kind == "f" else (p.last(),) * 2 for p in act]
    s_rs = " + ".join(["s"] + [r for r, _ in live])
    s_py = "(" + " + ".join(["s"] + [q for _, q in live]) + ")"
    out = rng.choice("ffva")
    if rng.random() < GENERIC_VOUT_P:
        out = "V"
    if out == "f":
        e, cc = ae(), c()
        emit(1, "({}) * {} + {}".format(s_rs, T(cc), e[0]), "return chk({} * {} + {})".format(s_py, cc, e[1]))
        ret, n_out = "T", 0
    elif out == "V":
        n_out = rng.randint(2, 3)
        es = [(s_rs, s_py)] + [ae() for _ in range(n_out - 1)]
        rng.shuffle(es)
        fits = [u for u in vecs if u.length == n_out]
        form = rng.choice(["vec", "zeros"] + (["scaled"] if fits else []))
        if form == "vec":
            emit(1, "DVector::from_vec(vec![{}])".format(", ".join(e[0] for e in es)),
                 "return Mat.col([{}])".format(", ".join("chk({})".format(e[1]) for e in es)))
        else:
            if form == "zeros":
                emit(1, "let mut r = DVector::zeros({});".format(n_out), "r = Mat.zeros({}, 1, True)".format(n_out))
            else:
                u, cc = rng.choice(fits), c()
                emit(1, "let mut r = {} * {};".format(u.ref(), T(cc)), "r = {} * {}".format(u.name, cc))
            for j, e in enumerate(es):
                emit(1, "r[{}] += {};".format(j, e[0]), "r[{j}] = chk(r[{j}] + {e})".format(j=j, e=e[1]))
            emit(1, "r", "return r")
        tags.append("generic: a DVector<T> result built by {}{}".format(
            {"vec": "DVector::from_vec(vec![..])", "zeros": "DVector::zeros(n) and element writes",
             "scaled": "scaling a DVector<T> parameter and element writes"}[form], at))
        ret = "DVector<T>"
    else:
        n_out = rng.randint(2, 3)
        es = [(s_rs, s_py)] + [ae() for _ in range(n_out - 1)]
        rng.shuffle(es)
        body = "[" + ", ".join(e[0] for e in es) + "]"
        emit(1, ("vec!" if out == "v" else "") + body, "return [" + ", ".join("chk({})".format(e[1]) for e in es) + "]")
        ret = "Vec<T>" if out == "v" else "[T; {}]".format(n_out)
    wrt = "" if all(p.active for p in params) else "(wrt({}))".format(", ".join(p.name for p in params if p.active))
    sig = ", ".join("{}{}: {}".format("mut " if p.decl_mut else "", p.name, p.ty()) for p in params)
    rret = ret.replace("T", "f64") if concrete else ret
    rust = "#[differentiate{}]\nfn {}{}({}) -> {} {{\n{}\n}}\n".format(
        wrt, name, "" if concrete else "<T: Real>", sig, rret, "\n".join(rs))
    python = "def {}({}):\n{}\n".format(name, ", ".join(p.name for p in params), "\n".join(py))
    if concrete:
        tags.append("generic's form at T = f64, returns {}".format(ret.replace(str(n_out), "N")))
    else:
        tags.append("generic over T: Real, returns {}".format(ret.replace(str(n_out), "N")))
    for p in params:
        tags.append("generic parameter {} {}{}".format(p.what(), "in wrt" if p.active else "left out of wrt", at))
    if depth:
        tags.append("calls (depth {})".format(depth))
    spec = G.CallsSpec(name, params, out, n_out, rust, python, depth, tags)
    if out == "V":
        spec.out_shape = (n_out, 1)
    spec.generic = True
    spec.concrete = concrete
    # (the other callers pass only f64, slices, arrays and `Vec`s)
    spec.nalg_generic = out == "V" or any(p.kind in "VM" for p in params)
    # (the nalgebra statements are longer: lines beyond the family's limit)
    spec.extra_lines = GENERIC_EXTRA_LINES if spec.nalg_generic else 0
    return spec
