#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of the benchmarks: builds them and runs every program of the comparison briefly
# (run-comparison.sh --quick). No timing is asserted; it fails only when a program fails (bad
# exit, no answer, connection errors), a system is not built, or the load client reports a
# progress violation. Then the event publishing benchmark, briefly. BUILD_DIR=DIR with --no-build
# runs the programs of an existing build instead (CI: the test build's).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d /tmp/cb-bench-smoke.XXXXXX)"
"$root/bench/run-comparison.sh" --quick --require-all --out "$out/performance.md" \
    --plot "$out/throughput-vs-connections.png" --raw "$out/raw.json" "$@"
"${BUILD_DIR:-$root/build-bench}/bench/bridge/cb-bench-events" --rounds 1 --count 10000
echo "smoke.sh: all benchmark programs ran; report in $out/performance.md" >&2
