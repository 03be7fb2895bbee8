#!/bin/sh
# tools/update-goldens.sh - rewrite the end-to-end expected outputs from
# the current build (tests/e2e/cases/*/expected/). Review `git diff`
# before committing: every change there is a change users will see.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ninja -C build trustmap >/dev/null
for c in tests/e2e/cases/*/; do
  LC_ALL=C TZ=UTC sh tests/e2e/run.sh "$top/build/trustmap" "$top/$c" update
done
