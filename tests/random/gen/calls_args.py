"""The `calls` family: helpers over arrays; the arguments of calls."""

from .wrt_output import *  # noqa: F401,F403 (the earlier parts, in order)


# ----------------------------------------------------------------------------
# The `calls` family (tests/random_calls.rs): helpers over arrays
# ----------------------------------------------------------------------------
#
# Every function of this family may call earlier functions of the family
# (helpers) whose parameters are `&[f64]`, `[f64; N]`, `Vec<f64>`,
# `&[f64; N]` and `f64`, in or out of their `wrt(...)`, and which return
# `f64`, `Vec<f64>` or `[f64; N]`. Arguments are passed every supported way:
# a slice parameter as it is, `&v` of a local or parameter array or `Vec`,
# sub-slices `&x[a..b]`, `&x[a..]`, `&x[..b]`, `&x[a..=b]` whose bounds may
# read loop indices and `k`, arrays by value (`g(w)`, `g([a, b])`), `Vec`s by
# value (`g(v.clone())`, `g(vec![a, b])`, and `g(v)` moving a local that is
# never read again), `&w` and `&[a, b]` for `&[f64; N]`; parameters left out of
# the callee's `wrt` only ever get values that do not depend on the caller's
# active inputs (literals, integers, the caller's own parameters left out of
# `wrt` and never written). Array and `Vec` results are bound with
# `let d = g(..);` and read by element, also in loops and as the right-hand
# side of explicit-Euler steps (`let d = rhs(y, k); for i in 0..2 { y[i] +=
# h * d[i]; }`). Besides: array patterns (`let [a, b, c] = w;`,
# `let [a, .., d] = w;`, `let [x1, x2] = *pr;`), destructuring assignment
# `(a, b) = (b, a * x + b);`, plain blocks that update outer `mut` variables
# and block values that do (`let y = { s *= x; s + 1.0 };`); helpers with
# tuple results (`(f64, f64)`, `(Vec<f64>, f64)`, `([f64; 2], f64)`) bound by
# `let (a, b) = g(..)`, `let (a, _) = g(..)` and `(q, p) = step(q, p, ..)`;
# helpers with in/out buffers called with `&mut d` (a local `Vec` or array)
# or given the caller's own buffer; whole-array copies and assignments
# (`x.to_vec()`, `v.clone()`, `u = un;`, `u = step(&u, k);`) and
# `copy_from_slice`/`fill` on arrays and ranges; all of them straight-line, in
# loops and in branches. The last CALLS_N_NEW functions may also grow `Vec`s
# with `push` (onto `Vec::new()`, `Vec::with_capacity(n)`, `vec![]` or a copy
# `x.to_vec()`; straight-line, in a loop, in both branches of an `if` with
# different counts, a push of the `Vec`'s own last element,
# `extend_from_slice(&x[a..b])`), return a `Vec` built with `push`, and pass
# ranges of arrays as buffers (`&mut d[a..b]`, `&mut d[a..]`, `&mut d[..b]`,
# `&mut d[a..=b]` of a local or of the caller's own buffer, bounds from loop
# indices and `k`). 2-D arrays too: parameters `&[Vec<f64>]` and
# `[[f64; C]; R]` (in and out of `wrt`) and locals `vec![vec![0.0; C]; R]` and
# `[[0.0; C]; R]` filled by element in two loops (`=`, then `+=` or `*=` in
# a branch), read by element `m[i][j]` (indices constants, loop indices or k
# modulo the shape), their rows passed to helpers' slice parameters
# (`&m[r]`, `&m[r][a..]`, `&m[r][..b]`, `&m[r][a..b]`) and whole to helpers'
# 2-D parameters (as they are, `&w`, by value, or rows of expressions
# `&[vec![..], vec![..]]`, `[[..], [..]]`). The points and checks are the
# `wrt` family's (vector and tuple results are outputs y like buffers there).

CALLS_SEED = 20250720
CALLS_N_FUNCS = 400
# Functions drawn after those, with two more constructs (`Vec`s grown with
# `push`, ranges of arrays passed as buffers; NEW_CONSTRUCTS): the first
# CALLS_N_FUNCS stay as they were.
CALLS_N_NEW = 60
# Then CALLS_N_NALGEBRA functions over nalgebra values (the nalgebra batch,
# after this family's code).
CALLS_OUT = os.path.join(ROOT, "tests", "random_calls.rs")
CALLS_MAX_LINES = 26
CALLS_MAX_CALLS = 3  # calls per function (compile time)
# Switches to leave a construct out while the macro mishandles it (listed in
# the generated file's header when on; each found a bug, fixed since): an
# early `return` in a function whose result is a local `Vec` variable, an
# inactive `Vec` passed by value to a call with an active argument, and a
# function with a buffer whose result is a bare variable the body also reads
# (`d[0] = a * b; b`).
EXCLUDE_RETURN_BEFORE_VEC_LOCAL = False
EXCLUDE_INACTIVE_VEC_BY_VALUE = False
EXCLUDE_BUFFER_TAIL_VARIABLE = False

KIND_TY["r"] = "&[f64; {n}]"
KIND_NAME["r"] = "&[f64; N]"
KIND_TY["m"] = "&[Vec<f64>]"
KIND_NAME["m"] = "&[Vec<f64>]"
KIND_TY["n"] = "[[f64; {c}]; {r}]"
KIND_NAME["n"] = "[[f64; C]; R]"
CALL_ARRAY_KINDS = ("a", "la", "da")  # `[f64; N]` values: parameters, locals, results
CALL_VEC_KINDS = ("v", "lv", "dv")  # `Vec<f64>` values


def out_name(g):
    """The Rust type of a function's result (of the calls family)."""
    one = {"f": "f64", "v": "Vec<f64>", "a": "[f64; N]", "u": "nothing (a buffer)", "V": "DVector<f64>",
           "M": "DMatrix<f64>"}
    if g.out == "t":
        return "(" + ", ".join(one[k] for k, _ in g.tup) + ")"
    return one[g.out]


def cp(y, a, b, src):
    """The twin of `y[a..b].copy_from_slice(src)`."""
    assert 0 <= a <= b <= len(y) and len(src) == b - a, (a, b, len(y), len(src))
    y[a:b] = src


def fl(y, a, b, v):
    """The twin of `y[a..b].fill(v)`."""
    assert 0 <= a <= b <= len(y), (a, b, len(y))
    y[a:b] = [v] * (b - a)


def sl(x, a, b, mc):
    """The twin of a sub-slice `&x[a..b]` (b None: to the end), which must
    be in bounds and at least `mc` long (the callee's shortest slice)."""
    b = len(x) if b is None else b
    assert 0 <= a <= b <= len(x) and b - a >= mc, (a, b, len(x), mc)
    return x[a:b]


def carray(name, length, akind, fixed=True, writable=False, write_len=None):
    """An Array with the calls family's attributes: `akind` (its type and
    origin: 's' slice parameter, 'a'/'v'/'r' array/Vec/&array parameter,
    'la'/'lv' local array/Vec, 'da'/'dv' a helper's result), `fixed` (its
    length is known: otherwise `length` is its shortest)."""
    a = Array(name, length, name + ".len()", writable, write_len)
    a.akind, a.fixed = akind, fixed
    return a


class Grid:
    """A 2-D array of fixed shape visible in the body: a parameter (`param`,
    kind 'm' `&[Vec<f64>]` or 'n' `[[f64; C]; R]`) or a local (kind 'm':
    `vec![vec![0.0; C]; R]`, rows of `Vec`s; 'n': `[[0.0; C]; R]`)."""

    def __init__(self, name, rows, cols, kind, param=None):
        self.name, self.rows, self.cols, self.kind, self.param = name, rows, cols, kind, param

    def what(self):
        if self.param is not None:
            return "2-D parameter " + KIND_NAME[self.kind]
        return "2-D local " + ("Vec<Vec<f64>>" if self.kind == "m" else "[[f64; C]; R]")


class CallsSpec(WrtSpec):
    """`out`: 'f' (f64), 'v' (Vec<f64>), 'a' ([f64; N]), 't' (a tuple of
    the members `tup`, each (kind, length) with kind 'f', 'v' or 'a') or
    'u' (nothing: a function with a buffer); `out_len` the length of the
    result's flat vector (its members concatenated). In the nalgebra batch
    (`nalg`) also 'V' (DVector<f64>) and 'M' (DMatrix<f64>) of shape
    `out_shape` (rows, cols), and tuples (DVector<f64>, f64)."""

    nalg = False
    out_shape = None

    def __init__(self, name, params, out, out_len, rust, python, call_depth, tags, tup=None):
        super().__init__(name, params, out == "u", rust, python, call_depth, tags)
        self.out, self.out_len, self.tup = out, out_len, tup

    @property
    def scalar(self):
        return self.out == "f" and not self.buffers

    @property
    def plain(self):
        """An f64, Vec or array result and no buffer."""
        return self.out in "fva" and not self.buffers

    def ny(self):
        return {"f": 1, "u": 0}.get(self.out, self.out_len) + sum(p.length for p in self.buffers)


class CallsArgs(WrtGen):
    """A function of the `calls` family: its calls' arguments (`CallsGen` is the
    whole family)."""

    def __init__(self, rng, name, callees, new=False):
        super().__init__(rng, name, callees)
        self.new = new  # may use NEW_CONSTRUCTS (and a result built with `push`)
        self.out = "f"
        self.out_len = 0
        self.fill_tail = False
        self.no_exit = False
        self.tup = None
        self.own_buf = None  # the function's own `&mut [f64]` buffer
        self.grids = []  # visible 2-D arrays (Grid)
        self.all_callees = callees
        self.callees = [g for g in callees if g.plain]
        # In a `match` arm value (`p => e,`) no `let` can be written, so a
        # `&[Vec<f64>]` argument takes a 2-D array in scope.
        self.arm_value = 0

    def match_stmt(self, value=False):
        self.arm_value += value
        try:
            super().match_stmt(value)
        finally:
            self.arm_value -= value

    # ----- bookkeeping -----------------------------------------------------------

    def mut_targets(self):
        # (the own buffer is written by the tail and by calls only)
        return [p for p in super().mut_targets() if p.kind != "b"]

    def where(self):
        if self.loops:
            return "in a loop"
        if len(self.scopes) > 1:
            return "in a branch or block"
        return "straight-line"

    def ctag(self, what):
        self.tags.append(what)

    def mark_written(self, name):
        if any(p.name == name for p in self.wparams) and name not in self.written:
            self.written.append(name)

    def outer_muts(self):
        return [m for m in sorted(self.muts) if not any(x == m for _, x in self.scopes[-1])]

    def forget_array(self, arr):
        self.arrays.remove(arr)
        for sc in self.scopes:
            if ("a", arr) in sc:
                sc.remove(("a", arr))

    def array_stmt(self):
        """The first family's local arrays, with the calls family's
        attributes."""
        at = len(self.rs)
        before = list(self.arrays)
        super().array_stmt()
        decl = self.rs[at].strip()
        for a in self.arrays:
            if any(a is b for b in before) or hasattr(a, "akind"):
                continue
            a.akind = "lv" if "vec!" in decl else "la"
            a.fixed = True
            m = re.search(r"vec!\[0\.0; (\w+)\.len\(\)\];$", decl)
            if m:
                srcs = [b for b in before if b.name == m.group(1)]
                a.fixed = bool(srcs) and srcs[0].fixed

    def index(self, arr, write=False):
        """As the first family's, with literal indices below the array's
        (shortest) length."""
        n = arr.write_len if write else ilen(arr.name)
        loop_vars = [v for v in self.ints if v != "k"]
        if loop_vars and self.r() < 0.8:
            v = self.pick(loop_vars)
            self.used.add(v)
            i = ivar(v)
            if self.r() < 0.4:
                i = ibin("+", i, ilit(self.rng.randint(1, 3)))
            return ibin("%", i, n)
        if self.r() < 0.2:
            return ibin("-", n, ilit(1))
        if "k" in self.ints and self.r() < 0.3:
            self.used.add("k")
            return ibin("%", ivar("k"), n)
        return ilit(self.rng.randint(0, min(2, arr.length - 1)))

    def param_leaf(self):
        opts = [p.name for p in self.wparams if p.active and p.kind == "f" and p.name in self.scalars]
        opts += [p.name for p in self.wparams if p.active and p.kind in "savr"]
        opts += [p.name for p in self.wparams if p.active and p.kind in "mn"]
        name = self.pick(opts)
        grids = [g for g in self.grids if g.name == name]
        if grids:
            return self.grid_elem(grids[0])
        self.used.add(name)
        arrs = [a for a in self.arrays if a.name == name]
        if arrs:
            i = self.index(arrs[0])
            return E(name + "[" + i.rs + "]", ATOM, name + "[" + i.py + "]", True)
        return var(name)

    # ----- 2-D arrays ----------------------------------------------------------------

    def declare_grid(self, g):
        self.grids.append(g)
        self.scopes[-1].append(("g", g))

    def pop(self):
        for kind, g in self.scopes[-1]:
            if kind == "g":
                self.grids.remove(g)
        self.scopes[-1] = [(kind, x) for kind, x in self.scopes[-1] if kind != "g"]
        super().pop()

    def grid_index(self, n):
        """An index below n: a loop index or k modulo n, or a literal."""
        loop_vars = [v for v in self.ints if v != "k"]
        c = self.r()
        if loop_vars and c < 0.6:
            v = self.pick(loop_vars)
            self.used.add(v)
            return ibin("%", ivar(v), ilit(n))
        if "k" in self.ints and c < 0.75:
            self.used.add("k")
            return ibin("%", ivar("k"), ilit(n))
        return ilit(self.rng.randint(0, n - 1))

    def grid_elem(self, g):
        """`m[i][j]` of a 2-D array."""
        self.used.add(g.name)
        i, j = self.grid_index(g.rows), self.grid_index(g.cols)
        self.ctag("element m[i][j] of a {} read".format(g.what()))
        return E("{}[{}][{}]".format(g.name, i.rs, j.rs), ATOM, "{}[{}][{}]".format(g.name, i.py, j.py), True)

    def leaf(self):
        if self.grids and self.r() < 0.15:
            return self.grid_elem(self.pick(self.grids))
        return super().leaf()

    def row_arg(self, g, mc):
        """A row of a 2-D array for a helper's `&[f64]` parameter of at least
        `mc` elements: `&m[r]`, `&m[r][a..]`, `&m[r][..b]`, `&m[r][a..b]`."""
        self.used.add(g.name)
        r = self.grid_index(g.rows)
        row_rs, row_py = "{}[{}]".format(g.name, r.rs), "{}[{}]".format(g.name, r.py)
        n = g.cols
        form = self.pick(["whole", "from", "to", "range"]) if n > mc else "whole"
        if form == "whole":
            rs, py, shape = "&" + row_rs, row_py, "&m[r]"
        elif form == "from":
            a = self.rng.randint(1, n - mc)
            rs, py, shape = "&{}[{}..]".format(row_rs, a), "sl({}, {}, None, {})".format(row_py, a, mc), "&m[r][a..]"
        elif form == "to":
            b = self.rng.randint(mc, n - 1)
            rs, py, shape = "&{}[..{}]".format(row_rs, b), "sl({}, 0, {}, {})".format(row_py, b, mc), "&m[r][..b]"
        else:
            a = self.rng.randint(0, n - mc)
            b = self.rng.randint(a + mc, n)
            rs, shape = "&{}[{}..{}]".format(row_rs, a, b), "&m[r][a..b]"
            py = "sl({}, {}, {}, {})".format(row_py, a, b, mc)
        self.ctag("arg &[f64]: {} of a {}".format(shape, g.what()))
        return rs, py

    def same_grids(self, p):
        """The 2-D arrays in scope that a helper's 2-D parameter `p` takes."""
        return [g for g in self.grids if g.rows == p.rows and g.cols == p.cols and g.kind == p.kind
                and (p.active or (g.param is not None and not g.param.active))]

    def grid_arg(self, p):
        """An argument for a helper's 2-D parameter `p`: a 2-D array of the
        caller of its shape (as it is, `&w` or by value), or rows of
        expressions (of constants for a parameter left out of the helper's
        `wrt`)."""
        same = self.same_grids(p)
        if same and (self.r() < 0.6 or (p.kind == "m" and self.arm_value)):
            g = self.pick(same)
            self.used.add(g.name)
            borrow = p.kind == "m" and g.param is None
            self.ctag("arg {}: a {} {}".format(KIND_NAME[p.kind], g.what(),
                                               "borrowed (&w)" if borrow else "as it is"))
            return ("&" if borrow else "") + g.name, g.name
        rows_rs, rows_py = [], []
        for r in range(p.rows):
            # (one active value at least: an inactive argument is verbatim code,
            # where `vec!` is not supported)
            es = [self.typed(self.act_expr()) if p.active and r == 0 and c == 0 else
                  self.expr(1) if p.active else lit(self.const(0.1, 1.5)) for c in range(p.cols)]
            rows_rs.append(("vec!" if p.kind == "m" else "") + "[" + ", ".join(e.rs for e in es) + "]")
            rows_py.append("[" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
        body, body_py = "[" + ", ".join(rows_rs) + "]", "[" + ", ".join(rows_py) + "]"
        what = "expressions" if p.active else "constants"
        if p.kind == "m":
            # `vec!` rows: a local, borrowed (the call may be in verbatim
            # code, a condition, where `vec!` is not supported)
            name = self.fresh("cg")
            self.emit("let {} = {};".format(name, body), "{} = {}".format(name, body_py))
            self.ctag("arg &[Vec<f64>]: a local array of `vec!` rows of {} borrowed (&w)".format(what))
            return "&" + name, name
        self.ctag("arg {}: rows of {}".format(KIND_NAME[p.kind], what))
        return body, body_py

    def row_calls(self, grid=None):
        """(helper, slot, grid) for `rows_call_stmt`: a helper with an f64
        result and an active `&[f64]` parameter a row fits."""
        opts = []
        for h in self.callees:
            if h.out != "f" or not self.vec_ok(h):
                continue
            for i, p in enumerate(h.params):
                if p.kind == "s" and p.active:
                    opts += [(h, i, g) for g in ([grid] if grid else self.grids) if g.cols >= p.length]
        return opts if self.n_calls < CALLS_MAX_CALLS and len(self.loops) < 2 else []

    def rows_call_stmt(self, grid=None):
        """`for i in 0..R { acc += c * h(&m[i], ..); }` (or `&m[i][a..]`):
        each row of a 2-D array passed to a helper."""
        opts = self.row_calls(grid)
        if not opts:
            return self.call_scalar_stmt() if grid is None else self.consume_grid(grid, calls=False)
        h, slot, g = self.pick(opts)
        self.prepare(h, skip=slot)
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        acc = self.pick(outer) if outer else self.ensure_mut()
        self.mark_written(acc)
        self.used.update([acc, g.name])
        v = "i" + str(len(self.loops))
        self.open_block("for {} in 0..{} {{".format(v, g.rows), "for {} in range(0, {}):".format(v, g.rows), "for", v)
        mc = h.params[slot].length
        a = self.rng.randint(0, g.cols - mc)
        if a == 0:
            row = ("&{}[{}]".format(g.name, v), "{}[{}]".format(g.name, v))
        else:
            row = ("&{}[{}][{}..]".format(g.name, v, a), "sl({}[{}], {}, None, {})".format(g.name, v, a, mc))
        rs, py = self.call_text(h, state=(slot,) + row)
        self.assign(acc, "+", binop("*", lit(self.const(0.2, 0.9)), E(rs, ATOM, py, True)))
        self.close_block(loop=True)
        self.wrote(acc)
        self.ctag("each row {} of a {} passed to a helper in a loop".format(
            "&m[i]" if a == 0 else "&m[i][a..]", g.what()))

    def consume_grid(self, g, calls=True):
        """Reads of a 2-D array: its rows passed to a helper in a loop, or
        by element, a reduction in two loops into an outer `mut` or into a
        new scalar."""
        if calls and self.row_calls(g) and self.r() < 0.6:
            return self.rows_call_stmt(g)
        outer = self.outer_muts() if not self.top else sorted(self.muts)
        if outer and self.r() < 0.55 and len(self.loops) < 2:
            acc = self.pick(outer)
            self.used.update([acc, g.name])
            self.mark_written(acc)
            i = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{} {{".format(i, g.rows), "for {} in range(0, {}):".format(i, g.rows),
                            "for", i)
            j = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{} {{".format(j, g.cols), "for {} in range(0, {}):".format(j, g.cols),
                            "for", j)
            term = E("{}[{}][{}]".format(g.name, i, j), ATOM, "{}[{}][{}]".format(g.name, i, j), True)
            if self.r() < 0.6:
                self.assign(acc, "+", binop("*", term, self.expr(1)))
            else:
                self.assign(acc, "=", binop("+", binop("*", var(acc), lit(self.const(0.2, 0.9))),
                                              method(self.pick(["sin", "tanh", "atan"]), term)))
            self.close_block(loop=True)
            self.close_block(loop=True)
            self.ctag("2-D array read back in two loops")
        else:
            e = binop(self.pick("+*-"), self.grid_elem(g), binop("*", self.grid_elem(g), self.expr(1)))
            self.sink(self.let(e))

    def grid_stmt(self):
        """A local 2-D array filled by element in two loops, `=` then
        perhaps `+=` or `*=` in a branch, then read back."""
        if len(self.loops) >= 2:
            return self.to_vec_stmt()
        kind = self.pick("mn")
        rows, cols = self.rng.randint(2, 3), self.rng.randint(2, 3)
        w = self.fresh("g")
        init = ("vec![vec![0.0; {c}]; {r}]" if kind == "m" else "[[0.0; {c}]; {r}]").format(r=rows, c=cols)
        self.emit("let mut {} = {};".format(w, init), "{} = [[0.0] * {} for _ in range(0, {})]".format(w, cols, rows))
        i = "i" + str(len(self.loops))
        self.open_block("for {} in 0..{} {{".format(i, rows), "for {} in range(0, {}):".format(i, rows), "for", i)
        j = "i" + str(len(self.loops))
        self.open_block("for {} in 0..{} {{".format(j, cols), "for {} in range(0, {}):".format(j, cols), "for", j)
        e = self.act_expr()
        self.emit("{}[{}][{}] = {};".format(w, i, j, e.rs), "{}[{}][{}] = chk({})".format(w, i, j, e.py))
        how = "="
        if self.r() < 0.5:
            rs, py = self.int_cond() if self.r() < 0.5 else self.active_only_cond()
            self.open_block("if " + rs + " {", "if " + py + ":")
            how = self.pick("+*")
            if how == "+":
                e2 = self.act_expr()
            else:
                e2 = binop("+", lit(self.const(0.5, 1.0)),
                           binop("*", lit(self.const(0.1, 0.4)), method("sin", self.act_expr())))
            self.emit("{}[{}][{}] {}= {};".format(w, i, j, how, e2.rs),
                      "{w}[{i}][{j}] = chk({w}[{i}][{j}] {o} ({e}))".format(w=w, i=i, j=j, o=how, e=e2.py))
            self.close_block()
        self.close_block(loop=True)
        self.close_block(loop=True)
        g = Grid(w, rows, cols, kind)
        self.declare_grid(g)
        self.ctag("{} filled by element in two loops{} {}".format(
            g.what(), "" if how == "=" else ", then {}= in a branch".format(how), self.where()))
        self.consume_grid(g)

    # ----- arguments ---------------------------------------------------------------

    def bexpr(self, lo, hi):
        """An integer in [lo, hi], often from a loop index or k."""
        if hi <= lo or not self.ints or self.r() < 0.3:
            return ilit(self.rng.randint(lo, hi)), False
        v = self.int_var()
        if v.rs != "k" and self.r() < 0.3:
            v = ibin("+", v, ilit(1))
        e = ibin("%", v, ilit(hi - lo + 1))
        if lo:
            e = ibin("+", e, ilit(lo))
        return e, True

    def upper(self, arr, lo, hi, incl):
        """An upper bound in [lo, hi] of a sub-slice of `arr` (hi = its
        shortest length, minus one if inclusive), or `arr.len() - c`."""
        n = arr.length
        cmax = n - lo
        if cmax >= 1 and self.r() < 0.3:
            c = self.rng.randint(1, cmax)
            return I("{}.len() - {}".format(arr.name, c), ADD, "(len({}) - {})".format(arr.name, c)), False
        return self.bexpr(lo, hi)

    def slice_cands(self, mc):
        return [a for a in self.arrays if hasattr(a, "akind") and a.akind != "r" and a.length >= mc]

    def slice_arg(self, mc):
        """An active `&[f64]` argument of at least `mc` elements."""
        rows = [g for g in self.grids if g.cols >= mc]
        if rows and self.r() < 0.7:
            return self.row_arg(self.pick(rows), mc)
        a = self.pick(self.slice_cands(mc))
        self.used.add(a.name)
        n = a.length
        form = self.rng.choices(["whole", "from", "to", "range", "incl"], [3, 2, 2, 3, 2])[0]
        whole = (a.name, a.name) if a.akind == "s" else ("&" + a.name, a.name)
        src = {"s": "a slice parameter", "a": "an array parameter", "v": "a Vec parameter",
               "la": "a local array", "lv": "a local Vec", "da": "an array result", "dv": "a Vec result"}[a.akind]
        dynamic = False
        if form == "from" and n > mc:
            lo, dynamic = self.bexpr(1, n - mc)
            rs, py, shape = "&{}[{}..]".format(a.name, lo.rs), "sl({}, {}, None, {})".format(a.name, lo.py, mc), "&x[a..]"
        elif form == "to" and n > mc:
            hi, dynamic = self.upper(a, mc, n - 1, False)
            rs, py, shape = "&{}[..{}]".format(a.name, hi.rs), "sl({}, 0, {}, {})".format(a.name, hi.py, mc), "&x[..b]"
        elif form in ("range", "incl") and n > mc:
            top = self.rng.randint(0, n - mc)
            lo, d1 = self.bexpr(0, top)
            if form == "range":
                hi, d2 = self.upper(a, top + mc, n, False)
                rs, shape = "&{}[{}..{}]".format(a.name, lo.rs, hi.rs), "&x[a..b]"
                py = "sl({}, {}, {}, {})".format(a.name, lo.py, hi.py, mc)
            else:
                hi, d2 = self.upper(a, top + mc - 1, n - 1, True)
                rs, shape = "&{}[{}..={}]".format(a.name, lo.rs, hi.rs), "&x[a..=b]"
                py = "sl({}, {}, ({}) + 1, {})".format(a.name, lo.py, hi.py, mc)
            dynamic = d1 or d2
        else:
            rs, py = whole
            shape = "x as it is" if a.akind == "s" else "&v"
        self.ctag("arg &[f64]: {} of {}".format(shape, src))
        if dynamic:
            self.ctag("arg &[f64]: sub-slice bounds from a loop index or k")
        return rs, py

    def fixed_inactive(self):
        """Parameters left out of `wrt`, never written: inactive values."""
        return [p for p in self.wparams if not p.active and not p.mut and p.kind in "fsav"
                and p.name not in self.written and p.name not in self.shadowed]

    def consts(self, n):
        return [lit(self.const(0.1, 1.5)) for _ in range(n)]

    def inactive_arg(self, p):
        """A value for the callee's parameter `p`, left out of its `wrt`: it
        reads no active value."""
        fixed = self.fixed_inactive()
        c = self.r()
        if p.kind == "f":
            fs = [q for q in fixed if q.kind == "f" and q.name in self.scalars]
            if fs and c < 0.4:
                q = self.pick(fs)
                self.used.add(q.name)
                self.ctag("arg left out of wrt: f64 from a parameter left out of wrt")
                return q.name, q.name
            if self.ints and c < 0.6:
                e = binop("*", lit(self.const(0.1, 0.5)), cast(self.int_var()))
                self.ctag("arg left out of wrt: f64 from an integer")
                return e.rs, e.py
            self.ctag("arg left out of wrt: f64 literal")
            e = lit(self.const(0.1, 1.5))
            return e.rs, e.py
        if p.kind == "s":
            srcs = [q for q in fixed if q.kind in "sav" and q.length >= p.length]
            if srcs and c < 0.6:
                q = self.pick(srcs)
                self.used.add(q.name)
                self.ctag("arg left out of wrt: &[f64] from a parameter left out of wrt")
                if q.length > p.length and self.r() < 0.5:
                    return "&{}[1..]".format(q.name), "sl({}, 1, None, {})".format(q.name, p.length)
                return (q.name if q.kind == "s" else "&" + q.name), q.name
            es = self.consts(p.length + self.rng.randint(0, 1))
            self.ctag("arg left out of wrt: &[f64] literal")
            return "&[" + ", ".join(e.rs for e in es) + "]", "[" + ", ".join(e.py for e in es) + "]"
        if p.kind == "v":
            # (`vec![..]` is not an argument: a parameter or a local of constants)
            q = self.pick(self.inactive_vecs(p.length))
            self.used.add(q.name)
            self.ctag("arg left out of wrt: Vec<f64> from {}".format(
                "a local of constants" if isinstance(q, Array) else "a parameter left out of wrt"))
            return q.name + ".clone()", "list(" + q.name + ")"
        same = [q for q in fixed if q.kind == "a" and q.length == p.length]
        if same and c < 0.5:
            q = self.pick(same)
            self.used.add(q.name)
            self.ctag("arg left out of wrt: {} from a parameter left out of wrt".format(KIND_NAME[p.kind]))
            rs = {"a": q.name, "r": "&" + q.name}[p.kind]
            return rs, "list(" + q.name + ")"
        es = self.consts(p.length)
        body = "[" + ", ".join(e.rs for e in es) + "]"
        self.ctag("arg left out of wrt: {} literal".format(KIND_NAME[p.kind]))
        rs = {"a": body, "r": "&" + body}[p.kind]
        return rs, "[" + ", ".join(e.py for e in es) + "]"

    def inactive_vecs(self, n):
        """`Vec`s of length n that read no active value: parameters left
        out of `wrt` and locals of constants."""
        out = [q for q in self.fixed_inactive() if q.kind == "v" and q.length == n]
        return out + [a for a in self.arrays if getattr(a, "inactive", False) and a.length == n]

    def vec_cands(self, n):
        return [a for a in self.arrays if getattr(a, "akind", None) in CALL_VEC_KINDS and a.fixed and a.length == n
                and (getattr(a, "surely_active", False) or not EXCLUDE_INACTIVE_VEC_BY_VALUE)]

    def prepare(self, g, skip=None):
        """Locals that make the call of `g` possible (at statement level):
        slices long enough, `Vec`s of the right length."""
        for i, p in enumerate(g.params):
            if i == skip:
                continue
            if p.kind == "s" and p.active and not self.slice_cands(p.length):
                name = self.fresh("w")
                es = [self.typed(self.expr(1)) for _ in range(p.length + self.rng.randint(0, 1))]
                self.emit("let {} = [{}];".format(name, ", ".join(e.rs for e in es)),
                          "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
                self.declare_array(carray(name, len(es), "la"))
            elif p.kind == "v" and p.active and not self.vec_cands(p.length):
                name = self.fresh("w")
                es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(p.length - 1)]
                self.emit("let {} = vec![{}];".format(name, ", ".join(e.rs for e in es)),
                          "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
                a = carray(name, len(es), "lv")
                a.surely_active = True
                self.declare_array(a)
            elif p.kind == "v" and not p.active and not self.inactive_vecs(p.length):
                name = self.fresh("cv")
                es = self.consts(p.length)
                self.emit("let {}: Vec<f64> = vec![{}];".format(name, ", ".join(e.rs for e in es)),
                          "{} = [{}]".format(name, ", ".join(e.py for e in es)))
                a = carray(name, len(es), "lv")
                a.inactive = True
                self.declare_array(a)

    def array_arg(self, p, prev, allow_move):
        """An active `[f64; N]`, `&[f64; N]` or `Vec<f64>` argument."""
        kinds = CALL_VEC_KINDS if p.kind == "v" else CALL_ARRAY_KINDS
        cands = [a for a in self.arrays if getattr(a, "akind", None) in kinds and a.fixed and a.length == p.length]
        if p.kind == "v":
            cands = self.vec_cands(p.length)
        if cands and (self.r() < 0.75 or p.kind == "v"):
            a = self.pick(cands)
            self.used.add(a.name)
            if p.kind == "a":
                self.ctag("arg [f64; N]: an array variable by value")
                return a.name, "list(" + a.name + ")"
            if p.kind == "r":
                self.ctag("arg &[f64; N]: &w")
                return "&" + a.name, a.name
            movable = (allow_move and a.akind in ("lv", "dv") and ("a", a) in self.scopes[-1]
                       and not any(re.search(r"\b" + a.name + r"\b", rs) for rs, _ in prev))
            if movable and self.r() < 0.6:
                self.forget_array(a)
                self.ctag("arg Vec<f64>: a local moved (`g(v)`)")
                return a.name, "list(" + a.name + ")"
            self.ctag("arg Vec<f64>: v.clone()")
            return a.name + ".clone()", "list(" + a.name + ")"
        es = [self.expr(1) for _ in range(p.length)]
        body = "[" + ", ".join(e.rs for e in es) + "]"
        py = "[" + ", ".join("chk(" + e.py + ")" for e in es) + "]"
        self.ctag("arg {}: literal".format(KIND_NAME[p.kind]))
        return {"a": body, "r": "&" + body, "v": "vec!" + body}[p.kind], py

    def arg_for(self, p, prev, allow_move):
        if p.kind == "k":
            i = self.int_leaf()
            return i.rs, i.py
        if p.kind in "mn":
            return self.grid_arg(p)
        if not p.active:
            return self.inactive_arg(p)
        if p.kind == "f":
            e = self.expr(1) if self.r() < 0.92 else lit(self.const(0.1, 1.5))
            return e.rs, e.py
        if p.kind == "s":
            return self.slice_arg(p.length)
        return self.array_arg(p, prev, allow_move)

    def vec_ok(self, g):
        return not EXCLUDE_INACTIVE_VEC_BY_VALUE or all(p.active for p in g.params if p.kind == "v")

    def feasible(self, g, skip=None):
        for i, p in enumerate(g.params):
            if i == skip:
                continue
            if p.kind == "s" and p.active and not self.slice_cands(p.length):
                return False
            if p.kind == "v" and not (self.vec_cands(p.length) if p.active else self.inactive_vecs(p.length)):
                return False
            if p.kind == "v" and not p.active and EXCLUDE_INACTIVE_VEC_BY_VALUE:
                return False
            if p.kind == "m" and self.arm_value and not self.same_grids(p):
                return False
        return True

    def call_text(self, g, inject=None, allow_move=False, state=None, states=None):
        """A call of `g`: (rust, python). `inject` goes to one of its active
        f64 parameters; `state` = (slot, rust, python) to that parameter;
        `states` maps more slots to (rust, python) (a buffer's slot must be
        one of them)."""
        states = dict(states or {})
        if state is not None:
            states[state[0]] = state[1:]
        self.n_calls += 1
        self.call_depth = max(self.call_depth, g.call_depth + 1)
        slots = [i for i, p in enumerate(g.params) if p.kind == "f" and p.active]
        at = self.pick(slots) if inject is not None and slots else None
        args = []
        for i, p in enumerate(g.params):
            if i == at:
                args.append((inject.rs, inject.py))
            elif i in states:
                args.append(states[i])
            else:
                # (a move leaves later arguments one array fewer to choose from)
                later = any(q.kind in "sv" and q.active for q in g.params[i + 1:])
                args.append(self.arg_for(p, args, allow_move and not later))
        self.ctag("call of a helper returning {} {}".format(out_name(g), self.where()))
        for p in g.params:
            if p.kind != "k":
                self.ctag("callee parameter {} {}".format(KIND_NAME[p.kind], "in wrt" if p.active else "left out of wrt"))
        return (g.name + "(" + ", ".join(a for a, _ in args) + ")",
                g.name + "(" + ", ".join(b for _, b in args) + ")")

    def scalar_callees(self):
        return [g for g in self.callees if g.out == "f" and self.feasible(g)]

    def call(self, inject=None, allow_move=False):
        cands = self.scalar_callees()
        if inject is not None:
            cands = [g for g in cands if any(p.kind == "f" and p.active for p in g.params)]
        if not cands or self.n_calls >= CALLS_MAX_CALLS:
            if inject is not None:
                return binop("*", inject, lit(self.const(0.3, 0.9)))
            return self.active_leaf()
        g = self.pick(cands)
        rs, py = self.call_text(g, inject, allow_move)
        return E(rs, ATOM, py, True)

    # ----- statements ----------------------------------------------------------------
