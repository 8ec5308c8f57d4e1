"""The `calls` family's nalgebra batch: its functions."""

from .nalg_values import *  # noqa: F401,F403 (the earlier parts, in order)


class NalgGen(CallsGen):
    """A function of the nalgebra batch (see above)."""

    NALG_CONSTRUCTS = {"nlet": 3, "ncall": 3.5, "ntuple": 1.5, "nbuild": 2.5, "nstep": 2.5, "ncopy": 1.2,
                       "nreduce": 1.5, "call_scalar": 1}

    def __init__(self, rng, name, callees):
        super().__init__(rng, name, callees)
        self.nvals = []
        self.avoid = None  # a value `nexpr` must not read (`h += &e`)
        self.value_branch = 0  # building the arms of an `if` or `match` value
        self.in_cond = 0  # building a condition
        self.exited = False  # a `return` was written
        self.no_bind = 0  # in a `match` arm value: no `let` can be written
        self.param_nvals = {}
        self.out_shape = None
        # (`self.callees`, CallsGen's: those with an f64 result)
        self.nal_callees = [g for g in callees if g.out in "VMt" and not g.buffers]

    def constructs(self):
        return self.NALG_CONSTRUCTS

    def ntag(self, what):
        self.ctag("nalgebra: " + what)

    # ----- scopes --------------------------------------------------------------------

    def declare_nval(self, v):
        self.nvals.append(v)
        self.scopes[-1].append(("n", v))

    def pop(self):
        for kind, v in self.scopes[-1]:
            if kind == "n":
                self.nvals.remove(v)
        self.scopes[-1] = [(kind, x) for kind, x in self.scopes[-1] if kind != "n"]
        super().pop()

    # ----- scalar reads of nalgebra values ---------------------------------------------

    def nelem(self, v, computed=None):
        """`v[i]` of a vector, `m[(i, j)]` of a matrix (or linear `m[i]`);
        `computed`: an NE to read instead of the value `v` names."""
        if v is not None:
            self.used.add(v.name)
        ne = computed
        kind, rows, cols = (ne.kind, ne.rows, ne.cols) if ne is not None else (v.kind, v.rows, v.cols)
        recv_rs = nrecv(ne) if ne is not None else v.name
        recv_py = ne.py if ne is not None else v.name
        if kind == "V":
            i = self.grid_index(rows)
            what = "v[i]"
            rs, py = "{}[{}]".format(recv_rs, i.rs), "{}[{}]".format(recv_py, i.py)
        elif self.r() < 0.15:
            i = self.grid_index(rows * cols)
            what = "linear m[i]"
            rs, py = "{}[{}]".format(recv_rs, i.rs), "{}[{}]".format(recv_py, i.py)
        else:
            i, j = self.grid_index(rows), self.grid_index(cols)
            what = "m[(i, j)]"
            rs, py = "{}[({}, {})]".format(recv_rs, i.rs, j.rs), "{}[({}, {})]".format(recv_py, i.py, j.py)
        self.ntag("element read {} of a {}".format(what, "computed value" if ne is not None else v.what()))
        return E(rs, ATOM, py, True)

    def nscalar(self, v=None):
        """A scalar from a visible nalgebra value (or `v`): an element, or a
        reduction (`sum`, `norm_squared`, `dot`, `mean`, `norm`)."""
        v = v or self.pick(self.nvals)
        c = self.r()
        if c < 0.55 and self.elem_ok(v):
            return self.nelem(v)
        if c < 0.62 and not (EXCLUDE_NESTED_NALGEBRA_TEMPS and self.nested()):
            ne = self.nexpr(v.kind, v.rows, v.cols, 1)
            return self.nelem(None, computed=ne)
        self.used.add(v.name)
        f = self.rng.choices(["sum", "norm_squared", "dot", "mean", "norm"], [3, 2, 3, 1, 1])[0]
        if f == "dot":
            other = self.nexpr(v.kind, v.rows, v.cols, 1)
            rs = "{}.dot({})".format(v.name, nref(other))
            py = "{}.dot({})".format(v.name, other.py)
        else:
            rs, py = "{}.{}()".format(v.name, f), "{}.{}()".format(v.name, f)
        self.ntag("{}() of a {}".format(f, v.what()))
        e = E(rs, ATOM, py, True)
        if f in ("norm_squared", "dot") and v.rows * v.cols > 4:
            e = binop("*", lit(self.const(0.1, 0.4)), e)
        return e

    def leaf(self):
        if self.nvals and self.r() < 0.2:
            return self.nscalar()
        return super().leaf()

    def nested(self):
        """In a loop or a branch (also the arms of `let x = if .. {} else
        {}` and `match` values, and after a `return`, where the rest of the
        body is a branch)."""
        return not self.top or self.value_branch > 0 or self.exited

    def cond(self):
        self.in_cond += 1
        try:
            return super().cond()
        finally:
            self.in_cond -= 1

    def active_only_cond(self):
        self.in_cond += 1
        try:
            return super().active_only_cond()
        finally:
            self.in_cond -= 1

    def let_if(self):
        self.value_branch += 1
        try:
            super().let_if()
        finally:
            self.value_branch -= 1

    def match_stmt(self, value=False):
        self.value_branch += 1
        self.no_bind += value  # (an arm `p => e,` has no room for a `let`)
        try:
            super().match_stmt(value)
        finally:
            self.value_branch -= 1
            self.no_bind -= value

    def elem_ok(self, v):
        """May `v` be read by element (EXCLUDE_NESTED_NALGEBRA_TEMPS)?"""
        return not EXCLUDE_NESTED_NALGEBRA_TEMPS or v.param is not None or not v.in_loop

    def assign(self, name, op, e):
        if EXCLUDE_SELF_COMPOUND_ASSIGN and op != "=" and e.rs == name:
            e = binop("*", e, lit(self.const(0.5, 1.5)))
        super().assign(name, op, e)

    def param_leaf(self):
        opts = [p for p in self.wparams if p.active and (
            (p.kind == "f" and p.name in self.scalars) or p.kind in "sa" or p.kind in "VM")]
        p = self.pick(opts)
        self.used.add(p.name)
        if p.kind in "VM":
            return self.nelem(self.param_nvals[p.name])
        if p.kind == "f":
            return var(p.name)
        arr = [a for a in self.arrays if a.name == p.name][0]
        i = self.index(arr)
        return E(p.name + "[" + i.rs + "]", ATOM, p.name + "[" + i.py + "]", True)

    # ----- nalgebra expressions ----------------------------------------------------------

    def nleaf(self, v):
        self.used.add(v.name)
        if v.param is not None:
            return NE(v.name, ATOM, v.name, v.kind, v.rows, v.cols, leaf=v)
        if EXCLUDE_BORROWED_INACTIVE_OPERAND and not v.active:
            return NE(v.name + ".clone()", ATOM, v.name, v.kind, v.rows, v.cols, leaf=v)
        return NE("&" + v.name, UNARY, v.name, v.kind, v.rows, v.cols, leaf=v)

    def nfull(self, kind, r, c):
        """`DVector::from_element(n, e)` / `DMatrix::from_element(r, c, e)`
        with an active element."""
        e = self.typed(self.act_expr())
        self.ntag("DVector/DMatrix::from_element with an active element")
        if kind == "V":
            return NE("DVector::from_element({}, {})".format(r, e.rs), ATOM,
                      "Mat.full({}, 1, {}, True)".format(r, e.py), kind, r, 1, active=True)
        return NE("DMatrix::from_element({}, {}, {})".format(r, c, e.rs), ATOM,
                  "Mat.full({}, {}, {})".format(r, c, e.py), kind, r, c, active=True)

    def nbase(self, kind, r, c):
        """A value of a shape no visible value has, from visible ones if
        possible (a transpose, an outer product, a matrix-vector product),
        else `from_element`."""
        def find(k, rr, cc):
            return [v for v in self.nvals if v.kind == k and v.rows == rr and v.cols == cc and v is not self.avoid]
        opts = []
        if kind == "M" and find("M", c, r):
            opts.append("tr")
        if kind == "M" and find("V", r, 1) and find("V", c, 1):
            opts.append("outer")
        if kind == "V":
            opts += ["mv{}".format(m) for m in (2, 3) if find("V", m, 1) and (find("M", r, m) or find("M", m, r))]
        if not opts or self.r() < 0.15:
            return self.nfull(kind, r, c)
        o = self.pick(opts)
        if o == "tr":
            a = self.nleaf(self.pick(find("M", c, r)))
            self.ntag("transpose() of a DMatrix")
            return NE("{}.transpose()".format(nrecv(a)), ATOM, "{}.transpose()".format(a.py), "M", r, c,
                      active=a.active)
        if o == "outer":
            a, b = self.nleaf(self.pick(find("V", r, 1))), self.nleaf(self.pick(find("V", c, 1)))
            self.ntag("outer product x * y.transpose()")
            return NE("{} * {}.transpose()".format(nop(a, MUL), nrecv(b)), MUL,
                      "({} * {}.transpose())".format(a.py, b.py), "M", r, c, active=a.active or b.active)
        m = int(o[2:])
        ms = find("M", r, m)
        if ms:
            a = self.nleaf(self.pick(ms))
        else:
            t = self.nleaf(self.pick(find("M", m, r)))
            a = NE("{}.transpose()".format(nrecv(t)), ATOM, "{}.transpose()".format(t.py), "M", r, m,
                   active=t.active)
            self.ntag("transpose() of a DMatrix")
        b = self.nleaf(self.pick(find("V", m, 1)))
        self.ntag("matrix * vector")
        return NE("{} * {}".format(nop(a, MUL), nop(b, MUL + 1)), MUL, "({} * {})".format(a.py, b.py), "V", r, 1,
                  active=a.active or b.active)

    def closure(self):
        """A `.map` closure body over its element `z`: (rust, python)."""
        z = var("z")
        c = self.r()
        f = self.pick(["sin", "cos", "tanh", "atan", "asinh"])
        if c < 0.35:
            body = method(f, z)
        elif c < 0.5:
            body = binop("*", lit(self.const(0.3, 1.5)), method(f, z))
        elif c < 0.65:
            body = binop("+", z, binop("*", lit(self.const(0.1, 0.6)), method(f, z)))
        elif c < 0.75:
            body = binop("*", z, z)
        elif c < 0.85:
            body = binop("/", lit(1.0), binop("+", lit(self.const(0.5, 1.5)), binop("*", z, z)))
        elif c < 0.93:
            body = method("exp", binop("*", lit(self.const(0.2, 0.6)), method("sin", z)))
        else:
            body = method(self.pick(["max", "min"]), z, lit(self.const(0.05, 0.5)))
            self.ntag("map closure with a kink (max/min)")
        return "|z| " + body.rs, "lambda z: " + body.py

    def nexpr(self, kind, r, c, depth):
        """A nalgebra expression of type `kind` and shape r x c (c == 1 for
        'V')."""
        leaves = [v for v in self.nvals if v.kind == kind and v.rows == r and v.cols == c and v is not self.avoid]
        if depth <= 0 or (leaves and self.r() < 0.3):
            if leaves and (depth > 0 or self.r() < 0.9):
                return self.nleaf(self.pick(leaves))
            return self.nbase(kind, r, c)
        d = depth - 1
        ops = [("add", 3), ("sub", 1.5), ("scale", 3), ("div", 0.7), ("map", 2.5), ("cmul", 1.2), ("neg", 0.5)]
        calls = [g for g in self.nal_callees if g.out == kind and g.out_shape == (r, c) and self.feasible(g)]
        if calls and self.n_calls < CALLS_MAX_CALLS:
            ops.append(("call", 2.5))
        if kind == "V":
            ops.append(("mv", 6))
        else:
            ops += [("mm", 3), ("outer", 2), ("tr", 2)]
        op = self.rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
        if op in ("add", "sub"):
            a, b = self.nexpr(kind, r, c, d), self.nexpr(kind, r, c, d)
            o = "+" if op == "add" else "-"
            self.ntag("a {} b".format(o))
            return NE("{} {} {}".format(nop(a, ADD), o, nop(b, ADD + 1)), ADD,
                      "({} {} {})".format(a.py, o, b.py), kind, r, c, active=a.active or b.active)
        if op == "scale":
            a = self.nexpr(kind, r, c, d)
            s = lit(self.const(0.2, 1.2)) if self.r() < 0.5 else self.bounded(self.expr(1))
            what = "a constant" if not s.reads else "an active scalar"
            if self.r() < 0.5:
                self.ntag("scalar * matrix ({})".format(what))
                return NE("{} * {}".format(par(s, MUL), nop(a, MUL + 1)), MUL, "({} * {})".format(s.py, a.py),
                          kind, r, c, active=a.active)
            self.ntag("matrix * scalar ({})".format(what))
            return NE("{} * {}".format(nop(a, MUL), par(s, MUL + 1)), MUL, "({} * {})".format(a.py, s.py), kind, r, c,
                      active=a.active)
        if op == "div":
            a = self.nexpr(kind, r, c, d)
            s = lit(self.const(1.2, 3.0)) if self.r() < 0.5 else self.positive(self.expr(1))
            self.ntag("matrix / scalar")
            return NE("{} / {}".format(nop(a, MUL), par(s, MUL + 1)), MUL, "({} / {})".format(a.py, s.py), kind, r, c,
                      active=a.active)
        if op == "map":
            a = self.nexpr(kind, r, c, d)
            if (EXCLUDE_MAP_OF_INACTIVE and not a.active) or (EXCLUDE_MAP_IN_CONDITION and self.in_cond):
                k = lit(self.const(0.2, 1.2))
                self.ntag("matrix * scalar (a constant)")
                return NE("{} * {}".format(nop(a, MUL), k.rs), MUL, "({} * {})".format(a.py, k.py), kind, r, c)
            crs, cpy = self.closure()
            self.ntag("map(|z| ..) of a {}".format(NALG_TY[kind]))
            return NE("{}.map({})".format(nrecv(a), crs), ATOM, "{}.map({})".format(a.py, cpy), kind, r, c,
                      active=True)
        if op == "cmul":
            a, b = self.nexpr(kind, r, c, d), self.nexpr(kind, r, c, d)
            self.ntag("component_mul")
            return NE("{}.component_mul({})".format(nrecv(a), nref(b)), ATOM,
                      "{}.component_mul({})".format(a.py, b.py), kind, r, c, active=a.active or b.active)
        if op == "neg":
            a = self.nexpr(kind, r, c, d)
            self.ntag("unary -")
            return NE("-" + nop(a, UNARY), UNARY, "(-{})".format(a.py), kind, r, c, active=a.active)
        if op == "call":
            g = self.pick(calls)
            rs, py = self.call_text(g)
            self.ntag("helper returning {} called in an expression".format(out_name(g)))
            return NE(rs, ATOM, py, kind, r, c)
        if op == "mv":
            # an inner dimension that a visible matrix has
            ms = [v.cols for v in self.nvals if v.kind == "M" and v.rows == r]
            ms += [v.rows for v in self.nvals if v.kind == "M" and v.cols == r]
            m = self.pick(ms) if ms and self.r() < 0.85 else self.rng.randint(2, 3)
            a, b = self.nexpr("M", r, m, d), self.nexpr("V", m, 1, d)
            self.ntag("matrix * vector")
            return NE("{} * {}".format(nop(a, MUL), nop(b, MUL + 1)), MUL, "({} * {})".format(a.py, b.py), "V", r, 1,
                      active=a.active or b.active)
        if op == "mm":
            ms = [v.cols for v in self.nvals if v.kind == "M" and v.rows == r]
            m = self.pick(ms) if ms and self.r() < 0.8 else self.rng.randint(2, 3)
            a, b = self.nexpr("M", r, m, d), self.nexpr("M", m, c, d)
            self.ntag("matrix * matrix")
            return NE("{} * {}".format(nop(a, MUL), nop(b, MUL + 1)), MUL, "({} * {})".format(a.py, b.py), "M", r, c,
                      active=a.active or b.active)
        if op == "outer":
            a, b = self.nexpr("V", r, 1, d), self.nexpr("V", c, 1, d)
            self.ntag("outer product x * y.transpose()")
            return NE("{} * {}.transpose()".format(nop(a, MUL), nrecv(b)), MUL,
                      "({} * {}.transpose())".format(a.py, b.py), "M", r, c, active=a.active or b.active)
        a = self.nexpr("M", c, r, d)
        self.ntag("transpose() of a DMatrix")
        return NE("{}.transpose()".format(nrecv(a)), ATOM, "{}.transpose()".format(a.py), "M", r, c,
                  active=a.active)

    def some_shape(self, kind=None):
        """A (kind, rows, cols) of a visible value, or a fresh one."""
        vs = [v for v in self.nvals if kind is None or v.kind == kind]
        if vs and self.r() < 0.85:
            v = self.pick(vs)
            return v.kind, v.rows, v.cols
        kind = kind or self.pick("VM")
        r = self.rng.randint(2, 3)
        return kind, r, 1 if kind == "V" else self.rng.randint(2, 3)

    # ----- arguments ---------------------------------------------------------------------

    def arg_for(self, p, prev, allow_move):
        if p.kind in "VM":
            return self.nal_arg(p)
        return super().arg_for(p, prev, allow_move)

    def nal_arg(self, p):
        """An argument for a helper's `&DVector<f64>` / `&DMatrix<f64>`
        parameter `p`: in its `wrt`, a value of the caller (as it is, `&h`),
        a computed one (`&(w * y)`) or `&DVector::from_element(n, a)`; left
        out, an inactive parameter of the caller or constants."""
        kind, r, c = p.kind, p.rows, p.cols
        if not p.active:
            same = [v for v in self.nvals if v.param is not None and not v.active and v.kind == kind
                    and v.rows == r and v.cols == c]
            if same and self.r() < 0.6:
                v = self.pick(same)
                self.used.add(v.name)
                self.ntag("arg left out of wrt: {} from a parameter left out of wrt".format(KIND_NAME[kind]))
                return v.name, v.name
            e = lit(self.const(0.1, 1.5))
            self.ntag("arg left out of wrt: {} of constants (&from_element)".format(KIND_NAME[kind]))
            if kind == "V":
                return "&DVector::from_element({}, {})".format(r, e.rs), "Mat.full({}, 1, {}, True)".format(r, e.py)
            return "&DMatrix::from_element({}, {}, {})".format(r, c, e.rs), "Mat.full({}, {}, {})".format(r, c, e.py)
        leaves = [v for v in self.nvals if v.kind == kind and v.rows == r and v.cols == c
                  and not (EXCLUDE_PARAM_COPY_TO_CALL and v.param_copy)]
        ch = self.r()
        if leaves and ch < 0.55:
            v = self.pick(leaves)
            ne = self.nleaf(v)
            self.ntag("arg {}: a {} {}".format(KIND_NAME[kind], v.what(), "as it is" if v.param else "borrowed (&h)"))
            return nref(ne), ne.py
        if ch < 0.93:
            ne = self.nexpr(kind, r, c, 1)
            what = "a computed value borrowed (&(e))"
        else:
            ne = self.nfull(kind, r, c)
            what = "&from_element(.., active)"
        if ne.leaf is not None and EXCLUDE_PARAM_COPY_TO_CALL and ne.leaf.param_copy:
            # (a copy of a parameter: passed as a fresh value)
            ne = NE("{} * 1.0".format(nop(ne, MUL)), MUL, "({} * 1.0)".format(ne.py), kind, r, c, active=ne.active)
        if ne.leaf is None and EXCLUDE_NESTED_NALGEBRA_TEMPS and self.nested() and self.no_bind:
            e = lit(self.const(0.1, 1.5))
            self.ntag("arg {}: constants (&from_element) in a match arm".format(KIND_NAME[kind]))
            if kind == "V":
                return "&DVector::from_element({}, {})".format(r, e.rs), "Mat.full({}, 1, {}, True)".format(r, e.py)
            return "&DMatrix::from_element({}, {}, {})".format(r, c, e.rs), "Mat.full({}, {}, {})".format(r, c, e.py)
        if ne.leaf is None and EXCLUDE_NESTED_NALGEBRA_TEMPS and self.nested():
            # (a temporary's cotangent in a loop or branch: bound first)
            v = self.nbind(kind, r, c, ne.rs, ne.py, "let t = <computed argument>; g(.., &t, ..)", prefix="t",
                           active=ne.active)
            ne = self.nleaf(v)
        elif ne.leaf is None:
            self.ntag("arg {}: {}".format(KIND_NAME[kind], what))
        return nref(ne), ne.py

    # ----- statements ----------------------------------------------------------------------

    def nbind(self, kind, r, c, rs, py, what, mutable=False, prefix="h", active=False):
        """`let h = <rs>;` declared as a local."""
        h = self.fresh(prefix)
        self.emit("let {}{} = {};".format("mut " if mutable else "", h, rs), "{} = {}".format(h, py))
        v = NVal(h, kind, r, c, active=active, in_loop=bool(self.loops))
        self.declare_nval(v)
        self.ntag("{} {}".format(what, self.where()))
        return v

    def consume_nval(self, v, p=0.7):
        """Reads of a new nalgebra local: its elements in a loop into an
        outer `mut` (or a new sum), or a scalar from it; or left for later."""
        if self.r() > p:
            return
        v.consumed = True
        self.used.add(v.name)
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        c = self.r()
        if not self.elem_ok(v):
            e = binop(self.pick("+*-"), self.nscalar_of(v), self.expr(1))
            self.sink(self.let(e))
        elif c < 0.45 and len(self.loops) < 2:
            if outer and self.r() < 0.6:
                acc = self.pick(outer)
                self.mark_written(acc)
            else:
                acc = self.let(lit(0.0) if self.r() < 0.5 else self.expr(1), mutable=True)
            self.used.add(acc)
            i = "i" + str(len(self.loops))
            if v.kind == "V" or self.r() < 0.4:
                self.open_block("for {} in 0..{}.len() {{".format(i, v.name),
                                "for {} in range(0, len({})):".format(i, v.name), "for", i)
                term = E("{}[{}]".format(v.name, i), ATOM, "{}[{}]".format(v.name, i), True)
                two = False
            else:
                self.open_block("for {} in 0..{} {{".format(i, v.rows), "for {} in range(0, {}):".format(i, v.rows),
                                "for", i)
                j = "i" + str(len(self.loops))
                self.open_block("for {} in 0..{} {{".format(j, v.cols), "for {} in range(0, {}):".format(j, v.cols),
                                "for", j)
                term = E("{}[({}, {})]".format(v.name, i, j), ATOM, "{}[({}, {})]".format(v.name, i, j), True)
                two = True
            if self.r() < 0.6:
                self.assign(acc, "+", binop("*", term, self.expr(1)))
            else:
                self.assign(acc, "=", binop("+", binop("*", var(acc), lit(self.const(0.2, 0.9))),
                                              method(self.pick(["sin", "tanh", "atan"]), term)))
            if two:
                self.close_block(loop=True)
            self.close_block(loop=True)
            self.wrote(acc)
            self.ntag("{} read by element in {} loop{}".format(
                v.what(), "two" if two else "a", "s" if two else "") + (" (linear m[i])" if v.kind == "M" and not two else ""))
            if acc not in outer:
                self.sink(acc)
        else:
            e = binop(self.pick("+*-"), self.nelem(v), binop("*", self.nscalar_of(v), self.expr(1)))
            self.sink(self.let(e))

    def nscalar_of(self, v):
        return self.nscalar(v)

    def nlet_stmt(self):
        kind, r, c = self.some_shape()
        ne = self.nexpr(kind, r, c, self.rng.randint(1, 2))
        rs, py = nowned(ne)
        v = self.nbind(kind, r, c, rs, py, "let h = <{} expression>".format(NALG_TY[kind]), active=ne.active)
        v.param_copy = ne.leaf is not None and (ne.leaf.param is not None or ne.leaf.param_copy)
        self.consume_nval(v)

    def ncall_stmt(self):
        cands = [g for g in self.nal_callees if g.out in "VM"]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.nlet_stmt()
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g)
        r, c = g.out_shape
        v = self.nbind(g.out, r, c, rs, py, "let d = helper(..) returning {}".format(out_name(g)), prefix="d")
        self.consume_nval(v, p=0.85)

    def ntuple_stmt(self):
        cands = [g for g in self.nal_callees if g.out == "t"]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            return self.ncall_stmt()
        g = self.pick(cands)
        self.prepare(g)
        rs, py = self.call_text(g)
        d, s = self.fresh("d"), self.fresh("e")
        skip = self.r() < 0.2
        names = [d, "_" if skip else s]
        self.emit("let ({}) = {};".format(", ".join(names), rs), "{} = {}".format(", ".join(names), py))
        r, c = g.out_shape
        v = NVal(d, "V", r, c, active=False, in_loop=bool(self.loops))
        self.declare_nval(v)
        self.ntag("let ({}) = helper(..) returning {} {}".format("d, _" if skip else "d, s", out_name(g), self.where()))
        if not skip:
            self.declare_scalar(s, False)
            self.used.add(s)
            self.sink(self.let(binop(self.pick("+*-"), var(s), self.nscalar_of(v))))
        self.consume_nval(v, p=0.8)

    def nbuild_stmt(self):
        """A vector or matrix built from the slice, array and scalar
        parameters: `zeros` filled by element in loops, or
        `from_element(n, a)` then written by element."""
        kind = "V" if self.r() < 0.6 else "M"
        _, r, c = self.some_shape(kind)
        b = self.fresh("b")
        ty = ": " + NALG_TY[kind] if self.r() < 0.5 else ""
        if self.r() < 0.7:
            init = "DVector::zeros({})".format(r) if kind == "V" else "DMatrix::zeros({}, {})".format(r, c)
            self.emit("let mut {}{} = {};".format(b, ty, init), "{} = Mat.zeros({}, {}, {})".format(
                b, r, c, kind == "V"))
            how = "zeros"
            full = True
        else:
            ne = self.nfull(kind, r, c)
            self.emit("let mut {}{} = {};".format(b, ty, ne.rs), "{} = {}".format(b, ne.py))
            how = "from_element"
            full = False
        if len(self.loops) < 2 and (full or self.r() < 0.5):
            i = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{} {{".format(i, r), "for {} in range(0, {}):".format(i, r), "for", i)
            if kind == "M":
                j = "i" + str(len(self.loops))
                self.open_block("for {} in 0..{} {{".format(j, c), "for {} in range(0, {}):".format(j, c), "for", j)
                at_rs, at_py = "({}, {})".format(i, j), "({}, {})".format(i, j)
            else:
                at_rs = at_py = i
            e = self.typed(self.act_expr())
            if self.r() < 0.5:
                e = binop("+", e, binop("*", lit(self.const(0.1, 0.6)), cast(ivar(i))))
            op = "" if full else self.pick("+*")
            if op == "*":
                e = binop("+", lit(self.const(0.5, 1.0)), binop("*", lit(self.const(0.1, 0.4)), method("sin", e)))
            self.emit("{}[{}] {}= {};".format(b, at_rs, op, e.rs),
                      "{b}[{a}] = chk({o}{e})".format(b=b, a=at_py, o="" if not op else "{}[{}] {} ".format(b, at_py, op),
                                                      e=e.py))
            if kind == "M":
                self.close_block(loop=True)
            self.close_block(loop=True)
            how += " filled by element in {}".format("two loops" if kind == "M" else "a loop")
        else:
            for _ in range(self.rng.randint(1, 2)):
                if kind == "V":
                    at_rs = at_py = str(self.rng.randint(0, r - 1))
                else:
                    at_rs = at_py = "({}, {})".format(self.rng.randint(0, r - 1), self.rng.randint(0, c - 1))
                e = self.act_expr()
                self.emit("{}[{}] += {};".format(b, at_rs, e.rs), "{b}[{a}] = chk({b}[{a}] + {e})".format(
                    b=b, a=at_py, e=e.py))
            how += " then written by element"
        v = NVal(b, kind, r, c, active=True, in_loop=bool(self.loops))
        self.declare_nval(v)
        self.ntag("{} built from {} ({}{}) {}".format(
            NALG_TY[kind], "slice/array elements and scalars" if any(a for a in self.arrays) else "scalars", how,
            ", annotated" if ty else "", self.where()))
        self.consume_nval(v, p=0.5)

    def ncopy_stmt(self):
        """`let mut c = w.clone();` written by element."""
        srcs = list(self.nvals)
        if not srcs:
            return self.nbuild_stmt()
        s = self.pick(srcs)
        self.used.add(s.name)
        b = self.fresh("cw")
        self.emit("let mut {} = {}.clone();".format(b, s.name), "{} = {}.clone()".format(b, s.name))
        v = NVal(b, s.kind, s.rows, s.cols, active=True, in_loop=bool(self.loops))
        v.param_copy = s.param is not None or s.param_copy
        for _ in range(self.rng.randint(1, 2)):
            if s.kind == "V":
                i = self.grid_index(s.rows)
                at_rs, at_py = i.rs, i.py
            else:
                i, j = self.grid_index(s.rows), self.grid_index(s.cols)
                at_rs, at_py = "({}, {})".format(i.rs, j.rs), "({}, {})".format(i.py, j.py)
            op = self.pick(["+", "*", ""])
            e = self.act_expr()
            if op == "*":
                e = binop("+", lit(self.const(0.5, 1.0)), binop("*", lit(self.const(0.1, 0.4)), method("cos", e)))
            self.emit("{}[{}] {}= {};".format(b, at_rs, op, e.rs),
                      "{b}[{a}] = chk({o}{e})".format(b=b, a=at_py, o="" if not op else "{}[{}] {} ".format(b, at_py, op),
                                                      e=e.py))
        self.declare_nval(v)
        self.ntag("let mut c = {}.clone() written by element ({}) {}".format(
            "a parameter" if s.param is not None else "a local", NALG_TY[s.kind], self.where()))
        self.consume_nval(v, p=0.8)

    def nreduce_stmt(self):
        if not self.nvals:
            return self.nbuild_stmt()
        v = self.pick(self.nvals)
        v_consumed = v.consumed
        self.consume_nval(v, p=1.0)
        v.consumed = v_consumed or v.consumed

    def nstep_stmt(self):
        """Nalgebra state carried through a loop: `let mut h = e;` then
        `h = f(h)` (or `h += &e`, a helper call `h = g(.., &h, ..)`, element
        updates), perhaps in a branch."""
        if len(self.loops) >= 2:
            return self.nlet_stmt()
        kind, r, c = self.some_shape()
        ne = self.nexpr(kind, r, c, 1)
        rs, py = nowned(ne)
        if EXCLUDE_LOOP_ACTIVATED_NALGEBRA_LOCAL and not ne.active:
            k = method("cos", self.act_expr())
            rs, py = "{} * {}".format(nop(ne, MUL), par(k, MUL + 1)), "({} * {})".format(ne.py, k.py)
            ne = NE(rs, MUL, py, kind, r, c, active=True)
        h = self.fresh("h")
        self.emit("let mut {} = {};".format(h, rs), "{} = {}".format(h, py))
        v = NVal(h, kind, r, c, active=ne.active, in_loop=bool(self.loops))
        v.param_copy = ne.leaf is not None and (ne.leaf.param is not None or ne.leaf.param_copy)
        self.declare_nval(v)
        n = self.rng.randint(2, 3)
        i = "i" + str(len(self.loops))
        at = len(self.rs)
        self.open_block("for {} in 0..{} {{".format(i, n), "for {} in range(0, {}):".format(i, n), "for")
        self.declare_int(i)
        was_used = i in self.used
        self.used.discard(i)
        branch = self.r() < 0.3
        if branch:
            crs, cpy = self.active_only_cond() if self.r() < 0.6 else (self.inactive_cond() or self.active_only_cond())
            self.open_block("if " + crs + " {", "if " + cpy + ":")
        forms = self.step_update(v)
        if branch:
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            forms += " / " + self.step_update(v)
            self.close_block()
        if i not in self.used:
            self.rs[at] = self.rs[at].replace("for " + i + " in", "for _ in", 1)
        if was_used:
            self.used.add(i)
        self.close_block(loop=True)
        self.ntag("state h: {} carried through a loop ({}){} {}".format(
            NALG_TY[kind], forms, " in both branches of an if" if branch else "", self.where()))
        self.consume_nval(v, p=0.9)

    def step_update(self, v):
        """One update of the loop state `v` (a form name)."""
        h = v.name
        kind, r, c = v.kind, v.rows, v.cols
        mixed = EXCLUDE_COMPOUND_ASSIGN_WITH_ELEMENT_WRITES
        opts = ["affine", "add_assign"] + (["elem"] if self.elem_ok(v) and not (mixed and v.compound) else [])
        sq = [m for m in self.nvals if m.kind == "M" and m.rows == r and m.cols == r]
        if kind == "V" and sq:
            opts += ["square", "square"]
        calls = []
        for g in self.nal_callees:
            if g.out == kind and g.out_shape == (r, c) and self.n_calls < CALLS_MAX_CALLS:
                calls += [(g, s) for s, p in enumerate(g.params) if p.kind == kind and p.active
                          and p.rows == r and p.cols == c]
        if calls and not (EXCLUDE_PARAM_COPY_TO_CALL and v.param_copy):
            opts += ["call", "call"]
        if mixed and v.elem_written:
            opts = ["elem"]
        form = self.pick(opts)
        if form != "elem":
            v.compound = True
        me = self.nleaf(v)
        if form == "affine":
            # h = &h * c + e  (e may read h)
            e = self.nexpr(kind, r, c, 1)
            k = lit(self.const(0.3, 0.8))
            if self.r() < 0.5 or (EXCLUDE_MAP_OF_INACTIVE and not (v.active or e.active)):
                rhs = NE("{} * {} + {}".format(nop(me, MUL), k.rs, nop(e, ADD + 1)), ADD,
                         "(({} * {}) + {})".format(h, k.py, e.py), kind, r, c)
            else:
                f_rs, f_py = self.closure()
                rhs = NE("({} * {} + {}).map({})".format(nop(me, MUL), k.rs, nop(e, ADD + 1), f_rs), ATOM,
                         "(({} * {}) + {}).map({})".format(h, k.py, e.py, f_py), kind, r, c)
            self.emit("{} = {};".format(h, rhs.rs), "{} = {}".format(h, rhs.py))
            return "h = &h * c + e" if rhs.prec == ADD else "h = (&h * c + e).map(..)"
        if form == "square":
            m = self.pick(sq)
            self.used.add(m.name)
            mop = nop(self.nleaf(m), MUL)
            hop = nop(me, MUL + 1)
            e = self.nexpr(kind, r, c, 0)
            if EXCLUDE_MAP_OF_INACTIVE and not (m.active or v.active):
                k = lit(self.const(0.3, 0.8))
                self.emit("{h} = {m} * {ho} * {k} + {e};".format(h=h, m=mop, ho=hop, k=k.rs, e=nop(e, ADD + 1)),
                          "{h} = ((({m} * {h}) * {k}) + {e})".format(h=h, m=m.name, k=k.py, e=e.py))
                return "h = w * &h * c + e"
            f_rs, f_py = self.closure()
            self.emit("{h} = ({m} * {ho}).map({f}) + {e};".format(h=h, m=mop, ho=hop, f=f_rs, e=nop(e, ADD + 1)),
                      "{h} = (({m} * {h}).map({f}) + {e})".format(h=h, m=m.name, f=f_py, e=e.py))
            return "h = (w * &h).map(..) + e"
        if form == "add_assign":
            self.avoid = v
            try:
                e = self.nexpr(kind, r, c, 1)
            finally:
                self.avoid = None
            op = self.pick("+-")
            if EXCLUDE_INACTIVE_REF_COMPOUND_ASSIGN and e.leaf is None and not e.active:
                self.emit("{} = {} {} {};".format(h, nop(me, ADD), op, nop(e, ADD + 1)),
                          "{h} = ({h} {o} {e})".format(h=h, o=op, e=e.py))
                return "h = &h {} e".format(op)
            self.emit("{} {}= {};".format(h, op, nref(e)), "{h} = ({h} {o} {e})".format(h=h, o=op, e=e.py))
            return "h {}= &e".format(op)
        if form == "call":
            g, slot = self.pick(calls)
            self.prepare(g, skip=slot)
            rs, py = self.call_text(g, states={slot: ("&" + h, h)})
            self.emit("{} = {};".format(h, rs), "{} = {}".format(h, py))
            return "h = g(.., &h, ..)"
        # element updates
        if kind == "V":
            i = self.grid_index(r)
            at_rs, at_py = i.rs, i.py
        else:
            i, j = self.grid_index(r), self.grid_index(c)
            at_rs, at_py = "({}, {})".format(i.rs, j.rs), "({}, {})".format(i.py, j.py)
        e = self.act_expr()
        k = lit(self.const(0.3, 0.9))
        v.elem_written = True
        self.emit("{h}[{a}] = {h}[{a}] * {k} + {e};".format(h=h, a=at_rs, k=k.rs, e=e.rs),
                  "{h}[{a}] = chk({h}[{a}] * {k} + {e})".format(h=h, a=at_py, k=k.py, e=e.py))
        return "h[i] = h[i] * c + e"

    # ----- exits and the tail ----------------------------------------------------------------

    def out_value(self):
        """The function's nalgebra result (rust, python, form, surely
        active)."""
        kind, (r, c) = ("V" if self.out == "t" else self.out), self.out_shape
        ne = self.nexpr(kind, r, c, self.rng.randint(1, 2))
        rs, py = nowned(ne)
        return rs, py, "e", ne.active

    def member(self, rs, py, active):
        """A tuple's nalgebra member (EXCLUDE_TUPLE_MEMBER_READ_BACK): a
        fresh value that nothing reads again, `e * c` (or `e +
        from_element(n, a)` if `e` may be inactive, whose zero tangent
        `_jvp` would read)."""
        if not (self.out == "t" and EXCLUDE_TUPLE_MEMBER_READ_BACK):
            return rs, py
        if active:
            k = lit(self.const(0.5, 1.5))
            return "({}) * {}".format(rs, k.rs), "({} * {})".format(py, k.py)
        e = self.typed(self.act_expr())
        n = self.out_shape[0]
        return ("({}) + DVector::from_element({}, {})".format(rs, n, e.rs),
                "({} + Mat.full({}, 1, {}, True))".format(py, n, e.py))

    def exit_stmt(self):
        n = len(self.rs)
        self._exit_stmt()
        if any(line.strip().startswith("return") for line in self.rs[n:]):
            self.exited = True

    def _exit_stmt(self):
        if self.out == "f":
            return Gen.exit_stmt(self)
        opts = ["return"]
        if self.loops:
            opts += ["break", "break"]
            if self.loops[-1] == "for":
                opts += ["continue"]
        kind = self.pick(opts)
        if kind != "return":
            self.emit(kind + ";", kind)
            return
        rs, py, _, active = self.out_value()
        if self.out == "t":
            rs, py = self.member(rs, py, active)
            s = self.typed(self.expr(1))
            rs, py = "({}, {})".format(rs, s.rs), "({}, chk({}))".format(py, s.py)
        self.emit("return {};".format(rs), "return {}".format(py))
        self.ntag("early return of a {}".format(out_name(self)))

    def ntail(self, shaped):
        if self.out == "f":
            return self.tail(shaped)
        kind, (r, c) = ("V" if self.out == "t" else self.out), self.out_shape
        scalar_tail = None
        if self.out == "t":
            scalar_tail = shaped[-1]
            shaped = shaped[:-1]
        ch = self.r()
        if ch < 0.4 and shaped:
            # `let mut o = e; o[i] += s;` then `o`
            m = min(len(shaped), r * c)
            es = self.slots(shaped, m)
            ne = self.nexpr(kind, r, c, self.rng.randint(1, 2))
            rs, py = nowned(ne)
            o = self.fresh("o")
            self.emit("let mut {} = {};".format(o, rs), "{} = {}".format(o, py))
            for j, e in enumerate(es):
                at = str(j) if kind == "V" else "({}, {})".format(j % r, j // r)
                if self.r() < 0.6:
                    self.emit("{}[{}] += {};".format(o, at, e.rs), "{o}[{a}] = chk({o}[{a}] + {e})".format(
                        o=o, a=at, e=e.py))
                else:
                    self.emit("{}[{}] = {};".format(o, at, e.rs), "{o}[{a}] = chk({e})".format(o=o, a=at, e=e.py))
            vrs, vpy = o, o
            active = ne.active
            form = "let mut o = e; o[i] += s; o"
        else:
            # `e * s` or `e + from_element(n, s)` or `e`
            s = None
            for t in shaped:
                s = t if s is None else binop(self.pick("+-"), s, t)
            vrs, vpy, form, active = self.out_value()
            if s is not None:
                if self.r() < 0.5:
                    s = self.typed(s)
                    full = ("DVector::from_element({}, {})".format(r, s.rs) if kind == "V" else
                            "DMatrix::from_element({}, {}, {})".format(r, c, s.rs))
                    fpy = "Mat.full({}, {}, {}, {})".format(r, c, s.py, kind == "V")
                    vrs, vpy = "{} + {}".format(vrs, full), "({} + {})".format(vpy, fpy)
                    form += " + from_element(n, s)"
                else:
                    b = self.bounded(s)
                    vrs, vpy = "({}) * {}".format(vrs, par(b, MUL + 1)), "({} * {})".format(vpy, b.py)
                    form += " * s"
        if self.out == "t":
            vrs, vpy = self.member(vrs, vpy, active)
            self.emit("({}, {})".format(vrs, scalar_tail.rs), "return ({}, chk({}))".format(vpy, scalar_tail.py))
            self.ntag("helper returns (DVector<f64>, f64): ({}, s)".format(form))
        else:
            self.emit(vrs, "return {}".format(vpy))
            self.ntag("helper returns {}: {}".format(NALG_TY[kind], form))

    # ----- the function --------------------------------------------------------------------

    def function(self):
        rng = self.rng
        c = self.r()
        shape = "f" if c < 0.35 else "V" if c < 0.58 else "M" if c < 0.8 else "t"
        dims = [rng.randint(2, 3) for _ in range(2)]
        params = []
        for i in range(rng.randint(0, 2)):
            params.append(WParam("abcd"[i], "f"))
        if self.r() < 0.55:
            params.append(WParam("x", "s", rng.randint(2, 4)))
        if self.r() < 0.25:
            params.append(WParam("p", "a", rng.randint(2, 3)))
        nal = []
        if self.r() < 0.7:
            nal.append(("y", "V", self.pick(dims), 1))
        if self.r() < 0.6:
            nal.append(("w", "M", dims[0], dims[1] if self.r() < 0.8 else dims[0]))
        if self.r() < 0.25:
            nal.append(("u", "V", self.pick(dims), 1))
        if self.r() < 0.2:
            nal.append(("q", "M", self.pick(dims), self.pick(dims)))
        if not nal:
            nal.append(("y", "V", self.pick(dims), 1) if self.r() < 0.5 else ("w", "M", dims[0], dims[1]))
        for name, kind, r, cc in nal:
            p = WParam(name, kind)
            p.rows, p.cols = r, cc
            p.length = r * cc
            params.append(p)
        if self.r() < 0.4:
            params.append(WParam("k", "k"))
        rng.shuffle(params)
        floats = [p for p in params if p.kind in "fsaVM"]
        use_wrt = self.r() < 0.8
        if use_wrt:
            for p in floats:
                p.active = self.r() < 0.6
            if not any(p.active for p in floats):
                self.pick(floats).active = True
            if all(p.active for p in floats) and len(floats) > 1 and self.r() < 0.7:
                self.pick(floats).active = False
        else:
            for p in floats:
                p.active = True
        for p in floats:
            if p.kind in "fa":
                p.mut = self.r() < (0.2 if p.active else 0.3)
        self.out = shape
        if shape == "V" or shape == "t":
            self.out_shape = (self.pick(dims), 1)
        elif shape == "M":
            ms = [(p.rows, p.cols) for p in params if p.kind == "M"]
            self.out_shape = self.pick(ms) if ms and self.r() < 0.6 else (self.pick(dims), self.pick(dims))
        self.out_len = {"f": 0, "V": self.out_shape and self.out_shape[0], "M": self.out_shape and (
            self.out_shape[0] * self.out_shape[1]), "t": self.out_shape and self.out_shape[0] + 1}[shape]
        if shape == "t":
            self.tup = [("V", self.out_shape[0]), ("f", 1)]
        self.own_buf_passed = False
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
            elif p.kind in "VM":
                self.param_nvals[p.name] = NVal(p.name, p.kind, p.rows, p.cols, param=p, active=p.active)
                self.declare_nval(self.param_nvals[p.name])
            elif p.kind == "k":
                self.ints.append("k")

        special = [p for p in params if p.mut and self.r() < (0.6 if not p.active else 0.4)]
        weights = self.constructs()
        kinds = list(weights)
        forced = ["F:" + k for k in rng.choices(kinds, [weights[k] for k in kinds], k=rng.randint(1, 3))]
        seq = [None] * rng.randint(0, 1) + special + forced
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif isinstance(s, str):
                self.forced(s[2:])
            elif s.kind != "f" or s.name in self.muts:
                self.wrt_stmt(s)

        # The tail: recent values, the parameters written, every unread
        # active parameter and the nalgebra locals never read.
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:3]
        for s in recent:
            terms.append(var(s))
        for p in params:
            if p.kind == "f" and p.name in self.scalars and p.name not in recent and (
                    p.name in self.written or p.active and p.name not in self.used):
                terms.append(var(p.name))
            elif p.kind in "sa" and (p.name in self.written or p.active and p.name not in self.used):
                terms.append(E(p.name + "[0]", ATOM, p.name + "[0]", True))
                terms.append(E("{}[{}.len() - 1]".format(p.name, p.name), ATOM,
                               "{}[len({}) - 1]".format(p.name, p.name), True))
                self.used.add(p.name)
        for v in list(self.nvals):
            if (v.param is None and not v.consumed and self.out == "f") or (
                    v.param is not None and v.active and v.name not in self.used):
                terms.append(self.nscalar_of(v))
        if not terms or (self.out == "t" and len(terms) < 2):
            terms.append(self.param_leaf())
        shaped = []
        for t in terms:
            cc = self.r()
            if cc < 0.3:
                t = binop("*", lit(self.const(0.2, 1.5)), t)
            elif cc < 0.45:
                t = method(self.pick(["sin", "tanh", "atan", "cos"]), t)
            shaped.append(t)
        if "k" in self.ints and "k" not in self.used:
            shaped.append(binop("*", lit(0.1), cast(ivar("k"))))
        self.ntail(shaped)

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
        options = []
        if use_wrt:
            options.append("wrt({})".format(", ".join(p.name for p in floats if p.active)))
        if zlib.crc32(self.name.encode()) % 4 == 0:
            options.append("joint")
            tags.append("signature: joint")
        attr = "#[differentiate({})]".format(", ".join(options)) if options else "#[differentiate]"
        ret = {"f": "f64", "V": "DVector<f64>", "M": "DMatrix<f64>", "t": "(DVector<f64>, f64)"}[self.out]
        rust = "{}\nfn {}({}) -> {} {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), ret, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), "\n".join(self.py))
        spec = CallsSpec(self.name, params, self.out, self.out_len, rust, python, self.call_depth, tags, self.tup)
        spec.nalg = True
        spec.out_shape = self.out_shape
        return spec
