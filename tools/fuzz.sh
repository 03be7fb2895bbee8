#!/bin/sh
# tools/fuzz.sh TARGET SECONDS - fuzz one target with libFuzzer.
#
# TARGET is fuzz_row, fuzz_style, fuzz_escape or fuzz_render
# (tests/fuzz/TARGET.c). The core library is built with clang, coverage
# instrumentation and ASan+UBSan in build-fuzz/ (its own meson build
# folder); the target is linked with libFuzzer there, against the
# libraries meson found for the core (so a new dependency needs no change
# here), and run for SECONDS on a copy of its seed corpus
# (build-fuzz/corpus-TARGET/, which keeps what the session finds for the
# next one). Crashes are written as build-fuzz/crash-TARGET-*: minimise
# one with
#   build-fuzz/TARGET -minimize_crash=1 -runs=100000 build-fuzz/crash-...
# then fix it and add it to tests/fuzz/crashers/TARGET/, where the meson
# test suite 'fuzz' replays it.
#
# Prints the executions done, the coverage reached and the crashes found;
# exit status 1 when there was a crash or a leak, 2 when the target
# cannot be built. tools/test.sh runs each target for a few seconds this
# way.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: tools/fuzz.sh fuzz_row|fuzz_style|fuzz_escape|fuzz_render" \
    "SECONDS" >&2
  exit 2
fi
target=$1 secs=$2
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build-fuzz
src=$top/tests/fuzz/$target.c
[ -f "$src" ] || { echo "fuzz.sh: no target $src" >&2; exit 2; }
command -v clang >/dev/null ||
  { echo "fuzz.sh: clang is needed (tools/setup.sh installs it)" >&2
    exit 2; }

flags="-fsanitize=address,undefined -fno-sanitize-recover=all -g"
if [ ! -f "$build/build.ninja" ]; then
  # meson says what went wrong on stdout: show it, but only then.
  out=$(CC=clang meson setup "$build" "$top" -Dbuildtype=debugoptimized \
        -Dwerror=false -Db_lundef=false \
        -Dc_args="$flags -fsanitize=fuzzer-no-link" \
        -Dc_link_args="$flags" 2>&1) ||
    { echo "$out" | tail -5 >&2
      echo "fuzz.sh: cannot configure $build" >&2; exit 2; }
fi
ninja -C "$build" libtrustmap-core.a >/dev/null || exit 2
# The compile and link flags of every dependency of the core, as meson
# found them.
deps=$(meson introspect --dependencies "$build" | python3 -c '
import json, sys
args = []
for d in json.load(sys.stdin):
    if d["name"] == "cmocka":
        continue
    for a in d.get("compile_args", []) + d.get("link_args", []):
        if a not in args:
            args.append(a)
print(" ".join(args))')
# shellcheck disable=SC2086 # $deps is a list of flags
clang $flags -fsanitize=fuzzer -std=c17 -D_GNU_SOURCE \
  -I"$top/src" -I"$top/tests/fuzz" "$src" "$build/libtrustmap-core.a" \
  $deps -lm -lpthread -o "$build/$target" || exit 2

corpus=$build/corpus-$target
mkdir -p "$corpus"
cp -n "$top/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
dict=
[ -f "$top/tests/fuzz/$target.dict" ] &&
  dict=-dict=$top/tests/fuzz/$target.dict
# libFuzzer checks for a leak after any input that allocated more than it
# freed, by running it again and scanning the heap. fuzz_render's inputs
# often leave cairo's font caches larger, and its heap holds hundreds of
# megabytes of pin sprites, so that check took a quarter of the time;
# there LeakSanitizer looks once, at exit (and fails the run), instead.
leaks=
[ "$target" = fuzz_render ] && leaks=-detect_leaks=0
log=$build/$target.log
findings() {
  ls -1 "$build" | grep -cE "^(crash|timeout|oom|leak)-$target-" || true
}
before=$(findings)
status=0
start=$(date +%s)
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=print_stacktrace=1 \
  "$build/$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/crash-$target-" \
    $dict $leaks "$corpus" > "$log" 2>&1 || status=$?
after=$(findings)
# The time it really ran: less than asked when interrupted (Ctrl-C).
secs=$(($(date +%s) - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
echo "$target: ${execs:-?} executions in ${secs}s (${rate:-?}/s)," \
  "${cov:-cov: ?}, $(ls "$corpus" | wc -l) files in $corpus," \
  "$((after - before)) new crash(es); log: $log"
if [ "$status" -ne 0 ]; then
  grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|deadly signal' "$log" |
    head -5
  ls -1 "$build" | grep -E "^(crash|timeout|oom|leak)-$target-" |
    sed 's/^/  /'
  exit 1
fi
