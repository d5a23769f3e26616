#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Installs what is missing, builds the demo server (Release, in build/) and runs it.
# Arguments go to the server, e.g.: ./scripts/run-server.sh --port 9000
# Build output goes to stderr so that the server's own stdout stays clean.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build"

bash "$root/scripts/install-deps.sh"

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DCOMMANDBRIDGE_BUILD_TESTS=OFF >&2
cmake --build "$build" --target command-bridge-server >&2

exec "$build/apps/command-bridge-server/command-bridge-server" "$@"
