//! The README's example is this directory's `readme_example.rs`, verbatim,
//! and prints exactly the README's "Output:" block. (The README's code
//! blocks are also doctests of the `ad` crate, so they compile and run.)

mod example {
    use std::cell::RefCell;

    thread_local! {
        pub static LINES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    // The example's `println!` writes here instead of to standard output.
    macro_rules! println {
        ($($t:tt)*) => {
            LINES.with(|lines| lines.borrow_mut().push(format!($($t)*)))
        };
    }

    include!("readme_example.rs");

    pub fn run() -> Vec<String> {
        main();
        LINES.with(|lines| lines.borrow().clone())
    }
}

/// The body of the fenced block that follows `marker` in the README.
fn block_after(readme: &str, marker: &str) -> String {
    let start = readme.find(marker).expect("the marker is in the README") + marker.len();
    let rest = &readme[start..];
    let open = rest.find("```").expect("a fenced block follows");
    let body = &rest[open..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    body[..body.find("```").expect("a closing fence")].to_owned()
}

#[test]
fn readme_example_is_this_file_and_prints_its_output() {
    let readme = include_str!("../README.md");
    assert_eq!(
        block_after(readme, "## Example\n"),
        include_str!("readme_example.rs"),
        "tests/readme_example.rs must be the README's example, verbatim"
    );
    let printed = example::run().join("\n") + "\n";
    assert_eq!(printed, block_after(readme, "Output:\n"));
}
