"""mapnik_tiles.py - render a list of XYZ tiles with Mapnik, for tools/bench.

Run by Debian's /usr/bin/python3 (python3-mapnik lives there):

  mapnik_tiles.py PINS.csv TILES.txt OUTDIR FORMATS [--jobs N] [--reps N]
                  [--marker png|svg]

PINS.csv holds x,y (EPSG:3857 metres) and status, one pin per row, north
first so southern pins land on top as in trustmap. TILES.txt holds one
"z x y" per line. FORMATS is a comma-separated list of Mapnik formats
("png8:m=h,png32"); each format and repetition is one timed pass over
every tile: render, encode, write OUTDIR/FORMAT/z/x/y.png. Prints one
JSON object: the seconds to start the workers and load the map, then per
pass the wall time, tiles and bytes written, and the peak RSS of every
process (workers and parent).

Markers: the pins are the SVG files beside this script. With --marker png
(the default) Mapnik first rasterises each SVG once into a PNG of the same
size, and the tiles use those: Mapnik then copies a bitmap per pin instead
of filling the SVG's paths, about 1.5x faster, and it is what trustmap
does too (each pin drawn once, then copied).

One Map per worker process (Mapnik maps are not thread-safe); the workers
load first, then all start together and take chunks of tiles in turn
through a shared counter, so the clock covers only rendering and writing.
"""
import json
import multiprocessing as mp
import os
import queue
import resource
import sys
import time

import mapnik

HERE = os.path.dirname(os.path.abspath(__file__))
MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 "
        "+k=1 +units=m +nadgrids=@null +wktext +no_defs +over")
HALF = 20037508.342789244       # half the Web Mercator world, metres
TILE = 256
CHUNK = 8                       # tiles taken at once: small, for balance
GATE_TIMEOUT = 600              # s, far longer than a worker takes to load
STATUSES = ["collecting", "partial", "not_collecting", "no_response"]
PIN_W, PIN_H, TIP_DY = 28, 40, 19   # the SVGs' size; tip is 19 px below
                                    # their centre, where Mapnik puts it

# allow-overlap and ignore-placement: every pin is drawn, as trustmap does,
# and no collision index is kept. One rule whose file names the status
# (a path expression) saves evaluating a filter per status per pin. The
# pin reaches 39 px above its point and 14 px to each side, so a 64 px
# buffer brings in every pin that touches the tile.
STYLE = """<?xml version="1.0" encoding="utf-8"?>
<Map srs="{merc}" buffer-size="64">
  <Style name="pins">
    <Rule>
      <MarkersSymbolizer file="{pins}/pin-[status].{ext}"
        allow-overlap="true" ignore-placement="true" placement="point"
        clip="false" transform="translate(0,{dy})"/>
    </Rule>
  </Style>
  <Layer name="pins" srs="{merc}">
    <StyleName>pins</StyleName>
    <Datasource>
      <Parameter name="type">csv</Parameter>
      {source}
    </Datasource>
  </Layer>
</Map>
"""


def style_xml(source, pins=HERE, ext="svg", dy=-TIP_DY):
    return STYLE.format(merc=MERC, pins=pins, ext=ext, dy=dy, source=source)


def tile_box(z, x, y):
    size = 2 * HALF / (1 << z)
    minx = -HALF + x * size
    maxy = HALF - y * size
    return mapnik.Box2d(minx, maxy - size, minx + size, maxy)


def rasterise_pins(folder):
    """Draw each SVG pin once with Mapnik into folder/pin-STATUS.png, pixel
    for pixel the size of the SVG: one map unit per pixel, the point at
    the image's centre, where Mapnik centres the marker."""
    os.makedirs(folder, exist_ok=True)
    for s in STATUSES:
        inline = ('<Parameter name="inline">x,y,status\n0,0,%s\n'
                  '</Parameter>' % s)
        m = mapnik.Map(PIN_W, PIN_H)
        mapnik.load_map_from_string(m, style_xml(inline, dy=0))
        m.zoom_to_box(mapnik.Box2d(-PIN_W / 2, -PIN_H / 2,
                                   PIN_W / 2, PIN_H / 2))
        im = mapnik.Image(PIN_W, PIN_H)
        mapnik.render(m, im)
        im.save(os.path.join(folder, "pin-%s.png" % s), "png32")


def worker(xml, tiles, outdir, passes, gate, nextchunk, done):
    m = mapnik.Map(TILE, TILE)
    mapnik.load_map_from_string(m, xml)
    # The CSV plugin reads and indexes its file when the layer is built;
    # one render of an empty tile (the far north-west corner at z22) does
    # any remaining first-use work before the clock starts.
    m.zoom_to_box(tile_box(22, 0, 0))
    mapnik.render(m, mapnik.Image(TILE, TILE))
    gate.wait()                                 # loaded
    for fmt in passes:
        gate.wait()                             # the pass starts
        count = nbytes = 0
        sub = os.path.join(outdir, fmt.replace(":", "-"))
        while True:
            with nextchunk.get_lock():
                first = nextchunk.value
                nextchunk.value += CHUNK
            if first >= len(tiles):
                break
            for z, x, y in tiles[first:first + CHUNK]:
                m.zoom_to_box(tile_box(z, x, y))
                im = mapnik.Image(TILE, TILE)
                mapnik.render(m, im)
                data = im.tostring(fmt)
                folder = os.path.join(sub, str(z), str(x))
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, "%d.png" % y), "wb") as f:
                    f.write(data)
                count += 1
                nbytes += len(data)
        done.put((os.getpid(), count, nbytes,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def result(done, procs):
    """The next worker's report; exits if a worker died without one
    (rather than waiting for it for ever)."""
    while True:
        try:
            return done.get(timeout=5)
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode]
            if dead:
                sys.exit("mapnik_tiles: a worker died (exit %d)" % dead[0])


def take(args, name, default):
    if name in args:
        i = args.index(name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def main():
    args = sys.argv[1:]
    jobs = int(take(args, "--jobs", os.cpu_count() or 1))
    reps = int(take(args, "--reps", 1))
    marker = take(args, "--marker", "png")
    csv, listfile, outdir, formats = args
    with open(listfile) as f:
        tiles = [tuple(int(v) for v in line.split())
                 for line in f if line.strip()]
    source = '<Parameter name="file">%s</Parameter>' % os.path.abspath(csv)
    if marker == "png":
        pins = os.path.join(outdir, "markers")
        rasterise_pins(pins)
        # Mapnik snaps markers to whole pixels, and bitmaps land one pixel
        # lower than the same SVG; one pixel less keeps the tips level.
        xml = style_xml(source, pins=pins, ext="png", dy=1 - TIP_DY)
    else:
        xml = style_xml(source)

    # fork: the workers inherit the tile list instead of pickling it. The
    # gate (a barrier of workers and parent) starts every pass in all
    # workers at once.
    ctx = mp.get_context("fork")
    passes = [fmt for fmt in formats.split(",") for _ in range(reps)]
    gate = ctx.Barrier(jobs + 1)
    nextchunk = ctx.Value("q", 0)
    done = ctx.Queue()
    t0 = time.perf_counter()
    procs = [ctx.Process(target=worker,
                         args=(xml, tiles, outdir, passes, gate, nextchunk,
                               done)) for _ in range(jobs)]
    for p in procs:
        p.start()
    # A worker that dies (Mapnik failing, say) never reaches the gate: the
    # timeout turns that into an error instead of a hang.
    gate.wait(GATE_TIMEOUT)
    load = time.perf_counter() - t0

    results = []
    rss = {}
    for n, fmt in enumerate(passes):
        nextchunk.value = 0
        t0 = time.perf_counter()
        gate.wait(GATE_TIMEOUT)
        count = nbytes = 0
        for _ in procs:
            pid, c, b, rss[pid] = result(done, procs)
            count += c
            nbytes += b
        results.append({"format": fmt, "rep": n % reps,
                        "seconds": time.perf_counter() - t0,
                        "tiles": count, "bytes": nbytes})
    for p in procs:
        p.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"load_seconds": load, "jobs": jobs, "marker": marker,
               "passes": results, "rss_kib": list(rss.values()) + [own]},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
