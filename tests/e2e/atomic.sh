#!/bin/sh
# atomic.sh TRUSTMAP - a failed build leaves the previous output untouched,
# byte for byte, and leaves no staging folder behind; trustmap refuses to
# replace a folder that is not its own.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$root"

"$bin" build --out "$work/out" --maxzoom 4 --quiet
(cd "$work/out" && find . -type f | LC_ALL=C sort | xargs sha256sum) \
  > "$work/before.txt"

# An FOI file with an unknown status: exit 1, nothing published.
sed 's/^\(R[^,]*\),[Yy]es/\1,Partly/' data/trusts/foi-2025-09.csv \
  > "$work/bad-foi.csv"
status=0
"$bin" build --trusts data/trusts/trusts.csv --foi "$work/bad-foi.csv" \
  --out "$work/out" --maxzoom 4 2> "$work/stderr.txt" || status=$?
[ "$status" -eq 1 ] || { echo "bad build exited $status, expected 1"; exit 1; }
grep -q 'is not a known status' "$work/stderr.txt" ||
  { echo "no unknown-status message:"; cat "$work/stderr.txt"; exit 1; }
(cd "$work/out" && find . -type f | LC_ALL=C sort | xargs sha256sum) \
  > "$work/after.txt"
cmp "$work/before.txt" "$work/after.txt" ||
  { echo "the previous output changed after a failed build"; exit 1; }

# A build that fails while writing (the output's parent is read-only for
# the staging folder: simulate with a style whose font is fine but whose
# out path is under a file) must not touch out/ either.
status=0
"$bin" build --out "$work/out/trusts.csv/x" --quiet 2> "$work/stderr2.txt" ||
  status=$?
[ "$status" -ne 0 ] || { echo "build into a file's path succeeded"; exit 1; }
(cd "$work/out" && find . -type f | LC_ALL=C sort | xargs sha256sum) \
  > "$work/after2.txt"
cmp "$work/before.txt" "$work/after2.txt"

# No staging folders left beside the output.
left=$(find "$work" -maxdepth 1 -name 'out.*' | wc -l)
[ "$left" -eq 0 ] || { echo "staging folders left behind:"; ls "$work"; exit 1; }

# Never replace a folder trustmap did not make.
mkdir "$work/mine" && echo precious > "$work/mine/notes.txt"
status=0
"$bin" build --out "$work/mine" --quiet 2> "$work/stderr3.txt" || status=$?
[ "$status" -ne 0 ] || { echo "replaced a foreign folder"; exit 1; }
[ "$(cat "$work/mine/notes.txt")" = precious ]
echo "ok: failed builds leave the previous output untouched"

# --keep 2 keeps the two builds before the current one, and no more.
for r in r1 r2 r3 r4; do
  "$bin" build --out "$work/kept" --maxzoom 1 --quiet --keep 2 --round "$r"
done
for pair in "kept r4" "kept.previous-1 r3" "kept.previous-2 r2"; do
  set -- $pair
  grep -q "\"round\":\"$2\"" "$work/$1/trusts.geojson" ||
    { echo "$1 is not the build of round $2"; exit 1; }
done
[ ! -e "$work/kept.previous-3" ] || { echo "kept more than 2 builds"; exit 1; }
echo "ok: --keep 2 keeps the two builds before this one"
