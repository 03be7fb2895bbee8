#!/bin/sh
# tools/valgrind.sh [BUILDDIR] - run the end-to-end and hostile-input tests
# with every trustmap run under valgrind's memcheck.
#
#   meson test -C BUILDDIR --suite e2e --suite hostile --wrap='valgrind
#     --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
#     ...'
#
# BUILDDIR defaults to build. GDAL, PROJ and fontconfig keep some
# allocations until exit ("still reachable"), so only definite leaks and
# memory errors count. The tests are shell scripts, so valgrind follows
# their children (--trace-children) except the programs they use from
# /usr and /bin (python3, sha256sum, ogr2ogr...): what it checks is
# trustmap. tools/valgrind.supp suppresses two leaks that are not
# trustmap's: the shell's that runs the scripts, and one that p11-kit
# makes when it is loaded under a non-C locale; nothing of trustmap's
# own is suppressed. Valgrind writes to its own log files, not to
# trustmap's stderr (which the tests compare), and a log with anything in
# it fails this script even when the test passed: an error in a run that
# was expected to exit 1 must not hide behind that exit status.
#
# It is not part of tools/test.sh: on a 2-core machine it takes about 28
# minutes (e2e's shard script alone 7, hostile/long-line-10mb 5), where
# the whole CI run must stay well under 15. CI runs the same suites under
# ASan+UBSan instead; run this by hand after a change to how memory is
# handled. (hostile/io-faults leaves out its fault sweep under valgrind.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
command -v valgrind >/dev/null ||
  { echo "valgrind.sh: valgrind is needed (apt-get install valgrind)" >&2
    exit 2; }
[ -f "$build/build.ninja" ] ||
  { echo "valgrind.sh: $build is not a meson build folder" >&2; exit 2; }
ninja -C "$build" >/dev/null

logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
status=0
LC_ALL=C TZ=UTC meson test -C "$build" --suite e2e --suite hostile \
  --timeout-multiplier 20 --print-errorlogs \
  --wrap="valgrind --error-exitcode=1 --leak-check=full \
--errors-for-leak-kinds=definite --trace-children=yes \
--trace-children-skip=/usr/*,/bin/*,/sbin/* -q \
--suppressions=$top/tools/valgrind.supp --log-file=$logs/vg.%p.log" ||
  status=$?

# -q leaves a log empty unless valgrind found something.
found=0
for f in "$logs"/vg.*.log; do
  [ -s "$f" ] || { rm -f "$f"; continue; }
  found=$((found + 1))
  echo "== $f"
  head -60 "$f"
done
echo "valgrind: $(ls "$logs" | wc -l) log(s) with errors or definite leaks"
if [ "$found" -ne 0 ] || [ "$status" -ne 0 ]; then
  echo "valgrind.sh: FAILED (meson test exit $status; logs in $logs)"
  exit 1
fi
echo "valgrind.sh: passed: no memory errors, no definite leaks"
