#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Builds the libFuzzer targets with Debian's clang (14 on Debian 12, 19 on Debian 13; ASan + UBSan,
# in build-fuzz/) and runs their bounded CTest smoke runs. Installs that clang and its runtime
# libraries (libFuzzer) when they are missing.
# The exit status is CTest's: non-zero when a fuzzer crashed; its reproducer is then in
# build-fuzz/fuzz/<fuzzer>-run/artifacts/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"

# clang-N is the compiler, libclang-rt-N-dev holds libFuzzer and the sanitizer runtimes.
clang_version=14
[[ "$(. /etc/os-release && echo "$VERSION_ID")" == 13 ]] && clang_version=19
bash "$root/scripts/install-deps.sh" "clang-$clang_version" "libclang-rt-$clang_version-dev"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
# Debug keeps Qt's and our Q_ASSERTs; -O1 makes the fuzzer several times faster than -O0.
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="clang++-$clang_version" \
    -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCOMMANDBRIDGE_BUILD_FUZZERS=ON \
    -DCOMMANDBRIDGE_BUILD_TESTS=OFF \
    -DCOMMANDBRIDGE_BUILD_APPS=OFF \
    -DCOMMANDBRIDGE_BUILD_QML_DEMO=OFF \
    -DCOMMANDBRIDGE_BUILD_EXAMPLES=OFF
cmake --build "$build" -j2 --target fuzz_protocol fuzz_clientframes

# A crash report is what we are after: abort on the first one, keep the stack readable.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_QPA_PLATFORM=offscreen

cd "$root"
exec ctest --test-dir build-fuzz --output-on-failure -R fuzz
