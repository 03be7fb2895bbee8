# lib.sh - the start every end-to-end script shares; sourced, with the
# trustmap binary meson passes (./trustmap) as the script's first
# argument. Sets:
#   bin   that binary as an absolute path, so the script may cd anywhere;
#   root  the project folder;
#   work  a new temporary folder, removed when the script exits.
# and defines fail MESSAGE: print it and exit 1.
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "$*"; exit 1; }
