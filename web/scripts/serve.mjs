// Serves the built app (web/dist) on loopback as any static host should: files as they
// are, `index.html` for every other path (the app routes itself, and stream links are
// paths), and `config.json` from `--config` when given, so one build points anywhere.
//
//   node scripts/serve.mjs [--port 3000] [--host 127.0.0.1] [--config '{"network":"local",...}']
//
// Prints one JSON line, `{ "url": ... }`, once it listens.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    config: { type: 'string' },
    dist: { type: 'string', default: fileURLToPath(new URL('../dist/', import.meta.url)) },
  },
});
const config = values.config === undefined ? null : JSON.stringify(JSON.parse(values.config));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/// What the app's page may load and run: its own scripts (and the WebAssembly of its
/// cryptography), no inline script, no plugin, no framing. Nodes and signaling servers
/// are wherever the configuration or the viewer's settings say, so any http(s) and
/// ws(s) address may be connected to; pictures too, once the viewer allowed their
/// host (src/app/pictures.ts decides which, and never a private address).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: https: http:",
  "connect-src 'self' http: https: ws: wss:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
};

/// The file under `dist` a URL path names, or null for paths that leave it.
function fileOf(path) {
  let decoded;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const file = normalize(join(values.dist, decoded));
  return file.startsWith(values.dist) ? file : null;
}

const server = createServer(async (request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/config.json' && config !== null) {
    response
      .writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-cache' })
      .end(config);
    return;
  }
  const file = fileOf(path);
  const body = file && !file.endsWith('/') ? await readFile(file).catch(() => null) : null;
  if (body) {
    const immutable = path.startsWith('/assets/');
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(extname(file) === '.html' ? PAGE_HEADERS : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  if (path.startsWith('/assets/')) {
    response.writeHead(404, { 'content-type': TYPES['.txt'] }).end('not found');
    return;
  }
  const index = await readFile(join(values.dist, 'index.html')).catch(() => null);
  if (!index) {
    response
      .writeHead(500, { 'content-type': TYPES['.txt'] })
      .end('web/dist has no index.html: build the app first (npm run build)');
    return;
  }
  response.writeHead(200, {
    'content-type': TYPES['.html'],
    'cache-control': 'no-cache',
    ...PAGE_HEADERS,
  });
  response.end(request.method === 'HEAD' ? undefined : index);
});

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  console.log(JSON.stringify({ url: `http://${address}:${port}` }));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
