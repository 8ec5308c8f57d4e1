"""Expressions: Rust text with its precedence, Python text (fully parenthesized)."""

from .twin import *  # noqa: F401,F403 (the earlier parts, in order)


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
