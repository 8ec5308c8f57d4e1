"""The `wrt` family: parameters left out of `wrt(...)`, `mut` parameters, buffers."""

from .random_family import *  # noqa: F401,F403 (the earlier parts, in order)


# ----------------------------------------------------------------------------
# The `wrt` family (tests/random_wrt.rs): parameters left out of `wrt(...)`,
# `mut` parameters assigned active values, in/out `&mut [f64]` buffers
# ----------------------------------------------------------------------------
#
# Every function of this family mixes the statements of the first family with
# statements aimed at activity: a `mut` parameter (a scalar, a `[f64; N]` or a
# `Vec<f64>`, left out of `wrt(...)` more often than not) is assigned values
# that read active inputs, straight-line, in `for` and `while` loops, in
# branches on active and inactive conditions and through calls to earlier
# functions of the family, and is then read back into the result; a
# `&mut [f64]` buffer is read then written in place, written only, written in
# part or with constants. Each function is seen by the test as a map of flat
# vectors, z = (active inputs, initial buffers) -> y = (value, final buffers),
# with the inactive floats q and the integer k fixed. The points are chosen as
# for the first family (decisions far from their thresholds and the same at
# every finite-difference sample, finite differences accurate for every output
# component), and so that no check can pass for a zero derivative: the
# twin's finite differences must show |J t|, |<J t, c>| and |J^T c| above
# LIVE, every active parameter must move some output by more than LIVE per
# unit, and for scalar functions |v^T H v| > LIVE sum |v_i|.

WRT_SEED = 20250611
WRT_N_FUNCS = 500
WRT_OUT = os.path.join(ROOT, "tests", "random_wrt.rs")
WRT_MAX_LINES = 34
LIVE = 1e-3  # the twin's finite-difference derivatives must exceed this (see above)
# Switches to leave a construct out while the macro mishandles it (each one
# found a bug, fixed since; both constructs are generated): `return;` in a
# function that returns nothing, and buffers written nowhere with an active
# value (with the switch, every buffer also gets one write of an active value).
EXCLUDE_BARE_RETURN = False
EXCLUDE_PASSIVE_BUFFERS = False

KIND_TY = {"f": "f64", "s": "&[f64]", "a": "[f64; {n}]", "v": "Vec<f64>", "b": "&mut [f64]", "k": "usize"}
KIND_NAME = {"f": "f64", "s": "&[f64]", "a": "[f64; N]", "v": "Vec<f64>", "b": "&mut [f64]"}


class WParam:
    """A parameter of the `wrt` family: kind in 'f' (f64), 's' (&[f64]),
    'a' ([f64; N]), 'v' (Vec<f64>), 'b' (&mut [f64] buffer), 'k' (usize)."""

    def __init__(self, name, kind, length=0):
        self.name, self.kind, self.length = name, kind, length
        self.active = False
        self.mut = False
        self.rows = self.cols = 0  # of a 2-D parameter (the calls family's 'm', 'n')

    def ty(self):
        return KIND_TY[self.kind].format(n=self.length, r=self.rows, c=self.cols)

    def size(self):
        return 1 if self.kind == "f" else self.length

    def in_z(self):
        """An input the test varies: an active parameter or a buffer's
        initial contents."""
        return self.active or self.kind == "b"


class WrtSpec:
    def __init__(self, name, params, unit, rust, python, call_depth, tags):
        self.name, self.params, self.unit = name, params, unit
        self.rust, self.python, self.call_depth, self.tags = rust, python, call_depth, tags
        self.points = []

    @property
    def callable(self):
        return all(p.kind in "fk" for p in self.params) and not self.unit

    @property
    def buffers(self):
        return [p for p in self.params if p.kind == "b"]

    @property
    def scalar(self):
        """One f64 output: `_grad` and `_hvp` exist."""
        return not self.unit and not self.buffers

    def nz(self):
        return sum(p.size() for p in self.params if p.kind != "k" and p.in_z())

    def nq(self):
        return sum(p.size() for p in self.params if p.kind != "k" and not p.in_z())

    def ny(self):
        return (0 if self.unit else 1) + sum(p.length for p in self.buffers)

    def live_ranges(self):
        """The z ranges of the active parameters."""
        out, at = [], 0
        for p in self.params:
            if p.kind != "k" and p.in_z():
                if p.active:
                    out.append((at, at + p.size()))
                at += p.size()
        return out


class WrtGen(Gen):
    TUPLE_IF_P = 0.25

    def __init__(self, rng, name, callees):
        super().__init__(rng, name, callees)
        self.unit = False
        self.tags = []
        self.wparams = []
        self.written = []  # parameters written (read back into the result)
        self.shadowed = set()  # parameters shadowed by a `let` (which may read active values)

    def shadow(self):
        before = len(self.rs)
        super().shadow()
        self.shadowed.add(self.rs[before].split()[1].rstrip(":"))

    # ----- reads of active inputs ----------------------------------------------

    def param_leaf(self):
        """A read of an active parameter."""
        opts = [p.name for p in self.wparams if p.active and p.kind == "f" and p.name in self.scalars]
        opts += [p.name for p in self.wparams if p.active and p.kind in "sav"]
        name = self.pick(opts)
        self.used.add(name)
        arrs = [a for a in self.arrays if a.name == name]
        if arrs:
            i = self.index(arrs[0])
            return E(name + "[" + i.rs + "]", ATOM, name + "[" + i.py + "]", True)
        return var(name)

    def act_expr(self):
        """An expression that reads an active parameter."""
        a = self.param_leaf()
        c = self.r()
        if c < 0.35:
            return binop("*", a, self.expr(1))
        if c < 0.7:
            return binop(self.pick("+-"), self.expr(1), a)
        if c < 0.85:
            return a
        return method(self.pick(["sin", "tanh", "atan", "cos"]), binop(self.pick("+*"), a, self.expr(1)))

    def active_only_cond(self):
        """A condition that reads an active parameter: (rust, python)."""
        a = self.act_expr() if self.r() < 0.5 else self.param_leaf()
        b = lit(self.const(0.05, 0.8))
        if self.r() < 0.4:
            b = neg(b)
        op = self.pick([">", "<"])
        rs = par(a, UNARY) + " " + op + " " + b.rs
        py = ("gt" if op == ">" else "lt") + "(" + a.py + ", " + b.py + ")"
        return rs, py

    def inactive_cond(self):
        """A condition on inactive values only (an integer, or a parameter
        left out of `wrt` and never written): (rust, python), or None."""
        opts = []
        if self.ints:
            opts.append("int")
        fixed = [p for p in self.wparams if not p.active and p.kind in "fsav" and p.name not in self.written
                 and p.name not in self.shadowed and (p.kind != "f" or p.name in self.scalars)]
        if fixed:
            opts.append("float")
        if not opts:
            return None
        if self.pick(opts) == "int":
            return self.int_cond()
        p = self.pick(fixed)
        self.used.add(p.name)
        if p.kind == "f":
            a = var(p.name)
        else:
            j = self.rng.randint(0, p.length - 1)
            a = E("{}[{}]".format(p.name, j), ATOM, "{}[{}]".format(p.name, j), True)
        b = lit(self.const(0.05, 0.8))
        op = self.pick([">", "<"])
        return (a.rs + " " + op + " " + b.rs,
                ("gt" if op == ">" else "lt") + "(" + a.py + ", " + b.py + ")")

    # ----- calls and exits -----------------------------------------------------

    def call(self, inject=None):
        """A call to an earlier function of the family; `inject` is passed to
        one of its active parameters. Its parameters left out of `wrt` get
        constants (the callee's derivative ignores them)."""
        g = self.pick(self.callees)
        self.n_calls += 1
        self.call_depth = max(self.call_depth, g.call_depth + 1)
        slots = [i for i, p in enumerate(g.params) if p.kind == "f" and p.active]
        at = self.pick(slots) if inject is not None else None
        args = []
        for i, p in enumerate(g.params):
            if p.kind == "k":
                args.append(self.int_leaf())
            elif i == at:
                args.append(inject)
            elif p.active:
                args.append(self.expr(1))
            else:
                args.append(lit(self.const(0.1, 1.5)))
        return E(g.name + "(" + ", ".join(a.rs for a in args) + ")", ATOM,
                 g.name + "(" + ", ".join(a.py for a in args) + ")", True)

    def exit_stmt(self):
        if not self.unit:
            return super().exit_stmt()
        opts = [] if EXCLUDE_BARE_RETURN else ["return"]
        if not opts and not self.loops:
            # no exit to take: a write into a buffer instead
            b = self.pick([p for p in self.wparams if p.kind == "b"])
            self.elem_write(b, ilit(self.rng.randint(0, b.length - 1)), "rw")
            return
        if self.loops:
            opts += ["break", "break"]
            if self.loops[-1] == "for":
                opts += ["continue", "continue"]
        kind = self.pick(opts)
        self.emit(kind + ";", kind)

    # ----- statements on `mut` parameters and buffers --------------------------

    def tag(self, p, ctx):
        role = "buffer" if p.kind == "b" else ("active" if p.active else "left out")
        self.tags.append("{} {} {}: {}".format(role, "mut" if p.kind != "b" else "", KIND_NAME[p.kind], ctx)
                         .replace("  ", " "))
        if p.name not in self.written:
            self.written.append(p.name)

    def stmt(self, nested, loop_ok=True):
        if nested and self.r() < 0.25 and self.mut_targets():
            self.wrt_stmt()
        else:
            super().stmt(nested, loop_ok)

    def mut_targets(self):
        out = []
        for p in self.wparams:
            if p.kind == "f" and p.name in self.muts:
                out.append(p)
            elif p.kind in "av" and p.mut or p.kind == "b":
                out.append(p)
        return out

    def wrt_stmt(self, target=None):
        targets = self.mut_targets()
        if not targets:
            return super().stmt(nested=not self.top)
        if target is None:
            weights = [3 if p.kind == "b" else (1.5 if p.active else 4) for p in targets]
            target = self.rng.choices(targets, weights)[0]
        if target.kind == "f":
            self.scalar_mut_stmt(target)
        else:
            self.array_mut_stmt(target)

    def open_block(self, rs, py, loop=None, counter=None):
        self.emit(rs, py)
        if loop is not None:
            self.loops.append(loop)
        self.push()
        if counter is not None:
            self.declare_int(counter)
            self.used.add(counter)

    def close_block(self, loop=False, tail=None):
        if tail is not None:
            self.emit(tail[0], tail[1])
        self.pop()
        if loop:
            self.loops.pop()
        self.emit("}")

    def for_header(self, over=None):
        """`for i in ..` (rust, python, i): over `over`'s indices, a constant
        range, or `0..k`."""
        v = "i" + str(len(self.loops))
        c = self.r()
        if over is not None or (c < 0.35 and self.arrays):
            arr = over or self.pick(self.arrays)
            n = arr.name + ".len()"
            pyn = "len(" + arr.name + ")"
        elif c < 0.55 and "k" in self.ints:
            self.used.add("k")
            n, pyn = "k + 1", "k + 1"
        else:
            m = self.rng.randint(2, 4)
            n, pyn = str(m), str(m)
        if self.r() < 0.2 and over is None:
            return ("for {} in (0..{}).rev() {{".format(v, n), "for {} in reversed(range(0, {})):".format(v, pyn), v)
        return "for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, pyn), v

    def mut_update(self, name):
        """An update of the scalar `name` that reads an active input."""
        c = self.r()
        if c < 0.25:
            self.assign(name, "+", self.act_expr())
        elif c < 0.35:
            self.assign(name, "-", self.act_expr())
        elif c < 0.6:
            self.assign(name, "=", binop("+", binop("*", var(name), lit(self.const(0.2, 0.9))), self.act_expr()))
        elif c < 0.75:
            # the issue's `c += x * c`
            self.assign(name, "+", binop("*", self.param_leaf(), var(name)))
        elif c < 0.85:
            self.assign(name, "*", binop("+", lit(self.const(0.4, 0.8)), binop("*", lit(self.const(0.1, 0.4)),
                                                                             method("cos", self.act_expr()))))
        else:
            inner = binop(self.pick("+*"), var(name), self.param_leaf())
            self.assign(name, "=", binop("+", method(self.pick(["sin", "tanh", "atan"]), inner), self.expr(1)))
        self.used.add(name)

    def scalar_mut_stmt(self, p):
        name = p.name
        loop_ok = len(self.loops) < 2
        ctxs = [("straight", 2), ("for", 3 if loop_ok else 0), ("if on active", 3), ("if on inactive", 2),
                ("while", 2 if loop_ok else 0), ("while on active", 2 if loop_ok else 0),
                ("call", 3 if self.callees and self.n_calls < 3 else 0)]
        ctx = self.rng.choices([k for k, _ in ctxs], [w for _, w in ctxs])[0]
        if ctx == "if on inactive":
            cond = self.inactive_cond()
            if cond is None:
                ctx = "if on active"
        self.tag(p, ctx)
        if ctx == "straight":
            self.mut_update(name)
        elif ctx == "for":
            rs, py, v = self.for_header()
            self.open_block(rs, py, "for", v)
            self.mut_update(name)
            if self.r() < 0.3:
                self.stmt(nested=True, loop_ok=False)
            self.close_block(loop=True)
        elif ctx in ("if on active", "if on inactive"):
            rs, py = self.active_only_cond() if ctx == "if on active" else cond
            self.open_block("if " + rs + " {", "if " + py + ":")
            self.mut_update(name)
            if self.r() < 0.6:
                self.pop()
                self.emit("} else {", "else:")
                self.push()
                if self.r() < 0.5:
                    self.mut_update(name)
                else:
                    self.update(name)
            self.close_block()
        elif ctx in ("while", "while on active"):
            j = self.fresh("j")
            n = self.rng.randint(2, 4)
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            if ctx == "while":
                rs, py = "while {} < {} {{".format(j, n), "while {} < {}:".format(j, n)
            else:
                lim = self.const(0.5, 3.0)
                rs = "while {} < {} && {} < {} {{".format(name, lim, j, n + 1)
                py = "while lt({}, {}) and {} < {}:".format(name, lim, j, n + 1)
            self.open_block(rs, py, "counted", j)
            self.mut_update(name)
            self.close_block(loop=True, tail=("{} += 1;".format(j), "{} += 1".format(j)))
        else:
            e = self.call(inject=var(name))
            if self.r() < 0.7:
                self.assign(name, "=", e)
            else:
                self.assign(name, "+", binop("*", lit(self.const(0.2, 0.9)), e))
            self.used.add(name)

    def elem(self, arr, i):
        return E("{}[{}]".format(arr, i.rs), ATOM, "{}[{}]".format(arr, i.py), True)

    def elem_write(self, p, i, how):
        """One write of element `i` (an I) of `p`: 'rw' reads it first, 'w'
        overwrites it with an active value, 'const' with a constant."""
        name = p.name
        if how == "rw":
            c = self.r()
            if c < 0.45:
                k = lit(self.const(0.2, 0.9)) if self.r() < 0.5 else self.param_leaf()
                e = binop("+", binop("*", self.elem(name, i), k), self.act_expr())
                self.emit("{}[{}] = {};".format(name, i.rs, e.rs), "{}[{}] = chk({})".format(name, i.py, e.py))
            elif c < 0.7:
                op = self.pick("+-")
                e = self.act_expr()
                self.emit("{}[{}] {}= {};".format(name, i.rs, op, e.rs),
                          "{n}[{i}] = chk({n}[{i}] {op} {e})".format(n=name, i=i.py, op=op, e=e.py))
            elif c < 0.85:
                e = binop("+", lit(self.const(0.4, 0.8)), binop("*", lit(self.const(0.1, 0.4)),
                                                                 method("cos", self.act_expr())))
                self.emit("{}[{}] *= {};".format(name, i.rs, e.rs),
                          "{n}[{i}] = chk({n}[{i}] * {e})".format(n=name, i=i.py, e=e.py))
            else:
                inner = binop(self.pick("+*"), self.elem(name, i), self.param_leaf())
                e = binop("+", method(self.pick(["sin", "tanh", "atan"]), inner), self.expr(1))
                self.emit("{}[{}] = {};".format(name, i.rs, e.rs), "{}[{}] = chk({})".format(name, i.py, e.py))
        elif how == "active":
            e = self.act_expr()
            if self.r() < 0.5:
                self.emit("{}[{}] += {};".format(name, i.rs, e.rs),
                          "{n}[{i}] = chk({n}[{i}] + {e})".format(n=name, i=i.py, e=e.py))
            else:
                e = binop("+", binop("*", self.elem(name, i), lit(self.const(0.2, 0.9))), e)
                self.emit("{}[{}] = {};".format(name, i.rs, e.rs), "{}[{}] = chk({})".format(name, i.py, e.py))
        elif how == "w":
            e = self.typed(self.act_expr())
            self.emit("{}[{}] = {};".format(name, i.rs, e.rs), "{}[{}] = chk({})".format(name, i.py, e.py))
        else:
            e = lit(self.const(0.1, 1.5))
            if i.rs.startswith("i") and self.r() < 0.5:
                e = binop("+", e, binop("*", lit(self.const(0.1, 0.5)), cast(i)))
            self.emit("{}[{}] = {};".format(name, i.rs, e.rs), "{}[{}] = chk({})".format(name, i.py, e.py))
        self.used.add(name)

    def array_mut_stmt(self, p):
        arr = [a for a in self.arrays if a.name == p.name][0]
        loop_ok = len(self.loops) < 2
        buf = p.kind == "b"
        ctxs = [
            ("read-write loop", 4 if loop_ok else 0),
            ("write-only loop", (3 if buf or not p.active else 0) if loop_ok else 0),
            ("partial loop", 2 if loop_ok else 0),
            ("element", 3),
            ("constants", (2 if buf else 1) if loop_ok else 0),
            ("if on active", 2),
            ("if on inactive", 2),
            ("if on active in loop", 2 if loop_ok else 0),
            ("while", 2 if loop_ok else 0),
            ("call", 2 if self.callees and self.n_calls < 3 else 0),
        ]
        ctx = self.rng.choices([k for k, _ in ctxs], [w for _, w in ctxs])[0]
        if ctx == "if on inactive":
            cond = self.inactive_cond()
            if cond is None:
                ctx = "if on active"
        self.tag(p, ctx)
        lit_index = lambda: ilit(self.rng.randint(0, p.length - 1))
        if ctx in ("read-write loop", "write-only loop", "constants", "if on active in loop"):
            rs, py, v = self.for_header(over=arr)
            self.open_block(rs, py, "for", v)
            how = {"read-write loop": "rw", "write-only loop": "w", "constants": "const"}.get(ctx)
            if how is None:
                crs, cpy = self.active_only_cond()
                self.open_block("if " + crs + " {", "if " + cpy + ":")
                self.elem_write(p, ivar(v), self.pick(["rw", "w"]))
                self.close_block()
            else:
                self.elem_write(p, ivar(v), how)
            self.close_block(loop=True)
        elif ctx == "partial loop":
            v = "i" + str(len(self.loops))
            n = arr.name + ".len()"
            if self.r() < 0.5:
                rs, py = "for {} in 1..{} {{".format(v, n), "for {} in range(1, len({})):".format(v, arr.name)
            else:
                rs, py = ("for {} in (0..{}).step_by(2) {{".format(v, n),
                          "for {} in range(0, len({}), 2):".format(v, arr.name))
            self.open_block(rs, py, "for", v)
            self.elem_write(p, ivar(v), self.pick(["rw", "w", "const"]))
            self.close_block(loop=True)
        elif ctx == "element":
            self.elem_write(p, lit_index(), self.pick(["rw", "rw", "w", "const"] if buf else ["rw", "w"]))
        elif ctx in ("if on active", "if on inactive"):
            rs, py = self.active_only_cond() if ctx == "if on active" else cond
            self.open_block("if " + rs + " {", "if " + py + ":")
            self.elem_write(p, lit_index(), self.pick(["rw", "w"]))
            if self.r() < 0.5:
                self.pop()
                self.emit("} else {", "else:")
                self.push()
                self.elem_write(p, lit_index(), self.pick(["rw", "const"]))
            self.close_block()
        elif ctx == "while":
            j = self.fresh("j")
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            self.open_block("while {} < {} {{".format(j, p.length), "while {} < {}:".format(j, p.length),
                            "counted", j)
            self.elem_write(p, ivar(j), self.pick(["rw", "w"]))
            self.close_block(loop=True, tail=("{} += 1;".format(j), "{} += 1".format(j)))
        else:
            i = lit_index()
            e = self.call(inject=self.elem(p.name, i))
            self.emit("{}[{}] = {};".format(p.name, i.rs, e.rs), "{}[{}] = chk({})".format(p.name, i.py, e.py))
            self.used.add(p.name)

    # ----- the function ----------------------------------------------------------

    def function(self):
        rng = self.rng
        params = []
        scalar_only = self.r() < 0.25
        for i in range(rng.randint(1, 3)):
            params.append(WParam("abcd"[i], "f"))
        if not scalar_only:
            # (lengths of at least 3: reads may index 0, 1, 2)
            if self.r() < 0.45:
                params.append(WParam("x", "s", rng.randint(3, 4)))
            if self.r() < 0.5:
                params.append(WParam("p", "a", rng.randint(3, 4)))
            if self.r() < 0.5:
                params.append(WParam("v", "v", rng.randint(3, 4)))
            if self.r() < 0.5:
                params.append(WParam("buf", "b", rng.randint(3, 4)))
                if self.r() < 0.15:
                    params.append(WParam("out", "b", 3))
        if self.r() < 0.4:
            params.append(WParam("k", "k"))
        rng.shuffle(params)
        floats = [p for p in params if p.kind in "fsav"]
        use_wrt = self.r() < 0.8
        if use_wrt:
            for p in floats:
                p.active = self.r() < 0.5
            if not any(p.active for p in floats):
                self.pick(floats).active = True
            if all(p.active for p in floats) and len(floats) > 1 and self.r() < 0.8:
                self.pick(floats).active = False
        else:
            for p in floats:
                p.active = True
        for p in floats:
            if p.kind in "fav":
                p.mut = self.r() < (0.4 if p.active else 0.7)
        buffers = [p for p in params if p.kind == "b"]
        self.unit = bool(buffers) and self.r() < 0.5
        self.wparams = params
        self.params = [(p.name, p.kind) for p in params]

        for p in params:
            if p.kind == "f":
                self.declare_scalar(p.name, p.mut)
                self.wrote(p.name)
            elif p.kind == "s":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", False))
            elif p.kind == "a":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", p.mut, ilen(p.name)))
            elif p.kind in "vb":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", p.kind == "b" or p.mut,
                                         ilit(p.length)))
            else:
                self.ints.append("k")

        # The body: statements of the first family and statements on `mut`
        # parameters and buffers (every buffer and most `mut` parameters
        # left out of `wrt` get one).
        special = []
        for p in params:
            if p.kind == "b" or (p.mut and (not p.active and self.r() < 0.9 or p.active and self.r() < 0.6)):
                special.append(p)
        if not special and self.mut_targets():
            special.append(self.pick(self.mut_targets()))
        seq = [None] * rng.randint(1, 2) + special
        if len(special) < 2 and self.mut_targets() and self.r() < 0.5:
            seq.append("any")
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif s == "any":
                self.wrt_stmt()
            else:
                # a `mut` scalar may have been shadowed by a `let` meanwhile
                if s.kind != "f" or s.name in self.muts:
                    self.wrt_stmt(s)

        if EXCLUDE_PASSIVE_BUFFERS:
            for b in buffers:
                self.elem_write(b, ilit(self.rng.randint(0, b.length - 1)), "active")

        # The tail: recent values, the parameters written (read back) and
        # every unread parameter.
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:2 if self.unit else 3]
        for s in recent:
            terms.append(var(s))
        for p in params:
            if p.kind == "f" and p.name in self.scalars and p.name not in recent and (
                    p.name in self.written or p.active and p.name not in self.used):
                terms.append(var(p.name))
            elif p.kind in "sav" and (p.name in self.written or p.active and p.name not in self.used):
                if p.name in self.written and self.r() < 0.5:
                    # a reduction over the array
                    acc = self.let(lit(0.0), mutable=True)
                    v = "i0"
                    self.open_block("for {} in 0..{}.len() {{".format(v, p.name),
                                    "for {} in range(0, len({})):".format(v, p.name), "for", v)
                    t = E("{}[{}]".format(p.name, v), ATOM, "{}[{}]".format(p.name, v), True)
                    if self.r() < 0.5:
                        t = binop("*", t, self.expr(1))
                    else:
                        t = method(self.pick(["sin", "tanh", "atan"]), t)
                    self.assign(acc, "+", t)
                    self.close_block(loop=True)
                    terms.append(var(acc))
                else:
                    terms.append(E(p.name + "[0]", ATOM, p.name + "[0]", True))
                    terms.append(E("{}[{}.len() - 1]".format(p.name, p.name), ATOM,
                                   "{}[len({}) - 1]".format(p.name, p.name), True))
                self.used.add(p.name)
        if not self.unit and buffers and self.r() < 0.5:
            b = self.pick(buffers)
            j = self.rng.randint(0, b.length - 1)
            terms.append(E("{}[{}]".format(b.name, j), ATOM, "{}[{}]".format(b.name, j), True))
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
        if self.unit:
            # written into the buffers
            for t in shaped:
                b = self.pick(buffers)
                j = self.rng.randint(0, b.length - 1)
                op = self.pick("+-")
                self.emit("{}[{}] {}= {};".format(b.name, j, op, t.rs),
                          "{b}[{j}] = chk({b}[{j}] {op} {e})".format(b=b.name, j=j, op=op, e=t.py))
        else:
            tail = None
            for t in shaped:
                tail = t if tail is None else binop(self.pick("+-*" if self.r() < 0.3 else "+-"), tail, t)
            if "k" in self.ints and "k" not in self.used:
                tail = binop("+", tail, binop("*", lit(0.1), cast(ivar("k"))))
            self.emit(tail.rs, "return chk(" + tail.py + ")")

        # the signature's tags
        tags = self.tags
        if not use_wrt:
            tags.append("signature: no wrt")
        for p in floats:
            if not p.active:
                tags.append("signature: left out of wrt: {}{}".format("mut " if p.mut else "", KIND_NAME[p.kind]))
            elif p.mut:
                tags.append("signature: active mut {}".format(KIND_NAME[p.kind]))
        if buffers:
            tags.append("signature: {} buffer{}, {}".format(
                len(buffers), "s" if len(buffers) > 1 else "", "no return value" if self.unit else "returns f64"))
        if self.call_depth:
            tags.append("calls (depth {})".format(self.call_depth))

        sig = ["{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in params]
        attr = "#[differentiate]"
        if use_wrt:
            attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in floats if p.active))
        rust = "{}\nfn {}({}){} {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), "" if self.unit else " -> f64",
                                                    "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), "\n".join(self.py))
        return WrtSpec(self.name, params, self.unit, rust, python, self.call_depth, tags)
