"""The `calls` family's destination batch and its Rust output."""

from .calls import *  # noqa: F401,F403 (the earlier parts, in order)


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
        # (a `_vjp` with no active parameter but its buffers returns `(out,)`)
        v_lhs = "(" + ", ".join([r] + gs) + ("," if not gs else "") + ")"
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
