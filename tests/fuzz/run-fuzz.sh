#!/usr/bin/env bash
# Builds the protocol decoder's libFuzzer target with clang (ASan + UBSan; the rest of the
# project is built with g++, so this target compiles shared/protocol itself) and runs it:
# first every input in regressions/ once (crashes found earlier must stay fixed), then
# SECONDS of fuzzing from corpus/ + regressions/. A crash leaves its input in WORK/crash-*;
# copy it into tests/fuzz/regressions/ with the fix.
# usage: run-fuzz.sh SOURCE_DIR WORK_DIR SECONDS
set -euo pipefail
src=$1 work=$2 seconds=$3
here="$src/tests/fuzz"
mkdir -p "$work/corpus"
binary="$work/fuzz_protocol_decoder"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
clang++ -std=c++20 -O1 -g -fPIC -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -DQT_NO_CAST_FROM_ASCII \
    -I "$src/shared/protocol" $(pkg-config --cflags Qt6Core) \
    "$here/fuzz_protocol_decoder.cpp" "$src"/shared/protocol/*.cpp \
    $(pkg-config --libs Qt6Core) -o "$binary"
echo "fuzz: built $binary"

mapfile -t regressions < <(find "$here/regressions" -type f ! -name README.md | sort)
if [ ${#regressions[@]} -gt 0 ]; then
    "$binary" "${regressions[@]}"
    echo "fuzz: ${#regressions[@]} regression inputs pass"
fi

cp -n "$here"/corpus/* "$work/corpus/" 2>/dev/null || true
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$here/regressions"
echo "fuzz: no crash in $seconds s"
