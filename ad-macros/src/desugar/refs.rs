//! Loops over inactive containers whose items are references (`for x in
//! data` with `data: &[f64]`, `for a in A.iter()` over a `const` table):
//! with active arithmetic in the body (`x - mu`), `x` is a `&f64` there,
//! which the derivative code cannot take as a number. Such a loop is
//! desugared as an index loop like one over active values, so `x` reads
//! `data[i]`. Only over containers known to be indexed by position (slice,
//! array and `Vec` parameters and locals, `const` tables): a loop over a
//! set or a map stays as written.

use super::*;

/// Whether `t` is `&[T]`, `[T; N]`, `Vec<T>` (behind references).
pub(super) fn indexable_type(t: &syn::Type) -> bool {
    match t {
        syn::Type::Reference(r) => indexable_type(&r.elem),
        syn::Type::Paren(p) => indexable_type(&p.elem),
        syn::Type::Slice(_) | syn::Type::Array(_) => true,
        syn::Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Vec")
        }
        _ => false,
    }
}

/// Whether a `let`'s value is evidently an array or a `Vec`.
fn indexable_init(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Paren(p) => indexable_init(&p.expr),
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => true,
        syn::Expr::Macro(m) => m.mac.path.is_ident("vec"),
        syn::Expr::MethodCall(m) => match m.method.to_string().as_str() {
            "to_vec" => true,
            "collect" => m.turbofish.as_ref().is_some_and(|t| {
                matches!(t.args.first(), Some(syn::GenericArgument::Type(t)) if indexable_type(t))
            }),
            _ => false,
        },
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => {
                let segs: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
                segs.len() >= 2
                    && segs[segs.len() - 2] == "Vec"
                    && matches!(segs[segs.len() - 1].as_str(), "new" | "with_capacity" | "from")
            }
            _ => false,
        },
        _ => false,
    }
}

/// The locals of the body every binding of which is evidently an array or
/// a `Vec` (by its type or its value; an alias of such a parameter), and
/// the `const` and `static` items of array type declared in it; and those
/// of them that are references (`let d: &[f64] = ..`, `let d = &v;`).
pub(super) fn indexable_locals(
    block: &syn::Block,
    params: &HashMap<String, syn::Type>,
) -> (HashSet<String>, HashSet<String>) {
    struct Locals<'p> {
        params: &'p HashMap<String, syn::Type>,
        // (Indexed, a reference.)
        names: HashMap<String, (bool, bool)>,
    }
    impl Locals<'_> {
        fn note(&mut self, name: String, indexed: bool, reference: bool) {
            let v = self.names.entry(name).or_insert((true, true));
            v.0 &= indexed;
            v.1 &= reference;
        }
    }
    impl<'ast> Visit<'ast> for Locals<'_> {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            let (pat, ty) = match &l.pat {
                syn::Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
                p => (p, None),
            };
            let init = l.init.as_ref().map(|i| &*i.expr);
            // (An alias of a parameter: its type.)
            let alias = init.and_then(|e| match strip(e) {
                syn::Expr::Path(p) => p
                    .path
                    .get_ident()
                    .and_then(|i| self.params.get(&i.unraw().to_string())),
                _ => None,
            });
            let (indexed, reference) = match ty.or(alias) {
                Some(t) => (
                    indexable_type(t),
                    matches!(t, syn::Type::Reference(r) if r.mutability.is_none()),
                ),
                None => match init.map(strip) {
                    Some(syn::Expr::Reference(r)) => {
                        (indexable_init(&r.expr), r.mutability.is_none())
                    }
                    Some(e) => (indexable_init(e), false),
                    None => (false, false),
                },
            };
            let simple = matches!(pat, syn::Pat::Ident(_));
            for n in super::subst::pat_names(pat) {
                self.note(n, indexed && simple, reference && simple);
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
            self.note(c.ident.unraw().to_string(), indexable_type(&c.ty), false);
        }
        fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
            self.note(s.ident.unraw().to_string(), indexable_type(&s.ty), false);
        }
        fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
    }
    let mut locals = Locals {
        params,
        names: HashMap::default(),
    };
    locals.visit_block(block);
    let pick = |f: fn(&(bool, bool)) -> bool| {
        locals
            .names
            .iter()
            .filter(|(_, v)| f(v))
            .map(|(n, _)| n.clone())
            .collect::<HashSet<String>>()
    };
    (pick(|v| v.0), pick(|v| v.0 && v.1))
}

fn strip(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// What is known of a container: indexed by position, not, or unknown
/// (a field, a local of unknown type: taken to be, as for active values).
#[derive(PartialEq)]
pub(super) enum Known {
    Indexed,
    Not,
    Unknown,
}

impl Desugar<'_> {
    /// Whether `e` is a container indexed by position: a parameter or
    /// local slice, array or `Vec`, a `const` table (by its name, in
    /// capitals), a range or a row of one.
    pub(super) fn indexable(&self, e: &syn::Expr) -> Known {
        match strip(e) {
            syn::Expr::Reference(r) => self.indexable(&r.expr),
            syn::Expr::Index(ix) => match self.indexable(&ix.expr) {
                Known::Not => Known::Not,
                _ => Known::Unknown,
            },
            syn::Expr::Field(_) => Known::Unknown,
            syn::Expr::Path(p) if p.qself.is_none() => {
                let Some(last) = p.path.segments.last() else {
                    return Known::Not;
                };
                let name = last.ident.unraw().to_string();
                let capitals = name.chars().any(|c| c.is_ascii_uppercase())
                    && !name.chars().any(|c| c.is_ascii_lowercase());
                if p.path.segments.len() > 1 {
                    // (`Self::TABLE`, `tables::W`.)
                    return if capitals {
                        Known::Indexed
                    } else {
                        Known::Unknown
                    };
                }
                let param = self.params.get(&name);
                let param = param.filter(|_| !self.shadowed.iter().any(|s| s.contains(&name)));
                match param {
                    Some(t) if indexable_type(t) => Known::Indexed,
                    Some(_) => Known::Not,
                    None if self.indexable.contains(&name) || capitals => Known::Indexed,
                    None => Known::Unknown,
                }
            }
            _ => Known::Not,
        }
    }

    /// `for x in data` (`&data`, `data.iter()`, and `rev`, `skip`, `take`,
    /// `step_by` of it) over an inactive container, with items that are
    /// references, in a loop whose body reads active values: to be an index
    /// loop. An error for one that cannot be.
    pub(super) fn inactive_refs(&self, f: &syn::ExprForLoop) -> syn::Result<bool> {
        // (`for &i in ids.iter()` binds copies of the items: numbers.)
        if !self.mentions_tainted(&f.body) || matches!(&*f.pat, syn::Pat::Reference(_)) {
            return Ok(false);
        }
        let mut e = strip(&f.expr);
        let container = loop {
            match e {
                syn::Expr::MethodCall(m) => match m.method.to_string().as_str() {
                    "rev" | "skip" | "take" | "step_by" | "flatten" | "take_while"
                    | "skip_while" => e = strip(&m.receiver),
                    "iter" if m.args.is_empty() => break &*m.receiver,
                    _ => return Ok(false),
                },
                syn::Expr::Reference(r) if r.mutability.is_none() => break e,
                syn::Expr::Path(_) if self.by_value(e) == "ref" => break e,
                _ => return Ok(false),
            }
        };
        match self.indexable(container) {
            Known::Indexed | Known::Unknown => Ok(true),
            Known::Not => Err(syn::Error::new_spanned(
                &f.expr,
                "a `for` loop over references into a container that is not a slice, an array \
                 or a `Vec`, with active values in its body, is not supported: iterate over \
                 copies of the items (`.iter().copied()`) or collect them into a `Vec` first",
            )),
        }
    }
}
