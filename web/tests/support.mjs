// What the browser tests share: the local chain, the built app served against it,
// headless Chromium (Debian's, driven with playwright-core), and waiting for what a
// person would wait for.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { chromium } from 'playwright-core';
import { startDevnode } from 'w3bstreaming-testkit/devnode';
import { startServer, until as waitUntil } from 'w3bstreaming-testkit/signaling';

export { devKey, read, send, sendAll, startDevnode } from 'w3bstreaming-testkit/devnode';

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

/// Serves web/dist (built by `npm run build`) on `port` with a config.json for `devnode`
/// (and the signaling server at `signaling`, if given).
export async function serveApp(devnode, port, signaling) {
  const config = JSON.stringify({ network: 'local', rpc: devnode.url, signaling });
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

const BROWSER_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/// A fake camera (a moving test pattern) and microphone (a tone), allowed without a
/// prompt; WebRTC over loopback; sound that plays without a click.
const MEDIA_FLAGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/// A headless Chromium; with `media`, with the fake devices and loopback WebRTC; `args`
/// added to its command line.
export function launchBrowser({ media = false, args = [] } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...BROWSER_FLAGS, ...(media ? MEDIA_FLAGS : []), ...args],
  });
}

/// The local chain (`devnodeArgs`), the app served against it and a browser: what a
/// test file needs; with `live`, the signaling server too, and a browser with fake
/// media devices (`signalingArgs` are the server's flags). `stop()` ends them all.
export async function startStack(devnodeArgs = [], { live = false, signalingArgs = [] } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const devnode = await startDevnode(['--allowed-origins', origin, ...devnodeArgs]);
  const signaling = live
    ? await startServer(['--count-interval-ms', '200', ...signalingArgs], devnode, { origin })
    : null;
  const app = await serveApp(devnode, port, signaling?.url);
  const browser = await launchBrowser({ media: live });
  return {
    devnode,
    signaling,
    app,
    browser,
    stop: async () => {
      await browser.close();
      await app.stop();
      await signaling?.stop();
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
  watchErrors(page);
  await page.goto(stack.app.url + path);
  return page;
}

/// Keeps in `page.errors` what the page threw and what its Content-Security-Policy
/// blocked.
export function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) page.errors.push(message.text());
  });
}

/// Waits until `locator` is visible.
export const shown = (locator) => locator.first().waitFor({ state: 'visible', timeout: WAIT_MS });

/// Waits until nothing matches `locator`.
export const gone = (locator) => locator.first().waitFor({ state: 'detached', timeout: WAIT_MS });

/// Waits until `probe()` (run in the test) returns a truthy value; that value.
export const until = (probe, what) => waitUntil(probe, what, WAIT_MS);

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

/// Gives the pages of `context` a polkadot-js wallet extension holding `key` as `name`,
/// injected as the extension injects itself (`window.injectedWeb3`), its `signRaw`
/// signing in Node; `onSign` hears each request as `{ address, type, text }`.
export async function injectWallet(context, key, name, onSign = () => undefined) {
  await context.exposeBinding('signInWallet', (_source, { address, data, type }) => {
    onSign({ address, type, text: Buffer.from(hexToU8a(data)).toString('utf8') });
    if (address !== key.address) throw new Error(`no key for ${address}`);
    return u8aToHex(key.pair.sign(u8aWrapBytes(hexToU8a(data))));
  });
  await context.addInitScript(
    (account) => {
      const accounts = [account];
      window.injectedWeb3 = {
        'polkadot-js': {
          version: '0.63.1',
          enable: async () => ({
            accounts: {
              get: async () => accounts,
              subscribe: (callback) => {
                callback(accounts);
                return () => undefined;
              },
            },
            signer: {
              signRaw: async (payload) => ({
                id: 1,
                signature: await window.signInWallet(payload),
              }),
            },
          }),
        },
      };
    },
    { address: key.address, name, type: 'sr25519' },
  );
}

/// Connects the wallet on the account page and acts as its account `name`.
export async function actAsWallet(page, name) {
  await page.getByRole('main').getByRole('button', { name: 'Connect wallet' }).click();
  const picker = page.getByRole('main').getByLabel('Account');
  const label = `${name} · polkadot-js`;
  await picker
    .locator('option', { hasText: label })
    .waitFor({ state: 'attached', timeout: WAIT_MS });
  await picker.selectOption({ label });
}
