#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# REUSE-style licence headers: every source file starts (after a shebang line, if any) with the
# two lines above, in the file's own comment syntax.
#   scripts/spdx.sh --check   lists the files without both lines and exits 1 if there are any
#   scripts/spdx.sh --fix     adds the header to those files
#
# Source files: C++ (*.cpp, *.h, *.h.in), QML and JavaScript (*.qml, *.js, *.mjs), CMake (CMakeLists.txt,
# *.cmake, *.cmake.in), shell (*.sh, .ci/run), Python (*.py) and Lua (*.lua). Left out, as data,
# generated or configuration files rather than source: documentation (*.md), images (*.png), JSON
# (CMakePresets.json, package.json, the npm lockfiles, which npm writes), the fuzzers' seed and
# regression inputs (fuzz/corpus*/, fuzz/regressions/) and dictionaries (*.dict), and tool
# settings (.clang-format, .gitignore, scripts/lsan.supp). They are covered by LICENSE all the same.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copyright="SPDX-FileCopyrightText: 2026 CommandBridge contributors"
licence="SPDX-License-Identifier: BSD-3-Clause"

mode="${1:-}"
if [[ "$mode" != --check && "$mode" != --fix ]]; then
    echo "usage: $0 --check | --fix" >&2
    exit 2
fi

# The comment marker of a source file, or nothing for a file that is not one.
comment_marker() {
    case "$1" in
        *.cpp | *.h | *.h.in | *.qml | *.js | *.mjs) echo "//" ;;
        CMakeLists.txt | */CMakeLists.txt | *.cmake | *.cmake.in | *.sh | *.py | .ci/run) echo "#" ;;
        *.lua) echo "--" ;;
    esac
}

# Tracked files in a git checkout; otherwise (a source tarball) every file outside build trees.
list_files() {
    if git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        git -C "$root" ls-files
    else
        (cd "$root" && find . \( -name .git -o -name 'build*' -o -name node_modules -o -name .cache \
            -o -name out \) -prune -o -type f -print | sed 's|^\./||')
    fi
}

# True when the first lines of the file carry both SPDX lines.
has_header() {
    local head
    head="$(head -n 5 "$root/$1")"
    [[ "$head" == *"$copyright"* && "$head" == *"$licence"* ]]
}

add_header() {
    local file="$root/$1" marker="$2" tmp
    tmp="$(mktemp)"
    {
        if [[ "$(head -c 2 "$file")" == "#!" ]]; then
            head -n 1 "$file"
            printf '%s %s\n%s %s\n' "$marker" "$copyright" "$marker" "$licence"
            tail -n +2 "$file"
        else
            printf '%s %s\n%s %s\n\n' "$marker" "$copyright" "$marker" "$licence"
            cat "$file"
        fi
    } > "$tmp"
    # Keeps the file's mode (scripts stay executable).
    cat "$tmp" > "$file"
    rm -f "$tmp"
}

missing=0
while IFS= read -r file; do
    marker="$(comment_marker "$file")"
    [[ -n "$marker" && -f "$root/$file" ]] || continue
    has_header "$file" && continue
    if [[ "$mode" == --fix ]]; then
        add_header "$file" "$marker"
        echo "added: $file"
    else
        echo "no SPDX header: $file"
        missing=$((missing + 1))
    fi
done < <(list_files)

if [[ $missing -gt 0 ]]; then
    echo "$missing file(s) without the SPDX header; run scripts/spdx.sh --fix" >&2
    exit 1
fi
