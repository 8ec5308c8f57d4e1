"""The `calls` family: whole-array statements and whole functions."""

from .calls_stmts import *  # noqa: F401,F403 (the earlier parts, in order)


class CallsGen(CallsStmts):
    """A function of the `calls` family."""

    def copy_sources(self, exclude=None):
        return [a for a in self.arrays if getattr(a, "akind", None) in ("s", "a", "v", "la", "lv", "da", "dv")
                and a is not exclude]

    def to_vec_stmt(self):
        srcs = self.copy_sources()
        if not srcs:
            return self.fill_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        y = self.fresh("y")
        self.emit("let mut {} = {}.to_vec();".format(y, a.name), "{} = list({})".format(y, a.name))
        arr = carray(y, a.length, "lv", fixed=a.fixed, writable=True, write_len=ilit(a.length))
        self.declare_array(arr)
        self.ctag("let mut y = x.to_vec() of {} {}".format(KIND_NAME.get(a.akind, "a local"), self.where()))
        if self.r() < 0.6:
            i = self.index(arr, write=True)
            e = self.act_expr()
            if self.r() < 0.5:
                self.emit("{}[{}] += {};".format(y, i.rs, e.rs), "{y}[{i}] = chk({y}[{i}] + {e})".format(y=y, i=i.py, e=e.py))
            else:
                self.emit("{}[{}] = {};".format(y, i.rs, e.rs), "{}[{}] = chk({})".format(y, i.py, e.py))
        self.consume_array(arr)

    def clone_stmt(self):
        srcs = [a for a in self.arrays if getattr(a, "akind", None) in CALL_VEC_KINDS]
        if not srcs:
            return self.to_vec_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        w = self.fresh("w")
        self.emit("let {} = {}.clone();".format(w, a.name), "{} = list({})".format(w, a.name))
        arr = carray(w, a.length, "lv", fixed=a.fixed)
        self.declare_array(arr)
        self.ctag("let w = v.clone() {}".format(self.where()))
        self.consume_array(arr)

    def target(self):
        """A writable local array to overwrite: an existing one or a fresh
        `let mut y = [0.0; n];`."""
        cands = [a for a in self.arrays if getattr(a, "akind", None) in ("la", "lv") and a.writable and a.fixed]
        if cands and self.r() < 0.4:
            return self.pick(cands)
        n = self.rng.randint(2, 4)
        name = self.fresh("y")
        vec = self.r() < 0.5
        self.emit("let mut {}: {} = {};".format(name, "Vec<f64>" if vec else "[f64; {}]".format(n),
                                               ("vec![0.0; {}]" if vec else "[0.0; {}]").format(n)),
                  "{} = [0.0] * {}".format(name, n))
        arr = carray(name, n, "lv" if vec else "la", writable=True, write_len=ilit(n) if vec else ilen(name))
        self.declare_array(arr)
        return arr

    def copy_stmt(self):
        """`y.copy_from_slice(&x)`, `y.copy_from_slice(&x[c..d])`,
        `y[a..b].copy_from_slice(&x[c..d])`."""
        y = self.target()
        srcs = self.copy_sources(exclude=y) + [a for a in self.arrays if getattr(a, "akind", None) == "r"]
        if not srcs:
            return self.fill_stmt(y)
        x = self.pick(srcs)
        self.used.update([x.name, y.name])
        n = y.length
        if x.fixed and x.length == n and x.akind != "r" and self.r() < 0.4:
            self.emit("{}.copy_from_slice(&{});".format(y.name, x.name), "cp({y}, 0, len({y}), list({x}))".format(
                y=y.name, x=x.name))
            shape = "y.copy_from_slice(&x)"
        else:
            ln = self.rng.randint(1, min(n, x.length))
            if ln == n and self.r() < 0.5:
                a_rs, b_rs, a_py, b_py, lhs = None, None, "0", "len({})".format(y.name), y.name
                shape = "y.copy_from_slice(&x[c..d])"
            else:
                a0 = self.rng.randint(0, n - ln)
                a_py = b_py = None
                lhs = "{}[{}..{}]".format(y.name, a0, a0 + ln)
                a_py, b_py = str(a0), str(a0 + ln)
                shape = "y[a..b].copy_from_slice(&x[c..d])"
            c, dyn = self.bexpr(0, x.length - ln)
            c_rs = c.rs if c.prec >= ADD or not dyn else "(" + c.rs + ")"
            src_rs = "&{}[{}..{} + {}]".format(x.name, c_rs, c_rs, ln) if dyn else "&{}[{}..{}]".format(
                x.name, c.rs, int(c.rs) + ln)
            src_py = "sl({x}, {c}, ({c}) + {n}, {n})".format(x=x.name, c=c.py, n=ln)
            self.emit("{}.copy_from_slice({});".format(lhs, src_rs),
                      "cp({}, {}, {}, {})".format(y.name, a_py, b_py, src_py))
            if dyn:
                self.ctag("copy_from_slice: source bounds from a loop index or k")
        self.mark_written(y.name)
        self.ctag("{} {}".format(shape, self.where()))
        self.consume_array(y)

    def fill_stmt(self, y=None):
        """`y.fill(v)` or `y[a..b].fill(v)`."""
        e = self.typed(self.act_expr())
        y = y or self.target()
        if re.search(r"\b" + y.name + r"\b", e.rs):
            e = var(self.let(e))
        n = y.length
        if self.r() < 0.5:
            self.emit("{}.fill({});".format(y.name, e.rs), "fl({y}, 0, len({y}), chk({e}))".format(y=y.name, e=e.py))
            shape = "y.fill(v)"
        else:
            a = self.rng.randint(0, n - 1)
            b = self.rng.randint(a + 1, n)
            self.emit("{}[{}..{}].fill({});".format(y.name, a, b, e.rs), "fl({}, {}, {}, chk({}))".format(y.name, a, b, e.py))
            shape = "y[a..b].fill(v)"
        self.used.add(y.name)
        self.ctag("{} {}".format(shape, self.where()))
        self.consume_array(y)

    def march_stmt(self):
        """Time stepping with whole-array assignments: `u = un;` or
        `u = step(&u, k);`."""
        opts = []
        for g in self.callees:
            if g.out not in "av" or not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if not p.active:
                    continue
                if (p.kind == "s" and p.length <= g.out_len) or (p.kind == "v" and g.out == "v" and p.length == g.out_len) \
                        or (p.kind in "ar" and g.out == "a" and p.length == g.out_len):
                    opts.append((g, i))
        if len(self.loops) >= 2:
            return self.to_vec_stmt()
        use_call = opts and self.n_calls < CALLS_MAX_CALLS and self.r() < 0.6
        if use_call:
            g, slot = self.pick(opts)
            self.prepare(g, skip=slot)
            m, vec = g.out_len, g.out == "v"
        else:
            m, vec = self.rng.randint(2, 3), self.r() < 0.5
        u = self.fresh("u")
        es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(m - 1)]
        self.emit("let mut {} = {}[{}];".format(u, "vec!" if vec else "", ", ".join(e.rs for e in es)),
                  "{} = [{}]".format(u, ", ".join("chk(" + e.py + ")" for e in es)))
        n = self.rng.randint(2, 4)
        v = "i" + str(len(self.loops))
        at = len(self.rs)
        self.open_block("for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), "for")
        self.declare_int(v)
        was_used = v in self.used
        self.used.discard(v)
        if use_call:
            kind = g.params[slot].kind
            state = {"a": (u, "list(" + u + ")"), "r": ("&" + u, u), "s": ("&" + u, u),
                     "v": (u + ".clone()", "list(" + u + ")")}[kind]
            rs, py = self.call_text(g, state=(slot,) + state)
            self.emit("{} = {};".format(u, rs), "{} = {}".format(u, py))
            shape = "u = step(&u, k) ({} state as {})".format("Vec" if vec else "array", KIND_NAME[kind])
        else:
            un = self.fresh("un")
            w = "i" + str(len(self.loops))
            self.emit("let mut {} = {};".format(un, u + ".clone()" if vec else u), "{} = list({})".format(un, u))
            h = self.const(0.05, 0.3)
            c = self.const(0.3, 1.2)
            e = self.typed(self.act_expr())
            self.emit("for {} in 0..{} {{".format(w, m), "for {} in range(0, {}):".format(w, m))
            self.emit("    {un}[{w}] = {u}[{w}] + {h} * ({c} * {u}[({w} + 1) % {m}] + {e}).sin();".format(
                un=un, u=u, w=w, h=h, c=c, m=m, e=par(e, ADD + 1)),
                "    {un}[{w}] = chk({u}[{w}] + {h} * f_sin({c} * {u}[({w} + 1) % {m}] + {e}))".format(
                un=un, u=u, w=w, h=h, c=c, m=m, e=e.py))
            self.emit("}")
            self.emit("{} = {};".format(u, un), "{} = {}".format(u, un))
            shape = "u = un ({})".format("Vec" if vec else "array")
        if v not in self.used:
            self.rs[at] = self.rs[at].replace("for " + v + " in", "for _ in", 1)
        if was_used:
            self.used.add(v)
        self.close_block(loop=True)
        self.ctag("time stepping {} {}".format(shape, self.where()))
        arr = carray(u, m, "lv" if vec else "la", writable=True, write_len=ilit(m) if vec else ilen(u))
        arr.surely_active = True
        self.declare_array(arr)
        self.consume_array(arr)

    CONSTRUCTS = {
        "call_let": 3, "call_scalar": 2.5, "ode": 1.5, "pattern": 1.5, "destructure": 1.5, "block": 1, "block_value": 1,
        "tuple_let": 2.5, "tuple_step": 2, "buffer_call": 3, "to_vec": 1, "clone": 0.7, "copy": 1.5, "fill": 1,
        "march": 2, "grid": 1.5, "rows_call": 1,
    }
    NEW_CONSTRUCTS = {"push": 3, "range_buffer": 3, "volatile_index": 2}

    def constructs(self):
        return dict(self.CONSTRUCTS, **self.NEW_CONSTRUCTS) if self.new else self.CONSTRUCTS

    def construct(self, kind):
        getattr(self, kind + "_stmt")()

    def stmt(self, nested, loop_ok=True):
        if self.no_exit:
            kind = self.pick(["let", "update", "let_tuple", "call_scalar", "pattern"])
            before = [x for _, x in self.scopes[-1]]
            if kind in ("let", "update", "let_tuple"):
                self.stmt_of_kind(kind)
            else:
                self.construct(kind)
            self.flow(before)
            return
        if self.r() < 0.3 and len(self.scopes) < 4:
            weights = self.constructs()
            kinds = list(weights)
            kind = self.rng.choices(kinds, [weights[k] for k in kinds])[0]
            before = [x for _, x in self.scopes[-1]]
            self.construct(kind)
            if nested:
                self.flow(before)
            return
        super().stmt(nested, loop_ok)

    def flow(self, before):
        new = [x for t, x in self.scopes[-1] if t == "f" and x not in before and x not in self.muts]
        outer = [m for m in self.muts if not any(x == m for _, x in self.scopes[-1])]
        if new and outer and not self.top:
            self.use_in_update(self.pick(sorted(outer)), self.pick(new))

    def forced(self, kind):
        """One of the family's constructs, straight-line, in a loop or in a
        branch."""
        ctx = self.rng.choices(["straight", "for", "if active", "if inactive", "while"], [3, 3, 2, 1.5, 1])[0]
        if ctx == "straight":
            return self.construct(kind)
        target = self.ensure_mut()
        self.mark_written(target)
        tail = None
        if ctx == "for":
            rs, py, v = self.for_header()
            self.open_block(rs, py, "for", v)
        elif ctx == "while":
            j = self.fresh("j")
            n = self.rng.randint(2, 3)
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            self.open_block("while {} < {} {{".format(j, n), "while {} < {}:".format(j, n), "counted", j)
            tail = ("{} += 1;".format(j), "{} += 1".format(j))
        else:
            cond = self.inactive_cond() if ctx == "if inactive" else None
            rs, py = cond or self.active_only_cond()
            self.open_block("if " + rs + " {", "if " + py + ":")
        before = [x for _, x in self.scopes[-1]]
        self.construct(kind)
        self.flow(before)
        if ctx.startswith("if") and self.r() < 0.4:
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            self.mut_update(target)
        self.close_block(loop=ctx in ("for", "while"), tail=tail)
        self.wrote(target)

    # ----- the function ----------------------------------------------------------------

    def slots(self, shaped, m):
        """The tail's terms spread over m sums (each gets one at least)."""
        shaped = list(shaped)
        while len(shaped) < m:
            shaped.append(self.typed(self.act_expr()))
        slots = [[] for _ in range(m)]
        for i, t in enumerate(shaped):
            slots[i if i < m else self.rng.randint(0, m - 1)].append(t)
        es = []
        for ts in slots:
            e = None
            for t in ts:
                e = t if e is None else binop(self.pick("+-"), e, t)
            es.append(e)
        return es

    def fill_local(self, vec, es):
        """`let mut o = vec![0.0; n];` (or `[0.0; N]`) filled by element with
        es: its name."""
        m = len(es)
        o = self.fresh("o")
        self.emit("let mut {} = {};".format(o, "vec![0.0; {}]".format(m) if vec else "[0.0; {}]".format(m)),
                  "{} = [0.0] * {}".format(o, m))
        if self.r() < 0.5:
            self.emit("for i0 in 0..{}.len() {{".format(o), "for i0 in range(0, {}):".format(m))
            c = self.const(0.1, 0.9)
            f = self.pick(["sin", "cos", "tanh"])
            self.emit("    {o}[i0] = {c} * (i0 as f64).{f}();".format(o=o, c=c, f=f),
                      "    {o}[i0] = chk({c} * f_{f}(float(i0)))".format(o=o, c=c, f=f))
            self.emit("}")
        self.write_elems(o, es)
        return o

    def write_elems(self, o, es, add=0.5):
        for j, e in enumerate(es):
            if self.r() < add:
                self.emit("{}[{}] += {};".format(o, j, e.rs), "{o}[{j}] = chk({o}[{j}] + {e})".format(o=o, j=j, e=e.py))
            else:
                self.emit("{}[{}] = {};".format(o, j, e.rs), "{o}[{j}] = chk({e})".format(o=o, j=j, e=e.py))

    def tail(self, shaped):
        """The function's result (and its buffer's final writes) from the
        tail's terms."""
        if self.own_buf is not None:
            b = self.own_buf
            es = self.slots(shaped, b.length + (1 if self.out == "f" else 0))
            self.write_elems(b.name, es[:b.length], add=0.7 if self.own_buf_passed else 0.4)
            self.ctag("buffer &mut [f64] written by element ({})".format(
                "and an f64 result" if self.out == "f" else "no result"))
            if self.out == "f":
                e = es[-1]
                if EXCLUDE_BUFFER_TAIL_VARIABLE and re.fullmatch(r"[a-z_]\w*", e.rs):
                    e = binop("*", lit(self.const(0.5, 1.5)), e)
                self.emit(e.rs, "return chk(" + e.py + ")")
            return
        if self.out == "f":
            tail = None
            for t in shaped:
                tail = t if tail is None else binop(self.pick("+-*" if self.r() < 0.3 else "+-"), tail, t)
            self.emit(tail.rs, "return chk(" + tail.py + ")")
            return
        es = self.slots(shaped, self.out_len)
        if self.out == "t":
            rs, py, at = [], [], 0
            for j, (mk, n) in enumerate(self.tup):
                part, at = es[at:at + n], at + n
                if mk == "f":
                    rs.append(part[0].rs)
                    py.append("chk(" + part[0].py + ")")
                elif j == 0 and self.fill_tail:
                    o = self.fill_local(mk == "v", part)
                    rs.append(o)
                    py.append(o)
                    self.ctag("helper returns a tuple with a local array member filled by element")
                else:
                    rs.append(("vec!" if mk == "v" else "") + "[" + ", ".join(e.rs for e in part) + "]")
                    py.append("[" + ", ".join("chk(" + e.py + ")" for e in part) + "]")
            self.emit("(" + ", ".join(rs) + ")", "return (" + ", ".join(py) + ")")
            self.ctag("helper returns a tuple {} as (a, b)".format(out_name(self)))
            return
        vec = self.out == "v"
        if vec and self.new and self.r() < 0.5:
            o = self.fresh("o")
            self.emit("let mut {} = {};".format(o, self.pick(["Vec::new()", "vec![]"])), "{} = []".format(o))
            for e in es:
                self.emit("{}.push({});".format(o, e.rs), "{}.append(chk({}))".format(o, e.py))
            self.emit(o, "return " + o)
            self.ctag("helper returns a Vec built with push")
            return
        if not self.fill_tail:
            rs = ("vec!" if vec else "") + "[" + ", ".join(e.rs for e in es) + "]"
            self.emit(rs, "return [" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
            self.ctag("helper returns a {} literal".format("vec![..]" if vec else "[..]"))
        else:
            o = self.fill_local(vec, es)
            self.emit(o, "return " + o)
            self.ctag("helper returns a {} filled by element".format("vec![0.0; n]" if vec else "[0.0; N]"))

    def draw_params(self, n_slices=None):
        """The parameters before `k` and the tuple step's: f64s, a slice
        (or `n_slices` of them: the destination batch), an array, a `Vec`,
        an `&[f64; N]`, a 2-D array."""
        rng = self.rng
        params = []
        for i in range(rng.randint(0, 3)):
            params.append(WParam("abcd"[i], "f"))
        if n_slices is None:
            if self.r() < 0.55:
                params.append(WParam("x", "s", rng.randint(2, 4)))
        else:
            params.extend(n_slices)
        if self.r() < 0.45:
            params.append(WParam("p", "a", rng.randint(2, 4)))
        if self.r() < 0.35:
            params.append(WParam("v", "v", rng.randint(2, 4)))
        if self.r() < 0.2:
            params.append(WParam("pr", "r", rng.randint(2, 3)))
        if self.r() < 0.3:
            m = WParam("m", self.pick("mn"))
            m.rows, m.cols = rng.randint(2, 3), rng.randint(2, 3)
            m.length = m.rows * m.cols
            params.append(m)
        return params

    def adjust_activity(self, floats, use_wrt):
        """(The destination batch's: most slice parameters in `wrt`.)"""

    def extra_forced(self):
        """(The destination batch's: a call forced.)"""
        return []

    def function(self):
        rng = self.rng
        c = self.r()
        shape = "f" if c < 0.42 else "v" if c < 0.56 else "a" if c < 0.66 else "t" if c < 0.82 else "b"
        step2 = False
        if shape == "t":
            self.tup = self.pick([[("f", 1), ("f", 1)], [("v", rng.randint(2, 3)), ("f", 1)], [("a", 2), ("f", 1)]])
            step2 = self.tup[0][0] == "f" and self.r() < 0.6
        params = self.draw_params()
        if not params:
            params.append(WParam("a", "f"))
        while step2 and sum(p.kind == "f" for p in params) < 2:
            params.append(WParam("abcd"[sum(p.kind == "f" for p in params)], "f"))
        if self.r() < 0.4:
            params.append(WParam("k", "k"))
        rng.shuffle(params)
        floats = [p for p in params if p.kind in "fsavrmn"]
        use_wrt = self.r() < 0.8
        if use_wrt:
            for p in floats:
                p.active = self.r() < 0.55
            if not any(p.active for p in floats):
                self.pick(floats).active = True
            if all(p.active for p in floats) and len(floats) > 1 and self.r() < 0.7:
                self.pick(floats).active = False
        else:
            for p in floats:
                p.active = True
        if step2:
            # a step function `(q, p) = g(q, p)`: two active f64 parameters
            for p in [p for p in floats if p.kind == "f"][:2]:
                p.active = True
        self.adjust_activity(floats, use_wrt)
        for p in floats:
            if p.kind in "fav":
                p.mut = self.r() < (0.25 if p.active else 0.4)
        self.out = shape
        self.out_len = rng.randint(2, 3) if shape in "va" else 0
        if shape == "t":
            self.out_len = sum(n for _, n in self.tup)
        if shape == "b":
            # (longer in the functions that may pass a range of it on)
            self.own_buf = WParam("d", "b", rng.randint(3, 4) if self.new else rng.randint(2, 3))
            params.append(self.own_buf)
            self.out = "f" if self.r() < 0.5 else "u"
        self.own_buf_passed = False
        self.fill_tail = self.r() < 0.5
        self.wparams = params
        self.params = [(p.name, p.kind) for p in params]

        for p in params:
            if p.kind == "f":
                self.declare_scalar(p.name, p.mut)
                self.wrote(p.name)
            elif p.kind == "s":
                self.declare_array(carray(p.name, p.length, "s", fixed=False))
            elif p.kind == "a":
                self.declare_array(carray(p.name, p.length, "a", writable=p.mut, write_len=ilen(p.name)))
            elif p.kind == "v":
                a = carray(p.name, p.length, "v", writable=p.mut, write_len=ilit(p.length))
                a.surely_active = p.active
                self.declare_array(a)
            elif p.kind == "r":
                self.declare_array(carray(p.name, p.length, "r"))
            elif p.kind in "mn":
                self.declare_grid(Grid(p.name, p.rows, p.cols, p.kind, param=p))
            elif p.kind == "k":
                self.ints.append("k")

        special = [p for p in params if p.mut and self.r() < (0.7 if not p.active else 0.4)]
        weights = self.constructs()
        kinds = list(weights)
        forced = ["F:" + k for k in rng.choices(kinds, [weights[k] for k in kinds], k=rng.randint(1, 2))]
        if self.new and not any(f[2:] in self.NEW_CONSTRUCTS for f in forced):
            forced.append("F:" + self.pick(sorted(self.NEW_CONSTRUCTS)))
        if self.grids and self.r() < 0.5:
            forced.append("F:rows_call")
        forced += self.extra_forced()
        seq = [None] * rng.randint(0, 1) + special + forced
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif isinstance(s, str):
                self.forced(s[2:])
            elif s.kind != "f" or s.name in self.muts:
                self.wrt_stmt(s)

        # The tail: recent values, the parameters written and every unread
        # active parameter.
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:3]
        for s in recent:
            terms.append(var(s))
        for p in params:
            if p.kind == "f" and p.name in self.scalars and p.name not in recent and (
                    p.name in self.written or p.active and p.name not in self.used):
                terms.append(var(p.name))
            elif p.kind in "savr" and (p.name in self.written or p.active and p.name not in self.used):
                terms.append(E(p.name + "[0]", ATOM, p.name + "[0]", True))
                terms.append(E("{}[{}.len() - 1]".format(p.name, p.name), ATOM,
                               "{}[len({}) - 1]".format(p.name, p.name), True))
                self.used.add(p.name)
            elif p.kind in "mn" and p.active and p.name not in self.used:
                last = "{}[{}][{}]".format(p.name, p.rows - 1, p.cols - 1)
                terms.append(E(p.name + "[0][0]", ATOM, p.name + "[0][0]", True))
                terms.append(E(last, ATOM, last, True))
                self.used.add(p.name)
        if not terms:
            terms.append(self.param_leaf())
        shaped = []
        for t in terms:
            c = self.r()
            if c < 0.3:
                t = binop("*", lit(self.const(0.2, 1.5)), t)
            elif c < 0.45:
                t = method(self.pick(["sin", "tanh", "atan", "cos"]), t)
            shaped.append(t)
        if "k" in self.ints and "k" not in self.used:
            shaped.append(binop("*", lit(0.1), cast(ivar("k"))))
        self.tail(shaped)

        tags = self.tags
        if not use_wrt:
            tags.append("signature: no wrt")
        for p in floats:
            tags.append("signature: {} {}{}".format("in wrt" if p.active else "left out of wrt", "mut " if p.mut else "",
                                                  KIND_NAME[p.kind]))
        tags.append("signature: returns {}".format(out_name(self)))
        if self.call_depth:
            tags.append("calls (depth {})".format(self.call_depth))

        sig = ["{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in params]
        # One function in four is called in joint mode by its callers (the
        # others in split mode); chosen by name, so that the random stream,
        # and with it every other program, stays as it was.
        options = []
        if use_wrt:
            options.append("wrt({})".format(", ".join(p.name for p in floats if p.active)))
        if zlib.crc32(self.name.encode()) % 4 == 0:
            options.append("joint")
            tags.append("signature: joint")
        attr = "#[differentiate({})]".format(", ".join(options)) if options else "#[differentiate]"
        one = {"f": "f64", "v": "Vec<f64>", "a": "[f64; {}]"}
        if self.out == "t":
            ret = " -> (" + ", ".join(one[mk].format(n) for mk, n in self.tup) + ")"
        elif self.out == "u":
            ret = ""
        else:
            ret = " -> " + one[self.out].format(self.out_len)
        rust = "{}\nfn {}({}){} {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), ret, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), "\n".join(self.py))
        return CallsSpec(self.name, params, self.out, self.out_len, rust, python, self.call_depth, tags, self.tup)
