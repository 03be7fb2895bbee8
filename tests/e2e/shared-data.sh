#!/bin/sh
# shared-data.sh TRUSTMAP - build the real public datasets in ../shared/data:
# the NHS website's 1,231 hospital sites (parent trust codes, WGS84) and the
# ODS trusts located by postcode through a BNG lookup. For each, the
# published features plus the rows the report lists as left off (plus blank
# rows) must equal the input rows; the GeoJSON must read back with GDAL
# and pass an independent validator. Skips where the folder is absent.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # meson passes ./trustmap
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=$root/../shared/data
if [ ! -d "$data" ]; then
  echo "skip: $data is absent (the shared real datasets are not here)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() {  # check NAME OUT EXPECTED_ROWS
  python3 - "$2" "$3" "$1" <<'PY'
import json, sys
out, rows, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
g = json.load(open(out + "/trusts.geojson"))
r = json.load(open(out + "/report.json"))
t = r["inputs"]["trusts"]
n = len(g["features"])
assert t["rows"] == rows, (t["rows"], rows)
assert n == t["on_map"], (n, t["on_map"])
left = sum(1 for p in r["problems"] if p["left_off"] and p["file"] == r["inputs"]["trusts"]["path"])
assert left == t["left_off"], (left, t["left_off"])
assert n + t["left_off"] + t["blank_rows"] == rows, (n, t["left_off"], t["blank_rows"], rows)
print(f"ok: {name}: {rows} rows = {n} features + {t['left_off']} left off + {t['blank_rows']} blank")
PY
  n=$(ogrinfo -ro -so -al "$2/trusts.geojson" | sed -n 's/^Feature Count: //p')
  echo "GDAL reads $n features"
  node "$here/check-geojson.js" "$2/trusts.geojson"
}

# 1. NHS website hospitals: sites with ParentODSCode/ParentName.
hosp=$data/nhs-choices-hospitals-2018/hospitals_utf8.csv
"$bin" build --trusts "$hosp" --foi "$here/shared-data/foi-nhs-hospitals.csv" \
  --out "$work/hospitals" --maxzoom 8 --quiet
check nhs-hospitals "$work/hospitals" \
  "$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))" "$hosp")"

# 2. ODS trusts (no header) located by postcode through a BNG lookup (no
#    header, zero-padded northings).
etr=$data/ods-etr-trusts-2020/etr.csv
"$bin" build --trusts "$etr" --no-header trusts \
  --col trusts.code=#1 --col trusts.name=#2 --col trusts.postcode=#10 \
  --postcodes "$data/ods-etr-trusts-2020/postcode_lookup.csv" \
  --no-header postcodes --col postcodes.postcode=#1 \
  --col postcodes.easting=#2 --col postcodes.northing=#3 \
  --foi "$here/shared-data/foi-ods-trusts.csv" \
  --out "$work/ods" --maxzoom 8 --quiet
check ods-trusts "$work/ods" "$(wc -l < "$etr")"
