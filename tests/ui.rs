//! Compile errors: every unsupported construct and misuse is reported at the
//! narrowest span, saying what to write instead. One trybuild invocation for
//! the whole suite (each case is a separate crate build).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
