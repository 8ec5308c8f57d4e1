//! Calls: float functions of the rule table, `nn` and nalgebra functions,
//! `m.map(closure)`, and calls of other differentiated functions.

use super::*;

/// nalgebra's geometry types (a rotation, a unit value, a transform),
/// which have no differentiation rules.
const GEOMETRY: &[&str] = &[
    "Unit",
    "UnitQuaternion",
    "Quaternion",
    "UnitComplex",
    "Rotation",
    "Rotation2",
    "Rotation3",
    "Isometry",
    "Isometry2",
    "Isometry3",
    "Similarity",
    "Similarity2",
    "Similarity3",
    "Translation",
    "Translation2",
    "Translation3",
    "Transform",
    "Transform2",
    "Transform3",
    "Affine2",
    "Affine3",
    "Projective2",
    "Projective3",
    "Perspective3",
    "Orthographic3",
    "UnitVector2",
    "UnitVector3",
];

impl Lowerer<'_> {
    pub(super) fn lower_call(&mut self, c: &syn::ExprCall) -> Operand {
        if let Some(op) = self.lower_tuple_struct_lit(c) {
            return op;
        }
        // `UnitQuaternion::from_euler_angles(roll, pitch, yaw)` of active
        // angles: nalgebra's geometry types have no rules.
        if let syn::Expr::Path(p) = strip_parens(&c.func) {
            let segs = &p.path.segments;
            if segs.len() >= 2
                && GEOMETRY.contains(&segs[segs.len() - 2].ident.to_string().as_str())
                && c.args.iter().any(|a| self.mentions_varied(a))
            {
                self.errors.spanned(
                    p,
                    format_args!(
                        "nalgebra's geometry types (`{}`) are not differentiated: build \
                         the rotation as a matrix of the active values (`Matrix3::new(c, -s, \
                         0.0, s, c, 0.0, 0.0, 0.0, 1.0)` after `let (s, c) = yaw.sin_cos();`, \
                         products of such matrices for Euler angles) and multiply by it \
                         (`r * v`); a unit vector is `v / v.norm()`",
                        segs[segs.len() - 2].ident
                    ),
                );
                return self.poisoned();
            }
        }
        if let syn::Expr::Path(p) = strip_parens(&c.func) {
            let segs = &p.path.segments;
            // `f64::sin(x)`, `f32::powf(x, y)`
            if p.qself.is_none() && segs.len() >= 2 {
                let last = &segs[segs.len() - 1];
                let owner = &segs[segs.len() - 2].ident;
                if owner == "f64" || owner == "f32" || self.reals.contains(&owner.to_string()) {
                    let name = last.ident.to_string();
                    // `f64::from(z)`: `z as f64` (a lossless conversion
                    // where rustc accepts it: from `f32`, `f64`, small
                    // integers).
                    if name == "from" && c.args.len() == 1 && (owner == "f64" || owner == "f32") {
                        let a = self.lower_expr(&c.args[0]);
                        let ty: syn::Type = syn::parse_quote_spanned!(owner.span()=> #owner);
                        return self.temp(
                            Expr::Cast(Box::new(Expr::Use(a)), Box::new(ty)),
                            true,
                            last.ident.span(),
                        );
                    }
                    let Some(func) = func(&name) else {
                        self.errors.spanned(
                            &last.ident,
                            format_args!(
                                "differentiation rule for `{owner}::{name}` is not implemented; \
                                 the float functions with rules are: {}",
                                supported_methods()
                            ),
                        );
                        return self.poisoned();
                    };
                    let owners = segs.iter().take(segs.len() - 1).map(|s| &s.ident);
                    let colon = &p.path.leading_colon;
                    let prefix = quote!(#colon #(#owners)::*);
                    let args: Vec<&syn::Expr> = c.args.iter().collect();
                    return self.lower_func_call(
                        func,
                        CallStyle::Path(prefix),
                        &args,
                        last.ident.span(),
                        last.ident.span(),
                    );
                }
            }
            // `DVector::from_element(n, x)` with an active `x` is
            // `DVector::from_element(n, 1.0) * x`.
            if p.qself.is_none()
                && segs.len() >= 2
                && self.prog.matrix
                && segs[segs.len() - 1].ident == "from_element"
                && !c.args.is_empty()
            {
                let mut ones = c.clone();
                let last = ones.args.len() - 1;
                ones.args[last] = match &self.prog.real {
                    // Generic over `T`: `1.0` is no `T`.
                    Some(t) => syn::parse_quote!(<#t as __rt::num_traits::One>::one()),
                    None => syn::parse_quote!(1.0),
                };
                let ones = self.opaque(&syn::Expr::Call(ones));
                let x = self.lower_expr(&c.args[c.args.len() - 1]);
                return self.temp(
                    Expr::Bin(
                        BinOp::Mul,
                        Box::new(Expr::Use(ones)),
                        Box::new(Expr::Use(x)),
                    ),
                    true,
                    c.span(),
                );
            }
            // `nn::softmax(&z)`, `ad::nn::softmax(&z)`
            if p.qself.is_none() && segs.len() >= 2 && segs[segs.len() - 2].ident == "nn" {
                let last = &segs[segs.len() - 1];
                let name = last.ident.to_string();
                if let Some(&(_, module)) = NN_FUNCTIONS.iter().find(|(n, _)| *n == name) {
                    let args: Vec<&syn::Expr> = c.args.iter().collect();
                    let op = LaOp {
                        module,
                        active_args: &[true],
                    };
                    return self.lower_la(op, &args, last.ident.span(), c.span());
                }
            }
            // A constructor of an nalgebra value from active values that
            // desugaring did not rewrite.
            if p.qself.is_none()
                && segs.len() >= 2
                && crate::desugar::nalgebra::is_nalgebra_type(
                    &segs[segs.len() - 2].ident.to_string(),
                )
            {
                let owner = &segs[segs.len() - 2].ident;
                let name = &segs[segs.len() - 1].ident;
                self.errors.spanned(
                    &c.func,
                    format_args!(
                        "`{owner}::{name}` with active values is not differentiated as written; \
                         build nalgebra values from active numbers with \
                         `DVector::from_vec(vec![a, b, ..])`, `from_vec(v)`, \
                         `from_column_slice(&v)` or `from_row_slice(&v)` (`DMatrix::..(r, c, \
                         &v)`) of a `Vec` or slice variable or of a range of one (`&x[a..b]`, \
                         `&x[..b]`, `&x[a..]`, `&x[a..=b]`, `&x[..]`), \
                         `from_fn(.., |i, j| ..)` with the closure written in place, \
                         `from_element(n, x)`, `Vector3::new(a, b, c)` with one argument per \
                         element, or `zeros` and element writes (`m[(i, j)] = ..`); bind a \
                         computed argument to a name first (`let v = x.to_vec();`)"
                    ),
                );
                return self.poisoned();
            }
            // `Ok(x * x)`, `Some(a)`: the value is what is differentiated.
            if let Some(v) = p.path.get_ident().filter(|i| is_wrapper_name(i)) {
                if !self.wrapped_output {
                    self.errors.spanned(
                        &c.func,
                        format_args!(
                            "`{v}(..)` of an active value is not differentiated: `Result` and \
                             `Option` values are not supported; compute the number itself (a \
                             differentiated function returns `f64`) and wrap it in `{v}(..)` \
                             outside the differentiated code (in the caller)"
                        ),
                    );
                }
                return self.poisoned();
            }
            // A call of another differentiated function (or of this one).
            if p.qself.is_none() && self.local_of(p).is_none() {
                return self.lower_diff_call(c, &p.path);
            }
        }
        let local =
            matches!(strip_parens(&c.func), syn::Expr::Path(p) if self.local_of(p).is_some());
        if local {
            self.errors.spanned(
                &c.func,
                "a call through a variable (a closure, a function pointer or a `dyn Fn` trait \
                 object) cannot be differentiated: the macro cannot see its body; call a \
                 `#[differentiate]` function by its path (`g(x)`, `module::g(x)`)",
            );
        } else {
            self.errors.spanned(
                &c.func,
                "this call cannot be differentiated: call a function by its path (`g(x)`, `module::g(x)`)",
            );
        }
        self.poisoned()
    }

    /// `self.g(a, b)` with an active argument: `g` is a differentiated method.
    pub(super) fn lower_method_call(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        if let Some(t) = &mc.turbofish {
            self.errors.spanned(
                t,
                "generic arguments in a differentiated call are not supported",
            );
            return self.poisoned();
        }
        // With `wrt(self)` the receiver is active: it passes its tangent and
        // takes its cotangent, as the callee's own `wrt(self)` expects (a
        // callee without it does not compile with them: a receiver that
        // carries derivatives is never taken for a constant).
        let receiver = match strip_parens(&mc.receiver) {
            syn::Expr::Path(p) => match self.local_of(p) {
                Some(v) => Expr::var(v),
                None => Expr::constant(quote!(self)),
            },
            _ => Expr::constant(quote!(self)),
        };
        self.note_method_call(mc);
        let mut args = vec![receiver];
        self.lent_copies.clear();
        for a in &mc.args {
            let arg = self.lower_call_arg(a);
            args.push(arg);
        }
        let result = self.temp(
            Expr::Call2 {
                path: syn::Path::from(mc.method.clone()),
                args,
                method: true,
            },
            true,
            mc.span(),
        );
        self.note_call_result(&result);
        result
    }

    /// A call's result may be an array (`-> Vec<f64>`), read by element.
    fn note_call_result(&mut self, result: &Operand) {
        if let Operand::Var(v) = result {
            self.call_results.insert(*v);
        }
    }

    /// An argument of a call of a differentiated function. Inactive ones stay
    /// verbatim. An active array is passed as the user wrote it: a borrowed
    /// parameter `x` as it is; `&v` and `&x[a..b]` borrowed (their tangents
    /// `&dv`, `&dx[a..b]`, their cotangents added into `v_bar` and
    /// `x_bar[a..b]`); an array or `Vec` by value as a copy, since reverse
    /// mode calls the function twice (its forward sweep, then its reverse
    /// mode).
    pub(super) fn lower_call_arg(&mut self, a: &syn::Expr) -> Expr {
        if let Some(whole) = self.whole_slice(a) {
            return self.lower_call_arg(&whole);
        }
        // A helper's result lent whole to a value form (`lower_buffer_args`).
        if let syn::Expr::Path(p) = strip_parens(a) {
            if let Some(v) = self.local_of(p).filter(|v| self.lent_whole.contains(v)) {
                return Expr::Rule("lend_whole", vec![Expr::var(v)]);
            }
        }
        if !self.mentions_varied(a) {
            // An inactive array passed by value is copied too: reverse mode
            // passes it twice.
            // So is a nalgebra value (`h(d)` for `let d =
            // DVector::from_column_slice(data);`; `emit` moves it where
            // nothing reads it again).
            if let syn::Expr::Path(p) = strip_parens(a) {
                if let Some(v) = self.local_of(p) {
                    let var = &self.prog.vars[v];
                    let matrix = self.prog.matrix && !var.scalar && !var.by_ref;
                    if (var.array || matrix) && !var.borrowed {
                        return Expr::Rule("clone", vec![Expr::var(v)]);
                    }
                }
            }
            // So is a computed inactive value that may own memory
            // (`w.clone()`, `g(..)`, `[..]`): a temporary passed twice.
            // Numbers (`i as f64`) and borrows (`&w`) are passed as they are.
            let owned = matches!(
                strip_parens(a),
                syn::Expr::MethodCall(_)
                    | syn::Expr::Call(_)
                    | syn::Expr::Macro(_)
                    | syn::Expr::Array(_)
                    | syn::Expr::Repeat(_)
                    | syn::Expr::Struct(_)
            );
            let slice = self.borrows_array(a);
            // An inactive array that may be written in place after it is
            // lent (`let mut v`, `mut v: Vec<f64>`; `h(&v); v[0] = ..;`):
            // reverse mode lends it again to the pullback, so the call
            // borrows a copy made now, which nothing writes (the same borrow
            // of `v` would outlive the write, and the pullback would see
            // the new values); one copy for all the arguments that lend it.
            let written = match (slice, self.borrowed_base(a)) {
                (true, Some((v, key))) if self.prog.vars[v].mutable || self.prog.vars[v].slot => {
                    Some((v, key))
                }
                _ => None,
            };
            let copy = written.map(|(v, key)| {
                let made = self
                    .lent_copies
                    .iter()
                    .find(|(b, _)| *b == v)
                    .map(|(_, c)| *c);
                let copy = match made {
                    Some(c) => Operand::Var(c),
                    None => {
                        let c = self.temp(Expr::Rule("clone", vec![Expr::var(v)]), false, a.span());
                        if let Operand::Var(c) = c {
                            self.lent_copies.push((v, c));
                        }
                        c
                    }
                };
                (copy, key)
            });
            let op = match copy {
                Some((Operand::Var(copy), key)) => {
                    self.prog.vars[copy].array = true;
                    self.scopes.push(HashMap::from_iter([(
                        key,
                        Binding {
                            var: copy,
                            mutable: false,
                        },
                    )]));
                    let op = self.opaque(a);
                    self.scopes.pop();
                    op
                }
                _ => self.opaque(a),
            };
            return match op {
                Operand::Var(t) if self.prog.vars[t].kind == VarKind::Temp && owned => {
                    Expr::Rule("clone", vec![Expr::var(t)])
                }
                op => {
                    if let (true, Operand::Var(t)) = (slice, &op) {
                        self.prog.vars[*t].inactive_slice = true;
                    }
                    Expr::Use(op)
                }
            };
        }
        if let syn::Expr::Reference(r) = strip_parens(a) {
            if r.mutability.is_none() {
                if let Some(slice) = self.lower_sub_slice(&r.expr) {
                    return Expr::Ref(Box::new(slice));
                }
                // A row of a 2-D array, or a range of one.
                if let Some(row) = self.lower_row_ref(&r.expr) {
                    return Expr::Ref(Box::new(row));
                }
                let op = self.lower_expr(&r.expr);
                self.mark_view_arg(&op, &r.expr);
                // A helper's result borrowed for another call (`h(&d)` for
                // `let d = g(x);`) is an array: a borrowed scalar is not a
                // parameter a differentiated function can have.
                if let Operand::Var(v) = op {
                    if self.call_results.contains(&v) && !self.prog.matrix {
                        self.prog.vars[v].array = true;
                    }
                }
                return match op {
                    Operand::Var(v)
                        if !self.prog.vars[v].borrowed
                            && (self.prog.vars[v].array
                                || (self.prog.matrix && !self.prog.vars[v].scalar)) =>
                    {
                        Expr::Ref(Box::new(Expr::var(v)))
                    }
                    op => Expr::Use(op),
                };
            }
        }
        let op = self.lower_expr(a);
        self.mark_view_arg(&op, a);
        match op {
            Operand::Var(v) if self.prog.vars[v].array && !self.prog.vars[v].borrowed => {
                Expr::Rule("clone", vec![Expr::var(v)])
            }
            // A field passed by value (`h(p.a)`, `h(p.w)`): a copy of the
            // borrowed field.
            Operand::Var(v) if self.is_field_borrow(v) => Expr::Rule("clone", vec![Expr::var(v)]),
            // A helper's result passed on by value (`h(d)` for `let d =
            // g(x);`, `h(g(x))`) may own an array (`-> Vec<f64>`): a copy,
            // as reverse mode passes it twice (the copy of a number is free;
            // nalgebra values: the next arm).
            Operand::Var(v)
                if self.call_results.contains(&v)
                    && !self.prog.vars[v].scalar
                    && !self.prog.matrix =>
            {
                Expr::Rule("clone", vec![Expr::var(v)])
            }
            // So is a nalgebra value (`h(c)` for `let c = m.column(1)
            // .into_owned();`, `h(v)` for `v: DVector<f64>`); `emit` moves
            // it where nothing reads it again.
            Operand::Var(v)
                if self.prog.matrix
                    && !self.prog.vars[v].scalar
                    && !self.prog.vars[v].by_ref
                    && !self.prog.vars[v].borrowed =>
            {
                Expr::Rule("clone", vec![Expr::var(v)])
            }
            op => Expr::Use(op),
        }
    }

    /// `&x[..]` for a whole 1-D array lent again as a slice: a reborrow
    /// `&*x`, or `&x` of a reference parameter (`x: &[f64]`, a `&mut [f64]`
    /// buffer), which is `&&[f64]` coerced.
    pub(super) fn whole_slice(&self, a: &syn::Expr) -> Option<syn::Expr> {
        let syn::Expr::Reference(r) = strip_parens(a) else {
            return None;
        };
        let (name, deref) = match strip_parens(&r.expr) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                match strip_parens(&u.expr) {
                    syn::Expr::Path(p) => (p, true),
                    _ => return None,
                }
            }
            syn::Expr::Path(p) => (p, false),
            _ => return None,
        };
        let v = self.local_of(name)?;
        let var = &self.prog.vars[v];
        let reference = var.borrowed || self.prog.outputs.contains(&v);
        if !var.array || var.nested || !(deref || reference) {
            return None;
        }
        let mutability = r.mutability;
        Some(syn::parse_quote_spanned!(a.span()=> &#mutability #name[..]))
    }

    /// The local `a` borrows, shared (`&x`, `&x[a..b]`), and the name it is
    /// read by.
    fn borrowed_base(&self, a: &syn::Expr) -> Option<(VarId, String)> {
        let syn::Expr::Reference(r) = strip_parens(a) else {
            return None;
        };
        let base = match strip_parens(&r.expr) {
            syn::Expr::Index(ix) if matches!(strip_parens(&ix.index), syn::Expr::Range(_)) => {
                &*ix.expr
            }
            e => e,
        };
        let syn::Expr::Path(p) = strip_parens(base) else {
            return None;
        };
        let v = self.local_of(p).filter(|_| r.mutability.is_none())?;
        Some((v, p.path.get_ident()?.unraw().to_string()))
    }

    /// Whether `a` borrows a (1-D) array or a range of one: `&x`,
    /// `&x[a..b]`.
    fn borrows_array(&self, a: &syn::Expr) -> bool {
        self.borrowed_base(a)
            .is_some_and(|(v, _)| self.prog.vars[v].array && !self.prog.vars[v].nested)
    }

    /// `x[a..b]`, `x[a..]`, `x[..b]`, `x[..]` of an array: `Index(x, a..b)`.
    pub(super) fn lower_sub_slice(&mut self, e: &syn::Expr) -> Option<Expr> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        let syn::Expr::Range(range) = strip_parens(&ix.index) else {
            return None;
        };
        let v = match strip_parens(&ix.expr) {
            syn::Expr::Path(p) => self.local_of(p).filter(|v| self.prog.vars[*v].array)?,
            // `&p.v[a..b]` of a struct's field.
            base => self.lower_field_array(base)?,
        };
        let range = self.lower_range(range);
        Some(Expr::Index(v, Box::new(range)))
    }

    /// `a..b`, `a..=b`, `a..`, `..b`, `..` as an index: `Range`.
    pub(super) fn lower_range(&mut self, range: &syn::ExprRange) -> Expr {
        let start = range.start.as_ref().map(|s| Box::new(self.lower_index(s)));
        let end = match (&range.end, &range.limits) {
            (Some(e), syn::RangeLimits::HalfOpen(_)) => Some(Box::new(self.lower_index(e))),
            (Some(e), syn::RangeLimits::Closed(_)) => {
                let e = self.lower_index(&syn::parse_quote!((#e) + 1));
                Some(Box::new(e))
            }
            (None, _) => None,
        };
        Expr::Range { start, end }
    }

    /// `g(a, b)` with an active argument: `g` must be differentiated (or have
    /// a custom rule); its derivatives are reached through hidden wrappers.
    pub(super) fn lower_diff_call(&mut self, c: &syn::ExprCall, path: &syn::Path) -> Operand {
        if path.segments.iter().any(|s| !s.arguments.is_none()) {
            self.errors.spanned(
                path,
                "generic arguments in a differentiated call are not supported: call a non-generic function",
            );
            return self.poisoned();
        }
        let mut args = Vec::new();
        self.lent_copies.clear();
        for a in &c.args {
            let arg = self.lower_call_arg(a);
            args.push(arg);
        }
        let result = self.temp(
            Expr::Call2 {
                path: path.clone(),
                args,
                method: false,
            },
            true,
            c.span(),
        );
        self.note_call_result(&result);
        result
    }

    pub(super) fn lower_func_call(
        &mut self,
        func: Func,
        style: CallStyle,
        args: &[&syn::Expr],
        name_span: Span,
        span: Span,
    ) -> Operand {
        if args.len() != func.arity {
            self.errors.at(
                name_span,
                format_args!(
                    "`{}` takes {} argument(s) besides the receiver",
                    func.name,
                    func.arity - 1
                ),
            );
            return self.poisoned();
        }
        let mut ops = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let op = self.lower_expr(a);
            if !func.active_args[i] && self.is_varied(&op) {
                self.errors.spanned(
                    a,
                    format_args!(
                        "the exponent of `{}` is an integer and cannot depend on active values: use `powf`",
                        func.name
                    ),
                );
            }
            let op = self.member_value(op, span);
            ops.push(Expr::Use(op));
        }
        self.temp(Expr::Call(func, style, ops), true, span)
    }

    /// `m.map(|v| body)`: the body is scalar code, differentiated on its own
    /// (twice, for second order) into closures the rules of `la::map` call.
    pub(super) fn lower_map(&mut self, mc: &syn::ExprMethodCall) -> Operand {
        let closure = match mc.args.first().map(strip_parens) {
            Some(syn::Expr::Closure(c)) if mc.args.len() == 1 => c,
            _ => {
                self.errors.spanned(
                    &mc.args,
                    "`.map` on an active value takes a closure `|v| <scalar expression>`",
                );
                return self.poisoned();
            }
        };
        let param = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
            [syn::Pat::Ident(p)] => Some((p.ident.clone(), None)),
            [syn::Pat::Type(t)] => match &*t.pat {
                syn::Pat::Ident(p) => Some((p.ident.clone(), Some((*t.ty).clone()))),
                _ => None,
            },
            _ => None,
        };
        let Some((v, ty)) = param else {
            self.errors.spanned(
                &closure.inputs,
                "a `.map` closure takes one element by name: `|v| ...`",
            );
            return self.poisoned();
        };
        if closure.asyncness.is_some() || closure.constness.is_some() {
            self.errors
                .spanned(closure, "a `.map` closure must be a plain closure");
            return self.poisoned();
        }
        // Captured locals are data: renamed to their versions here, and
        // required to be inactive.
        let mut body = (*closure.body).clone();
        let mut renamer = Renamer {
            lw: self,
            reads: Vec::new(),
            params: vec![v.to_string()],
            active: Vec::new(),
        };
        renamer.visit_expr_mut(&mut body);
        let (reads, active) = (renamer.reads, renamer.active);
        // The mapped value as written (`z`), or `m` for a computed one.
        let recv = match strip_parens(&mc.receiver) {
            syn::Expr::Path(p) => p.path.to_token_stream().to_string(),
            _ => "m".to_owned(),
        };
        for (span, name) in active {
            self.errors.at(
                span,
                format_args!(
                    "a `.map` closure may read only inactive values besides its element: `{name}` \
                     is active; apply it to the whole value with an operator, then map the \
                     result (`{recv}.add_scalar(-{name}).map(|{v}| ..)`, `({recv} * \
                     {name}).map(|{v}| ..)`)"
                ),
            );
        }
        let ty = ty.unwrap_or_else(|| syn::parse_quote!(f64));
        let item: syn::ItemFn = match crate::parse::float_of_in(&ty, self.reals) {
            // `|v: T|` with the function's float parameter `T`.
            Some(crate::parse::Float::Generic) => syn::parse_quote! {
                fn __ad_map<#ty: ::ad::Real>(#v: #ty) -> #ty { #body }
            },
            Some(_) => syn::parse_quote! {
                fn __ad_map(#v: #ty) -> #ty { #body }
            },
            None => {
                self.errors.spanned(
                    &ty,
                    "the element of a `.map` closure on an active value is a float: write \
                     `|v| ...` or name the float type (`|v: f64|`)",
                );
                return self.poisoned();
            }
        };
        let model =
            crate::parse::Model::from_syn(&item, &crate::parse::Options::default(), self.errors);
        // The closure's derivatives come from the `closures` stage.
        let prog = lower(&model, self.errors);
        let closure = ScalarClosure {
            source: quote!(|#v| #body),
            prog,
            reads,
        };
        let recv = self.lower_expr(&mc.receiver);
        let args = vec![Expr::Use(recv), Expr::Closure(Box::new(closure))];
        self.temp(Expr::La(MAP, args), true, mc.span())
    }

    pub(super) fn lower_la(
        &mut self,
        op: LaOp,
        args: &[&syn::Expr],
        name_span: Span,
        span: Span,
    ) -> Operand {
        if args.len() != op.active_args.len() {
            self.errors.at(
                name_span,
                format_args!(
                    "`{}` takes {} argument(s) besides the receiver",
                    op.module,
                    op.active_args.len() - 1
                ),
            );
            return self.poisoned();
        }
        let mut ops = Vec::new();
        for (a, &active) in args.iter().zip(op.active_args) {
            let x = self.lower_operand(a);
            if !active && self.is_varied(&x) {
                self.errors.spanned(
                    a,
                    format_args!(
                        "this argument of `{}` is an index: it cannot depend on active values",
                        op.module
                    ),
                );
            }
            ops.push(Expr::Use(x));
        }
        self.temp(Expr::La(op, ops), true, span)
    }
}

/// Marks the helpers' results `results` that the body computes with as
/// numbers (`Var::scalar`): without nalgebra values only numbers have
/// arithmetic. A number is passed to a call as it is, not copied (see
/// `lower_call_arg`), and saved as a word of the stream of saved values.
pub(super) fn known_numbers(prog: &mut Program, results: &HashSet<VarId>) {
    if prog.matrix {
        return;
    }
    let numbers = computed_with(prog, &prog.body.stmts);
    for v in results.iter().filter(|v| numbers.contains(v)) {
        prog.vars[*v].scalar = true;
    }
    let mut stmts = std::mem::take(&mut prog.body.stmts);
    uncopy_numbers(prog, &mut stmts);
    prog.body.stmts = stmts;
}

/// The variables `block` computes with: operands of arithmetic and of
/// elementary functions, added into a value or stored into an element.
fn computed_with(prog: &Program, block: &[Stmt]) -> HashSet<VarId> {
    let mut out = HashSet::default();
    let note = |e: &Expr, out: &mut HashSet<VarId>| {
        e.visit(&mut |e| match e {
            Expr::Neg(a) | Expr::Cast(a, _) => out.extend(a.as_var()),
            Expr::Bin(_, a, b) => out.extend(a.as_var().into_iter().chain(b.as_var())),
            Expr::Call(_, _, args) => out.extend(args.iter().filter_map(Expr::as_var)),
            _ => {}
        });
    };
    crate::ir::walk(block, &mut |s| match s {
        Stmt::Let { expr, .. } => note(expr, &mut out),
        Stmt::Assign {
            place, op, expr, ..
        } => {
            note(expr, &mut out);
            let number = match place {
                Place::Var(_) => *op != AssignOp::Set,
                // (A row of a 2-D array is not a number.)
                Place::Index(a, i) => !prog.vars[*a].nested || matches!(i, Expr::Tuple(_)),
                Place::Field(..) | Place::Member(..) => false,
            };
            if number {
                out.extend(expr.as_var());
            }
        }
        _ => {}
    });
    out
}

/// `g(clone(&s))` -> `g(s)` for a number `s`.
fn uncopy_numbers(prog: &Program, block: &mut [Stmt]) {
    for s in block {
        match s {
            Stmt::Let { expr, .. } | Stmt::Assign { expr, .. } => {
                if let Expr::Call2 { args, .. } = expr {
                    for a in args {
                        let number = match a {
                            Expr::Rule("clone", c) => {
                                c[0].as_var().filter(|v| prog.vars[*v].scalar)
                            }
                            _ => None,
                        };
                        if let Some(v) = number {
                            *a = Expr::var(v);
                        }
                    }
                }
            }
            Stmt::If { then, els, .. } => {
                uncopy_numbers(prog, then);
                uncopy_numbers(prog, els);
            }
            Stmt::Loop { body, .. } => uncopy_numbers(prog, body),
            _ => {}
        }
    }
}

/// `Ok`, `Err`, `Some`: constructors of `Result` and `Option` values.
fn is_wrapper_name(i: &syn::Ident) -> bool {
    matches!(i.to_string().as_str(), "Ok" | "Err" | "Some")
}
