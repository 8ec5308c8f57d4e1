#!/usr/bin/env bash
# Instructions per call of each ADBench objective, its generated derivative
# and its hand-written one, counted by valgrind (callgrind): deterministic,
# unlike times on a machine whose speed moves between runs. Instructions
# are not time (an `exp` is one call of many cycles), so this complements
# the criterion benchmarks, it does not replace them.
#
# Run from the repository root: `bash benches/instructions.sh` (needs
# valgrind). Each count is (total - set-up) / calls, the set-up being a run
# with zero calls (reading the file); what the first call allocates is
# averaged in.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example adbench_calls
bin=target/release/examples/adbench_calls
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 |
    awk '/Collected/ {print $4}'
}
for spec in gmm1k:10 gmm10k:2 ba:2 lstm:3 lstm_modular:3; do
  problem=${spec%%:*}
  calls=${spec##*:}
  base=$(count "$problem" objective 0)
  line="$problem"
  for function in objective ad hand; do
    total=$(count "$problem" "$function" "$calls")
    per_call=$(( (total - base) / calls ))
    line="$line  $function $per_call"
    eval "ir_$function=$per_call"
  done
  ratios=$(awk -v o="$ir_objective" -v a="$ir_ad" -v h="$ir_hand" \
    'BEGIN { printf "ad/objective %.2f  hand/objective %.2f  ad/hand %.2f", a / o, h / o, a / h }')
  echo "$line  |  $ratios"
done
