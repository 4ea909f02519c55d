#!/usr/bin/env bash
# Installs every Debian package Coderoom needs to build, run and test, and nothing when they
# are all present already. Debian 12 (bookworm) is the target; run as root (or with sudo).
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ pkg-config git
    qt6-base-dev qt6-websockets-dev qt6-httpserver-dev libqt6sql6-sqlite
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqt6svg6
    libqscintilla2-qt6-dev libgl-dev libseccomp-dev
    # run: sandbox and the student languages
    bubblewrap python3 openjdk-17-jdk-headless nodejs
    # run: the course set of Python libraries students may import (Debian's, read-only in the
    # sandbox; /ready lists which are importable)
    python3-numpy python3-matplotlib python3-pandas python3-scipy
    # test: real windows and screenshots, TLS certificates, throwaway Debian roots (package
    # install test, Debian 13 build with KSyntaxHighlighting)
    xvfb xauth openssl procps debootstrap curl ca-certificates
    # run and test: the PostgreSQL store (Qt's driver; the tests start their own server from
    # Debian's postgresql binaries, initdb in a temporary directory, no system cluster needed)
    postgresql libqt6sql6-psql
    # test: the libFuzzer target for the protocol decoder (tests/fuzz)
    clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$p")
done
# node may come from elsewhere on a developer machine; Debian's nodejs is only needed without one
if [[ " ${missing[*]} " == *" nodejs "* ]] && [ -x /usr/bin/node ]; then
    missing=("${missing[@]/nodejs/}")
fi
read -r -a missing <<< "${missing[*]}"

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
