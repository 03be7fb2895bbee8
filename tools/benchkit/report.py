"""report.py - the tables tools/bench prints: per data set the medians of
every program, the ratios trustmap/peer, how cost grows with the tiles
written, and the issue's targets marked met or NOT met.

Input is the plain dict Bench.point_set() in tools/bench builds per set;
nothing here runs anything.
"""
import math
import textwrap

MIB = 1024.0

TARGET_SPEED = 10.0     # trustmap tiles/s >= 10x Mapnik's
TARGET_BYTES = 1.0      # tile bytes <= Mapnik png8's
TARGET_FLOOR = 1.5      # tile stage <= 1.5x the libpng floor
TARGET_GEOJSON = 0.5    # 1e6 BNG points: <= 0.5x ogr2ogr's time
TARGET_RSS_KIB = 1024 * 1024  # 1e6 points, z0-12: < 1 GiB


def _n(v):
    return "{:,}".format(v)


def _s(v):
    if v is None:
        return "-"
    return "%.3f" % v if v < 10 else "%.2f" % v if v < 100 else "%.1f" % v


def _mb(v):
    return "-" if v is None else "%.1f" % (v / 1e6)


def _mib(kib):
    return "-" if kib is None else "%.0f" % (kib / MIB)


def _rate(tiles, seconds):
    return tiles / seconds if seconds else None


def _x(v):
    return "-" if v is None else "%.2f" % v if v < 10 else "%.1f" % v


def _ratio(a, b):
    return a / b if a is not None and b else None


def _row(cells, widths):
    out = cells[0].ljust(widths[0])
    for c, w in zip(cells[1:], widths[1:]):
        out += c.rjust(w)
    return out.rstrip()


VARIANT = {"lonlat": "lat/lon", "bng": "BNG"}
W = (40, 9, 9, 8, 10)           # what, seconds, tiles/s, MB, RSS


def mapnik_note(r):
    m = r["mapnik"]
    if m["every"] > 1:
        return ("Mapnik rendered 1 tile in %d of trustmap's list, from the"
                " first (%s of %s, all zooms; --mapnik-every 1 for all);"
                " tile bytes are compared on those tiles."
                % (m["every"], _n(m["tiles"]), _n(r["tiles"])))
    return "Mapnik rendered exactly the tiles trustmap wrote."


def dataset(r, ctx):
    """The medians for one data set, one program per row."""
    lines = ["", "== %s points, z%d-%d: trustmap wrote %s tiles, %s MB =="
             % (_n(r["n"]), ctx["minzoom"], ctx["maxzoom"], _n(r["tiles"]),
                _mb(r["bytes"]))]
    lines.append(_row(["", "median s", "tiles/s", "MB", "RSS MiB"], W))
    for v in ("lonlat", "bng"):
        b = r["build"][v]
        lines.append(_row(["trustmap build, %s" % VARIANT[v], _s(b["wall"]),
                           "", _mb(r["bytes"]), _mib(b["rss"])], W))
        lines.append(_row(["  tile stage (rendering tiles)", _s(b["tile"]),
                           "%.0f" % _rate(r["tiles"], b["tile"]), "", ""],
                          W))
    m = r["mapnik"]
    for fmt, p in m["formats"].items():
        lines.append(_row(["Mapnik %s, %d processes" % (fmt, ctx["jobs"]),
                           _s(p["wall"]), "%.0f" % _rate(m["tiles"],
                                                         p["wall"]),
                           _mb(p["bytes"]), _mib(m["rss"])], W))
    fast = r["floor"]["fast"]
    lines.append(_row(["libpng floor, zlib 1, no filter", _s(fast["wall"]),
                       "%.0f" % _rate(fast["tiles"], fast["wall"]),
                       _mb(fast["bytes"]), ""], W))
    d = r["floor"]["default"]
    label = "libpng floor, libpng defaults"
    if d["tiles"] != r["tiles"]:
        label += " *"
    lines.append(_row([label, _s(d["wall"]), "%.0f" % _rate(d["tiles"],
                                                            d["wall"]),
                       _mb(d["bytes"]), ""], W))
    for v in ("lonlat", "bng"):
        nt = r["notiles"][v]
        lines.append(_row(["trustmap --no-tiles, %s" % VARIANT[v],
                           _s(nt["wall"]), "", _mb(nt["geojson_bytes"]),
                           _mib(nt["rss"])], W))
        st = nt["stages"]
        lines.append("  read %s, reproject %s, GeoJSON+CSV %s, other %s" % (
            _s(st.get("reading inputs")), _s(st.get("reprojecting")),
            _s(st.get("writing GeoJSON and CSV")),
            _s(max(0.0, (st.get("total") or 0) - sum(
                st.get(k) or 0 for k in ("reading inputs", "reprojecting",
                                         "writing GeoJSON and CSV"))))))
    for v in ("lonlat", "bng"):
        o = r["ogr"][v]
        lines.append(_row(["ogr2ogr to RFC 7946 GeoJSON, %s" % VARIANT[v],
                           _s(o["wall"]), "", _mb(o["bytes"]),
                           _mib(o["rss"])], W))
    notes = ["Whole builds write tiles, GeoJSON, CSV, page and report; MB"
             " is tile bytes (GeoJSON bytes for --no-tiles and ogr2ogr).",
             "Mapnik's RSS is the sum of its %d processes' peaks; it loaded"
             " its CSV datasource in %s s, untimed (the pins CSV was made"
             " from trustmap's trusts.csv in %s s)."
             % (ctx["jobs"] + 1, _s(m["load"]), _s(m["prep"])),
             "The lat/lon and BNG builds wrote %s tiles." %
             ("the same" if r["same_tiles"] else "DIFFERENT"),
             mapnik_note(r)]
    if d["tiles"] != r["tiles"]:
        notes.append("* libpng defaults: one run, on the same %s tiles as "
                     "Mapnik (all would take minutes)." % _n(d["tiles"]))
    else:
        notes.append("libpng defaults: one run; the fast floor: every "
                     "repetition.")
    lines.append(textwrap.fill(" ".join(notes), 79))
    return lines


def ratio_rows(r):
    """(label, time, bytes, rss) ratios trustmap/peer for one data set."""
    b = r["build"]["lonlat"]
    m = r["mapnik"]
    rows = []
    for fmt, p in m["formats"].items():
        rows.append(("tiles vs Mapnik %s (s per tile)" % fmt,
                     _ratio(b["tile"] / r["tiles"], p["wall"] / m["tiles"]),
                     _ratio(m["trustmap_bytes"], p["bytes"]),
                     _ratio(b["rss"], m["rss"])))
    f = r["floor"]
    rows.append(("tile stage vs libpng floor, fast",
                 _ratio(b["tile"], f["fast"]["wall"]),
                 _ratio(r["bytes"], f["fast"]["bytes"]), None))
    d = f["default"]
    rows.append(("tile stage vs libpng floor, defaults",
                 _ratio(b["tile"] / r["tiles"], d["wall"] / d["tiles"]),
                 _ratio(m["trustmap_bytes"] if d["tiles"] != r["tiles"]
                        else r["bytes"], d["bytes"]), None))
    for v in ("lonlat", "bng"):
        nt, o = r["notiles"][v], r["ogr"][v]
        rows.append(("--no-tiles vs ogr2ogr, %s" % VARIANT[v],
                     _ratio(nt["wall"], o["wall"]),
                     _ratio(nt["geojson_bytes"], o["bytes"]),
                     _ratio(nt["rss"], o["rss"])))
    return rows


def ratios(r):
    w = (44, 8, 8, 10)
    lines = ["", "trustmap/peer, %s points (below 1: trustmap is faster, "
             "smaller, leaner)" % _n(r["n"]),
             _row(["", "time", "bytes", "peak RSS"], w)]
    for label, t, nb, rss in ratio_rows(r):
        lines.append(_row([label, _x(t), _x(nb), _x(rss)], w))
    lines.append("Bytes for GeoJSON: trustmap's features carry 14 "
                 "properties, ogr2ogr's the CSV's 4.")
    return lines


def growth(results, packed, ctx):
    """Tile-stage cost against tiles written and tiles in the box."""
    w = (30, 9, 11, 9, 10, 11)
    lines = ["", "How cost grows: lat/lon builds' tile stage against the "
             "tiles written and",
             "the tiles in the points' bounding box",
             _row(["set", "points", "bbox tiles", "written", "stage s",
                   "ms/written"], w)]
    sets = [("UK-wide", r) for r in results]
    if packed:
        sets.insert(1, ("packed in %s" % packed["city"], packed))
    for label, r in sets:
        t = r["build"]["lonlat"]["tile"]
        lines.append(_row(["%s %s" % (_n(r["n"]), label), _n(r["n"]),
                           _n(r["bbox_tiles"]), _n(r["tiles"]), _s(t),
                           "%.2f" % (1000.0 * t / r["tiles"])], w))
    spread = _spread(results, packed)
    if spread and spread["tiles"] != packed["tiles"]:
        # Two builds of the same number of pins: the line through them
        # splits the stage into a fixed part and a part per tile.
        ts = spread["build"]["lonlat"]["tile"]
        tp = packed["build"]["lonlat"]["tile"]
        per = (ts - tp) / (spread["tiles"] - packed["tiles"])
        lines.append("From the two %s-point sets: tile stage = %.3f s + "
                     "%.2f ms per tile written." % (_n(packed["n"]),
                                                    tp - per * packed["tiles"],
                                                    1000.0 * per))
    return lines


def _spread(results, packed):
    if not packed:
        return None
    return next((r for r in results if r["n"] == packed["n"]), None)


def growth_verdict(results, packed):
    """Cost follows the tiles written when the spread/packed time ratio is
    nearer (on a log scale) the ratio of tiles written than the ratio of
    tiles in the bounding box. None when there is no packed run."""
    spread = _spread(results, packed)
    if not spread:
        return None
    rt = spread["build"]["lonlat"]["tile"] / packed["build"]["lonlat"]["tile"]
    rw = spread["tiles"] / packed["tiles"]
    rb = spread["bbox_tiles"] / packed["bbox_tiles"]
    met = abs(math.log(rt / rw)) < abs(math.log(rt / rb))
    return ("%s spread vs packed: time x%.1f, tiles written x%.1f, bbox "
            "tiles x%.0f" % (_n(spread["n"]), rt, rw, rb), met)


def _mark(ok):
    return "-" if ok is None else "met" if ok else "NOT met"


def targets(results, packed, ctx):
    w = (50, 12, 9, 8)
    lines = ["", "Targets (issue item 2)",
             _row(["", "measured", "target", ""], w)]
    for r in results:
        b = r["build"]["lonlat"]
        m = r["mapnik"]
        tm_rate = r["tiles"] / b["tile"]
        best = max(m["tiles"] / p["wall"] for p in m["formats"].values())
        v = tm_rate / best
        lines.append(_row(["tile throughput / Mapnik's best, %s pts"
                           % _n(r["n"]), "%.2fx" % v, ">= 10x",
                           _mark(v >= TARGET_SPEED)], w))
        v = _ratio(m["trustmap_bytes"], m["formats"]["png8:m=h"]["bytes"]
                   if "png8:m=h" in m["formats"] else None)
        lines.append(_row(["tile bytes / Mapnik png8, %s pts" % _n(r["n"]),
                           _x(v), "<= 1", _mark(None if v is None
                                                else v <= TARGET_BYTES)], w))
        v = b["tile"] / r["floor"]["fast"]["wall"]
        lines.append(_row(["tile stage / libpng floor, %s pts" % _n(r["n"]),
                           _x(v), "<= 1.5", _mark(v <= TARGET_FLOOR)], w))
    big = next((r for r in results if r["n"] == 1000000), None)
    if big:
        v = big["notiles"]["bng"]["wall"] / big["ogr"]["bng"]["wall"]
        lines.append(_row(["GeoJSON path / ogr2ogr, 1,000,000 BNG pts",
                           _x(v), "<= 0.5", _mark(v <= TARGET_GEOJSON)], w))
        rss = max(big["build"][k]["rss"] for k in ("lonlat", "bng"))
        full = ctx["minzoom"] == 0 and ctx["maxzoom"] == 12
        lines.append(_row(["peak RSS, 1,000,000 pts, z%d-%d build"
                           % (ctx["minzoom"], ctx["maxzoom"]),
                           "%s MiB" % _mib(rss), "< 1 GiB",
                           _mark(rss < TARGET_RSS_KIB if full else None)],
                          w))
    else:
        lines.append("GeoJSON path for 1e6 BNG points and peak RSS for 1e6 "
                     "points: not measured")
        lines.append("  (they need the 1,000,000 set: run without --quick)")
    gv = growth_verdict(results, packed)
    if gv:
        lines.append(_row(["cost grows with tiles written, not bbox",
                           "", "", _mark(gv[1])], w))
        lines.append("  " + gv[0])
    lines.append("Throughput: trustmap's tile stage against Mapnik's "
                 "faster format, both on %d cores." % ctx["jobs"])
    return lines
