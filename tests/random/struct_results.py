"""The `structs` family's second batch: struct results and local structs
(`ResultGen`); see `structs.py`."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from struct_gen import *  # noqa: E402,F401,F403


# ----------------------------------------------------------------------------
# The second batch: struct results and local structs
# ----------------------------------------------------------------------------
#
# RESULTS_N_FUNCS more functions (`r000`, ...), drawn after the first batch
# from a random.Random of their own (RESULTS_SEED), so the first batch stays
# what it was. Besides everything above, a function of this batch may return
# a struct (`-> Q`, `-> P`: a struct literal built from active values, fields
# of parameters, a configuration field carried `n: p.n` or computed `n: p.n +
# 1`, a nested `inner: Q { .. }` or `inner: h(..)`), take a second active
# struct `s: &Q` or `s: &P` (a state), and keep local structs (`let mut s1 =
# h(&s, p, ..);`, `let mut s1 = Q { c: p.a, d: [..] };`) overwritten in loops
# and branches (`s1 = h(&s1, p);`, `s1 = Q { .. };`), read by field wherever
# values are read (`s1.c`, `s1.d[i]`, `0..s1.n`, `s1.n as f64`) and passed to
# helpers (`g(&s1)`, `g(&s1.inner)`, `g(&s1.v)`, `g(s1.w)`).

RESULTS_SEED = STRUCTS_SEED + 1
RESULTS_N_FUNCS = 40
RESULTS_MAX_LINES = 38
RESULTS_MAX_STRUCT_CALLS = 3

# (Fixed, switch off.) A tuple-struct literal `T(e0, [..])` in a differentiated function: taken
# for a call of a function `T` (E0425 "cannot find function `__ad_vjp_T`",
# "`ht` calls `T`, which has no derivatives"). With the switch, no function
# returns a `T` and no `T` is built.
EXCLUDE_TUPLE_STRUCT_LITERAL = False
# (Fixed, switch off: a local struct's field is read as a copy.) An
# elementary function of a field of a local struct (`let s = h(p);
# f64::sin(s.c)`, `s.c.tanh()`, `s.d[0].sin()`, for a local bound from a
# helper or a literal, overwritten or not): E0308 "expected `f64`, found
# `&f64`", E0277 "the trait bound `&f64: Real` is not satisfied", "`ad` has no
# rule for the product `f64 * &f64`" (the same call on a field of a parameter
# struct, `p.inner.c.tanh()`, works, and so does `(s.c + s.d[0]).sin()`).
# With the switch, a field of a local struct read as a leaf is scaled
# (`1.0 * s.c`), so an elementary function never gets the bare field.
EXCLUDE_METHOD_ON_LOCAL_FIELD = False
# A local struct overwritten in a branch (`let mut s = Q { c: p.c, d: [..]
# }; if p.c > 0.0 { s = Q { .. }; }`, or `s = h(&s);` in the branch): E0277
# "the trait bound `Q: Default` is not satisfied" at the attribute (the same
# overwrite in a loop compiles); the same for a local struct in a function
# with an early `return` before it (`if .. { return u2; } let mut s3 =
# h(p); for .. { s3 = h2(&s3, p); }`). With the switch, local structs are
# overwritten in loops only, and functions with a local struct and a
# `return` are redrawn.
EXCLUDE_LOCAL_STRUCT_IN_BRANCH = True
# (Fixed, switch off: no borrow of a local's field outlives it.) A field of
# a local struct read before the local is overwritten (`let mut
# s = h(p); let u = s.c * 2.0; for _ in 0..2 { s = h2(&s); }`): E0506
# "cannot assign to value because it is borrowed" at the attribute and at
# `s = ..` (the macro's borrow of the field, `let s_c = &s.c;`, outlives
# the assignment). With the switch, a local struct is overwritten right after
# its binding and not after reads of its fields.
EXCLUDE_READ_BEFORE_OVERWRITE = False
# (Fixed, switch off: zeros of temporaries of loops.) A struct literal of
# active values passed to a helper's active struct
# parameter (`s = h(&s, &Q { c: s.c.sin(), d: s1.d });`): E0277 "the trait
# bound `Q: ad::__rt::AddTo<{float}>` is not satisfied", E0610 "`{float}` is
# a primitive type and therefore doesn't have fields" at the literal's
# fields. With the switch, active struct arguments are struct values.
EXCLUDE_STRUCT_LITERAL_ARG = False
# (Fixed, switch off.) A constant slice literal passed to a helper that
# returns a struct, in the
# loop that overwrites a local with it (`for .. { s1 = h(s1.w.to_vec(),
# &[0.79, 0.96, 0.23], &s1); }`): E0277 "the trait bound `&[f64; 3]:
# Default` is not satisfied" at the attribute. With the switch, such calls
# in loops do not take helpers with a slice parameter left out of `wrt`.
EXCLUDE_SLICE_LITERAL_ARG_IN_LOOP = False
# (Fixed, switch off: an index read in the statement that overwrites its
# struct was recomputed from the new value, `d[s.n % 2]` in `s = S { .. }`;
# regression test `indices_from_the_value_a_statement_overwrites`.)
# SILENTLY WRONG: a local struct overwritten in a loop by a struct literal
# that reads its own fields (`for i0 in 0..2 { s1 = P { a: ((1.0 *
# s1.inner.d[..]).powi(2) + 0.31).powi(-2), .., inner: Q { c: ..,
# d: s1.inner.d }, n: s1.n + 1 }; u2 = u2 * 0.53 + s1.b * ..; }`, r003 of
# the second batch): forward mode agrees with finite differences, reverse
# mode does not (`_vjp`, `_grad`: gradient entries off by 30x, <J t, c> !=
# <t, J^T c>). Smaller forms (`s = Q { c: s.c * s.d[0], d: s.d };` in a
# loop) do not compile: E0506 "cannot assign to value because it is
# borrowed". With the switch, a literal that overwrites a local struct does
# not read that local. (Still open after the fixes above: r003 now passes,
# but with the switch off r017, r034 and r036 of the second batch fail the
# same way: each overwrites a local struct in a loop by a literal that reads
# that local and calls a struct helper (`inner: r004(.., &s2.w, ..)`,
# `w: s2.w`); the small forms above now compile and are right.)
EXCLUDE_SELF_LITERAL_OVERWRITE = False
# (Fixed, switch off: `vec!` in code kept verbatim.) `vec![..]` of constants
# in a struct literal of constants (`let s = P { v:
# vec![0.5, 0.0, 0.0, 1.0], .. };`, the literal inactive): "macros are not
# supported in a differentiated function" (the same `vec!` of active values
# in an active literal compiles). With the switch, such a field is written
# `[0.5, ..].to_vec()`.
EXCLUDE_VEC_MACRO_IN_INACTIVE_LITERAL = False

RESULT_DECLS = """\
// ----- struct results (the second batch) -------------------------------------

/// A `P` result as outputs of the map: its flat view, then its
/// configuration count (which the Python twin computes too).
fn out_p(r: &P) -> Vec<f64> {
    let mut y = r.to_flat();
    y.push(r.n as f64);
    y
}

/// A `P` result and its tangent as outputs; the tangent carries the
/// result's configuration count.
fn out_p2(r: &P, dr: &P) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(dr.n, r.n, "the configuration field of a tangent result");
    let mut dy = dr.to_flat();
    dy.push(0.0);
    (out_p(r), dy)
}

/// A `Q` or `T` result and its tangent as outputs.
fn out2<S: Differentiable<Scalar = f64>>(r: &S, dr: &S) -> (Vec<f64>, Vec<f64>) {
    (r.to_flat(), dr.to_flat())
}

/// The cotangent of a struct result from the output cotangent `c` (a `P`'s
/// count, the last output, has none): the result's configuration, active
/// fields from `c`.
fn dout<S: Differentiable<Scalar = f64> + Clone>(r: &S, c: &[f64]) -> S {
    let mut o = r.clone();
    o.copy_from_flat(&c[..r.to_flat().len()]);
    o
}

"""


class ResultSpec(StructSpec):
    def __init__(self, name, params, rust, python, call_depth, tags, out):
        super().__init__(name, params, rust, python, call_depth, tags, False)
        self.out = out
        self.copied = False

    @property
    def scalar(self):
        return self.out is None

    def ny(self):
        if self.out is None:
            return 1
        return flat_size(self.out) + (1 if self.out == "P" else 0)


def flatten(v, ty):
    """The flat view of the twin's struct `v` of type `ty` (`to_flat`)."""
    out = []
    for name, kind, _ in LAYOUT[ty]:
        x = getattr(v, py_field(name))
        if kind in LAYOUT:
            out += flatten(x, kind)
        elif kind == "f":
            out.append(x)
        elif kind not in SKIPPED:
            out += list(x)
    return out


class ResultGen(StructGen):
    def __init__(self, rng, name, callees):
        super().__init__(rng, name, callees)
        self.out = None  # the result's struct type, or None for f64
        self.locals = []  # (name, type) of local structs
        self.struct_params = []  # (name, type) of active struct parameters
        self.want_out = None  # the result type of the callees `call` may pick
        self.prefer = None  # the struct value `struct_arg` passes if it can
        self.n_struct_calls = 0

    # ----- struct values ------------------------------------------------------------

    def struct_values(self, ty):
        """The struct values of type `ty`: active struct parameters, local
        structs and their nested structs; (rust of a borrow, python)."""
        out = []
        for name, t in self.struct_params + self.locals:
            local = (name, t) in self.locals
            if t == ty:
                out.append((name if not local else "&" + name, name))
            if t == "P" and ty == "Q":
                out.append(("&" + name + ".inner", name + ".inner"))
        return out

    def is_local(self, rs):
        return any(rs.startswith(n + ".") for n, _ in self.locals)

    def lread(self, rs, py):
        """A read of a field (or element of a field) of a local struct."""
        return E(rs, ATOM, py, True)

    def leaf(self):
        e = super().leaf()
        if EXCLUDE_METHOD_ON_LOCAL_FIELD and self.is_local(e.rs):
            return binop("*", lit(1.0), e)
        return e

    def expose_local(self, base, ty):
        for name, kind, length in LAYOUT[ty]:
            full = base + "." + name
            if kind in LAYOUT:
                self.expose_local(full, kind)
            elif kind == "n":
                self.declare_int(full)
                self.counts.append(full)
            elif kind == "f" or kind == "cf":
                self.declare_scalar(full, False)
            elif kind == "ca":
                self.declare_array(Array(full, length, full + ".len()", False))
            else:
                self.declare_array(Array(full, length, full + ".len()", False))
                self.field_arrays[full] = (length, kind)

    # ----- calls -----------------------------------------------------------------

    def feasible(self, g, inject):
        if getattr(g, "out", None) != self.want_out:
            return False
        if g.method:
            return super().feasible(g, inject)
        if inject is not None and not any(p.kind == "f" and p.active for p in g.params):
            return False
        for p in g.params:
            if p.struct and p.active and (self.copied or (p.kind != "Q" or EXCLUDE_STRUCT_LITERAL_ARG)
                                          and not self.struct_values(p.kind)):
                return False
            if p.kind == "s" and not p.active and self.loops and self.want_out and EXCLUDE_SLICE_LITERAL_ARG_IN_LOOP:
                return False
        return True

    def struct_arg(self, p):
        if not p.active:
            return super().struct_arg(p)
        cands = self.struct_values(p.kind)
        pref = [c for c in cands if c[1] == self.prefer]
        if pref:
            rs, py = pref[0]
        elif p.kind == "Q" and (not cands or self.r() < 0.15) and not EXCLUDE_STRUCT_LITERAL_ARG:
            lit_ = self.struct_lit("Q")
            self.ftag("struct literal of active values passed to a helper `g(&Q { .. })`")
            return E("&" + lit_.rs, ATOM, lit_.py, True)
        else:
            rs, py = self.pick(cands)
        root = py.split(".")[0]
        self.used.add(root)
        if any(root == n for n, _ in self.locals):
            self.ftag("local struct passed to a helper `g(&s1)`" if "." not in py
                      else "nested struct of a local passed to a helper `g(&s1.inner)`")
        elif "." in py:
            self.ftag("nested struct passed to a helper `h(&p.inner)`")
        else:
            self.ftag("struct passed to a helper `h(p)`")
        return E(rs, ATOM, py, True)

    def expr(self, depth):
        # (a call in an argument of a struct-returning call returns f64)
        saved = self.want_out, self.prefer
        self.want_out = self.prefer = None
        try:
            return super().expr(depth)
        finally:
            self.want_out, self.prefer = saved

    def struct_call(self, ty, prefer=None):
        """A call of a helper returning a `ty`, or None."""
        if self.n_struct_calls >= RESULTS_MAX_STRUCT_CALLS:
            return None
        self.want_out, self.prefer = ty, prefer
        try:
            if not any(self.feasible(g, None) for g in self.callees):
                return None
            self.n_struct_calls += 1
            self.ftag("call of a helper returning a struct `s1 = h(&s1, p)`")
            return self.call()
        finally:
            self.want_out, self.prefer = None, None

    # ----- struct literals -----------------------------------------------------------

    def field_value(self, name, kind, length, ty):
        """The value of one field of a struct literal: (rust, python)."""
        if kind in LAYOUT:
            if self.r() < 0.3:
                e = self.struct_call(kind)
                if e is not None:
                    self.ftag("nested field from a helper `inner: h(..)`")
                    return e.rs, e.py
            e = self.struct_lit(kind)
            return e.rs, e.py
        if kind == "n":
            c = self.r()
            if self.counts and c < 0.8:
                n = self.pick(self.counts)
                self.used.add(n)
                if c < 0.4:
                    self.ftag("configuration field computed `n: p.n + 1`")
                    return n + " + 1", n + " + 1"
                self.ftag("configuration field carried `n: p.n`")
                return n, n
            v = self.rng.randint(1, 3)
            return str(v), str(v)
        if kind in ("cf", "ca"):
            # a skipped float: carried from the active struct, or a constant
            cands = [f for f in self.skipped if f.endswith("." + name)]
            if cands and self.r() < 0.7:
                f = self.pick(cands)
                self.used.add(f)
                self.ftag("skipped float field carried `lam: p.lam`")
                return f, (f if kind == "cf" else "list(" + f + ")")
            return ("0.5", "0.5") if kind == "cf" else ("[0.25, 0.75]", "[0.25, 0.75]")
        if kind == "f":
            e = self.typed(self.expr(self.pick([1, 2])))
            return e.rs, "chk(" + e.py + ")"
        if self.r() < 0.4:
            # an array of the same length, copied
            cands = [a.name for a in self.arrays if a.length == length and (
                self.field_arrays.get(a.name, (0, ""))[1] == kind
                or any(q.name == a.name and q.kind in (("a",) if kind == "a" else ("s", "v")) for q in self.wparams))]
            if cands:
                a = self.pick(cands)
                self.used.add(a)
                self.ftag("array copied into a field of a struct literal")
                if kind == "a":
                    return a, "list(" + a + ")"
                how = ".clone()" if self.field_arrays.get(a, (0, ""))[1] == "v" or any(
                    q.name == a and q.kind == "v" for q in self.wparams) else ".to_vec()"
                return a + how, "list(" + a + ")"
        es = self.vals(length, True)
        body = ", ".join(e.rs for e in es)
        py = "[" + ", ".join("chk(" + e.py + ")" for e in es) + "]"
        return ("vec![" if kind == "v" else "[") + body + "]", py

    def struct_lit(self, ty, first=None):
        """A struct literal of type `ty` (`first`: an E for its first f64
        field)."""
        rs, py = [], []
        for name, kind, length in LAYOUT[ty]:
            if first is not None and kind == "f":
                r, p = first.rs, "chk(" + first.py + ")"
                first = None
            else:
                r, p = self.field_value(name, kind, length, ty)
            rs.append((name, r))
            py.append("{}={}".format(py_field(name), p))
        if ty == "T":
            rust = "T(" + ", ".join(r for _, r in rs) + ")"
        else:
            rust = ty + " { " + ", ".join("{}: {}".format(n, r) for n, r in rs) + " }"
        return E(rust, ATOM, "S(" + ", ".join(py) + ")", True)

    def lit_types(self):
        return ["Q", "P"] + ([] if EXCLUDE_TUPLE_STRUCT_LITERAL else ["T"])

    # ----- local structs -------------------------------------------------------------

    def field_read(self, name, ty, i=None):
        """A read of a float field of the local `name`: an E."""
        leaves = []

        def walk(base, t):
            for f, kind, length in LAYOUT[t]:
                if kind in LAYOUT:
                    walk(base + "." + f, kind)
                elif kind == "f":
                    leaves.append((base + "." + f, None))
                elif kind not in SKIPPED:
                    leaves.append((base + "." + f, length))
        walk(name, ty)
        f, length = self.pick(leaves)
        self.used.add(name)
        if length is None:
            return self.lread(f, f)
        j = ibin("%", i, ilit(length)) if i is not None else ilit(self.rng.randint(0, length - 1))
        return self.lread("{}[{}]".format(f, j.rs), "{}[{}]".format(f, j.py))

    def local_term(self, name, ty, i=None):
        """An expression of the fields of the local `name`."""
        a = self.field_read(name, ty, i)
        c = self.r()
        if c < 0.3:
            self.ftag("field of a local struct in arithmetic `s1.c * s1.d[1]`")
            return binop(self.pick("*+-"), a, self.field_read(name, ty, i))
        if c < 0.6:
            self.ftag("field of a local struct through an elementary function `s1.c.sin()`")
            if EXCLUDE_METHOD_ON_LOCAL_FIELD:
                a = binop("*", lit(1.0), a)
            return method(self.pick(["sin", "tanh", "atan", "cos", "exp"]) if c < 0.5 else "sin", a)
        if c < 0.75 and any(n.startswith(name + ".") for n in self.counts):
            n = [n for n in self.counts if n.startswith(name + ".")][0]
            self.ftag("configuration count of a local struct `s1.n as f64`")
            return binop("*", a, cast(ivar(n)))
        self.ftag("field of a local struct in arithmetic `s1.c * s1.d[1]`")
        return binop("*", a, self.expr(1))

    def new_value(self, name, ty):
        """A new value for the local `name`: (rust, python)."""
        if self.r() < 0.7:
            e = self.struct_call(ty, prefer=name)
            if e is not None:
                return e
        self.ftag("local struct overwritten by a struct literal")
        if not EXCLUDE_SELF_LITERAL_OVERWRITE:
            return self.struct_lit(ty)
        # the literal does not see the local's fields
        pre = name + "."
        saved = list(self.scalars), list(self.arrays), list(self.ints), list(self.counts)
        self.scalars[:] = [x for x in self.scalars if not x.startswith(pre)]
        self.arrays[:] = [a for a in self.arrays if not a.name.startswith(pre)]
        self.ints[:] = [x for x in self.ints if not x.startswith(pre)]
        self.counts[:] = [x for x in self.counts if not x.startswith(pre)]
        hidden = self.locals
        self.locals = [x for x in self.locals if x[0] != name]
        try:
            return self.struct_lit(ty)
        finally:
            self.scalars[:], self.arrays[:], self.ints[:], self.counts[:] = saved
            self.locals = hidden

    def local_stmt(self):
        """A local struct: bound from a helper or a literal, then
        overwritten in a loop or a branch and read by field."""
        ty = self.pick(self.lit_types())
        name = self.fresh("s")
        c = self.r()
        e = None
        if c < 0.55:
            e = self.struct_call(ty)
        if e is None and c < 0.8:
            self.ftag("local struct bound from a struct literal of active values")
            e = self.struct_lit(ty)
        if e is None:
            self.ftag("local struct bound from a struct literal of constants")
            e = self.const_lit(ty)
        self.emit("let mut {} = {};".format(name, e.rs), "{} = {}".format(name, e.py))
        self.locals.append((name, ty))
        self.expose_local(name, ty)
        if self.r() < 0.85 or EXCLUDE_READ_BEFORE_OVERWRITE:
            self.overwrite_stmt(name, ty)

    def const_lit(self, ty):
        rs, py = [], []
        for f, kind, length in LAYOUT[ty]:
            if kind in LAYOUT:
                e = self.const_lit(kind)
                r, p = e.rs, e.py
            elif kind == "n":
                v = self.rng.randint(1, 3)
                r = p = str(v)
            elif kind == "cf":
                r = p = "0.5"
            elif kind == "ca":
                r, p = "[0.25, 0.75]", "[0.25, 0.75]"
            elif kind == "f":
                r = p = repr(self.pick([0.0, 0.5, 1.0]))
            else:
                vs = [repr(self.const(0.1, 1.0)) for _ in range(length)]
                r = ("vec![" if kind == "v" else "[") + ", ".join(vs) + "]"
                if kind == "v" and EXCLUDE_VEC_MACRO_IN_INACTIVE_LITERAL:
                    r = "[" + ", ".join(vs) + "].to_vec()"
                p = "[" + ", ".join(vs) + "]"
            rs.append((f, r))
            py.append("{}={}".format(py_field(f), p))
        if ty == "T":
            return E("T(" + ", ".join(r for _, r in rs) + ")", ATOM, "S(" + ", ".join(py) + ")", True)
        return E(ty + " { " + ", ".join("{}: {}".format(n, r) for n, r in rs) + " }", ATOM,
                 "S(" + ", ".join(py) + ")", True)

    def overwrite_stmt(self, name, ty):
        c = self.r()
        if (c < 0.6 or EXCLUDE_LOCAL_STRUCT_IN_BRANCH) and len(self.loops) < 2:
            self.ftag("local struct overwritten in a loop")
            acc = self.let(lit(0.0), mutable=True) if self.r() < 0.7 else None
            if self.counts and self.r() < 0.3:
                n = self.pick(self.counts)
                self.used.add(n)
                rs, py, v = "for {} in 0..{} {{".format("i" + str(len(self.loops)), n), \
                    "for {} in range(0, {}):".format("i" + str(len(self.loops)), n), "i" + str(len(self.loops))
            else:
                m = self.rng.randint(2, 4)
                v = "i" + str(len(self.loops))
                rs, py = "for {} in 0..{} {{".format(v, m), "for {} in range(0, {}):".format(v, m)
            self.open_block(rs, py, "for", v)
            e = self.new_value(name, ty)
            self.emit("{} = {};".format(name, e.rs), "{} = {}".format(name, e.py))
            if acc is not None:
                t = self.local_term(name, ty, ivar(v) if self.r() < 0.5 else None)
                if self.r() < 0.5:
                    self.assign(acc, "+", t)
                else:
                    self.assign(acc, "=", binop("+", binop("*", var_(acc), lit(self.const(0.2, 0.9))), t))
                self.used.add(acc)
            self.close_block(loop=True)
            if acc is not None:
                self.wrote(acc)
        elif not EXCLUDE_LOCAL_STRUCT_IN_BRANCH:
            self.ftag("local struct overwritten in a branch")
            if self.r() < 0.6:
                rs, py = self.active_only_cond()
            else:
                rs, py = self.inactive_cond() or self.active_only_cond()
            self.open_block("if " + rs + " {", "if " + py + ":")
            e = self.new_value(name, ty)
            self.emit("{} = {};".format(name, e.rs), "{} = {}".format(name, e.py))
            if self.r() < 0.5:
                self.pop()
                self.emit("} else {", "else:")
                self.push()
                e = self.struct_lit(ty)
                self.emit("{} = {};".format(name, e.rs), "{} = {}".format(name, e.py))
            self.close_block()
        if self.r() < 0.6:
            self.let(self.local_term(name, ty))

    def local_use_stmt(self):
        """A local struct read by field or overwritten again."""
        name, ty = self.pick(self.locals)
        if self.r() < 0.4 and self.top and not EXCLUDE_READ_BEFORE_OVERWRITE:
            self.overwrite_stmt(name, ty)
        else:
            self.let(binop("+", self.local_term(name, ty), self.expr(1)))

    def stmt(self, nested, loop_ok=True):
        if self.locals and self.r() < 0.12 and len(self.scopes) < 4:
            name, ty = self.pick(self.locals)
            self.let(self.local_term(name, ty))
            return
        super().stmt(nested, loop_ok)

    def exit_stmt(self):
        if self.out is None:
            return super().exit_stmt()
        opts = ["return"]
        if self.loops:
            opts += ["break", "break"]
            if self.loops[-1] == "for":
                opts += ["continue", "continue"]
        kind = self.pick(opts)
        if kind == "return":
            e = self.struct_lit(self.out)
            self.ftag("early return of a struct literal")
            self.emit("return " + e.rs + ";", "return " + e.py)
        else:
            self.emit(kind + ";", kind)

    # ----- the function -------------------------------------------------------------

    def function(self):
        rng = self.rng
        self.out = rng.choices([None] + self.lit_types(), [4, 3, 3] + ([1] if len(self.lit_types()) > 2 else []))[0]
        self.sty = rng.choices(["P", "Q", "T"], [6, 2, 2])[0]
        self.sname = "p"
        sp = SParam("p", self.sty)
        sp.active = True
        params = [sp]
        if self.r() < (0.5 if self.out else 0.25):
            st = SParam("s", self.out or self.pick(["Q", "P"]))
            st.active = True
            params.append(st)
        for i in range(rng.choices([0, 1, 2], [3, 4, 2])[0]):
            params.append(SParam("ab"[i], "f"))
        if self.r() < 0.25:
            params.append(SParam("x", "s", rng.randint(3, 4)))
        if self.r() < 0.2:
            params.append(SParam("u", "a", rng.randint(3, 4)))
        if self.r() < 0.2:
            params.append(SParam("y", "v", rng.randint(3, 4)))
        if self.r() < 0.2:
            params.append(SParam("cfg", "Q"))
        if self.r() < 0.3:
            params.append(SParam("k", "k"))
        rng.shuffle(params)
        for p in params:
            if p.kind in ("f", "s", "a", "v"):
                p.active = self.r() < 0.4
                if p.kind != "s":
                    p.mut = self.r() < (0.4 if p.active else 0.6)
        self.cfg = any(p.name == "cfg" for p in params)
        self.wparams = params
        self.params = [(p.name, p.kind) for p in params]
        for p in params:
            if p.kind == "f":
                self.declare_scalar(p.name, p.mut)
                self.wrote(p.name)
            elif p.kind == "s":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", False))
            elif p.kind == "a":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", p.mut, ilen_(p.name)))
            elif p.kind == "v":
                self.declare_array(Array(p.name, p.length, p.name + ".len()", p.mut, ilit(p.length)))
            elif p.kind == "k":
                self.ints.append("k")
            elif p.active:
                self.expose(p.name, p.kind, True)
                self.struct_params.append((p.name, p.kind))
            else:
                self.expose(p.name, p.kind, False)

        special = [p for p in params if p.mut and self.r() < 0.6]
        seq = [None] * rng.randint(0, 1) + special + ["field"] * rng.randint(0, 1) + ["local"] * rng.randint(1, 2)
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif s == "field":
                self.field_stmt()
            elif s == "local":
                if self.locals and self.r() < 0.3:
                    self.local_use_stmt()
                else:
                    self.local_stmt()
            elif s.kind != "f" or s.name in self.muts:
                self.wrt_stmt(s)

        terms = self.tail_terms(params)
        for name, ty in self.locals:
            if name not in self.used or self.r() < 0.3:
                terms.append(self.local_term(name, ty))
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
        tail = None
        for t in shaped:
            tail = t if tail is None else binop(self.pick("+-*" if self.r() < 0.3 else "+-"), tail, t)
        if "k" in self.ints and "k" not in self.used:
            tail = binop("+", tail, binop("*", lit(0.1), cast(ivar("k"))))
        if self.out is None:
            self.emit(tail.rs, "return chk(" + tail.py + ")")
        else:
            e = self.struct_lit(self.out, first=tail)
            self.emit(e.rs, "return " + e.py)

        tags = self.tags
        tags.append("signature: `p: &{}`".format(self.sty))
        tags.append("result: {}".format("f64" if self.out is None else "struct `-> {}`".format(self.out)))
        for p in params:
            if p.kind in ("f", "s", "a", "v"):
                tags.append("signature: {} {}{}".format("active" if p.active else "left out of wrt:",
                                                       "mut " if p.mut else "", WHAT[p.kind]))
            elif p.name == "cfg":
                tags.append("signature: configuration struct `cfg: &Q` left out of wrt")
            elif p.name == "s":
                tags.append("signature: a second active struct `s: &{}`".format(p.kind))
        if self.call_depth:
            tags.append("calls (depth {})".format(self.call_depth))
        sig = ["{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()) for p in params]
        attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in params if p.active))
        rust = "{}\nfn {}({}) -> {} {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), self.out or "f64",
                                                        "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), to_python("\n".join(self.py)))
        spec = ResultSpec(self.name, params, rust, python, self.call_depth, tags, self.out)
        spec.locals = list(self.locals)
        return spec


def result_run(fn, spec, z, q, k):
    del G.TRACE[:]
    try:
        r = fn(*struct_args(spec, z, q, k))
        if spec.out is None:
            ys = [r]
        else:
            ys = flatten(r, spec.out) + ([float(r.n)] if spec.out == "P" else [])
        if any(not G.math.isfinite(y) or abs(y) > G.OUT_BOUND for y in ys):
            return None
    except (G.Bad, OverflowError, ZeroDivisionError):
        return None
    return ys, list(G.TRACE)
