#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Builds the library, the demo server and the tests with AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer (Debug, in build-asan/) and runs the suite except the soak tests, the
# installed-package test and any test labelled no_sanitizers (one whose point a sanitizer defeats,
# such as a resident-memory bound). Exits non-zero when a test fails or a sanitizer reported
# anything, including in a child process such as the demo server. The CMake preset `asan` is the
# same build and test selection, without the collection of reports from child processes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-asan"
logs="$build/sanitizer-logs"

bash "$root/scripts/install-deps.sh"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Debug \
    -DCOMMANDBRIDGE_SANITIZE=ON \
    -DCOMMANDBRIDGE_BUILD_TESTS=ON \
    -DCOMMANDBRIDGE_BUILD_QML_DEMO=OFF \
    -DCOMMANDBRIDGE_BUILD_EXAMPLES=OFF \
    -DCOMMANDBRIDGE_BUILD_BENCH=OFF
cmake --build "$build" -j2

# ASan and LSan write every report to a file per process as well, so that one from a process whose
# exit status no test checks (the demo server under tst_demoserver) still fails the run. GCC's
# UBSan ignores log_path; with halt_on_error its report ends the process, so it fails its test, and
# the reports are collected from the CTest log below.
rm -rf "$logs"
mkdir -p "$logs"
asan_options=(
    detect_leaks=1
    abort_on_error=1
    detect_stack_use_after_return=1
    check_initialization_order=1
    strict_init_order=1
    "log_path=$logs/asan"
)
ASAN_OPTIONS="$(IFS=:; echo "${asan_options[*]}")"
export ASAN_OPTIONS
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

cd "$root"
status=0
ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 \
    --output-log "$logs/ctest.log" --test-output-size-passed 1048576 \
    --test-output-size-failed 4194304 \
    --label-exclude '^(soak|no_sanitizers)$' --exclude-regex '^installedpackage$' || status=$?

reports=0
for report in "$logs"/asan.*; do
    [[ -e "$report" ]] || continue
    echo "=== AddressSanitizer/LeakSanitizer report: $report" >&2
    cat "$report" >&2
    reports=$((reports + 1))
done
if grep -q -E ': runtime error: ' "$logs/ctest.log"; then
    echo "=== UndefinedBehaviorSanitizer reports (full stacks in $logs/ctest.log):" >&2
    grep -E ': runtime error: ' "$logs/ctest.log" >&2
    reports=$((reports + $(grep -c -E ': runtime error: ' "$logs/ctest.log")))
fi
if [[ $reports -gt 0 ]]; then
    echo "run-sanitizers.sh: $reports sanitizer report(s)" >&2
    [[ $status -ne 0 ]] || status=1
fi
exit "$status"
