#!/bin/sh
# tools/bench-rounds.sh - time a clean build and a rerun after one status
# change, on ../shared/data/nhs-choices-hospitals-2018 (1,231 sites) at
# z0-14 with @2x tiles, and report the tiles drawn and reused for each.
# Run after tools/setup.sh. Prints figures; asserts nothing about time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=$top/build/trustmap
data=$top/../shared/data/nhs-choices-hospitals-2018/hospitals_utf8.csv
foi=$top/tests/e2e/shared-data/foi-nhs-hospitals.csv
[ -x "$bin" ] || { echo "build/trustmap is missing: run tools/setup.sh"; exit 1; }
[ -f "$data" ] || { echo "skip: $data is absent"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One trust's answer changes between the two rounds.
first=$(sed -n 2p "$foi" | cut -d, -f1)
awk -F, -v OFS=, -v c="$first" 'NR > 1 && $1 == c { $2 = ($2 == "No" ? "Yes" : "No") } { print }' \
  "$foi" > "$work/foi-next.csv"

run() {  # run LABEL FOI ROUND
  start=$(date +%s.%N)
  "$bin" build --trusts "$data" --foi "$2" --round "$3" --out "$work/out" \
    --minzoom 0 --maxzoom 14 2> "$work/stderr.txt"
  end=$(date +%s.%N)
  tiles=$(sed -n 's/^trustmap: tiles: //p' "$work/stderr.txt")
  files=$(sed -n 's/^trustmap: \([0-9]* files: .*\) (see.*/\1/p' "$work/stderr.txt")
  printf '%-28s %6.2f s   tiles: %s\n%-28s            files: %s\n' "$1" \
    "$(echo "$end - $start" | bc)" "$tiles" "" "$files"
}

echo "trustmap $("$bin" --version | cut -d' ' -f2), $(nproc) cores, 1,231 NHS sites, z0-14, 1x + @2x"
run "clean build" "$foi" 2025-09
run "rerun, nothing changed" "$foi" 2025-09
run "next round, one change" "$work/foi-next.csv" 2025-10
