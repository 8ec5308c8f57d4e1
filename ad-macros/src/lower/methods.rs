//! Calls of differentiated methods on receivers of the user's types: `self`,
//! an active parameter struct, or an inactive value of a user type (a
//! parameter left out of `wrt`, a local built by `S { .. }`, `S::new(..)`,
//! `Self::default()`), passed through as it is; and what is said of a
//! method the macro cannot place.

use super::*;

/// Names like user types' that are not, besides the containers the macro
/// looks into ([`crate::inactive::CONTAINERS`]) and nalgebra's types.
const NOT_USER: &[&str] = &[
    "HashSet", "BTreeSet", "String", "Result", "Cow", "Range", "Some", "Ok", "Err", "None",
];

impl Lowerer<'_> {
    /// Whether `name` (the last segment of a type's path) names a user type:
    /// `Self`, or a name in `UpperCamelCase` that is no container, nalgebra
    /// type or type parameter of the function.
    fn user_type_name(&self, name: &syn::Ident) -> bool {
        let name = name.unraw().to_string();
        name == "Self"
            || (name.starts_with(|c: char| c.is_ascii_uppercase())
                && !NOT_USER.contains(&name.as_str())
                && !crate::inactive::CONTAINERS.contains(&name.as_str())
                && !crate::parse::is_nalgebra(&name)
                && !self.type_params.contains(&name)
                && !self.reals.contains(&name))
    }

    /// The type parameter a parameter's type is (`E` of `E`, `&E`).
    pub(super) fn type_param_of(&self, ty: &syn::Type) -> Option<String> {
        match ty {
            syn::Type::Reference(r) => self.type_param_of(&r.elem),
            syn::Type::Paren(p) => self.type_param_of(&p.elem),
            syn::Type::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .map(|i| i.to_string())
                .filter(|n| self.type_params.contains(n) && !self.reals.contains(n)),
            _ => None,
        }
    }

    /// The user type a parameter's type names (`S` of `S`, `&S`, `&Self`).
    pub(super) fn user_type(&self, ty: &syn::Type) -> Option<syn::Type> {
        match ty {
            syn::Type::Reference(r) => self.user_type(&r.elem),
            syn::Type::Paren(p) => self.user_type(&p.elem),
            syn::Type::Group(g) => self.user_type(&g.elem),
            syn::Type::Path(p)
                if p.qself.is_none()
                    && p.path
                        .segments
                        .last()
                        .is_some_and(|s| self.user_type_name(&s.ident)) =>
            {
                Some(ty.clone())
            }
            _ => None,
        }
    }

    /// The user type of the value an expression builds: `S { .. }`,
    /// `S(..)`, `S::new(..)`, `Self::default()`.
    pub(super) fn built_user_type(&self, e: &syn::Expr) -> Option<syn::Type> {
        let mut path = match strip_parens(e) {
            syn::Expr::Struct(s) if s.qself.is_none() => s.path.clone(),
            syn::Expr::Call(c) => match strip_parens(&c.func) {
                syn::Expr::Path(p) if p.qself.is_none() => {
                    let mut path = p.path.clone();
                    // An associated function of the type; else a tuple struct.
                    if path.segments.len() > 1 {
                        path.segments.pop();
                        path.segments.pop_punct();
                    } else if !path
                        .segments
                        .first()
                        .is_some_and(|s| is_tuple_struct_name(&s.ident))
                    {
                        return None;
                    }
                    path
                }
                _ => return None,
            },
            _ => return None,
        };
        if !path
            .segments
            .last()
            .is_some_and(|s| self.user_type_name(&s.ident))
        {
            return None;
        }
        // (`S::<T>::new`: a type path without the turbofish's `::`.)
        for seg in path.segments.iter_mut() {
            if let syn::PathArguments::AngleBracketed(a) = &mut seg.arguments {
                a.colon2_token = None;
            }
        }
        Some(syn::Type::Path(syn::TypePath { qself: None, path }))
    }

    /// Records that the local just bound to `ident` holds a value of a user
    /// type, by its declared type or its value.
    pub(super) fn note_user_local(
        &mut self,
        ident: &syn::Ident,
        ty: Option<&syn::Type>,
        init: &syn::Expr,
    ) {
        let user = ty
            .and_then(|t| self.user_type(t))
            .or_else(|| self.built_user_type(init));
        if let Some(user) = user {
            // (A struct literal is a struct; `M::new(..)` may be an alias
            // of a nalgebra type.)
            let certain = matches!(strip_parens(init), syn::Expr::Struct(_)) || is_self(&user);
            if let Some(b) = self.lookup(&ident.unraw().to_string()) {
                let v = b.var;
                self.user_typed.insert(v, (user, certain));
            }
        }
    }

    /// The receiver of `r.m(..)` when it is an inactive value of a user
    /// type (a local or parameter, see [`Self::user_typed`]), whose
    /// differentiated method `m` is called with it passed through.
    pub(super) fn user_receiver(&self, mc: &syn::ExprMethodCall) -> Option<VarId> {
        let syn::Expr::Path(p) = strip_parens(&mc.receiver) else {
            return None;
        };
        self.local_of(p).filter(|v| self.user_typed.contains_key(v))
    }

    /// Whether `r.m(..)` is called on an active parameter struct (`wrt(p)`).
    fn on_active_struct(&self, mc: &syn::ExprMethodCall) -> bool {
        matches!(strip_parens(&mc.receiver), syn::Expr::Path(p)
            if self.local_of(p).is_some_and(|v| self.structs.contains(&v)))
    }

    /// Notes the call `r.m(..)` of a differentiated method on `self` or a
    /// value of a user type, for the check that `m` has derivatives.
    pub(super) fn note_method_call(&mut self, mc: &syn::ExprMethodCall) {
        let active = self.on_active_struct(mc);
        let ty = match strip_parens(&mc.receiver) {
            syn::Expr::Path(p) if p.path.is_ident("self") => Some(syn::parse_quote!(Self)),
            syn::Expr::Path(p) if active => self
                .local_of(p)
                .and_then(|v| self.struct_types.get(&v).cloned()),
            _ => self
                .user_method_receiver(mc)
                .and_then(|v| self.user_typed.get(&v).map(|(t, _)| t.clone())),
        };
        if let Some(ty) = ty {
            self.prog.methods.push(crate::ir::MethodCall {
                ty,
                method: mc.method.clone(),
                active,
                receiver: strip_parens(&mc.receiver).to_token_stream().to_string(),
                lent: Vec::new(),
            });
        }
    }

    /// The receiver of `r.m(..)` when it is a value of a user type whose
    /// method `m` is taken for a differentiated one: a method with a rule
    /// is the rule's unless the type is certainly a struct, as the type may
    /// be an alias of a nalgebra type (`Mat3::new(..)`, `m: &Mat3`).
    fn user_method_receiver(&self, mc: &syn::ExprMethodCall) -> Option<VarId> {
        let name = mc.method.to_string();
        self.user_receiver(mc).filter(|v| {
            let certain = self.user_typed.get(v).is_some_and(|(_, c)| *c);
            !super::structs::is_copy_method(&name) && (certain || !has_rule(&name))
        })
    }

    /// Whether `r.m(..)` is a call of a differentiated method: on `self`,
    /// on an active parameter struct (`wrt(p)`; `m` not a float method nor
    /// a copy), or on an inactive value of a user type.
    pub(super) fn calls_user_method(&self, mc: &syn::ExprMethodCall) -> bool {
        let name = mc.method.to_string();
        let on_self =
            matches!(strip_parens(&mc.receiver), syn::Expr::Path(p) if p.path.is_ident("self"));
        // A method of an active parameter struct (`p.loss(x)`): a
        // differentiated method with `wrt(self)`.
        let on_struct = self.on_active_struct(mc);
        let ruled = func(&name).is_some() || super::structs::is_copy_method(&name);
        ((on_self || on_struct) && !ruled) || self.user_method_receiver(mc).is_some()
    }

    /// `r.m(..)` on a user-typed local built from active values (`let s =
    /// S { k: x[0] };`): reported, as its derivatives would be lost.
    pub(super) fn varied_user_receiver(&mut self, mc: &syn::ExprMethodCall) -> bool {
        match self.user_method_receiver(mc) {
            Some(v) if self.var_varied(v) && !self.structs.contains(&v) => {
                self.errors.spanned(
                    &mc.receiver,
                    format_args!(
                        "a method called on a local struct built from active values is not \
                         supported: build it from constants and pass the active values to the \
                         method as arguments (`s.{}(x, ..)`), or make it a parameter named in \
                         `wrt(..)` of a type that derives `ad::Differentiable`",
                        mc.method
                    ),
                );
                true
            }
            _ => false,
        }
    }

    /// The error for a method without a rule. On a receiver known to be a
    /// float, array or nalgebra value (an active one), the methods with
    /// rules; on one of a type the macro cannot tell, how to call a method
    /// of a user type.
    pub(super) fn unknown_method(&mut self, mc: &syn::ExprMethodCall) {
        let name = mc.method.to_string();
        // `v.pop().unwrap()`: at `pop`.
        if let Some(pop) = popped(mc) {
            self.errors.spanned(&pop.method, POP_MESSAGE);
            return;
        }
        if let Some(msg) = option_element_message(&syn::Expr::MethodCall(mc.clone())) {
            self.errors.spanned(&mc.method, msg);
            return;
        }
        if let Some(msg) = nalgebra_advice(mc).filter(|_| self.prog.matrix) {
            self.errors.spanned(&mc.method, msg);
            return;
        }
        let known = self.mentions_varied(&mc.receiver)
            || matches!(strip_parens(&mc.receiver), syn::Expr::Path(p)
            if self.local_of(p).is_some_and(|v| {
                let var = &self.prog.vars[v];
                var.scalar || var.array || var.by_ref
            }))
            || matches!(strip_parens(&mc.receiver), syn::Expr::Lit(_));
        let generic = match strip_parens(&mc.receiver) {
            syn::Expr::Path(p) => self
                .local_of(p)
                .and_then(|v| self.generic_typed.get(&v))
                .map(|t| (p.path.to_token_stream().to_string(), t.clone())),
            _ => None,
        };
        let msg = if let Some((recv, t)) = generic {
            // (`impl Trait` parameters are type parameters here.)
            let opaque =
                t.len() > 4 && t.starts_with("Impl") && t[4..].bytes().all(|b| b.is_ascii_digit());
            let t = match opaque {
                true => "the `impl Trait` type".to_owned(),
                false => format!("the type parameter `{t}`"),
            };
            format!(
                "`{recv}.{name}(..)` calls a method of {t}, a trait's method, which has no \
                 derivatives (derivatives are not items of a trait, and #[differentiate] \
                 cannot stand in `impl Trait for Type`): take a concrete type (`{recv}: \
                 &Spring`) and call an inherent method of it with `#[differentiate]` (`impl \
                 Spring {{ #[differentiate(wrt(x))] fn {name}_body(&self, x: f64) -> f64 }}`, \
                 which the trait's `{name}` may call), or a free `#[differentiate]` function \
                 of what `{name}` reads; or, if the call does not depend on the active \
                 values, compute it before them"
            )
        } else if known {
            format!(
                "differentiation rule for method `{name}` is not implemented; the float \
                 methods with rules are: {}; the nalgebra methods with rules are: {}; a \
                 method of `self` must be differentiated (`#[differentiate]`) to be called \
                 with active arguments",
                supported_methods(),
                la_methods()
            )
        } else {
            format!(
                "`{name}` is neither a method with a differentiation rule nor one the macro can \
                 tell is differentiated: a method of a user type must be differentiated \
                 (`#[differentiate]`) and called on `self`, on a parameter of that type \
                 (`s: &S`), or on a local bound to a value of it (`let s = S {{ .. }};`, `let s \
                 = S::new(..);`, `let s: S = ..;`), as `s.{name}(..)`; the float methods with \
                 rules are: {}; the nalgebra methods with rules are: {}",
                supported_methods(),
                la_methods()
            )
        };
        self.errors.spanned(&mc.method, msg);
    }
}

/// Whether a type is `Self`.
fn is_self(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("Self"))
}

/// Whether a method of that name has a rule on floats, slices or nalgebra
/// values (or is part of a factorisation, a view or an iterator chain).
fn has_rule(name: &str) -> bool {
    func(name).is_some()
        || la_method(name).is_some()
        || RESHAPING.contains(&name)
        || ITERATOR_METHODS.contains(&name)
        || matches!(
            name,
            "map"
                | "fixed_rows"
                | "fixed_columns"
                | "fixed_view"
                | "try_inverse"
                | "lu"
                | "cholesky"
                | "solve"
                | "solve_lower_triangular"
                | "solve_upper_triangular"
                | "unwrap"
                | "expect"
                | "clone_owned"
                | "into_owned"
        )
}

/// What to write for `v.pop()` of an active `Vec`.
pub(super) const POP_MESSAGE: &str =
    "`pop` on an active array is not supported: read the last element by index \
     (`let last = v[v.len() - 1];`) and use the others by their range (`let n = v.len() - 1;`, \
     then `v[..n]`, `0..n`), or build the `Vec` without it";

/// `v.pop()` under `unwrap`, `expect`, `unwrap_or` (through `copied`):
/// the `pop` call.
pub(super) fn popped(mc: &syn::ExprMethodCall) -> Option<&syn::ExprMethodCall> {
    if !matches!(
        mc.method.to_string().as_str(),
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default"
    ) {
        return None;
    }
    match strip_parens(&mc.receiver) {
        syn::Expr::MethodCall(m) if m.method == "pop" && m.args.is_empty() => Some(m),
        _ => None,
    }
}

/// What to write for an element taken out of an `Option` (`x.first()
/// .unwrap()`, `*x.last().unwrap()`, `x.get(i).copied().unwrap()`), if `e`
/// is one: indexing, which the macro differentiates.
pub(super) fn option_element_message(e: &syn::Expr) -> Option<String> {
    let syn::Expr::MethodCall(mc) = strip_parens(e) else {
        return None;
    };
    let outer = mc.method.to_string();
    if !matches!(
        outer.as_str(),
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default"
    ) {
        return None;
    }
    let mut r = strip_parens(&mc.receiver);
    while let syn::Expr::MethodCall(m) = r {
        let inner = m.method.to_string();
        let (index, call) = match inner.as_str() {
            "first" => ("x[0]", "x.first()"),
            "last" => ("x[x.len() - 1]", "x.last()"),
            "get" => ("x[i]", "x.get(i)"),
            "copied" | "cloned" => {
                r = strip_parens(&m.receiver);
                continue;
            }
            _ => return None,
        };
        return Some(format!(
            "an element taken out of an `Option` (`{call}.{outer}(..)`) is not supported: \
             index it, `{index}`, or test it with `if let Some(&v) = {call} {{ .. }}`"
        ));
    }
    None
}

/// What to write instead of a nalgebra method without a rule that has a
/// usual replacement: `normalize` (`v / v.norm()`), the factors of a
/// decomposition (`a.cholesky().unwrap().l()`).
fn nalgebra_advice(mc: &syn::ExprMethodCall) -> Option<String> {
    let name = mc.method.to_string();
    // The decomposition a factor is taken of (`cholesky` of
    // `a.cholesky().unwrap().l()`).
    let mut decomposition = None;
    let mut e = &*mc.receiver;
    while let syn::Expr::MethodCall(m) = strip_parens(e) {
        let n = m.method.to_string();
        if matches!(
            n.as_str(),
            "cholesky" | "lu" | "qr" | "svd" | "symmetric_eigen" | "schur"
        ) {
            decomposition = Some(n);
            break;
        }
        e = &m.receiver;
    }
    match (name.as_str(), decomposition) {
        ("normalize", None) => Some(
            "`normalize` of an active vector has no differentiation rule: write `v / v.norm()`"
                .to_owned(),
        ),
        ("normalize_mut", None) => Some(
            "`normalize_mut` of an active vector has no differentiation rule: write `v = &v / v.norm();`"
                .to_owned(),
        ),
        (_, Some(d)) => Some(format!(
            "`{name}` of `{d}()` of an active matrix has no differentiation rule; the \
             factorisations with rules are written as one expression: \
             `a.cholesky().unwrap().solve(&b)`, `a.lu().solve(&b).unwrap()`, \
             `a.try_inverse().unwrap()`, and `a.determinant()` (a log-determinant: \
             `a.determinant().ln()`); for the factor itself, write the factorisation with loops \
             over a `Vec<f64>` of the elements (`l[j * n + j] = (a[j * n + j] - s).sqrt();`), \
             or give a helper hand-written rules (`#[differentiate(custom)]`, see the guide's \
             chapter on calls)"
        )),
        _ => None,
    }
}
