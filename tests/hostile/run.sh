#!/bin/sh
# run.sh TRUSTMAP CASE - run one hostile-input case and check that trustmap
# either publishes clean outputs or refuses with a clear message, leaving
# the previous build exactly as it was.
#
# A case is a folder (tests/hostile/CASE/) holding its input files and:
#   cmd     the arguments, one per line. Placeholders: a line "@OUT@" is the
#           output folder; "@WORK@" and "@ROOT@" anywhere in a line stand
#           for a scratch folder (inputs made by setup) and the repository
#           root (for the style: @ROOT@/styles/default.json).
#   expect  line 1: the outcome: accepted (exit 0, no warning), warnings
#           (exit 0 with warnings) or rejected (exit non-zero, nothing
#           published); line 2: the exit status; every further line: a
#           string stderr must contain, e.g. "trusts.csv:7: error:".
# and optionally a file "timeout" (seconds the run may take: cases that
# could hang, such as a pipe or a device), and these executables, each run
# in the case folder with OUT, WORK, ROOT, BIN and CASE in the environment:
#   setup   makes generated inputs in WORK (200,000 rows are made at test
#           time, not committed); exit 77 skips the case, with a message.
#   wrap    runs the command it is given ("$@") in a hostile environment:
#           a file size limit, a read-only folder, no font, no PROJ data.
#   check   case-specific checks after the run (BEFORE is the file of
#           checksums taken before it, STDERR what trustmap printed).
#
# Steps: build the sample into OUT (a good build, --maxzoom 2) and take the
# SHA-256 of every file; run the case from inside its folder (so messages
# show relative paths) into the same OUT, under `timeout` when the case
# has a timeout file; check the exit status and the strings. A rejected
# run must leave OUT byte-identical and no staging folder beside it; an
# accepted one must write outputs that check-outputs.py finds valid
# (UTF-8, JSON, CSV, neutralised formulas, no markup from the inputs).
# stderr must never hold a raw ESC, whatever the input held.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/hostile
name=$(basename "$case")
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
pub=$tmp/pub
out=$pub/out
work=$tmp/work
mkdir -p "$pub" "$work"
export OUT="$out" WORK="$work" ROOT="$root" BIN="$bin" CASE="$case"
export LC_ALL=${LC_ALL:-C} TZ=${TZ:-UTC}

fail() {
  echo "$name: $*"
  exit 1
}

if [ -x "$case/setup" ]; then
  status=0
  (cd "$case" && ./setup) > "$tmp/setup.txt" 2>&1 || status=$?
  if [ "$status" -eq 77 ]; then
    echo "$name: skipped: $(cat "$tmp/setup.txt")"
    exit 77
  fi
  [ "$status" -eq 0 ] || fail "setup failed: $(cat "$tmp/setup.txt")"
fi

# The previous build: the sample, as the README's command makes it.
(cd "$root" && "$bin" build --out "$out" --maxzoom 2 --quiet) \
  > "$tmp/sample.txt" 2>&1 || fail "the sample build failed: $(cat "$tmp/sample.txt")"
sums() {
  (cd "$out" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum)
}
sums > "$tmp/before.txt"
cp "$out/index.html" "$tmp/sample-index.html"
export BEFORE="$tmp/before.txt"

set --
while IFS= read -r arg || [ -n "$arg" ]; do
  case $arg in
    @OUT@) arg=$out ;;
    *@WORK@*|*@ROOT@*)
      arg=$(printf '%s\n' "$arg" | sed "s|@WORK@|$work|g; s|@ROOT@|$root|g")
      ;;
  esac
  set -- "$@" "$arg"
done < "$case/cmd"

# Cases that could hang (a pipe, a device) say so with a timeout file;
# the others are bounded by the meson test timeout, and run trustmap
# directly, so tools/valgrind.sh (which does not trace programs from
# /usr/bin such as timeout) sees it.
limit=
[ -f "$case/timeout" ] && limit=$(cat "$case/timeout")
[ -z "$limit" ] || set -- timeout "$limit" "$bin" "$@"
[ -n "$limit" ] || set -- "$bin" "$@"
[ ! -x "$case/wrap" ] || set -- "$case/wrap" "$@"
status=0
(cd "$case" && "$@") > "$tmp/stdout.txt" 2> "$tmp/stderr.txt" ||
  status=$?

outcome=$(sed -n 1p "$case/expect")
want=$(sed -n 2p "$case/expect")
bad=0
if [ "$status" -ne "$want" ]; then
  echo "$name: exit status $status, expected $want"
  [ "$status" -ne 124 ] || [ -z "$limit" ] ||
    echo "$name: it did not finish in ${limit}s"
  bad=1
fi
sed -n '3,$p' "$case/expect" > "$tmp/strings.txt"
while IFS= read -r s || [ -n "$s" ]; do
  [ -n "$s" ] || continue
  if ! grep -qF -- "$s" "$tmp/stderr.txt"; then
    echo "$name: stderr lacks: $s"
    bad=1
  fi
done < "$tmp/strings.txt"
# Whatever the input held, stderr is for a terminal: no escape sequences.
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/stderr.txt"; then
  echo "$name: stderr holds a raw ESC character"
  bad=1
fi

case $outcome in
  rejected)
    [ "$status" -ne 0 ] || { echo "$name: a rejected input was built"; bad=1; }
    sums > "$tmp/after.txt" 2>/dev/null || true
    if ! cmp -s "$tmp/before.txt" "$tmp/after.txt"; then
      echo "$name: the previous output changed:"
      diff "$tmp/before.txt" "$tmp/after.txt" | head -10
      bad=1
    fi
    ;;
  accepted|warnings)
    if [ "$outcome" = accepted ] && grep -q ': warning: ' "$tmp/stderr.txt"
    then
      echo "$name: accepted with warnings"
      bad=1
    fi
    if [ "$outcome" = warnings ] && ! grep -q ': warning: ' "$tmp/stderr.txt"
    then
      echo "$name: no warning given"
      bad=1
    fi
    if [ "$status" -eq 0 ]; then
      python3 "$here/check-outputs.py" "$out" "$tmp/sample-index.html" ||
        bad=1
    fi
    ;;
  *)
    fail "expect: unknown outcome '$outcome'"
    ;;
esac
left=$(ls -A "$pub" | grep -v '^out$' || true)
if [ -n "$left" ]; then
  echo "$name: left beside the output folder: $left"
  bad=1
fi

if [ -x "$case/check" ] && [ "$bad" -eq 0 ]; then
  (cd "$case" && STDERR="$tmp/stderr.txt" ./check) || bad=1
fi
if [ "$bad" -ne 0 ]; then
  echo "--- stderr of $name:"
  head -c 4000 "$tmp/stderr.txt"
  exit 1
fi
echo "$name: ok ($outcome, exit $status)"
