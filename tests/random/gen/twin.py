"""The generator's knobs and the Python twin's runtime: decisions recorded in
TRACE, values checked by `chk`, the kinks of abs/max/min/..."""

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
# How often an `if` or `match` arm whose value is bound leaves instead
# (`let u = if c { a } else { return b; };`): see `Gen.value_exit`.
VALUE_EXIT_P = 0.3
REL_STEP = 1e-3  # ad::check's finite-difference step
FD_EST = 1e-3  # estimated finite-difference error / tolerance must stay below this

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


# A matrix or vector value of the twin (the `calls` family's nalgebra batch,
# and the points of the `wrt` and `calls` families).
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
