#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Builds the API reference of the installed headers with doxygen (docs/Doxyfile): HTML in
# build-apidocs/html/ and the Qt help file build-apidocs/CommandBridge.qch for Qt Creator.
# Installs doxygen and Qt's qhelpgenerator (Debian package qt6-documentation-tools) when missing.
# Fails, printing the warnings, when doxygen warns about anything: an undocumented public class,
# function, signal, enum value or field, or a comment that refers to something that is not there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="$root/build-apidocs"

bash "$root/scripts/install-deps.sh" doxygen qt6-documentation-tools

version="$(sed -n 's/^project(CommandBridge VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
qhelpgenerator="$(qtpaths6 --query QT_INSTALL_LIBEXECS)/qhelpgenerator"

rm -rf "$output"
mkdir -p "$output"
cd "$root"
status=0
COMMANDBRIDGE_VERSION="$version" COMMANDBRIDGE_APIDOCS_OUTPUT="$output" \
    doxygen docs/Doxyfile || status=$?

# FAIL_ON_WARNINGS makes doxygen exit non-zero on a warning, but it writes them to the log only.
if [[ -s "$output/warnings.log" ]]; then
    cat "$output/warnings.log" >&2
    echo "build-apidocs.sh: doxygen warned; document what it names (see docs/api.md)" >&2
    exit 1
fi
if [[ $status -ne 0 ]]; then
    echo "build-apidocs.sh: doxygen failed (exit status $status)" >&2
    exit 1
fi

# Qt Creator's F1 looks a symbol up by its keyword id, "CommandBridge::CommandRegistry" or
# "CommandBridge::CommandRegistry::registerCommand". doxygen 1.9.4 appends "_" and the HTML anchor
# to every id, which no lookup matches; later versions write them plain.
sed -E -i 's/(<keyword [^>]* id="[^"]*)_(a[0-9a-f]+)?"/\1"/' "$output/html/index.qhp"
"$qhelpgenerator" "$output/html/index.qhp" -o "$output/CommandBridge.qch" >/dev/null
python3 - "$output/CommandBridge.qch" <<'PY'
import sqlite3, sys
ids = {row[0] for row in sqlite3.connect(sys.argv[1]).execute("SELECT Identifier FROM IndexTable")}
for wanted in ("CommandBridge::CommandRegistry", "CommandBridge::CommandClient::run"):
    if wanted not in ids:
        sys.exit(f"build-apidocs.sh: the help file has no keyword id {wanted}")
PY
echo "API reference: $output/html/index.html, Qt Creator help: $output/CommandBridge.qch"
