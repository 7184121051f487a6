// Pictures anyone can link (stream banners, profile pictures) load only from hosts the
// viewer allowed, never from a private address, and the app is served with a
// Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { devKey, send, shown, startStack, until, watchErrors } from './support.mjs';

const HOUR = 3_600_000;
const HOST = 'pictures.example';
const PRIVATE = 'http://127.0.0.2:9/reboot?now=1';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
let stack;
const ids = {};

before(async () => {
  stack = await startStack();
  const alice = devKey('//Alice');
  await send(stack.devnode, alice, {
    EditProfile: { name: 'Alice', surname: null, img_link: `https://${HOST}/alice.png` },
  });
  const start = Date.now() + 2 * HOUR;
  for (const [name, link, offset] of [
    ['elsewhere', `https://${HOST}/banner.png`, 0],
    ['private', PRIVATE, 1],
  ]) {
    const { event } = await send(stack.devnode, alice, {
      NewStream: {
        title: `Banner ${name}`,
        description: null,
        start_time: start + offset * HOUR,
        end_time: start + (offset + 1) * HOUR,
        img_link: link,
      },
    });
    ids[name] = event.streamIsScheduled.id;
  }
});

after(async () => {
  await stack?.stop();
});

/// A page of the app whose requests off the app's and the chain's origins are recorded
/// in `page.elsewhere` (and answered with a picture).
async function recordedPage() {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const own = [new URL(stack.app.url).origin, new URL(stack.devnode.url).origin];
  const elsewhere = [];
  await context.route(
    (url) => !own.includes(url.origin),
    (route) => {
      elsewhere.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
    },
  );
  const page = await context.newPage();
  watchErrors(page);
  page.elsewhere = elsewhere;
  return page;
}

test('pictures from other hosts wait for the viewer, and private addresses are never asked', async () => {
  const page = await recordedPage();
  const served = await page.goto(stack.app.url);
  assert.match(served.headers()['content-security-policy'], /default-src 'self'/);
  const cards = page.getByRole('article');
  await shown(cards.filter({ hasText: 'Banner private' }));
  await page.waitForTimeout(1_000);
  assert.deepEqual(page.elsewhere, [], 'nothing loaded on sight');

  await page.goto(`${stack.app.url}/stream/${encodeURIComponent(ids.private)}`);
  await shown(page.getByRole('heading', { level: 1, name: 'Banner private' }));
  assert.equal(await page.getByRole('button', { name: /^Show pictures from/ }).count(), 0);

  await page.goto(`${stack.app.url}/stream/${encodeURIComponent(ids.elsewhere)}`);
  const show = page.getByRole('button', { name: `Show pictures from ${HOST}` });
  await shown(show);
  assert.deepEqual(page.elsewhere, []);
  await show.click();
  await shown(page.locator('img.hero'));
  await until(() => page.elsewhere.includes(`https://${HOST}/banner.png`), 'the banner');

  // Allowed once, the host's pictures show everywhere, and after a reload.
  await page.goto(`${stack.app.url}/channel/${devKey('//Alice').address}`);
  await shown(page.locator('img.avatar'));
  await page.reload();
  await shown(page.locator('img.avatar'));
  await page.goto(stack.app.url);
  await shown(cards.filter({ hasText: 'Banner elsewhere' }).locator('img'));
  await page.waitForTimeout(1_000);
  assert.ok(
    page.elsewhere.every((url) => new URL(url).hostname === HOST),
    `asked: ${page.elsewhere}`,
  );
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
