#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Installs what CommandBridge needs to build, run and test on Debian 12, and nothing else, plus
# the packages given as arguments (what run-fuzz.sh and bench/run-comparison.sh need besides).
# Idempotent: packages already installed are left alone, and apt-get runs only when one is missing.
# Without root it succeeds only when everything is already there.
set -euo pipefail

packages=(
    cmake               # build system (3.21 or newer)
    ninja-build         # the generator the scripts use
    g++                 # C++17 compiler
    pkg-config          # used by Qt's CMake packages to find system libraries
    qt6-base-dev        # Qt Core, Network and Test (QtTest also comes from this package)
    qt6-websockets-dev  # QWebSocketServer
    qt6-httpserver-dev  # QHttpServer (REST routes)
    libvalijson-dev     # JSON Schema validation of command args (header-only)
    libpcre2-dev        # the regex engine of schema patterns
    python3             # the README's standard-library WebSocket client
    curl                # the README's REST session
    openssl             # tests make a throwaway self-signed certificate for TLS
    nodejs              # tests with clients we did not write (npm packages from lockfiles):
    npm                 # EventSource, the OpenAPI validator, the MCP SDK
    qt6-declarative-dev # QML module of the client and the QML panel
    qt6-tools-dev       # Qt6LinguistTools for CMake (qt_add_translations)
    qt6-l10n-tools      # lupdate and lrelease: the client's and the panel's translations
    qml6-module-qtqml
    qml6-module-qtqml-models
    qml6-module-qtqml-workerscript
    qml6-module-qtquick
    qml6-module-qtquick-controls
    qml6-module-qtquick-layouts
    qml6-module-qtquick-templates
    qml6-module-qtquick-window
    qml6-module-qttest  # QtQuickTest tests of the panel
    "$@"
)

# What installed packages provide counts as installed: NodeSource's nodejs provides npm and
# conflicts with Debian's, so asking apt-get for npm there would remove Node.js.
provided=" $(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null |
    sed -n 's/^installed //p' | tr ',' '\n' | sed 's/(.*)//; s/ //g' | tr '\n' ' ') "

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]] ||
        [[ "$provided" == *" $1 "* ]]
}

missing=()
for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps.sh: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps.sh: installing them needs root; run this script as root (or with sudo)." >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
