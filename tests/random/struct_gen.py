"""The `structs` family's knobs, switches, struct types and first batch
(`StructGen`), and its test points; see `structs.py`."""


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
    # nested struct, 'n' a configuration count (#[ad(skip)] usize), 'cf'
    # and 'ca' skipped floats (#[ad(skip)] f64 and [f64; 2], constants read
    # in arithmetic and conditions)
    "Q": [("c", "f", 1), ("d", "a", 2)],
    "P": [("a", "f", 1), ("b", "f", 1), ("v", "v", VEC_LEN), ("w", "a", 3), ("inner", "Q", 0), ("n", "n", 0),
          ("lam", "cf", 1), ("mu", "ca", 2)],
    "T": [("0", "f", 1), ("1", "a", 3)],
}

STRUCT_DECLS = """\
/// A nested struct of parameters.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct Q {
    c: f64,
    d: [f64; 2],
}

/// The parameters: scalars, a `Vec`, an array, a nested struct, a
/// configuration count and skipped floats (constants to the derivatives).
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct P {
    a: f64,
    b: f64,
    v: Vec<f64>,
    w: [f64; 3],
    inner: Q,
    #[ad(skip)]
    n: usize,
    #[ad(skip)]
    lam: f64,
    #[ad(skip)]
    mu: [f64; 2],
}

/// A tuple struct.
#[derive(Clone, Debug, PartialEq, ad::Differentiable)]
struct T(f64, [f64; 3]);

/// The configuration count `P::n` at a test point with integer `k`.
fn count(k: usize) -> usize {
    k % 3 + 2
}

/// The skipped floats `P::lam` and `P::mu` at a test point with integer
/// `k` (exact in binary, as in the Python twin).
fn lam(k: usize) -> f64 {
    0.25 + 0.25 * (k % 3) as f64
}

fn mu(k: usize) -> [f64; 2] {
    [1.5 - lam(k), 0.125 + lam(k)]
}

/// A `P` of the point: its active fields from `z` (the flat order), `n`,
/// `lam` and `mu` from `k`.
fn p_at(z: &[f64], k: usize) -> P {
    let mut p = P {
        a: 0.0,
        b: 0.0,
        v: vec![0.0; 4],
        w: [0.0; 3],
        inner: Q { c: 0.0, d: [0.0; 2] },
        n: count(k),
        lam: lam(k),
        mu: mu(k),
    };
    p.copy_from_flat(z);
    p
}

/// A tangent `P` from `d`: its skipped floats garbage, which no derivative
/// may read.
fn p_dot(d: &[f64], k: usize) -> P {
    let mut t = p_at(d, k);
    t.lam = 1e3;
    t.mu = [1e3, -1e3];
    t
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
/// and skipped fields must be the primal's.
fn p_flat(g: &P, k: usize) -> Vec<f64> {
    assert_eq!(g.n, count(k), "the configuration field of a derivative");
    assert_eq!(g.lam, lam(k), "a skipped field of a derivative");
    assert_eq!(g.mu, mu(k), "a skipped field of a derivative");
    g.to_flat()
}

fn flat<S: Differentiable<Scalar = f64>>(s: &S) -> Vec<f64> {
    s.to_flat()
}

"""


# The row lengths of 2-D fields by kind (`struct_2d.py`'s), their flat
# order row by row.
ROWS = {}
# `Vec`s of structs by kind (`struct_net.py`'s): (the element's type, the
# length at the test points), their flat order element by element.
VECS = {}
# Skipped fields other than `SKIPPED`'s by kind: their value at a point's k.
CONSTS = {}


def flat_size(ty):
    n = 0
    for _, kind, length in LAYOUT[ty]:
        n += (flat_size(kind) if kind in LAYOUT else flat_size(VECS[kind][0]) * VECS[kind][1] if kind in VECS
              else 0 if kind in SKIPPED or kind in CONSTS else length)
    return n


SKIPPED = ("n", "cf", "ca")  # the kinds of #[ad(skip)] fields (not in the flat view)


def count_of(k):
    return k % 3 + 2


def lam_of(k):
    return 0.25 + 0.25 * (k % 3)


def mu_of(k):
    return [1.5 - lam_of(k), 0.125 + lam_of(k)]


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
        elif kind in VECS:
            kw[py_field(name)] = []
            for _ in range(VECS[kind][1]):
                e, vals = build(VECS[kind][0], vals, k)
                kw[py_field(name)].append(e)
        elif kind in CONSTS:
            kw[name] = CONSTS[kind](k)
        elif kind == "n":
            kw[name] = count_of(k)
        elif kind == "cf":
            kw[name] = lam_of(k)
        elif kind == "ca":
            kw[name] = mu_of(k)
        elif kind == "f":
            kw[py_field(name)], vals = vals[0], vals[1:]
        elif kind in ROWS:
            c = ROWS[kind]
            kw[py_field(name)], vals = [list(vals[i:i + c]) for i in range(0, length, c)], vals[length:]
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
        self.skipped = []  # skipped floats of the active struct (`p.lam`, `p.mu`)
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
            if kind in ("cf", "ca"):
                # a skipped float: a constant, read like a field of `cfg`
                if kind == "cf":
                    self.declare_scalar(full, False)
                else:
                    self.declare_array(Array(full, length, full + ".len()", False))
                self.inactive_fields.append(full)
                self.skipped.append(full)
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
            self.ftag("condition on a skipped float field `p.lam`" if f in self.skipped
                      else "condition on a field of a struct left out of wrt")
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
        if any(f in self.used for f in self.skipped):
            tags.append("struct: skipped float field read (`p.lam`, `p.mu[i]`)")
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
            # (`struct_cfg.LossParam`: the twin's value at k)
            args.append(p.py_arg(k) if hasattr(p, "py_arg") else k)
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
