// serve.js - a tiny static file server for an output folder, for the
// browser test and for looking at a build by hand:
//
//   node tests/browser/serve.js out [PORT]     (then open the printed URL)
//
// Serves files under the root only (no listings, no "..", no symlinks out
// of it), ignores query strings (the page adds ?v=VERSION), and answers
// 404 for anything else. Listens on 127.0.0.1 only; port 0 picks a free
// one.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Starts serving root; resolves to the server, whose .url is the base URL
// ("http://127.0.0.1:PORT/").
function serve(root, port) {
  const base = fs.realpathSync(root);
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch (e) {
      res.writeHead(400).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (rel.endsWith('/'))
      rel += 'index.html';
    let file = path.join(base, path.normalize(rel));
    fs.realpath(file, (err, real) => {
      if (err || (real !== base && !real.startsWith(base + path.sep))) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      fs.readFile(real, (err2, data) => {
        if (err2) {
          res.writeHead(404, { 'Content-Type': 'text/plain' })
            .end('not found');
          return;
        }
        res.writeHead(200, {
          'Content-Type': TYPES[path.extname(real)] ||
                          'application/octet-stream',
          'Content-Length': data.length,
          'Cache-Control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : data);
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port || 0, '127.0.0.1', () => {
      server.url = 'http://127.0.0.1:' + server.address().port + '/';
      resolve(server);
    });
  });
}

module.exports = { serve };

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error('usage: node serve.js FOLDER [PORT]');
    process.exit(2);
  }
  serve(root, Number(process.argv[3] || 8000)).then((s) => {
    console.log('serving ' + root + ' at ' + s.url);
  }, (e) => {
    console.error('serve.js: ' + e.message);
    process.exit(1);
  });
}
