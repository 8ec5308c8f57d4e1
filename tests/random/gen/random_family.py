"""Test points and the Rust output of the first family, and the `checkpoint`
families built on it."""

from . import scalar as _scalar
from .scalar import *  # noqa: F401,F403 (the earlier parts, in order)


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
    _scalar.CHECKPOINT = True
    try:
        generate_random(n_funcs, seed, out, CHECKPOINT_HEADER)
    finally:
        _scalar.CHECKPOINT = False
