//! The intermediate representation shared by every transformation.
//!
//! Lowering turns a function body into structured statements in A-normal
//! form: each `Let` binds a fresh variable to one primitive applied to
//! variables and constants; `If` and `Loop` keep the user's structure. The
//! transformations (tangent, adjoint) read it and produce new statement lists
//! whose right-hand sides may be small expression trees
//! (`dx * sin::d1(x, y)`); the emitter prints any of them.
//!
//! Variables are single-assignment (a `let`, or a new version at each
//! reassignment in straight-line code) except *slots*: user variables
//! reassigned inside a branch or a loop, which `Assign` overwrites in place,
//! and arrays, whose elements `Assign` writes.

use crate::fx::{HashMap, HashSet};
use proc_macro2::{Span, TokenStream};
use syn::Ident;

/// Index of a variable in [`Program::vars`].
pub type VarId = usize;

/// What a variable stands for (used for naming and for the signature).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// A parameter of the function, by position among the typed parameters.
    Param(usize),
    /// A local variable of the user's code (a version of it).
    Local,
    /// A temporary introduced by lowering.
    Temp,
    /// A variable introduced by a transformation (tangent, adjoint, stack).
    Derived,
}

/// A variable of the generated code.
#[derive(Clone, Debug)]
pub struct Var {
    /// The name it is emitted under; unique in the generated function.
    pub name: Ident,
    /// What it stands for.
    pub kind: VarKind,
    /// Declared `let mut` by the user: every version is emitted `mut`, so
    /// verbatim code may still call `&mut self` methods on it.
    pub mutable: bool,
    /// Overwritten in place (`Assign`) rather than versioned.
    pub slot: bool,
    /// An array (`&[f64]`, `[f64; N]`, `Vec<f64>`): read and written by element.
    pub array: bool,
    /// A 2-D array, an array of rows (`&[Vec<f64>]`, `[[f64; N]; M]`,
    /// `Vec<Vec<f64>>`; `array` is set too): its elements are `a[r][c]`
    /// (see [`Expr::Index`]), its rows `a[r]`.
    pub nested: bool,
    /// A parameter of a fixed-size array type (`[f64; N]`, `&[f64; N]`),
    /// or a helper's result (which may be one: the macro does not see its
    /// type): its cotangent may be an array, so a `Vec` copied from it
    /// (`x.to_vec()`) gives its cotangent back element by element.
    pub fixed: bool,
    /// Changed by verbatim code (`v.push(i)`, `sort(&mut v)`): a value
    /// computed from it is saved for the reverse sweep, never computed
    /// again there (see `adjoint::mark_volatile`).
    pub volatile: bool,
    /// Bound to a reference (a `&DMatrix<f64>` parameter, or its tangent):
    /// passed to a rule as it is, not borrowed again.
    pub by_ref: bool,
    /// A parameter of a shared reference type (`&[f64]`, `&DMatrix<f64>`):
    /// passed to a call as it is, never borrowed again.
    pub borrowed: bool,
    /// Known to be an `f32`/`f64` (a scalar parameter, or the output seed of
    /// a scalar function): code on nalgebra values keeps plain operators
    /// for it.
    pub scalar: bool,
    /// A struct's field, borrowed (`let p_w = &p.w;`) or copied (`let t =
    /// clone(&s.x);`): of a type the macro does not see, maybe a
    /// configuration value (its zero cotangent is `field_zero`'s).
    pub field: bool,
    /// For a copy of a local struct's field (`let t = clone(&s.x);`): the
    /// struct and the path, to make a zero of the field's type where `t` is
    /// not in scope.
    pub field_of: Option<(VarId, MemberPath)>,
    /// A helper's tuple result bound member by member (`let (a, b) =
    /// g(x);`): its number of members.
    pub arity: Option<usize>,
    /// An inactive borrow of an array (`&x`, `&x[a..b]`) passed to a
    /// call: its pullback's cotangent for it goes into a scratch buffer
    /// (see `adjoint::contribute`'s `destinations`).
    pub inactive_slice: bool,
    /// A parameter of a `Copy` type that borrows: a shared reference
    /// (`&Mode`) or an option of one (`Option<&[f64]>`).
    pub copy_ref: bool,
    /// A parameter whose type borrows nothing (`Mode`, `Option<usize>`).
    pub owned: bool,
    /// The payload of a `copy_ref` value bound by `if let Some(w) = o` or
    /// a `match` arm (`let w = o.unwrap();`): maybe a reference, which has
    /// no `Default` to declare it with before a branch, so the reverse sweep
    /// binds it again where it reads it (the data it borrows is unchanged).
    pub payload: bool,
    /// A local of code on nalgebra values that is an array only because an
    /// element of it was written (`h[(0, 1)] = ..`): a nalgebra value (lent
    /// whole to a buffer parameter, it is one).
    pub by_element: bool,
    /// The item of a `for` loop over an inactive container (`row` of `for
    /// row in a.into_iter()`): maybe an owned value, which verbatim code
    /// may move (see `adjoint::mark_volatile`).
    pub item: bool,
    /// A parameter struct (its type derives `Differentiable`): its
    /// cotangent is added to with `accumulate`, having no `+=`.
    pub structure: bool,
    /// The owned copy of a view the user passed to a call (`g(x.rows(0,
    /// n))`, the rule `rows` on an active `x`): the call of `g` itself
    /// (not of its wrappers, which take the owned type) passes a view of
    /// it, as `g` takes a view (`view_params.rs`).
    pub view_arg: bool,
}

/// A leaf of an expression.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A variable.
    Var(VarId),
    /// A literal or a constant expression that reads no local variable
    /// (`2.0`, `PI`, `std::f64::consts::E`): emitted verbatim.
    Const(TokenStream),
}

/// The four arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// How the user wrote a call to an elementary function.
#[derive(Clone, Debug)]
pub enum CallStyle {
    /// `x.sin()`
    Method,
    /// `f64::sin(x)`: the tokens before `::sin`.
    Path(TokenStream),
    /// `a % b` (the rule `rem`).
    Rem,
}

/// An elementary function of the rule table, with how many arguments (the
/// receiver included) it takes and which of them may be active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func {
    pub name: &'static str,
    pub arity: usize,
    /// `false` for arguments that are integers (the exponent of `powi`).
    pub active_args: &'static [bool],
}

/// The [`Expr::Rule`] lending the stream of saved values (its one
/// argument) to a split form: `&mut saved.saving(0)`, or the window of the
/// loop body the call is in (`emit::windows`).
pub const LEND: &str = "lend";

/// The [`Expr::Rule`] declaring an adjoint by its first contribution, a
/// callee's cotangent `c`: `start(zero, c)`, arguments by value (see
/// `ad_runtime::start`).
pub const START: &str = "start";

/// The quotient `a / b` of scalars as a function of the rule table: its
/// partials are `::ad::__rt::div::{da, db, dab, dbb}`. Reverse mode uses them
/// where the operands are known to be scalars.
pub const DIV: Func = Func {
    name: "div",
    arity: 2,
    active_args: &[true, true],
};

/// `recip`, for the quotients `1 / b`: reverse mode uses its partial
/// `-z z`, which needs no division.
pub const RECIP: Func = Func {
    name: "recip",
    arity: 1,
    active_args: &[true],
};

/// The elementary functions whose values the reverse sweep reads back from
/// the forward sweep (saved inside loops) instead of computing them again:
/// a call costs more than a save and a restore. The others (`abs`,
/// `signum`, `recip`, `max`, `min`, `powi`) are computed again.
pub const EXPENSIVE: &[&str] = &[
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "exp", "exp2", "exp_m1", "ln", "ln_1p", "log2", "log10", "sqrt", "cbrt", "atan2", "powf",
    "hypot", "log",
];

/// The unary functions whose derivative the runtime also states in terms of
/// the value alone (`exp::d1_y(y) = y`): reverse mode applies those, so it
/// reads no argument, and restores nothing for one (`(m - t).exp()` in a
/// loop needs neither `m` nor `t` back).
pub const OF_Y: &[&str] = &[
    "tan",
    "tanh",
    "exp",
    "exp2",
    "exp_m1",
    "sqrt",
    "cbrt",
    "recip",
    "signum",
    "to_degrees",
    "to_radians",
    "fract",
    "next_up",
    "next_down",
];

/// The unary functions whose derivatives the runtime also states in terms
/// of the argument alone (`sin::d1_x(x) = cos x`): reverse mode applies
/// those, so it reads no value of the function, and saves none.
pub const OF_X: &[&str] = &[
    "sin", "cos", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "ln", "ln_1p",
    "log2", "log10", "abs",
];

/// The second partials that the runtime also applies to a tangent
/// (`ln::d2_x_dot(x, t)` for `ln::d2_x(x) * t`), in a form that stays
/// finite where the partial alone over- or underflows (`1 / x^2`) and the
/// product does not: second order through reverse mode emits those.
pub const APPLIED: &[(&str, &str)] = &[
    ("ln", "d2_x"),
    ("ln_1p", "d2_x"),
    ("log2", "d2_x"),
    ("log10", "d2_x"),
    ("atan", "d2_x"),
    ("log", "daa"),
    ("div", "dab"),
    ("div", "dbb"),
];

/// Partials are named after the runtime's rule table: `d1`/`d2` for unary
/// functions, `da`, `db`, `dab`, ... for the others; a partial without
/// arguments is in terms of the value: `d1_y`, and its derivative `d1_y_dy`;
/// one without a value in terms of the argument: `d1_x`, `d2_x`.
pub fn partial_name(func: &Func, idx: &[usize], args: bool, out: bool) -> String {
    if !args {
        if idx.len() == 1 { "d1_y" } else { "d1_y_dy" }.to_string()
    } else if !out {
        format!("d{}_x", idx.len())
    } else if func.arity == 1 {
        format!("d{}", idx.len())
    } else {
        let mut s = String::from("d");
        for &i in idx {
            s.push((b'a' + i as u8) as char);
        }
        s
    }
}

/// A method or function on nalgebra values with rules in the runtime module
/// `module` (`la::transpose`, `nn::softmax`): `module(&args..)` computes it,
/// `module::jvp_k`, `module::vjp_k` and `module::vjp_k_jvp` differentiate it
/// (see `ad_runtime::la`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaOp {
    pub module: &'static str,
    /// `false` for arguments that carry no derivative.
    pub active_args: &'static [bool],
}

/// A rule name built from parts, kept for the life of the expansion (a
/// handful of distinct names, so the leak is bounded).
pub fn intern(name: String) -> &'static str {
    use std::cell::RefCell;
    thread_local! {
        static NAMES: RefCell<HashSet<&'static str>> = RefCell::new(HashSet::default());
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(n) = names.get(name.as_str()) {
            return *n;
        }
        let leaked: &'static str = Box::leak(name.into_boxed_str());
        names.insert(leaked);
        leaked
    })
}

/// An expression: a primitive in lowered code, a tree in derivative code.
#[derive(Clone, Debug)]
pub enum Expr {
    Use(Operand),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// A call of an elementary function on its arguments (receiver first).
    Call(Func, CallStyle, Vec<Expr>),
    /// A nalgebra method or `nn` function on its arguments (receiver first).
    La(LaOp, Vec<Expr>),
    /// A partial derivative from the rule table: `::ad::__rt::<func>::<d..>(args.., out)`.
    /// Without `args`, a unary function's derivative in terms of its value
    /// `out` ([`OF_Y`]): `idx` `[0]` for `d1_y(out)`, `[0, 0]` for its
    /// derivative in `out`, `d1_y_dy(out)`. Without `out`, in terms of its
    /// argument ([`OF_X`]): `d1_x(x)`, `d2_x(x)`.
    Partial {
        func: Func,
        idx: Vec<usize>,
        args: Vec<Expr>,
        out: Option<Box<Expr>>,
    },
    /// A runtime rule taking its arguments by reference: `::ad::__rt::<path>(&a, &b, ..)`.
    Rule(&'static str, Vec<Expr>),
    /// `e as ty` between float types.
    Cast(Box<Expr>, Box<syn::Type>),
    /// A zero of the shape of a value (owned: the zero cotangent of a slice
    /// is a `Vec`).
    ZeroLike(Box<Expr>),
    /// `a[i]`: an element of an array variable; the index is inactive. Of a
    /// 2-D array (`Var::nested`), `a[r]` is a row and the index
    /// `Tuple([r, c])` is the element `a[r][c]` (`c` may be a range: the
    /// sub-slice `a[r][c..]` of a row, passed to a call); see
    /// [`Expr::indices`].
    Index(VarId, Box<Expr>),
    /// `vec![a, b, ..]` (`vec: true`) or `[a, b, ..]`.
    List {
        vec: bool,
        elems: Vec<Expr>,
    },
    /// `vec![a; n]` or `[a; N]`: `n` is inactive.
    Repeat {
        vec: bool,
        elem: Box<Expr>,
        len: TokenStream,
    },
    /// A call of a differentiated function: `path(args)`. Its derivatives
    /// call the function's hidden wrappers (see [`wrapper`]).
    /// With `method`, the first argument is the receiver (`self.g(x)`): it
    /// gets no tangent and no cotangent.
    Call2 {
        path: syn::Path,
        args: Vec<Expr>,
        method: bool,
    },
    /// `v.pop().unwrap()` of a stack: a value saved by the forward sweep.
    Pop(VarId),
    /// `e.0`, `e.1`: a member of a tuple (the result of a `_jvp` or `_vjp` call).
    Field(Box<Expr>, usize),
    /// `&p.w`, `&p.layer.b`: a borrowed field of an active parameter struct
    /// (`#[derive(Differentiable)]`). Its tangent is the same field of the
    /// tangent struct; its cotangent is added to that field of the
    /// struct's cotangent ([`Place::Member`]).
    Member(VarId, MemberPath),
    /// `core::mem::take(&mut place)`: the value, leaving a zero.
    Take(Box<Place>),
    /// `&e`: an argument the user passed by reference to a call of a
    /// differentiated function (`&v`, `&x[a..b]`); its tangent is `&de`.
    Ref(Box<Expr>),
    /// `(a, b, ..)`: a tuple of values (a function's tuple result).
    Tuple(Vec<Expr>),
    /// `Path { a: e, b: f }`: a struct built from values (a parameter
    /// struct, `#[derive(Differentiable)]`, as a result). Its tangent is the
    /// struct of the fields' tangents, its cotangent's fields go to the
    /// values (see `ad_runtime::fields`).
    Struct(TokenStream, Vec<(TokenStream, Expr)>),
    /// A scalar closure (the body of `m.map(|v| ..)`), lowered on its own;
    /// the `closures` stage replaces it by the closure and its derivatives.
    Closure(Box<ScalarClosure>),
    /// An integer range `a..b`, `a..`, `..b` (a sub-slice's index): inactive.
    Range {
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
    /// Inactive user code, emitted verbatim (local names already renamed),
    /// with the variables it reads.
    Opaque(TokenStream, Vec<VarId>),
    /// A fresh value to be assigned later: `Default::default()`, or an
    /// empty stack (`Stack` of one type, or with `words`, the `Words` stack of
    /// the scalar values the reverse sweep restores). Its tangent is a fresh
    /// value of the same kind.
    Fresh {
        stack: bool,
        words: bool,
    },
}

impl Expr {
    pub fn var(v: VarId) -> Expr {
        Expr::Use(Operand::Var(v))
    }

    pub fn constant(tokens: TokenStream) -> Expr {
        Expr::Use(Operand::Const(tokens))
    }

    /// Calls `f` on every variable this expression reads.
    pub fn for_each_var(&self, f: &mut impl FnMut(VarId)) {
        self.visit(&mut |e| match e {
            Expr::Use(Operand::Var(v)) | Expr::Pop(v) | Expr::Index(v, _) => f(*v),
            Expr::Member(v, m) => {
                f(*v);
                m.reads.iter().for_each(|r| f(*r));
            }
            Expr::Take(p) => f(p.var()),
            Expr::Opaque(_, reads) => reads.iter().for_each(|v| f(*v)),
            Expr::Closure(c) => c.reads.iter().for_each(|v| f(*v)),
            _ => {}
        });
    }

    /// Calls `f` on this expression and on each of its subexpressions,
    /// outermost first.
    pub fn visit(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Use(_)
            | Expr::Pop(_)
            | Expr::Member(..)
            | Expr::Fresh { .. }
            | Expr::Opaque(..)
            | Expr::Closure(_) => {}
            Expr::Neg(a)
            | Expr::Cast(a, _)
            | Expr::ZeroLike(a)
            | Expr::Field(a, _)
            | Expr::Ref(a) => a.visit(f),
            Expr::Range { start, end } => {
                start.iter().chain(end).for_each(|e| e.visit(f));
            }
            Expr::Take(p) => {
                if let Place::Index(_, i) = &**p {
                    i.visit(f);
                }
            }
            Expr::Bin(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::Call(_, _, args)
            | Expr::La(_, args)
            | Expr::Rule(_, args)
            | Expr::Call2 { args, .. }
            | Expr::Tuple(args)
            | Expr::List { elems: args, .. } => args.iter().for_each(|a| a.visit(f)),
            Expr::Struct(_, fields) => fields.iter().for_each(|(_, e)| e.visit(f)),
            Expr::Repeat { elem, .. } => elem.visit(f),
            Expr::Partial { args, out, .. } => {
                args.iter().chain(out.as_deref()).for_each(|a| a.visit(f));
            }
            Expr::Index(_, i) => i.visit(f),
        }
    }

    /// The indices of an index expression, outermost first: `[r, c]` for
    /// the element `a[r][c]` of a 2-D array (an index `Tuple`), `[i]` for
    /// anything else.
    pub fn indices(&self) -> &[Expr] {
        match self {
            Expr::Tuple(ix) => ix,
            i => std::slice::from_ref(i),
        }
    }

    /// The variable, if this is a use or a copy (`clone(&v)`) of one.
    pub fn copied_var(&self) -> Option<VarId> {
        match self {
            Expr::Rule("clone" | "deref_clone" | "to_vec" | "lend_whole", args)
                if args.len() == 1 =>
            {
                args[0].as_var()
            }
            e => e.as_var(),
        }
    }

    /// The variable, if this is a plain use of one.
    pub fn as_var(&self) -> Option<VarId> {
        match self {
            Expr::Use(Operand::Var(v)) => Some(*v),
            _ => None,
        }
    }
}

/// The path of a field below a struct variable, as written (`w`,
/// `inner.c`, `layers[i].w`: indices are inactive code, local names
/// renamed), and the variables its indices read.
#[derive(Clone, Debug)]
pub struct MemberPath {
    pub tokens: TokenStream,
    pub reads: Vec<VarId>,
}

impl MemberPath {
    /// The path as text without spaces (`layers[i].w`), to compare paths.
    pub fn text(&self) -> String {
        self.tokens.to_string().replace(' ', "")
    }

    /// The paths of the structs a field is read below (`cfg` for
    /// `cfg.eps`, `layers[i]` and `layers[i].c` for `layers[i].c.x`):
    /// those before each `.` but the first step.
    pub fn parents(&self) -> Vec<MemberPath> {
        let mut out = Vec::new();
        let mut prefix = TokenStream::new();
        for tt in self.tokens.clone() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == '.') {
                out.push(MemberPath {
                    tokens: prefix.clone(),
                    reads: self.reads.clone(),
                });
            }
            prefix.extend([tt]);
        }
        out
    }
}

impl quote::ToTokens for MemberPath {
    fn to_tokens(&self, out: &mut TokenStream) {
        self.tokens.to_tokens(out);
    }
}

/// A closure `|v| <scalar code>`, and its body lowered as a function of `v`.
#[derive(Clone, Debug)]
pub struct ScalarClosure {
    /// The closure as written (captured locals renamed to their versions).
    pub source: TokenStream,
    /// The body, lowered as a function of its element.
    pub prog: Program,
    /// The function's locals the closure reads (inactive by construction).
    pub reads: Vec<VarId>,
}

/// Where an assignment writes.
#[derive(Clone, Debug)]
pub enum Place {
    Var(VarId),
    /// An element of an array variable (of a 2-D array, with the index
    /// `Tuple([r, c])`: see [`Expr::Index`]); the index is inactive.
    Index(VarId, Expr),
    /// A member of a tuple variable (the adjoint of a helper's tuple result,
    /// `t_bar.0`).
    Field(VarId, usize),
    /// A field of a struct variable (`p_bar.w`: the cotangent of a field of
    /// an active parameter struct, see [`Expr::Member`]).
    Member(VarId, MemberPath),
}

impl Place {
    pub fn var(&self) -> VarId {
        match self {
            Place::Var(v) | Place::Index(v, _) | Place::Field(v, _) | Place::Member(v, _) => *v,
        }
    }

    /// The same place of another variable (its tangent, its adjoint).
    pub fn of(&self, v: VarId) -> Place {
        match self {
            Place::Var(_) => Place::Var(v),
            Place::Index(_, i) => Place::Index(v, i.clone()),
            Place::Field(_, k) => Place::Field(v, *k),
            Place::Member(_, m) => Place::Member(v, m.clone()),
        }
    }

    /// Reading the place, as an expression.
    pub fn read(&self) -> Expr {
        match self {
            Place::Var(v) => Expr::var(*v),
            Place::Index(a, i) => Expr::Index(*a, Box::new(i.clone())),
            Place::Field(v, k) => Expr::Field(Box::new(Expr::var(*v)), *k),
            Place::Member(v, m) => Expr::Member(*v, m.clone()),
        }
    }
}

/// `=`, `+=` or `-=` (`*=` and `/=` are lowered to `=` of a product), or
/// `accumulate(&mut place, expr)`: adding a callee's cotangent, which is `()`
/// for a parameter the callee does not differentiate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Acc,
}

/// The path of a differentiated function's hidden wrapper: `module::g` ->
/// `module::__ad_jvp_g` (`kind` is `jvp` or `vjp`).
pub fn wrapper(path: &syn::Path, kind: &str) -> syn::Path {
    let mut p = path.clone();
    if let Some(last) = p.segments.last_mut() {
        let name = last.ident.to_string();
        let name = name.trim_start_matches("r#");
        last.ident = Ident::new(&format!("__ad_{kind}_{name}"), last.ident.span());
    }
    p
}

/// The header of a loop.
#[derive(Clone, Debug)]
pub enum Header {
    /// `for var in iter` (`var` is `None` for `_`); `iter` is inactive.
    For {
        var: Option<VarId>,
        iter: TokenStream,
        reads: Vec<VarId>,
    },
    /// `loop` (`while` is lowered to a `loop` that breaks).
    Infinite,
    /// `for _ in 0..count`: the reverse sweep of a loop.
    Times(Expr),
}

/// `#[checkpoint]` or `#[checkpoint(snapshots = S)]` on a loop.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The number of snapshots, an inactive expression (a `usize`).
    pub snapshots: TokenStream,
    /// The variables it reads.
    pub reads: Vec<VarId>,
    /// The attribute, to point errors at.
    pub attr: TokenStream,
}

pub type Block = Vec<Stmt>;

/// A statement of the generated code.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `let var[: ty] = expr;` -- `span` is the user code it comes from.
    Let {
        var: VarId,
        ty: Option<Box<syn::Type>>,
        expr: Expr,
        span: Span,
    },
    /// `place = expr;`, `place += expr;`, `place -= expr;`
    Assign {
        place: Place,
        op: AssignOp,
        expr: Expr,
        span: Span,
    },
    If {
        cond: Expr,
        then: Block,
        els: Block,
    },
    Loop {
        header: Header,
        body: Block,
        /// `#[checkpoint]` on the user's loop: reverse mode keeps
        /// snapshots of its state and computes steps again (see
        /// `adjoint::checkpoint`). Only on lowered loops.
        checkpoint: Option<Box<Checkpoint>>,
    },
    Break,
    Continue,
    /// `stack.push(value);`
    Push {
        stack: VarId,
        value: Expr,
    },
    /// A user statement that touches no active value, emitted verbatim
    /// (an item, or an expression statement on inactive values).
    Opaque(TokenStream, Vec<VarId>),
}

/// A lowered function body, or a generated one.
#[derive(Clone, Debug, Default)]
pub struct Body {
    pub stmts: Block,
    /// The returned values (a tuple when there are several).
    pub ret: Vec<Expr>,
}

/// Calls `f` on every statement of a block, nested ones included, in order.
pub fn walk(block: &[Stmt], f: &mut impl FnMut(&Stmt)) {
    for s in block {
        f(s);
        match s {
            Stmt::If { then, els, .. } => {
                walk(then, f);
                walk(els, f);
            }
            Stmt::Loop { body, .. } => walk(body, f),
            _ => {}
        }
    }
}

/// Unique names for the generated function.
///
/// Every identifier the user wrote anywhere in the function is reserved, so a
/// generated name can never capture or shadow a user's constant, function or
/// variable. A user variable keeps its own name for its first binding;
/// shadowing and reassignment give it suffixed versions (`x_1`).
#[derive(Clone, Debug, Default)]
pub struct Names {
    reserved: HashSet<String>,
    taken: HashSet<String>,
    /// For each base of [`Names::fresh`], the first suffix that may be
    /// free (`t_7` after `t` .. `t_6`): the probe starts there.
    next: HashMap<String, usize>,
}

impl Names {
    pub fn new(reserved: HashSet<String>) -> Names {
        Names {
            reserved,
            taken: HashSet::default(),
            next: HashMap::default(),
        }
    }

    /// The user's own name if it is still free, else a fresh suffixed one.
    pub fn claim(&mut self, name: &str, span: Span) -> Ident {
        if name.starts_with("r#") {
            // `r#type` cannot keep its spelling: derive a fresh name.
            return self.fresh(name, span);
        }
        let name = plain(name);
        if is_ident(&name) && self.taken.insert(name.clone()) {
            return Ident::new(&name, span);
        }
        self.fresh(&name, span)
    }

    /// Gives back a name that ended up unused (a temporary renamed to the
    /// user variable it was bound to).
    pub fn release(&mut self, name: &Ident) {
        let name = name.to_string();
        // The probes of its base start at it again.
        for (base, next) in &mut self.next {
            let n = match name.strip_prefix(base.as_str()) {
                Some("") => Some(0),
                Some(rest) => rest.strip_prefix('_').and_then(|k| k.parse::<usize>().ok()),
                None => None,
            };
            if let Some(n) = n {
                *next = (*next).min(n);
            }
        }
        self.taken.remove(&name);
    }

    /// A name derived from `base` that nobody uses.
    pub fn fresh(&mut self, base: &str, span: Span) -> Ident {
        let base = plain(base);
        // (Only the base itself may be a keyword: `type`, `self`.)
        let suffixable = ident_like(&base);
        let base_valid = suffixable && is_ident_like_name(&base);
        let mut candidate = String::with_capacity(base.len() + 4);
        candidate.push_str(&base);
        let stem = base.len();
        // One lookup of the base, kept for the update after the probe.
        let next = self.next.entry(base).or_insert(0);
        let mut n = *next;
        loop {
            candidate.truncate(stem);
            if n > 0 {
                candidate.push('_');
                push_decimal(&mut candidate, n);
            }
            let valid = if n > 0 { suffixable } else { base_valid };
            if valid && !self.reserved.contains(&candidate) && !self.taken.contains(&candidate) {
                break;
            }
            n += 1;
        }
        *next = n + 1;
        let ident = Ident::new(&candidate, span);
        self.taken.insert(candidate);
        ident
    }
}

/// `n` in decimal, appended (what `write!(s, "{n}")` writes, without the
/// formatting machinery, which an unoptimised macro pays for on every
/// fresh name).
fn push_decimal(s: &mut String, n: usize) {
    if n >= 10 {
        push_decimal(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// Letters, digits and `_`, not starting with a digit: with `_1` appended,
/// an identifier that is no keyword. (Bytes first: unoptimised, a `chars()`
/// iterator is calls per character.)
fn ident_like(name: &str) -> bool {
    let bytes = name.as_bytes();
    if matches!(bytes.first(), Some(b'0'..=b'9')) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => i += 1,
            0x80.. => return name[i..].chars().all(|c| c == '_' || c.is_alphanumeric()),
            _ => return false,
        }
    }
    true
}

/// Whether `name` is an identifier that is no keyword (what
/// `syn::parse_str::<Ident>` accepts, without running a lexer).
fn is_ident(name: &str) -> bool {
    ident_like(name) && is_ident_like_name(name)
}

/// [`is_ident`] of a name that is [`ident_like`].
fn is_ident_like_name(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
        "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if",
        "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv",
        "pub", "ref", "return", "Self", "self", "static", "struct", "super", "trait", "true",
        "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if name.is_empty() {
        return false;
    }
    // No keyword is longer than 8 characters or has a digit or a `_` but
    // `_` itself: most names are checked without the list.
    let maybe_keyword =
        name.len() <= 8 && (name == "_" || !name.bytes().any(|b| b == b'_' || b.is_ascii_digit()));
    !maybe_keyword || !KEYWORDS.contains(&name)
}

/// A name without the raw prefix: `r#type` becomes `type_`, which the
/// callers then check against keywords.
fn plain(name: &str) -> String {
    match name.strip_prefix("r#") {
        Some(rest) => format!("{rest}_"),
        None => name.to_owned(),
    }
}

/// Everything a transformation needs: the variables and the lowered body.
#[derive(Clone, Debug)]
pub struct Program {
    pub vars: Vec<Var>,
    pub names: Names,
    pub body: Body,
    /// The parameters that are active inputs, in order.
    pub active_params: Vec<VarId>,
    /// The `&mut` output buffers, in order.
    pub outputs: Vec<VarId>,
    /// The function works on nalgebra values: operators and copies are
    /// emitted on references (`::ad::__rt::mul(&a, &b)`, `x.clone()`), since
    /// the macro cannot tell a scalar from a matrix.
    pub matrix: bool,
    /// The float type parameter of a function generic over one (`T` in
    /// `fn f<T: Real>`): a cotangent the reverse sweep cannot take the zero
    /// of from its value is `<T as Zero>::zero()`, not `0.0`.
    pub real: Option<Ident>,
    /// The function's own buffers passed on bare to a helper called by its
    /// name (`g(u, &mut d)`), each taken for an in/out buffer of `g`:
    /// checked against `g`'s parameters (`callcheck.rs`).
    pub lent: Vec<Lent>,
    /// Calls of differentiated methods on receivers of a type the syntax
    /// names (`self`, `s: &S`, `let s = S::new(..);`): checked to have
    /// derivatives (`callcheck.rs`).
    pub methods: Vec<MethodCall>,
}

/// A call `s.m(..)` of a method taken for a differentiated one.
#[derive(Clone, Debug)]
pub struct MethodCall {
    /// The receiver's type (`Self`, `S`).
    pub ty: syn::Type,
    /// The method called (`m`, or its value form `__ad_value_m`), where the
    /// user wrote it.
    pub method: Ident,
    /// Whether the receiver is active (`self` with `wrt(self)`, an active
    /// parameter struct): `m` must name `self` in its `wrt(..)` then, and
    /// must not otherwise.
    pub active: bool,
    /// The receiver as written (`self`, `s`), for the messages.
    pub receiver: String,
    /// The caller's own buffers passed on bare to a value form (`s.m(x,
    /// d)`), checked against `m`'s marker of its parameters, and the
    /// number of arguments.
    pub lent: Vec<Lent>,
}

/// A buffer passed on bare, `g(.., u, ..)`, or a local lent with `&mut`.
#[derive(Clone, Debug)]
pub struct Lent {
    /// `g`.
    pub callee: String,
    /// The number of arguments, and the buffer's position among them.
    pub arity: usize,
    pub position: usize,
    /// The buffer's name, and the argument's span.
    pub name: String,
    pub span: Span,
    /// Lent with `&mut` (`g(.., &mut v, ..)`), not bare.
    pub borrowed: bool,
}

impl Var {
    /// A borrow of a struct's field (`let p_w = &p.w;`), of a type the
    /// macro does not see.
    pub fn is_field_borrow(&self) -> bool {
        self.field && self.by_ref
    }
}

impl Program {
    pub fn new_var(&mut self, name: Ident, kind: VarKind) -> VarId {
        self.vars.push(Var {
            name,
            kind,
            mutable: false,
            slot: false,
            array: false,
            nested: false,
            fixed: false,
            volatile: false,
            by_ref: false,
            borrowed: false,
            scalar: false,
            field: false,
            field_of: None,
            arity: None,
            inactive_slice: false,
            copy_ref: false,
            owned: false,
            payload: false,
            by_element: false,
            item: false,
            structure: false,
            view_arg: false,
        });
        self.vars.len() - 1
    }

    /// A new derived variable named after `base` (e.g. `x_bar`, `dx`).
    pub fn derived(&mut self, base: &str) -> VarId {
        let name = self.names.fresh(base, Span::call_site());
        self.new_var(name, VarKind::Derived)
    }

    pub fn name(&self, v: VarId) -> &Ident {
        &self.vars[v].name
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn identifiers_as_syn_reads_them() {
        for name in [
            "x", "x_1", "_x", "é", "type_", "self_", "Self_", "r", "gen", "x9",
        ] {
            assert!(is_ident(name), "{name}");
            assert!(syn::parse_str::<Ident>(name).is_ok(), "{name}");
        }
        for name in ["", "_", "type", "self", "Self", "fn", "1x", "a-b", "a b"] {
            assert!(!is_ident(name), "{name}");
            assert!(syn::parse_str::<Ident>(name).is_err(), "{name}");
        }
    }

    #[test]
    fn fresh_names_probe_from_the_last_one_and_reuse_released_ones() {
        let mut names = Names::new(["t_1".to_string()].into_iter().collect());
        let s = Span::call_site();
        let got: Vec<String> = (0..4).map(|_| names.fresh("t", s).to_string()).collect();
        assert_eq!(got, ["t", "t_2", "t_3", "t_4"]);
        names.release(&Ident::new("t_2", s));
        assert_eq!(names.fresh("t", s).to_string(), "t_2");
        assert_eq!(names.fresh("t", s).to_string(), "t_5");
        assert_eq!(names.claim("t_7", s).to_string(), "t_7");
        assert_eq!(names.fresh("t", s).to_string(), "t_6");
        assert_eq!(names.fresh("t", s).to_string(), "t_8");
        assert_eq!(names.fresh("type", s).to_string(), "type_1");
    }
}
