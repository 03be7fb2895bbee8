"""tiles.py - what tools/bench reads from a trustmap build: the tiles it
wrote, their bytes, its pins for Mapnik, and how many tiles its bounding
box spans (to show that cost follows the tiles written, not the box).
"""
import csv
import json
import math
import os

R = 6378137.0                   # Web Mercator sphere, metres


def written(out):
    """The 256 px tiles the build wrote, as (z, x, y) sorted by z, x, y,
    from its tiles/available.json."""
    with open(os.path.join(out, "tiles", "available.json")) as f:
        avail = json.load(f)["tiles"]
    tiles = []
    for z, names in avail.items():
        for name in names:
            x, y = name.split("/")
            tiles.append((int(z), int(x), int(y)))
    return sorted(tiles)


def path(out, tile):
    z, x, y = tile
    return os.path.join(out, "tiles", str(z), str(x), "%d.png" % y)


def nbytes(out, tiles):
    return sum(os.path.getsize(path(out, t)) for t in tiles)


def write_list(tiles, dest, out=None):
    """One tile a line: "z x y", or the PNG's path when out is given."""
    with open(dest, "w") as f:
        for t in tiles:
            f.write((path(out, t) if out else "%d %d %d" % t) + "\n")
    return dest


def sample(tiles, every):
    """Every k-th tile, from the first: a fixed cross-section of the
    zooms, the same on every run."""
    return tiles[::every] if every > 1 else list(tiles)


def mapnik_pins(out, dest):
    """trustmap's published pins (trusts.csv: longitude, latitude, status)
    as x,y,status in EPSG:3857, north first, so that Mapnik, which draws
    in file order, puts southern pins on top as trustmap does. The
    projection is done here, untimed, as trustmap's happens before its
    tile stage."""
    rows = []
    with open(os.path.join(out, "trusts.csv"), newline="") as f:
        reader = csv.reader(f)
        head = next(reader)
        ilon, ilat = head.index("longitude"), head.index("latitude")
        istatus = head.index("status")
        for r in reader:
            lon = math.radians(float(r[ilon]))
            lat = math.radians(float(r[ilat]))
            y = R * math.log(math.tan(math.pi / 4 + lat / 2))
            rows.append((-y, R * lon, r[istatus]))
    rows.sort()
    with open(dest, "w") as f:
        f.write("x,y,status\n")
        f.writelines("%.2f,%.2f,%s\n" % (x, -my, s) for my, x, s in rows)
    return dest


def bbox(out):
    """The GeoJSON's bbox (west, south, east, north): trustmap writes it
    on the first line, so the file need not be parsed."""
    with open(os.path.join(out, "trusts.geojson")) as f:
        head = f.read(4096)
    start = head.index('"bbox":[') + len('"bbox":[')
    return tuple(float(v) for v in head[start:head.index("]", start)]
                 .split(","))


def _tile(lon, lat, z):
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def in_bbox(box, minzoom, maxzoom):
    """How many tiles the bounding box spans over the zoom range."""
    west, south, east, north = box
    total = 0
    for z in range(minzoom, maxzoom + 1):
        x0, y0 = _tile(west, north, z)
        x1, y1 = _tile(east, south, z)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total
