// A tiny static server for dist/ on 127.0.0.1 (port from PORT, default 8080; 0 picks a free one). It sends
// COOP/COEP, which make the page cross-origin isolated: SharedArrayBuffer, hence tfjs's threaded WASM build.
// Run `npm run serve -w @residual/browser-demo` and open the printed address.
const { createServer } = require('node:http');
const { readFile } = require('node:fs/promises');
const { extname, join, normalize } = require('node:path');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };

/** Starts the server for `root` (default dist/); resolves to `{ url, close }`. */
function serve(port = Number(process.env.PORT ?? 8080), root = join(__dirname, 'dist')) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res
        .writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        })
        .end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

module.exports = { serve };

if (require.main === module) {
  serve().then(({ url }) => console.log(`residual browser demo: ${url}`));
}
