// What the browser tests share: the local chain, the built app served against it,
// headless Chromium (Debian's, driven with playwright-core), and waiting for what a
// person would wait for.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDevnode } from '../../js/devnode-support.mjs';

export { devKey, read, send, sendAll, startDevnode } from '../../js/devnode-support.mjs';

const web = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/// Long enough for a block (3 s) and the app's reads after it, with room for a busy CI
/// machine; a step that takes this long has failed, whatever its speed.
export const WAIT_MS = 30_000;

/// A port nothing listens on now.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/// Serves web/dist (built by `npm run build`) on `port` with a config.json for `devnode`.
export async function serveApp(devnode, port) {
  const config = JSON.stringify({ network: 'local', rpc: devnode.url });
  const child = spawn(
    process.execPath,
    ['scripts/serve.mjs', '--port', String(port), '--config', config],
    {
      cwd: web,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    exited.then((code) => reject(new Error(`the app server exited with ${code}`)));
  });
  return {
    url: JSON.parse(line).url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/// The local chain (`devnodeArgs`), the app served against it and a browser: what a
/// test file needs. `stop()` ends all three.
export async function startStack(devnodeArgs = []) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const devnode = await startDevnode(['--allowed-origins', origin, ...devnodeArgs]);
  const app = await serveApp(devnode, port);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    devnode,
    app,
    browser,
    stop: async () => {
      await browser.close();
      await app.stop();
      await devnode.stop();
    },
  };
}

/// A fresh browser profile (its own storage: its own chosen account) showing `path`.
/// Page errors fail the test that reads `page.errors`.
export async function open(stack, path = '/', options = {}) {
  const context = await stack.browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    ...options,
  });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(stack.app.url + path);
  return page;
}

/// Waits until `locator` is visible.
export const shown = (locator) => locator.first().waitFor({ state: 'visible', timeout: WAIT_MS });

/// Waits until nothing matches `locator`.
export const gone = (locator) => locator.first().waitFor({ state: 'detached', timeout: WAIT_MS });

/// Waits until `probe()` (run in the test) returns a truthy value; that value.
export async function until(probe, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/// Acts as `name` (a development account) through the account picker in the header.
export async function actAs(page, name) {
  const picker = page.getByRole('banner').getByLabel('Account');
  await shown(picker);
  await picker.selectOption({ label: `${name} (//${name})` });
}

/// The controls on the page that have no accessible name: every button, link and
/// form control must be named, by its text, a label or ARIA.
export function unnamedControls(page) {
  return page.evaluate(() => {
    const named = (element) => {
      if (element.closest('[aria-hidden="true"]')) return true;
      const label = element.getAttribute('aria-label') ?? '';
      const labelledBy = element.getAttribute('aria-labelledby');
      const byId = labelledBy ? (document.getElementById(labelledBy)?.textContent ?? '') : '';
      const labels = [...(element.labels ?? [])].map((l) => l.textContent).join('');
      const text = element.matches('input, select, textarea') ? '' : element.textContent;
      return [label, byId, labels, text].some((name) => name.trim() !== '');
    };
    return [...document.querySelectorAll('button, a[href], input, select, textarea')]
      .filter((element) => !named(element))
      .map((element) => element.outerHTML.slice(0, 120));
  });
}
