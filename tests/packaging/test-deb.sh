#!/usr/bin/env bash
# test-deb.sh: build the Debian package and prove it installs and works in a clean Debian 12.
#
#   test-deb.sh --source SRC --work WORK_DIR [--app ON|OFF] [--launcher ccache]
#
# 1. configures WORK_DIR/build with the `package` preset (CMakePresets.json: prefix /usr, no
#    tests), the way docs/classroom.md builds the package, builds it and runs `cpack -G DEB`;
#    --app OFF leaves the IDE out (a server-only package), --launcher is the compiler launcher;
# 2. checks the package's control data and file list;
# 3. makes a Debian 12 root with `debootstrap --variant=minbase --include=systemd bookworm` from
#    the mirror this machine's own apt sources name, kept under WORK_DIR between runs (pristine;
#    every run works on a fresh copy, with downloaded .debs cached beside it). systemd is there
#    because every real Debian 12 machine has it (minbase has only init-system-helpers): the
#    enable check asks systemctl itself, as an admin would;
# 4. installs the package with apt inside the copy (bwrap, all capabilities: apt needs them) and
#    checks files, the system user, the data directory and that every library resolves;
# 5. runs the systemd unit's ExecStart as the service would: user coderoom, no new privileges,
#    no capabilities, the whole root read-only except /var/lib/coderoom, private /tmp. Then
#    /health, /ready, /metrics, a program and a REPL session over the WebSocket (wsprobe.py),
#    and SIGTERM must end it with 0 within the unit's TimeoutStopSec;
# 6. apt remove keeps the data directory, apt purge removes it and the conffile.
# Needs root, debootstrap, bwrap and the network (a cold run downloads ~100 MB).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir="" work="" app=ON launcher=""
usage="usage: $0 --source DIR --work DIR [--app ON|OFF] [--launcher PROGRAM]"
while [ $# -gt 0 ]; do
    case "$1" in
        --source) source_dir=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --app) app=$2; shift 2 ;;
        --launcher) launcher=$2; shift 2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
if [ -z "$source_dir" ] || [ -z "$work" ]; then
    echo "$usage" >&2
    exit 2
fi

failures=0
started=$(date +%s)
say() { echo "test-deb [$(($(date +%s) - started))s]: $*"; }
check() { # check NAME COMMAND...: one line per check; a failure shows its output and counts
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        say "ok   $name"
    else
        say "FAIL $name"
        tail -15 <<<"$out" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}
die() { say "FAIL $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, apt inside the root)"
for tool in debootstrap bwrap dpkg-deb cpack curl setpriv systemd-analyze; do
    command -v "$tool" >/dev/null || die "needs $tool (packaging/setup-debian.sh installs it)"
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
source_dir=$(cd "$source_dir" && pwd)

# --- 1. package ---------------------------------------------------------------------------
# Its own build tree, configured like the documented package build: the package's paths (and the
# resource path compiled into coderoomd) come from the prefix, and only /usr makes a package
# that Debian's tools handle (deb-systemd-helper finds units under /lib and /usr/lib only).
build="$work/build"
configure=(-B "$build" -DCODEROOM_BUILD_APP="$app")
[ -n "$launcher" ] && configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
say "configuring $build (cmake --preset package, app $app)"
(cd "$source_dir" && cmake --preset package "${configure[@]}") >"$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log"; die "cmake --preset package"; }
say "building the packaged programs"
cmake --build "$build" -j2 >>"$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log"; die "build of the packaged programs"; }
rm -rf "$work/deb"
mkdir -p "$work/deb"
(cd "$work/deb" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" \
    >"$work/cpack.log" 2>&1) || { tail -20 "$work/cpack.log"; die "cpack -G DEB"; }
deb=$(find "$work/deb" -maxdepth 1 -name 'coderoom_*.deb' | head -1)
[ -n "$deb" ] || die "cpack made no coderoom_*.deb"
say "package $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- 2. control data and contents -----------------------------------------------------------
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
app=$(sed -n 's/^CODEROOM_BUILD_APP:BOOL=//p' "$build/CMakeCache.txt")
[ "$prefix" = /usr ] || die "the package preset gave prefix '$prefix', not /usr"
unitdir=/lib/systemd/system etc=/etc # as cmake/CoderoomPackaging.cmake places them for /usr
control=$(dpkg-deb -f "$deb")
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
has_field() { grep -Eq "^$1: .*$2" <<<"$control"; }
has_file() { grep -qx "$1" <<<"$contents"; }
check "Depends names bubblewrap" has_field Depends 'bubblewrap'
check "Depends names python3" has_field Depends 'python3'
check "Depends has the Qt libraries from dpkg-shlibdeps" has_field Depends 'libqt6core6'
check "Depends has libc from dpkg-shlibdeps" has_field Depends 'libc6 \(>='
check "Recommends g++, openjdk-17-jdk-headless, nodejs" \
    has_field Recommends 'g\+\+, openjdk-17-jdk-headless, nodejs'
check "the configuration file is a conffile" \
    bash -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./conffiles |
             grep -qx '$etc/coderoom/coderoomd.conf'"
check "postinst, prerm and postrm are in the package" \
    bash -c "dpkg-deb --ctrl-tarfile '$deb' | tar -t |
             grep -c -E '^\./(postinst|prerm|postrm)$' | grep -qx 3"
expected=("$prefix/bin/coderoomd" "$prefix/share/coderoom/languages.json"
          "$prefix/share/coderoom/drivers/python_driver.py"
          "$prefix/share/coderoom/drivers/js_driver.js"
          "$prefix/share/coderoom/drivers/JavaDriver.java"
          "$unitdir/coderoomd.service" "$etc/coderoom/coderoomd.conf"
          "$prefix/share/man/man8/coderoomd.8.gz" "$prefix/share/doc/coderoom/copyright"
          "$prefix/share/doc/coderoom/changelog.Debian.gz")
if [ "$app" = ON ]; then
    expected+=("$prefix/bin/coderoom" "$prefix/share/man/man1/coderoom.1.gz"
               "$prefix/share/applications/coderoom.desktop"
               "$prefix/share/metainfo/org.coderoom.Coderoom.metainfo.xml"
               "$prefix/share/icons/hicolor/scalable/apps/org.coderoom.Coderoom.svg")
fi
for f in "${expected[@]}"; do check "package holds $f" has_file "$f"; done
# systemd-analyze verify wants ExecStart to exist on this machine, so the packaged unit is checked
# with the program swapped for /bin/true (arguments kept); any message at all is a failure
# (unknown keys only warn).
mkdir -p "$work/unit"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ".$unitdir/coderoomd.service" |
    sed -E 's|^ExecStart=[^ ]+|ExecStart=/bin/true|' >"$work/unit/coderoomd.service"
check "the unit sets nothing that stops bwrap (see the comment in coderoomd.service.in)" \
    bash -c "! grep -En '^(RestrictNamespaces|PrivateUsers|ProtectKernelTunables|\
ProtectKernelLogs|ProtectProc|ProcSubset|ProtectHostname|MemoryDenyWriteExecute)=' \
             '$work/unit/coderoomd.service'"
check "systemd-analyze verify: the unit is clean" \
    bash -c "out=\$(systemd-analyze verify --man=no '$work/unit/coderoomd.service' 2>&1) &&
             [ -z \"\$out\" ] || { echo \"\$out\" >&2; false; }"

# --- 3. a Debian 12 root (cached) ----------------------------------------------------------
# The machine's own Debian sources for bookworm*: "URI SUITE" lines, from one-line and deb822
# files alike. Never a hard-coded host.
sources=$(python3 - <<'EOF'
import glob, re
out = []
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        m = re.match(r"\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(bookworm\S*)\s+.*\bmain\b", line)
        if m:
            out.append(m.groups())
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        fields = {}
        for line in stanza.splitlines():
            m = re.match(r"([A-Za-z-]+):\s*(.*)", line)
            if m:
                fields[m.group(1).lower()] = m.group(2).split()
        if ("deb" in fields.get("types", []) and "main" in fields.get("components", [])
                and fields.get("enabled", ["yes"])[0] != "no"):
            out += [(u, s) for u in fields.get("uris", []) for s in fields.get("suites", [])
                    if s.startswith("bookworm")]
for uri, suite in dict.fromkeys(out):
    print(uri, suite)
EOF
)
mirror=$(awk '$2 == "bookworm" {print $1; exit}' <<<"$sources")
[ -n "$mirror" ] || die "no bookworm source in /etc/apt/sources.list{,.d}: cannot pick a mirror"

pristine="$work/bookworm-root"
# A root from before systemd was included is made again (only complete roots have both).
if [ ! -x "$pristine/usr/bin/apt-get" ] || [ ! -x "$pristine/usr/bin/systemctl" ]; then
    say "debootstrap --variant=minbase --include=systemd bookworm from $mirror (cold run)"
    rm -rf "$pristine" "$pristine.partial"
    debootstrap --variant=minbase --include=systemd bookworm "$pristine.partial" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap"; }
    awk '{print "deb " $1 " " $2 " main"}' <<<"$sources" >"$pristine.partial/etc/apt/sources.list"
    rm -rf "$pristine.partial/var/cache/apt/archives"/*.deb
    mv "$pristine.partial" "$pristine" # only a complete root is ever reused
else
    say "reusing the Debian 12 root in $pristine"
fi
root="$work/run/root"
rm -rf "$work/run"
mkdir -p "$work/run" "$work/apt-archives/partial"
cp -a --reflink=auto "$pristine" "$root"
rm -f "$root/etc/resolv.conf" && touch "$root/etc/resolv.conf"
cp "$deb" "$root/root/"

in_root() { # in_root CMD...: as root with all capabilities, the host's network; /tmp 1777: apt
    # verifies signatures as the _apt user, which writes there
    bwrap --bind "$root" / --dev /dev --proc /proc --perms 1777 --tmpfs /tmp --unshare-pid \
        --die-with-parent \
        --bind "$work/apt-archives" /var/cache/apt/archives \
        --ro-bind /etc/resolv.conf /etc/resolv.conf --cap-add ALL \
        --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv DEBIAN_FRONTEND noninteractive \
        --setenv LC_ALL C.UTF-8 -- "$@"
}

# --- 4. install -----------------------------------------------------------------------------
say "apt-get update and install inside the root"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { tail "$work/apt.log"; die "apt-get update"; }
debname=$(basename "$deb")
check "apt resolves the package with its Recommends (simulated)" \
    in_root apt-get install -s -y "/root/$debname"
# Recommends (JDK, g++, node: ~400 MB) left out: python3 is enough to prove the server works.
in_root apt-get install -y -q --no-install-recommends "/root/$debname" >>"$work/apt.log" 2>&1 ||
    { tail -30 "$work/apt.log"; die "apt-get install ./$debname"; }
say "installed"
for f in "${expected[@]}"; do check "installed: $f" test -e "$root$f"; done
check "coderoom is a system user with home /var/lib/coderoom" \
    bash -c "grep -Eq '^coderoom:x:[0-9]+:[0-9]+:[^:]*:/var/lib/coderoom:' '$root/etc/passwd'"
check "coderoom is a system account (uid < 1000)" \
    bash -c "[ \$(awk -F: '\$1==\"coderoom\"{print \$3}' '$root/etc/passwd') -lt 1000 ]"
check "/var/lib/coderoom is 0750 coderoom:coderoom" \
    bash -c "[ \"\$(chroot '$root' stat -c '%a %U:%G' /var/lib/coderoom)\" = \
             '750 coderoom:coderoom' ]"
check "every library of coderoomd resolves" \
    bash -c "! chroot '$root' ldd $prefix/bin/coderoomd | grep -q 'not found'"
if [ "$app" = ON ]; then
    check "every library of coderoom resolves" \
        bash -c "! chroot '$root' ldd $prefix/bin/coderoom | grep -q 'not found'"
    check "coderoom --version runs (offscreen)" \
        in_root env QT_QPA_PLATFORM=offscreen "$prefix/bin/coderoom" --version
fi
# What a real install does: the postinst's deb-systemd-helper makes the [Install] links and
# systemd (offline: there is no running manager in the root) reads them as enabled.
check "the service is enabled (multi-user.target.wants)" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/coderoomd.service"
check "systemctl is-enabled coderoomd says enabled" \
    bash -c "[ \"\$(chroot '$root' systemctl is-enabled coderoomd.service)\" = enabled ]"
check "man coderoomd(8) is readable" \
    bash -c "gzip -dc '$root$prefix/share/man/man8/coderoomd.8.gz' | grep -q '^.TH CODEROOMD 8'"

# --- 5. run the unit's command as the service would ---------------------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$root$unitdir/coderoomd.service")
[ -n "$exec_start" ] || die "no ExecStart in the installed unit"
unit_env=() # the unit's Environment= lines (one assignment each)
while IFS= read -r assignment; do
    unit_env+=(--setenv "${assignment%%=*}" "${assignment#*=}")
done < <(sed -n 's/^Environment=//p' "$root$unitdir/coderoomd.service")
say "starting: $exec_start --listen 127.0.0.1:0"
# Like the unit: ProtectSystem=strict (root read-only), ReadWritePaths=/var/lib/coderoom,
# PrivateTmp, ProtectHome, /sys read-only (no cgroup delegated here), User=coderoom,
# NoNewPrivileges, CapabilityBoundingSet= (empty). coderoomd's own
# bwrap must still make its namespaces in there. /proc is the host's (recursively bound): a
# fresh proc with bwrap's read-only overmounts would be "too revealing" for the nested bwrap.
# shellcheck disable=SC2086 # the unit's command line, split like systemd splits it
bwrap --ro-bind "$root" / --bind "$root/var/lib/coderoom" /var/lib/coderoom --dev /dev \
    --bind /proc /proc --ro-bind /sys /sys --tmpfs /tmp --tmpfs /home --tmpfs /root \
    --die-with-parent --cap-add ALL \
    --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv LC_ALL C.UTF-8 "${unit_env[@]}" \
    --info-fd 3 -- setpriv --reuid coderoom --regid coderoom --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all $exec_start --listen 127.0.0.1:0 \
    >"$work/run/server.out" 2>"$work/run/server.err" 3>"$work/run/info.json" &
bwrap_pid=$!
url=""
for _ in $(seq 1 120); do # 60 s at most
    url=$(sed -n 's/^coderoomd listening on //p' "$work/run/server.out")
    [ -n "$url" ] && break
    kill -0 "$bwrap_pid" 2>/dev/null || break
    sleep 0.5
done
[ -n "$url" ] || { cat "$work/run/server.err"; die "coderoomd printed no listening line"; }
say "coderoomd listening on $url"
base=$(sed -E 's|^ws://([^/]+)/.*|http://\1|' <<<"$url")
check "GET /health is 200 {\"status\":\"ok\"}" \
    bash -c "curl -fsS '$base/health' | grep -q '\"ok\"'"
ready=0
for _ in $(seq 1 60); do # /ready turns 200 once the sandbox probe and a language pass
    if curl -fsS "$base/ready" >"$work/run/ready.json" 2>/dev/null; then ready=1; break; fi
    sleep 0.5
done
check "GET /ready is 200" test "$ready" -eq 1
check "/ready says the sandbox works" grep -q '"ok": *true' "$work/run/ready.json"
check "GET /metrics is Prometheus text" \
    bash -c "curl -fsS '$base/metrics' | grep -q '^# TYPE coderoom_'"
probe=0
python3 "$here/wsprobe.py" "$url" "$root/var/lib/coderoom/token" >"$work/run/wsprobe.out" 2>&1 ||
    probe=$?
sed 's/^/    /' "$work/run/wsprobe.out"
check "a program and a REPL session run over the WebSocket (wsprobe.py)" test "$probe" -eq 0
child=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["child-pid"])' \
    "$work/run/info.json")
kill -TERM "$child"
stopped=0
for _ in $(seq 1 60); do # TimeoutStopSec=30
    kill -0 "$bwrap_pid" 2>/dev/null || { stopped=1; break; }
    sleep 0.5
done
if [ "$stopped" -eq 1 ]; then
    status=0
    wait "$bwrap_pid" || status=$?
    check "SIGTERM: coderoomd exits 0 within 30 s" test "$status" -eq 0
else
    kill -KILL "$bwrap_pid" 2>/dev/null || true
    check "SIGTERM: coderoomd exits 0 within 30 s" false
fi

# --- 6. remove keeps the data, purge deletes it ---------------------------------------------
in_root apt-get remove -y -q coderoom >>"$work/apt.log" 2>&1 || die "apt-get remove"
check "remove: binary gone" test ! -e "$root$prefix/bin/coderoomd"
check "remove: data directory kept (token still there)" test -f "$root/var/lib/coderoom/token"
check "remove: conffile kept" test -f "$root$etc/coderoom/coderoomd.conf"
in_root apt-get purge -y -q coderoom >>"$work/apt.log" 2>&1 || die "apt-get purge"
check "purge: data directory removed" test ! -e "$root/var/lib/coderoom"
check "purge: conffile removed" test ! -e "$root$etc/coderoom/coderoomd.conf"
check "purge: no enable link or mask of the unit is left" \
    bash -c "[ -z \"\$(find '$root/etc/systemd' -name coderoomd.service)\" ]"

rm -rf "$work/run"
say "done, $failures failure(s), $(($(date +%s) - started)) s"
[ "$failures" -eq 0 ]
