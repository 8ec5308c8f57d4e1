"""The `calls` family's nalgebra batch: its switches and values."""

from .calls_output import *  # noqa: F401,F403 (the earlier parts, in order)


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
