#!/bin/sh
# shard.sh TRUSTMAP - the sample built as 4 shards (run side by side, as
# 4 machines would) and merged equals a one-machine build, byte for byte,
# every file of the output folder; the shards' tiles are disjoint and
# together are the whole set; --jobs does not change a shard; a merge
# with a shard missing, mixed in from another build, or damaged fails
# with a message naming the folder and the fix, and leaves the published
# output untouched.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$root"
opts="--maxzoom 8 --quiet"

# What a folder holds, with every file's hash, for "untouched" checks.
snapshot() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# The tiles of a folder, one path per line.
tiles_of() { (cd "$1" && find tiles -type f ! -name available.json |
                LC_ALL=C sort); }

"$bin" build $opts --out "$work/one"

# Four shards at once, as four machines would run them.
pids=
for k in 1 2 3 4; do
  "$bin" build $opts --shard "$k/4" --jobs 1 --out "$work/shards/$k" &
  pids="$pids $!"
done
for p in $pids; do
  wait "$p" || fail "a shard build failed"
done
for k in 1 2 3 4; do
  grep -q "\"shard\":$k,\"shards\":4," "$work/shards/$k/shard.json" ||
    fail "shards/$k/shard.json does not say shard $k/4"
done

# Disjoint, and together exactly the one-machine build's tiles.
for k in 1 2 3 4; do tiles_of "$work/shards/$k"; done > "$work/all-shards.txt"
dups=$(LC_ALL=C sort "$work/all-shards.txt" | uniq -d)
[ -z "$dups" ] || fail "tiles in more than one shard: $dups"
LC_ALL=C sort "$work/all-shards.txt" > "$work/union.txt"
tiles_of "$work/one" > "$work/one-tiles.txt"
cmp "$work/union.txt" "$work/one-tiles.txt" ||
  { echo "the shards' tiles are not the one-machine build's:";
    diff "$work/one-tiles.txt" "$work/union.txt" | head; exit 1; }
for k in 1 2 3 4; do
  [ -s "$work/shards/$k/tile-signatures.txt" ] || fail "shard $k is empty"
done
echo "ok: 4 shards are disjoint and hold all" \
  "$(wc -l < "$work/union.txt") tile files"

# The job count changes no byte of a shard.
for k in 1 2 3 4; do
  "$bin" build $opts --shard "$k/4" --jobs 2 --out "$work/jobs2/$k"
  diff -r "$work/shards/$k" "$work/jobs2/$k" ||
    fail "shard $k/4 differs between --jobs 1 and --jobs 2"
done
echo "ok: --jobs 1 and --jobs 2 give identical shards"

# The merge is the one-machine build, every file, byte for byte (both
# were first builds into a fresh folder, so even changes.txt agrees).
"$bin" merge $opts --out "$work/merged" "$work/shards/3" "$work/shards/1" \
  "$work/shards/4" "$work/shards/2" 2> "$work/merge.txt" ||
  { cat "$work/merge.txt"; fail "the merge failed"; }
diff -r "$work/one" "$work/merged" ||
  fail "the merge differs from the one-machine build"
[ ! -e "$work/merged/shard.json" ] || fail "the merge is marked as a shard"
echo "ok: the merge equals the one-machine build, byte for byte"

# A rerun of the merge over its own output changes nothing.
"$bin" merge --maxzoom 8 --out "$work/merged" "$work/shards/1" \
  "$work/shards/2" "$work/shards/3" "$work/shards/4" 2> "$work/rerun.txt"
grep -q 'tiles: [0-9]* taken from the shards' "$work/rerun.txt" ||
  { cat "$work/rerun.txt"; fail "no tile summary after a merge"; }
grep -q '0 added, 0 changed, 0 removed' "$work/rerun.txt" ||
  { cat "$work/rerun.txt"; fail "a merge rerun changed files"; }

# Failed merges: exit status, message, and the published output and its
# neighbours exactly as they were.
snapshot "$work/merged" > "$work/before.txt"
expect_failure() {  # expect_failure STATUS TEXT ARGS...
  want=$1 text=$2
  shift 2
  status=0
  "$bin" merge --maxzoom 8 --out "$work/merged" "$@" 2> "$work/err.txt" ||
    status=$?
  [ "$status" -eq "$want" ] ||
    { cat "$work/err.txt"; fail "merge exited $status, expected $want"; }
  grep -qF -- "$text" "$work/err.txt" ||
    { cat "$work/err.txt"; fail "the message lacks: $text"; }
  snapshot "$work/merged" > "$work/after.txt"
  cmp -s "$work/before.txt" "$work/after.txt" ||
    fail "a failed merge changed the published output"
  left=$(find "$work" -maxdepth 1 -name 'merged.*' | wc -l)
  [ "$left" -eq 0 ] || fail "a failed merge left $(ls -d "$work"/merged.*)"
}

expect_failure 2 "shard 3/4 is missing" \
  "$work/shards/1" "$work/shards/2" "$work/shards/4"
grep -qF "trustmap build --shard 3/4" "$work/err.txt" ||
  fail "the missing shard's message does not say how to make it"
echo "ok: a merge with a shard missing fails (exit 2) and names it"

# A shard of another build (other zooms) mixed in.
"$bin" build --maxzoom 7 --quiet --shard 2/4 --out "$work/other/2"
expect_failure 2 "$work/other/2 (shard 2/4) is a shard of another build" \
  "$work/shards/1" "$work/other/2" "$work/shards/3" "$work/shards/4"
# The shards are fine, but the merge's own options differ from theirs.
status=0
"$bin" merge --maxzoom 7 --quiet --out "$work/merged" "$work/shards/1" \
  "$work/shards/2" "$work/shards/3" "$work/shards/4" 2> "$work/err.txt" ||
  status=$?
[ "$status" -eq 2 ] && grep -q "other inputs or options" "$work/err.txt" ||
  { cat "$work/err.txt"; fail "a merge with other options was not refused"; }
# A folder that is no shard, and the same shard twice.
expect_failure 2 "$work/one is not a shard folder" \
  "$work/one" "$work/shards/2" "$work/shards/3" "$work/shards/4"
expect_failure 2 "are both shard 2/4" \
  "$work/shards/1" "$work/shards/2" "$work/jobs2/2" "$work/shards/3" \
  "$work/shards/4"
echo "ok: mixed and foreign folders are refused, naming the folder"

# A shard that lost a tile: the merge names the tile and the shard, and
# draws nothing in its place.
cp -R "$work/shards/2" "$work/damaged"
lost=$(cd "$work/damaged" && find tiles -name '*.png' | LC_ALL=C sort |
         head -n 1)
rm "$work/damaged/$lost"
tile=$(echo "$lost" | sed 's|^tiles/||; s|@2x||; s|\.png$||')
expect_failure 3 "tile $tile is missing from $work/damaged, shard 2/4" \
  "$work/shards/1" "$work/damaged" "$work/shards/3" "$work/shards/4"
echo "ok: a merge with a damaged shard fails (exit 3) and names the tile"
