"""deps.py - install the Debian packages tools/bench compares against or
builds with, when they are missing (as tools/setup.sh does for the build).

python3-mapnik goes with Debian's /usr/bin/python3, whatever python3 runs
the bench, so the Mapnik worker is always started with that interpreter.
"""
import os
import subprocess
import sys

DEBIAN_PYTHON = "/usr/bin/python3"

# package: why the bench needs it
PACKAGES = {
    "python3-mapnik": "the Mapnik tile comparison",
    "gdal-bin": "the ogr2ogr GeoJSON comparison",
    "proj-bin": "cs2cs, to make the BNG variant of each point set",
    "libpng-dev": "building the libpng floor (pngfloor.c)",
    "pkg-config": "building the libpng floor",
    "gcc": "building the libpng floor",
    "time": "each program's own peak memory (/usr/bin/time)",
}


def _installed(pkg):
    res = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                         capture_output=True, text=True)
    return res.returncode == 0 and "ok installed" in res.stdout


def ensure(say):
    """Install what is missing; say(text) reports it. Exits when packages
    are missing and this is not root."""
    missing = [p for p in PACKAGES if not _installed(p)]
    if not missing:
        return
    for p in missing:
        say("bench: installing %s (Debian), for %s" % (p, PACKAGES[p]))
    if os.geteuid() != 0:
        sys.exit("bench: need root to install %s (or: sudo apt-get install "
                 "%s)" % (", ".join(missing), " ".join(missing)))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    res = subprocess.run(["apt-get", "install", "-y", "-qq",
                          "--no-install-recommends"] + missing, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    if res.returncode:
        sys.exit("bench: apt-get install failed:\n" + res.stderr[-2000:])
