#!/usr/bin/env bash
# The README's commands: set up (Debian packages), build, then run the IDE, the server, or every
# test. Safe to repeat: setup installs only what is missing, the build is incremental.
#
#   packaging/dev.sh run      desktop IDE in local mode (starts its own private coderoomd)
#   packaging/dev.sh server   headless coderoomd on 127.0.0.1:8765 (HOST:PORT as 2nd argument)
#   packaging/dev.sh test     every test (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-run}
case "$what" in
    run|server|test|build) ;;
    *) echo "usage: $0 run|server|test|build" >&2; exit 2 ;;
esac

bash packaging/setup-debian.sh

if [ "$what" = test ]; then
    # Configure, build and test in one workflow (CMakePresets.json); warnings are errors.
    exec cmake --workflow --preset default
fi

cmake --preset default >/dev/null
cmake --build --preset default

case "$what" in
    build) ;;
    run)
        if [ ! -x build/app/coderoom ]; then
            echo "dev.sh: the desktop IDE was not built; starting the headless server instead" >&2
            what=server
        elif [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
            echo "dev.sh: no display (DISPLAY is unset); starting the headless server instead." >&2
            echo "dev.sh: on a desktop session this command opens the IDE." >&2
            what=server
        else
            exec build/app/coderoom
        fi
        ;;
esac
if [ "$what" = server ]; then
    data="${XDG_DATA_HOME:-$HOME/.local/share}/coderoom/server"
    exec build/server/coderoomd --listen "${2:-127.0.0.1:8765}" --data-dir "$data"
fi
