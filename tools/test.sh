#!/bin/sh
# tools/test.sh - set up (install what is missing, build) and run every
# test, as CI does:
#   1. every meson suite (unit, e2e, shared, kill, hostile, the fuzz
#      corpora and the browser test) on the release build in build/;
#   2. every suite again under ASan+UBSan, in build-asan/;
#   3. each fuzz target under libFuzzer for a short smoke run
#      (tools/fuzz.sh, in build-fuzz/), one test each.
# The last line is "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

export LC_ALL=C TZ=UTC

meson test -C build --print-errorlogs --num-processes 2 \
  > build/test-output.txt 2>&1
cat build/test-output.txt | grep -E '^ *[0-9]+/[0-9]+ ' || true

# Sanitizers: a second build folder, so the release build stays fast.
# Every suite runs again; kill with 10 rounds instead of 100 (its builds
# are killed part-way, so ASan sees only their memory errors, not their
# leaks, and 100 rounds under ASan would take minutes).
# verify_asan_link_order=0: hostile/io-faults preloads its fault library,
# which then comes before ASan's runtime; the library only wraps I/O
# calls and hands them on, which ASan does not mind. tools/lsan.supp
# holds one leak of glibc's. Timeouts are tripled: under ASan, GDAL's
# line reader grows its buffer by copying it (ASan's realloc cannot grow
# in place), so hostile/long-line-10mb's 10 MB line takes over a minute.
if [ ! -d build-asan ]; then
  meson setup build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
fi
ninja -C build-asan >/dev/null 2>&1 || ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:verify_asan_link_order=0 \
LSAN_OPTIONS=suppressions=$top/tools/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
TM_KILL_ROUNDS=10 \
  meson test -C build-asan --timeout-multiplier 3 --print-errorlogs \
  --num-processes 2 \
  > build-asan/test-output.txt 2>&1
sed 's/^/asan: /' build-asan/test-output.txt |
  grep -E '^asan: *[0-9]+/[0-9]+ ' || true

# Fuzzing smoke runs: every target in tests/fuzz/ for 15 s from its seed
# corpus, with ASan+UBSan (clang; build-fuzz/ is made the first time).
# Not 10^7 executions, but a target that no longer builds, or crashes on
# its first mutations, fails here rather than in someone's long session.
: > build/fuzz-smoke.txt
for src in tests/fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  if sh tools/fuzz.sh "$t" 15 > "build/fuzz-smoke-$t.txt" 2>&1; then
    r=OK
  else
    r=FAIL
  fi
  echo "$r $t build/fuzz-smoke-$t.txt" >> build/fuzz-smoke.txt
  echo "fuzz: $r $(head -1 "build/fuzz-smoke-$t.txt")"
done

# Count from meson's machine-readable logs: skipped tests (exit 77, e.g.
# shared data absent) are listed but are neither passed nor failed. Then
# the smoke runs, one line each: OK|FAIL TARGET LOG.
python3 - build/meson-logs/testlog.json \
  asan:build-asan/meson-logs/testlog.json build/fuzz-smoke.txt <<'PY'
import json, sys
passed = failed = skipped = 0

def fail(name, out):
    global failed
    failed += 1
    print(f"FAILED: {name}")
    # The tail of what it printed, so a CI log alone says why.
    for tail in out.splitlines()[-30:]:
        print(f"  | {tail}")

def read(path):
    try:
        return open(path).read()
    except OSError:
        return None

for arg in sys.argv[1:3]:
    label, _, path = arg.rpartition(":")
    prefix = f"{label}: " if label else ""
    text = read(path)
    if text is None:
        fail(f"missing {path}", "")
        continue
    for line in text.splitlines():
        r = json.loads(line)
        name = prefix + r["name"]
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
            print(f"skipped: {name}")
        else:
            fail(f"{name} ({r['result']})",
                 (r.get("stdout") or "") + (r.get("stderr") or ""))

smoke = read(sys.argv[3])
if not smoke:
    fail("fuzz smoke runs (none ran)", "")
for line in (smoke or "").splitlines():
    result, target, log = line.split(" ", 2)
    if result == "OK":
        passed += 1
    else:
        fail(f"fuzz smoke: {target}", read(log) or "")
print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
