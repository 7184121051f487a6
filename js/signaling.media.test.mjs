// The signaling server with a media server (a real Janus, scripts/janus.sh): the route
// it gives a stream, who may publish and ask for a layer, what it does with bad offers,
// and a Janus that dies. No browser: the browser tests (web/tests/media.test.mjs) play
// the video itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, startJanus, devKey, connect, next, nextRefusal, receivedOf, settle, join,
} from 'w3bstreaming-testkit/signaling';
import { send } from 'w3bstreaming-testkit/devnode';
import { sendOnlyOffer } from 'w3bstreaming-testkit/peers';

const CONNECT_TIMEOUT_MS = 2_000;
let devnode;
let janus;
let server;
let streamId;
let alice;
let bob;
const sockets = [];

before(async () => {
  devnode = await startDevnode(['--demo']);
  janus = await startJanus({ iceInterface: null });
  server = await startServer([
    '--max-sdp-bytes', '4096', ...janus.args,
    // A viewer who unfollows stops watching within a second or two.
    '--recheck-follows-ms', '500', '--cache-ttl-ms', '500',
    '--media-connect-timeout-ms', String(CONNECT_TIMEOUT_MS),
  ], devnode);
  streamId = devnode.demo.streamId;
  [alice, bob] = ['//Alice', '//Bob'].map(devKey);
});

after(async () => {
  sockets.forEach((socket) => socket.close());
  await server?.stop();
  await janus?.stop();
  await devnode?.stop();
  const logs = server?.logs() ?? '';
  for (const secret of ['v=0', janus.secret]) {
    assert.ok(!logs.includes(secret), `the logs never contain ${secret}`);
  }
});

const open = async () => {
  const socket = await connect(server.url);
  sockets.push(socket);
  return socket;
};

const offer = (sdp) => ({ type: 'offer', sdp });

let broadcaster;
let viewer;

test('a stream goes live through the media server; only its broadcaster publishes', async () => {
  broadcaster = await open();
  join(broadcaster, 'broadcast', alice, streamId);
  assert.deepEqual(await next(broadcaster, 'isStreaming'), [true]);
  assert.deepEqual(await next(broadcaster, 'route'), [{ streamId, via: 'mediaServer' }]);

  viewer = await open();
  join(viewer, 'watch', bob, streamId);
  assert.deepEqual(await next(viewer, 'route'), [{ streamId, via: 'mediaServer' }]);
  await settle();
  assert.deepEqual(receivedOf(broadcaster, 'watch'), [], 'the broadcaster offers to no one');

  viewer.emit('publish', bob.id, { streamId, description: offer('v=0') });
  assert.equal((await nextRefusal(viewer)).reason, 'not_broadcasting');
  broadcaster.emit('publish', alice.id, { streamId: 'another', description: offer('v=0') });
  assert.equal((await nextRefusal(broadcaster)).reason, 'not_broadcasting');
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_media_publishers, 0);
});

test('a malformed or oversized offer is refused, and nothing is left in Janus', async () => {
  for (const description of [offer('not an SDP'), 42, { type: 'answer', sdp: 'v=0\r\n' }]) {
    broadcaster.emit('publish', alice.id, { streamId, description });
    const refusal = await nextRefusal(broadcaster);
    assert.equal(refusal.reason, 'offer_refused', JSON.stringify(refusal));
    assert.match(refusal.message, /^The media server cannot take this offer \(the media server refused \(4\d\d: /);
  }
  broadcaster.emit('publish', alice.id, { streamId, description: offer('v=0\r\n'.padEnd(5_000, 'a')) });
  assert.equal((await nextRefusal(broadcaster)).reason, 'too_large');
  broadcaster.emit('publish', alice.id, { streamId });
  assert.equal((await nextRefusal(broadcaster)).reason, 'malformed');
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_media_publishers, 0);
  assert.equal(metrics['signaling_media_requests_total{kind="publish",outcome="failed"}'], 3);
  assert.deepEqual(await janus.rooms(), [], 'a room whose publisher failed to join is destroyed');
  // The viewer was never offered anything.
  assert.deepEqual(receivedOf(viewer, 'offer'), []);
});

test('a layer is asked for only by a viewer receiving through the media server', async () => {
  viewer.emit('quality', alice.id, { layer: 'low' });
  assert.equal((await nextRefusal(viewer)).reason, 'not_watching');
  viewer.emit('quality', alice.id, { layer: 'highest' });
  assert.equal((await nextRefusal(viewer)).reason, 'malformed');
});

/// Publishes on `socket` without a browser; the offer is answered only if `connect`.
async function publishWithoutBrowser(socket, connect) {
  const publisher = await sendOnlyOffer();
  socket.emit('publish', alice.id, { streamId, description: publisher.description });
  const [{ description }] = await next(socket, 'published');
  if (connect) await publisher.answer(description);
  return publisher;
}

test('a viewer who never answers the media server\'s offer holds nothing there', async () => {
  const publisher = await publishWithoutBrowser(broadcaster, true);
  // Bob, let in since the first test, is offered the new feed, and never answers.
  const [from, { description }] = await next(viewer, 'offer');
  assert.equal(from, alice.id);
  assert.match(description.sdp, /^v=0/);
  assert.equal((await server.metrics()).signaling_media_subscribers, 1);
  const refusal = await nextRefusal(viewer);
  assert.equal(refusal.reason, 'media_unavailable');
  assert.match(refusal.message, new RegExp(`no peer connection with the media server came up within ${CONNECT_TIMEOUT_MS} ms`));
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_media_subscribers, 0);
  assert.equal(metrics['signaling_media_timeouts_total{kind="subscriber"}'], 1);
  assert.equal(metrics.signaling_media_publishers, 1, 'the publisher, connected, stays');
  await publisher.close();
});

test('a publisher that never connects to the media server: its stream goes on peer to peer', async () => {
  const publisher = await publishWithoutBrowser(broadcaster, false);
  assert.deepEqual(await next(broadcaster, 'route', 2 * CONNECT_TIMEOUT_MS + 5_000), [{ streamId, via: 'peers' }]);
  const [watcher] = await next(broadcaster, 'watch');
  assert.equal(watcher, bob.id, 'the broadcaster now offers to its viewer itself');
  const metrics = await server.metrics();
  assert.equal(metrics['signaling_media_timeouts_total{kind="publisher"}'], 1);
  assert.equal(metrics.signaling_media_publishers, 0);
  assert.deepEqual(await janus.rooms(), []);
  await publisher.close();
});

test('with Janus down, a stream goes live peer to peer, and nothing can be published', async () => {
  await janus.kill();
  broadcaster.emit('stopBroadcasting', alice.id, { streamId });
  assert.deepEqual(await next(broadcaster, 'isStreaming'), [false]);
  join(broadcaster, 'broadcast', alice, streamId);
  assert.deepEqual(await next(broadcaster, 'route'), [{ streamId, via: 'peers' }]);
  join(viewer, 'watch', bob, streamId);
  const [watcher] = await next(broadcaster, 'watch');
  assert.equal(watcher, bob.id);
  broadcaster.emit('publish', alice.id, { streamId, description: offer('v=0') });
  assert.equal((await nextRefusal(broadcaster)).reason, 'not_via_media_server');
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_media_fallbacks_total, 1);
});

test('a viewer who unfollows on chain stops watching, and is told why', async () => {
  // Bob watches peer to peer now (the test above); the rule is the same through Janus.
  await send(devnode, bob, { Unsubscribe: { account_id: alice.id } });
  const refusal = await nextRefusal(viewer);
  assert.deepEqual(refusal, { message: "You aren't subscribed to this speaker", reason: 'not_subscribed' });
  const [left] = await next(broadcaster, 'stopWatching');
  assert.equal(left, bob.id);
  await settle();
  assert.deepEqual(receivedOf(broadcaster, 'watchersCount').at(-1).args, [0]);
  // Following again, Bob may join again.
  await send(devnode, bob, { Subscribe: { account_id: alice.id } });
  join(viewer, 'watch', bob, streamId);
  const [again] = await next(broadcaster, 'watch');
  assert.equal(again, bob.id);
});
