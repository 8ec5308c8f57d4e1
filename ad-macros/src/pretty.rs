//! A small printer for generated code, for `#[differentiate(dump)]` and the
//! snapshot tests: one statement per line, indented blocks. (`prettyplease`
//! would be nicer, but the macro keeps to syn, quote and proc-macro2.)

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

const KEYWORDS: &[&str] = &[
    "let", "mut", "fn", "pub", "return", "as", "if", "else", "in", "for", "while", "loop", "match",
    "move", "ref", "where", "impl", "dyn", "use",
];

/// Prints a token stream as readable Rust.
pub fn pretty(tokens: TokenStream) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        prev: Prev::Start,
        nested: 0,
    };
    p.stream(tokens);
    p.out.trim_end().to_owned() + "\n"
}

#[derive(Clone, Copy, PartialEq)]
enum Prev {
    Start,
    Ident,
    Keyword,
    Literal,
    /// A punctuation after which an operand starts (`=`, `+`, `(` ...).
    Operator,
    /// A joint punctuation or a prefix operator: no space after it.
    Tight,
    Close,
}

struct Printer {
    out: String,
    indent: usize,
    prev: Prev,
    /// Inside `(..)` or `[..]`: a `;` there (`[0.0; n]`) ends no statement.
    nested: usize,
}

impl Printer {
    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.prev = Prev::Start;
    }

    fn space(&mut self) {
        if !matches!(self.prev, Prev::Start | Prev::Tight) && !self.out.ends_with(' ') {
            self.out.push(' ');
        }
    }

    fn stream(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                TokenTree::Ident(ident) => {
                    let s = ident.to_string();
                    self.space();
                    self.out.push_str(&s);
                    self.prev = if KEYWORDS.contains(&s.as_str()) {
                        Prev::Keyword
                    } else {
                        Prev::Ident
                    };
                }
                TokenTree::Literal(lit) => {
                    self.space();
                    self.out.push_str(&lit.to_string());
                    self.prev = Prev::Literal;
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    let joint = punct.spacing() == Spacing::Joint;
                    match c {
                        ';' if self.nested > 0 => {
                            self.out.push(';');
                            self.prev = Prev::Operator;
                        }
                        ';' => {
                            self.out.push(';');
                            self.newline();
                        }
                        // `vec!`, `matches!`: the macro's bang is tight.
                        '!' if self.prev == Prev::Ident => {
                            self.out.push('!');
                            self.prev = Prev::Close;
                        }
                        ',' => {
                            self.out.push(',');
                            self.prev = Prev::Operator;
                        }
                        '.' => {
                            self.out.push('.');
                            self.prev = Prev::Tight;
                        }
                        ':' if joint || self.out.ends_with(':') => {
                            if !joint && self.out.ends_with(':') {
                                self.out.push(':');
                                self.prev = Prev::Tight;
                            } else {
                                if !matches!(self.prev, Prev::Ident | Prev::Close | Prev::Tight) {
                                    self.space();
                                }
                                self.out.push(':');
                                self.prev = Prev::Tight;
                            }
                        }
                        ':' => {
                            self.out.push(':');
                            self.prev = Prev::Operator;
                        }
                        '#' => {
                            self.space();
                            self.out.push('#');
                            self.prev = Prev::Tight;
                        }
                        '&' | '-' | '!' | '*'
                            if matches!(
                                self.prev,
                                Prev::Start | Prev::Operator | Prev::Keyword | Prev::Tight
                            ) =>
                        {
                            // prefix operator
                            self.space();
                            self.out.push(c);
                            self.prev = Prev::Tight;
                        }
                        _ => {
                            if self.prev != Prev::Tight
                                || !self.out.ends_with(|ch: char| "=<>!+-*/&|".contains(ch))
                            {
                                self.space();
                            }
                            self.out.push(c);
                            self.prev = if joint { Prev::Tight } else { Prev::Operator };
                        }
                    }
                    let _ = i;
                }
                TokenTree::Group(g) => match g.delimiter() {
                    Delimiter::Brace => {
                        let nested = std::mem::take(&mut self.nested);
                        self.space();
                        self.out.push('{');
                        self.indent += 1;
                        self.newline();
                        self.stream(g.stream());
                        self.indent -= 1;
                        // drop the blank line a final `;` left
                        let trimmed = self.out.trim_end().len();
                        self.out.truncate(trimmed);
                        self.newline();
                        self.out.push('}');
                        self.nested = nested;
                        let next_continues = match tokens.get(i + 1) {
                            Some(TokenTree::Ident(n)) => n == "else",
                            Some(TokenTree::Punct(p)) => matches!(p.as_char(), ';' | ',' | '.'),
                            _ => false,
                        };
                        if next_continues {
                            self.prev = Prev::Close;
                        } else {
                            self.newline();
                        }
                    }
                    Delimiter::Parenthesis | Delimiter::Bracket => {
                        let (open, close) = if g.delimiter() == Delimiter::Parenthesis {
                            ('(', ')')
                        } else {
                            ('[', ']')
                        };
                        if !matches!(self.prev, Prev::Ident | Prev::Close)
                            || open == '[' && self.out.ends_with('#')
                        {
                            self.space();
                        }
                        self.out.push(open);
                        self.prev = Prev::Tight;
                        self.nested += 1;
                        self.stream(g.stream());
                        self.nested -= 1;
                        self.out.push(close);
                        self.prev = Prev::Close;
                        if open == '[' && self.out.ends_with(']') && self.out.contains("#[") {
                            // an attribute: own line
                            let line_start = self.out.rfind('\n').map_or(0, |n| n + 1);
                            if self.out[line_start..].trim_start().starts_with("#[") {
                                self.newline();
                            }
                        }
                    }
                    Delimiter::None => self.stream(g.stream()),
                },
            }
        }
    }
}
