#!/bin/sh
# tools/setup.sh - install what is missing on Debian 12, then configure and
# build trustmap into build/. Safe to run again: apt and npm skip what is
# there, and meson reconfigures an existing build folder.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Build and run-time packages. Chromium, Node.js and pngcheck are for the
# test suite; they are small next to GDAL and keep one set-up for everyone.
pkgs="build-essential pkg-config meson ninja-build
      libgdal-dev gdal-bin libproj-dev proj-bin proj-data
      libcjson-dev libpng-dev libdeflate-dev libcairo2-dev libpixman-1-dev
      libfreetype-dev fonts-dejavu-core
      libcmocka-dev nettle-dev pngcheck chromium ca-certificates"
# The fuzz targets' smoke runs (tools/test.sh, tools/fuzz.sh) need clang
# with libFuzzer and clang's own sanitizer runtimes. Debian 12 ships those
# apart from the compiler, in libclang-rt-14-dev, which the clang packages
# only recommend (and apt installs no recommends here).
pkgs="$pkgs clang libclang-rt-14-dev"
# Node.js may come from elsewhere (NodeSource bundles npm and conflicts with
# Debian's npm package), so only ask Debian for it when the command is absent.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install packages (run with sudo)" >&2
    exit 3
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Front-end packages from the npm registry, pinned in tools/package.json.
if [ -f tools/package.json ]; then
  if [ ! -d tools/node_modules ] ||
     [ tools/package.json -nt tools/node_modules ]; then
    (cd tools && npm install --no-audit --no-fund --loglevel=error)
    touch tools/node_modules
  fi
fi

if [ -d build ]; then
  meson setup --reconfigure build >/dev/null
else
  meson setup build --buildtype=release >/dev/null
fi
ninja -C build
