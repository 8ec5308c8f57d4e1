//! What is not supported, found before lowering, with what to write instead.

use super::*;

impl Lowerer<'_> {
    pub(super) fn unsupported(&mut self, e: &syn::Expr) {
        let mut checker = Unsupported {
            errors: Vec::new(),
            inactive: false,
        };
        checker.visit_expr(e);
        if checker.errors.is_empty() {
            // `p.0`: at `.0`, which is the user's even when `p` stands for
            // an element the macro wrote (`v[i]` for `for p in v.iter()`,
            // whose span is the attribute's).
            if let syn::Expr::Field(
                f @ syn::ExprField {
                    member: syn::Member::Unnamed(_),
                    ..
                },
            ) = e
            {
                if tuple_member_message(e).is_some() {
                    // (`g(x).1`: the whole read, the call's span is the user's.)
                    self.errors.spanned(e, unsupported_message(e));
                    return;
                }
                let (dot, member) = (&f.dot_token, &f.member);
                self.errors
                    .spanned(quote!(#dot #member), unsupported_message(e));
                return;
            }
            self.errors.spanned(e, unsupported_message(e));
        } else {
            for err in checker.errors {
                self.errors.push(err);
            }
        }
    }

    /// An integer member `m` of a tuple of active values: one error.
    pub(super) fn report_integer_member(&mut self, m: &syn::Expr) {
        if !std::mem::replace(&mut self.integer_member, true) {
            self.errors.spanned(m, integer_member_message(m));
        }
    }
}

/// `g(x).1` (or `g(x).1[i]`), a member of a helper's tuple result: how to
/// bind it.
pub(super) fn tuple_member_message(e: &syn::Expr) -> Option<String> {
    let member = match strip_parens(e) {
        syn::Expr::Index(i) => strip_parens(&i.expr),
        e => e,
    };
    let syn::Expr::Field(f) = member else {
        return None;
    };
    let (syn::Member::Unnamed(k), syn::Expr::Call(_) | syn::Expr::MethodCall(_)) =
        (&f.member, strip_parens(&f.base))
    else {
        return None;
    };
    // (At least two members: `(m)` is not a tuple pattern.)
    let names: Vec<&str> = (0..=k.index.max(1))
        .map(|i| if i == k.index { "m" } else { "_" })
        .collect();
    let call = match strip_parens(&f.base) {
        syn::Expr::Call(c) => format!("{}(..)", c.func.to_token_stream()),
        _ => "g(..)".to_owned(),
    };
    Some(format!(
        "a member of a function's tuple result is read by binding the result first: \
         `let ({}) = {call};` (one name or `_` for each member), then use `m`",
        names.join(", "),
    ))
}

/// The first member of a tuple that is an integer by its syntax (`0`,
/// `0usize`, `t.1 + 1`, `i as usize`, `v.len()`): tuples of active values
/// hold floating-point values only.
pub(super) fn integer_member(t: &syn::ExprTuple) -> Option<&syn::Expr> {
    t.elems.iter().find(|e| is_integer(e))
}

pub(super) fn is_integer(e: &syn::Expr) -> bool {
    match strip_parens(e) {
        syn::Expr::Lit(l) => matches!(&l.lit, syn::Lit::Int(i)
            if !matches!(i.suffix(), "f32" | "f64")),
        syn::Expr::Cast(c) => matches!(&*c.ty, syn::Type::Path(p)
        if p.path.get_ident().is_some_and(|i| {
            crate::desugar::INTEGERS.contains(&i.to_string().as_str())
        })),
        syn::Expr::Binary(b) => is_integer_binary(b),
        syn::Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && is_integer(&u.expr),
        syn::Expr::MethodCall(m) => {
            m.args.is_empty() && matches!(m.method.to_string().as_str(), "len" | "count")
        }
        _ => false,
    }
}

/// `a + b`, `a % b`, ..: integer arithmetic when an operand is an integer.
pub(super) fn is_integer_binary(b: &syn::ExprBinary) -> bool {
    matches!(
        b.op,
        syn::BinOp::Add(_)
            | syn::BinOp::Sub(_)
            | syn::BinOp::Mul(_)
            | syn::BinOp::Div(_)
            | syn::BinOp::Rem(_)
    ) && (is_integer(&b.left) || is_integer(&b.right))
}

/// The error for an integer member `m` of a tuple of active values.
pub(super) fn integer_member_message(m: &syn::Expr) -> String {
    format!(
        "a tuple of active values holds floating-point values only, and `{}` is an \
         integer: keep it in a local of its own beside the tuple (`let mut n = 0usize;`, \
         then `n += 1;`), or make it a float (`0.0`, `i as f64`)",
        m.to_token_stream()
            .to_string()
            .replace(" . ", ".")
            .replace(" (", "(")
    )
}

/// What to say about an expression kind that is not supported on active values.
pub(super) fn unsupported_message(e: &syn::Expr) -> String {
    if let Some(m) = tuple_member_message(e) {
        return m;
    }
    let what = match e {
        syn::Expr::If(_) | syn::Expr::Match(_) => {
            "this `if` or `match` is not supported here: write it as a statement or as the value of a `let`"
        }
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) => {
            "a loop inside an expression is not supported: write it as a statement"
        }
        syn::Expr::Index(_) => {
            "indexing is supported on array variables (`x[i]`) and 2-D arrays (`a[r][c]`)"
        }
        syn::Expr::Field(f) if matches!(f.member, syn::Member::Unnamed(_)) => {
            "a tuple with active members inside an array or `Vec` (`v[k].1`, `for &(i, w) in &v`) is not supported: keep its members in separate arrays (`let idx = [..]; let w = vec![..];`) and index both with the same position"
        }
        syn::Expr::Field(_) => "fields are read by name from a parameter struct named in `wrt(...)` (`p.w`, `p.layer.b`, `p.v[i]`), whose type derives `ad::Differentiable`; an element of a `Vec` of structs is read by field in place (`p.layers[i].w`, `let l = &p.layers[i]; l.w` with `i` never `mut`, `for l in &p.layers { .. l.w .. }`, `p.layers.iter().map(|l| l.w)`); a field of another active value (a local struct, an element of a `Vec` of structs built in the function, a whole element `&p.layers[i]` passed on) is not supported: read its fields where it is used, keep one `Vec` per field, or pass the values as parameters",
        syn::Expr::Tuple(_) => {
            "tuples of active values are supported as results, in `let (a, b) = ..;` and in `(a, b) = (.., ..);`"
        }
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => {
            "array literals are supported as values of `let` (`let v = [a, b];`)"
        }
        syn::Expr::Reference(_) => {
            "references to active values are not supported: use the value itself"
        }
        syn::Expr::Struct(_) => "structs of active values are not supported yet",
        syn::Expr::Block(_) => "labelled blocks are not supported",
        _ => "this expression is not supported on active values in a differentiated function",
    };
    what.to_owned()
}

/// Reports constructs that are unsupported anywhere in a differentiated
/// function, with what to write instead.
pub(super) struct Unsupported {
    pub(super) errors: Vec<syn::Error>,
    /// The expression reads no active value: branches and blocks in it are
    /// kept verbatim (without `let`, which renaming does not follow).
    pub(super) inactive: bool,
}

impl Unsupported {
    fn err(&mut self, tokens: impl ToTokens, msg: &str) {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
    }

    /// The arguments of `println!`, `assert!`, `format!`, ..., kept
    /// verbatim: what inactive code may hold.
    fn check_observing(&mut self, mac: &syn::Macro) {
        let fmt_pos = observing(mac).unwrap_or(0);
        match macro_args(mac) {
            Ok(args) => {
                let mut inner = Unsupported {
                    errors: Vec::new(),
                    inactive: true,
                };
                for (k, a) in args.iter().enumerate() {
                    match a {
                        // A named argument of the format string.
                        syn::Expr::Assign(n) if k > fmt_pos => inner.visit_expr(&n.right),
                        a => inner.visit_expr(a),
                    }
                }
                self.errors.extend(inner.errors);
            }
            Err(_) => self.err(
                &mac.tokens,
                "write the arguments of this macro as expressions separated by commas",
            ),
        }
    }

    /// A call on inactive values with closure arguments, kept as written:
    /// visits the callee (or receiver) and the arguments, closures by their
    /// bodies. Whether it did.
    fn closures_kept<'ast>(
        &mut self,
        head: &'ast syn::Expr,
        args: &'ast syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
    ) -> bool {
        let closure = |a: &syn::Expr| matches!(strip_parens(a), syn::Expr::Closure(_));
        if !self.inactive || !args.iter().any(closure) {
            return false;
        }
        self.visit_expr(head);
        for a in args {
            match strip_parens(a) {
                syn::Expr::Closure(c) => self.visit_expr(&c.body),
                a => self.visit_expr(a),
            }
        }
        true
    }
}

impl<'ast> Visit<'ast> for Unsupported {
    // `q.map(|z| z.cos())` in code kept verbatim (on a value that reads no
    // active input, in a condition): the closure is kept too.
    // Iterator adapters on inactive values (`idx.iter().map(|&i| i * 2)`)
    // are kept as written, closures and all: their parameters are not
    // locals of the function.
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if !self.closures_kept(&m.receiver, &m.args) {
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    // The same for calls on inactive values (`DMatrix::from_fn(r, c, |i, j|
    // ..)` of data).
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if !self.closures_kept(&call.func, &call.args) {
            syn::visit::visit_expr_call(self, call);
        }
    }
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.err(
            c.or1_token,
            "closures are supported as local closures called directly (`let f = |v: f64| v * v; f(x)`), as arguments of iterator adapters (`x.iter().map(|v| v * v).sum::<f64>()`) and of `.map` on nalgebra values and arrays and nalgebra's `from_fn`; elsewhere write a separate function, or the expression inline",
        );
    }
    fn visit_expr_unsafe(&mut self, u: &'ast syn::ExprUnsafe) {
        self.err(
            u.unsafe_token,
            "`unsafe` blocks are not supported in a differentiated function: move the unsafe code out",
        );
    }
    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        self.err(
            a.async_token,
            "`async` blocks are not supported in a differentiated function",
        );
    }
    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        self.err(
            a.await_token,
            "`.await` is not supported in a differentiated function",
        );
    }
    fn visit_expr_try(&mut self, t: &'ast syn::ExprTry) {
        self.err(
            t.question_token,
            "the `?` operator is not supported in a differentiated function: handle the error before calling it",
        );
    }
    fn visit_expr_macro(&mut self, m: &'ast syn::ExprMacro) {
        if observing(&m.mac).is_some() {
            return self.check_observing(&m.mac);
        }
        // `vec![0.5, 1.0]` in code kept verbatim (its locals renamed).
        if self.inactive && m.mac.path.is_ident("vec") {
            let tokens = &m.mac.tokens;
            if let Ok(e) = syn::parse2::<syn::Expr>(quote!([#tokens])) {
                return self.visit_expr(&e);
            }
        }
        self.err(&m.mac, &super::expr::macro_message(&m.mac));
    }
    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        if observing(&m.mac).is_some() {
            self.check_observing(&m.mac);
        }
    }
    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        if self.inactive {
            syn::visit::visit_expr_if(self, e);
        } else {
            self.err(
                e.if_token,
                "an `if` inside an expression is not supported here: bind its value with `let` first",
            );
        }
    }
    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        if self.inactive {
            syn::visit::visit_expr_match(self, e);
        } else {
            self.err(
                e.match_token,
                "a `match` inside an expression is not supported here: bind its value with `let` first",
            );
        }
    }
    fn visit_local(&mut self, l: &'ast syn::Local) {
        // A closure inlined where its statements cannot go first (in a
        // `while` condition) binds fresh names, which renaming need not
        // follow.
        if self.inactive
            && matches!(&l.pat, syn::Pat::Ident(i) if i.ident.to_string().starts_with("__ad_"))
        {
            return syn::visit::visit_local(self, l);
        }
        self.err(
            l,
            "`let` (also the one an `if let Some(v) = o` stands for) inside a block that reads no active value is not supported: compute the value with statements before this expression (`let v = ..;`, then read `v`), or match a parameter by its name (`let w = match weights { Some(w) => w[i], None => 1.0 };`)",
        );
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.err(
            e.for_token,
            "a loop inside an expression is not supported: write it as a statement",
        );
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.err(
            e.while_token,
            "a loop inside an expression is not supported: write it as a statement",
        );
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.err(
            e.loop_token,
            "a loop inside an expression is not supported: write it as a statement",
        );
    }
    fn visit_expr_block(&mut self, e: &'ast syn::ExprBlock) {
        if let Some(l) = &e.label {
            self.err(
                &l.name,
                "labelled blocks are not supported: write a `loop` used as a value (`let r = 'a: loop { .. break 'a v; };`)",
            );
        } else if self.inactive {
            syn::visit::visit_expr_block(self, e);
        } else {
            self.err(e, "this block is not supported here");
        }
    }
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.err(
            e,
            "assignments inside expressions are not supported: write them as statements",
        );
    }
    fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
        self.err(
            e,
            "`return` inside an expression is not supported: bind the `if` or `match` it is in with `let` first (`let v = if c { a } else { return b; };`), or use an `if` statement",
        );
    }
    fn visit_expr_break(&mut self, e: &'ast syn::ExprBreak) {
        self.err(
            e,
            "`break` inside an expression is not supported: bind the `if` or `match` it is in with `let` first (`let v = if c { a } else { break; };`), or use an `if` statement",
        );
    }
    fn visit_expr_continue(&mut self, e: &'ast syn::ExprContinue) {
        self.err(
            e,
            "`continue` inside an expression is not supported: bind the `if` or `match` it is in with `let` first (`let v = if c { a } else { continue; };`), or use an `if` statement",
        );
    }
    fn visit_expr_yield(&mut self, e: &'ast syn::ExprYield) {
        self.err(e, "`yield` is not supported in a differentiated function");
    }
    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.err(
            e,
            "`let` expressions are not supported in a differentiated function",
        );
    }
}

/// What to write instead of splitting an active array into two borrowed
/// halves (`let (h, c) = state.split_at_mut(b);`), which the macro cannot
/// follow as buffers.
pub(super) fn split_message(method: &str) -> Option<&'static str> {
    if method == "split_at" {
        return Some(
            "splitting an active slice with `split_at` is not supported: take the halves as \
             sub-slices, `let a = &x[..mid]; let b = &x[mid..];`, or pass them to the helper \
             as they are, `g(&x[..mid]) + g(&x[mid..])`",
        );
    }
    matches!(method, "split_at_mut").then_some(
        "splitting an active array into two borrowed halves (`split_at_mut`) is \
         not supported: pass the whole buffer and the split point to the helper, which \
         indexes both halves (`g(&mut state, b, x)` with `state[i]` and `state[b + i]`), or \
         keep the halves in two arrays (`g(&mut h, &mut c, x)`); a single range is passed \
         as `&mut state[..b]` or `&x[b..]`",
    )
}
