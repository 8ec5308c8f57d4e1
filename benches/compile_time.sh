#!/usr/bin/env bash
# Compile-time cost of #[differentiate] (issue 8): the build time of a crate
# with 50 differentiated functions (the first 50 of tests/random_functions.rs:
# loops, branches, slices, calls) against the same crate without the
# attribute, in debug and release (the derivatives not called, the gradients
# called, all four called); and the expansion time of the largest
# differentiated function of the repository.
#
# Run from the repository root: `bash benches/compile_time.sh`
# (dependencies are built once first; each build is timed 3 times after a
# `touch`, and the medians of the wall and CPU times are printed). Set
# TMPDIR to build somewhere else than /tmp/ad_compile_time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/ad_compile_time
rm -rf "$work"
mkdir -p "$work"

python3 - "$root" "$work" <<'PY'
import re, sys, pathlib
root, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = (root / "tests/random_functions.rs").read_text()
items = []
for m in re.finditer(r"^#\[differentiate[^\n]*\]\n(?:pub )?fn r0[0-4]\d\(", text, flags=re.M):
    i = text.index("{", m.end())
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            break
    # `pub`, so that both crates generate code for every function (a private
    # function that nothing calls is never compiled to machine code).
    items.append(re.sub(r"^(?:pub )?fn ", "pub fn ", text[m.start():j + 1], count=1, flags=re.M))
assert len(items) == 50, len(items)
body = "\n\n".join(items) + "\n"
header = "#![allow(unused_assignments, unused_braces, unused_mut, unused_variables, dead_code, clippy::all)]\n"
# The derivatives are `#[inline]`: compiled to machine code only where
# something calls them. `grad` takes the address of every `_grad` (what a
# user who trains a model calls), `all` of all four derivatives of each
# function, so that they are compiled as if called.
names = re.findall(r"^pub fn (r\d+)\(", body, flags=re.M)
def used(suffixes):
    refs = ", ".join(f"{n}_{s} as *const ()" for n in names for s in suffixes)
    return f"\npub fn derivatives() {{\n    ::std::hint::black_box([{refs}]);\n}}\n"
kinds = [
    ("with", body),
    ("grad", body + used(["grad"])),
    ("all", body + used(["jvp", "vjp", "grad", "hvp"])),
    ("without", re.sub(r"^#\[differentiate[^\n]*\n", "", body, flags=re.M)),
]
for kind, code in kinds:
    d = work / kind
    (d / "src").mkdir(parents=True)
    (d / "Cargo.toml").write_text(f"""[package]
name = "bench_{kind}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
ad = {{ path = "{root}" }}

[workspace]
""")
    uses = "use ad::differentiate;\n" if kind != "without" else ""
    (d / "src/lib.rs").write_text(header + uses + code)
    print(f"{kind}: {len(code.splitlines())} lines, {code.count('#[differentiate')} attributes")
PY

export CARGO_TARGET_DIR="$work/target"
for profile in dev release; do
  flag=""; [ "$profile" = release ] && flag="--release"
  for kind in with grad all without; do
    (cd "$work/$kind" && cargo build -q $flag >/dev/null 2>&1)  # dependencies
    times=()
    cpus=()
    for _ in 1 2 3; do
      touch "$work/$kind/src/lib.rs"
      # Wall time, and CPU time (user + system, of cargo and rustc): on a
      # shared machine the CPU time is the steadier of the two.
      t=$( { TIMEFORMAT='%R %U %S'; time (cd "$work/$kind" && cargo build -q $flag) ; } 2>&1 | tail -1)
      read -r wall user sys <<<"$t"
      times+=("$wall")
      cpus+=("$(echo "$user + $sys" | bc)")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n 2p)
    echo "$profile $kind: median ${median} s wall, ${cpu} s CPU (wall: ${times[*]}; CPU: ${cpus[*]})"
  done
done

cd "$root"
cargo test -q -p ad-macros --release expansion_time -- --ignored --nocapture 2>/dev/null | grep largest
