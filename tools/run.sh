#!/bin/sh
# tools/run.sh - set up (install what is missing, build) and render the
# sample map from data/trusts/ into out/. Extra arguments go to
# `trustmap build`, e.g. tools/run.sh --maxzoom 10.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sh tools/setup.sh
./build/trustmap build "$@"
echo "open out/index.html through a web server, e.g.:"
echo "  (cd out && python3 -m http.server 8000)  then http://localhost:8000/"
