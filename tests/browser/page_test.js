// page_test.js - the page in a real browser (headless Chromium driven by
// playwright-core).
//
//   node page_test.js TRUSTMAP SOURCE_DIR [SCREENSHOT_DIR]
//
// Builds two output folders with the trustmap binary (the sample in
// data/trusts/, and tests/browser/fixtures/ whose names and notes are
// hostile markup), both with --base-layer none so nothing comes from the
// internet, serves them from 127.0.0.1 with serve.js, and checks:
//
//  - no console error, no page error, no dialog ever (alert() from
//    injected markup would open one), no request outside the server;
//  - every overlay tile request answers 200 and nothing answers 404; only
//    @2x tiles on a 2x screen, only 1x tiles on a 1x screen;
//  - a click on a known pin's head opens its popup with the trust's name,
//    status label and sites; a click 3 pin widths beside it opens nothing;
//    a click on a cluster lists its trusts; a tap does the same on a phone;
//  - the page's hit test agrees with the rendered tiles: over whole
//    regions, every opaque tile pixel is a hit and every transparent one
//    is not;
//  - the table: search filters rows, sort buttons set aria-sort;
//  - axe-core finds no serious or critical accessibility violation;
//  - the hostile names and notes show literally in the table and popup.
//
// Screenshots at 1280x800 and 390x844 go to SCREENSHOT_DIR (default: the
// current folder). Exit status: 0 pass, 1 fail, 77 skip (no Chromium or
// no tools/node_modules; run tools/setup.sh).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { createRequire } = require('module');
const { serve } = require('./serve.js');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_SITE = '</script><script>alert(3)</script>';
const HOSTILE_NOTES = '<img src=x onerror=alert(5)>';
const HOSTILE_ROUND = '<svg onload=alert(6)>';

const [trustmapArg, srcdirArg, shotdirArg] = process.argv.slice(2);
if (!trustmapArg || !srcdirArg) {
  console.error('usage: node page_test.js TRUSTMAP SOURCE_DIR ' +
                '[SCREENSHOT_DIR]');
  process.exit(2);
}
// The builds run from the source folder (as the README's command does), so
// paths given relative to where the test started are made absolute.
const trustmap = path.resolve(trustmapArg);
const srcdir = path.resolve(srcdirArg);
const shotdir = path.resolve(shotdirArg || '.');
const modules = path.join(srcdir, 'tools', 'node_modules');

function skip(why) {
  console.log('SKIP: ' + why);
  process.exit(77);
}

if (!fs.existsSync(CHROMIUM))
  skip(CHROMIUM + ' is not installed (tools/setup.sh installs chromium)');
for (const m of ['playwright-core', 'axe-core'])
  if (!fs.existsSync(path.join(modules, m, 'package.json')))
    skip(path.join(modules, m) + ' is missing; run tools/setup.sh');

const toolsRequire = createRequire(path.join(modules, '..', 'package.json'));
const { chromium } = toolsRequire('playwright-core');
const AXE = toolsRequire.resolve('axe-core/axe.min.js');

let failures = 0;
function check(ok, what, detail) {
  if (ok) {
    console.log('ok - ' + what);
  } else {
    failures++;
    console.log('FAIL - ' + what + (detail !== undefined ?
      '\n    ' + (typeof detail === 'string' ? detail :
                  JSON.stringify(detail, null, 1).slice(0, 3000)) : ''));
  }
}

// ---- building the output folders ----

function build(name, args, root) {
  const out = path.join(root, name);
  const r = spawnSync(trustmap, ['build', '--quiet', '--base-layer', 'none',
                                 '--out', out].concat(args),
                      { cwd: srcdir, encoding: 'utf8',
                        env: Object.assign({}, process.env,
                                           { LC_ALL: 'C', TZ: 'UTC' }) });
  if (r.status !== 0)
    throw new Error('trustmap build (' + name + '): ' +
                    (r.error ? r.error.message : r.status === null ?
                     'killed by ' + r.signal : 'exit status ' + r.status) +
                    '\n' + (r.stderr || ''));
  const read = (f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
  return {
    name, out,
    geojson: read('trusts.geojson'),
    clusters: read('clusters.json'),
    tilejson: read('tiles.json'),
    available: read('tiles/available.json'),
  };
}

// ---- helpers on the page ----

// Records what a page does, for the checks at the end.
function watch(page, origin, log) {
  page.on('console', (m) => {
    if (m.type() === 'error')
      log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('dialog', (d) => {
    log.dialogs.push(d.type() + ': ' + d.message());
    d.dismiss().catch(() => {});
  });
  page.on('response', (r) => {
    const u = r.url();
    if (/\/tiles\/\d+\/\d+\/\d+(@2x)?\.png/.test(u))
      log.tiles.push({ url: u, status: r.status() });
    if (r.status() >= 400)
      log.bad.push(r.status() + ' ' + u);
  });
  page.on('requestfailed', (r) => {
    log.bad.push('failed ' + r.url() + ' ' +
                 (r.failure() && r.failure().errorText));
  });
}

function newLog() {
  return { consoleErrors: [], pageErrors: [], dialogs: [], tiles: [],
           bad: [], foreign: [] };
}

async function openContext(userDataDirs, options, origin, log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmap-chromium-'));
  userDataDirs.push(dir);
  const context = await chromium.launchPersistentContext(dir,
    Object.assign({ executablePath: CHROMIUM, headless: true,
                    args: CHROMIUM_ARGS, locale: 'en-GB',
                    timezoneId: 'UTC' }, options));
  // Nothing may leave the local server: the page must work offline.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') ||
        u.startsWith('blob:')) {
      route.continue();
    } else {
      log.foreign.push(u);
      route.abort();
    }
  });
  return context;
}

async function load(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.trustmap &&
    (window.trustmap.ready || window.trustmap.error), null,
    { timeout: 30000 });
  const error = await page.evaluate(() => window.trustmap.error);
  if (error)
    throw new Error('page did not start: ' + error);
  await settle(page);
}

// Waits for the map to stop moving and its tiles to load.
async function settle(page) {
  await page.waitForFunction(() => {
    const c = document.querySelectorAll('.tm-pins img.leaflet-tile');
    return Array.prototype.every.call(c, (i) => i.complete);
  }, null, { timeout: 20000 });
  await page.waitForTimeout(300);
}

// Sets the view so feature i's tip is at the centre, at zoom z.
async function viewFeature(page, i, z) {
  await page.evaluate(([i, z]) => {
    const map = window.trustmap.map;
    const f = window.trustmap.features[i];
    map.closePopup();
    map.setView([f.lat, f.lon], z, { animate: false });
  }, [i, z]);
  await settle(page);
}

function featureIndex(run, pred) {
  const i = run.geojson.features.findIndex((f) => pred(f.properties));
  if (i < 0)
    throw new Error(run.name + ': no feature matches ' + pred);
  return i;
}

function pinScale(run, z) {
  const zi = run.clusters.zooms[String(z)];
  return zi && zi.pin_scale !== undefined ? zi.pin_scale : 1;
}

function inCluster(run, z, i) {
  const zi = run.clusters.zooms[String(z)];
  return !!(zi && zi.clusters.some((c) => c.pins.includes(i)));
}

// The container pixel of feature i's tip and the centre of its head.
async function pinPoints(page, run, i, z) {
  const tip = await page.evaluate((i) => {
    const f = window.trustmap.features[i];
    const p = window.trustmap.map.latLngToContainerPoint([f.lat, f.lon]);
    return { x: p.x, y: p.y };
  }, i);
  const g = run.clusters.pin;
  const s = pinScale(run, z);
  let r = g.width * s / 2;
  const h = g.height * s;
  if (h - r < 1.05 * r)
    r = h / 2.05;
  return { tip, head: { x: tip.x, y: tip.y - (h - r) }, width: g.width * s };
}

async function popupText(page) {
  const p = page.locator('.leaflet-popup-content');
  if (await p.count() === 0)
    return null;
  return p.first().innerText();
}

async function clickAt(page, pt, touch) {
  const box = await page.locator('#tm-map').boundingBox();
  if (touch)
    await page.touchscreen.tap(box.x + pt.x, box.y + pt.y);
  else
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForTimeout(250);
}

// Compares the page's hit test with the rendered tiles over a square of
// `size` CSS px around the map's centre, every `step` px: an opaque pixel
// (alpha 255) must be a hit, a transparent one (alpha 0) must not.
// Anti-aliased edges and shadows (0 < alpha < 255) are not judged.
async function compareHitsWithTiles(page, size, step) {
  return page.evaluate(async ([size, step]) => {
    const map = window.trustmap.map;
    const z = map.getZoom();
    const tiles = {};
    const listed = window.trustmap.available[z] || new Set();
    const template = window.trustmap.tileUrl1x;

    async function tileAlpha(tx, ty) {
      const key = tx + '/' + ty;
      if (!(key in tiles)) {
        if (!listed.has(key)) {
          tiles[key] = null;
        } else {
          const url = template.replace('{z}', z).replace('{x}', tx)
            .replace('{y}', ty);
          const blob = await (await fetch(url)).blob();
          const bmp = await createImageBitmap(blob);
          const c = new OffscreenCanvas(256, 256);
          const ctx = c.getContext('2d');
          ctx.drawImage(bmp, 0, 0);
          tiles[key] = ctx.getImageData(0, 0, 256, 256).data;
        }
      }
      return tiles[key];
    }

    const centre = map.project(map.getCenter(), z).round();
    const res = { opaque: 0, clear: 0, missed: [], extra: [] };
    const t0x = Math.floor((centre.x - size / 2) / 256);
    const t0y = Math.floor((centre.y - size / 2) / 256);
    for (let tx = t0x; tx * 256 < centre.x + size / 2; tx++)
      for (let ty = t0y; ty * 256 < centre.y + size / 2; ty++)
        await tileAlpha(tx, ty);
    for (let dy = -size / 2; dy < size / 2; dy += step) {
      for (let dx = -size / 2; dx < size / 2; dx += step) {
        const gx = centre.x + dx, gy = centre.y + dy;
        const tx = Math.floor(gx / 256), ty = Math.floor(gy / 256);
        const data = tiles[tx + '/' + ty];
        const a = data ? data[((gy - ty * 256) * 256 + (gx - tx * 256)) * 4
                              + 3] : 0;
        if (a !== 0 && a !== 255)
          continue;
        const cp = map.layerPointToContainerPoint(
          L.point(gx + 0.5, gy + 0.5).subtract(map.getPixelOrigin()));
        const hit = !!window.trustmap.hitTest(cp);
        if (a === 255) {
          res.opaque++;
          if (!hit)
            res.missed.push([gx, gy]);
        } else {
          res.clear++;
          if (hit)
            res.extra.push([gx, gy]);
        }
      }
    }
    res.missed = res.missed.slice(0, 10).concat(res.missed.length);
    res.extra = res.extra.slice(0, 10).concat(res.extra.length);
    return res;
  }, [size, step]);
}

function checkLog(log, what) {
  check(log.dialogs.length === 0, what + ': no dialog opened', log.dialogs);
  check(log.consoleErrors.length === 0, what + ': no console errors',
        log.consoleErrors);
  check(log.pageErrors.length === 0, what + ': no page errors',
        log.pageErrors);
  check(log.foreign.length === 0, what + ': no request left the server',
        log.foreign);
  check(log.bad.length === 0, what + ': no request failed or got 4xx/5xx',
        log.bad);
  check(log.tiles.length > 0 && log.tiles.every((t) => t.status === 200),
        what + ': ' + log.tiles.length + ' tile requests, all 200',
        log.tiles.filter((t) => t.status !== 200));
}

async function runAxe(page, what) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' ||
                                       v.impact === 'critical');
  check(bad.length === 0, what + ': axe-core finds no serious or critical ' +
        'violations', bad);
  const minor = violations.filter((v) => !bad.includes(v));
  if (minor.length)
    console.log('# axe (minor, moderate): ' +
                minor.map((v) => v.id + ' (' + v.impact + ')').join(', '));
}

// ---- the checks ----

async function desktopSample(ctx, base, run, log) {
  const page = await ctx.newPage();
  watch(page, base, log);
  await load(page, base + 'sample/index.html');

  check(log.tiles.every((t) => !t.url.includes('@2x')),
        'sample, 1x screen: only 1x tiles are requested');
  const fits = await page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth }));
  check(fits.scrollHeight <= fits.innerHeight && fits.scrollWidth <= 1280,
        'desktop: the page fits the window (map and panel scroll inside)',
        fits);
  await page.screenshot({ path: path.join(shotdir, 'browser-desktop.png') });

  // Keyboard: the skip link is the first stop and leads to the table.
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement.className);
  check(first === 'tm-skip', 'the first Tab stop is the skip link', first);
  await page.keyboard.press('Enter');
  const target = await page.evaluate(() => document.activeElement.id);
  check(target === 'tm-table-section',
        'the skip link moves focus to the table', target);

  // A known pin, drawn alone at zoom 10: the Norfolk and Norwich.
  const z = 10;
  const rm1 = featureIndex(run, (p) => p.code === 'RM1');
  check(!inCluster(run, z, rm1), 'RM1 is not clustered at zoom ' + z);
  await viewFeature(page, rm1, z);
  let pts = await pinPoints(page, run, rm1, z);
  await clickAt(page, pts.head);
  let text = await popupText(page);
  check(text !== null && text.includes(
          'Norfolk and Norwich University Hospitals NHS Foundation Trust') &&
        text.includes(run.geojson.features[rm1].properties.status_label),
        'a click on the RM1 pin opens its popup with name and status', text);
  // Just above the tip, inside the pin's triangle.
  await page.evaluate(() => window.trustmap.map.closePopup());
  await clickAt(page, { x: pts.tip.x, y: pts.tip.y - 3 });
  text = await popupText(page);
  check(text !== null && text.includes('Norfolk and Norwich'),
        'a click just above the tip opens the popup too', text);
  await page.evaluate(() => window.trustmap.map.closePopup());
  for (const dx of [3, -3]) {
    await clickAt(page, { x: pts.head.x + dx * pts.width, y: pts.head.y });
    text = await popupText(page);
    check(text === null, 'a click ' + dx + ' pin widths beside the pin ' +
          'opens nothing', text);
  }

  // A multi-site trust: the popup lists every site.
  const wyth = featureIndex(run, (p) => p.code === 'R0A07');
  await viewFeature(page, wyth, 12);
  pts = await pinPoints(page, run, wyth, 12);
  await clickAt(page, pts.head);
  text = await popupText(page);
  check(text !== null &&
        text.includes('Manchester University NHS Foundation Trust') &&
        text.includes('Wythenshawe Hospital') &&
        text.includes('Manchester Royal Infirmary') &&
        text.includes('Trafford General Hospital'),
        'a site\'s popup names its trust and lists all its sites', text);
  await runAxe(page, 'sample with a popup open');

  // A cluster: the biggest one at zoom 6 (London).
  const cz = 6;
  const clusters = run.clusters.zooms[String(cz)].clusters;
  check(clusters.length > 0, 'the sample has clusters at zoom ' + cz);
  if (clusters.length) {
    const big = clusters.reduce((a, b) => b.pins.length > a.pins.length ?
                                           b : a);
    await page.evaluate(([lat, lon, z]) => {
      window.trustmap.map.closePopup();
      window.trustmap.map.setView([lat, lon], z, { animate: false });
    }, [big.lat, big.lon, cz]);
    await settle(page);
    const c = await page.evaluate(([lat, lon]) => {
      const p = window.trustmap.map.latLngToContainerPoint([lat, lon]);
      return { x: p.x, y: p.y };
    }, [big.lat, big.lon]);
    await clickAt(page, c);
    text = await popupText(page);
    const names = [...new Set(big.pins.map((i) =>
      run.geojson.features[i].properties.trust_name))];
    check(text !== null && text.includes(names.length + ' trusts here') &&
          names.every((n) => text.includes(n)),
          'a click on a cluster lists its ' + names.length + ' trusts', text);
    await page.screenshot({ path: path.join(shotdir,
                                            'browser-desktop-cluster.png') });
    await page.evaluate(() => window.trustmap.map.closePopup());
  }

  // The hit test against the rendered pixels, at several zooms.
  const regions = [
    [5, 54.5, -3.5], [6, 51.5, -0.12], [7, 53.3, -2.0], [9, 51.5, -0.12],
    [11, 51.5, -0.12], [12, 52.45, -1.9], [14, 51.52, -0.13],
  ];
  for (const [rz, lat, lon] of regions) {
    await page.evaluate(([lat, lon, z]) => {
      window.trustmap.map.setView([lat, lon], z, { animate: false });
    }, [lat, lon, rz]);
    await settle(page);
    const r = await compareHitsWithTiles(page, 448, 1);
    const missed = r.missed[r.missed.length - 1];
    const extra = r.extra[r.extra.length - 1];
    check(r.opaque > 0 && missed === 0 && extra === 0,
          'zoom ' + rz + ': the hit test matches the tiles (' + r.opaque +
          ' opaque px all hit, ' + r.clear + ' clear px none hit)', r);
  }

  // The table: search, then sort.
  const total = run.geojson.features.length;
  const rows = page.locator('#tm-table tbody tr');
  check(await rows.count() === total, 'the table has a row per pin (' +
        total + ')', await rows.count());
  await page.fill('#tm-search', 'norwich');
  await page.waitForTimeout(400);
  const names = await page.locator('#tm-table tbody .tm-row-name')
    .allInnerTexts();
  const want = run.geojson.features.filter((f) =>
    JSON.stringify(f.properties).toLowerCase().includes('norwich')).length;
  check(names.length === want && names.length > 0 &&
        await page.locator('#tm-count').innerText() !== '',
        'searching "norwich" leaves ' + want + ' row(s)', names);
  await page.fill('#tm-search', 'zzzz-no-such-trust');
  await page.waitForTimeout(400);
  check(await rows.count() === 0, 'a search with no match leaves no rows');
  await page.fill('#tm-search', '');
  await page.waitForTimeout(400);
  check(await rows.count() === total, 'clearing the search shows every row');
  await page.click('#tm-table th[data-sort="status"] button');
  check(await page.getAttribute('#tm-table th[data-sort="status"]',
                                'aria-sort') === 'ascending' &&
        await page.getAttribute('#tm-table th[data-sort="name"]',
                                'aria-sort') === null,
        'sorting by status sets aria-sort on that column only');
  const firstStatus = await rows.first().locator('.tm-status-label')
    .innerText();
  const firstLabel = await page.evaluate(() => JSON.parse(
    document.getElementById('config').textContent).statuses[0].label);
  check(firstStatus === firstLabel,
        'sorted by status, the first row has the first status',
        firstStatus);
  await page.click('#tm-table th[data-sort="status"] button');
  check(await page.getAttribute('#tm-table th[data-sort="status"]',
                                'aria-sort') === 'descending',
        'a second click sorts descending');

  // "Show on map" from the table opens the popup.
  await page.fill('#tm-search', 'Shetland');
  await page.waitForTimeout(400);
  await page.click('#tm-table tbody tr .tm-show');
  await page.waitForTimeout(300);
  text = await popupText(page);
  check(text !== null && text.includes('NHS Shetland'),
        '"Show on map" in the table opens the pin\'s popup', text);
  await page.fill('#tm-search', '');
  await page.evaluate(() => window.trustmap.map.closePopup());

  await page.evaluate((b) => {
    const map = window.trustmap.map;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
  }, run.tilejson.bounds);
  await settle(page);
  await runAxe(page, 'sample');
  checkLog(log, 'sample, desktop');
  await page.close();
}

async function phoneSample(ctx, base, run, log) {
  const page = await ctx.newPage();
  watch(page, base, log);
  await load(page, base + 'sample/index.html');
  check(log.tiles.length > 0 && log.tiles.every((t) =>
          t.url.includes('@2x.png')),
        'sample, 2x phone: only @2x tiles are requested',
        log.tiles.filter((t) => !t.url.includes('@2x')).slice(0, 5));
  const layout = await page.evaluate(() => {
    const m = document.getElementById('tm-map').getBoundingClientRect();
    const t = document.getElementById('tm-table-section')
      .getBoundingClientRect();
    return { mapBottom: m.bottom, tableTop: t.top, mapWidth: m.width,
             docWidth: document.documentElement.scrollWidth };
  });
  check(layout.tableTop >= layout.mapBottom && layout.mapWidth >= 380 &&
        layout.docWidth <= 390,
        'phone: the map fills the width and the table is below it', layout);
  await page.screenshot({ path: path.join(shotdir, 'browser-phone.png') });

  const z = 10;
  const rm1 = featureIndex(run, (p) => p.code === 'RM1');
  await viewFeature(page, rm1, z);
  const pts = await pinPoints(page, run, rm1, z);
  await clickAt(page, pts.head, true);
  const text = await popupText(page);
  check(text !== null && text.includes('Norfolk and Norwich'),
        'phone: a tap on the RM1 pin opens its popup', text);
  await page.screenshot({ path: path.join(shotdir,
                                          'browser-phone-popup.png') });
  await page.evaluate(() => {
    window.trustmap.map.closePopup();
    document.getElementById('tm-table-section').scrollIntoView();
  });
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(shotdir,
                                          'browser-phone-table.png') });
  await runAxe(page, 'sample, phone');
  checkLog(log, 'sample, phone');
  await page.close();
}

async function hostile(ctx, base, run, log) {
  const page = await ctx.newPage();
  watch(page, base, log);
  await load(page, base + 'hostile/index.html');

  const names = await page.locator('#tm-table tbody .tm-row-name')
    .allTextContents();
  check(names.includes(HOSTILE_NAME),
        'hostile: the name shows literally in the table', names);
  check(names.includes(HOSTILE_SITE),
        'hostile: the site name shows literally in the table', names);
  const notes = await page.locator('#tm-table tbody .tm-row-notes')
    .allTextContents();
  check(notes.includes(HOSTILE_NOTES) &&
        notes.includes('<b onmouseover=alert(4)>hover</b> & "quotes" ' +
                       '\'single\''),
        'hostile: notes show literally in the table', notes);
  check(await page.locator('#tm-round').textContent() ===
        'FOI round: ' + HOSTILE_ROUND + '.',
        'hostile: the round label shows literally');
  const injected = await page.evaluate(() =>
    document.querySelectorAll('img[src="x"], svg[onload], b[onmouseover], ' +
                              'script:not([src]):not([type])').length);
  check(injected === 0, 'hostile: no injected element in the document',
        injected);

  const z = 10;
  const rm1 = featureIndex(run, (p) => p.code === 'RM1');
  await viewFeature(page, rm1, z);
  const pts = await pinPoints(page, run, rm1, z);
  await clickAt(page, pts.head);
  const title = await page.locator('.leaflet-popup-content .tm-popup-title')
    .allTextContents();
  const text = await popupText(page);
  check(title.length === 1 && title[0] === HOSTILE_NAME &&
        text.includes(HOSTILE_NOTES),
        'hostile: the popup shows the name and notes literally',
        { title, text });

  const rtd = featureIndex(run, (p) => p.code === 'RTD02');
  await viewFeature(page, rtd, 13);
  const p2 = await pinPoints(page, run, rtd, 13);
  await clickAt(page, p2.head);
  const t2 = await popupText(page);
  check(t2 !== null && t2.includes(HOSTILE_SITE) &&
        t2.includes('Freeman Hospital'),
        'hostile: a site named like markup shows literally in its popup', t2);

  await page.fill('#tm-search', 'onerror');
  await page.waitForTimeout(400);
  const found = await page.locator('#tm-table tbody .tm-row-name')
    .allTextContents();
  check(found.includes(HOSTILE_NAME),
        'hostile: searching "onerror" finds the row', found);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(shotdir,
                                          'browser-hostile.png') });
  checkLog(log, 'hostile');
  await page.close();
}

async function embedPage(ctx, base, log) {
  const page = await ctx.newPage();
  watch(page, base, log);
  await page.goto(base + 'sample/embed.html', { waitUntil: 'load' });
  const snippet = await page.inputValue('#snippet');
  check(snippet.startsWith('<iframe src="' + base + 'sample/index.html"') &&
        snippet.includes('title="Is your hospital counting?"'),
        'embed.html shows the iframe snippet with this server\'s address',
        snippet);
  // The preview is the snippet itself: the map must start inside it.
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.trustmap &&
    (window.trustmap.ready || window.trustmap.error), null,
    { timeout: 30000 });
  check(await frame.evaluate(() => window.trustmap.ready === true),
        'embed.html: the map starts inside the iframe preview');
  await page.waitForTimeout(500);
  await page.close();
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trustmap-browser-'));
  const userDataDirs = [];
  let server = null;
  try {
    const sample = build('sample', [], tmp);
    const bad = build('hostile', [
      '--trusts', path.join('tests', 'browser', 'fixtures', 'trusts.csv'),
      '--foi', path.join('tests', 'browser', 'fixtures', 'foi-hostile.csv'),
      '--round', HOSTILE_ROUND], tmp);
    server = await serve(tmp, 0);
    const base = server.url;

    let log = newLog();
    let ctx = await openContext(userDataDirs, {
      viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1,
    }, base, log);
    await desktopSample(ctx, base, sample, log);
    log = newLog();
    await hostile(ctx, base, bad, log);
    const elog = newLog();
    await embedPage(ctx, base, elog);
    check(elog.dialogs.length === 0 && elog.foreign.length === 0 &&
          elog.bad.length === 0 && elog.consoleErrors.length === 0,
          'embed.html: no dialog, error or outside request',
          elog);
    await ctx.close();

    log = newLog();
    ctx = await openContext(userDataDirs, {
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
      isMobile: true, hasTouch: true,
    }, base, log);
    await phoneSample(ctx, base, sample, log);
    await ctx.close();
  } finally {
    if (server)
      server.close();
    for (const d of userDataDirs)
      fs.rmSync(d, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(failures ? failures + ' check(s) failed' : 'all checks passed');
  console.log('screenshots: ' + shotdir + '/browser-*.png');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log('FAIL - ' + (e && e.stack || e));
  process.exit(1);
});
