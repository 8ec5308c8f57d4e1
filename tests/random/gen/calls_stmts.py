"""The `calls` family: statements around calls (exits, patterns, blocks,
buffers, `push`)."""

from .calls_args import *  # noqa: F401,F403 (the earlier parts, in order)


class CallsStmts(CallsArgs):
    """A function of the `calls` family: statements around calls."""

    def exit_stmt(self):
        if self.out == "f":
            return Gen.exit_stmt(self)
        opts = [] if EXCLUDE_RETURN_BEFORE_VEC_LOCAL and self.out == "v" and self.fill_tail else ["return"]
        if self.loops:
            opts += ["break", "break"]
            if self.loops[-1] == "for":
                opts += ["continue", "continue"]
        if not opts:
            # no exit to take: an update instead
            return self.mut_update(self.ensure_mut())
        kind = self.pick(opts)
        if kind == "return" and self.out == "u":
            self.emit("return;", "return")
            self.ctag("early return; in a function with a buffer")
        elif kind == "return" and self.out == "t":
            rs, py = [], []
            for mk, n in self.tup:
                es = [self.typed(self.expr(1)) for _ in range(n)]
                if mk == "f":
                    rs.append(es[0].rs)
                    py.append("chk(" + es[0].py + ")")
                else:
                    rs.append(("vec!" if mk == "v" else "") + "[" + ", ".join(e.rs for e in es) + "]")
                    py.append("[" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
            self.emit("return (" + ", ".join(rs) + ");", "return (" + ", ".join(py) + ")")
            self.ctag("early return of a tuple")
        elif kind == "return":
            es = [self.typed(self.expr(1)) for _ in range(self.out_len)]
            rs = ("vec!" if self.out == "v" else "") + "[" + ", ".join(e.rs for e in es) + "]"
            self.emit("return " + rs + ";", "return [" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
            self.ctag("early return of a {}".format("Vec<f64>" if self.out == "v" else "[f64; N]"))
        else:
            self.emit(kind + ";", kind)

    def sink(self, name):
        """A value declared in a nested block flows into an outer variable."""
        outer = self.outer_muts()
        if outer and not self.top:
            self.use_in_update(self.pick(outer), name)

    def consume_array(self, arr):
        """Reads of a result (or state) array by element: into a new scalar,
        or a reduction loop into an outer `mut`."""
        self.used.add(arr.name)
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        if outer and self.r() < 0.55 and len(self.loops) < 2:
            acc = self.pick(outer)
            self.used.add(acc)
            self.mark_written(acc)
            v = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{}.len() {{".format(v, arr.name),
                            "for {} in range(0, len({})):".format(v, arr.name), "for", v)
            term = self.elem(arr.name, ivar(v))
            if self.r() < 0.6:
                self.assign(acc, "+", binop("*", term, self.expr(1)))
            else:
                self.assign(acc, "=", binop("+", binop("*", var(acc), lit(self.const(0.2, 0.9))),
                                              method(self.pick(["sin", "tanh", "atan"]), term)))
            self.close_block(loop=True)
            self.ctag("result read by element in a loop")
        else:
            i, j = self.index(arr), self.index(arr)
            e = binop(self.pick("+*-"), self.elem(arr.name, i), binop("*", self.elem(arr.name, j), self.expr(1)))
            name = self.let(e)
            self.sink(name)
            self.ctag("result read by element")

    def call_let_stmt(self):
        cands = [g for g in self.callees if g.out != "f" and self.vec_ok(g)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.call_scalar_stmt()
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g, allow_move=True)
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        arr = carray(d, g.out_len, "da" if g.out == "a" else "dv")
        self.declare_array(arr)
        self.ctag("let d = helper(..) ({}) {}".format("Vec<f64>" if g.out == "v" else "[f64; N]", self.where()))
        self.consume_array(arr)

    def call_scalar_stmt(self):
        cands = [g for g in self.callees if g.out == "f" and self.vec_ok(g)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.let(self.expr(2))
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g, allow_move=True)
        e = E(rs, ATOM, py, True)
        outer = self.outer_muts() if not self.top else []
        if outer and self.r() < 0.5:
            m = self.pick(outer)
            self.mark_written(m)
            self.assign(m, "+", binop("*", lit(self.const(0.2, 0.9)), e))
        else:
            self.sink(self.let(e))

    def ode_stmt(self):
        opts = []
        for g in self.callees:
            if g.out not in "av" or g.out_len > 3 or not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if p.active and ((p.kind in "arv" and p.length == g.out_len) or (p.kind == "s" and p.length <= g.out_len)):
                    opts.append((g, i))
        if not opts or self.n_calls >= CALLS_MAX_CALLS or len(self.loops) >= 2:
            return self.call_let_stmt()
        g, slot = self.pick(opts)
        self.prepare(g, skip=slot)
        m = g.out_len
        kind = g.params[slot].kind
        as_vec = kind == "v" or (kind == "s" and self.r() < 0.5)
        y = self.fresh("y")
        es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(m - 1)]
        self.emit("let mut {} = {}[{}];".format(y, "vec!" if as_vec else "", ", ".join(e.rs for e in es)),
                  "{} = [{}]".format(y, ", ".join("chk(" + e.py + ")" for e in es)))
        yarr = carray(y, m, "lv" if as_vec else "la", writable=True, write_len=ilit(m) if as_vec else ilen(y))
        yarr.surely_active = True
        self.declare_array(yarr)
        h = self.const(0.05, 0.3)
        n = self.rng.randint(2, 4)
        v = "i" + str(len(self.loops))
        at = len(self.rs)
        self.open_block("for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), "for")
        self.declare_int(v)
        was_used = v in self.used
        self.used.discard(v)
        state = {"a": (y, "list(" + y + ")"), "r": ("&" + y, y), "s": ("&" + y, y), "v": (y + ".clone()", "list(" + y + ")")}[kind]
        rs, py = self.call_text(g, state=(slot,) + state)
        if v not in self.used:
            self.rs[at] = self.rs[at].replace("for " + v + " in", "for _ in", 1)
        if was_used:
            self.used.add(v)
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        w = "i" + str(len(self.loops))
        n_rs = str(m) if self.r() < 0.6 else y + ".len()"
        self.emit("for {} in 0..{} {{".format(w, n_rs), "for {} in range(0, {}):".format(w, m))
        if self.r() < 0.6:
            self.emit("    {y}[{w}] += {h} * {d}[{w}];".format(y=y, w=w, h=h, d=d),
                      "    {y}[{w}] = chk({y}[{w}] + {h} * {d}[{w}])".format(y=y, w=w, h=h, d=d))
        else:
            self.emit("    {y}[{w}] = {y}[{w}] + {h} * {d}[{w}];".format(y=y, w=w, h=h, d=d),
                      "    {y}[{w}] = chk({y}[{w}] + {h} * {d}[{w}])".format(y=y, w=w, h=h, d=d))
        self.emit("}")
        self.close_block(loop=True)
        self.ctag("explicit Euler steps through a helper ({} state as {}) {}".format(
            "Vec" if as_vec else "array", KIND_NAME[kind], self.where()))
        self.consume_array(yarr)

    def pattern_stmt(self):
        cands = [a for a in self.arrays if getattr(a, "akind", None) in CALL_ARRAY_KINDS + ("r",) and a.fixed]
        if not cands:
            return self.destructure_stmt()
        a = self.pick(cands)
        self.used.add(a.name)
        n = a.length
        src = "*" + a.name if a.akind == "r" else a.name
        c = self.r()
        if c < 0.35:
            slots = list(range(n))
            pat = None
            shape = "[a, b, c]"
        elif c < 0.7 and n >= 2:
            first = self.rng.randint(1, n - 1) if n > 2 else 1
            slots = list(range(first)) + ([n - 1] if self.r() < 0.7 else [])
            pat = first
            shape = "[a, .., d]" if slots[-1] == n - 1 else "[a, b, ..]"
        else:
            slots = sorted(self.rng.sample(range(n), self.rng.randint(1, n - 1))) if n > 1 else [0]
            pat = None
            shape = "[_, b, _]"
        names = {i: self.fresh("e") for i in slots}
        if pat is not None:
            parts = [names[i] for i in range(pat)] + [".."] + ([names[n - 1]] if n - 1 in names else [])
        else:
            parts = [names.get(i, "_") for i in range(n)]
        lhs = ", ".join(names[i] for i in slots)
        rhs = ", ".join("{}[{}]".format(a.name, i) for i in slots)
        self.emit("let [{}] = {};".format(", ".join(parts), src), "{} = {}".format(lhs, rhs))
        for i in slots:
            self.declare_scalar(names[i], False)
        self.ctag("array pattern {} on {} {}".format(
            shape if a.akind != "r" else "[x1, x2] = *p", {"a": "a parameter", "r": "a &[f64; N] parameter",
                                                             "la": "a local array", "da": "an array result"}[a.akind],
            self.where()))
        e = None
        for i in slots:
            t = var(names[i])
            if self.r() < 0.4:
                t = method(self.pick(["sin", "tanh", "atan"]), t)
            e = t if e is None else binop(self.pick("+-*"), e, t)
        self.sink(self.let(binop("+", e, self.expr(1)) if self.r() < 0.5 else e))

    def destructure_stmt(self):
        muts = [m for m in sorted(self.muts)]
        if len(muts) >= 2 and self.r() < 0.4:
            a, b = self.rng.sample(muts, 2)
            fresh = False
        else:
            ea, eb = self.typed(self.expr(1)), self.typed(self.expr(1))
            a, b = self.fresh(), self.fresh()
            self.emit("let (mut {}, mut {}) = ({}, {});".format(a, b, ea.rs, eb.rs),
                      "{}, {} = chk({}), chk({})".format(a, b, ea.py, eb.py))
            self.declare_scalar(a, True)
            self.declare_scalar(b, True)
            fresh = True
        self.mark_written(a)
        self.mark_written(b)
        self.used.update([a, b])
        ctx = self.rng.choices(["straight", "for", "if", "while"], [2, 4 if len(self.loops) < 2 else 0, 3, 1 if len(self.loops) < 2 else 0])[0]
        tail = None
        if ctx == "for":
            n = self.rng.randint(2, 4)
            self.open_block("for _ in 0..{} {{".format(n), "for _ in range(0, {}):".format(n), "for")
        elif ctx == "while":
            j = self.fresh("j")
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            n = self.rng.randint(2, 3)
            self.open_block("while {} < {} {{".format(j, n), "while {} < {}:".format(j, n), "counted", j)
            tail = ("{} += 1;".format(j), "{} += 1".format(j))
        elif ctx == "if":
            cond = self.inactive_cond() if self.r() < 0.4 else None
            rs, py = cond or self.active_only_cond()
            self.open_block("if " + rs + " {", "if " + py + ":")
        c = self.r()
        if c < 0.45:
            e1 = var(b)
            e2 = binop("+", binop("*", var(a), self.bounded(self.param_leaf())), binop("*", lit(self.const(0.2, 0.8)), var(b)))
            shape = "(a, b) = (b, a * x + b)"
        elif c < 0.8:
            e1 = binop("+", binop("*", lit(self.const(0.2, 0.8)), var(b)), self.act_expr())
            e2 = method(self.pick(["sin", "tanh", "atan"]), binop(self.pick("+*"), var(a), var(b)))
            shape = "(a, b) = (f(b), g(a, b))"
        else:
            e1 = binop("*", var(a), self.bounded(binop("+", var(b), self.param_leaf())))
            e2 = None
            shape = "(a, _) = (a * f(b), 1.0)"
        if e2 is None:
            self.emit("({}, _) = ({}, 1.0);".format(a, e1.rs), "{} = chk({})".format(a, e1.py))
        else:
            self.emit("({}, {}) = ({}, {});".format(a, b, e1.rs, e2.rs),
                      "{}, {} = chk({}), chk({})".format(a, b, e1.py, e2.py))
        if ctx != "straight":
            self.close_block(loop=ctx in ("for", "while"), tail=tail)
        self.ctag("destructuring assignment {} {}".format(shape, {"straight": self.where(), "for": "in a for loop",
                                                                   "while": "in a while loop", "if": "in a branch"}[ctx]))
        self.wrote(a)
        self.wrote(b)
        if fresh and not self.top:
            self.sink(a)

    def block_stmt(self):
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        target = self.pick(outer) if outer else self.ensure_mut()
        self.mark_written(target)
        self.emit("{", "if True:")
        self.push()
        first = self.r() < 0.5
        if not first:
            self.stmt(nested=True, loop_ok=False)
        self.mut_update(target)
        if first and self.r() < 0.6:
            self.stmt(nested=True, loop_ok=False)
        self.pop()
        self.emit("}")
        self.wrote(target)
        self.ctag("plain block updating an outer mut {}".format(self.where()))

    def block_value_stmt(self):
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        target = self.pick(outer) if outer else self.ensure_mut()
        self.mark_written(target)
        u = self.fresh()
        self.emit("let {} = {{".format(u), "if True:")
        self.push()
        saved, self.no_exit = self.no_exit, True
        if self.r() < 0.4:
            self.stmt(nested=True, loop_ok=False)
        self.mut_update(target)
        tail = binop(self.pick("+*-"), var(target), self.expr(1))
        if self.r() < 0.3:
            tail = method(self.pick(["sin", "tanh", "atan"]), tail)
        self.emit(tail.rs, "{} = chk({})".format(u, tail.py))
        self.no_exit = saved
        self.pop()
        self.emit("};")
        self.declare_scalar(u, False)
        self.wrote(u)
        self.wrote(target)
        self.ctag("block value updating an outer mut {}".format(self.where()))
        self.sink(u)

    # ----- tuple results, buffers, whole arrays -----------------------------------------

    def bind_members(self, g, rs, py):
        """`let (a, b) = g(..);` (or `let (a, _) = ..`): the members bound,
        scalars combined and sunk, arrays read by element."""
        names = []
        skip = len(g.tup) - 1 if self.r() < 0.3 else None
        for j, (mk, n) in enumerate(g.tup):
            names.append("_" if j == skip else self.fresh("e" if mk == "f" else "d"))
        self.emit("let ({}) = {};".format(", ".join(names), rs), "{} = {}".format(", ".join(names), py))
        self.ctag("let ({}) = helper(..) returning {} {}".format("a, _" if skip is not None else "a, b", out_name(g),
                                                                self.where()))
        scalars = []
        for (mk, n), x in zip(g.tup, names):
            if x == "_":
                continue
            if mk == "f":
                self.declare_scalar(x, False)
                self.used.add(x)
                scalars.append(x)
            else:
                arr = carray(x, n, "da" if mk == "a" else "dv")
                self.declare_array(arr)
        for (mk, n), x in zip(g.tup, names):
            if x != "_" and mk != "f":
                self.consume_array([a for a in self.arrays if a.name == x][0])
        if scalars:
            e = None
            for x in scalars:
                t = var(x) if self.r() < 0.6 else method(self.pick(["sin", "tanh", "atan"]), var(x))
                e = t if e is None else binop(self.pick("+-*"), e, t)
            self.sink(self.let(e))

    def tuple_let_stmt(self):
        cands = [g for g in self.all_callees if g.out == "t" and self.vec_ok(g)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.call_let_stmt()
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g, allow_move=True)
        self.bind_members(g, rs, py)

    def tuple_step_stmt(self):
        """`(q, p) = step(q, p, ..);` in a loop."""
        opts = []
        for g in self.all_callees:
            slots = [i for i, p in enumerate(g.params) if p.kind == "f" and p.active]
            if g.out == "t" and g.tup == [("f", 1), ("f", 1)] and len(slots) >= 2 and self.vec_ok(g):
                opts.append((g, slots))
        if not opts or self.n_calls >= CALLS_MAX_CALLS or len(self.loops) >= 2:
            return self.tuple_let_stmt()
        g, slots = self.pick(opts)
        i, j = self.rng.sample(slots, 2)
        for s in (i, j):
            self.prepare(g, skip=s)
        q, p = self.fresh("q"), self.fresh("p")
        ea, eb = self.typed(self.act_expr()), self.typed(self.expr(1))
        self.emit("let (mut {}, mut {}) = ({}, {});".format(q, p, ea.rs, eb.rs),
                  "{}, {} = chk({}), chk({})".format(q, p, ea.py, eb.py))
        n = self.rng.randint(2, 4)
        v = "i" + str(len(self.loops))
        at = len(self.rs)
        self.open_block("for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), "for")
        self.declare_int(v)
        was_used = v in self.used
        self.used.discard(v)
        rs, py = self.call_text(g, states={i: (q, q), j: (p, p)})
        if v not in self.used:
            self.rs[at] = self.rs[at].replace("for " + v + " in", "for _ in", 1)
        if was_used:
            self.used.add(v)
        self.emit("({}, {}) = {};".format(q, p, rs), "{}, {} = {}".format(q, p, py))
        self.close_block(loop=True)
        self.declare_scalar(q, True)
        self.declare_scalar(p, True)
        self.used.update([q, p])
        self.ctag("(q, p) = step(q, p) (tuple result) in a for loop {}".format(self.where()))
        e = binop(self.pick("+*-"), var(q), method(self.pick(["sin", "tanh", "atan"]), var(p)))
        self.sink(self.let(e))

    def local_buffer(self, n):
        """A fresh `let mut d = vec![0.0; n];` (or an array, or with active
        initial contents): (name, array), not yet declared."""
        name = self.fresh("bf")
        vec = self.r() < 0.5
        if self.r() < 0.5:
            body, py = ("vec![0.0; {}]" if vec else "[0.0; {}]").format(n), "[0.0] * {}".format(n)
            shape = "zeros"
        else:
            es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(n - 1)]
            body = ("vec!" if vec else "") + "[" + ", ".join(e.rs for e in es) + "]"
            py = "[" + ", ".join("chk(" + e.py + ")" for e in es) + "]"
            shape = "active contents"
        self.emit("let mut {} = {};".format(name, body), "{} = {}".format(name, py))
        arr = carray(name, n, "lv" if vec else "la", writable=True, write_len=ilit(n) if vec else ilen(name))
        return name, arr, "{} ({})".format("Vec" if vec else "array", shape)

    def buffer_call_stmt(self):
        """`h(&x, k, &mut d);`, `let s = h(x, k, &mut d);` or the function's
        own buffer passed on, `h(y, 1.0, d);`."""
        cands = [g for g in self.all_callees if g.buffers and self.vec_ok(g)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.call_scalar_stmt()
        own = self.own_buf
        if own is not None and self.r() < 0.7:
            mine = [g for g in cands if g.buffers[0].length <= own.length]
            cands = mine or cands
        g = self.pick(cands)
        self.prepare(g)
        slot = [i for i, p in enumerate(g.params) if p.kind == "b"][0]
        m = g.params[slot].length
        if own is not None and m <= own.length and self.r() < 0.8:
            name, arr, shape = own.name, None, "the caller's own &mut [f64] buffer passed on"
            state = (own.name, own.name)
            self.own_buf_passed = True
        else:
            name, arr, shape = self.local_buffer(m + (1 if self.r() < 0.3 else 0))
            shape = "&mut d of a local " + shape
            state = ("&mut " + name, name)
        rs, py = self.call_text(g, states={slot: state})
        if g.out == "f":
            s = self.fresh("s")
            self.emit("let {} = {};".format(s, rs), "{} = chk({})".format(s, py))
            self.declare_scalar(s, False)
            form = "let s = h(.., {})".format("d" if arr is None else "&mut d")
        else:
            self.emit(rs + ";", py)
            form = "h(.., {});".format("d" if arr is None else "&mut d")
        self.ctag("buffer call {}: {} {}".format(form, shape, self.where()))
        if arr is not None:
            self.declare_array(arr)
            self.consume_array(arr)
        if g.out == "f":
            self.sink(s)

    # `Vec`s grown with `push`, ranges passed as buffers (NEW_CONSTRUCTS)

    def push_stmt(self):
        """A `Vec` grown with `push` from `Vec::new()`, `Vec::with_capacity(n)`,
        `vec![]` or a copy (`x.to_vec()`): pushes straight-line, in a loop or
        in both branches of an `if` (of different counts: the length then
        depends on the data), a push of an element of the `Vec` itself, an
        `extend_from_slice` of a range; then read by element (and left for
        later calls to take)."""
        v = self.fresh("pv")
        srcs = self.copy_sources()
        if srcs and self.r() < 0.25:
            a = self.pick(srcs)
            self.used.add(a.name)
            self.emit("let mut {} = {}.to_vec();".format(v, a.name), "{} = list({})".format(v, a.name))
            n, fixed, start = a.length, a.fixed, "a copy x.to_vec()"
        else:
            start = self.pick(["Vec::new()", "Vec::with_capacity(4)", "vec![]"])
            self.emit("let mut {} = {};".format(v, start), "{} = []".format(v))
            n, fixed = 0, True

        def push(count):
            for j in range(count):
                if (n or j) and self.r() < 0.2:
                    # `v.push(c * v[v.len() - 1])`: the value reads the Vec
                    e = binop("*", lit(self.const(0.3, 0.9)),
                              E("{v}[{v}.len() - 1]".format(v=v), ATOM, "{v}[len({v}) - 1]".format(v=v), True))
                    self.ctag("push: of an element of the Vec itself (v.push(c * v[v.len() - 1]))")
                else:
                    e = self.typed(self.act_expr())
                self.emit("{}.push({});".format(v, e.rs), "{}.append(chk({}))".format(v, e.py))

        how = self.rng.choices(["straight", "loop", "branch"], [2, 3, 2])[0]
        if how == "straight":
            m = self.rng.randint(1, 3)
            push(m)
            n += m
        elif how == "loop":
            m = self.rng.randint(2, 4)
            i = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{} {{".format(i, m), "for {} in range(0, {}):".format(i, m), "for", i)
            push(1)
            self.close_block(loop=True)
            n += m
        else:
            cond = self.inactive_cond() if self.r() < 0.3 else None
            rs, py = cond or self.active_only_cond()
            a, b = self.rng.randint(1, 2), self.rng.randint(1, 2)
            self.open_block("if " + rs + " {", "if " + py + ":")
            push(a)
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            push(b)
            self.close_block()
            n += min(a, b)
            fixed = fixed and a == b
        if self.r() < 0.3:
            srcs = [s for s in self.copy_sources() if s.length >= 2]
            if srcs:
                s = self.pick(srcs)
                self.used.add(s.name)
                lo = self.rng.randint(0, s.length - 2)
                hi = self.rng.randint(lo + 1, s.length)
                self.emit("{}.extend_from_slice(&{}[{}..{}]);".format(v, s.name, lo, hi),
                          "{}.extend(sl({}, {}, {}, {}))".format(v, s.name, lo, hi, hi - lo))
                n += hi - lo
                self.ctag("push: extend_from_slice(&x[a..b])")
        arr = carray(v, n, "lv", fixed=fixed)
        self.declare_array(arr)
        self.ctag("push: onto {}".format(start))
        self.ctag("push: {}, the Vec declared {}".format(
            {"straight": "straight-line", "loop": "in a for loop", "branch": "in both branches of an if"}[how],
            self.where()))
        if not fixed:
            self.ctag("push: to a length that depends on the data (branches)")
        self.consume_array(arr)

    def volatile_index_stmt(self):
        """Inactive state that verbatim code changes, read as an index (the
        reverse sweep once computed such indices again from the final state,
        a silently wrong gradient): in a loop, a `Vec<usize>` grown by `push`
        whose last element indexes an array, or a counter moved by
        `bump(&mut k, n)`; an active sum of products with those elements."""
        srcs = [a for a in self.arrays if getattr(a, "akind", None) in ("s", "a", "v", "la", "lv")
                and a.length >= 2]
        if not srcs:
            return self.push_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        n = a.length
        acc = self.fresh("vs")
        self.emit("let mut {} = 0.0;".format(acc), "{} = 0.0".format(acc))
        m = self.rng.randint(2, 4)
        i = "i" + str(len(self.loops))
        if self.r() < 0.5:
            o = self.fresh("order")
            step = self.rng.randint(1, 3)
            self.emit("let mut {}: Vec<usize> = Vec::new();".format(o), "{} = []".format(o))
            self.open_block("for {} in 0..{} {{".format(i, m), "for {} in range(0, {}):".format(i, m), "for", i)
            self.emit("{}.push(({} * {} + 1) % {});".format(o, i, step, n),
                      "{}.append(({} * {} + 1) % {})".format(o, i, step, n))
            idx_rs, idx_py = "{o}[{o}.len() - 1]".format(o=o), "{o}[len({o}) - 1]".format(o=o)
            self.ctag("verbatim: x[v[v.len() - 1]], v: Vec<usize> grown by push in the loop")
        else:
            k = self.fresh("kk")
            self.emit("let mut {} = 0usize;".format(k), "{} = 0".format(k))
            self.open_block("for {} in 0..{} {{".format(i, m), "for {} in range(0, {}):".format(i, m), "for", i)
            self.emit("bump(&mut {}, {});".format(k, n), "{k} = ({k} + 2) % {n}".format(k=k, n=n))
            idx_rs, idx_py = k, k
            self.ctag("verbatim: x[k], k moved by bump(&mut k, n) in the loop")
        elem = E("{}[{}]".format(a.name, idx_rs), ATOM, "{}[{}]".format(a.name, idx_py), True)
        t = binop("*", binop("*", lit(self.const(0.3, 0.9)), elem), self.typed(self.act_expr()))
        self.emit("{} += {};".format(acc, t.rs), "{a} = chk({a} + ({t}))".format(a=acc, t=t.py))
        self.close_block(loop=True)
        self.declare_scalar(acc, True)

    def range_buffer_stmt(self):
        """A range of an array passed as a buffer: `h(.., &mut d[a..b])`,
        `&mut d[a..]`, `&mut d[..b]`, `&mut d[a..=b]`, of a local `Vec` or
        array longer than the buffer, or of the caller's own buffer."""
        cands = [g for g in self.all_callees if g.buffers and self.vec_ok(g)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.push_stmt()
        own = self.own_buf
        if own is not None and self.r() < 0.8:
            cands = [g for g in cands if g.buffers[0].length < own.length] or cands
        g = self.pick(cands)
        self.prepare(g)
        slot = [i for i, p in enumerate(g.params) if p.kind == "b"][0]
        m = g.params[slot].length
        if own is not None and own.length > m and self.r() < 0.7:
            name, n, arr = own.name, own.length, None
            shape = "of the caller's own &mut [f64] buffer"
            self.own_buf_passed = True
        else:
            name, arr, shape = self.local_buffer(m + self.rng.randint(1, 2))
            n = arr.length
            shape = "of a local " + shape
        form = self.rng.choices(["range", "from", "to", "incl"], [3, 2, 2, 2])[0]
        if form in ("range", "incl"):
            a, dyn = self.bexpr(0, n - m)
        else:
            a, dyn = ilit(n - m if form == "from" else 0), False
        a_rs = a.rs if a.prec >= ADD or not dyn else "(" + a.rs + ")"
        if form == "range":
            rng_rs = "{}..{} + {}".format(a_rs, a_rs, m) if dyn else "{}..{}".format(a.rs, int(a.rs) + m)
        elif form == "incl":
            rng_rs = "{}..={} + {}".format(a_rs, a_rs, m - 1) if dyn else "{}..={}".format(a.rs, int(a.rs) + m - 1)
        elif form == "from":
            rng_rs = "{}..".format(n - m)
        else:
            rng_rs = "..{}".format(m)
        t = self.fresh("rb")
        self.emit(None, "{} = sl({}, {}, ({}) + {}, {})".format(t, name, a.py, a.py, m, m))
        rs, py = self.call_text(g, states={slot: ("&mut {}[{}]".format(name, rng_rs), t)})
        if g.out == "f":
            s = self.fresh("s")
            self.emit("let {} = {};".format(s, rs), "{} = chk({})".format(s, py))
            self.declare_scalar(s, False)
        else:
            self.emit(rs + ";", py)
        self.emit(None, "cp({}, {}, ({}) + {}, {})".format(name, a.py, a.py, m, t))
        self.mark_written(name)
        self.ctag("range buffer: h(.., &mut d[{}]) {}".format(
            {"range": "a..b", "from": "a..", "to": "..b", "incl": "a..=b"}[form], shape))
        self.ctag("range buffer: {} {}".format("let s = h(..)" if g.out == "f" else "h(..);", self.where()))
        if dyn:
            self.ctag("range buffer: bounds from a loop index or k")
        if arr is not None:
            self.declare_array(arr)
            self.consume_array(arr)
        if g.out == "f":
            self.sink(s)

    # whole arrays
