#!/bin/sh
# rerun.sh TRUSTMAP - two builds of the same input are byte-identical, and
# the second reports no changed file.
set -eu
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

"$bin" build --out "$work/a" --maxzoom 6 --quiet
"$bin" build --out "$work/b" --maxzoom 6 --quiet --jobs 1
(cd "$work/a" && find . -type f ! -name changes.txt | LC_ALL=C sort |
   xargs sha256sum) > "$work/a.txt"
(cd "$work/b" && find . -type f ! -name changes.txt | LC_ALL=C sort |
   xargs sha256sum) > "$work/b.txt"
cmp "$work/a.txt" "$work/b.txt" ||
  { echo "two builds differ:"; diff "$work/a.txt" "$work/b.txt" | head; exit 1; }

"$bin" build --out "$work/a" --maxzoom 6 2> "$work/stderr.txt"
grep -q '0 added, 0 changed, 0 removed' "$work/stderr.txt" ||
  { echo "a rerun changed files:"; cat "$work/stderr.txt"; exit 1; }
if grep -qE '^(added|changed|removed) ' "$work/a/changes.txt"; then
  echo "changes.txt lists changes after a rerun:"; cat "$work/a/changes.txt"
  exit 1
fi
echo "ok: reruns are byte-identical"
