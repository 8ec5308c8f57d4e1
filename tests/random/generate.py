#!/usr/bin/env python3
"""Randomized differential testing of `#[differentiate]` (issue 7).

Writes two test files, each with random differentiated functions and one
test that checks, for each at two points, forward mode, reverse mode and the
Hessian-vector product against each other and against central finite
differences:

  * `tests/random_functions.rs` (family `random`, N_FUNCS functions, SEED):
    every parameter active, scalars `f64`, a slice `x: &[f64]`, an integer k;
  * `tests/random_wrt.rs` (family `wrt`, WRT_N_FUNCS functions, WRT_SEED):
    `wrt(...)` lists that leave out parameters of every kind (`f64`, `&[f64]`,
    `[f64; N]`, `Vec<f64>`), `mut` parameters inside and outside `wrt`
    assigned active values (straight-line, in loops, in branches on active
    and inactive conditions, through calls) and read back, and in/out
    `&mut [f64]` buffers (Enzyme's `Duplicated`); then its idiom batch
    (WRT_N_IDIOM) and its remainder batch (WRT_N_REM: `%`, `%=`,
    `rem_euclid`, and the float methods `to_degrees`, `to_radians`, `fract`,
    `next_up`, `next_down`, `copysign`, `midpoint`, `sin_cos`, and `match` on active values); see "The `wrt` family" below the
    first family's code;
  * `tests/random_calls.rs` (family `calls`, CALLS_N_FUNCS functions,
    CALLS_SEED): helpers over arrays, i.e. calls of earlier functions of the
    family with `&[f64]`, `[f64; N]`, `Vec<f64>`, `&[f64; N]` and `f64`
    parameters (in and out of their `wrt`) passed as they are, borrowed,
    sub-sliced and by value, `Vec` and array results bound and read by
    element (explicit-Euler steps too), array patterns, destructuring
    assignment and blocks that update outer variables, `Vec`s grown with
    `push` and ranges of arrays passed as in/out buffers, and in a last
    batch nalgebra vectors and matrices (`&DVector<f64>`, `&DMatrix<f64>`
    parameters, `DVector<f64>`, `DMatrix<f64>` and `(DVector<f64>, f64)`
    results); see "The `calls` family" below the `wrt` family's code and
    "the `calls` family's nalgebra batch" after it.

    python3 tests/random/generate.py      # all three files, from the repository root
    python3 tests/random/generate.py --family wrt    # only tests/random_wrt.rs
    python3 tests/random/generate.py --family calls  # only tests/random_calls.rs
    python3 tests/random/generate.py --family checkpoint  # tests/random_checkpoint.rs
    python3 tests/random/generate.py --family checkpoint_wrt  # tests/random_checkpoint_wrt.rs

and, only by name, `tests/random_checkpoint.rs` (family `checkpoint`,
CHECKPOINT_N_FUNCS functions, CHECKPOINT_SEED): the first family's functions
with `#[checkpoint(snapshots = S)]` on most of their loops; and
`tests/random_checkpoint_wrt.rs` (family `checkpoint_wrt`,
CHECKPOINT_WRT_N_FUNCS functions, CHECKPOINT_WRT_SEED): the `wrt` family's
functions (parameters left out of `wrt`, `mut` parameters, buffers, calls)
with `#[checkpoint]` on the loops of the statements they share with the first
family.

(The checked-in `tests/random_calls.rs` is the full run's: the rounding
noise of `stable_under_rounding`, NOISE, is one generator for all families,
and `--family calls` alone starts it where the full run starts the `random`
family, which redraws some of its functions.)

Only the standard library is used (Python >= 3.11 for math.cbrt/math.exp2),
plus `rustfmt` from the Rust toolchain, which formats the output so that
`cargo fmt --check` leaves it alone. Every choice of a family comes from one
random.Random of its seed, so the output is the same byte for byte on every
run (on another platform, a libm that rounds differently could in rare cases
tip a point over one of the thresholds below and change the draws that
follow), and the two families draw from separate generators: one does not
move when the other changes. `--seed`, `--count` and `--out` (with `--family
random`, `wrt` or `calls`) are for experiments: the checked-in files have the
defaults.

How the functions stay testable
-------------------------------
Every generated function is emitted twice: as Rust, and as an equivalent
Python function that this script runs. The Python twin records every
decision that depends on an active value (conditions of `if`/`while` and the
kinks of abs/max/min/clamp/signum) together with its margin (the signed
distance to the threshold), and checks that every intermediate value is
finite and below BOUND in magnitude. A test point is kept only if
  * every recorded margin is at least MARGIN in magnitude, and
  * the sequence of decisions is the same at every point where the Rust test
    evaluates the function for its finite differences (the 4-point stencils
    along each coordinate and along the directions t and v, whose steps are
    computed as in `ad::check`) and at random points of a slightly larger box;
  * the finite differences are accurate there: their own error estimate
    (stencils at steps h and 2h) is FD_EST times below the test's tolerances
    (`smooth_enough`);
otherwise the point is redrawn, and after MAX_POINT_TRIES failures the
function is discarded and a new one drawn. The finite differences then only
ever see a smooth, well-resolved function, and a mismatch is a bug, not
noise. The twin's value at each point is written into the test too, which
checks that the Rust function computes it (so the twin, and the decisions it
recorded, are those of the Rust code). Functions longer than MAX_LINES are
redrawn, to keep the test's compile time down. Domains are safe by construction (ln, sqrt, ...
of values made positive, asin/acos/atanh of values squashed into (-0.9, 0.9),
divisions by positive values); a domain error in the Python twin is a bug of
this generator and stops it.
"""

import argparse
import math
import os
import random
import re
import subprocess
import sys
import zlib

SEED = 20240607
N_FUNCS = 500
POINTS_PER_FUNC = 2
BOUND = 1e4  # |every intermediate value| must stay below this
OUT_BOUND = 1e3  # |output| must stay below this
MARGIN = 1e-2  # minimum distance of active decisions to their threshold
MAX_POINT_TRIES = 40
MAX_LINES = 30  # longer functions are redrawn, to keep the test's compile time down
# Set for the `checkpoint` family: `#[checkpoint]` on loops (see `loop_stmt`).
CHECKPOINT = False
# How often an `if` or `match` arm whose value is bound leaves instead
# (`let u = if c { a } else { return b; };`): see `Gen.value_exit`.
VALUE_EXIT_P = 0.3
REL_STEP = 1e-3  # ad::check's finite-difference step
FD_EST = 1e-3  # estimated finite-difference error / tolerance must stay below this

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "random_functions.rs")

# ----------------------------------------------------------------------------
# The Python twin's runtime: decisions are recorded in TRACE.
# ----------------------------------------------------------------------------

TRACE = []


class Bad(Exception):
    """A value out of bounds: reject the point."""


# Rounding noise (relative) that `chk` adds to every value while PERTURB is
# set: a function whose result moves by much more under it is too badly
# conditioned to be compared with its Rust twin, whose libm rounds
# differently (see `stable_under_rounding`).
PERTURB = [0.0]
NOISE = random.Random(1)


def chk(v):
    if not math.isfinite(v) or abs(v) > BOUND:
        raise Bad()
    if PERTURB[0]:
        v *= 1.0 + PERTURB[0] * NOISE.uniform(-1.0, 1.0)
    return v


def stable_under_rounding(run, base):
    """Does `run()` (the twin at a point) stay within 1e-11 (relative) of
    its result `base` when every intermediate value is perturbed by 1e-14?
    Libm functions differ by an ulp between Python and Rust; the Rust test
    compares with the twin to 1e-9."""
    PERTURB[0] = 1e-14
    try:
        other = run()
    except Bad:
        other = None
    finally:
        PERTURB[0] = 0.0
    if other is None:
        return False
    ys = other[0] if isinstance(other[0], list) else [other[0]]
    bs = base[0] if isinstance(base[0], list) else [base[0]]
    return all(abs(a - b) <= 1e-11 * (1.0 + abs(b)) for a, b in zip(ys, bs))


def gt(a, b):
    TRACE.append((a - b, a > b))
    return a > b


def lt(a, b):
    TRACE.append((b - a, a < b))
    return a < b


def k_abs(x):
    TRACE.append((x, x >= 0.0))
    return abs(x)


def k_max(a, b):
    TRACE.append((a - b, a >= b))
    return max(a, b)


def k_min(a, b):
    TRACE.append((a - b, a <= b))
    return min(a, b)


def k_clamp(x, lo, hi):
    TRACE.append((x - lo, x >= lo))
    TRACE.append((hi - x, x <= hi))
    return min(max(x, lo), hi)


def k_signum(x):
    TRACE.append((x, x > 0.0))
    return 1.0 if x > 0.0 else -1.0


def k_rem(a, b):
    """Rust's `a % b` on floats (C's fmod). The value jumps where a / b is
    an integer: the decision is the quotient, its margin the distance of a
    to the nearest multiple of b."""
    q = a / b
    TRACE.append((abs(b) * min(q - math.floor(q), math.ceil(q) - q), math.trunc(q)))
    return math.fmod(a, b)


def k_rem_euclid(a, b):
    """Rust's `a.rem_euclid(b)` on floats; jumps as `k_rem`'s."""
    r = k_rem(a, b)
    return r + abs(b) if r < 0.0 else r


def k_fract(x):
    """Rust's `x.fract()`: jumps at the integers."""
    TRACE.append((min(x - math.floor(x), math.ceil(x) - x), math.trunc(x)))
    return x - math.trunc(x)


def k_copysign(a, b):
    """Rust's `a.copysign(b)`: a kink at a = 0, a jump at b = 0."""
    TRACE.append((a, a > 0.0))
    TRACE.append((b, b > 0.0))
    return math.copysign(a, b)


RUNTIME = {
    "math": math,
    "chk": chk,
    "gt": gt,
    "lt": lt,
    "k_abs": k_abs,
    "k_max": k_max,
    "k_min": k_min,
    "k_clamp": k_clamp,
    "k_signum": k_signum,
    "k_rem": k_rem,
    "k_rem_euclid": k_rem_euclid,
    "k_fract": k_fract,
    "k_copysign": k_copysign,
    "f_to_degrees": math.degrees,
    "f_to_radians": math.radians,
    "f_midpoint": lambda a, b: (a + b) / 2.0,
    "f_next_up": lambda x: math.nextafter(x, math.inf),
    "f_next_down": lambda x: math.nextafter(x, -math.inf),
    "f_sin": math.sin,
    "f_cos": math.cos,
    "f_tan": math.tan,
    "f_asin": math.asin,
    "f_acos": math.acos,
    "f_atan": math.atan,
    "f_sinh": math.sinh,
    "f_cosh": math.cosh,
    "f_tanh": math.tanh,
    "f_asinh": math.asinh,
    "f_acosh": math.acosh,
    "f_atanh": math.atanh,
    "f_exp": math.exp,
    "f_exp2": math.exp2,
    "f_exp_m1": math.expm1,
    "f_ln": math.log,
    "f_ln_1p": math.log1p,
    "f_log2": math.log2,
    "f_log10": math.log10,
    "f_sqrt": math.sqrt,
    "f_cbrt": math.cbrt,
    "f_recip": lambda x: 1.0 / x,
    "f_powi": lambda x, n: x**n,
    "f_powf": math.pow,
    "f_hypot": math.hypot,
    "f_atan2": math.atan2,
    "f_mul_add": lambda a, b, c: a * b + c,
    "f_log": lambda x, b: math.log(x) / math.log(b),
}

# ----------------------------------------------------------------------------
# Expressions: Rust text with its precedence, Python text (fully parenthesized).
# ----------------------------------------------------------------------------

ADD, MUL, CAST, UNARY, ATOM = 1, 2, 3, 4, 5


class E:
    """A scalar expression. `typed`: Rust knows it is an f64 (it mentions a
    variable or a cast), so a method may be called on it."""

    def __init__(self, rs, prec, py, typed, reads=None):
        self.rs, self.prec, self.py, self.typed = rs, prec, py, typed
        # reads a variable or an array (a cast of an integer is typed but
        # reads no float)
        self.reads = typed if reads is None else reads


def par(e, minprec):
    return e.rs if e.prec >= minprec else "(" + e.rs + ")"


def lit(v):
    s = repr(float(v))
    assert "e" not in s and "inf" not in s and "nan" not in s and not s.startswith("-"), s
    return E(s, ATOM, s, False)


def var(name):
    return E(name, ATOM, name, True)


def binop(op, a, b):
    prec = MUL if op in "*/" else ADD
    rs = par(a, prec) + " " + op + " " + par(b, prec + 1)
    return E(rs, prec, "(" + a.py + " " + op + " " + b.py + ")", a.typed or b.typed, a.reads or b.reads)


def rem(a, b):
    """`a % b`: Rust's precedence is that of `*` and `/`."""
    rs = par(a, MUL) + " % " + par(b, MUL + 1)
    return E(rs, MUL, "k_rem(" + a.py + ", " + b.py + ")", a.typed or b.typed, a.reads or b.reads)


def neg(a):
    return E("-" + par(a, ATOM), UNARY, "(-" + a.py + ")", a.typed, a.reads)


KINKS = {"abs": "k_abs", "max": "k_max", "min": "k_min", "clamp": "k_clamp", "signum": "k_signum",
         "rem_euclid": "k_rem_euclid", "fract": "k_fract", "copysign": "k_copysign"}


def method(name, recv, *args, static=False):
    pyf = KINKS.get(name, "f_" + name)
    py = pyf + "(" + ", ".join([recv.py] + [a.py for a in args]) + ")"
    if static or not recv.typed:
        rs = "f64::" + name + "(" + ", ".join([recv.rs] + [a.rs for a in args]) + ")"
    else:
        rs = par(recv, ATOM) + "." + name + "(" + ", ".join(a.rs for a in args) + ")"
    return E(rs, ATOM, py, True, recv.reads or any(a.reads for a in args))


def powi(recv, n):
    # `powi`'s exponent is an i32 literal.
    py = "f_powi(" + recv.py + ", " + str(n) + ")"
    if recv.typed:
        rs = par(recv, ATOM) + ".powi(" + str(n) + ")"
    else:
        rs = "f64::powi(" + recv.rs + ", " + str(n) + ")"
    return E(rs, ATOM, py, True, recv.reads)


class I:
    """An integer (inactive) expression."""

    def __init__(self, rs, prec, py):
        self.rs, self.prec, self.py = rs, prec, py


def ivar(name):
    return I(name, ATOM, name)


def ilit(n):
    return I(str(n), ATOM, str(n))


def ibin(op, a, b):
    prec = MUL if op in "*%" else ADD
    ra = a.rs if a.prec >= prec else "(" + a.rs + ")"
    rb = b.rs if b.prec > prec else "(" + b.rs + ")"
    return I(ra + " " + op + " " + rb, prec, "(" + a.py + " " + op + " " + b.py + ")")


def ilen(arr):
    return I(arr + ".len()", ATOM, "len(" + arr + ")")


def cast(i):
    rs = (i.rs if i.prec >= ATOM else "(" + i.rs + ")") + " as f64"
    return E(rs, CAST, "float(" + i.py + ")", True, False)


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


class Gen:
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


# ----------------------------------------------------------------------------
# Points
# ----------------------------------------------------------------------------


def args_of(spec, p, k):
    args = []
    at = 0
    for _, kind in spec.params:
        if kind == "f":
            args.append(p[at])
            at += 1
        elif kind == "s":
            args.append(list(p[at:at + spec.slice_len]))
            at += spec.slice_len
        else:
            args.append(k)
    return args


def run(fn, spec, p, k):
    """(value, decisions) or None if a value is out of bounds."""
    del TRACE[:]
    try:
        v = fn(*args_of(spec, p, k))
        if abs(v) > OUT_BOUND:
            return None
    except (Bad, OverflowError, ZeroDivisionError):
        return None
    return v, list(TRACE)


def step(x):
    h = REL_STEP * max(abs(x), 1.0)
    return (x + h) - x


def samples(p, t, v, rng):
    """Every point where the Rust test evaluates the function for finite
    differences, and random points of a box around p."""
    out = []
    for i, xi in enumerate(p):
        h = step(xi)
        for s in (-2.0 * h, -h, h, 2.0 * h):
            q = list(p)
            q[i] = xi + s
            out.append(q)
    xmax = max([1.0] + [abs(a) for a in p])
    for d in (t, v):
        dmax = max(abs(a) for a in d)
        h = REL_STEP * xmax / dmax
        for s in (-2.0 * h, -h, h, 2.0 * h):
            out.append([a + s * b for a, b in zip(p, d)])
    r = 3.0 * REL_STEP * xmax
    for _ in range(6):
        out.append([a + rng.uniform(-r, r) for a in p])
    return out


def value(fn, spec, p, k):
    r = run(fn, spec, p, k)
    if r is None:
        raise Bad()
    return r[0]


def smooth_enough(fn, spec, p, k, t, v):
    """Are the finite differences of the Rust test trustworthy at p?

    The 4-point stencil S(h) has truncation error ~ (S(h) - S(2h)) / 15; it
    must be FD_EST times below the tolerance of the test (1e-6) along every
    coordinate and along t and v. The Hessian check differentiates the
    gradient along v, one derivative more: the 5-point second difference
    along v, at steps 2h and 4h, must agree to FD_EST times below its
    tolerance (1e-5) too. Points where the function is too wiggly for finite
    differences at the test's step (as sin(50 b) is) are redrawn: a mismatch
    there would be noise, not a bug."""
    f = lambda q: value(fn, spec, q, k)
    xmax = max([1.0] + [abs(a) for a in p])
    dirs = []
    for i, xi in enumerate(p):
        e = [0.0] * len(p)
        e[i] = 1.0
        dirs.append((e, step(xi)))
    for d in (t, v):
        dirs.append((d, REL_STEP * xmax / max(abs(a) for a in d)))

    def at(d, s):
        return f([a + s * b for a, b in zip(p, d)])

    def first(d, h):
        return ((at(d, -2 * h) - at(d, 2 * h)) + 8.0 * (at(d, h) - at(d, -h))) / (12.0 * h)

    def second(d, h):
        return (-at(d, 2 * h) + 16.0 * at(d, h) - 30.0 * at(d, 0.0) + 16.0 * at(d, -h) - at(d, -2 * h)) / (12.0 * h * h)

    try:
        for d, h in dirs:
            s1, s2 = first(d, h), first(d, 2 * h)
            if abs(s1 - s2) / 15.0 > FD_EST * 1e-6 * max(1.0, abs(s1)):
                return False
        d, h = dirs[-1]
        d2, d4 = second(d, 2 * h), second(d, 4 * h)
        if abs(d2 - d4) / 240.0 > FD_EST * 1e-5 * max(1.0, abs(d2)):
            return False
    except Bad:
        return False
    return True


def num(rng, lo, hi):
    while True:
        v = round(rng.uniform(lo, hi), 4)
        if abs(v) >= 1e-3:
            return v


def find_points(spec, fn, rng):
    n = spec.n_active()
    pts = []
    for _ in range(MAX_POINT_TRIES):
        p = [num(rng, -1.5, 1.5) for _ in range(n)]
        k = rng.randint(0, 4)
        t = [num(rng, -1.0, 1.0) for _ in range(n)]
        v = [num(rng, -1.0, 1.0) for _ in range(n)]
        c = num(rng, 0.5, 2.0) * rng.choice([-1.0, 1.0])
        base = run(fn, spec, p, k)
        if base is None:
            continue
        decisions = [d for _, d in base[1]]
        if any(abs(m) < MARGIN for m, _ in base[1]):
            continue
        ok = True
        for q in samples(p, t, v, rng):
            other = run(fn, spec, q, k)
            if other is None or [d for _, d in other[1]] != decisions:
                ok = False
                break
        if not ok or not smooth_enough(fn, spec, p, k, t, v):
            continue
        pts.append((p, k, t, c, v, base[0]))
        if len(pts) == POINTS_PER_FUNC:
            return pts
    return None


# ----------------------------------------------------------------------------
# Rust output
# ----------------------------------------------------------------------------

HEADER = """\
//! Randomized differential testing (issue 7): {n} random `#[differentiate]`
//! functions, each checked at {pp} points by `random_functions_agree` below.
//!
//! @generated by `tests/random/generate.py` (seed {seed}); do not edit by hand.
//! Regenerate, byte for byte, from the repository root with
//!
//! ```text
//! python3 tests/random/generate.py
//! ```
//!
//! The functions mix arithmetic, every supported float method on safe domains,
//! branches on active and inactive values, `match`, loops of every kind with
//! overwritten accumulators, early `return`/`break`/`continue`, slices, local
//! arrays and calls to earlier generated functions. The generator runs a
//! Python twin of each function to choose its points: every active decision
//! (branch conditions, kinks of abs/max/min/clamp/signum) is at least 1e-2
//! from its threshold and the same at every finite-difference sample, and the
//! finite differences' own error estimate is far below the tolerances.
//!
//! Per point (`check_point`): (twin) `f` computes the twin's value, to 1e-9;
//! (value) `f`, `_jvp`, `_vjp`, `_grad` and `_hvp` return the same value, bit
//! for bit; (dot) <J t, c> = <t, J^T c> to 1e-10 of the terms' magnitude;
//! (vjp) `_vjp` with seed c is c times `_grad`, to 1e-12; (grad-fd) `_grad`
//! against `ad::check::check_gradient`, |error| <= 1e-6 (1 + |fd|); (jvp-fd)
//! `_jvp` along t against `ad::check::check_jvp`, the same; (hvp-fd) `_hvp`
//! along v against `check_jvp` of `_grad` along v (the 4-point stencil of
//! `fd_gradient` on every gradient component), |error| <= 1e-5 (1 + |fd|);
//! (hvp-grad) the gradient from `_hvp` is the one of `_grad`, to 1e-13;
//! (hvp-sym) <t, H v> = <v, H t> to 1e-10 of the terms' magnitude (the two
//! identities also allow 1e-12 absolute, for sums that are 0 by cancellation).
// Random code is not idiomatic: these lints flag its style (dead values,
// `a - a`, identical branches, constants close to PI / 4, ...), not bugs.
// `unused_braces` is tripped by the macro's output for an `if` value after an
// early `return` (`t = {{ 0.7 }};` in the generated code, spanned at the user's
// `else {{ 0.7 }}`).
#![allow(
    unused_assignments,
    unused_braces,
    unused_mut,
    unused_variables,
    clippy::approx_constant,
    clippy::collapsible_if,
    clippy::eq_op,
    clippy::if_same_then_else,
    clippy::let_and_return,
    clippy::manual_is_multiple_of,
    clippy::manual_slice_fill,
    clippy::misrefactored_assign_op,
    clippy::useless_vec
)]

use ad::check;
use ad::differentiate;

"""

HARNESS = r"""
// ----- the checks ------------------------------------------------------------

type F = fn(&[f64], usize) -> f64;
type Jvp = fn(&[f64], &[f64], usize) -> (f64, f64);
type Vjp = fn(&[f64], usize, f64) -> (f64, Vec<f64>);
type Grad = fn(&[f64], usize) -> (f64, Vec<f64>);
type Hvp = fn(&[f64], &[f64], usize) -> (f64, Vec<f64>, Vec<f64>);

/// A test point: the active inputs flattened (`x`), the inactive integer
/// (`k`), a tangent `t`, an output cotangent `c`, a direction `v` for the
/// Hessian-vector product, and the value of the function at `x` computed by
/// the generator's Python twin of it.
struct Point {
    x: &'static [f64],
    k: usize,
    t: &'static [f64],
    c: f64,
    v: &'static [f64],
    value: f64,
}

/// A generated function seen through flat vectors of its active inputs.
struct Case {
    name: &'static str,
    f: F,
    jvp: Jvp,
    vjp: Vjp,
    grad: Grad,
    hvp: Hvp,
    points: [Point; 2],
}

fn cat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// |a - b| <= tol * (sum of the magnitudes of the terms of the sums), plus
/// 1e-12 for sums whose exact value is 0 (a Hessian that vanishes by
/// cancellation is rounding noise of the size of its cancelled terms).
fn same_sum(a: f64, b: f64, scale: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * scale + 1e-12
}

const NAMES: [&str; 9] = [
    "twin", "value", "dot", "vjp", "grad-fd", "jvp-fd", "hvp-fd", "hvp-grad", "hvp-sym",
];

/// Runs every check of `case` at `p`; returns a message per mismatch and
/// counts the checks per kind.
fn check_point(case: &Case, which: usize, p: &Point, counts: &mut [usize; 9]) -> Vec<String> {
    let mut out = Vec::new();
    let mut fail = |kind: usize, what: String| {
        out.push(format!(
            "{} point {which} ({}) x = {:?}, k = {}: {what}",
            case.name, NAMES[kind], p.x, p.k
        ))
    };
    let f = |x: &[f64]| (case.f)(x, p.k);
    let value = f(p.x);
    let (vj, jt) = (case.jvp)(p.x, p.t, p.k);
    let (vv, jtc) = (case.vjp)(p.x, p.k, p.c);
    let (vg, g) = (case.grad)(p.x, p.k);
    let (vh, gh, hv) = (case.hvp)(p.x, p.v, p.k);
    let (_, _, ht) = (case.hvp)(p.x, p.t, p.k);

    // The generator chose the point with its Python twin of the function:
    // both must compute the same function (up to the rounding of libm).
    counts[0] += 1;
    if (value - p.value).abs() > 1e-9 * (1.0 + p.value.abs()) {
        fail(0, format!("f {value:e} but the generator's twin computed {:e}", p.value));
    }

    counts[1] += 1;
    if [vj, vv, vg, vh].iter().any(|v| v.to_bits() != value.to_bits()) {
        fail(1, format!("f {value:e}, jvp {vj:e}, vjp {vv:e}, grad {vg:e}, hvp {vh:e}"));
    }

    counts[2] += 1;
    let lhs = jt * p.c;
    let rhs = dot(p.t, &jtc);
    let scale = lhs.abs() + p.t.iter().zip(&jtc).map(|(a, b)| (a * b).abs()).sum::<f64>();
    if !same_sum(lhs, rhs, scale, 1e-10) {
        fail(2, format!("<J t, c> = {lhs:e} but <t, J^T c> = {rhs:e}"));
    }

    counts[3] += 1;
    let cg: Vec<f64> = g.iter().map(|gi| p.c * gi).collect();
    let report = check::compare(&jtc, &cg);
    if !report.is_close(1e-12, 1e-12) {
        fail(3, format!("vjp(c) vs c grad: {report}"));
    }

    counts[4] += 1;
    let report = check::check_gradient(f, p.x, &g);
    if !report.is_close(1e-6, 1e-6) {
        fail(4, format!("grad vs finite differences: {report}"));
    }

    counts[5] += 1;
    let report = check::check_jvp(|x| vec![f(x)], p.x, p.t, &[jt]);
    if !report.is_close(1e-6, 1e-6) {
        fail(5, format!("jvp along t = {:?} vs finite differences: {report}", p.t));
    }

    counts[6] += 1;
    let report = check::check_jvp(|x| (case.grad)(x, p.k).1, p.x, p.v, &hv);
    if !report.is_close(1e-5, 1e-5) {
        fail(6, format!("hvp along v = {:?} vs finite differences of grad: {report}", p.v));
    }

    counts[7] += 1;
    let report = check::compare(&gh, &g);
    if !report.is_close(1e-13, 1e-13) {
        fail(7, format!("hvp's gradient vs grad: {report}"));
    }

    counts[8] += 1;
    let (uhv, vhu) = (dot(p.t, &hv), dot(p.v, &ht));
    let scale = p.t.iter().zip(&hv).map(|(a, b)| (a * b).abs()).sum::<f64>()
        + p.v.iter().zip(&ht).map(|(a, b)| (a * b).abs()).sum::<f64>();
    if !same_sum(uhv, vhu, scale, 1e-10) {
        fail(8, format!("<t, H v> = {uhv:e} but <v, H t> = {vhu:e}"));
    }
    out
}

#[test]
fn random_functions_agree() {
    let mut counts = [0usize; 9];
    let mut mismatches = Vec::new();
    for case in CASES {
        for (which, p) in case.points.iter().enumerate() {
            mismatches.extend(check_point(case, which, p, &mut counts));
        }
    }
    let checks: usize = counts.iter().sum();
    println!(
        "random_functions: {} functions, {} points, {checks} checks ({}), {} mismatches",
        CASES.len(),
        2 * CASES.len(),
        NAMES
            .iter()
            .zip(counts)
            .map(|(n, c)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        mismatches.len()
    );
    for m in &mismatches {
        println!("MISMATCH {m}");
    }
    assert!(mismatches.is_empty(), "{} mismatches (listed above)", mismatches.len());
}
"""


def rust_float(v):
    """A Rust f64 literal of v (`1e-05` is `1e-5`; `1.0` stays `1.0`)."""
    s = repr(v)
    if "e" in s:
        m, e = s.split("e")
        s = m + "e" + str(int(e))
    return s


def fmt_list(xs):
    return "&[" + ", ".join(repr(float(x)) for x in xs) + "]"


def adapters(spec):
    """The closures of a `Case` entry."""
    call_args, jvp_args, bars, hvs = [], [], [], []
    at = 0
    for i, (name, kind) in enumerate(spec.params):
        if kind == "f":
            call_args.append("p[{}]".format(at))
            jvp_args += ["p[{}]".format(at), "d[{}]".format(at)]
            bars.append(("g{}".format(i), "&[g{}]".format(i)))
            hvs.append(("h{}".format(i), "&[h{}]".format(i)))
            at += 1
        elif kind == "s":
            rng = "{}..{}".format(at, at + spec.slice_len)
            call_args.append("&p[{}]".format(rng))
            jvp_args += ["&p[{}]".format(rng), "&d[{}]".format(rng)]
            bars.append(("g{}".format(i), "&g{}".format(i)))
            hvs.append(("h{}".format(i), "&h{}".format(i)))
            at += spec.slice_len
        else:
            call_args.append("k")
            jvp_args.append("k")
    k = "k" if any(kind == "k" for _, kind in spec.params) else "_"
    n = spec.name
    g_names = ", ".join(b for b, _ in bars)
    g_cat = "cat(&[" + ", ".join(c for _, c in bars) + "])"
    h_names = ", ".join(h for h, _ in hvs)
    h_cat = "cat(&[" + ", ".join(c for _, c in hvs) + "])"
    hvp_args = []
    for a in jvp_args:
        hvp_args.append(a)
    lines = [
        "f: |p, {k}| {n}({a}),".format(k=k, n=n, a=", ".join(call_args)),
        "jvp: |p, d, {k}| {n}_jvp({a}),".format(k=k, n=n, a=", ".join(jvp_args)),
        "vjp: |p, {k}, c| {{ let (v, {g}) = {n}_vjp({a}); (v, {gc}) }},".format(
            k=k, n=n, g=g_names, a=", ".join(call_args + ["c"]), gc=g_cat),
        "grad: |p, {k}| {{ let (v, {g}) = {n}_grad({a}); (v, {gc}) }},".format(
            k=k, n=n, g=g_names, a=", ".join(call_args), gc=g_cat),
        "hvp: |p, d, {k}| {{ let (v, {g}, {h}) = {n}_hvp({a}); (v, {gc}, {hc}) }},".format(
            k=k, n=n, g=g_names, h=h_names, a=", ".join(hvp_args), gc=g_cat, hc=h_cat),
    ]
    return lines


def case_entry(spec):
    """The function's `Case`, a `const` of its own: one static initializer
    with all 2500 closures type-checks in time quadratic in their number."""
    out = ["const {}: Case = Case {{".format(spec.name.upper()), '    name: "{}",'.format(spec.name)]
    out += ["    " + line for line in adapters(spec)]
    out.append("    points: [")
    for p, k, t, c, v, value in spec.points:
        # 12 digits: the test compares to 1e-9, and libm's last bits vary.
        out.append("        Point {{ x: {}, k: {}, t: {}, c: {}, v: {}, value: {} }},".format(
            fmt_list(p), k, fmt_list(t), repr(float(c)), fmt_list(v), rust_float(float("%.12g" % value))))
    out.append("    ],")
    out.append("};")
    return out


def generate_random(n_funcs, seed, out, header=None):
    """The first family: tests/random_functions.rs (and, with CHECKPOINT
    set and its own header, the `checkpoint` family)."""
    global N_FUNCS, SEED, OUT
    N_FUNCS, SEED, OUT = n_funcs, seed, out
    rng = random.Random(SEED)
    specs = []
    namespace = dict(RUNTIME)
    discarded = 0
    too_long = 0
    while len(specs) < N_FUNCS:
        name = "r{:03}".format(len(specs))
        callees = [s for s in specs if s.callable and s.call_depth < 3]
        callees = callees[-40:]
        spec = Gen(rng, name, callees).function()
        if spec.rust.count("\n") > MAX_LINES:
            too_long += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
        except SyntaxError:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        fn = ns[name]
        try:
            pts = find_points(spec, fn, rng)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = fn
        specs.append(spec)

    parts = [(header or HEADER).format(n=N_FUNCS, pp=POINTS_PER_FUNC, seed=SEED)]
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(case_entry(s)) + "\n\n")
    parts.append(HARNESS)
    parts.append("\n/// Every generated function with its test points.\n")
    parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in specs) + "];\n")
    with open(OUT, "w") as f:
        f.write("".join(parts))
    subprocess.run(["rustfmt", "--edition", "2021", OUT], check=True, cwd=ROOT)
    n_slice = sum(1 for s in specs if any(k == "s" for _, k in s.params))
    n_calls = sum(1 for s in specs if s.call_depth > 0)
    sys.stderr.write(
        "wrote {}: {} functions ({} with a slice, {} with calls); redrawn: {} without "
        "test points, {} too long\n".format(
            os.path.relpath(OUT, ROOT), len(specs), n_slice, n_calls, discarded, too_long))


# ----------------------------------------------------------------------------
# The `checkpoint` family (tests/random_checkpoint.rs): the first family's
# functions with `#[checkpoint(snapshots = S)]` on most of their loops
# ----------------------------------------------------------------------------

CHECKPOINT_SEED = 20261205
CHECKPOINT_N_FUNCS = 150
CHECKPOINT_OUT = os.path.join(ROOT, "tests", "random_checkpoint.rs")
CHECKPOINT_HEADER = HEADER.replace(
    "//! Randomized differential testing (issue 7): {n} random `#[differentiate]`\n"
    "//! functions, each checked at {pp} points by `random_functions_agree` below.\n",
    "//! Randomized differential testing of `#[checkpoint]` (issue 21): {n} random\n"
    "//! `#[differentiate]` functions of the first family (`random_functions.rs`)\n"
    "//! with `#[checkpoint(snapshots = S)]`, S from 1 to 3, on most of their\n"
    "//! loops over ascending ranges, `while` and `loop` (nested ones too), each\n"
    "//! checked at {pp} points by `random_functions_agree` below.\n").replace(
    "//! python3 tests/random/generate.py\n", "//! python3 tests/random/generate.py --family checkpoint\n")


def generate_checkpoint(n_funcs, seed, out):
    """The `checkpoint` family: tests/random_checkpoint.rs."""
    global CHECKPOINT
    CHECKPOINT = True
    try:
        generate_random(n_funcs, seed, out, CHECKPOINT_HEADER)
    finally:
        CHECKPOINT = False


CHECKPOINT_WRT_SEED = 20261206
CHECKPOINT_WRT_N_FUNCS = 300
CHECKPOINT_WRT_OUT = os.path.join(ROOT, "tests", "random_checkpoint_wrt.rs")


def generate_checkpoint_wrt(n_funcs, seed, out):
    """The `checkpoint_wrt` family: tests/random_checkpoint_wrt.rs, the `wrt`
    family's functions (parameters left out of `wrt(...)`, `mut` parameters,
    buffers, calls) with `#[checkpoint(snapshots = S)]` on most loops."""
    global CHECKPOINT
    header = WRT_HEADER.replace(
        "//! Randomized differential testing of activity: {n} random `#[differentiate]`\n",
        "//! Randomized differential testing of `#[checkpoint]` with activity: {n} random\n"
        "//! `#[differentiate]` functions, with `#[checkpoint(snapshots = S)]`, S from 1 to 3,\n"
        "//! on most of their loops over ascending ranges, `while` and `loop`, and\n").replace(
        "(family `wrt`, seed {seed})", "(family `checkpoint_wrt`, seed {seed})").replace(
        "//! edit by hand. Regenerate, byte for byte, with `tests/random_functions.rs`,\n"
        "//! from the repository root with\n",
        "//! edit by hand. Regenerate, byte for byte, from the repository root with\n").replace(
        "//! python3 tests/random/generate.py\n", "//! python3 tests/random/generate.py --family checkpoint_wrt\n")
    CHECKPOINT = True
    try:
        generate_wrt(n_funcs, seed, out, n_idiom=0, header=header, n_rem=0)
    finally:
        CHECKPOINT = False


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


# ----- the `wrt` family's idiom batch (issue 20) ---------------------------------
#
# WRT_N_IDIOM functions drawn after the others, from their own generator
# (WRT_IDIOM_SEED; the first WRT_N_FUNCS stay as they were, and NOISE is put
# back afterwards, so the `calls` family does not move either), whose
# statements may also be: array patterns of `[f64; N]` parameters in and out
# of `wrt` (`let [e1, _, e3, ..] = p;`), macros that observe values
# (`assert!`, `debug_assert!`, `assert_ne!`, `assert_eq!`, `format!`, and
# `println!` behind a condition that never holds), deferred initialisation
# (`let u; if c { u = .. } else { u = .. }`, `let u: f64; u = ..;`), a
# `loop` used as a value (`break e` behind an active condition and at a
# trip count, `return` inside it) and labelled `break 'o` / `continue 'o`
# from an inner loop; all of them straight-line, in loops and in branches.
# `while let Some(j) = st.pop()` drains a stack of indices (maybe labelled,
# with a `continue` behind a condition). Loop bodies may start with an
# integer offset (`let o3 = 2 * i0 + 1;`, maybe `+ k`), which later
# indices, casts and conditions read, in nested blocks too: an inactive `let` the reverse sweep computes again at the top
# of its block instead of saving it.

WRT_IDIOM_SEED = 20260120
WRT_N_IDIOM = 80

# ----- the `wrt` family's remainder batch -----------------------------------------
#
# WRT_N_REM functions drawn after the idiom batch, from their own generator
# (WRT_REM_SEED; the functions before stay as they were), whose expressions
# may also be remainders: `a % b` and `a.rem_euclid(b)` with a constant or an
# active divisor (positive or negative), and `%=` statements; and the other
# float methods of this batch: `to_degrees`, `to_radians`, `fract`,
# `next_up`, `next_down`, `a.copysign(b)`, `a.midpoint(b)` and `let (s, c) = e.sin_cos();` (also `f64::sin_cos(e)`);
# and `match` statements on active values whose arms bind the value (`v if v
# > c => ..`, `mut w => ..`); anywhere the idiom batch writes (in loops and branches, on parameters in
# and out of `wrt`, in functions that call others). Remainders and `fract`
# jump at multiples of the divisor (of 1), `copysign` at b = 0 and has a kink
# at a = 0: test points keep at least MARGIN from every jump and kink, and
# the nearby points of the finite differences stay on the same side.

WRT_REM_SEED = 20261206
WRT_N_REM = 60


class IdiomGen(WrtGen):
    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.45 and len(self.scopes) < 4:
            kinds = ["pattern"] * 3 + ["observe", "deferred"] * 2
            if loop_ok and len(self.loops) < 2:
                kinds += ["loop_value", "loop_value", "labelled", "labelled"] + ["while_let"] * 3
            if self.loops and any(v != "k" for v in self.ints):
                kinds += ["offset"] * 2
            kind = self.pick(kinds)
            if kind == "offset":
                return self.offset()
            if kind == "pattern":
                return self.array_pattern()
            if kind == "observe" and self.scalars:
                return self.observe()
            if kind == "deferred":
                return self.deferred()
            if kind == "loop_value":
                return self.loop_value()
            if kind == "labelled":
                return self.labelled()
            if kind == "while_let":
                return self.while_let()
        super().stmt(nested, loop_ok)

    def exit_stmt(self):
        # Inside a `loop` used as a value, `break;` has no value: only
        # `return` (or, in a function without a result, a buffer write).
        if self.loops and self.loops[-1] == "value":
            saved = self.loops
            self.loops = []
            try:
                return super().exit_stmt()
            finally:
                self.loops = saved
        return super().exit_stmt()

    def pattern_params(self):
        names = [a.name for a in self.arrays]
        return [p for p in self.wparams if p.kind == "a" and p.name in names]

    def array_pattern(self):
        params = self.pattern_params()
        if params and self.r() < 0.6:
            p = self.pick(params)
            name, length = p.name, p.length
            self.used.add(p.name)
            what = "a [f64; N] parameter ({})".format("active" if p.active else "left out of wrt")
        else:
            # a local array of expressions
            name, length = self.fresh("w"), self.rng.randint(2, 4)
            es = [self.expr(2) for _ in range(length)]
            self.emit("let {}: [f64; {}] = [{}];".format(name, length, ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(name, ", ".join("chk({})".format(e.py) for e in es)))
            what = "a local array"
        rest = self.r() < 0.4
        n = self.rng.randint(1, length - 1) if rest else length
        elems, bound = [], []
        for i in range(n):
            if self.r() < 0.7 or (i == n - 1 and not bound):
                u = self.fresh("e")
                elems.append(u)
                bound.append((u, i))
            else:
                elems.append("_")
        if rest:
            elems.append("..")
        self.tags.append("idiom: array pattern of " + what + (" in a loop" if self.loops else ""))
        self.emit("let [{}] = {};".format(", ".join(elems), name),
                  "; ".join("{} = chk({}[{}])".format(u, name, i) for u, i in bound))
        for u, _ in bound:
            self.declare_scalar(u, False)
            self.wrote(u)

    def open_block(self, rs, py, loop=None, counter=None):
        super().open_block(rs, py, loop, counter)
        if counter is not None and self.r() < 0.5:
            self.offset()

    def offset(self):
        """`let o = 2 * i0 + 1;` in a loop: an integer offset (inactive),
        which the indices, casts and conditions after it read, in this block
        and in nested ones."""
        a = ivar(self.pick([v for v in self.ints if v != "k"]))
        self.used.add(a.rs)
        e = ibin("+", ibin("*", ilit(self.rng.randint(2, 3)), a), ilit(self.rng.randint(1, 3)))
        if len(self.ints) > 1 and self.r() < 0.4:
            e = ibin("+", e, self.int_var())
        o = self.fresh("o")
        self.emit("let {} = {};".format(o, e.rs), "{} = {}".format(o, e.py))
        self.declare_int(o)
        self.tags.append("idiom: integer offset let in a loop" + (" (nested loop)" if len(self.loops) > 1 else ""))

    def observe(self):
        s = self.pick(self.scalars)
        c = self.r()
        if c < 0.2:
            self.emit('assert!({s}.is_finite(), "{s} = {{}}", {s});'.format(s=s))
        elif c < 0.35:
            self.emit('debug_assert!({s}.abs() < 1e9, "{{{s}:.3}}");'.format(s=s))
        elif c < 0.5:
            self.emit("assert_ne!({}, f64::INFINITY);".format(s))
        elif c < 0.65 and self.ints:
            k = self.pick(self.ints)
            self.used.add(k)
            self.emit('assert_eq!({k}, {k}, "{{{k}}} {{}}", {s});'.format(k=k, s=s))
        elif c < 0.8:
            f = self.fresh("text")
            self.emit('let {f} = format!("{{{s}:.4}}");'.format(f=f, s=s))
            self.emit("assert!(!{}.is_empty());".format(f))
        else:
            self.emit('if {s}.is_nan() {{ println!("{s} = {{{s}}}"); }}'.format(s=s))
        self.used.add(s)
        self.tags.append("idiom: assert!/format!/println!" + (" in a loop" if self.loops else ""))

    def deferred(self):
        u = self.fresh()
        if self.r() < 0.35:
            e = self.expr(2)
            self.emit("let {}: f64;".format(u))
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.tags.append("idiom: deferred let, straight-line")
        else:
            ty = ": f64" if self.r() < 0.5 else ""
            self.emit("let {}{};".format(u, ty))
            rs, py = self.cond()
            self.emit("if " + rs + " {", "if " + py + ":")
            self.push()
            e = self.expr(2)
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            e = self.expr(2)
            if not e.typed and not ty:
                e = binop("*", e, lit(1.0))
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.pop()
            self.emit("}")
            self.tags.append("idiom: deferred let, in branches" + (" in a loop" if self.loops else ""))
        self.declare_scalar(u, False)
        self.wrote(u)

    def loop_value(self):
        acc = self.let(self.expr(1) if self.r() < 0.5 else lit(0.5), mutable=True)
        j = self.fresh("j")
        n = self.rng.randint(2, 4)
        u = self.fresh()
        self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
        self.emit("let {} = loop {{".format(u), "while True:")
        self.loops.append("value")
        self.push()
        start = len(self.py)
        self.update(acc)
        if self.r() < 0.4:
            self.stmt(nested=True, loop_ok=False)
        self.emit("{} += 1;".format(j), "{} += 1".format(j))
        if self.r() < 0.5:
            rs, py = self.cond()
            e = binop("+", var(acc), self.expr(1))
            self.emit("if " + rs + " {", "if " + py + ":")
            self.emit("    break {};".format(e.rs), "    {} = chk({})".format(u, e.py))
            self.emit(None, "    break")
            self.emit("}")
        e = binop("*", var(acc), self.expr(1))
        self.emit("if {} >= {} {{".format(j, n), "if {} >= {}:".format(j, n))
        self.emit("    break {};".format(e.rs), "    {} = chk({})".format(u, e.py))
        self.emit(None, "    break")
        self.emit("}")
        self.pop()
        self.loops.pop()
        self.emit("};")
        self.used.add(acc)
        self.declare_scalar(u, False)
        self.wrote(u)
        self.tags.append("idiom: loop as a value" + (" in a loop" if self.loops else ""))

    def while_let(self):
        """`while let Some(j) = st.pop()` over a stack of indices (inactive,
        a `Vec<usize>`), maybe labelled, the body reading elements at `j`
        and maybe skipping a round (`continue`) behind a condition."""
        acc = self.ensure_mut()
        st, j = self.fresh("st"), self.fresh("j")
        ks = [str(self.rng.randint(0, 5)) for _ in range(self.rng.randint(1, 4))]
        self.emit("let mut {} = vec![{}usize{}];".format(st, ks[0], "".join(", " + k for k in ks[1:])),
                  "{} = [{}]".format(st, ", ".join(ks)))
        cont = self.r() < 0.4
        label = self.fresh("o") if cont and self.r() < 0.5 else None
        head = "'{}: ".format(label) if label else ""
        self.emit("{}while let Some({}) = {}.pop() {{".format(head, j, st), "while {}:".format(st))
        self.loops.append("counted")
        self.push()
        self.emit(None, "{} = {}.pop()".format(j, st))
        self.declare_int(j)
        self.used.add(j)
        if cont:
            rs, py = self.cond()
            self.emit("if " + rs + " {", "if " + py + ":")
            self.emit("    continue{};".format(" '" + label if label else ""), "    continue")
            self.emit("}")
        self.update(acc)
        if self.r() < 0.4:
            self.stmt(nested=True, loop_ok=False)
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.wrote(acc)
        self.tags.append("idiom: while let Some(j) = stack.pop()" + (" (labelled)" if label else "")
                         + (" in a loop" if self.loops else ""))

    def labelled(self):
        acc = self.ensure_mut()
        label = self.fresh("o")
        flag = "_" + self.fresh("f")
        cont = self.r() < 0.5
        v = "i" + str(len(self.loops))
        n = self.rng.randint(2, 4)
        self.emit("'{}: for {} in 0..{} {{".format(label, v, n), "for {} in range(0, {}):".format(v, n))
        self.loops.append("for")
        self.push()
        self.declare_int(v)
        self.used.add(v)
        self.emit(None, "{} = False".format(flag))
        self.update(acc)
        w = "i" + str(len(self.loops))
        m = self.rng.randint(2, 3)
        self.emit("for {} in 0..{} {{".format(w, m), "for {} in range(0, {}):".format(w, m))
        self.loops.append("for")
        self.push()
        self.declare_int(w)
        self.used.add(w)
        rs, py = self.cond()
        self.emit("if " + rs + " {", "if " + py + ":")
        self.emit("    {} '{};".format("continue" if cont else "break", label), "    {} = True".format(flag))
        self.emit(None, "    break")
        self.emit("}")
        self.update(acc)
        self.pop()
        self.loops.pop()
        self.emit("}", "if {}:".format(flag))
        self.emit(None, "    " + ("continue" if cont else "break"))
        if self.r() < 0.6:
            self.update(acc)
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.wrote(acc)
        self.tags.append("idiom: labelled {} from an inner loop".format("continue" if cont else "break")
                         + (" in a loop" if self.loops else ""))


# ----- points of the `wrt` family ------------------------------------------------


def wrt_args(spec, z, q, k):
    """The twin's arguments, and the buffers (lists the twin writes)."""
    args, bufs = [], []
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            args.append(k)
            continue
        if p.in_z():
            vals, zat = z[zat:zat + p.size()], zat + p.size()
        else:
            vals, qat = q[qat:qat + p.size()], qat + p.size()
        if p.kind == "f":
            args.append(vals[0])
        elif p.kind in "mn":
            args.append([list(vals[i * p.cols:(i + 1) * p.cols]) for i in range(p.rows)])
        elif p.kind == "V":
            args.append(Mat.col(list(vals)))
        elif p.kind == "M":
            args.append(Mat.colmajor(p.rows, p.cols, list(vals)))
        else:
            args.append(list(vals))
            if p.kind == "b":
                bufs.append(args[-1])
    return args, bufs


def wrt_run(fn, spec, z, q, k):
    """(outputs, decisions) or None if a value is out of bounds."""
    del TRACE[:]
    try:
        args, bufs = wrt_args(spec, z, q, k)
        r = fn(*args)
        ys = ([] if spec.unit else [r]) + [y for b in bufs for y in b]
        if any(not math.isfinite(y) or abs(y) > OUT_BOUND for y in ys):
            return None
    except (Bad, OverflowError, ZeroDivisionError):
        return None
    return ys, list(TRACE)


def wrt_dirs(z, t, v, scalar):
    """The directions and steps of the Rust test's finite differences:
    `check_gradient`'s per coordinate (scalar functions), `fd_jvp`'s along
    each unit vector, along t, and along v (scalar functions)."""
    xmax = max([1.0] + [abs(a) for a in z])
    dirs = []
    for i, zi in enumerate(z):
        e = [0.0] * len(z)
        e[i] = 1.0
        if scalar:
            dirs.append((e, step(zi), "grad"))
        dirs.append((e, REL_STEP * xmax, "col"))
    dirs.append((t, REL_STEP * xmax / max(abs(a) for a in t), "t"))
    if scalar:
        dirs.append((v, REL_STEP * xmax / max(abs(a) for a in v), "v"))
    return dirs


class RemGen(IdiomGen):
    """A function of the remainder batch (see WRT_REM_SEED)."""

    def divisor(self, depth):
        """A constant or an active divisor, maybe negative, at least about
        0.3 in magnitude."""
        if self.r() < 0.5:
            b = lit(self.const(0.3, 1.5))
        else:
            b = self.positive(self.expr(depth))
            self.tags.append("rem: an active divisor")
        return neg(b) if self.r() < 0.3 else b

    def expr(self, depth):
        if depth > 0 and self.r() < 0.15:
            d = depth - 1
            a, b = self.expr(d), self.divisor(d - 1)
            # A dividend of a few divisors: quotients other than 0, so the
            # partial in the divisor is not 0.
            if self.r() < 0.6:
                a = binop("*", lit(self.const(2.0, 6.0)), a)
            if self.r() < 0.3:
                # Also as `f64::rem_euclid(a, b)`.
                static = self.r() < 0.4
                self.tags.append("rem: f64::rem_euclid(a, b)" if static else "rem: a.rem_euclid(b)")
                return method("rem_euclid", a, b, static=static)
            self.tags.append("rem: a % b")
            return rem(a, b)
        if depth > 0 and self.r() < 0.12:
            d = depth - 1
            f = self.pick(["to_degrees", "to_radians", "fract", "copysign", "midpoint", "next_up", "next_down"])
            self.tags.append("method: " + f)
            if f == "to_degrees":
                return binop("*", lit(self.const(0.005, 0.03)), method(f, self.expr(d)))
            if f == "to_radians":
                return method(f, binop("*", lit(self.const(10.0, 60.0)), self.expr(d)))
            if f == "fract":
                return method(f, binop("*", lit(self.const(1.0, 4.0)), self.expr(d)))
            if f in ("next_up", "next_down"):
                return method(f, self.expr(d))
            return method(f, self.expr(d), self.expr(d - 1))
        return super().expr(depth)

    def match_on_active(self):
        """`match e { v if v > c => acc += .. v .., w => { acc -= .. w .. } }`
        on an active value: the arms' tests are branch decisions, their
        bindings the value itself (maybe `mut`, assigned in the arm)."""
        acc = self.ensure_mut()
        e = self.expr(2)
        m, v, w = self.fresh("m"), self.fresh("v"), self.fresh("v")
        c = self.const(-0.8, 0.8)
        c = -c if self.r() < 0.5 else c
        self.emit("match {} {{".format(e.rs), "{} = chk({})".format(m, e.py))
        self.emit("    {} if {} > {} => {{".format(v, v, rust_float(c)), "if gt({}, {}):".format(m, c))
        self.push()
        self.emit(None, "{} = {}".format(v, m))
        self.declare_scalar(v, False)
        self.used.add(v)
        self.assign(acc, "+", binop("*", var(v), self.expr(1)))
        self.pop()
        self.emit("    }", "else:")
        mutable = self.r() < 0.5
        self.emit("    {}{} => {{".format("mut " if mutable else "", w))
        self.push()
        self.emit(None, "{} = {}".format(w, m))
        self.declare_scalar(w, mutable)
        self.used.add(w)
        if mutable:
            self.assign(w, "*", self.factor())
        self.assign(acc, "-", binop("*", var(w), self.expr(1)))
        self.pop()
        self.emit("    }")
        self.emit("}")
        self.tags.append("match: on an active value, bindings {}".format("mut" if mutable else "plain"))

    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.12:
            return self.match_on_active()
        if self.r() < 0.1:
            # `let (s, c) = e.sin_cos();`, maybe as `f64::sin_cos(e)`.
            e = self.expr(2)
            s, c = self.fresh(), self.fresh()
            if self.r() < 0.3 or not e.typed:
                call = "f64::sin_cos(" + e.rs + ")"
            else:
                call = par(e, ATOM) + ".sin_cos()"
            self.emit("let ({}, {}) = {};".format(s, c, call),
                      "{}, {} = chk(f_sin({})), chk(f_cos({}))".format(s, c, e.py, e.py))
            for n in (s, c):
                self.declare_scalar(n, False)
                self.wrote(n)
            self.tags.append("method: let (s, c) = e.sin_cos()")
            return
        super().stmt(nested, loop_ok)

    def update(self, name=None):
        if self.r() < 0.2:
            if name is None:
                name = self.ensure_mut()
            b = self.divisor(0)
            self.emit("{} %= {};".format(name, b.rs), "{} = chk(k_rem({}, {}))".format(name, name, b.py))
            self.wrote(name)
            self.tags.append("rem: %= on a mutable scalar")
            return
        super().update(name)

    def elem_write(self, p, i, how):
        """Also `x[i] %= b;` on an array parameter's or a buffer's element."""
        if how == "rw" and self.r() < 0.2:
            b = self.divisor(0)
            self.emit("{}[{}] %= {};".format(p.name, i.rs, b.rs),
                      "{n}[{i}] = chk(k_rem({n}[{i}], {b}))".format(n=p.name, i=i.py, b=b.py))
            self.used.add(p.name)
            self.tags.append("rem: %= on an element of {}".format("a buffer" if p.kind == "b" else "an array"))
            return
        super().elem_write(p, i, how)


def wrt_find_points(spec, fn, rng, runner=None):
    runf = runner or wrt_run
    nz, nq, ny = spec.nz(), spec.nq(), spec.ny()
    pts = []
    for _ in range(MAX_POINT_TRIES):
        z = [num(rng, -1.5, 1.5) for _ in range(nz)]
        q = [num(rng, -1.5, 1.5) for _ in range(nq)]
        k = rng.randint(0, 4)
        t = [num(rng, -1.0, 1.0) for _ in range(nz)]
        c = [num(rng, 0.5, 2.0) * rng.choice([-1.0, 1.0]) for _ in range(ny)]
        v = [num(rng, -1.0, 1.0) for _ in range(nz)] if spec.scalar else []
        base = runf(fn, spec, z, q, k)
        if base is None or any(abs(m) < MARGIN for m, _ in base[1]):
            continue
        if not stable_under_rounding(lambda: runf(fn, spec, z, q, k), base):
            continue
        decisions = [d for _, d in base[1]]
        f = lambda w: runf(fn, spec, w, q, k)
        dirs = wrt_dirs(z, t, v, spec.scalar)
        ok = True
        xmax = max([1.0] + [abs(a) for a in z])
        others = [[a + s * b for a, b in zip(z, d)] for d, h, _ in dirs for s in (-2 * h, -h, h, 2 * h)]
        r = 3.0 * REL_STEP * xmax
        others += [[a + rng.uniform(-r, r) for a in z] for _ in range(6)]
        for w in others:
            other = f(w)
            if other is None or [d for _, d in other[1]] != decisions:
                ok = False
                break
        if not ok:
            continue
        live = wrt_smooth_and_live(spec, f, z, t, c, v, dirs)
        if not live:
            continue
        pts.append((z, q, k, t, c, v, base[0]))
        if len(pts) == POINTS_PER_FUNC:
            return pts
    return None


def wrt_smooth_and_live(spec, f, z, t, c, v, dirs):
    """Are the finite differences trustworthy for every output component
    (as `smooth_enough`), and would every check fail for a zero derivative?"""

    def at(d, s):
        r = f([a + s * b for a, b in zip(z, d)])
        if r is None:
            raise Bad()
        return r[0]

    def first(d, h):
        m2, m1, p1, p2 = at(d, -2 * h), at(d, -h), at(d, h), at(d, 2 * h)
        return [((a - b) + 8.0 * (p - m)) / (12.0 * h) for a, m, p, b in zip(m2, m1, p1, p2)]

    try:
        return smooth_and_live(spec, at, first, z, t, c, v, dirs)
    except Bad:
        return False


def smooth_and_live(spec, at, first, z, t, c, v, dirs):
    cols = []
    for d, h, kind in dirs:
        s1, s2 = first(d, h), first(d, 2 * h)
        if any(abs(a - b) / 15.0 > FD_EST * 1e-6 * max(1.0, abs(a)) for a, b in zip(s1, s2)):
            return False
        if kind == "col":
            cols.append(s1)
        elif kind == "t":
            jt = s1
    if max(abs(a) for a in jt) <= LIVE or abs(sum(a * b for a, b in zip(jt, c))) <= LIVE:
        return False
    jtc = [sum(a * b for a, b in zip(col, c)) for col in cols]
    if max(abs(a) for a in jtc) <= LIVE:
        return False
    for lo, hi in spec.live_ranges():
        if max(abs(a) for col in cols[lo:hi] for a in col) <= LIVE:
            return False
    if spec.scalar:
        h = dirs[-1][1]
        d2, d4 = [(-at(v, 2 * s)[0] + 16.0 * at(v, s)[0] - 30.0 * at(v, 0.0)[0] + 16.0 * at(v, -s)[0]
                   - at(v, -2 * s)[0]) / (12.0 * s * s) for s in (2 * h, 4 * h)]
        if abs(d2 - d4) / 240.0 > FD_EST * 1e-5 * max(1.0, abs(d2)):
            return False
        if abs(d2) <= LIVE * sum(abs(a) for a in v):
            return False
    return True


# ----- Rust output of the `wrt` family -------------------------------------------

WRT_HEADER = """\
//! Randomized differential testing of activity: {n} random `#[differentiate]`
//! functions with parameters left out of `wrt(...)`, `mut` parameters assigned
//! active values and in/out `&mut [f64]` buffers, each checked at {pp} points by
//! `random_wrt_agree` below.
//!
//! @generated by `tests/random/generate.py` (family `wrt`, seed {seed}); do not
//! edit by hand. Regenerate, byte for byte, with `tests/random_functions.rs`,
//! from the repository root with
//!
//! ```text
//! python3 tests/random/generate.py
//! ```
//!
//! Each function is seen as a map of flat vectors: z (its active inputs and
//! the initial contents of its buffers, in parameter order) -> y (its value,
//! then the final contents of its buffers), the inactive floats q and the
//! integer k held fixed. Per point (`check_point`): (twin) y is the Python
//! twin's, to 1e-9; (value) `f`, `_jvp`, `_vjp` (and `_grad`, `_hvp`) give the
//! same y, bit for bit; (dot) <J t, c> = <t, J^T c> to 1e-10 of the terms'
//! magnitude; (jvp-fd) J t from `_jvp` against `check::fd_jvp` of the map,
//! |error| <= 1e-6 (1 + |fd|); (jac-fd) the same along every unit vector, so
//! every column of J; (vjp-fd) J^T c from `_vjp` against the finite-difference
//! columns, the same; (live) none of these passes for a zero derivative, and
//! every active parameter moves some output (a derivative that loses a path
//! cannot hide behind a vanishing one). Functions with one f64 output and no
//! buffer also get the first family's (vjp) `_vjp(c)` = c `_grad`, (grad-fd),
//! (hvp-fd) against finite differences of `_grad`, (hvp-grad) and (hvp-sym).
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
    clippy::needless_late_init,
    clippy::needless_range_loop,
    clippy::self_assignment,
    clippy::too_many_arguments,
    clippy::useless_vec
)]

use ad::check;
use ad::differentiate;

"""

WRT_HARNESS = r"""
// ----- the checks ------------------------------------------------------------

/// The function: (z, q, k) -> y.
type F = fn(&[f64], &[f64], usize) -> Vec<f64>;
/// Forward mode: (z, t, q, k) -> (y, J t).
type Jvp = fn(&[f64], &[f64], &[f64], usize) -> (Vec<f64>, Vec<f64>);
/// Reverse mode: (z, q, k, c) -> (y, J^T c).
type Vjp = fn(&[f64], &[f64], usize, &[f64]) -> (Vec<f64>, Vec<f64>);
/// `_grad`: (z, q, k) -> (value, gradient).
type Grad = fn(&[f64], &[f64], usize) -> (f64, Vec<f64>);
/// `_hvp`: (z, v, q, k) -> (value, gradient, H v).
type Hvp = fn(&[f64], &[f64], &[f64], usize) -> (f64, Vec<f64>, Vec<f64>);

/// A test point: the inputs z (active parameters and initial buffers,
/// flattened in parameter order), the inactive floats q (parameters left out
/// of `wrt`, flattened), the integer k, a tangent t, an output cotangent c, a
/// direction v for `_hvp` (empty without one), and the outputs y of the
/// generator's Python twin.
struct Point {
    z: &'static [f64],
    q: &'static [f64],
    k: usize,
    t: &'static [f64],
    c: &'static [f64],
    v: &'static [f64],
    y: &'static [f64],
}

/// A generated function seen through flat vectors; `live` holds the ranges
/// of z of its active parameters.
struct Case {
    name: &'static str,
    live: &'static [(usize, usize)],
    f: F,
    jvp: Jvp,
    vjp: Vjp,
    grad: Option<Grad>,
    hvp: Option<Hvp>,
    points: [Point; 2],
}

fn cat(parts: &[&[f64]]) -> Vec<f64> {
    parts.concat()
}

fn arr<const N: usize>(s: &[f64]) -> [f64; N] {
    s.try_into().expect("an array's length")
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

fn abs_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a * b).abs()).sum()
}

fn bits(a: &[f64]) -> Vec<u64> {
    a.iter().map(|a| a.to_bits()).collect()
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

/// |a - b| <= tol * (sum of the magnitudes of the terms of the sums), plus
/// 1e-12 for sums whose exact value is 0.
fn same_sum(a: f64, b: f64, scale: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * scale + 1e-12
}

/// Would a zero derivative pass the comparison with `reference`?
fn zero_passes(reference: &[f64], tol: f64) -> bool {
    check::compare(&vec![0.0; reference.len()], reference).is_close(tol, tol)
}

const NAMES: [&str; 12] = [
    "twin", "value", "dot", "jvp-fd", "jac-fd", "vjp-fd", "live", "vjp", "grad-fd", "hvp-fd",
    "hvp-grad", "hvp-sym",
];

/// Runs every check of `case` at `p`; returns a message per mismatch and
/// counts the checks per kind.
fn check_point(case: &Case, which: usize, p: &Point, counts: &mut [usize; 12]) -> Vec<String> {
    let mut out = Vec::new();
    let mut fail = |kind: usize, what: String| {
        out.push(format!(
            "{} point {which} ({}) z = {:?}, q = {:?}, k = {}: {what}",
            case.name, NAMES[kind], p.z, p.q, p.k
        ))
    };
    let map = |z: &[f64]| (case.f)(z, p.q, p.k);
    let y = map(p.z);
    let (yj, jt) = (case.jvp)(p.z, p.t, p.q, p.k);
    let (yv, jtc) = (case.vjp)(p.z, p.q, p.k, p.c);
    let n = p.z.len();

    // The generator chose the point with its Python twin of the function:
    // both must compute the same outputs (up to the rounding of libm).
    counts[0] += 1;
    if y.len() != p.y.len() || y.iter().zip(p.y).any(|(a, b)| (a - b).abs() > 1e-9 * (1.0 + b.abs())) {
        fail(0, format!("y = {y:?} but the generator's twin computed {:?}", p.y));
    }

    counts[1] += 1;
    let mut values = vec![("jvp", yj), ("vjp", yv)];
    let scalar = case.grad.zip(case.hvp).map(|(grad, hvp)| {
        let (vg, g) = grad(p.z, p.q, p.k);
        let (vh, gh, hv) = hvp(p.z, p.v, p.q, p.k);
        let (_, _, ht) = hvp(p.z, p.t, p.q, p.k);
        values.push(("grad", vec![vg]));
        values.push(("hvp", vec![vh]));
        (grad, g, gh, hv, ht)
    });
    for (mode, v) in &values {
        if bits(v) != bits(&y) {
            fail(1, format!("f gives {y:?} but {mode} {v:?}"));
        }
    }

    counts[2] += 1;
    let lhs = dot(&jt, p.c);
    let rhs = dot(p.t, &jtc);
    let scale = abs_dot(&jt, p.c) + abs_dot(p.t, &jtc);
    if !same_sum(lhs, rhs, scale, 1e-10) {
        fail(2, format!("<J t, c> = {lhs:e} but <t, J^T c> = {rhs:e}"));
    }

    counts[3] += 1;
    let fd_jt = check::fd_jvp(map, p.z, p.t);
    let report = check::compare(&jt, &fd_jt);
    if !report.is_close(1e-6, 1e-6) {
        fail(3, format!("J t along t = {:?} vs finite differences: {report}", p.t));
    }

    // Every column of J: forward mode along each unit vector.
    counts[4] += 1;
    let mut columns = Vec::with_capacity(n);
    for i in 0..n {
        let e = unit(n, i);
        let (_, col) = (case.jvp)(p.z, &e, p.q, p.k);
        let fd = check::fd_jvp(map, p.z, &e);
        let report = check::compare(&col, &fd);
        if !report.is_close(1e-6, 1e-6) {
            fail(4, format!("column {i} of J vs finite differences: {report}"));
        }
        columns.push(fd);
    }

    counts[5] += 1;
    let fd_jtc: Vec<f64> = columns.iter().map(|col| dot(col, p.c)).collect();
    let report = check::compare(&jtc, &fd_jtc);
    if !report.is_close(1e-6, 1e-6) {
        fail(5, format!("J^T c vs finite differences: {report}"));
    }

    // None of the checks above passes for a zero derivative, and every
    // active parameter moves an output.
    counts[6] += 1;
    let mut dead = Vec::new();
    if zero_passes(&fd_jt, 1e-6) {
        dead.push("J t = 0 passes jvp-fd".to_string());
    }
    if same_sum(lhs, 0.0, lhs.abs(), 1e-10) {
        dead.push("J^T c = 0 passes dot".to_string());
    }
    if zero_passes(&fd_jtc, 1e-6) {
        dead.push("J^T c = 0 passes vjp-fd".to_string());
    }
    for &(a, b) in case.live {
        if columns[a..b].iter().all(|col| zero_passes(col, 1e-6)) {
            dead.push(format!("zero columns {a}..{b} (an active parameter) pass jac-fd"));
        }
    }

    if let Some((grad, g, gh, hv, ht)) = scalar {
        let f = |z: &[f64]| map(z)[0];
        counts[7] += 1;
        let cg: Vec<f64> = g.iter().map(|gi| p.c[0] * gi).collect();
        let report = check::compare(&jtc, &cg);
        if !report.is_close(1e-12, 1e-12) {
            fail(7, format!("vjp(c) vs c grad: {report}"));
        }

        counts[8] += 1;
        let report = check::check_gradient(f, p.z, &g);
        if !report.is_close(1e-6, 1e-6) {
            fail(8, format!("grad vs finite differences: {report}"));
        }

        counts[9] += 1;
        let fd_hv = check::fd_jvp(|z| grad(z, p.q, p.k).1, p.z, p.v);
        let report = check::compare(&hv, &fd_hv);
        if !report.is_close(1e-5, 1e-5) {
            fail(9, format!("hvp along v = {:?} vs finite differences of grad: {report}", p.v));
        }
        if zero_passes(&fd_hv, 1e-5) {
            dead.push("H v = 0 passes hvp-fd".to_string());
        }

        counts[10] += 1;
        let report = check::compare(&gh, &g);
        if !report.is_close(1e-13, 1e-13) {
            fail(10, format!("hvp's gradient vs grad: {report}"));
        }

        counts[11] += 1;
        let (uhv, vhu) = (dot(p.t, &hv), dot(p.v, &ht));
        let scale = abs_dot(p.t, &hv) + abs_dot(p.v, &ht);
        if !same_sum(uhv, vhu, scale, 1e-10) {
            fail(11, format!("<t, H v> = {uhv:e} but <v, H t> = {vhu:e}"));
        }
    }
    if !dead.is_empty() {
        fail(6, format!("a check cannot fail here: {}", dead.join("; ")));
    }
    out
}

#[test]
fn random_wrt_agree() {
    let mut counts = [0usize; 12];
    let mut mismatches = Vec::new();
    for case in CASES {
        for (which, p) in case.points.iter().enumerate() {
            mismatches.extend(check_point(case, which, p, &mut counts));
        }
    }
    let checks: usize = counts.iter().sum();
    println!(
        "random_wrt: {} functions, {} points, {checks} checks ({}), {} mismatches",
        CASES.len(),
        2 * CASES.len(),
        NAMES
            .iter()
            .zip(counts)
            .map(|(n, c)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        mismatches.len()
    );
    for m in &mismatches {
        println!("MISMATCH {m}");
    }
    assert!(mismatches.is_empty(), "{} mismatches (listed above)", mismatches.len());
}
"""


def wrt_adapters(spec):
    """The closures of a `Case` entry of the `wrt` family."""
    pre_f, pre_j, pre_v, pre_h = [], [], [], []
    args_f, args_j, args_v, args_h = [], [], [], []
    outs, douts, cots, gs, hs = [], [], [], [], []
    if not spec.unit:
        outs.append("&[r][..]")
        douts.append("&[dr][..]")
    zat = qat = 0
    cat_ = 0 if spec.unit else 1
    uses = set()
    for i, p in enumerate(spec.params):
        if p.kind == "k":
            for a in (args_f, args_j, args_v, args_h):
                a.append("k")
            uses.add("k")
            continue
        n = p.size()
        if p.kind == "b":
            rz, rc = "{}..{}".format(zat, zat + n), "{}..{}".format(cat_, cat_ + n)
            pre_f.append("let mut b{} = z[{}].to_vec();".format(i, rz))
            pre_j.append("let (mut b{i}, mut db{i}) = (z[{r}].to_vec(), d[{r}].to_vec());".format(i=i, r=rz))
            pre_v.append("let (mut b{i}, mut cb{i}) = (z[{r}].to_vec(), c[{rc}].to_vec());".format(i=i, r=rz, rc=rc))
            args_f.append("&mut b{}".format(i))
            args_j += ["&mut b{}".format(i), "&mut db{}".format(i)]
            args_v += ["&mut b{}".format(i), "&mut cb{}".format(i)]
            outs.append("&b{}[..]".format(i))
            douts.append("&db{}[..]".format(i))
            cots.append("&cb{}[..]".format(i))
            zat += n
            cat_ += n
            continue
        if p.in_z():
            src, at = "z", zat
            zat += n
        else:
            src, at = "q", qat
            qat += n
            uses.add("q")

        def val(s):
            if p.kind == "f":
                return "{}[{}]".format(s, at)
            r = "{}[{}..{}]".format(s, at, at + n)
            if getattr(p, "fixed", None):
                # (`linalg_fixed.py`: `&Vector3<f64>`, `&SMatrix<f64, R, C>`, ..)
                return "&SMatrix::<f64, {}, {}>::from_column_slice(&{})".format(p.rows, p.cols, r)
            return {"s": "&" + r, "a": "arr(&" + r + ")", "v": r + ".to_vec()"}[p.kind]

        args_f.append(val(src))
        args_v.append(val(src))
        if p.active:
            args_j += [val("z"), val("d")]
            args_h += [val("z"), val("d")]
            g, h = "g{}".format(i), "h{}".format(i)
            gs.append(g)
            hs.append(h)
            cots.append("&[{}][..]".format(g) if p.kind == "f" else "&{}[..]".format(g))
        else:
            args_j.append(val(src))
            args_h.append(val(src))
    q = "q" if "q" in uses else "_"
    k = "k" if "k" in uses else "_"
    n = spec.name
    c = "c" if (not spec.unit or spec.buffers) else "_"

    def block(pre, body):
        return "{ " + " ".join(pre + [body]) + " }"

    def tup(names):
        return names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"

    ys = "cat(&[" + ", ".join(outs) + "])"
    dys = "cat(&[" + ", ".join(douts) + "])"
    cs = "cat(&[" + ", ".join(cots) + "])"
    if spec.unit:
        f_body = block(pre_f, "{}({}); {}".format(n, ", ".join(args_f), ys))
        j_body = block(pre_j, "{}_jvp({}); ({}, {})".format(n, ", ".join(args_j), ys, dys))
        v_body = block(pre_v, "let {} = {}_vjp({}); ({}, {})".format(tup(gs), n, ", ".join(args_v), ys, cs))
    else:
        f_body = block(pre_f, "let r = {}({}); {}".format(n, ", ".join(args_f), ys))
        j_body = block(pre_j, "let (r, dr) = {}_jvp({}); ({}, {})".format(n, ", ".join(args_j), ys, dys))
        v_body = block(pre_v, "let ({}) = {}_vjp({}); ({}, {})".format(
            ", ".join(["r"] + gs), n, ", ".join(args_v + ["c[0]"]), ys, cs))
    lines = [
        "f: |z, {q}, {k}| {b},".format(q=q, k=k, b=f_body),
        "jvp: |z, d, {q}, {k}| {b},".format(q=q, k=k, b=j_body),
        "vjp: |z, {q}, {k}, {c}| {b},".format(q=q, k=k, c=c, b=v_body),
    ]
    if spec.scalar:
        lines.append("grad: Some(|z, {q}, {k}| {{ let (r, {g}) = {n}_grad({a}); (r, {cs}) }}),".format(
            q=q, k=k, g=", ".join(gs), n=n, a=", ".join(args_f), cs=cs))
        hcat = "cat(&[" + ", ".join(c.replace("g", "h") for c in cots) + "])"
        lines.append("hvp: Some(|z, d, {q}, {k}| {{ let (r, {g}, {h}) = {n}_hvp({a}); (r, {cs}, {hc}) }}),".format(
            q=q, k=k, g=", ".join(gs), h=", ".join(hs), n=n, a=", ".join(args_h), cs=cs, hc=hcat))
    else:
        lines += ["grad: None,", "hvp: None,"]
    return lines


def wrt_case_entry(spec):
    out = ["const {}: Case = Case {{".format(spec.name.upper()), '    name: "{}",'.format(spec.name)]
    out.append("    live: &[" + ", ".join("({}, {})".format(a, b) for a, b in spec.live_ranges()) + "],")
    out += ["    " + line for line in wrt_adapters(spec)]
    out.append("    points: [")
    for z, q, k, t, c, v, y in spec.points:
        out.append("        Point {{ z: {}, q: {}, k: {}, t: {}, c: {}, v: {}, y: &[{}] }},".format(
            fmt_list(z), fmt_list(q), k, fmt_list(t), fmt_list(c), fmt_list(v),
            ", ".join(rust_float(float("%.12g" % a)) for a in y)))
    out.append("    ],")
    out.append("};")
    return out


def generate_wrt(n_funcs, seed, out, n_idiom=WRT_N_IDIOM, header=None, n_rem=WRT_N_REM):
    specs = []
    namespace = dict(RUNTIME)
    redrawn = {"discarded": 0, "too_long": 0}

    def draw(gen, rng, n, max_lines):
        """n more functions from `gen`, each with its test points."""
        goal = len(specs) + n
        while len(specs) < goal:
            name = "w{:03}".format(len(specs))
            callees = [s for s in specs if s.callable and s.call_depth < 3][-40:]
            spec = gen(rng, name, callees).function()
            if spec.rust.count("\n") > max_lines:
                redrawn["too_long"] += 1
                continue
            ns = dict(namespace)
            try:
                exec(spec.python, ns)
                pts = wrt_find_points(spec, ns[name], rng)
            except Exception:
                sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
                raise
            if pts is None:
                redrawn["discarded"] += 1
                continue
            spec.points = pts
            namespace[name] = ns[name]
            specs.append(spec)

    draw(WrtGen, random.Random(seed), n_funcs, WRT_MAX_LINES)
    # The idiom batch and the remainder batch, each from its own generators.
    noise = NOISE.getstate()
    draw(IdiomGen, random.Random(WRT_IDIOM_SEED), n_idiom, WRT_MAX_LINES + 6)
    draw(RemGen, random.Random(WRT_REM_SEED), n_rem, WRT_MAX_LINES + 6)
    NOISE.setstate(noise)
    discarded, too_long = redrawn["discarded"], redrawn["too_long"]

    counts = {}
    for s in specs:
        for t in set(s.tags):
            counts[t] = counts.get(t, 0) + 1
    lines = ["//! - {}: {}".format(t, counts[t]) for t in sorted(counts)]
    excluded = []
    if EXCLUDE_BARE_RETURN:
        excluded.append("`return;` in functions that return nothing (`EXCLUDE_BARE_RETURN`)")
    if EXCLUDE_PASSIVE_BUFFERS:
        excluded.append("buffers written with no active value (`EXCLUDE_PASSIVE_BUFFERS`: every buffer\n"
                        "//!   also gets one unconditional write of an active value)")
    excluded = "".join("//! - " + e + "\n" for e in excluded)
    if excluded:
        excluded = "//!\n//! Left out until the macro handles them (flags of the generator):\n//!\n" + excluded
    parts = [(header or WRT_HEADER).format(n=len(specs), pp=POINTS_PER_FUNC, seed=seed, constructs="\n".join(lines) + "\n",
                               excluded=excluded)]
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(wrt_case_entry(s)) + "\n\n")
    parts.append(WRT_HARNESS)
    parts.append("\n/// Every generated function with its test points.\n")
    parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in specs) + "];\n")
    with open(out, "w") as f:
        f.write("".join(parts))
    subprocess.run(["rustfmt", "--edition", "2021", out], check=True, cwd=ROOT)
    n_buf = sum(1 for s in specs if s.buffers)
    n_unit = sum(1 for s in specs if s.unit)
    n_calls = sum(1 for s in specs if s.call_depth > 0)
    sys.stderr.write(
        "wrote {}: {} functions ({} with buffers, {} of them returning nothing, {} with calls); redrawn: {} "
        "without test points, {} too long\n".format(
            os.path.relpath(out, ROOT), len(specs), n_buf, n_unit, n_calls, discarded, too_long))
    for t in sorted(counts):
        sys.stderr.write("  {:5}  {}\n".format(counts[t], t))


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


class CallsGen(WrtGen):
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

    def copy_sources(self, exclude=None):
        return [a for a in self.arrays if getattr(a, "akind", None) in ("s", "a", "v", "la", "lv", "da", "dv")
                and a is not exclude]

    def to_vec_stmt(self):
        srcs = self.copy_sources()
        if not srcs:
            return self.fill_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        y = self.fresh("y")
        self.emit("let mut {} = {}.to_vec();".format(y, a.name), "{} = list({})".format(y, a.name))
        arr = carray(y, a.length, "lv", fixed=a.fixed, writable=True, write_len=ilit(a.length))
        self.declare_array(arr)
        self.ctag("let mut y = x.to_vec() of {} {}".format(KIND_NAME.get(a.akind, "a local"), self.where()))
        if self.r() < 0.6:
            i = self.index(arr, write=True)
            e = self.act_expr()
            if self.r() < 0.5:
                self.emit("{}[{}] += {};".format(y, i.rs, e.rs), "{y}[{i}] = chk({y}[{i}] + {e})".format(y=y, i=i.py, e=e.py))
            else:
                self.emit("{}[{}] = {};".format(y, i.rs, e.rs), "{}[{}] = chk({})".format(y, i.py, e.py))
        self.consume_array(arr)

    def clone_stmt(self):
        srcs = [a for a in self.arrays if getattr(a, "akind", None) in CALL_VEC_KINDS]
        if not srcs:
            return self.to_vec_stmt()
        a = self.pick(srcs)
        self.used.add(a.name)
        w = self.fresh("w")
        self.emit("let {} = {}.clone();".format(w, a.name), "{} = list({})".format(w, a.name))
        arr = carray(w, a.length, "lv", fixed=a.fixed)
        self.declare_array(arr)
        self.ctag("let w = v.clone() {}".format(self.where()))
        self.consume_array(arr)

    def target(self):
        """A writable local array to overwrite: an existing one or a fresh
        `let mut y = [0.0; n];`."""
        cands = [a for a in self.arrays if getattr(a, "akind", None) in ("la", "lv") and a.writable and a.fixed]
        if cands and self.r() < 0.4:
            return self.pick(cands)
        n = self.rng.randint(2, 4)
        name = self.fresh("y")
        vec = self.r() < 0.5
        self.emit("let mut {}: {} = {};".format(name, "Vec<f64>" if vec else "[f64; {}]".format(n),
                                               ("vec![0.0; {}]" if vec else "[0.0; {}]").format(n)),
                  "{} = [0.0] * {}".format(name, n))
        arr = carray(name, n, "lv" if vec else "la", writable=True, write_len=ilit(n) if vec else ilen(name))
        self.declare_array(arr)
        return arr

    def copy_stmt(self):
        """`y.copy_from_slice(&x)`, `y.copy_from_slice(&x[c..d])`,
        `y[a..b].copy_from_slice(&x[c..d])`."""
        y = self.target()
        srcs = self.copy_sources(exclude=y) + [a for a in self.arrays if getattr(a, "akind", None) == "r"]
        if not srcs:
            return self.fill_stmt(y)
        x = self.pick(srcs)
        self.used.update([x.name, y.name])
        n = y.length
        if x.fixed and x.length == n and x.akind != "r" and self.r() < 0.4:
            self.emit("{}.copy_from_slice(&{});".format(y.name, x.name), "cp({y}, 0, len({y}), list({x}))".format(
                y=y.name, x=x.name))
            shape = "y.copy_from_slice(&x)"
        else:
            ln = self.rng.randint(1, min(n, x.length))
            if ln == n and self.r() < 0.5:
                a_rs, b_rs, a_py, b_py, lhs = None, None, "0", "len({})".format(y.name), y.name
                shape = "y.copy_from_slice(&x[c..d])"
            else:
                a0 = self.rng.randint(0, n - ln)
                a_py = b_py = None
                lhs = "{}[{}..{}]".format(y.name, a0, a0 + ln)
                a_py, b_py = str(a0), str(a0 + ln)
                shape = "y[a..b].copy_from_slice(&x[c..d])"
            c, dyn = self.bexpr(0, x.length - ln)
            c_rs = c.rs if c.prec >= ADD or not dyn else "(" + c.rs + ")"
            src_rs = "&{}[{}..{} + {}]".format(x.name, c_rs, c_rs, ln) if dyn else "&{}[{}..{}]".format(
                x.name, c.rs, int(c.rs) + ln)
            src_py = "sl({x}, {c}, ({c}) + {n}, {n})".format(x=x.name, c=c.py, n=ln)
            self.emit("{}.copy_from_slice({});".format(lhs, src_rs),
                      "cp({}, {}, {}, {})".format(y.name, a_py, b_py, src_py))
            if dyn:
                self.ctag("copy_from_slice: source bounds from a loop index or k")
        self.mark_written(y.name)
        self.ctag("{} {}".format(shape, self.where()))
        self.consume_array(y)

    def fill_stmt(self, y=None):
        """`y.fill(v)` or `y[a..b].fill(v)`."""
        e = self.typed(self.act_expr())
        y = y or self.target()
        if re.search(r"\b" + y.name + r"\b", e.rs):
            e = var(self.let(e))
        n = y.length
        if self.r() < 0.5:
            self.emit("{}.fill({});".format(y.name, e.rs), "fl({y}, 0, len({y}), chk({e}))".format(y=y.name, e=e.py))
            shape = "y.fill(v)"
        else:
            a = self.rng.randint(0, n - 1)
            b = self.rng.randint(a + 1, n)
            self.emit("{}[{}..{}].fill({});".format(y.name, a, b, e.rs), "fl({}, {}, {}, chk({}))".format(y.name, a, b, e.py))
            shape = "y[a..b].fill(v)"
        self.used.add(y.name)
        self.ctag("{} {}".format(shape, self.where()))
        self.consume_array(y)

    def march_stmt(self):
        """Time stepping with whole-array assignments: `u = un;` or
        `u = step(&u, k);`."""
        opts = []
        for g in self.callees:
            if g.out not in "av" or not self.vec_ok(g):
                continue
            for i, p in enumerate(g.params):
                if not p.active:
                    continue
                if (p.kind == "s" and p.length <= g.out_len) or (p.kind == "v" and g.out == "v" and p.length == g.out_len) \
                        or (p.kind in "ar" and g.out == "a" and p.length == g.out_len):
                    opts.append((g, i))
        if len(self.loops) >= 2:
            return self.to_vec_stmt()
        use_call = opts and self.n_calls < CALLS_MAX_CALLS and self.r() < 0.6
        if use_call:
            g, slot = self.pick(opts)
            self.prepare(g, skip=slot)
            m, vec = g.out_len, g.out == "v"
        else:
            m, vec = self.rng.randint(2, 3), self.r() < 0.5
        u = self.fresh("u")
        es = [self.typed(self.act_expr())] + [self.typed(self.expr(1)) for _ in range(m - 1)]
        self.emit("let mut {} = {}[{}];".format(u, "vec!" if vec else "", ", ".join(e.rs for e in es)),
                  "{} = [{}]".format(u, ", ".join("chk(" + e.py + ")" for e in es)))
        n = self.rng.randint(2, 4)
        v = "i" + str(len(self.loops))
        at = len(self.rs)
        self.open_block("for {} in 0..{} {{".format(v, n), "for {} in range(0, {}):".format(v, n), "for")
        self.declare_int(v)
        was_used = v in self.used
        self.used.discard(v)
        if use_call:
            kind = g.params[slot].kind
            state = {"a": (u, "list(" + u + ")"), "r": ("&" + u, u), "s": ("&" + u, u),
                     "v": (u + ".clone()", "list(" + u + ")")}[kind]
            rs, py = self.call_text(g, state=(slot,) + state)
            self.emit("{} = {};".format(u, rs), "{} = {}".format(u, py))
            shape = "u = step(&u, k) ({} state as {})".format("Vec" if vec else "array", KIND_NAME[kind])
        else:
            un = self.fresh("un")
            w = "i" + str(len(self.loops))
            self.emit("let mut {} = {};".format(un, u + ".clone()" if vec else u), "{} = list({})".format(un, u))
            h = self.const(0.05, 0.3)
            c = self.const(0.3, 1.2)
            e = self.typed(self.act_expr())
            self.emit("for {} in 0..{} {{".format(w, m), "for {} in range(0, {}):".format(w, m))
            self.emit("    {un}[{w}] = {u}[{w}] + {h} * ({c} * {u}[({w} + 1) % {m}] + {e}).sin();".format(
                un=un, u=u, w=w, h=h, c=c, m=m, e=par(e, ADD + 1)),
                "    {un}[{w}] = chk({u}[{w}] + {h} * f_sin({c} * {u}[({w} + 1) % {m}] + {e}))".format(
                un=un, u=u, w=w, h=h, c=c, m=m, e=e.py))
            self.emit("}")
            self.emit("{} = {};".format(u, un), "{} = {}".format(u, un))
            shape = "u = un ({})".format("Vec" if vec else "array")
        if v not in self.used:
            self.rs[at] = self.rs[at].replace("for " + v + " in", "for _ in", 1)
        if was_used:
            self.used.add(v)
        self.close_block(loop=True)
        self.ctag("time stepping {} {}".format(shape, self.where()))
        arr = carray(u, m, "lv" if vec else "la", writable=True, write_len=ilit(m) if vec else ilen(u))
        arr.surely_active = True
        self.declare_array(arr)
        self.consume_array(arr)

    CONSTRUCTS = {
        "call_let": 3, "call_scalar": 2.5, "ode": 1.5, "pattern": 1.5, "destructure": 1.5, "block": 1, "block_value": 1,
        "tuple_let": 2.5, "tuple_step": 2, "buffer_call": 3, "to_vec": 1, "clone": 0.7, "copy": 1.5, "fill": 1,
        "march": 2, "grid": 1.5, "rows_call": 1,
    }
    NEW_CONSTRUCTS = {"push": 3, "range_buffer": 3, "volatile_index": 2}

    def constructs(self):
        return dict(self.CONSTRUCTS, **self.NEW_CONSTRUCTS) if self.new else self.CONSTRUCTS

    def construct(self, kind):
        getattr(self, kind + "_stmt")()

    def stmt(self, nested, loop_ok=True):
        if self.no_exit:
            kind = self.pick(["let", "update", "let_tuple", "call_scalar", "pattern"])
            before = [x for _, x in self.scopes[-1]]
            if kind in ("let", "update", "let_tuple"):
                self.stmt_of_kind(kind)
            else:
                self.construct(kind)
            self.flow(before)
            return
        if self.r() < 0.3 and len(self.scopes) < 4:
            weights = self.constructs()
            kinds = list(weights)
            kind = self.rng.choices(kinds, [weights[k] for k in kinds])[0]
            before = [x for _, x in self.scopes[-1]]
            self.construct(kind)
            if nested:
                self.flow(before)
            return
        super().stmt(nested, loop_ok)

    def flow(self, before):
        new = [x for t, x in self.scopes[-1] if t == "f" and x not in before and x not in self.muts]
        outer = [m for m in self.muts if not any(x == m for _, x in self.scopes[-1])]
        if new and outer and not self.top:
            self.use_in_update(self.pick(sorted(outer)), self.pick(new))

    def forced(self, kind):
        """One of the family's constructs, straight-line, in a loop or in a
        branch."""
        ctx = self.rng.choices(["straight", "for", "if active", "if inactive", "while"], [3, 3, 2, 1.5, 1])[0]
        if ctx == "straight":
            return self.construct(kind)
        target = self.ensure_mut()
        self.mark_written(target)
        tail = None
        if ctx == "for":
            rs, py, v = self.for_header()
            self.open_block(rs, py, "for", v)
        elif ctx == "while":
            j = self.fresh("j")
            n = self.rng.randint(2, 3)
            self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
            self.open_block("while {} < {} {{".format(j, n), "while {} < {}:".format(j, n), "counted", j)
            tail = ("{} += 1;".format(j), "{} += 1".format(j))
        else:
            cond = self.inactive_cond() if ctx == "if inactive" else None
            rs, py = cond or self.active_only_cond()
            self.open_block("if " + rs + " {", "if " + py + ":")
        before = [x for _, x in self.scopes[-1]]
        self.construct(kind)
        self.flow(before)
        if ctx.startswith("if") and self.r() < 0.4:
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            self.mut_update(target)
        self.close_block(loop=ctx in ("for", "while"), tail=tail)
        self.wrote(target)

    # ----- the function ----------------------------------------------------------------

    def slots(self, shaped, m):
        """The tail's terms spread over m sums (each gets one at least)."""
        shaped = list(shaped)
        while len(shaped) < m:
            shaped.append(self.typed(self.act_expr()))
        slots = [[] for _ in range(m)]
        for i, t in enumerate(shaped):
            slots[i if i < m else self.rng.randint(0, m - 1)].append(t)
        es = []
        for ts in slots:
            e = None
            for t in ts:
                e = t if e is None else binop(self.pick("+-"), e, t)
            es.append(e)
        return es

    def fill_local(self, vec, es):
        """`let mut o = vec![0.0; n];` (or `[0.0; N]`) filled by element with
        es: its name."""
        m = len(es)
        o = self.fresh("o")
        self.emit("let mut {} = {};".format(o, "vec![0.0; {}]".format(m) if vec else "[0.0; {}]".format(m)),
                  "{} = [0.0] * {}".format(o, m))
        if self.r() < 0.5:
            self.emit("for i0 in 0..{}.len() {{".format(o), "for i0 in range(0, {}):".format(m))
            c = self.const(0.1, 0.9)
            f = self.pick(["sin", "cos", "tanh"])
            self.emit("    {o}[i0] = {c} * (i0 as f64).{f}();".format(o=o, c=c, f=f),
                      "    {o}[i0] = chk({c} * f_{f}(float(i0)))".format(o=o, c=c, f=f))
            self.emit("}")
        self.write_elems(o, es)
        return o

    def write_elems(self, o, es, add=0.5):
        for j, e in enumerate(es):
            if self.r() < add:
                self.emit("{}[{}] += {};".format(o, j, e.rs), "{o}[{j}] = chk({o}[{j}] + {e})".format(o=o, j=j, e=e.py))
            else:
                self.emit("{}[{}] = {};".format(o, j, e.rs), "{o}[{j}] = chk({e})".format(o=o, j=j, e=e.py))

    def tail(self, shaped):
        """The function's result (and its buffer's final writes) from the
        tail's terms."""
        if self.own_buf is not None:
            b = self.own_buf
            es = self.slots(shaped, b.length + (1 if self.out == "f" else 0))
            self.write_elems(b.name, es[:b.length], add=0.7 if self.own_buf_passed else 0.4)
            self.ctag("buffer &mut [f64] written by element ({})".format(
                "and an f64 result" if self.out == "f" else "no result"))
            if self.out == "f":
                e = es[-1]
                if EXCLUDE_BUFFER_TAIL_VARIABLE and re.fullmatch(r"[a-z_]\w*", e.rs):
                    e = binop("*", lit(self.const(0.5, 1.5)), e)
                self.emit(e.rs, "return chk(" + e.py + ")")
            return
        if self.out == "f":
            tail = None
            for t in shaped:
                tail = t if tail is None else binop(self.pick("+-*" if self.r() < 0.3 else "+-"), tail, t)
            self.emit(tail.rs, "return chk(" + tail.py + ")")
            return
        es = self.slots(shaped, self.out_len)
        if self.out == "t":
            rs, py, at = [], [], 0
            for j, (mk, n) in enumerate(self.tup):
                part, at = es[at:at + n], at + n
                if mk == "f":
                    rs.append(part[0].rs)
                    py.append("chk(" + part[0].py + ")")
                elif j == 0 and self.fill_tail:
                    o = self.fill_local(mk == "v", part)
                    rs.append(o)
                    py.append(o)
                    self.ctag("helper returns a tuple with a local array member filled by element")
                else:
                    rs.append(("vec!" if mk == "v" else "") + "[" + ", ".join(e.rs for e in part) + "]")
                    py.append("[" + ", ".join("chk(" + e.py + ")" for e in part) + "]")
            self.emit("(" + ", ".join(rs) + ")", "return (" + ", ".join(py) + ")")
            self.ctag("helper returns a tuple {} as (a, b)".format(out_name(self)))
            return
        vec = self.out == "v"
        if vec and self.new and self.r() < 0.5:
            o = self.fresh("o")
            self.emit("let mut {} = {};".format(o, self.pick(["Vec::new()", "vec![]"])), "{} = []".format(o))
            for e in es:
                self.emit("{}.push({});".format(o, e.rs), "{}.append(chk({}))".format(o, e.py))
            self.emit(o, "return " + o)
            self.ctag("helper returns a Vec built with push")
            return
        if not self.fill_tail:
            rs = ("vec!" if vec else "") + "[" + ", ".join(e.rs for e in es) + "]"
            self.emit(rs, "return [" + ", ".join("chk(" + e.py + ")" for e in es) + "]")
            self.ctag("helper returns a {} literal".format("vec![..]" if vec else "[..]"))
        else:
            o = self.fill_local(vec, es)
            self.emit(o, "return " + o)
            self.ctag("helper returns a {} filled by element".format("vec![0.0; n]" if vec else "[0.0; N]"))

    def draw_params(self, n_slices=None):
        """The parameters before `k` and the tuple step's: f64s, a slice
        (or `n_slices` of them: the destination batch), an array, a `Vec`,
        an `&[f64; N]`, a 2-D array."""
        rng = self.rng
        params = []
        for i in range(rng.randint(0, 3)):
            params.append(WParam("abcd"[i], "f"))
        if n_slices is None:
            if self.r() < 0.55:
                params.append(WParam("x", "s", rng.randint(2, 4)))
        else:
            params.extend(n_slices)
        if self.r() < 0.45:
            params.append(WParam("p", "a", rng.randint(2, 4)))
        if self.r() < 0.35:
            params.append(WParam("v", "v", rng.randint(2, 4)))
        if self.r() < 0.2:
            params.append(WParam("pr", "r", rng.randint(2, 3)))
        if self.r() < 0.3:
            m = WParam("m", self.pick("mn"))
            m.rows, m.cols = rng.randint(2, 3), rng.randint(2, 3)
            m.length = m.rows * m.cols
            params.append(m)
        return params

    def adjust_activity(self, floats, use_wrt):
        """(The destination batch's: most slice parameters in `wrt`.)"""

    def extra_forced(self):
        """(The destination batch's: a call forced.)"""
        return []

    def function(self):
        rng = self.rng
        c = self.r()
        shape = "f" if c < 0.42 else "v" if c < 0.56 else "a" if c < 0.66 else "t" if c < 0.82 else "b"
        step2 = False
        if shape == "t":
            self.tup = self.pick([[("f", 1), ("f", 1)], [("v", rng.randint(2, 3)), ("f", 1)], [("a", 2), ("f", 1)]])
            step2 = self.tup[0][0] == "f" and self.r() < 0.6
        params = self.draw_params()
        if not params:
            params.append(WParam("a", "f"))
        while step2 and sum(p.kind == "f" for p in params) < 2:
            params.append(WParam("abcd"[sum(p.kind == "f" for p in params)], "f"))
        if self.r() < 0.4:
            params.append(WParam("k", "k"))
        rng.shuffle(params)
        floats = [p for p in params if p.kind in "fsavrmn"]
        use_wrt = self.r() < 0.8
        if use_wrt:
            for p in floats:
                p.active = self.r() < 0.55
            if not any(p.active for p in floats):
                self.pick(floats).active = True
            if all(p.active for p in floats) and len(floats) > 1 and self.r() < 0.7:
                self.pick(floats).active = False
        else:
            for p in floats:
                p.active = True
        if step2:
            # a step function `(q, p) = g(q, p)`: two active f64 parameters
            for p in [p for p in floats if p.kind == "f"][:2]:
                p.active = True
        self.adjust_activity(floats, use_wrt)
        for p in floats:
            if p.kind in "fav":
                p.mut = self.r() < (0.25 if p.active else 0.4)
        self.out = shape
        self.out_len = rng.randint(2, 3) if shape in "va" else 0
        if shape == "t":
            self.out_len = sum(n for _, n in self.tup)
        if shape == "b":
            # (longer in the functions that may pass a range of it on)
            self.own_buf = WParam("d", "b", rng.randint(3, 4) if self.new else rng.randint(2, 3))
            params.append(self.own_buf)
            self.out = "f" if self.r() < 0.5 else "u"
        self.own_buf_passed = False
        self.fill_tail = self.r() < 0.5
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
            elif p.kind == "v":
                a = carray(p.name, p.length, "v", writable=p.mut, write_len=ilit(p.length))
                a.surely_active = p.active
                self.declare_array(a)
            elif p.kind == "r":
                self.declare_array(carray(p.name, p.length, "r"))
            elif p.kind in "mn":
                self.declare_grid(Grid(p.name, p.rows, p.cols, p.kind, param=p))
            elif p.kind == "k":
                self.ints.append("k")

        special = [p for p in params if p.mut and self.r() < (0.7 if not p.active else 0.4)]
        weights = self.constructs()
        kinds = list(weights)
        forced = ["F:" + k for k in rng.choices(kinds, [weights[k] for k in kinds], k=rng.randint(1, 2))]
        if self.new and not any(f[2:] in self.NEW_CONSTRUCTS for f in forced):
            forced.append("F:" + self.pick(sorted(self.NEW_CONSTRUCTS)))
        if self.grids and self.r() < 0.5:
            forced.append("F:rows_call")
        forced += self.extra_forced()
        seq = [None] * rng.randint(0, 1) + special + forced
        rng.shuffle(seq)
        for s in seq:
            if s is None:
                self.stmt(nested=False)
            elif isinstance(s, str):
                self.forced(s[2:])
            elif s.kind != "f" or s.name in self.muts:
                self.wrt_stmt(s)

        # The tail: recent values, the parameters written and every unread
        # active parameter.
        terms = []
        recent = [s for s in reversed(self.top_written) if s in self.scalars][:3]
        for s in recent:
            terms.append(var(s))
        for p in params:
            if p.kind == "f" and p.name in self.scalars and p.name not in recent and (
                    p.name in self.written or p.active and p.name not in self.used):
                terms.append(var(p.name))
            elif p.kind in "savr" and (p.name in self.written or p.active and p.name not in self.used):
                terms.append(E(p.name + "[0]", ATOM, p.name + "[0]", True))
                terms.append(E("{}[{}.len() - 1]".format(p.name, p.name), ATOM,
                               "{}[len({}) - 1]".format(p.name, p.name), True))
                self.used.add(p.name)
            elif p.kind in "mn" and p.active and p.name not in self.used:
                last = "{}[{}][{}]".format(p.name, p.rows - 1, p.cols - 1)
                terms.append(E(p.name + "[0][0]", ATOM, p.name + "[0][0]", True))
                terms.append(E(last, ATOM, last, True))
                self.used.add(p.name)
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
        if "k" in self.ints and "k" not in self.used:
            shaped.append(binop("*", lit(0.1), cast(ivar("k"))))
        self.tail(shaped)

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
        # One function in four is called in joint mode by its callers (the
        # others in split mode); chosen by name, so that the random stream,
        # and with it every other program, stays as it was.
        options = []
        if use_wrt:
            options.append("wrt({})".format(", ".join(p.name for p in floats if p.active)))
        if zlib.crc32(self.name.encode()) % 4 == 0:
            options.append("joint")
            tags.append("signature: joint")
        attr = "#[differentiate({})]".format(", ".join(options)) if options else "#[differentiate]"
        one = {"f": "f64", "v": "Vec<f64>", "a": "[f64; {}]"}
        if self.out == "t":
            ret = " -> (" + ", ".join(one[mk].format(n) for mk, n in self.tup) + ")"
        elif self.out == "u":
            ret = ""
        else:
            ret = " -> " + one[self.out].format(self.out_len)
        rust = "{}\nfn {}({}){} {{\n{}\n}}\n".format(attr, self.name, ", ".join(sig), ret, "\n".join(self.rs))
        python = "def {}({}):\n{}\n".format(self.name, ", ".join(p.name for p in params), "\n".join(self.py))
        return CallsSpec(self.name, params, self.out, self.out_len, rust, python, self.call_depth, tags, self.tup)


# ----- the `calls` family's destination batch -------------------------------------
#
# CALLS_N_DEST functions drawn after the others (from the same stream, so the
# nalgebra batch, which has its own, stays as it was) whose signatures have
# two to four slice parameters `&[f64]`, most of them in `wrt` (and often one
# left out), and whose calls of such helpers pass several parts of ONE array
# (a pullback is lent its caller's cotangent of each array passed borrowed:
# `ad_runtime::dest::lend2`/`lend3` for two or three parts, a fourth part's
# cotangent comes back as a value): disjoint parts in or out of their order
# (`g(&x[k..], &x[..k])`, cuts from loop indices and `k`), overlapping parts,
# the same part twice, the whole array and a part, four parts; next to them
# parts of other arrays, literals and arrays left out of `wrt`, and `&w` of
# the same array to an `&[f64; N]` parameter.

CALLS_N_DEST = 100


class DestGen(CallsGen):
    CONSTRUCTS = dict(CallsGen.CONSTRUCTS, call_let=6, call_scalar=6)

    def __init__(self, rng, name, callees, new=True):
        super().__init__(rng, name, callees, new=new)
        self.dest_counts = {}  # parts of one array per call -> calls
        multi = [g for g in self.callees if self.n_slices(g) >= 2]
        if multi:
            # (helpers with two or more slice parameters, eight times as likely)
            self.callees = multi * 8 + [g for g in self.callees if self.n_slices(g) < 2]

    @staticmethod
    def n_slices(g):
        return sum(p.kind == "s" and p.active for p in g.params)

    def draw_params(self, n_slices=None):
        rng = self.rng
        n = rng.choices([1, 2, 3, 4], [1, 4, 4, 1.5])[0]
        slices = []
        for j in range(n):
            slices.append(WParam(["x", "y", "xs", "ys"][j], "s", rng.randint(5, 7) if self.r() < 0.25 else rng.randint(2, 3)))
        if self.r() < 0.35:
            e = WParam("xe", "s", rng.randint(2, 3))
            e.left_out = True
            slices.append(e)
        return super().draw_params(slices)

    def adjust_activity(self, floats, use_wrt):
        if not use_wrt:
            return
        for p in floats:
            if p.kind == "s":
                p.active = not getattr(p, "left_out", False) and self.r() < 0.9
        if not any(p.active for p in floats):
            self.pick([p for p in floats if p.kind == "s"]).active = True

    def extra_forced(self):
        return ["F:" + self.pick(["call_scalar", "call_let"]) for _ in range(2)]

    def prepare(self, g, skip=None):
        super().prepare(g, skip)
        act = [p for i, p in enumerate(g.params) if p.kind == "s" and p.active and i != skip]
        need = sum(p.length for p in act)
        if len(act) >= 2 and not self.slice_cands(need) and self.r() < 0.7:
            name = self.fresh("w")
            es = [self.typed(self.expr(1)) for _ in range(need + self.rng.randint(0, 2))]
            self.emit("let {} = [{}];".format(name, ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(name, ", ".join("chk(" + e.py + ")" for e in es)))
            self.declare_array(carray(name, len(es), "la"))
            self.ctag("dest: a local array long enough for disjoint parts")

    def call_text(self, g, inject=None, allow_move=False, state=None, states=None):
        states = dict(states or {})
        taken = set(states) | ({state[0]} if state is not None else set())
        members = [i for i, p in enumerate(g.params) if p.kind == "s" and p.active and i not in taken]
        if len(members) >= 2 and self.r() < 0.92:
            states.update(self.parts(g, members))
        return super().call_text(g, inject, allow_move, state, states)

    def part_text(self, a, s, e, mc, incl=False):
        """`&a[s..e]` (e None: to the end) and its twin; s and e are ints or
        I expressions."""
        rs_of = lambda v: v if isinstance(v, str) else (str(v) if isinstance(v, int) else v.rs)
        py_of = lambda v: str(v) if isinstance(v, int) else v.py
        whole = a.name if a.akind == "s" else "&" + a.name
        if s == 0 and (e is None or (a.fixed and e == a.length)):
            form = self.rng.choices(["whole", "full", "from0"], [4, 1, 1])[0]
            rs = {"whole": whole, "full": "&{}[..]".format(a.name), "from0": "&{}[0..]".format(a.name)}[form]
            return rs, a.name, "whole"
        if e is None:
            return "&{}[{}..]".format(a.name, rs_of(s)), "sl({}, {}, None, {})".format(a.name, py_of(s), mc), "part"
        if incl and isinstance(e, int) and e > (s if isinstance(s, int) else 0):
            return ("&{}[{}..={}]".format(a.name, rs_of(s), e - 1),
                    "sl({}, {}, {}, {})".format(a.name, py_of(s), e, mc), "part")
        lo = "" if s == 0 and self.r() < 0.6 else rs_of(s)
        return "&{}[{}..{}]".format(a.name, lo, rs_of(e)), "sl({}, {}, {}, {})".format(a.name, py_of(s), py_of(e), mc), "part"

    def parts(self, g, members):
        """Arguments for the slice parameters `members` of `g`: several
        parts of one array (and the others' arguments as they come)."""
        rng = self.rng
        if len(members) >= 3 and self.r() < 0.2:
            members = sorted(rng.sample(members, 2))
        out = {}
        mcs = {i: g.params[i].length for i in members}
        cands = self.slice_cands(max(mcs.values()))
        if not cands:
            return out
        need = sum(mcs.values())
        long = [a for a in cands if a.length >= need]
        a = self.pick(long) if long and self.r() < 0.85 else self.pick(cands)
        self.used.add(a.name)
        n = a.length
        kinds = ["overlap", "same", "whole"] + (["disjoint"] if n >= need else [])
        weights = [2, 1.2, 1.5] + ([5] if n >= need else [])
        pattern = rng.choices(kinds, weights)[0]
        spans = {}  # member -> (s, e) static (e None: to the end)
        dynamic = False
        if pattern == "disjoint":
            order = list(members)
            rng.shuffle(order)
            if len(order) == 2 and self.ints and self.r() < 0.4:
                # a cut from a loop index or k: `&a[..c]`, `&a[c..]`
                m0, m1 = order
                c, dynamic = self.bexpr(mcs[m0], n - mcs[m1])
                out[m0] = self.part_text(a, 0, c, mcs[m0])[:2]
                out[m1] = self.part_text(a, c, None, mcs[m1])[:2]
                spans = None
            else:
                slack, pos = n - need, 0
                for j, m in enumerate(order):
                    gap = rng.randint(0, slack) if self.r() < 0.3 else 0
                    slack -= gap
                    pos += gap
                    ext = rng.randint(0, slack) if self.r() < 0.4 else 0
                    slack -= ext
                    end = pos + mcs[m] + ext
                    spans[m] = (pos, None if j == len(order) - 1 and self.r() < 0.5 else end)
                    pos = end
        elif pattern == "same":
            m = max(mcs.values())
            ln = rng.randint(m, n)
            s = rng.randint(0, n - ln)
            for i in members:
                spans[i] = (s, s + ln)
            if len(members) >= 3 and self.r() < 0.5:
                i = members[-1]
                ln = rng.randint(mcs[i], n)
                s = rng.randint(0, n - ln)
                spans[i] = (s, s + ln)
        else:
            for i in members:
                ln = rng.randint(mcs[i], n)
                s = rng.randint(0, n - ln)
                spans[i] = (s, s + ln)
            if pattern == "whole":
                spans[self.pick(members)] = (0, None)
        if spans is not None:
            incl = self.r() < 0.2
            texts = {}
            for i in members:
                s, e = spans[i]
                if e is not None and e == n and not a.fixed and self.r() < 0.5:
                    e = None
                key = (s, e)
                if key not in texts or self.r() < 0.3:
                    texts[key] = self.part_text(a, s, e, mcs[i], incl)[:2]
                out[i] = texts[key]
        # the static spans' relations (dynamic cuts: disjoint)
        k = len(members)
        what = []
        if spans is None:
            what.append("disjoint parts, a cut from a loop index or k")
        else:
            iv = {i: (s, n if e is None else e) for i, (s, e) in spans.items()}
            pairs = [(iv[i], iv[j]) for x, i in enumerate(members) for j in members[x + 1:]]
            if any(p == q for p, q in pairs):
                what.append("the same part twice")
            if any(p != q and p[0] < q[1] and q[0] < p[1] for p, q in pairs):
                what.append("overlapping parts")
            if all(p[1] <= q[0] or q[1] <= p[0] for p, q in pairs):
                what.append("disjoint parts")
                if [iv[i] for i in members] != sorted(iv[i] for i in members):
                    what.append("disjoint parts out of their order")
            if any(s == 0 and (e is None or e == n) for s, e in spans.values()):
                what.append("the whole array and a part")
        # `&a` to an `&[f64; N]` parameter of the same length: one part more
        rs_ = [i for i, p in enumerate(g.params) if p.kind == "r" and p.active and p.length == a.length
               and a.fixed and a.akind in ("a", "la", "da") and i not in out]
        if rs_ and self.r() < 0.7:
            out[rs_[0]] = ("&" + a.name, a.name)
            k += 1
            what.append("&w to an &[f64; N] parameter next to parts of w")
        self.dest_counts[k] = self.dest_counts.get(k, 0) + 1
        self.ctag("dest: a call passes {} parts of one array".format(k))
        for w in what:
            self.ctag("dest: " + w)
        p = next((q for q in self.wparams if q.name == a.name), None)
        if p is not None and not p.active:
            self.ctag("dest: parts of a parameter left out of wrt")
        for i, q in enumerate(g.params):
            if q.kind == "s" and q.active and i not in out and i not in members and self.r() < 0.4:
                es = self.consts(q.length + rng.randint(0, 1))
                out[i] = ("&[" + ", ".join(e.rs for e in es) + "]", "[" + ", ".join(e.py for e in es) + "]")
                self.ctag("dest: a literal &[f64] to a parameter in wrt next to parts")
        if any(q.kind == "s" and not q.active for q in g.params):
            self.ctag("dest: a parameter left out of wrt next to parts")
        return out

    def function(self):
        spec = super().function()
        spec.dest_counts = self.dest_counts
        return spec


def calls_run(fn, spec, z, q, k):
    """(outputs, decisions) or None if a value is out of bounds."""
    del TRACE[:]
    try:
        args, bufs = wrt_args(spec, z, q, k)
        r = fn(*args)
        if spec.out == "u":
            ys = []
        elif spec.out == "t":
            ys = [y for m in r for y in (m.flat() if isinstance(m, Mat) else m if isinstance(m, list) else [m])]
        elif isinstance(r, Mat):
            ys = r.flat()
        else:
            ys = list(r) if isinstance(r, list) else [r]
        ys += [y for b in bufs for y in b]
        assert len(ys) == spec.ny(), (ys, spec.ny())
        if any(not math.isfinite(y) or abs(y) > OUT_BOUND for y in ys):
            return None
    except (Bad, OverflowError, ZeroDivisionError, ValueError):
        return None
    return ys, list(TRACE)


# ----- Rust output of the `calls` family ---------------------------------------------

CALLS_HEADER = """\
//! Randomized differential testing of helpers over arrays: {n} random
//! `#[differentiate]` functions that call earlier ones with slices,
//! sub-slices, arrays, `Vec`s, 2-D arrays and their rows and in/out
//! buffers (whole arrays and ranges of them), fill local 2-D arrays in
//! loops, bind their array, `Vec` and tuple results, copy and assign whole
//! arrays, grow `Vec`s with `push`, take arrays apart with patterns and
//! destructuring assignment and update outer variables in blocks, each
//! checked at {pp} points by `random_calls_agree` below.
//!
//! @generated by `tests/random/generate.py` (family `calls`, seed {seed}); do
//! not edit by hand. Regenerate, byte for byte, with the other two files, from
//! the repository root with
//!
//! ```text
//! python3 tests/random/generate.py
//! ```
//!
//! Each function is seen as a map of flat vectors: z (its active inputs, in
//! parameter order) -> y (its value, or the elements of its `Vec` or array
//! result), the inactive floats q and the integer k held fixed. The checks
//! are those of `tests/random_wrt.rs`: (twin) y is the Python twin's, to
//! 1e-9; (value) every mode gives the same y, bit for bit; (dot) <J t, c> =
//! <t, J^T c>; (jvp-fd), (jac-fd), (vjp-fd) against finite differences; (live)
//! none of these passes for a zero derivative and every active parameter
//! moves some output; functions with an f64 result also get (vjp), (grad-fd),
//! (hvp-fd), (hvp-grad) and (hvp-sym). A helper's parameters left out of its
//! `wrt` only ever receive values that read no active input.
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
    clippy::identity_op,
    clippy::if_same_then_else,
    clippy::let_and_return,
    clippy::manual_is_multiple_of,
    clippy::manual_slice_fill,
    clippy::misrefactored_assign_op,
    clippy::needless_range_loop,
    clippy::redundant_slicing,
    clippy::too_many_arguments,
    clippy::useless_vec,
    clippy::vec_init_then_push
)]

use ad::check;
use ad::differentiate;

"""

GRID_HELPERS = r"""
/// Moves an index by two, modulo `n`: inactive state that verbatim code
/// changes through a `&mut` borrow (`volatile_index`).
fn bump(k: &mut usize, n: usize) {
    *k = (*k + 2) % n;
}

/// The rows of a flat vector, `n` to a row (a `&[Vec<f64>]` argument).
fn rows(s: &[f64], n: usize) -> Vec<Vec<f64>> {
    s.chunks(n).map(<[f64]>::to_vec).collect()
}

/// An `[[f64; C]; R]` argument from a flat vector, row by row.
fn arr2<const C: usize, const R: usize>(s: &[f64]) -> [[f64; C]; R] {
    core::array::from_fn(|i| arr(&s[i * C..(i + 1) * C]))
}
"""

CALLS_HARNESS = WRT_HARNESS.replace("fn random_wrt_agree()", "fn random_calls_agree()").replace(
    '"random_wrt: {} functions', '"random_calls: {} functions').replace(
    "\nfn dot(a: &[f64], b: &[f64]) -> f64 {", GRID_HELPERS + "\nfn dot(a: &[f64], b: &[f64]) -> f64 {")


def calls_adapters(spec):
    """The closures of a `Case` entry of the `calls` family: y is the
    result's flat vector (a tuple's members concatenated), then the final
    contents of the buffer."""
    pre_f, pre_j, pre_v = [], [], []
    args_f, args_j, args_v, args_h = [], [], [], []
    outs, douts, bouts, bdouts, cots, gs, hs = [], [], [], [], [], [], []
    zat = qat = 0
    cat_ = spec.ny() - sum(p.length for p in spec.buffers)  # where the buffers' cotangents start in c
    uses = set()
    for i, p in enumerate(spec.params):
        if p.kind == "k":
            for a in (args_f, args_j, args_v, args_h):
                a.append("k")
            uses.add("k")
            continue
        n = p.size()
        if p.kind == "b":
            rz, rc = "{}..{}".format(zat, zat + n), "{}..{}".format(cat_, cat_ + n)
            pre_f.append("let mut b{} = z[{}].to_vec();".format(i, rz))
            pre_j.append("let (mut b{i}, mut db{i}) = (z[{r}].to_vec(), d[{r}].to_vec());".format(i=i, r=rz))
            pre_v.append("let (mut b{i}, mut cb{i}) = (z[{r}].to_vec(), c[{rc}].to_vec());".format(i=i, r=rz, rc=rc))
            args_f.append("&mut b{}".format(i))
            args_j += ["&mut b{}".format(i), "&mut db{}".format(i)]
            args_v += ["&mut b{}".format(i), "&mut cb{}".format(i)]
            bouts.append("&b{}[..]".format(i))
            bdouts.append("&db{}[..]".format(i))
            cots.append("&cb{}[..]".format(i))
            zat += n
            cat_ += n
            continue
        if p.active:
            src, at = "z", zat
            zat += n
        else:
            src, at = "q", qat
            qat += n
            uses.add("q")

        def val(s):
            if p.kind == "f":
                return "{}[{}]".format(s, at)
            r = "{}[{}..{}]".format(s, at, at + n)
            if getattr(p, "fixed", None):
                # (`linalg_fixed.py`: `&Vector3<f64>`, `&SMatrix<f64, R, C>`, ..)
                return "&SMatrix::<f64, {}, {}>::from_column_slice(&{})".format(p.rows, p.cols, r)
            return {"s": "&" + r, "a": "arr(&" + r + ")", "v": r + ".to_vec()", "r": "&arr(&" + r + ")",
                    "m": "&rows(&{}, {})".format(r, p.cols), "n": "arr2(&" + r + ")",
                    "V": "&DVector::from_column_slice(&" + r + ")",
                    "M": "&DMatrix::from_column_slice({}, {}, &{})".format(p.rows, p.cols, r)}[p.kind]

        args_f.append(val(src))
        args_v.append(val(src))
        if p.active:
            args_j += [val("z"), val("d")]
            args_h += [val("z"), val("d")]
            g, h = "g{}".format(i), "h{}".format(i)
            gs.append(g)
            hs.append(h)
            if p.kind == "f":
                cots.append("&[{}][..]".format(g))
            elif p.kind in "mn":
                cots.append("&{}.concat()[..]".format(g))
            elif p.kind in "VM":
                cots.append("{}.as_slice()".format(g))
            else:
                cots.append("&{}[..]".format(g))
        else:
            args_j.append(val(src))
            args_h.append(val(src))
    q = "q" if "q" in uses else "_"
    k = "k" if "k" in uses else "_"
    n = spec.name
    cs = "cat(&[" + ", ".join(cots) + "])"

    def block(pre, body):
        return body if not pre else "{ " + " ".join(pre + [body]) + " }"

    # the result: its names in f and vjp (r), in jvp ((r, dr)), its
    # cotangent (from c) and its parts of y and of the tangent of y
    if spec.out == "t":
        names = ["r{}".format(j) for j in range(len(spec.tup))]
        r = "(" + ", ".join(names) + ")"
        rj = "(" + r + ", (" + ", ".join("d" + x for x in names) + "))"
        dout, at = [], 0
        for (mk, m), x in zip(spec.tup, names):
            if mk == "f":
                dout.append("c[{}]".format(at))
                outs.append("&[{}][..]".format(x))
                douts.append("&[d{}][..]".format(x))
            elif mk == "V":
                dout.append("DVector::from_column_slice(&c[{}..{}])".format(at, at + m))
                outs.append("{}.as_slice()".format(x))
                douts.append("d{}.as_slice()".format(x))
            else:
                dout.append(("c[{}..{}].to_vec()" if mk == "v" else "arr(&c[{}..{}])").format(at, at + m))
                outs.append("&{}[..]".format(x))
                douts.append("&d{}[..]".format(x))
            at += m
        dout = "(" + ", ".join(dout) + ")"
    elif spec.out == "u":
        r = rj = dout = None
    elif spec.out in "VM":
        r, rj = "r", "(r, dr)"
        rows, cols = spec.out_shape
        dout = ("DVector::from_column_slice(&c[..{}])".format(rows) if spec.out == "V" else
                "DMatrix::from_column_slice({}, {}, &c[..{}])".format(rows, cols, rows * cols))
        outs.append("r.as_slice()")
        douts.append("dr.as_slice()")
    else:
        r, rj = "r", "(r, dr)"
        dout = {"f": "c[0]", "v": "c[..{}].to_vec()".format(spec.out_len), "a": "arr(&c[..{}])".format(spec.out_len)}[spec.out]
        outs.append("&[r][..]" if spec.out == "f" else "&r[..]")
        douts.append("&[dr][..]" if spec.out == "f" else "&dr[..]")
    ys = "cat(&[" + ", ".join(outs + bouts) + "])"
    dys = "cat(&[" + ", ".join(douts + bdouts) + "])"
    if spec.plain and spec.out in "va":
        ys, dys = ("r", "dr") if spec.out == "v" else ("r.to_vec()", "dr.to_vec()")
    call_f = "{}({})".format(n, ", ".join(args_f))
    call_j = "{}_jvp({})".format(n, ", ".join(args_j))
    call_v = "{}_vjp({})".format(n, ", ".join(args_v + ([dout] if dout else [])))
    if spec.out == "u":
        f_body = block(pre_f, "{}; {}".format(call_f, ys))
        j_body = block(pre_j, "{}; ({}, {})".format(call_j, ys, dys))
        v_lhs = gs[0] if len(gs) == 1 else "(" + ", ".join(gs) + ")"
    else:
        f_body = block(pre_f, "let {} = {}; {}".format(r, call_f, ys))
        j_body = block(pre_j, "let {} = {}; ({}, {})".format(rj, call_j, ys, dys))
        v_lhs = "(" + ", ".join([r] + gs) + ")"
    v_body = block(pre_v, "let {} = {}; ({}, {})".format(v_lhs, call_v, ys, cs))
    if not pre_f and spec.out == "f":
        f_body = "vec![{}]".format(call_f)
    elif spec.plain and spec.out in "va":
        f_body = call_f + ("" if spec.out == "v" else ".to_vec()")
    lines = [
        "f: |z, {q}, {k}| {b},".format(q=q, k=k, b=f_body if pre_f or spec.plain else "{ " + f_body + " }"),
        "jvp: |z, d, {q}, {k}| {{ {b} }},".format(q=q, k=k, b=j_body) if not pre_j else
        "jvp: |z, d, {q}, {k}| {b},".format(q=q, k=k, b=j_body),
        "vjp: |z, {q}, {k}, c| {{ {b} }},".format(q=q, k=k, b=v_body) if not pre_v else
        "vjp: |z, {q}, {k}, c| {b},".format(q=q, k=k, b=v_body),
    ]
    if spec.scalar:
        lines.append("grad: Some(|z, {q}, {k}| {{ let (r, {g}) = {n}_grad({a}); (r, {cs}) }}),".format(
            q=q, k=k, g=", ".join(gs), n=n, a=", ".join(args_f), cs=cs))
        hcat = "cat(&[" + ", ".join(c.replace("g", "h") for c in cots) + "])"
        lines.append("hvp: Some(|z, d, {q}, {k}| {{ let (r, {g}, {h}) = {n}_hvp({a}); (r, {cs}, {hc}) }}),".format(
            q=q, k=k, g=", ".join(gs), h=", ".join(hs), n=n, a=", ".join(args_h), cs=cs, hc=hcat))
    else:
        lines += ["grad: None,", "hvp: None,"]
    return lines


def calls_case_entry(spec):
    out = ["const {}: Case = Case {{".format(spec.name.upper()), '    name: "{}",'.format(spec.name)]
    out.append("    live: &[" + ", ".join("({}, {})".format(a, b) for a, b in spec.live_ranges()) + "],")
    out += ["    " + line for line in calls_adapters(spec)]
    out.append("    points: [")
    for z, q, k, t, c, v, y in spec.points:
        out.append("        Point {{ z: {}, q: {}, k: {}, t: {}, c: {}, v: {}, y: &[{}] }},".format(
            fmt_list(z), fmt_list(q), k, fmt_list(t), fmt_list(c), fmt_list(v),
            ", ".join(rust_float(float("%.12g" % a)) for a in y)))
    out.append("    ],")
    out.append("};")
    return out


# ----- the `calls` family's nalgebra batch ----------------------------------------
#
# The last CALLS_N_NALGEBRA functions of the family (drawn after the others,
# which stay as they were) take `&DVector<f64>` and `&DMatrix<f64>`
# parameters (in and out of `wrt`: active values and inactive data) and
# return `DVector<f64>`, `DMatrix<f64>`, `f64` or `(DVector<f64>, f64)`.
# Their bodies compute with the operations the macro supports on nalgebra
# values: matrix-vector, matrix-matrix and outer products, `+`, `-`, unary
# `-`, a scalar (a constant or an active value) times a matrix, `/` by a
# scalar, `transpose()`, `component_mul`, `map(|z| ..)` closures, `dot`,
# `norm_squared`, `norm`, `sum`, `mean`, element reads `v[i]`, `m[(i, j)]`
# (also of computed values, `(w * y)[1]`) and linear `m[i]`; they build
# nalgebra values from their slice, array and scalar parameters
# (`DVector::zeros(n)` / `DMatrix::zeros(r, c)` filled by element in loops,
# `DVector::from_element(n, a)` with an active element, copies `w.clone()`
# written by element), carry nalgebra state through loops (`h = (w *
# &h).map(..)`, `h += &e`, `h = g(w, &h)`, element updates, in branches too)
# and call each other with parameters as they are, borrowed locals `&h`, computed values `&(w * y)`
# and constants `&DVector::from_element(n, c)`, in straight-line code, loops
# and branches, mixed with the scalar code of the first family. Their
# results are bound (`let d = g(..);`, `let (d, s) = g(..);`) and read by
# element or reduced. The twin computes with `Mat` below (nested lists); the
# harness passes flat vectors as `DVector::from_column_slice` /
# `DMatrix::from_column_slice` (column-major, as nalgebra stores them), and
# reads cotangents and results back with `as_slice()`.

CALLS_N_NALGEBRA = 40
# The batch draws from its own random.Random (the family's seed plus this
# offset), perturbs with its own rounding noise (`stable_under_rounding`)
# and calls only its own functions: its programs do not depend on those
# drawn before it (which may change), nor on the families run before it
# (`--family calls` alone writes the same batch; the first functions of the
# family, though, are those of the full run only, since NOISE is shared).
CALLS_NALGEBRA_SEED_OFFSET = 1000
# Switches to leave a construct out while the macro mishandles it (found by
# this batch: nine compile errors of the generated code and one wrong
# derivative; listed in the generated file's header when on; a small
# reproducer in each comment).
#
# A nalgebra value moved into a tuple result and read afterwards, by the
# reverse sweep (`(x.map(|z| z.tanh()), a)`, `let y = w * x; let z =
# w.transpose() * &y; (y, z.sum())`) or, for a member that reads no active
# input, by `_jvp` for its zero tangent (`(y * 0.99, a)` with `wrt(a)`): the
# generated code builds the tuple `(t, a,)` (a move), then borrows `t`
# (E0382). Fixed (with nalgebra values a tuple member is stored as a
# `let` value is: copied when it is read again, moved otherwise); with the
# switch on, a tuple's nalgebra member is a fresh value that nothing reads
# again: `e * c` with a constant c, or `e + DVector::from_element(n, a)`
# with an active `a`.
EXCLUDE_TUPLE_MEMBER_READ_BACK = False
# `.map(|z| ..)` on a value the macro sees as inactive (a parameter left out
# of `wrt`, or computed from such values only) is rejected with "closures are
# not supported in a differentiated function (except the body of `.map` on a
# nalgebra value)". Fixed (a `.map` closure in code kept verbatim is kept
# too, its parameters not renamed); with the switch on, `.map` is applied
# only to values that read an active input.
EXCLUDE_MAP_OF_INACTIVE = False
# A nalgebra value whose cotangent the reverse sweep starts from a zero it
# declares where the value is not kept (an unnamed temporary in a loop or a
# branch: `u += (y * 2.0)[0];`, `u += s(&(y * a));`,
# `u += s(&DVector::from_element(2, a));`; a named local of a loop read by
# element, `let h = y * 0.98; u += h[0];` in a loop whose accumulator is only
# returned) gets the zero `0.0`, a float: E0608 / E0308 / E0277. Fixed (in
# code on nalgebra values the zero is `zero_like` of a value still in scope
# in the reverse sweep: computed again there, or a local of a single-pass
# loop; `Adjoint::available`); with the switch on, inside loops and branches
# computed values are not read by element and are bound to a local before
# they are passed to a call, and locals declared in a loop are not read by
# element.
EXCLUDE_NESTED_NALGEBRA_TEMPS = False
# `u += u` (a compound assignment whose right side is its own target) in a
# function with nalgebra parameters is written `u += &u` when the macro has
# not inferred that `u` is a scalar (after `u = u * 0.5;` in a branch): E0502.
# Fixed (lowered as `u = u + u` in code on nalgebra values); with the switch
# on, the right side is `u * c` instead.
EXCLUDE_SELF_COMPOUND_ASSIGN = False
# A copy of a borrowed nalgebra parameter, `let h = y.clone();`, later
# passed to a helper by reference, `g(&h)`, is passed as `g(h)` in the
# generated code (the copy is taken for a reference like `y`): E0308. Fixed
# (a copy of a borrowed nalgebra parameter is an owned value; `let k = y;`
# is another name for the borrow); with the switch on, such copies are not
# passed to calls.
EXCLUDE_PARAM_COPY_TO_CALL = False
# `h += &e` in a loop or a branch with an inactive computed `e`
# (`h += &(0.29 * w)`, `w` left out of `wrt`) becomes `let t = &(0.29 * w);
# h += &t;`: E0277 (`&&Matrix`). Fixed (an operand `&e` of an operator, a
# compound assignment or a nalgebra method is lowered as `e`, active or
# not, `Lowerer::lower_operand`); with the switch on, such updates are
# written `h = &h + e`.
EXCLUDE_INACTIVE_REF_COMPOUND_ASSIGN = False
# `.map(|z| ..)` in the condition of an `if` (`if q.map(|z| z.cos()).sum() <
# 0.5 {`), even on an active value, is rejected with "closures are not
# supported in a differentiated function (except the body of `.map` on a
# nalgebra value)". Fixed (as EXCLUDE_MAP_OF_INACTIVE's: a condition is
# kept verbatim); with the switch on, conditions have no `.map`.
EXCLUDE_MAP_IN_CONDITION = False
# A nalgebra local that reads no active input, borrowed as the operand of an
# operator with an active one (`w * &h`, `a * &h`, `&h + y`, `h = u * 2.0`
# with `u` left out of `wrt`): "`ad` has no rule for the product `Matrix *
# &Matrix`" (E0277): `&h` was kept verbatim, `let t = &h;`, and borrowed
# again by the rule. Fixed (as EXCLUDE_INACTIVE_REF_COMPOUND_ASSIGN's); with
# the switch on, such operands are written `h.clone()` (owned).
EXCLUDE_BORROWED_INACTIVE_OPERAND = False
# A nalgebra local that is written by element (`h[(0, 1)] = ..`) is then
# taken for an array: `h -= &e` / `h += &e`, and when it was a copy (`let mut
# h = w.clone();`) also `h = &h * 0.5 + w`, are rejected with "assign a whole
# array with `=` (`u = un;`), or write its elements" (a restriction meant for
# `Vec`s). Fixed (`h -= &e` on a nalgebra value is arithmetic, written by
# element or not; the copy is EXCLUDE_PARAM_COPY_TO_CALL's); with the switch
# on, a loop state is updated either by element or whole, not both.
EXCLUDE_COMPOUND_ASSIGN_WITH_ELEMENT_WRITES = False
# A silently wrong derivative: a nalgebra local whose initial value reads no
# active input (`let mut h = y * 1.0;`, `y` left out of `wrt`; `let mut h:
# DVector<f64> = DVector::zeros(2);`) and that a loop writes by element with
# an active value, read whole in the loop before that write:
#
#     let mut h = y * 1.0;
#     for _ in 0..2 {
#         let s = h.sum();
#         h[1] = a * s;
#     }
#     h[1]                      // d/da: `_jvp`, `_vjp` give 2.25, the truth is 4.0
#
# `h.sum()` is lowered as inactive code (`let s = h.sum();` verbatim, no
# tangent): the lowering's rounds, which find slots and arrays that become
# varied later in a loop (`Lowerer::var_varied`, ad-macros/src/lower/mod.rs),
# do not count nalgebra locals written by element (neither `slot` nor
# `array`). The same with a `Vec` was right. Fixed (every variable the
# hint names counts in code on nalgebra values); with the switch on, a loop
# state's initial value always reads an active input (`e * a.cos()`).
EXCLUDE_LOOP_ACTIVATED_NALGEBRA_LOCAL = False

KIND_TY["V"] = "&DVector<f64>"
KIND_NAME["V"] = "&DVector<f64>"
KIND_TY["M"] = "&DMatrix<f64>"
KIND_NAME["M"] = "&DMatrix<f64>"
NALG_TY = {"V": "DVector<f64>", "M": "DMatrix<f64>"}


class Mat:
    """The twin of a nalgebra `DVector<f64>` (`vec`, one column) or
    `DMatrix<f64>`: a list of rows. Every computed element goes through
    `chk`."""

    def __init__(self, rows, vec=False):
        self.a, self.vec = rows, vec

    @staticmethod
    def col(vals):
        return Mat([[v] for v in vals], True)

    @staticmethod
    def colmajor(r, c, vals):
        """`DMatrix::from_column_slice(r, c, vals)`."""
        assert len(vals) == r * c
        return Mat([[vals[j * r + i] for j in range(c)] for i in range(r)])

    @staticmethod
    def full(r, c, v, vec=False):
        """`DVector::from_element(r, v)` (vec) or `DMatrix::from_element(r, c, v)`."""
        v = chk(v)
        return Mat([[v] * c for _ in range(r)], vec)

    @staticmethod
    def zeros(r, c, vec=False):
        return Mat([[0.0] * c for _ in range(r)], vec)

    def shape(self):
        return len(self.a), len(self.a[0])

    def flat(self):
        """Column-major, as `as_slice()`."""
        r, c = self.shape()
        return [self.a[i][j] for j in range(c) for i in range(r)]

    def __len__(self):
        r, c = self.shape()
        return r * c

    def _at(self, i):
        if isinstance(i, tuple):
            return i
        r, c = self.shape()
        assert 0 <= i < r * c, (i, r, c)
        return i % r, i // r

    def __getitem__(self, i):
        r, c = self._at(i)
        assert 0 <= r < len(self.a) and 0 <= c < len(self.a[0]), (i, self.shape())
        return self.a[r][c]

    def __setitem__(self, i, v):
        r, c = self._at(i)
        assert 0 <= r < len(self.a) and 0 <= c < len(self.a[0]), (i, self.shape())
        self.a[r][c] = v

    def _zip(self, o, f):
        assert isinstance(o, Mat) and self.shape() == o.shape(), (self.shape(), o.shape())
        return Mat([[chk(f(x, y)) for x, y in zip(p, q)] for p, q in zip(self.a, o.a)], self.vec)

    def _each(self, f):
        return Mat([[chk(f(x)) for x in p] for p in self.a], self.vec)

    def __add__(self, o):
        return self._zip(o, lambda x, y: x + y)

    def __sub__(self, o):
        return self._zip(o, lambda x, y: x - y)

    def __neg__(self):
        return self._each(lambda x: -x)

    def __mul__(self, o):
        if isinstance(o, Mat):
            (r, k), (k2, c) = self.shape(), o.shape()
            assert k == k2, (self.shape(), o.shape())
            # `DMatrix * DVector` is a `DVector`; an outer product `x * y^T` a `DMatrix`
            return Mat([[chk(sum(self.a[i][j] * o.a[j][l] for j in range(k))) for l in range(c)]
                        for i in range(r)], o.vec)
        return self._each(lambda x: x * o)

    def __rmul__(self, s):
        return self._each(lambda x: s * x)

    def __truediv__(self, s):
        return self._each(lambda x: x / s)

    def transpose(self):
        r, c = self.shape()
        return Mat([[self.a[i][j] for i in range(r)] for j in range(c)])

    def clone(self):
        return Mat([list(p) for p in self.a], self.vec)

    def map(self, f):
        return self._each(f)

    def component_mul(self, o):
        return self._zip(o, lambda x, y: x * y)

    def dot(self, o):
        assert self.shape() == o.shape(), (self.shape(), o.shape())
        return chk(sum(x * y for x, y in zip(self.flat(), o.flat())))

    def norm_squared(self):
        return self.dot(self)

    def norm(self):
        return chk(math.sqrt(self.norm_squared()))

    def sum(self):
        return chk(sum(self.flat()))

    def mean(self):
        return chk(sum(self.flat()) / len(self))


class NVal:
    """A nalgebra value visible in the body: a parameter (`param`, kind 'V'
    `&DVector<f64>` or 'M' `&DMatrix<f64>`) or an owned local; `active`:
    it may read an active input."""

    def __init__(self, name, kind, rows, cols, param=None, active=True, in_loop=False):
        self.name, self.kind, self.rows, self.cols, self.param = name, kind, rows, cols, param
        self.active = active  # (of a local: surely reads an active input)
        self.in_loop = in_loop  # declared in a loop
        self.param_copy = False  # `y.clone()` of a parameter (EXCLUDE_PARAM_COPY_TO_CALL)
        self.elem_written = self.compound = False  # (EXCLUDE_COMPOUND_ASSIGN_WITH_ELEMENT_WRITES)
        self.consumed = False

    def what(self):
        return ("parameter " + KIND_NAME[self.kind]) if self.param is not None else ("local " + NALG_TY[self.kind])


class NE:
    """A nalgebra expression: Rust text as an operand (a local borrowed,
    `&h`; a parameter as it is) with its precedence, Python text, its type
    ('V' DVector, 'M' DMatrix) and shape; `leaf` the NVal it names;
    `active`: it surely reads an active input."""

    def __init__(self, rs, prec, py, kind, rows, cols, leaf=None, active=False):
        self.rs, self.prec, self.py, self.kind, self.rows, self.cols = rs, prec, py, kind, rows, cols
        self.leaf = leaf
        self.active = active if leaf is None else leaf.active


def nop(ne, minprec):
    return ne.rs if ne.prec >= minprec else "(" + ne.rs + ")"


def nrecv(ne):
    """`ne` as a method receiver."""
    return ne.leaf.name if ne.leaf is not None else nop(ne, ATOM)


def nref(ne):
    """`ne` as a borrowed argument: `w`, `&h`, `&(w * y)`."""
    if ne.leaf is not None:
        return ne.leaf.name if ne.leaf.param is not None else "&" + ne.leaf.name
    return "&" + nop(ne, ATOM)


def nowned(ne):
    """`ne` as an owned value (rust, python): leaves are copied."""
    if ne.leaf is not None:
        return ne.leaf.name + ".clone()", ne.leaf.name + ".clone()"
    return ne.rs, ne.py


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


# The nalgebra switches, as the generated file's header lists them.
NALG_EXCLUSIONS = [
    ("EXCLUDE_TUPLE_MEMBER_READ_BACK", "nalgebra: a value moved into a tuple result and read again (by the\n"
                                       "reverse sweep, or for an inactive member's zero tangent)"),
    ("EXCLUDE_MAP_OF_INACTIVE", "nalgebra: `.map(|z| ..)` on a value that reads no active input"),
    ("EXCLUDE_MAP_IN_CONDITION", "nalgebra: `.map(|z| ..)` in the condition of an `if`"),
    ("EXCLUDE_NESTED_NALGEBRA_TEMPS", "nalgebra: in loops and branches, computed values read by element or\n"
                                      "passed to calls (`(y * a)[0]`, `g(&(y * a))`), and locals of a loop read\n"
                                      "by element"),
    ("EXCLUDE_SELF_COMPOUND_ASSIGN", "`u += u` in a function with nalgebra parameters"),
    ("EXCLUDE_PARAM_COPY_TO_CALL", "nalgebra: a copy `y.clone()` of a parameter passed to a call (`g(&h)`)"),
    ("EXCLUDE_INACTIVE_REF_COMPOUND_ASSIGN", "nalgebra: `h += &e` in a loop or branch with `e` reading no active input"),
    ("EXCLUDE_BORROWED_INACTIVE_OPERAND", "nalgebra: a local reading no active input borrowed as an operator's\n"
                                          "operand (`w * &h`)"),
    ("EXCLUDE_COMPOUND_ASSIGN_WITH_ELEMENT_WRITES", "nalgebra: `h -= &e` (or, for a copy, `h = e`) on a local also\n"
                                                    "written by element"),
    ("EXCLUDE_LOOP_ACTIVATED_NALGEBRA_LOCAL", "nalgebra, a wrong derivative: a local that reads no active input,\n"
                                              "written by element in a loop with an active value and read whole\n"
                                              "before that write"),
]

NALG_HEADER_NOTE = """\
//! The last {n} functions take nalgebra vectors and matrices (`&DVector<f64>`,
//! `&DMatrix<f64>`, in and out of `wrt`) and return them (`DVector<f64>`,
//! `DMatrix<f64>`, `(DVector<f64>, f64)`) or an f64: products, sums,
//! `transpose`, `component_mul`, `.map` closures, reductions and element
//! reads, values built from slices and scalars, state carried through loops,
//! and calls of each other with them. Their flat vectors z and y hold
//! matrices column by column (`from_column_slice`, `as_slice`).
//!
"""


def bounded(f):
    """`f` whose result must stay below BOUND like every named value: inside
    an expression (`(b.cosh() + 0.31).acosh()`) an exponential can otherwise
    reach 1e272, where second derivatives underflow."""
    return lambda *a: chk(f(*a))


def generate_calls(n_funcs, seed, out, n_new=CALLS_N_NEW, n_nalg=CALLS_N_NALGEBRA, n_dest=CALLS_N_DEST):
    rng = random.Random(seed)
    nrng = random.Random(seed + CALLS_NALGEBRA_SEED_OFFSET)
    specs = []
    namespace = dict(RUNTIME)
    namespace["Mat"] = Mat
    namespace["sl"] = sl
    namespace["cp"] = cp
    namespace["fl"] = fl
    for name in ("f_sinh", "f_cosh", "f_exp", "f_exp2", "f_exp_m1"):
        namespace[name] = bounded(RUNTIME[name])
    discarded = too_long = 0
    while len(specs) < n_funcs + n_new + n_dest + n_nalg:
        name = "c{:03}".format(len(specs))
        if len(specs) < n_funcs + n_new:
            callees = [s for s in specs if s.call_depth < 3][-40:]
            spec = CallsGen(rng, name, callees, new=len(specs) >= n_funcs).function()
        elif len(specs) < n_funcs + n_new + n_dest:
            callees = [s for s in specs if s.call_depth < 3][-40:]
            spec = DestGen(rng, name, callees).function()
        else:
            # The nalgebra batch draws from its own generators and calls
            # only its own functions (see CALLS_NALGEBRA_SEED_OFFSET).
            if rng is not nrng:
                rng = nrng
                saved_noise = NOISE.getstate()
                NOISE.seed(seed + CALLS_NALGEBRA_SEED_OFFSET)
            callees = [s for s in specs if s.call_depth < 3 and s.nalg][-30:]
            spec = NalgGen(rng, name, callees).function()
        if spec.rust.count("\n") > CALLS_MAX_LINES:
            too_long += 1
            continue
        ns = dict(namespace)
        try:
            exec(spec.python, ns)
            pts = wrt_find_points(spec, ns[name], rng, runner=calls_run)
        except Exception:
            sys.stderr.write(spec.rust + "\n" + spec.python + "\n")
            raise
        if pts is None:
            discarded += 1
            continue
        spec.points = pts
        namespace[name] = ns[name]
        specs.append(spec)

    if rng is nrng:
        NOISE.setstate(saved_noise)

    counts = {}
    for s in specs:
        for t in set(s.tags):
            counts[t] = counts.get(t, 0) + 1
    lines = ["//! - {}: {}".format(t, counts[t]) for t in sorted(counts)]
    excluded = []
    if EXCLUDE_RETURN_BEFORE_VEC_LOCAL:
        excluded.append("an early `return` in a function whose result is a local `Vec` variable\n"
                        "//!   (`EXCLUDE_RETURN_BEFORE_VEC_LOCAL`)")
    if EXCLUDE_BUFFER_TAIL_VARIABLE:
        excluded.append("a bare variable, also read in the body, as the f64 tail of a function with a\n"
                        "//!   `&mut [f64]` buffer (`EXCLUDE_BUFFER_TAIL_VARIABLE`; scaled by a constant instead)")
    if EXCLUDE_INACTIVE_VEC_BY_VALUE:
        excluded.append("a `Vec` that reads no active value passed by value to a call with an active\n"
                        "//!   argument (`EXCLUDE_INACTIVE_VEC_BY_VALUE`; helpers with a `Vec` parameter left\n"
                        "//!   out of `wrt` are not called)")
    for flag, what in NALG_EXCLUSIONS if n_nalg else []:
        if globals()[flag]:
            excluded.append("{} (`{}`)".format(what, flag).replace("\n", "\n//!   "))
    excluded = "".join("//! - " + e + "\n" for e in excluded)
    if excluded:
        excluded = "//!\n//! Left out until the macro handles them (flags of the generator):\n//!\n" + excluded
    parts_per_call = {}
    for s in specs:
        for k, c in getattr(s, "dest_counts", {}).items():
            parts_per_call[k] = parts_per_call.get(k, 0) + c
    dest_line = ""
    if parts_per_call:
        dest_line = "//!\n//! Calls passing several parts of one array (the destination batch): {}.\n".format(
            ", ".join("{} with {} parts".format(parts_per_call[k], k) for k in sorted(parts_per_call)))
    header = CALLS_HEADER.format(n=n_funcs + n_new + n_dest + n_nalg, pp=POINTS_PER_FUNC, seed=seed,
                                 constructs="\n".join(lines) + "\n" + dest_line, excluded=excluded)
    if n_nalg:
        header = header.replace("//! @generated", NALG_HEADER_NOTE.format(n=n_nalg) + "//! @generated", 1).replace(
            "use ad::differentiate;\n", "use ad::differentiate;\nuse ad::nalgebra::{DMatrix, DVector};\n")
    parts = [header]
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(calls_case_entry(s)) + "\n\n")
    parts.append(CALLS_HARNESS)
    parts.append("\n/// Every generated function with its test points.\n")
    parts.append("static CASES: &[Case] = &[" + ", ".join(s.name.upper() for s in specs) + "];\n")
    with open(out, "w") as f:
        f.write("".join(parts))
    subprocess.run(["rustfmt", "--edition", "2021", out], check=True, cwd=ROOT)
    n_calls = sum(1 for s in specs if s.call_depth > 0)
    n_vec = sum(1 for s in specs if s.out != "f")
    sys.stderr.write(
        "wrote {}: {} functions ({} returning a Vec or an array, {} with calls); redrawn: {} without test "
        "points, {} too long\n".format(os.path.relpath(out, ROOT), len(specs), n_vec, n_calls, discarded, too_long))
    for t in sorted(counts):
        sys.stderr.write("  {:5}  {}\n".format(counts[t], t))
    sys.stderr.write("calls passing k parts of one array: {}\n".format(sorted(parts_per_call.items())))


def main():
    # Options for experiments only; the checked-in files have the defaults.
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", choices=["all", "random", "wrt", "calls", "checkpoint", "checkpoint_wrt"], default="all",
                    help="which file to write: tests/random_functions.rs (random), tests/random_wrt.rs (wrt), "
                         "tests/random_calls.rs (calls), or all three (all, the default); "
                         "tests/random_checkpoint.rs (checkpoint) only by name")
    ap.add_argument("--count", type=int, help="number of functions (with --family random, wrt or calls)")
    ap.add_argument("--seed", type=int, help="(with --family random, wrt or calls)")
    ap.add_argument("--out", help="output file (with --family random, wrt or calls)")
    args = ap.parse_args()
    if args.family == "all" and (args.count is not None or args.seed is not None or args.out is not None):
        ap.error("--count, --seed and --out need --family random, wrt or calls")

    def opt(value, default):
        return default if value is None else value

    if args.family in ("all", "random"):
        generate_random(opt(args.count, N_FUNCS), opt(args.seed, SEED), os.path.abspath(opt(args.out, OUT)))
    if args.family in ("all", "wrt"):
        generate_wrt(opt(args.count, WRT_N_FUNCS), opt(args.seed, WRT_SEED),
                     os.path.abspath(opt(args.out, WRT_OUT)))
    if args.family in ("all", "calls"):
        generate_calls(opt(args.count, CALLS_N_FUNCS), opt(args.seed, CALLS_SEED),
                       os.path.abspath(opt(args.out, CALLS_OUT)))
    if args.family == "checkpoint_wrt":
        generate_checkpoint_wrt(opt(args.count, CHECKPOINT_WRT_N_FUNCS),
                                opt(args.seed, CHECKPOINT_WRT_SEED), os.path.abspath(opt(args.out, CHECKPOINT_WRT_OUT)))
        return
    if args.family == "checkpoint":
        generate_checkpoint(opt(args.count, CHECKPOINT_N_FUNCS), opt(args.seed, CHECKPOINT_SEED),
                            os.path.abspath(opt(args.out, CHECKPOINT_OUT)))


if __name__ == "__main__":
    main()
