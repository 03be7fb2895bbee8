#!/bin/sh
# kill.sh TRUSTMAP [N] - kill builds with SIGKILL at N (default 100, or
# TM_KILL_ROUNDS when set: the sanitizer run takes fewer) random moments; after each, the output folder must be one whole build: every
# file its manifest lists is there with the listed SHA-256, and nothing
# else is (apart from manifest.json and changes.txt). Builds alternate
# between two FOI rounds, so an interrupted swap would show as a mix.
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${TM_KILL_ROUNDS:-${2:-100}}
cd "$root"

sed 's/^RJ1,Yes,/RJ1,No,/' data/trusts/foi-2025-09.csv > "$work/foi-b.csv"
"$bin" build --out "$work/out" --maxzoom 5 --quiet

check() {
  python3 - "$work/out" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
m = json.load(open(os.path.join(out, "manifest.json")))
listed = {f["path"]: f for f in m["files"]}
for path, f in listed.items():
    data = open(os.path.join(out, path), "rb").read()
    assert len(data) == f["size"], path
    assert hashlib.sha256(data).hexdigest() == f["sha256"], path
found = set()
for d, _, files in os.walk(out):
    for name in files:
        found.add(os.path.relpath(os.path.join(d, name), out))
extra = found - set(listed) - {"manifest.json", "changes.txt"}
assert not extra, sorted(extra)[:5]
PY
}

i=0
seed=1
while [ "$i" -lt "$rounds" ]; do
  if [ $((i % 2)) -eq 0 ]; then foi=data/trusts/foi-2025-09.csv
  else foi="$work/foi-b.csv"; fi
  "$bin" build --trusts data/trusts/trusts.csv --foi "$foi" --round r$i \
    --out "$work/out" --maxzoom 5 --quiet --jobs 2 2>/dev/null &
  pid=$!
  # A deterministic pseudo-random delay from 0 to ~0.6 s covers reading,
  # rendering, writing, hashing and the swap.
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  delay=$(( seed % 600 ))
  sleep "$(printf '0.%03d' "$delay")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check || { echo "after kill $i (at ${delay} ms) out/ is not one whole build"; exit 1; }
  i=$((i + 1))
done
# Staging folders of killed runs are cleared by the next build.
"$bin" build --out "$work/out" --maxzoom 5 --quiet
check
left=$(find "$work" -maxdepth 1 -name 'out.*' | wc -l)
[ "$left" -eq 0 ] || { echo "staging folders left behind:"; ls "$work"; exit 1; }
echo "ok: $rounds builds killed at random moments; out/ was always one whole build"
