#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Installs what is missing, builds everything with the tests (Debug, in build-tests/, warnings as
# errors) and runs the whole suite with CTest. The exit status is CTest's. The same build as
# `cmake --preset tests && cmake --build --preset tests && ctest --preset tests`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-tests"

bash "$root/scripts/install-deps.sh"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Debug -DCOMMANDBRIDGE_BUILD_TESTS=ON -DCOMMANDBRIDGE_WERROR=ON
cmake --build "$build" -j2

cd "$root"
exec ctest --test-dir build-tests --output-on-failure -j2 --timeout 300
