"""The `linalg` family's twin runtime: what the Python twin computes for
nalgebra's linear algebra (`lu`, `solve`, `cholesky`, ...); see `linalg.py`."""

import math

import generate as G
from generate import Mat  # noqa: F401

# ----------------------------------------------------------------------------
# The twin's linear algebra (plain elimination on small matrices; every
# computed element goes through `chk`).
# ----------------------------------------------------------------------------

chk = G.chk
TRACE = G.TRACE


def la_eye(n, d):
    """`DMatrix::<f64>::identity(n, n) * d`."""
    return Mat([[float(d) if i == j else 0.0 for j in range(n)] for i in range(n)])


def la_trace(a):
    r, c = a.shape()
    return chk(sum(a.a[i][i] for i in range(min(r, c))))


def lu_factor(a):
    """Partial pivoting: (rows of U and the multipliers, permutation, sign)."""
    n, c = a.shape()
    assert n == c, a.shape()
    m = [list(row) for row in a.a]
    perm = list(range(n))
    sign = 1.0
    for k in range(n):
        p = max(range(k, n), key=lambda i: abs(m[i][k]))
        if m[p][k] == 0.0:
            raise G.Bad()
        if p != k:
            m[k], m[p] = m[p], m[k]
            perm[k], perm[p] = perm[p], perm[k]
            sign = -sign
        for i in range(k + 1, n):
            f = chk(m[i][k] / m[k][k])
            m[i][k] = f
            for j in range(k + 1, n):
                m[i][j] = chk(m[i][j] - f * m[k][j])
    return m, perm, sign


def la_det(a):
    m, _, sign = lu_factor(a)
    d = sign
    for i in range(len(m)):
        d = chk(d * m[i][i])
    return d


def la_solve(a, b):
    """`a.clone().lu().solve(&b).unwrap()`, `b` a vector or a matrix."""
    m, perm, _ = lu_factor(a)
    n = len(m)
    _, nc = b.shape()
    out = [[0.0] * nc for _ in range(n)]
    for col in range(nc):
        y = [b.a[perm[i]][col] for i in range(n)]
        for i in range(n):
            y[i] = chk(y[i] - sum(m[i][j] * y[j] for j in range(i)))
        for i in reversed(range(n)):
            y[i] = chk((y[i] - sum(m[i][j] * y[j] for j in range(i + 1, n))) / m[i][i])
        for i in range(n):
            out[i][col] = y[i]
    return Mat(out, b.vec)


def la_inv(a):
    n = a.shape()[0]
    return la_solve(a, la_eye(n, 1.0))


def tri_solve(a, b, lower):
    """A triangular solve reading only the lower (or upper) triangle of `a`."""
    n, c = a.shape()
    assert n == c and b.shape()[0] == n, (a.shape(), b.shape())
    _, nc = b.shape()
    out = [[0.0] * nc for _ in range(n)]
    order = list(range(n)) if lower else list(reversed(range(n)))
    for col in range(nc):
        for i in order:
            js = range(i) if lower else range(i + 1, n)
            if a.a[i][i] == 0.0:
                raise G.Bad()
            out[i][col] = chk((b.a[i][col] - sum(a.a[i][j] * out[j][col] for j in js)) / a.a[i][i])
    return Mat(out, b.vec)


def la_lower(a, b):
    return tri_solve(a, b, True)


def la_upper(a, b):
    return tri_solve(a, b, False)


def la_chol(a, b):
    """`a.clone().cholesky().unwrap().solve(&b)`: reads the lower triangle."""
    n = a.shape()[0]
    l_ = [[0.0] * n for _ in range(n)]
    for j in range(n):
        s = a.a[j][j] - sum(l_[j][k] ** 2 for k in range(j))
        if s <= 0.0:
            raise G.Bad()
        l_[j][j] = chk(math.sqrt(s))
        for i in range(j + 1, n):
            l_[i][j] = chk((a.a[i][j] - sum(l_[i][k] * l_[j][k] for k in range(j))) / l_[j][j])
    lm = Mat(l_)
    y = tri_solve(lm, b, True)
    return tri_solve(lm.transpose(), y, False)


def la_cross(a, b):
    assert a.shape() == (3, 1) and b.shape() == (3, 1), (a.shape(), b.shape())
    x, y = a.flat(), b.flat()
    return Mat.col([chk(x[1] * y[2] - x[2] * y[1]), chk(x[2] * y[0] - x[0] * y[2]), chk(x[0] * y[1] - x[1] * y[0])])


def la_rows(a, i, n):
    r, _ = a.shape()
    assert 0 <= i and i + n <= r, (a.shape(), i, n)
    return Mat([list(row) for row in a.a[i:i + n]], a.vec)


def la_columns(a, j, n):
    _, c = a.shape()
    assert 0 <= j and j + n <= c, (a.shape(), j, n)
    return Mat([list(row[j:j + n]) for row in a.a])


def la_column(a, j):
    return Mat.col([row[j] for row in a.a])


def la_row(a, i):
    return Mat([list(a.a[i])])


def extremum(a, key, pick_max, absolute):
    """The element `max`/`min`/`amax`/`amin` pick: recorded with its index
    and the gap to the runner-up (and, by absolute value, with the side of 0
    it is on), as the generator's kinks are."""
    vals = a.flat()
    ks = [key(v) for v in vals]
    order = sorted(range(len(ks)), key=lambda i: ks[i], reverse=pick_max)
    best = order[0]
    gap = abs(ks[best] - ks[order[1]]) if len(order) > 1 else 1.0
    TRACE.append((gap, ("pick", best)))
    if absolute:
        TRACE.append((vals[best], vals[best] > 0.0))
    return ks[best]


def la_max(a):
    return extremum(a, lambda v: v, True, False)


def la_min(a):
    return extremum(a, lambda v: v, False, False)


def la_amax(a):
    return extremum(a, abs, True, True)


def la_amin(a):
    return extremum(a, abs, False, True)


LA_RUNTIME = {
    "la_eye": la_eye, "la_trace": la_trace, "la_det": la_det, "la_solve": la_solve, "la_inv": la_inv,
    "la_lower": la_lower, "la_upper": la_upper, "la_chol": la_chol, "la_cross": la_cross, "la_rows": la_rows,
    "la_columns": la_columns, "la_column": la_column, "la_row": la_row, "la_max": la_max, "la_min": la_min,
    "la_amax": la_amax, "la_amin": la_amin,
}
