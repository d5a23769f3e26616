#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Runs the CommandBridge comparison benchmark (docs/performance.md): installs what is missing,
# builds Release in build-bench/, installs the Node.js peers, then runs every workload against
# every system in interleaved rounds, servers pinned to CPU 0 and clients to CPU 1.
#
#   bench/run-comparison.sh [--rounds R] [--seconds S] [--quick] [--require-all] [--bridge-threads N]
#                           [--out FILE.md] [--plot FILE.png] [--raw FILE.json] [--no-build]
#                           [--only rt,exposed,rest,mcp,fanout,gui] [--fanout-events N]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build-bench}"
build=1
compare_args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --no-build) build=0; shift ;;
        --quick|--require-all) compare_args+=("$1"); shift ;;
        --rounds|--seconds|--warmup|--bridge-threads|--out|--plot|--raw|--only|--fanout-events)
            [[ $# -ge 2 ]] || { echo "run-comparison.sh: $1 needs a value" >&2; exit 2; }
            compare_args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-comparison.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# The project's build dependencies and, in the same go, what only the benchmark needs.
# By command, not by package: Node.js from elsewhere (e.g. NodeSource, whose nodejs conflicts
# with Debian's npm) is as good as Debian's.
declare -A package_of=([wrk]=wrk [gnuplot]=gnuplot-nox [node]=nodejs [npm]=npm [python3]=python3
                       [taskset]=util-linux)
missing=()
for command in "${!package_of[@]}"; do
    command -v "$command" >/dev/null || missing+=("${package_of[$command]}")
done
bash "$root/scripts/install-deps.sh" "${missing[@]}"

if [[ $build -eq 1 ]]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCOMMANDBRIDGE_BUILD_TESTS=OFF -DCOMMANDBRIDGE_BUILD_BENCH=ON \
        -DCOMMANDBRIDGE_BUILD_APPS=OFF -DCOMMANDBRIDGE_BUILD_EXAMPLES=OFF \
        -DCOMMANDBRIDGE_BUILD_QML_DEMO=OFF >/dev/null
    cmake --build "$build_dir" -j "$(nproc)"
fi
(cd "$root/bench/peers" && npm ci --no-audit --no-fund --loglevel=error)

qt_version="$(dpkg-query -W -f='${Version}' qt6-base-dev 2>/dev/null | sed 's/[+-].*//')"
exec python3 "$root/bench/scripts/compare.py" --build-dir "$build_dir" \
    --qt-version "${qt_version:-6}" "${compare_args[@]}" --argv "${compare_args[@]}"
