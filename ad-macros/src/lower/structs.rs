//! Fields of parameter structs: `p.w`, `&p.w`, `p.layer.b`, `p.v[i]` for a
//! struct `p` named in `wrt(...)` (its type derives `Differentiable`).
//!
//! Each field that active code reads is bound once, at the top of the body,
//! to a borrow (`let p_w = &p.w;`, an [`Expr::Member`]) and used as a
//! borrowed parameter of its own would be: its tangent is `&dp.w`, and its
//! cotangent is added to `p_bar.w`. The macro does not see the field's type:
//! code on a parameter struct is generated as code on nalgebra values is,
//! through rules that rustc picks by type (`Program::matrix`).

use super::*;
use quote::quote_spanned;

/// A step of a field path: `.w` or `[i]`.
enum Step<'a> {
    Field(&'a syn::Member),
    Index(&'a syn::Expr),
}

impl Lowerer<'_> {
    /// `p.w` (or `p.a.b`) of an active parameter struct: the variable bound
    /// to `&p.w`; `p.layers[i].w` (a field of an element of a `Vec` or array
    /// of structs) and `s.x` of a local struct: a borrow where it is read,
    /// since `i` and `s` change. `None` when the base is not a struct.
    pub(super) fn lower_member(&mut self, f: &syn::ExprField) -> Option<Operand> {
        let mut steps = vec![Step::Field(&f.member)];
        self.lower_steps(&mut steps, &f.base, f.span())
    }

    /// `s.d[i]` of a local struct: the element, copied where it is read
    /// (its cotangent added into `s_bar.d[i]`); so is `n.layers[k].b[r]`,
    /// an element of a field of an element (not a copy of the whole field
    /// per read, and its cotangent not a zero of the whole field).
    pub(super) fn lower_local_element(&mut self, ix: &syn::ExprIndex) -> Option<Operand> {
        let syn::Expr::Field(f) = strip_parens(&ix.expr) else {
            return None;
        };
        let s = match self.struct_of_field(f) {
            Some(s) => s,
            None => self.local_struct_below(&f.base)?,
        };
        if self.structs.contains(&s) {
            return None; // `p.w[i]`: an element of the bound field `p_w`
        }
        let mut steps = vec![Step::Index(&ix.index), Step::Field(&f.member)];
        self.lower_steps(&mut steps, &f.base, ix.span())
    }

    /// The field path `steps` (innermost last) below `base`.
    fn lower_steps<'s>(
        &mut self,
        steps: &mut Vec<Step<'s>>,
        mut base: &'s syn::Expr,
        span: Span,
    ) -> Option<Operand> {
        let (p, root) = loop {
            match strip_parens(base) {
                syn::Expr::Field(inner) => {
                    steps.push(Step::Field(&inner.member));
                    base = &inner.base;
                }
                syn::Expr::Index(ix) => {
                    steps.push(Step::Index(&ix.index));
                    base = &ix.expr;
                }
                syn::Expr::Path(path) => break (self.local_of(path)?, path),
                _ => return None,
            }
        };
        steps.reverse();
        let steps = &*steps;
        // A path starts with a field (`p.layers[i]`; not `v[i].x`).
        if !matches!(steps.first(), Some(Step::Field(_))) {
            return None;
        }
        let indexed = steps.iter().any(|s| matches!(s, Step::Index(_)));
        let param = self.structs.contains(&p);
        if !param || indexed {
            if !param && (!self.prog.matrix || matches!(self.prog.vars[p].kind, VarKind::Param(_)))
            {
                return None;
            }
            let path = self.member_path(steps)?;
            return Some(self.member_here(p, path, span));
        }
        let members: Vec<&syn::Member> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Field(m) => Some(*m),
                Step::Index(_) => None,
            })
            .collect();
        let key = members
            .iter()
            .map(|m| member_name(m))
            .collect::<Vec<_>>()
            .join(".");
        if let Some(&v) = self.members.get(&(p, key.clone())) {
            return Some(Operand::Var(v));
        }
        let base = format!("{}_{}", self.prog.name(p), key.replace('.', "_"));
        let name = self.prog.names.fresh(&base, span);
        let v = self.new_var(name, VarKind::Local, true);
        self.prog.vars[v].by_ref = true;
        self.prog.vars[v].borrowed = true;
        self.prog.vars[v].field = true;
        // Read as a 2-D array somewhere in the body (`p.w[r][c]`).
        let root = root.path.get_ident().map(|i| i.unraw().to_string());
        if root.is_some_and(|r| self.nested_fields.contains(&format!("{r}.{key}"))) {
            self.prog.vars[v].array = true;
            self.prog.vars[v].nested = true;
        }
        let tokens = quote!(#(#members).*);
        self.member_lets.push(Stmt::Let {
            var: v,
            ty: None,
            expr: Expr::Member(
                p,
                MemberPath {
                    tokens,
                    reads: vec![],
                },
            ),
            span,
        });
        self.members.insert((p, key), v);
        Some(Operand::Var(v))
    }

    /// The path of the steps, its indices inactive code (`layers[i].w`).
    fn member_path(&mut self, steps: &[Step]) -> Option<MemberPath> {
        let mut tokens = TokenStream::new();
        let mut reads = Vec::new();
        for (k, step) in steps.iter().enumerate() {
            match step {
                Step::Field(m) => {
                    if k > 0 {
                        tokens.extend(quote!(.));
                    }
                    tokens.extend(quote!(#m));
                }
                Step::Index(e) => {
                    if self.mentions_varied_beyond_fields(e) {
                        self.errors.spanned(e, super::assign::INDEX_OF_ACTIVE);
                        return None;
                    }
                    let (index, r) = self.opaque_tokens(e)?;
                    tokens.extend(quote!([#index]));
                    reads.extend(r);
                }
            }
        }
        Some(MemberPath { tokens, reads })
    }

    /// A field read where it is: of a parameter struct's element
    /// (`p.layers[i].w`) a borrow, as the parameter does not change; of a
    /// local struct (`s.x`) a copy, as the local may be overwritten later
    /// while the reverse sweep still reads the value.
    fn member_here(&mut self, v: VarId, path: MemberPath, span: Span) -> Operand {
        let varied = self.var_varied(v);
        if !self.structs.contains(&v) {
            let copy = Expr::Rule("clone", vec![Expr::Member(v, path.clone())]);
            let op = self.temp(copy, varied, span);
            if let Operand::Var(t) = op {
                self.prog.vars[t].field = true;
                self.prog.vars[t].field_of = Some((v, path));
            }
            return op;
        }
        let op = self.temp(Expr::Member(v, path), varied, span);
        if let Operand::Var(t) = op {
            self.prog.vars[t].by_ref = true;
            self.prog.vars[t].borrowed = true;
            self.prog.vars[t].field = true;
        }
        op
    }

    /// The struct whose field (or field of a field) this is: a parameter
    /// struct, or a local (`s.x` of `let s = step(&s0, dt);`).
    pub(super) fn struct_of_field(&self, f: &syn::ExprField) -> Option<VarId> {
        let mut base = &*f.base;
        loop {
            match strip_parens(base) {
                syn::Expr::Field(inner) => base = &inner.base,
                syn::Expr::Path(path) => {
                    return self.local_of(path).filter(|v| {
                        self.structs.contains(v)
                            || (self.prog.matrix
                                && !matches!(self.prog.vars[*v].kind, VarKind::Param(_)))
                    })
                }
                _ => return None,
            }
        }
    }

    /// The local struct at the root of a path of fields and elements
    /// (`n` of `n.layers[k]`), in code on structs (`Program::matrix`).
    fn local_struct_below(&self, mut base: &syn::Expr) -> Option<VarId> {
        loop {
            match strip_parens(base) {
                syn::Expr::Field(inner) => base = &inner.base,
                syn::Expr::Index(inner) => base = &inner.expr,
                syn::Expr::Path(path) => {
                    return self.local_of(path).filter(|v| {
                        self.prog.matrix && !matches!(self.prog.vars[*v].kind, VarKind::Param(_))
                    })
                }
                _ => return None,
            }
        }
    }

    /// `p.steps as f64`: a configuration count of a parameter struct read
    /// as a number, a constant (`count_as`, which accepts integers only:
    /// a float field is read as it is, its derivative flowing through it).
    /// So is `m as f64` after `let m = p.layers[i].steps;`: `m` names the
    /// field's borrow, which the count reads through (`let n = p.steps;`
    /// is substituted before lowering, `desugar/fields.rs`).
    pub(super) fn lower_count(&mut self, c: &syn::ExprCast) -> Option<Operand> {
        crate::parse::float_of_in(&c.ty, self.reals)?;
        let (field, reads) = match strip_parens(&c.expr) {
            syn::Expr::Field(f) => {
                self.struct_of_field(f)?;
                let (field, reads) = self.opaque_tokens(&c.expr)?;
                (quote!(&#field), reads)
            }
            syn::Expr::Path(p) => {
                let v = self.local_of(p).filter(|&v| self.is_field_borrow(v))?;
                let name = self.prog.name(v);
                (quote!(#name), vec![v])
            }
            // `(p.steps * p.count) as f64`: integer arithmetic of fields.
            e @ syn::Expr::Binary(_) if self.field_arithmetic(e) => {
                let (value, reads) = self.opaque_tokens(e)?;
                (quote!(&(#value)), reads)
            }
            _ => return None,
        };
        let ty = &c.ty;
        let count = quote_spanned!(c.span()=> __rt::count_as::<#ty, _>(#field));
        Some(self.temp(Expr::Opaque(count, reads), false, c.span()))
    }

    /// `p.steps * p.count`, `p.n - 1`: arithmetic (`+ - * / %`) of fields
    /// of parameter structs and integer literals, a field in it.
    fn field_arithmetic(&self, e: &syn::Expr) -> bool {
        fn walk(lw: &Lowerer<'_>, e: &syn::Expr, field: &mut bool) -> bool {
            match strip_parens(e) {
                syn::Expr::Binary(b) => {
                    matches!(
                        b.op,
                        syn::BinOp::Add(_)
                            | syn::BinOp::Sub(_)
                            | syn::BinOp::Mul(_)
                            | syn::BinOp::Div(_)
                            | syn::BinOp::Rem(_)
                    ) && walk(lw, &b.left, field)
                        && walk(lw, &b.right, field)
                }
                syn::Expr::Field(f) if lw.struct_of_field(f).is_some() => {
                    *field = true;
                    true
                }
                syn::Expr::Lit(l) => matches!(&l.lit, syn::Lit::Int(i)
                    if !matches!(i.suffix(), "f32" | "f64")),
                _ => false,
            }
        }
        let mut field = false;
        walk(self, e, &mut field) && field
    }

    /// `State { x: a, v: b * x }`: a struct built from active values (its
    /// type derives `Differentiable`). Every field is named: `..base`
    /// would copy fields the macro cannot see.
    pub(super) fn lower_struct_lit(&mut self, s: &syn::ExprStruct) -> Operand {
        if let Some(rest) = &s.rest {
            self.errors.spanned(
                rest,
                "`..base` in a struct built from active values is not supported: name every field",
            );
            return self.poisoned();
        }
        if s.qself.is_some() {
            self.errors
                .spanned(&s.path, "name the struct by its path (`State { .. }`)");
            return self.poisoned();
        }
        let mut fields = Vec::new();
        for f in &s.fields {
            let op = self.lower_expr(&f.expr);
            let value = self.copied(op);
            fields.push((f.member.to_token_stream(), value));
        }
        let path = s.path.to_token_stream();
        self.temp(Expr::Struct(path, fields), true, s.span())
    }

    /// `p.v` in `&p.v[a..b]`: the borrowed field, sub-sliced like an array.
    pub(super) fn lower_field_array(&mut self, e: &syn::Expr) -> Option<VarId> {
        let syn::Expr::Field(f) = strip_parens(e) else {
            return None;
        };
        match self.lower_member(f)? {
            Operand::Var(v) => {
                self.prog.vars[v].array = true;
                Some(v)
            }
            Operand::Const(_) => None,
        }
    }

    /// `Affine(a, [b, c])`: a tuple struct built from active values (a
    /// call of a name in `UpperCamelCase`), as `Affine { 0: a, 1: [b, c] }`.
    pub(super) fn lower_tuple_struct_lit(&mut self, c: &syn::ExprCall) -> Option<Operand> {
        let syn::Expr::Path(p) = strip_parens(&c.func) else {
            return None;
        };
        let last = p.path.segments.last()?;
        if p.qself.is_some() || !self.prog.matrix || !is_tuple_struct_name(&last.ident) {
            return None;
        }
        let mut fields = Vec::new();
        for (k, a) in c.args.iter().enumerate() {
            let op = self.lower_expr(a);
            let value = self.copied(op);
            let member = syn::Index::from(k);
            fields.push((quote!(#member), value));
        }
        let path = p.path.to_token_stream();
        Some(self.temp(Expr::Struct(path, fields), true, c.span()))
    }

    /// Whether a variable is a borrow of a struct's field.
    pub(super) fn is_field_borrow(&self, v: VarId) -> bool {
        self.prog.vars[v].is_field_borrow()
    }

    /// A scalar field read by value (`p.k.sin()`): a copy of the borrowed
    /// field, which elementary functions and their rules take by value.
    pub(super) fn member_value(&mut self, op: Operand, span: Span) -> Operand {
        if matches!(op, Operand::Var(v) if self.is_field_borrow(v)) {
            self.temp(Expr::Rule("clone", vec![Expr::Use(op)]), true, span)
        } else {
            op
        }
    }
}

/// A name in `UpperCamelCase` called like a function: a tuple struct (not
/// `Some`, `Ok`, `Err`, whose values are not differentiated).
pub(super) fn is_tuple_struct_name(ident: &syn::Ident) -> bool {
    let name = ident.to_string();
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && !matches!(name.as_str(), "Some" | "Ok" | "Err")
}

/// Methods that copy their receiver (`p.clone()`), not calls of a
/// differentiated method.
pub(super) fn is_copy_method(name: &str) -> bool {
    matches!(name, "clone" | "to_owned" | "to_vec")
}

/// A field's name as written (`w`, `0`).
fn member_name(m: &syn::Member) -> String {
    match m {
        syn::Member::Named(i) => i.unraw().to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}
