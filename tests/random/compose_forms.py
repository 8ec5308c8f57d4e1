"""The `compose` family's seventh batch (`compose.py` writes it; drawn as
COMPOSE_FORMS_P of the functions): the forms the change `bufs2` made work,
each a template with its own helpers, drawn straight-line, in loops and in
branches, with parameters left out of `wrt` and mutated:

- nalgebra buffers updated whole: `y.scale_mut(a)` and `for e in
  y.iter_mut() { *e = a * *e + .. }` on `&mut DVector<f64>` and `&mut
  SVector<f64, 3>` buffers (the helpers tested by `_jvp` and `_vjp`);
  and a method `#[differentiate] fn step(&self, a: f64, y: &mut
  DVector<f64>)` of a struct of inactive data, written before its caller,
  called by a scalar function on a local struct and a local buffer;
- `let z = *y;` of an array buffer `y: &mut [f64; 3]`, `z` read and `y`
  written from it;
- reshapes of active values: `DMatrix::from_column_slice(r, c, &v)`,
  `DMatrix::from_row_slice(r, c, &v)`, `DMatrix::from_vec(r, c, v)`,
  `DVector::from_column_slice(&x[a..b])`, then products, element reads and
  calls of nalgebra helpers;
- values built by element lent to buffer helpers (`let mut d =
  DVector::from_column_slice(&x[0..2]); d[0] *= a; h(a, &mut d);`,
  `Vector3::new(..)`), and a helper's `DVector<f64>` result bound with its
  type written, written by element, then lent;
- an iterator chain inside `vec![..]` (`vec![x.to_vec(), x.iter().map(|a|
  a * a).collect::<Vec<f64>>()]`), its rows read and passed on;
- `for &i in ids.iter()` with `ids: &Ids` (`type Ids = Vec<usize>;` in the
  module; the helper with `ids` is written before its caller, which builds
  `ids` from its integer), `k.saturating_sub(1)` as an index and a loop
  bound;
- rows of an owned `Vec<Vec<f64>>` cloned (`let r = a[i].clone();`, `for
  row in a.iter() { let r = row.clone(); .. }`);
- an inactive `DVector<f64>` passed by value to a helper twice
  (`g(v.clone(), x) + g(v, x)`).

These functions are called only by each other (`spec.forms` names the
kind)."""

import compose_bufs as bufs
import generate as G
from compose_audit import DMat, OwnedVec, rlit
from compose_bufs import Buf, DVec, RowsByValue


class Fn(bufs.Fn):
    """A function of the batch (callees: the batch's own)."""

    def __init__(self, rng, name, callees):
        bufs.Fn.__init__(self, rng, name, [])
        self.callees = [g for g in callees if getattr(g, "forms", None)]
        # Items written before the function: (rust, python) text.
        self.items = []

    def helpers(self, kind, ok=lambda g: True):
        return [g for g in self.callees if g.forms in kind and ok(g)]

    def spec(self, tail, out="f", out_len=0, ret="f64", tup=None, forms="caller", audit=None):
        spec = bufs.audit_spec(self, tail, out, out_len, ret, tup)
        forms = audit or forms  # (`bufs.dot_helper` names its kind `audit`)
        spec.forms, spec.bufs, spec.audit = forms, None, None
        if self.items:
            spec.rust = "".join(r + "\n" for r, _ in self.items) + spec.rust
            spec.python = "".join(p + "\n" for _, p in self.items) + spec.python
            spec.extra_lines = sum(r.count("\n") + 1 for r, _ in self.items)
        return spec


def scalar(f, name, active, mut=False):
    return f.param(G.WParam(name, "f"), active, mut)


def arg(f, p, b, x):
    """An argument for the f64 parameter `p` of a helper: active values
    where `p` is in its `wrt`, else `b` when inactive or a constant."""
    c = f.c()
    if p.active:
        return f.pick([("b", "b"), ("s", "s"), ("x[0] * {}".format(rlit(c)), "chk(x[0] * {})".format(c))])
    if not b.active:
        return ("b", "b")
    return (rlit(c), repr(c))


# ----- buffer helpers ------------------------------------------------------------------

def whole_helper(f):
    """`fn h(a: f64, [b: f64,] y: &mut DVector<f64>)` (or `&mut SVector<f64,
    3>`): `y.scale_mut(a)` or `for e in y.iter_mut() { *e = a * *e + .. }`,
    then an element written at times."""
    form = f.pick(["dv", "dv", "sv"])
    n = 3 if form == "sv" else f.rng.randint(2, 3)
    a = scalar(f, "a", f.r() < 0.8)
    b = scalar(f, "b", f.r() < 0.4, mut=f.r() < 0.3) if f.r() < 0.5 else None
    f.param(Buf("y", n, form), False)
    ty = "DVector<f64>" if form == "dv" else "SVector<f64, 3>"
    if b is not None and b.mut:
        c = f.c()
        f.emit("b = b * {} + 0.25;".format(rlit(c)), "b = chk(chk(b * {}) + 0.25)".format(c))
    how = f.pick(["scale", "each"])
    if how == "scale":
        f.emit("y.scale_mut(a);", "for i in range(0, {}):".format(n))
        f.py.append("        y[i] = chk(y[i] * a)")
        f.tags.append("y.scale_mut(a) on a &mut {} buffer".format(ty))
    else:
        c = f.c()
        e = f.pick([("a * *e + {}".format(rlit(c)), "chk(chk(a * e) + {})".format(c)),
                    ("(*e * a).sin() + {}".format(rlit(c)), "chk(f_sin(chk(e * a)) + {})".format(c))]
                   + ([("a * *e + b", "chk(chk(a * e) + b)")] if b is not None else []))
        f.emit("for e in y.iter_mut() {", "for i in range(0, {}):".format(n))
        f.py.append("        e = y[i]")
        f.emit("    *e = {};".format(e[0]), "    y[i] = {}".format(e[1]))
        f.emit("}")
        f.tags.append("for e in y.iter_mut() {{ *e = .. }} on a &mut {} buffer".format(ty))
    if f.r() < 0.6:
        i, j = f.rng.randint(0, n - 1), f.rng.randint(0, n - 1)
        m = ("b", "b") if b is not None else ("a", "a")
        f.emit("y[{}] += {} * y[{}];".format(i, m[0], j), "y[{}] = chk(y[{}] + chk({} * y[{}]))".format(i, i, m[1], j))
    f.tags.append("whole-buffer helper, a {}".format("in wrt" if a.active else "left out of wrt"))
    spec = f.spec(None, out="u", ret=None, forms="whole")
    spec.n, spec.form = n, form
    return spec


def arrcopy_helper(f):
    """`fn h(a: f64, y: &mut [f64; 3]) -> f64`: `let z = *y;`, `z` read,
    `y` written from it (once or in a loop)."""
    a = scalar(f, "a", True)
    f.param(Buf("y", 3, "arr"), False)
    f.emit("y[0] *= a;", "y[0] = chk(y[0] * a)")
    loop = f.r() < 0.4
    if loop:
        f.emit("for _ in 0..2 {", "for _ in range(0, 2):")
        f.ind += 1
    f.emit("let z = *y;", "z = list(y)")
    i, j, k = f.rng.randint(0, 2), f.rng.randint(0, 2), f.rng.randint(0, 2)
    c = f.c()
    f.emit("y[{}] = z[{}] * z[{}] + a * {};".format(i, j, k, rlit(c)),
           "y[{}] = chk(chk(z[{}] * z[{}]) + chk(a * {}))".format(i, j, k, c))
    if f.r() < 0.5:
        i2 = (i + 1) % 3
        f.emit("y[{}] = z[{}].sin();".format(i2, j), "y[{}] = f_sin(z[{}])".format(i2, j))
    if loop:
        f.ind -= 1
        f.emit("}")
    f.emit("let z = *y;", "z = list(y)")
    f.tags.append("let z = *y; of a &mut [f64; 3] buffer, y written from z{}".format(", in a loop" if loop else ""))
    return f.spec(("z[1] * a + z[2]", "chk(chk(z[1] * a) + z[2])"), forms="arrcopy")


# ----- value helpers -------------------------------------------------------------------

def dvres_helper(f):
    """`fn g(a: f64, x: &[f64]) -> DVector<f64>`."""
    n = f.rng.randint(2, 3)
    scalar(f, "a", True)
    f.param(G.WParam("x", "s", n), f.r() < 0.7)
    f.emit("DVector::from_column_slice(&x[0..{}]) * a".format(n),
           "return Mat.col([chk(x[i] * a) for i in range(0, {})])".format(n))
    f.tags.append("helper returning DVector<f64>")
    spec = f.spec(None, out="V", out_len=n, ret="DVector<f64>", forms="dvres")
    spec.out_shape = (n, 1)
    spec.n = n
    return spec


def mat_helper(f):
    """`fn g(m: &DMatrix<f64>, w: &DVector<f64>) -> f64` on 2 x 2."""
    f.param(DMat("m", 2, 2), True)
    f.param(DVec("w", 2), True)
    form = f.pick(["prod", "elem"])
    if form == "prod":
        f.emit("(m * w).norm_squared() + m[(0, 1)]", "return chk((m * w).norm_squared() + m[(0, 1)])")
    else:
        f.emit("m[(1, 0)] * w[1] + (m[(0, 0)] * w[0]).sin()", "return chk(chk(m[(1, 0)] * w[1]) + f_sin(chk(m[(0, 0)] * w[0])))")
    f.tags.append("helper of &DMatrix<f64> and &DVector<f64>")
    return f.spec(None, forms="mat")


def vdata_helper(f):
    """`fn g(v: DVector<f64>, x: &[f64]) -> f64`, `v` by value left out of
    `wrt`."""
    n = f.rng.randint(2, 3)
    f.param(OwnedVec("v", n), False)
    f.param(G.WParam("x", "s", n), True)
    c = f.c()
    f.emit("let mut s = x[0] * {};".format(rlit(c)), "s = chk(x[0] * {})".format(c))
    f.emit("for i in 0..v.len() {", "for i in range(0, len(v)):")
    f.emit("    s += v[i] * x[i] * x[0];", "    s = chk(s + chk(chk(v[i] * x[i]) * x[0]))")
    f.emit("}")
    f.tags.append("helper with DVector<f64> data by value left out of wrt")
    spec = f.spec(("s", "s"), forms="vdata")
    spec.n = n
    return spec


def pick_item(f):
    """Writes `fn pick_mNNN(x: &[f64], ids: &Ids) -> f64` before the
    function: its name."""
    name = "pick_{}".format(f.name)
    c = f.c()
    rs = ("#[differentiate(wrt(x))]\nfn {n}(x: &[f64], ids: &Ids) -> f64 {{\n    let mut s = 0.0;\n"
          "    for &i in ids.iter() {{\n        s += x[i] * x[i] * {c};\n    }}\n    s\n}}\n").format(n=name, c=rlit(c))
    py = ("def {n}(x, ids):\n    s = 0.0\n    for i in ids:\n        s = chk(s + chk(chk(x[i] * x[i]) * {c}))\n"
          "    return s\n").format(n=name, c=c)
    f.items.append((rs, py))
    return name


def method_item(f):
    """Writes `struct StMNNN { k: f64, w: [f64; 2] }` and its method
    `step(&self, a, y: &mut DVector<f64>)` before the function."""
    st = "St{}".format(f.name.capitalize())
    c = f.c()
    rs = ("struct {st} {{\n    k: f64,\n    w: [f64; 2],\n}}\n\nimpl {st} {{\n    #[differentiate]\n"
          "    fn step(&self, a: f64, y: &mut DVector<f64>) {{\n        y[0] = self.k * a * y[1];\n"
          "        y[1] += self.w[0] * y[0] + self.w[1] * {c};\n    }}\n}}\n").format(st=st, c=rlit(c))
    py = ("def {st}_step(k, w, a, y):\n    y[0] = chk(chk(k * a) * y[1])\n"
          "    y[1] = chk(y[1] + chk(w[0] * y[0]) + chk(w[1] * {c}))\n").format(st=st, c=c)
    f.items.append((rs, py))
    return st


# ----- callers -------------------------------------------------------------------------

def caller(f):
    """A scalar function `(x: &[f64], b: f64, [q: &[f64], k: usize])`
    drawing 1 or 2 of the batch's caller forms, each straight-line, in a
    loop or a branch on `s`."""
    x = f.param(G.WParam("x", "s", f.rng.randint(3, 4)), True)
    b = scalar(f, "b", f.r() < 0.6, mut=f.r() < 0.3)
    q = f.param(G.WParam("q", "s", 3), False) if f.r() < 0.5 else None
    k = f.param(G.WParam("k", "k"), False) if f.r() < 0.5 else None
    c0 = f.c()
    f.emit("let mut s = x[0] * {};".format(rlit(c0)), "s = chk(x[0] * {})".format(c0))
    if b.mut:
        c = f.c()
        if b.active:
            f.emit("b = b * {} + x[1];".format(rlit(c)), "b = chk(chk(b * {}) + x[1])".format(c))
        else:
            f.emit("b = b * {} + 0.1;".format(rlit(c)), "b = chk(chk(b * {}) + 0.1)".format(c))
        f.tags.append("forms caller: a mut f64 parameter {} written".format("in wrt" if b.active else "left out of wrt"))
    have = {g.forms for g in f.callees}
    kinds = ["satsub", "ids", "vecchain", "reshape", "method"]
    kinds += ["lend"] * bool(have & {"whole"}) + ["typed"] * bool("dvres" in have and "whole" in have)
    kinds += ["arrlend"] * bool("arrcopy" in have) + ["twice"] * bool("vdata" in have)
    kinds += ["rows"] * bool(q is None)
    for kind in f.rng.sample(kinds, min(len(kinds), f.rng.randint(1, 2))):
        FORMS[kind](f, x, b, q, k)
    return f.spec(("s * b", "chk(s * b)") if f.r() < 0.5 else ("s + b", "chk(s + b)"))


def lend_form(f, x, b, q, k):
    """A value built by element lent to a whole-buffer helper."""
    g = f.pick(f.helpers(("whole",)))
    f.called(g)
    d = f.fresh("d")
    c = f.c()
    if g.form == "sv" and f.r() < 0.5:
        f.emit("let mut {} = Vector3::new(x[0], {}, x[{}] * b);".format(d, rlit(c), x.length - 1),
               "{} = [x[0], {}, chk(x[{}] * b)]".format(d, c, x.length - 1))
        what = "Vector3::new(..)"
    elif g.form == "sv":
        f.emit("let mut {} = SVector::<f64, 3>::from_column_slice(&x[0..3]);".format(d), "{} = list(x[0:3])".format(d))
        what = "SVector::from_column_slice(&x[0..3])"
    else:
        f.emit("let mut {} = DVector::from_column_slice(&x[0..{}]);".format(d, g.n), "{} = list(x[0:{}])".format(d, g.n))
        what = "DVector::from_column_slice(&x[0..n])"
    f.emit("{}[0] *= b;".format(d), "{}[0] = chk({}[0] * b)".format(d, d))
    call(f, g, x, b, d, "a value {} written by element lent to a whole-buffer helper".format(what))


def call(f, g, x, b, d, tag):
    f.open("s")
    args = [("&mut " + d, d) if p.kind == "b" else arg(f, p, b, x) for p in g.params]
    f.emit("{}({});".format(g.name, ", ".join(a[0] for a in args)),
           "{}({})".format(g.name, ", ".join(a[1] for a in args)))
    j = f.rng.randint(0, g.n - 1)
    c = f.c()
    f.emit("s = s * {} + {}[{}].sin();".format(rlit(c), d, j), "s = chk(chk(s * {}) + f_sin({}[{}]))".format(c, d, j))
    f.tag(tag)
    f.close("s")
    f.emit("s += {}[0];".format(d), "s = chk(s + {}[0])".format(d))


def typed_form(f, x, b, q, k):
    """`let mut y: DVector<f64> = g(a, x); y[0] = ..; h(.., &mut y);`."""
    hs = [h for h in f.helpers(("whole",)) if h.form == "dv"]
    gs = [g for g in f.helpers(("dvres",)) if any(h.n == g.n for h in hs) and g.n <= x.length]
    if not gs:
        return vecchain_form(f, x, b, q, k)
    g = f.pick(gs)
    h = f.pick([h for h in hs if h.n == g.n])
    f.called(g)
    f.called(h)
    y = f.fresh("y")
    xa = ("&x[0..{}]".format(g.n), "x[0:{}]".format(g.n)) if g.params[1].active else (
        ("&q[0..{}]".format(g.n), "q[0:{}]".format(g.n)) if q is not None else
        ("&[0.5, -0.25, 0.75][0..{}]".format(g.n), "[0.5, -0.25, 0.75][0:{}]".format(g.n)))
    f.emit("let mut {}: DVector<f64> = {}(b * x[1], {});".format(y, g.name, xa[0]),
           "{} = {}(chk(b * x[1]), {}).flat()".format(y, g.name, xa[1]))
    c = f.c()
    f.emit("{}[0] = {}[1] * {} + x[0];".format(y, y, rlit(c)), "{}[0] = chk(chk({}[1] * {}) + x[0])".format(y, y, c))
    call(f, h, x, b, y, "a helper's DVector<f64> result, its type written, written by element and lent")


def arrlend_form(f, x, b, q, k):
    g = f.pick(f.helpers(("arrcopy",)))
    f.called(g)
    d = f.fresh("d")
    c = f.c()
    f.emit("let mut {} = [x[0], {}, x[{}]];".format(d, rlit(c), x.length - 1),
           "{} = [x[0], {}, x[{}]]".format(d, c, x.length - 1))
    f.open("s")
    c = f.c()
    f.emit("s += {} * {}(s, &mut {});".format(rlit(c), g.name, d),
           "s = chk(s + chk({} * {}(s, {})))".format(c, g.name, d))
    f.tag("a local [f64; 3] lent to a helper copying it (let z = *y)")
    f.close("s")
    f.emit("s += {}[2];".format(d), "s = chk(s + {}[2])".format(d))


def method_form(f, x, b, q, k):
    """A struct of inactive data and its method with a buffer, called on a
    local `DVector`."""
    st = method_item(f)
    v = f.fresh("st")
    if q is not None:
        f.emit("let {} = {} {{ k: q[0], w: [q[1], q[2]] }};".format(v, st), "{} = (q[0], [q[1], q[2]])".format(v))
    else:
        c1, c2 = f.c(), f.c()
        f.emit("let {} = {} {{ k: {}, w: [{}, 0.5] }};".format(v, st, rlit(c1), rlit(c2)),
               "{} = ({}, [{}, 0.5])".format(v, c1, c2))
    d = f.fresh("d")
    f.emit("let mut {} = DVector::from_column_slice(&x[1..3]);".format(d), "{} = list(x[1:3])".format(d))
    f.open("s")
    f.emit("{}.step(b, &mut {});".format(v, d), "{}_step({}[0], {}[1], b, {})".format(st, v, v, d))
    c = f.c()
    f.emit("s = s * {} + {}[1];".format(rlit(c), d), "s = chk(chk(s * {}) + {}[1])".format(c, d))
    f.tag("a method step(&self, a, y: &mut DVector<f64>) of a struct of {} data".format(
        "parameter" if q is not None else "constant"))
    f.close("s")
    f.emit("s += {}[0];".format(d), "s = chk(s + {}[0])".format(d))


def satsub_form(f, x, b, q, k):
    n = x.length
    kk = ("k", "k") if k is not None else ("2usize", "2")
    f.open("s")
    if f.r() < 0.5:
        f.emit("s += x[{}.saturating_sub(1) % {}] * b;".format(kk[0], n),
               "s = chk(s + chk(x[max(0, {} - 1) % {}] * b))".format(kk[1], n))
        f.tag("x[k.saturating_sub(1) % n] (usize::saturating_sub as an index)")
    else:
        f.emit("for i in 0..({} % {}).saturating_sub(1) {{".format(kk[0], n),
               "for i in range(0, max(0, {} % {} - 1)):".format(kk[1], n))
        f.emit("    s += x[i + 1] * x[i.saturating_sub(1)];", "    s = chk(s + chk(x[i + 1] * x[max(0, i - 1)]))")
        f.emit("}")
        f.tag("for i in 0..(k % n).saturating_sub(1) with x[i.saturating_sub(1)]")
    f.close("s")


def ids_form(f, x, b, q, k):
    name = pick_item(f)
    n = x.length
    i = ("k % {}".format(n), "k % {}".format(n)) if k is not None else ("1", "1")
    ids = f.fresh("ids")
    f.emit("let {}: Ids = vec![{}, 0, {}];".format(ids, i[0], n - 1), "{} = [{}, 0, {}]".format(ids, i[1], n - 1))
    f.open("s")
    f.emit("s += {}(x, &{}) * b;".format(name, ids), "s = chk(s + chk({}(x, {}) * b))".format(name, ids))
    f.tag("for &i in ids.iter() with ids: &Ids (type Ids = Vec<usize>)")
    f.close("s")


def vecchain_form(f, x, b, q, k):
    m = f.fresh("m")
    f.emit("let {} = vec![x.to_vec(), x.iter().map(|a| a * a).collect::<Vec<f64>>()];".format(m),
           "{} = [list(x), [chk(a * a) for a in x]]".format(m))
    f.open("s")
    j = f.rng.randint(0, x.length - 1)
    how = f.pick(["elem", "rows"])
    if how == "elem":
        f.emit("s += {m}[0][{j}] * {m}[1][0] + {m}[1][{j}] * b;".format(m=m, j=j),
               "s = chk(s + chk({m}[0][{j}] * {m}[1][0]) + chk({m}[1][{j}] * b))".format(m=m, j=j))
    else:
        f.emit("for row in {}.iter() {{".format(m), "for row in {}:".format(m))
        f.emit("    s += row[{}] * b;".format(j), "    s = chk(s + chk(row[{}] * b))".format(j))
        f.emit("}")
    f.tag("an iterator chain inside vec![..], rows read ({})".format("by element" if how == "elem" else "for row in m.iter()"))
    f.close("s")


def reshape_form(f, x, b, q, k):
    """Reshapes of an active `Vec` (x has 3 or 4 elements: 2 x 2 needs 4,
    so `v` is padded with `b`)."""
    v = f.fresh("v")
    if x.length == 4:
        f.emit("let {} = x.to_vec();".format(v), "{} = list(x)".format(v))
    else:
        f.emit("let {} = vec![x[0], x[1], x[2], b];".format(v), "{} = [x[0], x[1], x[2], b]".format(v))
    m = f.fresh("m")
    how = f.pick(["col", "row", "vec"])
    if how == "col":
        f.emit("let {} = DMatrix::from_column_slice(2, 2, &{});".format(m, v), "{} = Mat.colmajor(2, 2, {})".format(m, v))
    elif how == "row":
        f.emit("let {} = DMatrix::from_row_slice(2, 2, &{});".format(m, v),
               "{} = Mat([[{v}[0], {v}[1]], [{v}[2], {v}[3]]])".format(m, v=v))
    else:
        # (`from_vec(2, 2, v.clone())` is rejected: "bind a computed
        # argument to a name first")
        f.emit("let {} = DMatrix::from_vec(2, 2, {});".format(m, v), "{} = Mat.colmajor(2, 2, {})".format(m, v))
    w = f.fresh("w")
    a0 = f.rng.randint(0, x.length - 2)
    f.emit("let {} = DVector::from_column_slice(&x[{}..{}]);".format(w, a0, a0 + 2),
           "{} = Mat.col(list(x[{}:{}]))".format(w, a0, a0 + 2))
    f.open("s")
    gs = f.helpers(("mat",))
    use = f.pick(["prod", "elem"] + ["call"] * bool(gs))
    if use == "prod":
        f.emit("s += (&{} * &{})[1] * b;".format(m, w), "s = chk(s + chk(({} * {})[1] * b))".format(m, w))
    elif use == "elem":
        f.emit("s += {m}[(0, 1)] * {w}[0] + {m}[(1, 0)];".format(m=m, w=w),
               "s = chk(s + chk({m}[(0, 1)] * {w}[0]) + {m}[(1, 0)])".format(m=m, w=w))
    else:
        g = f.pick(gs)
        f.called(g)
        f.emit("s += {}(&{}, &{});".format(g.name, m, w), "s = chk(s + {}({}, {}))".format(g.name, m, w))
    f.tag("DMatrix::{} of an active Vec, then {}".format(
        {"col": "from_column_slice(2, 2, &v)", "row": "from_row_slice(2, 2, &v)", "vec": "from_vec(2, 2, v)"}[how],
        {"prod": "a product", "elem": "element reads", "call": "passed to a nalgebra helper"}[use]))
    f.close("s")


def twice_form(f, x, b, q, k):
    gs = [g for g in f.helpers(("vdata",)) if g.n <= x.length]
    if not gs:
        return vecchain_form(f, x, b, q, k)
    g = f.pick(gs)
    f.called(g)
    v = f.fresh("v")
    if q is not None:
        f.emit("let {} = DVector::from_column_slice(&q[0..{}]);".format(v, g.n), "{} = Mat.col(list(q[0:{}]))".format(v, g.n))
    else:
        c = f.c()
        f.emit("let {} = DVector::from_element({}, {});".format(v, g.n, rlit(c)), "{} = Mat.full({}, 1, {}, True)".format(
            v, g.n, c))
    ctx = f.open("s", ("straight", "branch"))
    xs = "&x[0..{}]".format(g.n) if g.n < x.length else "x"
    xp = "x[0:{}]".format(g.n)
    last = ctx == "straight"
    f.emit("s += {g}({v}.clone(), {x}) * {g}({v2}, {x});".format(g=g.name, v=v, v2=v if last else v + ".clone()", x=xs),
           "s = chk(s + chk({g}({v}, {x}) * {g}({v}, {x})))".format(g=g.name, v=v, x=xp))
    f.tag("an inactive DVector<f64> passed by value twice (g(v.clone(), x) * g(v, x))")
    f.close("s")


def rows_form(f, x, b, q, k):
    """Rows of an owned `Vec<Vec<f64>>` parameter cloned."""
    a = f.param(RowsByValue("a", 2, 3), f.r() < 0.6)
    dots = f.helpers(("dot",))
    f.open("s")
    if f.r() < 0.5:
        r = f.fresh("r")
        i = f.rng.randint(0, 1)
        f.emit("let {} = a[{}].clone();".format(r, i), "{} = list(a[{}])".format(r, i))
        f.emit("s += {r}[0] * x[1] + {r}[2] * b;".format(r=r), "s = chk(s + chk({r}[0] * x[1]) + chk({r}[2] * b))".format(r=r))
        f.tag("let r = a[i].clone(); of an owned Vec<Vec<f64>> {}".format("in wrt" if a.active else "left out of wrt"))
    else:
        f.emit("for row in a.iter() {", "for row in a:")
        f.emit("    let r = row.clone();", "    r = list(row)")
        if dots and x.length >= 3:
            g = f.pick(dots)
            f.called(g)
            f.emit("    s += {}(&r, x) * r[1];".format(g.name), "    s = chk(s + chk({}(r, x[0:3]) * r[1]))".format(g.name))
        else:
            f.emit("    s += r[1] * x[2];", "    s = chk(s + chk(r[1] * x[2]))")
        f.emit("}")
        f.tag("for row in a.iter() {{ let r = row.clone(); .. }} of an owned Vec<Vec<f64>> {}".format(
            "in wrt" if a.active else "left out of wrt"))
    f.close("s")


FORMS = {"lend": lend_form, "typed": typed_form, "arrlend": arrlend_form, "method": method_form,
         "satsub": satsub_form, "ids": ids_form, "vecchain": vecchain_form, "reshape": reshape_form,
         "twice": twice_form, "rows": rows_form}

HELPERS = {"whole": whole_helper, "arrcopy": arrcopy_helper, "dvres": dvres_helper, "mat": mat_helper,
           "vdata": vdata_helper}


def forms_fn(rng, name, callees):
    """One function of the batch: a helper (more often where the batch has
    few yet), else a caller."""
    f = Fn(rng, name, callees)
    if len(f.callees) < 4 or rng.random() < 0.4:
        kind = rng.choice(["whole", "whole", "arrcopy", "dvres", "mat", "vdata", "dot"])
        return bufs.dot_helper(f) if kind == "dot" else HELPERS[kind](f)
    return caller(f)
