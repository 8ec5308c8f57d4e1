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

A third batch of GRID_N_FUNCS functions (`g000`, ..., `struct_2d.py`, its
own seed, drawn after the others) reads 2-D fields of `struct G2 { s: f64,
m: [[f64; 2]; 2], w: Vec<Vec<f64>> }` by element, by rows and by row
passed to helpers (`&p.w[1]`), and copies them into `mut` locals.

A fourth batch of CFG_N_FUNCS functions (`c000`, ..., `struct_cfg.py`, its
own seed, drawn after the third) copies the `#[ad(skip)]` fields of `struct
Cfg` into locals (`let n = p.steps;`) used in active arithmetic, bounds and
indices, and matches an inactive `loss: Loss` (or `&Loss`) by struct-like
variants (`Loss::Quantile { tau } => ..`); a `Loss` parameter is an integer
to the harness, which passes `loss_at(k)`.

A fifth batch of NET_N_FUNCS functions (`n000`, ..., `struct_net.py`, its
own seed, drawn after the fourth) reads `struct Net { layers: Vec<Layer>,
.. }` through layers bound by reference (`let layer = &p.layers[i];
.. layer.w[r][c] .. ndot(&layer.w[r], &h)`) and by element
(`p.layers[i].b[r]`), does integer arithmetic of its configuration fields
(`p.steps * p.count`, `vec![0.0; p.width]`), reads a 2-D field through a
borrow (`let w = &p.g;`), binds float products of fields (`let c = p.a *
p.scale;`), and reads payloads of `loss: &Loss` and inactive `c: &f64`
parameters in arithmetic (`tau * r`, `x / tau`), by `if let` and passed to
helpers taking `&f64`.
"""

import argparse
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # (no __pycache__ beside the generator)

import generate as G  # noqa: E402
from generate import (  # noqa: E402
    ATOM, E, I, Array, WParam, WrtGen, WrtSpec, binop, cast, ibin, ilit, ivar, lit, method, neg, par, UNARY,
)
from struct_results import *  # noqa: E402,F401,F403 (struct_gen, then the second batch)
import struct_2d  # noqa: E402 (the third batch)
import struct_cfg  # noqa: E402 (the fourth batch)
import struct_net  # noqa: E402 (the fifth batch)
import compose_sweep4  # noqa: E402 (`&f64` parameters in the `Case` entries)


# ----------------------------------------------------------------------------
# Rust output
# ----------------------------------------------------------------------------

AT = {"P": "p_at(&{s}[{r}], k)", "Q": "q_at(&{s}[{r}])", "T": "t_at(&{s}[{r}])", "G2": struct_2d.AT,
      "Cfg": struct_cfg.AT, "Net": struct_net.AT}
# tangents: a `P`'s skipped floats hold garbage (`p_dot`), which no derivative may read
DOT = dict(AT, P="p_dot(&{s}[{r}], k)")


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
            # (`struct_cfg.LossParam`: the harness's value at k)
            args_f.append(getattr(p, "rust_arg", "k"))
            args_j.append(getattr(p, "rust_arg", "k"))
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
            if p.kind in ("P", "Cfg", "Net"):
                uses.add("k")
            pre_f.append("let s{} = {};".format(i, AT[p.kind].format(s=src, r=r)))
            if p.active:
                pre_j.append("let (s{i}, ds{i}) = ({a}, {b});".format(
                    i=i, a=AT[p.kind].format(s="z", r=r), b=DOT[p.kind].format(s="d", r=r)))
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
                cots.append("&p_flat(&{}, k)[..]" if p.kind == "P" else "&cfg_flat(&{}, k)[..]" if p.kind == "Cfg"
                            else "&net_flat(&{}, k)[..]" if p.kind == "Net" else "&flat(&{})[..]")
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


def generate_structs(n_funcs, seed, out, n_results=RESULTS_N_FUNCS, n_grid=struct_2d.GRID_N_FUNCS,
                     n_cfg=struct_cfg.CFG_N_FUNCS, n_net=struct_net.NET_N_FUNCS):
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

    if n_grid:
        more = struct_2d.draw_batch(specs, namespace, n_grid)
        discarded, too_long = discarded + more[0], too_long + more[1]
    if n_cfg:
        more = struct_cfg.draw_batch(specs, namespace, n_cfg)
        discarded, too_long = discarded + more[0], too_long + more[1]
    if n_net:
        more = struct_net.draw_batch(specs, namespace, n_net)
        discarded, too_long = discarded + more[0], too_long + more[1]

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
    if n_grid:
        parts.append(struct_2d.DECLS)
    if n_cfg:
        parts.append(struct_cfg.DECLS)
    if n_net:
        parts.append(struct_net.DECLS)
    parts.append("// ----- the functions -------------------------------------------------------\n\n")
    for s in specs:
        parts.append(s.rust + "\n" + "\n".join(compose_sweep4.case_entry(struct_case_entry(s), s)) + "\n\n")
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
    ap.add_argument("--grid", type=int, default=struct_2d.GRID_N_FUNCS,
                    help="number of functions of the third batch (experiments)")
    ap.add_argument("--cfg", type=int, default=struct_cfg.CFG_N_FUNCS,
                    help="number of functions of the fourth batch (experiments)")
    ap.add_argument("--net", type=int, default=struct_net.NET_N_FUNCS,
                    help="number of functions of the fifth batch (experiments)")
    ap.add_argument("--out", default=STRUCTS_OUT, help="output file (experiments)")
    args = ap.parse_args()
    generate_structs(args.count, args.seed, os.path.abspath(args.out), args.results, args.grid, args.cfg, args.net)


if __name__ == "__main__":
    main()
