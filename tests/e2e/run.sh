#!/bin/sh
# run.sh TRUSTMAP CASE [update] - run one end-to-end case and compare with
# CASE/expected/.
#
# CASE/cmd holds the arguments, one per line (a line "@OUT@" is the output
# folder). The run happens inside CASE, so messages show short relative
# paths, or in the repository root when CASE/cwd says "root". Compared:
# the exit status, stderr (with the output folder written as OUT), and
# every file under expected/ other than status and stderr.txt against the
# same path in the output folder; expected/files.txt, when present, is the
# sorted list of files written. With "update", expected/ is rewritten from
# this run instead (review the diff before committing).
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # meson passes ./trustmap
case=$2 mode=${3:-check}
root=$(cd "$(dirname "$0")/../.." && pwd)
got=$(mktemp -d)
trap 'rm -rf "$got"' EXIT

if [ -f "$case/cwd" ] && [ "$(cat "$case/cwd")" = root ]; then
  dir=$root
else
  dir=$case
fi
set --
while IFS= read -r arg || [ -n "$arg" ]; do
  [ "$arg" = "@OUT@" ] && arg=$got/out
  set -- "$@" "$arg"
done < "$case/cmd"

status=0
(cd "$dir" && "$bin" "$@") > "$got/stdout.txt" 2> "$got/stderr.raw" ||
  status=$?
sed "s|$got/out|OUT|g" "$got/stderr.raw" > "$got/stderr.txt"

if [ "$mode" = update ]; then
  mkdir -p "$case/expected"
  echo "$status" > "$case/expected/status"
  cp "$got/stderr.txt" "$case/expected/stderr.txt"
  for f in $(cd "$case/expected" && find . -type f ! -name status \
               ! -name stderr.txt ! -name files.txt | LC_ALL=C sort); do
    if [ -f "$got/out/$f" ]; then cp "$got/out/$f" "$case/expected/$f"; fi
  done
  if [ -f "$case/expected/files.txt" ]; then
    (cd "$got/out" && find . -type f | LC_ALL=C sort) > \
      "$case/expected/files.txt"
  fi
  echo "updated $case"
  exit 0
fi

fail=0
want=$(cat "$case/expected/status")
if [ "$status" -ne "$want" ]; then
  echo "exit status $status, expected $want"
  fail=1
fi
if ! cmp -s "$case/expected/stderr.txt" "$got/stderr.txt"; then
  echo "stderr differs:"
  diff -u "$case/expected/stderr.txt" "$got/stderr.txt" || true
  fail=1
fi
for f in $(cd "$case/expected" && find . -type f ! -name status \
             ! -name stderr.txt ! -name files.txt | LC_ALL=C sort); do
  if [ ! -f "$got/out/$f" ]; then
    echo "missing output $f"
    fail=1
  elif ! cmp -s "$case/expected/$f" "$got/out/$f"; then
    echo "$f differs:"
    diff -u "$case/expected/$f" "$got/out/$f" | head -40 || true
    fail=1
  fi
done
if [ -f "$case/expected/files.txt" ]; then
  (cd "$got/out" && find . -type f | LC_ALL=C sort) > "$got/files.txt"
  if ! cmp -s "$case/expected/files.txt" "$got/files.txt"; then
    echo "files written differ:"
    diff -u "$case/expected/files.txt" "$got/files.txt" | head -40 || true
    fail=1
  fi
fi
if [ "$status" -ne 0 ] && [ -e "$got/out" ]; then
  echo "a failed build left an output folder"
  fail=1
fi
exit $fail
