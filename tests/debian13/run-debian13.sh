#!/usr/bin/env bash
# Builds Coderoom a second time inside a Debian 13 (trixie) root, where KF6 SyntaxHighlighting
# exists, and runs the editor tests there: proves the KSyntaxHighlighting backend in CI.
#
#   run-debian13.sh --source DIR --work DIR [--jobs N]
#
# WORK/root   the Debian 13 minbase root (debootstrap), reused while WORK/root.stamp matches
#             the package list below; about 1.2 GB after apt-get clean
# WORK/build  the build tree of the inner build (kept, so a warm run only rebuilds what changed)
#
# The root is entered with bwrap, never chroot + mounts, so nothing stays mounted when this
# script dies. Needs root (debootstrap; apt inside needs capabilities, which bwrap drops unless
# --cap-add ALL), debootstrap and bwrap. The mirror comes from this machine's apt sources
# (override with CODEROOM_DEBIAN_MIRROR). Every failure exits non-zero with a "debian13:" line
# saying why: offline is a failure, never a skip.
set -euo pipefail

SUITE=trixie
# Exact Debian 13 names (checked with apt-cache inside the root). pkg-config: libseccomp is
# found through it. fonts-dejavu-core: QFontDatabase needs one font, even offscreen.
PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-websockets-dev qt6-httpserver-dev libqt6sql6-sqlite
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
    libqscintilla2-qt6-dev libkf6syntaxhighlighting-dev
    libgl-dev libseccomp-dev fonts-dejavu-core
)
# What the inner build compiles and runs: the editor module and its tests, nothing else.
BUILD_TARGETS=(tst_codeeditor tst_kf6styler)
TEST_REGEX='^(tst_codeeditor|tst_kf6styler)$'

src="" work="" jobs=2
while [ $# -gt 0 ]; do
    case "$1" in
    --source) src=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "debian13: unknown argument $1" >&2; exit 2 ;;
    esac
done

fail() {
    echo "debian13: FAILED: $*" >&2
    exit 1
}

[ -n "$src" ] && [ -f "$src/CMakeLists.txt" ] || fail "--source must be the Coderoom source tree"
[ -n "$work" ] || fail "--work is required"
[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, and apt inside the root)"
command -v debootstrap >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null ||
    fail "debootstrap is not installed (packaging/setup-debian.sh installs it)"
command -v bwrap >/dev/null || fail "bwrap is not installed (package bubblewrap)"

src=$(realpath "$src")
mkdir -p "$work"
work=$(realpath "$work")
root=$work/root
stamp=$work/root.stamp
build=$work/build

# One run at a time per work dir: two debootstraps into one root would corrupt it.
exec 9>"$work/lock"
flock -w 1500 9 || fail "another run holds $work/lock"

t0=$SECONDS
phase_start=$SECONDS
phase() {
    echo "debian13: $1 took $((SECONDS - phase_start)) s"
    phase_start=$SECONDS
}

# The first Debian archive URI of this machine's apt sources, from one-line .list files and
# deb822 .sources files. Only files apt itself reads (*.list, *.sources); security and
# third-party archives are skipped because they carry no "dists/trixie".
find_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" {
                 for (i = 2; i <= NF; ++i) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break }
             }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # Prints each stanza's URIs when its Types include deb and it is enabled.
        awk 'function flush() {
                 if (deb && enabled) for (i = 1; i <= n; ++i) print uris[i]
                 deb = 0; enabled = 1; n = 0
             }
             BEGIN { enabled = 1 }
             /^[ \t]*#/ { next }
             /^[ \t]*$/ { flush(); next }
             tolower($1) == "types:" { for (i = 2; i <= NF; ++i) if ($i == "deb") deb = 1 }
             tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
             tolower($1) == "uris:" { for (i = 2; i <= NF; ++i) uris[++n] = $i }
             END { flush() }' "$f"
    done
}

pick_mirror() {
    if [ -n "${CODEROOM_DEBIAN_MIRROR:-}" ]; then
        echo "$CODEROOM_DEBIAN_MIRROR"
        return
    fi
    local uri
    # Prefer the plain archive (.../debian) over security and ports; they lack the suite.
    for uri in $(find_mirror); do
        case "$uri" in
        *security* | *ports*) ;;
        http://* | https://*) echo "${uri%/}"; return ;;
        esac
    done
}

want_stamp="suite=$SUITE packages=${PACKAGES[*]}"
# Runs a command as root inside the Debian 13 root with a writable /. bwrap keeps the host's
# network namespace; resolv.conf comes from the host so names resolve as they do here.
in_root_rw() {
    bwrap --bind "$root" / --dev /dev --proc /proc --tmpfs /tmp \
        --ro-bind /etc/resolv.conf /etc/resolv.conf \
        --cap-add ALL --die-with-parent --unshare-pid --unshare-ipc --unshare-uts \
        --clearenv --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /root \
        --setenv LANG C.UTF-8 --setenv DEBIAN_FRONTEND noninteractive "$@"
}

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_stamp" ] || [ ! -x "$root/usr/bin/apt-get" ]
then
    mirror=$(pick_mirror)
    [ -n "$mirror" ] ||
        fail "no Debian mirror in /etc/apt/sources.list{,.d/*.sources}; set CODEROOM_DEBIAN_MIRROR"
    if [ ! -f "$root/.coderoom-debootstrap-done" ]; then
        echo "debian13: creating a $SUITE minbase root in $root from $mirror"
        # A half-made root from an interrupted run: start again. --one-file-system so that a
        # /proc left mounted by a killed debootstrap is never descended into.
        if [ -e "$root" ]; then
            grep -q " $root/" /proc/mounts && awk -v r="$root/" 'index($2, r) == 1 { print $2 }' \
                /proc/mounts | sort -r | xargs -r umount -l
            rm -rf --one-file-system "$root"
        fi
        rm -f "$stamp"
        debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
            { tail -n 20 "$work/debootstrap.log" >&2
              fail "debootstrap $SUITE from $mirror failed (offline, or the mirror is down?);" \
                  "full log: $work/debootstrap.log"; }
        touch "$root/.coderoom-debootstrap-done"
        phase "debootstrap"
    fi
    echo "debian13: installing ${#PACKAGES[@]} packages in the root"
    # A throwaway root: dpkg need not fsync every file (minutes saved on a loaded disk).
    echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/coderoom-unsafe-io"
    in_root_rw apt-get update -q >"$work/apt.log" 2>&1 ||
        { tail -n 20 "$work/apt.log" >&2; fail "apt-get update in the root failed (offline?)"; }
    in_root_rw apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" \
        >>"$work/apt.log" 2>&1 ||
        { tail -n 20 "$work/apt.log" >&2; fail "apt-get install in the root failed; $work/apt.log"; }
    in_root_rw apt-get clean
    echo "$want_stamp" >"$stamp"
    phase "package install"
else
    echo "debian13: reusing the root in $root"
fi

# The build: the root read-only as /, the sources read-only at /src, only /build writable.
# bwrap cannot create mount points in a read-only /: make them from outside.
mkdir -p "$build" "$root/src" "$root/build"
in_root_build() {
    bwrap --ro-bind "$root" / --dev /dev --proc /proc --tmpfs /tmp \
        --ro-bind "$src" /src --bind "$build" /build --chdir /build \
        --die-with-parent --unshare-pid --unshare-ipc --unshare-uts --unshare-net \
        --clearenv --setenv PATH /usr/bin:/bin --setenv HOME /tmp --setenv LANG C.UTF-8 \
        --setenv QT_QPA_PLATFORM offscreen "$@"
}

in_root_build cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCODEROOM_WERROR=ON -DCODEROOM_BUILD_APP=ON -DCODEROOM_BUILD_BENCH=OFF \
    -DCODEROOM_DEBIAN13_TEST=OFF >"$work/configure.log" 2>&1 ||
    { tail -n 30 "$work/configure.log" >&2; fail "cmake configure in Debian 13 failed"; }
grep -q '^CODEROOM_KF6_STYLER_TEST:INTERNAL=ON' "$build/CMakeCache.txt" ||
    fail "KF6SyntaxHighlighting was not found in the Debian 13 root"
phase "configure"

in_root_build cmake --build /build --target "${BUILD_TARGETS[@]}" -j"$jobs" ||
    fail "build in Debian 13 failed"
phase "build"

in_root_build ctest --test-dir /build -R "$TEST_REGEX" --output-on-failure --timeout 300 ||
    fail "editor tests failed in Debian 13"
# Count the tests so that a regex matching nothing can never pass.
ran=$(in_root_build ctest --test-dir /build -R "$TEST_REGEX" -N | grep -c 'Test *#' || true)
[ "$ran" -eq "${#BUILD_TARGETS[@]}" ] || fail "expected ${#BUILD_TARGETS[@]} tests, found $ran"
phase "tests"

echo "debian13: passed in $((SECONDS - t0)) s"
