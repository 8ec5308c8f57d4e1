"""The `wrt` family's idiom and remainder batches, and its test points."""

from .wrt import *  # noqa: F401,F403 (the earlier parts, in order)


# ----- the `wrt` family's idiom batch (issue 20) ---------------------------------
#
# WRT_N_IDIOM functions drawn after the others, from their own generator
# (WRT_IDIOM_SEED; the first WRT_N_FUNCS stay as they were, and NOISE is put
# back afterwards, so the `calls` family does not move either), whose
# statements may also be: array patterns of `[f64; N]` parameters in and out
# of `wrt` (`let [e1, _, e3, ..] = p;`), macros that observe values
# (`assert!`, `debug_assert!`, `assert_ne!`, `assert_eq!`, `format!`, and
# `println!` behind a condition that never holds), deferred initialisation
# (`let u; if c { u = .. } else { u = .. }`, `let u: f64; u = ..;`), a
# `loop` used as a value (`break e` behind an active condition and at a
# trip count, `return` inside it) and labelled `break 'o` / `continue 'o`
# from an inner loop; all of them straight-line, in loops and in branches.
# `while let Some(j) = st.pop()` drains a stack of indices (maybe labelled,
# with a `continue` behind a condition). Loop bodies may start with an
# integer offset (`let o3 = 2 * i0 + 1;`, maybe `+ k`), which later
# indices, casts and conditions read, in nested blocks too: an inactive `let` the reverse sweep computes again at the top
# of its block instead of saving it.

WRT_IDIOM_SEED = 20260120
WRT_N_IDIOM = 80

# ----- the `wrt` family's remainder batch -----------------------------------------
#
# WRT_N_REM functions drawn after the idiom batch, from their own generator
# (WRT_REM_SEED; the functions before stay as they were), whose expressions
# may also be remainders: `a % b` and `a.rem_euclid(b)` with a constant or an
# active divisor (positive or negative), and `%=` statements; and the other
# float methods of this batch: `to_degrees`, `to_radians`, `fract`,
# `next_up`, `next_down`, `a.copysign(b)`, `a.midpoint(b)` and `let (s, c) = e.sin_cos();` (also `f64::sin_cos(e)`);
# and `match` statements on active values whose arms bind the value (`v if v
# > c => ..`, `mut w => ..`); anywhere the idiom batch writes (in loops and branches, on parameters in
# and out of `wrt`, in functions that call others). Remainders and `fract`
# jump at multiples of the divisor (of 1), `copysign` at b = 0 and has a kink
# at a = 0: test points keep at least MARGIN from every jump and kink, and
# the nearby points of the finite differences stay on the same side.

WRT_REM_SEED = 20261206
WRT_N_REM = 60


class IdiomGen(WrtGen):
    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.45 and len(self.scopes) < 4:
            kinds = ["pattern"] * 3 + ["observe", "deferred"] * 2
            if loop_ok and len(self.loops) < 2:
                kinds += ["loop_value", "loop_value", "labelled", "labelled"] + ["while_let"] * 3
            if self.loops and any(v != "k" for v in self.ints):
                kinds += ["offset"] * 2
            kind = self.pick(kinds)
            if kind == "offset":
                return self.offset()
            if kind == "pattern":
                return self.array_pattern()
            if kind == "observe" and self.scalars:
                return self.observe()
            if kind == "deferred":
                return self.deferred()
            if kind == "loop_value":
                return self.loop_value()
            if kind == "labelled":
                return self.labelled()
            if kind == "while_let":
                return self.while_let()
        super().stmt(nested, loop_ok)

    def exit_stmt(self):
        # Inside a `loop` used as a value, `break;` has no value: only
        # `return` (or, in a function without a result, a buffer write).
        if self.loops and self.loops[-1] == "value":
            saved = self.loops
            self.loops = []
            try:
                return super().exit_stmt()
            finally:
                self.loops = saved
        return super().exit_stmt()

    def pattern_params(self):
        names = [a.name for a in self.arrays]
        return [p for p in self.wparams if p.kind == "a" and p.name in names]

    def array_pattern(self):
        params = self.pattern_params()
        if params and self.r() < 0.6:
            p = self.pick(params)
            name, length = p.name, p.length
            self.used.add(p.name)
            what = "a [f64; N] parameter ({})".format("active" if p.active else "left out of wrt")
        else:
            # a local array of expressions
            name, length = self.fresh("w"), self.rng.randint(2, 4)
            es = [self.expr(2) for _ in range(length)]
            self.emit("let {}: [f64; {}] = [{}];".format(name, length, ", ".join(e.rs for e in es)),
                      "{} = [{}]".format(name, ", ".join("chk({})".format(e.py) for e in es)))
            what = "a local array"
        rest = self.r() < 0.4
        n = self.rng.randint(1, length - 1) if rest else length
        elems, bound = [], []
        for i in range(n):
            if self.r() < 0.7 or (i == n - 1 and not bound):
                u = self.fresh("e")
                elems.append(u)
                bound.append((u, i))
            else:
                elems.append("_")
        if rest:
            elems.append("..")
        self.tags.append("idiom: array pattern of " + what + (" in a loop" if self.loops else ""))
        self.emit("let [{}] = {};".format(", ".join(elems), name),
                  "; ".join("{} = chk({}[{}])".format(u, name, i) for u, i in bound))
        for u, _ in bound:
            self.declare_scalar(u, False)
            self.wrote(u)

    def open_block(self, rs, py, loop=None, counter=None):
        super().open_block(rs, py, loop, counter)
        if counter is not None and self.r() < 0.5:
            self.offset()

    def offset(self):
        """`let o = 2 * i0 + 1;` in a loop: an integer offset (inactive),
        which the indices, casts and conditions after it read, in this block
        and in nested ones."""
        a = ivar(self.pick([v for v in self.ints if v != "k"]))
        self.used.add(a.rs)
        e = ibin("+", ibin("*", ilit(self.rng.randint(2, 3)), a), ilit(self.rng.randint(1, 3)))
        if len(self.ints) > 1 and self.r() < 0.4:
            e = ibin("+", e, self.int_var())
        o = self.fresh("o")
        self.emit("let {} = {};".format(o, e.rs), "{} = {}".format(o, e.py))
        self.declare_int(o)
        self.tags.append("idiom: integer offset let in a loop" + (" (nested loop)" if len(self.loops) > 1 else ""))

    def observe(self):
        s = self.pick(self.scalars)
        c = self.r()
        if c < 0.2:
            self.emit('assert!({s}.is_finite(), "{s} = {{}}", {s});'.format(s=s))
        elif c < 0.35:
            self.emit('debug_assert!({s}.abs() < 1e9, "{{{s}:.3}}");'.format(s=s))
        elif c < 0.5:
            self.emit("assert_ne!({}, f64::INFINITY);".format(s))
        elif c < 0.65 and self.ints:
            k = self.pick(self.ints)
            self.used.add(k)
            self.emit('assert_eq!({k}, {k}, "{{{k}}} {{}}", {s});'.format(k=k, s=s))
        elif c < 0.8:
            f = self.fresh("text")
            self.emit('let {f} = format!("{{{s}:.4}}");'.format(f=f, s=s))
            self.emit("assert!(!{}.is_empty());".format(f))
        else:
            self.emit('if {s}.is_nan() {{ println!("{s} = {{{s}}}"); }}'.format(s=s))
        self.used.add(s)
        self.tags.append("idiom: assert!/format!/println!" + (" in a loop" if self.loops else ""))

    def deferred(self):
        u = self.fresh()
        if self.r() < 0.35:
            e = self.expr(2)
            self.emit("let {}: f64;".format(u))
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.tags.append("idiom: deferred let, straight-line")
        else:
            ty = ": f64" if self.r() < 0.5 else ""
            self.emit("let {}{};".format(u, ty))
            rs, py = self.cond()
            self.emit("if " + rs + " {", "if " + py + ":")
            self.push()
            e = self.expr(2)
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.pop()
            self.emit("} else {", "else:")
            self.push()
            e = self.expr(2)
            if not e.typed and not ty:
                e = binop("*", e, lit(1.0))
            self.emit("{} = {};".format(u, e.rs), "{} = chk({})".format(u, e.py))
            self.pop()
            self.emit("}")
            self.tags.append("idiom: deferred let, in branches" + (" in a loop" if self.loops else ""))
        self.declare_scalar(u, False)
        self.wrote(u)

    def loop_value(self):
        acc = self.let(self.expr(1) if self.r() < 0.5 else lit(0.5), mutable=True)
        j = self.fresh("j")
        n = self.rng.randint(2, 4)
        u = self.fresh()
        self.emit("let mut {} = 0;".format(j), "{} = 0".format(j))
        self.emit("let {} = loop {{".format(u), "while True:")
        self.loops.append("value")
        self.push()
        start = len(self.py)
        self.update(acc)
        if self.r() < 0.4:
            self.stmt(nested=True, loop_ok=False)
        self.emit("{} += 1;".format(j), "{} += 1".format(j))
        if self.r() < 0.5:
            rs, py = self.cond()
            e = binop("+", var(acc), self.expr(1))
            self.emit("if " + rs + " {", "if " + py + ":")
            self.emit("    break {};".format(e.rs), "    {} = chk({})".format(u, e.py))
            self.emit(None, "    break")
            self.emit("}")
        e = binop("*", var(acc), self.expr(1))
        self.emit("if {} >= {} {{".format(j, n), "if {} >= {}:".format(j, n))
        self.emit("    break {};".format(e.rs), "    {} = chk({})".format(u, e.py))
        self.emit(None, "    break")
        self.emit("}")
        self.pop()
        self.loops.pop()
        self.emit("};")
        self.used.add(acc)
        self.declare_scalar(u, False)
        self.wrote(u)
        self.tags.append("idiom: loop as a value" + (" in a loop" if self.loops else ""))

    def while_let(self):
        """`while let Some(j) = st.pop()` over a stack of indices (inactive,
        a `Vec<usize>`), maybe labelled, the body reading elements at `j`
        and maybe skipping a round (`continue`) behind a condition."""
        acc = self.ensure_mut()
        st, j = self.fresh("st"), self.fresh("j")
        ks = [str(self.rng.randint(0, 5)) for _ in range(self.rng.randint(1, 4))]
        self.emit("let mut {} = vec![{}usize{}];".format(st, ks[0], "".join(", " + k for k in ks[1:])),
                  "{} = [{}]".format(st, ", ".join(ks)))
        cont = self.r() < 0.4
        label = self.fresh("o") if cont and self.r() < 0.5 else None
        head = "'{}: ".format(label) if label else ""
        self.emit("{}while let Some({}) = {}.pop() {{".format(head, j, st), "while {}:".format(st))
        self.loops.append("counted")
        self.push()
        self.emit(None, "{} = {}.pop()".format(j, st))
        self.declare_int(j)
        self.used.add(j)
        if cont:
            rs, py = self.cond()
            self.emit("if " + rs + " {", "if " + py + ":")
            self.emit("    continue{};".format(" '" + label if label else ""), "    continue")
            self.emit("}")
        self.update(acc)
        if self.r() < 0.4:
            self.stmt(nested=True, loop_ok=False)
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.wrote(acc)
        self.tags.append("idiom: while let Some(j) = stack.pop()" + (" (labelled)" if label else "")
                         + (" in a loop" if self.loops else ""))

    def labelled(self):
        acc = self.ensure_mut()
        label = self.fresh("o")
        flag = "_" + self.fresh("f")
        cont = self.r() < 0.5
        v = "i" + str(len(self.loops))
        n = self.rng.randint(2, 4)
        self.emit("'{}: for {} in 0..{} {{".format(label, v, n), "for {} in range(0, {}):".format(v, n))
        self.loops.append("for")
        self.push()
        self.declare_int(v)
        self.used.add(v)
        self.emit(None, "{} = False".format(flag))
        self.update(acc)
        w = "i" + str(len(self.loops))
        m = self.rng.randint(2, 3)
        self.emit("for {} in 0..{} {{".format(w, m), "for {} in range(0, {}):".format(w, m))
        self.loops.append("for")
        self.push()
        self.declare_int(w)
        self.used.add(w)
        rs, py = self.cond()
        self.emit("if " + rs + " {", "if " + py + ":")
        self.emit("    {} '{};".format("continue" if cont else "break", label), "    {} = True".format(flag))
        self.emit(None, "    break")
        self.emit("}")
        self.update(acc)
        self.pop()
        self.loops.pop()
        self.emit("}", "if {}:".format(flag))
        self.emit(None, "    " + ("continue" if cont else "break"))
        if self.r() < 0.6:
            self.update(acc)
        self.pop()
        self.loops.pop()
        self.emit("}")
        self.wrote(acc)
        self.tags.append("idiom: labelled {} from an inner loop".format("continue" if cont else "break")
                         + (" in a loop" if self.loops else ""))


# ----- points of the `wrt` family ------------------------------------------------


def wrt_args(spec, z, q, k):
    """The twin's arguments, and the buffers (lists the twin writes)."""
    args, bufs = [], []
    zat = qat = 0
    for p in spec.params:
        if p.kind == "k":
            args.append(k)
            continue
        if p.in_z():
            vals, zat = z[zat:zat + p.size()], zat + p.size()
        else:
            vals, qat = q[qat:qat + p.size()], qat + p.size()
        if p.kind == "f":
            args.append(vals[0])
        elif p.kind in "mn":
            args.append([list(vals[i * p.cols:(i + 1) * p.cols]) for i in range(p.rows)])
        elif p.kind == "V":
            args.append(Mat.col(list(vals)))
        elif p.kind == "M":
            args.append(Mat.colmajor(p.rows, p.cols, list(vals)))
        else:
            args.append(list(vals))
            if p.kind == "b":
                bufs.append(args[-1])
    return args, bufs


def wrt_run(fn, spec, z, q, k):
    """(outputs, decisions) or None if a value is out of bounds."""
    del TRACE[:]
    try:
        args, bufs = wrt_args(spec, z, q, k)
        r = fn(*args)
        ys = ([] if spec.unit else [r]) + [y for b in bufs for y in b]
        if any(not math.isfinite(y) or abs(y) > OUT_BOUND for y in ys):
            return None
    except (Bad, OverflowError, ZeroDivisionError):
        return None
    return ys, list(TRACE)


def wrt_dirs(z, t, v, scalar):
    """The directions and steps of the Rust test's finite differences:
    `check_gradient`'s per coordinate (scalar functions), `fd_jvp`'s along
    each unit vector, along t, and along v (scalar functions)."""
    xmax = max([1.0] + [abs(a) for a in z])
    dirs = []
    for i, zi in enumerate(z):
        e = [0.0] * len(z)
        e[i] = 1.0
        if scalar:
            dirs.append((e, step(zi), "grad"))
        dirs.append((e, REL_STEP * xmax, "col"))
    dirs.append((t, REL_STEP * xmax / max(abs(a) for a in t), "t"))
    if scalar:
        dirs.append((v, REL_STEP * xmax / max(abs(a) for a in v), "v"))
    return dirs


class RemGen(IdiomGen):
    """A function of the remainder batch (see WRT_REM_SEED)."""

    def divisor(self, depth):
        """A constant or an active divisor, maybe negative, at least about
        0.3 in magnitude."""
        if self.r() < 0.5:
            b = lit(self.const(0.3, 1.5))
        else:
            b = self.positive(self.expr(depth))
            self.tags.append("rem: an active divisor")
        return neg(b) if self.r() < 0.3 else b

    def expr(self, depth):
        if depth > 0 and self.r() < 0.15:
            d = depth - 1
            a, b = self.expr(d), self.divisor(d - 1)
            # A dividend of a few divisors: quotients other than 0, so the
            # partial in the divisor is not 0.
            if self.r() < 0.6:
                a = binop("*", lit(self.const(2.0, 6.0)), a)
            if self.r() < 0.3:
                # Also as `f64::rem_euclid(a, b)`.
                static = self.r() < 0.4
                self.tags.append("rem: f64::rem_euclid(a, b)" if static else "rem: a.rem_euclid(b)")
                return method("rem_euclid", a, b, static=static)
            self.tags.append("rem: a % b")
            return rem(a, b)
        if depth > 0 and self.r() < 0.12:
            d = depth - 1
            f = self.pick(["to_degrees", "to_radians", "fract", "copysign", "midpoint", "next_up", "next_down"])
            self.tags.append("method: " + f)
            if f == "to_degrees":
                return binop("*", lit(self.const(0.005, 0.03)), method(f, self.expr(d)))
            if f == "to_radians":
                return method(f, binop("*", lit(self.const(10.0, 60.0)), self.expr(d)))
            if f == "fract":
                return method(f, binop("*", lit(self.const(1.0, 4.0)), self.expr(d)))
            if f in ("next_up", "next_down"):
                return method(f, self.expr(d))
            return method(f, self.expr(d), self.expr(d - 1))
        return super().expr(depth)

    def match_on_active(self):
        """`match e { v if v > c => acc += .. v .., w => { acc -= .. w .. } }`
        on an active value: the arms' tests are branch decisions, their
        bindings the value itself (maybe `mut`, assigned in the arm)."""
        acc = self.ensure_mut()
        e = self.expr(2)
        m, v, w = self.fresh("m"), self.fresh("v"), self.fresh("v")
        c = self.const(-0.8, 0.8)
        c = -c if self.r() < 0.5 else c
        self.emit("match {} {{".format(e.rs), "{} = chk({})".format(m, e.py))
        self.emit("    {} if {} > {} => {{".format(v, v, rust_float(c)), "if gt({}, {}):".format(m, c))
        self.push()
        self.emit(None, "{} = {}".format(v, m))
        self.declare_scalar(v, False)
        self.used.add(v)
        self.assign(acc, "+", binop("*", var(v), self.expr(1)))
        self.pop()
        self.emit("    }", "else:")
        mutable = self.r() < 0.5
        self.emit("    {}{} => {{".format("mut " if mutable else "", w))
        self.push()
        self.emit(None, "{} = {}".format(w, m))
        self.declare_scalar(w, mutable)
        self.used.add(w)
        if mutable:
            self.assign(w, "*", self.factor())
        self.assign(acc, "-", binop("*", var(w), self.expr(1)))
        self.pop()
        self.emit("    }")
        self.emit("}")
        self.tags.append("match: on an active value, bindings {}".format("mut" if mutable else "plain"))

    def stmt(self, nested, loop_ok=True):
        if self.r() < 0.12:
            return self.match_on_active()
        if self.r() < 0.1:
            # `let (s, c) = e.sin_cos();`, maybe as `f64::sin_cos(e)`.
            e = self.expr(2)
            s, c = self.fresh(), self.fresh()
            if self.r() < 0.3 or not e.typed:
                call = "f64::sin_cos(" + e.rs + ")"
            else:
                call = par(e, ATOM) + ".sin_cos()"
            self.emit("let ({}, {}) = {};".format(s, c, call),
                      "{}, {} = chk(f_sin({})), chk(f_cos({}))".format(s, c, e.py, e.py))
            for n in (s, c):
                self.declare_scalar(n, False)
                self.wrote(n)
            self.tags.append("method: let (s, c) = e.sin_cos()")
            return
        super().stmt(nested, loop_ok)

    def update(self, name=None):
        if self.r() < 0.2:
            if name is None:
                name = self.ensure_mut()
            b = self.divisor(0)
            self.emit("{} %= {};".format(name, b.rs), "{} = chk(k_rem({}, {}))".format(name, name, b.py))
            self.wrote(name)
            self.tags.append("rem: %= on a mutable scalar")
            return
        super().update(name)

    def elem_write(self, p, i, how):
        """Also `x[i] %= b;` on an array parameter's or a buffer's element."""
        if how == "rw" and self.r() < 0.2:
            b = self.divisor(0)
            self.emit("{}[{}] %= {};".format(p.name, i.rs, b.rs),
                      "{n}[{i}] = chk(k_rem({n}[{i}], {b}))".format(n=p.name, i=i.py, b=b.py))
            self.used.add(p.name)
            self.tags.append("rem: %= on an element of {}".format("a buffer" if p.kind == "b" else "an array"))
            return
        super().elem_write(p, i, how)


def wrt_find_points(spec, fn, rng, runner=None):
    runf = runner or wrt_run
    nz, nq, ny = spec.nz(), spec.nq(), spec.ny()
    pts = []
    for _ in range(MAX_POINT_TRIES):
        z = [num(rng, -1.5, 1.5) for _ in range(nz)]
        q = [num(rng, -1.5, 1.5) for _ in range(nq)]
        k = rng.randint(0, 4)
        t = [num(rng, -1.0, 1.0) for _ in range(nz)]
        c = [num(rng, 0.5, 2.0) * rng.choice([-1.0, 1.0]) for _ in range(ny)]
        v = [num(rng, -1.0, 1.0) for _ in range(nz)] if spec.scalar else []
        base = runf(fn, spec, z, q, k)
        if base is None or any(abs(m) < MARGIN for m, _ in base[1]):
            continue
        if not stable_under_rounding(lambda: runf(fn, spec, z, q, k), base):
            continue
        decisions = [d for _, d in base[1]]
        f = lambda w: runf(fn, spec, w, q, k)
        dirs = wrt_dirs(z, t, v, spec.scalar)
        ok = True
        xmax = max([1.0] + [abs(a) for a in z])
        others = [[a + s * b for a, b in zip(z, d)] for d, h, _ in dirs for s in (-2 * h, -h, h, 2 * h)]
        r = 3.0 * REL_STEP * xmax
        others += [[a + rng.uniform(-r, r) for a in z] for _ in range(6)]
        for w in others:
            other = f(w)
            if other is None or [d for _, d in other[1]] != decisions:
                ok = False
                break
        if not ok:
            continue
        live = wrt_smooth_and_live(spec, f, z, t, c, v, dirs)
        if not live:
            continue
        pts.append((z, q, k, t, c, v, base[0]))
        if len(pts) == POINTS_PER_FUNC:
            return pts
    return None


def wrt_smooth_and_live(spec, f, z, t, c, v, dirs):
    """Are the finite differences trustworthy for every output component
    (as `smooth_enough`), and would every check fail for a zero derivative?"""

    def at(d, s):
        r = f([a + s * b for a, b in zip(z, d)])
        if r is None:
            raise Bad()
        return r[0]

    def first(d, h):
        m2, m1, p1, p2 = at(d, -2 * h), at(d, -h), at(d, h), at(d, 2 * h)
        return [((a - b) + 8.0 * (p - m)) / (12.0 * h) for a, m, p, b in zip(m2, m1, p1, p2)]

    try:
        return smooth_and_live(spec, at, first, z, t, c, v, dirs)
    except Bad:
        return False


def smooth_and_live(spec, at, first, z, t, c, v, dirs):
    cols = []
    for d, h, kind in dirs:
        s1, s2 = first(d, h), first(d, 2 * h)
        if any(abs(a - b) / 15.0 > FD_EST * 1e-6 * max(1.0, abs(a)) for a, b in zip(s1, s2)):
            return False
        if kind == "col":
            cols.append(s1)
        elif kind == "t":
            jt = s1
    if max(abs(a) for a in jt) <= LIVE or abs(sum(a * b for a, b in zip(jt, c))) <= LIVE:
        return False
    jtc = [sum(a * b for a, b in zip(col, c)) for col in cols]
    if max(abs(a) for a in jtc) <= LIVE:
        return False
    for lo, hi in spec.live_ranges():
        if max(abs(a) for col in cols[lo:hi] for a in col) <= LIVE:
            return False
    if spec.scalar:
        h = dirs[-1][1]
        d2, d4 = [(-at(v, 2 * s)[0] + 16.0 * at(v, s)[0] - 30.0 * at(v, 0.0)[0] + 16.0 * at(v, -s)[0]
                   - at(v, -2 * s)[0]) / (12.0 * s * s) for s in (2 * h, 4 * h)]
        if abs(d2 - d4) / 240.0 > FD_EST * 1e-5 * max(1.0, abs(d2)):
            return False
        if abs(d2) <= LIVE * sum(abs(a) for a in v):
            return False
    return True
