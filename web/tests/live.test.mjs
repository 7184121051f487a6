// Live video through the UI, peer to peer: Alice (the demo world's broadcaster) goes
// live in one headless Chromium with a fake camera and microphone; her followers watch
// in a second Chromium, over loopback only (scripts/test.sh runs this inside a network
// namespace with nothing but `lo`), through the signaling server and the local chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  actAs,
  launchBrowser,
  shown,
  startStack,
  until,
  unnamedControls,
  watchErrors,
} from './support.mjs';
import {
  cuttableProxy,
  decoding,
  goLive,
  line,
  player,
  playback,
  instrument,
  streamPage as liveStreamPage,
  studio,
} from './live-support.mjs';

let stack;
let viewers;
let streamPath;
let alice;
let bob;
// A second way to the signaling server, which the tests cut; the server names it in
// the sign-in texts of the connections that come through it.
let proxy;

before(async () => {
  proxy = await cuttableProxy(() => new URL(stack.signaling.url).port);
  // Two viewers at most, so that a third finds the stream full.
  stack = await startStack(['--demo'], {
    live: true,
    signalingArgs: ['--max-watchers', '2', '--public-url', proxy.url],
  });
  viewers = await launchBrowser({ media: true });
  streamPath = `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`;
});

after(async () => {
  await proxy?.close();
  await viewers?.close();
  await stack?.stop();
});

const streamPage = (browser, name, options) => liveStreamPage(stack, browser, name, options);

async function watchersShown(page, region, count) {
  const text = `${count} ${count === 1 ? 'viewer' : 'viewers'} watching`;
  await shown(region.getByText(text, { exact: true }));
}

test('a follower who came early watches the broadcaster’s camera once she is live', async () => {
  bob = await streamPage(viewers, 'Bob');
  await shown(player(bob).getByText('is not live right now', { exact: false }));
  await player(bob).getByRole('button', { name: 'Watch' }).click();
  await shown(
    line(player(bob)).getByText('The broadcaster has not started yet. Trying again', {
      exact: false,
    }),
  );

  alice = await streamPage(stack.browser, 'Alice');
  await shown(studio(alice).getByText('Not live.', { exact: false }));
  await goLive(alice);
  assert.deepEqual(await unnamedControls(alice), []);
  const playing = await decoding(bob);
  assert.ok(playing.width > 0 && playing.width <= 640, `the camera's picture: ${playing.width}`);
  await watchersShown(alice, studio(alice), 1);
  await watchersShown(bob, player(bob), 1);
  assert.deepEqual(await unnamedControls(bob), []);

  // Anyone sees who is on air on the schedule, without an account.
  const visitor = await (await viewers.newContext()).newPage();
  await visitor.goto(stack.app.url);
  const card = visitor.getByRole('article').filter({ hasText: 'Writing Gear programs, live' });
  await shown(card.getByText('LIVE', { exact: true }));
  await shown(card.getByText('1 viewer watching'));
  await visitor.context().close();
  assert.deepEqual([...alice.errors, ...bob.errors], []);
});

test('a non-follower is refused in the server’s words, follows from there, and watches', async () => {
  const ferdie = await streamPage(viewers, 'Ferdie');
  await player(ferdie).getByRole('button', { name: 'Watch' }).click();
  await shown(
    line(player(ferdie)).getByText('Only followers of Alice Demo can watch.', { exact: false }),
  );
  assert.equal((await playback(ferdie)).framesDecoded, 0);
  // One Follow button, no picture frame and no Leave while nothing plays, and not the
  // server's words.
  const main = ferdie.getByRole('main');
  assert.equal(await main.getByRole('button', { name: 'Follow', exact: true }).count(), 1);
  assert.equal(await main.locator('video').count(), 0);
  assert.equal(await player(ferdie).getByRole('button', { name: 'Leave' }).count(), 0);
  await shown(player(ferdie).getByRole('button', { name: 'Stop waiting' }));
  assert.equal(await main.getByText('speaker', { exact: false }).count(), 0);
  await ferdie.getByRole('main').getByRole('button', { name: 'Follow', exact: true }).click();
  await decoding(ferdie);
  await watchersShown(alice, studio(alice), 2);
  await watchersShown(bob, player(bob), 2);
  await watchersShown(ferdie, player(ferdie), 2);

  // A third viewer finds no seat, waits, and gets the one Ferdie leaves.
  const charlie = await streamPage(viewers, 'Charlie');
  await player(charlie).getByRole('button', { name: 'Watch' }).click();
  await shown(
    line(player(charlie)).getByText('has reached its limit of 2 watchers: waiting for a seat', {
      exact: false,
    }),
  );
  await player(ferdie).getByRole('button', { name: 'Leave' }).click();
  await shown(player(ferdie).getByRole('button', { name: 'Watch' }));
  await decoding(charlie);
  await watchersShown(alice, studio(alice), 2);
  await player(charlie).getByRole('button', { name: 'Leave' }).click();
  await watchersShown(alice, studio(alice), 1);
  await watchersShown(bob, player(bob), 1);
  await Promise.all([ferdie, charlie].map((page) => page.context().close()));
});

test('the broadcaster shares the screen and comes back, mutes, turns the camera off and on', async () => {
  await studio(alice).getByRole('button', { name: 'Share screen' }).click();
  // The fake screen is 1280 wide, the fake camera 640: the picture changed, the viewer stayed.
  await decoding(bob, (width) => width > 640);
  await studio(alice).getByRole('button', { name: 'Back to camera' }).click();
  await decoding(bob, (width) => width > 0 && width <= 640);
  await studio(alice).getByRole('button', { name: 'Camera off' }).click();
  await studio(alice).getByRole('button', { name: 'Mute' }).click();
  await decoding(bob);
  await studio(alice).getByRole('button', { name: 'Camera on' }).click();
  await studio(alice).getByRole('button', { name: 'Unmute' }).click();
  await decoding(bob);
  const peers = await playback(bob);
  assert.equal(peers.peers, 1, 'one connection all along');
  await watchersShown(alice, studio(alice), 1);
});

test('a broadcast with no camera plays its sound, and the camera comes back', async () => {
  await studio(alice).getByLabel('Camera').selectOption({ label: 'No camera' });
  // The picture stops (no frame for a second) and the sound goes on.
  await until(async () => {
    const before = await playback(bob);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await playback(bob);
    return after.framesDecoded === before.framesDecoded && after.audioLive && after.peers === 1;
  }, 'the picture to stop');
  await studio(alice).getByLabel('Camera').selectOption({ index: 1 });
  await decoding(bob);
  assert.deepEqual(bob.errors, []);
});

test('a viewer who reloads watches again', async () => {
  await bob.reload();
  await decoding(bob);
  await watchersShown(alice, studio(alice), 1);
});

test('a viewer whose signaling connection is cut rejoins by itself', async () => {
  const dave = await streamPage(viewers, 'Dave', { signaling: proxy.url });
  await player(dave).getByRole('button', { name: 'Watch' }).click();
  await decoding(dave);
  await watchersShown(alice, studio(alice), 2);
  const { made } = await playback(dave);
  proxy.cut();
  await until(async () => (await playback(dave)).made > made, 'a new peer connection');
  await decoding(dave);
  await watchersShown(alice, studio(alice), 2);
  await dave.context().close();
  await watchersShown(alice, studio(alice), 1);
});

test('viewers see that the stream ended, when it is ended and when the tab is closed, and come back with a broadcaster who reconnects', async () => {
  await studio(alice).getByRole('button', { name: 'End stream' }).click();
  await shown(line(player(bob)).getByText('The stream has ended', { exact: false }));
  await shown(line(studio(alice)).getByText('The stream has ended', { exact: false }));
  // Its heading no longer counts viewers, as the badge no longer says LIVE.
  await player(bob).getByText('watching', { exact: false }).waitFor({ state: 'detached' });
  assert.equal(await bob.getByText('LIVE', { exact: true }).count(), 0);
  const captured = await alice.evaluate(() => window.captured.map((track) => track.readyState));
  assert.ok(captured.length >= 3, `the camera, the microphone and the screen: ${captured}`);
  assert.deepEqual(
    new Set(captured),
    new Set(['ended']),
    'ending the stream releases every device',
  );
  await shown(studio(alice).getByRole('button', { name: 'Turn on camera and microphone' }));

  // She goes live again in a new tab, whose signaling connection is cut: the viewer,
  // still on the page, plays it each time she is back.
  await alice.context().close();
  alice = await streamPage(stack.browser, 'Alice', { signaling: proxy.url });
  await goLive(alice);
  await decoding(bob);
  const { made } = await playback(bob);
  proxy.cut();
  await until(async () => (await playback(bob)).made > made, 'a new peer connection');
  await decoding(bob);
  await shown(line(studio(alice)).getByText('LIVE', { exact: true }));
  await alice.context().close();
  await shown(line(player(bob)).getByText('The stream has ended', { exact: false }));
  assert.deepEqual(bob.errors, []);
});

test('the broadcaster’s page follows the server: told the stream is not live, it goes live again', async () => {
  const context = await stack.browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
  });
  await instrument(context);
  // The page's signaling connections pass through here, where the test can speak as
  // the server and see what the page sends.
  const connections = [];
  const sent = [];
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      sent.push(String(message));
      server.send(message);
    });
    connections.push(ws);
  });
  const broadcasts = () => sent.filter((message) => message.startsWith('42["broadcast"')).length;
  const page = await context.newPage();
  watchErrors(page);
  await page.goto(stack.app.url + streamPath);
  await actAs(page, 'Alice');
  await goLive(page);
  await until(() => broadcasts() === 1, 'the page to go live');
  connections.forEach((ws) => ws.send('42["isStreaming",false]'));
  await until(() => broadcasts() === 2, 'the page to go live again');
  await shown(line(studio(page)).getByText('LIVE', { exact: true }));
  await studio(page).getByRole('button', { name: 'End stream' }).click();
  await shown(line(studio(page)).getByText('The stream has ended', { exact: false }));
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the app signs no sign-in text that names another server', async () => {
  // A way to the server that it does not know as its own: its texts name its first
  // public URL (the proxy of the other tests), not the address this page used.
  const unknown = await cuttableProxy(() => new URL(stack.signaling.url).port);
  try {
    const dave = await streamPage(viewers, 'Dave', { signaling: unknown.url });
    await player(dave).getByRole('button', { name: 'Watch' }).click();
    await shown(
      line(player(dave)).getByText(
        'The signaling server asked to sign a sign-in to another server',
        {
          exact: false,
        },
      ),
    );
    await dave.context().close();
  } finally {
    await unknown.close();
  }
});
