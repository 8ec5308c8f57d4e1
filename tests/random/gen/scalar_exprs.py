"""The first family's functions (`random`): parameters, locals and expressions
(the statements are in `scalar`)."""

from .expr import *  # noqa: F401,F403 (the earlier parts, in order)


# ----------------------------------------------------------------------------
# Function generator
# ----------------------------------------------------------------------------


class Array:
    def __init__(self, name, length, length_rs, writable, write_len=None):
        self.name, self.length, self.length_rs, self.writable = name, length, length_rs, writable
        self.write_len = write_len


class Spec:
    """A generated function: its parameters [(name, kind)], kind in
    'f' (active f64), 's' (active &[f64]), 'k' (inactive usize)."""

    def __init__(self, name, params, slice_len, rust, python, call_depth):
        self.name, self.params, self.slice_len = name, params, slice_len
        self.rust, self.python, self.call_depth = rust, python, call_depth
        self.points = []

    @property
    def callable(self):
        return all(kind != "s" for _, kind in self.params)

    def n_active(self):
        return sum(self.slice_len if kind == "s" else 1 for _, kind in self.params if kind != "k")


class GenExprs:
    # How often `let_if` binds a tuple (`let (u, ub) = if c { (a, b) } else
    # { (b, a) };`), decided on a generator of its own so that the other
    # functions stay as they were. Not in this family: its first 50
    # functions are benches/compile_time.sh's crate.
    TUPLE_IF_P = 0.0

    def __init__(self, rng, name, callees):
        self.rng = rng
        # Early exits out of values (`value_exit`): their own generator.
        self.xrng = random.Random("value exits " + name)
        # Tuples bound from an `if` (`let_if`): theirs.
        self.trng = random.Random("tuple values " + name)
        self.name = name
        self.callees = callees
        self.rs = []
        self.py = []
        self.ind = 1
        self.count = 0
        self.scopes = [[]]  # names declared in each open block
        self.scalars = []  # visible f64 names
        self.muts = set()  # assignable f64 names
        self.ints = []  # visible integer names
        self.arrays = []  # visible arrays (Array)
        self.loops = []  # kinds of the enclosing loops: 'for' or 'counted'
        self.used = set()  # names read somewhere
        self.call_depth = 0
        self.n_calls = 0
        self.top_written = []  # top-level scalars in order of last write

    # ----- output ------------------------------------------------------------

    def emit(self, rs, py=None):
        if rs is not None:
            self.rs.append("    " * self.ind + rs)
        if py is not None:
            self.py.append("    " * self.ind + py)

    def fresh(self, prefix="u"):
        self.count += 1
        return prefix + str(self.count)

    def r(self):
        return self.rng.random()

    def pick(self, xs):
        return self.rng.choice(xs)

    def const(self, lo, hi, digits=2):
        while True:
            v = round(self.rng.uniform(lo, hi), digits)
            if v > 0:
                return v

    # ----- scopes ------------------------------------------------------------

    def declare_scalar(self, name, mutable):
        if name not in self.scalars:
            self.scalars.append(name)
            self.scopes[-1].append(("f", name))
        if mutable:
            self.muts.add(name)
        else:
            self.muts.discard(name)

    def declare_int(self, name):
        self.ints.append(name)
        self.scopes[-1].append(("k", name))

    def declare_array(self, arr):
        self.arrays.append(arr)
        self.scopes[-1].append(("a", arr))

    def push(self):
        self.scopes.append([])
        self.ind += 1

    def pop(self):
        for kind, x in self.scopes.pop():
            if kind == "f":
                self.scalars.remove(x)
                self.muts.discard(x)
            elif kind == "k":
                self.ints.remove(x)
            else:
                self.arrays.remove(x)
        self.ind -= 1

    @property
    def top(self):
        return len(self.scopes) == 1

    def wrote(self, name):
        if self.top:
            if name in self.top_written:
                self.top_written.remove(name)
            self.top_written.append(name)

    # ----- integer expressions -------------------------------------------------

    def int_leaf(self):
        if self.ints and self.r() < 0.8:
            name = self.pick(self.ints)
            self.used.add(name)
            return ivar(name)
        return ilit(self.rng.randint(0, 3))

    def index(self, arr, write=False):
        """An in-bounds index into `arr`. For a write `v[i] op= ...` into a
        Vec, `i` must not borrow `v` (`v[1 % v.len()] += ...` does not
        compile): its length is then read elsewhere."""
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
        return ilit(self.rng.randint(0, 2))

    def int_var(self):
        name = self.pick(self.ints)
        self.used.add(name)
        return ivar(name)

    def int_cond(self):
        """An inactive condition: (rust, python)."""
        a = self.int_var()
        ra = a.rs if a.prec >= MUL else "(" + a.rs + ")"
        choice = self.rng.randint(0, 3)
        if choice == 0:
            v = self.rng.randint(0, 2)
            return "{} > {}".format(a.rs, v), "({} > {})".format(a.py, v)
        if choice == 1:
            m = self.rng.randint(2, 3)
            v = self.rng.randint(0, m - 1)
            return "{} % {} == {}".format(ra, m, v), "({} % {} == {})".format(a.py, m, v)
        if choice == 2:
            v = self.rng.randint(0, 3)
            return "{} == {}".format(a.rs, v), "({} == {})".format(a.py, v)
        v = self.rng.randint(1, 3)
        return "{} < {}".format(a.rs, v), "({} < {})".format(a.py, v)

    # ----- scalar expressions ------------------------------------------------

    def leaf(self):
        opts = []
        if self.scalars:
            opts += ["var"] * 8
        if self.arrays:
            opts += ["arr"] * 4
        if self.ints:
            opts += ["cast"]
        opts += ["lit"]
        kind = self.pick(opts)
        if kind == "var":
            name = self.pick(self.scalars)
            self.used.add(name)
            return var(name)
        if kind == "arr":
            arr = self.pick(self.arrays)
            self.used.add(arr.name)
            i = self.index(arr)
            return E(arr.name + "[" + i.rs + "]", ATOM, arr.name + "[" + i.py + "]", True)
        if kind == "cast":
            return cast(self.int_var())
        if self.r() < 0.1:
            return E("std::f64::consts::PI", ATOM, "math.pi", False)
        return lit(self.const(0.1, 2.0))

    def typed(self, e):
        """e, with a type Rust knows (`let u = 0.5;` then `u.sin()` does
        not compile)."""
        return e if e.typed else binop("*", e, self.param_leaf())

    def param_leaf(self):
        """An active parameter (never reassigned to a constant)."""
        opts = [n for n, kind in self.params if kind == "f" and n in self.scalars]
        if any(kind == "s" for _, kind in self.params):
            opts.append("x")
        name = self.pick(opts)
        self.used.add(name)
        if name == "x":
            arr = [a for a in self.arrays if a.name == "x"][0]
            i = self.index(arr)
            return E("x[" + i.rs + "]", ATOM, "x[" + i.py + "]", True)
        return var(name)

    def active_leaf(self):
        """A leaf that reads a variable or an array."""
        for _ in range(20):
            e = self.leaf()
            if e.reads:
                return e
        return self.leaf()

    def expr(self, depth):
        if depth <= 0 or self.r() < 0.2:
            return self.active_leaf() if self.r() < 0.85 else self.leaf()
        d = depth - 1
        kinds = [
            ("arith", 10),
            ("div", 3),
            ("smooth", 6),
            ("grow", 3),
            ("squashed", 3),
            ("positive", 5),
            ("acosh", 1),
            ("powi", 2),
            ("powf", 2),
            ("binary", 3),
            ("mul_add", 1),
            ("kink", 2),
            ("scale", 2),
            ("neg", 1),
        ]
        if self.callees and self.n_calls < 2:
            kinds.append(("call", 2))
        kind = self.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        if kind == "arith":
            return binop(self.pick("+-*"), self.expr(d), self.expr(d))
        if kind == "div":
            return binop("/", self.expr(d), self.positive(self.expr(d - 1)))
        if kind == "smooth":
            f = self.pick(["sin", "cos", "atan", "asinh", "tanh"])
            return method(f, self.expr(d), static=self.r() < 0.1)
        if kind == "grow":
            f = self.pick(["exp", "exp2", "exp_m1", "sinh", "cosh"])
            a = self.expr(d)
            if self.r() < 0.5:
                a = self.bounded(a)
            return method(f, a, static=self.r() < 0.1)
        if kind == "squashed":
            f = self.pick(["asin", "acos", "atanh", "tan"])
            return method(f, self.squash(self.expr(d)), static=self.r() < 0.1)
        if kind == "positive":
            f = self.pick(["ln", "log2", "log10", "sqrt", "cbrt", "recip", "ln_1p", "log"])
            p = self.positive(self.expr(d))
            if f == "log":
                if self.r() < 0.5:
                    base = lit(self.pick([2.0, 3.0, 10.0, 0.5]))
                else:
                    base = binop("+", powi(self.expr(d - 1), 2), lit(self.const(1.5, 3.0)))
                return method("log", p, base)
            return method(f, p, static=self.r() < 0.1)
        if kind == "acosh":
            a = self.expr(d)
            if self.r() < 0.5:
                p = binop("+", powi(a, 2), lit(self.const(1.3, 2.5)))
            else:
                p = binop("+", method("cosh", a), lit(self.const(0.3, 1.0)))
            return method("acosh", p)
        if kind == "powi":
            n = self.pick([2, 2, 3, 3, 4, 1, 0, -1, -2])
            a = self.expr(d)
            if n < 0:
                a = self.positive(a)
            return powi(a, n)
        if kind == "powf":
            c = self.r()
            if c < 0.4:
                return method("powf", self.positive(self.expr(d)), self.bounded(self.expr(d - 1)))
            if c < 0.7:
                return method("powf", self.positive(self.expr(d)), lit(self.const(0.3, 2.5)))
            return method("powf", lit(self.const(0.5, 2.5)), self.bounded(self.expr(d)))
        if kind == "binary":
            f = self.pick(["hypot", "atan2", "hypot2"])
            if f == "hypot":
                return method("hypot", self.expr(d), self.positive(self.expr(d - 1)))
            if f == "hypot2":
                return method("hypot", self.expr(d), lit(self.const(0.3, 2.0)))
            return method("atan2", self.expr(d), self.positive(self.expr(d - 1)))
        if kind == "mul_add":
            return method("mul_add", self.expr(d), self.expr(d - 1), self.expr(d - 1))
        if kind == "kink":
            f = self.pick(["abs", "max", "min", "clamp", "signum"])
            a = self.expr(d)
            if f == "abs":
                return method("abs", a)
            if f in ("max", "min"):
                b = self.expr(d - 1) if self.r() < 0.6 else lit(self.const(0.1, 1.0))
                return method(f, a, b)
            if f == "clamp":
                lo = self.const(0.2, 1.0)
                return method("clamp", a, neg(lit(lo)), lit(self.const(0.2, 1.5)))
            return binop("*", method("signum", a), self.expr(d - 1))
        if kind == "scale":
            return binop("*", lit(self.const(0.1, 1.5)), self.expr(d))
        if kind == "neg":
            return neg(self.expr(d))
        return self.call()

    def bounded(self, e):
        """e squashed into [-c, c] with c <= 1.5."""
        c = self.r()
        if c < 0.35:
            return method("tanh", e)
        if c < 0.6:
            return method("sin", e)
        if c < 0.8:
            return binop("*", lit(self.const(0.3, 1.5)), method("cos", e))
        return method("atan", e)

    def squash(self, e):
        """e squashed into (-0.9, 0.9)."""
        c = self.r()
        if c < 0.4:
            return binop("*", lit(self.const(0.3, 0.9)), method("tanh", e))
        if c < 0.7:
            return binop("*", method("sin", e), lit(self.const(0.3, 0.9)))
        return binop("*", lit(self.const(0.3, 0.9)), method("cos", e))

    def positive(self, e):
        """e made positive (at least about 0.3)."""
        c = self.r()
        if c < 0.4:
            return binop("+", binop("*", e, e) if e.prec == ATOM and self.r() < 0.5 else powi(e, 2),
                         lit(self.const(0.3, 2.0)))
        if c < 0.55:
            return method("exp", self.bounded(e))
        if c < 0.7:
            return method("cosh", self.bounded(e))
        if c < 0.85:
            return binop("+", lit(self.const(1.3, 2.5)), method("sin", e))
        return method("hypot", e, lit(self.const(0.4, 1.5)))

    def factor(self):
        """A bounded multiplier for `t *= ...` in loops."""
        e = self.expr(1)
        c = self.r()
        if c < 0.3:
            return method("sin", e)
        if c < 0.5:
            return method("tanh", e)
        if c < 0.8:
            return binop("+", lit(self.const(0.4, 0.8)), binop("*", lit(self.const(0.1, 0.4)), method("cos", e)))
        return e

    def call(self):
        g = self.pick(self.callees)
        self.n_calls += 1
        self.call_depth = max(self.call_depth, g.call_depth + 1)
        args = []
        for _, kind in g.params:
            if kind == "k":
                args.append(self.int_leaf())
            else:
                args.append(self.expr(1))
        return E(
            g.name + "(" + ", ".join(a.rs for a in args) + ")",
            ATOM,
            g.name + "(" + ", ".join(a.py for a in args) + ")",
            True,
        )

    def active_cond(self):
        """A condition on active values: (rust, python)."""
        a = self.expr(self.rng.randint(0, 2))
        if not a.reads:
            a = self.active_leaf()
        if self.r() < 0.3 and self.scalars:
            b = self.active_leaf()
        else:
            b = lit(self.const(0.05, 0.8))
            if self.r() < 0.4:
                b = neg(b)
        op = self.pick([">", "<"])
        # `i as f64 < b` would parse `f64<` as generic arguments.
        rs = par(a, UNARY) + " " + op + " " + b.rs
        py = ("gt" if op == ">" else "lt") + "(" + a.py + ", " + b.py + ")"
        if self.ints and self.r() < 0.15:
            irs, ipy = self.int_cond()
            if self.r() < 0.5:
                return rs + " && " + irs, "(" + py + " and " + ipy + ")"
            return irs + " || " + rs, "(" + ipy + " or " + py + ")"
        return rs, py

    def cond(self):
        if self.ints and self.r() < 0.35:
            return self.int_cond()
        return self.active_cond()

    # ----- statements --------------------------------------------------------

    def let(self, e, name=None, mutable=False, annotate=False):
        if name is None:
            name = self.fresh()
        mut = "mut " if mutable else ""
        # A literal's type is only known from later uses, too late for a
        # method call on it: annotate it.
        ty = ": f64" if annotate or not e.typed else ""
        self.emit("let {}{}{} = {};".format(mut, name, ty, e.rs), "{} = chk({})".format(name, e.py))
        self.declare_scalar(name, mutable)
        self.wrote(name)
        return name

    def assign(self, name, op, e):
        if op == "=":
            self.emit("{} = {};".format(name, e.rs), "{} = chk({})".format(name, e.py))
        else:
            self.emit("{} {}= {};".format(name, op, e.rs), "{} = chk({} {} {})".format(name, name, op, e.py))
        self.wrote(name)

    def ensure_mut(self):
        if not self.muts:
            init = self.expr(1) if self.r() < 0.6 else lit(self.pick([0.0, 1.0, 0.5]))
            self.let(init, mutable=True)
        return self.pick(sorted(self.muts))

    def update(self, name=None):
        """An update of a mutable scalar."""
        if name is None:
            name = self.ensure_mut()
        c = self.r()
        if c < 0.3:
            self.assign(name, "+", self.expr(2))
        elif c < 0.4:
            self.assign(name, "-", self.expr(2))
        elif c < 0.6:
            self.assign(name, "*", self.factor())
        elif c < 0.67:
            self.assign(name, "/", self.positive(self.expr(1)))
        elif c < 0.87:
            k = self.bounded(self.expr(1)) if self.r() < 0.4 else lit(self.const(0.2, 0.9))
            self.assign(name, "=", binop("+", binop("*", var(name), k), self.expr(2)))
            self.used.add(name)
        else:
            inner = binop(self.pick("+*"), var(name), self.expr(1))
            self.assign(name, "=", binop("+", method(self.pick(["sin", "tanh", "atan"]), inner), self.expr(1)))
            self.used.add(name)
