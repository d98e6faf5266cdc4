#!/usr/bin/env bash
# One fuzz target as the suite runs it:
#   run_fuzz_target.sh BINARY FUZZ_DIR OUTPUT_DIR SECONDS
# 1. replays every committed input of FUZZ_DIR/corpus/<name>/ alone (crashes found once
#    are kept there as regression inputs);
# 2. fuzzes SECONDS more from that corpus, with FUZZ_DIR/<name>.dict if there is one.
# New inputs go to OUTPUT_DIR/new (the committed corpus is never written); a crash is
# saved as OUTPUT_DIR/crash-* and printed in hex, and the test fails.
set -euo pipefail
bin="${1:?usage: $0 BINARY FUZZ_DIR OUTPUT_DIR SECONDS}" fuzz="${2:?}" out="${3:?}" seconds="${4:?}"
name="$(basename "$bin")"
name="${name#fuzz_}"
corpus="$fuzz/corpus/$name"
[[ -x $bin ]] || { echo "FAIL: $bin was not built (fuzz_build)" >&2; exit 1; }
[[ -d $corpus ]] && compgen -G "$corpus/*" >/dev/null || { echo "FAIL: no seed corpus in $corpus" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/new"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# -timeout is wall-clock: 30 s, far above any input's milliseconds, so a busy machine's
# scheduling is not taken for a hang.
options=(-rss_limit_mb=2048 -timeout=30 -artifact_prefix="$out/" -print_final_stats=1)
[[ -f $fuzz/$name.dict ]] && options+=(-dict="$fuzz/$name.dict")

report() {
  local crash
  for crash in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
    [[ -f $crash ]] || continue
    echo "== $crash ($(stat -c %s "$crash") bytes):"
    head -c 512 "$crash" | od -A d -c | head -n 40
  done
}

echo "== $name: replay $(find "$corpus" -type f | wc -l) committed inputs"
if ! "$bin" "${options[@]}" $(find "$corpus" -type f | sort) >"$out/replay.log" 2>&1; then
  tail -n 60 "$out/replay.log"; report; exit 1
fi
echo "== $name: fuzz ${seconds} s more"
if ! "$bin" "${options[@]}" -max_total_time="$seconds" "$out/new" "$corpus" >"$out/fuzz.log" 2>&1; then
  tail -n 60 "$out/fuzz.log"; report; exit 1
fi
grep -E '^(stat::|#[0-9]+ *DONE)' "$out/fuzz.log" || true
echo "== $name: $(find "$out/new" -type f | wc -l) new inputs in $out/new, no crash"
