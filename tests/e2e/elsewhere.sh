#!/bin/sh
# elsewhere.sh TRUSTMAP - trustmap run from a folder with no styles/ uses
# the style compiled into it, and builds exactly what the project's
# styles/default.json builds.
set -eu
. "$(dirname "$0")/lib.sh"

args="--trusts $root/data/trusts/trusts.csv --foi $root/data/trusts/foi-2025-09.csv --maxzoom 7 --quiet"
(cd "$work" && "$bin" build $args --out "$work/builtin")
(cd "$root" && "$bin" build $args --style styles/default.json \
   --out "$work/file")
grep -q '"style":[[:space:]]*"(built-in default style)"' \
  "$work/builtin/report.json"
for f in trusts.geojson trusts.csv tiles.json index.html legend.png \
         clusters.json tile-signatures.txt; do
  cmp "$work/builtin/$f" "$work/file/$f"
done
diff -r "$work/builtin/tiles" "$work/file/tiles"
echo "ok: the built-in style builds what styles/default.json builds"
