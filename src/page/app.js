/* app.js - the trustmap page: the map, the key, popups and the table.
 *
 * Reads the configuration that page.c put in <script id="config">, then
 * tiles.json (TileJSON), tiles/available.json (which tiles exist),
 * clusters.json (the renderer's pin scale and clusters per zoom) and
 * trusts.geojson (one feature per pin, in the renderer's pin order), all
 * relative to the page.
 *
 * Rules kept here:
 * - Untrusted text (names, notes, codes, labels, title) only ever goes
 *   into the page as text nodes (textContent / createTextNode); popups
 *   get DOM nodes, never HTML strings.
 * - Only tiles listed in available.json are requested, so the page makes
 *   no 404s; absent tiles stay empty.
 * - Hit-testing uses the renderer's geometry: at the current zoom,
 *   clusters first, then single pins from the top one down (south over
 *   north, ties by code), each pin a round head of diameter width*scale
 *   whose top is height*scale above the tip, plus the triangle between
 *   the head and the tip, which sits on the point itself.
 */
(function () {
  'use strict';

  var GLYPHS = { tick: '\u2713', half: '\u25D0', cross: '\u2715',
                 question: '?' };
  var ROW_STEP = 2500;           /* rows added to the table at a time */

  var config = JSON.parse(document.getElementById('config').textContent);
  var statusByKey = {};
  var statusOrder = {};
  config.statuses.forEach(function (s, i) {
    statusByKey[s.key] = s;
    statusOrder[s.key] = i;
  });

  var state = {
    map: null,
    features: [],
    pins: null,          /* {width, height, outline} in CSS px at 1x */
    zooms: {},           /* clusters.json "zooms" */
    clustered: {},       /* zoom -> Set of feature indices in a cluster */
    drawOrder: [],       /* feature indices, first drawn first */
    byTrust: {},         /* trust_code -> feature indices */
    rows: [],
    sortKey: 'name',
    sortDir: 1,
    shown: ROW_STEP
  };

  /* ---- small helpers ---- */

  function el(tag, className, text) {
    var e = document.createElement(tag);

    if(className)
      e.className = className;
    if(text !== undefined && text !== null)
      e.textContent = String(text);
    return e;
  }

  /* Text for Leaflet's attribution control, which takes HTML. */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }

  function withVersion(url) {
    return config.version ? url + '?v=' + encodeURIComponent(config.version)
                          : url;
  }

  function fetchJson(url) {
    return fetch(url, { cache: 'no-cache' }).then(function (r) {
      if(!r.ok)
        throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function fold(text) {
    return String(text || '').normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  /* Black or white, whichever contrasts more with the colour. */
  function inkFor(hex) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    var lum;

    if(!m)
      return '#000';
    lum = [m[1], m[2], m[3]].map(function (h) {
      var c = parseInt(h, 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    lum = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? '#000' : '#fff';
  }

  function statusOf(key) {
    return statusByKey[key] ||
           { key: key, label: key, colour: '#777777', glyph: 'question' };
  }

  /* The status as a swatch with its glyph (decoration) and its label
   * (what a screen reader reads), so colour is never the only cue. */
  function swatchNode(key) {
    var s = statusOf(key);
    var sw = el('span', 'tm-swatch', GLYPHS[s.glyph] || '?');

    sw.setAttribute('aria-hidden', 'true');
    if(/^#[0-9a-f]{6}$/i.test(s.colour)) {
      sw.style.backgroundColor = s.colour;
      sw.style.color = inkFor(s.colour);
    }
    return sw;
  }

  function statusNode(key, tag) {
    var wrap = el(tag || 'span', 'tm-status');

    wrap.appendChild(swatchNode(key));
    wrap.appendChild(el('span', 'tm-status-label', statusOf(key).label));
    return wrap;
  }

  /* ---- hit-testing, in the renderer's geometry ---- */

  function zoomInfo(z) {
    return state.zooms[String(z)] || { pin_scale: 1, clusters: [] };
  }

  function clusteredAt(z) {
    var set = state.clustered[z];

    if(!set) {
      set = new Set();
      (zoomInfo(z).clusters || []).forEach(function (c) {
        (c.pins || []).forEach(function (i) { set.add(i); });
      });
      state.clustered[z] = set;
    }
    return set;
  }

  /* Is container point p on the body of a pin whose tip is at tip?
   * The shape is render.c's: the head's radius is width / 2 (or
   * height / 2.05 for squat pins), its centre height - radius above the
   * tip, the sides are tangents from the tip to the head, and the white
   * outline adds outline px all round. Everything scales by pin_scale. */
  function onPin(p, tip, scale) {
    var g = state.pins;
    var h = g.height * scale;
    var r = g.width * scale / 2;
    var pad = (g.outline || 0) * scale;
    var d, dx, up, sinA, cosA, reach;

    if(h - r < 1.05 * r)
      r = h / 2.05;
    d = h - r;                       /* tip to the centre of the head */
    dx = p.x - tip.x;
    up = tip.y - p.y;                /* height above the tip */
    if(dx * dx + (up - d) * (up - d) <= (r + pad) * (r + pad))
      return true;
    if(up < 0)                       /* below the tip: its round outline */
      return dx * dx + up * up <= pad * pad;
    sinA = r / d;
    cosA = Math.sqrt(1 - sinA * sinA);
    reach = (d * d - r * r) / d;     /* height where the sides meet the head */
    if(up > reach)
      return false;
    return Math.abs(dx) * cosA - up * sinA <= pad;
  }

  /* The container point of lat/lon, not rounded to whole pixels as
   * map.latLngToContainerPoint() is: tiles place pins to 1/4 px. */
  function exactPoint(lat, lon) {
    var map = state.map;
    var layer = map.project([lat, lon], map.getZoom())
      .subtract(map.getPixelOrigin());

    return map.layerPointToContainerPoint(layer);
  }

  /* Clusters in the renderer's drawing order: north first, then the
   * order of clusters.json. */
  function clustersAt(z) {
    var info = zoomInfo(z);

    if(!info.drawn) {
      info.drawn = (info.clusters || []).map(function (c, i) {
        return { c: c, i: i };
      }).sort(function (a, b) {
        return a.c.lat !== b.c.lat ? b.c.lat - a.c.lat : a.i - b.i;
      }).map(function (x) { return x.c; });
    }
    return info.drawn;
  }

  /* What the renderer drew under container point p at the current zoom:
   * {kind: 'cluster', cluster} or {kind: 'pin', index} or null. */
  function hitTest(p) {
    var map = state.map;
    var z = Math.round(map.getZoom());
    var info = zoomInfo(z);
    var clusters = clustersAt(z);
    var scale = info.pin_scale === undefined ? 1 : info.pin_scale;
    var skip = clusteredAt(z);
    var halfW = state.pins.width * scale / 2;
    var m = (state.pins.outline || 0) * scale + 1;
    var i, c, q, f, idx;

    p = L.point(p);
    for(i = clusters.length - 1; i >= 0; i--) {
      c = clusters[i];
      q = exactPoint(c.lat, c.lon);
      if(q.distanceTo(p) <= c.radius)
        return { kind: 'cluster', cluster: c };
    }
    for(i = state.drawOrder.length - 1; i >= 0; i--) {
      idx = state.drawOrder[i];
      if(skip.has(idx))
        continue;
      f = state.features[idx];
      q = exactPoint(f.lat, f.lon);
      if(Math.abs(q.x - p.x) > halfW + m || q.y - p.y < -m ||
         q.y - p.y > state.pins.height * scale + m)
        continue;              /* far from this pin: skip the exact test */
      if(onPin(p, q, scale))
        return { kind: 'pin', index: idx };
    }
    return null;
  }

  /* ---- popups ---- */

  function trustPopup(idx) {
    var f = state.features[idx];
    var box = el('div', 'tm-popup');
    var members = state.byTrust[f.trust_code] || [idx];
    var sites = members.filter(function (i) {
      return state.features[i].kind === 'site';
    });
    var list;

    box.setAttribute('tabindex', '-1');
    box.appendChild(el('h2', 'tm-popup-title', f.trust_name || f.name));
    if(f.kind === 'site' && f.name !== f.trust_name)
      box.appendChild(el('p', 'tm-popup-sub', 'Site: ' + f.name));
    box.appendChild(statusNode(f.status, 'p'));
    if(f.notes)
      box.appendChild(el('p', 'tm-popup-notes', f.notes));
    if(sites.length) {
      box.appendChild(el('p', 'tm-popup-sites-heading',
                         sites.length === 1 ? '1 site:' :
                         sites.length + ' sites:'));
      list = el('ul', 'tm-popup-list');
      sites.forEach(function (i) {
        var li = el('li', i === idx ? 'tm-current' : '',
                    state.features[i].name);
        list.appendChild(li);
      });
      if(sites.length > 8) {
        list.setAttribute('tabindex', '0');
        list.setAttribute('aria-label', 'Sites');
      }
      box.appendChild(list);
    }
    box.appendChild(el('p', 'tm-popup-code', 'Trust code: ' + f.trust_code));
    return box;
  }

  function clusterPopup(c) {
    var box = el('div', 'tm-popup');
    var trusts = {};
    var order = [];
    var list, more;

    (c.pins || []).forEach(function (i) {
      var f = state.features[i];
      if(!f)
        return;
      if(!trusts[f.trust_code]) {
        trusts[f.trust_code] = { index: i, sites: 0 };
        order.push(f.trust_code);
      }
      if(f.kind === 'site')
        trusts[f.trust_code].sites++;
    });
    order.sort(function (a, b) {
      var fa = state.features[trusts[a].index];
      var fb = state.features[trusts[b].index];
      return (fa.trust_name || '').localeCompare(fb.trust_name || '');
    });
    box.setAttribute('tabindex', '-1');
    box.appendChild(el('h2', 'tm-popup-title',
                       order.length === 1 ? '1 trust here' :
                       order.length + ' trusts here'));
    list = el('ul', 'tm-popup-list tm-cluster-list');
    order.forEach(function (code) {
      var f = state.features[trusts[code].index];
      var li = el('li');
      var text = el('span', 'tm-cluster-name', f.trust_name || f.name);

      /* The glyph shows the status at a glance; the label is there for
       * screen readers, which skip the glyph. */
      li.appendChild(swatchNode(f.status));
      if(trusts[code].sites > 1)
        text.appendChild(el('span', 'tm-cluster-sites',
                            ' (' + trusts[code].sites + ' sites)'));
      text.appendChild(el('span', 'tm-visually-hidden',
                          ': ' + statusOf(f.status).label));
      li.appendChild(text);
      list.appendChild(li);
    });
    if(order.length > 6) {
      list.setAttribute('tabindex', '0');
      list.setAttribute('aria-label', 'Trusts in this cluster');
    }
    box.appendChild(list);
    more = el('button', 'tm-zoom-in', 'Zoom in here');
    more.type = 'button';
    more.addEventListener('click', function () {
      var b = L.latLngBounds(c.pins.map(function (i) {
        return [state.features[i].lat, state.features[i].lon];
      }));
      state.map.closePopup();
      state.map.fitBounds(b.pad(0.2), { maxZoom: state.map.getMaxZoom() });
    });
    box.appendChild(more);
    return box;
  }

  function openPopupFor(hit, focus) {
    var map = state.map;
    var z = Math.round(map.getZoom());
    var scale = zoomInfo(z).pin_scale === undefined ? 1 :
                zoomInfo(z).pin_scale;
    var node, latlng, offset, popup, f;

    if(hit.kind === 'cluster') {
      node = clusterPopup(hit.cluster);
      latlng = L.latLng(hit.cluster.lat, hit.cluster.lon);
      offset = [0, -hit.cluster.radius + 4];
    }
    else {
      f = state.features[hit.index];
      node = trustPopup(hit.index);
      latlng = L.latLng(f.lat, f.lon);
      offset = [0, -state.pins.height * scale + 4];
    }
    popup = L.popup({ offset: offset, maxWidth: 320,
                      autoPanPadding: [16, 16] })
      .setLatLng(latlng).setContent(node).openOn(map);
    if(focus)
      node.focus({ preventScroll: true });
    return popup;
  }

  /* The smallest zoom, from z up, where feature idx is drawn on its own. */
  function zoomShowing(idx, z) {
    var max = state.map.getMaxZoom();

    for(; z < max; z++) {
      if(!clusteredAt(z).has(idx))
        return z;
    }
    return max;
  }

  function showOnMap(idx) {
    var f = state.features[idx];
    var map = state.map;
    var z = zoomShowing(idx, Math.max(Math.round(map.getZoom()), 9));

    map.setView([f.lat, f.lon], z, { animate: false });
    document.getElementById('tm-map').scrollIntoView({ block: 'nearest' });
    openPopupFor({ kind: 'pin', index: idx }, true);
  }

  /* ---- the key ---- */

  function buildKey() {
    var list = document.getElementById('tm-key-list');
    var counts = {};
    var seen = {};

    state.features.forEach(function (f) {
      if(seen[f.trust_code])
        return;
      seen[f.trust_code] = true;
      counts[f.status] = (counts[f.status] || 0) + 1;
    });
    config.statuses.forEach(function (s) {
      var li = el('li');
      var n = counts[s.key] || 0;

      li.appendChild(swatchNode(s.key));
      li.appendChild(el('span', 'tm-key-label', s.label));
      li.appendChild(el('span', 'tm-key-count',
                        n === 1 ? '1 trust' : n + ' trusts'));
      list.appendChild(li);
    });
  }

  /* ---- the table ---- */

  function buildRows() {
    state.rows = state.features.map(function (f, i) {
      var s = statusOf(f.status);
      return {
        index: i,
        f: f,
        search: fold([f.name, f.code, f.trust_name, f.trust_code, f.nation,
                      s.label, f.notes].join(' \u0001 ')),
        status: statusOrder[f.status] === undefined ? 99 :
                statusOrder[f.status]
      };
    });
  }

  var collator = new Intl.Collator('en-GB', { sensitivity: 'base',
                                              numeric: true });

  /* The chosen column in the chosen direction, then name, then the
   * file's order, so every sort is total and stable. */
  function compareRows(a, b) {
    var k = state.sortKey;
    var c;

    if(k === 'status')
      c = a.status - b.status;
    else
      c = collator.compare(a.f.name, b.f.name);
    if(c)
      return c * state.sortDir;
    return collator.compare(a.f.name, b.f.name) || a.index - b.index;
  }

  function rowNode(r) {
    var f = r.f;
    var tr = el('tr');
    var name = el('th');
    var btn, hidden, answer;

    name.setAttribute('scope', 'row');
    name.appendChild(el('span', 'tm-row-name', f.name));
    name.appendChild(el('span', 'tm-row-sub',
                        [f.kind === 'site' ? 'Site of ' + f.trust_name
                                           : 'Trust', f.code, f.nation]
                        .filter(Boolean).join(' \u00b7 ')));
    btn = el('button', 'tm-show', 'Show on map');
    btn.type = 'button';
    hidden = el('span', 'tm-visually-hidden', ': ' + f.name);
    btn.appendChild(hidden);
    btn.addEventListener('click', function () { showOnMap(r.index); });
    name.appendChild(btn);
    tr.appendChild(name);
    answer = tr.appendChild(el('td'));
    answer.appendChild(statusNode(f.status, 'p'));
    if(f.notes)
      answer.appendChild(el('p', 'tm-row-notes', f.notes));
    return tr;
  }

  function renderTable() {
    var q = fold(document.getElementById('tm-search').value).trim();
    var words = q ? q.split(/\s+/) : [];
    var tbody = document.querySelector('#tm-table tbody');
    var more = document.getElementById('tm-more');
    var frag = document.createDocumentFragment();
    var match = state.rows.filter(function (r) {
      return words.every(function (w) { return r.search.indexOf(w) >= 0; });
    });
    var count = document.getElementById('tm-count');
    var shown;

    match.sort(compareRows);
    shown = match.slice(0, state.shown);
    shown.forEach(function (r) { frag.appendChild(rowNode(r)); });
    tbody.textContent = '';
    tbody.appendChild(frag);
    count.textContent = match.length === state.rows.length ?
      'Showing all ' + state.rows.length + ' rows.' :
      'Showing ' + shown.length + ' of ' + match.length + ' matching rows (' +
      state.rows.length + ' in all).';
    more.hidden = match.length <= shown.length;
  }

  function setSort(key) {
    var heads = document.querySelectorAll('#tm-table th[data-sort]');

    if(state.sortKey === key)
      state.sortDir = -state.sortDir;
    else {
      state.sortKey = key;
      state.sortDir = 1;
    }
    heads.forEach(function (th) {
      if(th.getAttribute('data-sort') === state.sortKey)
        th.setAttribute('aria-sort', state.sortDir > 0 ? 'ascending'
                                                       : 'descending');
      else
        th.removeAttribute('aria-sort');
    });
    renderTable();
  }

  function buildTable() {
    var search = document.getElementById('tm-search');
    var heads = document.querySelectorAll('#tm-table th[data-sort]');
    var timer = null;

    buildRows();
    heads.forEach(function (th) {
      th.querySelector('button').addEventListener('click', function () {
        setSort(th.getAttribute('data-sort'));
      });
    });
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.shown = ROW_STEP;
        renderTable();
      }, 120);
    });
    document.getElementById('tm-more').addEventListener('click', function () {
      state.shown += ROW_STEP;
      renderTable();
    });
    state.sortDir = -1;      /* setSort flips it to ascending */
    setSort('name');
  }

  /* ---- the map ---- */

  /* A tile layer that asks only for the tiles the build wrote. */
  var ListedTiles = L.TileLayer.extend({
    initialize: function (url, listed, options) {
      L.TileLayer.prototype.initialize.call(this, url, options);
      this._listed = listed;
    },
    createTile: function (coords, done) {
      var set = this._listed[coords.z];
      var tile;

      if(set && set.has(coords.x + '/' + coords.y))
        return L.TileLayer.prototype.createTile.call(this, coords, done);
      tile = document.createElement('div');
      L.Util.requestAnimFrame(function () { done(null, tile); });
      return tile;
    }
  });

  function buildMap(tilejson, available) {
    var reduced = window.matchMedia &&
      window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var minzoom = tilejson.minzoom;
    var maxzoom = tilejson.maxzoom;
    var b = tilejson.bounds;
    var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    var listed = {};
    var url = tilejson.tiles[0];
    var pending = null;
    var map, base;

    Object.keys(available.tiles || {}).forEach(function (z) {
      listed[z] = new Set(available.tiles[z]);
    });
    state.listed = listed;
    state.tileUrl1x = url;
    if(window.devicePixelRatio > 1 && config.retina &&
       url.indexOf('{y}.png') >= 0)
      url = url.replace('{y}.png', '{y}@2x.png');

    map = L.map('tm-map', {
      minZoom: minzoom,
      maxZoom: maxzoom,
      zoomAnimation: !reduced,
      fadeAnimation: !reduced,
      markerZoomAnimation: !reduced,
      worldCopyJump: false
    });
    state.map = map;
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com">Leaflet</a>');
    if(config.base && config.base.url) {
      base = L.tileLayer(config.base.url, {
        attribution: config.base.attribution ?
          escapeHtml(config.base.attribution) : '',
        maxNativeZoom: config.base.maxzoom || maxzoom,
        maxZoom: maxzoom
      });
      base.addTo(map);
    }
    new ListedTiles(url, listed, {
      minZoom: minzoom,
      maxZoom: maxzoom,
      minNativeZoom: minzoom,
      maxNativeZoom: maxzoom,
      attribution: tilejson.attribution || '',
      className: 'tm-pins'
    }).addTo(map);

    if(state.features.length)
      map.fitBounds(bounds, { padding: [12, 24], animate: false });
    else
      map.setView([tilejson.center[1], tilejson.center[0]],
                  tilejson.center[2]);

    map.on('click', function (e) {
      var hit = hitTest(e.containerPoint);

      if(hit)
        openPopupFor(hit, false);
      else
        map.closePopup();
    });
    map.on('mousemove', function (e) {
      pending = e.containerPoint;
      L.Util.requestAnimFrame(function () {
        if(!pending)
          return;
        map.getContainer().classList.toggle('tm-over-pin',
                                            !!hitTest(pending));
        pending = null;
      });
    });
    map.on('mouseout', function () {
      map.getContainer().classList.remove('tm-over-pin');
    });
    return map;
  }

  /* ---- start ---- */

  function loadFeatures(geojson) {
    state.features = (geojson.features || []).map(function (ft, i) {
      var p = ft.properties || {};
      var c = (ft.geometry && ft.geometry.coordinates) || [0, 0];
      return {
        index: i,
        lon: c[0], lat: c[1],
        code: p.code || '', name: p.name || '',
        kind: p.kind || 'trust',
        trust_code: p.trust_code || p.code || '',
        trust_name: p.trust_name || p.name || '',
        nation: p.nation || '', status: p.status || 'no_response',
        notes: p.notes || ''
      };
    });
    state.features.forEach(function (f, i) {
      (state.byTrust[f.trust_code] = state.byTrust[f.trust_code] || [])
        .push(i);
    });
    /* The renderer's drawing order: north first, south last, ties by
     * code (then feature order). */
    state.drawOrder = state.features.map(function (f, i) { return i; });
    state.drawOrder.sort(function (a, b) {
      var fa = state.features[a], fb = state.features[b];
      if(fa.lat !== fb.lat)
        return fb.lat - fa.lat;
      if(fa.code !== fb.code)
        return fa.code < fb.code ? -1 : 1;
      return a - b;
    });
  }

  function fail(err) {
    var status = document.getElementById('tm-map-status');

    status.textContent = 'The map could not be loaded (' + err.message +
      '). The data is in trusts.csv.';
    status.classList.add('tm-error');
    window.trustmap.error = String(err.message);
    console.error('trustmap:', err);
  }

  window.trustmap = { ready: false, map: null, hitTest: null };

  var round = config.round ? 'FOI round: ' + config.round + '.' : '';
  document.getElementById('tm-round').textContent = round;

  Promise.all([
    fetchJson('tiles.json'),
    fetchJson(withVersion('tiles/available.json')),
    fetchJson(withVersion('clusters.json')),
    fetchJson('trusts.geojson')
  ]).then(function (res) {
    var clusters = res[2];

    state.pins = clusters.pin || config.pin;
    state.zooms = clusters.zooms || {};
    loadFeatures(res[3]);
    buildKey();
    buildTable();
    buildMap(res[0], res[1]);
    /* For tests and for scripts of the embedding site. */
    window.trustmap.map = state.map;
    window.trustmap.features = state.features;
    window.trustmap.available = state.listed;
    window.trustmap.tileUrl1x = state.tileUrl1x;
    window.trustmap.hitTest = hitTest;
    window.trustmap.exactPoint = exactPoint;
    window.trustmap.showOnMap = showOnMap;
    window.trustmap.ready = true;
  }).catch(fail);
})();
