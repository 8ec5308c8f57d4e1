"""The `linalg` family's fixed-size batch (imported by `linalg.py`, which
writes it after the first LINALG_N_FUNCS functions, whose draws it leaves
as they were): functions whose nalgebra parameters are, some of the time,
of fixed size (`&Vector2<f64>`, `&Vector3<f64>`, `&SVector<f64, N>`,
`&Matrix2<f64>`, `&Matrix3<f64>`, `&Matrix2x3<f64>`, `&Matrix3x2<f64>`,
`&SMatrix<f64, R, C>`), and the forms that build and read values of fixed
size and build nalgebra values from active scalars:

  * a fixed-size parameter is read through a dynamic copy made at the top of
    the body, `DMatrix::from_fn(r, c, |i, j| w[(i, j)])`,
    `DVector::from_fn(n, |i, _| y[i])` or `DVector::from_vec(vec![y[0],
    y[1]])` (what the batch's other forms then read), and directly by
    `fixed_rows::<N>(i)`, `fixed_columns::<N>(j)`, `fixed_view::<R, C>(i,
    j)` (then `norm_squared`, `sum`, `norm`), `trace`, `determinant`,
    `(p.transpose() * p).trace()`, `cross(&Vector3::new(a, b, c))`, and
    `SMatrix::<f64, R, C>::from_fn(|ri, cj| p[(ri, cj)] * s)`;
  * `Matrix2::new(a, b, c, d).determinant()` of active scalars;
  * `v.fixed_rows::<N>(i).dot(&u.fixed_rows::<N>(j))` of dynamic vectors;
  * as dynamic values: `DMatrix::from_fn(r, c, |ri, cj| ..)` and
    `DVector::from_fn(n, |ri, _| ..)` whose closures read a visible value
    by element and active scalars, `DVector::from_vec(vec![a, b * c, ..])`
    of active scalars, and `DVector::from_column_slice(&x[a..b])` of an
    active slice.
"""

import generate as G
from generate import ATOM, MUL, E, NE, NVal, Mat, binop, lit, method, nop, nrecv, nref  # noqa: F401
from linalg import LinalgGen, la_det, lu_factor

FIXED_P = 0.6  # the chance that a nalgebra parameter (other than `xs`) is of fixed size
FIXED_FORM_P = 0.75  # the chance that a linear-algebra scalar is a fixed-size form (given one)
BUILD_P = 0.35  # the chance that a linear-algebra expression builds a value from scalars


def la_from_fn(r, c, f, vec=False):
    """`DMatrix::from_fn(r, c, f)` (or `DVector::from_fn`, `SMatrix::from_fn`)."""
    return Mat([[G.chk(f(i, j)) for j in range(c)] for i in range(r)], vec)


def la_view(a, i, j, r, c):
    """`a.fixed_view::<r, c>(i, j)`."""
    ar, ac = a.shape()
    assert 0 <= i and i + r <= ar and 0 <= j and j + c <= ac, (a.shape(), i, j, r, c)
    return Mat([list(row[j:j + c]) for row in a.a[i:i + r]])


def la_det_regular(a):
    """`a.determinant()`, of a matrix far from singular: the rules' second
    derivative of `determinant` needs `a` invertible (it panics at a
    singular matrix, as documented), and the batch's determinants of
    computed values may be of rank one (`(x * y^T).determinant()`)."""
    m, _, _ = lu_factor(a)
    if min(abs(m[i][i]) for i in range(len(m))) < 1e-6:
        raise G.Bad()
    return la_det(a)


# (Given to the batch's functions only: the first LINALG_N_FUNCS keep theirs.)
FIXED_RUNTIME = {"la_from_fn": la_from_fn, "la_view": la_view, "la_det": la_det_regular}


def fixed_type(rng, r, c):
    """A Rust name of the fixed-size type of shape r x c."""
    if c == 1:
        return rng.choice(["Vector{}<f64>".format(r), "SVector<f64, {}>".format(r)])
    named = "Matrix{}<f64>".format(r) if r == c else "Matrix{}x{}<f64>".format(r, c)
    return rng.choice([named, "SMatrix<f64, {}, {}>".format(r, c)])


class FixedGen(LinalgGen):
    """A function of the fixed-size batch (see the docstring)."""

    FIXED = True
    NALG_CONSTRUCTS = dict(LinalgGen.NALG_CONSTRUCTS, nlascalar=6, nbuilt=2.5)

    def __init__(self, rng, name, callees):
        super().__init__(rng, name, callees)
        self.fixed_vals = []  # the fixed-size parameters (not in `nvals`)

    def fixed_param(self, p):
        if p.name != "xs" and self.r() < FIXED_P:
            p.fixed = fixed_type(self.rng, p.rows, p.cols)
            ty = "&" + p.fixed
            p.ty = lambda: ty

    def declare_fixed(self, p):
        """The parameter as it is (for the fixed-size forms) and its dynamic
        copy (for the others)."""
        v = NVal(p.name, p.kind, p.rows, p.cols, param=p, active=p.active)
        self.fixed_vals.append(v)
        # (Element reads `y[i]`, `w[(i, j)]` of the parameter itself.)
        self.param_nvals[p.name] = v
        self.used.add(p.name)
        d = p.name + "d"
        r, c = p.rows, p.cols
        if p.kind == "V" and self.r() < 0.4:
            elems = ", ".join("{}[{}]".format(p.name, i) for i in range(r))
            self.emit("let {} = DVector::from_vec(vec![{}]);".format(d, elems),
                      "{} = Mat.col([{}])".format(d, elems))
            self.latag("a fixed-size vector parameter copied by DVector::from_vec(vec![y[0], ..])")
        elif p.kind == "V":
            self.emit("let {} = DVector::from_fn({}, |i, _| {}[i]);".format(d, r, p.name),
                      "{} = {}.clone()".format(d, p.name))
            self.latag("a fixed-size vector parameter copied by DVector::from_fn(n, |i, _| y[i])")
        else:
            self.emit("let {} = DMatrix::from_fn({}, {}, |i, j| {}[(i, j)]);".format(d, r, c, p.name),
                      "{} = {}.clone()".format(d, p.name))
            self.latag("a fixed-size matrix parameter copied by DMatrix::from_fn(r, c, |i, j| w[(i, j)])")
        self.latag("signature: a fixed-size parameter {}".format(p.fixed.split("<")[0] + "<..>"))
        sv = NVal(d, p.kind, r, c, active=p.active)
        sv.standin = True
        self.declare_nval(sv)

    # ----- scalars ---------------------------------------------------------------------

    def scalar_arg(self):
        """An active scalar, bounded."""
        return self.bounded(self.act_expr()) if self.r() < 0.7 else lit(self.const(-1.2, 1.2))

    def fixed_scalar(self):
        """A scalar of a fixed-size form, or None."""
        opts = [("mat2", 1)]
        if self.fixed_vals:
            opts += [("rows", 3), ("tp", 1.5), ("from_fn", 2)]
            if any(v.kind == "M" and v.cols >= 2 for v in self.fixed_vals):
                opts += [("cols", 3), ("view", 2.5)]
            if any(v.rows == v.cols for v in self.fixed_vals):
                opts.append(("trdet", 2.5))
            if any(v.kind == "V" and v.rows == 3 for v in self.fixed_vals):
                opts.append(("cross", 4))
        if sum(1 for v in self.nvals if v.kind == "V" and v.rows >= 2) >= 1:
            opts.append(("vdot", 2))
        op = self.rng.choices([o for o, _ in opts], [w for _, w in opts])[0]
        if op == "mat2":
            s = [self.scalar_arg() for _ in range(4)]
            self.latag("Matrix2::new(a, b, c, d).determinant() of active scalars")
            return binop("*", lit(self.const(0.1, 0.5)), E(
                "Matrix2::new({}).determinant()".format(", ".join(x.rs for x in s)), ATOM,
                "la_det(Mat([[{}, {}], [{}, {}]]))".format(*(x.py for x in s)), True))
        if op == "vdot":
            vs = [v for v in self.nvals if v.kind == "V" and v.rows >= 2]
            a, b = self.pick(vs), self.pick(vs)
            k = self.rng.randint(1, min(a.rows, b.rows) - 1) if min(a.rows, b.rows) > 2 else 2
            i, j = self.la_index(a.rows - k + 1), self.la_index(b.rows - k + 1)
            self.used.update([a.name, b.name])
            self.latag("v.fixed_rows::<N>(i).dot(&u.fixed_rows::<N>(j)) of dynamic vectors")
            return E("{}.fixed_rows::<{k}>({}).dot(&{}.fixed_rows::<{k}>({}))".format(a.name, i.rs, b.name, j.rs, k=k),
                     ATOM, "la_rows({}, {}, {k}).dot(la_rows({}, {}, {k}))".format(a.name, i.py, b.name, j.py, k=k),
                     True)
        if op == "rows":
            p = self.pick([v for v in self.fixed_vals])
            k = self.rng.randint(1, p.rows - 1)
            i = self.la_index(p.rows - k + 1)
            f = self.pick(["norm_squared", "sum"])
            self.latag("fixed_rows::<N>(i).{}() of a fixed-size parameter".format(f))
            return E("{}.fixed_rows::<{}>({}).{}()".format(p.name, k, i.rs, f), ATOM,
                     "la_rows({}, {}, {}).{}()".format(p.name, i.py, k, f), True)
        if op == "cols":
            p = self.pick([v for v in self.fixed_vals if v.kind == "M" and v.cols >= 2])
            k = self.rng.randint(1, p.cols - 1)
            j = self.la_index(p.cols - k + 1)
            f = self.pick(["norm_squared", "sum"])
            self.latag("fixed_columns::<N>(j).{}() of a fixed-size parameter".format(f))
            return E("{}.fixed_columns::<{}>({}).{}()".format(p.name, k, j.rs, f), ATOM,
                     "la_columns({}, {}, {}).{}()".format(p.name, j.py, k, f), True)
        if op == "view":
            p = self.pick([v for v in self.fixed_vals if v.kind == "M" and v.cols >= 2])
            r, c = self.rng.randint(1, p.rows), self.rng.randint(1, p.cols)
            if r == p.rows and c == p.cols:
                r -= 1
            i, j = self.la_index(p.rows - r + 1), self.la_index(p.cols - c + 1)
            f = self.pick(["norm_squared", "sum"])
            self.latag("fixed_view::<R, C>(i, j).{}() of a fixed-size parameter".format(f))
            return E("{}.fixed_view::<{}, {}>({}, {}).{}()".format(p.name, r, c, i.rs, j.rs, f), ATOM,
                     "la_view({}, {}, {}, {}, {}).{}()".format(p.name, i.py, j.py, r, c, f), True)
        if op == "tp":
            p = self.pick(self.fixed_vals)
            self.latag("(p.transpose() * p).trace() of a fixed-size parameter")
            return E("({n}.transpose() * {n}).trace()".format(n=p.name), ATOM,
                     "la_trace({n}.transpose() * {n})".format(n=p.name), True)
        if op == "trdet":
            p = self.pick([v for v in self.fixed_vals if v.rows == v.cols])
            if self.r() < 0.5:
                self.latag("trace() of a fixed-size parameter")
                return E("{}.trace()".format(p.name), ATOM, "la_trace({})".format(p.name), True)
            self.latag("determinant() of a fixed-size parameter (scaled)")
            return binop("*", lit(self.const(0.05, 0.3)),
                         E("{}.determinant()".format(p.name), ATOM, "la_det({})".format(p.name), True))
        if op == "cross":
            p = self.pick([v for v in self.fixed_vals if v.kind == "V" and v.rows == 3])
            s = [self.scalar_arg() for _ in range(3)]
            self.latag("cross(&Vector3::new(a, b, c)) of a fixed-size parameter")
            return E("{}.cross(&Vector3::new({})).norm_squared()".format(p.name, ", ".join(x.rs for x in s)), ATOM,
                     "la_cross({}, Mat.col([{}])).norm_squared()".format(p.name, ", ".join(x.py for x in s)), True)
        # from_fn of a fixed size, reading a fixed-size parameter
        p = self.pick(self.fixed_vals)
        s = self.scalar_arg()
        self.latag("SMatrix::<f64, R, C>::from_fn(|ri, cj| p[(ri, cj)] * s).norm_squared()")
        return E("SMatrix::<f64, {}, {}>::from_fn(|ri, cj| {}[(ri, cj)] * {}).norm_squared()".format(
            p.rows, p.cols, p.name, G.par(s, MUL + 1)), ATOM,
            "la_from_fn({}, {}, lambda ri, cj: {}[(ri, cj)] * {}).norm_squared()".format(p.rows, p.cols, p.name, s.py),
            True)

    def la_scalar(self, v=None):
        if v is None and not self.in_cond and self.r() < FIXED_FORM_P:
            self.n_la += 1
            return self.fixed_scalar()
        return super().la_scalar(v)

    # ----- nalgebra values built from scalars ------------------------------------------

    def built(self, kind, r, c):
        """A dynamic value built from active scalars: `from_fn` reading a
        visible value of the shape by element, `from_vec(vec![..])`, or
        `from_column_slice(&x[a..b])` of an active slice."""
        slices = [p for p in self.wparams if p.kind == "s" and p.active and p.length >= r] if kind == "V" else []
        opts = [("fn", 3)]
        if kind == "V":
            opts.append(("vec", 2))
        if slices:
            opts.append(("slice", 3))
        op = self.rng.choices([o for o, _ in opts], [w for _, w in opts])[0]
        self.n_la += 1
        if op == "vec":
            es = [self.scalar_arg() for _ in range(r)]
            self.latag("DVector::from_vec(vec![..]) of active scalars")
            return NE("DVector::from_vec(vec![{}])".format(", ".join(e.rs for e in es)), ATOM,
                      "Mat.col([{}])".format(", ".join(e.py for e in es)), "V", r, 1, active=True)
        if op == "slice":
            x = slices[0]
            a = self.rng.randint(0, x.length - r)
            self.used.add(x.name)
            self.latag("DVector::from_column_slice(&x[a..b]) of an active slice")
            return NE("DVector::from_column_slice(&{}[{}..{}])".format(x.name, a, a + r), ATOM,
                      "Mat.col([{}[k] for k in range({}, {})])".format(x.name, a, a + r), "V", r, 1, active=True)
        leaves = [v for v in self.nvals if v.kind == kind and v.rows == r and v.cols == c and v is not self.avoid]
        s = self.scalar_arg()
        if leaves and self.r() < 0.8:
            v = self.pick(leaves)
            self.used.add(v.name)
            rd = "{}[ri]".format(v.name) if kind == "V" else "{}[(ri, cj)]".format(v.name)
            pd = "{}[(ri, cj)]".format(v.name)
            if self.r() < 0.5:
                body_rs, body_py = "{} * {}".format(rd, G.par(s, MUL + 1)), "{} * {}".format(pd, s.py)
            else:
                body_rs, body_py = "({} + {}).sin()".format(rd, s.rs), "f_sin({} + {})".format(pd, s.py)
            what = "reading a {} by element and an active scalar".format(v.what())
        else:
            k = self.const(0.2, 0.9)
            body_rs = "{} * (ri + 2 * cj) as f64 + {}".format(k, G.par(s, G.ADD + 1))
            body_py = "{} * float(ri + 2 * cj) + {}".format(k, s.py)
            what = "of the indices and an active scalar"
        if kind == "V":
            self.latag("DVector::from_fn(n, |ri, _| ..) {}".format(what))
            rs = "DVector::from_fn({}, |ri, cj| {})".format(r, body_rs)
        else:
            self.latag("DMatrix::from_fn(r, c, |ri, cj| ..) {}".format(what))
            rs = "DMatrix::from_fn({}, {}, |ri, cj| {})".format(r, c, body_rs)
        return NE(rs, ATOM, "la_from_fn({}, {}, lambda ri, cj: {}, {})".format(r, c, body_py, kind == "V"),
                  kind, r, c, active=True)

    def nbuilt_stmt(self):
        """`let h = <a value built from active scalars>;`"""
        kind, r, c = self.some_shape()
        self.n_la -= 1  # (always allowed once)
        ne = self.built(kind, r, c)
        v = self.nbind(kind, r, c, ne.rs, ne.py, "let h = <built from scalars>", active=True)
        self.consume_nval(v)

    def la_expr(self, kind, r, c, d):
        if self.r() < BUILD_P:
            return self.built(kind, r, c)
        return super().la_expr(kind, r, c, d)
