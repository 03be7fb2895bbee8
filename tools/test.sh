#!/bin/sh
# tools/test.sh - set up (install what is missing, build) and run every
# test: unit, end-to-end, shared-data, fuzz corpora and the browser test,
# then the unit and end-to-end suites again under ASan+UBSan.
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
if [ ! -d build-asan ]; then
  meson setup build-asan -Dbuildtype=debug -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
fi
ninja -C build-asan >/dev/null 2>&1 || ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --suite unit --suite e2e --print-errorlogs \
  --num-processes 2 > build-asan/test-output.txt 2>&1
sed 's/^/asan: /' build-asan/test-output.txt | grep -E '^asan: *[0-9]+/[0-9]+ ' || true

# Count from meson's machine-readable logs: skipped tests (exit 77, e.g.
# shared data absent) are listed but are neither passed nor failed.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        print(f"missing {path}")
        continue
    for line in lines:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
            print(f"skipped: {r['name']}")
        else:
            failed += 1
            print(f"FAILED: {r['name']} ({r['result']})")
            # The tail of what it printed, so a CI log alone says why.
            out = (r.get("stdout") or "") + (r.get("stderr") or "")
            for tail in out.splitlines()[-30:]:
                print(f"  | {tail}")
print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
