"""gen.py - deterministic synthetic UK facility point sets for tools/bench.

Points cluster around real UK cities, drawn in proportion to population
with a spread that grows with the city's size, plus rural scatter around
towns chosen without regard to size (GP practices and pharmacies look like
this). A fixed seed and Python's own Mersenne Twister make the files the
same on every machine, so runs on different days compare.

Each set is written three ways, all the same points in the same order:
  pts-N-lonlat.csv  code,name,latitude,longitude (6 decimals)
  pts-N-bng.csv     code,name,easting,northing (EPSG:27700, 3 decimals)
  foi-N.csv         code,status (Yes / Partially / No / blank)
Files are only written when missing; a half-written file never survives,
because each is written beside its name and renamed into place.
"""
import math
import os
import random
import shutil
import subprocess

SEED = 20250921

# (name, latitude, longitude, population in thousands): the built-up areas
# of the larger UK cities, rounded; the weights matter, not the decimals.
CITIES = [
    ("London", 51.507, -0.128, 9000), ("Birmingham", 52.486, -1.890, 2600),
    ("Manchester", 53.480, -2.242, 2500), ("Leeds", 53.800, -1.549, 1800),
    ("Glasgow", 55.864, -4.252, 1000), ("Liverpool", 53.408, -2.992, 860),
    ("Newcastle", 54.978, -1.618, 780), ("Sheffield", 53.381, -1.470, 690),
    ("Nottingham", 52.954, -1.158, 730), ("Bristol", 51.454, -2.588, 620),
    ("Southampton", 50.910, -1.404, 850), ("Edinburgh", 55.953, -3.188, 530),
    ("Cardiff", 51.481, -3.179, 480), ("Belfast", 54.597, -5.930, 600),
    ("Leicester", 52.637, -1.140, 510), ("Brighton", 50.823, -0.137, 480),
    ("Bournemouth", 50.720, -1.880, 470), ("Stoke", 53.003, -2.180, 370),
    ("Coventry", 52.407, -1.510, 360), ("Reading", 51.454, -0.978, 320),
    ("Hull", 53.768, -0.333, 320), ("Plymouth", 50.375, -4.143, 260),
    ("Swansea", 51.621, -3.944, 300), ("Aberdeen", 57.150, -2.094, 220),
    ("Dundee", 56.462, -2.971, 150), ("Norwich", 52.630, 1.297, 210),
    ("Exeter", 50.718, -3.534, 130), ("Cambridge", 52.205, 0.122, 160),
    ("Oxford", 51.752, -1.258, 170), ("York", 53.960, -1.087, 210),
    ("Inverness", 57.478, -4.224, 70), ("Derry", 54.997, -7.309, 110),
    ("Carlisle", 54.893, -2.936, 75), ("Lincoln", 53.231, -0.538, 130),
    ("Ipswich", 52.059, 1.155, 180), ("Gloucester", 51.864, -2.244, 150),
    ("Preston", 53.763, -2.703, 310), ("Middlesbrough", 54.576, -1.235, 370),
    ("Wrexham", 53.046, -2.993, 65), ("Aberystwyth", 52.415, -4.083, 20),
    ("Truro", 50.263, -5.051, 20), ("Stirling", 56.117, -3.937, 40),
    ("Perth", 56.396, -3.437, 50), ("Fort William", 56.820, -5.105, 10),
    ("Kirkwall", 58.981, -2.960, 10), ("Lerwick", 60.155, -1.145, 7),
    ("Stornoway", 58.209, -6.387, 8), ("Omagh", 54.600, -7.300, 20),
    ("Shrewsbury", 52.708, -2.754, 75), ("Hereford", 52.056, -2.716, 60),
]

# Inside trustmap's UK box with a margin, so no row is left off the map.
WEST, EAST, SOUTH, NORTH = -8.5, 1.8, 49.9, 60.8

RURAL_SHARE = 0.2      # the rest cluster around cities
RURAL_SIGMA_KM = 30.0
KM_PER_DEG = 111.32

# FOI answers, as a data team's spreadsheet spells them; weights in %.
STATUSES = [("Yes", 45), ("Partially", 20), ("No", 25), ("", 10)]


def _offset(rng, lat, lon, sigma_km):
    dy = rng.gauss(0.0, sigma_km) / KM_PER_DEG
    dx = rng.gauss(0.0, sigma_km) / (KM_PER_DEG * math.cos(math.radians(lat)))
    return lat + dy, lon + dx


def points(n, seed=SEED, city=None):
    """n (lat, lon) pairs, rounded to 6 decimals. With city given, all of
    them are packed into that one city (a few km across)."""
    rng = random.Random(seed)
    weights = [c[3] for c in CITIES]
    packed = [c for c in CITIES if c[0] == city]
    out = []
    while len(out) < n:
        if packed:
            _, lat, lon, _ = packed[0]
            lat, lon = _offset(rng, lat, lon, 2.0)
        elif rng.random() < RURAL_SHARE:
            _, lat, lon, _ = CITIES[rng.randrange(len(CITIES))]
            lat, lon = _offset(rng, lat, lon, RURAL_SIGMA_KM)
        else:
            _, lat, lon, pop = rng.choices(CITIES, weights)[0]
            # A city's area grows about with its population, so its
            # spread grows with the square root.
            lat, lon = _offset(rng, lat, lon, 1.5 + 0.3 * math.sqrt(pop))
        if WEST <= lon <= EAST and SOUTH <= lat <= NORTH:
            out.append((round(lat, 6), round(lon, 6)))
    return out


def _to_bng_pyproj(pts):
    from pyproj import Transformer  # optional; cs2cs below otherwise
    tr = Transformer.from_crs("EPSG:4326", "EPSG:27700")
    e, n = tr.transform([p[0] for p in pts], [p[1] for p in pts])
    return list(zip(e, n))


def _to_bng_cs2cs(pts):
    # cs2cs follows EPSG:4326's axis order, latitude first; one process for
    # all the points, since starting PROJ per point would take hours.
    exe = shutil.which("cs2cs")
    if not exe:
        raise SystemExit("bench: need pyproj or PROJ's cs2cs (proj-bin) "
                         "to make the BNG variant")
    text = "".join("%.6f %.6f\n" % p for p in pts)
    res = subprocess.run([exe, "-f", "%.3f", "EPSG:4326", "EPSG:27700"],
                         input=text, capture_output=True, text=True,
                         check=True)
    out = []
    for line in res.stdout.splitlines():
        f = line.split()
        out.append((float(f[0]), float(f[1])))
    if len(out) != len(pts):
        raise SystemExit("bench: cs2cs returned %d points for %d"
                         % (len(out), len(pts)))
    return out


def to_bng(pts):
    """(easting, northing) for each (lat, lon), through PROJ."""
    try:
        return _to_bng_pyproj(pts)
    except ImportError:
        return _to_bng_cs2cs(pts)


def _write(path, header, rows):
    tmp = path + ".part"
    with open(tmp, "w", newline="") as f:
        f.write(header + "\n")
        f.writelines(rows)
    os.replace(tmp, path)


def code(i):
    # 'G' + digits: an English-looking code, so trustmap infers England
    # and warns about nothing.
    return "G%07d" % i


def ensure(folder, n, tag=None, city=None):
    """Write the set's files under folder unless they are there; return
    {'lonlat': path, 'bng': path, 'foi': path}. tag names the set
    (default: n)."""
    tag = tag or str(n)
    os.makedirs(folder, exist_ok=True)
    paths = {"lonlat": os.path.join(folder, "pts-%s-lonlat.csv" % tag),
             "foi": os.path.join(folder, "foi-%s.csv" % tag)}
    if not city:                # a packed set is only used as lat/lon
        paths["bng"] = os.path.join(folder, "pts-%s-bng.csv" % tag)
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    pts = points(n, city=city)
    _write(paths["lonlat"], "code,name,latitude,longitude",
           ("%s,Facility %d,%.6f,%.6f\n" % (code(i), i, la, lo)
            for i, (la, lo) in enumerate(pts)))
    if "bng" in paths:
        bng = to_bng(pts)
        _write(paths["bng"], "code,name,easting,northing",
               ("%s,Facility %d,%.3f,%.3f\n" % (code(i), i, e, nn)
                for i, (e, nn) in enumerate(bng)))
    rng = random.Random(SEED + 1)
    names = [s[0] for s in STATUSES]
    weights = [s[1] for s in STATUSES]
    _write(paths["foi"], "code,status",
           ("%s,%s\n" % (code(i), rng.choices(names, weights)[0])
            for i in range(n)))
    return paths
