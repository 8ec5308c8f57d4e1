"""The `compose` family's statements beyond nested calls (`compose.py`
writes the family; its docstring describes them): aliases of slice
parameters, calls of helpers whose only active data is their buffer
(`buf_only_helper`, drawn here too), `std::mem::replace`, integer sums and
sums that may be empty, loops left by `return` and tails that are such
loops, `for` over data left out of `wrt` and `const` tables, element
references, table lookups over sorted knots (the twins `k_pp`, `k_pos`) and
sub-slice locals. `ComposeStmts` is a mixin of `compose.ComposeGen`, ahead
of the `calls` family's generator, whose methods it overrides."""

import bisect
import re

import compose_sweep as sweep
import generate as G
from generate import E, binop, var


class ComposeStmts:
    """The statements (methods of `compose.ComposeGen`)."""

    # ----- aliases of slice parameters ----------------------------------------------

    def slice_call(self, arr, what):
        """A call of a helper with an active `&[f64]` parameter given `arr`
        whole or a sub-slice of it (`h(b)`, `h(&b[1..3])`), its result bound
        and read. False if no helper fits."""
        opts = []
        for g in self.callees:
            if not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if p.kind == "s" and p.active and p.length <= arr.length and self.feasible(g, skip=i):
                    opts.append((g, i))
        if not opts or self.n_calls >= self.max_calls - 1:
            return False
        g, slot = self.pick(opts)
        self.prepare(g, skip=slot)
        mc = g.params[slot].length
        if arr.length > mc and self.r() < 0.5:
            lo = self.rng.randint(0, arr.length - mc)
            hi = self.rng.randint(lo + mc, arr.length)
            arg = ("&{}[{}..{}]".format(arr.name, lo, hi), "sl({}, {}, {}, {})".format(arr.name, lo, hi, mc))
            shape = "h(&b[a..b])"
        else:
            arg = (arr.name, arr.name)
            shape = "h(b)"
        rs, py = self.call_text(g, states={slot: arg})
        d = self.fresh("d")
        self.emit("let {} = {};".format(d, rs), "{} = {}".format(d, py))
        if g.out == "f":
            self.declare_scalar(d, False)
            self.wrote(d)
            self.sink(d)
        else:
            res = G.carray(d, g.out_len, "da" if g.out == "a" else "dv")
            self.declare_array(res)
            self.consume_array(res)
        self.ctag("{} passed on as {} {}".format(what, shape, self.where()))
        return True

    def alias_stmt(self):
        """`let b = x;` (or `let mut b = x;`, only read) of a slice
        parameter in or out of `wrt`: `b[i]` read, `b` passed to helpers."""
        params = {p.name: p for p in self.wparams if p.kind == "s"}
        srcs = [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.name in params]
        if not srcs:
            return self.subslice_stmt()
        a = self.pick(srcs)
        p = params[a.name]
        self.used.add(a.name)
        b = self.fresh("b")
        mut = self.r() < 0.35
        self.emit("let {}{} = {};".format("mut " if mut else "", b, a.name), "{} = {}".format(b, a.name))
        arr = G.carray(b, a.length, "s", fixed=False)
        self.declare_array(arr)
        what = "alias let {}b = x of a slice parameter {}".format("mut " if mut else "",
                                                                  "in wrt" if p.active else "left out of wrt")
        self.ctag("{} {}".format(what, self.where()))
        i = self.index(arr)
        e = G.binop(self.pick("+*"), self.elem(b, i), self.expr(1))
        self.sink(self.let(e))
        if self.r() < 0.75:
            self.slice_call(arr, what)

    # ----- helpers whose only active data is a buffer -------------------------------

    def buf_only_call_stmt(self):
        """A helper whose only active data is its `&mut [f64]` buffer
        (`fn h(y: &mut [f64], c: f64)`, c left out of `wrt`), called on an
        active local buffer (once or in a loop) or on the caller's own."""
        cands = [g for g in self.all_callees if getattr(g, "buf_only", False)]
        if not cands or self.n_calls >= self.max_calls - 1:
            return self.buffer_call_stmt()
        g = self.pick(cands)
        slot = [i for i, p in enumerate(g.params) if p.kind == "b"][0]
        m = g.params[slot].length
        own = self.own_buf
        arr = None
        if own is not None and own.length == m and self.r() < 0.3:
            name, state, shape = own.name, (own.name, own.name), "the caller's own buffer passed on"
            self.own_buf_passed = True
        else:
            name = self.fresh("bf")
            vec = self.r() < 0.5
            es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(m - 1)]
            self.rng.shuffle(es)
            self.emit("let mut {} = {}[{}];".format(name, "vec!" if vec else "", ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
            arr = G.carray(name, m, "lv" if vec else "la", writable=True, write_len=G.ilit(m) if vec else G.ilen(name))
            arr.surely_active = True
            state = ("&mut " + name, name)
            shape = "an active local " + ("Vec" if vec else "array")
        rs, py = self.call_text(g, states={slot: state})
        if self.r() < 0.4:
            n = self.rng.randint(2, 3)
            self.emit("for _ in 0..{} {{".format(n), "for _ in range(0, {}):".format(n))
            self.emit("    " + rs + ";", "    " + py)
            self.emit("}")
            shape += ", called in a loop of its own"
        else:
            self.emit(rs + ";", py)
        self.ctag("helper whose only active data is its buffer ({}) on {} {}".format(
            "with an f64 left out of wrt" if len(g.params) > 1 else "in place", shape, self.where()))
        if arr is not None:
            self.declare_array(arr)
            self.consume_array(arr)

    # ----- std::mem::replace -------------------------------------------------------

    def replace_stmt(self):
        """`let old = std::mem::replace(&mut u, w);` of a whole local (a
        `Vec`, an array or an f64), in a loop of its own or once, `old`
        read after."""
        kind = self.pick(["vec", "arr", "f64"])
        loop = self.r() < 0.6
        c = self.const(0.3, 0.9)
        u, old = self.fresh("ru"), self.fresh("old")
        vec = kind == "vec"
        n = self.rng.randint(2, 4)
        self.active_local(None, kind, n, name=u)
        if loop:
            k = self.rng.randint(2, 3)
            self.emit("for _ in 0..{} {{".format(k), "for _ in range(0, {}):".format(k))
            self.ind += 1
        # The new value: from the old one, bound first (`&mut u` is borrowed
        # while the arguments are evaluated), or written in the call.
        bound = self.r() < 0.6
        if kind == "f64":
            e = self.typed(self.act_expr())
            if bound:
                t = self.fresh("t")
                self.emit("let {} = {} * {} + {};".format(t, c, u, G.par(e, G.ADD + 1)),
                          "{} = chk({} * {} + {})".format(t, c, u, e.py))
                new = (t, t)
            else:
                new = (e.rs, "chk(" + e.py + ")")
        elif bound:
            t = self.fresh("w")
            parts = ["{} * {}[{}] + {}[{}].sin()".format(c, u, (j + 1) % n, u, j) for j in range(n)]
            pparts = ["chk({} * {}[{}] + f_sin({}[{}]))".format(c, u, (j + 1) % n, u, j) for j in range(n)]
            self.emit("let {} = {}[{}];".format(t, "vec!" if vec else "", ", ".join(parts)),
                      "{} = [{}]".format(t, ", ".join(pparts)))
            new = (t, t)
        else:
            ns = [self.typed(self.act_expr()) for _ in range(n)]
            new = ("{}[{}]".format("vec!" if vec else "", ", ".join(e.rs for e in ns)),
                   "[{}]".format(", ".join("chk(" + e.py + ")" for e in ns)))
        self.emit("let {} = std::mem::replace(&mut {}, {});".format(old, u, new[0]),
                  "{}, {} = {}, {}".format(old, u, u, new[1]))
        if kind == "f64":
            self.emit("{u} += 0.5 * {o}.sin();".format(u=u, o=old), "{u} = chk({u} + 0.5 * f_sin({o}))".format(u=u, o=old))
        else:
            j = self.rng.randint(0, n - 1)
            self.emit("{u}[{j}] += 0.5 * {o}[{i}];".format(u=u, j=j, o=old, i=n - 1 - j),
                      "{u}[{j}] = chk({u}[{j}] + 0.5 * {o}[{i}])".format(u=u, j=j, o=old, i=n - 1 - j))
        if loop:
            self.ind -= 1
            self.emit("}")
        what = {"f64": "an f64", "vec": "a Vec<f64>", "arr": "a [f64; N]"}[kind]
        self.ctag("let old = std::mem::replace(&mut u, w) of {}{} {}".format(what, " in a loop" if loop else "",
                                                                           self.where()))
        self.declare_local(u, kind, n)

    # ----- integer sums and sums that may be empty ---------------------------------

    def int_sum_stmt(self):
        """An integer sum next to a float one: `(0..n).map(|i| i * 2)
        .sum::<usize>()` (then also an index) or `let m: i64 = ..sum();`,
        read as `m as f64`."""
        arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        m = self.fresh("m")
        c = self.rng.randint(1, 3)
        if arrs and self.r() < 0.5:
            a = self.pick(arrs)
            self.used.add(a.name)
            n_rs, n_py = "{}.len()".format(a.name), "len({})".format(a.name)
        elif "k" in self.ints and self.r() < 0.6:
            self.used.add("k")
            n_rs, n_py = "k + 1", "k + 1"
        else:
            n = self.rng.randint(0, 4)
            n_rs, n_py = str(n), str(n)
        signed = self.r() < 0.45
        if signed:
            d = self.rng.randint(1, 3)
            if self.r() < 0.5:
                self.emit("let {}: i64 = (0..{}).map(|i| i as i64 * {} - {}).sum();".format(m, n_rs, c, d),
                          "{} = sum(i * {} - {} for i in range(0, {}))".format(m, c, d, n_py))
            else:
                self.emit("let {} = (0..{}).map(|i| {} - i as i64).sum::<i64>();".format(m, n_rs, d),
                          "{} = sum({} - i for i in range(0, {}))".format(m, d, n_py))
            shape = "let m: i64 = ..sum()"
        else:
            if self.r() < 0.5:
                self.emit("let {} = (0..{}).map(|i| i * {}).sum::<usize>();".format(m, n_rs, c),
                          "{} = sum(i * {} for i in range(0, {}))".format(m, c, n_py))
            else:
                self.emit("let {}: usize = (0..{}).map(|i| i % {} + 1).sum();".format(m, n_rs, c + 1),
                          "{} = sum(i % {} + 1 for i in range(0, {}))".format(m, c + 1, n_py))
            shape = "sum::<usize>()"
        # read as `m as f64` next to a float sum
        w = self.const(0.05, 0.3)
        src = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        if src:
            a = self.pick(src)
            self.used.add(a.name)
            v = self.fresh("v")
            f = self.body([v], 1)
            fs_rs = "{}.iter().map(|&{}| {}).sum::<f64>()".format(a.name, v, f.rs)
            fs_py = "sum([chk({}) for {} in list({})], -0.0)".format(f.py, v, a.name)
        else:
            e = self.typed(self.act_expr())
            fs_rs, fs_py = G.par(e, G.MUL + 1), e.py
        s = self.fresh("s")
        self.emit("let {} = {} * (1.0 + {} * ({} as f64));".format(s, fs_rs, w, m),
                  "{} = chk(({}) * (1.0 + {} * float({})))".format(s, fs_py, w, m))
        self.declare_scalar(s, False)
        self.wrote(s)
        if not signed:
            self.declare_int(m)
            self.used.add(m)
            arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
            if arrs and self.r() < 0.6:
                a = self.pick(arrs)
                self.used.add(a.name)
                t = self.fresh("u")
                self.emit("let {} = {} * {}[{} % {}.len()];".format(t, s, a.name, m, a.name),
                          "{} = chk({} * {}[{} % len({})])".format(t, s, a.name, m, a.name))
                self.declare_scalar(t, False)
                self.wrote(t)
                s = t
                shape += " also as an index"
        self.sink(s)
        self.ctag("integer sum {} read as m as f64 next to a float sum {}".format(shape, self.where()))

    def empty_sum_stmt(self):
        """A float sum that is empty at some points (or all): `A.iter()
        .skip(k).map(..).sum::<f64>()`, `(k..A.len()).map(..).sum()`; an
        empty one is `-0.0`, which at the top level becomes a result
        element of its own."""
        arrs = [a for a in self.arrays if getattr(a, "akind", None) is not None]
        if not arrs:
            return self.iter_reduce_stmt()
        a = self.pick(arrs)
        self.used.add(a.name)
        c = self.r()
        if "k" in self.ints and c < 0.5:
            self.used.add("k")
            skip_rs = skip_py = "k"
            how = "skip(k)"
        elif c < 0.75:
            skip_rs = skip_py = str(a.length)
            how = "skip(len): always empty"
        else:
            v = self.fresh("j")
            d = self.rng.randint(0, 2)
            self.emit("let {} = {}.len() - {};".format(v, a.name, d) if d else "let {} = {}.len();".format(v, a.name),
                      "{} = len({}) - {}".format(v, a.name, d))
            skip_rs = skip_py = v
            how = "skip(n) with n a length"
        v = self.fresh("v")
        f = self.body([v], 1)
        u = self.fresh("e")
        if self.r() < 0.7:
            ann = self.r() < 0.4
            self.emit("let {}{} = {}.iter().skip({}).map(|&{}| {}).sum{}();".format(
                u, ": f64" if ann else "", a.name, skip_rs, v, f.rs, "" if ann else "::<f64>"),
                "{} = chk(sum([chk({}) for {} in list({})[{}:]], -0.0))".format(u, f.py, v, a.name, skip_py))
        else:
            i = self.fresh("i")
            f2 = re.sub(r"\b" + v + r"\b", "{}[{}]".format(a.name, i), f.rs)
            self.emit("let {} = ({}..{}.len()).map(|{}| {}).sum::<f64>();".format(u, skip_rs, a.name, i, f2),
                      "{} = chk(sum([chk({}) for {} in list({})[{}:]], -0.0))".format(u, f.py, v, a.name, skip_py))
            how = {"skip(k)": "(k..len)", "skip(len): always empty": "(len..len): always empty"}.get(how, "(n..len)")
        self.declare_scalar(u, False)
        self.wrote(u)
        pure = self.top and self.pure is None and self.out in "vat" and self.r() < 0.8
        if pure:
            self.pure = G.var(u)
        else:
            self.sink(u)
        self.ctag("float sum that may be empty, {}{} {}".format(how, ", a result element of its own" if pure else "",
                                                              self.where()))

    def slots(self, shaped, m):
        if self.pure is not None and m >= 2:
            es = G.CallsGen.slots(self, shaped, m - 1)
            es.insert(self.rng.randint(0, m - 1), self.pure)
            self.pure = None
            return es
        return G.CallsGen.slots(self, shaped, m)

    # ----- loops left by `return` ----------------------------------------------------

    def exits_loop(self, acc, j, n, exits):
        """The body of a `loop` on the counter `j` that updates the active
        `acc`, then takes `exits` in order: (condition (rust, python) or
        None for `j >= n`, "return"/"break", value E or None for the
        function's `exit_stmt`), `bound` naming the loop's value in Python."""
        self.loops.append("value")
        self.push()
        self.mut_update(acc)
        if self.r() < 0.4:
            self.update(acc)
        self.emit("{} += 1;".format(j), "{} += 1".format(j))
        for cond, kind, e, bound in exits:
            rs, py = cond if cond is not None else ("{} >= {}".format(j, n), "{} >= {}".format(j, n))
            self.emit("if {} {{".format(rs), "if {}:".format(py))
            self.ind += 1
            if kind == "break":
                self.emit("break {};".format(e.rs), "{} = chk({})".format(bound, e.py))
                self.emit(None, "break")
            elif e is not None:
                self.emit("return {};".format(e.rs), "return chk({})".format(e.py))
            else:
                loops, self.loops = self.loops, []
                try:
                    self.exit_stmt()
                finally:
                    self.loops = loops
            self.ind -= 1
            self.emit("}")
        self.pop()
        self.loops.pop()

    def acc_cond(self, acc, up=None):
        """`acc > c` (`up`) or `acc < -c`: (rust, python)."""
        c = self.const(0.05, 0.8)
        if up if up is not None else self.r() < 0.5:
            return "{} > {}".format(acc, c), "gt({}, {})".format(acc, c)
        return "{} < -{}".format(acc, c), "lt({}, -{})".format(acc, c)

    def loop_return_stmt(self):
        """`let u = loop { ..; if c { return e; } if j >= n { break v; } };`:
        a loop with a value and a `return` inside, then `u` read."""
        callees, self.callees = self.callees, []
        try:
            acc = self.let(self.typed(self.act_expr()), name=self.fresh("s"), mutable=True)
            j, u = self.fresh("j"), self.fresh("u")
            n = self.rng.randint(2, 4)
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            self.emit("let {} = loop {{".format(u), "while True:")
            up = self.r() < 0.5
            exits = [(self.acc_cond(acc, up), "return", None, None),
                     (None, "break", binop("*", var(acc), self.expr(1)), u)]
            if self.r() < 0.4:
                exits.insert(self.rng.randint(0, 1), (self.acc_cond(acc, not up), "break",
                                                      binop("+", var(acc), self.expr(1)), u))
            self.exits_loop(acc, j, n, exits)
            self.emit("};")
        finally:
            self.callees = callees
        self.declare_scalar(u, False)
        self.wrote(u)
        self.sink(u)
        self.ctag("let u = loop {{ .. break v; .. return e; .. }} {}".format(self.where()))

    def tail(self, shaped):
        if not (self.tail_loop and self.out == "f" and self.own_buf is None):
            return G.CallsGen.tail(self, shaped)
        # The tail's terms bound first, read by every exit.
        e = None
        for t in shaped:
            e = t if e is None else binop(self.pick("+-"), e, t)
        at = len(self.rs)
        tl = self.let(e, name=self.fresh("t"))
        callees, self.callees = self.callees, []
        acc = self.let(self.typed(self.act_expr()), name=self.fresh("s"), mutable=True)
        j = self.fresh("j")
        n = self.rng.randint(2, 4)
        self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
        kind = self.pick(["return", "return", "value", "value", "branch"])
        ret = lambda: binop(self.pick("+*"), var(acc), var(tl))  # noqa: E731
        if kind == "branch":
            rs, py = self.active_only_cond()
            self.emit("if {} {{".format(rs), "if {}:".format(py))
            self.ind += 1
        if kind == "value":
            c = self.const(0.3, 1.5)
            lv = self.fresh("lv")
            self.emit("{} * loop {{".format(c), "while True:")
            up = self.r() < 0.5
            exits = [(self.acc_cond(acc, up), "break", ret(), lv), (self.acc_cond(acc, not up), "return", ret(), None)]
            self.rng.shuffle(exits)
            exits.append((None, "break", ret(), lv))
            self.exits_loop(acc, j, n, exits)
            self.emit("}", "return chk({} * {})".format(c, lv))
            what = "the tail c * loop { .. break v; .. return e; .. }"
        else:
            self.emit("loop {", "while True:")
            self.exits_loop(acc, j, n, [(self.acc_cond(acc), "return", ret(), None), (None, "return", ret(), None)])
            self.emit("}")
            what = "the tail loop { .. return e1; .. if j >= n { return e2; } }"
        if kind == "branch":
            self.ind -= 1
            self.emit("} else {", "else:")
            self.emit("    " + tl, "    return " + tl)
            self.emit("}")
            what += " in a branch of an if"
        self.callees = callees
        self.ctag(what)
        self.third_lines += len(self.rs) - at

    # ----- data left out of `wrt`: `for x in data`, element references --------------

    def table(self, sort=False):
        """A `const` table of this function at the module level: its name
        and length."""
        name = "{}_T{}".format(self.name.upper(), len(self.tables))
        n = self.rng.randint(3, 4)
        if sort:
            vals, v = [], round(self.rng.uniform(-1.3, -0.5), 2)
            for _ in range(n):
                vals.append(v)
                v = round(v + self.rng.uniform(0.3, 0.8), 2)
        else:
            vals = [round(self.rng.uniform(-1.5, 1.5), 2) for _ in range(n)]
        body = ", ".join(G.rust_float(x) for x in vals)
        self.tables.append(("const {}: [f64; {}] = [{}];".format(name, n, body),
                           "{} = [{}]".format(name, ", ".join(repr(x) for x in vals))))
        return name, n

    def data_params(self):
        """Slice parameters left out of `wrt`, never written or shadowed."""
        names = {p.name for p in self.fixed_inactive() if p.kind == "s"}
        return [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.name in names]

    def data_source(self):
        """(name, is a table, length) of data left out of `wrt`."""
        srcs = self.data_params()
        if srcs and self.r() < 0.6:
            a = self.pick(srcs)
            self.used.add(a.name)
            return a.name, False, a.length
        name, n = self.table()
        return name, True, n

    def data_for_stmt(self):
        """`for x in data` (`x: &f64`), `for &x in data.iter()`, `for x in
        data.iter().skip(1)` over a slice left out of `wrt` or a `const`
        table, `x` read with active values."""
        d, is_table, n = self.data_source()
        acc = self.ensure_mut()
        c = self.r()
        if c < 0.3:
            pat, src, by_ref, skip = "", ("&" if is_table else "") + d, True, 0
        elif c < 0.6:
            pat, src, by_ref, skip = "&", d + ".iter()", False, 0
        elif c < 0.85:
            pat, src, by_ref, skip = "", d + ".iter().skip(1)", True, 1
        else:
            pat, src, by_ref, skip = "", d + ".iter()", True, 0
        x = self.fresh("x")
        self.emit("for {}{} in {} {{".format(pat, x, src), "for {} in list({})[{}:]:".format(x, d, skip))
        self.loops.append("for")
        self.push()
        callees, self.callees = self.callees, []
        a = self.typed(self.act_expr())
        c = self.r()
        if c < 0.35:
            e = binop("*", binop("-", var(x), a), self.bounded(self.expr(1)))
            what = "(x - a) * b"
        elif c < 0.6:
            e = binop("*", var(x), a)
            what = "x * a"
        elif c < 0.8:
            f = self.pick(["sin", "cos", "tanh"])
            e = E(("(*{}).{}()" if by_ref else "{}.{}()").format(x, f), G.ATOM, "f_{}({})".format(f, x), True)
            e = binop("*", e, a)
            what = "(*x).f() * a" if by_ref else "x.f() * a"
        else:
            # Horner's scheme, `acc = (acc + x) * b`
            b = self.bounded(a)
            self.assign(acc, "=", binop("*", E("({} + {})".format(acc, x), G.ATOM, "({} + {})".format(acc, x), True), b))
            e = None
            what = "acc = (acc + x) * b"
        if e is not None:
            self.assign(acc, "+", e)
        self.callees = callees
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.used.add(acc)
        self.wrote(acc)
        self.ctag("for over {}: {} reading {} {}".format(
            "a const table" if is_table else "a slice left out of wrt", "for {}x in {}".format(pat, src.replace(d, "data")), what,
            self.where()))

    def elem_ref_stmt(self):
        """`let d = &data[i]; .. d * a ..` of a slice left out of `wrt` or a
        `const` table, in a loop over its indices or once."""
        d, is_table, n = self.data_source()
        acc = self.ensure_mut()
        r = self.fresh("r")
        loop = self.r() < 0.6
        if loop:
            i = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{}.len() {{".format(i, d), "for {} in range(0, len({})):".format(i, d),
                            "for", i)
            idx = G.ivar(i)
        else:
            idx = G.ilit(self.rng.randint(0, n - 1))
        self.emit("let {} = &{}[{}];".format(r, d, idx.rs), "{} = {}[{}]".format(r, d, idx.py))
        callees, self.callees = self.callees, []
        a = self.typed(self.act_expr())
        if self.r() < 0.5:
            e = binop("*", var(r), a)
        else:
            e = binop("+", binop("*", var(r), a), binop("*", E("(*{})".format(r), G.ATOM, r, True),
                                                           self.bounded(self.expr(1))))
        self.assign(acc, "+", e)
        self.callees = callees
        if loop:
            self.close_block(loop=True)
        self.used.add(acc)
        self.wrote(acc)
        self.ctag("element reference let d = &data[i]; d * a of {}{} {}".format(
            "a const table" if is_table else "a slice left out of wrt", " in a loop of its own" if loop else "",
            self.where()))

    # ----- table lookups ---------------------------------------------------------

    def draw_params(self, n_slices=None):
        params = G.CallsGen.draw_params(self, n_slices)
        if any(p.kind in "fsavrmn" for p in params) and self.r() < self.KNOTS_P:
            xs = G.WParam("xs", "s", self.rng.randint(3, 4))
            xs.sorted = True
            params.append(xs)
        return params

    def adjust_activity(self, floats, use_wrt):
        """The knots `xs` stay out of `wrt` (with `wrt`)."""
        for p in floats:
            if getattr(p, "sorted", False) and use_wrt:
                p.active = False
                if not any(q.active for q in floats):
                    self.pick([q for q in floats if q is not p]).active = True

    def lookup_stmt(self):
        """`let i = xs.partition_point(|&k| k <= a).clamp(1, xs.len() - 1);`
        or `xs.iter().position(|&k| k > a).unwrap_or(0)` over the sorted
        knots `xs` left out of `wrt` or a sorted `const` table, with `a`
        active, then active data read at `i` (`y[i]`, `y[i - 1] * (1.0 -
        t) + y[i] * t`). The twin records every comparison with a knot, so
        test points keep `a` away from the knots."""
        knots = [p for p in self.fixed_inactive() if getattr(p, "sorted", False) and p.name in
                 [a.name for a in self.arrays]]
        if knots and self.r() < 0.6:
            kn, n, what = knots[0].name, knots[0].length, "sorted knots xs left out of wrt"
            self.used.add(kn)
        else:
            (kn, n), what = self.table(sort=True), "a sorted const table"
        callees, self.callees = self.callees, []
        try:
            a = self.let(self.typed(self.act_expr()), name=self.fresh("a"))
            ys = [arr for arr in self.arrays if arr.length >= n and (
                getattr(arr, "surely_active", False) or any(p.name == arr.name and p.active and p.kind in "savr"
                                                            for p in self.wparams))]
            if ys and self.r() < 0.5:
                y = self.pick(ys).name
                self.used.add(y)
            else:
                y = self.fresh("y")
                es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(n - 1)]
                self.rng.shuffle(es)
                self.emit("let {} = [{}];".format(y, ", ".join(e.rs for e in es)),
                          "{} = [{}]".format(y, ", ".join("chk(" + e.py + ")" for e in es)))
            i, s = self.fresh("i"), self.fresh("s")
            if self.r() < 0.6:
                self.emit("let {} = {}.partition_point(|&k| k <= {}).clamp(1, {}.len() - 1);".format(i, kn, a, kn),
                          "{} = min(max(k_pp({}, {}), 1), len({}) - 1)".format(i, kn, a, kn))
                how = "partition_point(..).clamp(1, len - 1)"
                if self.r() < 0.7:
                    t = self.fresh("t")
                    self.emit("let {t} = ({a} - {k}[{i} - 1]) / ({k}[{i}] - {k}[{i} - 1]);".format(t=t, a=a, k=kn, i=i),
                              "{t} = chk(({a} - {k}[{i} - 1]) / ({k}[{i}] - {k}[{i} - 1]))".format(t=t, a=a, k=kn, i=i))
                    self.emit("let {s} = {y}[{i} - 1] * (1.0 - {t}) + {y}[{i}] * {t};".format(s=s, y=y, i=i, t=t),
                              "{s} = chk({y}[{i} - 1] * (1.0 - {t}) + {y}[{i}] * {t})".format(s=s, y=y, i=i, t=t))
                    how += ", interpolated"
                else:
                    self.emit("let {s} = {y}[{i}] * {a} + {y}[{i} - 1];".format(s=s, y=y, i=i, a=a),
                              "{s} = chk({y}[{i}] * {a} + {y}[{i} - 1])".format(s=s, y=y, i=i, a=a))
            else:
                self.emit("let {} = {}.iter().position(|&k| k > {}).unwrap_or(0);".format(i, kn, a),
                          "{} = k_pos({}, {})".format(i, kn, a))
                self.emit("let {s} = {y}[{i}] * {a} + {y}[0];".format(s=s, y=y, i=i, a=a),
                          "{s} = chk({y}[{i}] * {a} + {y}[0])".format(s=s, y=y, i=i, a=a))
                how = "iter().position(..).unwrap_or(0)"
        finally:
            self.callees = callees
        self.declare_scalar(s, False)
        self.wrote(s)
        self.sink(s)
        self.ctag("table lookup {} over {} {}".format(how, what, self.where()))

    def function(self):
        spec = G.CallsGen.function(self)
        if self.tables:
            spec.rust = "".join(r + "\n" for r, _ in self.tables) + "\n" + spec.rust
            spec.python = "".join(p + "\n" for _, p in self.tables) + spec.python
        spec.knots = any(getattr(p, "sorted", False) for p in spec.params)
        spec.extra_lines = min(self.third_lines, self.THIRD_LINES) + min(self.fourth_lines, self.FOURTH_LINES)
        return spec

    # ----- sub-slice locals --------------------------------------------------------

    def subslice_stmt(self):
        """`let r = &x[a..b];` (or `&x[a..]`) of a slice parameter, then read
        by element or passed on (it is one of the arrays in scope)."""
        srcs = [a for a in self.arrays if getattr(a, "akind", None) == "s" and a.length >= 3
                and not any(p.name == a.name and p.mut for p in self.wparams)]
        if not srcs:
            return self.call_let_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        n = a.length
        lo = self.rng.randint(0, 1)
        r = self.fresh("r")
        if self.r() < 0.5:
            hi = self.rng.randint(lo + 2, n)
            self.emit("let {} = &{}[{}..{}];".format(r, a.name, lo, hi), "{} = sl({}, {}, {}, 2)".format(r, a.name, lo, hi))
            arr = G.carray(r, hi - lo, "s")
            shape = "&x[a..b]"
        else:
            self.emit("let {} = &{}[{}..];".format(r, a.name, lo), "{} = sl({}, {}, None, 2)".format(r, a.name, lo))
            arr = G.carray(r, n - lo, "s", fixed=False)
            shape = "&x[a..]"
        self.declare_array(arr)
        self.ctag("sub-slice local let r = {} {}".format(shape, self.where()))
        if self.r() < 0.5:
            self.consume_array(arr)


def buf_only_helper(rng, name, callees):
    """A helper whose only active data is its buffer: `fn h(y: &mut [f64],
    c: f64)` with `c` left out of `wrt` (`wrt(y)`), or `fn h(y: &mut
    [f64])`, updating `y` in place (`y[i] = y[i].tanh()`, neighbours,
    branches on its elements, a reduction written back, earlier such
    helpers called on all of it)."""
    n = rng.randint(3, 4)
    y = G.WParam("y", "b", n)
    params = [y]
    has_c = rng.random() < 0.6
    if has_c:
        params.append(G.WParam("c", "f"))
    cr = "c" if has_c else str(round(rng.uniform(0.3, 0.9), 2))
    rs, py, tags = [], [], []
    depth = 0

    def emit(r, p=None):
        rs.append("    " + r)
        if p is not None:
            py.append("    " + p)

    kinds = rng.choices(["map", "neigh", "branch", "reduce", "iter_mut", "call"], [3, 2, 2, 1.5, 1.5, 2],
                        k=rng.randint(2, 3))
    if "map" not in kinds and "iter_mut" not in kinds:
        kinds.append("map")
    rng.shuffle(kinds)
    subs = [g for g in callees if getattr(g, "buf_only", False) and g.params[0].length <= n]
    for kind in kinds:
        if kind == "call" and not subs:
            kind = "neigh"
        if kind == "map":
            f = rng.choice(["tanh", "sin", "atan"])
            if rng.random() < 0.5:
                emit("for i in 0..y.len() {", "for i in range(0, len(y)):")
                emit("    y[i] = y[i].{}();".format(f), "    y[i] = chk(f_{}(y[i]))".format(f))
                emit("}")
                tags.append("buffer-only helper: y[i] = y[i].f() in place")
            else:
                a = round(rng.uniform(0.2, 0.6), 2)
                emit("for i in 0..y.len() {", "for i in range(0, len(y)):")
                emit("    y[i] = {} * y[i] + ({} * y[i]).{}();".format(cr, a, f),
                     "    y[i] = chk({} * y[i] + f_{}({} * y[i]))".format(cr, f, a))
                emit("}")
                tags.append("buffer-only helper: y[i] = c * y[i] + f(y[i])")
        elif kind == "neigh":
            a = round(rng.uniform(0.2, 0.6), 2)
            emit("for i in 1..y.len() {", "for i in range(1, len(y)):")
            emit("    y[i] += {} * (y[i - 1] * {}).sin();".format(a, cr),
                 "    y[i] = chk(y[i] + {} * f_sin(y[i - 1] * {}))".format(a, cr))
            emit("}")
            tags.append("buffer-only helper: neighbours y[i] += a * f(y[i - 1])")
        elif kind == "branch":
            j, i = rng.randint(0, n - 1), rng.randint(0, n - 1)
            t = round(rng.uniform(-0.5, 0.5), 2)
            emit("if y[{}] > {} {{".format(j, t), "if gt(y[{}], {}):".format(j, t))
            emit("    y[{i}] = y[{i}] * y[{j}].cos();".format(i=i, j=j),
                 "    y[{i}] = chk(y[{i}] * f_cos(y[{j}]))".format(i=i, j=j))
            emit("} else {", "else:")
            emit("    y[{i}] -= {c} * y[{j}];".format(i=i, j=j, c=cr),
                 "    y[{i}] = chk(y[{i}] - {c} * y[{j}])".format(i=i, j=j, c=cr))
            emit("}")
            tags.append("buffer-only helper: branch on an element")
        elif kind == "reduce":
            j = rng.randint(0, n - 1)
            emit("let s: f64 = y.iter().map(|v| v * v).sum();", "s = chk(sum([chk(v * v) for v in list(y)], -0.0))")
            emit("y[{j}] = (0.5 * s).tanh() + {c} * y[{j}];".format(j=j, c=cr),
                 "y[{j}] = chk(f_tanh(0.5 * s) + {c} * y[{j}])".format(j=j, c=cr))
            tags.append("buffer-only helper: a reduction written back")
        elif kind == "iter_mut":
            f = rng.choice(["sin", "tanh"])
            emit("for e in y.iter_mut() {", "for i in range(0, len(y)):")
            emit("    *e = {} * e.{}() + 0.5 * *e;".format(cr, f), "    y[i] = chk({} * f_{}(y[i]) + 0.5 * y[i])".format(cr, f))
            emit("}")
            tags.append("buffer-only helper: for e in y.iter_mut()")
        else:
            g = rng.choice(subs)
            m = g.params[0].length
            depth = max(depth, g.call_depth + 1)
            carg = []
            if len(g.params) > 1:
                carg = [cr if has_c and rng.random() < 0.6 else str(round(rng.uniform(0.3, 0.9), 2))]
            if m == n and rng.random() < 0.6:
                emit("{}({});".format(g.name, ", ".join(["y"] + carg)), "{}({})".format(g.name, ", ".join(["y"] + carg)))
                tags.append("buffer-only helper calls one on its whole buffer")
            else:
                a = rng.randint(0, n - m)
                emit("{}({});".format(g.name, ", ".join(["&mut y[{}..{}]".format(a, a + m)] + carg)), None)
                py.append("    t = y[{}:{}]".format(a, a + m))
                py.append("    {}({})".format(g.name, ", ".join(["t"] + carg)))
                py.append("    y[{}:{}] = t".format(a, a + m))
                tags.append("buffer-only helper calls one on a range of its buffer")
    attr = "#[differentiate(wrt(y))]" if has_c or rng.random() < 0.5 else "#[differentiate]"
    sig = ", ".join(["y: &mut [f64]"] + (["c: f64"] if has_c else []))
    rust = "{}\nfn {}({}) {{\n{}\n}}\n".format(attr, name, sig, "\n".join(rs))
    python = "def {}({}):\n{}\n".format(name, ", ".join(p.name for p in params), "\n".join(py))
    tags.append("helper whose only active data is its buffer &mut [f64]{}".format(
        ", an f64 left out of wrt" if has_c else ""))
    if depth:
        tags.append("calls (depth {})".format(depth))
    spec = G.CallsSpec(name, params, "u", 0, rust, python, depth, tags)
    spec.buf_only = True
    return spec


def k_pp(xs, a):
    """`xs.partition_point(|&k| k <= a)` over sorted `xs`: every comparison
    with a knot is a decision (its margin the distance of `a` to the
    knot)."""
    for k in xs:
        G.TRACE.append((a - k, k <= a))
    return bisect.bisect_right(xs, a)


def k_pos(xs, a):
    """`xs.iter().position(|&k| k > a).unwrap_or(0)`, every comparison a
    decision."""
    for k in xs:
        G.TRACE.append((k - a, k > a))
    return next((i for i, k in enumerate(xs) if k > a), 0)
