//! The tables of what has rules: float functions, nalgebra methods, `nn`
//! functions.

use super::*;

pub(super) const UNARY: &[&str] = &[
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "exp",
    "exp2",
    "exp_m1",
    "ln",
    "ln_1p",
    "log2",
    "log10",
    "sqrt",
    "cbrt",
    "recip",
    "abs",
    "signum",
    "to_degrees",
    "to_radians",
    "fract",
    "next_up",
    "next_down",
];
pub(super) const BINARY: &[&str] = &[
    "atan2",
    "powf",
    "hypot",
    "max",
    "min",
    "log",
    "rem_euclid",
    "copysign",
    "midpoint",
];

/// `Vec` and slice methods that grow, shrink or reorder an array: rejected on
/// active arrays with what to write instead (except `push` and
/// `extend_from_slice` as statements, see `lower_push`).
pub(super) const RESHAPING: &[&str] = &[
    "push",
    "pop",
    "insert",
    "remove",
    "extend",
    "extend_from_slice",
    "truncate",
    "resize",
    "clear",
    "append",
    "swap",
    "swap_with_slice",
    "reverse",
    "rotate_left",
    "rotate_right",
    "sort_by",
    "sort_unstable_by",
    "dedup",
    "retain",
];

/// Methods whose result carries no derivative (a `bool`, an integer, or a
/// piecewise-constant float): their calls are constants, even on active values.
pub(super) const NON_DIFFERENTIABLE: &[&str] = &[
    "div_euclid",
    "floor",
    "ceil",
    "round",
    "round_ties_even",
    "trunc",
    "is_nan",
    "is_finite",
    "is_infinite",
    "is_normal",
    "is_subnormal",
    "is_sign_positive",
    "is_sign_negative",
    "classify",
    "to_bits",
    "partial_cmp",
    "total_cmp",
    "len",
    "is_empty",
    "nrows",
    "ncols",
    "shape",
];

/// Methods whose result is an index or a count, decided by comparisons
/// (`xs.partition_point(|&k| k <= x)`, `v.iter().position(|&a| a > x)`):
/// no derivative flows through them, whatever they read.
pub(super) const INDEX_METHODS: &[&str] = &[
    "partition_point",
    "position",
    "rposition",
    "binary_search",
    "binary_search_by",
    "binary_search_by_key",
];

/// Methods of an index (or of an `Option` or `Result` of one) that give an
/// index again (`.unwrap_or(0)`, `.clamp(1, n - 1)`).
pub(super) const INDEX_PRESERVING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "map_or",
    "clamp",
    "min",
    "max",
    "saturating_sub",
    "saturating_add",
    "wrapping_sub",
    "wrapping_add",
];

/// nalgebra methods with rules in `ad_runtime::la`: name, runtime module,
/// which arguments (receiver first) carry a derivative.
pub(super) const LA_METHODS: &[(&str, &str, &[bool])] = &[
    ("transpose", "la::transpose", &[true]),
    ("sum", "la::sum", &[true]),
    ("mean", "la::mean", &[true]),
    ("norm", "la::norm", &[true]),
    ("norm_squared", "la::norm_squared", &[true]),
    ("dot", "la::dot", &[true, true]),
    ("component_mul", "la::component_mul", &[true, true]),
    ("component_div", "la::component_div", &[true, true]),
    ("add_scalar", "la::add_scalar", &[true, true]),
    ("column", "la::column", &[true, false]),
    ("row", "la::row", &[true, false]),
    ("trace", "la::trace", &[true]),
    ("determinant", "la::determinant", &[true]),
    ("cross", "la::cross", &[true, true]),
    ("rows", "la::rows", &[true, false, false]),
    ("columns", "la::columns", &[true, false, false]),
    // Without arguments (`x.max(y)` is the float method).
    ("max", "la::max", &[true]),
    ("min", "la::min", &[true]),
    ("amax", "la::amax", &[true]),
    ("amin", "la::amin", &[true]),
];

/// nalgebra's factorisations and solves, written as chains of calls that
/// `linalg.rs` recognises (`a.lu().solve(&b).unwrap()`): runtime module,
/// which arguments carry a derivative.
pub(super) const LA_CHAINS: &[(&str, &[bool])] = &[
    ("la::inverse", &[true]),
    ("la::solve", &[true, true]),
    ("la::solve_cholesky", &[true, true]),
    ("la::solve_lower_triangular", &[true, true]),
    ("la::solve_upper_triangular", &[true, true]),
];

/// nalgebra's fixed-size blocks, written with a turbofish
/// (`a.fixed_rows::<2>(i)`) that `linalg.rs` turns into `Const::<2>`
/// arguments: runtime module, which arguments carry a derivative.
pub(super) const LA_FIXED: &[(&str, &[bool])] = &[
    ("la::fixed_rows", &[true, false, false]),
    ("la::fixed_columns", &[true, false, false]),
    ("la::fixed_view", &[true, false, false, false, false]),
];

/// The `la` rules whose value is a scalar.
pub const LA_SCALAR: &[&str] = &[
    "la::sum",
    "la::mean",
    "la::norm",
    "la::norm_squared",
    "la::dot",
    "la::trace",
    "la::determinant",
    "la::max",
    "la::min",
    "la::amax",
    "la::amin",
];

/// `m.map(f)`: the receiver, then `f` and its two derivatives (closures).
pub(super) const MAP: LaOp = LaOp {
    module: "la::map",
    active_args: &[true, false, false, false],
};

/// The `la`/`nn` operation with rules in `module`, for rules that need to
/// know which arguments carry no derivative (the closures of `map`, indices).
pub fn la_op(module: &str) -> Option<LaOp> {
    if module == MAP.module {
        return Some(MAP);
    }
    LA_METHODS
        .iter()
        .map(|&(_, module, active_args)| (module, active_args))
        .chain(LA_CHAINS.iter().copied())
        .chain(LA_FIXED.iter().copied())
        .find(|(m, _)| *m == module)
        .map(|(module, active_args)| LaOp {
            module,
            active_args,
        })
}

/// Functions of `ad::nn` with rules, called as `nn::softmax(&z)`.
pub(super) const NN_FUNCTIONS: &[(&str, &str)] = &[
    ("sigmoid", "nn::sigmoid"),
    ("tanh", "nn::tanh"),
    ("relu", "nn::relu"),
    ("softmax", "nn::softmax"),
    ("log_softmax", "nn::log_softmax"),
    ("logsumexp", "nn::logsumexp"),
];

pub(super) fn la_method(name: &str) -> Option<LaOp> {
    LA_METHODS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, module, active_args)| LaOp {
            module,
            active_args,
        })
}

pub(super) fn la_methods() -> String {
    let methods = LA_METHODS
        .iter()
        .map(|(n, ..)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{methods}, and the factorisations written as one expression: \
         `a.try_inverse().unwrap()`, `a.lu().solve(&b).unwrap()`, \
         `a.cholesky().unwrap().solve(&b)`, `a.solve_lower_triangular(&b).unwrap()`, \
         `a.solve_upper_triangular(&b).unwrap()` (`expect(..)` for `unwrap()`)"
    )
}

/// `a % b` (see `lower_binary`), or `a.rem(b)` with `Rem` in scope.
pub(super) const REM: Func = Func {
    name: "rem",
    arity: 2,
    active_args: &[true, true],
};

/// The elementary function called `name`, if it has a rule.
pub fn func(name: &str) -> Option<Func> {
    if let Some(n) = UNARY.iter().find(|n| **n == name) {
        return Some(Func {
            name: n,
            arity: 1,
            active_args: &[true],
        });
    }
    if let Some(n) = BINARY.iter().find(|n| **n == name) {
        return Some(Func {
            name: n,
            arity: 2,
            active_args: &[true, true],
        });
    }
    match name {
        "powi" => Some(Func {
            name: "powi",
            arity: 2,
            active_args: &[true, false],
        }),
        "mul_add" => Some(Func {
            name: "mul_add",
            arity: 3,
            active_args: &[true, true, true],
        }),
        "rem" => Some(REM),
        "clamp" => Some(Func {
            name: "clamp",
            arity: 3,
            active_args: &[true, true, true],
        }),
        _ => None,
    }
}

pub(super) fn supported_methods() -> String {
    let mut all: Vec<&str> = UNARY.iter().chain(BINARY).copied().collect();
    all.extend(["powi", "mul_add", "clamp", "sin_cos"]);
    all.join(", ")
}

/// Methods of iterators: over active values, only the chains that
/// `desugar/iter.rs` rewrites are supported.
pub(super) const ITERATOR_METHODS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "map",
    "zip",
    "enumerate",
    "rev",
    "skip",
    "take",
    "step_by",
    "filter",
    "fold",
    "product",
    "collect",
    "copied",
    "cloned",
    "windows",
    "chunks",
    "chunks_exact",
    "max_by",
    "min_by",
    "reduce",
    "for_each",
    "count",
    "filter_map",
    "flat_map",
    "scan",
    "take_while",
    "skip_while",
    "chain",
    "last",
    "nth",
    "next",
    "position",
    "any",
    "all",
    "find",
    "max_by_key",
    "min_by_key",
    "sum",
];
