#!/usr/bin/env bash
# Sets up the machine, builds, and runs every test: the format check, clang-tidy, the unit
# tests under AddressSanitizer + UndefinedBehaviorSanitizer, those of the concurrent parts under
# ThreadSanitizer, a short libFuzzer run per target,
# and then the whole suite (unit, integration and browser) on the release build, ending with
# ctest's summary line. Screenshots of the pages land in build/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
fuzz_seconds=${SUPPORTDROP_FUZZ_SECONDS:-15}

step() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"; }

step "setup"
scripts/setup.sh deps/debian-packages.txt deps/debian-packages-test.txt
command -v node >/dev/null || scripts/setup.sh deps/debian-packages-node.txt

step "format check (clang-format)"
git ls-files -- '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

step "static analysis (clang-tidy)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSUPPORTDROP_TESTS=ON -DSUPPORTDROP_BENCH=ON >/dev/null
git ls-files -- 'src/*.cpp' | xargs -P "$jobs" -n 4 clang-tidy -p build --quiet --warnings-as-errors='*' 2>/dev/null

step "unit tests under ASan + UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUPPORTDROP_SANITIZE=ON -DSUPPORTDROP_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs" --target util_test crypto_test age_test inspector_test receiver_unit_test
log=$(mktemp)
if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan -L unit -j "$jobs" --output-on-failure >"$log" 2>&1; then
  grep -E "tests passed|tests failed" "$log"
else
  cat "$log"
  exit 1
fi

step "unit tests of the concurrent parts under ThreadSanitizer"
# The body feeder, the upload session's hash queue, the store and the utilities they use. (The
# inspector's sandbox forbids system calls ThreadSanitizer's runtime makes, so the integration
# tests cannot run under it.)
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUPPORTDROP_SANITIZE_THREAD=ON -DSUPPORTDROP_BENCH=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target util_test storage_test receiver_unit_test
for target in util_test storage_test receiver_unit_test; do
  if TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "build-tsan/tests/$target" --gtest_brief=1 >"$log" 2>&1; then
    echo "$target: $(grep -E '^\[  PASSED  \]' "$log")"
  else
    cat "$log"
    exit 1
  fi
done

step "fuzzing, ${fuzz_seconds} s per target"
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUPPORTDROP_FUZZ=ON \
  -DSUPPORTDROP_TESTS=OFF -DSUPPORTDROP_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_age_header fuzz_age_decrypt fuzz_multipart fuzz_readme fuzz_inspector fuzz_live_feed
for target in age_header age_decrypt multipart readme inspector live_feed; do
  corpus=$(mktemp -d)
  # New inputs go to a scratch corpus; the committed seeds are only read.
  if build-fuzz/fuzz/fuzz_$target -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    "$corpus" "fuzz/corpus/$target" >"$log" 2>&1; then
    echo "fuzz_$target: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') inputs, no failure"
    rm -rf "$corpus"
  else
    tail -n 60 "$log"
    echo "fuzz_$target found a failing input; it is saved as crash-* in $(pwd)" >&2
    exit 1
  fi
done
rm -f "$log"

step "browser test dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

step "all tests (release build)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSUPPORTDROP_TESTS=ON -DSUPPORTDROP_BENCH=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build -j "$jobs" --output-on-failure
