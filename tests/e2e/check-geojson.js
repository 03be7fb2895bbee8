#!/usr/bin/env node
// check-geojson.js FILE - validate a GeoJSON file.
//
// Uses @placemarkio/check-geojson (structure: types, positions, bbox
// shape, duplicate keys...) from tools/node_modules, then adds what RFC
// 7946 asks and that package does not check: the file is UTF-8, positions
// are longitude in [-180, 180] and latitude in [-90, 90], and a
// FeatureCollection's bbox holds every point.
//
// Exit status: 0 valid; 1 invalid, with one line per issue on stdout
// ("FILE:LINE:COLUMN: message"); 2 usage or the file cannot be read.
'use strict';

const fs = require('fs');
const path = require('path');

const pkg = path.join(__dirname,
  '../../tools/node_modules/@placemarkio/check-geojson');

function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write('usage: node check-geojson.js FILE\n');
    return 2;
  }
  const file = argv[0];
  let checker;
  try {
    checker = require(pkg);
  } catch (e) {
    process.stderr.write(`check-geojson.js: cannot load ${pkg}: ` +
                         `${e.message}\n  (run tools/setup.sh)\n`);
    return 2;
  }
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    process.stderr.write(`check-geojson.js: ${file}: ${e.message}\n`);
    return 2;
  }

  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    process.stdout.write(`${file}: not valid UTF-8 (RFC 7946 section 11)\n`);
    return 1;
  }
  if (text.charCodeAt(0) === 0xfeff) {
    process.stdout.write(`${file}:1:1: starts with a byte order mark ` +
                         '(RFC 7946 section 11: must not)\n');
    return 1;
  }

  const issues = checker.getIssues(text).map((i) => ({
    message: i.message,
    at: i.from,
  }));
  if (!issues.length)
    issues.push(...extraIssues(JSON.parse(text)));

  if (!issues.length)
    return 0;
  for (const i of issues) {
    process.stdout.write(`${file}:${where(text, i.at)}: ${i.message}\n`);
  }
  return 1;
}

// "LINE:COLUMN" (1-based) of a character offset; "1:1" when unknown.
function where(text, at) {
  if (typeof at !== 'number' || at < 0)
    return '1:1';
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

// Positions of any geometry, flattened.
function positions(geom, out) {
  if (!geom)
    return out;
  if (geom.type === 'GeometryCollection') {
    for (const g of geom.geometries)
      positions(g, out);
    return out;
  }
  const walk = (c) => {
    if (typeof c[0] === 'number')
      out.push(c);
    else
      for (const x of c)
        walk(x);
  };
  walk(geom.coordinates);
  return out;
}

function extraIssues(doc) {
  const issues = [];
  const features = doc.type === 'FeatureCollection' ? doc.features
    : doc.type === 'Feature' ? [doc] : [{ geometry: doc }];
  const all = [];

  features.forEach((f, n) => {
    for (const p of positions(f.geometry, [])) {
      const [lon, lat] = p;
      if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
        issues.push({ message: `feature ${n}: position [${p}] is outside ` +
                      'longitude -180..180 / latitude -90..90' });
      all.push(p);
    }
  });
  const bbox = doc.bbox;
  if (Array.isArray(bbox) && bbox.length === 4) {
    const [w, s, e, n] = bbox;
    if (s > n)
      issues.push({ message: `bbox [${bbox}]: south is above north` });
    for (const [lon, lat] of all) {
      // RFC 7946 section 5.2: a bbox may cross the antimeridian (w > e).
      const inLon = w <= e ? lon >= w && lon <= e : lon >= w || lon <= e;
      if (!inLon || lat < s || lat > n) {
        issues.push({ message: `bbox [${bbox}] does not hold position ` +
                      `[${lon},${lat}]` });
        break;
      }
    }
  }
  return issues;
}

process.exitCode = main(process.argv.slice(2));
