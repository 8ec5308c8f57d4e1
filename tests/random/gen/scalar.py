"""The first family's functions (`random`): statements and whole functions."""

from .scalar_exprs import *  # noqa: F401,F403 (the earlier parts, in order)

# Set (by `random_family` and `wrt_output`) for the `checkpoint` family: `#[checkpoint]` on loops (see `loop_stmt`).
CHECKPOINT = False


class Gen(GenExprs):
    """A function of the first family (`GenExprs` draws its expressions)."""

    def if_stmt(self, allow_exit=True):
        if not self.muts:
            self.ensure_mut()
        rs, py = self.cond()
        self.emit("if " + rs + " {", "if " + py + ":")
        # Not every branch may exit: the code after the `if` would be
        # unreachable.
        falls_through = not self.branch(allow_exit)
        c = self.r()
        while c < 0.2:
            rs, py = self.cond()
            self.emit("} else if " + rs + " {", "elif " + py + ":")
            falls_through |= not self.branch(allow_exit)
            c = self.r() * 2
        if c < 0.8:
            self.emit("} else {", "else:")
            self.branch(allow_exit and falls_through)
        self.emit("}")

    def branch(self, allow_exit):
        """A nested block; True if it ends with return/break/continue."""
        self.push()
        start = len(self.py)
        n = self.rng.randint(1, 2)
        exits = False
        for i in range(n):
            if allow_exit and i == n - 1 and self.r() < 0.25:
                self.exit_stmt()
                exits = True
            else:
                self.stmt(nested=True, loop_ok=len(self.loops) < 2 and self.r() < 0.2)
        if len(self.py) == start:
            self.emit(None, "pass")
        self.pop()
        return exits

    def exit_stmt(self):
        """return, break or continue (the last statement of a branch)."""
        opts = ["return"]
        if self.loops:
            opts += ["break", "break"]
            if self.loops[-1] == "for":
                opts += ["continue", "continue"]
        kind = self.pick(opts)
        if kind == "return":
            e = self.expr(2)
            self.emit("return " + e.rs + ";", "return chk(" + e.py + ")")
        else:
            self.emit(kind + ";", kind)

    def guarded_exit(self):
        rs, py = self.cond()
        self.emit("if " + rs + " {", "if " + py + ":")
        self.push()
        self.exit_stmt()
        self.pop()
        self.emit("}")

    def match_stmt(self, value=False):
        """`match` on an inactive integer, as a statement or as a `let` value."""
        scrut = self.int_var()
        m = self.rng.randint(2, 4)
        s = ibin("%", scrut, ilit(m)) if self.r() < 0.7 else scrut
        tmp = self.fresh("m")
        arms = self.arms(m if s is not scrut else 4)
        target = self.fresh() if value else None
        self.emit(
            ("let " + target + " = " if value else "") + "match " + s.rs + " {",
            tmp + " = " + s.py,
        )
        first = True
        falls_through = False
        for pat_rs, pat_py in arms:
            kw = "if" if first else ("elif" if pat_py is not None else "else")
            first = False
            head = kw + " " + pat_py.format(s=tmp) + ":" if pat_py is not None else "else:"
            if value:
                e = self.typed(self.expr(2))
                if pat_py is not None and self.value_exit() is not None:
                    # An arm that leaves (`k => return e,`).
                    self.emit("    " + pat_rs + " => {", head)
                    self.ind += 1
                    self.exit_block()
                    self.ind -= 1
                    self.emit("    }")
                else:
                    self.emit("    " + pat_rs + " => " + e.rs + ",", head)
                    self.emit(None, "    " + target + " = chk(" + e.py + ")")
            else:
                self.emit("    " + pat_rs + " => {", head)
                self.ind += 1
                falls_through |= not self.branch(allow_exit=pat_py is not None or falls_through)
                self.ind -= 1
                self.emit("    }")
        self.emit("};" if value else "}")
        if value:
            self.declare_scalar(target, False)
            self.wrote(target)

    def arms(self, m):
        """Arms of a `match` on a value in 0..m: (rust pattern, python
        predicate with `{s}` for the scrutinee, or None for the last `_`)."""
        values = list(range(m))
        self.rng.shuffle(values)
        arms = []
        for _ in range(self.rng.randint(1, min(3, m))):
            if not values:
                break
            c = self.r()
            if c < 0.5 or len(values) < 2:
                v = values.pop()
                arms.append((str(v), "{s} == " + str(v)))
            elif c < 0.8:
                a, b = values.pop(), values.pop()
                arms.append(("{} | {}".format(a, b), "{s} in " + "({}, {})".format(a, b)))
            else:
                vs = sorted(values)
                lo = hi = vs[0]
                if lo + 1 in vs:
                    hi = lo + 1
                for v in range(lo, hi + 1):
                    values.remove(v)
                arms.append(("{}..={}".format(lo, hi), "{} <= {{s}} <= {}".format(lo, hi)))
        if "k" in self.ints and self.r() < 0.3:
            v = self.rng.randint(1, 3)
            self.used.add("k")
            arms.append(("_ if k < {}".format(v), "k < {}".format(v)))
        arms.append(("_", None))
        return arms

    def let_if(self):
        rs, py = self.cond()
        a, b = self.typed(self.expr(2)), self.typed(self.expr(2))
        name = self.fresh()
        side = self.value_exit()
        if side is None and self.trng.random() < self.TUPLE_IF_P:
            # The same two values, swapped in the other branch, bound as a
            # tuple; the second name (not from the counter, so that the
            # names after it stay) is folded into the first at once.
            # Bound from an `if`, a `match` on the condition or a block
            # whose tail is the tuple.
            other = name + "b"
            form = self.trng.choice(["if", "match", "block"])
            if form == "block":
                # (Only the tuple in the block: a `let` in it that reads no
                # active value is a documented compile error.)
                self.emit("let ({}, {}) = {{ ({}, {}) }};".format(name, other, a.rs, b.rs),
                          "{} = chk({})".format(name, a.py))
                self.emit(None, "{} = chk({})".format(other, b.py))
            else:
                value = ("match {} {{ true => ({}, {}), false => ({}, {}) }}" if form == "match"
                         else "if {} {{ ({}, {}) }} else {{ ({}, {}) }}")
                self.emit("let ({}, {}) = {};".format(name, other, value.format(rs, a.rs, b.rs, b.rs, a.rs)),
                          "if {}:".format(py))
                self.emit(None, "    {} = chk({})".format(name, a.py))
                self.emit(None, "    {} = chk({})".format(other, b.py))
                self.emit(None, "else:")
                self.emit(None, "    {} = chk({})".format(name, b.py))
                self.emit(None, "    {} = chk({})".format(other, a.py))
            folded = binop("+", var(name), method("sin", var(other)))
            self.emit("let {} = {};".format(name, folded.rs), "{} = chk({})".format(name, folded.py))
        elif side is None:
            self.emit("let {} = if {} {{ {} }} else {{ {} }};".format(name, rs, a.rs, b.rs),
                      "if {}:".format(py))
            self.emit(None, "    {} = chk({})".format(name, a.py))
            self.emit(None, "else:")
            self.emit(None, "    {} = chk({})".format(name, b.py))
        else:
            # `let u = if c { a } else { return b; };` (or the `if` branch
            # leaves): the other value is drawn all the same. Or the value
            # is assigned to a mutable variable (`m = if ..`).
            kept = b if side == 0 else a
            # (Not `m = if c { m } else { .. }`: rustc flags it.)
            stays = a if side == 1 else kept
            targets = sorted(m for m in self.muts if m in self.scalars and m != stays.rs)
            if targets and self.xrng.random() < 0.4:
                target = self.xrng.choice(targets)
                self.emit("{} = if {} {{".format(target, rs), "if {}:".format(py))
                if side == 0:
                    self.exit_block()
                else:
                    self.emit("    " + a.rs, "    {} = chk({})".format(target, a.py))
                self.emit("} else {", "else:")
                if side == 1:
                    self.exit_block()
                else:
                    self.emit("    " + kept.rs, "    {} = chk({})".format(target, kept.py))
                self.emit("};")
                self.used.add(target)
                self.wrote(target)
                return
            self.emit("let {} = if {} {{".format(name, rs), "if {}:".format(py))
            if side == 0:
                self.exit_block()
            else:
                self.emit("    " + a.rs, "    {} = chk({})".format(name, a.py))
            self.emit("} else {", "else:")
            if side == 1:
                self.exit_block()
            else:
                self.emit("    " + kept.rs, "    {} = chk({})".format(name, kept.py))
            self.emit("};")
        self.declare_scalar(name, False)
        self.wrote(name)

    def value_exit(self):
        """Whether a branch of an `if` or arm of a `match` whose value is
        bound leaves instead (`return`, `break`, `continue`): None, or which
        branch (0 the first, 1 the other). Drawn from a generator of its own
        (seeded by the function's name), as is the exit itself, so that the
        other functions of a family stay as they were."""
        if self.xrng.random() >= VALUE_EXIT_P:
            return None
        return self.xrng.randint(0, 1)

    def exit_block(self):
        """An exit statement (this family's `exit_stmt`) as a branch's body,
        drawn from the generator of `value_exit`."""
        main, self.rng = self.rng, self.xrng
        self.ind += 1
        try:
            self.exit_stmt()
        finally:
            self.ind -= 1
            self.rng = main

    def let_block(self):
        q = self.fresh("q")
        # The block must read an active value (a `let` inside a block that
        # reads none is a documented compile error): a parameter is one.
        e1 = binop(self.pick("+*"), self.expr(1), self.param_leaf())
        name = self.fresh()
        self.emit("let " + name + " = {", "{} = chk({})".format(q, e1.py))
        self.ind += 1
        self.emit("let {} = {};".format(q, e1.rs))
        self.ind -= 1
        self.scalars.append(q)
        tail = binop(self.pick("+*-"), var(q), self.expr(1))
        if self.r() < 0.5:
            tail = binop("+", tail, method(self.pick(["sin", "tanh", "atan"]), var(q)))
        self.scalars.remove(q)
        self.ind += 1
        self.emit(tail.rs)
        self.ind -= 1
        self.emit("};", "{} = chk({})".format(name, tail.py))
        self.used.add(q)
        self.declare_scalar(name, False)
        self.wrote(name)

    def let_tuple(self):
        a, b = self.typed(self.expr(2)), self.typed(self.expr(2))
        n1, n2 = self.fresh(), self.fresh()
        self.emit("let ({}, {}) = ({}, {});".format(n1, n2, a.rs, b.rs),
                  "{}, {} = chk({}), chk({})".format(n1, n2, a.py, b.py))
        self.declare_scalar(n1, False)
        self.declare_scalar(n2, False)
        self.wrote(n1)
        self.wrote(n2)

    def shadow(self):
        cands = [s for s in self.scalars]
        name = self.pick(cands)
        self.used.add(name)
        inner = binop(self.pick("+*"), var(name), self.expr(1))
        e = method(self.pick(["sin", "tanh", "atan", "asinh", "cos"]), inner) if self.r() < 0.6 else inner
        self.let(e, name=name, annotate=self.r() < 0.2)

    def loop_header(self):
        """Chooses a loop header: (rust, python, loop variable, kind, the
        counter's increment (rust, python) for counted loops, the trip count
        of a `loop`). Counted loops declare their counter first."""
        slices = [a for a in self.arrays]
        c = self.r()
        v = "i" + str(len(self.loops))
        if c < 0.3 and slices:
            arr = self.pick(slices)
            self.used.add(arr.name)
            if self.r() < 0.25:
                return ("for {} in (0..{}).rev() {{".format(v, arr.length_rs),
                        "for {} in reversed(range(0, len({}))):".format(v, arr.name), v, "for", None)
            return ("for {} in 0..{} {{".format(v, arr.length_rs),
                    "for {} in range(0, len({})):".format(v, arr.name), v, "for", None)
        if c < 0.45:
            n = self.rng.randint(2, 5)
            return "for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), v, "for", None
        if c < 0.52:
            n = self.rng.randint(3, 7)
            return ("for {} in (0..{}).step_by(2) {{".format(v, n),
                    "for {} in range(0, {}, 2):".format(v, n), v, "for", None)
        if c < 0.58:
            n = self.rng.randint(2, 4)
            return "for {} in 1..={} {{".format(v, n), "for {} in range(1, {} + 1):".format(v, n), v, "for", None
        if c < 0.64:
            n = self.rng.randint(2, 5)
            return ("for {} in (0..{}).rev() {{".format(v, n),
                    "for {} in reversed(range(0, {})):".format(v, n), v, "for", None)
        if c < 0.74 and "k" in self.ints:
            self.used.add("k")
            if self.r() < 0.5:
                return "for {} in 0..k {{".format(v), "for {} in range(0, k):".format(v), v, "for", None
            return "for {} in 0..k + 1 {{".format(v), "for {} in range(0, k + 1):".format(v), v, "for", None
        # counted while / loop
        j = self.fresh("j")
        n = self.rng.randint(2, 4)
        self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
        if c < 0.84:
            return ("while {} < {} {{".format(j, n), "while {} < {}:".format(j, n), j, "counted",
                    ("{} += 1;".format(j), "{} += 1".format(j)))
        if c < 0.92 and self.muts:
            s = self.pick(sorted(self.muts))
            lim = self.const(0.5, 3.0)
            self.used.add(s)
            return ("while {} < {} && {} < {} {{".format(s, lim, j, n + 2),
                    "while lt({}, {}) and {} < {}:".format(s, lim, j, n + 2), j, "counted",
                    ("{} += 1;".format(j), "{} += 1".format(j)))
        return ("loop {", "while True:", j, "loop", ("{} += 1;".format(j), "{} += 1".format(j)), n)

    def loop_stmt(self):
        """Accumulators, then a loop that overwrites them."""
        accs = []
        for _ in range(self.rng.randint(1, 2)):
            c = self.r()
            init = lit(1.0) if c < 0.3 else lit(0.0) if c < 0.5 else self.expr(1)
            accs.append(self.let(init, mutable=True))
        header = self.loop_header()
        rs_open, py_open, v, kind = header[:4]
        tail = header[4] if len(header) > 4 else None
        limit = header[5] if len(header) > 5 else None
        # The `checkpoint` family: binomial checkpointing on most loops it
        # may apply to (ascending ranges, `while`, `loop`), with 1 to 3
        # snapshots for loops of 2 to 7 steps, so that steps run again.
        if CHECKPOINT and ".rev()" not in rs_open and "step_by" not in rs_open and self.r() < 0.7:
            rs_open = "#[checkpoint(snapshots = {})] {}".format(self.rng.randint(1, 3), rs_open)
        at = len(self.rs)
        self.emit(rs_open, py_open)
        self.loops.append("for" if kind == "for" else "counted")
        self.push()
        self.declare_int(v)
        was_used = v in self.used
        self.used.discard(v)
        start_py = len(self.py)
        for a in accs:
            self.update(a)
        for _ in range(self.rng.randint(0, 2)):
            c = self.r()
            if c < 0.2:
                self.guarded_exit()
            else:
                self.stmt(nested=True, loop_ok=len(self.loops) < 2)
        if tail is not None:
            self.emit(tail[0], tail[1])
        if kind == "loop":
            self.emit("if {} >= {} {{".format(v, limit), "if {} >= {}:".format(v, limit))
            self.emit("    break;", "    break")
            self.emit("}")
        if len(self.py) == start_py:
            self.emit(None, "pass")
        if kind == "for" and v not in self.used:
            self.rs[at] = self.rs[at].replace("for " + v + " in", "for _ in", 1)
        if was_used:
            self.used.add(v)
        self.pop()
        self.loops.pop()
        self.emit("}")
        for a in accs:
            self.wrote(a)

    def array_stmt(self):
        """A local array, filled in a loop or from expressions."""
        name = self.fresh("w")
        c = self.r()
        slices = [a for a in self.arrays if not a.writable]
        if c < 0.6:
            if slices and self.r() < 0.5:
                src = self.pick(slices)
                length, length_rs = src.length, src.name + ".len()"
                write_len = ilen(src.name)
                decl = "let mut {} = vec![0.0; {}];".format(name, length_rs)
                decl_py = "{} = [0.0] * len({})".format(name, src.name)
            else:
                length = self.rng.randint(3, 5)
                if self.r() < 0.5:
                    decl = "let mut {} = vec![0.0; {}];".format(name, length)
                    write_len = ilit(length)
                else:
                    decl = "let mut {} = [0.0; {}];".format(name, length)
                    write_len = ilen(name)
                decl_py = "{} = [0.0] * {}".format(name, length)
            length_rs = name + ".len()"
            self.emit(decl, decl_py)
            arr = Array(name, length, length_rs, True, write_len)
            # fill loop
            v = "i" + str(len(self.loops))
            self.emit("for {} in 0..{} {{".format(v, length_rs), "for {} in range(0, len({})):".format(v, name))
            self.loops.append("for")
            self.push()
            self.declare_int(v)
            self.used.add(v)
            e = self.typed(self.expr(2))
            if self.r() < 0.5:
                e = binop("+", e, binop("*", lit(self.const(0.1, 1.0)), cast(ivar(v))))
            self.emit("{}[{}] = {};".format(name, v, e.rs), "{}[{}] = chk({})".format(name, v, e.py))
            if self.r() < 0.4:
                self.declare_array(arr)
                self.used.add(name)
                e2 = self.expr(1)
                i = self.index(arr, write=True)
                op = self.pick("+-*")
                if op == "*":
                    e2 = self.factor()
                self.emit("{}[{}] {}= {};".format(name, i.rs, op, e2.rs),
                          "{n}[{i}] = chk({n}[{i}] {op} {e})".format(n=name, i=i.py, op=op, e=e2.py))
            self.pop()
            self.loops.pop()
            self.emit("}")
            self.declare_array(arr)
        else:
            n = self.rng.randint(3, 4)
            es = [self.typed(self.expr(1)) for _ in range(n)]
            macro = self.r() < 0.5
            decl = "let {} = {}[{}];".format(name, "vec!" if macro else "", ", ".join(e.rs for e in es))
            self.emit(decl, "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
            self.declare_array(Array(name, n, name + ".len()", False))
        # use it: a reduction into a scalar
        arr = self.arrays[-1]
        self.used.add(arr.name)
        if self.r() < 0.6:
            acc = self.let(lit(0.0) if self.r() < 0.5 else self.expr(1), mutable=True)
            v = "i" + str(len(self.loops))
            self.emit("for {} in 0..{} {{".format(v, arr.length_rs),
                      "for {} in range(0, len({})):".format(v, arr.name))
            self.loops.append("for")
            self.push()
            self.declare_int(v)
            self.used.add(v)
            term = E("{}[{}]".format(arr.name, v), ATOM, "{}[{}]".format(arr.name, v), True)
            c = self.r()
            if c < 0.4:
                self.assign(acc, "+", binop("*", term, self.expr(1)))
            elif c < 0.7:
                self.assign(acc, "=", binop("+", binop("*", var(acc), lit(self.const(0.2, 0.9))),
                                              method(self.pick(["sin", "tanh", "cos"]), term)))
            else:
                self.assign(acc, "+", method(self.pick(["sin", "tanh", "cos", "atan"]), binop("*", term, self.expr(1))))
            if arr.writable and self.r() < 0.4:
                # Overwrite the element just read, often with a constant.
                e2 = self.expr(1) if self.r() < 0.5 else lit(self.const(0.1, 1.0))
                self.emit("{}[{}] = {};".format(arr.name, v, e2.rs), "{}[{}] = chk({})".format(arr.name, v, e2.py))
            self.pop()
            self.loops.pop()
            self.emit("}")
            self.wrote(acc)
        else:
            i = self.index(arr)
            j = self.index(arr)
            e = binop("*", E("{}[{}]".format(arr.name, i.rs), ATOM, "{}[{}]".format(arr.name, i.py), True),
                      E("{}[{}]".format(arr.name, j.rs), ATOM, "{}[{}]".format(arr.name, j.py), True))
            self.let(e)

    def stmt(self, nested, loop_ok=True):
        opts = [
            ("let", 5),
            ("update", 6 if nested else 2),
            ("if", 4),
            ("match", 1 if self.ints else 0),
            ("let_if", 2),
            ("let_match", 1 if self.ints else 0),
            ("let_block", 1),
            ("let_tuple", 1),
            ("shadow", 0 if nested or not self.scalars else 2),
            ("loop", 4 if loop_ok else 0),
            ("array", 2 if loop_ok and len(self.loops) < 2 else 0),
            ("return", 1 if len(self.scopes) > 1 or not nested else 0),
        ]
        if len(self.scopes) >= 4:
            simple = ("let", "update", "let_if", "let_tuple", "return")
            opts = [(k, w) for k, w in opts if k in simple]
        kind = self.rng.choices([k for k, _ in opts], [w for _, w in opts])[0]
        before = [x for _, x in self.scopes[-1]]
        self.stmt_of_kind(kind)
        if nested:
            # A value declared in a nested block flows into a mutable variable
            # declared outside it (otherwise it would be dead code).
            new = [x for t, x in self.scopes[-1] if t == "f" and x not in before and x not in self.muts]
            outer = [m for m in self.muts if not any(x == m for _, x in self.scopes[-1])]
            if new and outer:
                self.use_in_update(self.pick(sorted(outer)), self.pick(new))

    def use_in_update(self, target, name):
        self.used.add(name)
        self.used.add(target)
        c = self.r()
        if c < 0.4:
            self.assign(target, "+", binop("*", var(name), self.expr(1)))
        elif c < 0.7:
            self.assign(target, "=", binop("+", binop("*", var(target), lit(self.const(0.2, 0.9))), method(self.pick(["sin", "tanh", "atan"]), var(name))))
        else:
            self.assign(target, "-", method(self.pick(["sin", "tanh", "atan", "cos"]), binop(self.pick("+*"), var(name), self.expr(1))))

    def stmt_of_kind(self, kind):
        if kind == "let":
            self.let(self.expr(self.pick([1, 2, 2, 3])), annotate=self.r() < 0.1)
        elif kind == "update":
            self.update()
        elif kind == "if":
            self.if_stmt(allow_exit=True)
        elif kind == "match":
            self.match_stmt(value=False)
        elif kind == "let_if":
            self.let_if()
        elif kind == "let_match":
            self.match_stmt(value=True)
        elif kind == "let_block":
            self.let_block()
        elif kind == "let_tuple":
            self.let_tuple()
        elif kind == "shadow":
            self.shadow()
        elif kind == "loop":
            self.loop_stmt()
        elif kind == "array":
            self.array_stmt()
        else:
            self.guarded_exit()

    def function(self):
        rng = self.rng
        params = []
        has_slice = self.r() < 0.45
        n_scalars = rng.randint(0, 2) if has_slice else rng.randint(1, 3)
        names = ["a", "b", "c", "d"]
        for i in range(n_scalars):
            params.append((names[i], "f"))
        slice_len = 0
        if has_slice:
            params.append(("x", "s"))
            slice_len = rng.randint(3, 6)
        if self.r() < 0.5:
            params.append(("k", "k"))
        rng.shuffle(params)
        self.params = params
        mut_params = set()
        for name, kind in params:
            if kind == "f":
                self.declare_scalar(name, False)
                if self.r() < 0.2:
                    mut_params.add(name)
                    self.muts.add(name)
                self.wrote(name)
            elif kind == "s":
                self.declare_array(Array("x", slice_len, "x.len()", False))
            else:
                self.ints.append("k")
        n = rng.randint(2, 4)
        for i in range(n):
            self.stmt(nested=False)
        # The tail: the most recent top-level values and every unread parameter.
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:3]
        for s in recent:
            terms.append(var(s))
        for name, kind in params:
            if kind == "f" and name not in self.used and name not in recent:
                terms.append(var(name))
            if kind == "s" and "x" not in self.used:
                terms.append(E("x[0]", ATOM, "x[0]", True))
                terms.append(E("x[x.len() - 1]", ATOM, "x[len(x) - 1]", True))
        if not terms:
            terms.append(self.active_leaf())
        tail = None
        for t in terms:
            c = self.r()
            if c < 0.3:
                t = binop("*", lit(self.const(0.2, 1.5)), t)
            elif c < 0.45:
                t = method(self.pick(["sin", "tanh", "atan", "cos"]), t)
            tail = t if tail is None else binop(self.pick("+-*" if self.r() < 0.3 else "+-"), tail, t)
        if "k" in self.ints and "k" not in self.used:
            tail = binop("+", tail, binop("*", lit(0.1), cast(ivar("k"))))
        self.emit(tail.rs, "return chk(" + tail.py + ")")

        sig = []
        pysig = []
        for name, kind in params:
            ty = {"f": "f64", "s": "&[f64]", "k": "usize"}[kind]
            sig.append(("mut " if name in mut_params else "") + name + ": " + ty)
            pysig.append(name)
        rust = "#[differentiate]\nfn {}({}) -> f64 {{\n{}\n}}\n".format(self.name, ", ".join(sig), "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(pysig), "\n".join(self.py))
        return Spec(self.name, params, slice_len, rust, python, self.call_depth)
