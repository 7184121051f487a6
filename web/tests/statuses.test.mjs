// The schedule's LIVE badges come from one listening connection per page, which the
// signaling server closes once it stays silent for the server's idle time: a page
// someone looks at renews its `listen`, a hidden page lets it lapse and listens again
// when it is shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, devKey, join, next } from 'w3bstreaming-testkit/signaling';
import { gone, open, shown, startStack, until } from './support.mjs';

const IDLE_MS = 3_000;
let stack;

before(async () => {
  stack = await startStack(['--demo'], {
    live: true,
    signalingArgs: ['--idle-timeout-ms', String(IDLE_MS), '--sign-in-deadline-ms', '1000'],
  });
});

after(async () => {
  await stack?.stop();
});

const closedAsIdle = async () =>
  (await stack.signaling.metrics())['signaling_closed_total{reason="idle"}'] ?? 0;

/// Makes `page` hidden or visible, as switching tabs does.
async function setVisibility(page, state) {
  await page.evaluate((visibility) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

test('a page someone looks at keeps hearing who is live; a hidden one lets go and listens again when shown', async () => {
  const page = await open(stack, '/');
  const card = page.getByRole('article').filter({ hasText: 'Writing Gear programs, live' });
  await shown(card);
  await page.waitForTimeout(IDLE_MS * 2.5);
  assert.equal(await closedAsIdle(), 0, 'renewed while it is seen');

  // Alice goes live: the badge shows without a reload.
  const alice = await connect(stack.signaling.url, {
    extraHeaders: { Origin: new URL(stack.app.url).origin },
  });
  try {
    join(alice, 'broadcast', devKey('//Alice'), stack.devnode.demo.streamId);
    assert.deepEqual(await next(alice, 'isStreaming'), [true]);
    await shown(card.getByText('LIVE', { exact: true }));

    await setVisibility(page, 'hidden');
    await until(async () => (await closedAsIdle()) === 1, 'the hidden page to be let go');
    await page.waitForTimeout(3_000);
    assert.equal(await closedAsIdle(), 1, 'a hidden page does not come back by itself');
    await gone(card.getByText('LIVE', { exact: true }));

    await setVisibility(page, 'visible');
    await shown(card.getByText('LIVE', { exact: true }));
    await page.waitForTimeout(IDLE_MS * 1.5);
    assert.equal(await closedAsIdle(), 1, 'shown again, it renews again');
    assert.deepEqual(page.errors, []);
  } finally {
    alice.close();
  }
});
