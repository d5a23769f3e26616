#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Renders the QML panel at work and saves it as docs/images/panel.png (or the path given).
# Builds what is missing (Release, in build/), starts the demo server on a free port, runs the
# panel offscreen with --demo (a few calls, a long `count` among them) and grabs its window while
# that count runs, then stops the server.
# Usage: ./scripts/render-panel.sh [OUTPUT.png]
# Environment: BUILD_DIR (default build/), SCREENSHOT_AFTER_MS (default 2000, from the demo's start).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
output="${1:-$root/docs/images/panel.png}"
delay="${SCREENSHOT_AFTER_MS:-2000}"

bash "$root/scripts/install-deps.sh"

# What the panel needs beyond the library's packages.
qml_packages=(
    qt6-declarative-dev qml6-module-qtquick qml6-module-qtquick-controls
    qml6-module-qtquick-layouts qml6-module-qtquick-templates qml6-module-qtquick-window
    qml6-module-qtqml-workerscript fonts-dejavu-core
)
missing=()
for package in "${qml_packages[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" == "installed" ]] ||
        missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "render-panel.sh: missing Debian packages (install them as root): ${missing[*]}" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

generator=()
[[ -f "$build/CMakeCache.txt" ]] || generator=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
cmake -S "$root" -B "$build" "${generator[@]}" -DCOMMANDBRIDGE_BUILD_QML_DEMO=ON >&2
cmake --build "$build" --target command-bridge-server command-bridge-panel >&2

server_log="$(mktemp)"
"$build/apps/command-bridge-server/command-bridge-server" --port 0 >"$server_log" 2>&1 &
server_pid=$!
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -f "$server_log"
}
trap stop_server EXIT

# The server prints "listening on http://127.0.0.1:PORT" once it accepts connections.
http_url=""
for _ in $(seq 100); do
    http_url="$(grep -o 'http://[0-9.]*:[0-9]*' "$server_log" | head -n 1 || true)"
    [[ -n "$http_url" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$http_url" ]]; then
    echo "render-panel.sh: the demo server did not start:" >&2
    cat "$server_log" >&2
    exit 1
fi

mkdir -p "$(dirname "$output")"
QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software \
    "$build/qml_demo/command-bridge-panel" --url "ws://${http_url#http://}/ws" --demo \
    --screenshot "$output" --screenshot-after-ms "$delay"
