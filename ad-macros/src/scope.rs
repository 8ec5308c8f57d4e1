//! Where the annotated function stands: at a module's level (its generated
//! siblings are named `__ad_vjp_f`) or in an `impl` block (`Self::__ad_vjp_f`).
//!
//! An attribute macro sees only its item, and a function without a
//! receiver reads the same in both places. The generated `f_jvp`, `f_vjp`
//! and `f_grad` call the hidden wrapper that holds the derivative's body
//! when the scope is known, and hold a copy of the body otherwise. The
//! scope is known from a receiver, or read from the function's source file:
//! the braces around the function's name, at the line and column its span
//! gives. Whatever cannot be read with certainty (a file that is not there
//! or does not show the function's name at that place, a function inside a
//! macro's input, a trait) is [`Scope::Unknown`], which costs compile time
//! and nothing else. A trait impl ([`Scope::TraitImpl`]) may hold only the
//! trait's items: the derivatives cannot stand there, and `expand.rs`
//! rejects the function.

use crate::fx::HashMap;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

/// The scope of a function, as far as its siblings' paths go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A module, or a block: siblings are named by their name.
    Free,
    /// An `impl` block: siblings are `Self::` items.
    Assoc,
    /// Not known: every generated item holds its own body.
    Unknown,
    /// An `impl Trait for Type` block, which holds only the trait's items:
    /// rejected (`expand.rs`), nothing generated.
    TraitImpl,
}

/// The functions of one source file: each function's name, at its line and
/// column (1-based, in characters, as `proc_macro::Span` counts), with its
/// scope.
type Table = HashMap<(usize, usize), (String, Scope)>;

/// A file's text, as read, and its table.
type Read = (Rc<str>, Rc<Table>);

thread_local! {
    /// The files read in this compilation, with their tables (a proc macro
    /// server may outlive an edit: the text is compared before the table is
    /// used).
    static FILES: RefCell<HashMap<PathBuf, Read>> = RefCell::new(HashMap::default());
}

/// The scope of the function named `name` whose name starts at `line`,
/// `column` of `file`.
pub fn scope_in_file(file: &std::path::Path, line: usize, column: usize, name: &str) -> Scope {
    // Code a build script writes is read with `include!`, which may stand
    // in an `impl` block: its file's own level says nothing.
    if let Some(out) = std::env::var_os("OUT_DIR") {
        let absolute = |p: &std::path::Path| std::fs::canonicalize(p).ok();
        if absolute(file)
            .zip(absolute(out.as_ref()))
            .is_some_and(|(f, o)| f.starts_with(o))
        {
            return Scope::Unknown;
        }
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return Scope::Unknown;
    };
    let table = FILES.with(|files| {
        let mut files = files.borrow_mut();
        if let Some((old, table)) = files.get(file) {
            if **old == *text {
                return table.clone();
            }
        }
        let table = Rc::new(functions(&text));
        files.insert(file.to_path_buf(), (Rc::from(text.as_str()), table.clone()));
        table
    });
    match table.get(&(line, column)) {
        Some((n, scope)) if n == name => *scope,
        _ => Scope::Unknown,
    }
}

/// A token of the lexer, as far as scopes go.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// A closed `(..)` or `[..]` group, or a literal.
    Other,
}

/// An open group: its delimiter and the tokens before it since the last
/// item boundary of its level (its header: `impl<T> Foo<T>`, `mod m`,
/// `fn g(x: f64)`, `macro_rules! m`).
struct Open {
    delim: char,
    header: Vec<Tok>,
}

/// Every function of `text`: the place of its name, its name and its
/// scope.
pub(crate) fn functions(text: &str) -> Table {
    let mut table = Table::default();
    let mut stack: Vec<Open> = Vec::new();
    // The tokens of the current level since its last item boundary.
    let mut current: Vec<Tok> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    // Moves past `n` characters, counting lines.
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize, n: usize| {
        for _ in 0..n {
            if *i >= chars.len() {
                return;
            }
            if chars[*i] == '\n' {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
            *i += 1;
        }
    };
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut col, 1);
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut col, 1);
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0usize;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    advance(&mut i, &mut line, &mut col, 2);
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    advance(&mut i, &mut line, &mut col, 2);
                    if depth == 0 {
                        break;
                    }
                } else {
                    advance(&mut i, &mut line, &mut col, 1);
                }
            }
        } else if c == '"' {
            advance(&mut i, &mut line, &mut col, 1);
            skip_string(&chars, &mut i, &mut line, &mut col, &advance);
            current.push(Tok::Other);
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // '\n', '\'', '\u{..}'
                advance(&mut i, &mut line, &mut col, 3);
                while i < chars.len() && chars[i] != '\'' {
                    advance(&mut i, &mut line, &mut col, 1);
                }
                advance(&mut i, &mut line, &mut col, 1);
                current.push(Tok::Other);
            } else if at(i + 2) == '\'' {
                advance(&mut i, &mut line, &mut col, 3);
                current.push(Tok::Other);
            } else {
                // A lifetime or a label.
                advance(&mut i, &mut line, &mut col, 1);
                while i < chars.len() && is_ident_char(chars[i]) {
                    advance(&mut i, &mut line, &mut col, 1);
                }
                current.push(Tok::Other);
            }
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (is_ident_char(chars[i]) || (chars[i] == '.' && at(i + 1).is_ascii_digit()))
            {
                advance(&mut i, &mut line, &mut col, 1);
            }
            current.push(Tok::Other);
        } else if is_ident_start(c) {
            let (start_line, start_col) = (line, col);
            let begin = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                advance(&mut i, &mut line, &mut col, 1);
            }
            let word: String = chars[begin..i].iter().collect();
            let next = at(i);
            match (word.as_str(), next) {
                // Raw strings: r"..", r#".."#, br"..", cr"..".
                ("r" | "br" | "cr", '"' | '#') if raw_string_follows(&chars, i) => {
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    advance(&mut i, &mut line, &mut col, 1);
                    loop {
                        if i >= chars.len() {
                            break;
                        }
                        if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                            advance(&mut i, &mut line, &mut col, 1 + hashes);
                            break;
                        }
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    current.push(Tok::Other);
                }
                ("b" | "c", '"') => {
                    advance(&mut i, &mut line, &mut col, 1);
                    skip_string(&chars, &mut i, &mut line, &mut col, &advance);
                    current.push(Tok::Other);
                }
                ("b", '\'') => {
                    advance(&mut i, &mut line, &mut col, 1);
                    if at(i) == '\\' {
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    advance(&mut i, &mut line, &mut col, 1);
                    while i < chars.len() && chars[i] != '\'' {
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    advance(&mut i, &mut line, &mut col, 1);
                    current.push(Tok::Other);
                }
                ("r", '#') if is_ident_start(at(i + 1)) => {
                    // A raw identifier, r#name: the name is what a span shows.
                    advance(&mut i, &mut line, &mut col, 1);
                    let begin = i;
                    while i < chars.len() && is_ident_char(chars[i]) {
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    let word = format!("r#{}", chars[begin..i].iter().collect::<String>());
                    if current.last() == Some(&Tok::Ident("fn".into())) {
                        table.insert((start_line, start_col), (word.clone(), classify(&stack)));
                    }
                    current.push(Tok::Ident(word));
                }
                _ => {
                    if current.last() == Some(&Tok::Ident("fn".into())) {
                        table.insert((start_line, start_col), (word.clone(), classify(&stack)));
                    }
                    current.push(Tok::Ident(word));
                }
            }
        } else {
            advance(&mut i, &mut line, &mut col, 1);
            match c {
                '{' | '(' | '[' => {
                    stack.push(Open {
                        delim: c,
                        header: std::mem::take(&mut current),
                    });
                }
                '}' | ')' | ']' => {
                    let Some(open) = stack.pop() else {
                        // Unbalanced: nothing after this is certain.
                        return table;
                    };
                    current = open.header;
                    // A block in a generic argument (`impl Foo<{ N }>`,
                    // within an open `<`) is part of its header; any other
                    // `{..}` ends an item (or a block: the same for what
                    // follows).
                    // `>` of an arrow (`Fn() -> f64`) closes nothing.
                    let opened = current.iter().filter(|t| **t == Tok::Punct('<')).count();
                    let closed = (0..current.len())
                        .filter(|&k| {
                            current[k] == Tok::Punct('>')
                                && (k == 0 || current[k - 1] != Tok::Punct('-'))
                        })
                        .count();
                    let generic = matches!(
                        first_word(&current),
                        Some("impl" | "fn" | "struct" | "enum" | "union" | "trait" | "type")
                    );
                    let argument = generic && opened > closed;
                    if open.delim == '{' && !argument {
                        current.clear();
                    } else {
                        current.push(Tok::Other);
                    }
                }
                ';' => current.clear(),
                // An inner attribute's `#!`, not a macro's.
                '!' if current.last() == Some(&Tok::Punct('#')) => {}
                _ => current.push(Tok::Punct(c)),
            }
        }
    }
    table
}

/// Skips a string's contents after its opening quote, to and with the
/// closing one.
fn skip_string(
    chars: &[char],
    i: &mut usize,
    line: &mut usize,
    col: &mut usize,
    advance: &impl Fn(&mut usize, &mut usize, &mut usize, usize),
) {
    while *i < chars.len() {
        match chars[*i] {
            '\\' => advance(i, line, col, 2),
            '"' => {
                advance(i, line, col, 1);
                return;
            }
            _ => advance(i, line, col, 1),
        }
    }
}

/// `r`, `br` or `cr` at `i - 1` starts a raw string: `#`s, then `"`.
fn raw_string_follows(chars: &[char], mut i: usize) -> bool {
    while chars.get(i) == Some(&'#') {
        i += 1;
    }
    chars.get(i) == Some(&'"')
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The scope of a function in the innermost of the open groups `stack`.
fn classify(stack: &[Open]) -> Scope {
    // In a macro's input (`m! { .. }`, `macro_rules! m { .. }`), or after
    // anything else with a `!` (`fn g() -> ! {`): not certain.
    if stack.iter().any(|o| o.header.contains(&Tok::Punct('!'))) {
        return Scope::Unknown;
    }
    let Some(open) = stack.last() else {
        // The file's own level. (A file read by `include!` within an `impl`
        // block would be misread: `include!` of generated code is excluded
        // above, a hand-written file included into an `impl` is not.)
        return Scope::Free;
    };
    if open.delim != '{' {
        return Scope::Unknown;
    }
    match first_word(&open.header) {
        Some("impl") if is_trait_impl(&open.header) => Scope::TraitImpl,
        Some("impl") => Scope::Assoc,
        Some("trait" | "extern") => Scope::Unknown,
        // A module, a function's body, a block.
        _ => Scope::Free,
    }
}

/// An `impl` header names a trait: `for` outside `<..>`, before `where`,
/// and not a bound's `for<'a>`.
fn is_trait_impl(header: &[Tok]) -> bool {
    let mut depth = 0usize;
    for (k, tok) in header.iter().enumerate() {
        match tok {
            Tok::Punct('<') => depth += 1,
            // Not the `>` of `->` (`impl<F: Fn(f64) -> f64>`).
            Tok::Punct('>') if k > 0 && header[k - 1] != Tok::Punct('-') => {
                depth = depth.saturating_sub(1)
            }
            Tok::Ident(w) if w == "where" => return false,
            Tok::Ident(w) if w == "for" && depth == 0 => {
                return header.get(k + 1) != Some(&Tok::Punct('<'));
            }
            _ => {}
        }
    }
    false
}

/// The first word of a header, after attributes and qualifiers (`impl`
/// in `#[cfg(x)] unsafe impl X for Y`), if a word comes first.
fn first_word(header: &[Tok]) -> Option<&str> {
    let mut words = header.iter().peekable();
    loop {
        match words.next()? {
            Tok::Punct('#') => {
                words.next();
            }
            Tok::Ident(w) if matches!(w.as_str(), "unsafe" | "default" | "pub") => {
                if w == "pub" && words.peek() == Some(&&Tok::Other) {
                    words.next();
                }
            }
            Tok::Ident(w) => return Some(w),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> Vec<(String, Scope)> {
        let mut v: Vec<_> = functions(text).into_iter().collect();
        v.sort_by_key(|(k, _)| *k);
        v.into_iter().map(|(_, f)| f).collect()
    }

    #[test]
    fn reads_the_scope_of_each_function() {
        let text = r##"
// fn not_this() in a comment { impl }
/* nested /* fn nor_this */ */
use std::f64;
#[derive(Clone)]
struct S { a: f64 }
fn free(x: f64) -> f64 { x }
impl S {
    pub fn method(x: f64) -> f64 { let s = "}{ fn no"; let c = '{'; x }
    fn with_generics<'a, T>(x: &'a [T]) -> f64 { 0.0 }
}
impl<T: Clone> Trait for Vec<T> where T: Copy {
    fn in_trait_impl(&self) {}
}
impl Foo<{ N + 1 }, { M }> {
    fn after_const_argument() {}
}
impl<T> X for Y<T> where T: Into<f64>, {
    fn before_trailing_comma() {}
}
impl<F: Fn(f64) -> f64> W<F> where F: for<'a> Tr<'a> {
    fn inherent_with_bounds() {}
}
impl<F: for<'a> Fn(&'a f64) -> f64> Tr for W<F> {
    fn trait_after_arrow() {}
}
impl<F: Fn() -> f64> V<F, { N }> {
    fn const_argument_after_arrow() {}
}
fn after_trailing_comma() -> Vec<u8> { fn nested_there() {} }
fn body(a: f64, b: f64) {
    if a < b { }
    impl Z { fn after_a_comparison() {} }
}
#[cfg(test)]
pub(crate) mod m {
    pub fn in_module() { fn nested() {} }
    unsafe impl X for Y { fn after_unsafe() {} }
}
trait T { fn in_trait() {} }
macro_rules! m { () => { fn in_macro() {} } }
m! { fn in_input() {} }
fn never() -> ! { fn after_bang() {} loop {} }
const R: &str = r#"fn in_raw() { "#;
fn r#match() {}
fn after_raw(c: u8) -> bool { c == b'{' || c == b'\'' || '\'' == '}' }
fn é() {}
"##;
        use Scope::*;
        let got = scopes(text);
        let expected = [
            ("free", Free),
            ("method", Assoc),
            ("with_generics", Assoc),
            ("in_trait_impl", TraitImpl),
            ("after_const_argument", Assoc),
            ("before_trailing_comma", TraitImpl),
            ("inherent_with_bounds", Assoc),
            ("trait_after_arrow", TraitImpl),
            ("const_argument_after_arrow", Assoc),
            ("after_trailing_comma", Free),
            ("nested_there", Free),
            ("body", Free),
            ("after_a_comparison", Assoc),
            ("in_module", Free),
            ("nested", Free),
            ("after_unsafe", TraitImpl),
            ("in_trait", Unknown),
            ("in_macro", Unknown),
            ("in_input", Unknown),
            ("never", Free),
            ("after_bang", Unknown),
            ("r#match", Free),
            ("after_raw", Free),
            ("é", Free),
        ];
        let expected: Vec<(String, Scope)> =
            expected.iter().map(|(n, s)| (n.to_string(), *s)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn places_are_lines_and_columns_in_characters() {
        let table = functions("// é\n  fn é() {}\n#![allow(x)]\nimpl S { fn f() {} }\n");
        assert_eq!(table.get(&(2, 6)), Some(&("é".to_string(), Scope::Free)));
        assert_eq!(table.get(&(4, 13)), Some(&("f".to_string(), Scope::Assoc)));
    }

    #[test]
    fn generated_code_is_not_read() {
        let dir = std::env::temp_dir().join(format!("ad_scope_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("generated.rs");
        std::fs::write(&file, "fn f() {}\n").unwrap();
        let before = std::env::var_os("OUT_DIR");
        std::env::set_var("OUT_DIR", std::env::temp_dir().join("elsewhere"));
        assert_eq!(scope_in_file(&file, 1, 4, "f"), Scope::Free);
        assert_eq!(scope_in_file(&file, 1, 4, "g"), Scope::Unknown);
        assert_eq!(scope_in_file(&file, 1, 5, "f"), Scope::Unknown);
        std::env::set_var("OUT_DIR", &dir);
        assert_eq!(scope_in_file(&file, 1, 4, "f"), Scope::Unknown);
        match before {
            Some(v) => std::env::set_var("OUT_DIR", v),
            None => std::env::remove_var("OUT_DIR"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A function's place, name and scope.
    type Found = ((usize, usize), String, Scope);

    /// syn's reading of a file: every function it parses (not those in
    /// macros' inputs), at its name's line and column, with its scope.
    fn reference(text: &str) -> Option<Vec<Found>> {
        use syn::visit::Visit;
        // The functions found, and whether the innermost `impl` names a
        // trait.
        struct Walk(Vec<Found>, bool);
        impl Walk {
            fn note(&mut self, ident: &syn::Ident, scope: Scope) {
                let start = ident.span().start();
                self.0
                    .push(((start.line, start.column + 1), ident.to_string(), scope));
            }
        }
        impl<'ast> Visit<'ast> for Walk {
            fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
                self.note(&f.sig.ident, Scope::Free);
                syn::visit::visit_item_fn(self, f);
            }
            fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
                let outer = std::mem::replace(&mut self.1, i.trait_.is_some());
                syn::visit::visit_item_impl(self, i);
                self.1 = outer;
            }
            fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
                let scope = match self.1 {
                    true => Scope::TraitImpl,
                    false => Scope::Assoc,
                };
                self.note(&f.sig.ident, scope);
                syn::visit::visit_impl_item_fn(self, f);
            }
            fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
                self.note(&f.sig.ident, Scope::Unknown);
                syn::visit::visit_trait_item_fn(self, f);
            }
        }
        let file = syn::parse_file(text).ok()?;
        let mut walk = Walk(Vec::new(), false);
        walk.visit_file(&file);
        Some(walk.0)
    }

    /// Checks the reader against syn on every Rust file under `root`: it
    /// finds every function syn finds, and says either syn's scope or,
    /// where it is not certain, `Unknown`; never the other scope. Returns
    /// the files, the functions, and those left unknown.
    fn against_syn(root: &std::path::Path) -> (usize, usize, usize) {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let name = entry.file_name();
                if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        files(root, &mut paths);
        let (mut checked, mut unknown) = (0, 0);
        for path in &paths {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Some(expected) = reference(&text) else {
                continue;
            };
            let table = functions(&text);
            for (place, name, scope) in expected {
                let got = table.get(&place);
                assert!(
                    got.is_some_and(|(n, s)| *n == name && (*s == scope || *s == Scope::Unknown)),
                    "{}: `{name}` at {place:?}: syn reads {scope:?}, the reader {got:?}",
                    path.display()
                );
                checked += 1;
                if got.is_some_and(|(_, s)| *s == Scope::Unknown) && scope != Scope::Unknown {
                    unknown += 1;
                }
            }
        }
        println!(
            "{} files, {checked} functions, {unknown} left unknown",
            paths.len()
        );
        (paths.len(), checked, unknown)
    }

    #[test]
    fn agrees_with_syn_on_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (_, checked, unknown) = against_syn(&root);
        assert!(checked > 5000, "{checked}");
        assert!(unknown * 100 < checked, "{unknown} unknown of {checked}");
    }

    /// The same on any tree of sources: `AD_SCOPE_CORPUS=~/.cargo/registry/src
    /// cargo test -p ad-macros agrees_with_syn_on_a_corpus -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn agrees_with_syn_on_a_corpus() {
        let root = std::env::var_os("AD_SCOPE_CORPUS").expect("AD_SCOPE_CORPUS");
        against_syn(std::path::Path::new(&root));
    }

    #[test]
    fn unbalanced_text_stops_the_table() {
        let table = functions("fn a() {} } fn b() {}");
        assert!(table.values().any(|(n, _)| n == "a"));
        assert!(!table.values().any(|(n, _)| n == "b"));
    }
}
