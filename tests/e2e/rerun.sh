#!/bin/sh
# rerun.sh TRUSTMAP - two builds of the same input are byte-identical, and
# the second reports no changed file.
set -eu
. "$(dirname "$0")/lib.sh"
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

# One answer changes: the change list names exactly that trust, every pin
# carries previous_status, and --previous names the baseline explicitly.
sed 's/^RJ1,Yes,/RJ1,No,/' data/trusts/foi-2025-09.csv > "$work/foi-2025-10.csv"
grep -q '^RJ1,No,' "$work/foi-2025-10.csv"
"$bin" build --trusts data/trusts/trusts.csv --foi "$work/foi-2025-10.csv" \
  --out "$work/a" --maxzoom 6 2> "$work/stderr-10.txt"
python3 - "$work/a" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/changes.csv", encoding="utf-8")))
assert [(r["trust_code"], r["previous_status"], r["status"], r["previous_round"], r["round"]) for r in rows] == \
       [("RJ1", "collecting", "not_collecting", "2025-09", "2025-10")], rows
g = json.load(open(out + "/trusts.geojson"))
for f in g["features"]:
    p = f["properties"]
    want = "collecting" if p["trust_code"] == "RJ1" else p["status"]
    assert p["previous_status"] == want, p
r = json.load(open(out + "/report.json"))
assert [c["trust_code"] for c in r["changes"]["trusts"]] == ["RJ1"]
print("ok: one changed answer is reported as one change")
PY
"$bin" build --trusts data/trusts/trusts.csv --foi "$work/foi-2025-10.csv" \
  --previous "$work/b" --out "$work/c" --maxzoom 2 --quiet
grep -q '^RJ1,' "$work/c/changes.csv"

# Incremental tiles: the build above reused the unchanged tiles of the
# previous round; its tiles must equal a clean build's, byte for byte.
"$bin" build --trusts data/trusts/trusts.csv --foi "$work/foi-2025-10.csv" \
  --out "$work/clean" --maxzoom 6 --quiet
for d in a clean; do
  (cd "$work/$d" && find tiles clusters.json tiles.json legend.png \
     legend@2x.png -type f | LC_ALL=C sort | xargs sha256sum) > "$work/$d.tiles"
done
cmp "$work/a.tiles" "$work/clean.tiles" ||
  { echo "incremental tiles differ from a clean build"; exit 1; }
# The build says what it drew and reused (the report does not, so that a
# rerun changes no file).
line=$(grep '^trustmap: tiles: ' "$work/stderr-10.txt")
drawn=$(echo "$line" | sed 's/.*tiles: \([0-9]*\) drawn.*/\1/')
reused=$(echo "$line" | sed 's/.* \([0-9]*\) reused.*/\1/')
[ "$drawn" -gt 0 ] && [ "$reused" -gt 0 ] ||
  { echo "expected some tiles drawn and some reused: $line"; exit 1; }
echo "ok: incremental build ($line) gives the same tiles as a clean build"
