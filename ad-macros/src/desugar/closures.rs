//! Local closures (`let sq = |v: f64| v * v;`), inlined at their calls:
//! `sq(x[i])` becomes `x[i] * x[i]`, an argument that is not a plain place
//! being bound first (`let __ad_a1 = ..;`). A closure passed to an iterator
//! adapter (`.map(sq)`) is put there as written, for `iter.rs`.
//!
//! Inlining is what Rust does for an `Fn` or `FnMut` closure, as long as the
//! names it captures mean at the call what they meant at its definition:
//! a capture bound again by a later `let` is reported, and so is a `move`
//! closure whose captures are assigned after it.

use super::subst::{group, pat_names, Subst};
use super::*;

pub(super) struct Local {
    closure: syn::ExprClosure,
    /// The names its body reads (a superset of its captures).
    captures: Vec<String>,
    /// A capture bound again after the closure (by a `let`, or by a `for`
    /// or a `match` arm enclosing the call), and what binds it.
    shadowed: Option<(String, &'static str)>,
}

/// Every identifier in `e` but field and method names (`p.w`, `v.len()`),
/// the names in macro arguments too: a superset of the names it reads.
pub(super) fn names_in(e: &syn::Expr) -> Vec<String> {
    fn walk(t: TokenStream, out: &mut Vec<String>) {
        // (The two tokens before: `.` after a value, not `..` of a range.)
        let mut before: [Option<char>; 2] = [None, None];
        for tt in t {
            let punct = match &tt {
                proc_macro2::TokenTree::Punct(p) => Some(p.as_char()),
                _ => None,
            };
            match tt {
                proc_macro2::TokenTree::Ident(i) if before != [Some('.'), None] => {
                    let s = i.unraw().to_string();
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
            before = [punct, before[0]];
        }
    }
    let mut out = Vec::new();
    walk(e.to_token_stream(), &mut out);
    out
}

/// The names a closure's body reads from outside it (a superset: every
/// identifier not bound there by a parameter, a `let`, a pattern).
fn captures(c: &syn::ExprClosure) -> Vec<String> {
    // Each candidate replaced by a marker where it is not bound in the body
    // (`Subst` follows the scopes): the markers left are the captures.
    let marker = |n: &str| format!("__ad_free_{n}");
    let map = names_in(&c.body)
        .iter()
        .map(|n| {
            let m = syn::Ident::new(&marker(n), Span::call_site());
            (n.clone(), syn::parse_quote!(#m))
        })
        .collect();
    let mut c = c.clone();
    Subst::new(map).visit_expr_closure_mut(&mut c);
    names_in(&syn::Expr::Closure(c))
        .into_iter()
        .filter_map(|n| n.strip_prefix("__ad_free_").map(str::to_string))
        .collect()
}

/// Whether every use of `name` in `stmts` is a call (`f(a)`) or an argument
/// (`.map(f)`).
fn only_called(name: &str, stmts: &[syn::Stmt]) -> bool {
    struct Uses<'a> {
        name: &'a str,
        bad: bool,
    }
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if !matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident(self.name)) {
                self.visit_expr(&c.func);
            }
            // `DMatrix::from_fn(r, c, f)`: rewritten with `f` inlined.
            let from_fn = matches!(&*c.func, syn::Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "from_fn"));
            for a in &c.args {
                if !(from_fn && matches!(a, syn::Expr::Path(p) if p.path.is_ident(self.name))) {
                    self.visit_expr(a);
                }
            }
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.visit_expr(&m.receiver);
            for a in &m.args {
                if !matches!(a, syn::Expr::Path(p) if p.path.is_ident(self.name)) {
                    self.visit_expr(a);
                }
            }
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            self.bad |= p.path.is_ident(self.name);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut u = Uses { name, bad: false };
    for s in stmts {
        u.visit_stmt(s);
    }
    !u.bad
}

/// Names assigned (`a = ..`, `a += ..`) in `stmts`.
pub(super) fn assigned(stmts: &[syn::Stmt]) -> Vec<String> {
    struct A(Vec<String>);
    impl A {
        fn target(&mut self, e: &syn::Expr) {
            match e {
                syn::Expr::Path(p) => {
                    if let Some(i) = p.path.get_ident() {
                        self.0.push(i.unraw().to_string());
                    }
                }
                syn::Expr::Index(i) => self.target(&i.expr),
                syn::Expr::Field(f) => self.target(&f.base),
                syn::Expr::Paren(p) => self.target(&p.expr),
                syn::Expr::Unary(u) => self.target(&u.expr),
                syn::Expr::Tuple(t) => t.elems.iter().for_each(|e| self.target(e)),
                _ => {}
            }
        }
    }
    impl<'ast> Visit<'ast> for A {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.target(&a.left);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if matches!(
                b.op,
                syn::BinOp::AddAssign(_)
                    | syn::BinOp::SubAssign(_)
                    | syn::BinOp::MulAssign(_)
                    | syn::BinOp::DivAssign(_)
                    | syn::BinOp::RemAssign(_)
            ) {
                self.target(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            if r.mutability.is_some() {
                self.target(&r.expr);
            }
            syn::visit::visit_expr_reference(self, r);
        }
    }
    let mut a = A(Vec::new());
    for s in stmts {
        a.visit_stmt(s);
    }
    a.0
}

/// An argument substituted as it is: a place or a literal.
fn simple(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Path(_) | syn::Expr::Lit(_) => true,
        syn::Expr::Paren(p) => simple(&p.expr),
        syn::Expr::Group(g) => simple(&g.expr),
        syn::Expr::Field(f) => simple(&f.base),
        syn::Expr::Index(i) => simple(&i.expr) && simple(&i.index),
        syn::Expr::Reference(r) => simple(&r.expr),
        syn::Expr::Unary(u) => simple(&u.expr),
        _ => false,
    }
}

impl Desugar<'_> {
    /// Records `let f = |..| ..;` when every later use of `f` is a call or
    /// an argument; then the statement goes.
    pub(super) fn define_closure(&mut self, stmt: &syn::Stmt, rest: &[syn::Stmt]) -> bool {
        let syn::Stmt::Local(l) = stmt else {
            return false;
        };
        let (Some(name), Some(init)) = (simple_binding(&l.pat), &l.init) else {
            return false;
        };
        let syn::Expr::Closure(c) = &*init.expr else {
            return false;
        };
        if init.diverge.is_some() || !only_called(&name.unraw().to_string(), rest) {
            return false;
        }
        if let Some(ret) = super::nalgebra::return_in(&c.body) {
            self.error(
                &ret,
                "`return` in a local closure is not supported: write the closure's value as its last expression",
            );
            return true;
        }
        let captures = captures(c);
        if c.capture.is_some() {
            if let Some(a) = assigned(rest).into_iter().find(|a| captures.contains(a)) {
                self.error(
                    c.capture,
                    format_args!(
                        "this `move` closure captures `{a}`, which is assigned after it: the \
                         closure keeps its own copy, which the differentiated code cannot follow; \
                         pass `{a}` as an argument of the closure, or drop `move`"
                    ),
                );
                return true;
            }
        }
        self.closures.last_mut().expect("a scope is open").insert(
            name.unraw().to_string(),
            Local {
                closure: c.clone(),
                captures,
                shadowed: None,
            },
        );
        true
    }

    /// After `stmt`: a `let` binding a closure's name ends the closure; one
    /// binding a name a closure captures makes later calls wrong to inline;
    /// one binding a parameter's name shadows the parameter.
    pub(super) fn note_bindings(&mut self, stmt: &syn::Stmt) {
        let syn::Stmt::Local(l) = stmt else {
            return;
        };
        for n in pat_names(&l.pat) {
            if self.params.contains_key(&n) {
                if let Some(scope) = self.shadowed.last_mut() {
                    scope.insert(n.clone());
                }
            }
            for scope in &mut self.closures {
                scope.remove(&n);
                for c in scope.values_mut() {
                    if c.shadowed.is_none() && c.captures.contains(&n) {
                        c.shadowed = Some((n.clone(), "a `let` after the closure"));
                    }
                }
            }
        }
    }

    /// Runs `f` (the body of a `for` loop, a `match` arm) with the closures
    /// in scope that capture a name of `names`, which it binds again, marked
    /// as shadowed by `by`: a call there is reported, not inlined to read
    /// the new binding.
    pub(super) fn binding<R>(
        &mut self,
        names: &[String],
        by: &'static str,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let mut marked = Vec::new();
        for (k, scope) in self.closures.iter_mut().enumerate() {
            for (name, c) in scope.iter_mut() {
                if c.shadowed.is_some() {
                    continue;
                }
                // (`None`, `MAX`: a variant or a constant, not a binding.)
                let binds = |n: &&String| !n.starts_with(|c: char| c.is_ascii_uppercase());
                if let Some(n) = names.iter().filter(binds).find(|n| c.captures.contains(n)) {
                    c.shadowed = Some((n.clone(), by));
                    marked.push((k, name.clone()));
                }
            }
        }
        let r = f(self);
        for (k, name) in marked {
            if let Some(c) = self.closures.get_mut(k).and_then(|s| s.get_mut(&name)) {
                c.shadowed = None;
            }
        }
        r
    }

    /// The closure named by a path, if it is a local closure in scope.
    pub(super) fn closure_of(&self, e: &syn::Expr) -> Option<&Local> {
        let syn::Expr::Path(p) = e else {
            return None;
        };
        let name = p.path.get_ident()?.unraw().to_string();
        self.closures.iter().rev().find_map(|s| s.get(&name))
    }

    /// The closure itself, for `.map(f)` with a local `f`.
    pub(super) fn closure_expr(&mut self, e: &syn::Expr) -> Option<syn::ExprClosure> {
        let c = self.closure_of(e)?;
        let (closure, shadowed) = (c.closure.clone(), c.shadowed.clone());
        if let Some((n, by)) = shadowed {
            let msg = shadow_message(e, &n, by);
            self.error(e, msg);
        }
        Some(closure)
    }

    /// `f(a, b)` for a local closure `f`: its body, with the parameters
    /// replaced by the arguments.
    pub(super) fn inline_call(
        &mut self,
        e: &syn::Expr,
        pre: &mut Vec<syn::Stmt>,
        eager: bool,
        hint: Option<&syn::Type>,
    ) -> Option<syn::Expr> {
        let syn::Expr::Call(call) = e else {
            return None;
        };
        let local = self.closure_of(&call.func)?;
        let c = local.closure.clone();
        if let Some((n, by)) = local.shadowed.clone() {
            let msg = shadow_message(&call.func, &n, by);
            self.error(&call.func, msg);
            return Some(syn::parse_quote!(0.0));
        }
        if c.inputs.len() != call.args.len() {
            self.error(
                call,
                format_args!(
                    "this closure takes {} argument(s), {} given",
                    c.inputs.len(),
                    call.args.len()
                ),
            );
            return Some(syn::parse_quote!(0.0));
        }
        let mut lets = Vec::new();
        let mut items = Vec::new();
        for (pat, arg) in c.inputs.iter().zip(&call.args) {
            let ty = match pat {
                syn::Pat::Type(t) => Some((*t.ty).clone()),
                _ => None,
            };
            // (A literal keeps the parameter's type: `sq(2.0)` with
            // `|v: f64|` binds `let __ad_a: f64 = 2.0;`.)
            let literal = matches!(arg, syn::Expr::Lit(_));
            let arg = if simple(arg) && !(literal && ty.is_some()) {
                arg.clone()
            } else {
                let a = self.fresh("a", span_of(arg));
                let ty = ty.map(|t| quote!(: #t));
                lets.push(syn::parse_quote!(let #a #ty = #arg;));
                syn::parse_quote!(#a)
            };
            items.push(iter::Item::Value(arg));
        }
        let mut map = HashMap::default();
        for (pat, item) in c.inputs.iter().zip(items) {
            if let Err(err) = iter::bind(pat, item, &mut map, &mut lets) {
                self.errors.push(err);
                return Some(syn::parse_quote!(0.0));
            }
        }
        let (mut stmts, tail) = match &*c.body {
            syn::Expr::Block(b) if b.label.is_none() => {
                let mut stmts = b.block.stmts.clone();
                match stmts.pop() {
                    Some(syn::Stmt::Expr(t, None)) => (stmts, t),
                    Some(s) => {
                        stmts.push(s);
                        (stmts, syn::parse_quote!(()))
                    }
                    None => (stmts, syn::parse_quote!(())),
                }
            }
            // `|v| acc += v * v`: a statement; the closure returns `()`.
            body @ syn::Expr::Assign(_) => (vec![syn::parse_quote!(#body;)], syn::parse_quote!(())),
            syn::Expr::Binary(b) if crate::lower::is_compound_assign(&b.op) => {
                let body = &c.body;
                (vec![syn::parse_quote!(#body;)], syn::parse_quote!(()))
            }
            body => (Vec::new(), body.clone()),
        };
        stmts.push(syn::Stmt::Expr(tail, None));
        self.substitute(map, &mut stmts);
        // (The body lands in the caller's scope, and so do the `let mut v`
        // of `|mut v|`.)
        lets.extend(stmts);
        self.rename_lets(&mut lets);
        // (The body's locals, renamed, may hold active values, from the
        // arguments: `taint` saw the closure's parameters, not them.)
        let tainted = std::mem::take(&mut self.tainted);
        self.tainted = super::taint::taint_in(tainted, &lets);
        // A sub-slice argument (`f(&x[1..])`), bound above, is a view of
        // its parent in the body. The body is desugared as a block of the
        // caller's (its chains, loops and closures too), once.
        let lets = self.prepared(lets);
        let mut lets = self.scoped(lets, hint.cloned());
        let tail = match lets.pop() {
            Some(syn::Stmt::Expr(t, None)) if !is_loop(&t) => t,
            // (A loop as the tail, or the statements a `for` loop
            // stands for: statements, of value `()`.)
            Some(s) => {
                lets.push(s);
                syn::parse_quote!(())
            }
            None => syn::parse_quote!(()),
        };
        if lets.is_empty() {
            return Some(group(tail));
        }
        if eager {
            pre.extend(lets);
            return Some(group(tail));
        }
        // (Lowering has no loop inside an expression.)
        if lets.iter().any(has_loop) {
            self.error(
                call,
                format_args!(
                    "the body of the closure `{}` has a loop (its own or an iterator chain's), \
                     and this call is evaluated only sometimes (the right of `&&` or `||`, a \
                     `while` condition, a closure): compute its value in a statement before \
                     (`let v = {};`) and use `v` here",
                    call.func.to_token_stream(),
                    call.to_token_stream(),
                ),
            );
            return Some(syn::parse_quote!(0.0));
        }
        Some(syn::parse_quote!({ #(#lets)* #tail }))
    }

    /// Replaces the names of `map` by their expressions in `stmts`, after
    /// renaming the bindings there of the names those expressions read
    /// (`hygiene.rs`).
    pub(super) fn substitute(&mut self, map: HashMap<String, syn::Expr>, stmts: &mut [syn::Stmt]) {
        let free = super::hygiene::free_names(map.values());
        super::hygiene::freshen(stmts, &free, &mut |i| self.fresh("l", i.span()));
        Subst::new(map).block(stmts);
    }

    /// Gives the names a block's `let`s bind fresh names (an inlined body
    /// lands in the caller's scope). Names made by the macro stay.
    pub(super) fn rename_lets(&mut self, stmts: &mut [syn::Stmt]) {
        for k in 0..stmts.len() {
            let (syn::Stmt::Local(l), rest) = stmts[k..].split_first_mut().expect("k < len") else {
                continue;
            };
            let mut map = super::hygiene::rename_pat(&mut l.pat, None, &mut |i| {
                if i.to_string().starts_with("__ad_") {
                    i.clone()
                } else {
                    self.fresh("l", i.span())
                }
            });
            map.retain(|k, _| !k.starts_with("__ad_"));
            Subst::new(map).block(rest);
        }
    }
}

fn is_loop(e: &syn::Expr) -> bool {
    matches!(
        e,
        syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_)
    )
}

/// Whether `s` holds a loop (not in a closure).
fn has_loop(s: &syn::Stmt) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.0 |= is_loop(e);
            if !self.0 {
                syn::visit::visit_expr(self, e);
            }
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Find(false);
    f.visit_stmt(s);
    f.0
}

fn shadow_message(f: &syn::Expr, n: &str, by: &str) -> String {
    format!(
        "the closure `{}` reads `{n}`, which {by} binds again: the closure \
         sees the earlier `{n}`, which the differentiated code cannot follow; rename one of \
         them, or pass the value as an argument of the closure",
        f.to_token_stream()
    )
}
