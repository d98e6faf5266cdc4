#!/usr/bin/env bash
# Configures and builds the fuzz tree: only the parsers and tests/fuzz/fuzz_*.cpp, with
# clang, libFuzzer, ASan and UBSan (tests/fuzz/targets.cmake).
#   build_fuzz_targets.sh SOURCE_DIR BUILD_DIR CLANG++
# CTest's fixture fuzz_build runs it before the fuzz tests; by hand it makes the targets
# for a longer campaign (docs/security.md, "Fuzzing").
set -euo pipefail
src="${1:?usage: $0 SOURCE_DIR BUILD_DIR CLANG++}" dir="${2:?}" cxx="${3:?}"
command -v "$cxx" >/dev/null || { echo "FAIL: $cxx not found: ./flashsale installs clang-14 and libclang-rt-14-dev" >&2; exit 1; }
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  -DFLASHSALE_FUZZ=ON -DFLASHSALE_GUI=OFF -DFLASHSALE_TESTS=OFF -DFLASHSALE_WERROR=ON
cmake --build "$dir" -j 2
