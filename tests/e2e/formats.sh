#!/bin/sh
# formats.sh TRUSTMAP - the sample read from XLSX, ODS and GeoPackage gives
# the same map as from CSV; a GeoPackage whose points are stored in British
# National Grid gives the same places; the GeoJSON reads back with GDAL and
# passes an independent RFC 7946 validator.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$root"
command -v ogr2ogr >/dev/null ||
  { echo "skip: ogr2ogr (gdal-bin) is not installed"; exit 77; }

trusts=data/trusts/trusts.csv
foi=data/trusts/foi-2025-09.csv
"$bin" build --out "$work/csv" --maxzoom 2 --quiet

for fmt in XLSX ODS GPKG; do
  ext=$(echo "$fmt" | tr 'A-Z' 'a-z')
  ogr2ogr -f "$fmt" "$work/trusts.$ext" "$trusts" -nln trusts
  ogr2ogr -f "$fmt" "$work/foi.$ext" "$foi" -nln foi
  "$bin" build --trusts "$work/trusts.$ext" --foi "$work/foi.$ext" \
    --round 2025-09 --out "$work/$ext" --maxzoom 2 --quiet
  cmp "$work/csv/trusts.geojson" "$work/$ext/trusts.geojson" ||
    { echo "$fmt input gives a different map"; exit 1; }
  echo "ok: $fmt"
done

# Points as geometry in EPSG:27700: only rows with lat/lon get a point;
# trustmap must carry them through PROJ back to the same places.
ogr2ogr -f GPKG "$work/bng.gpkg" "$trusts" -nln trusts \
  -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude \
  -s_srs EPSG:4326 -t_srs EPSG:27700 \
  -sql "SELECT code, name, site_code, site_name, nation, easting, northing FROM trusts"
"$bin" build --trusts "$work/bng.gpkg" --foi "$foi" --round 2025-09 \
  --out "$work/bng" --maxzoom 2 --quiet
python3 - "$work/csv/trusts.geojson" "$work/bng/trusts.geojson" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["features"]
b = json.load(open(sys.argv[2]))["features"]
assert len(a) == len(b), (len(a), len(b))
worst = 0.0
for fa, fb in zip(a, b):
    assert fa["properties"]["code"] == fb["properties"]["code"]
    for u, v in zip(fa["geometry"]["coordinates"], fb["geometry"]["coordinates"]):
        worst = max(worst, abs(u - v))
# Both directions use the same PROJ operation, so the round trip is exact
# to well under a metre (1e-5 degrees).
assert worst < 1e-5, worst
print(f"ok: GeoPackage in EPSG:27700, worst difference {worst:.1e} degrees")
PY

# Read back with GDAL, and check with an independent validator.
n=$(ogrinfo -ro -so -al "$work/csv/trusts.geojson" | sed -n 's/^Feature Count: //p')
want=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$work/csv/trusts.geojson")
[ "$n" = "$want" ] || { echo "GDAL reads $n features, expected $want"; exit 1; }
node "$(dirname "$0")/check-geojson.js" "$work/csv/trusts.geojson"
echo "ok: GeoJSON reads back with GDAL ($n features) and validates"
