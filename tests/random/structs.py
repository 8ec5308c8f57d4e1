#!/usr/bin/env python3
"""Randomized differential testing of parameter structs (issue 19): the
family `structs`, written to `tests/random_structs.rs`.

    python3 tests/random/structs.py      # from the repository root

A family of `tests/random/generate.py` (whose docstring explains how a family
is built: a Rust function and its Python twin, test points away from kinks
and branch thresholds, the checks), kept in a script of its own: it imports
the generator, its `WrtGen` statements and expressions, the twin's runtime,
the point finding of the `wrt` family and its test harness, and adds what is
new. Its own seed (STRUCTS_SEED) and random.Random, so it does not move when
the other families change; the output is the same byte for byte on every run.

The generated file declares three struct types deriving `ad::Differentiable`
once at the top,

    struct Q { c: f64, d: [f64; 2] }
    struct P { a: f64, b: f64, v: Vec<f64>, w: [f64; 3], inner: Q, #[ad(skip)] n: usize }
    struct T(f64, [f64; 3]);

and STRUCTS_N_FUNCS random functions, each with a struct parameter `p: &P`,
`p: &Q` or `p: &T` in `wrt(...)`, or a method `impl P { fn s(&self, ..) }`
differentiated `wrt(self, ..)`, beside some of: `f64` scalars, a slice
`&[f64]`, an array `[f64; N]` and a `Vec<f64>` (each in or out of `wrt`,
the last three `mut` some of the time and then written), a configuration
struct `cfg: &Q` left out of `wrt`, and an integer `k`. Bodies are the `wrt`
family's (arithmetic, every float method, branches on active and inactive
conditions, `match`, loops of every kind with loop-carried state, early
exits, local arrays, updates of `mut` parameters), and read the struct's
fields wherever they read values: `p.a`, `p.a.sin()`, `p.v[i % p.v.len()]`,
`p.inner.d[1]`, `p.0`, `p.1[i]`, loop bounds `0..p.v.len()` and `0..p.n`,
counts `p.n as f64`, conditions `if p.inner.c > 0.3`, `p.n % 2 == 1`, and
`match p.n % 3`. Fields are copied into `mut` locals that are then written
(`let mut w = p.w;`, `p.v.clone()`, `p.v.to_vec()`, `p.inner.d`), and passed
to earlier functions of the family (helpers, themselves differentiated):
`h(&p.v, p.a, x)`, `h(p.w)`, `h(&p.v[1..])`, `h(p.v.clone())`, `h(p)`,
`h(&p.inner)` for a helper over `&Q`, `p.s012(..)` and `self.s012(..)` for
methods, and a configuration struct `&Q { .. }` to a helper's `cfg`.

The test sees each function as the `wrt` family does: a map of flat vectors
z -> y, z the active inputs in parameter order, a struct flattened with
`to_flat` and rebuilt with `copy_from_flat` (its configuration field `n`
from the point's k), the inactive floats q (a `cfg` struct flattened too)
held fixed; the checks are that family's (twin, value, dot, jvp-fd, jac-fd,
vjp-fd, live, vjp, grad-fd, hvp-fd, hvp-grad, hvp-sym), and the
configuration field of every cotangent must be the primal's.

A second batch of RESULTS_N_FUNCS functions (`r000`, ..., `ResultGen`, its
own seed RESULTS_SEED, drawn after the first, which it leaves byte for byte
as it was) adds struct results (`-> Q`, `-> P` built by a struct literal
from active values, fields of parameters, `n: p.n` or `n: p.n + 1`, a nested
`inner: Q { .. }` or `inner: h(..)`), called by later functions, and local
structs bound from such helpers or from literals, overwritten in loops
(`s1 = h(&s1, p, ..)`) and read by field (`s1.c`, `s1.d[i]`, `0..s1.n`,
`s1.n as f64`, `g(&s1)`, `g(&s1.inner)`). A struct result is checked as a
vector output: y is its `to_flat()` (and a `P`'s count), J t from `_jvp`
(whose tangent must carry the result's count), J^T c from `_vjp` with the
cotangent struct rebuilt from c (`dout`).
"""

import argparse
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate as G  # noqa: E402
from generate import (  # noqa: E402
    ATOM, E, I, Array, WParam, WrtGen, WrtSpec, binop, cast, ibin, ilit, ivar, lit, method, neg, par, UNARY,
)

STRUCTS_SEED = 20251205
STRUCTS_N_FUNCS = 100
STRUCTS_OUT = os.path.join(G.ROOT, "tests", "random_structs.rs")
STRUCTS_MAX_LINES = 34
STRUCTS_MAX_CALLS = 3

# Switches to leave a construct out while the macro mishandles it (each one
# found a bug; the generated file's header lists those that are on). All
# nine bugs below are fixed and their switches off; each comment keeps the
# bug's reproducer, and tests/structs.rs or tests/regressions.rs a test:
#
# A configuration field of an active struct in an index (`p.v[p.n % 4]`,
# `x[p.n]`): "an index cannot depend on active values" (the loop index of
# `for i in 0..p.n` is fine).
EXCLUDE_CONFIG_INDEX = False
# A configuration field passed to a helper's integer parameter (`h(p.a,
# p.n)` for `#[differentiate(wrt(a))] fn h(a: f64, k: usize)`): taken for an
# active argument ("an argument that depends on the active inputs is passed
# to a parameter the called function leaves out of `wrt(...)`", `usize:
# Cotangent` not satisfied).
EXCLUDE_CONFIG_ARG = False
# An array or `Vec` field copied into a local (`let w = p.w;`,
# `p.v.clone()`) and read again after the copy (`p.w[0]`, `h(&p.w)`):
# E0368 "binary assignment operation `+=` cannot be applied to type
# `[f64; 3]`" in the generated code, at the copy. The same error for a copy
# after an early `return` (`if x < 0.3 { return x; } let w = p.d; w[0]`)
# and in a function with an early `return` after it (`if x < 0.3 { let w =
# p.d; return w[0]; }`), and for a copy followed by a call that is passed
# the whole struct (`let w = p.1; .. h(p)`). With the switch, a copied field
# is not read after its copy, the struct is not passed to helpers after a
# copy, and functions with a copy and a `return` are redrawn.
EXCLUDE_FIELD_READ_AFTER_COPY = False
# A differentiated method called on a struct parameter from another
# function (`p.m(x)` in `fn f(p: &P)`): "differentiation rule for method `m`
# is not implemented" (`self.m(x)` in a method of the same struct works).
# With the switch, methods are only called on `self`.
EXCLUDE_METHOD_CALL_ON_PARAM = False
# SILENTLY WRONG: a differentiated method called on `self` in another method
# differentiated `wrt(self)` (`self.m(2.0) + self.b` for `fn m(&self, x:
# f64) -> f64 { self.a * x }`): the derivative through the call is dropped,
# in every mode (`m2_grad` gives a: 0, b: 1 for a: 2, b: 1; `_jvp` along
# `a` gives 0), with no compile error. With the switch, methods are not
# called at all.
EXCLUDE_METHOD_CALL_ON_SELF = False
# A method differentiated with respect to `self` and more (`wrt(self, x)`)
# called as `self.m(y)` in another method: the call of its derivatives
# misses arguments (E0061 "this method takes 5 arguments but 4 arguments
# were supplied", `&f64: TangentRef<P>`, `P: AddTo<f64>`). With the switch,
# only methods `wrt(self)` are called.
EXCLUDE_METHOD_CALL_WRT_MORE = False
# A field passed by value to a helper: `h(p.w)` for `u: [f64; 3]`,
# `h(p.v.clone())` or `h(p.v.to_vec())` for `y: Vec<f64>`: the tangent is
# passed borrowed (E0308 "expected `Vec<f64>`, found `&Vec<f64>`",
# `&Vec<f64>: TangentFor<Vec<f64>>`).
EXCLUDE_FIELD_BY_VALUE_TO_HELPER = False
# A bare scalar field as an element of an array literal or `vec!`
# (`let w = [p.a, 2.0 * p.b];`): E0308 "expected `&f64`, found `f64`".
# With the switch, such an element is scaled (`p.a * 0.7`).
EXCLUDE_BARE_FIELD_IN_ARRAY_LITERAL = False
# A bare scalar field passed to a helper's active `f64` parameter
# (`h(p.a, 2.0)` for `#[differentiate(wrt(x))] fn h(x: f64, c: f64)`): its
# tangent is passed borrowed (E0308 "expected `f64`, found `&f64`",
# `&f64: TangentFor<f64>`). With the switch, such an argument is scaled.
EXCLUDE_BARE_FIELD_ARG = False

# ----------------------------------------------------------------------------
# The struct types: fields in declaration order (the flat order).
# ----------------------------------------------------------------------------

VEC_LEN = 4  # the length of `P::v` at the test points
LAYOUT = {
    # (field, kind, length): 'f' f64, 'a' [f64; N], 'v' Vec<f64>, 'Q' a
    # nested struct, 'n' a configuration count (#[ad(skip)] usize)
    "Q": [("c", "f", 1), ("d", "a", 2)],
    "P": [("a", "f", 1), ("b", "f", 1), ("v", "v", VEC_LEN), ("w", "a", 3), ("inner", "Q", 0), ("n", "n", 0)],
    "T": [("0", "f", 1), ("1", "a", 3)],
}

STRUCT_DECLS = """\
/// A nested struct of parameters.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Q {
    c: f64,
    d: [f64; 2],
}

/// The parameters: scalars, a `Vec`, an array, a nested struct and a
/// configuration count.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct P {
    a: f64,
    b: f64,
    v: Vec<f64>,
    w: [f64; 3],
    inner: Q,
    #[ad(skip)]
    n: usize,
}

/// A tuple struct.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct T(f64, [f64; 3]);

/// The configuration count `P::n` at a test point with integer `k`.
fn count(k: usize) -> usize {
    k % 3 + 2
}

/// A `P` of the point: its active fields from `z` (the flat order), `n`
/// from `k`.
fn p_at(z: &[f64], k: usize) -> P {
    let mut p = P {
        a: 0.0,
        b: 0.0,
        v: vec![0.0; 4],
        w: [0.0; 3],
        inner: Q { c: 0.0, d: [0.0; 2] },
        n: count(k),
    };
    p.copy_from_flat(z);
    p
}

fn q_at(z: &[f64]) -> Q {
    let mut q = Q { c: 0.0, d: [0.0; 2] };
    q.copy_from_flat(z);
    q
}

fn t_at(z: &[f64]) -> T {
    let mut t = T(0.0, [0.0; 3]);
    t.copy_from_flat(z);
    t
}

/// The flat view of a `P` returned by a derivative, whose configuration
/// field must be the primal's.
fn p_flat(g: &P, k: usize) -> Vec<f64> {
    assert_eq!(g.n, count(k), "the configuration field of a derivative");
    g.to_flat()
}

fn flat<S: Differentiable<Scalar = f64>>(s: &S) -> Vec<f64> {
    s.to_flat()
}

"""


def flat_size(ty):
    n = 0
    for _, kind, length in LAYOUT[ty]:
        n += flat_size(kind) if kind in LAYOUT else (length if kind != "n" else 0)
    return n


def count_of(k):
    return k % 3 + 2


def py_field(name):
    return "_" + name if name.isdigit() else name


class S:
    """The Python twin of a struct value."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def build(ty, vals, k):
    """A struct of type `ty` from the flat values `vals` (consumed from the
    front) and the point's integer k: (value, rest)."""
    kw = {}
    for name, kind, length in LAYOUT[ty]:
        if kind in LAYOUT:
            kw[py_field(name)], vals = build(kind, vals, k)
        elif kind == "n":
            kw[name] = count_of(k)
        elif kind == "f":
            kw[py_field(name)], vals = vals[0], vals[1:]
        else:
            kw[py_field(name)], vals = list(vals[:length]), vals[length:]
    return S(**kw), vals


TUPLE_FIELD = re.compile(r"\b([A-Za-z_]\w*)\.(\d+)\b")


def to_python(py):
    """`p.0` is `p._0` in the twin."""
    return TUPLE_FIELD.sub(r"\1._\2", py)


# ----------------------------------------------------------------------------
# Parameters and the spec
# ----------------------------------------------------------------------------

TY = {"f": "f64", "s": "&[f64]", "a": "[f64; {n}]", "v": "Vec<f64>", "k": "usize", "P": "&P", "Q": "&Q", "T": "&T"}
WHAT = {"f": "f64", "s": "&[f64]", "a": "[f64; N]", "v": "Vec<f64>", "P": "&P", "Q": "&Q", "T": "&T"}


class SParam(WParam):
    """A parameter of the family: the `wrt` family's kinds, and 'P', 'Q',
    'T' (a borrowed struct; `self` for a method's receiver)."""

    def ty(self):
        return TY[self.kind].format(n=self.length)

    def size(self):
        if self.kind in LAYOUT:
            return flat_size(self.kind)
        return 1 if self.kind == "f" else self.length

    @property
    def struct(self):
        return self.kind in LAYOUT


class StructSpec(WrtSpec):
    def __init__(self, name, params, rust, python, call_depth, tags, method):
        super().__init__(name, params, False, rust, python, call_depth, tags)
        self.method = method

    @property
    def callable(self):
        return True


# ----------------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------------


class StructGen(WrtGen):
    def __init__(self, rng, name, callees):
        super().__init__(rng, name, callees)
        self.active_fields = []  # scalar and array fields of active structs
        self.inactive_fields = []  # of the configuration struct (never written)
        self.field_arrays = {}  # name -> (length, 'a' or 'v') of array fields
        self.counts = []  # configuration counts (`p.n`)
        self.sname = None  # the active struct: `p` or `self`
        self.sty = None  # its type
        self.cfg = False
        self.no_bare = False  # (EXCLUDE_BARE_FIELD_IN_ARRAY_LITERAL)
        self.copied = False  # a field was copied (EXCLUDE_FIELD_READ_AFTER_COPY)

    # ----- structs ---------------------------------------------------------------

    def expose(self, base, ty, active):
        """Declares the fields of the struct `base` as values of the body."""
        for name, kind, length in LAYOUT[ty]:
            full = base + "." + name
            if kind in LAYOUT:
                self.expose(full, kind, active)
                continue
            if kind == "n":
                self.declare_int(full)
                self.counts.append(full)
                continue
            if kind == "f":
                self.declare_scalar(full, False)
            else:
                self.declare_array(Array(full, length, full + ".len()", False))
                self.field_arrays[full] = (length, kind)
            (self.active_fields if active else self.inactive_fields).append(full)

    def ftag(self, what):
        self.tags.append("struct: " + what)

    def fields_read(self):
        return any(u.startswith(self.sname + ".") for u in self.used)

    # ----- reads -----------------------------------------------------------------

    def is_array(self, name):
        return any(a.name == name for a in self.arrays)

    def read(self, name):
        self.used.add(name)
        arrs = [a for a in self.arrays if a.name == name]
        if arrs:
            i = self.index(arrs[0])
            return E(name + "[" + i.rs + "]", ATOM, name + "[" + i.py + "]", True)
        return var_(name)

    def param_leaf(self):
        """A read of an active parameter or of a field of the active struct."""
        opts = [p.name for p in self.wparams if p.active and p.kind == "f" and p.name in self.scalars]
        opts += [p.name for p in self.wparams if p.active and p.kind in ("s", "a", "v")]
        fields = [f for f in self.active_fields if f in self.scalars or self.is_array(f)]
        opts += fields * 2
        return self.read(self.pick(opts))

    def without_counts(self, f, *args):
        """f(*args) with the configuration counts hidden from the integers."""
        saved = list(self.ints)
        self.ints[:] = [i for i in self.ints if i not in self.counts]
        try:
            return f(*args)
        finally:
            self.ints[:] = saved

    def int_leaf(self):
        if EXCLUDE_CONFIG_ARG:
            return self.without_counts(super().int_leaf)
        return super().int_leaf()

    def index(self, arr, write=False):
        if EXCLUDE_CONFIG_INDEX:
            i = self.without_counts(super().index, arr, write)
        else:
            i = super().index(arr, write)
        if arr.length < 3 and i.rs.isdigit() and int(i.rs) >= arr.length:
            i = ilit(self.rng.randint(0, arr.length - 1))
        return i

    def inactive_cond(self):
        if self.inactive_fields and self.r() < 0.4:
            f = self.pick(self.inactive_fields)
            a = self.read(f)
            b = lit(self.const(0.05, 0.8))
            op = self.pick([">", "<"])
            self.ftag("condition on a field of a struct left out of wrt")
            return (a.rs + " " + op + " " + b.rs, ("gt" if op == ">" else "lt") + "(" + a.py + ", " + b.py + ")")
        if self.counts and self.r() < 0.3:
            self.ftag("condition on the configuration count")
        return super().inactive_cond()

    def shadow(self):
        # fields cannot be shadowed; neither can parameters of other kinds
        cands = [s for s in self.scalars if "." not in s]
        if not cands:
            return self.let(self.expr(2))
        name = self.pick(cands)
        self.used.add(name)
        inner = binop(self.pick("+*"), var_(name), self.expr(1))
        e = method(self.pick(["sin", "tanh", "atan", "asinh", "cos"]), inner) if self.r() < 0.6 else inner
        self.let(e, name=name, annotate=self.r() < 0.2)
        self.shadowed.add(name)

    def loop_header(self):
        if self.counts and self.r() < 0.2:
            v = "i" + str(len(self.loops))
            n = self.pick(self.counts)
            self.used.add(n)
            self.ftag("loop over the configuration count `0..p.n`")
            return "for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), v, "for", None
        return super().loop_header()

    def for_header(self, over=None):
        if over is None and self.counts and self.r() < 0.2:
            v = "i" + str(len(self.loops))
            n = self.pick(self.counts)
            self.used.add(n)
            self.ftag("loop over the configuration count `0..p.n`")
            return "for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), v
        return super().for_header(over)

    # ----- calls -----------------------------------------------------------------

    def arrays_of(self, min_len, only=None):
        return [a for a in self.arrays if a.length >= min_len and (only is None or only(a))]

    def feasible(self, g, inject):
        if inject is not None and not any(p.kind == "f" and p.active for p in g.params):
            return False
        if g.method and self.copied:
            return False
        if g.method and EXCLUDE_METHOD_CALL_ON_SELF and self.sname == "self":
            return False
        if g.method and (self.sty != "P" or EXCLUDE_METHOD_CALL_ON_PARAM and self.sname != "self"):
            return False
        if g.method and EXCLUDE_METHOD_CALL_WRT_MORE and any(p.active for p in g.params[1:]):
            return False
        for p in g.params:
            if p.struct and p.active and self.copied:
                return False
            if p.struct and p.active and p.kind != self.sty and not (p.kind == "Q" and self.sty == "P"):
                return False
        return True

    def typed(self, e):
        e = super().typed(e)
        if self.no_bare and e.rs in self.active_fields + self.inactive_fields:
            e = binop("*", e, lit(self.const(0.2, 0.9)))
        return e

    def array_stmt(self):
        self.no_bare = EXCLUDE_BARE_FIELD_IN_ARRAY_LITERAL
        try:
            super().array_stmt()
        finally:
            self.no_bare = False

    def vals(self, n, active):
        if active:
            self.no_bare = EXCLUDE_BARE_FIELD_IN_ARRAY_LITERAL
            try:
                return [self.typed(self.expr(1)) for _ in range(n)]
            finally:
                self.no_bare = False
        return [lit(self.const(0.1, 1.5)) for _ in range(n)]

    def array_arg(self, p):
        """A `[f64; N]` argument: an array field, an array parameter or a
        literal of expressions."""
        n = p.length
        if p.active:
            cands = [a for a in self.arrays if a.length == n and (
                self.field_arrays.get(a.name, (0, ""))[1] == "a" and not EXCLUDE_FIELD_BY_VALUE_TO_HELPER
                or any(q.name == a.name and q.kind == "a" for q in self.wparams))]
            if cands and self.r() < 0.7:
                a = self.pick(cands)
                self.used.add(a.name)
                if a.name in self.field_arrays:
                    self.ftag("array field passed by value `h(p.w)`")
                return E(a.name, ATOM, "list(" + a.name + ")", True)
        es = self.vals(n, p.active)
        return E("[" + ", ".join(e.rs for e in es) + "]", ATOM, "[" + ", ".join(e.py for e in es) + "]", True)

    def slice_arg(self, p):
        if p.active:
            cands = self.arrays_of(3)
            if cands and self.r() < 0.85:
                a = self.pick(cands)
                self.used.add(a.name)
                field = a.name in self.field_arrays
                if a.length >= 4 and self.r() < 0.3:
                    if field:
                        self.ftag("field sub-slice passed to a helper `h(&p.v[1..])`")
                    return E("&" + a.name + "[1..]", ATOM, a.name + "[1:]", True)
                if field:
                    self.ftag("field passed to a helper's slice `h(&p.v)`")
                if any(q.name == a.name and q.kind == "s" for q in self.wparams):
                    return E(a.name, ATOM, a.name, True)
                return E("&" + a.name, ATOM, a.name, True)
        es = self.vals(3, p.active)
        return E("&[" + ", ".join(e.rs for e in es) + "]", ATOM, "[" + ", ".join(e.py for e in es) + "]", True)

    def vec_arg(self, p):
        if p.active:
            # (exactly its length: the helper may write `y[3]`)
            cands = [a for a in self.arrays if a.length == p.length
                     and not (EXCLUDE_FIELD_BY_VALUE_TO_HELPER and a.name in self.field_arrays)]
            if cands and self.r() < 0.7:
                a = self.pick(cands)
                self.used.add(a.name)
                if a.name in self.field_arrays:
                    self.ftag("field copied into a helper's `Vec` `h(p.v.clone())`")
                how = ".clone()" if self.field_arrays.get(a.name, (0, ""))[1] == "v" and self.r() < 0.5 else ".to_vec()"
                return E(a.name + how, ATOM, "list(" + a.name + ")", True)
        # (`vec![..]` is not an argument: a macro)
        es = self.vals(p.length, p.active)
        return E("[" + ", ".join(e.rs for e in es) + "].to_vec()", ATOM, "[" + ", ".join(e.py for e in es) + "]",
                 True)

    def struct_arg(self, p):
        if not p.active:
            if self.cfg:
                self.used.add("cfg")
                return E("cfg", ATOM, "cfg", True)
            c, d0, d1 = (self.const(0.1, 1.5) for _ in range(3))
            self.ftag("struct literal passed to a helper's configuration `&Q { .. }`")
            return E("&Q {{ c: {}, d: [{}, {}] }}".format(c, d0, d1), ATOM,
                     "S(c={}, d=[{}, {}])".format(c, d0, d1), True)
        self.used.add(self.sname)
        if p.kind == self.sty:
            self.ftag("struct passed to a helper `h(p)`")
            return E(self.sname, ATOM, self.sname, True)
        self.ftag("nested struct passed to a helper `h(&p.inner)`")
        self.used.add(self.sname + ".inner")
        return E("&" + self.sname + ".inner", ATOM, self.sname + ".inner", True)

    def call(self, inject=None):
        cands = [g for g in self.callees if self.feasible(g, inject)]
        self.n_calls += 1
        if not cands:
            if inject is not None:
                return binop("+", binop("*", inject, lit(self.const(0.2, 0.9))), self.param_leaf())
            return self.param_leaf()
        g = self.pick(cands)
        self.call_depth = max(self.call_depth, g.call_depth + 1)
        slots = [i for i, p in enumerate(g.params) if p.kind == "f" and p.active]
        at = self.pick(slots) if inject is not None else None
        args = []
        params = g.params[1:] if g.method else g.params
        base = 1 if g.method else 0
        for i, p in enumerate(params, base):
            if p.kind == "k":
                args.append(self.int_leaf())
            elif i == at:
                args.append(inject)
            elif p.kind == "f":
                if p.active:
                    e = self.expr(1)
                    if e.rs in self.active_fields + self.inactive_fields:
                        if EXCLUDE_BARE_FIELD_ARG:
                            e = binop("*", e, lit(self.const(0.2, 0.9)))
                        else:
                            self.ftag("scalar field passed to a helper `h(p.a)`")
                    args.append(e)
                else:
                    args.append(lit(self.const(0.1, 1.5)))
            elif p.kind == "s":
                args.append(self.slice_arg(p))
            elif p.kind == "a":
                args.append(self.array_arg(p))
            elif p.kind == "v":
                args.append(self.vec_arg(p))
            else:
                args.append(self.struct_arg(p))
        if g.method:
            self.used.add(self.sname)
            self.ftag("method call `p.h(..)`" if self.sname == "p" else "method call on self `self.h(..)`")
            rs = "{}.{}({})".format(self.sname, g.name, ", ".join(a.rs for a in args))
            py = "{}({})".format(g.name, ", ".join([self.sname] + [a.py for a in args]))
        else:
            rs = "{}({})".format(g.name, ", ".join(a.rs for a in args))
            py = "{}({})".format(g.name, ", ".join(a.py for a in args))
        return E(rs, ATOM, py, True)

    # ----- statements on fields ----------------------------------------------------

    def copy_stmt(self):
        """A field copied into a `mut` local, written in a loop, reduced."""
        cands = [f for f in self.active_fields if f in self.field_arrays]
        f = self.pick(cands)
        length, kind = self.field_arrays[f]
        self.used.add(f)
        name = self.fresh("w")
        if kind == "a":
            how = self.pick(["", ".to_vec()"])
        else:
            how = self.pick([".clone()", ".to_vec()"])
        self.ftag("field copied into a mut local `let mut w = p.w{}`".format(how))
        self.emit("let mut {} = {}{};".format(name, f, how), "{} = list({})".format(name, f))
        if EXCLUDE_FIELD_READ_AFTER_COPY:
            self.forget_field(f)
            self.copied = True
        arr = Array(name, length, name + ".len()", True, ilen_(name) if how == "" else ilit(length))
        pseudo = SParam(name, "a", length)
        v = "i" + str(len(self.loops))
        self.open_block("for {} in 0..{}.len() {{".format(v, name), "for {} in range(0, len({})):".format(v, name),
                        "for", v)
        if self.r() < 0.3:
            crs, cpy = self.active_only_cond()
            self.open_block("if " + crs + " {", "if " + cpy + ":")
            self.elem_write(pseudo, ivar(v), self.pick(["rw", "w"]))
            self.close_block()
        else:
            self.elem_write(pseudo, ivar(v), self.pick(["rw", "rw", "w"]))
        self.close_block(loop=True)
        self.declare_array(arr)
        if self.r() < 0.5:
            acc = self.let(lit(0.0), mutable=True)
            v = "i" + str(len(self.loops))
            self.open_block("for {} in 0..{}.len() {{".format(v, name), "for {} in range(0, len({})):".format(v, name),
                            "for", v)
            t = E("{}[{}]".format(name, v), ATOM, "{}[{}]".format(name, v), True)
            t = binop("*", t, self.expr(1)) if self.r() < 0.5 else method(self.pick(["sin", "tanh", "atan"]), t)
            self.assign(acc, "+", t)
            self.close_block(loop=True)
        else:
            i, j = self.index(arr), self.index(arr)
            self.let(binop("+", E("{}[{}]".format(name, i.rs), ATOM, "{}[{}]".format(name, i.py), True),
                           binop("*", E("{}[{}]".format(name, j.rs), ATOM, "{}[{}]".format(name, j.py), True),
                                 self.param_leaf())))
        self.used.add(name)

    def forget_field(self, f):
        self.active_fields.remove(f)
        self.arrays[:] = [a for a in self.arrays if a.name != f]

    def field_stmt(self):
        """A statement aimed at the struct's fields."""
        c = self.r()
        if c < 0.3 and any(f in self.field_arrays for f in self.active_fields) and len(self.loops) < 2 and not (
                EXCLUDE_FIELD_READ_AFTER_COPY and any("return" in line for line in self.rs)):
            return self.copy_stmt()
        if c < 0.55 and self.callees and self.n_calls < STRUCTS_MAX_CALLS:
            e = self.call()
            if self.r() < 0.5 and self.muts:
                m = self.pick(sorted(self.muts))
                self.assign(m, "+", binop("*", lit(self.const(0.2, 0.9)), e))
                self.used.add(m)
            else:
                self.let(e)
            return None
        if c < 0.75 and len(self.loops) < 2:
            # loop-carried state over an array field
            arrs = [f for f in self.active_fields if f in self.field_arrays]
            if arrs:
                f = self.pick(arrs)
                self.ftag("loop-carried state over an array field")
                s = self.let(self.read(self.pick([x for x in self.active_fields if x in self.scalars]))
                             if self.r() < 0.5 else lit(self.pick([0.0, 1.0])), mutable=True)
                v = "i" + str(len(self.loops))
                self.open_block("for {} in 0..{}.len() {{".format(v, f), "for {} in range(0, len({})):".format(v, f),
                                "for", v)
                t = E("{}[{}]".format(f, v), ATOM, "{}[{}]".format(f, v), True)
                k = self.bounded(self.expr(1)) if self.r() < 0.4 else lit(self.const(0.2, 0.9))
                inner = binop(self.pick("+*"), var_(s), t)
                self.assign(s, "=", binop("+", binop("*", method(self.pick(["sin", "tanh", "atan"]), inner), k),
                                          binop("*", t, self.expr(1))))
                self.close_block(loop=True)
                self.used.add(s)
                return None
        if c < 0.88 and self.counts:
            n = self.pick(self.counts)
            self.used.add(n)
            self.ftag("configuration count as a number `p.n as f64`")
            self.let(binop(self.pick("*/"), self.param_leaf(), cast(ivar(n)))
                     if self.r() < 0.5 else binop("+", self.expr(1), binop("*", lit(0.1), cast(ivar(n)))))
            return None
        self.ftag("field through an elementary function")
        f = self.pick([x for x in self.active_fields if x in self.scalars])
        self.used.add(f)
        self.let(binop("*", method(self.pick(["sin", "cos", "tanh", "exp", "atan"]), var_(f)), self.expr(1)))

    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.15 and self.active_fields and len(self.scopes) < 4:
            self.field_stmt()
            return
        super().stmt(nested, loop_ok)

    # ----- the function -------------------------------------------------------------

    def function(self):
        rng = self.rng
        is_method = self.r() < 0.2
        self.sty = "P" if is_method else rng.choices(["P", "Q", "T"], [6, 2, 2])[0]
        self.sname = "self" if is_method else "p"
        sp = SParam(self.sname, self.sty)
        sp.active = True
        params = []
        for i in range(rng.choices([0, 1, 2], [3, 4, 2])[0]):
            params.append(SParam("ab"[i], "f"))
        if self.r() < 0.3:
            params.append(SParam("x", "s", rng.randint(3, 4)))
        if self.r() < 0.25:
            params.append(SParam("u", "a", rng.randint(3, 4)))
        if self.r() < 0.25:
            params.append(SParam("y", "v", rng.randint(3, 4)))
        if self.r() < 0.25:
            params.append(SParam("cfg", "Q"))
        if self.r() < 0.3:
            params.append(SParam("k", "k"))
        rng.shuffle(params)
        if is_method:
            params.insert(0, sp)
        else:
            params.insert(rng.randint(0, len(params)), sp)
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
            else:
                self.expose(p.name, p.kind, p.active)

        special = [p for p in params if p.mut and self.r() < 0.8]
        seq = [None] * rng.randint(1, 2) + special + ["field"] * rng.randint(1, 2)
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif s == "field":
                self.field_stmt()
            elif s.kind != "f" or s.name in self.muts:
                self.wrt_stmt(s)

        terms = self.tail_terms(params)
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
        self.emit(tail.rs, "return chk(" + tail.py + ")")

        tags = self.tags
        tags.append("signature: method `&self` in wrt(self{})".format(", ..." if any(
            p.active for p in params[1:]) else "") if is_method else "signature: `p: &{}`".format(self.sty))
        for p in params:
            if p.kind in ("f", "s", "a", "v"):
                tags.append("signature: {} {}{}".format("active" if p.active else "left out of wrt:",
                                                       "mut " if p.mut else "", WHAT[p.kind]))
            elif p.name == "cfg":
                tags.append("signature: configuration struct `cfg: &Q` left out of wrt")
        if self.call_depth:
            tags.append("calls (depth {})".format(self.call_depth))

        sig = []
        for p in params:
            if p.name == "self":
                sig.append("&self")
            else:
                sig.append("{}{}: {}".format("mut " if p.mut else "", p.name, p.ty()))
        attr = "#[differentiate(wrt({}))]".format(", ".join(p.name for p in params if p.active))
        body = "\n".join(self.rs)
        rust = "{}\nfn {}({}) -> f64 {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), body)
        if is_method:
            rust = "impl P {\n" + rust + "}\n"
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), to_python("\n".join(self.py)))
        spec = StructSpec(self.name, params, rust, python, self.call_depth, tags, is_method)
        spec.copied = self.copied
        return spec

    def tail_terms(self, params):
        """Recent values, the parameters written (read back), every unread
        active parameter, and a field of the struct if none was read."""
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:3]
        for s in recent:
            terms.append(var_(s))
        for p in params:
            if p.kind == "f" and p.name in self.scalars and p.name not in recent and (
                    p.name in self.written or p.active and p.name not in self.used):
                terms.append(var_(p.name))
            elif p.kind in ("s", "a", "v") and (p.name in self.written or p.active and p.name not in self.used):
                if p.name in self.written and self.r() < 0.5:
                    acc = self.let(lit(0.0), mutable=True)
                    v = "i0"
                    self.open_block("for {} in 0..{}.len() {{".format(v, p.name),
                                    "for {} in range(0, len({})):".format(v, p.name), "for", v)
                    t = E("{}[{}]".format(p.name, v), ATOM, "{}[{}]".format(p.name, v), True)
                    t = binop("*", t, self.expr(1)) if self.r() < 0.5 else method(
                        self.pick(["sin", "tanh", "atan"]), t)
                    self.assign(acc, "+", t)
                    self.close_block(loop=True)
                    terms.append(var_(acc))
                else:
                    terms.append(E(p.name + "[0]", ATOM, p.name + "[0]", True))
                    terms.append(E("{}[{}.len() - 1]".format(p.name, p.name), ATOM,
                                   "{}[len({}) - 1]".format(p.name, p.name), True))
                self.used.add(p.name)
        if not self.fields_read() or self.r() < 0.3:
            terms.append(self.read(self.pick(self.active_fields)))
        return terms


def var_(name):
    return E(name, ATOM, name, True)


def ilen_(name):
    return G.ilen(name)


# ----------------------------------------------------------------------------
# Points
# ----------------------------------------------------------------------------


def struct_args(spec, z, q, k):
    args = []
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            args.append(k)
            continue
        if p.in_z():
            vals, zat = z[zat:zat + p.size()], zat + p.size()
        else:
            vals, qat = q[qat:qat + p.size()], qat + p.size()
        if p.struct:
            args.append(build(p.kind, list(vals), k)[0])
        elif p.kind == "f":
            args.append(vals[0])
        else:
            args.append(list(vals))
    return args


def struct_run(fn, spec, z, q, k):
    del G.TRACE[:]
    try:
        r = fn(*struct_args(spec, z, q, k))
        if not G.math.isfinite(r) or abs(r) > G.OUT_BOUND:
            return None
    except (G.Bad, OverflowError, ZeroDivisionError):
        return None
    return [r], list(G.TRACE)


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
        elif kind != "n":
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
            elif kind == "f":
                self.declare_scalar(full, False)
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
                elif kind != "n":
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


# ----------------------------------------------------------------------------
# Rust output
# ----------------------------------------------------------------------------

AT = {"P": "p_at(&{s}[{r}], k)", "Q": "q_at(&{s}[{r}])", "T": "t_at(&{s}[{r}])"}


def struct_adapters(spec):
    """The closures of a `Case` entry: the `wrt` family's, with structs
    rebuilt from their flat ranges and their derivatives flattened."""
    pre_f, pre_j = [], []
    args_f, args_j = [], []
    cots, gs, hs = [], [], []
    zat = qat = 0
    uses = set()
    recv_f = recv_j = None
    for i, p in enumerate(spec.params):
        if p.kind == "k":
            args_f.append("k")
            args_j.append("k")
            uses.add("k")
            continue
        n = p.size()
        if p.in_z():
            src, at = "z", zat
            zat += n
        else:
            src, at = "q", qat
            qat += n
            uses.add("q")
        r = "{}..{}".format(at, at + n)

        if p.struct:
            if p.kind == "P":
                uses.add("k")
            pre_f.append("let s{} = {};".format(i, AT[p.kind].format(s=src, r=r)))
            if p.active:
                pre_j.append("let (s{i}, ds{i}) = ({a}, {b});".format(
                    i=i, a=AT[p.kind].format(s="z", r=r), b=AT[p.kind].format(s="d", r=r)))
            else:
                pre_j.append("let s{} = {};".format(i, AT[p.kind].format(s=src, r=r)))
            if p.name == "self":
                recv_f = "s{}".format(i)
                recv_j = ["&ds{}".format(i)]
                g, h = "g{}".format(i), "h{}".format(i)
                gs.append(g)
                hs.append(h)
                cots.append("&p_flat(&{}, k)[..]")
                continue
            args_f.append("&s{}".format(i))
            if p.active:
                args_j += ["&s{}".format(i), "&ds{}".format(i)]
                g, h = "g{}".format(i), "h{}".format(i)
                gs.append(g)
                hs.append(h)
                cots.append("&p_flat(&{}, k)[..]" if p.kind == "P" else "&flat(&{})[..]")
            else:
                args_j.append("&s{}".format(i))
            continue

        def val(s):
            if p.kind == "f":
                return "{}[{}]".format(s, at)
            rr = "{}[{}..{}]".format(s, at, at + n)
            return {"s": "&" + rr, "a": "arr(&" + rr + ")", "v": rr + ".to_vec()"}[p.kind]

        args_f.append(val(src))
        if p.active:
            args_j += [val("z"), val("d")]
            g, h = "g{}".format(i), "h{}".format(i)
            gs.append(g)
            hs.append(h)
            cots.append("&[{}][..]" if p.kind == "f" else "&{}[..]")
        else:
            args_j.append(val(src))
    q = "q" if "q" in uses else "_"
    k = "k" if "k" in uses else "_"
    n = spec.name

    def block(pre, body):
        return "{ " + " ".join(pre + [body]) + " }"

    def call(mode, args, extra_recv=()):
        if recv_f is not None:
            return "{}.{}{}({})".format(recv_f, n, mode, ", ".join(list(extra_recv) + args))
        return "{}{}({})".format(n, mode, ", ".join(args))

    cs = "cat(&[" + ", ".join(c.format(g) for c, g in zip(cots, gs)) + "])"
    hc = "cat(&[" + ", ".join(c.format(h) for c, h in zip(cots, hs)) + "])"
    rj = recv_j or ()
    out = getattr(spec, "out", None)
    if out is not None:
        # a struct result: its flat view (and a `P`'s count) as outputs
        o1, o2 = ("out_p", "out_p2") if out == "P" else ("flat", "out2")
        f_body = block(pre_f, "{}(&{})".format(o1, call("", args_f)))
        j_body = block(pre_j, "let (r, dr) = {}; {}(&r, &dr)".format(call("_jvp", args_j, rj), o2))
        v_body = block(pre_f, "let o = dout(&{}, c); let ({}) = {}; ({}(&r), {})".format(
            call("", args_f), ", ".join(["r"] + gs), call("_vjp", args_f + ["o"]), o1, cs))
        return [
            "f: |z, {q}, {k}| {b},".format(q=q, k=k, b=f_body),
            "jvp: |z, d, {q}, {k}| {b},".format(q=q, k=k, b=j_body),
            "vjp: |z, {q}, {k}, c| {b},".format(q=q, k=k, b=v_body),
            "grad: None,",
            "hvp: None,",
        ]
    f_body = block(pre_f, "vec![{}]".format(call("", args_f)))
    j_body = block(pre_j, "let (r, dr) = {}; (vec![r], vec![dr])".format(call("_jvp", args_j, rj)))
    v_body = block(pre_f, "let ({}) = {}; (vec![r], {})".format(
        ", ".join(["r"] + gs), call("_vjp", args_f + ["c[0]"]), cs))
    g_body = block(pre_f, "let ({}) = {}; (r, {})".format(", ".join(["r"] + gs), call("_grad", args_f), cs))
    h_body = block(pre_j, "let ({}) = {}; (r, {}, {})".format(
        ", ".join(["r"] + gs + hs), call("_hvp", args_j, rj), cs, hc))
    return [
        "f: |z, {q}, {k}| {b},".format(q=q, k=k, b=f_body),
        "jvp: |z, d, {q}, {k}| {b},".format(q=q, k=k, b=j_body),
        "vjp: |z, {q}, {k}, c| {b},".format(q=q, k=k, b=v_body),
        "grad: Some(|z, {q}, {k}| {b}),".format(q=q, k=k, b=g_body),
        "hvp: Some(|z, d, {q}, {k}| {b}),".format(q=q, k=k, b=h_body),
    ]


def struct_case_entry(spec):
    out = ["const {}: Case = Case {{".format(spec.name.upper()), '    name: "{}",'.format(spec.name)]
    out.append("    live: &[" + ", ".join("({}, {})".format(a, b) for a, b in spec.live_ranges()) + "],")
    out += ["    " + line for line in struct_adapters(spec)]
    out.append("    points: [")
    for z, q, k, t, c, v, y in spec.points:
        out.append("        Point {{ z: {}, q: {}, k: {}, t: {}, c: {}, v: {}, y: &[{}] }},".format(
            G.fmt_list(z), G.fmt_list(q), k, G.fmt_list(t), G.fmt_list(c), G.fmt_list(v),
            ", ".join(G.rust_float(float("%.12g" % a)) for a in y)))
    out.append("    ],")
    out.append("};")
    return out


STRUCTS_HEADER = """\
//! Randomized differential testing of parameter structs: {n} random
//! `#[differentiate]` functions of a struct deriving `ad::Differentiable`
//! (`p: &P`, `p: &Q`, `p: &T` in `wrt(p, ..)`, methods `wrt(self, ..)`), each
//! checked at {pp} points by `random_structs_agree` below.
//!
//! @generated by `tests/random/structs.py` (family `structs`, seed {seed}); do
//! not edit by hand. Regenerate, byte for byte, from the repository root with
//!
//! ```text
//! python3 tests/random/structs.py
//! ```
//!
//! The bodies are those of the `wrt` family (`tests/random_wrt.rs`), and they
//! read the structs' fields wherever they read values: in arithmetic and
//! elementary functions, by element with loop indices (`p.v[i]`,
//! `p.inner.d[1]`, `p.1[i]`), as loop bounds (`0..p.v.len()`, `0..p.n`), as
//! counts (`p.n as f64`), in conditions and `match`; fields are copied into
//! `mut` locals, and passed to helpers of the family (`h(&p.v, p.a)`,
//! `h(p.w)`, `h(p)`, `h(&p.inner)`, `p.h(..)`). The test sees each function
//! as a map of flat vectors z -> y, a struct flattened with `to_flat` and
//! rebuilt with `copy_from_flat` (`p_at`, its configuration field `n` from the
//! point's k), and runs the `wrt` family's checks on it (see
//! `tests/random_wrt.rs`); the configuration field of every struct derivative
//! is the primal's (`p_flat`).
//!
//! The last batch (`r000`, ...) also returns structs (`-> Q`, `-> P`: struct
//! literals of active values, `n: p.n + 1`, nested `inner: Q {{ .. }}` or
//! `inner: h(..)`) and keeps local structs across loops (`let mut s1 = h(p);
//! for .. {{ s1 = h(&s1, p); e += s1.c; }}`, `g(&s1)`, `s1.n as f64`); a
//! struct result is a vector output (`to_flat`, a `P`'s count last), its
//! `_vjp` cotangent rebuilt from c (`dout`).
//!
//! Constructs (functions using each; a function may use several):
//!
{constructs}{excluded}
// Random code is not idiomatic: these lints flag its style (dead values,
// `a - a`, identical branches, constants close to PI / 4, ...), not bugs.
#![allow(
    unused_assignments,
    unused_braces,
    unused_mut,
    unused_variables,
    clippy::approx_constant,
    clippy::assign_op_pattern,
    clippy::collapsible_if,
    clippy::eq_op,
    clippy::if_same_then_else,
    clippy::let_and_return,
    clippy::manual_is_multiple_of,
    clippy::manual_slice_fill,
    clippy::misrefactored_assign_op,
    clippy::needless_range_loop,
    clippy::redundant_field_names,
    clippy::too_many_arguments,
    clippy::useless_vec
)]

use ad::check;
use ad::differentiate;
use ad::Differentiable;

"""

STRUCTS_HARNESS = G.WRT_HARNESS.replace("fn random_wrt_agree()", "fn random_structs_agree()").replace(
    '"random_wrt: {} functions', '"random_structs: {} functions')
assert "random_structs_agree" in STRUCTS_HARNESS and '"random_structs: ' in STRUCTS_HARNESS

EXCLUSIONS = [
    ("EXCLUDE_CONFIG_INDEX", "a configuration field in an index (`p.v[p.n % 4]`)"),
    ("EXCLUDE_CONFIG_ARG", "a configuration field passed to a helper's integer parameter (`h(p.a, p.n)`)"),
    ("EXCLUDE_FIELD_READ_AFTER_COPY", "an array field read after its copy into a local (`let w = p.w;` then\n"
                                      "`p.w[0]`, `h(&p.w)` or `h(p)`), or copied after an early `return`"),
    ("EXCLUDE_METHOD_CALL_ON_PARAM", "a method called on a struct parameter (`p.m(x)`; called on `self` only)"),
    ("EXCLUDE_METHOD_CALL_ON_SELF", "a method called on `self` in another method (`self.m(x)`: its derivative\n"
                                    "through `self` is silently dropped)"),
    ("EXCLUDE_METHOD_CALL_WRT_MORE", "a call `self.m(x)` of a method `wrt(self, x)`"),
    ("EXCLUDE_FIELD_BY_VALUE_TO_HELPER", "a field passed by value to a helper (`h(p.w)`, `h(p.v.clone())`)"),
    ("EXCLUDE_BARE_FIELD_IN_ARRAY_LITERAL", "a bare scalar field in an array literal (`[p.a, 2.0 * p.b]`)"),
    ("EXCLUDE_BARE_FIELD_ARG", "a bare scalar field passed to a helper's `f64` parameter (`h(p.a)`)"),
    ("EXCLUDE_TUPLE_STRUCT_LITERAL", "a tuple-struct literal `T(x, [..])` (taken for a call of a function `T`)"),
    ("EXCLUDE_METHOD_ON_LOCAL_FIELD", "an elementary function of a bare field of a local struct (`s1.c.sin()`,\n"
                                      "`f64::sin(s1.c)`; written `(1.0 * s1.c).sin()`)"),
    ("EXCLUDE_LOCAL_STRUCT_IN_BRANCH", "a local struct overwritten in a branch (`if .. { s1 = h(&s1, p); }`:\n"
                                       "`Q: Default` is required)"),
    ("EXCLUDE_READ_BEFORE_OVERWRITE", "a field of a local struct read before the local is overwritten"),
    ("EXCLUDE_STRUCT_LITERAL_ARG", "a struct literal of active values passed to a helper (`h(&Q { c: p.a, .. })`)"),
    ("EXCLUDE_SLICE_LITERAL_ARG_IN_LOOP", "a constant slice `&[..]` passed to a helper returning a struct, in a loop"),
    ("EXCLUDE_SELF_LITERAL_OVERWRITE", "a local struct overwritten in a loop by a literal that reads its own\n"
                                       "fields (`s1 = P { a: s1.b * .., .. }`: reverse mode silently wrong)"),
    ("EXCLUDE_VEC_MACRO_IN_INACTIVE_LITERAL", "`vec![..]` of constants in an inactive struct literal"),
]


def generate_structs(n_funcs, seed, out, n_results=RESULTS_N_FUNCS):
    rng = random.Random(seed)
    specs = []
    namespace = dict(G.RUNTIME)
    namespace["S"] = S
    discarded = too_long = excluded_draws = 0
    while len(specs) < n_funcs:
        name = "s{:03}".format(len(specs))
        callees = [s for s in specs if s.call_depth < 3][-40:]
        spec = StructGen(rng, name, callees).function()
        if spec.rust.count("\n") > STRUCTS_MAX_LINES:
            too_long += 1
            continue
        if EXCLUDE_FIELD_READ_AFTER_COPY and spec.copied and "return" in spec.rust:
            excluded_draws += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng, runner=struct_run)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)

    first = len(specs)
    rng = random.Random(RESULTS_SEED)
    while len(specs) < first + n_results:
        name = "r{:03}".format(len(specs) - first)
        callees = [s for s in specs[first - 20:] if s.call_depth < 3][-40:]
        spec = ResultGen(rng, name, callees).function()
        if spec.rust.count("\n") > RESULTS_MAX_LINES:
            too_long += 1
            continue
        if EXCLUDE_LOCAL_STRUCT_IN_BRANCH and "return" in spec.rust and spec.locals:
            excluded_draws += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = G.wrt_find_points(spec, ns[name], rng, runner=result_run)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)

    counts = {}
    for s in specs:
        for t in set(s.tags):
            counts[t] = counts.get(t, 0) + 1
    lines = ["//! - {}: {}".format(t, counts[t]) for t in sorted(counts)]
    excluded = []
    for flag, what in EXCLUSIONS:
        if globals()[flag]:
            excluded.append("{} (`{}`)".format(what, flag).replace("\n", "\n//!   "))
    excluded = "".join("//! - " + e + "\n" for e in excluded)
    if excluded:
        excluded = "//!\n//! Left out until the macro handles them (flags of the generator):\n//!\n" + excluded
    parts = [STRUCTS_HEADER.format(n=n_funcs, pp=G.POINTS_PER_FUNC, seed=seed,
                                   constructs="\n".join(lines) + "\n", excluded=excluded)]
    parts.append(STRUCT_DECLS)
    if n_results:
        parts.append(RESULT_DECLS)
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(struct_case_entry(s)) + "\n\n")
    parts.append(STRUCTS_HARNESS)
    parts.append("\n/// Every generated function with its test points.\n")
    parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in specs) + "];\n")
    with open(out, "w") as f:
        f.write("".join(parts))
    subprocess.run(["rustfmt", "--edition", "2021", out], check=True, cwd=G.ROOT)
    n_calls = sum(1 for s in specs if s.call_depth > 0)
    n_methods = sum(1 for s in specs if s.method)
    sys.stderr.write(
        "wrote {}: {} functions ({} methods, {} with calls); redrawn: {} without test points, {} too long, {} "
        "excluded\n".format(os.path.relpath(out, G.ROOT), len(specs), n_methods, n_calls, discarded, too_long,
                            excluded_draws))
    for t in sorted(counts):
        sys.stderr.write("  {:5}  {}\n".format(counts[t], t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=STRUCTS_N_FUNCS, help="number of functions (experiments)")
    ap.add_argument("--seed", type=int, default=STRUCTS_SEED, help="(experiments)")
    ap.add_argument("--results", type=int, default=RESULTS_N_FUNCS,
                    help="number of functions of the second batch (experiments)")
    ap.add_argument("--out", default=STRUCTS_OUT, help="output file (experiments)")
    args = ap.parse_args()
    generate_structs(args.count, args.seed, os.path.abspath(args.out), args.results)


if __name__ == "__main__":
    main()
