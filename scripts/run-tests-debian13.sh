#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
# Runs the README's test command (scripts/run-tests.sh) on Debian 13 (Qt 6.8) from a Debian 12
# host: a minimal Debian 13 root made with debootstrap from Debian's mirror, cached as a tarball
# with the project's packages already installed, a clone of this checkout's HEAD inside it, and the
# suite run there in a chroot. Needs root. The exit status is the suite's.
#
# Usage: run-tests-debian13.sh [SCRIPT ...]: the project's scripts to run there, one after the
# other (default: scripts/run-tests.sh), e.g. scripts/run-tests.sh scripts/run-sanitizers.sh.
#
# Environment: COMMANDBRIDGE_CACHE (default /var/cache/commandbridge) keeps the tarball;
# DEBIAN_MIRROR (default http://deb.debian.org/debian) is where debootstrap and apt-get fetch from.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${COMMANDBRIDGE_CACHE:-/var/cache/commandbridge}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=trixie
# The tarball is remade when the package list changes, so a cached root never lacks a package.
deps_hash="$(sha256sum "$root/scripts/install-deps.sh" | cut -c1-12)"
tarball="$cache/debian13-$deps_hash.tar.gz"

if [[ $(id -u) -ne 0 ]]; then
    echo "run-tests-debian13.sh: debootstrap and chroot need root" >&2
    exit 1
fi
bash "$root/scripts/install-deps.sh" debootstrap

work="$(mktemp -d /var/tmp/commandbridge-debian13.XXXXXX)"
chroot_dir="$work/root"
mounted=()

cleanup() {
    local status=$?
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[$i]}" 2>/dev/null || true
    done
    rm -rf --one-file-system "$work"
    exit "$status"
}
trap cleanup EXIT INT TERM

bind() {
    mkdir -p "$chroot_dir$1"
    mount --bind "$1" "$chroot_dir$1"
    mounted+=("$chroot_dir$1")
}

in_chroot() {
    chroot "$chroot_dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

mkdir -p "$chroot_dir"
if [[ -f "$tarball" ]]; then
    echo "run-tests-debian13.sh: using $tarball" >&2
    tar -xzf "$tarball" -C "$chroot_dir"
else
    echo "run-tests-debian13.sh: making a Debian 13 root from $mirror (cached in $tarball)" >&2
    debootstrap --variant=minbase --include=ca-certificates,git \
        --keyring=/usr/share/keyrings/debian-archive-trixie-stable.gpg \
        "$suite" "$chroot_dir" "$mirror"
fi

cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
cp -rT /etc/ssl/certs "$chroot_dir/etc/ssl/certs"
bind /proc
bind /sys
bind /dev
bind /dev/pts

if [[ ! -f "$tarball" ]]; then
    # The host's install script installs the project's packages into the new root; the tarball
    # then holds them, so later runs start without a download.
    cp "$root/scripts/install-deps.sh" "$chroot_dir/tmp/install-deps.sh"
    in_chroot bash /tmp/install-deps.sh
    in_chroot apt-get clean
    rm -f "$chroot_dir/tmp/install-deps.sh"
    mkdir -p "$cache"
    tar -czf "$tarball.part" -C "$chroot_dir" --one-file-system \
        --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./tmp/*' .
    mv "$tarball.part" "$tarball"
    find "$cache" -name 'debian13-*.tar.gz' ! -path "$tarball" -delete
fi

scripts=("$@")
[[ ${#scripts[@]} -gt 0 ]] || scripts=(scripts/run-tests.sh)

git clone --quiet --no-hardlinks "$root" "$chroot_dir/src/commandbridge"
for script in "${scripts[@]}"; do
    echo "run-tests-debian13.sh: $script on Debian 13" >&2
    in_chroot bash -c 'cd /src/commandbridge && bash "$1"' bash "$script"
done
