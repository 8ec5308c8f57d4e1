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
    `next_up`, `next_down`, `copysign`, `midpoint`, `sin_cos`, and `match` on active values); see `gen/wrt.py`;
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
    results); see `gen/calls_args.py` and, for the
    nalgebra batch, `gen/nalg_values.py`.

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

The generator is in the package `gen/`, one module per part, each building
on the ones before it: the twin's runtime (`twin`), expressions (`expr`),
the first family (`scalar_exprs`, `scalar`, `random_family`, which also
writes the `checkpoint` family), the `wrt` family (`wrt`, `wrt_batches`,
`wrt_output`, which also writes `checkpoint_wrt`), the `calls` family
(`calls_args`, `calls_stmts`, `calls`, `calls_output`) and its nalgebra
batch (`nalg_values`, `nalg`); this file draws the `calls` family and runs
the families. `compose.py`, `iters.py`, `linalg.py` and `structs.py` import
it for all of these.
"""

import argparse
import os
import random
import subprocess
import sys

sys.dont_write_bytecode = True  # (no __pycache__ beside the generator)

from gen.nalg import *  # noqa: E402,F401,F403 (every part, for the other generators too)


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
