// The app's static server (scripts/serve.mjs), as a host for the built app must be:
// files as they are, index.html for the app's own paths, the given config.json, and
// nothing outside web/dist whatever the path says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const config = { network: 'local', rpc: 'http://127.0.0.1:1' };
let server;
let url;
let index;

before(async () => {
  index = await readFile(`${web}dist/index.html`, 'utf8');
  server = spawn(
    process.execPath,
    ['scripts/serve.mjs', '--port', '0', '--config', JSON.stringify(config)],
    {
      cwd: web,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  url = JSON.parse(
    await new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve)),
  ).url;
});

after(() => server?.kill('SIGTERM'));

/// A raw request for `path` exactly as written (no client-side normalization).
function get(path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path, method }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('the app’s paths, encoded ids among them, get index.html', async () => {
  for (const path of [
    '/',
    '/account',
    '/stream/1796000000000a%2Fb%3Fc%23d%25e',
    '/channel/kGk',
    '/no/such/page',
  ]) {
    const { status, headers, body } = await get(path);
    assert.equal(status, 200, path);
    assert.match(headers['content-type'], /^text\/html/);
    assert.match(headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(body, index, path);
  }
});

test('config.json is the one given, and assets are cached for good', async () => {
  const served = await get('/config.json');
  assert.deepEqual(JSON.parse(served.body), config);
  assert.equal(served.headers['cache-control'], 'no-cache');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)[1];
  const asset = await get(script);
  assert.equal(asset.status, 200);
  assert.match(asset.headers['cache-control'], /immutable/);
  assert.equal((await get('/assets/missing.js')).status, 404);
});

test('nothing outside web/dist is served, and only reads are answered', async () => {
  for (const path of [
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/%ZZ',
  ]) {
    const { status, body } = await get(path);
    assert.equal(status, 200, path);
    assert.equal(body, index, `${path} is an app path, not a file`);
  }
  assert.equal((await get('/', 'POST')).status, 405);
});
